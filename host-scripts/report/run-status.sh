# shellcheck shell=bash
# The exit status of make vm-run / vm-shell, from a run directory the
# qemu backend wrote (docs/guest.md). Source it; it defines:
#
# run_status RUNDIR BACKEND_RC: prints "STATUS<TAB>WHY" (WHY empty when the
# command reported its own status):
#   the command's "run-exit=N" on the result channel   N
#   its "run-signal=N"                                   128 + N
#   "Kernel panic - not syncing" in the console          255 (as virtme-ng)
#   the backend timed out (its exit 2)                   124 (as timeout(1))
#   anything else: no status reported                    125
# The command's own report wins: a panic after it (in the power-off) does
# not hide the status it returned.
run_status() {
	local rundir=$1 vm_rc=$2 n
	n=$(sed -n 's/^# zcrx-vmtest: run-exit=\([0-9]\{1,3\}\)$/\1/p' "$rundir/ktap.txt" 2>/dev/null | tail -n1)
	if [ -n "$n" ] && [ "$n" -le 255 ]; then
		printf '%s\t\n' "$n"
		return
	fi
	n=$(sed -n 's/^# zcrx-vmtest: run-signal=\([0-9]\{1,2\}\)$/\1/p' "$rundir/ktap.txt" 2>/dev/null | tail -n1)
	if [ -n "$n" ]; then
		printf '%s\tthe command was killed by signal %s\n' "$((128 + n))" "$n"
		return
	fi
	n=$(grep -m1 -a 'Kernel panic - not syncing' "$rundir/console.log" 2>/dev/null | sed 's/^.*Kernel panic - not syncing: *//') || true
	if grep -q -a 'Kernel panic - not syncing' "$rundir/console.log" 2>/dev/null; then
		printf '255\tthe kernel panicked: %s\n' "$n"
	elif [ "$vm_rc" = 2 ]; then
		printf '124\tthe VM timed out after %s s (VM_TIMEOUT)\n' "$(cat "$rundir/vm.seconds" 2>/dev/null || echo "?")"
	else
		printf '125\tthe guest ended without reporting the command'"'"'s status (vm.status %s); see %s/console.log\n' \
			"$(cat "$rundir/vm.status" 2>/dev/null || echo none)" "$rundir"
	fi
}
