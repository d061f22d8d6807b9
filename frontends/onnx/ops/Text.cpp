//===- Text.cpp - ONNX text-feature ops to nn -----------------------------===//
//
// TfIdfVectorizer over integer token ids, counted as ONNX Runtime counts:
// per row, for each skip distance d = 1 .. max_skip_count + 1 and each
// start position, the n-grams of lengths [min_gram_length,
// max_gram_length] made of the tokens d apart; unigrams only once (the
// skip distance does not change them). A pool n-gram's count is the
// number of positions whose n-gram equals it: for each (n, d), the n
// shifted slices of the row compared with the pool's n-grams of that
// length ([rows, positions, pool n-grams] booleans, all-of over the n
// tokens, summed over the positions). The counts are then added into their
// output columns (ngram_indexes) with a scatter.
//
// That is O(positions x pool) comparisons per (n, d): fine for the pools of
// a few thousand n-grams text classifiers carry, quadratic where a hash
// lookup would not be. String pools (pool_strings) are refused: ddl has no
// string tensors.
//
//===----------------------------------------------------------------------===//

#include "frontends/onnx/GraphImporter.h"

#include "llvm/Support/FormatVariadic.h"

#include <limits>

using namespace mlir;

namespace ddl::onnx_import {

/// A bound on the output columns (ngram_indexes entries), far above any
/// vocabulary, that keeps the column count from overflowing.
constexpr int64_t kMaxColumns = int64_t(1) << 40;

/// The largest max_skip_count taken (after dropping the skips that cannot
/// fit a row of static length).
constexpr int64_t kMaxSkip = 256;

static LogicalResult convertTfIdfVectorizer(NodeContext &n) {
  Value input = n.input(0);
  RankedTensorType type = n.inputType(0);
  if (n.failed())
    return failure();
  if (n.hasAttr("pool_strings"))
    return n.unsupported("pool_strings: ddl has no string tensors (pools of "
                         "int64 token ids, pool_int64s, are supported)");
  if (!type.getElementType().isInteger(32) &&
      !type.getElementType().isInteger(64))
    return n.error(llvm::formatv("the input must hold int32 or int64 token "
                                 "ids, got {0}",
                                 type));
  if (type.getRank() != 1 && type.getRank() != 2)
    return n.error(llvm::formatv(
        "the input must be [C] or [N, C] (rank 1 or 2), got {0}", type));
  std::string mode = n.attrString("mode", "");
  int64_t minGram = n.attrInt("min_gram_length", 0);
  int64_t maxGram = n.attrInt("max_gram_length", 0);
  int64_t maxSkip = n.attrInt("max_skip_count", -1);
  auto counts = n.attrInts("ngram_counts");
  auto indexes = n.attrInts("ngram_indexes");
  auto pool = n.attrInts("pool_int64s");
  auto weights = n.attrFloats("weights");
  if (n.failed())
    return failure();
  if (mode != "TF" && mode != "IDF" && mode != "TFIDF")
    return n.error("attribute 'mode' must be TF, IDF or TFIDF, got '" + mode +
                   "'");
  if (minGram < 1 || maxGram < minGram)
    return n.error(llvm::formatv(
        "needs 1 <= min_gram_length <= max_gram_length, got {0} and {1}",
        minGram, maxGram));
  if (maxSkip < 0)
    return n.error(llvm::formatv(
        "attribute 'max_skip_count' must be >= 0, got {0}", maxSkip));
  // Skips that put an n-gram's second token past the row's end count
  // nothing: with a static row length, distances stop there.
  int64_t rowLength = type.getDimSize(type.getRank() - 1);
  if (!ShapedType::isDynamic(rowLength))
    maxSkip = std::min(maxSkip, std::max<int64_t>(rowLength - 2, 0));
  if (maxSkip > kMaxSkip)
    return n.unsupported(llvm::formatv(
        "max_skip_count {0} (at most {1} skips that fit the row: each skip "
        "distance is its own comparison)",
        maxSkip, kMaxSkip));
  if (!counts || !indexes || !pool)
    return n.error("attributes 'ngram_counts', 'ngram_indexes' and "
                   "'pool_int64s' are required");
  if (int64_t(counts->size()) < maxGram)
    return n.error(llvm::formatv(
        "'ngram_counts' must give the pool offset of each n-gram length up "
        "to max_gram_length ({0}), got {1} entries",
        maxGram, counts->size()));

  // The pool's n-grams by length: offsets ngram_counts[n - 1] to the next
  // length's (or the pool's end); every n-gram has an output column.
  int64_t poolSize = pool->size();
  std::vector<std::vector<ArrayRef<int64_t>>> grams(counts->size() + 1);
  int64_t totalGrams = 0;
  for (int64_t len = 1; len <= int64_t(counts->size()); ++len) {
    int64_t begin = (*counts)[len - 1];
    int64_t end = len < int64_t(counts->size()) ? (*counts)[len] : poolSize;
    if (begin < 0 || end < begin || end > poolSize || (end - begin) % len)
      return n.error(llvm::formatv(
          "'ngram_counts' entry {0} ({1} to {2}) is not a run of {0}-grams "
          "inside the pool of {3} ids",
          len, begin, end, poolSize));
    for (int64_t at = begin; at < end; at += len, ++totalGrams)
      grams[len].push_back(ArrayRef<int64_t>(*pool).slice(at, len));
  }
  if (int64_t(indexes->size()) != totalGrams)
    return n.error(llvm::formatv(
        "'ngram_indexes' must have one entry per pool n-gram ({0}), got {1}",
        totalGrams, indexes->size()));
  if (weights && int64_t(weights->size()) != totalGrams)
    return n.error(llvm::formatv(
        "'weights' must have one entry per pool n-gram ({0}), got {1}",
        totalGrams, weights->size()));
  int64_t columns = 0;
  for (int64_t index : *indexes) {
    if (index < 0 || index >= kMaxColumns)
      return n.error(
          llvm::formatv("'ngram_indexes' entries must be in [0, {0}), got {1}",
                        kMaxColumns, index));
    columns = std::max(columns, index + 1);
  }

  int64_t axis = type.getRank() - 1;
  Type f32 = n.builder().getF32Type();
  Value ids = n.castTo(input, n.builder().getI64Type());
  // Tokens k d apart from every start position: the slice [k d, C - (n -
  // 1 - k) d) of the row (empty, for every k alike, when the row is
  // shorter than the n-gram's span).
  auto shifted = [&](int64_t k, int64_t len, int64_t d) {
    int64_t tail = (len - 1 - k) * d;
    int64_t end = tail == 0 ? std::numeric_limits<int64_t>::max() : -tail;
    return n.create<nn::SliceOp>(
        {ids, n.constI64({k * d}), n.constI64({end}), n.constI64({axis})},
        {n.segments({1, 1, 1, 1, 0})});
  };
  // Zeros [..., count]: for the pool n-grams of a length outside
  // [min_gram_length, max_gram_length], which are never counted, and the
  // output the counts are added into.
  auto zeros = [&](int64_t count) {
    Value shape = n.constI64({count});
    if (axis == 1)
      shape = n.create<nn::ConcatOp>(
          {n.create<nn::ShapeOfOp>(
               {ids}, {n.namedI64("start", 0), n.namedI64("end", 1)}),
           shape},
          {n.namedI64("axis", 0)});
    return n.create<nn::ConstantOfShapeOp>(
        {shape}, {n.named("value", DenseElementsAttr::get(
                                       RankedTensorType::get({1}, f32),
                                       n.builder().getF32FloatAttr(0)))});
  };
  // The counts of the pool n-grams, in pool order, length by length.
  SmallVector<Value> parts;
  for (int64_t len = 1; len < int64_t(grams.size()); ++len) {
    if (grams[len].empty())
      continue;
    if (len < minGram || len > maxGram) {
      parts.push_back(zeros(grams[len].size()));
      continue;
    }
    Value total;
    // Unigrams do not depend on the skip distance: counted once.
    int64_t distances = len == 1 ? 1 : maxSkip + 1;
    for (int64_t d = 1; d <= distances; ++d) {
      Value all;
      for (int64_t k = 0; k < len; ++k) {
        SmallVector<int64_t> column;
        for (ArrayRef<int64_t> gram : grams[len])
          column.push_back(gram[k]);
        Value tokens = n.create<nn::UnsqueezeOp>(
            {shifted(k, len, d)}, {n.namedI64Array("axes", {axis + 1})});
        Value equal = n.create<nn::EqualOp>({tokens, n.constI64(column)});
        all = all ? n.create<nn::AndOp>({all, equal}) : equal;
      }
      Value count = n.create<nn::ReduceOp>(
          {n.castTo(all, f32)},
          {n.named("kind",
                   nn::ReduceKindAttr::get(n.context(), nn::ReduceKind::Sum)),
           n.namedI64Array("axes", {axis}), n.namedBool("keepdims", false)});
      total = total ? n.create<nn::AddOp>({total, count}) : count;
    }
    parts.push_back(total);
  }
  Value tf = parts.size() == 1
                 ? parts.front()
                 : n.create<nn::ConcatOp>(parts, {n.namedI64("axis", axis)});
  if (n.failed())
    return failure();

  // IDF: the n-gram's weight where it occurs; TFIDF: count x weight.
  if (mode != "TF") {
    SmallVector<float> w =
        weights ? *weights : SmallVector<float>(totalGrams, 1.0f);
    Value weightValues = nn::ConstantOp::create(
        n.builder(), n.loc(),
        DenseElementsAttr::get(RankedTensorType::get({totalGrams}, f32),
                               ArrayRef<float>(w)));
    if (mode == "IDF")
      tf = n.create<nn::WhereOp>(
          {n.create<nn::GreaterOp>({tf, n.constScalar(f32, 0)}), weightValues,
           n.constScalar(f32, 0)});
    else
      tf = n.create<nn::MulOp>({tf, weightValues});
  }
  // To the output columns: zeros [..., columns], pool n-gram p's value
  // added at column ngram_indexes[p].
  Value columnIndex = n.constI64(*indexes);
  if (axis == 1)
    columnIndex = n.create<nn::ExpandOp>(
        {columnIndex,
         n.create<nn::ConcatOp>(
             {n.create<nn::ShapeOfOp>(
                  {ids}, {n.namedI64("start", 0), n.namedI64("end", 1)}),
              n.constI64({totalGrams})},
             {n.namedI64("axis", 0)})});
  return n.setOutput(n.create<nn::ScatterElementsOp>(
      {zeros(columns), columnIndex, tf},
      {n.namedI64("axis", axis),
       n.named("reduction", nn::ScatterReductionAttr::get(
                                n.context(), nn::ScatterReduction::Add))}));
}

/// StringNormalizer: nn.string_normalize. The locale only matters for
/// case changes beyond ASCII, which ddl does not make (documented).
static LogicalResult convertStringNormalizer(NodeContext &n) {
  Value input = n.anyInput(0);
  if (n.failed())
    return failure();
  auto type = dyn_cast<RankedTensorType>(input.getType());
  if (!type || !isa<nn::StringType>(type.getElementType()))
    return n.error("input #0 must be a string tensor");
  if (type.getRank() < 1 || type.getRank() > 2 ||
      (type.getRank() == 2 && type.getDimSize(0) != 1))
    return n.error(llvm::formatv("the input is {0}; StringNormalizer takes "
                                 "[C] or [1, C]",
                                 type));
  std::string action = n.attrString("case_change_action", "NONE");
  int64_t caseChange = action == "NONE"    ? 0
                       : action == "LOWER" ? 1
                       : action == "UPPER" ? 2
                                           : -1;
  if (caseChange < 0)
    return n.error("case_change_action must be NONE, LOWER or UPPER, not '" +
                   action + "'");
  SmallVector<std::string> stopwords =
      n.attrStrings("stopwords").value_or(SmallVector<std::string>{});
  SmallVector<Attribute> words;
  for (const std::string &w : stopwords)
    words.push_back(n.builder().getStringAttr(w));
  SmallVector<int64_t> shape(type.getShape());
  shape.back() = ShapedType::kDynamic;
  auto resultType = RankedTensorType::get(shape, type.getElementType());
  Operation *op = n.verifyCreated(nn::StringNormalizeOp::create(
      n.builder(), n.loc(), resultType, input, n.builder().getArrayAttr(words),
      caseChange, n.attrInt("is_case_sensitive", 0) != 0));
  return n.setOutput(op ? op->getResult(0) : Value());
}

void registerTextConverters(ConverterRegistry &r) {
  r.add("StringNormalizer", convertStringNormalizer);
  r.add("TfIdfVectorizer", convertTfIdfVectorizer);
}

} // namespace ddl::onnx_import
