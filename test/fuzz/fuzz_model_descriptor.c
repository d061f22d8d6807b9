/* libFuzzer target: the runtime's validation of a model descriptor
 * (ddl_validate_model), which runs on whatever a dlopen'ed .so exports
 * before anything else reads it. The input bytes are decoded into a
 * descriptor whose counts, ranks, sizes, dtypes and strings are arbitrary:
 * strings may be empty, NULL or without a NUL within their bound (each
 * lives in an allocation of its exact size, so AddressSanitizer catches a
 * read past its end), and arrays may be NULL. Validation must return a status,
 * never crash; a descriptor it accepts must be safe to read as the runtime's
 * queries do. */
#include "ddl_internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  const uint8_t *p;
  size_t n;
  void *owned[4096];
  size_t num_owned;
} decoder;

static uint8_t take8(decoder *d) {
  if (!d->n)
    return 0;
  --d->n;
  return *d->p++;
}

static uint64_t take64(decoder *d) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i)
    v = v << 8 | take8(d);
  return v;
}

static void *own(decoder *d, size_t bytes) {
  if (d->num_owned == sizeof d->owned / sizeof d->owned[0])
    return NULL;
  void *p = malloc(bytes ? bytes : 1);
  if (p)
    d->owned[d->num_owned++] = p;
  return p;
}

/* NULL, up to 31 bytes of the input with a NUL after them, or (a flag) a
 * string with no NUL within `bound` bytes: exactly `bound` bytes, all
 * allocated, which validation reads to their end and must refuse. */
static const char *take_string_bounded(decoder *d, size_t bound) {
  uint8_t head = take8(d);
  if (head == 0xff)
    return NULL;
  size_t len = head & 31;
  int terminated = !(head & 0x80);
  size_t bytes = terminated ? len + 1 : bound;
  char *s = own(d, bytes);
  if (!s)
    return NULL;
  memset(s, 'a', bytes);
  for (size_t i = 0; i < len && i < bytes; ++i)
    s[i] = (char)(take8(d) | 1); /* no NUL inside */
  if (terminated)
    s[len] = '\0';
  return s;
}

static const char *take_string(decoder *d) {
  return take_string_bounded(d, DDL_MAX_NAME);
}

static ddl_tensor_info *take_infos(decoder *d, uint32_t *count) {
  uint8_t head = take8(d);
  if (head == 0xff) { /* a huge count, with or without an array */
    *count = (uint32_t)take64(d);
    return NULL;
  }
  *count = head % 6;
  if (!*count)
    return NULL;
  ddl_tensor_info *infos = own(d, *count * sizeof *infos);
  if (!infos) {
    *count = 0;
    return NULL;
  }
  for (uint32_t i = 0; i < *count; ++i) {
    ddl_tensor_info *info = &infos[i];
    info->name = take_string(d);
    info->dtype = (int8_t)take8(d);
    info->rank = (int32_t)(take8(d) % 40) - 4;
    int32_t rank = info->rank > 0 ? info->rank : 0;
    uint8_t arrays = take8(d);
    int64_t *dims = NULL;
    const char **names = NULL;
    if (rank && !(arrays & 1)) {
      dims = own(d, (size_t)rank * sizeof *dims);
      for (int32_t k = 0; dims && k < rank; ++k)
        dims[k] = (int64_t)(int8_t)take8(d);
    }
    if (rank && (arrays & 2)) {
      names = own(d, (size_t)rank * sizeof *names);
      for (int32_t k = 0; names && k < rank; ++k)
        names[k] = take_string(d);
    }
    info->dims = dims;
    info->dim_names = names;
  }
  return infos;
}

static int32_t run_stub(const ddl_host *host, const ddl_model_io *inputs,
                        ddl_model_io *outputs) {
  (void)host;
  (void)inputs;
  (void)outputs;
  return 0;
}

static int64_t arena_stub(const ddl_model_io *inputs) {
  (void)inputs;
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  decoder d = {data, size, {0}, 0};
  ddl_model m;
  memset(&m, 0, sizeof m);
  uint8_t flags = take8(&d);
  m.abi_version = (flags & 1) ? (uint32_t)take64(&d) : DDL_MODEL_ABI_VERSION;
  m.inputs = take_infos(&d, &m.num_inputs);
  m.outputs = take_infos(&d, &m.num_outputs);
  m.device_kind = take8(&d) % 4;
  m.name = take_string(&d);
  m.target_triple = take_string(&d);
  m.arena_bytes = (int64_t)(int8_t)take8(&d);
  m.arena_formula = take_string_bounded(&d, DDL_MAX_FORMULA);
  m.arena_size = (flags & 2) ? arena_stub : NULL;
  m.run = (flags & 4) ? NULL : run_stub;
  m.device_arch = take_string(&d);

  if (ddl_validate_model("fuzz.so", &m) == DDL_OK) {
    /* What the runtime's queries and messages read of an accepted one. */
    size_t total = 0;
    const char *strings[] = {m.name, m.target_triple, m.arena_formula,
                             m.device_arch};
    for (size_t i = 0; i < sizeof strings / sizeof strings[0]; ++i)
      total += strings[i] ? strlen(strings[i]) : 0;
    for (uint32_t i = 0; i < m.num_inputs + m.num_outputs; ++i) {
      const ddl_tensor_info *info =
          i < m.num_inputs ? &m.inputs[i] : &m.outputs[i - m.num_inputs];
      total += strlen(info->name);
      for (int32_t k = 0; k < info->rank; ++k)
        total += (size_t)info->dims[k] + (info->dim_names && info->dim_names[k]
                                              ? strlen(info->dim_names[k])
                                              : 0);
    }
    (void)total;
  } else if (!ddl_last_error()[0]) {
    __builtin_trap(); /* a refusal always says why */
  }
  for (size_t i = 0; i < d.num_owned; ++i)
    free(d.owned[i]);
  return 0;
}
