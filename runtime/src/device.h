/*===- device.h - GPUs through a dlopen'ed driver (CUDA, ROCm/HIP) --------===*
 *
 * Not installed. The runtime has no link-time dependency on CUDA or HIP:
 * the driver library (libcuda.so.1, libamdhip64.so; DDL_CUDA_LIBRARY and
 * DDL_HIP_LIBRARY name another file) is dlopen'ed the first time a device
 * model is opened, and its entry points are reached through a backend
 * table (device_cuda.c, device_hip.c). device.c holds what both share:
 * loading, error messages, the per-device caches of modules, kernels
 * and constants, the streams (a pool of own non-blocking streams, or the
 * caller's) and graph capture (CUDA only).
 *
 * Every fallible call returns a ddl_status and sets the thread's message
 * (ddl_fail) to name the driver call and the driver's own error, e.g.
 * "cuModuleLoadData failed: CUDA_ERROR_INVALID_IMAGE (device kernel image
 * is invalid)". Nothing aborts.
 *
 *===----------------------------------------------------------------------===*/
#ifndef DDL_RUNTIME_SRC_DEVICE_H
#define DDL_RUNTIME_SRC_DEVICE_H

#include "ddl_internal.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Driver entry points are stored untyped and cast back by the backend
 * that knows their types (ISO C allows function-to-function casts). */
typedef void (*ddl_fnptr)(void);

/* Most entry points one backend resolves. */
#define DDL_DRIVER_MAX_SYMBOLS 48

/* Directions of ddl_device_backend.copy (HIP's hipMemcpyKind values). */
enum { DDL_COPY_TO_DEVICE = 1, DDL_COPY_TO_HOST = 2, DDL_COPY_ON_DEVICE = 3 };

/* One driver API. Every operation returns the driver's status (0 =
 * success) and, on failure, stores in *call the name of the entry point
 * that failed. `fns` holds the resolved `symbols`, in order. Streams,
 * graph executables and modules are the driver's handles as void *. */
typedef struct ddl_device_backend {
  const char *name;           /* "CUDA", "ROCm" */
  const char *library;        /* default library: "libcuda.so.1" */
  const char *library_env;    /* "DDL_CUDA_LIBRARY" */
  const char *const *symbols; /* entry points, all required */
  size_t num_symbols;         /* <= DDL_DRIVER_MAX_SYMBOLS */
  int (*init)(const ddl_fnptr *fns, const char **call);
  int (*device_count)(const ddl_fnptr *fns, int *count, const char **call);
  /* Retains device `ordinal`'s context (*ctx may stay NULL when the API
   * has none, as HIP) and releases it. */
  int (*context_retain)(const ddl_fnptr *fns, int ordinal, void **ctx,
                        const char **call);
  void (*context_release)(const ddl_fnptr *fns, int ordinal, void *ctx);
  /* Makes the device current on the calling thread. */
  int (*bind)(const ddl_fnptr *fns, int ordinal, void *ctx, const char **call);
  int (*module_load)(const ddl_fnptr *fns, const void *image, void **module,
                     const char **call);
  void (*module_unload)(const ddl_fnptr *fns, void *module);
  int (*get_function)(const ddl_fnptr *fns, void *module, const char *name,
                      void **function, const char **call);
  /* A new non-blocking stream (no implicit ordering with the legacy
   * default stream), and its end. */
  int (*stream_create)(const ddl_fnptr *fns, void **stream, const char **call);
  void (*stream_destroy)(const ddl_fnptr *fns, void *stream);
  /* Waits for the work queued on `stream`. */
  int (*stream_synchronize)(const ddl_fnptr *fns, void *stream,
                            const char **call);
  /* grid[0..2] blocks of grid[3..5] threads, queued on `stream`. */
  int (*launch)(const ddl_fnptr *fns, void *function, const unsigned grid[6],
                unsigned shared_bytes, void *stream, void **params,
                const char **call);
  int (*alloc)(const ddl_fnptr *fns, size_t bytes, void **ptr,
               const char **call);
  int (*free)(const ddl_fnptr *fns, void *ptr, const char **call);
  /* An asynchronous copy (a DDL_COPY_* direction) queued on `stream`:
   * after the work queued before it; the host sees its result after a
   * stream_synchronize. */
  int (*copy)(const ddl_fnptr *fns, void *dst, const void *src, size_t bytes,
              int direction, void *stream, const char **call);
  /* The driver's name and description of a status (either may be NULL). */
  void (*describe)(const ddl_fnptr *fns, int status, const char **name,
                   const char **text);

  /* Graph capture; all NULL for an API without it here (ROCm). */
  /* Page-locked host memory (a captured copy's source) and its end. */
  int (*host_alloc)(const ddl_fnptr *fns, size_t bytes, void **ptr,
                    const char **call);
  void (*host_free)(const ddl_fnptr *fns, void *ptr);
  /* Starts recording the work queued on `stream` (relaxed mode: device
   * allocations stay allowed) instead of running it. */
  int (*capture_begin)(const ddl_fnptr *fns, void *stream, const char **call);
  /* Ends the capture and instantiates what was recorded into an
   * executable graph (*exec); on failure *exec is NULL and nothing is
   * left behind. The capture is ended whatever happens. */
  int (*capture_end)(const ddl_fnptr *fns, void *stream, void **exec,
                     const char **call);
  int (*graph_launch)(const ddl_fnptr *fns, void *exec, void *stream,
                      const char **call);
  void (*graph_destroy)(const ddl_fnptr *fns, void *exec);

  /* A stream-ordered memory pool of device `ordinal` that keeps what is
   * freed for later allocations (no release to the system at
   * synchronizations); allocations and frees queued on a stream; waiting
   * for all of the context's work. All NULL for an API without them here
   * (ROCm): allocations then go through alloc / free. */
  int (*pool_create)(const ddl_fnptr *fns, int ordinal, void **pool,
                     const char **call);
  void (*pool_destroy)(const ddl_fnptr *fns, void *pool);
  int (*pool_alloc)(const ddl_fnptr *fns, void *pool, size_t bytes,
                    void *stream, void **ptr, const char **call);
  int (*pool_free)(const ddl_fnptr *fns, void *ptr, void *stream,
                   const char **call);
  int (*synchronize)(const ddl_fnptr *fns, const char **call);

  /* Hopper's kernels; NULL for an API without them here (ROCm). */
  /* Lets `function` launch with `bytes` of dynamic shared memory (more
   * than the 48 KiB allowed without asking). */
  int (*set_max_shared)(const ddl_fnptr *fns, void *function, int bytes,
                        const char **call);
  /* Encodes a tiled tensor-map descriptor (TMA) into the 128 bytes at
   * `map` (64-byte aligned): a ddl_dtype tensor of `rank` dimensions at
   * device `address`, sizes and byte strides (of dimensions 1 and up)
   * innermost first, boxes of `box`, `swizzle_bytes` (0, 32, 64, 128)
   * swizzled, zeros outside the tensor. */
  int (*tensor_map)(const ddl_fnptr *fns, void *map, int dtype, unsigned rank,
                    void *address, const uint64_t *dims,
                    const uint64_t *strides_bytes, const uint32_t *box,
                    int swizzle_bytes, const char **call);
} ddl_device_backend;

