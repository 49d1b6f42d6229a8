#!/usr/bin/env bash
# Lint: shellcheck of every host script, image recipe and machine
# definition; the kernel's checkpatch.pl (from linux-source-7.3) over the
# guest C (guest-tests/, images/).
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
need_cmd shellcheck shellcheck
cd "$ZCRX_TOP"
mapfile -t files < <(find host-scripts images vm .ci -type f \( -name '*.sh' -o -name '*.conf' -o -name run \) | sort)
shellcheck -s bash "${files[@]}"
echo "lint: shellcheck clean (${#files[@]} files)"

# checkpatch types that do not fit userspace tests built on the kselftest
# harness, each for a reason:
#   VOLATILE           the stats live in memory the kernel writes while the
#                      test reads it (there is no READ_ONCE in userspace)
#   MACRO_WITH_FLOW_CONTROL, COMPLEX_MACRO, MULTISTATEMENT_MACRO_USE_DO_WHILE
#                      harness idioms: REQUIRE_*() skip and return like
#                      SKIP(), FIXTURE_VARIANT_ADD()/FIXTURE() wrappers
#                      declare, they do not compute
#   BRACES             EXPECT_*()/ASSERT_*() are open statements that take a
#                      TH_LOG(); braces keep an if/for from capturing it
#   PREFER_DEFINED_ATTRIBUTE_MACRO  no __packed/__aligned in userspace
#   ENOSYS             the tests compare with what the kernel returns
ignore=VOLATILE,MACRO_WITH_FLOW_CONTROL,COMPLEX_MACRO,MULTISTATEMENT_MACRO_USE_DO_WHILE,BRACES,PREFER_DEFINED_ATTRIBUTE_MACRO,ENOSYS
checkpatch=$("$ZCRX_TOP/host-scripts/dev/fetch-checkpatch.sh")
mapfile -t cfiles < <(find guest-tests images host-scripts -type f \( -name '*.c' -o -name '*.h' \) | sort)
out=$(for f in "${cfiles[@]}"; do
	"$checkpatch" --no-tree --quiet --terse --show-types --ignore "$ignore" -f "$f" || true
done | grep -v '^total: ' || true)
if [ -n "$out" ]; then
	printf '%s\n' "$out"
	die "checkpatch: $(printf '%s\n' "$out" | wc -l) problems in the guest C (types ignored, with reasons, in $0)"
fi
echo "lint: checkpatch clean (${#cfiles[@]} C files)"
