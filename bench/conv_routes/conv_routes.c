// Times the four convolutions of ae's reference conv VAE at batch 128, forward
// and backward (input and weight gradients), by two routes:
//   im2col  im2col/col2im in NHWC + cblas_sgemm (OpenBLAS pinned to one
//           thread; T threads each take a fixed block of images, as ae's
//           WorkerPool does, and weight gradients are summed over the blocks
//           in a fixed order)
//   oneDNN  oneDNN's convolution/deconvolution primitives (C API), NHWC
//           activations, weights in the layout oneDNN prefers ("any"),
//           reordered from and to torch's (oihw / iohw) on every call, run on
//           the whole batch with OpenMP threads, or ("split") on fixed blocks
//           of images, one thread each, like the im2col route
// and prints median milliseconds and GFLOPS per layer beside the sgemm
// ceiling (2048^3, single-threaded calls on row blocks), and the best time
// beside the median (the machine is shared). Rounds alternate the routes.
// Build and run: see README.md beside this file.
#include <cblas.h>
#include <oneapi/dnnl/dnnl.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CHECK(call)                                                                      \
    do {                                                                                 \
        dnnl_status_t s_ = (call);                                                       \
        if (s_ != dnnl_success) {                                                        \
            fprintf(stderr, "%s:%d: %s failed: %d\n", __FILE__, __LINE__, #call, s_);    \
            exit(1);                                                                     \
        }                                                                                \
    } while (0)

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + 1e-9 * t.tv_nsec;
}

static float *buffer(size_t count) {
    float *p = aligned_alloc(64, ((count * sizeof(float) + 63) / 64) * 64);
    for (size_t i = 0; i < count; i++) p[i] = (float)((i * 2654435761u) % 1000) / 1000.0f - 0.5f;
    return p;
}

// A convolution seen as the map from its "image" side (ih x iw x ic) to its
// "column" side (oh x ow x oc); a transposed convolution runs it backwards.
typedef struct {
    const char *name;
    int transposed;
    int n, ih, iw, ic, oc, k, s, p, oh, ow;
} layer_t;

static layer_t make(const char *name, int transposed, int n, int h, int w, int c, int oc, int k, int s, int p) {
    layer_t l = {name, transposed, n, h, w, c, oc, k, s, p, (h + 2 * p - k) / s + 1, (w + 2 * p - k) / s + 1};
    return l;
}

static double layer_flops(const layer_t *l) { return 2.0 * l->n * l->oh * l->ow * l->oc * l->k * l->k * l->ic; }

// ---- im2col route ----------------------------------------------------------

// cols[(img, oh, ow)][(kh, kw, c)] from x (NHWC), for `count` images.
static void im2col(const layer_t *l, const float *x, int count, float *cols) {
    const int K = l->k * l->k * l->ic, rowlen = l->k * l->ic;
    for (int img = 0; img < count; img++) {
        const float *xi = x + (size_t)img * l->ih * l->iw * l->ic;
        for (int oh = 0; oh < l->oh; oh++)
            for (int ow = 0; ow < l->ow; ow++) {
                float *row = cols + ((size_t)(img * l->oh + oh) * l->ow + ow) * K;
                int w0 = ow * l->s - l->p;
                for (int kh = 0; kh < l->k; kh++) {
                    int h = oh * l->s - l->p + kh;
                    float *dst = row + kh * rowlen;
                    if (h < 0 || h >= l->ih) {
                        memset(dst, 0, rowlen * sizeof(float));
                        continue;
                    }
                    if (w0 >= 0 && w0 + l->k <= l->iw) {
                        memcpy(dst, xi + ((size_t)h * l->iw + w0) * l->ic, rowlen * sizeof(float));
                        continue;
                    }
                    for (int kw = 0; kw < l->k; kw++) {
                        int w = w0 + kw;
                        if (w < 0 || w >= l->iw) memset(dst + kw * l->ic, 0, l->ic * sizeof(float));
                        else memcpy(dst + kw * l->ic, xi + ((size_t)h * l->iw + w) * l->ic, l->ic * sizeof(float));
                    }
                }
            }
    }
}

