/*===- sequence.c - sequences of tensors in the ABI's packed form ---------===*
 *
 * A sequence crosses the model ABI as its element sizes (int64 [count,
 * rank]) and its elements' values one after another (1-D); see
 * ddl_model_abi.h. These functions check that form and convert between it
 * and separate tensors.
 *
 *===----------------------------------------------------------------------===*/
#include "ddl_internal.h"

#include <stdlib.h>
#include <string.h>

/* The most values a sequence may hold: sizes stay far from overflow. */
#define DDL_MAX_SEQUENCE_VALUES ((int64_t)1 << 48)

ddl_status ddl_sequence_total(const ddl_tensor *shapes, int64_t *total) {
  if (!shapes || !total)
    return ddl_fail(DDL_INVALID_ARGUMENT,
                    "ddl_sequence_total: NULL shapes or total");
  if (shapes->dtype != DDL_DTYPE_INT64 || shapes->rank != 2)
    return ddl_fail(DDL_INVALID_ARGUMENT,
                    "a sequence's element sizes are an int64 [count, rank] "
                    "tensor, not %s of rank %d",
                    ddl_dtype_name(shapes->dtype), (int)shapes->rank);
  if (shapes->device_kind != DDL_DEVICE_CPU)
    return ddl_fail(DDL_INVALID_ARGUMENT,
                    "a sequence's element sizes must be a host tensor");
  int64_t count = shapes->dims[0], rank = shapes->dims[1];
  const int64_t *sizes = shapes->data;
  int64_t sum = 0;
  for (int64_t i = 0; i < count; ++i) {
    int64_t product = 1;
    for (int64_t d = 0; d < rank; ++d) {
      int64_t size = sizes[i * rank + d];
      if (size < 0)
        return ddl_fail(DDL_SHAPE_MISMATCH,
                        "element %lld of the sequence has size %lld in "
                        "dimension %lld",
                        (long long)i, (long long)size, (long long)d);
      if (size != 0 && product > DDL_MAX_SEQUENCE_VALUES / size)
        return ddl_fail(DDL_SHAPE_MISMATCH,
                        "element %lld of the sequence has over 2^48 values",
                        (long long)i);
      product *= size;
    }
    sum += product;
    if (sum > DDL_MAX_SEQUENCE_VALUES)
      return ddl_fail(DDL_SHAPE_MISMATCH,
                      "the sequence holds over 2^48 values");
  }
  *total = sum;
  return DDL_OK;
}

