#include "CKernels.h"

#include <immintrin.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

// Each kernel is cloned for AVX-512, AVX2+FMA and the baseline; the loader
// picks the best clone the CPU supports (an ifunc), so callers see one symbol.
// Except under ThreadSanitizer: it instruments the clones' resolver, which the
// loader runs while relocating, before TSan is set up, and the program
// crashes before main; there the kernels are built once, for the baseline.
#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define AE_KERNEL
#endif
#endif
#ifndef AE_KERNEL
#define AE_KERNEL __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#endif

// Lets a per-row loss sum be computed in vector lanes (a fixed reordering for
// a given instruction set, so results stay reproducible on one machine).
#define AE_VECTORIZE_SUM _Pragma("clang loop vectorize(enable)")

// e^x for x in [-87, 88] (clamped outside), Cephes' polynomial: about 1 ulp,
// and written so that compilers vectorise it (no branches, no libm calls).
static inline float fast_exp(float x) {
    x = fminf(fmaxf(x, -87.0f), 88.0f);
    float n = floorf(x * 1.44269504088896341f + 0.5f);
    float r = x - n * 0.693359375f + n * 2.12194440e-4f;
    float r2 = r * r;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r2 + r + 1.0f;
    union { int32_t i; float f; } scale = { .i = ((int32_t)n + 127) << 23 };
    return p * scale.f;
}

// log(1 + e) for e in [0, 1], as 2·atanh(s) with s = e / (2 + e) <= 1/3.
static inline float log1p_unit(float e) {
    float s = e / (2.0f + e);
    float s2 = s * s;
    float p = 1.0f / 13.0f;
    p = p * s2 + 1.0f / 11.0f;
    p = p * s2 + 1.0f / 9.0f;
    p = p * s2 + 1.0f / 7.0f;
    p = p * s2 + 1.0f / 5.0f;
    p = p * s2 + 1.0f / 3.0f;
    p = p * s2 + 1.0f;
    return 2.0f * s * p;
}

// One element's binary cross-entropy on a logit l with target t, given
// e = exp(-|l|): max(l, 0) - l*t + log(1 + e), which no large |l| overflows.
static inline float bce_term(float l, float t, float e) {
    return fmaxf(l, 0.0f) - l * t + log1p_unit(e);
}

AE_KERNEL
double ae_binary_cross_entropy(const float *output, const float *target, size_t rows, size_t cols,
                               double *row_losses, float *gradient, float scale) {
    double total = 0;
    for (size_t row = 0; row < rows; row++) {
        const float *logits = output + row * cols, *t = target + row * cols;
        float sum = 0;
        if (gradient) {
            float *g = gradient + row * cols;
            AE_VECTORIZE_SUM
            for (size_t j = 0; j < cols; j++) {
                float l = logits[j];
                float e = fast_exp(-fabsf(l));
                sum += bce_term(l, t[j], e);
                float sigmoid = (l >= 0 ? 1.0f : e) / (1.0f + e);
                g[j] = (sigmoid - t[j]) * scale;
            }
        } else {
            AE_VECTORIZE_SUM
            for (size_t j = 0; j < cols; j++) {
                float l = logits[j];
                sum += bce_term(l, t[j], fast_exp(-fabsf(l)));
            }
        }
        if (row_losses) row_losses[row] = sum;
        total += sum;
    }
    return total;
}

AE_KERNEL
double ae_squared_error(const float *output, const float *target, size_t rows, size_t cols,
                        double *row_losses, float *gradient, float scale) {
    double total = 0;
    for (size_t row = 0; row < rows; row++) {
        const float *y = output + row * cols, *t = target + row * cols;
        float sum = 0;
        if (gradient) {
            float *g = gradient + row * cols;
            AE_VECTORIZE_SUM
            for (size_t j = 0; j < cols; j++) {
                float d = y[j] - t[j];
                sum += d * d;
                g[j] = 2.0f * d * scale;
            }
        } else {
            AE_VECTORIZE_SUM
            for (size_t j = 0; j < cols; j++) {
                float d = y[j] - t[j];
                sum += d * d;
            }
        }
        if (row_losses) row_losses[row] = sum;
        total += sum;
    }
    return total;
}

