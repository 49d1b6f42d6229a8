# shellcheck shell=bash
# Mutants for 'make mutants': parse, validate, apply and restore them in a
# kernel tree. Functions only; source lib.sh first (die, warn, log).
#
# A *.sed mutant starts with "# file: PATH", "# rows: ROWS", "# breaks: WHAT"
# and is run with sed -f on PATH. A *.patch mutant is a unified diff (diff -u
# or git diff) applied with patch -p1; it may touch several files, but only
# files that exist (no creations). Before a mutant is applied, every file it
# touches is copied to FILE.zcrx-orig and that backup's path (relative to the
# tree) is appended to TREE/.zcrx-mutating.files, the manifest restore (and
# build-kernel.sh after an interrupted run) reads.

# mutant_header KEY FILE: the value of the first "# KEY: value" line.
mutant_header() {
	sed -n "s/^# $1:[[:space:]]*//p" "$2" | head -n 1 | sed 's/[[:space:]]*$//'
}

mutant_manifest() { # mutant_manifest TREE
	printf '%s/.zcrx-mutating.files\n' "$1"
}

# mutant_safe_path PATH: PATH is relative and stays inside the tree.
mutant_safe_path() {
	case /$1/ in //* | */../* | */./* | *//*) return 1 ;; esac
	[ -n "$1" ]
}

# mutant_patch_files PATCH: the files PATCH touches, as patch -p1 names
# them (first component, "b/", and anything after a TAB, the timestamp, cut
# off), each once. The deleted side of a "+++ /dev/null" section is named;
# a header path without a "/" (nothing for -p1 to strip) is skipped. "+++ "
# and "--- " lines inside hunks are content, not headers: hunks are followed
# by their line counts.
mutant_patch_files() {
	awk '
	function strip(p) {
		sub(/\t.*/, "", p)
		if (p == "/dev/null") return p
		if (index(p, "/") == 0) return ""
		sub(/^[^\/]*\//, "", p)
		return p
	}
	function count(range, n, a) {
		n = split(substr(range, 2), a, ",")
		return n > 1 ? a[2] + 0 : 1
	}
	old > 0 || new > 0 {
		c = substr($0, 1, 1)
		if (c == " " || $0 == "") { old--; new-- }
		else if (c == "-") old--
		else if (c == "+") new--
		next
	}
	/^--- / { from = strip(substr($0, 5)); next }
	/^\+\+\+ / {
		to = strip(substr($0, 5))
		if (to == "/dev/null") to = from
		if (to != "" && !(to in seen)) { seen[to] = 1; print to }
		next
	}
	/^@@ -[0-9]/ { old = count($2); new = count($3) }
	' "$1"
}

# mutant_patch TREE [PATCH-OPTION...] < PATCH: patch -p1 in TREE, leaving no
# FILE.orig and no FILE.rej behind.
mutant_patch() {
	patch -d "$1" -p1 -f --no-backup-if-mismatch -r - "${@:2}"
}

# mutant_check_sed TREE MUTANT: why MUTANT (a *.sed) is not usable on TREE,
# in one line on stdout and status 1; nothing and status 0 when it is.
mutant_check_sed() {
	local tree=$1 m=$2 file h tmp err rc=0
	file=$(mutant_header file "$m")
	[ -n "$file" ] || { echo "no '# file:' header"; return 1; }
	mutant_safe_path "$file" || { echo "'# file: $file' is not a relative path inside the tree"; return 1; }
	[ -f "$tree/$file" ] || { echo "'# file: $file' names no file in $tree"; return 1; }
	for h in rows breaks; do
		[ -n "$(mutant_header "$h" "$m")" ] || { echo "empty or missing '# $h:' header"; return 1; }
	done
	tmp=$(mktemp)
	err=$(sed --sandbox -f "$m" "$tree/$file" 2>&1 >"$tmp") || rc=$?
	if [ "$rc" -ne 0 ]; then
		rm -f -- "$tmp"
		echo "sed -f fails: $(printf '%s\n' "$err" | head -n 1)"
		return 1
	fi
	if cmp -s -- "$tree/$file" "$tmp"; then
		rm -f -- "$tmp"
		echo "sed -f changes nothing in $file (pattern not found?)"
		return 1
	fi
	rm -f -- "$tmp"
}

# mutant_check_patch TREE MUTANT: the same for a *.patch.
mutant_check_patch() {
	local tree=$1 m=$2 f out rc=0
	local -a files
	mapfile -t files < <(mutant_patch_files "$m")
	[ "${#files[@]}" -gt 0 ] || { echo "names no file to patch (no '+++ a/PATH' header)"; return 1; }
	for f in "${files[@]}"; do
		mutant_safe_path "$f" || { echo "patches '$f', not a relative path inside the tree"; return 1; }
		[ -f "$tree/$f" ] || { echo "patches $f, which is not a file in $tree (mutants only modify existing files)"; return 1; }
	done
	out=$(mutant_patch "$tree" --dry-run <"$m" 2>&1) || rc=$?
	[ "$rc" -ne 0 ] || return 0
	out=$(printf '%s\n' "$out" | awk '
		/^checking file / { f = substr($0, 15) }
		/FAILED at / { print f ": " $0; found = 1; exit }
		NF { last = $0 }
		END { if (!found) print last }')
	echo "does not apply to $tree (patch --dry-run: $out)"
	return 1
}

# mutant_check TREE MUTANT: why MUTANT is not usable, one line, status 1.
mutant_check() {
	case $2 in
	*.sed) mutant_check_sed "$@" ;;
	*.patch) mutant_check_patch "$@" ;;
	*)
		echo "not a *.sed or *.patch mutant"
		return 1
		;;
	esac
}

