//===- X86MovmskFoldGuard.cpp - keep LLVM 22 from a wrong AVX-512 fold ----===//
//
// LLVM 22's X86CompressEVEX pass folds
//
//   vpmov{b,d,q}2m %xmm0, %k1      (erased)
//   kmov{b,w,d}    %k1, %eax       ->  vmovmsk{ps,pd}/vpmovmskb %xmm0, %eax
//
// and checks that the mask has no other use after the kmov, but it stops
// that scan at the first instruction that writes the mask without asking
// whether the same instruction also reads it. Extracting a <2 x i1> lane
// by lane ends in exactly that, `kshiftrb $1, %k1, %k1`, which then shifts
// a mask nobody computed any more (llvm/llvm-project#198197, fixed by
// #198220 in LLVM 23; Debian's 22.1.8 has the bug). ddl met it in TopK
// along a non-innermost axis: wrong indices on AVX-512 machines only, and
// only where the machine scheduler happened to keep %k1 for the shift
// (seeds 105226 and 108878 of the ONNX differential campaign).
//
// The guard runs after register allocation (after x86-expand-pseudo, some
// passes before X86CompressEVEX) and puts a self-copy
// `kmov{w,d} %k1, %k1` right after each vpmov*2m that feeds an xmm/ymm
// mask. The copy changes nothing (the mask's upper bits are already zero),
// but it writes the mask before any use, so the fold sees "mask clobbered
// before use" and leaves the pair alone. Cost: one mask move per vpmov*2m
// and the two bytes the fold would have saved. Opcodes are looked up by
// name, since the X86 target's headers are not installed.
//
// Remove it when the LLVM that ddl builds against has #198220.
//
//===----------------------------------------------------------------------===//

#include "lib/Target/CPU/X86MovmskFoldGuard.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/CodeGen/MachineFunctionPass.h"
#include "llvm/CodeGen/MachineInstrBuilder.h"
#include "llvm/CodeGen/TargetInstrInfo.h"
#include "llvm/CodeGen/TargetPassConfig.h"
#include "llvm/CodeGen/TargetSubtargetInfo.h"
#include "llvm/PassRegistry.h"

using namespace llvm;

namespace {
/// The opcodes the guard needs, found by name in the target's table.
struct GuardOpcodes {
  /// vpmov*2m of an xmm or ymm source -> the self-copy that keeps its mask
  /// (kmovw for at most 8 mask bits; kmovd for vpmovb2m's 16 or 32).
  DenseMap<unsigned, unsigned> copyAfter;

  explicit GuardOpcodes(const TargetInstrInfo &tii) {
    StringMap<unsigned> byName;
    for (unsigned op = 0, e = tii.getNumOpcodes(); op != e; ++op)
      byName[tii.getName(op)] = op;
    auto add = [&](StringRef vpmov, StringRef kmov) {
      auto from = byName.find(vpmov), to = byName.find(kmov);
      if (from != byName.end() && to != byName.end())
        copyAfter[from->second] = to->second;
    };
    for (StringRef vpmov : {"VPMOVQ2MZ128kr", "VPMOVQ2MZ256kr",
                            "VPMOVD2MZ128kr", "VPMOVD2MZ256kr"})
      add(vpmov, "KMOVWkk");
    for (StringRef vpmov : {"VPMOVB2MZ128kr", "VPMOVB2MZ256kr"})
      add(vpmov, "KMOVDkk");
  }
};

class X86MovmskFoldGuard final : public MachineFunctionPass {
public:
  static char ID;
  X86MovmskFoldGuard() : MachineFunctionPass(ID) {}

  StringRef getPassName() const override {
    return "ddl: guard vpmov*2m + kmov against LLVM 22's wrong movmsk fold";
  }

  void getAnalysisUsage(AnalysisUsage &usage) const override {
    usage.setPreservesCFG();
    MachineFunctionPass::getAnalysisUsage(usage);
  }

  bool runOnMachineFunction(MachineFunction &function) override {
    const TargetInstrInfo &tii = *function.getSubtarget().getInstrInfo();
    if (!opcodes)
      opcodes.emplace(tii);
    bool changed = false;
    for (MachineBasicBlock &block : function) {
      for (MachineInstr &instr : llvm::make_early_inc_range(block)) {
        auto copy = opcodes->copyAfter.find(instr.getOpcode());
        if (copy == opcodes->copyAfter.end())
          continue;
        Register mask = instr.getOperand(0).getReg();
        BuildMI(block, std::next(instr.getIterator()), instr.getDebugLoc(),
                tii.get(copy->second), mask)
            .addReg(mask);
        changed = true;
      }
    }
    return changed;
  }

private:
  std::optional<GuardOpcodes> opcodes;
};
} // namespace

char X86MovmskFoldGuard::ID = 0;

void ddl::guardX86MovmskFold(TargetPassConfig &config) {
  // After register allocation's pseudo expansion, which X86 runs at every
  // optimization level; X86CompressEVEX comes later. The passes between
  // keep the copy where it is: it reads and writes the mask, so no
  // scheduler moves it past the vpmov*2m or the mask's uses.
  // (A StringRef: a string literal would pick the overload by type id.)
  const PassInfo *after = PassRegistry::getPassRegistry()->getPassInfo(
      StringRef("x86-expand-pseudo"));
  if (after)
    config.insertPass(after->getTypeInfo(),
                      IdentifyingPassPtr(new X86MovmskFoldGuard()));
}
