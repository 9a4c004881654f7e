// libpng through its full (not "simplified") API, wrapped in three C functions that report errors as return codes.
//
// Why not the simplified API (png_image_*): it converts samples between colour spaces. 16-bit output is always
// linear light with premultiplied alpha, and files carrying gAMA/sRGB chunks are gamma-converted, so 16-bit and
// transparent images would not come back with the values stored in the file (which Pillow, imageio and OpenCV return).
//
// Why the code lives in this header: libpng reports errors with longjmp, which must never cross a Swift frame. Each
// function here calls setjmp itself, so a longjmp from libpng (or from the read/write callbacks below, which are C)
// lands in C, and Swift only ever sees a return code. Functions that call setjmp are never inlined (LLVM refuses to
// inline a function that "exposes returns twice"), and `noinline` says so explicitly.
#ifndef BM_CPNG_SHIM_H
#define BM_CPNG_SHIM_H

#include <png.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/// What `bm_png_read` reports: the image after bm's transformations (palette to RGB, bit depths 1/2/4 to 8, a tRNS
/// transparency chunk to an alpha channel), and the error text when the call returns nonzero.
typedef struct {
    uint32_t width;
    uint32_t height;
    /// 1 gray, 2 gray + alpha, 3 RGB, 4 RGBA.
    int32_t channels;
    /// 8 or 16; 16-bit samples are delivered in the host's byte order.
    int32_t bitDepth;
    int32_t interlaced;
    char message[256];
} bm_png_result;

typedef struct {
    const uint8_t *data;
    size_t size;
    size_t position;
} bm_png_source;

typedef struct {
    uint8_t *bytes;
    size_t count;
    size_t capacity;
} bm_png_sink;

static void bm_png_fail(png_structp png, png_const_charp message) {
    char *destination = (char *)png_get_error_ptr(png);
    snprintf(destination, 256, "%s", message);
    png_longjmp(png, 1);
}

// Warnings (a bad CRC in an ancillary chunk, an unknown profile) do not stop decoding, as in Pillow.
static void bm_png_warn(png_structp png, png_const_charp message) {
    (void)png;
    (void)message;
}

static void bm_png_read_bytes(png_structp png, png_bytep out, size_t length) {
    bm_png_source *source = (bm_png_source *)png_get_io_ptr(png);
    if (length > source->size - source->position) {
        png_error(png, "the data ends early (truncated file)");
    }
    memcpy(out, source->data + source->position, length);
    source->position += length;
}

/// Reads the header of the PNG in `data[0..<size]` into `result`, and, when `pixels` is not NULL, decodes the
/// image into it: `height` rows of `width * channels` samples (1 byte each at bit depth 8, 2 at 16), row after row.
/// `pixelsSize` must be exactly that many bytes. Returns 0 on success, 1 with `result->message` set on failure.
static inline __attribute__((noinline)) int bm_png_read(const uint8_t *data, size_t size, uint8_t *pixels,
                                                       size_t pixelsSize, bm_png_result *result) {
    memset(result, 0, sizeof *result);
    bm_png_source source = {data, size, 0};
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, result->message, bm_png_fail, bm_png_warn);
    if (png == NULL) {
        snprintf(result->message, sizeof result->message, "out of memory");
        return 1;
    }
    png_infop info = png_create_info_struct(png);
    if (info == NULL) {
        png_destroy_read_struct(&png, NULL, NULL);
        snprintf(result->message, sizeof result->message, "out of memory");
        return 1;
    }
    png_bytep *volatile rows = NULL;
    if (setjmp(png_jmpbuf(png))) {
        free(rows);
        png_destroy_read_struct(&png, &info, NULL);
        return 1;
    }
    png_set_read_fn(png, &source, bm_png_read_bytes);
    png_read_info(png, info);
    png_uint_32 width = 0, height = 0;
    int bitDepth = 0, colorType = 0, interlace = 0;
    png_get_IHDR(png, info, &width, &height, &bitDepth, &colorType, &interlace, NULL, NULL);
    if (colorType == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
    if (colorType == PNG_COLOR_TYPE_GRAY && bitDepth < 8) png_set_expand_gray_1_2_4_to_8(png);
    if (png_get_valid(png, info, PNG_INFO_tRNS)) png_set_tRNS_to_alpha(png);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (bitDepth == 16) png_set_swap(png);
#endif
    (void)png_set_interlace_handling(png);
    png_read_update_info(png, info);
    result->width = width;
    result->height = height;
    result->channels = png_get_channels(png, info);
    result->bitDepth = png_get_bit_depth(png, info);
    result->interlaced = interlace != PNG_INTERLACE_NONE;
    if (pixels == NULL) {
        png_destroy_read_struct(&png, &info, NULL);
        return 0;
    }
    size_t rowBytes = png_get_rowbytes(png, info);
    if (rowBytes != (size_t)width * (size_t)result->channels * (size_t)(result->bitDepth / 8)
        || rowBytes * (size_t)height != pixelsSize) {
        png_error(png, "internal: pixel buffer size does not match the image");
    }
    rows = (png_bytep *)malloc(sizeof(png_bytep) * (size_t)height);
    if (rows == NULL) png_error(png, "out of memory");
    for (png_uint_32 row = 0; row < height; row++) rows[row] = pixels + (size_t)row * rowBytes;
    png_read_image(png, rows);
    // The chunks after the image data (text, time) carry no pixels; a file cut just before IEND still decodes,
    // as in Pillow.
    free(rows);
    rows = NULL;
    png_destroy_read_struct(&png, &info, NULL);
    return 0;
}

