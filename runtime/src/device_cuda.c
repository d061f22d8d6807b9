/*===- device_cuda.c - the CUDA driver API as a ddl_device_backend -------===*
 *
 * libcuda.so.1 through dlsym: the types are declared here (CUresult as int,
 * handles as void *, CUdeviceptr as an integer of pointer size), not taken
 * from cuda.h, so the runtime builds and runs without the toolkit. Where
 * cuda.h #defines a name to a versioned symbol (cuMemAlloc ->
 * cuMemAlloc_v2), the versioned symbol is the one resolved.
 *
 * Each device's primary context is used (the one the CUDA runtime API
 * shares). Work goes on streams made with CU_STREAM_NON_BLOCKING (or the
 * caller's), with asynchronous copies. A run's buffers come from a
 * stream-ordered pool per ddl_device (cuMemPoolCreate with a release
 * threshold that keeps freed memory; cuMemAllocFromPoolAsync /
 * cuMemFreeAsync). Graph capture records a stream in
 * relaxed mode (so cuMemAlloc stays allowed while a run is captured) and
 * keeps only the instantiated executable.
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
  CU_STREAM_CREATE,
  CU_STREAM_DESTROY,
  CU_STREAM_SYNCHRONIZE,
  CU_LAUNCH_KERNEL,
  CU_MEM_ALLOC,
  CU_MEM_FREE,
  CU_MEMCPY_HTOD_ASYNC,
  CU_MEMCPY_DTOH_ASYNC,
  CU_MEMCPY_DTOD_ASYNC,
  CU_GET_ERROR_NAME,
  CU_GET_ERROR_STRING,
  CU_MEM_ALLOC_HOST,
  CU_MEM_FREE_HOST,
  CU_STREAM_BEGIN_CAPTURE,
  CU_STREAM_END_CAPTURE,
  CU_GRAPH_INSTANTIATE,
  CU_GRAPH_LAUNCH,
  CU_GRAPH_EXEC_DESTROY,
  CU_GRAPH_DESTROY,
  CU_MEM_POOL_CREATE,
  CU_MEM_POOL_DESTROY,
  CU_MEM_POOL_SET_ATTRIBUTE,
  CU_MEM_ALLOC_FROM_POOL_ASYNC,
  CU_MEM_FREE_ASYNC,
  CU_CTX_SYNCHRONIZE,
  CU_FUNC_SET_ATTRIBUTE,
  CU_TENSOR_MAP_ENCODE_TILED,
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
    [CU_STREAM_CREATE] = "cuStreamCreate",
    [CU_STREAM_DESTROY] = "cuStreamDestroy_v2",
    [CU_STREAM_SYNCHRONIZE] = "cuStreamSynchronize",
    [CU_LAUNCH_KERNEL] = "cuLaunchKernel",
    [CU_MEM_ALLOC] = "cuMemAlloc_v2",
    [CU_MEM_FREE] = "cuMemFree_v2",
    [CU_MEMCPY_HTOD_ASYNC] = "cuMemcpyHtoDAsync_v2",
    [CU_MEMCPY_DTOH_ASYNC] = "cuMemcpyDtoHAsync_v2",
    [CU_MEMCPY_DTOD_ASYNC] = "cuMemcpyDtoDAsync_v2",
    [CU_GET_ERROR_NAME] = "cuGetErrorName",
    [CU_GET_ERROR_STRING] = "cuGetErrorString",
    [CU_MEM_ALLOC_HOST] = "cuMemAllocHost_v2",
    [CU_MEM_FREE_HOST] = "cuMemFreeHost",
    [CU_STREAM_BEGIN_CAPTURE] = "cuStreamBeginCapture_v2",
    [CU_STREAM_END_CAPTURE] = "cuStreamEndCapture",
    [CU_GRAPH_INSTANTIATE] = "cuGraphInstantiateWithFlags",
    [CU_GRAPH_LAUNCH] = "cuGraphLaunch",
    [CU_GRAPH_EXEC_DESTROY] = "cuGraphExecDestroy",
    [CU_GRAPH_DESTROY] = "cuGraphDestroy",
    [CU_MEM_POOL_CREATE] = "cuMemPoolCreate",
    [CU_MEM_POOL_DESTROY] = "cuMemPoolDestroy",
    [CU_MEM_POOL_SET_ATTRIBUTE] = "cuMemPoolSetAttribute",
    [CU_MEM_ALLOC_FROM_POOL_ASYNC] = "cuMemAllocFromPoolAsync",
    [CU_MEM_FREE_ASYNC] = "cuMemFreeAsync",
    [CU_CTX_SYNCHRONIZE] = "cuCtxSynchronize",
    [CU_FUNC_SET_ATTRIBUTE] = "cuFuncSetAttribute",
    [CU_TENSOR_MAP_ENCODE_TILED] = "cuTensorMapEncodeTiled",
};

_Static_assert(CU_NUM_SYMBOLS <= DDL_DRIVER_MAX_SYMBOLS,
               "raise DDL_DRIVER_MAX_SYMBOLS (device.h)");

/* cuStreamCreate's flag: no implicit ordering with the legacy stream. */
#define CU_STREAM_NON_BLOCKING 0x1
/* CUstreamCaptureMode: other threads' and this thread's unsafe calls
 * (cuMemAlloc among them) stay allowed while capturing. */