AE_KERNEL
void ae_binary_cross_entropy_terms(const float *output, const float *target, size_t count, float *terms) {
    for (size_t j = 0; j < count; j++) {
        float l = output[j];
        terms[j] = bce_term(l, target[j], fast_exp(-fabsf(l)));
    }
}

AE_KERNEL
void ae_squared_error_terms(const float *output, const float *target, size_t count, float *terms) {
    for (size_t j = 0; j < count; j++) {
        float d = output[j] - target[j];
        terms[j] = d * d;
    }
}

AE_KERNEL
void ae_sigmoid(float *values, size_t count) {
    for (size_t i = 0; i < count; i++) {
        float x = values[i];
        float e = fast_exp(-fabsf(x));
        values[i] = (x >= 0 ? 1.0f : e) / (1.0f + e);
    }
}

AE_KERNEL
void ae_tanh(float *values, size_t count) {
    for (size_t i = 0; i < count; i++) {
        float x = values[i];
        float e = fast_exp(-2.0f * fabsf(x));
        float magnitude = (1.0f - e) / (1.0f + e);
        values[i] = copysignf(magnitude, x);
    }
}

AE_KERNEL
void ae_elu(float *values, size_t count) {
    for (size_t i = 0; i < count; i++) {
        float x = values[i];
        // e^x − 1 loses digits near 0; there the series x + x²/2 + x³/6 is exact enough.
        float series = x * (1.0f + x * (0.5f + x * (1.0f / 6.0f + x * (1.0f / 24.0f))));
        float expm1 = x > -0.125f ? series : fast_exp(x) - 1.0f;
        values[i] = x > 0 ? x : expm1;
    }
}

AE_KERNEL
void ae_sigmoid_backward(const float *outputs, float *gradients, size_t count) {
    for (size_t i = 0; i < count; i++) gradients[i] *= outputs[i] * (1.0f - outputs[i]);
}

AE_KERNEL
void ae_tanh_backward(const float *outputs, float *gradients, size_t count) {
    for (size_t i = 0; i < count; i++) gradients[i] *= 1.0f - outputs[i] * outputs[i];
}

AE_KERNEL
void ae_elu_backward(const float *outputs, float *gradients, size_t count) {
    for (size_t i = 0; i < count; i++) gradients[i] *= outputs[i] > 0 ? 1.0f : outputs[i] + 1.0f;
}

AE_KERNEL
void ae_adam_update(float *parameters, float *first_moment, float *second_moment,
                    float *const *gradient_parts, size_t part_count, size_t begin, size_t end,
                    float beta1, float beta2, float epsilon, float step_size,
                    float inverse_root_correction2, float decay) {
    // Memory bandwidth bounds this loop, so with two parts (two threads) the
    // sum is fused into the step, one pass over memory; with more, the parts
    // are first summed into the first one (ours to overwrite).
    float *gradient = gradient_parts[0];
    const float *second = part_count == 2 ? gradient_parts[1] : NULL;
    for (size_t k = 1; k < part_count && !second; k++) {
        const float *part = gradient_parts[k];
        for (size_t i = begin; i < end; i++) gradient[i] += part[i];
    }
    for (size_t i = begin; i < end; i++) {
        float g = second ? gradient[i] + second[i] : gradient[i];
        float m = beta1 * first_moment[i] + (1.0f - beta1) * g;
        float v = beta2 * second_moment[i] + (1.0f - beta2) * g * g;
        first_moment[i] = m;
        second_moment[i] = v;
        parameters[i] = parameters[i] * decay - step_size * m / (sqrtf(v) * inverse_root_correction2 + epsilon);
    }
}

// Sixteen floats: one AVX-512 register, two AVX2 registers, four SSE ones.
typedef float float16_vector __attribute__((vector_size(64), aligned(4)));

// Macros rather than functions: a function passing 64-byte vectors would have
// a different ABI in each instruction-set clone.
#define load16(p) (*(const float16_vector *)(p))
#define store16(p, v) (*(float16_vector *)(p) = (v))

