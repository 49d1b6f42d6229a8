# shellcheck shell=bash
# Every knob a user can type, checked before anything slow (no download,
# no build, no boot, no directory under results/): one line each through
# die(), naming the knob as the user typed it. Source after lib.sh.

# knob_uint NAME VALUE MIN: VALUE is an integer >= MIN (empty: unset, fine).
knob_uint() {
	local name=$1 v=$2 min=$3
	[ -n "$v" ] || return 0
	if ! [[ $v =~ ^[0-9]+$ ]] || [ "$((10#$v))" -lt "$min" ]; then
		die "$name=$v: expected an integer >= $min"
	fi
}

knob_choice() { # knob_choice NAME VALUE CHOICE...
	local name=$1 v=$2 c
	shift 2
	for c; do [ "$v" = "$c" ] && return 0; done
	die "$name=$v: expected one of: $*"
}

# The test binaries a user may name: the guest Makefile's lists.
known_tests() {
	make -s --no-print-directory -C "$ZCRX_TOP/guest-tests" list-tests
}

# preflight_tests KNOB VALUE: a comma list of known test binaries.
preflight_tests() {
	local knob=$1 v=$2 t known
	[ -n "$v" ] || return 0
	[[ $v =~ ^[A-Za-z0-9_]+(,[A-Za-z0-9_]+)*$ ]] ||
		die "$knob='$v': expected a comma list of test binaries without spaces or patterns (make list-tests)"
	known=" $(known_tests | tr '\n' ' ') "
	for t in ${v//,/ }; do
		[[ $known == *" $t "* ]] || die "$knob: no test binary '$t' (known: ${known# })"
	done
}

preflight_dir() { # preflight_dir KNOB DIR: DIR exists or can be made
	if ! own_dir "$2" 2>/dev/null || [ ! -w "$2" ]; then
		die "$1=$2: cannot create or write that directory"
	fi
}

# preflight_table: every knob of host-scripts/knobs.tsv that is set gets
# the check its row names (uint MIN, choice A|B|...).
preflight_table() {
	local name check v
	while IFS=$'\t' read -r name _ check _; do
		v=${!name:-}
		[ -n "$v" ] || continue
		case $check in
		uint\ *) knob_uint "$name" "$v" "${check#uint }" ;;
		choice\ *)
			local -a c
			IFS='|' read -r -a c <<<"${check#choice }"
			knob_choice "$name" "$v" "${c[@]}"
			;;
		esac
	done < <(grep -v '^#' "$ZCRX_TOP/host-scripts/knobs.tsv")
}

# preflight_backend NAME: VM=NAME names a file in host-scripts/backends/.
preflight_backend() {
	local b=$1 known
	if ! [[ $b =~ ^[a-z0-9_-]+$ ]] || [ ! -f "$ZCRX_TOP/host-scripts/backends/$b.sh" ]; then
		known=$(find "$ZCRX_TOP/host-scripts/backends" -maxdepth 1 -name '*.sh' -printf '%f\n' |
			sed 's/\.sh$//' | sort | tr '\n' ' ')
		die "VM=$b: expected one of: ${known% }"
	fi
}

# preflight_sinks LIST: every name in ZCRX_SINKS is a file in host-scripts/sinks/.
preflight_sinks() {
	local s
	for s in $1; do
		if ! [[ $s =~ ^[a-z0-9_-]+$ ]] || [ ! -f "$ZCRX_TOP/host-scripts/sinks/$s.sh" ]; then
			die "ZCRX_SINKS: no result sink '$s' (host-scripts/sinks/*.sh: $(find "$ZCRX_TOP/host-scripts/sinks" -maxdepth 1 -name '*.sh' -printf '%f ' | sed 's/\.sh//g'))"
		fi
	done
}

