#!/usr/bin/env bash
# make check: the project's own tests, in order, each a pass or a fail:
#   lint   shellcheck of the host scripts
#   unit   bats unit tests of the host-side pieces
#   vm-7.3 the guest suite on the default Debian 7.3 kernel
#   vm-7.0 the guest suite on a 7.0-series kernel (no events API: must
#          give 0 failures, the 7.3 cases skipping with reasons)
#   vm-7.2 the events API in its pre-7.3 form: 0 failures, the 7.3-only
#          facts (ADD_AREA, header layout, check order) skipping
#   vm-libvirt the default kernel through libvirt (VM=libvirt); skipped
#          with a reason where libvirt cannot run
#   vm-libvirt-run  the vm-run cases through libvirt (VM=libvirt)
#   vm-lean the lean kernel built from Debian's linux-source-7.3 with
#          kernel-config/patches/ (CHECK_LEAN=0 leaves it out)
#   vm-lean-nic that run's NIC cases ran on the patched netdevsim (none
#          skipped for want of a zcrx-capable NIC)
#   vm-lean-faults that run's fault-injection cases (E09, E16, R25) ran
#   vm-run make vm-run / vm-shell on the default kernel with the Debian guest
#          image: output, exit statuses, the topology, the shared
#          directory, a shell from a pipe, a panic (check-vm-run.sh)
#   vm-lean-run the image boots on the lean kernel too (quick)
#   hw-test  make hw-test in the guest against the netdevsim pair (the
#          guest plays a bare-metal runner): netns and ssh peers equal the
#          vm-lean run case for case, the NIC restored after a failure,
#          SIGTERM, SIGKILL, bad input refused (check-hw-test.sh)
#   presubmit make presubmit of a copy of the Debian tree with mutant 22
#          applied: exit 1, the regressions named with their rows, the
#          series in the history (check-presubmit.sh)
#   selftests the kernel's iou-zcrx.py (with the carried events/stats
#          cases) through the kernel's runner on the patched kernel: every
#          case and variant must pass, none skip (make selftests)
#   interrupt  Ctrl-C during a real vm-test stops it, leaves no QEMU
#   concurrent two vm-test at once in this checkout both pass
#   lava   make lava-jobs' jobs run by LAVA's own dispatcher (lava-run, no
#          server): LAVA's cases equal our results.json case for case
#          (stand-in guest and the real suite), a hung guest times out as
#          a recorded fail, bad input refused (check-lava.sh)
#   fresh      make vm-test and make deps KSRC=debian in a new Debian root
#          (debootstrap): both work, and nothing outside its release lands
#          (CHECK_FRESH=0 leaves it out)
# Ends with "check: N passed, N failed" and a non-zero exit on any failure.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"

CHECK_KERNELS=${CHECK_KERNELS:-"default 7.0 7.2"}
passed=0 failed=0 failures=() times=()
check_t0=$(date +%s)

# Each step's output is also kept in $check_logs/NAME.log: a failed step's
# telling lines are printed again at the end, where a CI log's tail is read.
check_logs="$BUILD_DIR/check-logs/$(date +%Y%m%d-%H%M%S)-$$"
mkdir -p "$check_logs"
step() { # step NAME CMD...
	local name=$1 t0 t1 rc tee_pid log_fd
	shift
	echo "=== check: $name"
	t0=$(date +%s)
	# a process substitution, not a pipe: a daemon a step leaves holding
	# its output must not hold the check; the tee gets 5 s to catch up
	rc=0
	exec {log_fd}> >(tee "$check_logs/$name.log")
	tee_pid=$!
	"$@" >&"$log_fd" 2>&1 || rc=$?
	exec {log_fd}>&-
	for _ in $(seq 50); do kill -0 "$tee_pid" 2>/dev/null || break; sleep 0.1; done
	if [ "$rc" -eq 0 ]; then
		passed=$((passed + 1))
		t1=$(date +%s)
		echo "=== check: $name passed ($((t1 - t0)) s)"
		times+=("$name $((t1 - t0)) s")
	else
		failed=$((failed + 1))
		failures+=("$name")
		t1=$(date +%s)
		echo "=== check: $name FAILED ($((t1 - t0)) s)"
		times+=("$name $((t1 - t0)) s FAILED")
	fi
}

