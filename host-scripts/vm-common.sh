# shellcheck shell=bash
# What every VM backend (backends/qemu.sh for QEMU, backends/libvirt.sh) decides the
# same way: accelerator and timeout, network mode, kernel command line,
# the private network namespace with the taps, and the verdict files.
# Source after lib.sh and vm/machine.conf.

. "$ZCRX_TOP/host-scripts/kernels/pvh.sh"

# vm_args "$@": KERNEL INITRD RUNDIR of a runner, checked; sets kernel,
# initrd and rundir (absolute, created), and boot_kernel, what QEMU is
# given: the kernel's PVH ELF when it has one (kernels/pvh.sh), else kernel.
vm_args() {
	[ "$#" -eq 3 ] || die "usage: ${0##*/} KERNEL INITRD RUNDIR"
	kernel=$1 initrd=$2 rundir=$3
	[ -f "$kernel" ] || die "no kernel image at $kernel"
	[ -f "$initrd" ] || die "no initramfs at $initrd"
	mkdir -p "$rundir"
	rundir=$(cd "$rundir" && pwd)
	boot_kernel=$(pvh_boot_image "$kernel")
	# shellcheck disable=SC2034 # the backends' boot line says which
	if [ "$boot_kernel" = "$kernel" ] && ! pvh_is_elf "$kernel"; then
		boot_entry=bzimage
	else
		boot_entry=pvh
	fi
}

# kvm_usable QEMU: /dev/kvm opens and QEMU can start a vCPU with it (a
# nested /dev/kvm may open and still fail at vCPU set-up: seen here as an
# abort on MSR 0x10a). The answer is cached per QEMU binary and host kernel.
kvm_usable() {
	local q cache key rc
	[ -r /dev/kvm ] && [ -w /dev/kvm ] || return 1
	q=$(command -v "$1") || return 1
	cache="$BUILD_DIR/kvm-probe"
	key="$q $(stat -c %Y "$q") $(uname -r)"
	if [ "$(sed -n 1p "$cache" 2>/dev/null)" = "$key" ]; then
		[ "$(sed -n 2p "$cache")" = yes ]
		return
	fi
	# still running (paused, -S) after 1 s: the vCPUs were set up
	# (in a subshell with stderr closed: bash reports an aborted child)
	rc=$( (timeout 1 "$q" -accel kvm -cpu host -machine "$VM_MACHINE" -nodefaults -no-user-config \
		-display none -S -monitor none >/dev/null 2>&1 </dev/null && echo 0 || echo "$?") 2>/dev/null)
	mkdir -p "$BUILD_DIR"
	printf '%s\n%s\n' "$key" "$([ "$rc" -eq 124 ] && echo yes || echo no)" >"$cache"
	[ "$rc" -eq 124 ]
}

# vm_resolve start|render: sets accel (kvm|tcg), timeout_s, net (tap|hub|none),
# cmdline. "render" (a domain rendered, not started) takes VM_ACCEL=kvm as
# given, without asking QEMU whether it can run it here.
vm_resolve() {
	accel=${VM_ACCEL:-auto}
	local probe=1
	[ "${1:-}" != render ] || probe=0
	if [ "$accel" = auto ]; then
		if kvm_usable "${QEMU:-qemu-system-x86_64}"; then
			accel=kvm
		else
			accel=tcg
			[ ! -w /dev/kvm ] || log "/dev/kvm is there but QEMU cannot run a vCPU with it: using TCG"
		fi
	elif [ "$accel" = kvm ] && [ "$probe" = 1 ] && ! kvm_usable "${QEMU:-qemu-system-x86_64}"; then
		die "VM_ACCEL=kvm: QEMU cannot run a vCPU with /dev/kvm here (use VM_ACCEL=tcg or auto)"
	fi
	case $accel in
	kvm) timeout_s=${VM_TIMEOUT:-$VM_TIMEOUT_KVM} ;;
	tcg) timeout_s=${VM_TIMEOUT:-$VM_TIMEOUT_TCG} ;;
	*) die "VM_ACCEL=$accel: expected auto, kvm or tcg" ;;
	esac
	[[ $timeout_s =~ ^[1-9][0-9]*$ ]] || die "VM_TIMEOUT=$timeout_s: expected seconds > 0"

	# "tap": two multiqueue taps on a bridge inside a private network
	# namespace (needs root and /dev/net/tun); "hub": the ports joined
	# inside QEMU, one queue each; "none": no NICs.
	net=${VM_NET:-auto}
	if [ "$net" = auto ]; then
		if is_root && [ -c /dev/net/tun ] && command -v unshare >/dev/null && command -v ip >/dev/null; then
			net=tap
		else
			net=hub
		fi
	fi
	case $net in tap | hub | none) ;; *) die "VM_NET=$net: expected auto, tap, hub or none" ;; esac

	cmdline="$VM_CMDLINE zcrx.timeout=$VM_TEST_TIMEOUT"
	[ -z "${ZCRX_TESTS:-}" ] || cmdline="$cmdline zcrx.tests=$ZCRX_TESTS"
	# ZCRX_RETRY=0: a failed case is not run again alone (make mutants: a
	# mutant's failure must not pass as a flake)
	[ "${ZCRX_RETRY:-1}" != 0 ] || cmdline="$cmdline zcrx.retry=0"
	# ZCRX_JOBS=N: how many shared test binaries the guest runs at once
	# (images/suite-runner.c; default twice its CPUs)
	[ -z "${ZCRX_JOBS:-}" ] || cmdline="$cmdline zcrx.jobs=$ZCRX_JOBS"
	# ZCRX_NIC_LANES=N: how many NIC binaries at once, each on a netdevsim
	# pair of its own (guest-tests/lib/topology.h; default 3, 1 = one NIC)
	[ -z "${ZCRX_NIC_LANES:-}" ] || cmdline="$cmdline zcrx.nic_lanes=$ZCRX_NIC_LANES"
	# make kcov-report: the guest streams the gcov counters after the suite
	[ "${VM_GCOV:-0}" != 1 ] || cmdline="$cmdline zcrx.gcov=1"
}

