//===- X86MovmskFoldGuard.h - keep LLVM 22 from a wrong AVX-512 fold ------===//
//
// See X86MovmskFoldGuard.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef DDL_LIB_TARGET_CPU_X86MOVMSKFOLDGUARD_H
#define DDL_LIB_TARGET_CPU_X86MOVMSKFOLDGUARD_H

namespace llvm {
class TargetPassConfig;
} // namespace llvm

namespace ddl {
/// Adds to an X86 code-generation pipeline (before its passes are added)
/// the pass that keeps LLVM 22's X86CompressEVEX from folding a
/// vpmov*2m + kmov pair whose mask is still used (llvm-project#198197).
void guardX86MovmskFold(llvm::TargetPassConfig &config);
} // namespace ddl

#endif // DDL_LIB_TARGET_CPU_X86MOVMSKFOLDGUARD_H
