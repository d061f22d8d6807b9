//===- SpecializeShapes.cpp - entry points copied for chosen sizes --------===//
//
// See NNSpecializeShapesPass in Passes.td. The copies live in the branches
// of nn.if ops in the same function: branches go through the same
// pipeline as straight-line code (their kernels get the same schedules,
// their buffers the arena's nested area), so the entry point, its
// signature and the model ABI stay one.
//
//===----------------------------------------------------------------------===//

#include "passes/dynamic/Passes.h"

#include "dialects/nn/NNDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/StringExtras.h"

namespace ddl::dynamic {
#define GEN_PASS_DEF_NNSPECIALIZESHAPESPASS
#include "passes/dynamic/Passes.h.inc"
} // namespace ddl::dynamic

using namespace mlir;
using namespace ddl;

namespace {

/// One symbol and the sizes to specialize it for.
struct SymbolSizes {
  std::string symbol;
  SmallVector<int64_t> sizes;
};

/// Parses `batch=1,8,32;seq=128`; on failure `error` says why.
static std::optional<SmallVector<SymbolSizes>> parseSizes(StringRef text,
                                                          std::string &error) {
  SmallVector<SymbolSizes> result;
  SmallVector<StringRef> groups;
  text.split(groups, ';', -1, /*KeepEmpty=*/false);
  for (StringRef group : groups) {
    auto [rawName, list] = group.split('=');
    StringRef name = rawName.trim();
    if (name.empty() || list.trim().empty()) {
      error = ("'" + group.trim() +
               "' is not symbol=size,size,... (e.g. batch=1,8,32)")
                  .str();
      return std::nullopt;
    }
    if (llvm::any_of(result,
                     [&](const SymbolSizes &s) { return s.symbol == name; })) {
      error = ("symbol '" + name + "' is specialized twice").str();
      return std::nullopt;
    }
    SymbolSizes entry{name.str(), {}};
    SmallVector<StringRef> items;
    list.split(items, ',', -1, /*KeepEmpty=*/true);
    for (StringRef item : items) {
      int64_t size = 0;
      if (item.trim().getAsInteger(10, size) || size < 1) {
        error = ("size '" + item.trim() + "' of '" + name +
                 "' is not an integer >= 1")
                    .str();
        return std::nullopt;
      }
      if (llvm::is_contained(entry.sizes, size)) {
        error =
            ("size " + Twine(size) + " of '" + name + "' is repeated").str();
        return std::nullopt;
      }
      entry.sizes.push_back(size);
    }
    result.push_back(std::move(entry));
  }
  return result;
}

/// Where an input dimension carries a symbol: (argument, dimension).
struct SymbolUse {
  unsigned arg;
  unsigned dim;
};

static std::optional<SymbolUse> findSymbol(func::FuncOp func,
                                           StringRef symbol) {
  for (BlockArgument arg : func.getArguments()) {
    auto type = dyn_cast<RankedTensorType>(arg.getType());
    if (!type)
      continue;
    for (unsigned d = 0; d < type.getRank(); ++d)
      if (StringAttr s = nn::getDimSymbol(type, d); s && s.getValue() == symbol)
        return SymbolUse{arg.getArgNumber(), d};
  }
  return std::nullopt;
}

/// The symbols the inputs of `func` name, for a diagnostic.
static std::string inputSymbols(func::FuncOp func) {
  SmallVector<std::string> names;
  for (BlockArgument arg : func.getArguments())
    if (auto type = dyn_cast<RankedTensorType>(arg.getType()))
      for (unsigned d = 0; d < type.getRank(); ++d)
        if (StringAttr s = nn::getDimSymbol(type, d))
          if (!llvm::is_contained(names, s.str()))
            names.push_back(s.str());
  return names.empty() ? "none" : llvm::join(names, ", ");
}

struct Specializer {
  mutable func::FuncOp func; // MLIR's op handles have no const accessors
  SmallVector<SymbolSizes> symbols;
  SmallVector<SymbolUse> uses;
  // One size per symbol for each combination, in the order guarded.
  SmallVector<SmallVector<int64_t>> cases;

  /// `type` with every dimension named by a specialized symbol set to the
  /// combination's size.
  Type specializedType(Type type, ArrayRef<int64_t> sizes) const {
    auto ranked = dyn_cast<RankedTensorType>(type);
    if (!ranked)
      return type;
    SmallVector<int64_t> shape(ranked.getShape());
    SmallVector<StringAttr> names;
    bool changed = false;
    for (unsigned d = 0; d < ranked.getRank(); ++d) {
      StringAttr symbol = nn::getDimSymbol(ranked, d);
      names.push_back(symbol);
      if (!symbol)
        continue;
      for (auto [entry, size] : llvm::zip_equal(symbols, sizes))
        if (symbol.getValue() == entry.symbol) {
          shape[d] = size;
          names.back() = {};
          changed = true;
        }
    }
    if (!changed)
      return type;
    return RankedTensorType::get(
        shape, ranked.getElementType(),
        nn::getDimsEncoding(type.getContext(), shape, names));
  }

