/*===- model.c - loading, validating and running compiled models ---------===*
 *
 * A model's descriptor comes from a shared object we do not trust to be
 * well-formed, so ddl_model_open checks everything ddl_model_run will later
 * rely on (counts, ranks, dtypes, names) once; run then only has to check
 * the caller's tensors against it.
 *
 * A device model (CUDA, ROCm) runs its host code here too; its data lives
 * on the GPU the handle opened (device.h). Run copies the caller's host
 * tensors to device buffers (device tensors of that GPU pass through),
 * hands the model device callbacks whose first failure is recorded and
 * makes the rest of the run's device calls no-ops (so generated code never
 * branches on them), and copies the outputs back, or with
 * ddl_model_run_on_device hands them over as device tensors that hold a
 * reference to the device.
 *
 *===----------------------------------------------------------------------===*/
#include "ddl_internal.h"
#include "device.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Private arenas one run may hold when it calls host->arena repeatedly. */
#define DDL_MAX_RUN_ARENAS 16
/* Sets of input shapes a handle keeps graphs for (graph mode); the least
 * recently used goes first. */
#define DDL_MAX_GRAPHS 8

struct ddl_graph;

struct ddl_model_handle {
  ddl_runtime *rt;
  void *dl;
  const ddl_model *model;
  char *path;
  /* A device model's GPU; NULL for a CPU model or with DDL_NO_DEVICE. */
  ddl_device *device;

  /* The cached arena (device memory for a device model), reused by
   * consecutive runs; one run at a time. */
  pthread_mutex_t arena_mutex;
  void *arena;
  size_t arena_capacity;
  bool arena_in_use;

  /* Graph mode (ddl_model_enable_graph). A graph-mode run holds
   * graph_mutex from start to end; it guards the fields below. */
  atomic_int graph_enabled;
  pthread_mutex_t graph_mutex;
  struct ddl_graph *graphs[DDL_MAX_GRAPHS];
  int num_graphs;
  uint64_t graph_clock;
  int64_t graph_captures, graph_launches;
  /* Why graph mode runs the model normally ("" while it captures); once
   * set, it stays. */
  char graph_fallback[1536];

  /* ddl_model_set_stream_ordered: on-device runs on the caller's stream
   * return once queued. `ordered_pending` (guarded by graph_mutex) says a
   * graph replay may still be in flight on the caller's stream. */
  atomic_int stream_ordered;
  bool ordered_pending;
};

/*===-- Descriptor validation
 * ----------------------------------------------===*/

static const char *model_label(const ddl_model_handle *h) {
  return h->model && h->model->name ? h->model->name : h->path;
}

static bool valid_name(const char *s) {
  return s && s[0] != '\0' && strnlen(s, DDL_MAX_NAME) < DDL_MAX_NAME;
}

static ddl_status validate_infos(const char *path, const char *kind,
                                 const ddl_tensor_info *infos, uint32_t n) {
  if (n > DDL_MAX_IO)
    return ddl_fail(DDL_INVALID_MODEL, "%s: %u %ss (more than %d)", path, n,
                    kind, DDL_MAX_IO);
  if (n > 0 && !infos)
    return ddl_fail(DDL_INVALID_MODEL, "%s: %u %ss but the %s array is NULL",
                    path, n, kind, kind);
  for (uint32_t i = 0; i < n; ++i) {
    const ddl_tensor_info *info = &infos[i];
    if (!valid_name(info->name))
      return ddl_fail(DDL_INVALID_MODEL,
                      "%s: %s #%u has a NULL, empty or unterminated name", path,
                      kind, i);
    if (ddl_dtype_size(info->dtype) == 0)
      return ddl_fail(DDL_INVALID_MODEL, "%s: %s '%s' has unknown dtype %d",
                      path, kind, info->name, (int)info->dtype);
    if (info->rank < 0 || info->rank > DDL_MAX_RANK)
      return ddl_fail(DDL_INVALID_MODEL,
                      "%s: %s '%s' has rank %d, outside [0, %d]", path, kind,
                      info->name, (int)info->rank, DDL_MAX_RANK);
    if (info->rank > 0 && !info->dims)
      return ddl_fail(DDL_INVALID_MODEL, "%s: %s '%s' has NULL dims", path,
                      kind, info->name);
    for (int32_t d = 0; d < info->rank; ++d) {
      if (info->dims[d] < -1)
        return ddl_fail(DDL_INVALID_MODEL,
                        "%s: %s '%s' dimension %d has size %lld", path, kind,
                        info->name, (int)d, (long long)info->dims[d]);
      const char *sym = info->dim_names ? info->dim_names[d] : NULL;
      if (sym && !valid_name(sym))
        return ddl_fail(DDL_INVALID_MODEL,
                        "%s: %s '%s' dimension %d has an empty or "
                        "unterminated symbol",
                        path, kind, info->name, (int)d);
    }
  }
  /* Sequences and optionals span consecutive entries of one name (see
   * ddl_io_kind); distinct values have distinct names. */
  for (uint32_t i = 0; i < n;) {
    uint32_t span = ddl_io_span(infos, n, i);
    if (span == 0)
      return ddl_fail(DDL_INVALID_MODEL,
                      "%s: %s '%s' (#%u) is a malformed part of a sequence or "
                      "optional (kind %d)",
                      path, kind, infos[i].name, i, (int)infos[i].kind);
    for (uint32_t k = i + 1; k < i + span; ++k)
      if (strcmp(infos[k].name, infos[i].name) != 0)
        return ddl_fail(DDL_INVALID_MODEL,
                        "%s: the parts of %s '%s' have different names", path,
                        kind, infos[i].name);
    for (uint32_t j = 0; j < i; ++j)
      if (strcmp(infos[j].name, infos[i].name) == 0)
        return ddl_fail(DDL_INVALID_MODEL, "%s: two %ss are named '%s'", path,
                        kind, infos[i].name);
    i += span;
  }
  return DDL_OK;
}

/* Whether entry i starts a sequence's two entries. */
static bool is_sequence_at(const ddl_tensor_info *infos, uint32_t n,
                           uint32_t i) {
  return i + 1 < n && infos[i].kind == DDL_IO_SEQUENCE_SHAPES &&
         infos[i].dtype == DDL_DTYPE_INT64 && infos[i].rank == 2 &&
         infos[i + 1].kind == DDL_IO_SEQUENCE_DATA && infos[i + 1].rank == 1;
}

uint32_t ddl_io_span(const ddl_tensor_info *infos, uint32_t n, uint32_t i) {
  if (i >= n)
    return 0;
  switch (infos[i].kind) {
  case DDL_IO_TENSOR:
    return 1;
  case DDL_IO_SEQUENCE_SHAPES:
    return is_sequence_at(infos, n, i) ? 2 : 0;
  case DDL_IO_OPTIONAL_FLAG:
    if (infos[i].dtype != DDL_DTYPE_BOOL || infos[i].rank != 0 || i + 1 >= n)
      return 0;
    if (infos[i + 1].kind == DDL_IO_TENSOR)
      return 2;
    return is_sequence_at(infos, n, i + 1) ? 3 : 0;
  default:
    return 0;
  }
}

ddl_status ddl_validate_model(const char *path, const ddl_model *m) {
  if (m->abi_version != DDL_MODEL_ABI_VERSION)
    return ddl_fail(DDL_ABI_MISMATCH,
                    "%s: ABI version %u, this runtime supports %u", path,
                    m->abi_version, DDL_MODEL_ABI_VERSION);
  ddl_status s = validate_infos(path, "input", m->inputs, m->num_inputs);
  if (s != DDL_OK)
    return s;
  s = validate_infos(path, "output", m->outputs, m->num_outputs);
  if (s != DDL_OK)
    return s;
  /* The strings the runtime hands to its callers (ddl_model_name, ...):
   * NULL is allowed, a string must end within its bound. */
  if (m->name && strnlen(m->name, DDL_MAX_NAME) == DDL_MAX_NAME)
    return ddl_fail(DDL_INVALID_MODEL, "%s: the model name is unterminated",
                    path);
  if (m->target_triple &&
      strnlen(m->target_triple, DDL_MAX_NAME) == DDL_MAX_NAME)
    return ddl_fail(DDL_INVALID_MODEL, "%s: the target triple is unterminated",
                    path);
  if (m->arena_formula &&
      strnlen(m->arena_formula, DDL_MAX_FORMULA) == DDL_MAX_FORMULA)
    return ddl_fail(DDL_INVALID_MODEL,
                    "%s: the arena formula is unterminated or over %d bytes",
                    path, DDL_MAX_FORMULA);
  if (!m->run)
    return ddl_fail(DDL_INVALID_MODEL, "%s: the run entry point is NULL", path);
  if (m->arena_bytes < -1)
    return ddl_fail(DDL_INVALID_MODEL, "%s: arena_bytes is %lld", path,
                    (long long)m->arena_bytes);
  if (m->arena_bytes == -1 && !m->arena_size)
    return ddl_fail(DDL_INVALID_MODEL,
                    "%s: arena_bytes is -1 (input-dependent) but arena_size "
                    "is NULL",
                    path);
  if (m->device_kind > DDL_DEVICE_ROCM)
    return ddl_fail(DDL_INVALID_MODEL,
                    "%s: device_kind is %u (0 = cpu, 1 = cuda, 2 = rocm)", path,
                    m->device_kind);
  if (m->device_kind != DDL_DEVICE_CPU && !valid_name(m->device_arch))
    return ddl_fail(DDL_INVALID_MODEL,
                    "%s: a %s model with a NULL, empty or unterminated "
                    "device_arch",
                    path, ddl_device_kind_name((int32_t)m->device_kind));
  return DDL_OK;
}

