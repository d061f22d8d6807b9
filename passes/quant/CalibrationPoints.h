//===- CalibrationPoints.h - activations static int8 calibrates -*- C++ -*-===//
//
// Static int8 quantization (`ddlc --quantize=int8 --calibration DIR`)
// fixes each quantized layer's activation scale at compile time from the
// range the float model's activation takes on calibration inputs. Two
// compilations of one model meet here. Before either runs its pipeline,
// markCalibrationPoints numbers the layers (an attribute, which copies of
// a layer, such as nn-specialize-shapes' per-size copies, keep). The
// calibration compilation, a float copy of the model, returns each
// numbered layer's activation (nn-expose-calibration-points) and is run
// on the samples; the real one hands the measured ranges to
// nn-quantize-int8 (`activation-ranges`), which finds them by number.
//
//===----------------------------------------------------------------------===//

#ifndef DDL_PASSES_QUANT_CALIBRATIONPOINTS_H
#define DDL_PASSES_QUANT_CALIBRATIONPOINTS_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/StringRef.h"

#include <optional>
#include <string>

namespace ddl::quant {

/// The attribute (i64) that numbers a calibration point's layer.
constexpr llvm::StringLiteral kCalibrationPointAttr = "ddl.calibration_point";

/// The prefix of the names (nn.name) of the results that return the
/// points' activations: `ddl_calibration_<number>`.
constexpr llvm::StringLiteral kCalibrationOutputPrefix = "ddl_calibration_";

/// The model's entry function (public, with a body and results), or null.
mlir::func::FuncOp modelEntry(mlir::ModuleOp module);

/// The activation a layer nn-quantize-int8 may take would quantize: an
/// nn.conv's input, an nn.matmul's left operand, an nn.gemm's A (without
/// transA); null for other ops and for activations that are not f32.
mlir::Value layerActivation(mlir::Operation *op);

/// Numbers the layers directly in the entry function's body that have a
/// layerActivation, in order from 0, and returns how many. Whether a layer
/// is then quantized (constant weights, sizes, `keep`) does not matter: a
/// point that is not is measured for nothing. Layers in nested regions
/// (loop and branch bodies) get no number; they keep run-time scales.
unsigned markCalibrationPoints(mlir::ModuleOp module);

/// A layer's number, if it has one.
std::optional<int64_t> calibrationPoint(mlir::Operation *op);

} // namespace ddl::quant

#endif // DDL_PASSES_QUANT_CALIBRATIONPOINTS_H
