#!/usr/bin/env bash
# make check's hw-test step: the guest plays a bare-metal runner. make
# vm-run boots the patched kernel with the Debian image and runs
# hw-guest-check.sh in it, which runs make hw-test (the same script a lab
# runs, on the project tree shared into the guest) against the netdevsim
# pair: the whole suite with REMOTE_TYPE=netns and with ssh, restoration
# after a failed case, SIGTERM and SIGKILL, and bad input. Then the two
# whole-suite runs must equal BASELINE (a make vm-test KSRC=debian run of
# this check) case for case.
#   usage: check-hw-test.sh BASELINE-RUN-NAME   (exit 1 on any miss)
set -uo pipefail
. "$(dirname "$0")/../lib.sh"

base=${1:?usage: check-hw-test.sh BASELINE-RUN-NAME}
prefix="check-$(date +%Y%m%d-%H%M%S)-hw"
bad=0
"$ZCRX_TOP/host-scripts/hw-test.sh" --build >/dev/null || { echo "hw-test: the build failed"; exit 1; }
rc=0
make -s --no-print-directory -C "$ZCRX_TOP" vm-run KERNEL= KSRC=debian KCONFIG=lean VM_TIMEOUT=1500 \
	CMD="host-scripts/dev/hw-guest-check.sh $prefix" </dev/null || rc=$?
[ "$rc" = 0 ] || { echo "hw-test: the guest's checks failed (exit $rc)"; bad=1; }
outcomes() { jq -r '.cases[] | "\(.binary):\(.name) \(.outcome)"' "$RESULTS_DIR/$1/results.json" | LC_ALL=C sort; }
for r in netns ssh; do
	if ! [ -f "$RESULTS_DIR/$prefix-$r/results.json" ]; then
		echo "hw-test: no results.json for the $r run"
		bad=1
	elif d=$(diff <(outcomes "$base") <(outcomes "$prefix-$r")); then
		echo "hw-test: REMOTE_TYPE=$r: $(outcomes "$base" | wc -l) cases, each with the outcome make vm-test KSRC=debian gave"
	else
		echo "hw-test: REMOTE_TYPE=$r differs from make vm-test KSRC=debian ($base):"
		printf '%s\n' "$d" | head -n 20 | sed 's/^/    /'
		bad=1
	fi
done
exit "$bad"
