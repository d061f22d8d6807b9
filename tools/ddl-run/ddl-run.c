/*===- ddl-run.c - run a compiled model on tensor files ------------------===*
 *
 *   ddl-run model.so --input NAME=FILE ... [--input FILE ...]
 *           [--output-dir D] [--benchmark N] [--threads T] [--print]
 *           [--device cpu|cuda[:N]|rocm[:N]] [--cuda-graph] [--signature]
 *
 * Inputs are .npy or ONNX TensorProto .pb files; outputs are written as
 * D/<name>.npy. A CUDA or ROCm model runs on GPU N of its kind (default
 * 0); --device must name the model's own kind. --cuda-graph runs a device
 * model in graph mode (ddl_model_enable_graph): one normal run, one that
 * captures the graph, and --benchmark times the graph's replays; a line
 * says whether a graph was used (a model that cannot be captured, or a
 * ROCm model, runs normally). Exit status: 0 success, 1
 * error (bad file, mismatched input or device, failing model), 2 usage
 * error.
 *
 *===----------------------------------------------------------------------===*/
#include "ddl_run_io.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define EXIT_ERROR 1
#define EXIT_USAGE 2
/* Elements --print shows per output before eliding the rest. */
#define PRINT_LIMIT 1000

static void usage(FILE *f) {
  fprintf(f, "usage: ddl-run MODEL.so [options]\n"
             "  --input NAME=FILE   feed input NAME from FILE (.npy or .pb)\n"
             "  --input FILE        feed the next unnamed input, in signature "
             "order\n"
             "  --output-dir DIR    write each output to DIR/<name>.npy\n"
             "  --benchmark N       after one warm-up, time N more runs\n"
             "  --threads T         thread pool size (0 = online CPUs)\n"
             "  --print             print output values\n"
             "  --device D          cpu, cuda[:N] or rocm[:N]: the model's "
             "kind, GPU N\n"
             "                      (default: the model's kind, GPU 0)\n"
             "  --cuda-graph        device models: capture the run once into "
             "a CUDA graph\n"
             "                      and replay it (--benchmark times the "
             "replays)\n"
             "  --signature         print the model's inputs, outputs and "
             "device, do not\n"
             "                      run (needs no GPU)\n"
             "  -h, --help          this text\n");
}

