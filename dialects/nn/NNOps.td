//===- NNOps.td - graph dialect operations -----------------*- tablegen -*-===//
//
// The operator set of the `nn` dialect. Ops are grouped by family; every
// shaped op's result types and shapes come from its shape function (see
// NN_ShapedOp in NNBase.td), implemented in the family's .cpp file.
//
//===----------------------------------------------------------------------===//

#ifndef DDL_DIALECTS_NN_NNOPS_TD
#define DDL_DIALECTS_NN_NNOPS_TD

include "dialects/nn/NNBase.td"
include "mlir/Interfaces/ControlFlowInterfaces.td"

//===----------------------------------------------------------------------===//
// Elementwise unary ops
//===----------------------------------------------------------------------===//

// `output` has the shape and element type of `input`.
// Marks ops that apply one function to each element of their one tensor
// operand (layout passes move transposes through them).
def NN_ElementwiseUnary : NativeOpTrait<"ElementwiseUnary"> {
  let cppNamespace = "::ddl::nn";
}

class NN_UnaryOp<string mnemonic, Type tensorType, dag extraArgs = (ins),
                 list<Trait> traits = []>
    : NN_ShapedOp<mnemonic, traits # [Pure, NN_ElementwiseUnary]> {
  let arguments = !con((ins tensorType:$input), extraArgs);
  let results = (outs tensorType:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let extraClassDefinition = shapeFunctionDefinition # [{
    ::llvm::LogicalResult $cppClass::inferShapes(Adaptor adaptor,
        ::ddl::nn::ShapeBuilder &b,
        ::llvm::SmallVectorImpl<::ddl::nn::ResultShape> &results) {
      return b.sameAs(adaptor.getInput(), results);
    }
  }];
}

class NN_UnaryFloatOp<string mnemonic, string formula, dag extraArgs = (ins)>
    : NN_UnaryOp<mnemonic, NN_FloatTensor, extraArgs> {
  let summary = "elementwise " # formula;
}

def NN_ExpOp : NN_UnaryFloatOp<"exp", "e^x">;
def NN_LogOp : NN_UnaryFloatOp<"log", "natural logarithm">;
def NN_SqrtOp : NN_UnaryFloatOp<"sqrt", "square root">;
def NN_ReciprocalOp : NN_UnaryFloatOp<"reciprocal", "1 / x">;
def NN_SinOp : NN_UnaryFloatOp<"sin", "sine">;
def NN_CosOp : NN_UnaryFloatOp<"cos", "cosine">;
def NN_TanOp : NN_UnaryFloatOp<"tan", "tangent">;
def NN_AsinOp : NN_UnaryFloatOp<"asin", "arc sine">;
def NN_AcosOp : NN_UnaryFloatOp<"acos", "arc cosine">;
def NN_AtanOp : NN_UnaryFloatOp<"atan", "arc tangent">;
def NN_SinhOp : NN_UnaryFloatOp<"sinh", "hyperbolic sine">;
def NN_CoshOp : NN_UnaryFloatOp<"cosh", "hyperbolic cosine">;
def NN_AsinhOp : NN_UnaryFloatOp<"asinh", "inverse hyperbolic sine">;
def NN_AcoshOp : NN_UnaryFloatOp<"acosh", "inverse hyperbolic cosine">;
def NN_AtanhOp : NN_UnaryFloatOp<"atanh", "inverse hyperbolic tangent">;
def NN_TanhOp : NN_UnaryFloatOp<"tanh", "hyperbolic tangent">;
def NN_SigmoidOp : NN_UnaryFloatOp<"sigmoid", "logistic sigmoid 1 / (1 + e^-x)">;
def NN_ErfOp : NN_UnaryFloatOp<"erf", "Gauss error function">;
def NN_FloorOp : NN_UnaryFloatOp<"floor", "round toward -inf">;
def NN_CeilOp : NN_UnaryFloatOp<"ceil", "round toward +inf">;
def NN_RoundOp : NN_UnaryFloatOp<"round", "round half to even">;
def NN_SoftplusOp : NN_UnaryFloatOp<"softplus", "log(1 + e^x)">;
def NN_SoftsignOp : NN_UnaryFloatOp<"softsign", "x / (1 + |x|)">;
def NN_MishOp : NN_UnaryFloatOp<"mish", "x * tanh(softplus(x))">;
def NN_SiluOp : NN_UnaryFloatOp<"silu", "x * sigmoid(x) (swish)">;
def NN_HardSwishOp : NN_UnaryFloatOp<"hard_swish", "x * relu6(x + 3) / 6">;
def NN_GeluOp : NN_UnaryFloatOp<"gelu", "Gaussian error linear unit",
    (ins DefaultValuedAttr<NN_GeluApproximationAttr,
         "::ddl::nn::GeluApproximation::None">:$approximate)>;
def NN_HardSigmoidOp : NN_UnaryFloatOp<"hard_sigmoid", "max(0, min(1, alpha * x + beta))",
    (ins DefaultValuedAttr<F32Attr, "0.2">:$alpha,
         DefaultValuedAttr<F32Attr, "0.5">:$beta)>;
def NN_LeakyReluOp : NN_UnaryFloatOp<"leaky_relu", "x >= 0 ? x : alpha * x",
    (ins DefaultValuedAttr<F32Attr, "0.01">:$alpha)>;
def NN_EluOp : NN_UnaryFloatOp<"elu", "x >= 0 ? x : alpha * (e^x - 1)",
    (ins DefaultValuedAttr<F32Attr, "1.0">:$alpha)>;
def NN_CeluOp : NN_UnaryFloatOp<"celu", "max(0, x) + min(0, alpha * (e^(x / alpha) - 1))",
    (ins DefaultValuedAttr<F32Attr, "1.0">:$alpha)>;
def NN_SeluOp : NN_UnaryFloatOp<"selu", "gamma * (x > 0 ? x : alpha * (e^x - 1))",
    (ins DefaultValuedAttr<F32Attr, "1.67326319217681884765625">:$alpha,
         DefaultValuedAttr<F32Attr, "1.05070102214813232421875">:$gamma)>;
def NN_ThresholdedReluOp : NN_UnaryFloatOp<"thresholded_relu", "x > alpha ? x : 0",
    (ins DefaultValuedAttr<F32Attr, "1.0">:$alpha)>;

class NN_UnaryNumericOp<string mnemonic, string formula>
    : NN_UnaryOp<mnemonic, NN_NumericTensor> {
  let summary = "elementwise " # formula;
}
def NN_AbsOp : NN_UnaryNumericOp<"abs", "absolute value">;
def NN_NegOp : NN_UnaryNumericOp<"neg", "negation"> { let hasFolder = 1; }
def NN_SignOp : NN_UnaryNumericOp<"sign", "sign (-1, 0 or 1)">;
def NN_ReluOp : NN_UnaryNumericOp<"relu", "max(x, 0)">;
def NN_BitwiseNotOp : NN_UnaryOp<"bitwise_not", NN_IntTensor> {
  let summary = "elementwise bitwise complement";
}
def NN_NotOp : NN_UnaryOp<"not", NN_BoolTensor> {
  let summary = "elementwise logical negation";
}
def NN_IdentityOp : NN_UnaryOp<"identity", NN_Tensor> {
  let summary = "returns its operand";
  let description = [{
    Kept so that importers map ONNX `Identity` (and inference-mode `Dropout`)
    one to one; it always folds away.
  }];
  let hasFolder = 1;
}

