#!/usr/bin/env bats
# history.sh on recorded histories: runs recorded through the sqlite sink
# from small results.json files, then queried: a diff's regressions, fixes,
# skips and splats; a baseline derived from clean runs (an unstable case
# left out); a run checked against it with known issues; flips.

setup() {
	T="$BATS_TEST_TMPDIR"
	H="$BATS_TEST_DIRNAME/../history.sh"
	S="$BATS_TEST_DIRNAME/../sinks/sqlite.sh"
	export ZCRX_DB="$T/h.sqlite" RESULTS_DIR="$T/results" BUILD_DIR="$T/build"
	n=0
}

# rec NAME VERDICT "binary:case=outcome[:reason] ..." [SPLAT-FINGERPRINT]: record a run
rec() {
	local name=$1 verdict=$2 cases=$3 fp=${4:-} c json='[]'
	n=$((n + 1))
	for c in $cases; do
		json=$(jq -c --arg c "$c" '. + [($c | capture("^(?<b>[^:]+):(?<n>[^=]+)=(?<o>[a-z]+)(:(?<r>.*))?$")) as $m
			| {binary: $m.b, name: $m.n, outcome: $m.o, reason: ($m.r // null),
			   rows: [$m.n | scan("__([A-Z][0-9]{2}(?:_[A-Z][0-9]{2})*)") | .[0] | split("_")[]], seconds: null}]' <<<"$json")
	done
	mkdir -p "$T/$name"
	jq -n --arg n "$name" --arg v "$verdict" --argjson cases "$json" --arg fp "$fp" --arg t "2026-11-30T06:$(printf %02d "$n"):00Z" '
		{schema: 1, verdict: $v, reasons: [],
		 run: {name: $n, runner: "lab1:eth0", suite_version: "x", machine: {host: "lab1", arch: "x86_64", cpus: 2},
		       backend: "hw", accel: null, started: $t, ended: $t},
		 kernel: {release: "7.3.4", source: "k"}, nic: {netif: "eth0", kind: "mlx5_core", driver: "mlx5_core"},
		 counts: {pass: 0, fail: 0, xfail: 0, xpass: 0, skip: 0, error: 0},
		 binaries: [], cases: $cases,
		 splats: (if $fp == "" then [] else [{index: 1, console_line: 1, title: "WARNING: x", binary: "nic_zc", case: "zc.a__T04", fingerprint: ($fp | split(" "))}] end)}' \
		>"$T/$name/results.json"
	ZCRX_RUN_KIND=hw-test "$S" "$T/$name"
}

GOOD="nic_zc:zc.a__T04=pass nic_zc:zc.b__E04=pass nic_pack:pack.c__T05=skip:NIC_profile_has_no_PACK"

@test "diff names regressions, fixes, new skips, flakes, gone cases and new splats, with rows" {
	rec r1 pass "$GOOD nic_zc:zc.d__E01=fail nic_zc:zc.g__A01=pass"
	rec r2 fail "nic_zc:zc.a__T04=fail nic_zc:zc.b__E04=skip:no_ring nic_pack:pack.c__T05=skip:NIC_profile_has_no_PACK nic_zc:zc.d__E01=pass nic_zc:zc.e__E19=flake" "f1 f2"
	run "$H" diff r1 r2
	[ "$status" -eq 1 ]
	[[ $output == *"REGRESSION nic_zc:zc.a__T04 (rows T04): pass -> fail"* ]]
	[[ $output == *"NEW-SKIP nic_zc:zc.b__E04 (rows E04): pass -> skip # no_ring"* ]]
	[[ $output == *"FIX nic_zc:zc.d__E01 (rows E01): fail -> pass"* ]]
	[[ $output == *"FLAKE nic_zc:zc.e__E19 (rows E19): none -> flake"* ]]
	[[ $output == *"GONE nic_zc:zc.g__A01"* ]]
	[[ $output == *"NEW-SPLAT nic_zc:zc.a__T04  WARNING: x # f1 f2"* ]]
	[[ $output == *"== 1 regressions, 1 fixes, 1 new skips, 1 flakes, 1 new splats"* ]]
	! [[ $output == *"pack.c"* ]] || false
	run "$H" diff r1 r1
	[ "$status" -eq 0 ]
}

@test "a baseline comes from the last N clean runs; an unstable case is left out" {
	rec r1 pass "$GOOD nic_zc:zc.u__E05=pass"
	rec r2 pass "$GOOD nic_zc:zc.u__E05=skip:busy"
	rec r3 pass "$GOOD nic_zc:zc.u__E05=pass"
	rec r4 fail "nic_zc:zc.a__T04=fail" # not clean: not used
	run "$H" baseline derive 7.3 mlx5_core -n 3
	[ "$status" -eq 0 ]
	[[ $output == *"3 cases"* ]]
	[[ $output == *"left out, not the same in every run: nic_zc:zc.u__E05"* ]]
	run "$H" baseline derive 7.3 mlx5_core -n 4
	[ "$status" -eq 1 ]
	[[ $output == *"3 clean run(s) of 7.3 x mlx5_core, 4 needed"* ]]
	run "$H" baseline show 7.3 mlx5_core
	[[ $output == *"nic_pack:pack.c__T05  skip     NIC_profile_has_no_PACK"* ]]
}

@test "check: a regression blocks, a known issue is shown but does not, an expired one does" {
	rec r1 pass "$GOOD"
	rec r2 pass "$GOOD"
	"$H" baseline derive 7.3 mlx5_core -n 2
	rec r3 fail "nic_zc:zc.a__T04=fail nic_zc:zc.b__E04=pass nic_pack:pack.c__T05=skip:other_reason"
	run "$H" check r3
	[ "$status" -eq 1 ]
	[[ $output == *"REGRESSION nic_zc:zc.a__T04 (rows T04): expected pass, seen fail"* ]]
	[[ $output == *"SKIP-REASON nic_pack:pack.c__T05 (rows T05): expected skip, seen skip"* ]]
	[[ $output == *"== 2 blocking"* ]]
	"$H" known add runner:lab1:eth0 'nic_zc:zc.a__*' 'firmware 1.2 drops the flow' 2099-01-01
	"$H" known add nic:mlx5_core 'nic_pack:*' 'no packing control'
	run "$H" check r3
	[ "$status" -eq 0 ]
	[[ $output == *"KNOWN REGRESSION nic_zc:zc.a__T04 (rows T04): expected pass, seen fail # firmware 1.2 drops the flow"* ]]
	[[ $output == *"== 0 blocking"* ]]
	"$H" known add all 'nic_zc:zc.b__*' 'old' 2000-01-01
	run "$H" known list
	[[ $output == *"expired"* ]]
	"$H" known rm 1
	run "$H" check r3
	[ "$status" -eq 1 ]
	[[ $output == *"== 1 blocking"* ]]
}

@test "check: a fix and a new case are shown and do not block; a splat and a missing case block" {
	rec r1 pass "$GOOD nic_zc:zc.f__E10=fail"
	"$H" baseline derive 7.3 mlx5_core -n 1
	rec r2 pass "$GOOD nic_zc:zc.f__E10=pass nic_zc:zc.new__E11=pass"
	run "$H" check r2
	[ "$status" -eq 0 ]
	[[ $output == *"FIX nic_zc:zc.f__E10"* ]]
	[[ $output == *"NEW-CASE nic_zc:zc.new__E11"* ]]
	rec r3 pass "nic_zc:zc.a__T04=pass nic_pack:pack.c__T05=skip:NIC_profile_has_no_PACK nic_zc:zc.f__E10=fail" "g1"
	run "$H" check r3
	[ "$status" -eq 1 ]
	[[ $output == *"REGRESSION nic_zc:zc.b__E04 (rows -): expected pass, seen none"* ]]
	[[ $output == *"SPLAT nic_zc:zc.a__T04"* ]]
}

@test "flips, a case over time, the runs" {
	rec r1 pass "$GOOD"
	rec r2 fail "nic_zc:zc.a__T04=fail nic_zc:zc.b__E04=pass"
	rec r3 pass "$GOOD"
	run "$H" flips -n 3
	[ "$output" = "FLIPS lab1:eth0 7.3.4 mlx5_core nic_zc:zc.a__T04 pass>fail>pass" ]
	run "$H" case 'nic_zc:zc.a*'
	[ "${#lines[@]}" -eq 5 ]
	[[ ${lines[2]} == *"r3"*"pass"* ]]
	run "$H" runs -n 2 --runner lab1:eth0
	[ "${#lines[@]}" -eq 4 ]
	[[ ${lines[2]} == *"r3"* ]]
}

@test "bad input is one line and exit 2" {
	run "$H" diff r1 nope
	[ "$status" -eq 2 ]
	[[ $output == *"no run named 'r1'"* ]]
	run "$H" runs -n zero
	[ "$status" -eq 2 ]
	run "$H" known add planet 'x' 'y'
	[ "$status" -eq 2 ]
	[[ $output == *"scope planet: expected all, runner:NAME or nic:DRIVER"* ]]
	run "$H" frobnicate
	[ "$status" -eq 2 ]
	run "$H" check nope
	[ "$status" -eq 2 ]
}

@test "check: a failing case the baseline does not have blocks; a skip pinned without a reason matches any; skip -> pass is a fix" {
	rec r1 pass "$GOOD"
	"$H" baseline derive 7.3 mlx5_core -n 1
	"$H" baseline pin 7.3 mlx5_core nic_zc:zc.p__E02 skip
	rec r2 fail "$GOOD nic_zc:zc.new__E11=fail nic_zc:zc.p__E02=skip:any_reason"
	run "$H" check r2
	[ "$status" -eq 1 ]
	[[ $output == *"REGRESSION nic_zc:zc.new__E11 (rows E11): expected -, seen fail"* ]]
	! [[ $output == *"zc.p__E02"* ]] || false
	[[ $output == *"== 1 blocking"* ]]
	rec r3 pass "nic_zc:zc.a__T04=pass nic_zc:zc.b__E04=pass nic_pack:pack.c__T05=pass nic_zc:zc.p__E02=skip:x"
	run "$H" check r3
	[ "$status" -eq 0 ]
	[[ $output == *"FIX nic_pack:pack.c__T05 (rows T05): expected skip, seen pass"* ]]
}
