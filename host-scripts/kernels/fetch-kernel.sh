#!/usr/bin/env bash
# Resolve KERNEL= into a bootable kernel and write its description to the
# file named by $1 (KREL, VMLINUZ, MODROOT, KDESC):
#   KERNEL unset      the newest Debian $DEFAULT_KERNEL.x cloud kernel (7.3)
#   KERNEL=7.0        newest Debian 7.0.x cloud kernel; KERNEL=7.0.13 exact
#   KERNEL=/path      a bzImage (MODULES=/lib/modules/<rel> dir optional)
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../apt-private.sh"

out=${1:?usage: fetch-kernel.sh OUT.env}
KERNEL=${KERNEL:-}
DEFAULT_KERNEL=${DEFAULT_KERNEL:-7.3}
[ -n "$KERNEL" ] || KERNEL=$DEFAULT_KERNEL

# A bzImage carries "HdrS" at offset 0x202.
is_bzimage() {
	[ "$(dd if="$1" bs=1 skip=514 count=4 status=none 2>/dev/null)" = HdrS ]
}

# The release string the setup header points to (kernel_version at 0x20e).
bzimage_release() {
	local ptr
	ptr=$(od -An -tu2 -j 526 -N 2 "$1" 2>/dev/null | tr -d ' ')
	[ -n "$ptr" ] && [ "$ptr" -gt 0 ] || return 0
	dd if="$1" bs=1 skip=$((ptr + 512)) count=128 status=none 2>/dev/null |
		tr '\0' '\n' | head -n 1 | awk '{ print $1 }'
}

if [[ $KERNEL == */* || -e $KERNEL ]]; then
	[ -e "$KERNEL" ] || die "KERNEL=$KERNEL: no such file"
	if [ ! -f "$KERNEL" ] || [ ! -r "$KERNEL" ]; then
		die "KERNEL=$KERNEL: not a readable file"
	fi
	is_bzimage "$KERNEL" || die "KERNEL=$KERNEL: not an x86 bzImage (no HdrS header)"
	vmlinuz=$(readlink -f "$KERNEL")
	krel=$(bzimage_release "$vmlinuz")
	modroot=${MODULES:-}
	if [ -n "$modroot" ] && [ ! -d "$modroot" ]; then
		die "MODULES=$modroot: no such directory"
	fi
	{
		printf 'KREL=%q\n' "${krel:-unknown}"
		printf 'VMLINUZ=%q\n' "$vmlinuz"
		printf 'MODROOT=%q\n' "$modroot"
		printf 'KDESC=%q\n' "bzImage $vmlinuz"
	} >"$out"
	exit 0
fi

[[ $KERNEL =~ ^[0-9]+\.[0-9]+(\.[0-9]+)?$ ]] ||
	die "KERNEL=$KERNEL: expected a Debian kernel version (e.g. 7.3, 7.0.13) or a path to a bzImage"
cached="$DEPS_DIR/kernel-$KERNEL.env"
# shellcheck source=/dev/null
if resolved_fresh "$cached" && is_bzimage "$(. "$cached" && echo "${VMLINUZ:-}")"; then
	cp "$cached" "$out"
	exit 0
fi
need_cmd dpkg-deb dpkg
apt_private_update

# Package names look like linux-binary-7.3.4+deb13-cloud-amd64.
re="^linux-binary-${KERNEL//./\\.}"
[[ $KERNEL =~ ^[0-9]+\.[0-9]+$ ]] && re="$re\\.[0-9]+"
pkg=$(papt_cache pkgnames linux-binary- 2>/dev/null | grep -E "$re\\+deb[0-9]+-cloud-amd64\$" | sort -V | tail -n 1 || true)
[ -n "$pkg" ] || die "KERNEL=$KERNEL: no Debian cloud kernel of that version in the private index ($APT_SUITES)"
krel=${pkg#linux-binary-}

kver=$(apt_candidate "$pkg")
[ -n "$kver" ] || die "$pkg has no installable version in the private index"
dir=$(apt_extract "$pkg" "$kver")
vmlinuz=$(find "$dir" -type f \( -name vmlinuz -o -name "vmlinuz-$krel" \) | head -n 1)
{ [ -n "$vmlinuz" ] && is_bzimage "$vmlinuz"; } || die "$pkg holds no bzImage (looked for vmlinuz under boot/ and usr/lib/modules/)"

modroot=
if [ -n "$(apt_candidate "linux-modules-$krel")" ]; then
	mver=$(apt_candidate "linux-modules-$krel")
	mdir=$(apt_extract "linux-modules-$krel" "$mver")
	modroot="$mdir/usr/lib/modules/$krel"
	[ -d "$modroot" ] || modroot="$mdir/lib/modules/$krel"
	[ -d "$modroot" ] || die "linux-modules-$krel has no modules directory"
else
	warn "no linux-modules-$krel in the archive: the VM gets no virtio-net NICs with this kernel"
fi
{
	printf 'KREL=%q\n' "$krel"
	printf 'VMLINUZ=%q\n' "$vmlinuz"
	printf 'MODROOT=%q\n' "$modroot"
	printf 'KDESC=%q\n' "Debian $pkg"
	printf 'KPKG=%q\n' "$pkg $kver"
} >"$cached"
cp "$cached" "$out"
