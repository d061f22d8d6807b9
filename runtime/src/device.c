/*===- device.c - driver loading and device caches, for every GPU API ----===*
 *
 * The part of the device layer that does not depend on the API: finding
 * and dlopen'ing the driver library, resolving its entry points, turning
 * driver statuses into messages, and one device's caches. The API calls
 * themselves go through a ddl_device_backend (device_cuda.c,
 * device_hip.c).
 *
 * Work is queued on streams (ddl_stream): the model handle's own
 * non-blocking streams, kept in a pool per device (a run takes one, so
 * concurrent runs do not wait for each other), or the caller's stream
 * (ddl_model_set_stream). Copies are asynchronous; whoever needs the data
 * on the host synchronizes the stream.
 *
 * Loaded drivers are process-wide and never unloaded (unloading a GPU
 * driver under live contexts is not safe); they are keyed by backend and
 * library path, so changing DDL_CUDA_LIBRARY between opens loads the new
 * file, and a failed load leaves nothing behind: the next open retries.
 *
 *===----------------------------------------------------------------------===*/
#include "device.h"

#include <dlfcn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Distinct driver files one process may load. */
#define DDL_MAX_DRIVERS 16

typedef struct ddl_driver {
  const ddl_device_backend *backend;
  char *path;
  void *dl;
  ddl_fnptr fns[DDL_DRIVER_MAX_SYMBOLS];
} ddl_driver;

static pthread_mutex_t drivers_mutex = PTHREAD_MUTEX_INITIALIZER;
static ddl_driver *drivers[DDL_MAX_DRIVERS];
static int num_drivers;

/*===-- Pointer-keyed hash map --------------------------------------------===*/

/* Open addressing over (a, b) keys; a == NULL marks a free slot. Small
 * (the modules, kernels and constants of one model) and never shrinks. */
typedef struct {
  const void *a, *b;
  void *value;
} map_entry;

typedef struct {
  map_entry *entries;
  size_t capacity; /* a power of two, or 0 */
  size_t size;
} ptr_map;

/* The entry of (a, b), or the free slot where it would go. */
static map_entry *map_probe(const ptr_map *m, const void *a, const void *b) {
  uint64_t h = (uint64_t)(uintptr_t)a * 0x9E3779B97F4A7C15ull;
  h ^= ((uint64_t)(uintptr_t)b + 0x632BE59BD9B4E019ull) * 0xC2B2AE3D27D4EB4Full;
  h ^= h >> 31;
  for (size_t i = (size_t)h & (m->capacity - 1);;
       i = (i + 1) & (m->capacity - 1)) {
    map_entry *e = &m->entries[i];
    if (!e->a || (e->a == a && e->b == b))
      return e;
  }
}

static map_entry *map_find(const ptr_map *m, const void *a, const void *b) {
  if (!m->capacity)
    return NULL;
  map_entry *e = map_probe(m, a, b);
  return e->a ? e : NULL;
}

/* Adds a key that is not there yet; false when the table cannot grow. */
static bool map_insert(ptr_map *m, const void *a, const void *b, void *value) {
  if (2 * (m->size + 1) > m->capacity) {
    ptr_map grown = {
        calloc(m->capacity ? 2 * m->capacity : 16, sizeof(map_entry)),
        m->capacity ? 2 * m->capacity : 16, m->size};
    if (!grown.entries)
      return false;
    for (size_t i = 0; i < m->capacity; ++i)
      if (m->entries[i].a)
        *map_probe(&grown, m->entries[i].a, m->entries[i].b) = m->entries[i];
    free(m->entries);
    *m = grown;
  }
  *map_probe(m, a, b) = (map_entry){a, b, value};
  ++m->size;
  return true;
}

/*===-- Drivers -----------------------------------------------------------===*/

