#!/usr/bin/env bash
# Build the guest initramfs (uncompressed newc cpio):
#   /init            images/init (static)
#   /tests/*         the static test binaries and their run order
#   /nic-profiles/*  vm/nic-profiles/ (what the NIC cases may assume)
#   /modules/*       modules named in IMAGE_MODULE_LISTS (files; default
#                    images/modules.list), decompressed, in list order
# usage: mkinitramfs.sh OUT.cpio INIT TESTDIR [MODROOT]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../host-scripts/lib.sh"

out=$1 init=$2 tests=$3 modroot=${4:-}
need_cmd cpio cpio
[ -x "$init" ] || die "no init binary at $init"
[ -f "$tests/order" ] || die "no test binaries in $tests"

root=$(mktemp -d "${out}.root.XXXXXX")
at_exit_rm "$root"
at_exit_rm "$out.tmp"
mkdir -p "$root"/{proc,sys,dev,tmp,run,tests,modules,bin}
cp "$init" "$root/init"
while read -r t _; do
	[ -n "$t" ] || continue
	[ -x "$tests/$t" ] || die "test binary $tests/$t is missing"
	cp "$tests/$t" "$root/tests/"
done <"$tests/order"
cp "$tests/order" "$root/tests/order"
# the NIC profiles (vm/nic-profiles/): /init names the NIC's in NIC_PROFILE
mkdir -p "$root/nic-profiles"
cp "$ZCRX_TOP"/vm/nic-profiles/* "$root/nic-profiles/"

if [ -n "$modroot" ]; then
	: >"$root/modules/order"
	# shellcheck disable=SC2086 # a space-separated list of files
	cat ${IMAGE_MODULE_LISTS:-$here/modules.list} | while read -r m; do
		case $m in '#'* | '') continue ;; esac
		f=$(find "$modroot/kernel" -name "$m.ko" -o -name "$m.ko.xz" -o -name "$m.ko.zst" -o -name "$m.ko.gz" | head -n 1)
		[ -n "$f" ] || continue
		case $f in
		*.xz) xz -dc "$f" >"$root/modules/$m.ko" ;;
		*.zst) zstd -qdc "$f" >"$root/modules/$m.ko" ;;
		*.gz) gzip -dc "$f" >"$root/modules/$m.ko" ;;
		*) cp "$f" "$root/modules/$m.ko" ;;
		esac
		echo "$m.ko" >>"$root/modules/order"
	done
fi

(cd "$root" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet --owner=0:0) >"$out.tmp"
mv "$out.tmp" "$out"
