#!/usr/bin/env bash
# Regenerate the README's generated parts from their one source: the knob
# table (between the "knobs:begin" and "knobs:end" markers) from
# host-scripts/knobs.tsv. make check's unit tests fail when the README is
# out of date. usage: gen-docs.sh [README]
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
readme=${1:-$ZCRX_TOP/README.md}
if ! grep -q '^<!-- knobs:begin' "$readme" || ! grep -q '^<!-- knobs:end' "$readme"; then
	die "$readme has no <!-- knobs:begin --> / <!-- knobs:end --> markers"
fi
table=$(mktemp)
at_exit_rm "$table"
"$ZCRX_TOP/host-scripts/knobs.sh" markdown >"$table"
awk -v t="$table" '
/^<!-- knobs:begin/ { print; while ((getline l < t) > 0) print l; skip = 1; next }
/^<!-- knobs:end/ { skip = 0 }
!skip' "$readme" >"$readme.tmp"
mv "$readme.tmp" "$readme"
