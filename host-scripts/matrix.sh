#!/usr/bin/env bash
# make matrix: the kernel x config x backend matrix on this machine, one
# make vm-test run (host-scripts/vm-test.sh) per cell (docs/lab.md):
#   KERNELS  Debian cloud kernels, as KERNEL= takes them (default "7.3 7.2 7.0";
#            "default" is the newest 7.3)
#   CONFIGS  kernels built from Debian's linux-source-7.3 with the project's
#            patches (KSRC=debian), one per KCONFIG: lean, debug (default "lean")
#   VMS      backends, files host-scripts/backends/NAME.sh (default "qemu")
# Cells: every kernel and every config, each on every backend. As many run
# at once as the machine has cores to spare: MATRIX_JOBS (default nproc /
# VM_CPUS, at least 1); what they share is built under vm-test's lock.
# Each VM is bounded by VM_TIMEOUT, each whole cell (a kernel build
# included) by MATRIX_CELL_TIMEOUT (default 3600 s). TESTS= and the other
# vm-test knobs apply to every cell.
# Prints one table (cell, pass, fail, skip, verdict, time) from each cell's
# results.json, results/matrix-STAMP/CELL/; the table is also kept in
# results/matrix-STAMP/matrix.md, each cell's output in CELL.log there.
# Exit: 0 every cell passed; 1 a cell did not; 2 a bad knob (one line,
# before anything runs); 130/143 interrupted (every cell stopped).
# MATRIX_VM_TEST: the command a cell runs (default host-scripts/vm-test.sh;
# the unit tests point it at a stub).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$ZCRX_TOP/host-scripts/preflight.sh"
ZCRX_DIE_RC=2
knob_uint VM_CPUS "${VM_CPUS:-}" 1
. "$ZCRX_TOP/vm/machine.conf"

kernels=${KERNELS-7.3 7.2 7.0}
configs=${CONFIGS-lean}
vms=${VMS-qemu}
for k in $kernels; do
	[[ $k =~ ^(default|[0-9]+\.[0-9]+(\.[0-9]+)?)$ ]] ||
		die "KERNELS: '$k' is not a Debian kernel version (7.3, 7.2, 7.0.13, or default)"
done
for c in $configs; do
	case $c in lean | debug) ;; *) die "CONFIGS: '$c' is not a kernel config (lean or debug)" ;; esac
done
for v in $vms; do
	[[ $v =~ ^[a-z0-9_-]+$ && -f "$ZCRX_TOP/host-scripts/backends/$v.sh" ]] ||
		die "VMS: '$v' is not a backend (host-scripts/backends/: $(find "$ZCRX_TOP/host-scripts/backends" -maxdepth 1 -name '*.sh' -printf '%f ' | sed 's/\.sh//g; s/ $//'))"
done
cpus=$VM_CPUS
knob_uint MATRIX_JOBS "${MATRIX_JOBS:-}" 1
jobs=${MATRIX_JOBS:-$(($(nproc) / cpus))}
[ "$jobs" -ge 1 ] || jobs=1
cell_tmo=${MATRIX_CELL_TIMEOUT:-3600}
knob_uint MATRIX_CELL_TIMEOUT "$cell_tmo" 1
vm_test=${MATRIX_VM_TEST:-$ZCRX_TOP/host-scripts/vm-test.sh}
[ -x "$vm_test" ] || die "MATRIX_VM_TEST=$vm_test: not an executable"

# the cells: NAME KERNEL KSRC KCONFIG VM
cells=()
for v in $vms; do
	for k in $kernels; do cells+=("$k-$v ${k/#default/-} - - $v"); done
	for c in $configs; do cells+=("$c-$v - debian $c $v"); done
done
[ "${#cells[@]}" -gt 0 ] || die "KERNELS, CONFIGS and VMS leave no cell to run"
stamp="matrix-$(date +%Y%m%d-%H%M%S)-$$"
dir="$RESULTS_DIR/$stamp"
[ ! -e "$dir" ] || die "$dir already exists"
mkdir -p "$dir"
log "${#cells[@]} cells, $jobs at once -> $dir"

stop_children_on_signal
t0=$(date +%s)
running=0
for cell in "${cells[@]}"; do
	read -r name k s c v <<<"$cell"
	while [ "$running" -ge "$jobs" ]; do
		wait -n || true
		running=$((running - 1))
	done
	[ "$k" != - ] || k=
	[ "$s" != - ] || s=
	[ "$c" != - ] || c=
	log "cell $name: start"
	env KERNEL="$k" KSRC="$s" KCONFIG="$c" VM="$v" RUN_NAME="$stamp/$name" \
		timeout --kill-after=30 "$cell_tmo" "$vm_test" </dev/null >"$dir/$name.log" 2>&1 &
	running=$((running + 1))
done
while [ "$running" -gt 0 ]; do
	wait -n || true
	running=$((running - 1))
done
wall=$(($(date +%s) - t0))

# the table, from each cell's results.json
all_pass=1
{
	echo "| cell | pass | fail | skip | verdict | time (s) |"
	echo "|---|---|---|---|---|---|"
	for cell in "${cells[@]}"; do
		read -r name _ <<<"$cell"
		r="$dir/$name/results.json"
		if [ -r "$r" ]; then
			jq -r --arg n "$name" '"| \($n) | \(.counts.pass) | \(.counts.fail + .counts.error) | \(.counts.skip) | \(.verdict) | \(.seconds.wall) |"' "$r"
			[ "$(jq -r .verdict "$r")" = pass ] || all_pass=0
		else
			why=$(grep -m1 '^zcrx-vmtest: error:' "$dir/$name.log" | cut -c21-120 || true)
			echo "| $name | - | - | - | no run${why:+: $why} | - |"
			all_pass=0
		fi
	done
} >"$dir/matrix.md"
cat "$dir/matrix.md"
echo "matrix: ${#cells[@]} cells, $jobs at once, wall $wall s; results and logs in $dir"
[ "$all_pass" = 1 ] || exit 1
