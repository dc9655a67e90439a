//! Linked objects and server-set values over HTTP (issue 16, item 2): soft delete and restore
//! of users, Microsoft 365 groups and applications through `directory/deletedItems`, and what
//! Graph sets on create.

mod common;

use common::*;
use mggraph::sandbox::SandboxConfig;
use serde_json::{json, Value};

async fn new_user(g: &Graph, domain: &str, nick: &str) -> Value {
    let (status, user) = g
        .post(
            "/v1.0/users",
            json!({
                "accountEnabled": true, "displayName": nick, "mailNickname": nick,
                "userPrincipalName": format!("{nick}@{domain}"),
                "passwordProfile": {"password": "xWwvJ]6NMw+bWH-d"},
            }),
        )
        .await;
    assert_eq!(status, 201, "{user}");
    user
}

async fn add_member(g: &Graph, group: &str, member: &str) {
    let (status, body) = g
        .post(
            &format!("/v1.0/groups/{group}/members/$ref"),
            json!({"@odata.id": format!("https://graph.microsoft.com/v1.0/directoryObjects/{member}")}),
        )
        .await;
    assert_eq!(status, 204, "{body}");
}

/// Assigns `principal` the Global Administrator role, tenant-wide (201 expected).
async fn assign_global_admin(g: &Graph, principal: &str) {
    let body = json!({"principalId": principal, "directoryScopeId": "/",
                      "roleDefinitionId": "62e90394-69f5-4237-9190-012177145e10"});
    let (status, e) = g
        .post("/v1.0/roleManagement/directory/roleAssignments", body)
        .await;
    assert_eq!(status, 201, "{e}");
}

/// Registers an application from `body` and its service principal (201s expected); answers
/// both objects.
async fn new_service_principal(g: &Graph, body: Value) -> (Value, Value) {
    let (status, app) = g.post("/v1.0/applications", body).await;
    assert_eq!(status, 201, "{app}");
    let (status, sp) = g
        .post("/v1.0/servicePrincipals", json!({"appId": app["appId"]}))
        .await;
    assert_eq!(status, 201, "{sp}");
    (app, sp)
}

/// Asks to restore deleted directory object `id`: Graph's status and answer.
async fn try_restore(g: &Graph, id: &str) -> (u16, Value) {
    g.post(
        &format!("/v1.0/directory/deletedItems/{id}/restore"),
        json!({}),
    )
    .await
}

/// Restores deleted directory object `id` (200 expected); answers the restored object.
async fn restore(g: &Graph, id: &str) -> Value {
    let (status, restored) = try_restore(g, id).await;
    assert_eq!(status, 200, "{restored}");
    restored
}

/// Grants user `uid` the default app role of service principal `resource` (201 expected).
async fn grant_app_role(g: &Graph, uid: &str, resource: &str) {
    let (status, a) = g
        .post(
            &format!("/v1.0/users/{uid}/appRoleAssignments"),
            json!({"principalId": uid, "resourceId": resource,
                   "appRoleId": "00000000-0000-0000-0000-000000000000"}),
        )
        .await;
    assert_eq!(status, 201, "{a}");
}

/// Whether a page of app-role assignments holds one whose `field` is `value`.
fn page_has(page: &Value, field: &str, value: &str) -> bool {
    page["value"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x[field] == value)
}

