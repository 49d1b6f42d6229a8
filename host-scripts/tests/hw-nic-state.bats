#!/usr/bin/env bats
# make hw-test's NIC state (hw/nic-state.sh) against a stub ethtool and ip
# that keep a device's settings in files: what is recorded, that a restore
# changes back exactly what differs (and only that), and that a state
# which cannot be restored is reported with the difference.

setup() {
	T="$BATS_TEST_TMPDIR"
	S="$T/dev"
	mkdir -p "$S" "$T/bin"
	echo 4 >"$S/combined"
	echo 512 >"$S/rx"
	echo on >"$S/tds"
	echo on >"$S/lro"
	echo 1500 >"$S/mtu"
	echo "0 1 2 3 0 1 2 3" >"$S/table"
	: >"$S/rules"
	: >"$S/log"
	cat >"$T/bin/ethtool" <<'E'
#!/bin/bash
S=$STUB_DEV
echo "ethtool $*" >>"$S/log"
case "$1" in
-l) printf 'Channel parameters for x:\nPre-set maximums:\nCombined:\t8\nCurrent hardware settings:\nRX:\t\tn/a\nCombined:\t%s\n' "$(cat $S/combined)" ;;
-g) printf 'Ring parameters for x:\nPre-set maximums:\nRX:\t\t4096\nCurrent hardware settings:\nRX:\t\t%s\nRX Buf Len:\t\tn/a\nTCP data split:\t\t%s\n' "$(cat $S/rx)" "$(cat $S/tds)" ;;
-x) [ "$3" = context ] && exit 1
    printf 'RX flow hash indirection table for x with 4 RX ring(s):\n    0:      %s\n' "$(cat $S/table)" ;;
-n) if [ "${3:-}" = rule ]; then grep "^$4 " "$S/rules"; exit; fi
    printf '4 RX rings available\nTotal %s rules\n\n' "$(wc -l <$S/rules)"
    cut -d' ' -f1 "$S/rules" | sed 's/^/Filter: /' ;;
-k) printf 'Features for x:\nlarge-receive-offload: %s\nntuple-filters: on\nrx-checksumming: on [fixed]\n' "$(cat $S/lro)" ;;
-L) echo "$4" >"$S/combined"; echo "0 1 2 3 0 1 2 3" | awk -v n="$4" '{ for (i = 1; i <= NF; i++) printf "%s%d", (i > 1 ? " " : ""), (i - 1) % n; print "" }' >"$S/table" ;;
-G) shift 2; while [ $# -gt 0 ]; do case $1 in rx) echo "$2" >"$S/rx" ;; tcp-data-split) echo "$2" >"$S/tds" ;; esac; shift 2; done ;;
-X) case $3 in default) awk -v n="$(cat $S/combined)" 'BEGIN { for (i = 0; i < 8; i++) printf "%s%d", i ? " " : "", i % n; print "" }' >"$S/table" ;;
    equal) awk -v n="$4" 'BEGIN { for (i = 0; i < 8; i++) printf "%s%d", i ? " " : "", i % n; print "" }' >"$S/table" ;;
    *) exit 1 ;; esac ;;
-N) [ "$3" = delete ] && sed -i "/^$4 /d" "$S/rules" ;;
-K) [ "$3" = large-receive-offload ] && echo "$4" >"$S/lro" ;;
esac
E
	cat >"$T/bin/ip" <<'E'
#!/bin/bash
S=$STUB_DEV
echo "ip $*" >>"$S/log"
case "$*" in
"-j -d link show dev eth7") printf '[{"ifname":"eth7","mtu":%s}]\n' "$(cat $S/mtu)" ;;
"link set dev eth7 mtu "*) echo "$6" >"$S/mtu" ;;
esac
E
	chmod +x "$T/bin/ethtool" "$T/bin/ip"
	export PATH="$T/bin:$PATH" STUB_DEV="$S"
	. "$BATS_TEST_DIRNAME/../hw/remote.sh"
	. "$BATS_TEST_DIRNAME/../hw/nic-state.sh"
	remote_ifname() { :; } # no peer in this test
	NIC_STATE_SYSCTLS=""
	NIC_STATE_MAX_CONTEXTS=2
}

@test "the recorded state names every setting the run may change" {
	echo "3 rule-three" >"$S/rules"
	nic_state_read eth7 >"$T/state"
	grep -qx 'channels.combined=4' "$T/state"
	grep -qx 'rings.rx=512' "$T/state"
	grep -qx 'rings.tcp-data-split=on' "$T/state"
	grep -qx 'rss.table=0,1,2,3,0,1,2,3' "$T/state"
	grep -qx 'rss.contexts=' "$T/state"
	grep -qE "^rules=3:[0-9a-f]{12}$" "$T/state"
	grep -qx 'features.large-receive-offload=on' "$T/state"
	! grep -q 'rx-checksumming' "$T/state" || false # fixed: the run cannot change it
	grep -qx 'mtu=1500' "$T/state"
	grep -qx 'xdp=none' "$T/state"
}

@test "a run's changes are undone, and only those, then verified" {
	echo "3 kept" >"$S/rules"
	nic_state_read eth7 >"$T/state"
	# what a run does
	ethtool -G eth7 rx 64 tcp-data-split off
	ethtool -X eth7 equal 1
	ethtool -K eth7 large-receive-offload off
	echo "9 added-by-the-run" >>"$S/rules"
	ip link set dev eth7 mtu 9000
	: >"$S/log"
	nic_state_restore eth7 "$T/state" 2>"$T/restore.err"
	nic_state_verify eth7 "$T/state"
	grep -q 'ethtool -N eth7 delete 9' "$S/log"
	! grep -q 'delete 3' "$S/log" || false
	grep -q 'ethtool -X eth7 default' "$S/log"
	grep -q 'ethtool -G eth7 rx 512 tcp-data-split on' "$S/log"
	grep -q 'ethtool -K eth7 large-receive-offload on' "$S/log"
	grep -q 'ip link set dev eth7 mtu 1500' "$S/log"
	! grep -q 'ethtool -L' "$S/log" || false # channels were not changed
	[ "$(wc -l <"$T/restore.err")" -eq 5 ]
}

@test "restoring an unchanged NIC changes nothing" {
	nic_state_read eth7 >"$T/state"
	: >"$S/log"
	nic_state_restore eth7 "$T/state" 2>"$T/restore.err"
	[ ! -s "$T/restore.err" ]
	! grep -qE 'ethtool -[GKLNX]|ip link set' "$S/log" || false
}

@test "a setting that cannot be put back fails the verification with the difference" {
	nic_state_read eth7 >"$T/state"
	echo "1 0 1 0 1 0 1 0" >"$S/table" # not a default table, not restorable by the stub
	sed -i 's/^rss.table=.*/rss.table=1,1,1,1,1,1,1,1/' "$T/state"
	nic_state_restore eth7 "$T/state" 2>/dev/null
	run nic_state_verify eth7 "$T/state"
	[ "$status" -eq 1 ]
	[[ $output == *"-rss.table=1,1,1,1,1,1,1,1"* ]]
	[[ $output == *"+rss.table=1,0,1,0,1,0,1,0"* ]]
}

@test "channels are restored before the table, which then follows them" {
	nic_state_read eth7 >"$T/state"
	ethtool -L eth7 combined 2
	: >"$S/log"
	nic_state_restore eth7 "$T/state" 2>/dev/null
	nic_state_verify eth7 "$T/state"
	[ "$(grep -n 'ethtool -L eth7 combined 4' "$S/log" | cut -d: -f1)" -lt "$(grep -c . "$S/log")" ]
}