struct ddl_device {
  const ddl_driver *driver;
  const ddl_fnptr *fns;
  const ddl_device_backend *api;
  int32_t kind;
  int ordinal;
  void *ctx;
  /* The handle's reference and one per device tensor owning memory of
   * this device (ddl_device_retain); the context is released with the
   * last. */
  atomic_int refs;
  char label[64];
  pthread_mutex_t mutex; /* guards the caches, the pool and the stream */
  /* Held while a constant is looked up and uploaded, so that it is
   * uploaded once (the upload takes `mutex` for its stream). */
  pthread_mutex_t constants_mutex;
  ptr_map modules;   /* image -> module */
  ptr_map functions; /* (image, name) -> function */
  ptr_map constants; /* (data, bytes) -> device copy */
  /* Own non-blocking streams that no one is using; created on demand,
   * destroyed by ddl_device_close (and the last release). */
  void **idle_streams;
  size_t num_idle, idle_capacity;
  size_t num_streams; /* own streams alive, idle or not (<= capacity) */
  /* The caller's stream (ddl_device_set_stream), when has_external. */
  bool has_external;
  void *external_stream;
  /* The stream-ordered pool, made on the first ddl_device_alloc_on;
   * pool_tried with no pool: the API has none or making it failed. */
  bool pool_tried;
  void *pool;
};

/* "cuModuleLoadData failed: CUDA_ERROR_INVALID_IMAGE (device kernel image
 * is invalid)"; `detail` (may be "") follows the call's name. */
static ddl_status driver_fail(const ddl_device_backend *api,
                              const ddl_fnptr *fns, int status,
                              const char *call, const char *detail) {
  const char *name = NULL, *text = NULL;
  api->describe(fns, status, &name, &text);
  char number[32];
  if (!name) {
    snprintf(number, sizeof number, "error %d", status);
    name = number;
  }
  return ddl_fail(DDL_DEVICE_ERROR, "%s%s failed: %s (%s)", call, detail, name,
                  text ? text : "no description");
}

static ddl_status device_fail(const ddl_device *d, int status, const char *call,
                              const char *detail) {
  return driver_fail(d->api, d->fns, status, call, detail);
}

/* The loaded driver for `api`'s library (its environment variable, read
 * now, or the default name), loading it on first use. */
static ddl_status load_driver(const ddl_device_backend *api,
                              const ddl_driver **out) {
  const char *env = getenv(api->library_env);
  const char *path = env && *env ? env : api->library;
  ddl_status s = DDL_OK;
  pthread_mutex_lock(&drivers_mutex);
  for (int i = 0; i < num_drivers; ++i)
    if (drivers[i]->backend == api && strcmp(drivers[i]->path, path) == 0) {
      *out = drivers[i];
      pthread_mutex_unlock(&drivers_mutex);
      return DDL_OK;
    }
  ddl_driver *drv = NULL;
  if (num_drivers == DDL_MAX_DRIVERS) {
    s = ddl_fail(DDL_DEVICE_ERROR,
                 "cannot load %s: %d driver libraries are loaded already", path,
                 DDL_MAX_DRIVERS);
    goto done;
  }
  dlerror();
  void *dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!dl) {
    const char *why = dlerror();
    s = ddl_fail(DDL_DEVICE_ERROR,
                 "cannot load the %s driver library %s: %s (%s names "
                 "another file)",
                 api->name, path, why ? why : "unknown dlopen error",
                 api->library_env);
    goto done;
  }
  drv = calloc(1, sizeof *drv);
  char *copy = drv ? malloc(strlen(path) + 1) : NULL;
  if (!copy) {
    free(drv);
    dlclose(dl);
    s = ddl_fail(DDL_OUT_OF_MEMORY, "loading %s: out of memory", path);
    goto done;
  }
  strcpy(copy, path);
  *drv = (ddl_driver){.backend = api, .path = copy, .dl = dl};
  for (size_t i = 0; i < api->num_symbols; ++i) {
    void *sym = dlsym(dl, api->symbols[i]);
    if (!sym) {
      s = ddl_fail(DDL_DEVICE_ERROR,
                   "the %s driver library %s has no symbol '%s' (a driver "
                   "too old for this runtime?)",
                   api->name, path, api->symbols[i]);
      dlclose(dl);
      free(copy);
      free(drv);
      goto done;
    }
    /* POSIX guarantees that dlsym's object pointer holds a function. */
    memcpy(&drv->fns[i], &sym, sizeof sym);
  }
  drivers[num_drivers++] = drv;
  *out = drv;
