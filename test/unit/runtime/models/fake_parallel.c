/*===- fake_parallel.c - a model using parallel_for and the arena ---------===*
 *
 * x: float32[n] -> y: float32[n], y = 2 * x, computed the way generated
 * code does: scratch from host->arena (size n * 4, input-dependent), a
 * parallel loop into it, a nested parallel loop inside each task, and a
 * second parallel loop copying into the malloc'd output.
 *
 * -DFAKE_HUGE_ARENA asks for an arena no host can give, to test the
 * DDL_MODEL_ERR_ARENA path.
 *
 *===----------------------------------------------------------------------===*/
#include "ddl_model_abi.h"

#include <stdlib.h>

static const int64_t dims[] = {-1};
static const char *const names[] = {"n"};
static const ddl_tensor_info inputs[] = {
    {"x", DDL_DTYPE_FLOAT, 1, dims, names}};
static const ddl_tensor_info outputs[] = {
    {"y", DDL_DTYPE_FLOAT, 1, dims, names}};

static int64_t arena_size(const ddl_model_io *in) {
#ifdef FAKE_HUGE_ARENA
  (void)in;
  return INT64_MAX / 2;
#else
  return in[0].dims[0] * (int64_t)sizeof(float);
#endif
}

typedef struct {
  const ddl_host *host;
  const float *x;
  float *scratch;
  float *y;
} args_t;

typedef struct {
  const float *x;
  float *scratch;
  int64_t base;
} inner_t;

static void inner(void *p, int64_t begin, int64_t end) {
  inner_t *a = p;
  for (int64_t i = begin; i < end; ++i)
    a->scratch[a->base + i] = 2.0f * a->x[a->base + i];
}

/* Each chunk of the outer loop splits its range again through the host:
 * a nested parallel_for that must not deadlock. */
static void outer(void *p, int64_t begin, int64_t end) {
  args_t *a = p;
  inner_t in = {a->x, a->scratch, begin};
  a->host->parallel_for(a->host->ctx, end - begin, inner, &in);
}

static void copy(void *p, int64_t begin, int64_t end) {
  args_t *a = p;
  for (int64_t i = begin; i < end; ++i)
    a->y[i] = a->scratch[i];
}

static int32_t run(const ddl_host *host, const ddl_model_io *in,
                   ddl_model_io *out) {
  int64_t n = in[0].dims[0];
  float *scratch = host->arena(host->ctx, arena_size(in));
  if (!scratch)
    return DDL_MODEL_ERR_ARENA;
  if (((uintptr_t)scratch & 63) != 0)
    return 3; /* the ABI promises 64-byte alignment */
  float *y = malloc(n ? (size_t)n * sizeof(float) : 1);
  if (!y)
    return 2;
  args_t a = {host, in[0].data, scratch, y};
  host->parallel_for(host->ctx, n, outer, &a);
  host->parallel_for(host->ctx, n, copy, &a);
  out[0].data = y;
  out[0].dims[0] = n;
  return DDL_MODEL_OK;
}

static const ddl_model model = {
    .abi_version = DDL_MODEL_ABI_VERSION,
    .num_inputs = 1,
    .num_outputs = 1,
    .inputs = inputs,
    .outputs = outputs,
    .name = "parallel",
    .arena_bytes = -1,
    .arena_formula = "n * 4",
    .arena_size = arena_size,
    .run = run,
};

const ddl_model *ddl_get_model(void) { return &model; }