/*===-- Open / close / queries --------------------------------------------===*/

ddl_status ddl_model_open(ddl_runtime *rt, const char *path,
                          ddl_model_handle **out) {
  return ddl_model_open_device(rt, path, 0, out);
}

ddl_status ddl_model_open_device(ddl_runtime *rt, const char *path,
                                 int device_ordinal, ddl_model_handle **out) {
  if (!out)
    return ddl_fail(DDL_INVALID_ARGUMENT, "ddl_model_open: out is NULL");
  *out = NULL;
  if (!rt)
    return ddl_fail(DDL_INVALID_ARGUMENT, "ddl_model_open: runtime is NULL");
  if (!path || !*path)
    return ddl_fail(DDL_INVALID_ARGUMENT, "ddl_model_open: path is empty");
  if (device_ordinal < 0 && device_ordinal != DDL_NO_DEVICE)
    return ddl_fail(DDL_INVALID_ARGUMENT,
                    "ddl_model_open: device ordinal %d is negative",
                    device_ordinal);

  struct stat st;
  if (stat(path, &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR)
      return ddl_fail(DDL_NOT_FOUND, "%s: no such file", path);
    return ddl_fail(DDL_LOAD_FAILED, "%s: %s", path, strerror(errno));
  }
  if (S_ISDIR(st.st_mode))
    return ddl_fail(DDL_LOAD_FAILED, "%s: is a directory", path);

  ddl_model_handle *h = calloc(1, sizeof *h);
  /* dlopen searches the library path for names without '/'; a model file
   * is a file, so anchor it to the working directory. */
  size_t len = strlen(path);
  char *anchored = malloc(len + 3);
  if (!h || !anchored) {
    free(h);
    free(anchored);
    return ddl_fail(DDL_OUT_OF_MEMORY, "%s: out of memory", path);
  }
  snprintf(anchored, len + 3, "%s%s", strchr(path, '/') ? "" : "./", path);
  h->rt = rt;
  h->path = anchored;
  pthread_mutex_init(&h->arena_mutex, NULL);
  pthread_mutex_init(&h->graph_mutex, NULL);

  dlerror();
  h->dl = dlopen(anchored, RTLD_NOW | RTLD_LOCAL);
  if (!h->dl) {
    const char *why = dlerror();
    ddl_fail(DDL_LOAD_FAILED, "%s: cannot load: %s", path,
             why ? why : "unknown dlopen error");
    ddl_model_close(h);
    return DDL_LOAD_FAILED;
  }
  dlerror();
  void *sym = dlsym(h->dl, DDL_MODEL_ENTRY_SYMBOL);
  if (!sym) {
    ddl_fail(DDL_LOAD_FAILED,
             "%s: no '%s' symbol: not a model compiled by ddlc", path,
             DDL_MODEL_ENTRY_SYMBOL);
    ddl_model_close(h);
    return DDL_LOAD_FAILED;
  }
  ddl_get_model_fn get_model;
  /* ISO C has no function/object pointer conversion; POSIX guarantees it. */
  memcpy(&get_model, &sym, sizeof get_model);
  const ddl_model *m = get_model();
  if (!m) {
    ddl_fail(DDL_LOAD_FAILED, "%s: %s() returned NULL", path,
             DDL_MODEL_ENTRY_SYMBOL);
    ddl_model_close(h);
    return DDL_LOAD_FAILED;
  }
  ddl_status s = ddl_validate_model(path, m);
  if (s != DDL_OK) {
    ddl_model_close(h);
    return s;
  }
  if (m->device_kind != DDL_DEVICE_CPU && device_ordinal != DDL_NO_DEVICE) {
    s = ddl_device_open((int32_t)m->device_kind, device_ordinal, &h->device);
    if (s != DDL_OK) {
      char why[1024];
      snprintf(why, sizeof why, "%s", ddl_last_error());
      ddl_fail(s, "%s: %s", path, why);
      ddl_model_close(h);
      return s;
    }
  }
  h->model = m;
  *out = h;
  return DDL_OK;
}

static void graphs_clear(ddl_model_handle *h);

void ddl_model_close(ddl_model_handle *h) {
  if (!h)
    return;
  if (h->device) {
    graphs_clear(h);
    ddl_device_free(h->device, h->arena);
    ddl_device_close(h->device);
  } else {
    free(h->arena);
  }
  if (h->dl)
    dlclose(h->dl);
  pthread_mutex_destroy(&h->arena_mutex);
  pthread_mutex_destroy(&h->graph_mutex);
  free(h->path);
  free(h);
}

const ddl_model *ddl_model_descriptor(const ddl_model_handle *h) {
  return h ? h->model : NULL;
}
const char *ddl_model_name(const ddl_model_handle *h) {
  return h && h->model->name ? h->model->name : "";
}
int32_t ddl_model_device_kind(const ddl_model_handle *h) {
  return h ? (int32_t)h->model->device_kind : DDL_DEVICE_CPU;
}
const char *ddl_model_device_arch(const ddl_model_handle *h) {
  return h && h->model->device_kind != DDL_DEVICE_CPU ? h->model->device_arch
                                                      : NULL;
}
size_t ddl_model_num_inputs(const ddl_model_handle *h) {
  return h ? h->model->num_inputs : 0;
}
size_t ddl_model_num_outputs(const ddl_model_handle *h) {
  return h ? h->model->num_outputs : 0;
}
const ddl_tensor_info *ddl_model_input_info(const ddl_model_handle *h,
                                            size_t i) {
  return h && i < h->model->num_inputs ? &h->model->inputs[i] : NULL;
}
const ddl_tensor_info *ddl_model_output_info(const ddl_model_handle *h,
                                             size_t i) {
  return h && i < h->model->num_outputs ? &h->model->outputs[i] : NULL;
}

static ddl_status find_info(const ddl_model_handle *h, const char *kind,
                            const ddl_tensor_info *infos, uint32_t n,
                            const char *name, size_t *index) {
  if (!h || !name || !index)
    return ddl_fail(DDL_INVALID_ARGUMENT,
                    "ddl_model_find_%s: NULL handle, name or index", kind);
  for (uint32_t i = 0; i < n; ++i)
    if (strcmp(infos[i].name, name) == 0) {
      *index = i;
      return DDL_OK;
    }
  return ddl_fail(DDL_NOT_FOUND, "model '%s' has no %s '%s'", model_label(h),
                  kind, name);
}

ddl_status ddl_model_find_input(const ddl_model_handle *h, const char *name,
                                size_t *index) {
  return find_info(h, "input", h ? h->model->inputs : NULL,
                   h ? h->model->num_inputs : 0, name, index);
}
ddl_status ddl_model_find_output(const ddl_model_handle *h, const char *name,
                                 size_t *index) {
  return find_info(h, "output", h ? h->model->outputs : NULL,
                   h ? h->model->num_outputs : 0, name, index);
}

int64_t ddl_model_arena_bytes(const ddl_model_handle *h) {
  return h ? h->model->arena_bytes : 0;
}
const char *ddl_model_arena_formula(const ddl_model_handle *h) {
  return h ? h->model->arena_formula : NULL;
}

/*===-- Input checks
 * -------------------------------------------------------===*/

static const char *dim_symbol(const ddl_tensor_info *info, int32_t d) {
  return info->dim_names ? info->dim_names[d] : NULL;
}

