#!/usr/bin/env bash
# Formats every C/C++ source with the pinned clang-format-22, or with
# --check reports the files that differ and fails.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
clang_format=${CLANG_FORMAT:-clang-format-22}
mapfile -t files < <(find dialects passes lib include tools runtime frontends cost-model test/unit test/fuzz examples \
  -type f \( -name '*.cpp' -o -name '*.h' -o -name '*.c' \) 2>/dev/null | sort)
if [[ "${1:-}" == "--check" ]]; then
  "$clang_format" --dry-run --Werror "${files[@]}"
  echo "format: ${#files[@]} files clean"
else
  "$clang_format" -i "${files[@]}"
fi