// Float predicates: the result is an i1 tensor of the operand's shape.
class NN_FloatPredicateOp<string mnemonic, string what, dag extraArgs = (ins)>
    : NN_ShapedOp<mnemonic, [Pure]> {
  let summary = "elementwise test: " # what;
  let arguments = !con((ins NN_FloatTensor:$input), extraArgs);
  let results = (outs NN_BoolTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let extraClassDefinition = shapeFunctionDefinition # [{
    ::llvm::LogicalResult $cppClass::inferShapes(Adaptor adaptor,
        ::ddl::nn::ShapeBuilder &b,
        ::llvm::SmallVectorImpl<::ddl::nn::ResultShape> &results) {
      return b.sameAs(adaptor.getInput(), results, b.getI1Type());
    }
  }];
}
def NN_IsNanOp : NN_FloatPredicateOp<"is_nan", "x is NaN">;
def NN_IsInfOp : NN_FloatPredicateOp<"is_inf", "x is an infinity",
    (ins DefaultValuedAttr<BoolAttr, "true">:$detect_positive,
         DefaultValuedAttr<BoolAttr, "true">:$detect_negative)>;

def NN_ClipOp : NN_ShapedOp<"clip", [Pure, AttrSizedOperandSegments]> {
  let summary = "elementwise clamp to [min, max]";
  let description = [{
    `min` and `max` are optional scalar (0-d or one-element) tensors of the
    input's element type; a missing bound does not clamp.
  }];
  let arguments = (ins NN_NumericTensor:$input, Optional<NN_NumericTensor>:$min,
                       Optional<NN_NumericTensor>:$max);
  let results = (outs NN_NumericTensor:$output);
  let assemblyFormat = [{
    $input (`min` $min^)? (`max` $max^)? attr-dict `:` functional-type(operands, results)
  }];
}

def NN_CastOp : NN_Op<"cast", [Pure,
    DeclareOpInterfaceMethods<ReifyRankedShapedTypeOpInterface, ["reifyResultShapes"]>]> {
  let summary = "elementwise conversion to another element type";
  let description = [{
    The result type states the target element type; the shape is the
    input's (a written result type may refine dynamic dimensions). Float to
    integer truncates toward zero (out-of-range values are undefined, as in
    ONNX `Cast`); a cast to the same type folds away.
  }];
  let arguments = (ins NN_Tensor:$input);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Elementwise binary and ternary ops (numpy broadcasting)
//===----------------------------------------------------------------------===//

// `resultElement` is the C++ result element type (null: the lhs's).
class NN_BroadcastOp<string mnemonic, Type operandType, Type resultType,
                     string resultElement, list<Trait> traits = []>
    : NN_ShapedOp<mnemonic, traits # [Pure]> {
  let arguments = (ins operandType:$lhs, operandType:$rhs);
  let results = (outs resultType:$output);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let extraClassDefinition = shapeFunctionDefinition # [{
    ::llvm::LogicalResult $cppClass::inferShapes(Adaptor adaptor,
        ::ddl::nn::ShapeBuilder &b,
        ::llvm::SmallVectorImpl<::ddl::nn::ResultShape> &results) {
      return b.broadcastElementwise({adaptor.getLhs(), adaptor.getRhs()},
                                    }] # resultElement # [{, results);
    }
  }];
}

// Arithmetic on two tensors of one element type; the result has it too.
class NN_ArithOp<string mnemonic, string formula, list<Trait> traits = []>
    : NN_BroadcastOp<mnemonic, NN_NumericTensor, NN_NumericTensor,
                     "::mlir::Type()",
                     traits # [AllElementTypesMatch<["lhs", "rhs", "output"]>]> {
  let summary = "elementwise " # formula # " with broadcasting";
}
def NN_AddOp : NN_ArithOp<"add", "lhs + rhs", [Commutative]> {
  let hasFolder = 1;
}
def NN_SubOp : NN_ArithOp<"sub", "lhs - rhs"> { let hasFolder = 1; }
def NN_MulOp : NN_ArithOp<"mul", "lhs * rhs", [Commutative]> { let hasFolder = 1; }
def NN_DivOp : NN_ArithOp<"div", "lhs / rhs (integers truncate)"> { let hasFolder = 1; }
def NN_MinOp : NN_ArithOp<"min", "minimum", [Commutative]>;
def NN_MaxOp : NN_ArithOp<"max", "maximum", [Commutative]>;
def NN_ModOp : NN_ArithOp<"mod", "remainder"> {
  let description = [{
    With `fmod` false (the default) the remainder takes the sign of the
    divisor (Python `%`); with `fmod` true, the sign of the dividend (C
    `fmod`), as in ONNX `Mod`.
  }];
  let arguments = (ins NN_NumericTensor:$lhs, NN_NumericTensor:$rhs,
                       DefaultValuedAttr<BoolAttr, "false">:$fmod);
}
def NN_PowOp : NN_BroadcastOp<"pow", NN_NumericTensor, NN_NumericTensor,
    "::mlir::Type()"> {
  let summary = "elementwise lhs ^ rhs with broadcasting";
  let description = [{
    The exponent may have another element type than the base (ONNX `Pow`);
    the result has the base's element type.
  }];
}
def NN_PReluOp : NN_BroadcastOp<"prelu", NN_FloatTensor, NN_FloatTensor,
    "::mlir::Type()",
    [AllElementTypesMatch<["lhs", "rhs", "output"]>]> {
  let summary = "lhs >= 0 ? lhs : rhs * lhs, the slope `rhs` broadcast to lhs";
}

class NN_LogicOp<string mnemonic, string formula>
    : NN_BroadcastOp<mnemonic, NN_BoolTensor, NN_BoolTensor,
                     "::mlir::Type()", [Commutative]> {
  let summary = "elementwise logical " # formula # " with broadcasting";
}
def NN_AndOp : NN_LogicOp<"and", "and">;
def NN_OrOp : NN_LogicOp<"or", "or">;
def NN_XorOp : NN_LogicOp<"xor", "exclusive or">;

