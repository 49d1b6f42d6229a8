#!/usr/bin/env bats
# make hw-test's bad input: one line and exit 2 before anything slow (no
# build) and before the NIC is touched.

setup() {
	H="$BATS_TEST_DIRNAME/../hw-test.sh"
	T="$BATS_TEST_TMPDIR"
	unset NETIF LOCAL_V4 LOCAL_V6 REMOTE_V4 REMOTE_V6 REMOTE_TYPE REMOTE_ARGS NET_CONFIG HW_TESTS NIC_PROFILE
	export ZCRX_CALLER_PWD="$T" BUILD_DIR="$T/build" RESULTS_DIR="$T/results"
}

@test "nothing configured: every missing name, one line each, exit 2" {
	run "$H"
	[ "$status" -eq 2 ]
	[[ $output == *"hw-test: NETIF unset"* ]]
	[[ $output == *"hw-test: REMOTE_TYPE unset"* ]]
	[ ! -e "$T/build/hw" ]
}

@test "./net.config is read from the directory make ran in" {
	printf 'NETIF=nosuch0\nLOCAL_V4=192.0.2.1\nREMOTE_V4=192.0.2.2\nREMOTE_TYPE=netns\nREMOTE_ARGS=remote\n' >"$T/net.config"
	run "$H"
	[ "$status" -eq 2 ]
	[[ $output == *"NETIF=nosuch0: no such interface here"* ]]
}

@test "a net.config syntax error names the line" {
	printf 'NETIF=lo\nbad\n' >"$T/bad.config"
	NET_CONFIG="$T/bad.config" run "$H"
	[ "$status" -eq 2 ]
	[[ $output == *"bad.config:2: expected KEY=VALUE, seen: bad"* ]]
}

@test "a bad knob is one line, before the build" {
	export NETIF=lo LOCAL_V4=127.0.0.1 REMOTE_V4=127.0.0.2 REMOTE_TYPE=netns REMOTE_ARGS=x
	HW_TIMEOUT=soon run "$H"
	[ "$status" -eq 2 ]
	[[ $output == *"HW_TIMEOUT=soon: expected seconds"* ]]
	HW_TESTS="$T/none" run "$H"
	[ "$status" -eq 2 ]
	[[ $output == *"HW_TESTS=$T/none: no order there"* ]]
	mkdir -p "$T/bin"
	touch "$T/bin/order" "$T/bin/zcrx-suite" "$T/bin/zcrx-probe" "$T/bin/zcrx-sender"
	NIC_PROFILE="$T/none" HW_TESTS="$T/bin" run "$H"
	[ "$status" -eq 2 ]
	[[ $output == *"NIC_PROFILE=$T/none: no such file"* ]]
	[ ! -e "$T/build/hw" ]
}

@test "an unknown option is refused" {
	run "$H" --bogus
	[ "$status" -eq 2 ]
	[[ $output == *"usage: hw-test.sh [--build]"* ]]
}