# preflight_vm_test suite|run: the knobs of make vm-test (and everything
# built on it): "suite"; "run" for vm-run/vm-shell, which run no test binary.
preflight_vm_test() {
	local tests_knob=ZCRX_TESTS timeout_default
	[ -z "${TESTS:-}" ] || tests_knob=TESTS
	preflight_table
	preflight_backend "${VM:-qemu}"
	preflight_sinks "${ZCRX_SINKS-sqlite}"
	if [ "${VM_ACCEL:-auto}" = kvm ] && ! { [ -r /dev/kvm ] && [ -w /dev/kvm ]; }; then
		die "VM_ACCEL=kvm: /dev/kvm is missing or not usable here (use VM_ACCEL=tcg or auto)"
	fi
	# The whole-VM limit must leave room for the per-test limit to fire.
	if [ "${VM_ACCEL:-auto}" = kvm ] || { [ "${VM_ACCEL:-auto}" = auto ] && [ -r /dev/kvm ] && [ -w /dev/kvm ]; }; then
		timeout_default=$VM_TIMEOUT_KVM
	else
		timeout_default=$VM_TIMEOUT_TCG
	fi
	if [ "${1:-}" != run ] && [ "$((10#${VM_TIMEOUT:-$timeout_default}))" -le "$((10#$VM_TEST_TIMEOUT))" ]; then
		die "VM_TIMEOUT=${VM_TIMEOUT:-$timeout_default} must be larger than VM_TEST_TIMEOUT=$VM_TEST_TIMEOUT (the per-test limit could never fire)"
	fi
	preflight_tests "$tests_knob" "${ZCRX_TESTS:-}"
	if [ -n "${KSRC:-}" ] && [ -n "${KERNEL:-}" ]; then
		die "KERNEL=$KERNEL and KSRC=$KSRC: give one of them"
	fi
	if [ -n "${KCONFIG:-}" ]; then
		[ -n "${KSRC:-}" ] || die "KCONFIG=$KCONFIG applies to kernels built from source: add KSRC=debian or KSRC=/path/to/tree"
	fi
	if [ "${VM_GCOV:-0}" = 1 ] && [ "${VM:-qemu}" != qemu ]; then
		die "VM_GCOV=1 (make kcov-report) needs VM=qemu: the gcov serial port is QEMU's"
	fi
	if [ -n "${VM_BIOS:-}" ]; then
		[ -f "$VM_BIOS" ] || die "VM_BIOS=$VM_BIOS: no such file (e.g. /usr/share/qemu/qboot.rom)"
		[ "${VM:-qemu}" = qemu ] || die "VM_BIOS=$VM_BIOS needs VM=qemu"
	fi
	if [ -n "${MODULES:-}" ]; then
		[[ ${KERNEL:-} == */* ]] || die "MODULES=$MODULES goes with KERNEL=/path/to/bzImage (Debian kernels bring their own modules)"
		[ -d "$MODULES" ] || die "MODULES=$MODULES: no such directory"
	fi
	if [ -n "${KERNEL:-}" ] && [[ $KERNEL != */* ]] && [ ! -e "$KERNEL" ] &&
		! [[ $KERNEL =~ ^[0-9]+\.[0-9]+(\.[0-9]+)?$ ]]; then
		die "KERNEL=$KERNEL: expected a Debian kernel version (e.g. 7.3, 7.0.13) or a path to a bzImage"
	fi
	if [ -n "${KERNEL:-}" ] && [[ $KERNEL == */* ]] && [ ! -f "$KERNEL" ]; then
		die "KERNEL=$KERNEL: no such file"
	fi
	if [ -n "${KSRC:-}" ] && [ "$KSRC" != debian ]; then
		[ -d "$KSRC" ] || die "KSRC=$KSRC: no such directory (or 'debian')"
		[ -f "$KSRC/io_uring/zcrx.c" ] || die "KSRC=$KSRC: not a kernel tree with io_uring zcrx (no io_uring/zcrx.c)"
	fi
	if [ -n "${QEMU:-}" ]; then
		command -v "$QEMU" >/dev/null 2>&1 || die "QEMU=$QEMU: not found"
	fi
	preflight_dir BUILD_DIR "$BUILD_DIR"
	preflight_dir RESULTS_DIR "$RESULTS_DIR"
}
