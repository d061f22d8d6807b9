#!/usr/bin/env bash
# Regenerates the reference docs from TableGen (dialect ops, attributes,
# passes) and copies them into docs/generated/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${DDL_BUILD_DIR:-$root/build}
"$root/scripts/build.sh" --target ddl-docs
mkdir -p "$root/docs/generated"
cp "$build"/docs/*.md "$root/docs/generated/"
echo "docs/generated: $(ls "$root/docs/generated" | tr '\n' ' ')"