done:
  pthread_mutex_unlock(&drivers_mutex);
  return s;
}

static const ddl_device_backend *backend_of(int32_t kind) {
  switch (kind) {
  case DDL_DEVICE_CUDA:
    return &ddl_cuda_backend;
  case DDL_DEVICE_ROCM:
    return &ddl_hip_backend;
  }
  return NULL;
}

ddl_status ddl_device_open(int32_t kind, int ordinal, ddl_device **out) {
  *out = NULL;
  const ddl_device_backend *api = backend_of(kind);
  if (!api)
    return ddl_fail(DDL_INVALID_ARGUMENT, "device kind %d is not a GPU",
                    (int)kind);
  if (ordinal < 0)
    return ddl_fail(DDL_INVALID_ARGUMENT, "device ordinal %d is negative",
                    ordinal);
  const ddl_driver *drv = NULL;
  ddl_status s = load_driver(api, &drv);
  if (s != DDL_OK)
    return s;
  const char *call = "";
  int rc = api->init(drv->fns, &call);
  if (rc)
    return driver_fail(api, drv->fns, rc, call, "");
  int count = 0;
  if ((rc = api->device_count(drv->fns, &count, &call)))
    return driver_fail(api, drv->fns, rc, call, "");
  if (count <= 0)
    return ddl_fail(DDL_DEVICE_ERROR, "no %s device found (driver %s)",
                    api->name, drv->path);
  if (ordinal >= count)
    return ddl_fail(DDL_DEVICE_ERROR,
                    "%s device %d does not exist: %d device%s present "
                    "(ordinals 0 to %d)",
                    api->name, ordinal, count, count == 1 ? " is" : "s are",
                    count - 1);

  ddl_device *d = calloc(1, sizeof *d);
  if (!d)
    return ddl_fail(DDL_OUT_OF_MEMORY, "opening %s device %d: out of memory",
                    api->name, ordinal);
  d->driver = drv;
  d->fns = drv->fns;
  d->api = api;
  d->kind = kind;
  d->ordinal = ordinal;
  atomic_init(&d->refs, 1);
  snprintf(d->label, sizeof d->label, "%s device %d", api->name, ordinal);
  if ((rc = api->context_retain(drv->fns, ordinal, &d->ctx, &call))) {
    s = driver_fail(api, drv->fns, rc, call, "");
    free(d);
    return s;
  }
  pthread_mutex_init(&d->mutex, NULL);
  pthread_mutex_init(&d->constants_mutex, NULL);
  *out = d;
  return DDL_OK;
}

/* Makes d current on this thread: driver contexts are per thread, and a
 * model's calls may come from any thread that runs it. */
static ddl_status bind(ddl_device *d) {
  const char *call = "";
  int rc = d->api->bind(d->fns, d->ordinal, d->ctx, &call);
  return rc ? device_fail(d, rc, call, "") : DDL_OK;
}

/* Destroys the idle streams (the device is bound). */
static void destroy_idle_streams(ddl_device *d) {
  pthread_mutex_lock(&d->mutex);
  for (size_t i = 0; i < d->num_idle; ++i)
    d->api->stream_destroy(d->fns, d->idle_streams[i]);
  d->num_streams -= d->num_idle;
  d->num_idle = 0;
  pthread_mutex_unlock(&d->mutex);
}

/* Destroys the idle streams, frees the uploaded constants, unloads the
 * modules and empties the caches (the kernels go with their modules). */
static void free_caches(ddl_device *d) {
  const char *call;
  if (bind(d) == DDL_OK) {
    destroy_idle_streams(d);
    for (size_t i = 0; i < d->constants.capacity; ++i)
      if (d->constants.entries[i].a)
        d->api->free(d->fns, d->constants.entries[i].value, &call);
    for (size_t i = 0; i < d->modules.capacity; ++i)
      if (d->modules.entries[i].a)
        d->api->module_unload(d->fns, d->modules.entries[i].value);
  }
  free(d->constants.entries);
  free(d->modules.entries);
  free(d->functions.entries);
  d->constants = d->modules = d->functions = (ptr_map){NULL, 0, 0};
}

