/* tests/fuzz/fuzz.h: what the fuzz targets share. Each target defines LLVMFuzzerTestOneInput;
 * libFuzzer drives it in the clang fuzz tree, replay.c feeds it the corpora under ctest. */
#ifndef AP_FUZZ_H
#define AP_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "authpath/error.h"

/* The entry point of every target: 0 always (a defect aborts). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A path whose file holds exactly data (a memfd: no disk, no clean-up); valid until the next
 * call with the same slot (0 to AP_FUZZ_SLOTS - 1). The readers take paths, so this is how an
 * input reaches them unchanged. */
#define AP_FUZZ_SLOTS 4
const char *ap_fuzz_path(unsigned slot, const uint8_t *data, size_t size);

/* A defect, not an input error: print what broke and abort, so libFuzzer keeps the input. */
void ap_fuzz_fail(const char *what, const ap_error *err);

/* The time every target evaluates at (2026-01-01T00:00:00Z), as the golden tests do. */
#define AP_FUZZ_AT 1767225600

#endif
