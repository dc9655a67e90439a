//! Group membership as Graph rules it, over HTTP: the member types each kind of group takes
//! (learn.microsoft.com/graph/api/group-post-members), dynamic groups that refuse manual
//! members, and collection-valued properties written as `[]`, never null.

mod common;

use common::*;
use mggraph::sandbox::SandboxConfig;
use serde_json::{json, Value};

/// A device registered in the directory (written into the tenant as the directory holds it:
/// the sandbox's automation app is not granted `Device.ReadWrite.All`).
fn new_device(s: &mggraph::sandbox::Sandbox, name: &str) -> String {
    insert(
        s,
        "devices",
        "microsoft.graph.device",
        json!({
            "accountEnabled": true, "displayName": name,
            "deviceId": uuid::Uuid::new_v4().to_string(),
            "operatingSystem": "Windows", "operatingSystemVersion": "10.0.22631",
        }),
    )
}

/// Writes a top-level directory object of type `ty` into entity set `set`; its new id.
fn insert(s: &mggraph::sandbox::Sandbox, set: &str, ty: &str, object: Value) -> String {
    let id = uuid::Uuid::new_v4().to_string();
    let mut object = object.as_object().unwrap().clone();
    object.insert("id".into(), json!(id));
    s.state
        .tenant_mut()
        .store
        .insert_top(set, mggraph::sandbox::store::Entity::new(ty, object));
    id
}

async fn new_service_principal(g: &Graph, name: &str) -> String {
    let (status, app) = g
        .post("/v1.0/applications", json!({"displayName": name}))
        .await;
    assert_eq!(status, 201, "{app}");
    let (status, sp) = g
        .post("/v1.0/servicePrincipals", json!({"appId": app["appId"]}))
        .await;
    assert_eq!(status, 201, "{sp}");
    sp["id"].as_str().unwrap().to_string()
}

/// An organizational contact. Graph v1.0 has no API that creates one (they come from
/// Exchange), so the test writes it into the tenant as the directory holds it.
fn new_contact(s: &mggraph::sandbox::Sandbox, name: &str) -> String {
    insert(
        s,
        "contacts",
        "microsoft.graph.orgContact",
        json!({"displayName": name, "mail": format!("{}@fabrikam.com", name.to_lowercase()),
               "mailNickname": name}),
    )
}

fn reference(id: &str) -> Value {
    json!({"@odata.id": format!("https://graph.microsoft.com/v1.0/directoryObjects/{id}")})
}

async fn add(g: &Graph, group: &str, member: &str) -> (u16, Value) {
    g.post(
        &format!("/v1.0/groups/{group}/members/$ref"),
        reference(member),
    )
    .await
}

fn ids(page: &Value) -> Vec<String> {
    page["value"]
        .as_array()
        .unwrap_or_else(|| panic!("a collection: {page}"))
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_string())
        .collect()
}