// x (NHWC, zeroed here) = sum of cols scattered back, for `count` images.
static void col2im(const layer_t *l, const float *cols, int count, float *x) {
    const int K = l->k * l->k * l->ic;
    memset(x, 0, (size_t)count * l->ih * l->iw * l->ic * sizeof(float));
    for (int img = 0; img < count; img++) {
        float *xi = x + (size_t)img * l->ih * l->iw * l->ic;
        for (int oh = 0; oh < l->oh; oh++)
            for (int ow = 0; ow < l->ow; ow++) {
                const float *row = cols + ((size_t)(img * l->oh + oh) * l->ow + ow) * K;
                for (int kh = 0; kh < l->k; kh++) {
                    int h = oh * l->s - l->p + kh;
                    if (h < 0 || h >= l->ih) continue;
                    for (int kw = 0; kw < l->k; kw++) {
                        int w = ow * l->s - l->p + kw;
                        if (w < 0 || w >= l->iw) continue;
                        float *dst = xi + ((size_t)h * l->iw + w) * l->ic;
                        const float *src = row + (kh * l->k + kw) * l->ic;
                        for (int c = 0; c < l->ic; c++) dst[c] += src[c];
                    }
                }
            }
    }
}

typedef struct {
    layer_t l;
    int threads, chunk;
    // Conv view: image side a (n x ih x iw x ic), column side b (n x oh x ow x oc);
    // wp: weights as oc x (kh, kw, ic), repacked from torch's layout each call.
    float *a, *b, *da, *db, *w, *wp, *dw, *bias, *dbias;
    float *cols[2], *dwpart[2], *dbpart[2];
} im2col_t;

// Between torch's weight layout and oc x (kh, kw, ic): to_torch 0 copies
// torch's `from` into `to`, 1 the other way. Torch stores a conv as (oc, ic,
// kh, kw) and a transposed conv as (its in, its out, kh, kw): in the conv
// view both are (column-side channels, image-side channels, kh, kw).
static void permute_weights(const layer_t *l, const float *from, float *to, int to_torch) {
    for (int o = 0; o < l->oc; o++)
        for (int c = 0; c < l->ic; c++)
            for (int kh = 0; kh < l->k; kh++)
                for (int kw = 0; kw < l->k; kw++) {
                    size_t torch = (((size_t)o * l->ic + c) * l->k + kh) * l->k + kw;
                    size_t packed = ((size_t)o * l->k * l->k + kh * l->k + kw) * l->ic + c;
                    if (to_torch) to[torch] = from[packed];
                    else to[packed] = from[torch];
                }
}

// Both routes compute the convolution plus bias (no relu), so that their
// outputs can be compared.
static void add_bias(float *y, size_t rows, int width, const float *bias) {
    for (size_t i = 0; i < rows; i++)
        for (int j = 0; j < width; j++) y[i * width + j] += bias[j];
}

// The two products of the conv view, on `count` images: columns = im2col(image) * wp^T,
// and image = col2im(columns * wp).
static void image_to_columns(const im2col_t *r, const float *image, int count, float *cols, float *columns) {
    const layer_t *l = &r->l;
    const int K = l->k * l->k * l->ic;
    im2col(l, image, count, cols);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, count * l->oh * l->ow, l->oc, K, 1, cols, K, r->wp, K, 0,
                columns, l->oc);
}

static void columns_to_image(const im2col_t *r, const float *columns, int count, float *cols, float *image) {
    const layer_t *l = &r->l;
    const int K = l->k * l->k * l->ic;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, count * l->oh * l->ow, K, l->oc, 1, columns, l->oc,
                r->wp, K, 0, cols, K);
    col2im(l, cols, count, image);
}

