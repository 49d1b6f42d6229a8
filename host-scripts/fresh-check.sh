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
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/apt-private.sh"

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
	awk '/^ +Candidate:/ { if ($2 != "(none)") print $2; exit }'
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

# ---- the root's life: mounts, processes, removal ----

# Mount points at or under DIR, deepest first.
mounts_under() {
	findmnt -rn -o TARGET | paths_under "$1" | sort -r
}

# The pids of the live processes whose root directory is DIR or below it:
# only processes started in this check's root have one (a zombie has none).
root_pids() {
	local p r
	for p in /proc/[0-9]*; do
		r=$(readlink "$p/root" 2>/dev/null) || continue
		[ "$r" = "$1" ] || [ "${r#"$1"/}" != "$r" ] || continue
		printf '%s\n' "${p#/proc/}"
	done
}

# Stop every process in the root DIR: TERM, then KILL, 10 s each at most.
root_kill() {
	local dir=$1 sig pids
	for sig in TERM KILL; do
		mapfile -t pids < <(root_pids "$dir")
		[ "${#pids[@]}" -gt 0 ] || return 0
		log "stopping ${#pids[@]} process(es) left in $dir (SIG$sig)"
		kill "-$sig" "${pids[@]}" 2>/dev/null || true
		for _ in $(seq 20); do
			[ -n "$(root_pids "$dir")" ] || return 0
			sleep 0.5
		done
	done
	warn "processes still running in $dir: $(root_pids "$dir" | tr '\n' ' ')"
}

# Unmount everything at or under DIR: umount -R, then lazily. Succeeds only
# when findmnt shows nothing mounted there any more.
root_unmount() {
	local dir=$1 how m
	for how in -R -Rl; do
		while read -r m; do
			timeout 60 umount "$how" "$m" 2>/dev/null || true
		done < <(mounts_under "$dir")
	done
	[ -z "$(mounts_under "$dir")" ]
}

# Stop, unmount and remove a root. Never removes through a mount: a root
# that is still mounted stays, with a warning naming it.
root_remove() {
	local dir=$1
	[ -e "$dir" ] || return 0
	root_kill "$dir"
	if ! root_unmount "$dir"; then
		warn "still mounted under $dir ($(mounts_under "$dir" | tr '\n' ' ')); not removing it"
		return 1
	fi
	rm -rf --one-file-system -- "$dir"
}

# Roots, work directories and half tarballs of earlier runs that were
# killed (their pid is gone): unmount and remove them.
sweep_stale() {
	local d pid
	for d in "$FRESH_DIR"/root.* "$FRESH_DIR"/mk.* "$FRESH_DIR"/*.tmp; do
		[ -e "$d" ] || continue
		pid=${d%.tmp}
		pid=${pid##*.}
		[[ $pid =~ ^[0-9]+$ ]] || continue
		[ ! -d "/proc/$pid" ] || continue
		log "removing what an interrupted run left: $d"
		root_remove "$d" || true
	done
}

# ---- building and filling the root ----

# release_date < a Release file: its Date field.
release_date() {
	sed -n 's/^Date: *//p' | head -n 1
}

# The Date of the mirror's REL Release file now, or empty (offline).
mirror_release_date() {
	local rel=$1 mirror=$2 tmp
	tmp=$(mktemp "$FRESH_DIR/.release.XXXXXX")
	if timeout 120 /usr/lib/apt/apt-helper download-file "${mirror%/}/dists/$rel/Release" "$tmp" >/dev/null 2>&1; then
		release_date <"$tmp"
	fi
	rm -f "$tmp"
}

# The cached base: debootstrap --make-tarball once, so later runs unpack it
# instead of downloading the base again. Made again when the package list
# changed or the mirror's REL suite did (a point release drops the
# versions the tarball holds, and they would show as not from REL).
tarball_ensure() {
	local rel=$1 mirror=$2 tgz=$3 log=$4 tmp work now
	now=$(mirror_release_date "$rel" "$mirror")
	if [ -f "$tgz" ] && [ "$(cat "$tgz.include" 2>/dev/null)" = "$FRESH_INCLUDE" ]; then
		if [ -z "$now" ] || [ "$now" = "$(cat "$tgz.date" 2>/dev/null)" ]; then
			[ -n "$now" ] || warn "cannot read the mirror's $rel Release file; using the cached base as it is"
			log "using the cached base $tgz"
			return 0
		fi
		log "the mirror's $rel suite changed since the cached base was made ($now)"
	fi
	log "downloading a minbase $rel base (+$FRESH_INCLUDE) into $tgz (once)"
	tmp="$tgz.$$.tmp"
	work="$FRESH_DIR/mk.$$"
	at_exit_rm "$work"
	at_exit_rm "$tmp"
	timeout --kill-after=30 "$FRESH_DEBOOTSTRAP_TIMEOUT" debootstrap --variant=minbase \
		--include="$FRESH_INCLUDE" --make-tarball="$tmp" "$rel" "$work" "$mirror" >"$log" 2>&1 ||
		fail "debootstrap --make-tarball failed: $(grep -m1 '^E:' "$log" || tail -n 1 "$log") (log: $log)"
	mv -f "$tmp" "$tgz"
	printf '%s\n' "$FRESH_INCLUDE" >"$tgz.include"
	printf '%s\n' "$now" >"$tgz.date"
	rm -rf "$work"
}

