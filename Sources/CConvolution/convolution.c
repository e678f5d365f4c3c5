// See CConvolution.h. oneDNN's functions are called through pointers that
// dlsym fills in once; its header gives their types.
//
// Only oneDNN's convolution primitives are used. A transposed convolution is
// the adjoint of the convolution from its output's shape to its input's,
// whose weights torch stores in the same order, so it runs that
// convolution's primitives with the roles swapped: its forward pass is the
// convolution's backward-data pass, its input gradient the convolution's
// forward pass, its weight gradient the convolution's with image and
// gradient exchanged; its bias and relu are a loop of their own here. (On
// the reference network's layers, oneDNN 2.6's own deconvolution primitives
// took 1.5-3x longer than these convolution primitives on the same shapes.)
#include "CConvolution.h"

#include <dlfcn.h>
#include <oneapi/dnnl/dnnl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AE_DNNL_FUNCTIONS(X)                                                                        \
    X(dnnl_engine_create) X(dnnl_stream_create) X(dnnl_stream_destroy) X(dnnl_stream_wait)         \
    X(dnnl_memory_desc_init_by_tag) X(dnnl_memory_desc_equal) X(dnnl_memory_desc_get_size)         \
    X(dnnl_memory_create) X(dnnl_memory_destroy) X(dnnl_memory_set_data_handle)                    \
    X(dnnl_primitive_attr_create) X(dnnl_primitive_attr_destroy)                                   \
    X(dnnl_primitive_attr_set_scratchpad_mode) X(dnnl_primitive_attr_set_post_ops)                 \
    X(dnnl_post_ops_create) X(dnnl_post_ops_destroy) X(dnnl_post_ops_append_eltwise)               \
    X(dnnl_convolution_forward_desc_init) X(dnnl_convolution_backward_data_desc_init)              \
    X(dnnl_convolution_backward_weights_desc_init)                                                 \
    X(dnnl_primitive_desc_create) X(dnnl_primitive_desc_destroy) X(dnnl_primitive_desc_query_md)   \
    X(dnnl_reorder_primitive_desc_create) X(dnnl_primitive_create) X(dnnl_primitive_destroy)       \
    X(dnnl_primitive_execute)

#define AE_DECLARE(name) static __typeof__(&name) p_##name;
AE_DNNL_FUNCTIONS(AE_DECLARE)
#undef AE_DECLARE

// OpenMP's, from the libgomp that libdnnl loads: plans run on one thread.
static void (*p_omp_set_num_threads)(int);

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static char load_error[256];
static dnnl_engine_t engine;

