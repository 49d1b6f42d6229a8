#!/usr/bin/env bash
# Run one LAVA job on this machine with LAVA's own dispatcher (lava-run,
# Debian's lava-dispatcher, installed from the host's release without
# recommends when missing) and no server: the job is first checked with
# LAVA's schema (lava/validate.sh), then run as root in a private mount
# namespace whose /var/lib/lava/dispatcher (lava-run's download and work
# directory, fixed in lava_common.constants) is OUTDIR/var, so nothing is
# left outside OUTDIR. Bounded by the job's own timeout + 120 s.
#   usage: lava/run-local.sh DEVICE.yaml JOB.yaml OUTDIR [DEVICE-NAME]
# OUTDIR gets lava-run's output (result.yaml, description.yaml), its log
# (lava-run.log) and the job in the form sinks/lava.sh --dir reads:
# job.json (as "lavacli jobs show --json": health Complete/Incomplete),
# lava-results.json (as "lavacli results --json"), definition.yaml,
# log.yaml; seconds: the wall time of lava-run.
# Exit: 0 the job completed; 1 it did not (incomplete, canceled, timed
# out: job.json says why) or bad input (one line).
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
. "$ZCRX_TOP/host-scripts/lava/cli.sh"
[[ $# -ge 3 && $# -le 4 ]] || die "usage: lava/run-local.sh DEVICE.yaml JOB.yaml OUTDIR [DEVICE-NAME]"
device=$(realpath -- "$1") job=$(realpath -- "$2") out=$3 name=${4:-local}
[ -r "$device" ] || die "$1: no such device configuration"
[ -r "$job" ] || die "$2: no such job"
is_root || die "lava-run runs as root only (it starts QEMU and mounts); run as root"
command -v lava-run >/dev/null 2>&1 || host_install --no-install-recommends lava-dispatcher
command -v lava-run >/dev/null 2>&1 || die "lava-dispatcher installed but lava-run is missing"
[ -d /var/lib/lava/dispatcher ] || die "no /var/lib/lava/dispatcher: lava-dispatcher is not installed right"
need_cmd unshare util-linux
"$ZCRX_TOP/host-scripts/lava/validate.sh" "$job"
tmo=$(yaml_to_json "$job" | jq -r '.timeouts.job | (.seconds // 0) + 60 * (.minutes // 0) + 3600 * (.hours // 0) + 86400 * (.days // 0)')
[[ $tmo =~ ^[1-9][0-9]*$ ]] || die "$2: no job timeout"
mkdir -p "$out"
out=$(cd "$out" && pwd)
rm -rf "${out:?}/var" "${out:?}/run"
mkdir -p "$out/var/tmp" "$out/run"
cp "$job" "$out/definition.yaml"
id=$$
log "lava-run job $id ($(basename "$job")) on $name, at most $((tmo + 120)) s -> $out"
t0=$(date +%s.%N)
rc=0
stop_children_on_signal
# shellcheck disable=SC2016 # expanded by the inner shell
run_stoppable timeout --kill-after=15 $((tmo + 120)) unshare --mount --propagation private -- bash -c '
	mount --bind "$1/var" /var/lib/lava/dispatcher
	exec lava-run --job-id "$2" --device "$3" --output-dir "$1/run" "$4"' zcrx-lava "$out" "$id" "$device" "$job" \
	>"$out/lava-run.log" 2>&1 || rc=$?
t1=$(date +%s.%N)
awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f\n", b - a }' >"$out/seconds"
rm -rf "${out:?}/var"

# the log: one YAML record per line (lava-run's own lines), as a list
grep '^{' "$out/lava-run.log" | sed 's/^/- /' >"$out/log.yaml" || true
yaml_to_json "$out/log.yaml" >"$out/log.json"
why=''
case $rc in
0 | 1) ;;
124 | 137) why="lava-run did not end within $((tmo + 120)) s" ;;
*) why="lava-run exited $rc: $(grep -v "^{" "$out/lava-run.log" | tail -n 1 | cut -c1-200 || true)" ;;
esac
jq -n --slurpfile rr "$out/log.json" --arg id "$id" --arg name "$name" --arg why "$why" \
	--arg jobname "$(yaml_to_json "$job" | jq -r .job_name)" \
	--arg dtype "$(yaml_to_json "$job" | jq -r '.device_type // ""')" '
	$rr[0] as $r
	| ([$r[] | select(.lvl == "results" and .msg.definition == "lava" and .msg.case == "job") | .msg] | last) as $j
	| {id: $id, description: $jobname, device: $name, device_type: $dtype, health_check: false,
	   state: "Finished",
	   health: (if $why == "" and $j.result == "pass" then "Complete"
		    elif ($j.error_type // "") == "Canceled" then "Canceled" else "Incomplete" end),
	   submit_time: ($r[0].dt // null), start_time: ($r[0].dt // null), end_time: ($r[-1].dt // null),
	   failure_comment: (if $why != "" then $why else ($j.error_msg // null) end)}' >"$out/job.json"
# every result as lava-server exports it: extra as a list of one-key maps
jq -n --slurpfile rr "$out/log.json" '[$rr[0][] | select(.lvl == "results") | .msg
	| {name: .case, suite: .definition, result: .result, level: (.level // ""),
	   metadata: (. + (if (.extra | type) == "object" then {extra: [.extra | to_entries[] | {(.key): .value}]} else {} end))}]' \
	>"$out/lava-results.json"
rm -f "$out/log.json"
[ "$(jq -r .health "$out/job.json")" = Complete ]
