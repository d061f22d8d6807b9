/*===- npy.c - NumPy .npy reading and writing ----------------------------===*
 *
 * Format: "\x93NUMPY", major, minor, a little-endian header length (2 bytes
 * in version 1, 4 in versions 2 and 3), then a Python dict literal with
 * 'descr', 'fortran_order' and 'shape', then the raw data. Only C-order
 * arrays of the fixed-size numeric dtypes a ddl model can take are read.
 *
 *===----------------------------------------------------------------------===*/
#include "ddl_run_io.h"

#include <errno.h>
#include <math.h>
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

int ddl_read_file(const char *path, unsigned char **data, size_t *size,
                  char *err, size_t err_size) {
  *data = NULL;
  *size = 0;
  FILE *f = fopen(path, "rb");
  if (!f)
    return fail(err, err_size, "%s: %s", path, strerror(errno));
  size_t cap = 1 << 16, used = 0;
  unsigned char *buf = malloc(cap);
  for (;;) {
    if (!buf) {
      fclose(f);
      return fail(err, err_size, "%s: out of memory", path);
    }
    used += fread(buf + used, 1, cap - used, f);
    if (used < cap)
      break;
    unsigned char *bigger =
        cap > ((size_t)-1) / 2 ? NULL : realloc(buf, cap * 2);
    if (!bigger)
      free(buf);
    buf = bigger;
    cap *= 2;
  }
  int bad = ferror(f);
  fclose(f);
  if (bad) {
    free(buf);
    return fail(err, err_size, "%s: read error", path);
  }
  *data = buf;
  *size = used;
  return 0;
}

/* The dtype of a descr without byte order ("f4"), or 0. */
static int32_t dtype_of_descr(const char *code) {
  static const struct {
    const char *code;
    int32_t dtype;
  } table[] = {{"f2", DDL_DTYPE_FLOAT16}, {"f4", DDL_DTYPE_FLOAT},
               {"f8", DDL_DTYPE_DOUBLE},  {"i1", DDL_DTYPE_INT8},
               {"i2", DDL_DTYPE_INT16},   {"i4", DDL_DTYPE_INT32},
               {"i8", DDL_DTYPE_INT64},   {"u1", DDL_DTYPE_UINT8},
               {"u2", DDL_DTYPE_UINT16},  {"u4", DDL_DTYPE_UINT32},
               {"u8", DDL_DTYPE_UINT64},  {"b1", DDL_DTYPE_BOOL}};
  for (size_t i = 0; i < sizeof table / sizeof *table; ++i)
    if (strcmp(code, table[i].code) == 0)
      return table[i].dtype;
  return 0;
}

/* The value text after `'key':` in the header dict, or NULL. */
static const char *find_key(const char *header, const char *key) {
  char single[64], dbl[64];
  snprintf(single, sizeof single, "'%s'", key);
  snprintf(dbl, sizeof dbl, "\"%s\"", key);
  const char *p = strstr(header, single);
  if (!p)
    p = strstr(header, dbl);
  if (!p)
    return NULL;
  p += strlen(key) + 2;
  while (*p == ' ')
    ++p;
  if (*p != ':')
    return NULL;
  ++p;
  while (*p == ' ')
    ++p;
  return p;
}

int ddl_npy_read(const char *path, int32_t want_dtype, ddl_tensor **out,
                 char *err, size_t err_size) {
  *out = NULL;
  unsigned char *buf;
  size_t size;
  if (ddl_read_file(path, &buf, &size, err, err_size) != 0)
    return -1;
  int rc = ddl_npy_parse(path, buf, size, want_dtype, out, err, err_size);
  free(buf);
  return rc;
}

