#!/usr/bin/env bash
# A finished LAVA job back into the results history (docs/lab.md): read
# with lavacli, turned into a run directory whose results.json follows
# docs/results.md with run.backend "lava" (sinks/lava.jq), then handed to
# the result sinks of ZCRX_SINKS (default sqlite: the history).
#   usage: sinks/lava.sh --job ID [RUNDIR]   from the lab of LAVA_IDENTITY:
#            lavacli jobs show/definition/logs ID, lavacli results ID
#          sinks/lava.sh --dir DIR [RUNDIR]  from those files saved in DIR
#            (job.json, lava-results.json, definition.yaml, log.yaml: what
#            lava/run-local.sh writes after a lava-run)
# RUNDIR defaults to $RESULTS_DIR/$RUN_NAME, RUN_NAME to lava-ID. The
# runner is ZCRX_RUNNER, else the job's zcrx.runner, else the runner of
# the LAVA device (LAVA_DEVICE_MAP; the device's name by default).
# The run passes only when the job completed, the suite reported its end
# with exit 0, every case passed or skipped, (bare metal) the NIC was
# restored, and the console has no splat: a job that timed out, was
# canceled or is incomplete is recorded as a fail, with LAVA's reason.
# Exit: 0 recorded (whatever the verdict); 1 the job cannot be read or is
# not finished (one line, nothing recorded); 2 called as a ZCRX_SINKS sink.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
. "$ZCRX_TOP/host-scripts/lava/cli.sh"