// Forward: conv b = image_to_columns(a) + bias; transposed a = columns_to_image(b) + bias.
static void im2col_forward(im2col_t *r) {
    const layer_t *l = &r->l;
    const size_t pix_a = (size_t)l->ih * l->iw * l->ic, pix_b = (size_t)l->oh * l->ow * l->oc;
    permute_weights(l, r->w, r->wp, 0);
#pragma omp parallel for schedule(static) num_threads(r->threads)
    for (int t = 0; t < r->threads; t++) {
        int first = l->n * t / r->threads, last = l->n * (t + 1) / r->threads;
        for (int img = first; img < last; img += r->chunk) {
            int count = img + r->chunk <= last ? r->chunk : last - img;
            float *a = r->a + img * pix_a, *b = r->b + img * pix_b;
            if (!l->transposed) {
                image_to_columns(r, a, count, r->cols[t], b);
                add_bias(b, (size_t)count * l->oh * l->ow, l->oc, r->bias);
            } else {
                columns_to_image(r, b, count, r->cols[t], a);
                add_bias(a, (size_t)count * l->ih * l->iw, l->ic, r->bias);
            }
        }
    }
}

// Backward data: conv da = columns_to_image(db); transposed db = image_to_columns(da).
static void im2col_backward_data(im2col_t *r) {
    const layer_t *l = &r->l;
    const size_t pix_a = (size_t)l->ih * l->iw * l->ic, pix_b = (size_t)l->oh * l->ow * l->oc;
#pragma omp parallel for schedule(static) num_threads(r->threads)
    for (int t = 0; t < r->threads; t++) {
        int first = l->n * t / r->threads, last = l->n * (t + 1) / r->threads;
        for (int img = first; img < last; img += r->chunk) {
            int count = img + r->chunk <= last ? r->chunk : last - img;
            if (!l->transposed) columns_to_image(r, r->db + img * pix_b, count, r->cols[t], r->da + img * pix_a);
            else image_to_columns(r, r->da + img * pix_a, count, r->cols[t], r->db + img * pix_b);
        }
    }
}

// Backward weights: dwp += (column-side gradient or input)^T * im2col(image side),
// per thread, then summed in thread order. Conv: columns = db, images = a.
// Transposed: the layer's input is b, its output gradient is da.
static void im2col_backward_weights(im2col_t *r) {
    const layer_t *l = &r->l;
    const int K = l->k * l->k * l->ic, pix_a = l->ih * l->iw * l->ic, pix_b = l->oh * l->ow;
    const float *image = l->transposed ? r->da : r->a;
    const float *column = l->transposed ? r->b : r->db;
    // The bias gradient sums the output gradient: db for a conv, da for a transposed conv.
    const float *out_grad = l->transposed ? r->da : r->db;
    const int bias_width = l->transposed ? l->ic : l->oc;
    const size_t out_pixels = l->transposed ? (size_t)l->ih * l->iw : (size_t)pix_b;
#pragma omp parallel for schedule(static) num_threads(r->threads)
    for (int t = 0; t < r->threads; t++) {
        int first = l->n * t / r->threads, last = l->n * (t + 1) / r->threads;
        for (int img = first; img < last; img += r->chunk) {
            int count = img + r->chunk <= last ? r->chunk : last - img;
            im2col(l, image + (size_t)img * pix_a, count, r->cols[t]);
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, l->oc, K, count * pix_b, 1,
                        column + (size_t)img * pix_b * l->oc, l->oc, r->cols[t], K, img == first ? 0 : 1,
                        r->dwpart[t], K);
        }
        float *dbias = r->dbpart[t];
        memset(dbias, 0, bias_width * sizeof(float));
        const float *g = out_grad + (size_t)first * out_pixels * bias_width;
        for (size_t i = 0; i < (size_t)(last - first) * out_pixels; i++)
            for (int j = 0; j < bias_width; j++) dbias[j] += g[i * bias_width + j];
    }
    for (int t = 1; t < r->threads; t++) {
        for (int i = 0; i < l->oc * K; i++) r->dwpart[0][i] += r->dwpart[t][i];
        for (int j = 0; j < bias_width; j++) r->dbpart[0][j] += r->dbpart[t][j];
    }
    permute_weights(l, r->dwpart[0], r->dw, 1);
    memcpy(r->dbias, r->dbpart[0], bias_width * sizeof(float));
}

