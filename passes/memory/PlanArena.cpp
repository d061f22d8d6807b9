//===- PlanArena.cpp - intermediates in one arena, shared by liveness -----===//
//
// See DDLPlanArenaPass in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "passes/memory/Passes.h"

#include "dialects/nn/NNDialect.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/Support/FormatVariadic.h"

namespace ddl::memory {
#define GEN_PASS_DEF_DDLPLANARENAPASS
#include "passes/memory/Passes.h.inc"
} // namespace ddl::memory

using namespace mlir;
using namespace ddl::memory;

static constexpr int64_t kAlignment = 64;

static int64_t alignTo64(int64_t bytes) {
  return (bytes + kAlignment - 1) / kAlignment * kAlignment;
}

namespace {

/// A buffer's size: `factor` bytes times the product of `dims` (index values
/// computed from the function's arguments).
struct SymbolicSize {
  int64_t factor = 1;
  SmallVector<Value> dims; // sorted by pointer, so equal products compare equal

  bool isStatic() const { return dims.empty(); }
  bool sameDims(const SymbolicSize &other) const { return dims == other.dims; }
};

/// One planned buffer.
struct Buffer {
  memref::AllocOp alloc;
  SymbolicSize size;
  unsigned start = 0, end = 0; // positions in the function's block
  int slot = -1;
};

/// A region of the arena that buffers with disjoint lifetimes share.
struct Slot {
  SymbolicSize size;  // the largest buffer placed in it
  int64_t offset = 0; // static slots only
  SmallVector<std::pair<unsigned, unsigned>> busy;

  bool freeDuring(unsigned start, unsigned end) const {
    for (auto [s, e] : busy)
      if (!(end < s || e < start))
        return false;
    return true;
  }
};

} // namespace

static bool
computableFromArgumentsOrConstant(Value value, func::FuncOp func,
                                  llvm::SetVector<Operation *> &slice,
                                  bool anywhere = false);

/// True if `value` can be computed at the function's entry from its
/// arguments alone: constants, argument sizes, and arithmetic on them.
/// With `anywhere`, the ops computing it may sit in nested blocks (they
/// then move to the entry); otherwise they must be in the entry block.
static bool computableFromArguments(Value value, func::FuncOp func,
                                    llvm::SetVector<Operation *> &slice,
                                    bool anywhere = false) {
  if (isa<BlockArgument>(value))
    return false; // an index argument is not a size we can see statically
  Operation *def = value.getDefiningOp();
  if (!def || def->getNumRegions() != 0 ||
      (anywhere ? !func->isProperAncestor(def) : def->getParentOp() != func))
    return false;
  if (auto dim = dyn_cast<memref::DimOp>(def)) {
    auto source = dyn_cast<BlockArgument>(dim.getSource());
    if (!source || source.getOwner()->getParentOp() != func)
      return false;
    if (!computableFromArgumentsOrConstant(dim.getIndex(), func, slice,
                                           anywhere))
      return false;
    slice.insert(def);
    return true;
  }
  if (!isa<arith::ArithDialect, affine::AffineDialect>(def->getDialect()) ||
      !isPure(def))
    return false;
  for (Value operand : def->getOperands())
    if (!computableFromArgumentsOrConstant(operand, func, slice, anywhere))
      return false;
  slice.insert(def);
  return true;
}

static bool
computableFromArgumentsOrConstant(Value value, func::FuncOp func,
                                  llvm::SetVector<Operation *> &slice,
                                  bool anywhere) {
  if (getConstantIntValue(value)) {
    if (Operation *def = value.getDefiningOp())
      if (def->getParentOp() == func || anywhere)
        slice.insert(def);
    return true;
  }
  return computableFromArguments(value, func, slice, anywhere);
}

/// Collects `value`, every view of it, and every select that may return it
/// (an If choosing between two computed buffers becomes one after
/// bufferization; missing it let a later buffer reuse the chosen one's
/// bytes before the select's result was read, found by
/// test/fuzz/differential).
static void collectAliases(Value value, SmallVectorImpl<Value> &aliases) {
  aliases.push_back(value);
  for (OpOperand &use : value.getUses()) {
    Operation *user = use.getOwner();
    if (auto view = dyn_cast<ViewLikeOpInterface>(user)) {
      if (view.getViewSource() == value)
        for (Value result : user->getResults())
          collectAliases(result, aliases);
    } else if (isa<arith::SelectOp>(user) && use.getOperandNumber() > 0) {
      collectAliases(user->getResult(0), aliases);
    }
  }
}

