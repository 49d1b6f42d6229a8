#!/usr/bin/env bash
# make presubmit KSRC=<tree> [BASE=<commit|dir|debian>]: what a series
# breaks, before it is mailed (docs/presubmit.md). Builds the tree at HEAD
# and at BASE, both out of tree in copies under build/presubmit/ (the tree
# itself is never touched: git archive for commits, rsync for
# directories), the project's virtual NIC patch applied to both when it
# applies, with ccache shared so that HEAD and BASE cost two incremental
# builds; runs the suite on both in each of PRESUBMIT_CONFIGS (default
# lean; lean,debug for both); prints regressions and fixes by case and
# spec row, new splats with fingerprints, and time per binary.
#   BASE     a commit of KSRC, a directory, or debian (the Debian 7.3
#            source); default: the merge base with KSRC's upstream, else debian
#   SERIES   the series' name in the history (default: the branch, or the
#            tree's directory name): make history Q='series NAME' shows v1, v2, ...
# Exit: 0 no regression, 1 a regression or a new splat, 2 bad input.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
ZCRX_DIE_RC=2
set -E
trap 'zcrx_on_err; exit 2' ERR

# --- arguments: one line each, before anything slow -------------------------
ksrc=${KSRC:-}
if [ -z "$ksrc" ] || [ "$ksrc" = debian ]; then
	die "make presubmit needs KSRC=<your kernel tree> (the series at its HEAD)"
fi
caller=${ZCRX_CALLER_PWD:-$PWD}
[[ $ksrc == /* ]] || ksrc="$caller/$ksrc"
[ -d "$ksrc" ] || die "KSRC=$ksrc: no such directory"
ksrc=$(cd "$ksrc" && pwd)
{ [ -f "$ksrc/Makefile" ] && [ -d "$ksrc/arch/x86" ]; } || die "KSRC=$ksrc: not a Linux kernel tree"
[ -f "$ksrc/io_uring/zcrx.c" ] || die "KSRC=$ksrc: this tree has no io_uring/zcrx.c"
configs=${PRESUBMIT_CONFIGS:-lean}
[[ $configs =~ ^(lean|debug)(,(lean|debug))*$ ]] || die "PRESUBMIT_CONFIGS=$configs: expected lean, debug or lean,debug"
git_tree=0
git -C "$ksrc" rev-parse --is-inside-work-tree >/dev/null 2>&1 &&
	[ "$(git -C "$ksrc" rev-parse --show-toplevel)" = "$ksrc" ] && git_tree=1
base=${BASE:-}
if [ -z "$base" ]; then
	base=debian
	if [ "$git_tree" = 1 ] && git -C "$ksrc" rev-parse --verify -q '@{upstream}' >/dev/null; then
		base=$(git -C "$ksrc" merge-base HEAD '@{upstream}')
	fi
fi
base_kind=debian
if [ "$base" != debian ]; then
	if [ -d "$base" ] || [ -d "$caller/$base" ]; then
		[[ $base == /* ]] || base="$caller/$base"
		base=$(cd "$base" && pwd)
		[ -f "$base/io_uring/zcrx.c" ] || die "BASE=$base: not a kernel tree with io_uring/zcrx.c"
		base_kind=dir
	elif [ "$git_tree" = 1 ] && git -C "$ksrc" rev-parse --verify -q "$base^{commit}" >/dev/null; then
		base=$(git -C "$ksrc" rev-parse "$base^{commit}")
		base_kind=commit
	else
		die "BASE=$base: not a commit of $ksrc, a directory, or debian"
	fi
fi
if [ "$git_tree" = 1 ]; then
	head=$(git -C "$ksrc" rev-parse HEAD)
	branch=$(git -C "$ksrc" symbolic-ref -q --short HEAD || echo detached)
else
	# (awk, not head: a closed pipe would end sort with SIGPIPE under pipefail)
	head="tree:$(find "$ksrc" -path "$ksrc/.git" -prune -o -type f -newer "$ksrc/Makefile" -print 2>/dev/null | LC_ALL=C sort |
		awk 'NR <= 500' | xargs -r sha1sum 2>/dev/null | sha1sum | cut -c1-12)"
	branch=none
fi
series=${SERIES:-}
if [ -z "$series" ]; then
	case $branch in none | detached) series=$(basename "$ksrc") ;; *) series=$branch ;; esac
fi
[[ $series =~ ^[A-Za-z0-9._+-]+$ ]] || series=$(printf '%s' "$series" | tr -c 'A-Za-z0-9._+-' '_')
work="$BUILD_DIR/presubmit/$series"
id="presubmit-$(date +%Y%m%d-%H%M%S)-$series"
[ ! -e "$RESULTS_DIR/$id" ] || die "$RESULTS_DIR/$id exists"
need_cmd rsync rsync
log "presubmit of $series: HEAD ${head:0:12} ($ksrc) against BASE ${base:0:40} ($base_kind); configs $configs"
trap zcrx_on_err ERR
ZCRX_DIE_RC=1

# --- the two trees, never the user's: copies the builds may patch ------------
mkdir -p "$work"
lock_take "presubmit-$series" "another presubmit of $series"
sync_tree() { # sync_tree FROM-DIR TO-DIR: only changed files get new mtimes
	# without what an in-tree build leaves (kbuild refuses O= next to it)
	rsync -a --delete --delete-excluded --exclude=/.git --exclude=/.config --exclude='*.o' --exclude='*.cmd' \
		--exclude='*.ko' --exclude='*.a' --exclude=/.zcrx-* --exclude=/include/config --exclude=/include/generated \
		--exclude='/arch/*/include/generated' "$1/" "$2/"
}
commit_tree() { # commit_tree COMMIT TO-DIR: git archive (the repository is only read)
	local tmp="$work/.archive"
	rm -rf "$tmp"
	mkdir -p "$tmp"
	git -C "$ksrc" archive --format=tar "$1" | tar -x -C "$tmp"
	rsync -a --delete --checksum "$tmp/" "$2/"
	rm -rf "$tmp"
}
nic_patch() { # nic_patch TREE: the virtual NIC patch when it applies (else the NIC cases skip)
	if ! "$ZCRX_TOP/host-scripts/kernels/apply-patches.sh" "$1" "$ZCRX_TOP/kernel-config/patches" >"$work/patch.log" 2>&1; then
		warn "the virtual NIC patch does not apply to $(basename "$1"): its NIC cases will skip ($(tail -n 1 "$work/patch.log"))"
	fi
}
# Each copy is ROLE/src/NAME with its objects in ROLE/kbuild/CONFIG, the
# same relative layout as the Debian tree (build/src/linux-source-7.3,
# build/kbuild/debian-7.3-CONFIG): ccache then finds every unchanged
# object of one in the other (its paths are relative to BUILD_DIR).
name=linux
[ "$base_kind" != debian ] || name=linux-source-7.3
head_src="$work/head/src/$name" base_copy="$work/base/src/$name"
mkdir -p "$head_src"
t0=$(date +%s)
log "copying HEAD into $head_src"
if [ "$git_tree" = 1 ]; then
	[ -z "$(git -C "$ksrc" --no-optional-locks status --porcelain --untracked-files=no)" ] ||
		warn "KSRC has uncommitted changes: presubmit builds HEAD (${head:0:12}), not them"
	commit_tree HEAD "$head_src"
else
	sync_tree "$ksrc" "$head_src"
fi
nic_patch "$head_src"
base_src=debian
case $base_kind in
commit)
	log "copying BASE ${base:0:12} into $base_copy"
	mkdir -p "$base_copy"
	commit_tree "$base" "$base_copy"
	nic_patch "$base_copy"
	base_src=$base_copy
	;;
