//! Cmdlet names from operations (`../shared/reference/sdk-generation.md` §6 and
//! `sdk-naming-notes.md`): table tests on hand-written operations whose raw operationIds follow
//! §2a, and the beta-twin mapping checked on `sdk-cmdlets.tsv`.
#![cfg(feature = "codegen")]

use mggraph::generator::naming::{self, beta_cmdlet, beta_module, Named};
use mggraph::generator::paths::{OpKind, Operation, PathParam};

fn op(method: &'static str, raw_id: &str, tag: &str, kind: OpKind, keys: &[&str]) -> Operation {
    Operation {
        path: String::new(),
        method,
        operation_id: raw_id.to_string(),
        tag: tag.to_string(),
        kind,
        path_params: keys
            .iter()
            .map(|k| PathParam {
                name: format!("{k}-id"),
                key_type: Some(k.to_string()),
            })
            .collect(),
        body: None,
        returns: None,
        query: Vec::new(),
        consistency_level: false,
        custom_query: vec![],
        pageable: false,
        body_schema: None,
        response_schema: None,
    }
}

use OpKind::*;

/// (method, raw operationId, tag, kind, key types, expected cmdlet, expected module, variant).
#[allow(clippy::type_complexity)]
const CASES: &[(&str, &str, &str, OpKind, &[&str], &str, &str, &str)] = &[
    ("GET", "users.user.ListUser", "users.user", List, &[], "Get-MgUser", "Users", "List"),
    ("GET", "users.user.GetUser", "users.user", Get, &["user"], "Get-MgUser", "Users", "Get"),
    ("POST", "users.user.CreateUser", "users.user", Create, &[], "New-MgUser", "Users", "Create"),
    ("PATCH", "users.user.UpdateUser", "users.user", Update, &["user"], "Update-MgUser", "Users", "Update"),
    ("DELETE", "users.user.DeleteUser", "users.user", Delete, &["user"], "Remove-MgUser", "Users", "Delete"),
    ("GET", "users.GetCount-8f3a", "users.user", Count, &[], "Get-MgUserCount", "Users", "Get"),
    ("GET", "users.ListMemberOf", "users.directoryObject", List, &["user"], "Get-MgUserMemberOf", "Users", "List"),
    ("GET", "users.ListMemberOf.AsGroup-2f7d", "users.directoryObject", List, &["user"], "Get-MgUserMemberOfAsGroup", "Users", "List"),
    ("GET", "users.memberOf.GetCount.AsGroup-1b2c", "users.directoryObject", Count, &["user"], "Get-MgUserMemberOfCountAsGroup", "Users", "Get"),
    ("GET", "users.GetRefManager", "users.directoryObject", RefGet, &["user"], "Get-MgUserManagerByRef", "Users", "Get"),
    ("PUT", "users.UpdateRefManager", "users.directoryObject", RefSet, &["user"], "Set-MgUserManagerByRef", "Users", "Set"),
    ("DELETE", "users.DeleteRefManager", "users.directoryObject", RefDelete, &["user"], "Remove-MgUserManagerByRef", "Users", "Delete"),
    ("POST", "groups.CreateRefMembers", "groups.directoryObject", RefCreate, &["group"], "New-MgGroupMemberByRef", "Groups", "Create"),
    ("GET", "groups.ListRefMembers", "groups.directoryObject", RefList, &["group"], "Get-MgGroupMemberByRef", "Groups", "List"),
    ("GET", "groups.ListMembers", "groups.directoryObject", List, &["group"], "Get-MgGroupMember", "Groups", "List"),
    ("GET", "groups.ListOwners", "groups.directoryObject", List, &["group"], "Get-MgGroupOwner", "Groups", "List"),
    ("DELETE", "groups.members.DeleteRefDirectoryObject", "groups.directoryObject", RefDelete, &["group", "directoryObject"], "Remove-MgGroupMemberDirectoryObjectByRef", "Groups", "Delete"),
    ("DELETE", "applications.tokenIssuancePolicies.DeleteRefTokenIssuancePolicy", "applications.tokenIssuancePolicy", RefDelete, &["application", "tokenIssuancePolicy"], "Remove-MgApplicationTokenIssuancePolicyTokenIssuancePolicyByRef", "Applications", "Delete"),
    ("DELETE", "servicePrincipals.claimsMappingPolicies.DeleteRefClaimsMappingPolicy", "servicePrincipals.claimsMappingPolicy", RefDelete, &["servicePrincipal", "claimsMappingPolicy"], "Remove-MgServicePrincipalClaimMappingPolicyClaimMappingPolicyByRef", "Applications", "Delete"),
    ("POST", "users.authentication.CreateTemporaryAccessPassMethods", "users.authentication", Create, &["user"], "New-MgUserAuthenticationTemporaryAccessPassMethod", "Identity.SignIns", "Create"),
    ("GET", "users.authentication.ListWindowsHelloForBusinessMethods", "users.authentication", List, &["user"], "Get-MgUserAuthenticationWindowsHelloForBusinessMethod", "Identity.SignIns", "List"),
    ("POST", "users.user.authentication.phoneMethods.phoneAuthenticationMethod.disableSmsSignIn", "users.authentication", Action, &["user", "phoneAuthenticationMethod"], "Disable-MgUserAuthenticationPhoneMethodSmsSignIn", "Identity.SignIns", "Disable"),
    ("POST", "users.user.authentication.methods.authenticationMethod.resetPassword", "users.authentication", Action, &["user", "authenticationMethod"], "Reset-MgUserAuthenticationMethodPassword", "Identity.SignIns", "Reset"),
    ("POST", "users.user.assignLicense", "users.user.Actions", Action, &["user"], "Set-MgUserLicense", "Users.Actions", "Assign"),
    ("POST", "users.user.revokeSignInSessions", "users.user.Actions", Action, &["user"], "Revoke-MgUserSignInSession", "Users.Actions", "Revoke"),
    ("POST", "users.user.checkMemberGroups", "users.user.Actions", Action, &["user"], "Confirm-MgUserMemberGroup", "Users.Actions", "Check"),
    ("POST", "users.validateProperties", "users.user.Actions", Action, &[], "Test-MgUserProperty", "Users.Actions", "Validate"),
    ("POST", "users.user.changePassword", "users.user.Actions", Action, &["user"], "Update-MgUserPassword", "Users.Actions", "Change"),
    ("POST", "users.user.sendMail", "users.user.Actions", Action, &["user"], "Send-MgUserMail", "Users.Actions", "Send"),
    ("POST", "users.user.exportPersonalData", "users.user.Actions", Action, &["user"], "Export-MgUserPersonalData", "Users.Actions", "Export"),
    ("POST", "users.user.findMeetingTimes", "users.user.Actions", Action, &["user"], "Find-MgUserMeetingTime", "Users.Actions", "Find"),
    ("POST", "users.user.getMailTips", "users.user.Actions", Action, &["user"], "Get-MgUserMailTip", "Users.Actions", "Get"),
    ("POST", "users.user.reprocessLicenseAssignment", "users.user.Actions", Action, &["user"], "Invoke-MgLicenseUser", "Users.Actions", "License"),
    ("POST", "users.user.translateExchangeIds", "users.user.Actions", Action, &["user"], "Invoke-MgTranslateUserExchangeId", "Users.Actions", "Translate"),
    ("POST", "users.getByIds", "users.user.Actions", Action, &[], "Get-MgUserById", "Users.Actions", "Get"),
    ("GET", "users.delta", "users.user.Functions", Function, &[], "Get-MgUserDelta", "Users.Functions", "Delta"),
    ("GET", "users.user.reminderView", "users.user.Functions", Function, &["user"], "Invoke-MgViewUserReminder", "Users.Functions", "View"),
    ("GET", "users.user.getManagedDevicesWithAppFailures", "users.user.Functions", Function, &["user"], "Get-MgUserManagedDeviceWithAppFailure", "Users.Functions", "Get"),
    ("GET", "users.user.GetUserByUserPrincipalName", "users.user", Get, &[], "Get-MgUserByUserPrincipalName", "Users", "Get"),
    ("GET", "users.user.outlook.supportedLanguages", "users.outlookUser", Function, &["user"], "Invoke-MgSupportedUserOutlookLanguage", "Users", "Supported"),
    ("GET", "users.user.outlook.supportedTimeZones-9e8d", "users.outlookUser", Function, &["user"], "Invoke-MgTimeUserOutlook", "Users", "Time"),
    ("POST", "users.user.messages.message.forward", "users.message", Action, &["user", "message"], "Invoke-MgForwardUserMessage", "Mail", "Forward"),
    ("POST", "users.user.messages.message.createReply", "users.message", Action, &["user", "message"], "New-MgUserMessageReply", "Mail", "Create"),
    ("POST", "users.user.messages.message.permanentDelete", "users.message", Action, &["user", "message"], "Remove-MgUserMessagePermanent", "Mail", "Delete"),
    ("POST", "users.user.events.event.tentativelyAccept", "users.event", Action, &["user", "event"], "Invoke-MgAcceptUserEventTentatively", "Calendar", "Accept"),
    ("POST", "users.user.events.event.cancel", "users.event", Action, &["user", "event"], "Stop-MgUserEvent", "Calendar", "Cancel"),
    ("GET", "users.GetPhotoContent-1a2b", "users.profilePhoto", MediaGet, &["user"], "Get-MgUserPhotoContent", "Users", "Get"),
    ("PUT", "users.UpdatePhotoContent-1a2b", "users.profilePhoto", MediaSet, &["user"], "Set-MgUserPhotoContent", "Users", "Set"),
    ("GET", "users.GetMailboxSettings", "users.mailboxSettings", Get, &["user"], "Get-MgUserMailboxSetting", "Users", "Get"),
    ("GET", "users.settings.ListWindows", "users.userSettings", List, &["user"], "Get-MgUserSettingWindows", "Users", "List"),
    ("GET", "users.todo.ListLists", "users.todo", List, &["user"], "Get-MgUserTodoList", "Users", "List"),
    ("GET", "users.todo.lists.ListTasks", "users.todo", List, &["user", "todoTaskList"], "Get-MgUserTodoTask", "Users", "List"),
    ("POST", "users.todo.lists.CreateTasks", "users.todo", Create, &["user", "todoTaskList"], "New-MgUserTodoListTask", "Users", "Create"),
    ("GET", "users.todo.lists.tasks.ListAttachments", "users.todo", List, &["user", "todoTaskList", "todoTask"], "Get-MgUserTodoTaskAttachment", "Users", "List"),
    ("GET", "users.ListOauth2PermissionGrants", "users.oAuth2PermissionGrant", List, &["user"], "Get-MgUserOauth2PermissionGrant", "Users", "List"),
    ("GET", "oauth2PermissionGrants.oAuth2PermissionGrant.ListOAuth2PermissionGrant", "oauth2PermissionGrants.oAuth2PermissionGrant", List, &[], "Get-MgOauth2PermissionGrant", "Identity.SignIns", "List"),
    ("GET", "directory.ListOnPremisesSynchronization", "directory.onPremisesDirectorySynchronization", List, &[], "Get-MgDirectoryOnPremiseSynchronization", "Identity.DirectoryManagement", "List"),
    ("POST", "domains.domain.forceDelete", "domains.domain.Actions", Action, &["domain"], "Invoke-MgForceDomainDelete", "Identity.DirectoryManagement", "Force"),
    ("POST", "domains.domain.verify", "domains.domain.Actions", Action, &["domain"], "Confirm-MgDomain", "Identity.DirectoryManagement", "Verify"),
    ("DELETE", "domains.DeleteVerificationDnsRecords", "domains.domainDnsRecord", Delete, &["domain", "domainDnsRecord"], "Remove-MgDomainVerificationDnsRecord", "Identity.DirectoryManagement", "Delete"),
    ("POST", "directoryRoleTemplates.validateProperties", "directoryRoleTemplates.directoryRoleTemplate.Actions", Action, &[], "Test-MgDirectoryRoleTemplateProperty", "Identity.DirectoryManagement", "Validate"),
    ("POST", "directory.deletedItems.directoryObject.restore", "directory.directoryObject", Action, &["directoryObject"], "Restore-MgDirectoryDeletedItem", "Identity.DirectoryManagement", "Restore"),
    ("GET", "organization.GetBranding", "organization.organizationalBranding", Get, &["organization"], "Get-MgOrganizationBranding", "Identity.DirectoryManagement", "Get"),
    ("PUT", "organization.branding.localizations.UpdateBannerLogo-5c1f", "organization.organizationalBranding", MediaSet, &["organization", "organizationalBrandingLocalization"], "Set-MgOrganizationBrandingLocalizationBannerLogo", "Identity.DirectoryManagement", "Set"),
    ("POST", "applications.application.unsetVerifiedPublisher", "applications.application.Actions", Action, &["application"], "Clear-MgApplicationVerifiedPublisher", "Applications", "Unset"),
    ("POST", "applications.application.addPassword", "applications.application.Actions", Action, &["application"], "Add-MgApplicationPassword", "Applications", "Add"),
    ("GET", "applications.federatedIdentityCredentials.GetByName", "applications.federatedIdentityCredential", Get, &["application"], "Get-MgApplicationFederatedIdentityCredentialByName", "Applications", "Get"),
    ("GET", "applications.application.GetApplicationByAppId", "applications.application", Get, &[], "Get-MgApplicationByAppId", "Applications", "Get"),
    ("GET", "applications.GetCreatedOnBehalfOf", "applications.directoryObject", Get, &["application"], "Get-MgApplicationCreatedOnBehalfOf", "Applications", "Get"),
    ("POST", "servicePrincipals.servicePrincipal.synchronization.templates.synchronizationTemplate.schema.directories.directoryDefinition.discover", "servicePrincipals.synchronization", Action, &["servicePrincipal", "synchronizationTemplate", "directoryDefinition"], "Find-MgServicePrincipalSynchronizationTemplateSchemaDirectory", "Applications", "Discover"),
    ("GET", "groups.conversations.threads.posts.inReplyTo.ListAttachments", "groups.conversation", List, &["group", "conversation", "conversationThread", "post"], "Get-MgGroupConversationThreadPostInReplyToAttachment", "Groups", "List"),
    ("GET", "auditLogs.ListSignIns", "auditLogs.signIn", List, &[], "Get-MgAuditLogSignIn", "Reports", "List"),
    ("GET", "reports.authenticationMethods.ListUserRegistrationDetails", "reports.authenticationMethodsRoot", List, &[], "Get-MgReportAuthenticationMethodUserRegistrationDetail", "Reports", "List"),
    ("PATCH", "policies.authenticationMethodsPolicy.UpdateAuthenticationMethodConfigurations", "policies.authenticationMethodsPolicy", Update, &["authenticationMethodConfiguration"], "Update-MgPolicyAuthenticationMethodPolicyAuthenticationMethodConfiguration", "Identity.SignIns", "Update"),
    ("GET", "policies.GetAuthorizationPolicy", "policies.authorizationPolicy", Get, &[], "Get-MgPolicyAuthorizationPolicy", "Identity.SignIns", "Get"),
    // `alerts_v2`: the `_v2` is the property's, not AutoRest's group separator.
    ("GET", "security.ListAlerts_v2", "security.alert", List, &[], "Get-MgSecurityAlertV2", "Security", "List"),
    ("GET", "security.GetAlerts_v2", "security.alert", Get, &["alert"], "Get-MgSecurityAlertV2", "Security", "Get"),
    ("PATCH", "security.UpdateAlerts_v2", "security.alert", Update, &["alert"], "Update-MgSecurityAlertV2", "Security", "Update"),
    ("GET", "security.alerts_v2.GetCount-9522", "security.alert", Count, &[], "Get-MgSecurityAlertV2Count", "Security", "Get"),
];

