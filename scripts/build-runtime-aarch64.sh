#!/usr/bin/env bash
# Cross-builds the C runtime, ddl-run and the runtime's unit tests (with
# their fake models) for aarch64 Linux into build-aarch64/ (or $1), from
# runtime/standalone with cmake/aarch64-linux-gnu.cmake. Needs
# gcc-aarch64-linux-gnu and libc6-dev-arm64-cross (scripts/bootstrap.sh).
# Run the results with: qemu-aarch64 -L /usr/aarch64-linux-gnu BINARY
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build-aarch64}
generator=()
command -v ninja > /dev/null && generator=(-G Ninja)
if [[ ! -f "$build/CMakeCache.txt" ]]; then
  cmake -S "$root/runtime/standalone" -B "$build" "${generator[@]}" \
    -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_TOOLCHAIN_FILE="$root/cmake/aarch64-linux-gnu.cmake" > /dev/null
fi
cmake --build "$build"
echo "build-runtime-aarch64: $build/bin/ddl-run, $build/lib/libddl_runtime.so"
