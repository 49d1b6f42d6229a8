#!/usr/bin/env bash
# Runner promotion on evidence (docs/runners.md): runner states new ->
# candidate -> trusted -> quarantined (and retired), kept in the results
# history with every transition and its reason.
#   promote.sh run [RUNNER]        make hw-test again and again until every case has
#                                  passed (or skipped for the same reason) PROMOTE_N
#                                  times in a row against the baseline, with no splat,
#                                  no flake and a verified NIC restore each time: then
#                                  trusted. Any miss resets the count and names the case
#                                  with its history; PROMOTE_MAX_RUNS bounds the tries.
#   promote.sh judge RUN           a trusted runner whose run flaked or failed its NIC
#                                  restore (the runner's fault, not the kernel's) is
#                                  quarantined
#   promote.sh set RUNNER STATE REASON   by hand: quarantined, retired, candidate (requalify)
#   promote.sh show [RUNNER]       states and the transitions
# RUNNER defaults to ZCRX_RUNNER, else HOST:NETIF as make hw-test names it
# (NETIF from the environment or net.config, as make hw-test reads it).
# PROMOTE_N: 16, the netdev CI's rule for hardware runners.
# PROMOTE_RUN: the command that makes one run (default host-scripts/hw-test.sh),
# given RUN_NAME and ZCRX_RUNNER in its environment.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$ZCRX_TOP/host-scripts/sinks/sqlite-db.sh"
. "$ZCRX_TOP/host-scripts/history/queries.sh"
. "$ZCRX_TOP/host-scripts/history/runners.sh"
. "$ZCRX_TOP/host-scripts/hw/net-config.sh"

usage() { sed -n '5,23s/^# \{0,1\}//p' "$0" >&2; exit 2; }
[ $# -gt 0 ] || usage
cmd=$1
shift
db_ensure
case $cmd in
run)
	if [ -z "${1:-}${ZCRX_RUNNER:-}" ]; then
		cfg=${NET_CONFIG:-}
		[ -n "$cfg" ] || [ ! -f "${ZCRX_CALLER_PWD:-$PWD}/net.config" ] || cfg="${ZCRX_CALLER_PWD:-$PWD}/net.config"
		[ -z "$cfg" ] || hw_config_load "$cfg" || exit 2
		[ -n "${NETIF:-}" ] || { echo "promote: name the runner (RUNNER=) or its NIC (NETIF, net.config)" >&2; exit 2; }
	fi
	promote_run "${1:-${ZCRX_RUNNER:-$(hostname):$NETIF}}"
	;;
judge) [ $# = 1 ] || usage; runner_judge "$1" ;;
set)
	[ $# = 3 ] || usage
	case $2 in candidate | quarantined | retired) ;; *) echo "promote: state $2: candidate, quarantined or retired by hand (trusted only on evidence)" >&2; exit 2 ;; esac
	runner_set "$1" "$2" "$3" ""
	;;
show) runner_show "${1:-}" ;;
-h | --help | help) usage ;;
*) echo "promote: unknown command '$cmd'" >&2; usage ;;
esac
