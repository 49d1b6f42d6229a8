#!/usr/bin/env bats
# lava/health.sh and lava/health-run.sh with a stub lavacli: promotion
# states become LAVA device health (trusted GOOD, candidate LOOPING, new
# MAINTENANCE, quarantined BAD, retired RETIRED); a health check that is
# not clean quarantines a trusted runner; a quarantined runner re-qualifies
# only through PROMOTE_N passing health checks in a row (make promote with
# LAVA's health checks as its runs), then it is GOOD again.

setup() {
	T="$BATS_TEST_TMPDIR"
	HL="$BATS_TEST_DIRNAME/../lava/health.sh"
	mkdir -p "$T/bin" "$T/stub"
	ln -s "$BATS_TEST_DIRNAME/fixtures/lavacli-stub" "$T/bin/lavacli"
	export PATH="$T/bin:$PATH" LAVACLI_STUB_DIR="$T/stub" LAVA_IDENTITY=lab LAVA_POLL=1 LAVA_WAIT_TIMEOUT=20
	export RESULTS_DIR="$T/results" BUILD_DIR="$T/build" ZCRX_DB="$T/h.sqlite"
	unset RUN_NAME ZCRX_RUNNER ZCRX_SINKS ZCRX_RUN_KIND LAVA_DEVICE_MAP PROMOTE_N PROMOTE_MAX_RUNS PROMOTE_RUN
	"$BATS_TEST_DIRNAME/../history.sh" runs >/dev/null
	state lab3 trusted
	state lab4 candidate
	state lab5 new
	state lab6 quarantined
	state lab7 retired
}

state() { # state RUNNER STATE: as promotion leaves it
	sqlite3 "$ZCRX_DB" "INSERT INTO runners (name, state, since) VALUES ('$1', '$2', '2026-11-30T06:00:00Z')
		ON CONFLICT (name) DO UPDATE SET state = excluded.state;"
}

# hc ID DEVICE RESULT [RESTORE]: a finished bare-metal health-check job
hc() {
	jq -n --arg id "$1" --arg d "$2" '{id: $id, description: "zcrx-vmtest health-check zcrx-hw", device: $d,
		device_type: "zcrx-hw", health_check: true, health: "Complete", state: "Finished",
		start_time: "20261130T07:00:00", end_time: "20261130T07:20:00", failure_comment: null}' >"$T/stub/job-$1.json"
	jq -n --arg r "$3" --arg rs "${4:-pass}" '[
		{name: "nic_zc.zc.a__T04", suite: "0_zcrx-hw", result: "pass", metadata: {}},
		{name: "nic_zc.zc.b__E04", suite: "0_zcrx-hw", result: $r, metadata: {}},
		{name: "nic-restore", suite: "0_zcrx-hw", result: $rs, metadata: {}},
		{name: "end", suite: "0_zcrx-hw", result: (if $r == "pass" and $rs == "pass" then "pass" else "fail" end), metadata: {}}]' \
		>"$T/stub/results-$1.json"
	printf 'device_type: zcrx-hw\njob_name: hc\nmetadata:\n  zcrx.kernel.release: 7.3.4\nactions: []\n' >"$T/stub/definition-$1.yaml"
}

@test "map: each promotion state's LAVA health; an unknown state: one line, exit 2" {
	for s in trusted:GOOD candidate:LOOPING new:MAINTENANCE quarantined:BAD retired:RETIRED; do
		[ "$("$HL" map "${s%%:*}")" = "${s#*:}" ]
	done
	run "$HL" map suspect
	[ "$status" -eq 2 ]
	[ "$output" = "zcrx-vmtest: error: runner state 'suspect': expected new, candidate, trusted, quarantined or retired" ]
}

@test "sync: every runner of the history to its device, through LAVA_DEVICE_MAP" {
	printf 'lab3 lab3-mlx5\n' >"$T/map"
	LAVA_DEVICE_MAP="$T/map" run "$HL" sync
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(cat "$T/stub/calls")" = "-i lab devices update --health GOOD lab3-mlx5
-i lab devices update --health LOOPING lab4
-i lab devices update --health MAINTENANCE lab5
-i lab devices update --health BAD lab6
-i lab devices update --health RETIRED lab7" ]
	run "$HL" sync lab9
	[ "$status" -eq 2 ]
	[[ $output == "zcrx-vmtest: error: runner lab9 is not in the history"* ]]
	touch "$T/stub/unreachable"
	run "$HL" sync lab3
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ ${lines[0]} == "zcrx-vmtest: error: lavacli -i lab devices update --health GOOD lab3: Unable to connect"* ]]
}

