#!/usr/bin/env bash
# make kcov-report: which kernel lines and branches of io_uring/ and
# drivers/net/netdevsim/ the suite runs. Builds KSRC=debian KCONFIG=gcov
# (lean.config + gcov.config, only those two directories profiled), runs
# the whole suite through vm-test.sh with VM_GCOV=1 (the guest streams the
# gcov counters to a third serial port, gcov.stream), unpacks them next to
# the build's .gcno files, and writes into results/<run>/kcov/:
#   kcov.info     lcov tracefile (lines and branches), the two directories
#   html/         genhtml report
#   summary.tsv   one line per source file: lines and branches hit/total
# and a "kcov" key into the run's results.json. A report, not a test: it
# is not part of make check. Exit status: 0 with a report of a passing
# suite; 1 when something is missing (one line saying what), or when the
# suite itself did not pass (the report is still written).
# Knobs: TESTS= (a subset), RUN_NAME= (default kcov-<date>-<pid>), and
# those of make vm-test that do not change the kernel.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
. "$ZCRX_TOP/host-scripts/dev/kcov-lib.sh"

[ -z "${KERNEL:-}" ] || die "KERNEL=$KERNEL: make kcov-report builds its own kernel (KSRC=debian KCONFIG=gcov)"
[ "${KSRC:-debian}" = debian ] || die "KSRC=$KSRC: make kcov-report builds KSRC=debian only"
[ "${KCONFIG:-gcov}" = gcov ] || die "KCONFIG=$KCONFIG: make kcov-report builds KCONFIG=gcov only"
[ "${VM:-qemu}" = qemu ] || die "VM=$VM: make kcov-report needs VM=qemu (the gcov serial port)"
[ "${VM_GCOV:-1}" = 1 ] || die "VM_GCOV=$VM_GCOV: make kcov-report sets VM_GCOV=1 itself"
need_cmd lcov lcov
need_cmd genhtml lcov
need_cmd gcov gcc
need_cmd jq jq

unset ZCRX_MUTATING # only 'make mutants' may build a mutated tree
run_name=${RUN_NAME:-kcov-$(date +%Y%m%d-%H%M%S)-$$}
rundir="$RESULTS_DIR/$run_name"
[ ! -e "$rundir" ] || die "RUN_NAME=$run_name: $rundir already exists"
stop_children_on_signal

# The Debian tree is shared with 'make mutants' and other mutation runs: a
# mutant applied during the build would be measured instead of the real
# code. A file of the profiled directories changed after this stamp and
# before the bzImage was written says so. (build-kernel.sh refuses a tree
# a 'make mutants' run holds; a tool that mutates without that marker
# should hold build/.lock-kbuild-debian-7.3-gcov meanwhile.)
own_dir "$BUILD_DIR"
stamp=$(mktemp "$BUILD_DIR/.kcov-stamp.XXXXXX")
at_exit_rm "$stamp"

t0=$(date +%s)
log "kcov: building the coverage kernel and running the suite (run $run_name)"
set +e
KSRC=debian KCONFIG=gcov VM=qemu VM_GCOV=1 RUN_NAME="$run_name" \
	run_stoppable "$ZCRX_TOP/host-scripts/vm-test.sh"
vm_rc=$?
set -e
t_vm=$(date +%s)
[ -d "$rundir" ] || die "kcov: the suite never ran (vm-test.sh exit $vm_rc): nothing to report"
[ -f "$rundir/kernel.env" ] || die "kcov: $rundir/kernel.env is missing: cannot tell which build ran"
# shellcheck disable=SC1091
VMLINUZ=$(. "$rundir/kernel.env" && printf '%s' "$VMLINUZ")
objdir=${VMLINUZ%/arch/x86/boot/bzImage}
if [ "$objdir" = "$VMLINUZ" ] || [ ! -d "$objdir" ]; then
	die "kcov: cannot find the build directory of $VMLINUZ"
