#!/usr/bin/env bats
# sinks/lava.sh: a finished LAVA job, read with a stub lavacli (or from
# saved files), becomes a run directory whose results.json matches
# docs/results.md (run.backend "lava") and is recorded by the sqlite sink.
# A timed-out, incomplete or canceled job is never a pass; a job that is
# not finished, an unknown job and an unreachable lab are refused in one
# line and record nothing.

setup() {
	T="$BATS_TEST_TMPDIR"
	S="$BATS_TEST_DIRNAME/../sinks/lava.sh"
	V="$BATS_TEST_DIRNAME/../report/results-valid.jq"
	mkdir -p "$T/bin" "$T/stub"
	ln -s "$BATS_TEST_DIRNAME/fixtures/lavacli-stub" "$T/bin/lavacli"
	export PATH="$T/bin:$PATH" LAVACLI_STUB_DIR="$T/stub" LAVA_IDENTITY=lab
	export RESULTS_DIR="$T/results" BUILD_DIR="$T/build" ZCRX_DB="$T/h.sqlite"
	unset RUN_NAME ZCRX_RUNNER ZCRX_SINKS ZCRX_RUN_KIND LAVA_DEVICE_MAP
	# job 42: the suite on a qemu device, complete, one failed case
	job 42 Complete ""
	cat >"$T/stub/results-42.json" <<'J'
[{"name": "validate", "suite": "lava", "result": "pass", "metadata": {}},
 {"name": "register_global_no_net_admin_eperm_first__r01", "suite": "zcrx", "result": "pass",
  "metadata": {"extra": [{"test_case_id": "register.global.no_net_admin_eperm_first__R01"}]}},
 {"name": "register_bad_no_defer_taskrun__r02_rejected", "suite": "zcrx", "result": "fail",
  "metadata": {"extra": [{"test_case_id": "register.bad.no_defer_taskrun__R02.rejected"}]}},
 {"name": "nic_zc_zc_payload__t04_e01", "suite": "zcrx", "result": "skip",
  "metadata": {"extra": "/var/lib/lava-server/default/media/job-output/metadata/zcrx-x-3.1.yaml"}},
 {"name": "end", "suite": "zcrx", "result": "fail", "metadata": {"extra": [{"test_case_id": "end"}]}},
 {"name": "job", "suite": "lava", "result": "pass", "metadata": {}}]
J
	defn 42
	cat >"$T/stub/log-42.yaml" <<'Y'
- {"dt": "2026-11-30T07:00:01", "lvl": "info", "msg": "start"}
- {"dt": "2026-11-30T07:00:02", "lvl": "target", "msg": "zcrx-lava: start"}
- {"dt": "2026-11-30T07:00:03", "lvl": "target", "msg": "[    8.1] zcrx-lava: case=nic_zc.zc.payload__T04_E01 result=skip"}
- {"dt": "2026-11-30T07:00:04", "lvl": "target", "msg": "zcrx-lava: end exit=1"}
Y
}

# job ID HEALTH FAILURE-COMMENT [HEALTH-CHECK] [STATE]: the stub's jobs show
job() {
	jq -n --arg id "$1" --arg h "$2" --arg fc "$3" --argjson hc "${4:-false}" --arg st "${5:-Finished}" \
		'{id: $id, description: "zcrx-vmtest 7.3.4", device: "qemu-01", device_type: "qemu",
		  health_check: $hc, health: $h, state: $st, submit_time: "20261130T07:00:00",
		  start_time: "20261130T07:00:00", end_time: "20261130T07:01:40",
		  failure_comment: (if $fc == "" then null else $fc end), tags: []}' >"$T/stub/job-$1.json"
}
defn() {
	cat >"$T/stub/definition-$1.yaml" <<'Y'
device_type: qemu
job_name: zcrx-vmtest 7.3.4
metadata:
  zcrx.suite_version: 'abc1234'
  zcrx.kernel.release: '7.3.4+deb13-cloud-amd64'
  zcrx.kernel.source: 'Debian linux-binary-7.3.4+deb13-cloud-amd64'
  zcrx.kernel.package: ''
  zcrx.accel: 'tcg'
  zcrx.cpus: '2'
actions: []
Y
}

