/* Helpers the embedder examples share: read float32 files, run a model on
 * one float input through ddl's runtime, compare its first output with
 * expected values. Uses only the runtime's public header. */
#ifndef DDL_EXAMPLE_SUPPORT_H
#define DDL_EXAMPLE_SUPPORT_H

#include "ddl_runtime.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* Reads a raw little-endian float32 file; *count is set to its length. */
static float *example_read_floats(const char *path, size_t *count) {
  FILE *file = fopen(path, "rb");
  if (!file) {
    fprintf(stderr, "cannot open %s\n", path);
    return NULL;
  }
  fseek(file, 0, SEEK_END);
  long bytes = ftell(file);
  fseek(file, 0, SEEK_SET);
  float *data = bytes > 0 ? (float *)malloc((size_t)bytes) : NULL;
  if (!data || fread(data, 1, (size_t)bytes, file) != (size_t)bytes) {
    fprintf(stderr, "cannot read %s\n", path);
    free(data);
    fclose(file);
    return NULL;
  }
  fclose(file);
  *count = (size_t)bytes / sizeof(float);
  return data;
}

/* Whether `got` matches `want` to a relative 1e-4 (and absolute 1e-5). */
static int example_close(const float *got, const float *want, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    float tolerance = 1e-5f + 1e-4f * fabsf(want[i]);
    if (!(fabsf(got[i] - want[i]) <= tolerance)) {
      fprintf(stderr, "element %zu: got %g, expected %g\n", i, got[i], want[i]);
      return 0;
    }
  }
  return 1;
}

/* Opens the model at `so_path`, runs it on `input` (float32, shape
 * `dims`), and checks its first output against `expected` (`count`
 * floats). Prints what it did; returns 0 when the output matches. */
static int example_run_and_check(const char *so_path, const float *input,
                                 int32_t rank, const int64_t *dims,
                                 const float *expected, size_t count) {
  ddl_runtime *rt = NULL;
  ddl_model_handle *model = NULL;
  ddl_tensor *in = NULL, *out = NULL;
  int result = 1;
  if (ddl_runtime_create(1, &rt) != DDL_OK ||
      ddl_model_open(rt, so_path, &model) != DDL_OK) {
    fprintf(stderr, "cannot open %s: %s\n", so_path, ddl_last_error());
    goto done;
  }
  printf("model %s: %zu input(s), %zu output(s)\n", ddl_model_name(model),
         ddl_model_num_inputs(model), ddl_model_num_outputs(model));
  if (ddl_tensor_wrap(DDL_DTYPE_FLOAT, rank, dims, (void *)input, &in) !=
          DDL_OK ||
      ddl_model_run(model, (const ddl_tensor *const *)&in, 1, &out, 1) !=
          DDL_OK) {
    fprintf(stderr, "run failed: %s\n", ddl_last_error());
    goto done;
  }
  if ((size_t)ddl_tensor_num_elements(out) != count) {
    fprintf(stderr, "output has %lld elements, expected %zu\n",
            (long long)ddl_tensor_num_elements(out), count);
    goto done;
  }
  if (!example_close((const float *)ddl_tensor_data(out), expected, count))
    goto done;
  printf("output matches the %zu expected values\n", count);
  result = 0;
done:
  ddl_tensor_destroy(out);
  ddl_tensor_destroy(in);
  ddl_model_close(model);
  ddl_runtime_destroy(rt);
  return result;
}

#endif /* DDL_EXAMPLE_SUPPORT_H */
