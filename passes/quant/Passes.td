//===- Passes.td - lowbit op lowering ----------------------*- tablegen -*-===//

#ifndef DDL_PASSES_QUANT_PASSES_TD
#define DDL_PASSES_QUANT_PASSES_TD

include "mlir/Pass/PassBase.td"

def DDLLowbitMatmulToVNNIPass
    : Pass<"ddl-lowbit-matmul-to-vnni", "::mlir::ModuleOp"> {
  let summary = "Run lowbit.matmul with constant weights on AVX-512 VNNI";
  let description = [{
    On a target with `vpdpbusd` (u8 x s8 -> i32 dot products of 4 byte
    pairs per lane), each `lowbit.matmul` whose weights and zero points are
    constants with static K and N becomes a kernel on buffers (taken with
    `bufferization.to_buffer` before bufferization):

    * Now: the weights are shifted to s8 (`b - 128` for u8 weights) and
      packed to `[N/64][K/4][64][4]` bytes (zero-padded), so that one
      64-byte load holds 4 consecutive k of 16 columns; the column sums of
      the shifted weights and the zero-point corrections become constant
      vectors.
    * At run time: activations are shifted to u8 (`a + 128` for i8 ones,
      one xor per broadcast). A parallel iteration computes 4 rows x 64
      columns: per group of 4 k, one broadcast of each row's 4 bytes, 4
      weight loads and 16 `vpdpbusd` into 16 i32 accumulators; the
      epilogue adds `K ca cb[n] - ca colsum[n] - cb[n] rowsum[m]` (ca, cb:
      the shifts plus zero points; rowsum only when some cb is not 0) and
      stores the exact i32 result, masked past N.

    Everything else is left for ddl-lowbit-to-linalg.
  }];
  let options = [
    Option<"target", "target", "std::string", "\"host\"",
           "Target whose table entry says whether VNNI exists (host, x86_64, aarch64)">,
    Option<"assumeVNNI", "assume-vnni", "bool", "false",
           "Emit the kernel whatever the target table says (IR tests)">
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::ddl::lowbit::LowbitDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect"
  ];
}

def DDLLowbitToLinalgPass : Pass<"ddl-lowbit-to-linalg", "::mlir::ModuleOp"> {
  let summary = "Lower lowbit ops to linalg on integers (the reference lowering)";
  let description = [{
    `lowbit.matmul` becomes a `linalg.generic` that widens both operands
    to i32 (sign- or zero-extended by their type), subtracts the zero
    points and accumulates the products in i32: exact, on any target.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

def DDLLowbitDotToLLVMPass : Pass<"ddl-lowbit-dot-to-llvm", "::mlir::ModuleOp"> {
  let summary = "lowbit.dot_u8s8 as the AVX-512 VNNI intrinsic";
  let description = [{
    Replaces each `lowbit.dot_u8s8` by `llvm.call_intrinsic
    "llvm.x86.avx512.vpdpbusd.512"` (instruction selection forms
    `vpdpbusd` from it; it does not from a vector contraction). Runs after
    buffer deallocation, which rejects ops of unknown memory effects.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

def NNQuantizeInt8Pass : Pass<"nn-quantize-int8", "::mlir::func::FuncOp"> {
  let summary = "Post-training int8 quantization of linear layers (dynamic activations)";
  let description = [{
    `ddlc --quantize=int8`. Every f32 `nn.matmul` of activations `[..., M,
    K]` by constant weights `[K, N]` (a linear layer) becomes:

    * weights quantized now, per output channel and symmetric: `scale[n] =
      max_k |W[k, n]| / 127`, `Wq = round(W / scale)` in [-127, 127], stored
      as i8 (4x smaller);
    * activations quantized at run time, per row (per token) and symmetric:
      `s[m] = max_k |x[m, k]| / 127`, `xq = round(x / s)` in [-127, 127];
    * `lowbit.matmul(xq, Wq)` in exact i32 (the VNNI kernel where the CPU
      has it), then `f32(acc) * s[m] * scale[n]`.

    Kept in float (the documented default): layers with fewer than
    `min-k` inputs or `min-n` outputs (the error they would add is not
    worth the little time they take), and any layer whose location (the
    ONNX node name, the PyTorch source line) contains one of the `keep`
    strings.
  }];
  let options = [
    Option<"minK", "min-k", "int64_t", "64",
           "Layers with fewer inputs (K) stay in float">,
    Option<"minN", "min-n", "int64_t", "16",
           "Layers with fewer outputs (N) stay in float">,
    ListOption<"keep", "keep", "std::string",
               "Layers whose location contains one of these strings stay in float">
  ];
  let dependentDialects = ["::ddl::lowbit::LowbitDialect", "::ddl::nn::NNDialect"];
}

#endif // DDL_PASSES_QUANT_PASSES_TD
