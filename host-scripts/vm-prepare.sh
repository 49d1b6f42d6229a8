# shellcheck shell=bash
# What every command that boots the guest prepares before the boot (make
# vm-test, make vm-run, make vm-shell): host tools, the kernel (fetched or
# built: its kernel.env), the guest's /init and the initramfs. Source after
# lib.sh and vm/machine.conf, once the knobs passed preflight.

# vm_prepare_start: the host tools, a staging directory ($stage; moved into
# the run directory when the VM starts, removed when the run stops earlier),
# a per-run initramfs path ($initrd_run, for a run that adds to the shared
# initramfs), and the prepare lock: what concurrent runs share (downloads,
# builds) is made under it.
vm_prepare_start() {
	if [ -z "${QEMU:-}" ]; then
		need_cmd qemu-system-x86_64 qemu-system-x86
	fi
	need_cmd gcc gcc
	need_cmd make make
	need_file /usr/lib/x86_64-linux-gnu/libc.a libc6-dev
	need_cmd jq jq
	need_cmd cpio cpio
	need_cmd xz xz-utils
	# the Debian kernels' payload: booted without their decompressor
	# (kernels/pvh.sh)
	[ "${VM_PVH:-auto}" = 0 ] || need_cmd zstd zstd
	need_cmd flock util-linux
	# the multiqueue tap network needs ip (root only; otherwise VM_NET=auto is hub)
	if is_root && [[ ${VM_NET:-auto} =~ ^(auto|tap)$ ]]; then
		need_cmd ip iproute2
	fi
	stage=$(mktemp -d "$BUILD_DIR/.run-stage.XXXXXX")
	at_exit_rm "$stage"
	initrd_run="$BUILD_DIR/initramfs/run-$$.cpio"
	at_exit_rm "$initrd_run"
	# Long steps run in the background (run_stoppable) so Ctrl-C or
	# SIGTERM takes effect at once, in any phase; their whole process tree
	# is stopped.
	stop_children_on_signal
	lock_take prepare "preparing its kernel and guest image"
}

# vm_prepare_kernel: fetch (KERNEL=) or build (KSRC=) the kernel; its
# kernel.env (VMLINUZ, MODROOT, KREL, ...; docs/design.md) is sourced.
vm_prepare_kernel() {
	if [ -n "${KSRC:-}" ]; then
		run_stoppable "$ZCRX_TOP/host-scripts/kernels/build-kernel.sh" "$stage/kernel.env"
	else
		KERNEL="${KERNEL:-}" run_stoppable "$ZCRX_TOP/host-scripts/kernels/fetch-kernel.sh" "$stage/kernel.env"
	fi
	# shellcheck disable=SC1091
	. "$stage/kernel.env"
}

vm_build_failed() {
	mkdir -p "$BUILD_DIR/logs"
	cp "$stage/build.log" "$BUILD_DIR/logs/guest-build.log"
	die "$1 failed; see $BUILD_DIR/logs/guest-build.log"
}

# vm_prepare_tests: the toolchain and the guest test binaries into
# $guest_out (ZCRX_TESTS=a,b: only those, in their own directory).
vm_prepare_tests() {
	local sel_make=()
	run_stoppable "$ZCRX_TOP/host-scripts/fetch-toolchain.sh"
	# shellcheck disable=SC1091
	. "$DEPS_DIR/toolchain.env"
	guest_out="$BUILD_DIR/guest"
	if [ -n "${ZCRX_TESTS:-}" ]; then
		guest_out="$BUILD_DIR/guest-$(printf '%s' "$ZCRX_TESTS" | tr -c 'A-Za-z0-9_' '_')"
		sel_make=(TESTS="${ZCRX_TESTS//,/ }")
	fi
	log "building guest tests and init"
	run_stoppable make -s -C "$ZCRX_TOP/guest-tests" OUT="$guest_out" "${sel_make[@]}" \
		UAPI_INC="$UAPI_INC" URING="$URING" KSFT_INC="$KSFT_INC" >"$stage/build.log" 2>&1 ||
		vm_build_failed "guest test build"
}

# initramfs_key TESTDIR MODULE_LISTS: names what mkinitramfs.sh would pack
# (the binaries by size and time, the small files by content, the modules'
# directory by path and time), so an unchanged initramfs is not packed again
initramfs_key() {
	local tests=$1 lists=$2 t
	{
		stat -c '%n %s %.9Y' "$BUILD_DIR/image/init"
		cat "$tests/order"
		while read -r t _; do
			[ -z "$t" ] || stat -c '%n %s %.9Y' "$tests/$t"
		done <"$tests/order"
		cat "$ZCRX_TOP"/vm/nic-profiles/* "$ZCRX_TOP/images/mkinitramfs.sh"
		# shellcheck disable=SC2086 # a space-separated list of files
		cat $lists
		[ -z "$MODROOT" ] || stat -c '%n %.9Y' "$MODROOT" "$MODROOT/kernel" "$MODROOT"/modules.dep 2>/dev/null || true
	} | sha256sum | cut -c1-16
}

# vm_prepare_initramfs TESTDIR [MODULE_LIST...]: the guest's /init, then
# the initramfs ($initrd) with the binaries of TESTDIR and the kernel's
# modules named in images/modules.list (and the extra lists). It is kept
# in $BUILD_DIR/initramfs/ by what it holds (initramfs_key) and packed only
# when that changed (0.2 s of every run, 23 MB); the 6 used last are kept.
# $initrd is the run's hard link to it ($initrd_run): never write to it
# (vm-run.sh makes a copy of its own first).
vm_prepare_initramfs() {
	local tests=$1 lists
	shift
	run_stoppable make -s -C "$ZCRX_TOP/images" OUT="$BUILD_DIR/image" >>"$stage/build.log" 2>&1 ||
		vm_build_failed "guest init build"
	mkdir -p "$BUILD_DIR/initramfs"
	lists="$ZCRX_TOP/images/modules.list $*"
	initrd="$BUILD_DIR/initramfs/$(initramfs_key "$tests" "$lists").cpio"
	if [ -f "$initrd" ]; then
		touch "$initrd"
	else
		IMAGE_MODULE_LISTS="$lists" \
			run_stoppable "$ZCRX_TOP/images/mkinitramfs.sh" "$initrd" "$BUILD_DIR/image/init" "$tests" "$MODROOT"
		# shellcheck disable=SC2012 # names are hex digits
		ls -t "$BUILD_DIR"/initramfs/[0-9a-f]*.cpio | tail -n +7 | xargs -r rm -f
	fi
	# the run's own name for it (a hard link, made under the prepare lock):
	# another run's pruning cannot take it away before QEMU reads it
	ln -f "$initrd" "$initrd_run" 2>/dev/null || cp "$initrd" "$initrd_run"
	initrd=$initrd_run
}

# vm_prepare_suite: all of it for a run of the suite (make vm-test, make
# lava-jobs): the tools, the kernel, the guest tests, the initramfs; the
# prepare lock dropped after.
vm_prepare_suite() {
	vm_prepare_start
	vm_prepare_kernel
	vm_prepare_tests
	vm_prepare_initramfs "$guest_out"
	lock_drop prepare
}
