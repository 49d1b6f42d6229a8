#!/usr/bin/env bash
# make lava-jobs: LAVA job definitions for this platform (docs/lab.md),
# rendered into LAVA_OUT (default build/lava/jobs/) from the machine of
# the qemu backend (vm/machine.conf, vm-common.sh):
#   artifacts/bzImage, artifacts/initramfs.cpio  the kernel (KERNEL=, KSRC=,
#        KCONFIG= as for make vm-test) and the suite's initramfs (TESTS=),
#        prepared as make vm-test prepares them; artifacts/artifact.env
#        says what they are; artifacts/zcrx-vmtest.tar.gz (with
#        LAVA_RUNNERS): the project's files for the bare-metal jobs
#   qemu.yaml          the suite in QEMU on a LAVA_DEVICE_TYPE (qemu) device:
#                      the kernel and initramfs deployed to tmpfs from
#                      LAVA_ARTIFACT_URL, the machine's QEMU options, every
#                      case a LAVA test case (the "zcrx-lava:" console lines,
#                      zcrx.lava=1) and "end", the suite's exit
#   hw-DEVICE.yaml     per device of LAVA_RUNNERS: make hw-test on it (a
#                      LAVA_HW_DEVICE_TYPE device reached by ssh) with its
#                      /etc/zcrx/net.config, each case a LAVA test case
#   health-DEVICE.yaml that device's health check, tagged with its name
#   health-checks/TYPE.yaml  the health check of each device type, the
#                      file a lava-server reads (dispatcher-config/health-checks/)
# Every job is checked with LAVA's own schema (lava/validate.sh) before it
# is kept. With LAVA_IDENTITY set, the device types must exist in that lab.
#   usage: lava/jobs.sh            prepare the artifacts, then render
#          lava/jobs.sh --render   render for the artifacts already in LAVA_OUT
# Exit: 0; 1 bad input (one line: an unknown device type, a bad knob, a
# job LAVA's schema rejects, an unreachable lab) or a failed build.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
. "$ZCRX_TOP/vm/machine.conf"
. "$ZCRX_TOP/host-scripts/preflight.sh"
. "$ZCRX_TOP/host-scripts/vm-common.sh"
. "$ZCRX_TOP/host-scripts/lava/cli.sh"

