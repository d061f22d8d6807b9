/*===- fake_hip.c - the HIP entry points ddl uses, on the host ------------===*
 *
 * Loaded by the runtime in place of libamdhip64.so (DDL_HIP_LIBRARY). See
 * fake_gpu.h for memory, kernels and FAKE_HIP_FAIL / FAKE_HIP_DEVICES.
 * Images must start with "FAKEHSACO". Streams as fake_gpu.h describes;
 * no graph API (ddl does not capture on ROCm).
 *
 *===----------------------------------------------------------------------===*/
#include "fake_gpu.h"

typedef int hipError_t;

#define FAIL(call)                                                             \
  do {                                                                         \
    int rc_ = fake_fail("FAKE_HIP_FAIL", call);                                \
    if (rc_)                                                                   \
      return rc_;                                                              \
  } while (0)

static int initialized;
static _Thread_local int current_device = -1;

#define NEED_DEVICE()                                                          \
  do {                                                                         \
    if (!initialized)                                                          \
      return FAKE_NOT_INITIALIZED;                                             \
    if (current_device < 0)                                                    \
      return FAKE_INVALID_DEVICE;                                              \
  } while (0)

FAKE_EXPORT hipError_t hipInit(unsigned flags) {
  FAIL("hipInit");
  if (flags != 0)
    return FAKE_INVALID_VALUE;
  initialized = 1;
  return FAKE_SUCCESS;
}

FAKE_EXPORT hipError_t hipGetDeviceCount(int *count) {
  FAIL("hipGetDeviceCount");
  *count = fake_device_count("FAKE_HIP_DEVICES");
  return *count ? FAKE_SUCCESS : FAKE_NO_DEVICE;
}

FAKE_EXPORT hipError_t hipSetDevice(int device) {
  FAIL("hipSetDevice");
  if (device < 0 || device >= fake_device_count("FAKE_HIP_DEVICES"))
    return FAKE_INVALID_DEVICE;
  current_device = device;
  return FAKE_SUCCESS;
}

FAKE_EXPORT hipError_t hipModuleLoadData(void **module, const void *image) {
  FAIL("hipModuleLoadData");
  NEED_DEVICE();
  return fake_module_load(module, image, "FAKEHSACO");
}

FAKE_EXPORT hipError_t hipModuleUnload(void *module) {
  return fake_module_unload(module);
}

FAKE_EXPORT hipError_t hipModuleGetFunction(void **function, void *module,
                                            const char *name) {
  FAIL("hipModuleGetFunction");
  NEED_DEVICE();
  return fake_get_function(function, module, name);
}

FAKE_EXPORT hipError_t hipModuleLaunchKernel(void *function, unsigned gx,
                                             unsigned gy, unsigned gz,
                                             unsigned bx, unsigned by,
                                             unsigned bz, unsigned shared,
                                             void *stream, void **params,
                                             void **extra) {
  (void)shared;
  FAIL("hipModuleLaunchKernel");
  NEED_DEVICE();
  if (extra)
    return FAKE_INVALID_VALUE;
  const unsigned grid[6] = {gx, gy, gz, bx, by, bz};
  for (int i = 0; i < 6; ++i)
    if (grid[i] == 0)
      return FAKE_INVALID_VALUE;
  return fake_launch(function, grid, stream, params);
}

FAKE_EXPORT hipError_t hipMalloc(void **ptr, size_t bytes) {
  FAIL("hipMalloc");
  NEED_DEVICE();
  *ptr = NULL;
  return bytes ? fake_alloc(ptr, bytes) : FAKE_SUCCESS;
}

FAKE_EXPORT hipError_t hipFree(void *ptr) {
  FAIL("hipFree");
  return ptr ? fake_free(ptr) : FAKE_SUCCESS;
}

/* hipMemcpyHostToDevice, DeviceToHost, DeviceToDevice as fake directions. */
static int hip_direction(int kind) {
  return kind == 1 ? FAKE_HTOD : kind == 2 ? FAKE_DTOH : FAKE_DTOD;
}

FAKE_EXPORT hipError_t hipMemcpy(void *dst, const void *src, size_t bytes,
                                 int kind) {
  FAIL("hipMemcpy");
  NEED_DEVICE();
  if (kind < 1 || kind > 3)
    return FAKE_INVALID_VALUE;
  return fake_copy(dst, src, bytes, hip_direction(kind), NULL, 1);
}

FAKE_EXPORT hipError_t hipMemcpyAsync(void *dst, const void *src, size_t bytes,
                                      int kind, void *stream) {
  FAIL("hipMemcpyAsync");
  NEED_DEVICE();
  if (kind < 1 || kind > 3)
    return FAKE_INVALID_VALUE;
  return fake_copy(dst, src, bytes, hip_direction(kind), stream, 0);
}

FAKE_EXPORT hipError_t hipDeviceSynchronize(void) {
  FAIL("hipDeviceSynchronize");
  NEED_DEVICE();
  return fake_context_synchronize();
}

FAKE_EXPORT hipError_t hipStreamCreateWithFlags(void **stream, unsigned flags) {
  FAIL("hipStreamCreateWithFlags");
  NEED_DEVICE();
  return fake_stream_create(stream, flags);
}

FAKE_EXPORT hipError_t hipStreamDestroy(void *stream) {
  return fake_stream_destroy(stream);
}

FAKE_EXPORT hipError_t hipStreamSynchronize(void *stream) {
  FAIL("hipStreamSynchronize");
  NEED_DEVICE();
  return fake_stream_synchronize(stream);
}

static const fake_error hip_errors[] = {
    {FAKE_SUCCESS, "hipSuccess", "no error"},
    {FAKE_INVALID_VALUE, "hipErrorInvalidValue", "invalid argument"},
    {FAKE_OUT_OF_MEMORY, "hipErrorOutOfMemory", "out of memory"},
    {FAKE_NOT_INITIALIZED, "hipErrorNotInitialized", "initialization error"},
    {FAKE_NO_DEVICE, "hipErrorNoDevice", "no ROCm-capable device is detected"},
    {FAKE_INVALID_DEVICE, "hipErrorInvalidDevice", "invalid device ordinal"},
    {FAKE_INVALID_IMAGE, "hipErrorInvalidImage",
     "device kernel image is invalid"},
    {FAKE_NOT_FOUND, "hipErrorNotFound", "named symbol not found"},
    {FAKE_LAUNCH_FAILED, "hipErrorLaunchFailure", "unspecified launch failure"},
    {FAKE_UNKNOWN, "hipErrorUnknown", "unknown error"},
    {0, NULL, NULL}};

FAKE_EXPORT const char *hipGetErrorName(hipError_t status) {
  const fake_error *e = fake_find_error(hip_errors, status);
  return e ? e->name : "hipErrorUnknown";
}

FAKE_EXPORT const char *hipGetErrorString(hipError_t status) {
  const fake_error *e = fake_find_error(hip_errors, status);
  return e ? e->text : "unknown error";
}

FAKE_EXPORT void fake_gpu_stats(int *live_allocs, int *live_modules,
                                int *module_loads, int *launches,
                                int *contexts) {
  pthread_mutex_lock(&fake_mutex);
  *live_allocs = fake_live_allocs;
  *live_modules = fake_live_modules;
  *module_loads = fake_module_loads;
  *launches = fake_launches;
  *contexts = 0;
  pthread_mutex_unlock(&fake_mutex);
}
