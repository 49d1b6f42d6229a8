#!/usr/bin/env bash
# make fresh-check: prove the README's promise that `make vm-test` and the
# kernel build's dependency step work on a fresh machine of the host's
# Debian release, and install nothing from outside that release.
#
# It builds a minbase root of the host's release (make, gcc,
# ca-certificates, git: what a new machine of this kind ships), gives it the
# host's apt configuration and a clean clone of the project, runs FRESH_CMD
# in it as root, then checks that every package installed in the root comes
# from the root's own release. The root is thrown away at the end.
#
# Knobs: FRESH_CMD (the command run in the root's /src/zcrx-vmtest),
# FRESH_TIMEOUT (whole run, seconds, 2400), FRESH_DEBOOTSTRAP_TIMEOUT
# (1200). The base is cached in $BUILD_DIR/fresh/<codename>-minbase.tgz
# (made again when the mirror's suite changes). Needs root.
# Output: $RESULTS_DIR/fresh-check-<date>/ (fresh.log, installed.txt,
# offenders.txt, debootstrap.log, apt-history.log, the inner run's
# results) and one last line: "fresh-check: PASS (N packages, all from
# <codename>)" or "fresh-check: FAIL: <reason>"; exit 0 only on PASS.
#
# Sourced with FRESH_CHECK_LIB=1 it only defines its functions (bats).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/../apt-private.sh"

FRESH_CMD=${FRESH_CMD:-'cd /src/zcrx-vmtest && make vm-test TESTS=query && make deps KSRC=debian'}
FRESH_TIMEOUT=${FRESH_TIMEOUT:-2400}
FRESH_DEBOOTSTRAP_TIMEOUT=${FRESH_DEBOOTSTRAP_TIMEOUT:-1200}
FRESH_INCLUDE=make,gcc,ca-certificates,git
FRESH_DIR=$BUILD_DIR/fresh
FRESH_PATH=/usr/sbin:/usr/bin:/sbin:/bin
FRESH_VERDICT=

# ---- pure text processing (tested by tests/fresh-check.bats) ----

# release_suites CODENAME < `apt-cache policy`: the suite names that belong
# to release CODENAME, one per line: CODENAME, CODENAME-updates,
# CODENAME-security and the archive names apt knows them by (apt list
# prints "oldstable" rather than "bookworm" once trixie is stable).
release_suites() {
	printf '%s\n' "$1" "$1-updates" "$1-security"
	awk -v rel="$1" '
		/^ +release / {
			a = ""; n = ""
			line = $0; sub(/^ +release /, "", line)    # o=Debian Backports,a=...
			k = split(line, kv, ",")
			for (i = 1; i <= k; i++) {
				if (kv[i] ~ /^a=/) a = substr(kv[i], 3)
				if (kv[i] ~ /^n=/) n = substr(kv[i], 3)
			}
			if (a != "" && (n == rel || n == rel "-updates" || n == rel "-security")) print a
		}' | sort -u
}

# release_offenders CODENAME [SUITE...] < `apt list --installed`: print
# "pkg (suites)" for every installed package none of whose suites is
# CODENAME, CODENAME-updates, CODENAME-security or one of SUITEs (the
# archive names of those, see release_suites). Lines look like
#   bash/bookworm,now 5.2.15-2+b7 amd64 [installed]
#   foo/now 1.0 amd64 [installed,local]          -> foo (local)
#   libc6/unstable,now 2.43-1 amd64 [installed]  -> libc6 (unstable)
release_offenders() {
	local rel=$1
	shift
	awk -v ok="$rel $rel-updates $rel-security $*" '
		BEGIN { n = split(ok, list, " "); for (i = 1; i <= n; i++) good[list[i]] = 1 }
		!/^[^ \/]+\/[^ ]+ / { next }          # "Listing...", blank lines
		{
			slash = index($1, "/")
			pkg = substr($1, 1, slash - 1)
			k = split(substr($1, slash + 1), suites, ",")
			bad = ""; fine = 0
			for (i = 1; i <= k; i++) {
				if (suites[i] in good) fine = 1
				else if (suites[i] != "now") bad = bad (bad ? "," : "") suites[i]
			}
			if (!fine) print pkg " (" (bad ? bad : "local") ")"
		}'
}

