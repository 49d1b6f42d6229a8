#!/usr/bin/env bats
# images/suite-runner.c through zcrx-suite (its program of its own, as make
# hw-test runs it), built here and run on stub test binaries: the nested
# KTAP, and the retry of a failed case alone (the harness's -r): a pass
# then is a flake, a second failure stays a failure.

setup_file() {
	export B="$BATS_FILE_TMPDIR/bin"
	make -s -C "$BATS_TEST_DIRNAME/../../images" OUT="$B" "$B/zcrx-suite" >&2
}

setup() {
	T="$BATS_TEST_TMPDIR"
	export ZCRX_KMSG=0
	# stub binary: case b fails unless run alone (-r global.b): a flake;
	# case c fails always
	cat >"$T/flaky" <<'S'
#!/bin/sh
if [ "$1" = -r ]; then
	echo "TAP version 13"; echo "1..1"
	if [ "$2" = global.b ]; then echo "ok 1 global.b"; echo "# Totals: pass:1 fail:0 xfail:0 xpass:0 skip:0 error:0"; exit 0; fi
	echo "not ok 1 $2"; echo "# Totals: pass:0 fail:1 xfail:0 xpass:0 skip:0 error:0"; exit 1
fi
echo "TAP version 13"; echo "1..3"
echo "ok 1 global.a"; echo "not ok 2 global.b"; echo "${CASE_C:-not ok} 3 global.c"
echo "# Totals: pass:${PASS:-1} fail:${FAIL:-2} xfail:0 xpass:0 skip:0 error:0"
exit 1
S
	chmod +x "$T/flaky"
	echo flaky >"$T/order"
}

@test "a case that passes alone is a flake; one that fails again is a failure" {
	run "$B/zcrx-suite" "$T" - 30
	[ "$status" -eq 1 ]
	[[ $output == *"# zcrx-vmtest: retry flaky:global.b ok"* ]]
	[[ $output == *"# zcrx-vmtest: retry flaky:global.c not ok"* ]]
	[[ $output == *"  # retry| ok 1 global.b"* ]]
	[[ $output == *$'\nnot ok 1 flaky\n'* ]]
	printf '%s\n' "$output" >"$T/ktap"
	run "$BATS_TEST_DIRNAME/../report/ktap-records.sh" "$T/ktap"
	[[ $output == *$'case\tflaky\tglobal.b\tflake'* ]]
	[[ $output == *$'case\tflaky\tglobal.c\tfail'* ]]
	[[ $output == *$'doc\t1\t'* ]]
}

@test "a binary whose only failures were flakes passes, the flakes named" {
	CASE_C=ok PASS=2 FAIL=1 run "$B/zcrx-suite" "$T" - 30
	[ "$status" -eq 0 ]
	[[ $output == *$'\nok 1 flaky\n'* ]]
	[[ $output == *"# Totals: pass:3 fail:0"* ]]
	[[ $output == *"# zcrx-vmtest: exit=0"* ]]
	printf '%s\n' "$output" >"$T/ktap"
	run "$BATS_TEST_DIRNAME/../report/ktap-records.sh" "$T/ktap"
	[[ $output == *$'case\tflaky\tglobal.b\tflake'* ]]
	[[ $output == *$'totals\t3\t0\t0\t0\t0\t0'* ]]
}

@test "a binary that crashes is not retried" {
	printf '#!/bin/sh\necho "TAP version 13"; echo "1..1"; echo "not ok 1 global.x"; kill -SEGV $$\n' >"$T/flaky"
	run "$B/zcrx-suite" "$T" - 30
	[ "$status" -eq 1 ]
	! [[ $output == *"retry"* ]] || false
	[[ $output == *"not ok 1 flaky # ERROR killed by signal 11"* ]]
}

@test "ZCRX_RETRY=0: no retry, the failures stand" {
	ZCRX_RETRY=0 run "$B/zcrx-suite" "$T" - 30
	[ "$status" -eq 1 ]
	! [[ $output == *"retry"* ]] || false
	[[ $output == *$'\nnot ok 1 flaky\n'* ]]
}

