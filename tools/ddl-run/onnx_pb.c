/*===- onnx_pb.c - a TensorProto decoder without libprotobuf -------------===*
 *
 * ddl-run must build where libprotobuf does not (aarch64 boards), and a
 * TensorProto is small enough to decode by hand from the wire format:
 * varints, fixed32/64 and length-delimited fields. Fields used:
 *   1 dims (int64, packed or not)   2 data_type      4 float_data
 *   5 int32_data (also f16/bf16/bool/int8/16/uint8/16, per onnx.proto)
 *   7 int64_data   8 name   9 raw_data   10 double_data   11 uint64_data
 *   13 external_data / 14 data_location: rejected with a clear message.
 * Everything else is skipped by wire type.
 *
 *===----------------------------------------------------------------------===*/
#include "ddl_run_io.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(char *err, size_t err_size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t err_size, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, err_size, fmt, ap);
  va_end(ap);
  return -1;
}

typedef struct {
  const unsigned char *p, *end;
} reader;

static int read_varint(reader *r, uint64_t *v) {
  uint64_t out = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (r->p == r->end)
      return -1;
    unsigned char b = *r->p++;
    out |= (uint64_t)(b & 0x7f) << shift;
    if (!(b & 0x80)) {
      *v = out;
      return 0;
    }
  }
  return -1;
}

static int read_fixed(reader *r, int bytes, uint64_t *v) {
  if (r->end - r->p < bytes)
    return -1;
  uint64_t out = 0;
  for (int i = 0; i < bytes; ++i)
    out |= (uint64_t)r->p[i] << (8 * i);
  r->p += bytes;
  *v = out;
  return 0;
}

/* A growable array of 64-bit values: every numeric field is collected as
 * raw 64-bit words (varint values, or fixed32/64 bit patterns). */
typedef struct {
  uint64_t *v;
  size_t n, cap;
  int present;
} values;

static int push(values *a, uint64_t v) {
  if (a->n == a->cap) {
    size_t cap = a->cap ? a->cap * 2 : 64;
    uint64_t *bigger = realloc(a->v, cap * sizeof *bigger);
    if (!bigger)
      return -1;
    a->v = bigger;
    a->cap = cap;
  }
  a->v[a->n++] = v;
  return 0;
}

/* Reads one element of a repeated numeric field, packed (wire type 2) or
 * not. `elem_wire` is the element's own wire type: 0 varint, 5 fixed32,
 * 1 fixed64. Returns 0, or -1 on malformed input or no memory. */
static int read_repeated(reader *r, int wire, int elem_wire, values *out) {
  out->present = 1;
  uint64_t v;
  if (wire == elem_wire) {
    int rc = elem_wire == 0   ? read_varint(r, &v)
             : elem_wire == 5 ? read_fixed(r, 4, &v)
                              : read_fixed(r, 8, &v);
    return rc != 0 ? -1 : push(out, v);
  }
  if (wire != 2)
    return -1;
  uint64_t len;
  if (read_varint(r, &len) != 0 || len > (uint64_t)(r->end - r->p))
    return -1;
  reader packed = {r->p, r->p + len};
  r->p += len;
  while (packed.p < packed.end) {
    int rc = elem_wire == 0   ? read_varint(&packed, &v)
             : elem_wire == 5 ? read_fixed(&packed, 4, &v)
                              : read_fixed(&packed, 8, &v);
    if (rc != 0 || push(out, v) != 0)
      return -1;
  }
  return 0;
}

static int skip_field(reader *r, int wire) {
  uint64_t v;
  switch (wire) {
  case 0:
    return read_varint(r, &v);
  case 1:
    return read_fixed(r, 8, &v);
  case 5:
    return read_fixed(r, 4, &v);
  case 2:
    if (read_varint(r, &v) != 0 || v > (uint64_t)(r->end - r->p))
      return -1;
    r->p += v;
    return 0;
  }
  return -1; /* groups (3, 4) and reserved wire types */
}

