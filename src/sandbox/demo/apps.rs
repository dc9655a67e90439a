//! App registrations and service principals: secrets and certificates expiring at varied
//! dates, Microsoft Graph permissions granted as app-role assignments, delegated grants.

use serde_json::{json, Value};

use super::people::People;
use super::{contain, insert, obj, overlay_entity, secs, ticks, Draw};
use crate::sandbox::state::{App, Tenant, GRAPH_CLI_APP_ID};

/// Microsoft's tenant, which owns the first-party service principals.
const MICROSOFT_TENANT: &str = "f8cdef31-a31e-4b4a-93e4-5f571e91255a";
const GRAPH_APP_ID: &str = "00000003-0000-0000-c000-000000000000";

/// Microsoft Graph application permissions: (id, value).
const GRAPH_ROLES: &[(&str, &str)] = &[
    ("df021288-bdef-4463-88db-98f22de89214", "User.Read.All"),
    ("741f803b-c850-494e-b5df-cde7c675a1ca", "User.ReadWrite.All"),
    ("7ab1d382-f21e-4acd-a863-ba3e13f7da61", "Directory.Read.All"),
    (
        "19dbc75e-c2e2-444c-a770-ec69d8559fc7",
        "Directory.ReadWrite.All",
    ),
    ("5b567255-7703-4780-807c-7be8301ae99b", "Group.Read.All"),
    ("b633e1c5-b582-4048-a93e-9f11b44c7e96", "Mail.Send"),
    ("b0afded3-3588-46d8-8b3d-9842eff778da", "AuditLog.Read.All"),
    (
        "1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9",
        "Application.ReadWrite.All",
    ),
    ("332a536c-c7ef-4017-ab91-336970924f0d", "Sites.Read.All"),
    ("7438b122-aefc-4978-80ed-43db9fcc7715", "Device.Read.All"),
];

/// First-party service principals every tenant has: (appId, displayName).
const FIRST_PARTY: &[(&str, &str)] = &[
    (GRAPH_APP_ID, "Microsoft Graph"),
    (
        "00000002-0000-0ff1-ce00-000000000000",
        "Office 365 Exchange Online",
    ),
    (
        "00000003-0000-0ff1-ce00-000000000000",
        "Office 365 SharePoint Online",
    ),
    (
        "cc15fd57-2c6c-4117-a88c-83b1d56b4bbe",
        "Microsoft Teams Services",
    ),
    ("c44b4083-3bb0-49c1-b47d-974e53cbdf3c", "Azure Portal"),
    (GRAPH_CLI_APP_ID, "Microsoft Graph Command Line Tools"),
];

/// App registrations: (name, days until the secret expires or `None`, days until the
/// certificate expires or `None`, Graph permissions granted).
#[allow(clippy::type_complexity)]
const APPS: &[(&str, Option<i64>, Option<i64>, &[&str])] = &[
    ("HR Portal", Some(420), None, &["User.Read.All"]),
    (
        "Contoso Expenses",
        Some(12),
        None,
        &["User.Read.All", "Mail.Send"],
    ),
    (
        "Payroll Connector",
        Some(-35),
        Some(200),
        &["User.ReadWrite.All"],
    ),
    (
        "ServiceNow Integration",
        Some(25),
        None,
        &["User.Read.All", "Group.Read.All"],
    ),
    ("Backup Automation", None, Some(9), &["Sites.Read.All"]),
    ("Legacy SFTP Sync", Some(-400), None, &[]),
    ("Marketing Website", None, None, &[]),
    ("Salesforce SSO", None, Some(45), &[]),
    (
        "GitHub Actions Deploy",
        None,
        Some(330),
        &["Application.ReadWrite.All"],
    ),
    ("Inventory API", Some(75), None, &["Directory.Read.All"]),
    ("Helpdesk Teams Bot", Some(3), None, &["User.Read.All"]),
    (
        "Azure DevOps Pipelines",
        Some(180),
        Some(-10),
        &["Directory.Read.All"],
    ),
    (
        "Monitoring Agent",
        Some(700),
        None,
        &["AuditLog.Read.All", "Device.Read.All"],
    ),
    (
        "Data Warehouse ETL",
        Some(55),
        Some(55),
        &["Directory.ReadWrite.All"],
    ),
    ("Mobile App (iOS)", None, None, &[]),
    (
        "Access Review Reporter",
        Some(29),
        None,
        &["AuditLog.Read.All", "Directory.Read.All"],
    ),
];

