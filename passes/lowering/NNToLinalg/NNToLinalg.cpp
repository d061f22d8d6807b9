//===- NNToLinalg.cpp - the convert-nn-to-linalg pass ---------------------===//
//
// See ConvertNNToLinalgPass in passes/lowering/Passes.td. The patterns live
// in one file per op family; this file runs them and lowers what is left of
// the nn types: function signatures and the boundary casts.
//
//===----------------------------------------------------------------------===//

#include "passes/lowering/NNToLinalg/Common.h"
#include "passes/lowering/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Transforms/DialectConversion.h"

namespace ddl::lowering {
#define GEN_PASS_DEF_CONVERTNNTOLINALGPASS
#include "passes/lowering/Passes.h.inc"
} // namespace ddl::lowering

using namespace mlir;
using namespace ddl;
using namespace ddl::lowering;

/// Name of the function attributes that keep the nn types of a public
/// function's arguments and results (symbols, unsignedness) after lowering:
/// the model descriptor is built from them.
static constexpr llvm::StringLiteral kInputTypesAttr = "ddl.input_types";
static constexpr llvm::StringLiteral kOutputTypesAttr = "ddl.output_types";
static constexpr llvm::StringLiteral kInputNamesAttr = "ddl.input_names";
static constexpr llvm::StringLiteral kOutputNamesAttr = "ddl.output_names";
/// The role of each argument and result in a sequence or optional
/// (nn-expand-sequences' `nn.io`; "" for a plain tensor).
static constexpr llvm::StringLiteral kInputKindsAttr = "ddl.input_kinds";
static constexpr llvm::StringLiteral kOutputKindsAttr = "ddl.output_kinds";

static ArrayAttr typeArray(Builder &b, TypeRange types) {
  SmallVector<Attribute> attrs;
  for (Type type : types)
    attrs.push_back(TypeAttr::get(type));
  return b.getArrayAttr(attrs);
}

/// Gives `func` lowered argument and result types; inside, the arguments
/// are cast back to their nn types until the boundary casts are folded.
static void lowerSignature(func::FuncOp func) {
  OpBuilder b(func.getContext());
  FunctionType type = func.getFunctionType();
  // A public function with results is a model entry point: the model
  // descriptor is built from what is recorded here.
  if (func.isPublic() && type.getNumResults() > 0 &&
      !func->hasAttr(kInputTypesAttr)) {
    func->setAttr(kInputTypesAttr, typeArray(b, type.getInputs()));
    func->setAttr(kOutputTypesAttr, typeArray(b, type.getResults()));
    // Names survive as function attributes: argument attributes do not
    // survive the expansion of memref arguments in the LLVM lowering.
    SmallVector<Attribute> inputNames, outputNames, inputKinds, outputKinds;
    auto kindOf = [&](StringAttr kind) {
      return kind ? kind : b.getStringAttr("");
    };
    for (unsigned i = 0; i < type.getNumInputs(); ++i) {
      auto name = func.getArgAttrOfType<StringAttr>(i, "nn.name");
      inputNames.push_back(name ? name : b.getStringAttr("input" + Twine(i)));
      inputKinds.push_back(
          kindOf(func.getArgAttrOfType<StringAttr>(i, "nn.io")));
    }
    for (unsigned i = 0; i < type.getNumResults(); ++i) {
      auto name = func.getResultAttrOfType<StringAttr>(i, "nn.name");
      outputNames.push_back(name ? name : b.getStringAttr("output" + Twine(i)));
      outputKinds.push_back(
          kindOf(func.getResultAttrOfType<StringAttr>(i, "nn.io")));
    }
    func->setAttr(kInputNamesAttr, b.getArrayAttr(inputNames));
    func->setAttr(kOutputNamesAttr, b.getArrayAttr(outputNames));
    func->setAttr(kInputKindsAttr, b.getArrayAttr(inputKinds));
    func->setAttr(kOutputKindsAttr, b.getArrayAttr(outputKinds));
    for (unsigned i = 0; i < type.getNumInputs(); ++i) {
      func.removeArgAttr(i, "nn.name");
      func.removeArgAttr(i, "nn.io");
    }
    for (unsigned i = 0; i < type.getNumResults(); ++i) {
      func.removeResultAttr(i, StringAttr::get(func.getContext(), "nn.name"));
      func.removeResultAttr(i, StringAttr::get(func.getContext(), "nn.io"));
    }
  }
  SmallVector<Type> inputs, results;
  for (Type t : type.getInputs())
    inputs.push_back(lowerType(t));
  for (Type t : type.getResults())
    results.push_back(lowerType(t));
  func.setFunctionType(FunctionType::get(func.getContext(), inputs, results));
  if (func.isExternal())
    return;
  Block &entry = func.getBody().front();
  b.setInsertionPointToStart(&entry);
  for (BlockArgument arg : entry.getArguments()) {
    Type nnType = arg.getType();
    Type lowered = lowerType(nnType);
    if (nnType == lowered)
      continue;
    arg.setType(lowered);
    auto cast =
        UnrealizedConversionCastOp::create(b, arg.getLoc(), nnType, arg);
    arg.replaceAllUsesExcept(cast.getResult(0), cast);
  }
  func.walk([&](func::ReturnOp ret) {
    b.setInsertionPoint(ret);
    for (OpOperand &operand : ret->getOpOperands())
      operand.set(toLowered(b, ret.getLoc(), operand.get()));
  });
}

