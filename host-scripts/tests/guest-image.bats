#!/usr/bin/env bats
# images/guest-image.sh with stub mmdebstrap and mkfs.erofs: keyed by its
# recipe, re-used without apt, one line and nothing left on failure.

setup() {
	T="$BATS_TEST_TMPDIR"
	top="$T/top"
	mkdir -p "$top/images" "$top/host-scripts" "$T/bin" "$T/etc"
	cp "$BATS_TEST_DIRNAME/../../images/guest-image.sh" "$BATS_TEST_DIRNAME/../../images/guest-image.list" "$top/images/"
	cp "$BATS_TEST_DIRNAME"/../lib.sh "$BATS_TEST_DIRNAME"/../host-pkg.sh "$BATS_TEST_DIRNAME"/../apt-private.sh "$top/host-scripts/"
	printf 'VERSION_CODENAME=bookworm\n' >"$T/etc/os-release"
	# mmdebstrap: log its arguments, make a root with one file
	cat >"$T/bin/mmdebstrap" <<S
#!/bin/sh
printf '%s ' "\$@" | tr '\\n' ' ' >>"$T/mmdebstrap.calls"; echo >>"$T/mmdebstrap.calls"
[ -z "\$STUB_FAIL" ] || { echo "E: stub failure" >&2; exit 1; }
for a; do t=\$a; done
for a; do case \$a in /*root) mkdir -p "\$a/etc"; echo x >"\$a/etc/x" ;; esac; done
exit 0
S
	# the image file is the second to last argument
	cat >"$T/bin/mkfs.erofs" <<'S'
#!/bin/sh
while [ "$#" -gt 2 ]; do shift; done
printf erofs >"$1"
S
	chmod +x "$T/bin/"*
	mkdir -p "$T/apt/sources.list.d"
	printf 'Types: deb\nURIs: http://mirror.invalid/debian\nSuites: bookworm\nComponents: main\n' >"$T/apt/sources.list.d/debian.sources"
	export PATH="$T/bin:$PATH" ZCRX_TOP="$top" BUILD_DIR="$T/build" RESULTS_DIR="$T/results" \
		ZCRX_OS_RELEASE="$T/etc/os-release" ZCRX_APT_ETC="$T/apt"
}

@test "built once, then re-used without calling mmdebstrap (offline)" {
	[ "$(id -u)" -eq 0 ] || skip "builds need root"
	run "$top/images/guest-image.sh"
	[ "$status" -eq 0 ]
	img=${lines[-1]}
	[[ $img == "$T/build/guest-image/trixie-"*.erofs ]]
	[ "$(cat "$img")" = erofs ]
	[ "$(wc -l <"$T/mmdebstrap.calls")" -eq 1 ]
	grep -q -- '--variant=minbase' "$T/mmdebstrap.calls"
	# the suite, then the host's mirror as apt configures it
	grep -q -- ' trixie [^ ]*/root http://mirror.invalid/debian $' "$T/mmdebstrap.calls"
	grep -q -- '--include=bash,coreutils,' "$T/mmdebstrap.calls"
	run "$top/images/guest-image.sh"
	[ "$status" -eq 0 ] && [ "$output" = "$img" ] || false
	[ "$(wc -l <"$T/mmdebstrap.calls")" -eq 1 ]
	# no work directory left
	[ -z "$(find "$T/build/guest-image" -name '.build.*')" ]
}

@test "a changed package list is a new key: built again" {
	[ "$(id -u)" -eq 0 ] || skip "builds need root"
	a=$("$top/images/guest-image.sh" 2>/dev/null)
	echo strace >>"$top/images/guest-image.list"
	b=$("$top/images/guest-image.sh" 2>/dev/null)
	[ "$a" != "$b" ] && [ -f "$a" ] && [ -f "$b" ] || false
	[ "$(wc -l <"$T/mmdebstrap.calls")" -eq 2 ]
	grep -q -- ',strace' "$T/mmdebstrap.calls"
}

@test "mmdebstrap fails: one line naming the log, no image, no work directory" {
	[ "$(id -u)" -eq 0 ] || skip "builds need root"
	STUB_FAIL=1 run "$top/images/guest-image.sh"
	[ "$status" -eq 1 ]
	[[ ${lines[-1]} == "zcrx-vmtest: error: guest image: mmdebstrap failed; see $T/build/logs/guest-image.log (last line: E: stub failure)" ]]
	[ -z "$(find "$T/build/guest-image" -name '*.erofs' -o -name '.build.*')" ]
}

@test "the mirror comes from the host's own apt sources, never from the recipe" {
	! grep -qiE 'https?://' "$BATS_TEST_DIRNAME/../../images/guest-image.sh" "$BATS_TEST_DIRNAME/../../images/guest-image.list" || false
	grep -q 'mirror=$(host_mirror)' "$BATS_TEST_DIRNAME/../../images/guest-image.sh"
}

@test "a bad GUEST_IMAGE_TIMEOUT is one line before anything slow" {
	GUEST_IMAGE_TIMEOUT=soon run "$top/images/guest-image.sh"
	[ "$status" -eq 1 ]
	[ "$output" = "zcrx-vmtest: error: GUEST_IMAGE_TIMEOUT=soon: expected seconds > 0" ]
	[ ! -e "$T/mmdebstrap.calls" ]
}
