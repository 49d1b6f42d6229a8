#!/usr/bin/env bats
# fresh-check.sh: the release check of a fresh root's packages (apt list
# and apt-cache policy parsing), the mount guard before removal, and the
# not-root refusal. Sourced with FRESH_CHECK_LIB=1: nothing is run.

setup() {
	T="$BATS_TEST_TMPDIR"
	S="$BATS_TEST_DIRNAME/../dev/fresh-check.sh"
	export BUILD_DIR="$T/build" RESULTS_DIR="$T/results"
	FRESH_CHECK_LIB=1 . "$S"
	# apt list --installed of a bookworm root, release named both ways
	cat >"$T/good" <<'E'
Listing...
adduser/bookworm,now 3.134 all [installed]
apt/bookworm,now 2.6.1 amd64 [installed]
base-files/bookworm-updates,now 12.4+deb12u11 amd64 [installed]
libssl3/bookworm-security,now 3.0.16-1~deb12u1 amd64 [installed,automatic]
openssl/bookworm,bookworm-security,now 3.0.15-1~deb12u1 amd64 [installed,upgradable to: 3.0.16-1~deb12u1]
tzdata/bookworm-updates,now 2025b-0+deb12u1 all [installed,automatic]
libgcc-s1/bookworm,now 12.2.0-14 amd64 [installed,automatic]
libc6:i386/bookworm,now 2.36-9+deb12u10 i386 [installed,automatic]
E
}

