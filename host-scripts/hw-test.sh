#!/usr/bin/env bash
# make hw-test: the suite on this machine's own NIC, no VM (a bare-metal
# runner, or a developer's workstation with a zcrx NIC). docs/runners.md.
#   NETIF, LOCAL_V4/V6, REMOTE_V4/V6, REMOTE_TYPE=netns|ssh, REMOTE_ARGS
#   from the environment or NET_CONFIG (default ./net.config when there),
#   in the kernel selftests' format: the same file serves drivers/net/hw.
#   HW_TESTS=DIR   prebuilt binaries (the suite's, zcrx-suite, zcrx-probe,
#                  zcrx-sender), e.g. deployed from a build host; default:
#                  build them here (needs the toolchain download)
#   usage: hw-test.sh [--build]   (--build: only build the binaries into
#          build/hw/bin, e.g. to deploy them to runners as HW_TESTS)
#   NIC_PROFILE=F  the driver profile (default vm/nic-profiles/<driver>)
#   TESTS=a,b      only those binaries; VM_TEST_TIMEOUT per binary,
#   HW_TIMEOUT     the whole suite (s), HW_STATE_DIR where the NIC's
#                  recorded state is kept while a run has it changed
# Order: prerequisites (nothing touched; one line per missing one), a
# state file left by a killed run restored first, the NIC's state
# recorded, the suite, the state restored and verified (also on a failed
# case, a crashed binary, Ctrl-C/SIGTERM, a timeout). A restore that does
# not verify fails the run and prints the difference.
# Exit: 0 pass, 1 a case or the restore failed, 2 a prerequisite or bad
# input (nothing was changed), 130/143 interrupted (NIC restored).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$ZCRX_TOP/vm/machine.conf"
. "$ZCRX_TOP/host-scripts/hw/net-config.sh"
. "$ZCRX_TOP/host-scripts/hw/remote.sh"
. "$ZCRX_TOP/host-scripts/hw/nic-state.sh"
. "$ZCRX_TOP/host-scripts/hw/prereqs.sh"
ZCRX_DIE_RC=2
# until the NIC's state is recorded, any failure is bad input or a missing
# prerequisite: 2, never a test verdict
set -E
trap 'zcrx_on_err; exit 2' ERR

build_only=0
case ${1:-} in
'') ;;
--build) build_only=1 ;;
*) die "usage: hw-test.sh [--build]" ;;
esac

