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
	grep -q "<source path='$T/run/ktap.txt'/>" "$T/domain.xml"
}

@test "KVM domain without NICs validates" {
	VM_ACCEL=kvm VM_NET=none render
	virt-xml-validate "$T/domain.xml" domain
	grep -q "<domain type='kvm'" "$T/domain.xml"
	grep -q "<cpu mode='host-passthrough'/>" "$T/domain.xml"
	! grep -q '<interface' "$T/domain.xml"
}

@test "test selection and odd characters are escaped into valid XML" {
	VM_ACCEL=tcg VM_NET=none ZCRX_TESTS='query,arm' VM_CMDLINE='console=ttyS0 a=<b>&"c"' render
	virt-xml-validate "$T/domain.xml" domain
	grep -q 'a=&lt;b&gt;&amp;&quot;c&quot;.*zcrx.tests=query,arm' "$T/domain.xml"
}
