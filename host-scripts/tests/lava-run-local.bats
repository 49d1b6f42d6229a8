#!/usr/bin/env bats
# lava/run-local.sh with stand-ins for lava-run, unshare and mount: the job
# is checked with LAVA's schema first (a rejected one never runs); lava-run
# gets the device, the job and an output directory under OUTDIR, in a
# private mount namespace; its log becomes the files sinks/lava.sh --dir
# reads (job.json with LAVA's health, lava-results.json as lava-server
# exports results), and the exit status says whether the job completed.

setup() {
	T="$BATS_TEST_TMPDIR"
	R="$BATS_TEST_DIRNAME/../lava/run-local.sh"
	[ -d /var/lib/lava/dispatcher ] || skip "lava-dispatcher is not installed (make check's lava step installs it)"
	mkdir -p "$T/bin"
	export BUILD_DIR="$T/build" RESULTS_DIR="$T/results" PATH="$T/bin:$PATH"
	# unshare: run what follows "--"; mount: note it
	printf '#!/bin/bash\necho "unshare $*" >>"%s/calls"\nwhile [ "$1" != -- ]; do shift; done; shift; exec "$@"\n' "$T" >"$T/bin/unshare"
	printf '#!/bin/sh\necho "mount $*" >>"%s/calls"\n' "$T" >"$T/bin/mount"
	cat >"$T/bin/lava-run" <<'S'
#!/bin/bash
# lava-run's log on stderr, one YAML record a line
T=$(dirname "$(dirname "$0")")
echo "lava-run $*" >>"$T/calls"
r() { echo "{\"dt\": \"2026-11-30T07:00:0$1\", \"lvl\": \"$2\", \"msg\": $3}" >&2; }
r 1 info '"start: 0 validate"'
r 2 target '"zcrx-lava: case=q.global.x__Q01 result=pass"'
r 2 results '{"case": "q_global_x__q01", "definition": "zcrx", "extra": {"test_case_id": "q.global.x__Q01"}, "level": "3.1", "result": "pass"}'
if [ "${STUB_RESULT:-pass}" = pass ]; then
	r 3 results '{"case": "end", "definition": "zcrx", "extra": {"test_case_id": "end"}, "level": "3.1", "result": "pass"}'
	r 4 results '{"case": "job", "definition": "lava", "result": "pass"}'
	exit 0
fi
r 4 exception '"lava-test-monitor timed out after 600 seconds"'
r 4 results '{"case": "job", "definition": "lava", "error_msg": "lava-test-monitor timed out after 600 seconds", "error_type": "Test", "result": "fail"}'
exit 1
S
	chmod +x "$T/bin/"*
	cat >"$T/job.yaml" <<'Y'
device_type: qemu
job_name: zcrx-vmtest t
timeouts:
  job: {minutes: 2}
visibility: public
context: {arch: amd64}
actions:
- boot: {method: qemu, media: tmpfs}
Y
	echo 'actions: {}' >"$T/device.yaml"
}

@test "a complete job: lava-run in a private mount namespace, the job files for the sink" {
	run "$R" "$T/device.yaml" "$T/job.yaml" "$T/out" qemu-07
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q "^unshare --mount --propagation private -- bash -c" "$T/calls"
	grep -qx "mount --bind $T/out/var /var/lib/lava/dispatcher" "$T/calls"
	grep -q "^lava-run --job-id [0-9]* --device $T/device.yaml --output-dir $T/out/run $T/job.yaml$" "$T/calls"
	[ "$(jq -r '[.health, .device, .device_type, .description, .start_time, .end_time] | join("|")' "$T/out/job.json")" = \
		"Complete|qemu-07|qemu|zcrx-vmtest t|2026-11-30T07:00:01|2026-11-30T07:00:04" ]
	[ "$(jq -c '[.[] | select(.suite == "zcrx") | [.name, .result, .metadata.extra[0].test_case_id]]' "$T/out/lava-results.json")" = \
		'[["q_global_x__q01","pass","q.global.x__Q01"],["end","pass","end"]]' ]
	cmp "$T/job.yaml" "$T/out/definition.yaml"
	[ ! -e "$T/out/var" ]
	grep -q '"zcrx-lava: case=q.global.x__Q01 result=pass"' "$T/out/log.yaml"
	[[ $(cat "$T/out/seconds") =~ ^[0-9]+\.[0-9]$ ]]
}

@test "a job that timed out in lava-run: Incomplete with LAVA's reason, exit 1" {
	STUB_RESULT=timeout run "$R" "$T/device.yaml" "$T/job.yaml" "$T/out"
	[ "$status" -eq 1 ]
	[ "$(jq -r '[.health, .failure_comment] | join("|")' "$T/out/job.json")" = "Incomplete|lava-test-monitor timed out after 600 seconds" ]
}

@test "a job LAVA's schema rejects never runs; bad arguments: one line" {
	sed 's/^visibility: public$/visibility: all/' "$T/job.yaml" >"$T/bad.yaml"
	run "$R" "$T/device.yaml" "$T/bad.yaml" "$T/out"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ ${lines[0]} == "zcrx-vmtest: error: "*"bad.yaml: LAVA's schema rejects it: "* ]]
	[ ! -e "$T/calls" ]
	run "$R" "$T/nodevice.yaml" "$T/job.yaml" "$T/out"
	[ "$status" -eq 1 ]
	[ "$output" = "zcrx-vmtest: error: $T/nodevice.yaml: no such device configuration" ]
	run "$R" "$T/device.yaml"
	[ "$status" -eq 1 ]
	[[ $output == "zcrx-vmtest: error: usage: "* ]]
}
