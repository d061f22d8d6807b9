/*===- fake_add_one.c - a hand-written model: y = x + 1 -------------------===*
 *
 * Stands in for a ddlc-compiled model in the runtime tests: one float input
 * of shape [batch, 4] (a symbolic and a static dimension), one output of
 * the same shape. -DFAKE_OUTPUT_NAME='"a/b:0"' renames the output, to test
 * how ddl-run turns output names into file names.
 *
 *===----------------------------------------------------------------------===*/
#include "ddl_model_abi.h"

#include <stdlib.h>

#ifndef FAKE_OUTPUT_NAME
#define FAKE_OUTPUT_NAME "y"
#endif

static const int64_t dims[] = {-1, 4};
static const char *const names[] = {"batch", NULL};
static const ddl_tensor_info inputs[] = {
    {"x", DDL_DTYPE_FLOAT, 2, dims, names}};
static const ddl_tensor_info outputs[] = {
    {FAKE_OUTPUT_NAME, DDL_DTYPE_FLOAT, 2, dims, names}};

static int32_t run(const ddl_host *host, const ddl_model_io *in,
                   ddl_model_io *out) {
  (void)host;
  int64_t n = in[0].dims[0] * 4;
  float *y = malloc(n ? (size_t)n * sizeof(float) : 1);
  if (!y)
    return 2;
  const float *x = in[0].data;
  for (int64_t i = 0; i < n; ++i)
    y[i] = x[i] + 1.0f;
  out[0].data = y;
  out[0].dims[0] = in[0].dims[0];
  out[0].dims[1] = 4;
  return DDL_MODEL_OK;
}

static const ddl_model model = {
    .abi_version = DDL_MODEL_ABI_VERSION,
    .num_inputs = 1,
    .num_outputs = 1,
    .inputs = inputs,
    .outputs = outputs,
    .name = "add_one",
    .target_triple = "host",
    .arena_bytes = 0,
    .run = run,
};

const ddl_model *ddl_get_model(void) { return &model; }
