//===- Features.cpp - what the cost model sees of a scheduled kernel ------===//

#include "cost-model/Features.h"

#include "llvm/Support/MathExtras.h"

#include <algorithm>
#include <cmath>

using namespace ddl;
using namespace ddl::cost;

// Keep in the order extractFeatures() pushes them, and document each in
// docs/cost-model.md.
static const char *const kNames[] = {
    // The kernel.
    "is_matmul", "is_batch_matmul", "is_attention", "constant_rhs",
    "lhs_transposed", "rhs_transposed", "log2_batch", "log2_m", "log2_n",
    "log2_k", "log2_flops",
    // The schedule's knobs.
    "m0", "n0", "mc", "nc", "kc", "parallel_dim", "block_q", "block_kv",
    // Loop extents per level.
    "m_tiles", "n_tiles", "k_blocks", "m_blocks", "n_blocks",
    "log2_microkernel_calls",
    // Edge tiles.
    "m_waste", "n_waste",
    // Registers.
    "accumulator_registers", "register_demand", "register_spill",
    "fma_per_load",
    // Working sets and traffic.
    "l1_footprint_ratio", "l2_footprint_ratio", "log2_bytes_moved",
    "arithmetic_intensity",
    // Parallelism.
    "parallel_chunks", "chunks_per_core", "load_balance",
    "log2_flops_per_chunk",
    // The target.
    "vector_lanes", "vector_registers", "cores"};

llvm::ArrayRef<const char *> ddl::cost::featureNames() { return kNames; }

static float log2f1(double x) {
  return float(std::log2(1.0 + std::max(0.0, x)));
}

std::vector<float>
ddl::cost::extractFeatures(const KernelDesc &kernel, const Schedule &s,
                           const target::CPUTargetInfo &target) {
  auto positive = [](int64_t size) { return std::max<int64_t>(1, size); };
  double batch = positive(kernel.batch), m = positive(kernel.m),
         n = positive(kernel.n), k = positive(kernel.k);
  int64_t lanes = target.vectorBits / 32;
  int64_t cores = std::max<unsigned>(1, target.cores);
  std::vector<float> f;
  f.reserve(std::size(kNames));
  f.push_back(kernel.kind == KernelKind::Matmul);
  f.push_back(kernel.kind == KernelKind::BatchMatmul);
  f.push_back(kernel.kind == KernelKind::Attention);
  f.push_back(kernel.constantRhs());
  f.push_back(kernel.lhsTransposed);
  f.push_back(kernel.rhsTransposed);
  double heads = kernel.isContraction() ? 1 : positive(kernel.heads);
  double dv = kernel.isContraction() ? n : positive(kernel.dv);
  // Attention: two contractions (Q K^T, P V) per head.
  double flops = kernel.isContraction() ? 2 * batch * m * n * k
                                        : 2 * batch * heads * m * n * (k + dv);
  f.push_back(log2f1(batch * heads));
  f.push_back(log2f1(m));
  f.push_back(log2f1(n));
  f.push_back(log2f1(k));
  f.push_back(log2f1(flops));

  double bytesMoved, l1Bytes, l2Bytes, chunks, accumulators = 0, demand = 0,
                                               spill = 0, fmaPerLoad = 0;
  double mTiles, nTiles, kBlocks, mBlocks, nBlocks, mWaste, nWaste, calls;
  if (kernel.isContraction()) {
    f.insert(f.end(), {float(s.m0), float(s.n0), float(s.mc), float(s.nc),
                       float(s.kc), float(s.parallel), 0, 0});
    mTiles = std::ceil(m / s.m0);
    nTiles = std::ceil(n / s.n0);
    kBlocks = std::ceil(k / (s.kc * s.k0));
    mBlocks = std::ceil(mTiles / s.mc);
    nBlocks = std::ceil(nTiles / s.nc);
    mWaste = (mTiles * s.m0 - m) / (mTiles * s.m0);
    nWaste = (nTiles * s.n0 - n) / (nTiles * s.n0);
    calls = batch * mTiles * nTiles * kBlocks;
    double vectors = std::ceil(double(s.n0) / lanes);
    accumulators = s.m0 * vectors;
    demand = accumulators + vectors + 1;
    spill = std::max(0.0, demand - target.vectorRegisters);
    // Per k: m0 * vectors FMAs against `vectors` loads and m0 broadcasts.
    fmaPerLoad = accumulators / (vectors + s.m0);
    // L1: the micro-kernel's Kc-deep A rows and B panel. L2: a block's A
    // panels and B panels.
    double kc = std::min<double>(k, s.kc * s.k0);
    l1Bytes = 4 * (s.m0 + s.n0) * kc;
    l2Bytes = 4 * kc *
              (std::min(mTiles, double(s.mc)) * s.m0 +
               std::min(nTiles, double(s.nc)) * s.n0);
    // From memory: B once per M block, A once per N block, C read and
    // written once per k block.
    bytesMoved =
        batch * 4 * (k * n * mBlocks + m * k * nBlocks + 2 * m * n * kBlocks);
    chunks = batch * (s.parallel == 0 ? mBlocks : nBlocks);
  } else {
    f.insert(f.end(), {0, 0, 0, 0, 0, 0, float(s.blockQ), float(s.blockKV)});
    mTiles = std::ceil(m / s.blockQ);
    nTiles = std::ceil(n / s.blockKV);
    kBlocks = 1;
    mBlocks = mTiles;
    nBlocks = nTiles;
    mWaste = (mTiles * s.blockQ - m) / (mTiles * s.blockQ);
    nWaste = (nTiles * s.blockKV - n) / (nTiles * s.blockKV);
    calls = batch * heads * mTiles * nTiles;
    // 16 scores per vector; 4 query rows a register tile at BKV = 64.
    accumulators = std::ceil(double(s.blockKV) / lanes) * 4;
    demand = accumulators;
    spill = std::max(0.0, demand - target.vectorRegisters);
    l1Bytes = 4 * s.blockKV * (k + dv);
    l2Bytes = 4 * (s.blockQ * (k + dv) + s.blockKV * (k + dv));
    // K and V once per query block, Q and O once.
    bytesMoved = batch * heads * 4 * (mTiles * n * (k + dv) + m * (k + dv));
    chunks = batch * heads * mTiles;
  }
  f.insert(f.end(),
           {float(mTiles), float(nTiles), float(kBlocks), float(mBlocks),
            float(nBlocks), log2f1(calls), float(mWaste), float(nWaste),
            float(accumulators), float(demand), float(spill), float(fmaPerLoad),
            float(l1Bytes / target.l1Bytes), float(l2Bytes / target.l2Bytes),
            log2f1(bytesMoved), float(flops / std::max(1.0, bytesMoved))});
  double rounds = std::ceil(chunks / cores);
  f.insert(f.end(), {float(chunks), float(chunks / cores),
                     float(chunks / (rounds * cores)),
                     log2f1(flops / std::max(1.0, chunks))});
  f.insert(f.end(),
           {float(lanes), float(target.vectorRegisters), float(cores)});
  return f;
}
