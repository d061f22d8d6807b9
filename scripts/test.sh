#!/usr/bin/env bash
# The test command: installs what is missing (apt), builds, and runs the
# whole suite (lit + FileCheck, including the format check). Ends with the
# summary line "N passed, M failed".
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${DDL_BUILD_DIR:-$root/build}

"$root/scripts/bootstrap.sh"

# The sanitizer build of ddlc (AddressSanitizer + UBSan), used by
# test/e2e/sanitizers.test. DDL_SKIP_SANITIZERS=1 skips it for a quick run.
asan_build=${DDL_ASAN_BUILD_DIR:-$root/build-asan}
sanitized_ddlc=""
if [[ "${DDL_SKIP_SANITIZERS:-0}" != 1 ]]; then
  if [[ ! -f "$asan_build/build.ninja" ]]; then
    cmake -S "$root" -B "$asan_build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_TOOLCHAIN_FILE="$root/cmake/ClangToolchain.cmake" \
      -DDDL_SANITIZE=address,undefined
  fi
  cmake --build "$asan_build" --target ddlc
  sanitized_ddlc="$asan_build/bin/ddlc"
fi

"$root/scripts/build.sh"
cmake "$build" -DDDL_SANITIZED_DDLC="$sanitized_ddlc" > /dev/null

status=0
cmake --build "$build" --target check-ddl || status=$?

# lit's own summary is not one CI reads; report the counts plainly.
python3 - "$build/lit-results.xml" <<'PY'
import sys
import xml.etree.ElementTree as ET
try:
    root = ET.parse(sys.argv[1]).getroot()
except (OSError, ET.ParseError) as e:
    print(f"no lit results ({e})")
    print("0 passed, 1 failed")
    sys.exit(0)
cases = root.iter("testcase")
passed = failed = skipped = 0
for case in cases:
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
