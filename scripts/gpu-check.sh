#!/usr/bin/env bash
# GPU checks for a machine with an NVIDIA GPU (the H200 lent to sessions),
# which has a CUDA build of torch but no ddl toolchain, onnx or ONNX test
# data. Two halves:
#
#   ./scripts/gpu-check.sh stage DIR    (here: the build machine)
#       builds the portable bundle with the NVPTX target
#       (scripts/portable-tools.sh) and compiles the ONNX node suite with
#       --target=cuda into DIR/gpu-stage.tar.xz (test/e2e/onnx_node_conformance.py
#       --stage);
#   ./scripts/gpu-check.sh run DIR      (on the GPU machine)
#       runs the staged node suite (test/e2e/node_suite_staged.py), then
#       compiles and checks resnet50 and the BERT-like encoder through
#       ddl.compile(..., device="cuda") against PyTorch eager and times them
#       with PyTorch's peers (bench/gpu_latency.py; BENCH_ARGS adds flags).
#       Results land in DIR (and in $OUT when set).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
mode=${1:-}
dir=${2:-}
if [[ -z "$mode" || -z "$dir" ]]; then
  echo "usage: $0 stage|run DIR" >&2
  exit 2
fi
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

if [[ "$mode" == stage ]]; then
  "$root/scripts/portable-tools.sh"
  cp "$root/build-portable.tar.xz" "$dir/"
  rm -rf "$dir/gpu-stage"
  /usr/bin/python3 "$root/test/e2e/onnx_node_conformance.py" \
    --ddlc "$root/build/bin/ddlc" --ddl-run "$root/build/bin/ddl-run" \
    --expected "$root/test/e2e/onnx-node-conformance.expected" \
    --target cuda --stage "$dir/gpu-stage"
  tar -C "$dir" -cJf "$dir/gpu-stage.tar.xz" gpu-stage
  rm -rf "$dir/gpu-stage"
  echo "gpu-check: staged in $dir ($(du -sh "$dir" | cut -f1))"
  exit 0
fi
[[ "$mode" == run ]] || { echo "usage: $0 stage|run DIR" >&2; exit 2; }

nvidia-smi --query-gpu=name,driver_version --format=csv,noheader || true
tar -C "$dir" -xJf "$dir/build-portable.tar.xz"
tar -C "$dir" -xJf "$dir/gpu-stage.tar.xz"
source "$dir/build-portable/env.sh"
ptxas=$(command -v ptxas || ls /usr/local/cuda*/bin/ptxas 2>/dev/null | head -1 || true)
if [[ -n "$ptxas" ]]; then
  export DDL_CUDA_PATH=$(dirname "$(dirname "$ptxas")")
fi
echo "gpu-check: ptxas ${ptxas:-not found}"
python3 "$root/test/e2e/node_suite_staged.py" "$dir/gpu-stage" \
  --ddl-run "$dir/build-portable/bin/ddl-run" --jobs 8 \
  --results "$dir/node-results.txt" | tail -40
# shellcheck disable=SC2086
python3 "$root/bench/gpu_latency.py" ${BENCH_ARGS:-} --json "$dir/gpu_latency.json" \
  | tee "$dir/gpu_latency.txt"
if [[ -n "${OUT:-}" ]]; then
  mkdir -p "$OUT"
  cp "$dir/node-results.txt" "$dir/gpu_latency.txt" "$dir/gpu_latency.json" "$OUT/" || true
fi