static im2col_t im2col_make(layer_t l, int threads, int chunk) {
    im2col_t r = {.l = l, .threads = threads, .chunk = chunk};
    size_t asize = (size_t)l.n * l.ih * l.iw * l.ic, bsize = (size_t)l.n * l.oh * l.ow * l.oc;
    size_t wsize = (size_t)l.oc * l.ic * l.k * l.k, K = (size_t)l.k * l.k * l.ic;
    r.a = buffer(asize), r.da = buffer(asize), r.b = buffer(bsize), r.db = buffer(bsize);
    r.w = buffer(wsize), r.wp = buffer(wsize), r.dw = buffer(wsize);
    r.bias = buffer(l.oc > l.ic ? l.oc : l.ic), r.dbias = buffer(l.oc > l.ic ? l.oc : l.ic);
    for (int t = 0; t < threads; t++) {
        r.cols[t] = buffer((size_t)chunk * l.oh * l.ow * K);
        r.dwpart[t] = buffer(wsize);
        r.dbpart[t] = buffer(l.oc > l.ic ? l.oc : l.ic);
    }
    return r;
}

// ---- oneDNN route ----------------------------------------------------------

typedef struct {
    dnnl_primitive_t fwd, bwd_data, bwd_weights, to_any, to_any_data, from_any_grad;
    dnnl_memory_t src, dst, dsrc, ddst, w_user, w_prim, w_data, dw_user, dw_prim, bias, dbias;
    dnnl_memory_t fwd_scratch, bd_scratch, bw_scratch;
    int any;
} onednn_t;

static dnnl_engine_t engine;
static dnnl_stream_t stream;

static dnnl_memory_t memory_for(const dnnl_memory_desc_t *md) {
    dnnl_memory_t m;
    CHECK(dnnl_memory_create(&m, md, engine, DNNL_MEMORY_ALLOCATE));
    size_t bytes = dnnl_memory_desc_get_size(md);
    void *p;
    CHECK(dnnl_memory_get_data_handle(m, &p));
    for (size_t i = 0; i < bytes / 4; i++) ((float *)p)[i] = (float)((i * 2654435761u) % 1000) / 1000.0f - 0.5f;
    return m;
}

static dnnl_memory_t scratch_for(const_dnnl_primitive_desc_t pd) {
    return memory_for(dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0));
}

static dnnl_primitive_t reorder(dnnl_memory_t from, dnnl_memory_t to) {
    const dnnl_memory_desc_t *fm, *tm;
    CHECK(dnnl_memory_get_memory_desc(from, &fm));
    CHECK(dnnl_memory_get_memory_desc(to, &tm));
    dnnl_primitive_desc_t pd;
    CHECK(dnnl_reorder_primitive_desc_create(&pd, fm, engine, tm, engine, NULL));
    dnnl_primitive_t p;
    CHECK(dnnl_primitive_create(&p, pd));
    dnnl_primitive_desc_destroy(pd);
    return p;
}

