/*===- fake_two_inputs.c - a model whose inputs share a symbol ------------===*
 *
 * x: float32[batch], y: int64[2, batch] -> z: float32[batch] with
 * z[i] = x[i] + y[0][i] + y[1][i]. Exercises the equal-symbol check and
 * mixed dtypes.
 *
 *===----------------------------------------------------------------------===*/
#include "ddl_model_abi.h"

#include <stdlib.h>

static const int64_t x_dims[] = {-1};
static const char *const x_names[] = {"batch"};
static const int64_t y_dims[] = {2, -1};
static const char *const y_names[] = {NULL, "batch"};
static const ddl_tensor_info inputs[] = {
    {"x", DDL_DTYPE_FLOAT, 1, x_dims, x_names},
    {"y", DDL_DTYPE_INT64, 2, y_dims, y_names}};
static const ddl_tensor_info outputs[] = {
    {"z", DDL_DTYPE_FLOAT, 1, x_dims, x_names}};

static int32_t run(const ddl_host *host, const ddl_model_io *in,
                   ddl_model_io *out) {
  (void)host;
  int64_t n = in[0].dims[0];
  float *z = malloc(n ? (size_t)n * sizeof(float) : 1);
  if (!z)
    return 2;
  const float *x = in[0].data;
  const int64_t *y = in[1].data;
  for (int64_t i = 0; i < n; ++i)
    z[i] = x[i] + (float)y[i] + (float)y[n + i];
  out[0].data = z;
  out[0].dims[0] = n;
  return DDL_MODEL_OK;
}

static const ddl_model model = {
    .abi_version = DDL_MODEL_ABI_VERSION,
    .num_inputs = 2,
    .num_outputs = 1,
    .inputs = inputs,
    .outputs = outputs,
    .name = "two_inputs",
    .arena_bytes = 0,
    .run = run,
};

const ddl_model *ddl_get_model(void) { return &model; }
