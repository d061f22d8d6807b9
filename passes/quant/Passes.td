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
    `lowbit.matmul_int4` becomes a `linalg.generic` that reads each
    weight's nibble and its group's scale by index (`linalg.index`,
    `tensor.extract`) and accumulates in f32.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

def DDLLowbitInt4ToVectorPass : Pass<"ddl-lowbit-int4-to-vector", "::mlir::ModuleOp"> {
  let summary = "int4 weight-only matmuls as CPU vector kernels that unpack the weights in registers";
  let description = [{
    Every `lowbit.matmul_int4` with constant weights and scales becomes a
    parallel loop over (row super-block, block of 4 outputs): for each
    32-wide block of k, the 16 bytes of each of the 4 outputs' weights are
    loaded once, unpacked with shifts into two 16-lane vectors of signed
    nibbles (the packing puts k and k + 16 in one byte), converted to f32,
    multiplied by the group's scale, and used by every one of up to 4
    input rows (16-lane FMA accumulators, reduced across lanes at the
    end). The weights are never expanded in memory: a decode-sized GEMV
    reads K N / 2 bytes instead of the 4 K N of f32. Vectors are 16 f32
    lanes (one zmm register; two ymm or four NEON registers elsewhere),
    so any CPU target takes it.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect"
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

def NNQuantizeInt4Pass : Pass<"nn-quantize-int4", "::mlir::func::FuncOp"> {
  let summary = "Post-training int4 weight-only quantization of linear layers (group-wise)";
  let description = [{
    `ddlc --quantize=int4`. Every f32 `nn.matmul` / `nn.gemm` of
    activations by constant weights (the layers nn-quantize-int8 takes)
    whose K is a multiple of `group-size` becomes a `lowbit.matmul_int4`:
    each output's weights are quantized now in groups of `group-size`
    consecutive inputs, symmetric: `scale = max |W| / 7` per group, `q =
    round(W / scale)` in [-7, 7], two per byte (8x smaller than f32, plus
    one f32 scale per group). Activations stay f32: the kernels unpack and
    scale the weights in registers (weight-only quantization, the LLM
    decode case, where reading the weights is the cost).

    Kept in float: as for nn-quantize-int8 (`min-k`, `min-n`, `keep`), and
    layers whose K is not a multiple of `group-size`.
  }];
  let options = [
    Option<"groupSize", "group-size", "int64_t", "64",
           "Inputs per scale (a multiple of 32: 32, 64, 128)">,
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
