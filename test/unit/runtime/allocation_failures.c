/*===- allocation_failures.c - injected allocation failures in real runs --===*
 *
 *   ddl-runtime-alloc-failures MODEL.so [MODEL.so ...]
 *
 * This program replaces malloc, calloc, realloc, aligned_alloc,
 * posix_memalign, memalign and free (glibc's own allocator underneath, as
 * glibc allows a program to do), so every allocation of the process goes
 * through it: the runtime's and the compiled model's (a dlopen'ed model
 * binds to the program's malloc). It counts them and their live buffers,
 * and can make the N-th allocation from now return NULL.
 *
 * For each model (float32 inputs whose dynamic dimensions take one batch
 * value) it counts the allocations of one run, then for every k of them
 * makes the k-th fail:
 *
 * - the run returns DDL_OUT_OF_MEMORY with no outputs; only where the
 *   failed request was of 0 bytes (malloc(0) may return NULL: the model
 *   checks for that) does it run instead, with the reference outputs;
 * - nothing leaks: after a good run and freeing its outputs, the live
 *   buffers are exactly those before the failed run;
 * - the model stays usable: that good run gives the reference outputs.
 *
 * It does the same for opening the model (every allocation of
 * ddl_model_open but dlopen's own) and for creating tensors, and once with
 * a pool of several threads. Not built with sanitizers (they replace
 * malloc themselves); the counting here is its leak check. Prints a PASS
 * or FAIL line per part and "N checks, M failed"; exits 1 on any failure.
 *===----------------------------------------------------------------------===*/
#define _GNU_SOURCE
#include "model_driver.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>

/* --- the allocator -------------------------------------------------------- */

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern void __libc_free(void *);

static atomic_long allocations; /* made so far (successful or not) */
static atomic_long live;        /* non-NULL results not yet freed */
static atomic_long fail_at;     /* the allocation number to fail; 0: none */

static atomic_long failed_bytes; /* the size the failed allocation asked */

/* 1 if this allocation (of `bytes`) is the one to fail. */
static int should_fail(size_t bytes) {
  long n = atomic_fetch_add(&allocations, 1) + 1;
  long target = atomic_load(&fail_at);
  if (target == 0 || n != target)
    return 0;
  atomic_store(&failed_bytes, (long)bytes);
  return 1;
}

static void *counted(void *p) {
  if (p)
    atomic_fetch_add(&live, 1);
  return p;
}

void *malloc(size_t n) {
  return should_fail(n) ? NULL : counted(__libc_malloc(n));
}

void *calloc(size_t n, size_t size) {
  return should_fail(n * size) ? NULL : counted(__libc_calloc(n, size));
}

void *realloc(void *p, size_t n) {
  if (should_fail(n))
    return NULL; /* p stays valid, as with a real failure */
  void *q = __libc_realloc(p, n);
  if (!p)
    return counted(q);
  if (n == 0 && !q) /* glibc frees p */
    atomic_fetch_sub(&live, 1);
  return q;
}

void *memalign(size_t alignment, size_t n) {
  return should_fail(n) ? NULL : counted(__libc_memalign(alignment, n));
}

void *aligned_alloc(size_t alignment, size_t n) {
  return memalign(alignment, n);
}

int posix_memalign(void **out, size_t alignment, size_t n) {
  void *p = memalign(alignment, n);
  if (!p)
    return ENOMEM;
  *out = p;
  return 0;
}

void free(void *p) {
  if (p)
    atomic_fetch_sub(&live, 1);
  __libc_free(p);
}

/* Makes the k-th allocation from now fail (k >= 1); 0 disarms. */
static void fail_allocation(long k) {
  atomic_store(&fail_at, k ? atomic_load(&allocations) + k : 0);
}

/* --- the checks ------------------------------------------------------------
 */

/* Allocations one run of `m` at BATCHES[1] makes (not counting its
 * inputs' or the freeing of its outputs). */
static long allocations_per_run(const model *m) {
  ddl_tensor *ins[MAX_IO] = {0}, *outs[MAX_IO] = {0};
  for (size_t i = 0; i < m->num_in; ++i)
    ins[i] = make_input(m, i, BATCHES[1], 0);
  long before = atomic_load(&allocations);
  ddl_status s = run(m, ins, m->num_in, outs);
  long made = atomic_load(&allocations) - before;
  CHECK(s == DDL_OK, "a run without failures: status %s", ddl_status_name(s));
  destroy_all(ins, m->num_in);
  destroy_all(outs, m->num_out);
  return made;
}

/* Fails, in turn, each allocation of a run of `m`; returns how many runs
 * survived the failure (DDL_OK). */
