# shellcheck shell=bash
# The pure pieces of make kcov-report (host-scripts/dev/kcov-report.sh) and of
# the KCONFIG=gcov build (build-kernel.sh). Source after lib.sh.

# Directories of the kernel tree whose objects are profiled.
# shellcheck disable=SC2034 # read by the scripts that source this file
KCOV_DIRS=(io_uring drivers/net/netdevsim)

# kcov_obj_vars SRCDIR DIR...: one make command-line variable per .c file
# of each DIR (relative to SRCDIR), GCOV_PROFILE_<stem>.o, which kbuild's
# scripts/Makefile.lib reads per object. Kbuild names the variable by the
# object's stem only (net.o, dev.o ...), so the value is "y" only while the
# sub-make builds one of the DIRs ($(obj)): io_uring/net.o is profiled,
# net/core/dev.o is not. Sorted, one per line.
kcov_obj_vars() {
	local src=$1 d f stem
	local -a vars=()
	shift
	[ "$#" -gt 0 ] || die "kcov_obj_vars: no directory given"
	for d; do
		[ -d "$src/$d" ] || die "kcov: no directory $d in $src"
		for f in "$src/$d"/*.c; do
			[ -f "$f" ] || continue
			stem=${f##*/}
			stem=${stem%.c}
			[[ $stem =~ ^[A-Za-z0-9_-]+$ ]] || die "kcov: unexpected source file name $d/${f##*/}"
			vars+=("GCOV_PROFILE_$stem.o=\$(if \$(filter $*,\$(obj)),y)")
		done
	done
	[ "${#vars[@]}" -gt 0 ] || die "kcov: no .c files in $* under $src"
	printf '%s\n' "${vars[@]}" | sort -u
}

# kcov_unpack STREAM OBJDIR: write every .gcda file of a gcov stream (the
# framing of images/gcov-dump.c) at its path, which must lie under OBJDIR
# (the guest names the build paths the kernel was compiled with). Prints
# the number of files. A missing, foreign, malformed or truncated stream is
# one line through die(); files written before the fault stay.
kcov_unpack() {
	local stream=$1 objdir=$2 fd line path size got n=0 want
	[ -s "$stream" ] || die "no gcov stream at $stream (the guest sent no counters: no zcrx.gcov=1 support in its init, or it died before the dump)"
	[ -d "$objdir" ] || die "kcov: no build directory $objdir"
	objdir=$(cd "$objdir" && pwd)
	exec {fd}<"$stream"
	IFS= read -r line <&"$fd" || line=
	[ "$line" = "zcrx-gcov 1" ] || die "gcov stream $stream: not a zcrx-gcov 1 stream (first line: ${line:0:60})"
	while :; do
		if ! IFS= read -r line <&"$fd"; then
			die "gcov stream $stream truncated after $n file(s): no end line (the guest did not finish the dump)"
		fi
		case $line in
		"zcrx-gcov end "*)
			want=${line#zcrx-gcov end }
			[[ $want =~ ^[0-9]+$ ]] || die "gcov stream $stream: malformed end line: ${line:0:60}"
			[ "$want" -eq "$n" ] || die "gcov stream $stream: its end line says $want file(s), $n were in it"
			break
			;;
		/*.gcda) path=$line ;;
		*) die "gcov stream $stream: malformed after $n file(s): expected a .gcda path, got: ${line:0:60}" ;;
		esac
		[[ $path != *"/../"* && $path != *"/./"* && $path == "$objdir/"* ]] ||
			die "gcov stream $stream: $path is not under the build directory $objdir (built elsewhere?)"
		IFS= read -r size <&"$fd" || die "gcov stream $stream truncated after $n file(s): no size for $path"
		[[ $size =~ ^[0-9]{1,9}$ ]] || die "gcov stream $stream: bad size line for $path: ${size:0:30}"
		mkdir -p "${path%/*}"
		dd bs=65536 count="$size" iflag=count_bytes status=none <&"$fd" >"$path"
		got=$(stat -c %s "$path")
		[ "$got" -eq "$size" ] || die "gcov stream $stream truncated in $path: $got of $size bytes"
		n=$((n + 1))
	done
	exec {fd}<&-
	[ "$n" -gt 0 ] || die "gcov stream $stream holds no .gcda files (kernel without CONFIG_GCOV_KERNEL, or nothing profiled)"
	printf '%s\n' "$n"
}

# kcov_summary INFO SRCDIR: per source file of an lcov tracefile, one TSV
# line: path (relative to SRCDIR), lines hit, lines total, branches hit,
# branches total; sorted by path, after a header line. A tracefile without
# a single record is one line through die().
kcov_summary() {
	local info=$1 src=$2 out
	[ -s "$info" ] || die "kcov: no lcov tracefile at $info"
	out=$(awk -v src="${src%/}/" '
		function flush() {
			if (sf != "") printf "%s\t%d\t%d\t%d\t%d\n", sf, lh, lf, brh, brf
			sf = ""; lh = lf = brh = brf = 0
		}
		/^SF:/ { flush(); sf = substr($0, 4); if (index(sf, src) == 1) sf = substr(sf, length(src) + 1) }
		/^LF:/ { lf = substr($0, 4) + 0 }
		/^LH:/ { lh = substr($0, 4) + 0 }
		/^BRF:/ { brf = substr($0, 5) + 0 }
		/^BRH:/ { brh = substr($0, 5) + 0 }
		/^end_of_record/ { flush() }
		END { flush() }' "$info" | LC_ALL=C sort)
	[ -n "$out" ] || die "kcov: $info has no source file records"
	printf 'file\tlines_hit\tlines_total\tbranches_hit\tbranches_total\n%s\n' "$out"
}

# kcov_json TSV: the summary as JSON: {files: {path: {lines: [hit, total],
# branches: [hit, total]}}, total: {...}}.
kcov_json() {
	jq -R -s '
		[split("\n")[1:][] | select(length > 0) | split("\t")
		 | {key: .[0], value: {lines: [(.[1] | tonumber), (.[2] | tonumber)],
		                       branches: [(.[3] | tonumber), (.[4] | tonumber)]}}]
		| from_entries as $f
		| {files: $f,
		   total: {lines: [([$f[].lines[0]] | add // 0), ([$f[].lines[1]] | add // 0)],
		           branches: [([$f[].branches[0]] | add // 0), ([$f[].branches[1]] | add // 0)]}}' "$1"
}
