#!/usr/bin/env bats
# render-domain.sh: the libvirt domain for the zcrx-vmtest machine is valid
# libvirt XML (virt-xml-validate) and carries the same machine as backends/qemu.sh.

setup() {
	S="$BATS_TEST_DIRNAME/../render-domain.sh"
	T="$BATS_TEST_TMPDIR"
	: >"$T/bzImage"
	: >"$T/initrd"
}

render() { "$S" "$T/bzImage" "$T/initrd" "$T/run" zcrx-vmtest-lv-test >"$T/domain.xml"; }

@test "TCG domain with multiqueue NICs validates" {
	VM_ACCEL=tcg VM_NET=tap render
	virt-xml-validate "$T/domain.xml" domain
	grep -q "<domain type='qemu'" "$T/domain.xml"
	[ "$(grep -c "<driver name='qemu' queues='4'/>" "$T/domain.xml")" -eq 2 ]
	grep -q "<mac address='52:54:00:7a:00:01'/>" "$T/domain.xml"
	grep -q "isa-debug-exit,iobase=0xf4,iosize=0x04" "$T/domain.xml"
	# the result channel: ttyS1 and the virtio-serial port, both appending
	[ "$(grep -c "<source path='$T/run/ktap.txt' append='on'/>" "$T/domain.xml")" -eq 2 ]
	grep -q "<target type='virtio' name='org.zcrx-vmtest.results'/>" "$T/domain.xml"
}

@test "KVM domain without NICs validates" {
	VM_ACCEL=kvm VM_NET=none render
	virt-xml-validate "$T/domain.xml" domain
	grep -q "<domain type='kvm'" "$T/domain.xml"
	grep -q "<cpu mode='host-passthrough'/>" "$T/domain.xml"
	! grep -q '<interface' "$T/domain.xml" || false
}

@test "test selection and odd characters are escaped into valid XML" {
	VM_ACCEL=tcg VM_NET=none ZCRX_TESTS='query,arm' VM_CMDLINE='console=ttyS0 a=<b>&"c"' render
	virt-xml-validate "$T/domain.xml" domain
	grep -q 'a=&lt;b&gt;&amp;&quot;c&quot;.*zcrx.tests=query,arm' "$T/domain.xml"
}

@test "vm-run's image, shared directory and terminal pipe validate" {
	: >"$T/image.erofs"
	mkdir -p "$T/share"
	VM_ACCEL=tcg VM_NET=none VM_DISK="$T/image.erofs" VM_SHARE="$T/share" \
		VIRTIOFSD=/usr/lib/qemu/virtiofsd VM_RUN_PIPE="$T/run.pipe" render
	virt-xml-validate "$T/domain.xml" domain
	grep -q "<source file='$T/image.erofs'/>" "$T/domain.xml"
	grep -A4 "<disk type='file'" "$T/domain.xml" | grep -q '<readonly/>'
	grep -q "<driver type='virtiofs'/>" "$T/domain.xml"
	grep -q "<source dir='$T/share'/>" "$T/domain.xml"
	grep -q "<target dir='zcrx-share'/>" "$T/domain.xml"
	grep -q "<access mode='shared'/>" "$T/domain.xml"
	grep -B1 "<source path='$T/run.pipe'/>" "$T/domain.xml" | grep -q "<serial type='pipe'>"
	grep -A1 "<source path='$T/run.pipe'/>" "$T/domain.xml" | grep -q "<target port='2'/>"
}

@test "the suite's domain has no vm-run devices" {
	VM_ACCEL=tcg VM_NET=none render
	! grep -qE '<disk|<filesystem|<memoryBacking|serial type=.pipe' "$T/domain.xml" || false
}
