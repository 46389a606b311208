/* graph/model.c: the names of kinds, states, sensitivities and tiers, the edge-kind table of
 * docs/design.md, rights vocabularies and the time parser every reader and the CLI share. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "authpath/model.h"

static const char *const kind_names[AP_KIND_COUNT] = {
    "partner", "identity", "credential", "role", "resource", "workflow"
};
static const char *const state_names[AP_STATE_COUNT] = {
    "requested", "approved", "active", "under_review", "suspended", "revoked"
};
static const char *const sens_names[AP_SENS_COUNT] = {
    "public", "internal", "confidential", "restricted", "critical"
};
static const char *const tier_names[AP_TIER_COUNT] = { "read_only", "standard", "privileged" };
static const char *const builtin_rights[AP_R_BUILTIN] = {
    "read", "write", "delete", "admin", "execute", "approve", "mint", "delegate"
};

#define WRITE_BIT ((ap_rights)1 << AP_R_WRITE)
/* docs/design.md's edge table: sentence, traversal, default gate, escalation. */
static const ap_edge_kind_info edge_info[AP_EDGE_COUNT] = {
    { "holds", "{u} holds {v}", true, 0, false },
    { "authenticates_as", "{u} authenticates as {v}", true, 0, false },
    { "member_of", "{u} is a member of {v}", true, 0, false },
    { "can_assume", "{u} can assume {v}", true, 0, false },
    { "subcontractor_of", "{u} acts for {v} as its subcontractor", true, 0, false },
    { "admin_of", "{u} administers {v}", true, 0, false },
    { "can_mint", "{u} can mint credentials for {v}", true, 0, false },
    { "access", "{u} can {rights} {v}", true, 0, false },
    { "triggers", "a change to {u} triggers {v}", true, WRITE_BIT, false },
    { "runs_as", "{u} runs as {v}", true, 0, true },
    { "depends_on", "{u} depends on {v}", false, 0, false },
};

static int find_name(const char *const *names, int n, const char *s)
{
    for (int i = 0; s != NULL && i < n; i++)
        if (strcmp(names[i], s) == 0)
            return i;
    return -1;
}

const char *ap_kind_name(ap_kind k)
{
    return k >= 0 && k < AP_KIND_COUNT ? kind_names[k] : "?";
}
ap_kind ap_kind_parse(const char *s) { return (ap_kind)find_name(kind_names, AP_KIND_COUNT, s); }

const char *ap_edge_kind_name(ap_edge_kind k)
{
    return k >= 0 && k < AP_EDGE_COUNT ? edge_info[k].name : "?";
}

ap_edge_kind ap_edge_kind_parse(const char *s)
{
    for (int i = 0; s != NULL && i < AP_EDGE_COUNT; i++)
        if (strcmp(edge_info[i].name, s) == 0)
            return (ap_edge_kind)i;
    return AP_EDGE_NONE;
}

const ap_edge_kind_info *ap_edge_kind_info_of(ap_edge_kind k)
{
    return k >= 0 && k < AP_EDGE_COUNT ? &edge_info[k] : NULL;
}

const char *ap_state_name(ap_state s)
{
    return s >= 0 && s < AP_STATE_COUNT ? state_names[s] : "?";
}
ap_state ap_state_parse(const char *s)
{
    return (ap_state)find_name(state_names, AP_STATE_COUNT, s);
}
bool ap_state_is_live(ap_state s) { return s == AP_STATE_ACTIVE || s == AP_STATE_UNDER_REVIEW; }

const char *ap_sensitivity_name(ap_sensitivity s)
{
    return s >= 0 && s < AP_SENS_COUNT ? sens_names[s] : "?";
}
ap_sensitivity ap_sensitivity_parse(const char *s)
{
    return (ap_sensitivity)find_name(sens_names, AP_SENS_COUNT, s);
}

const char *ap_tier_name(ap_tier t) { return t >= 0 && t < AP_TIER_COUNT ? tier_names[t] : "?"; }
ap_tier ap_tier_parse(const char *s) { return (ap_tier)find_name(tier_names, AP_TIER_COUNT, s); }

void ap_vocab_init(ap_vocab *v)
{
    memset(v, 0, sizeof *v);
    for (int i = 0; i < AP_R_BUILTIN; i++)
        v->names[i] = builtin_rights[i];
    v->count = AP_R_BUILTIN;
}

