# shellcheck shell=bash
# lavacli, the one way this project talks to a LAVA server (docs/lab.md).
# Source after lib.sh.
#   lava_cli ARGS...  runs "lavacli -i LAVA_IDENTITY ARGS..." bounded by
#                     LAVA_TIMEOUT seconds (default 120); its stdout is
#                     passed on. A failure (an unreachable lab, an unknown
#                     job or device, a refused call) ends the script with
#                     one line naming the call and lavacli's last words.
# lavacli reads the identity (the server's URI, user and token) from
# ~/.config/lavacli.yaml: "lavacli identities add --uri URI --username U
# --token T NAME" once per machine.

lava_cli() {
	local outf rc tmo=${LAVA_TIMEOUT:-120} id=${LAVA_IDENTITY:-default} why
	[[ $tmo =~ ^[1-9][0-9]*$ ]] || die "LAVA_TIMEOUT=$tmo: expected seconds > 0"
	need_cmd lavacli lavacli
	outf=$(mktemp)
	rc=0
	# lavacli prints its errors ("Unable to connect: ...") on stdout
	timeout --kill-after=5 "$tmo" lavacli -i "$id" "$@" >"$outf" 2>"$outf.err" || rc=$?
	if [ "$rc" -ne 0 ]; then
		why=$(cat "$outf" "$outf.err" | grep -v "^\s*$" | tail -n 1 | cut -c1-200 || true)
		rm -f "$outf" "$outf.err"
		[ "$rc" -ne 124 ] && [ "$rc" -ne 137 ] || why="no answer within ${tmo}s (LAVA_TIMEOUT)"
		die "lavacli -i $id $*: ${why:-exit $rc}; is the lab reachable and the identity right (LAVA_IDENTITY=$id, lavacli.yaml)?"
	fi
	cat "$outf"
	rm -f "$outf" "$outf.err"
}

# lava_device_of RUNNER / lava_runner_of DEVICE: a runner of the history
# and its LAVA device. The same name unless LAVA_DEVICE_MAP (a file of
# "RUNNER DEVICE" lines, # comments) says otherwise.
lava_device_of() { lava_map 1 2 "$1"; }
lava_runner_of() { lava_map 2 1 "$1"; }
lava_map() { # lava_map FROM-COLUMN TO-COLUMN NAME
	local -a c
	if [ -n "${LAVA_DEVICE_MAP:-}" ]; then
		[ -r "$LAVA_DEVICE_MAP" ] || die "LAVA_DEVICE_MAP=$LAVA_DEVICE_MAP: no such file"
		while read -r -a c; do
			[[ ${#c[@]} -lt 2 || ${c[0]} == '#'* ]] && continue
			[ "${c[$1 - 1]}" != "$3" ] || { printf '%s\n' "${c[$2 - 1]}"; return 0; }
		done <"$LAVA_DEVICE_MAP"
	fi
	printf '%s\n' "$3"
}

# yaml_to_json [FILE]: YAML (a document, or LAVA's log: one flow mapping
# per line, with or without "- ") as JSON on stdout, with python3-yaml
# (a dependency of lavacli and lava-dispatcher).
yaml_to_json() {
	need_file /usr/lib/python3/dist-packages/yaml/__init__.py python3-yaml
	/usr/bin/python3 -c '
import json, sys, yaml
Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
text = open(sys.argv[1], encoding="utf-8", errors="replace").read() if len(sys.argv) > 1 else sys.stdin.read()
lines = text.splitlines()
if lines and all(l.startswith("{") for l in lines if l.strip()):
    text = "\n".join("- " + l for l in lines if l.strip())
json.dump(yaml.load(text, Loader=Loader), sys.stdout, default=str)
' "$@"
}