dir)
	mkdir -p "$base_copy"
	sync_tree "$base" "$base_copy"
	nic_patch "$base_copy"
	base_src=$base_copy
	;;
esac
log "trees ready in $(($(date +%s) - t0)) s"

# --- build and run both, per config -------------------------------------------
# the verdict reads the history: the sqlite sink records every run
case " ${ZCRX_SINKS-sqlite} " in *" sqlite "*) ;; *) export ZCRX_SINKS="sqlite ${ZCRX_SINKS:-}" ;; esac
export ZCRX_SERIES=$series ZCRX_BRANCH=$branch ZCRX_HEAD=$head ZCRX_BASE=$base ZCRX_RUN_KIND=presubmit
bad=0
for cfg in ${configs//,/ }; do
	for role in base head; do
		src=$base_src kobj=
		[ "$src" = debian ] || kobj="$work/base/kbuild/$cfg"
		[ "$role" = base ] || { src=$head_src kobj="$work/head/kbuild/$cfg"; }
		log "$cfg $role: build and suite"
		rc=0
		KSRC=$src KBUILD_OBJ=$kobj KCONFIG=$cfg KERNEL='' ZCRX_ROLE=$role RUN_NAME="$id/$cfg-$role" \
			"$ZCRX_TOP/host-scripts/vm-test.sh" >"$work/$cfg-$role.log" 2>&1 || rc=$?
		if [ ! -f "$RESULTS_DIR/$id/$cfg-$role/results.json" ]; then
			tail -n 3 "$work/$cfg-$role.log" >&2
			die "$cfg $role: no results (build failed?); log: $work/$cfg-$role.log"
		fi
		log "$cfg $role: $(jq -r '"\(.verdict): \(.counts.pass) passed, \(.counts.fail) failed, \(.counts.skip) skipped; \(.kernel.release)"' \
			"$RESULTS_DIR/$id/$cfg-$role/results.json") (exit $rc)"
	done
done

# --- the verdict ----------------------------------------------------------------
for cfg in ${configs//,/ }; do
	echo
	rc=0
	"$ZCRX_TOP/host-scripts/history.sh" diff "$id/$cfg-base" "$id/$cfg-head" || rc=$?
	[ "$rc" != 2 ] || die "$cfg: the runs are not in the history (ZCRX_DB=${ZCRX_DB:-results/history.sqlite}); see $RESULTS_DIR/$id/*/sink-sqlite.log"
	[ "$rc" = 0 ] || bad=1
	echo "== time per binary ($cfg): base -> head, seconds"
	jq -rn --slurpfile b "$RESULTS_DIR/$id/$cfg-base/results.json" --slurpfile h "$RESULTS_DIR/$id/$cfg-head/results.json" '
		($b[0].binaries | map({(.name): .seconds}) | add // {}) as $bs
		| $h[0].binaries[] | "   \(.name): \($bs[.name] // "-") -> \(.seconds // "-")"'
done
echo
echo "== presubmit $series: HEAD ${head:0:12} vs BASE ${base:0:12}; results: $RESULTS_DIR/$id; $(($(date +%s) - t0)) s"
if [ "$bad" = 0 ]; then
	echo "== PASS: no regression, no new splat"
else
	echo "== FAIL: the series regresses (above)"
fi
exit "$bad"
