//===- GraphImporter.h - ONNX graphs into nn functions ----------*- C++ -*-===//
//
// The graph importer walks a validated ModelProto and emits one nn op (or a
// few) per ONNX node. Per-op logic lives in converters, one file per op
// family under ops/, written against NodeContext: typed access to the
// node's inputs and attributes, and op creation that infers result types
// with the nn shape functions, verifies the op, and reports any problem
// naming the node, its op type and the opset.
//
// Errors are sticky: an accessor that finds a problem reports it, marks the
// node failed and returns a neutral value, so converters read straight
// through and the importer stops after the node.
//
//===----------------------------------------------------------------------===//

#ifndef DDL_FRONTENDS_ONNX_GRAPHIMPORTER_H
#define DDL_FRONTENDS_ONNX_GRAPHIMPORTER_H

#include "dialects/nn/NNDialect.h"
#include "frontends/onnx/ONNXImporter.h"
#include "frontends/onnx/OpVersions.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "onnx/onnx_pb.h"
#include "llvm/ADT/StringMap.h"

#include <functional>

namespace ddl::onnx_import {

class GraphImporter;

/// What a converter sees of one ONNX node.
class NodeContext {
public:
  NodeContext(GraphImporter &importer, onnx::NodeProto &node, int64_t opset,
              mlir::OpBuilder &builder, mlir::Location loc);

  onnx::NodeProto &node() const { return nodeProto; }
  /// The default-domain opset the model imports.
  int64_t opset() const { return opsetVersion; }
  mlir::OpBuilder &builder() { return b; }
  mlir::Location loc() const { return location; }
  GraphImporter &graphImporter() { return importer; }
  mlir::MLIRContext *context() const { return b.getContext(); }
  bool failed() const { return hasFailed; }

  //===--------------------------------------------------------------------===//
  // Errors
  //===--------------------------------------------------------------------===//

  /// Reports an error about this node ("node 'n' (Op, opset 13): ...").
  mlir::LogicalResult error(const llvm::Twine &message);
  /// Reports an unsupported use of the op (a value or mode ddl lacks).
  mlir::LogicalResult unsupported(const llvm::Twine &what);

  //===--------------------------------------------------------------------===//
  // Inputs and outputs
  //===--------------------------------------------------------------------===//

  size_t numInputs() const { return nodeProto.input_size(); }
  size_t numOutputs() const { return nodeProto.output_size(); }
  /// True when input `i` is given (present with a non-empty name).
  bool hasInput(size_t i) const;
  bool hasOutput(size_t i) const;
  /// Required input `i` (an error when absent).
  mlir::Value input(size_t i);
  /// Optional input `i`: null when absent. Inputs are tensors: a sequence or
  /// optional is an error (anyInput takes them).
  mlir::Value optionalInput(size_t i);
  /// Inputs `i` of any nn type (tensor, sequence, optional), for the
  /// converters of ops that take sequences and optionals.
  mlir::Value anyInput(size_t i);
  mlir::Value anyOptionalInput(size_t i);
  /// All present inputs from `first` on (variadic operands).
  llvm::SmallVector<mlir::Value> inputsFrom(size_t first);
  /// The integer values of input `i` when it is a constant.
  std::optional<llvm::SmallVector<int64_t>> constantInts(size_t i);
  /// The float values of input `i` when it is a constant.
  std::optional<llvm::SmallVector<double>> constantFloats(size_t i);
  /// The type of input `i` (null when absent).
  mlir::RankedTensorType inputType(size_t i);

  /// Binds the node's outputs, in order, to `values` (a null value, after
  /// an error, fails). Outputs the node does not name are skipped.
  mlir::LogicalResult setOutputs(mlir::ValueRange values);
  mlir::LogicalResult setOutput(mlir::Value value) {
    return setOutputs(
        mlir::ValueRange(value ? mlir::ValueRange(value) : mlir::ValueRange()));
  }

