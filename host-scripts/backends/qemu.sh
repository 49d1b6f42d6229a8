#!/usr/bin/env bash
# VM backend "qemu" (VM=qemu, the default): boot KERNEL with INITRD under
# QEMU and wait for the guest's verdict. A backend is a file
# host-scripts/backends/NAME.sh that VM=NAME selects; every backend takes
# the same arguments, writes the same files and exits the same way:
#   usage: backends/qemu.sh KERNEL INITRD RUNDIR
# Writes RUNDIR/console.log (serial console), RUNDIR/ktap.txt (the result
# channel), RUNDIR/qemu.cmd and RUNDIR/vm.status, one of:
#   pass | fail | timeout | no-report (crash, panic, or QEMU error)
# Exit status: 0 pass, 1 fail, 2 timeout, 3 no-report.
# Knobs: VM_ACCEL=auto|kvm|tcg, VM_NET=auto|tap|hub|none, VM_TIMEOUT=s,
#        ZCRX_TESTS=a,b (test binaries to run), QEMU=path,
#        VM_GCOV=1 (a third serial port, saved as RUNDIR/gcov.stream, for
#        the gcov counters the guest sends with zcrx.gcov=1: make kcov-report).
# For make vm-run / vm-shell (host-scripts/vm-run.sh):
#        VM_DISK=FILE   the guest image, read-only virtio-blk (/dev/vda)
#        VM_SHARE=DIR   DIR over virtiofs, tag zcrx-share (the host's
#                       virtiofsd from qemu-system-common; needs root)
#        VM_RUN_TTY=out|in  a third serial port on QEMU's stdio: the
#                       command's terminal ("in": stdin too, for a shell)
# A guest whose command ended powers off with vm.status "done" (exit 0).
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
. "$ZCRX_TOP/vm/machine.conf"
. "$ZCRX_TOP/host-scripts/vm-common.sh"

vm_args "$@"

QEMU=${QEMU:-qemu-system-x86_64}
if [ "$QEMU" = qemu-system-x86_64 ]; then
	need_cmd qemu-system-x86_64 qemu-system-x86
fi
command -v "$QEMU" >/dev/null 2>&1 || die "QEMU=$QEMU: not found"

vm_resolve start
cpu=max
[ "$accel" = tcg ] || cpu=host

nic_args=()
nic() { # nic ID MAC BACKEND-OPTIONS
	local mq=off vectors="" rom=""
	[ "$net" = tap ] && [ "$VM_NIC_QUEUES" -gt 1 ] && mq=on vectors=",vectors=$((2 * VM_NIC_QUEUES + 2))"
	# romfile=: no iPXE option ROM on a PCI NIC (the kernel is booted
	# directly; SeaBIOS spent about 0.3 s setting up the two ROMs)
	[[ $VM_NIC_MODEL != *-pci ]] || rom=,romfile=
	nic_args+=(-netdev "$3,id=$1" -device "$VM_NIC_MODEL,netdev=$1,mac=$2,mq=$mq$vectors$rom")
}
case $net in
tap)
	nic n0 "$VM_NIC_LOCAL_MAC" "tap,ifname=zcrx-l,script=no,downscript=no,queues=$VM_NIC_QUEUES"
	nic n1 "$VM_NIC_REMOTE_MAC" "tap,ifname=zcrx-r,script=no,downscript=no,queues=$VM_NIC_QUEUES"
	;;
hub)
	nic n0 "$VM_NIC_LOCAL_MAC" "hubport,hubid=0"
	nic n1 "$VM_NIC_REMOTE_MAC" "hubport,hubid=0"
	;;
esac

# make kcov-report: the guest's ttyS2 carries the gcov counters
gcov_args=()
if [ "${VM_GCOV:-0}" = 1 ]; then
	gcov_args=(-chardev "file,id=gcov,path=$rundir/gcov.stream" -serial chardev:gcov)
fi

# make vm-run / vm-shell: the image, the shared directory, the terminal
# shellcheck disable=SC2054 # commas belong to QEMU option values
run_args=()
if [ -n "${VM_DISK:-}" ]; then
	[ -f "$VM_DISK" ] || die "VM_DISK=$VM_DISK: no such file"
	# shellcheck disable=SC2054
	run_args+=(-drive "file=$VM_DISK,if=none,id=img,format=raw,readonly=on"
		-device virtio-blk-pci,drive=img)
fi
virtiofsd_pid=
sock=
stop_virtiofsd() {
	[ -z "$virtiofsd_pid" ] || kill "$virtiofsd_pid" 2>/dev/null || true
	[ -z "$sock" ] || rm -f "$sock"
}
# virtiofsd serves one QEMU: it ends when that QEMU goes, so a second boot
# (the int3 retry below) needs a new one, on the same socket path
start_virtiofsd() {
	"$vfsd" --socket-path="$sock" -o source="$VM_SHARE" -o cache=auto \
		</dev/null >>"$rundir/virtiofsd.log" 2>&1 &
	virtiofsd_pid=$!
	for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.05; done
	[ -S "$sock" ] || die "virtiofsd did not start; see $rundir/virtiofsd.log"
}
at_exit stop_virtiofsd
if [ -n "${VM_SHARE:-}" ]; then
	vfsd=${VIRTIOFSD:-/usr/lib/qemu/virtiofsd}
	[ -x "$vfsd" ] || need_file /usr/lib/qemu/virtiofsd qemu-system-common
	[ -x "$vfsd" ] || die "VM_SHARE: no virtiofsd at $vfsd"
	[ -d "$VM_SHARE" ] || die "VM_SHARE=$VM_SHARE: no such directory"
	[[ $VM_SHARE != *,* ]] || die "VM_SHARE=$VM_SHARE: a comma in the path cannot be passed to virtiofsd"
	# a short path: a unix socket's may not exceed 107 bytes
	sock=$(mktemp -u "${TMPDIR:-/tmp}/zcrx-vfs.XXXXXX")
	: >"$rundir/virtiofsd.log"
	start_virtiofsd
	# shellcheck disable=SC2054
	run_args+=(-chardev "socket,id=vfs,path=$sock"
		-device vhost-user-fs-pci,chardev=vfs,tag=zcrx-share
		-object "memory-backend-memfd,id=mem,size=${VM_MEM_MB}M,share=on"
		-numa node,memdev=mem)