render_only=0
case ${1:-} in
'') ;;
--render) render_only=1 ;;
*) die "usage: lava/jobs.sh [--render]" ;;
esac
KERNEL=${KERNEL:-}
ZCRX_TESTS=${ZCRX_TESTS:-${TESTS:-}}
out=$(abs_dir LAVA_OUT "${LAVA_OUT:-}" "$BUILD_DIR/lava/jobs")
art="$out/artifacts"
dtype=${LAVA_DEVICE_TYPE:-qemu}
hw_dtype=${LAVA_HW_DEVICE_TYPE:-ssh}
runners=${LAVA_RUNNERS:-}
url=${LAVA_ARTIFACT_URL:-file://$art}
url=${url%/}

# 0. every knob before anything slow (VM_ACCEL=kvm is for the lab's
# workers: this machine need not have KVM)
[ -z "${VM_ACCEL:-}" ] || knob_choice VM_ACCEL "$VM_ACCEL" auto kvm tcg
VM_ACCEL='' preflight_vm_test suite
[ "${VM_GCOV:-0}" = 0 ] || die "VM_GCOV=1: a LAVA job has no gcov serial port (make kcov-report runs here)"
[ "$dtype" = qemu ] ||
	die "LAVA_DEVICE_TYPE=$dtype: unknown device type for the VM job: expected qemu (the job's QEMU options are written for LAVA's qemu.jinja2)"
lava_name='^[A-Za-z0-9][A-Za-z0-9_.-]*$'
[[ $hw_dtype =~ $lava_name ]] || die "LAVA_HW_DEVICE_TYPE=$hw_dtype: not a LAVA device type name"
for r in $runners; do
	[[ $r =~ $lava_name ]] || die "LAVA_RUNNERS: '$r' is not a LAVA device name (letters, digits, ._-)"
done
[[ $url =~ ^(https?|file)://[^[:space:]\'\"]+$ ]] ||
	die "LAVA_ARTIFACT_URL=$url: expected an http://, https:// or file:// URL without spaces or quotes"
if [ -n "${LAVA_IDENTITY:-}" ]; then
	types=$(lava_cli device-types list --json | jq -r '.[].name')
	for t in "$dtype" ${runners:+"$hw_dtype"}; do
		grep -qxF -- "$t" <<<"$types" ||
			die "device type $t: unknown in the lab of LAVA_IDENTITY=$LAVA_IDENTITY (it has: $(tr '\n' ' ' <<<"$types"))"
	done
fi

# 1. the artifacts, prepared as make vm-test prepares a run
if [ "$render_only" = 0 ]; then
	. "$ZCRX_TOP/host-scripts/vm-prepare.sh"
	vm_prepare_suite
	. "$ZCRX_TOP/host-scripts/report/results.sh"
	own_dir "$out"
	mkdir -p "$art"
	cp "$VMLINUZ" "$art/bzImage.tmp" && mv "$art/bzImage.tmp" "$art/bzImage"
	cp "$initrd" "$art/initramfs.cpio.tmp" && mv "$art/initramfs.cpio.tmp" "$art/initramfs.cpio"
	{
		printf 'KREL=%q\nKDESC=%q\nKPKG=%q\n' "$KREL" "$KDESC" "${KPKG:-}"
		printf 'CONFIG_SHA256=%q\n' "$(results_config_hash "$VMLINUZ")"
		printf 'UAPI_PKG=%q\nURING_PKG=%q\n' "${UAPI_PKG:-}" "${URING_PKG:-}"
		printf 'SUITE_VERSION=%q\n' "$(git -C "$ZCRX_TOP" describe --always --dirty 2>/dev/null || echo unknown)"
		printf 'TESTS=%q\n' "$ZCRX_TESTS"
	} >"$art/artifact.env"
	log "artifacts: $art (serve them at LAVA_ARTIFACT_URL)"
fi
for f in bzImage initramfs.cpio artifact.env; do
	[ -f "$art/$f" ] || die "no $art/$f: run lava/jobs.sh without --render first (make lava-jobs)"
done
# shellcheck disable=SC1091
. "$art/artifact.env"
ZCRX_TESTS=$TESTS # the initramfs holds those binaries: the command line names them
if [ -n "$runners" ]; then
	# the project as it is (tracked and new files), for make hw-test on a runner
	git -C "$ZCRX_TOP" ls-files -z --cached --others --exclude-standard |
		tar -C "$ZCRX_TOP" --ignore-failed-read --null -T - --transform 's,^,zcrx-vmtest/,' -czf "$art/zcrx-vmtest.tar.gz.tmp"
	mv "$art/zcrx-vmtest.tar.gz.tmp" "$art/zcrx-vmtest.tar.gz"
fi
(cd "$art" && sha256sum -- bzImage initramfs.cpio ${runners:+zcrx-vmtest.tar.gz} >SHA256SUMS)
sha() { awk -v f="$1" '$2 == f { print $1 }' "$art/SHA256SUMS"; }

# 2. the machine: accelerator, whole-run limit and kernel command line as
# the qemu backend decides them (vm_resolve); the NICs always on a QEMU hub
# (a tap needs root and a namespace on the worker; one queue each)
vm_resolve render
cmdline="$cmdline zcrx.lava=1"
[[ $cmdline != *[\'\"]* ]] || die "VM_CMDLINE: quotes cannot be passed in a LAVA image_arg"

# q STRING: STRING as a single-quoted YAML scalar
q() { printf "'%s'" "${1//\'/\'\'}"; }

# metadata common to every job: what the artifacts are, and how the case
# names carry the spec rows
metadata() {
	cat <<EOF
metadata:
  zcrx.suite_version: $(q "$SUITE_VERSION")
  zcrx.kernel.release: $(q "$KREL")
  zcrx.kernel.source: $(q "$KDESC")
  zcrx.kernel.package: $(q "$KPKG")
  zcrx.kernel.config_sha256: $(q "$CONFIG_SHA256")
  zcrx.toolchain.uapi: $(q "$UAPI_PKG")
  zcrx.toolchain.liburing: $(q "$URING_PKG")
  zcrx.tests: $(q "${TESTS:-all}")
  zcrx.cases: 'one LAVA test case per suite case, named BINARY.FIXTURE[.VARIANT].TEST as in the KTAP; LAVA lower-cases the name and keeps it verbatim in the case metadata (extra.test_case_id); "end" is the suite as a whole (exit 0 or 1)'
  zcrx.rows: 'a case name ends with __ROW[_ROW...]: the spec rows (docs/spec.md) the case establishes, e.g. __R02_R04 is R02 and R04'
  zcrx.results: 'host-scripts/sinks/lava.sh --job ID records the job in the results history (docs/lab.md)'
EOF
}

# the VM job
qemu_job() { # qemu_job JOB-NAME
	local -a opts=(-nodefaults -no-user-config -no-reboot "-machine $VM_MACHINE")
	local no_kvm=0
	if [ "$accel" = tcg ]; then
		no_kvm=1
		opts+=("-accel tcg" "-cpu max")
	fi
	opts+=("-smp $VM_CPUS" "-serial stdio" "-serial null"
		"-device isa-debug-exit,iobase=0xf4,iosize=0x04"
		"-netdev hubport,hubid=1,id=n0" "-device $VM_NIC_MODEL,netdev=n0,mac=$VM_NIC_LOCAL_MAC,mq=off"
		"-netdev hubport,hubid=1,id=n1" "-device $VM_NIC_MODEL,netdev=n1,mac=$VM_NIC_REMOTE_MAC,mq=off")
	cat <<EOF
# zcrx-vmtest: the suite in QEMU (lava/jobs.sh, docs/lab.md). The device's
# own NIC (qemu.jinja2's -net nic) is left unconnected (netdevice: none);
# the suite's two ports are joined on QEMU hub 1, nothing else on it.
device_type: $(q "$dtype")
job_name: $(q "$1")
timeouts:
  job: {seconds: $((timeout_s + 900))}
  connection: {seconds: $timeout_s}
priority: medium
visibility: public
context:
  arch: amd64
  memory: $VM_MEM_MB
  no_kvm: $no_kvm
  netdevice: none
  extra_options:
EOF
	local o
	for o in "${opts[@]}"; do printf '  - %s\n' "$(q "$o")"; done
	metadata
	printf '  zcrx.machine: %s\n' "$(q "$VM_MACHINE, $VM_CPUS vCPUs, $VM_MEM_MB MiB, $accel, 2 $VM_NIC_MODEL ports on a QEMU hub")"
	printf '  zcrx.accel: %s\n  zcrx.cpus: %s\n' "$(q "$accel")" "$(q "$VM_CPUS")"
	cat <<EOF
actions:
- deploy:
    to: tmpfs
    timeout: {minutes: 10}
    images:
      kernel:
        url: $(q "$url/bzImage")
        sha256sum: $(q "$(sha bzImage)")
        image_arg: $(q "-kernel {kernel} -append \"$cmdline\"")
      ramdisk:
        url: $(q "$url/initramfs.cpio")
        sha256sum: $(q "$(sha initramfs.cpio)")
        image_arg: '-initrd {ramdisk}'
- boot:
    method: qemu
    media: tmpfs
    timeout: {minutes: 2}
- test:
    timeout: {seconds: $timeout_s}
    monitors:
    - name: zcrx
      start: 'zcrx-lava: start'
      end: 'end exit=[01]'
      pattern: 'zcrx-lava: (?=(?:case=)?(?P<test_case_id>[A-Za-z0-9_.-]+) (?:result|exit)=(?P<result>pass|fail|skip|[01])\b)'
      fixupdict: {'0': pass, '1': fail}
EOF
}

# a bare-metal job: make hw-test on the device itself
hw_job() { # hw_job JOB-NAME [DEVICE]: DEVICE: tagged with it, named the runner
	local hw_tmo=$((${HW_TIMEOUT:-1800} + 900)) runner_env=''
	[ -z "${2:-}" ] || runner_env="ZCRX_RUNNER=$2 "
	cat <<EOF
# zcrx-vmtest: make hw-test on a bare-metal runner (lava/jobs.sh,
# docs/lab.md, docs/runners.md). The runner keeps its network in
# /etc/zcrx/net.config; LAVA reaches it by ssh.
device_type: $(q "$hw_dtype")
job_name: $(q "$1")
timeouts:
  job: {seconds: $((hw_tmo + 900))}
  connection: {seconds: $hw_tmo}
priority: medium
visibility: public
EOF
	[ -z "${2:-}" ] || printf 'tags:\n- %s\n' "$(q "$2")"
	metadata
	[ -z "${2:-}" ] || printf '  zcrx.runner: %s\n' "$(q "$2")"
	cat <<EOF
actions:
- deploy:
    to: ssh
    os: debian
    timeout: {minutes: 5}
- boot:
    method: ssh
    connection: ssh
    prompts: ['root@', '# ']
    timeout: {minutes: 5}
- test:
    timeout: {seconds: $hw_tmo}
    definitions:
    - from: inline
      name: zcrx-hw
      path: inline/zcrx-hw.yaml
      repository:
        metadata:
          format: Lava-Test Test Definition 1.0
          name: zcrx-hw
          description: 'make hw-test on the runner; each case a test case, with end (the run) and nic-restore'
        run:
          steps:
          - 'export ZCRX_LAVA_TREE=\$(mktemp -d /tmp/zcrx-lava.XXXXXX) && cd "\$ZCRX_LAVA_TREE"'
          - $(q "wget -q -O zcrx-vmtest.tar.gz $url/zcrx-vmtest.tar.gz || curl -fsSL -o zcrx-vmtest.tar.gz $url/zcrx-vmtest.tar.gz")
          - $(q "echo '$(sha zcrx-vmtest.tar.gz)  zcrx-vmtest.tar.gz' | sha256sum -c - && tar xzf zcrx-vmtest.tar.gz && cd zcrx-vmtest")
          - $(q "rc=0; ${runner_env}NET_CONFIG=/etc/zcrx/net.config RUN_NAME=lava RESULTS_DIR=\"\$PWD/results\" ZCRX_SINKS= HW_TIMEOUT=${HW_TIMEOUT:-1800} make hw-test || rc=\$?")
          - 'host-scripts/lava/hw-cases.sh results/lava/results.json "\$rc"'
          - 'cd / && rm -rf "\$ZCRX_LAVA_TREE"'
EOF
}

# 3. render into a staging directory; kept only when LAVA's schema takes all
own_dir "$out"
rstage=$(mktemp -d "$out/.render.XXXXXX")
at_exit_rm "$rstage"
mkdir -p "$rstage/health-checks"
qemu_job "zcrx-vmtest $KREL" >"$rstage/qemu.yaml"
qemu_job "zcrx-vmtest health-check $dtype" >"$rstage/health-checks/$dtype.yaml"
if [ -n "$runners" ]; then
	hw_job "zcrx-vmtest health-check $hw_dtype" >"$rstage/health-checks/$hw_dtype.yaml"
	for r in $runners; do
		hw_job "zcrx-vmtest hw-test $r" "$r" >"$rstage/hw-$r.yaml"
		hw_job "zcrx-vmtest health-check $r" "$r" >"$rstage/health-$r.yaml"
	done
fi
mapfile -t jobs < <(cd "$rstage" && find . -name '*.yaml' | sed 's,^\./,,' | sort)
(cd "$rstage" && "$ZCRX_TOP/host-scripts/lava/validate.sh" "${jobs[@]}") || exit 1
rm -f "$out"/*.yaml "$out"/health-checks/*.yaml
mkdir -p "$out/health-checks"
for j in "${jobs[@]}"; do mv "$rstage/$j" "$out/$j"; done
log "LAVA jobs ($KREL, $accel, artifacts at $url): $out/{$(printf '%s,' "${jobs[@]}" | sed 's/,$//')}"
