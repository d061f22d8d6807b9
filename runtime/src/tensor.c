/*===- tensor.c - dense tensors, owned or borrowed -----------------------===*
 *
 * A tensor records its shape by value (up to DDL_MAX_RANK sizes) so that a
 * caller's dims array never has to outlive it. Sizes are validated once
 * here, which lets ddl_model_run trust a tensor's element count.
 *
 * A device tensor's data is GPU memory: borrowed (ddl_tensor_wrap_device),
 * or owned together with a reference to the ddl_device it came from (a
 * run's device outputs), so it may outlive the model handle.
 *
 *===----------------------------------------------------------------------===*/
#include "ddl_internal.h"
#include "device.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void *ddl_aligned_alloc(size_t bytes) {
  /* aligned_alloc wants a multiple of the alignment; 0 bytes still gets a
   * real, freeable pointer so "no data" is never confused with failure. */
  if (bytes > SIZE_MAX - 63)
    return NULL;
  size_t rounded = (bytes + 63) & ~(size_t)63;
  if (rounded == 0)
    rounded = 64;
  return aligned_alloc(64, rounded);
}

bool ddl_shape_size(int32_t dtype, int32_t rank, const int64_t *dims,
                    const char *what, int64_t *elements, size_t *bytes) {
  size_t elem = ddl_dtype_size(dtype);
  if (elem == 0) {
    ddl_fail(DDL_INVALID_ARGUMENT, "%s: unknown dtype %d", what, (int)dtype);
    return false;
  }
  if (rank < 0 || rank > DDL_MAX_RANK) {
    ddl_fail(DDL_INVALID_ARGUMENT, "%s: rank %d is outside [0, %d]", what,
             (int)rank, DDL_MAX_RANK);
    return false;
  }
  if (rank > 0 && !dims) {
    ddl_fail(DDL_INVALID_ARGUMENT, "%s: dims is NULL for rank %d", what,
             (int)rank);
    return false;
  }
  bool empty = false;
  for (int32_t d = 0; d < rank; ++d) {
    if (dims[d] < 0) {
      ddl_fail(DDL_INVALID_ARGUMENT, "%s: dimension %d is negative (%lld)",
               what, (int)d, (long long)dims[d]);
      return false;
    }
    empty |= dims[d] == 0;
  }
  /* Bytes must fit ptrdiff_t: larger objects break pointer arithmetic. An
   * empty tensor never overflows, whatever its other sizes. */
  const uint64_t limit = (uint64_t)PTRDIFF_MAX;
  uint64_t count = empty ? 0 : 1;
  bool overflow = false;
  for (int32_t d = 0; d < rank && !empty && !overflow; ++d) {
    uint64_t size = (uint64_t)dims[d];
    if (count > limit / size)
      overflow = true;
    else
      count *= size;
  }
  if (overflow || count > limit / elem) {
    ddl_fail(DDL_INVALID_ARGUMENT,
             "%s: %d-d %s shape overflows the addressable size", what,
             (int)rank, ddl_dtype_name(dtype));
    return false;
  }
  *elements = (int64_t)count;
  *bytes = (size_t)(count * elem);
  return true;
}

static ddl_status make_tensor(int32_t dtype, int32_t rank, const int64_t *dims,
                              ddl_tensor **out, int64_t *elements,
                              size_t *bytes) {
  if (!out)
    return ddl_fail(DDL_INVALID_ARGUMENT, "tensor: out is NULL");
  *out = NULL;
  if (!ddl_shape_size(dtype, rank, dims, "tensor", elements, bytes))
    return DDL_INVALID_ARGUMENT;
  ddl_tensor *t = calloc(1, sizeof *t);
  if (!t)
    return ddl_fail(DDL_OUT_OF_MEMORY, "tensor: out of memory");
  t->dtype = dtype;
  t->rank = rank;
  if (rank > 0)
    memcpy(t->dims, dims, (size_t)rank * sizeof *dims);
  t->num_elements = *elements;
  t->byte_size = *bytes;
  *out = t;
  return DDL_OK;
}