void ddl_device_close(ddl_device *d) {
  if (!d)
    return;
  /* The caches belong to the handle's models: free them now, whoever
   * still holds the device (the images' memory goes with the model). The
   * caller's stream may die with the handle: forget it. */
  ddl_device_set_stream(d, false, NULL);
  free_caches(d);
  ddl_device_release(d);
}

void ddl_device_retain(ddl_device *d) {
  if (d)
    atomic_fetch_add(&d->refs, 1);
}

void ddl_device_release(ddl_device *d) {
  if (!d || atomic_fetch_sub(&d->refs, 1) != 1)
    return;
  /* Normally empty: ddl_device_close emptied them (a device tensor's copy
   * after the close may have made a stream since). */
  free_caches(d);
  /* Allocations still out are released by the driver when they are
   * freed. */
  if (d->pool && bind(d) == DDL_OK)
    d->api->pool_destroy(d->fns, d->pool);
  d->api->context_release(d->fns, d->ordinal, d->ctx);
  free(d->idle_streams);
  pthread_mutex_destroy(&d->mutex);
  pthread_mutex_destroy(&d->constants_mutex);
  free(d);
}

const char *ddl_device_label(const ddl_device *d) { return d->label; }
int32_t ddl_device_get_kind(const ddl_device *d) { return d->kind; }
int ddl_device_get_ordinal(const ddl_device *d) { return d->ordinal; }

/*===-- Memory, kernels, constants ----------------------------------------===*/

static ddl_status check_bytes(int64_t bytes, const char *what) {
  if (bytes < 0 || (uint64_t)bytes > (uint64_t)SIZE_MAX / 2)
    return ddl_fail(DDL_INVALID_ARGUMENT, "%s of %lld bytes", what,
                    (long long)bytes);
  return DDL_OK;
}

/* `bytes` from the driver's allocator `alloc` (device or page-locked host
 * memory); `what` names it in messages. */
static ddl_status
allocate(ddl_device *d, int64_t bytes, void **out, const char *what,
         int (*alloc)(const ddl_fnptr *, size_t, void **, const char **)) {
  *out = NULL;
  ddl_status s = check_bytes(bytes, what);
  if (s != DDL_OK || (s = bind(d)) != DDL_OK)
    return s;
  const char *call = "";
  /* Drivers refuse (CUDA) or return NULL for (HIP) zero bytes. */
  int rc = alloc(d->fns, bytes ? (size_t)bytes : 1, out, &call);
  if (rc) {
    *out = NULL;
    char detail[48];
    snprintf(detail, sizeof detail, " (%lld bytes)", (long long)bytes);
    return device_fail(d, rc, call, detail);
  }
  return DDL_OK;
}

ddl_status ddl_device_alloc(ddl_device *d, int64_t bytes, void **out) {
  return allocate(d, bytes, out, "device allocation", d->api->alloc);
}

ddl_status ddl_device_free(ddl_device *d, void *ptr) {
  if (!ptr)
    return DDL_OK;
  ddl_status s = bind(d);
  if (s != DDL_OK)
    return s;
  const char *call = "";
  int rc = d->api->free(d->fns, ptr, &call);
  return rc ? device_fail(d, rc, call, "") : DDL_OK;
}

/* The device's pool, made on first use; NULL without one. */
static void *pool_of(ddl_device *d) {
  pthread_mutex_lock(&d->mutex);
  if (!d->pool_tried) {
    d->pool_tried = true;
    const char *call = "";
    if (d->api->pool_create &&
        d->api->pool_create(d->fns, d->ordinal, &d->pool, &call) != 0)
      d->pool = NULL; /* driver allocations from now on */
  }
  void *pool = d->pool;
  pthread_mutex_unlock(&d->mutex);
  return pool;
}

bool ddl_device_has_pool(ddl_device *d) { return pool_of(d) != NULL; }

