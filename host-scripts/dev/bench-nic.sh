#!/usr/bin/env bash
# Zero-copy against copy-fallback receive throughput on the patched
# netdevsim (guest-tests/nic/nic_bench.c), over several VM runs: prints each
# run's MB/s, the medians and their ratio. Not a test: a measurement for
# docs/measurements.md.
#   usage: bench-nic.sh [RUNS]     (KSRC defaults to debian; KCONFIG and
#                                   VM_* pass through to vm-test.sh)
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

runs=${1:-3}
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "RUNS=$runs: expected a positive number"
export KSRC=${KSRC:-debian} ZCRX_TESTS=nic_bench
table="$RESULTS_DIR/bench-nic-$(date +%Y%m%d-%H%M%S).tsv"
mkdir -p "$RESULTS_DIR"
printf 'run\tzero-copy MB/s\tcopy MB/s\n' >"$table"

mbps() { sed -n "s/.*# bench: mode=$1 .*MBps=\\([0-9.]*\\).*/\\1/p" "$2" | head -n 1; }

for i in $(seq 1 "$runs"); do
	name="bench-nic-$(date +%Y%m%d-%H%M%S)-$i"
	RUN_NAME="$name" "$ZCRX_TOP/host-scripts/vm-test.sh" >/dev/null 2>&1 ||
		die "run $i failed: see $RESULTS_DIR/$name"
	k="$RESULTS_DIR/$name/ktap.txt"
	[ -r "$k" ] || die "run $i left no KTAP ($k)"
	zc=$(mbps zero-copy "$k")
	cp=$(mbps copy "$k")
	if [ -z "$zc" ] || [ -z "$cp" ]; then
		die "run $i printed no bench lines (NIC missing? see $k)"
	fi
	printf '%d\t%s\t%s\n' "$i" "$zc" "$cp" >>"$table"
done

cat "$table"
awk -F'\t' 'NR > 1 { z[NR - 1] = $2; c[NR - 1] = $3; n = NR - 1 }
function median(a,    i, j, t, b) {
	for (i = 1; i <= n; i++) b[i] = a[i]
	for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (b[j] < b[i]) { t = b[i]; b[i] = b[j]; b[j] = t }
	return n % 2 ? b[(n + 1) / 2] : (b[n / 2] + b[n / 2 + 1]) / 2
}
END { mz = median(z); mc = median(c)
	printf "median of %d: zero-copy %.1f MB/s, copy fallback %.1f MB/s, ratio %.2f\n", n, mz, mc, mc ? mz / mc : 0 }' "$table"
echo "table: $table"
