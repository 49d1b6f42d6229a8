#!/usr/bin/env bash
# Time `make vm-run CMD=true` (boot with the Debian guest image, run
# nothing, power off) over RUNS runs: median, min and max of the wall time
# of the whole process. Not a test: a measurement for docs/measurements.md.
# Also times the guest image lookup (warm: built, found by its key).
#   usage: bench-run.sh [RUNS]   (KERNEL, KSRC, KCONFIG, VM_* pass through)
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

runs=${1:-5}
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "RUNS=$runs: expected a positive number"
times=()
for i in $(seq 1 "$runs"); do
	t0=$(date +%s.%N)
	rc=0
	make -s --no-print-directory -C "$ZCRX_TOP" vm-run CMD=true VM_SHARE=none >/dev/null 2>&1 </dev/null || rc=$?
	[ "$rc" -eq 0 ] || die "run $i: make vm-run CMD=true exited $rc"
	times+=("$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')")
done
t0=$(date +%s.%N)
"$ZCRX_TOP/images/guest-image.sh" >/dev/null
img=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.3f", b - a }')
printf '%s\n' "${times[@]}" | sort -n | awk -v img="$img" '{ a[NR] = $1 }
END { m = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
	printf "make vm-run CMD=true over %d runs: median %.2f s, min %.2f s, max %.2f s; warm image lookup %s s\n", NR, m, a[1], a[NR], img }'
