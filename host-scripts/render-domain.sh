#!/usr/bin/env bash
# Render vm/libvirt-domain.xml.in for one run and print the domain XML.
#   usage: render-domain.sh KERNEL INITRD RUNDIR [NAME]
# Same machine as backends/qemu.sh (vm/machine.conf, VM_* knobs). With net=tap the
# interfaces use the taps zcrx-l/zcrx-r that backends/libvirt.sh creates in its
# private network namespace; "hub" has no libvirt equivalent and gives none.
# VM_DISK, VM_SHARE (VIRTIOFSD) and VM_RUN_PIPE add what vm-run needs.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$ZCRX_TOP/vm/machine.conf"
. "$ZCRX_TOP/host-scripts/vm-common.sh"

kernel=${1:?usage: render-domain.sh KERNEL INITRD RUNDIR [NAME]}
initrd=${2:?usage: render-domain.sh KERNEL INITRD RUNDIR [NAME]}
rundir=${3:?usage: render-domain.sh KERNEL INITRD RUNDIR [NAME]}
name=${4:-zcrx-vmtest-$$}
vm_resolve render

# XML-escape a value for an attribute or text node.
xml() { printf '%s' "$1" | sed 's/&/\&amp;/g; s/</\&lt;/g; s/>/\&gt;/g; s/"/\&quot;/g; s/'"'"'/\&apos;/g'; }

interfaces=
if [ "$net" = tap ]; then
	for port in "zcrx-l $VM_NIC_LOCAL_MAC" "zcrx-r $VM_NIC_REMOTE_MAC"; do
		read -r tap mac <<<"$port"
		interfaces+=$(sed -e "s|@MAC@|$mac|; s|@TAP@|$tap|; s|@QUEUES@|$VM_NIC_QUEUES|" \
			"$ZCRX_TOP/vm/libvirt-interface.xml.in")$'\n'
	done
fi

# make vm-run / vm-shell: the guest image, the shared directory, the
# command's terminal (a FIFO pair VM_RUN_PIPE.in/.out: libvirt's "pipe"
# serial; backends/libvirt.sh connects it to stdio)
memory_backing='' run_devices='' nl=$'\n'
if [ -n "${VM_DISK:-}" ]; then
	run_devices+="    <disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='$(xml "$(readlink -f "$VM_DISK")")'/>
      <target dev='vda' bus='virtio'/>
      <readonly/>
    </disk>${nl}"
fi
if [ -n "${VM_SHARE:-}" ]; then
	memory_backing="  <memoryBacking>
    <source type='memfd'/>
    <access mode='shared'/>
  </memoryBacking>"
	run_devices+="    <filesystem type='mount' accessmode='passthrough'>
      <driver type='virtiofs'/>
      <binary path='$(xml "${VIRTIOFSD:-/usr/lib/qemu/virtiofsd}")'/>
      <source dir='$(xml "$VM_SHARE")'/>
      <target dir='zcrx-share'/>
    </filesystem>${nl}"
fi
if [ -n "${VM_RUN_PIPE:-}" ]; then
	run_devices+="    <serial type='pipe'>
      <source path='$(xml "$VM_RUN_PIPE")'/>
      <target port='2'/>
    </serial>${nl}"
fi

emulator=$(command -v qemu-system-x86_64 || echo /usr/bin/qemu-system-x86_64)
domain_type=qemu cpu_mode=maximum
[ "$accel" = tcg ] || { domain_type=kvm; cpu_mode=host-passthrough; }

awk -v NAME="$(xml "$name")" -v MEM_MB="$VM_MEM_MB" -v CPUS="$VM_CPUS" \
	-v MACHINE="$(xml "$VM_MACHINE")" -v KERNEL="$(xml "$(readlink -f "$kernel")")" \
	-v INITRD="$(xml "$(readlink -f "$initrd")")" -v CMDLINE="$(xml "$cmdline")" \
	-v DOMAIN_TYPE="$domain_type" -v CPU_MODE="$cpu_mode" -v EMULATOR="$(xml "$emulator")" \
	-v CONSOLE_LOG="$(xml "$rundir/console.log")" -v RESULT_LOG="$(xml "$rundir/ktap.txt")" \
	-v RESULT_PORT="$(xml "$VM_RESULT_PORT")" \
	-v INTERFACES="${interfaces%$'\n'}" -v RUN_DEVICES="${run_devices%$'\n'}" \
	-v MEMORY_BACKING="$memory_backing" '
	/^@INTERFACES@$/ { if (INTERFACES != "") print INTERFACES; next }
	/^@RUN_DEVICES@$/ { if (RUN_DEVICES != "") print RUN_DEVICES; next }
	/^@MEMORY_BACKING@$/ { if (MEMORY_BACKING != "") print MEMORY_BACKING; next }
	{
		n = split("NAME MEM_MB CPUS MACHINE KERNEL INITRD CMDLINE DOMAIN_TYPE CPU_MODE EMULATOR CONSOLE_LOG RESULT_LOG RESULT_PORT", k, " ")
		v["NAME"] = NAME; v["MEM_MB"] = MEM_MB; v["CPUS"] = CPUS; v["MACHINE"] = MACHINE
		v["KERNEL"] = KERNEL; v["INITRD"] = INITRD; v["CMDLINE"] = CMDLINE
		v["DOMAIN_TYPE"] = DOMAIN_TYPE; v["CPU_MODE"] = CPU_MODE; v["EMULATOR"] = EMULATOR
		v["CONSOLE_LOG"] = CONSOLE_LOG; v["RESULT_LOG"] = RESULT_LOG; v["RESULT_PORT"] = RESULT_PORT
		for (i = 1; i <= n; i++) {
			tag = "@" k[i] "@"
			while ((p = index($0, tag)) > 0)
				$0 = substr($0, 1, p - 1) v[k[i]] substr($0, p + length(tag))
		}
		print
	}' "$ZCRX_TOP/vm/libvirt-domain.xml.in"
