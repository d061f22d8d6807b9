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
 * Streams (fake_stream): the legacy default stream (NULL, and the special
 * handles 0x1 and 0x2) and created ones. Work runs when it is queued
 * (async copies too) and is counted per stream (fake_gpu_stream_stats,
 * fake_gpu_stream_ops). Capture: while a stream captures, the launches
 * and copies queued on it are recorded into a graph instead of run (a
 * launch keeps its parameters' values, as the real driver does); a launch
 * of the instantiated graph runs them again, checking pointers then. As
 * the real driver, the fake refuses (CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED,
 * 900) and invalidates the capture on: synchronizing the capturing stream
 * or the context, a synchronous copy, a captured copy from or to pageable
 * host memory (graphs need page-locked memory, cuMemAllocHost), and from
 * the capturing thread cuMemAlloc outside relaxed mode and cuMemFree
 * (stricter than the driver: ddl keeps what a capture allocated). Ending
 * an invalidated capture gives CUDA_ERROR_STREAM_CAPTURE_INVALIDATED
 * (901) and no graph.
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
/* Helpers one of the two drivers does not use. */
#define FAKE_SHARED static __attribute__((unused))

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
  FAKE_INVALID_HANDLE = 400,
  FAKE_ILLEGAL_STATE = 401,
  FAKE_NOT_FOUND = 500,
  FAKE_LAUNCH_FAILED = 719,
  FAKE_CAPTURE_UNSUPPORTED = 900,
  FAKE_CAPTURE_INVALIDATED = 901,
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

/* Copies so far, by direction: host to device, device to host, device to
 * device (fake_gpu_copies). */
enum { FAKE_HTOD, FAKE_DTOH, FAKE_DTOD };
static int fake_copies[3];

/* One launch or copy, as queued: run now, or recorded into a graph. */
typedef struct {
  int is_copy;
  /* A launch: the kernel, its grid and its parameters' values. */
  const fake_kernel *k;
  unsigned grid[6];
  float *p[3];
  int64_t n;
  /* A copy. */
  void *dst;
  const void *src;
  size_t bytes;
  int dir;
} fake_node;

/* Runs a node (fake_mutex not held). */
static int fake_run_node(const fake_node *node) {
  if (node->is_copy) {
    if ((node->dir != FAKE_DTOH && !fake_is_device(node->dst, node->bytes)) ||
        (node->dir != FAKE_HTOD && !fake_is_device(node->src, node->bytes)))
      return FAKE_INVALID_VALUE;
    memmove(node->dst, node->src, node->bytes);
    pthread_mutex_lock(&fake_mutex);
    ++fake_copies[node->dir];
    pthread_mutex_unlock(&fake_mutex);
    return FAKE_SUCCESS;
  }
  const fake_kernel *k = node->k;
  uint64_t threads = 1;
  for (int i = 0; i < 6; ++i)
    threads *= node->grid[i];
  int64_t n = node->n;
  if (n < 0 || threads < (uint64_t)n)
    return FAKE_INVALID_VALUE;
  float *const *p = node->p;
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

/*===-- Page-locked host memory -------------------------------------------===*/

#define FAKE_MAX_PINNED 1024
static struct {
  char *ptr;
  size_t bytes;
} fake_pinned[FAKE_MAX_PINNED];
static int fake_live_pinned;

FAKE_SHARED int fake_host_alloc(void **out, size_t bytes) {
  char *p = bytes ? malloc(bytes) : NULL;
  if (!p)
    return bytes ? FAKE_OUT_OF_MEMORY : FAKE_INVALID_VALUE;
  pthread_mutex_lock(&fake_mutex);
  int i = 0;
  while (i < FAKE_MAX_PINNED && fake_pinned[i].ptr)
    ++i;
  if (i < FAKE_MAX_PINNED) {
    fake_pinned[i].ptr = p;
    fake_pinned[i].bytes = bytes;
    ++fake_live_pinned;
  }
  pthread_mutex_unlock(&fake_mutex);
  if (i == FAKE_MAX_PINNED) {
    free(p);
    return FAKE_OUT_OF_MEMORY;
  }
  *out = p;
  return FAKE_SUCCESS;
}

FAKE_SHARED int fake_host_free(void *p) {
  int rc = FAKE_INVALID_VALUE;
  pthread_mutex_lock(&fake_mutex);
  for (int i = 0; i < FAKE_MAX_PINNED; ++i)
    if (fake_pinned[i].ptr && fake_pinned[i].ptr == p) {
      fake_pinned[i].ptr = NULL;
      --fake_live_pinned;
      rc = FAKE_SUCCESS;
      break;
    }
  pthread_mutex_unlock(&fake_mutex);
  if (rc == FAKE_SUCCESS)
    free(p);
  return rc;
}

/* Whether [p, p + bytes) lies in one page-locked allocation (fake_mutex
 * held). */
static int fake_is_pinned_locked(const void *p, size_t bytes) {
  const char *c = p;
  for (int i = 0; i < FAKE_MAX_PINNED; ++i)
    if (fake_pinned[i].ptr && c >= fake_pinned[i].ptr &&
        c + bytes <= fake_pinned[i].ptr + fake_pinned[i].bytes)
      return 1;
  return 0;
}

/*===-- Streams and graphs ------------------------------------------------===*/

typedef struct {
  fake_node *nodes;
  int num, capacity;
} fake_graph;

#define FAKE_MAX_STREAMS 256
typedef struct {
  int live;
  long ops;      /* launches, copies and graph launches run on it */
  int capturing; /* recording into `graph` */
  int invalidated;
  int mode; /* the capture mode (2: relaxed) */
  fake_graph *graph;
} fake_stream;

static fake_stream fake_streams[FAKE_MAX_STREAMS];
static long fake_default_ops; /* on the legacy default stream */
static int fake_live_streams, fake_active_captures, fake_captures,
    fake_graph_launches, fake_live_graphs;
/* The stream this thread captures, or NULL. */
static _Thread_local fake_stream *fake_capturing_here;

/* The stream behind a handle: NULL for the legacy default stream (NULL,
 * CU_STREAM_LEGACY, CU_STREAM_PER_THREAD); FAKE_INVALID_HANDLE for
 * anything else that is not a live stream. fake_mutex held. */
static int fake_stream_of(void *handle, fake_stream **out) {
  *out = NULL;
  uintptr_t h = (uintptr_t)handle;
  if (h <= 2)
    return FAKE_SUCCESS;
  uintptr_t base = (uintptr_t)fake_streams;
  if (h < base || h >= base + sizeof fake_streams ||
      (h - base) % sizeof(fake_stream) != 0 ||
      !fake_streams[(h - base) / sizeof(fake_stream)].live)
    return FAKE_INVALID_HANDLE;
  *out = &fake_streams[(h - base) / sizeof(fake_stream)];
  return FAKE_SUCCESS;
}

/* Marks a capture failed; ending it then gives no graph. fake_mutex
 * held. */
static void fake_invalidate(fake_stream *s) {
  if (s && s->capturing)
    s->invalidated = 1;
}

static void fake_graph_free(fake_graph *g) {
  if (g) {
    free(g->nodes);
    free(g);
  }
}

static int fake_graph_append(fake_graph *g, const fake_node *node) {
  if (g->num == g->capacity) {
    int capacity = g->capacity ? 2 * g->capacity : 16;
    fake_node *grown = realloc(g->nodes, (size_t)capacity * sizeof *grown);
    if (!grown)
      return FAKE_OUT_OF_MEMORY;
    g->nodes = grown;
    g->capacity = capacity;
  }
  g->nodes[g->num++] = *node;
  return FAKE_SUCCESS;
}

/* Queues a node on `stream`: recorded when the stream captures, else run
 * now and counted on the stream. */
static int fake_submit(void *stream, const fake_node *node) {
  pthread_mutex_lock(&fake_mutex);
  fake_stream *s;
  int rc = fake_stream_of(stream, &s);
  if (rc == FAKE_SUCCESS && s && s->capturing) {
    if (s->invalidated) {
      rc = FAKE_CAPTURE_INVALIDATED;
    } else if (node->is_copy && node->dir != FAKE_DTOD &&
               !fake_is_pinned_locked(node->dir == FAKE_HTOD ? node->src
                                                             : node->dst,
                                      node->bytes)) {
      /* A replay would read (write) pageable memory the host may have
       * reused since: graphs take page-locked memory only. */
      fake_invalidate(s);
      rc = FAKE_CAPTURE_UNSUPPORTED;
    } else {
      rc = fake_graph_append(s->graph, node);
    }
    pthread_mutex_unlock(&fake_mutex);
    return rc;
  }
  if (rc == FAKE_SUCCESS) {
    if (s)
      ++s->ops;
    else
      ++fake_default_ops;
  }
  pthread_mutex_unlock(&fake_mutex);
  return rc ? rc : fake_run_node(node);
}

/* A launch of `function` with cuLaunchKernel's params, on `stream`: the
 * parameters' values are taken now. */
static int fake_launch(void *function, const unsigned grid[6], void *stream,
                       void **params) {
  const fake_kernel *k = function;
  if (!k || !params)
    return FAKE_INVALID_VALUE;
  fake_node node = {.is_copy = 0, .k = k};
  memcpy(node.grid, grid, sizeof node.grid);
  for (int i = 0; i < k->num_pointers; ++i)
    memcpy(&node.p[i], params[i], sizeof node.p[i]);
  memcpy(&node.n, params[k->num_pointers], sizeof node.n);
  return fake_submit(stream, &node);
}

/* A copy in direction `dir` on `stream`; `synchronous` ones (on the legacy
 * stream) are refused while any capture is in progress. */
static int fake_copy(void *dst, const void *src, size_t bytes, int dir,
                     void *stream, int synchronous) {
  if (synchronous) {
    pthread_mutex_lock(&fake_mutex);
    int capturing = fake_active_captures > 0;
    if (capturing)
      fake_invalidate(fake_capturing_here);
    pthread_mutex_unlock(&fake_mutex);
    if (capturing)
      return FAKE_CAPTURE_UNSUPPORTED;
  }
  fake_node node = {
      .is_copy = 1, .dst = dst, .src = src, .bytes = bytes, .dir = dir};
  return fake_submit(stream, &node);
}

static int fake_stream_create(void **out, unsigned flags) {
  /* ddl asks for non-blocking streams only. */
  if (flags != 1)
    return FAKE_INVALID_VALUE;
  pthread_mutex_lock(&fake_mutex);
  int i = 0;
  while (i < FAKE_MAX_STREAMS && fake_streams[i].live)
    ++i;
  if (i < FAKE_MAX_STREAMS) {
    fake_streams[i] = (fake_stream){.live = 1};
    ++fake_live_streams;
  }
  pthread_mutex_unlock(&fake_mutex);
  if (i == FAKE_MAX_STREAMS)
    return FAKE_OUT_OF_MEMORY;
  *out = &fake_streams[i];
  return FAKE_SUCCESS;
}

static int fake_stream_destroy(void *stream) {
  pthread_mutex_lock(&fake_mutex);
  fake_stream *s;
  int rc = fake_stream_of(stream, &s);
  if (rc == FAKE_SUCCESS && !s)
    rc = FAKE_INVALID_HANDLE;
  if (rc == FAKE_SUCCESS) {
    if (s->capturing) {
      --fake_active_captures;
      fake_graph_free(s->graph);
    }
    *s = (fake_stream){0};
    --fake_live_streams;
  }
  pthread_mutex_unlock(&fake_mutex);
  return rc;
}

/* Synchronizations asked for so far (fake_gpu_syncs). */
static long fake_stream_syncs, fake_context_syncs;

FAKE_SHARED int fake_stream_synchronize(void *stream) {
  pthread_mutex_lock(&fake_mutex);
  ++fake_stream_syncs;
  fake_stream *s;
  int rc = fake_stream_of(stream, &s);
  if (rc == FAKE_SUCCESS && s && s->capturing) {
    fake_invalidate(s);
    rc = FAKE_CAPTURE_UNSUPPORTED;
  }
  pthread_mutex_unlock(&fake_mutex);
  return rc;
}

/* Context-wide synchronization: refused while anything captures. */
static int fake_context_synchronize(void) {
  pthread_mutex_lock(&fake_mutex);
  ++fake_context_syncs;
  int capturing = fake_active_captures > 0;
  if (capturing)
    fake_invalidate(fake_capturing_here);
  pthread_mutex_unlock(&fake_mutex);
  return capturing ? FAKE_CAPTURE_UNSUPPORTED : FAKE_SUCCESS;
}

/* Whether this thread's capture forbids the call (and invalidates it):
 * a free always, an allocation outside relaxed mode. */
FAKE_SHARED int fake_capture_forbids(int is_free) {
  pthread_mutex_lock(&fake_mutex);
  fake_stream *s = fake_capturing_here;
  int forbidden = s && s->capturing && (is_free || s->mode != 2);
  if (forbidden)
    fake_invalidate(s);
  pthread_mutex_unlock(&fake_mutex);
  return forbidden ? FAKE_CAPTURE_UNSUPPORTED : FAKE_SUCCESS;
}

FAKE_SHARED int fake_begin_capture(void *stream, int mode) {
  if (mode < 0 || mode > 2)
    return FAKE_INVALID_VALUE;
  fake_graph *g = calloc(1, sizeof *g);
  if (!g)
    return FAKE_OUT_OF_MEMORY;
  pthread_mutex_lock(&fake_mutex);
  fake_stream *s;
  int rc = fake_stream_of(stream, &s);
  if (rc == FAKE_SUCCESS && (!s || s->capturing))
    rc = s ? FAKE_ILLEGAL_STATE : FAKE_CAPTURE_UNSUPPORTED;
  if (rc == FAKE_SUCCESS) {
    s->capturing = 1;
    s->invalidated = 0;
    s->mode = mode;
    s->graph = g;
    fake_capturing_here = s;
    ++fake_active_captures;
  }
  pthread_mutex_unlock(&fake_mutex);
  if (rc)
    free(g);
  return rc;
}

FAKE_SHARED int fake_end_capture(void *stream, void **graph) {
  *graph = NULL;
  pthread_mutex_lock(&fake_mutex);
  fake_stream *s;
  int rc = fake_stream_of(stream, &s);
  if (rc == FAKE_SUCCESS && (!s || !s->capturing))
    rc = FAKE_ILLEGAL_STATE;
  if (rc == FAKE_SUCCESS) {
    if (s->invalidated) {
      fake_graph_free(s->graph);
      rc = FAKE_CAPTURE_INVALIDATED;
    } else {
      *graph = s->graph;
      ++fake_live_graphs;
      ++fake_captures;
    }
    s->capturing = s->invalidated = 0;
    s->graph = NULL;
    if (fake_capturing_here == s)
      fake_capturing_here = NULL;
    --fake_active_captures;
  }
  pthread_mutex_unlock(&fake_mutex);
  return rc;
}

/* An executable graph is a copy of the graph's nodes. */
FAKE_SHARED int fake_instantiate(void **exec, void *graph) {
  fake_graph *g = graph, *e = calloc(1, sizeof *e);
  if (!g || !e) {
    free(e);
    return g ? FAKE_OUT_OF_MEMORY : FAKE_INVALID_VALUE;
  }
  for (int i = 0; i < g->num; ++i)
    if (fake_graph_append(e, &g->nodes[i]) != FAKE_SUCCESS) {
      fake_graph_free(e);
      return FAKE_OUT_OF_MEMORY;
    }
  pthread_mutex_lock(&fake_mutex);
  ++fake_live_graphs;
  pthread_mutex_unlock(&fake_mutex);
  *exec = e;
  return FAKE_SUCCESS;
}

/* Graphs and executables alike. */
FAKE_SHARED int fake_graph_destroy(void *graph) {
  if (!graph)
    return FAKE_INVALID_VALUE;
  fake_graph_free(graph);
  pthread_mutex_lock(&fake_mutex);
  --fake_live_graphs;
  pthread_mutex_unlock(&fake_mutex);
  return FAKE_SUCCESS;
}

FAKE_SHARED int fake_graph_launch(void *exec, void *stream) {
  fake_graph *e = exec;
  if (!e)
    return FAKE_INVALID_VALUE;
  pthread_mutex_lock(&fake_mutex);
  fake_stream *s;
  int rc = fake_stream_of(stream, &s);
  if (rc == FAKE_SUCCESS && s && s->capturing)
    rc = FAKE_CAPTURE_UNSUPPORTED; /* graphs in graphs: not modelled */
  if (rc == FAKE_SUCCESS) {
    if (s)
      ++s->ops;
    else
      ++fake_default_ops;
    ++fake_graph_launches;
  }
  pthread_mutex_unlock(&fake_mutex);
  for (int i = 0; e && i < e->num && rc == FAKE_SUCCESS; ++i)
    rc = fake_run_node(&e->nodes[i]);
  return rc;
}

/* For the tests: streams alive, operations run on the legacy default
 * stream and on created streams, captures that gave a graph, graph
 * launches, graphs and executables alive, page-locked buffers alive. */
FAKE_EXPORT void fake_gpu_stream_stats(int *live_streams, long *default_ops,
                                       long *stream_ops, int *captures,
                                       int *graph_launches, int *live_graphs,
                                       int *live_pinned) {
  pthread_mutex_lock(&fake_mutex);
  *live_streams = fake_live_streams;
  *default_ops = fake_default_ops;
  long ops = 0;
  for (int i = 0; i < FAKE_MAX_STREAMS; ++i)
    ops += fake_streams[i].ops;
  *stream_ops = ops;
  *captures = fake_captures;
  *graph_launches = fake_graph_launches;
  *live_graphs = fake_live_graphs;
  *live_pinned = fake_live_pinned;
  pthread_mutex_unlock(&fake_mutex);
}

/* For the tests: the operations run on one stream so far (NULL: the legacy
 * default stream; -1 for a handle that is not a live stream). */
FAKE_EXPORT long fake_gpu_stream_ops(void *stream) {
  pthread_mutex_lock(&fake_mutex);
  fake_stream *s;
  long ops = -1;
  if (fake_stream_of(stream, &s) == FAKE_SUCCESS)
    ops = s ? s->ops : fake_default_ops;
  pthread_mutex_unlock(&fake_mutex);
  return ops;
}

/* For the tests: stream and context synchronizations so far. */
FAKE_EXPORT void fake_gpu_syncs(long *stream_syncs, long *context_syncs) {
  pthread_mutex_lock(&fake_mutex);
  *stream_syncs = fake_stream_syncs;
  *context_syncs = fake_context_syncs;
  pthread_mutex_unlock(&fake_mutex);
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
