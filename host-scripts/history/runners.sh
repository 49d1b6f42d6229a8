# shellcheck shell=bash
# Runner states and promotion (host-scripts/promote.sh). Source after
# history/queries.sh.

runner_state() {
	db_query "SELECT state FROM runners WHERE name = $(sql_str "$1");"
}

# runner_set RUNNER STATE REASON RUN: one transition, recorded
runner_set() {
	local from
	from=$(runner_state "$1")
	[ "$from" != "$2" ] || return 0
	db_query "BEGIN IMMEDIATE;
		INSERT INTO runners (name, state, since) VALUES ($(sql_str "$1"), $(sql_str "$2"), strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
			ON CONFLICT (name) DO UPDATE SET state = excluded.state, since = excluded.since;
		INSERT INTO runner_transitions (runner, from_state, to_state, reason, run_name, at)
			VALUES ($(sql_str "$1"), $( [ -n "$from" ] && sql_str "$from" || echo NULL), $(sql_str "$2"), $(sql_str "$3"),
			$( [ -n "$4" ] && sql_str "$4" || echo NULL), strftime('%Y-%m-%dT%H:%M:%SZ', 'now'));
		COMMIT;"
	printf 'promote: runner %s: %s -> %s (%s)\n' "$1" "${from:-none}" "$2" "$3"
}

runner_show() {
	local w=1
	[ -z "$1" ] || w="runner = $(sql_str "$1")"
	db_query -header -column "SELECT name, state, since FROM runners WHERE ${w/runner =/name =} ORDER BY name;"
	echo
	db_query -header -column "SELECT at, runner, coalesce(from_state, '-') AS 'from', to_state AS 'to', reason,
		coalesce(run_name, '') AS run FROM runner_transitions WHERE $w ORDER BY id;"
}

# run_clean RUN REF: why RUN does not count towards promotion (empty: it
# counts). Against the baseline of its kernel series x NIC class when there
# is one (history check: known issues allowed), else against REF, the first
# run of the streak: every case the same outcome and skip reason.
run_clean() {
	local run=$1 ref=$2 id why=() out verdict flakes splats restore
	id=$(run_id "$run")
	IFS=$'\t' read -r verdict flakes splats restore < <(db_query -separator $'\t' "SELECT verdict, flakes,
		(SELECT count(*) FROM splats s WHERE s.run_id = runs.id), coalesce(nic_restore, 'none') FROM runs WHERE id = $id;")
	[ "$flakes" = 0 ] || why+=("$flakes flaky case(s): $(db_query "SELECT group_concat(binary || ':' || name, ' ') FROM cases WHERE run_id = $id AND outcome = 'flake';")")
	[ "$splats" = 0 ] || why+=("$splats splat(s)")
	[ "$restore" = verified ] || why+=("NIC restore $restore")
	if [ "$(db_query "SELECT count(*) FROM baselines b, runs r WHERE r.id = $id AND b.kernel_series = $(kernel_series_sql r.kernel_release)
		AND b.nic_class = coalesce(r.nic_driver, 'none');")" -gt 0 ]; then
		out=$(hist_check "$run" 2>&1) || why+=("against the baseline: $(grep -vE '^(==|KNOWN|FIX|NEW-CASE)' <<<"$out" | tr '\n' ';')")
	else
		[ "$verdict" = pass ] || why+=("verdict $verdict")
		if [ -n "$ref" ] && [ "$ref" != "$run" ]; then
			out=$(db_query -separator ' ' "SELECT b.binary || ':' || b.name, coalesce(a.outcome, 'none') || '->' || b.outcome
				FROM cases b LEFT JOIN cases a ON a.run_id = $(run_id "$ref") AND a.binary = b.binary AND a.name = b.name
				WHERE b.run_id = $id AND (a.outcome IS NULL OR a.outcome <> b.outcome OR coalesce(a.reason, '') <> coalesce(b.reason, ''));")
			[ -z "$out" ] || why+=("not as in $ref: $(tr '\n' ';' <<<"$out")")
		fi
	fi
	[ ${#why[@]} = 0 ] || printf '%s\n' "${why[*]}"
}

promote_run() {
	local runner=$1 n=${PROMOTE_N:-16} max=${PROMOTE_MAX_RUNS:-} streak=0 k=0 ref='' run why state cases
	[[ $n =~ ^[1-9][0-9]*$ ]] || { echo "promote: PROMOTE_N=$n: expected a positive number" >&2; exit 2; }
	max=${max:-$((n * 2))}
	[[ $max =~ ^[1-9][0-9]*$ ]] || { echo "promote: PROMOTE_MAX_RUNS=$max: expected a positive number" >&2; exit 2; }
	state=$(runner_state "$runner")
	case $state in
	retired) echo "promote: runner $runner is retired" >&2; exit 2 ;;
	trusted) echo "promote: runner $runner is already trusted"; return 0 ;;
	'' | new | quarantined) runner_set "$runner" candidate "promotion started: $n consecutive clean runs needed" "" ;;
	esac
	while [ "$streak" -lt "$n" ]; do
		[ "$k" -lt "$max" ] || {
			echo "promote: runner $runner stays a candidate: $streak consecutive clean runs after $k (PROMOTE_MAX_RUNS $max), $n needed"
			return 1
		}
		k=$((k + 1))
		run="promote-$(date +%Y%m%d-%H%M%S)-$k-$$"
		log "runner $runner: run $k ($streak/$n clean in a row) -> $run"
		RUN_NAME=$run ZCRX_RUNNER=$runner ZCRX_RUN_KIND=promote "${PROMOTE_RUN:-$ZCRX_TOP/host-scripts/hw-test.sh}" \
			>"${RESULTS_DIR}/.promote-$$.log" 2>&1 || true
		if ! db_query "SELECT 1 FROM runs WHERE name = $(sql_str "$run");" | grep -q 1; then
			echo "promote: run $run was not recorded (see ${RESULTS_DIR}/.promote-$$.log); the count resets"
			tail -n 5 "${RESULTS_DIR}/.promote-$$.log" | sed 's/^/    /'
			streak=0 ref=''
			continue
		fi
		[ -n "$ref" ] || ref=$run
		why=$(run_clean "$run" "$ref")
		if [ -z "$why" ]; then
			streak=$((streak + 1))
			echo "promote: $run clean ($streak/$n)"
		else
			echo "promote: $run does not count, the count resets: $why"
			# the cases that moved, each with its history
			cases=$(db_query "SELECT binary || ':' || name FROM cases WHERE run_id = $(run_id "$run") AND outcome NOT IN ('pass', 'skip', 'xfail');")
			for c in $cases; do
				echo "promote: history of $c on $runner:"
				db_query -separator ' ' "SELECT '    ', r.started, r.name, c.outcome FROM cases c JOIN runs r ON r.id = c.run_id
					WHERE r.runner = $(sql_str "$runner") AND c.binary || ':' || c.name = $(sql_str "$c") ORDER BY r.started DESC LIMIT 8;"
			done
			streak=0 ref=''
		fi
	done
	rm -f "${RESULTS_DIR}/.promote-$$.log"
	# an operator may have quarantined or retired it meanwhile
	state=$(runner_state "$runner")
	if [ "$state" != candidate ]; then
		echo "promote: runner $runner became $state during the promotion: not trusted"
		return 1
	fi
	runner_set "$runner" trusted "$n consecutive clean runs (the last: $run)" "$run"
}

# runner_judge RUN: what one run of a trusted runner says about the runner
runner_judge() {
	local run=$1 runner why
	runner=$(db_query "SELECT runner FROM runs WHERE id = $(run_id "$run");")
	[ "$(runner_state "$runner")" = trusted ] || { echo "promote: runner $runner is not trusted: nothing to judge"; return 0; }
	# only what is the runner's fault, not the kernel's: flakes, a NIC that
	# was not restored, a splat the baseline does not have
	why=$(db_query -separator ' ' "SELECT CASE WHEN flakes > 0 THEN flakes || ' flaky case(s)' END,
		CASE WHEN coalesce(nic_restore, 'verified') <> 'verified' THEN 'NIC restore ' || nic_restore END
		FROM runs WHERE name = $(sql_str "$run");" | sed 's/^ *//; s/ *$//')
	if [ -n "$why" ]; then
		runner_set "$runner" quarantined "$why" "$run"
		return 1
	fi
	echo "promote: runner $runner stays trusted after $run"
}
