#!/usr/bin/env bats
# report/kcidb.sh: a KCIDB v5 document from results.json files, validated
# against the carried schema (report/kcidb-v5.schema.json) with Debian's
# python3-jsonschema; statuses, paths, the series' checkouts, flakes.

setup() {
	T="$BATS_TEST_TMPDIR"
	K="$BATS_TEST_DIRNAME/../report/kcidb.sh"
	SCHEMA="$BATS_TEST_DIRNAME/../report/kcidb-v5.schema.json"
	for role in base head; do
		mkdir -p "$T/$role"
		jq -n --arg role "$role" '{schema: 1, verdict: (if $role == "head" then "fail" else "pass" end),
			reasons: (if $role == "head" then ["tests: 1 failed"] else [] end),
			run: {name: ("presubmit-x/lean-" + $role), runner: "vm-qemu@h", suite_version: "v",
			      machine: {host: "h", arch: "x86_64", cpus: 2}, backend: "qemu", accel: "tcg",
			      started: "2026-11-30T06:00:00Z", ended: "2026-11-30T06:01:00Z"},
			kernel: {release: "7.3.4", source: "built ksrc lean", config_sha256: "abcdef0123456789"},
			series: {name: "zcrx-fix", branch: "zcrx-fix", head: "1111111111111111111111111111111111111111",
			         base: "2222222222222222222222222222222222222222", role: $role},
			nic: {netif: "eth2", kind: "netdevsim", driver: "netdevsim"},
			seconds: {suite: 40.5},
			cases: [{binary: "stats", name: "global.copy_bytes__S07", outcome: (if $role == "head" then "fail" else "pass" end),
			         reason: null, rows: ["S07"], seconds: null},
			        {binary: "nic_zc", name: "stream.ipv6.zc__T04 weird/name", outcome: "skip", reason: "no NIC", rows: ["T04"], seconds: 1.5},
			        {binary: "events", name: "global.e__E19", outcome: "flake", reason: "failed, then passed", rows: ["E19"], seconds: null},
			        {binary: "events", name: "global.x__E01", outcome: "timeout", reason: null, rows: ["E01"], seconds: null}],
			splats: (if $role == "head" then [{index: 1, console_line: 5, title: "WARNING: at io_uring/zcrx.c:100",
			         binary: "stats", case: "global.copy_bytes__S07", fingerprint: ["io_zcrx_copy", "io_zcrx_recv"]}] else [] end)}' \
			>"$T/$role/results.json"
	done
}

validate() {
	/usr/bin/python3 - "$SCHEMA" "$1" <<'P'
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft7Validator.check_schema(schema)
errors = list(jsonschema.Draft7Validator(schema).iter_errors(json.load(open(sys.argv[2]))))
for e in errors:
    print("invalid:", "/".join(str(p) for p in e.absolute_path), e.message)
sys.exit(1 if errors else 0)
P
}

@test "a series' base and head runs: a valid KCIDB v5 document" {
	"$K" "$T/base" "$T/head" >"$T/k.json"
	run validate "$T/k.json"
	[ "$status" -eq 0 ]
	[ "$(jq -c .version "$T/k.json")" = '{"major":5,"minor":0}' ]
	# one checkout per commit, one build per run, the run plus each case
	[ "$(jq '.checkouts | length' "$T/k.json")" = 2 ]
	[ "$(jq -r '[.checkouts[].git_commit_hash] | sort | join(" ")' "$T/k.json")" = "1111111111111111111111111111111111111111 2222222222222222222222222222222222222222" ]
	[ "$(jq '.builds | length' "$T/k.json")" = 2 ]
	[ "$(jq '.tests | length' "$T/k.json")" = 10 ]
	[ "$(jq -r '[.builds[] | .checkout_id] | unique | length' "$T/k.json")" = 2 ]
}

@test "statuses, dotted paths, flakes waived, splats in the case's log excerpt" {
	"$K" "$T/head" >"$T/k.json"
	s() { jq -r --arg p "$1" '.tests[] | select(.path == $p) | .status' "$T/k.json"; }
	[ "$(s zcrx)" = FAIL ]
	[ "$(s zcrx.stats.global.copy_bytes__S07)" = FAIL ]
	[ "$(s zcrx.nic_zc.stream.ipv6.zc__T04_weird_name)" = SKIP ]
	[ "$(s zcrx.events.global.e__E19)" = FAIL ]
	[ "$(jq -r '.tests[] | select(.path == "zcrx.events.global.e__E19") | .waived' "$T/k.json")" = true ]
	[ "$(s zcrx.events.global.x__E01)" = ERROR ]
	[ "$(jq -r '.tests[] | select(.path == "zcrx.stats.global.copy_bytes__S07") | .log_excerpt' "$T/k.json")" = \
		"WARNING: at io_uring/zcrx.c:100 [io_zcrx_copy io_zcrx_recv]" ]
	[ "$(jq -c '.tests[] | select(.path == "zcrx.stats.global.copy_bytes__S07") | .misc.rows' "$T/k.json")" = '["S07"]' ]
}

@test "the validator is not a rubber stamp: a bad status, path or id fails it" {
	"$K" "$T/base" >"$T/k.json"
	jq '.tests[0].status = "OK"' "$T/k.json" >"$T/bad1.json"
	run validate "$T/bad1.json"
	[ "$status" -eq 1 ]
	[[ $output == *"invalid: tests/0/status"* ]]
	jq '.tests[1].path = "zcrx.a b"' "$T/k.json" >"$T/bad2.json"
	run validate "$T/bad2.json"
	[ "$status" -eq 1 ]
	jq '.builds[0].id = "no-origin"' "$T/k.json" >"$T/bad3.json"
	run validate "$T/bad3.json"
	[ "$status" -eq 1 ]
}

@test "bad input: no results.json, a bad origin" {
	run "$K" "$T/nothing"
	[ "$status" -ne 0 ]
	[[ $output == *"no results.json in $T/nothing"* ]]
	KCIDB_ORIGIN=Bad-Origin run "$K" "$T/base"
	[ "$status" -ne 0 ]
	[[ $output == *"KCIDB origins are [a-z0-9_]+"* ]]
}
