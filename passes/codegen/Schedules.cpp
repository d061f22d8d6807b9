//===- Schedules.cpp - kernels, their keys and their schedules ------------===//

#include "passes/codegen/Schedules.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/MemoryBuffer.h"

using namespace mlir;
using namespace ddl;
using namespace ddl::codegen;

std::optional<ConstantRhsMatmul>
codegen::matchConstantRhsMatmul(linalg::MatmulOp op) {
  if (!op.hasPureTensorSemantics() || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1)
    return std::nullopt;
  auto aType = dyn_cast<RankedTensorType>(op.getDpsInputs()[0].getType());
  auto bType = dyn_cast<RankedTensorType>(op.getDpsInputs()[1].getType());
  auto cType = dyn_cast<RankedTensorType>(op.getDpsInits()[0].getType());
  if (!aType || !bType || !cType || !aType.getElementType().isF32() ||
      !bType.getElementType().isF32() || !cType.getElementType().isF32())
    return std::nullopt;
  // The maps: A (m, k), C (m, n), B (k, n) or (n, k).
  MLIRContext *ctx = op.getContext();
  AffineExpr m = getAffineDimExpr(0, ctx), n = getAffineDimExpr(1, ctx),
             k = getAffineDimExpr(2, ctx);
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  auto is = [&](AffineMap map, ArrayRef<AffineExpr> exprs) {
    return map == AffineMap::get(3, 0, exprs, ctx);
  };
  if (maps.size() != 3 || !is(maps[2], {m, n}))
    return std::nullopt;
  bool lhsTransposed;
  if (is(maps[0], {m, k}))
    lhsTransposed = false;
  else if (is(maps[0], {k, m}))
    lhsTransposed = true;
  else
    return std::nullopt;
  bool transposed;
  if (is(maps[1], {k, n}))
    transposed = false;
  else if (is(maps[1], {n, k}))
    transposed = true;
  else
    return std::nullopt;
  auto constant = op.getDpsInputs()[1].getDefiningOp<arith::ConstantOp>();
  if (!constant)
    return std::nullopt;
  auto rhs = dyn_cast<ElementsAttr>(constant.getValue());
  if (!rhs ||
      !(isa<DenseElementsAttr>(rhs) || isa<DenseResourceElementsAttr>(rhs)))
    return std::nullopt;
  // Weights are packed at compile time: an elided resource (a printout
  // without its data) cannot be, so it keeps the generic lowering.
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(rhs))
    if (!resource.getRawHandle().getBlob())
      return std::nullopt;
  int64_t kSize = aType.getDimSize(lhsTransposed ? 0 : 1);
  int64_t nSize = cType.getDimSize(1);
  if (ShapedType::isDynamic(kSize) || ShapedType::isDynamic(nSize) ||
      kSize == 0 || nSize == 0)
    return std::nullopt;
  return ConstantRhsMatmul{
      op, cType.getDimSize(0), nSize, kSize, lhsTransposed, transposed, rhs};
}

SmallVector<AffineMap, 3> codegen::packedRhsMaps(MLIRContext *ctx, int64_t n0,
                                                 bool lhsTransposed) {
  AffineExpr m = getAffineDimExpr(0, ctx), n = getAffineDimExpr(1, ctx),
             k = getAffineDimExpr(2, ctx);
  return {AffineMap::get(3, 0,
                         lhsTransposed ? SmallVector<AffineExpr>{k, m}
                                       : SmallVector<AffineExpr>{m, k},
                         ctx),
          AffineMap::get(3, 0, {n.floorDiv(n0), k, n % n0}, ctx),
          AffineMap::get(3, 0, {m, n}, ctx)};
}

std::optional<bool> codegen::matchPackedRhsContraction(linalg::GenericOp op,
                                                       int64_t n0) {
  if (op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
      op.getNumLoops() != 3 || op.getNumReductionLoops() != 1 ||
      op.getIteratorTypesArray().back() != utils::IteratorType::reduction)
    return std::nullopt;
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  std::optional<bool> transposed;
  for (bool candidate : {false, true})
    if (maps ==
        ArrayRef<AffineMap>(packedRhsMaps(op.getContext(), n0, candidate)))
      transposed = candidate;
  if (!transposed)
    return std::nullopt;
  // The body: out + a * b in f32.
  Block &body = op.getRegion().front();
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  auto add = yield.getValues()[0].getDefiningOp<arith::AddFOp>();
  if (!add || !add.getType().isF32() || body.getOperations().size() != 3)
    return std::nullopt;
  auto mul = add.getLhs().getDefiningOp<arith::MulFOp>();
  if (!mul || add.getRhs() != body.getArgument(2) ||
      mul.getLhs() != body.getArgument(0) ||
      mul.getRhs() != body.getArgument(1))
    return std::nullopt;
  return transposed;
}

