#ifndef AE_PNG_DECODE_H
#define AE_PNG_DECODE_H

#include <stddef.h>
#include <stdint.h>

/// What `ae_png_decode` found in a PNG file, after its conversions.
typedef struct {
    uint32_t width;
    uint32_t height;
    /// Samples per decoded pixel: 1 grey, 2 grey and alpha, 3 RGB, 4 RGBA.
    uint32_t channels;
    /// 8 or 16; a 16-bit sample is two bytes, most significant first, as in the file.
    uint32_t bit_depth;
    /// 1 for a palette image whose colours are all grey (decoded as RGB).
    uint32_t grey_palette;
    /// Why decoding failed: libpng's message, NUL-terminated.
    char message[128];
} ae_png_header;

/// Decodes the PNG file in `data[0..<size]` into `out`: `height` rows of
/// `width * channels` samples. Samples are the file's own values: no gamma
/// or colour-space correction, palette images expanded to their RGB (and
/// alpha, where the file gives transparency) values, grey of 1, 2 or 4 bits
/// expanded to 8 (so a sample's maximum stays the format's maximum). The
/// whole file is read and checked, up to its end chunk.
///
/// Returns 1 on success; 0 on failure, with `header->message` saying why;
/// -1 when `out_capacity` bytes are too few, with `header` filled in and
/// nothing decoded, so that the caller can check the size before allocating.
/// libpng reports errors by longjmp; it stays inside this function, never
/// crossing a caller's frames.
int ae_png_decode(const uint8_t *data, size_t size, uint8_t *out, size_t out_capacity, ae_png_header *header);

#endif