int ddl_npy_parse(const char *path, const unsigned char *buf, size_t size,
                  int32_t want_dtype, ddl_tensor **out, char *err,
                  size_t err_size) {
  *out = NULL;
  int rc = -1;
  char *header = NULL;
  if (size < 10 || memcmp(buf, "\x93NUMPY", 6) != 0) {
    fail(err, err_size, "%s: not a .npy file (no \\x93NUMPY magic)", path);
    goto done;
  }
  unsigned major = buf[6];
  size_t header_len, offset;
  if (major == 1) {
    header_len = (size_t)buf[8] | (size_t)buf[9] << 8;
    offset = 10;
  } else if (major == 2 || major == 3) {
    if (size < 12) {
      fail(err, err_size, "%s: truncated .npy header", path);
      goto done;
    }
    header_len = (size_t)buf[8] | (size_t)buf[9] << 8 | (size_t)buf[10] << 16 |
                 (size_t)buf[11] << 24;
    offset = 12;
  } else {
    fail(err, err_size, "%s: unsupported .npy format version %u.%u", path,
         major, (unsigned)buf[7]);
    goto done;
  }
  if (header_len > size - offset) {
    fail(err, err_size, "%s: .npy header of %zu bytes runs past the end", path,
         header_len);
    goto done;
  }
  header = malloc(header_len + 1);
  if (!header) {
    fail(err, err_size, "%s: out of memory", path);
    goto done;
  }
  memcpy(header, buf + offset, header_len);
  header[header_len] = '\0';

  /* descr */
  const char *p = find_key(header, "descr");
  if (!p || (*p != '\'' && *p != '"')) {
    fail(err, err_size,
         "%s: .npy header has no 'descr' string (structured "
         "dtypes are not supported)",
         path);
    goto done;
  }
  char quote = *p++;
  char descr[16];
  size_t n = 0;
  while (p[n] && p[n] != quote && n < sizeof descr - 1) {
    descr[n] = p[n];
    ++n;
  }
  descr[n] = '\0';
  int32_t dtype = n >= 2 ? dtype_of_descr(descr + 1) : 0;
  char order = descr[0];
  if (!dtype ||
      (order != '<' && order != '|' && order != '=' && order != '>')) {
    fail(err, err_size, "%s: unsupported dtype '%s'", path, descr);
    goto done;
  }
  if (order == '>' && ddl_dtype_size(dtype) > 1) {
    fail(err, err_size, "%s: big-endian dtype '%s' is not supported", path,
         descr);
    goto done;
  }
  if (dtype == DDL_DTYPE_UINT16 && want_dtype == DDL_DTYPE_BFLOAT16)
    dtype = DDL_DTYPE_BFLOAT16;

  /* fortran_order */
  p = find_key(header, "fortran_order");
  if (!p) {
    fail(err, err_size, "%s: .npy header has no 'fortran_order'", path);
    goto done;
  }
  if (strncmp(p, "True", 4) == 0) {
    fail(err, err_size,
         "%s: Fortran-order arrays are not supported (save with "
         "np.ascontiguousarray)",
         path);
    goto done;
  }
  if (strncmp(p, "False", 5) != 0) {
    fail(err, err_size, "%s: bad 'fortran_order' value", path);
    goto done;
  }

  /* shape */
  p = find_key(header, "shape");
  if (!p || *p != '(') {
    fail(err, err_size, "%s: .npy header has no 'shape' tuple", path);
    goto done;
  }
  ++p;
  int64_t dims[DDL_MAX_RANK];
  int32_t rank = 0;
  for (;;) {
    while (*p == ' ' || *p == ',')
      ++p;
    if (*p == ')')
      break;
    if (*p < '0' || *p > '9') {
      fail(err, err_size, "%s: bad 'shape' in .npy header", path);
      goto done;
    }
    if (rank == DDL_MAX_RANK) {
      fail(err, err_size, "%s: rank above %d", path, DDL_MAX_RANK);
      goto done;
    }
    errno = 0;
    char *end;
    long long v = strtoll(p, &end, 10);
    if (errno == ERANGE) {
      fail(err, err_size, "%s: shape size out of range", path);
      goto done;
    }
    dims[rank++] = v;
    p = end;
    if (*p == 'L') /* Python 2 longs */
      ++p;
  }

  /* Size the shape with a borrowed view of nothing before allocating, so
   * a corrupt header cannot ask for terabytes. */
  static char probe;
  ddl_tensor *t;
  if (ddl_tensor_wrap(dtype, rank, dims, &probe, &t) != DDL_OK) {
    fail(err, err_size, "%s: %s", path, ddl_last_error());
    goto done;
  }
  size_t data_offset = offset + header_len;
  size_t have = size - data_offset, need = ddl_tensor_byte_size(t);
  ddl_tensor_destroy(t);
  if (have != need) {
    fail(err, err_size,
         "%s: holds %zu data bytes, but its shape and dtype '%s' need %zu",
         path, have, descr, need);
    goto done;
  }
  if (ddl_tensor_create(dtype, rank, dims, &t) != DDL_OK) {
    fail(err, err_size, "%s: %s", path, ddl_last_error());
    goto done;
  }
  if (need)
    memcpy(ddl_tensor_data(t), buf + data_offset, need);
  *out = t;
  rc = 0;
done:
  free(header);
  return rc;
}

