//===- GPUToHost.cpp - host code of a device model calls the host ---------===//
//
// See DDLGPUToHostPass in Passes.td. This pass is the device models'
// finalize-memref-to-llvm: upstream's patterns lower the memref ops that
// only compute descriptors, and the patterns below (higher benefit) lower
// the ones that touch memory to the device callbacks of `ddl_host`.
//
//===----------------------------------------------------------------------===//

#include "passes/codegen/gpu/Passes.h"
#include "passes/lowering/Passes.h"

#include "mlir/Analysis/DataLayoutAnalysis.h"
#include "mlir/Conversion/LLVMCommon/ConversionTarget.h"
#include "mlir/Conversion/LLVMCommon/MemRefBuilder.h"
#include "mlir/Conversion/LLVMCommon/Pattern.h"
#include "mlir/Conversion/LLVMCommon/TypeConverter.h"
#include "mlir/Conversion/MemRefToLLVM/MemRefToLLVM.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Transforms/DialectConversion.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"

namespace ddl::gpugen {
#define GEN_PASS_DEF_DDLGPUTOHOSTPASS
#include "passes/codegen/gpu/Passes.h.inc"
} // namespace ddl::gpugen

using namespace mlir;
using ddl::lowering::HostField;

namespace {

/// Bytes of one kernel parameter slot: every parameter of ddl's kernels is
/// a pointer, an i64 (index-bitwidth 64) or a narrower scalar.
constexpr int64_t kParamSlotBytes = 8;

/// Per host function: the stack slots its launches and element copies use,
/// made once in the entry block (not per launch, which would grow the stack
/// with the number of kernels).
struct FunctionSlots {
  Value params;    // [maxParams x i64]: the parameter values
  Value paramPtrs; // [maxParams x ptr]: &params[i], stored once
  Value gridBlock; // [6 x i64]
  Value element;   // 16 bytes: one element copied to or from the device
  int64_t maxParams = 0;
};

/// What the patterns share: the images, the slots, the host pointer.
struct HostContext {
  LLVM::GlobalOp hostGlobal;
  llvm::StringMap<LLVM::GlobalOp> images; // gpu.binary name -> bytes
  DenseMap<Operation *, FunctionSlots> slots;
  llvm::StringMap<LLVM::GlobalOp> names; // "module::kernel" -> C string
};

Type ptrType(MLIRContext *context) {
  return LLVM::LLVMPointerType::get(context);
}

/// A kernel operand that is a host pointer (`!llvm.ptr`, not a memref)
/// stands for the bytes it points to: a parameter passed by value (a TMA
/// descriptor; ddl-gpu-by-value-params).
bool isHostPointer(Type type) {
  auto pointer = dyn_cast<LLVM::LLVMPointerType>(type);
  return pointer && pointer.getAddressSpace() == 0;
}

/// The kernel parameters an operand of `type` becomes: a memref its
/// descriptor's fields, anything else itself.
int64_t paramCount(Type type) {
  if (auto memref = dyn_cast<MemRefType>(type))
    return 3 + 2 * memref.getRank();
  return 1;
}

/// The `ddl_host` of the current run, and one of its fields.
Value loadHost(OpBuilder &b, Location loc, const HostContext &host) {
  Value slot = LLVM::AddressOfOp::create(b, loc, host.hostGlobal);
  return LLVM::LoadOp::create(b, loc, ptrType(b.getContext()), slot);
}

/// Calls the host callback in `field` with the host's context first.
Value callHost(OpBuilder &b, Location loc, const HostContext &host,
               HostField field, Type result, ValueRange args) {
  Value hostPtr = loadHost(b, loc, host);
  Value ctx = ddl::lowering::loadHostField(b, loc, hostPtr, HostField::Context);
  Value fn = ddl::lowering::loadHostField(b, loc, hostPtr, field);
  SmallVector<Type> argTypes{ptrType(b.getContext())};
  SmallVector<Value> operands{fn, ctx};
  for (Value a : args) {
    argTypes.push_back(a.getType());
    operands.push_back(a);
  }
  auto fnType = LLVM::LLVMFunctionType::get(
      result ? result : LLVM::LLVMVoidType::get(b.getContext()), argTypes);
  auto call = LLVM::CallOp::create(b, loc, fnType, operands);
  return result ? call.getResult() : Value();
}

Value i64(OpBuilder &b, Location loc, int64_t v) {
  return LLVM::ConstantOp::create(b, loc, b.getI64Type(), v);
}

/// A host function's slots; null when the function has none (no launch
/// and no element copy was counted for it).
const FunctionSlots *slotsOf(Operation *op, const HostContext &host) {
  Operation *fn = op->getParentOfType<FunctionOpInterface>();
  auto it = host.slots.find(fn);
  return it == host.slots.end() ? nullptr : &it->second;
}

template <typename Op> struct HostPattern : ConvertOpToLLVMPattern<Op> {
  HostPattern(const LLVMTypeConverter &converter, const HostContext &host)
      : ConvertOpToLLVMPattern<Op>(converter, /*benefit=*/10), host(host) {}
  const HostContext &host;

protected:
  /// device_copy of one element between `memref` at `indices` and the
  /// function's element slot (to the device with `toDevice`); the slot,
  /// or null when the function has none.
  Value copyElement(Operation *op, MemRefType type, Value memref,
                    ValueRange indices, bool toDevice,
                    ConversionPatternRewriter &rewriter) const {
    const FunctionSlots *slots = slotsOf(op, host);
    if (!slots)
      return Value();
    Location loc = op->getLoc();
    Value element =
        this->getStridedElementPtr(rewriter, loc, type, memref, indices);
    Value bytes = this->getSizeInBytes(loc, type.getElementType(), rewriter);
    Value direction = LLVM::ConstantOp::create(rewriter, loc,
                                               rewriter.getI32Type(), toDevice);
    Value dst = toDevice ? element : slots->element;
    Value src = toDevice ? slots->element : element;
    callHost(rewriter, loc, host, HostField::DeviceCopy, Type(),
             {dst, src, bytes, direction});
    return slots->element;
  }
};

/// gpu.launch_func -> device_launch(ctx, image, bytes, name, grid_block,
/// shared_bytes, params).
struct LaunchToHost : HostPattern<::mlir::gpu::LaunchFuncOp> {
  using HostPattern::HostPattern;