int ap_vocab_find(const ap_vocab *v, const char *name)
{
    return find_name(v->names, (int)v->count, name);
}

int ap_vocab_add(ap_vocab *v, const char *name, ap_error *err)
{
    if (name[0] == '\0' || strcmp(name, "all") == 0 || strcmp(name, "none") == 0)
        return ap_error_set(err, AP_EINPUT, "'%s' cannot name a right", name);
    for (const char *p = name; *p; p++)
        if (!(isalnum((unsigned char)*p) || *p == '_' || *p == '-' || *p == ':' || *p == '.'))
            return ap_error_set(err, AP_EINPUT, "right '%s' may hold only letters, digits "
                                "and _-:.", name);
    if (ap_vocab_find(v, name) >= 0)
        return AP_OK;                       /* naming a built-in again is harmless */
    if (v->count >= AP_MAX_RIGHTS)
        return ap_error_set(err, AP_EINPUT, "too many rights: at most %d", AP_MAX_RIGHTS);
    v->names[v->count++] = name;
    return AP_OK;
}

ap_rights ap_vocab_all(const ap_vocab *v)
{
    return v->count >= 64 ? AP_RIGHTS_ALL : (((ap_rights)1 << v->count) - 1);
}

void ap_rights_format(char *buf, size_t size, const ap_vocab *v, ap_rights r, const char *sep,
                      bool all_word)
{
    size_t used = 0;
    buf[0] = '\0';
    if (all_word && (r & ap_vocab_all(v)) == ap_vocab_all(v)) {
        snprintf(buf, size, "all");
        return;
    }
    if ((r & ap_vocab_all(v)) == 0) {
        snprintf(buf, size, "none");
        return;
    }
    for (unsigned i = 0; i < v->count; i++) {
        if (!(r & ((ap_rights)1 << i)))
            continue;
        int n = snprintf(buf + used, used < size ? size - used : 0, "%s%s",
                         used ? sep : "", v->names[i]);
        if (n < 0 || used + (size_t)n >= size)
            return;
        used += (size_t)n;
    }
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static bool digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

static bool is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

bool ap_time_parse(const char *s, int64_t *out)
{
    static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    int y, mo, d, h = 0, mi = 0, sec = 0, off = 0;
    if (s == NULL || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) || s[7] != '-'
        || !digits(s + 8, 2, &d))
        return false;
    if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] + (mo == 2 && is_leap(y)))
        return false;
    s += 10;
    if (*s == 'T' || *s == 't' || *s == ' ') {
        if (!digits(s + 1, 2, &h) || s[3] != ':' || !digits(s + 4, 2, &mi) || h > 23 || mi > 59)
            return false;
        s += 6;
        if (*s == ':') {
            if (!digits(s + 1, 2, &sec) || sec > 60)
                return false;
            s += 3;
            if (*s == '.') {
                if (!isdigit((unsigned char)s[1]))
                    return false;
                for (s++; isdigit((unsigned char)*s); s++)
                    ;               /* fractions of a second are dropped */
            }
        }
        if (*s == 'Z' || *s == 'z') {
            s++;
        } else if (*s == '+' || *s == '-') {
            int oh, om;
            if (!digits(s + 1, 2, &oh) || s[3] != ':' || !digits(s + 4, 2, &om) || oh > 23
                || om > 59)
                return false;
            off = (oh * 60 + om) * 60 * (*s == '+' ? 1 : -1);
            s += 6;
        }
    }
    if (*s != '\0')
        return false;
    *out = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + sec - off;
    return true;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

void ap_time_format(char *buf, size_t size, int64_t t)
{
    /* floor division, with nothing to overflow even at INT64_MIN */
    int64_t days = t / 86400 - (t % 86400 < 0), y;
    int64_t rest = t % 86400 + (t % 86400 < 0 ? 86400 : 0);
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    snprintf(buf, size, "%04lld-%02u-%02uT%02d:%02d:%02dZ", (long long)y, m, d,
             (int)(rest / 3600), (int)(rest / 60 % 60), (int)(rest % 60));
}

void ap_date_format(char *buf, size_t size, int64_t t)
{
    char full[64]; /* room for any int64 year: -O3 checks the worst case */
    ap_time_format(full, sizeof full, t);
    snprintf(buf, size, "%.10s", full);
}
