/*===- model.c - loading, validating and running compiled models ---------===*
 *
 * A model's descriptor comes from a shared object we do not trust to be
 * well-formed, so ddl_model_open checks everything ddl_model_run will later
 * rely on (counts, ranks, dtypes, names) once; run then only has to check
 * the caller's tensors against it.
 *
 *===----------------------------------------------------------------------===*/
#include "ddl_internal.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Counts above these are treated as a corrupt descriptor. */
#define DDL_MAX_IO 65536
#define DDL_MAX_NAME 4096
/* Private arenas one run may hold when it calls host->arena repeatedly. */
#define DDL_MAX_RUN_ARENAS 16

struct ddl_model_handle {
  ddl_runtime *rt;
  void *dl;
  const ddl_model *model;
  char *path;

  /* The cached arena, reused by consecutive runs; one run at a time. */
  pthread_mutex_t arena_mutex;
  void *arena;
  size_t arena_capacity;
  bool arena_in_use;
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
    for (uint32_t j = 0; j < i; ++j)
      if (strcmp(infos[j].name, info->name) == 0)
        return ddl_fail(DDL_INVALID_MODEL, "%s: two %ss are named '%s'", path,
                        kind, info->name);
  }
  return DDL_OK;
}

static ddl_status validate_model(const char *path, const ddl_model *m) {
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
  return DDL_OK;
}

/*===-- Open / close / queries --------------------------------------------===*/

ddl_status ddl_model_open(ddl_runtime *rt, const char *path,
                          ddl_model_handle **out) {
  if (!out)
    return ddl_fail(DDL_INVALID_ARGUMENT, "ddl_model_open: out is NULL");
  *out = NULL;
  if (!rt)
    return ddl_fail(DDL_INVALID_ARGUMENT, "ddl_model_open: runtime is NULL");
  if (!path || !*path)
    return ddl_fail(DDL_INVALID_ARGUMENT, "ddl_model_open: path is empty");

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
  ddl_status s = validate_model(path, m);
  if (s != DDL_OK) {
    ddl_model_close(h);
    return s;
  }
  h->model = m;
  *out = h;
  return DDL_OK;
}

void ddl_model_close(ddl_model_handle *h) {
  if (!h)
    return;
  if (h->dl)
    dlclose(h->dl);
  free(h->arena);
  pthread_mutex_destroy(&h->arena_mutex);
  free(h->path);
  free(h);
}

const ddl_model *ddl_model_descriptor(const ddl_model_handle *h) {
  return h ? h->model : NULL;
}
const char *ddl_model_name(const ddl_model_handle *h) {
  return h && h->model->name ? h->model->name : "";
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

/*===-- Run
 * ----------------------------------------------------------------===*/

/* What host.ctx points at during one run. */
typedef struct ddl_run_ctx {
  ddl_model_handle *h;
  bool took_cache;
  void *owned[DDL_MAX_RUN_ARENAS];
  int num_owned;
  int64_t failed_bytes; /* the last arena request that failed, or -1 */
} ddl_run_ctx;

static void host_parallel_for(void *ctx, int64_t n, ddl_task_fn fn,
                              void *args) {
  ddl_runtime_parallel_for_host(((ddl_run_ctx *)ctx)->h->rt, n, fn, args);
}

static void *host_arena(void *ctx, int64_t bytes) {
  ddl_run_ctx *run = ctx;
  ddl_model_handle *h = run->h;
  if (bytes < 0 || (uint64_t)bytes > (uint64_t)PTRDIFF_MAX - 64) {
    run->failed_bytes = bytes;
    return NULL;
  }
  /* The first request of a run reuses the handle's buffer when no other
   * run holds it; it grows to the largest size seen. */
  if (!run->took_cache) {
    pthread_mutex_lock(&h->arena_mutex);
    if (!h->arena_in_use) {
      if (h->arena_capacity < (size_t)bytes || !h->arena) {
        free(h->arena);
        h->arena = ddl_aligned_alloc((size_t)bytes);
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
  void *p = ddl_aligned_alloc((size_t)bytes);
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
  for (int i = 0; i < run->num_owned; ++i)
    free(run->owned[i]);
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

ddl_status ddl_model_run(ddl_model_handle *h, const ddl_tensor *const *inputs,
                         size_t num_inputs, ddl_tensor **outputs,
                         size_t num_outputs) {
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

  /* One block for the input views, the output views and the output dims. */
  size_t num_out = m->num_outputs;
  ddl_model_io *in_ios = make_input_ios(h, inputs);
  ddl_model_io *out_ios = calloc(num_out ? num_out : 1, sizeof *out_ios);
  int64_t *out_dims = calloc(num_out * DDL_MAX_RANK + 1, sizeof *out_dims);
  if (!in_ios || !out_ios || !out_dims) {
    free(in_ios);
    free(out_ios);
    free(out_dims);
    return ddl_fail(DDL_OUT_OF_MEMORY, "model '%s': out of memory",
                    model_label(h));
  }
  for (size_t i = 0; i < num_out; ++i) {
    out_ios[i].dims = out_dims + i * DDL_MAX_RANK;
    for (int32_t d = 0; d < m->outputs[i].rank; ++d)
      out_ios[i].dims[d] = m->outputs[i].dims[d];
  }

  ddl_run_ctx run = {.h = h, .failed_bytes = -1};
  ddl_host host = {
      .ctx = &run, .parallel_for = host_parallel_for, .arena = host_arena};
  int32_t rc = m->run(&host, in_ios, out_ios);
  release_run_arenas(&run);
  free(in_ios);

  if (rc != DDL_MODEL_OK) {
    /* The ABI hands buffers over only on success: leave them alone. */
    const char *check =
        rc == DDL_MODEL_ERR_CHECK && m->failed_check ? m->failed_check() : NULL;
    if (rc == DDL_MODEL_ERR_ARENA)
      s = ddl_fail(DDL_RUN_FAILED,
                   "model '%s' failed: no arena of %lld bytes could be "
                   "allocated",
                   model_label(h), (long long)run.failed_bytes);
    else if (rc == DDL_MODEL_ERR_CHECK)
      s = ddl_fail(DDL_RUN_FAILED, "model '%s' rejected its inputs: %s",
                   model_label(h), check ? check : "a run-time check failed");
    else
      s = ddl_fail(DDL_RUN_FAILED, "model '%s' failed with status %d",
                   model_label(h), (int)rc);
    free(out_ios);
    free(out_dims);
    return s;
  }

  s = DDL_OK;
  for (size_t i = 0; i < num_out && s == DDL_OK; ++i)
    if (!check_output(h, &m->outputs[i], &out_ios[i]))
      s = DDL_RUN_FAILED;
  for (size_t i = 0; i < num_out && s == DDL_OK; ++i) {
    s = ddl_tensor_adopt(m->outputs[i].dtype, m->outputs[i].rank,
                         out_ios[i].dims, out_ios[i].data, &outputs[i]);
    if (s == DDL_OK)
      out_ios[i].data = NULL; /* the tensor owns it now */
  }
  if (s != DDL_OK) {
    for (size_t i = 0; i < num_out; ++i) {
      ddl_tensor_destroy(outputs[i]);
      outputs[i] = NULL;
      free(out_ios[i].data);
    }
  }
  free(out_ios);
  free(out_dims);
  return s;
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
