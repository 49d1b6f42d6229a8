#!/usr/bin/env bash
# make check's presubmit step: make presubmit on a copy of the project's
# Debian tree with one of the project's mutants applied (a series that
# breaks zcrx), against the Debian tree as BASE: it must exit 1 and name
# the regressed cases with their spec rows; the series is in the history.
#   usage: check-presubmit.sh [MUTANT]   (default 22-stats-count-double.sed)
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
. "$ZCRX_TOP/host-scripts/dev/mutant-lib.sh"

m="$ZCRX_TOP/kernel-config/mutants/${1:-22-stats-count-double.sed}"
[ -f "$m" ] || die "no mutant $m"
tree="$BUILD_DIR/presubmit-check/tree"
series="check-$(basename "$m" .sed)"
KSRC=debian KCONFIG=lean KBUILD_STEP=tree "$ZCRX_TOP/host-scripts/kernels/build-kernel.sh" >/dev/null ||
	die "the Debian tree could not be prepared"
need_cmd rsync rsync
mkdir -p "$tree"
rsync -a --delete --delete-excluded --exclude=/.zcrx-* --exclude="*.zcrx-orig" "$BUILD_DIR/src/linux-source-7.3/" "$tree/"
rm -f "$(mutant_manifest "$tree")"
mutant_apply "$tree" "$m" || die "$m does not apply"
t0=$(date +%s)
rc=0
make -s --no-print-directory -C "$ZCRX_TOP" presubmit KSRC="$tree" BASE=debian SERIES="$series" \
	>"$BUILD_DIR/presubmit-check/out" 2>&1 || rc=$?
out="$BUILD_DIR/presubmit-check/out"
bad=0
if [ "$rc" = 1 ]; then echo "presubmit: exit 1 for a series that breaks zcrx ($(basename "$m"))"; else
	echo "presubmit: exit $rc, expected 1; last lines:"; tail -n 8 "$out" | sed 's/^/    /'; bad=1; fi
if grep -qE '^REGRESSION [a-z_]+:[^ ]+ \(rows [A-Z][0-9]{2}' "$out"; then
	echo "presubmit: names the regressions with their rows:"
	grep -E '^REGRESSION ' "$out" | head -n 5 | sed 's/^/    /'
else
	echo "presubmit: no REGRESSION line with rows"; bad=1
fi
n=$("$ZCRX_TOP/host-scripts/history.sh" series "$series" | grep -c "presubmit-")
if [ "$n" -ge 2 ]; then
	echo "presubmit: the series' base and head runs are in the history"
else
	echo "presubmit: $n runs of the series in the history, expected 2"
	bad=1
fi
echo "presubmit: $(($(date +%s) - t0)) s"
exit "$bad"
