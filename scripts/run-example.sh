#!/usr/bin/env bash
# The main job on the bundled default: builds ddl, then runs ddl-opt over
# an example graph (or the .mlir file given) to infer shapes symbolically
# and canonicalize, printing the result.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${DDL_BUILD_DIR:-$root/build}
input=${1:-$root/examples/encoder-block.mlir}

"$root/scripts/bootstrap.sh" >&2
"$root/scripts/build.sh" --target ddl-opt >&2
"$build/bin/ddl-opt" "$input" --nn-infer-shapes --canonicalize --cse
