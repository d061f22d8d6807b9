//===- NNBase.td - graph dialect: dialect, attributes, op bases -*- tablegen -*-===//
//
// The `nn` dialect is ddl's framework-neutral graph-level tensor dialect:
// the ONNX and PyTorch frontends both import into it, graph passes rewrite
// it, and lowering turns it into linalg/tensor/arith/math.
//
//===----------------------------------------------------------------------===//

#ifndef DDL_DIALECTS_NN_NNBASE_TD
#define DDL_DIALECTS_NN_NNBASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"
include "mlir/IR/TensorEncoding.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "dialects/nn/ShapeChecksInterface.td"

def NN_Dialect : Dialect {
  let name = "nn";
  let cppNamespace = "::ddl::nn";
  let summary = "framework-neutral graph-level tensor dialect";
  let description = [{
    Operations on ranked tensors with numpy-style semantics, close to ONNX
    and to `torch.nn` so that both frontends import one op per source op.

    Design points:

    * **Ranked tensors, dynamic dims first-class.** Every operand and result
      is a ranked tensor; a dimension may be dynamic (`?`). A dynamic
      dimension may carry a *symbol* through the `#nn.dims` tensor encoding,
      e.g. `tensor<?x?x768xf32, #nn.dims<batch, seq, 768>>`. Two dimensions
      with the same symbol are known to be equal; type inference propagates
      symbols through every op, so `batch` in two inputs stays `batch` in
      the outputs.
    * **One shape function per op.** Each op states how its result shapes
      follow from its operands once, in C++ against `ShapeBuilder`; the same
      function infers result types (`InferTypeOpInterface`) and reifies
      result shapes as IR (`ReifyRankedShapedTypeOpInterface`), so dynamic
      shapes lower without special cases.
    * **Refinable result types.** A written result type may be more precise
      than the inferred one (a static size or a symbol where inference only
      knows `?`), never contradict it. `nn-infer-shapes` refines results to
      what inference proves.
    * **Shape-like arguments are operands** (reshape's shape, slice's bounds,
      pad's pads, ...), as in ONNX, so shapes computed at run time work;
      when they are constants, inference and canonicalization use them.
  }];
  let useDefaultAttributePrinterParser = 1;
  let useDefaultTypePrinterParser = 1;
  let hasConstantMaterializer = 1;
  let dependentDialects = [
    // Shape reification emits tensor.dim / tensor.extract and arith on index.
    "::mlir::tensor::TensorDialect",
    "::mlir::arith::ArithDialect"
  ];
  let extraClassDeclaration = [{
  private:
    void registerAttributes();
    void registerTypes();
    void registerOps();
  public:
  }];
}

//===----------------------------------------------------------------------===//
// Attributes
//===----------------------------------------------------------------------===//

class NN_Attr<string name, string attrMnemonic, list<Trait> traits = []>
    : AttrDef<NN_Dialect, name, traits> {
  let mnemonic = attrMnemonic;
}

def NN_DimsAttr : NN_Attr<"Dims", "dims",
    [DeclareAttrInterfaceMethods<VerifiableTensorEncoding>]> {
  let summary = "symbolic dimension names of a ranked tensor";
  let description = [{
    A tensor encoding that names dynamic dimensions:
    `tensor<?x?x768xf32, #nn.dims<batch, seq, 768>>`. There is one entry per
    dimension: a symbol (an identifier or a quoted string) for a dynamic
    dimension with a name, `?` for a dynamic dimension without one, and the
    size for a static dimension (it must equal the tensor's size).

    Equal symbols mean equal sizes, everywhere in a function: that is what
    lets later stages prove that two dynamic dimensions match (an
    elementwise add of two `batch`-sized tensors needs no broadcast check)
    and what the compiled model's descriptor reports to its users. A tensor
    whose dynamic dimensions have no names carries no encoding at all, so
    there is one spelling for every type.
  }];
  let parameters = (ins
    ArrayRefParameter<"int64_t", "dimension sizes (kDynamic for ?)">:$sizes,
    ArrayRefParameter<"::mlir::StringAttr", "symbol per dimension, empty when none">:$symbols
  );
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// The symbol of dimension `dim`, or a null attribute when it has none.
    ::mlir::StringAttr getSymbol(unsigned dim) const;
  }];
}

//===----------------------------------------------------------------------===//
// Enumerations
//===----------------------------------------------------------------------===//