// The layer in oneDNN's terms: src is the layer's input (a for a conv, b for a
// transposed conv), dst its output.
static onednn_t onednn_make(layer_t l, int any) {
    onednn_t d = {.any = any};
    dnnl_dims_t a_dims = {l.n, l.ic, l.ih, l.iw}, b_dims = {l.n, l.oc, l.oh, l.ow};
    dnnl_dims_t w_dims = {l.transposed ? l.ic : l.oc, l.transposed ? l.oc : l.ic, l.k, l.k};
    dnnl_dims_t bias_dims = {l.transposed ? l.ic : l.oc};
    dnnl_dims_t strides = {l.s, l.s}, pad = {l.p, l.p};
    dnnl_memory_desc_t src_md, dst_md, w_user_md, w_any_md, bias_md;
    CHECK(dnnl_memory_desc_init_by_tag(&src_md, 4, l.transposed ? b_dims : a_dims, dnnl_f32, dnnl_nhwc));
    CHECK(dnnl_memory_desc_init_by_tag(&dst_md, 4, l.transposed ? a_dims : b_dims, dnnl_f32, dnnl_nhwc));
    // Torch: Conv2d (out, in, kh, kw) = oihw; ConvTranspose2d (in, out, kh, kw) = iohw.
    CHECK(dnnl_memory_desc_init_by_tag(&w_user_md, 4, w_dims, dnnl_f32, l.transposed ? dnnl_iohw : dnnl_oihw));
    CHECK(dnnl_memory_desc_init_by_tag(&w_any_md, 4, w_dims, dnnl_f32, dnnl_format_tag_any));
    CHECK(dnnl_memory_desc_init_by_tag(&bias_md, 1, bias_dims, dnnl_f32, dnnl_x));
    const dnnl_memory_desc_t *w_md = any ? &w_any_md : &w_user_md;

    dnnl_primitive_attr_t attr;
    CHECK(dnnl_primitive_attr_create(&attr));
    CHECK(dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user));
    dnnl_primitive_desc_t fpd, bdpd, bwpd;
    if (!l.transposed) {
        dnnl_convolution_desc_t f, bd, bw;
        CHECK(dnnl_convolution_forward_desc_init(&f, dnnl_forward_training, dnnl_convolution_direct, &src_md, w_md,
                                                 &bias_md, &dst_md, strides, pad, pad));
        CHECK(dnnl_primitive_desc_create(&fpd, &f, attr, engine, NULL));
        CHECK(dnnl_convolution_backward_data_desc_init(&bd, dnnl_convolution_direct, &src_md, w_md, &dst_md,
                                                       strides, pad, pad));
        CHECK(dnnl_primitive_desc_create(&bdpd, &bd, attr, engine, fpd));
        CHECK(dnnl_convolution_backward_weights_desc_init(&bw, dnnl_convolution_direct, &src_md, w_md, &bias_md,
                                                          &dst_md, strides, pad, pad));
        CHECK(dnnl_primitive_desc_create(&bwpd, &bw, attr, engine, fpd));
    } else {
        dnnl_deconvolution_desc_t f, bd, bw;
        CHECK(dnnl_deconvolution_forward_desc_init(&f, dnnl_forward_training, dnnl_deconvolution_direct, &src_md,
                                                   w_md, &bias_md, &dst_md, strides, pad, pad));
        CHECK(dnnl_primitive_desc_create(&fpd, &f, attr, engine, NULL));
        CHECK(dnnl_deconvolution_backward_data_desc_init(&bd, dnnl_deconvolution_direct, &src_md, w_md, &dst_md,
                                                         strides, pad, pad));
        CHECK(dnnl_primitive_desc_create(&bdpd, &bd, attr, engine, fpd));
        CHECK(dnnl_deconvolution_backward_weights_desc_init(&bw, dnnl_deconvolution_direct, &src_md, w_md,
                                                            &bias_md, &dst_md, strides, pad, pad));
        CHECK(dnnl_primitive_desc_create(&bwpd, &bw, attr, engine, fpd));
    }
    CHECK(dnnl_primitive_create(&d.fwd, fpd));
    CHECK(dnnl_primitive_create(&d.bwd_data, bdpd));
    CHECK(dnnl_primitive_create(&d.bwd_weights, bwpd));
    d.src = memory_for(&src_md), d.dsrc = memory_for(&src_md);
    d.dst = memory_for(&dst_md), d.ddst = memory_for(&dst_md);
    d.bias = memory_for(&bias_md), d.dbias = memory_for(&bias_md);
    d.w_user = memory_for(&w_user_md), d.dw_user = memory_for(&w_user_md);
    d.w_prim = memory_for(dnnl_primitive_desc_query_md(fpd, dnnl_query_weights_md, 0));
    // The backward-data primitive may want its weights in another layout than the forward's.
    d.w_data = memory_for(dnnl_primitive_desc_query_md(bdpd, dnnl_query_weights_md, 0));
    d.dw_prim = memory_for(dnnl_primitive_desc_query_md(bwpd, dnnl_query_diff_weights_md, 0));
    d.fwd_scratch = scratch_for(fpd), d.bd_scratch = scratch_for(bdpd), d.bw_scratch = scratch_for(bwpd);
    if (any) {
        d.to_any = reorder(d.w_user, d.w_prim);
        d.to_any_data = reorder(d.w_user, d.w_data);
        d.from_any_grad = reorder(d.dw_prim, d.dw_user);
    }
    const char *impl;
    CHECK(dnnl_primitive_desc_query(fpd, dnnl_query_impl_info_str, 0, &impl));
    fprintf(stderr, "  dnnl %s %s: fwd %s", l.name, any ? "any" : "torch", impl);
    CHECK(dnnl_primitive_desc_query(bdpd, dnnl_query_impl_info_str, 0, &impl));
    fprintf(stderr, ", bwd data %s", impl);
    CHECK(dnnl_primitive_desc_query(bwpd, dnnl_query_impl_info_str, 0, &impl));
    fprintf(stderr, ", bwd weights %s\n", impl);
    dnnl_primitive_desc_destroy(fpd);
    dnnl_primitive_desc_destroy(bdpd);
    dnnl_primitive_desc_destroy(bwpd);
    dnnl_primitive_attr_destroy(attr);
    return d;
}

