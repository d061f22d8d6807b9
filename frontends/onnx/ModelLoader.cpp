//===- ModelLoader.cpp - read and validate an ONNX model ------------------===//

#include "frontends/onnx/ModelLoader.h"
#include "frontends/onnx/OpVersions.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Location.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include <functional>

#include "onnx/checker.h"
#include "onnx/defs/parser.h"
#include "onnx/shape_inference/implementation.h"
#include "onnx/version_converter/convert.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <climits>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace mlir;

namespace ddl::onnx_import {

int64_t defaultOpset(const onnx::ModelProto &model) {
  for (const onnx::OperatorSetIdProto &opset : model.opset_import())
    if (opset.domain().empty() || opset.domain() == "ai.onnx")
      return opset.version();
  return 0;
}

namespace {

/// Reports errors about one model file.
class Reporter {
public:
  Reporter(MLIRContext &context, StringRef path)
      : loc(FileLineColLoc::get(&context, path, 0, 0)), path(path) {}
  LogicalResult error(const Twine &message) const {
    emitError(loc) << message;
    return failure();
  }
  void warning(const Twine &message) const { emitWarning(loc) << message; }

private:
  Location loc;
  StringRef path;
};

} // namespace

/// How deep protobuf messages may nest in a model. Protobuf's default,
/// 100, refuses models with more than about 30 nested If / Loop bodies
/// (each is a graph in a node in an attribute); 1000 allows about 330 while
/// still bounding the parser's recursion.
static constexpr int kMaxMessageNesting = 1000;

static bool parseModelProto(google::protobuf::io::ZeroCopyInputStream &in,
                            onnx::ModelProto &model) {
  google::protobuf::io::CodedInputStream coded(&in);
  coded.SetRecursionLimit(kMaxMessageNesting);
  return model.ParseFromCodedStream(&coded) && coded.ConsumedEntireMessage();
}

/// The verdict on a protobuf parse of a model (`what`: "file", "buffer").
static LogicalResult checkParsed(const Reporter &report, bool parsed,
                                 StringRef what,
                                 const onnx::ModelProto &model) {
  if (!parsed)
    return report.error(llvm::formatv(
        "not an ONNX model: the {0} does not parse as an ONNX ModelProto "
        "(truncated, corrupt, another format, or messages nested more than "
        "{1} deep)",
        what, kMaxMessageNesting));
  if (!model.has_graph() || model.ir_version() <= 0)
    return report.error(
        "not an ONNX model: it parses as protobuf but has no graph or no IR "
        "version");
  return success();
}

static LogicalResult parseModel(const Reporter &report, StringRef path,
                                onnx::ModelProto &model) {
  if (path.ends_with(".onnxtxt")) {
    llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> text =
        llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
    if (!text)
      return report.error("cannot read the model: " +
                          text.getError().message());
    // The parser needs a NUL-terminated string, which MemoryBuffer gives.
    onnx::Common::Status status =
        onnx::OnnxParser::Parse(model, (*text)->getBufferStart());
    if (!status.IsOK())
      return report.error("not valid ONNX text syntax: " +
                          status.ErrorMessage());
    return success();
  }
  int fd = ::open(path.str().c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return report.error(
        llvm::formatv("cannot open the model: {0}", std::strerror(errno)));
  struct stat info;
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    ::close(fd);
    return report.error("the model is not a regular file");
  }
  // Parsing from the file descriptor keeps one copy of the weights in
  // memory (the protobuf's), not two.
  bool parsed;
  {
    google::protobuf::io::FileInputStream stream(fd);
    parsed = parseModelProto(stream, model);
  }
  ::close(fd);
  return checkParsed(report, parsed, "file", model);
}

/// The first value `graph` reads (a node input or a graph output) that no
/// graph input, initializer or earlier node output defines, if any.
static std::optional<std::string>
firstUndefinedValue(const onnx::GraphProto &graph) {
  llvm::StringSet<> defined;
  for (const onnx::ValueInfoProto &input : graph.input())
    defined.insert(input.name());
  for (const onnx::TensorProto &initializer : graph.initializer())
    defined.insert(initializer.name());
  for (const onnx::NodeProto &node : graph.node()) {
    for (const std::string &input : node.input())
      if (!input.empty() && !defined.contains(input))
        return input;
    for (const std::string &output : node.output())
      defined.insert(output);
  }
  for (const onnx::ValueInfoProto &output : graph.output())
    if (!defined.contains(output.name()))
      return output.name();
  return std::nullopt;
}

static LogicalResult checkOpset(const Reporter &report,
                                onnx::ModelProto &model) {
  // The training domain (Adagrad, Momentum, Adam) exists at version 1; a
  // model of its ops alone needs no default-domain opset.
  bool importsTraining = false;
  for (const onnx::OperatorSetIdProto &import : model.opset_import()) {
    if (import.domain() != kTrainingDomain)
      continue;
    if (import.version() != 1)
      return report.error(llvm::formatv(
          "the model imports version {0} of domain '{1}'; ddl supports "
          "version 1",
          import.version(), kTrainingDomain));
    importsTraining = true;
  }
  int64_t opset = defaultOpset(model);
  if (opset == 0 && importsTraining)
    return success();
  if (opset == 0)
    return report.error(model.opset_import().empty()
                            ? "the model imports no opset of the default ONNX "
                              "domain (opset_import is empty)"
                            : "the model imports no opset of the default ONNX "
                              "domain");
  if (opset > kMaxOpset)
    return report.error(llvm::formatv(
        "the model uses opset {0} of the default domain; ddl supports opsets "
        "{1} to {2}",
        opset, kMinOpset, kMaxOpset));
  if (opset >= kMinOpset)
    return success();
  // Older models go through ONNX's version converter, which dereferences
  // null on a graph that reads a value nothing defines (found by
  // test/fuzz/fuzz_onnx_import.cpp): refuse those first.
  if (std::optional<std::string> name = firstUndefinedValue(model.graph()))
    return report.error(llvm::formatv(
        "the model uses opset {0}, older than the supported {1} to {2}, and "
        "its graph reads '{3}', which no input, initializer or earlier node "
        "defines, so ONNX's version converter cannot upgrade it",
        opset, kMinOpset, kMaxOpset, *name));
  try {
    model = onnx::version_conversion::ConvertVersion(model, kMinOpset);
  } catch (const std::exception &e) {
    return report.error(llvm::formatv(
        "the model uses opset {0}, older than the supported {1} to {2}, and "
        "ONNX's version converter cannot upgrade it: {3}",
        opset, kMinOpset, kMaxOpset, e.what()));
  }
  return success();
}

//===----------------------------------------------------------------------===//
// External data
//===----------------------------------------------------------------------===//

/// Resolves an external-data location against the model's folder, refusing
/// anything that could read outside it: absolute paths, `..` components,
/// symbolic links anywhere on the way, and non-regular files.
static FailureOr<std::string> resolveExternalPath(const Reporter &report,
                                                  StringRef modelDir,
                                                  StringRef location,
                                                  StringRef tensorName) {
  auto refuse = [&](const Twine &why) {
    return report.error("external data of tensor '" + tensorName + "' at '" +
                        location + "' is refused: " + why);
  };
  if (location.empty())
    return refuse("the location is empty");
  if (llvm::sys::path::is_absolute(location))
    return refuse("absolute paths are not allowed; the file must be inside "
                  "the model's folder");
  SmallString<256> path(modelDir);
  for (auto it = llvm::sys::path::begin(location),
            end = llvm::sys::path::end(location);
       it != end; ++it) {
    if (*it == "..")
      return refuse("'..' is not allowed; the file must be inside the "
                    "model's folder");
    if (*it == ".")
      continue;
    llvm::sys::path::append(path, *it);
    struct stat info;
    if (::lstat(path.c_str(), &info) != 0)
      return refuse("the file does not exist");
    if (S_ISLNK(info.st_mode))
      return refuse("symbolic links are not followed");
  }
  struct stat info;
  if (::stat(path.c_str(), &info) != 0 || !S_ISREG(info.st_mode))
    return refuse("it is not a regular file");
  return std::string(path);
}

/// Reads `length` bytes at `offset` of `path` into `out`.
static LogicalResult readRange(const Reporter &report, const std::string &path,
                               uint64_t offset, std::optional<uint64_t> length,
                               StringRef tensorName, std::string &out) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return report.error("cannot open external data of tensor '" + tensorName +
                        "': " + std::strerror(errno));
  struct stat info;
  if (::fstat(fd, &info) != 0) {
    ::close(fd);
    return report.error("cannot read external data of tensor '" + tensorName +
                        "': " + std::strerror(errno));
  }
  uint64_t size = info.st_size;
  if (offset > size || (length && *length > size - offset)) {
    ::close(fd);
    return report.error(llvm::formatv(
        "external data of tensor '{0}' asks for bytes [{1}, {2}) of '{3}', "
        "which has {4} bytes",
        tensorName, offset, length ? offset + *length : size, path, size));
  }
  uint64_t n = length ? *length : size - offset;
  out.resize(n);
  uint64_t done = 0;
  while (done < n) {
    ssize_t got = ::pread(fd, out.data() + done, n - done, offset + done);
    if (got <= 0) {
      ::close(fd);
      return report.error("cannot read external data of tensor '" + tensorName +
                          "'");
    }
    done += got;
  }
  ::close(fd);
  return success();
}