class NN_Enum<string name, string summary, list<I32EnumAttrCase> cases>
    : I32EnumAttr<name, summary, cases> {
  let cppNamespace = "::ddl::nn";
  let genSpecializedAttr = 0;
}

class NN_EnumAttr<EnumAttrInfo info, string mnemonic>
    : EnumAttr<NN_Dialect, info, mnemonic> {
  let assemblyFormat = "`<` $value `>`";
}

def NN_ReduceKind : NN_Enum<"ReduceKind", "reduction kind", [
  I32EnumAttrCase<"Sum", 0, "sum">,
  I32EnumAttrCase<"Mean", 1, "mean">,
  I32EnumAttrCase<"Max", 2, "max">,
  I32EnumAttrCase<"Min", 3, "min">,
  I32EnumAttrCase<"Prod", 4, "prod">,
  I32EnumAttrCase<"L1", 5, "l1">,
  I32EnumAttrCase<"L2", 6, "l2">,
  I32EnumAttrCase<"LogSum", 7, "log_sum">,
  I32EnumAttrCase<"LogSumExp", 8, "log_sum_exp">,
  I32EnumAttrCase<"SumSquare", 9, "sum_square">
]>;
def NN_ReduceKindAttr : NN_EnumAttr<NN_ReduceKind, "reduce_kind">;

def NN_AutoPad : NN_Enum<"AutoPad", "automatic padding of windowed ops", [
  I32EnumAttrCase<"NotSet", 0, "notset">,
  I32EnumAttrCase<"SameUpper", 1, "same_upper">,
  I32EnumAttrCase<"SameLower", 2, "same_lower">,
  I32EnumAttrCase<"Valid", 3, "valid">
]>;
def NN_AutoPadAttr : NN_EnumAttr<NN_AutoPad, "auto_pad">;

def NN_PadMode : NN_Enum<"PadMode", "padding mode", [
  I32EnumAttrCase<"Constant", 0, "constant">,
  I32EnumAttrCase<"Reflect", 1, "reflect">,
  I32EnumAttrCase<"Edge", 2, "edge">,
  I32EnumAttrCase<"Wrap", 3, "wrap">
]>;
def NN_PadModeAttr : NN_EnumAttr<NN_PadMode, "pad_mode">;

def NN_ScatterReduction : NN_Enum<"ScatterReduction", "how scatter combines updates", [
  I32EnumAttrCase<"None", 0, "none">,
  I32EnumAttrCase<"Add", 1, "add">,
  I32EnumAttrCase<"Mul", 2, "mul">,
  I32EnumAttrCase<"Max", 3, "max">,
  I32EnumAttrCase<"Min", 4, "min">
]>;
def NN_ScatterReductionAttr : NN_EnumAttr<NN_ScatterReduction, "scatter_reduction">;

def NN_RandomDistribution : NN_Enum<"RandomDistribution",
    "the distribution nn.random draws from", [
  I32EnumAttrCase<"Uniform", 0, "uniform">,
  I32EnumAttrCase<"Normal", 1, "normal">
]>;
def NN_RandomDistributionAttr
    : NN_EnumAttr<NN_RandomDistribution, "random_distribution">;

def NN_ResizeMode : NN_Enum<"ResizeMode", "resize interpolation", [
  I32EnumAttrCase<"Nearest", 0, "nearest">,
  I32EnumAttrCase<"Linear", 1, "linear">,
  I32EnumAttrCase<"Cubic", 2, "cubic">
]>;
def NN_ResizeModeAttr : NN_EnumAttr<NN_ResizeMode, "resize_mode">;

def NN_CoordinateTransform : NN_Enum<"CoordinateTransform",
    "how resize maps output coordinates to input coordinates", [
  I32EnumAttrCase<"HalfPixel", 0, "half_pixel">,
  I32EnumAttrCase<"HalfPixelSymmetric", 1, "half_pixel_symmetric">,
  I32EnumAttrCase<"PytorchHalfPixel", 2, "pytorch_half_pixel">,
  I32EnumAttrCase<"AlignCorners", 3, "align_corners">,
  I32EnumAttrCase<"Asymmetric", 4, "asymmetric">,
  I32EnumAttrCase<"TfCropAndResize", 5, "tf_crop_and_resize">,
  // ONNX opsets 11-12: (x + 0.5) / scale, TensorFlow's nearest-neighbour
  // half-pixel centres.
  I32EnumAttrCase<"TfHalfPixelForNN", 6, "tf_half_pixel_for_nn">
]>;
def NN_CoordinateTransformAttr
    : NN_EnumAttr<NN_CoordinateTransform, "coordinate_transform">;

