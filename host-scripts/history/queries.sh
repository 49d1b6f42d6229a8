# shellcheck shell=bash
# The queries of host-scripts/history.sh, one function per command. Source
# after sinks/sqlite-db.sh. Outcomes: good = pass, skip, xfail; bad = fail,
# error, timeout; flake = failed, then passed when retried.

# run_id NAME: the run's id, or one line and exit 2
run_id() {
	local id
	id=$(db_query "SELECT id FROM runs WHERE name = $(sql_str "$1");")
	[ -n "$id" ] || { echo "history: no run named '$1' in $DB" >&2; exit 2; }
	printf '%s\n' "$id"
}

# posint NAME VALUE: VALUE or one line and exit 2
posint() {
	[[ $2 =~ ^[1-9][0-9]*$ ]] || { echo "history: $1 $2: expected a positive number" >&2; exit 2; }
	printf '%s\n' "$2"
}

# kernel_series_sql COLUMN: SQL for the major.minor of a kernel release
kernel_series_sql() {
	printf "substr(%s, 1, instr(%s || '.', '.') + instr(substr(%s || '..', instr(%s || '.', '.') + 1), '.') - 1)" "$1" "$1" "$1" "$1"
}

hist_runs() {
	local n=20 where="1"
	while [ $# -gt 0 ]; do
		case $1 in
		-n) n=$(posint -n "${2:-}"); shift 2 ;;
		--runner) where+=" AND runner = $(sql_str "${2:-}")"; shift 2 ;;
		--kernel) where+=" AND (kernel_release = $(sql_str "${2:-}") OR kernel_release LIKE $(sql_str "${2:-}.%"))"; shift 2 ;;
		--kind) where+=" AND kind = $(sql_str "${2:-}")"; shift 2 ;;
		*) echo "history runs: unknown option $1" >&2; exit 2 ;;
		esac
	done
	db_query -header -column "SELECT started, name, kind, runner, kernel_release AS kernel,
		coalesce(nic_driver, '-') AS nic, verdict, pass, fail, skip, flakes,
		(SELECT count(*) FROM splats s WHERE s.run_id = runs.id) AS splats
		FROM runs WHERE $where ORDER BY started DESC, id DESC LIMIT $n;"
}

hist_case() {
	local glob=${1:?usage: history.sh case BINARY:NAME-GLOB [-n N]} n=50
	[ "${2:-}" != -n ] || n=$(posint -n "${3:-}")
	db_query -header -column "SELECT r.started, r.name AS run, r.runner, r.kernel_release AS kernel,
		c.binary || ':' || c.name AS 'case', c.outcome, coalesce(c.reason, '') AS reason
		FROM cases c JOIN runs r ON r.id = c.run_id
		WHERE c.binary || ':' || c.name GLOB $(sql_str "$glob")
		ORDER BY r.started DESC, r.id DESC LIMIT $n;"
}

hist_flips() {
	local n=10
	[ "${1:-}" != -n ] || n=$(posint -n "${2:-}")
	db_query -separator ' ' "WITH recent AS (
			SELECT id, runner, started, kernel_release AS krel, coalesce(nic_driver, 'none') AS nic,
				row_number() OVER (PARTITION BY runner, kernel_release, coalesce(nic_driver, 'none')
					ORDER BY started DESC, id DESC) AS k
			FROM runs WHERE kind IN ('vm-test', 'hw-test', 'promote')),
		seq AS (SELECT r.runner, r.krel, r.nic, c.binary || ':' || c.name AS cname, c.outcome, r.started, r.id
			FROM cases c JOIN recent r ON r.id = c.run_id WHERE r.k <= $n ORDER BY r.started, r.id)
		SELECT 'FLIPS', runner, krel, nic, cname, group_concat(outcome, '>') FROM seq
		GROUP BY runner, krel, nic, cname HAVING count(DISTINCT outcome) > 1 ORDER BY runner, krel, nic, cname;"
}

# the change of one case from outcome A to outcome B (empty: none)
CHANGE_SQL="CASE
	WHEN b.outcome = 'flake' THEN 'FLAKE'
	WHEN b.outcome IN ('fail', 'error', 'timeout') AND coalesce(a.outcome, '') NOT IN ('fail', 'error', 'timeout') THEN 'REGRESSION'
	WHEN a.outcome IN ('fail', 'error', 'timeout', 'flake') AND b.outcome IN ('pass', 'xfail') THEN 'FIX'
	WHEN b.outcome = 'skip' AND coalesce(a.outcome, '') <> 'skip' THEN 'NEW-SKIP'
	WHEN b.outcome = 'skip' AND a.outcome = 'skip' AND coalesce(a.reason, '') <> coalesce(b.reason, '') THEN 'SKIP-REASON'
	WHEN a.outcome IS NULL THEN 'NEW-CASE'
	ELSE '' END"

