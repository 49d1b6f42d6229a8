#!/usr/bin/env bash
# make kernel: build a bzImage for the VM, out of tree, and write its
# description (as fetch-kernel.sh does) to $1 when given.
#   KSRC=debian (default)  Debian's linux-source-$KSRC_VERSION, unpacked once
#                          under build/src/, kernel-config/patches/ applied
#   KSRC=/path/to/tree     a developer's tree, used read-only (never modified)
#   KCONFIG=lean|debug|gcov  lean.config, or lean.config + debug.config, or
#                          lean.config + gcov.config with io_uring/ and
#                          drivers/net/netdevsim/ profiled (make kcov-report)
# Config: tinyconfig + fragments, olddefconfig, then every option the
# fragments ask for is verified; missing ones are listed and the build stops.
# Output dir: build/kbuild/<source>-<config>/ (O=), so switching back and
# forth between sources and configs rebuilds only what changed.
# KBUILD_STEP=deps stops after installing the host's build tools and
# fetching the source package (make deps KSRC=...); KBUILD_STEP=tree after
# the source tree is ready (unpacked and patched).
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../apt-private.sh"

out_env=${1:-}
KSRC=${KSRC:-debian}
KCONFIG=${KCONFIG:-lean}
KSRC_VERSION=${KSRC_VERSION:-7.3}
JOBS=${JOBS:-$(nproc)}
KBUILD_STEP=${KBUILD_STEP:-all}
case $KBUILD_STEP in deps | tree | all) ;; *) die "KBUILD_STEP=$KBUILD_STEP: expected deps, tree or all" ;; esac
[[ $JOBS =~ ^[1-9][0-9]*$ ]] || die "JOBS=$JOBS: expected a positive integer"
frag_dir="$ZCRX_TOP/kernel-config"

case $KCONFIG in
lean) frags=("$frag_dir/lean.config") ;;
debug) frags=("$frag_dir/lean.config" "$frag_dir/debug.config") ;;
gcov) frags=("$frag_dir/lean.config" "$frag_dir/gcov.config") ;;
*) die "KCONFIG=$KCONFIG: expected lean, debug or gcov" ;;
esac


# --- arguments first, then the host's build tools --------------------------
if [ "$KSRC" != debian ]; then
	[ -d "$KSRC" ] || die "KSRC=$KSRC: no such directory"
	# the real path: find(1) does not descend into a symlink it is given
	srcdir=$(cd "$KSRC" && pwd -P)
	if [ ! -f "$srcdir/Makefile" ] || [ ! -f "$srcdir/Kconfig" ] || [ ! -d "$srcdir/arch/x86" ]; then
		die "KSRC=$KSRC: not a Linux kernel tree (no Makefile, Kconfig and arch/x86)"
	fi
	[ -f "$srcdir/io_uring/zcrx.c" ] || die "KSRC=$KSRC: this tree has no io_uring zcrx (io_uring/zcrx.c)"
	# an in-tree build would make O= builds refuse; say so rather than clean it
	[ ! -f "$srcdir/.config" ] || die "KSRC=$KSRC has an in-tree .config; run 'make mrproper' there (this tool never modifies your tree)"
fi
for t in gcc:gcc make:make flex:flex bison:bison bc:bc perl:perl xz:xz-utils patch:patch dpkg-deb:dpkg; do
	need_cmd "${t%%:*}" "${t#*:}"
done
[ "${ZCRX_CCACHE:-1}" != 1 ] || need_cmd ccache ccache
need_file /usr/include/libelf.h libelf-dev
need_file /usr/include/openssl/opensslv.h libssl-dev
if [ "$KBUILD_STEP" = deps ]; then
	if [ "$KSRC" = debian ]; then
		apt_private_update
		deb=$(apt_fetch "linux-source-$KSRC_VERSION")
		log "kernel build dependencies ready; source package $(basename "$deb")"
	else
		log "kernel build dependencies ready for $srcdir"
	fi
	exit 0
fi

