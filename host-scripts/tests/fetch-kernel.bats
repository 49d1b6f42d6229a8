#!/usr/bin/env bats
# fetch-kernel.sh: KERNEL= argument handling (no network needed).

setup() {
	S="$BATS_TEST_DIRNAME/../kernels/fetch-kernel.sh"
	T="$BATS_TEST_TMPDIR"
	export BUILD_DIR="$T/build"
	# a minimal "bzImage": HdrS at 0x202, kernel_version pointer at 0x20e
	# (0x300 -> the string is at 0x500)
	head -c 514 /dev/zero >"$T/bzImage"
	printf 'HdrS' >>"$T/bzImage"
	head -c 8 /dev/zero >>"$T/bzImage"
	printf '\000\003' >>"$T/bzImage"
	head -c $((0x500 - 528)) /dev/zero >>"$T/bzImage"
	printf '7.3.9-test (builder@host) #1 SMP\000' >>"$T/bzImage"
}

@test "KERNEL=/nonexistent: one line, exit 1" {
	KERNEL=/nonexistent run "$S" "$T/out.env"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	[ "$output" = "zcrx-vmtest: error: KERNEL=/nonexistent: no such file" ]
}

@test "KERNEL=a directory is refused" {
	KERNEL="$T" run "$S" "$T/out.env"
	[ "$status" -eq 1 ]
	[[ $output == *"not a readable file"* ]]
}

@test "KERNEL=a file that is not a bzImage is refused" {
	echo hello >"$T/notakernel"
	KERNEL="$T/notakernel" run "$S" "$T/out.env"
	[ "$status" -eq 1 ]
	[[ $output == *"not an x86 bzImage"* ]]
}

@test "KERNEL=garbage is refused before any download" {
	KERNEL='7.3;true' run "$S" "$T/out.env"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ $output == *"expected a Debian kernel version"* ]]
	[ ! -e "$BUILD_DIR/apt" ]
}

@test "KERNEL=bzImage path: release read from the image, no modules" {
	KERNEL="$T/bzImage" run "$S" "$T/out.env"
	[ "$status" -eq 0 ]
	. "$T/out.env"
	[ "$KREL" = 7.3.9-test ]
	[ "$VMLINUZ" = "$T/bzImage" ]
	[ -z "$MODROOT" ]
}

@test "MODULES=missing dir with a bzImage is refused" {
	KERNEL="$T/bzImage" MODULES="$T/nomods" run "$S" "$T/out.env"
	[ "$status" -eq 1 ]
	[[ $output == *"MODULES=$T/nomods: no such directory"* ]]
}
