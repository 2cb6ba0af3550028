// Photo normalisation on top of Debian's libjpeg-turbo and libpng (linked, not copied).
#include "zhili_image.h"

#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <png.h>

const char *zhili_image_sniff(const unsigned char *b, size_t n) {
    if (n >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF) return "jpeg";
    if (n >= 8 && memcmp(b, "\x89PNG\r\n\x1a\n", 8) == 0) return "png";
    return NULL;
}

void zhili_image_free(unsigned char *data) { free(data); }

/* An RGB picture, 3 bytes per pixel, rows packed. */
typedef struct { unsigned char *px; int w; int h; } rgb;

/* ---- libjpeg error handling: longjmp back into our C frame, never through Swift. ---- */
typedef struct { struct jpeg_error_mgr pub; jmp_buf jump; } jpeg_fail;

static void jpeg_fail_exit(j_common_ptr cinfo) {
    jpeg_fail *f = (jpeg_fail *)cinfo->err;
    longjmp(f->jump, 1);
}
static void jpeg_quiet(j_common_ptr cinfo, int level) { (void)cinfo; (void)level; }

/* EXIF orientation (1..8) from an APP1 marker, 1 when absent or unreadable. */
static int exif_orientation(const unsigned char *d, unsigned len) {
    if (len < 14 || memcmp(d, "Exif\0\0", 6) != 0) return 1;
    const unsigned char *t = d + 6;
    unsigned n = len - 6;
    int le;
    if (t[0] == 'I' && t[1] == 'I') le = 1; else if (t[0] == 'M' && t[1] == 'M') le = 0; else return 1;
#define U16(p) (le ? (unsigned)((p)[0] | ((p)[1] << 8)) : (unsigned)(((p)[0] << 8) | (p)[1]))
#define U32(p) (le ? ((uint32_t)(p)[0] | ((uint32_t)(p)[1] << 8) | ((uint32_t)(p)[2] << 16) | ((uint32_t)(p)[3] << 24)) \
                   : (((uint32_t)(p)[0] << 24) | ((uint32_t)(p)[1] << 16) | ((uint32_t)(p)[2] << 8) | (uint32_t)(p)[3]))
    if (U16(t + 2) != 42) return 1;
    uint32_t ifd = U32(t + 4);
    if (ifd + 2 > n) return 1;
    unsigned count = U16(t + ifd);
    for (unsigned i = 0; i < count; i++) {
        uint32_t e = ifd + 2 + i * 12;
        if (e + 12 > n) return 1;
        if (U16(t + e) == 0x0112) {
            unsigned v = U16(t + e + 8);
            return (v >= 1 && v <= 8) ? (int)v : 1;
        }
    }
    return 1;
#undef U16
#undef U32
}

