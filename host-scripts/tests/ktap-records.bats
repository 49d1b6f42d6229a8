#!/usr/bin/env bats
# report/ktap-records.sh: the one reader of the suite's KTAP document.

setup() {
	S="$BATS_TEST_DIRNAME/../report/ktap-records.sh"
	T="$BATS_TEST_TMPDIR"
}

rec() { "$S" "$1" | awk -F'\t' -v k="$2" '$1 == k'; }
doc() { rec "$1" doc | cut -f2-; }

good_doc() {
	cat <<'K'
KTAP version 1
1..3
  KTAP version 1
  1..2
  ok 1 global.a__Q01
  not ok 2 global.b__Q02
  # Totals: pass:1 fail:1 xfail:0 xpass:0 skip:0 error:0
# zcrx-vmtest: query took 0.25 s
not ok 1 query
  KTAP version 1
  1..1
  ok 1 global.c__S01 # SKIP no events
  # Totals: pass:0 fail:0 xfail:0 xpass:0 skip:1 error:0
# zcrx-vmtest: stats_placement took 1.50 s
ok 2 stats_placement # SKIP
# zcrx-vmtest: events took 3.00 s
not ok 3 events # ERROR killed by signal 11 (Segmentation fault)
# Totals: pass:1 fail:1 xfail:0 xpass:0 skip:1 error:1
# zcrx-vmtest: uptime suite-start=2.50 suite-end=7.25
# zcrx-vmtest: exit=1
K
}

@test "well-formed document: binaries, cases, totals, times" {
	good_doc >"$T/k"
	[ "$(doc "$T/k")" = "$(printf '1\t')" ]
	[ "$(rec "$T/k" bin)" = "$(printf 'bin\tquery\tfail\t\t0.25\nbin\tstats_placement\tskip\t\t1.50\nbin\tevents\terror\tkilled by signal 11 (Segmentation fault)\t3.00')" ]
	[ "$(rec "$T/k" case)" = "$(printf 'case\tquery\tglobal.a__Q01\tpass\t\ncase\tquery\tglobal.b__Q02\tfail\t\ncase\tstats_placement\tglobal.c__S01\tskip\tno events')" ]
	[ "$(rec "$T/k" totals)" = "$(printf 'totals\t1\t1\t0\t0\t1\t1')" ]
	[ "$(rec "$T/k" uptime)" = "$(printf 'uptime\t2.5\t7.25')" ]
	[ "$(rec "$T/k" exit)" = "$(printf 'exit\t1')" ]
}

@test "directives: SKIP, XFAIL, TIMEOUT, ERROR; other comments are reasons" {
	printf '%s\n' 'KTAP version 1' '1..1' '  KTAP version 1' '  1..4' \
		'  ok 1 a # XFAIL known' '  not ok 2 b # TIMEOUT' '  not ok 3 c # ERROR boom' \
		'  not ok 4 d # expected 1, seen 2' 'not ok 1 x # TIMEOUT' \
		'# Totals: pass:0 fail:1 xfail:1 xpass:0 skip:0 error:2' >"$T/k"
	[ "$(rec "$T/k" case | cut -f3-5)" = "$(printf 'a\txfail\tknown\nb\ttimeout\t\nc\terror\tboom\nd\tfail\texpected 1, seen 2')" ]
	[ "$(rec "$T/k" bin | cut -f2-3)" = "$(printf 'x\ttimeout')" ]
}

@test "names keep spaces, quotes and backslashes; tabs become spaces" {
	printf '%s\n' 'KTAP version 1' '1..1' '  ok 1 say "hi" \ back\\slash__Q02' "  ok 2 tab$(printf '\t')name" \
		'ok 1 query tool' '# Totals: pass:2 fail:0 xfail:0 xpass:0 skip:0 error:0' >"$T/k"
	[ "$(rec "$T/k" case | cut -f3 | head -n1)" = 'say "hi" \ back\\slash__Q02' ]
	[ "$(rec "$T/k" case | cut -f3 | tail -n1)" = 'tab name' ]
	[ "$(rec "$T/k" bin | cut -f2)" = 'query tool' ]
}

@test "missing Totals line: not well formed" {
	good_doc | grep -v '^# Totals' >"$T/k"
	[[ $(doc "$T/k") == 0$'\t'*Totals* ]]
}