static int error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int error(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("ddl-run: error: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  return EXIT_ERROR;
}

static int usage_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("ddl-run: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputs("\n(ddl-run --help for usage)\n", stderr);
  va_end(ap);
  return EXIT_USAGE;
}

/* A non-negative decimal integer that fits int; -1 otherwise. */
static long parse_count(const char *s, long max) {
  if (!s || !*s)
    return -1;
  errno = 0;
  char *end;
  long v = strtol(s, &end, 10);
  if (errno || *end || v < 0 || v > max)
    return -1;
  return v;
}

typedef struct {
  const char *arg; /* as given: NAME=FILE or FILE */
  const char *file;
  int index; /* the input it feeds, or -1 until resolved */
} input_arg;

typedef struct {
  const char *model;
  input_arg *inputs;
  int num_inputs;
  const char *output_dir;
  long benchmark; /* -1: no benchmark */
  long threads;
  int print;
  int signature;
  int cuda_graph;
  const char *device; /* --device as given, or NULL */
  int device_kind;    /* a ddl_device_kind, or -1 without --device */
  int device_ordinal;
} options;

/* "cpu", "cuda", "cuda:1", "rocm:0" -> kind and ordinal; -1 if malformed. */
static int parse_device(const char *s, int *kind, int *ordinal) {
  static const char *const kinds[] = {"cpu", "cuda", "rocm"};
  for (int k = 0; k < 3; ++k) {
    size_t len = strlen(kinds[k]);
    if (strncmp(s, kinds[k], len) != 0)
      continue;
    *kind = k;
    *ordinal = 0;
    if (s[len] == '\0')
      return 0;
    if (s[len] != ':' || k == DDL_DEVICE_CPU)
      return -1;
    long n = parse_count(s + len + 1, 1 << 20);
    *ordinal = (int)n;
    return n < 0 ? -1 : 0;
  }
  return -1;
}

/* Fills `o`; returns 0, or an exit status (help or usage error). */
static int parse_args(int argc, char **argv, options *o, int *done) {
  *done = 0;
  o->benchmark = -1;
  o->device_kind = -1;
  o->inputs = calloc((size_t)argc, sizeof *o->inputs);
  if (!o->inputs)
    return error("out of memory");
  for (int i = 1; i < argc; ++i) {
    const char *a = argv[i];
    if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
      usage(stdout);
      *done = 1;
      return 0;
    }
    if (a[0] != '-' || strcmp(a, "-") == 0) {
      if (o->model)
        return usage_error("unexpected argument '%s' (the model is '%s'; "
                           "inputs go after --input)",
                           a, o->model);
      o->model = a;
      continue;
    }
    if (strcmp(a, "--print") == 0) {
      o->print = 1;
      continue;
    }
    if (strcmp(a, "--signature") == 0) {
      o->signature = 1;
      continue;
    }
    if (strcmp(a, "--cuda-graph") == 0) {
      o->cuda_graph = 1;
      continue;
    }
    /* Flags with a value: "--flag VALUE" or "--flag=VALUE". */
    static const char *const valued[] = {
        "--input", "--output-dir", "--benchmark", "--threads", "--device"};
    const char *value = NULL;
    size_t which = sizeof valued / sizeof *valued;
    for (size_t k = 0; k < sizeof valued / sizeof *valued; ++k) {
      size_t len = strlen(valued[k]);
      if (strncmp(a, valued[k], len) != 0)
        continue;
      if (a[len] == '=')
        value = a + len + 1;
      else if (a[len] == '\0') {
        if (i + 1 == argc)
          return usage_error("%s needs a value", valued[k]);
        value = argv[++i];
      } else
        continue;
      which = k;
      break;
    }
    switch (which) {
    case 0:
      o->inputs[o->num_inputs++] = (input_arg){value, value, -1};
      break;
    case 1:
      o->output_dir = value;
      break;
    case 2:
      if ((o->benchmark = parse_count(value, 100000000)) < 1)
        return usage_error("--benchmark wants a positive run count, not '%s'",
                           value);
      break;
    case 3:
      if ((o->threads = parse_count(value, 1024)) < 0)
        return usage_error("--threads wants a count in [0, 1024], not '%s'",
                           value);
      break;
    case 4:
      o->device = value;
      if (parse_device(value, &o->device_kind, &o->device_ordinal) != 0)
        return usage_error("--device wants cpu, cuda[:N] or rocm[:N], not "
                           "'%s'",
                           value);
      break;
    default:
      return usage_error("unknown option '%s'", a);
    }
  }
  if (!o->model)
    return usage_error("no model given");
  return 0;
}

/* The raw entries of a model's inputs or outputs that start a value of its
 * graph (a tensor, a sequence's two entries, an optional's two or three):
 * what --input binds and what outputs are written as. */
static size_t value_heads(const ddl_tensor_info *infos, size_t n,
                          size_t *heads) {
  size_t count = 0;
  for (size_t i = 0; i < n;) {
    uint32_t span = ddl_io_span(infos, (uint32_t)n, (uint32_t)i);
    heads[count++] = i;
    i += span ? span : 1; /* the runtime validated the spans */
  }
  return count;
}

/* Binds every --input to a model input: NAME=FILE where NAME is an input
 * of the model, otherwise the next unnamed input in signature order (so a
 * file path containing '=' still works positionally). */