  LogicalResult
  matchAndRewrite(::mlir::gpu::LaunchFuncOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    const FunctionSlots *slots = slotsOf(op, host);
    auto image = host.images.find(op.getKernelModuleName());
    auto name = host.names.find((op.getKernelModuleName().getValue() +
                                 "::" + op.getKernelName().getValue())
                                    .str());
    if (!slots || image == host.images.end() || name == host.names.end())
      return rewriter.notifyMatchFailure(op, "no image or slots");
    SmallVector<Value> params = getTypeConverter()->promoteOperands(
        loc, op.getKernelOperands(), adaptor.getKernelOperands(), rewriter,
        /*useBarePtrCallConv=*/false);
    if (static_cast<int64_t>(params.size()) > slots->maxParams)
      return rewriter.notifyMatchFailure(op, "more parameters than slots");
    Type i64Type = rewriter.getI64Type();
    // A host pointer among the operands is a parameter passed by value
    // (a TMA descriptor: see kernelParamByValue): its pointer goes into
    // the parameter pointers for this launch, in place of its slot's.
    SmallVector<std::pair<Value, Value>> byValue; // (pointer slot, own slot)
    llvm::SmallDenseSet<int64_t> byValueParams;
    int64_t param = 0;
    for (Value operand : op.getKernelOperands()) {
      if (isHostPointer(operand.getType()))
        byValueParams.insert(param);
      param += paramCount(operand.getType());
    }
    for (auto [i, value] : llvm::enumerate(params)) {
      Value slot = LLVM::GEPOp::create(
          rewriter, loc, ptrType(getContext()), i64Type, slots->params,
          ArrayRef<LLVM::GEPArg>{static_cast<int32_t>(i)});
      if (byValueParams.contains(i)) {
        Value pointerSlot = LLVM::GEPOp::create(
            rewriter, loc, ptrType(getContext()), ptrType(getContext()),
            slots->paramPtrs, ArrayRef<LLVM::GEPArg>{static_cast<int32_t>(i)});
        LLVM::StoreOp::create(rewriter, loc, value, pointerSlot);
        byValue.push_back({pointerSlot, slot});
        continue;
      }
      LLVM::StoreOp::create(rewriter, loc, value, slot);
    }
    Value dims[6] = {adaptor.getGridSizeX(),  adaptor.getGridSizeY(),
                     adaptor.getGridSizeZ(),  adaptor.getBlockSizeX(),
                     adaptor.getBlockSizeY(), adaptor.getBlockSizeZ()};
    for (auto [i, value] : llvm::enumerate(dims)) {
      Value slot = LLVM::GEPOp::create(
          rewriter, loc, ptrType(getContext()), i64Type, slots->gridBlock,
          ArrayRef<LLVM::GEPArg>{static_cast<int32_t>(i)});
      if (value.getType() != i64Type)
        value = LLVM::ZExtOp::create(rewriter, loc, i64Type, value);
      LLVM::StoreOp::create(rewriter, loc, value, slot);
    }
    Value shared = i64(rewriter, loc, 0);
    if (Value dynamic = adaptor.getDynamicSharedMemorySize())
      shared = LLVM::ZExtOp::create(rewriter, loc, i64Type, dynamic);
    LLVM::GlobalOp imageGlobal = image->second;
    int64_t imageBytes =
        cast<LLVM::LLVMArrayType>(imageGlobal.getType()).getNumElements();
    callHost(rewriter, loc, host, HostField::DeviceLaunch, Type(),
             {LLVM::AddressOfOp::create(rewriter, loc, imageGlobal),
              i64(rewriter, loc, imageBytes),
              LLVM::AddressOfOp::create(rewriter, loc, name->second),
              slots->gridBlock, shared, slots->paramPtrs});
    for (auto [pointerSlot, slot] : byValue)
      LLVM::StoreOp::create(rewriter, loc, slot, pointerSlot);
    rewriter.eraseOp(op);
    return success();
  }
};

/// memref.get_global of a weight -> device_constant(ctx, &global, bytes).
struct GetGlobalToDevice : HostPattern<memref::GetGlobalOp> {
  using HostPattern::HostPattern;

