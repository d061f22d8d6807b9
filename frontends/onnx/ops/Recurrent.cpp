//===- Recurrent.cpp - ONNX RNN, GRU and LSTM as nn.loop ------------------===//
//
// Each direction is an nn.loop over the sequence carrying the hidden state
// (and the LSTM cell state), with the per-step hidden state as its scan
// output. The input projection X W^T (+ the biases that add outside the
// gates' nonlinearity) is one batched MatMul before the loop; the body
// adds H R^T, applies the gates, and yields. Outputs follow ONNX: Y
// [seq, directions, batch, hidden] (layout 0) or [batch, seq, directions,
// hidden] (layout 1), Y_h and Y_c [directions, batch, hidden] (or batch
// first).
//
//===----------------------------------------------------------------------===//

#include "frontends/onnx/GraphImporter.h"
#include "lib/Support/ConstantData.h"

#include "llvm/Support/FormatVariadic.h"

#include <limits>

using namespace mlir;

namespace ddl::onnx_import {

namespace {

enum class Cell { RNN, GRU, LSTM };

/// One of the activations ONNX's recurrent ops name, with its alpha and
/// beta (the op's defaults when the node gives none).
struct Activation {
  std::string name;
  float alpha = 0, beta = 0;
};

/// Whether `name` takes alpha / beta from activation_alpha / _beta, and
/// their defaults (those of the ONNX operators of the same name).
struct ActivationParams {
  bool alpha, beta;
  float defaultAlpha, defaultBeta;
};

std::optional<ActivationParams> activationParams(StringRef name) {
  if (name == "Relu" || name == "Tanh" || name == "Sigmoid" ||
      name == "Softsign" || name == "Softplus")
    return ActivationParams{false, false, 0, 0};
  if (name == "LeakyRelu")
    return ActivationParams{true, false, 0.01f, 0};
  if (name == "ThresholdedRelu" || name == "Elu")
    return ActivationParams{true, false, 1.0f, 0};
  if (name == "HardSigmoid")
    return ActivationParams{true, true, 0.2f, 0.5f};
  if (name == "Affine")
    return ActivationParams{true, true, 1.0f, 0.0f};
  if (name == "ScaledTanh")
    return ActivationParams{true, true, 1.0f, 1.0f};
  return std::nullopt;
}

class RecurrentImporter {
public:
  RecurrentImporter(NodeContext &n, Cell cell)
      : n(n), b(n.builder()), cell(cell), gates(cell == Cell::RNN   ? 1
                                                : cell == Cell::GRU ? 3
                                                                    : 4) {}

  LogicalResult convert();

private:
  Value scalar(int64_t v) { return n.constI64({v}, /*scalar=*/true); }
  Value floatScalar(double v) { return n.constScalar(elementType, v); }
  /// Rows [first, first + count) of `x` along `axis`.
  Value slice(Value x, int64_t axis, int64_t first, int64_t count) {
    return n.create<nn::SliceOp>({x, n.constI64({first}),
                                  n.constI64({first + count}),
                                  n.constI64({axis})},
                                 {n.segments({1, 1, 1, 1, 0})});
  }
  Value transpose(Value x, ArrayRef<int64_t> perm) {
    return n.create<nn::TransposeOp>({x}, {n.namedI64Array("perm", perm)});
  }
  Value unsqueeze(Value x, int64_t axis) {
    return n.create<nn::UnsqueezeOp>({x}, {n.namedI64Array("axes", {axis})});
  }
  Value add(Value x, Value y) { return n.create<nn::AddOp>({x, y}); }
  Value mul(Value x, Value y) { return n.create<nn::MulOp>({x, y}); }
  Value matmul(Value x, Value y) { return n.create<nn::MatMulOp>({x, y}); }
  /// t[index[b], b, ...] for each batch entry b of t [seq, batch, k]
  /// (index [batch] for one step, or [steps, batch] for several: then
  /// [steps, batch, k]).
  Value rowsPerEntry(Value t, Value index) {
    auto indexType = cast<RankedTensorType>(index.getType());
    bool single = indexType.getRank() == 1;
    if (single)
      index = unsqueeze(index, 0);
    Value full = n.create<nn::ConcatOp>(
        {slice(n.create<nn::ShapeOfOp>({index}), 0, 0, 2),
         slice(n.create<nn::ShapeOfOp>({t}), 0, 2, 1)},
        {n.namedI64("axis", 0)});
    Value indices = n.create<nn::ExpandOp>({unsqueeze(index, 2), full});
    Value rows =
        n.create<nn::GatherElementsOp>({t, indices}, {n.namedI64("axis", 0)});
    return single
               ? n.create<nn::SqueezeOp>({rows}, {n.namedI64Array("axes", {0})})
               : rows;
  }
  /// Rows [first, first + count) (all rows when `count` is -1) of
  /// direction `d` of the weight `v` [dirs, rows, cols], transposed to
  /// [cols, count]: the right operand of a MatMul. A constant f32 weight (an
  /// initializer) is sliced and transposed here into a new constant, so the
  /// MatMul's right operand is a constant, which the CPU pipeline packs at
  /// compile time; computed from the initializer, the slice and transpose would
  /// run at every inference and the GEMM would read its operand unpacked.
  Value transposedRows(Value v, int64_t d, int64_t first, int64_t count);
  /// The clip threshold on the activations' inputs, then activation `i`.
  Value activate(size_t i, Value x);
  LogicalResult readAttributes();
  /// Direction d: (Y [seq, batch, hidden], Y_h, Y_c or null).
  std::optional<std::array<Value, 3>> direction(int64_t d);

