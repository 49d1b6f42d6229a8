#!/usr/bin/env bash
# make mutants: mutation testing of the guest suite against io_uring zcrx.
# Each mutant (kernel-config/mutants/*.sed or *.patch, or MUTANTS=file|dir)
# is applied to the project's own Debian source tree (never a user's KSRC),
# the lean kernel is rebuilt incrementally, booted, and the suite run; the
# file is then restored. A mutant is "killed" when any case fails (or the
# run fails: splat, hang, no report), "survived" otherwise.
# A *.sed mutant starts with "# file: PATH", "# rows: ROWS", "# breaks: WHAT".
# Writes the kill matrix to results/mutants-<date>/matrix.md (and prints it).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

src_list=${MUTANTS:-$ZCRX_TOP/kernel-config/mutants}
KSRC_VERSION=${KSRC_VERSION:-7.3}
tree="$BUILD_DIR/src/linux-source-$KSRC_VERSION"
obj="$BUILD_DIR/kbuild/debian-$KSRC_VERSION-lean"
bz="$obj/arch/x86/boot/bzImage"
out="$RESULTS_DIR/mutants-$(date +%Y%m%d-%H%M%S)"
[ -z "${KSRC:-}" ] || [ "$KSRC" = debian ] || die "make mutants works on the project's Debian tree only; unset KSRC (your tree is never mutated)"

if [ -d "$src_list" ]; then
	mapfile -t mutants < <(find "$src_list" -maxdepth 1 -type f \( -name '*.sed' -o -name '*.patch' \) | sort)
elif [ -f "$src_list" ]; then
	mutants=("$src_list")
else
	die "MUTANTS=$src_list: no such file or directory"
fi
[ "${#mutants[@]}" -gt 0 ] || die "no *.sed or *.patch mutants in $src_list"
mkdir -p "$out"
export ZCRX_MUTATING=1

header() { sed -n "s/^# $1: //p" "$2" | head -n 1; }

# Restore every file a mutant touched; leave it newer than its object so
# make rebuilds it (make decides by timestamps).
restore() {
	local f
	[ -d "$tree" ] || return 0
	while IFS= read -r f; do
		mv -f "$f" "${f%.zcrx-orig}"
		touch "${f%.zcrx-orig}"
	done < <(find "$tree" -name '*.zcrx-orig' 2>/dev/null)
}
trap 'restore; rm -f "$tree/.zcrx-mutating"' EXIT

log "building the unmutated lean kernel"
KSRC=debian KCONFIG=lean "$ZCRX_TOP/host-scripts/build-kernel.sh" >"$out/build-base.log" 2>&1 ||
	die "baseline kernel build failed; see $out/build-base.log"
restore # a previous interrupted run
echo "$$" >"$tree/.zcrx-mutating"

run_suite() { # run_suite NAME -> summary.json path
	RUN_NAME="$(basename "$out")/$1" KERNEL="$bz" "$ZCRX_TOP/host-scripts/vm-test.sh" \
		>"$out/$1.out" 2>&1 || true
	printf '%s\n' "$RESULTS_DIR/$(basename "$out")/$1/summary.json"
}

log "baseline run"
base=$(run_suite baseline)
grep -q '"verdict": "pass"' "$base" 2>/dev/null ||
	die "the suite does not pass on the unmutated kernel; see $out/baseline.out"

printf '| mutant | rows | breaks | result | killed by |\n|---|---|---|---|---|\n' >"$out/matrix.md"
killed=0 survived=0 invalid=0
for m in "${mutants[@]}"; do
	name=$(basename "$m")
	name=${name%.*}
	rows=$(header rows "$m")
	breaks=$(header breaks "$m")
	log "mutant $name"
	case $m in
	*.sed)
		file=$(header file "$m")
		if [ -z "$file" ] || [ ! -f "$tree/$file" ]; then
			die "$m: '# file:' names no file in $tree"
		fi
		cp -p "$tree/$file" "$tree/$file.zcrx-orig"
		sed -i -f "$m" "$tree/$file"
		changed=$(diff "$tree/$file.zcrx-orig" "$tree/$file" | grep -c '^[<>]' || true)
		;;
	*.patch)
		file=$(sed -n 's|^+++ b/||p' "$m" | head -n 1)
		[ -f "$tree/$file" ] || die "$m: patches no file in $tree"
		cp -p "$tree/$file" "$tree/$file.zcrx-orig"
		patch -d "$tree" -p1 -s -f <"$m" >/dev/null 2>&1 || true
		changed=$(diff "$tree/$file.zcrx-orig" "$tree/$file" | grep -c '^[<>]' || true)
		;;
	esac
	if [ "$changed" -eq 0 ]; then
		result="invalid: does not apply"
		by="-"
		invalid=$((invalid + 1))
	elif ! KSRC=debian KCONFIG=lean "$ZCRX_TOP/host-scripts/build-kernel.sh" >"$out/$name.build.log" 2>&1; then
		result="invalid: does not build"
		by="-"
		invalid=$((invalid + 1))
	else
		s=$(run_suite "$name")
		# the first three failing cases, and how many more
		by=$(sed -n 's/.*"failed_cases": \[\(.*\)\],*/\1/p' "$s" 2>/dev/null | tr -d '"' | sed 's/, /\n/g' |
			awk 'NF { n++; if (n <= 3) out = out (out ? "<br>" : "") $0 } END { if (n > 3) out = out sprintf("<br>(+%d more)", n - 3); print out }')
		reasons=$(sed -n 's/.*"reasons": \[\(.*\)\],*/\1/p' "$s" 2>/dev/null | tr -d '"')
		if grep -q '"verdict": "pass"' "$s" 2>/dev/null; then
			result=SURVIVED
			by="-"
			survived=$((survived + 1))
		else
			result=killed
			[ -n "$by" ] || by="($reasons)"
			killed=$((killed + 1))
		fi
	fi
	restore
	printf '| %s | %s | %s | %s | %s |\n' "$name" "$rows" "$breaks" "$result" "$by" >>"$out/matrix.md"
	log "  -> $result"
done

log "rebuilding the unmutated kernel"
KSRC=debian KCONFIG=lean "$ZCRX_TOP/host-scripts/build-kernel.sh" >>"$out/build-base.log" 2>&1 ||
	warn "rebuild of the restored kernel failed; see $out/build-base.log"

printf '\n%d mutants: %d killed, %d survived, %d invalid\n' "${#mutants[@]}" "$killed" "$survived" "$invalid" >>"$out/matrix.md"
cat "$out/matrix.md"
echo "matrix: $out/matrix.md"
[ "$survived" -eq 0 ] && [ "$invalid" -eq 0 ]
