#!/usr/bin/env bash
# make mutants: mutation testing of the guest suite against io_uring zcrx.
# Each mutant (kernel-config/mutants/*.sed or *.patch, or MUTANTS=file|dir)
# is applied to the project's own Debian source tree (never a user's KSRC),
# the lean kernel is rebuilt incrementally, booted, and the suite run; the
# files are then restored. A mutant is "killed" when any case fails (or the
# run fails: splat, hang, no report), "survived" otherwise.
# Formats and checks: host-scripts/dev/mutant-lib.sh. Every mutant is checked
# against the tree before the (long) baseline build; one bad one stops the
# run there. One run at a time ($BUILD_DIR/.lock-mutants); Ctrl-C or SIGTERM
# restores the tree.
# Writes the kill matrix to results/mutants-<date>/matrix.md (and prints it).
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
# shellcheck source=host-scripts/dev/mutant-lib.sh
. "$(dirname "$0")/mutant-lib.sh"

mutant_lock "$BUILD_DIR/.lock-mutants"
need_cmd jq jq

src_list=${MUTANTS:-$ZCRX_TOP/kernel-config/mutants}
KSRC_VERSION=${KSRC_VERSION:-7.3}
tree="$BUILD_DIR/src/linux-source-$KSRC_VERSION"
obj="$BUILD_DIR/kbuild/debian-$KSRC_VERSION-lean"
bz="$obj/arch/x86/boot/bzImage"
out="$RESULTS_DIR/mutants-$(date +%Y%m%d-%H%M%S)"
[ -z "${KSRC:-}" ] || [ "$KSRC" = debian ] || die "make mutants works on the project's Debian tree only; unset KSRC (your tree is never mutated)"
[ -z "${KCONFIG:-}" ] || [ "$KCONFIG" = lean ] || die "KCONFIG=$KCONFIG: make mutants builds the lean kernel only; unset KCONFIG"

if [ -d "$src_list" ]; then
	mapfile -t mutants < <(find "$src_list" -maxdepth 1 -type f \( -name '*.sed' -o -name '*.patch' \) | sort)
elif [ -f "$src_list" ]; then
	mutants=("$src_list")
else
	die "MUTANTS=$src_list: no such file or directory"
fi
[ "${#mutants[@]}" -gt 0 ] || die "no *.sed or *.patch mutants in $src_list"

build() { # build [VAR=VALUE...]: build-kernel.sh on the Debian tree, lean
	run_stoppable env KSRC=debian KCONFIG=lean KBUILD_STEP=all "$@" "$ZCRX_TOP/host-scripts/kernels/build-kernel.sh"
}

# The tree, unpacked and patched; we hold the lock, so a run marker is stale,
# and build-kernel.sh restores what an interrupted run left mutated.
rm -f -- "$tree/.zcrx-mutating"
build KBUILD_STEP=tree ZCRX_MUTATING=0 || die "cannot prepare the source tree $tree"
log "checking ${#mutants[@]} mutants against $tree"
mutants_check_all "$tree" "${mutants[@]}" || die "invalid mutants (listed above); nothing was built"

own_dir "$RESULTS_DIR"
mkdir -p "$out"
export ZCRX_MUTATING=1
at_exit "mutant_restore $(printf %q "$tree"); rm -f -- $(printf %q "$tree/.zcrx-mutating")"
echo "$$" >"$tree/.zcrx-mutating"
# Ctrl-C/SIGTERM: stop every build and VM below us first, then restore.
stop_children_on_signal

log "building the unmutated lean kernel"
build >"$out/build-base.log" 2>&1 || die "baseline kernel build failed; see $out/build-base.log"

run_suite() { # run_suite NAME: sets summary to the run's results.json
	# the kernel is $bz: vm-test.sh refuses KSRC (and KCONFIG) with KERNEL;
	# not in $(...): a signal must not wait for the run to end
	# no flake retry: a case a mutant breaks only after the cases before
	# it must not pass when run again alone
	run_stoppable env -u KSRC -u KCONFIG ZCRX_RUN_KIND=mutant ZCRX_RETRY=0 RUN_NAME="$(basename "$out")/$1" KERNEL="$bz" \
		"$ZCRX_TOP/host-scripts/vm-test.sh" >"$out/$1.out" 2>&1 || true
	summary="$RESULTS_DIR/$(basename "$out")/$1/results.json"
}

log "baseline run"
run_suite baseline
base=$summary
[ "$(mutant_verdict "$base")" = pass ] ||
	die "the suite does not pass on the unmutated kernel; see $out/baseline.out"

printf '| mutant | rows | breaks | result | killed by |\n|---|---|---|---|---|\n' >"$out/matrix.md"
killed=0 survived=0 invalid=0
for m in "${mutants[@]}"; do
	name=$(basename "$m")
	name=${name%.*}
	rows=$(mutant_header rows "$m")
	breaks=$(mutant_header breaks "$m")
	log "mutant $name"
	changed=0
	if mutant_apply "$tree" "$m"; then
		changed=$(mutant_changed "$tree")
	fi
	by="-"
	if [ "$changed" -eq 0 ]; then
		result="invalid: does not apply"
		invalid=$((invalid + 1))
	elif ! build >"$out/$name.build.log" 2>&1; then
		result="invalid: does not build"
		invalid=$((invalid + 1))
	else
		log "  $changed lines changed; running the suite"
		run_suite "$name"
		s=$summary
		IFS=$'\t' read -r result by < <(mutant_outcome "$s")
		case $result in
		SURVIVED) survived=$((survived + 1)) ;;
		*) killed=$((killed + 1)) ;;
		esac
	fi
	mutant_restore "$tree"
	printf '| %s | %s | %s | %s | %s |\n' "$name" "$rows" "$breaks" "$result" "$by" >>"$out/matrix.md"
	log "  -> $result"
done

log "rebuilding the unmutated kernel"
build >>"$out/build-base.log" 2>&1 ||
	warn "rebuild of the restored kernel failed; see $out/build-base.log"

printf '\n%d mutants: %d killed, %d survived, %d invalid\n' "${#mutants[@]}" "$killed" "$survived" "$invalid" >>"$out/matrix.md"
cat "$out/matrix.md"
echo "matrix: $out/matrix.md"
[ "$survived" -eq 0 ] && [ "$invalid" -eq 0 ]
