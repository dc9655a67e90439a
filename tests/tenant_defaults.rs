//! A tenant's defaults over HTTP (issue 16, item 1): every singleton a real tenant always has
//! answers a full object (every property its type declares, with Graph's documented default
//! values), and every built-in collection has its members, in the demo tenant and in a blank
//! (`--empty`) one; writes to them persist.

mod common;

use common::*;
use mggraph::sandbox::store::catalog::catalog;
use mggraph::sandbox::SandboxConfig;
use serde_json::{json, Value};

/// One singleton to check: (path below `/v1.0`, its declared type, documented values).
type Singleton = (String, &'static str, Vec<(&'static str, Value)>);

/// (path below `/v1.0`, its declared type, documented values: (property, value)).
fn singletons(tenant_id: &str, domain: &str) -> Vec<Singleton> {
    vec![
        (
            format!("/organization/{tenant_id}"),
            "organization",
            vec![
                ("mobileDeviceManagementAuthority", json!("intune")),
                ("tenantType", json!("AAD")),
            ],
        ),
        (
            format!("/domains/{domain}"),
            "domain",
            vec![
                ("isDefault", json!(true)),
                ("isInitial", json!(true)),
                ("isVerified", json!(true)),
            ],
        ),
        (
            "/policies/authorizationPolicy".into(),
            "authorizationPolicy",
            vec![
                ("allowInvitesFrom", json!("everyone")),
                (
                    "guestUserRoleId",
                    json!("10dae51f-b6af-4016-8d66-8c2a99b929b3"),
                ),
                ("allowedToUseSSPR", json!(true)),
            ],
        ),
        (
            "/policies/adminConsentRequestPolicy".into(),
            "adminConsentRequestPolicy",
            vec![
                ("isEnabled", json!(false)),
                ("requestDurationInDays", json!(30)),
            ],
        ),
        (
            "/policies/deviceRegistrationPolicy".into(),
            "deviceRegistrationPolicy",
            vec![
                ("userDeviceQuota", json!(50)),
                ("multiFactorAuthConfiguration", json!("notRequired")),
            ],
        ),
        (
            "/policies/crossTenantAccessPolicy".into(),
            "crossTenantAccessPolicy",
            vec![("allowedCloudEndpoints", json!([]))],
        ),
        (
            "/policies/crossTenantAccessPolicy/default".into(),
            "crossTenantAccessPolicyConfigurationDefault",
            vec![("isServiceDefault", json!(true))],
        ),
        (
            "/policies/defaultAppManagementPolicy".into(),
            "tenantAppManagementPolicy",
            vec![("isEnabled", json!(false))],
        ),
        (
            "/policies/identitySecurityDefaultsEnforcementPolicy".into(),
            "identitySecurityDefaultsEnforcementPolicy",
            vec![("id", json!("00000000-0000-0000-0000-000000000005"))],
        ),
        (
            "/policies/authenticationFlowsPolicy".into(),
            "authenticationFlowsPolicy",
            vec![("selfServiceSignUp", json!({"isEnabled": false}))],
        ),
        (
            "/admin/reportSettings".into(),
            "adminReportSettings",
            vec![("displayConcealedNames", json!(true))],
        ),
        (
            "/deviceManagement".into(),
            "deviceManagement",
            vec![("subscriptionState", json!("active"))],
        ),
        (
            "/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/Voice".into(),
            "voiceAuthenticationMethodConfiguration",
            vec![("state", json!("disabled"))],
        ),
    ]
}

/// (path below `/v1.0`, at least this many members).
const COLLECTIONS: &[(&str, usize)] = &[
    ("/organization", 1),
    ("/domains", 1),
    ("/directoryRoleTemplates", 60),
    ("/directoryRoles", 1),
    ("/roleManagement/directory/roleDefinitions", 60),
    ("/roleManagement/directory/roleAssignments", 1),
    ("/policies/permissionGrantPolicies", 7),
    ("/policies/roleManagementPolicies?$filter=scopeId eq '/' and scopeType eq 'DirectoryRole'", 60),
    ("/policies/roleManagementPolicyAssignments?$filter=scopeId eq '/' and scopeType eq 'DirectoryRole'", 60),
    ("/policies/authenticationStrengthPolicies", 3),
    ("/groupSettingTemplates", 8),
    ("/directory/onPremisesSynchronization", 1),
    ("/policies/authenticationMethodsPolicy/authenticationMethodConfigurations", 8),
];

