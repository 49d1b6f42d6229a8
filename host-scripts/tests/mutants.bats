#!/usr/bin/env bats
# mutants.sh and mutant-lib.sh: mutant parsing, validation, apply and
# restore on a tiny fake tree; mutants.sh end to end with stub
# build-kernel.sh and vm-test.sh (no kernel is built, no VM booted).

setup() {
	T="$BATS_TEST_TMPDIR"
	export BUILD_DIR="$T/build" RESULTS_DIR="$T/results"
	# shellcheck source=host-scripts/lib.sh
	. "$BATS_TEST_DIRNAME/../lib.sh"
	# shellcheck source=host-scripts/dev/mutant-lib.sh
	. "$BATS_TEST_DIRNAME/../dev/mutant-lib.sh"
	tree="$T/tree"
	mkdir -p "$tree/io_uring" "$tree/net" "$T/m"
	printf 'int a;\nint b;\nint c;\n' >"$tree/io_uring/zcrx.c"
	printf 'static int x;\nstatic int y;\n' >"$tree/net/core.c"
	touch -d 2020-01-01 "$tree/io_uring/zcrx.c" "$tree/net/core.c"
	cp -a "$tree" "$T/pristine"
}

# edit FILE SED-EXPR: change FILE in a copy b/ of the tree, for diff -u.
edit() {
	[ -d "$T/a" ] || { cp -a "$tree" "$T/a" && cp -a "$tree" "$T/b"; }
	sed -i "$2" "$T/b/$1"
}

# the tree is byte-for-byte the pristine copy, with no backup, .orig or
# .rej file and no manifest left
pristine() {
	diff -r "$T/pristine" "$tree"
	[ -z "$(find "$tree" -name '*.zcrx-orig' -o -name '*.orig' -o -name '*.rej' -o -name '.zcrx-mutating.files')" ]
}

sed_mutant() { # NAME FILE-HEADER ROWS-HEADER SCRIPT-LINE
	printf '%s\n' "$2" "$3" '# breaks: something' "$4" >"$T/m/$1.sed"
	echo "$T/m/$1.sed"
}

@test "a diff -u patch with timestamps is accepted, applied and restored byte-for-byte" {
	edit io_uring/zcrx.c 's/int b;/int b = 1;/'
	(cd "$T" && diff -u a/io_uring/zcrx.c b/io_uring/zcrx.c) >"$T/m/ts.patch" || true
	grep -q $'^+++ b/io_uring/zcrx.c\t20[0-9][0-9]-' "$T/m/ts.patch" # genuine TAB + timestamp
	run mutant_patch_files "$T/m/ts.patch"
	[ "$output" = io_uring/zcrx.c ]
	run mutants_check_all "$tree" "$T/m/ts.patch"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	pristine # validation changed nothing

	mutant_apply "$tree" "$T/m/ts.patch"
	cmp "$T/b/io_uring/zcrx.c" "$tree/io_uring/zcrx.c"
	[ "$(cat "$tree/.zcrx-mutating.files")" = io_uring/zcrx.c.zcrx-orig ]
	[ "$(mutant_changed "$tree")" -eq 2 ]
	[ -z "$(find "$tree" -name '*.orig' -o -name '*.rej')" ]

	touch "$T/before-restore"
	mutant_restore "$tree"
	pristine
	# touched, so make rebuilds it
	[ "$tree/io_uring/zcrx.c" -nt "$T/pristine/io_uring/zcrx.c" ]
	[ ! "$tree/io_uring/zcrx.c" -ot "$T/before-restore" ]
}

@test "a patch touching two files: both backed up, applied, and restored" {
	edit io_uring/zcrx.c 's/int c;/int c = 3;/'
	edit net/core.c 's/static int x;/static int x = 1;/'
	(cd "$T" && diff -ruN a b) >"$T/m/two.patch" || true
	run mutant_patch_files "$T/m/two.patch"
	[ "${lines[*]}" = "io_uring/zcrx.c net/core.c" ]
	run mutants_check_all "$tree" "$T/m/two.patch"
	[ "$status" -eq 0 ]

	mutant_apply "$tree" "$T/m/two.patch"
	cmp "$T/b/io_uring/zcrx.c" "$tree/io_uring/zcrx.c"
	cmp "$T/b/net/core.c" "$tree/net/core.c"
	[ "$(wc -l <"$tree/.zcrx-mutating.files")" -eq 2 ]
	[ "$(mutant_changed "$tree")" -eq 4 ]
	mutant_restore "$tree"
	pristine
}

