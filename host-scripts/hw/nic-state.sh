# shellcheck shell=bash
# The NIC settings make hw-test may change, as KEY=VALUE lines: recorded
# before the run, restored after it (also after a failure, a crash, a
# signal or a timeout) and verified equal. Needs ethtool, ip, jq and, for
# the peer's MTU, remote.sh. Source it; it defines:
#
# nic_state_read IF: the current state on stdout, one sorted KEY=VALUE per
#   line: channels.*, rings.* (rx, tcp-data-split, hds-thresh, rx-buf-len),
#   rss.table and rss.contexts, rules (ntuple rule ids with a hash of each),
#   features.* (those not fixed), mtu, xdp, peer.mtu and sysctl.*.
# nic_state_restore IF FILE: change what differs from FILE back to it, in
#   an order the devices accept (XDP, rules and contexts, channels, RSS,
#   rings, features, MTUs, sysctls); one line per change on stderr.
# nic_state_verify IF FILE: 0 when the state equals FILE, else 1 with the
#   differences (diff -u, recorded against now) on stdout.
NIC_STATE_SYSCTLS="net.core.skb_defer_max kernel.printk_devkmsg vm.nr_hugepages net.ipv4.tcp_timestamps"
NIC_STATE_MAX_CONTEXTS=${NIC_STATE_MAX_CONTEXTS:-16}

# "Current hardware settings:" section of `ethtool -g|-l`, as key=value
# with keys lowercased and spaced with dashes; n/a values left out.
nic_state_current() {
	sed -n '/^Current hardware settings:/,$p' | sed '1d' |
		sed -n 's/^\([A-Za-z][A-Za-z ]*\):[[:space:]]*\(.*\)$/\1=\2/p' |
		awk -F= '$2 != "n/a" { k = tolower($1); gsub(/ /, "-", k); print k "=" $2 }'
}

nic_state_read() {
	local ifn=$1 c peer
	{
		ethtool -l "$ifn" 2>/dev/null | nic_state_current | sed -n 's/^\(rx\|tx\|other\|combined\)=/channels.\1=/p'
		ethtool -g "$ifn" 2>/dev/null | nic_state_current |
			sed -n 's/^\(rx\|tcp-data-split\|hds-thresh\|rx-buf-len\)=/rings.\1=/p'
		printf 'rss.table=%s\n' "$(ethtool -x "$ifn" 2>/dev/null |
			sed -n 's/^[[:space:]]*[0-9]*:[[:space:]]*\([0-9 ]*\)$/\1/p' | tr -s ' \n' ',,' | sed 's/,$//')"
		local ctx=()
		for c in $(seq 1 "$NIC_STATE_MAX_CONTEXTS"); do
			ethtool -x "$ifn" context "$c" >/dev/null 2>&1 && ctx+=("$c")
		done
		printf 'rss.contexts=%s\n' "$(
			IFS=,
			echo "${ctx[*]}"
		)"
		printf 'rules=%s\n' "$(nic_state_rules "$ifn" | tr '\n' ',' | sed 's/,$//')"
		ethtool -k "$ifn" 2>/dev/null | sed '1d' | grep -v '\[fixed\]' |
			sed -n 's/^[[:space:]]*\([a-z0-9-]*\): \(on\|off\)$/features.\1=\2/p'
		ip -j -d link show dev "$ifn" | jq -r '.[0] | "mtu=\(.mtu)", "xdp=\(.xdp.prog.id // "none")"'
		peer=$(remote_ifname "${REMOTE_V4:-${REMOTE_V6:-}}" 2>/dev/null || true)
		if [ -n "$peer" ]; then
			printf 'peer.mtu=%s\n' "$(remote_run ip -j link show dev "$peer" | jq -r '.[0].mtu')"
		fi
		for c in $NIC_STATE_SYSCTLS; do
			[ -r "/proc/sys/${c//.//}" ] && printf 'sysctl.%s=%s\n' "$c" "$(cat "/proc/sys/${c//.//}")"
		done
	} | LC_ALL=C sort
}

# ntuple rules: "ID:HASH" per line (the hash of the rule's description).
nic_state_rules() {
	local id
	for id in $(ethtool -n "$1" 2>/dev/null | sed -n 's/^Filter: \([0-9]*\)$/\1/p'); do
		printf '%s:%s\n' "$id" "$(ethtool -n "$1" rule "$id" 2>/dev/null | sed 1d | sha1sum | cut -c1-12)"
	done
}

nic_state_get() { sed -n "s/^$2=//p" "$1" | head -n 1; }

# nic_state_changed WANT-FILE NOW-FILE GROUP KEY...: "KEY" and "VALUE" lines
# (ethtool arguments) for each GROUP.KEY recorded in WANT-FILE that differs now
nic_state_changed() {
	local want_f=$1 now_f=$2 group=$3 k want
	shift 3
	for k in "$@"; do
		want=$(nic_state_get "$want_f" "$group.$k")
		[ -z "$want" ] || [ "$want" = "$(nic_state_get "$now_f" "$group.$k")" ] || printf '%s\n%s\n' "$k" "$want"
	done
}

