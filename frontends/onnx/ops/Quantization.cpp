//===- Quantization.cpp - ONNX ops to nn
//--------------------------------------------===//

#include "frontends/onnx/GraphImporter.h"

using namespace mlir;

namespace ddl::onnx_import {

void registerQuantizationConverters(ConverterRegistry &) {}

} // namespace ddl::onnx_import
