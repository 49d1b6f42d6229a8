#!/usr/bin/env bats
# make kcov-report's pure pieces (host-scripts/dev/kcov-lib.sh): the per-object
# profiling variables, the gcov stream of the guest, the lcov summary; and
# kcov-report.sh's refusals. No kernel is built, no VM booted.

setup() {
	T="$BATS_TEST_TMPDIR"
	L="$BATS_TEST_DIRNAME/../lib.sh"
	K="$BATS_TEST_DIRNAME/../dev/kcov-lib.sh"
	export BUILD_DIR="$T/build" RESULTS_DIR="$T/results"
}

# lib FUNCTION ARGS...: run a kcov-lib.sh function in its own bash
lib() {
	run bash -c '. "$1"; . "$2"; shift 2; "$@"' lib "$L" "$K" "$@"
}

fake_tree() {
	mkdir -p "$T/src/io_uring" "$T/src/drivers/net/netdevsim" "$T/src/net/core"
	touch "$T/src/io_uring/"{zcrx.c,query.c,net.c,zcrx.h} \
		"$T/src/drivers/net/netdevsim/"{dev.c,net.c,netdev.c} "$T/src/net/core/dev.c"
}

@test "object variables: one per .c file of the two directories, sorted, no headers" {
	fake_tree
	lib kcov_obj_vars "$T/src" io_uring drivers/net/netdevsim
	[ "$status" -eq 0 ]
	v='=$(if $(filter io_uring drivers/net/netdevsim,$(obj)),y)'
	[ "$output" = "GCOV_PROFILE_dev.o$v
GCOV_PROFILE_net.o$v
GCOV_PROFILE_netdev.o$v
GCOV_PROFILE_query.o$v
GCOV_PROFILE_zcrx.o$v" ]
}

@test "object variables: y only in the profiled directories (kbuild names objects by stem)" {
	fake_tree
	lib kcov_obj_vars "$T/src" io_uring drivers/net/netdevsim
	mapfile -t vars <<<"$output"
	# a sub-make per directory, as kbuild's Makefile.build is run
	printf 'all:\n\t@$(MAKE) -s -f sub.mk obj=io_uring\n\t@$(MAKE) -s -f sub.mk obj=drivers/net/netdevsim\n\t@$(MAKE) -s -f sub.mk obj=net/core\n' >"$T/top.mk"
	printf 'all:\n\t@echo "$(obj) net=[$(GCOV_PROFILE_net.o)] dev=[$(GCOV_PROFILE_dev.o)] zcrx=[$(GCOV_PROFILE_zcrx.o)]"\n' >"$T/sub.mk"
	run make -s --no-print-directory -C "$T" -f top.mk "${vars[@]}"
	[ "$status" -eq 0 ]
	[ "$output" = "io_uring net=[y] dev=[y] zcrx=[y]
drivers/net/netdevsim net=[y] dev=[y] zcrx=[y]
net/core net=[] dev=[] zcrx=[]" ]
}

@test "object variables: a missing directory or no sources is one line" {
	fake_tree
	lib kcov_obj_vars "$T/src" io_uring nosuch
	[ "$status" -eq 1 ] && [ "$output" = "zcrx-vmtest: error: kcov: no directory nosuch in $T/src" ] || false
	mkdir -p "$T/empty/a"
	lib kcov_obj_vars "$T/empty" a
	[ "$status" -eq 1 ] && [ "$output" = "zcrx-vmtest: error: kcov: no .c files in a under $T/empty" ] || false
}

# stream FILE: the framing of images/gcov-dump.c, two files with binary
# data (NUL, newlines, 0xff), paths under $T/obj
stream() {
	O="$T/obj"
	mkdir -p "$O"
	{
		printf 'zcrx-gcov 1\n'
		printf '%s\n5\n' "$O/io_uring/zcrx.gcda"
		printf 'ab\ncd'
		printf '%s\n4\n' "$O/drivers/net/netdevsim/dev.gcda"
		printf '\0\n\377\n'
		printf 'zcrx-gcov end 2\n'
	} >"$1"
}

@test "stream: every file written at its build path, byte for byte" {
	stream "$T/s"
	lib kcov_unpack "$T/s" "$T/obj"
	[ "$status" -eq 0 ] && [ "$output" = 2 ] || false
	[ "$(od -An -c "$T/obj/io_uring/zcrx.gcda" | tr -s ' ')" = " a b \n c d" ]
	[ "$(od -An -tx1 "$T/obj/drivers/net/netdevsim/dev.gcda" | tr -d ' ')" = 000aff0a ]
}

@test "stream: truncated in a file's data, or before its end line, says so" {
	stream "$T/s"
	head -c "$(($(stat -c %s "$T/s") - 18))" "$T/s" >"$T/cut1"
	lib kcov_unpack "$T/cut1" "$T/obj"
	[ "$status" -eq 1 ]
	[ "$output" = "zcrx-vmtest: error: gcov stream $T/cut1 truncated in $T/obj/drivers/net/netdevsim/dev.gcda: 2 of 4 bytes" ]
	head -c "$(($(stat -c %s "$T/s") - 16))" "$T/s" >"$T/cut2"
	lib kcov_unpack "$T/cut2" "$T/obj"
	[ "$status" -eq 1 ]
	[ "$output" = "zcrx-vmtest: error: gcov stream $T/cut2 truncated after 2 file(s): no end line (the guest did not finish the dump)" ]
	head -c 30 "$T/s" >"$T/cut3"
	lib kcov_unpack "$T/cut3" "$T/obj"
	[ "$status" -eq 1 ] && [[ $output == *"truncated after 0 file(s)"* ]] || false
}

@test "stream: missing, foreign, empty, miscounted, or escaping the build dir" {
	mkdir -p "$T/obj"
	lib kcov_unpack "$T/nosuch" "$T/obj"
	[ "$status" -eq 1 ] && [[ $output == "zcrx-vmtest: error: no gcov stream at $T/nosuch "* ]] || false
	echo 'KTAP version 1' >"$T/f"
	lib kcov_unpack "$T/f" "$T/obj"
	[ "$status" -eq 1 ] && [ "$output" = "zcrx-vmtest: error: gcov stream $T/f: not a zcrx-gcov 1 stream (first line: KTAP version 1)" ] || false
	printf 'zcrx-gcov 1\nzcrx-gcov end 0\n' >"$T/e"
	lib kcov_unpack "$T/e" "$T/obj"
	[ "$status" -eq 1 ] && [[ $output == *"holds no .gcda files"* ]] || false
	printf 'zcrx-gcov 1\n%s\n1\nxzcrx-gcov end 3\n' "$T/obj/a.gcda" >"$T/m"
	lib kcov_unpack "$T/m" "$T/obj"
	[ "$status" -eq 1 ] && [[ $output == *"its end line says 3 file(s), 1 were in it" ]] || false
	printf 'zcrx-gcov 1\n/etc/x.gcda\n1\nx' >"$T/out"
	lib kcov_unpack "$T/out" "$T/obj"
	[ "$status" -eq 1 ] && [[ $output == *"/etc/x.gcda is not under the build directory $T/obj"* ]] || false
	printf 'zcrx-gcov 1\n%s\n1\nx' "$T/obj/../x.gcda" >"$T/dots"
	lib kcov_unpack "$T/dots" "$T/obj"
	[ "$status" -eq 1 ] && [[ $output == *"is not under the build directory"* ]] || false
	[ ! -e "$T/x.gcda" ] && [ ! -e /etc/x.gcda ] || false
	printf 'zcrx-gcov 1\n%s\nbig\n' "$T/obj/a.gcda" >"$T/sz"
	lib kcov_unpack "$T/sz" "$T/obj"
	[ "$status" -eq 1 ] && [[ $output == *"bad size line for $T/obj/a.gcda: big" ]] || false
}

@test "summary: one TSV line per source file, relative paths, sorted; JSON totals" {
	cat >"$T/k.info" <<E
TN:
SF:$T/src/io_uring/zcrx.c
FN:10,f
DA:10,1
LF:700
LH:500
BRF:400
BRH:210
end_of_record
TN:
SF:$T/src/drivers/net/netdevsim/dev.c
LF:100
LH:25
end_of_record
E
	lib kcov_summary "$T/k.info" "$T/src"
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" >"$T/s.tsv"
	[ "$output" = "$(printf 'file\tlines_hit\tlines_total\tbranches_hit\tbranches_total\ndrivers/net/netdevsim/dev.c\t25\t100\t0\t0\nio_uring/zcrx.c\t500\t700\t210\t400')" ]
	lib kcov_json "$T/s.tsv"
	[ "$status" -eq 0 ]
	[ "$(jq -c '.files["io_uring/zcrx.c"]' <<<"$output")" = '{"lines":[500,700],"branches":[210,400]}' ]
	[ "$(jq -c .total <<<"$output")" = '{"lines":[525,800],"branches":[210,400]}' ]
}

@test "summary: an empty or record-less tracefile is one line" {
	lib kcov_summary "$T/nosuch.info" "$T/src"
	[ "$status" -eq 1 ] && [ "$output" = "zcrx-vmtest: error: kcov: no lcov tracefile at $T/nosuch.info" ] || false
	echo 'TN:' >"$T/e.info"
	lib kcov_summary "$T/e.info" "$T/src"
	[ "$status" -eq 1 ] && [ "$output" = "zcrx-vmtest: error: kcov: $T/e.info has no source file records" ] || false
}

@test "kcov-report.sh: knobs that would change its kernel are refused in one line" {
	S="$BATS_TEST_DIRNAME/../dev/kcov-report.sh"
	KERNEL=7.3 run "$S"
	[ "$status" -eq 1 ] && [[ $output == "zcrx-vmtest: error: KERNEL=7.3: make kcov-report builds its own kernel"* ]] || false
	KSRC=/tmp run "$S"
	[ "$status" -eq 1 ] && [ "$output" = "zcrx-vmtest: error: KSRC=/tmp: make kcov-report builds KSRC=debian only" ] || false
	KCONFIG=lean run "$S"
	[ "$status" -eq 1 ] && [ "$output" = "zcrx-vmtest: error: KCONFIG=lean: make kcov-report builds KCONFIG=gcov only" ] || false
	VM=libvirt run "$S"
	[ "$status" -eq 1 ] && [[ $output == *"VM=libvirt: make kcov-report needs VM=qemu"* ]] || false
}

# kcov-report.sh end to end with a stub vm-test.sh (it makes the run
# directory with kernel.env, results.json and the stream of $STREAM), stub
# lcov and genhtml, and a fake build directory: the glue, not the kernel.
report_setup() {
	S="$BATS_TEST_DIRNAME/../dev/kcov-report.sh"
	mkdir -p "$T/top/host-scripts/dev" "$T/bin" "$T/src/io_uring" "$T/src/drivers/net/netdevsim" \
		"$T/obj/io_uring" "$T/obj/arch/x86/boot"
	ln -s "$K" "$T/top/host-scripts/dev/kcov-lib.sh"
	ln -s "$T/src" "$T/obj/source"
	touch "$T/obj/io_uring/zcrx.gcno" "$T/obj/arch/x86/boot/bzImage" "$T/src/io_uring/zcrx.c"
	cat >"$T/top/host-scripts/vm-test.sh" <<'E'
#!/bin/bash
d="$RESULTS_DIR/$RUN_NAME"
mkdir -p "$d"
echo "KSRC=$KSRC KCONFIG=$KCONFIG VM_GCOV=$VM_GCOV" >"$T/vm-test.env"
printf 'VMLINUZ=%q\n' "$T/obj/arch/x86/boot/bzImage" >"$d/kernel.env"
echo '{"verdict":"pass"}' >"$d/results.json"
[ -z "${STREAM:-}" ] || cp "$STREAM" "$d/gcov.stream"
[ -z "${TOUCH:-}" ] || { sleep 0.05; touch "$TOUCH"; }
[ -z "${BUILT:-}" ] || touch "$T/obj/arch/x86/boot/bzImage"
[ -z "${TOUCH_AFTER:-}" ] || { sleep 0.05; touch "$TOUCH_AFTER"; } # after a coarse clock tick
exit "${VM_RC:-0}"
E
	# lcov: --capture writes a tracefile naming zcrx.c, --extract copies it
	cat >"$T/bin/lcov" <<'E'
#!/bin/bash
out= in=
while [ "$#" -gt 0 ]; do
	case $1 in --output-file) out=$2; shift ;; --extract) in=$2; shift ;; esac
	shift
done
if [ -n "$in" ]; then cp "$in" "$out"; else
	printf 'SF:%s/io_uring/zcrx.c\nLF:848\nLH:781\nBRF:611\nBRH:459\nend_of_record\n' "$T/src" >"$out"
fi
E
	printf '#!/bin/sh\nwhile [ "$#" -gt 0 ]; do [ "$1" = --output-directory ] && mkdir -p "$2"; shift; done\n' >"$T/bin/genhtml"
	chmod +x "$T/top/host-scripts/vm-test.sh" "$T/bin/lcov" "$T/bin/genhtml"
	export ZCRX_TOP="$T/top" PATH="$T/bin:$PATH" T RUN_NAME=kc
	unset KERNEL KSRC KCONFIG VM VM_GCOV
	{
		printf 'zcrx-gcov 1\n%s\n3\nabc' "$T/obj/io_uring/zcrx.gcda"
		printf 'zcrx-gcov end 1\n'
	} >"$T/good.stream"
}