case ${1:-} in
--job | --dir) [[ $# -ge 2 && $# -le 3 ]] || die "usage: sinks/lava.sh --job ID|--dir DIR [RUNDIR]" ;;
*)
	printf 'zcrx-vmtest: error: the lava sink reads LAVA jobs (sinks/lava.sh --job ID | --dir DIR): it cannot send a run directory anywhere; leave it out of ZCRX_SINKS\n' >&2
	exit 2
	;;
esac
need_cmd jq jq
src=$(mktemp -d)
at_exit_rm "$src"
if [ "$1" = --job ]; then
	id=$2
	[[ $id =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "--job $id: expected a LAVA job id (123 or 123.0)"
	lava_cli jobs show "$id" --json >"$src/job.json"
	state=$(jq -r '.state // ""' "$src/job.json")
	[ "$state" = Finished ] || die "LAVA job $id is ${state:-in no known state}, not finished: nothing recorded"
	lava_cli results "$id" --json >"$src/lava-results.json"
	lava_cli jobs definition "$id" >"$src/definition.yaml"
	lava_cli jobs logs "$id" --raw --no-follow >"$src/log.yaml"
else
	[ -d "$2" ] || die "--dir $2: no such directory"
	for f in job.json lava-results.json definition.yaml; do
		[ -r "$2/$f" ] || die "--dir $2: no $f there"
	done
	cp "$2"/job.json "$2"/lava-results.json "$2"/definition.yaml "$src/"
	[ ! -r "$2/log.yaml" ] || cp "$2/log.yaml" "$src/"
	id=$(jq -r '.id // empty' "$src/job.json")
	[ -n "$id" ] || die "--dir $2: job.json has no id"
fi
jq -e 'type == "object"' "$src/job.json" >/dev/null 2>&1 || die "LAVA job $id: job.json is not a JSON object"
jq -e 'type == "array"' "$src/lava-results.json" >/dev/null 2>&1 || die "LAVA job $id: the results are not a JSON list"

run_name=${RUN_NAME:-lava-$id}
[[ $run_name =~ ^[A-Za-z0-9._+-]+(/[A-Za-z0-9._+-]+)?$ && $run_name != *..* ]] ||
	die "RUN_NAME=$run_name: expected a name of letters, digits and ._+- (one optional /)"
rundir=${3:-$RESULTS_DIR/$run_name}
if [ -e "$rundir" ]; then
	# the same job again replaces its run; anything else is kept
	[ "$(jq -r '.id // empty' "$rundir/lava/job.json" 2>/dev/null)" = "$id" ] ||
		die "$rundir already exists (and is not LAVA job $id)"
fi

# the definition's metadata, the console (target lines of the log) and
# what the guest said on it
meta=$(yaml_to_json "$src/definition.yaml" | jq -c '.metadata // {} | map_values(tostring)') ||
	die "LAVA job $id: its definition is not YAML"
: >"$src/console.log"
if [ -s "$src/log.yaml" ]; then
	yaml_to_json "$src/log.yaml" |
		jq -r '.[]? | select(.lvl == "target" and (.msg | type) == "string") | .msg' >"$src/console.log" ||
		die "LAVA job $id: its log is not YAML"
fi
sed -n 's/.*zcrx-lava: case=\([A-Za-z0-9_.-]*\) result=.*/\1/p' "$src/console.log" | jq -R . | jq -cs . >"$src/ids.json"
nic=$(sed -n 's/.*zcrx-lava: nic \({.*}\)[[:space:]]*$/\1/p' "$src/console.log" | tail -n 1)
[ -n "$nic" ] && jq -e 'type == "object"' <<<"$nic" >/dev/null 2>&1 || nic=null
splat_records=$("$ZCRX_TOP/host-scripts/report/splats.sh" --records "$src/console.log" 2>/dev/null || true)
device=$(jq -r '.device // ""' "$src/job.json")
runner=${ZCRX_RUNNER:-$(jq -r '.["zcrx.runner"] // empty' <<<"$meta")}
[ -n "$runner" ] || runner=$(lava_runner_of "${device:-unknown}")

mkdir -p "$rundir/lava"
cp "$src"/job.json "$src"/lava-results.json "$src"/definition.yaml "$rundir/lava/"
[ ! -f "$src/log.yaml" ] || cp "$src/log.yaml" "$rundir/lava/"
cp "$src/console.log" "$rundir/console.log"
jq -n --slurpfile jobfile "$src/job.json" --slurpfile resfile "$src/lava-results.json" \
	--argjson meta "$meta" --slurpfile idsfile "$src/ids.json" --argjson nic "$nic" \
	--arg splat_records "$splat_records" --arg run "$run_name" --arg runner "$runner" \
	--arg suite "$(git -C "$ZCRX_TOP" describe --always --dirty 2>/dev/null || echo unknown)" \
	--arg now "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
	-f "$ZCRX_TOP/host-scripts/sinks/lava.jq" \
	>"$rundir/results.json.tmp"
bad=$(jq -r -f "$ZCRX_TOP/host-scripts/report/results-valid.jq" "$rundir/results.json.tmp")
[ -z "$bad" ] || die "LAVA job $id: the results.json made from it does not match docs/results.md: ${bad//$'\n'/; }"
mv "$rundir/results.json.tmp" "$rundir/results.json"
"$ZCRX_TOP/host-scripts/report/splats.sh" "$rundir/console.log" >"$rundir/splats.txt" 2>&1 || true
[ -n "$splat_records" ] || rm -f "$rundir/splats.txt"

# the history (and any other sink), as vm-test.sh hands over its runs
for s in ${ZCRX_SINKS-sqlite}; do
	[ "$s" != lava ] || continue
	[[ $s =~ ^[a-z0-9_-]+$ && -f "$ZCRX_TOP/host-scripts/sinks/$s.sh" ]] || die "ZCRX_SINKS: no result sink '$s'"
	ZCRX_RUN_KIND=${ZCRX_RUN_KIND:-lava} "$ZCRX_TOP/host-scripts/sinks/$s.sh" "$rundir" >"$rundir/sink-$s.log" 2>&1 ||
		die "result sink $s failed for LAVA job $id (see $rundir/sink-$s.log)"
done
jq -r '"lava: job \(.lava.job) on \(.lava.device // "?"): \(.verdict) (\(.counts.pass) passed, \(.counts.fail) failed, \(.counts.skip) skipped, \(.counts.error) errors)\(if .reasons != [] then ": " + (.reasons | join("; ")) else "" end) -> \($rd)"' \
	--arg rd "$rundir" "$rundir/results.json"
