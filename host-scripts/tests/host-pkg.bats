#!/usr/bin/env bats
# host-pkg.sh: the one function that installs host packages, with stub
# apt-get/apt-cache/id that record their environment and arguments. No real
# package is installed and no network is used.

setup() {
	T="$BATS_TEST_TMPDIR"
	mkdir -p "$T/bin"
	export BUILD_DIR="$T/build" ZCRX_OS_RELEASE="$T/os-release" ZCRX_APT_MIRROR=http://mirror.example/debian
	echo 'VERSION_CODENAME=bookworm' >"$T/os-release"
	# apt-get: log "ARGS | APT_CONFIG=..." per call; -s prints $T/plan;
	# a real install waits while $T/lock exists, but only when given a
	# DPkg::Lock::Timeout (as apt does), and fails at once otherwise.
	cat >"$T/bin/apt-get" <<'S'
#!/bin/bash
printf '%s | APT_CONFIG=%s | APT_X=%s\n' "$*" "${APT_CONFIG-unset}" "${APT_X-unset}" >>"$STUB_LOG"
case " $* " in *" -s "*) cat "$STUB_PLAN"; exit 0 ;; esac
case " $* " in *" install "*)
	if [ -e "$STUB_LOCK" ]; then
		t=$(printf '%s\n' "$@" | sed -n 's/^DPkg::Lock::Timeout=//p')
		[ -n "$t" ] || { echo "E: Could not get lock /var/lib/dpkg/lock-frontend"; exit 100; }
		for _ in $(seq $((t * 10))); do [ -e "$STUB_LOCK" ] || break; sleep 0.1; done
		[ ! -e "$STUB_LOCK" ] || { echo "E: Could not get lock (timeout)"; exit 100; }
	fi
	touch "$STUB_INSTALLED"; exit 0 ;;
esac
exit 0
S
	cat >"$T/bin/apt-cache" <<'S'
#!/bin/bash
printf 'apt-cache %s | APT_CONFIG=%s\n' "$*" "${APT_CONFIG-unset}" >>"$STUB_LOG"
[ "$1" = policy ] && [ "$#" -eq 1 ] && cat <<'P'
Package files:
 100 /var/lib/dpkg/status
     release a=now
 500 http://mirror.example/debian bookworm/main amd64 Packages
     release v=12.15,o=Debian,a=oldstable,n=bookworm,l=Debian,c=main,b=amd64
 500 http://mirror.example/debian-security bookworm-security/main amd64 Packages
     release v=12,o=Debian,a=oldstable-security,n=bookworm-security,l=Debian-Security,c=main,b=amd64
P
exit 0
S
	printf '#!/bin/sh\n[ "$1" = -u ] && { echo "${STUB_UID:-0}"; exit 0; }\nexec /usr/bin/id "$@"\n' >"$T/bin/id"
	chmod +x "$T/bin/"*
	export PATH="$T/bin:$PATH" STUB_LOG="$T/log" STUB_PLAN="$T/plan" STUB_LOCK="$T/lock" STUB_INSTALLED="$T/installed"
	echo 'Inst flex (2.6.4-8.2 Debian:12.15/oldstable [amd64])' >"$T/plan"
	. "$BATS_TEST_DIRNAME/../lib.sh"
	. "$BATS_TEST_DIRNAME/../apt-private.sh"
}

@test "host installs never see the private apt configuration, even right after it was used" {
	apt_private_setup
	papt_get -q download foo
	papt_cache policy foo
	[ -z "${APT_CONFIG:-}" ] # never exported
	# even if something exported it (or any APT_* setting), host installs drop it
	export APT_CONFIG="$BUILD_DIR/apt/etc/apt.conf" APT_X=leak
	run host_install flex
	[ "$status" -eq 0 ]
	grep -q "download foo | APT_CONFIG=$BUILD_DIR/apt/etc/apt.conf" "$T/log"
	grep -q "apt-cache policy foo | APT_CONFIG=$BUILD_DIR/apt/etc/apt.conf" "$T/log"
	[ "$(grep -c 'install -y flex' "$T/log")" -eq 2 ] # the simulation and the install
	! grep 'install' "$T/log" | grep -v 'APT_CONFIG=unset | APT_X=unset' || false
	[ -e "$T/installed" ]
}

