//===- ContractionOps.cpp - matmul, gemm, convolution, pooling ------------===//
//
// Shape functions of the contraction and windowed ops. Convolution and
// pooling share `windowedOutputDims`, the one place that knows ONNX's
// output-size rules (explicit pads, auto_pad, ceil_mode, dilation).
//
//===----------------------------------------------------------------------===//

#include "dialects/nn/NNDialect.h"

#include "llvm/Support/FormatVariadic.h"
#include <array>

using namespace mlir;

namespace ddl::nn {

//===----------------------------------------------------------------------===//
// Matrix products
//===----------------------------------------------------------------------===//

/// Requires two contracted sizes to agree (at run time when the types
/// leave it open).
static LogicalResult checkContraction(ShapeBuilder &b, Dim lhs, Dim rhs,
                                      StringRef what) {
  if (lhs.isStatic() && rhs.isStatic() && lhs.getSize() != rhs.getSize())
    return b.emitError(
        llvm::formatv("contracted dimensions differ: {0} ({1} vs {2})", what,
                      lhs.getSize(), rhs.getSize()));
  std::string known =
      lhs.isStatic() ? llvm::formatv(" (the first is {0})", lhs.getSize()).str()
      : rhs.isStatic()
          ? llvm::formatv(" (the second is {0})", rhs.getSize()).str()
          : std::string();
  return b.requireEqual(lhs, rhs,
                        llvm::formatv("contracted dimensions differ at run "
                                      "time: {0}{1}",
                                      what, known));
}

LogicalResult MatMulOp::inferShapes(Adaptor adaptor, ShapeBuilder &b,
                                    SmallVectorImpl<ResultShape> &results) {
  SmallVector<Dim> lhs = b.dims(adaptor.getLhs());
  SmallVector<Dim> rhs = b.dims(adaptor.getRhs());
  if (lhs.empty() || rhs.empty())
    return b.emitError("operands must have rank >= 1 (got a 0-d tensor); "
                       "use nn.mul for scalars");
  bool lhsVector = lhs.size() == 1, rhsVector = rhs.size() == 1;
  if (lhsVector)
    lhs.insert(lhs.begin(), b.fixed(1));
  if (rhsVector)
    rhs.push_back(b.fixed(1));
  Dim m = lhs[lhs.size() - 2], k = lhs.back();
  Dim k2 = rhs[rhs.size() - 2], n = rhs.back();
  if (failed(checkContraction(b, k, k2, "lhs's last vs rhs's second-to-last")))
    return failure();
  FailureOr<SmallVector<Dim>> batch =
      b.broadcast(ArrayRef(lhs).drop_back(2), ArrayRef(rhs).drop_back(2),
                  "lhs batch dims", "rhs batch dims");
  if (failed(batch))
    return failure();
  SmallVector<Dim> shape = *batch;
  if (!lhsVector)
    shape.push_back(m);
  if (!rhsVector)
    shape.push_back(n);
  results.push_back(
      {shape,
       cast<RankedTensorType>(adaptor.getLhs().getType()).getElementType()});
  return success();
}

LogicalResult GemmOp::inferShapes(Adaptor adaptor, ShapeBuilder &b,
                                  SmallVectorImpl<ResultShape> &results) {
  auto aType = cast<RankedTensorType>(adaptor.getA().getType());
  auto bType = cast<RankedTensorType>(adaptor.getB().getType());
  if (aType.getRank() != 2 || bType.getRank() != 2)
    return b.emitError(llvm::formatv(
        "a and b must be 2-D, got ranks {0} and {1}; use nn.matmul for "
        "batched products",
        aType.getRank(), bType.getRank()));
  if (aType.getElementType() != bType.getElementType())
    return b.emitError(llvm::formatv("a has element type {0} but b has {1}",
                                     aType.getElementType(),
                                     bType.getElementType()));
  SmallVector<Dim> a = b.dims(adaptor.getA()), bd = b.dims(adaptor.getB());
  if (adaptor.getTransA())
    std::swap(a[0], a[1]);
  if (adaptor.getTransB())
    std::swap(bd[0], bd[1]);
  if (failed(checkContraction(b, a[1], bd[0], "K of op(a) vs K of op(b)")))
    return failure();
  SmallVector<Dim> shape = {a[0], bd[1]};
  if (Value c = adaptor.getC()) {
    auto cType = cast<RankedTensorType>(c.getType());
    if (cType.getElementType() != aType.getElementType())
      return b.emitError(
          llvm::formatv("c has element type {0} but a and b have {1}",
                        cType.getElementType(), aType.getElementType()));
    if (cType.getRank() > 2)
      return b.emitError(
          llvm::formatv("c must have rank <= 2, got {0}", cType.getRank()));
    FailureOr<SmallVector<Dim>> merged =
        b.broadcast(shape, b.dims(c), "the M x N product", "c");
    if (failed(merged))
      return failure();
    // Unidirectional: c may not grow the result.
    for (auto [i, d] : llvm::enumerate(*merged))
      if (d.isStatic() && shape[i].isStatic() &&
          d.getSize() != shape[i].getSize())
        return b.emitError(
            "c must broadcast to the M x N product, not grow it");
  }
  results.push_back({shape, aType.getElementType()});
  return success();
}

//===----------------------------------------------------------------------===//
// Einsum
//===----------------------------------------------------------------------===//

namespace {
/// One term of an einsum equation: its letters in order, and where (before
/// which letter) its `...` stands, when it has one.
struct EinsumTerm {
  std::string text;
  std::string letters;
  std::optional<size_t> ellipsis;
};
} // namespace

/// Parses one term (spaces already removed); `what` names it in errors.
static FailureOr<EinsumTerm> parseEinsumTerm(ShapeBuilder &b, StringRef term,
                                             StringRef what) {
  EinsumTerm result;
  result.text = term.str();
  for (size_t i = 0; i < term.size();) {
    char c = term[i];
    if (llvm::isAlpha(c)) {
      result.letters.push_back(c);
      ++i;
      continue;
    }
    if (c == '.') {
      if (!term.substr(i).starts_with("..."))
        return b.emitError(llvm::formatv(
            "equation: {0} '{1}' has a '.' that is not part of '...'", what,
            term));
      if (result.ellipsis)
        return b.emitError(llvm::formatv(
            "equation: {0} '{1}' has more than one '...'", what, term));
      result.ellipsis = result.letters.size();
      i += 3;
      continue;
    }
    return b.emitError(llvm::formatv(
        "equation: {0} '{1}' has the invalid character '{2}' (subscripts are "
        "letters a-z and A-Z, and '...')",
        what, term, c));
  }
  return result;
}

LogicalResult EinsumOp::inferShapes(Adaptor adaptor, ShapeBuilder &b,
                                    SmallVectorImpl<ResultShape> &results) {
  ValueRange inputs = adaptor.getInputs();
  if (inputs.empty())
    return b.emitError("expects at least one operand");
  Type element = cast<RankedTensorType>(inputs[0].getType()).getElementType();
  for (auto [i, input] : llvm::enumerate(inputs)) {
    Type t = cast<RankedTensorType>(input.getType()).getElementType();
    if (t != element)
      return b.emitError(llvm::formatv(
          "operand {0} has element type {1} but operand 0 has {2}", i, t,
          element));
  }

  // Split the equation into input terms and the optional result term.
  std::string equation;
  for (char c : adaptor.getEquation())
    if (!llvm::isSpace(c))
      equation.push_back(c);
  StringRef text = equation;
  std::optional<EinsumTerm> output;
  size_t arrow = text.find("->");
  if (arrow != StringRef::npos) {
    StringRef outText = text.substr(arrow + 2);
    if (outText.contains("->"))
      return b.emitError("equation: more than one '->'");
    FailureOr<EinsumTerm> parsed =
        parseEinsumTerm(b, outText, "the result term");
    if (failed(parsed))
      return failure();
    output = std::move(*parsed);
    text = text.substr(0, arrow);
  }
  SmallVector<StringRef> termTexts;
  text.split(termTexts, ',', /*MaxSplit=*/-1, /*KeepEmpty=*/true);
  if (termTexts.size() != inputs.size())
    return b.emitError(
        llvm::formatv("equation: {0} input term(s) for {1} operand(s)",
                      termTexts.size(), inputs.size()));

  // Bind every letter to a size and collect the '...' dimensions.
  struct LetterSize {
    Dim dim;
    size_t operand;
    bool bound = false;
  };
  std::array<LetterSize, 128> letters;
  std::array<int, 128> count{};
  SmallVector<Dim> ellipsisDims;
  bool anyEllipsis = false;
  for (auto [i, input] : llvm::enumerate(inputs)) {
    std::string what = llvm::formatv("term {0}", i).str();
    FailureOr<EinsumTerm> term = parseEinsumTerm(b, termTexts[i], what);
    if (failed(term))
      return failure();
    SmallVector<Dim> dims = b.dims(input);
    int64_t named = term->letters.size();
    int64_t rank = dims.size();
    if (term->ellipsis ? rank < named : rank != named)
      return b.emitError(llvm::formatv(
          "equation: term {0} '{1}' names {2} dimension(s){3} but operand {0} "
          "has rank {4}",
          i, term->text, named, term->ellipsis ? " plus '...'" : "", rank));
    int64_t ellipsisRank = rank - named;
    int64_t ellipsisAt = term->ellipsis ? *term->ellipsis : named;
    for (int64_t l = 0; l < named; ++l) {
      char c = term->letters[l];
      Dim d = dims[l < ellipsisAt ? l : l + ellipsisRank];
      ++count[c];
      LetterSize &entry = letters[c];
      if (!entry.bound) {
        entry = {d, i, true};
        continue;
      }
      if (d.isStatic() && entry.dim.isStatic() &&
          d.getSize() != entry.dim.getSize())
        return b.emitError(llvm::formatv(
            "equation: letter '{0}' has size {1} in operand {2} but {3} in "
            "operand {4}",
            c, entry.dim.getSize(), entry.operand, d.getSize(), i));
      if (failed(b.requireEqual(
              d, entry.dim,
              llvm::formatv("equation: letter '{0}' has different sizes in "
                            "operands {1} and {2} at run time",
                            c, entry.operand, i))))
        return failure();
      // Prefer a static size, then a symbol.
      if ((d.isStatic() && !entry.dim.isStatic()) ||
          (!entry.dim.isStatic() && !entry.dim.getSymbol() && d.getSymbol()))
        entry = {d, i, true};
    }
    if (!term->ellipsis)
      continue;
    ArrayRef<Dim> own = ArrayRef(dims).slice(ellipsisAt, ellipsisRank);
    if (!anyEllipsis) {
      ellipsisDims.assign(own.begin(), own.end());
      anyEllipsis = true;
      continue;
    }
    std::string name =
        llvm::formatv("the '...' dimensions of operand {0}", i).str();
    FailureOr<SmallVector<Dim>> merged =
        b.broadcast(ellipsisDims, own, "the '...' dimensions before", name);
    if (failed(merged))
      return failure();
    ellipsisDims = std::move(*merged);
  }

  // The result: explicit, or '...' then the letters used once, sorted.
  SmallVector<Dim> dims;
  if (output) {
    std::array<bool, 128> seen{};
    for (auto [l, c] : llvm::enumerate(output->letters)) {
      if (output->ellipsis && *output->ellipsis == l)
        dims.append(ellipsisDims);
      if (seen[c])
        return b.emitError(llvm::formatv(
            "equation: the result term '{0}' repeats letter '{1}'",
            output->text, c));
      seen[c] = true;
      if (!letters[c].bound)
        return b.emitError(llvm::formatv(
            "equation: the result term '{0}' has letter '{1}', which no "
            "input term has",
            output->text, c));
      dims.push_back(letters[c].dim);
    }
    if (output->ellipsis && *output->ellipsis == output->letters.size())
      dims.append(ellipsisDims);
  } else {
    dims.append(ellipsisDims);
    for (int c = 0; c < 128; ++c)
      if (count[c] == 1)
        dims.push_back(letters[c].dim);
  }
  results.push_back({dims, element});
  return success();
}

//===----------------------------------------------------------------------===//
// Windowed ops
//===----------------------------------------------------------------------===//

namespace {
/// The window attributes shared by convolution and pooling.
struct WindowParams {
  std::optional<ArrayRef<int64_t>> strides, pads, dilations;
  AutoPad autoPad;
  bool ceilMode = false;
};
} // namespace

/// Reads one optional per-axis attribute: `n` entries (2n for pads), each
/// at least `minimum`; absent gives `fallback`.
static FailureOr<SmallVector<int64_t>>
windowAttr(ShapeBuilder &b, std::optional<ArrayRef<int64_t>> attr, size_t n,
           int64_t fallback, int64_t minimum, StringRef name) {
  if (!attr)
    return SmallVector<int64_t>(n, fallback);
  if (attr->size() != n)
    return b.emitError(llvm::formatv(
        "{0} has {1} entries but the op has {2} spatial dimensions{3}", name,
        attr->size(), name == "pads" ? n / 2 : n,
        name == "pads" ? " (pads needs 2 per dimension: all begins, then all "
                         "ends)"
                       : ""));
  for (int64_t v : *attr)
    if (v < minimum)
      return b.emitError(llvm::formatv("{0} entries must be >= {1}, got {2}",
                                       name, minimum, v));
  return SmallVector<int64_t>(attr->begin(), attr->end());
}

/// Output sizes of a sliding window over `in` (one Dim per spatial axis).
static FailureOr<SmallVector<Dim>>
windowedOutputDims(ShapeBuilder &b, ArrayRef<Dim> in, ArrayRef<Dim> kernel,
                   const WindowParams &params) {
  size_t n = in.size();
  auto strides = windowAttr(b, params.strides, n, 1, 1, "strides");
  auto dilations = windowAttr(b, params.dilations, n, 1, 1, "dilations");
  auto pads = windowAttr(b, params.pads, 2 * n, 0, 0, "pads");
  if (failed(strides) || failed(dilations) || failed(pads))
    return failure();
  if (params.pads && params.autoPad != AutoPad::NotSet)
    return b.emitError("pads and auto_pad are exclusive: drop one of them");
  SmallVector<Dim> out;
  for (size_t i = 0; i < n; ++i) {
    Dim stride = b.fixed((*strides)[i]);
    // Extent of the dilated kernel: (k - 1) * d + 1.
    Dim extent =
        b.add(b.mul(b.sub(kernel[i], b.fixed(1)), b.fixed((*dilations)[i])),
              b.fixed(1));
    Dim size;
    switch (params.autoPad) {
    case AutoPad::SameUpper:
    case AutoPad::SameLower:
      size = b.ceilDiv(in[i], stride);
      break;
    case AutoPad::Valid:
      size = b.add(b.floorDiv(b.sub(in[i], extent), stride), b.fixed(1));
      break;
    case AutoPad::NotSet: {
      Dim padded = b.add(in[i], b.fixed((*pads)[i] + (*pads)[i + n]));
      Dim span = b.sub(padded, extent);
      if (!params.ceilMode) {
        size = b.add(b.floorDiv(span, stride), b.fixed(1));
        break;
      }
      size = b.add(b.ceilDiv(span, stride), b.fixed(1));
      // The last window must start inside the input or its begin padding.
      Dim lastStart = b.mul(b.sub(size, b.fixed(1)), stride);
      Dim limit = b.add(in[i], b.fixed((*pads)[i]));
      size = b.select(b.less(lastStart, limit), size, b.sub(size, b.fixed(1)));
      break;
    }
    }
    if (size.isStatic() && size.getSize() <= 0)
      return b.emitError(llvm::formatv(
          "the window does not fit along spatial dimension {0}: input size "
          "{1} (plus padding) is smaller than the dilated kernel extent {2}",
          i, in[i].isStatic() ? std::to_string(in[i].getSize()) : "?",
          extent.isStatic() ? std::to_string(extent.getSize()) : "?"));
    out.push_back(size);
  }
  return out;
}

/// Checks that static kernel sizes (from a weight's shape) are >= 1.
static LogicalResult checkKernel(ShapeBuilder &b, ArrayRef<Dim> kernel) {
  for (auto [i, k] : llvm::enumerate(kernel))
    if (k.isStatic() && k.getSize() < 1)
      return b.emitError(llvm::formatv(
          "the kernel has size {0} in spatial dimension {1}; kernels need at "
          "least one element per dimension",
          k.getSize(), i));
  return success();
}

/// Checks rank >= 3 (N, C, spatial...) of a windowed op's input.
static LogicalResult checkWindowInput(ShapeBuilder &b, Value input) {
  auto type = cast<RankedTensorType>(input.getType());
  if (type.getRank() < 3)
    return b.emitError(llvm::formatv(
        "input must be N x C x spatial... (rank >= 3), got rank {0}",
        type.getRank()));
  return success();
}

/// Checks a per-output-channel bias: 1-D with `channels` elements.
static LogicalResult checkBias(ShapeBuilder &b, Value bias, Dim channels) {
  if (!bias)
    return success();
  auto type = cast<RankedTensorType>(bias.getType());
  if (type.getRank() != 1)
    return b.emitError(
        llvm::formatv("bias must be 1-D, got rank {0}", type.getRank()));
  Dim size = b.dim(bias, 0);
  if (size.isStatic() && channels.isStatic() &&
      size.getSize() != channels.getSize())
    return b.emitError(
        llvm::formatv("bias has {0} elements but there are {1} output channels",
                      size.getSize(), channels.getSize()));
  return success();
}

template <typename Adaptor>
static WindowParams windowParams(Adaptor adaptor, bool ceilMode = false) {
  return {adaptor.getStrides(), adaptor.getPads(), adaptor.getDilations(),
          adaptor.getAutoPad(), ceilMode};
}

LogicalResult ConvOp::inferShapes(Adaptor adaptor, ShapeBuilder &b,
                                  SmallVectorImpl<ResultShape> &results) {
  Value input = adaptor.getInput(), weight = adaptor.getWeight();
  if (failed(checkWindowInput(b, input)))
    return failure();
  SmallVector<Dim> x = b.dims(input), w = b.dims(weight);
  if (w.size() != x.size())
    return b.emitError(llvm::formatv(
        "weight must have the input's rank {0} (M x C/group x kernel...), "
        "got rank {1}",
        x.size(), w.size()));
  // Channels-last: check and compute in N C spatial... order, then move
  // the channels back to the end.
  bool channelsLast = adaptor.getChannelsLast();
  if (channelsLast)
    std::rotate(x.begin() + 1, x.end() - 1, x.end());
  int64_t group = adaptor.getGroup();
  if (group < 1)
    return b.emitError(llvm::formatv("group must be >= 1, got {0}", group));
  if (x[1].isStatic() && w[1].isStatic() &&
      x[1].getSize() != w[1].getSize() * group)
    return b.emitError(llvm::formatv(
        "input has {0} channels but weight expects {1} x group {2} = {3}",
        x[1].getSize(), w[1].getSize(), group, w[1].getSize() * group));
  if (failed(b.requireEqual(
          x[1], b.mul(w[1], b.fixed(group)),
          llvm::formatv("the input's channels differ from the weight's "
                        "channels x group {0} at run time",
                        group))))
    return failure();
  if (w[0].isStatic() && w[0].getSize() % group != 0)
    return b.emitError(
        llvm::formatv("{0} output channels do not split into {1} groups",
                      w[0].getSize(), group));
  if (failed(checkBias(b, adaptor.getBias(), w[0])) ||
      failed(checkKernel(b, ArrayRef(w).drop_front(2))))
    return failure();
  FailureOr<SmallVector<Dim>> spatial =
      windowedOutputDims(b, ArrayRef(x).drop_front(2),
                         ArrayRef(w).drop_front(2), windowParams(adaptor));
  if (failed(spatial))
    return failure();
  SmallVector<Dim> shape = {x[0], w[0]};
  shape.append(spatial->begin(), spatial->end());
  if (channelsLast)
    std::rotate(shape.begin() + 1, shape.begin() + 2, shape.end());
  results.push_back(
      {shape, cast<RankedTensorType>(input.getType()).getElementType()});
  return success();
}

LogicalResult
ConvTransposeOp::inferShapes(Adaptor adaptor, ShapeBuilder &b,
                             SmallVectorImpl<ResultShape> &results) {
  Value input = adaptor.getInput(), weight = adaptor.getWeight();
  if (failed(checkWindowInput(b, input)))
    return failure();
  SmallVector<Dim> x = b.dims(input), w = b.dims(weight);
  if (w.size() != x.size())
    return b.emitError(llvm::formatv(
        "weight must have the input's rank {0} (C x M/group x kernel...), "
        "got rank {1}",
        x.size(), w.size()));
  int64_t group = adaptor.getGroup();
  if (group < 1)
    return b.emitError(llvm::formatv("group must be >= 1, got {0}", group));
  if (x[1].isStatic() && w[0].isStatic() && x[1].getSize() != w[0].getSize())
    return b.emitError(llvm::formatv(
        "input has {0} channels but weight's first dimension is {1}",
        x[1].getSize(), w[0].getSize()));
  if (failed(b.requireEqual(x[1], w[0],
                            "the input's channels differ from the weight's "
                            "first dimension at run time")))
    return failure();
  Dim inChannels = x[1].isStatic() ? x[1] : w[0];
  if (inChannels.isStatic() && inChannels.getSize() % group != 0)
    return b.emitError(
        llvm::formatv("{0} input channels do not split into {1} groups",
                      inChannels.getSize(), group));
  Dim outChannels = b.mul(w[1], b.fixed(group));
  if (failed(checkBias(b, adaptor.getBias(), outChannels)) ||
      failed(checkKernel(b, ArrayRef(w).drop_front(2))))
    return failure();
  if (adaptor.getPads() && adaptor.getAutoPad() != AutoPad::NotSet)
    return b.emitError("pads and auto_pad are exclusive: drop one of them");
  size_t n = x.size() - 2;
  auto strides = windowAttr(b, adaptor.getStrides(), n, 1, 1, "strides");
  auto dilations = windowAttr(b, adaptor.getDilations(), n, 1, 1, "dilations");
  auto pads = windowAttr(b, adaptor.getPads(), 2 * n, 0, 0, "pads");
  auto outputPadding =
      windowAttr(b, adaptor.getOutputPadding(), n, 0, 0, "output_padding");
  auto outputShape =
      windowAttr(b, adaptor.getOutputShape(), n, 1, 1, "output_shape");
  if (failed(strides) || failed(dilations) || failed(pads) ||
      failed(outputPadding) || failed(outputShape))
    return failure();
  for (size_t i = 0; i < n; ++i)
    if ((*outputPadding)[i] >= std::max((*strides)[i], (*dilations)[i]))
      return b.emitError(llvm::formatv(
          "output_padding {0} in spatial dimension {1} must be smaller than "
          "the stride ({2}) or the dilation ({3})",
          (*outputPadding)[i], i, (*strides)[i], (*dilations)[i]));
  SmallVector<Dim> shape = {x[0], outChannels};
  for (size_t i = 0; i < n; ++i) {
    if (adaptor.getOutputShape()) {
      shape.push_back(b.fixed((*outputShape)[i]));
      continue;
    }
    Dim in = x[i + 2], stride = b.fixed((*strides)[i]);
    if (adaptor.getAutoPad() == AutoPad::SameUpper ||
        adaptor.getAutoPad() == AutoPad::SameLower) {
      shape.push_back(b.mul(in, stride));
      continue;
    }
    // stride * (in - 1) + output_padding + (k - 1) * dilation + 1 - pads
    Dim extent =
        b.add(b.mul(b.sub(w[i + 2], b.fixed(1)), b.fixed((*dilations)[i])),
              b.fixed(1));
    Dim size = b.add(b.mul(stride, b.sub(in, b.fixed(1))), extent);
    int64_t padTotal = adaptor.getAutoPad() == AutoPad::Valid
                           ? 0
                           : (*pads)[i] + (*pads)[i + n];
    size = b.sub(b.add(size, b.fixed((*outputPadding)[i])), b.fixed(padTotal));
    if (size.isStatic() && size.getSize() <= 0)
      return b.emitError(llvm::formatv(
          "pads remove the whole output along spatial dimension {0}", i));
    shape.push_back(size);
  }
  results.push_back(
      {shape, cast<RankedTensorType>(input.getType()).getElementType()});
  return success();
}

template <typename Adaptor>
static LogicalResult poolShape(Adaptor adaptor, ShapeBuilder &b,
                               SmallVectorImpl<ResultShape> &results,
                               bool channelsLast = false) {
  Value input = adaptor.getInput();
  if (failed(checkWindowInput(b, input)))
    return failure();
  SmallVector<Dim> x = b.dims(input);
  // Channels-last: compute in N C spatial... order, then move the
  // channels back to the end.
  if (channelsLast) {
    if (x.size() != 4)
      return b.emitError("channels_last pooling must be 2-D (rank-4 input)");
    std::rotate(x.begin() + 1, x.end() - 1, x.end());
  }
  ArrayRef<int64_t> kernel = adaptor.getKernelShape();
  if (kernel.size() != x.size() - 2)
    return b.emitError(llvm::formatv(
        "kernel_shape has {0} entries but the input has {1} spatial "
        "dimensions",
        kernel.size(), x.size() - 2));
  SmallVector<Dim> kernelDims;
  for (int64_t k : kernel) {
    if (k < 1)
      return b.emitError(
          llvm::formatv("kernel_shape entries must be >= 1, got {0}", k));
    kernelDims.push_back(b.fixed(k));
  }
  FailureOr<SmallVector<Dim>> spatial =
      windowedOutputDims(b, ArrayRef(x).drop_front(2), kernelDims,
                         windowParams(adaptor, adaptor.getCeilMode()));
  if (failed(spatial))
    return failure();
  SmallVector<Dim> shape = {x[0], x[1]};
  shape.append(spatial->begin(), spatial->end());
  if (channelsLast)
    std::rotate(shape.begin() + 1, shape.begin() + 2, shape.end());
  results.push_back(
      {shape, cast<RankedTensorType>(input.getType()).getElementType()});
  return success();
}

LogicalResult MaxPoolOp::inferShapes(Adaptor adaptor, ShapeBuilder &b,
                                     SmallVectorImpl<ResultShape> &results) {
  return poolShape(adaptor, b, results, adaptor.getChannelsLast());
}
LogicalResult AvgPoolOp::inferShapes(Adaptor adaptor, ShapeBuilder &b,
                                     SmallVectorImpl<ResultShape> &results) {
  return poolShape(adaptor, b, results);
}
LogicalResult LpPoolOp::inferShapes(Adaptor adaptor, ShapeBuilder &b,
                                    SmallVectorImpl<ResultShape> &results) {
  if (adaptor.getP() < 1)
    return b.emitError(
        llvm::formatv("p must be >= 1, got {0}", adaptor.getP()));
  return poolShape(adaptor, b, results);
}

static LogicalResult globalPoolShape(Value input, ShapeBuilder &b,
                                     SmallVectorImpl<ResultShape> &results) {
  if (failed(checkWindowInput(b, input)))
    return failure();
  SmallVector<Dim> shape = b.dims(input);
  for (size_t i = 2; i < shape.size(); ++i)
    shape[i] = b.fixed(1);
  results.push_back(
      {shape, cast<RankedTensorType>(input.getType()).getElementType()});
  return success();
}

LogicalResult
GlobalAvgPoolOp::inferShapes(Adaptor adaptor, ShapeBuilder &b,
                             SmallVectorImpl<ResultShape> &results) {
  return globalPoolShape(adaptor.getInput(), b, results);
}
LogicalResult
GlobalMaxPoolOp::inferShapes(Adaptor adaptor, ShapeBuilder &b,
                             SmallVectorImpl<ResultShape> &results) {
  return globalPoolShape(adaptor.getInput(), b, results);
}

} // namespace ddl::nn
