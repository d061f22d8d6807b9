/*===- fake_gpu.h - a GPU driver that runs on the host, for tests ---------===*
 *
 * What fake_cuda.c and fake_hip.c share: "device" memory is host memory
 * (tracked, so kernels and copies can check that they are given device
 * pointers and the tests can count leaks), images are accepted when they
 * start with a magic string, and a few named kernels run on the CPU.
 *
 * Environment (read on every call, so a test can switch it at any time):
 *   <PREFIX>_FAIL=CALL[@K]  make entry point CALL fail (with the status
 *                           fake_fail_status gives it), from its K-th call
 *                           on (default 1) counted since the value changed
 *   <PREFIX>_DEVICES=N      the device count (default 1)
 *
 * Kernels (params as cuLaunchKernel's kernelParams: params[i] points to
 * parameter i's value):
 *   add_one(float *in, float *out, int64_t n)      out[i] = in[i] + 1
 *   add_scalar(float *in, float *c, float *out, int64_t n)
 *                                                   out[i] = in[i] + c[0]
 * Each checks that its pointers are live device memory of n floats and
 * that the grid has at least n threads; else the launch fails (status 1,
 * "invalid value").
 *
 * Copies check that their device side is live device memory (both sides
 * for device to device) and are counted by direction (fake_gpu_copies).
 *
 *===----------------------------------------------------------------------===*/
#ifndef DDL_TEST_FAKE_GPU_H
#define DDL_TEST_FAKE_GPU_H

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FAKE_EXPORT __attribute__((visibility("default")))

/* Statuses, equal in CUDA and HIP. */
enum {
  FAKE_SUCCESS = 0,
  FAKE_INVALID_VALUE = 1,
  FAKE_OUT_OF_MEMORY = 2,
  FAKE_NOT_INITIALIZED = 3,
  FAKE_NO_DEVICE = 100,
  FAKE_INVALID_DEVICE = 101,
  FAKE_INVALID_IMAGE = 200,
  FAKE_INVALID_CONTEXT = 201,
  FAKE_NOT_FOUND = 500,
  FAKE_LAUNCH_FAILED = 719,
  FAKE_UNKNOWN = 999
};

static pthread_mutex_t fake_mutex = PTHREAD_MUTEX_INITIALIZER;

/*===-- Failure injection -------------------------------------------------===*/

static char fake_fail_seen[256];
static long fake_fail_count;

/* The status a failing call gives. */
static int fake_fail_status(const char *call) {
  if (strstr(call, "Init"))
    return FAKE_NO_DEVICE;
  if (strstr(call, "Alloc") || strstr(call, "Malloc"))
    return FAKE_OUT_OF_MEMORY;
  if (strstr(call, "LoadData"))
    return FAKE_INVALID_IMAGE;
  if (strstr(call, "Launch"))
    return FAKE_LAUNCH_FAILED;
  return FAKE_UNKNOWN;
}

/* 0, or the status `call` must fail with now. */
static int fake_fail(const char *env, const char *call) {
  const char *spec = getenv(env);
  pthread_mutex_lock(&fake_mutex);
  if (strcmp(spec ? spec : "", fake_fail_seen) != 0) {
    snprintf(fake_fail_seen, sizeof fake_fail_seen, "%s", spec ? spec : "");
    fake_fail_count = 0;
  }
  int rc = 0;
  size_t len = strlen(call);
  if (spec && strncmp(spec, call, len) == 0 &&
      (spec[len] == '\0' || spec[len] == '@')) {
    long from = spec[len] == '@' ? atol(spec + len + 1) : 1;
    if (++fake_fail_count >= from)
      rc = fake_fail_status(call);
  }
  pthread_mutex_unlock(&fake_mutex);
  return rc;
}

static int fake_device_count(const char *env) {
  const char *n = getenv(env);
  return n && *n ? atoi(n) : 1;
}

/*===-- Memory ------------------------------------------------------------===*/

#define FAKE_MAX_ALLOCS 4096
static struct {
  char *ptr;
  size_t bytes;
} fake_allocs[FAKE_MAX_ALLOCS];
static int fake_live_allocs;

static int fake_alloc(void **out, size_t bytes) {
  if (bytes == 0)
    return FAKE_INVALID_VALUE; /* as cuMemAlloc */
  void *p = NULL;
  if (posix_memalign(&p, 256, bytes) != 0)
    return FAKE_OUT_OF_MEMORY;
  memset(p, 0xAB, bytes); /* device memory is not zeroed */
  pthread_mutex_lock(&fake_mutex);
  int i = 0;
  while (i < FAKE_MAX_ALLOCS && fake_allocs[i].ptr)
    ++i;
  if (i < FAKE_MAX_ALLOCS) {
    fake_allocs[i].ptr = p;
    fake_allocs[i].bytes = bytes;
    ++fake_live_allocs;
  }
  pthread_mutex_unlock(&fake_mutex);
  if (i == FAKE_MAX_ALLOCS) {
    free(p);
    return FAKE_OUT_OF_MEMORY;
  }
  *out = p;
  return FAKE_SUCCESS;
}

static int fake_free(void *p) {
  int rc = FAKE_INVALID_VALUE;
  pthread_mutex_lock(&fake_mutex);
  for (int i = 0; i < FAKE_MAX_ALLOCS; ++i)
    if (fake_allocs[i].ptr == p) {
      fake_allocs[i].ptr = NULL;
      --fake_live_allocs;
      rc = FAKE_SUCCESS;
      break;
    }
  pthread_mutex_unlock(&fake_mutex);
  if (rc == FAKE_SUCCESS)
    free(p);
  return rc;
}