#[test]
fn reference_names_from_hand_written_operations() {
    let mut failures = Vec::new();
    for (method, raw, tag, kind, keys, cmdlet, module, variant) in CASES {
        let got = naming::name(&op(method, raw, tag, *kind, keys));
        let want = Named {
            cmdlet: cmdlet.to_string(),
            module: format!("Microsoft.Graph.{module}"),
            variant: variant.to_string(),
        };
        if got != [want.clone()] {
            failures.push(format!("{raw} ({method}): want {want:?}, got {got:?}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} wrong:\n{}",
        failures.len(),
        CASES.len(),
        failures.join("\n")
    );
}

#[test]
fn operations_outside_every_module_give_no_cmdlet() {
    assert!(naming::name(&op("GET", "me.user.GetUser", "me.user", Get, &[])).is_empty());
}

#[test]
fn removed_by_directives() {
    // Groups: the collection-level member $ref delete is removed in favour of the typed form.
    let del = op(
        "DELETE",
        "groups.DeleteRefMembers",
        "groups.directoryObject",
        RefDelete,
        &["group"],
    );
    assert!(naming::name(&del).is_empty());
    // The inherited `restore` on users is removed; the deleted-items one stays (above).
    let restore = op(
        "POST",
        "users.user.restore",
        "users.user.Actions",
        Action,
        &["user"],
    );
    assert!(naming::name(&restore).is_empty());
}

#[test]
fn repeated_variants_are_numbered_per_module() {
    let a = op(
        "POST",
        "groups.group.evaluateDynamicMembership",
        "groups.group.Actions",
        Action,
        &["group"],
    );
    let b = op(
        "POST",
        "groups.evaluateDynamicMembership",
        "groups.group.Actions",
        Action,
        &[],
    );
    let named = naming::name_all(&[a, b]);
    assert_eq!(named[0][0].cmdlet, "Test-MgGroupDynamicMembership");
    assert_eq!(named[0][0].variant, "Evaluate");
    assert_eq!(named[1][0].cmdlet, "Test-MgGroupDynamicMembershipRule");
    assert_eq!(named[1][0].variant, "Evaluate1");
}

#[test]
fn create_or_get_gives_two_commands() {
    let o = op(
        "POST",
        "users.user.onlineMeetings.createOrGet",
        "users.onlineMeeting",
        Action,
        &["user"],
    );
    let id = mggraph::generator::naming::formatter::operation_id(&o);
    let cmds = mggraph::generator::naming::infer::commands(&id, "POST");
    let names: Vec<String> = cmds
        .iter()
        .map(|c| format!("{}-Mg{}", c.verb, c.subject))
        .collect();
    assert_eq!(
        names,
        ["New-MgUserOnlineMeeting", "Get-MgUserOnlineMeeting"]
    );
}

/// Reads `sdk-cmdlets.tsv` rows (cmdlet, module, api).
pub fn tsv_rows() -> Vec<(String, String, String)> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/reference/sdk-cmdlets.tsv"
    );
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("cmdlet\t"))
        .filter_map(|l| {
            let mut f = l.split('\t');
            Some((
                f.next()?.to_string(),
                f.next()?.to_string(),
                f.next()?.to_string(),
            ))
        })
        .collect()
}

