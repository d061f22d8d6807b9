//===- Signal.cpp - ONNX signal-processing ops to nn ----------------------===//
//
// The window functions (HannWindow, HammingWindow, BlackmanWindow, opset
// 17), decomposed as the ONNX spec defines them: a cosine series over
// n = range(0, size), angle = 2 pi n / N with N = size (periodic) or
// size - 1 (symmetric).
//
// DFT and STFT (opset 17) as matrix products with the DFT's cosine and sine
// bases, built from nn.range at run time (constants once folded, for
// static lengths): X [..., L] @ cos / sin [L, K]. That is O(L K) work per
// transform, not an FFT's O(L log L), so long transforms are slow: MLIR
// has no FFT, and the signal lengths of the models these ops appear in
// (spectrogram front ends, frames of 256-1024 samples) keep the matrices
// small. Angles are 2 pi (k n mod L) / L, reduced in integers first, so
// that large k n lose no precision, and everything is computed in f64.
//
//===----------------------------------------------------------------------===//

#include "frontends/onnx/GraphImporter.h"

#include "llvm/Support/FormatVariadic.h"

#include "llvm/Support/MathExtras.h"

#include <cmath>

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

//===----------------------------------------------------------------------===//
// DFT, STFT
//===----------------------------------------------------------------------===//

namespace {
/// A complex signal as real and imaginary parts of the same shape; `imag`
/// null for a real signal.
struct Complex {
  Value real, imag;
};
} // namespace

/// The size of `v`'s last axis as a 0-d i64 tensor.
static Value lastDimSize(NodeContext &n, Value v) {
  int64_t rank = cast<RankedTensorType>(v.getType()).getRank();
  Value size = n.create<nn::ShapeOfOp>({v}, {n.namedI64("start", rank - 1)});
  return n.create<nn::ReshapeOp>({size, n.constI64({})});
}

/// `v` zero-padded or truncated along its last axis to `length` (0-d i64).
static Value fitLastAxis(NodeContext &n, Value v, Value length) {
  int64_t rank = cast<RankedTensorType>(v.getType()).getRank();
  Value size = lastDimSize(n, v);
  Value one = n.constI64({1});
  auto asVector = [&](Value scalar) {
    return n.create<nn::ReshapeOp>({scalar, one});
  };
  Value kept = n.create<nn::MinOp>({size, length});
  v = n.create<nn::SliceOp>(
      {v, n.constI64({0}), asVector(kept), n.constI64({rank - 1})},
      {n.segments({1, 1, 1, 1, 0})});
  Value missing = n.create<nn::MaxOp>(
      {n.create<nn::SubOp>({length, size}), n.constI64({0}, true)});
  SmallVector<int64_t> zeros(2 * rank - 1, 0);
  Value pads = n.create<nn::ConcatOp>({n.constI64(zeros), asVector(missing)},
                                      {n.namedI64("axis", 0)});
  return n.create<nn::PadOp>({v, pads}, {n.segments({1, 1, 0})});
}

