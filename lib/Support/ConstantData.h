//===- ConstantData.h - the elements of large constants -----------*- C++
//-*-===//
//
// Passes that rearrange weights at compile time (packing for the GEMM
// kernels, permuting convolution filters) read constants that may be
// dense elements or dense resource blobs (the importers' form for large
// tensors) and write the result as a new resource blob.
//
//===----------------------------------------------------------------------===//

#ifndef DDL_LIB_SUPPORT_CONSTANTDATA_H
#define DDL_LIB_SUPPORT_CONSTANTDATA_H

#include "mlir/IR/BuiltinAttributeInterfaces.h"
#include "mlir/IR/BuiltinTypes.h"

#include <vector>

namespace ddl {

/// The `count` elements of an f32 constant, or failure when they are not
/// available (an elided resource, a size mismatch, another element type).
llvm::LogicalResult readF32Elements(mlir::ElementsAttr attr, int64_t count,
                                    std::vector<float> &values);

/// The `count` elements of an i1 constant (a resource holds one byte per
/// element, as ONNX stores booleans), or failure as readF32Elements.
llvm::LogicalResult readBoolElements(mlir::ElementsAttr attr, int64_t count,
                                     std::vector<bool> &values);

/// The `count` elements of an 8-bit integer constant, as bytes.
llvm::LogicalResult readI8Elements(mlir::ElementsAttr attr, int64_t count,
                                   std::vector<int8_t> &values);

/// The `count` elements of a 16-bit constant (i16, bf16 or f16), as their
/// bits.
llvm::LogicalResult readHalfElements(mlir::ElementsAttr attr, int64_t count,
                                     std::vector<uint16_t> &values);

/// `values` as a dense resource named `name` (uniqued by the context) of
/// f32 `type`.
mlir::ElementsAttr f32Resource(mlir::RankedTensorType type,
                               llvm::StringRef name,
                               llvm::ArrayRef<float> values);

/// `values` as a dense resource named `name` of i8 `type`.
mlir::ElementsAttr i8Resource(mlir::RankedTensorType type, llvm::StringRef name,
                              llvm::ArrayRef<int8_t> values);

/// 16-bit elements (their bit patterns: i16, bf16 or f16 `type`) as a dense
/// resource named `name`.
mlir::ElementsAttr halfResource(mlir::RankedTensorType type,
                                llvm::StringRef name,
                                llvm::ArrayRef<uint16_t> bits);

} // namespace ddl

#endif // DDL_LIB_SUPPORT_CONSTANTDATA_H
