#!/usr/bin/env bash
# A KCIDB (KernelCI's results database) I/O document, schema v5, from one
# or more runs' results.json: what a lab submits to KernelCI (kcidb-submit).
#   usage: kcidb.sh RUNDIR... > report.json
# One checkout per kernel source (a presubmit series' head or base commit,
# or the kernel the run booted), one build per run (the kernel it booted:
# release, source, config), one test per case with a dotted path
# zcrx.BINARY.CASE (characters KCIDB paths do not allow become "_"), plus
# zcrx for the run as a whole. Status: pass PASS, fail FAIL, skip SKIP,
# error and timeout ERROR, xfail PASS (misc.outcome says xfail), flake FAIL
# with waived (it failed, then passed alone: not the code's verdict).
# A case's log_excerpt is its reason and the splats attributed to it.
# KCIDB_ORIGIN: the submitting CI system's name (default zcrx_vmtest).
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
[ $# -gt 0 ] || die "usage: kcidb.sh RUNDIR... > report.json"
origin=${KCIDB_ORIGIN:-zcrx_vmtest}
[[ $origin =~ ^[a-z0-9_]+$ ]] || die "KCIDB_ORIGIN=$origin: KCIDB origins are [a-z0-9_]+"
for d in "$@"; do
	[ -r "$d/results.json" ] || die "kcidb: no results.json in $d"
done
for d in "$@"; do cat "$d/results.json"; done | jq -s --arg origin "$origin" '
def seg: gsub("[^a-zA-Z0-9_-]"; "_");
def path($b; $c): "zcrx.\($b | seg).\($c | split(".") | map(seg) | join("."))";
def status: {pass: "PASS", fail: "FAIL", skip: "SKIP", error: "ERROR", timeout: "ERROR", xfail: "PASS", flake: "FAIL"}[.] // "MISS";
def ts: sub("Z$"; "+00:00");
def checkout_key: (.series.head // "") as $h | (.series.role // "") as $r
	| (if $r == "base" then .series.base elif $h != "" then $h else null end) // "\(.kernel.source) \(.kernel.release)";
def id($k): "\($origin):\($k)";
{
  version: {major: 5, minor: 0},
  checkouts: (map({k: checkout_key, r: .}) | unique_by(.k) | map(.k as $k | .r as $r | {
	id: id("checkout " + $k), origin: $origin,
	comment: ("zcrx-vmtest: " + $k),
	valid: true,
	misc: {kernel_source: $r.kernel.source}
  } + (if ($k | test("^[0-9a-f]{40}$")) then {git_commit_hash: $k} else {} end)
    + (if ($r.series.branch // "") != "" and ($r.series.branch != "none") then {git_repository_branch: $r.series.branch} else {} end)
    + (if $r.run.started then {start_time: ($r.run.started | ts)} else {} end))),
  builds: map({
	id: id("build " + .run.name), origin: $origin, checkout_id: id("checkout " + checkout_key),
	architecture: (.run.machine.arch | gsub("-"; "_")), compiler: "gcc",
	config_name: (.kernel.source + (if .kernel.config_sha256 then " " + .kernel.config_sha256[0:12] else "" end)),
	status: "PASS", start_time: (.run.started | ts),
	misc: {kernel_release: .kernel.release, run: .run.name, runner: (.run.runner // null)}
  }),
  tests: map(. as $r | id("build " + $r.run.name) as $bid
	| ([{id: id("test " + $r.run.name), origin: $origin, build_id: $bid, path: "zcrx",
	     status: (if $r.verdict == "pass" then "PASS" elif $r.verdict == "interrupted" then "MISS" else "FAIL" end),
	     start_time: ($r.run.started | ts), duration: $r.seconds.suite,
	     environment: {comment: ($r.run.runner // $r.run.machine.host),
	                   misc: {backend: $r.run.backend, accel: $r.run.accel, nic: $r.nic}},
	     log_excerpt: ($r.reasons | join("\n") | .[0:16384])}]
	   + [$r.cases[] | . as $c | {
	     id: id("test " + $r.run.name + " " + $c.binary + ":" + $c.name), origin: $origin, build_id: $bid,
	     path: path($c.binary; $c.name), status: ($c.outcome | status),
	     start_time: ($r.run.started | ts),
	     environment: {comment: ($r.run.runner // $r.run.machine.host)},
	     log_excerpt: ([($c.reason // empty),
	                    ($r.splats[] | select(.binary == $c.binary and .case == $c.name) | "\(.title) [\(.fingerprint | join(" "))]")]
	                   | join("\n") | .[0:16384]),
	     misc: {outcome: $c.outcome, rows: $c.rows}}
	     + (if $c.outcome == "flake" then {waived: true} else {} end)
	     + (if $c.seconds then {duration: $c.seconds} else {} end)]))
	| add
}'