extern const ddl_device_backend ddl_cuda_backend;
extern const ddl_device_backend ddl_hip_backend;

/* One opened GPU, owned by one model handle: the retained context, the
 * caches of loaded modules, kernels and constants, and a pool of the
 * handle's own non-blocking streams (guarded by a mutex, so concurrent
 * runs of the handle may share it). Reference-counted: device tensors
 * that own memory of it (a run's device outputs) hold a reference, so
 * they can be freed after the handle is closed. */
typedef struct ddl_device ddl_device;

/* Loads the driver of `kind` (DDL_DEVICE_CUDA or DDL_DEVICE_ROCM) if this
 * process has not yet loaded that library file, initializes it, and opens
 * device `ordinal`. The library is found anew on every call (its
 * environment variable may have changed), and a failed load is not
 * remembered, so a later call can succeed. DDL_DEVICE_ERROR on failure. */
ddl_status ddl_device_open(int32_t kind, int ordinal, ddl_device **out);
/* The handle's end: frees the constants, unloads the modules, destroys
 * the idle streams, forgets the caller's stream and drops the handle's
 * reference (the context is released with the last one). */
void ddl_device_close(ddl_device *d);
/* Another reference, and dropping one; NULL is a no-op. Thread-safe. */
void ddl_device_retain(ddl_device *d);
void ddl_device_release(ddl_device *d);
/* "CUDA device 0", for messages. */
const char *ddl_device_label(const ddl_device *d);
/* The ddl_device_kind and the ordinal it was opened with. */
int32_t ddl_device_get_kind(const ddl_device *d);
int ddl_device_get_ordinal(const ddl_device *d);

/*===-- Streams -----------------------------------------------------------===*/

/* A stream work is queued on: the caller's (ddl_device_set_stream), or
 * one of the device's own non-blocking streams, taken from its pool. */
typedef struct ddl_stream {
  void *handle; /* the driver's stream (NULL: the legacy default stream) */
  bool own;     /* from the pool: give it back with ddl_device_put_stream */
} ddl_stream;

/* Sets the caller's stream that ddl_device_get_stream hands out from now
 * on (`external`), or goes back to the device's own streams (!external). */
