#!/usr/bin/env bash
# Regenerate a kernel-config patch from the project's Debian tree after
# editing it: the files of DIR in build/src/linux-source-7.3 against the
# same files of a pristine unpack of the cached linux-source .deb, as a
# git-style diff (so both `git am` and `patch -p1` take it), keeping the
# patch's mail header (everything before its first "---" line).
#   usage: refresh-patch.sh PATCH DIR
#   e.g.   refresh-patch.sh kernel-config/patches/0001-netdevsim-zcrx-capable-rx.patch drivers/net/netdevsim
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
. "$ZCRX_TOP/host-scripts/apt-private.sh"

patch=${1:?usage: refresh-patch.sh PATCH DIR}
dir=${2:?usage: refresh-patch.sh PATCH DIR}
[ -f "$patch" ] || die "no patch at $patch"
KSRC_VERSION=${KSRC_VERSION:-7.3}
tree="$BUILD_DIR/src/linux-source-$KSRC_VERSION"
[ -d "$tree/$dir" ] || die "no $dir in $tree (make kernel first)"
grep -q '^---$' "$patch" || die "$patch has no '---' line ending its header"
need_cmd git git
need_cmd xz xz-utils

apt_private_update
pkg="linux-source-$KSRC_VERSION"
deb=$(apt_fetch "$pkg")
work=$(mktemp -d "${TMPDIR:-/tmp}/zcrx-patch.XXXXXX")
trap 'rm -rf "$work"' EXIT
dpkg-deb --fsys-tarfile "$deb" | tar -xO "./usr/src/$pkg.tar.xz" | xz -dc -T0 |
	tar -x -C "$work" --strip-components=1 "$pkg/$dir" ||
	die "cannot unpack $dir from $(basename "$deb")"
git -C "$work" init -q
git -C "$work" add -A
git -C "$work" -c user.name=zcrx-vmtest -c user.email=zcrx-vmtest@localhost commit -qm pristine
rm -rf "${work:?}/$dir"
cp -a "$tree/$dir" "$work/$dir"
git -C "$work" add -A
git -C "$work" diff --cached --quiet && die "$dir in $tree does not differ from the pristine source"
{
	sed '/^---$/q' "$patch"
	git -C "$work" diff --cached --stat=72
	echo
	git -C "$work" diff --cached
	echo "-- "
	echo "zcrx-vmtest"
} >"$work/new.patch"
mv "$work/new.patch" "$patch"
log "refreshed $patch ($(grep -c '^[+-][^+-]' "$patch") changed lines)"
