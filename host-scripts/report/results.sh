# shellcheck shell=bash
# A run's results.json: the one results model (schema: docs/results.md).
# Built with jq from the run directory (ktap.txt through
# report/ktap-records.sh, console.log through report/splats.sh,
# vm.status, vm.seconds, qemu.cmd, kernel.env) and the variables vm-test.sh
# sets: rundir, run_name, KREL, KDESC, KPKG, VMLINUZ, UAPI_PKG, URING_PKG
# (optional), t0, t_prep, t_end (optional). Everything else (the terminal
# report, make check, make mutants, the bench scripts, coverage.sh, the
# sinks) reads results.json with jq.
# shellcheck disable=SC2154 # those variables come from vm-test.sh

RESULTS_SCHEMA=1

# results_config_hash VMLINUZ: sha256 of the .config of the build tree a
# built bzImage comes from (empty for packaged kernels).
results_config_hash() {
	local dir
	dir=$(dirname "${1:-/nonexistent}")
	case $dir in */arch/*/boot) ;; *) return 0 ;; esac
	dir=${dir%/arch/*/boot}
	[ -f "$dir/.config" ] || return 0
	sha256sum "$dir/.config" | cut -d' ' -f1
}

# results_runner: who ran it when ZCRX_RUNNER does not say: a VM run is
# "vm-BACKEND@HOST"; make hw-test is "HOST:NETIF" (the runner is the
# machine and its NIC).
results_runner() {
	local h
	h=$(hostname 2>/dev/null || echo unknown)
	if [ "${VM:-qemu}" = hw ]; then
		printf '%s:%s\n' "$h" "${NETIF:-none}"
	else
		printf 'vm-%s@%s\n' "${VM:-qemu}" "$h"
	fi
}

# write_results VERDICT REASON...: results.json from what the run dir holds.
write_results() {
	local verdict=$1 now records splat_records nic accel chash
	shift
	now=$(date +%s.%N)
	records=$("$ZCRX_TOP/host-scripts/report/ktap-records.sh" "$rundir/ktap.txt")
	splat_records=$("$ZCRX_TOP/host-scripts/report/splats.sh" --records "$rundir/console.log" 2>/dev/null || true)
	nic=$(sed -n 's/^# net: //p' "$rundir/console.log" 2>/dev/null | head -n 1 || true)
	accel=$(tr ' ' '\n' 2>/dev/null <"$rundir/qemu.cmd" | sed -n '/^-accel$/{n;p;q}' || true)
	chash=$(results_config_hash "${VMLINUZ:-}")
	jq -n \
		--argjson schema "$RESULTS_SCHEMA" \
		--arg verdict "$verdict" \
		--argjson reasons "$(printf '%s\n' "$@" | jq -Rcs 'split("\n") | map(select(. != ""))')" \
		--arg records "$records" --arg splat_records "$splat_records" \
		--arg run "${run_name:-$(basename "$rundir")}" \
		--arg suite "$(git -C "$ZCRX_TOP" describe --always --dirty 2>/dev/null || echo unknown)" \
		--arg host "$(hostname 2>/dev/null || echo unknown)" --arg arch "$(uname -m)" \
		--argjson cpus "$(nproc)" --arg backend "${VM:-qemu}" --arg accel "$accel" \
		--arg krel "${KREL:-}" --arg kdesc "${KDESC:-}" --arg kpkg "${KPKG:-}" --arg chash "$chash" \
		--arg uapi "${UAPI_PKG:-}" --arg uring "${URING_PKG:-}" \
		--arg nic "$nic" \
		--arg runner "${ZCRX_RUNNER:-$(results_runner)}" \
		--arg series "${ZCRX_SERIES:-}" --arg branch "${ZCRX_BRANCH:-}" \
		--arg head "${ZCRX_HEAD:-}" --arg base "${ZCRX_BASE:-}" --arg role "${ZCRX_ROLE:-}" \
		--arg restore "$(cat "$rundir/restore.status" 2>/dev/null || true)" \
		--arg vm_status "$(cat "$rundir/vm.status" 2>/dev/null || echo no-report)" \
		--argjson vm_s "$(cat "$rundir/vm.seconds" 2>/dev/null || echo 0)" \
		--argjson vm_retries "$(cat "$rundir/vm.boot-retries" 2>/dev/null || echo 0)" \
		--arg t0 "$t0" --arg tp "${t_prep:-$now}" --arg te "${t_end:-$now}" \
		-f "$ZCRX_TOP/host-scripts/report/results.jq" >"$rundir/results.json.tmp"
	mv "$rundir/results.json.tmp" "$rundir/results.json"
}

# set_verdict VERDICT REASON...: the same results.json with that verdict
# and those reasons (what write_results would write again, for less)
set_verdict() {
	local verdict=$1
	shift
	printf '%s\n' "$@" | jq -Rs --arg verdict "$verdict" --slurpfile r "$rundir/results.json" \
		'. as $in | $r[0] | .verdict = $verdict | .reasons = ($in | split("\n") | map(select(. != "")))' \
		>"$rundir/results.json.tmp"
	mv "$rundir/results.json.tmp" "$rundir/results.json"
}

# results_verdict: decide from results.json (vm status, KTAP well formed,
# failures, errors, timeouts, xpass, failed binaries, splats); prints
# "VERDICT<TAB>REASON<TAB>REASON..." on one line.
results_verdict() {
	jq -r '
		[ (if .vm.status != "pass" then "vm: \(.vm.status)" else empty end),
		  (if .ktap.ok | not then "ktap: \(.ktap.error)" else empty end),
		  (if .counts.fail + .counts.error + .counts.xpass > 0
		   then "tests: \(.counts.fail) failed, \(.counts.error) errors, \(.counts.xpass) xpass" else empty end),
		  ([.binaries[] | select(.outcome != "pass" and .outcome != "skip") | .name] as $b
		   | if ($b | length) > 0 then "binaries failed: \($b | join(" "))" else empty end),
		  (if (.splats | length) > 0 then "kernel splats: \(.splats | length) (see splats.txt)" else empty end)
		] as $r
		| [(if ($r | length) == 0 then "pass" else "fail" end)] + $r | join("\t")' "$rundir/results.json"
}
