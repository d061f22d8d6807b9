/*===- fake_cuda.c - the CUDA driver entry points ddl uses, on the host ---===*
 *
 * Loaded by the runtime in place of libcuda.so.1 (DDL_CUDA_LIBRARY) so
 * that the device layer is tested on machines without a GPU. See
 * fake_gpu.h for memory, kernels and FAKE_CUDA_FAIL / FAKE_CUDA_DEVICES.
 * Images must start with "FAKECUBIN"; others fail to load with
 * CUDA_ERROR_INVALID_IMAGE. Calls check what the real driver would: cuInit
 * first, a current context on the calling thread, device pointers.
 *
 * Streams and graph capture: see fake_gpu.h. The synchronous copies and
 * cuCtxSynchronize are there for completeness (ddl uses the stream-ordered
 * calls).
 *
 * -DFAKE_CUDA_NO_SYNC leaves cuStreamSynchronize out (a "driver too
 * old").
 *
 *===----------------------------------------------------------------------===*/
#include "fake_gpu.h"

typedef int CUresult;
typedef uintptr_t CUdeviceptr;

#define FAIL(call)                                                             \
  do {                                                                         \
    int rc_ = fake_fail("FAKE_CUDA_FAIL", call);                               \
    if (rc_)                                                                   \
      return rc_;                                                              \
  } while (0)

static int initialized;
static int live_contexts;
static _Thread_local void *current_context;

/* The context handle of device d: never NULL. */
static void *context_of(int d) { return (void *)(uintptr_t)(0x1000 + d); }

/* cuInit done and a context current on this thread. */
#define NEED_CONTEXT()                                                         \
  do {                                                                         \
    if (!initialized)                                                          \
      return FAKE_NOT_INITIALIZED;                                             \
    if (!current_context)                                                      \
      return FAKE_INVALID_CONTEXT;                                             \
  } while (0)

FAKE_EXPORT CUresult cuInit(unsigned flags) {
  FAIL("cuInit");
  if (flags != 0)
    return FAKE_INVALID_VALUE;
  initialized = 1;
  return FAKE_SUCCESS;
}

FAKE_EXPORT CUresult cuDeviceGetCount(int *count) {
  FAIL("cuDeviceGetCount");
  if (!initialized)
    return FAKE_NOT_INITIALIZED;
  *count = fake_device_count("FAKE_CUDA_DEVICES");
  return FAKE_SUCCESS;
}

FAKE_EXPORT CUresult cuDeviceGet(int *device, int ordinal) {
  FAIL("cuDeviceGet");
  if (!initialized)
    return FAKE_NOT_INITIALIZED;
  if (ordinal < 0 || ordinal >= fake_device_count("FAKE_CUDA_DEVICES"))
    return FAKE_INVALID_DEVICE;
  *device = ordinal;
  return FAKE_SUCCESS;
}

FAKE_EXPORT CUresult cuDevicePrimaryCtxRetain(void **ctx, int device) {
  FAIL("cuDevicePrimaryCtxRetain");
  *ctx = context_of(device);
  pthread_mutex_lock(&fake_mutex);
  ++live_contexts;
  pthread_mutex_unlock(&fake_mutex);
  return FAKE_SUCCESS;
}

FAKE_EXPORT CUresult cuDevicePrimaryCtxRelease_v2(int device) {
  (void)device;
  pthread_mutex_lock(&fake_mutex);
  --live_contexts;
  pthread_mutex_unlock(&fake_mutex);
  return FAKE_SUCCESS;
}

FAKE_EXPORT CUresult cuCtxSetCurrent(void *ctx) {
  FAIL("cuCtxSetCurrent");
  current_context = ctx;
  return FAKE_SUCCESS;
}

FAKE_EXPORT CUresult cuModuleLoadData(void **module, const void *image) {
  FAIL("cuModuleLoadData");
  NEED_CONTEXT();
  return fake_module_load(module, image, "FAKECUBIN");
}

FAKE_EXPORT CUresult cuModuleUnload(void *module) {
  NEED_CONTEXT();
  return fake_module_unload(module);
}

FAKE_EXPORT CUresult cuModuleGetFunction(void **function, void *module,
                                         const char *name) {
  FAIL("cuModuleGetFunction");
  NEED_CONTEXT();
  return fake_get_function(function, module, name);
}

