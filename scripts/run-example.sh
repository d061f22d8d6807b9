#!/usr/bin/env bash
# The main job on the bundled default: builds ddl, compiles an ONNX model
# (examples/tiny-cnn.onnx, or the model given) to a shared object with ddlc,
# runs it with ddl-run on the bundled input (or the inputs given after the
# model), and prints the outputs and the latency over 100 runs.
#
#   ./scripts/run-example.sh [model.onnx [input.npy|input.pb ...]]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${DDL_BUILD_DIR:-$root/build}
model=${1:-$root/examples/tiny-cnn.onnx}
shift || true
inputs=("$@")
if [[ ${#inputs[@]} -eq 0 && "$model" == "$root/examples/tiny-cnn.onnx" ]]; then
  inputs=("$root/examples/tiny-cnn-input.npy")
fi

"$root/scripts/bootstrap.sh" >&2
"$root/scripts/build.sh" --target ddlc ddl-run >&2

out="$build/examples"
mkdir -p "$out"
so="$out/$(basename "${model%.*}").so"
echo "== ddlc $(basename "$model") -o $so" >&2
"$build/bin/ddlc" "$model" -o "$so" --stats
args=()
for input in "${inputs[@]}"; do args+=(--input "$input"); done
echo "== ddl-run" >&2
"$build/bin/ddl-run" "$so" "${args[@]}" --print --benchmark 100 \
  --output-dir "$out/outputs"
