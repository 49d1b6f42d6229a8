#!/usr/bin/env bash
# Median, min and max of the named columns of a bench table (TSV with a
# header row), one line each: "NAME: median X, min Y, max Z (N runs)".
#   usage: bench-stats.sh TABLE COLUMN...
set -euo pipefail
table=${1:?usage: bench-stats.sh TABLE COLUMN...}
shift
for col in "$@"; do
	awk -F'\t' -v col="$col" '
	NR == 1 { for (c = 1; c <= NF; c++) if ($c == col) k = c; next }
	k && $k != "" { v[++n] = $k + 0 }
	END {
		if (!k) { printf "%s: no such column\n", col; exit 1 }
		if (!n) { printf "%s: no runs\n", col; exit 1 }
		for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
		m = n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
		printf "%s: median %.2f, min %.2f, max %.2f (%d runs)\n", col, m, v[1], v[n], n
	}' "$table"
done