bool codegen::hasDefaultMatmulMaps(linalg::LinalgOp op) {
  bool batched = isa<linalg::BatchMatmulOp>(op.getOperation());
  if (!batched && !isa<linalg::MatmulOp>(op.getOperation()))
    return false;
  MLIRContext *ctx = op->getContext();
  unsigned lead = batched ? 1 : 0, dims = lead + 3;
  AffineExpr m = getAffineDimExpr(lead, ctx),
             n = getAffineDimExpr(lead + 1, ctx),
             k = getAffineDimExpr(lead + 2, ctx);
  auto map = [&](AffineExpr x, AffineExpr y) {
    SmallVector<AffineExpr> exprs;
    if (batched)
      exprs.push_back(getAffineDimExpr(0, ctx));
    exprs.append({x, y});
    return AffineMap::get(dims, 0, exprs, ctx);
  };
  return op.getIndexingMapsArray() ==
         SmallVector<AffineMap>{map(m, k), map(k, n), map(m, n)};
}

std::optional<RuntimeRhsMatmul> codegen::matchRuntimeRhsMatmul(Operation *op) {
  auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
  bool batched = isa<linalg::BatchMatmulOp>(op);
  if (!linalgOp || !(batched || isa<linalg::MatmulOp>(op)) ||
      !linalgOp.hasPureTensorSemantics() || linalgOp.getNumDpsInputs() != 2 ||
      linalgOp.getNumDpsInits() != 1)
    return std::nullopt;
  if (auto matmul = dyn_cast<linalg::MatmulOp>(op))
    if (matchConstantRhsMatmul(matmul))
      return std::nullopt;
  if (!hasDefaultMatmulMaps(linalgOp))
    return std::nullopt;
  SmallVector<RankedTensorType> types;
  for (Value v : op->getOperands()) {
    auto type = dyn_cast<RankedTensorType>(v.getType());
    if (!type || !type.getElementType().isF32())
      return std::nullopt;
    types.push_back(type);
  }
  unsigned lead = batched ? 1 : 0;
  auto dim = [&](unsigned operand, unsigned d) {
    return types[operand].getDimSize(lead + d);
  };
  return RuntimeRhsMatmul{linalgOp, batched ? types[2].getDimSize(0) : 1,
                          dim(2, 0), dim(2, 1), dim(0, 1)};
}

/// The fields of each kind of key, in the order keys are written.
static constexpr llvm::StringLiteral kMatmulKeyFields[] = {
    "op", "m", "n", "k", "types", "lhs", "rhs", "isa"};
static constexpr llvm::StringLiteral kBatchMatmulKeyFields[] = {
    "op", "batch", "m", "n", "k", "types", "lhs", "rhs", "isa"};
static constexpr llvm::StringLiteral kAttentionKeyFields[] = {
    "op", "batch", "heads", "kv_heads", "q_len", "kv_len",
    "d",  "dv",    "types", "mods",     "isa"};

/// The fields of keys for `op`, or an empty list for an unknown op.
static ArrayRef<llvm::StringLiteral> keyFields(StringRef op) {
  if (op == "matmul")
    return kMatmulKeyFields;
  if (op == "batch_matmul")
    return kBatchMatmulKeyFields;
  if (op == "attention")
    return kAttentionKeyFields;
  return {};
}

static std::string keySize(int64_t s) {
  return ShapedType::isDynamic(s) ? std::string("?") : std::to_string(s);
}

std::string codegen::kernelKey(const ConstantRhsMatmul &kernel, StringRef isa) {
  return "op=matmul m=" + keySize(kernel.m) + " n=" + keySize(kernel.n) +
         " k=" + keySize(kernel.k) +
         " types=f32,f32,f32 lhs=" + (kernel.lhsTransposed ? "km" : "mk") +
         " rhs=" + (kernel.rhsTransposed ? "nk" : "kn") + " isa=" + isa.str();
}

std::string codegen::kernelKey(const RuntimeRhsMatmul &kernel, StringRef isa) {
  return "op=batch_matmul batch=" + keySize(kernel.batch) +
         " m=" + keySize(kernel.m) + " n=" + keySize(kernel.n) +
         " k=" + keySize(kernel.k) +
         " types=f32,f32,f32 lhs=mk rhs=kn isa=" + isa.str();
}

