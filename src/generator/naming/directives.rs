//! The SDK's naming directives (`../shared/reference/sdk-generation.md` §3): the global ones of
//! its shared AutoRest configuration and those of the module configurations the note records.
//! A directive selects commands by verb, subject, base variant or operationId (regexes matched
//! case-insensitively, as AutoRest compiles them) and removes them or rewrites verb or subject
//! (every match replaced).

use regex::{Regex, RegexBuilder};
use std::sync::OnceLock;

/// A command as the directives see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cmd {
    pub verb: String,
    pub subject: String,
    pub variant: String,
}

#[derive(Clone, Copy)]
enum Set {
    Remove,
    /// Replacement for the subject pattern (`${1}` syntax).
    Subject(&'static str),
    Verb(&'static str),
    VerbSubject(&'static str, &'static str),
}

/// Where-clauses; `None` matches anything. `operation` is the tweaked operationId.
#[derive(Clone, Copy)]
struct Rule {
    module: Option<&'static str>,
    verb: Option<&'static str>,
    subject: Option<&'static str>,
    variant: Option<&'static str>,
    operation: Option<&'static str>,
    /// For patterns the regex crate cannot say (look-around): a predicate on the subject.
    subject_test: Option<fn(&str) -> bool>,
    set: Set,
}

const ANY: Rule = Rule {
    module: None,
    verb: None,
    subject: None,
    variant: None,
    operation: None,
    subject_test: None,
    set: Set::Remove,
};

fn not_directory_object_extension_property(s: &str) -> bool {
    let l = s.to_ascii_lowercase();
    l.ends_with("availableextensionproperty") && !l.starts_with("directoryobject")
}

/// The rules in application order: global first, then per module.
const RULES: &[Rule] = &[
    // ---- Global (the SDK's shared configuration) ----
    // `delta` is unmapped, so it yields Invoke-MgDelta<X>: make it Get-Mg<X>Delta.
    Rule { verb: Some("^Invoke$"), subject: Some("^(Delta)(.*)$"), set: Set::VerbSubject("Get", "${2}${1}"), ..ANY },
    Rule { verb: Some("^Test$"), variant: Some("^(Check|Verify)(.*)$"), set: Set::Verb("Confirm"), ..ANY },
    Rule { subject: Some("Io(Lob|Managed)"), set: Set::Subject("iOS${1}"), ..ANY },
    Rule { subject: Some("^(Office)(Configuration)(ClientConfiguration.*)$"), set: Set::Subject("${1}${3}"), ..ANY },
    Rule { verb: Some("^Invoke$"), subject: Some("^Link(.*)HasPayload$"), set: Set::Subject("Has${1}PayloadLink"), ..ANY },
    // Any Get noun with `List` followed later by `as` (case-insensitive) loses that `List`.
    Rule { verb: Some("^Get$"), subject: Some("^(.*)List(.*As.*)$"), set: Set::Subject("${1}${2}"), ..ANY },
    Rule { subject: Some("^AdminPerson(.*)$"), set: Set::Subject("AdminPeople${1}"), ..ANY },
    Rule { subject_test: Some(not_directory_object_extension_property), set: Set::Remove, ..ANY },
    // The inherited `restore` of directory objects other than deleted items.
    Rule {
        verb: Some("^Restore$"),
        subject: Some(
            "^(Application|Contact|Contract|Device|DirectoryObject|DirectoryRole|DirectoryRoleTemplate|\
             EntitlementManagementConnectedOrganizationInternalSponsor|Group|GroupPermissionGrant|Organization|\
             ServicePrincipal|User|UserAuthenticationMicrosoftAuthenticatorMethodDevice|\
             UserAuthenticationWindowHelloForBusinessMethodDevice|AdministrativeUnit|ChatPermissionGrant|\
             DirectoryAdministrativeUnit|DirectorySettingTemplate|TeamPermissionGrant|\
             UserAuthenticationPasswordlessMicrosoftAuthenticatorMethodDevice|UserChatPermissionGrant|UserDevice)$",
        ),
        set: Set::Remove,
        ..ANY
    },
    // The preposition placeholders of §0 step 3 (the last occurrence after a letter).
    Rule { subject: Some(r"^(\w*[a-z])GraphBPre(\w*)$"), set: Set::Subject("${1}By${2}"), ..ANY },
    Rule { subject: Some(r"^(\w*[a-z])GraphWPre(\w*)$"), set: Set::Subject("${1}With${2}"), ..ANY },
    Rule { subject: Some(r"^(\w*[a-z])GraphAPre(\w*)$"), set: Set::Subject("${1}At${2}"), ..ANY },
    Rule { subject: Some(r"^(\w*[a-z])GraphFPre(\w*)$"), set: Set::Subject("${1}For${2}"), ..ANY },
    Rule { subject: Some(r"^(\w*[a-z])GraphOPre(\w*)$"), set: Set::Subject("${1}Of${2}"), ..ANY },
    // Words the noun singularization cut.
    Rule { subject: Some("Window((?-i:[^s])|$)"), set: Set::Subject("Windows${1}"), ..ANY },
    Rule { subject: Some("TermOfUse"), set: Set::Subject("TermsOfUse"), ..ANY },
    Rule { subject: Some("MethodSm((?-i:[^s])|$)"), set: Set::Subject("MethodSms${1}"), ..ANY },
    Rule { subject: Some("PassiveDn((?-i:[^s])|$)"), set: Set::Subject("PassiveDns${1}"), ..ANY },
    Rule { subject: Some("UsageRight((?-i:[^s])|$)"), set: Set::Subject("UsageRights${1}"), ..ANY },
    Rule {
        verb: Some("^(New|Remove|Update|Get)$"),
        subject: Some("^(.*)(IdentityGovernance)TermsOfUse$"),
        set: Set::Remove,
        ..ANY
    },
    Rule {
        verb: Some("^Clear$"),
        subject: Some("^UserManagedAppRegistrationByDeviceTag$"),
        variant: Some("^Wipe1?$"),
        set: Set::Remove,
        ..ANY
    },
    // `replyAll` and `createReplyAll` lose their `All` to the verb inference (step 1 drops the
    // word) and become numbered sets of the `reply` cmdlets; the SDK renames them back
    // (Users.Actions directive: Reply/createReply `...1` variants -> `ReplyAll...`/`...ReplyAll`),
    // which names Invoke-MgReplyAllUserMessage and New-MgUserMessageReplyAll in every module the
    // mail actions have moved to. Matched by operation, so the order of the two operations does
    // not matter.
    Rule { verb: Some("^Invoke$"), subject: Some("^Reply(.*)$"), operation: Some("_replyAll$"), set: Set::Subject("ReplyAll${1}"), ..ANY },
    Rule { verb: Some("^New$"), subject: Some("^(.*)Reply$"), operation: Some("_createReplyAll$"), set: Set::Subject("${1}ReplyAll"), ..ANY },
    // ---- Users ----
    Rule { module: Some("Users"), verb: Some("^Get$"), subject: Some("^UserTodo$"), variant: Some("^List$"), set: Set::Subject("UserTodoList"), ..ANY },
    Rule { module: Some("Users"), verb: Some("^New$"), subject: Some("^UserLicenseDetail$"), set: Set::Remove, ..ANY },
    Rule { module: Some("Users"), operation: Some("^user_[a-z]*(Todo|Outlook)$"), set: Set::Remove, ..ANY },
    // ---- Users.Actions ----
    Rule { module: Some("Users.Actions"), verb: Some("^Remove$"), subject: Some("^UserDeviceFromManagement$"), set: Set::Subject("AllUserDeviceFromManagement"), ..ANY },
    Rule { module: Some("Users.Actions"), verb: Some("^Invoke$"), subject: Some("^InvalidateUserRefreshToken$"), set: Set::Subject("InvalidateAllUserRefreshToken"), ..ANY },
    Rule { module: Some("Users.Actions"), verb: Some("^Get$"), subject: Some("^UserOwnedObject$"), set: Set::Subject("UserOwnedObjectByType"), ..ANY },
    Rule { module: Some("Users.Actions"), verb: Some("^Get$"), subject: Some("^UserOnlineMeeting$"), set: Set::Remove, ..ANY },
    Rule { module: Some("Users.Actions"), verb: Some("^New$"), subject: Some("^UserOnlineMeeting$"), set: Set::VerbSubject("Invoke", "CreateOrGetUserOnlineMeeting"), ..ANY },
    Rule { module: Some("Users.Actions"), verb: Some("^Rename$"), subject: Some("^UserPassword$"), set: Set::Verb("Update"), ..ANY },
    // ---- Users.Functions ----
    Rule { module: Some("Users.Functions"), verb: Some("^Get$"), subject: Some("^UserOnenoteNotebookRecentNotebook$"), set: Set::Subject("UserOnenoteRecentNotebook"), ..ANY },
    Rule { module: Some("Users.Functions"), verb: Some("^Get$"), subject: Some("^UserChatMessage$"), set: Set::Subject("AllUserChatMessage"), ..ANY },
    // ---- Groups ----
    Rule { module: Some("Groups"), operation: Some("^group_Delete(AcceptedSender|Member|Owner|RejectedSender)GraphBPreRef$"), set: Set::Remove, ..ANY },
    Rule { module: Some("Groups"), verb: Some("^Get$"), subject: Some("^GroupLifecyclePolicy$"), variant: Some("^List$"), set: Set::Subject("GroupLifecyclePolicyByGroup"), ..ANY },
    Rule { module: Some("Groups"), subject: Some("(GroupLifecyclePolicy)+"), set: Set::Subject("GroupLifecyclePolicy"), ..ANY },
    Rule { module: Some("Groups"), verb: Some("^Add$"), subject: Some("^GroupLifecyclePolicyGroup$"), set: Set::Subject("GroupToLifecyclePolicy"), ..ANY },
    Rule { module: Some("Groups"), verb: Some("^Remove$"), subject: Some("^GroupLifecyclePolicyGroup$"), set: Set::Subject("GroupFromLifecyclePolicy"), ..ANY },
    Rule { module: Some("Groups"), verb: Some("^Invoke$"), subject: Some("^RenewGroupLifecyclePolicyGroup$"), set: Set::Subject("RenewGroupLifecyclePolicy"), ..ANY },
    Rule { module: Some("Groups"), verb: Some("^Test$"), subject: Some("^GroupDynamicMembership$"), variant: Some("^Evaluate1$"), set: Set::Subject("GroupDynamicMembershipRule"), ..ANY },
    Rule { module: Some("Groups"), verb: Some("^Update$"), subject: Some("^GroupPhoto$"), set: Set::Remove, ..ANY },
    // ---- Applications ----
    Rule { module: Some("Applications"), subject: Some("^(ServicePrincipal)FederatedIdentityCredential.*$"), set: Set::Remove, ..ANY },
    Rule { module: Some("Applications"), subject: Some("(OnPremisePublishingProfile)+"), set: Set::Subject("OnPremisePublishingProfile"), ..ANY },
    Rule { module: Some("Applications"), operation: Some("^application_Delete(Owner|AppManagementPolicy|TokenIssuancePolicy|TokenLifetimePolicy)GraphBPreRef$"), set: Set::Remove, ..ANY },
    Rule { module: Some("Applications"), operation: Some("^servicePrincipal_Delete(ClaimsMappingPolicy|HomeRealmDiscoveryPolicy|Owner)GraphBPreRef$"), set: Set::Remove, ..ANY },
    // ---- Identity.SignIns ----
    Rule { module: Some("Identity.SignIns"), subject: Some("(Oauth2PermissionGrant)+"), set: Set::Subject("Oauth2PermissionGrant"), ..ANY },
    Rule { module: Some("Identity.SignIns"), subject: Some("(DataPolicyOperation)+"), set: Set::Subject("DataPolicyOperation"), ..ANY },
    Rule { module: Some("Identity.SignIns"), subject: Some("IdentityProtection"), set: Set::Subject(""), ..ANY },
    Rule { module: Some("Identity.SignIns"), subject: Some("^UserAuthentication$"), set: Set::Remove, ..ANY },
    Rule { module: Some("Identity.SignIns"), subject: Some("^InformationProtectionSensitivity(Label|LabelSublabel)$"), set: Set::Remove, ..ANY },
    Rule { module: Some("Identity.SignIns"), verb: Some("^(New|Update)$"), subject: Some("^UserAuthenticationPasswordMethod$"), set: Set::Remove, ..ANY },
    // ---- Identity.DirectoryManagement ----
    Rule { module: Some("Identity.DirectoryManagement"), verb: Some("^Get$"), subject: Some("^DirectoryDeletedItem$"), variant: Some("^List$"), set: Set::Remove, ..ANY },
    Rule { module: Some("Identity.DirectoryManagement"), verb: Some("^Get$"), subject: Some("^DirectoryDeletedItemCount$"), set: Set::Remove, ..ANY },
    Rule { module: Some("Identity.DirectoryManagement"), verb: Some("^Get$"), subject: Some("^DirectoryDeletedItemDelta$"), set: Set::Remove, ..ANY },
    Rule { module: Some("Identity.DirectoryManagement"), subject: Some("(DirectorySettingTemplate|DirectoryRoleTemplate)+"), set: Set::Subject("${1}"), ..ANY },
    Rule { module: Some("Identity.DirectoryManagement"), subject: Some("ContactOrgContact"), set: Set::Subject("Contact"), ..ANY },
    Rule { module: Some("Identity.DirectoryManagement"), subject: Some("SettingDirectorySetting"), set: Set::Subject("DirectorySetting"), ..ANY },
    Rule { module: Some("Identity.DirectoryManagement"), operation: Some("^device_DeleteRegistered(Owner|User)GraphBPreRef$"), set: Set::Remove, ..ANY },
    Rule { module: Some("Identity.DirectoryManagement"), operation: Some("^directory.administrativeUnit_DeleteMemberGraphBPreRef$"), set: Set::Remove, ..ANY },
    Rule { module: Some("Identity.DirectoryManagement"), operation: Some("^directoryRole_DeleteMemberGraphBPreRef$"), set: Set::Remove, ..ANY },
    // ---- Identity.Governance ----
    // The last directive of the module: entitlement management loses its `IdentityGovernance`
    // (`/identityGovernance/entitlementManagement/...` -> Get-MgEntitlementManagementAccessPackage).
    Rule { module: Some("Identity.Governance"), subject: Some("^(.*)(IdentityGovernance)(EntitlementManagement)(.*)$"), set: Set::Subject("${1}${3}${4}"), ..ANY },
    // ---- Devices.ServiceAnnouncement ----
    // "Drop admin from command names": `/admin/serviceAnnouncement/...` ->
    // Get-MgServiceAnnouncementHealthOverview.
    Rule { module: Some("Devices.ServiceAnnouncement"), subject: Some("^(.*)AdminServiceAnnouncement(.*)$"), set: Set::Subject("${1}ServiceAnnouncement${2}"), ..ANY },
    // ---- Bookings ----
    // Every noun under `/solutions/` of the module drops `Solution` (Get-MgBookingBusiness,
    // Get-MgVirtualEventWebinar); BackupRestore, which has no such directive, keeps it
    // (Get-MgSolutionBackupRestore).
    Rule { module: Some("Bookings"), subject: Some("^Solution(.+)$"), set: Set::Subject("${1}"), ..ANY },
    // ---- Identity.Governance (src/Identity.Governance/Identity.Governance.md) ----
    // remove-path-by-operation: the lifecycle workflows container, so Get-Mg...LifecycleWorkflow
    // lists and gets workflows (its sets List, Get, as the SDK's reference shows).
    Rule { module: Some("Identity.Governance"), operation: Some("^identityGovernance_.*LifecycleWorkflow$"), set: Set::Remove, ..ANY },
    Rule { module: Some("Identity.Governance"), verb: Some("^(Get|Update)$"), subject: Some("^(.*)(IdentityGovernance)$"), set: Set::Remove, ..ANY },
    Rule { module: Some("Identity.Governance"), verb: Some("^(Get|Remove|Update)$"), subject: Some("^(.*)(IdentityGovernance)AccessReview$"), set: Set::Remove, ..ANY },
    Rule { module: Some("Identity.Governance"), verb: Some("^(New|Remove|Update|Get|Invoke)$"), subject: Some("^(.*)(IdentityGovernance)AppConsent$"), set: Set::Remove, ..ANY },
    Rule { module: Some("Identity.Governance"), verb: Some("^Remove$"), subject: Some("^(.*)(EntitlementManagement)Setting$"), set: Set::Remove, ..ANY },
    // ---- Files (src/Files/Files.md) ----
    // The single-valued `drive` of a user or group: Get-MgUserDefaultDrive, Get-MgGroupDefaultDrive.
    Rule { module: Some("Files"), verb: Some("^Get$"), subject: Some("^(Group|User)(Drive)$"), variant: Some("^(Get|GetViaIdentity)$"), set: Set::Subject("${1}Default${2}"), ..ANY },
    // ---- Sites (src/Sites/Sites.md) ----
    Rule { module: Some("Sites"), verb: Some("^(Remove|New)$"), subject: Some("^Site$"), set: Set::Remove, ..ANY },
    Rule { module: Some("Sites"), verb: Some("^Get$"), subject: Some("^(Group|Site|GroupSite)(Drive)$"), variant: Some("^(Get|GetViaIdentity)$"), set: Set::Subject("${1}Default${2}"), ..ANY },
    // The collections of a site that the SDK ships under their own names: its lists
    // (Get-MgSiteList -SiteId, whose `ListLists` operation otherwise collapses into Get-MgSite),
    // its subsites (the directive's `List1`, numbered `List2` here because the lists come first)
    // and getAllSites (Get-MgAllSite). Without them `Get-MgSite -SiteId` matched three sets.
    Rule { module: Some("Sites"), verb: Some("^Get$"), subject: Some("^(Site|GroupSite)$"), operation: Some("_ListList$"), set: Set::Subject("${1}List"), ..ANY },
    Rule { module: Some("Sites"), verb: Some("^Get$"), subject: Some("^(Site|GroupSite)$"), operation: Some("_getAllSite$"), set: Set::Subject("All${1}"), ..ANY },
    Rule { module: Some("Sites"), verb: Some("^Get$"), subject: Some("^(Group)?Site$"), variant: Some("^List2$"), set: Set::Subject("${1}SubSite"), ..ANY },
    // ---- Calendar (src/Calendar/Calendar.md) ----
    // A user's default calendar and its events: Get-MgUserDefaultCalendar,
    // Get-MgUserDefaultCalendarEvent, New-MgUserDefaultCalendarEvent.
    Rule { module: Some("Calendar"), verb: Some("^Get$"), subject: Some("^(User)(Calendar)$"), variant: Some("^(Get|GetViaIdentity)$"), set: Set::Subject("${1}Default${2}"), ..ANY },
    Rule { module: Some("Calendar"), subject: Some("^(User)(CalendarEvent)$"), variant: Some("^(List|Create|CreateExpanded|CreateViaIdentity|CreateViaIdentityExpanded)$"), set: Set::Subject("${1}Default${2}"), ..ANY },
    Rule { module: Some("Calendar"), verb: Some("^Get$"), subject: Some("^UserCalendarSchedule$"), set: Set::Remove, ..ANY },
    Rule {
        module: Some("Calendar"),
        verb: Some("^Invoke$"),
        subject: Some("^(AcceptUserCalendarEventInstance|AcceptUserCalendarView|DeclineUserCalendarEvent|DeclineUserCalendarViewInstance|ForwardUserCalendarEventInstance|ForwardUserCalendarView)$"),
        set: Set::Remove,
        ..ANY
    },
    Rule { module: Some("Calendar"), verb: Some("^Get$"), subject: Some("^UserCalendarEventDelta$"), set: Set::Remove, ..ANY },
    // ---- Teams (src/Teams/Teams.md) ----
    Rule { module: Some("Teams"), operation: Some("^(team_GetGroup|user\\.joinedTeam.*|user_(Get|Update|Delete|Create)JoinedTeam|.*_UpdateInstalledApp)$"), set: Set::Remove, ..ANY },
    Rule { module: Some("Teams"), verb: Some("^Remove$"), subject: Some("^(Chat|TeamChannel|TeamPrimaryChannel)Message$"), set: Set::Remove, ..ANY },
    Rule { module: Some("Teams"), verb: Some("^Remove$"), subject: Some("^(Chat|TeamChannel|TeamPrimaryChannel)MessageReply$"), set: Set::Remove, ..ANY },
    Rule { module: Some("Teams"), verb: Some("^(Remove|Update)$"), subject: Some("^(Chat|TeamChannel|TeamPrimaryChannel)MessageHostedContent$"), set: Set::Remove, ..ANY },
    Rule { module: Some("Teams"), subject: Some("^(.*)TeamworkTeamTemplateDefinitionTeamDefinition([A-Z]*)$"), set: Set::Remove, ..ANY },
    // A team's `allChannels` (and messages across channels) are Get-MgAllTeamChannel,
    // Get-MgAllTeamMessage; Get-MgTeamChannel keeps `channels` (its sets List1, Get1).
    Rule { module: Some("Teams"), verb: Some("^Get$"), subject: Some("^(TeamMessage|TeamworkDeletedTeamMessage)$"), set: Set::Subject("All${1}"), ..ANY },
    Rule { module: Some("Teams"), verb: Some("^Get$"), subject: Some("^(TeamChannel|GroupTeamChannel)$"), variant: Some("^(Get|GetViaIdentity|List)$"), set: Set::Subject("All${1}"), ..ANY },
    Rule { module: Some("Teams"), verb: Some("^Get$"), subject: Some("^(Team|GroupTeam)All(ChannelCount)$"), set: Set::Subject("All${1}${2}"), ..ANY },
    // ---- Reports (src/Reports/Reports.md) ----
    Rule { module: Some("Reports"), verb: Some("^Get$"), subject: Some("^ReportTenantSecureScore$"), set: Set::Remove, ..ANY },
    Rule { module: Some("Reports"), verb: Some("^Invoke$"), subject: Some("^TopReport$"), set: Set::VerbSubject("Get", "ReportManagedDeviceEnrollmentTopFailures"), ..ANY },
    Rule { module: Some("Reports"), verb: Some("^Invoke$"), subject: Some("^(Device|Detail)Report(.*)$"), set: Set::VerbSubject("Get", "Report${1}${2}"), ..ANY },
    Rule { module: Some("Reports"), verb: Some("^Invoke$"), subject: Some("^(Managed)Report(.*)$"), set: Set::VerbSubject("Get", "Report${1}${2}"), ..ANY },
    Rule { module: Some("Reports"), subject: Some("^(ReportApplicationSign)$"), set: Set::Subject("${1}InDetailedSummary"), ..ANY },
    Rule { module: Some("Reports"), subject: Some("^(ReportAzureAdApplicationSign)$"), set: Set::Subject("${1}InSummary"), ..ANY },
    // ---- Mail (src/Mail/Mail.md) ----
    Rule { module: Some("Mail"), verb: Some("^Get$"), subject: Some("^UserMailFolderMessageContent$"), set: Set::Remove, ..ANY },
    // ---- Security (src/Security/Security.md) ----
    Rule { module: Some("Security"), verb: Some("^(Get|Update)$"), subject: Some("^Security$"), set: Set::Remove, ..ANY },
    Rule { module: Some("Security"), verb: Some("^Update$"), subject: Some("^SecurityAttackSimulation$"), set: Set::Remove, ..ANY },
    // ---- DeviceManagement (src/DeviceManagement/DeviceManagement.md) ----
    Rule { module: Some("DeviceManagement"), verb: Some("^New$"), subject: Some("^DeviceManagement(Managed|Comanaged)DeviceLogCollectionRequest$"), set: Set::Remove, ..ANY },
    Rule { module: Some("DeviceManagement"), verb: Some("^Update$"), subject: Some("^DeviceManagementComanagedDevice$"), set: Set::Remove, ..ANY },
];

/// Whether a directive removes the operation itself (the SDK's `remove-path-by-operation`: a
/// rule on the operationId alone), which happens before AutoRest names and numbers commands,
/// so the operation takes no variant number from the others.
pub fn removes_operation(module: &str, operation_id: &str) -> bool {
    compiled().iter().any(|c| {
        let r = &c.rule;
        matches!(r.set, Set::Remove)
            && r.module.map_or(true, |m| m == module)
            && c.verb.is_none()
            && c.subject.is_none()
            && c.variant.is_none()
            && r.subject_test.is_none()
            && c.operation
                .as_ref()
                .is_some_and(|re| re.is_match(operation_id))
    })
}

struct Compiled {
    rule: Rule,
    verb: Option<Regex>,
    subject: Option<Regex>,
    variant: Option<Regex>,
    operation: Option<Regex>,
}

fn re(p: &str) -> Regex {
    // The patterns are constants of this file, all compiled by the unit test below.
    RegexBuilder::new(p)
        .case_insensitive(true)
        .build()
        .unwrap_or_else(|e| panic!("directive pattern {p}: {e}"))
}

fn compiled() -> &'static [Compiled] {
    static SET: OnceLock<Vec<Compiled>> = OnceLock::new();
    SET.get_or_init(|| {
        RULES
            .iter()
            .map(|r| Compiled {
                rule: *r,
                verb: r.verb.map(re),
                subject: r.subject.map(re),
                variant: r.variant.map(re),
                operation: r.operation.map(re),
            })
            .collect()
    })
}

/// Applies the global directives and those of `module` (the key after `Microsoft.Graph.`) to a
/// command of operation `operation_id`; `None` when a directive removes it.
pub fn apply(module: &str, operation_id: &str, mut cmd: Cmd) -> Option<Cmd> {
    for c in compiled() {
        let r = &c.rule;
        if r.module.is_some_and(|m| m != module)
            || c.verb.as_ref().is_some_and(|re| !re.is_match(&cmd.verb))
            || c.subject
                .as_ref()
                .is_some_and(|re| !re.is_match(&cmd.subject))
            || c.variant
                .as_ref()
                .is_some_and(|re| !re.is_match(&cmd.variant))
            || c.operation
                .as_ref()
                .is_some_and(|re| !re.is_match(operation_id))
            || r.subject_test.is_some_and(|t| !t(&cmd.subject))
        {
            continue;
        }
        match r.set {
            Set::Remove => return None,
            Set::Verb(v) => cmd.verb = v.to_string(),
            Set::Subject(s) => cmd.subject = replace(c, &cmd.subject, s),
            Set::VerbSubject(v, s) => {
                cmd.verb = v.to_string();
                cmd.subject = replace(c, &cmd.subject, s);
            }
        }
    }
    Some(cmd)
}

fn replace(c: &Compiled, subject: &str, with: &str) -> String {
    match &c.subject {
        Some(re) => re.replace_all(subject, with).into_owned(),
        None => with.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmd(verb: &str, subject: &str, variant: &str) -> Cmd {
        Cmd {
            verb: verb.into(),
            subject: subject.into(),
            variant: variant.into(),
        }
    }

    #[test]
    fn all_patterns_compile_and_apply() {
        assert_eq!(compiled().len(), RULES.len());
        let out = |m: &str, c: Cmd| apply(m, "x_Y", c).map(|c| format!("{}-{}", c.verb, c.subject));
        assert_eq!(
            out("Users", cmd("Invoke", "DeltaUser", "Delta")).as_deref(),
            Some("Get-UserDelta")
        );
        assert_eq!(
            out("Users", cmd("Get", "UserTodoListTask", "List")).as_deref(),
            Some("Get-UserTodoTask")
        );
        assert_eq!(
            out("Users", cmd("New", "UserTodoListTask", "Create")).as_deref(),
            Some("New-UserTodoListTask")
        );
        assert_eq!(
            out("Users", cmd("Get", "UserSettingWindow", "Get")).as_deref(),
            Some("Get-UserSettingWindows")
        );
        assert_eq!(
            out(
                "Users",
                cmd(
                    "Get",
                    "GroupSiteGetGraphBPrePathActivityGraphBPreInterval",
                    "Get"
                )
            )
            .as_deref(),
            Some("Get-GroupSiteGetGraphBPrePathActivityByInterval")
        );
        assert_eq!(out("Users", cmd("Restore", "User", "Restore")), None);
        assert_eq!(
            out("Users", cmd("Get", "UserAvailableExtensionProperty", "Get")),
            None
        );
        assert!(out(
            "Users",
            cmd("Get", "DirectoryObjectAvailableExtensionProperty", "Get")
        )
        .is_some());
        assert_eq!(
            out("Users", cmd("Get", "UserTodo", "List")).as_deref(),
            Some("Get-UserTodoList")
        );
        assert_eq!(
            out(
                "Identity.SignIns",
                cmd("Get", "Oauth2PermissionGrantOauth2PermissionGrant", "List")
            )
            .as_deref(),
            Some("Get-Oauth2PermissionGrant")
        );
    }

    #[test]
    fn module_renames_of_entitlement_management_service_announcement_and_bookings() {
        let out = |m: &str, op: &str, c: Cmd| {
            apply(m, op, c).map(|c| format!("{}-{}", c.verb, c.subject))
        };
        assert_eq!(
            out(
                "Identity.Governance",
                "x_Y",
                cmd(
                    "Get",
                    "IdentityGovernanceEntitlementManagementAccessPackage",
                    "List"
                )
            )
            .as_deref(),
            Some("Get-EntitlementManagementAccessPackage")
        );
        assert_eq!(
            out(
                "Devices.ServiceAnnouncement",
                "x_Y",
                cmd("Get", "AdminServiceAnnouncementHealthOverview", "List")
            )
            .as_deref(),
            Some("Get-ServiceAnnouncementHealthOverview")
        );
        assert_eq!(
            out(
                "Bookings",
                "x_Y",
                cmd("Get", "SolutionBookingBusiness", "List")
            )
            .as_deref(),
            Some("Get-BookingBusiness")
        );
        assert_eq!(
            out(
                "BackupRestore",
                "x_Y",
                cmd("Get", "SolutionBackupRestore", "Get")
            )
            .as_deref(),
            Some("Get-SolutionBackupRestore")
        );
        // Only in their modules.
        assert_eq!(
            out(
                "Users",
                "x_Y",
                cmd("Get", "AdminServiceAnnouncement", "Get")
            )
            .as_deref(),
            Some("Get-AdminServiceAnnouncement")
        );
        assert_eq!(
            out(
                "Mail",
                "user.message_replyAll",
                cmd("Invoke", "ReplyUserMessage", "Reply1")
            )
            .as_deref(),
            Some("Invoke-ReplyAllUserMessage")
        );
        assert_eq!(
            out(
                "Mail",
                "user.message_reply",
                cmd("Invoke", "ReplyUserMessage", "Reply")
            )
            .as_deref(),
            Some("Invoke-ReplyUserMessage")
        );
        assert_eq!(
            out(
                "Mail",
                "user.message_createReplyAll",
                cmd("New", "UserMessageReply", "Create1")
            )
            .as_deref(),
            Some("New-UserMessageReplyAll")
        );
    }
}
