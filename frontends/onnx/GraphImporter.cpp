//===- GraphImporter.cpp - ONNX graphs into nn functions ------------------===//

#include "frontends/onnx/GraphImporter.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FormatVariadic.h"

using namespace mlir;

namespace ddl::onnx_import {

//===----------------------------------------------------------------------===//
// Types
//===----------------------------------------------------------------------===//

Type convertElementType(MLIRContext *context, int32_t onnxType) {
  Builder b(context);
  switch (onnxType) {
  case onnx::TensorProto::FLOAT:
    return b.getF32Type();
  case onnx::TensorProto::DOUBLE:
    return b.getF64Type();
  case onnx::TensorProto::FLOAT16:
    return b.getF16Type();
  case onnx::TensorProto::BFLOAT16:
    return b.getBF16Type();
  case onnx::TensorProto::BOOL:
    return b.getI1Type();
  case onnx::TensorProto::INT8:
    return b.getIntegerType(8);
  case onnx::TensorProto::INT16:
    return b.getIntegerType(16);
  case onnx::TensorProto::INT32:
    return b.getIntegerType(32);
  case onnx::TensorProto::INT64:
    return b.getIntegerType(64);
  // Unsigned ONNX types keep their signedness in the type: division,
  // comparison and casts depend on it.
  case onnx::TensorProto::UINT8:
    return b.getIntegerType(8, /*isSigned=*/false);
  case onnx::TensorProto::UINT16:
    return b.getIntegerType(16, /*isSigned=*/false);
  case onnx::TensorProto::UINT32:
    return b.getIntegerType(32, /*isSigned=*/false);
  case onnx::TensorProto::UINT64:
    return b.getIntegerType(64, /*isSigned=*/false);
  default:
    return {};
  }
}

static std::string elementTypeName(int32_t onnxType) {
  if (onnx::TensorProto::DataType_IsValid(onnxType))
    return onnx::TensorProto::DataType_Name(
        static_cast<onnx::TensorProto::DataType>(onnxType));
  return llvm::formatv("<invalid type {0}>", onnxType).str();
}

/// True for a dim_param that names a dimension. ONNX's shape inference
/// invents `unk__<n>` for dimensions it cannot name; those say nothing
/// about equality and stay unnamed.
static bool isUserSymbol(const onnx::TensorShapeProto::Dimension &dim) {
  if (!dim.has_dim_param() || dim.dim_param().empty())
    return false;
  StringRef name = dim.dim_param();
  uint64_t n;
  return !(name.consume_front("unk__") && !name.getAsInteger(10, n));
}

/// Largest static dimension, and largest static element count, accepted
/// (2^48): larger ones are malformed and would overflow size arithmetic.
constexpr int64_t kMaxDimSize = int64_t(1) << 48;

Type GraphImporter::convertValueType(const onnx::TypeProto &type,
                                     StringRef what, Location loc) {
  MLIRContext *context = module.getContext();
  if (type.has_sequence_type()) {
    const onnx::TypeProto &element = type.sequence_type().elem_type();
    if (!element.has_tensor_type()) {
      emitError(loc) << what
                     << " is a sequence of non-tensors; ddl's sequences hold "
                        "tensors";
      return {};
    }
    // ONNX often leaves an element's shape out: the rank is then unknown.
    TensorType elementType;
    if (element.tensor_type().has_shape()) {
      elementType = convertType(element, what, loc);
    } else if (Type dtype = convertElementType(
                   context, element.tensor_type().elem_type())) {
      elementType = UnrankedTensorType::get(dtype);
    } else {
      emitError(loc) << what << " has elements of element type "
                     << elementTypeName(element.tensor_type().elem_type())
                     << ", which ddl does not support";
      return {};
    }
    return elementType ? nn::SequenceType::get(context, elementType) : Type();
  }
  if (type.has_optional_type()) {
    const onnx::TypeProto &value = type.optional_type().elem_type();
    if (!value.has_tensor_type() && !value.has_sequence_type()) {
      emitError(loc) << what
                     << " is an optional of neither a tensor nor a sequence";
      return {};
    }
    Type valueType = convertValueType(value, what, loc);
    return valueType ? nn::OptionalType::get(context, valueType) : Type();
  }
  return convertType(type, what, loc);
}

RankedTensorType GraphImporter::convertType(const onnx::TypeProto &type,
                                            StringRef what, Location loc) {
  MLIRContext *context = module.getContext();
  if (!type.has_tensor_type()) {
    const char *kind = type.has_sequence_type()        ? "a sequence"
                       : type.has_optional_type()      ? "an optional"
                       : type.has_map_type()           ? "a map"
                       : type.has_sparse_tensor_type() ? "a sparse tensor"
                                                       : "not a tensor";
    emitError(loc) << what << " has a type that is " << kind
                   << (type.has_sequence_type() || type.has_optional_type()
                           ? ", where a tensor is expected"
                           : "; ddl imports dense tensors, sequences of "
                             "them and optionals");
    return {};
  }
  const onnx::TypeProto::Tensor &tensor = type.tensor_type();
  Type element = convertElementType(context, tensor.elem_type());
  if (!element) {
    emitError(loc) << what << " has element type "
                   << elementTypeName(tensor.elem_type())
                   << ", which ddl does not support";
    return {};
  }
  if (!tensor.has_shape()) {
    emitError(loc) << what
                   << " has no shape (unknown rank); ddl needs the rank of "
                      "every tensor";
    return {};
  }
  SmallVector<int64_t> sizes;
  SmallVector<StringAttr> symbols;
  for (const onnx::TensorShapeProto::Dimension &dim : tensor.shape().dim()) {
    if (dim.has_dim_value()) {
      if (dim.dim_value() < 0 || dim.dim_value() > kMaxDimSize) {
        emitError(loc) << what << " has dimension " << sizes.size()
                       << " of size " << dim.dim_value()
                       << "; sizes must be in [0, 2^48]";
        return {};
      }
      sizes.push_back(dim.dim_value());
      symbols.push_back({});
      continue;
    }
    sizes.push_back(ShapedType::kDynamic);
    symbols.push_back(isUserSymbol(dim)
                          ? StringAttr::get(context, dim.dim_param())
                          : StringAttr());
  }
  // The static part of the element count must stay countable too.
  int64_t staticElements = 1;
  for (int64_t size : sizes) {
    if (ShapedType::isDynamic(size) || size == 0)
      continue;
    if (staticElements > kMaxDimSize / size) {
      emitError(loc) << what << " has more than 2^48 elements";
      return {};
    }
    staticElements *= size;
  }
  return RankedTensorType::get(sizes, element,
                               nn::getDimsEncoding(context, sizes, symbols));
}

//===----------------------------------------------------------------------===//
// Tensors
//===----------------------------------------------------------------------===//

/// Tensors up to this many bytes become `dense` (foldable: shape constants
/// are small); larger ones become `dense_resource` blobs.
constexpr size_t kInlineTensorBytes = 1024;

/// A name usable as a resource key: [A-Za-z_][A-Za-z0-9_.]*.
static std::string resourceKey(StringRef name) {
  std::string key = name.empty() ? "tensor" : name.str();
  for (char &c : key)
    if (!llvm::isAlnum(c) && c != '_' && c != '.')
      c = '_';
  if (!llvm::isAlpha(key.front()) && key.front() != '_')
    key.insert(key.begin(), '_');
  return key;
}

/// Appends the little-endian bytes of `values`, narrowed to `width` bytes.
template <typename T>
static void appendNarrowed(std::string &bytes, const T &values, size_t width) {
  for (auto v : values) {
    uint64_t bits = static_cast<uint64_t>(v);
    bytes.append(reinterpret_cast<const char *>(&bits), width);
  }
}

Value GraphImporter::importTensor(onnx::TensorProto &tensor, OpBuilder &b,
                                  Location loc) {
  MLIRContext *context = b.getContext();
  std::string what = "tensor '" + tensor.name() + "'";
  Type element = convertElementType(context, tensor.data_type());
  if (!element) {
    emitError(loc) << what << " has element type "
                   << elementTypeName(tensor.data_type())
                   << ", which ddl does not support";
    return {};
  }
  SmallVector<int64_t> shape;
  int64_t numel = 1;
  for (int64_t d : tensor.dims()) {
    if (d < 0 || d > kMaxDimSize) {
      emitError(loc) << what << " has dimension " << shape.size() << " of size "
                     << d << "; sizes must be in [0, 2^48]";
      return {};
    }
    if (d != 0 && numel > (int64_t(1) << 48) / d) {
      emitError(loc) << what << " has more than 2^48 elements";
      return {};
    }
    numel *= d;
    shape.push_back(d);
  }
  auto type = RankedTensorType::get(shape, element);
  size_t width = element.isInteger(1) ? 1 : element.getIntOrFloatBitWidth() / 8;
  size_t expected = numel * width;

  // Gather the bytes: raw_data, or the typed field ONNX uses for the type.
  std::string bytes;
  size_t count;
  switch (tensor.data_type()) {
  case onnx::TensorProto::FLOAT:
    count = tensor.float_data_size();
    bytes.assign(reinterpret_cast<const char *>(tensor.float_data().data()),
                 count * 4);
    break;
  case onnx::TensorProto::DOUBLE:
    count = tensor.double_data_size();
    bytes.assign(reinterpret_cast<const char *>(tensor.double_data().data()),
                 count * 8);
    break;
  case onnx::TensorProto::INT64:
    count = tensor.int64_data_size();
    appendNarrowed(bytes, tensor.int64_data(), 8);
    break;
  case onnx::TensorProto::UINT32:
  case onnx::TensorProto::UINT64:
    count = tensor.uint64_data_size();
    appendNarrowed(bytes, tensor.uint64_data(), width);
    break;
  default: // int8/16/32, uint8/16, bool, float16, bfloat16 use int32_data.
    count = tensor.int32_data_size();
    appendNarrowed(bytes, tensor.int32_data(), width);
    break;
  }
  bool raw = tensor.has_raw_data();
  if (raw) {
    if (count != 0) {
      emitError(loc) << what << " has both raw_data and typed data";
      return {};
    }
    if (tensor.raw_data().size() != expected) {
      emitError(loc) << what << " holds " << tensor.raw_data().size()
                     << " bytes of data but its type " << type << " needs "
                     << expected;
      return {};
    }
  } else if (count != static_cast<size_t>(numel)) {
    emitError(loc) << what << " holds " << count << " elements but its type "
                   << type << " needs " << numel;
    return {};
  }

  ElementsAttr value;
  if (expected <= kInlineTensorBytes) {
    ArrayRef<char> data(raw ? tensor.raw_data().data() : bytes.data(),
                        expected);
    if (element.isInteger(1)) {
      SmallVector<bool> bits;
      for (char c : data)
        bits.push_back(c != 0);
      value = DenseElementsAttr::get(type, bits);
    } else {
      value = DenseElementsAttr::getFromRawBuffer(type, data);
    }
  } else {
    // The blob takes over the protobuf's string: the weights are not
    // copied again (malloc'd storage is aligned for every element type).
    std::string *storage =
        raw ? tensor.release_raw_data() : new std::string(std::move(bytes));
    AsmResourceBlob blob(
        ArrayRef<char>(storage->data(), storage->size()), alignof(uint64_t),
        [storage](void *, size_t, size_t) { delete storage; },
        /*dataIsMutable=*/false);
    auto &manager = DenseResourceElementsHandle::getManagerInterface(context);
    value = DenseResourceElementsAttr::get(
        type, manager.insert(resourceKey(tensor.name()), std::move(blob)));
  }
  return nn::ConstantOp::create(b, loc, value);
}

//===----------------------------------------------------------------------===//
// NodeContext
//===----------------------------------------------------------------------===//

NodeContext::NodeContext(GraphImporter &importer, onnx::NodeProto &node,
                         int64_t opset, OpBuilder &builder, Location loc)
    : importer(importer), nodeProto(node), opsetVersion(opset), b(builder),
      location(loc) {}

std::string NodeContext::describe() const {
  // nodeLocation put the description into the location, where diagnostics
  // raised after import find it (ddl::describeSource).
  if (auto name = dyn_cast<NameLoc>(location))
    return name.getName().str();
  return llvm::formatv("node '{0}' ({1}, opset {2})", nodeProto.name(),
                       nodeProto.op_type(), opsetVersion)
      .str();
}

LogicalResult NodeContext::error(const Twine &message) {
  emitError(location) << describe() << ": " << message;
  hasFailed = true;
  return failure();
}

LogicalResult NodeContext::unsupported(const Twine &what) {
  return error("unsupported: " + what);
}

NodeContext::DiagnosticPrefix::DiagnosticPrefix(NodeContext &node)
    : context(node.context()) {
  std::string prefix = node.describe() + ": ";
  id = context->getDiagEngine().registerHandler(
      [this, prefix](Diagnostic &diag) -> LogicalResult {
        if (reentered)
          return failure();
        reentered = true;
        {
          InFlightDiagnostic out = [&] {
            switch (diag.getSeverity()) {
            case DiagnosticSeverity::Warning:
              return emitWarning(diag.getLocation());
            case DiagnosticSeverity::Remark:
              return emitRemark(diag.getLocation());
            default:
              return emitError(diag.getLocation());
            }
          }();
          out << prefix << diag.str();
          for (Diagnostic &note : diag.getNotes())
            out.attachNote(note.getLocation()) << note.str();
        }
        reentered = false;
        return success();
      });
}

NodeContext::DiagnosticPrefix::~DiagnosticPrefix() {
  context->getDiagEngine().eraseHandler(id);
}

/// Whether `op` sits, through its ancestors, in a region no operation owns
/// yet: the body of an If or Loop being imported (then nested subgraphs).
static bool inDetachedRegion(Operation *op) {
  for (Region *region = op->getParentRegion(); region;) {
    Operation *parent = region->getParentOp();
    if (!parent)
      return true;
    region = parent->getParentRegion();
  }
  return false;
}

Operation *NodeContext::verifyCreated(Operation *op) {
  DiagnosticPrefix prefix(*this);
  // mlir::verify checks dominance by walking up to the top region, and
  // dereferences the missing owner of a detached one (an If nested in an
  // If's branch crashed the importer). There, the op's own invariants are
  // checked now and dominance with the whole module after import.
  bool detached = inDetachedRegion(op);
  if (detached ? mlir::failed(op->getName().verifyInvariants(op)) ||
                     mlir::failed(op->getName().verifyRegionInvariants(op))
               : mlir::failed(mlir::verify(op))) {
    op->erase();
    return fail();
  }
  return op;
}

Value NodeContext::foldCreated(Operation *op) {
  Value result = op->getResult(0);
  SmallVector<OpFoldResult> folded;
  if (mlir::failed(op->fold(folded)) || folded.size() != 1)
    return result;
  Value replacement;
  if (auto value = dyn_cast<Value>(folded.front())) {
    replacement = value;
  } else if (auto attr =
                 dyn_cast<ElementsAttr>(cast<Attribute>(folded.front()));
             attr && attr.getType() == result.getType()) {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(op);
    replacement = nn::ConstantOp::create(b, location, attr);
  }
  // In-place folds, and folds to another type, keep the op.
  if (!replacement || replacement == result ||
      replacement.getType() != result.getType())
    return result;
  op->erase();
  return replacement;
}

bool NodeContext::hasInput(size_t i) const {
  return i < numInputs() && !nodeProto.input(i).empty();
}

bool NodeContext::hasOutput(size_t i) const {
  return i < numOutputs() && !nodeProto.output(i).empty();
}

Value NodeContext::anyOptionalInput(size_t i) {
  if (!hasInput(i))
    return {};
  Value v = importer.lookup(nodeProto.input(i));
  if (!v)
    (void)error(
        llvm::formatv("input #{0} '{1}' is not defined before this node "
                      "(no graph input, initializer or earlier node "
                      "output has that name)",
                      i, nodeProto.input(i)));
  return v;
}

Value NodeContext::anyInput(size_t i) {
  if (!hasInput(i)) {
    (void)error(llvm::formatv("required input #{0} is missing", i));
    return {};
  }
  return anyOptionalInput(i);
}

Value NodeContext::optionalInput(size_t i) {
  Value v = anyOptionalInput(i);
  // Converters read tensors: a sequence or optional stops here, named.
  if (v && !isa<RankedTensorType>(v.getType())) {
    (void)error(llvm::formatv(
        "input #{0} '{1}' is {2}, where a tensor is "
        "expected",
        i, nodeProto.input(i),
        isa<nn::SequenceType>(v.getType()) ? "a sequence" : "an optional"));
    return {};
  }
  return v;
}

Value NodeContext::input(size_t i) {
  if (!hasInput(i)) {
    (void)error(llvm::formatv("required input #{0} is missing", i));
    return {};
  }
  return optionalInput(i);
}

SmallVector<Value> NodeContext::inputsFrom(size_t first) {
  SmallVector<Value> values;
  for (size_t i = first; i < numInputs(); ++i)
    if (hasInput(i))
      values.push_back(optionalInput(i));
  return values;
}

RankedTensorType NodeContext::inputType(size_t i) {
  Value v = optionalInput(i);
  return v ? dyn_cast<RankedTensorType>(v.getType()) : RankedTensorType();
}

std::optional<SmallVector<int64_t>> NodeContext::constantInts(size_t i) {
  Value v = optionalInput(i);
  return v ? nn::ShapeBuilder::constantIntegers(v) : std::nullopt;
}

std::optional<SmallVector<double>> NodeContext::constantFloats(size_t i) {
  Value v = optionalInput(i);
  DenseFPElementsAttr attr;
  if (!v || !matchPattern(v, m_Constant(&attr)))
    return std::nullopt;
  SmallVector<double> values;
  for (const APFloat &x : attr.getValues<APFloat>())
    values.push_back(x.convertToDouble());
  return values;
}

LogicalResult NodeContext::setOutputs(ValueRange values) {
  if (hasFailed)
    return failure();
  for (auto [i, value] : llvm::enumerate(values)) {
    if (!value)
      return failure();
    if (!hasOutput(i))
      continue;
    StringRef name = nodeProto.output(i);
    // ONNX's own shape inference may know more (data propagation through
    // shape subgraphs): take what it adds, unless it contradicts ddl.
    if (Type declared = importer.declaredType(name)) {
      if (nn::areRefinementsOf(TypeRange{declared},
                               TypeRange{value.getType()})) {
        if (auto result = dyn_cast<OpResult>(value);
            result && isa<nn::NNDialect>(result.getOwner()->getDialect())) {
          Type before = value.getType();
          result.setType(nn::refineType(before, declared));
          // A region op's results must still agree with what its regions
          // yield and a loop's carried values with their start: where the
          // declared type does not (a value a loop grows), keep ddl's.
          Operation *owner = result.getOwner();
          if (owner->getNumRegions() > 0) {
            ScopedDiagnosticHandler quiet(
                context(), [](Diagnostic &) { return success(); });
            // The op's own invariants only (see verifyCreated: mlir::verify
            // crashes in a detached region).
            if (mlir::failed(owner->getName().verifyInvariants(owner)))
              result.setType(before);
          }
        }
      } else {
        emitWarning(location) << describe() << ": ONNX gives output '" << name
                              << "' the type " << declared << " but ddl infers "
                              << value.getType() << "; keeping ddl's";
      }
    }
    importer.bind(name, value);
  }
  for (size_t i = values.size(); i < numOutputs(); ++i)
    if (hasOutput(i))
      return error(llvm::formatv("output #{0} '{1}' is not supported", i,
                                 nodeProto.output(i)));
  return success();
}

onnx::AttributeProto *NodeContext::findAttr(StringRef name) const {
  for (onnx::AttributeProto &attr : *nodeProto.mutable_attribute())
    if (attr.name() == name)
      return &attr;
  return nullptr;
}

onnx::AttributeProto *
NodeContext::typedAttr(StringRef name,
                       onnx::AttributeProto::AttributeType type) {
  onnx::AttributeProto *attr = findAttr(name);
  if (!attr)
    return nullptr;
  // Some exporters leave `type` unset; accept those when the field is there.
  if (attr->type() != type && attr->type() != onnx::AttributeProto::UNDEFINED) {
    (void)error(
        llvm::formatv("attribute '{0}' must be {1}, got {2}", name,
                      onnx::AttributeProto::AttributeType_Name(type),
                      onnx::AttributeProto::AttributeType_Name(attr->type())));
    return nullptr;
  }
  return attr;
}

std::optional<int64_t> NodeContext::attrInt(StringRef name) {
  if (onnx::AttributeProto *a = typedAttr(name, onnx::AttributeProto::INT))
    return a->i();
  return std::nullopt;
}

int64_t NodeContext::attrInt(StringRef name, int64_t fallback) {
  return attrInt(name).value_or(fallback);
}

float NodeContext::attrFloat(StringRef name, float fallback) {
  if (onnx::AttributeProto *a = typedAttr(name, onnx::AttributeProto::FLOAT))
    return a->f();
  return fallback;
}

std::string NodeContext::attrString(StringRef name, StringRef fallback) {
  if (onnx::AttributeProto *a = typedAttr(name, onnx::AttributeProto::STRING))
    return a->s();
  return fallback.str();
}

std::optional<SmallVector<int64_t>> NodeContext::attrInts(StringRef name) {
  if (onnx::AttributeProto *a = typedAttr(name, onnx::AttributeProto::INTS))
    return SmallVector<int64_t>(a->ints().begin(), a->ints().end());
  return std::nullopt;
}

std::optional<SmallVector<std::string>>
NodeContext::attrStrings(StringRef name) {
  if (onnx::AttributeProto *a = typedAttr(name, onnx::AttributeProto::STRINGS))
    return SmallVector<std::string>(a->strings().begin(), a->strings().end());
  return std::nullopt;
}

std::optional<SmallVector<float>> NodeContext::attrFloats(StringRef name) {
  if (onnx::AttributeProto *a = typedAttr(name, onnx::AttributeProto::FLOATS))
    return SmallVector<float>(a->floats().begin(), a->floats().end());
  return std::nullopt;
}

onnx::TensorProto *NodeContext::attrTensor(StringRef name) {
  if (onnx::AttributeProto *a = typedAttr(name, onnx::AttributeProto::TENSOR))
    return a->mutable_t();
  return nullptr;
}

onnx::GraphProto *NodeContext::attrGraph(StringRef name) {
  if (onnx::AttributeProto *a = typedAttr(name, onnx::AttributeProto::GRAPH))
    return a->mutable_g();
  return nullptr;
}

std::optional<SmallVector<int64_t>>
NodeContext::axesFromAttrOrInput(StringRef name, size_t inputIndex) {
  if (hasAttr(name))
    return attrInts(name);
  if (!hasInput(inputIndex))
    return std::nullopt;
  std::optional<SmallVector<int64_t>> axes = constantInts(inputIndex);
  if (!axes && !hasFailed)
    (void)unsupported(
        llvm::formatv("input #{0} ({1}) must be a constant", inputIndex, name));
  return axes;
}

Value NodeContext::castTo(Value input, Type element) {
  if (!input || hasFailed)
    return fail();
  auto type = cast<RankedTensorType>(input.getType());
  if (type.getElementType() == element)
    return input;
  auto resultType =
      RankedTensorType::get(type.getShape(), element, type.getEncoding());
  Operation *op =
      verifyCreated(nn::CastOp::create(b, location, resultType, input));
  return op ? foldCreated(op) : Value();
}

Value NodeContext::constI64(ArrayRef<int64_t> values, bool scalar) {
  auto type = RankedTensorType::get(
      scalar ? ArrayRef<int64_t>{} : ArrayRef<int64_t>{int64_t(values.size())},
      b.getI64Type());
  return nn::ConstantOp::create(b, location,
                                DenseIntElementsAttr::get(type, values));
}

Value NodeContext::constScalar(Type elementType, double value) {
  auto type = RankedTensorType::get({}, elementType);
  Attribute attr;
  if (auto f = dyn_cast<FloatType>(elementType)) {
    attr = DenseElementsAttr::get(type, b.getFloatAttr(f, value));
  } else if (elementType.isInteger(1)) {
    attr = DenseElementsAttr::get(type, value != 0);
  } else {
    attr = DenseElementsAttr::get(
        type, IntegerAttr::get(elementType, static_cast<int64_t>(value)));
  }
  return nn::ConstantOp::create(b, location, cast<ElementsAttr>(attr));
}

NamedAttribute NodeContext::namedI64(StringRef name, int64_t v) {
  return b.getNamedAttr(name, b.getI64IntegerAttr(v));
}
NamedAttribute NodeContext::namedF32(StringRef name, float v) {
  return b.getNamedAttr(name, b.getF32FloatAttr(v));
}
NamedAttribute NodeContext::namedBool(StringRef name, bool v) {
  return b.getNamedAttr(name, b.getBoolAttr(v));
}
NamedAttribute NodeContext::namedI64Array(StringRef name, ArrayRef<int64_t> v) {
  return b.getNamedAttr(name, b.getDenseI64ArrayAttr(v));
}
NamedAttribute NodeContext::named(StringRef name, Attribute v) {
  return b.getNamedAttr(name, v);
}
NamedAttribute NodeContext::segments(ArrayRef<int32_t> sizes) {
  return b.getNamedAttr("operandSegmentSizes", b.getDenseI32ArrayAttr(sizes));
}

//===----------------------------------------------------------------------===//
// ConverterRegistry
//===----------------------------------------------------------------------===//

const ConverterRegistry &ConverterRegistry::get() {
  static const ConverterRegistry registry = [] {
    ConverterRegistry r;
    registerElementwiseConverters(r);
    registerTensorConverters(r);
    registerNNConverters(r);
    registerReductionConverters(r);
    registerControlFlowConverters(r);
    registerQuantizationConverters(r);
    registerLossConverters(r);
    registerSignalConverters(r);
    registerRecurrentConverters(r);
    registerTextConverters(r);
    registerRandomConverters(r);
    registerTrainingConverters(r);
    registerUniqueConverters(r);
    registerSequenceConverters(r);
    return r;
  }();
  return registry;
}

std::vector<std::string> ConverterRegistry::opTypes() const {
  std::vector<std::string> names;
  for (const auto &entry : converters)
    names.push_back(entry.getKey().str());
  llvm::sort(names);
  return names;
}

//===----------------------------------------------------------------------===//
// GraphImporter
//===----------------------------------------------------------------------===//

GraphImporter::GraphImporter(ModuleOp module, StringRef path, int64_t opset)
    : module(module), path(path.str()), opset(opset) {}

Value GraphImporter::lookup(StringRef name) const {
  for (auto scope = scopes.rbegin(); scope != scopes.rend(); ++scope) {
    auto it = scope->values.find(name);
    if (it != scope->values.end())
      return it->second;
  }
  return {};
}

void GraphImporter::bind(StringRef name, Value value) {
  scopes.back().values[name] = value;
}

Type GraphImporter::declaredValueType(StringRef name) const {
  const onnx::TypeProto *found = nullptr;
  for (auto scope = scopes.rbegin(); scope != scopes.rend() && !found; ++scope)
    found = scope->declared.lookup(name);
  if (!found)
    return {};
  // Quietly: a type ddl cannot represent just adds no information.
  const onnx::TypeProto &type = *found;
  if (type.has_tensor_type() && !type.tensor_type().has_shape())
    return {};
  MLIRContext *context = ModuleOp(module).getContext();
  ScopedDiagnosticHandler quiet(context,
                                [](Diagnostic &) { return success(); });
  auto *self = const_cast<GraphImporter *>(this);
  return self->convertValueType(type, name, UnknownLoc::get(context));
}

Type GraphImporter::declaredType(StringRef name) const {
  Type type = declaredValueType(name);
  return isa_and_nonnull<RankedTensorType>(type) ? type : Type();
}

void GraphImporter::collectValueInfo(const onnx::GraphProto &graph) {
  for (const onnx::ValueInfoProto &info : graph.value_info())
    scopes.back().declared[info.name()] = &info.type();
  for (const onnx::ValueInfoProto &info : graph.output())
    scopes.back().declared[info.name()] = &info.type();
}

std::string describeNode(const onnx::NodeProto &node, size_t index,
                         int64_t opset) {
  std::string who = node.name().empty() ? llvm::formatv("#{0}", index).str()
                                        : "'" + node.name() + "'";
  if (!isDefaultDomain(node.domain()))
    return llvm::formatv("node {0} ({1}:{2})", who, node.domain(),
                         node.op_type())
        .str();
  return llvm::formatv("node {0} ({1}, opset {2})", who, node.op_type(), opset)
      .str();
}

std::string unsupportedOpMessage(const onnx::NodeProto &node) {
  if (isDefaultDomain(node.domain()))
    return "op type " + node.op_type() + " has no converter in ddl";
  if (node.domain() == kTrainingDomain)
    return "op type " + node.op_type() + " of domain '" + node.domain() +
           "' has no converter in ddl";
  return "op " + node.op_type() + " of domain '" + node.domain() +
         "'; ddl imports the default ONNX domain and '" +
         kTrainingDomain.str() + "' only";
}

Location GraphImporter::nodeLocation(const onnx::NodeProto &node,
                                     size_t index) {
  // ONNX nodes have no line: the location is the file, named by a
  // description of the node that every later diagnostic can show.
  MLIRContext *context = module.getContext();
  return NameLoc::get(
      StringAttr::get(context, describeNode(node, index, opset)),
      FileLineColLoc::get(context, path, 0, 0));
}

LogicalResult GraphImporter::importNodes(onnx::GraphProto &graph,
                                         OpBuilder &b) {
  const ConverterRegistry &registry = ConverterRegistry::get();
  for (auto [index, node] : llvm::enumerate(*graph.mutable_node())) {
    Location loc = nodeLocation(node, index);
    NodeContext context(*this, node, opset, b, loc);
    const Converter *converter = registry.find(node.domain(), node.op_type());
    if (!converter)
      return context.unsupported(unsupportedOpMessage(node));
    if (mlir::failed((*converter)(context)) || context.failed()) {
      // A converter that fails says why; make sure something was said.
      if (!context.failed())
        (void)context.error("conversion failed");
      return failure();
    }
  }
  return success();
}

LogicalResult GraphImporter::importMainGraph(onnx::GraphProto &graph,
                                             StringRef name) {
  MLIRContext *context = module.getContext();
  OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
  Location loc = FileLineColLoc::get(context, path, 0, 0);
  scopes.emplace_back();
  collectValueInfo(graph);

  llvm::StringSet<> initializerNames;
  for (const onnx::TensorProto &t : graph.initializer())
    initializerNames.insert(t.name());
  SmallVector<Type> argTypes;
  SmallVector<const onnx::ValueInfoProto *> args;
  for (const onnx::ValueInfoProto &input : graph.input()) {
    // Old models list initializers among the inputs: they are constants.
    if (initializerNames.contains(input.name()))
      continue;
    Type type = convertValueType(input.type(),
                                 "graph input '" + input.name() + "'", loc);
    if (!type)
      return failure();
    argTypes.push_back(type);
    args.push_back(&input);
  }
  auto func =
      func::FuncOp::create(b, loc, name, b.getFunctionType(argTypes, {}));
  Block *entry = func.addEntryBlock();
  for (auto [i, input] : llvm::enumerate(args)) {
    func.setArgAttr(i, "nn.name", b.getStringAttr(input->name()));
    bind(input->name(), entry->getArgument(i));
  }
  b.setInsertionPointToStart(entry);
  for (onnx::TensorProto &t : *graph.mutable_initializer()) {
    Value v = importTensor(
        t, b,
        NameLoc::get(b.getStringAttr("initializer '" + t.name() + "'"), loc));
    if (!v)
      return failure();
    bind(t.name(), v);
  }
  if (failed(importNodes(graph, b)))
    return failure();

  SmallVector<Value> results;
  for (const onnx::ValueInfoProto &output : graph.output()) {
    Value v = lookup(output.name());
    if (!v)
      return emitError(loc) << "graph output '" << output.name()
                            << "' is not produced by any node, input or "
                               "initializer";
    results.push_back(v);
  }
  func::ReturnOp::create(b, loc, results);
  func.setType(b.getFunctionType(argTypes, ValueRange(results).getTypes()));
  for (auto [i, output] : llvm::enumerate(graph.output()))
    func.setResultAttr(i, "nn.name", b.getStringAttr(output.name()));
  scopes.pop_back();
  return success();
}

LogicalResult GraphImporter::importSubgraph(onnx::GraphProto &graph,
                                            Region &region, TypeRange argTypes,
                                            NodeContext &owner,
                                            SubgraphPrologue prologue,
                                            SubgraphEpilogue epilogue) {
  Block *block = new Block();
  region.push_back(block);
  for (Type type : argTypes)
    block->addArgument(type, owner.loc());
  // The region may not belong to an op yet: take the context from the module.
  OpBuilder b(module.getContext());
  b.setInsertionPointToStart(block);
  SmallVector<Value> inputs;
  if (prologue) {
    FailureOr<SmallVector<Value>> values = prologue(b, *block);
    if (failed(values))
      return owner.fail(), failure();
    inputs = std::move(*values);
  } else {
    inputs.assign(block->args_begin(), block->args_end());
  }
  if (static_cast<size_t>(graph.input_size()) != inputs.size())
    return owner.error(
        llvm::formatv("subgraph '{0}' takes {1} inputs but the op passes {2}",
                      graph.name(), graph.input_size(), inputs.size()));

  scopes.emplace_back();
  llvm::scope_exit popScope([&] { scopes.pop_back(); });
  collectValueInfo(graph);
  for (auto [input, value] : llvm::zip(graph.input(), inputs))
    bind(input.name(), value);
  for (onnx::TensorProto &t : *graph.mutable_initializer()) {
    Value v = importTensor(t, b, owner.loc());
    if (!v)
      return owner.fail(), failure();
    bind(t.name(), v);
  }
  if (failed(importNodes(graph, b)))
    return owner.fail(), failure();
  SmallVector<Value> results;
  for (const onnx::ValueInfoProto &output : graph.output()) {
    Value v = lookup(output.name());
    if (!v)
      return owner.error("subgraph output '" + output.name() +
                         "' is not produced inside the subgraph or outside");
    results.push_back(v);
  }
  if (epilogue && failed(epilogue(b, results)))
    return owner.fail(), failure();
  nn::YieldOp::create(b, owner.loc(), results);
  return success();
}

} // namespace ddl::onnx_import
