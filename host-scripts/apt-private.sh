# shellcheck shell=bash
# A private apt configuration under $BUILD_DIR/apt that reads newer Debian
# suites without touching the host's apt state. The mirror URI is taken from
# the host's own apt sources at run time (override: ZCRX_APT_MIRROR).
# Source after lib.sh.

APT_DIR=${APT_DIR:-$BUILD_DIR/apt}
APT_SUITES=${APT_SUITES:-"trixie-backports sid bookworm-backports"}
DEB_CACHE=${DEB_CACHE:-$DEPS_DIR/debs}

# Print the host's Debian mirror URI (the one serving its own release).
host_mirror() {
	if [ -n "${ZCRX_APT_MIRROR:-}" ]; then
		printf '%s\n' "$ZCRX_APT_MIRROR"
		return
	fi
	local codename uri f files=() etc=${ZCRX_APT_ETC:-/etc/apt}
	for f in "$etc/sources.list" "$etc"/sources.list.d/*.list "$etc"/sources.list.d/*.sources; do
		[ -r "$f" ] && files+=("$f")
	done
	[ "${#files[@]}" -gt 0 ] || die "no apt sources in $etc (set ZCRX_APT_MIRROR=URI)"
	# shellcheck source=/dev/null
	codename=$(. "${ZCRX_OS_RELEASE:-/etc/os-release}" 2>/dev/null && printf '%s' "${VERSION_CODENAME:-}")
	uri=$(awk -v rel="$codename" '
		# one-line format: deb [opts] URI SUITE COMPONENTS
		FILENAME ~ /\.list$/ && $1 == "deb" {
			i = 2; if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
			if ($(i + 1) == rel) { print $i; exit }
		}
		# deb822 format
		FILENAME ~ /\.sources$/ && /^URIs:/ { u = $2 }
		FILENAME ~ /\.sources$/ && /^Suites:/ {
			for (j = 2; j <= NF; j++) if ($j == rel && u != "") { print u; exit }
		}
		FILENAME ~ /\.sources$/ && /^$/ { u = "" }
	' "${files[@]}" | head -n 1)
	[ -n "$uri" ] || die "cannot find the host's Debian mirror for '$codename' in $etc (set ZCRX_APT_MIRROR=URI)"
	printf '%s\n' "$uri"
}

apt_private_setup() {
	local mirror suite
	mkdir -p "$APT_DIR/etc/preferences.d" "$APT_DIR/lists/partial" "$APT_DIR/cache/archives/partial" "$DEB_CACHE"
	touch "$APT_DIR/status"
	mirror=$(host_mirror)
	{
		for suite in $APT_SUITES; do
			printf 'deb %s %s main\n' "$mirror" "$suite"
		done
	} >"$APT_DIR/etc/sources.list.new"
	if ! cmp -s "$APT_DIR/etc/sources.list.new" "$APT_DIR/etc/sources.list"; then
		mv "$APT_DIR/etc/sources.list.new" "$APT_DIR/etc/sources.list"
		rm -f "$APT_DIR/lists/"*Packages* "$APT_DIR/updated"
	else
		rm -f "$APT_DIR/etc/sources.list.new"
	fi
	cat >"$APT_DIR/etc/apt.conf" <<EOC
Dir::Etc::sourcelist "$APT_DIR/etc/sources.list";
Dir::Etc::sourceparts "-";
Dir::Etc::preferences "$APT_DIR/etc/preferences";
Dir::Etc::preferencesparts "$APT_DIR/etc/preferences.d";
Dir::State::Lists "$APT_DIR/lists";
Dir::State::status "$APT_DIR/status";
Dir::Cache "$APT_DIR/cache";
Acquire::Languages "none";
Acquire::Retries "3";
APT::Sandbox::User "root";
EOC
	APT_PRIVATE_CONF="$APT_DIR/etc/apt.conf"
}

# The private configuration reaches only these two wrappers (download,
# index update and look-ups); it is never exported, so a host install
# (host_install) can never see it.
papt_get() {
	local a
	for a; do # never anything that changes a system: that is host_install's
		case $a in install | reinstall | upgrade | dist-upgrade | full-upgrade | remove | purge | autoremove | build-dep | dselect-upgrade)
			die "internal: the private apt configuration may not run 'apt-get $a'" ;;
		esac
	done
	[ -n "${APT_PRIVATE_CONF:-}" ] || apt_private_setup
	APT_CONFIG="$APT_PRIVATE_CONF" apt-get "$@"
}
papt_cache() {
	[ -n "${APT_PRIVATE_CONF:-}" ] || apt_private_setup
	APT_CONFIG="$APT_PRIVATE_CONF" apt-cache "$@"
}

# A resolution file (NAME.env) written by an earlier run can be reused
# without asking apt while it is younger than a day and every path it names
# still exists: offline re-use, and no apt start-up cost on warm runs.
resolved_fresh() {
	local env=$1 v
	[ -f "$env" ] && [ -z "$(find "$env" -mmin +1440 2>/dev/null)" ] || return 1
	[ "${ZCRX_APT_REFRESH:-0}" != 1 ] || return 1
	while IFS='=' read -r _ v; do
		v=$(eval "printf '%s' $v")
		case $v in /*) [ -e "$v" ] || return 1 ;; esac
	done <"$env"
}

# Refresh the private index when it is missing or older than a day.
# Offline with a usable index: keep the old one and say so.
apt_private_update() {
	apt_private_setup
	local stamp="$APT_DIR/updated"
	if [ -f "$stamp" ] && [ -z "$(find "$stamp" -mmin +1440 2>/dev/null)" ] &&
		[ "${ZCRX_APT_REFRESH:-0}" != 1 ]; then
		return 0
	fi
	lock_take apt "updating the private apt index"
	if [ -f "$stamp" ] && [ -z "$(find "$stamp" -mmin +1440 2>/dev/null)" ] &&
		[ "${ZCRX_APT_REFRESH:-0}" != 1 ]; then
		lock_drop apt # another run just did it
		return 0
	fi
	log "updating private apt index ($APT_SUITES)"
	if papt_get -q -o APT::Update::Error-Mode=any update >"$APT_DIR/update.log" 2>&1; then
		touch "$stamp"
	elif [ -f "$stamp" ]; then
		warn "apt update failed (offline?); using the index from $(date -r "$stamp" +%F) (log: $APT_DIR/update.log)"
	else
		die "apt update of the private index failed; see $APT_DIR/update.log"
	fi
	lock_drop apt
}

# The newest available version of a package, or empty.
apt_candidate() {
	# awk reads to the end: an early exit would kill apt-cache with
	# SIGPIPE, which pipefail turns into a failure
	papt_cache policy "$1" 2>/dev/null | awk '/Candidate:/ && !seen { seen = 1; if ($2 != "(none)") print $2 }'
}

# apt_fetch PKG [VERSION]: download into $DEB_CACHE (cache hit if the
# file's SHA256 matches the index) and print the .deb path. A VERSION given
# but empty is an error (a pin that resolved to nothing never falls back
# to the candidate). A corrupt cached file is replaced only by a verified
# download; offline, the run stops saying so and the unpacked copy stays.
apt_fetch() {
	local pkg=$1 ver=${2-} deb sum want corrupt=
	if [ "$#" -lt 2 ]; then
		ver=$(apt_candidate "$pkg")
		[ -n "$ver" ] || die "package $pkg is not in the private index ($APT_SUITES)"
	fi
	[ -n "$ver" ] || die "package $pkg: no version resolved (pinned version not in the private index?)"
	want=$(papt_cache show "$pkg=$ver" 2>/dev/null | awk '/^SHA256:/ && !seen { seen = 1; print $2 }')
	[ -n "$want" ] || die "$pkg $ver is not in the private index ($APT_SUITES)"
	deb="$DEB_CACHE/${pkg}_${ver//:/%3a}.deb"
	if [ -f "$deb" ]; then
		sum=$(sha256sum "$deb" | cut -d' ' -f1)
		[ "$sum" = "$want" ] && { printf '%s\n' "$deb"; return 0; }
		warn "cached $(basename "$deb") is corrupt (sha256 $sum, index says $want); fetching it again"
		corrupt=1
	fi
	log "downloading $pkg $ver"
	local tmp
	if ! mkdir -p "$DEB_CACHE" || ! tmp=$(mktemp -d "$DEB_CACHE/.dl.XXXXXX"); then
		die "cannot create a download directory in $DEB_CACHE"
	fi
	at_exit_rm "$tmp"
	if ! (cd "$tmp" && papt_get -q download "$pkg=$ver" >"$tmp/log" 2>&1); then
		local why
		why=$(grep -m1 -E '^(E|Err):' "$tmp/log" || tail -n 1 "$tmp/log")
		rm -rf "$tmp"
		[ -z "$corrupt" ] || die "offline and the cache is corrupt: $(basename "$deb") fails its checksum and cannot be fetched again ($why)"
		die "download of $pkg $ver failed: $why"
	fi
	compgen -G "$tmp/*.deb" >/dev/null || { rm -rf "$tmp"; die "download of $pkg $ver produced no .deb"; }
	sum=$(cat "$tmp"/*.deb | sha256sum | cut -d' ' -f1)
	if [ "$sum" != "$want" ]; then
		rm -rf "$tmp"
		die "download of $pkg $ver is corrupt (sha256 $sum, index says $want)"
	fi
	mv -f "$tmp"/*.deb "$deb"
	rm -rf "$tmp"
	printf '%s\n' "$deb"
}

# apt_extract PKG [VERSION]: fetch and unpack with dpkg-deb -x into
# $DEPS_DIR/x/PKG (once per verified .deb: the stamp holds its name and
# SHA256); print the directory. Unpacked beside it, then renamed, so an
# interrupted unpack never leaves a half directory behind.
apt_extract() {
	local pkg=$1 deb dir stamp tmp
	deb=$(apt_fetch "$@")
	dir="$DEPS_DIR/x/$pkg"
	stamp="$(basename "$deb") $(sha256sum "$deb" | cut -d' ' -f1)"
	lock_take extract "unpacking $pkg"
	if [ "$(cat "$dir/.zcrx-extracted" 2>/dev/null)" != "$stamp" ]; then
		mkdir -p "$DEPS_DIR/x"
		tmp=$(mktemp -d "$DEPS_DIR/x/.$pkg.XXXXXX")
		at_exit_rm "$tmp"
		dpkg-deb -x "$deb" "$tmp" 2>"$tmp.err" ||
			{ rm -rf "$tmp"; die "cannot unpack $(basename "$deb"): $(head -n 1 "$tmp.err")"; }
		rm -f "$tmp.err"
		printf '%s\n' "$stamp" >"$tmp/.zcrx-extracted"
		rm -rf "$dir"
		mv "$tmp" "$dir"
	fi
	lock_drop extract
	printf '%s\n' "$dir"
}

# The newest version of PKG whose version string starts with PREFIX.
apt_version_like() {
	papt_cache madison "$1" 2>/dev/null | awk -F'|' '{ gsub(/ /, "", $2); print $2 }' |
		grep -E "^(1:)?${2//./\\.}([.+~-]|$)" | sort -V | tail -n 1
}
