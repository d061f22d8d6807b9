//===- ParallelToHost.cpp - parallel loops on the host's thread pool ------===//
//
// See DDLParallelToHostPass in Passes.td. The task functions are LLVM-dialect
// functions whose bodies still hold scf/memref/arith ops; the later
// conversions lower them like any other code, and the
// unrealized_conversion_cast pairs between memrefs and their LLVM
// descriptors fold away in reconcile-unrealized-casts.
//
//===----------------------------------------------------------------------===//

#include "passes/lowering/Passes.h"

#include "ddl/Diagnostics.h"

#include "mlir/Conversion/LLVMCommon/TypeConverter.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Transforms/RegionUtils.h"
#include "llvm/Support/FormatVariadic.h"

namespace ddl::lowering {
#define GEN_PASS_DEF_DDLPARALLELTOHOSTPASS
#include "passes/lowering/Passes.h.inc"
} // namespace ddl::lowering

using namespace mlir;

/// Name of the thread-local host pointer (shared with EmitModelEntry).

/// Estimated scalar operations of `op`'s body per iteration.
static int64_t bodyWork(Region &region) {
  int64_t work = 0;
  for (Block &block : region)
    for (Operation &op : block) {
      int64_t inner = 1;
      for (Region &r : op.getRegions())
        inner += bodyWork(r);
      int64_t trips = 1;
      if (auto loop = dyn_cast<scf::ForOp>(op)) {
        std::optional<int64_t> lb = getConstantIntValue(loop.getLowerBound());
        std::optional<int64_t> ub = getConstantIntValue(loop.getUpperBound());
        std::optional<int64_t> st = getConstantIntValue(loop.getStep());
        trips = lb && ub && st && *st > 0
                    ? std::max<int64_t>((*ub - *lb + *st - 1) / *st, 0)
                    : 16;
      } else if (auto par = dyn_cast<scf::ParallelOp>(op)) {
        for (auto [lb, ub, st] : llvm::zip(
                 par.getLowerBound(), par.getUpperBound(), par.getStep())) {
          std::optional<int64_t> l = getConstantIntValue(lb);
          std::optional<int64_t> u = getConstantIntValue(ub);
          std::optional<int64_t> s = getConstantIntValue(st);
          trips *=
              l && u && s && *s > 0 ? std::max<int64_t>((*u - *l) / *s, 0) : 16;
        }
      }
      work = std::min<int64_t>(work + trips * inner, int64_t(1) << 40);
    }
  return work;
}

static int64_t loopWork(scf::ParallelOp op) {
  int64_t trips = 1;
  for (auto [lb, ub, st] :
       llvm::zip(op.getLowerBound(), op.getUpperBound(), op.getStep())) {
    std::optional<int64_t> l = getConstantIntValue(lb);
    std::optional<int64_t> u = getConstantIntValue(ub);
    std::optional<int64_t> s = getConstantIntValue(st);
    trips *= l && u && s && *s > 0 ? std::max<int64_t>((*u - *l) / *s, 0) : 64;
    trips = std::min<int64_t>(trips, int64_t(1) << 40);
  }
  return trips * bodyWork(op.getRegion());
}

/// Whether `op`'s body allocates heap memory. Such a loop stays on the
/// calling thread: a task cannot report a failed allocation (its malloc
/// would return NULL on a worker thread, far from the run's status), while
/// the model entry checks every allocation of the function that calls it
/// (EmitModelEntry's checkAllocations). Stack buffers are fine.
static bool allocatesOnHeap(scf::ParallelOp op) {
  return op.getBody()
      ->walk([](Operation *inner) {
        return isa<memref::AllocOp, memref::ReallocOp>(inner)
                   ? WalkResult::interrupt()
                   : WalkResult::advance();
      })
      .wasInterrupted();
}

/// "_Conv" for a loop lowered from ONNX node "node 'x' (Conv, opset 14)"
/// (the op kind, else the whole source name, as identifier characters):
/// profiles then say which kind of node each task came from.
static std::string sourceSuffix(Location loc) {
  std::string described = ddl::describeSource(loc);
  llvm::StringRef source = described;
  if (size_t open = source.find('('); open != llvm::StringRef::npos)
    source = source.drop_front(open + 1).take_until(
        [](char c) { return c == ',' || c == ')'; });
  std::string suffix;
  for (char c : source.take_front(40))
    if (llvm::isAlnum(c) || c == '_' || c == '.')
      suffix.push_back(c == '.' ? '_' : c);
  return suffix.empty() ? suffix : "_" + suffix;
}

