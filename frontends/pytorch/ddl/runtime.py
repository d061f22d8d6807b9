"""ctypes binding of ddl's C runtime (runtime/include/ddl_runtime.h): loads
a compiled model (.so) and runs it on torch tensors.

CPU models: inputs are passed without copies when they are contiguous CPU
tensors of the model's dtype (the runtime borrows their memory for the
call); outputs are the buffers the model allocated, handed to torch without
a copy and freed when the last tensor viewing them dies.

CUDA models (`ddlc --target=cuda`, opened with a torch.device): inputs are
CUDA tensors of that device, passed as device pointers (no copy); the run
leaves its outputs on the device (ddl_model_run_on_device), and torch
gets each through DLPack without a copy (the ddl tensor is destroyed with
torch's tensor; bool outputs, which older torch cannot import, are copied). The run goes
on torch's current stream (ddl_model_set_stream), so it is ordered after
the work torch queued there without the host waiting for that work first,
and it is stream-ordered (ddl_model_set_stream_ordered), as torch's own
operators are: the call returns once its work is queued, the outputs are
ready in that stream's order, and they are freed in that order when torch
frees them (use Tensor.record_stream before using one on another stream,
as for any tensor torch allocated).
"""

import ctypes
import threading

import torch
import torch.utils.dlpack

from ._tools import runtime_library_path
from .errors import RuntimeCallError, UnsupportedDtypeError

# ddl_dtype (runtime/include/ddl_model_abi.h) <-> torch.dtype.
DTYPE_TO_TORCH = {
    1: torch.float32,
    2: torch.uint8,
    3: torch.int8,
    5: torch.int16,
    6: torch.int32,
    7: torch.int64,
    9: torch.bool,
    10: torch.float16,
    11: torch.float64,
    16: torch.bfloat16,
}
TORCH_TO_DTYPE = {v: k for k, v in DTYPE_TO_TORCH.items()}

_c_int64_p = ctypes.POINTER(ctypes.c_int64)


class _TensorInfo(ctypes.Structure):
    _fields_ = [
        ("name", ctypes.c_char_p),
        ("dtype", ctypes.c_int32),
        ("rank", ctypes.c_int32),
        ("dims", _c_int64_p),
        ("dim_names", ctypes.POINTER(ctypes.c_char_p)),
        ("kind", ctypes.c_int32),  # ddl_io_kind (ABI version 5)
    ]


_lib = None
_lib_lock = threading.Lock()


