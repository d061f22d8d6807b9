//===- CodeGen.cpp - LLVM dialect to an object file for a CPU -------------===//
//
// Translation to LLVM IR, LLVM's optimization pipeline at the requested
// level, and object emission through the target's TargetMachine. The host
// target uses the host CPU's name and features (its vector ISA); the
// aarch64 cross target uses a generic Armv8-A CPU with NEON and the dot
// product extension (FEAT_DotProd).
//
//===----------------------------------------------------------------------===//

#include "ddl/Compiler.h"
#include "lib/Target/CPU/X86MovmskFoldGuard.h"
#include "lib/Target/GPU/DeviceTarget.h"

#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/CodeGen/MachineModuleInfo.h"
#include "llvm/CodeGen/Passes.h"
#include "llvm/CodeGen/TargetPassConfig.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Host.h"

#include <chrono>
#include <mutex>

using namespace mlir;

std::string ddl::resolveTargetTriple(const CompileOptions &options) {
  // A GPU target's host code runs on the host.
  std::string deviceError;
  if (options.target == "host" ||
      parseDeviceTarget(options.target, deviceError))
    return llvm::sys::getProcessTriple();
  if (options.target == "x86_64")
    return "x86_64-unknown-linux-gnu";
  if (options.target == "aarch64")
    return "aarch64-unknown-linux-gnu";
  return "";
}

static void initializeTargets() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeAllTargetInfos();
    llvm::InitializeAllTargets();
    llvm::InitializeAllTargetMCs();
    llvm::InitializeAllAsmPrinters();
  });
}

/// The CPU name and feature string to compile for.
static std::pair<std::string, std::string>
cpuAndFeatures(const ddl::CompileOptions &options, const llvm::Triple &triple) {
  llvm::Triple host(llvm::sys::getProcessTriple());
  if (triple.getArch() == host.getArch()) {
    std::string features;
    for (const auto &feature : llvm::sys::getHostCPUFeatures())
      features += (feature.second ? "+" : "-") + feature.first().str() + ",";
    if (!features.empty())
      features.pop_back();
    return {llvm::sys::getHostCPUName().str(), features};
  }
  // Armv8.2-A's dot product (`sdot`, the int8 kernels'): every Neoverse
  // core, Graviton 2 and later, Apple M1 and later have it.
  if (triple.getArch() == llvm::Triple::aarch64)
    return {"generic", "+neon,+dotprod"};
  return {"generic", ""};
}

/// TargetMachine::addPassesToEmitFile for an object file, spelled out so
/// that ddl can add a pass to X86's pipeline (X86MovmskFoldGuard.cpp).
/// False if the target cannot emit objects.
static bool addObjectEmission(llvm::TargetMachine &machine,
                              llvm::legacy::PassManager &codegen,
                              llvm::raw_pwrite_stream &os) {
  auto *moduleInfo = new llvm::MachineModuleInfoWrapperPass(&machine);
  llvm::TargetPassConfig *config = machine.createPassConfig(codegen);
  if (!config) {
    delete moduleInfo;
    return false;
  }
  config->setDisableVerify(true); // addPassesToEmitFile's default
  codegen.add(config);
  codegen.add(moduleInfo);
  if (machine.getTargetTriple().isX86())
    ddl::guardX86MovmskFold(*config);
  if (config->addISelPasses())
    return false;
  config->addMachinePasses();
  config->setInitialized();
  if (machine.addAsmPrinter(codegen, os, nullptr,
                            llvm::CodeGenFileType::ObjectFile,
                            moduleInfo->getMMI().getContext()))
    return false;
  codegen.add(llvm::createFreeMachineFunctionPass());
  return true;
}

LogicalResult ddl::emitObject(ModuleOp module, const CompileOptions &options,
                              std::string &object, CompileStats *stats) {
  auto start = std::chrono::steady_clock::now();
  initializeTargets();
  std::string tripleName = resolveTargetTriple(options);
  if (tripleName.empty())
    return module.emitError() << "unsupported target '" << options.target
                              << "' (expected host, x86_64 or aarch64)";
  llvm::Triple triple(tripleName);
  std::string error;
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return module.emitError()
           << "no LLVM target for " << tripleName << ": " << error;
  auto [cpu, features] = cpuAndFeatures(options, triple);
  llvm::CodeGenOptLevel level =
      options.optLevel == 0   ? llvm::CodeGenOptLevel::None
      : options.optLevel == 1 ? llvm::CodeGenOptLevel::Less
      : options.optLevel == 2 ? llvm::CodeGenOptLevel::Default
                              : llvm::CodeGenOptLevel::Aggressive;
  llvm::TargetOptions targetOptions;
  std::unique_ptr<llvm::TargetMachine> machine(
      target->createTargetMachine(triple, cpu, features, targetOptions,
                                  llvm::Reloc::PIC_, std::nullopt, level));
  if (!machine)
    return module.emitError()
           << "cannot create a target machine for " << tripleName;

  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, llvmContext, "ddl_model");
  if (!llvmModule)
    return module.emitError("translation to LLVM IR failed");
  llvmModule->setTargetTriple(triple);
  llvmModule->setDataLayout(machine->createDataLayout());

  // LLVM's standard optimization pipeline (with loop and SLP vectorization
  // from -O2 on).
  {
    llvm::LoopAnalysisManager lam;
    llvm::FunctionAnalysisManager fam;
    llvm::CGSCCAnalysisManager cgam;
    llvm::ModuleAnalysisManager mam;
    llvm::PipelineTuningOptions tuning;
    tuning.LoopVectorization = options.optLevel >= 2;
    tuning.SLPVectorization = options.optLevel >= 2;
    llvm::PassBuilder passBuilder(machine.get(), tuning);
    passBuilder.registerModuleAnalyses(mam);
    passBuilder.registerCGSCCAnalyses(cgam);
    passBuilder.registerFunctionAnalyses(fam);
    passBuilder.registerLoopAnalyses(lam);
    passBuilder.crossRegisterProxies(lam, fam, cgam, mam);
    llvm::OptimizationLevel optLevel =
        options.optLevel == 0   ? llvm::OptimizationLevel::O0
        : options.optLevel == 1 ? llvm::OptimizationLevel::O1
        : options.optLevel == 2 ? llvm::OptimizationLevel::O2
                                : llvm::OptimizationLevel::O3;
    llvm::ModulePassManager mpm =
        options.optLevel == 0
            ? passBuilder.buildO0DefaultPipeline(optLevel)
            : passBuilder.buildPerModuleDefaultPipeline(optLevel);
    mpm.run(*llvmModule, mam);
  }

  llvm::SmallVector<char, 0> buffer;
  llvm::raw_svector_ostream os(buffer);
  llvm::legacy::PassManager codegen;
  if (!addObjectEmission(*machine, codegen, os))
    return module.emitError()
           << "the " << tripleName << " target cannot emit object files";
  codegen.run(*llvmModule);
  object.assign(buffer.begin(), buffer.end());
  if (stats) {
    stats->objectBytes = object.size();
    stats->codegenSeconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
  }
  return success();
}