hist_diff() {
	local a b out
	[ $# = 2 ] || { echo "usage: history.sh diff RUN-A RUN-B" >&2; exit 2; }
	a=$(run_id "$1") b=$(run_id "$2")
	out=$(db_query -separator ' ' "
		SELECT change, cname, '(rows ' || coalesce(nullif(rws, ''), '-') || '):', ao, '->', bo, coalesce('# ' || breason, '') FROM (
			SELECT $CHANGE_SQL AS change, b.binary || ':' || b.name AS cname,
				coalesce(a.outcome, 'none') AS ao, b.outcome AS bo, b.reason AS breason,
				(SELECT group_concat(row, ' ') FROM (SELECT DISTINCT row FROM case_rows w WHERE w.run_id = $b AND w.binary = b.binary AND w.name = b.name)) AS rws
			FROM cases b LEFT JOIN cases a ON a.run_id = $a AND a.binary = b.binary AND a.name = b.name
			WHERE b.run_id = $b)
		WHERE change <> ''
		UNION ALL
		SELECT 'GONE', a.binary || ':' || a.name, '', a.outcome, '->', 'none', '' FROM cases a
		WHERE a.run_id = $a AND NOT EXISTS (SELECT 1 FROM cases b WHERE b.run_id = $b AND b.binary = a.binary AND b.name = a.name)
		UNION ALL
		SELECT 'NEW-SPLAT', coalesce(s.binary || ':' || s.case_name, 'no case'), '', s.title, '#', s.fingerprint, '' FROM splats s
		WHERE s.run_id = $b AND NOT EXISTS (SELECT 1 FROM splats o WHERE o.run_id = $a AND o.fingerprint = s.fingerprint)
		ORDER BY 1, 2;")
	printf '== history diff %s -> %s\n' "$1" "$2"
	[ -z "$out" ] || printf '%s\n' "$out"
	printf '== %s regressions, %s fixes, %s new skips, %s flakes, %s new splats\n' \
		"$(grep -c '^REGRESSION ' <<<"$out")" "$(grep -c '^FIX ' <<<"$out")" \
		"$(grep -c '^NEW-SKIP ' <<<"$out")" "$(grep -c '^FLAKE ' <<<"$out")" "$(grep -c '^NEW-SPLAT ' <<<"$out")"
	! grep -qE '^(REGRESSION|NEW-SPLAT|GONE) ' <<<"$out"
}

hist_baseline() {
	local sub=${1:-} series nic n=5
	case $sub in
	derive)
		series=${2:?usage: history.sh baseline derive SERIES NIC [-n N]} nic=${3:?usage: history.sh baseline derive SERIES NIC [-n N]}
		[ "${4:-}" != -n ] || n=$(posint -n "${5:-}")
		baseline_derive "$series" "$nic" "$n"
		;;
	pin)
		[ $# -ge 5 ] || { echo "usage: history.sh baseline pin SERIES NIC BINARY:NAME OUTCOME [REASON]" >&2; exit 2; }
		case $5 in pass | skip | xfail | fail) ;; *) echo "history: outcome $5: expected pass, skip, xfail or fail" >&2; exit 2 ;; esac
		db_query "INSERT OR REPLACE INTO baselines (kernel_series, nic_class, binary, name, outcome, reason, pinned, derived_from, updated)
			VALUES ($(sql_str "$2"), $(sql_str "$3"), $(sql_str "${4%%:*}"), $(sql_str "${4#*:}"), $(sql_str "$5"),
			$( [ -n "${6:-}" ] && sql_str "$6" || echo NULL), 1, NULL, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'));"
		echo "history: pinned $4 = $5 for $2 x $3"
		;;
	show)
		db_query -header -column "SELECT binary || ':' || name AS 'case', outcome, coalesce(reason, '') AS reason,
			pinned, updated FROM baselines WHERE kernel_series = $(sql_str "${2:?}") AND nic_class = $(sql_str "${3:?}")
			ORDER BY binary, name;"
		;;
	*) echo "usage: history.sh baseline derive|pin|show ..." >&2; exit 2 ;;
	esac
}

