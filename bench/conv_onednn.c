/* Times one f32 2-D convolution with oneDNN 2.x (C API), for
 * bench/conv_layers.py, which compiles this file with `cc ... -ldnnl`.
 *
 *   conv_onednn N C H W K R S SH SW PT PL PB PR DH DW G \
 *       --layout any|nchw --runs RUNS \
 *       [--src FILE --wei FILE --bias FILE --dst FILE]
 *
 * The convolution is forward inference, algorithm `direct`, with bias.
 * Data files are raw little-endian f32 in the plain layouts nchw (src, dst),
 * oihw or goihw (weights) and x (bias); without them the tensors are filled
 * with a fixed pseudo-random sequence and nothing is written.
 *
 * --layout any:  src, weights and dst are `format_tag::any`, so oneDNN picks
 *                its preferred (blocked) layouts; the user's nchw/oihw data
 *                are reordered into them once, before the timed loop, and
 *                dst is reordered back to nchw after it.
 * --layout nchw: src and dst are plain nchw; the weights are still `any`
 *                (constant weights are packed once, as frameworks do).
 *
 * The thread count is the OpenMP runtime's (Debian's libdnnl uses OpenMP):
 * set OMP_NUM_THREADS. After two untimed warm-up runs, RUNS executions are
 * timed one by one (execute + stream wait). Prints one JSON line:
 * {"impl": "...", "src_md": "...", "wei_md": "...", "runs": N,
 *  "times_ms": [...]}
 */
#include <oneapi/dnnl/dnnl.h>
#include <oneapi/dnnl/dnnl_debug.h> /* dnnl_status2str */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CHECK(call)                                                            \
  do {                                                                         \
    dnnl_status_t s_ = (call);                                                 \
    if (s_ != dnnl_success) {                                                  \
      fprintf(stderr, "conv_onednn: %s failed: %s (line %d)\n", #call,         \
              dnnl_status2str(s_), __LINE__);                                  \
      exit(1);                                                                 \
    }                                                                          \
  } while (0)

static double nowMs(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec * 1e-6;
}

static size_t numElements(const dnnl_dims_t dims, int ndims) {
  size_t n = 1;
  for (int i = 0; i < ndims; ++i)
    n *= (size_t)dims[i];
  return n;
}

static void fill(float *data, size_t n, unsigned seed) {
  unsigned s = seed;
  for (size_t i = 0; i < n; ++i) {
    s = s * 1664525u + 1013904223u;
    data[i] = (float)(s / 4294967296.0 * 2 - 1);
  }
}

static void readFile(const char *path, float *data, size_t n) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "conv_onednn: cannot open %s\n", path);
    exit(1);
  }
  if (fread(data, sizeof(float), n, f) != n) {
    fprintf(stderr, "conv_onednn: %s holds fewer than %zu floats\n", path, n);
    exit(1);
  }
  fclose(f);
}

static void writeFile(const char *path, const float *data, size_t n) {
  FILE *f = fopen(path, "wb");
  if (!f || fwrite(data, sizeof(float), n, f) != n) {
    fprintf(stderr, "conv_onednn: cannot write %s\n", path);
    exit(1);
  }
  fclose(f);
}

/* A memory object in the primitive's layout `want`, holding the plain data
 * of `user` (reordered once if the layouts differ). */
static dnnl_memory_t toLayout(dnnl_engine_t engine, dnnl_stream_t stream,
                              dnnl_memory_t user,
                              const dnnl_memory_desc_t *want) {
  const dnnl_memory_desc_t *have;
  CHECK(dnnl_memory_get_memory_desc(user, &have));
  if (dnnl_memory_desc_equal(have, want))
    return user;
  dnnl_memory_t mem;
  CHECK(dnnl_memory_create(&mem, want, engine, DNNL_MEMORY_ALLOCATE));
  dnnl_primitive_desc_t rpd;
  CHECK(dnnl_reorder_primitive_desc_create(&rpd, have, engine, want, engine,
                                           NULL));
  dnnl_primitive_t reorder;
  CHECK(dnnl_primitive_create(&reorder, rpd));
  dnnl_exec_arg_t args[2] = {{DNNL_ARG_FROM, user}, {DNNL_ARG_TO, mem}};
  CHECK(dnnl_primitive_execute(reorder, stream, 2, args));
  CHECK(dnnl_stream_wait(stream));
  dnnl_primitive_destroy(reorder);
  dnnl_primitive_desc_destroy(rpd);
  return mem;
}

/* oneDNN's name for a blocked layout (`aBcd16b` = nChw16c): dims outermost
 * first by stride, blocked dims in capitals, then the inner blocks. */