static LogicalResult inlineExternalTensor(const Reporter &report,
                                          StringRef modelDir,
                                          onnx::TensorProto &tensor) {
  if (tensor.data_location() != onnx::TensorProto::EXTERNAL)
    return success();
  // A model read from memory has no folder to resolve locations against.
  if (modelDir.empty())
    return report.error("tensor '" + tensor.name() +
                        "' keeps its data in an external file; a model "
                        "with external data must be imported from its file");
  std::string location;
  uint64_t offset = 0;
  std::optional<uint64_t> length;
  for (const onnx::StringStringEntryProto &entry : tensor.external_data()) {
    if (entry.key() == "location") {
      location = entry.value();
      continue;
    }
    if (entry.key() != "offset" && entry.key() != "length")
      continue;
    uint64_t value;
    if (!llvm::to_integer(entry.value(), value, 10))
      return report.error("external data of tensor '" + tensor.name() +
                          "' has a malformed " + entry.key() + ": '" +
                          entry.value() + "'");
    if (entry.key() == "offset")
      offset = value;
    else
      length = value;
  }
  FailureOr<std::string> path =
      resolveExternalPath(report, modelDir, location, tensor.name());
  if (failed(path))
    return failure();
  if (failed(readRange(report, *path, offset, length, tensor.name(),
                       *tensor.mutable_raw_data())))
    return failure();
  tensor.clear_external_data();
  tensor.set_data_location(onnx::TensorProto::DEFAULT);
  return success();
}