fi
qemu_in=/dev/null
case ${VM_RUN_TTY:-} in
'') ;;
out | in)
	[ "${VM_GCOV:-0}" != 1 ] || die "VM_RUN_TTY and VM_GCOV=1 both want the third serial port"
	# shellcheck disable=SC2054
	run_args+=(-chardev stdio,id=run,signal=off -serial chardev:run)
	[ "$VM_RUN_TTY" = out ] || qemu_in=/dev/stdin
	;;
*) die "VM_RUN_TTY=$VM_RUN_TTY: expected out or in" ;;
esac

rm -f "$rundir/console.log" "$rundir/ktap.txt" "$rundir/gcov.stream"
# The result channel (images/init.h): the guest writes its KTAP to the
# virtio-serial port VM_RESULT_PORT, or to ttyS1 where the kernel has no
# virtio_console. Both append to ktap.txt; only one is written.
bios_args=()
[ -z "${VM_BIOS:-}" ] || bios_args=(-bios "$VM_BIOS")
# shellcheck disable=SC2054 # commas belong to QEMU option values
qemu_cmd=("$QEMU" -nodefaults -no-user-config -nographic -no-reboot
	-machine "$VM_MACHINE" -accel "$accel" -cpu "$cpu" "${bios_args[@]}"
	-smp "$VM_CPUS" -m "$VM_MEM_MB"
	-kernel "$boot_kernel" -initrd "$initrd" -append "$cmdline"
	-chardev "file,id=con,path=$rundir/console.log"
	-serial chardev:con
	-chardev "file,id=res,path=$rundir/ktap.txt,append=on"
	-serial chardev:res
	-device virtio-serial-pci,id=vser
	-chardev "file,id=resport,path=$rundir/ktap.txt,append=on"
	-device "virtserialport,bus=vser.0,chardev=resport,name=$VM_RESULT_PORT"
	"${gcov_args[@]}"
	-device isa-debug-exit,iobase=0xf4,iosize=0x04
	-monitor none
	"${nic_args[@]}"
	"${run_args[@]}")
printf '%q ' "${qemu_cmd[@]}" >"$rundir/qemu.cmd"
echo >>"$rundir/qemu.cmd"

launch() { # the VM once; sets rc
	log "booting $(basename "$kernel") ($boot_entry, $accel, net=$net, timeout ${timeout_s}s) -> $rundir"
	# QEMU runs under timeout(1), which makes itself a process group
	# leader: the group is what a Ctrl-C or SIGTERM of this script stops
	# (vm_stop).
	set +e
	# A shell on a terminal: timeout(1) must leave QEMU in the terminal's
	# foreground process group, or reading it stops QEMU (SIGTTIN).
	tmo=(timeout --kill-after=10)
	[ "$qemu_in" = /dev/null ] || ! [ -t 0 ] || tmo+=(--foreground)
	if [ -n "${VM_RUN_TTY:-}" ]; then
		# the command's terminal is QEMU's stdout: QEMU's own messages go to qemu.out
		vm_launch "${tmo[@]}" "$timeout_s" "${qemu_cmd[@]}" <"$qemu_in" 2>"$rundir/qemu.out" &
	else
		vm_launch "${tmo[@]}" "$timeout_s" "${qemu_cmd[@]}" </dev/null >"$rundir/qemu.out" 2>&1 &
	fi
	qemu_pid=$!
	wait "$qemu_pid"
	rc=$?
	set -e
	qemu_pid=
}
start=$(date +%s.%N)
qemu_pid=
at_exit vm_stop
launch
# QEMU exits 0 on the oops's panic (panic=-1, -no-reboot); a boot that hung
# after it ran into the timeout, which stays the bound of the run
if [ "$rc" = 0 ] && boot_oopsed; then
	boot_retry_prepare
	if [ -n "$sock" ]; then
		stop_virtiofsd
		wait "$virtiofsd_pid" 2>/dev/null || true
		start_virtiofsd
	fi
	launch
fi

# isa-debug-exit: QEMU exits with (code << 1) | 1; see images/init.h
case $rc in
65) vm_finish "$rundir" pass "$start" ;;
67) vm_finish "$rundir" fail "$start" ;;
69) vm_finish "$rundir" "done" "$start" ;;
124 | 137) vm_finish "$rundir" timeout "$start" ;;
*)
	warn "VM ended without a verdict (QEMU exit $rc); QEMU said: $(head -c 300 "$rundir/qemu.out" | tr '\n' ' ')"
	vm_finish "$rundir" no-report "$start"
	;;
esac