/// The DFT of `x` along its last axis, of `length` points (0-d i64; null:
/// the axis' size) after zero-padding or truncating: K = length bins, or
/// length / 2 + 1 when `onesided`. `inverse` conjugates the basis and
/// divides by the length.
static Complex dftLastAxis(NodeContext &n, Complex x, Value length,
                           bool inverse, bool onesided) {
  if (length) {
    x.real = fitLastAxis(n, x.real, length);
    if (x.imag)
      x.imag = fitLastAxis(n, x.imag, length);
  } else {
    length = lastDimSize(n, x.real);
  }
  Type element = cast<RankedTensorType>(x.real.getType()).getElementType();
  Value zero = n.constI64({0}, true), one = n.constI64({1}, true);
  Value bins =
      onesided
          ? n.create<nn::AddOp>(
                {n.create<nn::DivOp>({length, n.constI64({2}, true)}), one})
          : length;
  Value points =
      n.create<nn::UnsqueezeOp>({n.create<nn::RangeOp>({zero, length, one})},
                                {n.namedI64Array("axes", {1})});
  Value frequencies =
      n.create<nn::UnsqueezeOp>({n.create<nn::RangeOp>({zero, bins, one})},
                                {n.namedI64Array("axes", {0})});
  // [L, K]: 2 pi (n k mod L) / L.
  Value turns =
      n.create<nn::ModOp>({n.create<nn::MulOp>({points, frequencies}), length});
  Value angle = n.create<nn::MulOp>(
      {n.castTo(turns, element),
       n.create<nn::DivOp>({n.constScalar(element, 2 * llvm::numbers::pi),
                            n.castTo(length, element)})});
  Value cosine = n.create<nn::CosOp>({angle});
  Value sine = n.create<nn::SinOp>({angle});
  auto product = [&](Value a, Value basis) {
    return n.create<nn::MatMulOp>({a, basis});
  };
  // Forward: (a + ib)(cos - i sin); inverse: (a + ib)(cos + i sin).
  Complex y;
  y.real = product(x.real, cosine);
  y.imag = n.create<nn::NegOp>({product(x.real, sine)});
  if (inverse)
    y.imag = n.create<nn::NegOp>({y.imag});
  if (x.imag) {
    Value imagCos = product(x.imag, cosine), imagSin = product(x.imag, sine);
    y.real = inverse ? n.create<nn::SubOp>({y.real, imagSin})
                     : n.create<nn::AddOp>({y.real, imagSin});
    y.imag = n.create<nn::AddOp>({y.imag, imagCos});
  }
  if (inverse) {
    Value scale = n.castTo(length, element);
    y.real = n.create<nn::DivOp>({y.real, scale});
    y.imag = n.create<nn::DivOp>({y.imag, scale});
  }
  return y;
}

/// Splits `x` [..., 1 or 2] (ONNX's real / complex layout) into its parts
/// [...], cast to `compute`.
static FailureOr<Complex> splitComplex(NodeContext &n, Value x, Type compute) {
  auto type = cast<RankedTensorType>(x.getType());
  int64_t rank = type.getRank();
  int64_t components = type.getDimSize(rank - 1);
  if (components != 1 && components != 2)
    return n.error(llvm::formatv(
        "the last axis of the signal must be 1 (real) or 2 (complex), got {0}",
        type));
  x = n.castTo(x, compute);
  auto part = [&](int64_t i) {
    Value slice = n.create<nn::SliceOp>(
        {x, n.constI64({i}), n.constI64({i + 1}), n.constI64({rank - 1})},
        {n.segments({1, 1, 1, 1, 0})});
    return n.create<nn::SqueezeOp>({slice},
                                   {n.namedI64Array("axes", {rank - 1})});
  };
  Complex c;
  c.real = part(0);
  if (components == 2)
    c.imag = part(1);
  if (n.failed())
    return failure();
  return c;
}

/// Real and imaginary parts [...] stacked as ONNX's [..., 2], in `element`.
static Value stackComplex(NodeContext &n, Complex c, Type element) {
  int64_t rank = cast<RankedTensorType>(c.real.getType()).getRank();
  auto unsqueeze = [&](Value v) {
    return n.create<nn::UnsqueezeOp>({v}, {n.namedI64Array("axes", {rank})});
  };
  return n.castTo(n.create<nn::ConcatOp>({unsqueeze(c.real), unsqueeze(c.imag)},
                                         {n.namedI64("axis", rank)}),
                  element);
}

/// A scalar integer input (0-d or one element) as a 0-d i64 tensor.
static Value scalarIndexInput(NodeContext &n, size_t i, StringRef what) {
  RankedTensorType type = n.inputType(i);
  if (!type)
    return n.fail();
  if (!type.getElementType().isInteger() || type.getNumElements() != 1) {
    (void)n.error(llvm::formatv("{0} must be a one-element integer tensor, "
                                "got {1}",
                                what, type));
    return nullptr;
  }
  Value v = n.castTo(n.input(i), n.builder().getI64Type());
  return n.create<nn::ReshapeOp>({v, n.constI64({})});
}

/// The type transforms compute in: f64, whatever the signal's type. In
/// f32 a bin whose exact value is 0 (the imaginary parts of a real
/// signal's symmetric bins) comes out as rounding noise of the sums' size
/// (1e-5 relative), where numpy's FFT, which works in f64, gives 1e-13.
static Type transformType(NodeContext &n) { return n.builder().getF64Type(); }

