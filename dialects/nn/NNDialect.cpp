//===- NNDialect.cpp - graph dialect and its attributes -------------------===//
//
// Dialect registration, the #nn.dims encoding, and constant materialization.
//
//===----------------------------------------------------------------------===//

#include "dialects/nn/NNDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/FormatVariadic.h"

using namespace mlir;
using namespace ddl::nn;

#include "dialects/nn/NNDialect.cpp.inc"
#include "dialects/nn/NNEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/nn/NNAttrs.cpp.inc"

#define GET_TYPEDEF_CLASSES
#include "dialects/nn/NNTypes.cpp.inc"

void NNDialect::initialize() {
  registerAttributes();
  registerTypes();
  registerOps();
}

void NNDialect::registerTypes() {
  addTypes<
#define GET_TYPEDEF_LIST
#include "dialects/nn/NNTypes.cpp.inc"
      >();
}

//===----------------------------------------------------------------------===//
// !nn.seq and !nn.optional
//===----------------------------------------------------------------------===//

LogicalResult SequenceType::verify(function_ref<InFlightDiagnostic()> emitError,
                                   TensorType elementType) {
  if (!elementType)
    return emitError() << "a sequence needs an element type";
  if (auto ranked = dyn_cast<RankedTensorType>(elementType))
    if (ranked.getEncoding() && !isa<DimsAttr>(ranked.getEncoding()))
      return emitError() << "sequence elements take no encoding but #nn.dims";
  return success();
}

LogicalResult OptionalType::verify(function_ref<InFlightDiagnostic()> emitError,
                                   Type valueType) {
  if (!isa_and_nonnull<RankedTensorType, SequenceType>(valueType))
    return emitError() << "an optional holds a ranked tensor or a sequence, "
                          "not "
                       << valueType;
  return success();
}

void NNDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "dialects/nn/NNAttrs.cpp.inc"
      >();
}

Operation *NNDialect::materializeConstant(OpBuilder &builder, Attribute value,
                                          Type type, Location loc) {
  auto elements = dyn_cast<ElementsAttr>(value);
  if (!elements || elements.getType() != type)
    return nullptr;
  return ConstantOp::create(builder, loc, elements);
}

//===----------------------------------------------------------------------===//
// #nn.dims
//===----------------------------------------------------------------------===//

namespace ddl::nn {

DimsAttr getDimsEncoding(MLIRContext *context, ArrayRef<int64_t> sizes,
                         ArrayRef<StringAttr> symbols) {
  bool anySymbol = llvm::any_of(
      symbols, [](StringAttr s) { return s && !s.getValue().empty(); });
  if (!anySymbol)
    return nullptr;
  SmallVector<StringAttr> normalized;
  for (StringAttr s : symbols)
    normalized.push_back(s ? s : StringAttr::get(context, ""));
  return DimsAttr::get(context, sizes, normalized);
}

StringAttr getDimSymbol(RankedTensorType type, unsigned dim) {
  auto dims = dyn_cast_or_null<DimsAttr>(type.getEncoding());
  return dims ? dims.getSymbol(dim) : StringAttr();
}

} // namespace ddl::nn

StringAttr DimsAttr::getSymbol(unsigned dim) const {
  ArrayRef<StringAttr> symbols = getSymbols();
  if (dim >= symbols.size() || symbols[dim].getValue().empty())
    return {};
  return symbols[dim];
}

// #nn.dims<batch, ?, 768, "name with spaces">
Attribute DimsAttr::parse(AsmParser &parser, Type) {
  SmallVector<int64_t> sizes;
  SmallVector<StringAttr> symbols;
  MLIRContext *context = parser.getContext();
  auto parseEntry = [&]() -> ParseResult {
    if (succeeded(parser.parseOptionalQuestion())) {
      sizes.push_back(ShapedType::kDynamic);
      symbols.push_back(StringAttr::get(context, ""));
      return success();
    }
    // Symbols before sizes: the integer parser would take `true`/`false`.
    std::string name;
    if (failed(parser.parseOptionalKeywordOrString(&name))) {
      int64_t size;
      OptionalParseResult number = parser.parseOptionalInteger(size);
      if (!number.has_value())
        return parser.emitError(parser.getCurrentLocation(),
                                "expected a dimension symbol, '?' or a size");
      if (failed(*number))
        return failure();
      sizes.push_back(size);
      symbols.push_back(StringAttr::get(context, ""));
      return success();
    }
    if (name.empty())
      return parser.emitError(parser.getCurrentLocation(),
                              "a dimension symbol must not be empty");
    sizes.push_back(ShapedType::kDynamic);
    symbols.push_back(StringAttr::get(context, name));
    return success();
  };
  if (parser.parseCommaSeparatedList(AsmParser::Delimiter::LessGreater,
                                     parseEntry))
    return {};
  return DimsAttr::getChecked(
      [&] { return parser.emitError(parser.getNameLoc()); }, context, sizes,
      symbols);
}

void DimsAttr::print(AsmPrinter &printer) const {
  printer << "<";
  llvm::interleaveComma(llvm::zip(getSizes(), getSymbols()), printer,
                        [&](auto entry) {
                          auto [size, symbol] = entry;
                          if (!symbol.getValue().empty())
                            printer.printKeywordOrString(symbol.getValue());
                          else if (ShapedType::isDynamic(size))
                            printer << "?";
                          else
                            printer << size;
                        });
  printer << ">";
}

LogicalResult DimsAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                               ArrayRef<int64_t> sizes,
                               ArrayRef<StringAttr> symbols) {
  if (sizes.size() != symbols.size())
    return emitError() << "#nn.dims needs one symbol slot per dimension";
  bool anySymbol = false;
  for (auto [i, entry] : llvm::enumerate(llvm::zip(sizes, symbols))) {
    auto [size, symbol] = entry;
    if (!symbol)
      return emitError() << "#nn.dims entry " << i << " has a null symbol";
    if (symbol.getValue().empty()) {
      if (size < 0 && !ShapedType::isDynamic(size))
        return emitError() << "#nn.dims entry " << i << " has negative size "
                           << size;
      continue;
    }
    anySymbol = true;
    if (!ShapedType::isDynamic(size))
      return emitError() << "#nn.dims entry " << i << " names static size "
                         << size << " '" << symbol.getValue()
                         << "'; symbols are for dynamic dimensions only";
  }
  if (!anySymbol)
    return emitError()
           << "#nn.dims names no dimension; drop the encoding instead";
  return success();
}

LogicalResult
DimsAttr::verifyEncoding(ArrayRef<int64_t> shape, Type,
                         function_ref<InFlightDiagnostic()> emitError) const {
  if (shape.size() != getSizes().size())
    return emitError() << "#nn.dims has " << getSizes().size()
                       << " entries but the tensor has rank " << shape.size();
  for (auto [i, pair] : llvm::enumerate(llvm::zip(shape, getSizes()))) {
    auto [actual, declared] = pair;
    if (actual == declared)
      continue;
    if (ShapedType::isDynamic(declared))
      return emitError() << "#nn.dims entry " << i
                         << " is dynamic but the tensor's dimension " << i
                         << " is " << actual << "; write " << actual
                         << " there";
    return emitError() << "#nn.dims entry " << i << " is " << declared
                       << " but the tensor's dimension " << i << " is "
                       << (ShapedType::isDynamic(actual)
                               ? std::string("?")
                               : std::to_string(actual));
  }
  return success();
}
