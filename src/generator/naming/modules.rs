//! Which SDK module an operation's tag puts it in (`../shared/reference/sdk-generation.md` §5):
//! each module lists tag patterns, matched unanchored unless a pattern says otherwise, with `.`
//! matching any character as in the SDK's mapping. A tag may match several modules (the SDK
//! keeps its mapping disjoint); a tag that matches none gives no cmdlet.

use regex::Regex;
use std::sync::OnceLock;

/// Module key (after `Microsoft.Graph.`) → its tag patterns, as the SDK's module mapping lists
/// them for the modules whose patterns the reference note records.
const MODULES: &[(&str, &[&str])] = &[
    (
        "Users",
        &[
            "^users.user$",
            "^users.directoryObject$",
            "^users.licenseDetails$",
            "^users.mailboxSettings",
            "^users.notification$",
            "^users.outlookUser$",
            "^users.profilePhoto$",
            "^users.userSettings$",
            "^users.extension$",
            "^users.oAuth2PermissionGrant$",
            "^users.todo$",
            "^users.itemInsights$",
            "^users.servicePrincipal$",
        ],
    ),
    ("Users.Actions", &["^users.*.Actions$"]),
    ("Users.Functions", &["^users.*.Functions$"]),
    (
        "Groups",
        &[
            "^groups.group$",
            "^groups.directoryObject$",
            "^groups.conversation$",
            "^groups.endpoint$",
            "^groups.extension$",
            "^groups.groupLifecyclePolicy$",
            "^groups.resourceSpecificPermissionGrant$",
            "^groups.profilePhoto$",
            "^groups.conversationThread$",
            r"^groupLifecyclePolicies\.",
            "^users.group$",
            "^groups.directorySetting$",
            "^groups.*.Actions$",
            "^groups.*.Functions$",
            r"^groupSettings\.",
            "^groups.groupSetting$",
            r"^groupSettingTemplates\.",
        ],
    ),
    (
        "Applications",
        &[
            r"^applicationTemplates\.",
            r"^applications\.",
            r"^servicePrincipals\.",
            r"^onPremisesPublishingProfiles\.",
            "^users.appRoleAssignment$",
            "^groups.appRoleAssignment$",
        ],
    ),
    (
        "Identity.SignIns",
        &[
            "^organization.certificateBasedAuthConfiguration$",
            r"^invitations\.",
            r"^identityProviders\.",
            r"^oauth2PermissionGrants\.",
            r"^identityProtection\.",
            r"^dataPolicyOperations\.",
            r"^identity\.",
            r"^trustFramework\.",
            r"^informationProtection\.",
            r"^policies\.",
            "^users.authentication$",
            "^users.informationProtection$",
            "^tenantRelationships.multiTenantOrganization$",
        ],
    ),
    (
        "Identity.DirectoryManagement",
        &[
            r"^administrativeUnits\.",
            r"^contacts\.",
            r"^devices\.",
            r"^domains\.",
            r"^directoryRoles\.",
            r"^directoryRoleTemplates\.",
            r"^directorySettingTemplates\.",
            r"^settings\.",
            r"^subscribedSkus\.",
            r"^contracts\.",
            r"^directory\.",
            "^users.scopedRoleMembership$",
            "^organization.(organization|organizationalBranding|organizationSettings|extension)$",
            "^organization.*.Actions$",
            "^tenantRelationships.*.(Actions|Functions)$",
            "admin.peopleAdminSettings$",
            r"^organization\.partnerInformation$",
        ],
    ),
    (
        "Mail",
        &[
            "^users.inferenceClassification$",
            "^users.mailFolder$",
            "^users.message$",
        ],
    ),
    (
        "Calendar",
        &[
            r"^places\.",
            "^users.calendar$",
            "^users.calendarGroup$",
            "^users.event$",
            "^groups.calendar$",
            "^groups.event$",
        ],
    ),
    (
        "Files",
        &[
            r"^drives\.",
            r"^shares\.",
            "^users.drive$",
            "^groups.drive$",
        ],
    ),
    (
        "Reports",
        &[
            r"^reports\.",
            r"^auditLogs\.",
            "^deviceManagement.deviceManagementReports$",
            "^admin.adminReportSetting",
        ],
    ),
    ("ChangeNotifications", &[r"^subscriptions\."]),
    ("Security", &[r"^security\.", "^users.security$"]),
];

fn compiled() -> &'static [(String, Regex)] {
    static SET: OnceLock<Vec<(String, Regex)>> = OnceLock::new();
    SET.get_or_init(|| {
        MODULES
            .iter()
            .map(|(key, patterns)| {
                let alternation = patterns.join("|");
                // The patterns are constants of this file, checked by the unit test below.
                let re = Regex::new(&alternation).unwrap_or_else(|e| panic!("module {key}: {e}"));
                (format!("Microsoft.Graph.{key}"), re)
            })
            .collect()
    })
}

/// The modules (`Microsoft.Graph.Users`, ...) whose patterns match `tag`.
pub fn for_tag(tag: &str) -> Vec<&'static str> {
    compiled()
        .iter()
        .filter(|(_, re)| re.is_match(tag))
        .map(|(name, _)| name.as_str())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_to_modules() {
        assert_eq!(for_tag("users.user"), ["Microsoft.Graph.Users"]);
        assert_eq!(
            for_tag("users.user.Actions"),
            ["Microsoft.Graph.Users.Actions"]
        );
        assert_eq!(for_tag("users.message"), ["Microsoft.Graph.Mail"]);
        assert_eq!(
            for_tag("users.authentication"),
            ["Microsoft.Graph.Identity.SignIns"]
        );
        assert_eq!(
            for_tag("users.appRoleAssignment"),
            ["Microsoft.Graph.Applications"]
        );
        assert_eq!(
            for_tag("groups.group.Functions"),
            ["Microsoft.Graph.Groups"]
        );
        assert_eq!(
            for_tag("organization.organization"),
            ["Microsoft.Graph.Identity.DirectoryManagement"]
        );
        assert!(for_tag("me.user").is_empty());
    }
}