/* "[batch,4]" for a signature, "[3,4]" for a tensor (info == NULL). */
static void format_shape(char *buf, size_t size, const ddl_tensor_info *info,
                         int32_t rank, const int64_t *dims) {
  size_t used = 0;
  used += (size_t)snprintf(buf, size, "[");
  for (int32_t d = 0; d < rank && used < size; ++d) {
    const char *sym = info ? dim_symbol(info, d) : NULL;
    const char *sep = d ? "," : "";
    if (info && dims[d] < 0)
      used += (size_t)snprintf(buf + used, size - used, "%s%s", sep,
                               sym ? sym : "?");
    else
      used += (size_t)snprintf(buf + used, size - used, "%s%lld", sep,
                               (long long)dims[d]);
  }
  if (used < size)
    snprintf(buf + used, size - used, "]");
}

ddl_status ddl_model_check_inputs(const ddl_model_handle *h,
                                  const ddl_tensor *const *inputs,
                                  size_t num_inputs) {
  if (!h)
    return ddl_fail(DDL_INVALID_ARGUMENT, "model handle is NULL");
  const ddl_model *m = h->model;
  if (num_inputs != m->num_inputs)
    return ddl_fail(DDL_INVALID_ARGUMENT,
                    "model '%s' takes %u input%s, got %zu", model_label(h),
                    m->num_inputs, m->num_inputs == 1 ? "" : "s", num_inputs);
  if (num_inputs > 0 && !inputs)
    return ddl_fail(DDL_INVALID_ARGUMENT, "model '%s': inputs array is NULL",
                    model_label(h));
  for (uint32_t i = 0; i < m->num_inputs; ++i) {
    const ddl_tensor_info *info = &m->inputs[i];
    const ddl_tensor *t = inputs[i];
    if (!t)
      return ddl_fail(DDL_INVALID_ARGUMENT, "missing input '%s' (#%u is NULL)",
                      info->name, i);
    if (t->device_kind != DDL_DEVICE_CPU) {
      const char *kind = ddl_device_kind_name(t->device_kind);
      if (m->device_kind == DDL_DEVICE_CPU)
        return ddl_fail(DDL_INVALID_ARGUMENT,
                        "input '%s' is a %s device tensor, but model '%s' "
                        "runs on the CPU (give it host tensors)",
                        info->name, kind, model_label(h));
      if (t->device_kind != (int32_t)m->device_kind)
        return ddl_fail(DDL_INVALID_ARGUMENT,
                        "input '%s' is a %s device tensor, but model '%s' "
                        "runs on %s",
                        info->name, kind, model_label(h),
                        ddl_device_kind_name((int32_t)m->device_kind));
      if (h->device && t->device_ordinal != ddl_device_get_ordinal(h->device))
        return ddl_fail(DDL_INVALID_ARGUMENT,
                        "input '%s' lives on %s device %d, but model '%s' "
                        "runs on %s",
                        info->name, kind, t->device_ordinal, model_label(h),
                        ddl_device_label(h->device));
    }
    if (t->dtype != info->dtype)
      return ddl_fail(DDL_DTYPE_MISMATCH,
                      "input '%s' is %s, the model expects %s", info->name,
                      ddl_dtype_name(t->dtype), ddl_dtype_name(info->dtype));
    if (t->rank != info->rank) {
      char have[256], want[256];
      format_shape(have, sizeof have, NULL, t->rank, t->dims);
      format_shape(want, sizeof want, info, info->rank, info->dims);
      return ddl_fail(DDL_SHAPE_MISMATCH,
                      "input '%s' has shape %s (rank %d), the model expects "
                      "%s (rank %d)",
                      info->name, have, (int)t->rank, want, (int)info->rank);
    }
    for (int32_t d = 0; d < t->rank; ++d) {
      if (t->dims[d] < 0)
        return ddl_fail(DDL_SHAPE_MISMATCH,
                        "input '%s' dimension %d is negative (%lld)",
                        info->name, (int)d, (long long)t->dims[d]);
      if (info->dims[d] >= 0 && t->dims[d] != info->dims[d]) {
        char want[256];
        format_shape(want, sizeof want, info, info->rank, info->dims);
        return ddl_fail(DDL_SHAPE_MISMATCH,
                        "input '%s' dimension %d is %lld, the model expects "
                        "%lld (shape %s)",
                        info->name, (int)d, (long long)t->dims[d],
                        (long long)info->dims[d], want);
      }
    }
    if (!t->data && t->byte_size != 0)
      return ddl_fail(DDL_INVALID_ARGUMENT,
                      "input '%s' has NULL data for %zu bytes", info->name,
                      t->byte_size);
  }
  /* Equal symbols, equal sizes: compare each named dimension with the first
   * dimension carrying the same symbol. */
  for (uint32_t i = 0; i < m->num_inputs; ++i) {
    const ddl_tensor_info *info = &m->inputs[i];
    for (int32_t d = 0; d < info->rank; ++d) {
      const char *sym = dim_symbol(info, d);
      if (!sym)
        continue;
      for (uint32_t j = 0; j <= i; ++j) {
        const ddl_tensor_info *first = &m->inputs[j];
        int32_t end = j == i ? d : first->rank;
        int32_t e = 0;
        for (; e < end; ++e) {
          const char *other = dim_symbol(first, e);
          if (other && strcmp(other, sym) == 0)
            break;
        }
        if (e == end)
          continue;
        if (inputs[j]->dims[e] != inputs[i]->dims[d])
          return ddl_fail(DDL_SHAPE_MISMATCH,
                          "input '%s' dimension %d (%s) is %lld but input "
                          "'%s' dimension %d (%s) is %lld",
                          first->name, (int)e, sym,
                          (long long)inputs[j]->dims[e], info->name, (int)d,
                          sym, (long long)inputs[i]->dims[d]);
        break;
      }
    }
  }
  /* A sequence's rows must account for its data exactly: the model slices
   * the data by them. */
  for (uint32_t i = 0; i + 1 < m->num_inputs; ++i) {
    if (!is_sequence_at(m->inputs, m->num_inputs, i))
      continue;
    int64_t total;
    if (ddl_sequence_total(inputs[i], &total) != DDL_OK)
      return ddl_fail(DDL_SHAPE_MISMATCH, "input '%s': %s", m->inputs[i].name,
                      ddl_last_error());
    if (total != inputs[i + 1]->dims[0])
      return ddl_fail(DDL_SHAPE_MISMATCH,
                      "input '%s': the element sizes add up to %lld values "
                      "but the sequence's data holds %lld",
                      m->inputs[i].name, (long long)total,
                      (long long)inputs[i + 1]->dims[0]);
  }
  return DDL_OK;
}

/* The inputs as the model sees them, in one allocation. The dims are
 * copies: ddl_model_io's are not const, and a tensor's shape must not change
 * whatever the model does. */
static ddl_model_io *make_input_ios(const ddl_model_handle *h,
                                    const ddl_tensor *const *inputs) {
  size_t n = h->model->num_inputs;
  ddl_model_io *ios =
      calloc(1, n * (sizeof *ios + DDL_MAX_RANK * sizeof(int64_t)) + 1);
  if (!ios)
    return NULL;
  int64_t *dims = (int64_t *)(ios + n);
  for (size_t i = 0; i < n; ++i) {
    ios[i].data = inputs[i]->data;
    ios[i].dims = dims + i * DDL_MAX_RANK;
    memcpy(ios[i].dims, inputs[i]->dims, sizeof inputs[i]->dims);
  }
  return ios;
}

ddl_status ddl_model_arena_size(const ddl_model_handle *h,
                                const ddl_tensor *const *inputs,
                                size_t num_inputs, int64_t *bytes) {
  if (!bytes)
    return ddl_fail(DDL_INVALID_ARGUMENT, "ddl_model_arena_size: bytes is "
                                          "NULL");
  ddl_status s = ddl_model_check_inputs(h, inputs, num_inputs);
  if (s != DDL_OK)
    return s;
  if (h->model->arena_bytes >= 0) {
    *bytes = h->model->arena_bytes;
    return DDL_OK;
  }
  ddl_model_io *ios = make_input_ios(h, inputs);
  if (!ios)
    return ddl_fail(DDL_OUT_OF_MEMORY, "ddl_model_arena_size: out of memory");
  *bytes = h->model->arena_size(ios);
  free(ios);
  if (*bytes < 0)
    return ddl_fail(DDL_RUN_FAILED, "model '%s': arena_size returned %lld",
                    model_label(h), (long long)*bytes);
  return DDL_OK;
}

