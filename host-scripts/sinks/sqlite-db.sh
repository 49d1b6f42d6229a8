# shellcheck shell=bash
# The results history database, shared by the sqlite sink and the history
# CLI (host-scripts/history.sh). Source after lib.sh; it defines:
#
# DB                 the database file (ZCRX_DB, default results/history.sqlite)
# DB_SCHEMA          the schema version this tool writes
# db_ensure          create the database or migrate it to DB_SCHEMA, in one
#                    transaction; a newer schema is refused (one line)
# sql_str TEXT       TEXT as an SQL string literal
# db_query SQL...    run SQL (foreign keys on, 30 s busy timeout), -bail
DB=${ZCRX_DB:-$RESULTS_DIR/history.sqlite}
DB_SCHEMA=2
DB_SQL_DIR="$ZCRX_TOP/host-scripts/sinks"

sql_str() {
	printf "'%s'" "${1//\'/\'\'}"
}

# shellcheck disable=SC2120 # the history CLI passes SQL as arguments, the sink as stdin
db_query() {
	sqlite3 -bail -cmd 'PRAGMA foreign_keys = ON;' -cmd '.timeout 30000' "$DB" "$@"
}

# db_version: the database's schema version (0: none yet)
db_version() {
	local have
	have=$(sqlite3 "$DB" "SELECT name FROM sqlite_master WHERE name = 'schema_version';" 2>/dev/null) ||
		die "history: $DB is not an SQLite database"
	if [ -z "$have" ]; then
		echo 0
	else
		sqlite3 "$DB" "SELECT coalesce(max(version), 0) FROM schema_version;"
	fi
}

# db_setup_sql: the statements that bring the database to DB_SCHEMA (to be
# run inside the caller's transaction)
db_setup_sql() {
	local ver
	ver=$(db_version)
	[ "$ver" -le "$DB_SCHEMA" ] || die "history: $DB has schema $ver, newer than this tool's $DB_SCHEMA"
	[ "$ver" != 1 ] || cat "$DB_SQL_DIR/sqlite-migrate-2.sql"
	grep -v '^PRAGMA' "$DB_SQL_DIR/sqlite-schema.sql"
	echo "INSERT INTO schema_version (version) SELECT $DB_SCHEMA WHERE NOT EXISTS (SELECT 1 FROM schema_version);"
}

db_ensure() {
	local setup
	need_cmd sqlite3 sqlite3
	mkdir -p "$(dirname "$DB")"
	setup=$(db_setup_sql)
	# shellcheck disable=SC2119
	db_query >/dev/null <<SQL
BEGIN IMMEDIATE;
$setup
COMMIT;
SQL
}