@test "suite cut short: fewer results than planned" {
	good_doc | head -n 9 >"$T/k"
	[ "$(doc "$T/k")" = "$(printf '0\tplan says 3 subtests, 1 result lines')" ]
}

@test "wrong version line" {
	good_doc | sed '1s/.*/KTAP version 2/' >"$T/k"
	[[ $(doc "$T/k") == 0$'\t'*KTAP\ version\ 1* ]]
}

@test "empty or missing file is not well formed" {
	: >"$T/k"
	[[ $(doc "$T/k") == 0$'\t'* ]]
	[ "$(doc "$T/does-not-exist")" = "$(printf '0\tno result file')" ]
}

@test "CRLF line endings are accepted" {
	good_doc | sed 's/$/\r/' >"$T/k"
	[ "$(doc "$T/k")" = "$(printf '1\t')" ]
	[ "$(rec "$T/k" case | wc -l)" = 3 ]
}

# the kernel's runner (run_kselftest.sh) as make selftests saves it
runner_doc() {
	cat <<'K'
TAP version 13
1..2
# timeout set to 0
# selftests: drivers/net/hw: iou-zcrx.py
# TAP version 13
# 1..3
# ok 1 iou-zcrx.test_zcrx.single
# ok 2 iou-zcrx.test_zcrx.rss # SKIP Test requires RSS contexts
# not ok 3 iou-zcrx.test_zcrx_oneshot.single
# # Totals: pass:1 fail:1 xfail:0 xpass:0 skip:1 error:0
not ok 1 selftests: drivers/net/hw: iou-zcrx.py # exit=1
# selftests: drivers/net/hw: ntuple.py
# TAP version 13
# 1..1
# ok 1 ntuple.test_x
# # Totals: pass:1 fail:0 xfail:0 xpass:0 skip:0 error:0
ok 2 selftests: drivers/net/hw: ntuple.py
# Totals: pass:1 fail:1 xfail:0 xpass:0 skip:0 error:0
K
}

@test "the kernel's kselftest runner: tests as binaries DIR/NAME, their cases, summed totals (not the runner's own)" {
	runner_doc >"$T/k"
	run "$BATS_TEST_DIRNAME/../report/ktap-records.sh" "$T/k"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$(printf 'bin\tdrivers/net/hw/iou-zcrx.py\tfail\texit=1\t')" ]
	[ "${lines[2]}" = "$(printf 'case\tdrivers/net/hw/iou-zcrx.py\tiou-zcrx.test_zcrx.rss\tskip\tTest requires RSS contexts')" ]
	[ "${lines[3]}" = "$(printf 'case\tdrivers/net/hw/iou-zcrx.py\tiou-zcrx.test_zcrx_oneshot.single\tfail\t')" ]
	[ "${lines[4]}" = "$(printf 'bin\tdrivers/net/hw/ntuple.py\tpass\t\t')" ]
	[ "${lines[6]}" = "$(printf 'totals\t2\t1\t0\t0\t1\t0')" ]
	[ "${lines[7]}" = "$(printf 'doc\t1\t')" ]
}

@test "the kernel's runner cut short: fewer results than planned" {
	runner_doc | head -n 12 >"$T/k"
	[ "$(doc "$T/k")" = "$(printf '0\tplan says 2 subtests, 1 result lines')" ]
}

@test "a failed case that passes when retried alone is a flake, one that fails again stays a failure" {
	cat >"$T/k" <<'K'
KTAP version 1
1..1
  KTAP version 1
  1..3
  ok 1 global.a
  not ok 2 global.b
  not ok 3 global.c
  # Totals: pass:1 fail:2 xfail:0 xpass:0 skip:0 error:0
  # retry| TAP version 13
  # retry| ok 1 global.b
# zcrx-vmtest: retry nic_x:global.b ok
  # retry| not ok 1 global.c
# zcrx-vmtest: retry nic_x:global.c not ok
# zcrx-vmtest: nic_x took 1.00 s
not ok 1 nic_x
# Totals: pass:1 fail:2 xfail:0 xpass:0 skip:0 error:0
K
	run "$S" "$T/k"
	[ "$status" -eq 0 ]
	[[ $output == *$'case\tnic_x\tglobal.b\tflake\tfailed, then passed when run again alone'* ]]
	[[ $output == *$'case\tnic_x\tglobal.c\tfail\t(failed again when run alone)'* ]]
	[[ $output == *$'doc\t1\t'* ]]
}
