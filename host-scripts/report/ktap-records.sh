#!/usr/bin/env bash
# The one KTAP parser: read the suite's KTAP version 1 document (binaries
# nested as indented subtests, kselftest harness inside) -- or the kernel's
# own kselftest runner output (run_kselftest.sh, make selftests: "TAP
# version 13", each test's own KTAP nested behind "# ", its result line
# "ok N selftests: DIR: NAME", BINARY then DIR/NAME, no top-level Totals:
# the tests' own "# # Totals:" lines are summed) -- and print one
# tab-separated record per line, names verbatim:
#   doc    OK(1|0)  ERROR                        (well formed or why not)
#   bin    BINARY   OUTCOME  REASON  SECONDS     (SECONDS empty if unknown)
#   case   BINARY   CASE     OUTCOME REASON
#   totals PASS FAIL XFAIL XPASS SKIP ERROR
#   uptime SUITE_START SUITE_END                 (guest uptime, seconds)
#   exit   GUEST_EXIT
# OUTCOME is pass, fail, skip, xfail, error or timeout (KTAP directives
# SKIP, XFAIL, ERROR, TIMEOUT on the result line), or flake: a case that
# failed and passed when retried ("# zcrx-vmtest: retry BIN:CASE ok"). A document is well
# formed when it starts with "KTAP version 1", has a plan, one result line
# per planned subtest and a "# Totals:" line. report/results.sh turns the
# records into results.json; nothing else reads the KTAP.
#   usage: ktap-records.sh KTAP.TXT
set -euo pipefail
f=${1:?usage: ktap-records.sh KTAP.TXT}
if [ ! -r "$f" ]; then
	printf 'doc\t0\tno result file\n'
	exit 0
fi
exec awk '
function tabless(s) { gsub(/\t/, " ", s); return s }
# split a result line body into name, outcome, reason
function result(body, notok,    d) {
	R_out = notok ? "fail" : "pass"; R_why = ""; R_name = body
	if (match(body, / # (SKIP|XFAIL|ERROR|TIMEOUT)( |$)/)) {
		d = substr(body, RSTART + 3, RLENGTH - 3); sub(/ $/, "", d)
		R_name = substr(body, 1, RSTART - 1)
		R_why = substr(body, RSTART + RLENGTH)
		R_out = d == "SKIP" ? "skip" : d == "XFAIL" ? "xfail" : d == "ERROR" ? "error" : "timeout"
	} else if (match(body, / # /)) {
		R_why = substr(body, RSTART + 3); R_name = substr(body, 1, RSTART - 1)
	}
	R_name = tabless(R_name); R_why = tabless(R_why)
}
BEGIN { n = 0 }
{ sub(/\r$/, "") }
NR == 1 && $0 == "TAP version 13" { runner = 1; next }
NR == 1 && $0 != "KTAP version 1" { bad = "first line is not \"KTAP version 1\"" }
/^1\.\.[0-9]+$/ { plan = substr($0, 4) + 0; have_plan = 1; next }
runner && /^# # Totals: / {
	for (i = 4; i <= NF; i++) { split($i, kv, ":"); t[kv[1]] += kv[2] + 0 }
	next
}
(!runner && /^  (not ok|ok) [0-9]+ /) || (runner && /^# (not ok|ok) [0-9]+ /) {
	c = $0; sub(/^(  |# )(not ok|ok) [0-9]+ /, "", c)
	result(c, $0 ~ /^(  |# )not ok/)
	cname[n] = R_name; cout[n] = R_out; cwhy[n] = R_why; n++
	next
}
# a failed case run once more alone (images/suite-runner.c): passing then
# makes it a flake; the result line of its binary follows
/^# zcrx-vmtest: retry [^ ]+ (ok|not ok)$/ {
	rc = $0; sub(/^# zcrx-vmtest: retry [^:]+:/, "", rc); sub(/ (ok|not ok)$/, "", rc)
	for (i = 0; i < n; i++) {
		if (cname[i] != rc || cout[i] != "fail") continue
		if ($NF == "ok" && $(NF - 1) != "not") {
			cout[i] = "flake"; cwhy[i] = "failed, then passed when run again alone"
		} else {
			cwhy[i] = (cwhy[i] == "" ? "" : cwhy[i] " ") "(failed again when run alone)"
		}
	}
	next
}
/^# zcrx-vmtest: .+ took [0-9.]+ s$/ { took = $(NF - 1); next }
/^(not ok|ok) [0-9]+ / {
	results++
	b = $0; sub(/^(not ok|ok) [0-9]+ /, "", b)
	result(b, $1 == "not")
	if (runner && match(R_name, /^selftests: [^:]+: /)) {
		d = substr(R_name, 12, RLENGTH - 13)
		R_name = d "/" substr(R_name, RLENGTH + 1)
	}
	printf "bin\t%s\t%s\t%s\t%s\n", R_name, R_out, R_why, took
	for (i = 0; i < n; i++) printf "case\t%s\t%s\t%s\t%s\n", R_name, cname[i], cout[i], cwhy[i]
	n = 0; took = ""
	next
}
!runner && /^# Totals: / {
	totals = 1
	for (i = 3; i <= NF; i++) { split($i, kv, ":"); t[kv[1]] = kv[2] + 0 }
}
/^# zcrx-vmtest: uptime suite-start=/ {
	s = $0; sub(/.*suite-start=/, "", s); sub(/ .*/, "", s)
	e = $0; sub(/.*suite-end=/, "", e)
	printf "uptime\t%s\t%s\n", s + 0, e + 0
}
/^# zcrx-vmtest: exit=/ { printf "exit\t%s\n", substr($0, 21) }
END {
	if (!bad && !have_plan) bad = "no plan line"
	if (!bad && results != plan) bad = sprintf("plan says %d subtests, %d result lines", plan, results)
	if (!bad && !totals && !runner) bad = "no \"# Totals:\" line (suite cut short?)"
	printf "totals\t%d\t%d\t%d\t%d\t%d\t%d\n", t["pass"], t["fail"], t["xfail"], t["xpass"], t["skip"], t["error"]
	printf "doc\t%d\t%s\n", bad ? 0 : 1, bad
}' "$f"
