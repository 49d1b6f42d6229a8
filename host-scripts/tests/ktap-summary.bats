#!/usr/bin/env bats
# ktap-summary.sh: reading the suite's KTAP version 1 document.

setup() {
	S="$BATS_TEST_DIRNAME/../ktap-summary.sh"
	T="$BATS_TEST_TMPDIR"
}

summary() { eval "$("$S" "$1")"; }

good_doc() {
	cat <<'K'
KTAP version 1
1..2
  KTAP version 1
  1..2
  ok 1 global.a__Q01
  not ok 2 global.b__Q02
  # Totals: pass:1 fail:1 xfail:0 xpass:0 skip:0 error:0
not ok 1 query
  KTAP version 1
  1..1
  ok 1 global.c__S01 # SKIP no events
  # Totals: pass:0 fail:0 xfail:0 xpass:0 skip:1 error:0
ok 2 stats_placement
# Totals: pass:1 fail:1 xfail:0 xpass:0 skip:1 error:0
# zcrx-vmtest: exit=1
K
}

@test "well-formed document: counts, failed and skipped cases" {
	good_doc >"$T/k"
	summary "$T/k"
	[ "$KTAP_OK" = 1 ]
	[ "$PASS" = 1 ] && [ "$FAIL" = 1 ] && [ "$SKIP" = 1 ] && [ "$ERRORS" = 0 ]
	[ "$BINARIES" = 2 ] && [ "$BIN_FAILED" = 1 ]
	[ "$FAILED_CASES" = " query:global.b__Q02" ]
	[ "$SKIPPED_CASES" = " stats_placement:global.c__S01" ]
	[ "$GUEST_EXIT" = 1 ]
}

@test "missing Totals line: not well formed" {
	good_doc | grep -v '^# Totals' >"$T/k"
	summary "$T/k"
	[ "$KTAP_OK" = 0 ]
	[[ $KTAP_ERROR == *Totals* ]]
}

@test "suite cut short: fewer results than planned" {
	good_doc | head -n 8 >"$T/k"
	summary "$T/k"
	[ "$KTAP_OK" = 0 ]
	[[ $KTAP_ERROR == "plan says 2 subtests, 1 result lines" ]]
}

@test "wrong version line" {
	good_doc | sed '1s/.*/TAP version 13/' >"$T/k"
	summary "$T/k"
	[ "$KTAP_OK" = 0 ]
	[[ $KTAP_ERROR == *KTAP\ version\ 1* ]]
}

@test "empty or missing file is not a pass" {
	: >"$T/k"
	summary "$T/k"
	[ "$KTAP_OK" = 0 ]
	unset PASS FAIL
	summary "$T/does-not-exist"
	[ "$KTAP_OK" = 0 ]
	[ "$KTAP_ERROR" = "no result file" ]
	[ "$PASS" = 0 ] && [ "$FAIL" = 0 ]
}

@test "CRLF line endings are accepted" {
	good_doc | sed 's/$/\r/' >"$T/k"
	summary "$T/k"
	[ "$KTAP_OK" = 1 ]
	[ "$FAIL" = 1 ]
}