@test "'+++ ' and '--- ' lines inside a hunk are content, not file headers" {
	printf 'x\n-- y\nz\n' >"$tree/net/core.c"
	cp -a "$tree/net/core.c" "$T/pristine/net/core.c"
	edit net/core.c 's/^-- y$/++ not\/a\/header/'
	(cd "$T" && diff -u a/net/core.c b/net/core.c) >"$T/m/content.patch" || true
	grep -qx -- '+++ not/a/header' "$T/m/content.patch"
	grep -qx -- '--- y' "$T/m/content.patch"
	run mutant_patch_files "$T/m/content.patch"
	[ "$output" = net/core.c ]
	mutant_apply "$tree" "$T/m/content.patch"
	mutant_restore "$tree"
	pristine
}

@test "a patch that does not apply is refused at validation, in one line" {
	edit io_uring/zcrx.c 's/int b;/int b = 1;/'
	(cd "$T" && diff -u a/io_uring/zcrx.c b/io_uring/zcrx.c) >"$T/m/stale.patch" || true
	printf 'int a;\nint B;\nint c;\n' >"$tree/io_uring/zcrx.c"
	cp -a "$tree/io_uring/zcrx.c" "$T/pristine/io_uring/zcrx.c"
	run mutants_check_all "$tree" "$T/m/stale.patch"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ $output == "zcrx-vmtest: error: $T/m/stale.patch: does not apply to $tree (patch --dry-run: io_uring/zcrx.c: Hunk #1 FAILED at 1"* ]]
	pristine
}

@test "a patch creating a file, or naming none, is refused in one line" {
	printf 'new\n' >"$T/new.c"
	(cd "$T" && diff -u /dev/null new.c | sed 's|^+++ new.c|+++ b/io_uring/new.c|') >"$T/m/create.patch" || true
	printf 'just words\n' >"$T/m/empty.patch"
	run mutants_check_all "$tree" "$T/m/create.patch"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ $output == *"create.patch: patches io_uring/new.c, which is not a file in $tree"* ]]
	run mutants_check_all "$tree" "$T/m/empty.patch"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ $output == *"empty.patch: names no file to patch"* ]]
}

@test "a good .sed is accepted, applied and restored" {
	m=$(sed_mutant good '# file: io_uring/zcrx.c' '# rows: R1' 's/int b;/int b = 2;/')
	run mutants_check_all "$tree" "$m"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	mutant_apply "$tree" "$m"
	grep -qx 'int b = 2;' "$tree/io_uring/zcrx.c"
	[ "$(mutant_changed "$tree")" -eq 2 ]
	mutant_restore "$tree"
	pristine
}

@test "a .sed naming a missing file is refused in one line" {
	m=$(sed_mutant missing '# file: io_uring/gone.c' '# rows: R1' 's/a/b/')
	run mutants_check_all "$tree" "$m"
	[ "$status" -eq 1 ]
	[ "$output" = "zcrx-vmtest: error: $m: '# file: io_uring/gone.c' names no file in $tree" ]
}

@test "a .sed naming a file outside the tree is refused in one line" {
	m=$(sed_mutant escape '# file: ../pristine/net/core.c' '# rows: R1' 's/x/y/')
	run mutants_check_all "$tree" "$m"
	[ "$status" -eq 1 ]
	[ "$output" = "zcrx-vmtest: error: $m: '# file: ../pristine/net/core.c' is not a relative path inside the tree" ]
}

@test "a .sed without a rows header is refused in one line" {
	m=$(sed_mutant norows '# file: io_uring/zcrx.c' '# nothing' 's/int b;/int b = 2;/')
	run mutants_check_all "$tree" "$m"
	[ "$status" -eq 1 ]
	[ "$output" = "zcrx-vmtest: error: $m: empty or missing '# rows:' header" ]
}