#[test]
fn beta_twins_of_tsv_v1_rows() {
    let rows = tsv_rows();
    let v1: std::collections::HashMap<&str, &str> = rows
        .iter()
        .filter(|r| r.2 == "v1.0")
        .map(|r| (r.0.as_str(), r.1.as_str()))
        .collect();
    let mut checked = 0;
    for (cmdlet, module, api) in &rows {
        if api != "beta" {
            continue;
        }
        // The v1.0 twin: drop `Beta` after `Mg` and after `Microsoft.Graph.`.
        let Some(v1_name) = cmdlet
            .split_once("-MgBeta")
            .map(|(v, n)| format!("{v}-Mg{n}"))
        else {
            continue;
        };
        let Some(v1_module) = v1.get(v1_name.as_str()) else {
            continue;
        };
        if beta_module(v1_module) != *module {
            continue; // moved between modules in beta (e.g. mail actions); not a twin
        }
        assert_eq!(beta_cmdlet(&v1_name), *cmdlet);
        checked += 1;
    }
    println!("beta twins checked: {checked}");
    assert!(checked > 500, "only {checked} beta rows have a v1.0 twin");
    assert_eq!(
        beta_cmdlet("Invoke-MgSupportedUserOutlookLanguage"),
        "Invoke-MgBetaSupportedUserOutlookLanguage"
    );
    assert_eq!(
        beta_module("Microsoft.Graph.Identity.SignIns"),
        "Microsoft.Graph.Beta.Identity.SignIns"
    );
}

