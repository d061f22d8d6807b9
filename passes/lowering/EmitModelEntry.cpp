//===- EmitModelEntry.cpp - the model descriptor and C entry points -------===//
//
// See DDLEmitModelEntryPass in Passes.td and runtime/include/ddl_model_abi.h,
// whose struct layouts the LLVM struct types below mirror (LP64: x86-64 and
// AArch64 lay them out identically).
//
//===----------------------------------------------------------------------===//

#include "passes/lowering/Passes.h"
#include "passes/memory/Passes.h"

#include "dialects/nn/NNDialect.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/FormatVariadic.h"

namespace ddl::lowering {
#define GEN_PASS_DEF_DDLEMITMODELENTRYPASS
#include "passes/lowering/Passes.h.inc"
} // namespace ddl::lowering

using namespace mlir;

static constexpr uint32_t kABIVersion = 5; // DDL_MODEL_ABI_VERSION
/// Status of `run` when a run-time check failed (DDL_MODEL_ERR_CHECK).
static constexpr int32_t kStatusCheckFailed = 2;
/// Status of `run` when an allocation of the model's own failed
/// (DDL_MODEL_ERR_OUT_OF_MEMORY).
static constexpr int32_t kStatusOutOfMemory = 3;

/// ONNX TensorProto.DataType code of an nn element type, 0 if none.
static int32_t dtypeCode(Type type) {
  if (type.isF32())
    return 1;
  if (type.isF64())
    return 11;
  if (type.isF16())
    return 10;
  if (type.isBF16())
    return 16;
  if (type.isInteger(1))
    return 9;
  auto intType = dyn_cast<IntegerType>(type);
  if (!intType)
    return 0;
  bool isUnsigned = intType.isUnsigned();
  switch (intType.getWidth()) {
  case 8:
    return isUnsigned ? 2 : 3;
  case 16:
    return isUnsigned ? 4 : 5;
  case 32:
    return isUnsigned ? 12 : 6;
  case 64:
    return isUnsigned ? 13 : 7;
  default:
    return 0;
  }
}

namespace {

/// The thread-local bounds of the running model's allocation table (see
/// checkAllocations).
constexpr llvm::StringLiteral kAllocationTableBegin = "__ddl_allocations_begin";
constexpr llvm::StringLiteral kAllocationTableEnd = "__ddl_allocations_end";

/// Builds the globals and functions of the entry in the LLVM dialect.
class EntryEmitter {
public:
  EntryEmitter(ModuleOp module)
      : module(module), context(module.getContext()), b(context),
        loc(module.getLoc()) {
    ptrType = LLVM::LLVMPointerType::get(context);
    i32Type = IntegerType::get(context, 32);
    i64Type = IntegerType::get(context, 64);
    ioType = LLVM::LLVMStructType::getLiteral(context, {ptrType, ptrType});
    infoType = LLVM::LLVMStructType::getLiteral(
        context, {ptrType, i32Type, i32Type, ptrType, ptrType, i32Type});
    modelType = LLVM::LLVMStructType::getLiteral(
        context,
        {i32Type, i32Type, i32Type, i32Type, ptrType, ptrType, ptrType, ptrType,
         i64Type, ptrType, ptrType, ptrType, ptrType, ptrType});
    b.setInsertionPointToEnd(module.getBody());
  }

  /// `deviceKind` is a ddl_device_kind (0: the CPU); `deviceArch` is empty
  /// for the CPU.
  LogicalResult emit(LLVM::LLVMFuncOp model, StringRef triple,
                     int32_t deviceKind, StringRef deviceArch);

private:
  /// A new module-private global `name` of `type` whose initializer the
  /// callback builds.
  LLVM::GlobalOp global(StringRef prefix, Type type,
                        function_ref<Value(OpBuilder &)> init,
                        bool isConstant = true) {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(module.getBody());
    auto g = LLVM::GlobalOp::create(
        b, loc, type, isConstant, LLVM::Linkage::Internal,
        llvm::formatv("__ddl_{0}_{1}", prefix, counter++).str(), Attribute());
    Block *block = b.createBlock(&g.getInitializerRegion());
    b.setInsertionPointToStart(block);
    LLVM::ReturnOp::create(b, loc, init(b));
    return g;
  }

  Value address(OpBuilder &builder, LLVM::GlobalOp g) {
    return LLVM::AddressOfOp::create(builder, loc, g);
  }

  LLVM::GlobalOp string(StringRef text) {
    auto it = strings.find(text);
    if (it != strings.end())
      return it->second;
    std::string data = text.str();
    data.push_back('\0');
    auto type =
        LLVM::LLVMArrayType::get(IntegerType::get(context, 8), data.size());
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(module.getBody());
    auto g = LLVM::GlobalOp::create(
        b, loc, type, /*isConstant=*/true, LLVM::Linkage::Internal,
        llvm::formatv("__ddl_str_{0}", counter++).str(), b.getStringAttr(data));
    strings[text] = g;
    return g;
  }

