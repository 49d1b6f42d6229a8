#!/usr/bin/env bash
# The kernel's own style checker, scripts/checkpatch.pl (with the data files
# it reads), extracted once from the linux-source .deb the project already
# fetches for the kselftest headers. Prints the path of checkpatch.pl.
#   usage: fetch-checkpatch.sh
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
. "$ZCRX_TOP/host-scripts/apt-private.sh"
ver=${KSFT_SOURCE:-7.3}
dir="$DEPS_DIR/checkpatch-$ver"
# checkpatch.pl needs perl's standard modules, not only perl-base
if ! perl -MTerm::ANSIColor -MEncode -MGetopt::Long -e 1 >/dev/null 2>&1; then
	host_install perl
fi
if [ ! -f "$dir/scripts/checkpatch.pl" ]; then
	need_cmd xz xz-utils
	apt_private_update
	src=linux-source-$ver
	deb=$(apt_fetch "$src")
	log "extracting checkpatch.pl from $(basename "$deb")"
	rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
	at_exit_rm "$dir.tmp"
	dpkg-deb --fsys-tarfile "$deb" | tar -xO "./usr/src/$src.tar.xz" | xz -dc -T0 |
		tar -x -C "$dir.tmp" --strip-components=1 \
			"$src/scripts/checkpatch.pl" "$src/scripts/spelling.txt" \
			"$src/scripts/const_structs.checkpatch" ||
		die "cannot extract checkpatch.pl from $(basename "$deb")"
	rm -rf "$dir" && mv "$dir.tmp" "$dir"
fi
echo "$dir/scripts/checkpatch.pl"
