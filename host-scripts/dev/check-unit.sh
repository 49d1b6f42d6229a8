#!/usr/bin/env bash
# Unit tests of the host-side pieces (bats): KTAP parsing, splat detection,
# argument handling, the verified package cache, VM verdict decoding.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
need_cmd bats bats
need_cmd virt-xml-validate libvirt-clients
exec bats "$ZCRX_TOP/host-scripts/tests"
