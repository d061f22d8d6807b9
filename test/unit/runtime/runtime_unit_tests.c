/*===- runtime_unit_tests.c - tests of the libddl_runtime C API ----------===*
 *
 * Usage: ddl-runtime-unit-tests MODEL_DIR
 * MODEL_DIR holds the fake models built from models/ and the fake GPU
 * drivers built from fake_driver/. Prints one line per test group and a
 * summary; exits 1 if any check failed.
 *
 * The device tests switch drivers and inject failures with setenv:
 * DDL_CUDA_LIBRARY / DDL_HIP_LIBRARY are read at every device open (the
 * runtime keeps each library file it loaded, keyed by path, and remembers
 * no failed load), FAKE_CUDA_FAIL / FAKE_HIP_FAIL at every driver call. So
 * the groups may run in any order; each leaves the variables unset.
 *
 *===----------------------------------------------------------------------===*/
#include "ddl_runtime.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int num_checks, num_failures;
static const char *model_dir;

#define CHECK(cond)                                                            \
  do {                                                                         \
    ++num_checks;                                                              \
    if (!(cond)) {                                                             \
      ++num_failures;                                                          \
      fprintf(stderr, "%s:%d: CHECK failed: %s (last error: %s)\n", __FILE__,  \
              __LINE__, #cond, ddl_last_error());                              \
    }                                                                          \
  } while (0)

/* Checks a status and that the message contains `text`. */
#define CHECK_ERR(expr, status, text)                                          \
  do {                                                                         \
    ddl_status s_ = (expr);                                                    \
    ++num_checks;                                                              \
    if (s_ != (status) || !strstr(ddl_last_error(), (text))) {                 \
      ++num_failures;                                                          \
      fprintf(stderr,                                                          \
              "%s:%d: %s\n  expected %s with \"%s\"\n  got %s: \"%s\"\n",      \
              __FILE__, __LINE__, #expr, ddl_status_name(status), (text),      \
              ddl_status_name(s_), ddl_last_error());                          \
    }                                                                          \
  } while (0)

#define CHECK_OK(expr) CHECK_ERR(expr, DDL_OK, "")

static void report(const char *group, int failures_before) {
  printf("%s %s\n", num_failures == failures_before ? "PASS" : "FAIL", group);
}

static const char *model_path(const char *name) {
  static char path[4096];
  snprintf(path, sizeof path, "%s/%s.so", model_dir, name);
  return path;
}

/*===-- Status, dtypes, errors -------------------------------------------===*/

static void *thread_error(void *arg) {
  (void)arg;
  /* A fresh thread sees no error from another thread. */
  return (void *)(uintptr_t)(ddl_last_error()[0] == '\0');
}

static void test_basics(void) {
  int before = num_failures;
  CHECK(strcmp(ddl_status_name(DDL_SHAPE_MISMATCH), "DDL_SHAPE_MISMATCH") == 0);
  CHECK(strcmp(ddl_status_name((ddl_status)77), "DDL_UNKNOWN_STATUS") == 0);
  CHECK(strcmp(ddl_status_name(DDL_DEVICE_ERROR), "DDL_DEVICE_ERROR") == 0);
  CHECK(strcmp(ddl_device_kind_name(DDL_DEVICE_CPU), "cpu") == 0);
  CHECK(strcmp(ddl_device_kind_name(DDL_DEVICE_CUDA), "cuda") == 0);
  CHECK(strcmp(ddl_device_kind_name(DDL_DEVICE_ROCM), "rocm") == 0);
  CHECK(strcmp(ddl_device_kind_name(7), "unknown") == 0);
  CHECK(ddl_dtype_size(DDL_DTYPE_FLOAT) == 4);
  CHECK(ddl_dtype_size(DDL_DTYPE_BOOL) == 1);
  CHECK(ddl_dtype_size(DDL_DTYPE_BFLOAT16) == 2);
  CHECK(ddl_dtype_size(DDL_DTYPE_UINT64) == 8);
  CHECK(ddl_dtype_size(8) == 0); /* ONNX string */
  CHECK(ddl_dtype_size(99) == 0);
  CHECK(strcmp(ddl_dtype_name(DDL_DTYPE_DOUBLE), "float64") == 0);
  CHECK(strcmp(ddl_dtype_name(-4), "unknown") == 0);

  ddl_tensor *t;
  CHECK_ERR(ddl_tensor_create(99, 0, NULL, &t), DDL_INVALID_ARGUMENT,
            "unknown dtype 99");
  pthread_t th;
  void *clean = NULL;
  pthread_create(&th, NULL, thread_error, NULL);
  pthread_join(th, &clean);
  CHECK(clean != NULL);
  CHECK(strstr(ddl_last_error(), "unknown dtype 99") != NULL);
  report("basics", before);
}

/*===-- Tensors
 * ------------------------------------------------------------===*/

static void test_tensors(void) {
  int before = num_failures;
  ddl_tensor *t = NULL;
  int64_t dims[] = {2, 3};
  CHECK_OK(ddl_tensor_create(DDL_DTYPE_FLOAT, 2, dims, &t));
  dims[0] = 100; /* the tensor keeps its own copy */
  CHECK(ddl_tensor_rank(t) == 2);
  CHECK(ddl_tensor_dims(t)[0] == 2 && ddl_tensor_dims(t)[1] == 3);
  CHECK(ddl_tensor_dtype(t) == DDL_DTYPE_FLOAT);
  CHECK(ddl_tensor_num_elements(t) == 6);
  CHECK(ddl_tensor_byte_size(t) == 24);
  CHECK(((uintptr_t)ddl_tensor_data(t) & 63) == 0);
  float *f = ddl_tensor_data(t);
  int zero = 1;
  for (int i = 0; i < 6; ++i)
    zero &= f[i] == 0.0f;
  CHECK(zero);
  ddl_tensor_destroy(t);

  /* Scalars, empty tensors, bool. */
  CHECK_OK(ddl_tensor_create(DDL_DTYPE_INT64, 0, NULL, &t));
  CHECK(ddl_tensor_num_elements(t) == 1 && ddl_tensor_byte_size(t) == 8);
  ddl_tensor_destroy(t);
  int64_t empty[] = {0, 5};
  CHECK_OK(ddl_tensor_create(DDL_DTYPE_FLOAT, 2, empty, &t));
  CHECK(ddl_tensor_num_elements(t) == 0 && ddl_tensor_byte_size(t) == 0);
  ddl_tensor_destroy(t);
  int64_t three[] = {3};
  CHECK_OK(ddl_tensor_create(DDL_DTYPE_BOOL, 1, three, &t));
  CHECK(ddl_tensor_byte_size(t) == 3);
  ddl_tensor_destroy(t);
  /* An empty tensor never overflows, whatever its other sizes. */
  int64_t empty_huge[] = {INT64_MAX, 0, INT64_MAX};
  CHECK_OK(ddl_tensor_create(DDL_DTYPE_DOUBLE, 3, empty_huge, &t));
  ddl_tensor_destroy(t);

  /* Errors. */
  int64_t neg[] = {2, -1};
  CHECK_ERR(ddl_tensor_create(DDL_DTYPE_FLOAT, 2, neg, &t),
            DDL_INVALID_ARGUMENT, "dimension 1 is negative (-1)");
  CHECK(t == NULL);
  int64_t overflow[] = {1ll << 32, 1ll << 32};
  CHECK_ERR(ddl_tensor_create(DDL_DTYPE_FLOAT, 2, overflow, &t),
            DDL_INVALID_ARGUMENT, "overflows");
  int64_t bytes_overflow[] = {1ll << 31, 1ll << 31}; /* 2^62 x 8 bytes */
  CHECK_ERR(ddl_tensor_create(DDL_DTYPE_INT64, 2, bytes_overflow, &t),
            DDL_INVALID_ARGUMENT, "overflows");
  int64_t huge[] = {1ll << 40, 1ll << 20}; /* 2^62 bytes: fits, never given */
  CHECK_ERR(ddl_tensor_create(DDL_DTYPE_FLOAT, 2, huge, &t), DDL_OUT_OF_MEMORY,
            "cannot allocate");
  CHECK(t == NULL);
  CHECK_ERR(ddl_tensor_create(8, 1, three, &t), DDL_INVALID_ARGUMENT,
            "unknown dtype 8");
  CHECK_ERR(ddl_tensor_create(DDL_DTYPE_FLOAT, -1, three, &t),
            DDL_INVALID_ARGUMENT, "rank -1 is outside [0, 32]");
  CHECK_ERR(ddl_tensor_create(DDL_DTYPE_FLOAT, 33, three, &t),
            DDL_INVALID_ARGUMENT, "rank 33");
  CHECK_ERR(ddl_tensor_create(DDL_DTYPE_FLOAT, 2, NULL, &t),
            DDL_INVALID_ARGUMENT, "dims is NULL");
  CHECK_ERR(ddl_tensor_create(DDL_DTYPE_FLOAT, 1, three, NULL),
            DDL_INVALID_ARGUMENT, "out is NULL");

  /* Wrapping borrows: destroying the tensor leaves the memory alone. */
  float mine[3] = {1, 2, 3};
  CHECK_OK(ddl_tensor_wrap(DDL_DTYPE_FLOAT, 1, three, mine, &t));
  CHECK(ddl_tensor_data(t) == mine);
  ddl_tensor_destroy(t);
  CHECK(mine[2] == 3);
  CHECK_ERR(ddl_tensor_wrap(DDL_DTYPE_FLOAT, 1, three, NULL, &t),
            DDL_INVALID_ARGUMENT, "data is NULL for 12 bytes");
  CHECK(t == NULL);
  CHECK_OK(ddl_tensor_wrap(DDL_DTYPE_FLOAT, 2, empty, NULL, &t));
  ddl_tensor_destroy(t);
  CHECK_ERR(ddl_tensor_wrap(DDL_DTYPE_FLOAT, 2, overflow, mine, &t),
            DDL_INVALID_ARGUMENT, "overflows");

  /* NULL tensors. */
  ddl_tensor_destroy(NULL);
  CHECK(ddl_tensor_rank(NULL) == 0 && ddl_tensor_data(NULL) == NULL &&
        ddl_tensor_dims(NULL) == NULL && ddl_tensor_byte_size(NULL) == 0 &&
        ddl_tensor_dtype(NULL) == 0 && ddl_tensor_num_elements(NULL) == 0);
  report("tensors", before);
}

/*===-- Thread pool
 * --------------------------------------------------------===*/

#define MAX_THREADS_SEEN 64

typedef struct {
  atomic_int *hits;
  ddl_runtime *rt;
  int64_t inner_n;
  atomic_int calls;
  pthread_t seen[MAX_THREADS_SEEN];
  atomic_int num_seen;
  int sleep_us;
} pf_args;

static void count_hits(void *p, int64_t begin, int64_t end) {
  pf_args *a = p;
  atomic_fetch_add(&a->calls, 1);
  for (int64_t i = begin; i < end; ++i)
    atomic_fetch_add(&a->hits[i], 1);
  if (a->sleep_us) {
    struct timespec ts = {0, a->sleep_us * 1000L};
    nanosleep(&ts, NULL);
    int k = atomic_fetch_add(&a->num_seen, 1);
    if (k < MAX_THREADS_SEEN)
      a->seen[k] = pthread_self();
  }
}

typedef struct {
  pf_args *outer;
  int64_t base;
} nested_args;

static void nested_inner(void *p, int64_t begin, int64_t end) {
  nested_args *a = p;
  for (int64_t i = begin; i < end; ++i)
    atomic_fetch_add(&a->outer->hits[a->base + i], 1);
}

/* Every outer iteration runs an inner parallel_for on the same pool. */
static void nested_outer(void *p, int64_t begin, int64_t end) {
  pf_args *a = p;
  for (int64_t i = begin; i < end; ++i) {
    nested_args in = {a, i * a->inner_n};
    ddl_runtime_parallel_for(a->rt, a->inner_n, nested_inner, &in);
  }
}

static int all_hit_once(atomic_int *hits, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    if (atomic_load(&hits[i]) != 1)
      return 0;
  return 1;
}

typedef struct {
  ddl_runtime *rt;
  int ok;
} hammer_args;

/* Several threads share one pool: calls that find it busy run inline. */
static void *hammer(void *p) {
  hammer_args *h = p;
  h->ok = 1;
  for (int round = 0; round < 100; ++round) {
    int64_t n = 1 + round * 7;
    atomic_int *hits = calloc((size_t)n, sizeof *hits);
    pf_args a = {.hits = hits};
    ddl_runtime_parallel_for(h->rt, n, count_hits, &a);
    h->ok &= all_hit_once(hits, n);
    free(hits);
  }
  return NULL;
}

/*===-- Sequences in the ABI's packed form --------------------------------===*/

static void test_sequences(void) {
  int before = num_failures;
  /* Three float tensors of rank 2: pack, unpack, compare. */
  int64_t d0[2] = {2, 3}, d1[2] = {0, 3}, d2[2] = {1, 4};
  ddl_tensor *e[3] = {NULL, NULL, NULL};
  CHECK_OK(ddl_tensor_create(DDL_DTYPE_FLOAT, 2, d0, &e[0]));
  CHECK_OK(ddl_tensor_create(DDL_DTYPE_FLOAT, 2, d1, &e[1]));
  CHECK_OK(ddl_tensor_create(DDL_DTYPE_FLOAT, 2, d2, &e[2]));
  for (int i = 0; i < 6; ++i)
    ((float *)ddl_tensor_data(e[0]))[i] = (float)i;
  for (int i = 0; i < 4; ++i)
    ((float *)ddl_tensor_data(e[2]))[i] = 10.0f + (float)i;
  ddl_tensor *shapes = NULL, *data = NULL;
  CHECK_OK(ddl_sequence_pack(DDL_DTYPE_FLOAT, 2, 3,
                             (const ddl_tensor *const *)e, &shapes, &data));
  CHECK(ddl_tensor_dims(shapes)[0] == 3 && ddl_tensor_dims(shapes)[1] == 2);
  CHECK(ddl_tensor_dims(data)[0] == 10);
  CHECK(((const int64_t *)ddl_tensor_data(shapes))[5] == 4);
  CHECK(((const float *)ddl_tensor_data(data))[6] == 10.0f);
  int64_t total = -1;
  CHECK_OK(ddl_sequence_total(shapes, &total));
  CHECK(total == 10);
  size_t count = 0;
  ddl_tensor **back = NULL;
  CHECK_OK(ddl_sequence_unpack(shapes, data, &count, &back));
  CHECK(count == 3 && back);
  if (count == 3 && back) {
    CHECK(ddl_tensor_dims(back[1])[0] == 0 && ddl_tensor_dims(back[2])[1] == 4);
    CHECK(memcmp(ddl_tensor_data(back[2]), ddl_tensor_data(e[2]),
                 4 * sizeof(float)) == 0);
    for (size_t i = 0; i < count; ++i)
      ddl_tensor_destroy(back[i]);
  }
  free(back);

  /* What is refused: another rank or dtype, rows that do not add up to
   * the data, negative sizes. */
  ddl_tensor *s2 = NULL, *d2t = NULL;
  CHECK_ERR(ddl_sequence_pack(DDL_DTYPE_FLOAT, 1, 3,
                              (const ddl_tensor *const *)e, &s2, &d2t),
            DDL_SHAPE_MISMATCH, "rank 2");
  CHECK_ERR(ddl_sequence_pack(DDL_DTYPE_INT64, 2, 3,
                              (const ddl_tensor *const *)e, &s2, &d2t),
            DDL_DTYPE_MISMATCH, "is float32");
  CHECK(!s2 && !d2t);
  ddl_tensor *short_data = NULL;
  int64_t nine = 9;
  CHECK_OK(ddl_tensor_create(DDL_DTYPE_FLOAT, 1, &nine, &short_data));
  CHECK_ERR(ddl_sequence_unpack(shapes, short_data, &count, &back),
            DDL_SHAPE_MISMATCH, "add up to 10 values");
  ((int64_t *)ddl_tensor_data(shapes))[2] = -1;
  CHECK_ERR(ddl_sequence_total(shapes, &total), DDL_SHAPE_MISMATCH, "size -1");
  ((int64_t *)ddl_tensor_data(shapes))[2] = (int64_t)1 << 40;
  ((int64_t *)ddl_tensor_data(shapes))[3] = (int64_t)1 << 40;
  CHECK_ERR(ddl_sequence_total(shapes, &total), DDL_SHAPE_MISMATCH,
            "over 2^48");
  /* An empty sequence of a given rank. */
  ddl_tensor *es = NULL, *ed = NULL;
  CHECK_OK(ddl_sequence_pack(DDL_DTYPE_INT64, 3, 0, NULL, &es, &ed));
  CHECK(ddl_tensor_dims(es)[0] == 0 && ddl_tensor_dims(es)[1] == 3 &&
        ddl_tensor_dims(ed)[0] == 0);

  /* Spans of a descriptor: tensor, sequence, optional sequence, optional
   * tensor, and malformed ones. */
  int64_t sd[2] = {-1, 2}, dd[1] = {-1};
  ddl_tensor_info infos[] = {
      {"t", DDL_DTYPE_FLOAT, 1, dd, NULL, DDL_IO_TENSOR},
      {"s", DDL_DTYPE_INT64, 2, sd, NULL, DDL_IO_SEQUENCE_SHAPES},
      {"s", DDL_DTYPE_FLOAT, 1, dd, NULL, DDL_IO_SEQUENCE_DATA},
      {"o", DDL_DTYPE_BOOL, 0, NULL, NULL, DDL_IO_OPTIONAL_FLAG},
      {"o", DDL_DTYPE_INT64, 2, sd, NULL, DDL_IO_SEQUENCE_SHAPES},
      {"o", DDL_DTYPE_FLOAT, 1, dd, NULL, DDL_IO_SEQUENCE_DATA},
      {"p", DDL_DTYPE_BOOL, 0, NULL, NULL, DDL_IO_OPTIONAL_FLAG},
      {"p", DDL_DTYPE_FLOAT, 1, dd, NULL, DDL_IO_TENSOR},
      {"bad", DDL_DTYPE_FLOAT, 1, dd, NULL, DDL_IO_SEQUENCE_DATA}};
  CHECK(ddl_io_span(infos, 9, 0) == 1 && ddl_io_span(infos, 9, 1) == 2 &&
        ddl_io_span(infos, 9, 3) == 3 && ddl_io_span(infos, 9, 6) == 2);
  CHECK(ddl_io_span(infos, 9, 8) == 0 && ddl_io_span(infos, 2, 1) == 0 &&
        ddl_io_span(infos, 9, 9) == 0);

  ddl_tensor_destroy(es);
  ddl_tensor_destroy(ed);
  ddl_tensor_destroy(short_data);
  ddl_tensor_destroy(shapes);
  ddl_tensor_destroy(data);
  for (int i = 0; i < 3; ++i)
    ddl_tensor_destroy(e[i]);
  report("sequences", before);
}

static void test_pool(void) {
  int before = num_failures;
  ddl_runtime *rt = NULL;
  CHECK_ERR(ddl_runtime_create(1, NULL), DDL_INVALID_ARGUMENT, "out is NULL");
  CHECK_ERR(ddl_runtime_create(-1, &rt), DDL_INVALID_ARGUMENT,
            "num_threads -1");
  CHECK(rt == NULL);
  CHECK_OK(ddl_runtime_create(0, &rt));
  CHECK(ddl_runtime_num_threads(rt) >= 1);
  ddl_runtime_destroy(rt);
  ddl_runtime_destroy(NULL);

  for (int threads = 1; threads <= 5; threads += 2) {
    CHECK_OK(ddl_runtime_create(threads, &rt));
    CHECK(ddl_runtime_num_threads(rt) == threads);
    int64_t sizes[] = {0, 1, 2, 7, 1000, 100003};
    for (size_t k = 0; k < sizeof sizes / sizeof *sizes; ++k) {
      int64_t n = sizes[k];
      atomic_int *hits = calloc((size_t)n + 1, sizeof *hits);
      pf_args a = {.hits = hits};
      CHECK_OK(ddl_runtime_parallel_for(rt, n, count_hits, &a));
      CHECK(all_hit_once(hits, n));
      CHECK((n == 0) == (atomic_load(&a.calls) == 0));
      free(hits);
    }
    /* Nested loops on the same pool. */
    atomic_int *hits = calloc(64 * 50, sizeof *hits);
    pf_args a = {.hits = hits, .rt = rt, .inner_n = 50};
    CHECK_OK(ddl_runtime_parallel_for(rt, 64, nested_outer, &a));
    CHECK(all_hit_once(hits, 64 * 50));
    free(hits);
    /* Slow chunks end up on more than one thread. */
    if (threads > 1) {
      hits = calloc(32, sizeof *hits);
      pf_args s = {.hits = hits, .sleep_us = 2000};
      CHECK_OK(ddl_runtime_parallel_for(rt, 32, count_hits, &s));
      CHECK(all_hit_once(hits, 32));
      int distinct = 0, seen = atomic_load(&s.num_seen);
      for (int i = 0; i < seen && i < MAX_THREADS_SEEN; ++i) {
        int first = 1;
        for (int j = 0; j < i; ++j)
          first &= !pthread_equal(s.seen[i], s.seen[j]);
        distinct += first;
      }
      CHECK(distinct >= 2);
      free(hits);
    }
    /* Concurrent callers. */
    pthread_t th[4];
    hammer_args h[4];
    for (int i = 0; i < 4; ++i) {
      h[i].rt = rt;
      pthread_create(&th[i], NULL, hammer, &h[i]);
    }
    for (int i = 0; i < 4; ++i) {
      pthread_join(th[i], NULL);
      CHECK(h[i].ok);
    }
    ddl_runtime_destroy(rt);
  }
  CHECK_ERR(ddl_runtime_parallel_for(NULL, 4, count_hits, NULL),
            DDL_INVALID_ARGUMENT, "runtime is NULL");
  CHECK_OK(ddl_runtime_create(2, &rt));
  CHECK_ERR(ddl_runtime_parallel_for(rt, 4, NULL, NULL), DDL_INVALID_ARGUMENT,
            "fn is NULL");
  ddl_runtime_destroy(rt);
  report("thread pool", before);
}

/*===-- Loading
 * ------------------------------------------------------------===*/

static void expect_open_error(ddl_runtime *rt, const char *name,
                              ddl_status status, const char *text) {
  ddl_model_handle *h = (ddl_model_handle *)1;
  ddl_status s = ddl_model_open(rt, model_path(name), &h);
  ++num_checks;
  if (s != status || !strstr(ddl_last_error(), text) || h != NULL) {
    ++num_failures;
    fprintf(stderr, "open %s: expected %s with \"%s\", got %s: \"%s\"\n", name,
            ddl_status_name(status), text, ddl_status_name(s),
            ddl_last_error());
  }
}

static void test_open(ddl_runtime *rt) {
  int before = num_failures;
  ddl_model_handle *h = NULL;
  CHECK_ERR(ddl_model_open(NULL, model_path("fake_add_one"), &h),
            DDL_INVALID_ARGUMENT, "runtime is NULL");
  CHECK_ERR(ddl_model_open(rt, NULL, &h), DDL_INVALID_ARGUMENT,
            "path is empty");
  CHECK_ERR(ddl_model_open(rt, model_path("fake_add_one"), NULL),
            DDL_INVALID_ARGUMENT, "out is NULL");
  expect_open_error(rt, "does_not_exist", DDL_NOT_FOUND, "no such file");
  CHECK_ERR(ddl_model_open(rt, model_dir, &h), DDL_LOAD_FAILED,
            "is a directory");
  CHECK_ERR(ddl_model_open(rt, "no-slash-missing.so", &h), DDL_NOT_FOUND,
            "no-slash-missing.so: no such file");

  /* A text file named like a shared object. */
  char text_path[] = "/tmp/ddl-not-a-model-XXXXXX";
  int fd = mkstemp(text_path);
  CHECK(fd >= 0);
  if (fd >= 0) {
    const char junk[] = "this is not an ELF file\n";
    CHECK(write(fd, junk, sizeof junk - 1) == (ssize_t)(sizeof junk - 1));
    close(fd);
    CHECK_ERR(ddl_model_open(rt, text_path, &h), DDL_LOAD_FAILED,
              "cannot load");
    unlink(text_path);
  }
  expect_open_error(rt, "fake_no_entry", DDL_LOAD_FAILED,
                    "no 'ddl_get_model' symbol");
  expect_open_error(rt, "fake_bad_abi", DDL_ABI_MISMATCH,
                    "fake_bad_abi.so: ABI version 7, this runtime supports 5");
  expect_open_error(rt, "fake_bad_null_model", DDL_LOAD_FAILED,
                    "ddl_get_model() returned NULL");
  expect_open_error(rt, "fake_bad_bad_dtype", DDL_INVALID_MODEL,
                    "input 'x' has unknown dtype 99");
  expect_open_error(rt, "fake_bad_null_name", DDL_INVALID_MODEL,
                    "input #0 has a NULL, empty or unterminated name");
  expect_open_error(rt, "fake_bad_bad_rank", DDL_INVALID_MODEL,
                    "input 'x' has rank 99");
  expect_open_error(rt, "fake_bad_dup_name", DDL_INVALID_MODEL,
                    "two inputs are named 'x'");
  expect_open_error(rt, "fake_bad_null_run", DDL_INVALID_MODEL,
                    "run entry point is NULL");
  expect_open_error(rt, "fake_bad_null_dims", DDL_INVALID_MODEL,
                    "input 'x' has NULL dims");
  expect_open_error(rt, "fake_bad_no_arena_fn", DDL_INVALID_MODEL,
                    "arena_size is NULL");
  expect_open_error(rt, "fake_bad_device_kind", DDL_INVALID_MODEL,
                    "device_kind is 3 (0 = cpu, 1 = cuda, 2 = rocm)");
  expect_open_error(rt, "fake_bad_no_arch", DDL_INVALID_MODEL,
                    "a cuda model with a NULL, empty or unterminated "
                    "device_arch");
  ddl_model_close(NULL);
  report("open", before);
}

/*===-- Queries and runs --------------------------------------------------===*/

static void test_add_one(ddl_runtime *rt) {
  int before = num_failures;
  ddl_model_handle *h = NULL;
  CHECK_OK(ddl_model_open(rt, model_path("fake_add_one"), &h));
  if (!h)
    return report("add_one", before);
  CHECK(strcmp(ddl_model_name(h), "add_one") == 0);
  CHECK(ddl_model_num_inputs(h) == 1 && ddl_model_num_outputs(h) == 1);
  const ddl_tensor_info *in = ddl_model_input_info(h, 0);
  CHECK(in && strcmp(in->name, "x") == 0 && in->rank == 2 &&
        in->dims[0] == -1 && strcmp(in->dim_names[0], "batch") == 0);
  CHECK(ddl_model_input_info(h, 1) == NULL);
  CHECK(ddl_model_output_info(h, 0) &&
        strcmp(ddl_model_output_info(h, 0)->name, "y") == 0);
  CHECK(ddl_model_output_info(h, 1) == NULL);
  CHECK(ddl_model_input_info(NULL, 0) == NULL);
  size_t index = 99;
  CHECK_OK(ddl_model_find_input(h, "x", &index));
  CHECK(index == 0);
  CHECK_ERR(ddl_model_find_input(h, "nope", &index), DDL_NOT_FOUND,
            "model 'add_one' has no input 'nope'");
  CHECK_OK(ddl_model_find_output(h, "y", &index));
  CHECK_ERR(ddl_model_find_input(h, NULL, &index), DDL_INVALID_ARGUMENT,
            "NULL");
  CHECK(ddl_model_arena_bytes(h) == 0);
  CHECK(ddl_model_descriptor(h)->abi_version == DDL_MODEL_ABI_VERSION);

  float xs[12];
  for (int i = 0; i < 12; ++i)
    xs[i] = (float)i;
  int64_t dims[] = {3, 4};
  ddl_tensor *x = NULL, *y = NULL;
  CHECK_OK(ddl_tensor_wrap(DDL_DTYPE_FLOAT, 2, dims, xs, &x));
  const ddl_tensor *ins[] = {x};
  CHECK_OK(ddl_model_run(h, ins, 1, &y, 1));
  CHECK(y && ddl_tensor_rank(y) == 2 && ddl_tensor_dims(y)[0] == 3 &&
        ddl_tensor_dims(y)[1] == 4 && ddl_tensor_dtype(y) == DDL_DTYPE_FLOAT);
  if (y) {
    const float *ys = ddl_tensor_data(y);
    int ok = 1;
    for (int i = 0; i < 12; ++i)
      ok &= ys[i] == (float)i + 1.0f;
    CHECK(ok);
  }
  ddl_tensor_destroy(y);
  int64_t arena = -5;
  CHECK_OK(ddl_model_arena_size(h, ins, 1, &arena));
  CHECK(arena == 0);

  /* An empty batch runs too. */
  int64_t empty_dims[] = {0, 4};
  ddl_tensor *e = NULL;
  CHECK_OK(ddl_tensor_create(DDL_DTYPE_FLOAT, 2, empty_dims, &e));
  const ddl_tensor *eins[] = {e};
  CHECK_OK(ddl_model_run(h, eins, 1, &y, 1));
  CHECK(y && ddl_tensor_num_elements(y) == 0);
  ddl_tensor_destroy(y);
  ddl_tensor_destroy(e);

  /* Argument errors. */
  y = (ddl_tensor *)1;
  CHECK_ERR(ddl_model_run(h, ins, 2, &y, 1), DDL_INVALID_ARGUMENT,
            "model 'add_one' takes 1 input, got 2");
  CHECK(y == NULL);
  CHECK_ERR(ddl_model_run(h, NULL, 1, &y, 1), DDL_INVALID_ARGUMENT,
            "inputs array is NULL");
  const ddl_tensor *null_in[] = {NULL};
  CHECK_ERR(ddl_model_run(h, null_in, 1, &y, 1), DDL_INVALID_ARGUMENT,
            "missing input 'x'");
  ddl_tensor *two[2];
  CHECK_ERR(ddl_model_run(h, ins, 1, two, 2), DDL_INVALID_ARGUMENT,
            "has 1 output, got room for 2");
  CHECK_ERR(ddl_model_run(h, ins, 1, NULL, 1), DDL_INVALID_ARGUMENT,
            "outputs array is NULL");
  CHECK_ERR(ddl_model_run(NULL, ins, 1, &y, 1), DDL_INVALID_ARGUMENT,
            "model handle is NULL");

  ddl_tensor *bad = NULL;
  CHECK_OK(ddl_tensor_create(DDL_DTYPE_INT64, 2, dims, &bad));
  const ddl_tensor *bad_ins[] = {bad};
  CHECK_ERR(ddl_model_run(h, bad_ins, 1, &y, 1), DDL_DTYPE_MISMATCH,
            "input 'x' is int64, the model expects float32");
  ddl_tensor_destroy(bad);
  int64_t dims3[] = {3, 4, 1};
  CHECK_OK(ddl_tensor_create(DDL_DTYPE_FLOAT, 3, dims3, &bad));
  bad_ins[0] = bad;
  CHECK_ERR(ddl_model_run(h, bad_ins, 1, &y, 1), DDL_SHAPE_MISMATCH,
            "input 'x' has shape [3,4,1] (rank 3), the model expects "
            "[batch,4] (rank 2)");
  ddl_tensor_destroy(bad);
  int64_t dims5[] = {3, 5};
  CHECK_OK(ddl_tensor_create(DDL_DTYPE_FLOAT, 2, dims5, &bad));
  bad_ins[0] = bad;
  CHECK_ERR(ddl_model_run(h, bad_ins, 1, &y, 1), DDL_SHAPE_MISMATCH,
            "input 'x' dimension 1 is 5, the model expects 4");
  CHECK_ERR(ddl_model_check_inputs(h, bad_ins, 1), DDL_SHAPE_MISMATCH,
            "dimension 1 is 5");
  CHECK_ERR(ddl_model_arena_size(h, bad_ins, 1, &arena), DDL_SHAPE_MISMATCH,
            "dimension 1 is 5");
  ddl_tensor_destroy(bad);
  ddl_tensor_destroy(x);
  ddl_model_close(h);
  report("add_one", before);
}

static void test_two_inputs(ddl_runtime *rt) {
  int before = num_failures;
  ddl_model_handle *h = NULL;
  CHECK_OK(ddl_model_open(rt, model_path("fake_two_inputs"), &h));
  if (!h)
    return report("two_inputs", before);
  float xs[3] = {1, 2, 3};
  int64_t ys[6] = {10, 20, 30, 100, 200, 300};
  int64_t xd[] = {3}, yd[] = {2, 3};
  ddl_tensor *x, *y, *z = NULL;
  CHECK_OK(ddl_tensor_wrap(DDL_DTYPE_FLOAT, 1, xd, xs, &x));
  CHECK_OK(ddl_tensor_wrap(DDL_DTYPE_INT64, 2, yd, ys, &y));
  const ddl_tensor *ins[] = {x, y};
  CHECK_OK(ddl_model_run(h, ins, 2, &z, 1));
  CHECK(z && ((float *)ddl_tensor_data(z))[2] == 333.0f);
  ddl_tensor_destroy(z);

  /* By name, in any order. */
  const char *names[] = {"y", "x"};
  const ddl_tensor *rev[] = {y, x};
  CHECK_OK(ddl_model_run_named(h, names, rev, 2, &z, 1));
  CHECK(z && ((float *)ddl_tensor_data(z))[0] == 111.0f);
  ddl_tensor_destroy(z);
  const char *missing[] = {"y"};
  CHECK_ERR(ddl_model_run_named(h, missing, rev, 1, &z, 1),
            DDL_INVALID_ARGUMENT, "missing input 'x'");
  const char *twice[] = {"y", "y"};
  CHECK_ERR(ddl_model_run_named(h, twice, rev, 2, &z, 1), DDL_INVALID_ARGUMENT,
            "input 'y' given twice");
  const char *unknown[] = {"y", "w"};
  CHECK_ERR(ddl_model_run_named(h, unknown, rev, 2, &z, 1), DDL_NOT_FOUND,
            "model 'two_inputs' has no input 'w'");

  /* Equal symbols must have equal sizes. */
  int64_t yd4[] = {2, 4};
  int64_t ys4[8] = {0};
  ddl_tensor *y4;
  CHECK_OK(ddl_tensor_wrap(DDL_DTYPE_INT64, 2, yd4, ys4, &y4));
  const ddl_tensor *mism[] = {x, y4};
  CHECK_ERR(ddl_model_run(h, mism, 2, &z, 1), DDL_SHAPE_MISMATCH,
            "input 'x' dimension 0 (batch) is 3 but input 'y' dimension 1 "
            "(batch) is 4");
  CHECK(z == NULL);
  ddl_tensor_destroy(y4);
  ddl_tensor_destroy(x);
  ddl_tensor_destroy(y);
  ddl_model_close(h);
  report("two_inputs", before);
}

typedef struct {
  ddl_model_handle *h;
  int64_t n;
  int ok;
} run_args;

static void *run_parallel(void *p) {
  run_args *a = p;
  a->ok = 1;
  float *xs = malloc((size_t)a->n * sizeof *xs);
  for (int64_t i = 0; i < a->n; ++i)
    xs[i] = (float)i;
  for (int round = 0; round < 20 && a->ok; ++round) {
    ddl_tensor *x, *y = NULL;
    a->ok &= ddl_tensor_wrap(DDL_DTYPE_FLOAT, 1, &a->n, xs, &x) == DDL_OK;
    const ddl_tensor *ins[] = {x};
    a->ok &= ddl_model_run(a->h, ins, 1, &y, 1) == DDL_OK;
    if (y) {
      const float *ys = ddl_tensor_data(y);
      for (int64_t i = 0; i < a->n; ++i)
        a->ok &= ys[i] == 2.0f * (float)i;
    }
    ddl_tensor_destroy(y);
    ddl_tensor_destroy(x);
  }
  free(xs);
  return NULL;
}

static void test_parallel(ddl_runtime *rt) {
  int before = num_failures;
  ddl_model_handle *h = NULL;
  CHECK_OK(ddl_model_open(rt, model_path("fake_parallel"), &h));
  if (!h)
    return report("parallel model", before);
  CHECK(ddl_model_arena_bytes(h) == -1);
  CHECK(strcmp(ddl_model_arena_formula(h), "n * 4") == 0);
  int64_t n = 10000;
  ddl_tensor *x;
  CHECK_OK(ddl_tensor_create(DDL_DTYPE_FLOAT, 1, &n, &x));
  const ddl_tensor *ins[] = {x};
  int64_t arena = 0;
  CHECK_OK(ddl_model_arena_size(h, ins, 1, &arena));
  CHECK(arena == 40000);
  ddl_tensor_destroy(x);

  /* Single runs of growing sizes (the cached arena grows), then several
   * threads running the one handle at once (private arenas). */
  run_args one = {h, 10, 0};
  run_parallel(&one);
  CHECK(one.ok);
  one.n = 50000;
  run_parallel(&one);
  CHECK(one.ok);
  pthread_t th[4];
  run_args ra[4];
  for (int i = 0; i < 4; ++i) {
    ra[i] = (run_args){h, 1000 + 777 * i, 0};
    pthread_create(&th[i], NULL, run_parallel, &ra[i]);
  }
  for (int i = 0; i < 4; ++i) {
    pthread_join(th[i], NULL);
    CHECK(ra[i].ok);
  }
  ddl_model_close(h);

  /* A model whose arena cannot be had. */
  CHECK_OK(ddl_model_open(rt, model_path("fake_huge_arena"), &h));
  if (h) {
    int64_t m = 4;
    ddl_tensor *y = NULL;
    CHECK_OK(ddl_tensor_create(DDL_DTYPE_FLOAT, 1, &m, &x));
    ins[0] = x;
    CHECK_ERR(ddl_model_run(h, ins, 1, &y, 1), DDL_RUN_FAILED,
              "no arena of 4611686018427387903 bytes could be allocated");
    CHECK(y == NULL);
    ddl_tensor_destroy(x);
    ddl_model_close(h);
  }
  report("parallel model", before);
}

static void expect_run_error(ddl_runtime *rt, const char *name,
                             const char *text) {
  ddl_model_handle *h = NULL;
  CHECK_OK(ddl_model_open(rt, model_path(name), &h));
  if (!h)
    return;
  float xs[2] = {1, 2};
  int64_t d = 2;
  ddl_tensor *x, *y = (ddl_tensor *)1;
  CHECK_OK(ddl_tensor_wrap(DDL_DTYPE_FLOAT, 1, &d, xs, &x));
  const ddl_tensor *ins[] = {x};
  CHECK_ERR(ddl_model_run(h, ins, 1, &y, 1), DDL_RUN_FAILED, text);
  CHECK(y == NULL);
  ddl_tensor_destroy(x);
  ddl_model_close(h);
}

static void test_run_failures(ddl_runtime *rt) {
  int before = num_failures;
  expect_run_error(rt, "fake_bad_run_fails",
                   "model 'bad' failed with status 7");
  expect_run_error(rt, "fake_bad_output_dims",
                   "returned output 'y' with dimension 0 = -3 (declared 2)");
  expect_run_error(rt, "fake_bad_null_output",
                   "returned NULL data for output 'y'");
  report("run failures", before);
}

/*===-- Devices, through the fake drivers ---------------------------------===*/

/* What the fake driver of `lib` (libfake_cuda, libfake_hip) holds now. */
typedef struct {
  int allocs, modules, loads, launches, contexts;
} gpu_stats;

static gpu_stats stats_of(const char *lib) {
  gpu_stats g = {-1, -1, -1, -1, -1};
  /* The runtime loaded the same file: this finds that copy. */
  void *dl = dlopen(model_path(lib), RTLD_NOW | RTLD_LOCAL);
  void *sym = dl ? dlsym(dl, "fake_gpu_stats") : NULL;
  void (*fn)(int *, int *, int *, int *, int *);
  if (sym) {
    memcpy(&fn, &sym, sizeof fn);
    fn(&g.allocs, &g.modules, &g.loads, &g.launches, &g.contexts);
  }
  if (dl)
    dlclose(dl);
  return g;
}

/* The fake CUDA driver's stream-ordered pools: alive, and allocations
 * and frees so far. */
typedef struct {
  int pools, allocs, frees;
} pool_stats;

static pool_stats pool_stats_now(void) {
  pool_stats p = {-1, -1, -1};
  void *dl = dlopen(model_path("libfake_cuda"), RTLD_NOW | RTLD_LOCAL);
  void *sym = dl ? dlsym(dl, "fake_cuda_pool_stats") : NULL;
  void (*fn)(int *, int *, int *);
  if (sym) {
    memcpy(&fn, &sym, sizeof fn);
    fn(&p.pools, &p.allocs, &p.frees);
  }
  if (dl)
    dlclose(dl);
  return p;
}

static void set_env(const char *name, const char *value) {
  if (value)
    setenv(name, value, 1);
  else
    unsetenv(name);
}

/* Runs the device_add model on a [batch, 4] input: its status, or
 * DDL_INTERNAL when it succeeded with wrong values or failed with an
 * output. No CHECK: it runs on several threads. */
static ddl_status run_device_add(ddl_model_handle *h, int64_t batch) {
  int64_t dims[] = {batch, 4};
  ddl_tensor *x = NULL, *y = (ddl_tensor *)1;
  if (ddl_tensor_create(DDL_DTYPE_FLOAT, 2, dims, &x) != DDL_OK)
    return DDL_OUT_OF_MEMORY;
  float *xs = ddl_tensor_data(x);
  for (int64_t i = 0; i < batch * 4; ++i)
    xs[i] = (float)i - 3.0f;
  const ddl_tensor *ins[] = {x};
  ddl_status s = ddl_model_run(h, ins, 1, &y, 1);
  if (s == DDL_OK) {
    int ok = y && ddl_tensor_dims(y)[0] == batch && ddl_tensor_dims(y)[1] == 4;
    const float *ys = ok ? ddl_tensor_data(y) : NULL;
    for (int64_t i = 0; ok && i < batch * 4; ++i)
      ok &= ys[i] == xs[i] + 11.5f;
    if (!ok)
      s = DDL_INTERNAL;
    ddl_tensor_destroy(y);
  } else if (y != NULL) {
    s = DDL_INTERNAL;
  }
  ddl_tensor_destroy(x);
  return s;
}

static void test_device_open(ddl_runtime *rt) {
  int before = num_failures;
  ddl_model_handle *h = NULL;

  /* CPU models ignore the ordinal and have no device. */
  CHECK_OK(ddl_model_open_device(rt, model_path("fake_add_one"), 5, &h));
  CHECK(ddl_model_device_kind(h) == DDL_DEVICE_CPU);
  CHECK(ddl_model_device_arch(h) == NULL);
  ddl_model_close(h);
  CHECK_ERR(ddl_model_open_device(rt, model_path("fake_add_one"), -2, &h),
            DDL_INVALID_ARGUMENT, "device ordinal -2 is negative");
  CHECK(ddl_model_device_kind(NULL) == DDL_DEVICE_CPU);

  /* The driver library is missing, or too old. */
  set_env("DDL_CUDA_LIBRARY", "/nonexistent/libcuda.so.1");
  h = (ddl_model_handle *)1;
  CHECK_ERR(ddl_model_open(rt, model_path("fake_cuda_add_one"), &h),
            DDL_DEVICE_ERROR,
            "cannot load the CUDA driver library /nonexistent/libcuda.so.1");
  CHECK(h == NULL);
  CHECK(strstr(ddl_last_error(), "DDL_CUDA_LIBRARY names another file"));
  /* Without a device: queries work, runs do not. */
  CHECK_OK(ddl_model_open_device(rt, model_path("fake_cuda_add_one"),
                                 DDL_NO_DEVICE, &h));
  CHECK(ddl_model_device_kind(h) == DDL_DEVICE_CUDA);
  CHECK(h && strcmp(ddl_model_device_arch(h), "sm_90") == 0);
  CHECK(run_device_add(h, 1) == DDL_DEVICE_ERROR);
  CHECK(strstr(ddl_last_error(), "a cuda model opened without a device"));
  ddl_model_close(h);
  set_env("DDL_CUDA_LIBRARY", model_path("libfake_cuda_no_sync"));
  CHECK_ERR(ddl_model_open(rt, model_path("fake_cuda_add_one"), &h),
            DDL_DEVICE_ERROR, "has no symbol 'cuStreamSynchronize'");

  /* The driver is there; the device is not. */
  set_env("DDL_CUDA_LIBRARY", model_path("libfake_cuda"));
  set_env("FAKE_CUDA_FAIL", "cuInit");
  CHECK_ERR(ddl_model_open(rt, model_path("fake_cuda_add_one"), &h),
            DDL_DEVICE_ERROR,
            "fake_cuda_add_one.so: cuInit failed: CUDA_ERROR_NO_DEVICE (no "
            "CUDA-capable device is detected)");
  set_env("FAKE_CUDA_FAIL", NULL);
  set_env("FAKE_CUDA_DEVICES", "0");
  CHECK_ERR(ddl_model_open(rt, model_path("fake_cuda_add_one"), &h),
            DDL_DEVICE_ERROR, "no CUDA device found");
  set_env("FAKE_CUDA_DEVICES", "2");
  CHECK_ERR(ddl_model_open_device(rt, model_path("fake_cuda_add_one"), 2, &h),
            DDL_DEVICE_ERROR,
            "CUDA device 2 does not exist: 2 devices are present (ordinals 0 "
            "to 1)");
  set_env("FAKE_CUDA_FAIL", "cuDevicePrimaryCtxRetain");
  CHECK_ERR(ddl_model_open_device(rt, model_path("fake_cuda_add_one"), 1, &h),
            DDL_DEVICE_ERROR, "cuDevicePrimaryCtxRetain failed");
  set_env("FAKE_CUDA_FAIL", NULL);
  CHECK_OK(ddl_model_open_device(rt, model_path("fake_cuda_add_one"), 1, &h));
  CHECK(stats_of("libfake_cuda").contexts == 1);
  CHECK_OK(run_device_add(h, 2));
  ddl_model_close(h);
  set_env("FAKE_CUDA_DEVICES", NULL);
  set_env("FAKE_CUDA_DEVICES", NULL);
  CHECK_ERR(ddl_model_open_device(rt, model_path("fake_cuda_add_one"), 1, &h),
            DDL_DEVICE_ERROR, "CUDA device 1 does not exist: 1 device is");

  /* ROCm: the library is missing. */
  set_env("DDL_HIP_LIBRARY", "/nonexistent/libamdhip64.so");
  CHECK_ERR(ddl_model_open(rt, model_path("fake_rocm_add_one"), &h),
            DDL_DEVICE_ERROR,
            "cannot load the ROCm driver library /nonexistent/libamdhip64.so");
  set_env("DDL_HIP_LIBRARY", NULL);
  set_env("DDL_CUDA_LIBRARY", NULL);
  gpu_stats g = stats_of("libfake_cuda");
  CHECK(g.allocs == 0 && g.modules == 0 && g.contexts == 0);
  report("device open", before);
}

typedef struct {
  ddl_model_handle *h;
  int64_t batch;
  int ok;
} device_run_args;

static void *device_runs(void *p) {
  device_run_args *a = p;
  a->ok = 1;
  for (int round = 0; round < 20; ++round)
    a->ok &= run_device_add(a->h, a->batch + round) == DDL_OK;
  return NULL;
}

static void test_cuda_model(ddl_runtime *rt) {
  int before = num_failures;
  set_env("DDL_CUDA_LIBRARY", model_path("libfake_cuda"));
  gpu_stats g0 = stats_of("libfake_cuda");
  ddl_model_handle *h = NULL;
  CHECK_OK(ddl_model_open(rt, model_path("fake_cuda_add_one"), &h));
  if (!h) {
    set_env("DDL_CUDA_LIBRARY", NULL);
    return report("cuda model", before);
  }
  CHECK(ddl_model_device_kind(h) == DDL_DEVICE_CUDA);
  CHECK(strcmp(ddl_model_device_arch(h), "sm_90") == 0);
  CHECK(ddl_model_arena_bytes(h) == -1);

  /* The image is loaded once, the constant uploaded once, the arena
   * cached (grown for batch 100); each run frees its inputs and outputs. */
  CHECK_OK(run_device_add(h, 3));
  gpu_stats g1 = stats_of("libfake_cuda");
  CHECK(g1.loads == g0.loads + 1 && g1.modules == g0.modules + 1);
  CHECK(g1.launches == g0.launches + 3);
  CHECK(g1.allocs == g0.allocs + 2); /* the arena and the constant */
  CHECK_OK(run_device_add(h, 100));
  CHECK_OK(run_device_add(h, 1));
  CHECK_OK(run_device_add(h, 0)); /* empty: no launch, 0-byte buffers */
  gpu_stats g2 = stats_of("libfake_cuda");
  CHECK(g2.loads == g1.loads && g2.allocs == g1.allocs);
  CHECK(g2.launches == g1.launches + 6);

  /* Several threads on one handle (the fake driver checks that each
   * thread has the context current). */
  pthread_t th[4];
  device_run_args ra[4];
  for (int i = 0; i < 4; ++i) {
    ra[i] = (device_run_args){h, 1 + 50 * i, 0};
    pthread_create(&th[i], NULL, device_runs, &ra[i]);
  }
  for (int i = 0; i < 4; ++i) {
    pthread_join(th[i], NULL);
    CHECK(ra[i].ok);
  }
  CHECK(stats_of("libfake_cuda").allocs == g1.allocs);
  ddl_model_close(h);
  gpu_stats g3 = stats_of("libfake_cuda");
  CHECK(g3.allocs == g0.allocs && g3.modules == g0.modules &&
        g3.contexts == g0.contexts);
  set_env("DDL_CUDA_LIBRARY", NULL);
  report("cuda model", before);
}

/* Runs h once with FAKE_CUDA_FAIL=spec: DDL_DEVICE_ERROR with `text`, no
 * output, and no device memory left behind beyond the handle's caches. */
static void expect_device_failure(ddl_model_handle *h, const char *spec,
                                  const char *text) {
  int allocs = stats_of("libfake_cuda").allocs;
  set_env("FAKE_CUDA_FAIL", spec);
  CHECK_ERR(run_device_add(h, 3), DDL_DEVICE_ERROR, text);
  set_env("FAKE_CUDA_FAIL", NULL);
  ++num_checks;
  if (stats_of("libfake_cuda").allocs != allocs) {
    ++num_failures;
    fprintf(stderr, "FAKE_CUDA_FAIL=%s: %d device buffers before, %d after\n",
            spec, allocs, stats_of("libfake_cuda").allocs);
  }
}

static void test_device_failures(ddl_runtime *rt) {
  int before = num_failures;
  set_env("DDL_CUDA_LIBRARY", model_path("libfake_cuda"));
  gpu_stats g0 = stats_of("libfake_cuda");

  /* An image the driver refuses: the first launch fails, the rest of the
   * run does nothing, the model's own failure status is superseded. */
  ddl_model_handle *h = NULL;
  CHECK_OK(ddl_model_open(rt, model_path("fake_cuda_bad_image"), &h));
  CHECK_ERR(run_device_add(h, 3), DDL_DEVICE_ERROR,
            "model 'device_add' failed on CUDA device 0 (built for sm_90): "
            "cuModuleLoadData failed: CUDA_ERROR_INVALID_IMAGE (device kernel "
            "image is invalid)");
  CHECK(stats_of("libfake_cuda").modules == g0.modules);
  ddl_model_close(h);

  /* A failed load is retried by the next run. */
  CHECK_OK(ddl_model_open(rt, model_path("fake_cuda_add_one"), &h));
  if (!h) {
    set_env("DDL_CUDA_LIBRARY", NULL);
    return report("device failures", before);
  }
  set_env("FAKE_CUDA_FAIL", "cuModuleLoadData");
  CHECK_ERR(run_device_add(h, 3), DDL_DEVICE_ERROR,
            "cuModuleLoadData failed: CUDA_ERROR_INVALID_IMAGE");
  set_env("FAKE_CUDA_FAIL", NULL);
  CHECK_OK(run_device_add(h, 3));

  /* Each call failing, on a warm handle (arena and constant cached). */
  /* The run's memory comes from the stream-ordered pool: the copy of
   * the input, then the output. */
  expect_device_failure(h, "cuMemAllocFromPoolAsync",
                        "cuMemAllocFromPoolAsync (48 bytes) failed: "
                        "CUDA_ERROR_OUT_OF_MEMORY (out of memory)");
  expect_device_failure(h, "cuMemAllocFromPoolAsync@2",
                        "cuMemAllocFromPoolAsync (48 bytes) failed: "
                        "CUDA_ERROR_OUT_OF_MEMORY");
  expect_device_failure(h, "cuMemcpyHtoDAsync_v2",
                        "cuMemcpyHtoDAsync_v2 (48 bytes)");
  expect_device_failure(h, "cuLaunchKernel",
                        "cuLaunchKernel(add_one) failed: "
                        "CUDA_ERROR_LAUNCH_FAILED (unspecified launch "
                        "failure)");
  expect_device_failure(h, "cuLaunchKernel@2",
                        "cuLaunchKernel(add_scalar) failed");
  expect_device_failure(h, "cuMemcpyDtoHAsync_v2",
                        "cuMemcpyDtoHAsync_v2 (4 bytes)");
  /* The model's two reads succeed; the copy of the output fails. */
  expect_device_failure(h, "cuMemcpyDtoHAsync_v2@3",
                        "cuMemcpyDtoHAsync_v2 (48 bytes)");
  /* The model's first read waits for the stream. */
  expect_device_failure(h, "cuStreamSynchronize",
                        "cuStreamSynchronize failed: CUDA_ERROR_UNKNOWN");
  /* The run's last wait, after the model's two reads. */
  expect_device_failure(h, "cuStreamSynchronize@3",
                        "cuStreamSynchronize failed: CUDA_ERROR_UNKNOWN");
  expect_device_failure(h, "cuCtxSetCurrent", "cuCtxSetCurrent failed");
  CHECK_OK(run_device_add(h, 3));
  ddl_model_close(h);

  /* A fresh handle whose arena (a driver allocation, kept between runs)
   * cannot be had. */
  CHECK_OK(ddl_model_open(rt, model_path("fake_cuda_add_one"), &h));
  if (h) {
    set_env("FAKE_CUDA_FAIL", "cuMemAlloc_v2");
    CHECK_ERR(run_device_add(h, 3), DDL_DEVICE_ERROR,
              "cuMemAlloc_v2 (512 bytes) failed");
    set_env("FAKE_CUDA_FAIL", NULL);
    CHECK_OK(run_device_add(h, 3));
    ddl_model_close(h);
  }
  /* Runs allocate from the pool and free into it, in stream order; a
   * handle whose pool cannot be made uses driver allocations. */
  pool_stats p0 = pool_stats_now();
  CHECK_OK(ddl_model_open(rt, model_path("fake_cuda_add_one"), &h));
  if (h) {
    CHECK_OK(run_device_add(h, 3));
    CHECK_OK(run_device_add(h, 3));
    pool_stats p1 = pool_stats_now();
    CHECK(p1.pools == p0.pools + 1);
    CHECK(p1.allocs - p0.allocs == 4 && p1.frees - p0.frees == 4);
    ddl_model_close(h);
    CHECK(pool_stats_now().pools == p0.pools);
  }
  CHECK_OK(ddl_model_open(rt, model_path("fake_cuda_add_one"), &h));
  if (h) {
    set_env("FAKE_CUDA_FAIL", "cuMemPoolCreate");
    CHECK_OK(run_device_add(h, 3));
    set_env("FAKE_CUDA_FAIL", NULL);
    CHECK_OK(run_device_add(h, 3));
    pool_stats p2 = pool_stats_now();
    CHECK(p2.pools == p0.pools && p2.allocs == p0.allocs + 4);
    ddl_model_close(h);
  }
  gpu_stats g1 = stats_of("libfake_cuda");
  CHECK(g1.allocs == g0.allocs && g1.modules == g0.modules &&
        g1.contexts == g0.contexts);
  set_env("DDL_CUDA_LIBRARY", NULL);
  report("device failures", before);
}

static void test_rocm_model(ddl_runtime *rt) {
  int before = num_failures;
  set_env("DDL_HIP_LIBRARY", model_path("libfake_hip"));
  ddl_model_handle *h = NULL;
  CHECK_OK(ddl_model_open(rt, model_path("fake_rocm_add_one"), &h));
  if (h) {
    CHECK(ddl_model_device_kind(h) == DDL_DEVICE_ROCM);
    CHECK(strcmp(ddl_model_device_arch(h), "gfx942") == 0);
    CHECK_OK(run_device_add(h, 3));
    CHECK_OK(run_device_add(h, 0));
    set_env("FAKE_HIP_FAIL", "hipModuleLaunchKernel");
    CHECK_ERR(run_device_add(h, 2), DDL_DEVICE_ERROR,
              "model 'device_add' failed on ROCm device 0 (built for gfx942): "
              "hipModuleLaunchKernel(add_one) failed: hipErrorLaunchFailure "
              "(unspecified launch failure)");
    set_env("FAKE_HIP_FAIL", NULL);
    CHECK_OK(run_device_add(h, 2));
    ddl_model_close(h);
  }
  gpu_stats g = stats_of("libfake_hip");
  CHECK(g.allocs == 0 && g.modules == 0 && g.loads == 1);
  set_env("FAKE_HIP_DEVICES", "0");
  CHECK_ERR(ddl_model_open(rt, model_path("fake_rocm_add_one"), &h),
            DDL_DEVICE_ERROR, "hipGetDeviceCount failed: hipErrorNoDevice");
  set_env("FAKE_HIP_DEVICES", NULL);
  set_env("DDL_HIP_LIBRARY", NULL);
  report("rocm model", before);
}

/*===-- Device tensors ----------------------------------------------------===*/

/* Copies the fake driver of `lib` made so far, by direction. */
typedef struct {
  int htod, dtoh, dtod;
} gpu_copies;

static gpu_copies copies_of(const char *lib) {
  gpu_copies c = {-1, -1, -1};
  void *dl = dlopen(model_path(lib), RTLD_NOW | RTLD_LOCAL);
  void *sym = dl ? dlsym(dl, "fake_gpu_copies") : NULL;
  void (*fn)(int *, int *, int *);
  if (sym) {
    memcpy(&fn, &sym, sizeof fn);
    fn(&c.htod, &c.dtoh, &c.dtod);
  }
  if (dl)
    dlclose(dl);
  return c;
}

/* Whether c - c0 is (htod, dtoh, dtod), and says so when not. */
static int copies_are(gpu_copies c0, gpu_copies c, int htod, int dtoh,
                      int dtod) {
  int ok = c.htod - c0.htod == htod && c.dtoh - c0.dtoh == dtoh &&
           c.dtod - c0.dtod == dtod;
  if (!ok)
    fprintf(stderr, "copies: %d HtoD, %d DtoH, %d DtoD; expected %d, %d, %d\n",
            c.htod - c0.htod, c.dtoh - c0.dtoh, c.dtod - c0.dtod, htod, dtoh,
            dtod);
  return ok;
}

/* A host float32[batch, 4] tensor holding i - 3 at element i. */
static ddl_tensor *host_input(int64_t batch) {
  int64_t dims[] = {batch, 4};
  ddl_tensor *x = NULL;
  if (ddl_tensor_create(DDL_DTYPE_FLOAT, 2, dims, &x) != DDL_OK)
    return NULL;
  float *xs = ddl_tensor_data(x);
  for (int64_t i = 0; i < batch * 4; ++i)
    xs[i] = (float)i - 3.0f;
  return x;
}

/* Whether device or host tensor t holds i - 3 + `plus` at element i. */
static int holds(const ddl_tensor *t, int64_t batch, float plus) {
  if (!t || ddl_tensor_rank(t) != 2 || ddl_tensor_dims(t)[0] != batch ||
      ddl_tensor_dims(t)[1] != 4)
    return 0;
  float values[4096];
  if (batch * 4 > 4096 ||
      ddl_tensor_copy_to_host(t, values, sizeof values) != DDL_OK)
    return 0;
  for (int64_t i = 0; i < batch * 4; ++i)
    if (values[i] != (float)i - 3.0f + plus)
      return 0;
  return 1;
}

/* The API without a driver: wrapping, accessors, refusals. */
static void test_device_tensor_api(ddl_runtime *rt) {
  int before = num_failures;
  int64_t dims[] = {2, 4};
  float host[8] = {0};
  ddl_tensor *t = (ddl_tensor *)1;
  CHECK_ERR(ddl_tensor_wrap_device(DDL_DTYPE_FLOAT, 2, dims, host,
                                   DDL_DEVICE_CPU, 0, &t),
            DDL_INVALID_ARGUMENT, "is not a GPU");
  CHECK(t == NULL);
  CHECK_ERR(ddl_tensor_wrap_device(DDL_DTYPE_FLOAT, 2, dims, host, 7, 0, &t),
            DDL_INVALID_ARGUMENT, "device kind 7 (unknown) is not a GPU");
  CHECK_ERR(ddl_tensor_wrap_device(DDL_DTYPE_FLOAT, 2, dims, host,
                                   DDL_DEVICE_CUDA, -1, &t),
            DDL_INVALID_ARGUMENT, "device ordinal -1 is negative");
  CHECK_ERR(ddl_tensor_wrap_device(DDL_DTYPE_FLOAT, 2, dims, NULL,
                                   DDL_DEVICE_CUDA, 0, &t),
            DDL_INVALID_ARGUMENT, "data is NULL for 32 bytes");
  CHECK_ERR(ddl_tensor_wrap_device(DDL_DTYPE_FLOAT, 2, dims, host,
                                   DDL_DEVICE_CUDA, 0, NULL),
            DDL_INVALID_ARGUMENT, "out is NULL");
  /* Wrapping calls no driver: any pointer is taken as device memory. */
  CHECK_OK(ddl_tensor_wrap_device(DDL_DTYPE_FLOAT, 2, dims, host,
                                  DDL_DEVICE_ROCM, 3, &t));
  CHECK(ddl_tensor_device_kind(t) == DDL_DEVICE_ROCM);
  CHECK(ddl_tensor_device_ordinal(t) == 3);
  CHECK(ddl_tensor_data(t) == host); /* the device pointer */
  CHECK(ddl_tensor_byte_size(t) == sizeof host);
  CHECK_ERR(ddl_tensor_copy_to_host(t, host, 4), DDL_INVALID_ARGUMENT,
            "the destination has 4 bytes, the tensor 32");
  CHECK_ERR(ddl_tensor_copy_to_host(NULL, host, 4), DDL_INVALID_ARGUMENT,
            "tensor is NULL");
  CHECK_ERR(ddl_tensor_copy_to_device_buffer(t, NULL, 32), DDL_INVALID_ARGUMENT,
            "the destination is NULL");

  /* A device tensor given to a CPU model, and run_on_device on one. */
  ddl_model_handle *h = NULL;
  CHECK_OK(ddl_model_open(rt, model_path("fake_add_one"), &h));
  ddl_tensor *cuda = NULL, *y = (ddl_tensor *)1;
  CHECK_OK(ddl_tensor_wrap_device(DDL_DTYPE_FLOAT, 2, dims, host,
                                  DDL_DEVICE_CUDA, 0, &cuda));
  const ddl_tensor *ins[] = {cuda};
  CHECK_ERR(ddl_model_run(h, ins, 1, &y, 1), DDL_INVALID_ARGUMENT,
            "input 'x' is a cuda device tensor, but model 'add_one' runs on "
            "the CPU");
  CHECK(y == NULL);
  CHECK_ERR(ddl_model_check_inputs(h, ins, 1), DDL_INVALID_ARGUMENT,
            "input 'x' is a cuda device tensor");
  ddl_tensor *x = host_input(2);
  ins[0] = x;
  y = (ddl_tensor *)1;
  CHECK_ERR(ddl_model_run_on_device(h, ins, 1, &y, 1), DDL_INVALID_ARGUMENT,
            "model 'add_one' is a CPU model (use ddl_model_run)");
  CHECK(y == NULL);
  ddl_model_close(h);

  /* Host tensors: placement, and copy_to_host as a plain copy. */
  CHECK(ddl_tensor_device_kind(x) == DDL_DEVICE_CPU);
  CHECK(ddl_tensor_device_ordinal(x) == 0);
  CHECK(ddl_tensor_device_kind(NULL) == DDL_DEVICE_CPU);
  float copy[8];
  CHECK_OK(ddl_tensor_copy_to_host(x, copy, sizeof copy));
  CHECK(copy[0] == -3.0f && copy[7] == 4.0f);
  CHECK_ERR(ddl_tensor_copy_to_device_buffer(x, copy, sizeof copy),
            DDL_INVALID_ARGUMENT, "a host tensor");
  ddl_tensor_destroy(x);
  ddl_tensor_destroy(cuda);
  ddl_tensor_destroy(t);
  report("device tensor api", before);
}

/* Device outputs and inputs through the fake CUDA driver; copies counted.
 * The model itself makes one HtoD copy (a scalar into its arena) and two
 * DtoH reads per run. */
static void test_device_resident(ddl_runtime *rt) {
  int before = num_failures;
  set_env("DDL_CUDA_LIBRARY", model_path("libfake_cuda"));
  const char *lib = "libfake_cuda";
  gpu_stats g0 = stats_of(lib);
  ddl_model_handle *h = NULL;
  CHECK_OK(ddl_model_open(rt, model_path("fake_cuda_add_one"), &h));
  ddl_tensor *x = host_input(3);
  if (!h || !x) {
    ddl_model_close(h);
    ddl_tensor_destroy(x);
    set_env("DDL_CUDA_LIBRARY", NULL);
    return report("device resident tensors", before);
  }
  CHECK_OK(run_device_add(h, 3)); /* warm: the arena and constant cached */
  gpu_stats warm = stats_of(lib);

  /* Host input in, device output out: one input upload, no download. */
  gpu_copies c0 = copies_of(lib);
  const ddl_tensor *ins[1] = {x};
  ddl_tensor *y = NULL;
  CHECK_OK(ddl_model_run_on_device(h, ins, 1, &y, 1));
  CHECK(copies_are(c0, copies_of(lib), 2, 2, 0));
  CHECK(ddl_tensor_device_kind(y) == DDL_DEVICE_CUDA);
  CHECK(ddl_tensor_device_ordinal(y) == 0);
  CHECK(stats_of(lib).allocs == warm.allocs + 1); /* y's buffer */
  CHECK(holds(y, 3, 11.5f));

  /* A device output fed back in: passed through, no copy of it. */
  c0 = copies_of(lib);
  ins[0] = y;
  ddl_tensor *z = NULL;
  CHECK_OK(ddl_model_run_on_device(h, ins, 1, &z, 1));
  CHECK(copies_are(c0, copies_of(lib), 1, 2, 0));
  CHECK(holds(z, 3, 23.0f));
  /* ddl_model_run takes it too and returns a host tensor. */
  c0 = copies_of(lib);
  ddl_tensor *w = NULL;
  CHECK_OK(ddl_model_run(h, ins, 1, &w, 1));
  CHECK(copies_are(c0, copies_of(lib), 1, 3, 0));
  CHECK(ddl_tensor_device_kind(w) == DDL_DEVICE_CPU);
  CHECK(w && ((float *)ddl_tensor_data(w))[11] == 8.0f + 23.0f);
  ddl_tensor_destroy(w);

  /* Borrowed device memory (as a torch CUDA tensor's data_ptr()). */
  int64_t dims[] = {3, 4};
  ddl_tensor *borrowed = NULL;
  CHECK_OK(ddl_tensor_wrap_device(DDL_DTYPE_FLOAT, 2, dims, ddl_tensor_data(z),
                                  DDL_DEVICE_CUDA, 0, &borrowed));
  ins[0] = borrowed;
  c0 = copies_of(lib);
  CHECK_OK(ddl_model_run(h, ins, 1, &w, 1));
  CHECK(copies_are(c0, copies_of(lib), 1, 3, 0));
  CHECK(holds(w, 3, 34.5f));
  ddl_tensor_destroy(w);
  /* Its copies open the device for the call and close it again. */
  c0 = copies_of(lib);
  CHECK(holds(borrowed, 3, 23.0f));
  CHECK(copies_are(c0, copies_of(lib), 0, 1, 0));
  CHECK(stats_of(lib).contexts == warm.contexts);
  int allocs = stats_of(lib).allocs;
  ddl_tensor_destroy(borrowed); /* frees nothing */
  CHECK(stats_of(lib).allocs == allocs);

  /* Device to device into memory the caller owns (here: y's buffer). */
  c0 = copies_of(lib);
  CHECK_OK(ddl_tensor_copy_to_device_buffer(z, ddl_tensor_data(y),
                                            ddl_tensor_byte_size(y)));
  CHECK(copies_are(c0, copies_of(lib), 0, 0, 1));
  CHECK(holds(y, 3, 23.0f));
  CHECK_ERR(ddl_tensor_copy_to_device_buffer(z, ddl_tensor_data(y), 47),
            DDL_INVALID_ARGUMENT,
            "the destination has 47 bytes, the tensor "
            "48");
  set_env("FAKE_CUDA_FAIL", "cuMemcpyDtoDAsync_v2");
  CHECK_ERR(ddl_tensor_copy_to_device_buffer(z, ddl_tensor_data(y), 48),
            DDL_DEVICE_ERROR,
            "cuMemcpyDtoDAsync_v2 (48 bytes) failed: CUDA_ERROR_UNKNOWN");
  set_env("FAKE_CUDA_FAIL", "cuMemcpyDtoHAsync_v2");
  float values[12];
  CHECK_ERR(ddl_tensor_copy_to_host(z, values, sizeof values), DDL_DEVICE_ERROR,
            "cuMemcpyDtoHAsync_v2 (48 bytes) failed");
  set_env("FAKE_CUDA_FAIL", "cuStreamSynchronize");
  CHECK_ERR(ddl_tensor_copy_to_host(z, values, sizeof values), DDL_DEVICE_ERROR,
            "cuStreamSynchronize failed");
  set_env("FAKE_CUDA_FAIL", NULL);
  /* A host pointer is not device memory: the driver refuses it. */
  CHECK_ERR(ddl_tensor_copy_to_device_buffer(z, values, sizeof values),
            DDL_DEVICE_ERROR, "cuMemcpyDtoDAsync_v2 (48 bytes) failed");

  /* A ROCm tensor given to a CUDA model. */
  ddl_tensor *rocm = NULL;
  CHECK_OK(ddl_tensor_wrap_device(DDL_DTYPE_FLOAT, 2, dims, ddl_tensor_data(z),
                                  DDL_DEVICE_ROCM, 0, &rocm));
  ins[0] = rocm;
  w = (ddl_tensor *)1;
  CHECK_ERR(ddl_model_run_on_device(h, ins, 1, &w, 1), DDL_INVALID_ARGUMENT,
            "input 'x' is a rocm device tensor, but model 'device_add' runs "
            "on cuda");
  CHECK(w == NULL);
  ddl_tensor_destroy(rocm);

  /* A failing run hands out no device output and leaks nothing. */
  allocs = stats_of(lib).allocs;
  ins[0] = y;
  set_env("FAKE_CUDA_FAIL", "cuLaunchKernel@2");
  w = (ddl_tensor *)1;
  CHECK_ERR(ddl_model_run_on_device(h, ins, 1, &w, 1), DDL_DEVICE_ERROR,
            "cuLaunchKernel(add_scalar) failed");
  set_env("FAKE_CUDA_FAIL", NULL);
  CHECK(w == NULL);
  CHECK(stats_of(lib).allocs == allocs);

  /* Empty tensors. */
  ddl_tensor *empty = host_input(0), *e = NULL;
  ins[0] = empty;
  CHECK_OK(ddl_model_run_on_device(h, ins, 1, &e, 1));
  CHECK(ddl_tensor_byte_size(e) == 0);
  CHECK_OK(ddl_tensor_copy_to_host(e, NULL, 0));
  CHECK_OK(ddl_tensor_copy_to_device_buffer(e, NULL, 0));
  ddl_tensor_destroy(empty);

  /* Outputs outlive the handle: they keep the context, free through it. */
  ddl_model_close(h);
  gpu_stats g = stats_of(lib);
  CHECK(g.contexts == g0.contexts + 1);
  CHECK(g.modules == g0.modules);   /* the handle's caches are gone */
  CHECK(g.allocs == g0.allocs + 3); /* y, z and e */
  CHECK(holds(y, 3, 23.0f));
  ddl_tensor_destroy(y);
  ddl_tensor_destroy(e);
  CHECK(stats_of(lib).contexts == g0.contexts + 1);
  ddl_tensor_destroy(z);
  g = stats_of(lib);
  CHECK(g.allocs == g0.allocs && g.modules == g0.modules &&
        g.contexts == g0.contexts);
  ddl_tensor_destroy(x);
  set_env("DDL_CUDA_LIBRARY", NULL);
  report("device resident tensors", before);
}

/* Device tensors are tied to one ordinal. */
static void test_device_ordinals(ddl_runtime *rt) {
  int before = num_failures;
  set_env("DDL_CUDA_LIBRARY", model_path("libfake_cuda"));
  set_env("FAKE_CUDA_DEVICES", "2");
  gpu_stats g0 = stats_of("libfake_cuda");
  ddl_model_handle *h0 = NULL, *h1 = NULL;
  CHECK_OK(ddl_model_open_device(rt, model_path("fake_cuda_add_one"), 0, &h0));
  CHECK_OK(ddl_model_open_device(rt, model_path("fake_cuda_add_one"), 1, &h1));
  ddl_tensor *x = host_input(2);
  if (h0 && h1 && x) {
    const ddl_tensor *ins[1] = {x};
    ddl_tensor *y1 = NULL, *w = (ddl_tensor *)1;
    CHECK_OK(ddl_model_run_on_device(h1, ins, 1, &y1, 1));
    CHECK(ddl_tensor_device_kind(y1) == DDL_DEVICE_CUDA);
    CHECK(ddl_tensor_device_ordinal(y1) == 1);
    ins[0] = y1;
    CHECK_ERR(ddl_model_run_on_device(h0, ins, 1, &w, 1), DDL_INVALID_ARGUMENT,
              "input 'x' lives on cuda device 1, but model 'device_add' runs "
              "on CUDA device 0");
    CHECK(w == NULL);
    CHECK_ERR(ddl_model_run(h0, ins, 1, &w, 1), DDL_INVALID_ARGUMENT,
              "input 'x' lives on cuda device 1");
    CHECK_OK(ddl_model_run_on_device(h1, ins, 1, &w, 1));
    CHECK(holds(w, 2, 23.0f));
    ddl_tensor_destroy(w);
    /* Without a device: the placement check cannot say which ordinal, the
     * run still refuses. */
    ddl_model_handle *none = NULL;
    CHECK_OK(ddl_model_open_device(rt, model_path("fake_cuda_add_one"),
                                   DDL_NO_DEVICE, &none));
    CHECK_ERR(ddl_model_run_on_device(none, ins, 1, &w, 1), DDL_DEVICE_ERROR,
              "opened without a device");
    ddl_model_close(none);
    ddl_tensor_destroy(y1);
  }
  ddl_tensor_destroy(x);
  ddl_model_close(h0);
  ddl_model_close(h1);
  gpu_stats g = stats_of("libfake_cuda");
  CHECK(g.allocs == g0.allocs && g.contexts == g0.contexts);
  set_env("FAKE_CUDA_DEVICES", NULL);
  set_env("DDL_CUDA_LIBRARY", NULL);
  report("device ordinals", before);
}

/* The same on ROCm: hipMemcpy device to device. */
static void test_rocm_resident(ddl_runtime *rt) {
  int before = num_failures;
  set_env("DDL_HIP_LIBRARY", model_path("libfake_hip"));
  gpu_stats g0 = stats_of("libfake_hip");
  ddl_model_handle *h = NULL;
  CHECK_OK(ddl_model_open(rt, model_path("fake_rocm_add_one"), &h));
  ddl_tensor *x = host_input(2);
  if (h && x) {
    const ddl_tensor *ins[1] = {x};
    ddl_tensor *y = NULL, *z = NULL;
    CHECK_OK(ddl_model_run_on_device(h, ins, 1, &y, 1));
    CHECK(ddl_tensor_device_kind(y) == DDL_DEVICE_ROCM);
    ins[0] = y;
    gpu_copies c0 = copies_of("libfake_hip");
    CHECK_OK(ddl_model_run_on_device(h, ins, 1, &z, 1));
    CHECK(copies_are(c0, copies_of("libfake_hip"), 1, 2, 0));
    CHECK_OK(ddl_tensor_copy_to_device_buffer(z, ddl_tensor_data(y),
                                              ddl_tensor_byte_size(y)));
    CHECK(copies_are(c0, copies_of("libfake_hip"), 1, 2, 1));
    ddl_model_close(h);
    CHECK(holds(y, 2, 23.0f));
    ddl_tensor_destroy(y);
    ddl_tensor_destroy(z);
  } else {
    ddl_model_close(h);
  }
  ddl_tensor_destroy(x);
  CHECK(stats_of("libfake_hip").allocs == g0.allocs);
  set_env("DDL_HIP_LIBRARY", NULL);
  report("rocm device tensors", before);
}

/*===-- Streams and graph mode --------------------------------------------===*/

/* The fake driver's streams and graphs (fake_gpu_stream_stats). */
typedef struct {
  int live_streams;
  long default_ops, stream_ops;
  int captures, graph_launches, live_graphs, live_pinned;
} stream_stats;

/* Entry point `name` of the fake driver `lib` (the runtime keeps the
 * library loaded, so the pointer stays valid). */
static void *fake_sym(const char *lib, const char *name) {
  void *dl = dlopen(model_path(lib), RTLD_NOW | RTLD_LOCAL);
  void *sym = dl ? dlsym(dl, name) : NULL;
  if (dl)
    dlclose(dl);
  return sym;
}

static stream_stats stream_stats_of(const char *lib) {
  stream_stats t = {-1, -1, -1, -1, -1, -1, -1};
  void *sym = fake_sym(lib, "fake_gpu_stream_stats");
  void (*fn)(int *, long *, long *, int *, int *, int *, int *);
  if (sym) {
    memcpy(&fn, &sym, sizeof fn);
    fn(&t.live_streams, &t.default_ops, &t.stream_ops, &t.captures,
       &t.graph_launches, &t.live_graphs, &t.live_pinned);
  }
  return t;
}

/* Operations the fake driver ran on `stream` so far. */
static long stream_ops_of(const char *lib, void *stream) {
  void *sym = fake_sym(lib, "fake_gpu_stream_ops");
  long (*fn)(void *);
  if (!sym)
    return -2;
  memcpy(&fn, &sym, sizeof fn);
  return fn(stream);
}

/* Runs the device_add model on a [batch, 4] host input holding
 * i - 3 + offset; DDL_INTERNAL when the output is wrong. `on_device` runs
 * ddl_model_run_on_device (and reads the device output back). */
static ddl_status run_add(ddl_model_handle *h, int64_t batch, float offset,
                          int on_device) {
  ddl_tensor *x = host_input(batch), *y = NULL;
  if (!x)
    return DDL_OUT_OF_MEMORY;
  float *xs = ddl_tensor_data(x);
  for (int64_t i = 0; i < batch * 4; ++i)
    xs[i] += offset;
  const ddl_tensor *ins[] = {x};
  ddl_status s = on_device ? ddl_model_run_on_device(h, ins, 1, &y, 1)
                           : ddl_model_run(h, ins, 1, &y, 1);
  if (s == DDL_OK && !holds(y, batch, 11.5f + offset))
    s = DDL_INTERNAL;
  if (s == DDL_OK && on_device != (ddl_tensor_device_kind(y) != 0))
    s = DDL_INTERNAL;
  ddl_tensor_destroy(y);
  ddl_tensor_destroy(x);
  return s;
}

typedef int (*stream_create_fn)(void **, unsigned);
typedef int (*stream_destroy_fn)(void *);

/* A non-blocking stream made with the fake driver `lib` directly (the
 * caller's own), and its cuStreamDestroy in *destroy; NULL when it
 * cannot be had. */
static void *caller_stream(const char *lib, stream_destroy_fn *destroy) {
  stream_create_fn create = NULL;
  void *sym = fake_sym(lib, "cuStreamCreate");
  if (sym)
    memcpy(&create, &sym, sizeof create);
  sym = fake_sym(lib, "cuStreamDestroy_v2");
  if (sym)
    memcpy(destroy, &sym, sizeof *destroy);
  void *stream = NULL;
  if (!create || !*destroy || create(&stream, 1) != 0)
    return NULL;
  return stream;
}

/* Runs go on the handle's own non-blocking streams, or on the caller's. */
static void test_device_streams(ddl_runtime *rt) {
  int before = num_failures;
  const char *lib = "libfake_cuda";
  set_env("DDL_CUDA_LIBRARY", model_path(lib));
  gpu_stats g0 = stats_of(lib);
  stream_stats t0 = stream_stats_of(lib);
  ddl_model_handle *h = NULL;
  CHECK_OK(ddl_model_open(rt, model_path("fake_cuda_add_one"), &h));
  if (!h) {
    set_env("DDL_CUDA_LIBRARY", NULL);
    return report("device streams", before);
  }
  /* A run: 3 launches, 1 upload of x, the model's scalar upload and 2
   * reads, the output's copy back; the constant's upload. All on own
   * streams, none on the legacy default stream. */
  CHECK_OK(run_add(h, 3, 0.0f, 0));
  stream_stats t1 = stream_stats_of(lib);
  CHECK(t1.default_ops == t0.default_ops);
  CHECK(t1.stream_ops == t0.stream_ops + 9);
  CHECK(t1.live_streams >= t0.live_streams + 1);
  int streams = t1.live_streams;
  /* The next run reuses the idle stream. */
  CHECK_OK(run_add(h, 2, 1.0f, 1));
  CHECK_OK(run_add(h, 2, 1.0f, 0));
  CHECK(stream_stats_of(lib).live_streams == streams);
  CHECK(stream_stats_of(lib).default_ops == t0.default_ops);

  /* Several threads at once: each run takes a stream of the pool. */
  pthread_t th[4];
  device_run_args ra[4];
  for (int i = 0; i < 4; ++i) {
    ra[i] = (device_run_args){h, 1 + 7 * i, 0};
    pthread_create(&th[i], NULL, device_runs, &ra[i]);
  }
  for (int i = 0; i < 4; ++i) {
    pthread_join(th[i], NULL);
    CHECK(ra[i].ok);
  }
  CHECK(stream_stats_of(lib).default_ops == t0.default_ops);

  /* The caller's stream: the run's work, and the copies of a device output
   * it made, go there; no own stream is made. */
  stream_destroy_fn destroy = NULL;
  void *mine = caller_stream(lib, &destroy);
  CHECK(mine != NULL);
  CHECK_OK(ddl_model_set_stream(h, mine));
  int live = stream_stats_of(lib).live_streams;
  CHECK_OK(run_add(h, 3, 2.0f, 0));
  CHECK(stream_ops_of(lib, mine) == 8);
  ddl_tensor *x = host_input(2), *y = NULL;
  const ddl_tensor *ins[] = {x};
  CHECK_OK(ddl_model_run_on_device(h, ins, 1, &y, 1));
  long ops = stream_ops_of(lib, mine);
  CHECK(holds(y, 2, 11.5f)); /* ddl_tensor_copy_to_host on `mine` */
  CHECK(stream_ops_of(lib, mine) == ops + 1);
  CHECK(stream_stats_of(lib).live_streams == live);
  /* NULL is the legacy default stream (PyTorch's default stream). */
  stream_stats t2 = stream_stats_of(lib);
  CHECK_OK(ddl_model_set_stream(h, NULL));
  CHECK_OK(run_add(h, 3, 0.0f, 0));
  CHECK(stream_stats_of(lib).default_ops == t2.default_ops + 8);
  /* Back to the handle's own streams. */
  CHECK_OK(ddl_model_set_stream(h, DDL_STREAM_OWN));
  ops = stream_ops_of(lib, mine);
  CHECK_OK(run_add(h, 3, 0.0f, 0));
  CHECK(stream_ops_of(lib, mine) == ops);
  CHECK(stream_stats_of(lib).default_ops == t2.default_ops + 8);
  if (destroy && mine)
    destroy(mine);

  /* A device output copied after the close: on an own stream, destroyed
   * with the last reference. */
  ddl_model_close(h);
  CHECK(holds(y, 2, 11.5f));
  ddl_tensor_destroy(y);
  ddl_tensor_destroy(x);
  stream_stats t3 = stream_stats_of(lib);
  CHECK(t3.live_streams == t0.live_streams);
  gpu_stats g = stats_of(lib);
  CHECK(g.allocs == g0.allocs && g.contexts == g0.contexts);

  /* Refusals. */
  ddl_model_handle *cpu = NULL, *none = NULL;
  CHECK_OK(ddl_model_open(rt, model_path("fake_add_one"), &cpu));
  CHECK_ERR(ddl_model_set_stream(cpu, NULL), DDL_INVALID_ARGUMENT,
            "ddl_model_set_stream: model 'add_one' is a CPU model");
  ddl_model_close(cpu);
  CHECK_OK(ddl_model_open_device(rt, model_path("fake_cuda_add_one"),
                                 DDL_NO_DEVICE, &none));
  CHECK_ERR(ddl_model_set_stream(none, NULL), DDL_INVALID_ARGUMENT,
            "opened without a device");
  ddl_model_close(none);
  CHECK_ERR(ddl_model_set_stream(NULL, NULL), DDL_INVALID_ARGUMENT,
            "model handle is NULL");
  set_env("FAKE_CUDA_FAIL", "cuStreamCreate");
  CHECK_OK(ddl_model_open(rt, model_path("fake_cuda_add_one"), &h));
  CHECK_ERR(run_add(h, 1, 0.0f, 0), DDL_DEVICE_ERROR,
            "cuStreamCreate failed: CUDA_ERROR_UNKNOWN");
  set_env("FAKE_CUDA_FAIL", NULL);
  CHECK_OK(run_add(h, 1, 0.0f, 0));
  ddl_model_close(h);
  CHECK(stream_stats_of(lib).live_streams == t0.live_streams);

  /* ROCm: hipStreamCreateWithFlags, hipMemcpyAsync. */
  set_env("DDL_HIP_LIBRARY", model_path("libfake_hip"));
  stream_stats r0 = stream_stats_of("libfake_hip");
  CHECK_OK(ddl_model_open(rt, model_path("fake_rocm_add_one"), &h));
  CHECK_OK(run_add(h, 3, 0.0f, 0));
  CHECK_OK(run_add(h, 3, 1.0f, 1));
  stream_stats r1 = stream_stats_of("libfake_hip");
  CHECK(r1.default_ops == r0.default_ops && r1.stream_ops > r0.stream_ops);
  ddl_model_close(h);
  CHECK(stream_stats_of("libfake_hip").live_streams == r0.live_streams);
  set_env("DDL_HIP_LIBRARY", NULL);
  set_env("DDL_CUDA_LIBRARY", NULL);
  report("device streams", before);
}

/* The fake driver's stream and context synchronizations so far. */
typedef struct {
  long stream, context;
} sync_counts;

static sync_counts syncs_of(const char *lib) {
  sync_counts c = {-1, -1};
  void *sym = fake_sym(lib, "fake_gpu_syncs");
  void (*fn)(long *, long *);
  if (sym) {
    memcpy(&fn, &sym, sizeof fn);
    fn(&c.stream, &c.context);
  }
  return c;
}

/* Stream-ordered runs (ddl_model_set_stream_ordered) on the caller's
 * stream return without waiting; their outputs are copied on that stream
 * and freed in its order, with no device-wide wait. */
static void test_stream_ordered(ddl_runtime *rt) {
  int before = num_failures;
  const char *lib = "libfake_cuda";
  set_env("DDL_CUDA_LIBRARY", model_path(lib));
  ddl_model_handle *h = NULL;
  CHECK_OK(ddl_model_open(rt, model_path("fake_cuda_no_readback"), &h));
  stream_destroy_fn destroy = NULL;
  void *mine = caller_stream(lib, &destroy);
  CHECK(mine != NULL);
  if (!h || !mine) {
    ddl_model_close(h);
    set_env("DDL_CUDA_LIBRARY", NULL);
    return report("stream-ordered runs", before);
  }
  CHECK_OK(ddl_model_set_stream(h, mine));
  CHECK_OK(ddl_model_set_stream_ordered(h, 1));
  /* A first run loads the kernels and uploads the constant. */
  CHECK_OK(run_add(h, 3, 0.0f, 1));
  int settled = stats_of(lib).allocs;

  ddl_tensor *x = host_input(3), *y = NULL;
  const ddl_tensor *ins[] = {x};
  sync_counts s0 = syncs_of(lib);
  CHECK_OK(ddl_model_run_on_device(h, ins, 1, &y, 1));
  sync_counts s1 = syncs_of(lib);
  CHECK(s1.stream == s0.stream && s1.context == s0.context);
  long ops = stream_ops_of(lib, mine);
  CHECK(holds(y, 3, 11.5f)); /* copied on `mine`, and waited for */
  CHECK(stream_ops_of(lib, mine) == ops + 1);
  CHECK(syncs_of(lib).stream == s1.stream + 1);
  /* Freed in the stream's order: a failing device-wide wait is not met. */
  set_env("FAKE_CUDA_FAIL", "cuCtxSynchronize");
  ddl_tensor_destroy(y);
  set_env("FAKE_CUDA_FAIL", NULL);
  CHECK(stats_of(lib).allocs == settled);
  CHECK(syncs_of(lib).context == s1.context);

  /* Host outputs, and runs with the mode off, still wait. */
  s0 = syncs_of(lib);
  CHECK_OK(run_add(h, 3, 1.0f, 0));
  CHECK(syncs_of(lib).stream > s0.stream);
  CHECK_OK(ddl_model_set_stream_ordered(h, 0));
  s0 = syncs_of(lib);
  CHECK_OK(ddl_model_run_on_device(h, ins, 1, &y, 1));
  CHECK(syncs_of(lib).stream == s0.stream + 1);
  ddl_tensor_destroy(y);
  CHECK(syncs_of(lib).context == s0.context + 1);

  /* Graph replays: queued without a wait; another stream waits for them
   * first, the same stream does not. */
  CHECK_OK(ddl_model_set_stream_ordered(h, 1));
  CHECK_OK(ddl_model_enable_graph(h, 1));
  s0 = syncs_of(lib);
  for (int r = 0; r < 4; ++r)
    CHECK_OK(run_add(h, 3, (float)r, 1)); /* reads back: 1 wait each */
  int64_t captures = -1, launches = -1;
  CHECK_OK(ddl_model_graph_stats(h, &captures, &launches, NULL));
  CHECK(captures == 1 && launches == 3);
  CHECK(syncs_of(lib).stream == s0.stream + 4);
  s0 = syncs_of(lib);
  CHECK_OK(ddl_model_set_stream(h, mine));
  CHECK(syncs_of(lib).stream == s0.stream);
  CHECK_OK(ddl_model_set_stream(h, NULL));
  CHECK(syncs_of(lib).stream == s0.stream + 1);
  CHECK_OK(ddl_model_set_stream(h, DDL_STREAM_OWN));
  CHECK(syncs_of(lib).stream == s0.stream + 1);
  ddl_model_close(h);
  ddl_tensor_destroy(x);
  destroy(mine);

  /* Refusals. */
  ddl_model_handle *cpu = NULL;
  CHECK_OK(ddl_model_open(rt, model_path("fake_add_one"), &cpu));
  CHECK_ERR(ddl_model_set_stream_ordered(cpu, 1), DDL_INVALID_ARGUMENT,
            "ddl_model_set_stream_ordered: model 'add_one' is a CPU model");
  ddl_model_close(cpu);
  CHECK_ERR(ddl_model_set_stream_ordered(NULL, 1), DDL_INVALID_ARGUMENT,
            "model handle is NULL");
  set_env("DDL_CUDA_LIBRARY", NULL);
  report("stream-ordered runs", before);
}

typedef struct {
  ddl_model_handle *h;
  int ok;
} graph_run_args;

static void *graph_runs(void *p) {
  graph_run_args *a = p;
  a->ok = 1;
  for (int round = 0; round < 10; ++round)
    a->ok &= run_add(a->h, 3, (float)round, round % 2) == DDL_OK;
  return NULL;
}

/* Graph mode: one normal run, one capture, then replays. */
static void test_cuda_graph(ddl_runtime *rt) {
  int before = num_failures;
  const char *lib = "libfake_cuda";
  set_env("DDL_CUDA_LIBRARY", model_path(lib));
  gpu_stats g0 = stats_of(lib);
  stream_stats t0 = stream_stats_of(lib);
  ddl_model_handle *h = NULL;
  CHECK_OK(ddl_model_open(rt, model_path("fake_cuda_no_readback"), &h));
  if (!h) {
    set_env("DDL_CUDA_LIBRARY", NULL);
    return report("cuda graph", before);
  }
  CHECK_OK(ddl_model_enable_graph(h, 1));
  int64_t captures = -1, launches = -1;
  const char *why = "unset";
  CHECK_OK(ddl_model_graph_stats(h, &captures, &launches, &why));
  CHECK(captures == 0 && launches == 0 && why == NULL);

  /* Run 1: normal (kernels load, the constant uploads). */
  CHECK_OK(run_add(h, 3, 0.0f, 0));
  gpu_stats g1 = stats_of(lib);
  CHECK(g1.launches == g0.launches + 3);
  CHECK(stream_stats_of(lib).captures == t0.captures);
  /* Run 2: captured (nothing runs), then launched; runs 3..7: replays,
   * each with new input values. */
  const int n = 5;
  for (int r = 0; r <= n; ++r)
    CHECK_OK(run_add(h, 3, (float)(r + 1) * 100.0f, 0));
  gpu_stats g2 = stats_of(lib);
  stream_stats t2 = stream_stats_of(lib);
  CHECK(t2.captures == t0.captures + 1);
  CHECK(t2.graph_launches == t0.graph_launches + n + 1);
  CHECK(g2.launches == g1.launches + 3 * (n + 1)); /* each kernel n+1 times */
  CHECK(t2.default_ops == t0.default_ops);
  CHECK_OK(ddl_model_graph_stats(h, &captures, &launches, &why));
  CHECK(captures == 1 && launches == n + 1 && why == NULL);
  /* The graph keeps its executable, the staged 0.5 (page-locked), its
   * input, arena, temporary and output buffers. */
  CHECK(t2.live_graphs == t0.live_graphs + 1);
  CHECK(t2.live_pinned == t0.live_pinned + 1);
  int graph_allocs = g2.allocs;

  /* Device inputs at other addresses, device outputs: no recapture; each
   * output is a copy the caller owns. */
  ddl_tensor *x = host_input(3), *a = NULL, *b = NULL, *c = NULL;
  const ddl_tensor *ins[] = {x};
  CHECK_OK(ddl_model_run_on_device(h, ins, 1, &a, 1));
  ins[0] = a;
  CHECK_OK(ddl_model_run_on_device(h, ins, 1, &b, 1));
  ins[0] = b;
  CHECK_OK(ddl_model_run_on_device(h, ins, 1, &c, 1));
  CHECK(holds(a, 3, 11.5f) && holds(b, 3, 23.0f) && holds(c, 3, 34.5f));
  CHECK(ddl_tensor_data(a) != ddl_tensor_data(b));
  CHECK(stats_of(lib).allocs == graph_allocs + 3);
  ddl_tensor_destroy(a);
  ddl_tensor_destroy(b);
  ddl_tensor_destroy(c);
  CHECK(stats_of(lib).allocs == graph_allocs);
  CHECK(stream_stats_of(lib).captures == t0.captures + 1);

  /* Other shapes: a normal run, then a graph of their own; the first
   * shapes' graph is still there. */
  CHECK_OK(run_add(h, 5, 1.0f, 0));
  CHECK(stream_stats_of(lib).captures == t0.captures + 1);
  CHECK_OK(run_add(h, 5, 2.0f, 1));
  CHECK_OK(run_add(h, 5, 3.0f, 0));
  CHECK(stream_stats_of(lib).captures == t0.captures + 2);
  CHECK_OK(run_add(h, 3, 4.0f, 0));
  CHECK(stream_stats_of(lib).captures == t0.captures + 2);
  CHECK(stream_stats_of(lib).live_graphs == t0.live_graphs + 2);
  /* Empty inputs are captured too. */
  CHECK_OK(run_add(h, 0, 0.0f, 0));
  CHECK_OK(run_add(h, 0, 0.0f, 1));
  CHECK_OK(run_add(h, 0, 0.0f, 0));

  /* Concurrent runs: one replays, the others run normally. */
  pthread_t th[4];
  graph_run_args ga[4];
  for (int i = 0; i < 4; ++i) {
    ga[i] = (graph_run_args){h, 0};
    pthread_create(&th[i], NULL, graph_runs, &ga[i]);
  }
  for (int i = 0; i < 4; ++i) {
    pthread_join(th[i], NULL);
    CHECK(ga[i].ok);
  }

  /* A failing replay: an error, no output, nothing leaked. */
  int allocs = stats_of(lib).allocs;
  set_env("FAKE_CUDA_FAIL", "cuGraphLaunch");
  CHECK_ERR(run_add(h, 3, 0.0f, 0), DDL_DEVICE_ERROR,
            "cuGraphLaunch failed: CUDA_ERROR_LAUNCH_FAILED");
  CHECK_ERR(run_add(h, 3, 0.0f, 1), DDL_DEVICE_ERROR, "cuGraphLaunch failed");
  set_env("FAKE_CUDA_FAIL", NULL);
  CHECK(stats_of(lib).allocs == allocs);
  CHECK_OK(run_add(h, 3, 0.0f, 0));

  /* Disabling frees the graphs; the handle keeps its arena and constant. */
  CHECK_OK(ddl_model_enable_graph(h, 0));
  stream_stats t3 = stream_stats_of(lib);
  CHECK(t3.live_graphs == t0.live_graphs && t3.live_pinned == t0.live_pinned);
  CHECK(stats_of(lib).allocs == g0.allocs + 2);
  CHECK_OK(run_add(h, 3, 0.0f, 0));
  CHECK(stream_stats_of(lib).graph_launches == t3.graph_launches);
  /* On again, and closed with graphs alive: nothing left behind. */
  CHECK_OK(ddl_model_enable_graph(h, 1));
  CHECK_OK(run_add(h, 2, 0.0f, 0));
  CHECK_OK(run_add(h, 2, 0.0f, 0));
  CHECK(stream_stats_of(lib).live_graphs == t0.live_graphs + 1);
  ddl_model_close(h);
  ddl_tensor_destroy(x);
  gpu_stats g = stats_of(lib);
  stream_stats t = stream_stats_of(lib);
  CHECK(g.allocs == g0.allocs && g.modules == g0.modules &&
        g.contexts == g0.contexts);
  CHECK(t.live_graphs == t0.live_graphs && t.live_pinned == t0.live_pinned &&
        t.live_streams == t0.live_streams);
  set_env("DDL_CUDA_LIBRARY", NULL);
  report("cuda graph", before);
}

/* Graph mode on models that cannot be captured: they run normally, the
 * reason is kept, nothing leaks. */
static void test_cuda_graph_fallback(ddl_runtime *rt) {
  int before = num_failures;
  const char *lib = "libfake_cuda";
  set_env("DDL_CUDA_LIBRARY", model_path(lib));
  gpu_stats g0 = stats_of(lib);
  stream_stats t0 = stream_stats_of(lib);
  const char *why = NULL;
  int64_t captures = -1, launches = -1;

  /* Reads device memory from its run: seen on the first (normal) run. */
  ddl_model_handle *h = NULL;
  CHECK_OK(ddl_model_open(rt, model_path("fake_cuda_add_one"), &h));
  CHECK_OK(ddl_model_enable_graph(h, 1));
  for (int r = 0; r < 4; ++r)
    CHECK_OK(run_add(h, 3, (float)r, r % 2));
  CHECK_OK(ddl_model_graph_stats(h, &captures, &launches, &why));
  CHECK(captures == 0 && launches == 0);
  CHECK(why && strstr(why, "reads device memory on the host during its run"));
  CHECK(stream_stats_of(lib).captures == t0.captures);
  ddl_model_close(h);

  /* Starts reading once captured: the capture is dropped, the run done
   * normally, and the model runs normally from then on. */
  CHECK_OK(ddl_model_open(rt, model_path("fake_cuda_late_readback"), &h));
  CHECK_OK(ddl_model_enable_graph(h, 1));
  for (int r = 0; r < 4; ++r)
    CHECK_OK(run_add(h, 2, (float)r, r % 2));
  CHECK_OK(ddl_model_graph_stats(h, &captures, &launches, &why));
  CHECK(captures == 0 && launches == 0);
  CHECK(why && strstr(why, "reads device memory on the host"));
  stream_stats t1 = stream_stats_of(lib);
  CHECK(t1.live_graphs == t0.live_graphs && t1.live_pinned == t0.live_pinned);
  CHECK(t1.graph_launches == t0.graph_launches);
  ddl_model_close(h);

  /* The capture itself fails: remembered, the runs are right. */
  CHECK_OK(ddl_model_open(rt, model_path("fake_cuda_no_readback"), &h));
  CHECK_OK(ddl_model_enable_graph(h, 1));
  CHECK_OK(run_add(h, 2, 0.0f, 0));
  set_env("FAKE_CUDA_FAIL", "cuStreamBeginCapture_v2");
  CHECK_OK(run_add(h, 2, 1.0f, 0));
  set_env("FAKE_CUDA_FAIL", NULL);
  CHECK_OK(run_add(h, 2, 2.0f, 0));
  CHECK_OK(ddl_model_graph_stats(h, &captures, &launches, &why));
  CHECK(captures == 0 && why &&
        strstr(why, "graph capture failed: cuStreamBeginCapture_v2 failed"));
  ddl_model_close(h);
  CHECK_OK(ddl_model_open(rt, model_path("fake_cuda_no_readback"), &h));
  CHECK_OK(ddl_model_enable_graph(h, 1));
  CHECK_OK(run_add(h, 2, 0.0f, 0));
  set_env("FAKE_CUDA_FAIL", "cuGraphInstantiateWithFlags");
  CHECK_OK(run_add(h, 2, 1.0f, 1));
  set_env("FAKE_CUDA_FAIL", NULL);
  CHECK_OK(ddl_model_graph_stats(h, &captures, &launches, &why));
  CHECK(captures == 0 && why && strstr(why, "cuGraphInstantiateWithFlags"));
  ddl_model_close(h);
  stream_stats t2 = stream_stats_of(lib);
  gpu_stats g = stats_of(lib);
  CHECK(g.allocs == g0.allocs && g.contexts == g0.contexts);
  CHECK(t2.live_graphs == t0.live_graphs && t2.live_pinned == t0.live_pinned &&
        t2.live_streams == t0.live_streams);

  /* ROCm: not implemented, runs normally. CPU models: refused. */
  set_env("DDL_HIP_LIBRARY", model_path("libfake_hip"));
  CHECK_OK(ddl_model_open(rt, model_path("fake_rocm_add_one"), &h));
  CHECK_OK(ddl_model_enable_graph(h, 1));
  CHECK_OK(run_add(h, 2, 0.0f, 0));
  CHECK_OK(run_add(h, 2, 1.0f, 0));
  CHECK_OK(ddl_model_graph_stats(h, &captures, NULL, &why));
  CHECK(captures == 0 && why &&
        strstr(why, "graph capture is not implemented for rocm models"));
  ddl_model_close(h);
  set_env("DDL_HIP_LIBRARY", NULL);
  CHECK_OK(ddl_model_open(rt, model_path("fake_add_one"), &h));
  CHECK_ERR(ddl_model_enable_graph(h, 1), DDL_INVALID_ARGUMENT,
            "ddl_model_enable_graph: model 'add_one' is a CPU model");
  ddl_model_close(h);
  CHECK_ERR(ddl_model_graph_stats(NULL, NULL, NULL, NULL), DDL_INVALID_ARGUMENT,
            "model handle is NULL");
  set_env("DDL_CUDA_LIBRARY", NULL);
  report("cuda graph fallback", before);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s MODEL_DIR\n", argv[0]);
    return 2;
  }
  model_dir = argv[1];
  test_basics();
  test_tensors();
  test_sequences();
  test_pool();
  ddl_runtime *rt = NULL;
  if (ddl_runtime_create(4, &rt) != DDL_OK) {
    fprintf(stderr, "cannot create a runtime: %s\n", ddl_last_error());
    return 1;
  }
  test_open(rt);
  test_add_one(rt);
  test_two_inputs(rt);
  test_parallel(rt);
  test_run_failures(rt);
  test_device_open(rt);
  test_cuda_model(rt);
  test_device_failures(rt);
  test_rocm_model(rt);
  test_device_tensor_api(rt);
  test_device_resident(rt);
  test_device_ordinals(rt);
  test_rocm_resident(rt);
  test_device_streams(rt);
  test_stream_ordered(rt);
  test_cuda_graph(rt);
  test_cuda_graph_fallback(rt);
  ddl_runtime_destroy(rt);
  printf("%d checks, %d failed\n", num_checks, num_failures);
  return num_failures ? 1 : 0;
}