ddl_status ddl_device_alloc_on(ddl_device *d, ddl_stream stream, int64_t bytes,
                               void **out, bool *pooled) {
  *out = NULL;
  *pooled = false;
  ddl_status s = check_bytes(bytes, "device allocation");
  if (s != DDL_OK || (s = bind(d)) != DDL_OK)
    return s;
  void *pool = pool_of(d);
  if (!pool)
    return ddl_device_alloc(d, bytes, out);
  const char *call = "";
  int rc = d->api->pool_alloc(d->fns, pool, bytes ? (size_t)bytes : 1,
                              stream.handle, out, &call);
  if (rc) {
    *out = NULL;
    char detail[48];
    snprintf(detail, sizeof detail, " (%lld bytes)", (long long)bytes);
    return device_fail(d, rc, call, detail);
  }
  *pooled = true;
  return DDL_OK;
}

ddl_status ddl_device_free_on(ddl_device *d, ddl_stream stream, void *ptr,
                              bool pooled) {
  if (!ptr)
    return DDL_OK;
  if (!pooled)
    return ddl_device_free(d, ptr);
  ddl_status s = bind(d);
  if (s != DDL_OK)
    return s;
  const char *call = "";
  int rc = d->api->pool_free(d->fns, ptr, stream.handle, &call);
  return rc ? device_fail(d, rc, call, "") : DDL_OK;
}

ddl_status ddl_device_free_pooled(ddl_device *d, void *ptr) {
  if (!ptr)
    return DDL_OK;
  ddl_status s = bind(d);
  if (s != DDL_OK)
    return s;
  /* The driver frees pooled memory at once (no implicit wait, unlike its
   * own allocations): wait for the device's work first. */
  const char *call = "";
  int rc = d->api->synchronize(d->fns, &call);
  if (rc == 0)
    rc = d->api->pool_free(d->fns, ptr, NULL, &call);
  return rc ? device_fail(d, rc, call, "") : DDL_OK;
}

ddl_status ddl_device_copy(ddl_device *d, ddl_stream stream, void *dst,
                           const void *src, int64_t bytes, int direction) {
  ddl_status s = check_bytes(bytes, "device copy");
  if (s != DDL_OK)
    return s;
  if (bytes == 0)
    return DDL_OK;
  if (!dst || !src)
    return ddl_fail(DDL_INVALID_ARGUMENT, "device copy of %lld bytes %s NULL",
                    (long long)bytes, dst ? "from" : "to");
  if ((s = bind(d)) != DDL_OK)
    return s;
  const char *call = "";
  int rc = d->api->copy(d->fns, dst, src, (size_t)bytes, direction,
                        stream.handle, &call);
  if (rc) {
    char detail[48];
    snprintf(detail, sizeof detail, " (%lld bytes)", (long long)bytes);
    return device_fail(d, rc, call, detail);
  }
  return DDL_OK;
}

/*===-- Streams -----------------------------------------------------------===*/

void ddl_device_set_stream(ddl_device *d, bool external, void *stream) {
  pthread_mutex_lock(&d->mutex);
  d->has_external = external;
  d->external_stream = external ? stream : NULL;
  pthread_mutex_unlock(&d->mutex);
}

ddl_status ddl_device_get_stream(ddl_device *d, bool own_only,
                                 ddl_stream *out) {
  *out = (ddl_stream){NULL, false};
  pthread_mutex_lock(&d->mutex);
  if (d->has_external && !own_only) {
    out->handle = d->external_stream;
    pthread_mutex_unlock(&d->mutex);
    return DDL_OK;
  }
  if (d->num_idle > 0) {
    *out = (ddl_stream){d->idle_streams[--d->num_idle], true};
    pthread_mutex_unlock(&d->mutex);
    return DDL_OK;
  }
  /* Room to give it back later, so that putting it never fails. */
  if (d->num_streams + 1 > d->idle_capacity) {
    size_t capacity = d->idle_capacity ? 2 * d->idle_capacity : 4;
    void **grown = realloc(d->idle_streams, capacity * sizeof *grown);
    if (!grown) {
      pthread_mutex_unlock(&d->mutex);
      return ddl_fail(DDL_OUT_OF_MEMORY, "creating a stream: out of memory");
    }
    d->idle_streams = grown;
    d->idle_capacity = capacity;
  }
  ++d->num_streams;
  pthread_mutex_unlock(&d->mutex);
  ddl_status s = bind(d);
  const char *call = "";
  int rc = 0;
  if (s == DDL_OK &&
      (rc = d->api->stream_create(d->fns, &out->handle, &call)) != 0)
    s = device_fail(d, rc, call, "");
  if (s != DDL_OK) {
    pthread_mutex_lock(&d->mutex);
    --d->num_streams;
    pthread_mutex_unlock(&d->mutex);
    *out = (ddl_stream){NULL, false};
    return s;
  }
  out->own = true;
  return DDL_OK;
}