fi
srcdir=$(readlink -f "$objdir/source") || die "kcov: $objdir has no source link"
[ -f "$objdir/io_uring/zcrx.gcno" ] || die "kcov: $objdir has no io_uring/zcrx.gcno: not a coverage build"

# Changed while our kernel was being built (after the stamp, not after the
# bzImage): that build may have compiled a mutant. Changed after the
# bzImage was written: the booted kernel is fine, only the HTML may show
# the other text.
srcs=("${KCOV_DIRS[@]/#/$srcdir/}")
changed=$(find "${srcs[@]}" -name '*.[ch]' -newer "$stamp" ! -newer "$VMLINUZ" -print -quit)
[ -z "$changed" ] ||
	die "kcov: the source tree changed while the kernel was built ($changed): the counters may be of a mutant; run again"
changed=$(find "${srcs[@]}" -name '*.[ch]' -newer "$stamp" -print -quit)
if [ -n "$changed" ] || [ -f "$srcdir/.zcrx-mutating" ]; then
	warn "kcov: the source tree changed after the kernel was built (${changed:-a mutant run holds it}); the counters are of the built kernel, the HTML shows the current text"
fi

# One report at a time per build directory: the .gcda files live there.
lock_take "kcov-${objdir##*/}" "its coverage report"
kdir="$rundir/kcov"
mkdir -p "$kdir"
find "$objdir" -name '*.gcda' -delete
nfiles=$(kcov_unpack "$rundir/gcov.stream" "$objdir")
log "kcov: $nfiles .gcda file(s) unpacked into $objdir"

lrc=(--rc lcov_branch_coverage=1)
dirs=()
for d in "${KCOV_DIRS[@]}"; do dirs+=(--directory "$objdir/$d"); done
lcov --capture "${dirs[@]}" "${lrc[@]}" --quiet --output-file "$kdir/all.info" \
	>"$kdir/lcov.log" 2>&1 || die "kcov: lcov --capture failed; see $kdir/lcov.log"
pats=()
for d in "${KCOV_DIRS[@]}"; do pats+=("$srcdir/$d/*"); done
lcov --extract "$kdir/all.info" "${pats[@]}" "${lrc[@]}" --quiet --output-file "$kdir/kcov.info" \
	>>"$kdir/lcov.log" 2>&1 || die "kcov: lcov --extract failed; see $kdir/lcov.log"
rm -f "$kdir/all.info"
lock_drop "kcov-${objdir##*/}"
genhtml "$kdir/kcov.info" --branch-coverage --prefix "$srcdir" --title "zcrx-vmtest $run_name" \
	--output-directory "$kdir/html" --quiet >>"$kdir/lcov.log" 2>&1 ||
	die "kcov: genhtml failed; see $kdir/lcov.log"

kcov_summary "$kdir/kcov.info" "$srcdir" >"$kdir/summary.tsv"
if [ -f "$rundir/results.json" ]; then
	jq --argjson k "$(kcov_json "$kdir/summary.tsv")" '. + {kcov: $k}' "$rundir/results.json" >"$rundir/results.json.tmp"
	mv "$rundir/results.json.tmp" "$rundir/results.json"
fi
t_end=$(date +%s)

printf '\n== kcov: lines and branches run by the suite (hit/total)\n'
awk -F'\t' 'NR > 1 {
	printf "%-40s lines %5d/%-5d %5.1f%%  branches %5d/%-5d %5.1f%%\n", $1, $2, $3,
		$3 ? 100 * $2 / $3 : 0, $4, $5, $5 ? 100 * $4 / $5 : 0 }' "$kdir/summary.tsv"
printf '== kcov: report %s/html/index.html (build + suite %d s, report %d s)\n' "$kdir" "$((t_vm - t0))" "$((t_end - t_vm))"
if [ "$vm_rc" -ne 0 ]; then
	die "kcov: the suite did not pass (vm-test.sh exit $vm_rc, see $rundir/results.json); the report is of that run"
fi
