#!/usr/bin/env bash
# Run the whole patched suite (make vm-test KSRC=debian) RUNS times in a
# row and count the runs that did not pass, naming each failed case: the
# evidence that the suite has no flakes. With LOAD=1 a from-scratch kernel
# build (tinyconfig, no ccache, JOBS=nproc) runs in a loop beside it, so
# the VM competes for every core as on a busy developer machine. Not a
# test: a measurement for docs/measurements.md.
#   usage: flake-runs.sh [RUNS]     (RUNS=20; LOAD=0|1)
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

runs=${1:-20}
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "RUNS=$runs: expected a positive number"
load=${LOAD:-0}
[[ $load =~ ^[01]$ ]] || die "LOAD=$load: expected 0 or 1"
need_cmd jq jq
tree="$BUILD_DIR/src/linux-source-${KSRC_VERSION:-7.3}"
if [ "$load" = 1 ]; then
	[ -f "$tree/Makefile" ] || die "LOAD=1 builds $tree: run make kernel KSRC=debian first"
fi

# stop_group PGID: TERM to the whole group, KILL after 5 s.
stop_group() {
	local i
	kill -TERM -- "-$1" 2>/dev/null || kill -TERM "$1" 2>/dev/null || true
	for i in 1 2 3 4 5 6 7 8 9 10; do
		kill -0 -- "-$1" 2>/dev/null || return 0
		sleep 0.5
	done
	kill -KILL -- "-$1" 2>/dev/null || true
}

tag=flake-$(date +%Y%m%d-%H%M%S)
table="$RESULTS_DIR/$tag.tsv"
mkdir -p "$RESULTS_DIR"
printf 'run\tverdict\tsuite_s\twall_s\tfailed\n' >"$table"

if [ "$load" = 1 ]; then
	loaddir=$(mktemp -d "${TMPDIR:-/tmp}/zcrx-load.XXXXXX")
	at_exit_rm "$loaddir"
	# its own process group: stopping it stops every make and compiler
	setsid "$ZCRX_TOP/host-scripts/dev/kbuild-load.sh" "$tree" "$loaddir/o" >"$loaddir/log" 2>&1 &
	loadpid=$!
	at_exit "stop_group $loadpid"
	log "load: kernel build loop pid $loadpid in $loaddir"
fi

stop_children_on_signal
fails=0
for i in $(seq 1 "$runs"); do
	name="$tag-$i"
	# in the background: a signal stops this script (and the run) at once
	run_stoppable env RUN_NAME="$name" KSRC=debian "$ZCRX_TOP/host-scripts/vm-test.sh" >/dev/null 2>&1 || true
	s="$RESULTS_DIR/$name/results.json"
	[ -f "$s" ] || die "run $i left no summary ($RESULTS_DIR/$name)"
	jq -r --arg i "$i" '[$i, .verdict, .seconds.suite, .seconds.wall,
		([.cases[] | select(.outcome != "pass" and .outcome != "skip" and .outcome != "xfail") | "\(.binary):\(.name)"] | join(","))] | @tsv' "$s" >>"$table"
	[ "$(jq -r .verdict "$s")" = pass ] || fails=$((fails + 1))
	log "run $i/$runs: $(jq -r .verdict "$s")"
done

cat "$table"
echo "$runs runs (LOAD=$load): $fails not passing; table: $table"
[ "$fails" = 0 ]
