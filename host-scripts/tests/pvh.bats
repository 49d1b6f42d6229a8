#!/usr/bin/env bats
# kernels/pvh.sh: which image a backend boots (the PVH ELF or the bzImage),
# on small made-up kernels: an ELF with or without the Xen PVH entry note,
# wrapped in a bzImage the way arch/x86/boot does it.

setup() {
	T="$BATS_TEST_TMPDIR"
	export BUILD_DIR="$T/build"
	# the note XEN_ELFNOTE_PHYS32_ENTRY (18), or type 17 for "no PVH entry"
	elf "$T/pvh.elf" 0x12
	elf "$T/nopvh.elf" 0x11
}

# elf OUT TYPE: a static ELF with one Xen note of TYPE
elf() {
	cat >"$T/n.s" <<EOF
	.section .note.Xen,"a",@note
	.balign 4
	.long 4, 8, $2
	.asciz "Xen"
	.balign 4
	.quad 0x1000000
	.text
	.globl _start
_start:	hlt
EOF
	as -o "$T/n.o" "$T/n.s"
	ld -o "$1" "$T/n.o"
}

# le32 N: N as 4 little-endian bytes
le32() {
	printf '%b' "$(printf '\\x%02x\\x%02x\\x%02x\\x%02x' $(($1 & 255)) $(($1 >> 8 & 255)) $(($1 >> 16 & 255)) $(($1 >> 24 & 255)))"
}

# bzimage OUT PAYLOAD: setup_sects 1, "HdrS" version 2.15, the payload at
# 64 bytes into the protected-mode part, 16 bytes of trailer after it
bzimage() {
	local len
	len=$(stat -c %s "$2")
	head -c 1024 /dev/zero >"$1"
	printf '\001' | dd of="$1" bs=1 seek=$((0x1f1)) conv=notrunc status=none
	printf 'HdrS\017\002' | dd of="$1" bs=1 seek=$((0x202)) conv=notrunc status=none
	{ le32 64; le32 "$len"; } | dd of="$1" bs=1 seek=$((0x248)) conv=notrunc status=none
	{
		head -c 64 /dev/zero
		cat "$2"
		head -c 16 /dev/zero
	} >>"$1"
}

# with_size ELF DECOMPRESSOR...: the compressed ELF with its size appended
with_size() {
	local e=$1
	shift
	"$@" <"$e"
	le32 "$(stat -c %s "$e")"
}

boot_image() { # boot_image KERNEL: runs pvh_boot_image in a fresh shell
	run bash -c 'set -euo pipefail; . "$1/../lib.sh"; . "$1/../kernels/pvh.sh"; pvh_boot_image "$2"' \
		x "$BATS_TEST_DIRNAME" "$1"
}

@test "a zstd bzImage with the PVH note boots its ELF, extracted once and byte for byte" {
	with_size "$T/pvh.elf" zstd -qc >"$T/p"
	bzimage "$T/bzImage" "$T/p"
	boot_image "$T/bzImage"
	[ "$status" -eq 0 ]
	[[ $output == "$BUILD_DIR/pvh/"*.elf ]]
	cmp "$output" "$T/pvh.elf"
	first=$output
	# the second run takes the cache: no decompressor needed
	mkdir "$T/bin" && ln -s /bin/false "$T/bin/zstd"
	PATH="$T/bin:$PATH" boot_image "$T/bzImage"
	[ "$output" = "$first" ]
}

@test "gzip (its ISIZE trailer) and xz payloads extract too" {
	gzip -c <"$T/pvh.elf" >"$T/g"
	bzimage "$T/bzg" "$T/g"
	boot_image "$T/bzg"
	[ "$status" -eq 0 ]
	cmp "$output" "$T/pvh.elf"
	with_size "$T/pvh.elf" xz -c --check=crc32 >"$T/x"
	bzimage "$T/bzx" "$T/x"
	boot_image "$T/bzx"
	[ "$status" -eq 0 ]
	cmp "$output" "$T/pvh.elf"
}

