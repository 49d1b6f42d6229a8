# shellcheck shell=bash
# The life of fresh-check.sh's Debian root: the cached debootstrap base, the
# root built from it and given the host's apt configuration and a clone of
# the project, its bind mounts, the processes started in it, and its
# removal (never through a mount). Sourced by fresh-check.sh after lib.sh
# and apt-private.sh; uses FRESH_DIR, FRESH_ROOT, FRESH_PATH, FRESH_INCLUDE.
# shellcheck disable=SC2154 # those come from fresh-check.sh

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