@test "a complete job: results.json valid, backend lava, names and rows as the suite's, recorded" {
	run "$S" --job 42
	echo "$output"
	[ "$status" -eq 0 ]
	r="$RESULTS_DIR/lava-42/results.json"
	[ -z "$(jq -r -f "$V" "$r")" ]
	[ "$(jq -r .run.backend "$r")" = lava ]
	[ "$(jq -r .run.runner "$r")" = qemu-01 ]
	[ "$(jq -r .run.started "$r")" = 2026-11-30T07:00:00Z ]
	[ "$(jq -r .vm.seconds "$r")" = 100 ]
	[ "$(jq -r .kernel.release "$r")" = 7.3.4+deb13-cloud-amd64 ]
	[ "$(jq -r .kernel.package "$r")" = null ]
	[ "$(jq -r .run.machine.cpus "$r")" = 2 ]
	[ "$(jq -r '[.cases[] | "\(.binary):\(.name)=\(.outcome):\(.rows | join(","))"] | join(" ")' "$r")" = \
		"register:global.no_net_admin_eperm_first__R01=pass:R01 register:bad.no_defer_taskrun__R02.rejected=fail:R02 nic_zc:zc.payload__T04_E01=skip:T04,E01" ]
	[ "$(jq -r .verdict "$r")" = fail ]
	[ "$(jq -r '.reasons | join("|")' "$r")" = "suite: exit 1 (a failed case, a crashed or timed-out binary, a kernel taint change or kmemleak)|tests: 1 failed, 0 errors, 0 xpass" ]
	[ "$(jq -c .ktap "$r")" = '{"ok":true,"error":null,"guest_exit":1}' ]
	[ "$(sqlite3 "$ZCRX_DB" "SELECT kind, verdict, backend, fail, skip FROM runs WHERE name = 'lava-42';")" = "lava|fail|lava|1|1" ]
	[ "$(sqlite3 "$ZCRX_DB" "SELECT row FROM case_rows WHERE name = 'zc.payload__T04_E01' ORDER BY row;" | tr '\n' ' ')" = "E01 T04 " ]
	grep -q 'zcrx-lava: end exit=1' "$RESULTS_DIR/lava-42/console.log"
	[[ ${lines[-1]} == "lava: job 42 on qemu-01: fail (1 passed, 1 failed, 1 skipped, 0 errors): "* ]]
}

@test "every case passed and the suite ended with exit 0: a pass; the same job again replaces the run" {
	jq 'map(if .suite == "zcrx" then .result = (if .name == "nic_zc_zc_payload__t04_e01" then "skip" else "pass" end) else . end)' \
		"$T/stub/results-42.json" >"$T/r" && mv "$T/r" "$T/stub/results-42.json"
	run "$S" --job 42
	[ "$status" -eq 0 ]
	[ "$(jq -r .verdict "$RESULTS_DIR/lava-42/results.json")" = pass ]
	[ "$(jq -r .vm.status "$RESULTS_DIR/lava-42/results.json")" = pass ]
	run "$S" --job 42
	[ "$status" -eq 0 ]
	[ "$(sqlite3 "$ZCRX_DB" "SELECT count(*), verdict FROM runs WHERE name = 'lava-42';")" = "1|pass" ]
}

@test "a job that timed out is a fail (vm timeout), recorded as such, never a pass" {
	job 43 Incomplete "lava-test-monitor timed out after 600 seconds"
	jq '[.[] | select(.name != "end" and .name != "register_bad_no_defer_taskrun__r02_rejected")]
		| map(if .suite == "zcrx" then .result = "pass" else . end)' "$T/stub/results-42.json" >"$T/stub/results-43.json"
	defn 43
	run "$S" --job 43
	[ "$status" -eq 0 ]
	r="$RESULTS_DIR/lava-43/results.json"
	[ -z "$(jq -r -f "$V" "$r")" ]
	[ "$(jq -r .verdict "$r")" = fail ]
	[ "$(jq -r .vm.status "$r")" = timeout ]
	[ "$(jq -r '.reasons[0]' "$r")" = "lava: job 43 incomplete: lava-test-monitor timed out after 600 seconds" ]
	[ "$(jq -r .ktap.ok "$r")" = false ]
	[ "$(sqlite3 "$ZCRX_DB" "SELECT verdict FROM runs WHERE name = 'lava-43';")" = fail ]
}

@test "incomplete without a report, canceled: fails; no case at all is a fail" {
	job 44 Incomplete "Connection closed"
	echo '[{"name": "job", "suite": "lava", "result": "fail", "metadata": {}}]' >"$T/stub/results-44.json"
	defn 44
	run "$S" --job 44
	[ "$status" -eq 0 ]
	r="$RESULTS_DIR/lava-44/results.json"
	[ -z "$(jq -r -f "$V" "$r")" ]
	[ "$(jq -r '[.verdict, .vm.status] | join(" ")' "$r")" = "fail no-report" ]
	jq -e '.reasons | index("lava: no test case was reported")' "$r"
	job 45 Canceled ""
	cp "$T/stub/results-42.json" "$T/stub/results-45.json"
	defn 45
	run "$S" --job 45
	[ "$(jq -r '[.verdict, .vm.status] | join(" ")' "$RESULTS_DIR/lava-45/results.json")" = "fail interrupted" ]
}

@test "a case LAVA saw twice (failed, then passed when run alone) is a fail" {
	jq '. + [{"name": "register_bad_no_defer_taskrun__r02_rejected", "suite": "zcrx", "result": "pass",
		"metadata": {"extra": [{"test_case_id": "register.bad.no_defer_taskrun__R02.rejected"}]}}]' \
		"$T/stub/results-42.json" >"$T/r" && mv "$T/r" "$T/stub/results-42.json"
	run "$S" --job 42
	[ "$status" -eq 0 ]
	[ "$(jq '.cases | length' "$RESULTS_DIR/lava-42/results.json")" = 3 ]
	[ "$(jq -r '.cases[1].outcome' "$RESULTS_DIR/lava-42/results.json")" = fail ]
}