static int decode_jpeg(const unsigned char *bytes, size_t length, int max_side, long max_pixels, rgb *out, int *orientation, int *sw, int *sh) {
    struct jpeg_decompress_struct cinfo;
    jpeg_fail err;
    unsigned char *volatile px = NULL;
    unsigned char *volatile ink = NULL;
    cinfo.err = jpeg_std_error(&err.pub);
    err.pub.error_exit = jpeg_fail_exit;
    err.pub.emit_message = jpeg_quiet;
    if (setjmp(err.jump)) {
        jpeg_destroy_decompress(&cinfo);
        free(px);
        free(ink);
    ink = NULL;
        return ZHILI_IMAGE_CORRUPT;
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, bytes, (unsigned long)length);
    jpeg_save_markers(&cinfo, JPEG_APP0 + 1, 0xFFFF);
    jpeg_read_header(&cinfo, TRUE);
    *orientation = 1;
    for (jpeg_saved_marker_ptr m = cinfo.marker_list; m; m = m->next) {
        if (m->marker == JPEG_APP0 + 1) { int o = exif_orientation(m->data, m->data_length); if (o != 1) { *orientation = o; break; } }
    }
    *sw = (int)cinfo.image_width; *sh = (int)cinfo.image_height;
    if ((long)cinfo.image_width * (long)cinfo.image_height > max_pixels) { jpeg_destroy_decompress(&cinfo); return ZHILI_IMAGE_TOO_LARGE; }
    /* Let the decoder do most of the shrinking (DCT scaling), keeping at least max_side. */
    unsigned longest = cinfo.image_width > cinfo.image_height ? cinfo.image_width : cinfo.image_height;
    unsigned denom = 1;
    while (denom < 8 && longest / (denom * 2) >= (unsigned)max_side) denom *= 2;
    cinfo.scale_num = 1;
    cinfo.scale_denom = denom;
    /* CMYK and YCCK files (print workflows, scanners, some phone apps): libjpeg gives CMYK,
       converted to RGB here. Adobe's files store the inks inverted (0 = full ink). */
    int cmyk = cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK;
    cinfo.out_color_space = cmyk ? JCS_CMYK : JCS_RGB;
    jpeg_start_decompress(&cinfo);
    if (cinfo.output_components != (cmyk ? 4 : 3)) longjmp(err.jump, 1);
    size_t stride = (size_t)cinfo.output_width * 3;
    px = malloc(stride * cinfo.output_height);
    if (!px) { jpeg_destroy_decompress(&cinfo); return ZHILI_IMAGE_NO_MEMORY; }
    ink = cmyk ? malloc((size_t)cinfo.output_width * 4) : NULL;
    if (cmyk && !ink) { jpeg_destroy_decompress(&cinfo); free(px); return ZHILI_IMAGE_NO_MEMORY; }
    int inverted = cinfo.saw_Adobe_marker;
    while (cinfo.output_scanline < cinfo.output_height) {
        JSAMPROW row = px + stride * cinfo.output_scanline;
        if (!cmyk) { jpeg_read_scanlines(&cinfo, &row, 1); continue; }
        JSAMPROW in = ink;
        jpeg_read_scanlines(&cinfo, &in, 1);
        for (unsigned x = 0; x < cinfo.output_width; x++) {
            unsigned c = ink[x * 4], m = ink[x * 4 + 1], y = ink[x * 4 + 2], k = ink[x * 4 + 3];
            if (!inverted) { c = 255 - c; m = 255 - m; y = 255 - y; k = 255 - k; }
            row[x * 3] = (unsigned char)((c * k + 127) / 255);
            row[x * 3 + 1] = (unsigned char)((m * k + 127) / 255);
            row[x * 3 + 2] = (unsigned char)((y * k + 127) / 255);
        }
    }
    free(ink);
    ink = NULL;
    out->px = px; out->w = (int)cinfo.output_width; out->h = (int)cinfo.output_height;
    jpeg_finish_decompress(&cinfo);
    jpeg_destroy_decompress(&cinfo);
    return ZHILI_IMAGE_OK;
}

static int decode_png(const unsigned char *bytes, size_t length, long max_pixels, rgb *out, int *sw, int *sh) {
    png_image image;
    memset(&image, 0, sizeof image);
    image.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_memory(&image, bytes, length)) return ZHILI_IMAGE_CORRUPT;
    *sw = (int)image.width; *sh = (int)image.height;
    if ((long)image.width * (long)image.height > max_pixels) { png_image_free(&image); return ZHILI_IMAGE_TOO_LARGE; }
    image.format = PNG_FORMAT_RGB;
    unsigned char *px = malloc(PNG_IMAGE_SIZE(image));
    if (!px) { png_image_free(&image); return ZHILI_IMAGE_NO_MEMORY; }
    png_color white = { 255, 255, 255 };   /* transparent areas become white, as on paper */
    if (!png_image_finish_read(&image, &white, px, 0, NULL)) { free(px); png_image_free(&image); return ZHILI_IMAGE_CORRUPT; }
    out->px = px; out->w = (int)image.width; out->h = (int)image.height;
    return ZHILI_IMAGE_OK;
}

/* Area-average shrink so the longest side is at most max_side (never enlarges). */
static int shrink(rgb *img, int max_side) {
    int longest = img->w > img->h ? img->w : img->h;
    if (longest <= max_side) return ZHILI_IMAGE_OK;
    int tw = (int)((long)img->w * max_side / longest), th = (int)((long)img->h * max_side / longest);
    if (tw < 1) tw = 1;
    if (th < 1) th = 1;
    unsigned char *dst = malloc((size_t)tw * th * 3);
    if (!dst) return ZHILI_IMAGE_NO_MEMORY;
    for (int dy = 0; dy < th; dy++) {
        int y0 = (int)((long)dy * img->h / th), y1 = (int)((long)(dy + 1) * img->h / th);
        if (y1 <= y0) y1 = y0 + 1;
        for (int dx = 0; dx < tw; dx++) {
            int x0 = (int)((long)dx * img->w / tw), x1 = (int)((long)(dx + 1) * img->w / tw);
            if (x1 <= x0) x1 = x0 + 1;
            unsigned long r = 0, g = 0, b = 0, n = 0;
            for (int y = y0; y < y1; y++) {
                const unsigned char *p = img->px + ((size_t)y * img->w + x0) * 3;
                for (int x = x0; x < x1; x++, p += 3) { r += p[0]; g += p[1]; b += p[2]; n++; }
            }
            unsigned char *q = dst + ((size_t)dy * tw + dx) * 3;
            q[0] = (unsigned char)((r + n / 2) / n); q[1] = (unsigned char)((g + n / 2) / n); q[2] = (unsigned char)((b + n / 2) / n);
        }
    }
    free(img->px);
    img->px = dst; img->w = tw; img->h = th;
    return ZHILI_IMAGE_OK;
}

