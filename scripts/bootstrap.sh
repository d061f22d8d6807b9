#!/usr/bin/env bash
# Installs every system package ddl needs to build and test, with apt.
# Idempotent: when everything is present it only checks and returns in
# about a second, without touching the network.
set -euo pipefail

packages=(
  # Toolchain: LLVM/MLIR 22 (Debian security suite), clang-22 + lld, Ninja, ccache.
  llvm-22-dev libmlir-22-dev mlir-22-tools llvm-22-tools clang-22 lld-22
  cmake ninja-build ccache
  # The embedding test (test/packaging) finds the installed runtime with
  # pkg-config; cpack's .debs are checked with dpkg-deb (dpkg).
  pkgconf
  # compiler-rt: the sanitizer runtimes of the ASan build, and the builtins
  # (half-precision conversion helpers) linked into x86-64 models.
  libclang-rt-22-dev
  # The ONNX frontend: libonnx (checker, shape inference, version
  # converter, text parser) and protobuf; the ONNX node test suite.
  libonnx-dev libprotobuf-dev protobuf-compiler libonnx-testdata
  # The one pinned formatter (see .clang-format and scripts/format.sh).
  clang-format-22
  # lit is a Python program; Debian's python3 runs it. onnx and numpy
  # build the test suite's own ONNX models.
  python3 python3-onnx python3-numpy
  # Real models for the frontend tests: torchvision architectures exported
  # by Debian's PyTorch (random weights, nothing downloaded); pytest runs
  # the PyTorch frontend's tests (frontends/pytorch/tests) and flake8
  # lints the frontend's Python; venv + setuptools check that it installs
  # with pip from the checkout.
  python3-torch python3-torchvision python3-pytest python3-flake8
  python3-venv python3-setuptools
  # scikit-learn's bundled 8x8 digits: the trained model of the
  # quantization accuracy test (frontends/pytorch/tests/test_quantize.py).
  python3-sklearn
  # The C runtime cross-built for aarch64 and run under qemu-user.
  gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user
  # XGBoost's C API: the learned cost model (cost-model/, ddl-tune).
  libxgboost-dev
  # ROCm device libraries (ocml, ockl) linked into --target=rocm kernels.
  rocm-device-libs
  # ONNX Runtime, the reference of the differential tests (test/fuzz/
  # differential) and the peer of bench/, comes from npm (onnxruntime-node).
  nodejs
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done

command -v npm > /dev/null || missing+=(npm)

# onnxruntime-node, pinned by bench/package-lock.json; --ignore-scripts:
# its install script would only fetch CUDA/TensorRT extras.
install_onnxruntime() {
  local root
  root=$(cd "$(dirname "$0")/.." && pwd)
  if [[ ! -f "$root/bench/node_modules/onnxruntime-node/package.json" ]]; then
    echo "bootstrap: installing onnxruntime-node into bench/node_modules"
    (cd "$root/bench" && npm ci --ignore-scripts --no-audit --no-fund)
  fi
}

if ((${#missing[@]} == 0)); then
  echo "bootstrap: all ${#packages[@]} packages present"
  install_onnxruntime
  exit 0
fi

echo "bootstrap: installing ${missing[*]}"
sudo_cmd=()
[[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -q
"${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
install_onnxruntime
