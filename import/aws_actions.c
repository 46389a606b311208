/* import/aws_actions.c: the actions of the AWS services whose wildcards matter most (IAM, STS,
 * Organizations, Account), so NotAction, Deny and boundaries are computed per action for them. */
#include <string.h>
#include <strings.h>

#include "aws_internal.h"

/* From the IAM Service Authorization Reference (action names only). A service outside this
 * table is handled whole: a wildcard on it that a Deny or boundary only partly covers stays an
 * approximation, counted in the import's notes. */
static const char *const iam[] = {
    "AddClientIDToOpenIDConnectProvider", "AddRoleToInstanceProfile", "AddUserToGroup",
    "AttachGroupPolicy", "AttachRolePolicy", "AttachUserPolicy", "ChangePassword",
    "CreateAccessKey", "CreateAccountAlias", "CreateGroup", "CreateInstanceProfile",
    "CreateLoginProfile", "CreateOpenIDConnectProvider", "CreatePolicy", "CreatePolicyVersion",
    "CreateRole", "CreateSAMLProvider", "CreateServiceLinkedRole",
    "CreateServiceSpecificCredential", "CreateUser", "CreateVirtualMFADevice",
    "DeactivateMFADevice", "DeleteAccessKey", "DeleteAccountAlias", "DeleteAccountPasswordPolicy",
    "DeleteCloudFrontPublicKey", "DeleteGroup", "DeleteGroupPolicy", "DeleteInstanceProfile",
    "DeleteLoginProfile", "DeleteOpenIDConnectProvider", "DeletePolicy", "DeletePolicyVersion",
    "DeleteRole", "DeleteRolePermissionsBoundary", "DeleteRolePolicy", "DeleteSAMLProvider",
    "DeleteSSHPublicKey", "DeleteServerCertificate", "DeleteServiceLinkedRole",
    "DeleteServiceSpecificCredential", "DeleteSigningCertificate", "DeleteUser",
    "DeleteUserPermissionsBoundary", "DeleteUserPolicy", "DeleteVirtualMFADevice",
    "DetachGroupPolicy", "DetachRolePolicy", "DetachUserPolicy", "EnableMFADevice",
    "GenerateCredentialReport", "GenerateOrganizationsAccessReport",
    "GenerateServiceLastAccessedDetails", "GetAccessKeyLastUsed",
    "GetAccountAuthorizationDetails", "GetAccountEmailAddress", "GetAccountName",
    "GetAccountPasswordPolicy", "GetAccountSummary", "GetCloudFrontPublicKey",
    "GetContextKeysForCustomPolicy", "GetContextKeysForPrincipalPolicy", "GetCredentialReport",
    "GetGroup", "GetGroupPolicy", "GetInstanceProfile", "GetLoginProfile", "GetMFADevice",
    "GetOpenIDConnectProvider", "GetOrganizationsAccessReport", "GetPolicy", "GetPolicyVersion",
    "GetRole", "GetRolePolicy", "GetSAMLProvider", "GetSSHPublicKey", "GetServerCertificate",
    "GetServiceLastAccessedDetails", "GetServiceLastAccessedDetailsWithEntities",
    "GetServiceLinkedRoleDeletionStatus", "GetUser", "GetUserPolicy", "ListAccessKeys",
    "ListAccountAliases", "ListAttachedGroupPolicies", "ListAttachedRolePolicies",
    "ListAttachedUserPolicies", "ListCloudFrontPublicKeys", "ListEntitiesForPolicy",
    "ListGroupPolicies", "ListGroups", "ListGroupsForUser", "ListInstanceProfileTags",
    "ListInstanceProfiles", "ListInstanceProfilesForRole", "ListMFADeviceTags", "ListMFADevices",
    "ListOpenIDConnectProviderTags", "ListOpenIDConnectProviders", "ListPolicies",
    "ListPoliciesGrantingServiceAccess", "ListPolicyTags", "ListPolicyVersions",
    "ListRolePolicies", "ListRoleTags", "ListRoles", "ListSAMLProviderTags", "ListSAMLProviders",
    "ListSSHPublicKeys", "ListSTSRegionalEndpointsStatus", "ListServerCertificateTags",
    "ListServerCertificates", "ListServiceSpecificCredentials", "ListSigningCertificates",
    "ListUserPolicies", "ListUserTags", "ListUsers", "ListVirtualMFADevices", "PassRole",
    "PutGroupPolicy", "PutRolePermissionsBoundary", "PutRolePolicy",
    "PutUserPermissionsBoundary", "PutUserPolicy", "RemoveClientIDFromOpenIDConnectProvider",
    "RemoveRoleFromInstanceProfile", "RemoveUserFromGroup", "ResetServiceSpecificCredential",
    "ResyncMFADevice", "SetDefaultPolicyVersion", "SetSecurityTokenServicePreferences",
    "SimulateCustomPolicy", "SimulatePrincipalPolicy", "TagInstanceProfile", "TagMFADevice",
    "TagOpenIDConnectProvider", "TagPolicy", "TagRole", "TagSAMLProvider",
    "TagServerCertificate", "TagUser", "UntagInstanceProfile", "UntagMFADevice",
    "UntagOpenIDConnectProvider", "UntagPolicy", "UntagRole", "UntagSAMLProvider",
    "UntagServerCertificate", "UntagUser", "UpdateAccessKey", "UpdateAccountEmailAddress",
    "UpdateAccountName", "UpdateAccountPasswordPolicy", "UpdateAssumeRolePolicy",
    "UpdateCloudFrontPublicKey", "UpdateGroup", "UpdateLoginProfile",
    "UpdateOpenIDConnectProviderThumbprint", "UpdateRole", "UpdateRoleDescription",
    "UpdateSAMLProvider", "UpdateSSHPublicKey", "UpdateServerCertificate",
    "UpdateServiceSpecificCredential", "UpdateSigningCertificate", "UpdateUser",
    "UploadCloudFrontPublicKey", "UploadSSHPublicKey", "UploadServerCertificate",
    "UploadSigningCertificate", NULL,
};