  NodeContext &n;
  OpBuilder &b;
  Cell cell;
  int64_t gates;
  int64_t hiddenSize = 0, directions = 1, layout = 0;
  bool reverseOnly = false, linearBeforeReset = false;
  std::optional<float> clip;
  SmallVector<Activation> activations;
  Type elementType;
  /// X as [seq, batch, input]; W, R, B, initial states, peepholes.
  Value x, w, r, bias, initialH, initialC, peepholes;
  Value seqLength, zeroState;
  /// sequence_lens as i64 [batch], or null.
  Value lengths;
};

} // namespace

LogicalResult RecurrentImporter::readAttributes() {
  std::string dir = n.attrString("direction", "forward");
  if (dir == "bidirectional")
    directions = 2;
  else if (dir == "reverse")
    reverseOnly = true;
  else if (dir != "forward")
    return n.error(
        "direction must be forward, reverse or bidirectional, not '" + dir +
        "'");
  layout = n.attrInt("layout", 0);
  if (layout != 0 && layout != 1)
    return n.error(llvm::formatv("layout must be 0 or 1, not {0}", layout));
  linearBeforeReset = n.attrInt("linear_before_reset", 0) != 0;
  if (cell == Cell::LSTM && n.attrInt("input_forget", 0) != 0)
    return n.unsupported("input_forget = 1 (coupled input and forget gates)");
  if (n.hasAttr("clip")) {
    clip = n.attrFloat("clip", 0);
    if (!(*clip > 0))
      return n.error("clip must be positive");
  }

  // Activations: per direction f (RNN), f g (GRU), f g h (LSTM).
  SmallVector<std::string> defaults =
      cell == Cell::RNN   ? SmallVector<std::string>{"Tanh"}
      : cell == Cell::GRU ? SmallVector<std::string>{"Sigmoid", "Tanh"}
                          : SmallVector<std::string>{"Sigmoid", "Tanh", "Tanh"};
  SmallVector<std::string> names;
  if (std::optional<SmallVector<std::string>> given =
          n.attrStrings("activations")) {
    names = *given;
  } else {
    for (int64_t d = 0; d < directions; ++d)
      llvm::append_range(names, defaults);
  }
  if (names.size() != defaults.size() * directions)
    return n.error(llvm::formatv("needs {0} activations ({1} per direction), "
                                 "got {2}",
                                 defaults.size() * directions, defaults.size(),
                                 names.size()));
  SmallVector<float> alphas =
      n.attrFloats("activation_alpha").value_or(SmallVector<float>{});
  SmallVector<float> betas =
      n.attrFloats("activation_beta").value_or(SmallVector<float>{});
  size_t nextAlpha = 0, nextBeta = 0;
  // alpha / beta are consumed in order by the activations that take them.
  for (const std::string &name : names) {
    std::optional<ActivationParams> params = activationParams(name);
    if (!params)
      return n.unsupported("activation '" + name + "'");
    Activation a{name, params->defaultAlpha, params->defaultBeta};
    if (params->alpha && nextAlpha < alphas.size())
      a.alpha = alphas[nextAlpha++];
    if (params->beta && nextBeta < betas.size())
      a.beta = betas[nextBeta++];
    activations.push_back(a);
  }
  return success();
}

Value RecurrentImporter::activate(size_t i, Value v) {
  if (clip)
    v = n.create<nn::ClipOp>({v, floatScalar(-*clip), floatScalar(*clip)},
                             {n.segments({1, 1, 1})});
  const Activation &a = activations[i];
  StringRef name = a.name;
  if (name == "Relu")
    return n.create<nn::ReluOp>({v});
  if (name == "Tanh")
    return n.create<nn::TanhOp>({v});
  if (name == "Sigmoid")
    return n.create<nn::SigmoidOp>({v});
  if (name == "Softsign")
    return n.create<nn::SoftsignOp>({v});
  if (name == "Softplus")
    return n.create<nn::SoftplusOp>({v});
  if (name == "LeakyRelu")
    return n.create<nn::LeakyReluOp>({v}, {n.namedF32("alpha", a.alpha)});
  if (name == "ThresholdedRelu")
    return n.create<nn::ThresholdedReluOp>({v}, {n.namedF32("alpha", a.alpha)});
  if (name == "Elu")
    return n.create<nn::EluOp>({v}, {n.namedF32("alpha", a.alpha)});
  if (name == "HardSigmoid")
    return n.create<nn::HardSigmoidOp>(
        {v}, {n.namedF32("alpha", a.alpha), n.namedF32("beta", a.beta)});
  if (name == "Affine")
    return add(mul(v, floatScalar(a.alpha)), floatScalar(a.beta));
  // ScaledTanh: alpha tanh(beta x).
  return mul(n.create<nn::TanhOp>({mul(v, floatScalar(a.beta))}),
             floatScalar(a.alpha));
}

Value RecurrentImporter::transposedRows(Value v, int64_t d, int64_t first,
                                        int64_t count) {
  auto type = cast<RankedTensorType>(v.getType());
  auto constant = v.getDefiningOp<nn::ConstantOp>();
  std::vector<float> values;
  if (constant && type.getRank() == 3 && type.hasStaticShape() &&
      !type.getEncoding() && type.getElementType().isF32() &&
      d < type.getDimSize(0) && first + count <= type.getDimSize(1) &&
      succeeded(readF32Elements(constant.getValue(), type.getNumElements(),
                                values))) {
    int64_t rows = type.getDimSize(1), cols = type.getDimSize(2);
    if (count < 0)
      count = rows;
    const float *slab = values.data() + (d * rows + first) * cols;
    SmallVector<float> transposed(cols * count);
    for (int64_t i = 0; i < count; ++i)
      for (int64_t j = 0; j < cols; ++j)
        transposed[j * count + i] = slab[i * cols + j];
    auto resultType =
        RankedTensorType::get({cols, count}, type.getElementType());
    return nn::ConstantOp::create(
        b, n.loc(), f32Resource(resultType, "recurrent_weight_t", transposed));
  }
  Value rowsOf =
      n.create<nn::GatherOp>({v, scalar(d)}, {n.namedI64("axis", 0)});
  if (count >= 0)
    rowsOf = slice(rowsOf, 0, first, count);
  return transpose(rowsOf, {1, 0});
}

std::optional<std::array<Value, 3>> RecurrentImporter::direction(int64_t d) {
  bool reverse = reverseOnly || d == 1;
  size_t firstActivation = d * (activations.size() / directions);
  int64_t h = hiddenSize;
  Value index = scalar(d);
  auto gather = [&](Value v) {
    return n.create<nn::GatherOp>({v, index}, {n.namedI64("axis", 0)});
  };
  // The input projection for every step: [seq, batch, gates * hidden],
  // with the biases that add outside the nonlinearities (all of them but
  // GRU's recurrent bias of the candidate with linear_before_reset).
  Value projected = matmul(x, transposedRows(w, d, 0, -1));
  Value recurrentCandidateBias;
  auto biasType =
      bias ? cast<RankedTensorType>(bias.getType()) : RankedTensorType();
  auto biasConstant = bias ? bias.getDefiningOp<nn::ConstantOp>() : nullptr;
  std::vector<float> biasValues;
  if (biasConstant && biasType.getRank() == 2 && biasType.hasStaticShape() &&
      !biasType.getEncoding() && biasType.getElementType().isF32() &&
      d < biasType.getDimSize(0) && biasType.getDimSize(1) == 2 * gates * h &&
      succeeded(readF32Elements(biasConstant.getValue(),
                                biasType.getNumElements(), biasValues))) {
    // A constant B: the summed biases are one constant, which the input
    // GEMM then adds in its epilogue (not a run-time slice-and-add).
    const float *row = biasValues.data() + d * 2 * gates * h;
    bool candidateApart = cell == Cell::GRU && linearBeforeReset;
    SmallVector<float> sum(gates * h);
    for (int64_t i = 0; i < gates * h; ++i)
      sum[i] =
          row[i] + (candidateApart && i >= 2 * h ? 0.0f : row[gates * h + i]);
    auto vectorType = [&](int64_t size) {
      return RankedTensorType::get({size}, b.getF32Type());
    };
    projected = add(projected,
                    nn::ConstantOp::create(b, n.loc(),
                                           f32Resource(vectorType(gates * h),
                                                       "recurrent_bias", sum)));
    if (candidateApart)
      recurrentCandidateBias = nn::ConstantOp::create(
          b, n.loc(),
          f32Resource(vectorType(h), "recurrent_candidate_bias",
                      ArrayRef<float>(row + gates * h + 2 * h, h)));
  } else if (bias) {
    Value bd = gather(bias);
    Value inputBias = slice(bd, 0, 0, gates * h);
    Value recurrentBias = slice(bd, 0, gates * h, gates * h);
    if (cell == Cell::GRU && linearBeforeReset) {
      recurrentCandidateBias = slice(recurrentBias, 0, 2 * h, h);
      recurrentBias =
          n.create<nn::ConcatOp>({slice(recurrentBias, 0, 0, 2 * h),
                                  mul(recurrentCandidateBias, floatScalar(0))},
                                 {n.namedI64("axis", 0)});
    }
    projected = add(projected, add(inputBias, recurrentBias));
  }
  // R^T for the gates that take H directly ([hidden, k * hidden]); GRU's
  // candidate gate takes (r * H) R_h^T (or r * (H R_h^T + Rb_h)).
  Value recurrentT, candidateT;
  if (cell == Cell::GRU) {
    recurrentT = transposedRows(r, d, 0, 2 * h);
    candidateT = transposedRows(r, d, 2 * h, h);
  } else {
    recurrentT = transposedRows(r, d, 0, -1);
  }
  Value h0 = initialH ? gather(initialH) : zeroState;
  Value c0 =
      cell == Cell::LSTM ? (initialC ? gather(initialC) : zeroState) : Value();
  SmallVector<Value> peephole;
  if (peepholes) {
    Value pd = gather(peepholes);
    for (int64_t g = 0; g < 3; ++g)
      peephole.push_back(slice(pd, 0, g * h, h));
  }
  if (n.failed())
    return std::nullopt;

  // The loop body: (iteration, condition, H[, C]) -> (true, H'[, C'], H').
  auto stateType = RankedTensorType::get(
      {ShapedType::kDynamic, ShapedType::kDynamic}, elementType);
  SmallVector<Value> inits = {h0};
  if (c0)
    inits.push_back(c0);
  SmallVector<Type> carriedTypes(inits.size(), stateType);
  Region bodyRegion;
  Block *block = new Block();
  bodyRegion.push_back(block);
  block->addArgument(RankedTensorType::get({}, b.getI64Type()), n.loc());
  block->addArgument(RankedTensorType::get({}, b.getI1Type()), n.loc());
  for (Type t : carriedTypes)
    block->addArgument(t, n.loc());
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(block);
    Value step = block->getArgument(0);
    if (reverse)
      step = n.create<nn::SubOp>(
          {n.create<nn::SubOp>({seqLength, scalar(1)}), step});
    Value hPrev = block->getArgument(2);
    Value cPrev = c0 ? block->getArgument(3) : Value();
    Value iteration = block->getArgument(0);
    Value xt;
    if (reverse && lengths) {
      // Each entry runs backwards from its own last step: length - 1 -
      // iteration (clamped; steps past the length are masked below).
      Value last = n.create<nn::SubOp>({lengths, scalar(1)});
      Value at = n.create<nn::MaxOp>(
          {n.create<nn::SubOp>({last, iteration}), scalar(0)});
      xt = rowsPerEntry(projected, at);
    } else {
      xt = n.create<nn::GatherOp>({projected, step}, {n.namedI64("axis", 0)});
    }
    Value pre = matmul(hPrev, recurrentT);
    pre = add(cell == Cell::GRU ? slice(xt, 1, 0, 2 * h) : xt, pre);
    SmallVector<Value> parts;
    if (gates == 1) {
      parts.push_back(pre);
    } else if (cell == Cell::GRU) {
      // pre covers z and r; the candidate's input part is xt's third.
      parts = {slice(pre, 1, 0, h), slice(pre, 1, h, h),
               slice(xt, 1, 2 * h, h)};
    } else {
      for (int64_t g = 0; g < gates; ++g)
        parts.push_back(slice(pre, 1, g * h, h));
    }
    SmallVector<Value> yielded = {nn::ConstantOp::create(
        b, n.loc(),
        DenseElementsAttr::get(RankedTensorType::get({}, b.getI1Type()),
                               true))};
    Value hNext, cNext;
    if (cell == Cell::RNN) {
      hNext = activate(firstActivation, parts[0]);
    } else if (cell == Cell::GRU) {
      Value z = activate(firstActivation, parts[0]);
      Value rg = activate(firstActivation, parts[1]);
      Value candidate;
      if (linearBeforeReset) {
        Value hr = matmul(hPrev, candidateT);
        if (recurrentCandidateBias)
          hr = add(hr, recurrentCandidateBias);
        candidate = add(parts[2], mul(rg, hr));
      } else {
        candidate = add(parts[2], matmul(mul(rg, hPrev), candidateT));
      }
      Value hc = activate(firstActivation + 1, candidate);
      // H' = (1 - z) hc + z H = hc + z (H - hc).
      hNext = add(hc, mul(z, n.create<nn::SubOp>({hPrev, hc})));
    } else {
      // Gates i, o, f, c; peepholes i, o, f.
      Value iPre = parts[0], oPre = parts[1], fPre = parts[2];
      if (!peephole.empty()) {
        iPre = add(iPre, mul(peephole[0], cPrev));
        fPre = add(fPre, mul(peephole[2], cPrev));
      }
      Value ig = activate(firstActivation, iPre);
      Value fg = activate(firstActivation, fPre);
      Value cc = activate(firstActivation + 1, parts[3]);
      cNext = add(mul(fg, cPrev), mul(ig, cc));
      if (!peephole.empty())
        oPre = add(oPre, mul(peephole[1], cNext));
      Value og = activate(firstActivation, oPre);
      hNext = mul(og, activate(firstActivation + 2, cNext));
    }
    Value output = hNext;
    if (lengths) {
      // Entries past their length keep their state and output zeros.
      Value valid = unsqueeze(n.create<nn::LessOp>({iteration, lengths}), 1);
      hNext = n.create<nn::WhereOp>({valid, hNext, hPrev});
      if (cNext)
        cNext = n.create<nn::WhereOp>({valid, cNext, cPrev});
      output = n.create<nn::WhereOp>({valid, output, floatScalar(0)});
    }
    yielded.push_back(hNext);
    if (cNext)
      yielded.push_back(cNext);
    yielded.push_back(output);
    if (n.failed())
      return std::nullopt;
    nn::YieldOp::create(b, n.loc(), yielded);
  }
  Operation *loop =
      createLoop(n, seqLength, Value(), inits, carriedTypes, bodyRegion);
  if (!loop)
    return std::nullopt;
  Value hLast = loop->getResult(0);
  Value cLast = c0 ? loop->getResult(1) : Value();
  Value outputs = loop->getResults().back();
  // The scan stacks steps in iteration order: reversed in time when the
  // direction is (per entry, within its own length, with sequence_lens).
  if (reverse && lengths) {
    Value steps = n.create<nn::RangeOp>({scalar(0), seqLength, scalar(1)});
    Value column = unsqueeze(steps, 1);
    Value last = unsqueeze(n.create<nn::SubOp>({lengths, scalar(1)}), 0);
    Value at =
        n.create<nn::MaxOp>({n.create<nn::SubOp>({last, column}), scalar(0)});
    Value valid =
        unsqueeze(n.create<nn::LessOp>({column, unsqueeze(lengths, 0)}), 2);
    outputs = n.create<nn::WhereOp>(
        {valid, rowsPerEntry(outputs, at), floatScalar(0)});
  } else if (reverse)
    outputs = n.create<nn::SliceOp>(
        {outputs, n.constI64({-1}),
         n.constI64({std::numeric_limits<int64_t>::min()}), n.constI64({0}),
         n.constI64({-1})},
        {n.segments({1, 1, 1, 1, 1})});
  if (n.failed())
    return std::nullopt;
  return std::array<Value, 3>{outputs, hLast, cLast};
}