  Value constI32(OpBuilder &builder, int64_t v) {
    return LLVM::ConstantOp::create(builder, loc, i32Type, v);
  }
  Value constI64(OpBuilder &builder, int64_t v) {
    return LLVM::ConstantOp::create(builder, loc, i64Type, v);
  }
  Value null(OpBuilder &builder) {
    return LLVM::ZeroOp::create(builder, loc, ptrType);
  }

  /// `void free(void *)`, declared when the module does not have it.
  LLVM::LLVMFuncOp declareFree() {
    if (auto existing = module.lookupSymbol<LLVM::LLVMFuncOp>("free"))
      return existing;
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(module.getBody());
    return LLVM::LLVMFuncOp::create(
        b, loc, "free",
        LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(context),
                                    {ptrType}));
  }

  /// Makes every heap allocation `model` makes itself (its outputs, and
  /// buffers that could not go to the arena) checked: on NULL it frees the
  /// buffers it still holds and returns at once, zeroed, with `message` in
  /// the failed-check slot. Writing through the NULL of an output too large
  /// to allocate (a ConstantOfShape of 2^40 elements) crashed the host.
  /// What it holds is kept in a table on the stack, one slot per allocation
  /// site: each site stores its pointer, each `free` of the model's code
  /// clears the slot that holds it (a scan of the table, which thread-local
  /// pointers bound while @main runs: models have few heap buffers, most
  /// live in the arena). A site in a loop whose earlier buffer is still live
  /// when it allocates again keeps only the newer one (buffer deallocation
  /// frees the older first in the loops ddl makes). Parallel loops that
  /// allocate stay on this thread (ddl-parallel-to-host), so every allocation
  /// is here.
  void checkAllocations(LLVM::LLVMFuncOp model, LLVM::GlobalOp message);

  /// `void name(void *p)`: clears the slot of the current run's allocation
  /// table holding `p`; with `freeAll`, `void name(void)` frees every
  /// slot's pointer. Both do nothing outside a run (no table).
  LLVM::LLVMFuncOp allocationTableLoop(StringRef name, bool freeAll);

  /// The `ddl_tensor_info` array for `types`, `names` and `kinds` (the
  /// roles of sequence and optional parts, "" for a tensor).
  FailureOr<LLVM::GlobalOp> tensorInfos(StringRef what, ArrayAttr types,
                                        ArrayAttr names, ArrayAttr kinds);

  /// Memref-descriptor arguments (expanded, as func-to-llvm passes them)
  /// for the `inputs` array of `ddl_model_io` seen at `ioArray`.
  SmallVector<Value> inputArguments(OpBuilder &builder, Value ioArray,
                                    ArrayRef<RankedTensorType> types);

  ModuleOp module;
  MLIRContext *context;
  OpBuilder b;
  Location loc;
  Type ptrType, i32Type, i64Type;
  LLVM::LLVMStructType ioType, infoType, modelType;
  unsigned counter = 0;
  llvm::StringMap<LLVM::GlobalOp> strings;
};

} // namespace

