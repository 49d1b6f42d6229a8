#!/usr/bin/env bash
# Read the suite's KTAP version 1 document and print shell assignments:
#   KTAP_OK=1|0 KTAP_ERROR="why" PASS= FAIL= SKIP= XFAIL= XPASS= ERRORS=
#   BINARIES= BIN_FAILED= FAILED_CASES="bin:case ..." SKIPPED_CASES=...
# A document is well formed when it starts with "KTAP version 1", has a
# plan, one result line per planned subtest, and a "# Totals:" line.
#   usage: ktap-summary.sh KTAP.TXT
# With --cases, print one line per test case instead, tab-separated:
#   OUTCOME<TAB>BINARY<TAB>CASE<TAB>REASON   (pass|fail|skip|xfail)
# where names are taken verbatim (spaces, quotes and backslashes kept).
#   usage: ktap-summary.sh --cases KTAP.TXT
set -euo pipefail
if [ "${1:-}" = --cases ]; then
	f=${2:?usage: ktap-summary.sh --cases KTAP.TXT}
	[ -r "$f" ] || exit 0
	exec awk '
	{ sub(/\r$/, "") }
	/^  (not ok|ok) [0-9]+ / {
		c = $0; sub(/^  (not ok|ok) [0-9]+ /, "", c)
		st = ($1 == "not") ? "fail" : "pass"; why = ""
		if (match(c, / # (SKIP|XFAIL)( |$)/)) {
			st = (substr(c, RSTART + 3, 4) == "SKIP") ? "skip" : "xfail"
			why = substr(c, RSTART + RLENGTH); c = substr(c, 1, RSTART - 1)
		}
		n += 0; cname[n] = c; cst[n] = st; cwhy[n] = why; n++
		next
	}
	/^(not ok|ok) [0-9]+ / {
		b = $0; sub(/^(not ok|ok) [0-9]+ /, "", b); sub(/ #.*/, "", b)
		for (i = 0; i < n; i++) printf "%s\t%s\t%s\t%s\n", cst[i], b, cname[i], cwhy[i]
		n = 0
	}' "$f"
fi
f=${1:?usage: ktap-summary.sh KTAP.TXT}
if [ ! -r "$f" ]; then
	# same variables as for a document, with the error said
	"$0" /dev/null | sed "s/^KTAP_ERROR=.*/KTAP_ERROR='no result file'/"
	exit 0
fi

awk '
function q(s) { gsub(/\047/, "", s); return "\047" s "\047" }
{ sub(/\r$/, "") }
NR == 1 && $0 != "KTAP version 1" { bad = "first line is not \"KTAP version 1\"" }
/^1\.\.[0-9]+$/ { plan = substr($0, 4) + 0; have_plan = 1; next }
/^  KTAP version 1$/ { inbin = 1; next }
/^(not ok|ok) [0-9]+ / {
	results++
	name = $0; sub(/^(not ok|ok) [0-9]+ /, "", name); sub(/ #.*/, "", name)
	if ($1 == "not") { binfail++; failed_bins = failed_bins " " name }
	for (i = 0; i < ncase; i++) {
		if (cstat[i] == "fail") failed = failed " " name ":" cname[i]
		else if (cstat[i] == "skip") skipped = skipped " " name ":" cname[i]
	}
	ncase = 0
	next
}
/^  (not ok|ok) [0-9]+ / {
	c = $0; sub(/^  (not ok|ok) [0-9]+ /, "", c)
	st = ($1 == "not") ? "fail" : "pass"
	if (c ~ / # SKIP/) st = "skip"
	if (c ~ / # XFAIL/) st = "xfail"
	sub(/ #.*/, "", c)
	cname[ncase] = c; cstat[ncase] = st; ncase++
	next
}
/^# Totals: / {
	totals = 1
	for (i = 3; i <= NF; i++) { split($i, kv, ":"); t[kv[1]] = kv[2] + 0 }
}
/^# zcrx-vmtest: exit=/ { guest_exit = substr($0, 21) }
END {
	if (!bad && !have_plan) bad = "no plan line"
	if (!bad && results != plan) bad = sprintf("plan says %d subtests, %d result lines", plan, results)
	if (!bad && !totals) bad = "no \"# Totals:\" line (suite cut short?)"
	printf "KTAP_OK=%d\nKTAP_ERROR=%s\n", bad ? 0 : 1, q(bad)
	printf "PASS=%d\nFAIL=%d\nSKIP=%d\nXFAIL=%d\nXPASS=%d\nERRORS=%d\n", t["pass"], t["fail"], t["skip"], t["xfail"], t["xpass"], t["error"]
	printf "BINARIES=%d\nBIN_FAILED=%d\n", results, binfail
	printf "FAILED_BINARIES=%s\nFAILED_CASES=%s\nSKIPPED_CASES=%s\n", q(failed_bins), q(failed), q(skipped)
	printf "GUEST_EXIT=%s\n", q(guest_exit)
}
' "$f"
