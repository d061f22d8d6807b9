/*===- ddl_internal.h - shared pieces of the runtime's sources ------------===*
 *
 * Not installed: the error helpers and the struct layouts the runtime's own
 * translation units share.
 *
 *===----------------------------------------------------------------------===*/
#ifndef DDL_RUNTIME_SRC_DDL_INTERNAL_H
#define DDL_RUNTIME_SRC_DDL_INTERNAL_H

#include "ddl_runtime.h"

#include <pthread.h>
#include <stdbool.h>

/* Stores a printf-style message for ddl_last_error() and returns `status`,
 * so failures read `return ddl_fail(DDL_NOT_FOUND, "...", ...);`. */
ddl_status ddl_fail(ddl_status status, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Element count and byte size of a shape; false (with the message set) on
 * a negative size or an overflow. `what` names the shape in the message. */
bool ddl_shape_size(int32_t dtype, int32_t rank, const int64_t *dims,
                    const char *what, int64_t *elements, size_t *bytes);

/* A tensor owning its data frees it with free(). */
ddl_status ddl_tensor_adopt(int32_t dtype, int32_t rank, const int64_t *dims,
                            void *data, ddl_tensor **out);

/* The bounds of a descriptor: inputs or outputs, bytes of a name (NUL
 * included) and of the arena formula. A string is read up to its bound,
 * so one without a NUL within it is refused, not overrun. */
#define DDL_MAX_IO 65536
#define DDL_MAX_NAME 4096
#define DDL_MAX_FORMULA (1 << 20)

/* Checks a model descriptor before anything else reads it: the ABI
 * version, the input and output infos, the strings, the entry points, the
 * device fields. DDL_OK, or the status with the message set naming `path`.
 * (Also the entry point of the fuzzer test/fuzz/fuzz_model_descriptor.c.) */
ddl_status ddl_validate_model(const char *path, const ddl_model *m);
/* The sum of a string tensor's lengths (int64, host, each >= 0). */
ddl_status ddl_strings_total(const ddl_tensor *lengths, int64_t *total);

struct ddl_device;

/* A device tensor owning `data`, memory of `device` (from
 * ddl_device_alloc, or its pool when `pooled`: ddl_device_alloc_on): it
 * takes a reference to the device and, when destroyed, frees the memory
 * through it and drops the reference. With `stream_ordered` (pooled
 * memory made on the caller's stream `stream` by a stream-ordered run),
 * copies of it go on that stream and it is freed in that stream's order;
 * otherwise its free waits for the device first. */
ddl_status ddl_tensor_adopt_device(int32_t dtype, int32_t rank,
                                   const int64_t *dims, void *data, bool pooled,
                                   struct ddl_device *device,
                                   bool stream_ordered, void *stream,
                                   ddl_tensor **out);

struct ddl_tensor {
  int32_t dtype;
  int32_t rank;
  bool owns_data;
  void *data; /* host memory, or device memory for a device tensor */
  /* Where `data` lives: DDL_DEVICE_CPU (ordinal 0), or a GPU. */
  int32_t device_kind;
  int device_ordinal;
  /* An owned device tensor's device (a counted reference); NULL for host
   * tensors and borrowed device memory. */
  struct ddl_device *device;
  /* An owned device tensor's memory is from the device's stream-ordered
   * pool (ddl_device_alloc_on), not a driver allocation. */
  bool pooled;
  /* Pooled memory of a stream-ordered run: made, copied and freed in the
   * order of the caller's `stream` (ddl_tensor_adopt_device). */
  bool stream_ordered;
  void *stream;
  int64_t num_elements;
  size_t byte_size;
  int64_t dims[DDL_MAX_RANK];
};

/* Allocates `bytes` (rounded up to 64) aligned to 64; NULL on failure or
 * on a size that cannot be rounded. Freed with free(). */
void *ddl_aligned_alloc(size_t bytes);

/* ddl_host.parallel_for over a ddl_runtime (`ctx`). Never fails, as the
 * ABI has no way to say so: a busy pool runs the range inline. */
void ddl_runtime_parallel_for_host(void *ctx, int64_t n, ddl_task_fn fn,
                                   void *args);

#endif /* DDL_RUNTIME_SRC_DDL_INTERNAL_H */
