# shellcheck shell=bash
# The verdict of a vm-test run and its terminal report, both from
# results.json (report/results.sh). Sourced by vm-test.sh, which sets
# rundir, KREL, KDESC, KPKG and vm_rc.
# shellcheck disable=SC2154 # those variables come from vm-test.sh

# verdict_and_results: splat excerpts for people (splats.txt), then
# results.json, the verdict decided from it, and that verdict written into
# results.json; sets verdict.
verdict_and_results() {
	local scan_rc line
	set +e
	"$ZCRX_TOP/host-scripts/report/splats.sh" "$rundir/console.log" >"$rundir/splats.txt" 2>&1
	scan_rc=$?
	set -e
	[ "$scan_rc" = 1 ] || rm -f "$rundir/splats.txt"
	write_results pending
	line=$(results_verdict)
	verdict=${line%%$'\t'*}
	local -a reasons=()
	[ "$line" = "$verdict" ] || IFS=$'\t' read -r -a reasons <<<"${line#*$'\t'}"
	set_verdict "$verdict" "${reasons[@]+"${reasons[@]}"}"
}

# run_sinks: hand the run directory to every result sink of ZCRX_SINKS
# (host-scripts/sinks/NAME.sh, default "sqlite"). A sink that fails says so
# in one line and leaves the verdict alone.
run_sinks() {
	local s
	for s in ${ZCRX_SINKS-sqlite}; do
		"$ZCRX_TOP/host-scripts/sinks/$s.sh" "$rundir" >"$rundir/sink-$s.log" 2>&1 ||
			log "result sink $s failed (see $rundir/sink-$s.log); the verdict stands"
	done
}

# report: the KTAP, then a short summary; exits with the run's status.
report() {
	local r="$rundir/results.json"
	# (make selftests streamed it already: REPORT_KTAP=0)
	[ "${REPORT_KTAP:-1}" = 0 ] || cat "$rundir/ktap.txt" 2>/dev/null || true
	echo
	echo "== zcrx-vmtest: $KREL ($KDESC${KPKG:+, $KPKG})"
	jq -r '"== \(.counts.pass) passed, \(.counts.fail) failed, \(.counts.skip) skipped, \(.counts.error) errors\(if (.counts.flake // 0) > 0 then ", \(.counts.flake) flaky (failed, then passed alone)" else "" end); boot \(.seconds.boot)s, suite \(.seconds.suite)s, VM \(.seconds.vm)s, wall \(.seconds.wall)s",
		(.cases[] | select(.outcome != "pass" and .outcome != "skip" and .outcome != "xfail")
		 | "== \(.outcome | ascii_upcase): \(.binary):\(.name)\(if .rows != [] then " (rows \(.rows | join(" ")))" else "" end)"),
		(.splats[] | "== SPLAT \(.index): \(.title)\n==   during \(.binary // "no test"):\(.case // "-"); fingerprint \(.fingerprint | join(" "))")' "$r"
	if [ -f "$rundir/splats.txt" ]; then
		echo "== KERNEL SPLATS in console.log:"
		head -n 40 "$rundir/splats.txt"
	fi
	echo "== results: $rundir"
	if [ "$verdict" = pass ]; then
		echo "== PASS"
		exit 0
	fi
	echo "== FAIL: $(jq -r '.reasons | join("; ")' "$r")"
	[ "$vm_rc" -ne 0 ] || vm_rc=1
	exit "$vm_rc"
}
