#!/usr/bin/env bash
# Time kernel builds over several runs and print the median (seconds):
#   bench-kernel.sh cold [RUNS]   configure + build in a fresh O= directory
#   bench-kernel.sh touch [RUNS]  rebuild after touching io_uring/zcrx.c
# KCONFIG=lean|debug selects the fragments (lean). Debian source only.
# Not a test: a measurement for docs/measurements.md.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

mode=${1:?usage: bench-kernel.sh cold|touch [RUNS]}
runs=${2:-3}
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "RUNS=$runs: expected a positive number"
KCONFIG=${KCONFIG:-lean}
src="$BUILD_DIR/src/linux-source-${KSRC_VERSION:-7.3}"
times=()
for i in $(seq 1 "$runs"); do
	case $mode in
	cold)
		bdir=$(mktemp -d "$BUILD_DIR/bench-cold.XXXXXX")
		mkdir -p "$bdir/src"
		[ -d "$src" ] || KSRC=debian "$ZCRX_TOP/host-scripts/kernels/build-kernel.sh" >/dev/null
		ln -s "$src" "$bdir/src/$(basename "$src")"
		t0=$(date +%s.%N)
		BUILD_DIR="$bdir" DEPS_DIR="$DEPS_DIR" KSRC=debian KCONFIG="$KCONFIG" \
			"$ZCRX_TOP/host-scripts/kernels/build-kernel.sh" >"$bdir.log" 2>&1 ||
			die "cold build $i failed; see $bdir.log"
		t1=$(date +%s.%N)
		objs=$(find "$bdir/kbuild" -name '*.o' | wc -l)
		rm -rf "$bdir"
		;;
	touch)
		KSRC=debian KCONFIG="$KCONFIG" "$ZCRX_TOP/host-scripts/kernels/build-kernel.sh" >/dev/null 2>&1
		touch "$src/io_uring/zcrx.c"
		t0=$(date +%s.%N)
		KSRC=debian KCONFIG="$KCONFIG" "$ZCRX_TOP/host-scripts/kernels/build-kernel.sh" >/dev/null 2>&1 ||
			die "rebuild $i failed"
		t1=$(date +%s.%N)
		objs=-
		;;
	*) die "mode $mode: expected cold or touch" ;;
	esac
	s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
	times+=("$s")
	echo "run $i: $s s (objects: $objs)"
done
printf '%s\n' "${times[@]}" | sort -n | awk '{ a[NR] = $1 } END {
	m = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
	printf "median of %d (%s, %s): %.1f s\n", NR, ENVIRON["KCONFIG"], "'"$mode"'", m }'