static const char *descr_of(int32_t dtype) {
  switch (dtype) {
  case DDL_DTYPE_FLOAT:
    return "<f4";
  case DDL_DTYPE_DOUBLE:
    return "<f8";
  case DDL_DTYPE_FLOAT16:
    return "<f2";
  case DDL_DTYPE_BFLOAT16: /* NumPy has none: raw bits */
  case DDL_DTYPE_UINT16:
    return "<u2";
  case DDL_DTYPE_INT8:
    return "|i1";
  case DDL_DTYPE_INT16:
    return "<i2";
  case DDL_DTYPE_INT32:
    return "<i4";
  case DDL_DTYPE_INT64:
    return "<i8";
  case DDL_DTYPE_UINT8:
    return "|u1";
  case DDL_DTYPE_UINT32:
    return "<u4";
  case DDL_DTYPE_UINT64:
    return "<u8";
  case DDL_DTYPE_BOOL:
    return "|b1";
  }
  return NULL;
}

/* Creates `path` and writes a version 1.0 .npy header for an array of
 * `descr` and `rank` sizes `dims`, padded with spaces so the data starts on
 * a 64-byte boundary, as NumPy writes it. NULL (with `err`) on failure. */
static FILE *npy_create(const char *path, const char *descr, int32_t rank,
                        const int64_t *dims, char *err, size_t err_size) {
  char header[2048];
  int len =
      snprintf(header, sizeof header,
               "{'descr': '%s', 'fortran_order': False, 'shape': (", descr);
  for (int32_t d = 0; d < rank; ++d)
    len += snprintf(header + len, sizeof header - (size_t)len, "%lld%s",
                    (long long)dims[d],
                    rank == 1 ? "," : (d + 1 < rank ? ", " : ""));
  len += snprintf(header + len, sizeof header - (size_t)len, "), }");
  size_t total = 10 + (size_t)len + 1;
  size_t padded = (total + 63) / 64 * 64;
  size_t header_len = padded - 10;
  memset(header + len, ' ', header_len - 1 - (size_t)len);
  header[header_len - 1] = '\n';

  FILE *f = fopen(path, "wb");
  if (!f) {
    fail(err, err_size, "%s: %s", path, strerror(errno));
    return NULL;
  }
  unsigned char preamble[10] = {0x93,
                                'N',
                                'U',
                                'M',
                                'P',
                                'Y',
                                1,
                                0,
                                (unsigned char)(header_len & 0xff),
                                (unsigned char)(header_len >> 8)};
  if (fwrite(preamble, 1, 10, f) != 10 ||
      fwrite(header, 1, header_len, f) != header_len) {
    fclose(f);
    fail(err, err_size, "%s: write error", path);
    return NULL;
  }
  return f;
}

int ddl_npy_write(const char *path, const ddl_tensor *t, char *err,
                  size_t err_size) {
  const char *descr = descr_of(ddl_tensor_dtype(t));
  if (!descr)
    return fail(err, err_size, "%s: cannot write dtype %s", path,
                ddl_dtype_name(ddl_tensor_dtype(t)));
  FILE *f = npy_create(path, descr, ddl_tensor_rank(t), ddl_tensor_dims(t), err,
                       err_size);
  if (!f)
    return -1;
  size_t bytes = ddl_tensor_byte_size(t);
  int ok = bytes == 0 || fwrite(ddl_tensor_data(t), 1, bytes, f) == bytes;
  ok &= fclose(f) == 0;
  if (!ok)
    return fail(err, err_size, "%s: write error", path);
  return 0;
}

static double half_to_double(uint16_t h) {
  int exp = (h >> 10) & 0x1f;
  int mant = h & 0x3ff;
  double sign = (h & 0x8000) ? -1.0 : 1.0;
  if (exp == 31)
    return mant ? NAN : sign * INFINITY;
  if (exp == 0)
    return sign * ldexp(mant, -24); /* subnormal */
  return sign * ldexp(1024 + mant, exp - 25);
}

