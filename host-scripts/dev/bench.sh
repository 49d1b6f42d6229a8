#!/usr/bin/env bash
# make bench: time `make vm-test` over RUNS runs, each paired with a run of
# the floor: the same kernel on the same QEMU machine (backends/qemu.sh with
# the same options and NICs) booting images/floor-init.c, an /init that
# powers off at once. The two alternate (floor, vm-test, floor, ...), so
# what the machine does meanwhile hits both; each pair gives a ratio.
# Prints the per-run table (phases from each run's results.json, wall
# times measured around the whole process), then median, min and max of
# the floor, of vm-test, and of the ratio. Not a test: a measurement for
# docs/measurements.md. One warm-up run first, not counted.
#   usage: bench.sh [RUNS]        warm cache (the build directory is kept)
#          COLD=1 bench.sh [RUNS] cold: each run starts from an empty
#                                 build directory (downloads included; no floor)
#          KSRC=... BENCH_TOUCH=io_uring/zcrx.c bench.sh [RUNS]: that file of
#                                 the tree is touched before each vm-test run
#                                 (the edit-rebuild-boot-test loop)
# Other knobs (KERNEL, KSRC, TESTS, VM_*) pass through to vm-test.sh.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

runs=${1:-5}
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "RUNS=$runs: expected a positive number"
need_cmd jq jq
need_cmd cpio cpio
table="$RESULTS_DIR/bench-$(date +%Y%m%d-%H%M%S).tsv"
mkdir -p "$RESULTS_DIR"

touch_file=
if [ -n "${BENCH_TOUCH:-}" ]; then
	case ${KSRC:-} in
	"") die "BENCH_TOUCH=$BENCH_TOUCH needs KSRC= (a kernel built from source)" ;;
	debian) touch_file="$BUILD_DIR/src/linux-source-${KSRC_VERSION:-7.3}/$BENCH_TOUCH" ;;
	*) touch_file="$KSRC/$BENCH_TOUCH" ;;
	esac
	[ -f "$touch_file" ] || die "BENCH_TOUCH=$BENCH_TOUCH: no such file ($touch_file)"
fi

secs() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }'; }

# vm-test once, timed from outside; appends its phases to the table row
vm_test_timed() { # vm_test_timed NAME -> prints "wall prepare boot suite vm verdict"
	local name=$1 t0 s
	[ -z "$touch_file" ] || touch "$touch_file"
	t0=$(date +%s.%N)
	RUN_NAME="$name" "$ZCRX_TOP/host-scripts/vm-test.sh" >/dev/null 2>&1 || true
	printf '%s\t' "$(secs "$t0")"
	s="$RESULTS_DIR/$name/results.json"
	[ -f "$s" ] || die "run $name left no results.json ($RESULTS_DIR/$name)"
	jq -r '[.seconds.prepare, .seconds.boot, .seconds.suite, .seconds.vm, .verdict] | @tsv' "$s"
}

if [ "${COLD:-0}" = 1 ]; then
	printf 'run\twall\tprepare\tboot\tsuite\tvm\tverdict\n' >"$table"
	for i in $(seq 1 "$runs"); do
		cold_dir=$(mktemp -d "${TMPDIR:-/tmp}/zcrx-cold.XXXXXX")
		at_exit_rm "$cold_dir"
		printf '%s\t%s\n' "$i" "$(BUILD_DIR="$cold_dir" DEPS_DIR="$cold_dir/deps" \
			vm_test_timed "bench-$(date +%Y%m%d-%H%M%S)-$i")" >>"$table"
		rm -rf "$cold_dir"
	done
	cat "$table"
	"$ZCRX_TOP/host-scripts/dev/bench-stats.sh" "$table" wall prepare boot suite vm
	echo "table: $table"
	exit 0
fi

# the floor: its /init, and the kernel vm-test boots (fetched or built as
# vm-test does it; warm, this is a lookup)
fl="$BUILD_DIR/bench-floor"
rm -rf "$fl/root" "$fl/run"
mkdir -p "$fl/root"
make -s -C "$ZCRX_TOP/images" OUT="$fl" "$fl/floor-init" >/dev/null
cp "$fl/floor-init" "$fl/root/init"
(cd "$fl/root" && echo init | cpio -o -H newc --quiet) >"$fl/floor.cpio"
if [ -n "${KSRC:-}" ]; then
	"$ZCRX_TOP/host-scripts/kernels/build-kernel.sh" "$fl/kernel.env" >/dev/null 2>&1 ||
		die "the kernel (KSRC=$KSRC) does not build: run make vm-test KSRC=$KSRC first"
else
	"$ZCRX_TOP/host-scripts/kernels/fetch-kernel.sh" "$fl/kernel.env" >/dev/null 2>&1 ||
		die "the kernel (KERNEL=${KERNEL:-default}) cannot be fetched: run make vm-test first"
fi
# shellcheck source=/dev/null
. "$fl/kernel.env"

floor_timed() {
	local t0
	rm -rf "$fl/run"
	t0=$(date +%s.%N)
	VM_TIMEOUT=120 "$ZCRX_TOP/host-scripts/backends/qemu.sh" "$VMLINUZ" "$fl/floor.cpio" "$fl/run" >/dev/null 2>&1 ||
		die "the floor run did not power off cleanly (vm.status $(cat "$fl/run/vm.status" 2>/dev/null || echo none); $fl/run)"
	secs "$t0"
}

log "warm-up run (not counted), then $runs pairs of floor + vm-test"
vm_test_timed "bench-$(date +%Y%m%d-%H%M%S)-warmup" >/dev/null
printf 'run\tfloor\twall\tprepare\tboot\tsuite\tvm\tverdict\tratio\n' >"$table"
for i in $(seq 1 "$runs"); do
	f=$(floor_timed)
	row=$(vm_test_timed "bench-$(date +%Y%m%d-%H%M%S)-$i")
	printf '%s\t%s\t%s\t%s\n' "$i" "$f" "$row" "$(awk -v w="${row%%$'\t'*}" -v f="$f" 'BEGIN { printf "%.2f", w / f }')" >>"$table"
done
cat "$table"
"$ZCRX_TOP/host-scripts/dev/bench-stats.sh" "$table" floor wall ratio prepare boot suite vm
echo "kernel: $KDESC ($VMLINUZ); table: $table"
