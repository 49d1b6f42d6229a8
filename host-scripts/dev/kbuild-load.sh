#!/usr/bin/env bash
# Load for measurements: build a tinyconfig kernel from TREE in OUT from
# scratch, without ccache, over and over, with every core. Runs until
# killed; run it in its own process group (setsid) and kill the group.
#   usage: kbuild-load.sh TREE OUT
set -uo pipefail
tree=${1:?usage: kbuild-load.sh TREE OUT}
out=${2:?usage: kbuild-load.sh TREE OUT}
while :; do
	rm -rf "$out"
	CCACHE_DISABLE=1 make -C "$tree" O="$out" -s tinyconfig || exit 1
	CCACHE_DISABLE=1 make -C "$tree" O="$out" -s -j"$(nproc)" vmlinux
done