/// DFT (opsets 17 and 20): input [batch, ..., N, 1 or 2], optional
/// dft_length, the transform along `axis` (an attribute in 17, an input in
/// 20); output [..., K, 2].
static LogicalResult convertDFT(NodeContext &n) {
  Value input = n.input(0);
  RankedTensorType type = n.inputType(0);
  if (n.failed())
    return failure();
  if (!isa<FloatType>(type.getElementType()))
    return n.error(
        llvm::formatv("the signal must be a float tensor, got {0}", type));
  int64_t rank = type.getRank();
  if (rank < 3)
    return n.error(llvm::formatv(
        "the signal must be [batch, ..., N, 1 or 2] (rank >= 3), got {0}",
        type));
  // Opset 20 moves the axis into an optional input (a constant here), whose
  // default is -2: the innermost signal axis, no longer axis 1.
  int64_t axis;
  if (n.opset() < 20) {
    axis = n.attrInt("axis", 1);
  } else if (!n.hasInput(2)) {
    axis = -2;
  } else {
    std::optional<SmallVector<int64_t>> given = n.constantInts(2);
    if (n.failed())
      return failure();
    if (!given || given->size() != 1)
      return n.unsupported(
          "input #2 (axis) must be a constant holding one integer");
    axis = given->front();
  }
  if (axis < -rank || axis > rank - 2 || axis == -1)
    return n.error(llvm::formatv(
        "axis is {0}, out of range for rank {1} (expected {2} <= axis <= "
        "{3}, not -1: the last axis holds the components)",
        axis, rank, -rank, rank - 2));
  if (axis < 0)
    axis += rank;
  bool inverse = n.attrInt("inverse", 0) != 0;
  bool onesided = n.attrInt("onesided", 0) != 0;
  Value length;
  if (n.hasInput(1) && !(length = scalarIndexInput(n, 1, "dft_length")))
    return failure();
  Type element = type.getElementType();
  FailureOr<Complex> x = splitComplex(n, input, transformType(n));
  if (failed(x))
    return failure();
  if (onesided && x->imag)
    return n.error("onesided = 1 needs a real signal (last axis of size 1)");
  // The transformed axis last, then back.
  SmallVector<int64_t> perm = llvm::to_vector(llvm::seq<int64_t>(0, rank - 1));
  std::swap(perm[axis], perm.back());
  auto permute = [&](Value v) {
    return v ? n.create<nn::TransposeOp>({v}, {n.namedI64Array("perm", perm)})
             : v;
  };
  x->real = permute(x->real);
  x->imag = permute(x->imag);
  Complex y = dftLastAxis(n, *x, length, inverse, onesided);
  y.real = permute(y.real);
  y.imag = permute(y.imag);
  return n.setOutput(stackComplex(n, y, element));
}