@test "a .sed with a syntax error is refused in one line" {
	m=$(sed_mutant syntax '# file: io_uring/zcrx.c' '# rows: R1' 's/int b;/int b = 2;')
	run mutants_check_all "$tree" "$m"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ $output == "zcrx-vmtest: error: $m: sed -f fails: sed: file $m line 4: unterminated \`s' command" ]]
	pristine
}

@test "a .sed that changes nothing is refused in one line" {
	m=$(sed_mutant nochange '# file: io_uring/zcrx.c' '# rows: R1' 's/int zz;/int b = 2;/')
	run mutants_check_all "$tree" "$m"
	[ "$status" -eq 1 ]
	[ "$output" = "zcrx-vmtest: error: $m: sed -f changes nothing in io_uring/zcrx.c (pattern not found?)" ]
}

@test "every bad mutant is listed, not only the first" {
	good=$(sed_mutant good '# file: io_uring/zcrx.c' '# rows: R1' 's/int b;/int b = 2;/')
	b1=$(sed_mutant b1 '# file: io_uring/gone.c' '# rows: R1' 's/a/b/')
	b2=$(sed_mutant b2 '# file: io_uring/zcrx.c' '# rows: R1' 's/int zz;/x/')
	printf 'x\n' >"$T/m/b3.txt"
	run mutants_check_all "$tree" "$b1" "$good" "$b2" "$T/m/b3.txt"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 3 ]
	[[ ${lines[0]} == *"b1.sed: "* ]]
	[[ ${lines[1]} == *"b2.sed: "* ]]
	[ "${lines[2]}" = "zcrx-vmtest: error: $T/m/b3.txt: not a *.sed or *.patch mutant" ]
}

