/*===- ddl_model_abi.h - the contract between a compiled model and a host --===*
 *
 * Every shared object that `ddlc` writes exports one function,
 * `ddl_get_model`, returning a `ddl_model` descriptor: the model's inputs and
 * outputs (names, element types, shapes with symbolic dimensions), its arena
 * needs, and its entry points. The ddl runtime (libddl_runtime) is one host
 * of this ABI; anything that fills a `ddl_host` can run a model directly.
 *
 * This header is plain C with no dependency, and is versioned: a host must
 * check `abi_version` before touching anything else.
 *
 *===----------------------------------------------------------------------===*/
#ifndef DDL_MODEL_ABI_H
#define DDL_MODEL_ABI_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped whenever a struct below changes layout or meaning. */
#define DDL_MODEL_ABI_VERSION 5u

/* The symbol every compiled model exports. */
#define DDL_MODEL_ENTRY_SYMBOL "ddl_get_model"

/* Element types, numbered as ONNX's TensorProto.DataType. */
typedef enum ddl_dtype {
  DDL_DTYPE_FLOAT = 1,
  DDL_DTYPE_UINT8 = 2,
  DDL_DTYPE_INT8 = 3,
  DDL_DTYPE_UINT16 = 4,
  DDL_DTYPE_INT16 = 5,
  DDL_DTYPE_INT32 = 6,
  DDL_DTYPE_INT64 = 7,
  DDL_DTYPE_BOOL = 9, /* one byte per element, 0 or 1 */
  DDL_DTYPE_FLOAT16 = 10,
  DDL_DTYPE_DOUBLE = 11,
  DDL_DTYPE_UINT32 = 12,
  DDL_DTYPE_UINT64 = 13,
  DDL_DTYPE_BFLOAT16 = 16
} ddl_dtype;

/* What an input or output is (ddl_tensor_info.kind, ABI version 5 on).
 * Every entry is a dense tensor; sequences and optionals of the model's
 * graph span several consecutive entries with the same name:
 *
 *   a sequence of n tensors of rank R and element type T:
 *     DDL_IO_SEQUENCE_SHAPES  int64 [n, R]: row i holds element i's sizes
 *     DDL_IO_SEQUENCE_DATA    T [total]: the elements' values, row-major,
 *                             element 0 first (total = the sum over the
 *                             rows of their products)
 *   a tensor of strings of shape S:
 *     DDL_IO_STRING_LENGTHS   int64 S: each string's length in bytes
 *     DDL_IO_STRING_BYTES     int8 [total]: the strings' bytes (UTF-8, no
 *                             terminators), row-major, one after another
 *   an optional tensor or sequence:
 *     DDL_IO_OPTIONAL_FLAG    bool [] (0-d): 1 when the value is present
 *     then the value's entries (a DDL_IO_TENSOR, or a sequence's two); an
 *     absent value's entries are empty (any sizes with no elements).
 *
 * R may be -1 (dims[1] of the shapes entry) when the model does not know
 * the elements' rank; all elements of one sequence have one rank. The
 * runtime checks that a sequence's rows and data (and a string tensor's
 * lengths and bytes) agree before a run, and offers ddl_sequence_pack /
 * ddl_sequence_unpack (ddl_runtime.h). */
typedef enum ddl_io_kind {
  DDL_IO_TENSOR = 0,
  DDL_IO_SEQUENCE_SHAPES = 1,
  DDL_IO_SEQUENCE_DATA = 2,
  DDL_IO_OPTIONAL_FLAG = 3,
  DDL_IO_STRING_LENGTHS = 4,
  DDL_IO_STRING_BYTES = 5
} ddl_io_kind;

/* One input or output of a model. */
typedef struct ddl_tensor_info {
  const char *name;
  int32_t dtype; /* a ddl_dtype */
  int32_t rank;
  /* `rank` sizes; -1 for a dimension known only at run time. */
  const int64_t *dims;
  /* `rank` entries: the symbol of a dynamic dimension ("batch"), or NULL.
   * Dimensions with equal symbols must have equal sizes, across all
   * inputs. */
  const char *const *dim_names;
  /* A ddl_io_kind: a plain tensor, or a part of a sequence or optional.
   * (Added in ABI version 5.) */
  int32_t kind;
} ddl_tensor_info;

/* Where a model's kernels run (ddl_model.device_kind). A device model's
 * host code still runs on the CPU that loaded it; its kernels run on a GPU
 * through the host's device_* callbacks below. */
typedef enum ddl_device_kind {
  DDL_DEVICE_CPU = 0,
  DDL_DEVICE_CUDA = 1, /* NVIDIA: the images are cubins */
  DDL_DEVICE_ROCM = 2  /* AMD: the images are hsaco code objects */
} ddl_device_kind;

/* A task of a parallel loop: runs iterations [begin, end). */
typedef void (*ddl_task_fn)(void *args, int64_t begin, int64_t end);

