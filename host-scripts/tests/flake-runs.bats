#!/usr/bin/env bats
# dev/flake-runs.sh: counts the runs that did not pass and names their
# failed cases; with LOAD=1 its load runs in its own process group, and
# stopping the script (or its end) stops every process of the load.

setup() {
	T="$BATS_TEST_TMPDIR"
	top="$T/top"
	mkdir -p "$top/host-scripts/dev" "$T/build/src/linux-source-7.3"
	cp "$BATS_TEST_DIRNAME/../lib.sh" "$BATS_TEST_DIRNAME/../host-pkg.sh" "$top/host-scripts/"
	cp "$BATS_TEST_DIRNAME/../dev/flake-runs.sh" "$top/host-scripts/dev/"
	touch "$T/build/src/linux-source-7.3/Makefile"
	# a load that keeps a tree of children busy, like make and its compilers
	cat >"$top/host-scripts/dev/kbuild-load.sh" <<'E'
#!/bin/bash
while :; do bash -c 'sleep 301 & sleep 301 & wait'; done
E
	# a run passes unless its number is in FAIL_RUNS; SLOW_RUN=1 sleeps
	cat >"$top/host-scripts/vm-test.sh" <<'E'
#!/bin/bash
d="$RESULTS_DIR/$RUN_NAME"; mkdir -p "$d"
n=${RUN_NAME##*-}
[ "${SLOW_RUN:-0}" = 0 ] || sleep 300
v=pass; o=pass
case " ${FAIL_RUNS:-} " in *" $n "*) v=fail; o=fail ;; esac
printf '{"verdict":"%s","seconds":{"suite":1,"wall":2},"cases":[{"binary":"b","name":"c__E01","outcome":"%s"}]}\n' "$v" "$o" >"$d/results.json"
E
	chmod +x "$top/host-scripts/"*.sh "$top/host-scripts/dev/"*.sh
	export ZCRX_TOP="$top" BUILD_DIR="$T/build" RESULTS_DIR="$T/results" TMPDIR="$T"
	S="$top/host-scripts/dev/flake-runs.sh"
}

@test "runs are counted; a failed run names its failed cases and fails the script" {
	FAIL_RUNS=2 run "$S" 3
	[ "$status" -eq 1 ]
	[[ $output == *"3 runs (LOAD=0): 1 not passing"* ]]
	[[ $output == *$'2\tfail\t1\t2\tb:c__E01'* ]]
	run "$S" 2
	[ "$status" -eq 0 ]
}

@test "bad RUNS or LOAD: one line" {
	run "$S" x
	[ "$status" -ne 0 ] && [[ $output == *"RUNS=x: expected a positive number"* ]] || false
	LOAD=2 run "$S" 1
	[ "$status" -ne 0 ] && [[ $output == *"LOAD=2: expected 0 or 1"* ]] || false
}

@test "LOAD=1: SIGTERM stops every process of the load and removes its directory" {
	SLOW_RUN=1 LOAD=1 "$S" 1 >"$T/out" 2>&1 &
	pid=$!
	for _ in $(seq 100); do pgrep -f 'sleep 301' >/dev/null && break; sleep 0.1; done
	pgrep -f 'sleep 301' >/dev/null
	t0=$(date +%s)
	kill -TERM "$pid"
	wait "$pid" || true
	# at once, not when the run in progress ends
	[ $(($(date +%s) - t0)) -lt 10 ]
	for _ in $(seq 60); do pgrep -f 'sleep 300' >/dev/null || break; sleep 0.1; done
	! pgrep -f 'sleep 300' || false
	for _ in $(seq 60); do pgrep -f "$top/host-scripts/dev/kbuild-load.sh" >/dev/null || break; sleep 0.1; done
	! pgrep -f "$top/host-scripts/dev/kbuild-load.sh" || false
	! pgrep -f 'sleep 301' || false
	[ -z "$(find "$T" -maxdepth 1 -name 'zcrx-load.*')" ]
}

@test "LOAD=1: the load stops when the runs end" {
	LOAD=1 run "$S" 1
	[ "$status" -eq 0 ]
	for _ in $(seq 60); do pgrep -f "$top/host-scripts/dev/kbuild-load.sh" >/dev/null || break; sleep 0.1; done
	! pgrep -f "$top/host-scripts/dev/kbuild-load.sh" || false
}
