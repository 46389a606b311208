/* tests/fuzz/fuzz_policy.c: the policy loader (--policy FILE) under the fuzzer. A policy is
 * loaded or refused with a message; a refused one leaves the defaults. */
#include <stdlib.h>
#include <string.h>

#include "authpath/findings.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ap_policy p, dflt;
    ap_weights w;
    ap_vocab v;
    ap_error err;
    const char *path = ap_fuzz_path(0, data, size);
    int rc;
    ap_vocab_init(&v);
    if (ap_vocab_add(&v, "export", &err) < 0)
        ap_fuzz_fail("vocabulary", &err);
    ap_policy_default(&p);
    ap_policy_default(&dflt);
    rc = ap_policy_load(&p, path, &v, &err);
    if (rc == AP_EINPUT) {
        if (err.msg[0] == '\0')
            ap_fuzz_fail("a refused policy without a message", &err);
        if (p.noverrides != 0 || p.nwaivers != 0
            || memcmp(&p.weights, &dflt.weights, sizeof p.weights) != 0)
            ap_fuzz_fail("a refused policy left changes behind", NULL);
    } else if (rc != AP_OK) {
        ap_fuzz_fail("policy", &err);
    }
    ap_policy_clear(&p);
    /* the weights-only reader agrees on what is valid */
    ap_weights_default(&w);
    if ((ap_policy_load_weights(&w, path, &v, &err) == AP_OK) != (rc == AP_OK))
        ap_fuzz_fail("ap_policy_load and ap_policy_load_weights disagree", &err);
    return 0;
}
