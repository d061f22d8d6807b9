/*===- fake_bad.c - models that break the ABI, one way per FAKE_BAD ------===*
 *
 * Built once per variant with -DFAKE_BAD=<n>; the base model (FAKE_BAD=0)
 * is a valid float32[2] -> float32[2] copy.
 *
 *===----------------------------------------------------------------------===*/
#include "ddl_model_abi.h"

#include <stdlib.h>
#include <string.h>

/* Macros, not an enum: #if sees only macros. */
#define BAD_NONE 0
#define BAD_ABI 1          /* abi_version 7 */
#define BAD_NULL_MODEL 2   /* ddl_get_model returns NULL */
#define BAD_DTYPE 3        /* input dtype 99 */
#define BAD_NULL_NAME 4    /* input name NULL */
#define BAD_RANK 5         /* input rank 99 */
#define BAD_DUP_NAME 6     /* two inputs named x */
#define BAD_NULL_RUN 7     /* run is NULL */
#define BAD_RUN_FAILS 8    /* run returns 7 */
#define BAD_OUTPUT_DIMS 9  /* run returns dims[0] = -3 */
#define BAD_NULL_DIMS 10   /* input rank 2 with dims NULL */
#define BAD_NO_ARENA_FN 11 /* arena_bytes -1 but arena_size NULL */
#define BAD_NULL_OUTPUT 12 /* run returns NULL data for 8 bytes */
#define BAD_DEVICE_KIND 13 /* device_kind 3 */
#define BAD_NO_ARCH 14     /* a CUDA model with device_arch NULL */

#ifndef FAKE_BAD
#define FAKE_BAD BAD_NONE
#endif

static const int64_t dims[] = {2};
static const char *const names[] = {NULL};
static const ddl_tensor_info inputs[] = {
#if FAKE_BAD == BAD_DTYPE
    {"x", 99, 1, dims, names},
#elif FAKE_BAD == BAD_NULL_NAME
    {NULL, DDL_DTYPE_FLOAT, 1, dims, names},
#elif FAKE_BAD == BAD_RANK
    {"x", DDL_DTYPE_FLOAT, 99, dims, names},
#elif FAKE_BAD == BAD_NULL_DIMS
    {"x", DDL_DTYPE_FLOAT, 2, NULL, NULL},
#else
    {"x", DDL_DTYPE_FLOAT, 1, dims, names},
#endif
    {"x", DDL_DTYPE_FLOAT, 1, dims, names},
};
static const ddl_tensor_info outputs[] = {
    {"y", DDL_DTYPE_FLOAT, 1, dims, names}};

static int32_t run(const ddl_host *host, const ddl_model_io *in,
                   ddl_model_io *out) {
  (void)host;
  if (FAKE_BAD == BAD_RUN_FAILS)
    return 7;
  if (FAKE_BAD == BAD_NULL_OUTPUT) {
    out[0].data = NULL;
    return DDL_MODEL_OK;
  }
  float *y = malloc(2 * sizeof(float));
  if (!y)
    return 2;
  memcpy(y, in[0].data, 2 * sizeof(float));
  out[0].data = y;
  out[0].dims[0] = FAKE_BAD == BAD_OUTPUT_DIMS ? -3 : 2;
  return DDL_MODEL_OK;
}

static const ddl_model model = {
    .abi_version = FAKE_BAD == BAD_ABI ? 7u : DDL_MODEL_ABI_VERSION,
    .num_inputs = FAKE_BAD == BAD_DUP_NAME ? 2 : 1,
    .num_outputs = 1,
    .inputs = inputs,
    .outputs = outputs,
    .name = "bad",
    .arena_bytes = FAKE_BAD == BAD_NO_ARENA_FN ? -1 : 0,
    .run = FAKE_BAD == BAD_NULL_RUN ? NULL : run,
    .device_kind = FAKE_BAD == BAD_DEVICE_KIND ? 3u
                   : FAKE_BAD == BAD_NO_ARCH   ? DDL_DEVICE_CUDA
                                               : DDL_DEVICE_CPU,
};

const ddl_model *ddl_get_model(void) {
  return FAKE_BAD == BAD_NULL_MODEL ? NULL : &model;
}
