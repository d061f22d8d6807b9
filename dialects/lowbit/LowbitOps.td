//===- LowbitOps.td - low-bit arithmetic dialect -----------*- tablegen -*-===//
//
// The `lowbit` dialect holds the operations that compute on quantized
// values as integers (not decomposed into f32), so that the code
// generators can select integer instructions for them.
//
//===----------------------------------------------------------------------===//

#ifndef DDL_DIALECTS_LOWBIT_LOWBITOPS_TD
#define DDL_DIALECTS_LOWBIT_LOWBITOPS_TD

include "mlir/IR/OpBase.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def Lowbit_Dialect : Dialect {
  let name = "lowbit";
  let cppNamespace = "::ddl::lowbit";
  let summary = "quantized arithmetic on integer tensors";
  let description = [{
    Quantized models (ONNX's MatMulInteger, QLinearMatMul, QDQ graphs;
    ddlc's post-training quantization) compute on 8-bit (and later 4-bit,
    ternary and fp8) values with wide integer accumulation. The ops of
    this dialect keep that arithmetic visible: the CPU back end runs an
    int8 matmul on VNNI dot-product instructions (`vpdpbusd`), with the
    zero-point corrections folded into the epilogue, instead of the f32
    decomposition the nn dialect would need.
  }];
}

class Lowbit_Op<string mnemonic, list<Trait> traits = []>
    : Op<Lowbit_Dialect, mnemonic, traits>;

def Lowbit_I8Tensor : RankedTensorOf<[I8, UI8, SI8]>;

