#!/usr/bin/env bats
# One source for every list: the knobs (host-scripts/knobs.tsv) and the
# test binaries (guest-tests/Makefile). Generated text must be current and
# nothing may name a knob or a binary the source does not have.

setup() {
	TOP="$BATS_TEST_DIRNAME/../.."
}

@test "the README's knob table is generated from knobs.tsv and current" {
	cp "$TOP/README.md" "$BATS_TEST_TMPDIR/README.md"
	ZCRX_TOP="$TOP" "$TOP/host-scripts/dev/gen-docs.sh" "$BATS_TEST_TMPDIR/README.md"
	diff -u "$TOP/README.md" "$BATS_TEST_TMPDIR/README.md"
}

@test "every knob the Makefile exports or the scripts read as a knob is in knobs.tsv" {
	local known missing=
	known=" $("$TOP/host-scripts/knobs.sh" names | tr '\n' ' ') "
	for k in $(sed -n 's/^export \([A-Z_]*\) ?=.*/\1/p' "$TOP/Makefile") \
		$(grep -ho 'knob_[a-z]* [A-Z_]* "' "$TOP"/host-scripts/*.sh | awk '{print $2}' | sort -u); do
		[[ $known == *" $k "* ]] || missing="$missing $k"
	done
	[ -z "$missing" ] || { echo "not in knobs.tsv:$missing"; return 1; }
}

@test "knobs.tsv rows are well formed: four fields, a known check" {
	run awk -F'\t' '!/^#/ && (NF != 4 || $3 !~ /^(-|uint [0-9]+|choice [A-Za-z0-9_]+(\|[A-Za-z0-9_]+)+)$/) { print NR ": " $0 }' "$TOP/host-scripts/knobs.tsv"
	[ -z "$output" ]
}

@test "make help prints every knob" {
	run make -s -C "$TOP" help
	[ "$status" -eq 0 ]
	for k in $("$TOP/host-scripts/knobs.sh" names); do
		[[ $output == *"  $k="* ]] || { echo "make help lacks $k"; return 1; }
	done
}

@test "test binaries: the guest Makefile's list is the only one; each has one source in spec/ or nic/" {
	run make -s --no-print-directory -C "$TOP/guest-tests" list-tests
	[ "$status" -eq 0 ]
	for t in $output; do
		n=$(ls "$TOP/guest-tests/spec/$t.c" "$TOP/guest-tests/nic/$t.c" 2>/dev/null | wc -l)
		[ "$n" -eq 1 ] || { echo "listed $t has $n sources in spec/ and nic/"; return 1; }
	done
	# every program in spec/ and nic/ is listed; helpers live in lib/ only
	for f in "$TOP"/guest-tests/spec/*.c "$TOP"/guest-tests/nic/*.c; do
		b=$(basename "$f" .c)
		[[ " $(echo $output) " == *" $b "* ]] || { echo "$f is not in ALL_TESTS or EXTRA_TESTS"; return 1; }
		! grep -q 'TEST_HARNESS_MAIN' "$f" && { echo "$f has no TEST_HARNESS_MAIN"; return 1; }
	done
	! grep -l 'TEST_HARNESS_MAIN' "$TOP"/guest-tests/lib/*.c || false
}

@test "the result port's name: one value in vm/machine.conf and images/init.h" {
	local conf hdr
	conf=$(sed -n 's/^VM_RESULT_PORT=//p' "$TOP/vm/machine.conf")
	hdr=$(sed -n 's/^#define RESULT_PORT\t*"\(.*\)"$/\1/p' "$TOP/images/init.h")
	[ -n "$conf" ]
	[ "$conf" = "$hdr" ] || { echo "machine.conf '$conf', init.h '$hdr'"; return 1; }
}
