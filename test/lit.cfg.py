# -*- Python -*-
# lit configuration of the ddl regression suite.

import os
import shutil

import lit.formats
from lit.llvm import llvm_config

config.name = "DDL"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test", ".onnxtxt"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.ddl_obj_root, "test")
config.excludes = ["CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py.in", "Inputs",
                   "corpus"]

llvm_config.use_default_substitutions()
# FileCheck, not, count and split-file come from LLVM 22's tools folder;
# ddl's own tools from the build.
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.add_tool_substitutions(["ddl-opt", "ddlc", "ddl-tune"], [config.ddl_tools_dir])
config.substitutions.append(("%ddl_src_root", config.ddl_src_root))
# Debian's python3: it has the onnx and numpy packages (a pyenv python3 that
# may come first on PATH does not).
config.substitutions.append(("%python", "/usr/bin/python3"))


def _cpu_flags():
    """The host CPU's feature flags (/proc/cpuinfo), empty where unknown."""
    try:
        with open("/proc/cpuinfo") as f:
            return next((line for line in f if line.startswith("flags")), "").split()
    except OSError:
        return []


# The vector ISA ddl picks for this machine (kernel keys name it).
def _host_isa():
    import platform
    if platform.machine() in ("aarch64", "arm64"):
        return "neon"
    words = _cpu_flags()
    if "avx512f" in words:
        return "avx512"
    if "avx2" in words and "fma" in words:
        return "avx2"
    return "sse"


config.substitutions.append(("%host_isa", _host_isa()))
config.available_features.add("host-isa-" + _host_isa())

# AVX-512 VNNI (vpdpbusd): the int8 and ternary kernels' dot product.
if "avx512_vnni" in _cpu_flags():
    config.available_features.add("host-vnni")
# AVX512-BF16 (vdpbf16ps): the bf16 kernel's dot product.
if "avx512_bf16" in _cpu_flags():
    config.available_features.add("host-bf16")

# The sanitizer build (AddressSanitizer + UndefinedBehaviorSanitizer,
# build-asan/ from scripts/test.sh) in its scope: "runtime" has the C
# runtime, ddl-run, their tests and libFuzzer targets; "full" adds ddlc and
# the compiler's libFuzzer targets. The scope, not the files present, says
# what is tested: a full build left from an earlier run is not rebuilt by a
# runtime-scope run, and its stale ddlc must not be tested. User poisoning is
# off: LLVM's header-only allocators poison memory in instrumented code that
# the uninstrumented libMLIR.so then legitimately writes.
def _sanitized(*names):
    paths = [os.path.join(config.sanitized_bin_dir, n) for n in names]
    return paths if all(os.path.exists(p) for p in paths) else None


if config.sanitized_bin_dir and config.sanitizer_scope in ("runtime", "full"):
    config.environment["ASAN_OPTIONS"] = "allow_user_poisoning=0:detect_leaks=1"
    config.environment["UBSAN_OPTIONS"] = "halt_on_error=1:print_stacktrace=1"
    config.substitutions.append(("%fuzzers_dir", config.sanitized_bin_dir))
    runtime_tools = {"%sanitized_ddl_run": "ddl-run",
                     "%sanitized_runtime_unit_tests": "ddl-runtime-unit-tests",
                     "%sanitized_runtime_stress": "ddl-runtime-stress"}
    sanitized_fake_models = os.path.join(os.path.dirname(config.sanitized_bin_dir),
                                         "test", "unit", "runtime", "models")
    if _sanitized(*runtime_tools.values()) and os.path.isdir(sanitized_fake_models):
        config.available_features.add("sanitized-runtime")
        for key, tool in runtime_tools.items():
            config.substitutions.append((key, os.path.join(config.sanitized_bin_dir, tool)))
        config.substitutions.append(("%sanitized_fake_models", sanitized_fake_models))
    if _sanitized("fuzz-model-descriptor", "fuzz-npy", "fuzz-onnx-pb"):
        config.available_features.add("runtime-fuzzers")
    if config.sanitizer_scope == "full":
        ddlc = _sanitized("ddlc")
        if ddlc:
            config.available_features.add("sanitized-ddlc")
            config.substitutions.append(("%sanitized_ddlc", ddlc[0]))
        if _sanitized("fuzz-onnx-import", "fuzz-graph-reader", "fuzz-schedules"):
            config.available_features.add("compiler-fuzzers")
config.substitutions.append(("%ddl_obj_root", config.ddl_obj_root))
# The CMake that configured ddl, for the tests of its install tree and
# packages (test/packaging).
config.substitutions.append(("%cmake", config.cmake))
config.substitutions.append(("%cpack", config.cpack))

# Runs LLVM-dialect output of the CPU pipeline in-process (MLIR's JIT
# runner), for numeric checks of single lowerings before a whole model is
# compiled: `ddl-opt %s --ddl-cpu-pipeline | %mlir_runner | FileCheck %s`.
# The functions print through printMemref*/printI64 from the runner utils.
runner_libs = ",".join(
    os.path.join(config.llvm_lib_dir, lib)
    for lib in ("libmlir_runner_utils.so", "libmlir_c_runner_utils.so"))
config.substitutions.append(
    ("%mlir_runner",
     os.path.join(config.llvm_tools_dir, "mlir-runner")
     + " -e main -entry-point-result=void -shared-libs=" + runner_libs))

# The C runtime: ddl-run, the runtime's unit tests, and the hand-written
# fake models (test/unit/runtime/models) both are run on.
config.substitutions.append(
    ("%ddl_run", os.path.join(config.ddl_tools_dir, "ddl-run")))
config.substitutions.append(
    ("%runtime_unit_tests",
     os.path.join(config.ddl_tools_dir, "ddl-runtime-unit-tests")))
config.substitutions.append(("%fake_models", config.fake_model_dir))
# Bad inputs and concurrent runs of compiled models (model_stress.c), also
# built with ThreadSanitizer where the compiler has it.
config.substitutions.append(
    ("%runtime_stress", os.path.join(config.ddl_tools_dir, "ddl-runtime-stress")))
tsan_stress = os.path.join(config.ddl_tools_dir, "ddl-runtime-stress-tsan")
if os.path.exists(tsan_stress):
    config.available_features.add("tsan")
    config.substitutions.append(("%tsan_runtime_stress", tsan_stress))
# Injected allocation failures (allocation_failures.c), in plain builds.
alloc_failures = os.path.join(config.ddl_tools_dir, "ddl-runtime-alloc-failures")
if os.path.exists(alloc_failures):
    config.available_features.add("alloc-failures")
    config.substitutions.append(("%runtime_alloc_failures", alloc_failures))

# --target=cuda shared objects need ptxas (a CUDA toolkit, found when ddl
# was configured); PTX and the ROCm targets need nothing outside ddl.
if config.cuda_toolkit:
    config.available_features.add("ptxas")

# The host's vector ISA, for tests of the code generated for it.
try:
    with open("/proc/cpuinfo") as cpuinfo:
        flags = cpuinfo.read()
        if " avx512f" in flags:
            config.available_features.add("host-avx512")
        if " avx512_vnni" in flags:
            config.available_features.add("host-avx512-vnni")
except OSError:
    pass

# aarch64: the runtime cross-built with gcc and run under qemu-user.
if shutil.which("aarch64-linux-gnu-gcc") and shutil.which("qemu-aarch64"):
    config.available_features.add("aarch64-cross")
    config.substitutions.append(
        ("%qemu_aarch64", "qemu-aarch64 -L /usr/aarch64-linux-gnu"))
