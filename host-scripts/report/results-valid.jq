# Validate a results.json against the schema of docs/results.md: prints one
# line per violation (nothing when valid). Used by the unit tests and by
# make check on every run it makes.
#   usage: jq -r -f results-valid.jq results.json
def t($path; $v; $types):
	if ($types | index($v | type)) then empty
	else "\($path): \($v | type), expected \($types | join(" or "))" end;
def outcome($path; $v; $set):
	if ($set | index($v)) then empty else "\($path): outcome \($v | tojson) not one of \($set | join(","))" end;
def strnull: ["string", "null"];

. as $r
| [ t("schema"; .schema; ["number"]),
    (if .schema != 1 then "schema: \(.schema), expected 1" else empty end),
    outcome("verdict"; .verdict; ["pass", "fail", "interrupted"]),
    t("reasons"; .reasons; ["array"]),
    (.reasons[]? | t("reasons[]"; .; ["string"])),
    t("run.name"; .run.name; ["string"]),
    t("run.suite_version"; .run.suite_version; ["string"]),
    t("run.runner"; .run.runner; ["string"]),
    t("series"; .series; ["object", "null"]),
    t("run.machine.host"; .run.machine.host; ["string"]),
    t("run.machine.cpus"; .run.machine.cpus; ["number"]),
    t("run.backend"; .run.backend; ["string"]),
    t("run.accel"; .run.accel; strnull),
    t("run.started"; .run.started; ["string"]),
    t("run.ended"; .run.ended; ["string"]),
    t("kernel.release"; .kernel.release; ["string"]),
    t("kernel.source"; .kernel.source; ["string"]),
    t("kernel.package"; .kernel.package; strnull),
    t("kernel.config_sha256"; .kernel.config_sha256; strnull),
    t("nic"; .nic; ["object", "null"]),
    t("vm.status"; .vm.status; ["string"]),
    t("vm.seconds"; .vm.seconds; ["number"]),
    t("vm.boot_retries"; .vm.boot_retries; ["number", "null"]),
    t("ktap.ok"; .ktap.ok; ["boolean"]),
    t("ktap.error"; .ktap.error; strnull),
    (.counts | to_entries[] | t("counts.\(.key)"; .value; ["number"])),
    ((.counts | keys - ["flake"]) as $k | if $k != ["error", "fail", "pass", "skip", "xfail", "xpass"]
      then "counts: keys \($k | join(","))" else empty end),
    t("binaries"; .binaries; ["array"]),
    (.binaries[]? | outcome("binaries[\(.name)]"; .outcome; ["pass", "fail", "skip", "xfail", "error", "timeout"]),
      t("binaries[].name"; .name; ["string"]), t("binaries[].reason"; .reason; strnull),
      t("binaries[].seconds"; .seconds; ["number", "null"])),
    t("cases"; .cases; ["array"]),
    (.cases[]? | outcome("cases[\(.binary):\(.name)]"; .outcome; ["pass", "fail", "skip", "xfail", "error", "timeout", "flake"]),
      t("cases[].binary"; .binary; ["string"]), t("cases[].name"; .name; ["string"]),
      t("cases[].reason"; .reason; strnull), t("cases[].rows"; .rows; ["array"]),
      (.rows[]? | if test("^[QRSICAET][0-9]{2}$") then empty else "cases[].rows: \(tojson) is not a row id" end),
      t("cases[].seconds"; .seconds; ["number", "null"])),
    ([.cases[]?.binary] - [.binaries[]?.name] | unique[] | "cases: binary \(tojson) has no binaries[] entry"),
    t("splats"; .splats; ["array"]),
    (.splats[]? | t("splats[].title"; .title; ["string"]), t("splats[].binary"; .binary; strnull),
      t("splats[].case"; .case; strnull), t("splats[].fingerprint"; .fingerprint; ["array"]),
      (if (.fingerprint | length) > 5 then "splats[].fingerprint: more than 5 names" else empty end)),
    (.seconds | to_entries[] | t("seconds.\(.key)"; .value; ["number"]))
  ][]
