-- The results history (host-scripts/sinks/sqlite.sh), schema version 2
-- (sqlite-migrate-2.sql brings a version 1 database there).
-- One row per run, per case, per spec row a case names, per splat.
-- docs/results.md describes it; sqlite.sh creates and migrates it.
PRAGMA foreign_keys = ON;
CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE,          -- results/<name>
	kind TEXT NOT NULL,                 -- vm-test, hw-test, selftests, mutant, presubmit, promote
	verdict TEXT NOT NULL,              -- pass | fail | interrupted
	reasons TEXT NOT NULL,              -- JSON array of strings
	started TEXT, ended TEXT,           -- ISO-8601 UTC
	suite_version TEXT,
	host TEXT, arch TEXT, cpus INTEGER, backend TEXT, accel TEXT,
	kernel_release TEXT, kernel_source TEXT, kernel_package TEXT, config_sha256 TEXT,
	nic_netif TEXT, nic_kind TEXT, nic_driver TEXT,
	pass INTEGER, fail INTEGER, skip INTEGER, xfail INTEGER, xpass INTEGER, error INTEGER,
	results_json TEXT NOT NULL,         -- the run's results.json, whole
	-- version 2
	runner TEXT,                        -- run.runner: vm-BACKEND@HOST or HOST:NETIF
	nic_firmware TEXT, nic_bus TEXT, nic_restore TEXT,
	series TEXT, branch TEXT, head TEXT, base TEXT, role TEXT,  -- presubmit: series identity
	flakes INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS cases (
	run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
	binary TEXT NOT NULL,
	name TEXT NOT NULL,
	outcome TEXT NOT NULL,              -- pass | fail | skip | xfail | error | timeout | flake
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
-- version 2: baselines, known issues, runners and their promotion
CREATE TABLE IF NOT EXISTS baselines (
	kernel_series TEXT NOT NULL,        -- e.g. 7.3
	nic_class TEXT NOT NULL,            -- the NIC driver, or none
	binary TEXT NOT NULL,
	name TEXT NOT NULL,
	outcome TEXT NOT NULL,              -- the expected outcome
	reason TEXT,                        -- a skip's reason
	pinned INTEGER NOT NULL DEFAULT 0,  -- 1: set by hand, never re-derived
	derived_from TEXT,                  -- the runs it was derived from (JSON array of names)
	updated TEXT NOT NULL,
	PRIMARY KEY (kernel_series, nic_class, binary, name)
);
CREATE TABLE IF NOT EXISTS known_issues (
	id INTEGER PRIMARY KEY,
	scope TEXT NOT NULL,                -- runner:NAME | nic:DRIVER | all
	pattern TEXT NOT NULL,              -- GLOB over binary:name
	reason TEXT NOT NULL,
	expires TEXT,                       -- YYYY-MM-DD, NULL: never
	added TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS runners (
	name TEXT PRIMARY KEY,
	state TEXT NOT NULL CHECK (state IN ('new', 'candidate', 'trusted', 'quarantined', 'retired')),
	nic_driver TEXT, nic_firmware TEXT,
	since TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS runner_transitions (
	id INTEGER PRIMARY KEY,
	runner TEXT NOT NULL REFERENCES runners(name) ON DELETE CASCADE,
	from_state TEXT,
	to_state TEXT NOT NULL,
	reason TEXT NOT NULL,
	run_name TEXT,                      -- the run that caused it, if one did
	at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS runs_by_runner ON runs (runner, started);
CREATE INDEX IF NOT EXISTS runs_by_series ON runs (series, started);
CREATE INDEX IF NOT EXISTS transitions_by_runner ON runner_transitions (runner, id);
