#!/usr/bin/env bash
# On a bare-metal runner, inside a LAVA test shell (the hw jobs of
# lava/jobs.sh): make hw-test's results.json as LAVA test cases, through
# LAVA's lava-test-case:
#   BINARY.CASE  pass, skip, or fail (fail, error, timeout and flake: fail)
#   nic-restore  pass when the NIC's state was restored and verified
#   end          pass when make hw-test exited 0
# and one console line "zcrx-lava: nic {JSON}" with the NIC (driver,
# firmware, bus) for the results history (sinks/lava.sh reads it back).
#   usage: lava/hw-cases.sh RESULTS.json HW-TEST-EXIT-STATUS
# A missing or unreadable results.json (make hw-test refused to run) gives
# "end" fail and no other case. Exit: 0, or 1 when lava-test-case is missing.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
[ "$#" -eq 2 ] || die "usage: lava/hw-cases.sh RESULTS.json HW-TEST-EXIT-STATUS"
results=$1 rc=$2
command -v lava-test-case >/dev/null 2>&1 || die "no lava-test-case: this runs inside a LAVA test shell"
end=fail
[ "$rc" != 0 ] || end=pass
if [ -r "$results" ] && jq -e '.cases | type == "array"' "$results" >/dev/null 2>&1; then
	jq -r '.cases[] | [.binary + "." + .name,
		(if .outcome == "pass" or .outcome == "xfail" then "pass" elif .outcome == "skip" then "skip" else "fail" end)]
		| @tsv' "$results" |
		while IFS=$'\t' read -r name result; do
			# LAVA takes letters, digits and ._- in a case name
			lava-test-case "${name//[^A-Za-z0-9_.-]/_}" --result "$result"
		done
	restore=$(jq -r '.nic.restore // "none"' "$results")
	lava-test-case nic-restore --result "$([ "$restore" = verified ] && echo pass || echo fail)"
	printf 'zcrx-lava: nic %s\n' "$(jq -c '.nic // {}' "$results")"
else
	warn "no results.json at $results (make hw-test exited $rc before the suite)"
	end=fail
fi
lava-test-case end --result "$end"
