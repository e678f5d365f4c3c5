#include "png_decode.h"

#include <png.h>
#include <stdio.h>
#include <string.h>

typedef struct {
    const uint8_t *data;
    size_t size;
    size_t offset;
} memory_reader;

static void read_memory(png_structp png, png_bytep out, size_t count) {
    memory_reader *reader = png_get_io_ptr(png);
    if (count > reader->size - reader->offset) png_error(png, "truncated PNG file");
    memcpy(out, reader->data + reader->offset, count);
    reader->offset += count;
}

static void on_error(png_structp png, png_const_charp message) {
    ae_png_header *header = png_get_error_ptr(png);
    snprintf(header->message, sizeof header->message, "%s", message);
    png_longjmp(png, 1);
}

static void on_warning(png_structp png, png_const_charp message) {
    (void)png;
    (void)message;
}

static int palette_is_grey(png_structp png, png_infop info) {
    png_colorp palette;
    int count;
    if (png_get_PLTE(png, info, &palette, &count) != PNG_INFO_PLTE) return 0;
    for (int k = 0; k < count; k++) {
        if (palette[k].red != palette[k].green || palette[k].green != palette[k].blue) return 0;
    }
    return 1;
}

int ae_png_decode(const uint8_t *data, size_t size, uint8_t *out, size_t out_capacity, ae_png_header *header) {
    memset(header, 0, sizeof *header);
    memory_reader reader = {data, size, 0};
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, header, on_error, on_warning);
    if (png == NULL) {
        snprintf(header->message, sizeof header->message, "out of memory");
        return 0;
    }
    png_infop info = png_create_info_struct(png);
    if (info == NULL) {
        png_destroy_read_struct(&png, NULL, NULL);
        snprintf(header->message, sizeof header->message, "out of memory");
        return 0;
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_read_struct(&png, &info, NULL);
        return 0;
    }
    png_set_read_fn(png, &reader, read_memory);
    png_read_info(png, info);
    int colour_type = png_get_color_type(png, info);
    if (colour_type == PNG_COLOR_TYPE_PALETTE) {
        header->grey_palette = (uint32_t)palette_is_grey(png, info);
        png_set_palette_to_rgb(png);
    } else if (colour_type == PNG_COLOR_TYPE_GRAY && png_get_bit_depth(png, info) < 8) {
        png_set_expand_gray_1_2_4_to_8(png);
    }
    int passes = png_set_interlace_handling(png);
    png_read_update_info(png, info);
    header->width = png_get_image_width(png, info);
    header->height = png_get_image_height(png, info);
    header->channels = png_get_channels(png, info);
    header->bit_depth = png_get_bit_depth(png, info);
    size_t row_bytes = png_get_rowbytes(png, info);
    if (out == NULL || row_bytes * header->height > out_capacity) {
        png_destroy_read_struct(&png, &info, NULL);
        return -1;
    }
    for (int pass = 0; pass < passes; pass++) {
        for (uint32_t y = 0; y < header->height; y++) png_read_row(png, out + y * row_bytes, NULL);
    }
    png_read_end(png, NULL);
    png_destroy_read_struct(&png, &info, NULL);
    return 1;
}
