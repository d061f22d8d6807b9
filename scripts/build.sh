#!/usr/bin/env bash
# Configures (once) and builds ddl into build/ (or $DDL_BUILD_DIR) with
# clang-22, lld, Ninja and ccache. Tools land in build/bin/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${DDL_BUILD_DIR:-$root/build}
if [[ ! -f "$build/build.ninja" ]]; then
  cmake -S "$root" -B "$build" -G Ninja \
    -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_TOOLCHAIN_FILE="$root/cmake/ClangToolchain.cmake"
fi
cmake --build "$build" "$@"