@test "every package from the release (codename, -updates, -security, automatic, upgradable): no offender" {
	run release_offenders bookworm <"$T/good"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "installed_count counts package lines only" {
	[ "$(installed_count <"$T/good")" = 8 ]
	[ "$(printf 'Listing...\n\n' | installed_count)" = 0 ]
}

@test "a local package (only in dpkg's status) is an offender" {
	printf '%s\n' 'mytool/now 1.0-1 amd64 [installed,local]' >>"$T/good"
	run release_offenders bookworm <"$T/good"
	[ "$output" = "mytool (local)" ]
}

@test "installed but superseded in the index (now only, upgradable) is an offender" {
	printf '%s\n' 'bash/now 5.2.15-2+b7 amd64 [installed,upgradable to: 5.2.15-2+b8]' >>"$T/good"
	run release_offenders bookworm <"$T/good"
	[ "$output" = "bash (local)" ]
}

@test "sid, trixie and backports packages are offenders, named with their suites" {
	printf '%s\n' 'libc6/unstable,now 2.43-1 amd64 [installed]' \
		'perl-base/sid,now 5.42.0-1 amd64 [installed,automatic]' \
		'zlib1g/trixie,now 1:1.3.dfsg+really1.3.1-1+b1 amd64 [installed,automatic]' \
		'qemu-system-x86/bookworm-backports,now 1:10.0.2+ds-1~bpo12+1 amd64 [installed]' \
		'gcc-16/unstable,experimental,now 16-20260101-1 amd64 [installed,automatic]' >>"$T/good"
	run release_offenders bookworm <"$T/good"
	[ "${lines[0]}" = "libc6 (unstable)" ]
	[ "${lines[1]}" = "perl-base (sid)" ]
	[ "${lines[2]}" = "zlib1g (trixie)" ]
	[ "${lines[3]}" = "qemu-system-x86 (bookworm-backports)" ]
	[ "${lines[4]}" = "gcc-16 (unstable,experimental)" ]
	[ "${#lines[@]}" -eq 5 ]
}

@test "a package in the release and in another suite is fine" {
	printf '%s\n' 'make/bookworm,trixie,now 4.3-4.1 amd64 [installed]' | release_offenders bookworm >"$T/out"
	[ ! -s "$T/out" ]
}

@test "another release's own suites are offenders (codename prefix is not enough)" {
	printf '%s\n' 'foo/bookworm2,now 1 amd64 [installed]' 'bar/bookworm-proposed-updates,now 1 amd64 [installed]' |
		release_offenders bookworm >"$T/out"
	[ "$(cat "$T/out")" = "$(printf '%s\n' 'foo (bookworm2)' 'bar (bookworm-proposed-updates)')" ]
}

# apt-cache policy of a bookworm root once trixie is stable (the mirror
# host here is a placeholder).
policy() {
	cat <<'E'
Package files:
 100 /var/lib/dpkg/status
     release a=now
 500 http://mirror.example/debian-security bookworm-security/main amd64 Packages
     release v=12,o=Debian,a=oldstable-security,n=bookworm-security,l=Debian-Security,c=main,b=amd64
     origin mirror.example
 500 http://mirror.example/debian bookworm-updates/main amd64 Packages
     release v=12-updates,o=Debian,a=oldstable-updates,n=bookworm-updates,l=Debian,c=main,b=amd64
     origin mirror.example
 500 http://mirror.example/debian bookworm/main amd64 Packages
     release v=12.11,o=Debian,a=oldstable,n=bookworm,l=Debian,c=main,b=amd64
     origin mirror.example
 100 http://mirror.example/debian bookworm-backports/main amd64 Packages
     release o=Debian Backports,a=oldstable-backports,n=bookworm-backports,l=Debian Backports,c=main,b=amd64
     origin mirror.example
 500 http://mirror.example/debian sid/main amd64 Packages
     release o=Debian,a=unstable,n=sid,l=Debian,c=main,b=amd64
     origin mirror.example
Pinned packages:
E
}

@test "release_suites: codename names and the archive names of the release only" {
	run release_suites bookworm < <(policy)
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' bookworm bookworm-updates bookworm-security oldstable oldstable-security oldstable-updates)" ]
}

@test "release_suites without an index: the codename names" {
	run release_suites bookworm </dev/null
	[ "$output" = "$(printf '%s\n' bookworm bookworm-updates bookworm-security)" ]
}

@test "archive names (apt list prints oldstable) are accepted through release_suites" {
	local suites
	mapfile -t suites < <(policy | release_suites bookworm)
	printf '%s\n' 'Listing...' 'adduser/oldstable,now 3.134 all [installed]' \
		'libssl3/oldstable-security,now 3.0.16-1~deb12u1 amd64 [installed,automatic]' \
		'tzdata/oldstable,oldstable-updates,now 2025b-0+deb12u1 all [installed,automatic]' \
		'qemu-system-x86/oldstable-backports,now 1:10.0.2+ds-1~bpo12+1 amd64 [installed]' \
		'libc6/unstable,now 2.43-1 amd64 [installed]' >"$T/list"
	run release_offenders "${suites[@]}" <"$T/list"
	[ "$output" = "$(printf '%s\n' 'qemu-system-x86 (oldstable-backports)' 'libc6 (unstable)')" ]
	# without them, oldstable is not known to be bookworm
	run release_offenders bookworm <"$T/list"
	[ "${#lines[@]}" -eq 5 ]
}

@test "candidate_of reads apt-cache policy PKG" {
	run candidate_of <<'E'
libc6:
  Installed: 2.36-9+deb12u10
  Candidate: 2.36-9+deb12u10
  Version table:
 *** 2.36-9+deb12u10 500
        500 http://mirror.example/debian bookworm/main amd64 Packages
        100 /var/lib/dpkg/status
E
	[ "$output" = 2.36-9+deb12u10 ]
	run candidate_of <<<'  Candidate: (none)'
	[ -z "$output" ]
}

@test "release_date reads a Release file's Date" {
	run release_date <<'E'
Origin: Debian
Suite: oldstable
Codename: bookworm
Date: Sat, 10 May 2025 09:44:51 UTC
Acquire-By-Hash: yes
E
	[ "$output" = "Sat, 10 May 2025 09:44:51 UTC" ]
}

@test "paths_under: the directory and below, not its namesakes" {
	run paths_under /b/fresh/root.7 <<'E'
/
/proc
/b/fresh/root.7
/b/fresh/root.7/proc
/b/fresh/root.7/dev/pts
/b/fresh/root.77
/b/fresh/root.7x/proc
E
	[ "$output" = "$(printf '%s\n' /b/fresh/root.7 /b/fresh/root.7/proc /b/fresh/root.7/dev/pts)" ]
}

@test "first_error: the project's error line, else its FAIL line (and first warning), else the last line" {
	printf '%s\n' 'zcrx-vmtest: installing qemu' 'zcrx-vmtest: error: guest test build failed; see x' '== FAIL: vm: no-report' >"$T/log"
	[ "$(first_error "$T/log")" = "zcrx-vmtest: error: guest test build failed; see x" ]
	printf '%s\n' 'a' '== FAIL: vm: timeout' 'b' >"$T/log"
	[ "$(first_error "$T/log")" = "== FAIL: vm: timeout" ]
	printf '%s\n' 'zcrx-vmtest: warning: VM ended without a verdict (QEMU exit 134)' '== FAIL: vm: no-report' >"$T/log"
	[ "$(first_error "$T/log")" = "== FAIL: vm: no-report (zcrx-vmtest: warning: VM ended without a verdict (QEMU exit 134))" ]
	printf '%s\n' 'a' 'b' >"$T/log"
	[ "$(first_error "$T/log")" = b ]
}

# Stubs: findmnt reports a mount below the root, umount cannot remove it.
stub_mounted() {
	mkdir -p "$T/bin" "$T/root/proc"
	printf '#!/bin/sh\necho /\necho %s/root/proc\n' "$T" >"$T/bin/findmnt"
	printf '#!/bin/sh\nexit 32\n' >"$T/bin/umount"
	chmod +x "$T/bin/findmnt" "$T/bin/umount"
	PATH="$T/bin:$PATH"
}

@test "root_remove never removes a root that is still mounted" {
	stub_mounted
	touch "$T/root/proc/keep"
	run root_remove "$T/root"
	[ "$status" -ne 0 ]
	[[ $output == *"still mounted under $T/root"* ]]
	[ -f "$T/root/proc/keep" ]
}

@test "root_remove removes an unmounted root" {
	mkdir -p "$T/bin" "$T/root/etc"
	printf '#!/bin/sh\necho /\n' >"$T/bin/findmnt"
	chmod +x "$T/bin/findmnt"
	PATH="$T/bin:$PATH" run root_remove "$T/root"
	[ "$status" -eq 0 ]
	[ ! -e "$T/root" ]
}

@test "sourcing with FRESH_CHECK_LIB=1 runs nothing" {
	run env FRESH_CHECK_LIB=1 bash -c ". '$S'; echo sourced"
	[ "$status" -eq 0 ]
	[ "$output" = sourced ]
	[ ! -e "$BUILD_DIR/fresh" ]
}

@test "not root: one clear line and a non-zero exit" {
	mkdir -p "$T/bin"
	printf '#!/bin/sh\n[ "$1" = -u ] && echo 1000 || exec /usr/bin/id "$@"\n' >"$T/bin/id"
	chmod +x "$T/bin/id"
	run env PATH="$T/bin:$PATH" "$S"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ ${lines[0]} == "fresh-check: FAIL: needs root"* ]]
}
