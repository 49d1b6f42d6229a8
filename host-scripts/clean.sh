#!/usr/bin/env bash
# make clean / make distclean, removing only what this project made.
#   clean.sh build   guest binaries, init, initramfs files (keeps downloads
#                    and kernel builds)
#   clean.sh all     BUILD_DIR and RESULTS_DIR themselves, but only the
#                    defaults or a directory holding the project's marker
#                    (.zcrx-vmtest, written when the project created it)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

ours() { # ours DIR DEFAULT: safe to remove as a whole
	[ "$1" = "$2" ] || [ -f "$1/.zcrx-vmtest" ]
}

case ${1:-} in
build)
	[ -d "$BUILD_DIR" ] || exit 0
	rm -rf -- "$BUILD_DIR"/guest "$BUILD_DIR"/guest-* "$BUILD_DIR/image" "$BUILD_DIR/initramfs"
	;;
all)
	for pair in "BUILD_DIR:$BUILD_DIR:$ZCRX_TOP/build" "RESULTS_DIR:$RESULTS_DIR:$ZCRX_TOP/results"; do
		IFS=: read -r knob dir def <<<"$pair"
		[ -e "$dir" ] || continue
		ours "$dir" "$def" || die "$knob=$dir was not made by zcrx-vmtest (no .zcrx-vmtest marker); not removing it"
		log "removing $dir"
		rm -rf -- "$dir"
	done
	;;
*) die "usage: clean.sh build|all" ;;
esac