fn type_of(page: &Value, id: &str) -> String {
    page["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["id"] == id)
        .map(|v| v["@odata.type"].as_str().unwrap_or_default().to_string())
        .unwrap_or_default()
}

/// Asserts a refused member: 400 `Request_BadRequest` whose message has `text`.
fn assert_refused(answer: &(u16, Value), text: &str) {
    let (status, body) = answer;
    assert_eq!(*status, 400, "{body}");
    assert_eq!(body["error"]["code"], "Request_BadRequest", "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains(text), "{message}");
}

#[tokio::test]
async fn security_groups_take_devices_service_principals_and_contacts() {
    let (s, g) = blank().await;
    let group = new_group(&g, "sg-fleet", false).await;
    let outer = new_group(&g, "sg-all", false).await;
    let device = new_device(&s, "LAPTOP-01");
    let sp = new_service_principal(&g, "Fleet agent").await;
    let contact = new_contact(&s, "Vendor");
    let user = make_user(&g, "alice").await;
    for member in [&device, &sp, &contact, &user] {
        let (status, body) = add(&g, &group, member).await;
        assert_eq!(status, 204, "{body}");
    }
    // Each shows among the members with its type, and counts.
    let (status, members) = g.get(&format!("/v1.0/groups/{group}/members")).await;
    assert_eq!(status, 200, "{members}");
    let listed = ids(&members);
    for member in [&device, &sp, &contact, &user] {
        assert!(listed.contains(member), "{member} in {members}");
    }
    assert_eq!(type_of(&members, &device), "#microsoft.graph.device");
    assert_eq!(type_of(&members, &sp), "#microsoft.graph.servicePrincipal");
    assert_eq!(type_of(&members, &contact), "#microsoft.graph.orgContact");
    let (status, n) = eventual(&g, &format!("/v1.0/groups/{group}/members/$count")).await;
    assert_eq!((status, n), (200, json!(4)));
    let (_, devices) = g
        .get(&format!(
            "/v1.0/groups/{group}/members/microsoft.graph.device"
        ))
        .await;
    assert_eq!(ids(&devices), vec![device.clone()]);
    // Through a nested group, transitively.
    let (status, body) = add(&g, &outer, &group).await;
    assert_eq!(status, 204, "{body}");
    let (_, transitive) = g
        .get(&format!("/v1.0/groups/{outer}/transitiveMembers"))
        .await;
    let transitive = ids(&transitive);
    for member in [&group, &device, &sp, &contact, &user] {
        assert!(transitive.contains(member), "{member} in {transitive:?}");
    }
    // The member sees the group in its memberOf.
    for path in [
        format!("/v1.0/devices/{device}/memberOf"),
        format!("/v1.0/servicePrincipals/{sp}/memberOf"),
    ] {
        let (status, of) = g.get(&path).await;
        assert_eq!(status, 200, "{path}: {of}");
        assert_eq!(ids(&of), vec![group.clone()], "{path}");
    }
    // Removed like any member.
    for member in [&device, &sp] {
        let (status, body) = g
            .delete(&format!("/v1.0/groups/{group}/members/{member}/$ref"))
            .await;
        assert_eq!(status, 204, "{body}");
    }
    let (_, members) = g.get(&format!("/v1.0/groups/{group}/members")).await;
    let mut left = ids(&members);
    left.sort();
    let mut expected = vec![contact.clone(), user.clone()];
    expected.sort();
    assert_eq!(left, expected);
    let (_, of) = g.get(&format!("/v1.0/devices/{device}/memberOf")).await;
    assert!(ids(&of).is_empty(), "{of}");
    // Still an unknown object is a 404.
    let (status, body) = add(&g, &group, "00000000-0000-0000-0000-00000000abcd").await;
    assert_eq!(status, 404, "{body}");
}

#[tokio::test]
async fn microsoft_365_groups_take_only_users_and_join_no_group() {
    let (s, g) = blank().await;
    let m365 = new_group(&g, "team-sales", true).await;
    let other_m365 = new_group(&g, "team-ops", true).await;
    let security = new_group(&g, "sg-sales", false).await;
    let device = new_device(&s, "LAPTOP-02");
    let sp = new_service_principal(&g, "Sales bot").await;
    let contact = new_contact(&s, "Partner");
    let user = make_user(&g, "bob").await;

    assert_refused(
        &add(&g, &m365, &device).await,
        "Directory object type: Device cannot be added to Unified Groups.",
    );
    assert_refused(
        &add(&g, &m365, &sp).await,
        "Directory object type: ServicePrincipal cannot be added to Unified Groups.",
    );
    assert_refused(
        &add(&g, &m365, &contact).await,
        "cannot be added to Unified Groups.",
    );
    assert_refused(
        &add(&g, &m365, &security).await,
        "Directory object type: Group cannot be added to Unified Groups.",
    );
    assert_refused(
        &add(&g, &m365, &other_m365).await,
        "Unified Groups cannot be added to Unified Groups.",
    );
    // A Microsoft 365 group is a member of no group, security groups included.
    assert_refused(&add(&g, &security, &m365).await, "Unified Groups");
    let (status, body) = add(&g, &m365, &user).await;
    assert_eq!(status, 204, "{body}");

    let (_, members) = g.get(&format!("/v1.0/groups/{m365}/members")).await;
    assert_eq!(ids(&members), vec![user.clone()]);
    let (_, members) = g.get(&format!("/v1.0/groups/{security}/members")).await;
    assert!(ids(&members).is_empty(), "{members}");
    let (_, of) = g.get(&format!("/v1.0/groups/{m365}/memberOf")).await;
    assert!(ids(&of).is_empty(), "{of}");
}

#[tokio::test]
async fn members_odata_bind_follows_the_member_type_table() {
    let (s, g) = blank().await;
    let device = new_device(&s, "KIOSK-01");
    let sp = new_service_principal(&g, "Kiosk agent").await;
    let m365 = new_group(&g, "team-kiosk", true).await;
    let url = |id: &str| format!("https://graph.microsoft.com/v1.0/directoryObjects/{id}");

    // Creating a Microsoft 365 group with a device member: refused, and no group is left.
    let (status, body) = g
        .post(
            "/v1.0/groups",
            json!({
                "displayName": "team-devices", "mailNickname": "team-devices",
                "mailEnabled": true, "securityEnabled": false, "groupTypes": ["Unified"],
                "members@odata.bind": [url(&device)],
            }),
        )
        .await;
    assert_refused(&(status, body), "cannot be added to Unified Groups.");
    let (_, found) = g
        .get("/v1.0/groups?$filter=displayName eq 'team-devices'")
        .await;
    assert!(ids(&found).is_empty(), "{found}");

    // A security group takes them.
    let (status, group) = g
        .post(
            "/v1.0/groups",
            json!({
                "displayName": "sg-kiosks", "mailNickname": "sg-kiosks",
                "mailEnabled": false, "securityEnabled": true,
                "members@odata.bind": [url(&device), url(&sp)],
            }),
        )
        .await;
    assert_eq!(status, 201, "{group}");
    let security = group["id"].as_str().unwrap().to_string();
    let (_, members) = g.get(&format!("/v1.0/groups/{security}/members")).await;
    let mut listed = ids(&members);
    listed.sort();
    let mut expected = vec![device.clone(), sp.clone()];
    expected.sort();
    assert_eq!(listed, expected);
    assert_eq!(type_of(&members, &sp), "#microsoft.graph.servicePrincipal");

    // PATCH binds follow the same table.
    let (status, body) = g
        .patch(
            &format!("/v1.0/groups/{m365}"),
            json!({"members@odata.bind": [url(&sp)]}),
        )
        .await;
    assert_refused(
        &(status, body),
        "ServicePrincipal cannot be added to Unified Groups.",
    );
    let (status, body) = g
        .patch(
            &format!("/v1.0/groups/{security}"),
            json!({"members@odata.bind": [url(&m365)]}),
        )
        .await;
    assert_refused(&(status, body), "Unified Groups");
    let (_, members) = g.get(&format!("/v1.0/groups/{m365}/members")).await;
    assert!(ids(&members).is_empty(), "{members}");
    let (_, members) = g.get(&format!("/v1.0/groups/{security}/members")).await;
    assert_eq!(ids(&members).len(), 2, "{members}");
}

/// Graph's refusal of a manual change to a dynamic group's members.
fn assert_denied(answer: &(u16, Value)) {
    let (status, body) = answer;
    assert_eq!(*status, 403, "{body}");
    assert_eq!(
        body["error"]["code"], "Authorization_RequestDenied",
        "{body}"
    );
    assert_eq!(
        body["error"]["message"],
        "Insufficient privileges to complete the operation."
    );
}

#[tokio::test]
async fn dynamic_groups_refuse_manual_members() {
    let (_s, g) = blank().await;
    let user = make_user(&g, "carol").await;
    let (status, group) = g
        .post(
            "/v1.0/groups",
            json!({
                "displayName": "Dyn-Sales", "mailNickname": "dyn-sales",
                "mailEnabled": false, "securityEnabled": true,
                "groupTypes": ["DynamicMembership"],
                "membershipRule": "user.department -eq \"Sales\"",
                "membershipRuleProcessingState": "On",
            }),
        )
        .await;
    assert_eq!(status, 201, "{group}");
    assert_eq!(group["membershipRule"], "user.department -eq \"Sales\"");
    let dynamic = group["id"].as_str().unwrap().to_string();

    assert_denied(&add(&g, &dynamic, &user).await);
    assert_denied(
        &g.patch(
            &format!("/v1.0/groups/{dynamic}"),
            json!({"members@odata.bind": [
                format!("https://graph.microsoft.com/v1.0/directoryObjects/{user}")
            ]}),
        )
        .await,
    );
    assert_denied(
        &g.delete(&format!("/v1.0/groups/{dynamic}/members/{user}/$ref"))
            .await,
    );
    let (_, members) = g.get(&format!("/v1.0/groups/{dynamic}/members")).await;
    assert!(ids(&members).is_empty(), "{members}");
    // Creating one with members named is refused too, and leaves no group.
    assert_denied(
        &g.post(
            "/v1.0/groups",
            json!({
                "displayName": "Dyn-Ops", "mailNickname": "dyn-ops",
                "mailEnabled": false, "securityEnabled": true,
                "groupTypes": ["DynamicMembership"],
                "membershipRule": "user.department -eq \"Ops\"",
                "membershipRuleProcessingState": "On",
                "members@odata.bind": [
                    format!("https://graph.microsoft.com/v1.0/directoryObjects/{user}")
                ],
            }),
        )
        .await,
    );
    let (_, found) = g.get("/v1.0/groups?$filter=displayName eq 'Dyn-Ops'").await;
    assert!(ids(&found).is_empty(), "{found}");
}

#[tokio::test]
async fn the_demo_tenants_dynamic_groups_keep_their_rule_members() {
    let s = sandbox(SandboxConfig::default()).await;
    let g = app_graph(&s).await;
    let (status, groups) = g
        .get("/v1.0/groups?$top=999&$select=id,displayName,groupTypes,membershipRule")
        .await;
    assert_eq!(status, 200, "{groups}");
    let dynamic: Vec<&Value> = groups["value"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| {
            g["groupTypes"]
                .as_array()
                .unwrap()
                .iter()
                .any(|t| t == "DynamicMembership")
        })
        .collect();
    assert!(!dynamic.is_empty(), "{groups}");
    let outsider = make_user(&g, "outsider").await;
    for group in dynamic {
        let id = group["id"].as_str().unwrap();
        assert!(group["membershipRule"].is_string(), "{group}");
        let (_, members) = g.get(&format!("/v1.0/groups/{id}/members?$top=999")).await;
        let before = ids(&members);
        assert!(!before.is_empty(), "{group}: {members}");
        assert_denied(&add(&g, id, &outsider).await);
        assert_denied(
            &g.delete(&format!("/v1.0/groups/{id}/members/{}/$ref", before[0]))
                .await,
        );
        let (_, members) = g.get(&format!("/v1.0/groups/{id}/members?$top=999")).await;
        assert_eq!(ids(&members), before);
    }
}

#[tokio::test]
async fn unset_collections_are_empty_arrays_never_null() {
    let s = sandbox(SandboxConfig::default()).await;
    let g = app_graph(&s).await;
    let select = "$select=id,otherMails,proxyAddresses,imAddresses,identities,businessPhones";

    // A new user: every collection is `[]`, but for its userPrincipalName identity.
    let id = make_user(&g, "dana").await;
    let (status, user) = g.get(&format!("/v1.0/users/{id}?{select}")).await;
    assert_eq!(status, 200, "{user}");
    for k in [
        "otherMails",
        "proxyAddresses",
        "imAddresses",
        "businessPhones",
    ] {
        assert_eq!(user[k], json!([]), "{k}: {user}");
    }
    let upn_identity = json!({"signInType": "userPrincipalName", "issuer": s.domain,
                              "issuerAssignedId": "dana@contoso.onmicrosoft.com"});
    assert_eq!(user["identities"], json!([upn_identity]), "{user}");
    // The identity follows a new UPN.
    let new_upn = format!("dana.new@{}", s.domain);
    let (status, body) = g
        .patch(
            &format!("/v1.0/users/{id}"),
            json!({"userPrincipalName": new_upn}),
        )
        .await;
    assert_eq!(status, 204, "{body}");
    let (_, user) = g.get(&format!("/v1.0/users/{id}?$select=identities")).await;
    assert_eq!(user["identities"][0]["issuerAssignedId"], new_upn, "{user}");
    assert_eq!(user["identities"].as_array().unwrap().len(), 1, "{user}");

    // The built-in administrator has a mailbox: its primary SMTP address.
    let (status, admin) = g
        .get(&format!("/v1.0/users/{}?{select}", s.admin_upn))
        .await;
    assert_eq!(status, 200, "{admin}");
    assert_eq!(
        admin["proxyAddresses"],
        json!([format!("SMTP:{}", s.admin_upn)]),
        "{admin}"
    );
    assert_eq!(admin["otherMails"], json!([]), "{admin}");
    assert_eq!(admin["imAddresses"], json!([]), "{admin}");
    assert_eq!(
        admin["identities"][0]["issuerAssignedId"], s.admin_upn,
        "{admin}"
    );
    // Every user of the demo tenant, listed with `$select`: no collection is null, each has
    // its userPrincipalName identity.
    let (_, users) = g
        .get(&format!("/v1.0/users?$top=999&{select},userPrincipalName"))
        .await;
    let users = users["value"].as_array().unwrap();
    assert!(users.len() > 200);
    for u in users {
        for k in [
            "otherMails",
            "proxyAddresses",
            "imAddresses",
            "identities",
            "businessPhones",
        ] {
            assert!(u[k].is_array(), "{k}: {u}");
        }
        assert!(
            u["identities"]
                .as_array()
                .unwrap()
                .iter()
                .any(|i| i["signInType"] == "userPrincipalName"
                    && i["issuerAssignedId"] == u["userPrincipalName"]),
            "{u}"
        );
    }

    // Groups, devices and service principals too, selected or by default.
    let group = new_group(&g, "sg-empty", false).await;
    let (_, group) = g
        .get(&format!(
            "/v1.0/groups/{group}?$select=id,groupTypes,proxyAddresses,resourceProvisioningOptions"
        ))
        .await;
    for k in [
        "groupTypes",
        "proxyAddresses",
        "resourceProvisioningOptions",
    ] {
        assert_eq!(group[k], json!([]), "{k}: {group}");
    }
    let device = new_device(&s, "LAPTOP-03");
    let (status, d) = g
        .get(&format!(
            "/v1.0/devices/{device}?$select=id,physicalIds,systemLabels"
        ))
        .await;
    assert_eq!(status, 200, "{d}");
    assert_eq!(d["physicalIds"], json!([]), "{d}");
    assert_eq!(d["systemLabels"], json!([]), "{d}");
    let sp = new_service_principal(&g, "Empty app").await;
    let (status, p) = g
        .get(&format!(
            "/v1.0/servicePrincipals/{sp}?$select=id,alternativeNames,notificationEmailAddresses"
        ))
        .await;
    assert_eq!(status, 200, "{p}");
    assert_eq!(p["alternativeNames"], json!([]), "{p}");
    assert_eq!(p["notificationEmailAddresses"], json!([]), "{p}");
    // As members of a group, `$select`ed through the relationship.
    let sg = new_group(&g, "sg-devices", false).await;
    let (status, body) = add(&g, &sg, &device).await;
    assert_eq!(status, 204, "{body}");
    let (_, members) = g
        .get(&format!("/v1.0/groups/{sg}/members?$select=id,physicalIds"))
        .await;
    assert_eq!(members["value"][0]["physicalIds"], json!([]), "{members}");
}

/// A dynamic group's members follow its rule (groups-dynamic-membership): users whose
/// properties match when the group is made, a user made or changed afterwards as soon as it
/// matches, and no longer once it does not; a paused rule keeps the members it had.
#[tokio::test]
async fn dynamic_groups_follow_their_rules() {
    let (_s, g) = blank().await;
    let ann = make_user(&g, "ann").await;
    let bob = make_user(&g, "bob").await;
    let (status, _) = g
        .patch(
            &format!("/v1.0/users/{ann}"),
            json!({"department": "Sales", "country": "NL"}),
        )
        .await;
    assert_eq!(status, 204);
    let (status, group) = g
        .post(
            "/v1.0/groups",
            json!({
                "displayName": "Sales outside the US", "mailNickname": "sales-row",
                "mailEnabled": false, "securityEnabled": true,
                "groupTypes": ["DynamicMembership"],
                "membershipRule": "(user.department -eq \"sales\") -and -not (user.country -in [\"US\",\"CA\"])",
                "membershipRuleProcessingState": "On",
            }),
        )
        .await;
    assert_eq!(status, 201, "{group}");
    let id = group["id"].as_str().unwrap().to_string();
    let path = format!("/v1.0/groups/{id}/members");
    assert_eq!(listed_by(&g, &path, "id").await, [ann.as_str()]);

    // Bob joins Sales in Belgium: a member; Ann moves to the US: no longer one.
    g.patch(
        &format!("/v1.0/users/{bob}"),
        json!({"department": "Sales", "country": "BE"}),
    )
    .await;
    g.patch(&format!("/v1.0/users/{ann}"), json!({"country": "US"}))
        .await;
    assert_eq!(listed_by(&g, &path, "id").await, [bob.as_str()]);
    let (_, of) = g.get(&format!("/v1.0/users/{bob}/memberOf")).await;
    assert_eq!(ids(&of), std::slice::from_ref(&id));

    // Paused: membership stays as it was.
    g.patch(
        &format!("/v1.0/groups/{id}"),
        json!({"membershipRuleProcessingState": "Paused"}),
    )
    .await;
    g.patch(
        &format!("/v1.0/users/{bob}"),
        json!({"department": "Marketing"}),
    )
    .await;
    assert_eq!(listed_by(&g, &path, "id").await, [bob.as_str()]);
}

/// The ids of `group`'s owners.
async fn owners(g: &Graph, group: &Value) -> Vec<String> {
    let id = group["id"].as_str().unwrap();
    listed_by(g, &format!("/v1.0/groups/{id}/owners"), "id").await
}

/// group-post-groups: a group a signed-in user creates without naming owners has that user as
/// its owner; one naming owners has those alone; an app's has none.
#[tokio::test]
async fn a_signed_in_creator_owns_the_group_unless_owners_are_named() {
    let s = sandbox(SandboxConfig::default()).await;
    let upn = "admin@contoso.onmicrosoft.com";
    let user = user_graph(&s, upn, "Group.ReadWrite.All User.Read.All").await;
    let (_, me) = user.get("/v1.0/me?$select=id").await;
    let me = me["id"].as_str().unwrap().to_string();
    let body = |nick: &str| {
        json!({"displayName": nick, "mailNickname": nick, "mailEnabled": true,
               "securityEnabled": false, "groupTypes": ["Unified"]})
    };
    let mine = user.created("/v1.0/groups", body("mine")).await;
    assert_eq!(owners(&user, &mine).await, vec![me.clone()]);
    let other = make_user(&app_graph(&s).await, "owner2").await;
    let mut named = body("named");
    named["owners@odata.bind"] = json!([format!("https://graph.microsoft.com/v1.0/users/{other}")]);
    let named = user.created("/v1.0/groups", named).await;
    assert_eq!(owners(&user, &named).await, vec![other]);
    let app = app_graph(&s).await;
    let apps = app.created("/v1.0/groups", body("apps")).await;
    assert!(owners(&app, &apps).await.is_empty());
}