// The sparse-rows product walks W in tiles of SPARSE_TILE_INPUTS rows by at
// most SPARSE_TILE_VECTORS vectors of columns (64 KB at most), which a chunk
// of SPARSE_TILE_ROWS input rows uses while it is in the nearest caches.
// Untiled, each non-zero fetched its part of W from L2 again. Measured on
// MNIST rows through a 784x400 layer: 65 GFLOPS a core against 45 untiled;
// smaller and larger tiles were slower.
enum { SPARSE_TILE_INPUTS = 128, SPARSE_TILE_VECTORS = 8, SPARSE_TILE_ROWS = 256 };

// One tile column: `vectors` accumulators (a constant once inlined) per row,
// resumed tile by tile from where the row's previous tile left them.
static inline __attribute__((always_inline)) void sparse_rows_tile_column(
    const int64_t *starts, const int32_t *columns, const float *values, size_t rows, size_t inputs,
    const float *w, size_t width, float *y, size_t first_column, const int vectors) {
    int64_t next[SPARSE_TILE_ROWS];
    for (size_t r = 0; r < rows; r++) next[r] = starts[r];
    for (size_t tile_end = SPARSE_TILE_INPUTS; tile_end < inputs + SPARSE_TILE_INPUTS; tile_end += SPARSE_TILE_INPUTS) {
        for (size_t r = 0; r < rows; r++) {
            int64_t k = next[r], stop = starts[r + 1];
            if (k == stop || (size_t)columns[k] >= tile_end) continue;
            float *out = y + r * width + first_column;
            float16_vector a[SPARSE_TILE_VECTORS];
            for (int i = 0; i < vectors; i++) a[i] = load16(out + 16 * i);
            for (; k < stop && (size_t)columns[k] < tile_end; k++) {
                const float *row = w + (size_t)columns[k] * width + first_column;
                float v = values[k];
                for (int i = 0; i < vectors; i++) a[i] += v * load16(row + 16 * i);
            }
            next[r] = k;
            for (int i = 0; i < vectors; i++) store16(out + 16 * i, a[i]);
        }
    }
}

AE_KERNEL
void ae_sparse_rows_times_dense(const int64_t *starts, const int32_t *columns, const float *values, size_t rows,
                                const float *w, size_t inputs, size_t width, float *y) {
    // Each output is still summed over its row's non-zeros in order, however
    // rows, columns and inputs are tiled. The width's vectors are split evenly
    // into tile columns (400 columns: 6, 6, 6 and 7 vectors), so none is left
    // with too few accumulators to hide the multiply-adds' latency.
    size_t vectors = width / 16, tile_columns = (vectors + SPARSE_TILE_VECTORS - 1) / SPARSE_TILE_VECTORS;
    for (size_t first_row = 0; first_row < rows; first_row += SPARSE_TILE_ROWS) {
        size_t chunk = rows - first_row < SPARSE_TILE_ROWS ? rows - first_row : SPARSE_TILE_ROWS;
        const int64_t *chunk_starts = starts + first_row;
        float *chunk_y = y + first_row * width;
        size_t column = 0;
        for (size_t t = 0; t < tile_columns; t++) {
            int count = (int)((vectors - column / 16) / (tile_columns - t));
            switch (count) {
#define TILE_COLUMN(n) case n: sparse_rows_tile_column(chunk_starts, columns, values, chunk, inputs, w, width, chunk_y, column, n); break
            TILE_COLUMN(1); TILE_COLUMN(2); TILE_COLUMN(3); TILE_COLUMN(4);
            TILE_COLUMN(5); TILE_COLUMN(6); TILE_COLUMN(7); default: TILE_COLUMN(8);
#undef TILE_COLUMN
            }
            column += 16 * (size_t)count;
        }
        for (size_t r = 0; r < chunk; r++) {
            float *out = chunk_y + r * width;
            for (size_t c = column; c < width; c++) {
                float a = out[c];
                for (int64_t k = chunk_starts[r]; k < chunk_starts[r + 1]; k++) a += values[k] * w[(size_t)columns[k] * width + c];
                out[c] = a;
            }
        }
    }
}

