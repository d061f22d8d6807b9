/*===- device_cuda.c - the CUDA driver API as a ddl_device_backend -------===*
 *
 * libcuda.so.1 through dlsym: the types are declared here (CUresult as int,
 * handles as void *, CUdeviceptr as an integer of pointer size), not taken
 * from cuda.h, so the runtime builds and runs without the toolkit. Where
 * cuda.h #defines a name to a versioned symbol (cuMemAlloc ->
 * cuMemAlloc_v2), the versioned symbol is the one resolved.
 *
 * Each device's primary context is used (the one the CUDA runtime API
 * shares), and everything goes on the legacy default stream, where the
 * synchronous copies wait for the kernels launched before them.
 *
 *===----------------------------------------------------------------------===*/
#include "device.h"

#include <stdint.h>

typedef int CUresult;
typedef int CUdevice;
typedef uintptr_t CUdeviceptr; /* unsigned long long on LP64 */

enum {
  CU_INIT,
  CU_DEVICE_GET_COUNT,
  CU_DEVICE_GET,
  CU_PRIMARY_CTX_RETAIN,
  CU_PRIMARY_CTX_RELEASE,
  CU_CTX_SET_CURRENT,
  CU_MODULE_LOAD_DATA,
  CU_MODULE_UNLOAD,
  CU_MODULE_GET_FUNCTION,
  CU_LAUNCH_KERNEL,
  CU_MEM_ALLOC,
  CU_MEM_FREE,
  CU_MEMCPY_HTOD,
  CU_MEMCPY_DTOH,
  CU_MEMCPY_DTOD,
  CU_CTX_SYNCHRONIZE,
  CU_GET_ERROR_NAME,
  CU_GET_ERROR_STRING,
  CU_NUM_SYMBOLS
};

static const char *const cuda_symbols[CU_NUM_SYMBOLS] = {
    [CU_INIT] = "cuInit",
    [CU_DEVICE_GET_COUNT] = "cuDeviceGetCount",
    [CU_DEVICE_GET] = "cuDeviceGet",
    [CU_PRIMARY_CTX_RETAIN] = "cuDevicePrimaryCtxRetain",
    [CU_PRIMARY_CTX_RELEASE] = "cuDevicePrimaryCtxRelease_v2",
    [CU_CTX_SET_CURRENT] = "cuCtxSetCurrent",
    [CU_MODULE_LOAD_DATA] = "cuModuleLoadData",
    [CU_MODULE_UNLOAD] = "cuModuleUnload",
    [CU_MODULE_GET_FUNCTION] = "cuModuleGetFunction",
    [CU_LAUNCH_KERNEL] = "cuLaunchKernel",
    [CU_MEM_ALLOC] = "cuMemAlloc_v2",
    [CU_MEM_FREE] = "cuMemFree_v2",
    [CU_MEMCPY_HTOD] = "cuMemcpyHtoD_v2",
    [CU_MEMCPY_DTOH] = "cuMemcpyDtoH_v2",
    [CU_MEMCPY_DTOD] = "cuMemcpyDtoD_v2",
    [CU_CTX_SYNCHRONIZE] = "cuCtxSynchronize",
    [CU_GET_ERROR_NAME] = "cuGetErrorName",
    [CU_GET_ERROR_STRING] = "cuGetErrorString",
};

/* fns[i] as the entry point's real type. */
#define CU(index, type) ((type)fns[index])

static int cuda_init(const ddl_fnptr *fns, const char **call) {
  *call = cuda_symbols[CU_INIT];
  return CU(CU_INIT, CUresult (*)(unsigned))(0);
}

static int cuda_device_count(const ddl_fnptr *fns, int *count,
                             const char **call) {
  *call = cuda_symbols[CU_DEVICE_GET_COUNT];
  return CU(CU_DEVICE_GET_COUNT, CUresult (*)(int *))(count);
}

static int cuda_context_retain(const ddl_fnptr *fns, int ordinal, void **ctx,
                               const char **call) {
  CUdevice dev;
  *call = cuda_symbols[CU_DEVICE_GET];
  CUresult rc = CU(CU_DEVICE_GET, CUresult (*)(CUdevice *, int))(&dev, ordinal);
  if (rc)
    return rc;
  *call = cuda_symbols[CU_PRIMARY_CTX_RETAIN];
  return CU(CU_PRIMARY_CTX_RETAIN, CUresult (*)(void **, CUdevice))(ctx, dev);
}

static void cuda_context_release(const ddl_fnptr *fns, int ordinal, void *ctx) {
  (void)ctx;
  CUdevice dev;
  if (CU(CU_DEVICE_GET, CUresult (*)(CUdevice *, int))(&dev, ordinal) == 0)
    CU(CU_PRIMARY_CTX_RELEASE, CUresult (*)(CUdevice))(dev);
}

static int cuda_bind(const ddl_fnptr *fns, int ordinal, void *ctx,
                     const char **call) {
  (void)ordinal;
  *call = cuda_symbols[CU_CTX_SET_CURRENT];
  return CU(CU_CTX_SET_CURRENT, CUresult (*)(void *))(ctx);
}