# The root is bind-mounted onto itself (private) before anything is mounted
# in it, so one umount -R takes away whatever was mounted below it, by
# debootstrap, by this script or by the run.
root_build() {
	local rel=$1 mirror=$2 tgz=$3 root=$4 log=$5
	mkdir -p "$root"
	mount --bind "$root" "$root" || fail "cannot bind-mount $root onto itself"
	mount --make-private "$root" || fail "cannot make $root private"
	log "unpacking the base into $root"
	timeout --kill-after=30 "$FRESH_DEBOOTSTRAP_TIMEOUT" debootstrap --variant=minbase \
		--include="$FRESH_INCLUDE" --unpack-tarball="$tgz" "$rel" "$root" "$mirror" >>"$log" 2>&1 ||
		fail "debootstrap --unpack-tarball failed: $(grep -m1 '^E:' "$log" || tail -n 1 "$log") (log: $log)"
}

# The host's apt configuration (on this kind of machine the archive is a
# snapshot, and the host's snippets turn the Release date checks off), its
# sources (only the files apt reads) and its resolver.
root_configure() {
	local root=$1 f
	if compgen -G "/etc/apt/apt.conf.d/*" >/dev/null; then
		cp -- /etc/apt/apt.conf.d/* "$root/etc/apt/apt.conf.d/" || fail "cannot copy the host's apt.conf.d into $root"
	fi
	rm -f "$root/etc/apt/sources.list"
	[ ! -f /etc/apt/sources.list ] || cp -- /etc/apt/sources.list "$root/etc/apt/sources.list"
	for f in /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
		[ ! -f "$f" ] || cp -- "$f" "$root/etc/apt/sources.list.d/"
	done
	rm -f "$root/etc/resolv.conf"
	cp -L -- /etc/resolv.conf "$root/etc/resolv.conf"
	# Standard for chroots: no package's maintainer script starts a daemon
	# (it would run outside any VM, beside the host's own services).
	printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
	chmod 755 "$root/usr/sbin/policy-rc.d"
}

# A clean clone of the project: its committed state. Uncommitted changes
# in the checkout are not part of the proof. ../shared goes beside it.
root_project() {
	local root=$1
	mkdir -p "$root/src"
	git clone --quiet "$ZCRX_TOP" "$root/src/zcrx-vmtest" || fail "git clone of $ZCRX_TOP failed"
	[ ! -d "$ZCRX_TOP/../shared" ] || cp -a -- "$ZCRX_TOP/../shared" "$root/src/shared"
}

# Speed only: seed the root's download cache with hard links of the host's
# .debs (the project checks each one against the signed index by SHA256
# before using it, so this only saves downloading ~200 MB again), and its
# private apt lists (signature-checked indexes; their sources.list comes
# along, as the project drops lists whose sources.list differs).
root_seed() {
	local root=$1 src="$BUILD_DIR/deps/debs" dst="$1/src/zcrx-vmtest/build/deps/debs" debs
	if compgen -G "$src/*.deb" >/dev/null; then
		mkdir -p "$dst"
		debs=("$src"/*.deb)
		cp -l -- "${debs[@]}" "$dst/" 2>/dev/null || cp -- "${debs[@]}" "$dst/"
		log "seeded ${#debs[@]} verified .debs from $src"
	fi
	if [ -d "$BUILD_DIR/apt/lists" ]; then
		mkdir -p "$root/src/zcrx-vmtest/build/apt/etc"
		cp -a -- "$BUILD_DIR/apt/lists" "$root/src/zcrx-vmtest/build/apt/lists"
		[ ! -f "$BUILD_DIR/apt/etc/sources.list" ] ||
			cp -- "$BUILD_DIR/apt/etc/sources.list" "$root/src/zcrx-vmtest/build/apt/etc/sources.list"
		log "seeded the private apt lists from $BUILD_DIR/apt/lists"
	fi
}

# /proc, /sys and /dev (with /dev/pts) of the host, as slaves: nothing
# unmounted in the root propagates back.
root_mount() {
	local root=$1 d
	for d in proc sys dev; do
		mount --rbind "/$d" "$root/$d" || fail "cannot bind-mount /$d into $root"
		mount --make-rslave "$root/$d"
	done
}

# in_root CMD...: run CMD in the root with a clean environment (at most
# 10 minutes).
in_root() {
	timeout --kill-after=10 600 chroot "$FRESH_ROOT" env -i PATH="$FRESH_PATH" HOME=/root TERM=dumb LANG=C.UTF-8 "$@"
}

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
