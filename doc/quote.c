/* doc/quote.c: a short, printable copy of user text for error messages, shared by the readers
 * and the policy loader. */
#include <string.h>

#include "doc.h"

void ap_doc_quote(char *buf, size_t size, const char *s)
{
    size_t i = 0;
    for (; s[i] != '\0' && i + 1 < size && i < 60; i++)
        buf[i] = (unsigned char)s[i] < 0x20 ? '?' : s[i];
    buf[i] = '\0';
    if (s[i] != '\0' && size > 4 && i >= 3)
        memcpy(buf + i - 3, "...", 4);
}
