/* tests/fuzz/fuzz_time.c: the time parser under the fuzzer (every reader, the CLI's --at and
 * the policy's waivers use it). Whatever it accepts must format and parse back to itself. */
#include <stdlib.h>
#include <string.h>

#include "authpath/model.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1), buf[64], date[16];
    int64_t t, back;
    if (s == NULL)
        abort();
    memcpy(s, data, size);
    s[size] = '\0';
    if (ap_time_parse(s, &t)) {
        /* an accepted time starts with an accepted date */
        memcpy(date, s, 10);
        date[10] = '\0';
        if (!ap_time_parse(date, &back))
            ap_fuzz_fail("a time whose date alone is refused", NULL);
        ap_time_format(buf, sizeof buf, t);
        if (buf[0] != '-' && strlen(buf) == 20) {   /* years 0000-9999 format back */
            if (!ap_time_parse(buf, &back))
                ap_fuzz_fail("ap_time_format wrote what ap_time_parse refuses", NULL);
            if (back != t)
                ap_fuzz_fail("a time does not survive format and parse", NULL);
        }
        ap_date_format(buf, sizeof buf, t);
    }
    free(s);
    return 0;
}
