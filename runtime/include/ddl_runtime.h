/*===- ddl_runtime.h - load and run compiled ddl models -------------------===*
 *
 * The public C API of libddl_runtime: a thread pool + arena host for the
 * model ABI in ddl_model_abi.h, a loader that validates a compiled model's
 * descriptor, tensors, and a checked `run`.
 *
 * Error model: every fallible function returns a `ddl_status`; on anything
 * but DDL_OK it also stores a message for the calling thread, readable with
 * `ddl_last_error()` until the thread's next failing call. Nothing a caller
 * passes (NULL pointers, wrong shapes, broken model files) aborts the
 * process: it comes back as a status.
 *
 * Ownership and thread safety are described per object below and in
 * runtime/README.md.
 *
 *===----------------------------------------------------------------------===*/
#ifndef DDL_RUNTIME_H
#define DDL_RUNTIME_H

#include "ddl_model_abi.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define DDL_RUNTIME_API __attribute__((visibility("default")))
#else
#define DDL_RUNTIME_API
#endif

/* Largest tensor rank the runtime accepts (descriptors and tensors). */
#define DDL_MAX_RANK 32

typedef enum ddl_status {
  DDL_OK = 0,
  DDL_INVALID_ARGUMENT = 1, /* NULL where a value is needed, bad rank... */
  DDL_NOT_FOUND = 2,        /* a file or an input name that does not exist */
  DDL_ABI_MISMATCH = 3,     /* the model was built for another ABI version */
  DDL_SHAPE_MISMATCH = 4,   /* an input's rank or size disagrees */
  DDL_DTYPE_MISMATCH = 5,   /* an input's element type disagrees */
  DDL_OUT_OF_MEMORY = 6,
  DDL_LOAD_FAILED = 7,   /* dlopen/dlsym failed or ddl_get_model gave NULL */
  DDL_INVALID_MODEL = 8, /* the model's descriptor is malformed */
  DDL_RUN_FAILED = 9,    /* the model's run returned an error */
  DDL_INTERNAL = 10,     /* the runtime itself failed (thread creation...) */
  DDL_DEVICE_ERROR = 11 /* a GPU driver is missing or one of its calls failed */
} ddl_status;

/* "DDL_SHAPE_MISMATCH" and so on; "DDL_UNKNOWN_STATUS" for other values. */
DDL_RUNTIME_API const char *ddl_status_name(ddl_status status);
/* "cpu", "cuda", "rocm" for a ddl_device_kind; "unknown" otherwise. */
DDL_RUNTIME_API const char *ddl_device_kind_name(int32_t kind);

/* The message of the calling thread's last failure ("" if none). The
 * pointer stays valid until the thread's next call into the runtime. */
DDL_RUNTIME_API const char *ddl_last_error(void);

/* Bytes per element of a ddl_dtype (bool: 1); 0 for an unknown dtype. */
DDL_RUNTIME_API size_t ddl_dtype_size(int32_t dtype);
/* "float32", "int64", "bool", ...; "unknown" for an unknown dtype. */
DDL_RUNTIME_API const char *ddl_dtype_name(int32_t dtype);

/*===-- Runtime: thread pool + host ---------------------------------------===*
 *
 * A runtime may be shared by any number of threads and models. Its
 * parallel_for is safe to call concurrently and from inside its own tasks:
 * a call made while the pool is busy (a nested call from a task, or a
 * second thread's call) runs on the calling thread alone, so it can never
 * deadlock. Destroy it only after every model opened on it is closed.
 */
typedef struct ddl_runtime ddl_runtime;

/* `num_threads` threads in all, the caller included; 0 = online CPUs. */
DDL_RUNTIME_API ddl_status ddl_runtime_create(int num_threads,
                                              ddl_runtime **out);
DDL_RUNTIME_API void ddl_runtime_destroy(ddl_runtime *rt);
DDL_RUNTIME_API int ddl_runtime_num_threads(const ddl_runtime *rt);
/* The pool's parallel_for, as models see it: runs fn over [0, n) in chunks
 * and returns when all are done. n <= 0 does nothing. */
DDL_RUNTIME_API ddl_status ddl_runtime_parallel_for(ddl_runtime *rt, int64_t n,
                                                    ddl_task_fn fn, void *args);

