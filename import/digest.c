/* import/digest.c: the SHA-256 of each imported file (Nettle), fed with the bytes the reader
 * reads, so that the store can name exactly which input a snapshot was made from. */
#include "import_internal.h"

void ap_import__digest_init(ap_digest *d)
{
    sha256_init(&d->ctx);
}

void ap_import__digest_add(ap_digest *d, const void *data, size_t len)
{
    sha256_update(&d->ctx, len, data);
}

void ap_import__digest_hex(ap_digest *d, char hex[AP_SHA256_HEX])
{
    static const char digits[] = "0123456789abcdef";
    uint8_t sum[SHA256_DIGEST_SIZE];
    sha256_digest(&d->ctx, sizeof sum, sum);
    for (size_t i = 0; i < sizeof sum; i++) {
        hex[2 * i] = digits[sum[i] >> 4];
        hex[2 * i + 1] = digits[sum[i] & 15];
    }
    hex[2 * sizeof sum] = '\0';
}