static LogicalResult inlineExternalData(const Reporter &report,
                                        StringRef modelDir,
                                        onnx::GraphProto &graph) {
  for (onnx::TensorProto &tensor : *graph.mutable_initializer())
    if (failed(inlineExternalTensor(report, modelDir, tensor)))
      return failure();
  for (onnx::NodeProto &node : *graph.mutable_node()) {
    for (onnx::AttributeProto &attr : *node.mutable_attribute()) {
      if (attr.has_t() &&
          failed(inlineExternalTensor(report, modelDir, *attr.mutable_t())))
        return failure();
      if (attr.has_g() &&
          failed(inlineExternalData(report, modelDir, *attr.mutable_g())))
        return failure();
      for (onnx::GraphProto &g : *attr.mutable_graphs())
        if (failed(inlineExternalData(report, modelDir, g)))
          return failure();
    }
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Entry point
//===----------------------------------------------------------------------===//

LogicalResult readModel(MLIRContext &context, StringRef path,
                        onnx::ModelProto &model) {
  Reporter report(context, path);
  try {
    if (failed(parseModel(report, path, model)) ||
        failed(checkOpset(report, model)))
      return failure();
    SmallString<256> dir(path);
    llvm::sys::path::remove_filename(dir);
    if (dir.empty())
      dir = ".";
    return inlineExternalData(report, dir, *model.mutable_graph());
  } catch (const std::exception &e) {
    return report.error(llvm::formatv("cannot read the model: {0}", e.what()));
  }
}

LogicalResult readModelBuffer(MLIRContext &context, StringRef bytes,
                              StringRef name, onnx::ModelProto &model) {
  Reporter report(context, name);
  try {
    // protobuf takes an int size.
    if (bytes.size() > static_cast<size_t>(INT_MAX))
      return report.error("the model is over 2 GiB; keep its weights in "
                          "external data and import it from its file");
    google::protobuf::io::ArrayInputStream stream(
        bytes.data(), static_cast<int>(bytes.size()));
    bool parsed = parseModelProto(stream, model);
    if (failed(checkParsed(report, parsed, "buffer", model)) ||
        failed(checkOpset(report, model)))
      return failure();
    return inlineExternalData(report, /*modelDir=*/"", *model.mutable_graph());
  } catch (const std::exception &e) {
    return report.error(llvm::formatv("cannot read the model: {0}", e.what()));
  }
}

namespace {

/// The model as libonnx (ONNX 1.12) can judge it, while this lives. Its
/// checker and shape inference know opsets up to 17 and IR versions up to
/// 8, and judge a node of a newer opset by the op's opset-17 schema, which
/// is wrong for the ops that changed since (ReduceMax-18 with an axes input
/// fails the check; its inferred shape would be that of reducing every
/// axis). So the default opset is lowered to 17, the IR version to 8 (later
/// IR versions only add element types ddl does not import), and every node
/// whose op changed past opset 17 in its inputs, outputs or attributes
/// (OpVersions.h; a Cast without the new `saturate` is still Cast-13)
/// moves to a domain of its own: the checker then checks only its
/// attributes and subgraphs, shape inference leaves its outputs to ddl.
/// Everything is put back on destruction.
class LibOnnxView {
public:
  explicit LibOnnxView(onnx::ModelProto &model) : model(model) {
    irVersion = model.ir_version();
    if (irVersion > onnx::IR_VERSION)
      model.set_ir_version(onnx::IR_VERSION);
    opset = defaultOpset(model);
    if (opset <= kLibOnnxOpset)
      return;
    for (onnx::OperatorSetIdProto &import : *model.mutable_opset_import())
      if (isDefaultDomain(import.domain()))
        import.set_version(kLibOnnxOpset);
    onnx::OperatorSetIdProto *own = model.add_opset_import();
    own->set_domain(kHiddenDomain.str());
    own->set_version(1);
    hide(*model.mutable_graph());
  }
  ~LibOnnxView() {
    model.set_ir_version(irVersion);
    if (opset <= kLibOnnxOpset)
      return;
    for (auto &[node, domain] : hidden)
      node->set_domain(domain);
    model.mutable_opset_import()->RemoveLast();
    for (onnx::OperatorSetIdProto &import : *model.mutable_opset_import())
      if (isDefaultDomain(import.domain()))
        import.set_version(opset);
  }

private:
  static constexpr llvm::StringLiteral kHiddenDomain =
      "ddl.op-newer-than-onnx-1.12";

  void hide(onnx::GraphProto &graph) {
    for (onnx::NodeProto &node : *graph.mutable_node()) {
      auto hasAttribute = [&](StringRef name) {
        return llvm::any_of(node.attribute(),
                            [&](const onnx::AttributeProto &attr) {
                              return attr.name() == name;
                            });
      };
      if (isDefaultDomain(node.domain()) &&
          !libOnnxSchemaApplies(node.op_type(), opset, hasAttribute)) {
        hidden.emplace_back(&node, node.domain());
        node.set_domain(kHiddenDomain.str());
      }
      for (onnx::AttributeProto &attr : *node.mutable_attribute()) {
        if (attr.has_g())
          hide(*attr.mutable_g());
        for (onnx::GraphProto &g : *attr.mutable_graphs())
          hide(g);
      }
    }
  }

  onnx::ModelProto &model;
  int64_t irVersion;
  int64_t opset;
  std::vector<std::pair<onnx::NodeProto *, std::string>> hidden;
};

} // namespace

LogicalResult validateModel(MLIRContext &context, StringRef path,
                            const ImportOptions &options,
                            onnx::ModelProto &model) {
  Reporter report(context, path);
  int64_t opset = defaultOpset(model);
  // Past opset 17 libonnx speaks of domain_version 17: say why.
  std::string judged =
      opset > kLibOnnxOpset
          ? llvm::formatv(" (ONNX 1.12's checker judges the nodes of this "
                          "opset-{0} model by the opset-17 schemas that still "
                          "describe them)",
                          opset)
                .str()
          : "";
  LibOnnxView view(model);
  if (options.check) {
    try {
      onnx::checker::check_model(model);
    } catch (const std::exception &e) {
      return report.error(llvm::formatv(
          "the ONNX checker rejects the model: {0}{1}", e.what(), judged));
    }
  }
  // libonnx's shape inference divides by a window op's strides and
  // dilations unchecked: a 0 there would kill the process (SIGFPE), so
  // such a model stops here with a diagnostic.
  std::string badWindow;
  std::function<void(const onnx::GraphProto &)> findBadWindow =
      [&](const onnx::GraphProto &graph) {
        for (const onnx::NodeProto &node : graph.node()) {
          static const llvm::StringSet<> windowOps = {
              "Conv",       "ConvInteger", "QLinearConv", "ConvTranspose",
              "MaxPool",    "AveragePool", "LpPool",      "MaxUnpool",
              "DeformConv", "Col2Im"};
          for (const onnx::AttributeProto &attr : node.attribute()) {
            if (attr.has_g())
              findBadWindow(attr.g());
            for (const onnx::GraphProto &g : attr.graphs())
              findBadWindow(g);
            if (!badWindow.empty() || !windowOps.contains(node.op_type()) ||
                (attr.name() != "strides" && attr.name() != "dilations"))
              continue;
            for (int64_t v : attr.ints())
              if (v < 1) {
                badWindow = llvm::formatv(
                    "node '{0}' ({1}): attribute '{2}' has an entry {3}; "
                    "every entry must be >= 1",
                    node.name(), node.op_type(), attr.name(), v);
                break;
              }
          }
        }
      };
  findBadWindow(model.graph());
  if (!badWindow.empty())
    return report.error(badWindow);
  if (options.shapeInference) {
    try {
      onnx::ShapeInferenceOptions inference(/*check_type_val=*/false,
                                            /*strict_mode_val=*/0,
                                            /*data_prop_val=*/true);
      onnx::shape_inference::InferShapes(
          model, onnx::OpSchemaRegistry::Instance(), inference);
    } catch (const std::exception &e) {
      // Declared shapes still let the import go on; ddl infers its own.
      report.warning(llvm::formatv(
          "ONNX shape inference failed, importing with the declared shapes "
          "only: {0}",
          e.what()));
    }
  }
  return success();
}

} // namespace ddl::onnx_import
