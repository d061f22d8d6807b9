//===- ConstantData.cpp - the elements of large constants -----------------===//

#include "lib/Support/ConstantData.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"

#include <cstring>

using namespace mlir;

LogicalResult ddl::readF32Elements(ElementsAttr attr, int64_t count,
                                   std::vector<float> &values) {
  values.clear();
  if (!attr.getElementType().isF32())
    return failure();
  if (auto dense = dyn_cast<DenseElementsAttr>(attr)) {
    if (dense.isSplat()) {
      values.assign(count, dense.getSplatValue<float>());
      return success();
    }
    auto range = dense.getValues<float>();
    values.assign(range.begin(), range.end());
    return success(int64_t(values.size()) == count);
  }
  auto resource = dyn_cast<DenseResourceElementsAttr>(attr);
  if (!resource)
    return failure();
  AsmResourceBlob *blob = resource.getRawHandle().getBlob();
  if (!blob)
    return failure();
  ArrayRef<char> data = blob->getData();
  if (int64_t(data.size()) != count * int64_t(sizeof(float)))
    return failure();
  values.resize(count);
  std::memcpy(values.data(), data.data(), data.size());
  return success();
}

LogicalResult ddl::readBoolElements(ElementsAttr attr, int64_t count,
                                    std::vector<bool> &values) {
  values.clear();
  if (!attr.getElementType().isInteger(1))
    return failure();
  if (auto dense = dyn_cast<DenseElementsAttr>(attr)) {
    if (dense.isSplat()) {
      values.assign(count, dense.getSplatValue<bool>());
      return success();
    }
    auto range = dense.getValues<bool>();
    values.assign(range.begin(), range.end());
    return success(int64_t(values.size()) == count);
  }
  auto resource = dyn_cast<DenseResourceElementsAttr>(attr);
  if (!resource)
    return failure();
  AsmResourceBlob *blob = resource.getRawHandle().getBlob();
  if (!blob || int64_t(blob->getData().size()) != count)
    return failure();
  for (char byte : blob->getData())
    values.push_back(byte != 0);
  return success();
}

LogicalResult ddl::readI8Elements(ElementsAttr attr, int64_t count,
                                  std::vector<int8_t> &values) {
  values.clear();
  auto integer = dyn_cast<IntegerType>(attr.getElementType());
  if (!integer || integer.getWidth() != 8)
    return failure();
  if (auto dense = dyn_cast<DenseElementsAttr>(attr)) {
    for (const APInt &v : dense.getValues<APInt>())
      values.push_back(int8_t(v.getZExtValue()));
    return success(int64_t(values.size()) == count);
  }
  auto resource = dyn_cast<DenseResourceElementsAttr>(attr);
  if (!resource)
    return failure();
  AsmResourceBlob *blob = resource.getRawHandle().getBlob();
  if (!blob || int64_t(blob->getData().size()) != count)
    return failure();
  for (char byte : blob->getData())
    values.push_back(int8_t(byte));
  return success();
}

ElementsAttr ddl::i8Resource(RankedTensorType type, StringRef name,
                             ArrayRef<int8_t> values) {
  return cast<ElementsAttr>(DenseResourceElementsAttr::get(
      type, name, HeapAsmResourceBlob::allocateAndCopyInferAlign(values)));
}

ElementsAttr ddl::f32Resource(RankedTensorType type, StringRef name,
                              ArrayRef<float> values) {
  return cast<ElementsAttr>(DenseResourceElementsAttr::get(
      type, name, HeapAsmResourceBlob::allocateAndCopyInferAlign(values)));
}
