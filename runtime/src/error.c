/*===- error.c - status names, the thread-local message, dtypes ----------===*
 *
 * The one piece of mutable global state in the runtime: each thread's last
 * error message. It is thread-local so that concurrent runs on different
 * threads never see each other's errors.
 *
 *===----------------------------------------------------------------------===*/
#include "ddl_internal.h"

#include <stdarg.h>
#include <stdio.h>

static _Thread_local char ddl_error_message[1024];

ddl_status ddl_fail(ddl_status status, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(ddl_error_message, sizeof ddl_error_message, fmt, ap);
  va_end(ap);
  return status;
}

const char *ddl_last_error(void) { return ddl_error_message; }

const char *ddl_status_name(ddl_status status) {
  switch (status) {
  case DDL_OK:
    return "DDL_OK";
  case DDL_INVALID_ARGUMENT:
    return "DDL_INVALID_ARGUMENT";
  case DDL_NOT_FOUND:
    return "DDL_NOT_FOUND";
  case DDL_ABI_MISMATCH:
    return "DDL_ABI_MISMATCH";
  case DDL_SHAPE_MISMATCH:
    return "DDL_SHAPE_MISMATCH";
  case DDL_DTYPE_MISMATCH:
    return "DDL_DTYPE_MISMATCH";
  case DDL_OUT_OF_MEMORY:
    return "DDL_OUT_OF_MEMORY";
  case DDL_LOAD_FAILED:
    return "DDL_LOAD_FAILED";
  case DDL_INVALID_MODEL:
    return "DDL_INVALID_MODEL";
  case DDL_RUN_FAILED:
    return "DDL_RUN_FAILED";
  case DDL_INTERNAL:
    return "DDL_INTERNAL";
  case DDL_DEVICE_ERROR:
    return "DDL_DEVICE_ERROR";
  }
  return "DDL_UNKNOWN_STATUS";
}

const char *ddl_device_kind_name(int32_t kind) {
  switch (kind) {
  case DDL_DEVICE_CPU:
    return "cpu";
  case DDL_DEVICE_CUDA:
    return "cuda";
  case DDL_DEVICE_ROCM:
    return "rocm";
  }
  return "unknown";
}

size_t ddl_dtype_size(int32_t dtype) {
  switch (dtype) {
  case DDL_DTYPE_UINT8:
  case DDL_DTYPE_INT8:
  case DDL_DTYPE_BOOL:
    return 1;
  case DDL_DTYPE_UINT16:
  case DDL_DTYPE_INT16:
  case DDL_DTYPE_FLOAT16:
  case DDL_DTYPE_BFLOAT16:
    return 2;
  case DDL_DTYPE_FLOAT:
  case DDL_DTYPE_INT32:
  case DDL_DTYPE_UINT32:
    return 4;
  case DDL_DTYPE_INT64:
  case DDL_DTYPE_DOUBLE:
  case DDL_DTYPE_UINT64:
    return 8;
  }
  return 0;
}

const char *ddl_dtype_name(int32_t dtype) {
  switch (dtype) {
  case DDL_DTYPE_FLOAT:
    return "float32";
  case DDL_DTYPE_UINT8:
    return "uint8";
  case DDL_DTYPE_INT8:
    return "int8";
  case DDL_DTYPE_UINT16:
    return "uint16";
  case DDL_DTYPE_INT16:
    return "int16";
  case DDL_DTYPE_INT32:
    return "int32";
  case DDL_DTYPE_INT64:
    return "int64";
  case DDL_DTYPE_BOOL:
    return "bool";
  case DDL_DTYPE_FLOAT16:
    return "float16";
  case DDL_DTYPE_DOUBLE:
    return "float64";
  case DDL_DTYPE_UINT32:
    return "uint32";
  case DDL_DTYPE_UINT64:
    return "uint64";
  case DDL_DTYPE_BFLOAT16:
    return "bfloat16";
  }
  return "unknown";
}
