/*===- device_hip.c - the HIP module API (ROCm) as a ddl_device_backend --===*
 *
 * libamdhip64.so through dlsym, with hipError_t as int and handles as
 * void * (no HIP headers). HIP has no explicit context: a device is made
 * current per thread with hipSetDevice. Work goes on streams made with
 * hipStreamNonBlocking (or the caller's), copies with hipMemcpyAsync.
 * Graph capture (hipGraph) is not implemented: the backend leaves its
 * graph entries NULL and graph mode runs models normally.
 *
 *===----------------------------------------------------------------------===*/
#include "device.h"

typedef int hipError_t;

enum {
  HIP_INIT,
  HIP_GET_DEVICE_COUNT,
  HIP_SET_DEVICE,
  HIP_MODULE_LOAD_DATA,
  HIP_MODULE_UNLOAD,
  HIP_MODULE_GET_FUNCTION,
  HIP_MODULE_LAUNCH_KERNEL,
  HIP_MALLOC,
  HIP_FREE,
  HIP_MEMCPY_ASYNC,
  HIP_STREAM_CREATE,
  HIP_STREAM_DESTROY,
  HIP_STREAM_SYNCHRONIZE,
  HIP_GET_ERROR_NAME,
  HIP_GET_ERROR_STRING,
  HIP_NUM_SYMBOLS
};

_Static_assert(HIP_NUM_SYMBOLS <= DDL_DRIVER_MAX_SYMBOLS,
               "raise DDL_DRIVER_MAX_SYMBOLS (device.h)");

static const char *const hip_symbols[HIP_NUM_SYMBOLS] = {
    [HIP_INIT] = "hipInit",
    [HIP_GET_DEVICE_COUNT] = "hipGetDeviceCount",
    [HIP_SET_DEVICE] = "hipSetDevice",
    [HIP_MODULE_LOAD_DATA] = "hipModuleLoadData",
    [HIP_MODULE_UNLOAD] = "hipModuleUnload",
    [HIP_MODULE_GET_FUNCTION] = "hipModuleGetFunction",
    [HIP_MODULE_LAUNCH_KERNEL] = "hipModuleLaunchKernel",
    [HIP_MALLOC] = "hipMalloc",
    [HIP_FREE] = "hipFree",
    [HIP_MEMCPY_ASYNC] = "hipMemcpyAsync",
    [HIP_STREAM_CREATE] = "hipStreamCreateWithFlags",
    [HIP_STREAM_DESTROY] = "hipStreamDestroy",
    [HIP_STREAM_SYNCHRONIZE] = "hipStreamSynchronize",
    [HIP_GET_ERROR_NAME] = "hipGetErrorName",
    [HIP_GET_ERROR_STRING] = "hipGetErrorString",
};

/* fns[i] as the entry point's real type. */
#define HIP(index, type) ((type)fns[index])

static int hip_init(const ddl_fnptr *fns, const char **call) {
  *call = hip_symbols[HIP_INIT];
  return HIP(HIP_INIT, hipError_t (*)(unsigned))(0);
}

static int hip_device_count(const ddl_fnptr *fns, int *count,
                            const char **call) {
  *call = hip_symbols[HIP_GET_DEVICE_COUNT];
  return HIP(HIP_GET_DEVICE_COUNT, hipError_t (*)(int *))(count);
}

static int hip_bind(const ddl_fnptr *fns, int ordinal, void *ctx,
                    const char **call) {
  (void)ctx;
  *call = hip_symbols[HIP_SET_DEVICE];
  return HIP(HIP_SET_DEVICE, hipError_t (*)(int))(ordinal);
}

static int hip_context_retain(const ddl_fnptr *fns, int ordinal, void **ctx,
                              const char **call) {
  *ctx = NULL;
  return hip_bind(fns, ordinal, NULL, call);
}

static void hip_context_release(const ddl_fnptr *fns, int ordinal, void *ctx) {
  (void)fns, (void)ordinal, (void)ctx;
}

static int hip_module_load(const ddl_fnptr *fns, const void *image,
                           void **module, const char **call) {
  *call = hip_symbols[HIP_MODULE_LOAD_DATA];
  return HIP(HIP_MODULE_LOAD_DATA,
             hipError_t (*)(void **, const void *))(module, image);
}