int ddl_onnx_pb_read(const char *path, ddl_tensor **out, char **name_out,
                     char *err, size_t err_size) {
  *out = NULL;
  if (name_out)
    *name_out = NULL;
  unsigned char *buf;
  size_t size;
  if (ddl_read_file(path, &buf, &size, err, err_size) != 0)
    return -1;
  int rc = ddl_onnx_pb_parse(path, buf, size, out, name_out, err, err_size);
  free(buf);
  return rc;
}

int ddl_onnx_pb_parse(const char *path, const unsigned char *buf, size_t size,
                      ddl_tensor **out, char **name_out, char *err,
                      size_t err_size) {
  *out = NULL;
  if (name_out)
    *name_out = NULL;

  values dims = {0}, f4 = {0}, i32 = {0}, i64 = {0}, f8 = {0}, u64 = {0};
  uint64_t data_type = 0;
  int have_type = 0, external = 0;
  const unsigned char *raw = NULL, *name = NULL;
  size_t raw_len = 0, name_len = 0;
  int rc = -1;
  ddl_tensor *t = NULL;

  reader r = {buf, buf + size};
  while (r.p < r.end) {
    uint64_t key;
    if (read_varint(&r, &key) != 0) {
      fail(err, err_size, "%s: malformed TensorProto (bad field key)", path);
      goto done;
    }
    uint64_t field = key >> 3;
    int wire = (int)(key & 7);
    int bad = 0;
    uint64_t v = 0;
    switch (field) {
    case 1:
      bad = read_repeated(&r, wire, 0, &dims);
      break;
    case 2:
      bad = wire != 0 || read_varint(&r, &data_type) != 0;
      have_type = 1;
      break;
    case 4:
      bad = read_repeated(&r, wire, 5, &f4);
      break;
    case 5:
      bad = read_repeated(&r, wire, 0, &i32);
      break;
    case 7:
      bad = read_repeated(&r, wire, 0, &i64);
      break;
    case 10:
      bad = read_repeated(&r, wire, 1, &f8);
      break;
    case 11:
      bad = read_repeated(&r, wire, 0, &u64);
      break;
    case 8:
    case 9:
      if (wire != 2 || read_varint(&r, &v) != 0 ||
          v > (uint64_t)(r.end - r.p)) {
        bad = 1;
        break;
      }
      if (field == 8) {
        name = r.p;
        name_len = (size_t)v;
      } else {
        raw = r.p;
        raw_len = (size_t)v;
      }
      r.p += v;
      break;
    case 13:
      external = 1;
      bad = skip_field(&r, wire);
      break;
    case 14:
      bad = wire != 0 || read_varint(&r, &v) != 0;
      external |= v == 1; /* DataLocation.EXTERNAL */
      break;
    default:
      bad = skip_field(&r, wire);
      break;
    }
    if (bad) {
      fail(err, err_size,
           "%s: malformed TensorProto (field %llu, wire type %d)", path,
           (unsigned long long)field, wire);
      goto done;
    }
  }

  if (external) {
    fail(err, err_size,
         "%s: tensor data is stored externally (external_data); ddl-run "
         "reads only self-contained TensorProto files",
         path);
    goto done;
  }
  if (!have_type) {
    fail(err, err_size, "%s: TensorProto has no data_type (is it a tensor?)",
         path);
    goto done;
  }
  int32_t dtype = (int32_t)data_type;
  if (data_type > 64 || ddl_dtype_size(dtype) == 0) {
    fail(err, err_size, "%s: unsupported TensorProto data_type %llu%s", path,
         (unsigned long long)data_type, data_type == 8 ? " (string)" : "");
    goto done;
  }
  if (dims.n > DDL_MAX_RANK) {
    fail(err, err_size, "%s: rank %zu is above %d", path, dims.n, DDL_MAX_RANK);
    goto done;
  }
  int64_t shape[DDL_MAX_RANK];
  for (size_t d = 0; d < dims.n; ++d)
    shape[d] = (int64_t)dims.v[d];
  /* Size the shape without allocating (a borrowed view of nothing), so a
   * corrupt header cannot ask for terabytes before the data is checked. */
  static char probe;
  if (ddl_tensor_wrap(dtype, (int32_t)dims.n, shape, &probe, &t) != DDL_OK) {
    fail(err, err_size, "%s: %s", path, ddl_last_error());
    goto done;
  }
  size_t bytes = ddl_tensor_byte_size(t);
  int64_t count = ddl_tensor_num_elements(t);
  ddl_tensor_destroy(t);
  t = NULL;
  if (raw && raw_len != bytes) {
    fail(err, err_size,
         "%s: raw_data holds %zu bytes, a %s tensor of %lld elements needs "
         "%zu",
         path, raw_len, ddl_dtype_name(dtype), (long long)count, bytes);
    goto done;
  }
  values *src = NULL;
  const char *field_name = NULL;
  if (!raw) {
    /* Which typed field carries this dtype, per onnx.proto. */
    switch (dtype) {
    case DDL_DTYPE_FLOAT:
      src = &f4;
      field_name = "float_data";
      break;
    case DDL_DTYPE_DOUBLE:
      src = &f8;
      field_name = "double_data";
      break;
    case DDL_DTYPE_INT64:
      src = &i64;
      field_name = "int64_data";
      break;
    case DDL_DTYPE_UINT32:
    case DDL_DTYPE_UINT64:
      src = &u64;
      field_name = "uint64_data";
      break;
    default:
      src = &i32;
      field_name = "int32_data";
      break;
    }
    if ((int64_t)src->n != count) {
      fail(err, err_size,
           "%s: %s holds %zu values, the shape needs %lld (no raw_data "
           "either)",
           path, field_name, src->n, (long long)count);
      goto done;
    }
  }
  if (ddl_tensor_create(dtype, (int32_t)dims.n, shape, &t) != DDL_OK) {
    fail(err, err_size, "%s: %s", path, ddl_last_error());
    goto done;
  }
  unsigned char *data = ddl_tensor_data(t);

  if (raw) {
    if (bytes)
      memcpy(data, raw, bytes); /* little-endian on the wire and here */
  } else {
    size_t elem = ddl_dtype_size(dtype);
    for (int64_t i = 0; i < count; ++i) {
      /* Little-endian truncation of the 64-bit word to the element size:
       * exactly what each field's encoding means (f16/bf16 bits in the
       * low half of int32_data, float bits in fixed32, ...). */
      uint64_t w = src->v[i];
      for (size_t b = 0; b < elem; ++b)
        data[(size_t)i * elem + b] = (unsigned char)(w >> (8 * b));
    }
  }
  if (name_out) {
    *name_out = malloc(name_len + 1);
    if (!*name_out) {
      fail(err, err_size, "%s: out of memory", path);
      goto done;
    }
    if (name_len)
      memcpy(*name_out, name, name_len);
    (*name_out)[name_len] = '\0';
  }
  *out = t;
  t = NULL;
  rc = 0;
done:
  ddl_tensor_destroy(t);
  free(dims.v);
  free(f4.v);
  free(i32.v);
  free(i64.v);
  free(f8.v);
  free(u64.v);
  return rc;
}

