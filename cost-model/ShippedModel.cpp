//===- ShippedModel.cpp - the cost model built into ddl -------------------===//

#include "cost-model/ShippedModel.h"

#include "llvm/Support/raw_ostream.h"

#include <mutex>

using namespace ddl::cost;

// The JSON files, linked in as bytes (DDL_SHIPPED_MODEL_AVX512 is the
// file's path, defined by CMake when the file exists).
#ifdef DDL_SHIPPED_MODEL_AVX512
asm(".section .rodata\n"
    ".balign 8\n"
    ".globl ddl_shipped_model_avx512\n"
    "ddl_shipped_model_avx512:\n"
    ".incbin \"" DDL_SHIPPED_MODEL_AVX512 "\"\n"
    ".globl ddl_shipped_model_avx512_end\n"
    "ddl_shipped_model_avx512_end:\n"
    ".previous\n");
extern "C" const char ddl_shipped_model_avx512[];
extern "C" const char ddl_shipped_model_avx512_end[];
#endif

/// The JSON text shipped for `isa` ("" if none).
static llvm::StringRef shippedCostModelText(llvm::StringRef isa) {
#ifdef DDL_SHIPPED_MODEL_AVX512
  if (isa == "avx512")
    return llvm::StringRef(ddl_shipped_model_avx512,
                           ddl_shipped_model_avx512_end -
                               ddl_shipped_model_avx512);
#endif
  (void)isa;
  return {};
}

const CostModel *ddl::cost::shippedCostModel(llvm::StringRef isa) {
  static std::once_flag once;
  // Never destroyed: XGBoost's own statics may be gone by the time this
  // one's destructor would run at exit.
  static CostModel *avx512 = nullptr;
  if (isa != "avx512")
    return nullptr;
  std::call_once(once, [] {
    llvm::StringRef text = shippedCostModelText("avx512");
    if (text.empty())
      return;
    llvm::Expected<CostModel> model = CostModel::fromJSON(text);
    if (!model) {
      llvm::errs() << "ddl: the shipped cost model cannot be read ("
                   << llvm::toString(model.takeError())
                   << "); schedules come from the heuristic\n";
      return;
    }
    avx512 = new CostModel(std::move(*model));
  });
  return avx512;
}