/// Ops that still see nn-typed values (tensor.dim from shape reification,
/// tensor.cast from shape refinement, calls) get the lowered values and
/// lowered result types in place.
static void retypeRemainingUsers(ModuleOp module) {
  module.walk([](Operation *op) {
    if (isa<UnrealizedConversionCastOp>(op))
      return;
    for (OpOperand &operand : op->getOpOperands()) {
      auto cast = operand.get().getDefiningOp<UnrealizedConversionCastOp>();
      if (cast && cast->getNumOperands() == 1 &&
          cast->getOperand(0).getType() == lowerType(operand.get().getType()))
        operand.set(cast->getOperand(0));
    }
    if (isa<func::FuncOp>(op))
      return;
    for (OpResult result : op->getResults())
      result.setType(lowerType(result.getType()));
    for (Region &region : op->getRegions())
      for (Block &block : region)
        for (BlockArgument arg : block.getArguments())
          arg.setType(lowerType(arg.getType()));
  });
}

namespace {
struct ConvertNNToLinalgPass final
    : lowering::impl::ConvertNNToLinalgPassBase<ConvertNNToLinalgPass> {
  using Base::Base;
  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *context = &getContext();

    RewritePatternSet patterns(context);
    populateElementwisePatterns(patterns);
    populateContractionPatterns(patterns, transposeRuntimeRhs);
    populateConvolutionPatterns(patterns, halfGemmConvolutions);
    populatePoolingPatterns(patterns);
    populateReductionPatterns(patterns);
    populateDataMovementPatterns(patterns);
    populateControlFlowPatterns(patterns);
    populateIndexingPatterns(patterns);

    ConversionTarget target(*context);
    target.addIllegalDialect<nn::NNDialect>();
    // Terminators move with their regions when nn.if/nn.loop lower.
    target.addDynamicallyLegalOp<nn::YieldOp>([](nn::YieldOp op) {
      return isa_and_nonnull<nn::NNDialect>(op->getParentOp()->getDialect());
    });
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    if (failed(applyPartialConversion(module, target, std::move(patterns))))
      return signalPassFailure();

    module.walk([](func::FuncOp func) { lowerSignature(func); });
    retypeRemainingUsers(module);

    SmallVector<UnrealizedConversionCastOp> casts;
    module.walk([&](UnrealizedConversionCastOp op) { casts.push_back(op); });
    SmallVector<UnrealizedConversionCastOp> live;
    reconcileUnrealizedCasts(casts, &live);
    for (UnrealizedConversionCastOp cast : live) {
      cast.emitError("nn-typed value still used after lowering to linalg");
      signalPassFailure();
    }
  }
};
} // namespace
