# shellcheck shell=bash
# The image a backend boots for a kernel: its uncompressed ELF through the
# PVH entry when it has one, else the bzImage as given. A bzImage starts
# with its decompressor, which under TCG takes about 0.8 s of every boot of
# the Debian kernel (zstd, 62 MB) before the kernel runs; QEMU loads an ELF
# that carries the Xen PVH entry note straight into memory (its pvh option
# ROM) and jumps to that entry. What the kernel then does is the same: the
# same code, command line and initramfs. What differs: no KASLR (the
# decompressor is what randomises the base), no real-mode setup (EDD).
# docs/measurements.md has the numbers.
#
# VM_PVH=auto (default): the ELF when there is one; 0: always the bzImage.
# Source after lib.sh. Needs readelf (binutils, which gcc brings) and the
# decompressor of the bzImage's payload (zstd, xz, gzip, lz4, bzip2;
# vm-prepare.sh installs zstd, the Debian kernels'); when one is missing
# the bzImage is booted, and a line says why.

# pvh_note ELF: ELF has the PVH entry (XEN_ELFNOTE_PHYS32_ENTRY, type 18)
# (grep -c reads all of readelf's output: grep -q could stop it with SIGPIPE,
# which pipefail would take for "no note")
pvh_note() {
	[ "$(LC_ALL=C readelf -nW "$1" 2>/dev/null |
		grep -Ec '^[[:space:]]+Xen[[:space:]]+0x[0-9a-f]+[[:space:]]+(Unknown note type: \(0x00000012\)|[^[:space:]]*PHYS32)')" -gt 0 ]
}

# pvh_is_elf FILE: FILE starts with the ELF magic
pvh_is_elf() {
	[ "$(od -An -c -N4 "$1" | tr -d ' ')" = 177ELF ]
}

# pvh_le32 FILE OFFSET: the little-endian 32-bit word at OFFSET
pvh_le32() {
	od -An -tu4 -j "$2" -N4 --endian=little "$1" | tr -d ' '
}

# pvh_extract BZIMAGE OUT: the bzImage's payload (boot protocol >= 2.08:
# payload_offset and payload_length in the setup header,
# Documentation/arch/x86/boot.rst) decompressed into OUT. Every format
# but gzip has the uncompressed size appended as 4 bytes; gzip's ISIZE
# trailer is the same number, so both are checked against OUT's size.
pvh_extract() {
	local bz=$1 out=$2 sects ver off len size magic dec
	[ "$(od -An -c -j $((0x202)) -N4 "$bz" | tr -d ' ')" = HdrS ] || return 1
	ver=$(od -An -tu2 -j $((0x206)) -N2 --endian=little "$bz" | tr -d ' ')
	[ "$ver" -ge $((0x208)) ] || return 1
	sects=$(od -An -tu1 -j $((0x1f1)) -N1 "$bz" | tr -d ' ')
	[ "$sects" -ne 0 ] || sects=4
	off=$(( (sects + 1) * 512 + $(pvh_le32 "$bz" $((0x248))) ))
	len=$(pvh_le32 "$bz" $((0x24c)))
	[ "$len" -gt 8 ] && [ $((off + len)) -le "$(stat -c %s "$bz")" ] || return 1
	size=$(pvh_le32 "$bz" $((off + len - 4)))
	magic=$(od -An -tx1 -j "$off" -N6 "$bz" | tr -d ' ')
	case $magic in
	28b52ffd*) dec="zstd -qdc" ;;
	fd377a585a00) dec="xz -dc" ;;
	1f8b*) dec="gzip -dc" len=$((len + 4)) ;;
	02214c18*) dec="lz4 -dc" ;;
	425a68*) dec="bzip2 -dc" ;;
	5d0000*) dec="xz -dc --format=lzma" ;;
	*) pvh_why="its payload's format (magic $magic) is not one this script decompresses"; return 1 ;;
	esac
	command -v "${dec%% *}" >/dev/null 2>&1 || { pvh_why="no ${dec%% *} to decompress it"; return 1; }
	# shellcheck disable=SC2086 # the decompressor and its options
	# (a failure from here on may be the disk or a signal, not the kernel:
	# said each time, never kept as the answer)
	pvh_why="${dec%% *} could not decompress its payload"
	dd if="$bz" bs=1M iflag=skip_bytes,count_bytes skip="$off" count=$((len - 4)) status=none |
		$dec >"$out" 2>/dev/null || return 1
	pvh_why="its payload decompressed to $(stat -c %s "$out") bytes, not the $size its trailer says"
	[ "$(stat -c %s "$out")" = "$size" ] || return 1
	pvh_why=
	pvh_is_elf "$out"
}

# pvh_boot_image KERNEL: prints what to boot for KERNEL. An ELF with the
# note is booted as it is; a bzImage of a kbuild tree
# (.../arch/x86/boot/bzImage) boots the tree's vmlinux when the bzImage was
# made after it (kbuild makes the one from the other); any other bzImage is
# extracted once into $BUILD_DIR/pvh/, keyed by its path, size and time
# (the 6 used last are kept). Whatever has no PVH note, or fails to
# extract, boots as the bzImage: a kernel without the note is remembered
# as such; a failed decompression is said, and tried again next time.
pvh_boot_image() {
	local k=$1 tree key dir out tmp
	pvh_why=
	if [ "${VM_PVH:-auto}" = 0 ]; then
		printf '%s\n' "$k"
		return
	fi
	if pvh_is_elf "$k"; then
		printf '%s\n' "$k"
		return
	fi
	case $k in
	*/arch/x86/boot/bzImage)
		tree=${k%/arch/x86/boot/bzImage}
		if [ -f "$tree/vmlinux" ] && [ "$k" -nt "$tree/vmlinux" ] && pvh_note "$tree/vmlinux"; then
			printf '%s\n' "$tree/vmlinux"
			return
		fi
		;;
	esac
	key=$(printf '%s %s' "$(readlink -f "$k")" "$(stat -c '%s %Y' "$k")" | sha256sum | cut -c1-16)
	dir="$BUILD_DIR/pvh"
	out="$dir/$key.elf"
	if [ -f "$out" ]; then
		touch "$out"
		printf '%s\n' "$out"
		return
	fi
	if [ -f "$dir/$key.none" ]; then
		printf '%s\n' "$k"
		return
	fi
	command -v readelf >/dev/null 2>&1 || {
		log "booting $(basename "$k") through its decompressor: no readelf (binutils) to find its PVH entry"
		printf '%s\n' "$k"
		return
	}
	mkdir -p "$dir"
	tmp=$(mktemp "$dir/.$key.XXXXXX")
	at_exit_rm "$tmp"
	if pvh_extract "$k" "$tmp" && pvh_note "$tmp"; then
		mv "$tmp" "$out"
		# the 6 used last are kept (62 MB each for the Debian kernels);
		# one used within the hour stays too: a concurrent run (make
		# matrix) may be about to boot it
		# shellcheck disable=SC2012 # names are hex digits
		ls -t "$dir"/[0-9a-f]*.elf | tail -n +7 | xargs -r -I{} find {} -mmin +60 -delete
		printf '%s\n' "$out"
		return
	fi
	rm -f "$tmp"
	if [ -n "$pvh_why" ]; then
		# a missing tool may be installed later: no marker
		log "booting $(basename "$k") through its decompressor: $pvh_why (VM_PVH=0 says so quietly)"
	else
		# no PVH note, or not a bzImage this reads: not asked again
		: >"$dir/$key.none"
	fi
	printf '%s\n' "$k"
}