  //===--------------------------------------------------------------------===//
  // Attributes
  //===--------------------------------------------------------------------===//

  bool hasAttr(llvm::StringRef name) const { return findAttr(name); }
  /// The attribute `name` as ONNX holds it (null when absent), for the
  /// converters of attributes whose type varies (Dropout's int seed, the
  /// random ops' float one).
  const onnx::AttributeProto *findAttrProto(llvm::StringRef name) const {
    return findAttr(name);
  }
  int64_t attrInt(llvm::StringRef name, int64_t fallback);
  std::optional<int64_t> attrInt(llvm::StringRef name);
  float attrFloat(llvm::StringRef name, float fallback);
  std::string attrString(llvm::StringRef name, llvm::StringRef fallback);
  std::optional<llvm::SmallVector<int64_t>> attrInts(llvm::StringRef name);
  /// attrInts, or `absent` when the node does not have the attribute.
  llvm::SmallVector<int64_t> attrIntsOr(llvm::StringRef name,
                                        llvm::ArrayRef<int64_t> absent) {
    return attrInts(name).value_or(llvm::SmallVector<int64_t>(absent));
  }
  std::optional<llvm::SmallVector<float>> attrFloats(llvm::StringRef name);
  std::optional<llvm::SmallVector<std::string>>
  attrStrings(llvm::StringRef name);
  onnx::TensorProto *attrTensor(llvm::StringRef name);
  onnx::GraphProto *attrGraph(llvm::StringRef name);
  /// Axes given either as attribute `name` (older opsets) or as input
  /// `inputIndex` (newer); the input must then be a constant.
  std::optional<llvm::SmallVector<int64_t>>
  axesFromAttrOrInput(llvm::StringRef name, size_t inputIndex);

  //===--------------------------------------------------------------------===//
  // Creating ops
  //===--------------------------------------------------------------------===//

  /// Creates `OpT` with `operands` and `attrs`, result types inferred by
  /// its shape function, and verifies it. Null after an error (reported
  /// against this node), or when an operand is null.
  template <typename OpT>
  mlir::Operation *createOp(mlir::ValueRange operands,
                            llvm::ArrayRef<mlir::NamedAttribute> attrs = {}) {
    if (hasFailed || llvm::any_of(operands, [](mlir::Value v) { return !v; }))
      return fail();
    mlir::OperationState state(location, OpT::getOperationName());
    state.addOperands(operands);
    mlir::DictionaryAttr dict = mlir::DictionaryAttr::get(context(), attrs);
    auto &properties = state.getOrAddProperties<typename OpT::Properties>();
    llvm::SmallVector<mlir::Type> types;
    DiagnosticPrefix prefix(*this);
    if (mlir::failed(OpT::setPropertiesFromAttr(
            properties, dict, [&] { return mlir::emitError(location); })))
      return fail();
    // Attributes the converter left out take their ODS defaults.
    state.name.populateDefaultProperties(mlir::OpaqueProperties(&properties));
    if (mlir::failed(OpT::inferReturnTypes(context(), location, operands, dict,
                                           mlir::OpaqueProperties(&properties),
                                           {}, types)))
      return fail();
    state.addTypes(types);
    return verifyCreated(b.create(state));
  }
  /// `createOp` for single-result ops, folded right away when its operands
  /// allow (so shape computations on constants are constants for the
  /// converters of later nodes).
  template <typename OpT>
  mlir::Value create(mlir::ValueRange operands,
                     llvm::ArrayRef<mlir::NamedAttribute> attrs = {}) {
    mlir::Operation *op = createOp<OpT>(operands, attrs);
    return op ? foldCreated(op) : mlir::Value();
  }
  /// nn.cast of `input` to `element`, keeping its shape; `input` itself
  /// when it already has that element type.
  mlir::Value castTo(mlir::Value input, mlir::Type element);
  /// An nn.constant holding `values` as a 1-D (or 0-d with `scalar`) i64
  /// tensor: the shape-like operands of nn ops.
  mlir::Value constI64(llvm::ArrayRef<int64_t> values, bool scalar = false);
  /// An nn.constant with one element of `elementType`, as a 0-d tensor.
  mlir::Value constScalar(mlir::Type elementType, double value);

