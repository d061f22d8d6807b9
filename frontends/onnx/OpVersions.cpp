//===- OpVersions.cpp - default-domain op versions past ONNX 1.12 ---------===//

#include "frontends/onnx/OpVersions.h"

#include "llvm/ADT/STLExtras.h"

namespace ddl::onnx_import {

/// Every default-domain op version of opsets 18 to 21 (ONNX 1.16's
/// OpSet_Onnx_ver18 .. ver21), oldest first.
static constexpr NewerOpVersion kNewerOpVersions[] = {
    // Opset 18 (ONNX 1.13).
    {"BitwiseAnd", 18, "new op", false},
    {"BitwiseNot", 18, "new op", false},
    {"BitwiseOr", 18, "new op", false},
    {"BitwiseXor", 18, "new op", false},
    {"CenterCropPad", 18, "new op", false},
    {"Col2Im", 18, "new op", false},
    {"GroupNormalization", 18, "new op", false},
    {"LpPool", 18, "ceil_mode and dilations", false},
    {"Mish", 18, "new op", false},
    {"OptionalGetElement", 18, "tensor inputs", false},
    {"OptionalHasElement", 18, "tensor inputs", false},
    {"Pad", 18, "the axes input", false},
    {"ReduceL1", 18, "axes as an input", false},
    {"ReduceL2", 18, "axes as an input", false},
    {"ReduceLogSum", 18, "axes as an input", false},
    {"ReduceLogSumExp", 18, "axes as an input", false},
    {"ReduceMax", 18, "axes as an input", false},
    {"ReduceMean", 18, "axes as an input", false},
    {"ReduceMin", 18, "axes as an input", false},
    {"ReduceProd", 18, "axes as an input", false},
    {"ReduceSumSquare", 18, "axes as an input", false},
    {"Resize", 18, "antialias, axes and keep_aspect_ratio_policy", false},
    {"ScatterElements", 18, "reductions max and min", true},
    {"ScatterND", 18, "reductions max and min", true},
    {"Split", 18, "the num_outputs attribute", false, "num_outputs"},
    // Opset 19 (ONNX 1.14).
    {"AveragePool", 19, "dilations", false, "dilations"},
    {"Cast", 19, "float8 types and the saturate attribute", false, "saturate"},
    {"CastLike", 19, "float8 types and the saturate attribute", false,
     "saturate"},
    {"Constant", 19, "float8 types", true},
    {"DeformConv", 19, "new op", false},
    {"DequantizeLinear", 19, "float8 types", true},
    {"Equal", 19, "string inputs", true},
    {"Identity", 19, "float8 types", true},
    {"If", 19, "float8 types", true},
    {"Loop", 19, "float8 types", true},
    {"Pad", 19, "mode 'wrap'", true},
    {"QuantizeLinear", 19, "float8 types and the saturate attribute", false,
     "saturate"},
    {"Reshape", 19, "float8 types", true},
    {"Resize", 19, "coordinate_transformation_mode 'half_pixel_symmetric'",
     true},
    {"Scan", 19, "float8 types", true},
    {"Shape", 19, "float8 types", true},
    {"Size", 19, "float8 types", true},
    // Opset 20 (ONNX 1.15).
    {"AffineGrid", 20, "new op", false},
    {"ConstantOfShape", 20, "float8 and bfloat16 types", true},
    {"DFT", 20, "axis as an input", false},
    {"Gelu", 20, "new op", false},
    {"GridSample", 20, "N-d inputs and modes renamed linear / cubic", false},
    {"ImageDecoder", 20, "new op", false},
    {"IsInf", 20, "float8 and bfloat16 types", true},
    {"IsNaN", 20, "float8 and bfloat16 types", true},
    {"ReduceMax", 20, "bool inputs", true},
    {"ReduceMin", 20, "bool inputs", true},
    {"RegexFullMatch", 20, "new op", false},
    {"StringConcat", 20, "new op", false},
    {"StringSplit", 20, "new op", false},
    // Opset 21 (ONNX 1.16).
    {"Cast", 21, "int4 types", true},
    {"CastLike", 21, "int4 types", true},
    {"Constant", 21, "int4 types", true},
    {"ConstantOfShape", 21, "int4 types", true},
    {"DequantizeLinear", 21, "blocked quantization (block_size), int4 types",
     false, "block_size"},
    {"Flatten", 21, "int4 types", true},
    {"GroupNormalization", 21, "per-channel scale and bias, stash_type", false},
    {"Identity", 21, "int4 types", true},
    {"If", 21, "int4 types", true},
    {"Loop", 21, "int4 types", true},
    {"Pad", 21, "int4 types", true},
    {"QLinearMatMul", 21, "float8 types", true},
    {"QuantizeLinear", 21,
     "blocked quantization (block_size), output_dtype, int4 types", false},
    {"Reshape", 21, "int4 types", true},
    {"Scan", 21, "int4 types", true},
    {"Shape", 21, "int4 types", true},
    {"Size", 21, "int4 types", true},
    {"Squeeze", 21, "int4 types", true},
    {"Transpose", 21, "int4 types", true},
    {"Unsqueeze", 21, "int4 types", true},
};

const NewerOpVersion *newerOpVersion(llvm::StringRef opType, int64_t opset) {
  const NewerOpVersion *newest = nullptr;
  for (const NewerOpVersion &v : kNewerOpVersions)
    if (v.opType == opType && v.version <= opset &&
        (!newest || v.version > newest->version))
      newest = &v;
  return newest;
}

bool libOnnxSchemaApplies(
    llvm::StringRef opType, int64_t opset,
    llvm::function_ref<bool(llvm::StringRef)> hasAttribute) {
  return llvm::all_of(kNewerOpVersions, [&](const NewerOpVersion &v) {
    return v.opType != opType || v.version > opset || v.sameSchema ||
           (!v.newAttribute.empty() && !hasAttribute(v.newAttribute));
  });
}

} // namespace ddl::onnx_import