static void run(dnnl_primitive_t p, int count, const dnnl_exec_arg_t *args) {
    CHECK(dnnl_primitive_execute(p, stream, count, args));
}

static void onednn_forward(onednn_t *d) {
    if (d->any) run(d->to_any, 2, (dnnl_exec_arg_t[]){{DNNL_ARG_FROM, d->w_user}, {DNNL_ARG_TO, d->w_prim}});
    run(d->fwd, 5,
        (dnnl_exec_arg_t[]){{DNNL_ARG_SRC, d->src}, {DNNL_ARG_WEIGHTS, d->any ? d->w_prim : d->w_user},
                            {DNNL_ARG_BIAS, d->bias}, {DNNL_ARG_DST, d->dst}, {DNNL_ARG_SCRATCHPAD, d->fwd_scratch}});
    CHECK(dnnl_stream_wait(stream));
}

static void onednn_backward_data(onednn_t *d) {
    if (d->any) run(d->to_any_data, 2, (dnnl_exec_arg_t[]){{DNNL_ARG_FROM, d->w_user}, {DNNL_ARG_TO, d->w_data}});
    run(d->bwd_data, 4,
        (dnnl_exec_arg_t[]){{DNNL_ARG_DIFF_DST, d->ddst}, {DNNL_ARG_WEIGHTS, d->any ? d->w_data : d->w_user},
                            {DNNL_ARG_DIFF_SRC, d->dsrc}, {DNNL_ARG_SCRATCHPAD, d->bd_scratch}});
    CHECK(dnnl_stream_wait(stream));
}

static void onednn_backward_weights(onednn_t *d) {
    run(d->bwd_weights, 5,
        (dnnl_exec_arg_t[]){{DNNL_ARG_SRC, d->src}, {DNNL_ARG_DIFF_DST, d->ddst},
                            {DNNL_ARG_DIFF_WEIGHTS, d->any ? d->dw_prim : d->dw_user},
                            {DNNL_ARG_DIFF_BIAS, d->dbias}, {DNNL_ARG_SCRATCHPAD, d->bw_scratch}});
    if (d->any)
        run(d->from_any_grad, 2, (dnnl_exec_arg_t[]){{DNNL_ARG_FROM, d->dw_prim}, {DNNL_ARG_TO, d->dw_user}});
    CHECK(dnnl_stream_wait(stream));
}

// ---- measurement -----------------------------------------------------------

