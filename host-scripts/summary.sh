# shellcheck shell=bash
# The verdict of a run and its summary.json, written with jq (so any case
# name or reason, with spaces, quotes or backslashes, stays valid JSON).
# Sourced by vm-test.sh, which sets rundir, KREL, KDESC, KPKG, UAPI_PKG and
# URING_PKG (optional: the exact packages resolved),
# t0, t_prep, t_end (optional), vm_rc.
# shellcheck disable=SC2154 # those variables come from vm-test.sh

# json_lines: stdin lines -> a JSON array of strings.
json_lines() {
	jq -R . | jq -cs .
}

# write_summary VERDICT REASON...: summary.json from what the run dir holds.
write_summary() {
	local verdict=$1 now cases
	shift
	now=$(date +%s.%N)
	cases=$("$ZCRX_TOP/host-scripts/ktap-summary.sh" --cases "$rundir/ktap.txt")
	local ktap_vars
	ktap_vars=$("$ZCRX_TOP/host-scripts/ktap-summary.sh" "$rundir/ktap.txt")
	local PASS FAIL SKIP XFAIL XPASS ERRORS
	eval "$(printf '%s\n' "$ktap_vars" | grep -E '^(PASS|FAIL|SKIP|XFAIL|XPASS|ERRORS)=')"
	up_start=$(sed -n 's/^# zcrx-vmtest: uptime suite-start=\([0-9.]*\).*/\1/p' "$rundir/ktap.txt" 2>/dev/null || true)
	up_end=$(sed -n 's/.* suite-end=\([0-9.]*\).*/\1/p' "$rundir/ktap.txt" 2>/dev/null || true)
	jq -n \
		--arg verdict "$verdict" \
		--argjson reasons "$(printf '%s\n' "$@" | sed '/^$/d' | json_lines)" \
		--arg krel "${KREL:-}" --arg kdesc "${KDESC:-}" --arg kpkg "${KPKG:-}" \
		--arg uapi "${UAPI_PKG:-}" --arg uring "${URING_PKG:-}" \
		--arg vm_status "$(cat "$rundir/vm.status" 2>/dev/null || echo no-report)" \
		--argjson vm_s "$(cat "$rundir/vm.seconds" 2>/dev/null || echo 0)" \
		--argjson counts "$(jq -n --argjson p "$PASS" --argjson f "$FAIL" --argjson s "$SKIP" \
			--argjson xf "$XFAIL" --argjson xp "$XPASS" --argjson e "$ERRORS" \
			'{pass: $p, fail: $f, skip: $s, xfail: $xf, xpass: $xp, error: $e}')" \
		--argjson failed "$(printf '%s\n' "$cases" | awk -F'\t' '$1 == "fail" { print $2 ":" $3 }' | json_lines)" \
		--argjson skipped "$(printf '%s\n' "$cases" | awk -F'\t' '$1 == "skip" { print $2 ":" $3 }' | json_lines)" \
		--argjson splats "${splats:-0}" \
		--arg t0 "$t0" --arg tp "${t_prep:-$now}" --arg te "${t_end:-$now}" \
		--arg up_start "${up_start:-0}" --arg up_end "${up_end:-0}" \
		'def r2: (. * 100 | round) / 100;
		{
			verdict: $verdict,
			reasons: $reasons,
			kernel: ({release: $krel, source: $kdesc} + (if $kpkg != "" then {package: $kpkg} else {} end)),
			toolchain: {uapi: $uapi, liburing: $uring},
			vm: {status: $vm_status, seconds: $vm_s},
			counts: $counts,
			failed_cases: $failed,
			skipped_cases: $skipped,
			splats: $splats,
			seconds: {
				prepare: (($tp | tonumber) - ($t0 | tonumber) | r2),
				boot: ($up_start | tonumber | r2),
				suite: (($up_end | tonumber) - ($up_start | tonumber) | r2),
				vm: $vm_s,
				wall: (($te | tonumber) - ($t0 | tonumber) | r2)
			}
		}' >"$rundir/summary.json.tmp"
	mv "$rundir/summary.json.tmp" "$rundir/summary.json"
}

# verdict_and_summary: read the run's files, decide, write summary.json;
# sets verdict, reasons, splats and the KTAP counts for report().
verdict_and_summary() {
	eval "$("$ZCRX_TOP/host-scripts/ktap-summary.sh" "$rundir/ktap.txt")"
	splats=0
	local scan_rc
	set +e
	"$ZCRX_TOP/host-scripts/scan-splats.sh" "$rundir/console.log" >"$rundir/splats.txt" 2>&1
	scan_rc=$?
	set -e
	case $scan_rc in
	0) rm -f "$rundir/splats.txt" ;;
	1) splats=$(grep -c '^splat ' "$rundir/splats.txt" || true) ;;
	*) rm -f "$rundir/splats.txt" ;; # no console at all: the VM verdict says why
	esac
	vm_status=$(cat "$rundir/vm.status" 2>/dev/null || echo no-report)
	verdict=pass
	reasons=()
	[ "$vm_status" = pass ] || { verdict=fail; reasons+=("vm: $vm_status"); }
	[ "$KTAP_OK" = 1 ] || { verdict=fail; reasons+=("ktap: $KTAP_ERROR"); }
	if [ "$FAIL" -ne 0 ] || [ "$ERRORS" -ne 0 ] || [ "$XPASS" -ne 0 ]; then
		verdict=fail
		reasons+=("tests: $FAIL failed, $ERRORS errors, $XPASS xpass")
	fi
	[ "$BIN_FAILED" -eq 0 ] || { verdict=fail; reasons+=("binaries failed:$FAILED_BINARIES"); }
	[ "$splats" -eq 0 ] || { verdict=fail; reasons+=("kernel splats: $splats (see splats.txt)"); }
	write_summary "$verdict" "${reasons[@]+"${reasons[@]}"}"
}

# report: the KTAP, then a short summary; exits with the run's status.
report() {
	local s="$rundir/summary.json"
	cat "$rundir/ktap.txt" 2>/dev/null || true
	echo
	echo "== zcrx-vmtest: $KREL ($KDESC${KPKG:+, $KPKG})"
	jq -r '"== \(.counts.pass) passed, \(.counts.fail) failed, \(.counts.skip) skipped, \(.counts.error) errors; boot \(.seconds.boot)s, suite \(.seconds.suite)s, VM \(.seconds.vm)s, wall \(.seconds.wall)s",
		(.failed_cases[] | "== FAILED: \(.)")' "$s"
	if [ "$splats" -gt 0 ]; then
		echo "== KERNEL SPLATS in console.log:"
		head -n 40 "$rundir/splats.txt"
	fi
	echo "== results: $rundir"
	if [ "$verdict" = pass ]; then
		echo "== PASS"
		exit 0
	fi
	echo "== FAIL: $(jq -r '.reasons | join("; ")' "$s")"
	[ "$vm_rc" -ne 0 ] || vm_rc=1
	exit "$vm_rc"
}
