#!/usr/bin/env bats
# report/splats.sh: kernel splat detection in a console log.

setup() {
	S="$BATS_TEST_DIRNAME/../report/splats.sh"
	T="$BATS_TEST_TMPDIR"
	printf '%s\n' '[    0.000000] Linux version 7.3.4' '[    1.000000] virtio_net virtio0 eth0: renamed' \
		'  ok 1 global.x__E02' '  # WARNING: this is test output, not the kernel' \
		'# init: suite done' >"$T/clean"
}

splat_case() { # name line...
	local f="$T/$1"
	shift
	cat "$T/clean" >"$f"
	printf '%s\n' "$@" >>"$f"
	printf '%s\n' '[    9.000000] Call Trace:' '[    9.000001]  <TASK>' >>"$f"
	echo "$f"
}

@test "clean console: exit 0, no output" {
	run "$S" "$T/clean"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "WARN with timestamp and caller id" {
	run "$S" "$(splat_case warn '[    5.123456] [T42] WARNING: CPU: 1 PID: 42 at io_uring/zcrx.c:1361 zcrx_send_notif+0x1/0x2')"
	[ "$status" -eq 1 ]
	[[ ${lines[0]} == "splat 1 at console line 6: WARNING: CPU: 1 PID: 42 at io_uring/zcrx.c:1361"* ]]
	[[ $output == *"Call Trace:"* ]]
}

@test "each splat kind is detected" {
	local l
	for l in 'BUG: kernel NULL pointer dereference, address: 0000000000000000' \
		'Oops: general protection fault, probably for non-canonical address' \
		'general protection fault, probably for non-canonical address 0xdead' \
		'kernel BUG at io_uring/zcrx.c:100!' \
		'Kernel panic - not syncing: Fatal exception' \
		'BUG: KASAN: slab-use-after-free in io_zcrx_copy_chunk+0x1/0x2' \
		'UBSAN: shift-out-of-bounds in io_uring/zcrx.c:1361:1' \
		'INFO: task kworker/0:1:42 blocked for more than 120 seconds.' \
		'rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:' \
		'watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [zcrx:1]' \
		'unreferenced object 0xffff888003f0e000 (size 64):' \
		'WARNING: possible circular locking dependency detected' \
		'WARNING: suspicious RCU usage'; do
		run "$S" "$(splat_case one "[   12.000000] $l")"
		[ "$status" -eq 1 ] || { echo "missed: $l"; return 1; }
	done
}

@test "lines without a timestamp (printk.time=0) are scanned too" {
	run "$S" "$(splat_case notime 'BUG: unable to handle page fault for address: ffffffffffffffff')"
	[ "$status" -eq 1 ]
}

@test "test output that mentions BUG or WARNING is not a splat" {
	run "$S" "$(splat_case quoted '  # BUG: expected 0 (0) == seen (1)' '# WARNING: not the kernel')"
	# splat_case appends a Call Trace, which alone is not a splat
	[ "$status" -eq 0 ]
}

@test "two splats are both counted" {
	run "$S" "$(splat_case two '[ 1.0] WARNING: CPU: 0 PID: 1 at a.c:1 f' '[ 2.0] BUG: KASAN: use-after-free in g')"
	[ "$status" -eq 1 ]
	[ "$(grep -c '^splat ' <<<"$output")" -eq 2 ]
}

@test "unreadable log is an error (2), not clean" {
	run "$S" "$T/missing"
	[ "$status" -eq 2 ]
}

@test "--records: of two binaries running at once, the splat goes to the one its Comm: names" {
	printf '%s\n' '[ 1.0] zcrx-vmtest: binary register' '[ 1.0] zcrx-vmtest: binary events' \
		'[ 1.1] zcrx-vmtest: case register:bad.x__R01' '[ 1.2] zcrx-vmtest: case events:traffic.y__E01' \
		'[ 1.3] WARNING: CPU: 1 PID: 9 at io_uring/zcrx.c:1 f+0x1/0x2' \
		'[ 1.3] CPU: 1 UID: 0 PID: 9 Comm: register Not tainted 7.3.0' '[ 1.3] Call Trace:' \
		'[ 1.4] zcrx-vmtest: done register' \
		'[ 1.5] BUG: kernel NULL pointer dereference, address: 0' \
		'[ 1.5] CPU: 0 UID: 0 PID: 10 Comm: events Not tainted 7.3.0' >"$T/c.log"
	run "$S" --records "$T/c.log"
	[ "$status" -eq 1 ]
	[ "$(printf '%s\n' "$output" | cut -f5,6 | tr '\t\n' '| ')" = 'register|bad.x__R01 events|traffic.y__E01 ' ]
}

@test "--records: a splat of the guest's network set-up, beside a binary, is the set-up's" {
	printf '%s\n' '[ 1.0] zcrx-vmtest: binary register' '[ 1.0] zcrx-vmtest: binary zcrx-netsetup' \
		'[ 1.1] zcrx-vmtest: case register:bad.x__R01' \
		'[ 1.3] WARNING: CPU: 1 PID: 9 at net/core/dev.c:1 f+0x1/0x2' \
		'[ 1.3] CPU: 1 UID: 0 PID: 9 Comm: zcrx-netsetup Not tainted 7.3.0' '[ 1.3] Call Trace:' \
		'[ 1.4] zcrx-vmtest: done zcrx-netsetup' >"$T/c.log"
	run "$S" --records "$T/c.log"
	[ "$status" -eq 1 ]
	[ "$(printf '%s\n' "$output" | cut -f5,6 | tr '\t\n' '| ')" = 'zcrx-netsetup| ' ]
}

@test "--records: a splat in a kworker while two binaries run names both, no case" {
	printf '%s\n' '[ 1.0] zcrx-vmtest: binary register' '[ 1.0] zcrx-vmtest: case register:bad.x__R01' \
		'[ 1.0] zcrx-vmtest: binary events' '[ 1.1] zcrx-vmtest: case events:traffic.y__E01' \
		'[ 1.3] WARNING: CPU: 1 PID: 9 at io_uring/zcrx.c:1 f+0x1/0x2' \
		'[ 1.3] Workqueue: events io_ring_exit_work' \
		'[ 1.3] CPU: 1 UID: 0 PID: 9 Comm: kworker/1:1 Not tainted 7.3.0' >"$T/c.log"
	run "$S" --records "$T/c.log"
	[ "$status" -eq 1 ]
	bins=$(printf '%s\n' "$output" | cut -f5 | tr ',' '\n' | sort | tr '\n' ' ')
	[ "$bins" = 'events register ' ]
	[ -z "$(printf '%s\n' "$output" | cut -f6)" ]
}

@test "--records: a kworker splat stays with the set, not the next splat's Comm; a splat just after done keeps its binary" {
	printf '%s\n' '[ 1.0] zcrx-vmtest: binary register' '[ 1.0] zcrx-vmtest: case register:bad.x__R01' \
		'[ 1.0] zcrx-vmtest: binary events' '[ 1.1] zcrx-vmtest: case events:fault.e__E09' \
		'[ 1.3] WARNING: CPU: 1 PID: 9 at io_uring/zcrx.c:1 f+0x1/0x2' \
		'[ 1.3] CPU: 1 UID: 0 PID: 9 Comm: kworker/1:1 Not tainted 7.3.0' \
		'[ 1.4] CPU: 0 UID: 0 PID: 10 Comm: events Not tainted 7.3.0' \
		'[ 1.5] zcrx-vmtest: done events' '[ 1.6] zcrx-vmtest: done register' \
		'[ 1.7] BUG: kernel NULL pointer dereference, address: 0' \
		'[ 1.7] CPU: 0 UID: 0 PID: 11 Comm: kworker/0:2 Not tainted 7.3.0' >"$T/c.log"
	run "$S" --records "$T/c.log"
	[ "$status" -eq 1 ]
	first=$(printf '%s\n' "$output" | sed -n 1p | cut -f5 | tr ',' '\n' | sort | tr '\n' ' ')
	[ "$first" = 'events register ' ]
	second=$(printf '%s\n' "$output" | sed -n 2p | cut -f5 | tr ',' '\n' | sort | tr '\n' ' ')
	[ "$second" = 'events register ' ]
}
