#!/usr/bin/env bats
# images/suite-runner.c through zcrx-suite (its program of its own, as make
# hw-test runs it), built here and run on stub test binaries: the nested
# KTAP, and the retry of a failed case alone (the harness's -r): a pass
# then is a flake, a second failure stays a failure.

setup_file() {
	export B="$BATS_FILE_TMPDIR/bin"
	make -s -C "$BATS_TEST_DIRNAME/../../images" OUT="$B" "$B/zcrx-suite" >&2
}

setup() {
	T="$BATS_TEST_TMPDIR"
	export ZCRX_KMSG=0
	# stub binary: case b fails unless run alone (-r global.b): a flake;
	# case c fails always
	cat >"$T/flaky" <<'S'
#!/bin/sh
if [ "$1" = -r ]; then
	echo "TAP version 13"; echo "1..1"
	if [ "$2" = global.b ]; then echo "ok 1 global.b"; echo "# Totals: pass:1 fail:0 xfail:0 xpass:0 skip:0 error:0"; exit 0; fi
	echo "not ok 1 $2"; echo "# Totals: pass:0 fail:1 xfail:0 xpass:0 skip:0 error:0"; exit 1
fi
echo "TAP version 13"; echo "1..3"
echo "ok 1 global.a"; echo "not ok 2 global.b"; echo "${CASE_C:-not ok} 3 global.c"
echo "# Totals: pass:${PASS:-1} fail:${FAIL:-2} xfail:0 xpass:0 skip:0 error:0"
exit 1
S
	chmod +x "$T/flaky"
	echo flaky >"$T/order"
}

@test "a case that passes alone is a flake; one that fails again is a failure" {
	run "$B/zcrx-suite" "$T" - 30
	[ "$status" -eq 1 ]
	[[ $output == *"# zcrx-vmtest: retry flaky:global.b ok"* ]]
	[[ $output == *"# zcrx-vmtest: retry flaky:global.c not ok"* ]]
	[[ $output == *"  # retry| ok 1 global.b"* ]]
	[[ $output == *$'\nnot ok 1 flaky\n'* ]]
	printf '%s\n' "$output" >"$T/ktap"
	run "$BATS_TEST_DIRNAME/../report/ktap-records.sh" "$T/ktap"
	[[ $output == *$'case\tflaky\tglobal.b\tflake'* ]]
	[[ $output == *$'case\tflaky\tglobal.c\tfail'* ]]
	[[ $output == *$'doc\t1\t'* ]]
}

@test "a binary whose only failures were flakes passes, the flakes named" {
	CASE_C=ok PASS=2 FAIL=1 run "$B/zcrx-suite" "$T" - 30
	[ "$status" -eq 0 ]
	[[ $output == *$'\nok 1 flaky\n'* ]]
	[[ $output == *"# Totals: pass:3 fail:0"* ]]
	[[ $output == *"# zcrx-vmtest: exit=0"* ]]
	printf '%s\n' "$output" >"$T/ktap"
	run "$BATS_TEST_DIRNAME/../report/ktap-records.sh" "$T/ktap"
	[[ $output == *$'case\tflaky\tglobal.b\tflake'* ]]
	[[ $output == *$'totals\t3\t0\t0\t0\t0\t0'* ]]
}

@test "a binary that crashes is not retried" {
	printf '#!/bin/sh\necho "TAP version 13"; echo "1..1"; echo "not ok 1 global.x"; kill -SEGV $$\n' >"$T/flaky"
	run "$B/zcrx-suite" "$T" - 30
	[ "$status" -eq 1 ]
	! [[ $output == *"retry"* ]]
	[[ $output == *"not ok 1 flaky # ERROR killed by signal 11"* ]]
}

@test "ZCRX_RETRY=0: no retry, the failures stand" {
	ZCRX_RETRY=0 run "$B/zcrx-suite" "$T" - 30
	[ "$status" -eq 1 ]
	! [[ $output == *"retry"* ]]
	[[ $output == *$'\nnot ok 1 flaky\n'* ]]
}

@test "SIGTERM to zcrx-suite kills the binary that is running (its own process group)" {
	printf '#!/bin/sh\necho $$ >"%s/pid"\necho "TAP version 13"; echo "1..1"\nsleep 60\n' "$T" >"$T/flaky"
	"$B/zcrx-suite" "$T" - 120 >/dev/null 2>&1 &
	s=$!
	for _ in $(seq 50); do [ -s "$T/pid" ] && break; sleep 0.1; done
	p=$(cat "$T/pid")
	kill -0 "$p"
	kill -TERM "$s"
	wait "$s" || true
	sleep 0.2
	# gone, or a zombie nobody has reaped yet: not running
	st=$(ps -o stat= -p "$p" || true)
	[ -z "$st" ] || [[ $st == Z* ]]
}
