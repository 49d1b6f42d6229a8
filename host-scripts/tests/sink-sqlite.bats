#!/usr/bin/env bats
# sinks/sqlite.sh: a run's results.json into the history database, whole
# or not at all.

setup() {
	T="$BATS_TEST_TMPDIR"
	S="$BATS_TEST_DIRNAME/../sinks/sqlite.sh"
	export ZCRX_DB="$T/h.sqlite" RESULTS_DIR="$T/results" BUILD_DIR="$T/build"
	mk_run r1 pass
}

# mk_run NAME VERDICT: a run directory with a small results.json
mk_run() {
	mkdir -p "$T/$1"
	jq -n --arg n "$1" --arg v "$2" '{schema: 1, verdict: $v, reasons: [],
		run: {name: $n, suite_version: "abc", machine: {host: "h", arch: "x86_64", cpus: 2},
		      backend: "qemu", accel: "tcg", started: "2026-11-30T06:00:00Z", ended: "2026-11-30T06:01:00Z"},
		kernel: {release: "7.3.4", source: "built debian-7.3 lean", config_sha256: "ff"},
		nic: {netif: "eth2", kind: "netdevsim-dma", driver: "netdevsim"},
		counts: {pass: 1, fail: 1, xfail: 0, xpass: 0, skip: 0, error: 0},
		binaries: [{name: "events", outcome: "fail", reason: null, seconds: 1.5}],
		cases: [{binary: "events", name: "a__E04_E08", outcome: "pass", reason: null, rows: ["E04", "E08"], seconds: null},
			{binary: "events", name: "it'"'"'s \"quoted\"__R09", outcome: $v, reason: "why; not", rows: ["R09"], seconds: null}],
		splats: [{index: 1, console_line: 9, title: "WARNING: x", binary: "events", case: "a__E04_E08",
			  fingerprint: ["f1", "f2"]}]}' >"$T/$1/results.json"
}

q() { sqlite3 "$ZCRX_DB" "$1"; }

@test "a run, its cases, their rows and its splats are recorded" {
	"$S" "$T/r1"
	[ "$(q 'SELECT name, verdict, kernel_source, nic_kind, pass, fail FROM runs')" = 'r1|pass|built debian-7.3 lean|netdevsim-dma|1|1' ]
	[ "$(q "SELECT count(*) FROM cases")" = 2 ]
	[ "$(q "SELECT name FROM cases WHERE reason = 'why; not'")" = "it's \"quoted\"__R09" ]
	[ "$(q "SELECT group_concat(row, ' ') FROM case_rows WHERE name = 'a__E04_E08'")" = 'E04 E08' ]
	[ "$(q 'SELECT fingerprint, case_name FROM splats')" = 'f1 f2|a__E04_E08' ]
	[ "$(q 'SELECT version FROM schema_version')" = 2 ]
	[ "$(q 'SELECT runner, flakes FROM runs')" = 'vm-qemu@h|0' ]
}

@test "a version 1 database is migrated to 2 in place, its runs kept" {
	# a version 1 database as the previous tool wrote it
	cp "$BATS_TEST_DIRNAME/fixtures/sqlite-schema-v1.sql" "$T/v1.sql"
	{ cat "$T/v1.sql"; echo "INSERT INTO schema_version VALUES (1);"
	  echo "INSERT INTO runs (name, kind, verdict, reasons, backend, host, results_json) VALUES ('old', 'vm-test', 'pass', '[]', 'qemu', 'h0', '{}');"; } |
		sqlite3 "$ZCRX_DB"
	mk_run r2 fail
	jq '.run.runner = "lab1:eth0" | .series = {name: "s", branch: "b", head: "h1", base: "b1", role: "head"}
	    | .cases[1].outcome = "flake"' "$T/r2/results.json" >"$T/x" && mv "$T/x" "$T/r2/results.json"
	"$S" "$T/r2"
	[ "$(q 'SELECT version FROM schema_version')" = 2 ]
	[ "$(q 'SELECT name, runner FROM runs ORDER BY name' | tr '\n' ' ')" = 'old|vm-qemu@h0 r2|lab1:eth0 ' ]
	[ "$(q "SELECT series, head, role, flakes FROM runs WHERE name = 'r2'")" = 's|h1|head|1' ]
	[ "$(q "SELECT count(*) FROM sqlite_master WHERE name IN ('baselines', 'known_issues', 'runners', 'runner_transitions')")" = 4 ]
}

@test "a migration that fails leaves version 1 and its runs as they were" {
	cp "$BATS_TEST_DIRNAME/fixtures/sqlite-schema-v1.sql" "$T/v1.sql"
	{ cat "$T/v1.sql"; echo "INSERT INTO schema_version VALUES (1);"
	  # a column the migration adds already there: its ALTER TABLE fails
	  echo "ALTER TABLE runs ADD COLUMN flakes INTEGER;"; } | sqlite3 "$ZCRX_DB"
	run "$S" "$T/r1"
	[ "$status" -ne 0 ]
	[ "$(q 'SELECT version FROM schema_version')" = 1 ]
	[ "$(q 'SELECT count(*) FROM runs')" = 0 ]
	[ "$(q "SELECT count(*) FROM sqlite_master WHERE name = 'baselines'")" = 0 ]
}

@test "recording a run again replaces it; other runs stay" {
	"$S" "$T/r1"
	mk_run r2 fail
	"$S" "$T/r2"
	mk_run r1 fail
	"$S" "$T/r1"
	[ "$(q 'SELECT name || ":" || verdict FROM runs ORDER BY name' | tr '\n' ' ')" = 'r1:fail r2:fail ' ]
	[ "$(q 'SELECT count(*) FROM cases')" = 4 ]
	[ "$(q 'SELECT count(*) FROM case_rows')" = 6 ]
}

@test "a results.json that breaks half-way leaves nothing of that run" {
	"$S" "$T/r1"
	mk_run r3 pass
	# the second case lacks its outcome: NOT NULL fails after the run row went in
	jq '.cases[1].outcome = null' "$T/r3/results.json" >"$T/r3/x" && mv "$T/r3/x" "$T/r3/results.json"
	run "$S" "$T/r3"
	[ "$status" -ne 0 ]
	[ "$(q 'SELECT group_concat(name) FROM runs')" = r1 ]
	[ "$(q 'SELECT count(*) FROM cases')" = 2 ]
}

@test "a database of a newer schema is refused; a non-database is refused" {
	"$S" "$T/r1"
	q 'UPDATE schema_version SET version = 99'
	run "$S" "$T/r1"
	[ "$status" -ne 0 ]
	[[ $output == *"schema 99, newer than this tool's 2"* ]]
	echo "not a database" >"$T/bad.sqlite"
	ZCRX_DB="$T/bad.sqlite" run "$S" "$T/r1"
	[ "$status" -ne 0 ]
	[[ $output == *"not an SQLite database"* ]]
}

@test "a run directory without results.json is one line" {
	mkdir -p "$T/empty"
	run "$S" "$T/empty"
	[ "$status" -ne 0 ]
	[[ $output == *"no results.json in"* ]]
}