std::string codegen::kernelKey(attn::FlexOp op, StringRef isa) {
  auto q = cast<RankedTensorType>(op.getQuery().getType());
  auto k = cast<RankedTensorType>(op.getKey().getType());
  auto v = cast<RankedTensorType>(op.getValue().getType());
  std::string mods = op.hasScoreMod() && op.hasMaskMod() ? "score+mask"
                     : op.hasScoreMod()                  ? "score"
                     : op.hasMaskMod()                   ? "mask"
                                                         : "none";
  std::string type;
  llvm::raw_string_ostream(type) << q.getElementType();
  return "op=attention batch=" + keySize(q.getDimSize(0)) +
         " heads=" + keySize(q.getDimSize(1)) +
         " kv_heads=" + keySize(k.getDimSize(1)) +
         " q_len=" + keySize(q.getDimSize(2)) +
         " kv_len=" + keySize(k.getDimSize(2)) +
         " d=" + keySize(q.getDimSize(3)) + " dv=" + keySize(v.getDimSize(3)) +
         " types=" + type + " mods=" + mods + " isa=" + isa.str();
}

sched::AttentionAttr codegen::defaultSchedule(attn::FlexOp op) {
  return sched::AttentionAttr::get(op->getContext(), {64, 64});
}

/// The block size (in tiles, at most `limit`) that splits `tiles` into a
/// multiple of `cores` blocks of equal size but for rounding: each core
/// gets the same number of blocks. (Blocks of `limit` tiles would leave a
/// remainder block: 72 tiles in blocks of 16 are 4 full blocks and one of
/// 8, 40 tiles for one core and 32 for the other.)
static int64_t balancedBlock(int64_t tiles, int64_t cores, int64_t limit) {
  int64_t perCore = std::max<int64_t>(1, llvm::divideCeil(tiles, cores));
  int64_t blocksPerCore = llvm::divideCeil(perCore, limit);
  return std::max<int64_t>(1, llvm::divideCeil(tiles, cores * blocksPerCore));
}

/// The register tile for a static M under the table tile's M0: M rows, and
/// the accumulator registers the other rows would have held spent on more
/// columns (up to 64, the kernels' widest). One row of the [8, 32] AVX-512
/// tile keeps two FMA chains in flight, latency-bound; [1, 64] keeps four
/// (a batch-1 GRU step, H = 512, its GEMVs: 1.5x). Other M keep the table's.
static target::RegisterTile registerTile(const target::CPUTargetInfo &target,
                                         int64_t m) {
  target::RegisterTile tile = target.f32Tile;
  if (ShapedType::isDynamic(m) || m < 1 || m >= tile.m0)
    return tile;
  int64_t lanes = target.vectorBits / 32;
  int64_t accumulators = tile.m0 * tile.n0 / lanes;
  int64_t n0 = std::min<int64_t>(64, accumulators / m * lanes);
  return {m, std::max(tile.n0, n0 / lanes * lanes), tile.k0};
}