# Every run's results.json must match the schema (docs/results.md).
results_valid() {
	local r="$RESULTS_DIR/$1/results.json" bad
	[ -r "$r" ] || { echo "results: no results.json at $r"; return 1; }
	bad=$(jq -r -f "$ZCRX_TOP/host-scripts/report/results-valid.jq" "$r")
	[ -z "$bad" ] || { echo "results: $r does not match docs/results.md:"; echo "$bad"; return 1; }
}
# vm_checked RUN CMD...: a vm-test run that must pass and leave a valid
# results.json.
vm_checked() {
	local run=$1
	shift
	"$@" && results_valid "$run"
}

step lint "$ZCRX_TOP/host-scripts/dev/check-lint.sh"
step unit "$ZCRX_TOP/host-scripts/dev/check-unit.sh"
for k in $CHECK_KERNELS; do
	kv=$k
	[ "$k" != default ] || kv=
	run="check-$(date +%Y%m%d-%H%M%S)-$k"
	step "vm-$k" vm_checked "$run" env KERNEL="$kv" KSRC= RUN_NAME="$run" \
		"$ZCRX_TOP/host-scripts/vm-test.sh"
done

# After the stock kernels: the new root is seeded with the verified .debs
# they downloaded.
if [ "${CHECK_FRESH:-1}" = 1 ]; then
	step fresh "$ZCRX_TOP/host-scripts/dev/fresh-check.sh"
fi
# The result channel's fallback (images/init.h): on a kernel without
# virtio_console the KTAP goes to ttyS1. The stock kernel has the driver
# built in; initcall_blacklist keeps it from starting.
result_tty() {
	local run seen
	run="check-$(date +%Y%m%d-%H%M%S)-ttyS1"
	env KERNEL= KSRC= RUN_NAME="$run" TESTS=query \
		VM_CMDLINE="$(. "$ZCRX_TOP/vm/machine.conf" && echo "$VM_CMDLINE") initcall_blacklist=virtio_console_init" \
		"$ZCRX_TOP/host-scripts/vm-test.sh" || return 1
	seen=$(grep -m1 "result channel" "$RESULTS_DIR/$run/console.log" || true)
	[[ $seen == *"result channel (/dev/ttyS1, ktap.txt)"* ]] ||
		{ echo "result-tty: expected the KTAP on /dev/ttyS1; seen: ${seen:-no such line}"; return 1; }
	results_valid "$run"
}
step result-tty result_tty
step vm-run env KERNEL= KSRC= "$ZCRX_TOP/host-scripts/dev/check-vm-run.sh"
step interrupt "$ZCRX_TOP/host-scripts/dev/check-interrupt.sh"
step concurrent "$ZCRX_TOP/host-scripts/dev/check-concurrent.sh"
if is_root; then
	step lava "$ZCRX_TOP/host-scripts/dev/check-lava.sh"
else
	echo "=== check: lava SKIP: lava-run needs root"
fi

# The libvirt backend, when libvirt can run here (root, embedded driver).
if ! is_root; then
	echo "=== check: vm-libvirt SKIP: needs root for libvirt's embedded QEMU driver"
elif ! command -v virt-qemu-run >/dev/null 2>&1 &&
	! (host_install --no-install-recommends libvirt-daemon-driver-qemu); then
	echo "=== check: vm-libvirt SKIP: libvirt-daemon-driver-qemu cannot be installed here (see the line above)"
else
	run="check-$(date +%Y%m%d-%H%M%S)-libvirt"
	step vm-libvirt vm_checked "$run" env VM=libvirt KERNEL= KSRC= RUN_NAME="$run" \
		"$ZCRX_TOP/host-scripts/vm-test.sh"
	# vm-run / vm-shell through libvirt: the same cases as the vm-run step
	step vm-libvirt-run env VM=libvirt KERNEL= KSRC= "$ZCRX_TOP/host-scripts/dev/check-vm-run.sh"