def NN_NearestRounding : NN_Enum<"NearestRounding",
    "rounding of nearest-neighbour resize", [
  I32EnumAttrCase<"RoundPreferFloor", 0, "round_prefer_floor">,
  I32EnumAttrCase<"RoundPreferCeil", 1, "round_prefer_ceil">,
  I32EnumAttrCase<"Floor", 2, "floor">,
  I32EnumAttrCase<"Ceil", 3, "ceil">
]>;
def NN_NearestRoundingAttr : NN_EnumAttr<NN_NearestRounding, "nearest_rounding">;

def NN_GridSampleMode : NN_Enum<"GridSampleMode",
    "grid_sample interpolation", [
  I32EnumAttrCase<"Bilinear", 0, "bilinear">,
  I32EnumAttrCase<"Nearest", 1, "nearest">,
  I32EnumAttrCase<"Bicubic", 2, "bicubic">
]>;
def NN_GridSampleModeAttr : NN_EnumAttr<NN_GridSampleMode, "grid_sample_mode">;

def NN_GridSamplePadding : NN_Enum<"GridSamplePadding",
    "what grid_sample reads outside its input", [
  I32EnumAttrCase<"Zeros", 0, "zeros">,
  I32EnumAttrCase<"Border", 1, "border">,
  I32EnumAttrCase<"Reflection", 2, "reflection">
]>;
def NN_GridSamplePaddingAttr
    : NN_EnumAttr<NN_GridSamplePadding, "grid_sample_padding">;

def NN_RoiAlignMode : NN_Enum<"RoiAlignMode",
    "how roi_align pools a bin's samples", [
  I32EnumAttrCase<"Avg", 0, "avg">,
  I32EnumAttrCase<"Max", 1, "max">
]>;
def NN_RoiAlignModeAttr : NN_EnumAttr<NN_RoiAlignMode, "roi_align_mode">;

def NN_GeluApproximation : NN_Enum<"GeluApproximation", "GELU formula", [
  I32EnumAttrCase<"None", 0, "none">,
  I32EnumAttrCase<"Tanh", 1, "tanh">
]>;
def NN_GeluApproximationAttr : NN_EnumAttr<NN_GeluApproximation, "gelu_approximation">;

def NN_ShiftDirection : NN_Enum<"ShiftDirection", "bit shift direction", [
  I32EnumAttrCase<"Left", 0, "left">,
  I32EnumAttrCase<"Right", 1, "right">
]>;
def NN_ShiftDirectionAttr : NN_EnumAttr<NN_ShiftDirection, "shift_direction">;

//===----------------------------------------------------------------------===//
// Types
//===----------------------------------------------------------------------===//

class NN_Type<string name, string typeMnemonic> : TypeDef<NN_Dialect, name> {
  let mnemonic = typeMnemonic;
}

def NN_SequenceType : NN_Type<"Sequence", "seq"> {
  let summary = "an ordered list of tensors of one element type";
  let description = [{
    ONNX's `seq(tensor(T))`: any number of tensors with one element type.
    The parameter is what every element is known to be: a ranked tensor
    type (elements may still differ in their dynamic sizes), or an unranked
    one when even the rank is unknown (`SequenceEmpty` before the first
    insertion). Values are immutable: inserting or erasing makes a new
    sequence.

    `nn-expand-sequences` replaces each sequence by two tensors before
    lowering: its element sizes, `tensor<? x rank x i64>` (one row per
    element), and its elements' data, row-major, one after another,
    `tensor<? x T>`. Graph inputs and outputs that are sequences cross the
    model ABI in that form (see runtime/include/ddl_model_abi.h).

    ```mlir
    !nn.seq<tensor<?x3xf32>>
    ```
  }];
  let parameters = (ins "::mlir::TensorType":$elementType);
  let assemblyFormat = "`<` $elementType `>`";
  let genVerifyDecl = 1;
}

