//! Who may do what: the sandbox checks every Graph request (hand-written handlers and the
//! generic store alike, and each step of a `$batch`) against the permissions Microsoft documents
//! for it ([`crate::catalog::permissions`], compiled from Microsoft's permission map), as Graph
//! does:
//!
//! - **An app's token** (`roles`): one of its roles must grant the method on the path for the
//!   `Application` scheme.
//! - **A user's token** (`scp`): one of its scopes must grant it for the `DelegatedWork` scheme,
//!   *and* the signed-in user must be allowed to do it: delegated access is the intersection of
//!   what the app was consented and what the user may do ([`user_may`]). A request on the
//!   caller's own object (`/me/...`, or `/users/{own id}/...` where the map documents the `/me`
//!   form) is judged as Graph's `/me` path, by the token's scopes alone (self-service).
//!
//! Refusals are Graph's 403: `Authorization_RequestDenied`, "Insufficient privileges to complete
//! the operation." Paths Microsoft's map does not document follow the rule of
//! [`crate::catalog::permissions`] (their nearest documented ancestor, else `Directory.*`).
//!
//! Consent at sign-in lives here too ([`consent`]): a user who holds no role that may grant
//! tenant-wide consent cannot consent to a permission whose `DelegatedWork` scheme requires an
//! administrator's consent.

use crate::catalog::permissions::{self, Requirement, Scheme};
use crate::sandbox::state::Tenant;
use crate::sandbox::tokens::Principal;

/// Directory roles that may grant tenant-wide (admin) consent to delegated permissions
/// (Microsoft Entra: "Grant tenant-wide admin consent to an application" names these roles).
pub const CONSENT_ROLES: &[&str] = &[
    "Global Administrator",
    "Privileged Role Administrator",
    "Cloud Application Administrator",
    "Application Administrator",
];

