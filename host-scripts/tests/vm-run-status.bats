#!/usr/bin/env bats
# make vm-run / vm-shell: the exit status mapping (report/run-status.sh),
# alone and behind backends/qemu.sh with a stub QEMU.

setup() {
	T="$BATS_TEST_TMPDIR"
	. "$BATS_TEST_DIRNAME/../report/run-status.sh"
	B="$BATS_TEST_DIRNAME/../backends/qemu.sh"
	: >"$T/kernel"
	: >"$T/initrd"
	export VM_NET=none VM_ACCEL=tcg
	mkdir -p "$T/r"
}

# stub EXIT-CODE SLEEP RESULT-LINE CONSOLE-LINE: a QEMU that writes a line to
# the result channel (ktap.txt) and to the console, sleeps, and exits
stub() {
	cat >"$T/qemu" <<S
#!/bin/sh
path() { echo "\$*" | sed -n "s/.*file,id=\$1,path=\\([^ ,]*\\).*/\\1/p"; }
a="\$*"
echo "$4" >"\$(path con \$a)"
echo "$3" >"\$(path res \$a)"
echo "stdout of the guest command"
sleep $2
exit $1
S
	chmod +x "$T/qemu"
	export QEMU="$T/qemu"
}

@test "run_status: the command's exit status, 0..255" {
	for n in 0 3 255; do
		echo "# zcrx-vmtest: run-exit=$n" >"$T/r/ktap.txt"
		[ "$(run_status "$T/r" 0)" = "$n	" ]
	done
}

@test "run_status: killed by a signal is 128 + N and says so" {
	echo "# zcrx-vmtest: run-signal=11" >"$T/r/ktap.txt"
	[ "$(run_status "$T/r" 0)" = "139	the command was killed by signal 11" ]
}

@test "run_status: a panic is 255 with its reason; the command's own status wins over a later panic" {
	: >"$T/r/ktap.txt"
	echo "[    2.0] Kernel panic - not syncing: sysrq triggered crash" >"$T/r/console.log"
	[ "$(run_status "$T/r" 3)" = "255	the kernel panicked: sysrq triggered crash" ]
	echo "# zcrx-vmtest: run-exit=4" >"$T/r/ktap.txt"
	[ "$(run_status "$T/r" 3)" = "4	" ]
}

@test "run_status: timeout 124, nothing reported 125" {
	: >"$T/r/ktap.txt"
	: >"$T/r/console.log"
	echo 15.02 >"$T/r/vm.seconds"
	[ "$(run_status "$T/r" 2)" = "124	the VM timed out after 15.02 s (VM_TIMEOUT)" ]
	echo no-report >"$T/r/vm.status"
	run run_status "$T/r" 3
	[[ $output == "125	the guest ended without reporting the command's status (vm.status no-report)"* ]]
}

@test "run_status: a garbled status line is not a status" {
	echo "# zcrx-vmtest: run-exit=3x" >"$T/r/ktap.txt"
	: >"$T/r/console.log"
	run run_status "$T/r" 3
	[[ $output == 125* ]]
}

@test "stub QEMU: a command that exits 3 (debug-exit 0x22 -> 69) is vm.status done and status 3" {
	stub 69 0 "# zcrx-vmtest: run-exit=3" "[ 1.0] booted"
	VM_RUN_TTY=out run "$B" "$T/kernel" "$T/initrd" "$T/run"
	[ "$status" -eq 0 ]
	[ "$(cat "$T/run/vm.status")" = done ]
	# the command's terminal is QEMU's stdout, which streams through
	[[ $output == *"stdout of the guest command"* ]]
	[ "$(run_status "$T/run" 0)" = "3	" ]
	grep -qF -- '-chardev stdio\,id=run\,signal=off -serial chardev:run' "$T/run/qemu.cmd"
}

@test "stub QEMU: a panic (QEMU exits 0, no status) is 255" {
	stub 0 0 "# zcrx-vmtest: run-ready" "[ 2.0] Kernel panic - not syncing: sysrq triggered crash"
	VM_RUN_TTY=out run "$B" "$T/kernel" "$T/initrd" "$T/run"
	[ "$status" -eq 3 ]
	[ "$(run_status "$T/run" 3)" = "255	the kernel panicked: sysrq triggered crash" ]
}

@test "stub QEMU: a guest that never reports ends at VM_TIMEOUT with 124, not a hang" {
	stub 69 30 "# zcrx-vmtest: run-ready" "[ 1.0] booted"
	t0=$(date +%s)
	VM_TIMEOUT=1 VM_RUN_TTY=out run "$B" "$T/kernel" "$T/initrd" "$T/run"
	[ "$status" -eq 2 ]
	[ $(($(date +%s) - t0)) -le 15 ]
	[[ $(run_status "$T/run" 2) == "124	the VM timed out after "* ]]
}

@test "stub QEMU: QEMU fails at start (exit 1): 125" {
	stub 1 0 "" "qemu: could not open disk"
	VM_RUN_TTY=out run "$B" "$T/kernel" "$T/initrd" "$T/run"
	[ "$status" -eq 3 ]
	[[ $(run_status "$T/run" 3) == 125* ]]
}

@test "the image is a read-only virtio-blk disk; a bad VM_DISK or VM_RUN_TTY is one line" {
	stub 69 0 "# zcrx-vmtest: run-exit=0" ""
	: >"$T/img.erofs"
	VM_DISK="$T/img.erofs" VM_RUN_TTY=out run "$B" "$T/kernel" "$T/initrd" "$T/run"
	[ "$status" -eq 0 ]
	grep -qF "file=$T/img.erofs\,if=none\,id=img\,format=raw\,readonly=on" "$T/run/qemu.cmd"
	grep -qF 'virtio-blk-pci\,drive=img' "$T/run/qemu.cmd"
	VM_DISK="$T/none.erofs" run "$B" "$T/kernel" "$T/initrd" "$T/run2"
	[ "$status" -eq 1 ] && [[ $output == *"VM_DISK=$T/none.erofs: no such file"* ]] || false
	VM_RUN_TTY=both run "$B" "$T/kernel" "$T/initrd" "$T/run3"
	[ "$status" -eq 1 ] && [[ $output == *"VM_RUN_TTY=both: expected out or in"* ]] || false
}

@test "vm-run.sh: a bad knob is one line and 125 (never a status the command could return), nothing made" {
	export BUILD_DIR="$T/build" RESULTS_DIR="$T/results"
	VM_ACCEL=warp run "$BATS_TEST_DIRNAME/../vm-run.sh" cmd true
	[ "$status" -eq 125 ]
	[ "$output" = "zcrx-vmtest: error: VM_ACCEL=warp: expected one of: auto kvm tcg" ]
	run "$BATS_TEST_DIRNAME/../vm-run.sh" cmd ''
	[ "$status" -eq 125 ]
	[[ $output == *"CMD is empty"* ]]
	VM=warp run "$BATS_TEST_DIRNAME/../vm-run.sh" cmd true
	[ "$status" -eq 125 ]
	[ "$output" = "zcrx-vmtest: error: VM=warp: expected one of: libvirt qemu" ]
	[ -z "$(find "$T/results" -mindepth 1 ! -name .zcrx-vmtest 2>/dev/null)" ]
}