@test "kcov-report.sh: a good stream gives the files, the summary, and the kcov key" {
	report_setup
	STREAM="$T/good.stream" run "$S"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(cat "$T/vm-test.env")" = "KSRC=debian KCONFIG=gcov VM_GCOV=1" ]
	[ "$(cat "$T/obj/io_uring/zcrx.gcda")" = abc ]
	[ "$(sed -n 2p "$T/results/kc/kcov/summary.tsv")" = "$(printf 'io_uring/zcrx.c\t781\t848\t459\t611')" ]
	[ "$(jq -c '.kcov.files["io_uring/zcrx.c"]' "$T/results/kc/results.json")" = '{"lines":[781,848],"branches":[459,611]}' ]
	[ "$(jq -r .verdict "$T/results/kc/results.json")" = pass ]
	[ -d "$T/results/kc/kcov/html" ]
	[[ $output == *"io_uring/zcrx.c"*"lines   781/848"*"92.1%"*"branches   459/611"*"75.1%"* ]]
}

@test "kcov-report.sh: a tree changed after the build (a mutant run meanwhile) is a warning, not a refusal" {
	report_setup
	STREAM="$T/good.stream" BUILT=1 TOUCH_AFTER="$T/src/io_uring/zcrx.c" run "$S"
	[ "$status" -eq 0 ]
	[[ $output == *"zcrx-vmtest: warning: kcov: the source tree changed after the kernel was built ($T/src/io_uring/zcrx.c)"* ]]
	[ -s "$T/results/kc/kcov/summary.tsv" ]
}