@test "the private configuration can never install: papt_get refuses it" {
	apt_private_setup
	run papt_get -q -y install flex
	[ "$status" -eq 1 ]
	[[ $output == *"may not run 'apt-get install'"* ]]
	[ ! -e "$T/log" ]
}

@test "a plan that takes a package from another suite is refused, naming it" {
	cat >"$T/plan" <<'P'
Inst libc6 [2.36-9+deb12u9] (2.43-1 Debian:unstable/unstable [amd64])
Inst flex (2.6.4-8.2 Debian:12.15/oldstable [amd64])
Inst perl-base [5.36.0-7] (5.42.0-1 Debian:testing/testing, Debian:unstable/unstable [amd64])
P
	run host_install flex
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ $output == *"refusing to install flex"*"libc6 (unstable) perl-base (testing,unstable)" ]]
	[ ! -e "$T/installed" ]
	[ "$(grep -c ' install ' "$T/log")" -eq 1 ] # only the simulation ran
}

@test "a plan that removes a package is refused" {
	printf 'Remv qemu-system-x86 [1:7.2]\nInst flex (2.6.4-8.2 Debian:12.15/oldstable [amd64])\n' >"$T/plan"
	run host_install flex
	[ "$status" -eq 1 ]
	[[ $output == *"qemu-system-x86 (removed)"* ]]
	[ ! -e "$T/installed" ]
}

@test "the host's updates and security suites, and a package also in a foreign suite, are fine" {
	cat >"$T/plan" <<'P'
Inst libssl3 [3.0.15] (3.0.17-1~deb12u2 Debian-Security:12/oldstable-security [amd64])
Inst tzdata (2025b-0+deb12u1 Debian:12-updates/bookworm-updates [all])
Inst bc (1.07.1-3 Debian:12.15/oldstable, Debian Backports:12/bookworm-backports [amd64])
P
	run host_install bc
	[ "$status" -eq 0 ]
	[ -e "$T/installed" ]
}

@test "a held dpkg lock is waited for, not failed on" {
	touch "$T/lock"
	(sleep 1; rm -f "$T/lock") &
	ZCRX_APT_LOCK_TIMEOUT=20 run host_install flex
	wait
	[ "$status" -eq 0 ]
	grep -q -- '-o DPkg::Lock::Timeout=20 -o Acquire::Retries=3 -q install -y flex' "$T/log"
	[ -e "$T/installed" ]
}

@test "not root: one line with the command to run, nothing called" {
	STUB_UID=1000 run host_install flex
	[ "$status" -eq 1 ]
	[ "$output" = "zcrx-vmtest: error: missing flex; run as root: apt-get install flex" ]
	[ ! -e "$T/log" ]
}

@test "need_cmd installs only when the command is missing" {
	run need_cmd sh dash
	[ "$status" -eq 0 ]
	[ ! -e "$T/log" ]
	run need_cmd zcrx-no-such-tool flex
	[ "$status" -eq 1 ]
	[[ $output == *"flex installed but zcrx-no-such-tool is still missing"* ]]
}

@test "no script but host-pkg.sh calls apt-get install" {
	cd "$BATS_TEST_DIRNAME/../.."
	# the project's own files only (not build/ or results/)
	files=$(git ls-files '*.sh' '*.bats' .ci/run Makefile 2>/dev/null ||
		find host-scripts images vm .ci Makefile -type f)
	run bash -c "printf '%s\n' \"\$1\" | grep -v -e host-scripts/host-pkg.sh -e 'tests/.*\.bats' |
		xargs grep -nE 'apt-get( [-a-zA-Z:=\"\$]+)* install' | grep -v 'run as root: apt-get install'" _ "$files"
	[ "$status" -eq 1 ]
	[ -z "$output" ]
}

@test "a die inside \$(...) ends the whole script" {
	cat >"$T/s.sh" <<S
#!/usr/bin/env bash
set -euo pipefail
. "$BATS_TEST_DIRNAME/../lib.sh"
f() { local x; x=\$(die "inner failure"); echo "after: \$x"; }
v=\$(die "first failure")
echo "not reached \$v"
S
	run bash "$T/s.sh"
	[ "$status" -eq 1 ]
	[ "$output" = "zcrx-vmtest: error: first failure" ]
}