FailureOr<LLVM::GlobalOp> EntryEmitter::tensorInfos(StringRef what,
                                                    ArrayAttr types,
                                                    ArrayAttr names,
                                                    ArrayAttr kinds) {
  struct Info {
    LLVM::GlobalOp name, dims, dimNames;
    int32_t dtype, rank, kind;
  };
  SmallVector<Info> infos;
  for (auto [i, attr] : llvm::enumerate(types)) {
    auto type = dyn_cast<RankedTensorType>(cast<TypeAttr>(attr).getValue());
    if (!type)
      return module.emitError()
             << "model " << what << " #" << i << " is not a ranked tensor";
    Info info;
    info.dtype = dtypeCode(type.getElementType());
    if (!info.dtype)
      return module.emitError()
             << "model " << what << " #" << i << " has element type "
             << type.getElementType() << ", which the model ABI cannot carry";
    info.rank = type.getRank();
    StringRef name = names && i < names.size()
                         ? cast<StringAttr>(names[i]).getValue()
                         : StringRef();
    info.name = string(name);
    // DDL_IO_* of ddl_model_abi.h.
    StringRef kind = kinds && i < kinds.size()
                         ? cast<StringAttr>(kinds[i]).getValue()
                         : StringRef();
    info.kind = llvm::StringSwitch<int32_t>(kind)
                    .Case("sequence_shapes", 1)
                    .Case("sequence_data", 2)
                    .Case("optional_flag", 3)
                    .Default(0);
    if (info.rank > 0) {
      auto arrayType = LLVM::LLVMArrayType::get(i64Type, info.rank);
      SmallVector<int64_t> dims;
      for (int64_t d : type.getShape())
        dims.push_back(ShapedType::isDynamic(d) ? -1 : d);
      info.dims = global("dims", arrayType, [&](OpBuilder &ib) -> Value {
        return LLVM::ConstantOp::create(
            ib, loc, arrayType,
            DenseElementsAttr::get(RankedTensorType::get({info.rank}, i64Type),
                                   ArrayRef<int64_t>(dims)));
      });
      auto dimsAttr = dyn_cast_or_null<ddl::nn::DimsAttr>(type.getEncoding());
      SmallVector<LLVM::GlobalOp> symbols;
      for (int64_t d = 0; d < info.rank; ++d) {
        StringAttr symbol = dimsAttr ? dimsAttr.getSymbol(d) : StringAttr();
        symbols.push_back(symbol ? string(symbol.getValue())
                                 : LLVM::GlobalOp());
      }
      auto namesType = LLVM::LLVMArrayType::get(ptrType, info.rank);
      info.dimNames = global("dimnames", namesType, [&](OpBuilder &ib) {
        Value array = LLVM::UndefOp::create(ib, loc, namesType);
        for (auto [d, symbol] : llvm::enumerate(symbols)) {
          Value p = symbol ? address(ib, symbol) : null(ib);
          array = LLVM::InsertValueOp::create(ib, loc, array, p,
                                              ArrayRef<int64_t>{int64_t(d)});
        }
        return array;
      });
    }
    infos.push_back(info);
  }
  auto arrayType = LLVM::LLVMArrayType::get(infoType, infos.size());
  return global(what, arrayType, [&](OpBuilder &ib) {
    Value array = LLVM::UndefOp::create(ib, loc, arrayType);
    for (auto [i, info] : llvm::enumerate(infos)) {
      Value s = LLVM::UndefOp::create(ib, loc, infoType);
      s = LLVM::InsertValueOp::create(ib, loc, s, address(ib, info.name),
                                      ArrayRef<int64_t>{int64_t(0)});
      s = LLVM::InsertValueOp::create(ib, loc, s, constI32(ib, info.dtype),
                                      ArrayRef<int64_t>{int64_t(1)});
      s = LLVM::InsertValueOp::create(ib, loc, s, constI32(ib, info.rank),
                                      ArrayRef<int64_t>{int64_t(2)});
      s = LLVM::InsertValueOp::create(
          ib, loc, s, info.dims ? address(ib, info.dims) : null(ib),
          ArrayRef<int64_t>{int64_t(3)});
      s = LLVM::InsertValueOp::create(
          ib, loc, s, info.dimNames ? address(ib, info.dimNames) : null(ib), 4);
      s = LLVM::InsertValueOp::create(ib, loc, s, constI32(ib, info.kind), 5);
      array = LLVM::InsertValueOp::create(ib, loc, array, s,
                                          ArrayRef<int64_t>{int64_t(i)});
    }
    return array;
  });
}

SmallVector<Value>
EntryEmitter::inputArguments(OpBuilder &builder, Value ioArray,
                             ArrayRef<RankedTensorType> types) {
  SmallVector<Value> args;
  for (auto [i, type] : llvm::enumerate(types)) {
    Value io = LLVM::GEPOp::create(builder, loc, ptrType, ioType, ioArray,
                                   ArrayRef<LLVM::GEPArg>{int32_t(i)});
    Value dataField = LLVM::GEPOp::create(builder, loc, ptrType, ioType, io,
                                          ArrayRef<LLVM::GEPArg>{0, 0});
    Value dimsField = LLVM::GEPOp::create(builder, loc, ptrType, ioType, io,
                                          ArrayRef<LLVM::GEPArg>{0, 1});
    Value data = LLVM::LoadOp::create(builder, loc, ptrType, dataField);
    Value dims = LLVM::LoadOp::create(builder, loc, ptrType, dimsField);
    int64_t rank = type.getRank();
    SmallVector<Value> sizes, strides(rank);
    for (int64_t d = 0; d < rank; ++d) {
      Value p = LLVM::GEPOp::create(builder, loc, ptrType, i64Type, dims,
                                    ArrayRef<LLVM::GEPArg>{int32_t(d)});
      sizes.push_back(LLVM::LoadOp::create(builder, loc, i64Type, p));
    }
    Value stride = constI64(builder, 1);
    for (int64_t d = rank - 1; d >= 0; --d) {
      strides[d] = stride;
      stride = LLVM::MulOp::create(builder, loc, stride, sizes[d]);
    }
    args.append({data, data, constI64(builder, 0)});
    args.append(sizes);
    args.append(strides);
  }
  return args;
}

