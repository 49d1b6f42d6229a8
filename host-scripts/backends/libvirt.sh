#!/usr/bin/env bash
# VM backend "libvirt" (VM=libvirt): boot KERNEL with INITRD through
# libvirt and wait for the guest's verdict: the libvirt twin of
# backends/qemu.sh, with the same arguments, outputs and exit
# status. It uses libvirt's embedded QEMU driver (virt-qemu-run) with a
# private root directory, so no libvirtd, no system configuration and no
# state survive the run. The domain XML is kept as RUNDIR/domain.xml.
#   usage: backends/libvirt.sh KERNEL INITRD RUNDIR
# libvirt cannot hand back QEMU's exit status, so the verdict is read from
# the result channel ("# zcrx-vmtest: exit=N"); isa-debug-exit still ends
# the VM at once. virt-qemu-run (9.0) does not return when its QEMU ends,
# so it is stopped here once QEMU is gone.
# For make vm-run / vm-shell the same knobs as backends/qemu.sh apply
# (VM_DISK, VM_SHARE, VM_RUN_TTY=out|in): libvirt starts virtiofsd itself,
# and the command's terminal is a "pipe" serial port (two FIFOs) that this
# script connects to its stdin and stdout; a command that ended gives
# vm.status "done".
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
. "$ZCRX_TOP/vm/machine.conf"
. "$ZCRX_TOP/host-scripts/vm-common.sh"

vm_args "$@"

is_root || die "VM=libvirt needs root (the embedded QEMU driver manages devices and users)"
need_cmd qemu-system-x86_64 qemu-system-x86
need_cmd virt-qemu-run libvirt-daemon-driver-qemu
need_cmd pgrep procps
vm_resolve start
if [ "$net" = hub ]; then
	warn "VM_NET=hub has no libvirt equivalent; the libvirt VM gets no NICs"
	net=none
fi

# Leftovers of an interrupted run: only those whose run is gone.
lv_reap /tmp

# A short root: libvirt puts UNIX sockets under it (108-byte limit).
root=$(mktemp -d "/tmp/zcrx-lv.$$.XXXXXX")
name="zcrx-vmtest-lv-$$"
lv_stop() {
	pkill -9 -f "virt-qemu-run --root $root" 2>/dev/null || true
	pkill -9 -f "guest=$name," 2>/dev/null || true
	rm -rf "$root"
	[ -z "${ZCRX_SIGNAL:-}" ] || echo interrupted >"$rundir/vm.status"
}
at_exit lv_stop
mkdir -p "$root/etc"
cat >"$root/etc/qemu.conf" <<'EOF'
# written by zcrx-vmtest for its private embedded libvirt root
stdio_handler = "file"
user = "root"
group = "root"
dynamic_ownership = 0
remember_owner = 0
security_driver = "none"
namespaces = []
EOF
# The embedded driver insists on its default account even when told to
# run QEMU as root (seen with libvirt 9.0).
if ! getent group libvirt-qemu >/dev/null; then
	log "creating system group libvirt-qemu (required by libvirt's QEMU driver)"
	groupadd -r libvirt-qemu
fi
if ! getent passwd libvirt-qemu >/dev/null; then
	log "creating system user libvirt-qemu (required by libvirt's QEMU driver)"
	useradd -r -g libvirt-qemu -d /nonexistent -s /usr/sbin/nologin libvirt-qemu
fi

rm -f "$rundir/console.log" "$rundir/ktap.txt"
# make vm-run / vm-shell: the command's terminal on two FIFOs
tty_saved='' pumps=()
run_pipe=
case ${VM_RUN_TTY:-} in
'') ;;
out | in)
	run_pipe="$root/run"
	mkfifo "$run_pipe.in" "$run_pipe.out"
	cat "$run_pipe.out" &
	pumps+=($!)
	if [ "$VM_RUN_TTY" = in ]; then
		if [ -t 0 ]; then
			tty_saved=$(stty -g)
			stty raw -echo
		fi
		# (an explicit fd: bash gives a background job /dev/null as stdin)
		exec 3<&0
		cat <&3 >"$run_pipe.in" &
		pumps+=($!)
		exec 3<&-
	fi
	;;