/*===-- SequenceProto and OptionalProto -----------------------------------===*
 *
 * The values of sequence and optional model inputs in ONNX's test data:
 *   SequenceProto: 1 name   2 elem_type   3 tensor_values (repeated)
 *   OptionalProto: 1 name   2 elem_type   3 tensor_value   5 sequence_value
 * Sequences of sequences, maps and sparse tensors are rejected.
 */

void ddl_run_value_clear(ddl_run_value *v) {
  ddl_tensor_destroy(v->tensor);
  for (size_t i = 0; i < v->count; ++i)
    ddl_tensor_destroy(v->elements[i]);
  free(v->elements);
  memset(v, 0, sizeof *v);
}

/* Parses the length-delimited field at `r` into a sub-reader. */
static int read_message(reader *r, int wire, reader *sub) {
  uint64_t len;
  if (wire != 2 || read_varint(r, &len) != 0 || len > (uint64_t)(r->end - r->p))
    return -1;
  sub->p = r->p;
  sub->end = r->p + len;
  r->p += len;
  return 0;
}

static int parse_sequence(const char *path, reader r, ddl_run_value *out,
                          char *err, size_t err_size) {
  out->kind = DDL_RUN_SEQUENCE;
  while (r.p < r.end) {
    uint64_t key;
    if (read_varint(&r, &key) != 0)
      return fail(err, err_size, "%s: malformed SequenceProto", path);
    uint64_t field = key >> 3;
    int wire = (int)(key & 7);
    if (field == 3) {
      reader sub;
      if (read_message(&r, wire, &sub) != 0)
        return fail(err, err_size, "%s: malformed SequenceProto tensor", path);
      ddl_tensor **grown =
          realloc(out->elements, (out->count + 1) * sizeof *grown);
      if (!grown)
        return fail(err, err_size, "%s: out of memory", path);
      out->elements = grown;
      ddl_tensor *t = NULL;
      if (ddl_onnx_pb_parse(path, sub.p, (size_t)(sub.end - sub.p), &t, NULL,
                            err, err_size) != 0)
        return -1;
      out->elements[out->count++] = t;
    } else if (field == 4 || field == 5 || field == 6 || field == 7) {
      return fail(err, err_size,
                  "%s: a sequence of sparse tensors, sequences, maps or "
                  "optionals; ddl's sequences hold tensors",
                  path);
    } else if (skip_field(&r, wire) != 0) {
      return fail(err, err_size, "%s: malformed SequenceProto (field %llu)",
                  path, (unsigned long long)field);
    }
  }
  return 0;
}

