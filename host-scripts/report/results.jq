# results.json from report/results.sh's arguments (schema: docs/results.md).
def r2: (. * 100 | round) / 100;
def num: if . == null or . == "" then null else tonumber end;
def rows: [scan("__([A-Z][0-9]{2}(?:_[A-Z][0-9]{2})*)") | .[0] | split("_")[]];
def nic_fields: [scan("([A-Z_0-9]+)=([^ ]+)") | {(.[0]): .[1]}] | add // {};

($records | split("\n") | map(select(length > 0) | split("\t"))) as $rec
| ($splat_records | split("\n") | map(select(length > 0) | split("\t"))) as $sp
| ([$rec[] | select(.[0] == "totals")] | last // ["totals", "0", "0", "0", "0", "0", "0"]) as $tot
| ([$rec[] | select(.[0] == "doc")] | last // ["doc", "0", "no result file"]) as $doc
| ([$rec[] | select(.[0] == "uptime")] | last) as $up
| ([$rec[] | select(.[0] == "exit")] | last) as $gexit
| ($nic | nic_fields) as $nf
| {
	schema: $schema,
	verdict: $verdict,
	reasons: $reasons,
	run: {
		name: $run,
		runner: $runner,
		suite_version: $suite,
		machine: {host: $host, arch: $arch, cpus: $cpus},
		backend: $backend,
		accel: (if $accel == "" then null else $accel end),
		started: ($t0 | tonumber | floor | todate),
		ended: ($te | tonumber | floor | todate)
	},
	kernel: ({release: $krel, source: $kdesc}
		+ (if $kpkg != "" then {package: $kpkg} else {} end)
		+ (if $chash != "" then {config_sha256: $chash} else {} end)),
	toolchain: {uapi: $uapi, liburing: $uring},
	series: (if $series == "" then null
		else {name: $series, branch: $branch, head: $head, base: $base, role: $role} end),
	nic: (if $nic == "" then null
		else {netif: $nf.NETIF, kind: ($nf.NIC_DRIVER // $nf.NIC_KIND // null),
		      driver: ($nf.NIC_DRIVER // (if ($nf.NIC_KIND // "") | startswith("netdevsim") then "netdevsim" else null end)),
		      firmware: ($nf.NIC_FIRMWARE // null), bus: ($nf.NIC_BUS // null),
		      restore: (if $restore == "" then null else $restore end)}
		end),
	vm: {status: $vm_status, seconds: $vm_s, boot_retries: $vm_retries},
	ktap: {ok: ($doc[1] == "1"), error: (if $doc[1] == "1" then null else $doc[2] end),
	       guest_exit: (if $gexit then ($gexit[1] | num) else null end)},
	# a flake (failed, passed when retried) is a pass in the KTAP totals,
	# and its own count here
	counts: (([$rec[] | select(.[0] == "case" and .[3] == "flake")] | length) as $fl
		| {pass: (($tot[1] | tonumber) - $fl), fail: ($tot[2] | tonumber), xfail: ($tot[3] | tonumber),
		 xpass: ($tot[4] | tonumber), skip: ($tot[5] | tonumber), error: ($tot[6] | tonumber), flake: $fl}),
	binaries: [$rec[] | select(.[0] == "bin")
		| {name: .[1], outcome: .[2], reason: (.[3] // "" | if . == "" then null else . end),
		   seconds: (.[4] | num)}],
	cases: [$rec[] | select(.[0] == "case")
		| {binary: .[1], name: .[2], outcome: .[3],
		   reason: (.[4] // "" | if . == "" then null else . end),
		   rows: (.[2] | rows), seconds: null}],
	splats: [$sp[] | {index: (.[1] | tonumber), console_line: (.[2] | tonumber), title: .[3],
		binary: (if (.[4] // "") == "" then null else .[4] end),
		case: (if (.[5] // "") == "" then null else .[5] end),
		fingerprint: ((.[6] // "") | split(" ") | map(select(length > 0)))}],
	seconds: {
		prepare: (($tp | tonumber) - ($t0 | tonumber) | r2),
		boot: (if $up then ($up[1] | tonumber | r2) else 0 end),
		suite: (if $up then (($up[2] | tonumber) - ($up[1] | tonumber) | r2) else 0 end),
		vm: $vm_s,
		wall: (($te | tonumber) - ($t0 | tonumber) | r2)
	}
}
