//===- NNDialect.h - graph dialect declaration ------------------*- C++ -*-===//
//
// The `nn` dialect, its attributes (#nn.dims and the enums) and its
// operations. Include this one header to use the dialect.
//
//===----------------------------------------------------------------------===//

#ifndef DDL_DIALECTS_NN_NNDIALECT_H
#define DDL_DIALECTS_NN_NNDIALECT_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/TensorEncoding.h"

#include "dialects/nn/NNDialect.h.inc"
#include "dialects/nn/NNEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/nn/NNAttrs.h.inc"

#define GET_TYPEDEF_CLASSES
#include "dialects/nn/NNTypes.h.inc"

namespace ddl::nn {
/// The #nn.dims encoding for `sizes`/`symbols` (empty symbols mean none),
/// or a null attribute when no dynamic dim has a symbol.
DimsAttr getDimsEncoding(mlir::MLIRContext *context,
                         llvm::ArrayRef<int64_t> sizes,
                         llvm::ArrayRef<mlir::StringAttr> symbols);
/// The symbol of dimension `dim` of `type`, or null.
mlir::StringAttr getDimSymbol(mlir::RankedTensorType type, unsigned dim);
/// True for the types nn values have besides tensors: !nn.seq, !nn.optional.
inline bool isSequenceOrOptional(mlir::Type type) {
  return llvm::isa<SequenceType, OptionalType>(type);
}
} // namespace ddl::nn

#include "dialects/nn/NNOps.h"

#endif // DDL_DIALECTS_NN_NNDIALECT_H
