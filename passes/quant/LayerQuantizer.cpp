//===- LayerQuantizer.cpp - finding the linear layers to quantize ---------===//

#include "passes/quant/LayerQuantizer.h"

#include "lib/Support/ConstantData.h"

#include "mlir/IR/Matchers.h"

#include "llvm/Support/raw_ostream.h"
#include <algorithm>

using namespace mlir;
using namespace ddl;

namespace {

/// The values of a 1-D constant integer tensor, or failure.
FailureOr<SmallVector<int64_t>> constantIndices(Value v) {
  DenseIntElementsAttr attr;
  if (!v || !matchPattern(v, m_Constant(&attr)) ||
      attr.getType().getRank() != 1)
    return failure();
  return llvm::to_vector(attr.getValues<int64_t>());
}

/// The values of a static 2-D f32 matrix `w` (row-major), when it is a
/// constant or a constant seen through what frontends put between a
/// parameter and its matmul: nn.transpose (F.linear's W^T) and unit-step
/// nn.slice (nn.MultiheadAttention's q / k / v rows of in_proj_weight).
/// Weights too large to fold stay dense resources, which canonicalization
/// does not look through.
FailureOr<std::vector<float>> constantMatrix(Value w) {
  auto type = dyn_cast<RankedTensorType>(w.getType());
  if (!type || type.getRank() != 2 || !type.hasStaticShape() ||
      !type.getElementType().isF32())
    return failure();
  int64_t rows = type.getDimSize(0), cols = type.getDimSize(1);
  ElementsAttr weights;
  if (matchPattern(w, m_Constant(&weights))) {
    std::vector<float> values;
    if (failed(readF32Elements(weights, rows * cols, values)))
      return failure();
    return values;
  }
  if (auto transpose = w.getDefiningOp<nn::TransposeOp>()) {
    std::optional<ArrayRef<int64_t>> perm = transpose.getPerm();
    if (perm && (perm->size() != 2 || (*perm)[0] != 1))
      return failure();
    FailureOr<std::vector<float>> input = constantMatrix(transpose.getInput());
    if (failed(input))
      return failure();
    std::vector<float> values(rows * cols);
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < cols; ++c)
        values[r * cols + c] = (*input)[c * rows + r];
    return values;
  }
  if (auto slice = w.getDefiningOp<nn::SliceOp>()) {
    auto inputType = dyn_cast<RankedTensorType>(slice.getInput().getType());
    FailureOr<SmallVector<int64_t>> starts = constantIndices(slice.getStarts());
    FailureOr<SmallVector<int64_t>> ends = constantIndices(slice.getEnds());
    SmallVector<int64_t> axes = {0, 1};
    if (slice.getAxes()) {
      FailureOr<SmallVector<int64_t>> given = constantIndices(slice.getAxes());
      if (failed(given))
        return failure();
      axes = *given;
    }
    if (!inputType || inputType.getRank() != 2 || !inputType.hasStaticShape() ||
        failed(starts) || failed(ends) || starts->size() != axes.size() ||
        ends->size() != axes.size())
      return failure();
    if (slice.getSteps()) {
      FailureOr<SmallVector<int64_t>> steps = constantIndices(slice.getSteps());
      if (failed(steps) ||
          llvm::any_of(*steps, [](int64_t step) { return step != 1; }))
        return failure();
    }
    // Each sliced axis' first index (ONNX's clamping of negative and
    // out-of-range starts); the result type gives the extents.
    int64_t first[2] = {0, 0};
    for (auto [i, axis] : llvm::enumerate(axes)) {
      if (axis < 0)
        axis += 2;
      if (axis < 0 || axis > 1)
        return failure();
      int64_t size = inputType.getDimSize(axis);
      int64_t start = (*starts)[i] < 0 ? (*starts)[i] + size : (*starts)[i];
      first[axis] = std::clamp<int64_t>(start, 0, size);
    }
    int64_t inputCols = inputType.getDimSize(1);
    if (first[0] + rows > inputType.getDimSize(0) ||
        first[1] + cols > inputCols)
      return failure();
    FailureOr<std::vector<float>> input = constantMatrix(slice.getInput());
    if (failed(input))
      return failure();
    std::vector<float> values(rows * cols);
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < cols; ++c)
        values[r * cols + c] =
            (*input)[(first[0] + r) * inputCols + first[1] + c];
    return values;
  }
  return failure();
}

