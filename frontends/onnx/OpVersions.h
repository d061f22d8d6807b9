//===- OpVersions.h - default-domain op versions past ONNX 1.12 -*- C++ -*-===//
//
// ddl links ONNX 1.12's libonnx, whose op schemas stop at opset 17. Models
// of opsets 18 to 21 (ONNX 1.13 to 1.16) are imported all the same: an op
// that did not change after opset 17 means at opset 21 what libonnx's
// schema says, and the ops that did change are listed here, from the op-set
// tables of ONNX 1.16 (onnx/defs/operator_sets.h), with what changed. The
// importer refuses a node whose op's version at the model's opset is newer
// than its converter implements, and hides the changed ops from libonnx's
// checker and shape inference, which would judge them by the opset-17
// schema.
//
//===----------------------------------------------------------------------===//

#ifndef DDL_FRONTENDS_ONNX_OPVERSIONS_H
#define DDL_FRONTENDS_ONNX_OPVERSIONS_H

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>

namespace ddl::onnx_import {

/// The newest default-domain opset whose schemas libonnx (ONNX 1.12) has.
constexpr int64_t kLibOnnxOpset = 17;

/// One default-domain op version introduced after kLibOnnxOpset.
struct NewerOpVersion {
  llvm::StringLiteral opType;
  int64_t version;
  /// What changed from the previous version, for diagnostics.
  llvm::StringLiteral change;
  /// True when the version only admits element types (float8, int4,
  /// string, bool) or attribute values, so that the previous schema still
  /// checks a node's structure and infers its shapes: libonnx may judge it.
  bool sameSchema;
  /// The one attribute the version adds, when that is all it changes: a
  /// node without it is the previous version (libonnx may judge it).
  llvm::StringLiteral newAttribute = "";
};

/// The newest version of `opType` introduced in (kLibOnnxOpset, opset],
/// or null when the op did not change after kLibOnnxOpset (then libonnx's
/// schema is the one `opset` selects).
const NewerOpVersion *newerOpVersion(llvm::StringRef opType, int64_t opset);

/// True when libonnx's opset-17 schema of `opType` checks and infers a node
/// of it as `opset` defines it: the op did not change, or every change
/// admits new types or attribute values only, or adds an attribute that the
/// node does not have (`hasAttribute` says which it has).
bool libOnnxSchemaApplies(
    llvm::StringRef opType, int64_t opset,
    llvm::function_ref<bool(llvm::StringRef)> hasAttribute);

} // namespace ddl::onnx_import

#endif // DDL_FRONTENDS_ONNX_OPVERSIONS_H