def _library():
    global _lib
    with _lib_lock:
        if _lib is not None:
            return _lib
        lib = ctypes.CDLL(str(runtime_library_path()))
        vp, sz = ctypes.c_void_p, ctypes.c_size_t
        sigs = {
            "ddl_last_error": (ctypes.c_char_p, []),
            "ddl_status_name": (ctypes.c_char_p, [ctypes.c_int]),
            "ddl_runtime_create": (ctypes.c_int, [ctypes.c_int, ctypes.POINTER(vp)]),
            "ddl_runtime_destroy": (None, [vp]),
            "ddl_model_open": (ctypes.c_int, [vp, ctypes.c_char_p, ctypes.POINTER(vp)]),
            "ddl_model_open_device": (ctypes.c_int, [vp, ctypes.c_char_p, ctypes.c_int, ctypes.POINTER(vp)]),
            "ddl_model_device_kind": (ctypes.c_int32, [vp]),
            "ddl_model_device_arch": (ctypes.c_char_p, [vp]),
            "ddl_model_close": (None, [vp]),
            "ddl_model_set_stream": (ctypes.c_int, [vp, vp]),
            "ddl_model_set_stream_ordered": (ctypes.c_int, [vp, ctypes.c_int]),
            "ddl_model_enable_graph": (ctypes.c_int, [vp, ctypes.c_int]),
            "ddl_model_graph_stats": (
                ctypes.c_int,
                [vp, ctypes.POINTER(ctypes.c_int64), ctypes.POINTER(ctypes.c_int64), ctypes.POINTER(ctypes.c_char_p)],
            ),
            "ddl_model_num_inputs": (sz, [vp]),
            "ddl_model_num_outputs": (sz, [vp]),
            "ddl_model_input_info": (ctypes.POINTER(_TensorInfo), [vp, sz]),
            "ddl_model_output_info": (ctypes.POINTER(_TensorInfo), [vp, sz]),
            "ddl_model_run": (ctypes.c_int, [vp, ctypes.POINTER(vp), sz, ctypes.POINTER(vp), sz]),
            "ddl_model_run_on_device": (ctypes.c_int, [vp, ctypes.POINTER(vp), sz, ctypes.POINTER(vp), sz]),
            "ddl_tensor_wrap": (
                ctypes.c_int,
                [ctypes.c_int32, ctypes.c_int32, _c_int64_p, vp, ctypes.POINTER(vp)],
            ),
            "ddl_tensor_wrap_device": (
                ctypes.c_int,
                [ctypes.c_int32, ctypes.c_int32, _c_int64_p, vp, ctypes.c_int32, ctypes.c_int, ctypes.POINTER(vp)],
            ),
            "ddl_tensor_copy_to_device_buffer": (ctypes.c_int, [vp, vp, sz]),
            "ddl_tensor_create": (ctypes.c_int, [ctypes.c_int32, ctypes.c_int32, _c_int64_p, ctypes.POINTER(vp)]),
            "ddl_tensor_device_kind": (ctypes.c_int32, [vp]),
            "ddl_tensor_destroy": (None, [vp]),
            "ddl_tensor_dtype": (ctypes.c_int32, [vp]),
            "ddl_tensor_rank": (ctypes.c_int32, [vp]),
            "ddl_tensor_dims": (_c_int64_p, [vp]),
            "ddl_tensor_data": (vp, [vp]),
            "ddl_tensor_byte_size": (sz, [vp]),
        }
        for name, (restype, argtypes) in sigs.items():
            fn = getattr(lib, name)
            fn.restype, fn.argtypes = restype, argtypes
        _lib = lib
        return lib


def _check(status, what):
    if status != 0:
        lib = _library()
        raise RuntimeCallError(
            f"{what}: {lib.ddl_status_name(status).decode()}: {lib.ddl_last_error().decode()}"
        )


class Runtime:
    """A thread pool that models run on (`num_threads` in all, the caller
    included; 0 means one per online CPU)."""

    def __init__(self, num_threads=0):
        self._lib = _library()
        handle = ctypes.c_void_p()
        _check(self._lib.ddl_runtime_create(num_threads, ctypes.byref(handle)), "cannot create the runtime")
        self._handle = handle

    def __del__(self):
        if getattr(self, "_handle", None):
            self._lib.ddl_runtime_destroy(self._handle)
            self._handle = None


_default_runtime = None
_default_runtime_lock = threading.Lock()


def default_runtime():
    """The process-wide runtime that models use unless given another."""
    global _default_runtime
    with _default_runtime_lock:
        if _default_runtime is None:
            _default_runtime = Runtime(0)
        return _default_runtime


# DLPack (dlpack.h, v0.8 ABI) as ctypes: a device output handed to torch
# without a copy. torch calls the deleter when its tensor is freed.
class _DLDevice(ctypes.Structure):
    _fields_ = [("device_type", ctypes.c_int32), ("device_id", ctypes.c_int32)]


class _DLDataType(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint8), ("bits", ctypes.c_uint8), ("lanes", ctypes.c_uint16)]


class _DLTensor(ctypes.Structure):
    _fields_ = [
        ("data", ctypes.c_void_p),
        ("device", _DLDevice),
        ("ndim", ctypes.c_int32),
        ("dtype", _DLDataType),
        ("shape", _c_int64_p),
        ("strides", _c_int64_p),
        ("byte_offset", ctypes.c_uint64),
    ]


class _DLManagedTensor(ctypes.Structure):
    pass