double ddl_element_as_double(const ddl_tensor *t, int64_t i) {
  const void *d = ddl_tensor_data(t);
  switch (ddl_tensor_dtype(t)) {
  case DDL_DTYPE_FLOAT:
    return ((const float *)d)[i];
  case DDL_DTYPE_DOUBLE:
    return ((const double *)d)[i];
  case DDL_DTYPE_FLOAT16:
    return half_to_double(((const uint16_t *)d)[i]);
  case DDL_DTYPE_BFLOAT16: {
    uint32_t bits = (uint32_t)((const uint16_t *)d)[i] << 16;
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
  }
  case DDL_DTYPE_INT8:
    return ((const int8_t *)d)[i];
  case DDL_DTYPE_INT16:
    return ((const int16_t *)d)[i];
  case DDL_DTYPE_INT32:
    return ((const int32_t *)d)[i];
  case DDL_DTYPE_INT64:
    return (double)((const int64_t *)d)[i];
  case DDL_DTYPE_UINT8:
  case DDL_DTYPE_BOOL:
    return ((const uint8_t *)d)[i];
  case DDL_DTYPE_UINT16:
    return ((const uint16_t *)d)[i];
  case DDL_DTYPE_UINT32:
    return ((const uint32_t *)d)[i];
  case DDL_DTYPE_UINT64:
    return (double)((const uint64_t *)d)[i];
  }
  return 0.0;
}

/* Decodes one UTF-8 code point at s[0..n); U+FFFD for a malformed one.
 * Returns the bytes it took (at least 1). */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp) {
  unsigned char c = s[0];
  size_t len = c < 0x80         ? 1
               : (c >> 5) == 6  ? 2
               : (c >> 4) == 14 ? 3
               : (c >> 3) == 30 ? 4
                                : 0;
  if (len == 0 || len > n) {
    *cp = 0xFFFD;
    return 1;
  }
  uint32_t v = len == 1 ? c : c & (0x7F >> len);
  for (size_t i = 1; i < len; ++i) {
    if ((s[i] & 0xC0) != 0x80) {
      *cp = 0xFFFD;
      return 1;
    }
    v = (v << 6) | (s[i] & 0x3F);
  }
  *cp = v;
  return len;
}

int ddl_npy_write_strings(const char *path, const ddl_tensor *lengths,
                          const ddl_tensor *bytes, char *err, size_t err_size) {
  int64_t n = ddl_tensor_num_elements(lengths);
  const int64_t *len = ddl_tensor_data(lengths);
  const unsigned char *data = ddl_tensor_data(bytes);
  int64_t total = ddl_tensor_num_elements(bytes), at = 0;
  /* The widest string in code points: numpy's <U width. */
  size_t width = 1;
  for (int64_t i = 0; i < n; ++i) {
    if (len[i] < 0 || len[i] > total - at)
      return fail(err, err_size, "%s: string lengths exceed the bytes", path);
    size_t points = 0;
    for (int64_t k = 0; k < len[i];) {
      uint32_t cp;
      k += (int64_t)utf8_decode(data + at + k, (size_t)(len[i] - k), &cp);
      ++points;
    }
    width = points > width ? points : width;
    at += len[i];
  }
  char descr[32];
  snprintf(descr, sizeof descr, "<U%zu", width);
  FILE *f = npy_create(path, descr, ddl_tensor_rank(lengths),
                       ddl_tensor_dims(lengths), err, err_size);
  if (!f)
    return -1;
  int ok = 1;
  at = 0;
  for (int64_t i = 0; i < n && ok; ++i) {
    size_t points = 0;
    for (int64_t k = 0; k < len[i] && ok;) {
      uint32_t cp;
      k += (int64_t)utf8_decode(data + at + k, (size_t)(len[i] - k), &cp);
      unsigned char le[4] = {(unsigned char)cp, (unsigned char)(cp >> 8),
                             (unsigned char)(cp >> 16),
                             (unsigned char)(cp >> 24)};
      ok = fwrite(le, 1, 4, f) == 4;
      ++points;
    }
    static const unsigned char zeros[4] = {0, 0, 0, 0};
    for (; points < width && ok; ++points)
      ok = fwrite(zeros, 1, 4, f) == 4;
    at += len[i];
  }
  if (fclose(f) != 0 || !ok)
    return fail(err, err_size, "%s: write failed", path);
  return 0;
}
