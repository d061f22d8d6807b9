/*===- fake_cuda_add_one.c - a hand-written device model: y = x + 11.5 ----===*
 *
 * Stands in for a `ddlc --target=cuda` model in the runtime tests, run by
 * the fake driver of ../fake_driver: x, y float32[batch, 4], computed the
 * way generated code uses the host's device callbacks:
 *   tmp = arena                          (device memory)
 *   y   = device_alloc                   (the output)
 *   c   = device_constant(10.0)          (uploaded once per handle)
 *   add_one(x -> tmp); add_scalar(tmp, c -> y)
 *   s   = 0.5, copied into the arena;    add_scalar(y, s -> y)
 * and then reads the last x and y back with device_copy to check that a
 * copy to the host sees the kernels' results (else status 5).
 *
 * -DFAKE_ROCM makes it a ROCm model (gfx942, the fake HIP image);
 * -DFAKE_BAD_IMAGE embeds an image the fake driver refuses;
 * -DFAKE_NO_READBACK leaves the reads out (a model graph capture can
 * record) and puts add_scalar(tmp, c) into a temporary from device_alloc,
 * freed before the run returns; with -DFAKE_READBACK_FROM=K it reads again
 * from its K-th run on (a model that starts reading once captured).
 *
 *===----------------------------------------------------------------------===*/
#include "ddl_model_abi.h"

#include <stddef.h>

#ifdef FAKE_ROCM
#define FAKE_KIND DDL_DEVICE_ROCM
#define FAKE_ARCH "gfx942"
#define FAKE_MAGIC "FAKEHSACO"
#else
#define FAKE_KIND DDL_DEVICE_CUDA
#define FAKE_ARCH "sm_90"
#define FAKE_MAGIC "FAKECUBIN"
#endif
#ifdef FAKE_BAD_IMAGE
#undef FAKE_MAGIC
#define FAKE_MAGIC "\177ELF"
#endif

static const char image[] = FAKE_MAGIC " stands for a device binary";
static const float ten = 10.0f;

static const int64_t dims[] = {-1, 4};
static const char *const names[] = {"batch", NULL};
static const ddl_tensor_info inputs[] = {
    {"x", DDL_DTYPE_FLOAT, 2, dims, names}};
static const ddl_tensor_info outputs[] = {
    {"y", DDL_DTYPE_FLOAT, 2, dims, names}};

/* tmp (n floats), then the 0.5 scalar at the next 256-byte boundary. */
static int64_t scalar_offset(int64_t n) { return (n * 4 + 255) / 256 * 256; }

static int64_t arena_size(const ddl_model_io *in) {
  return scalar_offset(in[0].dims[0] * 4) + 256;
}

static int32_t run(const ddl_host *host, const ddl_model_io *in,
                   ddl_model_io *out) {
  void *ctx = host->ctx;
  int64_t batch = in[0].dims[0], n = batch * 4;
  char *arena = host->arena(ctx, arena_size(in));
  if (!arena)
    return DDL_MODEL_ERR_ARENA;
  float *tmp = (float *)arena;
  float *s = (float *)(arena + scalar_offset(n));
  float *y = host->device_alloc(ctx, n * 4);
  const float *c = host->device_constant(ctx, &ten, sizeof ten);
  const float *x = in[0].data;
  const int64_t grid[6] = {(n + 127) / 128, 1, 1, 128, 1, 1};
  void *add_one[] = {&x, &tmp, &n};
  host->device_launch(ctx, image, sizeof image, "add_one", grid, 0, add_one);
#ifdef FAKE_NO_READBACK
  float *t = host->device_alloc(ctx, n * 4);
#else
  float *t = y;
#endif
  void *add_ten[] = {&tmp, &c, &t, &n};
  host->device_launch(ctx, image, sizeof image, "add_scalar", grid, 0, add_ten);
  const float half = 0.5f;
  host->device_copy(ctx, s, &half, sizeof half, 1);
  void *add_half[] = {&t, &s, &y, &n};
  host->device_launch(ctx, image, sizeof image, "add_scalar", grid, 0,
                      add_half);
#ifdef FAKE_NO_READBACK
  host->device_free(ctx, t);
#ifdef FAKE_READBACK_FROM
  static int runs;
  int read_back = ++runs >= FAKE_READBACK_FROM;
#else
  int read_back = 0;
#endif
#else
  int read_back = 1;
#endif
  /* y is NULL once a device call failed (the host's errors are sticky and
   * its later calls do nothing): no address to read back from then. */
  if (n > 0 && read_back && y) {
    float last_x = 0, last_y = 0;
    host->device_copy(ctx, &last_x, x + n - 1, sizeof last_x, 0);
    host->device_copy(ctx, &last_y, y + n - 1, sizeof last_y, 0);
    if (last_y != last_x + 11.5f) {
      host->device_free(ctx, y);
      return 5;
    }
  }
  out[0].data = y;
  out[0].dims[0] = batch;
  out[0].dims[1] = 4;
  return DDL_MODEL_OK;
}

static const ddl_model model = {
    .abi_version = DDL_MODEL_ABI_VERSION,
    .num_inputs = 1,
    .num_outputs = 1,
    .device_kind = FAKE_KIND,
    .inputs = inputs,
    .outputs = outputs,
    .name = "device_add",
    .target_triple = "host",
    .arena_bytes = -1,
    .arena_formula = "align(batch * 16, 256) + 256",
    .arena_size = arena_size,
    .run = run,
    .device_arch = FAKE_ARCH,
};

const ddl_model *ddl_get_model(void) { return &model; }
