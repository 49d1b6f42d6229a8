#!/usr/bin/env bash
# make vm-run CMD='...' / make vm-shell: boot the selected kernel (every
# KERNEL, KSRC, KCONFIG, VM_* knob applies) with the NICs and the netdevsim
# pair set up as for the suite, and run CMD as root in the Debian guest
# image (images/guest-image.sh), with NETIF, LOCAL_V4/V6, REMOTE_V4/V6,
# REMOTE_TYPE=netns and REMOTE_ARGS in its environment, starting in the
# directory you ran make from (ZCRX_CALLER_PWD), which the guest sees at
# the same path (VM_SHARE=DIR to share another one; VM_SHARE=none: none).
#   usage: vm-run.sh cmd 'COMMAND'   |   vm-run.sh shell
# Output streams to stdout; the shell works on a terminal and from a pipe
# (`printf 'exit 7\n' | make vm-shell` exits 7).
# Exit status (docs/guest.md):
#   0..255  the command's own status; killed by signal N: 128 + N
#   124     the VM timed out (VM_TIMEOUT)
#   125     the command did not run: a bad knob, a failed kernel or image
#           build (before the boot), or the guest ended without reporting
#           its status (QEMU failed, or the image could not be set up)
#   255     the kernel panicked (as virtme-ng)
#   130/143 interrupted (Ctrl-C, SIGTERM)
# A kernel splat is printed (splats.txt) whatever the status. The console,
# the command's status and QEMU's command line stay in results/<run>/.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$ZCRX_TOP/vm/machine.conf"
. "$ZCRX_TOP/host-scripts/preflight.sh"
# Until the VM starts, a failure here is not the command's: 125, never a
# status the command could have returned (a bad knob, a failed build).
ZCRX_DIE_RC=125
set -E
trap 'zcrx_on_err; exit 125' ERR

mode=${1:-}
cmd=${2:-}
case $mode in
cmd) [ -n "$cmd" ] || die "CMD is empty: make vm-run CMD='your command' (or make vm-shell)" ;;
shell) ;;
*) die "usage: vm-run.sh cmd 'COMMAND' | vm-run.sh shell" ;;
esac
# 0. preflight: bad input fails here, before anything slow
preflight_vm_test run
[ -z "${ZCRX_TESTS:-}" ] || die "TESTS=$ZCRX_TESTS applies to make vm-test, not to vm-run/vm-shell"
[ "${VM_GCOV:-0}" != 1 ] || die "VM_GCOV=1 is for make kcov-report, not vm-run"
caller=${ZCRX_CALLER_PWD:-$PWD}
share=${VM_SHARE:-$caller}
if [ "$share" = none ]; then
	share=
else
	share=$(cd "$caller" && abs_dir VM_SHARE "$share" "$caller")
	[ -d "$share" ] || die "VM_SHARE=$share: no such directory"
	is_root || die "VM_SHARE=$share: sharing a directory needs root (the host's virtiofsd); VM_SHARE=none runs without"
fi
run_name=${RUN_NAME:-$(date +%Y%m%d-%H%M%S)-run-$$}
[[ $run_name =~ ^[A-Za-z0-9._+-]+(/[A-Za-z0-9._+-]+)?$ && $run_name != *..* ]] ||
	die "RUN_NAME=$run_name: expected a name of letters, digits and ._+- (one optional /)"
rundir="$RESULTS_DIR/$run_name"
[ ! -e "$rundir" ] || die "RUN_NAME=$run_name: $rundir already exists"

. "$ZCRX_TOP/host-scripts/vm-prepare.sh"
vm_prepare_start
vm_prepare_kernel
# (through a file: a $(...) would hold off Ctrl-C until mmdebstrap ends)
run_stoppable "$ZCRX_TOP/images/guest-image.sh" >"$stage/image.path"
image=$(<"$stage/image.path")
mkdir -p "$stage/no-tests"
: >"$stage/no-tests/order"
vm_prepare_initramfs "$stage/no-tests" "$ZCRX_TOP/images/modules-run.list"