/* Whether [p, p + bytes) lies in one live allocation. */
static int fake_is_device(const void *p, size_t bytes) {
  const char *c = p;
  int ok = 0;
  pthread_mutex_lock(&fake_mutex);
  for (int i = 0; i < FAKE_MAX_ALLOCS && !ok; ++i)
    ok = fake_allocs[i].ptr && c >= fake_allocs[i].ptr &&
         c + bytes <= fake_allocs[i].ptr + fake_allocs[i].bytes;
  pthread_mutex_unlock(&fake_mutex);
  return ok;
}

/*===-- Modules and kernels -----------------------------------------------===*/

typedef struct {
  const char *name;
  int num_pointers; /* float * parameters before the int64_t n */
} fake_kernel;

static fake_kernel fake_kernels[] = {{"add_one", 2}, {"add_scalar", 3}};

typedef struct {
  int live;
} fake_module;

static int fake_module_loads, fake_live_modules, fake_launches;

static int fake_module_load(void **module, const void *image,
                            const char *magic) {
  if (!image || memcmp(image, magic, strlen(magic)) != 0)
    return FAKE_INVALID_IMAGE;
  fake_module *m = calloc(1, sizeof *m);
  if (!m)
    return FAKE_OUT_OF_MEMORY;
  m->live = 1;
  pthread_mutex_lock(&fake_mutex);
  ++fake_module_loads;
  ++fake_live_modules;
  pthread_mutex_unlock(&fake_mutex);
  *module = m;
  return FAKE_SUCCESS;
}

static int fake_module_unload(void *module) {
  if (!module)
    return FAKE_INVALID_VALUE;
  free(module);
  pthread_mutex_lock(&fake_mutex);
  --fake_live_modules;
  pthread_mutex_unlock(&fake_mutex);
  return FAKE_SUCCESS;
}

static int fake_get_function(void **function, void *module, const char *name) {
  if (!module || !name)
    return FAKE_INVALID_VALUE;
  for (size_t i = 0; i < sizeof fake_kernels / sizeof *fake_kernels; ++i)
    if (strcmp(fake_kernels[i].name, name) == 0) {
      *function = (void *)&fake_kernels[i];
      return FAKE_SUCCESS;
    }
  return FAKE_NOT_FOUND;
}

static int fake_launch(void *function, const unsigned grid[6], void **params) {
  const fake_kernel *k = function;
  if (!k || !params)
    return FAKE_INVALID_VALUE;
  uint64_t threads = 1;
  for (int i = 0; i < 6; ++i)
    threads *= grid[i];
  float *p[3];
  for (int i = 0; i < k->num_pointers; ++i)
    memcpy(&p[i], params[i], sizeof p[i]);
  int64_t n;
  memcpy(&n, params[k->num_pointers], sizeof n);
  if (n < 0 || threads < (uint64_t)n)
    return FAKE_INVALID_VALUE;
  for (int i = 0; i < k->num_pointers; ++i) {
    size_t bytes = (k->num_pointers == 3 && i == 1 ? 1 : (size_t)n) * 4;
    if (bytes && !fake_is_device(p[i], bytes))
      return FAKE_INVALID_VALUE;
  }
  if (k->num_pointers == 2)
    for (int64_t i = 0; i < n; ++i)
      p[1][i] = p[0][i] + 1.0f;
  else
    for (int64_t i = 0; i < n; ++i)
      p[2][i] = p[0][i] + p[1][0];
  pthread_mutex_lock(&fake_mutex);
  ++fake_launches;
  pthread_mutex_unlock(&fake_mutex);
  return FAKE_SUCCESS;
}

/* Copies so far, by direction: host to device, device to host, device to
 * device (fake_gpu_copies). */
enum { FAKE_HTOD, FAKE_DTOH, FAKE_DTOD };
static int fake_copies[3];

/* A copy in direction `dir`: the device side(s) must be live device
 * memory. */
static int fake_copy(void *dst, const void *src, size_t bytes, int dir) {
  if ((dir != FAKE_DTOH && !fake_is_device(dst, bytes)) ||
      (dir != FAKE_HTOD && !fake_is_device(src, bytes)))
    return FAKE_INVALID_VALUE;
  memmove(dst, src, bytes);
  pthread_mutex_lock(&fake_mutex);
  ++fake_copies[dir];
  pthread_mutex_unlock(&fake_mutex);
  return FAKE_SUCCESS;
}

/* For the tests: the copies made so far, by direction. */
FAKE_EXPORT void fake_gpu_copies(int *htod, int *dtoh, int *dtod) {
  pthread_mutex_lock(&fake_mutex);
  *htod = fake_copies[FAKE_HTOD];
  *dtoh = fake_copies[FAKE_DTOH];
  *dtod = fake_copies[FAKE_DTOD];
  pthread_mutex_unlock(&fake_mutex);
}

/*===-- Error names -------------------------------------------------------===*/

typedef struct {
  int status;
  const char *name, *text;
} fake_error;

static const fake_error *fake_find_error(const fake_error *table, int status) {
  for (; table->name; ++table)
    if (table->status == status)
      return table;
  return NULL;
}

#endif /* DDL_TEST_FAKE_GPU_H */
