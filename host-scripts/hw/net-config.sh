# shellcheck shell=bash
# The runner's network, in the kernel selftests' names and file format
# (tools/testing/selftests/drivers/net/README.rst): NETIF, LOCAL_V4/V6,
# REMOTE_V4/V6, REMOTE_TYPE (netns|ssh), REMOTE_ARGS, from the environment
# or from a net.config of KEY=VALUE lines (# comments, blank lines, values
# optionally in single or double quotes). The environment wins, as in the
# kernel's library, so one file serves this runner and the kernel's own
# drivers/net/hw tests. Source it; it defines:
#
# hw_config_load FILE: check FILE's syntax (one line naming the first bad
#   line, exit 1) and export every key the environment does not set.
# hw_config_check: the values make hw-test needs, one line per problem on
#   stdout; returns the number of problems.

hw_config_load() {
	local file=$1 n=0 line key val
	[ -f "$file" ] || { echo "net.config $file: no such file" >&2; return 1; }
	while IFS= read -r line || [ -n "$line" ]; do
		n=$((n + 1))
		[[ $line =~ ^[[:space:]]*(#.*)?$ ]] && continue
		if ! [[ $line =~ ^[[:space:]]*([A-Za-z_][A-Za-z0-9_]*)=(.*)$ ]]; then
			echo "net.config $file:$n: expected KEY=VALUE, seen: $line" >&2
			return 1
		fi
		key=${BASH_REMATCH[1]} val=${BASH_REMATCH[2]}
		if [[ $val =~ ^\"([^\"]*)\"[[:space:]]*$ ]] || [[ $val =~ ^\'([^\']*)\'[[:space:]]*$ ]]; then
			val=${BASH_REMATCH[1]}
		elif [[ $val == *[\"\'\`\$\\]* ]]; then
			echo "net.config $file:$n: $key: quotes, \$, \` and \\ only as one quoted value, seen: $val" >&2
			return 1
		fi
		# the environment wins
		[ -n "${!key+x}" ] || export "$key=$val"
	done <"$file"
}

hw_config_check() {
	local bad=0
	if [ -z "${NETIF:-}" ]; then
		echo "NETIF unset: name the NIC under test (environment or net.config)"
		bad=$((bad + 1))
	fi
	if [ -z "${LOCAL_V4:-}${LOCAL_V6:-}" ]; then
		echo "LOCAL_V4 and LOCAL_V6 unset: the NIC's address (environment or net.config)"
		bad=$((bad + 1))
	fi
	if [ -z "${REMOTE_V4:-}${REMOTE_V6:-}" ]; then
		echo "REMOTE_V4 and REMOTE_V6 unset: the peer's address (environment or net.config)"
		bad=$((bad + 1))
	fi
	case ${REMOTE_TYPE:-} in
	netns | ssh) ;;
	'')
		echo "REMOTE_TYPE unset: netns or ssh"
		bad=$((bad + 1))
		;;
	*)
		echo "REMOTE_TYPE=$REMOTE_TYPE: expected netns or ssh"
		bad=$((bad + 1))
		;;
	esac
	if [ -z "${REMOTE_ARGS:-}" ]; then
		echo "REMOTE_ARGS unset: the peer's netns name (netns) or ssh destination (ssh)"
		bad=$((bad + 1))
	fi
	return "$bad"
}
