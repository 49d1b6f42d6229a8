# shellcheck shell=bash
# The one place that installs packages into the host. Sourced by lib.sh.
#
# host_install [--no-install-recommends] PKG...: install PKGs with the host's own apt configuration
# (every private apt setting removed from the environment of the call),
# from the host's own release only. It simulates first (apt-get -s) and
# refuses, in one line naming the packages, a plan that would install or
# upgrade anything from another suite or remove anything. It waits for the
# dpkg lock (ZCRX_APT_LOCK_TIMEOUT seconds, default 600) instead of failing
# when another apt is running. Not root: one line with the command to run.

# Run the host's apt-get: no APT_CONFIG (the private configuration under
# build/apt must never reach a host install), no other APT_* variable.
host_apt_get() {
	local -a unset_args=() v
	for v in $(compgen -e); do
		case $v in APT_* | DEBIAN_FRONTEND) unset_args+=(-u "$v") ;; esac
	done
	env "${unset_args[@]}" DEBIAN_FRONTEND=noninteractive apt-get \
		-o DPkg::Lock::Timeout="${ZCRX_APT_LOCK_TIMEOUT:-600}" -o Acquire::Retries=3 "$@"
}

host_apt_cache() {
	env -u APT_CONFIG apt-cache "$@"
}

# The host's release codename (bookworm on Debian 12).
host_codename() {
	# shellcheck source=/dev/null
	(. "${ZCRX_OS_RELEASE:-/etc/os-release}" 2>/dev/null && printf '%s\n' "${VERSION_CODENAME:-}")
}

# Suite names (codename and archive) that belong to the host's release:
# CODENAME, CODENAME-updates, CODENAME-security and the archive names apt
# knows them by (stable, oldstable-security, ...), one per line.
host_release_suites() {
	local rel
	rel=$(host_codename)
	[ -n "$rel" ] || return 0
	printf '%s\n' "$rel" "$rel-updates" "$rel-security"
	host_apt_cache policy 2>/dev/null | awk -v rel="$rel" '
		/^ +release / {
			a = ""; n = ""
			split($2, kv, ",")
			for (i in kv) {
				if (kv[i] ~ /^a=/) a = substr(kv[i], 3)
				if (kv[i] ~ /^n=/) n = substr(kv[i], 3)
			}
			if (n == rel || n == rel "-updates" || n == rel "-security") if (a != "") print a
		}'
}

# apt_plan_offenders SUITES-FILE < PLAN: print "pkg (suite)" for every Inst
# line none of whose sources is a host suite, and "pkg (removed)" for every
# Remv line. Plan lines look like
#   Inst libc6 [2.36-9] (2.43-1 Debian:unstable/unstable [amd64])
#   Inst m4 (1.4.19-3 Debian:12.15/oldstable, Debian:12/stable [amd64])
apt_plan_offenders() {
	awk -v suites="$1" '
		BEGIN { while ((getline s < suites) > 0) ok[s] = 1 }
		$1 == "Remv" { print $2 " (removed)"; next }
		$1 == "Inst" {
			src = $0
			sub(/^[^(]*\(/, "", src); sub(/\)[^)]*$/, "", src)
			sub(/ \[[^]]*\]$/, "", src)          # the architecture
			sub(/^[^ ]+ /, "", src)              # the version
			n = split(src, list, ", "); good = 0; bad = ""
			for (i = 1; i <= n; i++) {
				suite = list[i]; sub(/^.*\//, "", suite)
				if (suite in ok) good = 1; else bad = bad (bad ? "," : "") suite
			}
			if (!good) print $2 " (" (bad ? bad : "no suite") ")"
		}'
}

host_install() {
	local -a opts=()
	while [ "$#" -gt 0 ] && [ "$1" = --no-install-recommends ]; do
		opts+=("$1")
		shift
	done
	[ "$#" -gt 0 ] || return 0
	if ! is_root; then
		die "missing $*; run as root: apt-get install $*"
	fi
	local plan suites bad err
	plan=$(host_apt_get -s -q install -y "${opts[@]}" "$@" 2>&1) || {
		log "refreshing the host's apt index (host release only)"
		host_apt_get -q update >/dev/null 2>&1 || warn "apt-get update failed; trying with the index there is"
		plan=$(host_apt_get -s -q install -y "${opts[@]}" "$@" 2>&1) || {
			err=$(printf '%s\n' "$plan" | grep -m1 '^E:' || printf '%s\n' "$plan" | tail -n 1)
			die "cannot install $* from the host's release: $err"
		}
	}
	suites=$(mktemp)
	host_release_suites >"$suites"
	bad=$(printf '%s\n' "$plan" | apt_plan_offenders "$suites" | tr '\n' ' ')
	rm -f "$suites"
	if [ -n "$bad" ]; then
		die "refusing to install $*: the plan would take packages from outside the host's release ($(host_codename)) or remove some: ${bad% }"
	fi
	log "installing $* (host release $(host_codename))"
	err=$(host_apt_get -q install -y "${opts[@]}" "$@" 2>&1) ||
		die "apt-get install $* failed: $(printf '%s\n' "$err" | grep -m1 '^E:' || printf '%s\n' "$err" | tail -n 1)"
}

# need_cmd CMD PACKAGE: make sure CMD exists, installing PACKAGE from the
# host's release when it is missing.
need_cmd() {
	local cmd=$1 pkg=$2
	command -v "$cmd" >/dev/null 2>&1 && return 0
	host_install "$pkg"
	command -v "$cmd" >/dev/null 2>&1 || die "$pkg installed but $cmd is still missing"
}

# need_file PATH PACKAGE: the same for a file (a header, a static library).
need_file() {
	local f=$1 pkg=$2
	[ -e "$f" ] && return 0
	host_install "$pkg"
	[ -e "$f" ] || die "$pkg installed but $f is still missing"
}
