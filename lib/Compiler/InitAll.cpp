//===- InitAll.cpp - register everything ddl provides ---------------------===//

#include "ddl/InitAll.h"

#include "dialects/nn/NNDialect.h"
#include "passes/graph/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Transforms/Passes.h"

void ddl::registerAllDialects(mlir::DialectRegistry &registry) {
  registry.insert<nn::NNDialect, mlir::arith::ArithDialect,
                  mlir::bufferization::BufferizationDialect,
                  mlir::func::FuncDialect, mlir::linalg::LinalgDialect,
                  mlir::math::MathDialect, mlir::memref::MemRefDialect,
                  mlir::scf::SCFDialect, mlir::tensor::TensorDialect>();
}

void ddl::registerAllPasses() {
  mlir::registerTransformsPasses();
  // Resolves tensor.dim of op results through ReifyRankedShapedTypeOpInterface:
  // how dynamic shapes of nn ops become index computations.
  mlir::memref::registerResolveRankedShapeTypeResultDimsPass();
  graph::registerGraphPasses();
}
