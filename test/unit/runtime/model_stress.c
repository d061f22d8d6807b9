/*===- model_stress.c - bad inputs and concurrent runs of compiled models -===*
 *
 *   ddl-runtime-stress MODEL.so [MODEL2.so]
 *
 * Drives real models compiled by ddlc (float32 inputs whose dynamic
 * dimensions all take one batch value) through the public runtime API:
 *
 * - bad inputs: a wrong dtype, rank or static size, a missing or an extra
 *   input, a NULL input, NaN and Inf values, a zero-size batch, the same
 *   tensor given for two inputs: each gets its documented status (or runs,
 *   for NaN/Inf, zero sizes and aliasing) and no outputs, and a good run
 *   afterwards still gives the reference outputs (nothing corrupted the
 *   cached arena);
 * - concurrency: several threads run one handle at once (private arenas)
 *   with different batch sizes, while another thread runs the second
 *   model on the same runtime; every output must equal, bit for bit, the
 *   single-threaded reference of its batch size.
 *
 * Built twice: plainly, and with ThreadSanitizer (ddl-runtime-stress-tsan,
 * the runtime's sources instrumented too). Prints a PASS or FAIL line per
 * part and "N checks, M failed"; exits 1 on any failure.
 *===----------------------------------------------------------------------===*/
#include "model_driver.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { THREADS = 4, RUNS_PER_THREAD = 12 };

/* A call that must fail with `want` and leave every output NULL. */
static void expect_refused(const model *m, ddl_tensor **ins, size_t num_in,
                           ddl_status want, const char *what) {
  ddl_tensor *outs[MAX_IO];
  for (size_t o = 0; o < MAX_IO; ++o)
    outs[o] = (ddl_tensor *)&checks; /* must be overwritten with NULL */
  ddl_status s = run(m, ins, num_in, outs);
  CHECK(s == want, "%s: status %s, expected %s", what, ddl_status_name(s),
        ddl_status_name(want));
  for (size_t o = 0; o < m->num_out; ++o)
    CHECK(outs[o] == NULL, "%s: output %zu not NULL", what, o);
  if (s == DDL_OK)
    destroy_all(outs, m->num_out);
  CHECK(run_matches(m, 1), "a good run after %s differs from the reference",
        what);
}

static void test_bad_inputs(const model *m) {
  int before = failures;
  ddl_tensor *ins[MAX_IO + 1] = {0};
  for (size_t i = 0; i < m->num_in; ++i)
    ins[i] = make_input(m, i, 2, 0);
  const ddl_tensor_info *info = ddl_model_input_info(m->h, 0);

  /* Wrong dtype: the same dims, int32. */
  ddl_tensor *saved = ins[0], *wrong = NULL;
  if (ddl_tensor_create(DDL_DTYPE_INT32, ddl_tensor_rank(saved),
                        ddl_tensor_dims(saved), &wrong) == DDL_OK) {
    ins[0] = wrong;
    expect_refused(m, ins, m->num_in, DDL_DTYPE_MISMATCH, "a wrong dtype");
    ddl_tensor_destroy(wrong);
  }
  /* Wrong rank: one more dimension. */
  int64_t dims[9];
  memcpy(dims, ddl_tensor_dims(saved), sizeof(int64_t) * (size_t)info->rank);
  dims[info->rank] = 1;
  if (ddl_tensor_create(info->dtype, info->rank + 1, dims, &wrong) == DDL_OK) {
    ins[0] = wrong;
    expect_refused(m, ins, m->num_in, DDL_SHAPE_MISMATCH, "a wrong rank");
    ddl_tensor_destroy(wrong);
  }
  /* A wrong static size (where there is one). */
  for (int d = 0; d < info->rank; ++d) {
    if (info->dims[d] < 0)
      continue;
    memcpy(dims, ddl_tensor_dims(saved), sizeof(int64_t) * (size_t)info->rank);
    dims[d] += 1;
    if (ddl_tensor_create(info->dtype, info->rank, dims, &wrong) == DDL_OK) {
      ins[0] = wrong;
      expect_refused(m, ins, m->num_in, DDL_SHAPE_MISMATCH,
                     "a wrong static size");
      ddl_tensor_destroy(wrong);
    }
    break;
  }
  ins[0] = saved;
  /* Missing and extra inputs, a NULL input. */
  expect_refused(m, ins, m->num_in - 1, DDL_INVALID_ARGUMENT,
                 "a missing input");
  ins[m->num_in] = ins[0];
  expect_refused(m, ins, m->num_in + 1, DDL_INVALID_ARGUMENT, "an extra input");
  ins[m->num_in] = NULL;
  ins[0] = NULL;
  expect_refused(m, ins, m->num_in, DDL_INVALID_ARGUMENT, "a NULL input");
  ins[0] = saved;

  /* NaN and Inf run; NaN inputs give NaN somewhere in the outputs of a
   * model whose outputs depend on every input value. */
  for (int pass = 0; pass < 2; ++pass) {
    ddl_tensor *special[MAX_IO] = {0}, *outs[MAX_IO] = {0};
    for (size_t i = 0; i < m->num_in; ++i)
      special[i] = make_input(m, i, 2, pass == 0 ? NAN : INFINITY);
    ddl_status s = run(m, special, m->num_in, outs);
    CHECK(s == DDL_OK, "%s inputs: status %s", pass ? "Inf" : "NaN",
          ddl_status_name(s));
    destroy_all(special, m->num_in);
    destroy_all(outs, m->num_out);
    CHECK(run_matches(m, 1), "a good run after %s inputs differs",
          pass ? "Inf" : "NaN");
  }
  /* A zero-size batch: runs, and every output with a dynamic dimension is
   * empty. */
  {
    ddl_tensor *empty[MAX_IO] = {0}, *outs[MAX_IO] = {0};
    for (size_t i = 0; i < m->num_in; ++i)
      empty[i] = make_input(m, i, 0, 0);
    ddl_status s = run(m, empty, m->num_in, outs);
    CHECK(s == DDL_OK, "a zero-size batch: status %s", ddl_status_name(s));
    for (size_t o = 0; s == DDL_OK && o < m->num_out; ++o) {
      const ddl_tensor_info *oi = ddl_model_output_info(m->h, o);
      int dynamic = 0;
      for (int d = 0; d < oi->rank; ++d)
        dynamic |= oi->dims[d] < 0;
      CHECK(!dynamic || ddl_tensor_num_elements(outs[o]) == 0,
            "output %zu of a zero-size batch has %lld elements", o,
            (long long)ddl_tensor_num_elements(outs[o]));
    }
    destroy_all(empty, m->num_in);
    destroy_all(outs, m->num_out);
    CHECK(run_matches(m, 1), "a good run after a zero-size batch differs");
  }
  /* One tensor for two inputs of the same signature (aliasing): the same
   * outputs as two equal copies. */
  for (size_t j = 1; j < m->num_in; ++j) {
    if (ddl_tensor_dtype(ins[j]) != ddl_tensor_dtype(ins[0]) ||
        ddl_tensor_byte_size(ins[j]) != ddl_tensor_byte_size(ins[0]) ||
        ddl_tensor_rank(ins[j]) != ddl_tensor_rank(ins[0]))
      continue;
    ddl_tensor *copy = ins[j], *outs_alias[MAX_IO] = {0},
               *outs_copy[MAX_IO] = {0}, *dup = NULL;
    ins[j] = ins[0];
    ddl_status s = run(m, ins, m->num_in, outs_alias);
    CHECK(s == DDL_OK, "aliased inputs: status %s", ddl_status_name(s));
    if (ddl_tensor_create(ddl_tensor_dtype(ins[0]), ddl_tensor_rank(ins[0]),
                          ddl_tensor_dims(ins[0]), &dup) == DDL_OK) {
      memcpy(ddl_tensor_data(dup), ddl_tensor_data(ins[0]),
             ddl_tensor_byte_size(dup));
      ins[j] = dup;
      CHECK(run(m, ins, m->num_in, outs_copy) == DDL_OK, "copied inputs");
      for (size_t o = 0; s == DDL_OK && o < m->num_out; ++o)
        CHECK(same(outs_alias[o], outs_copy[o]),
              "output %zu differs between aliased and copied inputs", o);
      ddl_tensor_destroy(dup);
    }
    destroy_all(outs_alias, m->num_out);
    destroy_all(outs_copy, m->num_out);
    ins[j] = copy;
    break;
  }
  destroy_all(ins, m->num_in);
  printf("%s bad inputs\n", failures == before ? "PASS" : "FAIL");
}