/// A readable name for `dim` (a memref.dim of an argument): the argument's
/// symbol for that dimension when it has one.
static std::string dimName(memref::DimOp dim, func::FuncOp func) {
  auto arg = cast<BlockArgument>(dim.getSource());
  std::optional<int64_t> index = getConstantIntValue(dim.getIndex());
  unsigned argNo = arg.getArgNumber();
  if (auto types = func->getAttrOfType<ArrayAttr>("ddl.input_types"))
    if (argNo < types.size() && index)
      if (auto type = dyn_cast<RankedTensorType>(
              cast<TypeAttr>(types[argNo]).getValue()))
        if (auto dims = dyn_cast_or_null<ddl::nn::DimsAttr>(type.getEncoding()))
          if (*index < type.getRank())
            if (StringAttr symbol = dims.getSymbol(*index))
              return symbol.str();
  return llvm::formatv("in{0}.d{1}", argNo, index ? *index : -1).str();
}

/// Human-readable arena size over the argument dimensions.
static std::string formulaOf(int64_t staticBytes, ArrayRef<Slot> dynamicSlots,
                             func::FuncOp func) {
  std::string formula = std::to_string(staticBytes);
  for (const Slot &slot : dynamicSlots) {
    formula += " + " + std::to_string(slot.size.factor);
    for (Value d : slot.size.dims) {
      if (auto dim = d.getDefiningOp<memref::DimOp>())
        formula += "*" + dimName(dim, func);
      else
        formula += "*<expr>";
    }
  }
  return formula;
}

/// The position in `block` of the op holding `op` (itself or an ancestor).
static unsigned
positionInBlock(Operation *op, Block &block,
                const DenseMap<Operation *, unsigned> &position) {
  while (op && op->getBlock() != &block)
    op = op->getParentOp();
  return op ? position.lookup(op) : ~0u;
}

/// Whether `op` is a buffer the arena can hold (identity layout, int or
/// float elements), and if so its live interval in `block` (the positions
/// of the ops holding its uses, views and selects included); nullopt when
/// it escapes: returned, or yielded out of a region (an If branch that
/// passes a captured buffer through, Neg(Neg(x)) folded to x), so that it
/// lives on beyond what positions in this block can tell; it stays a heap
/// buffer.
static std::optional<std::pair<unsigned, unsigned>>
plannableInterval(Operation &op, Block &block,
                  const DenseMap<Operation *, unsigned> &position) {
  auto alloc = dyn_cast<memref::AllocOp>(op);
  if (!alloc || !alloc.getType().getLayout().isIdentity() ||
      !alloc.getType().getElementType().isIntOrIndexOrFloat())
    return std::nullopt;
  SmallVector<Value> aliases;
  collectAliases(alloc.getResult(), aliases);
  unsigned start = position.lookup(alloc), end = start;
  for (Value alias : aliases)
    for (Operation *user : alias.getUsers()) {
      if (user->hasTrait<OpTrait::IsTerminator>() || isa<func::ReturnOp>(user))
        return std::nullopt;
      unsigned at = positionInBlock(user, block, position);
      if (at == ~0u)
        return std::nullopt; // used outside the block
      end = std::max(end, at);
    }
  return std::make_pair(start, end);
}

/// The plan of a branch of an scf.if or a body of an scf.while (what
/// nn.if / nn.loop become): its static slots, its dynamic slots (sizes
/// computable from the function's arguments), and the plans of the
/// branches and loops inside it. A block's buffers are dead once it has
/// run (those it yields stay heap buffers), so the blocks of different
/// ops, the two branches of an if and the iterations of a loop all reuse
/// the same bytes; only a block nested in another needs bytes past its
/// parent's. Other regions (kernels' loops, which may run in parallel) are
/// left alone.
struct NestedPlan {
  SmallVector<Slot> staticSlots, dynamicSlots;
  int64_t staticBytes = 0;
  /// (buffer, slot, in a dynamic slot) in allocation order.
  SmallVector<std::tuple<memref::AllocOp, unsigned, bool>> buffers;
  std::vector<NestedPlan> children; // SmallVector needs a complete type

