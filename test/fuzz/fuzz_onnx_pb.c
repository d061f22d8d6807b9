/* libFuzzer target: ddl-run's ONNX TensorProto reader
 * (tools/ddl-run/onnx_pb.c) on arbitrary bytes. It must return an error or
 * a tensor, never crash, overflow or read past the input. */
#include "ddl_run_io.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char err[512] = "";
  ddl_tensor *t = NULL;
  char *name = NULL;
  if (ddl_onnx_pb_parse("fuzz.pb", data, size, &t, &name, err, sizeof err) ==
      0) {
    volatile unsigned char sink = (unsigned char)strlen(name);
    const unsigned char *p = ddl_tensor_data(t);
    for (size_t i = 0, n = ddl_tensor_byte_size(t); i < n; ++i)
      sink ^= p[i];
    ddl_tensor_destroy(t);
    free(name);
  } else if (!err[0] || t || name) {
    __builtin_trap(); /* a failure says why and returns nothing */
  }
  return 0;
}
