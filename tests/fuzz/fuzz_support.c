/* tests/fuzz/fuzz_support.c: helpers for the fuzz targets (see fuzz.h): inputs as memfd files
 * and loud failure on defects. */
#define _GNU_SOURCE             /* memfd_create */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"

const char *ap_fuzz_path(unsigned slot, const uint8_t *data, size_t size)
{
    static int fds[AP_FUZZ_SLOTS] = { -1, -1, -1, -1 };
    static char paths[AP_FUZZ_SLOTS][64];
    size_t done = 0;
    if (slot >= AP_FUZZ_SLOTS)
        abort();
    if (fds[slot] < 0) {
        if ((fds[slot] = memfd_create("ap_fuzz_input", MFD_CLOEXEC)) < 0) {
            perror("memfd_create");
            abort();
        }
        snprintf(paths[slot], sizeof paths[slot], "/proc/self/fd/%d", fds[slot]);
    }
    if (ftruncate(fds[slot], 0) != 0)
        abort();
    while (done < size) {
        ssize_t n = pwrite(fds[slot], data + done, size - done, (off_t)done);
        if (n <= 0)
            abort();
        done += (size_t)n;
    }
    return paths[slot];
}

void ap_fuzz_fail(const char *what, const ap_error *err)
{
    fprintf(stderr, "fuzz: %s", what);
    if (err != NULL)
        fprintf(stderr, ": code %d: %s:%u:%u: %s", (int)err->code, err->file, err->line,
                err->col, err->msg);
    fputc('\n', stderr);
    abort();
}
