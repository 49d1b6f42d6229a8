# results.json (docs/results.md, run.backend "lava") from a finished LAVA
# job, for sinks/lava.sh. Arguments:
#   $jobfile   [lavacli jobs show ID --json (id, device, device_type, health,
#              health_check, start_time, end_time, failure_comment, ...)]
#   $resfile   [lavacli results ID --json (name, suite, result, metadata)]
#   $meta      the job definition's metadata (zcrx.* keys, lava/jobs.sh)
#   $idsfile   [the case ids of the job's "zcrx-lava: case=" console lines]
#   $nic       the "zcrx-lava: nic {JSON}" line of a bare-metal job, or null
#   $splat_records  report/splats.sh --records of the job's console
#   $run, $runner, $suite, $now
# LAVA's test case names are its sanitized ids (lower case, \W+ -> _); the
# suite's own name comes from the case's metadata (extra.test_case_id),
# else from the console line it was parsed from.
def rows: [scan("__([A-Z][0-9]{2}(?:_[A-Z][0-9]{2})*)") | .[0] | split("_")[]];
def sanitized: ascii_downcase | gsub("[^a-z0-9_]+"; "_");
def iso: if . == null or . == "" then null
	elif test("^[0-9]{8}T[0-9]{2}:[0-9]{2}:[0-9]{2}") then "\(.[0:4])-\(.[4:6])-\(.[6:8])T\(.[9:17])Z"
	elif test("^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}") then "\(.[0:10])T\(.[11:19])Z"
	else null end;