@test "SIGTERM to zcrx-suite kills the binary that is running (its own process group)" {
	printf '#!/bin/sh\necho $$ >"%s/pid"\necho "TAP version 13"; echo "1..1"\nsleep 60\n' "$T" >"$T/flaky"
	"$B/zcrx-suite" "$T" - 120 >/dev/null 2>&1 &
	s=$!
	for _ in $(seq 50); do [ -s "$T/pid" ] && break; sleep 0.1; done
	p=$(cat "$T/pid")
	kill -0 "$p"
	kill -TERM "$s"
	wait "$s" || true
	sleep 0.2
	# gone, or a zombie nobody has reaped yet: not running
	st=$(ps -o stat= -p "$p" || true)
	[ -z "$st" ] || [[ $st == Z* ]]
}

# stub binary NAME: waits (bounded) for PEER to have started, so it can only
# pass when both run at once; notes when it ended
shared_stub() {
	cat >"$T/$1" <<S
#!/bin/sh
touch "$T/$1.started"
i=0
while ! [ -e "$T/$2.started" ] && [ \$i -lt 100 ]; do sleep 0.05; i=\$((i + 1)); done
echo "TAP version 13"; echo "1..2"
r=0
if [ -e "$T/$2.started" ]; then echo "ok 1 global.with_$2__S01"; else echo "not ok 1 global.with_$2__S01"; r=1; fi
echo "ok 2 global.skipped # SKIP no NIC"
echo "# Totals: pass:\$((1 - r)) fail:\$r xfail:0 xpass:0 skip:1 error:0"
touch "$T/$1.ended"
exit \$r
S
	chmod +x "$T/$1"
}

@test "shared binaries run at once; one that is not waits for them; the document keeps the order" {
	shared_stub a b
	shared_stub b a
	cat >"$T/solo" <<S
#!/bin/sh
echo "TAP version 13"; echo "1..1"
if [ -e "$T/a.ended" ] && [ -e "$T/b.ended" ]; then echo "ok 1 global.alone"; else echo "not ok 1 global.alone"; fi
echo "# Totals: pass:1 fail:0 xfail:0 xpass:0 skip:0 error:0"
S
	chmod +x "$T/solo"
	printf 'a shared\nb shared\nsolo\n' >"$T/order"
	ZCRX_JOBS=2 ZCRX_RETRY=0 run "$B/zcrx-suite" "$T" - 30
	[ "$status" -eq 0 ]
	[[ $output == *"# Totals: pass:3 fail:0 xfail:0 xpass:0 skip:2 error:0"* ]]
	# each binary's block whole and in the order file's order
	[ "$(printf '%s\n' "$output" | grep -E '^(ok|not ok) |^  ok 1 ' | tr '\n' '|')" = \
		'  ok 1 global.with_b__S01|ok 1 a|  ok 1 global.with_a__S01|ok 2 b|  ok 1 global.alone|ok 3 solo|' ]
	printf '%s\n' "$output" >"$T/ktap"
	run "$BATS_TEST_DIRNAME/../report/ktap-records.sh" "$T/ktap"
	[[ $output == *$'case\ta\tglobal.with_b__S01\tpass'* ]]
	[[ $output == *$'case\tb\tglobal.with_a__S01\tpass'* ]]
}

