#!/usr/bin/env bats
# build-kernel.sh and apply-patches.sh: argument handling and patch state
# (no kernel is built here).

setup() {
	S="$BATS_TEST_DIRNAME/../kernels/build-kernel.sh"
	P="$BATS_TEST_DIRNAME/../kernels/apply-patches.sh"
	T="$BATS_TEST_TMPDIR"
	export BUILD_DIR="$T/build"
}

@test "KCONFIG=bogus is refused" {
	KSRC="$T" KCONFIG=bogus run "$S"
	[ "$status" -eq 1 ]
	[ "$output" = "zcrx-vmtest: error: KCONFIG=bogus: expected lean, debug or gcov" ]
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

# A fake kernel tree and a fake make: configure, verify and build run for
# real, in a fresh O= directory, without compiling anything.
fake_tree() {
	mkdir -p "$T/tree/arch/x86" "$T/tree/io_uring" "$T/tree/scripts/kconfig" "$T/bin"
	touch "$T/tree/Makefile" "$T/tree/Kconfig" "$T/tree/io_uring/zcrx.c"
	cat >"$T/tree/scripts/kconfig/merge_config.sh" <<'E'
#!/bin/sh
# merge_config.sh -m -O DIR BASE FRAG...: append the fragments
shift; shift; out=$1; shift; base=$1; shift
cat "$@" >>"$out/.config"
E
	cat >"$T/bin/make" <<'E'
#!/bin/sh
for a; do case $a in O=*) o=${a#O=} ;; esac; done
for a; do
	case $a in
	tinyconfig) : >"$o/.config" ;;
	olddefconfig) grep -v "${DROP:-^$}" "$o/.config" >"$o/.c" || true; mv "$o/.c" "$o/.config" ;;
	bzImage) mkdir -p "$o/arch/x86/boot" "$o/include/config"; echo x >"$o/arch/x86/boot/bzImage"; echo 7.3.4-fake >"$o/include/config/kernel.release" ;;
	esac
done
E
	chmod +x "$T/tree/scripts/kconfig/merge_config.sh" "$T/bin/make"
	export PATH="$T/bin:$PATH"
}

@test "fresh O= dir: configure, verify and build; the env names the bzImage" {
	fake_tree
	KSRC="$T/tree" run "$S" "$T/out.env"
	[ "$status" -eq 0 ]
	. "$T/out.env"
	[ "$KREL" = 7.3.4-fake ]
	[ -f "$VMLINUZ" ]
	[[ $VMLINUZ == "$BUILD_DIR"/kbuild/ksrc-*-lean/arch/x86/boot/bzImage ]]
	[ -z "$(ls "$T/tree" | grep -v -e Makefile -e Kconfig -e arch -e io_uring -e scripts)" ]
}

@test "an option lost in olddefconfig stops the build with its name" {
	fake_tree
	DROP='^CONFIG_IO_URING_ZCRX=' KSRC="$T/tree" run "$S" "$T/out.env"
	[ "$status" -eq 1 ]
	[[ ${lines[-1]} == *"options lost after olddefconfig"*"CONFIG_IO_URING_ZCRX=y"* ]]
}

@test "a second build with unchanged fragments skips configuration" {
	fake_tree
	KSRC="$T/tree" run "$S"
	[[ $output == *"configuring"* ]]
	KSRC="$T/tree" run "$S"
	[ "$status" -eq 0 ]
	[[ $output != *"configuring"* ]]
}