int ddl_onnx_value_read(const char *path, int want, ddl_run_value *out,
                        char *err, size_t err_size) {
  memset(out, 0, sizeof *out);
  unsigned char *buf;
  size_t size;
  if (ddl_read_file(path, &buf, &size, err, err_size) != 0)
    return -1;
  int rc = 0;
  reader r = {buf, buf + size};
  if (want == DDL_RUN_TENSOR) {
    out->kind = DDL_RUN_TENSOR;
    rc = ddl_onnx_pb_parse(path, buf, size, &out->tensor, NULL, err, err_size);
  } else if (want == DDL_RUN_SEQUENCE) {
    rc = parse_sequence(path, r, out, err, err_size);
  } else {
    /* An OptionalProto: empty unless it holds a tensor or a sequence. */
    out->kind = DDL_RUN_NONE;
    while (rc == 0 && r.p < r.end) {
      uint64_t key;
      if (read_varint(&r, &key) != 0) {
        rc = fail(err, err_size, "%s: malformed OptionalProto", path);
        break;
      }
      uint64_t field = key >> 3;
      int wire = (int)(key & 7);
      reader sub;
      if (field == 3 || field == 5) {
        if (read_message(&r, wire, &sub) != 0) {
          rc = fail(err, err_size, "%s: malformed OptionalProto value", path);
          break;
        }
        ddl_run_value_clear(out);
        if (field == 3) {
          out->kind = DDL_RUN_TENSOR;
          rc = ddl_onnx_pb_parse(path, sub.p, (size_t)(sub.end - sub.p),
                                 &out->tensor, NULL, err, err_size);
        } else {
          rc = parse_sequence(path, sub, out, err, err_size);
        }
      } else if (field == 4 || field == 6 || field == 7) {
        rc = fail(err, err_size,
                  "%s: an optional sparse tensor, map or optional; ddl's "
                  "optionals hold tensors and sequences",
                  path);
      } else if (skip_field(&r, wire) != 0) {
        rc = fail(err, err_size, "%s: malformed OptionalProto (field %llu)",
                  path, (unsigned long long)field);
      }
    }
  }
  free(buf);
  if (rc != 0)
    ddl_run_value_clear(out);
  return rc;
}
