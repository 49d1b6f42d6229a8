#!/usr/bin/env bats
# lava/jobs.sh --render and lava/validate.sh: the LAVA jobs come from the
# machine of the qemu backend (vm/machine.conf), pass LAVA's own schema
# (Debian's lava-common), point at LAVA_ARTIFACT_URL with the artifacts'
# checksums; bad input (an unknown device type, a bad URL or device name,
# no artifacts, a device type the lab does not have, an unreachable lab, a
# job LAVA rejects) is refused in one line and leaves the jobs as they were.

setup() {
	T="$BATS_TEST_TMPDIR"
	J="$BATS_TEST_DIRNAME/../lava/jobs.sh"
	VAL="$BATS_TEST_DIRNAME/../lava/validate.sh"
	mkdir -p "$T/bin" "$T/stub" "$T/out/artifacts"
	ln -s "$BATS_TEST_DIRNAME/fixtures/lavacli-stub" "$T/bin/lavacli"
	export PATH="$T/bin:$PATH" LAVACLI_STUB_DIR="$T/stub" LAVA_OUT="$T/out"
	export BUILD_DIR="$T/build" RESULTS_DIR="$T/results"
	unset LAVA_IDENTITY LAVA_ARTIFACT_URL LAVA_DEVICE_TYPE LAVA_HW_DEVICE_TYPE LAVA_RUNNERS
	unset KERNEL KSRC KCONFIG TESTS ZCRX_TESTS VM VM_MEM_MB VM_CMDLINE VM_TIMEOUT VM_TEST_TIMEOUT HW_TIMEOUT ZCRX_RETRY ZCRX_JOBS VM_GCOV
	export VM_ACCEL=tcg VM_CPUS=2
	echo kernel >"$T/out/artifacts/bzImage"
	echo initramfs >"$T/out/artifacts/initramfs.cpio"
	cat >"$T/out/artifacts/artifact.env" <<'E'
KREL=7.3.4+deb13-cloud-amd64
KDESC=Debian\ linux-binary-7.3.4+deb13-cloud-amd64
KPKG=linux-binary-7.3.4+deb13-cloud-amd64\ 7.3.4-1
CONFIG_SHA256=
UAPI_PKG=linux-libc-dev\ 7.3.4-1
URING_PKG=liburing-dev\ 2.15-1
SUITE_VERSION=abc1234
TESTS=
E
}

y() { /usr/bin/python3 -c 'import json, sys, yaml; json.dump(yaml.safe_load(open(sys.argv[1])), sys.stdout)' "$1"; }

@test "the VM job: the machine's QEMU options, our kernel and initramfs, the monitor; valid for LAVA" {
	run "$J" --render
	echo "$output"
	[ "$status" -eq 0 ]
	q="$T/out/qemu.yaml"
	run "$VAL" "$q" "$T/out/health-checks/qemu.yaml"
	[ "$status" -eq 0 ]
	y "$q" >"$T/q.json"
	[ "$(jq -r .device_type "$T/q.json")" = qemu ]
	[ "$(jq -c '.context | {arch, memory, no_kvm, netdevice}' "$T/q.json")" = '{"arch":"amd64","memory":1024,"no_kvm":1,"netdevice":"none"}' ]
	opts=$(jq -r '.context.extra_options | join(" ")' "$T/q.json")
	for o in "-machine q35" "-smp 2" "-accel tcg" "-no-reboot" "-serial stdio" \
		"-device isa-debug-exit,iobase=0xf4,iosize=0x04" \
		"-netdev hubport,hubid=1,id=n0 -device virtio-net-pci,netdev=n0,mac=52:54:00:7a:00:01,mq=off" \
		"-netdev hubport,hubid=1,id=n1 -device virtio-net-pci,netdev=n1,mac=52:54:00:7a:00:02,mq=off"; do
		[[ " $opts " == *" $o "* ]] || { echo "missing: $o"; return 1; }
	done
	[ "$(jq -r '.actions[0].deploy.images.kernel.url' "$T/q.json")" = "file://$T/out/artifacts/bzImage" ]
	[ "$(jq -r '.actions[0].deploy.images.kernel.sha256sum' "$T/q.json")" = "$(sha256sum "$T/out/artifacts/bzImage" | cut -d' ' -f1)" ]
	[ "$(jq -r '.actions[0].deploy.images.ramdisk.image_arg' "$T/q.json")" = "-initrd {ramdisk}" ]
	[ "$(jq -r '.actions[0].deploy.images.kernel.image_arg' "$T/q.json")" = \
		'-kernel {kernel} -append "console=ttyS0,115200 rdinit=/init panic=-1 net.ifnames=0 mitigations=off zcrx.timeout=300 zcrx.lava=1"' ]
	[ "$(jq -r '.actions[2].test.monitors[0] | "\(.name) \(.start) \(.end)"' "$T/q.json")" = "zcrx zcrx-lava: start end exit=[01]" ]
	[ "$(jq -r '.actions[2].test.timeout.seconds' "$T/q.json")" = 600 ]
	[ "$(jq -r '.metadata["zcrx.kernel.release"]' "$T/q.json")" = 7.3.4+deb13-cloud-amd64 ]
	jq -e '.metadata["zcrx.rows"] | test("__ROW")' "$T/q.json"
	[ ! -e "$T/out/hw-"* ]
}