def Lowbit_MatMulOp : Lowbit_Op<"matmul", [Pure]> {
  let summary = "8-bit integer matmul with zero points, i32 accumulation";
  let description = [{
    ```
    result[..., m, n] = sum_k (lhs[..., m, k] - lhs_zero_point)
                            * (rhs[k, n] - rhs_zero_point[n])
    ```

    in i32, exactly (ONNX `MatMulInteger`). `lhs` is `[..., M, K]` (any
    leading batch dims), `rhs` is `[K, N]` (the weights), each 8-bit.
    `lhs_unsigned` / `rhs_unsigned` say how each operand's bytes read (the
    element types say it too while they are `ui8` / `si8`; lowering to
    linalg makes them signless `i8`, and the attributes keep the meaning). `lhs_zero_point` is a scalar of `lhs`'s element
    type; `rhs_zero_point` a scalar or one per column (`[N]`, per-channel
    quantized weights) of `rhs`'s element type. The result is `[..., M,
    N]` of i32.

    ```mlir
    %y = lowbit.matmul %a, %w, %a_zp, %w_zp {lhs_unsigned = true,
                                            rhs_unsigned = false}
        : (tensor<?x64xui8>, tensor<64x32xi8>, tensor<ui8>, tensor<32xi8>)
        -> tensor<?x32xi32>
    ```
  }];
  let arguments = (ins Lowbit_I8Tensor:$lhs, Lowbit_I8Tensor:$rhs,
                       Lowbit_I8Tensor:$lhs_zero_point,
                       Lowbit_I8Tensor:$rhs_zero_point,
                       BoolAttr:$lhs_unsigned, BoolAttr:$rhs_unsigned);
  let results = (outs RankedTensorOf<[I32]>:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs `,` $lhs_zero_point `,` $rhs_zero_point attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Lowbit_MatMulInt4Op : Lowbit_Op<"matmul_int4", [Pure]> {
  let summary = "f32 x group-wise int4 weights matmul (weight-only quantization)";
  let description = [{
    ```
    result[..., m, n] = sum_k input[..., m, k] * scales[n, k / group_size]
                                               * q[n, k]
    ```

    in f32, where `q[n, k]` is a signed 4-bit weight (-8 to 7) read from
    `weights`, `[N, K / 2]` bytes, two per byte. K is a multiple of 32 and
    each 32-wide block of k is 16 bytes: byte `16 b + j` holds k = `32 b + j`
    in its low nibble and k = `32 b + 16 + j` in its high nibble (so that
    the two halves of a block unpack into two 16-wide vectors with shifts
    alone, no shuffles). `scales` is `[N, K / group_size]` f32;
    `group_size` is a multiple of 32 that divides K. `input` is
    `[..., M, K]`, the result `[..., M, N]`.

    ```mlir
    %y = lowbit.matmul_int4 %x, %w, %s {group_size = 64}
        : (tensor<?x4096xf32>, tensor<11008x2048xi8>, tensor<11008x64xf32>)
        -> tensor<?x11008xf32>
    ```
  }];
  let arguments = (ins RankedTensorOf<[F32]>:$input,
                       RankedTensorOf<[I8]>:$weights,
                       RankedTensorOf<[F32]>:$scales,
                       ConfinedAttr<I64Attr, [IntPositive]>:$group_size);
  let results = (outs RankedTensorOf<[F32]>:$result);
  let assemblyFormat = [{
    $input `,` $weights `,` $scales attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Lowbit_MatMulTernaryOp : Lowbit_Op<"matmul_ternary", [Pure]> {
  let summary = "int8 activations x ternary (1.58-bit) weights matmul, i32 accumulation";
  let description = [{
    ```
    result[..., m, n] = sum_k input[..., m, k] * t[n, k]
    ```

    in i32, exactly, where `t[n, k]` is in {-1, 0, +1} (BitNet b1.58
    weights) read from `weights`, `[N, bytes per row]`, packed
    `trits_per_byte` to a byte: 4 (2 bits each: K in blocks of 64 inputs,
    16 bytes each) or 5 (base 3, 1.6 bits each: K in blocks of 320 inputs,
    64 bytes each, then K mod 320 in 2-bit blocks). The byte layouts are
    documented in `dialects/lowbit/Ternary.h`. K is a multiple of 64;
    `input` is `[..., M, K]` signed 8-bit (per-token quantized
    activations), the result `[..., M, N]`. Scales (the weights' absmean,
    the activations' per-token scale) are applied by the ops that follow.

    ```mlir
    %y = lowbit.matmul_ternary %x, %w {trits_per_byte = 4}
        : (tensor<?x4096xi8>, tensor<11008x1024xi8>) -> tensor<?x11008xi32>
    ```
  }];
  let arguments = (ins RankedTensorOf<[I8]>:$input,
                       RankedTensorOf<[I8]>:$weights,
                       ConfinedAttr<I64Attr, [IntMinValue<4>, IntMaxValue<5>]>:$trits_per_byte);
  let results = (outs RankedTensorOf<[I32]>:$result);
  let assemblyFormat = [{
    $input `,` $weights attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Lowbit_QuantizeFp8Op : Lowbit_Op<"quantize_fp8", [Pure]> {
  let summary = "f32 values divided by a scale as fp8 (E4M3FN or E5M2) bytes";
  let description = [{
    `result = fp8(input / scale)` elementwise, as bit patterns of `format`
    (`"e4m3"`, the default, or `"e5m2"`) in i8 (LLVM has no fp8 type):
    round to nearest even, saturating at the largest finite value (448,
    57344; dialects/lowbit/Fp8.h). `scale` is a 0-d f32 tensor (per-tensor
    quantization).

    ```mlir
    %q = lowbit.quantize_fp8 %x, %s : (tensor<?x4096xf32>, tensor<f32>) -> tensor<?x4096xi8>
    ```
  }];
  let arguments = (ins RankedTensorOf<[F32]>:$input,
                       0DTensorOf<[F32]>:$scale,
                       DefaultValuedStrAttr<StrAttr, "e4m3">:$format);
  let results = (outs RankedTensorOf<[I8]>:$result);
  let assemblyFormat = [{
    $input `,` $scale attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Lowbit_MatMulFp8Op : Lowbit_Op<"matmul_fp8", [Pure]> {
  let summary = "fp8 x fp8 matmul (E4M3FN or E5M2 operands), f32 accumulation";
  let description = [{
    ```
    result[..., m, n] = sum_k fp8(input[..., m, k]) * fp8(weights[n, k])
    ```

    in f32 (every product of two fp8 values is exact in f32), with both
    operands bytes (i8) of `format`: `"e4m3"` (E4M3FN, the default) or
    `"e5m2"`. `input` is `[..., M, K]`, `weights` `[N,
    K]` (one row per output, so a decode step reads each output's weights
    contiguously), the result `[..., M, N]`. Scales are applied by the ops
    that follow.

    ```mlir
    %y = lowbit.matmul_fp8 %xq, %w : (tensor<?x4096xi8>, tensor<11008x4096xi8>) -> tensor<?x11008xf32>
    ```
  }];
  let arguments = (ins RankedTensorOf<[I8]>:$input,
                       RankedTensorOf<[I8]>:$weights,
                       DefaultValuedStrAttr<StrAttr, "e4m3">:$format);
  let results = (outs RankedTensorOf<[F32]>:$result);
  let assemblyFormat = [{
    $input `,` $weights attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Lowbit_MatMulBf16Op : Lowbit_Op<"matmul_bf16", [Pure]> {
  let summary = "f32 activations rounded to bf16 x bf16 weights matmul, f32 accumulation";
  let description = [{
    ```
    result[..., m, n] = sum_k bf16(input[..., m, k]) * weights[n, k]
    ```

    in f32 (a product of two bf16 values is exact in f32; the order of the
    sum is the kernel's), where `bf16(x)` rounds an f32 to the nearest
    bf16 (ties to even). `input` is `[..., M, K]` f32, `weights` `[N, K]`
    bf16 (one row per output), the result `[..., M, N]` f32. What
    `--quantize=bf16` makes of a linear layer: half the weight bytes of
    f32, and AVX512-BF16's `vdpbf16ps` where the CPU has it.

    ```mlir
    %y = lowbit.matmul_bf16 %x, %w : (tensor<?x4096xf32>, tensor<11008x4096xbf16>) -> tensor<?x11008xf32>
    ```
  }];
  let arguments = (ins RankedTensorOf<[F32]>:$input,
                       RankedTensorOf<[BF16]>:$weights);
  let results = (outs RankedTensorOf<[F32]>:$result);
  let assemblyFormat = [{
    $input `,` $weights attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Lowbit_EmbeddingOp : Lowbit_Op<"embedding", [Pure]> {
  let summary = "rows of an int8 or int4 table gathered and dequantized (quantized embeddings)";
  let description = [{
    ```
    result[i..., d] = scales[v, d / group_size] * q[v, d],  v = indices[i...]
    ```

    in f32, where `q[v, d]` is row `v` of a quantized table: with `bits =
    8` `table` is `[V, D]` signed bytes; with `bits = 4` it is `[V, D / 2]`
    bytes in `lowbit.matmul_int4`'s layout (D a multiple of 32; per 32-wide
    block, byte `16 b + j` holds d = `32 b + j` in its low nibble and `32 b
    + 16 + j` in its high one). `scales` is `[V, D / group_size]` f32
    (`group_size` = D: one scale per row). A negative index counts from the
    back, as ONNX's Gather and `torch.nn.Embedding` (with wrapped indices)
    do; an index outside [-V, V - 1] is a run-time error. What
    `--quantize=int8|int4` makes of a Gather of rows of a constant table: a
    language model's token embeddings (V x D floats, often its largest
    tensor) 4x / 7x smaller.

    ```mlir
    %e = lowbit.embedding %ids, %table, %scales {bits = 4, group_size = 64}
        : (tensor<?x?xi64>, tensor<32000x2048xi8>, tensor<32000x64xf32>) -> tensor<?x?x4096xf32>
    ```
  }];
  let arguments = (ins RankedTensorOf<[I32, I64]>:$indices,
                       RankedTensorOf<[I8]>:$table,
                       RankedTensorOf<[F32]>:$scales,
                       ConfinedAttr<I64Attr, [IntMinValue<4>, IntMaxValue<8>]>:$bits,
                       ConfinedAttr<I64Attr, [IntPositive]>:$group_size);
  let results = (outs RankedTensorOf<[F32]>:$result);
  let assemblyFormat = [{
    $indices `,` $table `,` $scales attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Lowbit_DotU8S8Op : Lowbit_Op<"dot_u8s8", [Pure,
    AllTypesMatch<["acc", "result"]>]> {
  let summary = "i32 lanes += dot products of 4 u8 x s8 byte pairs";
  let description = [{
    `result[i] = acc[i] + sum_j lhs[4i + j] * rhs[4i + j]` with `lhs`
    bytes unsigned and `rhs` bytes signed (16 lanes: AVX-512 VNNI
    `vpdpbusd`). The int8 kernels emit it; ddl-lowbit-dot-to-llvm makes
    it the LLVM intrinsic after buffer deallocation (which needs known
    memory effects: this op has none).
  }];
  let arguments = (ins VectorOfLengthAndType<[16], [I32]>:$acc,
                       VectorOfLengthAndType<[64], [I8]>:$lhs,
                       VectorOfLengthAndType<[64], [I8]>:$rhs);
  let results = (outs VectorOfLengthAndType<[16], [I32]>:$result);
  let assemblyFormat = "$acc `,` $lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs) `into` type($result)";
}

def Lowbit_DotS8S8Op : Lowbit_Op<"dot_s8s8", [Pure,
    AllTypesMatch<["acc", "result"]>]> {
  let summary = "i32 lanes += dot products of 4 s8 x s8 byte pairs";
  let description = [{
    `result[i] = acc[i] + sum_j lhs[4i + j] * rhs[4i + j]` with both
    operands' bytes signed (16 lanes: four Arm `sdot` of 4 lanes each).
    The int8 kernels emit it for Arm targets; ddl-lowbit-dot-to-llvm makes
    it the LLVM intrinsic after buffer deallocation.
  }];
  let arguments = (ins VectorOfLengthAndType<[16], [I32]>:$acc,
                       VectorOfLengthAndType<[64], [I8]>:$lhs,
                       VectorOfLengthAndType<[64], [I8]>:$rhs);
  let results = (outs VectorOfLengthAndType<[16], [I32]>:$result);
  let assemblyFormat = "$acc `,` $lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs) `into` type($result)";
}

def Lowbit_DotBf16Op : Lowbit_Op<"dot_bf16", [Pure,
    AllTypesMatch<["acc", "result"]>]> {
  let summary = "f32 lanes += dot products of 2 bf16 pairs";
  let description = [{
    `result[i] = acc[i] + lhs[2i] * rhs[2i] + lhs[2i + 1] * rhs[2i + 1]`
    (16 lanes: AVX512-BF16 `vdpbf16ps`). The bf16 kernel emits it;
    ddl-lowbit-dot-to-llvm makes it the intrinsic where the target has
    it, and elsewhere widens the operands to f32 (a bf16 is the high half
    of an f32) for two fused multiply-adds.
  }];
  let arguments = (ins VectorOfLengthAndType<[16], [F32]>:$acc,
                       VectorOfLengthAndType<[32], [BF16]>:$lhs,
                       VectorOfLengthAndType<[32], [BF16]>:$rhs);
  let results = (outs VectorOfLengthAndType<[16], [F32]>:$result);
  let assemblyFormat = "$acc `,` $lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs) `into` type($result)";
}

def Lowbit_Lookup16Op : Lowbit_Op<"lookup16", [Pure,
    AllTypesMatch<["table", "indices", "result"]>]> {
  let summary = "byte table lookups within 16-byte lanes";
  let description = [{
    `result[i] = table[16 (i / 16) + indices[i]]`: each 16-byte lane of
    `indices` looks its bytes up in the same lane of `table` (x86
    `pshufb` / `vpshufb`, Arm `tbl` with one table register). Every index
    must be in [0, 16): the instructions disagree on the others (`pshufb`
    reads the low 4 bits unless bit 7 is set, `tbl` gives 0 from 16 on),
    so the result for them is unspecified. The lookup-table ternary
    kernel (ddl-lowbit-ternary-to-vector, `kernel=lut`) emits it;
    ddl-lowbit-dot-to-llvm makes it the target's intrinsic.
  }];
  let arguments = (ins VectorOfRankAndType<[1], [I8]>:$table,
                       VectorOfRankAndType<[1], [I8]>:$indices);
  let results = (outs VectorOfRankAndType<[1], [I8]>:$result);
  let assemblyFormat = "$table `,` $indices attr-dict `:` type($result)";
  let hasVerifier = 1;
}

#endif // DDL_DIALECTS_LOWBIT_LOWBITOPS_TD
