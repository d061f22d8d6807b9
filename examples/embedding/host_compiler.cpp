//===- host_compiler.cpp - (b) a C++ compiler that embeds ddl -------------===//
//
// A "host compiler" with its own MLIRContext: it registers its own
// dialects (func, arith) and ddl's, parses a module in which a function of
// its own (func.call, arith.constant) uses ddl's nn ops, inspects the nn
// ops through ddl's dialect headers, lowers the module with ddl's C++ API
// to a shared object, and runs that through ddl's runtime to check the
// numbers.
//
//   host_compiler out.so
//
//===----------------------------------------------------------------------===//

#include "ddl/Compiler.h"
#include "ddl/Diagnostics.h"
#include "ddl/InitAll.h"
#include "dialects/nn/NNDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include "example_support.h"

#include <cstdio>
#include <vector>

// y = relu(x @ w * 2 + b): the scale and bias are the host's arith
// constants, the contraction and activation ddl's nn ops, in a helper the
// public entry calls.
static const char *kModule = R"mlir(
func.func private @dense(%x: tensor<4x8xf32>, %w: tensor<8x3xf32>) -> tensor<4x3xf32> {
  %y = nn.matmul %x, %w : (tensor<4x8xf32>, tensor<8x3xf32>) -> tensor<4x3xf32>
  %scale = arith.constant dense<2.0> : tensor<f32>
  %scaled = nn.mul %y, %scale : (tensor<4x3xf32>, tensor<f32>) -> tensor<4x3xf32>
  return %scaled : tensor<4x3xf32>
}
func.func @main(%x: tensor<4x8xf32>) -> tensor<4x3xf32> {
  %w = arith.constant dense<[[1.0, 0.0, -1.0], [0.5, 1.0, 0.0], [0.0, 0.5, 1.0],
                             [1.0, 1.0, 1.0], [-1.0, 0.0, 0.5], [0.0, -0.5, 0.0],
                             [0.25, 0.0, 0.0], [0.0, 0.0, -0.25]]> : tensor<8x3xf32>
  %b = arith.constant dense<[0.5, -1.0, 0.0]> : tensor<3xf32>
  %d = func.call @dense(%x, %w) : (tensor<4x8xf32>, tensor<8x3xf32>) -> tensor<4x3xf32>
  %s = nn.add %d, %b : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
  %r = nn.relu %s : (tensor<4x3xf32>) -> tensor<4x3xf32>
  return %r : tensor<4x3xf32>
}
)mlir";

int main(int argc, char **argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s out.so\n", argv[0]);
    return 2;
  }
  // The host's dialects, then ddl's (and the upstream ones it lowers to).
  mlir::DialectRegistry registry;
  registry.insert<mlir::func::FuncDialect, mlir::arith::ArithDialect>();
  ddl::registerAllDialects(registry);
  ddl::registerAllPasses();
  mlir::MLIRContext context(registry);

  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceString<mlir::ModuleOp>(kModule, &context);
  if (!module)
    return 1;
  int nnOps = 0, matmuls = 0, arithOps = 0;
  module->walk([&](mlir::Operation *op) {
    if (llvm::isa<ddl::nn::MatMulOp>(op))
      ++matmuls;
    llvm::StringRef dialect = op->getName().getDialectNamespace();
    nnOps += dialect == "nn";
    arithOps += dialect == "arith";
  });
  std::printf("parsed: %d nn ops (%d nn.matmul), %d arith ops\n", nnOps,
              matmuls, arithOps);

  // ddl's diagnostics handler: errors name their source, as in ddlc.
  ddl::CompilerDiagnostics diagnostics(context, llvm::errs());
  diagnostics.setStage(ddl::CompilerDiagnostics::Stage::Compile);
  ddl::CompileOptions options;
  if (mlir::failed(ddl::compileToSharedObject(*module, options, argv[1],
                                              /*headerPath=*/"")))
    return 1;
  std::printf("compiled %s\n", argv[1]);

  // The same computation on the host, for the check.
  const float w[8][3] = {{1, 0, -1},   {0.5, 1, 0},  {0, 0.5, 1},
                         {1, 1, 1},    {-1, 0, 0.5}, {0, -0.5, 0},
                         {0.25, 0, 0}, {0, 0, -0.25}};
  const float b[3] = {0.5, -1, 0};
  std::vector<float> x(4 * 8), expected(4 * 3);
  for (int i = 0; i < 32; ++i)
    x[i] = static_cast<float>((i * 7) % 11) - 5.0f;
  for (int r = 0; r < 4; ++r)
    for (int c = 0; c < 3; ++c) {
      float sum = 0;
      for (int k = 0; k < 8; ++k)
        sum += x[r * 8 + k] * w[k][c];
      float v = sum * 2 + b[c];
      expected[r * 3 + c] = v > 0 ? v : 0;
    }
  const int64_t dims[2] = {4, 8};
  return example_run_and_check(argv[1], x.data(), 2, dims, expected.data(),
                               expected.size());
}
