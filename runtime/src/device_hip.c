/*===- device_hip.c - the HIP module API (ROCm) as a ddl_device_backend --===*
 *
 * libamdhip64.so through dlsym, with hipError_t as int and handles as
 * void * (no HIP headers). HIP has no explicit context: a device is made
 * current per thread with hipSetDevice. Everything goes on the null
 * stream, where hipMemcpy waits for the kernels launched before it.
 *
 *===----------------------------------------------------------------------===*/
#include "device.h"

typedef int hipError_t;

/* hipMemcpyKind */
#define HIP_MEMCPY_HOST_TO_DEVICE 1
#define HIP_MEMCPY_DEVICE_TO_HOST 2
#define HIP_MEMCPY_DEVICE_TO_DEVICE 3

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
  HIP_MEMCPY,
  HIP_DEVICE_SYNCHRONIZE,
  HIP_GET_ERROR_NAME,
  HIP_GET_ERROR_STRING,
  HIP_NUM_SYMBOLS
};

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
    [HIP_MEMCPY] = "hipMemcpy",
    [HIP_DEVICE_SYNCHRONIZE] = "hipDeviceSynchronize",
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
                      void **params, const char **call) {
  *call = hip_symbols[HIP_MODULE_LAUNCH_KERNEL];
  return HIP(HIP_MODULE_LAUNCH_KERNEL,
             hipError_t (*)(void *, unsigned, unsigned, unsigned, unsigned,
                            unsigned, unsigned, unsigned, void *, void **,
                            void **))(function, grid[0], grid[1], grid[2],
                                      grid[3], grid[4], grid[5], shared_bytes,
                                      NULL, params, NULL);
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

static int hip_copy(const ddl_fnptr *fns, void *dst, const void *src,
                    size_t bytes, int kind, const char **call) {
  *call = hip_symbols[HIP_MEMCPY];
  return HIP(HIP_MEMCPY, hipError_t (*)(void *, const void *, size_t, int))(
      dst, src, bytes, kind);
}

static int hip_copy_to_device(const ddl_fnptr *fns, void *dst, const void *src,
                              size_t bytes, const char **call) {
  return hip_copy(fns, dst, src, bytes, HIP_MEMCPY_HOST_TO_DEVICE, call);
}

static int hip_copy_to_host(const ddl_fnptr *fns, void *dst, const void *src,
                            size_t bytes, const char **call) {
  return hip_copy(fns, dst, src, bytes, HIP_MEMCPY_DEVICE_TO_HOST, call);
}

static int hip_copy_device_to_device(const ddl_fnptr *fns, void *dst,
                                     const void *src, size_t bytes,
                                     const char **call) {
  return hip_copy(fns, dst, src, bytes, HIP_MEMCPY_DEVICE_TO_DEVICE, call);
}

static int hip_synchronize(const ddl_fnptr *fns, const char **call) {
  *call = hip_symbols[HIP_DEVICE_SYNCHRONIZE];
  return HIP(HIP_DEVICE_SYNCHRONIZE, hipError_t (*)(void))();
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
    .copy_to_device = hip_copy_to_device,
    .copy_to_host = hip_copy_to_host,
    .copy_device_to_device = hip_copy_device_to_device,
    .synchronize = hip_synchronize,
    .describe = hip_describe,
};