static void layoutName(char *buf, size_t size, const dnnl_memory_desc_t *md) {
  if (md->format_kind != dnnl_blocked) {
    snprintf(buf, size, "format_kind %d", (int)md->format_kind);
    return;
  }
  const dnnl_blocking_desc_t *b = &md->format_desc.blocking;
  int order[DNNL_MAX_NDIMS], blocked[DNNL_MAX_NDIMS] = {0};
  for (int i = 0; i < md->ndims; ++i)
    order[i] = i;
  /* Stable sort, outermost (largest stride) first. */
  for (int i = 0; i < md->ndims; ++i)
    for (int j = md->ndims - 1; j > i; --j)
      if (b->strides[order[j]] > b->strides[order[j - 1]]) {
        int t = order[j];
        order[j] = order[j - 1], order[j - 1] = t;
      }
  for (int i = 0; i < b->inner_nblks; ++i)
    blocked[b->inner_idxs[i]] = 1;
  size_t len = 0;
  for (int i = 0; i < md->ndims && len + 1 < size; ++i)
    buf[len++] = (char)((blocked[order[i]] ? 'A' : 'a') + order[i]);
  buf[len] = 0;
  for (int i = 0; i < b->inner_nblks && len < size; ++i)
    len +=
        (size_t)snprintf(buf + len, size - len, "%ld%c", (long)b->inner_blks[i],
                         'a' + (int)b->inner_idxs[i]);
}

static void usage(void) {
  fprintf(
      stderr,
      "usage: conv_onednn N C H W K R S SH SW PT PL PB PR DH DW G "
      "[--layout any|nchw] [--runs N] [--src F --wei F --bias F --dst F]\n");
  exit(2);
}