/*===-- Tensors ------------------------------------------------------------===*
 *
 * Dense, row-major. A tensor made by ddl_tensor_create (or returned by
 * ddl_model_run) owns its zero-initialized, 64-byte-aligned data; one made
 * by ddl_tensor_wrap borrows the caller's memory, which must outlive it.
 * Tensors are not synchronized: share one between threads only for reading.
 *
 * Device tensors hold GPU memory of one device (a kind and an ordinal):
 * borrowed (ddl_tensor_wrap_device), or owned (the outputs of
 * ddl_model_run_on_device). Their ddl_tensor_data is a device pointer,
 * never to be dereferenced on the host; read them with
 * ddl_tensor_copy_to_host or ddl_tensor_copy_to_device_buffer.
 *
 * Streams: the runtime queues a handle's device work (kernels, and
 * asynchronous copies) on non-blocking streams of its own, in the device's
 * primary context (the context the CUDA runtime, and so PyTorch, uses), or
 * on the caller's stream (ddl_model_set_stream). A run, and every copy
 * below, returns only when its work is done. Own streams are not ordered
 * after anything the caller queued, on the legacy default stream (PyTorch's
 * default stream) included: device memory a caller hands in must be ready
 * when the call is made (synchronize the stream that wrote it first), or
 * the caller's stream must be set with ddl_model_set_stream.
 */
typedef struct ddl_tensor ddl_tensor;

DDL_RUNTIME_API ddl_status ddl_tensor_create(int32_t dtype, int32_t rank,
                                             const int64_t *dims,
                                             ddl_tensor **out);
/* `data` may be NULL only when the tensor has no element. */
DDL_RUNTIME_API ddl_status ddl_tensor_wrap(int32_t dtype, int32_t rank,
                                           const int64_t *dims, void *data,
                                           ddl_tensor **out);
/* Borrows `device_data`, device memory of GPU `device_ordinal` of
 * `device_kind` (DDL_DEVICE_CUDA: a CUdeviceptr / cudaMalloc pointer, e.g.
 * a torch CUDA tensor's data_ptr(); DDL_DEVICE_ROCM: a hipMalloc pointer),
 * which must outlive the tensor. Calls no driver: the placement is checked
 * when a run takes the tensor. DDL_DEVICE_CPU and negative ordinals are
 * DDL_INVALID_ARGUMENT; NULL data only for a tensor with no element. */
DDL_RUNTIME_API ddl_status ddl_tensor_wrap_device(
    int32_t dtype, int32_t rank, const int64_t *dims, void *device_data,
    int32_t device_kind, int device_ordinal, ddl_tensor **out);
/* Frees the tensor and, if it owns them, its data (an owned device
 * tensor's through its device, also after the handle that made it was
 * closed: the tensor keeps the device's context alive until then). NULL is
 * a no-op. */
DDL_RUNTIME_API void ddl_tensor_destroy(ddl_tensor *t);

/* Accessors: NULL tensors give 0 / NULL. ddl_tensor_data of a device
 * tensor is its device pointer. */
DDL_RUNTIME_API int32_t ddl_tensor_dtype(const ddl_tensor *t);
DDL_RUNTIME_API int32_t ddl_tensor_rank(const ddl_tensor *t);
DDL_RUNTIME_API const int64_t *ddl_tensor_dims(const ddl_tensor *t);
DDL_RUNTIME_API void *ddl_tensor_data(const ddl_tensor *t);
DDL_RUNTIME_API int64_t ddl_tensor_num_elements(const ddl_tensor *t);
DDL_RUNTIME_API size_t ddl_tensor_byte_size(const ddl_tensor *t);
/* Where the data lives: a ddl_device_kind (DDL_DEVICE_CPU for host
 * tensors and NULL) and the device's ordinal (0 for host tensors). */
DDL_RUNTIME_API int32_t ddl_tensor_device_kind(const ddl_tensor *t);
DDL_RUNTIME_API int ddl_tensor_device_ordinal(const ddl_tensor *t);

/* Copies the tensor's ddl_tensor_byte_size bytes into host memory `dst`,
 * which has room for `bytes` (at least the tensor's size, else
 * DDL_INVALID_ARGUMENT). Works for host and device tensors; for a device
 * tensor it is a device-to-host copy on the stream of the handle that made
 * it (the caller's stream if one was set, else an own stream) and returns
 * when it is done. A borrowed device tensor's copy opens its device for
 * the call (the driver is loaded as for ddl_model_open_device) and runs on
 * an own stream. */
DDL_RUNTIME_API ddl_status ddl_tensor_copy_to_host(const ddl_tensor *t,
                                                   void *dst, size_t bytes);
/* Copies a device tensor's data into `device_dst`, `bytes` bytes of
 * device memory of the same device (a buffer the caller's allocator
 * owns), device to device, on the streams ddl_tensor_copy_to_host uses,
 * and returns when the copy is done. A host tensor is
 * DDL_INVALID_ARGUMENT. */