class NN_BitwiseOp<string mnemonic, string formula>
    : NN_BroadcastOp<mnemonic, NN_IntTensor, NN_IntTensor,
                     "::mlir::Type()",
                     [AllElementTypesMatch<["lhs", "rhs", "output"]>]> {
  let summary = "elementwise bitwise " # formula # " with broadcasting";
}
def NN_BitwiseAndOp : NN_BitwiseOp<"bitwise_and", "and">;
def NN_BitwiseOrOp : NN_BitwiseOp<"bitwise_or", "or">;
def NN_BitwiseXorOp : NN_BitwiseOp<"bitwise_xor", "xor">;
def NN_BitShiftOp : NN_BitwiseOp<"bit_shift", "shift of lhs by rhs bits"> {
  let arguments = (ins NN_IntTensor:$lhs, NN_IntTensor:$rhs,
                       NN_ShiftDirectionAttr:$direction);
  let assemblyFormat = [{
    $direction $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
}

class NN_CompareOp<string mnemonic, string formula>
    : NN_BroadcastOp<mnemonic, NN_Tensor, NN_BoolTensor,
                     "b.getI1Type()",
                     [AllElementTypesMatch<["lhs", "rhs"]>]> {
  let summary = "elementwise comparison " # formula # " with broadcasting, giving i1";
}
def NN_EqualOp : NN_CompareOp<"equal", "lhs == rhs">;
def NN_LessOp : NN_CompareOp<"less", "lhs < rhs">;
def NN_LessEqualOp : NN_CompareOp<"less_equal", "lhs <= rhs">;
def NN_GreaterOp : NN_CompareOp<"greater", "lhs > rhs">;
def NN_GreaterEqualOp : NN_CompareOp<"greater_equal", "lhs >= rhs">;

def NN_WhereOp : NN_ShapedOp<"where", [Pure,
    AllElementTypesMatch<["on_true", "on_false", "output"]>]> {
  let summary = "elementwise condition ? on_true : on_false, all three broadcast";
  let arguments = (ins NN_BoolTensor:$condition, NN_Tensor:$on_true,
                       NN_Tensor:$on_false);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = [{
    $condition `,` $on_true `,` $on_false attr-dict `:` functional-type(operands, results)
  }];
}

//===----------------------------------------------------------------------===//
// Contractions, convolution and pooling
//===----------------------------------------------------------------------===//

def NN_MatMulOp : NN_ShapedOp<"matmul", [Pure,
    AllElementTypesMatch<["lhs", "rhs", "output"]>]> {
  let summary = "matrix product with numpy semantics (batched, broadcasting)";
  let description = [{
    As `numpy.matmul` / ONNX `MatMul`: a 1-D lhs gets a leading 1 and a 1-D
    rhs a trailing 1 (both removed from the result); leading batch
    dimensions broadcast. The contracted sizes must agree.
  }];
  let arguments = (ins NN_NumericTensor:$lhs, NN_NumericTensor:$rhs);
  let results = (outs NN_NumericTensor:$output);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
}

def NN_GemmOp : NN_ShapedOp<"gemm", [Pure]> {
  let summary = "alpha * op(a) @ op(b) + beta * c on 2-D operands";
  let description = [{
    ONNX `Gemm`: `op(x)` transposes when `trans_a` / `trans_b` is set; the
    optional `c` broadcasts (unidirectionally) to the M x N result.
  }];
  let arguments = (ins NN_NumericTensor:$a, NN_NumericTensor:$b,
                       Optional<NN_NumericTensor>:$c,
                       DefaultValuedAttr<F32Attr, "1.0">:$alpha,
                       DefaultValuedAttr<F32Attr, "1.0">:$beta,
                       DefaultValuedAttr<BoolAttr, "false">:$trans_a,
                       DefaultValuedAttr<BoolAttr, "false">:$trans_b);
  let results = (outs NN_NumericTensor:$output);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

def NN_EinsumOp : NN_ShapedOp<"einsum", [Pure]> {
  let summary = "Einstein summation over any number of operands";
  let description = [{
    As `numpy.einsum` / ONNX `Einsum`. `equation` names the dimensions of
    each operand with one letter each (`a`-`z`, `A`-`Z`), the operand terms
    separated by commas, then optionally `->` and the result's letters
    (explicit form). Without `->` (implicit form) the result has the letters
    that occur exactly once, in alphabetical (ASCII) order. Letters missing
    from the result are summed over; a letter repeated within one term takes
    the diagonal. One `...` per term stands for the dimensions no letter
    names: they broadcast (numpy rules) across the operands and come first
    in an implicit result; an explicit result without `...` sums them.
    Spaces are ignored.

    Every occurrence of a letter must have the same size; the result takes
    a letter's size from any operand where it is static (else its symbol).
    All operands have one element type, which the result has too.

    ```mlir
    %0 = nn.einsum "bij,bjk->bik" %a, %b
        : (tensor<?x2x3xf32>, tensor<?x3x4xf32>) -> tensor<?x2x4xf32>
    ```
  }];
  let arguments = (ins Variadic<NN_NumericTensor>:$inputs, StrAttr:$equation);
  let results = (outs NN_NumericTensor:$output);
  let assemblyFormat = [{
    $equation $inputs attr-dict `:` functional-type(operands, results)
  }];
}

// Attributes shared by every windowed op (convolution and pooling). Absent
// strides and dilations are 1, absent pads are 0; `pads` lists all begin
// pads, then all end pads, as in ONNX.
defvar NN_WindowAttrs = (ins
  OptionalAttr<DenseI64ArrayAttr>:$strides,
  OptionalAttr<DenseI64ArrayAttr>:$pads,
  OptionalAttr<DenseI64ArrayAttr>:$dilations,
  DefaultValuedAttr<NN_AutoPadAttr, "::ddl::nn::AutoPad::NotSet">:$auto_pad);

def NN_ConvOp : NN_ShapedOp<"conv", [Pure]> {
  let summary = "N-d convolution (cross-correlation) with groups";
  let description = [{
    Layout NC[spatial...] for `input`, M(C/group)[kernel...] for `weight`;
    the optional `bias` has M elements. Any number of spatial dimensions.

    With `channels_last`, `input` is N[spatial...]C and the result
    N[spatial...]M (the weight keeps its layout). The CPU pipeline's
    `nn-channels-last` pass rewrites convolutions into this form so that
    consecutive convolutions and the elementwise ops between them run with
    channels innermost, and transposes remain only at the graph's edges.
  }];
  let arguments = !con((ins NN_FloatTensor:$input, NN_FloatTensor:$weight,
                            Optional<NN_FloatTensor>:$bias,
                            DefaultValuedAttr<I64Attr, "1">:$group,
                            UnitAttr:$channels_last),
                       NN_WindowAttrs);
  let results = (outs NN_FloatTensor:$output);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

def NN_ConvTransposeOp : NN_ShapedOp<"conv_transpose", [Pure]> {
  let summary = "N-d transposed convolution with groups";
  let description = [{
    Layout NC[spatial...] for `input` and C(M/group)[kernel...] for `weight`.
    The output size per spatial axis is
    `stride * (in - 1) + output_padding + (kernel - 1) * dilation + 1 - pads`
    unless `output_shape` gives it (then pads are derived as ONNX says).
  }];
  let arguments = !con((ins NN_FloatTensor:$input, NN_FloatTensor:$weight,
                            Optional<NN_FloatTensor>:$bias,
                            DefaultValuedAttr<I64Attr, "1">:$group,
                            OptionalAttr<DenseI64ArrayAttr>:$output_padding,
                            OptionalAttr<DenseI64ArrayAttr>:$output_shape),
                       NN_WindowAttrs);
  let results = (outs NN_FloatTensor:$output);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

class NN_PoolOp<string mnemonic, string what, dag extraArgs = (ins)>
    : NN_ShapedOp<mnemonic, [Pure]> {
  let summary = "N-d " # what # " pooling";
  let arguments = !con((ins NN_FloatTensor:$input,
                            DenseI64ArrayAttr:$kernel_shape,
                            DefaultValuedAttr<BoolAttr, "false">:$ceil_mode),
                       NN_WindowAttrs, extraArgs);
  let results = (outs NN_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}
def NN_MaxPoolOp : NN_PoolOp<"max_pool", "max", (ins UnitAttr:$channels_last)> {
  let description = [{
    Layout NC[spatial...]. With `channels_last` (2-D only), `input` and the
    result are N[spatial...]C: `nn-channels-last` moves a max pooling
    between channels-last convolutions into that layout, so no transposes
    surround it.
  }];
}
def NN_AvgPoolOp : NN_PoolOp<"avg_pool", "average",
    (ins DefaultValuedAttr<BoolAttr, "false">:$count_include_pad)>;
def NN_LpPoolOp : NN_PoolOp<"lp_pool", "Lp-norm",
    (ins DefaultValuedAttr<I64Attr, "2">:$p)>;

class NN_GlobalPoolOp<string mnemonic, string what>
    : NN_ShapedOp<mnemonic, [Pure]> {
  let summary = what # " over all spatial dimensions, kept as size 1";
  let arguments = (ins NN_FloatTensor:$input);
  let results = (outs NN_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}
def NN_GlobalAvgPoolOp : NN_GlobalPoolOp<"global_avg_pool", "average">;
def NN_GlobalMaxPoolOp : NN_GlobalPoolOp<"global_max_pool", "maximum">;

//===----------------------------------------------------------------------===//
// Reductions and normalizations
//===----------------------------------------------------------------------===//

def NN_ReduceOp : NN_ShapedOp<"reduce", [Pure]> {
  let summary = "reduction over a set of axes";
  let description = [{
    One op for the ONNX Reduce* family; `kind` says which. `axes` may be
    negative (counted from the back); absent axes reduce every axis (or,
    with `noop_with_empty_axes`, none). With `keepdims` the reduced axes stay
    as size 1.

    ```mlir
    %0 = nn.reduce <sum> %x {axes = array<i64: 1>} : (tensor<?x8xf32>) -> tensor<?x1xf32>
    ```
  }];
  let arguments = (ins NN_NumericTensor:$input, NN_ReduceKindAttr:$kind,
                       OptionalAttr<DenseI64ArrayAttr>:$axes,
                       DefaultValuedAttr<BoolAttr, "true">:$keepdims,
                       DefaultValuedAttr<BoolAttr, "false">:$noop_with_empty_axes);
  let results = (outs NN_NumericTensor:$output);
  let assemblyFormat = "$kind $input attr-dict `:` functional-type(operands, results)";
}

class NN_ArgReduceOp<string mnemonic, string what>
    : NN_ShapedOp<mnemonic, [Pure]> {
  let summary = "index of the " # what # " along `axis`, as i64";
  let arguments = (ins NN_NumericTensor:$input,
                       DefaultValuedAttr<I64Attr, "0">:$axis,
                       DefaultValuedAttr<BoolAttr, "true">:$keepdims,
                       DefaultValuedAttr<BoolAttr, "false">:$select_last_index);
  let results = (outs NN_I64Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}
def NN_ArgMaxOp : NN_ArgReduceOp<"argmax", "maximum">;
def NN_ArgMinOp : NN_ArgReduceOp<"argmin", "minimum">;

def NN_CumSumOp : NN_ShapedOp<"cumsum", [Pure]> {
  let summary = "cumulative sum along the axis given by `axis`";
  let description = [{
    ONNX `CumSum`: `axis` is a 0-d or one-element integer tensor (negative
    counts from the back). With `exclusive`, element j sums the elements
    before j (not j itself); with `reverse`, the sums run from the end of
    the axis. The result has the input's shape and element type.
  }];
  let arguments = (ins NN_NumericTensor:$input, NN_IndexTensor:$axis,
                       DefaultValuedAttr<BoolAttr, "false">:$exclusive,
                       DefaultValuedAttr<BoolAttr, "false">:$reverse);
  let results = (outs NN_NumericTensor:$output);
  let assemblyFormat = "$input `,` $axis attr-dict `:` functional-type(operands, results)";
}

def NN_TopKOp : NN_ShapedOp<"top_k", [Pure]> {
  let summary = "the `k` largest (or smallest) elements along `axis`";
  let description = [{
    ONNX `TopK`: `k` is a one-element i64 tensor. Both results have the
    input's shape with dimension `axis` replaced by `k` (static when `k` is
    a constant): `values` holds the selected elements (input element type),
    `indices` their positions along `axis` (i64). `largest` false selects
    the smallest; with `sorted` the elements come in order (descending for
    largest, ascending for smallest), ties by lower index first.

    ```mlir
    %v, %i = nn.top_k %x, %k {axis = 1 : i64}
        : (tensor<2x8xf32>, tensor<1xi64>) -> (tensor<2x3xf32>, tensor<2x3xi64>)
    ```
  }];
  let arguments = (ins NN_NumericTensor:$input, NN_I64Tensor:$k,
                       DefaultValuedAttr<I64Attr, "-1">:$axis,
                       DefaultValuedAttr<BoolAttr, "true">:$largest,
                       DefaultValuedAttr<BoolAttr, "true">:$sorted);
  let results = (outs NN_NumericTensor:$values, NN_I64Tensor:$indices);
  let assemblyFormat = "$input `,` $k attr-dict `:` functional-type(operands, results)";
}

class NN_SoftmaxLikeOp<string mnemonic, string what>
    : NN_ShapedOp<mnemonic, [Pure]> {
  let summary = what # " along `axis`";
  let arguments = (ins NN_FloatTensor:$input,
                       DefaultValuedAttr<I64Attr, "-1">:$axis);
  let results = (outs NN_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}
def NN_SoftmaxOp : NN_SoftmaxLikeOp<"softmax", "softmax">;
def NN_LogSoftmaxOp : NN_SoftmaxLikeOp<"log_softmax", "log of softmax">;
def NN_HardmaxOp : NN_SoftmaxLikeOp<"hardmax", "one-hot of the first maximum">;

def NN_BatchNormOp : NN_ShapedOp<"batch_norm", [Pure]> {
  let summary = "inference batch normalization with running statistics";
  let description = [{
    `(input - mean) / sqrt(variance + epsilon) * scale + bias`, with the four
    per-channel vectors (C elements) applied along dimension 1.
  }];
  let arguments = (ins NN_FloatTensor:$input, NN_FloatTensor:$scale,
                       NN_FloatTensor:$bias, NN_FloatTensor:$mean,
                       NN_FloatTensor:$variance,
                       DefaultValuedAttr<F32Attr, "1.0e-5">:$epsilon);
  let results = (outs NN_FloatTensor:$output);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

def NN_LayerNormOp : NN_ShapedOp<"layer_norm", [Pure]> {
  let summary = "layer normalization over the axes from `axis` to the last";
  let description = [{
    `scale` (and the optional `bias`) broadcast to the normalized shape
    `input.shape[axis:]`.
  }];
  let arguments = (ins NN_FloatTensor:$input, NN_FloatTensor:$scale,
                       Optional<NN_FloatTensor>:$bias,
                       DefaultValuedAttr<I64Attr, "-1">:$axis,
                       DefaultValuedAttr<F32Attr, "1.0e-5">:$epsilon);
  let results = (outs NN_FloatTensor:$output);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

def NN_GroupNormOp : NN_ShapedOp<"group_norm", [Pure]> {
  let summary = "group normalization: channels split into `num_groups` groups";
  let description = [{
    `scale` and `bias` hold one value per channel (C elements); C must be a
    multiple of `num_groups`.
  }];
  let arguments = (ins NN_FloatTensor:$input, NN_FloatTensor:$scale,
                       NN_FloatTensor:$bias, I64Attr:$num_groups,
                       DefaultValuedAttr<F32Attr, "1.0e-5">:$epsilon);
  let results = (outs NN_FloatTensor:$output);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

def NN_InstanceNormOp : NN_ShapedOp<"instance_norm", [Pure]> {
  let summary = "instance normalization over each channel's spatial dims";
  let arguments = (ins NN_FloatTensor:$input, NN_FloatTensor:$scale,
                       NN_FloatTensor:$bias,
                       DefaultValuedAttr<F32Attr, "1.0e-5">:$epsilon);
  let results = (outs NN_FloatTensor:$output);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Data movement and shape ops
//===----------------------------------------------------------------------===//

def NN_ReshapeOp : NN_ShapedOp<"reshape", [Pure]> {
  let summary = "reinterprets the elements under a new shape";
  let description = [{
    `shape` is a 1-D integer tensor; as in ONNX, an entry 0 copies the
    input's size at that position (unless `allowzero`) and one entry -1 is
    inferred from the element count. The result rank is the length of
    `shape`, which must therefore be static.
  }];
  let arguments = (ins NN_Tensor:$input, NN_IndexTensor:$shape,
                       DefaultValuedAttr<BoolAttr, "false">:$allowzero);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = "$input `,` $shape attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}

def NN_FlattenOp : NN_ShapedOp<"flatten", [Pure]> {
  let summary = "collapses dims [0, axis) and [axis, rank) into a 2-D tensor";
  let arguments = (ins NN_Tensor:$input, DefaultValuedAttr<I64Attr, "1">:$axis);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasCanonicalizer = 1;
  let hasFolder = 1;
}

def NN_SqueezeOp : NN_ShapedOp<"squeeze", [Pure]> {
  let summary = "removes size-1 dimensions";
  let description = [{
    Without `axes`, removes every dimension statically known to be 1 (a
    dynamic dimension must then be named in `axes` explicitly).
  }];
  let arguments = (ins NN_Tensor:$input, OptionalAttr<DenseI64ArrayAttr>:$axes);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasCanonicalizer = 1;
  let hasFolder = 1;
}

def NN_UnsqueezeOp : NN_ShapedOp<"unsqueeze", [Pure]> {
  let summary = "inserts size-1 dimensions at `axes` of the result";
  let arguments = (ins NN_Tensor:$input, DenseI64ArrayAttr:$axes);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasCanonicalizer = 1;
  let hasFolder = 1;
}

def NN_TransposeOp : NN_ShapedOp<"transpose", [Pure]> {
  let summary = "permutes dimensions: result dim i is input dim perm[i]";
  let description = [{ Without `perm`, reverses the dimensions. }];
  let arguments = (ins NN_Tensor:$input, OptionalAttr<DenseI64ArrayAttr>:$perm);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}

def NN_SliceOp : NN_ShapedOp<"slice", [Pure, AttrSizedOperandSegments]> {
  let summary = "strided slice along some axes (ONNX Slice semantics)";
  let description = [{
    `starts`, `ends`, `axes` and `steps` are 1-D integer tensors of one
    length; negative starts/ends count from the back and are clamped to the
    dimension; absent axes mean 0..n-1, absent steps mean 1.
  }];
  let arguments = (ins NN_Tensor:$input, NN_IndexTensor:$starts,
                       NN_IndexTensor:$ends, Optional<NN_IndexTensor>:$axes,
                       Optional<NN_IndexTensor>:$steps);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $starts `,` $ends (`axes` $axes^)? (`steps` $steps^)? attr-dict
    `:` functional-type(operands, results)
  }];
  let hasFolder = 1;
}

def NN_ConcatOp : NN_ShapedOp<"concat", [Pure]> {
  let summary = "concatenates tensors along `axis`";
  let arguments = (ins Variadic<NN_Tensor>:$inputs, I64Attr:$axis);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = "$inputs attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def NN_SplitOp : NN_ShapedOp<"split", [Pure]> {
  let summary = "splits a tensor into `num_outputs` pieces along `axis`";
  let description = [{
    With `sizes`, piece i has `sizes[i]` elements along `axis` (they must
    add up to the dimension when it is static); without, the pieces are
    equal, the last one smaller when the size does not divide (ONNX 18).
  }];
  let arguments = (ins NN_Tensor:$input, DefaultValuedAttr<I64Attr, "0">:$axis,
                       I64Attr:$num_outputs,
                       OptionalAttr<DenseI64ArrayAttr>:$sizes);
  let results = (outs Variadic<NN_Tensor>:$outputs);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def NN_GatherOp : NN_ShapedOp<"gather", [Pure]> {
  let summary = "takes slices of `data` along `axis` at `indices`";
  let description = [{
    Result shape: `data.shape[:axis] + indices.shape + data.shape[axis+1:]`.
    Negative indices count from the back.
  }];
  let arguments = (ins NN_Tensor:$data, NN_IndexTensor:$indices,
                       DefaultValuedAttr<I64Attr, "0">:$axis);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = "$data `,` $indices attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def NN_GatherElementsOp : NN_ShapedOp<"gather_elements", [Pure]> {
  let summary = "gathers single elements along `axis`; result has indices' shape";
  let arguments = (ins NN_Tensor:$data, NN_IndexTensor:$indices,
                       DefaultValuedAttr<I64Attr, "0">:$axis);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = "$data `,` $indices attr-dict `:` functional-type(operands, results)";
}

def NN_GatherNDOp : NN_ShapedOp<"gather_nd", [Pure]> {
  let summary = "gathers slices addressed by the last dimension of `indices`";
  let arguments = (ins NN_Tensor:$data, NN_IndexTensor:$indices,
                       DefaultValuedAttr<I64Attr, "0">:$batch_dims);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = "$data `,` $indices attr-dict `:` functional-type(operands, results)";
}

def NN_ScatterElementsOp : NN_ShapedOp<"scatter_elements", [Pure]> {
  let summary = "writes `updates` into a copy of `data` at `indices` along `axis`";
  let arguments = (ins NN_Tensor:$data, NN_IndexTensor:$indices, NN_Tensor:$updates,
                       DefaultValuedAttr<I64Attr, "0">:$axis,
                       DefaultValuedAttr<NN_ScatterReductionAttr,
                           "::ddl::nn::ScatterReduction::None">:$reduction);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

def NN_ScatterNDOp : NN_ShapedOp<"scatter_nd", [Pure]> {
  let summary = "writes `updates` into a copy of `data` at N-d `indices`";
  let arguments = (ins NN_Tensor:$data, NN_IndexTensor:$indices, NN_Tensor:$updates,
                       DefaultValuedAttr<NN_ScatterReductionAttr,
                           "::ddl::nn::ScatterReduction::None">:$reduction);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

def NN_PadOp : NN_ShapedOp<"pad", [Pure]> {
  let summary = "pads every dimension by the begin/end amounts in `pads`";
  let description = [{
    `pads` is a 1-D integer tensor of 2 * rank entries: all begin amounts,
    then all end amounts (negative amounts crop). `constant_value` (a scalar
    tensor, default 0) fills in `constant` mode.
  }];
  let arguments = (ins NN_Tensor:$input, NN_IndexTensor:$pads,
                       Optional<NN_Tensor>:$constant_value,
                       DefaultValuedAttr<NN_PadModeAttr,
                           "::ddl::nn::PadMode::Constant">:$mode);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

def NN_ExpandOp : NN_ShapedOp<"expand", [Pure]> {
  let summary = "broadcasts `input` with the shape given by `shape`";
  let description = [{
    Bidirectional broadcasting as in ONNX `Expand`: the result shape is the
    broadcast of the input's shape and `shape`.
  }];
  let arguments = (ins NN_Tensor:$input, NN_IndexTensor:$shape);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = "$input `,` $shape attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def NN_TileOp : NN_ShapedOp<"tile", [Pure]> {
  let summary = "repeats the input `repeats[i]` times along dimension i";
  let arguments = (ins NN_Tensor:$input, NN_IndexTensor:$repeats);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = "$input `,` $repeats attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def NN_ResizeOp : NN_ShapedOp<"resize", [Pure, AttrSizedOperandSegments]> {
  let summary = "resizes by interpolation to `sizes` or by `scales`";
  let description = [{
    `scales` (1-D float, one per dimension), `sizes` (1-D integer) or both
    are given. The output size is `sizes`, else `floor(input * scale)`; the
    coordinate mapping uses `scales`, else `output / input`. Both: ONNX 18's
    `keep_aspect_ratio_policy`, whose one scale for the resized axes gives
    sizes rounded on their own. `roi` is only read by `tf_crop_and_resize`.
    `antialias` (ONNX 18, linear and cubic) widens the filter by 1 / scale
    when a dimension shrinks (scale < 1) and normalizes its weights; it
    needs scales known when lowering (constant scales, or constant sizes of
    static dimensions).
  }];
  let arguments = (ins NN_Tensor:$input, Optional<NN_FloatTensor>:$roi,
                       Optional<NN_FloatTensor>:$scales,
                       Optional<NN_IndexTensor>:$sizes,
                       DefaultValuedAttr<NN_ResizeModeAttr,
                           "::ddl::nn::ResizeMode::Nearest">:$mode,
                       DefaultValuedAttr<NN_CoordinateTransformAttr,
                           "::ddl::nn::CoordinateTransform::HalfPixel">:$coordinate_transform,
                       DefaultValuedAttr<NN_NearestRoundingAttr,
                           "::ddl::nn::NearestRounding::RoundPreferFloor">:$nearest_rounding,
                       DefaultValuedAttr<F32Attr, "-0.75">:$cubic_coeff_a,
                       DefaultValuedAttr<BoolAttr, "false">:$exclude_outside,
                       DefaultValuedAttr<F32Attr, "0.0">:$extrapolation_value,
                       DefaultValuedAttr<BoolAttr, "false">:$antialias);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = [{
    $input (`roi` $roi^)? (`scales` $scales^)? (`sizes` $sizes^)? attr-dict
    `:` functional-type(operands, results)
  }];
}

def NN_GridSampleOp : NN_ShapedOp<"grid_sample", [Pure]> {
  let summary = "samples `input` at the normalized coordinates of `grid`";
  let description = [{
    ONNX `GridSample` (opset 16), PyTorch's `grid_sample` of 4-D inputs:
    `input` is [N, C, H, W] and `grid` [N, H_out, W_out, 2], holding (x, y)
    in [-1, 1] (x along W, y along H); the result is [N, C, H_out, W_out].
    `align_corners` maps -1 and 1 to the centres of the corner pixels (else
    to their outer edges). `mode` interpolates bilinearly, takes the
    nearest pixel (ties to even), or bicubically (coefficient -0.75, 4 x 4
    pixels). `padding_mode` says what lies outside the input: zeros, the
    border's pixels (coordinates clamped), or the input reflected at its
    border (at the corner pixels' centres with `align_corners`, else at
    their outer edges); bicubic applies it to each of its 16 pixels.
  }];
  let arguments = (ins NN_FloatTensor:$input, NN_FloatTensor:$grid,
                       DefaultValuedAttr<NN_GridSampleModeAttr,
                           "::ddl::nn::GridSampleMode::Bilinear">:$mode,
                       DefaultValuedAttr<NN_GridSamplePaddingAttr,
                           "::ddl::nn::GridSamplePadding::Zeros">:$padding_mode,
                       DefaultValuedAttr<BoolAttr, "false">:$align_corners);
  let results = (outs NN_FloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $grid attr-dict `:` functional-type(operands, results)
  }];
}

def NN_RoiAlignOp : NN_ShapedOp<"roi_align", [Pure]> {
  let summary = "pools each region of interest into a fixed grid of bins";
  let description = [{
    ONNX `RoiAlign` (Mask R-CNN's): `input` is [N, C, H, W], `rois` [R, 4]
    boxes (x1, y1, x2, y2) in input coordinates times `spatial_scale`,
    `batch_indices` [R] the image of each box; the result is [R, C,
    output_height, output_width]. Each bin averages (`avg`) or takes the
    largest (`max`, of the weighted corner values, as ONNX Runtime does)
    of `sampling_ratio` x `sampling_ratio` bilinear samples at the centres
    of a regular grid (points more than one pixel outside read 0).
    `half_pixel` shifts box coordinates by -0.5 (opset 16's default); without
    it (`output_half_pixel`, the older behaviour) boxes are at least one
    pixel wide and high. An adaptive sampling ratio (0) is not supported.
  }];
  let arguments = (ins NN_FloatTensor:$input, NN_FloatTensor:$rois,
                       NN_IndexTensor:$batch_indices,
                       DefaultValuedAttr<NN_RoiAlignModeAttr,
                           "::ddl::nn::RoiAlignMode::Avg">:$mode,
                       I64Attr:$output_height, I64Attr:$output_width,
                       I64Attr:$sampling_ratio,
                       DefaultValuedAttr<F32Attr, "1.0">:$spatial_scale,
                       DefaultValuedAttr<BoolAttr, "true">:$half_pixel);
  let results = (outs NN_FloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $rois `,` $batch_indices attr-dict `:`
    functional-type(operands, results)
  }];
}

def NN_NonMaxSuppressionOp : NN_ShapedOp<"non_max_suppression", [Pure]> {
  let summary = "greedy non-maximum suppression of scored boxes, per batch and class";
  let description = [{
    ONNX `NonMaxSuppression`: `boxes` [B, N, 4], `scores` [B, C, N]; the
    scalar operands `max_output_boxes_per_class` (i64), `iou_threshold` and
    `score_threshold` (f32). Per batch and class, the boxes whose score is
    above `score_threshold` (all of them without it) are visited from the
    highest score down (equal scores: the lower index first); a box is
    selected unless its intersection over union with a box already
    selected for that class is above `iou_threshold` (boxes of no area
    suppress nothing), until `max_output_boxes_per_class` are selected.
    The result holds one (batch, class, box) row per selection, by batch,
    then class, then selection order: its length depends on the data.
    Boxes are corners (y1, x1, y2, x2) in either order, or with
    `center_point_box` (x_center, y_center, width, height).
  }];
  let arguments = (ins NN_FloatTensor:$boxes, NN_FloatTensor:$scores,
                       NN_I64Tensor:$max_output_boxes_per_class,
                       NN_FloatTensor:$iou_threshold,
                       Optional<NN_FloatTensor>:$score_threshold,
                       DefaultValuedAttr<BoolAttr, "false">:$center_point_box);
  let results = (outs NN_I64Tensor:$selected_indices);
  let assemblyFormat = [{
    $boxes `,` $scores `,` $max_output_boxes_per_class `,` $iou_threshold
    (`,` $score_threshold^)? attr-dict `:` functional-type(operands, results)
  }];
}

def NN_NonZeroOp : NN_ShapedOp<"non_zero", [Pure]> {
  let summary = "indices of the non-zero elements, as a rank x count i64 tensor";
  let description = [{
    ONNX `NonZero`: column j of the result holds the coordinates of the j-th
    non-zero element of `input` (row-major order). The count depends on the
    data, so the second dimension is always dynamic (a written result type
    may name it with a symbol); the first is the input's rank.

    The count cannot be computed from shapes: this op's `reifyResultShapes`
    fails (lowering must compute the count from the data itself).
  }];
  let arguments = (ins NN_Tensor:$input);
  let results = (outs NN_I64Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def NN_ShapeOfOp : NN_ShapedOp<"shape_of", [Pure]> {
  let summary = "the sizes of dims [start, end) of `input` as a 1-D i64 tensor";
  let arguments = (ins NN_Tensor:$input, DefaultValuedAttr<I64Attr, "0">:$start,
                       OptionalAttr<I64Attr>:$end);
  let results = (outs NN_I64Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def NN_SizeOp : NN_ShapedOp<"size", [Pure]> {
  let summary = "the number of elements of `input` as a 0-d i64 tensor";
  let arguments = (ins NN_Tensor:$input);
  let results = (outs NN_I64Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def NN_ConstantOp : NN_Op<"constant", [ConstantLike, Pure,
    DeclareOpInterfaceMethods<InferTypeOpInterface>]> {
  let summary = "a constant tensor";
  let description = [{
    Weights come in as `dense_resource` blobs so a large model is never
    printed element by element; small constants may be `dense`.

    ```mlir
    %w = nn.constant dense_resource<conv1_weight> : tensor<64x3x7x7xf32>
    ```
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = "attr-dict $value";
  let hasFolder = 1;
  let hasVerifier = 1;
}

def NN_ConstantOfShapeOp : NN_ShapedOp<"constant_of_shape", [Pure]> {
  let summary = "a tensor of the shape given by `shape`, filled with `value`";
  let arguments = (ins NN_IndexTensor:$shape, ElementsAttr:$value);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = "$shape `,` $value attr-dict `:` functional-type(operands, results)";
}

def NN_RandomOp : NN_ShapedOp<"random", [
    MemoryEffects<[MemRead<DefaultResource>, MemWrite<DefaultResource>]>]> {
  let summary = "a tensor of the shape given by `shape`, drawn at random";
  let description = [{
    Independent draws from `uniform` [a, b) or `normal` (mean a, standard
    deviation b), of element type `dtype` (a float type). ONNX
    `RandomUniform` / `RandomNormal` and, with a comparison, `Bernoulli`
    and `Dropout` in training mode.

    Each execution draws anew: the op keeps a call counter (a global,
    incremented atomically), and the elements are a counter-based hash
    (splitmix64) of (key, call, element index). With `seed` the key is the
    seed's, so a process's first call, second call, ... give the same
    values in every process; without it the key is the counter's address,
    which differs from process to process under address-space layout
    randomization (the default on Linux). Not `Pure`: two ops with the same
    attributes are never merged and none is folded.

    ```mlir
    %r = nn.random %shape {distribution = #nn.random_distribution<normal>,
        a = 0.0 : f64, b = 1.0 : f64, dtype = f32, seed = 7.0 : f64}
        : (tensor<2xi64>) -> tensor<3x4xf32>
    ```
  }];
  let arguments = (ins NN_IndexTensor:$shape,
                       NN_RandomDistributionAttr:$distribution,
                       F64Attr:$a, F64Attr:$b, TypeAttr:$dtype,
                       OptionalAttr<F64Attr>:$seed);
  let results = (outs NN_FloatTensor:$output);
  let assemblyFormat = "$shape attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def NN_RangeOp : NN_ShapedOp<"range", [Pure,
    AllElementTypesMatch<["start", "limit", "delta", "output"]>]> {
  let summary = "1-D tensor start, start + delta, ... up to (excluding) limit";
  let arguments = (ins NN_NumericTensor:$start, NN_NumericTensor:$limit,
                       NN_NumericTensor:$delta);
  let results = (outs NN_NumericTensor:$output);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Control flow
//===----------------------------------------------------------------------===//

def NN_YieldOp : NN_Op<"yield", [Pure, Terminator, ReturnLike,
    ParentOneOf<["IfOp", "LoopOp"]>]> {
  let summary = "returns values from an nn.if branch or an nn.loop body";
  let arguments = (ins Variadic<NN_Value>:$values);
  let assemblyFormat = "($values^ `:` type($values))? attr-dict";
}

def NN_IfOp : NN_Op<"if", [RecursiveMemoryEffects, NoRegionArguments]> {
  let summary = "runs one of two regions on a boolean scalar condition";
  let description = [{
    ONNX `If` / data-dependent Python `if`. Each region ends in `nn.yield`
    with one value per result; a branch may yield a more precise type than
    the result (the result is what both branches have in common). The
    dynamic-network rewriting turns each branch into its own sub-network.

    ```mlir
    %r = nn.if %c : tensor<i1> -> tensor<?xf32> {
      nn.yield %a : tensor<4xf32>
    } else {
      nn.yield %b : tensor<?xf32>
    }
    ```
  }];
  let arguments = (ins NN_BoolTensor:$condition);
  let results = (outs Variadic<NN_Value>:$results);
  let regions = (region SizedRegion<1>:$then_region, SizedRegion<1>:$else_region);
  let assemblyFormat = [{
    $condition `:` type($condition) (`->` type($results)^)? attr-dict-with-keyword
    $then_region `else` $else_region
  }];
  let hasVerifier = 1;
}

def NN_LoopOp : NN_Op<"loop", [RecursiveMemoryEffects, AttrSizedOperandSegments]> {
  let summary = "a counted and/or conditional loop with carried values";
  let description = [{
    ONNX `Loop`. The body block takes `(iteration: tensor<i64>, condition:
    tensor<i1>, carried...)` and yields `(condition, carried..., scan...)`.
    The results are the final carried values followed by the scan outputs,
    each the per-iteration values stacked along a new leading dimension.
    Without `trip_count` the loop runs while the condition holds; without
    `condition` it runs `trip_count` times.
  }];
  let arguments = (ins Optional<NN_I64Tensor>:$trip_count,
                       Optional<NN_BoolTensor>:$condition,
                       Variadic<NN_Value>:$inits);
  let results = (outs Variadic<NN_Value>:$results);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    (`trip_count` $trip_count^ `:` type($trip_count))?
    (`condition` $condition^ `:` type($condition))?
    (`iter_args` `(` $inits^ `:` type($inits) `)`)?
    (`->` type($results)^)? attr-dict-with-keyword $body
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// Number of results that are stacked per-iteration scan outputs.
    unsigned getNumScanOutputs() { return getNumResults() - getInits().size(); }
  }];
}

//===----------------------------------------------------------------------===//
// Sequences and optionals
//===----------------------------------------------------------------------===//
// Positions are 0-d (or one-element) integer tensors; negative ones count
// from the back, as in ONNX. A position out of range fails the run.

def NN_CheckOp : NN_Op<"check", [MemoryEffects<[MemWrite]>]> {
  let summary = "fails the run with a message unless a boolean holds";
  let description = [{
    A run-time check that a converter or graph pass states on values only
    the inputs reveal (ONNX calls them errors): when `condition` (a 0-d
    boolean) is false the run fails with `message`, prefixed with the
    node the op comes from. Lowers to `cf.assert` (see
    ddl-checks-to-status). The code after a failed check still runs, so
    what it guards must stay in bounds without it.

    ```mlir
    nn.check %ok, "the sequence's elements differ" : tensor<i1>
    ```
  }];
  let arguments = (ins NN_BoolTensor:$condition, StrAttr:$message);
  let assemblyFormat = "$condition `,` $message attr-dict `:` type($condition)";
}

def NN_SeqEmptyOp : NN_Op<"seq_empty", [Pure]> {
  let summary = "a sequence with no elements";
  let results = (outs NN_SequenceType:$result);
  let assemblyFormat = "attr-dict `:` type($result)";
}

def NN_SeqConstructOp : NN_Op<"seq_construct", [Pure]> {
  let summary = "a sequence of the given tensors, in order";
  let arguments = (ins Variadic<NN_Tensor>:$elements);
  let results = (outs NN_SequenceType:$result);
  let assemblyFormat =
      "$elements attr-dict `:` type($elements) `->` type($result)";
  let hasVerifier = 1;
}

def NN_SeqInsertOp : NN_Op<"seq_insert", [Pure]> {
  let summary = "a sequence with one more element";
  let description = [{
    `sequence` with `element` inserted before `position` (in [-n, n]),
    or appended when there is no position.
  }];
  let arguments = (ins NN_SequenceType:$sequence, NN_Tensor:$element,
                       Optional<NN_IndexTensor>:$position);
  let results = (outs NN_SequenceType:$result);
  let assemblyFormat = [{
    $sequence `,` $element (`at` $position^ `:` type($position))? attr-dict
    `:` type($sequence) `,` type($element) `->` type($result)
  }];
  let hasVerifier = 1;
}

def NN_SeqEraseOp : NN_Op<"seq_erase", [Pure]> {
  let summary = "a sequence without one element";
  let description = [{
    `sequence` without the element at `position` (in [-n, n)), or without
    its last one when there is no position.
  }];
  let arguments = (ins NN_SequenceType:$sequence,
                       Optional<NN_IndexTensor>:$position);
  let results = (outs NN_SequenceType:$result);
  let assemblyFormat = [{
    $sequence (`at` $position^ `:` type($position))? attr-dict
    `:` type($sequence) `->` type($result)
  }];
  let hasVerifier = 1;
}

def NN_SeqAtOp : NN_Op<"seq_at", [Pure]> {
  let summary = "the element at a position (in [-n, n))";
  let arguments = (ins NN_SequenceType:$sequence, NN_IndexTensor:$position);
  let results = (outs NN_Tensor:$result);
  let assemblyFormat = [{
    $sequence `[` $position `]` attr-dict `:` type($sequence) `,`
    type($position) `->` type($result)
  }];
  let hasVerifier = 1;
}

def NN_SeqLengthOp : NN_Op<"seq_length", [Pure]> {
  let summary = "the number of elements, as a 0-d i64 tensor";
  let arguments = (ins NN_SequenceType:$sequence);
  let results = (outs NN_I64Tensor:$result);
  let assemblyFormat = "$sequence attr-dict `:` type($sequence) `->` type($result)";
  let hasVerifier = 1;
}

def NN_OptionalSomeOp : NN_Op<"optional_some", [Pure]> {
  let summary = "an optional holding a value";
  let arguments = (ins AnyTypeOf<[NN_Tensor, NN_SequenceType]>:$value);
  let results = (outs NN_OptionalType:$result);
  let assemblyFormat = "$value attr-dict `:` type($value) `->` type($result)";
  let hasVerifier = 1;
}

def NN_OptionalNoneOp : NN_Op<"optional_none", [Pure]> {
  let summary = "an empty optional";
  let results = (outs NN_OptionalType:$result);
  let assemblyFormat = "attr-dict `:` type($result)";
}

def NN_OptionalHasOp : NN_Op<"optional_has", [Pure]> {
  let summary = "whether an optional holds a value (a 0-d i1 tensor)";
  let arguments = (ins NN_OptionalType:$optional);
  let results = (outs NN_BoolTensor:$result);
  let assemblyFormat = "$optional attr-dict `:` type($optional) `->` type($result)";
  let hasVerifier = 1;
}

def NN_OptionalGetOp : NN_Op<"optional_get", [Pure]> {
  let summary = "the value an optional holds";
  let description = [{
    The value of `optional`; an empty optional fails the run.
  }];
  let arguments = (ins NN_OptionalType:$optional);
  let results = (outs AnyTypeOf<[NN_Tensor, NN_SequenceType]>:$result);
  let assemblyFormat = "$optional attr-dict `:` type($optional) `->` type($result)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Strings
//===----------------------------------------------------------------------===//

def NN_StringNormalizeOp : NN_Op<"string_normalize", [Pure]> {
  let summary = "ONNX StringNormalizer: drops stop words, changes case";
  let description = [{
    `input` is `[C]` or `[1, C]`. Strings equal to one of `stopwords`
    (ignoring ASCII case unless `case_sensitive`) are removed; the others
    are upper- or lower-cased (`case_change`: 0 none, 1 lower, 2 upper;
    ASCII letters only). When every string is removed the result holds one
    empty string.
  }];
  let arguments = (ins NN_StringTensor:$input, StrArrayAttr:$stopwords,
                       DefaultValuedAttr<I64Attr, "0">:$case_change,
                       DefaultValuedAttr<BoolAttr, "false">:$case_sensitive);
  let results = (outs NN_StringTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

#endif // DDL_DIALECTS_NN_NNOPS_TD