@test "no PVH note: the bzImage, and the answer is kept (not extracted again)" {
	with_size "$T/nopvh.elf" zstd -qc >"$T/p"
	bzimage "$T/bzImage" "$T/p"
	boot_image "$T/bzImage"
	[ "$status" -eq 0 ]
	[ "$output" = "$T/bzImage" ]
	ls "$BUILD_DIR"/pvh/*.none
	[ -z "$(ls "$BUILD_DIR"/pvh/*.elf 2>/dev/null)" ]
}

@test "a size trailer that does not match the payload: the bzImage, said, and tried again next time" {
	{ zstd -qc <"$T/pvh.elf"; le32 12345; } >"$T/p"
	bzimage "$T/bzImage" "$T/p"
	boot_image "$T/bzImage"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "zcrx-vmtest: booting bzImage through its decompressor: its payload decompressed to $(stat -c %s "$T/pvh.elf") bytes, not the 12345 its trailer says (VM_PVH=0 says so quietly)" ]
	[ "${lines[1]}" = "$T/bzImage" ]
	[ -z "$(ls "$BUILD_DIR"/pvh/*.none 2>/dev/null)" ]
	[ -z "$(ls -A "$BUILD_DIR"/pvh/)" ]
}

@test "the cache keeps the 6 ELFs used last" {
	with_size "$T/pvh.elf" zstd -qc >"$T/p"
	for i in 1 2 3 4 5 6 7; do
		bzimage "$T/bz$i" "$T/p"
		boot_image "$T/bz$i"
		[[ $output == "$BUILD_DIR/pvh/"*.elf ]]
		[ "$i" != 1 ] || first=$output
		touch -d "2026-01-0$i 00:00:00" "$output"
	done
	[ "$(ls "$BUILD_DIR"/pvh/*.elf | wc -l)" -eq 6 ]
	[ ! -e "$first" ]
}

@test "a truncated payload (length past the end of the file): the bzImage" {
	with_size "$T/pvh.elf" zstd -qc >"$T/p"
	bzimage "$T/bzImage" "$T/p"
	truncate -s 1100 "$T/bzImage"
	boot_image "$T/bzImage"
	[ "$status" -eq 0 ]
	[ "$output" = "$T/bzImage" ]
}

@test "no decompressor: the bzImage, one line saying why, and asked again next time" {
	with_size "$T/pvh.elf" zstd -qc >"$T/p"
	bzimage "$T/bzImage" "$T/p"
	mkdir "$T/bin"
	for c in bash dirname realpath od tr stat sha256sum cut readlink dd mktemp mkdir rm mv readelf grep basename cat; do
		ln -s "$(command -v "$c")" "$T/bin/$c"
	done
	PATH="$T/bin" boot_image "$T/bzImage"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "zcrx-vmtest: booting bzImage through its decompressor: no zstd to decompress it (VM_PVH=0 says so quietly)" ]
	[ "${lines[1]}" = "$T/bzImage" ]
	[ -z "$(ls "$BUILD_DIR"/pvh/*.none 2>/dev/null)" ]
}

@test "VM_PVH=0: the bzImage as given" {
	with_size "$T/pvh.elf" zstd -qc >"$T/p"
	bzimage "$T/bzImage" "$T/p"
	VM_PVH=0 boot_image "$T/bzImage"
	[ "$status" -eq 0 ]
	[ "$output" = "$T/bzImage" ]
	[ ! -e "$BUILD_DIR/pvh" ]
}

@test "a kbuild tree: its vmlinux when the bzImage is newer, else the extracted ELF" {
	mkdir -p "$T/tree/arch/x86/boot"
	cp "$T/pvh.elf" "$T/tree/vmlinux"
	with_size "$T/pvh.elf" zstd -qc >"$T/p"
	bzimage "$T/tree/arch/x86/boot/bzImage" "$T/p"
	touch -d '2026-01-01 00:00:00' "$T/tree/vmlinux"
	boot_image "$T/tree/arch/x86/boot/bzImage"
	[ "$output" = "$T/tree/vmlinux" ]
	# a vmlinux made after the bzImage (an interrupted build): not trusted
	touch -d '2026-01-02 00:00:00' "$T/tree/vmlinux"
	touch -d '2026-01-01 12:00:00' "$T/tree/arch/x86/boot/bzImage"
	boot_image "$T/tree/arch/x86/boot/bzImage"
	[[ $output == "$BUILD_DIR/pvh/"*.elf ]]
}

@test "an ELF with the note is booted as it is" {
	boot_image "$T/pvh.elf"
	[ "$status" -eq 0 ]
	[ "$output" = "$T/pvh.elf" ]
}