@test "a bare-metal job: nic-restore and the nic line fill .nic; a failed restore fails the run" {
	job 50 Complete ""
	cat >"$T/stub/results-50.json" <<'J'
[{"name": "nic_zc.zc.a__T04", "suite": "0_zcrx-hw", "result": "pass", "metadata": {}},
 {"name": "nic-restore", "suite": "0_zcrx-hw", "result": "pass", "metadata": {}},
 {"name": "end", "suite": "0_zcrx-hw", "result": "pass", "metadata": {}}]
J
	defn 50
	echo '- {"dt": "2026-11-30T07:00:03", "lvl": "target", "msg": "zcrx-lava: nic {\"netif\":\"eth2\",\"kind\":\"mlx5_core\",\"driver\":\"mlx5_core\",\"firmware\":\"28.39\",\"bus\":\"0000:03:00.0\",\"restore\":\"verified\"}"}' \
		>"$T/stub/log-50.yaml"
	run "$S" --job 50
	[ "$status" -eq 0 ]
	r="$RESULTS_DIR/lava-50/results.json"
	[ -z "$(jq -r -f "$V" "$r")" ]
	[ "$(jq -r '[.verdict, .nic.driver, .nic.restore, .cases[0].binary] | join(" ")' "$r")" = "pass mlx5_core verified nic_zc" ]
	[ "$(sqlite3 "$ZCRX_DB" "SELECT nic_driver, nic_restore FROM runs WHERE name = 'lava-50';")" = "mlx5_core|verified" ]
	sed -i 's/"nic-restore", "suite": "0_zcrx-hw", "result": "pass"/"nic-restore", "suite": "0_zcrx-hw", "result": "fail"/' "$T/stub/results-50.json"
	run "$S" --job 50
	[ "$(jq -r '[.verdict, .nic.restore] | join(" ")' "$r")" = "fail failed" ]
}

@test "the runner: ZCRX_RUNNER, else LAVA_DEVICE_MAP, else the device" {
	printf '# runner device\nlab3:eth2 qemu-01\n' >"$T/map"
	LAVA_DEVICE_MAP="$T/map" run "$S" --job 42
	[ "$(jq -r .run.runner "$RESULTS_DIR/lava-42/results.json")" = lab3:eth2 ]
	ZCRX_RUNNER=other RUN_NAME=x/y run "$S" --job 42
	[ "$(jq -r .run.runner "$RESULTS_DIR/x/y/results.json")" = other ]
}

@test "from saved files (--dir), without a server" {
	mkdir -p "$T/saved"
	cp "$T/stub/job-42.json" "$T/saved/job.json"
	cp "$T/stub/results-42.json" "$T/saved/lava-results.json"
	cp "$T/stub/definition-42.yaml" "$T/saved/definition.yaml"
	rm -f "$T/stub/calls"
	ZCRX_SINKS= run "$S" --dir "$T/saved" "$T/run"
	[ "$status" -eq 0 ]
	[ -z "$(jq -r -f "$V" "$T/run/results.json")" ]
	[ ! -e "$T/stub/calls" ]
	[ ! -e "$ZCRX_DB" ]
	# without the log, a case whose metadata lost its id keeps LAVA's name
	[ "$(jq -r '.cases[2] | "\(.binary) \(.name)"' "$T/run/results.json")" = "lava nic_zc_zc_payload__t04_e01" ]
}

@test "refused in one line, nothing recorded: not finished, unknown job, unreachable lab, a ZCRX_SINKS call" {
	job 46 Incomplete "" false Running
	run "$S" --job 46
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	[ "${lines[0]}" = "zcrx-vmtest: error: LAVA job 46 is Running, not finished: nothing recorded" ]
	run "$S" --job 99
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ ${lines[0]} == "zcrx-vmtest: error: lavacli -i lab jobs show 99 --json: Unable to call 'jobs show': <Fault 404"* ]]
	touch "$T/stub/unreachable"
	run "$S" --job 42
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ ${lines[0]} == "zcrx-vmtest: error: lavacli -i lab jobs show 42 --json: Unable to connect: "*"is the lab reachable"* ]]
	run "$S" "$T/somerun"
	[ "$status" -eq 2 ]
	[ "${#lines[@]}" -eq 1 ]
	run "$S" --job 4x2
	[ "$status" -eq 1 ]
	[ ! -e "$RESULTS_DIR" ] || [ -z "$(ls -A "$RESULTS_DIR")" ]
	[ ! -e "$ZCRX_DB" ]
}

@test "an existing run directory of something else is not overwritten" {
	mkdir -p "$RESULTS_DIR/lava-42"
	run "$S" --job 42
	[ "$status" -eq 1 ]
	[ "${lines[-1]}" = "zcrx-vmtest: error: $RESULTS_DIR/lava-42 already exists (and is not LAVA job 42)" ]
}