@test "import: a trusted runner's passing health check keeps it GOOD; a flaky or failed one quarantines it (BAD)" {
	hc 70 lab3 pass
	run "$HL" import 70
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(sqlite3 "$ZCRX_DB" "SELECT kind, runner, verdict, nic_restore FROM runs WHERE name = 'lava-health-70';")" = "health-check|lab3|pass|verified" ]
	[ "$(sqlite3 "$ZCRX_DB" "SELECT state FROM runners WHERE name = 'lab3';")" = trusted ]
	[ "$(tail -n 1 "$T/stub/calls")" = "-i lab devices update --health GOOD lab3" ]
	hc 71 lab3 fail
	run "$HL" import 71
	[ "$status" -eq 0 ]
	[ "$(sqlite3 "$ZCRX_DB" "SELECT state FROM runners WHERE name = 'lab3';")" = quarantined ]
	sqlite3 "$ZCRX_DB" "SELECT reason, run_name FROM runner_transitions WHERE runner = 'lab3';" | grep -q '^health-check job 71: .*|lava-health-71$'
	[ "$(tail -n 1 "$T/stub/calls")" = "-i lab devices update --health BAD lab3" ]
}

@test "import: a VM's passing health check has no NIC to restore and does not quarantine" {
	state qemu-01 trusted
	hc 72 qemu-01 pass
	jq 'map(select(.name != "nic-restore")) | map(.suite = "zcrx")' "$T/stub/results-72.json" >"$T/r" && mv "$T/r" "$T/stub/results-72.json"
	run "$HL" import 72
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(sqlite3 "$ZCRX_DB" "SELECT state FROM runners WHERE name = 'qemu-01';")" = trusted ]
}

@test "requalify: a quarantined runner is LOOPING while LAVA's health checks count, GOOD after PROMOTE_N clean in a row" {
	state lab3 quarantined
	echo '[{"id": "60", "actual_device": "lab3"}]' >"$T/stub/list-1.json"
	echo '[{"id": "61", "actual_device": "lab3"}, {"id": "60", "actual_device": "lab3"}]' >"$T/stub/list-2.json"
	echo '[{"id": "62", "actual_device": "lab3"}, {"id": "61", "actual_device": "lab3"}]' >"$T/stub/list-3.json"
	echo '[{"id": "64", "actual_device": "lab4"}, {"id": "63", "actual_device": "lab3"}, {"id": "62", "actual_device": "lab3"}]' >"$T/stub/list-4.json"
	echo '[{"id": "65", "actual_device": "lab3"}, {"id": "63", "actual_device": "lab3"}]' >"$T/stub/list-5.json"
	hc 60 lab3 fail      # finished before the promotion: does not count
	hc 61 lab3 pass
	hc 62 lab3 pass
	jq '.health_check = false' "$T/stub/job-62.json" >"$T/j" && mv "$T/j" "$T/stub/job-62.json"  # a user's job
	hc 63 lab3 pass
	hc 65 lab3 pass
	PROMOTE_N=2 PROMOTE_MAX_RUNS=3 run "$HL" requalify lab3
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(sqlite3 "$ZCRX_DB" "SELECT state FROM runners WHERE name = 'lab3';")" = trusted ]
	[ "$(sqlite3 "$ZCRX_DB" "SELECT group_concat(to_state, ' ') FROM runner_transitions WHERE runner = 'lab3';")" = "candidate trusted" ]
	[ "$(sqlite3 "$ZCRX_DB" "SELECT count(*) FROM runs WHERE runner = 'lab3' AND verdict = 'pass';")" = 2 ]
	grep -qx -- '-i lab devices update --health LOOPING lab3' "$T/stub/calls"
	[ "$(grep -c 'jobs show 60' "$T/stub/calls")" = 0 ]
	[ "$(tail -n 1 "$T/stub/calls")" = "-i lab devices update --health GOOD lab3" ]
}

@test "requalify: a failed health check resets the count; out of tries the runner stays a candidate (LOOPING), exit 1" {
	state lab3 quarantined
	echo '[]' >"$T/stub/list-1.json"
	echo '[{"id": "81", "actual_device": "lab3"}]' >"$T/stub/list-2.json"
	echo '[{"id": "82", "actual_device": "lab3"}, {"id": "81", "actual_device": "lab3"}]' >"$T/stub/list-3.json"
	hc 81 lab3 pass
	hc 82 lab3 pass fail    # the NIC was not restored
	PROMOTE_N=2 PROMOTE_MAX_RUNS=2 run "$HL" requalify lab3
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *"does not count, the count resets: NIC restore failed"* ]]
	[ "$(sqlite3 "$ZCRX_DB" "SELECT state FROM runners WHERE name = 'lab3';")" = candidate ]
	[ "$(tail -n 1 "$T/stub/calls")" = "-i lab devices update --health LOOPING lab3" ]
}

@test "health-run: no health check in LAVA_WAIT_TIMEOUT: one line, exit 1" {
	state lab4 candidate
	echo '[]' >"$T/stub/list-1.json"
	RUN_NAME=r1 ZCRX_RUNNER=lab4 LAVA_WAIT_TIMEOUT=2 run "$BATS_TEST_DIRNAME/../lava/health-run.sh"
	echo "$output"
	[ "$status" -eq 1 ]
	[ "${lines[-1]}" = "zcrx-vmtest: error: no health-check job finished on LAVA device lab4 within 2s (LAVA_WAIT_TIMEOUT); is it LOOPING?" ]
}