# installed_count < `apt list --installed`: the number of package lines.
installed_count() {
	awk '/^[^ \/]+\/[^ ]+ / { n++ } END { print n + 0 }'
}

# paths_under DIR < mount targets: the targets that are DIR or below it.
paths_under() {
	awk -v d="${1%/}" '$0 == d || index($0, d "/") == 1'
}

# candidate_of < `apt-cache policy PKG`: its candidate version, or empty.
candidate_of() {
	# to the end of its input: an early exit would be apt-cache's SIGPIPE
	awk '/^ +Candidate:/ && !seen { seen = 1; if ($2 != "(none)") print $2 }'
}

# first_error LOG: the line of a run's log that says why it failed: the
# project's first error; else its FAIL line with its first warning (cut at
# 300 characters); else the last line.
first_error() {
	local e w
	if e=$(grep -m1 'zcrx-vmtest: error:' "$1"); then
		printf '%s\n' "$e"
	elif e=$(grep -m1 '^== FAIL' "$1"); then
		w=$(grep -m1 'zcrx-vmtest: warning:' "$1" | cut -c1-300) || true
		printf '%s\n' "$e${w:+ ($w)}"
	else
		tail -n 1 "$1"
	fi
}

# The root's life (base, build, mounts, processes, removal): fresh-root.sh.
. "$(dirname "${BASH_SOURCE[0]}")/fresh-root.sh"

# Run FRESH_CMD in the root, bounded by FRESH_TIMEOUT, output to the
# terminal and LOG; sets run_rc. In the background, so that Ctrl-C ends
# the wait at once (the cleanup then stops what runs in the root).
root_run() {
	local log=$1
	log "running in the root (limit ${FRESH_TIMEOUT}s): $FRESH_CMD"
	(
		set +o pipefail
		timeout --kill-after=30 "$FRESH_TIMEOUT" chroot "$FRESH_ROOT" env -i PATH="$FRESH_PATH" \
			HOME=/root TERM=dumb LANG=C.UTF-8 bash -c "$FRESH_CMD" </dev/null 2>&1 | tee "$log"
		exit "${PIPESTATUS[0]}"
	) &
	run_rc=0
	wait "$!" || run_rc=$?
}

# ---- the verdict ----

# Check the root's packages: sets FRESH_COUNT, and verify_reason to the
# reason of a failure (empty when every package is from release REL).
root_verify() {
	local rel=$1 out=$2 suites libc cand bad
	verify_reason=
	if ! compgen -G "$FRESH_ROOT/var/lib/apt/lists/*Packages*" >/dev/null; then
		in_root apt-get -q update >/dev/null 2>&1 || true
	fi
	in_root apt list --installed 2>/dev/null >"$out/installed.txt" || true
	mapfile -t suites < <(in_root apt-cache policy 2>/dev/null | release_suites "$rel")
	FRESH_COUNT=$(installed_count <"$out/installed.txt")
	if [ "$FRESH_COUNT" -eq 0 ]; then
		verify_reason="apt list --installed listed no packages"
		return
	fi
	bad=$(release_offenders "${suites[@]}" <"$out/installed.txt" | tee "$out/offenders.txt" | tr '\n' ' ')
	if [ -n "$bad" ]; then
		verify_reason="packages from outside $rel: ${bad% }"
		return
	fi
	# shellcheck disable=SC2016 # a dpkg-query format, not a shell expansion
	libc=$(in_root dpkg-query -W -f '${Version}' libc6 2>/dev/null || true)
	cand=$(in_root apt-cache policy libc6 2>/dev/null | candidate_of || true)
	if [ -z "$libc" ] || [ "$libc" != "$cand" ]; then
		verify_reason="libc6 ${libc:-missing} is not $rel's candidate (${cand:-none})"
	fi
}