  bool empty() const {
    return buffers.empty() && llvm::all_of(children, [](const NestedPlan &c) {
             return c.empty();
           });
  }
  bool isStatic() const {
    return dynamicSlots.empty() &&
           llvm::all_of(children,
                        [](const NestedPlan &c) { return c.isStatic(); });
  }
  /// The bytes of a static plan, its children included.
  int64_t staticTotal() const {
    int64_t largest = 0;
    for (const NestedPlan &child : children)
      largest = std::max(largest, child.staticTotal());
    return staticBytes + largest;
  }
};

/// The plans of the branches and loop bodies directly inside `block`.
static std::vector<NestedPlan>
planChildren(Block &block, func::FuncOp func,
             llvm::SetVector<Operation *> &hoist);

static NestedPlan planNestedBlock(Block &block, func::FuncOp func,
                                  llvm::SetVector<Operation *> &hoist) {
  NestedPlan plan;
  DenseMap<Operation *, unsigned> position;
  for (auto [i, op] : llvm::enumerate(block))
    position[&op] = i;
  for (Operation &op : block) {
    std::optional<std::pair<unsigned, unsigned>> interval =
        plannableInterval(op, block, position);
    if (!interval)
      continue;
    auto alloc = cast<memref::AllocOp>(op);
    auto [start, end] = *interval;
    Type element = alloc.getType().getElementType();
    SymbolicSize size;
    size.factor =
        element.isIndex() ? 8 : (element.getIntOrFloatBitWidth() + 7) / 8;
    llvm::SetVector<Operation *> slice;
    bool plannable = true;
    unsigned dynamicIndex = 0;
    for (int64_t d : alloc.getType().getShape()) {
      if (!ShapedType::isDynamic(d)) {
        size.factor *= d;
        continue;
      }
      Value dim = alloc.getDynamicSizes()[dynamicIndex++];
      if (std::optional<int64_t> c = getConstantIntValue(dim)) {
        size.factor *= *c;
        continue;
      }
      // A size the entry block can compute (a dimension of an argument):
      // its computation moves there.
      if (!computableFromArgumentsOrConstant(dim, func, slice,
                                             /*anywhere=*/true)) {
        plannable = false;
        break;
      }
      size.dims.push_back(dim);
    }
    if (!plannable)
      continue;
    llvm::sort(size.dims, [](Value a, Value b) {
      return a.getAsOpaquePointer() < b.getAsOpaquePointer();
    });
    hoist.insert(slice.begin(), slice.end());
    SmallVector<Slot> &slots =
        size.isStatic() ? plan.staticSlots : plan.dynamicSlots;
    int chosen = -1;
    for (auto [i, slot] : llvm::enumerate(slots)) {
      if (!slot.size.sameDims(size) || !slot.freeDuring(start, end))
        continue;
      if (size.isStatic() && slot.size.factor < size.factor)
        continue;
      chosen = i;
      break;
    }
    if (chosen < 0) {
      slots.push_back(Slot{size, 0, {}});
      chosen = slots.size() - 1;
    }
    Slot &slot = slots[chosen];
    slot.size.factor = std::max(slot.size.factor, size.factor);
    slot.busy.push_back({start, end});
    plan.buffers.push_back(
        {alloc, static_cast<unsigned>(chosen), !size.isStatic()});
  }
  for (Slot &slot : plan.staticSlots) {
    slot.offset = plan.staticBytes;
    plan.staticBytes += alignTo64(slot.size.factor);
  }
  plan.children = planChildren(block, func, hoist);
  return plan;
}

static std::vector<NestedPlan>
planChildren(Block &block, func::FuncOp func,
             llvm::SetVector<Operation *> &hoist) {
  std::vector<NestedPlan> children;
  for (Operation &op : block) {
    if (!isa<scf::IfOp, scf::WhileOp>(op))
      continue;
    for (Region &region : op.getRegions())
      for (Block &inner : region) {
        NestedPlan child = planNestedBlock(inner, func, hoist);
        if (!child.empty())
          children.push_back(std::move(child));
      }
  }
  return children;
}