/// A certificate's thumbprint as Graph writes `customKeyIdentifier` (Edm.Binary: base64 of
/// the 20 SHA-1 bytes).
fn thumbprint(d: &mut Draw) -> String {
    use base64::Engine;
    let bytes: Vec<u8> = (0..20).map(|_| d.int(0, 256) as u8).collect();
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn hex(d: &mut Draw, n: usize) -> String {
    (0..n)
        .map(|_| char::from(b"0123456789ABCDEF"[d.int(0, 16) as usize]))
        .collect()
}

/// A service principal's object.
fn service_principal(
    tenant_id: &str,
    id: &str,
    app_id: &str,
    name: &str,
    owner_tenant: &str,
) -> serde_json::Map<String, Value> {
    obj(json!({
        "id": id, "appId": app_id, "appDisplayName": name, "displayName": name,
        "accountEnabled": true, "appOwnerOrganizationId": owner_tenant,
        "servicePrincipalType": "Application", "servicePrincipalNames": [app_id],
        "signInAudience": if owner_tenant == tenant_id { "AzureADMyOrg" } else { "AzureADMultipleOrgs" },
        "tags": ["WindowsAzureActiveDirectoryIntegratedApp"],
        "appRoleAssignmentRequired": false, "deletedDateTime": null,
        "passwordCredentials": [], "keyCredentials": [], "appRoles": [], "oauth2PermissionScopes": [],
        "replyUrls": [], "notificationEmailAddresses": [], "preferredSingleSignOnMode": null,
    }))
}

/// Microsoft Graph's app roles and delegated scopes, as its service principal lists them:
/// every permission of Microsoft's map with the id Microsoft publishes for it, so that scripts
/// find `$sp.AppRoles | ? Value -eq 'User.Read.All'` and
/// `$sp.Oauth2PermissionScopes | ? Value -eq 'User.Read'` (serviceprincipal resource:
/// `appRoles`, `oauth2PermissionScopes`).
fn graph_permissions() -> (Vec<Value>, Vec<Value>) {
    use crate::catalog::permissions::{descriptions, permission, Scheme};
    let mut roles = Vec::new();
    let mut scopes = Vec::new();
    for d in descriptions().iter().filter(|d| !d.id.is_empty()) {
        match d.scheme {
            Scheme::Application => roles.push(json!({
                "id": d.id, "value": d.name, "displayName": d.display_name,
                "description": d.admin_description, "isEnabled": true,
                "allowedMemberTypes": ["Application"], "origin": "Application",
            })),
            Scheme::Delegated => {
                let admin = permission(&d.name).is_some_and(|p| p.delegated_admin_consent);
                scopes.push(json!({
                    "id": d.id, "value": d.name, "isEnabled": true,
                    "type": if admin { "Admin" } else { "User" },
                    "adminConsentDisplayName": d.display_name,
                    "adminConsentDescription": d.admin_description,
                    "userConsentDisplayName": d.display_name,
                    "userConsentDescription": d.user_description,
                }))
            }
        }
    }
    (roles, scopes)
}

/// Registers the apps and their service principals; returns Microsoft Graph's service
/// principal id (the sign-in log's resource).
pub fn apps(tenant: &mut Tenant, d: &mut Draw, people: &People) -> String {
    let tenant_id = tenant.id.clone();
    let domain = tenant.domain.clone();
    let mut graph_sp = String::new();
    for (app_id, name) in FIRST_PARTY {
        let id = d.id();
        let mut o = service_principal(&tenant_id, &id, app_id, name, MICROSOFT_TENANT);
        if *app_id == GRAPH_APP_ID {
            graph_sp = id.clone();
            let (roles, scopes) = graph_permissions();
            o.insert("appRoles".into(), Value::Array(roles));
            o.insert("oauth2PermissionScopes".into(), Value::Array(scopes));
        }
        insert(
            tenant,
            "servicePrincipals",
            "microsoft.graph.servicePrincipal",
            o,
        );
    }
    // The sandbox's own apps get their service principals too.
    let own: Vec<(String, String)> = tenant
        .apps
        .iter()
        .filter(|a| a.client_id != GRAPH_CLI_APP_ID)
        .map(|a| (a.client_id.clone(), a.display_name.clone()))
        .collect();
    for (app_id, name) in own {
        let id = d.id();
        let o = service_principal(&tenant_id, &id, &app_id, &name, &tenant_id);
        insert(
            tenant,
            "servicePrincipals",
            "microsoft.graph.servicePrincipal",
            o,
        );
    }
    let owners: Vec<String> = people
        .in_department("IT")
        .chain(people.in_department("Engineering"))
        .map(|p| p.id.clone())
        .collect();
    for (name, secret_days, cert_days, perms) in APPS {
        let object_id = d.id();
        let app_id = d.id();
        let created = d.ago(200, 1400);
        let mut passwords = vec![];
        if let Some(days) = secret_days {
            let end = d.now + chrono::Duration::days(*days);
            let start = end - chrono::Duration::days(730.min(*days + 365).max(90));
            passwords.push(json!({
                "keyId": d.id(), "displayName": "client secret", "hint": hex(d, 3).to_lowercase(),
                "startDateTime": ticks(start), "endDateTime": ticks(end),
                "customKeyIdentifier": null, "secretText": null,
            }));
        }
        let mut keys = vec![];
        if let Some(days) = cert_days {
            let end = d.now + chrono::Duration::days(*days);
            let start = end - chrono::Duration::days(365);
            keys.push(json!({
                "keyId": d.id(), "displayName": format!("CN={}", name.replace(' ', "")),
                "type": "AsymmetricX509Cert", "usage": "Verify",
                "startDateTime": secs(start), "endDateTime": secs(end),
                "customKeyIdentifier": thumbprint(d), "key": null,
            }));
        }
        let access: Vec<Value> = perms
            .iter()
            .filter_map(|p| GRAPH_ROLES.iter().find(|(_, v)| v == p))
            .map(|(rid, _)| json!({"id": rid, "type": "Role"}))
            .collect();
        let required = if access.is_empty() {
            json!([])
        } else {
            json!([{"resourceAppId": GRAPH_APP_ID, "resourceAccess": access}])
        };
        let saml = *name == "Salesforce SSO";
        // Some teams add a secret on the enterprise app itself rather than the registration.
        let sp_secret = matches!(
            *name,
            "Monitoring Agent" | "Legacy SFTP Sync" | "Helpdesk Teams Bot"
        );
        tenant.apps.push(App {
            object_id: object_id.clone(),
            client_id: app_id.clone(),
            display_name: name.to_string(),
            secrets: vec![],
            roles: perms.iter().map(|p| p.to_string()).collect(),
            public_client: *name == "Mobile App (iOS)",
            certificates: vec![],
        });
        let entity = overlay_entity(
            tenant,
            "applications",
            "microsoft.graph.application",
            &object_id,
        );
        entity.object.extend(obj(json!({
            "createdDateTime": secs(created), "deletedDateTime": null,
            "signInAudience": "AzureADMyOrg", "publisherDomain": domain,
            "identifierUris": if saml { json!(["https://contoso.my.salesforce.com"]) } else { json!([]) },
            "passwordCredentials": passwords, "keyCredentials": keys,
            "requiredResourceAccess": required,
            "web": {"redirectUris": [format!("https://{}.contoso.com/signin-oidc", name.to_ascii_lowercase().replace([' ', '(', ')'], ""))],
                    "homePageUrl": null, "logoutUrl": null,
                    "implicitGrantSettings": {"enableAccessTokenIssuance": false, "enableIdTokenIssuance": false}},
            "tags": [], "notes": null, "description": null,
        })));
        let owner = d.pick(&owners).clone();
        if !(*name == "Legacy SFTP Sync" || *name == "Marketing Website") {
            entity.refs_mut("owners").push(owner.clone());
        }
        let sp_id = d.id();
        let mut sp = service_principal(&tenant_id, &sp_id, &app_id, name, &tenant_id);
        if sp_secret {
            let end = d.now + chrono::Duration::days(d.int(-60, 400));
            sp.insert("passwordCredentials".into(), json!([{
                "keyId": d.id(), "displayName": "enterprise app secret", "hint": hex(d, 3).to_lowercase(),
                "startDateTime": ticks(end - chrono::Duration::days(365)), "endDateTime": ticks(end),
                "customKeyIdentifier": null, "secretText": null,
            }]));
        }
        if saml {
            let end = d.now + chrono::Duration::days(45);
            sp.insert("preferredSingleSignOnMode".into(), json!("saml"));
            sp.insert(
                "preferredTokenSigningKeyThumbprint".into(),
                json!(hex(d, 40)),
            );
            sp.insert("keyCredentials".into(), json!([{
                "keyId": d.id(), "displayName": "CN=Microsoft Azure Federated SSO Certificate",
                "type": "AsymmetricX509Cert", "usage": "Sign",
                "startDateTime": secs(end - chrono::Duration::days(1095)), "endDateTime": secs(end),
                "customKeyIdentifier": thumbprint(d), "key": null,
            }]));
            sp.insert("appRoleAssignmentRequired".into(), json!(true));
        }
        insert(
            tenant,
            "servicePrincipals",
            "microsoft.graph.servicePrincipal",
            sp,
        );
        // Application permissions granted: an assignment on the app's principal and the
        // same one seen from Microsoft Graph's side.
        for p in *perms {
            let Some((rid, _)) = GRAPH_ROLES.iter().find(|(_, v)| v == p) else {
                continue;
            };
            let a = obj(json!({
                "id": format!("{}{}", hex(d, 22), "-assign"),
                "appRoleId": rid, "principalId": sp_id, "principalType": "ServicePrincipal",
                "principalDisplayName": name, "resourceId": graph_sp, "resourceDisplayName": "Microsoft Graph",
                "createdDateTime": ticks(created), "deletedDateTime": null,
            }));
            for (owner_sp, nav) in [
                (sp_id.as_str(), "appRoleAssignments"),
                (graph_sp.as_str(), "appRoleAssignedTo"),
            ] {
                if let Some(e) = tenant
                    .store
                    .sets
                    .get_mut("servicePrincipals")
                    .and_then(|s| s.get_mut(owner_sp))
                {
                    contain(e, nav, "microsoft.graph.appRoleAssignment", a.clone());
                }
            }
        }
        if saml {
            // Users assigned to the enterprise app (default access role).
            let sales: Vec<(String, String)> = people
                .in_department("Sales")
                .take(12)
                .map(|p| (p.id.clone(), p.name.clone()))
                .collect();
            for (uid, uname) in sales {
                let a = obj(json!({
                    "id": format!("{}-user", hex(d, 22)), "appRoleId": "00000000-0000-0000-0000-000000000000",
                    "principalId": uid, "principalType": "User", "principalDisplayName": uname,
                    "resourceId": sp_id, "resourceDisplayName": name,
                    "createdDateTime": ticks(d.ago(10, 300)), "deletedDateTime": null,
                }));
                if let Some(e) = tenant
                    .store
                    .sets
                    .get_mut("servicePrincipals")
                    .and_then(|s| s.get_mut(&sp_id))
                {
                    contain(
                        e,
                        "appRoleAssignedTo",
                        "microsoft.graph.appRoleAssignment",
                        a.clone(),
                    );
                }
                contain(
                    overlay_entity(tenant, "users", "microsoft.graph.user", &uid),
                    "appRoleAssignments",
                    "microsoft.graph.appRoleAssignment",
                    a,
                );
            }
        }
        if *name == "Contoso Expenses" || *name == "HR Portal" {
            // Admin consent to delegated permissions for everyone.
            insert(
                tenant,
                "oauth2PermissionGrants",
                "microsoft.graph.oAuth2PermissionGrant",
                obj(json!({
                    "id": format!("{}{}", hex(d, 30), "grant"), "clientId": sp_id, "consentType": "AllPrincipals",
                    "principalId": null, "resourceId": graph_sp, "scope": "User.Read Mail.Read offline_access",
                })),
            );
        }
    }
    graph_sp
}