def epoch: strptime("%Y-%m-%dT%H:%M:%SZ") | mktime;
def extra_id: (.metadata.extra? // null) as $e
	| if ($e | type) == "array" then ([$e[] | objects | .test_case_id? // empty] | first)
	  elif ($e | type) == "object" then $e.test_case_id
	  else null end;
def m($k): $meta[$k] // null | if . == "" then null else . end;

$jobfile[0] as $job | $resfile[0] as $res | $idsfile[0] as $ids
| (reduce ($ids[]) as $i ({}; . + {($i | sanitized): $i})) as $byname
| [$res[] | select(.suite != "lava")
	| {id: (extra_id // $byname[.name] // .name), result: (.result | tostring)}] as $all
| ([$all[] | select(.id == "end") | .result] | first) as $fin
| ([$all[] | select(.id == "nic-restore") | .result] | first) as $restore
# one entry per case, in the order LAVA saw them; a case seen twice (run
# again alone after failing) is a fail if either was
| (reduce ($all[] | select(.id != "end" and .id != "nic-restore")) as $c ({order: [], r: {}};
	if .r[$c.id] == null then .order += [$c.id] | .r[$c.id] = $c.result
	elif $c.result == "fail" or .r[$c.id] == "fail" then .r[$c.id] = "fail"
	else . end)) as $seen
| [$seen.order[] as $id
	| ($id | index(".")) as $dot
	| {binary: (if $dot then $id[0:$dot] else "lava" end),
	   name: (if $dot then $id[$dot + 1:] else $id end),
	   outcome: ({"pass": "pass", "skip": "skip", "fail": "fail"}[$seen.r[$id]] // "error"),
	   reason: (if $seen.r[$id] == "unknown" then "LAVA result unknown" else null end),
	   seconds: null}
	| .rows = (.name | rows)] as $cases
| ($splat_records | split("\n") | map(select(length > 0) | split("\t"))) as $sp
| ($job.health // "Unknown") as $health
| (($job.failure_comment // "") | tostring) as $why
| ($job.start_time | iso // $now) as $t0
| ($job.end_time | iso // $now) as $t1
| (($t1 | epoch) - ($t0 | epoch) | if . < 0 then 0 else . end) as $secs
| ([$cases[] | select(.outcome == "pass")] | length) as $npass
| ([$cases[] | select(.outcome == "fail")] | length) as $nfail
| ([$cases[] | select(.outcome == "skip")] | length) as $nskip
| ([$cases[] | select(.outcome == "error")] | length) as $nerr
| ($restore != null or m("zcrx.runner") != null) as $hw
| [ (if $health != "Complete" then "lava: job \($job.id) \($health | ascii_downcase)\(if $why != "" then ": " + $why else "" end)" else empty end),
    (if $fin == null then "lava: the suite never reported its end (no \"end\" test case)"
     elif $fin != "pass" then "suite: exit 1 (a failed case, a crashed or timed-out binary, a kernel taint change or kmemleak)"
     else empty end),
    (if ($cases | length) == 0 then "lava: no test case was reported" else empty end),
    (if $nfail + $nerr > 0 then "tests: \($nfail) failed, \($nerr) errors, 0 xpass" else empty end),
    (if $hw and $restore != "pass" then "nic: restore \(if $restore == null then "not reported" else "failed" end)" else empty end),
    (if ($sp | length) > 0 then "kernel splats: \($sp | length) (see splats.txt)" else empty end)
  ] as $reasons
| {
	schema: 1,
	verdict: (if ($reasons | length) == 0 then "pass" else "fail" end),
	reasons: $reasons,
	run: {
		name: $run,
		runner: $runner,
		suite_version: (m("zcrx.suite_version") // $suite),
		machine: {host: ($job.device // "unknown"), arch: "x86_64", cpus: ((m("zcrx.cpus") // "0") | tonumber? // 0)},
		backend: "lava",
		accel: m("zcrx.accel"),
		started: $t0,
		ended: $t1
	},
	kernel: ({release: (m("zcrx.kernel.release") // "unknown"), source: (m("zcrx.kernel.source") // "LAVA job \($job.id)")}
		+ (if m("zcrx.kernel.package") then {package: m("zcrx.kernel.package")} else {} end)
		+ (if m("zcrx.kernel.config_sha256") then {config_sha256: m("zcrx.kernel.config_sha256")} else {} end)),
	toolchain: {uapi: (m("zcrx.toolchain.uapi") // ""), liburing: (m("zcrx.toolchain.liburing") // "")},
	series: null,
	nic: (if $hw then
		{netif: null, kind: null, driver: null, firmware: null, bus: null} + ($nic // {})
		+ {restore: (if $restore == "pass" then "verified" elif $restore == null then null else "failed" end)}
	      else null end),
	vm: {status: (if $health == "Complete" and $fin == "pass" then "pass"
		      elif $health == "Complete" and $fin != null then "fail"
		      elif $health == "Canceled" then "interrupted"
		      elif ($why | test("time(d)? ?out"; "i")) then "timeout"
		      else "no-report" end),
	     seconds: $secs},
	ktap: {ok: ($health == "Complete" and $fin != null),
	       error: (if $health == "Complete" and $fin != null then null else "no complete report from LAVA (job \($health | ascii_downcase))" end),
	       guest_exit: (if $fin == "pass" then 0 elif $fin == "fail" then 1 else null end)},
	counts: {pass: $npass, fail: $nfail, xfail: 0, xpass: 0, skip: $nskip, error: $nerr, flake: 0},
	binaries: [$cases | group_by(.binary)[] | . as $b
		| {name: $b[0].binary,
		   outcome: (if any($b[]; .outcome == "fail" or .outcome == "error") then "fail"
			     elif any($b[]; .outcome == "pass") then "pass" else "skip" end),
		   reason: null, seconds: null}],
	cases: $cases,
	splats: [$sp[] | {index: (.[1] | tonumber), console_line: (.[2] | tonumber), title: .[3],
		binary: (if (.[4] // "") == "" then null else .[4] end),
		case: (if (.[5] // "") == "" then null else .[5] end),
		fingerprint: ((.[6] // "") | split(" ") | map(select(length > 0)))}],
	seconds: {prepare: 0, boot: 0, suite: 0, vm: $secs, wall: $secs},
	lava: {job: ($job.id | tostring), device: ($job.device // null), device_type: ($job.device_type // null),
	       health: $health, health_check: ($job.health_check // false)}
}
