/* libFuzzer target: ddl-run's .npy reader (tools/ddl-run/npy.c) on
 * arbitrary bytes. It must return an error or a tensor whose size matches
 * its shape, never crash or read past the input. */
#include "ddl_run_io.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char err[512] = "";
  ddl_tensor *t = NULL;
  /* Odd sizes ask for bfloat16 (how a '<u2' array may be read). */
  int32_t want = (size & 1) ? DDL_DTYPE_BFLOAT16 : 0;
  if (ddl_npy_parse("fuzz.npy", data, size, want, &t, err, sizeof err) == 0) {
    size_t bytes = ddl_tensor_byte_size(t);
    if (bytes > size)
      __builtin_trap(); /* the data came from the input */
    volatile unsigned char sink = 0;
    const unsigned char *p = ddl_tensor_data(t);
    for (size_t i = 0; i < bytes; ++i)
      sink ^= p[i];
    ddl_tensor_destroy(t);
  } else if (!err[0] || t) {
    __builtin_trap(); /* a failure says why and returns nothing */
  }
  return 0;
}