static int bind_inputs(options *o, ddl_model_handle *h) {
  size_t raw = ddl_model_num_inputs(h);
  size_t *heads = calloc(raw ? raw : 1, sizeof *heads);
  int *bound = calloc(raw ? raw : 1, sizeof *bound);
  if (!bound || !heads) {
    free(heads);
    free(bound);
    return error("out of memory");
  }
  size_t n = value_heads(ddl_model_input_info(h, 0), raw, heads);
  int rc = 0;
  for (int i = 0; i < o->num_inputs && !rc; ++i) {
    input_arg *in = &o->inputs[i];
    const char *eq = strchr(in->arg, '=');
    if (!eq)
      continue;
    for (size_t k = 0; k < n; ++k) {
      const char *name = ddl_model_input_info(h, heads[k])->name;
      if (strlen(name) == (size_t)(eq - in->arg) &&
          strncmp(name, in->arg, (size_t)(eq - in->arg)) == 0) {
        if (bound[k])
          rc = usage_error("input '%s' is given twice", name);
        bound[k] = 1;
        in->index = (int)heads[k];
        in->file = eq + 1;
        break;
      }
    }
  }
  size_t next = 0;
  for (int i = 0; i < o->num_inputs && !rc; ++i) {
    input_arg *in = &o->inputs[i];
    if (in->index >= 0)
      continue;
    while (next < n && bound[next])
      ++next;
    if (next == n) {
      const char *eq = strchr(in->arg, '=');
      if (eq)
        rc = usage_error("--input %s: the model has no input '%.*s' (and no "
                         "unnamed input is left)",
                         in->arg, (int)(eq - in->arg), in->arg);
      else
        rc = usage_error("--input %s: the model takes only %zu input%s",
                         in->arg, n, n == 1 ? "" : "s");
      break;
    }
    bound[next] = 1;
    in->index = (int)heads[next];
  }
  for (size_t k = 0; k < n && !rc; ++k)
    if (!bound[k])
      rc = error("missing input '%s' (pass --input %s=FILE)",
                 ddl_model_input_info(h, heads[k])->name,
                 ddl_model_input_info(h, heads[k])->name);
  free(heads);
  free(bound);
  return rc;
}

static int ends_with(const char *s, const char *suffix) {
  size_t a = strlen(s), b = strlen(suffix);
  return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* Loads one input file; .npy by magic or suffix, anything else as .pb. */
static int load_input(const char *file, const ddl_tensor_info *info,
                      ddl_tensor **out) {
  char err[1024];
  int is_npy = ends_with(file, ".npy");
  if (!is_npy && !ends_with(file, ".pb")) {
    FILE *f = fopen(file, "rb");
    char magic[6] = {0};
    if (f) {
      is_npy = fread(magic, 1, 6, f) == 6 && memcmp(magic, "\x93NUMPY", 6) == 0;
      fclose(f);
    }
  }
  int rc = is_npy ? ddl_npy_read(file, info->dtype, out, err, sizeof err)
                  : ddl_onnx_pb_read(file, out, NULL, err, sizeof err);
  if (rc != 0)
    return error("%s", err);
  if (ddl_tensor_dtype(*out) == DDL_DTYPE_UINT16 &&
      info->dtype == DDL_DTYPE_BFLOAT16) {
    /* bfloat16 travels as its uint16 bit patterns (numpy has no bfloat16,
     * and ONNX's own test data stores it so): same bytes, new dtype. */
    ddl_tensor *bf16 = NULL;
    if (ddl_tensor_create(DDL_DTYPE_BFLOAT16, ddl_tensor_rank(*out),
                          ddl_tensor_dims(*out), &bf16) != DDL_OK) {
      ddl_tensor_destroy(*out);
      *out = NULL;
      return error("%s: %s", file, ddl_last_error());
    }
    memcpy(ddl_tensor_data(bf16), ddl_tensor_data(*out),
           ddl_tensor_byte_size(*out));
    ddl_tensor_destroy(*out);
    *out = bf16;
  }
  if (ddl_tensor_dtype(*out) != info->dtype) {
    int32_t have = ddl_tensor_dtype(*out);
    ddl_tensor_destroy(*out);
    *out = NULL;
    return error("%s: holds %s, input '%s' is %s", file, ddl_dtype_name(have),
                 info->name, ddl_dtype_name(info->dtype));
  }
  return 0;
}

/* A sequence from a directory of 0.npy, 1.npy, ... (what --output-dir
 * writes for a sequence output). */
static int load_sequence_dir(const char *dir, const ddl_tensor_info *data,
                             ddl_run_value *out) {
  out->kind = DDL_RUN_SEQUENCE;
  for (size_t i = 0;; ++i) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%zu.npy", dir, i);
    struct stat st;
    if (stat(path, &st) != 0)
      return 0;
    ddl_tensor **grown = realloc(out->elements, (i + 1) * sizeof *grown);
    if (!grown)
      return error("out of memory");
    out->elements = grown;
    ddl_tensor *t = NULL;
    int rc = load_input(path, data, &t);
    if (rc)
      return rc;
    out->elements[out->count++] = t;
  }
}

