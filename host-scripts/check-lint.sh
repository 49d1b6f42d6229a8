#!/usr/bin/env bash
# Lint: shellcheck of every host script, image recipe and machine definition.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_cmd shellcheck shellcheck
cd "$ZCRX_TOP"
mapfile -t files < <(find host-scripts images vm .ci -type f \( -name '*.sh' -o -name '*.conf' -o -name run \) | sort)
shellcheck -s bash "${files[@]}"
echo "lint: shellcheck clean (${#files[@]} files)"
