#!/usr/bin/env bash
# One run of a promotion whose evidence is LAVA's health checks
# (PROMOTE_RUN of lava/health.sh requalify, docs/lab.md): with the runner a
# candidate, its device is LOOPING (health.sh sync) and LAVA runs the
# health check again and again; this waits for the next one to finish on
# the runner's device and records it as the run RUN_NAME
# (lava/health.sh import). Only health checks that finish after the
# promotion's first run count (the ids seen are kept per promotion in
# build/lava/health-DEVICE-PPID.seen).
#   usage: RUN_NAME=... ZCRX_RUNNER=RUNNER lava/health-run.sh
# LAVA_WAIT_TIMEOUT (default 7200 s) bounds the wait, polling every
# LAVA_POLL (default 30) s. Exit: 0 recorded; 1 no health check finished
# in time, or lavacli failed (one line; promote then counts the run as
# not recorded).
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
. "$ZCRX_TOP/host-scripts/lava/cli.sh"
: "${RUN_NAME:?RUN_NAME: set by make promote}" "${ZCRX_RUNNER:?ZCRX_RUNNER: set by make promote}"
wait_s=${LAVA_WAIT_TIMEOUT:-7200} poll=${LAVA_POLL:-30}
[[ $wait_s =~ ^[1-9][0-9]*$ ]] || die "LAVA_WAIT_TIMEOUT=$wait_s: expected seconds > 0"
[[ $poll =~ ^[1-9][0-9]*$ ]] || die "LAVA_POLL=$poll: expected seconds > 0"
dev=$(lava_device_of "$ZCRX_RUNNER")
"$ZCRX_TOP/host-scripts/lava/health.sh" sync "$ZCRX_RUNNER" >&2
mkdir -p "$BUILD_DIR/lava"
seen="$BUILD_DIR/lava/health-$dev-$PPID.seen"
finished() { # the finished jobs of the device, newest first: ID per line
	lava_cli jobs list --state FINISHED --verbose --json --limit 100 |
		jq -r --arg d "$dev" '.[] | select(.actual_device == $d) | .id | tostring'
}
if [ ! -f "$seen" ]; then
	# the promotion starts now: what finished before does not count
	finished >"$seen"
fi
deadline=$(($(date +%s) + wait_s))
while :; do
	ids=$(finished | tac)
	for id in $ids; do
		! grep -qxF -- "$id" "$seen" || continue
		echo "$id" >>"$seen"
		if [ "$(lava_cli jobs show "$id" --json | jq -r '.health_check // false')" = true ]; then
			log "runner $ZCRX_RUNNER: health-check job $id on $dev -> $RUN_NAME"
			exec "$ZCRX_TOP/host-scripts/lava/health.sh" import "$id" "$ZCRX_RUNNER"
		fi
	done
	[ "$(date +%s)" -lt "$deadline" ] || die "no health-check job finished on LAVA device $dev within ${wait_s}s (LAVA_WAIT_TIMEOUT); is it LOOPING?"
	sleep "$poll"
done
