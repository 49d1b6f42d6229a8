#!/usr/bin/env bash
# Print the knob list (host-scripts/knobs.tsv), the one source of the knobs:
#   knobs.sh help      the "knobs" part of make help
#   knobs.sh markdown  the README's knob table
#   knobs.sh names     one name per line
set -euo pipefail
here=$(dirname "$0")
rows() { grep -v '^#' "$here/knobs.tsv"; }
case ${1:-help} in
help)
	echo "knobs (default):"
	rows | while IFS=$'\t' read -r name def _ meaning; do
		printf '  %-22s %s (%s)\n' "$name=" "${meaning//\`/}" "${def//\`/}"
	done
	;;
markdown)
	echo '| knob | default | meaning |'
	echo '|---|---|---|'
	rows | while IFS=$'\t' read -r name def _ meaning; do
		printf '| %s | %s | %s |\n' "\`$name=\`" "$def" "$meaning"
	done
	;;
names) rows | cut -f1 ;;
*) echo "usage: knobs.sh help|markdown|names" >&2; exit 2 ;;
esac
