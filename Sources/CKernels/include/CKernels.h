// Elementwise and sparse kernels for ae's hot loops, compiled for several
// instruction sets (AVX-512, AVX2+FMA, baseline) and chosen at load time, so
// one binary runs everywhere and uses the widest vectors the CPU has.
#ifndef AE_CKERNELS_H
#define AE_CKERNELS_H

#include <stddef.h>
#include <stdint.h>

// Reconstruction losses summed per row. `output` holds the decoder's last
// pre-activations (logits for binary cross-entropy). When `gradient` is not
// NULL it receives scale * d(loss)/d(output); when `row_losses` is not NULL it
// receives each row's loss. Returns the sum over all rows.
double ae_binary_cross_entropy(const float *output, const float *target, size_t rows, size_t cols,
                               double *row_losses, float *gradient, float scale);
double ae_squared_error(const float *output, const float *target, size_t rows, size_t cols,
                        double *row_losses, float *gradient, float scale);

// Each element's term of those losses: a row's terms are what its loss
// sums (in another order, so the sums agree to rounding).
void ae_binary_cross_entropy_terms(const float *output, const float *target, size_t count, float *terms);
void ae_squared_error_terms(const float *output, const float *target, size_t count, float *terms);

// Activations in place, and their derivatives from the activation's outputs.
void ae_sigmoid(float *values, size_t count);
void ae_tanh(float *values, size_t count);
void ae_elu(float *values, size_t count);
void ae_sigmoid_backward(const float *outputs, float *gradients, size_t count);
void ae_tanh_backward(const float *outputs, float *gradients, size_t count);
void ae_elu_backward(const float *outputs, float *gradients, size_t count);

// One Adam step (decoupled weight decay) over parameters [begin, end), with
// the gradient given as the sum of `part_count` buffers, added in order into
// the first buffer (which is overwritten).
void ae_adam_update(float *parameters, float *first_moment, float *second_moment,
                    float *const *gradient_parts, size_t part_count, size_t begin, size_t end,
                    float beta1, float beta2, float epsilon, float step_size,
                    float inverse_root_correction2, float decay);

// glibc's malloc tuning for HeapSettings.swift (malloc.h is outside Swift's
// Glibc module): blocks up to `largest_kept` bytes come from the heap and are
// reused when freed; the heap shrinks once `trim_above` bytes lie free at its
// top. Does nothing on other C libraries.
#if defined(__GLIBC__)
#include <malloc.h>
#endif
static inline void ae_keep_freed_blocks(int largest_kept, int trim_above) {
#if defined(__GLIBC__)
    mallopt(M_MMAP_THRESHOLD, largest_kept);
    mallopt(M_TRIM_THRESHOLD, trim_above);
#else
    (void)largest_kept;
    (void)trim_above;
#endif
}


// Products with a sparse left operand, for inputs that are mostly zeros (such
// as images): the cost follows the non-zeros instead of the full width.
// A sparse matrix is given by rows (CSR: `starts[r]..<starts[r + 1]` index
// `columns` and `values`) or by columns (CSC, the same with roles swapped).

// Y[r, :] += sum over the non-zeros (r, j, v) of v * W[j, :], for r < rows,
// each output summed in the order of its row's non-zeros, which have
// increasing column indices j < inputs. W is row-major, inputs x width; Y is
// row-major with `width` columns. The kernel is fastest when W is 64-byte
// aligned (see AlignedFloats).
void ae_sparse_rows_times_dense(const int64_t *starts, const int32_t *columns, const float *values, size_t rows,
                                const float *w, size_t inputs, size_t width, float *y);

// Y[r, :] += sum over j < inputs of X[r, j] * W[j, :], for r < rows: the
// dense-rows product of a layer. X is row-major, rows x inputs; W and Y as
// above. Each output is summed over j in increasing order, from the value in
// Y, whatever `rows` and a row's place among them, so a row's result depends
// on that row alone; and it is the sum the sparse-rows product takes over the
// same row's non-zeros, but for the sign of a zero.
void ae_dense_rows_times_dense(const float *x, size_t rows, const float *w, size_t inputs, size_t width, float *y);

// Writes the positions and values of the non-zeros of x[0..<count] and returns
// how many there are, or -1 as soon as there are more than `limit`. It may
// write up to AE_NONZEROS_SLACK entries past `limit` (whole vectors are
// stored), so both arrays need room for `limit + AE_NONZEROS_SLACK`.
#define AE_NONZEROS_SLACK 16
int64_t ae_nonzeros(const float *x, size_t count, int32_t *columns, float *values, size_t limit);
// The same without AVX-512, as ae_nonzeros runs on CPUs without it; declared
// so that tests check it on any machine.
int64_t ae_nonzeros_portable(const float *x, size_t count, int32_t *columns, float *values, size_t limit);

// The index of the first NaN or infinite value in x[0..<count], or -1.
int64_t ae_first_non_finite(const float *x, size_t count);

// A transposed 2-D convolution computed directly, for a layer with few
// output channels (a decoder's last, 1 or 3), where the general kernels have
// nothing to vectorise across. Each input pixel's products with the weights
// are formed for all kernel taps at once (vectorised across the taps) and
// added into the outputs they reach: y[n, oh, ow, o] = [relu](bias[o] + the
// sum, over input pixels in order and then taps, of sum over c of
// x[n, ih, iw, c] * w[c, kh, kw, o]), each sum in a fixed order. x and y are
// NHWC; w is torch's ConvTranspose2d weight (in, out, kh, kw) rearranged
// (in, kh, kw, out). Each image's result depends on that image alone. Keeps
// 2 · kernel² · out_channels floats on the stack (the caller bounds them).
// Returns 0, or -1 when its scratch space cannot be allocated.
int ae_transposed_convolution_few_outputs(const float *x, size_t images, size_t in_height, size_t in_width,
                                          size_t in_channels, const float *w, const float *bias, size_t out_height,
                                          size_t out_width, size_t out_channels, size_t kernel, size_t stride,
                                          size_t padding, int relu, float *y);

// relu and leaky relu in place, and their derivatives from the outputs.
void ae_relu(float *values, size_t count);
void ae_leaky_relu(float *values, size_t count, float slope);
void ae_relu_backward(const float *outputs, float *gradients, size_t count);
void ae_leaky_relu_backward(const float *outputs, float *gradients, size_t count, float slope);

#endif // AE_CKERNELS_H