LLVM::LLVMFuncOp EntryEmitter::allocationTableLoop(StringRef name,
                                                   bool freeAll) {
  if (auto existing = module.lookupSymbol<LLVM::LLVMFuncOp>(name))
    return existing;
  LLVM::LLVMFuncOp freeFn = declareFree();
  LLVM::GlobalOp beginGlobal = ddl::lowering::getOrCreateThreadLocalPointer(
      module, kAllocationTableBegin);
  LLVM::GlobalOp endGlobal =
      ddl::lowering::getOrCreateThreadLocalPointer(module, kAllocationTableEnd);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToEnd(module.getBody());
  SmallVector<Type> params;
  if (!freeAll)
    params.push_back(ptrType);
  auto fn = LLVM::LLVMFuncOp::create(
      b, loc, name,
      LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(context), params),
      LLVM::Linkage::Internal);
  Block *entry = fn.addEntryBlock(b);
  Region &body = fn.getBody();
  auto newBlock = [&]() {
    Block *block = new Block();
    body.push_back(block);
    return block;
  };
  Block *header = newBlock(), *visit = newBlock(), *step = newBlock();
  Block *hit = freeAll ? nullptr : newBlock();
  Block *exit = newBlock();
  header->addArgument(ptrType, loc);
  // for (slot = begin; slot != end; ++slot)
  OpBuilder eb = OpBuilder::atBlockEnd(entry);
  Value begin =
      LLVM::LoadOp::create(eb, loc, ptrType, address(eb, beginGlobal));
  Value end = LLVM::LoadOp::create(eb, loc, ptrType, address(eb, endGlobal));
  LLVM::BrOp::create(eb, loc, ValueRange{begin}, header);
  OpBuilder hb = OpBuilder::atBlockEnd(header);
  Value slot = header->getArgument(0);
  Value more =
      LLVM::ICmpOp::create(hb, loc, LLVM::ICmpPredicate::ne, slot, end);
  LLVM::CondBrOp::create(hb, loc, more, visit, exit);
  OpBuilder vb = OpBuilder::atBlockEnd(visit);
  Value held = LLVM::LoadOp::create(vb, loc, ptrType, slot);
  if (freeAll) {
    // free(NULL) does nothing.
    LLVM::CallOp::create(vb, loc, freeFn, ValueRange{held});
    LLVM::BrOp::create(vb, loc, step);
  } else {
    Value same = LLVM::ICmpOp::create(vb, loc, LLVM::ICmpPredicate::eq, held,
                                      entry->getArgument(0));
    LLVM::CondBrOp::create(vb, loc, same, hit, step);
    OpBuilder xb = OpBuilder::atBlockEnd(hit);
    LLVM::StoreOp::create(xb, loc, null(xb), slot);
    LLVM::BrOp::create(xb, loc, exit);
  }
  OpBuilder sb = OpBuilder::atBlockEnd(step);
  Value next = LLVM::GEPOp::create(sb, loc, ptrType, ptrType, slot,
                                   ArrayRef<LLVM::GEPArg>{1});
  LLVM::BrOp::create(sb, loc, ValueRange{next}, header);
  OpBuilder xb = OpBuilder::atBlockEnd(exit);
  LLVM::ReturnOp::create(xb, loc, ValueRange{});
  return fn;
}