DDL_RUNTIME_API ddl_status ddl_tensor_copy_to_device_buffer(const ddl_tensor *t,
                                                            void *device_dst,
                                                            size_t bytes);

/*===-- Sequences ----------------------------------------------------------===*
 *
 * A model input or output that is a sequence of tensors crosses the ABI as
 * two tensors (ddl_model_abi.h, ddl_io_kind): the elements' sizes, int64
 * [count, rank], and their values one after another, 1-D. These helpers
 * convert between that form and separate host tensors.
 */

/* Packs `count` host tensors of element type `dtype` and rank `rank` (all
 * of them; `rank` is what an empty sequence has) into *shapes and *data,
 * new tensors the caller destroys. */
DDL_RUNTIME_API ddl_status ddl_sequence_pack(int32_t dtype, int32_t rank,
                                             size_t count,
                                             const ddl_tensor *const *elements,
                                             ddl_tensor **shapes,
                                             ddl_tensor **data);
/* Unpacks a sequence's two host tensors into *count new tensors, returned
 * in *elements (a malloc'ed array, NULL when count is 0): the caller
 * destroys each tensor and frees the array. */
DDL_RUNTIME_API ddl_status ddl_sequence_unpack(const ddl_tensor *shapes,
                                               const ddl_tensor *data,
                                               size_t *count,
                                               ddl_tensor ***elements);
/* The number of values a sequence's element sizes add up to, after
 * checking them (int64 [count, rank], host, sizes >= 0, no overflow). */
DDL_RUNTIME_API ddl_status ddl_sequence_total(const ddl_tensor *shapes,
                                              int64_t *total);
/* How many consecutive entries of `infos` (n of them) from entry `i` make
 * up one value of the model's graph: 1 for a tensor, 2 for a sequence, 2
 * or 3 for an optional; 0 when entry i does not start a value. */
DDL_RUNTIME_API uint32_t ddl_io_span(const ddl_tensor_info *infos, uint32_t n,
                                     uint32_t i);

/*===-- Models -------------------------------------------------------------===*
 *
 * A handle is a loaded, validated model. Queries are read-only and may run
 * from any thread; ddl_model_run may be called from several threads at once
 * (each run gets its own arena: the handle caches one buffer, guarded by a
 * mutex, and a run that finds it taken allocates a private one; a device
 * model's run gets its own stream, unless the caller set one). Close a
 * handle only when no run is in progress; tensors it returned (host and
 * device) stay valid.
 */
typedef struct ddl_model_handle ddl_model_handle;

/* dlopens `path` (RTLD_NOW | RTLD_LOCAL), checks the ABI version and the
 * descriptor. A path without '/' names a file in the working directory,
 * not a library on the search path. The same as ddl_model_open_device with
 * ordinal 0. */
DDL_RUNTIME_API ddl_status ddl_model_open(ddl_runtime *rt, const char *path,
                                          ddl_model_handle **out);

/* An ordinal for ddl_model_open_device: load and validate the model but
 * open no device, for queries only (a signature on a machine without the
 * GPU); ddl_model_run on such a handle of a device model fails with
 * DDL_DEVICE_ERROR. */
#define DDL_NO_DEVICE (-1)

/* Opens a model as ddl_model_open does, and for a CUDA or ROCm model also
 * GPU `device_ordinal` of its kind: the driver library is dlopen'ed on
 * first use (libcuda.so.1 or libamdhip64.so; the environment variables
 * DDL_CUDA_LIBRARY and DDL_HIP_LIBRARY name another file), initialized,
 * and the device's context retained until ddl_model_close. A missing
 * library or symbol, no device, an ordinal out of range or a failing
 * driver call give DDL_DEVICE_ERROR. A CPU model ignores the ordinal; a
 * negative one other than DDL_NO_DEVICE is DDL_INVALID_ARGUMENT. */
DDL_RUNTIME_API ddl_status ddl_model_open_device(ddl_runtime *rt,
                                                 const char *path,
                                                 int device_ordinal,
                                                 ddl_model_handle **out);
DDL_RUNTIME_API void ddl_model_close(ddl_model_handle *h);

/* The raw descriptor, for hosts that want everything. */
DDL_RUNTIME_API const ddl_model *
ddl_model_descriptor(const ddl_model_handle *h);
DDL_RUNTIME_API const char *ddl_model_name(const ddl_model_handle *h);
/* Where the model's kernels run: a ddl_device_kind (DDL_DEVICE_CPU for
 * NULL), and the architecture its device images were built for ("sm_90",
 * "gfx942"; NULL for a CPU model). */