# The command rides in a second cpio appended to the initramfs (the kernel
# unpacks both): RUN_DIR of images/run-cmd.c.
interactive=0
[ "$mode" = cmd ] || ! [ -t 0 ] || interactive=1
cwd=/root
if [ -n "$share" ] && { [ "$caller" = "$share" ] || [[ $caller == "$share"/* ]]; }; then
	cwd=$caller
fi
r="$stage/run-cpio"
mkdir -p "$r/zcrx-run"
printf '%s\n' "$mode" >"$r/zcrx-run/mode"
printf '%s' "$cmd" >"$r/zcrx-run/cmd"
printf '%s\n' "$share" >"$r/zcrx-run/share"
printf '%s\n' "$cwd" >"$r/zcrx-run/cwd"
printf '%s\n' "${TERM:-dumb}" >"$r/zcrx-run/term"
printf '%s\n' "$interactive" >"$r/zcrx-run/tty"
# a private copy: $initrd is a hard link to the shared initramfs
cp "$initrd" "$initrd_run.new"
mv -f "$initrd_run.new" "$initrd_run"
initrd=$initrd_run
(cd "$r" && find zcrx-run -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet --owner=0:0) >>"$initrd"
rm -rf "$r"
lock_drop prepare

mkdir -p "$(dirname "$rundir")"
mv "$stage" "$rundir"
runner="$ZCRX_TOP/host-scripts/backends/${VM:-qemu}.sh"
vm_pid=
feeder=
stop_feeder() { # the feeder and what it runs (cat, sleep)
	[ -n "$feeder" ] || return 0
	kill_tree "$feeder"
	kill "$feeder" 2>/dev/null || true
	wait "$feeder" 2>/dev/null || true
	feeder=
}
stop_vm() {
	stop_feeder
	[ -z "$vm_pid" ] || stop_pid "$vm_pid"
}
at_exit stop_vm

export VM_DISK="$image" VM_SHARE="$share"
trap zcrx_on_err ERR
set +e
if [ "$mode" = cmd ]; then
	VM_RUN_TTY=out "$runner" "$VMLINUZ" "$initrd" "$rundir" </dev/null &
	vm_pid=$!
elif [ "$interactive" = 1 ]; then
	VM_RUN_TTY=in "$runner" "$VMLINUZ" "$initrd" "$rundir" <&0 &
	vm_pid=$!
else
	# from a pipe: wait until the guest's terminal is open (bytes sent
	# before could be lost at the port's set-up), then pass stdin and end
	# it with ^D on an empty line, which bash reads as the end of input
	fifo="$rundir/stdin.fifo"
	mkfifo "$fifo"
	exec 3<&0
	(
		for _ in $(seq "$((${VM_TIMEOUT:-$VM_TIMEOUT_TCG} * 10))"); do
			grep -qs 'run-ready' "$rundir/ktap.txt" && break
			sleep 0.1
		done
		cat <&3
		printf '\n\004'
		# keep the pipe open: QEMU must not see EOF before the guest ends
		exec sleep infinity
	) >"$fifo" &
	feeder=$!
	exec 3<&-
	VM_RUN_TTY=in "$runner" "$VMLINUZ" "$initrd" "$rundir" <"$fifo" &
	vm_pid=$!
fi
wait "$vm_pid"
vm_rc=$?
set -e
vm_pid=
stop_feeder
rm -f "$rundir/stdin.fifo" "$rundir/virtiofs.sock"

# the verdict: the command's status, or why there is none
scan_rc=0
"$ZCRX_TOP/host-scripts/report/splats.sh" "$rundir/console.log" >"$rundir/splats.txt" 2>&1 || scan_rc=$?
[ "$scan_rc" = 1 ] || rm -f "$rundir/splats.txt"
. "$ZCRX_TOP/host-scripts/report/run-status.sh"
IFS=$'\t' read -r rc why < <(run_status "$rundir" "$vm_rc")
echo "$rc" >"$rundir/run.status"
[ -z "$why" ] || printf '== vm-run: %s\n' "$why" >&2
if [ "$scan_rc" = 1 ]; then
	printf '== vm-run: kernel splat(s) in the console:\n' >&2
	head -n 40 "$rundir/splats.txt" >&2
fi
printf '== vm-run: exit %s; console: %s/console.log\n' "$rc" "$rundir" >&2
exit "$rc"
