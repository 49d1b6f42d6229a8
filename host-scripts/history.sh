#!/usr/bin/env bash
# The results history (docs/results.md): what every run recorded in the
# SQLite database (ZCRX_DB, default results/history.sqlite), queried.
#   history.sh runs [-n N] [--runner R] [--kernel K] [--kind K]   the last N runs
#   history.sh case GLOB [-n N]       outcomes of cases matching binary:name GLOB over time
#   history.sh flips [-n N]           cases whose outcome changed within the last N runs of
#                                     each runner x kernel x NIC
#   history.sh diff RUN-A RUN-B       B against A: regressions, fixes, new skips, flakes,
#                                     new splats, by case and spec row (exit 1 on a regression)
#   history.sh baseline derive SERIES NIC [-n N]  expected outcomes from the last N clean runs
#   history.sh baseline pin SERIES NIC BINARY:NAME OUTCOME [REASON]
#   history.sh baseline show SERIES NIC
#   history.sh check RUN              RUN against its baseline (kernel series x NIC class),
#                                     known issues applied and shown (exit 1 on a regression)
#   history.sh known add SCOPE GLOB REASON [EXPIRES]   SCOPE: all | runner:NAME | nic:DRIVER
#   history.sh known list | known rm ID
#   history.sh series NAME            the runs of a presubmit series (v1, v2, ...)
# SERIES is a kernel series (7.3), NIC a NIC class: the driver, or "none".
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$ZCRX_TOP/host-scripts/sinks/sqlite-db.sh"
. "$ZCRX_TOP/host-scripts/history/queries.sh"

usage() { sed -n '3,20s/^# \{0,1\}//p' "$0" >&2; exit 2; }
[ $# -gt 0 ] || usage
cmd=$1
shift
db_ensure
case $cmd in
runs) hist_runs "$@" ;;
case) hist_case "$@" ;;
flips) hist_flips "$@" ;;
diff) hist_diff "$@" ;;
baseline) hist_baseline "$@" ;;
check) hist_check "$@" ;;
known) hist_known "$@" ;;
series) hist_series "$@" ;;
-h | --help | help) usage ;;
*) echo "history: unknown command '$cmd'" >&2; usage ;;
esac
