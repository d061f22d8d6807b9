//===- ConstantData.cpp - the elements of large constants -----------------===//

#include "lib/Support/ConstantData.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"

#include <cstring>

using namespace mlir;

/// The elements of `attr` into `values`: a dense attribute's read as
/// `Element` and converted by `fromDense`, a resource blob's (`count`
/// elements of `elementBytes` bytes each) by `fromBytes`; failure when they
/// are not available.
template <typename T, typename Element>
static LogicalResult readElements(ElementsAttr attr, int64_t count,
                                  size_t elementBytes, std::vector<T> &values,
                                  function_ref<T(Element)> fromDense,
                                  function_ref<T(const char *)> fromBytes) {
  values.clear();
  if (auto dense = dyn_cast<DenseElementsAttr>(attr)) {
    for (Element v : dense.getValues<Element>())
      values.push_back(fromDense(v));
    return success(int64_t(values.size()) == count);
  }
  auto resource = dyn_cast<DenseResourceElementsAttr>(attr);
  AsmResourceBlob *blob =
      resource ? resource.getRawHandle().getBlob() : nullptr;
  if (!blob || int64_t(blob->getData().size()) != count * int64_t(elementBytes))
    return failure();
  ArrayRef<char> data = blob->getData();
  for (int64_t i = 0; i < count; ++i)
    values.push_back(fromBytes(data.data() + i * elementBytes));
  return success();
}

LogicalResult ddl::readF32Elements(ElementsAttr attr, int64_t count,
                                   std::vector<float> &values) {
  if (!attr.getElementType().isF32())
    return failure();
  return readElements<float, float>(
      attr, count, sizeof(float), values, [](float v) { return v; },
      [](const char *bytes) {
        float v;
        std::memcpy(&v, bytes, sizeof v);
        return v;
      });
}

LogicalResult ddl::readBoolElements(ElementsAttr attr, int64_t count,
                                    std::vector<bool> &values) {
  if (!attr.getElementType().isInteger(1))
    return failure();
  return readElements<bool, bool>(
      attr, count, 1, values, [](bool v) { return v; },
      [](const char *bytes) { return *bytes != 0; });
}

LogicalResult ddl::readI8Elements(ElementsAttr attr, int64_t count,
                                  std::vector<int8_t> &values) {
  auto integer = dyn_cast<IntegerType>(attr.getElementType());
  if (!integer || integer.getWidth() != 8)
    return failure();
  // APInt: a dense ui8 attribute does not read as int8_t.
  return readElements<int8_t, APInt>(
      attr, count, 1, values,
      [](APInt v) { return static_cast<int8_t>(v.getZExtValue()); },
      [](const char *bytes) { return static_cast<int8_t>(*bytes); });
}

LogicalResult ddl::readHalfElements(ElementsAttr attr, int64_t count,
                                    std::vector<uint16_t> &values) {
  if (attr.getElementType().getIntOrFloatBitWidth() != 16)
    return failure();
  // APInt: a dense bf16 / f16 attribute's elements as their bits.
  if (auto dense = dyn_cast<DenseElementsAttr>(attr);
      dense && !dense.getElementType().isInteger()) {
    values.clear();
    for (APFloat v : dense.getValues<APFloat>())
      values.push_back(uint16_t(v.bitcastToAPInt().getZExtValue()));
    return success(int64_t(values.size()) == count);
  }
  return readElements<uint16_t, APInt>(
      attr, count, 2, values,
      [](APInt v) { return static_cast<uint16_t>(v.getZExtValue()); },
      [](const char *bytes) {
        uint16_t v;
        std::memcpy(&v, bytes, sizeof v);
        return v;
      });
}

ElementsAttr ddl::i8Resource(RankedTensorType type, StringRef name,
                             ArrayRef<int8_t> values) {
  return cast<ElementsAttr>(DenseResourceElementsAttr::get(
      type, name, HeapAsmResourceBlob::allocateAndCopyInferAlign(values)));
}

ElementsAttr ddl::halfResource(RankedTensorType type, StringRef name,
                               ArrayRef<uint16_t> bits) {
  return cast<ElementsAttr>(DenseResourceElementsAttr::get(
      type, name, HeapAsmResourceBlob::allocateAndCopyInferAlign(bits)));
}

ElementsAttr ddl::f32Resource(RankedTensorType type, StringRef name,
                              ArrayRef<float> values) {
  return cast<ElementsAttr>(DenseResourceElementsAttr::get(
      type, name, HeapAsmResourceBlob::allocateAndCopyInferAlign(values)));
}
