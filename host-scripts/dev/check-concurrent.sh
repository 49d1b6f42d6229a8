#!/usr/bin/env bash
# make check step: two 'make vm-test' in one checkout at the same time must
# both pass (what they share is built under a lock; the VMs run side by
# side, each in its own network namespace).
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
need_cmd jq jq

stamp=$(date +%Y%m%d-%H%M%S)
tests=${CONCURRENT_TESTS:-query,register,ctrl}
mkdir -p "$BUILD_DIR/logs"
pids=() runs=()
for i in 1 2; do
	run="check-$stamp-concurrent-$i"
	runs+=("$run")
	make -s -C "$ZCRX_TOP" vm-test KERNEL= KSRC= RUN_NAME="$run" TESTS="$tests" \
		>"$BUILD_DIR/logs/$run.log" 2>&1 &
	pids+=($!)
done
at_exit "kill ${pids[*]} 2>/dev/null || true"
bad=0
for i in 0 1; do
	rc=0
	wait "${pids[i]}" || rc=$?
	v=$(jq -r .verdict "$RESULTS_DIR/${runs[i]}/results.json" 2>/dev/null || echo none)
	echo "concurrent: ${runs[i]}: exit $rc, verdict $v"
	if [ "$rc" -ne 0 ] || [ "$v" != pass ]; then
		bad=1
		tail -n 5 "$BUILD_DIR/logs/${runs[i]}.log"
	fi
done
[ "$bad" -eq 0 ] || die "concurrent vm-test runs did not both pass"
echo "concurrent: both runs passed"