/// STFT (opset 17): signal [batch, length, 1 or 2], frame_step, optional
/// window [frame_length] and frame_length; output [batch, frames, bins, 2]
/// with frames = (length - frame_length) / frame_step + 1. The frames are
/// gathered ([batch, frames, frame_length]), windowed and transformed.
static LogicalResult convertSTFT(NodeContext &n) {
  Value signal = n.input(0);
  RankedTensorType type = n.inputType(0);
  Value step = scalarIndexInput(n, 1, "frame_step");
  Value window = n.optionalInput(2);
  if (n.failed())
    return failure();
  if (!isa<FloatType>(type.getElementType()) || type.getRank() != 3)
    return n.error(llvm::formatv(
        "the signal must be a float tensor [batch, length, 1 or 2], got {0}",
        type));
  if (window && cast<RankedTensorType>(window.getType()).getRank() != 1)
    return n.error(
        llvm::formatv("the window must be 1-D, got {0}", window.getType()));
  Value frameLength;
  if (n.hasInput(3)) {
    if (!(frameLength = scalarIndexInput(n, 3, "frame_length")))
      return failure();
  } else if (window) {
    frameLength = lastDimSize(n, window);
  } else {
    return n.error("needs a window or a frame_length to know the frame size");
  }
  bool onesided = n.attrInt("onesided", 1) != 0;
  Type element = type.getElementType();
  Type compute = transformType(n);
  FailureOr<Complex> x = splitComplex(n, signal, compute);
  if (failed(x))
    return failure();
  if (onesided && x->imag)
    return n.error("onesided = 1 needs a real signal (last axis of size 1)");

  // Sample indices [frames, frame_length]: f * step + t, with frames =
  // (length - frame_length) / step + 1, none when the signal is shorter
  // than a frame (a step below 1 counts as 1: no division by zero).
  Value zero = n.constI64({0}, true), one = n.constI64({1}, true);
  step = n.create<nn::MaxOp>({step, one});
  Value spare = n.create<nn::SubOp>({lastDimSize(n, x->real), frameLength});
  Value frames = n.create<nn::WhereOp>(
      {n.create<nn::LessOp>({spare, zero}), zero,
       n.create<nn::AddOp>({n.create<nn::DivOp>({spare, step}), one})});
  Value starts = n.create<nn::MulOp>(
      {n.create<nn::UnsqueezeOp>({n.create<nn::RangeOp>({zero, frames, one})},
                                 {n.namedI64Array("axes", {1})}),
       step});
  Value indices = n.create<nn::AddOp>(
      {starts, n.create<nn::UnsqueezeOp>(
                   {n.create<nn::RangeOp>({zero, frameLength, one})},
                   {n.namedI64Array("axes", {0})})});
  auto frame = [&](Value part) -> Value {
    if (!part)
      return part;
    Value framed =
        n.create<nn::GatherOp>({part, indices}, {n.namedI64("axis", 1)});
    return window ? n.create<nn::MulOp>({framed, n.castTo(window, compute)})
                  : framed;
  };
  x->real = frame(x->real);
  x->imag = frame(x->imag);
  Complex y =
      dftLastAxis(n, *x, /*length=*/nullptr, /*inverse=*/false, onesided);
  return n.setOutput(stackComplex(n, y, element));
}

//===----------------------------------------------------------------------===//
// MelWeightMatrix
//===----------------------------------------------------------------------===//

