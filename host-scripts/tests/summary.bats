#!/usr/bin/env bats
# summary.sh: summary.json is written by jq, so case names and reasons with
# spaces, quotes and backslashes stay exact and the file stays valid JSON.

setup() {
	T="$BATS_TEST_TMPDIR"
	. "$BATS_TEST_DIRNAME/../lib.sh"
	. "$BATS_TEST_DIRNAME/../summary.sh"
	rundir="$T/run"
	mkdir -p "$rundir"
	t0=$(date +%s.%N) t_prep=$t0 t_end=$t0
	KREL='7.3.4 "quoted"' KDESC='built \ tree' KPKG=
	echo pass >"$rundir/vm.status"
	echo 12.5 >"$rundir/vm.seconds"
	cat >"$rundir/ktap.txt" <<'K'
KTAP version 1
1..1
  KTAP version 1
  1..3
  ok 1 case with spaces__Q01
  not ok 2 say "hi" \ back\\slash__Q02
  ok 3 skipped one # SKIP needs a "NIC" \ here
  # Totals: pass:1 fail:1 xfail:0 xpass:0 skip:1 error:0
not ok 1 query tool
# Totals: pass:1 fail:1 xfail:0 xpass:0 skip:1 error:0
# zcrx-vmtest: uptime suite-start=2.50 suite-end=7.25
K
}

@test "names with spaces, quotes and backslashes survive exactly" {
	write_summary fail 'tests: 1 failed' 'a reason with "quotes" and \ backslash'
	jq -e . "$rundir/summary.json" >/dev/null
	[ "$(jq -r '.failed_cases[0]' "$rundir/summary.json")" = 'query tool:say "hi" \ back\\slash__Q02' ]
	[ "$(jq -r '.skipped_cases[0]' "$rundir/summary.json")" = 'query tool:skipped one' ]
	[ "$(jq -r '.reasons[1]' "$rundir/summary.json")" = 'a reason with "quotes" and \ backslash' ]
	[ "$(jq -r '.kernel.release' "$rundir/summary.json")" = '7.3.4 "quoted"' ]
	[ "$(jq -r '.kernel.source' "$rundir/summary.json")" = 'built \ tree' ]
}

@test "counts and times are numbers" {
	write_summary pass
	[ "$(jq -c '.counts' "$rundir/summary.json")" = '{"pass":1,"fail":1,"skip":1,"xfail":0,"xpass":0,"error":0}' ]
	[ "$(jq -r '.seconds.boot, .seconds.suite, .vm.seconds' "$rundir/summary.json" | tr '\n' ' ')" = '2.5 4.75 12.5 ' ]
	[ "$(jq -c '.reasons' "$rundir/summary.json")" = '[]' ]
}

@test "an interrupted run without a KTAP still gets a valid summary" {
	rm "$rundir/ktap.txt" "$rundir/vm.seconds"
	echo interrupted >"$rundir/vm.status"
	write_summary interrupted 'interrupted by SIGINT'
	[ "$(jq -r '.verdict, .vm.status, .counts.pass' "$rundir/summary.json" | tr '\n' ' ')" = 'interrupted interrupted 0 ' ]
}
