#!/usr/bin/env bash
# Long differential-testing campaigns (issue 17): random ONNX models against
# ONNX Runtime and random PyTorch programs against eager mode, with the
# tools of build/ (or of $DDL_BUILD_DIR, e.g. the portable bundle).
#
#   ./scripts/differential.sh [--onnx N] [--torch N] [--seed S] [--jobs J]
#                             [--ort node|python] [--out DIR] [--minutes M]
#
# Defaults: 10000 ONNX models and 2000 PyTorch programs from seed 100000
# (the test command's fixed batches start at 0), all CPUs, results in
# differential-results/: onnx.json and torch.json (counts, refusal reasons,
# failures) and each minimized failure under onnx-failures/ and
# torch-failures/ (copy one into test/fuzz/differential/regressions/ with
# its fix). --minutes M starts no new batch of ONNX models after M minutes
# (a machine lent for a fixed time); onnx.json says which seeds ran.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${DDL_BUILD_DIR:-$root/build}
onnx=10000 torch=2000 seed=100000 jobs=$(nproc) ort=node out=$root/differential-results
minutes=()
while (($#)); do
  case "$1" in
    --onnx) onnx=$2; shift 2 ;;
    --torch) torch=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    --ort) ort=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --minutes) minutes=(--minutes "$2"); shift 2 ;;
    *) echo "usage: $0 [--onnx N] [--torch N] [--seed S] [--jobs J] [--ort node|python] [--out DIR] [--minutes M]" >&2
       exit 2 ;;
  esac
done
mkdir -p "$out"
python=${DDL_PYTHON:-/usr/bin/python3}
status=0
if ((onnx > 0)); then
  "$python" "$root/test/fuzz/differential/onnx_diff.py" --ddlc "$build/bin/ddlc" \
    --ddl-run "$build/bin/ddl-run" --seed "$seed" --count "$onnx" --jobs "$jobs" --ort "$ort" \
    --save "$out/onnx-failures" --summary "$out/onnx.json" --progress "${minutes[@]}" || status=1
fi
if ((torch > 0)); then
  DDL_BUILD_DIR="$build" PYTHONPATH="$root/frontends/pytorch${PYTHONPATH:+:$PYTHONPATH}" \
    "$python" "$root/test/fuzz/differential/torch_diff.py" --seed "$seed" --count "$torch" \
    --jobs "$jobs" --save "$out/torch-failures" --summary "$out/torch.json" || status=1
fi
exit $status
