//===- Signal.cpp - ONNX signal-processing ops to nn ----------------------===//
//
// The window functions (HannWindow, HammingWindow, BlackmanWindow, opset
// 17), decomposed as the ONNX spec defines them: a cosine series over
// n = range(0, size), angle = 2 pi n / N with N = size (periodic) or
// size - 1 (symmetric).
//
//===----------------------------------------------------------------------===//

#include "frontends/onnx/GraphImporter.h"

#include "llvm/Support/FormatVariadic.h"

#include "llvm/Support/MathExtras.h"

using namespace mlir;

namespace ddl::onnx_import {

/// A generalized cosine window: sum over i of coefficients[i] *
/// cos(i * angle), angle = 2 pi n / N, as a 1-D tensor of `size` elements
/// of type `output_datatype` (default float).
static LogicalResult convertCosineWindow(NodeContext &n,
                                         ArrayRef<double> coefficients) {
  Value size = n.input(0);
  RankedTensorType sizeType = n.inputType(0);
  int64_t outputCode = n.attrInt("output_datatype", 1);
  bool periodic = n.attrInt("periodic", 1) != 0;
  if (n.failed() || !sizeType)
    return failure();
  if (!sizeType.getElementType().isInteger() || sizeType.getNumElements() != 1)
    return n.error(llvm::formatv(
        "size must be a one-element integer tensor, got {0}", sizeType));
  Type output = convertElementType(n.context(), outputCode);
  if (!output)
    return n.unsupported(llvm::formatv(
        "output_datatype {0} is an ONNX element type ddl does not support",
        outputCode));
  // Computed in the output type when it is a float, else in f64 and cast.
  Type compute = isa<FloatType>(output) ? output : n.builder().getF64Type();
  Type i64 = n.builder().getI64Type();
  Value count = n.create<nn::ReshapeOp>({n.castTo(size, i64), n.constI64({})});
  Value index = n.create<nn::RangeOp>({n.constI64({0}, /*scalar=*/true), count,
                                       n.constI64({1}, /*scalar=*/true)});
  Value period =
      periodic ? count
               : n.create<nn::SubOp>({count, n.constI64({1}, /*scalar=*/true)});
  // angle = n * (2 pi / N)
  Value step =
      n.create<nn::DivOp>({n.constScalar(compute, 2 * llvm::numbers::pi),
                           n.castTo(period, compute)});
  Value angle = n.create<nn::MulOp>({n.castTo(index, compute), step});
  Value window;
  for (auto [i, coefficient] : llvm::enumerate(coefficients)) {
    Value term = n.constScalar(compute, coefficient);
    if (i != 0) {
      Value harmonic =
          i == 1
              ? angle
              : n.create<nn::MulOp>({angle, n.constScalar(compute, double(i))});
      term = n.create<nn::MulOp>({term, n.create<nn::CosOp>({harmonic})});
    }
    window = window ? n.create<nn::AddOp>({window, term}) : term;
  }
  return n.setOutput(n.castTo(window, output));
}

void registerSignalConverters(ConverterRegistry &r) {
  // Hann: sin^2(pi n / N) = 0.5 - 0.5 cos(2 pi n / N).
  r.add("HannWindow",
        [](NodeContext &n) { return convertCosineWindow(n, {0.5, -0.5}); });
  // Hamming: alpha - beta cos(2 pi n / N), alpha = 25 / 46, beta = 1 - alpha.
  r.add("HammingWindow", [](NodeContext &n) {
    return convertCosineWindow(n, {25.0 / 46.0, -(1.0 - 25.0 / 46.0)});
  });
  // Blackman: 0.42 - 0.5 cos(2 pi n / N) + 0.08 cos(4 pi n / N).
  r.add("BlackmanWindow", [](NodeContext &n) {
    return convertCosineWindow(n, {0.42, -0.5, 0.08});
  });
}

} // namespace ddl::onnx_import
