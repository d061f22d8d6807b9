/* (a) An embedder in C: imports an ONNX model from memory through ddl's C
 * API, runs a pipeline and a textual pass pipeline on it, compiles it to a
 * shared object and runs that through ddl's runtime. Then it checks that
 * the C API reports each kind of mistake as a status with a message: a bad
 * model, a missing file, bad options, a wrong target, a bad pipeline.
 *
 *   compile_and_run model.onnx out.so input.f32 expected.f32 N C H W \
 *                   unsupported.onnx
 *
 * (unsupported.onnx: any model with an op ddl does not support.)
 *
 * Prints one line per check; exits non-zero if any fails.
 */
#include "ddl-c/Compiler.h"
#include "example_support.h"

#include "mlir-c/IR.h"

#include <string.h>

static int failures = 0;

/* Checks that `status` is a failure of kind `code` whose message contains
 * `words`, prints the verdict, and releases the status. */
static void expect_failure(const char *what, DdlStatus status,
                           DdlStatusCode code, const char *words) {
  const char *message = ddlStatusGetMessage(status);
  if (ddlStatusIsOk(status) || ddlStatusGetCode(status) != code ||
      !strstr(message, words)) {
    printf("FAIL %s: code %d, message '%s'\n", what,
           (int)ddlStatusGetCode(status), message);
    ++failures;
  } else {
    printf("ok %s: %s\n", what, message);
  }
  ddlStatusDestroy(status);
}

/* Checks that `status` is success; prints its message otherwise. */
static int expect_ok(const char *what, DdlStatus status) {
  if (!ddlStatusIsOk(status)) {
    printf("FAIL %s: %s\n", what, ddlStatusGetMessage(status));
    ddlStatusDestroy(status);
    ++failures;
    return 0;
  }
  printf("ok %s\n", what);
  return 1;
}

static char *read_file(const char *path, size_t *size) {
  FILE *file = fopen(path, "rb");
  if (!file)
    return NULL;
  fseek(file, 0, SEEK_END);
  long bytes = ftell(file);
  fseek(file, 0, SEEK_SET);
  char *data = malloc(bytes > 0 ? (size_t)bytes : 1);
  if (data && fread(data, 1, (size_t)bytes, file) != (size_t)bytes) {
    free(data);
    data = NULL;
  }
  fclose(file);
  *size = (size_t)bytes;
  return data;
}

/* A compile of `module` with one option changed, expected to be refused
 * with `code` (when set, if the value alone is wrong, or when compiling). */
static void expect_bad_option(MlirModule module, const char *name,
                              const char *value, const char *so_path,
                              DdlStatusCode code, const char *words) {
  DdlCompileOptions options = ddlCompileOptionsCreate();
  DdlStatus set = ddlCompileOptionsSet(options, name, value);
  char what[128];
  snprintf(what, sizeof what, "refuses %s=%s", name, value);
  if (!ddlStatusIsOk(set)) {
    /* Refused when set (a malformed value): fine, as long as it says so. */
    expect_failure(what, set, code, words);
  } else {
    expect_failure(what,
                   ddlCompileToSharedObject(module, options, so_path, NULL),
                   code, words);
  }
  ddlCompileOptionsDestroy(options);
}

