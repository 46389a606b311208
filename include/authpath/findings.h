/* authpath/findings.h: governance findings. One catalogue of rules (id, severity, OWASP NHI
 * Top 10 2025 risk, NIST CSF 2.0 subcategory, remediation), the policy that tunes them, and
 * the findings they raise on a graph, each with its evidence. */
#ifndef AUTHPATH_FINDINGS_H
#define AUTHPATH_FINDINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "authpath/query.h"

typedef enum {
    AP_SEV_NONE = -1,
    AP_SEV_LOW, AP_SEV_MEDIUM, AP_SEV_HIGH, AP_SEV_CRITICAL,
    AP_SEV_COUNT
} ap_severity;
#define AP_SEV_NAMES "low, medium, high, critical"

AP_EXPORT const char *ap_severity_name(ap_severity s);
AP_EXPORT ap_severity ap_severity_parse(const char *s);

/* ---- Policy: score weights, thresholds, severity overrides and waivers (--policy FILE). ---- */

/* A waived finding is hidden until `expires`; from then on it is shown and says so. */
typedef struct {
    char *rule, *subject, *owner, *reason;  /* owned by the policy */
    int64_t expires;
} ap_waiver;

typedef struct {
    char *rule;                             /* owned by the policy */
    ap_severity severity;
} ap_severity_override;

/* A partner's declared scope given by the policy (for sources that carry none): the scope
 * object as canonical JSON text, the same shape as a node's `scope` attribute. */
typedef struct {
    char *partner, *scope;                  /* owned by the policy */
} ap_policy_scope;

typedef struct {
    ap_weights weights;
    int64_t credential_max_lifetime;        /* seconds; 90 days */
    int64_t dormant_after;                  /* seconds without use; 90 days */
    int64_t review_every[AP_SENS_COUNT];    /* by the highest sensitivity a partner reaches:
                                             * critical 30 d, restricted 90, confidential 180,
                                             * internal and public 365 */
    int64_t rotate_every[AP_SENS_COUNT];    /* credential rotation period, by the highest
                                             * sensitivity the credential reaches: critical and
                                             * restricted 90 days, else 180 */
    ap_policy_scope *scopes;                /* sorted by partner id */
    size_t nscopes;
    ap_severity_override *overrides;
    size_t noverrides;
    ap_waiver *waivers;
    size_t nwaivers;
} ap_policy;

/* The defaults of docs/policy.md; owns nothing yet. */
AP_EXPORT void ap_policy_default(ap_policy *p);
/* Free what the policy owns (overrides, waivers) and reset it to the defaults. */
AP_EXPORT void ap_policy_clear(ap_policy *p);
/* Read a policy file into p, which holds the defaults (ap_policy_default) or what an earlier
 * call left; what the file leaves out keeps its value. JSON (the text starts with '{') or the
 * same structure in YAML:
 *   {"weights": {"sensitivity": {"critical": 20, ...}, "rights": {"admin": 6, "export": 2}},
 *    "thresholds": {"credential_max_lifetime_days": 90, "dormant_days": 90,
 *                   "review_days": {"critical": 30, ...}},
 *    "severity": {"RULE": "low|medium|high|critical"},
 *    "waivers": [{"rule", "subject", "owner", "reason", "expires": "YYYY-MM-DD"}]}
 * Rights are named in vocab, rules in the catalogue. Unknown keys are errors. On failure p is
 * back to the defaults (ap_policy_clear) and err names the file and the key (a syntax error:
 * the line and column too). */
AP_EXPORT int ap_policy_load(ap_policy *p, const char *path, const ap_vocab *vocab,
                             ap_error *err);
/* Only the score weights of a policy file (the rest is still checked). */
AP_EXPORT int ap_policy_load_weights(ap_weights *w, const char *path, const ap_vocab *vocab,
                                     ap_error *err);

/* ---- The catalogue ---- */

typedef struct ap_rule ap_rule;
struct ap_rule {
    const char *id;             /* stable: "credential-no-expiry" */
    ap_severity severity;       /* the default; the policy may override it */
    const char *owasp_nhi;      /* "NHI7" */
    const char *nist_csf;       /* "PR.AA-01" (several joined by ", ") */
    const char *title;          /* a short phrase */
    const char *description;    /* what it finds and why it matters */
    const char *remediation;    /* what to do */
    const char *root_cause;     /* what one finding stands for: findings of the rule are
                                 * raised once per root cause (NULL: its subject, for each
                                 * partner concerned) */
};

AP_EXPORT size_t ap_rule_count(void);
/* Rules in catalogue order (borrowed, static). */
AP_EXPORT const ap_rule *ap_rule_at(size_t i);
/* The rule with this id, or NULL. */
AP_EXPORT const ap_rule *ap_rule_find(const char *id);

