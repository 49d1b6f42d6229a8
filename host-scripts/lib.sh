# shellcheck shell=bash
# Common helpers for zcrx-vmtest host scripts. Source it; do not run it.

ZCRX_TOP=${ZCRX_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
BUILD_DIR=${BUILD_DIR:-$ZCRX_TOP/build}
DEPS_DIR=${DEPS_DIR:-$BUILD_DIR/deps}
RESULTS_DIR=${RESULTS_DIR:-$ZCRX_TOP/results}

# One clear line on stderr and a non-zero exit.
die() {
	printf 'zcrx-vmtest: error: %s\n' "$*" >&2
	exit 1
}

warn() {
	printf 'zcrx-vmtest: warning: %s\n' "$*" >&2
}

log() {
	printf 'zcrx-vmtest: %s\n' "$*" >&2
}

is_root() {
	[ "$(id -u)" -eq 0 ]
}

# need_cmd CMD PACKAGE: install PACKAGE from the host's own release when CMD
# is missing and we are root; otherwise stop with the exact install line.
need_cmd() {
	local cmd=$1 pkg=$2
	command -v "$cmd" >/dev/null 2>&1 && return 0
	if is_root; then
		log "installing $pkg (host release) for $cmd"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$pkg" >/dev/null 2>&1 ||
			{ apt-get update -q >/dev/null 2>&1 &&
			  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$pkg" >/dev/null 2>&1; } ||
			die "could not install $pkg; run: apt-get install $pkg"
		command -v "$cmd" >/dev/null 2>&1 || die "$pkg installed but $cmd is still missing"
	else
		die "$cmd not found; run as root: apt-get install $pkg"
	fi
}
