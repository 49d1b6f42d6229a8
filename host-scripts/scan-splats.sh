#!/usr/bin/env bash
# Scan a guest console log for kernel splats: BUG, WARNING, Oops, panic,
# KASAN/UBSAN/KFENCE reports, lockdep, RCU stalls, hung tasks, soft
# lockups, kmemleak "unreferenced object". Prints each splat's first line
# and a short excerpt, and exits 1 when there is any; 0 when clean.
#   usage: scan-splats.sh CONSOLE.LOG [EXCERPT_LINES]
set -euo pipefail
log=${1:?usage: scan-splats.sh CONSOLE.LOG [EXCERPT_LINES]}
lines=${2:-25}
[ -r "$log" ] || { echo "scan-splats: cannot read $log" >&2; exit 2; }

# Kernel lines may carry a "[    1.234567] " timestamp and a "[T123] " or
# "[C1] " caller id; test output (KTAP) never starts like these.
awk -v n="$lines" '
{
	line = $0
	sub(/\r$/, "", line)
	body = line
	sub(/^\[ *[0-9]+\.[0-9]+\] /, "", body)
	sub(/^\[ *[TC][0-9]+\] /, "", body)
}
body ~ /^(BUG: |WARNING: |Oops: |Oops$|general protection fault|kernel BUG at |Kernel panic - not syncing|KASAN: |UBSAN: |BUG: KFENCE|INFO: task .* blocked for more than|INFO: rcu_(sched|preempt|bh) (self-)?detected stall|rcu: INFO: rcu_(sched|preempt|bh) (self-)?detected stall|watchdog: BUG: soft lockup|unreferenced object 0x|======================================================|possible recursive locking detected|possible circular locking dependency detected|inconsistent lock state|suspicious RCU usage)/ {
	if (body ~ /^=+$/)
		next
	found++
	printf "splat %d at console line %d: %s\n", found, NR, body
	left = n
	next
}
left > 0 { printf "    %s\n", line; left-- }
END { exit found ? 1 : 0 }
' "$log"