ddl_status ddl_tensor_create(int32_t dtype, int32_t rank, const int64_t *dims,
                             ddl_tensor **out) {
  int64_t elements;
  size_t bytes;
  ddl_status s = make_tensor(dtype, rank, dims, out, &elements, &bytes);
  if (s != DDL_OK)
    return s;
  ddl_tensor *t = *out;
  t->data = ddl_aligned_alloc(bytes);
  if (!t->data) {
    free(t);
    *out = NULL;
    return ddl_fail(DDL_OUT_OF_MEMORY,
                    "tensor: cannot allocate %zu bytes for a %s tensor", bytes,
                    ddl_dtype_name(dtype));
  }
  memset(t->data, 0, bytes);
  t->owns_data = true;
  return DDL_OK;
}

ddl_status ddl_tensor_wrap(int32_t dtype, int32_t rank, const int64_t *dims,
                           void *data, ddl_tensor **out) {
  int64_t elements;
  size_t bytes;
  ddl_status s = make_tensor(dtype, rank, dims, out, &elements, &bytes);
  if (s != DDL_OK)
    return s;
  if (!data && bytes != 0) {
    free(*out);
    *out = NULL;
    return ddl_fail(DDL_INVALID_ARGUMENT,
                    "tensor: data is NULL for %zu bytes of %s", bytes,
                    ddl_dtype_name(dtype));
  }
  (*out)->data = data;
  return DDL_OK;
}

ddl_status ddl_tensor_adopt(int32_t dtype, int32_t rank, const int64_t *dims,
                            void *data, ddl_tensor **out) {
  ddl_status s = ddl_tensor_wrap(dtype, rank, dims, data, out);
  if (s == DDL_OK)
    (*out)->owns_data = true;
  return s;
}

ddl_status ddl_tensor_wrap_device(int32_t dtype, int32_t rank,
                                  const int64_t *dims, void *device_data,
                                  int32_t device_kind, int device_ordinal,
                                  ddl_tensor **out) {
  if (out)
    *out = NULL;
  if (device_kind != DDL_DEVICE_CUDA && device_kind != DDL_DEVICE_ROCM)
    return ddl_fail(DDL_INVALID_ARGUMENT,
                    "tensor: device kind %d (%s) is not a GPU; host memory "
                    "is wrapped with ddl_tensor_wrap",
                    (int)device_kind, ddl_device_kind_name(device_kind));
  if (device_ordinal < 0)
    return ddl_fail(DDL_INVALID_ARGUMENT,
                    "tensor: device ordinal %d is "
                    "negative",
                    device_ordinal);
  ddl_status s = ddl_tensor_wrap(dtype, rank, dims, device_data, out);
  if (s != DDL_OK)
    return s;
  (*out)->device_kind = device_kind;
  (*out)->device_ordinal = device_ordinal;
  return DDL_OK;
}

ddl_status ddl_tensor_adopt_device(int32_t dtype, int32_t rank,
                                   const int64_t *dims, void *data, bool pooled,
                                   ddl_device *device, bool stream_ordered,
                                   void *stream, ddl_tensor **out) {
  ddl_status s = ddl_tensor_wrap_device(dtype, rank, dims, data,
                                        ddl_device_get_kind(device),
                                        ddl_device_get_ordinal(device), out);
  if (s != DDL_OK)
    return s;
  ddl_device_retain(device);
  (*out)->device = device;
  (*out)->owns_data = true;
  (*out)->pooled = pooled;
  (*out)->stream_ordered = pooled && stream_ordered;
  (*out)->stream = stream;
  return DDL_OK;
}

void ddl_tensor_destroy(ddl_tensor *t) {
  if (!t)
    return;
  if (t->device) {
    /* Nothing to report a failed free to: the driver's message stays in
     * ddl_last_error. */
    if (t->owns_data && t->stream_ordered)
      ddl_device_free_on(t->device, (ddl_stream){t->stream, false}, t->data,
                         true);
    else if (t->owns_data && t->pooled)
      ddl_device_free_pooled(t->device, t->data);
    else if (t->owns_data)
      ddl_device_free(t->device, t->data);
    ddl_device_release(t->device);
  } else if (t->owns_data) {
    free(t->data);
  }
  free(t);
}

int32_t ddl_tensor_device_kind(const ddl_tensor *t) {
  return t ? t->device_kind : DDL_DEVICE_CPU;
}
int ddl_tensor_device_ordinal(const ddl_tensor *t) {
  return t ? t->device_ordinal : 0;
}