FAKE_EXPORT CUresult cuLaunchKernel(void *function, unsigned gx, unsigned gy,
                                    unsigned gz, unsigned bx, unsigned by,
                                    unsigned bz, unsigned shared, void *stream,
                                    void **params, void **extra) {
  (void)shared;
  FAIL("cuLaunchKernel");
  NEED_CONTEXT();
  if (extra)
    return FAKE_INVALID_VALUE;
  const unsigned grid[6] = {gx, gy, gz, bx, by, bz};
  for (int i = 0; i < 6; ++i)
    if (grid[i] == 0)
      return FAKE_INVALID_VALUE;
  return fake_launch(function, grid, stream, params);
}

FAKE_EXPORT CUresult cuMemAlloc_v2(CUdeviceptr *ptr, size_t bytes) {
  FAIL("cuMemAlloc_v2");
  NEED_CONTEXT();
  int rc = fake_capture_forbids(0);
  if (rc)
    return rc;
  void *p = NULL;
  rc = fake_alloc(&p, bytes);
  *ptr = (CUdeviceptr)p;
  return rc;
}

FAKE_EXPORT CUresult cuMemFree_v2(CUdeviceptr ptr) {
  FAIL("cuMemFree_v2");
  NEED_CONTEXT();
  int rc = fake_capture_forbids(1);
  return rc ? rc : fake_free((void *)ptr);
}

/* Stream-ordered pools: allocations are tracked device memory like
 * cuMemAlloc's, and since queued work runs at once, a free queued on a
 * stream frees at once. Refused from a capturing thread (ddl allocates a
 * capture's memory with cuMemAlloc). */
static int live_pools, pool_allocs, pool_frees;

FAKE_EXPORT CUresult cuMemPoolCreate(void **pool, const void *props) {
  FAIL("cuMemPoolCreate");
  NEED_CONTEXT();
  /* CUmemPoolProps: allocType, handleTypes, location {type, id}. */
  const int *p = props;
  if (!pool || !props || p[0] != 1 || p[2] != 1 || p[3] < 0 ||
      p[3] >= fake_device_count("FAKE_CUDA_DEVICES"))
    return FAKE_INVALID_VALUE;
  pthread_mutex_lock(&fake_mutex);
  *pool = (void *)(uintptr_t)(0x5000 + ++live_pools);
  pthread_mutex_unlock(&fake_mutex);
  return FAKE_SUCCESS;
}

FAKE_EXPORT CUresult cuMemPoolDestroy(void *pool) {
  NEED_CONTEXT();
  if (!pool)
    return FAKE_INVALID_VALUE;
  pthread_mutex_lock(&fake_mutex);
  --live_pools;
  pthread_mutex_unlock(&fake_mutex);
  return FAKE_SUCCESS;
}

FAKE_EXPORT CUresult cuMemPoolSetAttribute(void *pool, int attr, void *value) {
  FAIL("cuMemPoolSetAttribute");
  NEED_CONTEXT();
  return pool && value && attr >= 1 && attr <= 8 ? FAKE_SUCCESS
                                                 : FAKE_INVALID_VALUE;
}

FAKE_EXPORT CUresult cuMemAllocFromPoolAsync(CUdeviceptr *ptr, size_t bytes,
                                             void *pool, void *stream) {
  FAIL("cuMemAllocFromPoolAsync");
  NEED_CONTEXT();
  fake_stream *s;
  pthread_mutex_lock(&fake_mutex);
  int rc = fake_stream_of(stream, &s);
  pthread_mutex_unlock(&fake_mutex);
  if (rc || !pool)
    return rc ? rc : FAKE_INVALID_VALUE;
  if ((rc = fake_capture_forbids(1)))
    return rc;
  void *p = NULL;
  rc = fake_alloc(&p, bytes);
  *ptr = (CUdeviceptr)p;
  if (rc == FAKE_SUCCESS) {
    pthread_mutex_lock(&fake_mutex);
    ++pool_allocs;
    pthread_mutex_unlock(&fake_mutex);
  }
  return rc;
}

FAKE_EXPORT CUresult cuMemFreeAsync(CUdeviceptr ptr, void *stream) {
  FAIL("cuMemFreeAsync");
  NEED_CONTEXT();
  fake_stream *s;
  pthread_mutex_lock(&fake_mutex);
  int rc = fake_stream_of(stream, &s);
  pthread_mutex_unlock(&fake_mutex);
  if (rc || (rc = fake_capture_forbids(1)))
    return rc;
  rc = fake_free((void *)ptr);
  if (rc == FAKE_SUCCESS) {
    pthread_mutex_lock(&fake_mutex);
    ++pool_frees;
    pthread_mutex_unlock(&fake_mutex);
  }
  return rc;
}