static void bm_png_write_bytes(png_structp png, png_bytep data, size_t length) {
    bm_png_sink *sink = (bm_png_sink *)png_get_io_ptr(png);
    if (length > sink->capacity - sink->count) {
        size_t capacity = sink->capacity * 2;
        if (capacity < sink->count + length) capacity = sink->count + length;
        if (capacity < 4096) capacity = 4096;
        uint8_t *grown = (uint8_t *)realloc(sink->bytes, capacity);
        if (grown == NULL) png_error(png, "out of memory");
        sink->bytes = grown;
        sink->capacity = capacity;
    }
    memcpy(sink->bytes + sink->count, data, length);
    sink->count += length;
}

static void bm_png_flush(png_structp png) { (void)png; }

/// Encodes `height` rows of `width * channels` samples (`channels` 1 gray, 2 gray + alpha, 3 RGB, 4 RGBA;
/// `bitDepth` 8 or 16, 16-bit samples in the host's byte order) as a PNG with zlib `compressionLevel` (0–9).
/// On success returns 0 and sets `*output` (free it with `bm_png_free`) and `*outputSize`; on failure returns 1
/// with `message` (256 bytes) set.
static inline __attribute__((noinline)) int bm_png_write(const uint8_t *pixels, uint32_t width, uint32_t height,
                                                        int32_t channels, int32_t bitDepth, int32_t compressionLevel,
                                                        uint8_t **output, size_t *outputSize, char *message) {
    static const int colorTypes[5] = {0, PNG_COLOR_TYPE_GRAY, PNG_COLOR_TYPE_GRAY_ALPHA, PNG_COLOR_TYPE_RGB,
                                      PNG_COLOR_TYPE_RGB_ALPHA};
    *output = NULL;
    *outputSize = 0;
    message[0] = 0;
    if (channels < 1 || channels > 4 || (bitDepth != 8 && bitDepth != 16)) {
        snprintf(message, 256, "internal: unsupported PNG layout");
        return 1;
    }
    bm_png_sink sink = {NULL, 0, 0};
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, message, bm_png_fail, bm_png_warn);
    if (png == NULL) {
        snprintf(message, 256, "out of memory");
        return 1;
    }
    png_infop info = png_create_info_struct(png);
    if (info == NULL) {
        png_destroy_write_struct(&png, NULL);
        snprintf(message, 256, "out of memory");
        return 1;
    }
    png_bytep *volatile rows = NULL;
    if (setjmp(png_jmpbuf(png))) {
        free(rows);
        free(sink.bytes);
        png_destroy_write_struct(&png, &info);
        return 1;
    }
    png_set_write_fn(png, &sink, bm_png_write_bytes, bm_png_flush);
    png_set_compression_level(png, compressionLevel);
    png_set_IHDR(png, info, width, height, bitDepth, colorTypes[channels], PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (bitDepth == 16) png_set_swap(png);
#endif
    size_t rowBytes = (size_t)width * (size_t)channels * (size_t)(bitDepth / 8);
    rows = (png_bytep *)malloc(sizeof(png_bytep) * (size_t)height);
    if (rows == NULL) png_error(png, "out of memory");
    for (uint32_t row = 0; row < height; row++) rows[row] = (png_bytep)pixels + (size_t)row * rowBytes;
    png_write_image(png, rows);
    png_write_end(png, NULL);
    free(rows);
    rows = NULL;
    png_destroy_write_struct(&png, &info);
    *output = sink.bytes;
    *outputSize = sink.count;
    return 0;
}

static inline void bm_png_free(uint8_t *bytes) { free(bytes); }

#endif