@test "the monitor's pattern: every case line and the end line, with LAVA's results" {
	run "$J" --render
	pat=$(y "$T/out/qemu.yaml" | jq -r '.actions[2].test.monitors[0].pattern')
	/usr/bin/python3 - "$pat" <<'P'
import re, sys
p = re.compile(sys.argv[1])
for line, want in [
        ("zcrx-lava: case=register.bad.no_defer__R02.rejected result=pass", ("register.bad.no_defer__R02.rejected", "pass")),
        ("[    8.1] zcrx-lava: case=nic_zc.zc.a__T04_E01 result=skip", ("nic_zc.zc.a__T04_E01", "skip")),
        ("zcrx-lava: case=q.global.x__Q01 result=fail", ("q.global.x__Q01", "fail")),
        ("zcrx-lava: end exit=1", ("end", "1")),
        ("zcrx-lava: case=q.x result=pas", None), ("zcrx-lava: start", None)]:
    m = p.search(line)
    got = (m.group("test_case_id"), m.group("result")) if m else None
    assert got == want, (line, got, want)
    # the match ends before the case id: the rest of the line is left to
    # the end pattern, which only the end line has
    assert not m or "end exit" not in line[m.end():] or line.endswith("exit=1")
P
}

@test "LAVA_ARTIFACT_URL, VM_ACCEL=kvm, TESTS, VM_CPUS and VM_MEM_MB reach the job" {
	sed -i 's/^TESTS=$/TESTS=query,register/' "$T/out/artifacts/artifact.env"
	LAVA_ARTIFACT_URL=https://lab.example/zcrx/7.3/ VM_ACCEL=kvm VM_CPUS=4 VM_MEM_MB=2048 run "$J" --render
	[ "$status" -eq 0 ]
	y "$T/out/qemu.yaml" >"$T/q.json"
	[ "$(jq -r '.actions[0].deploy.images.ramdisk.url' "$T/q.json")" = https://lab.example/zcrx/7.3/initramfs.cpio ]
	[ "$(jq -c '.context | [.no_kvm, .memory]' "$T/q.json")" = '[0,2048]' ]
	opts=$(jq -r '.context.extra_options | join(" ")' "$T/q.json")
	[[ $opts == *"-smp 4"* && $opts != *"-accel tcg"* ]]
	jq -r '.actions[0].deploy.images.kernel.image_arg' "$T/q.json" | grep -q ' zcrx.tests=query,register '
}

@test "bare-metal runners: a hw-test job and a health check each, tagged; the device type's health check" {
	LAVA_RUNNERS="lab3-eth2 lab4-ens1" LAVA_HW_DEVICE_TYPE=zcrx-hw run "$J" --render
	echo "$output"
	[ "$status" -eq 0 ]
	for f in hw-lab3-eth2 hw-lab4-ens1 health-lab3-eth2 health-lab4-ens1 health-checks/zcrx-hw health-checks/qemu; do
		[ -f "$T/out/$f.yaml" ] || { echo "no $f.yaml"; return 1; }
	done
	run "$VAL" "$T/out"/*.yaml "$T/out"/health-checks/*.yaml
	[ "$status" -eq 0 ]
	y "$T/out/hw-lab3-eth2.yaml" >"$T/h.json"
	[ "$(jq -c '[.device_type, .tags]' "$T/h.json")" = '["zcrx-hw",["lab3-eth2"]]' ]
	steps=$(jq -r '.actions[2].test.definitions[0].repository.run.steps | join("\n")' "$T/h.json")
	grep -q 'ZCRX_RUNNER=lab3-eth2 NET_CONFIG=/etc/zcrx/net.config .*make hw-test' <<<"$steps"
	grep -q "$(sha256sum "$T/out/artifacts/zcrx-vmtest.tar.gz" | cut -d' ' -f1)  zcrx-vmtest.tar.gz" <<<"$steps"
	grep -q 'host-scripts/lava/hw-cases.sh results/lava/results.json' <<<"$steps"
	tar -tzf "$T/out/artifacts/zcrx-vmtest.tar.gz" | grep -qx 'zcrx-vmtest/host-scripts/lava/hw-cases.sh'
	# the device type's health check names no runner
	! grep -q ZCRX_RUNNER "$T/out/health-checks/zcrx-hw.yaml" || false
}

@test "with LAVA_IDENTITY the device types must exist in that lab" {
	echo '[{"name": "qemu", "devices": 2}, {"name": "zcrx-hw", "devices": 1}]' >"$T/stub/types.json"
	LAVA_IDENTITY=lab LAVA_RUNNERS=lab3 LAVA_HW_DEVICE_TYPE=zcrx-hw run "$J" --render
	[ "$status" -eq 0 ]
	grep -q 'device-types list --json' "$T/stub/calls"
	cp -r "$T/out" "$T/before"
	LAVA_IDENTITY=lab LAVA_RUNNERS=lab3 LAVA_HW_DEVICE_TYPE=x86-mlx5 run "$J" --render
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	[ "${lines[0]}" = "zcrx-vmtest: error: device type x86-mlx5: unknown in the lab of LAVA_IDENTITY=lab (it has: qemu zcrx-hw )" ]
	diff -r "$T/before" "$T/out"
	touch "$T/stub/unreachable"
	LAVA_IDENTITY=lab run "$J" --render
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ ${lines[0]} == "zcrx-vmtest: error: lavacli -i lab device-types list --json: Unable to connect: "* ]]
}

# refused KNOB=VALUE... SUBSTRING: one line, exit 1, no job written
refused() {
	local want=${*: -1}
	run env "${@:1:$#-1}" "$J" --render
	echo "status=$status output=$output"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ ${lines[0]} == "zcrx-vmtest: error: "*"$want"* ]]
	[ ! -e "$T/out/qemu.yaml" ]
}

@test "bad input: one line each, no job" {
	refused LAVA_DEVICE_TYPE=beaglebone-black "LAVA_DEVICE_TYPE=beaglebone-black: unknown device type for the VM job"
	refused LAVA_HW_DEVICE_TYPE='x 86' "not a LAVA device type name"
	refused LAVA_RUNNERS='lab3:eth2' "LAVA_RUNNERS: 'lab3:eth2' is not a LAVA device name"
	refused LAVA_ARTIFACT_URL=lab.example/zcrx "expected an http://, https:// or file:// URL"
	refused "LAVA_ARTIFACT_URL=http://lab.example/a b" "expected an http://, https:// or file:// URL"
	refused VM_CPUS=0 "VM_CPUS=0: expected an integer >= 1"
	refused VM_ACCEL=xen "VM_ACCEL=xen: expected one of"
	refused VM_GCOV=1 "VM_GCOV=1: a LAVA job has no gcov serial port"
	rm "$T/out/artifacts/initramfs.cpio"
	refused LAVA_RUNNERS= "no $T/out/artifacts/initramfs.cpio: run lava/jobs.sh without --render first"
}

@test "validate.sh: LAVA's schema rejects a job in one line per job, names the place" {
	run "$J" --render
	sed 's/^    to: tmpfs$/    to: tmpfs\n    flash: always/' "$T/out/qemu.yaml" >"$T/bad1.yaml"
	sed 's/^visibility: public$/visibility: everyone/' "$T/out/qemu.yaml" >"$T/bad2.yaml"
	run "$VAL" "$T/bad1.yaml" "$T/out/qemu.yaml" "$T/bad2.yaml"
	echo "$output"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 2 ]
	[ "${lines[0]}" = "zcrx-vmtest: error: $T/bad1.yaml: LAVA's schema rejects it: extra keys not allowed at actions[0]/deploy/tmpfs/flash" ]
	[[ ${lines[1]} == "zcrx-vmtest: error: $T/bad2.yaml: LAVA's schema rejects it: "*"visibility"* ]]
	echo 'not: [valid' >"$T/bad3.yaml"
	run "$VAL" "$T/bad3.yaml"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
}