/* What a model needs from its host while it runs. */
typedef struct ddl_host {
  void *ctx;
  /* Runs `fn` over [0, n), split into chunks that may run concurrently;
   * returns when every chunk is done. May run everything on the caller. */
  void (*parallel_for)(void *ctx, int64_t n, ddl_task_fn fn, void *args);
  /* Scratch memory for one run: at least `bytes` bytes, 64-byte aligned,
   * valid until the run returns; NULL when it cannot be had. */
  void *(*arena)(void *ctx, int64_t bytes);

  /* Device models only (ABI version 3 on); a host of CPU models may leave them
   * NULL. For a device model, `arena` returns device memory, and the data
   * of every ddl_model_io (inputs and outputs) is device memory.
   *
   * Device errors are sticky per run: the host records the first failing
   * call (with the driver's message), every later device call of the same
   * run does nothing (allocations return NULL; device_free still frees, so
   * nothing leaks), and the host reports the failure after `run` returns,
   * freeing the outputs with device_free. So a model never branches on
   * them. All calls are ordered on one stream; device_copy to the host
   * waits for the kernels before it. */

  /* Launches kernel `name` of the device image at `image` (`image_bytes`
   * bytes, embedded in the model: the same pointer on every call, so the
   * host loads each image once) on grid_block[0..2] blocks of
   * grid_block[3..5] threads with `shared_bytes` of dynamic shared memory
   * (a grid with a 0 in it launches nothing: an empty tensor's kernel);
   * `params` holds one pointer per kernel parameter, to its value, as
   * cuLaunchKernel's kernelParams (for a memref pointer parameter p,
   * params[i] = &p). */
  void (*device_launch)(void *ctx, const void *image, int64_t image_bytes,
                        const char *name, const int64_t *grid_block,
                        int64_t shared_bytes, void **params);
  /* `bytes` of device memory (256-byte aligned; a valid pointer for 0),
   * NULL on failure. */
  void *(*device_alloc)(void *ctx, int64_t bytes);
  /* Frees device_alloc's memory; NULL is a no-op. */
  void (*device_free)(void *ctx, void *ptr);
  /* A device copy of the constant host data at `data` (`bytes` bytes),
   * made on the first call for that pointer and kept until the model is
   * closed; NULL on failure. */
  void *(*device_constant)(void *ctx, const void *data, int64_t bytes);
  /* Copies `bytes` bytes: host `src` to device `dst` when `to_device` is
   * non-zero, device `src` to host `dst` otherwise. */
  void (*device_copy)(void *ctx, void *dst, const void *src, int64_t bytes,
                      int32_t to_device);
  /* (ABI version 4) Fills the 128 bytes at `map` (64-byte aligned) with a
   * tensor-map descriptor of Hopper's tensor memory accelerator (TMA) for
   * the `rank`-dimensional tensor (a ddl_dtype: FLOAT, FLOAT16,
   * BFLOAT16, UINT8 or INT8) at device `address`: sizes, strides (in elements)
   * and the box a copy moves, innermost dimension first (strides[0] is 1),
   * `swizzle_bytes` (0, 32, 64 or 128) swizzled in shared memory, zeros
   * read outside the tensor. Returns 1 when done and 0 when it cannot be
   * had (no TMA on this device or API, or the tensor outside TMA's limits
   * on rank, alignment and strides); 0 is not an error: the model then
   * launches a kernel that does not use TMA. */
  int32_t (*device_tensor_map)(void *ctx, void *map, int32_t dtype,
                               int32_t rank, const void *address,
                               const int64_t *dims, const int64_t *strides,
                               const int32_t *box, int32_t swizzle_bytes);
} ddl_host;

/* A tensor crossing the boundary: dense, row-major, `rank` sizes in dims. */
typedef struct ddl_model_io {
  void *data;
  int64_t *dims;
} ddl_model_io;

/* Status codes of `run`. */
#define DDL_MODEL_OK 0
#define DDL_MODEL_ERR_ARENA 1 /* host->arena returned NULL */
/* A run-time check on the inputs' values failed (for instance a gather
 * index out of range, which ONNX calls an error); `failed_check` says
 * which. */
#define DDL_MODEL_ERR_CHECK 2
/* An allocation of the model's own (an output's buffer) failed; the model
 * freed what it could and `failed_check` says so. */
#define DDL_MODEL_ERR_OUT_OF_MEMORY 3

typedef struct ddl_model {
  uint32_t abi_version; /* DDL_MODEL_ABI_VERSION */
  uint32_t num_inputs;
  uint32_t num_outputs;
  uint32_t device_kind; /* a ddl_device_kind (was `reserved`, always 0) */
  const ddl_tensor_info *inputs;
  const ddl_tensor_info *outputs;
  const char *name;          /* the model's graph name */
  const char *target_triple; /* e.g. "x86_64-unknown-linux-gnu" */
  /* Arena bytes one run needs: a constant, or -1 when it depends on the
   * input sizes (then `arena_formula` states it over the symbols and
   * `arena_size` computes it). */
  int64_t arena_bytes;
  const char *arena_formula;
  /* Arena bytes for inputs with these sizes (data pointers are not read). */
  int64_t (*arena_size)(const ddl_model_io *inputs);
  /* Runs the model. The host has checked every input against `inputs`
   * (rank, static sizes, equal symbols, dtype) and passes `num_inputs`
   * tensors; `outputs` has `num_outputs` entries whose `dims` arrays have
   * room for each output's rank. On DDL_MODEL_OK every outputs[i].data is a
   * new buffer from malloc() (a device model: from host->device_alloc)
   * that the caller owns and frees with free() (device_free), and
   * outputs[i].dims holds its sizes. On any other status the host takes
   * nothing from `outputs`: a failing model frees what it allocated. */
  int32_t (*run)(const ddl_host *host, const ddl_model_io *inputs,
                 ddl_model_io *outputs);
  /* After `run` returned DDL_MODEL_ERR_CHECK on this thread: the message of
   * the check that failed (it names the model's node), a static string.
   * NULL otherwise. (Added in ABI version 2.) */
  const char *(*failed_check)(void);
  /* The device architecture the images were built for ("sm_90",
   * "gfx942"); NULL for a CPU model. (Added in ABI version 3.) */
  const char *device_arch;
} ddl_model;

/* The exported entry: `const ddl_model *ddl_get_model(void);` */
typedef const ddl_model *(*ddl_get_model_fn)(void);

#ifdef __cplusplus
}
#endif

#endif /* DDL_MODEL_ABI_H */