LogicalResult RecurrentImporter::convert() {
  if (failed(readAttributes()))
    return failure();
  x = n.input(0);
  w = n.input(1);
  r = n.input(2);
  bias = n.optionalInput(3);
  Value sequenceLens = n.optionalInput(4);
  initialH = n.optionalInput(5);
  if (cell == Cell::LSTM) {
    initialC = n.optionalInput(6);
    peepholes = n.optionalInput(7);
  }
  if (n.failed())
    return failure();
  auto xType = cast<RankedTensorType>(x.getType());
  auto rType = cast<RankedTensorType>(r.getType());
  auto wType = cast<RankedTensorType>(w.getType());
  if (xType.getRank() != 3 || wType.getRank() != 3 || rType.getRank() != 3)
    return n.error("X, W and R must be 3-D");
  elementType = xType.getElementType();
  hiddenSize = n.attrInt("hidden_size", rType.getDimSize(2));
  if (ShapedType::isDynamic(hiddenSize) || hiddenSize <= 0)
    return n.error("needs hidden_size (or R with a static hidden size)");
  if (!ShapedType::isDynamic(rType.getDimSize(1)) &&
      rType.getDimSize(1) != gates * hiddenSize)
    return n.error(llvm::formatv("R has {0} rows, expected {1} x hidden_size "
                                 "= {2}",
                                 rType.getDimSize(1), gates,
                                 gates * hiddenSize));
  if (!ShapedType::isDynamic(rType.getDimSize(0)) &&
      rType.getDimSize(0) != directions)
    return n.error(llvm::formatv("W, R and B have {0} directions, the "
                                 "direction attribute says {1}",
                                 rType.getDimSize(0), directions));
  if (layout == 1)
    x = transpose(x, {1, 0, 2});
  if (initialH && layout == 1)
    initialH = transpose(initialH, {1, 0, 2});
  if (initialC && layout == 1)
    initialC = transpose(initialC, {1, 0, 2});
  Value shape = n.create<nn::ShapeOfOp>({x});
  seqLength = n.create<nn::ReshapeOp>({slice(shape, 0, 0, 1), n.constI64({})});
  if (sequenceLens) {
    // Known to be the full length everywhere: nothing to mask.
    std::optional<SmallVector<int64_t>> lens = n.constantInts(4);
    int64_t full = xType.getDimSize(layout == 1 ? 1 : 0);
    if (!lens || ShapedType::isDynamic(full) ||
        llvm::any_of(*lens, [&](int64_t l) { return l != full; }))
      lengths = n.castTo(sequenceLens, b.getI64Type());
  }
  // Zero states [batch, hidden] when the node gives none.
  if (!initialH || (cell == Cell::LSTM && !initialC)) {
    Value stateShape = n.create<nn::ConcatOp>(
        {slice(shape, 0, 1, 1), n.constI64({hiddenSize})},
        {n.namedI64("axis", 0)});
    zeroState = n.create<nn::ConstantOfShapeOp>(
        {stateShape},
        {n.named("value",
                 DenseElementsAttr::get(RankedTensorType::get({1}, elementType),
                                        b.getFloatAttr(elementType, 0.0)))});
  }
  if (n.failed())
    return failure();

  SmallVector<Value> ys, hs, cs;
  for (int64_t d = 0; d < directions; ++d) {
    std::optional<std::array<Value, 3>> out = direction(d);
    if (!out)
      return failure();
    ys.push_back(unsqueeze((*out)[0], 1));
    hs.push_back(unsqueeze((*out)[1], 0));
    if ((*out)[2])
      cs.push_back(unsqueeze((*out)[2], 0));
  }
  auto concat = [&](ArrayRef<Value> values, int64_t axis) -> Value {
    if (values.size() == 1)
      return values.front();
    return n.create<nn::ConcatOp>(values, {n.namedI64("axis", axis)});
  };
  Value y = concat(ys, 1), yh = concat(hs, 0);
  Value yc = cs.empty() ? Value() : concat(cs, 0);
  if (layout == 1) {
    y = transpose(y, {2, 0, 1, 3});
    yh = transpose(yh, {1, 0, 2});
    if (yc)
      yc = transpose(yc, {1, 0, 2});
  }
  SmallVector<Value> results = {y, yh};
  if (yc)
    results.push_back(yc);
  return n.setOutputs(results);
}

void registerRecurrentConverters(ConverterRegistry &r) {
  r.add("RNN", [](NodeContext &n) {
    return RecurrentImporter(n, Cell::RNN).convert();
  });
  r.add("GRU", [](NodeContext &n) {
    return RecurrentImporter(n, Cell::GRU).convert();
  });
  r.add("LSTM", [](NodeContext &n) {
    return RecurrentImporter(n, Cell::LSTM).convert();
  });
}

} // namespace ddl::onnx_import
