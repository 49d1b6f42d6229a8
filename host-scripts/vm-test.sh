#!/usr/bin/env bash
# make vm-test: fetch what is missing, build the guest suite and image,
# boot the kernel, and report. Results go to $RESULTS_DIR/<run>/:
#   console.log  serial console      ktap.txt      the suite's KTAP
#   summary.json machine-readable    splats.txt    splat excerpts (if any)
# Exit status: 0 only when every case passed or skipped, the KTAP is well
# formed, the guest reported, and the console has no kernel splat.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

KERNEL=${KERNEL:-}
run_name=${RUN_NAME:-$(date +%Y%m%d-%H%M%S)-$(printf '%s' "${KERNEL:-default}" | tr -c 'A-Za-z0-9.' '_')-$$}
rundir="$RESULTS_DIR/$run_name"
mkdir -p "$rundir"
t0=$(date +%s.%N)

# 0. preflight: bad input fails here, before anything slow
case ${VM:-qemu} in qemu | libvirt) ;; *) die "VM=$VM: expected qemu or libvirt" ;; esac
if [ -z "${QEMU:-}" ]; then
	need_cmd qemu-system-x86_64 qemu-system-x86
else
	command -v "$QEMU" >/dev/null 2>&1 || die "QEMU=$QEMU: not found"
fi
if [ -n "${KSRC:-}" ]; then
	[ -z "$KERNEL" ] || die "KERNEL=$KERNEL and KSRC=$KSRC: give one of them"
	"$ZCRX_TOP/host-scripts/build-kernel.sh" "$rundir/kernel.env"
else
	KERNEL="$KERNEL" "$ZCRX_TOP/host-scripts/fetch-kernel.sh" "$rundir/kernel.env"
fi
# shellcheck disable=SC1091
. "$rundir/kernel.env"

# 1. toolchain and guest binaries
"$ZCRX_TOP/host-scripts/fetch-toolchain.sh"
# shellcheck disable=SC1091
. "$DEPS_DIR/toolchain.env"
need_cmd gcc gcc
need_cmd make make
# ZCRX_TESTS=a,b builds and runs only those binaries, in their own dir.
guest_out="$BUILD_DIR/guest"
sel_make=()
if [ -n "${ZCRX_TESTS:-}" ]; then
	guest_out="$BUILD_DIR/guest-$(printf '%s' "$ZCRX_TESTS" | tr -c 'A-Za-z0-9_' '_')"
	sel_make=(TESTS="${ZCRX_TESTS//,/ }")
	for t in ${ZCRX_TESTS//,/ }; do
		[ -f "$ZCRX_TOP/guest-tests/$t.c" ] || die "ZCRX_TESTS: no test binary '$t' (guest-tests/$t.c)"
	done
fi
log "building guest tests and init"
make -s -C "$ZCRX_TOP/guest-tests" OUT="$guest_out" "${sel_make[@]}" \
	UAPI_INC="$UAPI_INC" URING="$URING" KSFT_INC="$KSFT_INC" >"$rundir/build.log" 2>&1 ||
	die "guest test build failed; see $rundir/build.log"
make -s -C "$ZCRX_TOP/images" OUT="$BUILD_DIR/image" >>"$rundir/build.log" 2>&1 ||
	die "guest init build failed; see $rundir/build.log"

# 2. image
mkdir -p "$BUILD_DIR/initramfs"
initrd="$BUILD_DIR/initramfs/$(printf '%s' "$KREL" | tr -c 'A-Za-z0-9.+-' '_')-$$.cpio"
"$ZCRX_TOP/images/mkinitramfs.sh" "$initrd" "$BUILD_DIR/image/init" "$guest_out" "$MODROOT"
t_prep=$(date +%s.%N)

# 3. boot and run
runner=run-vm.sh
case ${VM:-qemu} in
qemu) ;;
libvirt) runner=run-libvirt.sh ;;
*) die "VM=$VM: expected qemu or libvirt" ;;
esac
set +e
"$ZCRX_TOP/host-scripts/$runner" "$VMLINUZ" "$initrd" "$rundir"
vm_rc=$?
set -e
rm -f "$initrd"
t_end=$(date +%s.%N)

