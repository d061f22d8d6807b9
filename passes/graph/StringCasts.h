//===- StringCasts.h - strings to numbers and back, element by element ----===//
//
// The element-wise halves of casts between string tensors and numbers, for
// nn-expand-sequences: string tensors are their lengths and bytes there
// (see NNExpandSequencesPass), and these build the linalg.generic ops that
// parse or print one element per iteration.
//
//===----------------------------------------------------------------------===//

#ifndef DDL_PASSES_GRAPH_STRINGCASTS_H
#define DDL_PASSES_GRAPH_STRINGCASTS_H

#include "mlir/IR/Builders.h"

namespace ddl::graph {

/// Parses each string (its length and the offset of its first byte in
/// `bytes`, i8) as a decimal or scientific number, or nan / inf /
/// infinity (any case, signed), surrounded by optional white space.
/// Returns the values as `elementType` (a float or integer type; the
/// shape is `lengths`') and an i1 tensor, true where the string parsed.
/// Values are computed in f64 and rounded once more to a narrower float.
std::pair<mlir::Value, mlir::Value>
parseNumbers(mlir::OpBuilder &b, mlir::Location loc, mlir::Value lengths,
             mlir::Value offsets, mlir::Value bytes, mlir::Type elementType);

/// The widest string formatNumbers writes.
constexpr int64_t kMaxNumberChars = 32;

/// Prints each float of `values` the way numpy prints it (the shortest
/// digits that read back to the same value; positional from 1e-4 to 1e16
/// with at least one decimal, scientific otherwise; nan, inf, -inf). The
/// digits are found in double precision: exact for float32 and smaller,
/// while a double beyond 1e+-22 may differ from numpy in its 17th digit.
/// Returns the characters, i8 `values`' shape x kMaxNumberChars, and each
/// string's length (i64, `values`' shape).
std::pair<mlir::Value, mlir::Value>
formatNumbers(mlir::OpBuilder &b, mlir::Location loc, mlir::Value values);

} // namespace ddl::graph

#endif // DDL_PASSES_GRAPH_STRINGCASTS_H
