#!/usr/bin/env bats
# host-scripts/matrix.sh with a stub vm-test (MATRIX_VM_TEST): bad knobs
# refused in one line before any cell runs; every kernel and config on
# every backend, each cell's knobs passed to vm-test; no more cells at
# once than MATRIX_JOBS; one table from the cells' results.json; a failed
# or missing cell makes the exit status 1.

setup() {
	T="$BATS_TEST_TMPDIR"
	M="$BATS_TEST_DIRNAME/../matrix.sh"
	export RESULTS_DIR="$T/results" BUILD_DIR="$T/build" MATRIX_VM_TEST="$T/vm-test"
	unset KERNELS CONFIGS VMS MATRIX_JOBS MATRIX_CELL_TIMEOUT VM_CPUS
	cat >"$T/vm-test" <<'S'
#!/bin/bash
# a cell: note it, count the cells running at once, write a results.json
T=$(dirname "$0")
echo "KERNEL=$KERNEL KSRC=$KSRC KCONFIG=$KCONFIG VM=$VM RUN_NAME=$RUN_NAME" >>"$T/cells"
exec 9>>"$T/lock"
flock 9; n=$(( $(cat "$T/now" 2>/dev/null || echo 0) + 1 )); echo "$n" >"$T/now"
[ "$n" -le "$(cat "$T/max" 2>/dev/null || echo 0)" ] || echo "$n" >"$T/max"; flock -u 9
sleep "${STUB_SLEEP:-0.3}"
flock 9; echo $(( $(cat "$T/now") - 1 )) >"$T/now"; flock -u 9
case "$KERNEL$KCONFIG" in
*"${STUB_NORUN:-none}"*) echo "zcrx-vmtest: error: cannot fetch it"; exit 1 ;;
esac
v=pass; f=0
case "$KERNEL$KCONFIG" in *"${STUB_FAIL:-none}"*) v=fail f=2 ;; esac
mkdir -p "$RESULTS_DIR/$RUN_NAME"
jq -n --arg v "$v" --argjson f "$f" '{verdict: $v, counts: {pass: 10, fail: $f, skip: 3, error: 0}, seconds: {wall: 12.5}}' \
	>"$RESULTS_DIR/$RUN_NAME/results.json"
[ "$v" = pass ]
S
	chmod +x "$T/vm-test"
}

refused() { # refused KNOB=VALUE... SUBSTRING: one line, exit 2, no cell ran
	local want=${*: -1}
	run env "${@:1:$#-1}" "$M"
	echo "status=$status output=$output"
	[ "$status" -eq 2 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ ${lines[0]} == "zcrx-vmtest: error: "*"$want"* ]]
	[ ! -e "$T/cells" ]
	[ ! -e "$RESULTS_DIR" ] || [ -z "$(find "$RESULTS_DIR" -name 'matrix-*')" ]
}

@test "bad knobs: one line, exit 2, nothing run" {
	refused KERNELS="7.3 latest" "KERNELS: 'latest' is not a Debian kernel version"
	refused CONFIGS=kasan "CONFIGS: 'kasan' is not a kernel config (lean or debug)"
	refused VMS="qemu xen" "VMS: 'xen' is not a backend (host-scripts/backends/: libvirt qemu)"
	refused VMS="../qemu" "VMS: '../qemu' is not a backend"
	refused MATRIX_JOBS=0 "MATRIX_JOBS=0: expected an integer >= 1"
	refused MATRIX_JOBS=two "MATRIX_JOBS=two: expected an integer >= 1"
	refused MATRIX_CELL_TIMEOUT=-1 "MATRIX_CELL_TIMEOUT=-1: expected an integer >= 1"
	refused VM_CPUS=0 "VM_CPUS=0: expected an integer >= 1"
	refused KERNELS= CONFIGS= "leave no cell to run"
	refused MATRIX_VM_TEST="$T/nothing" "MATRIX_VM_TEST=$T/nothing: not an executable"
}

@test "the default matrix: 7.3, 7.2, 7.0 and the lean build, on qemu; one table" {
	MATRIX_JOBS=1 run "$M"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(sed 's/RUN_NAME=matrix-[0-9-]*\//RUN_NAME=/' "$T/cells")" = "KERNEL=7.3 KSRC= KCONFIG= VM=qemu RUN_NAME=7.3-qemu
KERNEL=7.2 KSRC= KCONFIG= VM=qemu RUN_NAME=7.2-qemu
KERNEL=7.0 KSRC= KCONFIG= VM=qemu RUN_NAME=7.0-qemu
KERNEL= KSRC=debian KCONFIG=lean VM=qemu RUN_NAME=lean-qemu" ]
	[[ $output == *"| cell | pass | fail | skip | verdict | time (s) |"* ]]
	[[ $output == *"| lean-qemu | 10 | 0 | 3 | pass | 12.5 |"* ]]
	[[ ${lines[-1]} == "matrix: 4 cells, 1 at once, wall "*" s; results and logs in $RESULTS_DIR/matrix-"* ]]
	[ -f "$RESULTS_DIR"/matrix-*/matrix.md ]
}

@test "KERNELS x CONFIGS x VMS, default kernel, no more at once than MATRIX_JOBS" {
	KERNELS="default 7.2" CONFIGS="lean debug" VMS="qemu libvirt" MATRIX_JOBS=3 STUB_SLEEP=0.5 run "$M"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(wc -l <"$T/cells")" -eq 8 ]
	grep -q '^KERNEL= KSRC= KCONFIG= VM=libvirt RUN_NAME=matrix-.*/default-libvirt$' "$T/cells"
	grep -q '^KERNEL= KSRC=debian KCONFIG=debug VM=libvirt RUN_NAME=matrix-.*/debug-libvirt$' "$T/cells"
	[ "$(cat "$T/max")" -le 3 ]
	[ "$(cat "$T/max")" -ge 2 ]
}

@test "the default parallelism is the cores over VM_CPUS, at least one" {
	VM_CPUS=64 run "$M"
	[ "$status" -eq 0 ]
	[[ ${lines[-1]} == "matrix: 4 cells, 1 at once,"* ]]
	[ "$(cat "$T/max")" -eq 1 ]
}

@test "a failed cell and a cell that never ran: in the table, exit 1" {
	STUB_FAIL=7.2 STUB_NORUN=lean MATRIX_JOBS=2 run "$M"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *"| 7.2-qemu | 10 | 2 | 3 | fail | 12.5 |"* ]]
	[[ $output == *"| lean-qemu | - | - | - | no run: cannot fetch it | - |"* ]]
	[[ $output == *"| 7.3-qemu | 10 | 0 | 3 | pass | 12.5 |"* ]]
}