namespace {
class Outliner {
public:
  Outliner(ModuleOp module)
      : module(module), context(module.getContext()), typeConverter(context) {
    ptrType = LLVM::LLVMPointerType::get(context);
    i64Type = IntegerType::get(context, 64);
  }

  LogicalResult outline(scf::ParallelOp op, func::FuncOp func);
  /// The task functions made so far, in order.
  ArrayRef<LLVM::LLVMFuncOp> tasks() const { return made; }

private:
  LLVM::GlobalOp hostGlobal() {
    return ddl::lowering::getOrCreateThreadLocalPointer(
        module, ddl::lowering::kHostGlobal);
  }

  /// The LLVM type a captured value travels as.
  Type travelType(Type type) {
    if (type.isIndex())
      return i64Type;
    return typeConverter.convertType(type);
  }

  ModuleOp module;
  MLIRContext *context;
  LLVMTypeConverter typeConverter;
  SmallVector<LLVM::LLVMFuncOp> made;
  Type ptrType, i64Type;
  unsigned counter = 0;
};
} // namespace

LogicalResult Outliner::outline(scf::ParallelOp op, func::FuncOp func) {
  Location loc = op.getLoc();
  unsigned rank = op.getNumLoops();
  OpBuilder b(op);

  // Trip counts, and the number of tasks: the product over all but the
  // last dimension (which stays an inner, vectorizable loop), or the only
  // dimension's.
  SmallVector<Value> trips;
  for (auto [lb, ub, st] :
       llvm::zip(op.getLowerBound(), op.getUpperBound(), op.getStep())) {
    Value span = b.createOrFold<arith::SubIOp>(loc, ub, lb);
    trips.push_back(b.createOrFold<arith::CeilDivSIOp>(loc, span, st));
  }
  unsigned linearized = rank == 1 ? 1 : rank - 1;
  Value count = arith::ConstantIndexOp::create(b, loc, 1);
  for (unsigned d = 0; d < linearized; ++d)
    count = arith::MulIOp::create(b, loc, count, trips[d]);

  // Captured values: everything the body uses from above, plus the bounds.
  llvm::SetVector<Value> above;
  getUsedValuesDefinedAbove(op.getRegion(), above);
  SmallVector<Value> captures;
  SmallVector<Operation *> clonedConstants;
  for (Value v : above) {
    if (Operation *def = v.getDefiningOp();
        def && def->hasTrait<OpTrait::ConstantLike>())
      clonedConstants.push_back(def);
    else
      captures.push_back(v);
  }
  unsigned boundsStart = captures.size();
  for (unsigned d = 0; d < rank; ++d)
    captures.append({op.getLowerBound()[d], op.getUpperBound()[d],
                     op.getStep()[d], trips[d]});
  SmallVector<Type> fieldTypes;
  for (Value v : captures) {
    Type t = travelType(v.getType());
    if (!t)
      return op.emitError("cannot pass a value of type ")
             << v.getType() << " to a parallel task";
    fieldTypes.push_back(t);
  }
  auto structType = LLVM::LLVMStructType::getLiteral(context, fieldTypes);

  // void task(void *args, int64_t begin, int64_t end)
  OpBuilder mb = OpBuilder::atBlockEnd(module.getBody());
  auto taskType = LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(context),
                                              {ptrType, i64Type, i64Type});
  auto task = LLVM::LLVMFuncOp::create(mb, loc,
                                       llvm::formatv("__ddl_task_{0}_{1}{2}",
                                                     func.getName(), counter++,
                                                     sourceSuffix(loc))
                                           .str(),
                                       taskType, LLVM::Linkage::Internal);
  made.push_back(task);
  Block *entry = task.addEntryBlock(mb);
  OpBuilder tb = OpBuilder::atBlockBegin(entry);
  IRMapping mapping;
  for (Operation *c : clonedConstants)
    tb.clone(*c, mapping);
  SmallVector<Value> unpacked;
  for (auto [i, v] : llvm::enumerate(captures)) {
    Value field =
        LLVM::GEPOp::create(tb, loc, ptrType, structType, entry->getArgument(0),
                            ArrayRef<LLVM::GEPArg>{0, int32_t(i)});
    Value loaded = LLVM::LoadOp::create(tb, loc, fieldTypes[i], field);
    Value back;
    if (v.getType().isIndex())
      back = arith::IndexCastOp::create(tb, loc, v.getType(), loaded);
    else if (fieldTypes[i] == v.getType())
      back = loaded;
    else
      back = UnrealizedConversionCastOp::create(tb, loc, v.getType(), loaded)
                 .getResult(0);
    unpacked.push_back(back);
    if (i < boundsStart)
      mapping.map(v, back);
  }
  // Constant bounds and steps stay constants in the task: LLVM vectorizes
  // the inner loop only when it knows the step.
  SmallVector<Value> bounds;
  for (unsigned i = boundsStart; i < captures.size(); ++i) {
    std::optional<int64_t> known = getConstantIntValue(captures[i]);
    bounds.push_back(known ? arith::ConstantIndexOp::create(tb, loc, *known)
                           : unpacked[i]);
  }
  auto bound = [&](unsigned d, unsigned which) {
    return bounds[4 * d + which];
  };
  Value begin = arith::IndexCastOp::create(tb, loc, tb.getIndexType(),
                                           entry->getArgument(1));
  Value end = arith::IndexCastOp::create(tb, loc, tb.getIndexType(),
                                         entry->getArgument(2));
  Value one = arith::ConstantIndexOp::create(tb, loc, 1);
  auto outer = scf::ForOp::create(tb, loc, begin, end, one);
  OpBuilder lb = OpBuilder::atBlockBegin(outer.getBody());
  // Delinearize the task index over the leading dimensions.
  SmallVector<Value> ivs(rank);
  Value rest = outer.getInductionVar();
  for (int d = int(linearized) - 1; d >= 0; --d) {
    Value index =
        d == 0 ? rest
               : Value(arith::RemUIOp::create(lb, loc, rest, bound(d, 3)));
    if (d > 0)
      rest = arith::DivUIOp::create(lb, loc, rest, bound(d, 3));
    Value scaled = arith::MulIOp::create(lb, loc, index, bound(d, 2));
    ivs[d] = arith::AddIOp::create(lb, loc, bound(d, 0), scaled);
  }
  Block *body = op.getBody();
  auto cloneBody = [&](OpBuilder &builder) {
    for (auto [iv, value] : llvm::zip(body->getArguments(), ivs))
      mapping.map(iv, value);
    for (Operation &inner : body->without_terminator())
      builder.clone(inner, mapping);
  };
  if (rank > 1) {
    unsigned last = rank - 1;
    auto inner = scf::ForOp::create(lb, loc, bound(last, 0), bound(last, 1),
                                    bound(last, 2));
    ivs[last] = inner.getInductionVar();
    OpBuilder ib = OpBuilder::atBlockBegin(inner.getBody());
    cloneBody(ib);
  } else {
    cloneBody(lb);
  }
  // A static stack buffer of the body (a kernel's per-iteration scratch,
  // left there when canonicalization dissolved its alloca_scope) would be
  // allocated again on every iteration of the task's loop, and LLVM frees
  // allocas only at return: thousands of iterations overflow the stack.
  // Each iteration's buffer starts undefined and dies with the iteration,
  // so one buffer at the task's entry serves them all in turn.
  task.walk([&](memref::AllocaOp alloca) {
    if (alloca.getDynamicSizes().empty() &&
        alloca.getSymbolOperands().empty() &&
        !alloca->getParentOfType<memref::AllocaScopeOp>())
      alloca->moveBefore(entry, entry->begin());
  });
  tb.setInsertionPointToEnd(entry);
  LLVM::ReturnOp::create(tb, loc, ValueRange{});

  // The call site: pack the captures, then parallel_for or an inline call.
  Block &funcEntry = func.getBody().front();
  OpBuilder ab = OpBuilder::atBlockBegin(&funcEntry);
  Value oneI64 = LLVM::ConstantOp::create(ab, loc, i64Type, 1);
  Value args = LLVM::AllocaOp::create(ab, loc, ptrType, structType, oneI64);
  for (auto [i, v] : llvm::enumerate(captures)) {
    Value packed;
    if (v.getType().isIndex())
      packed = arith::IndexCastOp::create(b, loc, i64Type, v);
    else if (fieldTypes[i] == v.getType())
      packed = v;
    else
      packed = UnrealizedConversionCastOp::create(b, loc, fieldTypes[i], v)
                   .getResult(0);
    Value field = LLVM::GEPOp::create(b, loc, ptrType, structType, args,
                                      ArrayRef<LLVM::GEPArg>{0, int32_t(i)});
    LLVM::StoreOp::create(b, loc, packed, field);
  }
  Value n = arith::IndexCastOp::create(b, loc, i64Type, count);
  Value hostSlot = LLVM::AddressOfOp::create(b, loc, hostGlobal());
  Value host = LLVM::LoadOp::create(b, loc, ptrType, hostSlot);
  Value null = LLVM::ZeroOp::create(b, loc, ptrType);
  Value hasHost =
      LLVM::ICmpOp::create(b, loc, LLVM::ICmpPredicate::ne, host, null);
  Value taskPtr = LLVM::AddressOfOp::create(b, loc, ptrType, task.getName());
  scf::IfOp::create(
      b, loc, hasHost,
      [&](OpBuilder &thenB, Location l) {
        Value ctx = ddl::lowering::loadHostField(
            thenB, l, host, ddl::lowering::HostField::Context);
        Value parallelFor = ddl::lowering::loadHostField(
            thenB, l, host, ddl::lowering::HostField::ParallelFor);
        auto forType =
            LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(context),
                                        {ptrType, i64Type, ptrType, ptrType});
        LLVM::CallOp::create(thenB, l, forType,
                             ValueRange{parallelFor, ctx, n, taskPtr, args});
        scf::YieldOp::create(thenB, l);
      },
      [&](OpBuilder &elseB, Location l) {
        Value zero = LLVM::ConstantOp::create(elseB, l, i64Type, 0);
        LLVM::CallOp::create(elseB, l, task, ValueRange{args, zero, n});
        scf::YieldOp::create(elseB, l);
      });
  op.erase();
  return success();
}