@test "kcov-report.sh: a missing or truncated stream, a tree changed during the build, a failed suite: one line each" {
	report_setup
	run "$S"
	[ "$status" -eq 1 ] && [[ ${lines[-1]} == "zcrx-vmtest: error: no gcov stream at $T/results/kc/gcov.stream "* ]] || false
	head -c 40 "$T/good.stream" >"$T/cut.stream"
	RUN_NAME=kc2 STREAM="$T/cut.stream" run "$S"
	[ "$status" -eq 1 ] && [[ ${lines[-1]} == "zcrx-vmtest: error: gcov stream $T/results/kc2/gcov.stream truncated"* ]] || false
	RUN_NAME=kc3 STREAM="$T/good.stream" TOUCH="$T/src/io_uring/zcrx.c" BUILT=1 run "$S"
	[ "$status" -eq 1 ] && [[ ${lines[-1]} == "zcrx-vmtest: error: kcov: the source tree changed while the kernel was built ($T/src/io_uring/zcrx.c)"* ]] || false
	RUN_NAME=kc4 STREAM="$T/good.stream" VM_RC=1 run "$S"
	[ "$status" -eq 1 ] && [[ ${lines[-1]} == "zcrx-vmtest: error: kcov: the suite did not pass (vm-test.sh exit 1"* ]] || false
	[ -s "$T/results/kc4/kcov/summary.tsv" ]
	RUN_NAME=kc4 run "$S"
	[ "$status" -eq 1 ] && [ "${lines[-1]}" = "zcrx-vmtest: error: RUN_NAME=kc4: $T/results/kc4 already exists" ] || false
}
