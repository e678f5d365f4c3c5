// 2-D convolutions and transposed convolutions on oneDNN (Debian's libdnnl,
// oneDNN 2.x), loaded with dlopen on first use: the 40 MB library and the
// C++ runtime behind it cost every process about 4 ms to load, which only
// models with convolutions should pay.
//
// Activations are NHWC (ae's rows are images in HWC order; a batch is
// N x (H*W*C) row-major). Weights are in torch's layout: a convolution's
// (out, in, kH, kW), a transposed convolution's (in, out, kH, kW); biases
// (out). oneDNN's fast kernels want their own blocked weight layout, so each
// call reorders the weights into it (and the weight gradient out of it).
//
// A plan holds the primitives for one shape and batch size and runs them on
// the calling thread alone (one OpenMP thread): ae splits a batch over its own
// threads, one plan per block, so results depend on the block sizes and never
// on scheduling. A plan must not be used by two threads at once.
#ifndef AE_CCONVOLUTION_H
#define AE_CCONVOLUTION_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    int32_t transposed;  // 0: convolution, 1: transposed convolution
    int32_t batch;       // images per call
    int32_t in_height, in_width, in_channels;
    int32_t out_height, out_width, out_channels;
    int32_t kernel, stride, padding;  // square kernel; the same stride and padding on both axes
    int32_t relu;        // forward applies max(0, .) after the bias
} ae_conv_shape;

typedef struct ae_conv_plan ae_conv_plan;

// Loads oneDNN once (every call after the first only reports): 1, or 0 with
// a one-line reason in `error`.
int ae_conv_load(char *error, size_t error_size);

// A plan for `shape`, or NULL with a one-line reason in `error` (oneDNN
// missing, or a shape it refuses).
ae_conv_plan *ae_conv_plan_create(const ae_conv_shape *shape, char *error, size_t error_size);
void ae_conv_plan_destroy(ae_conv_plan *plan);

// Each returns 0, or a oneDNN status when a primitive fails to run.
// output = [relu](conv(input, weight) + bias).
int ae_conv_forward(ae_conv_plan *plan, const float *input, const float *weight, const float *bias, float *output);
// input_gradient = d(loss)/d(input) for output_gradient = d(loss)/d(output)
// of the convolution before the relu (overwritten).
int ae_conv_backward_data(ae_conv_plan *plan, const float *output_gradient, const float *weight,
                          float *input_gradient);
// weight_gradient and bias_gradient (torch's layouts) = the gradients summed
// over the plan's batch (overwritten).
int ae_conv_backward_weights(ae_conv_plan *plan, const float *input, const float *output_gradient,
                             float *weight_gradient, float *bias_gradient);

#endif
