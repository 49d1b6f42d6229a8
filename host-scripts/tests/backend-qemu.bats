#!/usr/bin/env bats
# backends/qemu.sh: verdict decoding, timeout and argument errors, with a stub QEMU.

load fixtures/proc

setup() {
	S="$BATS_TEST_DIRNAME/../backends/qemu.sh"
	T="$BATS_TEST_TMPDIR"
	: >"$T/kernel"
	: >"$T/initrd"
	export VM_NET=none VM_ACCEL=tcg BUILD_DIR="$T/build"
	stub() { # stub EXIT-CODE [SLEEP]
		printf '#!/bin/sh\necho "[ 1.0] booted" > "$(echo "$*" | sed -n "s/.*file,id=con,path=\\([^ ]*\\).*/\\1/p")"\nsleep %s\nexit %s\n' "${2:-0}" "$1" >"$T/qemu"
		chmod +x "$T/qemu"
		export QEMU="$T/qemu"
	}
}

@test "guest pass (isa-debug-exit 0x20 -> 65) is pass" {
	stub 65
	run "$S" "$T/kernel" "$T/initrd" "$T/run"
	[ "$status" -eq 0 ]
	[ "$(cat "$T/run/vm.status")" = pass ]
}

@test "guest fail (0x21 -> 67) is fail" {
	stub 67
	run "$S" "$T/kernel" "$T/initrd" "$T/run"
	[ "$status" -eq 1 ]
	[ "$(cat "$T/run/vm.status")" = fail ]
}

@test "QEMU exit 0 (guest rebooted or panicked) is no-report" {
	stub 0
	run "$S" "$T/kernel" "$T/initrd" "$T/run"
	[ "$status" -eq 3 ]
	[ "$(cat "$T/run/vm.status")" = no-report ]
}

@test "hang: the wall-clock timeout ends the VM and shows the console" {
	stub 65 30
	VM_TIMEOUT=1 run "$S" "$T/kernel" "$T/initrd" "$T/run"
	[ "$status" -eq 2 ]
	[ "$(cat "$T/run/vm.status")" = timeout ]
	[[ $output == *"timed out after 1s"* ]]
	[[ $output == *"booted"* ]]
}

@test "the command line carries the test selection and the debug-exit device" {
	stub 65
	ZCRX_TESTS=query,arm run "$S" "$T/kernel" "$T/initrd" "$T/run"
	grep -qF 'zcrx.tests=query\,arm' "$T/run/qemu.cmd"
	grep -qF 'isa-debug-exit\,iobase=0xf4' "$T/run/qemu.cmd"
}

@test "VM_GCOV=1: a third serial port into gcov.stream and zcrx.gcov=1; neither without it" {
	stub 65
	run "$S" "$T/kernel" "$T/initrd" "$T/run"
	! grep -qF gcov "$T/run/qemu.cmd" || false
	VM_GCOV=1 run "$S" "$T/kernel" "$T/initrd" "$T/run2"
	[ "$status" -eq 0 ]
	grep -qF "file\,id=gcov\,path=$T/run2/gcov.stream -serial chardev:gcov" "$T/run2/qemu.cmd"
	grep -qF 'zcrx.gcov=1' "$T/run2/qemu.cmd"
	# its serial port is the third: ttyS2
	[ "$(grep -o -- '-serial chardev:[a-z]*' "$T/run2/qemu.cmd" | tr '\n' ' ')" = "-serial chardev:con -serial chardev:res -serial chardev:gcov " ]
}

@test "bad input: missing kernel, bad accel, bad timeout, missing QEMU" {
	stub 65
	run "$S" "$T/nokernel" "$T/initrd" "$T/run"
	[ "$status" -eq 1 ] && [[ $output == *"no kernel image at"* ]] || false
	VM_ACCEL=warp run "$S" "$T/kernel" "$T/initrd" "$T/run"
	[ "$status" -eq 1 ] && [[ $output == *"VM_ACCEL=warp"* ]] || false
	VM_TIMEOUT=soon run "$S" "$T/kernel" "$T/initrd" "$T/run"
	[ "$status" -eq 1 ] && [[ $output == *"VM_TIMEOUT=soon"* ]] || false
	QEMU=/nonexistent/qemu run "$S" "$T/kernel" "$T/initrd" "$T/run"
	[ "$status" -eq 1 ] && [ "$output" = "zcrx-vmtest: error: QEMU=/nonexistent/qemu: not found" ] || false
}

