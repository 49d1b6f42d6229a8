#!/usr/bin/env bash
# make selftests: the kernel's own NIC selftests (tools/testing/selftests/
# drivers/net/hw) on the zcrx-capable virtual NIC. Builds them from the same
# kernel source as the kernel (KSRC=, default the patched Debian tree),
# boots that kernel with the Debian guest image, and runs them through the
# kernel's own runner (run_kselftest.sh) against the netdevsim pair, with
# NETIF, LOCAL_*/REMOTE_*, REMOTE_TYPE=netns as drivers/net/README.rst
# describes. The runner's output (nested KTAP) becomes results.json like
# the suite's (report/ktap-records.sh reads both).
#   SELFTESTS=a.py,b.py  which tests of drivers/net/hw (default: all)
# Each test is bounded by VM_TEST_TIMEOUT (the runner's --override-timeout:
# a hung one is "not ok ... # TIMEOUT" and the next runs), the whole VM by
# VM_TIMEOUT (default 1800 s here: all of drivers/net/hw is ~30 tests).
# Exit status: 0 when every test passed or skipped, 1 otherwise (a failed
# test, a splat, a guest that did not finish).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$ZCRX_TOP/vm/machine.conf"
. "$ZCRX_TOP/host-scripts/preflight.sh"

export KSRC=${KSRC:-debian} KCONFIG=${KCONFIG:-lean} VM_TIMEOUT=${VM_TIMEOUT:-1800}
KSRC_VERSION=${KSRC_VERSION:-7.3}
SELFTESTS=${SELFTESTS:-}
preflight_vm_test run
[ -z "$SELFTESTS" ] || [[ $SELFTESTS =~ ^[A-Za-z0-9_.-]+(,[A-Za-z0-9_.-]+)*$ ]] ||
	die "SELFTESTS='$SELFTESTS': expected a comma list of drivers/net/hw test names (e.g. iou-zcrx.py)"
is_root || die "make selftests needs root (the guest image and the shared directory)"
run_name=${RUN_NAME:-$(date +%Y%m%d-%H%M%S)-selftests-$$}
rundir="$RESULTS_DIR/$run_name"
[ ! -e "$rundir" ] || die "RUN_NAME=$run_name: $rundir already exists"

# 1. the source tree (unpacked and patched for debian; yours read-only)
run_stoppable env KBUILD_STEP=tree "$ZCRX_TOP/host-scripts/kernels/build-kernel.sh"
if [ "$KSRC" = debian ]; then
	tree="$BUILD_DIR/src/linux-source-$KSRC_VERSION"
	id="debian-$KSRC_VERSION"
else
	tree=$(cd "$KSRC" && pwd)
	id="tree-$(printf '%s' "$tree" | sha256sum | cut -c1-12)"
fi
[ -d "$tree/tools/testing/selftests/drivers/net/hw" ] ||
	die "KSRC=$KSRC: no tools/testing/selftests/drivers/net/hw in $tree"

# 2. build and install them, out of tree: iou-zcrx static against liburing
# (the guest image has none); the other C helpers (ncdevmem, toeplitz: YNL C
# and clang for BPF) are not built, their tests say so when they run
run_stoppable "$ZCRX_TOP/host-scripts/fetch-toolchain.sh"
# shellcheck disable=SC1091
. "$DEPS_DIR/toolchain.env"
need_cmd rsync rsync
# one run per tree at a time: the install directory is rebuilt, and the
# guest reads it while it runs (the VM inherits the lock and ends with it)
lock_take "selftests-$id" "running the $id selftests"
st="$BUILD_DIR/selftests/$id"
out="$st/out" inst="$st/inst"
rm -rf "$inst"
mkdir -p "$out"
log "building the kernel's drivers/net/hw selftests from $tree"
liba=$(dirname "$(find "$URING/usr/lib" -name liburing.a | head -n1)")
if ! run_stoppable make -s -C "$tree/tools/testing/selftests" O="$out" TARGETS=drivers/net/hw \
	HAS_IOURING_ZCRX=y TEST_GEN_FILES="$out/kselftest/drivers/net/hw/iou-zcrx" \
	USERCFLAGS="-I$UAPI_INC -I$UAPI_INC/x86_64-linux-gnu -I$URING/usr/include -w" \
	USERLDFLAGS="-static -L$liba" install INSTALL_PATH="$inst" >"$st/build.log" 2>&1; then
	die "selftests build failed; see $st/build.log (last line: $(tail -n1 "$st/build.log"))"
fi
[ -x "$inst/drivers/net/hw/iou-zcrx" ] || die "selftests build: no iou-zcrx in $inst; see $st/build.log"
sel=()
if [ -n "$SELFTESTS" ]; then
	for t in ${SELFTESTS//,/ }; do
		grep -Fqx "drivers/net/hw:$t" "$inst/kselftest-list.txt" ||
			die "SELFTESTS: no test '$t' in drivers/net/hw (see $inst/kselftest-list.txt)"
		sel+=(-t "drivers/net/hw:$t")
	done
else
	sel=(-c drivers/net/hw)
fi

# 3. boot and run them (make vm-run underneath), the runner's KTAP saved
t0=$(date +%s.%N)
set +e
RUN_NAME="$run_name" VM_SHARE="$inst" ZCRX_CALLER_PWD="$inst" \
	"$ZCRX_TOP/host-scripts/vm-run.sh" cmd "./run_kselftest.sh -o $VM_TEST_TIMEOUT ${sel[*]}" | tee "$st/runner.out"
vm_rc=${PIPESTATUS[0]}
set -e
t_end=$(date +%s.%N)
[ -d "$rundir" ] || die "make selftests: the VM did not start (status $vm_rc)"

# 4. results.json as for the suite: the runner's KTAP is the result file;
# the VM "passed" when the runner finished (its tests decide the verdict)
mv "$rundir/ktap.txt" "$rundir/run-channel.txt" 2>/dev/null || : >"$rundir/run-channel.txt"
grep -q '^# zcrx-vmtest: run-exit=' "$rundir/run-channel.txt" && echo pass >"$rundir/vm.status"
sed -n '/^TAP version 13$/,$p' "$st/runner.out" >"$rundir/ktap.txt"
# shellcheck disable=SC1091
. "$rundir/kernel.env"
t_prep=$t0
export ZCRX_RUN_KIND=selftests REPORT_KTAP=0
. "$ZCRX_TOP/host-scripts/report/results.sh"
. "$ZCRX_TOP/host-scripts/report/verdict.sh"
verdict_and_results
run_sinks
report