void ddl_device_put_stream(ddl_device *d, ddl_stream stream) {
  if (!stream.own)
    return;
  pthread_mutex_lock(&d->mutex);
  d->idle_streams[d->num_idle++] = stream.handle;
  pthread_mutex_unlock(&d->mutex);
}

ddl_status ddl_device_stream_sync(ddl_device *d, ddl_stream stream) {
  ddl_status s = bind(d);
  if (s != DDL_OK)
    return s;
  const char *call = "";
  int rc = d->api->stream_synchronize(d->fns, stream.handle, &call);
  return rc ? device_fail(d, rc, call, "") : DDL_OK;
}

/* The kernel `name` of `image`, loading the image on first use. Called
 * with d->mutex held and the device bound. */
static ddl_status find_function(ddl_device *d, const void *image,
                                const char *name, void **function) {
  map_entry *e = map_find(&d->functions, image, name);
  if (e) {
    *function = e->value;
    return DDL_OK;
  }
  const char *call = "";
  int rc;
  e = map_find(&d->modules, image, NULL);
  void *module = e ? e->value : NULL;
  if (!e) {
    if ((rc = d->api->module_load(d->fns, image, &module, &call)))
      return device_fail(d, rc, call, "");
    if (!map_insert(&d->modules, image, NULL, module)) {
      d->api->module_unload(d->fns, module);
      return ddl_fail(DDL_OUT_OF_MEMORY, "loading a device image: out of "
                                         "memory");
    }
  }
  if ((rc = d->api->get_function(d->fns, module, name, function, &call))) {
    char detail[300];
    snprintf(detail, sizeof detail, "(%.256s)", name);
    return device_fail(d, rc, call, detail);
  }
  if (!map_insert(&d->functions, image, name, *function))
    return ddl_fail(DDL_OUT_OF_MEMORY, "loading a kernel: out of memory");
  return DDL_OK;
}

/* The dynamic shared memory a kernel may use without asking. */
static const int64_t kDefaultSharedBytes = 48 * 1024;

ddl_status ddl_device_launch(ddl_device *d, ddl_stream stream,
                             const void *image, int64_t image_bytes,
                             const char *name, const int64_t grid_block[6],
                             int64_t shared_bytes, void **params) {
  if (!image || image_bytes <= 0 || !name || !grid_block)
    return ddl_fail(DDL_INVALID_ARGUMENT,
                    "device launch of '%s' without an image, a size or a "
                    "grid",
                    name ? name : "(null)");
  unsigned grid[6];
  bool empty = false;
  for (int i = 0; i < 6; ++i) {
    if (grid_block[i] < 0 || grid_block[i] > (int64_t)UINT32_MAX)
      return ddl_fail(DDL_INVALID_ARGUMENT,
                      "device launch of '%.256s': grid/block size %d is %lld",
                      name, i, (long long)grid_block[i]);
    grid[i] = (unsigned)grid_block[i];
    empty |= grid[i] == 0;
  }
  if (shared_bytes < 0 || shared_bytes > (int64_t)UINT32_MAX)
    return ddl_fail(DDL_INVALID_ARGUMENT,
                    "device launch of '%.256s' with %lld bytes of shared "
                    "memory",
                    name, (long long)shared_bytes);
  if (empty)
    return DDL_OK; /* an empty tensor's kernel: nothing to run */
  ddl_status s = bind(d);
  if (s != DDL_OK)
    return s;
  void *function = NULL;
  pthread_mutex_lock(&d->mutex);
  s = find_function(d, image, name, &function);
  pthread_mutex_unlock(&d->mutex);
  if (s != DDL_OK)
    return s;
  const char *call = "";
  int rc = 0;
  /* Past the 48 KiB a kernel gets unasked, the function must allow it
   * (cheap, and not a stream operation: allowed while capturing). */
  if (shared_bytes > kDefaultSharedBytes) {
    if (!d->api->set_max_shared || shared_bytes > INT32_MAX)
      return ddl_fail(DDL_DEVICE_ERROR,
                      "device launch of '%.256s' with %lld bytes of shared "
                      "memory: the %s backend cannot raise the limit",
                      name, (long long)shared_bytes, d->api->name);
    rc = d->api->set_max_shared(d->fns, function, (int)shared_bytes, &call);
  }
  if (!rc)
    rc = d->api->launch(d->fns, function, grid, (unsigned)shared_bytes,
                        stream.handle, params, &call);
  if (rc) {
    char detail[300];
    snprintf(detail, sizeof detail, "(%.256s)", name);
    return device_fail(d, rc, call, detail);
  }
  return DDL_OK;
}