/* For the tests: pools alive, pool allocations and frees so far. */
FAKE_EXPORT void fake_cuda_pool_stats(int *pools, int *allocs, int *frees) {
  pthread_mutex_lock(&fake_mutex);
  *pools = live_pools;
  *allocs = pool_allocs;
  *frees = pool_frees;
  pthread_mutex_unlock(&fake_mutex);
}

FAKE_EXPORT CUresult cuMemAllocHost_v2(void **ptr, size_t bytes) {
  FAIL("cuMemAllocHost_v2");
  NEED_CONTEXT();
  return fake_host_alloc(ptr, bytes);
}

FAKE_EXPORT CUresult cuMemFreeHost(void *ptr) {
  NEED_CONTEXT();
  return fake_host_free(ptr);
}

FAKE_EXPORT CUresult cuMemcpyHtoD_v2(CUdeviceptr dst, const void *src,
                                     size_t bytes) {
  FAIL("cuMemcpyHtoD_v2");
  NEED_CONTEXT();
  return fake_copy((void *)dst, src, bytes, FAKE_HTOD, NULL, 1);
}

FAKE_EXPORT CUresult cuMemcpyDtoH_v2(void *dst, CUdeviceptr src, size_t bytes) {
  FAIL("cuMemcpyDtoH_v2");
  NEED_CONTEXT();
  return fake_copy(dst, (const void *)src, bytes, FAKE_DTOH, NULL, 1);
}

FAKE_EXPORT CUresult cuMemcpyDtoD_v2(CUdeviceptr dst, CUdeviceptr src,
                                     size_t bytes) {
  FAIL("cuMemcpyDtoD_v2");
  NEED_CONTEXT();
  return fake_copy((void *)dst, (const void *)src, bytes, FAKE_DTOD, NULL, 1);
}

FAKE_EXPORT CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr dst, const void *src,
                                          size_t bytes, void *stream) {
  FAIL("cuMemcpyHtoDAsync_v2");
  NEED_CONTEXT();
  return fake_copy((void *)dst, src, bytes, FAKE_HTOD, stream, 0);
}

FAKE_EXPORT CUresult cuMemcpyDtoHAsync_v2(void *dst, CUdeviceptr src,
                                          size_t bytes, void *stream) {
  FAIL("cuMemcpyDtoHAsync_v2");
  NEED_CONTEXT();
  return fake_copy(dst, (const void *)src, bytes, FAKE_DTOH, stream, 0);
}

FAKE_EXPORT CUresult cuMemcpyDtoDAsync_v2(CUdeviceptr dst, CUdeviceptr src,
                                          size_t bytes, void *stream) {
  FAIL("cuMemcpyDtoDAsync_v2");
  NEED_CONTEXT();
  return fake_copy((void *)dst, (const void *)src, bytes, FAKE_DTOD, stream, 0);
}

FAKE_EXPORT CUresult cuCtxSynchronize(void) {
  FAIL("cuCtxSynchronize");
  NEED_CONTEXT();
  return fake_context_synchronize();
}

FAKE_EXPORT CUresult cuStreamCreate(void **stream, unsigned flags) {
  FAIL("cuStreamCreate");
  NEED_CONTEXT();
  return fake_stream_create(stream, flags);
}

FAKE_EXPORT CUresult cuStreamDestroy_v2(void *stream) {
  NEED_CONTEXT();
  return fake_stream_destroy(stream);
}

#ifndef FAKE_CUDA_NO_SYNC
FAKE_EXPORT CUresult cuStreamSynchronize(void *stream) {
  FAIL("cuStreamSynchronize");
  NEED_CONTEXT();
  return fake_stream_synchronize(stream);
}
#endif

FAKE_EXPORT CUresult cuStreamBeginCapture_v2(void *stream, int mode) {
  FAIL("cuStreamBeginCapture_v2");
  NEED_CONTEXT();
  return fake_begin_capture(stream, mode);
}

FAKE_EXPORT CUresult cuStreamEndCapture(void *stream, void **graph) {
  FAIL("cuStreamEndCapture");
  NEED_CONTEXT();
  return fake_end_capture(stream, graph);
}

FAKE_EXPORT CUresult cuGraphInstantiateWithFlags(void **exec, void *graph,
                                                 unsigned long long flags) {
  FAIL("cuGraphInstantiateWithFlags");
  NEED_CONTEXT();
  if (flags != 0)
    return FAKE_INVALID_VALUE;
  return fake_instantiate(exec, graph);
}

FAKE_EXPORT CUresult cuGraphLaunch(void *exec, void *stream) {
  FAIL("cuGraphLaunch");
  NEED_CONTEXT();
  return fake_graph_launch(exec, stream);
}