# Keep what tells the story: the inner run's results and apt's history.
root_keep() {
	local out=$1
	[ ! -d "$FRESH_ROOT/src/zcrx-vmtest/results" ] || cp -a -- "$FRESH_ROOT/src/zcrx-vmtest/results" "$out/inner-results"
	[ ! -f "$FRESH_ROOT/var/log/apt/history.log" ] || cp -- "$FRESH_ROOT/var/log/apt/history.log" "$out/apt-history.log"
}

# The last line of the output, and the exit status.
fail() {
	FRESH_VERDICT=fail
	cleanup_now
	printf 'fresh-check: FAIL: %s\n' "$*"
	exit 1
}

# Remove this run's root now (idempotent); the same runs on any exit.
cleanup_now() {
	[ -n "${FRESH_ROOT:-}" ] || return 0
	local r=$FRESH_ROOT
	FRESH_ROOT=
	root_remove "$r" || FRESH_LEFT=$r
}

on_exit() {
	cleanup_now
	[ -n "$FRESH_VERDICT" ] || [ -z "${ZCRX_SIGNAL:-}" ] || printf 'fresh-check: FAIL: interrupted (SIG%s)\n' "$ZCRX_SIGNAL"
	[ -n "$FRESH_VERDICT" ] || [ -n "${ZCRX_SIGNAL:-}" ] || printf 'fresh-check: FAIL: stopped by an error (see above)\n'
}

main() {
	is_root || {
		echo "fresh-check: FAIL: needs root (debootstrap, chroot, bind mounts): run 'sudo make fresh-check'"
		exit 1
	}
	at_exit on_exit
	local rel mirror tgz out t0 reason=
	[[ $FRESH_TIMEOUT =~ ^[1-9][0-9]*$ ]] || fail "FRESH_TIMEOUT=$FRESH_TIMEOUT: expected seconds > 0"
	[[ ! $FRESH_DIR =~ [[:space:]\\] ]] || fail "BUILD_DIR has blanks or backslashes: $FRESH_DIR"
	rel=$(host_codename)
	[ -n "$rel" ] || fail "no VERSION_CODENAME in /etc/os-release"
	(need_cmd debootstrap debootstrap) || fail "no debootstrap: it could not be installed from the host's release ($rel)"
	mirror=$(host_mirror) || fail "cannot read the host's Debian mirror from /etc/apt"
	t0=$(date +%s)
	out="$RESULTS_DIR/fresh-check-$(date +%Y%m%d-%H%M%S)"
	own_dir "$BUILD_DIR"
	own_dir "$RESULTS_DIR"
	mkdir -p "$out" "$FRESH_DIR"
	lock_take fresh "a fresh-machine check"
	sweep_stale
	tgz="$FRESH_DIR/$rel-minbase.tgz"
	tarball_ensure "$rel" "$mirror" "$tgz" "$out/debootstrap.log"
	FRESH_ROOT="$FRESH_DIR/root.$$"
	root_build "$rel" "$mirror" "$tgz" "$FRESH_ROOT" "$out/debootstrap.log"
	root_configure "$FRESH_ROOT"
	root_project "$FRESH_ROOT"
	root_seed "$FRESH_ROOT"
	root_mount "$FRESH_ROOT"
	root_run "$out/fresh.log"
	case $run_rc in
	0) ;;
	124 | 137) reason="the run timed out after ${FRESH_TIMEOUT}s" ;;
	*) reason="the run failed (exit $run_rc): $(first_error "$out/fresh.log")" ;;
	esac
	root_verify "$rel" "$out"
	[ -z "$verify_reason" ] || reason="${reason:+$reason; }$verify_reason"
	root_keep "$out"
	FRESH_LEFT=
	cleanup_now
	[ -z "$FRESH_LEFT" ] || reason="${reason:+$reason; }$FRESH_LEFT could not be unmounted and was left in place"
	log "fresh-check took $(($(date +%s) - t0))s; kept in $out"
	[ -z "$reason" ] || fail "$reason"
	FRESH_VERDICT=pass
	printf 'fresh-check: PASS (%s packages, all from %s)\n' "$FRESH_COUNT" "$rel"
}

# One compound command: bash has read all of it before main starts.
[ -n "${FRESH_CHECK_LIB:-}" ] || {
	main "$@"
	exit
}