/* TMA's limits (CUDA's cuTensorMapEncodeTiled): checked here so that a
 * tensor outside them takes the kernel without TMA instead of a driver
 * error. */
/* Bytes of an element TMA copies here; 0 for other types. */
static int64_t tensor_map_element_bytes(int32_t dtype) {
  return dtype == DDL_DTYPE_FLOAT                                    ? 4
         : dtype == DDL_DTYPE_FLOAT16 || dtype == DDL_DTYPE_BFLOAT16 ? 2
         : dtype == DDL_DTYPE_UINT8 || dtype == DDL_DTYPE_INT8       ? 1
                                                                     : 0;
}

static bool tensor_map_fits(int32_t dtype, int32_t rank, const void *address,
                            const int64_t *dims, const int64_t *strides,
                            const int32_t *box, int32_t swizzle_bytes) {
  int64_t bytes = tensor_map_element_bytes(dtype);
  if (!bytes || rank < 1 || rank > 5 || !address || !dims || !strides || !box ||
      (uintptr_t)address % 16 || strides[0] != 1)
    return false;
  if (swizzle_bytes != 0 && swizzle_bytes != 32 && swizzle_bytes != 64 &&
      swizzle_bytes != 128)
    return false;
  if (swizzle_bytes && box[0] * bytes > swizzle_bytes)
    return false;
  for (int32_t i = 0; i < rank; ++i) {
    if (dims[i] < 1 || dims[i] > ((int64_t)1 << 32) || box[i] < 1 ||
        box[i] > 256)
      return false;
    if (i > 0 && (strides[i] < 0 || (strides[i] * bytes) % 16 ||
                  strides[i] * bytes >= ((int64_t)1 << 40)))
      return false;
  }
  return (box[0] * bytes) % 16 == 0;
}

bool ddl_device_tensor_map(ddl_device *d, void *map, int32_t dtype,
                           int32_t rank, const void *address,
                           const int64_t *dims, const int64_t *strides,
                           const int32_t *box, int32_t swizzle_bytes) {
  if (!d->api->tensor_map || !map || (uintptr_t)map % 64 ||
      !tensor_map_fits(dtype, rank, address, dims, strides, box,
                       swizzle_bytes) ||
      bind(d) != DDL_OK)
    return false;
  uint64_t sizes[5], byte_strides[5];
  uint32_t boxes[5];
  int64_t bytes = tensor_map_element_bytes(dtype);
  for (int32_t i = 0; i < rank; ++i) {
    sizes[i] = (uint64_t)dims[i];
    boxes[i] = (uint32_t)box[i];
    /* The driver takes the strides of dimensions 1 and up. */
    if (i > 0)
      byte_strides[i - 1] = (uint64_t)(strides[i] * bytes);
  }
  const char *call = "";
  return d->api->tensor_map(d->fns, map, dtype, (unsigned)rank, (void *)address,
                            sizes, byte_strides, boxes, swizzle_bytes,
                            &call) == 0;
}