int main(int argc, char **argv) {
  if (argc != 10) {
    fprintf(stderr,
            "usage: %s model.onnx out.so input.f32 expected.f32 N C H W "
            "unsupported.onnx\n",
            argv[0]);
    return 2;
  }
  const char *model_path = argv[1], *so_path = argv[2];
  int64_t dims[4];
  for (int i = 0; i < 4; ++i)
    dims[i] = strtoll(argv[5 + i], NULL, 10);

  /* The library must implement the API this program was built against. */
  uint32_t version = ddlGetCApiVersion();
  if (version / 1000 != DDL_C_API_VERSION_MAJOR ||
      version % 1000 < DDL_C_API_VERSION_MINOR) {
    fprintf(stderr, "libddl_compiler implements C API %u, need %d\n", version,
            DDL_C_API_VERSION);
    return 1;
  }
  printf("ddl %s, C API %u, model ABI %u\n", ddlGetVersionString(), version,
         ddlGetModelAbiVersion());

  MlirContext context = mlirContextCreate();
  ddlContextRegisterAllDialects(context);

  /* Import from memory, as a host that already holds the model would. */
  size_t size = 0;
  char *bytes = read_file(model_path, &size);
  if (!bytes) {
    fprintf(stderr, "cannot read %s\n", model_path);
    return 1;
  }
  MlirModule module = {NULL};
  if (!expect_ok(
          "import from a buffer",
          ddlImportONNXBuffer(context, bytes, size, model_path, 0, &module)))
    return 1;
  free(bytes);

  /* ddl's own stage, then a textual pipeline of ddl and upstream passes. */
  DdlCompileOptions options = ddlCompileOptionsCreate();
  if (!expect_ok("set target",
                 ddlCompileOptionsSet(options, "target", "host")) ||
      !expect_ok("set opt-level",
                 ddlCompileOptionsSet(options, "opt-level", "2")) ||
      !expect_ok(
          "simplify pipeline",
          ddlRunPipeline(module, DDL_PIPELINE_SIMPLIFY_GRAPH, options)) ||
      !expect_ok("pass pipeline",
                 ddlRunPassPipeline(module, "nn-infer-shapes,canonicalize")))
    return 1;

  /* The error paths, on the still-unlowered module. */
  expect_failure(
      "bad model",
      ddlImportONNXBuffer(context, "not a model", 11, "junk.onnx", 0, &module),
      DDL_STATUS_INVALID_MODEL, "not an ONNX model");
  expect_failure(
      "missing file",
      ddlImportONNXFile(context, "/nonexistent/model.onnx", 0, &module),
      DDL_STATUS_IO, "cannot read");
  MlirModule other = {NULL};
  expect_failure("unsupported op",
                 ddlImportONNXFile(context, argv[9], 0, &other),
                 DDL_STATUS_UNSUPPORTED, "unsupported: op");
  expect_failure("not a graph file",
                 ddlReadGraphFile(context, model_path, &other),
                 DDL_STATUS_INVALID_MODEL, "error:");
  /* Another stage, on a second import (from the file this time). */
  if (expect_ok("import from a file",
                ddlImportONNXFile(context, model_path, 0, &other)) &&
      expect_ok("graph-to-linalg pipeline",
                ddlRunPipeline(other, DDL_PIPELINE_GRAPH_TO_LINALG, options)))
    mlirModuleDestroy(other);
  static const struct {
    const char *name, *value;
    DdlStatusCode code;
    const char *words;
  } bad_options[] = {
      {"target", "sparc", DDL_STATUS_INVALID_ARGUMENT, "unknown --target"},
      {"target", "cuda:sm_12", DDL_STATUS_INVALID_ARGUMENT, "sm_12"},
      {"precision", "bf16", DDL_STATUS_INVALID_ARGUMENT,
       "needs --target=cuda:sm_80"},
      {"quantize", "fp4", DDL_STATUS_INVALID_ARGUMENT, "unknown --quantize"},
      {"quantize-group", "48", DDL_STATUS_INVALID_ARGUMENT, "--quantize-group"},
      {"ternary-kernel", "fast", DDL_STATUS_INVALID_ARGUMENT,
       "unknown --ternary-kernel"},
      {"opt-level", "fast", DDL_STATUS_INVALID_ARGUMENT, "not an integer"},
      {"no-such-option", "1", DDL_STATUS_INVALID_ARGUMENT,
       "unknown compile option"},
      {"schedules", "/nonexistent/tuning.sched", DDL_STATUS_IO,
       "cannot read schedules file"},
  };
  for (size_t i = 0; i < sizeof bad_options / sizeof bad_options[0]; ++i)
    expect_bad_option(module, bad_options[i].name, bad_options[i].value,
                      so_path, bad_options[i].code, bad_options[i].words);
  DdlCompileOptions nothing = {NULL};
  expect_failure("null options", ddlCompileOptionsCheck(nothing),
                 DDL_STATUS_INVALID_ARGUMENT, "null options");
  expect_failure("bad pass pipeline",
                 ddlRunPassPipeline(module, "no-such-pass"),
                 DDL_STATUS_INVALID_ARGUMENT, "no-such-pass");
  expect_failure("unwritable output",
                 ddlCompileToSharedObject(module, options,
                                          "/nonexistent/dir/model.so", NULL),
                 DDL_STATUS_IO, "cannot write");

  /* Compile and run. */
  if (!expect_ok("compile",
                 ddlCompileToSharedObject(module, options, so_path, NULL)))
    return 1;
  ddlCompileOptionsDestroy(options);
  mlirModuleDestroy(module);
  mlirContextDestroy(context);

  size_t inputs = 0, outputs = 0;
  float *input = example_read_floats(argv[3], &inputs);
  float *expected = example_read_floats(argv[4], &outputs);
  if (!input || !expected)
    return 1;
  if (example_run_and_check(so_path, input, 4, dims, expected, outputs))
    ++failures;
  free(input);
  free(expected);
  printf("%d failure(s)\n", failures);
  return failures ? 1 : 0;
}