/*===-- Run ---------------------------------------------------------------===*/

/* One captured graph of a device model (graph mode), for one set of input
 * shapes (`key`: every input's dims, in order). A replay reads its inputs
 * from `inputs` (the run copies the caller's into them first) and writes
 * its outputs into `outputs`, the buffers the model allocated while it was
 * captured; every buffer the capture allocated (arena, outputs,
 * temporaries, the page-locked sources of captured host-to-device copies)
 * stays with the graph until it is destroyed, since replays use the same
 * addresses. */
typedef struct ddl_graph {
  int64_t *key;
  bool warm;     /* the shapes were run once, normally */
  bool captured; /* exec, inputs and outputs are set */
  uint64_t last_use;
  void *exec;           /* the executable graph */
  void **inputs;        /* num_inputs device buffers */
  void **outputs;       /* num_outputs, among `memory` */
  int64_t *output_dims; /* num_outputs * DDL_MAX_RANK */
  struct {
    void *ptr;
    bool pinned; /* page-locked host memory, else device memory */
  } *memory;
  size_t num_memory, memory_capacity;
} ddl_graph;

/* What host.ctx points at during one run. */
typedef struct ddl_run_ctx {
  ddl_model_handle *h;
  bool took_cache;
  void *owned[DDL_MAX_RUN_ARENAS];
  int num_owned;
  int64_t failed_bytes; /* the last arena request that failed, or -1 */
  /* Device models: set by the first failing device call, whose message is
   * kept in device_error; later device calls of the run do nothing. */
  atomic_int device_failed;
  char device_error[1024];
  /* Device models: the stream the run's work goes on. */
  ddl_stream stream;
  /* A stream-ordered run (ddl_model_set_stream_ordered): its arenas come
   * from the pool in the stream's order, and nothing waits for it. */
  bool ordered;
  /* Set when the model copies device memory to the host (it reads a value
   * on the host: such a run cannot be captured). */
  atomic_int read_host;
  /* While a graph is captured: what the run allocates belongs to it
   * (guarded by capture_mutex: device calls may come from pool threads). */
  ddl_graph *capture;
  pthread_mutex_t capture_mutex;
} ddl_run_ctx;

static void host_parallel_for(void *ctx, int64_t n, ddl_task_fn fn,
                              void *args) {
  ddl_run_ctx *run = ctx;
  ddl_runtime_parallel_for_host(run->h->rt, n, fn, args);
}

/* Keeps the thread's message as the run's device error if it is the
 * first. Calls may come from several pool threads at once. */
static void record_device_error(ddl_run_ctx *run) {
  if (atomic_exchange(&run->device_failed, 1) == 0)
    snprintf(run->device_error, sizeof run->device_error, "%s",
             ddl_last_error());
}

static bool device_failed(ddl_run_ctx *run) {
  return atomic_load(&run->device_failed) != 0;
}

/* Hands memory allocated while capturing to the graph; false (the run's
 * device error set) when the list cannot grow. */
static bool graph_keep(ddl_run_ctx *run, void *ptr, bool pinned) {
  ddl_graph *g = run->capture;
  bool ok = true;
  pthread_mutex_lock(&run->capture_mutex);
  if (g->num_memory == g->memory_capacity) {
    size_t capacity = g->memory_capacity ? 2 * g->memory_capacity : 16;
    void *grown = realloc(g->memory, capacity * sizeof *g->memory);
    if (grown) {
      g->memory = grown;
      g->memory_capacity = capacity;
    } else {
      ok = false;
    }
  }
  if (ok) {
    g->memory[g->num_memory].ptr = ptr;
    g->memory[g->num_memory++].pinned = pinned;
  }
  pthread_mutex_unlock(&run->capture_mutex);
  if (!ok) {
    if (pinned)
      ddl_device_host_free(run->h->device, ptr);
    else
      ddl_device_free(run->h->device, ptr);
    ddl_fail(DDL_OUT_OF_MEMORY, "capturing a graph: out of memory");
    record_device_error(run);
  }
  return ok;
}

/* Device memory for the run: with `from_pool`, from the pool in the run's
 * stream order (freed the same way: host_device_free, free_output), else
 * (arenas, kept between runs) a driver allocation; the graph's own driver
 * allocation while capturing. */
static void *run_device_alloc(ddl_run_ctx *run, int64_t bytes, bool from_pool) {
  void *p = NULL;
  bool pooled = false;
  ddl_status s = run->capture || !from_pool
                     ? ddl_device_alloc(run->h->device, bytes, &p)
                     : ddl_device_alloc_on(run->h->device, run->stream, bytes,
                                           &p, &pooled);
  if (s != DDL_OK) {
    record_device_error(run);
    return NULL;
  }
  if (run->capture && !graph_keep(run, p, false))
    return NULL;
  return p;
}

/* Arena memory: host memory for a CPU model, device memory otherwise
 * (from the pool for a stream-ordered run: it is freed in the stream's
 * order, before the work that uses it is done). */
static void *arena_alloc(ddl_run_ctx *run, size_t bytes) {
  if (!run->h->device)
    return ddl_aligned_alloc(bytes);
  return run_device_alloc(run, (int64_t)bytes, /*from_pool=*/run->ordered);
}

static void arena_free(ddl_model_handle *h, void *p) {
  if (h->device)
    ddl_device_free(h->device, p);
  else
    free(p);
}

static void *host_arena(void *ctx, int64_t bytes) {
  ddl_run_ctx *run = ctx;
  ddl_model_handle *h = run->h;
  if (bytes < 0 || (uint64_t)bytes > (uint64_t)PTRDIFF_MAX - 64 ||
      device_failed(run)) {
    run->failed_bytes = bytes;
    return NULL;
  }
  /* A captured run's arena is the graph's own: replays reuse its address,
   * which the handle's cached buffer may not keep. */
  if (run->capture) {
    void *p = arena_alloc(run, (size_t)bytes);
    if (!p)
      run->failed_bytes = bytes;
    return p;
  }
  /* The first request of a run reuses the handle's buffer when no other
   * run holds it; it grows to the largest size seen. A stream-ordered run
   * does not: it would give it back before its kernels are done. */
  if (!run->took_cache && !run->ordered) {
    pthread_mutex_lock(&h->arena_mutex);
    if (!h->arena_in_use) {
      if (h->arena_capacity < (size_t)bytes || !h->arena) {
        arena_free(h, h->arena);
        h->arena = arena_alloc(run, (size_t)bytes);
        h->arena_capacity = h->arena ? (size_t)bytes : 0;
      }
      void *p = h->arena;
      if (p) {
        h->arena_in_use = true;
        run->took_cache = true;
      }
      pthread_mutex_unlock(&h->arena_mutex);
      if (!p)
        run->failed_bytes = bytes;
      return p;
    }
    pthread_mutex_unlock(&h->arena_mutex);
  }
  if (run->num_owned == DDL_MAX_RUN_ARENAS) {
    run->failed_bytes = bytes;
    return NULL;
  }
  void *p = arena_alloc(run, (size_t)bytes);
  if (!p)
    run->failed_bytes = bytes;
  else
    run->owned[run->num_owned++] = p;
  return p;
}

static void release_run_arenas(ddl_run_ctx *run) {
  if (run->took_cache) {
    pthread_mutex_lock(&run->h->arena_mutex);
    run->h->arena_in_use = false;
    pthread_mutex_unlock(&run->h->arena_mutex);
  }
  for (int i = 0; i < run->num_owned; ++i) {
    if (run->ordered)
      ddl_device_free_on(run->h->device, run->stream, run->owned[i], true);
    else
      arena_free(run->h, run->owned[i]);
  }
}

/*===-- Device callbacks (ddl_host.device_*) ------------------------------===*/

static void host_device_launch(void *ctx, const void *image,
                               int64_t image_bytes, const char *name,
                               const int64_t *grid_block, int64_t shared_bytes,
                               void **params) {
  ddl_run_ctx *run = ctx;
  if (!device_failed(run) &&
      ddl_device_launch(run->h->device, run->stream, image, image_bytes, name,
                        grid_block, shared_bytes, params) != DDL_OK)
    record_device_error(run);
}

static void *host_device_alloc(void *ctx, int64_t bytes) {
  ddl_run_ctx *run = ctx;
  return device_failed(run) ? NULL
                            : run_device_alloc(run, bytes, /*from_pool=*/true);
}

/* Frees even after a failure, so that a failed run leaks nothing. While
 * capturing, the memory stays with the graph (replays use it). */
