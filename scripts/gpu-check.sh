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
#       with PyTorch's peers (bench/gpu_latency.py; BENCH_ARGS adds flags),
#       and the PyTorch frontend's device and model tests on CUDA, and
#       profiles ddl's kernels (bench/gpu_profile.py --ncu; PROFILE_ARGS
#       names the workloads and flags; FRONTEND_ARGS adds pytest flags,
#       such as -k to pick tests). Results land in DIR (and in $OUT
#       when set).
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

# Each step runs under its own time limit and the next runs whatever it
# returned: a failing step is reported, not fatal. Logs land in DIR (and in
# $OUT when set). STEPS picks steps (default: nodes frontend bench profile;
# also quantized: bench/quantized_gpu.py, the fp8 / int8 GEMMs against
# torch's, QUANTIZED_ARGS its flags).
steps=${STEPS:-nodes frontend bench profile}
out=${OUT:-$dir}
mkdir -p "$out"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
tar -C "$dir" -xJf "$dir/build-portable.tar.xz"
[[ -f "$dir/gpu-stage.tar.xz" ]] && tar -C "$dir" -xJf "$dir/gpu-stage.tar.xz"
source "$dir/build-portable/env.sh"
ptxas=$(command -v ptxas || ls /usr/local/cuda*/bin/ptxas 2>/dev/null | head -1 || true)
if [[ -n "$ptxas" ]]; then
  export DDL_CUDA_PATH=$(dirname "$(dirname "$ptxas")")
fi
echo "gpu-check: ptxas ${ptxas:-not found}; python3 $(python3 -c 'import torch; print("torch", torch.__version__)')"
export PYTHONUNBUFFERED=1
step() {
  local name=$1 limit=$2
  shift 2
  echo "=== gpu-check: $name (at most ${limit}s)"
  local start=$SECONDS
  set +e
  timeout "$limit" "$@" > "$out/$name.log" 2>&1
  local rc=$?
  set -e
  tail -40 "$out/$name.log"
  echo "=== gpu-check: $name exited $rc after $((SECONDS - start))s"
}
for s in $steps; do
  case "$s" in
    nodes)
      step nodes "${NODES_LIMIT:-300}" python3 "$root/test/e2e/node_suite_staged.py" \
        "$dir/gpu-stage" --ddl-run "$dir/build-portable/bin/ddl-run" --jobs 12 \
        --results "$out/node-results.txt" ;;
    frontend)
      # shellcheck disable=SC2086
      step frontend "${FRONTEND_LIMIT:-240}" env DDL_TEST_DEVICE=cuda python3 -m pytest -q \
        -p no:cacheprovider -o addopts= ${FRONTEND_ARGS:-} \
        "$root/frontends/pytorch/tests/test_device.py" \
        "$root/frontends/pytorch/tests/test_models.py" ;;
    bench)
      # shellcheck disable=SC2086
      step bench "${BENCH_LIMIT:-300}" python3 "$root/bench/gpu_latency.py" ${BENCH_ARGS:-} \
        --json "$out/gpu_latency.json" ;;
    quantized)
      # shellcheck disable=SC2086
      step quantized "${QUANTIZED_LIMIT:-300}" python3 "$root/bench/quantized_gpu.py" \
        ${QUANTIZED_ARGS:---modes fp8 int8} ;;
    profile)
      # shellcheck disable=SC2086
      step profile "${PROFILE_LIMIT:-300}" python3 "$root/bench/gpu_profile.py" \
        ${PROFILE_ARGS:---ncu} --json "$out/gpu_profile.json" ;;
    *) echo "gpu-check: unknown step $s" >&2 ;;
  esac
done