# --- the source tree -------------------------------------------------------
# One preparation of a source tree at a time, then one build at a time per
# output directory (a lean and a coverage build of one tree may overlap).
if [ "$KSRC" = debian ]; then
	lock_take "src-debian-$KSRC_VERSION" "preparing the Debian source tree"
	src_id="debian-$KSRC_VERSION"
	srcdir="$BUILD_DIR/src/linux-source-$KSRC_VERSION"
	if [ ! -f "$srcdir/.zcrx-unpacked" ]; then
		apt_private_update
		pkg="linux-source-$KSRC_VERSION"
		deb=$(apt_fetch "$pkg")
		log "unpacking $(basename "$deb") into $srcdir"
		rm -rf "$srcdir" "$srcdir.tmp"
		mkdir -p "$srcdir.tmp"
		at_exit_rm "$srcdir.tmp"
		dpkg-deb --fsys-tarfile "$deb" | tar -xO "./usr/src/$pkg.tar.xz" | xz -dc -T0 |
			tar -x -C "$srcdir.tmp" --strip-components=1 ||
			die "cannot unpack $(basename "$deb")"
		mv "$srcdir.tmp" "$srcdir"
		basename "$deb" >"$srcdir/.zcrx-unpacked"
	fi
	# A running 'make mutants' owns the tree; one that was killed may have
	# left a mutant in place, which is restored here.
	if [ "${ZCRX_MUTATING:-0}" != 1 ] && [ -f "$srcdir/.zcrx-mutating" ]; then
		pid=$(cat "$srcdir/.zcrx-mutating" 2>/dev/null || true)
		if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
			die "a 'make mutants' run (pid $pid) is using $srcdir; wait for it to finish"
		fi
		rm -f "$srcdir/.zcrx-mutating"
	fi
	if [ "${ZCRX_MUTATING:-0}" != 1 ] && [ -f "$srcdir/.zcrx-mutating.files" ]; then
		# the manifest lists every backup, wherever in the tree
		# shellcheck source=host-scripts/dev/mutant-lib.sh
		. "$ZCRX_TOP/host-scripts/dev/mutant-lib.sh"
		mutant_restore "$srcdir" "left mutated by an interrupted 'make mutants'"
	elif [ "${ZCRX_MUTATING:-0}" != 1 ]; then
		while IFS= read -r f; do
			warn "restoring ${f%.zcrx-orig} left mutated by an interrupted 'make mutants'"
			mv -f "$f" "${f%.zcrx-orig}"
			touch "${f%.zcrx-orig}"
		done < <(find "$srcdir/io_uring" "$srcdir/net" -name '*.zcrx-orig' 2>/dev/null)
	fi
	"$ZCRX_TOP/host-scripts/kernels/apply-patches.sh" "$srcdir" "$frag_dir/patches"
	lock_drop "src-debian-$KSRC_VERSION"
else
	src_id="ksrc-$(printf '%s' "$srcdir" | sha256sum | cut -c1-12)"
fi
[ "$KBUILD_STEP" != tree ] || { log "source tree ready: $srcdir"; exit 0; }
lock_take "kbuild-$src_id-$KCONFIG" "building $src_id ($KCONFIG)"

# --- nothing changed? --------------------------------------------------------
# The last build's stamp says what it was built from (the fragments, the
# top Makefile, the compiler, KCFLAGS, the profiling list, the tree) and
# what it made (bzImage's time and size, the .config's hash); its own time
# is from before that build, so it is older than every file and directory
# the build saw (a deleted or renamed file changes its directory's time).
# Then kbuild's walk of the tree, 5-10 s, is skipped; find(1) over it takes
# well under a second. ZCRX_KSTAMP=0: off. An edit that keeps a file's old
# time (cp -p, tar x) is not seen: make kernel ZCRX_KSTAMP=0 then.
kernel_env() { # kernel_env FILE
	{
		printf 'KREL=%q\n' "$(cat "$obj/include/config/kernel.release" 2>/dev/null || echo unknown)"
		printf 'VMLINUZ=%q\n' "$obj/arch/x86/boot/bzImage"
		printf 'MODROOT=%q\n' ""
		printf 'KDESC=%q\n' "built $src_id $KCONFIG"
	} >"$1"
}
# KBUILD_OBJ: another output directory (make presubmit puts each copy's
# beside it, so that ccache, which hashes paths relative to BUILD_DIR,
# sees the same relative source paths for HEAD, BASE and the Debian tree)
obj=${KBUILD_OBJ:-$BUILD_DIR/kbuild/$src_id-$KCONFIG}
stamp="$obj/.zcrx-built"
build_sig() {
	{
		cat "${frags[@]}" "$srcdir/Makefile"
		gcc --version | head -n 1
		printf '%s\n' "KCONFIG=$KCONFIG ccache=${ZCRX_CCACHE:-1} KCFLAGS=${KCFLAGS:-} src=$srcdir"
		[ "$KCONFIG" != gcov ] || cat "$ZCRX_TOP/host-scripts/dev/kcov-lib.sh"
	} | sha256sum | cut -c1-16
}
build_made() {
	printf 'bzImage %s config %s\n' "$(stat -c %Y.%s "$obj/arch/x86/boot/bzImage" 2>/dev/null || echo none)" \
		"$(sha256sum <"$obj/.config" 2>/dev/null | cut -c1-16 || echo none)"
}
sig=$(build_sig)
if [ "${ZCRX_KSTAMP:-1}" = 1 ] && [ -f "$stamp" ] &&
	[ "$(cat "$stamp")" = "$(printf '%s\n%s' "$sig" "$(build_made)")" ] &&
	[ -z "$(find -H "$srcdir" -path "$srcdir/.git" -prune -o -newer "$stamp" -print -quit 2>/dev/null)" ]; then
	log "kernel up to date (nothing in $srcdir changed since $(date -r "$stamp" '+%F %T')): $obj/arch/x86/boot/bzImage"
	[ -z "$out_env" ] || kernel_env "$out_env"
	exit 0