void EntryEmitter::checkAllocations(LLVM::LLVMFuncOp model,
                                    LLVM::GlobalOp message) {
  SmallVector<LLVM::CallOp> allocations, frees;
  model.walk([&](LLVM::CallOp call) {
    std::optional<StringRef> callee = call.getCallee();
    if (callee && (*callee == "malloc" || *callee == "aligned_alloc") &&
        call.getNumResults() == 1)
      allocations.push_back(call);
  });
  if (allocations.empty())
    return;
  // Every free of the model's code: @main's, and those of the helpers it
  // calls (buffer deallocation's dealloc_helper frees for it). The entry's
  // own frees of outputs are made later and not seen here.
  module.walk([&](LLVM::CallOp call) {
    std::optional<StringRef> callee = call.getCallee();
    if (callee && *callee == "free" && call.getNumOperands() == 1)
      frees.push_back(call);
  });
  int64_t sites = allocations.size();

  // The table: one slot per allocation site, null when that site's buffer
  // is not live, on the stack of this run; the thread-local begin and end
  // point at it while @main runs.
  LLVM::GlobalOp beginGlobal = ddl::lowering::getOrCreateThreadLocalPointer(
      module, kAllocationTableBegin);
  LLVM::GlobalOp endGlobal =
      ddl::lowering::getOrCreateThreadLocalPointer(module, kAllocationTableEnd);
  Block &entry = model.getBody().front();
  OpBuilder tb = OpBuilder::atBlockBegin(&entry);
  Value table =
      LLVM::AllocaOp::create(tb, loc, ptrType, ptrType, constI64(tb, sites));
  LLVM::MemsetOp::create(tb, loc, table,
                         LLVM::ConstantOp::create(tb, loc, tb.getI8Type(), 0),
                         constI64(tb, sites * 8), /*isVolatile=*/false);
  LLVM::StoreOp::create(tb, loc, table, address(tb, beginGlobal));
  LLVM::StoreOp::create(
      tb, loc,
      LLVM::GEPOp::create(tb, loc, ptrType, ptrType, table,
                          ArrayRef<LLVM::GEPArg>{int32_t(sites)}),
      address(tb, endGlobal));
  LLVM::LLVMFuncOp forget =
      allocationTableLoop("__ddl_forget_allocation", /*freeAll=*/false);
  for (LLVM::CallOp call : frees) {
    OpBuilder fb(call);
    LLVM::CallOp::create(fb, loc, forget, ValueRange{call.getArgOperands()[0]});
  }

  LLVM::GlobalOp failedCheck = ddl::lowering::getOrCreateThreadLocalPointer(
      module, ddl::lowering::kFailedCheckGlobal);
  Block *outOfMemory = new Block();
  model.getBody().push_back(outOfMemory);
  OpBuilder ob = OpBuilder::atBlockBegin(outOfMemory);
  LLVM::CallOp::create(
      ob, loc, allocationTableLoop("__ddl_free_allocations", /*freeAll=*/true),
      ValueRange{});
  LLVM::StoreOp::create(ob, loc, address(ob, message),
                        address(ob, failedCheck));
  Type resultType = model.getFunctionType().getReturnType();
  if (isa<LLVM::LLVMVoidType>(resultType))
    LLVM::ReturnOp::create(ob, loc, ValueRange{});
  else
    LLVM::ReturnOp::create(ob, loc,
                           LLVM::ZeroOp::create(ob, loc, resultType).getRes());
  // The table dies with @main's frame: every return empties the range.
  model.walk([&](LLVM::ReturnOp ret) {
    OpBuilder rb(ret);
    LLVM::StoreOp::create(rb, loc, null(rb), address(rb, beginGlobal));
    LLVM::StoreOp::create(rb, loc, null(rb), address(rb, endGlobal));
  });
  for (auto [site, call] : llvm::enumerate(allocations)) {
    Block *before = call->getBlock();
    Block *after = before->splitBlock(std::next(call->getIterator()));
    OpBuilder cb = OpBuilder::atBlockEnd(before);
    Value slot = LLVM::GEPOp::create(cb, loc, ptrType, ptrType, table,
                                     ArrayRef<LLVM::GEPArg>{int32_t(site)});
    LLVM::StoreOp::create(cb, loc, call.getResult(), slot);
    // malloc(0) may return NULL; only a NULL for bytes > 0 is a failure.
    Value bytes = call.getArgOperands().back();
    Value isNull = LLVM::ICmpOp::create(cb, loc, LLVM::ICmpPredicate::eq,
                                        call.getResult(), null(cb));
    Value nonEmpty = LLVM::ICmpOp::create(
        cb, loc, LLVM::ICmpPredicate::ne, bytes,
        LLVM::ConstantOp::create(cb, loc, bytes.getType(), 0));
    LLVM::CondBrOp::create(cb, loc,
                           LLVM::AndOp::create(cb, loc, isNull, nonEmpty),
                           outOfMemory, after);
  }
}

