# shellcheck shell=bash
# The peer of a runner, as the kernel selftests reach it: REMOTE_TYPE=netns
# (REMOTE_ARGS is a network namespace of this machine) or ssh (REMOTE_ARGS
# is what follows `ssh`, e.g. root@192.0.2.2). Source it; it defines:
#
# remote_run CMD...: run CMD on the peer (stdin /dev/null); its status.
# remote_deploy FILE: copy FILE to the peer (a netns shares this machine's
#   files: nothing to copy); prints the path to run it as.
# remote_undeploy PATH: remove what remote_deploy copied.
# remote_ifname ADDR: the peer's interface holding ADDR.
REMOTE_SSH_OPTS=(-o BatchMode=yes -o ConnectTimeout=10 -o StrictHostKeyChecking=accept-new)

remote_run() {
	case $REMOTE_TYPE in
	netns) ip netns exec "$REMOTE_ARGS" "$@" </dev/null ;;
	ssh)
		# shellcheck disable=SC2086,SC2029 # REMOTE_ARGS is split, as the kernel's ssh remote does; the command is quoted for the peer
		ssh "${REMOTE_SSH_OPTS[@]}" $REMOTE_ARGS "$(printf '%q ' "$@")" </dev/null
		;;
	*) return 2 ;;
	esac
}

remote_deploy() {
	local file=$1 dst
	if [ "$REMOTE_TYPE" = netns ]; then
		printf '%s\n' "$file"
		return
	fi
	dst="/tmp/zcrx-$(basename "$file").$$"
	# shellcheck disable=SC2086,SC2029
	ssh "${REMOTE_SSH_OPTS[@]}" $REMOTE_ARGS "cat >'$dst' && chmod 755 '$dst'" <"$file" || return 1
	printf '%s\n' "$dst"
}

remote_undeploy() {
	[ "$REMOTE_TYPE" = ssh ] || return 0
	remote_run rm -f "$1" || true
}

remote_ifname() {
	remote_run ip -j addr show | jq -r --arg a "$1" '.[] | select(any(.addr_info[]?; .local == $a)) | .ifname' | head -n 1
}
