/*===- ddl-c/Support.h - versions and status of ddl's C API -------*- C -*-===*
 *
 * The parts of ddl's C API that every other header uses: the API version,
 * the status every fallible call returns, and the export macro.
 *
 * Versioning (docs/embedding.md says more): DDL_C_API_VERSION_MAJOR changes
 * when a declaration changes incompatibly or is removed; the minor version
 * grows when functions, status codes or named compile options are added.
 * A caller built against major M, minor N works with any library whose
 * ddlGetCApiVersion() reports major M and minor >= N. Handles are opaque
 * and keep their size across versions.
 *
 *===----------------------------------------------------------------------===*/

#ifndef DDL_C_SUPPORT_H
#define DDL_C_SUPPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__)
#define DDL_CAPI_EXPORTED __attribute__((visibility("default")))
#else
#define DDL_CAPI_EXPORTED
#endif

#ifdef __cplusplus
extern "C" {
#endif

#define DDL_C_API_VERSION_MAJOR 1
#define DDL_C_API_VERSION_MINOR 0
/* major * 1000 + minor, as ddlGetCApiVersion() returns it. */
#define DDL_C_API_VERSION                                                      \
  (DDL_C_API_VERSION_MAJOR * 1000 + DDL_C_API_VERSION_MINOR)

/* What kind of failure a status reports. New codes may be added in a minor
 * version; treat an unknown one like DDL_STATUS_INTERNAL. */
typedef enum DdlStatusCode {
  DDL_STATUS_OK = 0,
  /* A bad argument or option: a null handle, an unknown option name or
   * value, an option combination ddl refuses (a precision the target
   * cannot run), an unknown pass pipeline. */
  DDL_STATUS_INVALID_ARGUMENT = 1,
  /* The model is wrong: a file that does not parse, a shape that cannot
   * be, a failed ONNX check. */
  DDL_STATUS_INVALID_MODEL = 2,
  /* The model uses something ddl does not support yet (the message names
   * the op). */
  DDL_STATUS_UNSUPPORTED = 3,
  /* A file could not be read or written. */
  DDL_STATUS_IO = 4,
  /* ddl itself failed on a valid, supported model: a bug to report. */
  DDL_STATUS_INTERNAL = 5,
} DdlStatusCode;

/* The result of a fallible call: success when `ptr` is NULL. A failed
 * status owns its message; release it with ddlStatusDestroy. */
typedef struct DdlStatus {
  void *ptr;
} DdlStatus;

static inline bool ddlStatusIsOk(DdlStatus status) {
  return status.ptr == NULL;
}

/* DDL_STATUS_OK for success. */
DDL_CAPI_EXPORTED DdlStatusCode ddlStatusGetCode(DdlStatus status);

/* The failure's diagnostics, one per line ("file: error: <source>:
 * <message>"); "" for success. Valid until the status is destroyed. */
DDL_CAPI_EXPORTED const char *ddlStatusGetMessage(DdlStatus status);

/* Releases a status (success included: then it does nothing). */
DDL_CAPI_EXPORTED void ddlStatusDestroy(DdlStatus status);

/* The C API version the library implements (DDL_C_API_VERSION's form). */
DDL_CAPI_EXPORTED uint32_t ddlGetCApiVersion(void);

/* ddl's release, "MAJOR.MINOR.PATCH". */
DDL_CAPI_EXPORTED const char *ddlGetVersionString(void);

/* The model ABI version (runtime/include/ddl_model_abi.h) of the shared
 * objects this compiler writes; the runtime refuses other versions. */
DDL_CAPI_EXPORTED uint32_t ddlGetModelAbiVersion(void);

#ifdef __cplusplus
}
#endif

#endif /* DDL_C_SUPPORT_H */