#define CU_STREAM_CAPTURE_MODE_RELAXED 2

/* CUmemPoolProps (cuda.h, CUDA 11.2 on: the same 88 bytes, the later
 * fields carved out of `reserved`): pinned device memory of one device. */
typedef struct {
  int alloc_type;    /* CU_MEM_ALLOCATION_TYPE_PINNED */
  int handle_types;  /* CU_MEM_HANDLE_TYPE_NONE */
  int location_type; /* CU_MEM_LOCATION_TYPE_DEVICE */
  int location_id;   /* the device ordinal */
  void *win32_security_attributes;
  size_t max_size;
  unsigned short usage;
  unsigned char reserved[54];
} cuda_pool_props;
_Static_assert(sizeof(void *) != 8 || sizeof(cuda_pool_props) == 88,
               "CUmemPoolProps is 88 bytes on 64-bit targets");
#define CU_MEM_ALLOCATION_TYPE_PINNED 0x1
#define CU_MEM_LOCATION_TYPE_DEVICE 0x1
/* CUmemPool_attribute: bytes the pool keeps before it releases memory to
 * the system at a synchronization (default 0: release everything). */
#define CU_MEMPOOL_ATTR_RELEASE_THRESHOLD 4

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

static int cuda_stream_create(const ddl_fnptr *fns, void **stream,
                              const char **call) {
  *call = cuda_symbols[CU_STREAM_CREATE];
  return CU(CU_STREAM_CREATE,
            CUresult (*)(void **, unsigned))(stream, CU_STREAM_NON_BLOCKING);
}

static void cuda_stream_destroy(const ddl_fnptr *fns, void *stream) {
  CU(CU_STREAM_DESTROY, CUresult (*)(void *))(stream);
}

static int cuda_stream_synchronize(const ddl_fnptr *fns, void *stream,
                                   const char **call) {
  *call = cuda_symbols[CU_STREAM_SYNCHRONIZE];
  return CU(CU_STREAM_SYNCHRONIZE, CUresult (*)(void *))(stream);
}

