//===- Tensor.cpp - ONNX ops to nn
//--------------------------------------------===//

#include "frontends/onnx/GraphImporter.h"

using namespace mlir;

namespace ddl::onnx_import {

void registerTensorConverters(ConverterRegistry &) {}

} // namespace ddl::onnx_import
