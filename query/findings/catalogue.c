/* query/findings/catalogue.c: the one table of rules. Code, `authpath rules` and docs/rules.md
 * all read it; adding a rule is its hooks in a query/findings/ file (lanes.c) and a row here. */
#include <string.h>

#include "findings_internal.h"

static const ap_rule rules[] = {
    { "partner-ended-live", AP_SEV_CRITICAL, "NHI1", "GV.SC-10",
      "Ended or suspended partner still has live authority",
      "The partner's contract ended before the evaluation time, or its state is suspended or "
      "revoked, yet its authority still reaches nodes in the estate: the relationship is over "
      "on paper only.",
      "Run `authpath offboard PARTNER` and revoke what it lists: the partner's credentials, its "
      "edges, and the subcontracting that acts for it.",
      "the partner: one finding per ended or suspended partner." },
    { "credential-no-expiry", AP_SEV_HIGH, "NHI7", "PR.AA-01",
      "Partner credential never expires",
      "A credential a partner holds has no expiry: it stays valid until someone remembers to "
      "revoke it.",
      "Give the credential an expiry within the policy's maximum lifetime and rotate it; prefer "
      "short-lived tokens issued on demand.",
      "the credential: one finding lists every partner that holds it directly, its chain "
      "from the first in id order." },
    { "credential-long-lived", AP_SEV_MEDIUM, "NHI7", "PR.AA-01",
      "Partner credential lives longer than policy allows",
      "A credential a partner holds is valid for longer than the policy's maximum lifetime "
      "(default 90 days), counted from its valid_from (or from now when that is not given).",
      "Reissue the credential with a lifetime within policy and automate its rotation.",
      "the credential: one finding lists every partner that holds it directly, its chain "
      "from the first in id order." },
    { "credential-outlives-contract", AP_SEV_HIGH, "NHI7", "PR.AA-01",
      "Partner credential outlives the contract",
      "A credential a partner holds expires after the partner's contract_ends: it would keep "
      "working after the relationship is over.",
      "Set the credential's expiry at or before the contract end, and tie renewal to contract "
      "renewal.",
      "the credential: one finding lists every partner whose contract it outlives, its chain "
      "and contract end from the first in id order." },
    { "credential-shared", AP_SEV_HIGH, "NHI9", "PR.AA-01",
      "Credential held by more than one partner",
      "Two or more partners hold the same credential directly (not merely through one another): "
      "their actions cannot be told apart, and it cannot be revoked for one without breaking "
      "the others.",
      "Issue one credential per partner and revoke the shared one once each has its own.",
      "the credential: one finding lists every partner that holds it directly (300 partners "
      "sharing 300 keys give 300 findings, not 90,000), its chain from the first in id "
      "order." },
    { "credential-multi-tenant", AP_SEV_MEDIUM, "NHI9", "PR.AA-01",
      "Partner uses a multi-tenant credential",
      "A credential a partner holds is marked multi_tenant: the same secret serves other "
      "customers of that partner, so a breach elsewhere is a breach here.",
      "Ask the partner for a tenant-specific credential (or app registration) and revoke the "
      "multi-tenant one.",
      "the credential: one finding lists every partner that holds it directly, its chain "
      "from the first in id order." },
    { "static-secret", AP_SEV_MEDIUM, "NHI4", "PR.AA-03",
      "Static secret where a workload identity would do",
      "A partner authenticates as one of our identities with a static secret: a long-lived "
      "value that can be copied, where a federated workload identity would prove who is "
      "calling without a shared secret. A credential is static when the inventory says "
      "static: true, or when its type is static by nature (api_key, client_secret, password, "
      "pat, ssh_key, access_key) and the inventory does not say static: false.",
      "Replace the secret with workload identity federation (OIDC, SPIFFE or cloud-native "
      "trust) scoped to the partner's workload, then revoke the secret.",
      "the credential: one finding lists every partner that authenticates with it, its chain "
      "(and the identity it stands in for) from the first in id order: its direct chain, "
      "with every other partner blocked (it owns the secret), unless that chain does not carry "
      "what the authenticates_as edge passes; then the chain of its whole authority." },
    { "read-only-tier-exceeded", AP_SEV_HIGH, "NHI5", "PR.AA-05",
      "Read-only partner can do more than read",
      "A partner whose tier is read_only has a right beyond read on a resource or workflow: "
      "its access exceeds what it was approved for.",
      "Narrow the rights on the path (the access edge or role) to read, or raise the partner's "
      "tier through the approval process.",
      "the read-only partner: one finding counts the resources and workflows it can do more "
      "than read on, by sensitivity, with the chain to the most sensitive (the first of "
      "that sensitivity in reach order when its run shows a right beyond read there, else the "
      "least id of them)." },
    { "undeclared-rights", AP_SEV_MEDIUM, "NHI5", "PR.AA-05",
      "Partner access edge with undeclared rights",
      "An access edge that carries a partner's authority declares no rights, so it passes "
      "every right: nobody decided what the partner may do there.",
      "Declare the rights the integration needs on the edge (e.g. rights: [read]).",
      "the access edge: one finding lists every partner whose authority crosses it, its chain "
      "from the first of them in id order." },
    { "sensitive-workflow", AP_SEV_HIGH, "NHI5", "PR.AA-05",
      "Partner can trigger, execute or approve a sensitive workflow",
      "A partner can trigger, execute or approve a workflow of sensitivity confidential or "
      "above: it can start decisions (payments, provisioning, deployments) on its own.",
      "Remove the partner's path to the workflow or put a human approval on it that the "
      "partner cannot reach.",
      "the workflow: one finding lists every partner that can start or approve it and what "
      "they can do (trigger, execute, approve), its chain from the first partner in id "
      "order (over its first trigger edge in edge order, when it can trigger it)." },
    { "escalation-runs-as", AP_SEV_HIGH, "NHI5", "PR.AA-05",
      "Partner authority passes through an escalating step",
      "A partner's authority crosses an escalating edge: a workflow it can set off runs as an "
      "identity (runs_as), or a node it holds administers a principal (admin_of), and the step "
      "grants what its edge passes, more than the partner brought (a confused deputy). The "
      "finding says what each step grants.",
      "Run the workflow as an identity scoped to what the partner may do, narrow the "
      "administration to what is needed, or cut the partner's path to the escalation point.",
      "the escalation point: the node the escalating edges leave (a workflow that runs as "
      "an identity, a policy with admin_of over principals). One finding lists every "
      "partner whose authority crosses one of its escalating edges and every step it can "
      "take; on tests/data/real/cloudsplaining/example.json 130 findings became 3." },
    { "delegation-loop", AP_SEV_HIGH, "NHI3", "GV.SC-07",
      "Delegation loop among partners",
      "Partners act for one another in a cycle: authority can go all the way round it, and no "
      "one of them can be offboarded alone.",
      "Break the loop: remove the subcontracting (or shared access) that closes it, and record "
      "which partner is accountable for which.",
      "the loop: one strongly connected component of the subcontractor_of graph, reported "
      "once with a cycle through it in order (a > b > c > a) and every partner on that "
      "cycle; its chain is a cycle that carries authority from its first partner, or none "
      "when gates or rights stop every partner's chain on the way round. Pairs of partners "
      "in one loop raise no partner-inherits-partner finding: this one covers them." },
    { "fourth-party-sensitive", AP_SEV_HIGH, "NHI3", "GV.SC-07",
      "Fourth party reaches a sensitive resource",
      "A partner reaches resources or workflows of sensitivity confidential or above only "
      "through other partners (as a subcontractor: a fourth or further party): it does not "
      "hold them with every other partner blocked.",
      "Confirm the subcontractor is approved for this data; otherwise give the partner access "
      "it cannot pass on, or end the subcontracting.",
      "the partner: one finding counts, per sensitivity, the sensitive targets in its "
      "authority that are not in it with every other partner blocked, and shows the whole "
      "chain to one of the most sensitive (the nearest in reach order, hops then id, of the "
      "first 32 the all-partners run settles), naming the first other partner on it "
      "(through_partner); on "
      "the dense estate of 100,000 nodes, 17,102 findings (one per target) once became 289 "
      "(one per subcontract)." },
    { "partner-inherits-partner", AP_SEV_MEDIUM, "NHI3", "GV.SC-07",
      "Partner inherits another partner's authority",
      "A partner's authority reaches another partner: it can do whatever that partner can, "
      "so its blast radius includes the other's.",
      "Check that the relationship is a declared, approved subcontract; otherwise cut the path "
      "between the two.",
      "the pair of partners, where the chain starts: raised when the first holds the second "
      "directly, with every other partner blocked (a inherits b, b inherits c: two findings, "
      "not a third for a and c), and not for two partners of one delegation loop." },
    { "partner-can-mint", AP_SEV_HIGH, "NHI1", "PR.AA-01",
      "Partner can mint credentials",
      "A partner can create credentials (a can_mint edge, or the mint right): it can leave "
      "itself access that survives its offboarding.",
      "Remove the minting right, or route credential issuance through a process the partner "
      "does not control; inventory what it has minted.",
      "the grant: a can_mint edge, or an edge that passes the mint right by name to a "
      "resource or workflow. One finding lists every partner whose authority crosses it, its "
      "chain from the first in id order (on the dense S=10 estate 658,808 findings, one per "
      "partner and minting target, became 21,139, one per grant)." },
    { "owner-missing", AP_SEV_MEDIUM, "", "GV.RR-02",
      "Partner, identity or credential without an owner",
      "A partner, or an identity or credential a partner holds, names no owner: nobody is "
      "accountable for reviewing, rotating or revoking it.",
      "Record an accountable owner (a person or team) on the node.",
      "the partner, identity or credential without an owner: one finding lists every partner "
      "holding it, its chain from the first in id order." },
    { "partner-undocumented", AP_SEV_LOW, "", "GV.RR-02, ID.AM-04",
      "Partner without sponsor or purpose",
      "A partner has no sponsor or no purpose recorded: nobody inside vouches for the "
      "relationship, or nobody wrote down why it exists.",
      "Record the internal sponsor and the purpose of the partnership.",
      "the partner." },
    { "dormant-access", AP_SEV_MEDIUM, "NHI1", "PR.AA-01",
      "Dormant partner access",
      "An identity or credential a partner holds is live but was last used longer ago than "
      "the policy's window (default 90 days): access nobody needs is still open.",
      "Revoke or disable it; if it is needed, record why and review it.",
      "the identity or credential: one finding lists every partner holding it, its chain "
      "from the first in id order." },
    { "review-overdue", AP_SEV_MEDIUM, "", "PR.AA-05",
      "Partner access review overdue",
      "A partner's last_reviewed is older than the review cadence for the most sensitive thing "
      "it reaches (policy: critical 30 days, restricted 90, confidential 180, else 365), or it "
      "was never reviewed.",
      "Review the partner's authority (`authpath authority PARTNER`), record the review in "
      "last_reviewed, and remove what is no longer needed.",
      "the partner; its chain stops at the first other partner on it (through_partner), "
      "whose own findings carry on." },
    { "temporary-no-expiry", AP_SEV_MEDIUM, "NHI5", "PR.AA-05",
      "Temporary elevation without expiry",
      "An edge marked temporary carries a partner's authority but has no expiry: the "
      "elevation is permanent in practice.",
      "Give the edge an expiry, or make it permanent through approval and drop temporary.",
      "the temporary edge: one finding lists every partner whose authority crosses it, its "
      "chain from the first of them in id order." },
    { "unattributable-write", AP_SEV_HIGH, "", "PR.PS-04, DE.CM-06",
      "Partner can write through an unlogged identity",
      "A partner's write-capable authority passes through an identity with logged: false: "
      "what it changes cannot be attributed to it.",
      "Turn on logging for the identity, or give the partner its own logged identity.",
      "the unlogged identity: one finding lists every partner holding there a right other "
      "than read that the identity's own authority holds on a sensitive resource or workflow, "
      "and shows the first one's chain to it, then the identity's chain on to the first such "
      "target in its reach order, with the rights both carry." },
    { "environment-crossing", AP_SEV_HIGH, "NHI8", "PR.IR-01",
      "One credential reaches production and non-production",
      "A credential a partner holds reaches both production and non-production environments: "
      "a leak from a test system opens production.",
      "Issue separate credentials per environment and narrow each to its own.",
      "the credential: one finding lists every partner holding it, its chain from the first "
      "in id order." },
    { "role-trusts-anyone", AP_SEV_CRITICAL, "NHI6", "PR.AA-05, PR.PS-01",
      "Cloud role anyone can assume",
      "A role's trust policy allows any AWS principal (Principal \"*\") with no condition that "
      "narrows who (aws:PrincipalOrgID, aws:PrincipalAccount, aws:SourceArn...): whoever finds "
      "its ARN holds its authority.",
      "Name the accounts or principals that may assume the role, or add a condition such as "
      "aws:PrincipalOrgID; then check CloudTrail for AssumeRole calls from unknown accounts.",
      "the role whose trust policy allows anyone." },
    { "external-trust-no-external-id", AP_SEV_HIGH, "NHI3", "GV.SC-07, PR.AA-05",
      "External account trusted without sts:ExternalId",
      "A role trusts another AWS account (a vendor, a partner) to assume it without an "
      "sts:ExternalId condition: a third party that serves many customers can be tricked into "
      "acting on this account for someone else (the confused deputy).",
      "Require the external id the vendor issued for this account (Condition StringEquals "
      "sts:ExternalId), or narrow the trust to the vendor's specific role.",
      "the trust edge from the external account to the role." },
    { "authority-beyond-scope", AP_SEV_HIGH, "NHI5", "GV.SC-05, PR.AA-05",
      "Partner reaches beyond its declared scope",
      "A partner declares a scope (the resources, sensitivity, rights, environments, "
      "jurisdictions and time window its purpose needs), and its real authority reaches past "
      "it: one finding per partner and reason, listing each target outside with the chain "
      "that carries the partner there. Critical when a target outside is critical or "
      "restricted.",
      "Cut or narrow the chains listed (`authpath paths PARTNER --to TARGET`) until the "
      "partner's authority fits its scope, or widen the scope through the approval process "
      "if the purpose really needs it.",
      "the partner and reason its authority leaves its scope, listing every target "
      "outside (most sensitive first, then fewest hops, then id; the first 20 named with "
      "their chains)." },
    { "scope-undeclared", AP_SEV_LOW, "NHI5", "GV.SC-05, ID.AM-04",
      "Partner with sensitive reach declares no scope",
      "A partner reaches resources or workflows of sensitivity confidential or above, but no "
      "scope says what its purpose needs: its access cannot be tested against its purpose.",
      "Declare the partner's scope (resources, max_sensitivity, rights, environments, "
      "jurisdictions, from/until) on the partner or in the policy's scopes.",
      "the partner; its chain stops at the first other partner on it (through_partner), "
      "whose own findings carry on." },
    { "credential-rotation-overdue", AP_SEV_MEDIUM, "NHI7", "PR.AA-01",
      "Partner credential not rotated within policy",
      "A credential a partner holds was last rotated (or, a static secret never rotated, "
      "created) longer ago than the policy's rotation period for the most sensitive thing it "
      "reaches (defaults: 90 days for critical and restricted, 180 otherwise).",
      "Rotate the credential, record last_rotated, and automate rotation within the period.",
      "the credential: one finding lists every partner that holds it directly, its chain "
      "from the first in id order." },
    { "k8s-cluster-admin", AP_SEV_CRITICAL, "NHI5", "PR.AA-05",
      "Partner holds cluster-admin in Kubernetes",
      "A partner reaches a Kubernetes role that allows every verb on every resource "
      "(cluster-admin, or a ClusterRole with the same wildcard rule), through a binding of its "
      "own or an escalation (bind, impersonate, pod exec): it controls the cluster, or the "
      "namespace the binding names.",
      "Bind the partner's users, groups or service accounts to a role that lists the verbs and "
      "resources the integration needs, and remove the cluster-admin binding or the escalation "
      "that leads to it.",
      "the cluster-admin role: one finding lists every partner that reaches it directly (with "
      "every other partner blocked) and holds directly no other cluster-admin role that covers "
      "it (a cluster-wide one over a namespace's, or one with an edge to it and none back: "
      "that role's finding speaks for it), its chain from the first in id order." },
    { "k8s-secrets-wildcard", AP_SEV_HIGH, "NHI2", "PR.AA-05, PR.DS-01",
      "Partner has wildcard verbs on Kubernetes secrets",
      "A Kubernetes rule the partner's authority reaches grants every verb (*) on secrets (or "
      "on every resource of the core group): it can read every secret in its scope, "
      "service-account tokens included, and replace them.",
      "List the verbs and the secret names (resourceNames) the integration needs; keep tokens "
      "out of the namespaces the partner can read.",
      "the Kubernetes rule (its access edge): one finding lists every partner whose "
      "authority it carries from a tail it holds directly (with every other partner blocked), "
      "but a tail that is a cluster-admin role and partners holding directly a cluster-admin "
      "role that covers the edge (cluster-wide, of the edge's namespace, or with an edge to its "
      "tail: k8s-cluster-admin speaks for them), its chain from the first in id order." },
    { "k8s-impersonation", AP_SEV_HIGH, "NHI5", "PR.AA-05",
      "Partner can impersonate Kubernetes users, groups or service accounts",
      "A Kubernetes rule the partner's authority reaches grants impersonate on users, groups "
      "or service accounts: it can act as them, with their rights, and its actions are logged "
      "under their names.",
      "Remove the impersonate verb, or restrict it with resourceNames to the identities the "
      "integration must act as.",
      "the Kubernetes rule (its access edge): one finding lists every partner whose "
      "authority it carries from a tail it holds directly (with every other partner blocked), "
      "but a tail that is a cluster-admin role and partners holding directly a cluster-admin "
      "role that covers the edge (cluster-wide, of the edge's namespace, or with an edge to its "
      "tail: k8s-cluster-admin speaks for them), its chain from the first in id order." },
    { "k8s-partner-cluster-wide", AP_SEV_HIGH, "NHI3", "GV.SC-07, PR.AA-05",
      "Partner's Kubernetes subject bound cluster-wide",
      "A user or group that belongs to a partner (--partner-map) is bound by a "
      "ClusterRoleBinding: the role's rules apply in every namespace, present and future.",
      "Bind the partner's users and groups with RoleBindings in the namespaces it works in.",
      "the cluster-wide binding of the partner's subject (its member_of edge)." },
    { "gdap-global-admin", AP_SEV_CRITICAL, "NHI5", "GV.SC-07, PR.AA-05",
      "GDAP relationship grants Global Administrator",
      "A partner's delegated admin relationship (GDAP) holds Global Administrator in a customer "
      "tenant: the partner's staff can do anything there, including removing the customer's "
      "own administrators.",
      "Rebuild the relationship with the least-privileged roles the work needs (Microsoft "
      "recommends against Global Administrator in GDAP), and assign them to narrow groups.",
      "the customer tenant's Global Administrator role: one finding lists every partner that "
      "holds it through GDAP, its chain from the first in id order." },
    { "gdap-stale-privileged", AP_SEV_HIGH, "NHI1", "GV.SC-10, PR.AA-05",
      "GDAP relationship with privileged roles auto-extends or outlived its end date",
      "A GDAP relationship with privileged roles extends itself automatically, or Graph still "
      "reports it active after its end date: privileged partner access that nobody renews "
      "on purpose.",
      "Turn off auto-extension for relationships with privileged roles, let them end, and "
      "create a new one when the work needs it.",
      "the GDAP relationship that Graph calls active (a status the export does not give "
      "claims nothing)." },
    { "admin-consent-third-party", AP_SEV_HIGH, "NHI5", "PR.AA-05",
      "Tenant-wide admin consent of high-privilege scopes to a third-party app",
      "A third-party app holds an AllPrincipals (admin) consent to high-privilege delegated "
      "scopes: it can act with them as any user who signs in to it.",
      "Revoke the grant (oauth2PermissionGrants), consent only the scopes the app needs, and "
      "require admin consent workflow review.",
      "the third-party app: one finding lists every partner that owns it." },
    { "app-global-admin", AP_SEV_CRITICAL, "NHI5", "PR.AA-05, GV.SC-07",
      "Third-party app's permissions lead to Global Administrator",
      "A third-party app holds application permissions with a known path to Global "
      "Administrator (RoleManagement.ReadWrite.Directory, AppRoleAssignment.ReadWrite.All, "
      "Application.ReadWrite.All...): whoever holds its credentials can take the directory.",
      "Remove the permission or replace it with a narrower one; if the app needs it, hold "
      "its credentials yourself and watch its sign-ins.",
      "the directory's Global Administrator role: one finding lists every third party whose "
      "apps lead to it, its chain from the first in id order." },
    { "federated-credential-wildcard", AP_SEV_HIGH, "NHI6", "PR.AA-01",
      "Federated credential with a wildcard subject",
      "A federated identity credential accepts tokens for a subject with a wildcard (any "
      "branch, tag or pull request of a repository): workflows nobody reviewed can act as "
      "the app.",
      "Pin the subject to one branch or environment (repo:ORG/REPO:environment:NAME).",
      "the federated credential: one finding lists every partner that owns it (one live step "
      "from the partner, or operated by it and held directly), its chain from the first in id "
      "order." },
    { "unverified-multi-tenant-app", AP_SEV_HIGH, "NHI3", "GV.SC-07",
      "Multi-tenant app from an unverified publisher with privileged permissions",
      "A multi-tenant app whose publisher Microsoft has not verified holds privileged "
      "permissions in this directory.",
      "Find out who publishes the app; remove its privileged permissions or the app.",
      "the multi-tenant app: one finding lists every partner that owns it." },
    { "usage-not-granted", AP_SEV_HIGH, "NHI5", "DE.CM-03, PR.AA-05",
      "Partner did what no chain in the inventory carries",
      "Observed use (import --as usage) shows a successful action by an actor the partner acts "
      "as, on a target with rights that no chain of the inventory carries: runtime authority "
      "beyond what was approved, or an inventory that misses a grant. Critical when the target "
      "is restricted or critical. The events are the evidence (file, line, event id).",
      "Find the grant the events used (a policy the inventory missed, a shared role, a "
      "credential outside the record): revoke it, or record and approve it and re-import.",
      "a partner and the target it used beyond its chains" },
    { "granted-never-used", AP_SEV_LOW, "NHI5", "PR.AA-05",
      "Partner right never used in the window",
      "A partner's chains carry rights to a resource or workflow that no observed event of the "
      "actors it acts as used in the window (--since, default 90 days before --at): standing "
      "privilege with no observed need. Only with observed use in the snapshot.",
      "Narrow it: `authpath what-if PARTNER --narrow-to-observed` proposes the smallest "
      "revocations and right reductions that keep every observed action working.",
      "a partner and the target whose carried rights went unused; only partners some event "
      "is attributed to (an actor they act as acted, in the window or before it, or acted "
      "with them as a group): of a partner no event names, the events say nothing" },
    { "attempted-not-granted", AP_SEV_MEDIUM, "NHI3", "DE.CM-03, DE.AE-02",
      "Partner attempted what it is not granted",
      "Observed use shows failed calls (an error code, a denied response) by an actor the "
      "partner acts as, for rights no chain carries: probing, or an integration broken by a "
      "change. Kept apart from use: an attempt is not authority.",
      "Ask the partner what the calls were for; fix the integration or block and watch it.",
      "a partner and the target of its denied attempts" },
};

size_t ap_rule_count(void) { return sizeof rules / sizeof rules[0]; }

const ap_rule *ap_rule_at(size_t i) { return i < ap_rule_count() ? &rules[i] : NULL; }

const ap_rule *ap_rule_find(const char *id)
{
    for (size_t i = 0; id != NULL && i < ap_rule_count(); i++)
        if (strcmp(rules[i].id, id) == 0)
            return &rules[i];
    return NULL;
}
