//===- FlexLowering.h - what attn.flex's lowerings share --------*- C++ -*-===//
//
// The sizes of an attn.flex instance as index values, the inlining of its
// score_mod / mask_mod regions on vectors, and the block-mask computation.
//
//===----------------------------------------------------------------------===//

#ifndef DDL_PASSES_ATTENTION_FLEXLOWERING_H
#define DDL_PASSES_ATTENTION_FLEXLOWERING_H

#include "dialects/attn/AttnDialect.h"

#include "mlir/IR/Builders.h"

#include <array>
#include <vector>

namespace ddl::attention {

/// Block mask classes, one byte per (query block, key block).
enum BlockClass : int8_t {
  /// mask_mod removes every pair: the block is never visited.
  kEmptyBlock = 0,
  /// Some pairs are removed, or the block runs past the keys: the element
  /// mask and the bounds are applied.
  kPartialBlock = 1,
  /// Every pair is kept: no element mask.
  kFullBlock = 2,
};

/// An attn.flex instance on buffers: its sizes as index values and its
/// block sizes.
struct FlexShape {
  mlir::Value batch, queryHeads, kvHeads, groupSize, queryLength, kvLength,
      headDim;
  /// Query rows and keys per block.
  int64_t blockQ, blockKV;
  /// Number of query blocks and key blocks.
  mlir::Value numQueryBlocks, numKVBlocks;
};

/// `tensor` as a read-only buffer (bufferization.to_buffer): a unit-stride
/// last dimension and otherwise any strides with `unitStrideRows`, else
/// the identity layout (what the kernels' vector loads and captured-tensor
/// reads need).
mlir::Value flexOperandBuffer(mlir::OpBuilder &b, mlir::Location loc,
                              mlir::Value tensor, bool unitStrideRows);
/// A new buffer for a result of `type`, `sizes` giving every dimension
/// (the dynamic ones are used).
mlir::Value allocFlexResult(mlir::OpBuilder &b, mlir::Location loc,
                            mlir::RankedTensorType type,
                            llvm::ArrayRef<mlir::Value> sizes);

/// Replaces `op` by its kernel's result buffers (the output, and the
/// log-sum-exp when the op has one) handed back as tensors, and erases it.
void replaceFlexWithBuffers(mlir::OpBuilder &b, mlir::Location loc,
                            attn::FlexOp op, mlir::Value output,
                            mlir::Value lse);

/// Inlines `region` (a score_mod or mask_mod block) at the insertion point
/// with `leading` for its leading arguments: scalars, or vectors (of index
/// or f32) of one length for some of them. Operations that see a vector
/// become vector operations (their scalar operands broadcast); a
/// tensor.extract of captured tensor `i` reads `captures[i]` (a buffer
/// with the identity layout) with memref.load, or vector.gather when an
/// index is a vector. Returns the yielded value.
mlir::Value inlineMod(mlir::OpBuilder &b, mlir::Location loc,
                      mlir::Region &region, mlir::ValueRange leading,
                      mlir::ArrayRef<mlir::Value> captures);

/// Emits a parallel loop that classifies every (query block, key block)
/// pair by evaluating `op`'s mask_mod on each of its elements (16 keys at
/// a time), per batch and per head only where mask_mod reads them, and
/// returns the new table: an i8 buffer indexed
/// `((batch' * heads' + head') * numQueryBlocks + qb) * numKVBlocks + kvb`
/// (batch' and head' 0 when unused). `blockMaskIndex` computes that index.
mlir::Value buildBlockMask(mlir::OpBuilder &b, mlir::Location loc,
                           attn::FlexOp op, const FlexShape &shape,
                           mlir::ArrayRef<mlir::Value> captures);
/// The block mask computed now, for static sizes, when mask_mod reads only
/// its indices and the interpreter knows its operations (integer and float
/// arith: constants, +, -, *, division, remainder, min, max, bitwise,
/// comparisons, select, casts); same layout and classes as buildBlockMask.
/// Fails otherwise, and for sizes too large to be worth it (the run-time
/// loop then computes it).
mlir::FailureOr<std::vector<int8_t>>
evaluateBlockMask(attn::FlexOp op, int64_t batches, int64_t heads,
                  int64_t queryLength, int64_t kvLength, int64_t blockQ,
                  int64_t blockKV);
/// The rows of the block mask: batch' x head' x query block (batch' and
/// head' 1 where mask_mod does not read them).
mlir::Value blockMaskRowCount(mlir::OpBuilder &b, mlir::Location loc,
                              attn::FlexOp op, const FlexShape &shape);
/// Row `row` of the block mask as (batch, head, query block) for
/// mask_mod's arguments (batch and head 0 where it does not read them).
std::array<mlir::Value, 3>
blockMaskRowCoordinates(mlir::OpBuilder &b, mlir::Location loc, attn::FlexOp op,
                        const FlexShape &shape, mlir::Value row);
mlir::Value blockMaskIndex(mlir::OpBuilder &b, mlir::Location loc,
                           attn::FlexOp op, const FlexShape &shape,
                           mlir::Value batch, mlir::Value head,
                           mlir::Value queryBlock, mlir::Value kvBlock);

} // namespace ddl::attention

#endif // DDL_PASSES_ATTENTION_FLEXLOWERING_H