  LogicalResult
  matchAndRewrite(memref::GetGlobalOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    MemRefType type = op.getType();
    if (!type.hasStaticShape() || !type.getLayout().isIdentity())
      return rewriter.notifyMatchFailure(op, "not a static dense global");
    Location loc = op.getLoc();
    Value address = LLVM::AddressOfOp::create(
        rewriter, loc, ptrType(getContext()), op.getName());
    Value bytes = getSizeInBytes(loc, type.getElementType(), rewriter);
    bytes = LLVM::MulOp::create(rewriter, loc, bytes,
                                i64(rewriter, loc, type.getNumElements()));
    Value device = callHost(rewriter, loc, host, HostField::DeviceConstant,
                            ptrType(getContext()), {address, bytes});
    Value descriptor = MemRefDescriptor::fromStaticShape(
        rewriter, loc, *getTypeConverter(), type, device);
    rewriter.replaceOp(op, descriptor);
    return success();
  }
};

/// memref.alloc -> device_alloc(ctx, bytes).
struct AllocToDevice : HostPattern<memref::AllocOp> {
  using HostPattern::HostPattern;

  LogicalResult
  matchAndRewrite(memref::AllocOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    MemRefType type = op.getType();
    if (!type.getLayout().isIdentity())
      return rewriter.notifyMatchFailure(op, "not an identity layout");
    Location loc = op.getLoc();
    SmallVector<Value> sizes, strides;
    Value bytes;
    getMemRefDescriptorSizes(loc, type, adaptor.getDynamicSizes(), rewriter,
                             sizes, strides, bytes);
    Value device = callHost(rewriter, loc, host, HostField::DeviceAlloc,
                            ptrType(getContext()), {bytes});
    Value descriptor = createMemRefDescriptor(loc, type, device, device, sizes,
                                              strides, rewriter);
    rewriter.replaceOp(op, descriptor);
    return success();
  }
};

/// memref.dealloc -> device_free(ctx, allocated pointer).
struct DeallocToDevice : HostPattern<memref::DeallocOp> {
  using HostPattern::HostPattern;

