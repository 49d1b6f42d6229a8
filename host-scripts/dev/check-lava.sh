#!/usr/bin/env bash
# make check's "lava" step (docs/lab.md): the jobs of make lava-jobs run by
# LAVA's own dispatcher on this machine, without a server, everything under
# build/lava/check/ (its own history database there too):
#   1. lava-dispatcher from the host's release (no recommends), this
#      machine's device configuration rendered from lava-server's
#      qemu.jinja2 (lava/device.sh);
#   2. known answers: a stand-in guest (lava/test-init.c) whose suite
#      passes, fails one case, or hangs. For each, the qemu backend and
#      lava-run boot the same kernel and initramfs; the LAVA cases, read
#      back by sinks/lava.sh, must equal our results.json case for case,
#      with the same verdict. The hang must time out in LAVA and be
#      recorded as a fail;
#   3. bad input, one line each and nothing recorded: an unknown device
#      type, a job LAVA's schema rejects, an unreachable lab;
#   4. the real suite: make lava-jobs (the default kernel), our run and
#      LAVA's of those artifacts, case for case (CHECK_LAVA_SUITE=0: not).
# Prints each LAVA job's wall time. One VM at a time. Exit 0 when all hold.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
is_root || die "the lava check runs lava-run, which needs root"
command -v lava-run >/dev/null 2>&1 || host_install --no-install-recommends lava-dispatcher
need_cmd jq jq
need_cmd sqlite3 sqlite3
need_cmd gcc gcc
need_file /usr/lib/x86_64-linux-gnu/libc.a libc6-dev
need_cmd cpio cpio
# the sink's client: installed here, so that the refusals below are one line
need_cmd lavacli lavacli
lava="$ZCRX_TOP/host-scripts/lava"
base="$BUILD_DIR/lava/check"
rm -rf "$base"
mkdir -p "$base/runs"
export ZCRX_DB="$base/history.sqlite"
fails=0
bad() { echo "lava: FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "lava: ok: $*"; }

# own_run ARTDIR RUNDIR: the qemu backend on the artifacts (QEMU hub, as
# the LAVA job), results.json made as make vm-test makes it
own_run() {
	(
		# shellcheck disable=SC1091
		. "$1/artifact.env"
		. "$ZCRX_TOP/host-scripts/report/results.sh"
		. "$ZCRX_TOP/host-scripts/report/verdict.sh"
		rundir=$2 run_name=$(basename "$2") vm_rc=0
		mkdir -p "$rundir"
		# (the backend boots once more itself after TCG's int3 boot oops)
		t0=$(date +%s.%N) t_prep=$t0
		VM=qemu VM_NET=hub "$ZCRX_TOP/host-scripts/backends/qemu.sh" "$1/bzImage" "$1/initramfs.cpio" "$rundir" \
			>"$rundir/backend.log" 2>&1 || vm_rc=$?
		t_end=$(date +%s.%N)
		verdict_and_results
	)
}

# lava_run JOB NAME: lava-run the job (device configuration rendered for
# it), then read it back with sinks/lava.sh into runs/NAME-lava
lava_run() {
	local job=$1 name=$2
	"$lava/device.sh" "$job" "$base/$name.device.yaml" >/dev/null || return 1
	for try in 1 2; do
		"$lava/run-local.sh" "$base/$name.device.yaml" "$job" "$base/$name.lava" zcrx-local-qemu >/dev/null 2>&1 || true
		echo "lava: $name: lava-run $(jq -r .health "$base/$name.lava/job.json") in $(cat "$base/$name.lava/seconds") s"
		# the kernel's rare int3 oops at boot under TCG (docs/guest.md), before the suite began
		if [ "$try" = 2 ] || ! grep -aq 'Oops: int3' "$base/$name.lava/lava-run.log" ||
			grep -aq '"target", "msg": "zcrx-lava: start"' "$base/$name.lava/lava-run.log"; then
			break
		fi
		echo "lava: $name: the guest oopsed at boot, before the suite (int3 under TCG); once more"
	done
	RUN_NAME="check-lava-$name-$$" "$ZCRX_TOP/host-scripts/sinks/lava.sh" --dir "$base/$name.lava" "$base/runs/$name-lava" >/dev/null
}

# same_cases NAME: our run and LAVA's, case for case (pass->pass,
# skip->skip, everything else->fail; a flake is the fail LAVA saw) and the
# same verdict (ours counted as a fail when it had a flake)
same_cases() {
	local a="$base/runs/$1-own/results.json" b="$base/runs/$1-lava/results.json" diff n split
	diff=$(jq -rn --slurpfile a "$a" --slurpfile b "$b" '
		def m: if . == "pass" or . == "xfail" then "pass" elif . == "skip" then "skip" else "fail" end;
		def by($r): [$r.cases[] | {key: "\(.binary):\(.name)", value: (.outcome | m)}] | from_entries;
		by($a[0]) as $x | by($b[0]) as $y
		| ((($x | keys) + ($y | keys)) | unique[] | select($x[.] != $y[.])
		   | "\(.): ours \($x[.] // "missing"), LAVA \($y[.] // "missing")"),
		  # LAVA sees a flake as the fail it first was: so is our verdict then
		  ($a[0].verdict | if . == "pass" and any($a[0].cases[]; .outcome == "flake") then "fail" else . end) as $av
		  | (if $av != $b[0].verdict then "verdict: ours \($av), LAVA \($b[0].verdict) (\($b[0].reasons | join("; ")))" else empty end)')
	n=$(jq '.cases | length' "$a")
	if [ -n "$diff" ]; then
		bad "$1: LAVA and our run differ:"
		printf '    %s\n' "$diff" | head -n 20
		# a contract line a kernel message cut in two never reaches LAVA whole
		split=$(grep -a '"lvl": "target"' "$base/$1.lava/lava-run.log" | grep -a 'zcrx-lava: case=' |
			grep -avcE 'zcrx-lava: case=[A-Za-z0-9_.-]+ result=(pass|fail|skip)' || true)
		[ "$split" = 0 ] ||
			echo "    ($split zcrx-lava: console line(s) were split by kernel messages: the guest should write them through /dev/kmsg, docs/lab.md)"
	elif [ "$n" -eq 0 ]; then
		bad "$1: no case in our run"
	else
		ok "$1: LAVA equals our results.json case for case ($n cases, verdict $(jq -r .verdict "$a"))"
	fi
}

# refused WHAT CMD...: one line "zcrx-vmtest: error: ..." and a non-zero exit
refused() {
	local what=$1 out rc=0
	shift
	out=$("$@" 2>&1) || rc=$?
	if [ "$rc" -ne 0 ] && [ "$(printf '%s\n' "$out" | grep -c .)" -eq 1 ] && [[ $out == "zcrx-vmtest: error: "* ]]; then
		ok "$what refused: $out"
	else
		bad "$what: exit $rc, expected one error line, got: $(printf '%s' "$out" | head -c 400)"
	fi
}

# 1.-2. known answers with the stand-in guest
kenv="$base/kernel.env"
KERNEL=${CHECK_LAVA_KERNEL:-} "$ZCRX_TOP/host-scripts/kernels/fetch-kernel.sh" "$kenv" >/dev/null 2>&1 ||
	die "could not fetch the default kernel for the lava check"
# shellcheck disable=SC1090
. "$kenv"
fake="$base/fake"
mkdir -p "$fake/root/proc" "$fake/root/dev" "$fake/root/sys" "$fake/out/artifacts"
gcc -static -O2 -Wall -Wextra -Werror -o "$fake/root/init" "$lava/test-init.c"
(cd "$fake/root" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet --owner=0:0) \
	>"$fake/out/artifacts/initramfs.cpio"
cp "$VMLINUZ" "$fake/out/artifacts/bzImage"
printf 'KREL=%q\nKDESC=%q\nKPKG=\nCONFIG_SHA256=\nUAPI_PKG=none\nURING_PKG=none\nSUITE_VERSION=%q\nTESTS=\n' \
	"$KREL" "stand-in suite (lava/test-init.c) on $KDESC" "$(git -C "$ZCRX_TOP" describe --always --dirty 2>/dev/null || echo unknown)" \
	>"$fake/out/artifacts/artifact.env"
. "$ZCRX_TOP/vm/machine.conf"
# The stand-in guest tests LAVA's plumbing, not the kernel: one vCPU, with
# no second vCPU to run the code the first one patches, as TCG's int3 boot
# oops needs (docs/guest.md). It came twice in a row once, in a
# clean-clone make check. The real suite's job below keeps VM_CPUS.
for mode in pass fail hang; do
	tmo=()
	[ "$mode" != hang ] || tmo=(VM_TIMEOUT=20 VM_TEST_TIMEOUT=10)
	env LAVA_OUT="$fake/out" VM_CPUS=1 VM_CMDLINE="$VM_CMDLINE zcrx.fake=$mode" "${tmo[@]}" \
		"$lava/jobs.sh" --render >/dev/null 2>&1 || { bad "$mode: lava/jobs.sh --render failed"; continue; }
	cp "$fake/out/qemu.yaml" "$base/fake-$mode.yaml"
	grep -q -- '-smp 1' "$base/fake-$mode.yaml" || bad "$mode: the stand-in job is not on one vCPU"
	if [ "$mode" != hang ]; then
		VM_CPUS=1 VM_CMDLINE="$VM_CMDLINE zcrx.fake=$mode zcrx.lava=1" own_run "$fake/out/artifacts" "$base/runs/fake-$mode-own" >/dev/null ||
			bad "$mode: our own run made no results.json"
	fi
	lava_run "$base/fake-$mode.yaml" "fake-$mode" || { bad "$mode: the LAVA job could not be read back"; continue; }
	if [ "$mode" = hang ]; then
		r="$base/runs/fake-hang-lava/results.json"
		v=$(sqlite3 "$ZCRX_DB" "SELECT verdict FROM runs WHERE name = 'check-lava-fake-hang-$$';")
		if [ "$(jq -r .verdict "$r")" = fail ] && [ "$(jq -r .vm.status "$r")" = timeout ] && [ "$v" = fail ]; then
			ok "hang: LAVA timed out; recorded as a fail ($(jq -r '.reasons | join("; ")' "$r"))"
		else
			bad "hang: expected a recorded fail with vm.status timeout, got $(jq -c '[.verdict, .vm.status, .reasons]' "$r"), history: ${v:-nothing}"
		fi
	else
		[ "$(jq -r .verdict "$base/runs/fake-$mode-own/results.json")" = "$mode" ] ||
			bad "$mode: our own run's verdict is not $mode"
		same_cases "fake-$mode"
	fi
done

# 3. bad input
refused "an unknown device type" env LAVA_OUT="$fake/out" LAVA_DEVICE_TYPE=beaglebone-black "$lava/jobs.sh" --render
sed 's/^    to: tmpfs$/    to: tmpfs\n    flash: always/' "$base/fake-pass.yaml" >"$base/rejected.yaml"
refused "a job LAVA's schema rejects" "$lava/validate.sh" "$base/rejected.yaml"
mkdir -p "$base/xdg"
printf 'zcrx-unreachable:\n  uri: http://127.0.0.1:9/RPC2\n  version: 2023.01\n' >"$base/xdg/lavacli.yaml"
refused "an unreachable lab" env XDG_CONFIG_HOME="$base/xdg" LAVA_IDENTITY=zcrx-unreachable LAVA_TIMEOUT=30 \
	"$ZCRX_TOP/host-scripts/sinks/lava.sh" --job 1 "$base/runs/unreachable"
[ ! -e "$base/runs/unreachable" ] || bad "an unreachable lab left a run directory"

# 4. the real suite, as make lava-jobs prepares it
if [ "${CHECK_LAVA_SUITE:-1}" = 1 ]; then
	suite="$base/suite"
	if ! LAVA_OUT="$suite" KERNEL='' KSRC='' "$lava/jobs.sh" >"$base/suite-jobs.log" 2>&1; then
		bad "suite: make lava-jobs failed: $(tail -n 1 "$base/suite-jobs.log")"
	elif ! grep -aq 'zcrx-lava: start' "$suite/artifacts/initramfs.cpio"; then
		bad "suite: the guest's /init does not print the zcrx-lava: lines (zcrx.lava=1) yet"
	else
		VM_CMDLINE="$VM_CMDLINE zcrx.lava=1" own_run "$suite/artifacts" "$base/runs/suite-own" >/dev/null ||
			bad "suite: our own run made no results.json"
		if lava_run "$suite/qemu.yaml" suite; then
			same_cases suite
		else
			bad "suite: the LAVA job could not be read back"
		fi
	fi
fi

[ "$fails" -eq 0 ] || die "lava: $fails check(s) failed (work in $base)"
echo "lava: all checks passed"
