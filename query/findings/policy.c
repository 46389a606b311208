/* query/findings/policy.c: the policy the findings run with: its defaults (score weights,
 * thresholds, review and rotation cadences) and freeing what a policy file added to it. */
#include <stdlib.h>
#include <string.h>

#include "findings_internal.h"

void ap_policy_default(ap_policy *p)
{
    static const int review_days[AP_SENS_COUNT] = { 365, 365, 180, 90, 30 };
    static const int rotate_days[AP_SENS_COUNT] = { 180, 180, 180, 90, 90 };
    memset(p, 0, sizeof *p);
    ap_weights_default(&p->weights);
    p->credential_max_lifetime = 90 * AP_DAY;
    p->dormant_after = 90 * AP_DAY;
    for (int s = 0; s < AP_SENS_COUNT; s++)
        p->review_every[s] = review_days[s] * AP_DAY;
    for (int s = 0; s < AP_SENS_COUNT; s++)
        p->rotate_every[s] = rotate_days[s] * AP_DAY;
}

void ap_policy_clear(ap_policy *p)
{
    for (size_t i = 0; i < p->noverrides; i++)
        free(p->overrides[i].rule);
    for (size_t i = 0; i < p->nwaivers; i++) {
        free(p->waivers[i].rule);
        free(p->waivers[i].subject);
        free(p->waivers[i].owner);
        free(p->waivers[i].reason);
    }
    for (size_t i = 0; i < p->nscopes; i++) {
        free(p->scopes[i].partner);
        free(p->scopes[i].scope);
    }
    free(p->scopes);
    free(p->overrides);
    free(p->waivers);
    ap_policy_default(p);
}