static void host_device_free(void *ctx, void *ptr) {
  ddl_run_ctx *run = ctx;
  ddl_device *device = run->h->device;
  if (!run->capture &&
      ddl_device_free_on(device, run->stream, ptr,
                         ddl_device_has_pool(device)) != DDL_OK)
    record_device_error(run);
}

static void *host_device_constant(void *ctx, const void *data, int64_t bytes) {
  ddl_run_ctx *run = ctx;
  void *p = NULL;
  if (!device_failed(run) &&
      ddl_device_constant(run->h->device, data, bytes, &p) != DDL_OK)
    record_device_error(run);
  return p;
}

/* Not a run error when it cannot be had: the model then launches its
 * kernel without TMA. */
static int32_t host_device_tensor_map(void *ctx, void *map, int32_t dtype,
                                      int32_t rank, const void *address,
                                      const int64_t *dims,
                                      const int64_t *strides,
                                      const int32_t *box,
                                      int32_t swizzle_bytes) {
  ddl_run_ctx *run = ctx;
  return ddl_device_tensor_map(run->h->device, map, dtype, rank, address, dims,
                               strides, box, swizzle_bytes);
}

/* A copy to the host waits for the run's stream: the model reads the value
 * next. While capturing it cannot be had (nothing runs): the run is marked
 * and its capture dropped. A captured copy from the host reads a
 * page-locked copy of the data that the graph keeps (replays read it
 * again, after the model's stack slot is gone). */
static void host_device_copy(void *ctx, void *dst, const void *src,
                             int64_t bytes, int32_t to_device) {
  ddl_run_ctx *run = ctx;
  ddl_device *device = run->h->device;
  if (!to_device)
    atomic_store(&run->read_host, 1);
  if (device_failed(run) || (run->capture && !to_device))
    return;
  if (run->capture && bytes > 0 && src) {
    void *pinned = NULL;
    if (ddl_device_host_alloc(device, bytes, &pinned) != DDL_OK) {
      record_device_error(run);
      return;
    }
    if (!graph_keep(run, pinned, true))
      return;
    memcpy(pinned, src, (size_t)bytes);
    src = pinned;
  }
  if (ddl_device_copy(device, run->stream, dst, src, bytes,
                      to_device ? DDL_COPY_TO_DEVICE : DDL_COPY_TO_HOST) !=
          DDL_OK ||
      (!to_device && ddl_device_stream_sync(device, run->stream) != DDL_OK))
    record_device_error(run);
}

/* Checks one returned output; false (message set) if the model broke the
 * contract. */
static bool check_output(const ddl_model_handle *h, const ddl_tensor_info *info,
                         const ddl_model_io *io) {
  for (int32_t d = 0; d < info->rank; ++d) {
    if (io->dims[d] < 0 ||
        (info->dims[d] >= 0 && io->dims[d] != info->dims[d])) {
      ddl_fail(DDL_RUN_FAILED,
               "model '%s' returned output '%s' with dimension %d = %lld "
               "(declared %lld)",
               model_label(h), info->name, (int)d, (long long)io->dims[d],
               (long long)info->dims[d]);
      return false;
    }
  }
  int64_t elements;
  size_t bytes;
  char what[DDL_MAX_NAME + 64];
  snprintf(what, sizeof what, "model '%s' output '%s'", model_label(h),
           info->name);
  if (!ddl_shape_size(info->dtype, info->rank, io->dims, what, &elements,
                      &bytes)) {
    ddl_fail(DDL_RUN_FAILED, "%s", ddl_last_error());
    return false;
  }
  if (!io->data && bytes != 0) {
    ddl_fail(DDL_RUN_FAILED, "model '%s' returned NULL data for output '%s'",
             model_label(h), info->name);
    return false;
  }
  return true;
}

/* Frees an output buffer the model handed over. */
/* Frees an output the run allocated (on the device: in the order of the
 * run's stream). */
static void free_output(ddl_model_handle *h, ddl_stream stream, void *data) {
  if (h->device)
    ddl_device_free_on(h->device, stream, data, ddl_device_has_pool(h->device));
  else
    free(data);
}

/* Device output `data` with these dims handed to the caller on `stream`:
 * a new host tensor with a copy of it (ready after a sync of the stream),
 * or with `on_device` a new device tensor owning a copy (`adopt`: owning
 * `data` itself), freed in the stream's order if `ordered`. */
static ddl_status hand_out(ddl_model_handle *h, const ddl_tensor_info *info,
                           const int64_t *dims, void *data, ddl_stream stream,
                           bool on_device, bool adopt, bool ordered,
                           ddl_tensor **out) {
  if (on_device && adopt)
    return ddl_tensor_adopt_device(info->dtype, info->rank, dims, data,
                                   ddl_device_has_pool(h->device), h->device,
                                   ordered, stream.handle, out);
  if (!on_device) {
    ddl_status s = ddl_tensor_create(info->dtype, info->rank, dims, out);
    if (s == DDL_OK)
      s = ddl_device_copy(h->device, stream, (*out)->data, data,
                          (int64_t)(*out)->byte_size, DDL_COPY_TO_HOST);
    return s;
  }
  int64_t elements;
  size_t bytes;
  if (!ddl_shape_size(info->dtype, info->rank, dims, info->name, &elements,
                      &bytes))
    return DDL_RUN_FAILED;
  void *copy = NULL;
  bool pooled = false;
  ddl_status s =
      ddl_device_alloc_on(h->device, stream, (int64_t)bytes, &copy, &pooled);
  if (s != DDL_OK)
    return s;
  if ((s = ddl_device_copy(h->device, stream, copy, data, (int64_t)bytes,
                           DDL_COPY_ON_DEVICE)) != DDL_OK ||
      (s = ddl_tensor_adopt_device(info->dtype, info->rank, dims, copy, pooled,
                                   h->device, ordered && pooled, stream.handle,
                                   out)) != DDL_OK)
    ddl_device_free_on(h->device, stream, copy, pooled);
  return s;
}

/* "model 'm' failed on CUDA device 0 (built for sm_90): <message>". */
static ddl_status device_run_fail(const ddl_model_handle *h,
                                  const char *message) {
  return ddl_fail(DDL_DEVICE_ERROR,
                  "model '%s' failed on %s (built for %s): %s", model_label(h),
                  ddl_device_label(h->device), h->model->device_arch, message);
}

/* device_run_fail with the thread's last message. */
static ddl_status device_run_fail_last(const ddl_model_handle *h) {
  char why[1024];
  snprintf(why, sizeof why, "%s", ddl_last_error());
  return device_run_fail(h, why);
}

/* The status of a model's `run` that did not return DDL_MODEL_OK. */
static ddl_status model_failure(const ddl_model_handle *h, int32_t rc,
                                int64_t failed_bytes) {
  const ddl_model *m = h->model;
  const char *check =
      (rc == DDL_MODEL_ERR_CHECK || rc == DDL_MODEL_ERR_OUT_OF_MEMORY) &&
              m->failed_check
          ? m->failed_check()
          : NULL;
  if (rc == DDL_MODEL_ERR_OUT_OF_MEMORY)
    return ddl_fail(DDL_OUT_OF_MEMORY, "model '%s' failed: %s", model_label(h),
                    check ? check : "out of memory in the model");
  if (rc == DDL_MODEL_ERR_ARENA)
    return ddl_fail(DDL_RUN_FAILED,
                    "model '%s' failed: no arena of %lld bytes could be "
                    "allocated",
                    model_label(h), (long long)failed_bytes);
  if (rc == DDL_MODEL_ERR_CHECK)
    return ddl_fail(DDL_RUN_FAILED, "model '%s' rejected its inputs: %s",
                    model_label(h), check ? check : "a run-time check failed");
  return ddl_fail(DDL_RUN_FAILED, "model '%s' failed with status %d",
                  model_label(h), (int)rc);
}

/* The output views of a run: num_outputs ios whose dims (room for
 * DDL_MAX_RANK each, in the same block) start as the declared sizes. */
static ddl_model_io *make_output_ios(const ddl_model_handle *h) {
  size_t n = h->model->num_outputs;
  ddl_model_io *ios =
      calloc(1, n * (sizeof *ios + DDL_MAX_RANK * sizeof(int64_t)) + 1);
  if (!ios)
    return NULL;
  int64_t *dims = (int64_t *)(ios + n);
  for (size_t i = 0; i < n; ++i) {
    ios[i].dims = dims + i * DDL_MAX_RANK;
    for (int32_t d = 0; d < h->model->outputs[i].rank; ++d)
      ios[i].dims[d] = h->model->outputs[i].dims[d];
  }
  return ios;
}