# baseline_derive SERIES NIC N: from the last N clean runs (pass, no flake,
# no splat) of that kernel series and NIC class, every case that had one
# outcome (and one skip reason) in all of them; pinned rows are kept
baseline_derive() {
	local series=$1 nic=$2 n=$3 runs have unstable
	runs="SELECT id FROM runs r WHERE kind IN ('vm-test', 'hw-test', 'promote') AND verdict = 'pass' AND flakes = 0
		AND NOT EXISTS (SELECT 1 FROM splats s WHERE s.run_id = r.id)
		AND $(kernel_series_sql kernel_release) = $(sql_str "$series")
		AND coalesce(nic_driver, 'none') = $(sql_str "$nic")
		ORDER BY started DESC, id DESC LIMIT $n"
	have=$(db_query "SELECT count(*) FROM ($runs);")
	[ "$have" -ge "$n" ] || { echo "history: $have clean run(s) of $series x $nic, $n needed" >&2; exit 1; }
	unstable=$(db_query -separator ' ' "SELECT binary || ':' || name, group_concat(DISTINCT outcome || coalesce('(' || reason || ')', ''))
		FROM cases WHERE run_id IN ($runs) GROUP BY binary, name
		HAVING count(*) < $n OR count(DISTINCT outcome || '|' || coalesce(reason, '')) > 1;")
	db_query "BEGIN IMMEDIATE;
		DELETE FROM baselines WHERE kernel_series = $(sql_str "$series") AND nic_class = $(sql_str "$nic") AND pinned = 0;
		INSERT OR IGNORE INTO baselines (kernel_series, nic_class, binary, name, outcome, reason, pinned, derived_from, updated)
		SELECT $(sql_str "$series"), $(sql_str "$nic"), binary, name, min(outcome), min(reason), 0,
			(SELECT json_group_array(name) FROM runs WHERE id IN ($runs)), strftime('%Y-%m-%dT%H:%M:%SZ', 'now')
		FROM cases WHERE run_id IN ($runs) GROUP BY binary, name
		HAVING count(*) = $n AND count(DISTINCT outcome || '|' || coalesce(reason, '')) = 1;
		COMMIT;"
	printf 'history: baseline %s x %s from the last %s clean runs: %s cases\n' "$series" "$nic" "$n" \
		"$(db_query "SELECT count(*) FROM baselines WHERE kernel_series = $(sql_str "$series") AND nic_class = $(sql_str "$nic");")"
	[ -z "$unstable" ] || printf 'history: left out, not the same in every run: %s\n' "$unstable"
}

# check_sql RUN-ID: one line per difference of the run from its baseline
# (kind, case, rows, expected, seen, known-issue reason)
check_sql() {
	local id=$1
	printf '%s' "WITH r AS (SELECT id, runner, coalesce(nic_driver, 'none') AS nic,
			$(kernel_series_sql kernel_release) AS series FROM runs WHERE id = $id),
		base AS (SELECT b.* FROM baselines b, r WHERE b.kernel_series = r.series AND b.nic_class = r.nic),
		known AS (SELECT k.* FROM known_issues k, r WHERE (k.expires IS NULL OR k.expires >= date('now'))
			AND (k.scope = 'all' OR k.scope = 'runner:' || r.runner OR k.scope = 'nic:' || r.nic)),
		d AS (
			SELECT c.binary || ':' || c.name AS cname, b.outcome AS want, b.reason AS wreason, c.outcome AS seen, c.reason AS sreason,
				(SELECT group_concat(row, ' ') FROM (SELECT DISTINCT row FROM case_rows w WHERE w.run_id = $id AND w.binary = c.binary AND w.name = c.name)) AS rws
			FROM cases c LEFT JOIN base b ON b.binary = c.binary AND b.name = c.name WHERE c.run_id = $id
			UNION ALL
			SELECT b.binary || ':' || b.name, b.outcome, b.reason, 'none', NULL, NULL FROM base b
			WHERE NOT EXISTS (SELECT 1 FROM cases c WHERE c.run_id = $id AND c.binary = b.binary AND c.name = b.name))
		SELECT CASE
				WHEN seen = 'flake' THEN 'FLAKE'
				WHEN want IS NULL AND seen IN ('fail', 'error', 'timeout') THEN 'REGRESSION'
				WHEN want IS NULL THEN 'NEW-CASE'
				WHEN seen = want AND (seen <> 'skip' OR wreason IS NULL OR coalesce(sreason, '') = wreason) THEN ''
				WHEN want IN ('fail', 'error', 'timeout') AND seen IN ('pass', 'xfail') THEN 'FIX'
				WHEN want IN ('skip', 'xfail') AND seen = 'pass' THEN 'FIX'
				WHEN seen = 'skip' AND want = 'skip' THEN 'SKIP-REASON'
				ELSE 'REGRESSION' END AS kind,
			cname, coalesce(nullif(rws, ''), '-') AS rws, want, seen,
			(SELECT k.reason FROM known k WHERE cname GLOB k.pattern LIMIT 1) AS known
		FROM d"
}

