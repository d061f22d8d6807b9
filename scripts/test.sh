#!/usr/bin/env bash
# The test command: installs what is missing (apt), builds, and runs the
# whole suite: lit + FileCheck (including the format check), then the
# PyTorch frontend's pytest suite with Debian's Python (torch 1.13). Ends
# with the summary line "N passed, M failed" over both.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${DDL_BUILD_DIR:-$root/build}

"$root/scripts/bootstrap.sh"

# The sanitizer build (AddressSanitizer + UBSan, build-asan/) in one of
# three scopes, DDL_SANITIZERS=runtime|full|off:
#  runtime (the default): the C runtime, ddl-run and their tests and
#    libFuzzer targets (the runtime's model-descriptor validation, the .npy
#    and .pb readers): no MLIR in them, a couple of minutes to build.
#    test/unit/runtime/sanitizers.test and test/fuzz/fuzzers-runtime.test.
#  full: also ddlc and the compiler's libFuzzer targets (the ONNX importer,
#    the graph and schedules readers), which compile all of ddl again
#    instrumented (about as long as the main build); test/e2e/sanitizers.test
#    (the ONNX node suite through the sanitized ddlc and ddl-run) and
#    test/fuzz/fuzzers-compiler.test. Run it before changing a reader or the
#    importer; scripts/fuzz.sh builds the same.
#  off: none.
# (DDL_SKIP_SANITIZERS=1, the older spelling, means off.)
sanitizers=${DDL_SANITIZERS:-runtime}
[[ "${DDL_SKIP_SANITIZERS:-0}" == 1 ]] && sanitizers=off
asan_build=${DDL_ASAN_BUILD_DIR:-$root/build-asan}
sanitized_bin_dir=""
case "$sanitizers" in
  runtime | full)
    if [[ ! -f "$asan_build/build.ninja" ]]; then
      cmake -S "$root" -B "$asan_build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
        -DCMAKE_TOOLCHAIN_FILE="$root/cmake/ClangToolchain.cmake" \
        -DDDL_SANITIZE=address,undefined -DDDL_FUZZERS=ON
    fi
    targets=(ddl-run ddl-runtime-unit-tests ddl-runtime-stress ddl-fake-models
      ddl-runtime-fuzzers)
    [[ "$sanitizers" == full ]] && targets+=(ddlc ddl-fuzzers)
    cmake --build "$asan_build" --target "${targets[@]}"
    sanitized_bin_dir="$asan_build/bin"
    ;;
  off) ;;
  *)
    echo "test.sh: DDL_SANITIZERS must be runtime, full or off (got '$sanitizers')" >&2
    exit 2
    ;;
esac

"$root/scripts/build.sh"
cmake "$build" -DDDL_SANITIZED_BIN_DIR="$sanitized_bin_dir" \
  -DDDL_SANITIZER_SCOPE="$sanitizers" > /dev/null

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