DDL_RUNTIME_API int32_t ddl_model_device_kind(const ddl_model_handle *h);
DDL_RUNTIME_API const char *ddl_model_device_arch(const ddl_model_handle *h);
DDL_RUNTIME_API size_t ddl_model_num_inputs(const ddl_model_handle *h);
DDL_RUNTIME_API size_t ddl_model_num_outputs(const ddl_model_handle *h);
/* NULL when `i` is out of range. */
DDL_RUNTIME_API const ddl_tensor_info *
ddl_model_input_info(const ddl_model_handle *h, size_t i);
DDL_RUNTIME_API const ddl_tensor_info *
ddl_model_output_info(const ddl_model_handle *h, size_t i);
/* DDL_NOT_FOUND when no input/output has that name. */
DDL_RUNTIME_API ddl_status ddl_model_find_input(const ddl_model_handle *h,
                                                const char *name,
                                                size_t *index);
DDL_RUNTIME_API ddl_status ddl_model_find_output(const ddl_model_handle *h,
                                                 const char *name,
                                                 size_t *index);
/* The descriptor's arena size: bytes, or -1 when it depends on the input
 * sizes; then the formula over the dimension symbols (else NULL). */
DDL_RUNTIME_API int64_t ddl_model_arena_bytes(const ddl_model_handle *h);
DDL_RUNTIME_API const char *ddl_model_arena_formula(const ddl_model_handle *h);

/* Checks `inputs` (signature order) as ddl_model_run does, without running:
 * count, NULLs, placement (device tensors), dtype, rank, static sizes,
 * equal symbols. */
DDL_RUNTIME_API ddl_status
ddl_model_check_inputs(const ddl_model_handle *h,
                       const ddl_tensor *const *inputs, size_t num_inputs);
/* Arena bytes one run with these (checked) inputs needs. */
DDL_RUNTIME_API ddl_status ddl_model_arena_size(const ddl_model_handle *h,
                                                const ddl_tensor *const *inputs,
                                                size_t num_inputs,
                                                int64_t *bytes);

/* Checks the inputs (signature order), runs the model on the runtime's
 * pool, and stores `num_outputs` new owned tensors in `outputs` (release
 * each with ddl_tensor_destroy). On failure every outputs[i] is NULL.
 * Outputs are host memory whatever the model. A device model's host
 * inputs are copied to the device before the run, and its device inputs
 * (ddl_tensor_wrap_device, or a previous run's device outputs) of the
 * handle's device kind and ordinal are passed through without a copy; a
 * device tensor of another kind or ordinal, or any device tensor given to
 * a CPU model, is DDL_INVALID_ARGUMENT naming the input. Its outputs are
 * copied back after the run; the first failing device call of the run
 * makes it return DDL_DEVICE_ERROR with the driver's message. Device work
 * is done when it returns (the run waits for its stream). */
DDL_RUNTIME_API ddl_status ddl_model_run(ddl_model_handle *h,
                                         const ddl_tensor *const *inputs,
                                         size_t num_inputs,
                                         ddl_tensor **outputs,
                                         size_t num_outputs);
/* ddl_model_run for a device model that leaves the outputs on the
 * device: each outputs[i] is a new device tensor (of the handle's device)
 * owning the buffer the model allocated; no copy is made. Inputs as for
 * ddl_model_run. Destroying an output after ddl_model_close is safe: the
 * output holds a reference to the device (its context is released with the
 * last one). The outputs are ready when it returns (the run's stream is
 * synchronized), unless the handle is stream-ordered
 * (ddl_model_set_stream_ordered). A CPU model is DDL_INVALID_ARGUMENT. */
DDL_RUNTIME_API ddl_status ddl_model_run_on_device(
    ddl_model_handle *h, const ddl_tensor *const *inputs, size_t num_inputs,
    ddl_tensor **outputs, size_t num_outputs);
/* The same with inputs given by name, in any order: `names[i]` names
 * `inputs[i]`. Unknown, repeated and missing names are errors. */
DDL_RUNTIME_API ddl_status ddl_model_run_named(ddl_model_handle *h,
                                               const char *const *names,
                                               const ddl_tensor *const *inputs,
                                               size_t num_inputs,
                                               ddl_tensor **outputs,
                                               size_t num_outputs);

