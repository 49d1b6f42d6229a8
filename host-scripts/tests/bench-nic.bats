#!/usr/bin/env bats
# bench-nic.sh: argument errors, medians and ratio from the runs' KTAP, and
# a run that printed no bench lines, with a stub vm-test.sh.

setup() {
	T="$BATS_TEST_TMPDIR"
	mkdir -p "$T/top/host-scripts/dev"
	cp "$BATS_TEST_DIRNAME/../lib.sh" "$BATS_TEST_DIRNAME/../host-pkg.sh" "$T/top/host-scripts/"
	cp "$BATS_TEST_DIRNAME/../dev/bench-nic.sh" "$T/top/host-scripts/dev/"
	S="$T/top/host-scripts/dev/bench-nic.sh"
	export ZCRX_TOP="$T/top" RESULTS_DIR="$T/results"
	# the stub writes run N's MB/s from $T/rates (one "zc copy" line per run)
	cat >"$T/top/host-scripts/vm-test.sh" <<'STUB'
#!/bin/bash
n=$(( $(cat "$RESULTS_DIR/.n" 2>/dev/null || echo 0) + 1 ))
echo "$n" >"$RESULTS_DIR/.n"
read -r zc cp < <(sed -n "${n}p" "$RESULTS_DIR/../rates")
mkdir -p "$RESULTS_DIR/$RUN_NAME"
if [ "$zc" = none ]; then echo "ok 1 x # SKIP NETIF" >"$RESULTS_DIR/$RUN_NAME/ktap.txt"; exit 0; fi
printf '  # bench: mode=zero-copy bytes=1 ms=1 MBps=%s cqes=1\n  # bench: mode=copy bytes=1 ms=1 MBps=%s cqes=1\n' \
	"$zc" "$cp" >"$RESULTS_DIR/$RUN_NAME/ktap.txt"
[ "$KSRC" = debian ] && [ "$ZCRX_TESTS" = nic_bench ]
STUB
	chmod +x "$T/top/host-scripts/vm-test.sh"
	mkdir -p "$RESULTS_DIR"
}

@test "RUNS that is not a number is a one-line error" {
	run "$S" abc
	[ "$status" -ne 0 ]
	[ "$output" = "zcrx-vmtest: error: RUNS=abc: expected a positive number" ]
}

@test "medians of three runs and their ratio" {
	printf '20.0 10.0\n30.0 12.0\n25.0 8.0\n' >"$T/rates"
	run "$S" 3
	[ "$status" -eq 0 ]
	[[ "$output" == *"median of 3: zero-copy 25.0 MB/s, copy fallback 10.0 MB/s, ratio 2.50"* ]]
}

@test "a run without bench lines (no NIC) stops with the reason" {
	printf 'none none\n' >"$T/rates"
	run "$S" 1
	[ "$status" -ne 0 ]
	[[ "$output" == *"run 1 printed no bench lines"* ]]
}