  LogicalResult
  matchAndRewrite(memref::DeallocOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!isa<MemRefType>(op.getMemref().getType()))
      return rewriter.notifyMatchFailure(op, "unranked");
    MemRefDescriptor descriptor(adaptor.getMemref());
    callHost(rewriter, op.getLoc(), host, HostField::DeviceFree, Type(),
             {descriptor.allocatedPtr(rewriter, op.getLoc())});
    rewriter.eraseOp(op);
    return success();
  }
};

/// memref.load on the host -> device_copy of the element to a stack slot.
struct LoadFromDevice : HostPattern<memref::LoadOp> {
  using HostPattern::HostPattern;

  LogicalResult
  matchAndRewrite(memref::LoadOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value slot =
        this->copyElement(op, op.getMemRefType(), adaptor.getMemref(),
                          adaptor.getIndices(), /*toDevice=*/false, rewriter);
    if (!slot)
      return rewriter.notifyMatchFailure(op, "no slots");
    Type elementType =
        getTypeConverter()->convertType(op.getMemRefType().getElementType());
    rewriter.replaceOpWithNewOp<LLVM::LoadOp>(op, elementType, slot);
    return success();
  }
};

/// memref.store on the host -> the element to a stack slot, device_copy.
struct StoreToDevice : HostPattern<memref::StoreOp> {
  using HostPattern::HostPattern;

  LogicalResult
  matchAndRewrite(memref::StoreOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    const FunctionSlots *slots = slotsOf(op, host);
    if (!slots)
      return rewriter.notifyMatchFailure(op, "no slots");
    LLVM::StoreOp::create(rewriter, op.getLoc(), adaptor.getValue(),
                          slots->element);
    this->copyElement(op, op.getMemRefType(), adaptor.getMemref(),
                      adaptor.getIndices(), /*toDevice=*/true, rewriter);
    rewriter.eraseOp(op);
    return success();
  }
};

/// Kernel parameters a launch passes: a memref is its descriptor's
/// fields (two pointers, the offset, the sizes and the strides).
int64_t countParams(::mlir::gpu::LaunchFuncOp launch) {
  int64_t count = 0;
  for (Value operand : launch.getKernelOperands())
    count += paramCount(operand.getType());
  return count;
}