static const char *const sts[] = {
    "AssumeRole", "AssumeRoleWithSAML", "AssumeRoleWithWebIdentity", "DecodeAuthorizationMessage",
    "GetAccessKeyInfo", "GetCallerIdentity", "GetFederationToken", "GetServiceBearerToken",
    "GetSessionToken", "SetSourceIdentity", "TagSession", NULL,
};

static const char *const organizations[] = {
    "AcceptHandshake", "AttachPolicy", "CancelHandshake", "CloseAccount", "CreateAccount",
    "CreateGovCloudAccount", "CreateOrganization", "CreateOrganizationalUnit", "CreatePolicy",
    "DeclineHandshake", "DeleteOrganization", "DeleteOrganizationalUnit", "DeletePolicy",
    "DeleteResourcePolicy", "DeregisterDelegatedAdministrator", "DescribeAccount",
    "DescribeCreateAccountStatus", "DescribeEffectivePolicy", "DescribeHandshake",
    "DescribeOrganization", "DescribeOrganizationalUnit", "DescribePolicy",
    "DescribeResourcePolicy", "DetachPolicy", "DisableAWSServiceAccess", "DisablePolicyType",
    "EnableAWSServiceAccess", "EnableAllFeatures", "EnablePolicyType",
    "InviteAccountToOrganization", "LeaveOrganization", "ListAWSServiceAccessForOrganization",
    "ListAccounts", "ListAccountsForParent", "ListChildren", "ListCreateAccountStatus",
    "ListDelegatedAdministrators", "ListDelegatedServicesForAccount",
    "ListHandshakesForAccount", "ListHandshakesForOrganization",
    "ListOrganizationalUnitsForParent", "ListParents", "ListPolicies", "ListPoliciesForTarget",
    "ListRoots", "ListTagsForResource", "ListTargetsForPolicy", "MoveAccount",
    "PutResourcePolicy", "RegisterDelegatedAdministrator", "RemoveAccountFromOrganization",
    "TagResource", "UntagResource", "UpdateOrganizationalUnit", "UpdatePolicy", NULL,
};

static const char *const account[] = {
    "AcceptPrimaryEmailUpdate", "CloseAccount", "DeleteAlternateContact", "DisableRegion",
    "EnableRegion", "GetAccountInformation", "GetAlternateContact", "GetChallengeQuestions",
    "GetContactInformation", "GetPrimaryEmail", "GetRegionOptStatus", "ListRegions",
    "PutAccountName", "PutAlternateContact", "PutChallengeQuestions", "PutContactInformation",
    "StartPrimaryEmailUpdate", NULL,
};

const ap_aws_service ap_aws__services[] = {
    { "account", account }, { "iam", iam }, { "organizations", organizations }, { "sts", sts },
    { NULL, NULL },
};

const char *const *ap_aws__service_actions(const char *svc)
{
    for (size_t i = 0; ap_aws__services[i].name != NULL; i++)
        if (strcasecmp(ap_aws__services[i].name, svc) == 0)
            return ap_aws__services[i].actions;
    return NULL;
}