_DLDeleter = ctypes.CFUNCTYPE(None, ctypes.POINTER(_DLManagedTensor))
_DLManagedTensor._fields_ = [
    ("dl_tensor", _DLTensor),
    ("manager_ctx", ctypes.c_void_p),
    ("deleter", _DLDeleter),
]
_DL_CPU, _DL_CUDA = 1, 2
# torch dtype -> DLPack (type code: 0 int, 1 uint, 2 float, 4 bfloat; bits).
# Not bool: older torch reads no DLPack bool (those outputs are copied).
_DL_TYPES = {
    torch.float32: (2, 32), torch.float16: (2, 16), torch.float64: (2, 64), torch.bfloat16: (4, 16),
    torch.int8: (0, 8), torch.int16: (0, 16), torch.int32: (0, 32), torch.int64: (0, 64),
    torch.uint8: (1, 8),
}
# Exported tensors alive in torch, by the address of their DLManagedTensor:
# (the struct, its shape array, the ddl tensor, the runtime library).
_exported = {}
_exported_lock = threading.Lock()


@_DLDeleter
def _dl_deleter(managed):
    with _exported_lock:
        entry = _exported.pop(ctypes.addressof(managed.contents), None)
    if entry is not None:
        entry[3].ddl_tensor_destroy(entry[2])


_PyCapsule_New = ctypes.pythonapi.PyCapsule_New
_PyCapsule_New.restype = ctypes.py_object
_PyCapsule_New.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p]


def _export_tensor(lib, handle, device=None):
    """torch tensor viewing ddl tensor `handle`, which it owns (destroyed
    with the view): a device tensor of CUDA `device`, or a host tensor."""
    dtype = DTYPE_TO_TORCH[lib.ddl_tensor_dtype(handle)]
    rank = lib.ddl_tensor_rank(handle)
    dims = lib.ddl_tensor_dims(handle)
    shape = (ctypes.c_int64 * max(1, rank))(*[dims[d] for d in range(rank)])
    code, bits = _DL_TYPES[dtype]
    managed = _DLManagedTensor()
    managed.dl_tensor = _DLTensor(
        ctypes.c_void_p(lib.ddl_tensor_data(handle)),
        _DLDevice(_DL_CUDA, device.index) if device is not None else _DLDevice(_DL_CPU, 0), rank,
        _DLDataType(code, bits, 1), ctypes.cast(shape, _c_int64_p), None, 0,
    )
    managed.deleter = _dl_deleter
    with _exported_lock:
        _exported[ctypes.addressof(managed)] = (managed, shape, handle, lib)
    try:
        return torch.utils.dlpack.from_dlpack(_PyCapsule_New(ctypes.addressof(managed), b"dltensor", None))
    except BaseException:
        with _exported_lock:
            _exported.pop(ctypes.addressof(managed), None)
        raise


class _OwnedBuffer:
    """Frees a model output (a ddl_tensor the runtime gave us) once torch
    no longer views its memory."""

    def __init__(self, lib, tensor):
        self._lib, self._tensor = lib, tensor

    def __del__(self):
        self._lib.ddl_tensor_destroy(self._tensor)


def _info(ptr):
    info = ptr.contents
    dims = []
    for i in range(info.rank):
        d = info.dims[i]
        name = info.dim_names[i] if info.dim_names else None
        dims.append(name.decode() if d < 0 and name else (None if d < 0 else d))
    dtype = DTYPE_TO_TORCH.get(info.dtype)
    return (info.name.decode() if info.name else ""), dtype, dims


# ddl_device_kind (runtime/include/ddl_model_abi.h).
DEVICE_CPU, DEVICE_CUDA = 0, 1