/// The aligned bytes of a dynamic slot, over the values `map` gives for
/// its dims.
static Value dynamicSlotBytes(OpBuilder &b, Location loc, const Slot &slot,
                              function_ref<Value(Value)> map) {
  Value bytes = arith::ConstantIndexOp::create(b, loc, slot.size.factor);
  for (Value d : slot.size.dims)
    bytes = arith::MulIOp::create(b, loc, bytes, map(d));
  // Round up to the alignment.
  Value mask = arith::ConstantIndexOp::create(b, loc, kAlignment - 1);
  Value plus = arith::AddIOp::create(b, loc, bytes, mask);
  Value notMask = arith::ConstantIndexOp::create(b, loc, ~(kAlignment - 1));
  return arith::AndIOp::create(b, loc, plus, notMask);
}

/// The bytes `plan` needs (its slots, then the largest of its children).
static Value nestedBytes(OpBuilder &b, Location loc, const NestedPlan &plan,
                         function_ref<Value(Value)> map) {
  Value own = arith::ConstantIndexOp::create(b, loc, plan.staticBytes);
  for (const Slot &slot : plan.dynamicSlots)
    own =
        arith::AddIOp::create(b, loc, own, dynamicSlotBytes(b, loc, slot, map));
  Value largest;
  for (const NestedPlan &child : plan.children) {
    Value bytes = nestedBytes(b, loc, child, map);
    largest = largest ? arith::MaxUIOp::create(b, loc, largest, bytes) : bytes;
  }
  return largest ? arith::AddIOp::create(b, loc, own, largest) : own;
}

/// The largest of the bytes of `plans`.
static Value nestedAreaBytes(OpBuilder &b, Location loc,
                             ArrayRef<NestedPlan> plans,
                             function_ref<Value(Value)> map) {
  Value largest = arith::ConstantIndexOp::create(b, loc, 0);
  for (const NestedPlan &plan : plans)
    largest =
        arith::MaxUIOp::create(b, loc, largest, nestedBytes(b, loc, plan, map));
  return largest;
}

/// Replaces the buffers of `plan` by views of `arena` from `base` (an index
/// computed at the entry, where `b` inserts) on.
static void placeNested(OpBuilder &b, Location loc, const NestedPlan &plan,
                        Value base, Value arena) {
  SmallVector<Value> dynamicOffsets;
  Value next = arith::AddIOp::create(
      b, loc, base, arith::ConstantIndexOp::create(b, loc, plan.staticBytes));
  for (const Slot &slot : plan.dynamicSlots) {
    dynamicOffsets.push_back(next);
    next = arith::AddIOp::create(
        b, loc, next,
        dynamicSlotBytes(b, loc, slot, [](Value v) { return v; }));
  }
  for (auto [alloc, slot, dynamic] : plan.buffers) {
    Value offset = dynamic ? dynamicOffsets[slot]
                           : Value(arith::AddIOp::create(
                                 b, loc, base,
                                 arith::ConstantIndexOp::create(
                                     b, loc, plan.staticSlots[slot].offset)));
    OpBuilder ab(alloc);
    Value view = memref::ViewOp::create(ab, alloc.getLoc(), alloc.getType(),
                                        arena, offset, alloc.getDynamicSizes());
    alloc.replaceAllUsesWith(view);
    alloc.erase();
  }
  for (const NestedPlan &child : plan.children)
    placeNested(b, loc, child, next, arena);
}