int main(int argc, char **argv) {
  if (argc < 17)
    usage();
  long v[16];
  for (int i = 0; i < 16; ++i) {
    char *end;
    v[i] = strtol(argv[i + 1], &end, 10);
    if (*end || v[i] < 0)
      usage();
  }
  long n = v[0], c = v[1], h = v[2], w = v[3], k = v[4], r = v[5], s = v[6];
  long sh = v[7], sw = v[8], pt = v[9], pl = v[10], pb = v[11], pr = v[12];
  long dh = v[13], dw = v[14], g = v[15];
  const char *layout = "any", *srcPath = NULL, *weiPath = NULL,
             *biasPath = NULL, *dstPath = NULL;
  int runs = 20;
  for (int i = 17; i < argc; ++i) {
    if (i + 1 >= argc)
      usage();
    if (!strcmp(argv[i], "--layout"))
      layout = argv[++i];
    else if (!strcmp(argv[i], "--runs"))
      runs = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--src"))
      srcPath = argv[++i];
    else if (!strcmp(argv[i], "--wei"))
      weiPath = argv[++i];
    else if (!strcmp(argv[i], "--bias"))
      biasPath = argv[++i];
    else if (!strcmp(argv[i], "--dst"))
      dstPath = argv[++i];
    else
      usage();
  }
  int anyLayout = !strcmp(layout, "any");
  if ((!anyLayout && strcmp(layout, "nchw")) || runs < 1 || n < 1 || g < 1 ||
      dh < 1 || dw < 1 || sh < 1 || sw < 1 || c % g || k % g)
    usage();
  long p = (h + pt + pb - ((r - 1) * dh + 1)) / sh + 1;
  long q = (w + pl + pr - ((s - 1) * dw + 1)) / sw + 1;
  if (p < 1 || q < 1)
    usage();

  dnnl_engine_t engine;
  CHECK(dnnl_engine_create(&engine, dnnl_cpu, 0));
  dnnl_stream_t stream;
  CHECK(dnnl_stream_create(&stream, engine, dnnl_stream_default_flags));

  dnnl_dims_t srcDims = {n, c, h, w}, dstDims = {n, k, p, q}, biasDims = {k};
  dnnl_dims_t weiDims;
  int weiNdims;
  if (g == 1) {
    weiNdims = 4;
    weiDims[0] = k, weiDims[1] = c, weiDims[2] = r, weiDims[3] = s;
  } else {
    weiNdims = 5;
    weiDims[0] = g, weiDims[1] = k / g, weiDims[2] = c / g, weiDims[3] = r,
    weiDims[4] = s;
  }
  dnnl_memory_desc_t userSrcMd, userWeiMd, userDstMd, biasMd;
  CHECK(dnnl_memory_desc_init_by_tag(&userSrcMd, 4, srcDims, dnnl_f32,
                                     dnnl_nchw));
  CHECK(dnnl_memory_desc_init_by_tag(&userWeiMd, weiNdims, weiDims, dnnl_f32,
                                     g == 1 ? dnnl_oihw : dnnl_goihw));
  CHECK(dnnl_memory_desc_init_by_tag(&userDstMd, 4, dstDims, dnnl_f32,
                                     dnnl_nchw));
  CHECK(dnnl_memory_desc_init_by_tag(&biasMd, 1, biasDims, dnnl_f32, dnnl_x));
  dnnl_memory_desc_t srcMd, weiMd, dstMd;
  dnnl_format_tag_t act = anyLayout ? dnnl_format_tag_any : dnnl_nchw;
  CHECK(dnnl_memory_desc_init_by_tag(&srcMd, 4, srcDims, dnnl_f32, act));
  CHECK(dnnl_memory_desc_init_by_tag(&weiMd, weiNdims, weiDims, dnnl_f32,
                                     dnnl_format_tag_any));
  CHECK(dnnl_memory_desc_init_by_tag(&dstMd, 4, dstDims, dnnl_f32, act));

  dnnl_dims_t strides = {sh, sw}, dilates = {dh - 1, dw - 1};
  dnnl_dims_t padL = {pt, pl}, padR = {pb, pr};
  dnnl_convolution_desc_t convDesc;
  CHECK(dnnl_dilated_convolution_forward_desc_init(
      &convDesc, dnnl_forward_inference, dnnl_convolution_direct, &srcMd,
      &weiMd, &biasMd, &dstMd, strides, dilates, padL, padR));
  dnnl_primitive_desc_t pd;
  CHECK(dnnl_primitive_desc_create(&pd, &convDesc, NULL, engine, NULL));
  const char *impl = "?";
  CHECK(dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &impl));
  const dnnl_memory_desc_t *convSrcMd =
      dnnl_primitive_desc_query_md(pd, dnnl_query_src_md, 0);
  const dnnl_memory_desc_t *convWeiMd =
      dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0);
  const dnnl_memory_desc_t *convDstMd =
      dnnl_primitive_desc_query_md(pd, dnnl_query_dst_md, 0);

  /* Plain user data. */
  dnnl_memory_t userSrc, userWei, userDst, bias;
  CHECK(dnnl_memory_create(&userSrc, &userSrcMd, engine, DNNL_MEMORY_ALLOCATE));
  CHECK(dnnl_memory_create(&userWei, &userWeiMd, engine, DNNL_MEMORY_ALLOCATE));
  CHECK(dnnl_memory_create(&userDst, &userDstMd, engine, DNNL_MEMORY_ALLOCATE));
  CHECK(dnnl_memory_create(&bias, &biasMd, engine, DNNL_MEMORY_ALLOCATE));
  float *ptr;
  size_t srcN = numElements(srcDims, 4), weiN = numElements(weiDims, weiNdims);
  size_t dstN = numElements(dstDims, 4);
  CHECK(dnnl_memory_get_data_handle(userSrc, (void **)&ptr));
  srcPath ? readFile(srcPath, ptr, srcN) : fill(ptr, srcN, 1);
  CHECK(dnnl_memory_get_data_handle(userWei, (void **)&ptr));
  weiPath ? readFile(weiPath, ptr, weiN) : fill(ptr, weiN, 2);
  CHECK(dnnl_memory_get_data_handle(bias, (void **)&ptr));
  biasPath ? readFile(biasPath, ptr, (size_t)k) : fill(ptr, (size_t)k, 3);

  /* Reorders into the primitive's layouts, outside the timed loop. */
  dnnl_memory_t src = toLayout(engine, stream, userSrc, convSrcMd);
  dnnl_memory_t wei = toLayout(engine, stream, userWei, convWeiMd);
  dnnl_memory_t dst = userDst;
  if (!dnnl_memory_desc_equal(convDstMd, &userDstMd))
    CHECK(dnnl_memory_create(&dst, convDstMd, engine, DNNL_MEMORY_ALLOCATE));

  dnnl_primitive_t conv;
  CHECK(dnnl_primitive_create(&conv, pd));
  dnnl_exec_arg_t args[4] = {{DNNL_ARG_SRC, src},
                             {DNNL_ARG_WEIGHTS, wei},
                             {DNNL_ARG_BIAS, bias},
                             {DNNL_ARG_DST, dst}};
  double *times = malloc(sizeof(double) * (size_t)runs);
  for (int i = -2; i < runs; ++i) {
    double t0 = nowMs();
    CHECK(dnnl_primitive_execute(conv, stream, 4, args));
    CHECK(dnnl_stream_wait(stream));
    if (i >= 0)
      times[i] = nowMs() - t0;
  }

  if (dstPath) {
    if (dst != userDst) {
      dnnl_primitive_desc_t rpd;
      CHECK(dnnl_reorder_primitive_desc_create(&rpd, convDstMd, engine,
                                               &userDstMd, engine, NULL));
      dnnl_primitive_t reorder;
      CHECK(dnnl_primitive_create(&reorder, rpd));
      dnnl_exec_arg_t rargs[2] = {{DNNL_ARG_FROM, dst}, {DNNL_ARG_TO, userDst}};
      CHECK(dnnl_primitive_execute(reorder, stream, 2, rargs));
      CHECK(dnnl_stream_wait(stream));
    }
    CHECK(dnnl_memory_get_data_handle(userDst, (void **)&ptr));
    writeFile(dstPath, ptr, dstN);
  }

  char srcStr[256], weiStr[256];
  layoutName(srcStr, sizeof srcStr, convSrcMd);
  layoutName(weiStr, sizeof weiStr, convWeiMd);
  printf("{\"impl\": \"%s\", \"src_md\": \"%s\", \"wei_md\": \"%s\", \"runs\": "
         "%d, "
         "\"times_ms\": [",
         impl, srcStr, weiStr, runs);
  for (int i = 0; i < runs; ++i)
    printf("%s%.6f", i ? ", " : "", times[i]);
  printf("]}\n");
  return 0;
}