# 1. configuration: one line and exit 2 on anything wrong
caller=${ZCRX_CALLER_PWD:-$PWD}
cfg=${NET_CONFIG:-}
[ -n "$cfg" ] || [ ! -f "$caller/net.config" ] || cfg="$caller/net.config"
if [ -n "$cfg" ]; then
	[[ $cfg == /* ]] || cfg="$caller/$cfg"
	err=$(hw_config_load "$cfg" 2>&1) || die "$err"
	hw_config_load "$cfg"
fi
timeout_s=${HW_TIMEOUT:-1800}
[[ $timeout_s =~ ^[1-9][0-9]*$ ]] || die "HW_TIMEOUT=$timeout_s: expected seconds"
test_timeout=${VM_TEST_TIMEOUT:-300}
[[ $test_timeout =~ ^[1-9][0-9]*$ ]] || die "VM_TEST_TIMEOUT=$test_timeout: expected seconds"
only=${ZCRX_TESTS:-}
[[ -z $only || $only =~ ^[a-z_]+(,[a-z_]+)*$ ]] || die "TESTS=$only: expected names like nic_zc,query"
run_name=${RUN_NAME:-$(date +%Y%m%d-%H%M%S)-hw-$$}
[[ $run_name =~ ^[A-Za-z0-9._+-]+(/[A-Za-z0-9._+-]+)?$ && $run_name != *..* ]] ||
	die "RUN_NAME=$run_name: expected a name of letters, digits and ._+- (one optional /)"
rundir="$RESULTS_DIR/$run_name"
[ ! -e "$rundir" ] || die "RUN_NAME=$run_name: $rundir already exists"
state_dir=${HW_STATE_DIR:-$BUILD_DIR/hw-state}
[ -z "${NIC_PROFILE:-}" ] || [ -f "$NIC_PROFILE" ] || die "NIC_PROFILE=$NIC_PROFILE: no such file"
# the network's names before anything slow (the build)
if [ "$build_only" = 1 ]; then
	:
elif ! bad=$(hw_config_check); then
	printf 'hw-test: %s\n' "${bad//$'\n'/$'\n'hw-test: }" >&2
	die "the runner's network is not configured (NETIF, LOCAL_*, REMOTE_*: environment or net.config)"
fi
[ "$build_only" = 1 ] || ip link show dev "$NETIF" >/dev/null 2>&1 || die "NETIF=$NETIF: no such interface here"
[ "$build_only" = 1 ] || is_root || die "make hw-test needs root (it configures $NETIF and registers zcrx on it)"

# 2. the binaries
tools=${HW_TESTS:-}
if [ -n "$tools" ]; then
	[[ $tools == /* ]] || tools="$caller/$tools"
	for f in order zcrx-suite zcrx-probe zcrx-sender; do
		[ -e "$tools/$f" ] || die "HW_TESTS=$tools: no $f there (build with make hw-test on a build host)"
	done
else
	mkdir -p "$BUILD_DIR/hw"
	stage=$(mktemp -d "$BUILD_DIR/hw/stage.XXXXXX")
	at_exit_rm "$stage"
	run_stoppable "$ZCRX_TOP/host-scripts/fetch-toolchain.sh"
	# shellcheck disable=SC1091
	. "$DEPS_DIR/toolchain.env"
	tools="$BUILD_DIR/hw/bin"
	log "building the suite, zcrx-suite, zcrx-probe, zcrx-sender -> $tools"
	{ run_stoppable make -s -C "$ZCRX_TOP/guest-tests" OUT="$tools" \
		UAPI_INC="$UAPI_INC" URING="$URING" KSFT_INC="$KSFT_INC" all tools &&
		run_stoppable make -s -C "$ZCRX_TOP/images" OUT="$tools" "$tools/zcrx-suite"; } \
		>"$stage/build.log" 2>&1 || die "the build failed; see $(cp "$stage/build.log" "$BUILD_DIR/hw/build.log" && echo "$BUILD_DIR/hw/build.log")"
fi
if [ "$build_only" = 1 ]; then
	printf '%s\n' "$tools"
	exit 0
fi
if [ -n "$only" ]; then
	for t in ${only//,/ }; do
		grep -qE "^$t( |\$)" "$tools/order" || die "TESTS=$only: no test binary $t (make list-tests)"
	done
fi

# 3. prerequisites: nothing is changed before all of them are there --
# first what needs no probing, then, under the NIC's lock and after a
# killed run's state was put back, the kernel, the NIC and the peer
mkdir -p "$(dirname "$rundir")" "$rundir"
prereq_fail() { # prereq_fail N: the missing ones, then one line and exit 2
	sed 's/^/hw-test: /' "$rundir/prereqs.txt" >&2
	rm -rf "$rundir"
	die "$1 prerequisite(s) missing; nothing was changed"
}
n=0
hw_prereqs_host >"$rundir/prereqs.txt" || n=$?
[ "$n" = 0 ] || prereq_fail "$n"

# 4. one run per NIC; a state file left by a killed run is restored first
mkdir -p "$state_dir"
exec {lockfd}>"$state_dir/$NETIF.lock"
flock -n "$lockfd" || die "NETIF=$NETIF is in use by another make hw-test ($state_dir/$NETIF.lock)"
state="$state_dir/$NETIF.state"
if [ -f "$state" ]; then
	warn "NETIF=$NETIF: a previous run left it changed ($(sed -n 's/^# run=//p' "$state")); restoring it first"
	nic_state_restore "$NETIF" "$state"
	if ! diff=$(nic_state_verify "$NETIF" "$state"); then
		printf '%s\n' "$diff" >&2
		die "NETIF=$NETIF: the state the killed run recorded could not be restored ($state kept)"
	fi
	rm -f "$state"
	log "NETIF=$NETIF: restored to the state the killed run recorded"
fi

queues=
d=$(ethtool -i "$NETIF" 2>/dev/null | sed -n 's/^driver: //p' || true)
p=${NIC_PROFILE:-$ZCRX_TOP/vm/nic-profiles/${d:-none}}
if [ -f "$p" ]; then
	queues=$(sed -n 's/^QUEUES=//p' "$p" | tail -n 1)
fi
n=0
hw_prereqs_device "$tools" "$queues" >"$rundir/prereqs.txt" || n=$? # sets HW_DRIVER, HW_FIRMWARE, HW_BUS
[ "$n" = 0 ] || prereq_fail "$n"
profile=$(hw_profile "$HW_DRIVER" "$rundir/nic-profile") || die "no NIC profile"
log "NETIF=$NETIF: $HW_DRIVER, firmware ${HW_FIRMWARE:-?}, bus ${HW_BUS:-?}; profile $profile ($(sed -n 's/^VERIFIED=//p' "$profile" | tail -n1 | sed 's/^no$/not verified on hardware/; s/^yes$/verified/'))"
trap zcrx_on_err ERR
ZCRX_DIE_RC=1
{
	printf '# run=%s pid=%s started=%s\n' "$run_name" "$$" "$(date -u +%FT%TZ)"
	nic_state_read "$NETIF"
} >"$state.tmp"
mv "$state.tmp" "$state"
cp "$state" "$rundir/nic-state.before"

restored=
restore() {
	[ -z "$restored" ] || return 0
	restored=1
	nic_state_restore "$NETIF" "$state" 2>>"$rundir/restore.log" || true
	if nic_state_verify "$NETIF" "$state" >"$rundir/restore.diff"; then
		echo verified >"$rundir/restore.status"
		rm -f "$state" "$rundir/restore.diff"
	else
		echo failed >"$rundir/restore.status"
		warn "NETIF=$NETIF: the restored state differs from the recorded one ($state kept):"
		cat "$rundir/restore.diff" >&2
	fi
	[ -z "$sender" ] || remote_undeploy "$sender"
}
sender=
suite_pid=
dmesg_pid=
stop_run() {
	# a second Ctrl-C must not cut the restore short
	trap '' INT TERM HUP
	# (zcrx-suite kills the binary it runs when it is told to stop)
	[ -z "$suite_pid" ] || stop_pid "$suite_pid"
	[ -z "$dmesg_pid" ] || kill "$dmesg_pid" 2>/dev/null || true
	restore
	[ -z "$ZCRX_SIGNAL" ] || printf '\n== hw-test: interrupted by SIG%s; NIC restored (%s); results so far: %s\n' \
		"$ZCRX_SIGNAL" "$(cat "$rundir/restore.status" 2>/dev/null || echo "?")" "$rundir" >&2
}
at_exit stop_run

# 5. what the suite needs from the NIC; the cases set the rest themselves
if [ -n "$queues" ] && [ "$(nic_state_get "$state" channels.combined)" != "$queues" ]; then
	log "NETIF=$NETIF: ethtool -L combined $queues (the profile's QUEUES)"
	ethtool -L "$NETIF" combined "$queues" || die "NETIF=$NETIF: ethtool -L combined $queues failed"
fi
if [ "$REMOTE_TYPE" = ssh ]; then
	sender=$(remote_deploy "$tools/zcrx-sender") || die "the sender could not be copied to the peer ($REMOTE_ARGS)"
	# it runs there: without arguments it prints its usage and exits 2
	rc=0
	remote_run "$sender" >/dev/null 2>&1 || rc=$?
	[ "$rc" = 2 ] || die "the sender copied to the peer does not run there (exit $rc; a static x86-64 binary): $REMOTE_ARGS:$sender"
fi

# 6. the suite; the kernel's log during it is the run's console.log
t0=$(date +%s.%N)
{
	printf '# net: NETIF=%s NIC_DRIVER=%s NIC_FIRMWARE=%s NIC_BUS=%s LOCAL_V4=%s REMOTE_V4=%s (remote %s %s)\n' \
		"$NETIF" "$HW_DRIVER" "${HW_FIRMWARE// /_}" "${HW_BUS:-none}" "${LOCAL_V4:-}" "${REMOTE_V4:-}" "$REMOTE_TYPE" "$REMOTE_ARGS"
} >"$rundir/console.log"
# (the NIC's lock stays with this script: an orphaned dmesg must not hold it)
dmesg --follow-new >>"$rundir/console.log" 2>/dev/null {lockfd}>&- &
dmesg_pid=$!
log "running the suite on $NETIF ($(uname -r), timeout ${timeout_s}s) -> $rundir"
# one NIC lane: the NIC whose state this script saved and restores
# (NIC<k>_NETIF are the VM's extra netdevsim pairs, images/suite-runner.c)
for k in 2 3 4 5 6 7 8; do unset "NIC${k}_NETIF"; done
set +e
NIC_PROFILE=$profile NIC_DRIVER=$HW_DRIVER REMOTE_SENDER=$sender \
	timeout --kill-after=10 "$timeout_s" "$tools/zcrx-suite" "$tools" "${only:--}" "$test_timeout" \
	>"$rundir/ktap.txt" 2>"$rundir/suite.err" &
suite_pid=$!
wait "$suite_pid"
suite_rc=$?
set -e
suite_pid=
t_end=$(date +%s.%N)
sleep 0.2
kill "$dmesg_pid" 2>/dev/null || true
dmesg_pid=
case $suite_rc in
0) st=pass ;;
1) st=fail ;;
124 | 137) st=timeout ;;
*) st=no-report ;;
esac
echo "$st" >"$rundir/vm.status"
awk -v s="$t0" -v e="$t_end" 'BEGIN { printf "%.2f\n", e - s }' >"$rundir/vm.seconds"

# 7. restore and verify, then the verdict as make vm-test gives it
restore
export VM=hw ZCRX_RUN_KIND=${ZCRX_RUN_KIND:-hw-test}
t_prep=$t0
KREL=$(uname -r) KDESC="this machine ($HW_DRIVER ${HW_FIRMWARE:-})" KPKG=
. "$ZCRX_TOP/host-scripts/report/results.sh"
. "$ZCRX_TOP/host-scripts/report/verdict.sh"
vm_rc=$([ "$st" = pass ] && echo 0 || echo 1)
verdict_and_results
if [ "$(cat "$rundir/restore.status")" != verified ]; then
	verdict=fail
	write_results fail "$(jq -r '.reasons[]' "$rundir/results.json")" "nic: the restored state differs from the recorded one (restore.diff)"
	vm_rc=1
fi
run_sinks
report
