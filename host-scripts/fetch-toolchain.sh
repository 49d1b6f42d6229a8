#!/usr/bin/env bash
# Fetch what the guest suite is built against, into $DEPS_DIR, and write
# $DEPS_DIR/toolchain.env (UAPI_INC, URING, KSFT_INC):
#   linux-libc-dev $UAPI_VERSION   7.3 uapi: linux/io_uring/{zcrx,query}.h
#                                  (default 7.3: the newest 7.3.x there is)
#   liburing-dev $LIBURING_VERSION liburing.a and headers
#   linux-source-$KSFT_SOURCE      kselftest_harness.h and kselftest.h only
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/apt-private.sh"

UAPI_VERSION=${UAPI_VERSION:-7.3}
LIBURING_VERSION=${LIBURING_VERSION:-2.15}
KSFT_SOURCE=${KSFT_SOURCE:-7.3}

env_out="$DEPS_DIR/toolchain.env"
# shellcheck source=/dev/null
if resolved_fresh "$env_out" && (. "$env_out" && [ "${UAPI_REQ:-}" = "$UAPI_VERSION" ] &&
	[ "${URING_REQ:-}" = "$LIBURING_VERSION" ] && [ -f "$UAPI_INC/linux/io_uring/zcrx.h" ] &&
	[ -f "$KSFT_INC/kselftest_harness.h" ]); then
	exit 0
fi
need_cmd dpkg-deb dpkg
need_cmd xz xz-utils
apt_private_update

version_of() {
	local v
	v=$(apt_version_like "$1" "$2")
	[ -n "$v" ] || die "no $1 version $2 in the private index ($APT_SUITES)"
	printf '%s\n' "$v"
}

uapi_ver=$(version_of linux-libc-dev "$UAPI_VERSION")
uapi=$(apt_extract linux-libc-dev "$uapi_ver")
[ -f "$uapi/usr/include/linux/io_uring/zcrx.h" ] ||
	die "linux-libc-dev $UAPI_VERSION has no linux/io_uring/zcrx.h"
uring_ver=$(version_of liburing-dev "$LIBURING_VERSION")
uring=$(apt_extract liburing-dev "$uring_ver")
compgen -G "$uring/usr/lib/*/liburing.a" >/dev/null || die "liburing-dev has no liburing.a"

ksft="$DEPS_DIR/ksft-$KSFT_SOURCE"
if [ ! -f "$ksft/kselftest_harness.h" ] || [ ! -f "$ksft/kselftest.h" ]; then
	src=linux-source-$KSFT_SOURCE
	deb=$(apt_fetch "$src")
	log "extracting kselftest headers from $(basename "$deb")"
	rm -rf "$ksft.tmp" && mkdir -p "$ksft.tmp"
	at_exit_rm "$ksft.tmp"
	dpkg-deb --fsys-tarfile "$deb" | tar -xO "./usr/src/$src.tar.xz" | xz -dc -T0 |
		tar -x -C "$ksft.tmp" --strip-components=4 --wildcards \
			"$src/tools/testing/selftests/kselftest.h" \
			"$src/tools/testing/selftests/kselftest_harness.h" ||
		die "cannot extract the kselftest headers from $(basename "$deb")"
	rm -rf "$ksft" && mv "$ksft.tmp" "$ksft"
fi

{
	printf 'UAPI_INC=%q\n' "$uapi/usr/include"
	printf 'URING=%q\n' "$uring"
	printf 'KSFT_INC=%q\n' "$ksft"
	printf 'UAPI_REQ=%q\n' "$UAPI_VERSION"
	printf 'URING_REQ=%q\n' "$LIBURING_VERSION"
	printf 'UAPI_PKG=%q\n' "linux-libc-dev $uapi_ver"
	printf 'URING_PKG=%q\n' "liburing-dev $uring_ver"
} >"$env_out"