nic_state_restore() {
	local ifn=$1 file=$2 now want have k v c id args=()
	now=$(mktemp)
	nic_state_read "$ifn" >"$now"
	chg() { printf 'hw-test: restore %s: %s\n' "$ifn" "$*" >&2; }
	have=$(nic_state_get "$now" xdp) want=$(nic_state_get "$file" xdp)
	if [ "$have" != "$want" ] && [ "$want" = none ]; then
		chg "xdp off"
		# the mode it was attached in is not recorded: every mode off
		ip link set dev "$ifn" xdpgeneric off 2>/dev/null || true
		ip link set dev "$ifn" xdpdrv off 2>/dev/null || true
		ip link set dev "$ifn" xdpoffload off 2>/dev/null || true
	fi
	# rules and contexts the run added
	want=",$(nic_state_get "$file" rules),"
	for id in $(nic_state_get "$now" rules | tr ',' ' '); do
		[[ $want == *",$id,"* ]] && continue
		chg "delete rule ${id%%:*}"
		ethtool -N "$ifn" delete "${id%%:*}" || true
	done
	want=",$(nic_state_get "$file" rss.contexts),"
	for c in $(nic_state_get "$now" rss.contexts | tr ',' ' '); do
		[[ $want == *",$c,"* ]] && continue
		chg "delete rss context $c"
		ethtool -X "$ifn" context "$c" delete || true
	done
	mapfile -t args < <(nic_state_changed "$file" "$now" channels rx tx other combined)
	if [ ${#args[@]} -gt 0 ]; then
		chg "channels ${args[*]}"
		ethtool -L "$ifn" "${args[@]}" || true
	fi
	nic_state_read "$ifn" >"$now"
	want=$(nic_state_get "$file" rss.table)
	if [ "$want" != "$(nic_state_get "$now" rss.table)" ]; then
		if [ "$want" = "$(nic_state_default_table "$want" "$(nic_state_get "$file" channels.combined)")" ]; then
			chg "rss default"
			ethtool -X "$ifn" default || true
		else
			chg "rss weight $(nic_state_weights "$want")"
			# shellcheck disable=SC2046
			ethtool -X "$ifn" weight $(nic_state_weights "$want") || true
		fi
	fi
	mapfile -t args < <(nic_state_changed "$file" "$now" rings rx tcp-data-split hds-thresh rx-buf-len)
	if [ ${#args[@]} -gt 0 ]; then
		chg "rings ${args[*]}"
		ethtool -G "$ifn" "${args[@]}" || true
	fi
	while IFS='=' read -r k v; do
		[ "$(nic_state_get "$now" "$k")" = "$v" ] && continue
		chg "${k#features.} $v"
		ethtool -K "$ifn" "${k#features.}" "$v" 2>/dev/null || true
	done < <(grep '^features\.' "$file")
	want=$(nic_state_get "$file" mtu)
	if [ "$want" != "$(nic_state_get "$now" mtu)" ]; then
		chg "mtu $want"
		ip link set dev "$ifn" mtu "$want" || true
	fi
	want=$(nic_state_get "$file" peer.mtu)
	if [ -n "$want" ] && [ "$want" != "$(nic_state_get "$now" peer.mtu)" ]; then
		chg "peer mtu $want"
		remote_run ip link set dev "$(remote_ifname "${REMOTE_V4:-${REMOTE_V6:-}}")" mtu "$want" || true
	fi
	while IFS='=' read -r k v; do
		[ "$(nic_state_get "$now" "$k")" = "$v" ] && continue
		chg "${k#sysctl.} = $v"
		echo "$v" >"/proc/sys/$(printf '%s' "${k#sysctl.}" | tr . /)" || true
	done < <(grep '^sysctl\.' "$file")
	rm -f "$now"
}

# the table ethtool -X default gives: entry i is queue i % combined
nic_state_default_table() {
	local n i out=() count
	count=$(tr ',' '\n' <<<"$1" | wc -l)
	n=${2:-0}
	[ "$n" -gt 0 ] 2>/dev/null || return 0
	for ((i = 0; i < count; i++)); do out+=($((i % n))); done
	(
		IFS=,
		echo "${out[*]}"
	)
}

# weights per queue that give the table's proportions (ethtool -X weight)
nic_state_weights() {
	tr ',' '\n' <<<"$1" | sort -n | uniq -c | awk '
		{ w[$2] = $1; if ($2 > max) max = $2 }
		END { for (q = 0; q <= max; q++) printf "%s%d", q ? " " : "", w[q] + 0; print "" }'
}

nic_state_verify() {
	local now rc=0
	now=$(mktemp)
	nic_state_read "$1" >"$now"
	diff -u --label recorded --label now <(grep -v '^#' "$2") "$now" || rc=1
	rm -f "$now"
	return "$rc"
}