/// MelWeightMatrix (opset 17): [dft_length / 2 + 1, num_mel_bins] triangular
/// filters, as ONNX's reference builds them. num_mel_bins + 2 points evenly
/// spaced in mel between the edge frequencies (mel = 2595 log10(1 + hz /
/// 700), the edges in their float type, the rest in f64), mapped to
/// spectrogram bins floor((dft_length + 1) hz / sample_rate); filter i
/// rises from bin[i] to bin[i + 1] ((j - left) / (center - left); a single
/// 1 at the centre when left = center) and falls to bin[i + 2] ((right -
/// j) / (right - center)), the fall winning where they meet. The sizes
/// are run-time inputs, so the output's shape is computed at run time.
static LogicalResult convertMelWeightMatrix(NodeContext &n) {
  Value melBins = scalarIndexInput(n, 0, "num_mel_bins");
  Value dftLength = scalarIndexInput(n, 1, "dft_length");
  Value sampleRate = scalarIndexInput(n, 2, "sample_rate");
  Value lower = n.input(3), upper = n.input(4);
  if (n.failed())
    return failure();
  for (size_t i : {3, 4})
    if (!isa<FloatType>(n.inputType(i).getElementType()) ||
        n.inputType(i).getNumElements() != 1)
      return n.error(llvm::formatv(
          "input {0} ({1}) must be a one-element "
          "float tensor, got {2}",
          i, i == 3 ? "lower_edge_hertz" : "upper_edge_hertz", n.inputType(i)));
  int64_t outputCode = n.attrInt("output_datatype", 1);
  Type output = convertElementType(n.context(), outputCode);
  if (!output)
    return n.unsupported(llvm::formatv(
        "output_datatype {0} is an ONNX element type ddl does not support",
        outputCode));
  Type edgeType = n.inputType(3).getElementType();
  Type f64 = n.builder().getF64Type(), i64 = n.builder().getI64Type();
  auto scalar = [&](Value v) {
    return n.create<nn::ReshapeOp>({v, n.constI64({})});
  };
  auto mel = [&](Value hz) {
    // 2595 log10(1 + hz / 700), in the edges' type.
    Value ratio = n.create<nn::AddOp>(
        {n.constScalar(edgeType, 1),
         n.create<nn::DivOp>({hz, n.constScalar(edgeType, 700)})});
    return n.create<nn::MulOp>({n.constScalar(edgeType, 2595 / std::log(10.0)),
                                n.create<nn::LogOp>({ratio})});
  };
  Value lowMel = mel(scalar(lower));
  Value highMel = mel(scalar(n.castTo(upper, edgeType)));
  Value zero = n.constI64({0}, true), one = n.constI64({1}, true);
  Value points = n.create<nn::AddOp>({melBins, n.constI64({2}, true)});
  Value step = n.create<nn::DivOp>(
      {n.create<nn::SubOp>({highMel, lowMel}), n.castTo(points, edgeType)});
  // Bin of each point: floor((dft_length + 1) hz / sample_rate), in f64.
  Value melPoints = n.create<nn::AddOp>(
      {n.create<nn::MulOp>(
           {n.castTo(n.create<nn::RangeOp>({zero, points, one}), f64),
            n.castTo(step, f64)}),
       n.castTo(lowMel, f64)});
  Value hz = n.create<nn::MulOp>(
      {n.constScalar(f64, 700),
       n.create<nn::SubOp>(
           {n.create<nn::PowOp>(
                {n.constScalar(f64, 10),
                 n.create<nn::DivOp>({melPoints, n.constScalar(f64, 2595)})}),
            n.constScalar(f64, 1)})});
  Value bins = n.castTo(
      n.create<nn::FloorOp>({n.create<nn::DivOp>(
          {n.create<nn::MulOp>(
               {n.castTo(n.create<nn::AddOp>({dftLength, one}), f64), hz}),
           n.castTo(sampleRate, f64)})}),
      i64);
  // Edges of filter i: bins[i], bins[i + 1], bins[i + 2], as [1, M] rows.
  auto edge = [&](int64_t offset) {
    Value slice = n.create<nn::SliceOp>(
        {bins, n.constI64({offset}),
         n.create<nn::ReshapeOp>(
             {n.create<nn::AddOp>({melBins, n.constI64({offset}, true)}),
              n.constI64({1})})},
        {n.segments({1, 1, 1, 0, 0})});
    return n.castTo(
        n.create<nn::UnsqueezeOp>({slice}, {n.namedI64Array("axes", {0})}),
        f64);
  };
  Value left = edge(0), center = edge(1), right = edge(2);
  // Spectrogram bins j as a [J, 1] column.
  Value spectrogramBins = n.create<nn::AddOp>(
      {n.create<nn::DivOp>({dftLength, n.constI64({2}, true)}), one});
  Value j = n.castTo(n.create<nn::UnsqueezeOp>(
                         {n.create<nn::RangeOp>({zero, spectrogramBins, one})},
                         {n.namedI64Array("axes", {1})}),
                     f64);
  auto both = [&](Value a, Value b) { return n.create<nn::AndOp>({a, b}); };
  auto ge = [&](Value a, Value b) {
    return n.create<nn::GreaterEqualOp>({a, b});
  };
  auto le = [&](Value a, Value b) { return n.create<nn::LessEqualOp>({a, b}); };
  Value zeroF = n.constScalar(f64, 0), oneF = n.constScalar(f64, 1);
  Value rising = n.create<nn::SubOp>({center, left});
  Value falling = n.create<nn::SubOp>({right, center});
  Value up = n.create<nn::WhereOp>(
      {both(n.create<nn::GreaterOp>({rising, zeroF}),
            both(ge(j, left), le(j, center))),
       n.create<nn::DivOp>({n.create<nn::SubOp>({j, left}),
                            n.create<nn::MaxOp>({rising, oneF})}),
       n.create<nn::WhereOp>({both(n.create<nn::EqualOp>({rising, zeroF}),
                                   n.create<nn::EqualOp>({j, center})),
                              oneF, zeroF})});
  Value weights = n.create<nn::WhereOp>(
      {both(n.create<nn::GreaterOp>({falling, zeroF}),
            both(ge(j, center), n.create<nn::LessOp>({j, right}))),
       n.create<nn::DivOp>({n.create<nn::SubOp>({right, j}),
                            n.create<nn::MaxOp>({falling, oneF})}),
       up});
  return n.setOutput(n.castTo(weights, output));
}

void registerSignalConverters(ConverterRegistry &r) {
  r.add("MelWeightMatrix", convertMelWeightMatrix);
  r.add("DFT", convertDFT, 20);
  r.add("STFT", convertSTFT);
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