# mutants_check_all TREE MUTANT...: one error line on stderr, naming the file
# and why, for every unusable MUTANT; status 1 when there is any.
mutants_check_all() {
	local tree=$1 m why bad=0
	shift
	for m in "$@"; do
		why=$(mutant_check "$tree" "$m") && continue
		printf 'zcrx-vmtest: error: %s: %s\n' "$m" "$why" >&2
		bad=$((bad + 1))
	done
	[ "$bad" -eq 0 ]
}

# mutant_files MUTANT: the files (relative to the tree) MUTANT changes.
mutant_files() {
	case $1 in
	*.sed) mutant_header file "$1" ;;
	*.patch) mutant_patch_files "$1" ;;
	esac
}

# mutant_apply TREE MUTANT: back up every file MUTANT touches (recording the
# backups in the manifest first, so an interruption leaves nothing
# unrecorded), then apply it. Status of sed or patch.
mutant_apply() {
	local tree=$1 m=$2 f man
	local -a files
	man=$(mutant_manifest "$tree")
	[ ! -e "$man" ] || die "$man exists: a mutant is still applied to $tree"
	mapfile -t files < <(mutant_files "$m")
	[ "${#files[@]}" -gt 0 ] || die "$m: names no file to mutate"
	for f in "${files[@]}"; do
		[ ! -e "$tree/$f.zcrx-orig" ] || die "$tree/$f.zcrx-orig exists: left by an interrupted run? restore it by hand"
		printf '%s\n' "$f.zcrx-orig" >>"$man" || die "cannot write $man"
		cp -p -- "$tree/$f" "$tree/$f.zcrx-orig" || die "cannot back up $tree/$f"
	done
	case $m in
	*.sed) sed --sandbox -i -f "$m" "$tree/${files[0]}" ;;
	*.patch) mutant_patch "$tree" -s <"$m" ;;
	esac
}

# mutant_changed TREE: the lines the applied mutant changed, over all the
# files in the manifest.
mutant_changed() {
	local tree=$1 b f c n=0 man
	man=$(mutant_manifest "$tree")
	[ -f "$man" ] || { echo 0; return 0; }
	while IFS= read -r b; do
		[ -f "$tree/$b" ] || continue
		f="$tree/${b%.zcrx-orig}"
		[ -e "$f" ] || f=/dev/null
		c=$(diff -- "$tree/$b" "$f" | grep -c '^[<>]' || true)
		n=$((n + c))
	done <"$man"
	echo "$n"
}

# mutant_restore TREE [NOTE]: put back every backup the manifest lists and
# touch the file (make rebuilds by timestamp), then drop the manifest. With
# NOTE, warn "restoring FILE NOTE" for each. Safe to call again after an
# interruption: backups already restored are skipped.
mutant_restore() {
	local tree=$1 note=${2:-} man b f
	man=$(mutant_manifest "$tree")
	[ -f "$man" ] || return 0
	while IFS= read -r b; do
		case $b in *.zcrx-orig) ;; *) continue ;; esac
		mutant_safe_path "$b" || continue
		[ -f "$tree/$b" ] || continue
		f=${b%.zcrx-orig}
		[ -z "$note" ] || warn "restoring $tree/$f $note"
		mv -f -- "$tree/$b" "$tree/$f"
		touch -- "$tree/$f"
	done <"$man"
	rm -f -- "$man"
}

# mutant_lock FILE: take FILE (flock -n) for this process and write its PID
# there; when another process holds it, die naming that one's PID. The lock
# lasts until the process (and the children that inherit it) ends.
mutant_lock() {
	local f=$1 fd pid
	own_dir "$(dirname -- "$f")"
	exec {fd}>>"$f"
	if ! flock -n "$fd"; then
		exec {fd}>&-
		pid=$(head -n 1 -- "$f" 2>/dev/null || true)
		die "another 'make mutants' (pid ${pid:-unknown}) is running; wait for it or stop it"
	fi
	printf '%s\n' "$$" >"$f"
}

# mutant_verdict RESULTS: the verdict in a vm-test.sh results.json (empty
# when there is none).
mutant_verdict() {
	jq -r '.verdict // empty' "$1" 2>/dev/null || true
}

# mutant_outcome RESULTS: "SURVIVED<TAB>-" when the suite passed, else
# "killed<TAB>BY": the first three failing cases (and how many more), or the
# run's reasons when no case failed, as a markdown table cell.
mutant_outcome() {
	local s=$1 by
	if [ "$(mutant_verdict "$s")" = pass ]; then
		printf 'SURVIVED\t-\n'
		return 0
	fi
	by=$(jq -r '.cases[] | select(.outcome != "pass" and .outcome != "skip" and .outcome != "xfail") | "\(.binary):\(.name)"' "$s" 2>/dev/null |
		awk 'NF { n++; if (n <= 3) out = out (out ? "<br>" : "") $0 } END { if (n > 3) out = out sprintf("<br>(+%d more)", n - 3); print out }' || true)
	if [ -z "$by" ]; then
		by=$(jq -r '.reasons[]' "$s" 2>/dev/null | awk 'NF { out = out (out ? "; " : "") $0 } END { print out }' || true)
		[ -f "$s" ] || by="no results.json"
		by="(${by:-no reason given})"
	fi
	printf 'killed\t%s\n' "${by//|/\\|}"
}