/// What each built-in directory role lets its holders do through delegated permissions, as
/// patterns over permission names (`*` at the end matches any rest; `<read>` is every
/// read-only permission). Holders of none of these still have the default user permissions
/// ([`MEMBER_READS`] and every permission a user may consent to alone).
pub const ROLE_PERMISSIONS: &[(&str, &[&str])] = &[
    ("Global Administrator", &["*"]),
    ("Global Reader", &["<read>"]),
    (
        "Privileged Role Administrator",
        &[
            "RoleManagement.*",
            "RoleAssignmentSchedule.*",
            "RoleEligibilitySchedule.*",
            "RoleManagementPolicy.*",
            "PrivilegedAccess.*",
            "PrivilegedAssignmentSchedule.*",
            "PrivilegedEligibilitySchedule.*",
            "AppRoleAssignment.*",
            "DelegatedPermissionGrant.*",
            "Policy.ReadWrite.PermissionGrant",
            "Directory.Read.All",
        ],
    ),
    (
        "User Administrator",
        &[
            "User.*",
            "User-*",
            "Group.*",
            "GroupMember.*",
            "Directory.Read.All",
            "Organization.Read.All",
            "LicenseAssignment.*",
        ],
    ),
    (
        "Helpdesk Administrator",
        &[
            "User.Read*",
            "User-PasswordProfile.*",
            "User.RevokeSessions.All",
            "Group.Read*",
            "GroupMember.Read*",
            "Device.Read.All",
            "BitlockerKey.*",
            "Directory.Read.All",
        ],
    ),
    (
        "Groups Administrator",
        &["Group.*", "GroupMember.*", "Directory.Read.All"],
    ),
    (
        "Authentication Administrator",
        &[
            "UserAuthenticationMethod.*",
            "UserAuthMethod-*",
            "User.Read*",
            "User.RevokeSessions.All",
            "Directory.Read.All",
        ],
    ),
    (
        "Privileged Authentication Administrator",
        &[
            "UserAuthenticationMethod.*",
            "UserAuthMethod-*",
            "User.Read*",
            "User.RevokeSessions.All",
            "Directory.Read.All",
        ],
    ),
    (
        "Authentication Policy Administrator",
        &[
            "Policy.Read.All",
            "Policy.Read.AuthenticationMethod",
            "Policy.ReadWrite.AuthenticationMethod",
            "Policy.ReadWrite.AuthenticationFlows",
        ],
    ),
    (
        "Conditional Access Administrator",
        &[
            "Policy.Read.All",
            "Policy.Read.ConditionalAccess",
            "Policy.ReadWrite.ConditionalAccess",
            "Application.Read.All",
            "Directory.Read.All",
        ],
    ),
    (
        "Security Administrator",
        &[
            "Policy.*",
            "Security*",
            "IdentityRisk*",
            "ThreatHunting.*",
            "ThreatIndicators.*",
            "AuditLog.Read.All",
            "BitlockerKey.ReadBasic.All",
            "Directory.Read.All",
        ],
    ),
    (
        "Security Reader",
        &[
            "Policy.Read.All",
            "SecurityEvents.Read.All",
            "SecurityIncident.Read.All",
            "SecurityAlert.Read.All",
            "IdentityRiskEvent.Read.All",
            "IdentityRiskyUser.Read.All",
            "AuditLog.Read.All",
            "BitlockerKey.ReadBasic.All",
            "Directory.Read.All",
        ],
    ),
    ("Reports Reader", &["AuditLog.Read.All", "Reports.Read.All"]),
    (
        "Application Administrator",
        &[
            "Application.*",
            "Synchronization.*",
            "Policy.Read.All",
            "Directory.Read.All",
        ],
    ),
    (
        "Cloud Application Administrator",
        &["Application.*", "Policy.Read.All", "Directory.Read.All"],
    ),
    (
        "Cloud Device Administrator",
        &["Device.*", "BitlockerKey.*", "Directory.Read.All"],
    ),
    (
        "Intune Administrator",
        &[
            "DeviceManagement*",
            "Device.*",
            "BitlockerKey.*",
            "Directory.Read.All",
        ],
    ),
    (
        "Exchange Administrator",
        &[
            "Mail*",
            "Exchange*",
            "Organization.Read.All",
            "Directory.Read.All",
        ],
    ),
    ("SharePoint Administrator", &["Sites.*", "Files.*"]),
    (
        "Teams Administrator",
        &[
            "Team*",
            "Channel*",
            "Chat*",
            "Group.*",
            "GroupMember.*",
            "Directory.Read.All",
        ],
    ),
    (
        "Billing Administrator",
        &["Organization.*", "Billing*", "Directory.Read.All"],
    ),
    (
        "License Administrator",
        &[
            "LicenseAssignment.*",
            "Organization.Read.All",
            "User.Read.All",
        ],
    ),
    (
        "Directory Readers",
        &[
            "Directory.Read.All",
            "User.Read*",
            "Group.Read*",
            "GroupMember.Read*",
            "Application.Read.All",
            "Device.Read.All",
        ],
    ),
];

/// What any member (not a guest) may read of the directory without a role, Entra's default user
/// permissions: users, groups, memberships, apps, devices, the organization.
pub const MEMBER_READS: &[&str] = &[
    "Directory.Read.All",
    "User.Read.All",
    "User.ReadBasic.All",
    "Group.Read.All",
    "Group.ReadBasic.All",
    "GroupMember.Read.All",
    "GroupMember.ReadBasic.All",
    "Application.Read.All",
    "Device.Read.All",
    "Organization.Read.All",
    "People.Read.All",
];

fn pattern_matches(pattern: &str, name: &str) -> bool {
    if pattern == "<read>" {
        return permissions::is_read_only(name);
    }
    match pattern.strip_suffix('*') {
        Some(prefix) => name
            .get(..prefix.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(prefix)),
        None => pattern.eq_ignore_ascii_case(name),
    }
}

/// The directory roles a user holds: those recorded on the user, and those whose activated
/// `directoryRoles` entry lists the user as a member (assignments made through Graph).
pub fn roles_of(t: &Tenant, user_id: &str) -> Vec<String> {
    let mut out: Vec<String> = t
        .users
        .get(user_id)
        .map(|u| u.roles.clone())
        .unwrap_or_default();
    if let Some(set) = t.store.sets.get("directoryRoles") {
        for role in set.values() {
            if role.refs("members").iter().any(|m| m == user_id) {
                if let Some(name) = role.object.get("displayName").and_then(|v| v.as_str()) {
                    if !out.iter().any(|r| r == name) {
                        out.push(name.to_string());
                    }
                }
            }
        }
    }
    out
}