static ddl_host make_host(ddl_run_ctx *run) {
  ddl_host host = {
      .ctx = run, .parallel_for = host_parallel_for, .arena = host_arena};
  if (run->h->device) {
    host.device_launch = host_device_launch;
    host.device_alloc = host_device_alloc;
    host.device_free = host_device_free;
    host.device_constant = host_device_constant;
    host.device_copy = host_device_copy;
    host.device_tensor_map = host_device_tensor_map;
  }
  return host;
}

/* Whether a run on `stream` returns once queued: an on-device run on the
 * caller's stream of a handle set stream-ordered, with a pool (whose
 * frees are stream-ordered). */
static bool run_is_ordered(const ddl_model_handle *h, bool on_device,
                           ddl_stream stream) {
  return on_device && !stream.own && atomic_load(&h->stream_ordered) &&
         ddl_device_has_pool(h->device);
}

/* One run of the model's host code (a device model's work queued on
 * `stream` and waited for, unless the run is stream-ordered). `read_host`,
 * if not NULL, is set when the model read device memory on the host. */
static ddl_status run_once(ddl_model_handle *h, const ddl_tensor *const *inputs,
                           ddl_tensor **outputs, bool on_device,
                           ddl_stream stream, bool *read_host) {
  const ddl_model *m = h->model;
  ddl_device *device = h->device;
  size_t num_in = m->num_inputs, num_out = m->num_outputs;
  ddl_model_io *in_ios = make_input_ios(h, inputs);
  ddl_model_io *out_ios = make_output_ios(h);
  void **device_inputs =
      device ? calloc(num_in ? num_in : 1, sizeof *device_inputs) : NULL;
  if (!in_ios || !out_ios || (device && !device_inputs)) {
    free(in_ios);
    free(out_ios);
    free(device_inputs);
    return ddl_fail(DDL_OUT_OF_MEMORY, "model '%s': out of memory",
                    model_label(h));
  }

  ddl_run_ctx run = {.h = h,
                     .failed_bytes = -1,
                     .stream = stream,
                     .ordered = device && run_is_ordered(h, on_device, stream)};
  ddl_host host = make_host(&run);
  /* The model sees device copies of the host inputs, and device inputs
   * (checked to be on this device) as they are. */
  for (size_t i = 0; device && i < num_in && !device_failed(&run); ++i) {
    if (inputs[i]->device_kind != DDL_DEVICE_CPU)
      continue;
    int64_t bytes = (int64_t)inputs[i]->byte_size;
    bool pooled;
    if (ddl_device_alloc_on(device, stream, bytes, &device_inputs[i],
                            &pooled) != DDL_OK ||
        ddl_device_copy(device, stream, device_inputs[i], inputs[i]->data,
                        bytes, DDL_COPY_TO_DEVICE) != DDL_OK)
      record_device_error(&run);
    in_ios[i].data = device_inputs[i];
  }
  int32_t rc =
      device_failed(&run) ? DDL_MODEL_OK : m->run(&host, in_ios, out_ios);
  if (device) {
    /* Kernels may still use the arenas and inputs; a kernel's own failure
     * shows here. A stream-ordered run frees them in the stream's order
     * instead (its kernels' failures show at a later synchronization). */
    if (!run.ordered && ddl_device_stream_sync(device, stream) != DDL_OK)
      record_device_error(&run);
    for (size_t i = 0; i < num_in; ++i)
      ddl_device_free_on(device, stream, device_inputs[i],
                         ddl_device_has_pool(device));
    free(device_inputs);
  }
  release_run_arenas(&run);
  free(in_ios);
  if (read_host)
    *read_host = atomic_load(&run.read_host) != 0;

  if (device_failed(&run)) {
    /* The model returned its outputs, or nothing at all if the failure
     * came before its run; the host frees them (the ABI's sticky rule). */
    if (rc == DDL_MODEL_OK)
      for (size_t i = 0; i < num_out; ++i)
        ddl_device_free_on(device, stream, out_ios[i].data,
                           ddl_device_has_pool(device));
    free(out_ios);
    return device_run_fail(h, run.device_error);
  }
  if (rc != DDL_MODEL_OK) {
    /* The ABI hands buffers over only on success: leave them alone. */
    ddl_status s = model_failure(h, rc, run.failed_bytes);
    free(out_ios);
    return s;
  }

  ddl_status s = DDL_OK;
  for (size_t i = 0; i < num_out && s == DDL_OK; ++i)
    if (!check_output(h, &m->outputs[i], &out_ios[i]))
      s = DDL_RUN_FAILED;
  for (size_t i = 0; i < num_out && s == DDL_OK; ++i) {
    if (device) {
      s = hand_out(h, &m->outputs[i], out_ios[i].dims, out_ios[i].data, stream,
                   on_device, true, run.ordered, &outputs[i]);
      if (s == DDL_OK && on_device)
        out_ios[i].data = NULL; /* the tensor owns it now */
      else if (s == DDL_DEVICE_ERROR)
        s = device_run_fail_last(h);
      continue; /* host copies: the device buffers are freed below */
    }
    s = ddl_tensor_adopt(m->outputs[i].dtype, m->outputs[i].rank,
                         out_ios[i].dims, out_ios[i].data, &outputs[i]);
    if (s == DDL_OK)
      out_ios[i].data = NULL; /* the tensor owns it now */
  }
  /* The copies to host tensors are done before their buffers are freed. */
  if (device && !on_device && s == DDL_OK &&
      ddl_device_stream_sync(device, stream) != DDL_OK)
    s = device_run_fail_last(h);
  for (size_t i = 0; i < num_out; ++i) {
    if (s != DDL_OK) {
      ddl_tensor_destroy(outputs[i]);
      outputs[i] = NULL;
    }
    free_output(h, stream, out_ios[i].data);
  }
  free(out_ios);
  return s;
}

/*===-- Graph mode --------------------------------------------------------===*/

/* Frees what a graph holds (device memory, page-locked memory, its
 * executable) and the graph. */
static void graph_destroy(ddl_model_handle *h, ddl_graph *g) {
  if (!g)
    return;
  ddl_device *device = h->device;
  ddl_device_graph_destroy(device, g->exec);
  for (size_t i = 0; i < g->num_memory; ++i) {
    if (g->memory[i].pinned)
      ddl_device_host_free(device, g->memory[i].ptr);
    else
      ddl_device_free(device, g->memory[i].ptr);
  }
  if (g->inputs)
    for (size_t i = 0; i < h->model->num_inputs; ++i)
      ddl_device_free(device, g->inputs[i]);
  free(g->memory);
  free(g->inputs);
  free(g->outputs);
  free(g->output_dims);
  free(g->key);
  free(g);
}

/* Forgets graph #i of the handle (graph_mutex held). */
static void graph_remove(ddl_model_handle *h, int i) {
  graph_destroy(h, h->graphs[i]);
  h->graphs[i] = h->graphs[--h->num_graphs];
}

static void graphs_clear(ddl_model_handle *h) {
  while (h->num_graphs > 0)
    graph_remove(h, h->num_graphs - 1);
}

/* Remembers why graph mode runs the model normally from now on. */
static void graph_give_up(ddl_model_handle *h, const char *why) {
  snprintf(h->graph_fallback, sizeof h->graph_fallback, "%s", why);
  graphs_clear(h);
}

/* The graph entry for the inputs' shapes, made (not yet captured) if
 * there is none; the least recently used entry makes room. NULL when out
 * of memory. */
static ddl_graph *graph_find(ddl_model_handle *h,
                             const ddl_tensor *const *inputs) {
  const ddl_model *m = h->model;
  size_t key_len = 0;
  for (uint32_t i = 0; i < m->num_inputs; ++i)
    key_len += (size_t)m->inputs[i].rank;
  ++h->graph_clock;
  for (int k = 0; k < h->num_graphs; ++k) {
    ddl_graph *g = h->graphs[k];
    bool same = true;
    for (uint32_t i = 0, at = 0; i < m->num_inputs && same; ++i) {
      same = memcmp(g->key + at, inputs[i]->dims,
                    (size_t)inputs[i]->rank * sizeof(int64_t)) == 0;
      at += (uint32_t)inputs[i]->rank;
    }
    if (same) {
      g->last_use = h->graph_clock;
      return g;
    }
  }
  ddl_graph *g = calloc(1, sizeof *g);
  if (!g || !(g->key = calloc(key_len + 1, sizeof *g->key))) {
    free(g);
    return NULL;
  }
  for (uint32_t i = 0, at = 0; i < m->num_inputs; ++i) {
    memcpy(g->key + at, inputs[i]->dims,
           (size_t)inputs[i]->rank * sizeof(int64_t));
    at += (uint32_t)inputs[i]->rank;
  }
  g->last_use = h->graph_clock;
  if (h->num_graphs == DDL_MAX_GRAPHS) {
    int oldest = 0;
    for (int k = 1; k < h->num_graphs; ++k)
      if (h->graphs[k]->last_use < h->graphs[oldest]->last_use)
        oldest = k;
    graph_remove(h, oldest);
  }
  h->graphs[h->num_graphs++] = g;
  return g;
}