/* The model's entries for an input value of a sequence: packed from the
 * elements (the element rank the model declares, else the elements'). */
static int pack_sequence(const ddl_run_value *v, const ddl_tensor_info *infos,
                         ddl_tensor **entries) {
  int32_t rank = infos[0].dims[1] >= 0 ? (int32_t)infos[0].dims[1]
                 : v->count            ? ddl_tensor_rank(v->elements[0])
                                       : 0;
  if (ddl_sequence_pack(infos[1].dtype, rank, v->count,
                        (const ddl_tensor *const *)v->elements, &entries[0],
                        &entries[1]) != DDL_OK)
    return error("input '%s': %s", infos[0].name, ddl_last_error());
  return 0;
}

/* Zeros shaped as `info` (dynamic sizes 0): an absent optional tensor. */
static int empty_tensor(const ddl_tensor_info *info, ddl_tensor **out) {
  int64_t dims[DDL_MAX_RANK];
  for (int32_t d = 0; d < info->rank; ++d)
    dims[d] = info->dims[d] < 0 ? 0 : info->dims[d];
  if (ddl_tensor_create(info->dtype, info->rank, dims, out) != DDL_OK)
    return error("input '%s': %s", info->name, ddl_last_error());
  return 0;
}

/* Loads the value of the input whose entries start at `infos` (the model's
 * entry `index` of `n`) into entries[0..span). A tensor is a .npy or
 * TensorProto file; a sequence a SequenceProto file or a directory of
 * <i>.npy; an optional an OptionalProto file (or a plain tensor file: a
 * present tensor). */
static int load_value(const char *file, const ddl_tensor_info *infos,
                      size_t index, size_t n, ddl_tensor **entries) {
  const ddl_tensor_info *info = &infos[index];
  if (info->kind == DDL_IO_TENSOR)
    return load_input(file, info, &entries[index]);
  char err[1024];
  if (info->kind == DDL_IO_STRING_LENGTHS) {
    if (ddl_onnx_strings_read(file, &entries[index], &entries[index + 1], err,
                              sizeof err) != 0)
      return error("%s", err);
    return 0;
  }
  if (info->kind == DDL_IO_OPTIONAL_FLAG &&
      infos[index + 1].kind == DDL_IO_STRING_LENGTHS)
    return error("input '%s': optional strings are not supported by ddl-run",
                 info->name);
  ddl_run_value v = {0};
  struct stat st;
  int is_dir = stat(file, &st) == 0 && S_ISDIR(st.st_mode);
  int optional = info->kind == DDL_IO_OPTIONAL_FLAG;
  size_t first = index + (optional ? 1 : 0); /* the value's first entry */
  int is_sequence = ddl_io_span(infos, (uint32_t)n, (uint32_t)first) == 2;
  int rc = 0;
  if (is_sequence && is_dir)
    rc = load_sequence_dir(file, &infos[first + 1], &v);
  else if (optional && (ends_with(file, ".npy") || !ends_with(file, ".pb")) &&
           !is_sequence)
    rc = load_input(file, &infos[first], &v.tensor);
  else if (ddl_onnx_value_read(file, optional ? DDL_RUN_NONE : DDL_RUN_SEQUENCE,
                               &v, err, sizeof err) != 0)
    rc = error("%s", err);
  if (v.tensor)
    v.kind = DDL_RUN_TENSOR;
  if (rc == 0 && optional && v.kind != DDL_RUN_NONE &&
      (v.kind == DDL_RUN_SEQUENCE) != is_sequence)
    rc = error("%s: input '%s' is an optional %s, the file holds a %s", file,
               info->name, is_sequence ? "sequence" : "tensor",
               is_sequence ? "tensor" : "sequence");
  if (rc == 0 && optional) {
    int64_t none[1] = {0};
    rc = ddl_tensor_create(DDL_DTYPE_BOOL, 0, none, &entries[index]) != DDL_OK
             ? error("%s", ddl_last_error())
             : 0;
    if (rc == 0)
      *(unsigned char *)ddl_tensor_data(entries[index]) =
          v.kind != DDL_RUN_NONE;
  }
  if (rc == 0) {
    if (is_sequence) {
      rc = pack_sequence(&v, &infos[first], &entries[first]);
    } else if (v.kind == DDL_RUN_TENSOR) {
      if (ddl_tensor_dtype(v.tensor) != infos[first].dtype)
        rc = error("%s: holds %s, input '%s' is %s", file,
                   ddl_dtype_name(ddl_tensor_dtype(v.tensor)), info->name,
                   ddl_dtype_name(infos[first].dtype));
      else {
        entries[first] = v.tensor;
        v.tensor = NULL;
      }
    } else {
      rc = empty_tensor(&infos[first], &entries[first]);
    }
  }
  ddl_run_value_clear(&v);
  return rc;
}