/// Whether a user holding `roles` (and a member unless `guest`) may use permission `name`.
pub fn role_allows(roles: &[String], guest: bool, name: &str) -> bool {
    if roles.iter().any(|r| {
        ROLE_PERMISSIONS
            .iter()
            .filter(|(role, _)| role.eq_ignore_ascii_case(r))
            .any(|(_, patterns)| patterns.iter().any(|p| pattern_matches(p, name)))
    }) {
        return true;
    }
    let consentable = permissions::permission(name)
        .map(|p| p.delegated && !p.delegated_admin_consent)
        .unwrap_or(false);
    consentable || (!guest && MEMBER_READS.iter().any(|m| m.eq_ignore_ascii_case(name)))
}

/// Whether the signed-in user may do what `delegated` describes: one of its least-privileged
/// permissions is one the user's roles (or the default user permissions) allow. Where Graph
/// documents only `Directory.AccessAsUser.All` ("as the signed-in user"), the operation's
/// least-privileged application permissions say what the user must be allowed instead.
pub fn user_may(
    t: &Tenant,
    user_id: &str,
    delegated: &Requirement,
    application: &Requirement,
) -> bool {
    let roles = roles_of(t, user_id);
    let guest = t
        .users
        .get(user_id)
        .and_then(|u| u.object.get("userType"))
        .and_then(|v| v.as_str())
        .is_some_and(|ty| ty.eq_ignore_ascii_case("Guest"));
    let mut wanted = delegated.least();
    if wanted
        .iter()
        .any(|n| n.eq_ignore_ascii_case("Directory.AccessAsUser.All"))
    {
        wanted.retain(|n| !n.eq_ignore_ascii_case("Directory.AccessAsUser.All"));
        wanted.extend(application.least());
    }
    if wanted.is_empty() {
        // Only "as the user" documented, nothing else: an administrator's operation.
        return roles.iter().any(|r| r == "Global Administrator");
    }
    wanted.iter().any(|n| role_allows(&roles, guest, n))
}

/// The path to judge a delegated request by: `/users/{own id or UPN}/rest` (or
/// `/users('own')/rest`) becomes `/me/rest` when Microsoft's map documents the method there.
fn own_path(t: &Tenant, user_id: &str, method: &str, path: &str) -> Option<String> {
    let trimmed = path.trim_start_matches('/');
    let (first, rest) = trimmed.split_once('/').unwrap_or((trimmed, ""));
    let (key, rest) = match first
        .strip_prefix("users('")
        .and_then(|k| k.strip_suffix("')"))
    {
        Some(k) => (k, rest),
        None if first.eq_ignore_ascii_case("users") => rest.split_once('/').unwrap_or((rest, "")),
        None => return None,
    };
    let key = percent_encoding::percent_decode_str(key).decode_utf8_lossy();
    if t.user_id(&key).as_deref() != Some(user_id) {
        return None;
    }
    let me = format!("/me/{rest}");
    (permissions::requirement(method, &me, Scheme::Delegated).basis
        == permissions::Basis::Documented)
        .then_some(me)
}

/// Checks `principal` may call `method` on `path` (below the version, as requested: `/me/...`
/// stays `/me/...`). `false`: Graph's 403 `Authorization_RequestDenied`.
pub fn authorize(t: &Tenant, principal: &Principal, method: &str, path: &str) -> bool {
    match &principal.user_id {
        None => {
            let req = permissions::requirement(method, path, Scheme::Application);
            !req.granted_by(&principal.permissions).is_empty()
        }
        Some(user) => {
            let judged = own_path(t, user, method, path).unwrap_or_else(|| path.to_string());
            let delegated = permissions::requirement(method, &judged, Scheme::Delegated);
            if delegated.granted_by(&principal.permissions).is_empty() {
                return false;
            }
            // On their own object, what the user consented to decides (self-service).
            let on_self = judged == "/me" || judged.starts_with("/me/");
            let application = permissions::requirement(method, &judged, Scheme::Application);
            on_self || user_may(t, user, &delegated, &application)
        }
    }
}