/* Uploads a constant into new device memory, on a pool stream that it
 * waits for (never the caller's stream: a constant is shared by every run
 * and may be made while one is being captured). */
static ddl_status upload_constant(ddl_device *d, const void *data,
                                  int64_t bytes, void **out) {
  ddl_status s = ddl_device_alloc(d, bytes, out);
  if (s != DDL_OK)
    return s;
  ddl_stream stream;
  if ((s = ddl_device_get_stream(d, true, &stream)) == DDL_OK) {
    if ((s = ddl_device_copy(d, stream, *out, data, bytes,
                             DDL_COPY_TO_DEVICE)) == DDL_OK)
      s = ddl_device_stream_sync(d, stream);
    ddl_device_put_stream(d, stream);
  }
  return s;
}

ddl_status ddl_device_constant(ddl_device *d, const void *data, int64_t bytes,
                               void **out) {
  *out = NULL;
  ddl_status s = check_bytes(bytes, "device constant");
  if (s != DDL_OK)
    return s;
  if (!data && bytes)
    return ddl_fail(DDL_INVALID_ARGUMENT,
                    "device constant of %lld bytes at NULL", (long long)bytes);
  /* The key's `a` must not be NULL (a free slot): empty constants share
   * one. */
  static const char empty_key;
  const void *key = data ? data : &empty_key;
  const void *size_key = (const void *)(uintptr_t)bytes;
  pthread_mutex_lock(&d->constants_mutex);
  pthread_mutex_lock(&d->mutex);
  map_entry *e = map_find(&d->constants, key, size_key);
  void *found = e ? e->value : NULL;
  pthread_mutex_unlock(&d->mutex);
  if (found) {
    *out = found;
  } else if ((s = upload_constant(d, data, bytes, out)) == DDL_OK) {
    pthread_mutex_lock(&d->mutex);
    if (!map_insert(&d->constants, key, size_key, *out))
      s = ddl_fail(DDL_OUT_OF_MEMORY, "device constant: out of memory");
    pthread_mutex_unlock(&d->mutex);
  }
  if (s != DDL_OK && *out) {
    const char *call;
    d->api->free(d->fns, *out, &call);
    *out = NULL;
  }
  pthread_mutex_unlock(&d->constants_mutex);
  return s;
}

/*===-- Graph capture -----------------------------------------------------===*/

bool ddl_device_has_graphs(const ddl_device *d) {
  return d->api->capture_begin != NULL;
}

ddl_status ddl_device_host_alloc(ddl_device *d, int64_t bytes, void **out) {
  return allocate(d, bytes, out, "page-locked host allocation",
                  d->api->host_alloc);
}

void ddl_device_host_free(ddl_device *d, void *ptr) {
  if (ptr && bind(d) == DDL_OK)
    d->api->host_free(d->fns, ptr);
}

ddl_status ddl_device_capture_begin(ddl_device *d, ddl_stream stream) {
  ddl_status s = bind(d);
  if (s != DDL_OK)
    return s;
  const char *call = "";
  int rc = d->api->capture_begin(d->fns, stream.handle, &call);
  return rc ? device_fail(d, rc, call, "") : DDL_OK;
}

ddl_status ddl_device_capture_end(ddl_device *d, ddl_stream stream,
                                  void **exec) {
  *exec = NULL;
  ddl_status s = bind(d);
  if (s != DDL_OK)
    return s;
  const char *call = "";
  int rc = d->api->capture_end(d->fns, stream.handle, exec, &call);
  if (rc) {
    *exec = NULL;
    return device_fail(d, rc, call, "");
  }
  return DDL_OK;
}

ddl_status ddl_device_graph_launch(ddl_device *d, void *exec,
                                   ddl_stream stream) {
  ddl_status s = bind(d);
  if (s != DDL_OK)
    return s;
  const char *call = "";
  int rc = d->api->graph_launch(d->fns, exec, stream.handle, &call);
  return rc ? device_fail(d, rc, call, "") : DDL_OK;
}

void ddl_device_graph_destroy(ddl_device *d, void *exec) {
  if (exec && bind(d) == DDL_OK)
    d->api->graph_destroy(d->fns, exec);
}
