#!/usr/bin/env bats
# lava/hw-cases.sh, on a runner inside a LAVA test shell: make hw-test's
# results.json as lava-test-case calls (a stub records them): each case
# with its result (a flake, an error or a timeout is a fail), nic-restore,
# end; the NIC on one "zcrx-lava: nic" line; no results: end fail only.

setup() {
	T="$BATS_TEST_TMPDIR"
	H="$BATS_TEST_DIRNAME/../lava/hw-cases.sh"
	mkdir -p "$T/bin"
	printf '#!/bin/sh\necho "$*" >>"%s/calls"\n' "$T" >"$T/bin/lava-test-case"
	chmod +x "$T/bin/lava-test-case"
	export PATH="$T/bin:$PATH"
	jq -n '{cases: [{binary: "nic_zc", name: "zc.a__T04", outcome: "pass"},
			{binary: "nic_zc", name: "zc.b__E04 odd/name", outcome: "flake"},
			{binary: "nic_pack", name: "pack.c__T05", outcome: "skip"},
			{binary: "nic_pack", name: "pack.d__T05", outcome: "timeout"}],
		nic: {netif: "eth2", kind: "mlx5_core", driver: "mlx5_core", firmware: "28.39", bus: "0000:03:00.0", restore: "verified"}}' >"$T/results.json"
}

@test "each case, nic-restore and end become LAVA test cases; the NIC is one console line" {
	run "$H" "$T/results.json" 0
	[ "$status" -eq 0 ]
	[ "$(cat "$T/calls")" = "nic_zc.zc.a__T04 --result pass
nic_zc.zc.b__E04_odd_name --result fail
nic_pack.pack.c__T05 --result skip
nic_pack.pack.d__T05 --result fail
nic-restore --result pass
end --result pass" ]
	[ "$output" = 'zcrx-lava: nic {"netif":"eth2","kind":"mlx5_core","driver":"mlx5_core","firmware":"28.39","bus":"0000:03:00.0","restore":"verified"}' ]
}

@test "make hw-test failed, the NIC not restored: end and nic-restore fail" {
	jq '.nic.restore = "failed"' "$T/results.json" >"$T/r.json"
	run "$H" "$T/r.json" 1
	[ "$status" -eq 0 ]
	grep -qx 'nic-restore --result fail' "$T/calls"
	[ "$(tail -n 1 "$T/calls")" = "end --result fail" ]
}

@test "no results.json (make hw-test refused to run): only end, failed" {
	run "$H" "$T/none.json" 2
	[ "$status" -eq 0 ]
	[ "$(cat "$T/calls")" = "end --result fail" ]
}

@test "outside a LAVA test shell: one line" {
	rm "$T/bin/lava-test-case"
	PATH="$T/bin:/usr/bin:/bin" run "$H" "$T/results.json" 0
	[ "$status" -eq 1 ]
	[ "$output" = "zcrx-vmtest: error: no lava-test-case: this runs inside a LAVA test shell" ]
}