// The dense-rows product sums each output in one fixed order, the inputs'
// order from the value already in Y, whatever the number of rows, a row's
// place among them or the tiling: so a row's result depends on that row alone.
// OpenBLAS's sgemm does not promise that, and does not give it: its Haswell
// kernel (the one for OPENBLAS_CORETYPE=Haswell and AMD's Zen) takes output
// rows twelve at a time, and in the first and last tile of columns of each
// dozen, and wherever four rows are left, it sums even and odd inputs apart
// and adds the two, so a row's bits change with the batch it arrives in. OpenBLAS gives
// every row the same order only in products of at most 8 rows, where repacking
// the weights for each call halved its speed.
//
// Y is walked in chunks of DENSE_CHUNK_ROWS rows and tile columns of at most
// a block's vectors; each tile column runs over the inputs in tiles of
// DENSE_TILE_INPUTS, so that the tile of W (128 inputs by 3 vectors: 24 KB)
// stays in L1 while every block of rows of the chunk uses it. A block keeps
// rows x vectors accumulators in registers: 8 x 3 of AVX-512's 32, 6 x 1
// (twelve AVX2 registers) with 16 registers. Measured on this 2-core Zen 5
// machine, a core at 64 rows through 784x400 and 400x784 layers: 1.0-1.2
// times the speed of OpenBLAS's default kernel, twice that of its Haswell
// one; through a 400x20 layer, whose width is padded to whole vectors, 0.75
// times the default kernel's.
enum { DENSE_TILE_INPUTS = 128, DENSE_CHUNK_ROWS = 256, DENSE_MAX_BLOCK_ROWS = 8, DENSE_MAX_BLOCK_VECTORS = 3 };

// Y[0..<rows, 16 * vectors] += X[0..<rows, first..<end] W[first..<end, 16 * vectors],
// input by input; `rows` and `vectors` are constants once inlined.
static inline __attribute__((always_inline)) void dense_rows_block(
    const float *x, size_t ldx, const float *w, size_t ldw, float *y, size_t ldy, size_t first, size_t end,
    const int rows, const int vectors) {
    float16_vector a[DENSE_MAX_BLOCK_ROWS][DENSE_MAX_BLOCK_VECTORS];
    for (int r = 0; r < rows; r++) {
        for (int i = 0; i < vectors; i++) a[r][i] = load16(y + r * ldy + 16 * i);
    }
    for (size_t k = first; k < end; k++) {
        float16_vector b[DENSE_MAX_BLOCK_VECTORS];
        for (int i = 0; i < vectors; i++) b[i] = load16(w + k * ldw + 16 * i);
        for (int r = 0; r < rows; r++) {
            float v = x[r * ldx + k];
            for (int i = 0; i < vectors; i++) a[r][i] += v * b[i];
        }
    }
    for (int r = 0; r < rows; r++) {
        for (int i = 0; i < vectors; i++) store16(y + r * ldy + 16 * i, a[r][i]);
    }
}

// One tile column of `vectors` vectors for a chunk of rows, in blocks of
// `block_rows` and one block of the rows left over.
static inline __attribute__((always_inline)) void dense_rows_tile_column(
    const float *x, size_t ldx, size_t rows, const float *w, size_t ldw, size_t inputs, float *y, size_t ldy,
    const int block_rows, const int vectors) {
    for (size_t first = 0; first < inputs; first += DENSE_TILE_INPUTS) {
        size_t end = inputs - first < DENSE_TILE_INPUTS ? inputs : first + DENSE_TILE_INPUTS;
        size_t r = 0;
        for (; r + (size_t)block_rows <= rows; r += (size_t)block_rows) {
            dense_rows_block(x + r * ldx, ldx, w, ldw, y + r * ldy, ldy, first, end, block_rows, vectors);
        }
        switch (rows - r) {
#define DENSE_REST(n) case n: if (n < block_rows) dense_rows_block(x + r * ldx, ldx, w, ldw, y + r * ldy, ldy, first, end, n, vectors); break
        DENSE_REST(1); DENSE_REST(2); DENSE_REST(3); DENSE_REST(4); DENSE_REST(5); DENSE_REST(6); DENSE_REST(7);
#undef DENSE_REST
        default: break;
        }
    }
}

