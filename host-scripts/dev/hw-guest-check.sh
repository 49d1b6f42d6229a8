#!/usr/bin/env bash
# Inside the VM (make vm-run on the patched kernel; check-hw-test.sh starts
# it): the guest plays a bare-metal runner and make hw-test runs against
# its netdevsim pair. One line per case; exit 1 on any miss.
#   usage: hw-guest-check.sh RUN-PREFIX
#   PREFIX-netns, PREFIX-ssh: the whole suite, REMOTE_TYPE=netns and ssh
#   (sshd in the remote netns, reached over the virtio pair); the NIC's
#   settings are moved away from their defaults first and must be back
#   exactly after each run, after a failed case, after SIGTERM mid-case and
#   after a run killed with SIGKILL (the next run restores it first). Bad
#   input (unknown NETIF, a NIC without queue ops, an unreachable peer, a
#   net.config syntax error, not root) exits 2 with one line and changes
#   nothing. make promote with PROMOTE_N=2 makes the guest's runner trusted. The snapshot is taken with plain ethtool/ip/sysctl, not with
#   hw-test's own state code.
# shellcheck disable=SC2016,SC2015 # commands expand in the guest; ok() cannot fail
set -uo pipefail
prefix=${1:?usage: hw-guest-check.sh RUN-PREFIX}
top=$(cd "$(dirname "$0")/../.." && pwd)
bin="$top/build/hw/bin"
export HW_TESTS="$bin" HW_STATE_DIR=/run/zcrx-hw ZCRX_SINKS=
t=$(mktemp -d)
bad=0
ok() { echo "hw-check: $1: ok"; }
miss() {
	echo "hw-check: $1: FAILED${2:+: $2}"
	bad=1
}

snap() {
	ethtool -g "$NETIF"
	ethtool -l "$NETIF"
	ethtool -x "$NETIF"
	ethtool -n "$NETIF"
	ethtool -k "$NETIF" | grep -v fixed
	ip -o link show dev "$NETIF" | grep -o 'mtu [0-9]*'
	ip netns exec remote ip -o addr show to "$REMOTE_V4" | awk '{ print $2 }' |
		xargs -I{} ip netns exec remote ip -o link show dev {} | grep -o 'mtu [0-9]*'
	sysctl -n net.core.skb_defer_max kernel.printk_devkmsg vm.nr_hugepages net.ipv4.tcp_timestamps
}
same() { # same NAME: the NIC is as the "before" snapshot says
	snap >"$t/after" 2>&1
	if diff -u "$t/before" "$t/after" >"$t/diff"; then
		ok "$1: the NIC's settings are back exactly"
	else
		miss "$1: the NIC's settings differ" "$(head -c 600 "$t/diff")"
	fi
}
expect_rc() { # expect_rc NAME WANT RC OUTPUT-FILE
	if [ "$3" = "$2" ]; then ok "$1: exit $3"; else miss "$1: exit $3, expected $2" "$(tail -n 5 "$4")"; fi
}

# away from the defaults, so a restore to "defaults" would show
ethtool -G "$NETIF" rx 256
ethtool -K "$NETIF" large-receive-offload off
ethtool -N "$NETIF" flow-type tcp4 dst-port 9999 action 2 >/dev/null
sysctl -qw net.core.skb_defer_max=32
snap >"$t/before" 2>&1

# 1. the whole suite, netns peer
rc=0
make -s -C "$top" hw-test RUN_NAME="$prefix-netns" >"$t/out" 2>&1 || rc=$?
expect_rc "suite, REMOTE_TYPE=netns" 0 "$rc" "$t/out"
same "suite, REMOTE_TYPE=netns"
grep -q '^verified$' "$top/results/$prefix-netns/restore.status" && ok "netns: restore.status verified" ||
	miss "netns: restore.status" "$(cat "$top/results/$prefix-netns/restore.status" 2>&1)"

# 2. a failed case (a profile that says the wrong RSS table size)
sed 's/^RSS_TABLE_SIZE=.*/RSS_TABLE_SIZE=64/' "$top/vm/nic-profiles/netdevsim" >"$t/bad-profile"
rc=0
NIC_PROFILE="$t/bad-profile" make -s -C "$top" hw-test TESTS=nic_setup RUN_NAME="$prefix-fail" >"$t/out" 2>&1 || rc=$?
expect_rc "a failing case" 1 "$rc" "$t/out"
[ "$(jq -r '.cases[] | select(.name == "global.rss_roundtrip") | .outcome' "$top/results/$prefix-fail/results.json" 2>/dev/null)" = fail ] &&
	ok "a failing case: nic_setup rss_roundtrip failed as meant" || miss "a failing case: rss_roundtrip did not fail"
same "a failing case"