# 4. verdict
eval "$("$ZCRX_TOP/host-scripts/ktap-summary.sh" "$rundir/ktap.txt")"
splats=0
set +e
"$ZCRX_TOP/host-scripts/scan-splats.sh" "$rundir/console.log" >"$rundir/splats.txt" 2>&1
scan_rc=$?
set -e
case $scan_rc in
0) rm -f "$rundir/splats.txt" ;;
1) splats=$(grep -c '^splat ' "$rundir/splats.txt" || true) ;;
*) rm -f "$rundir/splats.txt" ;; # no console at all: the VM verdict says why
esac
vm_status=$(cat "$rundir/vm.status" 2>/dev/null || echo no-report)
up_start=$(sed -n 's/^# zcrx-vmtest: uptime suite-start=\([0-9.]*\).*/\1/p' "$rundir/ktap.txt" 2>/dev/null || true)
up_end=$(sed -n 's/.* suite-end=\([0-9.]*\).*/\1/p' "$rundir/ktap.txt" 2>/dev/null || true)
vm_s=$(cat "$rundir/vm.seconds" 2>/dev/null || echo 0)
boot_s=${up_start:-0}
suite_s=$(awk -v a="${up_start:-0}" -v b="${up_end:-0}" 'BEGIN { printf "%.2f", b - a }')
prep_s=$(awk -v a="$t0" -v b="$t_prep" 'BEGIN { printf "%.2f", b - a }')
wall_s=$(awk -v a="$t0" -v b="$t_end" 'BEGIN { printf "%.2f", b - a }')

verdict=pass
reasons=()
[ "$vm_status" = pass ] || { verdict=fail; reasons+=("vm: $vm_status"); }
[ "$KTAP_OK" = 1 ] || { verdict=fail; reasons+=("ktap: $KTAP_ERROR"); }
if [ "$FAIL" -ne 0 ] || [ "$ERRORS" -ne 0 ] || [ "$XPASS" -ne 0 ]; then
	verdict=fail
	reasons+=("tests: $FAIL failed, $ERRORS errors, $XPASS xpass")
fi
[ "$BIN_FAILED" -eq 0 ] || { verdict=fail; reasons+=("binaries failed:$FAILED_BINARIES"); }
[ "$splats" -eq 0 ] || { verdict=fail; reasons+=("kernel splats: $splats (see splats.txt)"); }

json_str() { printf '"%s"' "$(printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g')"; }
json_list() {
	local first=1 x
	printf '['
	for x in $1; do
		[ $first = 1 ] || printf ', '
		json_str "$x"
		first=0
	done
	printf ']'
}
{
	printf '{\n'
	printf '  "verdict": %s,\n' "$(json_str "$verdict")"
	printf '  "reasons": %s,\n' "$(json_list "$(printf '%s\n' "${reasons[@]+"${reasons[@]}"}" | tr ' ' '_')")"
	printf '  "kernel": {"release": %s, "source": %s},\n' "$(json_str "$KREL")" "$(json_str "$KDESC")"
	printf '  "vm": {"status": %s, "seconds": %s},\n' "$(json_str "$vm_status")" "$vm_s"
	printf '  "counts": {"pass": %d, "fail": %d, "skip": %d, "xfail": %d, "xpass": %d, "error": %d},\n' \
		"$PASS" "$FAIL" "$SKIP" "$XFAIL" "$XPASS" "$ERRORS"
	printf '  "failed_cases": %s,\n' "$(json_list "$FAILED_CASES")"
	printf '  "skipped_cases": %s,\n' "$(json_list "$SKIPPED_CASES")"
	printf '  "splats": %d,\n' "$splats"
	printf '  "seconds": {"prepare": %s, "boot": %s, "suite": %s, "vm": %s, "wall": %s}\n' \
		"$prep_s" "$boot_s" "$suite_s" "$vm_s" "$wall_s"
	printf '}\n'
} >"$rundir/summary.json"
ln -sfn "$run_name" "$RESULTS_DIR/latest"

# 5. report: the KTAP, then a short summary
cat "$rundir/ktap.txt" 2>/dev/null || true
echo
echo "== zcrx-vmtest: $KREL ($KDESC)"
printf '== %d passed, %d failed, %d skipped, %d errors; boot %ss, suite %ss, VM %ss, wall %ss\n' \
	"$PASS" "$FAIL" "$SKIP" "$ERRORS" "$boot_s" "$suite_s" "$vm_s" "$wall_s"
for c in $FAILED_CASES; do echo "== FAILED: $c"; done
if [ "$splats" -gt 0 ]; then
	echo "== KERNEL SPLATS in console.log:"
	head -n 40 "$rundir/splats.txt"
fi
echo "== results: $rundir"
if [ "$verdict" = pass ]; then
	echo "== PASS"
	exit 0
fi
echo "== FAIL: ${reasons[*]}"
[ "$vm_rc" -ne 0 ] || vm_rc=1
exit "$vm_rc"
