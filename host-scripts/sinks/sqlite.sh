#!/usr/bin/env bash
# Result sink "sqlite": record a run directory's results.json into the
# results history, one SQLite database (ZCRX_DB, default
# $RESULTS_DIR/history.sqlite). One transaction per run: a run is recorded
# whole or not at all, and recording the same run again replaces it. The
# schema (sqlite-schema.sql, docs/results.md) is created on first use and
# migrated (sqlite-db.sh); a database of a newer schema is refused.
#   usage: sinks/sqlite.sh RUNDIR
# A result sink is one file host-scripts/sinks/NAME.sh taking a run
# directory; ZCRX_SINKS lists those vm-test.sh runs after every run.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
rundir=${1:?usage: sinks/sqlite.sh RUNDIR}
results="$rundir/results.json"
[ -r "$results" ] || die "sqlite sink: no results.json in $rundir"
need_cmd sqlite3 sqlite3
. "$ZCRX_TOP/host-scripts/sinks/sqlite-db.sh"
mkdir -p "$(dirname "$DB")"
setup=$(db_setup_sql)
kind=${ZCRX_RUN_KIND:-vm-test}
# .bail: the first error ends sqlite3 before COMMIT, so nothing is kept
# shellcheck disable=SC2119 # the SQL comes on stdin
db_query >/dev/null <<SQL
BEGIN IMMEDIATE;
$setup
CREATE TEMP TABLE j (doc TEXT);
INSERT INTO j VALUES (readfile($(sql_str "$results")));
DELETE FROM runs WHERE name = (SELECT doc ->> '\$.run.name' FROM j);
INSERT INTO runs (name, kind, verdict, reasons, started, ended, suite_version, host, arch,
	cpus, backend, accel, kernel_release, kernel_source, kernel_package, config_sha256,
	nic_netif, nic_kind, nic_driver, pass, fail, skip, xfail, xpass, error, results_json,
	runner, nic_firmware, nic_bus, nic_restore, series, branch, head, base, role, flakes)
SELECT doc ->> '\$.run.name', $(sql_str "$kind"), doc ->> '\$.verdict', doc -> '\$.reasons',
	doc ->> '\$.run.started', doc ->> '\$.run.ended', doc ->> '\$.run.suite_version',
	doc ->> '\$.run.machine.host', doc ->> '\$.run.machine.arch', doc ->> '\$.run.machine.cpus',
	doc ->> '\$.run.backend', doc ->> '\$.run.accel',
	doc ->> '\$.kernel.release', doc ->> '\$.kernel.source', doc ->> '\$.kernel.package',
	doc ->> '\$.kernel.config_sha256',
	doc ->> '\$.nic.netif', doc ->> '\$.nic.kind', doc ->> '\$.nic.driver',
	doc ->> '\$.counts.pass', doc ->> '\$.counts.fail', doc ->> '\$.counts.skip',
	doc ->> '\$.counts.xfail', doc ->> '\$.counts.xpass', doc ->> '\$.counts.error', doc,
	coalesce(doc ->> '\$.run.runner', 'vm-' || coalesce(doc ->> '\$.run.backend', 'qemu') || '@' || coalesce(doc ->> '\$.run.machine.host', 'unknown')),
	doc ->> '\$.nic.firmware', doc ->> '\$.nic.bus', doc ->> '\$.nic.restore',
	doc ->> '\$.series.name', doc ->> '\$.series.branch', doc ->> '\$.series.head',
	doc ->> '\$.series.base', doc ->> '\$.series.role',
	(SELECT count(*) FROM json_each(doc, '\$.cases') AS f WHERE f.value ->> '\$.outcome' = 'flake')
FROM j;
INSERT INTO cases (run_id, binary, name, outcome, reason, seconds)
SELECT r.id, c.value ->> '\$.binary', c.value ->> '\$.name', c.value ->> '\$.outcome',
	c.value ->> '\$.reason', c.value ->> '\$.seconds'
FROM j, runs AS r, json_each(j.doc, '\$.cases') AS c
WHERE r.name = j.doc ->> '\$.run.name';
INSERT INTO case_rows (run_id, binary, name, row)
SELECT r.id, c.value ->> '\$.binary', c.value ->> '\$.name', w.value
FROM j, runs AS r, json_each(j.doc, '\$.cases') AS c, json_each(c.value, '\$.rows') AS w
WHERE r.name = j.doc ->> '\$.run.name';
INSERT INTO splats (run_id, idx, title, binary, case_name, fingerprint)
SELECT r.id, s.value ->> '\$.index', s.value ->> '\$.title', s.value ->> '\$.binary',
	s.value ->> '\$.case', (SELECT coalesce(group_concat(f.value, ' '), '') FROM json_each(s.value, '\$.fingerprint') AS f)
FROM j, runs AS r, json_each(j.doc, '\$.splats') AS s
WHERE r.name = j.doc ->> '\$.run.name';
COMMIT;
SQL