# A stub QEMU that runs until killed, writing its PID where the test sees it.
long_stub() {
	printf '#!/bin/sh\necho $$ > "%s/qemu.pid"\nexec sleep 60\n' "$T" >"$T/qemu"
	chmod +x "$T/qemu"
	export QEMU="$T/qemu"
}

@test "SIGTERM while the VM runs: QEMU stopped within 5 s, status interrupted" {
	long_stub
	"$S" "$T/kernel" "$T/initrd" "$T/run" 2>/dev/null &
	pid=$!
	for _ in $(seq 50); do [ -s "$T/qemu.pid" ] && break; sleep 0.1; done
	qpid=$(cat "$T/qemu.pid")
	kill -0 "$qpid"
	t0=$(date +%s)
	kill -TERM "$pid"
	wait "$pid" || rc=$?
	[ "$rc" -eq 143 ]
	[ $(($(date +%s) - t0)) -le 5 ]
	wait_gone "$qpid"
	[ "$(cat "$T/run/vm.status")" = interrupted ]
}

@test "Ctrl-C (SIGINT to the process group, as a terminal sends it) stops QEMU too" {
	long_stub
	# a background job starts with SIGINT ignored; a terminal's does not
	setsid env --default-signal=INT "$S" "$T/kernel" "$T/initrd" "$T/run" 2>/dev/null &
	pid=$!
	for _ in $(seq 50); do [ -s "$T/qemu.pid" ] && break; sleep 0.1; done
	qpid=$(cat "$T/qemu.pid")
	t0=$(date +%s)
	kill -INT -- "-$pid"
	wait "$pid" || rc=$?
	[ "$rc" -eq 130 ]
	[ $(($(date +%s) - t0)) -le 5 ]
	wait_gone "$qpid"
	[ "$(cat "$T/run/vm.status")" = interrupted ]
}

@test "libvirt leftovers: only a dead run's root and VM are reaped, a live run's stay" {
	. "$BATS_TEST_DIRNAME/../lib.sh"
	. "$BATS_TEST_DIRNAME/../vm-common.sh"
	sleep 30 &
	live=$!
	( exit 0 ) &
	dead=$!
	wait "$dead"
	mkdir -p "$T/zcrx-lv.$live.abc" "$T/zcrx-lv.$dead.def" "$T/zcrx-lv.other"
	# a stand-in for the dead run's VM process, named as libvirt names it
	bash -c 'exec -a "qemu guest=zcrx-vmtest-lv-'"$dead"',debug-threads=on" sleep 30' &
	vm=$!
	sleep 0.2
	run lv_reap "$T"
	kill "$live" 2>/dev/null || true
	[ -d "$T/zcrx-lv.$live.abc" ]
	[ ! -e "$T/zcrx-lv.$dead.def" ]
	[ -d "$T/zcrx-lv.other" ]
	wait_gone "$vm"
	[[ $output == *"stopping leftover libvirt VM process $vm of the interrupted run $dead"* ]]
}

# A stub QEMU whose boots follow the script $T/boots: one line per boot,
# "oops" (an int3 oops at boot, nothing on the result channel), "oops-late"
# (the same after /init wrote its KTAP header) or an exit code.
oops_stub() {
	cat >"$T/qemu" <<STUB
#!/bin/sh
con=\$(echo "\$*" | sed -n 's/.*file,id=con,path=\([^ ]*\).*/\1/p')
res=\$(echo "\$*" | sed -n 's/.*file,id=res,path=\([^ ,]*\).*/\1/p')
n=\$(( \$(cat "$T/n" 2>/dev/null || echo 0) + 1 )); echo \$n >"$T/n"
what=\$(sed -n "\${n}p" "$T/boots")
echo "[ 1.0] boot \$n" >"\$con"
case \$what in
oops) echo "[ 1.0] Oops: int3: 0000 [#1] SMP NOPTI" >>"\$con"; exit 0 ;;
oops-late) echo "KTAP version 1" >"\$res"; echo "[ 9.0] Oops: int3: 0000 [#1] SMP NOPTI" >>"\$con"; exit 0 ;;
*) echo "KTAP version 1" >"\$res"; exit "\$what" ;;
esac
STUB
	chmod +x "$T/qemu"
	export QEMU="$T/qemu"
}

