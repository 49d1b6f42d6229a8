#!/usr/bin/env bash
# A runner's promotion state (make promote, docs/runners.md) as its LAVA
# device's health, and LAVA health checks as the evidence of promotion
# (docs/lab.md):
#   trusted -> GOOD         LAVA schedules jobs on it
#   candidate -> LOOPING    LAVA runs its health check again and again and
#                           nothing else; each one is a run of the promotion
#   new -> MAINTENANCE      nothing runs until the promotion starts
#   quarantined -> BAD      nothing runs; only a new promotion clears it
#   retired -> RETIRED
# (UNKNOWN is never set: LAVA would make the device GOOD after a single
# passing health check, short of the PROMOTE_N clean runs in a row.)
#   usage: lava/health.sh map STATE          the health of a state
#          lava/health.sh sync [RUNNER...]   set the health of each runner's
#                 device (all runners of the history when none is named)
#          lava/health.sh import JOB [RUNNER]  a finished health-check job into
#                 the history (sinks/lava.sh, kind health-check); a trusted
#                 runner whose check is not clean (a failed case, a flake, a
#                 splat, a NIC not restored: promotion's rule) is quarantined;
#                 then its health is synced
#          lava/health.sh requalify RUNNER   make promote with LAVA's health
#                 checks as its runs (PROMOTE_RUN=lava/health-run.sh): LOOPING
#                 until PROMOTE_N clean ones in a row, then GOOD
# Runners and devices: LAVA_DEVICE_MAP (lava/cli.sh); the lab: LAVA_IDENTITY.
# Exit: 0; 1 lavacli failed (one line) or the promotion did not end trusted;
# 2 usage or an unknown state.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
. "$ZCRX_TOP/host-scripts/lava/cli.sh"
. "$ZCRX_TOP/host-scripts/sinks/sqlite-db.sh"
. "$ZCRX_TOP/host-scripts/history/queries.sh"
. "$ZCRX_TOP/host-scripts/history/runners.sh"

usage() { sed -n '13,27s/^# \{0,1\}//p' "$0" >&2; exit 2; }

health_of() {
	case $1 in
	trusted) echo GOOD ;;
	candidate) echo LOOPING ;;
	new) echo MAINTENANCE ;;
	quarantined) echo BAD ;;
	retired) echo RETIRED ;;
	*) ZCRX_DIE_RC=2 die "runner state '$1': expected new, candidate, trusted, quarantined or retired" ;;
	esac
}

sync_runner() { # sync_runner RUNNER
	local state dev h
	state=$(runner_state "$1")
	[ -n "$state" ] || ZCRX_DIE_RC=2 die "runner $1 is not in the history ($DB)"
	h=$(health_of "$state")
	dev=$(lava_device_of "$1")
	lava_cli devices update --health "$h" "$dev" >/dev/null
	echo "health: runner $1 ($state) -> LAVA device $dev: $h"
}

[ $# -gt 0 ] || usage
cmd=$1
shift
case $cmd in
map)
	[ $# = 1 ] || usage
	health_of "$1"
	;;
sync)
	need_cmd sqlite3 sqlite3
	db_ensure
	[ $# -gt 0 ] || mapfile -t runners < <(db_query "SELECT name FROM runners WHERE state IS NOT NULL ORDER BY name;")
	[ $# = 0 ] || runners=("$@")
	for r in "${runners[@]}"; do sync_runner "$r"; done
	;;
import)
	[[ $# -ge 1 && $# -le 2 ]] || usage
	need_cmd sqlite3 sqlite3
	job=$1
	[[ $job =~ ^[0-9]+(\.[0-9]+)?$ ]] || ZCRX_DIE_RC=2 die "JOB $job: expected a LAVA job id"
	runner=${2:-}
	if [ -z "$runner" ]; then
		dev=$(lava_cli jobs show "$job" --json | jq -r '.device // empty')
		[ -n "$dev" ] || die "LAVA job $job ran on no device"
		runner=$(lava_runner_of "$dev")
	fi
	run=${RUN_NAME:-lava-health-$job}
	RUN_NAME=$run ZCRX_RUNNER=$runner ZCRX_RUN_KIND=${ZCRX_RUN_KIND:-health-check} \
		"$ZCRX_TOP/host-scripts/sinks/lava.sh" --job "$job"
	db_ensure
	if [ "$(runner_state "$runner")" = trusted ]; then
		why=$(run_clean "$run" "")
		# a VM's health check has no NIC to restore
		if [ -z "$(db_query "SELECT coalesce(nic_restore, '') FROM runs WHERE name = $(sql_str "$run");")" ]; then
			why=$(sed 's/NIC restore none//; s/^ *//; s/ *$//' <<<"$why")
		fi
		[ -z "$why" ] || runner_set "$runner" quarantined "health-check job $job: $why" "$run"
	fi
	[ -z "$(runner_state "$runner")" ] || sync_runner "$runner"
	;;
requalify)
	[ $# = 1 ] || usage
	rc=0
	mkdir -p "$RESULTS_DIR"
	PROMOTE_RUN="$ZCRX_TOP/host-scripts/lava/health-run.sh" ZCRX_RUNNER=$1 \
		"$ZCRX_TOP/host-scripts/promote.sh" run "$1" || rc=$?
	sync_runner "$1"
	exit "$rc"
	;;
*) usage ;;
esac