@test "NIC binaries run among the shared ones without NIC_PROFILE, alone with it" {
	shared_stub a n
	shared_stub n a
	printf 'a shared\nn nic\n' >"$T/order"
	ZCRX_JOBS=2 ZCRX_RETRY=0 run env -u NIC_PROFILE "$B/zcrx-suite" "$T" - 30
	[ "$status" -eq 0 ]
	[[ $output == *"  ok 1 global.with_n__S01"* ]]
	[[ $output == *"  ok 1 global.with_a__S01"* ]]
	rm -f "$T"/*.started "$T"/*.ended
	# a profile, even an unreadable one: the NIC cases may run, so alone
	# (a waits for n in vain; n, after it, finds a started)
	NIC_PROFILE="$T/none" ZCRX_JOBS=2 ZCRX_RETRY=0 run "$B/zcrx-suite" "$T" - 30
	[ "$status" -eq 1 ]
	[[ $output == *"  not ok 1 global.with_n__S01"* ]]
}

# stub NIC binary NAME: shared_stub's wait for PEER, and the NETIF family it
# was given, one line each
lane_stub() {
	shared_stub "$1" "$2"
	sed -i "2i echo \"\$NETIF \$LOCAL_V4 \$REMOTE_ARGS \${LOCAL_V6-unset}\" >\"$T/$1.env\"" "$T/$1"
}

@test "NIC lanes: with NIC2_NETIF, two NIC binaries run at once, one on each lane's variables" {
	lane_stub n1 n2
	lane_stub n2 n1
	printf 'n1 nic\nn2 nic\n' >"$T/order"
	NIC_PROFILE="$T/prof" NETIF=eth2 LOCAL_V4=192.0.2.1 LOCAL_V6=2001:db8::1 REMOTE_ARGS=remote \
		NIC2_NETIF=eth5 NIC2_LOCAL_V4=198.18.2.1 NIC2_REMOTE_ARGS=remote2 \
		ZCRX_JOBS=1 ZCRX_RETRY=0 run "$B/zcrx-suite" "$T" - 30
	[ "$status" -eq 0 ]
	[[ $output == *"  ok 1 global.with_n2__S01"* ]]
	[[ $output == *"  ok 1 global.with_n1__S01"* ]]
	# the first lane keeps the variables it has; the second gets NIC2_*,
	# and what NIC2_* lacks is unset, not the first lane's
	[ "$(cat "$T/n1.env")" = "eth2 192.0.2.1 remote 2001:db8::1" ]
	[ "$(cat "$T/n2.env")" = "eth5 198.18.2.1 remote2 unset" ]
	[[ $output == *"# zcrx-vmtest: NIC lane 2: NETIF=eth5"* ]]
}

@test "NIC lanes: without NIC2_NETIF one at a time; a nic-global binary always alone" {
	lane_stub n1 n2
	lane_stub n2 n1
	printf 'n1 nic\nn2 nic\n' >"$T/order"
	NIC_PROFILE="$T/prof" NETIF=eth2 ZCRX_RETRY=0 run env -u NIC2_NETIF "$B/zcrx-suite" "$T" - 30
	[ "$status" -eq 1 ]
	[[ $output == *"  not ok 1 global.with_n2__S01"* ]]
	rm -f "$T"/*.started "$T"/*.ended
	printf 'n1 nic-global\nn2 nic\n' >"$T/order"
	NIC_PROFILE="$T/prof" NETIF=eth2 NIC2_NETIF=eth5 ZCRX_RETRY=0 run "$B/zcrx-suite" "$T" - 30
	[ "$status" -eq 1 ]
	[[ $output == *"  not ok 1 global.with_n2__S01"* ]]
	# without a NIC profile it skips, so it joins the pool
	rm -f "$T"/*.started "$T"/*.ended
	ZCRX_JOBS=2 ZCRX_RETRY=0 run env -u NIC_PROFILE "$B/zcrx-suite" "$T" - 30
	[ "$status" -eq 0 ]
}

@test "NIC lanes never run beside the pool" {
	shared_stub a n
	lane_stub n a
	printf 'a shared\nn nic\n' >"$T/order"
	NIC_PROFILE="$T/prof" NETIF=eth2 NIC2_NETIF=eth5 ZCRX_JOBS=2 ZCRX_RETRY=0 run "$B/zcrx-suite" "$T" - 30
	[ "$status" -eq 1 ]
	# a waits for n in vain (n, after it, finds a started)
	[[ $output == *"  not ok 1 global.with_n__S01"* ]]
}

@test "ZCRX_JOBS=1: shared binaries run one at a time (the stubs prove it by failing)" {
	shared_stub a b
	shared_stub b a
	printf 'a shared\nb shared\n' >"$T/order"
	ZCRX_JOBS=1 ZCRX_RETRY=0 run "$B/zcrx-suite" "$T" - 30
	[ "$status" -eq 1 ]
	[[ $output == *"  not ok 1 global.with_b__S01"* ]]
}

@test "ZCRX_LAVA=1: one console line per case, outside the KTAP of a worker's binary too" {
	shared_stub a b
	shared_stub b a
	printf 'a shared\nb shared\nflaky\n' >"$T/order"
	ZCRX_LAVA=1 ZCRX_JOBS=2 run "$B/zcrx-suite" "$T" - 30
	[ "$status" -eq 1 ]
	[ "$(printf '%s\n' "$output" | grep '^zcrx-lava: ' | sort | tr '\n' '|')" = \
		'zcrx-lava: case=a.global.skipped result=skip|zcrx-lava: case=a.global.with_b__S01 result=pass|zcrx-lava: case=b.global.skipped result=skip|zcrx-lava: case=b.global.with_a__S01 result=pass|zcrx-lava: case=flaky.global.a result=pass|zcrx-lava: case=flaky.global.b result=fail|zcrx-lava: case=flaky.global.c result=fail|' ]
	# no tag byte leaks, and a retry is not a case of its own
	! printf '%s\n' "$output" | grep -q $'\x01' || false
}

@test "SIGTERM to zcrx-suite kills the binaries its workers run" {
	printf '#!/bin/sh\necho $$ >"%s/pid-$(basename "$0")"\necho "TAP version 13"; echo "1..1"\nsleep 60\n' "$T" >"$T/s1"
	cp "$T/s1" "$T/s2"
	chmod +x "$T/s1" "$T/s2"
	printf 's1 shared\ns2 shared\n' >"$T/order"
	ZCRX_JOBS=2 "$B/zcrx-suite" "$T" - 120 >/dev/null 2>&1 &
	s=$!
	for _ in $(seq 50); do [ -s "$T/pid-s1" ] && [ -s "$T/pid-s2" ] && break; sleep 0.1; done
	p1=$(cat "$T/pid-s1") p2=$(cat "$T/pid-s2")
	kill -0 "$p1" "$p2"
	kill -TERM "$s"
	wait "$s" || true
	# the runner's lock file went with it
	! [ -e "/tmp/zcrx-suite-$s.lock" ] || false
	sleep 0.3
	for p in "$p1" "$p2"; do
		st=$(ps -o stat= -p "$p" || true)
		[ -z "$st" ] || [[ $st == Z* ]]
	done
}

# stub binary a: its one case fails; run again alone (-r) it passes unless
# the file $1 exists then; with $2, the first run first waits (bounded)
# for the file $2
retry_stub() {
	local wait=""
	[ -z "${2:-}" ] || wait="i=0; while ! [ -e \"$2\" ] && [ \$i -lt 100 ]; do sleep 0.05; i=\$((i + 1)); done"
	cat >"$T/a" <<S
#!/bin/sh
echo "TAP version 13"; echo "1..1"
if [ "\$1" = -r ]; then
	if [ -e "$1" ]; then echo "not ok 1 global.x"; r=1; else echo "ok 1 global.x"; r=0; fi
	echo "# Totals: pass:\$((1 - r)) fail:\$r xfail:0 xpass:0 skip:0 error:0"; exit \$r
fi
$wait
echo "not ok 1 global.x"; echo "# Totals: pass:0 fail:1 xfail:0 xpass:0 skip:0 error:0"; exit 1
S
	chmod +x "$T/a"
}

@test "a failed case of a shared binary is retried alone: after the others ended" {
	retry_stub "$T/b.running" "$T/b.running"
	cat >"$T/b" <<S
#!/bin/sh
touch "$T/b.running"; sleep 1; rm -f "$T/b.running"
echo "TAP version 13"; echo "1..1"; echo "ok 1 global.y"
echo "# Totals: pass:1 fail:0 xfail:0 xpass:0 skip:0 error:0"
S
	chmod +x "$T/a" "$T/b"
	printf 'a shared\nb shared\n' >"$T/order"
	ZCRX_JOBS=2 run "$B/zcrx-suite" "$T" - 30
	[ "$status" -eq 0 ]
	[[ $output == *"# zcrx-vmtest: retry a:global.x ok"* ]]
}

@test "a retry is not overtaken: binaries launched while it waits wait for it" {
	# a fails at once and wants to retry alone; c runs 2 s, so the retry
	# waits; b ends after 1 s and d is launched then: d must wait at the
	# gate until a's retry ran, or flock would let it overtake the retry
	retry_stub "$T/d.started"
	for b in b:1 c:2 d:0; do
		printf '#!/bin/sh\ntouch "%s/%s.started"; sleep %s\necho "TAP version 13"; echo "1..1"; echo "ok 1 global.y"\necho "# Totals: pass:1 fail:0 xfail:0 xpass:0 skip:0 error:0"\n' \
			"$T" "${b%:*}" "${b#*:}" >"$T/${b%:*}"
	done
	chmod +x "$T/a" "$T/b" "$T/c" "$T/d"
	printf 'a shared\nb shared\nc shared\nd shared\n' >"$T/order"
	ZCRX_JOBS=3 run "$B/zcrx-suite" "$T" - 30
	[ "$status" -eq 0 ]
	[[ $output == *"# zcrx-vmtest: retry a:global.x ok"* ]]
}

@test "two shared binaries that both want a retry: both retried, no deadlock" {
	# each fails its case while the other runs (both started), passes it
	# alone (-r); the first to retry waits for the other's shared lock,
	# which the other must let go before it waits at the first's gate
	for b in a:b b:a; do
		cat >"$T/${b%:*}" <<S
#!/bin/sh
if [ "\$1" = -r ]; then
	echo "TAP version 13"; echo "1..1"; echo "ok 1 \$2"
	echo "# Totals: pass:1 fail:0 xfail:0 xpass:0 skip:0 error:0"; exit 0
fi
touch "$T/${b%:*}.started"
i=0
while ! [ -e "$T/${b#*:}.started" ] && [ \$i -lt 100 ]; do sleep 0.05; i=\$((i + 1)); done
echo "TAP version 13"; echo "1..1"; echo "not ok 1 global.x"
echo "# Totals: pass:0 fail:1 xfail:0 xpass:0 skip:0 error:0"; exit 1
S
		chmod +x "$T/${b%:*}"
	done
	printf 'a shared\nb shared\n' >"$T/order"
	ZCRX_JOBS=2 run timeout 20 "$B/zcrx-suite" "$T" - 30
	[ "$status" -eq 0 ]
	[[ $output == *"# zcrx-vmtest: retry a:global.x ok"* ]]
	[[ $output == *"# zcrx-vmtest: retry b:global.x ok"* ]]
}

@test "a binary that closes its output and hangs still meets its timeout" {
	printf '#!/bin/sh\necho "TAP version 13"; echo "1..1"\nexec >/dev/null 2>&1\nsleep 60\n' >"$T/flaky"
	run timeout 20 "$B/zcrx-suite" "$T" - 2
	[ "$status" -eq 1 ]
	[[ $output == *"not ok 1 flaky # TIMEOUT"* ]]
}

# stub binary NAME that marks its start in $T/marks and ends after 0.3 s,
# noting whether PEER had ended by then
mark_stub() {
	cat >"$T/$1" <<S
#!/bin/sh
touch "$T/marks/started.$1"
sleep 0.3
echo "TAP version 13"; echo "1..1"; echo "ok 1 global.x"
[ -z "$2" ] || [ ! -e "$T/marks/ended.$2" ] || echo "# $2 had ended"
echo "# Totals: pass:1 fail:0 xfail:0 xpass:0 skip:0 error:0"
touch "$T/marks/ended.$1"
S
	chmod +x "$T/$1"
}

@test "the network hook (/init's): local binaries start before it, the others after; a NIC it brings is used" {
	gcc -std=gnu11 -O2 -Wall -Wextra -Werror -static -I"$BATS_TEST_DIRNAME/../../images" \
		-I"$BATS_TEST_DIRNAME/../../guest-tests/lib" -o "$T/driver" \
		"$BATS_TEST_DIRNAME/fixtures/net-ready-driver.c" "$BATS_TEST_DIRNAME/../../images/suite-runner.c"
	mkdir "$T/marks"
	mark_stub a
	mark_stub b
	mark_stub c
	mark_stub n c
	printf 'a shared local\nb shared local\nc shared\nn nic\n' >"$T/order"
	MARKS="$T/marks" ZCRX_JOBS=4 ZCRX_RETRY=0 run env -u NIC_PROFILE -u NIC2_NETIF "$T/driver" "$T"
	[ "$status" -eq 0 ]
	# the hook ran once, with both local binaries running, before c started
	[ "$(head -n1 "$T/marks/hook")" = "workers 2" ]
	! grep -qx 'c\|n' "$T/marks/hook" || false
	# the NIC profile it named keeps n apart from the shared c: n ran after it
	[[ $output == *"# c had ended"* ]]
	[[ $output == *$'ok 1 a\n'*$'ok 2 b\n'*$'ok 3 c\n'*$'ok 4 n\n'* ]]
}
