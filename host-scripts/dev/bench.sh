#!/usr/bin/env bash
# Time `make vm-test` over several runs and print the medians of the
# phases recorded in each run's results.json (prepare, boot, suite, VM,
# wall). Not a test: a measurement for docs/measurements.md.
#   usage: bench.sh [RUNS]        warm cache (the build directory is kept)
#          COLD=1 bench.sh [RUNS] cold: each run starts from an empty
#                                 build directory (downloads included)
# Other knobs (KERNEL, TESTS, VM_*) pass through to vm-test.sh.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

runs=${1:-5}
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "RUNS=$runs: expected a positive number"
table="$RESULTS_DIR/bench-$(date +%Y%m%d-%H%M%S).tsv"
mkdir -p "$RESULTS_DIR"
printf 'run\tprepare\tboot\tsuite\tvm\twall\tverdict\n' >"$table"

need_cmd jq jq

for i in $(seq 1 "$runs"); do
	name="bench-$(date +%Y%m%d-%H%M%S)-$i"
	if [ "${COLD:-0}" = 1 ]; then
		cold_dir=$(mktemp -d "${TMPDIR:-/tmp}/zcrx-cold.XXXXXX")
		BUILD_DIR="$cold_dir" DEPS_DIR="$cold_dir/deps" RUN_NAME="$name" \
			"$ZCRX_TOP/host-scripts/vm-test.sh" >/dev/null 2>&1 || true
		rm -rf "$cold_dir"
	else
		RUN_NAME="$name" "$ZCRX_TOP/host-scripts/vm-test.sh" >/dev/null 2>&1 || true
	fi
	s="$RESULTS_DIR/$name/results.json"
	[ -f "$s" ] || die "run $i left no summary ($RESULTS_DIR/$name)"
	jq -r --arg i "$i" '[$i, .seconds.prepare, .seconds.boot, .seconds.suite, .seconds.vm, .seconds.wall, .verdict] | @tsv' "$s" >>"$table"
done

cat "$table"
awk -F'\t' 'NR > 1 { for (c = 2; c <= 6; c++) v[c, NR - 1] = $c; n = NR - 1 }
function median(c,    i, j, t, a) {
	for (i = 1; i <= n; i++) a[i] = v[c, i]
	for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
END { printf "median of %d: prepare %.2f s, boot %.2f s, suite %.2f s, vm %.2f s, wall %.2f s\n", n, median(2), median(3), median(4), median(5), median(6) }' "$table"
echo "table: $table"