@test "restore after an interruption: only the manifest's backups, with a note each" {
	m=$(sed_mutant good '# file: io_uring/zcrx.c' '# rows: R1' 's/int b;/int b = 2;/')
	mutant_apply "$tree" "$m"
	run mutant_restore "$tree" "left mutated by an interrupted 'make mutants'"
	[ "$status" -eq 0 ]
	[ "$output" = "zcrx-vmtest: warning: restoring $tree/io_uring/zcrx.c left mutated by an interrupted 'make mutants'" ]
	pristine
	run mutant_restore "$tree" note # no manifest: nothing to do
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "a mutant is not applied over a leftover backup" {
	m=$(sed_mutant good '# file: io_uring/zcrx.c' '# rows: R1' 's/int b;/int b = 2;/')
	cp "$tree/io_uring/zcrx.c" "$tree/io_uring/zcrx.c.zcrx-orig"
	run mutant_apply "$tree" "$m"
	[ "$status" -eq 1 ]
	[[ $output == *"io_uring/zcrx.c.zcrx-orig exists"* ]]
	cmp "$T/pristine/io_uring/zcrx.c" "$tree/io_uring/zcrx.c"
}

# hold_lock FILE: a background process holding FILE (flock) that wrote its
# PID there; prints that PID.
hold_lock() {
	# shellcheck disable=SC2016 # $$ and $1 are the inner sh's
	flock "$1" sh -c 'echo $$ >"$1"; exec sleep 60' sh "$1" 3>&- >/dev/null 2>&1 &
	local i
	for ((i = 0; i < 100; i++)); do
		[ ! -s "$1" ] || break
		sleep 0.05
	done
	cat "$1"
}

@test "the lock: a second run is refused at once, naming the first's PID" {
	lock="$BUILD_DIR/.lock-mutants"
	mkdir -p "$BUILD_DIR"
	holder=$(hold_lock "$lock")
	[ -n "$holder" ]
	run mutant_lock "$lock"
	kill "$holder"
	[ "$status" -eq 1 ]
	[ "$output" = "zcrx-vmtest: error: another 'make mutants' (pid $holder) is running; wait for it or stop it" ]
}

@test "the lock: a free lock is taken and our PID written" {
	lock="$BUILD_DIR/.lock-mutants"
	mutant_lock "$lock"
	[ "$(cat "$lock")" = "$$" ]
	# held now: another open of the file cannot take it
	run flock -n "$lock" true
	[ "$status" -eq 1 ]
}

@test "results.json is read with jq: verdict, failed cases, reasons" {
	c() { printf '{"binary": "%s", "name": "%s", "outcome": "%s"}' "$1" "$2" "$3"; }
	printf '{"verdict": "pass", "reasons": [], "cases": [%s]}' "$(c a E0 pass)" >"$T/pass.json"
	printf '{"verdict": "fail", "reasons": ["x"], "cases": [%s,%s,%s,%s,%s,%s,%s]}' "$(c a E0 pass)" "$(c a E1 fail)" \
		"$(c a E2 timeout)" "$(c b S0 skip)" "$(c b S1 error)" "$(c b S2 fail)" "$(c c T1 fail)" >"$T/cases.json"
	printf '{"verdict": "fail", "reasons": ["vm: timeout", "ktap: a|b"], "cases": []}' >"$T/reasons.json"
	[ "$(mutant_outcome "$T/pass.json")" = $'SURVIVED\t-' ]
	[ "$(mutant_outcome "$T/cases.json")" = $'killed\ta:E1<br>a:E2<br>b:S1<br>(+2 more)' ]
	[ "$(mutant_outcome "$T/reasons.json")" = $'killed\t(vm: timeout; ktap: a\\|b)' ]
	[ "$(mutant_outcome "$T/none.json")" = $'killed\t(no results.json)' ]
}

# --- mutants.sh end to end, with stub build-kernel.sh and vm-test.sh --------

# stubs: the "kernel" is the tree's two files; the suite fails when the
# kernel says MUTATED; vm-test.sh refuses KERNEL with KSRC as the real one
# does; VM_HANG=1 makes the mutant runs hang.
stubs() {
	mkdir -p "$T/top/host-scripts/kernels"
	cat >"$T/top/host-scripts/kernels/build-kernel.sh" <<'E'
#!/usr/bin/env bash
set -euo pipefail
echo "${KBUILD_STEP} KSRC=$KSRC ZCRX_MUTATING=${ZCRX_MUTATING:-}" >>"$BUILD_DIR/build-calls"
[ "$KBUILD_STEP" != tree ] || exit 0
tree="$BUILD_DIR/src/linux-source-7.3"
mkdir -p "$BUILD_DIR/kbuild/debian-7.3-lean/arch/x86/boot"
cat "$tree/io_uring/zcrx.c" "$tree/net/core.c" >"$BUILD_DIR/kbuild/debian-7.3-lean/arch/x86/boot/bzImage"
E
	cat >"$T/top/host-scripts/vm-test.sh" <<'E'
#!/usr/bin/env bash
set -euo pipefail
[ -z "${KSRC:-}" ] || { echo "KERNEL=$KERNEL and KSRC=$KSRC: give one of them" >&2; exit 1; }
[ -z "${KCONFIG:-}" ] || { echo "KCONFIG=$KCONFIG applies to kernels built from source" >&2; exit 1; }
d="$RESULTS_DIR/$RUN_NAME"
mkdir -p "$d"
case $RUN_NAME in */baseline) ;; *) [ "${VM_HANG:-0}" != 1 ] || { touch "$BUILD_DIR/vm-started"; sleep 60; } ;; esac
if grep -q MUTATED "$KERNEL"; then
	echo '{"verdict": "fail", "reasons": ["cases failed"], "cases": [{"binary": "zcrx", "name": "E01", "outcome": "fail"}]}' >"$d/results.json"
else
	echo '{"verdict": "pass", "reasons": [], "cases": []}' >"$d/results.json"
fi
E
	chmod +x "$T/top/host-scripts/"*.sh "$T/top/host-scripts/kernels/"*.sh
	mkdir -p "$BUILD_DIR/src"
	mv "$tree" "$BUILD_DIR/src/linux-source-7.3"
	tree="$BUILD_DIR/src/linux-source-7.3"
	export ZCRX_TOP="$T/top" MUTANTS="$T/m"
	S="$BATS_TEST_DIRNAME/../dev/mutants.sh"
}