static void format_dims(char *buf, size_t size, int32_t rank,
                        const int64_t *dims, const char *const *names) {
  size_t used = (size_t)snprintf(buf, size, "[");
  for (int32_t d = 0; d < rank && used < size; ++d) {
    const char *sep = d ? "," : "";
    if (dims[d] < 0)
      used += (size_t)snprintf(buf + used, size - used, "%s%s", sep,
                               names && names[d] ? names[d] : "?");
    else
      used += (size_t)snprintf(buf + used, size - used, "%s%lld", sep,
                               (long long)dims[d]);
  }
  if (used < size)
    snprintf(buf + used, size - used, "]");
}

static void print_signature(ddl_model_handle *h) {
  printf("model '%s'\n", ddl_model_name(h));
  char shape[1024];
  for (int out = 0; out < 2; ++out) {
    size_t n = out ? ddl_model_num_outputs(h) : ddl_model_num_inputs(h);
    for (size_t i = 0; i < n; ++i) {
      const ddl_tensor_info *info =
          out ? ddl_model_output_info(h, i) : ddl_model_input_info(h, i);
      format_dims(shape, sizeof shape, info->rank, info->dims, info->dim_names);
      static const char *const roles[] = {"",
                                          " (a sequence's element sizes)",
                                          " (a sequence's data)",
                                          " (whether the optional is present)",
                                          " (string lengths)",
                                          " (string bytes)"};
      printf("%s %zu '%s': %s%s%s\n", out ? "output" : "input", i, info->name,
             ddl_dtype_name(info->dtype), shape,
             info->kind >= 0 && info->kind <= 5 ? roles[info->kind] : "");
    }
  }
  if (ddl_model_arena_bytes(h) >= 0)
    printf("arena: %lld bytes\n", (long long)ddl_model_arena_bytes(h));
  else
    printf("arena: %s bytes\n", ddl_model_arena_formula(h)
                                    ? ddl_model_arena_formula(h)
                                    : "input-dependent");
  int32_t kind = ddl_model_device_kind(h);
  if (kind == DDL_DEVICE_CPU)
    printf("device: cpu\n");
  else
    printf("device: %s %s\n", ddl_device_kind_name(kind),
           ddl_model_device_arch(h));
}

/* Opens the model on the device --device names (default: its own kind,
 * GPU 0). The model is first opened without a device, so that a
 * mismatched --device or --signature never needs the GPU's driver. */
static int open_model(const options *o, ddl_runtime *rt, ddl_model_handle **h) {
  if (ddl_model_open_device(rt, o->model, DDL_NO_DEVICE, h) != DDL_OK)
    return error("%s", ddl_last_error());
  int32_t kind = ddl_model_device_kind(*h);
  if (o->device_kind >= 0 && o->device_kind != kind) {
    if (kind == DDL_DEVICE_CPU)
      return error("%s is a cpu model: --device %s cannot run it (use "
                   "--device cpu or leave --device out)",
                   o->model, o->device);
    return error("%s is a %s model (%s): --device %s cannot run it (use "
                 "--device %s[:N] or leave --device out)",
                 o->model, ddl_device_kind_name(kind),
                 ddl_model_device_arch(*h), o->device,
                 ddl_device_kind_name(kind));
  }
  if (o->cuda_graph && kind == DDL_DEVICE_CPU && !o->signature)
    return error("%s is a cpu model: --cuda-graph needs a device model",
                 o->model);
  if (o->signature || kind == DDL_DEVICE_CPU)
    return 0;
  ddl_model_close(*h);
  *h = NULL;
  if (ddl_model_open_device(rt, o->model, o->device_ordinal, h) != DDL_OK)
    return error("%s", ddl_last_error());
  if (o->cuda_graph && ddl_model_enable_graph(*h, 1) != DDL_OK)
    return error("%s", ddl_last_error());
  return 0;
}