/// The declared structural properties of `ty` missing from `object`.
fn missing(ty: &str, object: &Value) -> Vec<String> {
    catalog()
        .all_props(&format!("microsoft.graph.{ty}"))
        .into_iter()
        .filter(|p| !p.nav && object.get(&p.name).is_none())
        .map(|p| p.name.clone())
        .collect()
}

/// A GET as the automation app, or, where Microsoft's permission map supports no application
/// permission for the path (`/directory/onPremisesSynchronization`), as the administrator
/// with the operation's least-privileged delegated permissions: whoever Graph lets read it.
async fn get_as_allowed(s: &mggraph::sandbox::Sandbox, app: &Graph, url: &str) -> (u16, Value) {
    use mggraph::catalog::permissions::{requirement, Scheme};
    let (status, body) = app.get(url).await;
    if status != 403 {
        return (status, body);
    }
    let path = url.trim_start_matches("/v1.0");
    let path = path.split('?').next().unwrap_or(path);
    assert!(
        requirement("GET", path, Scheme::Application)
            .grants
            .is_empty(),
        "the app was refused {path} though the map grants it an application permission: {body}"
    );
    let scopes = requirement("GET", path, Scheme::Delegated)
        .least()
        .join(" ");
    let token = user_token(s, &s.admin_upn, &scopes).await;
    let admin = Graph {
        base: s.base_url.clone(),
        token: token["access_token"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
    };
    admin.get(url).await
}

async fn every_default_is_there(s: &mggraph::sandbox::Sandbox, which: &str) {
    let g = app_graph(s).await;
    for (path, ty, values) in singletons(&s.tenant_id, &s.domain) {
        let (status, body) = get_as_allowed(s, &g, &format!("/v1.0{path}")).await;
        assert_eq!(status, 200, "{which} {path}: {body}");
        let gaps = missing(ty, &body);
        assert!(gaps.is_empty(), "{which} {path} lacks {gaps:?}: {body}");
        for (prop, want) in values {
            assert_eq!(body[prop], want, "{which} {path}.{prop}: {body}");
        }
    }
    for (path, at_least) in COLLECTIONS {
        let sep = if path.contains('?') { '&' } else { '?' };
        let (status, page) = get_as_allowed(s, &g, &format!("/v1.0{path}{sep}$top=999")).await;
        assert_eq!(status, 200, "{which} {path}: {page}");
        let n = page["value"].as_array().map_or(0, Vec::len);
        assert!(
            n >= *at_least,
            "{which} {path}: {n} members, expected {at_least}"
        );
    }
    // A PIM policy has its rules; the built-in administrator is an activated Global
    // Administrator.
    let (_, policies) = g.get("/v1.0/policies/roleManagementPolicyAssignments?$filter=scopeId eq '/' and scopeType eq 'DirectoryRole' and roleDefinitionId eq '62e90394-69f5-4237-9190-012177145e10'").await;
    let policy = policies["value"][0]["policyId"]
        .as_str()
        .expect("the Global Administrator's policy")
        .to_string();
    let (status, rules) = g
        .get(&format!(
            "/v1.0/policies/roleManagementPolicies/{policy}/rules"
        ))
        .await;
    assert_eq!(status, 200, "{rules}");
    let ids: Vec<&str> = rules["value"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    assert!(
        ids.contains(&"Expiration_EndUser_Assignment") && ids.len() == 17,
        "{which}: {ids:?}"
    );
    let expiration = rules["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "Expiration_EndUser_Assignment")
        .unwrap();
    assert_eq!(
        expiration["@odata.type"],
        "#microsoft.graph.unifiedRoleManagementPolicyExpirationRule"
    );
    assert_eq!(expiration["maximumDuration"], "PT8H");
    let (_, roles) = g
        .get(
            "/v1.0/directoryRoles?$filter=roleTemplateId eq '62e90394-69f5-4237-9190-012177145e10'",
        )
        .await;
    let ga = roles["value"].as_array().unwrap();
    assert_eq!(ga.len(), 1, "{which}: {roles}");
    let (_, members) = g
        .get(&format!(
            "/v1.0/directoryRoles/{}/members",
            ga[0]["id"].as_str().unwrap()
        ))
        .await;
    let admin = g.get(&format!("/v1.0/users/{}", s.admin_upn)).await.1;
    assert!(
        members["value"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["id"] == admin["id"]),
        "{which}: {members}"
    );
}

#[tokio::test]
async fn a_blank_tenant_is_a_new_tenant_with_every_default() {
    let s = sandbox(SandboxConfig {
        demo: None,
        ..SandboxConfig::default()
    })
    .await;
    every_default_is_there(&s, "blank").await;
    let g = app_graph(&s).await;
    let (_, sd) = g
        .get("/v1.0/policies/identitySecurityDefaultsEnforcementPolicy")
        .await;
    assert_eq!(
        sd["isEnabled"], true,
        "a new tenant has security defaults on"
    );
}

#[tokio::test]
async fn the_demo_tenant_has_every_default_around_its_data() {
    let s = sandbox(SandboxConfig::default()).await;
    every_default_is_there(&s, "demo").await;
    let g = app_graph(&s).await;
    // Conditional Access policies exist, so security defaults are off.
    let (_, sd) = g
        .get("/v1.0/policies/identitySecurityDefaultsEnforcementPolicy")
        .await;
    assert_eq!(sd["isEnabled"], false);
    // The demo's organization keeps its own values and gains the defaults it lacked.
    let (_, org) = g.get("/v1.0/organization").await;
    assert_eq!(org["value"][0]["city"], "Redmond");
    assert_eq!(org["value"][0]["mobileDeviceManagementAuthority"], "intune");
}

#[tokio::test]
async fn writes_to_tenant_settings_persist_and_read_back_whole() {
    let s = sandbox(SandboxConfig {
        demo: None,
        ..SandboxConfig::default()
    })
    .await;
    let g = app_graph(&s).await;
    for (path, body, prop, ty) in [
        (
            "/v1.0/policies/authorizationPolicy",
            json!({"allowInvitesFrom": "adminsAndGuestInviters"}),
            "allowInvitesFrom",
            "authorizationPolicy",
        ),
        (
            "/v1.0/policies/identitySecurityDefaultsEnforcementPolicy",
            json!({"isEnabled": false}),
            "isEnabled",
            "identitySecurityDefaultsEnforcementPolicy",
        ),
        (
            "/v1.0/policies/crossTenantAccessPolicy/default",
            json!({"inboundTrust": {"isMfaAccepted": true, "isCompliantDeviceAccepted": false, "isHybridAzureADJoinedDeviceAccepted": false}}),
            "inboundTrust",
            "crossTenantAccessPolicyConfigurationDefault",
        ),
        (
            "/v1.0/admin/reportSettings",
            json!({"displayConcealedNames": false}),
            "displayConcealedNames",
            "adminReportSettings",
        ),
    ] {
        let (status, answer) = g.patch(path, body.clone()).await;
        assert!(status == 204 || status == 200, "{path}: {status} {answer}");
        let (_, read) = g.get(path).await;
        assert_eq!(read[prop], body[prop], "{path}: {read}");
        let gaps = missing(ty, &read);
        assert!(
            gaps.is_empty(),
            "{path} keeps its other properties, lacks {gaps:?}: {read}"
        );
    }
    let (_, auth) = g.get("/v1.0/policies/authorizationPolicy").await;
    assert_eq!(
        auth["defaultUserRolePermissions"]["allowedToCreateApps"],
        true
    );
}

/// authenticationmethodspolicy-update and authenticationmethodconfiguration-update: both
/// writes persist and read back, from the policy and from the configuration's own path.
#[tokio::test]
async fn the_authentication_methods_policy_persists_its_updates() {
    let s = sandbox(SandboxConfig {
        demo: None,
        ..SandboxConfig::default()
    })
    .await;
    let g = app_graph(&s).await;
    let policy = "/v1.0/policies/authenticationMethodsPolicy";
    let campaign = json!({"authenticationMethodsRegistrationCampaign": {
        "snoozeDurationInDays": 3,
        "state": "enabled", "excludeTargets": [],
        "includeTargets": [{"id": "all_users", "targetType": "group",
                            "targetedAuthenticationMethod": "microsoftAuthenticator"}],
    }});
    let (status, e) = g
        .patch(
            policy,
            json!({"registrationEnforcement": campaign, "reconfirmationInDays": 90}),
        )
        .await;
    assert_eq!(status, 204, "{e}");
    let (status, read) = g.get(policy).await;
    assert_eq!(status, 200, "{read}");
    assert_eq!(read["registrationEnforcement"], campaign, "{read}");
    assert_eq!(read["reconfirmationInDays"], 90);
    assert_eq!(read["displayName"], "Authentication Methods Policy");
    // The write checks every write gets: an unknown property, a read-only one.
    let (status, e) = g.patch(policy, json!({"noSuchSetting": 1})).await;
    assert_eq!(status, 400, "{e}");
    let (status, e) = g
        .patch(
            policy,
            json!({"lastModifiedDateTime": "2020-01-01T00:00:00Z"}),
        )
        .await;
    assert_eq!(status, 400, "{e}");

    let fido = format!("{policy}/authenticationMethodConfigurations/Fido2");
    let (status, e) = g
        .patch(
            &fido,
            json!({"@odata.type": "#microsoft.graph.fido2AuthenticationMethodConfiguration",
                   "isSelfServiceRegistrationAllowed": false}),
        )
        .await;
    assert_eq!(status, 204, "{e}");
    let (_, config) = g.get(&fido).await;
    assert_eq!(
        config["isSelfServiceRegistrationAllowed"], false,
        "{config}"
    );
    let (_, read) = g.get(policy).await;
    let listed = read["authenticationMethodConfigurations"]
        .as_array()
        .and_then(|a| a.iter().find(|c| c["id"] == "Fido2"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(listed["isSelfServiceRegistrationAllowed"], false, "{read}");
}

/// featurerolloutpolicy-post-appliesto and featurerolloutpolicy-delete-appliesto: a rollout
/// policy's `appliesTo` takes directory objects by reference.
#[tokio::test]
async fn a_feature_rollout_policy_applies_to_groups_by_reference() {
    let s = sandbox(SandboxConfig {
        demo: None,
        ..SandboxConfig::default()
    })
    .await;
    let g = app_graph(&s).await;
    let (status, group) = g
        .post(
            "/v1.0/groups",
            json!({"displayName": "Pilot", "mailNickname": "pilot", "mailEnabled": false,
                   "securityEnabled": true, "groupTypes": []}),
        )
        .await;
    assert_eq!(status, 201, "{group}");
    let gid = group["id"].as_str().unwrap().to_string();
    // Graph lets no app manage rollout policies: an administrator does (delegated).
    let token = user_token(&s, &s.admin_upn, "Policy.ReadWrite.HybridAuthentication").await;
    let g = Graph {
        base: s.base_url.clone(),
        token: token["access_token"].as_str().unwrap().to_string(),
    };
    let (status, policy) = g
        .post(
            "/v1.0/policies/featureRolloutPolicies",
            json!({"displayName": "Passthrough auth rollout", "description": "pilot",
                   "feature": "passthroughAuthentication", "isEnabled": true,
                   "isAppliedToOrganization": false}),
        )
        .await;
    assert_eq!(status, 201, "{policy}");
    let applies = format!(
        "/v1.0/policies/featureRolloutPolicies/{}/appliesTo",
        policy["id"].as_str().unwrap()
    );
    let (status, e) = g
        .post(
            &format!("{applies}/$ref"),
            json!({"@odata.id": format!("https://graph.microsoft.com/v1.0/directoryObjects/{gid}")}),
        )
        .await;
    assert_eq!(status, 204, "{e}");
    let (status, listed) = g.get(&applies).await;
    assert_eq!(status, 200, "{listed}");
    assert_eq!(listed["value"][0]["id"], gid.as_str(), "{listed}");
    assert_eq!(listed["value"][0]["displayName"], "Pilot", "{listed}");
    let (status, e) = g.delete(&format!("{applies}/{gid}/$ref")).await;
    assert_eq!(status, 204, "{e}");
    let (_, listed) = g.get(&applies).await;
    assert_eq!(listed["value"], json!([]), "{listed}");
}
