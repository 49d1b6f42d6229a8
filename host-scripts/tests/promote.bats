#!/usr/bin/env bats
# promote.sh on recorded histories: a stub run command (PROMOTE_RUN)
# records the next run of a plan through the sqlite sink, as make hw-test
# would: N clean runs make a runner trusted; a flake, a regression, a splat
# or a NIC restore that did not verify resets the count and names the
# case; a known issue does not; a trusted runner that flakes is
# quarantined, and re-qualifies only by promotion.

setup() {
	T="$BATS_TEST_TMPDIR"
	P="$BATS_TEST_DIRNAME/../promote.sh"
	H="$BATS_TEST_DIRNAME/../history.sh"
	export ZCRX_DB="$T/h.sqlite" RESULTS_DIR="$T/results" BUILD_DIR="$T/build" PLAN="$T/plan"
	mkdir -p "$RESULTS_DIR"
	echo 1 >"$T/next"
	cat >"$T/run" <<'S'
#!/bin/bash
# one run of the plan: each plan line is pass, flake, fail, splat or norestore
set -e
T=$(dirname "$0")
k=$(cat "$T/next"); echo $((k + 1)) >"$T/next"
what=$(sed -n "${k}p" "$PLAN")
b=pass; c=pass; v=pass; r=verified; sp='[]'
case $what in
flake) b=flake ;;
fail) b=fail v=fail ;;
splat) sp='[{"index":1,"console_line":1,"title":"WARNING: y","binary":"nic_zc","case":"zc.b__E04","fingerprint":["f9"]}]' v=fail ;;
norestore) r=failed v=fail ;;
'') exit 9 ;;
esac
d="$RESULTS_DIR/$RUN_NAME"; mkdir -p "$d"
jq -n --arg n "$RUN_NAME" --arg v "$v" --arg b "$b" --arg c "$c" --arg r "$r" --arg runner "$ZCRX_RUNNER" --argjson sp "$sp" \
	--arg t "2026-11-30T07:$(printf %02d "$k"):00Z" '
	{schema: 1, verdict: $v, reasons: [], run: {name: $n, runner: $runner, suite_version: "x",
	 machine: {host: "lab1", arch: "x86_64", cpus: 2}, backend: "hw", accel: null, started: $t, ended: $t},
	 kernel: {release: "7.3.4", source: "k"}, nic: {netif: "eth0", kind: "bnxt_en", driver: "bnxt_en", restore: $r},
	 counts: {pass: 0, fail: 0, xfail: 0, xpass: 0, skip: 0, error: 0}, binaries: [],
	 cases: [{binary: "nic_zc", name: "zc.a__T04", outcome: "pass", reason: null, rows: ["T04"], seconds: null},
		 {binary: "nic_zc", name: "zc.b__E04", outcome: $b, reason: null, rows: ["E04"], seconds: null},
		 {binary: "nic_pack", name: "pack.c__T05", outcome: "skip", reason: "no PACK", rows: ["T05"], seconds: null}],
	 splats: $sp}' >"$d/results.json"
"$ZCRX_TOP_SINK" "$d" >/dev/null
[ "$v" = pass ]
S
	chmod +x "$T/run"
	export PROMOTE_RUN="$T/run" ZCRX_TOP_SINK="$BATS_TEST_DIRNAME/../sinks/sqlite.sh"
}

plan() { printf '%s\n' "$@" >"$PLAN"; }

@test "N clean runs in a row make a candidate trusted" {
	plan pass pass pass
	PROMOTE_N=3 run "$P" run lab1:eth0
	[ "$status" -eq 0 ]
	[[ $output == *"runner lab1:eth0: none -> candidate"* ]]
	[[ $output == *"clean (3/3)"* ]]
	[[ $output == *"runner lab1:eth0: candidate -> trusted (3 consecutive clean runs"* ]]
	run "$P" show lab1:eth0
	[[ $output == *"lab1:eth0  trusted"* ]]
	[ "$(sqlite3 "$ZCRX_DB" 'SELECT count(*) FROM runner_transitions')" = 2 ]
}

@test "a flake, a regression, a splat and an unverified restore each reset the count, named" {
	plan pass flake pass fail pass splat pass norestore pass pass
	PROMOTE_N=2 PROMOTE_MAX_RUNS=10 run "$P" run lab1:eth0
	[ "$status" -eq 0 ]
	[[ $output == *"does not count, the count resets: 1 flaky case(s): nic_zc:zc.b__E04"* ]]
	[[ $output == *"history of nic_zc:zc.b__E04 on lab1:eth0:"* ]]
	[[ $output == *"not as in"*"nic_zc:zc.b__E04 pass->fail"* ]]
	[[ $output == *"1 splat(s)"* ]]
	[[ $output == *"NIC restore failed"* ]]
	[[ $output == *"-> trusted"* ]]
	[ "$(grep -c 'does not count' <<<"$output")" -eq 4 ]
}

@test "against a baseline: a known issue does not reset the count; PROMOTE_MAX_RUNS bounds it" {
	plan pass pass
	PROMOTE_N=2 "$P" run lab2:eth0 >/dev/null
	"$H" baseline derive 7.3 bnxt_en -n 2 >/dev/null
	plan pass pass fail fail fail
	echo 1 >"$T/next"
	"$P" set lab3:eth0 candidate "a new NIC" >/dev/null
	PROMOTE_N=2 PROMOTE_MAX_RUNS=3 run "$P" run lab3:eth0
	[[ $output == *"-> trusted"* ]]
	echo 1 >"$T/next"
	plan fail fail fail
	"$H" known add nic:bnxt_en 'nic_zc:zc.b__*' 'firmware drops it' >/dev/null
	PROMOTE_N=2 PROMOTE_MAX_RUNS=2 run "$P" run lab4:eth0
	[ "$status" -eq 0 ]
	[[ $output == *"-> trusted"* ]]
	"$H" known rm 1 >/dev/null
	echo 1 >"$T/next"
	PROMOTE_N=2 PROMOTE_MAX_RUNS=2 run "$P" run lab5:eth0
	[ "$status" -eq 1 ]
	[[ $output == *"stays a candidate: 0 consecutive clean runs after 2"* ]]
	[[ $output == *"REGRESSION nic_zc:zc.b__E04"* ]]
}

@test "a trusted runner that flakes is quarantined; it re-qualifies only through promotion" {
	plan pass pass flake pass pass
	PROMOTE_N=2 "$P" run lab1:eth0 >/dev/null
	RUN_NAME=after ZCRX_RUNNER=lab1:eth0 "$T/run" || true
	run "$P" judge after
	[ "$status" -eq 1 ]
	[[ $output == *"lab1:eth0: trusted -> quarantined (1 flaky case(s))"* ]]
	PROMOTE_N=2 run "$P" run lab1:eth0
	[[ $output == *"quarantined -> candidate"* ]]
	[[ $output == *"candidate -> trusted"* ]]
	run "$P" set lab1:eth0 trusted "by hand"
	[ "$status" -eq 2 ]
	"$P" set lab1:eth0 retired "machine gone" >/dev/null
	run "$P" run lab1:eth0
	[ "$status" -eq 2 ]
	[[ $output == *"is retired"* ]]
}

@test "a run that was never recorded (a killed run) resets the count" {
	plan pass '' pass pass
	PROMOTE_N=2 PROMOTE_MAX_RUNS=4 run "$P" run lab1:eth0
	[ "$status" -eq 0 ]
	[[ $output == *"was not recorded"* ]]
	[[ $output == *"-> trusted"* ]]
}
