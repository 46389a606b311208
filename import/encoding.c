/* import/encoding.c: the text every reader sees is UTF-8. A UTF-8 byte order mark is skipped;
 * UTF-16 with a byte order mark (PowerShell's Out-File default) is decoded with glibc iconv. */
#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>

#include "import_internal.h"

/* The 1-based line and column just after the UTF-8 text out[0, n): where decoding stopped.
 * Columns count bytes of the decoded text, as the readers count them for any UTF-8 input. */
static void end_place(const char *out, size_t n, unsigned *line, unsigned *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < n; i++) {
        if (out[i] == '\n') {
            (*line)++;
            *col = 1;
        } else {
            (*col)++;
        }
    }
}

static int decode_utf16(char **owned, const char **text, size_t *len, const char *path,
                        const char *from, ap_error *err)
{
    iconv_t cd = iconv_open("UTF-8", from);
    char *in = (char *)*text + 2, *out, *buf;
    size_t inleft = *len - 2, cap, outleft;
    unsigned line, col;
    if (cd == (iconv_t)-1)
        return ap_error_at(err, AP_EIO, path, 0, 0, "cannot decode %s: %s", from,
                           strerror(errno));
    /* a UTF-16 code unit (2 bytes) becomes at most 3 bytes; a surrogate pair (4) exactly 4 */
    cap = inleft / 2 * 3 + 1;
    if ((buf = malloc(cap)) == NULL) {
        iconv_close(cd);
        return ap_error_nomem(err);
    }
    out = buf;
    outleft = cap - 1;
    if (iconv(cd, &in, &inleft, &out, &outleft) == (size_t)-1) {
        int e = errno;
        iconv_close(cd);
        end_place(buf, (size_t)(out - buf), &line, &col);
        free(buf);
        return ap_error_at(err, AP_EINPUT, path, line, col, "%s text (byte order mark %s) %s",
                           from, from[6] == 'L' ? "FF FE" : "FE FF",
                           e == EINVAL ? "ends inside a character"
                                       : "holds a sequence that is not UTF-16 (a lone "
                                         "surrogate)");
    }
    iconv_close(cd);
    *out = '\0';
    *owned = buf;
    *text = buf;
    *len = (size_t)(out - buf);
    return AP_OK;
}

int ap_import__decode(char **owned, const char **text, size_t *len, const char *path,
                      ap_error *err)
{
    const unsigned char *s = (const unsigned char *)*text;
    *owned = NULL;
    if (*len >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF) {
        *text += 3;
        *len -= 3;
        return AP_OK;
    }
    if (*len >= 2 && s[0] == 0xFF && s[1] == 0xFE)
        return decode_utf16(owned, text, len, path, "UTF-16LE", err);
    if (*len >= 2 && s[0] == 0xFE && s[1] == 0xFF)
        return decode_utf16(owned, text, len, path, "UTF-16BE", err);
    return AP_OK;
}

int ap_import__not_compressed(const void *head, size_t n, const char *path, ap_error *err)
{
    const unsigned char *s = head;
    if (n >= 2 && s[0] == 0x1F && s[1] == 0x8B)
        return ap_error_at(err, AP_EINPUT, path, 1, 1, "a gzip-compressed file (as CloudTrail "
                           "delivers its logs): decompress it first (gunzip -k FILE)");
    if (n >= 4 && memcmp(s, "PK\x03\x04", 4) == 0)
        return ap_error_at(err, AP_EINPUT, path, 1, 1, "a zip archive: extract its files and "
                           "import those");
    return AP_OK;
}