// The whole product with one block shape. The width's vectors, the last one
// partial when 16 does not divide it, are split evenly into tile columns; the
// last tile column runs on zero-padded copies of its part of W (`last_w`,
// made once by the caller) and of Y, since a vector load there would read
// past a row of W and past the end of the weights.
static inline __attribute__((always_inline)) void dense_rows_product(
    const float *x, size_t rows, const float *w, size_t inputs, size_t width, float *y, const float *last_w,
    float *last_y, const int block_rows, const int block_vectors) {
    size_t vectors = (width + 15) / 16, tile_columns = (vectors + block_vectors - 1) / block_vectors;
    for (size_t first_row = 0; first_row < rows; first_row += DENSE_CHUNK_ROWS) {
        size_t chunk = rows - first_row < DENSE_CHUNK_ROWS ? rows - first_row : DENSE_CHUNK_ROWS;
        const float *chunk_x = x + first_row * inputs;
        float *chunk_y = y + first_row * width;
        size_t column = 0;
        for (size_t t = 0; t < tile_columns; t++) {
            int count = (int)((vectors - column / 16) / (tile_columns - t));
            bool padded = last_w && t == tile_columns - 1;
            const float *tile_w = padded ? last_w : w + column;
            float *tile_y = padded ? last_y : chunk_y + column;
            size_t ld = padded ? 16 * (size_t)count : width, used = width - column < ld ? width - column : ld;
            if (padded) {
                for (size_t r = 0; r < chunk; r++) {
                    memcpy(last_y + r * ld, chunk_y + r * width + column, used * sizeof(float));
                    memset(last_y + r * ld + used, 0, (ld - used) * sizeof(float));
                }
            }
            switch (count) {
#define DENSE_TILE_COLUMN(n) case n: if (n <= block_vectors) dense_rows_tile_column(chunk_x, inputs, chunk, tile_w, ld, inputs, tile_y, ld, block_rows, n); break
            DENSE_TILE_COLUMN(1); DENSE_TILE_COLUMN(2); DENSE_TILE_COLUMN(3);
#undef DENSE_TILE_COLUMN
            default: break;
            }
            if (padded) {
                for (size_t r = 0; r < chunk; r++) memcpy(chunk_y + r * width + column, last_y + r * ld, used * sizeof(float));
            }
            column += 16 * (size_t)count;
        }
    }
}

// One build per instruction set, each with the block shape its registers
// hold, chosen per call like ae_nonzeros (target clones would share one
// shape, and AVX2's 16 registers cannot hold AVX-512's 24 accumulators).
// target("arch=x86-64-v4") is not used: its tuning prefers 256-bit vectors
// and splits every 64-byte vector in two, spilling the accumulators.
#define DENSE_ROWS_ARGUMENTS \
    const float *x, size_t rows, const float *w, size_t inputs, size_t width, float *y, const float *last_w, float *last_y
#define DENSE_ROWS_PASS x, rows, w, inputs, width, y, last_w, last_y
__attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,avx2,fma")))
static void dense_rows_avx512(DENSE_ROWS_ARGUMENTS) { dense_rows_product(DENSE_ROWS_PASS, 8, 3); }
__attribute__((target("avx2,fma")))
static void dense_rows_avx2(DENSE_ROWS_ARGUMENTS) { dense_rows_product(DENSE_ROWS_PASS, 6, 1); }
static void dense_rows_baseline(DENSE_ROWS_ARGUMENTS) { dense_rows_product(DENSE_ROWS_PASS, 4, 1); }

// The first vector of the last tile column, as dense_rows_product splits them.
static size_t dense_rows_last_tile_column(size_t vectors, size_t block_vectors) {
    size_t tile_columns = (vectors + block_vectors - 1) / block_vectors, column = 0;
    for (size_t t = 0; t + 1 < tile_columns; t++) column += (vectors - column) / (tile_columns - t);
    return column;
}

