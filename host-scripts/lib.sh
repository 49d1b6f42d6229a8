# shellcheck shell=bash
# Common helpers for zcrx-vmtest host scripts. Source it; do not run it.

# A die inside $(...) ends the whole script, not only the subshell.
shopt -s inherit_errexit

ZCRX_TOP=${ZCRX_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}

# One clear line on stderr and a non-zero exit (ZCRX_DIE_RC, default 1:
# vm-run.sh uses 125, which no command status can be mistaken for).
die() {
	printf 'zcrx-vmtest: error: %s\n' "$*" >&2
	exit "${ZCRX_DIE_RC:-1}"
}

# A command killed by a signal, where nothing handles it, ends a script
# under set -e without a word (a SIGPIPE'd pipeline once failed every
# kernel fetch so). Say which script, line and command. Other failures
# have said why already (die, or the command's own message); SIGINT and
# SIGTERM are the user's stop, reported by the scripts' own traps.
# Scripts that map such a failure to an exit code of their own call it
# first: trap 'zcrx_on_err; exit 2' ERR ... trap zcrx_on_err ERR
zcrx_on_err() {
	local rc=$?
	# the script's own shell only: a subshell that inherited the trap
	# (set -E) reports through its parent; a process substitution's grep
	# cut short when the loop reading it died is no failure at all
	[ "$BASHPID" = "$$" ] || return "$rc"
	[[ $- == *e* ]] && [ "$rc" -gt 128 ] && [ "$rc" -ne 130 ] && [ "$rc" -ne 143 ] || return "$rc"
	printf 'zcrx-vmtest: error: %s line %s: %s (exit %s)\n' "${BASH_SOURCE[1]##*/}" \
		"${BASH_LINENO[0]}" "$BASH_COMMAND" "$rc" >&2
	return "$rc"
}
trap zcrx_on_err ERR

warn() {
	printf 'zcrx-vmtest: warning: %s\n' "$*" >&2
}

log() {
	printf 'zcrx-vmtest: %s\n' "$*" >&2
}

is_root() {
	[ "$(id -u)" -eq 0 ]
}

# abs_dir KNOB VALUE DEFAULT: VALUE made absolute once (relative to the
# directory the user typed it in), DEFAULT when empty; never "/".
abs_dir() {
	local knob=$1 v=${2:-$3}
	case $v in /*) ;; *) v="$PWD/$v" ;; esac
	v=$(realpath -m -- "$v")
	[ "$v" != / ] || die "$knob=/: refusing to use the root directory"
	printf '%s\n' "$v"
}
BUILD_DIR=$(abs_dir BUILD_DIR "${BUILD_DIR:-}" "$ZCRX_TOP/build")
RESULTS_DIR=$(abs_dir RESULTS_DIR "${RESULTS_DIR:-}" "$ZCRX_TOP/results")
export BUILD_DIR RESULTS_DIR

# own_dir DIR: create DIR (and its parents) for the project; a directory the
# project created carries the marker .zcrx-vmtest, which 'make distclean'
# requires before removing a BUILD_DIR or RESULTS_DIR that is not the default.
own_dir() {
	[ -d "$1" ] || { mkdir -p -- "$1" && : >"$1/.zcrx-vmtest"; }
}
DEPS_DIR=${DEPS_DIR:-$BUILD_DIR/deps}

# shellcheck source=host-scripts/host-pkg.sh
. "$(dirname "${BASH_SOURCE[0]}")/host-pkg.sh"

# lock_take NAME WHAT: take $BUILD_DIR/.lock-NAME (flock), waiting at most
# ZCRX_LOCK_TIMEOUT seconds (default 3600) for another run holding it and
# saying so; lock_drop NAME releases it (so does the end of the process).
# Close it before starting anything long-lived (QEMU), which would
# otherwise inherit it.
declare -gA ZCRX_LOCKS=()
lock_take() {
	local f="$BUILD_DIR/.lock-$1" fd
	own_dir "$BUILD_DIR"
	exec {fd}>>"$f"
	if ! flock -n "$fd"; then
		log "waiting for another run to finish $2 (lock $f)"
		flock -w "${ZCRX_LOCK_TIMEOUT:-3600}" "$fd" || die "gave up after ${ZCRX_LOCK_TIMEOUT:-3600}s waiting for $f"
	fi
	ZCRX_LOCKS[$1]=$fd
}
lock_drop() {
	local fd=${ZCRX_LOCKS[$1]:-}
	[ -n "$fd" ] || return 0
	exec {fd}>&-
	unset "ZCRX_LOCKS[$1]"
}

# Cleanup on every exit, Ctrl-C and SIGTERM included: at_exit CMD runs CMD
# (in reverse order of registration) when the script (or the $(...)
# subshell that registered it) ends; at_exit_rm PATH removes PATH then.
# INT and TERM end the script with 130 and 143 (ZCRX_SIGNAL says which).
# shellcheck disable=SC2034 # read by the scripts that source this file
ZCRX_SIGNAL=
ZCRX_AT_EXIT=()
at_exit() {
	ZCRX_AT_EXIT+=("$BASHPID $1")
	trap zcrx_run_at_exit EXIT
	trap 'ZCRX_SIGNAL=INT; exit 130' INT
	trap 'ZCRX_SIGNAL=TERM; exit 143' TERM
}
at_exit_rm() {
	local q
	printf -v q '%q' "$1"
	at_exit "rm -rf -- $q"
}
zcrx_run_at_exit() {
	local i e
	for ((i = ${#ZCRX_AT_EXIT[@]} - 1; i >= 0; i--)); do
		e=${ZCRX_AT_EXIT[i]}
		[ "${e%% *}" = "$BASHPID" ] || continue
		eval "${e#* }" || true
	done
	ZCRX_AT_EXIT=()
}

# kill_tree PID: SIGTERM every descendant of PID (not PID itself), from one
# snapshot of the process table: the apt, make and gcc processes a script
# started through helpers, not only its direct children.
kill_tree() {
	local tmp
	tmp=$(mktemp)
	ps -e -o pid=,ppid= >"$tmp"
	awk -v root="$1" '{ p[$1] = $2 }
		END { for (c in p) { x = c; n = 0
			while ((x in p) && x != root && x > 1 && n++ < 64) x = p[x]
			if (x == root && c != root) print c } }' "$tmp" >"$tmp.k"
	xargs -r kill -TERM <"$tmp.k" 2>/dev/null || true
	rm -f "$tmp" "$tmp.k"
}

# run_stoppable CMD...: run CMD in the background and wait for it, so a
# SIGINT/SIGTERM reaches this script's traps at once (bash runs a trap only
# after a foreground child ends) and its at_exit stops the whole tree.
# Returns CMD's status. CMD's stdin is /dev/null.
run_stoppable() {
	"$@" </dev/null &
	wait "$!"
}

# stop_pid PID: SIGTERM PID, give it 4 s to end (a VM backend stops its
# QEMU in that time), then SIGKILL. Quiet when PID is already gone.
stop_pid() {
	kill -0 "$1" 2>/dev/null || return 0
	kill -TERM "$1" 2>/dev/null || true
	for _ in 1 2 3 4 5 6 7 8; do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.5
	done
	kill -KILL "$1" 2>/dev/null || true
}

# stop_children_on_signal: register (once) an at_exit that stops every
# descendant when the script ends on SIGINT/SIGTERM.
stop_children_on_signal() {
	# shellcheck disable=SC2016 # expanded when the script exits
	at_exit '[ -z "$ZCRX_SIGNAL" ] || kill_tree "$BASHPID"'
}