/// The constant f32 weights of a layer as [K][N] (transposed from [N][K]
/// when `transposed`), or failure (not a constant or not f32).
FailureOr<quant::LayerWeights> layerWeights(Value x, Value w, bool transposed) {
  auto xType = dyn_cast<RankedTensorType>(x.getType());
  auto wType = dyn_cast<RankedTensorType>(w.getType());
  if (!xType || !wType || xType.getRank() < 2 || wType.getRank() != 2 ||
      !xType.getElementType().isF32())
    return failure();
  FailureOr<std::vector<float>> matrix = constantMatrix(w);
  if (failed(matrix))
    return failure();
  int64_t rows = wType.getDimSize(0), cols = wType.getDimSize(1);
  quant::LayerWeights layer;
  layer.k = transposed ? cols : rows;
  layer.n = transposed ? rows : cols;
  std::vector<float> stored = std::move(*matrix);
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

bool quant::keptInFloat(Operation *op, ArrayRef<std::string> keep) {
  std::string location;
  llvm::raw_string_ostream os(location);
  op->getLoc().print(os);
  return llvm::any_of(keep, [&](const std::string &name) {
    return location.find(name) != std::string::npos;
  });
}

Value quant::scalarConstant(OpBuilder &b, Location loc, float v) {
  return nn::ConstantOp::create(
      b, loc,
      DenseElementsAttr::get(RankedTensorType::get({}, b.getF32Type()),
                             b.getF32FloatAttr(v)));
}

std::pair<Value, Value> quant::quantizeRowsSymmetric(OpBuilder &b, Location loc,
                                                     Value x) {
  auto xType = cast<RankedTensorType>(x.getType());
  int64_t lastAxis = xType.getRank() - 1;
  Value magnitude = nn::AbsOp::create(b, loc, x);
  Value rowMax = nn::ReduceOp::create(
      b, loc, magnitude,
      nn::ReduceKindAttr::get(b.getContext(), nn::ReduceKind::Max),
      b.getDenseI64ArrayAttr({lastAxis}), b.getBoolAttr(true),
      b.getBoolAttr(false));
  // A row of zeros gets a tiny scale (its quantized values are 0).
  Value rowScale = nn::MaxOp::create(
      b, loc,
      nn::DivOp::create(b, loc, rowMax, scalarConstant(b, loc, kInt8Levels)),
      scalarConstant(b, loc, 1e-30f));
  return {quantizeSymmetric(b, loc, x, rowScale), rowScale};
}

Value quant::quantizeSymmetric(OpBuilder &b, Location loc, Value x,
                               Value scale) {
  auto xType = cast<RankedTensorType>(x.getType());
  Value rounded =
      nn::RoundOp::create(b, loc, nn::DivOp::create(b, loc, x, scale));
  Value clipped =
      nn::ClipOp::create(b, loc, rounded, scalarConstant(b, loc, -kInt8Levels),
                         scalarConstant(b, loc, kInt8Levels));
  return nn::CastOp::create(b, loc,
                            RankedTensorType::get(xType.getShape(),
                                                  b.getIntegerType(8),
                                                  xType.getEncoding()),
                            clipped);
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
        keptInFloat(op, keep) || !accepts(weights->k, weights->n))
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

void quant::quantizeEmbeddings(Operation *root, int64_t minD, int64_t minV,
                               ArrayRef<std::string> keep, int64_t bits,
                               int64_t groupSize) {
  SmallVector<nn::GatherOp> gathers;
  root->walk([&](nn::GatherOp op) { gathers.push_back(op); });
  for (nn::GatherOp op : gathers) {
    auto tableType = dyn_cast<RankedTensorType>(op.getData().getType());
    auto resultType = dyn_cast<RankedTensorType>(op.getType());
    ElementsAttr attr;
    if (op.getAxis() != 0 || !tableType || !resultType ||
        tableType.getRank() != 2 || !tableType.hasStaticShape() ||
        !tableType.getElementType().isF32() ||
        !matchPattern(op.getData(), m_Constant(&attr)) || keptInFloat(op, keep))
      continue;
    int64_t v = tableType.getDimSize(0), d = tableType.getDimSize(1);
    int64_t group = groupSize ? groupSize : d;
    if (d < minD || v < minV || d % group || (bits == 4 && d % 32))
      continue;
    std::vector<float> table;
    if (failed(readF32Elements(attr, v * d, table)))
      continue;
    float levels = bits == 8 ? kInt8Levels : kInt4Levels;
    int64_t groups = d / group, rowBytes = bits == 8 ? d : d / 2;
    std::vector<float> scales(v * groups);
    std::vector<int8_t> packed(v * rowBytes, 0);
    for (int64_t row = 0; row < v; ++row)
      for (int64_t g = 0; g < groups; ++g) {
        const float *values = table.data() + row * d + g * group;
        float largest = 0;
        for (int64_t i = 0; i < group; ++i)
          largest = std::max(largest, std::fabs(values[i]));
        float scale = largest > 0 ? largest / levels : 1.0f;
        scales[row * groups + g] = scale;
        for (int64_t i = 0; i < group; ++i) {
          int q = roundToLevel(values[i] / scale, levels);
          int64_t col = g * group + i;
          if (bits == 8)
            packed[row * rowBytes + col] = int8_t(q);
          else
            setInt4(packed.data() + row * rowBytes, col, q);
        }
      }
    OpBuilder b(op);
    Location loc = op.getLoc();
    Type i8 = b.getIntegerType(8);
    // (The resource manager makes the name unique.)
    Value weights = nn::ConstantOp::create(
        b, loc,
        i8Resource(RankedTensorType::get({v, rowBytes}, i8),
                   "ddl_embedding_table", packed));
    Value scaleValue = nn::ConstantOp::create(
        b, loc,
        f32Resource(RankedTensorType::get({v, groups}, b.getF32Type()),
                    "ddl_embedding_scales", scales));
    Value rows = lowbit::EmbeddingOp::create(
        b, loc, resultType, op.getIndices(), weights, scaleValue,
        b.getI64IntegerAttr(bits), b.getI64IntegerAttr(group));
    op.getResult().replaceAllUsesWith(rows);
    op.erase();
  }
}