struct DDLGPUToHostPass final
    : ddl::gpugen::impl::DDLGPUToHostPassBase<DDLGPUToHostPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *context = &getContext();
    HostContext host;
    host.hostGlobal = ddl::lowering::getOrCreateThreadLocalPointer(
        module, ddl::lowering::kHostGlobal);

    if (failed(checkHostOps(module)) || failed(makeImages(module, host)))
      return signalPassFailure();
    makeSlots(module, host);

    const auto &layout = getAnalysis<DataLayoutAnalysis>();
    LowerToLLVMOptions options(context, layout.getAtOrAbove(module));
    LLVMTypeConverter converter(context, options, &layout);
    RewritePatternSet patterns(context);
    populateFinalizeMemRefToLLVMConversionPatterns(converter, patterns);
    patterns.add<LaunchToHost, GetGlobalToDevice, AllocToDevice,
                 DeallocToDevice, LoadFromDevice, StoreToDevice>(converter,
                                                                 host);
    LLVMConversionTarget target(*context);
    target.addLegalOp<ModuleOp>();
    target.addIllegalOp<::mlir::gpu::LaunchFuncOp>();
    target.addIllegalDialect<memref::MemRefDialect>();
    if (failed(applyPartialConversion(module, target, std::move(patterns))))
      return signalPassFailure();
    for (auto binary :
         llvm::make_early_inc_range(module.getOps<::mlir::gpu::BinaryOp>()))
      binary.erase();
    module->removeAttr(::mlir::gpu::GPUDialect::getContainerModuleAttrName());
  }

  /// Host ops that would touch device memory in a way no pattern handles.
  LogicalResult checkHostOps(ModuleOp module) {
    WalkResult result = module.walk([&](Operation *op) {
      if (isa<memref::AllocaOp, memref::AllocaScopeOp>(op)) {
        op->emitError("unsupported: a stack buffer in the host code of a "
                      "device model (--target=cuda/rocm)");
        return WalkResult::interrupt();
      }
      if (auto global = dyn_cast<memref::GlobalOp>(op);
          global && !global.getConstant() && !global.isExternal()) {
        op->emitError("unsupported: a mutable global in a device model");
        return WalkResult::interrupt();
      }
      return WalkResult::advance();
    });
    return failure(result.wasInterrupted());
  }

  /// Each gpu.binary's single object as a constant byte array, and each
  /// launched kernel's name as a C string.
  LogicalResult makeImages(ModuleOp module, HostContext &host) {
    OpBuilder b = OpBuilder::atBlockBegin(module.getBody());
    Type i8 = b.getI8Type();
    for (auto binary : module.getOps<::mlir::gpu::BinaryOp>()) {
      ArrayAttr objects = binary.getObjects();
      auto object = objects.size() == 1
                        ? dyn_cast<::mlir::gpu::ObjectAttr>(objects[0])
                        : nullptr;
      if (!object)
        return binary.emitError("a device image needs exactly one object");
      StringRef bytes = object.getObject().getValue();
      auto global = LLVM::GlobalOp::create(
          b, binary.getLoc(), LLVM::LLVMArrayType::get(i8, bytes.size()),
          /*isConstant=*/true, LLVM::Linkage::Internal,
          ("__ddl_image_" + binary.getSymName()).str(), b.getStringAttr(bytes),
          /*alignment=*/64);
      host.images[binary.getSymName()] = global;
    }
    WalkResult result = module.walk([&](::mlir::gpu::LaunchFuncOp launch) {
      std::string key = (launch.getKernelModuleName().getValue() +
                         "::" + launch.getKernelName().getValue())
                            .str();
      if (!host.images.count(launch.getKernelModuleName())) {
        launch.emitError("a launch of a kernel that was not compiled");
        return WalkResult::interrupt();
      }
      if (host.names.count(key))
        return WalkResult::advance();
      std::string text = launch.getKernelName().getValue().str();
      text.push_back('\0');
      host.names[key] = LLVM::GlobalOp::create(
          b, launch.getLoc(), LLVM::LLVMArrayType::get(i8, text.size()),
          /*isConstant=*/true, LLVM::Linkage::Internal,
          "__ddl_kernel_" + key.substr(0, key.find(':')) + "_" +
              launch.getKernelName().getValue().str(),
          b.getStringAttr(text), /*alignment=*/0);
      return WalkResult::advance();
    });
    return failure(result.wasInterrupted());
  }

  /// The stack slots of every host function that launches kernels or
  /// copies elements.
  void makeSlots(ModuleOp module, HostContext &host) {
    MLIRContext *context = module.getContext();
    for (auto fn : module.getOps<FunctionOpInterface>()) {
      if (fn.isExternal())
        continue;
      int64_t maxParams = 0;
      bool needed = false;
      fn->walk([&](Operation *op) {
        if (auto launch = dyn_cast<::mlir::gpu::LaunchFuncOp>(op)) {
          maxParams = std::max(maxParams, countParams(launch));
          needed = true;
        } else if (isa<memref::LoadOp, memref::StoreOp>(op)) {
          needed = true;
        }
      });
      if (!needed)
        continue;
      OpBuilder b = OpBuilder::atBlockBegin(&fn.getFunctionBody().front());
      Location loc = fn.getLoc();
      Type i64Type = b.getI64Type();
      auto array = [&](Type element, int64_t n, int64_t align) -> Value {
        return LLVM::AllocaOp::create(b, loc, ptrType(context),
                                      LLVM::LLVMArrayType::get(element, n),
                                      i64(b, loc, 1), align);
      };
      FunctionSlots slots;
      slots.maxParams = maxParams;
      int64_t n = std::max<int64_t>(maxParams, 1);
      slots.params = array(i64Type, n, kParamSlotBytes);
      slots.paramPtrs = array(ptrType(context), n, 8);
      slots.gridBlock = array(i64Type, 6, 8);
      slots.element = array(b.getI8Type(), 16, 16);
      for (int64_t i = 0; i < maxParams; ++i) {
        auto at = [&](Value base, Type element) -> Value {
          return LLVM::GEPOp::create(
              b, loc, ptrType(context), element, base,
              ArrayRef<LLVM::GEPArg>{static_cast<int32_t>(i)});
        };
        LLVM::StoreOp::create(b, loc, at(slots.params, i64Type),
                              at(slots.paramPtrs, ptrType(context)));
      }
      host.slots[fn] = slots;
    }
  }
};

} // namespace
