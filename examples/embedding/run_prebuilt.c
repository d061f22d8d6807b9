/* (c) An embedder that only runs models: links libddl_runtime alone (found
 * with pkg-config), opens a model ddlc compiled earlier, prints its
 * signature and checks its output.
 *
 *   run_prebuilt model.so input.f32 expected.f32 N C H W
 */
#include "example_support.h"

int main(int argc, char **argv) {
  if (argc != 8) {
    fprintf(stderr, "usage: %s model.so input.f32 expected.f32 N C H W\n",
            argv[0]);
    return 2;
  }
  int64_t dims[4];
  for (int i = 0; i < 4; ++i)
    dims[i] = strtoll(argv[4 + i], NULL, 10);
  size_t inputs = 0, outputs = 0;
  float *input = example_read_floats(argv[2], &inputs);
  float *expected = example_read_floats(argv[3], &outputs);
  if (!input || !expected ||
      (int64_t)inputs != dims[0] * dims[1] * dims[2] * dims[3])
    return 1;

  /* The signature, as a host that knows nothing of the model reads it. */
  ddl_runtime *rt = NULL;
  ddl_model_handle *model = NULL;
  if (ddl_runtime_create(1, &rt) != DDL_OK ||
      ddl_model_open(rt, argv[1], &model) != DDL_OK) {
    fprintf(stderr, "cannot open %s: %s\n", argv[1], ddl_last_error());
    return 1;
  }
  const ddl_tensor_info *info = ddl_model_input_info(model, 0);
  printf("input %s: %s, rank %d, first dim %s\n", info->name,
         ddl_dtype_name(info->dtype), info->rank,
         info->dims[0] < 0 ? (info->dim_names[0] ? info->dim_names[0] : "?")
                           : "static");
  ddl_model_close(model);
  ddl_runtime_destroy(rt);

  int status =
      example_run_and_check(argv[1], input, 4, dims, expected, outputs);
  free(input);
  free(expected);
  return status;
}