/* ---- Findings ---- */

typedef struct {
    const char *key;            /* static: "contract_ends" */
    char *value;                /* owned by the findings */
} ap_fact;

typedef struct {
    const ap_rule *rule;
    ap_severity severity;       /* the rule's, after the policy's overrides */
    uint32_t partner;           /* the partner it is about (node index): partners[0] */
    uint32_t *partners;         /* the partners it is about, in id order: one finding per root
                                 * cause (an escalation point, a loop) is about them all; the
                                 * first AP_FINDINGS_PARTNERS_SHOWN of them when there are more
                                 * (ap_findings_partners lists them all) */
    size_t npartners;           /* how many partners it is about */
    bool subject_is_edge;
    uint32_t subject;           /* node or edge index */
    char *message;              /* one sentence built from the evidence */
    uint32_t *nodes;            /* the nodes the evidence names, subject first */
    size_t nnodes;
    ap_fact *facts;             /* dates, rights, counts: in the order the rule gave them */
    size_t nfacts;
    uint32_t *path;             /* witness: edge indices from the partner */
    size_t npath;
    int64_t file;               /* provenance of the subject: source id, line, column */
    unsigned line, col;
    const ap_waiver *waiver;    /* borrowed from the policy: the matching waiver, or NULL */
    bool waived;                /* the waiver is in force: the finding is hidden */
} ap_finding;

/* What one finding prints at most (docs/json.md, "Limits"): its partners (the rest counted),
 * the nodes its evidence names, and the steps of its path (the first and last half of them,
 * the steps between counted; `authpath explain` prints any chain whole). */
#define AP_FINDINGS_PARTNERS_SHOWN 20
#define AP_FINDINGS_NODES_SHOWN 64
#define AP_FINDINGS_PATH_SHOWN 32

typedef struct ap_findings ap_findings;

typedef struct {
    const ap_policy *policy;    /* NULL: the defaults */
    const char *const *rules;   /* run only these rule ids (nrules of them); NULL: every rule */
    size_t nrules;
    int64_t partner;            /* keep only findings about this partner (one of their
                                 * partners); -1: every partner */
    ap_severity min_severity;   /* keep only findings at or above; AP_SEV_NONE: all */
} ap_findings_opts;

/* Run the catalogue on g (each partner's authority computed once, shared by every rule).
 * Findings come sorted: partners by their most severe finding, then partner id; within a
 * partner by severity (most severe first), rule id, subject id, message.
 * An unknown rule id in opts->rules is AP_ENOTFOUND. *out owns the result. */
AP_EXPORT int ap_findings_compute(ap_findings **out, const ap_graph *g,
                                  const ap_findings_opts *opts, ap_error *err);
struct ap_usage;
/* The same with observed use over a window (authpath/usage.h; NULL: none): the drift rules
 * (usage-not-granted, granted-never-used, attempted-not-granted) and last_used from events. */
AP_EXPORT int ap_findings_compute_observed(ap_findings **out, const ap_graph *g,
                                           const ap_findings_opts *opts,
                                           const struct ap_usage *usage, ap_error *err);
AP_EXPORT void ap_findings_free(ap_findings *f);
AP_EXPORT size_t ap_findings_count(const ap_findings *f);
/* Finding i whole, its evidence (message, nodes, facts, path) read back from the run's
 * temporary store: valid until the next ap_findings_get on f (the list holds the evidence of
 * one finding at a time, so its memory does not grow with the number of findings). NULL when
 * the store cannot be read (an I/O error). */
AP_EXPORT const ap_finding *ap_findings_get(const ap_findings *f, size_t i);
/* Every partner finding i of f is about, in id order, into list (the first cap of them);
 * returns how many there are (npartners). */
AP_EXPORT size_t ap_findings_partners(const ap_findings *f, size_t i, uint32_t *list,
                                      size_t cap);
/* Finding i without its evidence (message, nodes, facts and path are NULL, their counts
 * right): rule, severity, partners, subject, source and waiver, for scanning the list. It
 * leaves the finding ap_findings_get returned last as it was. */
AP_EXPORT const ap_finding *ap_findings_peek(const ap_findings *f, size_t i);
/* Findings hidden by a waiver in force (they are still in the list, with waived set). */
AP_EXPORT size_t ap_findings_waived(const ap_findings *f);
/* A rule's severity in this run (the catalogue's, after the policy's overrides). */
AP_EXPORT ap_severity ap_findings_rule_severity(const ap_findings *f, const ap_rule *r);
/* The id of a finding's subject (a node or edge id), borrowed from g. */
AP_EXPORT const char *ap_finding_subject_id(const ap_graph *g, const ap_finding *f);
/* The value of a fact, or NULL. */
AP_EXPORT const char *ap_finding_fact(const ap_finding *f, const char *key);

#endif