LogicalResult EntryEmitter::emit(LLVM::LLVMFuncOp model, StringRef triple,
                                 int32_t deviceKind, StringRef deviceArch) {
  auto inputTypesAttr = model->getAttrOfType<ArrayAttr>("ddl.input_types");
  auto outputTypesAttr = model->getAttrOfType<ArrayAttr>("ddl.output_types");
  auto inputNames = model->getAttrOfType<ArrayAttr>("ddl.input_names");
  auto outputNames = model->getAttrOfType<ArrayAttr>("ddl.output_names");
  if (!outputTypesAttr || outputTypesAttr.empty())
    return model.emitError("the model has no outputs");
  SmallVector<RankedTensorType> inputTypes, outputTypes;
  for (Attribute a : inputTypesAttr)
    if (auto t = dyn_cast<RankedTensorType>(cast<TypeAttr>(a).getValue()))
      inputTypes.push_back(t);
  for (Attribute a : outputTypesAttr)
    if (auto t = dyn_cast<RankedTensorType>(cast<TypeAttr>(a).getValue()))
      outputTypes.push_back(t);

  FailureOr<LLVM::GlobalOp> inputInfos =
      tensorInfos("inputs", inputTypesAttr, inputNames,
                  model->getAttrOfType<ArrayAttr>("ddl.input_kinds"));
  FailureOr<LLVM::GlobalOp> outputInfos =
      tensorInfos("outputs", outputTypesAttr, outputNames,
                  model->getAttrOfType<ArrayAttr>("ddl.output_kinds"));
  if (failed(inputInfos) || failed(outputInfos))
    return failure();

  // A device model's outputs come from host->device_alloc, whose failure
  // is the device layer's sticky error.
  LLVM::GlobalOp outOfMemoryMessage =
      string("out of memory: a buffer the model allocates (an output, or an "
             "intermediate outside the arena) could not be allocated");
  if (deviceKind == 0)
    checkAllocations(model, outOfMemoryMessage);

  bool hasArena = model->hasAttr(ddl::memory::kArenaArgAttr);
  LLVM::LLVMFuncOp arenaSizeFn;
  if (auto ref = model->getAttrOfType<FlatSymbolRefAttr>(
          ddl::memory::kArenaSizeFnAttr))
    arenaSizeFn = module.lookupSymbol<LLVM::LLVMFuncOp>(ref);
  if (hasArena && !arenaSizeFn)
    return model.emitError("arena argument without its size function");

  // int64_t arena_size(const ddl_model_io *inputs)
  auto arenaSizeType = LLVM::LLVMFunctionType::get(i64Type, {ptrType});
  auto arenaSize =
      LLVM::LLVMFuncOp::create(b, loc, "__ddl_arena_size", arenaSizeType);
  {
    OpBuilder fb = OpBuilder::atBlockBegin(arenaSize.addEntryBlock(b));
    Value bytes;
    if (arenaSizeFn) {
      SmallVector<Value> args =
          inputArguments(fb, arenaSize.getArgument(0), inputTypes);
      bytes = LLVM::CallOp::create(fb, loc, arenaSizeFn, args).getResult();
    } else {
      bytes = constI64(fb, 0);
    }
    LLVM::ReturnOp::create(fb, loc, bytes);
  }

  // int32_t run(const ddl_host *host, const ddl_model_io *inputs,
  //             ddl_model_io *outputs)
  // The thread-local host pointer that parallel loops read (created by
  // ddl-parallel-to-host when the model has any).
  LLVM::GlobalOp hostGlobal = ddl::lowering::getOrCreateThreadLocalPointer(
      module, ddl::lowering::kHostGlobal);
  auto runType =
      LLVM::LLVMFunctionType::get(i32Type, {ptrType, ptrType, ptrType});
  auto run = LLVM::LLVMFuncOp::create(b, loc, "__ddl_run", runType);
  {
    Block *entry = run.addEntryBlock(b);
    OpBuilder fb = OpBuilder::atBlockBegin(entry);
    // Branches to a new block when `failed` holds and returns a builder
    // there; `fb` continues in the other branch.
    auto branchToFailure = [&](Value failed) {
      Block *fail = new Block();
      Block *cont = new Block();
      run.getBody().push_back(fail);
      run.getBody().push_back(cont);
      LLVM::CondBrOp::create(fb, loc, failed, fail, cont);
      fb.setInsertionPointToStart(cont);
      return OpBuilder::atBlockBegin(fail);
    };
    Value host = run.getArgument(0);
    Value hostSlot = LLVM::AddressOfOp::create(fb, loc, hostGlobal);
    LLVM::StoreOp::create(fb, loc, host, hostSlot);
    SmallVector<Value> args =
        inputArguments(fb, run.getArgument(1), inputTypes);
    if (hasArena) {
      Value bytes = LLVM::CallOp::create(fb, loc, arenaSize,
                                         ValueRange{run.getArgument(1)})
                        .getResult();
      Value ctx = ddl::lowering::loadHostField(
          fb, loc, host, ddl::lowering::HostField::Context);
      Value arenaFn = ddl::lowering::loadHostField(
          fb, loc, host, ddl::lowering::HostField::Arena);
      auto arenaFnType =
          LLVM::LLVMFunctionType::get(ptrType, {ptrType, i64Type});
      Value arena = LLVM::CallOp::create(fb, loc, arenaFnType,
                                         ValueRange{arenaFn, ctx, bytes})
                        .getResult();
      // A NULL arena for a non-empty request is the host's out-of-memory.
      Value isNull = LLVM::ICmpOp::create(fb, loc, LLVM::ICmpPredicate::eq,
                                          arena, null(fb));
      Value needed = LLVM::ICmpOp::create(fb, loc, LLVM::ICmpPredicate::sgt,
                                          bytes, constI64(fb, 0));
      Value failedAlloc = LLVM::AndOp::create(fb, loc, isNull, needed);
      OpBuilder failBuilder = branchToFailure(failedAlloc);
      LLVM::ReturnOp::create(failBuilder, loc, constI32(failBuilder, 1));
      args.append({arena, arena, constI64(fb, 0), bytes, constI64(fb, 1)});
    }
    LLVM::GlobalOp failedCheck =
        module.lookupSymbol<LLVM::GlobalOp>(ddl::lowering::kFailedCheckGlobal);
    if (failedCheck)
      LLVM::StoreOp::create(fb, loc, null(fb),
                            LLVM::AddressOfOp::create(fb, loc, failedCheck));
    auto call = LLVM::CallOp::create(fb, loc, model, args);
    Value result = call.getNumResults() ? call.getResult() : Value();
    auto outputDescriptor = [&](OpBuilder &ob, size_t j) -> Value {
      if (outputTypes.size() == 1)
        return result;
      return LLVM::ExtractValueOp::create(ob, loc, result,
                                          ArrayRef<int64_t>{int64_t(j)});
    };
    if (failedCheck) {
      // A failed run-time check: free the outputs, report the status.
      Value message = LLVM::LoadOp::create(
          fb, loc, ptrType, LLVM::AddressOfOp::create(fb, loc, failedCheck));
      Value isFailed = LLVM::ICmpOp::create(fb, loc, LLVM::ICmpPredicate::ne,
                                            message, null(fb));
      OpBuilder failBuilder = branchToFailure(isFailed);
      for (size_t j = 0; j < outputTypes.size(); ++j) {
        Value data = LLVM::ExtractValueOp::create(
            failBuilder, loc, outputDescriptor(failBuilder, j),
            ArrayRef<int64_t>{0});
        if (deviceKind == 0) {
          LLVM::CallOp::create(failBuilder, loc, declareFree(),
                               ValueRange{data});
          continue;
        }
        // A device model's outputs came from the host's device_alloc.
        Value ctx = ddl::lowering::loadHostField(
            failBuilder, loc, host, ddl::lowering::HostField::Context);
        Value freeFn = ddl::lowering::loadHostField(
            failBuilder, loc, host, ddl::lowering::HostField::DeviceFree);
        auto freeType = LLVM::LLVMFunctionType::get(
            LLVM::LLVMVoidType::get(context), {ptrType, ptrType});
        LLVM::CallOp::create(failBuilder, loc, freeType,
                             ValueRange{freeFn, ctx, data});
      }
      LLVM::StoreOp::create(failBuilder, loc, null(failBuilder), hostSlot);
      Value outOfMemory = LLVM::ICmpOp::create(
          failBuilder, loc, LLVM::ICmpPredicate::eq, message,
          address(failBuilder, outOfMemoryMessage));
      LLVM::ReturnOp::create(
          failBuilder, loc,
          LLVM::SelectOp::create(failBuilder, loc, outOfMemory,
                                 constI32(failBuilder, kStatusOutOfMemory),
                                 constI32(failBuilder, kStatusCheckFailed)));
    }
    for (auto [j, type] : llvm::enumerate(outputTypes)) {
      Value desc = outputDescriptor(fb, j);
      // Field 0 is the pointer malloc returned; ddl-own-results made it the
      // start of a dense buffer.
      Value data =
          LLVM::ExtractValueOp::create(fb, loc, desc, ArrayRef<int64_t>{0});
      Value io =
          LLVM::GEPOp::create(fb, loc, ptrType, ioType, run.getArgument(2),
                              ArrayRef<LLVM::GEPArg>{int32_t(j)});
      Value dataField = LLVM::GEPOp::create(fb, loc, ptrType, ioType, io,
                                            ArrayRef<LLVM::GEPArg>{0, 0});
      Value dimsField = LLVM::GEPOp::create(fb, loc, ptrType, ioType, io,
                                            ArrayRef<LLVM::GEPArg>{0, 1});
      LLVM::StoreOp::create(fb, loc, data, dataField);
      Value dims = LLVM::LoadOp::create(fb, loc, ptrType, dimsField);
      for (int64_t d = 0; d < type.getRank(); ++d) {
        Value size = LLVM::ExtractValueOp::create(fb, loc, desc,
                                                  ArrayRef<int64_t>{3, d});
        Value p = LLVM::GEPOp::create(fb, loc, ptrType, i64Type, dims,
                                      ArrayRef<LLVM::GEPArg>{int32_t(d)});
        LLVM::StoreOp::create(fb, loc, size, p);
      }
    }
    LLVM::StoreOp::create(fb, loc, null(fb), hostSlot);
    LLVM::ReturnOp::create(fb, loc, constI32(fb, 0));
  }

  // const char *failed_check(void): the message of the check that failed
  // in this thread's last run.
  auto failedCheckFn =
      LLVM::LLVMFuncOp::create(b, loc, "__ddl_failed_check_message",
                               LLVM::LLVMFunctionType::get(ptrType, {}));
  {
    OpBuilder fb = OpBuilder::atBlockBegin(failedCheckFn.addEntryBlock(b));
    LLVM::GlobalOp failedCheck =
        module.lookupSymbol<LLVM::GlobalOp>(ddl::lowering::kFailedCheckGlobal);
    Value message = failedCheck
                        ? Value(LLVM::LoadOp::create(
                              fb, loc, ptrType,
                              LLVM::AddressOfOp::create(fb, loc, failedCheck)))
                        : null(fb);
    LLVM::ReturnOp::create(fb, loc, message);
  }

  // The descriptor and `const ddl_model *ddl_get_model(void)`.
  int64_t arenaBytes = 0;
  if (auto attr =
          model->getAttrOfType<IntegerAttr>(ddl::memory::kArenaBytesAttr))
    arenaBytes = attr.getInt();
  StringRef formula = "0";
  if (auto attr =
          model->getAttrOfType<StringAttr>(ddl::memory::kArenaFormulaAttr))
    formula = attr.getValue();
  LLVM::GlobalOp nameString = string(model.getName());
  LLVM::GlobalOp tripleString = string(triple);
  LLVM::GlobalOp formulaString = string(formula);
  LLVM::GlobalOp archString = deviceArch.empty() ? nullptr : string(deviceArch);
  auto descriptor = global("model", modelType, [&](OpBuilder &ib) {
    Value s = LLVM::UndefOp::create(ib, loc, modelType);
    auto set = [&](Value v, int64_t field) {
      s = LLVM::InsertValueOp::create(ib, loc, s, v,
                                      ArrayRef<int64_t>{int64_t(field)});
    };
    set(constI32(ib, kABIVersion), 0);
    set(constI32(ib, inputTypes.size()), 1);
    set(constI32(ib, outputTypes.size()), 2);
    set(constI32(ib, deviceKind), 3);
    set(address(ib, *inputInfos), 4);
    set(address(ib, *outputInfos), 5);
    set(address(ib, nameString), 6);
    set(address(ib, tripleString), 7);
    set(constI64(ib, arenaBytes), 8);
    set(address(ib, formulaString), 9);
    set(LLVM::AddressOfOp::create(ib, loc, ptrType, arenaSize.getName()), 10);
    set(LLVM::AddressOfOp::create(ib, loc, ptrType, run.getName()), 11);
    set(LLVM::AddressOfOp::create(ib, loc, ptrType, failedCheckFn.getName()),
        12);
    set(archString ? address(ib, archString) : null(ib), 13);
    return s;
  });

  // Everything but the entry becomes internal.
  for (auto fn : module.getOps<LLVM::LLVMFuncOp>())
    if (!fn.isExternal())
      fn.setLinkage(LLVM::Linkage::Internal);

  auto getModel = LLVM::LLVMFuncOp::create(
      b, loc, "ddl_get_model", LLVM::LLVMFunctionType::get(ptrType, {}));
  OpBuilder gb = OpBuilder::atBlockBegin(getModel.addEntryBlock(b));
  LLVM::ReturnOp::create(gb, loc, address(gb, descriptor));
  return success();
}

namespace {
struct DDLEmitModelEntryPass final
    : ddl::lowering::impl::DDLEmitModelEntryPassBase<DDLEmitModelEntryPass> {
  using Base::Base;
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<LLVM::LLVMFuncOp> models;
    for (auto fn : module.getOps<LLVM::LLVMFuncOp>())
      if (fn->hasAttr("ddl.input_types") && !fn.isExternal())
        models.push_back(fn);
    if (models.size() != 1) {
      module.emitError() << "expected one model function (with "
                            "ddl.input_types), found "
                         << models.size();
      return signalPassFailure();
    }
    EntryEmitter emitter(module);
    int32_t deviceKind = 0;
    if (device == "cuda") {
      deviceKind = 1;
    } else if (device == "rocm") {
      deviceKind = 2;
    } else if (!device.empty()) {
      module.emitError() << "ddl-emit-model-entry: unknown device '" << device
                         << "' (expected cuda or rocm)";
      return signalPassFailure();
    }
    if (failed(
            emitter.emit(models.front(), targetTriple, deviceKind, deviceArch)))
      signalPassFailure();
  }
};
} // namespace
