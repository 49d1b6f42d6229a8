#!/usr/bin/env bats
# One source for every list: the knobs (host-scripts/knobs.tsv) and the
# test binaries (guest-tests/Makefile). Generated text must be current and
# nothing may name a knob or a binary the source does not have.

setup() {
	TOP="$BATS_TEST_DIRNAME/../.."
}

@test "the README's knob table is generated from knobs.tsv and current" {
	cp "$TOP/README.md" "$BATS_TEST_TMPDIR/README.md"
	ZCRX_TOP="$TOP" "$TOP/host-scripts/gen-docs.sh" "$BATS_TEST_TMPDIR/README.md"
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

@test "test binaries: the guest Makefile's list is the only one; every listed binary has a source" {
	run make -s --no-print-directory -C "$TOP/guest-tests" list-tests
	[ "$status" -eq 0 ]
	for t in $output; do
		[ -f "$TOP/guest-tests/$t.c" ] || { echo "listed $t has no $t.c"; return 1; }
	done
	# every test source is listed (helpers are named in LIBS)
	for f in "$TOP"/guest-tests/*.c; do
		b=$(basename "$f" .c)
		grep -qE "^(ALL_TESTS|EXTRA_TESTS|LIBS) .*[ =]$b(\.c)?( |$)" "$TOP/guest-tests/Makefile" ||
			{ echo "$b.c is neither a listed test nor a helper"; return 1; }
	done
}