/* "a/b:c" -> "a_b_c": outputs become plain file names in one folder. */
static void sanitize(const char *name, char *buf, size_t size) {
  size_t n = 0;
  for (const char *p = name; *p && n + 1 < size; ++p) {
    char c = *p;
    int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
             (c >= '0' && c <= '9') || c == '_' || c == '-' ||
             (c == '.' && n > 0);
    buf[n++] = ok ? c : '_';
  }
  if (n == 0)
    buf[n++] = '_';
  buf[n] = '\0';
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static void print_values(const char *name, const ddl_tensor *t) {
  int64_t n = ddl_tensor_num_elements(t);
  printf("%s = [", name);
  for (int64_t i = 0; i < n && i < PRINT_LIMIT; ++i)
    printf("%s%.9g", i ? " " : "", ddl_element_as_double(t, i));
  if (n > PRINT_LIMIT)
    printf(" ... (%lld more)", (long long)(n - PRINT_LIMIT));
  printf("]\n");
}

/* Prints one output tensor's line (and values with --print) and writes it
 * to <output-dir>/<base>.npy, or <output-dir>/<folder>/<base>.npy inside a
 * sequence's folder. */
static int write_tensor(const options *o, const char *name, const char *base,
                        const char *folder, const ddl_tensor *t) {
  char shape[1024];
  format_dims(shape, sizeof shape, ddl_tensor_rank(t), ddl_tensor_dims(t),
              NULL);
  printf("%soutput '%s': %s%s", folder ? "  " : "", name,
         ddl_dtype_name(ddl_tensor_dtype(t)), shape);
  int64_t n = ddl_tensor_num_elements(t);
  if (n > 0) {
    double lo = ddl_element_as_double(t, 0), hi = lo, sum = 0;
    for (int64_t k = 0; k < n; ++k) {
      double v = ddl_element_as_double(t, k);
      lo = v < lo ? v : lo;
      hi = v > hi ? v : hi;
      sum += v;
    }
    printf(" min %.6g max %.6g mean %.6g", lo, hi, sum / (double)n);
  }
  if (o->output_dir) {
    char path[4096 + 1200], err[1024];
    if (folder)
      snprintf(path, sizeof path, "%s/%s/%s.npy", o->output_dir, folder, base);
    else
      snprintf(path, sizeof path, "%s/%s.npy", o->output_dir, base);
    if (ddl_npy_write(path, t, err, sizeof err) != 0) {
      printf("\n");
      return error("%s", err);
    }
    printf(" -> %s", path);
  }
  printf("\n");
  if (o->print)
    print_values(name, t);
  return 0;
}

/* A string tensor output, written as a numpy <U array. */
static int write_strings(const options *o, const char *name, const char *base,
                         const ddl_tensor *lengths, const ddl_tensor *bytes) {
  char shape[1024], err[1024];
  format_dims(shape, sizeof shape, ddl_tensor_rank(lengths),
              ddl_tensor_dims(lengths), NULL);
  printf("output '%s': string%s", name, shape);
  if (o->output_dir) {
    char path[4096 + 600];
    snprintf(path, sizeof path, "%s/%s.npy", o->output_dir, base);
    if (ddl_npy_write_strings(path, lengths, bytes, err, sizeof err) != 0) {
      printf("\n");
      return error("%s", err);
    }
    printf(" -> %s", path);
  }
  printf("\n");
  if (o->print) {
    const int64_t *len = ddl_tensor_data(lengths);
    const char *data = ddl_tensor_data(bytes);
    int64_t n = ddl_tensor_num_elements(lengths), at = 0;
    printf("%s = [", name);
    for (int64_t i = 0; i < n && i < PRINT_LIMIT; ++i) {
      printf("%s\"%.*s\"", i ? " " : "", (int)len[i], data + at);
      at += len[i];
    }
    printf("]\n");
  }
  return 0;
}

/* A sequence output: a line for it, then one per element, written to
 * <output-dir>/<base>/<i>.npy. */
static int write_sequence(const options *o, const char *name, const char *base,
                          const ddl_tensor *shapes, const ddl_tensor *data) {
  size_t count = 0;
  ddl_tensor **elements = NULL;
  if (ddl_sequence_unpack(shapes, data, &count, &elements) != DDL_OK)
    return error("output '%s': %s", name, ddl_last_error());
  int rc = 0;
  printf("output '%s': sequence of %zu %s tensor%s", name, count,
         ddl_dtype_name(ddl_tensor_dtype(data)), count == 1 ? "" : "s");
  if (o->output_dir) {
    char dir[4096 + 600];
    snprintf(dir, sizeof dir, "%s/%s", o->output_dir, base);
    struct stat st;
    if (stat(dir, &st) != 0 && mkdir(dir, 0777) != 0)
      rc = error("%s: %s", dir, strerror(errno));
    else
      printf(" -> %s/", dir);
  }
  printf("\n");
  for (size_t k = 0; k < count && !rc; ++k) {
    char element[64], label[600];
    snprintf(element, sizeof element, "%zu", k);
    snprintf(label, sizeof label, "%s[%zu]", name, k);
    rc = write_tensor(o, label, element, base, elements[k]);
  }
  for (size_t k = 0; k < count; ++k)
    ddl_tensor_destroy(elements[k]);
  free(elements);
  return rc;
}

int main(int argc, char **argv) {
  options o = {0};
  int done;
  int rc = parse_args(argc, argv, &o, &done);
  if (rc || done) {
    free(o.inputs);
    return rc;
  }

  ddl_runtime *rt = NULL;
  ddl_model_handle *h = NULL;
  ddl_tensor **inputs = NULL, **outputs = NULL;
  size_t num_in = 0, num_out = 0;
  double *times = NULL;
  char **out_names = NULL;
  size_t *heads = NULL;

  if (ddl_runtime_create((int)o.threads, &rt) != DDL_OK) {
    rc = error("%s", ddl_last_error());
    goto done;
  }
  if ((rc = open_model(&o, rt, &h)) != 0)
    goto done;
  if (o.signature) {
    print_signature(h);
    goto done;
  }
  if ((rc = bind_inputs(&o, h)) != 0)
    goto done;

  num_in = ddl_model_num_inputs(h);
  num_out = ddl_model_num_outputs(h);
  inputs = calloc(num_in ? num_in : 1, sizeof *inputs);
  outputs = calloc(num_out ? num_out : 1, sizeof *outputs);
  if (!inputs || !outputs) {
    rc = error("out of memory");
    goto done;
  }
  for (int i = 0; i < o.num_inputs; ++i) {
    input_arg *in = &o.inputs[i];
    if ((rc = load_value(in->file, ddl_model_input_info(h, 0),
                         (size_t)in->index, num_in, inputs)) != 0)
      goto done;
  }
  if (ddl_model_check_inputs(h, (const ddl_tensor *const *)inputs, num_in) !=
      DDL_OK) {
    rc = error("%s", ddl_last_error());
    for (int i = 0; i < o.num_inputs; ++i)
      fprintf(stderr, "ddl-run: note: input '%s' is %s\n",
              ddl_model_input_info(h, (size_t)o.inputs[i].index)->name,
              o.inputs[i].file);
    goto done;
  }

  int runs = o.benchmark > 0 ? (int)o.benchmark : 0;
  times = calloc((size_t)runs + 1, sizeof *times);
  if (!times) {
    rc = error("out of memory");
    goto done;
  }
  /* Warm-up runs (graph mode: a normal run, then the capture), then runs
   * 1..N timed; the last run gives the outputs. */
  int warmups = o.cuda_graph ? 2 : 1;
  for (int r = 0; r < warmups + runs; ++r) {
    if (r > 0)
      for (size_t i = 0; i < num_out; ++i) {
        ddl_tensor_destroy(outputs[i]);
        outputs[i] = NULL;
      }
    double start = now_ms();
    if (ddl_model_run(h, (const ddl_tensor *const *)inputs, num_in, outputs,
                      num_out) != DDL_OK) {
      rc = error("%s", ddl_last_error());
      goto done;
    }
    if (r >= warmups - 1)
      times[r - warmups + 1] = now_ms() - start;
  }
  if (o.cuda_graph) {
    int64_t captures = 0, launches = 0;
    const char *why = NULL;
    ddl_model_graph_stats(h, &captures, &launches, &why);
    if (why)
      printf("cuda graph: not used: %s\n", why);
    else
      printf("cuda graph: %lld captured, %lld launches\n", (long long)captures,
             (long long)launches);
  }

  if (o.output_dir) {
    struct stat st;
    if (stat(o.output_dir, &st) != 0 && mkdir(o.output_dir, 0777) != 0) {
      rc = error("--output-dir %s: %s", o.output_dir, strerror(errno));
      goto done;
    }
    if (stat(o.output_dir, &st) == 0 && !S_ISDIR(st.st_mode)) {
      rc = error("--output-dir %s: not a directory", o.output_dir);
      goto done;
    }
  }
  out_names = calloc(num_out ? num_out : 1, sizeof *out_names);
  heads = calloc(num_out ? num_out : 1, sizeof *heads);
  if (!out_names || !heads) {
    rc = error("out of memory");
    goto done;
  }
  size_t num_values = value_heads(ddl_model_output_info(h, 0), num_out, heads);
  for (size_t v = 0; v < num_values && !rc; ++v) {
    size_t i = heads[v];
    const ddl_tensor_info *info = ddl_model_output_info(h, i);
    /* Sanitized names may collide ("a/b" and "a:b"): number repeats. */
    char base[512];
    sanitize(info->name, base, sizeof base);
    size_t len = strlen(base);
    for (size_t j = 0, dup = 1; j < v; ++j)
      if (out_names[j] && strcmp(out_names[j], base) == 0) {
        snprintf(base + len, sizeof base - len, "_%zu", dup++);
        j = (size_t)-1; /* recheck against every earlier name */
      }
    out_names[v] = strdup(base);
    if (info->kind == DDL_IO_OPTIONAL_FLAG) {
      if (!*(const unsigned char *)ddl_tensor_data(outputs[i])) {
        printf("output '%s': none\n", info->name);
        continue;
      }
      ++i; /* the value's entries */
    }
    if (ddl_model_output_info(h, i)->kind == DDL_IO_STRING_LENGTHS)
      rc = write_strings(&o, info->name, base, outputs[i], outputs[i + 1]);
    else if (ddl_model_output_info(h, i)->kind == DDL_IO_SEQUENCE_SHAPES)
      rc = write_sequence(&o, info->name, base, outputs[i], outputs[i + 1]);
    else
      rc = write_tensor(&o, info->name, base, NULL, outputs[i]);
  }
  if (rc)
    goto done;

  if (runs > 0) {
    double sum = 0;
    for (int r = 1; r <= runs; ++r)
      sum += times[r];
    qsort(times + 1, (size_t)runs, sizeof *times, cmp_double);
    /* Nearest-rank percentiles over the timed runs. */
#define PCT(p) times[1 + (int)((double)(runs - 1) * (p) / 100.0 + 0.5)]
    printf("benchmark: %d runs, %d threads: min %.4f ms, mean %.4f ms, p50 "
           "%.4f ms, p90 %.4f ms, p99 %.4f ms\n",
           runs, ddl_runtime_num_threads(rt), times[1], sum / runs, PCT(50),
           PCT(90), PCT(99));
#undef PCT
  }

done:
  if (out_names)
    for (size_t i = 0; i < num_out; ++i)
      free(out_names[i]);
  free(out_names);
  free(heads);
  free(times);
  if (inputs)
    for (size_t i = 0; i < num_in; ++i)
      ddl_tensor_destroy(inputs[i]);
  if (outputs)
    for (size_t i = 0; i < num_out; ++i)
      ddl_tensor_destroy(outputs[i]);
  free(inputs);
  free(outputs);
  ddl_model_close(h);
  ddl_runtime_destroy(rt);
  free(o.inputs);
  return rc;
}
