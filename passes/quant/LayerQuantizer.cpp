//===- LayerQuantizer.cpp - finding the linear layers to quantize ---------===//

#include "passes/quant/LayerQuantizer.h"

#include "lib/Support/ConstantData.h"

#include "mlir/IR/Matchers.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace ddl;

namespace {

bool kept(Operation *op, ArrayRef<std::string> keep) {
  std::string location;
  llvm::raw_string_ostream os(location);
  op->getLoc().print(os);
  return llvm::any_of(keep, [&](const std::string &name) {
    return location.find(name) != std::string::npos;
  });
}

/// The constant f32 weights of a layer as [K][N] (transposed from [N][K]
/// when `transposed`), or failure (not a constant or not f32).
FailureOr<quant::LayerWeights> layerWeights(Value x, Value w, bool transposed) {
  auto xType = dyn_cast<RankedTensorType>(x.getType());
  auto wType = dyn_cast<RankedTensorType>(w.getType());
  ElementsAttr weights;
  if (!xType || !wType || xType.getRank() < 2 || wType.getRank() != 2 ||
      !xType.getElementType().isF32() || !wType.hasStaticShape() ||
      !matchPattern(w, m_Constant(&weights)))
    return failure();
  int64_t rows = wType.getDimSize(0), cols = wType.getDimSize(1);
  quant::LayerWeights layer;
  layer.k = transposed ? cols : rows;
  layer.n = transposed ? rows : cols;
  std::vector<float> stored;
  if (failed(readF32Elements(weights, rows * cols, stored)))
    return failure();
  if (!transposed) {
    layer.values = std::move(stored);
    return layer;
  }
  layer.values.resize(layer.k * layer.n);
  for (int64_t r = 0; r < layer.n; ++r)
    for (int64_t c = 0; c < layer.k; ++c)
      layer.values[c * layer.n + r] = stored[r * layer.k + c];
  return layer;
}

} // namespace

Value quant::scalarConstant(OpBuilder &b, Location loc, float v) {
  return nn::ConstantOp::create(
      b, loc,
      DenseElementsAttr::get(RankedTensorType::get({}, b.getF32Type()),
                             b.getF32FloatAttr(v)));
}

void quant::quantizeLayers(Operation *root, int64_t minK, int64_t minN,
                           ArrayRef<std::string> keep,
                           function_ref<bool(int64_t, int64_t)> accepts,
                           QuantizedProduct product) {
  SmallVector<Operation *> layers;
  root->walk([&](Operation *op) {
    if (isa<nn::MatMulOp, nn::GemmOp>(op))
      layers.push_back(op);
  });
  for (Operation *op : layers) {
    auto gemm = dyn_cast<nn::GemmOp>(op);
    if (gemm && gemm.getTransA())
      continue;
    Value x = gemm ? gemm.getA() : cast<nn::MatMulOp>(op).getLhs();
    Value w = gemm ? gemm.getB() : cast<nn::MatMulOp>(op).getRhs();
    FailureOr<LayerWeights> weights =
        layerWeights(x, w, gemm && gemm.getTransB());
    if (failed(weights) || weights->k < minK || weights->n < minN ||
        kept(op, keep) || !accepts(weights->k, weights->n))
      continue;
    OpBuilder b(op);
    Location loc = op->getLoc();
    auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
    // alpha * a @ op(b) + beta * c for a Gemm.
    float factor = gemm ? gemm.getAlpha().convertToFloat() : 1.0f;
    Value y = product(b, loc, x, *weights, factor, resultType);
    if (Value c = gemm ? gemm.getC() : Value()) {
      float beta = gemm.getBeta().convertToFloat();
      if (beta != 1.0f)
        c = nn::MulOp::create(b, loc, c, scalarConstant(b, loc, beta));
      y = nn::AddOp::create(b, loc, y, c);
    }
    op->getResult(0).replaceAllUsesWith(y);
    op->erase();
  }
}