# 3. SIGTERM mid-case
started() { # started RUN: until a case of the run has begun (60 s at most)
	for _ in $(seq 600); do
		grep -qs '#  RUN ' "$top/results/$1/ktap.txt" && return 0
		sleep 0.1
	done
	return 1
}
RUN_NAME="$prefix-term" ZCRX_TESTS=nic_zc "$top/host-scripts/hw-test.sh" >"$t/out" 2>&1 &
pid=$!
started "$prefix-term" || miss "SIGTERM: no case started within 60 s"
sleep 1
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
expect_rc "SIGTERM mid-case" 143 "$rc" "$t/out"
same "SIGTERM mid-case"
[ ! -e /run/zcrx-hw/"$NETIF".state ] && ok "SIGTERM: no state file left" || miss "SIGTERM: the state file is still there"

# 4. SIGKILL of the whole run mid-case: the NIC is left changed, and the
# next run sees the state file and restores it first
RUN_NAME="$prefix-kill" ZCRX_TESTS=nic_zc setsid "$top/host-scripts/hw-test.sh" >"$t/out" 2>&1 &
pid=$!
started "$prefix-kill" || miss "SIGKILL: no case started within 60 s"
sleep 1
kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid"
wait "$pid" 2>/dev/null
sleep 1
[ -e /run/zcrx-hw/"$NETIF".state ] && ok "SIGKILL: the state file stays" || miss "SIGKILL: no state file left behind"
rc=0
make -s -C "$top" hw-test TESTS=nic_setup RUN_NAME="$prefix-after-kill" >"$t/out" 2>&1 || rc=$?
expect_rc "the run after a killed one" 0 "$rc" "$t/out"
grep -q 'a previous run left it changed' "$t/out" && ok "the run after a killed one: restored the NIC first" ||
	miss "the run after a killed one: did not say it restored the NIC first" "$(head -n 5 "$t/out")"
same "the run after a killed one"

# 5. bad input: exit 2, one line, nothing changed
bad_input() { # bad_input NAME REGEX ENV...
	local name=$1 re=$2 rc=0
	shift 2
	env "$@" make -s -C "$top" hw-test TESTS=query >"$t/out" 2>&1 || rc=$?
	if [ "$rc" = 2 ] && grep -qE -- "$re" "$t/out"; then
		ok "bad input, $name: exit 2, says /$re/"
	else
		miss "bad input, $name: exit $rc" "$(tail -n 4 "$t/out")"
	fi
	same "bad input, $name"
}
bad_input "unknown NETIF" 'NETIF=nosuch0: no such interface' NETIF=nosuch0
bad_input "a NIC without queue ops (virtio-net)" 'no queue management ops' \
	NETIF="$VIRTIO_NETIF" LOCAL_V4="$VIRTIO_LOCAL_V4" REMOTE_V4="$VIRTIO_REMOTE_V4"
bad_input "a netns peer that does not exist" 'no network namespace' REMOTE_ARGS=nosuchns
bad_input "an unreachable ssh peer" 'does not answer' REMOTE_TYPE=ssh REMOTE_ARGS=root@192.0.2.99
printf 'NETIF=%s\nLOCAL_V4 192.0.2.1\n' "$NETIF" >"$t/net.config"
bad_input "a net.config syntax error" 'net.config .*:2: expected KEY=VALUE' NET_CONFIG="$t/net.config"
rc=0
setpriv --reuid=65534 --regid=65534 --clear-groups make -s -C "$top" hw-test TESTS=query >"$t/out" 2>&1 || rc=$?
if [ "$rc" = 2 ] && grep -q 'needs root' "$t/out"; then ok "bad input, not root: exit 2"; else miss "bad input, not root: exit $rc" "$(tail -n 3 "$t/out")"; fi
same "bad input, not root"

# 6. the whole suite again over ssh: sshd in the remote netns, reached
# over the virtio pair (a lab's management network)
mkdir -p /run/sshd /root/.ssh
ssh-keygen -A >/dev/null
ssh-keygen -q -t ed25519 -N '' -f /root/.ssh/id_ed25519 <<<y >/dev/null 2>&1
cp /root/.ssh/id_ed25519.pub /root/.ssh/authorized_keys
ip netns exec remote /usr/sbin/sshd -o PermitRootLogin=prohibit-password -o UseDNS=no
rc=0
REMOTE_TYPE=ssh REMOTE_ARGS="root@$VIRTIO_REMOTE_V4" make -s -C "$top" hw-test RUN_NAME="$prefix-ssh" >"$t/out" 2>&1 || rc=$?
expect_rc "suite, REMOTE_TYPE=ssh" 0 "$rc" "$t/out"
same "suite, REMOTE_TYPE=ssh"
# 7. runner promotion on evidence, small N: two clean runs in a row
rc=0
ZCRX_SINKS=sqlite ZCRX_DB="$t/promote.sqlite" PROMOTE_N=2 PROMOTE_MAX_RUNS=3 \
	make -s -C "$top" promote RUNNER=vm-guest:"$NETIF" TESTS=query,nic_setup >"$t/out" 2>&1 || rc=$?
expect_rc "make promote PROMOTE_N=2" 0 "$rc" "$t/out"
if grep -q "runner vm-guest:$NETIF: candidate -> trusted (2 consecutive clean runs" "$t/out"; then
	ok "make promote: the runner became trusted on two clean runs"
else
	miss "make promote: not trusted" "$(tail -n 5 "$t/out")"
fi
same "make promote"
rm -rf "$t"
exit "$bad"