static void hip_module_unload(const ddl_fnptr *fns, void *module) {
  HIP(HIP_MODULE_UNLOAD, hipError_t (*)(void *))(module);
}

static int hip_get_function(const ddl_fnptr *fns, void *module,
                            const char *name, void **function,
                            const char **call) {
  *call = hip_symbols[HIP_MODULE_GET_FUNCTION];
  return HIP(HIP_MODULE_GET_FUNCTION,
             hipError_t (*)(void **, void *, const char *))(function, module,
                                                            name);
}

static int hip_launch(const ddl_fnptr *fns, void *function,
                      const unsigned grid[6], unsigned shared_bytes,
                      void *stream, void **params, const char **call) {
  *call = hip_symbols[HIP_MODULE_LAUNCH_KERNEL];
  return HIP(HIP_MODULE_LAUNCH_KERNEL,
             hipError_t (*)(void *, unsigned, unsigned, unsigned, unsigned,
                            unsigned, unsigned, unsigned, void *, void **,
                            void **))(function, grid[0], grid[1], grid[2],
                                      grid[3], grid[4], grid[5], shared_bytes,
                                      stream, params, NULL);
}

static int hip_alloc(const ddl_fnptr *fns, size_t bytes, void **ptr,
                     const char **call) {
  *call = hip_symbols[HIP_MALLOC];
  return HIP(HIP_MALLOC, hipError_t (*)(void **, size_t))(ptr, bytes);
}

static int hip_free(const ddl_fnptr *fns, void *ptr, const char **call) {
  *call = hip_symbols[HIP_FREE];
  return HIP(HIP_FREE, hipError_t (*)(void *))(ptr);
}

/* hipStreamCreateWithFlags' flag: no implicit ordering with the null
 * stream. */
#define HIP_STREAM_NON_BLOCKING 0x1

static int hip_stream_create(const ddl_fnptr *fns, void **stream,
                             const char **call) {
  *call = hip_symbols[HIP_STREAM_CREATE];
  return HIP(HIP_STREAM_CREATE, hipError_t (*)(void **, unsigned))(
      stream, HIP_STREAM_NON_BLOCKING);
}

static void hip_stream_destroy(const ddl_fnptr *fns, void *stream) {
  HIP(HIP_STREAM_DESTROY, hipError_t (*)(void *))(stream);
}

static int hip_stream_synchronize(const ddl_fnptr *fns, void *stream,
                                  const char **call) {
  *call = hip_symbols[HIP_STREAM_SYNCHRONIZE];
  return HIP(HIP_STREAM_SYNCHRONIZE, hipError_t (*)(void *))(stream);
}

/* DDL_COPY_* are hipMemcpyKind's values. */
static int hip_copy(const ddl_fnptr *fns, void *dst, const void *src,
                    size_t bytes, int direction, void *stream,
                    const char **call) {
  *call = hip_symbols[HIP_MEMCPY_ASYNC];
  return HIP(HIP_MEMCPY_ASYNC,
             hipError_t (*)(void *, const void *, size_t, int, void *))(
      dst, src, bytes, direction, stream);
}

static void hip_describe(const ddl_fnptr *fns, int status, const char **name,
                         const char **text) {
  *name = HIP(HIP_GET_ERROR_NAME, const char *(*)(hipError_t))(status);
  *text = HIP(HIP_GET_ERROR_STRING, const char *(*)(hipError_t))(status);
}

const ddl_device_backend ddl_hip_backend = {
    .name = "ROCm",
    .library = "libamdhip64.so",
    .library_env = "DDL_HIP_LIBRARY",
    .symbols = hip_symbols,
    .num_symbols = HIP_NUM_SYMBOLS,
    .init = hip_init,
    .device_count = hip_device_count,
    .context_retain = hip_context_retain,
    .context_release = hip_context_release,
    .bind = hip_bind,
    .module_load = hip_module_load,
    .module_unload = hip_module_unload,
    .get_function = hip_get_function,
    .launch = hip_launch,
    .alloc = hip_alloc,
    .free = hip_free,
    .stream_create = hip_stream_create,
    .stream_destroy = hip_stream_destroy,
    .stream_synchronize = hip_stream_synchronize,
    .copy = hip_copy,
    .describe = hip_describe,
};
