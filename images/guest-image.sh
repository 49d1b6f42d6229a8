#!/usr/bin/env bash
# The Debian guest image of `make vm-run`, `make vm-shell` and `make
# selftests` (the static suite of `make vm-test` does not use it).
#   usage: guest-image.sh        print the image's path, building it first
#                                when it is not there
# Recipe: mmdebstrap's minbase of Debian trixie (13: the release the 7.3
# kernel is backported to; the kernel's selftests call ethtool and iproute2
# features bookworm's lack, e.g. `ethtool --json -c`), from the host's own
# mirror, plus images/guest-image.list; packed as an uncompressed erofs
# image the VM mounts read-only (virtio-blk), under a tmpfs overlay
# (docs/guest.md says why erofs). It is the guest's userspace: nothing of it
# is installed on the host.
# The image is $BUILD_DIR/guest-image/<suite>-<key>.erofs, <key> a hash of
# this script and the package list: built once, re-used offline, built
# again when the recipe changes. Needs root (mmdebstrap --mode=root) the
# first time only.
# Knobs: GUEST_IMAGE_TIMEOUT (seconds for mmdebstrap, default 1800).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../host-scripts/lib.sh"

list="$here/guest-image.list"
suite=trixie
key=$(cat "$0" "$list" | sha256sum | cut -c1-16)
dir="$BUILD_DIR/guest-image"
img="$dir/$suite-$key.erofs"
if [ -f "$img" ]; then
	printf '%s\n' "$img"
	exit 0
fi

timeout_s=${GUEST_IMAGE_TIMEOUT:-1800}
[[ $timeout_s =~ ^[1-9][0-9]*$ ]] || die "GUEST_IMAGE_TIMEOUT=$timeout_s: expected seconds > 0"
is_root || die "the guest image $img is not built yet, and building it needs root (mmdebstrap --mode=root); run once as root"

# the host's own mirror (read from /etc/apt at run time, never written here)
. "$here/../host-scripts/apt-private.sh"
mirror=$(host_mirror)
pkgs=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$list" | tr -s ' \n' ',' | sed 's/,$//')
[ -n "$pkgs" ] || die "guest image: $list lists no package"

need_cmd mmdebstrap mmdebstrap
need_cmd mkfs.erofs erofs-utils
own_dir "$dir"
lock_take guest-image "building the guest image"
if [ -f "$img" ]; then # built by the run we waited for
	printf '%s\n' "$img"
	exit 0
fi
work=$(mktemp -d "$dir/.build.XXXXXX")
# never remove through a mount mmdebstrap may have left in the tree; on a
# signal the children are stopped first (registered last, runs first) and
# waited for (timeout --kill-after bounds that)
at_exit "wait 2>/dev/null; findmnt -rn -o TARGET | grep -F -- '$work/' | sort -r | xargs -r -n1 umount -l 2>/dev/null; rm -rf --one-file-system -- '$work'"
stop_children_on_signal

log "building the guest image ($suite minbase + $(tr ',' '\n' <<<"$pkgs" | wc -l) packages); log: $work/mmdebstrap.log"
t0=$(date +%s)
# shellcheck disable=SC2016 # the hooks run in mmdebstrap's shell, $1 is the root
if ! run_stoppable timeout --kill-after=30 "$timeout_s" \
	mmdebstrap --mode=root --variant=minbase --include="$pkgs" \
	--aptopt='Acquire::Retries "3"' \
	--customize-hook='rm -f "$1"/etc/apt/sources.list "$1"/etc/apt/sources.list.d/*' \
	--customize-hook='echo zcrx-guest >"$1/etc/hostname"' \
	--customize-hook='printf "127.0.0.1 localhost zcrx-guest\n::1 localhost\n" >"$1/etc/hosts"' \
	--customize-hook='rm -rf "$1"/var/cache/apt/* "$1"/var/lib/apt/lists/* "$1"/usr/share/doc/* "$1"/usr/share/man/*' \
	"$suite" "$work/root" "$mirror" >"$work/mmdebstrap.log" 2>&1; then
	mkdir -p "$BUILD_DIR/logs"
	cp "$work/mmdebstrap.log" "$BUILD_DIR/logs/guest-image.log"
	die "guest image: mmdebstrap failed; see $BUILD_DIR/logs/guest-image.log (last line: $(tail -n1 "$work/mmdebstrap.log"))"
fi
# uncompressed: TCG pays for every decompressed byte; timestamps fixed
mkfs.erofs --quiet --all-root -T 0 "$work/img.erofs" "$work/root" >&2 ||
	die "guest image: mkfs.erofs failed"
mv "$work/img.erofs" "$img"
log "guest image ready: $img ($(($(stat -c %s "$img") / 1048576)) MiB, $(($(date +%s) - t0)) s)"
printf '%s\n' "$img"
