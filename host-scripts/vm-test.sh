#!/usr/bin/env bash
# make vm-test: fetch what is missing, build the guest suite and image,
# boot the kernel, and report. Results go to $RESULTS_DIR/<run>/:
#   console.log  serial console      ktap.txt      the suite's KTAP
#   results.json the run (docs/results.md)   splats.txt   splat excerpts (if any)
# Exit status: 0 only when every case passed or skipped, the KTAP is well
# formed, the guest reported, and the console has no kernel splat; 130/143
# when interrupted (results.json then says "interrupted").
# The run directory is made only when the VM boots: a run rejected before
# (bad knob, failed download or build) leaves nothing under $RESULTS_DIR.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$ZCRX_TOP/vm/machine.conf"
. "$ZCRX_TOP/host-scripts/preflight.sh"

KERNEL=${KERNEL:-}
ZCRX_TESTS=${ZCRX_TESTS:-${TESTS:-}} # make passes TESTS as ZCRX_TESTS

# 0. preflight: bad input fails here, before anything slow
preflight_vm_test suite
run_name=${RUN_NAME:-$(date +%Y%m%d-%H%M%S)-$(printf '%s' "${KERNEL:-default}" | tr -c 'A-Za-z0-9.' '_')-$$}
[[ $run_name =~ ^[A-Za-z0-9._+-]+(/[A-Za-z0-9._+-]+)?$ && $run_name != *..* ]] ||
	die "RUN_NAME=$run_name: expected a name of letters, digits and ._+- (one optional /)"
rundir="$RESULTS_DIR/$run_name"
[ ! -e "$rundir" ] || die "RUN_NAME=$run_name: $rundir already exists"
t0=$(date +%s.%N)

. "$ZCRX_TOP/host-scripts/vm-prepare.sh"
vm_prepare_suite
t_prep=$(date +%s.%N)

# 3. boot and run: the run directory exists from here on
mkdir -p "$(dirname "$rundir")"
mv "$stage" "$rundir"
ln -sfn "$run_name" "$RESULTS_DIR/latest"

. "$ZCRX_TOP/host-scripts/report/results.sh"
. "$ZCRX_TOP/host-scripts/report/verdict.sh"
# VM=NAME runs the backend file host-scripts/backends/NAME.sh
runner="$ZCRX_TOP/host-scripts/backends/${VM:-qemu}.sh"
vm_pid=
# Ctrl-C or SIGTERM while the VM runs: stop the backend (it stops QEMU),
# and say "interrupted" in results.json.
stop_vm() {
	[ -n "$vm_pid" ] || return 0
	stop_pid "$vm_pid"
	if [ -n "$ZCRX_SIGNAL" ]; then
		echo interrupted >"$rundir/vm.status"
		write_results interrupted "interrupted by SIG$ZCRX_SIGNAL"
		printf '\n== zcrx-vmtest: interrupted by SIG%s; results so far: %s\n' "$ZCRX_SIGNAL" "$rundir" >&2
	fi
}
at_exit stop_vm
set +e
"$runner" "$VMLINUZ" "$initrd" "$rundir" &
vm_pid=$!
wait "$vm_pid"
vm_rc=$?
set -e
vm_pid=
t_end=$(date +%s.%N)

# 4. verdict
verdict_and_results
run_sinks
report