/*===-- Streams and graphs (device models) --------------------------------===*
 *
 * By default each run of a device model takes a non-blocking stream of the
 * handle's own (a pool: concurrent runs get different streams) and waits
 * for it before returning. Its inputs must be ready before the call.
 */

/* ddl_model_set_stream's value for "the handle's own streams" (the
 * default). */
#define DDL_STREAM_OWN ((void *)(intptr_t)-1)

/* Queues the handle's device work from now on on `stream`, a stream of
 * the handle's device and context: a CUstream (CUDA; NULL is the legacy
 * default stream, 0x2 the per-thread one: torch.cuda.current_stream()
 * .cuda_stream) or a hipStream_t (ROCm). Work the caller queued there
 * before a run is then ordered before it, with no host synchronization;
 * runs still return when their work is done (unless stream-ordered:
 * ddl_model_set_stream_ordered). The stream must outlive its
 * use (set DDL_STREAM_OWN before destroying it; ddl_model_close forgets
 * it). Concurrent runs of the handle then share the stream (they stay
 * correct, ordered by it). Not synchronized with runs in progress: set it
 * between runs. A CPU model or a handle without a device is
 * DDL_INVALID_ARGUMENT. */
DDL_RUNTIME_API ddl_status ddl_model_set_stream(ddl_model_handle *h,
                                                void *stream);

/* Stream-ordered runs (off by default), for callers that order their own
 * work by streams, as PyTorch does: with `enable`, a ddl_model_run_on_device
 * on the caller's stream (ddl_model_set_stream) returns once its work is
 * queued, without waiting for it (on the CUDA pool; ROCm and own streams
 * still wait). Then:
 *  - its outputs are ready in the stream's order: work queued on that
 *    stream after the call sees them; other streams must wait for it;
 *  - destroying an output frees it in the stream's order (after the work
 *    queued on that stream before the destroy, with no host wait), so
 *    the stream must outlive the outputs, and work on other streams that
 *    reads an output must be done (or ordered before the stream's later
 *    work) when it is destroyed, as with cuMemFreeAsync;
 *    ddl_tensor_copy_to_host and ddl_tensor_copy_to_device_buffer of an
 *    output go on that stream and wait for it;
 *  - a kernel's failure is reported by a later call that waits for the
 *    stream, not by the run;
 *  - ddl_model_set_stream with another stream first waits for the graph
 *    replays (ddl_model_enable_graph) still queued on the old one.
 * ddl_model_run (host outputs) always waits. A CPU model is
 * DDL_INVALID_ARGUMENT. */
DDL_RUNTIME_API ddl_status ddl_model_set_stream_ordered(ddl_model_handle *h,
                                                        int enable);

/* Graph mode (CUDA graphs): with `enable`, a run records the model's
 * device work once per set of input shapes and replays it after:
 *  - the first run of some input shapes runs normally (kernels load,
 *    constants upload); the second captures the model's run into a graph
 *    (cuStreamBeginCapture, relaxed mode, on an own stream) and launches
 *    it; later runs with those shapes only copy the inputs into the
 *    graph's input buffers, launch the graph and copy its outputs out
 *    (host tensors, or new device tensors of ddl_model_run_on_device). So
 *    new input values and pointers need no recapture; other shapes get a
 *    graph of their own (8 per handle, the least recently used dropped).
 *  - every buffer allocated while capturing (arena, outputs, temporaries)
 *    belongs to the graph and is freed with it (when graph mode is
 *    disabled, when the handle is closed, or when the graph is dropped).
 *  - a model whose host code reads device memory during its run (a
 *    device_copy to the host: the value is not there while capturing),
 *    or whose capture fails otherwise, runs normally from then on:
 *    ddl_model_graph_stats says why. No error, nothing leaks.
 *  - a run that finds another run of the handle using the graphs (runs
 *    on several threads) runs normally.
 *  - ROCm: not implemented; runs go the normal way.
 * Disabling frees the graphs. A CPU model is DDL_INVALID_ARGUMENT. */
DDL_RUNTIME_API ddl_status ddl_model_enable_graph(ddl_model_handle *h,
                                                  int enable);
/* Graph mode so far: graphs captured, graph launches (replays, the first
 * launch after each capture included), and why the handle runs normally
 * in graph mode (NULL while graphs are used; the string stays valid until
 * ddl_model_close). NULL pointers are skipped. */
DDL_RUNTIME_API ddl_status ddl_model_graph_stats(ddl_model_handle *h,
                                                 int64_t *captures,
                                                 int64_t *launches,
                                                 const char **fallback);

#ifdef __cplusplus
}
#endif

#endif /* DDL_RUNTIME_H */