  // Attribute helpers for createOp.
  mlir::NamedAttribute namedI64(llvm::StringRef name, int64_t v);
  mlir::NamedAttribute namedF32(llvm::StringRef name, float v);
  mlir::NamedAttribute namedBool(llvm::StringRef name, bool v);
  mlir::NamedAttribute namedI64Array(llvm::StringRef name,
                                     llvm::ArrayRef<int64_t> v);
  mlir::NamedAttribute named(llvm::StringRef name, mlir::Attribute v);
  mlir::NamedAttribute segments(llvm::ArrayRef<int32_t> sizes);

  /// Prefixes the diagnostics emitted while it lives with this node's name.
  class DiagnosticPrefix {
  public:
    explicit DiagnosticPrefix(NodeContext &node);
    ~DiagnosticPrefix();

  private:
    mlir::MLIRContext *context;
    mlir::DiagnosticEngine::HandlerID id;
    bool reentered = false;
  };

  /// Verifies an op the converter created itself (ops whose result type is
  /// given, such as nn.cast); erases it and fails the node when invalid.
  mlir::Operation *verifyCreated(mlir::Operation *op);

  /// Folds a just-created single-result op: returns the value it folds to
  /// (an nn.constant, or an existing value) or its own result.
  mlir::Value foldCreated(mlir::Operation *op);

  /// "node 'name' (Type, opset N)", how errors name this node.
  std::string describe() const;
  /// Marks the node failed; returns null for convenience.
  std::nullptr_t fail() {
    hasFailed = true;
    return nullptr;
  }

private:
  onnx::AttributeProto *findAttr(llvm::StringRef name) const;
  /// Checks that attribute `name` has `type`; reports and fails otherwise.
  onnx::AttributeProto *typedAttr(llvm::StringRef name,
                                  onnx::AttributeProto::AttributeType type);
  GraphImporter &importer;
  onnx::NodeProto &nodeProto;
  int64_t opsetVersion;
  mlir::OpBuilder &b;
  mlir::Location location;
  bool hasFailed = false;
};

/// Converts one node; on failure it has reported why.
using Converter = std::function<mlir::LogicalResult(NodeContext &)>;

/// Converters by (domain, op type).
class ConverterRegistry {
public:
  /// Registers the converter of default-domain op `opType`, which
  /// implements its versions up to `newestVersion`: by default every
  /// version up to opset 17's (ONNX 1.12's); a converter that follows the
  /// op's newer versions (OpVersions.h) says up to which.
  void add(llvm::StringRef opType, Converter converter,
           int64_t newestVersion = kLibOnnxOpset) {
    add("", opType, std::move(converter));
    converters[key("", opType)].newestVersion = newestVersion;
  }
  void add(llvm::StringRef domain, llvm::StringRef opType,
           Converter converter) {
    converters[key(domain, opType)] = {std::move(converter), kLibOnnxOpset};
  }
  const Converter *find(llvm::StringRef domain, llvm::StringRef opType) const {
    auto it = converters.find(key(domain, opType));
    return it == converters.end() ? nullptr : &it->second.convert;
  }
  /// The newest version of the op that its converter implements (0 when
  /// there is none).
  int64_t newestVersion(llvm::StringRef domain, llvm::StringRef opType) const {
    auto it = converters.find(key(domain, opType));
    return it == converters.end() ? 0 : it->second.newestVersion;
  }
  /// Every registered op type, sorted (for coverage reports); those of
  /// other domains as "domain:OpType".
  std::vector<std::string> opTypes() const;