FAKE_EXPORT CUresult cuGraphExecDestroy(void *exec) {
  NEED_CONTEXT();
  return fake_graph_destroy(exec);
}

FAKE_EXPORT CUresult cuGraphDestroy(void *graph) {
  NEED_CONTEXT();
  return fake_graph_destroy(graph);
}

static const fake_error cuda_errors[] = {
    {FAKE_SUCCESS, "CUDA_SUCCESS", "no error"},
    {FAKE_INVALID_VALUE, "CUDA_ERROR_INVALID_VALUE", "invalid argument"},
    {FAKE_OUT_OF_MEMORY, "CUDA_ERROR_OUT_OF_MEMORY", "out of memory"},
    {FAKE_NOT_INITIALIZED, "CUDA_ERROR_NOT_INITIALIZED",
     "initialization error"},
    {FAKE_NO_DEVICE, "CUDA_ERROR_NO_DEVICE",
     "no CUDA-capable device is detected"},
    {FAKE_INVALID_DEVICE, "CUDA_ERROR_INVALID_DEVICE",
     "invalid device ordinal"},
    {FAKE_INVALID_IMAGE, "CUDA_ERROR_INVALID_IMAGE",
     "device kernel image is invalid"},
    {FAKE_INVALID_CONTEXT, "CUDA_ERROR_INVALID_CONTEXT",
     "invalid device context"},
    {FAKE_INVALID_HANDLE, "CUDA_ERROR_INVALID_HANDLE",
     "invalid resource handle"},
    {FAKE_ILLEGAL_STATE, "CUDA_ERROR_ILLEGAL_STATE",
     "the operation cannot be performed in the present state"},
    {FAKE_NOT_FOUND, "CUDA_ERROR_NOT_FOUND", "named symbol not found"},
    {FAKE_LAUNCH_FAILED, "CUDA_ERROR_LAUNCH_FAILED",
     "unspecified launch failure"},
    {FAKE_CAPTURE_UNSUPPORTED, "CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED",
     "operation not permitted when stream is capturing"},
    {FAKE_CAPTURE_INVALIDATED, "CUDA_ERROR_STREAM_CAPTURE_INVALIDATED",
     "operation failed due to a previous error during capture"},
    {FAKE_UNKNOWN, "CUDA_ERROR_UNKNOWN", "unknown error"},
    {0, NULL, NULL}};

FAKE_EXPORT CUresult cuGetErrorName(CUresult status, const char **name) {
  const fake_error *e = fake_find_error(cuda_errors, status);
  *name = e ? e->name : NULL;
  return e ? FAKE_SUCCESS : FAKE_INVALID_VALUE;
}

FAKE_EXPORT CUresult cuGetErrorString(CUresult status, const char **text) {
  const fake_error *e = fake_find_error(cuda_errors, status);
  *text = e ? e->text : NULL;
  return e ? FAKE_SUCCESS : FAKE_INVALID_VALUE;
}

/* For the tests: what is alive now, and what happened so far. */
FAKE_EXPORT void fake_gpu_stats(int *live_allocs, int *live_modules,
                                int *module_loads, int *launches,
                                int *contexts) {
  pthread_mutex_lock(&fake_mutex);
  *live_allocs = fake_live_allocs;
  *live_modules = fake_live_modules;
  *module_loads = fake_module_loads;
  *launches = fake_launches;
  *contexts = live_contexts;
  pthread_mutex_unlock(&fake_mutex);
}

/* Hopper's calls: the fake has no TMA (the models then take their kernels
 * without it) and no kernel asks for more shared memory than it has. */
FAKE_EXPORT CUresult cuFuncSetAttribute(void *function, int attribute,
                                        int value) {
  FAIL("cuFuncSetAttribute");
  NEED_CONTEXT();
  return function && value >= 0 && attribute >= 0 ? FAKE_SUCCESS
                                                  : FAKE_INVALID_VALUE;
}

FAKE_EXPORT CUresult cuTensorMapEncodeTiled(
    void *map, int type, unsigned rank, void *address,
    const unsigned long long *dims, const unsigned long long *strides,
    const unsigned *box, const unsigned *element_strides, int interleave,
    int swizzle, int promotion, int fill) {
  (void)map, (void)type, (void)rank, (void)address, (void)dims, (void)strides;
  (void)box, (void)element_strides, (void)interleave, (void)swizzle;
  (void)promotion, (void)fill;
  FAIL("cuTensorMapEncodeTiled");
  return FAKE_INVALID_VALUE;
}
