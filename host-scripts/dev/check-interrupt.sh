#!/usr/bin/env bash
# make check step: Ctrl-C during a real 'make vm-test' stops it within a
# bound and leaves nothing running or half-written. The run is started in
# its own session with SIGINT at its default (as from a terminal), SIGINT
# goes to its whole process group once the guest is running, and then:
#   - make exits within 10 s (the goal is 5 s; the margin absorbs a busy
#     2-core machine), with a non-zero status;
#   - no process of the run is left (no QEMU naming its run directory);
#   - results.json says "interrupted"; the run's initramfs is gone.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
need_cmd jq jq

run="check-$(date +%Y%m%d-%H%M%S)-interrupt-$$"
rundir="$RESULTS_DIR/$run"
log="$BUILD_DIR/logs/$run.log"
mkdir -p "$BUILD_DIR/logs" "$BUILD_DIR/initramfs"
leftovers() { find "$BUILD_DIR/initramfs" "$BUILD_DIR" -maxdepth 1 \( -name 'run-*.cpio*' -o -name '.run-stage.*' \) | sort; }
before=$(leftovers)
setsid env --default-signal=INT make -s -C "$ZCRX_TOP" vm-test KERNEL= KSRC= RUN_NAME="$run" \
	TESTS="${INTERRUPT_TESTS:-register,events,stats}" >"$log" 2>&1 &
pid=$!
at_exit "kill -KILL -- -$pid 2>/dev/null || true"

# Wait (bounded) until the guest has started its suite.
for _ in $(seq 600); do
	grep -q '^KTAP version 1' "$rundir/ktap.txt" 2>/dev/null && break
	kill -0 "$pid" 2>/dev/null || { cat "$log"; die "vm-test ended before the guest ran"; }
	sleep 0.5
done
grep -q '^KTAP version 1' "$rundir/ktap.txt" 2>/dev/null || die "the guest never started its suite (log: $log)"

t0=$(date +%s.%N)
kill -INT -- "-$pid"
rc=0
for _ in $(seq 100); do
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
kill -0 "$pid" 2>/dev/null && die "make vm-test still running 10 s after SIGINT"
wait "$pid" || rc=$?
secs=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
[ "$rc" -ne 0 ] || die "an interrupted make vm-test exited 0"
left=$(pgrep -f -- "$rundir" || true)
[ -z "$left" ] || die "processes of the interrupted run are still there: $left"
verdict=$(jq -r .verdict "$rundir/results.json" 2>/dev/null || echo none)
[ "$verdict" = interrupted ] || die "results.json verdict is '$verdict', expected interrupted"
after=$(leftovers)
stray=$(comm -13 <(printf '%s\n' "$before") <(printf '%s\n' "$after") | tr '\n' ' ')
[ -z "${stray// /}" ] || die "the interrupted run left $stray in $BUILD_DIR"
echo "interrupt: stopped in ${secs}s (exit $rc), no process left, summary says interrupted"
