#!/usr/bin/env bash
# Boot KERNEL with INITRD under QEMU and wait for the guest's verdict.
#   usage: run-vm.sh KERNEL INITRD RUNDIR
# Writes RUNDIR/console.log (serial console), RUNDIR/ktap.txt (the result
# channel), RUNDIR/qemu.cmd and RUNDIR/vm.status, one of:
#   pass | fail | timeout | no-report (crash, panic, or QEMU error)
# Exit status: 0 pass, 1 fail, 2 timeout, 3 no-report.
# Knobs: VM_ACCEL=auto|kvm|tcg, VM_NET=auto|tap|hub|none, VM_TIMEOUT=s,
#        ZCRX_TESTS=a,b (test binaries to run), QEMU=path.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$ZCRX_TOP/vm/machine.conf"

kernel=${1:?usage: run-vm.sh KERNEL INITRD RUNDIR}
initrd=${2:?usage: run-vm.sh KERNEL INITRD RUNDIR}
rundir=${3:?usage: run-vm.sh KERNEL INITRD RUNDIR}
[ -f "$kernel" ] || die "no kernel image at $kernel"
[ -f "$initrd" ] || die "no initramfs at $initrd"
mkdir -p "$rundir"

QEMU=${QEMU:-qemu-system-x86_64}
if [ "$QEMU" = qemu-system-x86_64 ]; then
	need_cmd qemu-system-x86_64 qemu-system-x86
fi
command -v "$QEMU" >/dev/null 2>&1 || die "QEMU=$QEMU: not found"

accel=${VM_ACCEL:-auto}
if [ "$accel" = auto ]; then
	if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then accel=kvm; else accel=tcg; fi
fi
case $accel in
kvm) cpu=host; timeout_s=${VM_TIMEOUT:-$VM_TIMEOUT_KVM} ;;
tcg) cpu=max; timeout_s=${VM_TIMEOUT:-$VM_TIMEOUT_TCG} ;;
*) die "VM_ACCEL=$accel: expected auto, kvm or tcg" ;;
esac
[[ $timeout_s =~ ^[1-9][0-9]*$ ]] || die "VM_TIMEOUT=$timeout_s: expected seconds > 0"

# Network: "tap" joins two multiqueue taps on a bridge inside a private
# network namespace (needs root and /dev/net/tun); "hub" joins the ports
# inside QEMU with one queue each; "none" gives the VM no NICs.
net=${VM_NET:-auto}
if [ "$net" = auto ]; then
	if is_root && [ -c /dev/net/tun ] && command -v unshare >/dev/null && command -v ip >/dev/null; then
		net=tap
	else
		net=hub
	fi
fi
nic_args=()
nic() { # nic ID MAC BACKEND-OPTIONS
	local mq=off vectors=""
	[ "$net" = tap ] && [ "$VM_NIC_QUEUES" -gt 1 ] && mq=on vectors=",vectors=$((2 * VM_NIC_QUEUES + 2))"
	nic_args+=(-netdev "$3,id=$1" -device "$VM_NIC_MODEL,netdev=$1,mac=$2,mq=$mq$vectors")
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
none) ;;
*) die "VM_NET=$net: expected auto, tap, hub or none" ;;
esac

cmdline="$VM_CMDLINE zcrx.timeout=$VM_TEST_TIMEOUT"
[ -z "${ZCRX_TESTS:-}" ] || cmdline="$cmdline zcrx.tests=$ZCRX_TESTS"

rm -f "$rundir/console.log" "$rundir/ktap.txt"
# shellcheck disable=SC2054 # commas belong to QEMU option values
qemu_cmd=("$QEMU" -nodefaults -no-user-config -nographic -no-reboot
	-machine "$VM_MACHINE" -accel "$accel" -cpu "$cpu"
	-smp "$VM_CPUS" -m "$VM_MEM_MB"
	-kernel "$kernel" -initrd "$initrd" -append "$cmdline"
	-chardev "file,id=con,path=$rundir/console.log"
	-serial chardev:con
	-chardev "file,id=res,path=$rundir/ktap.txt"
	-serial chardev:res
	-device isa-debug-exit,iobase=0xf4,iosize=0x04
	-monitor none
	"${nic_args[@]}")
printf '%q ' "${qemu_cmd[@]}" >"$rundir/qemu.cmd"
echo >>"$rundir/qemu.cmd"

# Start QEMU, inside a private netns with the taps when net=tap.
launch() {
	if [ "$net" = tap ]; then
		# shellcheck disable=SC2016 # expanded by the inner shell
		unshare --net -- bash -c '
			set -e
			ip link set lo up
			ip link add zcrx-br type bridge
			for t in zcrx-l zcrx-r; do
				ip tuntap add dev "$t" mode tap multi_queue
				ip link set "$t" master zcrx-br up
			done
			ip link set zcrx-br up
			exec "$@"' zcrx-net "$@"
	else
		"$@"
	fi
}

log "booting $(basename "$kernel") ($accel, net=$net, timeout ${timeout_s}s) -> $rundir"
start=$(date +%s.%N)
set +e
launch timeout --kill-after=10 "$timeout_s" "${qemu_cmd[@]}" </dev/null >"$rundir/qemu.out" 2>&1
rc=$?
set -e
end=$(date +%s.%N)
awk -v s="$start" -v e="$end" 'BEGIN { printf "%.2f\n", e - s }' >"$rundir/vm.seconds"

# isa-debug-exit: QEMU exits with (code << 1) | 1; see images/init.h
case $rc in
65) status=pass ;;
67) status=fail ;;
124 | 137) status=timeout ;;
*) status=no-report ;;
esac
echo "$status" >"$rundir/vm.status"
case $status in
pass) exit 0 ;;
fail) exit 1 ;;
timeout)
	warn "VM timed out after ${timeout_s}s; last console lines:"
	tail -n 20 "$rundir/console.log" >&2 || true
	exit 2
	;;
*)
	warn "VM ended without a verdict (QEMU exit $rc); QEMU said: $(head -c 300 "$rundir/qemu.out" | tr '\n' ' ')"
	tail -n 20 "$rundir/console.log" >&2 || true
	exit 3
	;;
esac