  /// The registry with every family's converters.
  static const ConverterRegistry &get();

private:
  static std::string key(llvm::StringRef domain, llvm::StringRef opType) {
    return isDefaultDomain(domain) ? opType.str()
                                   : (domain + ":" + opType).str();
  }
  struct Entry {
    Converter convert;
    int64_t newestVersion;
  };
  llvm::StringMap<Entry> converters;
};

// One registration function per op family (ops/*.cpp).
void registerElementwiseConverters(ConverterRegistry &registry);
void registerTensorConverters(ConverterRegistry &registry);
void registerNNConverters(ConverterRegistry &registry);
void registerReductionConverters(ConverterRegistry &registry);
void registerControlFlowConverters(ConverterRegistry &registry);
void registerQuantizationConverters(ConverterRegistry &registry);
void registerLossConverters(ConverterRegistry &registry);
void registerSignalConverters(ConverterRegistry &registry);
void registerRecurrentConverters(ConverterRegistry &registry);
void registerTextConverters(ConverterRegistry &registry);
void registerRandomConverters(ConverterRegistry &registry);
void registerTrainingConverters(ConverterRegistry &registry);
void registerUniqueConverters(ConverterRegistry &registry);
void registerSequenceConverters(ConverterRegistry &registry);

/// An nn.loop at the node's builder taking over `bodyRegion`, whose block
/// yields (condition, carried..., scan...): results the final carried
/// values (of `carriedTypes`) then the scan outputs stacked along a new
/// leading dimension. Null after an error (reported against the node).
mlir::Operation *createLoop(NodeContext &n, mlir::Value tripCount,
                            mlir::Value condition, mlir::ValueRange inits,
                            mlir::TypeRange carriedTypes,
                            mlir::Region &bodyRegion);

/// A Conv (the node of `n`) of two DequantizeLinear outputs plus an
/// optional float bias as an integer convolution on the int8 GEMM (see
/// Quantization.cpp), or null when it does not apply.
mlir::Value convOfDequantized(NodeContext &n, mlir::Value x, mlir::Value w,
                              mlir::Value bias);

/// A MatMul of two DequantizeLinear outputs as an int8 matmul (see
/// Quantization.cpp), or null when it does not apply.
mlir::Value matMulOfDequantized(NodeContext &n, mlir::Value lhs,
                                mlir::Value rhs);

/// A Gemm of two DequantizeLinear outputs (A not transposed) as an int8
/// matmul, scaled by alpha, plus beta C (see Quantization.cpp), or null
/// when it does not apply.
mlir::Value gemmOfDequantized(NodeContext &n, mlir::Value a, mlir::Value b,
                              mlir::Value c, float alpha, float beta,
                              bool transA, bool transB);

/// Maps an ONNX tensor element type to an MLIR type (null when unsupported).
mlir::Type convertElementType(mlir::MLIRContext *context, int32_t onnxType);
/// The same, strings (!nn.string) included: for the types of values, which
/// only string ops read.
mlir::Type convertValueElementType(mlir::MLIRContext *context,
                                   int32_t onnxType);

/// Imports graphs: values in scope, initializers, nodes, subgraphs.
class GraphImporter {
public:
  GraphImporter(mlir::ModuleOp module, llvm::StringRef path, int64_t opset);

  /// Imports the model's main graph as `func.func @<name>`.
  mlir::LogicalResult importMainGraph(onnx::GraphProto &graph,
                                      llvm::StringRef name);

  /// Computes the values a subgraph's inputs stand for, at the start of its
  /// block (default: the block's arguments, one per graph input).
  using SubgraphPrologue =
      std::function<mlir::FailureOr<llvm::SmallVector<mlir::Value>>(
          mlir::OpBuilder &, mlir::Block &)>;
  /// Adjusts the values a subgraph yields (e.g. prepends a loop condition).
  using SubgraphEpilogue = std::function<mlir::LogicalResult(
      mlir::OpBuilder &, llvm::SmallVectorImpl<mlir::Value> &)>;