void ddl_device_set_stream(ddl_device *d, bool external, void *stream);
/* The caller's stream if one is set and `own_only` is false; else an idle
 * stream of the pool, created when none is idle. */
ddl_status ddl_device_get_stream(ddl_device *d, bool own_only, ddl_stream *out);
/* Gives a pool stream back (idle: its work must be done); no-op for the
 * caller's. */
void ddl_device_put_stream(ddl_device *d, ddl_stream stream);
/* Waits for the work queued on the stream. */
ddl_status ddl_device_stream_sync(ddl_device *d, ddl_stream stream);

/*===-- Memory, kernels, constants ----------------------------------------===*/

/* Device memory, 256-byte aligned (the drivers' own alignment); 0 bytes
 * give a valid one-byte allocation. */
ddl_status ddl_device_alloc(ddl_device *d, int64_t bytes, void **out);
/* NULL is a no-op. The driver waits for the device's queued work first. */
ddl_status ddl_device_free(ddl_device *d, void *ptr);
/* Device memory for work queued on `stream` (a run's outputs and
 * temporaries, device copies of its host inputs): from the device's
 * stream-ordered pool (usable by work queued on `stream` after this call;
 * no driver allocation once the pool holds enough), or from
 * ddl_device_alloc where there is no pool. *pooled says which. */
ddl_status ddl_device_alloc_on(ddl_device *d, ddl_stream stream, int64_t bytes,
                               void **out, bool *pooled);
/* Frees memory of ddl_device_alloc_on once the work queued on `stream`
 * before this call is done (`pooled` as that call said). NULL is a no-op. */
ddl_status ddl_device_free_on(ddl_device *d, ddl_stream stream, void *ptr,
                              bool pooled);
/* Whether ddl_device_alloc_on allocates from the pool (made now if it
 * was not yet). */
bool ddl_device_has_pool(ddl_device *d);
/* Frees pooled memory whose users the runtime does not know (a device
 * tensor handed to the caller): after all of the device's queued work, as
 * ddl_device_free does for driver allocations. */
ddl_status ddl_device_free_pooled(ddl_device *d, void *ptr);
/* Queues a copy (a DDL_COPY_* direction) on `stream`; the host sees a copy
 * to the host after ddl_device_stream_sync. */
ddl_status ddl_device_copy(ddl_device *d, ddl_stream stream, void *dst,
                           const void *src, int64_t bytes, int direction);
/* Loads `image` on its first use (cached by pointer) and queues kernel
 * `name` (cached by image and name pointer) on `stream`. A grid with no
 * block or no thread launches nothing. */
ddl_status ddl_device_launch(ddl_device *d, ddl_stream stream,
                             const void *image, int64_t image_bytes,
                             const char *name, const int64_t grid_block[6],
                             int64_t shared_bytes, void **params);
/* Encodes the TMA descriptor of a tensor (see ddl_host.device_tensor_map)
 * into `map`; false, touching nothing else, where it cannot be had: an API
 * without TMA, a tensor outside TMA's limits (rank, alignment, strides,
 * box), or a driver that refuses it. */
bool ddl_device_tensor_map(ddl_device *d, void *map, int32_t dtype,
                           int32_t rank, const void *address,
                           const int64_t *dims, const int64_t *strides,
                           const int32_t *box, int32_t swizzle_bytes);
/* The device copy of constant host data, uploaded on the first call for
 * (data, bytes) (on a pool stream, waited for) and kept until
 * ddl_device_close. */
ddl_status ddl_device_constant(ddl_device *d, const void *data, int64_t bytes,
                               void **out);

/*===-- Graph capture -----------------------------------------------------===*/

/* Whether the API supports graph capture here (CUDA: yes; ROCm: not
 * implemented). The calls below need it. */
bool ddl_device_has_graphs(const ddl_device *d);
/* Page-locked host memory, for the source of a captured host-to-device
 * copy (replays read it again); NULL is a no-op for the free. */
ddl_status ddl_device_host_alloc(ddl_device *d, int64_t bytes, void **out);
void ddl_device_host_free(ddl_device *d, void *ptr);
/* Records instead of runs what is queued on the (own) stream until
 * ddl_device_capture_end, which instantiates it into an executable graph
 * (*exec, NULL on failure). Both must come from one thread. */
ddl_status ddl_device_capture_begin(ddl_device *d, ddl_stream stream);
ddl_status ddl_device_capture_end(ddl_device *d, ddl_stream stream,
                                  void **exec);
/* Queues a replay of `exec` on `stream`. */
ddl_status ddl_device_graph_launch(ddl_device *d, void *exec,
                                   ddl_stream stream);
/* NULL is a no-op. */
void ddl_device_graph_destroy(ddl_device *d, void *exec);

#endif /* DDL_RUNTIME_SRC_DEVICE_H */
