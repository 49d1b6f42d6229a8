#!/usr/bin/env bats
# build-kernel.sh and apply-patches.sh: argument handling and patch state
# (no kernel is built here).

setup() {
	S="$BATS_TEST_DIRNAME/../build-kernel.sh"
	P="$BATS_TEST_DIRNAME/../apply-patches.sh"
	T="$BATS_TEST_TMPDIR"
	export BUILD_DIR="$T/build"
}

@test "KCONFIG=bogus is refused" {
	KSRC="$T" KCONFIG=bogus run "$S"
	[ "$status" -eq 1 ]
	[ "$output" = "zcrx-vmtest: error: KCONFIG=bogus: expected lean or debug" ]
}

@test "KSRC=/nonexistent is refused in one line" {
	KSRC=/nonexistent run "$S"
	[ "$status" -eq 1 ]
	[ "${lines[-1]}" = "zcrx-vmtest: error: KSRC=/nonexistent: no such directory" ]
}

@test "KSRC that is not a kernel tree is refused" {
	mkdir -p "$T/notatree"
	KSRC="$T/notatree" run "$S"
	[ "$status" -eq 1 ]
	[[ ${lines[-1]} == *"not a Linux kernel tree"* ]]
}

@test "KSRC without io_uring zcrx is refused" {
	mkdir -p "$T/old/arch/x86" "$T/old/io_uring"
	touch "$T/old/Makefile" "$T/old/Kconfig"
	KSRC="$T/old" run "$S"
	[ "$status" -eq 1 ]
	[[ ${lines[-1]} == *"has no io_uring zcrx"* ]]
}

@test "KSRC is never modified: an in-tree .config is reported, not cleaned" {
	mkdir -p "$T/tree/arch/x86" "$T/tree/io_uring"
	touch "$T/tree/Makefile" "$T/tree/Kconfig" "$T/tree/io_uring/zcrx.c"
	echo 'CONFIG_X=y' >"$T/tree/.config"
	KSRC="$T/tree" run "$S"
	[ "$status" -eq 1 ]
	[[ ${lines[-1]} == *"in-tree .config"* ]]
	[ "$(cat "$T/tree/.config")" = 'CONFIG_X=y' ]
}

make_patch() {
	mkdir -p "$T/tree/a" "$T/patches"
	printf 'one\ntwo\nthree\n' >"$T/tree/a/f.c"
	cat >"$T/patches/0001-x.patch" <<'E'
--- a/a/f.c
+++ b/a/f.c
@@ -1,3 +1,3 @@
 one
-two
+TWO
 three
E
}

@test "patches apply once, and a second run is a no-op" {
	make_patch
	run "$P" "$T/tree" "$T/patches"
	[ "$status" -eq 0 ]
	grep -qx TWO "$T/tree/a/f.c"
	run "$P" "$T/tree" "$T/patches"
	[ "$status" -eq 0 ]
	[ "$(grep -c TWO "$T/tree/a/f.c")" -eq 1 ]
}

@test "a tree the patch fits neither way is reported as half-applied" {
	make_patch
	printf 'one\nsomething else\nthree\n' >"$T/tree/a/f.c"
	run "$P" "$T/tree" "$T/patches"
	[ "$status" -eq 1 ]
	[[ $output == *"0001-x.patch applies neither forward nor in reverse"* ]]
}