fi
# The patched kernel's netdevsim is a zcrx-capable NIC: its NIC cases must
# have run there, not skipped (their skip reasons start with "NETIF").
nic_ran() {
	local r="$RESULTS_DIR/$1/results.json" n
	results_valid "$1" || return 1
	n=$(jq '[.cases[] | select(.outcome == "skip" and ((.reason // "") | startswith("NETIF")))] | length' "$r")
	[ "$n" -eq 0 ] || { echo "vm-lean-nic: $n NIC cases skipped on the patched kernel ($r)"; return 1; }
	echo "vm-lean-nic: no NIC case skipped on the patched kernel"
}
# The lean kernel has fault injection: the rows that need an allocation to
# fail (E09, E16, R25) must have run there, not skipped.
faults_ran() {
	local r="$RESULTS_DIR/$1/results.json" n
	results_valid "$1" || return 1
	n=$(jq '[.cases[] | select(.outcome == "skip" and ((.reason // "") | startswith("no /proc/thread-self/fail-nth")))] | length' "$r")
	[ "$n" -eq 0 ] || { echo "vm-lean-faults: $n fault-injection cases skipped on the lean kernel ($r)"; return 1; }
	[ "$(jq -r '.cases[] | select(.name == "fault.event_lost_on_atomic_alloc_failure__E09") | .outcome' "$r")" = pass ] ||
		{ echo "vm-lean-faults: E09 did not pass ($r)"; return 1; }
	echo "vm-lean-faults: the fault-injection cases ran on the lean kernel"
}
# make selftests: iou-zcrx.py ran and every one of its cases passed.
selftests_passed() {
	local run=$1 r n
	shift
	"$@" >/dev/null || { echo "selftests: make selftests failed (results/$run)"; return 1; }
	r="$RESULTS_DIR/$run/results.json"
	results_valid "$run" || return 1
	n=$(jq '[.cases[] | select(.binary == "drivers/net/hw/iou-zcrx.py")] | length' "$r")
	[ "$n" -ge 7 ] || { echo "selftests: iou-zcrx.py reported $n cases, expected 7 (2 x zcrx, 2 x oneshot, large_chunks, event_copy, event_alloc_fail) ($r)"; return 1; }
	jq -r '.cases[] | select(.binary == "drivers/net/hw/iou-zcrx.py" and .outcome != "pass")
		| "selftests: \(.name): \(.outcome) \(.reason // "")"' "$r" | grep . && return 1
	echo "selftests: iou-zcrx.py: all $n cases passed"
}
if [ "${CHECK_LEAN:-1}" = 1 ]; then
	lean_run="check-$(date +%Y%m%d-%H%M%S)-lean"
	step vm-lean env KERNEL= KSRC=debian KCONFIG=lean RUN_NAME="$lean_run" \
		"$ZCRX_TOP/host-scripts/vm-test.sh"
	step vm-lean-nic nic_ran "$lean_run"
	step vm-lean-faults faults_ran "$lean_run"
	step vm-lean-run env KERNEL= KSRC=debian KCONFIG=lean "$ZCRX_TOP/host-scripts/dev/check-vm-run.sh" quick
	step hw-test "$ZCRX_TOP/host-scripts/dev/check-hw-test.sh" "$lean_run"
	step presubmit "$ZCRX_TOP/host-scripts/dev/check-presubmit.sh"
	st_run="check-$(date +%Y%m%d-%H%M%S)-selftests"
	step selftests selftests_passed "$st_run" env KERNEL= KSRC=debian KCONFIG=lean \
		SELFTESTS=iou-zcrx.py RUN_NAME="$st_run" "$ZCRX_TOP/host-scripts/selftests.sh"
fi

echo
printf 'check: step times: %s; total %d s\n' "$(printf '%s, ' "${times[@]}" | sed 's/, $//')" "$(($(date +%s) - check_t0))"
for f in "${failures[@]}"; do
	# the lines that say what was expected and seen, then the step's end
	echo "check: $f FAILED; its failure lines and its last lines ($check_logs/$f.log):"
	{
		grep -aE 'expected|FAIL|not ok|[Ee]rror|seen|splat|[Tt]imed out|^# (Totals|FAIL)' "$check_logs/$f.log" | head -n 30
		echo ...
		tail -n 8 "$check_logs/$f.log"
	} | sed 's/^/    /'
done
[ "$failed" -eq 0 ] || echo "check: failed steps: ${failures[*]}"
echo "check: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