namespace {
struct DDLPlanArenaPass final
    : ddl::memory::impl::DDLPlanArenaPassBase<DDLPlanArenaPass> {
  void runOnOperation() override {
    SmallVector<func::FuncOp> funcs;
    // Entry points only: a function that is called keeps its signature.
    ModuleOp module = getOperation();
    getOperation().walk([&](func::FuncOp func) {
      if (func.isPublic() && !func.isExternal() &&
          func->hasAttr("ddl.input_types") && func.getBody().hasOneBlock() &&
          SymbolTable::symbolKnownUseEmpty(func, module))
        funcs.push_back(func);
    });
    for (func::FuncOp func : funcs)
      if (failed(plan(func)))
        return signalPassFailure();
  }

  LogicalResult plan(func::FuncOp func) {
    Block &body = func.getBody().front();
    DenseMap<Operation *, unsigned> position;
    for (auto [i, op] : llvm::enumerate(body))
      position[&op] = i;

    // Buffers we can place, with their sizes and live intervals.
    SmallVector<Buffer> buffers;
    llvm::SetVector<Operation *> sizeSlice;
    for (Operation &op : body) {
      std::optional<std::pair<unsigned, unsigned>> interval =
          plannableInterval(op, body, position);
      if (!interval)
        continue;
      auto alloc = cast<memref::AllocOp>(op);
      unsigned end = interval->second;
      Buffer buffer;
      buffer.alloc = alloc;
      Type element = alloc.getType().getElementType();
      int64_t elementBytes =
          element.isIndex() ? 8 : (element.getIntOrFloatBitWidth() + 7) / 8;
      buffer.size.factor = elementBytes;
      bool plannable = true;
      llvm::SetVector<Operation *> slice;
      unsigned dynamicIndex = 0;
      for (int64_t d : alloc.getType().getShape()) {
        if (!ShapedType::isDynamic(d)) {
          buffer.size.factor *= d;
          continue;
        }
        Value size = alloc.getDynamicSizes()[dynamicIndex++];
        if (std::optional<int64_t> c = getConstantIntValue(size)) {
          buffer.size.factor *= *c;
          continue;
        }
        if (!computableFromArgumentsOrConstant(size, func, slice)) {
          plannable = false;
          break;
        }
        buffer.size.dims.push_back(size);
      }
      if (!plannable)
        continue;
      llvm::sort(buffer.size.dims, [](Value a, Value b) {
        return a.getAsOpaquePointer() < b.getAsOpaquePointer();
      });
      sizeSlice.insert(slice.begin(), slice.end());
      buffer.start = position[alloc];
      buffer.end = end;
      buffers.push_back(std::move(buffer));
    }
    // Branches and loop bodies: their buffers go to a nested area after
    // the entry block's.
    llvm::SetVector<Operation *> nestedSlice;
    std::vector<NestedPlan> nested = planChildren(body, func, nestedSlice);
    if (buffers.empty() && nested.empty())
      return success();
    bool nestedStatic =
        llvm::all_of(nested, [](const NestedPlan &p) { return p.isStatic(); });

    // Greedy assignment in allocation order: a static buffer goes to the
    // lowest-offset static slot that is free during its lifetime and large
    // enough, or a new one; a dynamic buffer reuses a free slot with the
    // same dynamic dims (growing its factor) or opens a new one.
    SmallVector<Slot> staticSlots, dynamicSlots;
    for (Buffer &buffer : buffers) {
      SmallVector<Slot> &slots =
          buffer.size.isStatic() ? staticSlots : dynamicSlots;
      int chosen = -1;
      for (auto [i, slot] : llvm::enumerate(slots)) {
        if (!slot.size.sameDims(buffer.size) ||
            !slot.freeDuring(buffer.start, buffer.end))
          continue;
        if (buffer.size.isStatic() && slot.size.factor < buffer.size.factor)
          continue;
        chosen = i;
        break;
      }
      if (chosen < 0) {
        slots.push_back(Slot{buffer.size, 0, {}});
        chosen = slots.size() - 1;
      }
      Slot &slot = slots[chosen];
      slot.size.factor = std::max(slot.size.factor, buffer.size.factor);
      slot.busy.push_back({buffer.start, buffer.end});
      buffer.slot = chosen;
    }
    int64_t staticBytes = 0;
    for (Slot &slot : staticSlots) {
      slot.offset = staticBytes;
      staticBytes += alignTo64(slot.size.factor);
    }

    // The arena argument, and the offset computation at the entry.
    MLIRContext *context = func.getContext();
    OpBuilder b(context);
    Location loc = func.getLoc();
    auto arenaType =
        MemRefType::get({ShapedType::kDynamic}, IntegerType::get(context, 8));
    if (failed(func.insertArgument(func.getNumArguments(), arenaType, {}, loc)))
      return func.emitError("cannot add the arena argument");
    Value arena = body.getArguments().back();
    func->setAttr(kArenaArgAttr, UnitAttr::get(context));

    // Size computations move to the entry so that every offset is known
    // before the first buffer is used.
    SmallVector<Operation *> sliceOps(sizeSlice.begin(), sizeSlice.end());
    llvm::sort(sliceOps, [&](Operation *x, Operation *y) {
      return position[x] < position[y];
    });
    Operation *anchor = nullptr;
    for (Operation &op : body)
      if (!sizeSlice.contains(&op) && !nestedSlice.contains(&op)) {
        anchor = &op;
        break;
      }
    for (Operation *op : sliceOps)
      op->moveBefore(anchor);
    // Sizes of nested buffers, in the order they depend on each other.
    for (Operation *op : nestedSlice)
      if (!sizeSlice.contains(op))
        op->moveBefore(anchor);
    b.setInsertionPoint(anchor);

    // The top level's dynamic slots, then the nested area.
    SmallVector<Value> dynamicOffsets;
    Value next = arith::ConstantIndexOp::create(b, loc, staticBytes);
    for (const Slot &slot : dynamicSlots) {
      dynamicOffsets.push_back(next);
      next = arith::AddIOp::create(
          b, loc, next,
          dynamicSlotBytes(b, loc, slot, [](Value v) { return v; }));
    }

    // (Before the entry's buffers go: `b` inserts before the first of
    // them.)
    for (const NestedPlan &plan : nested)
      placeNested(b, loc, plan, next, arena);
    for (Buffer &buffer : buffers) {
      memref::AllocOp alloc = buffer.alloc;
      OpBuilder ab(alloc);
      Value offset =
          buffer.size.isStatic()
              ? Value(arith::ConstantIndexOp::create(
                    ab, alloc.getLoc(), staticSlots[buffer.slot].offset))
              : dynamicOffsets[buffer.slot];
      Value view =
          memref::ViewOp::create(ab, alloc.getLoc(), alloc.getType(), arena,
                                 offset, alloc.getDynamicSizes());
      alloc.replaceAllUsesWith(view);
      alloc.erase();
    }
    // Nothing frees arena memory: drop deallocations of the planned buffers.
    func.walk([&](memref::DeallocOp dealloc) {
      if (dealloc.getMemref().getDefiningOp<memref::ViewOp>() &&
          dealloc.getMemref().getDefiningOp<memref::ViewOp>().getSource() ==
              arena)
        dealloc.erase();
    });

    // The nested area's bytes when they are a constant.
    int64_t nestedStaticBytes = 0;
    if (nestedStatic)
      for (const NestedPlan &plan : nested)
        nestedStaticBytes = std::max(nestedStaticBytes, plan.staticTotal());
    if (dynamicSlots.empty() && nestedStatic) {
      func->setAttr(kArenaBytesAttr,
                    IntegerAttr::get(IntegerType::get(context, 64),
                                     staticBytes + nestedStaticBytes));
    } else {
      func->setAttr(kArenaBytesAttr,
                    IntegerAttr::get(IntegerType::get(context, 64), -1));
    }
    std::string formula =
        formulaOf(staticBytes + nestedStaticBytes, dynamicSlots, func);
    if (!nestedStatic)
      formula += " + <buffers of branches and loops>";
    func->setAttr(kArenaFormulaAttr, StringAttr::get(context, formula));

    // <name>_arena_size(args without the arena) -> index.
    std::string sizeFnName = (func.getName() + "_arena_size").str();
    OpBuilder mb(func);
    SmallVector<Type> argTypes(func.getArgumentTypes().drop_back());
    auto sizeFn = func::FuncOp::create(
        mb, loc, sizeFnName,
        FunctionType::get(context, argTypes, {IndexType::get(context)}));
    Block *sizeBody = sizeFn.addEntryBlock();
    OpBuilder sb = OpBuilder::atBlockBegin(sizeBody);
    IRMapping mapping;
    for (auto [from, to] :
         llvm::zip(body.getArguments().drop_back(), sizeBody->getArguments()))
      mapping.map(from, to);
    for (Operation *op : sliceOps)
      sb.clone(*op, mapping);
    for (Operation *op : nestedSlice)
      if (!sizeSlice.contains(op))
        sb.clone(*op, mapping);
    auto map = [&](Value v) { return mapping.lookupOrDefault(v); };
    Value total = arith::ConstantIndexOp::create(sb, loc, staticBytes);
    for (const Slot &slot : dynamicSlots)
      total = arith::AddIOp::create(sb, loc, total,
                                    dynamicSlotBytes(sb, loc, slot, map));
    if (!nested.empty())
      total = arith::AddIOp::create(sb, loc, total,
                                    nestedAreaBytes(sb, loc, nested, map));
    func::ReturnOp::create(sb, loc, total);
    func->setAttr(kArenaSizeFnAttr, FlatSymbolRefAttr::get(sizeFn));
    return success();
  }
};
} // namespace
