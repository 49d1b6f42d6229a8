#!/usr/bin/env bash
# Unit tests of the host-side pieces (bats): KTAP parsing, splat detection,
# argument handling, the verified package cache, VM verdict decoding.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
need_cmd bats bats
need_cmd virt-xml-validate libvirt-clients
need_cmd sqlite3 sqlite3
# kcidb.bats validates the KCIDB export with Debian's JSON Schema validator
need_file /usr/lib/python3/dist-packages/jsonschema/__init__.py python3-jsonschema
# the LAVA job tests validate with LAVA's own schema and render its device
# template (lava-common and python3-jinja2; lava-dispatcher itself comes
# with the lava step of make check)
need_file /usr/lib/python3/dist-packages/lava_common/schemas/__init__.py lava-common
need_file /usr/lib/python3/dist-packages/jinja2/__init__.py python3-jinja2
exec bats "$ZCRX_TOP/host-scripts/tests"
