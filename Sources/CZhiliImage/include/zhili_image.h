#ifndef ZHILI_IMAGE_H
#define ZHILI_IMAGE_H

#include <stddef.h>

/* Photo normalisation for uploads: decode a JPEG or PNG, apply the EXIF orientation,
 * shrink to fit max_side, and encode a fresh baseline JPEG. The output carries no
 * metadata at all (no EXIF, so no GPS position or camera serial of a resident's phone). */

enum zhili_image_status {
    ZHILI_IMAGE_OK = 0,
    ZHILI_IMAGE_UNSUPPORTED = 1,   /* not a JPEG or PNG */
    ZHILI_IMAGE_CORRUPT = 2,       /* looks like one, but cannot be decoded */
    ZHILI_IMAGE_TOO_LARGE = 3,     /* more pixels than max_pixels */
    ZHILI_IMAGE_NO_MEMORY = 4
};

typedef struct {
    unsigned char *data;   /* JPEG bytes, free with zhili_image_free */
    size_t size;
    int width;             /* of the output */
    int height;
    int source_width;      /* of the input, after orientation */
    int source_height;
} zhili_image_result;

/* Returns "jpeg", "png" or NULL from the first bytes. */
const char *zhili_image_sniff(const unsigned char *bytes, size_t length);

int zhili_image_normalize(const unsigned char *bytes, size_t length, int max_side, int quality,
                          long max_pixels, zhili_image_result *result);

/* Encodes width x height RGB pixels (3 bytes each, rows top to bottom) as JPEG. */
int zhili_image_encode_rgb(const unsigned char *pixels, int width, int height, int quality,
                           zhili_image_result *result);

void zhili_image_free(unsigned char *data);

#endif