static int compare(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n) {
    qsort(v, n, sizeof(double), compare);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static double sgemm_ceiling(int threads) {
    const int n = 2048;
    float *a = buffer((size_t)n * n), *b = buffer((size_t)n * n), *c = buffer((size_t)n * n);
    double best = 1e30;
    for (int rep = 0; rep < 4; rep++) {
        double t0 = now();
#pragma omp parallel for schedule(static) num_threads(threads)
        for (int t = 0; t < threads; t++) {
            int first = n * t / threads, last = n * (t + 1) / threads;
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, last - first, n, n, 1, a + (size_t)first * n, n,
                        b, n, 0, c + (size_t)first * n, n);
        }
        double t = now() - t0;
        if (t < best) best = t;
    }
    free(a), free(b), free(c);
    return 2.0 * n * n * n / best / 1e9;
}

// oneDNN split: each thread runs one-thread primitives on its own block of
// images (OpenMP nests no further), and the weight gradients of the blocks
// are added in block order, as ae's WorkerPool would run it.
typedef struct {
    int threads;
    onednn_t part[2];
    float *dw, *dbias;
    size_t wsize, bsize;
} split_t;

static split_t split_make(layer_t l, int threads) {
    split_t s = {.threads = threads};
    // oneDNN fits a primitive's work split to the threads it may use when it
    // is created: one for these (created for more, they stall).
    omp_set_num_threads(1);
    for (int t = 0; t < threads; t++) {
        layer_t block = l;
        block.n = l.n * (t + 1) / threads - l.n * t / threads;
        s.part[t] = onednn_make(block, 1);
    }
    omp_set_num_threads(threads);
    s.wsize = (size_t)l.oc * l.ic * l.k * l.k, s.bsize = l.transposed ? l.ic : l.oc;
    s.dw = buffer(s.wsize), s.dbias = buffer(s.bsize);
    return s;
}

static float *data(dnnl_memory_t m) {
    void *p;
    CHECK(dnnl_memory_get_data_handle(m, &p));
    return p;
}

static void split_run(split_t *s, int op) {
#pragma omp parallel for schedule(static) num_threads(s->threads)
    for (int t = 0; t < s->threads; t++) {
        if (op == 0) onednn_forward(&s->part[t]);
        else if (op == 1) onednn_backward_data(&s->part[t]);
        else onednn_backward_weights(&s->part[t]);
    }
    if (op == 2) {
        memcpy(s->dw, data(s->part[0].dw_user), s->wsize * sizeof(float));
        memcpy(s->dbias, data(s->part[0].dbias), s->bsize * sizeof(float));
        for (int t = 1; t < s->threads; t++) {
            const float *dw = data(s->part[t].dw_user), *db = data(s->part[t].dbias);
            for (size_t i = 0; i < s->wsize; i++) s->dw[i] += dw[i];
            for (size_t i = 0; i < s->bsize; i++) s->dbias[i] += db[i];
        }
    }
}

// max |x - y| / max |y|: how far the im2col route's result is from oneDNN's.
static double difference(const float *x, const float *y, size_t n) {
    double most = 0, scale = 0;
    for (size_t i = 0; i < n; i++) {
        double d = x[i] > y[i] ? x[i] - y[i] : y[i] - x[i], m = y[i] > 0 ? y[i] : -y[i];
        if (d > most) most = d;
        if (m > scale) scale = m;
    }
    return scale > 0 ? most / scale : most;
}

enum { ROUTES = 3, OPS = 3, MAX_ROUNDS = 201 };
static const char *route_names[ROUTES] = {"im2col+sgemm", "oneDNN", "oneDNN split"};
static const char *op_names[OPS] = {"fwd", "bwd-data", "bwd-w"};