  /// Imports `graph` as the body of `region` (a subgraph of If / Loop /
  /// Scan): a block with arguments of `argTypes`, the graph's nodes, and an
  /// nn.yield of its outputs. Outer values stay visible.
  mlir::LogicalResult importSubgraph(onnx::GraphProto &graph,
                                     mlir::Region &region,
                                     mlir::TypeRange argTypes,
                                     NodeContext &owner,
                                     SubgraphPrologue prologue = nullptr,
                                     SubgraphEpilogue epilogue = nullptr);

  /// The value named `name` in the innermost scope that has it, or null.
  mlir::Value lookup(llvm::StringRef name) const;
  /// The tensor type ONNX declares or infers for value `name` (null if
  /// none).
  mlir::Type declaredType(llvm::StringRef name) const;
  /// The same for a value of any type (a tensor, sequence or optional).
  mlir::Type declaredValueType(llvm::StringRef name) const;
  /// Converts an ONNX tensor type; errors name `what`. Null on failure.
  mlir::RankedTensorType convertType(const onnx::TypeProto &type,
                                     llvm::StringRef what, mlir::Location loc);
  /// Converts an ONNX tensor, sequence or optional type (sequence elements
  /// without a shape are unranked). Null on failure.
  mlir::Type convertValueType(const onnx::TypeProto &type, llvm::StringRef what,
                              mlir::Location loc);
  /// An nn.constant for an ONNX tensor (initializer or Constant value).
  /// Large tensors become dense resources without copying their bytes.
  mlir::Value importTensor(onnx::TensorProto &tensor, mlir::OpBuilder &b,
                           mlir::Location loc);
  /// importTensor of a string tensor: an nn.constant of its strings.
  mlir::Value importStringTensor(onnx::TensorProto &tensor, mlir::OpBuilder &b,
                                 mlir::Location loc);
  void bind(llvm::StringRef name, mlir::Value value);
  mlir::Location nodeLocation(const onnx::NodeProto &node, size_t index);

  /// What a DequantizeLinear output came from, so that a MatMul of two of
  /// them runs on the integers (QDQ models).
  struct Dequantized {
    /// The integer tensor, its scale (f32), its zero point (or null), and
    /// the axis of per-axis parameters.
    mlir::Value quantized, scale, zeroPoint;
    int64_t axis;
  };
  void recordDequantized(mlir::Value output, const Dequantized &source) {
    dequantized[output] = source;
  }
  const Dequantized *lookupDequantized(mlir::Value output) const {
    auto it = dequantized.find(output);
    return it == dequantized.end() ? nullptr : &it->second;
  }
  llvm::StringRef modelPath() const { return path; }

private:
  mlir::LogicalResult importNodes(onnx::GraphProto &graph, mlir::OpBuilder &b);
  void collectValueInfo(const onnx::GraphProto &graph);

  mlir::ModuleOp module;
  std::string path;
  int64_t opset;
  /// What one graph (the main graph or a subgraph) names: its values and
  /// the types ONNX declares for them. Subgraphs push a scope; inner names
  /// shadow outer ones, and a subgraph's declarations end with it.
  struct Scope {
    llvm::StringMap<mlir::Value> values;
    llvm::StringMap<const onnx::TypeProto *> declared;
  };
  std::vector<Scope> scopes;
  llvm::DenseMap<mlir::Value, Dequantized> dequantized;
};

/// "node 'conv1' (Conv, opset 13)", or "node #3 (...)" for an unnamed node
/// (the index in its graph): how diagnostics name a node, during import
/// and, through its op's location, after it (ddl::describeSource).
std::string describeNode(const onnx::NodeProto &node, size_t index,
                         int64_t opset);

/// Why a node that no converter takes is refused: "op type X has no
/// converter in ddl", or that its domain is not one ddl imports.
std::string unsupportedOpMessage(const onnx::NodeProto &node);

} // namespace ddl::onnx_import

#endif // DDL_FRONTENDS_ONNX_GRAPHIMPORTER_H
