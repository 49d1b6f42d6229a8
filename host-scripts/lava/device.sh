#!/usr/bin/env bash
# The device configuration lava-run needs for this machine, rendered the
# way lava-server renders it for a job: the device dictionary
# (LAVA_DEVICE_DICT, default: this machine's, written to
# build/lava/devices/NAME.jinja2: a qemu device on a worker without KVM)
# extends LAVA's device-type template qemu.jinja2, rendered with the
# job's context by jinja2's sandbox (lava_scheduler_app.environment). The
# templates ship in lava-server, which is not installed: its Debian
# package (the host's release) is downloaded once into build/lava/deb/ and
# only base.jinja2 and qemu.jinja2 are unpacked (dpkg-deb -x).
#   usage: lava/device.sh JOB.yaml OUT.yaml [DEVICE-NAME]
# Exit: 0; 1 one line (no template, a dictionary that does not render,
# a result that is not a qemu device).
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
. "$ZCRX_TOP/host-scripts/lava/cli.sh"
[[ $# -ge 2 && $# -le 3 ]] || die "usage: lava/device.sh JOB.yaml OUT.yaml [DEVICE-NAME]"
job=$1 outf=$2 name=${3:-zcrx-local-qemu}
[ -r "$job" ] || die "$job: no such job"
[[ $name =~ ^[A-Za-z0-9][A-Za-z0-9_.-]*$ ]] || die "DEVICE-NAME $name: not a LAVA device name"
need_file /usr/lib/python3/dist-packages/jinja2/__init__.py python3-jinja2
base="$BUILD_DIR/lava"
types="$base/device-types"
if [ ! -f "$types/qemu.jinja2" ] || [ ! -f "$types/base.jinja2" ]; then
	mkdir -p "$base/deb"
	deb=$(find "$base/deb" -maxdepth 1 -name 'lava-server_*_all.deb' | sort | tail -n 1)
	if [ -z "$deb" ]; then
		log "fetching lava-server's device-type templates (apt-get download lava-server, host release; not installed)"
		(cd "$base/deb" && host_apt_get -q -o APT::Sandbox::User=root download lava-server >/dev/null 2>"$base/deb/download.log") ||
			die "apt-get download lava-server failed: $(tail -n 1 "$base/deb/download.log")"
		deb=$(find "$base/deb" -maxdepth 1 -name 'lava-server_*_all.deb' | sort | tail -n 1)
	fi
	x=$(mktemp -d "$base/deb/x.XXXXXX")
	at_exit_rm "$x"
	dpkg-deb -x "$deb" "$x"
	mkdir -p "$types"
	for t in base qemu; do
		cp "$x/usr/share/lava-server/device-types/$t.jinja2" "$types/$t.jinja2" ||
			die "$deb has no device-types/$t.jinja2"
	done
fi
dict=${LAVA_DEVICE_DICT:-}
if [ -z "$dict" ]; then
	mkdir -p "$base/devices"
	dict="$base/devices/$name.jinja2"
	cat >"$dict" <<'EOF'
{# zcrx-vmtest's own machine as a LAVA qemu device (lava/device.sh): a
   worker without KVM. A lab writes one of these per device on its server
   (lavacli devices dict set NAME FILE), see docs/lab.md. #}
{% extends 'qemu.jinja2' %}
{% set no_kvm = True %}
{% set mac_addr = '52:54:00:12:34:59' %}
EOF
fi
[ -r "$dict" ] || die "LAVA_DEVICE_DICT=$dict: no such file"
at_exit_rm "$outf.job.json"
yaml_to_json "$job" >"$outf.job.json" || die "$job: not YAML"
/usr/bin/python3 - "$dict" "$types" "$outf.job.json" "$outf" "$name" "$job" <<'PY' || exit 1
import json, os, sys
import jinja2
import yaml
from jinja2.sandbox import SandboxedEnvironment

dict_path, types, job_path, out, name, job = sys.argv[1:]


def fail(why):
    print("zcrx-vmtest: error: the device dictionary %s does not render with %s's context: %s"
          % (dict_path, job, str(why).replace("\n", " ")), file=sys.stderr)
    sys.exit(1)


ctx = json.load(open(job_path)).get("context", {}) or {}
env = SandboxedEnvironment(
    loader=jinja2.FileSystemLoader([os.path.dirname(os.path.abspath(dict_path)), types]),
    autoescape=False, trim_blocks=True)
try:
    text = env.get_template(os.path.basename(dict_path)).render(**ctx)
    data = yaml.safe_load(text)
except (jinja2.TemplateError, yaml.YAMLError) as exc:
    fail(exc)
if not isinstance(data, dict) or "qemu" not in ((data.get("actions") or {}).get("boot") or {}).get("methods", {}):
    fail("the rendered device has no qemu boot method")
with open(out, "w") as f:
    f.write("# rendered by lava/device.sh from %s for %s\n" % (os.path.basename(dict_path), name))
    f.write(text)
PY