def NN_OptionalType : NN_Type<"Optional", "optional"> {
  let summary = "a tensor or sequence that may be absent";
  let description = [{
    ONNX's `optional(T)`. `nn-expand-sequences` replaces it by a boolean
    scalar saying whether the value is present, followed by the value's
    own form (an absent tensor is empty, an absent sequence has no
    elements).

    ```mlir
    !nn.optional<tensor<4xf32>>
    !nn.optional<!nn.seq<tensor<?xi64>>>
    ```
  }];
  let parameters = (ins "::mlir::Type":$valueType);
  let assemblyFormat = "`<` $valueType `>`";
  let genVerifyDecl = 1;
}

def NN_StringType : NN_Type<"String", "string"> {
  let summary = "a string: the element type of ONNX's string tensors";
  let description = [{
    A sequence of bytes (UTF-8 in practice), as an element type:
    `tensor<3x!nn.string>`. `nn-expand-sequences` replaces a string tensor
    by its strings' lengths (`tensor<shape x i64>`) and their bytes one
    after another (`tensor<? x i8>`); only `nn.identity`, `nn.constant`,
    `nn.cast` (to and from numbers) and `nn.string_normalize` take them.
  }];
}

//===----------------------------------------------------------------------===//
// Type constraints
//===----------------------------------------------------------------------===//

def NN_Tensor : RankedTensorOf<[AnyType]>;
def NN_FloatTensor : RankedTensorOf<[AnyFloat]>;
def NN_IntTensor : RankedTensorOf<[AnyInteger]>;
def NN_BoolTensor : RankedTensorOf<[I1]>;
def NN_NumericTensor : RankedTensorOf<[AnyFloat, AnyInteger]>;
def NN_IndexTensor : RankedTensorOf<[I64, I32]>;
def NN_I64Tensor : RankedTensorOf<[I64]>;
def NN_StringTensor : RankedTensorOf<[NN_StringType]>;
// What region ops and optionals carry: a tensor, a sequence or an optional.
def NN_Value : AnyTypeOf<[NN_Tensor, NN_SequenceType, NN_OptionalType]>;

//===----------------------------------------------------------------------===//
// Operation bases
//===----------------------------------------------------------------------===//

class NN_Op<string mnemonic, list<Trait> traits = []>
    : Op<NN_Dialect, mnemonic, traits>;

// An op whose result types and result shapes come from one shape function,
// `inferShapes`, written in C++ against ShapeBuilder (see ShapeBuilder.h).
// The function runs in two modes: statically, to infer and verify result
// types (errors it reports become verifier errors), and over IR, to reify
// dynamic result shapes for lowering.
class NN_ShapedOp<string mnemonic, list<Trait> traits = []>
    : NN_Op<mnemonic, traits # [
        InferTypeOpAdaptorWithIsCompatible,
        DeclareOpInterfaceMethods<ReifyRankedShapedTypeOpInterface, ["reifyResultShapes"]>,
        DeclareOpInterfaceMethods<NN_ShapeChecksOpInterface>]> {
  code shapeFunctionDeclaration = [{
    /// This op's shape function: see dialects/nn/ShapeBuilder.h.
    static ::llvm::LogicalResult inferShapes(Adaptor adaptor,
        ::ddl::nn::ShapeBuilder &b,
        ::llvm::SmallVectorImpl<::ddl::nn::ResultShape> &results);
  }];
  code shapeFunctionDefinition = [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(
        ::mlir::MLIRContext *context, std::optional<::mlir::Location> location,
        Adaptor adaptor, ::llvm::SmallVectorImpl<::mlir::Type> &inferred) {
      return ::ddl::nn::inferTypesWithShapeFunction<$cppClass>(
          context, location, adaptor, inferred);
    }
    bool $cppClass::isCompatibleReturnTypes(::mlir::TypeRange inferred,
                                            ::mlir::TypeRange actual) {
      return ::ddl::nn::areRefinementsOf(inferred, actual);
    }
    ::llvm::LogicalResult $cppClass::reifyResultShapes(::mlir::OpBuilder &builder,
        ::mlir::ReifiedRankedShapedTypeDims &reified) {
      return ::ddl::nn::reifyWithShapeFunction(*this, builder, reified);
    }
    ::llvm::LogicalResult $cppClass::emitShapeChecks(::mlir::OpBuilder &builder) {
      return ::ddl::nn::checkWithShapeFunction(*this, builder);
    }
  }];
  let extraClassDeclaration = shapeFunctionDeclaration;
  let extraClassDefinition = shapeFunctionDefinition;
}

#endif // DDL_DIALECTS_NN_NNBASE_TD
