//===- InitAll.h - register everything ddl provides -------------*- C++ -*-===//
//
// The one registration entry point: tools call these, and so does any
// compiler that embeds ddl, to get the same dialects and passes.
//
//===----------------------------------------------------------------------===//

#ifndef DDL_INITALL_H
#define DDL_INITALL_H

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace ddl {

/// Adds ddl's dialects and the upstream dialects its pipelines produce or
/// consume (func, arith, tensor, math, linalg, scf, memref, bufferization).
void registerAllDialects(mlir::DialectRegistry &registry);

/// Registers ddl's passes and the upstream general-purpose transforms
/// (canonicalize, cse, inline, ...) with the global pass registry. Once per
/// process: later calls (from the C API too) do nothing.
void registerAllPasses();

} // namespace ddl

#endif // DDL_INITALL_H