@test "mutants.sh: a bad mutant stops the run before the baseline build" {
	stubs
	sed_mutant good '# file: io_uring/zcrx.c' '# rows: R1' 's/int b;/int b = 2;/' >/dev/null
	sed_mutant bad '# file: io_uring/zcrx.c' '# rows: R1' 's/nowhere/x/' >/dev/null
	run "$S"
	[ "$status" -eq 1 ]
	[ "${lines[-2]}" = "zcrx-vmtest: error: $T/m/bad.sed: sed -f changes nothing in io_uring/zcrx.c (pattern not found?)" ]
	[ "${lines[-1]}" = "zcrx-vmtest: error: invalid mutants (listed above); nothing was built" ]
	[ "$(cat "$BUILD_DIR/build-calls")" = "tree KSRC=debian ZCRX_MUTATING=0" ]
	[ ! -e "$RESULTS_DIR" ]
}

@test "mutants.sh KSRC=debian KCONFIG=lean: killed and survived mutants, tree restored, suite run without KSRC" {
	sed_mutant kill '# file: io_uring/zcrx.c' '# rows: R1' 's/int b;/int b; \/\/ MUTATED/' >/dev/null
	edit io_uring/zcrx.c 's/int c;/int c = 3;/'
	edit net/core.c 's/static int y;/static int y = 1;/'
	(cd "$T" && diff -ru a b) >"$T/m/survive.patch" || true
	printf '%s\n' '# rows: R2' '# breaks: nothing the suite sees' | cat - "$T/m/survive.patch" >"$T/m/x" && mv "$T/m/x" "$T/m/survive.patch"
	stubs
	KSRC=debian KCONFIG=lean run "$S"
	[ "$status" -eq 1 ] # one survived
	[[ $output == *"| kill | R1 | something | killed | zcrx:E01 |"* ]]
	[[ $output == *"| survive | R2 | nothing the suite sees | SURVIVED | - |"* ]]
	[[ $output == *"2 mutants: 1 killed, 1 survived, 0 invalid"* ]]
	grep -qx 'tree KSRC=debian ZCRX_MUTATING=0' "$BUILD_DIR/build-calls"
	[ "$(grep -c '^all KSRC=debian ZCRX_MUTATING=1$' "$BUILD_DIR/build-calls")" -eq 4 ] # baseline, 2 mutants, rebuild
	pristine
	[ ! -e "$tree/.zcrx-mutating" ]
}

@test "mutants.sh: SIGTERM during a mutant's run restores the tree" {
	sed_mutant kill '# file: io_uring/zcrx.c' '# rows: R1' 's/int b;/int b; \/\/ MUTATED/' >/dev/null
	stubs
	VM_HANG=1 setsid "$S" >"$T/out" 2>&1 3>&- &
	for ((i = 0; i < 200; i++)); do
		[ ! -e "$BUILD_DIR/vm-started" ] || break
		sleep 0.05
	done
	[ -e "$BUILD_DIR/vm-started" ]
	grep -q MUTATED "$tree/io_uring/zcrx.c"
	pid=$(cat "$BUILD_DIR/.lock-mutants")
	kill -TERM -- -"$pid" # mutants.sh leads its own process group (setsid)
	rc=0
	wait "$!" || rc=$?
	[ "$rc" -eq 143 ]
	pristine
	[ ! -e "$tree/.zcrx-mutating" ]
}

@test "mutants.sh KCONFIG=debug is refused in one line, before any build" {
	stubs
	sed_mutant good '# file: io_uring/zcrx.c' '# rows: R1' 's/int b;/int b = 2;/' >/dev/null
	KCONFIG=debug run "$S"
	[ "$status" -eq 1 ]
	[ "$output" = "zcrx-vmtest: error: KCONFIG=debug: make mutants builds the lean kernel only; unset KCONFIG" ]
	[ ! -e "$BUILD_DIR/build-calls" ]
}

@test "mutants.sh: a second run is refused at once, naming the first's PID" {
	stubs
	sed_mutant good '# file: io_uring/zcrx.c' '# rows: R1' 's/int b;/int b = 2;/' >/dev/null
	mkdir -p "$BUILD_DIR"
	holder=$(hold_lock "$BUILD_DIR/.lock-mutants")
	run "$S"
	kill "$holder"
	[ "$status" -eq 1 ]
	[ "$output" = "zcrx-vmtest: error: another 'make mutants' (pid $holder) is running; wait for it or stop it" ]
	[ ! -e "$BUILD_DIR/build-calls" ]
}