static void load(void) {
    void *library = dlopen("libdnnl.so.2", RTLD_NOW | RTLD_LOCAL);
    if (!library) {
        snprintf(load_error, sizeof load_error,
                 "convolutions need oneDNN 2 (libdnnl.so.2, Debian's libdnnl2): %s", dlerror());
        return;
    }
#define AE_LOAD(name)                                                                          \
    if (!(p_##name = (__typeof__(&name))dlsym(library, #name))) {                              \
        snprintf(load_error, sizeof load_error, "libdnnl.so.2 has no %s: oneDNN 2 is needed", #name); \
        return;                                                                                \
    }
    AE_DNNL_FUNCTIONS(AE_LOAD)
#undef AE_LOAD
    p_omp_set_num_threads = (void (*)(int))dlsym(library, "omp_set_num_threads");
    if (p_dnnl_engine_create(&engine, dnnl_cpu, 0) != dnnl_success) {
        snprintf(load_error, sizeof load_error, "oneDNN could not create its CPU engine");
        engine = NULL;
    }
}

// The primitives of one operation, with memory objects whose data handles
// each call points at the caller's buffers.
typedef struct {
    dnnl_primitive_t primitive;
    dnnl_memory_t scratchpad;
    dnnl_memory_t weights;  // in the primitive's layout (owned)
} operation;

// Primitives and memories are named in the convolution's terms ("src" is
// the convolution's input, a transposed convolution's output).
struct ae_conv_plan {
    dnnl_stream_t stream;
    int transposed, relu;
    size_t pixels, channels;  // the layer's output: batch x height x width pixels of `channels`
    operation forward, backward_data, backward_weights;
    dnnl_memory_t src, dst, diff_src, diff_dst, bias, diff_bias, user_weights, user_diff_weights;
    // Torch's layout -> the forward's and the backward-data primitive's
    // weights, and the backward-weights primitive's gradient -> torch's; NULL
    // where the layouts agree and the user's buffer is used directly.
    dnnl_primitive_t to_forward_weights, to_backward_data_weights, from_diff_weights;
};

static dnnl_memory_t memory(const dnnl_memory_desc_t *md, int allocate) {
    dnnl_memory_t m = NULL;
    if (p_dnnl_memory_create(&m, md, engine, allocate ? DNNL_MEMORY_ALLOCATE : DNNL_MEMORY_NONE) != dnnl_success)
        return NULL;
    return m;
}

static dnnl_primitive_t reorder(const dnnl_memory_desc_t *from, const dnnl_memory_desc_t *to) {
    dnnl_primitive_desc_t pd;
    dnnl_primitive_t p = NULL;
    if (p_dnnl_reorder_primitive_desc_create(&pd, from, engine, to, engine, NULL) != dnnl_success) return NULL;
    if (p_dnnl_primitive_create(&p, pd) != dnnl_success) p = NULL;
    p_dnnl_primitive_desc_destroy(pd);
    return p;
}

// Creates the primitive, its scratchpad and (when `weights_query` is not 0)
// the memory for its weights in the layout it chose. Returns 0 on failure.
static int finish(operation *op, const_dnnl_primitive_desc_t pd, dnnl_query_t weights_query) {
    if (p_dnnl_primitive_create(&op->primitive, pd) != dnnl_success) return 0;
    op->scratchpad = memory(p_dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0), 1);
    if (!op->scratchpad) return 0;
    if (weights_query) {
        op->weights = memory(p_dnnl_primitive_desc_query_md(pd, weights_query, 0), 1);
        if (!op->weights) return 0;
    }
    return 1;
}

static void release(operation *op) {
    if (op->primitive) p_dnnl_primitive_destroy(op->primitive);
    if (op->scratchpad) p_dnnl_memory_destroy(op->scratchpad);
    if (op->weights) p_dnnl_memory_destroy(op->weights);
}

void ae_conv_plan_destroy(ae_conv_plan *plan) {
    if (!plan) return;
    release(&plan->forward);
    release(&plan->backward_data);
    release(&plan->backward_weights);
    dnnl_memory_t memories[] = {plan->src,  plan->dst,       plan->diff_src,     plan->diff_dst,
                                plan->bias, plan->diff_bias, plan->user_weights, plan->user_diff_weights};
    for (size_t i = 0; i < sizeof memories / sizeof memories[0]; i++)
        if (memories[i]) p_dnnl_memory_destroy(memories[i]);
    dnnl_primitive_t reorders[] = {plan->to_forward_weights, plan->to_backward_data_weights, plan->from_diff_weights};
    for (size_t i = 0; i < 3; i++)
        if (reorders[i]) p_dnnl_primitive_destroy(reorders[i]);
    if (plan->stream) p_dnnl_stream_destroy(plan->stream);
    free(plan);
}

static void one_thread(void) {
    if (p_omp_set_num_threads) p_omp_set_num_threads(1);
}

int ae_conv_load(char *error, size_t error_size) {
    pthread_once(&load_once, load);
    if (!engine) snprintf(error, error_size, "%s", load_error);
    return engine != NULL;
}

ae_conv_plan *ae_conv_plan_create(const ae_conv_shape *s, char *error, size_t error_size) {
    if (!ae_conv_load(error, error_size)) return NULL;
    // oneDNN fits a primitive's work split to the threads it may use when
    // it is created: one.
    one_thread();
    ae_conv_plan *plan = calloc(1, sizeof *plan);
    if (!plan) {
        snprintf(error, error_size, "out of memory");
        return NULL;
    }
    plan->transposed = s->transposed;
    plan->relu = s->relu;
    plan->pixels = (size_t)s->batch * s->out_height * s->out_width;
    plan->channels = (size_t)s->out_channels;
    const char *failed = NULL;
    // The convolution's input ("image") and output ("column") sides.
    dnnl_dims_t layer_in = {s->batch, s->in_channels, s->in_height, s->in_width};
    dnnl_dims_t layer_out = {s->batch, s->out_channels, s->out_height, s->out_width};
    int32_t image_channels = s->transposed ? s->out_channels : s->in_channels;
    int32_t column_channels = s->transposed ? s->in_channels : s->out_channels;
    // (out, in, kh, kw) of the convolution: torch's Conv2d order, and its
    // ConvTranspose2d's (in, out, kh, kw) of the adjoint.
    dnnl_dims_t weight_dims = {column_channels, image_channels, s->kernel, s->kernel};
    dnnl_dims_t bias_dims = {column_channels};
    dnnl_dims_t strides = {s->stride, s->stride}, padding = {s->padding, s->padding};
    dnnl_memory_desc_t src_md, dst_md, user_weight_md, any_weight_md, bias_md;
    const dnnl_memory_desc_t *bias = s->transposed ? NULL : &bias_md;
    dnnl_primitive_attr_t attr = NULL, forward_attr = NULL;
    dnnl_post_ops_t post_ops = NULL;
    dnnl_primitive_desc_t fpd = NULL, bdpd = NULL, bwpd = NULL;
    dnnl_convolution_desc_t f, bd, bw;

#define TRY(call, what)            \
    if ((call) != dnnl_success) {  \
        failed = what;             \
        goto done;                 \
    }
    TRY(p_dnnl_stream_create(&plan->stream, engine, dnnl_stream_default_flags), "stream");
    TRY(p_dnnl_memory_desc_init_by_tag(&src_md, 4, s->transposed ? layer_out : layer_in, dnnl_f32, dnnl_nhwc),
        "image shape");
    TRY(p_dnnl_memory_desc_init_by_tag(&dst_md, 4, s->transposed ? layer_in : layer_out, dnnl_f32, dnnl_nhwc),
        "image shape");
    TRY(p_dnnl_memory_desc_init_by_tag(&user_weight_md, 4, weight_dims, dnnl_f32, dnnl_oihw), "weight shape");
    TRY(p_dnnl_memory_desc_init_by_tag(&any_weight_md, 4, weight_dims, dnnl_f32, dnnl_format_tag_any),
        "weight shape");
    TRY(p_dnnl_memory_desc_init_by_tag(&bias_md, 1, bias_dims, dnnl_f32, dnnl_x), "bias shape");
    TRY(p_dnnl_primitive_attr_create(&attr), "attributes");
    TRY(p_dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user), "attributes");
    TRY(p_dnnl_primitive_attr_create(&forward_attr), "attributes");
    TRY(p_dnnl_primitive_attr_set_scratchpad_mode(forward_attr, dnnl_scratchpad_mode_user), "attributes");
    if (s->relu && !s->transposed) {
        TRY(p_dnnl_post_ops_create(&post_ops), "relu");
        TRY(p_dnnl_post_ops_append_eltwise(post_ops, 1.0f, dnnl_eltwise_relu, 0.0f, 0.0f), "relu");
        TRY(p_dnnl_primitive_attr_set_post_ops(forward_attr, post_ops), "relu");
    }
    TRY(p_dnnl_convolution_forward_desc_init(&f, dnnl_forward_training, dnnl_convolution_direct, &src_md,
                                             &any_weight_md, bias, &dst_md, strides, padding, padding),
        "forward pass");
    TRY(p_dnnl_primitive_desc_create(&fpd, &f, forward_attr, engine, NULL), "forward pass");
    TRY(p_dnnl_convolution_backward_data_desc_init(&bd, dnnl_convolution_direct, &src_md, &any_weight_md, &dst_md,
                                                   strides, padding, padding), "backward data pass");
    TRY(p_dnnl_primitive_desc_create(&bdpd, &bd, attr, engine, fpd), "backward data pass");
    TRY(p_dnnl_convolution_backward_weights_desc_init(&bw, dnnl_convolution_direct, &src_md, &any_weight_md, bias,
                                                      &dst_md, strides, padding, padding), "weight gradient");
    TRY(p_dnnl_primitive_desc_create(&bwpd, &bw, attr, engine, fpd), "weight gradient");
#undef TRY
    failed = "memory";
    if (!finish(&plan->forward, fpd, dnnl_query_weights_md) ||
        !finish(&plan->backward_data, bdpd, dnnl_query_weights_md) ||
        !finish(&plan->backward_weights, bwpd, dnnl_query_diff_weights_md))
        goto done;
    if (!(plan->src = memory(&src_md, 0)) || !(plan->dst = memory(&dst_md, 0)) ||
        !(plan->diff_src = memory(&src_md, 0)) || !(plan->diff_dst = memory(&dst_md, 0)) ||
        !(plan->bias = memory(&bias_md, 0)) || !(plan->diff_bias = memory(&bias_md, 0)) ||
        !(plan->user_weights = memory(&user_weight_md, 0)) || !(plan->user_diff_weights = memory(&user_weight_md, 0)))
        goto done;
    failed = "weight reorder";
    const dnnl_memory_desc_t *forward_md = p_dnnl_primitive_desc_query_md(fpd, dnnl_query_weights_md, 0);
    const dnnl_memory_desc_t *data_md = p_dnnl_primitive_desc_query_md(bdpd, dnnl_query_weights_md, 0);
    const dnnl_memory_desc_t *diff_md = p_dnnl_primitive_desc_query_md(bwpd, dnnl_query_diff_weights_md, 0);
    if ((!p_dnnl_memory_desc_equal(forward_md, &user_weight_md) &&
         !(plan->to_forward_weights = reorder(&user_weight_md, forward_md))) ||
        (!p_dnnl_memory_desc_equal(data_md, &user_weight_md) &&
         !(plan->to_backward_data_weights = reorder(&user_weight_md, data_md))) ||
        (!p_dnnl_memory_desc_equal(diff_md, &user_weight_md) &&
         !(plan->from_diff_weights = reorder(diff_md, &user_weight_md))))
        goto done;
    failed = NULL;

done:
    if (fpd) p_dnnl_primitive_desc_destroy(fpd);
    if (bdpd) p_dnnl_primitive_desc_destroy(bdpd);
    if (bwpd) p_dnnl_primitive_desc_destroy(bwpd);
    if (post_ops) p_dnnl_post_ops_destroy(post_ops);
    if (attr) p_dnnl_primitive_attr_destroy(attr);
    if (forward_attr) p_dnnl_primitive_attr_destroy(forward_attr);
    if (failed) {
        snprintf(error, error_size, "oneDNN refused the convolution's %s", failed);
        ae_conv_plan_destroy(plan);
        return NULL;
    }
    return plan;
}

