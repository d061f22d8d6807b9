#!/usr/bin/env bash
# Builds the portable bundle of ddl's tools, for x86-64 Linux machines
# without LLVM/MLIR/ONNX/protobuf (glibc >= 2.36, libstdc++, zlib):
#
#   build-portable/bin/ddlc                 MLIR, LLVM (X86, AArch64, NVPTX) and lld
#                                           linked in statically
#   build-portable/bin/ddl-run
#   build-portable/lib/libddl_runtime.so
#   build-portable/lib/libonnx*.so.1, libprotobuf.so.32   (found through
#                                           ddlc's RPATH $ORIGIN/../lib)
#   build-portable/lib/libclang_rt.builtins-x86_64.a      (linked into models)
#   build-portable/env.sh                   PATH and DDL_BUILD_DIR
#
# and build-portable.tar.xz, the bundle packed small enough to carry.
# It configures build-portable-cmake/ with -DDDL_PORTABLE_TOOLS=ON (the
# normal build/ is untouched), builds only those targets, strips, checks that
# nothing outside the bundle but the base system libraries is needed, and
# compiles and runs examples/tiny-cnn.onnx with the bundle in a clean
# environment. See docs/building.md.
#
#   ./scripts/portable-tools.sh [--no-tar] [--no-check]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${DDL_PORTABLE_BUILD_DIR:-$root/build-portable-cmake}
bundle=${DDL_PORTABLE_DIR:-$root/build-portable}
llvm_bin=/usr/lib/llvm-22/bin
make_tar=1
check=1
for arg in "$@"; do
  case "$arg" in
    --no-tar) make_tar=0 ;;
    --no-check) check=0 ;;
    *) echo "usage: $0 [--no-tar] [--no-check]" >&2; exit 2 ;;
  esac
done

# What the normal build needs, and lld's static archives (which bring
# libzstd-dev, so zstd is linked in too).
"$root/scripts/bootstrap.sh"
if [[ $(dpkg-query -W -f='${Status}' liblld-22-dev 2>/dev/null || true) \
      != "install ok installed" ]]; then
  echo "portable-tools: installing liblld-22-dev"
  sudo_cmd=()
  [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -q
  "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends liblld-22-dev
fi

if [[ ! -f "$build/build.ninja" ]]; then
  cmake -S "$root" -B "$build" -G Ninja \
    -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_TOOLCHAIN_FILE="$root/cmake/ClangToolchain.cmake" \
    -DDDL_PORTABLE_TOOLS=ON
fi
cmake --build "$build" -j "$(nproc)" --target ddlc ddl-run ddl_runtime

echo "portable-tools: collecting $bundle"
rm -rf "$bundle"
mkdir -p "$bundle/bin" "$bundle/lib"
strip="$llvm_bin/llvm-strip"
"$strip" --strip-all -o "$bundle/bin/ddlc" "$build/bin/ddlc"
"$strip" --strip-all -o "$bundle/bin/ddl-run" "$build/bin/ddl-run"
"$strip" --strip-unneeded -o "$bundle/lib/libddl_runtime.so" \
  "$build/lib/libddl_runtime.so"
builtins="$build/lib/libclang_rt.builtins-x86_64.a"
if [[ ! -f "$builtins" ]]; then
  echo "portable-tools: no $builtins (libclang-rt-22-dev)" >&2
  exit 1
fi
cp "$builtins" "$bundle/lib/"

# Every shared library ddlc loads, other than the base system's, goes into
# lib/ under its soname.
base='^(linux-vdso|ld-linux-x86-64|libc|libm|libdl|libpthread|librt|libstdc\+\+|libgcc_s|libz)\.so'
while read -r name arrow path _; do
  [[ "$arrow" == "=>" ]] || continue
  [[ "$name" =~ $base ]] && continue
  if [[ ! -f "$path" ]]; then
    echo "portable-tools: ddlc needs $name, which is not found" >&2
    exit 1
  fi
  "$strip" --strip-unneeded -o "$bundle/lib/$name" "$path"
done < <(env -i PATH=/usr/bin:/bin ldd "$bundle/bin/ddlc")

cat > "$bundle/env.sh" <<'EOF'
# Source this file: puts the bundle's tools first on PATH and points the
# PyTorch frontend (DDL_BUILD_DIR) at them. ddlc finds its libraries in lib/
# on its own (RPATH $ORIGIN/../lib).
ddl_bundle=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export PATH="$ddl_bundle/bin:$PATH"
export DDL_BUILD_DIR="$ddl_bundle"
unset ddl_bundle
EOF

if ((check)); then
  # Only bundled or base system libraries may be loaded.
  bad=0
  while read -r name arrow path _; do
    [[ "$arrow" == "=>" ]] || continue
    [[ "$name" =~ $base ]] && continue
    if [[ "$path" != "$bundle/lib/"* ]]; then
      echo "portable-tools: ddlc loads $name from $path, not from the bundle" >&2
      bad=1
    fi
  done < <(env -i PATH=/usr/bin:/bin ldd "$bundle/bin/ddlc" | sed 's|/bin/\.\./lib/|/lib/|')
  ((bad == 0))

  # Compile and run the example in a clean environment, with the bundle's
  # own linker and builtins (DDL_LINKER unset).
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  run=(env -i PATH=/usr/bin:/bin HOME="$work")
  tracer=()
  if command -v strace > /dev/null; then
    tracer=(strace -f -qq -e trace=execve,openat -o "$work/trace")
  fi
  "${run[@]}" "${tracer[@]}" "$bundle/bin/ddlc" "$root/examples/tiny-cnn.onnx" \
    -o "$work/tiny-cnn.so"
  if ((${#tracer[@]})) && grep -E 'llvm-22|ld\.lld|/usr/bin/ld' "$work/trace"; then
    echo "portable-tools: ddlc used the system's LLVM or linker (above)" >&2
    exit 1
  fi
  "${run[@]}" "$bundle/bin/ddl-run" "$work/tiny-cnn.so" \
    --input "$root/examples/tiny-cnn-input.npy" --output-dir "$work/out"
  # Debian's python3, which has numpy (bootstrap.sh); not a pyenv one.
  /usr/bin/python3 - "$work/out" "$root/examples/tiny-cnn-expected.npy" <<'PY'
import pathlib, sys
import numpy as np
(got,) = [np.load(p) for p in pathlib.Path(sys.argv[1]).glob("*.npy")]
want = np.load(sys.argv[2])
if not np.allclose(got, want, rtol=1e-4, atol=1e-5):
    sys.exit(f"portable-tools: tiny-cnn output differs: {got} vs {want}")
print("portable-tools: tiny-cnn output matches examples/tiny-cnn-expected.npy")
PY
fi

echo "portable-tools: $(du -sh "$bundle" | cut -f1) in $bundle"
if ((make_tar)); then
  tarball="$bundle.tar.xz"
  tar -C "$(dirname "$bundle")" -cf - "$(basename "$bundle")" |
    xz -T0 -9 > "$tarball.tmp"
  mv "$tarball.tmp" "$tarball"
  echo "portable-tools: $(du -h "$tarball" | cut -f1) in $tarball"
fi
