/*===- ddl_run_io.h - tensor file formats of ddl-run ----------------------===*
 *
 * Readers for NumPy .npy files and ONNX TensorProto .pb files, and the .npy
 * writer. Each returns 0 on success, or -1 with a message naming the file
 * in `err`; they never abort on malformed input.
 *
 *===----------------------------------------------------------------------===*/
#ifndef DDL_TOOLS_DDL_RUN_DDL_RUN_IO_H
#define DDL_TOOLS_DDL_RUN_DDL_RUN_IO_H

#include "ddl_runtime.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Reads a whole file; -1 with `err` set on failure. Free *data with free(). */
int ddl_read_file(const char *path, unsigned char **data, size_t *size,
                  char *err, size_t err_size);

/* `want_dtype` (0 = none) resolves what a file cannot say by itself: NumPy
 * has no bfloat16, so a '<u2' array feeds a bfloat16 input as raw bits. */
int ddl_npy_read(const char *path, int32_t want_dtype, ddl_tensor **out,
                 char *err, size_t err_size);
int ddl_npy_write(const char *path, const ddl_tensor *t, char *err,
                  size_t err_size);
/* ddl_npy_read on `size` bytes in memory; `name` names them in messages.
 * (Also the entry point of the fuzzer test/fuzz/fuzz_npy.c.) */
int ddl_npy_parse(const char *name, const unsigned char *data, size_t size,
                  int32_t want_dtype, ddl_tensor **out, char *err,
                  size_t err_size);

/* Decodes an ONNX TensorProto. `name` (may be NULL) receives the tensor's
 * name, or "" (free with free()). */
int ddl_onnx_pb_read(const char *path, ddl_tensor **out, char **name, char *err,
                     size_t err_size);
/* The same on `size` bytes in memory (fuzzed by test/fuzz/fuzz_onnx_pb.c). */
int ddl_onnx_pb_parse(const char *path, const unsigned char *data, size_t size,
                      ddl_tensor **out, char **name, char *err,
                      size_t err_size);

/* An element as double, for summaries (float16 and bfloat16 decoded). */
double ddl_element_as_double(const ddl_tensor *t, int64_t i);

/* A value of a model's graph as ddl-run reads and writes it: a tensor, a
 * sequence of tensors, or an empty optional. */
enum { DDL_RUN_TENSOR = 0, DDL_RUN_SEQUENCE = 1, DDL_RUN_NONE = 2 };
typedef struct {
  int kind;
  ddl_tensor *tensor;    /* DDL_RUN_TENSOR */
  ddl_tensor **elements; /* DDL_RUN_SEQUENCE: `count` tensors */
  size_t count;
} ddl_run_value;

void ddl_run_value_clear(ddl_run_value *v);

/* Reads an ONNX TensorProto (want = DDL_RUN_TENSOR), SequenceProto
 * (DDL_RUN_SEQUENCE) or OptionalProto (DDL_RUN_NONE: the result is empty,
 * a tensor or a sequence) from `path`. 0 on success, else -1 with `err`. */
int ddl_onnx_value_read(const char *path, int want, ddl_run_value *out,
                        char *err, size_t err_size);

/* Reads a string TensorProto into the ABI's lengths (int64, its shape) and
 * bytes (int8). */
int ddl_onnx_strings_read(const char *path, ddl_tensor **lengths,
                          ddl_tensor **bytes, char *err, size_t err_size);
/* Writes a string tensor (lengths and UTF-8 bytes) as a numpy <U array. */
int ddl_npy_write_strings(const char *path, const ddl_tensor *lengths,
                          const ddl_tensor *bytes, char *err, size_t err_size);

#ifdef __cplusplus
}
#endif

#endif /* DDL_TOOLS_DDL_RUN_DDL_RUN_IO_H */