*) die "VM_RUN_TTY=$VM_RUN_TTY: expected out or in" ;;
esac
lv_pumps_stop() {
	local p
	for p in "${pumps[@]}"; do kill "$p" 2>/dev/null || true; done
	[ -z "$tty_saved" ] || stty "$tty_saved" 2>/dev/null || true
}
at_exit lv_pumps_stop
[ -z "${VM_DISK:-}" ] || [ -f "$VM_DISK" ] || die "VM_DISK=$VM_DISK: no such file"
if [ -n "${VM_SHARE:-}" ]; then
	[ -d "$VM_SHARE" ] || die "VM_SHARE=$VM_SHARE: no such directory"
	[ -x "${VIRTIOFSD:-/usr/lib/qemu/virtiofsd}" ] || need_file /usr/lib/qemu/virtiofsd qemu-system-common
fi
VM_RUN_PIPE=$run_pipe VM_NET=$net "$ZCRX_TOP/host-scripts/render-domain.sh" "$boot_kernel" "$initrd" "$rundir" "$name" >"$rundir/domain.xml"
if command -v virt-xml-validate >/dev/null 2>&1; then
	virt-xml-validate "$rundir/domain.xml" domain >"$rundir/domain.validate" 2>&1 ||
		die "the rendered domain does not validate: $(tail -n 1 "$rundir/domain.validate")"
fi

# boot_once: the VM once; sets status (pass, fail, done, timeout, no-report)
boot_once() {
	log "booting $(basename "$kernel") through libvirt ($boot_entry, $accel, net=$net, timeout ${timeout_s}s) -> $rundir"
	vm_launch virt-qemu-run --root "$root" --verbose "$rundir/domain.xml" </dev/null >"$rundir/libvirt.out" 2>&1 &
	runner=$!

	# Wait for the guest's verdict line, then for QEMU to go away.
	deadline=$(($(date +%s) + timeout_s))
	status=
	while :; do
		verdict=$(sed -n 's/^# zcrx-vmtest: exit=\([0-9]*\)$/\1/p' "$rundir/ktap.txt" 2>/dev/null | tail -n 1 || true)
		qemu_up=$(pgrep -f "guest=$name," 2>/dev/null | head -n 1 || true)
		if [ -n "$run_pipe" ] && [ -z "$qemu_up" ] &&
			grep -qsE '^# zcrx-vmtest: run-(exit|signal)=[0-9]+$' "$rundir/ktap.txt"; then
			status="done"
			break
		fi
		if [ -n "$verdict" ] && [ -z "$qemu_up" ]; then
			[ "$verdict" = 0 ] && status=pass || status=fail
			break
		fi
		if ! kill -0 "$runner" 2>/dev/null; then
			status=no-report
			[ -z "$verdict" ] || { [ "$verdict" = 0 ] && status=pass || status=fail; }
			break
		fi
		if [ -z "$qemu_up" ] && [ -z "$verdict" ] && [ -s "$rundir/console.log" ]; then
			# QEMU is gone: the verdict may have landed after it was read
			# above; without one, it was a panic or a triple fault
			sleep 1
			qemu_up=$(pgrep -f "guest=$name," 2>/dev/null | head -n 1 || true)
			if [ -z "$qemu_up" ]; then
				if [ -n "$run_pipe" ] && grep -qsE '^# zcrx-vmtest: run-(exit|signal)=[0-9]+$' "$rundir/ktap.txt"; then
					status="done"
					break
				fi
				verdict=$(sed -n 's/^# zcrx-vmtest: exit=\([0-9]*\)$/\1/p' "$rundir/ktap.txt" 2>/dev/null | tail -n 1 || true)
				case $verdict in 0) status=pass ;; '') status=no-report ;; *) status=fail ;; esac
				break
			fi
		fi
		if [ "$(date +%s)" -ge "$deadline" ]; then
			status=timeout
			break
		fi
		sleep 0.2
	done
	pkill -9 -f "guest=$name," 2>/dev/null || true
	kill "$runner" 2>/dev/null || true
	wait "$runner" 2>/dev/null || true
}
start=$(date +%s.%N)
boot_once
# the int3 oops at boot under TCG: once more (not for vm-run's terminal,
# whose pipes end with the first QEMU; check-vm-run.sh retries those)
if [ "$status" = no-report ] && [ -z "$run_pipe" ] && boot_oopsed; then
	boot_retry_prepare
	boot_once
fi
if [ "$status" = no-report ]; then
	warn "VM ended without a verdict; libvirt said: $(grep -m3 -iE 'error|fail' "$rundir/libvirt.out" | tr '\n' ' ')"
fi
vm_finish "$rundir" "$status" "$start"