/// Why a sign-in's consent is refused: the permissions a user asked for that need an
/// administrator's consent they cannot give.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentRequired {
    pub permissions: Vec<String>,
}

/// Checks a user may have `scopes` (short Graph permission names) for app `client_id`: a
/// permission whose `DelegatedWork` scheme requires admin consent needs an administrator's
/// consent already given ([`consented`]) or a role of [`CONSENT_ROLES`] to give it now. Names
/// the map does not know are left alone.
pub fn consent(
    t: &Tenant,
    client_id: &str,
    user_id: &str,
    scopes: &[String],
) -> Result<(), ConsentRequired> {
    let roles = roles_of(t, user_id);
    if roles
        .iter()
        .any(|r| CONSENT_ROLES.iter().any(|c| c.eq_ignore_ascii_case(r)))
    {
        return Ok(());
    }
    let granted = consented(t, client_id, user_id);
    let needing: Vec<String> = scopes
        .iter()
        .filter(|s| {
            permissions::permission(s).is_some_and(|p| p.delegated && p.delegated_admin_consent)
        })
        .filter(|s| !granted.iter().any(|g| g.eq_ignore_ascii_case(s)))
        .cloned()
        .collect();
    if needing.is_empty() {
        Ok(())
    } else {
        Err(ConsentRequired {
            permissions: needing,
        })
    }
}

/// What the sandbox's administrator has consented to, for every user, on behalf of the Microsoft
/// Graph Command Line Tools: what a user needs to manage their own sign-in methods (the seed
/// walk-through's Temporary Access Pass sign-in).
pub const CLI_CONSENTED: &[&str] = &["UserAuthenticationMethod.ReadWrite"];

/// The delegated permissions an administrator has consented to for `client_id` and this user:
/// [`CLI_CONSENTED`] for the Graph Command Line Tools, and what [`granted`] finds.
pub fn consented(t: &Tenant, client_id: &str, user_id: &str) -> Vec<String> {
    let mut out: Vec<String> = vec![];
    if client_id.eq_ignore_ascii_case(crate::sandbox::state::GRAPH_CLI_APP_ID) {
        out.extend(CLI_CONSENTED.iter().map(|s| s.to_string()));
    }
    out.extend(granted(t, client_id, user_id));
    out
}

/// The scopes of the tenant's consent records for `client_id` and this user: every
/// `oauth2PermissionGrant` whose `clientId` is the app's service principal (or its app id) and
/// whose `consentType` is `AllPrincipals`, or `Principal` with this user's `principalId`
/// (Graph's record of consent: learn.microsoft.com/graph/api/resources/oauth2permissiongrant).
/// A delegated token of that app for that user carries them all, whatever the sign-in asked
/// for, as the identity platform's tokens do.
pub fn granted(t: &Tenant, client_id: &str, user_id: &str) -> Vec<String> {
    let mut out: Vec<String> = vec![];
    let sp_ids = service_principal_ids(t, client_id);
    if let Some(grants) = t.store.sets.get(GRANTS) {
        for g in grants.values() {
            let client = text(g, "clientId");
            let for_app = client.eq_ignore_ascii_case(client_id)
                || sp_ids.iter().any(|s| s.eq_ignore_ascii_case(client));
            let for_user = text(g, "consentType").eq_ignore_ascii_case("AllPrincipals")
                || text(g, "principalId").eq_ignore_ascii_case(user_id);
            if for_app && for_user {
                out.extend(text(g, "scope").split_whitespace().map(str::to_string));
            }
        }
    }
    out
}

/// A string property of an entity, or "".
fn text<'a>(e: &'a crate::sandbox::store::Entity, key: &str) -> &'a str {
    e.object
        .get(key)
        .and_then(|v| v.as_str())
        .unwrap_or_default()
}

const GRANTS: &str = "oauth2PermissionGrants";