void ae_dense_rows_times_dense(const float *x, size_t rows, const float *w, size_t inputs, size_t width, float *y) {
    if (rows == 0 || width == 0) return;
    bool avx512 = __builtin_cpu_supports("avx512f");
    bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    float *last_w = NULL, *last_y = NULL;
    if (width % 16) {
        size_t vectors = (width + 15) / 16, first = dense_rows_last_tile_column(vectors, avx512 ? 3 : 1);
        size_t ld = 16 * (vectors - first), column = 16 * first;
        size_t used = width - column, chunk = rows < DENSE_CHUNK_ROWS ? rows : DENSE_CHUNK_ROWS;
        // Not calloc: zeroing all of it took a third of the time of a
        // 64-row product through a 400x20 layer; only the padding is zeroed.
        last_w = malloc((inputs + chunk) * ld * sizeof(float));
        // As Swift's own allocations do, stop the process when memory runs out.
        if (!last_w) abort();
        last_y = last_w + inputs * ld;
        for (size_t k = 0; k < inputs; k++) {
            memcpy(last_w + k * ld, w + k * width + column, used * sizeof(float));
            memset(last_w + k * ld + used, 0, (ld - used) * sizeof(float));
        }
    }
    if (avx512) dense_rows_avx512(DENSE_ROWS_PASS);
    else if (avx2) dense_rows_avx2(DENSE_ROWS_PASS);
    else dense_rows_baseline(DENSE_ROWS_PASS);
    free(last_w);
}

// AVX-512 packs a vector's non-zeros with one compress each for positions and
// values. The compress goes to a register and the whole vector is stored:
// compressing straight to memory is microcoded on AMD's Zen 4, 10x slower.
__attribute__((target("avx512f")))
static int64_t nonzeros_avx512(const float *x, size_t count, int32_t *columns, float *values, size_t limit) {
    size_t found = 0, j = 0;
    __m512i positions = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    for (; j + 16 <= count; j += 16) {
        __m512 v = _mm512_loadu_ps(x + j);
        __mmask16 nonzero = _mm512_cmp_ps_mask(v, _mm512_setzero_ps(), _CMP_NEQ_UQ);
        size_t n = (size_t)__builtin_popcount(nonzero);
        if (found + n > limit) return -1;
        _mm512_storeu_ps(values + found, _mm512_maskz_compress_ps(nonzero, v));
        _mm512_storeu_si512(columns + found, _mm512_maskz_compress_epi32(nonzero, positions));
        found += n;
        positions = _mm512_add_epi32(positions, _mm512_set1_epi32(16));
    }
    for (; j < count; j++) {
        if (x[j] != 0.0f) {
            if (found == limit) return -1;
            columns[found] = (int32_t)j;
            values[found] = x[j];
            found++;
        }
    }
    return (int64_t)found;
}

// Elsewhere, branch-free: every entry is written at the next free slot and
// kept only if non-zero; a branch per entry would mispredict on images.
int64_t ae_nonzeros_portable(const float *x, size_t count, int32_t *columns, float *values, size_t limit) {
    size_t found = 0, j = 0;
    for (; j < count && found < limit; j++) {
        columns[found] = (int32_t)j;
        values[found] = x[j];
        found += x[j] != 0.0f;
    }
    for (; j < count; j++) {
        if (x[j] != 0.0f) return -1;
    }
    return (int64_t)found;
}

// Not a target clone: the AVX-512 path uses intrinsics, which need their
// target on the function, so the choice is made here, per call (a load and a
// test of what the CPU supports).
int64_t ae_nonzeros(const float *x, size_t count, int32_t *columns, float *values, size_t limit) {
    if (__builtin_cpu_supports("avx512f")) return nonzeros_avx512(x, count, columns, values, limit);
    return ae_nonzeros_portable(x, count, columns, values, limit);
}

AE_KERNEL
int64_t ae_first_non_finite(const float *x, size_t count) {
    // Scan in blocks with a branch-free test (x − x is NaN exactly when x is
    // NaN or infinite), and look closer only in a block that fails it.
    const size_t block = 1024;
    for (size_t start = 0; start < count; start += block) {
        size_t end = start + block < count ? start + block : count;
        float probe = 0.0f;
        AE_VECTORIZE_SUM
        for (size_t j = start; j < end; j++) probe += x[j] - x[j];
        if (probe != probe) {
            for (size_t j = start; j < end; j++) {
                if (!isfinite(x[j])) return (int64_t)j;
            }
        }
    }
    return -1;
}

AE_KERNEL
void ae_relu(float *values, size_t count) {
    for (size_t i = 0; i < count; i++) values[i] = values[i] > 0 ? values[i] : 0.0f;
}

AE_KERNEL
void ae_leaky_relu(float *values, size_t count, float slope) {
    for (size_t i = 0; i < count; i++) values[i] = values[i] > 0 ? values[i] : values[i] * slope;
}