static int fail_each_run_allocation(const model *m, const char *what) {
  int before_failures = failures, out_of_memory = 0, survived = 0;
  long per_run = allocations_per_run(m);
  /* Inputs are made before arming, so only the run's allocations count. */
  for (long k = 1; k <= per_run; ++k) {
    ddl_tensor *ins[MAX_IO] = {0}, *outs[MAX_IO];
    for (size_t i = 0; i < m->num_in; ++i)
      ins[i] = make_input(m, i, BATCHES[1], 0);
    for (size_t o = 0; o < MAX_IO; ++o)
      outs[o] = (ddl_tensor *)&checks; /* must be overwritten */
    long live_before = atomic_load(&live);
    fail_allocation(k);
    ddl_status s = run(m, ins, m->num_in, outs);
    fail_allocation(0);
    if (s == DDL_OUT_OF_MEMORY) {
      ++out_of_memory;
      for (size_t o = 0; o < m->num_out; ++o)
        CHECK(outs[o] == NULL, "%s, allocation %ld failed: output %zu not NULL",
              what, k, o);
    } else {
      CHECK(s == DDL_OK, "%s, allocation %ld failed: status %s", what, k,
            ddl_status_name(s));
      for (size_t o = 0; s == DDL_OK && o < m->num_out; ++o)
        CHECK(same(outs[o], m->reference[1][o]),
              "%s, allocation %ld failed: output %zu differs though the run "
              "succeeded",
              what, k, o);
      if (s == DDL_OK) {
        /* Only a request of 0 bytes may come back NULL and be no failure
         * (malloc(0) may return NULL); the runtime has no fallback. */
        ++survived;
        CHECK(atomic_load(&failed_bytes) == 0,
              "%s: a failed allocation of %ld bytes went unnoticed", what,
              atomic_load(&failed_bytes));
        destroy_all(outs, m->num_out);
      }
    }
    /* The model is usable, and a good run leaves no more live buffers than
     * there were before the failed one. */
    CHECK(run_matches(m, 1),
          "%s: a good run after allocation %ld failed "
          "differs",
          what, k);
    CHECK(atomic_load(&live) == live_before,
          "%s, allocation %ld failed: %ld buffer(s) leaked", what, k,
          atomic_load(&live) - live_before);
    destroy_all(ins, m->num_in);
  }
  printf("%s %s: each of %ld run allocations failed in turn, %d gave "
         "DDL_OUT_OF_MEMORY, %d (of 0 bytes) ran\n",
         failures == before_failures ? "PASS" : "FAIL", what, per_run,
         out_of_memory, survived);
  return survived;
}

/* Fails each allocation of ddl_model_open in turn; dlopen's own are
 * skipped (glibc's loader does not survive a failing malloc: that is
 * glibc's, not ddl's). */
static void fail_each_open_allocation(ddl_runtime *rt, const char *path) {
  int before_failures = failures;
  /* dlopen once and keep it open, so later opens only find it. */
  ddl_model_handle *keep = NULL;
  if (ddl_model_open(rt, path, &keep) != DDL_OK) {
    CHECK(0, "cannot open %s", path);
    return;
  }
  long before = atomic_load(&allocations);
  ddl_model_handle *h = NULL;
  CHECK(ddl_model_open(rt, path, &h) == DDL_OK, "a second open of %s", path);
  long per_open = atomic_load(&allocations) - before;
  ddl_model_close(h);
  int refused = 0;
  for (long k = 1; k <= per_open; ++k) {
    long live_before = atomic_load(&live);
    h = NULL;
    fail_allocation(k);
    ddl_status s = ddl_model_open(rt, path, &h);
    fail_allocation(0);
    if (s == DDL_OK) {
      ddl_model_close(h);
    } else {
      ++refused;
      CHECK(h == NULL, "open, allocation %ld failed: a handle came back", k);
    }
    CHECK(atomic_load(&live) == live_before,
          "open, allocation %ld failed: %ld buffer(s) leaked", k,
          atomic_load(&live) - live_before);
  }
  ddl_model_close(keep);
  printf("%s open: each of %ld allocations failed in turn, %d refused\n",
         failures == before_failures ? "PASS" : "FAIL", per_open, refused);
}

/* Tensor creation: every allocation failing in turn gives
 * DDL_OUT_OF_MEMORY, no tensor, no leak. */
static void fail_each_tensor_allocation(void) {
  int before_failures = failures;
  const int64_t dims[2] = {64, 64};
  for (long k = 1; k <= 2; ++k) {
    long live_before = atomic_load(&live);
    ddl_tensor *t = (ddl_tensor *)&checks;
    fail_allocation(k);
    ddl_status s = ddl_tensor_create(DDL_DTYPE_FLOAT, 2, dims, &t);
    fail_allocation(0);
    CHECK(s == DDL_OUT_OF_MEMORY && t == NULL,
          "tensor, allocation %ld failed: status %s", k, ddl_status_name(s));
    CHECK(atomic_load(&live) == live_before,
          "tensor, allocation %ld failed: leaked", k);
  }
  printf("%s tensors\n", failures == before_failures ? "PASS" : "FAIL");
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s MODEL.so [MODEL.so ...]\n", argv[0]);
    return 2;
  }
  fail_each_tensor_allocation();
  /* One thread first: the allocations of a run come in a fixed order. */
  for (int threads = 1; threads <= 3; threads += 2) {
    ddl_runtime *rt = NULL;
    if (ddl_runtime_create(threads, &rt) != DDL_OK) {
      fprintf(stderr, "no runtime: %s\n", ddl_last_error());
      return 1;
    }
    for (int a = 1; a < argc; ++a) {
      model m;
      if (!open_model(rt, argv[a], &m))
        return 1;
      char what[512];
      snprintf(what, sizeof what, "%s (%d thread%s)",
               strrchr(argv[a], '/') ? strrchr(argv[a], '/') + 1 : argv[a],
               threads, threads == 1 ? "" : "s");
      fail_each_run_allocation(&m, what);
      close_model(&m);
      if (threads == 1)
        fail_each_open_allocation(rt, argv[a]);
    }
    ddl_runtime_destroy(rt);
  }
  printf("%d checks, %d failed\n", checks, failures);
  return failures ? 1 : 0;
}
