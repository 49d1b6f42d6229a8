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
preflight_vm_test
run_name=${RUN_NAME:-$(date +%Y%m%d-%H%M%S)-$(printf '%s' "${KERNEL:-default}" | tr -c 'A-Za-z0-9.' '_')-$$}
[[ $run_name =~ ^[A-Za-z0-9._+-]+(/[A-Za-z0-9._+-]+)?$ && $run_name != *..* ]] ||
	die "RUN_NAME=$run_name: expected a name of letters, digits and ._+- (one optional /)"
rundir="$RESULTS_DIR/$run_name"
[ ! -e "$rundir" ] || die "RUN_NAME=$run_name: $rundir already exists"
t0=$(date +%s.%N)

# Host tools, installed from the host's own release when missing.
if [ -z "${QEMU:-}" ]; then
	need_cmd qemu-system-x86_64 qemu-system-x86
fi
need_cmd gcc gcc
need_cmd make make
need_file /usr/lib/x86_64-linux-gnu/libc.a libc6-dev
need_cmd jq jq
need_cmd cpio cpio
need_cmd xz xz-utils
need_cmd flock util-linux
# the multiqueue tap network needs ip (root only; otherwise VM_NET=auto is hub)
if is_root && [[ ${VM_NET:-auto} =~ ^(auto|tap)$ ]]; then
	need_cmd ip iproute2
fi

# Everything before the boot goes to a staging directory, moved into the
# run directory when the VM starts, removed when the run stops earlier.
stage=$(mktemp -d "$BUILD_DIR/.run-stage.XXXXXX")
at_exit_rm "$stage"
initrd="$BUILD_DIR/initramfs/run-$$.cpio"
at_exit_rm "$initrd"
at_exit_rm "$initrd.tmp"
# Long steps run in the background (run_stoppable) so Ctrl-C or SIGTERM
# takes effect at once, in any phase; their whole process tree is stopped.
stop_children_on_signal

# What concurrent runs share (downloads, guest build, kernel build) is
# prepared under one lock; the VMs themselves run side by side.
lock_take prepare "preparing its kernel and guest image"
if [ -n "${KSRC:-}" ]; then
	run_stoppable "$ZCRX_TOP/host-scripts/kernels/build-kernel.sh" "$stage/kernel.env"
else
	KERNEL="$KERNEL" run_stoppable "$ZCRX_TOP/host-scripts/kernels/fetch-kernel.sh" "$stage/kernel.env"
fi
# shellcheck disable=SC1091
. "$stage/kernel.env"

# 1. toolchain and guest binaries
run_stoppable "$ZCRX_TOP/host-scripts/fetch-toolchain.sh"
# shellcheck disable=SC1091
. "$DEPS_DIR/toolchain.env"
# ZCRX_TESTS=a,b builds and runs only those binaries, in their own dir.
guest_out="$BUILD_DIR/guest"
sel_make=()
if [ -n "${ZCRX_TESTS:-}" ]; then
	guest_out="$BUILD_DIR/guest-$(printf '%s' "$ZCRX_TESTS" | tr -c 'A-Za-z0-9_' '_')"
	sel_make=(TESTS="${ZCRX_TESTS//,/ }")
fi
build_failed() {
	mkdir -p "$BUILD_DIR/logs"
	cp "$stage/build.log" "$BUILD_DIR/logs/guest-build.log"
	die "$1 failed; see $BUILD_DIR/logs/guest-build.log"
}
log "building guest tests and init"
run_stoppable make -s -C "$ZCRX_TOP/guest-tests" OUT="$guest_out" "${sel_make[@]}" \
	UAPI_INC="$UAPI_INC" URING="$URING" KSFT_INC="$KSFT_INC" >"$stage/build.log" 2>&1 ||
	build_failed "guest test build"
run_stoppable make -s -C "$ZCRX_TOP/images" OUT="$BUILD_DIR/image" >>"$stage/build.log" 2>&1 ||
	build_failed "guest init build"

# 2. image
mkdir -p "$BUILD_DIR/initramfs"
run_stoppable "$ZCRX_TOP/images/mkinitramfs.sh" "$initrd" "$BUILD_DIR/image/init" "$guest_out" "$MODROOT"
lock_drop prepare
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
	if kill -0 "$vm_pid" 2>/dev/null; then
		kill -TERM "$vm_pid" 2>/dev/null || true
		for _ in 1 2 3 4 5 6 7 8; do
			kill -0 "$vm_pid" 2>/dev/null || break
			sleep 0.5
		done
		kill -KILL "$vm_pid" 2>/dev/null || true
	fi
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