AE_KERNEL
void ae_relu_backward(const float *outputs, float *gradients, size_t count) {
    for (size_t i = 0; i < count; i++) gradients[i] = outputs[i] > 0 ? gradients[i] : 0.0f;
}

AE_KERNEL
void ae_leaky_relu_backward(const float *outputs, float *gradients, size_t count, float slope) {
    for (size_t i = 0; i < count; i++) gradients[i] = outputs[i] > 0 ? gradients[i] : gradients[i] * slope;
}

// One input pixel's products with the weights for every tap of the
// transposed convolution (w is (channels, taps)), vectorised across the taps:
// two accumulators over alternate channels, added at the end, kept in
// registers when `taps` is a constant (the specialisations below, for
// kernel 4 with 1 and 3 output channels).
#define PIXEL_PRODUCTS(name, TAPS_EXPR) \
static inline void name(const float *restrict pixel, const float *restrict w, size_t channels, size_t taps_arg, float *restrict out) { \
    const size_t taps = TAPS_EXPR; \
    float a[taps], b[taps]; \
    for (size_t j = 0; j < taps; j++) a[j] = 0, b[j] = 0; \
    size_t c = 0; \
    for (; c + 1 < channels; c += 2) { \
        const float u = pixel[c], v = pixel[c + 1]; \
        const float *restrict r = w + c * taps, *restrict s = r + taps; \
        for (size_t j = 0; j < taps; j++) { a[j] += u * r[j]; b[j] += v * s[j]; } \
    } \
    if (c < channels) \
        for (size_t j = 0; j < taps; j++) a[j] += pixel[c] * w[c * taps + j]; \
    for (size_t j = 0; j < taps; j++) out[j] = a[j] + b[j]; \
}
PIXEL_PRODUCTS(products16, 16)
PIXEL_PRODUCTS(products48, 48)
PIXEL_PRODUCTS(products_any, taps_arg)

AE_KERNEL
int ae_transposed_convolution_few_outputs(const float *x, size_t images, size_t in_height, size_t in_width,
                                          size_t in_channels, const float *w, const float *bias, size_t out_height,
                                          size_t out_width, size_t out_channels, size_t kernel, size_t stride,
                                          size_t padding, int relu, float *y) {
    const size_t taps = kernel * kernel * out_channels;
    const size_t in_image = in_height * in_width * in_channels, out_image = out_height * out_width * out_channels;
    float *restrict products = malloc(taps * sizeof(float));
    if (!products) return -1;
    for (size_t n = 0; n < images; n++) {
        const float *xn = x + n * in_image;
        float *yn = y + n * out_image;
        for (size_t i = 0; i < out_height * out_width; i++)
            for (size_t o = 0; o < out_channels; o++) yn[i * out_channels + o] = bias[o];
        for (size_t ih = 0; ih < in_height; ih++) {
            // The kernel rows whose output row oh = ih * stride + kh - padding exists.
            size_t kh_first = ih * stride < padding ? padding - ih * stride : 0;
            size_t kh_end = kernel;
            if (ih * stride + kernel > out_height + padding) kh_end = out_height + padding - ih * stride;
            for (size_t iw = 0; iw < in_width; iw++) {
                size_t kw_first = iw * stride < padding ? padding - iw * stride : 0;
                size_t kw_end = kernel;
                if (iw * stride + kernel > out_width + padding) kw_end = out_width + padding - iw * stride;
                const float *pixel = xn + (ih * in_width + iw) * in_channels;
                if (taps == 16) products16(pixel, w, in_channels, taps, products);
                else if (taps == 48) products48(pixel, w, in_channels, taps, products);
                else products_any(pixel, w, in_channels, taps, products);
                for (size_t kh = kh_first; kh < kh_end; kh++) {
                    size_t oh = ih * stride + kh - padding, ow = iw * stride + kw_first - padding;
                    float *out = yn + (oh * out_width + ow) * out_channels;
                    const float *sent = products + (kh * kernel + kw_first) * out_channels;
                    for (size_t j = 0; j < (kw_end - kw_first) * out_channels; j++) out[j] += sent[j];
                }
            }
        }
        if (relu)
            for (size_t i = 0; i < out_image; i++) yn[i] = yn[i] < 0 ? 0 : yn[i];
    }
    free(products);
    return 0;
}