sched::ContractionAttr
codegen::defaultSchedule(const ConstantRhsMatmul &kernel,
                         const target::CPUTargetInfo &target) {
  target::RegisterTile tile = registerTile(target, kernel.m);
  // M0: one or two rows fewer when that splits a static M into whole
  // tiles (resnet50's 7x7 = 49 and 14x14 = 196 rows: 7 rows a tile instead
  // of 8 and a 1- or 4-row tail tile, which runs at a fraction of the FMA
  // rate).
  if (!ShapedType::isDynamic(kernel.m) && kernel.m % tile.m0 != 0)
    for (int64_t fewer : {tile.m0 - 1, tile.m0 - 2})
      if (fewer > 0 && kernel.m % fewer == 0) {
        tile.m0 = fewer;
        break;
      }
  int64_t m1 = ShapedType::isDynamic(kernel.m)
                   ? ShapedType::kDynamic
                   : llvm::divideCeil(kernel.m, tile.m0);
  int64_t n1 = llvm::divideCeil(kernel.n, tile.n0);
  int64_t k1 = llvm::divideCeil(kernel.k, tile.k0);
  // The cache blocks are sized for Kc-deep panels where a panel of B and
  // one of A fit L1 together (a power of two; 256 on Zen 4/5).
  int64_t panelBytes = 4 * (tile.m0 + tile.n0) * tile.k0;
  int64_t kc = std::max<int64_t>(
      1, int64_t(llvm::bit_floor(uint64_t(target.l1Bytes / panelBytes))));
  kc = std::min(kc, k1);
  // Mc: the Mc A panels of a block stay in half of L2 while the n1 loop
  // walks the block's B panels.
  int64_t aPanel = 4 * tile.m0 * tile.k0 * kc;
  int64_t mc = std::max<int64_t>(1, target.l2Bytes / 2 / aPanel);
  // The parallel dimension: N when it gives every core a block (it always
  // can for a dynamic M), else M. Nc: one block per core when the blocks
  // fit half of L2, smaller otherwise.
  int64_t cores = std::max<unsigned>(1, target.cores);
  int64_t parallel =
      !ShapedType::isDynamic(m1) && n1 < cores && m1 >= cores ? 0 : 1;
  int64_t bPanel = 4 * tile.n0 * tile.k0 * kc;
  int64_t ncCache = std::max<int64_t>(1, target.l2Bytes / 2 / bPanel);
  int64_t nc = balancedBlock(n1, cores, ncCache);
  if (parallel == 0)
    mc = balancedBlock(m1, cores, mc);
  else if (!ShapedType::isDynamic(m1))
    mc = std::min(mc, m1);
  // The k loop itself is not blocked up to 32 such panels (K <= 8192 on
  // Zen 4/5): the accumulator tiles are then loaded and stored once, and
  // the B panels stream from L2. Measured on Zen 4/5 against Kc = 256:
  // 2% faster for the linear layers of vit_b_16 and BERT (K = 768, 3072)
  // and the square GEMMs to 2048, 4-10% for resnet50's 3x3 convolutions
  // (K = 576 to 4608).
  if (k1 <= 32 * kc)
    kc = k1;
  return sched::ContractionAttr::get(kernel.rhs.getContext(), target.isa,
                                     {tile.m0, tile.n0, tile.k0}, {mc, nc, kc},
                                     parallel);
}

sched::ContractionAttr
codegen::defaultSchedule(const RuntimeRhsMatmul &kernel,
                         const target::CPUTargetInfo &target) {
  target::RegisterTile tile = registerTile(target, kernel.m);
  // Kc: a Kc-deep panel of B (N0 wide) and the A rows of a tile stay in L1
  // across the M tiles of a block.
  int64_t panelBytes = 4 * (tile.m0 + tile.n0) * tile.k0;
  int64_t kc = std::max<int64_t>(
      1, int64_t(llvm::bit_floor(uint64_t(target.l1Bytes / panelBytes))));
  if (!ShapedType::isDynamic(kernel.k))
    kc = std::min(kc, std::max<int64_t>(1, kernel.k));
  // Nc: the B panels of a block stay in half of L2.
  int64_t bPanel = 4 * tile.n0 * kc;
  int64_t nc = std::max<int64_t>(1, target.l2Bytes / 2 / bPanel);
  if (!ShapedType::isDynamic(kernel.n))
    nc =
        std::min(nc, std::max<int64_t>(1, llvm::divideCeil(kernel.n, tile.n0)));
  // Mc: batches are split across threads first; M only when there are
  // fewer batches than cores.
  int64_t cores = std::max<unsigned>(1, target.cores);
  int64_t mc = 64;
  if (!ShapedType::isDynamic(kernel.m)) {
    int64_t m1 = std::max<int64_t>(1, llvm::divideCeil(kernel.m, tile.m0));
    int64_t splits =
        ShapedType::isDynamic(kernel.batch) || kernel.batch >= cores
            ? 1
            : llvm::divideCeil(cores, kernel.batch);
    mc = llvm::divideCeil(m1, splits);
  }
  return sched::ContractionAttr::get(kernel.op->getContext(), target.isa,
                                     {tile.m0, tile.n0, tile.k0}, {mc, nc, kc},
                                     /*parallel=*/0);
}

LogicalResult
codegen::checkF32Schedule(sched::ContractionAttr schedule,
                          function_ref<InFlightDiagnostic()> emitError) {
  if (schedule.getK0() != 1)
    return emitError() << "the f32 micro-kernel needs K0 = 1, the schedule "
                          "has K0 = "
                       << schedule.getK0();
  if (!target::lookupCPUTargetByISA(schedule.getIsa()))
    return emitError() << "unknown vector ISA '" << schedule.getIsa()
                       << "' (expected avx512, avx2, sse or neon)";
  return success();
}