static void point(dnnl_memory_t m, const float *data) { p_dnnl_memory_set_data_handle(m, (void *)data); }

static int run(ae_conv_plan *plan, dnnl_primitive_t primitive, int count, const dnnl_exec_arg_t *args) {
    dnnl_status_t status = p_dnnl_primitive_execute(primitive, plan->stream, count, args);
    if (status == dnnl_success) status = p_dnnl_stream_wait(plan->stream);
    return (int)status;
}

// The operation's weights: the user's buffer when the layouts agree, else
// `op`'s own, filled by `to` from the user's.
static int weights_for(ae_conv_plan *plan, operation *op, dnnl_primitive_t to, const float *weight,
                       dnnl_memory_t *result) {
    point(plan->user_weights, weight);
    *result = plan->user_weights;
    if (!to) return 0;
    *result = op->weights;
    return run(plan, to, 2, (dnnl_exec_arg_t[]){{DNNL_ARG_FROM, plan->user_weights}, {DNNL_ARG_TO, op->weights}});
}


// The convolution's three passes on the caller's buffers (bias may be NULL
// when the plan has none).
static int convolution_forward(ae_conv_plan *plan, const float *src, const float *weight, const float *bias,
                               float *dst) {
    dnnl_memory_t weights;
    int status = weights_for(plan, &plan->forward, plan->to_forward_weights, weight, &weights);
    if (status) return status;
    point(plan->src, src);
    point(plan->bias, bias);
    point(plan->dst, dst);
    dnnl_exec_arg_t args[] = {{DNNL_ARG_SRC, plan->src},
                              {DNNL_ARG_WEIGHTS, weights},
                              {DNNL_ARG_DST, plan->dst},
                              {DNNL_ARG_SCRATCHPAD, plan->forward.scratchpad},
                              {DNNL_ARG_BIAS, plan->bias}};
    return run(plan, plan->forward.primitive, bias ? 5 : 4, args);
}

