/*===- model_driver.h - compiled models through the runtime API, for tests -===*
 *
 * What the runtime tests that drive real ddlc-compiled models share
 * (model_stress.c, allocation_failures.c): a CHECK that counts, inputs
 * whose dynamic dimensions all take one batch value, reference outputs per
 * batch size from single-threaded runs, and bitwise comparison with them.
 * Each test program is one translation unit, so everything here is static.
 *===----------------------------------------------------------------------===*/
#ifndef DDL_TEST_MODEL_DRIVER_H
#define DDL_TEST_MODEL_DRIVER_H

#include "ddl_runtime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int checks, failures;

#define CHECK(cond, ...)                                                       \
  do {                                                                         \
    __sync_fetch_and_add(&checks, 1);                                          \
    if (!(cond)) {                                                             \
      __sync_fetch_and_add(&failures, 1);                                      \
      fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, __LINE__, #cond); \
      fprintf(stderr, __VA_ARGS__);                                            \
      fprintf(stderr, " (%s)\n", ddl_last_error());                            \
    }                                                                          \
  } while (0)

enum { MAX_IO = 16, NUM_BATCHES = 4 };
static const int64_t BATCHES[NUM_BATCHES] = {1, 2, 3, 5};

typedef struct {
  ddl_model_handle *h;
  size_t num_in, num_out;
  /* Reference outputs per batch size, from single-threaded runs. */
  ddl_tensor *reference[NUM_BATCHES][MAX_IO];
} model;

/* Input i of `m` at batch `b`: dynamic dims take b; values a fixed
 * function of the position (or `fill` where fill is not 0). */
static inline ddl_tensor *make_input(const model *m, size_t i, int64_t b,
                                     float fill) {
  const ddl_tensor_info *info = ddl_model_input_info(m->h, i);
  int64_t dims[8];
  for (int d = 0; d < info->rank; ++d)
    dims[d] = info->dims[d] < 0 ? b : info->dims[d];
  ddl_tensor *t = NULL;
  if (ddl_tensor_create(info->dtype, info->rank, dims, &t) != DDL_OK)
    return NULL;
  if (info->dtype == DDL_DTYPE_FLOAT) {
    float *x = ddl_tensor_data(t);
    for (int64_t k = 0; k < ddl_tensor_num_elements(t); ++k)
      x[k] = fill != 0 ? fill : (float)((k * 7 + (int64_t)i * 13) % 17) / 8 - 1;
  }
  return t;
}

static inline ddl_status run(const model *m, ddl_tensor **ins, size_t num_in,
                             ddl_tensor **outs) {
  return ddl_model_run(m->h, (const ddl_tensor *const *)ins, num_in, outs,
                       m->num_out);
}

static inline void destroy_all(ddl_tensor **ts, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    ddl_tensor_destroy(ts[i]);
    ts[i] = NULL;
  }
}

static inline int same(const ddl_tensor *a, const ddl_tensor *b) {
  return a && b && ddl_tensor_rank(a) == ddl_tensor_rank(b) &&
         ddl_tensor_byte_size(a) == ddl_tensor_byte_size(b) &&
         memcmp(ddl_tensor_dims(a), ddl_tensor_dims(b),
                (size_t)ddl_tensor_rank(a) * sizeof(int64_t)) == 0 &&
         memcmp(ddl_tensor_data(a), ddl_tensor_data(b),
                ddl_tensor_byte_size(a)) == 0;
}

/* Runs `m` at BATCHES[k] and compares with the reference: 1 if equal. */
static inline int run_matches(const model *m, int k) {
  ddl_tensor *ins[MAX_IO] = {0}, *outs[MAX_IO] = {0};
  for (size_t i = 0; i < m->num_in; ++i)
    ins[i] = make_input(m, i, BATCHES[k], 0);
  int ok = run(m, ins, m->num_in, outs) == DDL_OK;
  for (size_t o = 0; ok && o < m->num_out; ++o)
    ok = same(outs[o], m->reference[k][o]);
  destroy_all(ins, m->num_in);
  destroy_all(outs, m->num_out);
  return ok;
}

static inline int open_model(ddl_runtime *rt, const char *path, model *m) {
  memset(m, 0, sizeof *m);
  if (ddl_model_open(rt, path, &m->h) != DDL_OK) {
    fprintf(stderr, "cannot open %s: %s\n", path, ddl_last_error());
    return 0;
  }
  m->num_in = ddl_model_num_inputs(m->h);
  m->num_out = ddl_model_num_outputs(m->h);
  if (m->num_in == 0 || m->num_in >= MAX_IO || m->num_out >= MAX_IO) {
    fprintf(stderr, "%s: the driver takes 1 to %d inputs\n", path, MAX_IO - 1);
    return 0;
  }
  for (int k = 0; k < NUM_BATCHES; ++k) {
    ddl_tensor *ins[MAX_IO] = {0};
    for (size_t i = 0; i < m->num_in; ++i)
      ins[i] = make_input(m, i, BATCHES[k], 0);
    ddl_status s = run(m, ins, m->num_in, m->reference[k]);
    destroy_all(ins, m->num_in);
    if (s != DDL_OK) {
      fprintf(stderr, "%s: reference run at batch %lld failed: %s\n", path,
              (long long)BATCHES[k], ddl_last_error());
      return 0;
    }
  }
  return 1;
}

static inline void close_model(model *m) {
  for (int k = 0; k < NUM_BATCHES; ++k)
    destroy_all(m->reference[k], m->num_out);
  ddl_model_close(m->h);
}

#endif /* DDL_TEST_MODEL_DRIVER_H */
