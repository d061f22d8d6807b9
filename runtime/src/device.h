/*===- device.h - GPUs through a dlopen'ed driver (CUDA, ROCm/HIP) --------===*
 *
 * Not installed. The runtime has no link-time dependency on CUDA or HIP:
 * the driver library (libcuda.so.1, libamdhip64.so; DDL_CUDA_LIBRARY and
 * DDL_HIP_LIBRARY name another file) is dlopen'ed the first time a device
 * model is opened, and its entry points are reached through a backend
 * table (device_cuda.c, device_hip.c). device.c holds what both share:
 * loading, error messages, and the per-device caches of modules, kernels
 * and constants.
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
#define DDL_DRIVER_MAX_SYMBOLS 24

/* One driver API. Every operation returns the driver's status (0 =
 * success) and, on failure, stores in *call the name of the entry point
 * that failed. `fns` holds the resolved `symbols`, in order. */
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
  /* grid[0..2] blocks of grid[3..5] threads, on the default stream. */
  int (*launch)(const ddl_fnptr *fns, void *function, const unsigned grid[6],
                unsigned shared_bytes, void **params, const char **call);
  int (*alloc)(const ddl_fnptr *fns, size_t bytes, void **ptr,
               const char **call);
  int (*free)(const ddl_fnptr *fns, void *ptr, const char **call);
  /* Synchronous copies on the default stream: after kernels before them. */
  int (*copy_to_device)(const ddl_fnptr *fns, void *dst, const void *src,
                        size_t bytes, const char **call);
  int (*copy_to_host)(const ddl_fnptr *fns, void *dst, const void *src,
                      size_t bytes, const char **call);
  /* Device to device, on the default stream (ordered after the kernels
   * before it; the host may not wait for it: synchronize to see it). */
  int (*copy_device_to_device)(const ddl_fnptr *fns, void *dst, const void *src,
                               size_t bytes, const char **call);
  int (*synchronize)(const ddl_fnptr *fns, const char **call);
  /* The driver's name and description of a status (either may be NULL). */
  void (*describe)(const ddl_fnptr *fns, int status, const char **name,
                   const char **text);
} ddl_device_backend;

extern const ddl_device_backend ddl_cuda_backend;
extern const ddl_device_backend ddl_hip_backend;

/* One opened GPU, owned by one model handle: the retained context and the
 * caches of loaded modules, kernels and constants (guarded by a mutex, so
 * concurrent runs of the handle may share it). Reference-counted: device
 * tensors that own memory of it (a run's device outputs) hold a
 * reference, so they can be freed after the handle is closed. */
typedef struct ddl_device ddl_device;

/* Loads the driver of `kind` (DDL_DEVICE_CUDA or DDL_DEVICE_ROCM) if this
 * process has not yet loaded that library file, initializes it, and opens
 * device `ordinal`. The library is found anew on every call (its
 * environment variable may have changed), and a failed load is not
 * remembered, so a later call can succeed. DDL_DEVICE_ERROR on failure. */
ddl_status ddl_device_open(int32_t kind, int ordinal, ddl_device **out);
/* The handle's end: frees the constants, unloads the modules and drops
 * the handle's reference (the context is released with the last one). */
void ddl_device_close(ddl_device *d);
/* Another reference, and dropping one; NULL is a no-op. Thread-safe. */
void ddl_device_retain(ddl_device *d);
void ddl_device_release(ddl_device *d);
/* "CUDA device 0", for messages. */
const char *ddl_device_label(const ddl_device *d);
/* The ddl_device_kind and the ordinal it was opened with. */
int32_t ddl_device_get_kind(const ddl_device *d);
int ddl_device_get_ordinal(const ddl_device *d);

/* Device memory, 256-byte aligned (the drivers' own alignment); 0 bytes
 * give a valid one-byte allocation. */
ddl_status ddl_device_alloc(ddl_device *d, int64_t bytes, void **out);
/* NULL is a no-op. */
ddl_status ddl_device_free(ddl_device *d, void *ptr);
ddl_status ddl_device_copy(ddl_device *d, void *dst, const void *src,
                           int64_t bytes, bool to_device);
/* Device-to-device copy, queued on the default stream after the kernels
 * before it; ddl_device_synchronize waits for it. */
ddl_status ddl_device_copy_on_device(ddl_device *d, void *dst, const void *src,
                                     int64_t bytes);
/* Loads `image` on its first use (cached by pointer) and launches kernel
 * `name` (cached by image and name pointer). A grid with no block or no
 * thread launches nothing. */
ddl_status ddl_device_launch(ddl_device *d, const void *image,
                             int64_t image_bytes, const char *name,
                             const int64_t grid_block[6], int64_t shared_bytes,
                             void **params);
/* The device copy of constant host data, uploaded on the first call for
 * (data, bytes) and kept until ddl_device_close. */
ddl_status ddl_device_constant(ddl_device *d, const void *data, int64_t bytes,
                               void **out);
/* Waits for every launch; reports a kernel's asynchronous failure. */
ddl_status ddl_device_synchronize(ddl_device *d);

#endif /* DDL_RUNTIME_SRC_DEVICE_H */