@test "an int3 oops at boot under TCG, before /init reported: one more boot, the first console kept" {
	oops_stub
	printf 'oops\n65\n' >"$T/boots"
	run "$S" "$T/kernel" "$T/initrd" "$T/run"
	[ "$status" -eq 0 ]
	[ "$(cat "$T/run/vm.status")" = pass ]
	[ "$(cat "$T/n")" = 2 ]
	[[ $output == *"oopsed on int3 at boot"*"booting once more"* ]]
	grep -q 'Oops: int3' "$T/run/console.boot1.log"
	grep -q 'boot 2' "$T/run/console.log"
	[ "$(cat "$T/run/vm.boot-retries")" = 1 ]
}

@test "an int3 oops with a shared directory: the second boot gets a virtiofsd of its own" {
	oops_stub
	# QEMU connects to virtiofsd's socket first; virtiofsd serves that one
	# QEMU and ends when it goes, leaving its socket refusing
	sed -i '2i vfs=$(echo "$*" | sed -n "s/.*socket,id=vfs,path=\\([^ ]*\\).*/\\1/p")\n[ -z "$vfs" ] || /usr/bin/python3 -c "import socket, sys; socket.socket(socket.AF_UNIX).connect(sys.argv[1])" "$vfs" 2>/dev/null || { echo "Failed to connect to $vfs: Connection refused" >\&2; exit 1; }' "$T/qemu"
	cat >"$T/vfsd" <<'V'
#!/bin/sh
for a; do case $a in --socket-path=*) s=${a#--socket-path=} ;; esac; done
exec /usr/bin/python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(1)
c, _ = s.accept(); c.recv(1)' "$s"
V
	chmod +x "$T/vfsd"
	mkdir "$T/share"
	printf 'oops\n65\n' >"$T/boots"
	VM_SHARE="$T/share" VIRTIOFSD="$T/vfsd" run "$S" "$T/kernel" "$T/initrd" "$T/run"
	[ "$status" -eq 0 ]
	[ "$(cat "$T/run/vm.status")" = pass ]
	[ "$(cat "$T/n")" = 2 ]
	! grep -q 'Connection refused' "$T/run/qemu.out" || false
}

@test "int3 oops twice: no third boot, a no-report" {
	oops_stub
	printf 'oops\noops\n65\n' >"$T/boots"
	run "$S" "$T/kernel" "$T/initrd" "$T/run"
	[ "$status" -eq 3 ]
	[ "$(cat "$T/n")" = 2 ]
	[ "$(cat "$T/run/vm.boot-retries")" = 1 ]
}

@test "int3 oops after /init reported, or a boot that ended otherwise: no second boot" {
	oops_stub
	printf 'oops-late\n65\n' >"$T/boots"
	run "$S" "$T/kernel" "$T/initrd" "$T/run"
	[ "$status" -eq 3 ]
	[ "$(cat "$T/n")" = 1 ]
	[ ! -e "$T/run/console.boot1.log" ]
	[ ! -e "$T/run/vm.boot-retries" ]
	# the oops, then QEMU's own failure (not the panic's exit 0)
	rm -f "$T/n"
	printf '1\n65\n' >"$T/boots"
	printf '%s\n' '#!/bin/sh' 'con=$(echo "$*" | sed -n "s/.*file,id=con,path=\([^ ]*\).*/\1/p")' \
		"echo x >>\"$T/n\"" 'echo "Oops: int3: 0000" >"$con"; exit 1' >"$T/qemu"
	run "$S" "$T/kernel" "$T/initrd" "$T/run2"
	[ "$status" -eq 3 ]
	[ "$(wc -l <"$T/n")" = 1 ]
}
