#!/usr/bin/env bats
# vm-test.sh interrupted before the VM (a slow download or kernel build):
# it stops at once, stops the whole tree under it, and leaves nothing.

load fixtures/proc

setup() {
	T="$BATS_TEST_TMPDIR"
	top="$T/top"
	mkdir -p "$top/host-scripts/kernels" "$top/vm" "$top/guest-tests" "$T/bin"
	cp "$BATS_TEST_DIRNAME"/../*.sh "$BATS_TEST_DIRNAME"/../knobs.tsv "$top/host-scripts/"
	cp -r "$BATS_TEST_DIRNAME"/../backends "$BATS_TEST_DIRNAME"/../report "$BATS_TEST_DIRNAME"/../sinks "$top/host-scripts/"
	cp "$BATS_TEST_DIRNAME/../../vm/machine.conf" "$top/vm/"
	cp "$BATS_TEST_DIRNAME/../../guest-tests/Makefile" "$top/guest-tests/"
	# a kernel fetch that hangs in a grandchild, as apt-get download would
	cat >"$top/host-scripts/kernels/fetch-kernel.sh" <<S
#!/bin/bash
bash -c 'echo \$\$ > "$T/grandchild.pid"; exec sleep 60' &
wait
S
	chmod +x "$top/host-scripts/kernels/fetch-kernel.sh"
	for c in qemu-system-x86_64 jq cpio; do printf '#!/bin/sh\nexit 0\n' >"$T/bin/$c"; chmod +x "$T/bin/$c"; done
	export PATH="$T/bin:$PATH" ZCRX_TOP="$top" BUILD_DIR="$T/build" RESULTS_DIR="$T/results"
	unset KERNEL KSRC KCONFIG TESTS ZCRX_TESTS
}

@test "SIGTERM while fetching: stops within 5 s, grandchild gone, no staging or run directory" {
	"$top/host-scripts/vm-test.sh" 2>"$T/err" &
	pid=$!
	for _ in $(seq 100); do [ -s "$T/grandchild.pid" ] && break; sleep 0.1; done
	gpid=$(cat "$T/grandchild.pid")
	kill -0 "$gpid"
	t0=$(date +%s)
	kill -TERM "$pid"
	rc=0
	wait "$pid" || rc=$?
	[ "$rc" -eq 143 ]
	[ $(($(date +%s) - t0)) -le 5 ]
	wait_gone "$gpid"
	[ -z "$(find "$T/build" -name '.run-stage.*')" ]
	[ -z "$(find "$T/results" -mindepth 1 ! -name .zcrx-vmtest 2>/dev/null)" ]
}