static int convolution_backward_data(ae_conv_plan *plan, const float *diff_dst, const float *weight,
                                     float *diff_src) {
    dnnl_memory_t weights;
    int status = weights_for(plan, &plan->backward_data, plan->to_backward_data_weights, weight, &weights);
    if (status) return status;
    point(plan->diff_dst, diff_dst);
    point(plan->diff_src, diff_src);
    return run(plan, plan->backward_data.primitive, 4,
               (dnnl_exec_arg_t[]){{DNNL_ARG_DIFF_DST, plan->diff_dst},
                                   {DNNL_ARG_WEIGHTS, weights},
                                   {DNNL_ARG_DIFF_SRC, plan->diff_src},
                                   {DNNL_ARG_SCRATCHPAD, plan->backward_data.scratchpad}});
}

static int convolution_backward_weights(ae_conv_plan *plan, const float *src, const float *diff_dst,
                                        float *weight_gradient, float *bias_gradient) {
    point(plan->src, src);
    point(plan->diff_dst, diff_dst);
    point(plan->diff_bias, bias_gradient);
    point(plan->user_diff_weights, weight_gradient);
    dnnl_memory_t diff_weights = plan->from_diff_weights ? plan->backward_weights.weights : plan->user_diff_weights;
    dnnl_exec_arg_t args[] = {{DNNL_ARG_SRC, plan->src},
                              {DNNL_ARG_DIFF_DST, plan->diff_dst},
                              {DNNL_ARG_DIFF_WEIGHTS, diff_weights},
                              {DNNL_ARG_SCRATCHPAD, plan->backward_weights.scratchpad},
                              {DNNL_ARG_DIFF_BIAS, plan->diff_bias}};
    int status = run(plan, plan->backward_weights.primitive, bias_gradient ? 5 : 4, args);
    if (status || !plan->from_diff_weights) return status;
    return run(plan, plan->from_diff_weights, 2,
               (dnnl_exec_arg_t[]){{DNNL_ARG_FROM, diff_weights}, {DNNL_ARG_TO, plan->user_diff_weights}});
}

