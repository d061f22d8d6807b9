#!/usr/bin/env bash
# The test command: installs what is missing (apt), builds, and runs the
# whole suite: lit + FileCheck (including the format check), then the
# PyTorch frontend's pytest suite with Debian's Python (torch 1.13). Ends
# with the summary line "N passed, M failed" over both.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${DDL_BUILD_DIR:-$root/build}

"$root/scripts/bootstrap.sh"

# The sanitizer build (AddressSanitizer + UBSan) of ddlc, ddl-run and the
# runtime's tests, used by test/e2e/sanitizers.test (the ONNX node suite
# compiled and run through them) and test/unit/runtime/sanitizers.test, and
# of the libFuzzer targets (test/fuzz), which test/fuzz/fuzzers.test runs
# briefly. DDL_SKIP_SANITIZERS=1 skips it for a quick run.
asan_build=${DDL_ASAN_BUILD_DIR:-$root/build-asan}
sanitized_ddlc=""
if [[ "${DDL_SKIP_SANITIZERS:-0}" != 1 ]]; then
  if [[ ! -f "$asan_build/build.ninja" ]]; then
    cmake -S "$root" -B "$asan_build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_TOOLCHAIN_FILE="$root/cmake/ClangToolchain.cmake" \
      -DDDL_SANITIZE=address,undefined -DDDL_FUZZERS=ON
  fi
  cmake --build "$asan_build" --target ddlc ddl-run ddl-runtime-unit-tests \
    ddl-runtime-stress ddl-fake-models ddl-fuzzers
  sanitized_ddlc="$asan_build/bin/ddlc"
fi

"$root/scripts/build.sh"
cmake "$build" -DDDL_SANITIZED_DDLC="$sanitized_ddlc" > /dev/null

status=0
rm -f "$build/lit-results.xml" "$build/pytest-results.xml"
cmake --build "$build" --target check-ddl || status=$?

# The PyTorch frontend (frontends/pytorch/tests; see its README for torch 2.x).
DDL_BUILD_DIR="$build" PYTHONPATH="$root/frontends/pytorch" \
  /usr/bin/python3 -m pytest "$root/frontends/pytorch/tests" -q -p no:cacheprovider \
  --junitxml="$build/pytest-results.xml" || status=$?

# Neither runner's own summary is one CI reads; report the counts plainly.
python3 - "$build/lit-results.xml" "$build/pytest-results.xml" <<'PY'
import sys
import xml.etree.ElementTree as ET
passed = failed = skipped = 0
for path in sys.argv[1:]:
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as e:
        print(f"no results in {path} ({e})")
        failed += 1
        continue
    for case in root.iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            failed += 1
        elif case.find("skipped") is not None:
            skipped += 1
        else:
            passed += 1
line = f"{passed} passed, {failed} failed"
if skipped:
    line += f", {skipped} skipped"
print(line)
PY
exit $status