/* Captures one run of the model's host code into graph g: its inputs are
 * g->inputs (allocated here), its work is recorded on an own stream (the
 * run's, unless that is the caller's: other work may go there meanwhile).
 * DDL_OK with g->exec set; otherwise `why` says why the model cannot be
 * captured (the run then goes the normal way) and g holds nothing. */
static ddl_status graph_capture(ddl_model_handle *h,
                                const ddl_tensor *const *inputs, ddl_graph *g,
                                ddl_stream stream, char *why, size_t why_size) {
  const ddl_model *m = h->model;
  ddl_device *device = h->device;
  size_t num_in = m->num_inputs, num_out = m->num_outputs;
  g->inputs = calloc(num_in ? num_in : 1, sizeof *g->inputs);
  g->outputs = calloc(num_out ? num_out : 1, sizeof *g->outputs);
  g->output_dims = calloc(num_out * DDL_MAX_RANK + 1, sizeof *g->output_dims);
  ddl_model_io *in_ios = make_input_ios(h, inputs);
  ddl_model_io *out_ios = make_output_ios(h);
  ddl_status s = DDL_OK;
  if (!g->inputs || !g->outputs || !g->output_dims || !in_ios || !out_ios)
    s = ddl_fail(DDL_OUT_OF_MEMORY, "out of memory");
  for (size_t i = 0; i < num_in && s == DDL_OK; ++i) {
    s = ddl_device_alloc(device, (int64_t)inputs[i]->byte_size, &g->inputs[i]);
    in_ios[i].data = g->inputs[i];
  }
  ddl_stream capture = stream;
  if (s == DDL_OK && !stream.own)
    s = ddl_device_get_stream(device, true, &capture);
  bool began =
      s == DDL_OK && ddl_device_capture_begin(device, capture) == DDL_OK;
  if (s == DDL_OK && !began)
    s = DDL_DEVICE_ERROR;

  int32_t rc = DDL_MODEL_OK;
  ddl_run_ctx run = {
      .h = h, .failed_bytes = -1, .stream = capture, .capture = g};
  if (began) {
    pthread_mutex_init(&run.capture_mutex, NULL);
    ddl_host host = make_host(&run);
    rc = m->run(&host, in_ios, out_ios);
    pthread_mutex_destroy(&run.capture_mutex);
    /* Always ended, so that the stream can be used again. */
    if (ddl_device_capture_end(device, capture, &g->exec) != DDL_OK &&
        !device_failed(&run))
      record_device_error(&run);
  }
  if (capture.handle != stream.handle || capture.own != stream.own)
    ddl_device_put_stream(device, capture);

  if (s != DDL_OK)
    snprintf(why, why_size, "graph capture failed: %s", ddl_last_error());
  else if (atomic_load(&run.read_host))
    snprintf(why, why_size,
             "the model reads device memory on the host during its run (a "
             "device_copy to the host), which a graph cannot replay");
  else if (device_failed(&run))
    snprintf(why, why_size, "graph capture failed: %s", run.device_error);
  else if (rc != DDL_MODEL_OK)
    snprintf(why, why_size,
             "the model's run returned status %d while it was captured",
             (int)rc);
  else
    for (size_t i = 0; i < num_out && !why[0]; ++i)
      if (!check_output(h, &m->outputs[i], &out_ios[i]))
        snprintf(why, why_size, "%s", ddl_last_error());
  if (!why[0]) {
    for (size_t i = 0; i < num_out; ++i) {
      g->outputs[i] = out_ios[i].data;
      memcpy(g->output_dims + i * DDL_MAX_RANK, out_ios[i].dims,
             DDL_MAX_RANK * sizeof(int64_t));
    }
    g->captured = true;
  } else {
    /* Everything the capture allocated (outputs included) is in
     * g->memory: the caller destroys g. */
    ddl_device_graph_destroy(device, g->exec);
    g->exec = NULL;
  }
  free(in_ios);
  free(out_ios);
  return why[0] ? DDL_RUN_FAILED : DDL_OK;
}

/* A replay of captured graph g on `stream`: the caller's inputs are
 * copied into the graph's input buffers, the graph is launched, and its
 * outputs are copied into new tensors (the graph keeps its buffers for
 * the next replay). */
static ddl_status graph_replay(ddl_model_handle *h,
                               const ddl_tensor *const *inputs, ddl_graph *g,
                               ddl_stream stream, ddl_tensor **outputs,
                               bool on_device) {
  const ddl_model *m = h->model;
  ddl_device *device = h->device;
  ddl_status s = DDL_OK;
  for (uint32_t i = 0; i < m->num_inputs && s == DDL_OK; ++i)
    s = ddl_device_copy(device, stream, g->inputs[i], inputs[i]->data,
                        (int64_t)inputs[i]->byte_size,
                        inputs[i]->device_kind == DDL_DEVICE_CPU
                            ? DDL_COPY_TO_DEVICE
                            : DDL_COPY_ON_DEVICE);
  if (s == DDL_OK)
    s = ddl_device_graph_launch(device, g->exec, stream);
  bool ordered = run_is_ordered(h, on_device, stream);
  for (uint32_t i = 0; i < m->num_outputs && s == DDL_OK; ++i)
    s = hand_out(h, &m->outputs[i], g->output_dims + i * DDL_MAX_RANK,
                 g->outputs[i], stream, on_device, false, ordered, &outputs[i]);
  /* The outputs are ready, and the graph's buffers free for the next.
   * Stream-ordered: the next replay comes later on the same stream
   * (ddl_model_set_stream waits before another stream is used). */
  if (s == DDL_OK && !ordered)
    s = ddl_device_stream_sync(device, stream);
  if (s == DDL_OK && ordered)
    h->ordered_pending = true;
  if (s == DDL_OK) {
    ++h->graph_launches;
    return DDL_OK;
  }
  if (s == DDL_DEVICE_ERROR)
    s = device_run_fail_last(h);
  for (uint32_t i = 0; i < m->num_outputs; ++i) {
    ddl_tensor_destroy(outputs[i]);
    outputs[i] = NULL;
  }
  return s;
}

/* A run in graph mode, with graph_mutex held: the first run of a set of
 * input shapes runs normally (it loads the kernels and constants, and
 * shows whether the model reads device memory on the host), the second
 * captures a graph and launches it, later ones replay it. *handled is
 * false when the run must go the normal way instead (the model cannot be
 * captured: the reason is remembered). */
static ddl_status graph_run(ddl_model_handle *h,
                            const ddl_tensor *const *inputs,
                            ddl_tensor **outputs, bool on_device,
                            ddl_stream stream, bool *handled) {
  *handled = false;
  if (h->graph_fallback[0])
    return DDL_OK;
  ddl_graph *g = graph_find(h, inputs);
  if (!g)
    return DDL_OK; /* out of memory: run normally */
  *handled = true;
  if (!g->captured && !g->warm) {
    bool read_host = false;
    ddl_status s = run_once(h, inputs, outputs, on_device, stream, &read_host);
    if (s == DDL_OK && read_host)
      graph_give_up(h, "the model reads device memory on the host during its "
                       "run (a device_copy to the host), which a graph cannot "
                       "replay");
    else if (s == DDL_OK)
      g->warm = true;
    return s;
  }
  if (!g->captured) {
    char why[1280] = "";
    if (graph_capture(h, inputs, g, stream, why, sizeof why) != DDL_OK) {
      graph_give_up(h, why);
      *handled = false;
      return DDL_OK;
    }
    ++h->graph_captures;
  }
  return graph_replay(h, inputs, g, stream, outputs, on_device);
}

/*===-- Entry points ------------------------------------------------------===*/

/* ddl_model_run and ddl_model_run_on_device: `on_device` keeps a device
 * model's outputs on the device. */