class Model:
    """A compiled model loaded from its shared object. `device` (a
    torch.device) opens a CUDA model on that GPU; None means a CPU model."""

    def __init__(self, path, runtime=None, device=None):
        self._runtime = runtime or default_runtime()
        self._lib = self._runtime._lib
        self.device = device
        lib = self._lib
        handle = ctypes.c_void_p()
        if device is None:
            status = lib.ddl_model_open(self._runtime._handle, str(path).encode(), ctypes.byref(handle))
        else:
            if device.type != "cuda":
                raise RuntimeCallError(f"cannot run on device {device}: ddl runs models on 'cpu' or 'cuda'")
            if not torch.cuda.is_available():
                raise RuntimeCallError(
                    f"the model was compiled for {device}, but this torch ({torch.__version__}) "
                    "has no CUDA device (torch.cuda.is_available() is False)"
                )
            status = lib.ddl_model_open_device(
                self._runtime._handle, str(path).encode(), device.index, ctypes.byref(handle)
            )
        _check(status, f"cannot load the compiled model '{path}'")
        self._handle = handle
        # set_stream + run + output copies of one call go together.
        self._run_lock = threading.Lock()
        kind = lib.ddl_model_device_kind(handle)
        if kind != (DEVICE_CPU if device is None else DEVICE_CUDA):
            raise RuntimeCallError(
                f"the compiled model '{path}' runs on device kind {kind}, not on {device or 'cpu'}"
            )
        if device is not None:
            _check(lib.ddl_model_set_stream_ordered(handle, 1), "cannot make the runs stream-ordered")
        self._stream = None  # the stream last given to ddl_model_set_stream
        self.inputs = [_info(lib.ddl_model_input_info(handle, i)) for i in range(lib.ddl_model_num_inputs(handle))]
        self.outputs = [_info(lib.ddl_model_output_info(handle, i)) for i in range(lib.ddl_model_num_outputs(handle))]
        for name, dtype, _ in self.inputs + self.outputs:
            if dtype is None:
                raise UnsupportedDtypeError(f"the model's tensor '{name}' has an element type torch cannot hold")

    def enable_graph(self, enable=True):
        """CUDA graph mode (ddl_model_enable_graph): each set of input
        shapes runs normally once, is captured into a CUDA graph on its
        second run and replayed after."""
        if self.device is None:
            raise RuntimeCallError("CUDA graphs need a model compiled for a CUDA device, not the CPU")
        with self._run_lock:
            _check(self._lib.ddl_model_enable_graph(self._handle, 1 if enable else 0), "cannot set graph mode")

    def graph_stats(self):
        """(graphs captured, graph launches, why the model runs without
        graphs or None) so far."""
        captures, launches, why = ctypes.c_int64(), ctypes.c_int64(), ctypes.c_char_p()
        _check(
            self._lib.ddl_model_graph_stats(
                self._handle, ctypes.byref(captures), ctypes.byref(launches), ctypes.byref(why)
            ),
            "cannot read the graph statistics",
        )
        return captures.value, launches.value, why.value.decode() if why.value else None

    def __del__(self):
        if getattr(self, "_handle", None):
            self._lib.ddl_model_close(self._handle)
            self._handle = None

    def run(self, tensors):
        """Runs the model on `tensors` (signature order); returns its
        outputs as torch tensors (on the model's device)."""
        lib = self._lib
        if len(tensors) != len(self.inputs):
            raise RuntimeCallError(f"the model takes {len(self.inputs)} inputs, got {len(tensors)}")
        keep = []  # the tensors (and dims arrays) the call borrows
        wrapped = (ctypes.c_void_p * max(1, len(tensors)))()
        outputs = (ctypes.c_void_p * max(1, len(self.outputs)))()
        try:
            for i, (t, (name, dtype, _)) in enumerate(zip(tensors, self.inputs)):
                if not isinstance(t, torch.Tensor):
                    raise RuntimeCallError(f"input {i} ('{name}') is a {type(t).__name__}, not a torch.Tensor")
                if t.dtype != dtype:
                    raise RuntimeCallError(f"input {i} ('{name}') has dtype {t.dtype}; the model takes {dtype}")
                if self.device is not None:
                    wrapped[i] = self._wrap_device(i, name, t, keep)
                    continue
                if t.device.type != "cpu":
                    t = t.cpu()
                if t.requires_grad:
                    t = t.detach()
                t = t.contiguous()
                keep.append(t)
                dims = (ctypes.c_int64 * max(1, t.dim()))(*t.shape)
                keep.append(dims)
                handle = ctypes.c_void_p()
                _check(
                    lib.ddl_tensor_wrap(
                        TORCH_TO_DTYPE[dtype], t.dim(), dims, ctypes.c_void_p(t.data_ptr()), ctypes.byref(handle)
                    ),
                    f"input {i} ('{name}')",
                )
                wrapped[i] = handle
            if self.device is None:
                _check(
                    lib.ddl_model_run(self._handle, wrapped, len(tensors), outputs, len(self.outputs)),
                    "the compiled model failed",
                )
                return [self._to_torch(outputs[i]) for i in range(len(self.outputs))]
            # The run (and the copies of its outputs) go on torch's current
            # stream: ordered after the work that produced the inputs, on
            # the default stream (cuda_stream 0: the legacy stream) or any
            # other, without a host synchronization.
            stream = torch.cuda.current_stream(self.device).cuda_stream
            with self._run_lock:
                if stream != self._stream:
                    _check(lib.ddl_model_set_stream(self._handle, ctypes.c_void_p(stream)), "cannot set the stream")
                    self._stream = stream
                _check(
                    lib.ddl_model_run_on_device(self._handle, wrapped, len(tensors), outputs, len(self.outputs)),
                    "the compiled model failed",
                )
                return self._device_outputs(outputs)
        finally:
            for i in range(len(tensors)):
                if wrapped[i]:
                    lib.ddl_tensor_destroy(wrapped[i])

    def _wrap_device(self, i, name, t, keep):
        """Input `t` as a ddl device tensor borrowing its CUDA memory."""
        if t.device.type != "cuda":
            raise RuntimeCallError(
                f"input {i} ('{name}') is a {t.device.type} tensor, but the program was compiled for "
                f"{self.device}: move it there first (.to('{self.device}')), or compile for the CPU"
            )
        if t.device.index != self.device.index:
            raise RuntimeCallError(
                f"input {i} ('{name}') is on {t.device}, but the program was compiled for {self.device}"
            )
        if not t.is_contiguous():
            t = t.contiguous()
        keep.append(t)
        dims = (ctypes.c_int64 * max(1, t.dim()))(*t.shape)
        keep.append(dims)
        handle = ctypes.c_void_p()
        _check(
            self._lib.ddl_tensor_wrap_device(
                TORCH_TO_DTYPE[t.dtype],
                t.dim(),
                dims,
                ctypes.c_void_p(t.data_ptr()),
                DEVICE_CUDA,
                self.device.index,
                ctypes.byref(handle),
            ),
            f"input {i} ('{name}')",
        )
        return handle

    def _device_outputs(self, handles):
        """The run's device outputs as torch tensors viewing the ddl
        tensors' memory (DLPack, no copy); each ddl tensor is destroyed when
        torch frees its view."""
        lib = self._lib
        results = []
        try:
            for i in range(len(self.outputs)):
                if DTYPE_TO_TORCH[lib.ddl_tensor_dtype(handles[i])] in _DL_TYPES:
                    results.append(_export_tensor(lib, handles[i], self.device))
                    handles[i] = None  # the view owns it now
                else:
                    results.append(self._copy_output(i, handles[i]))
        finally:
            for i in range(len(self.outputs)):
                if handles[i]:
                    lib.ddl_tensor_destroy(handles[i])
        return results

    def _copy_output(self, i, handle):
        """Device output `handle` copied (device to device) into a tensor
        torch allocated."""
        lib = self._lib
        dtype = DTYPE_TO_TORCH[lib.ddl_tensor_dtype(handle)]
        dims = lib.ddl_tensor_dims(handle)
        out = torch.empty([dims[d] for d in range(lib.ddl_tensor_rank(handle))], dtype=dtype, device=self.device)
        nbytes = lib.ddl_tensor_byte_size(handle)
        if nbytes:
            _check(
                lib.ddl_tensor_copy_to_device_buffer(handle, ctypes.c_void_p(out.data_ptr()), nbytes),
                f"cannot copy output {i} ('{self.outputs[i][0]}')",
            )
        return out

    def _to_torch(self, handle):
        lib = self._lib
        dtype = DTYPE_TO_TORCH[lib.ddl_tensor_dtype(handle)]
        dims = lib.ddl_tensor_dims(handle)
        shape = [dims[i] for i in range(lib.ddl_tensor_rank(handle))]
        nbytes = lib.ddl_tensor_byte_size(handle)
        data = lib.ddl_tensor_data(handle)
        if nbytes == 0 or not data:
            lib.ddl_tensor_destroy(handle)
            return torch.empty(shape, dtype=dtype)
        owner = _OwnedBuffer(lib, handle)
        buffer = (ctypes.c_char * nbytes).from_address(data)
        buffer._ddl_owner = owner  # freed with the last view of `buffer`
        return torch.frombuffer(buffer, dtype=dtype).view(shape)