int ae_conv_forward(ae_conv_plan *plan, const float *input, const float *weight, const float *bias, float *output) {
    one_thread();
    if (!plan->transposed) return convolution_forward(plan, input, weight, bias, output);
    int status = convolution_backward_data(plan, input, weight, output);
    if (status) return status;
    for (size_t i = 0; i < plan->pixels; i++) {
        float *row = output + i * plan->channels;
        for (size_t c = 0; c < plan->channels; c++) {
            float v = row[c] + bias[c];
            row[c] = plan->relu && v < 0 ? 0 : v;
        }
    }
    return 0;
}

int ae_conv_backward_data(ae_conv_plan *plan, const float *output_gradient, const float *weight,
                          float *input_gradient) {
    one_thread();
    if (!plan->transposed) return convolution_backward_data(plan, output_gradient, weight, input_gradient);
    return convolution_forward(plan, output_gradient, weight, NULL, input_gradient);
}

int ae_conv_backward_weights(ae_conv_plan *plan, const float *input, const float *output_gradient,
                             float *weight_gradient, float *bias_gradient) {
    one_thread();
    if (!plan->transposed)
        return convolution_backward_weights(plan, input, output_gradient, weight_gradient, bias_gradient);
    int status = convolution_backward_weights(plan, output_gradient, input, weight_gradient, NULL);
    if (status) return status;
    // The bias gradient sums the output gradient over the pixels, in order,
    // in double, for up to 64 channels a pass.
    enum { block = 64 };
    for (size_t first = 0; first < plan->channels; first += block) {
        size_t width = plan->channels - first < block ? plan->channels - first : block;
        double sums[block] = {0};
        for (size_t i = 0; i < plan->pixels; i++) {
            const float *row = output_gradient + i * plan->channels + first;
            for (size_t c = 0; c < width; c++) sums[c] += row[c];
        }
        for (size_t c = 0; c < width; c++) bias_gradient[first + c] = (float)sums[c];
    }
    return 0;
}
