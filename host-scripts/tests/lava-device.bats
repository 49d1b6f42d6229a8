#!/usr/bin/env bats
# lava/device.sh: this machine's device dictionary rendered with a job's
# context as lava-server renders it (jinja2's sandbox, the device
# dictionary extending the device-type template), from templates already
# unpacked in BUILD_DIR/lava/device-types (stand-ins here; make check's lava
# step uses lava-server's own qemu.jinja2). A dictionary that does not
# render, or renders no qemu device, is refused in one line.

setup() {
	T="$BATS_TEST_TMPDIR"
	D="$BATS_TEST_DIRNAME/../lava/device.sh"
	export BUILD_DIR="$T/build" RESULTS_DIR="$T/results"
	unset LAVA_DEVICE_DICT
	mkdir -p "$BUILD_DIR/lava/device-types"
	printf '{%% block body %%}{%% endblock body %%}\n' >"$BUILD_DIR/lava/device-types/base.jinja2"
	cat >"$BUILD_DIR/lava/device-types/qemu.jinja2" <<'J'
{% extends 'base.jinja2' %}
{% block body %}
actions:
  boot:
    methods:
      qemu:
        parameters:
          options:
          - -m {{ memory|default(512) }}
          - -net nic,macaddr={{ mac_addr|default('52:54:00:12:34:58') }} -net {{ netdevice|default('user') }}
{% if not no_kvm %}
          - -enable-kvm
{% endif %}
{% if extra_options %}
          extra: {{ extra_options }}
{% endif %}
{% endblock body %}
J
	cat >"$T/job.yaml" <<'Y'
device_type: qemu
job_name: t
context:
  arch: amd64
  memory: 1024
  no_kvm: 0
  netdevice: none
  extra_options: ['-smp 2', '-device isa-debug-exit,iobase=0xf4,iosize=0x04']
actions: []
Y
}

y() { /usr/bin/python3 -c 'import json, sys, yaml; json.dump(yaml.safe_load(open(sys.argv[1])), sys.stdout)' "$1"; }

@test "this machine's dictionary with the job's context: the job's memory and options, no KVM whatever the job says" {
	run "$D" "$T/job.yaml" "$T/dev.yaml"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(y "$T/dev.yaml" | jq -c '.actions.boot.methods.qemu.parameters')" = \
		'{"options":["-m 1024","-net nic,macaddr=52:54:00:12:34:59 -net none"],"extra":["-smp 2","-device isa-debug-exit,iobase=0xf4,iosize=0x04"]}' ]
	grep -q "{% set no_kvm = True %}" "$BUILD_DIR/lava/devices/zcrx-local-qemu.jinja2"
}

@test "LAVA_DEVICE_DICT: a lab's own dictionary" {
	printf "{%% extends 'qemu.jinja2' %%}\n{%% set memory = 4096 %%}\n" >"$T/lab-01.jinja2"
	LAVA_DEVICE_DICT="$T/lab-01.jinja2" run "$D" "$T/job.yaml" "$T/dev.yaml" lab-01
	[ "$status" -eq 0 ]
	y "$T/dev.yaml" | jq -e '.actions.boot.methods.qemu.parameters.options == ["-m 4096", "-net nic,macaddr=52:54:00:12:34:58 -net none", "-enable-kvm"]'
}

@test "refused in one line: a dictionary that does not render, no qemu device, a bad name, no job" {
	printf "{%% extends 'qemu.jinja2' %%}\n{%% if %%}\n" >"$T/broken.jinja2"
	LAVA_DEVICE_DICT="$T/broken.jinja2" run "$D" "$T/job.yaml" "$T/dev.yaml"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	[ ! -e "$T/dev.yaml.job.json" ]
	[[ ${lines[-1]} == "zcrx-vmtest: error: the device dictionary $T/broken.jinja2 does not render with $T/job.yaml's context"* ]]
	printf "{%% extends 'base.jinja2' %%}\n" >"$T/notqemu.jinja2"
	LAVA_DEVICE_DICT="$T/notqemu.jinja2" run "$D" "$T/job.yaml" "$T/dev.yaml"
	[ "$status" -eq 1 ]
	[[ $output == *"the rendered device has no qemu boot method"* ]]
	run "$D" "$T/job.yaml" "$T/dev.yaml" 'bad name'
	[ "$status" -eq 1 ]
	[ "$output" = "zcrx-vmtest: error: DEVICE-NAME bad name: not a LAVA device name" ]
	run "$D" "$T/nojob.yaml" "$T/dev.yaml"
	[ "$output" = "zcrx-vmtest: error: $T/nojob.yaml: no such job" ]
}

@test "with lava-server's own templates (when make check's lava step has unpacked them)" {
	real="$BATS_TEST_DIRNAME/../../build/lava/device-types"
	[ -f "$real/qemu.jinja2" ] || skip "no lava-server templates in build/lava/device-types (make check's lava step fetches them)"
	cp "$real"/*.jinja2 "$BUILD_DIR/lava/device-types/"
	run "$D" "$T/job.yaml" "$T/dev.yaml"
	[ "$status" -eq 0 ]
	y "$T/dev.yaml" | jq -e '.actions.boot.methods.qemu.parameters | (.command | test("qemu-system-x86_64")) and (.options | index("-m 1024")) and (.extra | index("-smp 2"))'
}
