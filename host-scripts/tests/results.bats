#!/usr/bin/env bats
# report/results.sh: results.json is written by jq from the KTAP and
# console records, holds names and reasons exactly, validates against
# report/results-valid.jq (the schema of docs/results.md), and decides the
# verdict.

setup() {
	T="$BATS_TEST_TMPDIR"
	. "$BATS_TEST_DIRNAME/../lib.sh"
	. "$BATS_TEST_DIRNAME/../report/results.sh"
	V="$BATS_TEST_DIRNAME/../report/results-valid.jq"
	rundir="$T/run"
	mkdir -p "$rundir"
	t0=$(date +%s.%N) t_prep=$t0 t_end=$t0
	KREL='7.3.4 "quoted"' KDESC='built \ tree' KPKG=
	echo pass >"$rundir/vm.status"
	echo 12.5 >"$rundir/vm.seconds"
	echo 'qemu-system-x86_64 -machine q35 -accel tcg -m 1024' >"$rundir/qemu.cmd"
	printf '%s\n' '[    1.0] Linux version 7.3.4' \
		'# net: NETIF=eth2 NIC_KIND=netdevsim-dma LOCAL_V4=192.0.2.1' >"$rundir/console.log"
	cat >"$rundir/ktap.txt" <<'K'
KTAP version 1
1..1
  KTAP version 1
  1..3
  ok 1 case with spaces__Q01
  not ok 2 say "hi" \ back\\slash__Q02_E04
  ok 3 skipped one__R09.variant # SKIP needs a "NIC" \ here
  # Totals: pass:1 fail:1 xfail:0 xpass:0 skip:1 error:0
# zcrx-vmtest: query tool took 4.00 s
not ok 1 query tool
# Totals: pass:1 fail:1 xfail:0 xpass:0 skip:1 error:0
# zcrx-vmtest: uptime suite-start=2.50 suite-end=7.25
K
}

valid() { jq -r -f "$V" "$rundir/results.json"; }

@test "names, reasons and rows survive exactly; the file is valid" {
	write_results fail 'tests: 1 failed' 'a reason with "quotes" and \ backslash'
	[ -z "$(valid)" ]
	[ "$(jq -r '.cases[1].name' "$rundir/results.json")" = 'say "hi" \ back\\slash__Q02_E04' ]
	[ "$(jq -c '.cases[1].rows' "$rundir/results.json")" = '["Q02","E04"]' ]
	[ "$(jq -c '.cases[2] | [.outcome, .reason, .rows]' "$rundir/results.json")" = '["skip","needs a \"NIC\" \\ here",["R09"]]' ]
	[ "$(jq -r '.reasons[1]' "$rundir/results.json")" = 'a reason with "quotes" and \ backslash' ]
	[ "$(jq -r '.kernel.release' "$rundir/results.json")" = '7.3.4 "quoted"' ]
	[ "$(jq -r '.kernel.source' "$rundir/results.json")" = 'built \ tree' ]
	[ "$(jq -c '.binaries' "$rundir/results.json")" = '[{"name":"query tool","outcome":"fail","reason":null,"seconds":4}]' ]
}

@test "run metadata: accel, NIC, suite version, times" {
	write_results pass
	[ "$(jq -c '[.run.accel, .nic.kind, .nic.driver, .nic.netif]' "$rundir/results.json")" = '["tcg","netdevsim-dma","netdevsim","eth2"]' ]
	[ -n "$(jq -r '.run.suite_version' "$rundir/results.json")" ]
	[ "$(jq -c '.counts' "$rundir/results.json")" = '{"pass":1,"fail":1,"xfail":0,"xpass":0,"skip":1,"error":0,"flake":0}' ]
	[ "$(jq -r '.seconds.boot, .seconds.suite, .vm.seconds' "$rundir/results.json" | tr '\n' ' ')" = '2.5 4.75 12.5 ' ]
}

@test "the verdict comes from results.json: a failed case fails the run" {
	write_results pass
	[ "$(results_verdict)" = "$(printf 'fail\ttests: 1 failed, 0 errors, 0 xpass\tbinaries failed: query tool')" ]
}

@test "set_verdict writes what write_results would, verdict and reasons exactly" {
	write_results fail 'tests: 1 failed' 'a reason with "quotes" and \ backslash'
	jq -S . "$rundir/results.json" >"$T/full.json"
	write_results pending
	set_verdict fail 'tests: 1 failed' 'a reason with "quotes" and \ backslash'
	[ -z "$(valid)" ]
	diff <(jq -S 'del(.seconds)' "$T/full.json") <(jq -S 'del(.seconds)' "$rundir/results.json")
	set_verdict pass
	[ "$(jq -c '[.verdict, .reasons]' "$rundir/results.json")" = '["pass",[]]' ]
}

@test "a clean run passes; a splat fails it and is attributed with its fingerprint" {
	sed -i 's/^  not ok 2 /  ok 2 /; s/^not ok 1 query tool/ok 1 query tool/; s/pass:1 fail:1/pass:2 fail:0/' "$rundir/ktap.txt"
	write_results pass
	[ "$(results_verdict)" = pass ]
	printf '%s\n' '[    3.0] zcrx-vmtest: binary query tool' '[    3.1] zcrx-vmtest: case query tool:global.a__Q01' \
		'[    3.2] WARNING: CPU: 0 PID: 9 at io_uring/zcrx.c:1 zcrx_send_notif+0x1/0x2' '[    3.3] Call Trace:' '[    3.3]  <TASK>' \
		'[    3.4]  ? show_regs+0x1/0x2' '[    3.5]  zcrx_send_notif+0x1/0x2' '[    3.6]  io_pp_zc_alloc_netmems+0x3/0x4 [x]' \
		'[    3.7]  </TASK>' '[    4.0] zcrx-vmtest: end suite' >>"$rundir/console.log"
	write_results pass
	[ -z "$(valid)" ]
	[ "$(jq -c '.splats[0] | [.binary, .case, .fingerprint]' "$rundir/results.json")" = '["query tool","global.a__Q01",["zcrx_send_notif","io_pp_zc_alloc_netmems"]]' ]
	[ "$(results_verdict)" = "$(printf 'fail\tkernel splats: 1 (see splats.txt)')" ]
}

@test "an interrupted run without a KTAP still gets a valid results.json" {
	rm "$rundir/ktap.txt" "$rundir/vm.seconds"
	echo interrupted >"$rundir/vm.status"
	write_results interrupted 'interrupted by SIGINT'
	[ -z "$(valid)" ]
	[ "$(jq -r '.verdict, .vm.status, .counts.pass, .ktap.error' "$rundir/results.json" | tr '\n' ' ')" = 'interrupted interrupted 0 no result file ' ]
}

@test "the schema check names what is wrong" {
	write_results pass
	jq '.verdict = "maybe" | .cases[0].rows = ["bad"] | .counts.pass = "1" | del(.run.backend)' \
		"$rundir/results.json" >"$T/bad.json"
	run jq -r -f "$V" "$T/bad.json"
	[[ $output == *'verdict: outcome "maybe"'* ]]
	[[ $output == *'"bad" is not a row id'* ]]
	[[ $output == *'counts.pass: string'* ]]
	[[ $output == *'run.backend: null'* ]]
}
