#!/usr/bin/env bats
# apt-private.sh: mirror discovery and the verified package cache, with
# apt-cache / apt-get stubs (no network).

setup() {
	T="$BATS_TEST_TMPDIR"
	export BUILD_DIR="$T/build" ZCRX_APT_ETC="$T/etc" ZCRX_OS_RELEASE="$T/os-release"
	mkdir -p "$T/etc/sources.list.d" "$T/bin"
	echo 'VERSION_CODENAME=bookworm' >"$T/os-release"
	. "$BATS_TEST_DIRNAME/../lib.sh"
	. "$BATS_TEST_DIRNAME/../apt-private.sh"
}

@test "mirror from a deb822 .sources file (security suite skipped)" {
	cat >"$T/etc/sources.list.d/debian.sources" <<'E'
Types: deb
URIs: http://security.example/debian-security
Suites: bookworm-security
Components: main

Types: deb
URIs: http://mirror.example/debian
Suites: bookworm bookworm-updates
Components: main
E
	[ "$(host_mirror)" = http://mirror.example/debian ]
}

@test "mirror from a one-line sources.list with options" {
	echo 'deb [arch=amd64 signed-by=/k.gpg] http://one.example/debian bookworm main' >"$T/etc/sources.list"
	[ "$(host_mirror)" = http://one.example/debian ]
}

@test "ZCRX_APT_MIRROR overrides discovery" {
	ZCRX_APT_MIRROR=http://override.example/d run host_mirror
	[ "$output" = http://override.example/d ]
}

@test "no sources: one clear error" {
	run host_mirror
	[ "$status" -eq 1 ]
	[[ $output == "zcrx-vmtest: error: no apt sources in $T/etc"* ]]
}

stub_apt() { # stub_apt SHA256-IN-INDEX CONTENT-DOWNLOADED [fail]
	cat >"$T/bin/apt-cache" <<E
#!/bin/sh
echo "SHA256: $1"
E
	if [ "${3:-}" = fail ]; then
		printf '#!/bin/sh\necho "E: Failed to fetch http://mirror.example/x.deb  404  Not Found"\nexit 100\n' >"$T/bin/apt-get"
	else
		printf '#!/bin/sh\nprintf "%s" > pkg_1.0_all.deb\n' "$2" >"$T/bin/apt-get"
	fi
	chmod +x "$T/bin/apt-cache" "$T/bin/apt-get"
	export PATH="$T/bin:$PATH"
}

@test "download is verified against the index checksum" {
	stub_apt "$(printf good | sha256sum | cut -d' ' -f1)" good
	run apt_fetch pkg 1.0
	[ "$status" -eq 0 ]
	[ "$(cat "${lines[-1]}")" = good ]
}

@test "a corrupt download is refused with one line" {
	stub_apt "$(printf good | sha256sum | cut -d' ' -f1)" evil
	run apt_fetch pkg 1.0
	[ "$status" -eq 1 ]
	[[ $output == *"download of pkg 1.0 is corrupt"* ]]
}

@test "a corrupt cached package is detected and fetched again" {
	stub_apt "$(printf good | sha256sum | cut -d' ' -f1)" good
	mkdir -p "$DEB_CACHE"
	printf bad >"$DEB_CACHE/pkg_1.0.deb"
	run apt_fetch pkg 1.0
	[ "$status" -eq 0 ]
	[[ $output == *"cached pkg_1.0.deb is corrupt"* ]]
	[ "$(cat "$DEB_CACHE/pkg_1.0.deb")" = good ]
}

@test "a failed download says why in one line" {
	stub_apt 0000 x fail
	run apt_fetch pkg 1.0
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 2 ]
	[[ ${lines[1]} == *"download of pkg 1.0 failed: E: Failed to fetch"* ]]
}

@test "offline with a corrupt cached package: one line, and the unpacked copy is kept" {
	stub_apt "$(printf good | sha256sum | cut -d' ' -f1)" x fail
	mkdir -p "$DEB_CACHE" "$DEPS_DIR/x/pkg"
	printf bad >"$DEB_CACHE/pkg_1.0.deb"
	echo kept >"$DEPS_DIR/x/pkg/file"
	run apt_fetch pkg 1.0
	[ "$status" -eq 1 ]
	[[ ${lines[-1]} == "zcrx-vmtest: error: offline and the cache is corrupt: pkg_1.0.deb"* ]]
	[ "$(cat "$DEPS_DIR/x/pkg/file")" = kept ]
	[ -z "$(find "$DEB_CACHE" -name '.dl.*')" ]
}

@test "a pinned version that resolved to nothing stops, never falls back to the candidate" {
	stub_apt "$(printf good | sha256sum | cut -d' ' -f1)" good
	run apt_fetch pkg ""
	[ "$status" -eq 1 ]
	[[ $output == *"package pkg: no version resolved"* ]]
	[ -z "$(ls "$DEB_CACHE" 2>/dev/null)" ]
}

@test "an unpack is atomic: the stamp names the verified .deb" {
	stub_apt "$(printf good | sha256sum | cut -d' ' -f1)" good
	printf '#!/bin/sh\nmkdir -p "$3/usr"; echo unpacked >"$3/usr/f"\n' >"$T/bin/dpkg-deb"
	chmod +x "$T/bin/dpkg-deb"
	run apt_extract pkg 1.0
	[ "$status" -eq 0 ]
	[ "$(cat "${lines[-1]}/usr/f")" = unpacked ]
	grep -q "^pkg_1.0.deb $(printf good | sha256sum | cut -d' ' -f1)\$" "${lines[-1]}/.zcrx-extracted"
	[ -z "$(find "$DEPS_DIR/x" -maxdepth 1 -name '.pkg.*')" ]
}