fi
rm -f "$stamp"
stamp_new="$obj/.zcrx-built.new"
mkdir -p "$obj"
printf '%s\n' "$sig" >"$stamp_new"

# --- configure -------------------------------------------------------------
# ccache shares objects between builds of the same source: the base and the
# patched tree, the lean and mutant builds, another checkout's build dir
# (paths under BUILD_DIR are hashed relative to it). ZCRX_CCACHE=0: off.
cc=gcc
if [ "${ZCRX_CCACHE:-1}" = 1 ]; then
	cc="ccache gcc"
	export CCACHE_BASEDIR="$BUILD_DIR" CCACHE_NOHASHDIR=1
	export CCACHE_DIR=${CCACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/zcrx-vmtest-ccache}
	export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-5G}
fi
# Reconfigure only when the fragments or the tree's Kconfig files changed
# (saves ~15 s on every incremental build).
cfg_log="$obj/config.log"
cfg_hash=$(cat "${frags[@]}" "$srcdir/Makefile" | sha256sum | cut -c1-16)-0
if [ -f "$obj/.config" ] && [ -n "$(find -H "$srcdir" -name 'Kconfig*' -newer "$obj/.config" 2>/dev/null | head -n 1)" ]; then
	cfg_hash=changed
fi
if [ ! -f "$obj/.config" ] || [ "$(cat "$obj/.zcrx-config" 2>/dev/null)" != "$cfg_hash" ]; then
	log "configuring $src_id ($KCONFIG) in $obj"
	{
		make -C "$srcdir" O="$obj" CC="$cc" tinyconfig &&
			"$srcdir/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" "${frags[@]}" &&
			make -C "$srcdir" O="$obj" CC="$cc" olddefconfig
	} >"$cfg_log" 2>&1 || die "kernel configuration failed; see $cfg_log"
	cfg_hash=$(cat "${frags[@]}" "$srcdir/Makefile" | sha256sum | cut -c1-16)-0
fi

missing=()
while IFS= read -r line; do
	case $line in
	CONFIG_*=*)
		grep -qxF "$line" "$obj/.config" || missing+=("$line")
		;;
	"# CONFIG_"*" is not set")
		opt=${line#\# }
		opt=${opt%% *}
		! grep -q "^$opt=" "$obj/.config" || missing+=("$line")
		;;
	esac
done < <(cat "${frags[@]}")
if [ "${#missing[@]}" -gt 0 ]; then
	rm -f "$obj/.zcrx-config"
	die "options lost after olddefconfig (dependencies unmet?): ${missing[*]}"
fi
printf '%s\n' "$cfg_hash" >"$obj/.zcrx-config"

# --- build -----------------------------------------------------------------
# KCONFIG=gcov: only the objects of io_uring/ and drivers/net/netdevsim/ are
# profiled, through kbuild's per-object variables on the command line.
prof_vars=()
if [ "$KCONFIG" = gcov ]; then
	# shellcheck source=host-scripts/dev/kcov-lib.sh
	. "$ZCRX_TOP/host-scripts/dev/kcov-lib.sh"
	mapfile -t prof_vars < <(kcov_obj_vars "$srcdir" "${KCOV_DIRS[@]}")
	[ "${#prof_vars[@]}" -gt 0 ] || die "kcov: no objects to profile in $srcdir"
fi
build_log="$obj/build.log"
log "building bzImage with -j$JOBS (log: $build_log)"
t0=$(date +%s)
if ! make -C "$srcdir" O="$obj" CC="$cc" -j"$JOBS" "${prof_vars[@]}" bzImage >"$build_log" 2>&1; then
	err=$(grep -m1 -E 'error:|Error [0-9]' "$build_log" || tail -n 1 "$build_log")
	die "kernel build failed: $err (log: $build_log)"
fi
log "bzImage ready in $(( $(date +%s) - t0 )) s: $obj/arch/x86/boot/bzImage"
if [ "$KCONFIG" = gcov ]; then
	for g in io_uring/zcrx.gcno io_uring/query.gcno drivers/net/netdevsim/netdev.gcno; do
		[ -f "$obj/$g" ] || die "kcov: the gcov build has no $g (profiling flags not applied?)"
	done
fi

# what this build made, into the stamp (whose time stays the build's start)
t_stamp=$(date -r "$stamp_new" '+%Y-%m-%d %H:%M:%S.%N')
build_made >>"$stamp_new"
touch -d "$t_stamp" "$stamp_new"
mv -f "$stamp_new" "$stamp"
[ -z "$out_env" ] || kernel_env "$out_env"