/// A hash of `task`'s body that equal bodies share: each op's name,
/// attributes and types, in order (values and locations ignored).
static llvm::hash_code bodyHash(LLVM::LLVMFuncOp task) {
  llvm::hash_code hash = mlir::hash_value(Type(task.getFunctionType()));
  task.getBody().walk([&](Operation *op) {
    hash =
        llvm::hash_combine(hash, OperationEquivalence::computeHash(
                                     op, OperationEquivalence::ignoreHashValue,
                                     OperationEquivalence::ignoreHashValue,
                                     OperationEquivalence::IgnoreLocations));
  });
  return hash;
}

/// Replaces each task whose body equals an earlier task's (the same kernel
/// of another layer: its buffers arrive through the argument struct) by
/// that task. A transformer's layers then compile their kernels once:
/// LLVM's work on vit_b_16 drops by about the number of layers.
static void mergeEqualTasks(ModuleOp module, ArrayRef<LLVM::LLVMFuncOp> tasks) {
  llvm::DenseMap<llvm::hash_code, SmallVector<LLVM::LLVMFuncOp>> seen;
  for (LLVM::LLVMFuncOp task : tasks) {
    SmallVector<LLVM::LLVMFuncOp> &candidates = seen[bodyHash(task)];
    auto equal = llvm::find_if(candidates, [&](LLVM::LLVMFuncOp kept) {
      return kept.getFunctionType() == task.getFunctionType() &&
             OperationEquivalence::isRegionEquivalentTo(
                 &kept.getBody(), &task.getBody(),
                 OperationEquivalence::IgnoreLocations);
    });
    if (equal == candidates.end()) {
      candidates.push_back(task);
      continue;
    }
    if (failed(SymbolTable::replaceAllSymbolUses(task, equal->getSymNameAttr(),
                                                 module)))
      continue;
    task.erase();
  }
}

namespace {
struct DDLParallelToHostPass final
    : ddl::lowering::impl::DDLParallelToHostPassBase<DDLParallelToHostPass> {
  using Base::Base;
  void runOnOperation() override {
    ModuleOp module = getOperation();
    Outliner outliner(module);
    SmallVector<std::pair<scf::ParallelOp, func::FuncOp>> loops;
    module.walk([&](scf::ParallelOp op) {
      if (op->getParentOfType<scf::ParallelOp>() || op.getNumReductions() ||
          op.getNumResults())
        return;
      auto func = op->getParentOfType<func::FuncOp>();
      if (!func || loopWork(op) < minWork || allocatesOnHeap(op))
        return;
      loops.push_back({op, func});
    });
    for (auto [op, func] : loops)
      if (failed(outliner.outline(op, func)))
        return signalPassFailure();
    mergeEqualTasks(module, outliner.tasks());
  }
};
} // namespace