/// The ids of the service principals of app `app_id` in the tenant.
fn service_principal_ids(t: &Tenant, app_id: &str) -> Vec<String> {
    t.store
        .sets
        .get("servicePrincipals")
        .map(|set| {
            set.values()
                .filter(|sp| {
                    sp.object
                        .get("appId")
                        .and_then(|v| v.as_str())
                        .is_some_and(|a| a.eq_ignore_ascii_case(app_id))
                })
                .map(|sp| sp.id().to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// Records the consent a user gave at sign-in, as the identity platform does: the user's own
/// `oauth2PermissionGrant` (`consentType` `Principal`) of `client_id` to Microsoft Graph gains
/// `scopes` (short permission names), and is created when there is none. Later sign-ins of that
/// user with that app then carry them ([`granted`]); deleting the grant
/// (`Remove-MgOauth2PermissionGrant`) takes them back. Returns whether the tenant changed.
pub fn record_consent(t: &mut Tenant, client_id: &str, user_id: &str, scopes: &[String]) -> bool {
    const GRAPH_APP_ID: &str = "00000003-0000-0000-c000-000000000000";
    let client = service_principal_ids(t, client_id)
        .into_iter()
        .next()
        .unwrap_or_else(|| client_id.to_string());
    let own = t.store.sets.get(GRANTS).and_then(|set| {
        set.values().find(|g| {
            text(g, "clientId").eq_ignore_ascii_case(&client)
                && text(g, "consentType").eq_ignore_ascii_case("Principal")
                && text(g, "principalId").eq_ignore_ascii_case(user_id)
        })
    });
    let mut scope: Vec<String> = own
        .map(|g| text(g, "scope"))
        .unwrap_or_default()
        .split_whitespace()
        .map(str::to_string)
        .collect();
    let own = own.map(|g| g.id().to_string());
    let before = scope.len();
    for s in scopes {
        if !scope.iter().any(|x| x.eq_ignore_ascii_case(s)) {
            scope.push(s.clone());
        }
    }
    if own.is_some() && scope.len() == before {
        return false;
    }
    let scope = serde_json::Value::String(scope.join(" "));
    match own {
        Some(id) => {
            if let Some(g) = t
                .store
                .sets
                .get_mut(GRANTS)
                .and_then(|set| set.get_mut(&id))
            {
                g.object.insert("scope".into(), scope);
            }
            t.store.version += 1;
        }
        None => {
            let resource = service_principal_ids(t, GRAPH_APP_ID)
                .into_iter()
                .next()
                .unwrap_or_else(|| GRAPH_APP_ID.to_string());
            let object = serde_json::json!({
                "id": crate::sandbox::state::new_id(), "clientId": client, "consentType": "Principal",
                "principalId": user_id, "resourceId": resource, "scope": scope,
            });
            t.store.insert_top(
                GRANTS,
                crate::sandbox::store::Entity::new(
                    "microsoft.graph.oAuth2PermissionGrant",
                    object.as_object().cloned().unwrap_or_default(),
                ),
            );
        }
    }
    true
}

/// The application permissions of the sandbox's automation app (and the managed identity's
/// system-assigned identity): every application permission of Microsoft's map, granted
/// explicitly, so an app that rehearses anything can. (A `ReadWrite` permission does not always
/// grant the reads of its `Read` twin in the map: `IdentityRiskyUser.Read.All` alone reads
/// risky users.) Narrower apps are in the demo tenant ([`REHEARSAL_APPS`]).
pub fn broad_app_roles() -> Vec<String> {
    permissions::permissions()
        .iter()
        .filter(|p| p.application)
        .map(|p| p.name.to_string())
        .collect()
}

/// The demo tenant's apps with narrower rights, for rehearsing least privilege: (client id,
/// display name, application permissions). They accept the automation app's client secret; their
/// object ids are their client ids with `b` for `a` in the last group.
pub const REHEARSAL_APPS: &[(&str, &str, &[&str])] = &[
    (
        "6d67726e-0000-4000-8000-000000000a01",
        "MgGraph Sandbox User Reader",
        &["User.Read.All"],
    ),
    (
        "6d67726e-0000-4000-8000-000000000a02",
        "MgGraph Sandbox Policy Reader",
        &["Policy.Read.All"],
    ),
    (
        "6d67726e-0000-4000-8000-000000000a03",
        "MgGraph Sandbox Device Reporter",
        &["Device.Read.All", "AuditLog.Read.All", "Reports.Read.All"],
    ),
];

/// The demo tenant's users with narrower rights: (object id, mail nickname, display name, job
/// title, directory roles). A plain user has no role. Their ids are fixed, so a seed draws the
/// same tenant every time.
pub const REHEARSAL_USERS: &[(&str, &str, &str, &str, &[&str])] = &[
    (
        "6d67726e-0000-4000-8000-000000000c01",
        "helpdesk",
        "Helpdesk Operator",
        "Helpdesk",
        &["User Administrator"],
    ),
    (
        "6d67726e-0000-4000-8000-000000000c02",
        "reader",
        "Audit Reader",
        "Auditor",
        &["Global Reader"],
    ),
    (
        "6d67726e-0000-4000-8000-000000000c03",
        "plainuser",
        "Plain User",
        "Clerk",
        &[],
    ),
];

/// Adds [`REHEARSAL_APPS`] and [`REHEARSAL_USERS`] to a tenant (the demo tenant's). The apps
/// accept the automation app's secret (the first confidential app with one), which the sandbox
/// prints; without one they get none.
pub fn add_rehearsal_principals(t: &mut Tenant) {
    let secret = t
        .apps
        .iter()
        .find(|a| !a.public_client && !a.secrets.is_empty())
        .and_then(|a| a.secrets.first().cloned());
    for (client_id, name, roles) in REHEARSAL_APPS {
        if t.app(client_id).is_some() {
            continue;
        }
        t.apps.push(crate::sandbox::state::App {
            object_id: client_id.replace("-000000000a", "-000000000b"),
            client_id: client_id.to_string(),
            display_name: name.to_string(),
            secrets: secret.iter().cloned().collect(),
            roles: roles.iter().map(|r| r.to_string()).collect(),
            public_client: false,
            certificates: vec![],
        });
    }
    let domain = t.domain.clone();
    for (fixed_id, nick, name, title, roles) in REHEARSAL_USERS {
        let upn = format!("{nick}@{domain}");
        if t.user_id(&upn).is_some() {
            continue;
        }
        let id = t.add_user(
            serde_json::json!({
                "displayName": name,
                "givenName": name.split(' ').next().unwrap_or_default(),
                "surname": name.split(' ').nth(1).unwrap_or_default(),
                "mailNickname": nick,
                "userPrincipalName": upn,
                "mail": upn,
                "jobTitle": title,
                "accountEnabled": true
            }),
            crate::sandbox::state::random_secret(16),
        );
        // The same id for the same user every time.
        if let Some(mut u) = t.users.shift_remove(&id) {
            u.roles = roles.iter().map(|r| r.to_string()).collect();
            u.object.insert("id".into(), serde_json::json!(fixed_id));
            u.object.insert(
                "securityIdentifier".into(),
                serde_json::json!(
                    crate::sandbox::state::security_identifier(fixed_id).unwrap_or_default()
                ),
            );
            t.upn_index
                .insert(upn.to_ascii_lowercase(), fixed_id.to_string());
            t.users.insert(fixed_id.to_string(), u);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_open_their_families_only() {
        let r = |x: &[&str]| x.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(role_allows(
            &r(&["User Administrator"]),
            false,
            "User.ReadWrite.All"
        ));
        assert!(!role_allows(
            &r(&["User Administrator"]),
            false,
            "RoleManagement.ReadWrite.Directory"
        ));
        assert!(role_allows(
            &r(&["Global Reader"]),
            false,
            "AuditLog.Read.All"
        ));
        assert!(!role_allows(
            &r(&["Global Reader"]),
            false,
            "User.ReadWrite.All"
        ));
        // Default user permissions: read the directory, consentable permissions.
        assert!(role_allows(&[], false, "User.Read.All"));
        assert!(!role_allows(&[], true, "User.Read.All"));
        assert!(role_allows(&[], true, "User.Read"));
        assert!(!role_allows(&[], false, "BitlockerKey.Read.All"));
        assert!(!role_allows(&[], false, "Policy.Read.All"));
    }

    #[test]
    fn the_broad_roles_are_every_application_permission() {
        let roles = broad_app_roles();
        assert!(roles.iter().any(|r| r == "Directory.ReadWrite.All"));
        assert!(roles.iter().any(|r| r == "IdentityRiskyUser.Read.All"));
        assert!(!roles.iter().any(|r| r == "User.Read"), "delegated only");
    }
}

#[cfg(test)]
mod coverage_tests {
    use crate::catalog::permissions::{requirement, Scheme};

    /// The cmdlets the seed walk-through, `.ci/main` and the Pester suite run against the
    /// in-process sandbox as its administrator (who signs in with the default scopes).
    const USED: &[&str] = &[
        "Get-MgUser",
        "New-MgUserAuthenticationTemporaryAccessPassMethod",
        "New-MgUser",
        "New-MgGroup",
        "Get-MgGroupMember",
        "Get-MgGroup",
        "Update-MgUser",
        "Remove-MgGroup",
        "New-MgGroupMember",
        "Get-MgUserAuthenticationMethod",
        "Get-MgDevice",
        "Update-MgPolicyAuthenticationMethodPolicyAuthenticationMethodConfiguration",
        "Remove-MgUser",
        "Get-MgUserCount",
        "Get-MgUserAuthenticationTemporaryAccessPassMethod",
        "Get-MgPolicyAuthenticationMethodPolicyAuthenticationMethodConfiguration",
        "Set-MgUserLicense",
        "Get-MgUserMailFolderMessage",
        "Update-MgGroup",
        "Set-MgUserPhotoContent",
        "Remove-MgGroupMemberDirectoryObjectByRef",
        "Remove-MgGroupMemberByRef",
        "New-MgGroupMemberByRef",
        "Get-MgUserPhotoContent",
        "Get-MgUserMessage",
        "Get-MgUserManager",
        "Get-MgUserLicenseDetail",
        "Get-MgUserDirectReport",
        "Get-MgUserDelta",
        "Get-MgUserAuthenticationPhoneMethod",
        "Get-MgUserAuthenticationFido2Method",
        "Get-MgSubscribedSku",
        "Get-MgServicePrincipalAppRoleAssignedTo",
        "Get-MgServicePrincipal",
        "Get-MgRoleManagementDirectoryRoleAssignment",
        "Get-MgReportAuthenticationMethodUserRegistrationDetail",
        "Get-MgOrganization",
        "Get-MgInformationProtectionBitlockerRecoveryKey",
        "Get-MgIdentityConditionalAccessPolicy",
        "Get-MgGroupMemberCount",
        "Get-MgGroupMemberAsUser",
        "Get-MgDomain",
        "Get-MgDirectoryRoleMember",
        "Get-MgDirectoryRole",
        "Get-MgDeviceRegisteredOwner",
        "Get-MgDeviceManagementManagedDevice",
        "Get-MgAuditLogSignIn",
        "Get-MgAuditLogDirectoryAudit",
        "Get-MgApplication",
        "Confirm-MgUserMemberGroup",
    ];

    #[test]
    fn the_sandbox_administrators_default_scopes_cover_the_cmdlets_the_suites_use() {
        let scopes: Vec<String> = crate::session::connect::SANDBOX_ADMIN_SCOPES
            .iter()
            .map(|s| s.to_string())
            .collect();
        let mut missing = vec![];
        for name in USED {
            let cmd = crate::catalog::command(name).unwrap_or_else(|| panic!("{name}"));
            for route in cmd.routes {
                let method = format!("{:?}", route.method).to_ascii_uppercase();
                let path = route.path.replace(['{', '}'], "");
                let req = requirement(&method, &path, Scheme::Delegated);
                if req.granted_by(&scopes).is_empty() {
                    missing.push(format!(
                        "{name}: {method} {} needs one of {:?}",
                        route.path,
                        req.least()
                    ));
                }
            }
        }
        assert!(missing.is_empty(), "{}", missing.join("\n"));
    }
}
