#!/usr/bin/env bash
# Check LAVA job definitions with LAVA's own schema (lava_common.schemas,
# the check lava-server runs on every submission; Debian's lava-common,
# installed from the host's release when missing), strictly: an unknown
# key is an error too.
#   usage: lava/validate.sh JOB.yaml...
# Exit: 0 every job is valid; 1 one line per rejected job
#   (zcrx-vmtest: error: JOB: LAVA's schema rejects it: WHY at PATH).
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
[ "$#" -gt 0 ] || die "usage: lava/validate.sh JOB.yaml..."
need_file /usr/lib/python3/dist-packages/lava_common/schemas/__init__.py lava-common
for f; do [ -r "$f" ] || die "$f: no such job file"; done
/usr/bin/python3 - "$@" <<'PY'
import sys
import yaml
from voluptuous import Invalid
from lava_common.schemas import validate

bad = 0
for path in sys.argv[1:]:
    try:
        with open(path, encoding="utf-8") as f:
            data = yaml.safe_load(f)
        if not isinstance(data, dict):
            raise Invalid("not a mapping")
        validate(data, strict=True)
    except (Invalid, yaml.YAMLError) as exc:
        where = "/".join(str(p) for p in getattr(exc, "path", []) or [])
        msg = str(getattr(exc, "msg", exc)).replace("\n", " ")
        print("zcrx-vmtest: error: %s: LAVA's schema rejects it: %s%s"
              % (path, msg, " at " + where if where else ""), file=sys.stderr)
        bad += 1
sys.exit(1 if bad else 0)
PY