/* The device of device tensor t: its own reference, else (borrowed
 * memory) one opened for this call, which *opened says to close. */
static ddl_status device_of(const ddl_tensor *t, ddl_device **d, bool *opened) {
  *opened = false;
  *d = t->device;
  if (*d)
    return DDL_OK;
  ddl_status s = ddl_device_open(t->device_kind, t->device_ordinal, d);
  *opened = s == DDL_OK;
  return s;
}

static ddl_status check_copy(const ddl_tensor *t, const void *dst, size_t bytes,
                             const char *what) {
  if (!t)
    return ddl_fail(DDL_INVALID_ARGUMENT, "%s: tensor is NULL", what);
  if (bytes < t->byte_size)
    return ddl_fail(DDL_INVALID_ARGUMENT,
                    "%s: the destination has %zu bytes, the tensor %zu", what,
                    bytes, t->byte_size);
  if (!dst && t->byte_size != 0)
    return ddl_fail(DDL_INVALID_ARGUMENT, "%s: the destination is NULL", what);
  return DDL_OK;
}

/* A copy of t's data on the device's stream (the caller's, set with
 * ddl_model_set_stream, or an own one; a stream-ordered tensor's own
 * stream, where it is made), waited for: done when this returns, whatever
 * stream the caller works on next. */
static ddl_status copy_on_stream(const ddl_tensor *t, ddl_device *d, void *dst,
                                 int direction) {
  const void *src = t->data;
  size_t bytes = t->byte_size;
  ddl_stream stream = {t->stream, false};
  ddl_status s =
      t->stream_ordered ? DDL_OK : ddl_device_get_stream(d, false, &stream);
  if (s != DDL_OK)
    return s;
  s = ddl_device_copy(d, stream, dst, src, (int64_t)bytes, direction);
  if (s == DDL_OK)
    s = ddl_device_stream_sync(d, stream);
  ddl_device_put_stream(d, stream);
  return s;
}

ddl_status ddl_tensor_copy_to_host(const ddl_tensor *t, void *dst,
                                   size_t bytes) {
  ddl_status s = check_copy(t, dst, bytes, "ddl_tensor_copy_to_host");
  if (s != DDL_OK || t->byte_size == 0)
    return s;
  if (t->device_kind == DDL_DEVICE_CPU) {
    memcpy(dst, t->data, t->byte_size);
    return DDL_OK;
  }
  ddl_device *d;
  bool opened;
  if ((s = device_of(t, &d, &opened)) != DDL_OK)
    return s;
  s = copy_on_stream(t, d, dst, DDL_COPY_TO_HOST);
  if (opened)
    ddl_device_close(d);
  return s;
}

ddl_status ddl_tensor_copy_to_device_buffer(const ddl_tensor *t,
                                            void *device_dst, size_t bytes) {
  ddl_status s =
      check_copy(t, device_dst, bytes, "ddl_tensor_copy_to_device_buffer");
  if (s != DDL_OK)
    return s;
  if (t->device_kind == DDL_DEVICE_CPU)
    return ddl_fail(DDL_INVALID_ARGUMENT,
                    "ddl_tensor_copy_to_device_buffer: a host tensor (copy "
                    "it with ddl_tensor_copy_to_host, or use its data)");
  if (t->byte_size == 0)
    return DDL_OK;
  ddl_device *d;
  bool opened;
  if ((s = device_of(t, &d, &opened)) != DDL_OK)
    return s;
  s = copy_on_stream(t, d, device_dst, DDL_COPY_ON_DEVICE);
  if (opened)
    ddl_device_close(d);
  return s;
}

int32_t ddl_tensor_dtype(const ddl_tensor *t) { return t ? t->dtype : 0; }
int32_t ddl_tensor_rank(const ddl_tensor *t) { return t ? t->rank : 0; }
const int64_t *ddl_tensor_dims(const ddl_tensor *t) {
  return t ? t->dims : NULL;
}
void *ddl_tensor_data(const ddl_tensor *t) { return t ? t->data : NULL; }
int64_t ddl_tensor_num_elements(const ddl_tensor *t) {
  return t ? t->num_elements : 0;
}
size_t ddl_tensor_byte_size(const ddl_tensor *t) {
  return t ? t->byte_size : 0;
}
