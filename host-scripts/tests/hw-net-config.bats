#!/usr/bin/env bats
# make hw-test's net.config (hw/net-config.sh): the kernel selftests'
# KEY=VALUE format, the environment wins, a bad line is named, and the
# values hw-test needs are checked one line each.

setup() {
	T="$BATS_TEST_TMPDIR"
	. "$BATS_TEST_DIRNAME/../hw/net-config.sh"
	unset NETIF LOCAL_V4 LOCAL_V6 REMOTE_V4 REMOTE_V6 REMOTE_TYPE REMOTE_ARGS
}

@test "a net.config as the kernel's README writes it is loaded" {
	cat >"$T/net.config" <<'C'
# Locally attached network interface
NETIF=eth0

# Local IP addresses
LOCAL_V4=192.0.2.1
LOCAL_V6="2001:db8::1"
REMOTE_V4='192.0.2.2'
REMOTE_TYPE=ssh
REMOTE_ARGS="root@192.0.2.2 -p 2222"
C
	hw_config_load "$T/net.config"
	[ "$NETIF" = eth0 ]
	[ "$LOCAL_V6" = 2001:db8::1 ]
	[ "$REMOTE_V4" = 192.0.2.2 ]
	[ "$REMOTE_ARGS" = "root@192.0.2.2 -p 2222" ]
	run hw_config_check
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "the environment wins over the file" {
	printf 'NETIF=eth0\nREMOTE_TYPE=ssh\n' >"$T/net.config"
	export NETIF=eth9
	hw_config_load "$T/net.config"
	[ "$NETIF" = eth9 ]
	[ "$REMOTE_TYPE" = ssh ]
}

@test "a line that is not KEY=VALUE is named with its number" {
	printf 'NETIF=eth0\n\nLOCAL_V4 192.0.2.1\n' >"$T/net.config"
	run hw_config_load "$T/net.config"
	[ "$status" -eq 1 ]
	[ "$output" = "net.config $T/net.config:3: expected KEY=VALUE, seen: LOCAL_V4 192.0.2.1" ]
}

@test "shell syntax in a value is refused, not run" {
	printf 'NETIF=$(touch %s/pwned)\n' "$T" >"$T/net.config"
	run hw_config_load "$T/net.config"
	[ "$status" -eq 1 ]
	[[ $output == *":1: NETIF: quotes,"* ]]
	[ ! -e "$T/pwned" ]
}

@test "a missing file is one line" {
	run hw_config_load "$T/nope"
	[ "$status" -eq 1 ]
	[ "$output" = "net.config $T/nope: no such file" ]
}

@test "every missing or wrong value is one line" {
	export REMOTE_TYPE=telnet
	run hw_config_check
	[ "$status" -eq 5 ]
	[ "${#lines[@]}" -eq 5 ]
	[[ ${lines[0]} == "NETIF unset:"* ]]
	[[ ${lines[3]} == "REMOTE_TYPE=telnet: expected netns or ssh" ]]
}