/* Turns the pixels upright according to the EXIF orientation. */
static int orient(rgb *img, int o) {
    if (o <= 1 || o > 8) return ZHILI_IMAGE_OK;
    int w = img->w, h = img->h;
    int ow = o >= 5 ? h : w, oh = o >= 5 ? w : h;
    unsigned char *dst = malloc((size_t)ow * oh * 3);
    if (!dst) return ZHILI_IMAGE_NO_MEMORY;
    for (int dy = 0; dy < oh; dy++) {
        for (int dx = 0; dx < ow; dx++) {
            int sx, sy;
            switch (o) {
            case 2: sx = w - 1 - dx; sy = dy; break;
            case 3: sx = w - 1 - dx; sy = h - 1 - dy; break;
            case 4: sx = dx; sy = h - 1 - dy; break;
            case 5: sx = dy; sy = dx; break;
            case 6: sx = dy; sy = h - 1 - dx; break;
            case 7: sx = w - 1 - dy; sy = h - 1 - dx; break;
            default: sx = w - 1 - dy; sy = dx; break; /* 8 */
            }
            memcpy(dst + ((size_t)dy * ow + dx) * 3, img->px + ((size_t)sy * w + sx) * 3, 3);
        }
    }
    free(img->px);
    img->px = dst; img->w = ow; img->h = oh;
    return ZHILI_IMAGE_OK;
}

static int encode_jpeg(const rgb *img, int quality, zhili_image_result *result) {
    struct jpeg_compress_struct cinfo;
    jpeg_fail err;
    unsigned char *volatile buffer = NULL;
    unsigned long size = 0;
    cinfo.err = jpeg_std_error(&err.pub);
    err.pub.error_exit = jpeg_fail_exit;
    err.pub.emit_message = jpeg_quiet;
    if (setjmp(err.jump)) {
        jpeg_destroy_compress(&cinfo);
        free(buffer);
        return ZHILI_IMAGE_NO_MEMORY;
    }
    jpeg_create_compress(&cinfo);
    unsigned char *b = NULL;
    jpeg_mem_dest(&cinfo, &b, &size);
    cinfo.image_width = (JDIMENSION)img->w;
    cinfo.image_height = (JDIMENSION)img->h;
    cinfo.input_components = 3;
    cinfo.in_color_space = JCS_RGB;
    jpeg_set_defaults(&cinfo);
    jpeg_set_quality(&cinfo, quality, TRUE);
    jpeg_start_compress(&cinfo, TRUE);
    size_t stride = (size_t)img->w * 3;
    while (cinfo.next_scanline < cinfo.image_height) {
        JSAMPROW row = img->px + stride * cinfo.next_scanline;
        jpeg_write_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_compress(&cinfo);
    buffer = b;
    jpeg_destroy_compress(&cinfo);
    result->data = buffer;
    result->size = size;
    result->width = img->w;
    result->height = img->h;
    return ZHILI_IMAGE_OK;
}

int zhili_image_normalize(const unsigned char *bytes, size_t length, int max_side, int quality,
                          long max_pixels, zhili_image_result *result) {
    memset(result, 0, sizeof *result);
    if (max_side < 1) max_side = 1;
    const char *kind = zhili_image_sniff(bytes, length);
    if (!kind) return ZHILI_IMAGE_UNSUPPORTED;
    rgb img = { NULL, 0, 0 };
    int orientation = 1, status, sw = 0, sh = 0;
    if (kind[0] == 'j') status = decode_jpeg(bytes, length, max_side, max_pixels, &img, &orientation, &sw, &sh);
    else status = decode_png(bytes, length, max_pixels, &img, &sw, &sh);
    if (status != ZHILI_IMAGE_OK) return status;
    if ((status = shrink(&img, max_side)) == ZHILI_IMAGE_OK && (status = orient(&img, orientation)) == ZHILI_IMAGE_OK) {
        result->source_width = orientation >= 5 ? sh : sw;
        result->source_height = orientation >= 5 ? sw : sh;
        status = encode_jpeg(&img, quality, result);
    }
    free(img.px);
    return status;
}

int zhili_image_encode_rgb(const unsigned char *pixels, int width, int height, int quality,
                           zhili_image_result *result) {
    memset(result, 0, sizeof *result);
    if (!pixels || width < 1 || height < 1 || width > 8000 || height > 8000) return ZHILI_IMAGE_CORRUPT;
    rgb img = { (unsigned char *)pixels, width, height };
    int rc = encode_jpeg(&img, quality, result);
    result->source_width = width;
    result->source_height = height;
    return rc;
}