# vm_launch CMD...: run CMD, inside a private netns holding the taps
# zcrx-l and zcrx-r on a bridge when net=tap. Always started in the
# background (vm_launch ... &): it replaces its subshell with CMD, so $!
# is CMD's PID (the one vm_stop signals), not a subshell's.
vm_launch() {
	if [ "$net" = tap ]; then
		# shellcheck disable=SC2016 # expanded by the inner shell
		exec unshare --net -- bash -c '
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
		exec "$@"
	fi
}

# lv_reap BASE: stop and remove what interrupted libvirt runs left under
# BASE (/tmp): a root BASE/zcrx-lv.<pid>.* and the domain zcrx-vmtest-lv-<pid>
# whose run <pid> is gone. A live run's VM and directory are never touched.
lv_reap() {
	local d owner p
	for d in "$1"/zcrx-lv.*; do
		[ -d "$d" ] || continue
		owner=${d#"$1"/zcrx-lv.}
		owner=${owner%%.*}
		[[ $owner =~ ^[0-9]+$ ]] || continue
		! kill -0 "$owner" 2>/dev/null || continue
		for p in $(pgrep -f "guest=zcrx-vmtest-lv-$owner," 2>/dev/null || true) $(pgrep -f "virt-qemu-run --root $d" 2>/dev/null || true); do
			warn "stopping leftover libvirt VM process $p of the interrupted run $owner"
			kill -9 "$p" 2>/dev/null || true
		done
		rm -rf "$d"
	done
}

# vm_stop: at exit (Ctrl-C, SIGTERM) stop the VM started in the background
# as $qemu_pid and its process group: SIGTERM, then SIGKILL after 3 s.
vm_stop() {
	local pid=${qemu_pid:-} i
	[ -n "$pid" ] || return 0
	kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
	for i in 1 2 3 4 5 6; do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.5
	done
	[ "$i" -lt 6 ] || kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	[ -z "${ZCRX_SIGNAL:-}" ] || echo interrupted >"$rundir/vm.status"
}

# boot_oopsed: the boot in $rundir died on the Debian kernel's int3 oops
# under TCG while it live-patched a static key (TCG's cross-modifying code,
# not the kernel under test; docs/guest.md), before /init said a word on
# the result channel: nothing of the run was lost, so the boot is worth one
# more (boot_retry_prepare, then boot again; once).
boot_oopsed() {
	[ "$accel" = tcg ] && [ ! -s "$rundir/ktap.txt" ] && [ ! -e "$rundir/vm.boot-retries" ] &&
		grep -aq 'Oops: int3' "$rundir/console.log" 2>/dev/null
}
boot_retry_prepare() {
	mv "$rundir/console.log" "$rundir/console.boot1.log"
	echo 1 >"$rundir/vm.boot-retries"
	warn "the guest oopsed on int3 at boot, before /init reported (TCG, docs/guest.md); its console is console.boot1.log; booting once more"
	rm -f "$rundir/ktap.txt" "$rundir/gcov.stream"
}

# vm_finish RUNDIR STATUS START: write vm.status and vm.seconds, explain a
# bad end on stderr, and exit 0 pass, 1 fail, 2 timeout, 3 no-report.
vm_finish() {
	local rundir=$1 status=$2 start=$3
	awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.2f\n", e - s }' >"$rundir/vm.seconds"
	echo "$status" >"$rundir/vm.status"
	case $status in
	pass | done) exit 0 ;;
	fail) exit 1 ;;
	timeout)
		warn "VM timed out after ${timeout_s}s; last console lines:"
		tail -n 20 "$rundir/console.log" >&2 || true
		exit 2
		;;
	*)
		tail -n 20 "$rundir/console.log" >&2 || true
		exit 3
		;;
	esac
}