hist_check() {
	local id out base
	[ $# = 1 ] || { echo "usage: history.sh check RUN" >&2; exit 2; }
	id=$(run_id "$1")
	base=$(db_query "SELECT count(*) FROM baselines b, runs r WHERE r.id = $id
		AND b.kernel_series = $(kernel_series_sql r.kernel_release) AND b.nic_class = coalesce(r.nic_driver, 'none');")
	[ "$base" -gt 0 ] || { echo "history: no baseline for run $1 (history.sh baseline derive ...)" >&2; exit 2; }
	out=$(db_query -separator $'\t' "SELECT kind, cname, rws, coalesce(want, '-'), seen, coalesce(known, '') FROM ($(check_sql "$id")) WHERE kind <> ''
		UNION ALL SELECT 'SPLAT', coalesce(binary || ':' || case_name, 'no case'), '-', '-', title, '' FROM splats WHERE run_id = $id
		ORDER BY 1, 2;")
	printf '== history check %s against its baseline (%s cases)\n' "$1" "$base"
	local blocking=0 kind cname rws want seen known
	while IFS=$'\t' read -r kind cname rws want seen known; do
		[ -n "$kind" ] || continue
		if [ -n "$known" ] && [ "$kind" != FIX ] && [ "$kind" != NEW-CASE ]; then
			printf 'KNOWN %s %s (rows %s): expected %s, seen %s # %s\n' "$kind" "$cname" "$rws" "$want" "$seen" "$known"
			continue
		fi
		printf '%s %s (rows %s): expected %s, seen %s\n' "$kind" "$cname" "$rws" "$want" "$seen"
		case $kind in REGRESSION | SPLAT | FLAKE | SKIP-REASON) blocking=$((blocking + 1)) ;; esac
	done <<<"$out"
	printf '== %s blocking\n' "$blocking"
	[ "$blocking" = 0 ]
}

hist_known() {
	case ${1:-} in
	add)
		[ $# -ge 4 ] || { echo "usage: history.sh known add SCOPE GLOB REASON [YYYY-MM-DD]" >&2; exit 2; }
		[[ $2 == all || $2 == runner:?* || $2 == nic:?* ]] || { echo "history: scope $2: expected all, runner:NAME or nic:DRIVER" >&2; exit 2; }
		[ -z "${5:-}" ] || [[ $5 =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}$ ]] || { echo "history: expiry $5: expected YYYY-MM-DD" >&2; exit 2; }
		db_query "INSERT INTO known_issues (scope, pattern, reason, expires, added) VALUES ($(sql_str "$2"), $(sql_str "$3"),
			$(sql_str "$4"), $( [ -n "${5:-}" ] && sql_str "$5" || echo NULL), strftime('%Y-%m-%dT%H:%M:%SZ', 'now'));
			SELECT 'history: known issue ' || last_insert_rowid() || ' added';"
		;;
	list) db_query -header -column "SELECT id, scope, pattern, reason, coalesce(expires, 'never') AS expires,
			CASE WHEN expires IS NOT NULL AND expires < date('now') THEN 'expired' ELSE 'active' END AS state FROM known_issues ORDER BY id;" ;;
	rm)
		[[ ${2:-} =~ ^[0-9]+$ ]] || { echo "usage: history.sh known rm ID" >&2; exit 2; }
		[ "$(db_query "DELETE FROM known_issues WHERE id = $2; SELECT changes();")" = 1 ] ||
			{ echo "history: no known issue $2" >&2; exit 2; }
		;;
	*) echo "usage: history.sh known add|list|rm ..." >&2; exit 2 ;;
	esac
}

hist_series() {
	[ $# = 1 ] || { echo "usage: history.sh series NAME" >&2; exit 2; }
	db_query -header -column "SELECT started, name, role, branch, substr(head, 1, 12) AS head, substr(base, 1, 12) AS base,
		verdict, pass, fail, skip, flakes FROM runs WHERE series = $(sql_str "$1") ORDER BY started, id;"
}
