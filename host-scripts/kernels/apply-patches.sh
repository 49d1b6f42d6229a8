#!/usr/bin/env bash
# Apply every kernel-config/patches/*.patch to a tree the project owns
# (never a user's KSRC), idempotently: a patch whose reverse applies is
# already in; one that applies neither way means a half-applied or foreign
# tree, which is reported rather than guessed at.
#   usage: apply-patches.sh TREE PATCHDIR
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
tree=${1:?usage: apply-patches.sh TREE PATCHDIR}
dir=${2:?usage: apply-patches.sh TREE PATCHDIR}
need_cmd patch patch
shopt -s nullglob
for p in "$dir"/*.patch; do
	if patch -d "$tree" -p1 -R --dry-run -s -f <"$p" >/dev/null 2>&1; then
		continue
	fi
	if ! patch -d "$tree" -p1 --dry-run -s -f <"$p" >/dev/null 2>&1; then
		die "patch $(basename "$p") applies neither forward nor in reverse to $tree: half-applied or modified tree (remove $tree to start clean)"
	fi
	log "applying $(basename "$p")"
	patch -d "$tree" -p1 -s -f <"$p" >/dev/null || die "patch $(basename "$p") failed on $tree"
done