/// Normalizes a key written in a record: `field=value` words separated by
/// spaces, every field of its op's key exactly once, in any order.
static FailureOr<std::string>
normalizeKey(StringRef text, function_ref<InFlightDiagnostic()> emitError) {
  llvm::StringMap<std::string> fields;
  SmallVector<StringRef> words;
  text.split(words, ' ', -1, /*KeepEmpty=*/false);
  for (StringRef word : words) {
    auto [name, value] = word.split('=');
    if (value.empty() || !word.contains('='))
      return emitError() << "key word '" << word
                         << "' is not of the form field=value";
    if (!fields.try_emplace(name, value.str()).second)
      return emitError() << "key field '" << name << "' appears twice";
  }
  auto op = fields.find("op");
  if (op == fields.end())
    return emitError() << "key has no 'op' field";
  ArrayRef<llvm::StringLiteral> names = keyFields(op->second);
  if (names.empty())
    return emitError() << "unknown kernel 'op=" << op->second
                       << "' (expected matmul, batch_matmul or attention)";
  for (StringRef word : words)
    if (StringRef name = word.split('=').first;
        !llvm::is_contained(names, name)) {
      std::string expected;
      for (StringRef known : names)
        expected += (expected.empty() ? "" : ", ") + known.str();
      return emitError() << "unknown key field '" << name
                         << "' for op=" << op->second << " (expected "
                         << expected << ")";
    }
  std::string key;
  for (StringRef name : names) {
    auto it = fields.find(name);
    if (it == fields.end())
      return emitError() << "key has no '" << name << "' field";
    if (!key.empty())
      key += ' ';
    key += (name + "=" + it->second).str();
  }
  return key;
}

FailureOr<llvm::StringMap<Attribute>>
codegen::readScheduleFile(StringRef path, MLIRContext *context) {
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> buffer =
      llvm::MemoryBuffer::getFile(path);
  if (!buffer)
    return emitError(UnknownLoc::get(context))
           << "cannot read schedules file '" << path
           << "': " << buffer.getError().message();
  return parseSchedules((*buffer)->getBuffer(), path, context);
}

FailureOr<llvm::StringMap<Attribute>>
codegen::parseSchedules(StringRef text, StringRef path, MLIRContext *context) {
  context->getOrLoadDialect<sched::SchedDialect>();
  auto emitAt = [&](unsigned line, unsigned column) {
    return emitError(FileLineColLoc::get(context, path, line, column));
  };
  llvm::StringMap<Attribute> records;
  SmallVector<StringRef> lines;
  text.split(lines, '\n');
  for (auto [index, raw] : llvm::enumerate(lines)) {
    unsigned line = index + 1;
    StringRef text = raw.split("//").first.trim();
    if (text.empty())
      continue;
    auto [keyText, scheduleText] = text.split("->");
    if (!text.contains("->"))
      return emitAt(line, 1) << "expected 'key -> schedule'";
    FailureOr<std::string> key =
        normalizeKey(keyText.trim(), [&] { return emitAt(line, 1); });
    if (failed(key))
      return failure();
    scheduleText = scheduleText.trim();
    unsigned column = scheduleText.data() - raw.data() + 1;
    size_t read = 0;
    Attribute attr = parseAttribute(scheduleText, context, Type(), &read,
                                    /*isKnownNullTerminated=*/false);
    if (!attr)
      return emitAt(line, column)
             << "malformed schedule '" << scheduleText << "'";
    if (read != scheduleText.size())
      return emitAt(line, column + read)
             << "unexpected text after the schedule";
    if (StringRef(*key).starts_with("op=attention ")) {
      if (!isa<sched::AttentionAttr>(attr))
        return emitAt(line, column)
               << "expected a #sched.attention schedule, got " << attr;
    } else {
      auto schedule = dyn_cast<sched::ContractionAttr>(attr);
      if (!schedule)
        return emitAt(line, column)
               << "expected a #sched.contraction schedule, got " << attr;
      if (failed(
              checkF32Schedule(schedule, [&] { return emitAt(line, column); })))
        return failure();
    }
    if (!records.try_emplace(*key, attr).second)
      return emitAt(line, 1) << "a second record for key '" << *key << "'";
  }
  return records;
}

void codegen::printSchedules(ModuleOp module, raw_ostream &os) {
  module.walk([&](Operation *op) {
    auto key = op->getAttrOfType<StringAttr>(kKernelKeyAttr);
    Attribute schedule = op->getAttr(sched::kScheduleAttr);
    if (key && schedule)
      os << key.getValue() << " -> " << schedule << "\n";
  });
}