// conv_routes [rounds] [threads] [chunk]: one thread count per process, so
// that an idle OpenMP pool of another count never competes for the cores.
int main(int argc, char **argv) {
    int rounds = argc > 1 ? atoi(argv[1]) : 21, threads = argc > 2 ? atoi(argv[2]) : 1;
    int chunk = argc > 3 ? atoi(argv[3]) : 8;
    if (rounds > MAX_ROUNDS) rounds = MAX_ROUNDS;
    openblas_set_num_threads(1);
    omp_set_num_threads(threads);
    CHECK(dnnl_engine_create(&engine, dnnl_cpu, 0));
    CHECK(dnnl_stream_create(&stream, engine, dnnl_stream_default_flags));
    printf("sgemm ceiling (OpenBLAS, 2048^3, %d single-threaded calls on row blocks): %.0f GFLOPS\n", threads,
           sgemm_ceiling(threads));
    const int n = 128;
    // The conv view of each layer: (image side h, w, c) -> (column side channels).
    layer_t layers[4] = {
        make("conv1", 0, n, 28, 28, 1, 32, 4, 2, 1),
        make("conv2", 0, n, 14, 14, 32, 64, 4, 2, 1),
        make("convT1", 1, n, 14, 14, 32, 64, 4, 2, 1),
        make("convT2", 1, n, 28, 28, 1, 32, 4, 2, 1),
    };
    printf("batch %d, %d threads, %d rounds alternating routes: median ms (GFLOPS at the median), best ms;"
           " im2col chunk %d images\n", n, threads, rounds, chunk);
    printf("%-7s %-9s", "layer", "op");
    for (int r = 0; r < ROUTES; r++) printf(" %20s", route_names[r]);
    printf("\n");
    double totals[ROUTES] = {0}, best_totals[ROUTES] = {0};
    for (int li = 0; li < 4; li++) {
        layer_t l = layers[li];
        im2col_t im = im2col_make(l, threads, chunk);
        onednn_t dn = onednn_make(l, 1);
        split_t sp = split_make(l, threads);
        static double times[ROUTES][OPS][MAX_ROUNDS];
        for (int round = 0; round < rounds + 2; round++)
            for (int r = 0; r < ROUTES; r++)
                for (int op = 0; op < OPS; op++) {
                    double t0 = now();
                    if (r == 0) {
                        if (op == 0) im2col_forward(&im);
                        else if (op == 1) im2col_backward_data(&im);
                        else im2col_backward_weights(&im);
                    } else if (r == 1) {
                        if (op == 0) onednn_forward(&dn);
                        else if (op == 1) onednn_backward_data(&dn);
                        else onednn_backward_weights(&dn);
                    } else {
                        split_run(&sp, op);
                    }
                    if (round >= 2) times[r][op][round - 2] = now() - t0;
                }
        size_t asize = (size_t)l.n * l.ih * l.iw * l.ic, bsize = (size_t)l.n * l.oh * l.ow * l.oc;
        size_t wsize = (size_t)l.oc * l.ic * l.k * l.k, bias_size = l.transposed ? l.ic : l.oc;
        printf("%-7s relative differences im2col - oneDNN: output %.1e, input gradient %.1e, weight gradient"
               " %.1e, bias gradient %.1e\n", l.name,
               difference(l.transposed ? im.a : im.b, data(dn.dst), l.transposed ? asize : bsize),
               difference(l.transposed ? im.db : im.da, data(dn.dsrc), l.transposed ? bsize : asize),
               difference(im.dw, data(dn.dw_user), wsize), difference(im.dbias, data(dn.dbias), bias_size));
        double flops = layer_flops(&l);
        for (int op = 0; op < OPS; op++) {
            printf("%-7s %-9s", l.name, op_names[op]);
            for (int r = 0; r < ROUTES; r++) {
                double ms = 1e3 * median(times[r][op], rounds), best = 1e3 * times[r][op][0];
                // conv1's input needs no gradient in training: left out of the totals.
                if (!(li == 0 && op == 1)) totals[r] += ms, best_totals[r] += best;
                printf(" %7.3f (%4.0f) %7.3f", ms, flops / ms / 1e6, best);
            }
            printf("\n");
        }
    }
    printf("%-17s", "training total ms");
    for (int r = 0; r < ROUTES; r++) printf(" %12.2f %7.2f", totals[r], best_totals[r]);
    printf("\n");
    return 0;
}
