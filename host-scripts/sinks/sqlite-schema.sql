-- The results history (host-scripts/sinks/sqlite.sh), schema version 1.
-- One row per run, per case, per spec row a case names, per splat.
-- docs/results.md describes it; sqlite.sh creates and migrates it.
PRAGMA foreign_keys = ON;
CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE,          -- results/<name>
	kind TEXT NOT NULL,                 -- vm-test (later: hw-test, presubmit, ...)
	verdict TEXT NOT NULL,              -- pass | fail | interrupted
	reasons TEXT NOT NULL,              -- JSON array of strings
	started TEXT, ended TEXT,           -- ISO-8601 UTC
	suite_version TEXT,
	host TEXT, arch TEXT, cpus INTEGER, backend TEXT, accel TEXT,
	kernel_release TEXT, kernel_source TEXT, kernel_package TEXT, config_sha256 TEXT,
	nic_netif TEXT, nic_kind TEXT, nic_driver TEXT,
	pass INTEGER, fail INTEGER, skip INTEGER, xfail INTEGER, xpass INTEGER, error INTEGER,
	results_json TEXT NOT NULL          -- the run's results.json, whole
);
CREATE TABLE IF NOT EXISTS cases (
	run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
	binary TEXT NOT NULL,
	name TEXT NOT NULL,
	outcome TEXT NOT NULL,              -- pass | fail | skip | xfail | error | timeout
	reason TEXT,
	seconds REAL,
	PRIMARY KEY (run_id, binary, name)
);
CREATE TABLE IF NOT EXISTS case_rows (
	run_id INTEGER NOT NULL,
	binary TEXT NOT NULL,
	name TEXT NOT NULL,
	row TEXT NOT NULL,                  -- spec row id, e.g. E04
	FOREIGN KEY (run_id, binary, name) REFERENCES cases(run_id, binary, name) ON DELETE CASCADE
);
CREATE TABLE IF NOT EXISTS splats (
	run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
	idx INTEGER NOT NULL,
	title TEXT NOT NULL,
	binary TEXT, case_name TEXT,
	fingerprint TEXT NOT NULL,          -- up to five function names, space-separated
	PRIMARY KEY (run_id, idx)
);
CREATE INDEX IF NOT EXISTS cases_by_name ON cases (binary, name);
CREATE INDEX IF NOT EXISTS case_rows_by_row ON case_rows (row);
CREATE INDEX IF NOT EXISTS case_rows_by_case ON case_rows (run_id, binary, name);
CREATE INDEX IF NOT EXISTS runs_by_kernel ON runs (kernel_release, started);
CREATE INDEX IF NOT EXISTS runs_by_host ON runs (host, started);
CREATE INDEX IF NOT EXISTS splats_by_fingerprint ON splats (fingerprint);
