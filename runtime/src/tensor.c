/*===- tensor.c - dense tensors, owned or borrowed -----------------------===*
 *
 * A tensor records its shape by value (up to DDL_MAX_RANK sizes) so that a
 * caller's dims array never has to outlive it. Sizes are validated once
 * here, which lets ddl_model_run trust a tensor's element count.
 *
 *===----------------------------------------------------------------------===*/
#include "ddl_internal.h"

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

void ddl_tensor_destroy(ddl_tensor *t) {
  if (!t)
    return;
  if (t->owns_data)
    free(t->data);
  free(t);
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
