//===- CalibrationPoints.cpp - activations static int8 calibrates ---------===//
//
// The calibration points, and nn-expose-calibration-points (see Passes.td).
//
//===----------------------------------------------------------------------===//

#include "passes/quant/CalibrationPoints.h"

#include "dialects/nn/NNDialect.h"
#include "passes/quant/Passes.h"

using namespace mlir;
using namespace ddl;

namespace ddl::quant {
#define GEN_PASS_DEF_NNEXPOSECALIBRATIONPOINTSPASS
#include "passes/quant/Passes.h.inc"
} // namespace ddl::quant

func::FuncOp quant::modelEntry(ModuleOp module) {
  for (auto fn : module.getOps<func::FuncOp>())
    if (fn.isPublic() && !fn.isExternal() && fn.getNumResults() > 0)
      return fn;
  return {};
}

Value quant::layerActivation(Operation *op) {
  Value activation;
  if (auto conv = dyn_cast<nn::ConvOp>(op))
    activation = conv.getInput();
  else if (auto matmul = dyn_cast<nn::MatMulOp>(op))
    activation = matmul.getLhs();
  else if (auto gemm = dyn_cast<nn::GemmOp>(op); gemm && !gemm.getTransA())
    activation = gemm.getA();
  auto type = activation ? dyn_cast<RankedTensorType>(activation.getType())
                         : RankedTensorType();
  return type && type.getElementType().isF32() ? activation : Value();
}

unsigned quant::markCalibrationPoints(ModuleOp module) {
  func::FuncOp fn = modelEntry(module);
  if (!fn || !fn.getBody().hasOneBlock())
    return 0;
  unsigned count = 0;
  Builder b(module.getContext());
  for (Operation &op : fn.getBody().front())
    if (layerActivation(&op))
      op.setAttr(kCalibrationPointAttr, b.getI64IntegerAttr(count++));
  return count;
}

std::optional<int64_t> quant::calibrationPoint(Operation *op) {
  if (auto number = op->getAttrOfType<IntegerAttr>(kCalibrationPointAttr))
    return number.getInt();
  return std::nullopt;
}

namespace {

struct NNExposeCalibrationPointsPass final
    : quant::impl::NNExposeCalibrationPointsPassBase<
          NNExposeCalibrationPointsPass> {
  void runOnOperation() override {
    func::FuncOp fn = quant::modelEntry(getOperation());
    if (!fn || !fn.getBody().hasOneBlock())
      return;
    auto ret = cast<func::ReturnOp>(fn.getBody().front().getTerminator());
    OpBuilder b(&getContext());
    // Layers still there (recognized attention, say, took some) that kept
    // their number.
    for (Operation &op : fn.getBody().front()) {
      std::optional<int64_t> point = quant::calibrationPoint(&op);
      Value activation = quant::layerActivation(&op);
      if (!point || !activation)
        continue;
      unsigned index = ret.getNumOperands();
      ret.getOperandsMutable().append(activation);
      std::string name =
          (quant::kCalibrationOutputPrefix + llvm::Twine(*point)).str();
      if (failed(fn.insertResult(index, activation.getType(),
                                 b.getDictionaryAttr(b.getNamedAttr(
                                     "nn.name", b.getStringAttr(name))))))
        return signalPassFailure();
    }
  }
};

} // namespace