ddl_status ddl_sequence_pack(int32_t dtype, int32_t rank, size_t count,
                             const ddl_tensor *const *elements,
                             ddl_tensor **shapes, ddl_tensor **data) {
  if (!shapes || !data || (count > 0 && !elements))
    return ddl_fail(DDL_INVALID_ARGUMENT,
                    "ddl_sequence_pack: NULL elements, shapes or data");
  *shapes = *data = NULL;
  size_t element_size = ddl_dtype_size(dtype);
  if (element_size == 0)
    return ddl_fail(DDL_INVALID_ARGUMENT, "ddl_sequence_pack: dtype %d",
                    (int)dtype);
  if (rank < 0 || rank > DDL_MAX_RANK)
    return ddl_fail(DDL_INVALID_ARGUMENT,
                    "ddl_sequence_pack: rank %d outside [0, %d]", (int)rank,
                    DDL_MAX_RANK);
  if (count > (size_t)DDL_MAX_SEQUENCE_VALUES)
    return ddl_fail(DDL_INVALID_ARGUMENT, "ddl_sequence_pack: %zu elements",
                    count);
  int64_t total = 0;
  for (size_t i = 0; i < count; ++i) {
    const ddl_tensor *t = elements[i];
    if (!t)
      return ddl_fail(DDL_INVALID_ARGUMENT,
                      "element %zu of the sequence is NULL", i);
    if (t->device_kind != DDL_DEVICE_CPU)
      return ddl_fail(DDL_INVALID_ARGUMENT,
                      "element %zu of the sequence is a device tensor", i);
    if (t->dtype != dtype)
      return ddl_fail(DDL_DTYPE_MISMATCH,
                      "element %zu of the sequence is %s, the sequence holds "
                      "%s",
                      i, ddl_dtype_name(t->dtype), ddl_dtype_name(dtype));
    if (t->rank != rank)
      return ddl_fail(DDL_SHAPE_MISMATCH,
                      "element %zu of the sequence has rank %d, the "
                      "sequence's elements have rank %d (ddl's sequences "
                      "hold tensors of one rank)",
                      i, (int)t->rank, (int)rank);
    total += ddl_tensor_num_elements(t);
    if (total > DDL_MAX_SEQUENCE_VALUES)
      return ddl_fail(DDL_INVALID_ARGUMENT,
                      "the sequence holds over 2^48 values");
  }
  int64_t shape_dims[2] = {(int64_t)count, rank};
  ddl_status s = ddl_tensor_create(DDL_DTYPE_INT64, 2, shape_dims, shapes);
  if (s == DDL_OK)
    s = ddl_tensor_create(dtype, 1, &total, data);
  if (s != DDL_OK) {
    ddl_tensor_destroy(*shapes);
    *shapes = NULL;
    return s;
  }
  int64_t *rows = (*shapes)->data;
  unsigned char *values = (*data)->data;
  for (size_t i = 0; i < count; ++i) {
    const ddl_tensor *t = elements[i];
    memcpy(rows + i * (size_t)rank, t->dims, (size_t)rank * sizeof *rows);
    size_t bytes = ddl_tensor_byte_size(t);
    if (bytes)
      memcpy(values, t->data, bytes);
    values += bytes;
  }
  return DDL_OK;
}

ddl_status ddl_sequence_unpack(const ddl_tensor *shapes, const ddl_tensor *data,
                               size_t *count, ddl_tensor ***elements) {
  if (!shapes || !data || !count || !elements)
    return ddl_fail(DDL_INVALID_ARGUMENT,
                    "ddl_sequence_unpack: NULL shapes, data, count or "
                    "elements");
  *count = 0;
  *elements = NULL;
  int64_t total;
  ddl_status s = ddl_sequence_total(shapes, &total);
  if (s != DDL_OK)
    return s;
  if (data->rank != 1 || data->device_kind != DDL_DEVICE_CPU)
    return ddl_fail(DDL_INVALID_ARGUMENT,
                    "a sequence's data is a 1-D host tensor");
  if (data->dims[0] != total)
    return ddl_fail(DDL_SHAPE_MISMATCH,
                    "the sequence's element sizes add up to %lld values but "
                    "its data holds %lld",
                    (long long)total, (long long)data->dims[0]);
  int64_t n = shapes->dims[0], rank = shapes->dims[1];
  if (rank > DDL_MAX_RANK)
    return ddl_fail(DDL_SHAPE_MISMATCH,
                    "the sequence's elements have rank %lld (over %d)",
                    (long long)rank, DDL_MAX_RANK);
  ddl_tensor **out = n ? calloc((size_t)n, sizeof *out) : NULL;
  if (n && !out)
    return ddl_fail(DDL_OUT_OF_MEMORY, "out of memory unpacking a sequence");
  const int64_t *rows = shapes->data;
  const unsigned char *values = data->data;
  for (int64_t i = 0; i < n; ++i) {
    s = ddl_tensor_create(data->dtype, (int32_t)rank, rows + i * rank, &out[i]);
    if (s != DDL_OK) {
      for (int64_t k = 0; k < i; ++k)
        ddl_tensor_destroy(out[k]);
      free(out);
      return s;
    }
    size_t bytes = ddl_tensor_byte_size(out[i]);
    if (bytes)
      memcpy(out[i]->data, values, bytes);
    values += bytes;
  }
  *count = (size_t)n;
  *elements = out;
  return DDL_OK;
}