/// The whole v1.0 surface, as the catalog generator names it.
fn whole_surface() -> (Vec<Operation>, Vec<Vec<Named>>) {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/reference/graph-metadata/v1.0.csdl.xml"
    );
    let text = std::fs::read_to_string(path).expect("the Graph CSDL is in ../shared");
    let schema = mggraph::generator::csdl::Schema::parse(&text).expect("the CSDL parses");
    let ops = mggraph::generator::paths::operations(&schema).expect("operations");
    let named = naming::name_all(&ops);
    (ops, named)
}

/// The SDK's module mapping must be disjoint (its `FindDuplicateCommand` build check): no
/// operation's tag matches two modules, and no cmdlet name is exported by two modules.
#[test]
fn modules_are_disjoint_and_no_cmdlet_is_exported_twice() {
    use std::collections::{BTreeMap, BTreeSet};
    let (ops, named) = whole_surface();
    let mut overlapping = BTreeSet::new();
    for op in &ops {
        let modules = naming::modules::for_tag(&op.tag);
        if modules.len() > 1 {
            overlapping.insert(format!("{} → {modules:?}", op.tag));
        }
    }
    assert!(
        overlapping.is_empty(),
        "tags matching several modules: {overlapping:#?}"
    );
    // Names compared case-insensitively, as PowerShell resolves them.
    let mut exporters: BTreeMap<String, BTreeSet<&str>> = BTreeMap::new();
    for n in named.iter().flatten() {
        exporters
            .entry(n.cmdlet.to_ascii_lowercase())
            .or_default()
            .insert(&n.module);
    }
    let twice: Vec<_> = exporters.iter().filter(|(_, m)| m.len() > 1).collect();
    assert!(twice.is_empty(), "cmdlets exported twice: {twice:#?}");
    // Every module of the mapping exists and the big ones hold what scripts call.
    let modules: BTreeSet<&str> = named.iter().flatten().map(|n| n.module.as_str()).collect();
    for (module, cmdlet) in [
        (
            "Microsoft.Graph.DeviceManagement",
            "Get-MgDeviceManagementManagedDevice",
        ),
        (
            "Microsoft.Graph.Identity.DirectoryManagement",
            "Get-MgDevice",
        ),
        ("Microsoft.Graph.Teams", "Get-MgTeam"),
        ("Microsoft.Graph.Sites", "Get-MgSite"),
        ("Microsoft.Graph.Planner", "Get-MgPlannerPlan"),
        (
            "Microsoft.Graph.Identity.Governance",
            "Get-MgIdentityGovernanceAccessReviewDefinition",
        ),
        (
            "Microsoft.Graph.Devices.CorporateManagement",
            "Get-MgDeviceAppManagementMobileApp",
        ),
    ] {
        assert!(modules.contains(module), "module {module} is empty");
        assert_eq!(
            exporters.get(&cmdlet.to_ascii_lowercase()),
            Some(&BTreeSet::from([module])),
            "{cmdlet}"
        );
    }
}