static int cuda_module_load(const ddl_fnptr *fns, const void *image,
                            void **module, const char **call) {
  *call = cuda_symbols[CU_MODULE_LOAD_DATA];
  return CU(CU_MODULE_LOAD_DATA, CUresult (*)(void **, const void *))(module,
                                                                      image);
}

static void cuda_module_unload(const ddl_fnptr *fns, void *module) {
  CU(CU_MODULE_UNLOAD, CUresult (*)(void *))(module);
}

static int cuda_get_function(const ddl_fnptr *fns, void *module,
                             const char *name, void **function,
                             const char **call) {
  *call = cuda_symbols[CU_MODULE_GET_FUNCTION];
  return CU(CU_MODULE_GET_FUNCTION,
            CUresult (*)(void **, void *, const char *))(function, module,
                                                         name);
}

static int cuda_launch(const ddl_fnptr *fns, void *function,
                       const unsigned grid[6], unsigned shared_bytes,
                       void **params, const char **call) {
  *call = cuda_symbols[CU_LAUNCH_KERNEL];
  return CU(CU_LAUNCH_KERNEL, CUresult (*)(void *, unsigned, unsigned, unsigned,
                                           unsigned, unsigned, unsigned,
                                           unsigned, void *, void **, void **))(
      function, grid[0], grid[1], grid[2], grid[3], grid[4], grid[5],
      shared_bytes, NULL, params, NULL);
}

static int cuda_alloc(const ddl_fnptr *fns, size_t bytes, void **ptr,
                      const char **call) {
  CUdeviceptr p = 0;
  *call = cuda_symbols[CU_MEM_ALLOC];
  CUresult rc =
      CU(CU_MEM_ALLOC, CUresult (*)(CUdeviceptr *, size_t))(&p, bytes);
  *ptr = (void *)p;
  return rc;
}

static int cuda_free(const ddl_fnptr *fns, void *ptr, const char **call) {
  *call = cuda_symbols[CU_MEM_FREE];
  return CU(CU_MEM_FREE, CUresult (*)(CUdeviceptr))((CUdeviceptr)ptr);
}

static int cuda_copy_to_device(const ddl_fnptr *fns, void *dst, const void *src,
                               size_t bytes, const char **call) {
  *call = cuda_symbols[CU_MEMCPY_HTOD];
  return CU(CU_MEMCPY_HTOD, CUresult (*)(CUdeviceptr, const void *, size_t))(
      (CUdeviceptr)dst, src, bytes);
}

static int cuda_copy_to_host(const ddl_fnptr *fns, void *dst, const void *src,
                             size_t bytes, const char **call) {
  *call = cuda_symbols[CU_MEMCPY_DTOH];
  return CU(CU_MEMCPY_DTOH, CUresult (*)(void *, CUdeviceptr, size_t))(
      dst, (CUdeviceptr)src, bytes);
}

static int cuda_copy_device_to_device(const ddl_fnptr *fns, void *dst,
                                      const void *src, size_t bytes,
                                      const char **call) {
  *call = cuda_symbols[CU_MEMCPY_DTOD];
  return CU(CU_MEMCPY_DTOD, CUresult (*)(CUdeviceptr, CUdeviceptr, size_t))(
      (CUdeviceptr)dst, (CUdeviceptr)src, bytes);
}

static int cuda_synchronize(const ddl_fnptr *fns, const char **call) {
  *call = cuda_symbols[CU_CTX_SYNCHRONIZE];
  return CU(CU_CTX_SYNCHRONIZE, CUresult (*)(void))();
}

static void cuda_describe(const ddl_fnptr *fns, int status, const char **name,
                          const char **text) {
  if (CU(CU_GET_ERROR_NAME, CUresult (*)(CUresult, const char **))(status,
                                                                   name) != 0)
    *name = NULL;
  if (CU(CU_GET_ERROR_STRING, CUresult (*)(CUresult, const char **))(status,
                                                                     text) != 0)
    *text = NULL;
}

const ddl_device_backend ddl_cuda_backend = {
    .name = "CUDA",
    .library = "libcuda.so.1",
    .library_env = "DDL_CUDA_LIBRARY",
    .symbols = cuda_symbols,
    .num_symbols = CU_NUM_SYMBOLS,
    .init = cuda_init,
    .device_count = cuda_device_count,
    .context_retain = cuda_context_retain,
    .context_release = cuda_context_release,
    .bind = cuda_bind,
    .module_load = cuda_module_load,
    .module_unload = cuda_module_unload,
    .get_function = cuda_get_function,
    .launch = cuda_launch,
    .alloc = cuda_alloc,
    .free = cuda_free,
    .copy_to_device = cuda_copy_to_device,
    .copy_to_host = cuda_copy_to_host,
    .copy_device_to_device = cuda_copy_device_to_device,
    .synchronize = cuda_synchronize,
    .describe = cuda_describe,
};