static ddl_status run_model(ddl_model_handle *h,
                            const ddl_tensor *const *inputs, size_t num_inputs,
                            ddl_tensor **outputs, size_t num_outputs,
                            bool on_device) {
  if (outputs)
    for (size_t i = 0; i < num_outputs; ++i)
      outputs[i] = NULL;
  ddl_status s = ddl_model_check_inputs(h, inputs, num_inputs);
  if (s != DDL_OK)
    return s;
  const ddl_model *m = h->model;
  if (num_outputs != m->num_outputs)
    return ddl_fail(DDL_INVALID_ARGUMENT,
                    "model '%s' has %u output%s, got room for %zu",
                    model_label(h), m->num_outputs,
                    m->num_outputs == 1 ? "" : "s", num_outputs);
  if (num_outputs > 0 && !outputs)
    return ddl_fail(DDL_INVALID_ARGUMENT, "model '%s': outputs array is NULL",
                    model_label(h));
  ddl_device *device = h->device;
  if (m->device_kind != DDL_DEVICE_CPU && !device)
    return ddl_fail(DDL_DEVICE_ERROR,
                    "model '%s' is a %s model opened without a device "
                    "(DDL_NO_DEVICE): it cannot run",
                    model_label(h),
                    ddl_device_kind_name((int32_t)m->device_kind));
  if (!device)
    return run_once(h, inputs, outputs, false, (ddl_stream){NULL, false}, NULL);

  ddl_stream stream;
  if (ddl_device_get_stream(device, false, &stream) != DDL_OK)
    return device_run_fail_last(h);
  bool handled = false;
  /* Graph mode; a run that finds another one using the graphs runs
   * normally (a graph's buffers serve one run at a time). */
  if (atomic_load(&h->graph_enabled) &&
      pthread_mutex_trylock(&h->graph_mutex) == 0) {
    s = graph_run(h, inputs, outputs, on_device, stream, &handled);
    pthread_mutex_unlock(&h->graph_mutex);
  }
  if (!handled)
    s = run_once(h, inputs, outputs, on_device, stream, NULL);
  ddl_device_put_stream(device, stream);
  return s;
}

ddl_status ddl_model_run(ddl_model_handle *h, const ddl_tensor *const *inputs,
                         size_t num_inputs, ddl_tensor **outputs,
                         size_t num_outputs) {
  return run_model(h, inputs, num_inputs, outputs, num_outputs, false);
}

ddl_status ddl_model_run_on_device(ddl_model_handle *h,
                                   const ddl_tensor *const *inputs,
                                   size_t num_inputs, ddl_tensor **outputs,
                                   size_t num_outputs) {
  if (h && h->model->device_kind == DDL_DEVICE_CPU) {
    if (outputs)
      for (size_t i = 0; i < num_outputs; ++i)
        outputs[i] = NULL;
    return ddl_fail(DDL_INVALID_ARGUMENT,
                    "ddl_model_run_on_device: model '%s' is a CPU model "
                    "(use ddl_model_run)",
                    model_label(h));
  }
  return run_model(h, inputs, num_inputs, outputs, num_outputs, true);
}

ddl_status ddl_model_run_named(ddl_model_handle *h, const char *const *names,
                               const ddl_tensor *const *inputs,
                               size_t num_inputs, ddl_tensor **outputs,
                               size_t num_outputs) {
  if (outputs)
    for (size_t i = 0; i < num_outputs; ++i)
      outputs[i] = NULL;
  if (!h)
    return ddl_fail(DDL_INVALID_ARGUMENT, "model handle is NULL");
  if (num_inputs > 0 && (!names || !inputs))
    return ddl_fail(DDL_INVALID_ARGUMENT,
                    "ddl_model_run_named: names or inputs is NULL");
  size_t n = h->model->num_inputs;
  const ddl_tensor **ordered = calloc(n ? n : 1, sizeof *ordered);
  if (!ordered)
    return ddl_fail(DDL_OUT_OF_MEMORY, "model '%s': out of memory",
                    model_label(h));
  ddl_status s = DDL_OK;
  for (size_t i = 0; i < num_inputs && s == DDL_OK; ++i) {
    size_t index;
    if (!names[i])
      s = ddl_fail(DDL_INVALID_ARGUMENT, "input name #%zu is NULL", i);
    else if ((s = ddl_model_find_input(h, names[i], &index)) != DDL_OK)
      ;
    else if (ordered[index])
      s = ddl_fail(DDL_INVALID_ARGUMENT, "input '%s' given twice", names[i]);
    else if (!inputs[i])
      s = ddl_fail(DDL_INVALID_ARGUMENT, "input '%s' is NULL", names[i]);
    else
      ordered[index] = inputs[i];
  }
  for (size_t i = 0; i < n && s == DDL_OK; ++i)
    if (!ordered[i])
      s = ddl_fail(DDL_INVALID_ARGUMENT, "missing input '%s'",
                   h->model->inputs[i].name);
  if (s == DDL_OK)
    s = ddl_model_run(h, ordered, n, outputs, num_outputs);
  free(ordered);
  return s;
}

/*===-- Streams and graph mode --------------------------------------------===*/

/* A device handle, or DDL_INVALID_ARGUMENT naming the function. */
static ddl_status need_device_model(const ddl_model_handle *h,
                                    const char *what) {
  if (!h)
    return ddl_fail(DDL_INVALID_ARGUMENT, "%s: model handle is NULL", what);
  if (h->model->device_kind == DDL_DEVICE_CPU)
    return ddl_fail(DDL_INVALID_ARGUMENT, "%s: model '%s' is a CPU model", what,
                    model_label(h));
  return DDL_OK;
}

ddl_status ddl_model_set_stream(ddl_model_handle *h, void *stream) {
  ddl_status s = need_device_model(h, "ddl_model_set_stream");
  if (s != DDL_OK)
    return s;
  if (!h->device)
    return ddl_fail(DDL_INVALID_ARGUMENT,
                    "ddl_model_set_stream: model '%s' was opened without a "
                    "device (DDL_NO_DEVICE)",
                    model_label(h));
  /* Stream-ordered runs on the old stream may still be using the
   * graphs' buffers: wait for them before another stream can start a
   * replay (the old stream is still alive: it is being replaced). */
  pthread_mutex_lock(&h->graph_mutex);
  ddl_stream old;
  if (h->ordered_pending &&
      ddl_device_get_stream(h->device, false, &old) == DDL_OK) {
    bool same = !old.own && stream == old.handle;
    if (!old.own && !same)
      s = ddl_device_stream_sync(h->device, old);
    ddl_device_put_stream(h->device, old);
    h->ordered_pending = same;
  }
  if (s == DDL_OK)
    ddl_device_set_stream(h->device, stream != DDL_STREAM_OWN,
                          stream != DDL_STREAM_OWN ? stream : NULL);
  pthread_mutex_unlock(&h->graph_mutex);
  return s == DDL_OK ? DDL_OK : device_run_fail_last(h);
}

ddl_status ddl_model_set_stream_ordered(ddl_model_handle *h, int enable) {
  ddl_status s = need_device_model(h, "ddl_model_set_stream_ordered");
  if (s != DDL_OK)
    return s;
  atomic_store(&h->stream_ordered, enable != 0);
  return DDL_OK;
}

ddl_status ddl_model_enable_graph(ddl_model_handle *h, int enable) {
  ddl_status s = need_device_model(h, "ddl_model_enable_graph");
  if (s != DDL_OK)
    return s;
  pthread_mutex_lock(&h->graph_mutex);
  atomic_store(&h->graph_enabled, enable != 0);
  if (!enable)
    graphs_clear(h);
  else if (h->model->device_kind == DDL_DEVICE_ROCM ||
           (h->device && !ddl_device_has_graphs(h->device)))
    snprintf(h->graph_fallback, sizeof h->graph_fallback,
             "graph capture is not implemented for %s models",
             ddl_device_kind_name((int32_t)h->model->device_kind));
  pthread_mutex_unlock(&h->graph_mutex);
  return DDL_OK;
}

ddl_status ddl_model_graph_stats(ddl_model_handle *h, int64_t *captures,
                                 int64_t *launches, const char **fallback) {
  if (!h)
    return ddl_fail(DDL_INVALID_ARGUMENT,
                    "ddl_model_graph_stats: model handle is NULL");
  pthread_mutex_lock(&h->graph_mutex);
  if (captures)
    *captures = h->graph_captures;
  if (launches)
    *launches = h->graph_launches;
  if (fallback)
    *fallback = h->graph_fallback[0] ? h->graph_fallback : NULL;
  pthread_mutex_unlock(&h->graph_mutex);
  return DDL_OK;
}
