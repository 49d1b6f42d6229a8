#!/usr/bin/env bash
# The one scanner of a guest console log for kernel splats: BUG, WARNING,
# Oops, panic, KASAN/UBSAN/KFENCE reports, lockdep, RCU stalls, hung tasks,
# soft lockups, kmemleak "unreferenced object".
#   usage: splats.sh CONSOLE.LOG [EXCERPT_LINES]
#     prints each splat's first line and a short excerpt; exit 1 when there
#     is any, 0 when clean, 2 when the log cannot be read
#   usage: splats.sh --records CONSOLE.LOG
#     one tab-separated record per splat, for report/results.sh:
#     splat N LINE TITLE BINARY CASE FINGERPRINT
#     BINARY and CASE come from the markers the guest's suite runner writes
#     to /dev/kmsg ("zcrx-vmtest: binary B", "zcrx-vmtest: case B:C",
#     "zcrx-vmtest: done B", "zcrx-vmtest: end suite"), empty outside the
#     suite. When several binaries run at once (the shared ones), the one
#     the splat's "Comm:" names is taken; when it names none of them (a
#     kworker), BINARY lists the running ones, comma-separated, and CASE
#     is empty. FINGERPRINT is the
#     first five function names of the splat's call trace, space-separated
#     (entries marked "?" only when the trace has no reliable ones), as the
#     netdev CI buckets crashes.
set -euo pipefail
mode=excerpt
if [ "${1:-}" = --records ]; then
	mode=records
	shift
fi
log=${1:?usage: splats.sh [--records] CONSOLE.LOG [EXCERPT_LINES]}
lines=${2:-25}
[ -r "$log" ] || { echo "splats: cannot read $log" >&2; exit 2; }

# Kernel lines may carry a "[    1.234567] " timestamp and a "[T123] " or
# "[C1] " caller id; test output (KTAP) never starts like these.
awk -v n="$lines" -v mode="$mode" '
# the binary (and its case) a splat belongs to: the only one running, or,
# of several, the one its Comm: line names (pending until then)
function attribute(    b, k) {
	sbin = ""; scase = ""; pending = 0; k = 0
	for (b in run) { k++; sbin = (k > 1 ? sbin "," : "") b; scase = rcase[b] }
	if (k > 1) { scase = ""; pending = 1 }
}
function flush(    fp, k) {
	if (!cur) return
	fp = ""
	for (k = 1; k <= nrel && k <= 5; k++) fp = fp (k > 1 ? " " : "") rel[k]
	if (!nrel) for (k = 1; k <= nunrel && k <= 5; k++) fp = fp (k > 1 ? " " : "") unrel[k]
	printf "splat\t%d\t%d\t%s\t%s\t%s\t%s\n", cur, sline, title, sbin, scase, fp
	cur = 0
}
{
	line = $0
	sub(/\r$/, "", line)
	body = line
	sub(/^\[ *[0-9]+\.[0-9]+\] /, "", body)
	sub(/^\[ *[TC][0-9]+\] /, "", body)
}
# a binary that is done stays in the set until the next one starts: a
# splat of its own teardown (io_ring_exit_work) may come just after
body ~ /^zcrx-vmtest: binary / {
	for (b in done) { delete run[b]; delete done[b] }
	b = substr(body, 21); run[b] = 1; rcase[b] = ""; next
}
body ~ /^zcrx-vmtest: case / {
	c = substr(body, 19); i = index(c, ":")
	b = substr(c, 1, i - 1); run[b] = 1; rcase[b] = substr(c, i + 1); next
}
body ~ /^zcrx-vmtest: done / { done[substr(body, 19)] = 1; next }
body ~ /^zcrx-vmtest: end suite/ { for (b in run) delete run[b]; for (b in done) delete done[b]; next }
# the first Comm: line of a splat settles it: a binary of the set, or
# (a kworker) all of them
mode == "records" && cur && pending && match(body, /Comm: [^ ]+/) {
	b = substr(body, RSTART + 6, RLENGTH - 6)
	if (b in run) { sbin = b; scase = rcase[b] }
	pending = 0
}
body ~ /^(BUG: |WARNING: |Oops: |Oops$|general protection fault|kernel BUG at |Kernel panic - not syncing|KASAN: |UBSAN: |BUG: KFENCE|INFO: task .* blocked for more than|INFO: rcu_(sched|preempt|bh) (self-)?detected stall|rcu: INFO: rcu_(sched|preempt|bh) (self-)?detected stall|watchdog: BUG: soft lockup|unreferenced object 0x|======================================================|possible recursive locking detected|possible circular locking dependency detected|inconsistent lock state|suspicious RCU usage)/ {
	if (body ~ /^=+$/)
		next
	if (mode == "records") {
		flush()
		found++; cur = found; sline = NR; title = body; gsub(/\t/, " ", title)
		attribute(); nrel = nunrel = 0; intrace = 0
		next
	}
	found++
	printf "splat %d at console line %d: %s\n", found, NR, body
	left = n
	next
}
mode == "records" && cur {
	if (body ~ /Call Trace:/) { intrace = 1; next }
	if (!intrace) next
	if (body ~ /^ *<\/TASK>/ || body ~ /^---\[ end trace/) { intrace = 0; next }
	f = body; sub(/^ +/, "", f)
	q = (f ~ /^\? /); sub(/^\? /, "", f)
	if (f !~ /^[A-Za-z_.$][A-Za-z0-9_.$]*\+0x[0-9a-f]+\/0x[0-9a-f]+/) next
	sub(/\+.*/, "", f)
	if (q) unrel[++nunrel] = f; else rel[++nrel] = f
	next
}
mode == "excerpt" && left > 0 { printf "    %s\n", line; left-- }
END { flush(); exit found ? 1 : 0 }
' "$log"
