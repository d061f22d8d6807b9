//===- Unique.cpp - ONNX Unique to nn -------------------------------------===//
//
// Unique, decomposed into nn ops around a stable sort:
//
//   rows      the input as [n, m]: its elements ([n, 1]) without `axis`, or
//             its slices along `axis` flattened (m static)
//   perm      the rows in lexicographic order, ties by lower index: one
//             stable nn.top_k (smallest first, k = n) per column, from the
//             last column to the first
//   first     1 where a sorted row differs from the one before it (and at 0)
//   p         nn.non_zero(first): where each run of equal rows starts, u of
//             them (the data-dependent output size)
//   Y         the sorted rows at p; indices = perm at p (a run's first row
//             has the lowest index: the sort is stable); counts = the next
//             start (or n) - p; inverse_indices[perm[j]] = cumsum(first)[j]
//             - 1 (a scatter)
//
// With sorted = 0 the unique rows are reordered by first occurrence (a
// sort of `indices`), and inverse_indices are mapped through the inverse of
// that order. The sorts are nn.top_k's: O(n log n) or worse per column.
//
//===----------------------------------------------------------------------===//

#include "frontends/onnx/GraphImporter.h"

#include "llvm/Support/FormatVariadic.h"

#include <limits>

using namespace mlir;

namespace ddl::onnx_import {

/// The largest slice Unique sorts by (one stable sort per element).
constexpr int64_t kMaxSliceElements = 1024;

static LogicalResult convertUnique(NodeContext &n) {
  Value x = n.input(0);
  RankedTensorType type = n.inputType(0);
  if (n.failed())
    return failure();
  int64_t rank = type.getRank();
  std::optional<int64_t> axis = n.attrInt("axis");
  bool sorted = n.attrInt("sorted", 1) != 0;
  if (axis) {
    if (*axis < -rank || *axis >= rank)
      return n.error(llvm::formatv(
          "attribute 'axis' is {0}, out of range for rank {1}", *axis, rank));
    if (*axis < 0)
      *axis += rank;
  }
  Type i64 = n.builder().getI64Type();
  auto axes = [&](ArrayRef<int64_t> v) { return n.namedI64Array("axes", v); };
  auto axisAttr = [&](int64_t v) { return n.namedI64("axis", v); };
  auto gather = [&](Value data, Value indices) {
    return n.create<nn::GatherOp>({data, indices}, {axisAttr(0)});
  };
  auto length = [&](Value v) {
    return n.create<nn::ShapeOfOp>(
        {v}, {n.namedI64("start", 0), n.namedI64("end", 1)});
  };
  /// Stable ascending order of the 1-D `key`: the permutation.
  auto stableOrder = [&](Value key) {
    Operation *topK = n.createOp<nn::TopKOp>(
        {key, length(key)}, {axisAttr(0), n.namedBool("largest", false),
                             n.namedBool("sorted", true)});
    return topK ? topK->getResult(1) : Value();
  };

  // Rows [n, m]: the slices along `axis` moved first and flattened.
  SmallVector<int64_t> perm, sliceShape;
  Value rows;
  int64_t columns = 1;
  if (axis) {
    perm.push_back(*axis);
    for (int64_t d = 0; d < rank; ++d)
      if (d != *axis) {
        perm.push_back(d);
        sliceShape.push_back(type.getDimSize(d));
        if (ShapedType::isDynamic(type.getDimSize(d)))
          return n.unsupported(llvm::formatv(
              "Unique along an axis of a tensor with dynamic dimensions "
              "besides the axis ({0})",
              type));
        if (type.getDimSize(d) >
            kMaxSliceElements / std::max<int64_t>(columns, 1))
          columns = kMaxSliceElements + 1;
        else
          columns *= type.getDimSize(d);
        if (columns > kMaxSliceElements)
          return n.unsupported(llvm::formatv(
              "Unique along an axis with slices of more than {0} elements "
              "(one sort per element; got {1})",
              kMaxSliceElements, type));
      }
    if (columns == 0)
      return n.unsupported(llvm::formatv(
          "Unique along an axis whose slices are empty ({0})", type));
    rows = n.create<nn::ReshapeOp>(
        {n.create<nn::TransposeOp>({x}, {n.namedI64Array("perm", perm)}),
         n.constI64({-1, columns})});
  } else {
    rows = n.create<nn::ReshapeOp>({x, n.constI64({-1, 1})});
  }
  auto column = [&](Value matrix, int64_t c) {
    Value slice = n.create<nn::SliceOp>(
        {matrix, n.constI64({c}), n.constI64({c + 1}), n.constI64({1})},
        {n.segments({1, 1, 1, 1, 0})});
    return n.create<nn::ReshapeOp>({slice, n.constI64({-1})});
  };

  // Lexicographic order, ties by lower index.
  Value order;
  for (int64_t c = columns - 1; c >= 0; --c) {
    Value key = column(rows, c);
    if (order)
      key = gather(key, order);
    Value step = stableOrder(key);
    order = order ? gather(order, step) : step;
  }
  Value sortedRows = gather(rows, order);

  // first[i]: row i of the sorted rows starts a run.
  Value count = length(rows);
  Value previous = n.create<nn::SliceOp>(
      {sortedRows, n.constI64({0}), n.constI64({-1}), n.constI64({0})},
      {n.segments({1, 1, 1, 1, 0})});
  Value next = n.create<nn::SliceOp>(
      {sortedRows, n.constI64({1}),
       n.constI64({std::numeric_limits<int64_t>::max()}), n.constI64({0})},
      {n.segments({1, 1, 1, 1, 0})});
  Value differs = n.create<nn::ReduceOp>(
      {n.castTo(n.create<nn::NotOp>({n.create<nn::EqualOp>({previous, next})}),
                i64)},
      {n.named("kind",
               nn::ReduceKindAttr::get(n.context(), nn::ReduceKind::Max)),
       axes({1}), n.namedBool("keepdims", false)});
  // (An empty input: no rows, no runs; the leading 1 is sliced off again.)
  Value first = n.create<nn::SliceOp>(
      {n.create<nn::ConcatOp>({n.constI64({1}), differs}, {axisAttr(0)}),
       n.constI64({0}), count, n.constI64({0})},
      {n.segments({1, 1, 1, 1, 0})});
  Value starts = n.create<nn::ReshapeOp>(
      {n.create<nn::NonZeroOp>({first}), n.constI64({-1})});

  Value unique = gather(sortedRows, starts);
  Value indices = gather(order, starts);
  Value ends = n.create<nn::ConcatOp>(
      {n.create<nn::SliceOp>({starts, n.constI64({1}),
                              n.constI64({std::numeric_limits<int64_t>::max()}),
                              n.constI64({0})},
                             {n.segments({1, 1, 1, 1, 0})}),
       count},
      {axisAttr(0)});
  Value counts = n.create<nn::SubOp>({ends, starts});
  Value group = n.create<nn::SubOp>(
      {n.create<nn::CumSumOp>({first, n.constI64({0}, true)}),
       n.constI64({1}, true)});
  auto scatterInto = [&](Value size, Value at, Value values) {
    Value zeros = n.create<nn::ConstantOfShapeOp>(
        {size}, {n.named("value", DenseElementsAttr::get(
                                      RankedTensorType::get({1}, i64),
                                      n.builder().getI64IntegerAttr(0)))});
    return n.create<nn::ScatterElementsOp>({zeros, at, values}, {axisAttr(0)});
  };
  Value inverse = scatterInto(count, order, group);

  if (!sorted) {
    // By first occurrence: unique row k goes to the rank of indices[k].
    Value byOccurrence = stableOrder(indices);
    unique = gather(unique, byOccurrence);
    indices = gather(indices, byOccurrence);
    counts = gather(counts, byOccurrence);
    Value uniqueCount = length(byOccurrence);
    Value positions = n.create<nn::RangeOp>(
        {n.constI64({0}, true),
         n.create<nn::ReshapeOp>({uniqueCount, n.constI64({})}),
         n.constI64({1}, true)});
    Value rankOf = scatterInto(uniqueCount, byOccurrence, positions);
    inverse = gather(rankOf, inverse);
  }

  // Y: [u] without an axis; else the slices' shape back, axis in place.
  Value y;
  if (axis) {
    SmallVector<int64_t> shape = {-1};
    shape.append(sliceShape);
    y = n.create<nn::ReshapeOp>({unique, n.constI64(shape)});
    SmallVector<int64_t> back(rank);
    for (int64_t d = 0; d < rank; ++d)
      back[perm[d]] = d;
    y = n.create<nn::TransposeOp>({y}, {n.namedI64Array("perm", back)});
  } else {
    y = n.create<nn::ReshapeOp>({unique, n.constI64({-1})});
  }
  return n.setOutputs({y, indices, inverse, counts});
}

void registerUniqueConverters(ConverterRegistry &r) {
  r.add("Unique", convertUnique);
}

} // namespace ddl::onnx_import