static int cuda_launch(const ddl_fnptr *fns, void *function,
                       const unsigned grid[6], unsigned shared_bytes,
                       void *stream, void **params, const char **call) {
  *call = cuda_symbols[CU_LAUNCH_KERNEL];
  return CU(CU_LAUNCH_KERNEL, CUresult (*)(void *, unsigned, unsigned, unsigned,
                                           unsigned, unsigned, unsigned,
                                           unsigned, void *, void **, void **))(
      function, grid[0], grid[1], grid[2], grid[3], grid[4], grid[5],
      shared_bytes, stream, params, NULL);
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

static int cuda_copy(const ddl_fnptr *fns, void *dst, const void *src,
                     size_t bytes, int direction, void *stream,
                     const char **call) {
  switch (direction) {
  case DDL_COPY_TO_DEVICE:
    *call = cuda_symbols[CU_MEMCPY_HTOD_ASYNC];
    return CU(CU_MEMCPY_HTOD_ASYNC,
              CUresult (*)(CUdeviceptr, const void *, size_t, void *))(
        (CUdeviceptr)dst, src, bytes, stream);
  case DDL_COPY_TO_HOST:
    *call = cuda_symbols[CU_MEMCPY_DTOH_ASYNC];
    return CU(CU_MEMCPY_DTOH_ASYNC,
              CUresult (*)(void *, CUdeviceptr, size_t, void *))(
        dst, (CUdeviceptr)src, bytes, stream);
  default:
    *call = cuda_symbols[CU_MEMCPY_DTOD_ASYNC];
    return CU(CU_MEMCPY_DTOD_ASYNC,
              CUresult (*)(CUdeviceptr, CUdeviceptr, size_t, void *))(
        (CUdeviceptr)dst, (CUdeviceptr)src, bytes, stream);
  }
}

static int cuda_host_alloc(const ddl_fnptr *fns, size_t bytes, void **ptr,
                           const char **call) {
  *call = cuda_symbols[CU_MEM_ALLOC_HOST];
  return CU(CU_MEM_ALLOC_HOST, CUresult (*)(void **, size_t))(ptr, bytes);
}

static void cuda_host_free(const ddl_fnptr *fns, void *ptr) {
  CU(CU_MEM_FREE_HOST, CUresult (*)(void *))(ptr);
}

static int cuda_capture_begin(const ddl_fnptr *fns, void *stream,
                              const char **call) {
  *call = cuda_symbols[CU_STREAM_BEGIN_CAPTURE];
  return CU(CU_STREAM_BEGIN_CAPTURE,
            CUresult (*)(void *, int))(stream, CU_STREAM_CAPTURE_MODE_RELAXED);
}

static int cuda_capture_end(const ddl_fnptr *fns, void *stream, void **exec,
                            const char **call) {
  void *graph = NULL;
  *exec = NULL;
  *call = cuda_symbols[CU_STREAM_END_CAPTURE];
  CUresult rc =
      CU(CU_STREAM_END_CAPTURE, CUresult (*)(void *, void **))(stream, &graph);
  if (rc == 0) {
    *call = cuda_symbols[CU_GRAPH_INSTANTIATE];
    rc = CU(CU_GRAPH_INSTANTIATE,
            CUresult (*)(void **, void *, unsigned long long))(exec, graph, 0);
    if (rc)
      *exec = NULL;
  }
  /* The executable does not need the graph it was made from. */
  if (graph)
    CU(CU_GRAPH_DESTROY, CUresult (*)(void *))(graph);
  return rc;
}

static int cuda_graph_launch(const ddl_fnptr *fns, void *exec, void *stream,
                             const char **call) {
  *call = cuda_symbols[CU_GRAPH_LAUNCH];
  return CU(CU_GRAPH_LAUNCH, CUresult (*)(void *, void *))(exec, stream);
}

static void cuda_graph_destroy(const ddl_fnptr *fns, void *exec) {
  CU(CU_GRAPH_EXEC_DESTROY, CUresult (*)(void *))(exec);
}

static int cuda_pool_create(const ddl_fnptr *fns, int ordinal, void **pool,
                            const char **call) {
  cuda_pool_props props = {.alloc_type = CU_MEM_ALLOCATION_TYPE_PINNED,
                           .location_type = CU_MEM_LOCATION_TYPE_DEVICE,
                           .location_id = ordinal};
  *call = cuda_symbols[CU_MEM_POOL_CREATE];
  /* Called through `const void *` (the same ABI as the struct pointer),
   * the type the test's fake driver defines it with: UBSan's function-type
   * check compares the two in sanitized builds. */
  CUresult rc =
      CU(CU_MEM_POOL_CREATE, CUresult (*)(void **, const void *))(pool, &props);
  if (rc)
    return rc;
  /* Keep freed memory: a model's outputs and temporaries come back each
   * run, and releasing them at every synchronization would make each run
   * map them anew. */
  uint64_t keep = UINT64_MAX;
  *call = cuda_symbols[CU_MEM_POOL_SET_ATTRIBUTE];
  rc = CU(CU_MEM_POOL_SET_ATTRIBUTE, CUresult (*)(void *, int, void *))(
      *pool, CU_MEMPOOL_ATTR_RELEASE_THRESHOLD, &keep);
  if (rc) {
    CU(CU_MEM_POOL_DESTROY, CUresult (*)(void *))(*pool);
    *pool = NULL;
  }
  return rc;
}

static void cuda_pool_destroy(const ddl_fnptr *fns, void *pool) {
  CU(CU_MEM_POOL_DESTROY, CUresult (*)(void *))(pool);
}

static int cuda_pool_alloc(const ddl_fnptr *fns, void *pool, size_t bytes,
                           void *stream, void **ptr, const char **call) {
  CUdeviceptr p = 0;
  *call = cuda_symbols[CU_MEM_ALLOC_FROM_POOL_ASYNC];
  CUresult rc = CU(CU_MEM_ALLOC_FROM_POOL_ASYNC,
                   CUresult (*)(CUdeviceptr *, size_t, void *, void *))(
      &p, bytes, pool, stream);
  *ptr = (void *)p;
  return rc;
}

static int cuda_pool_free(const ddl_fnptr *fns, void *ptr, void *stream,
                          const char **call) {
  *call = cuda_symbols[CU_MEM_FREE_ASYNC];
  return CU(CU_MEM_FREE_ASYNC,
            CUresult (*)(CUdeviceptr, void *))((CUdeviceptr)ptr, stream);
}

static int cuda_synchronize(const ddl_fnptr *fns, const char **call) {
  *call = cuda_symbols[CU_CTX_SYNCHRONIZE];
  return CU(CU_CTX_SYNCHRONIZE, CUresult (*)(void))();
}

/* CUfunction_attribute: the dynamic shared memory a launch may ask for. */
#define CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES 8

static int cuda_set_max_shared(const ddl_fnptr *fns, void *function, int bytes,
                               const char **call) {
  *call = cuda_symbols[CU_FUNC_SET_ATTRIBUTE];
  return CU(CU_FUNC_SET_ATTRIBUTE, CUresult (*)(void *, int, int))(
      function, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, bytes);
}

/* CUtensorMapDataType, CUtensorMapSwizzle and CUtensorMapL2promotion
 * (cuda.h, CUDA 12.0 on). */
enum {
  CU_TENSOR_MAP_DATA_TYPE_UINT8 = 0,
  CU_TENSOR_MAP_DATA_TYPE_FLOAT16 = 6,
  CU_TENSOR_MAP_DATA_TYPE_FLOAT32 = 7,
  CU_TENSOR_MAP_DATA_TYPE_BFLOAT16 = 9,
  CU_TENSOR_MAP_L2_PROMOTION_L2_256B = 3,
};

static int cuda_tensor_map(const ddl_fnptr *fns, void *map, int dtype,
                           unsigned rank, void *address, const uint64_t *dims,
                           const uint64_t *strides_bytes, const uint32_t *box,
                           int swizzle_bytes, const char **call) {
  *call = cuda_symbols[CU_TENSOR_MAP_ENCODE_TILED];
  int type = dtype == DDL_DTYPE_FLOAT16    ? CU_TENSOR_MAP_DATA_TYPE_FLOAT16
             : dtype == DDL_DTYPE_BFLOAT16 ? CU_TENSOR_MAP_DATA_TYPE_BFLOAT16
             : dtype == DDL_DTYPE_FLOAT    ? CU_TENSOR_MAP_DATA_TYPE_FLOAT32
             /* bytes: int8 / uint8 tensors, fp8 as lowbit stores it */
             : dtype == DDL_DTYPE_UINT8 || dtype == DDL_DTYPE_INT8
                 ? CU_TENSOR_MAP_DATA_TYPE_UINT8
                 : -1;
  /* CUtensorMapSwizzle: NONE, 32B, 64B, 128B. */
  int swizzle = swizzle_bytes == 128  ? 3
                : swizzle_bytes == 64 ? 2
                : swizzle_bytes == 32 ? 1
                                      : 0;
  if (type < 0)
    return -1;
  const uint32_t element_strides[5] = {1, 1, 1, 1, 1};
  return CU(CU_TENSOR_MAP_ENCODE_TILED,
            CUresult (*)(void *, int, uint32_t, void *, const uint64_t *,
                         const uint64_t *, const uint32_t *, const uint32_t *,
                         int, int, int, int))(
      map, type, rank, address, dims, strides_bytes, box, element_strides,
      /*interleave=*/0, swizzle, CU_TENSOR_MAP_L2_PROMOTION_L2_256B,
      /*oobFill=NONE (zeros)*/ 0);
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
    .stream_create = cuda_stream_create,
    .stream_destroy = cuda_stream_destroy,
    .stream_synchronize = cuda_stream_synchronize,
    .launch = cuda_launch,
    .alloc = cuda_alloc,
    .free = cuda_free,
    .copy = cuda_copy,
    .describe = cuda_describe,
    .host_alloc = cuda_host_alloc,
    .host_free = cuda_host_free,
    .capture_begin = cuda_capture_begin,
    .capture_end = cuda_capture_end,
    .graph_launch = cuda_graph_launch,
    .graph_destroy = cuda_graph_destroy,
    .pool_create = cuda_pool_create,
    .pool_destroy = cuda_pool_destroy,
    .pool_alloc = cuda_pool_alloc,
    .pool_free = cuda_pool_free,
    .synchronize = cuda_synchronize,
    .set_max_shared = cuda_set_max_shared,
    .tensor_map = cuda_tensor_map,
};
