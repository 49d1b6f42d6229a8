#!/usr/bin/env bats
# vm-test.sh's preflight: every bad knob gets one line and a non-zero exit
# before anything slow (no apt call, no build, no QEMU, no run directory).

setup() {
	T="$BATS_TEST_TMPDIR"
	S="$BATS_TEST_DIRNAME/../vm-test.sh"
	mkdir -p "$T/bin"
	for c in apt-get apt-cache qemu-system-x86_64 gcc; do
		printf '#!/bin/sh\necho "%s $*" >>"%s/slow"\nexit 1\n' "$c" "$T" >"$T/bin/$c"
		chmod +x "$T/bin/$c"
	done
	export PATH="$T/bin:$PATH" BUILD_DIR="$T/build" RESULTS_DIR="$T/results"
	unset VM_GCOV KERNEL KSRC KCONFIG MODULES TESTS ZCRX_TESTS VM VM_CPUS VM_MEM_MB VM_NET VM_ACCEL VM_TIMEOUT VM_TEST_TIMEOUT QEMU JOBS
}

# refused KNOB=VALUE... EXPECTED-SUBSTRING: one line, exit 1, nothing slow
refused() {
	local want=${*: -1}
	run env "${@:1:$#-1}" "$S"
	echo "status=$status output=$output"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ ${lines[0]} == "zcrx-vmtest: error: "*"$want"* ]]
	[ ! -e "$T/slow" ]
	[ -z "$(find "$T/results" -mindepth 1 ! -name .zcrx-vmtest 2>/dev/null)" ]
}

@test "VM_CPUS must be a positive integer" {
	refused VM_CPUS=0 "VM_CPUS=0: expected an integer >= 1"
	refused VM_CPUS=two "VM_CPUS=two"
}

@test "VM_MEM_MB must be an integer >= 256" {
	refused VM_MEM_MB=128 "VM_MEM_MB=128: expected an integer >= 256"
	refused VM_MEM_MB=1G "VM_MEM_MB=1G"
}

@test "VM, VM_NET and VM_ACCEL take only their choices" {
	refused VM=docker "VM=docker: expected one of: libvirt qemu"
	refused VM_NET=bridge "VM_NET=bridge"
	refused VM_ACCEL=hvf "VM_ACCEL=hvf"
}

@test "VM_ACCEL=kvm without a usable /dev/kvm says so" {
	[ ! -w /dev/kvm ] || skip "this machine has a usable /dev/kvm"
	refused VM_ACCEL=kvm "/dev/kvm is missing or not usable"
}

@test "timeouts: positive, and the VM limit above the per-test limit" {
	refused VM_TIMEOUT=0 "VM_TIMEOUT=0"
	refused VM_TEST_TIMEOUT=-5 "VM_TEST_TIMEOUT=-5"
	refused VM_TIMEOUT=100 VM_TEST_TIMEOUT=300 "VM_TIMEOUT=100 must be larger than VM_TEST_TIMEOUT=300"
}

@test "TESTS: comma list of known binaries; spaces, globs and helpers refused, naming the knob" {
	refused TESTS=query,nosuch "TESTS: no test binary 'nosuch'"
	refused TESTS="query arm" "TESTS='query arm': expected a comma list"
	refused TESTS='nic_*' "TESTS='nic_*'"
	refused TESTS=zcrx_lib "TESTS: no test binary 'zcrx_lib'"
	refused ZCRX_TESTS=nic_rx "ZCRX_TESTS: no test binary 'nic_rx'"
}

@test "KCONFIG and MODULES without the knob they belong to" {
	refused KCONFIG=debug "KCONFIG=debug applies to kernels built from source"
	refused KSRC=debian KCONFIG=fast "KCONFIG=fast: expected one of: lean debug"
	mkdir -p "$T/mods"
	refused MODULES="$T/mods" "goes with KERNEL=/path/to/bzImage"
}

@test "VM_GCOV: 0 or 1, and only with the QEMU backend" {
	refused VM_GCOV=yes "VM_GCOV=yes: expected one of: 0 1"
	refused VM_GCOV=1 VM=libvirt "VM_GCOV=1 (make kcov-report) needs VM=qemu"
}

@test "KERNEL, KSRC and QEMU" {
	refused KERNEL=latest "KERNEL=latest: expected a Debian kernel version"
	refused KERNEL=/no/such/bzImage "KERNEL=/no/such/bzImage: no such file"
	refused KERNEL=7.3 KSRC=debian "give one of them"
	refused KSRC=/no/such/tree "KSRC=/no/such/tree: no such directory"
	mkdir -p "$T/tree"
	refused KSRC="$T/tree" "no io_uring/zcrx.c"
	refused QEMU=/no/qemu "QEMU=/no/qemu: not found"
}

@test "RESULTS_DIR and BUILD_DIR that cannot be created" {
	: >"$T/file"
	refused RESULTS_DIR="$T/file/results" "RESULTS_DIR=$T/file/results: cannot create"
	refused BUILD_DIR="$T/file/build" "BUILD_DIR=$T/file/build: cannot create"
	refused BUILD_DIR=/ "BUILD_DIR=/: refusing to use the root directory"
}

@test "RUN_NAME with a path escape is refused" {
	refused RUN_NAME=../../etc "RUN_NAME=../../etc"
}

@test "a relative BUILD_DIR is made absolute once" {
	cd "$T"
	run bash -c ". '$BATS_TEST_DIRNAME/../lib.sh'; echo \$BUILD_DIR; cd /; echo \$BUILD_DIR"
	[ "${lines[0]}" = "$T/build" ]
	BUILD_DIR=rel run bash -c ". '$BATS_TEST_DIRNAME/../lib.sh'; echo \$BUILD_DIR"
	[ "$output" = "$T/rel" ]
}

@test "make clean with an empty BUILD_DIR, distclean of a foreign dir" {
	# a copy of the project, so the real build/ is never touched
	mkdir -p "$T/top/build/guest" "$T/top/build/deps" "$T/foreign/keep"
	cp -r "$BATS_TEST_DIRNAME/../../Makefile" "$BATS_TEST_DIRNAME/../../host-scripts" "$T/top/"
	run make -s -C "$T/top" clean BUILD_DIR=
	[ "$status" -eq 0 ]
	[ ! -e "$T/top/build/guest" ] && [ -d "$T/top/build/deps" ] || false
	run make -s -C "$T/top" distclean BUILD_DIR="$T/foreign" RESULTS_DIR="$T/foreign"
	[ "$status" -ne 0 ]
	[[ $output == *"was not made by zcrx-vmtest"* ]]
	[ -d "$T/foreign/keep" ]
}