fn ids(page: &Value) -> Vec<String> {
    page["value"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v["id"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn a_deleted_user_waits_in_deleted_items_and_comes_back_whole() {
    let (s, g) = blank().await;
    let user = new_user(&g, &s.domain, "leaver").await;
    let id = user["id"].as_str().unwrap().to_string();
    let upn = user["userPrincipalName"].as_str().unwrap().to_string();
    let team = new_group(&g, "team", true).await;
    add_member(&g, &team, &id).await;

    assert_eq!(g.delete(&format!("/v1.0/users/{id}")).await.0, 204);
    assert_eq!(g.get(&format!("/v1.0/users/{id}")).await.0, 404);
    let (_, members) = g.get(&format!("/v1.0/groups/{team}/members")).await;
    assert!(!ids(&members).contains(&id), "{members}");
    let (status, deleted) = g
        .get(&format!(
            "/v1.0/directory/deletedItems/{id}?$select=id,deletedDateTime,userPrincipalName"
        ))
        .await;
    assert_eq!(status, 200, "{deleted}");
    assert!(deleted["deletedDateTime"].is_string(), "{deleted}");
    // While deleted, the name carries the id (without dashes), which frees it.
    assert_eq!(
        deleted["userPrincipalName"],
        format!("{}{upn}", id.replace('-', ""))
    );
    let (status, listed) = g
        .get("/v1.0/directory/deletedItems/microsoft.graph.user")
        .await;
    assert_eq!(status, 200, "{listed}");
    assert!(ids(&listed).contains(&id), "{listed}");

    let restored = restore(&g, &id).await;
    assert_eq!(restored["@odata.type"], "#microsoft.graph.user");
    assert_eq!(restored["userPrincipalName"], upn);
    assert!(restored["deletedDateTime"].is_null());
    let (status, back) = g.get(&format!("/v1.0/users/{upn}")).await;
    assert_eq!(status, 200, "{back}");
    assert_eq!(back["id"], id);
    let (_, members) = g.get(&format!("/v1.0/groups/{team}/members")).await;
    assert!(
        ids(&members).contains(&id),
        "memberships come back: {members}"
    );
    assert_eq!(
        g.get(&format!("/v1.0/directory/deletedItems/{id}")).await.0,
        404
    );
    // Restoring again: nothing to restore.
    let (status, _) = try_restore(&g, &id).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn a_restore_whose_name_was_taken_is_refused() {
    let (s, g) = blank().await;
    let user = new_user(&g, &s.domain, "twin").await;
    let id = user["id"].as_str().unwrap().to_string();
    assert_eq!(g.delete(&format!("/v1.0/users/{id}")).await.0, 204);
    // The name is free while the first one is deleted.
    new_user(&g, &s.domain, "twin").await;
    let (status, e) = try_restore(&g, &id).await;
    assert_eq!(status, 400, "{e}");
    assert_eq!(e["error"]["details"][0]["code"], "ObjectConflict", "{e}");
    assert_eq!(
        g.get(&format!("/v1.0/directory/deletedItems/{id}")).await.0,
        200,
        "still deleted"
    );
}

#[tokio::test]
async fn microsoft_365_groups_are_restorable_and_security_groups_are_gone() {
    let (s, g) = blank().await;
    let member = new_user(&g, &s.domain, "member").await;
    let member = member["id"].as_str().unwrap().to_string();
    let m365 = new_group(&g, "m365", true).await;
    let security = new_group(&g, "security", false).await;
    add_member(&g, &m365, &member).await;
    add_member(&g, &security, &member).await;
    assert_eq!(g.delete(&format!("/v1.0/groups/{m365}")).await.0, 204);
    assert_eq!(g.delete(&format!("/v1.0/groups/{security}")).await.0, 204);
    let (_, listed) = g
        .get("/v1.0/directory/deletedItems/microsoft.graph.group")
        .await;
    let listed = ids(&listed);
    assert!(
        listed.contains(&m365) && !listed.contains(&security),
        "{listed:?}"
    );
    let (status, _) = try_restore(&g, &m365).await;
    assert_eq!(status, 200);
    let (_, members) = g.get(&format!("/v1.0/groups/{m365}/members")).await;
    assert_eq!(ids(&members), vec![member]);
    // Deleted for good.
    assert_eq!(g.delete(&format!("/v1.0/groups/{m365}")).await.0, 204);
    assert_eq!(
        g.delete(&format!("/v1.0/directory/deletedItems/{m365}"))
            .await
            .0,
        204
    );
    assert_eq!(
        g.get(&format!("/v1.0/directory/deletedItems/{m365}"))
            .await
            .0,
        404
    );
    let (status, _) = try_restore(&g, &m365).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn applications_get_graphs_defaults_and_come_back_with_their_secrets() {
    let (_s, g) = blank().await;
    let (status, app) = g
        .post("/v1.0/applications", json!({"displayName": "Payroll"}))
        .await;
    assert_eq!(status, 201, "{app}");
    for (prop, want) in [
        ("publicClient", json!({"redirectUris": []})),
        ("spa", json!({"redirectUris": []})),
        ("requiredResourceAccess", json!([])),
        ("signInAudience", json!("AzureADMyOrg")),
    ] {
        assert_eq!(app[prop], want, "{prop}: {app}");
    }
    assert_eq!(
        app["web"]["implicitGrantSettings"]["enableIdTokenIssuance"],
        false
    );
    assert_eq!(app["api"]["oauth2PermissionScopes"], json!([]));
    let id = app["id"].as_str().unwrap().to_string();
    let app_id = app["appId"].clone();

    // A null end date is two years after the start, which is now.
    let (status, secret) = g
        .post(
            &format!("/v1.0/applications/{id}/addPassword"),
            json!({"passwordCredential": {"displayName": "ci", "endDateTime": null}}),
        )
        .await;
    assert_eq!(status, 200, "{secret}");
    let start =
        chrono::DateTime::parse_from_rfc3339(secret["startDateTime"].as_str().unwrap()).unwrap();
    let end =
        chrono::DateTime::parse_from_rfc3339(secret["endDateTime"].as_str().unwrap()).unwrap();
    assert!(
        (chrono::Utc::now() - start.with_timezone(&chrono::Utc))
            .num_seconds()
            .abs()
            < 60
    );
    assert_eq!((end - start).num_days(), 730);

    assert_eq!(g.delete(&format!("/v1.0/applications/{id}")).await.0, 204);
    assert_eq!(g.get(&format!("/v1.0/applications/{id}")).await.0, 404);
    let (_, listed) = g
        .get("/v1.0/directory/deletedItems/microsoft.graph.application")
        .await;
    assert!(ids(&listed).contains(&id), "{listed}");
    let (status, _) = try_restore(&g, &id).await;
    assert_eq!(status, 200);
    let (status, back) = g.get(&format!("/v1.0/applications/{id}")).await;
    assert_eq!(status, 200, "{back}");
    assert_eq!(back["appId"], app_id);
    assert_eq!(
        back["passwordCredentials"][0]["displayName"], "ci",
        "{back}"
    );
}

#[tokio::test]
async fn a_new_user_has_no_licences_and_empty_extension_attributes() {
    let (s, g) = blank().await;
    let user = new_user(&g, &s.domain, "fresh").await;
    let (status, got) = g
        .get(&format!(
            "/v1.0/users/{}?$select=id,assignedLicenses,onPremisesExtensionAttributes",
            user["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(status, 200, "{got}");
    assert_eq!(got["assignedLicenses"], json!([]));
    assert!(got["onPremisesExtensionAttributes"]["extensionAttribute15"].is_null());
    assert_eq!(
        got["onPremisesExtensionAttributes"]
            .as_object()
            .map(|o| o.len()),
        Some(15)
    );
}

async fn demo() -> (mggraph::sandbox::Sandbox, Graph) {
    let s = sandbox(SandboxConfig::default()).await;
    let g = app_graph(&s).await;
    (s, g)
}

/// The demo tenant's Microsoft 365 E3 (`SPE_E3`) SKU.
const DEMO_E3: &str = "05e9a617-0261-4cee-bb44-138d3ef5d965";

/// The service plan ids of a SKU the tenant has, as `GET /subscribedSkus` lists them (at
/// least two, so that one can be disabled and another stay on).
async fn sku_plans(g: &Graph, sku: &str) -> Vec<String> {
    let (_, skus) = g.get("/v1.0/subscribedSkus").await;
    let plans: Vec<String> = skus["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["skuId"] == sku)
        .and_then(|k| k["servicePlans"].as_array())
        .unwrap_or_else(|| panic!("no SKU {sku}: {skus}"))
        .iter()
        .map(|p| p["servicePlanId"].as_str().unwrap().to_ascii_lowercase())
        .collect();
    assert!(plans.len() >= 2, "{plans:?}");
    plans
}

#[tokio::test]
async fn an_app_role_assignment_is_one_object_seen_from_both_sides() {
    let (s, g) = demo().await;
    let (_, sps) = g
        .get("/v1.0/servicePrincipals?$filter=displayName eq 'Microsoft Graph'")
        .await;
    let graph_sp = sps["value"][0]["id"]
        .as_str()
        .expect("Microsoft Graph's principal")
        .to_string();
    let role = sps["value"][0]["appRoles"][0]["id"]
        .as_str()
        .expect("an app role")
        .to_string();
    let user = new_user(&g, &s.domain, "assignee").await;
    let uid = user["id"].as_str().unwrap().to_string();
    let body = json!({"principalId": uid, "resourceId": graph_sp, "appRoleId": role});
    let (status, a) = g
        .post(
            &format!("/v1.0/users/{uid}/appRoleAssignments"),
            body.clone(),
        )
        .await;
    assert_eq!(status, 201, "{a}");
    assert_eq!(a["principalType"], "User");
    assert_eq!(a["principalDisplayName"], "assignee");
    assert_eq!(a["resourceDisplayName"], "Microsoft Graph");
    let aid = a["id"].as_str().unwrap().to_string();
    let (_, assigned_to) = g
        .get(&format!(
            "/v1.0/servicePrincipals/{graph_sp}/appRoleAssignedTo?$top=999"
        ))
        .await;
    assert!(ids(&assigned_to).contains(&aid), "the resource lists it");

    // Graph's errors: a duplicate, a role the resource does not define, an unknown resource.
    let (status, e) = g
        .post(
            &format!("/v1.0/servicePrincipals/{graph_sp}/appRoleAssignedTo"),
            body.clone(),
        )
        .await;
    assert_eq!(status, 400, "{e}");
    assert_eq!(
        e["error"]["message"],
        "Permission being assigned already exists on the object."
    );
    let mut unknown_role = body.clone();
    unknown_role["appRoleId"] = json!("11111111-2222-3333-4444-555555555555");
    let (status, e) = g
        .post(
            &format!("/v1.0/users/{uid}/appRoleAssignments"),
            unknown_role,
        )
        .await;
    assert_eq!(status, 400, "{e}");
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("Permission being assigned was not found on application"),
        "{e}"
    );
    let mut unknown_resource = body.clone();
    unknown_resource["resourceId"] = json!("11111111-2222-3333-4444-555555555555");
    let (status, e) = g
        .post(
            &format!("/v1.0/users/{uid}/appRoleAssignments"),
            unknown_resource,
        )
        .await;
    assert_eq!(status, 404, "{e}");

    // Removed from the resource's side, it is gone from the principal's too.
    assert_eq!(
        g.delete(&format!(
            "/v1.0/servicePrincipals/{graph_sp}/appRoleAssignedTo/{aid}"
        ))
        .await
        .0,
        204
    );
    let (_, mine) = g
        .get(&format!("/v1.0/users/{uid}/appRoleAssignments"))
        .await;
    assert!(!ids(&mine).contains(&aid), "{mine}");
}

#[tokio::test]
async fn an_rbac_role_assignment_shows_in_directory_roles_membership_and_pim() {
    let (s, g) = demo().await;
    // The demo's assignments each have a schedule instance.
    let (_, instances) = g
        .get("/v1.0/roleManagement/directory/roleAssignmentScheduleInstances?$top=999")
        .await;
    let (_, assignments) = g
        .get("/v1.0/roleManagement/directory/roleAssignments?$top=999")
        .await;
    assert_eq!(
        ids(&instances).len(),
        ids(&assignments).len(),
        "{instances}"
    );
    assert!(!ids(&instances).is_empty());

    let user = new_user(&g, &s.domain, "newadmin").await;
    let uid = user["id"].as_str().unwrap().to_string();
    // Exchange Recipient Administrator: not activated in the demo tenant.
    let role = "31392ffb-586c-42d1-9346-e59415a2cc4e";
    let body = json!({"principalId": uid, "roleDefinitionId": role, "directoryScopeId": "/"});
    let (status, a) = g
        .post(
            "/v1.0/roleManagement/directory/roleAssignments",
            body.clone(),
        )
        .await;
    assert_eq!(status, 201, "{a}");
    let aid = a["id"].as_str().unwrap().to_string();
    let (status, e) = g
        .post("/v1.0/roleManagement/directory/roleAssignments", body)
        .await;
    assert_eq!(status, 400, "a duplicate: {e}");

    let (_, roles) = g
        .get(&format!(
            "/v1.0/directoryRoles?$filter=roleTemplateId eq '{role}'"
        ))
        .await;
    let rid = roles["value"][0]["id"]
        .as_str()
        .expect("the role is activated")
        .to_string();
    let (_, members) = g.get(&format!("/v1.0/directoryRoles/{rid}/members")).await;
    assert_eq!(ids(&members), vec![uid.clone()]);
    let (_, member_of) = g.get(&format!("/v1.0/users/{uid}/memberOf")).await;
    assert!(ids(&member_of).contains(&rid), "{member_of}");
    let (_, mine) = g
        .get(&format!(
            "/v1.0/roleManagement/directory/roleAssignmentScheduleInstances?$filter=principalId eq '{uid}'"
        ))
        .await;
    assert_eq!(ids(&mine), vec![aid.clone()], "{mine}");
    assert_eq!(mine["value"][0]["assignmentType"], "Assigned");
    let (status, expanded) = g
        .get(&format!(
            "/v1.0/roleManagement/directory/roleAssignments?$filter=principalId eq '{uid}'&$expand=principal"
        ))
        .await;
    assert_eq!(status, 200, "{expanded}");
    assert_eq!(expanded["value"][0]["principal"]["id"], uid, "{expanded}");
    assert_eq!(
        expanded["value"][0]["principal"]["@odata.type"],
        "#microsoft.graph.user"
    );
    let (_, one) = g
        .get(&format!(
            "/v1.0/roleManagement/directory/roleAssignments/{aid}?$expand=roleDefinition"
        ))
        .await;
    assert_eq!(
        one["roleDefinition"]["displayName"], "Exchange Recipient Administrator",
        "{one}"
    );

    assert_eq!(
        g.delete(&format!(
            "/v1.0/roleManagement/directory/roleAssignments/{aid}"
        ))
        .await
        .0,
        204
    );
    let (_, members) = g.get(&format!("/v1.0/directoryRoles/{rid}/members")).await;
    assert!(ids(&members).is_empty(), "{members}");
    let (_, mine) = g
        .get(&format!(
            "/v1.0/roleManagement/directory/roleAssignmentScheduleInstances?$filter=principalId eq '{uid}'"
        ))
        .await;
    assert!(ids(&mine).is_empty(), "{mine}");
}

/// `consumedUnits` of SKU `sku`.
async fn consumed(g: &Graph, sku: &str) -> i64 {
    let (_, skus) = g.get("/v1.0/subscribedSkus").await;
    skus["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["skuId"] == sku)
        .and_then(|s| s["consumedUnits"].as_i64())
        .expect("the SKU")
}

#[tokio::test]
async fn licences_follow_graphs_rules_directly_and_through_groups() {
    let (s, g) = demo().await;
    // Every SKU's consumed units are the users holding it.
    let (_, users) = g
        .get("/v1.0/users?$top=999&$select=id,assignedLicenses")
        .await;
    let (_, skus) = g.get("/v1.0/subscribedSkus").await;
    for sku in skus["value"].as_array().unwrap() {
        let holders = users["value"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|u| {
                u["assignedLicenses"]
                    .as_array()
                    .is_some_and(|a| a.iter().any(|l| l["skuId"] == sku["skuId"]))
            })
            .count() as i64;
        assert_eq!(sku["consumedUnits"], holders, "{}", sku["skuPartNumber"]);
    }

    let e3 = "05e9a617-0261-4cee-bb44-138d3ef5d965";
    let p2 = "84a661c4-e949-4bd2-a560-ed7766fcaf2b";
    let user = new_user(&g, &s.domain, "licensee").await;
    let uid = user["id"].as_str().unwrap().to_string();
    let assign = format!("/v1.0/users/{uid}/assignLicense");
    let (status, e) = g
        .post(&assign, json!({"addLicenses": [{"skuId": e3}]}))
        .await;
    assert_eq!(status, 400);
    assert_eq!(
        e["error"]["message"],
        "One or more parameters of the operation 'assignLicense' are missing from the request payload. The missing parameters are: removeLicenses."
    );
    let (status, e) = g
        .post(
            &assign,
            json!({"addLicenses": [{"skuId": e3}], "removeLicenses": []}),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(
        e["error"]["message"],
        "License assignment cannot be done for user with invalid usage location."
    );
    assert_eq!(
        g.patch(
            &format!("/v1.0/users/{uid}"),
            json!({"usageLocation": "US"})
        )
        .await
        .0,
        204
    );
    let before = consumed(&g, e3).await;
    let (status, licensed) = g
        .post(
            &assign,
            json!({"addLicenses": [{"skuId": e3}], "removeLicenses": []}),
        )
        .await;
    assert_eq!(status, 200, "{licensed}");
    assert_eq!(consumed(&g, e3).await, before + 1);
    let (_, got) = g
        .get(&format!(
            "/v1.0/users/{uid}?$select=assignedLicenses,licenseAssignmentStates"
        ))
        .await;
    assert_eq!(got["assignedLicenses"][0]["skuId"], e3);
    assert!(
        got["licenseAssignmentStates"][0]["assignedByGroup"].is_null(),
        "{got}"
    );
    assert_eq!(got["licenseAssignmentStates"][0]["state"], "Active");

    // Group-based: the group consumes nothing, its members inherit.
    let group = new_group(&g, "licensed-group", false).await;
    let before = consumed(&g, p2).await;
    let (status, body) = g
        .post(
            &format!("/v1.0/groups/{group}/assignLicense"),
            json!({"addLicenses": [{"skuId": p2, "disabledPlans": []}], "removeLicenses": []}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(consumed(&g, p2).await, before, "a group holds no unit");
    add_member(&g, &group, &uid).await;
    assert_eq!(consumed(&g, p2).await, before + 1);
    let (_, got) = g
        .get(&format!(
            "/v1.0/users/{uid}?$select=assignedLicenses,licenseAssignmentStates"
        ))
        .await;
    let skus: Vec<&Value> = got["assignedLicenses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| &l["skuId"])
        .collect();
    assert_eq!(skus, [&json!(e3), &json!(p2)], "{got}");
    let inherited = got["licenseAssignmentStates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["skuId"] == p2)
        .expect("an inherited state");
    assert_eq!(inherited["assignedByGroup"], group);
    let (_, details) = g.get(&format!("/v1.0/users/{uid}/licenseDetails")).await;
    assert_eq!(ids(&details).len(), 2, "{details}");
    assert_eq!(
        g.delete(&format!("/v1.0/groups/{group}/members/{uid}/$ref"))
            .await
            .0,
        204
    );
    assert_eq!(consumed(&g, p2).await, before);
    let (_, got) = g
        .get(&format!("/v1.0/users/{uid}?$select=assignedLicenses"))
        .await;
    assert_eq!(
        got["assignedLicenses"].as_array().map(Vec::len),
        Some(1),
        "{got}"
    );
}

/// `assignedPlans` follow a user's licences (learn.microsoft.com/graph/api/resources/
/// assignedplan): the held SKUs' plans less the disabled ones, kept as `Deleted` once
/// removed; an `addLicenses` entry naming no SKU adds nothing (what `-AddLicenses @{}`, in
/// Microsoft's licence-removal example, sends).
#[tokio::test]
async fn assigned_plans_follow_licences_and_an_entry_without_a_sku_adds_nothing() {
    let (s, g) = demo().await;
    let e3 = DEMO_E3;
    let plans = sku_plans(&g, e3).await;
    let user = new_user(&g, &s.domain, "planned").await;
    let uid = user["id"].as_str().unwrap().to_string();
    g.patch(
        &format!("/v1.0/users/{uid}"),
        json!({"usageLocation": "US"}),
    )
    .await;
    let assign = format!("/v1.0/users/{uid}/assignLicense");
    let (status, body) = g
        .post(
            &assign,
            json!({"addLicenses": [{"skuId": e3, "disabledPlans": [plans[0]]}], "removeLicenses": []}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let held = |u: &Value, status: &str| -> Vec<String> {
        let mut v: Vec<String> = u["assignedPlans"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["capabilityStatus"] == status)
            .map(|p| p["servicePlanId"].as_str().unwrap().to_ascii_lowercase())
            .collect();
        v.sort();
        v
    };
    let (_, got) = g
        .get(&format!("/v1.0/users/{uid}?$select=assignedPlans"))
        .await;
    let mut want: Vec<String> = plans[1..].to_vec();
    want.sort();
    assert_eq!(held(&got, "Enabled"), want, "{got}");
    let plan = &got["assignedPlans"][0];
    assert!(plan["service"].is_string(), "{plan}");
    assert!(plan["assignedDateTime"].is_string(), "{plan}");

    // Removed with `addLicenses: [{}]`: nothing added, the plans kept as Deleted.
    let (status, body) = g
        .post(
            &assign,
            json!({"addLicenses": [{}], "removeLicenses": [e3]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (_, got) = g
        .get(&format!(
            "/v1.0/users/{uid}?$select=assignedPlans,assignedLicenses"
        ))
        .await;
    assert_eq!(got["assignedLicenses"], json!([]), "{got}");
    assert!(held(&got, "Enabled").is_empty(), "{got}");
    assert_eq!(held(&got, "Deleted"), want, "{got}");
}

/// Beta's default user projection: its larger set, the on-premises properties null where
/// unset, without what Graph returns only when selected (`signInActivity`).
#[tokio::test]
async fn beta_users_have_betas_default_properties() {
    let (_s, g) = demo().await;
    let (status, page) = g.get("/beta/users?$top=5").await;
    assert_eq!(status, 200, "{page}");
    for user in page["value"].as_array().unwrap() {
        for key in [
            "onPremisesImmutableId",
            "onPremisesSyncEnabled",
            "mobilePhone",
            "userType",
        ] {
            assert!(user.get(key).is_some(), "{key}: {user}");
        }
        assert!(user.get("signInActivity").is_none(), "{user}");
    }
    let (_, v1) = g.get("/v1.0/users?$top=1").await;
    assert!(
        v1["value"][0].get("onPremisesImmutableId").is_none(),
        "{v1}"
    );
}

/// A directory role's members by its template's alternate key, Graph's documented form
/// (`directoryRoles(roleTemplateId='...')/members`), as by the role's id.
#[tokio::test]
async fn role_members_by_template_id() {
    let (_s, g) = demo().await;
    let global_admin = "62e90394-69f5-4237-9190-012177145e10";
    let (status, by_template) = g
        .get(&format!(
            "/v1.0/directoryRoles(roleTemplateId='{global_admin}')/members?$select=id"
        ))
        .await;
    assert_eq!(status, 200, "{by_template}");
    let (_, role) = g
        .get(&format!(
            "/v1.0/directoryRoles(roleTemplateId='{global_admin}')"
        ))
        .await;
    let role_id = role["id"].as_str().expect("the role");
    let (_, by_id) = g
        .get(&format!(
            "/v1.0/directoryRoles/{role_id}/members?$select=id"
        ))
        .await;
    assert!(!ids(&by_template).is_empty(), "{by_template}");
    assert_eq!(ids(&by_template), ids(&by_id));
}

/// `$select=*` selects every structural property, not the default set, so a user's
/// `usageLocation` comes back; by user principal name it meets Graph's "Get By Key" 400, as
/// `Get-MgUser -UserId <upn> -Property *` does there (`*` includes `signInActivity`).
#[tokio::test]
async fn select_star_returns_every_property() {
    let (s, g) = demo().await;
    let user = new_user(&g, &s.domain, "starry").await;
    let uid = user["id"].as_str().unwrap().to_string();
    g.patch(
        &format!("/v1.0/users/{uid}"),
        json!({"usageLocation": "NL", "department": "Research"}),
    )
    .await;
    let (status, got) = g.get(&format!("/v1.0/users/{uid}?$select=*")).await;
    assert_eq!(status, 200, "{got}");
    assert_eq!(got["usageLocation"], "NL", "{got}");
    assert_eq!(got["department"], "Research", "{got}");
    for declared in ["employeeId", "createdDateTime", "accountEnabled"] {
        assert!(got.get(declared).is_some(), "{declared}: {got}");
    }
    assert!(
        got.get("manager").is_none(),
        "no navigation property: {got}"
    );
    let (status, list) = g.get("/v1.0/users?$select=*&$top=2").await;
    assert_eq!(status, 200, "{list}");
    assert!(list["value"][0].get("usageLocation").is_some(), "{list}");
    let upn = user["userPrincipalName"].as_str().unwrap();
    let (status, e) = g.get(&format!("/v1.0/users/{upn}?$select=*")).await;
    assert_eq!(status, 400, "{e}");
    assert_eq!(
        e["error"]["message"],
        "Get By Key only supports UserId and the key has to be a valid Guid"
    );
}

#[tokio::test]
async fn a_mailbox_has_its_folders_by_well_known_name_and_keeps_attachments() {
    let (s, g) = blank().await;
    let user = new_user(&g, &s.domain, "reader").await;
    let uid = user["id"].as_str().unwrap().to_string();
    let (status, folders) = g.get(&format!("/v1.0/users/{uid}/mailFolders")).await;
    assert_eq!(status, 200, "{folders}");
    let names: Vec<&str> = folders["value"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["displayName"].as_str())
        .collect();
    for want in [
        "Inbox",
        "Drafts",
        "Sent Items",
        "Deleted Items",
        "Junk Email",
        "Archive",
    ] {
        assert!(names.contains(&want), "{want}: {names:?}");
    }
    for (name, display) in [
        ("Inbox", "Inbox"),
        ("SentItems", "Sent Items"),
        ("DELETEDITEMS", "Deleted Items"),
    ] {
        let (status, f) = g
            .get(&format!("/v1.0/users/{uid}/mailFolders/{name}"))
            .await;
        assert_eq!(status, 200, "{name}: {f}");
        assert_eq!(f["displayName"], display);
    }
    assert_eq!(
        g.get(&format!("/v1.0/users/{uid}/mailFolders/NoSuchFolder"))
            .await
            .0,
        404
    );

    let (status, body) = g
        .post(
            &format!("/v1.0/users/{}/sendMail", s.admin_upn),
            json!({"message": {
                "subject": "Report", "body": {"contentType": "Text", "content": "attached"},
                "toRecipients": [{"emailAddress": {"address": format!("reader@{}", s.domain)}}],
                "attachments": [{
                    "@odata.type": "#microsoft.graph.fileAttachment", "name": "report.txt",
                    "contentType": "text/plain", "contentBytes": "aGVsbG8="
                }],
            }}),
        )
        .await;
    assert_eq!(status, 202, "{body}");
    let (status, inbox) = g
        .get(&format!(
            "/v1.0/users/{uid}/mailFolders/Inbox/messages?$select=subject,hasAttachments"
        ))
        .await;
    assert_eq!(status, 200, "{inbox}");
    let m = &inbox["value"][0];
    assert_eq!(m["subject"], "Report");
    assert_eq!(m["hasAttachments"], true);
    let mid = m["id"].as_str().expect("$select keeps the id");
    let (status, attachments) = g
        .get(&format!("/v1.0/users/{uid}/messages/{mid}/attachments"))
        .await;
    assert_eq!(status, 200, "{attachments}");
    let a = &attachments["value"][0];
    assert_eq!(a["name"], "report.txt");
    assert_eq!(a["size"], 5);
    assert_eq!(a["@odata.type"], "#microsoft.graph.fileAttachment");
}

#[tokio::test]
async fn extension_attributes_are_writable_on_cloud_users_only() {
    let (s, g) = demo().await;
    let user = new_user(&g, &s.domain, "cloudonly").await;
    let uid = user["id"].as_str().unwrap().to_string();
    let path = format!("/v1.0/users/{uid}");
    let (status, e) = g
        .patch(
            &path,
            json!({"onPremisesExtensionAttributes": {"extensionAttribute1": "Cost centre 42"}}),
        )
        .await;
    assert_eq!(status, 204, "{e}");
    let (_, got) = g
        .get(&format!("{path}?$select=onPremisesExtensionAttributes"))
        .await;
    let attributes = &got["onPremisesExtensionAttributes"];
    assert_eq!(attributes["extensionAttribute1"], "Cost centre 42");
    assert!(
        attributes["extensionAttribute2"].is_null() && attributes.as_object().unwrap().len() == 15
    );

    let (_, users) = g
        .get("/v1.0/users?$top=999&$select=id,onPremisesSyncEnabled")
        .await;
    let synced = users["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["onPremisesSyncEnabled"] == true)
        .and_then(|u| u["id"].as_str())
        .expect("a synced user in the demo tenant");
    let (status, e) = g
        .patch(
            &format!("/v1.0/users/{synced}"),
            json!({"onPremisesExtensionAttributes": {"extensionAttribute1": "x"}}),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(
        e["error"]["message"],
        "Unable to update the specified properties for on-premises mastered Directory Sync objects or objects currently undergoing migration."
    );
}

#[tokio::test]
async fn an_invitation_makes_a_pending_guest() {
    let (s, g) = blank().await;
    let (status, e) = g
        .post(
            "/v1.0/invitations",
            json!({"invitedUserEmailAddress": "ann@fabrikam.com"}),
        )
        .await;
    assert_eq!(status, 400, "a missing inviteRedirectUrl: {e}");
    let (status, inv) = g
        .post(
            "/v1.0/invitations",
            json!({"invitedUserEmailAddress": "ann@fabrikam.com", "inviteRedirectUrl": "https://myapps.microsoft.com"}),
        )
        .await;
    assert_eq!(status, 201, "{inv}");
    assert_eq!(inv["status"], "PendingAcceptance");
    assert_eq!(inv["invitedUserType"], "Guest");
    assert!(inv["inviteRedeemUrl"]
        .as_str()
        .unwrap()
        .starts_with("https://login.microsoftonline.com/redeem?"));
    let uid = inv["invitedUser"]["id"]
        .as_str()
        .expect("the guest")
        .to_string();
    let (status, guest) = g
        .get(&format!(
            "/v1.0/users/{uid}?$select=userPrincipalName,userType,externalUserState,mail"
        ))
        .await;
    assert_eq!(status, 200, "{guest}");
    assert_eq!(
        guest["userPrincipalName"],
        format!("ann_fabrikam.com#EXT#@{}", s.domain)
    );
    assert_eq!(guest["userType"], "Guest");
    assert_eq!(guest["externalUserState"], "PendingAcceptance");
    // Invited again: the same guest.
    let (_, again) = g
        .post(
            "/v1.0/invitations",
            json!({"invitedUserEmailAddress": "ann@fabrikam.com", "inviteRedirectUrl": "https://myapps.microsoft.com"}),
        )
        .await;
    assert_eq!(again["invitedUser"]["id"], uid);
}

async fn admin_graph(s: &mggraph::sandbox::Sandbox, scopes: &str) -> Graph {
    let token = user_token(s, &s.admin_upn, scopes).await;
    Graph {
        base: s.base_url.clone(),
        token: token["access_token"].as_str().unwrap().to_string(),
    }
}

/// Deep insert (group-post-conversations, group-post-threads): a conversation created with
/// its thread and post, and a thread with its post; each child is read at its own path. A
/// navigation property that is not containment is still refused.
#[tokio::test]
async fn a_conversation_is_created_with_its_threads_and_posts_inline() {
    let (s, app) = blank().await;
    let gid = new_group(&app, "headcount", true).await;
    // Graph lets no app write group conversations: a member of staff does (delegated).
    let g = admin_graph(&s, "Group.ReadWrite.All").await;
    let (status, conversation) = g
        .post(
            &format!("/v1.0/groups/{gid}/conversations"),
            json!({"topic": "New head count", "threads": [{"posts": [{
                "body": {"contentType": "html", "content": "The confirmation will come by the end of the week."},
                "newParticipants": [{"emailAddress": {"name": "Adele Vance", "address": "AdeleV@contoso.com"}}],
            }]}]}),
        )
        .await;
    assert_eq!(status, 201, "{conversation}");
    assert!(conversation.get("threads").is_none(), "{conversation}");
    let cid = conversation["id"].as_str().unwrap();
    let threads = format!("/v1.0/groups/{gid}/conversations/{cid}/threads");
    let (status, listed) = g.get(&threads).await;
    assert_eq!(status, 200, "{listed}");
    let tids = ids(&listed);
    assert_eq!(tids.len(), 1, "{listed}");
    let (status, posts) = g.get(&format!("{threads}/{}/posts", tids[0])).await;
    assert_eq!(status, 200, "{posts}");
    assert_eq!(ids(&posts).len(), 1, "{posts}");
    assert_eq!(
        posts["value"][0]["body"]["content"],
        "The confirmation will come by the end of the week."
    );
    let pid = &ids(&posts)[0];
    let (status, post) = g.get(&format!("{threads}/{}/posts/{pid}", tids[0])).await;
    assert_eq!(status, 200, "{post}");
    assert_eq!(
        post["newParticipants"][0]["emailAddress"]["address"],
        "AdeleV@contoso.com"
    );

    let (status, thread) = g
        .post(
            &format!("/v1.0/groups/{gid}/threads"),
            json!({"topic": "Quarterly review", "posts": [{"body": {"contentType": "text", "content": "Agenda attached"}}]}),
        )
        .await;
    assert_eq!(status, 201, "{thread}");
    let (_, posts) = g
        .get(&format!(
            "/v1.0/groups/{gid}/threads/{}/posts",
            thread["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(
        posts["value"][0]["body"]["content"], "Agenda attached",
        "{posts}"
    );

    // Inline children are checked as creates of their own type.
    let (status, e) = g
        .post(
            &format!("/v1.0/groups/{gid}/threads"),
            json!({"topic": "Bad", "posts": [{"noSuchProperty": 1}]}),
        )
        .await;
    assert_eq!(status, 400, "{e}");
    // An application's `owners` are links, not containment: refused inline, and nothing is
    // made.
    let (status, e) = app
        .post(
            "/v1.0/applications",
            json!({"displayName": "Inline owners", "owners": [{"id": s.admin_upn}]}),
        )
        .await;
    assert_eq!(status, 400, "{e}");
    assert!(
        e["error"]["message"].as_str().unwrap().contains("owners"),
        "{e}"
    );
    let (_, apps) = app
        .get("/v1.0/applications?$filter=displayName eq 'Inline owners'")
        .await;
    assert_eq!(apps["value"], json!([]), "{apps}");
    let (_, all) = g.get(&format!("/v1.0/groups/{gid}/threads")).await;
    assert_eq!(ids(&all).len(), 1, "{all}");
}

/// authenticationmethod-resetpassword and passwordauthenticationmethod-get: a user's one
/// password method (Graph's well-known id), and an administrator's reset, to a given or a
/// generated password, answered 202 with the operation's Location.
#[tokio::test]
async fn a_password_is_reset_through_the_password_method() {
    const PASSWORD: &str = "28c10230-6103-485e-b985-444c60001490";
    let (s, g) = demo().await;
    let user = new_user(&g, &s.domain, "forgetful").await;
    let uid = user["id"].as_str().unwrap().to_string();
    let admin = admin_graph(&s, "UserAuthenticationMethod.ReadWrite.All").await;
    let base = format!("/v1.0/users/{uid}/authentication");
    let (status, listed) = admin.get(&format!("{base}/passwordMethods")).await;
    assert_eq!(status, 200, "{listed}");
    assert_eq!(ids(&listed), vec![PASSWORD.to_string()]);
    let (status, one) = admin
        .get(&format!("{base}/passwordMethods/{PASSWORD}"))
        .await;
    assert_eq!(status, 200, "{one}");
    assert_eq!(one["id"], PASSWORD);
    assert!(one["password"].is_null(), "never shown: {one}");
    assert_eq!(
        admin
            .get(&format!("{base}/passwordMethods/{}", uuid_like()))
            .await
            .0,
        404
    );

    let reset = format!("{base}/methods/{PASSWORD}/resetPassword");
    let (status, headers, body) = admin
        .send(reqwest::Method::POST, &reset, Some(json!({})))
        .await;
    assert_eq!(status, 202, "{body}");
    let generated = body["newPassword"].as_str().expect("a generated password");
    assert!(generated.len() >= 8, "{body}");
    let location = headers["location"].to_str().unwrap().to_string();
    assert!(
        location.contains(&format!("/users/{uid}/authentication/operations/")),
        "{location}"
    );
    let (status, operation) = admin
        .get(location.trim_start_matches(s.base_url.as_str()))
        .await;
    assert_eq!(status, 200, "{operation}");
    assert_eq!(operation["status"], "succeeded", "{operation}");

    let (status, _, body) = admin
        .send(
            reqwest::Method::POST,
            &reset,
            Some(json!({"newPassword": "Cuyo5459-Longer!"})),
        )
        .await;
    assert_eq!(status, 202, "{body}");
    assert!(body["newPassword"].is_null(), "{body}");
    let (status, e) = admin.post(&reset, json!({"newPassword": "abc"})).await;
    assert_eq!(status, 400, "{e}");
    let (status, e) = admin
        .post(
            &format!("{base}/methods/{}/resetPassword", uuid_like()),
            json!({}),
        )
        .await;
    assert_eq!(status, 404, "{e}");
}

fn uuid_like() -> String {
    "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0".to_string()
}

/// Directory extensions (extensibility-overview, application-post-extensionproperty,
/// directoryobject-getavailableextensionproperties): Graph's name, the listing, writes and
/// `$select` on users, and the refusal of an undeclared or withdrawn one.
#[tokio::test]
async fn a_directory_extension_is_declared_written_selected_and_withdrawn() {
    let (s, g) = blank().await;
    let (status, app) = g
        .post("/v1.0/applications", json!({"displayName": "Extensions"}))
        .await;
    assert_eq!(status, 201, "{app}");
    let (oid, app_id) = (
        app["id"].as_str().unwrap().to_string(),
        app["appId"].as_str().unwrap().to_string(),
    );
    let (status, ext) = g
        .post(
            &format!("/v1.0/applications/{oid}/extensionProperties"),
            json!({"name": "skypeId", "dataType": "String", "targetObjects": ["User"]}),
        )
        .await;
    assert_eq!(status, 201, "{ext}");
    let name = format!("extension_{}_skypeId", app_id.replace('-', ""));
    assert_eq!(ext["name"], name.as_str(), "{ext}");
    assert_eq!(ext["appDisplayName"], "Extensions");
    assert_eq!(ext["isMultiValued"], false);
    let (status, available) = g
        .post(
            "/v1.0/directoryObjects/getAvailableExtensionProperties",
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{available}");
    assert!(
        available["value"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["name"] == name.as_str()),
        "{available}"
    );

    let user = new_user(&g, &s.domain, "skyper").await;
    let path = format!("/v1.0/users/{}", user["id"].as_str().unwrap());
    let (status, e) = g.patch(&path, json!({ &name: "skype.alex" })).await;
    assert_eq!(status, 204, "{e}");
    let (status, read) = g.get(&format!("{path}?$select=id,{name}")).await;
    assert_eq!(status, 200, "{read}");
    assert_eq!(read[&name], "skype.alex", "{read}");
    // A value of another type than declared.
    let (status, e) = g.patch(&path, json!({ &name: 42 })).await;
    assert_eq!(status, 400, "{e}");

    let undeclared = format!("extension_{}_nope", app_id.replace('-', ""));
    let (status, e) = g.patch(&path, json!({ &undeclared: "x" })).await;
    assert_eq!(status, 400, "{e}");
    assert_eq!(
        e["error"]["message"],
        format!(
            "Property '{undeclared}' does not exist as a declared property or extension property."
        )
    );
    // Declared for users only: a group may not carry it.
    let gid = new_group(&g, "skypers", false).await;
    let (status, e) = g
        .patch(&format!("/v1.0/groups/{gid}"), json!({ &name: "x" }))
        .await;
    assert_eq!(status, 400, "{e}");

    let (status, e) = g
        .delete(&format!(
            "/v1.0/applications/{oid}/extensionProperties/{}",
            ext["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(status, 204, "{e}");
    let (status, e) = g.patch(&path, json!({ &name: "again" })).await;
    assert_eq!(status, 400, "withdrawn: {e}");
}

/// directoryrole-post-members, directoryrole-delete-member and
/// rbacapplication-post-roleassignments kept as one; a deleted user's role and app-role
/// assignments leave with them and come back on restore; unknown references are Graph's 404.
#[tokio::test]
async fn directory_role_members_are_rbac_assignments() {
    let (s, g) = demo().await;
    let user = new_user(&g, &s.domain, "roleholder").await;
    let uid = user["id"].as_str().unwrap().to_string();
    let ga = "62e90394-69f5-4237-9190-012177145e10";
    let (_, roles) = g
        .get(&format!(
            "/v1.0/directoryRoles?$filter=roleTemplateId eq '{ga}'"
        ))
        .await;
    let rid = roles["value"][0]["id"].as_str().unwrap().to_string();
    let members = format!("/v1.0/directoryRoles/{rid}/members");
    let link =
        json!({"@odata.id": format!("https://graph.microsoft.com/v1.0/directoryObjects/{uid}")});
    let mine =
        format!("/v1.0/roleManagement/directory/roleAssignments?$filter=principalId eq '{uid}'");

    let (status, e) = g.post(&format!("{members}/$ref"), link.clone()).await;
    assert_eq!(status, 204, "{e}");
    let (_, assigned) = g.get(&mine).await;
    assert_eq!(ids(&assigned).len(), 1, "{assigned}");
    assert_eq!(assigned["value"][0]["roleDefinitionId"], ga);
    assert_eq!(assigned["value"][0]["directoryScopeId"], "/");
    let (_, listed) = g.get(&members).await;
    assert!(ids(&listed).contains(&uid), "{listed}");
    let (status, e) = g.post(&format!("{members}/$ref"), link.clone()).await;
    assert_eq!(status, 400, "already a member: {e}");

    let (status, e) = g.delete(&format!("{members}/{uid}/$ref")).await;
    assert_eq!(status, 204, "{e}");
    let (_, assigned) = g.get(&mine).await;
    assert!(ids(&assigned).is_empty(), "{assigned}");
    let (_, listed) = g.get(&members).await;
    assert!(!ids(&listed).contains(&uid), "{listed}");
    let (status, _) = g.delete(&format!("{members}/{uid}/$ref")).await;
    assert_eq!(status, 404);

    // Unknown role definition, unknown principal.
    let unknown = "11111111-2222-3333-4444-555555555555";
    for body in [
        json!({"principalId": uid, "roleDefinitionId": unknown, "directoryScopeId": "/"}),
        json!({"principalId": unknown, "roleDefinitionId": ga, "directoryScopeId": "/"}),
    ] {
        let (status, e) = g
            .post("/v1.0/roleManagement/directory/roleAssignments", body)
            .await;
        assert_eq!(status, 404, "{e}");
        assert_eq!(e["error"]["code"], "Request_ResourceNotFound", "{e}");
        assert_eq!(
            e["error"]["message"],
            format!("Resource '{unknown}' does not exist or one of its queried reference-property objects are not present.")
        );
    }

    // A deleted user's assignments leave with them.
    let (status, e) = g.post(&format!("{members}/$ref"), link).await;
    assert_eq!(status, 204, "{e}");
    let (_, sps) = g
        .get("/v1.0/servicePrincipals?$filter=displayName eq 'Microsoft Graph'")
        .await;
    let graph_sp = sps["value"][0]["id"].as_str().unwrap().to_string();
    grant_app_role(&g, &uid, &graph_sp).await;
    let assigned_to = format!("/v1.0/servicePrincipals/{graph_sp}/appRoleAssignedTo?$top=999");
    let holds = |page: &Value| page_has(page, "principalId", &uid);
    assert!(holds(&g.get(&assigned_to).await.1));
    assert_eq!(g.delete(&format!("/v1.0/users/{uid}")).await.0, 204);
    let (_, assigned) = g.get(&mine).await;
    assert!(ids(&assigned).is_empty(), "{assigned}");
    assert!(!holds(&g.get(&assigned_to).await.1));
    let (_, listed) = g.get(&members).await;
    assert!(!ids(&listed).contains(&uid), "{listed}");
    // ... and come back with them.
    let (status, e) = try_restore(&g, &uid).await;
    assert_eq!(status, 200, "{e}");
    let (_, assigned) = g.get(&mine).await;
    assert_eq!(ids(&assigned).len(), 1, "{assigned}");
    assert!(holds(&g.get(&assigned_to).await.1));
    let (_, listed) = g.get(&members).await;
    assert!(ids(&listed).contains(&uid), "{listed}");
}

/// serviceprincipal-post-serviceprincipals: the service principal takes the application's
/// name, audience, app roles and delegated permissions.
#[tokio::test]
async fn a_service_principal_copies_its_application() {
    let (_s, g) = blank().await;
    let role = json!({"id": "6b6bd0d4-3a0c-4b1a-8f43-5a0d7c0e4d31", "allowedMemberTypes": ["User"],
                      "displayName": "Payroll reader", "description": "Reads payroll",
                      "value": "Payroll.Read", "isEnabled": true});
    let scope = json!({"id": "9a1f3e4c-7b6d-4e5f-8a9b-0c1d2e3f4a5b", "type": "User",
                       "adminConsentDisplayName": "Read payroll", "adminConsentDescription": "Reads payroll",
                       "userConsentDisplayName": "Read payroll", "userConsentDescription": "Reads payroll",
                       "value": "payroll.read", "isEnabled": true});
    let (app, sp) = new_service_principal(
        &g,
        json!({"displayName": "Payroll API", "signInAudience": "AzureADMultipleOrgs",
               "appRoles": [role], "api": {"oauth2PermissionScopes": [scope]}}),
    )
    .await;
    let (_, sp) = g
        .get(&format!(
            "/v1.0/servicePrincipals/{}",
            sp["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(sp["displayName"], "Payroll API", "{sp}");
    assert_eq!(sp["appDisplayName"], "Payroll API");
    assert_eq!(sp["signInAudience"], "AzureADMultipleOrgs");
    assert_eq!(sp["appRoles"], app["appRoles"], "{sp}");
    assert_eq!(
        sp["oauth2PermissionScopes"], app["api"]["oauth2PermissionScopes"],
        "{sp}"
    );
    assert_eq!(sp["appRoles"][0]["value"], "Payroll.Read");
}

/// directory-deleteditems-restore with `newUserPrincipalName`: the user comes back under the
/// new name; a name a live user holds is refused and the user stays deleted.
#[tokio::test]
async fn a_user_is_restored_under_a_new_name() {
    let (s, g) = blank().await;
    let user = new_user(&g, &s.domain, "mover").await;
    let id = user["id"].as_str().unwrap().to_string();
    assert_eq!(g.delete(&format!("/v1.0/users/{id}")).await.0, 204);
    let other = new_user(&g, &s.domain, "taken").await;
    let restore = format!("/v1.0/directory/deletedItems/{id}/restore");
    let (status, e) = g
        .post(
            &restore,
            json!({"newUserPrincipalName": other["userPrincipalName"]}),
        )
        .await;
    assert_eq!(status, 400, "{e}");
    assert_eq!(e["error"]["details"][0]["code"], "ObjectConflict", "{e}");
    assert_eq!(
        g.get(&format!("/v1.0/directory/deletedItems/{id}")).await.0,
        200
    );
    let (status, e) = g
        .post(
            &restore,
            json!({"newUserPrincipalName": "moved@unverified.example"}),
        )
        .await;
    assert_eq!(status, 400, "{e}");

    let moved = format!("moved@{}", s.domain);
    let (status, restored) = g
        .post(&restore, json!({"newUserPrincipalName": moved}))
        .await;
    assert_eq!(status, 200, "{restored}");
    assert_eq!(restored["userPrincipalName"], moved.as_str());
    let (status, back) = g.get(&format!("/v1.0/users/{moved}")).await;
    assert_eq!(status, 200, "{back}");
    assert_eq!(back["id"], id.as_str());
    assert_eq!(
        g.get(&format!("/v1.0/users/mover@{}", s.domain)).await.0,
        404
    );
}

/// conditionalaccessroot-evaluate: each policy weighed against the sign-in, with
/// `policyApplies` and Graph's analysis reasons; `appliedPoliciesOnly` keeps the ones that
/// apply.
#[tokio::test]
async fn what_if_applies_the_tenants_conditional_access_policies() {
    let (s, g) = blank().await;
    let finance_user = new_user(&g, &s.domain, "accountant").await;
    let outsider = new_user(&g, &s.domain, "visitor").await;
    let (fid, oid) = (
        finance_user["id"].as_str().unwrap().to_string(),
        outsider["id"].as_str().unwrap().to_string(),
    );
    let finance = new_group(&g, "finance", false).await;
    add_member(&g, &finance, &fid).await;
    const EXCHANGE: &str = "00000002-0000-0ff1-ce00-000000000000";
    let users = |include_users: Value, exclude_users: Value, include_groups: Value| {
        json!({"includeUsers": include_users, "excludeUsers": exclude_users,
               "includeGroups": include_groups, "excludeGroups": [],
               "includeRoles": [], "excludeRoles": []})
    };
    for (name, state, users, apps, client_apps, grant) in [
        (
            "MFA for finance on Exchange",
            "enabled",
            users(json!([]), json!([]), json!([finance])),
            json!([EXCHANGE]),
            json!(["browser", "mobileAppsAndDesktopClients"]),
            "mfa",
        ),
        (
            "Block legacy authentication",
            "enabled",
            users(json!(["All"]), json!([oid]), json!([])),
            json!(["All"]),
            json!(["exchangeActiveSync", "other"]),
            "block",
        ),
        (
            "Switched off",
            "disabled",
            users(json!(["All"]), json!([]), json!([])),
            json!(["All"]),
            json!(["all"]),
            "block",
        ),
    ] {
        let (status, p) = g
            .post(
                "/v1.0/identity/conditionalAccess/policies",
                json!({"displayName": name, "state": state,
                       "conditions": {"users": users, "clientAppTypes": client_apps,
                                      "applications": {"includeApplications": apps, "excludeApplications": [], "includeUserActions": []}},
                       "grantControls": {"operator": "OR", "builtInControls": [grant]}}),
            )
            .await;
        assert_eq!(status, 201, "{p}");
    }
    let what_if = |user: &str, client_app: &str, applied_only: bool| {
        json!({
            "signInIdentity": {"@odata.type": "#microsoft.graph.userSignIn", "userId": user},
            "signInContext": {"@odata.type": "#microsoft.graph.applicationContext", "includeApplications": [EXCHANGE]},
            "signInConditions": {"clientAppType": client_app, "devicePlatform": "windows"},
            "appliedPoliciesOnly": applied_only,
        })
    };
    let verdicts = |page: &Value| -> Vec<(String, bool, String)> {
        let mut v: Vec<_> = page["value"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["displayName"].as_str().unwrap().to_string(),
                    r["policyApplies"].as_bool().unwrap(),
                    r["analysisReasons"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        v.sort();
        v
    };
    let evaluate = "/v1.0/identity/conditionalAccess/evaluate";
    let row = |n: &str, applies: bool, why: &str| (n.to_string(), applies, why.to_string());

    let (status, r) = g.post(evaluate, what_if(&fid, "browser", false)).await;
    assert_eq!(status, 200, "{r}");
    assert_eq!(
        verdicts(&r),
        vec![
            row("Block legacy authentication", false, "clientApps"),
            row("MFA for finance on Exchange", true, "notSet"),
            row("Switched off", false, "policyNotEnabled"),
        ],
        "{r}"
    );
    assert_eq!(r["value"][0]["grantControls"]["operator"], "OR", "{r}");

    let (_, r) = g
        .post(evaluate, what_if(&fid, "exchangeActiveSync", true))
        .await;
    assert_eq!(
        verdicts(&r),
        vec![row("Block legacy authentication", true, "notSet")],
        "{r}"
    );

    let (_, r) = g
        .post(evaluate, what_if(&oid, "exchangeActiveSync", false))
        .await;
    assert_eq!(
        verdicts(&r),
        vec![
            row("Block legacy authentication", false, "users"),
            row("MFA for finance on Exchange", false, "users,clientApps"),
            row("Switched off", false, "policyNotEnabled"),
        ],
        "{r}"
    );
}

/// Deleting a role-assignable group or a service principal withdraws the role assignments it
/// holds, and a service principal's deletion withdraws the app-role assignments granted on it
/// from their principals; restore puts each back. The older `$ref?$id=` removal of a
/// directory role's member ends the RBAC assignment too.
#[tokio::test]
async fn deleted_groups_and_service_principals_take_their_assignments_along() {
    let (s, g) = demo().await;
    let ga = "62e90394-69f5-4237-9190-012177145e10";
    let of = |principal: &str| {
        format!(
            "/v1.0/roleManagement/directory/roleAssignments?$filter=principalId eq '{principal}'"
        )
    };

    // A role-assignable group holding Global Administrator.
    let (status, group) = g
        .post(
            "/v1.0/groups",
            json!({"displayName": "Admins", "mailNickname": "admins", "mailEnabled": true,
                   "securityEnabled": true, "groupTypes": ["Unified"], "isAssignableToRole": true}),
        )
        .await;
    assert_eq!(status, 201, "{group}");
    let gid = group["id"].as_str().unwrap().to_string();
    assign_global_admin(&g, &gid).await;
    assert_eq!(ids(&g.get(&of(&gid)).await.1).len(), 1);
    assert_eq!(g.delete(&format!("/v1.0/groups/{gid}")).await.0, 204);
    assert!(ids(&g.get(&of(&gid)).await.1).is_empty());
    let _ = restore(&g, &gid).await;
    assert_eq!(ids(&g.get(&of(&gid)).await.1).len(), 1);

    // A service principal: a role it holds, and an app role granted on it to a user.
    let (_, sp) = new_service_principal(&g, json!({"displayName": "Resource app"})).await;
    let spid = sp["id"].as_str().unwrap().to_string();
    assign_global_admin(&g, &spid).await;
    let user = new_user(&g, &s.domain, "granted").await;
    let uid = user["id"].as_str().unwrap().to_string();
    grant_app_role(&g, &uid, &spid).await;
    let held = format!("/v1.0/users/{uid}/appRoleAssignments");
    let holds = |page: &Value| page_has(page, "resourceId", &spid);
    assert!(holds(&g.get(&held).await.1));
    assert_eq!(ids(&g.get(&of(&spid)).await.1).len(), 1);
    assert_eq!(
        g.delete(&format!("/v1.0/servicePrincipals/{spid}")).await.0,
        204
    );
    assert!(ids(&g.get(&of(&spid)).await.1).is_empty());
    assert!(!holds(&g.get(&held).await.1), "the grant left the user");
    let _ = restore(&g, &spid).await;
    assert_eq!(ids(&g.get(&of(&spid)).await.1).len(), 1);
    assert!(holds(&g.get(&held).await.1), "and came back");
    let (_, to) = g
        .get(&format!("/v1.0/servicePrincipals/{spid}/appRoleAssignedTo"))
        .await;
    assert!(
        to["value"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["principalId"] == uid.as_str()),
        "{to}"
    );

    // directoryRoles/{id}/members/$ref?$id=... (the older form) removes the assignment.
    let (_, roles) = g
        .get(&format!(
            "/v1.0/directoryRoles?$filter=roleTemplateId eq '{ga}'"
        ))
        .await;
    let rid = roles["value"][0]["id"].as_str().unwrap().to_string();
    let link =
        json!({"@odata.id": format!("https://graph.microsoft.com/v1.0/directoryObjects/{uid}")});
    let (status, e) = g
        .post(&format!("/v1.0/directoryRoles/{rid}/members/$ref"), link)
        .await;
    assert_eq!(status, 204, "{e}");
    assert_eq!(ids(&g.get(&of(&uid)).await.1).len(), 1);
    let (status, e) = g
        .delete(&format!(
            "/v1.0/directoryRoles/{rid}/members/$ref?$id=https://graph.microsoft.com/v1.0/directoryObjects/{uid}"
        ))
        .await;
    assert_eq!(status, 204, "{e}");
    assert!(ids(&g.get(&of(&uid)).await.1).is_empty());
}

/// The ids of a group's (or user's) links `nav`.
async fn linked(g: &Graph, owner: &str, nav: &str) -> Vec<String> {
    let (status, page) = g.get(&format!("/v1.0/{owner}/{nav}")).await;
    assert_eq!(status, 200, "{owner}/{nav}: {page}");
    let mut out = ids(&page);
    out.sort();
    out
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

/// `nav@odata.bind` on POST and PATCH (group-post-groups, group-update "add multiple
/// members"): the links are made as `.../$ref` makes them, with its errors, from Graph URLs
/// and the sandbox's own, and the annotation is not kept as a property.
#[tokio::test]
async fn odata_bind_links_members_owners_and_manager_on_create_and_update() {
    let (s, g) = blank().await;
    let mut u = vec![];
    for nick in ["bind1", "bind2", "bind3"] {
        u.push(
            new_user(&g, &s.domain, nick).await["id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    let graph_url = |set: &str, id: &str| format!("https://graph.microsoft.com/v1.0/{set}/{id}");

    // Create: owners and members bound.
    let (status, group) = g
        .post(
            "/v1.0/groups",
            json!({"displayName": "Bound", "mailNickname": "bound", "mailEnabled": false,
                   "securityEnabled": true,
                   "owners@odata.bind": [graph_url("users", &u[0])],
                   "members@odata.bind": [graph_url("directoryObjects", &u[1])]}),
        )
        .await;
    assert_eq!(status, 201, "{group}");
    let gid = group["id"].as_str().unwrap().to_string();
    let at = format!("groups/{gid}");
    assert_eq!(linked(&g, &at, "owners").await, vec![u[0].clone()]);
    assert_eq!(linked(&g, &at, "members").await, vec![u[1].clone()]);

    // Update: members from a Graph URL and from the sandbox's own base URL.
    let (status, e) = g
        .patch(
            &format!("/v1.0/groups/{gid}"),
            json!({"members@odata.bind": [
                graph_url("directoryObjects", &u[0]),
                format!("{}/v1.0/users('{}')", s.base_url, u[2]),
            ]}),
        )
        .await;
    assert_eq!(status, 204, "{e}");
    assert_eq!(linked(&g, &at, "members").await, sorted(u.clone()));
    let (_, member_of) = g.get(&format!("/v1.0/users/{}/memberOf", u[2])).await;
    assert_eq!(ids(&member_of), vec![gid.clone()], "memberOf sees it");
    let (_, owners) = g
        .patch(
            &format!("/v1.0/groups/{gid}"),
            json!({"owners@odata.bind": [graph_url("users", &u[1])], "description": "bound"}),
        )
        .await;
    assert_eq!(owners, Value::Null);
    assert_eq!(
        linked(&g, &at, "owners").await,
        sorted(vec![u[0].clone(), u[1].clone()])
    );
    // ownedObjects is the inverse of owners.
    assert_eq!(
        linked(&g, &format!("users/{}", u[1]), "ownedObjects").await,
        vec![gid.clone()]
    );

    // The annotations are not properties.
    let (_, full) = g.get(&format!("/beta/groups/{gid}")).await;
    assert_eq!(full["description"], "bound");
    assert!(
        full.as_object()
            .unwrap()
            .keys()
            .all(|k| !k.contains("@odata.bind")),
        "{full}"
    );

    // $ref's errors, and nothing linked when one reference fails.
    let missing = "00000000-0000-0000-0000-00000000beef";
    let (status, e) = g
        .patch(
            &format!("/v1.0/groups/{gid}"),
            json!({"owners@odata.bind": [graph_url("users", &u[2]), graph_url("directoryObjects", missing)]}),
        )
        .await;
    assert_eq!(status, 404, "{e}");
    assert_eq!(e["error"]["code"], "Request_ResourceNotFound");
    assert_eq!(linked(&g, &at, "owners").await.len(), 2, "all or nothing");
    let (status, e) = g
        .patch(
            &format!("/v1.0/groups/{gid}"),
            json!({"members@odata.bind": [graph_url("directoryObjects", &u[1])]}),
        )
        .await;
    assert_eq!(status, 400, "{e}");
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .contains("One or more added object references already exist"),
        "{e}"
    );
    let (status, e) = g
        .post(
            "/v1.0/groups",
            json!({"displayName": "Unbound", "mailNickname": "unbound", "mailEnabled": false,
                   "securityEnabled": true,
                   "members@odata.bind": [graph_url("directoryObjects", missing)]}),
        )
        .await;
    assert_eq!(status, 404, "{e}");
    let (_, found) = g.get("/v1.0/groups?$filter=displayName eq 'Unbound'").await;
    assert!(ids(&found).is_empty(), "no group is left half made");

    // A single-valued link: the manager, with directReports its inverse.
    let (status, e) = g
        .patch(
            &format!("/v1.0/users/{}", u[2]),
            json!({"manager@odata.bind": graph_url("users", &u[0]), "jobTitle": "Clerk"}),
        )
        .await;
    assert_eq!(status, 204, "{e}");
    let (status, manager) = g.get(&format!("/v1.0/users/{}/manager", u[2])).await;
    assert_eq!(status, 200, "{manager}");
    assert_eq!(manager["id"], u[0].as_str());
    // Not a containment: Graph names the set the relationship is bound to.
    assert!(
        manager["@odata.context"]
            .as_str()
            .is_some_and(|c| c.ends_with("/$metadata#directoryObjects/$entity")),
        "{manager}"
    );
    let (_, user) = g.get(&format!("/v1.0/users/{}", u[2])).await;
    assert!(
        user["@odata.context"]
            .as_str()
            .is_some_and(|c| c.ends_with("/$metadata#users/$entity")),
        "{user}"
    );
    assert_eq!(
        linked(&g, &format!("users/{}", u[0]), "directReports").await,
        vec![u[2].clone()]
    );
    let (_, user) = g.get(&format!("/beta/users/{}", u[2])).await;
    assert_eq!(user["jobTitle"], "Clerk");
    assert!(user.get("manager@odata.bind").is_none(), "{user}");
}

/// `servicePrincipals/{id}/oauth2PermissionGrants` and `users/{id}/oauth2PermissionGrants`
/// are the grants whose `clientId` (`principalId`) is the object
/// (serviceprincipal-list-oauth2permissiongrants, user-list-oauth2permissiongrants).
#[tokio::test]
async fn oauth2_permission_grants_are_listed_from_their_client_and_principal() {
    let (s, g) = blank().await;
    let (_, client) = new_service_principal(&g, json!({"displayName": "Client app"})).await;
    let (_, resource) = new_service_principal(&g, json!({"displayName": "Resource api"})).await;
    let (client, resource) = (
        client["id"].as_str().unwrap().to_string(),
        resource["id"].as_str().unwrap().to_string(),
    );
    let user = new_user(&g, &s.domain, "consenting").await;
    let uid = user["id"].as_str().unwrap().to_string();
    let mut grants = vec![];
    for body in [
        json!({"clientId": client, "consentType": "AllPrincipals", "resourceId": resource,
               "scope": "User.Read"}),
        json!({"clientId": client, "consentType": "Principal", "principalId": uid,
               "resourceId": resource, "scope": "Mail.Read"}),
    ] {
        let (status, grant) = g.post("/v1.0/oauth2PermissionGrants", body).await;
        assert_eq!(status, 201, "{grant}");
        grants.push(grant["id"].as_str().unwrap().to_string());
    }
    let of_client = format!("servicePrincipals/{client}");
    assert_eq!(
        linked(&g, &of_client, "oauth2PermissionGrants").await,
        sorted(grants.clone())
    );
    assert!(
        linked(
            &g,
            &format!("servicePrincipals/{resource}"),
            "oauth2PermissionGrants"
        )
        .await
        .is_empty(),
        "the resource is not the client"
    );
    assert_eq!(
        linked(&g, &format!("users/{uid}"), "oauth2PermissionGrants").await,
        vec![grants[1].clone()]
    );
    let (status, one) = g
        .get(&format!(
            "/v1.0/servicePrincipals/{client}/oauth2PermissionGrants/{}",
            grants[1]
        ))
        .await;
    assert_eq!(status, 200, "{one}");
    assert_eq!(one["scope"], "Mail.Read");
    let (_, filtered) = g
        .get(&format!(
            "/v1.0/servicePrincipals/{client}/oauth2PermissionGrants?$filter=consentType eq 'AllPrincipals'"
        ))
        .await;
    assert_eq!(ids(&filtered), vec![grants[0].clone()]);
    // A revoked grant leaves the lists.
    assert_eq!(
        g.delete(&format!("/v1.0/oauth2PermissionGrants/{}", grants[1]))
            .await
            .0,
        204
    );
    assert!(
        linked(&g, &format!("users/{uid}"), "oauth2PermissionGrants")
            .await
            .is_empty()
    );
}

/// A Microsoft 365 group created without `visibility` is `Public` (group-post-groups);
/// security groups keep null, and a given visibility is kept.
#[tokio::test]
async fn a_new_microsoft_365_group_is_public_unless_told_otherwise() {
    let (_s, g) = blank().await;
    for (nick, unified, visibility, expected) in [
        ("m365", true, None, json!("Public")),
        ("m365private", true, Some("Private"), json!("Private")),
        ("security", false, None, Value::Null),
    ] {
        let mut body = json!({
            "displayName": nick, "mailNickname": nick, "mailEnabled": unified,
            "securityEnabled": !unified,
            "groupTypes": if unified { json!(["Unified"]) } else { json!([]) },
        });
        if let Some(v) = visibility {
            body["visibility"] = json!(v);
        }
        let (status, group) = g.post("/v1.0/groups", body).await;
        assert_eq!(status, 201, "{group}");
        assert_eq!(group["visibility"], expected, "{nick}: {group}");
        let (_, read) = g
            .get(&format!(
                "/v1.0/groups/{}?$select=visibility",
                group["id"].as_str().unwrap()
            ))
            .await;
        assert_eq!(read["visibility"], expected, "{nick}: {read}");
    }
}

/// Active role assignments, permanent ones included, are PIM schedules
/// (rbacapplication-list-roleassignmentschedules): one per assignment, `Assigned`, `Direct`,
/// provisioned, without expiration, with the assignment's principal, role and scope; a new
/// assignment has one and deleting it removes it. Eligibility schedules match their instances.
#[tokio::test]
async fn role_assignment_schedules_agree_with_the_assignments() {
    let (s, g) = demo().await;
    let dir = "/v1.0/roleManagement/directory";
    let (status, schedules) = g
        .get(&format!("{dir}/roleAssignmentSchedules?$top=999"))
        .await;
    assert_eq!(status, 200, "{schedules}");
    let (_, assignments) = g.get(&format!("{dir}/roleAssignments?$top=999")).await;
    let (_, instances) = g
        .get(&format!("{dir}/roleAssignmentScheduleInstances?$top=999"))
        .await;
    let mut want = ids(&assignments);
    want.sort();
    let mut got = ids(&schedules);
    got.sort();
    assert!(!want.is_empty());
    assert_eq!(got, want, "{schedules}");
    for sc in schedules["value"].as_array().unwrap() {
        let id = sc["id"].as_str().unwrap();
        let a = assignments["value"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["id"] == id)
            .unwrap();
        for k in ["principalId", "roleDefinitionId", "directoryScopeId"] {
            assert_eq!(sc[k], a[k], "{k}: {sc}");
        }
        assert_eq!(sc["assignmentType"], "Assigned", "{sc}");
        assert_eq!(sc["memberType"], "Direct", "{sc}");
        assert_eq!(sc["status"], "Provisioned", "{sc}");
        assert_eq!(
            sc["scheduleInfo"]["expiration"]["type"], "noExpiration",
            "{sc}"
        );
        let instance = instances["value"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["roleAssignmentScheduleId"] == id)
            .unwrap_or_else(|| panic!("an instance of schedule {id}"));
        assert_eq!(
            sc["scheduleInfo"]["startDateTime"],
            instance["startDateTime"]
        );
    }
    // Eligibility schedules agree with their instances (none in the demo data today).
    let (status, eligible) = g
        .get(&format!("{dir}/roleEligibilitySchedules?$top=999"))
        .await;
    assert_eq!(status, 200, "{eligible}");
    let (_, eligible_instances) = g
        .get(&format!("{dir}/roleEligibilityScheduleInstances?$top=999"))
        .await;
    assert_eq!(
        ids(&eligible).len(),
        ids(&eligible_instances).len(),
        "{eligible}"
    );

    // A new assignment is scheduled; deleting it removes the schedule.
    let user = new_user(&g, &s.domain, "scheduledadmin").await;
    let uid = user["id"].as_str().unwrap().to_string();
    let role = "31392ffb-586c-42d1-9346-e59415a2cc4e";
    let (status, a) = g
        .post(
            &format!("{dir}/roleAssignments"),
            json!({"principalId": uid, "roleDefinitionId": role, "directoryScopeId": "/"}),
        )
        .await;
    assert_eq!(status, 201, "{a}");
    let aid = a["id"].as_str().unwrap().to_string();
    let filter = format!("{dir}/roleAssignmentSchedules?$filter=principalId eq '{uid}'");
    let (status, mine) = g.get(&filter).await;
    assert_eq!(status, 200, "{mine}");
    assert_eq!(ids(&mine), vec![aid.clone()], "{mine}");
    assert_eq!(mine["value"][0]["roleDefinitionId"], role);
    assert_eq!(mine["value"][0]["status"], "Provisioned");
    let (status, one) = g
        .get(&format!(
            "{dir}/roleAssignmentSchedules/{aid}?$expand=principal"
        ))
        .await;
    assert_eq!(status, 200, "{one}");
    assert_eq!(one["principal"]["id"], uid, "{one}");
    assert_eq!(
        g.delete(&format!("{dir}/roleAssignments/{aid}")).await.0,
        204
    );
    let (_, mine) = g.get(&filter).await;
    assert!(ids(&mine).is_empty(), "{mine}");
}

/// A plan the assignment disables shows `Disabled` in the user's licenseDetails
/// (servicePlanInfo.provisioningStatus), the SKU's other plans as they are.
#[tokio::test]
async fn a_disabled_plan_is_disabled_in_license_details() {
    let (s, g) = demo().await;
    let e3 = DEMO_E3;
    let plans = sku_plans(&g, e3).await;
    let user = new_user(&g, &s.domain, "partly").await;
    let uid = user["id"].as_str().unwrap().to_string();
    let (status, _) = g
        .patch(
            &format!("/v1.0/users/{uid}"),
            json!({"usageLocation": "US"}),
        )
        .await;
    assert_eq!(status, 204);
    let (status, body) = g
        .post(
            &format!("/v1.0/users/{uid}/assignLicense"),
            json!({"addLicenses": [{"skuId": e3, "disabledPlans": [plans[0]]}], "removeLicenses": []}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (_, details) = g.get(&format!("/v1.0/users/{uid}/licenseDetails")).await;
    let listed = details["value"][0]["servicePlans"].as_array().unwrap();
    for plan in listed {
        let expected = if plan["servicePlanId"] == plans[0] {
            "Disabled"
        } else {
            "Success"
        };
        assert_eq!(plan["provisioningStatus"], expected, "{plan}");
    }
}

/// The audit log records the sandbox's own writes as Entra names them (directoryaudit): adding
/// and updating a user, adding it to a group, deleting the group, newest first, with the
/// initiating application and the target.
#[tokio::test]
async fn writes_are_recorded_in_the_directory_audit_log() {
    let (_s, g) = blank().await;
    let audits = "/v1.0/auditLogs/directoryAudits";
    let before = listed_by(&g, audits, "id").await.len();
    let user = make_user(&g, "audra").await;
    g.patch(
        &format!("/v1.0/users/{user}"),
        json!({"jobTitle": "Auditor"}),
    )
    .await;
    let group = new_group(&g, "audited", false).await;
    let (status, _) = g
        .post(
            &format!("/v1.0/groups/{group}/members/$ref"),
            json!({"@odata.id": format!("https://graph.microsoft.com/v1.0/directoryObjects/{user}")}),
        )
        .await;
    assert_eq!(status, 204);
    g.delete(&format!("/v1.0/groups/{group}")).await;
    // A read and a refused write are not recorded.
    g.get(&format!("/v1.0/users/{user}")).await;
    let (status, _) = g.delete("/v1.0/users/nobody@contoso.onmicrosoft.com").await;
    assert_eq!(status, 404);

    let (_, page) = g.get(&format!("{audits}?$top=5")).await;
    let names = strings(&page, "activityDisplayName");
    assert_eq!(
        names,
        [
            "Delete group",
            "Add member to group",
            "Add group",
            "Update user",
            "Add user"
        ]
    );
    assert_eq!(listed_by(&g, audits, "id").await.len(), before + 5);
    let added = &page["value"][4];
    assert_eq!(added["category"], "UserManagement");
    assert_eq!(added["operationType"], "Add");
    assert_eq!(added["result"], "success");
    assert_eq!(added["targetResources"][0]["id"], user.as_str());
    assert_eq!(
        added["targetResources"][0]["userPrincipalName"],
        "audra@contoso.onmicrosoft.com"
    );
    assert!(added["initiatedBy"]["app"]["appId"].is_string(), "{added}");
    let (_, filtered) = g
        .get(&format!(
            "{audits}?$filter=activityDisplayName eq 'Add member to group'"
        ))
        .await;
    assert_eq!(strings(&filtered, "activityDisplayName").len(), 1);
}