typedef struct {
  const model *m;
  int seed, runs, mismatches;
} worker_args;

static void *worker(void *p) {
  worker_args *a = p;
  for (int r = 0; r < a->runs; ++r)
    if (!run_matches(a->m, (a->seed + r) % NUM_BATCHES))
      ++a->mismatches;
  return NULL;
}

static void test_concurrency(const model *m, const model *other) {
  int before = failures;
  pthread_t threads[THREADS + 1];
  worker_args args[THREADS + 1];
  int n = 0;
  for (; n < THREADS; ++n) {
    args[n] = (worker_args){m, n, RUNS_PER_THREAD, 0};
    pthread_create(&threads[n], NULL, worker, &args[n]);
  }
  if (other) {
    args[n] = (worker_args){other, 1, RUNS_PER_THREAD, 0};
    pthread_create(&threads[n], NULL, worker, &args[n]);
    ++n;
  }
  for (int t = 0; t < n; ++t) {
    pthread_join(threads[t], NULL);
    CHECK(args[t].mismatches == 0, "thread %d: %d of %d runs differ", t,
          args[t].mismatches, args[t].runs);
  }
  printf("%s concurrent runs (%d threads x %d runs%s)\n",
         failures == before ? "PASS" : "FAIL", THREADS, RUNS_PER_THREAD,
         other ? ", and a second model" : "");
}

int main(int argc, char **argv) {
  if (argc < 2 || argc > 3) {
    fprintf(stderr, "usage: %s MODEL.so [MODEL2.so]\n", argv[0]);
    return 2;
  }
  ddl_runtime *rt = NULL;
  if (ddl_runtime_create(3, &rt) != DDL_OK) {
    fprintf(stderr, "no runtime: %s\n", ddl_last_error());
    return 1;
  }
  model a, b;
  int ok = open_model(rt, argv[1], &a);
  int have_b = ok && argc == 3 && open_model(rt, argv[2], &b);
  if (!ok || (argc == 3 && !have_b))
    return 1;
  test_bad_inputs(&a);
  if (have_b)
    test_bad_inputs(&b);
  test_concurrency(&a, have_b ? &b : NULL);
  close_model(&a);
  if (have_b)
    close_model(&b);
  ddl_runtime_destroy(rt);
  printf("%d checks, %d failed\n", checks, failures);
  return failures ? 1 : 0;
}