  /// A one-element boolean: the inputs have the combination's sizes.
  Value guard(OpBuilder &b, Location loc, ArrayRef<int64_t> sizes) const {
    MLIRContext *context = b.getContext();
    auto i64 = IntegerType::get(context, 64);
    auto sizeType = RankedTensorType::get({1}, i64);
    auto flagType = RankedTensorType::get({1}, IntegerType::get(context, 1));
    Value all;
    for (auto [use, size] : llvm::zip_equal(uses, sizes)) {
      Value actual = nn::ShapeOfOp::create(
          b, loc, sizeType, func.getArgument(use.arg),
          b.getI64IntegerAttr(use.dim), b.getI64IntegerAttr(use.dim + 1));
      Value expected = nn::ConstantOp::create(
          b, loc, sizeType,
          DenseElementsAttr::get(sizeType, ArrayRef<int64_t>{size}));
      Value equal = nn::EqualOp::create(b, loc, flagType, actual, expected);
      all = all ? nn::AndOp::create(b, loc, flagType, all, equal) : equal;
    }
    return all;
  }

  /// Clones `body` (the original ops, without the return) at `b`, the
  /// inputs cast to the combination's sizes (or as they are for the
  /// generic copy); returns the values the copy returns.
  SmallVector<Value> cloneBody(OpBuilder &b, ArrayRef<Operation *> body,
                               func::ReturnOp ret,
                               std::optional<ArrayRef<int64_t>> sizes) const {
    IRMapping mapping;
    if (sizes)
      for (BlockArgument arg : func.getArguments()) {
        Type type = specializedType(arg.getType(), *sizes);
        if (type != arg.getType())
          mapping.map(arg, tensor::CastOp::create(b, arg.getLoc(), type, arg));
      }
    for (Operation *op : body)
      b.clone(*op, mapping);
    SmallVector<Value> results;
    for (Value v : ret.getOperands())
      results.push_back(mapping.lookupOrDefault(v));
    return results;
  }

  /// Builds the guard chain from combination `k` on, at `b`; returns the
  /// results of the function's body for the sizes the guards select.
  SmallVector<Value> chain(OpBuilder &b, Location loc,
                           ArrayRef<Operation *> body, func::ReturnOp ret,
                           size_t k) const {
    if (k == cases.size())
      return cloneBody(b, body, ret, std::nullopt);
    auto ifOp = nn::IfOp::create(b, loc, ret.getOperandTypes(),
                                 guard(b, loc, cases[k]));
    {
      OpBuilder::InsertionGuard g(b);
      b.setInsertionPointToStart(&ifOp.getThenRegion().emplaceBlock());
      SmallVector<Value> results =
          cloneBody(b, body, ret, ArrayRef<int64_t>(cases[k]));
      nn::YieldOp::create(b, loc, results);
      b.setInsertionPointToStart(&ifOp.getElseRegion().emplaceBlock());
      nn::YieldOp::create(b, loc, chain(b, loc, body, ret, k + 1));
    }
    return SmallVector<Value>(ifOp.getResults());
  }

  void run() {
    Block &entry = func.getBody().front();
    auto ret = cast<func::ReturnOp>(entry.getTerminator());
    SmallVector<Operation *> body;
    for (Operation &op : entry.without_terminator())
      body.push_back(&op);
    OpBuilder b(ret);
    SmallVector<Value> results = chain(b, func.getLoc(), body, ret, 0);
    ret->setOperands(results);
    for (Operation *op : llvm::reverse(body)) {
      op->dropAllUses();
      op->erase();
    }
  }
};

struct NNSpecializeShapesPass final
    : ddl::dynamic::impl::NNSpecializeShapesPassBase<NNSpecializeShapesPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (StringRef(sizes).trim().empty())
      return;
    std::string error;
    std::optional<SmallVector<SymbolSizes>> parsed = parseSizes(sizes, error);
    if (!parsed) {
      module.emitError() << "nn-specialize-shapes: " << error;
      return signalPassFailure();
    }
    size_t combinations = 1;
    for (const SymbolSizes &s : *parsed)
      combinations *= s.sizes.size();
    if (combinations > kMaxCombinations) {
      module.emitError() << "nn-specialize-shapes: " << combinations
                         << " combinations of sizes; at most "
                         << kMaxCombinations
                         << " (each one is a copy of the model)";
      return signalPassFailure();
    }
    SmallVector<func::FuncOp> entries;
    for (auto func : module.getOps<func::FuncOp>())
      if (func.isPublic() && !func.isExternal() &&
          func.getBody().hasOneBlock() &&
          SymbolTable::symbolKnownUseEmpty(func, module))
        entries.push_back(func);
    for (func::FuncOp func : entries) {
      Specializer specializer{func, *parsed, {}, {}};
      for (const SymbolSizes &s : *parsed) {
        std::optional<SymbolUse> use = findSymbol(func, s.symbol);
        if (!use) {
          func.emitError() << "cannot specialize '" << s.symbol
                           << "': no input dimension is named so (the "
                              "inputs name: "
                           << inputSymbols(func) << ")";
          return signalPassFailure();
        }
        specializer.uses.push_back(*use);
      }
      // Every combination, the first symbol's sizes varying slowest.
      specializer.cases.push_back({});
      for (const SymbolSizes &s : *parsed) {
        SmallVector<SmallVector<int64_t>> next;
        for (const SmallVector<int64_t> &prefix : specializer.cases)
          for (int64_t size : s.sizes) {
            next.push_back(prefix);
            next.back().push_back(size);
          }
        specializer.cases = std::move(next);
      }
      specializer.run();
    }
  }

  static constexpr size_t kMaxCombinations = 16;
};

} // namespace
