//! What helpers found running public tools and Microsoft's examples against the sandbox: PATCH
//! merges complex values recursively and replaces collections (OData 4.01 Part 1 §11.4.3) and
//! answers 204 unless `Prefer: return=representation`; responses list every declared property
//! (unset ones `null` or `[]`, inside complex values too); `$batch` step members match in any
//! case and a step may reuse a nextLink as given; a user's `""` is refused; policy links.

mod common;

use common::*;
use serde_json::{json, Value};

const POLICIES: &str = "/v1.0/identity/conditionalAccess/policies";

/// A policy as Graph's "Create" example makes it (conditionalaccesspolicy-post, minimal).
async fn new_policy(g: &Graph) -> Value {
    let policy = g
        .created(
            POLICIES,
            json!({
                "displayName": "Block legacy authentication",
                "state": "enabledForReportingButNotEnforced",
                "conditions": {
                    "clientAppTypes": ["exchangeActiveSync", "other"],
                    "applications": {"includeApplications": ["All"]},
                    "users": {"includeUsers": ["All"], "excludeUsers": ["GuestsOrExternalUsers"]}
                },
                "grantControls": {"operator": "OR", "builtInControls": ["block"]}
            }),
        )
        .await;
    policy
}

/// A new application with one GitHub Actions federated identity credential named `name`:
/// the credentials' collection path and the credential.
async fn new_fic(g: &Graph, app: &str, name: &str) -> (String, Value) {
    let app = g
        .created("/v1.0/applications", json!({"displayName": app}))
        .await;
    let fics = format!(
        "/v1.0/applications/{}/federatedIdentityCredentials",
        app["id"].as_str().unwrap()
    );
    let fic = g.created(&fics,
            json!({"name": name, "issuer": "https://token.actions.githubusercontent.com",
                   "subject": "repo:o/r:ref:refs/heads/main", "audiences": ["api://AzureADTokenExchange"]})).await;
    (fics, fic)
}

/// A PATCH with `Prefer` headers: status, body (null when empty).
async fn patch_with(g: &Graph, path: &str, body: Value, prefer: Option<&str>) -> (u16, Value) {
    let mut req = client()
        .patch(format!("{}{}", g.base, path))
        .bearer_auth(&g.token)
        .json(&body);
    if let Some(p) = prefer {
        req = req.header("Prefer", p);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    let value = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap()
    };
    (status, value)
}

#[tokio::test]
async fn a_partial_complex_value_is_merged_and_collections_are_replaced() {
    let (_s, g) = blank().await;
    let policy = new_policy(&g).await;
    let path = format!("{POLICIES}/{}", policy["id"].as_str().unwrap());
    // conditionalaccesspolicy-update's example: only the sign-in risk levels.
    let (status, body) = g
        .patch(
            &path,
            json!({"conditions": {"signInRiskLevels": ["high", "medium"]}}),
        )
        .await;
    assert_eq!(status, 204, "{body}");
    assert!(body.is_null(), "204 has no body: {body}");
    let (status, got) = g.get(&path).await;
    assert_eq!(status, 200, "{got}");
    let c = &got["conditions"];
    assert_eq!(c["signInRiskLevels"], json!(["high", "medium"]), "{got}");
    assert_eq!(c["users"]["includeUsers"], json!(["All"]), "{got}");
    assert_eq!(c["users"]["excludeUsers"], json!(["GuestsOrExternalUsers"]));
    assert_eq!(c["applications"]["includeApplications"], json!(["All"]));
    assert_eq!(c["clientAppTypes"], json!(["exchangeActiveSync", "other"]));
    assert_eq!(got["grantControls"]["builtInControls"], json!(["block"]));
    assert_eq!(got["state"], "enabledForReportingButNotEnforced");

    // Two levels down: `conditions.users` merges too; a collection inside is replaced whole.
    let (status, body) = g
        .patch(
            &path,
            json!({"conditions": {"users": {"excludeUsers": []}}, "state": "enabled"}),
        )
        .await;
    assert_eq!(status, 204, "{body}");
    let (_, got) = g.get(&path).await;
    assert_eq!(got["conditions"]["users"]["includeUsers"], json!(["All"]));
    assert_eq!(got["conditions"]["users"]["excludeUsers"], json!([]));
    assert_eq!(
        got["conditions"]["signInRiskLevels"],
        json!(["high", "medium"])
    );
    assert_eq!(got["state"], "enabled");

    // `null` clears a complex value.
    let (status, _) = g.patch(&path, json!({"grantControls": null})).await;
    assert_eq!(status, 204);
    let (_, got) = g.get(&path).await;
    assert!(got["grantControls"].is_null(), "{got}");
    assert_eq!(got["conditions"]["users"]["includeUsers"], json!(["All"]));
}

#[tokio::test]
async fn the_authorization_policy_keeps_the_permissions_a_patch_leaves_out() {
    let (_s, g) = blank().await;
    let path = "/v1.0/policies/authorizationPolicy";
    let (status, before) = g.get(path).await;
    assert_eq!(status, 200, "{before}");
    let perms = before["defaultUserRolePermissions"].clone();
    assert_eq!(perms["allowedToCreateApps"], true, "{before}");
    let (status, body) = g
        .patch(
            path,
            json!({"defaultUserRolePermissions": {"allowedToCreateApps": false}}),
        )
        .await;
    assert_eq!(status, 204, "{body}");
    let (_, after) = g.get(path).await;
    let now = &after["defaultUserRolePermissions"];
    assert_eq!(now["allowedToCreateApps"], false, "{after}");
    for (k, v) in perms.as_object().unwrap() {
        if k != "allowedToCreateApps" {
            assert_eq!(&now[k], v, "{k} kept: {after}");
        }
    }
}

#[tokio::test]
async fn a_user_patch_merges_complex_values() {
    let (_s, g) = blank().await;
    let id = make_user(&g, "merge.me").await;
    let path = format!("/v1.0/users/{id}");
    let (status, body) = g
        .patch(
            &path,
            json!({"employeeOrgData": {"division": "Sales", "costCenter": "100"},
                   "businessPhones": ["+1 555 0100"]}),
        )
        .await;
    assert_eq!(status, 204, "{body}");
    let (status, body) = g
        .patch(
            &path,
            json!({"employeeOrgData": {"costCenter": "200"}, "businessPhones": []}),
        )
        .await;
    assert_eq!(status, 204, "{body}");
    let (_, got) = g
        .get(&format!("{path}?$select=employeeOrgData,businessPhones"))
        .await;
    assert_eq!(
        got["employeeOrgData"],
        json!({"division": "Sales", "costCenter": "200"}),
        "{got}"
    );
    assert_eq!(got["businessPhones"], json!([]), "{got}");
}

#[tokio::test]
async fn updates_answer_204_unless_the_client_prefers_the_representation() {
    let (_s, g) = blank().await;
    // A named location (namedlocation-update: 204 No Content).
    let loc = g.created("/v1.0/identity/conditionalAccess/namedLocations",
            json!({"@odata.type": "#microsoft.graph.ipNamedLocation", "displayName": "HQ",
                   "isTrusted": false,
                   "ipRanges": [{"@odata.type": "#microsoft.graph.iPv4CidrRange", "cidrAddress": "12.34.221.11/22"}]})).await;
    let path = format!(
        "/v1.0/identity/conditionalAccess/namedLocations/{}",
        loc["id"].as_str().unwrap()
    );
    let (status, body) = patch_with(
        &g,
        &path,
        json!({"@odata.type": "#microsoft.graph.ipNamedLocation", "isTrusted": true}),
        None,
    )
    .await;
    assert_eq!((status, body), (204, Value::Null));

    // A federated identity credential of an application (federatedidentitycredential-update).
    let (fics, fic) = new_fic(&g, "fic app", "gh").await;
    let fic_path = format!("{fics}/{}", fic["id"].as_str().unwrap());
    let (status, body) = patch_with(&g, &fic_path, json!({"description": "deploys"}), None).await;
    assert_eq!((status, body), (204, Value::Null));

    // `Prefer: return=representation`: 200 and the entity as it now is.
    let (status, body) = patch_with(
        &g,
        &path,
        json!({"@odata.type": "#microsoft.graph.ipNamedLocation", "displayName": "Head office"}),
        Some("return=representation"),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["displayName"], "Head office", "{body}");
    assert_eq!(body["isTrusted"], true, "{body}");
    assert!(body["@odata.context"].as_str().is_some(), "{body}");

    // The same preference inside a batch step.
    let batch = json!({"requests": [{
        "id": "1", "method": "PATCH", "url": fic_path.trim_start_matches("/v1.0"),
        "headers": {"Content-Type": "application/json", "Prefer": "return=representation"},
        "body": {"description": "deploys main"}
    }, {
        "id": "2", "method": "PATCH", "url": fic_path.trim_start_matches("/v1.0"),
        "headers": {"Content-Type": "application/json"},
        "body": {"description": "deploys main again"}
    }]});
    let (status, out) = g.post("/v1.0/$batch", batch).await;
    assert_eq!(status, 200, "{out}");
    let step = |id: &str| {
        out["responses"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .cloned()
            .unwrap()
    };
    assert_eq!(step("1")["status"], 200, "{out}");
    assert_eq!(step("1")["body"]["description"], "deploys main", "{out}");
    assert_eq!(step("2")["status"], 204, "{out}");
    assert!(step("2").get("body").is_none(), "{out}");
}

#[tokio::test]
async fn unset_declared_properties_are_listed_as_null_or_empty() {
    let (_s, g) = blank().await;
    let policy = g
        .created(
            POLICIES,
            json!({"displayName": "minimal", "state": "disabled",
                   "conditions": {"users": {"includeUsers": ["None"]},
                                  "applications": {"includeApplications": ["None"]}}}),
        )
        .await;
    // The create answer lists them too.
    assert!(
        policy.as_object().unwrap().contains_key("sessionControls"),
        "{policy}"
    );
    let path = format!("{POLICIES}/{}", policy["id"].as_str().unwrap());
    let (status, got) = g.get(&path).await;
    assert_eq!(status, 200, "{got}");
    let o = got.as_object().unwrap();
    for key in [
        "description",
        "modifiedDateTime",
        "sessionControls",
        "templateId",
        "grantControls",
    ] {
        assert!(o.contains_key(key), "{key} listed: {got}");
        assert!(o[key].is_null(), "{key} is null: {got}");
    }
    let users = got["conditions"]["users"].as_object().unwrap();
    assert_eq!(users["includeUsers"], json!(["None"]));
    for key in [
        "excludeUsers",
        "includeGroups",
        "excludeGroups",
        "includeRoles",
        "excludeRoles",
    ] {
        assert_eq!(users[key], json!([]), "{key}: {got}");
    }
    assert!(users.contains_key("includeGuestsOrExternalUsers"), "{got}");
    assert!(users["includeGuestsOrExternalUsers"].is_null(), "{got}");
    let conditions = got["conditions"].as_object().unwrap();
    assert_eq!(conditions["signInRiskLevels"], json!([]), "{got}");
    assert!(conditions["platforms"].is_null(), "{got}");

    // In a list, the same shape.
    let (_, list) = g.get(POLICIES).await;
    let item = list["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == got["id"])
        .cloned()
        .unwrap();
    assert!(item["templateId"].is_null() && item.get("templateId").is_some());
    assert_eq!(item["conditions"]["users"]["excludeGroups"], json!([]));

    // `$select`: exactly what is selected (and the key), unset ones null.
    let (status, sel) = g
        .get(&format!(
            "{path}?$select=displayName,description,conditions"
        ))
        .await;
    assert_eq!(status, 200, "{sel}");
    let sel_o = sel.as_object().unwrap();
    assert!(sel_o["description"].is_null(), "{sel}");
    assert!(!sel_o.contains_key("templateId"), "{sel}");
    assert_eq!(
        sel["conditions"]["users"]["excludeRoles"],
        json!([]),
        "{sel}"
    );
}

#[tokio::test]
async fn a_users_default_projection_stays_graphs_subset() {
    let (_s, g) = blank().await;
    let id = make_user(&g, "subset").await;
    let (_, got) = g.get(&format!("/v1.0/users/{id}")).await;
    let mut keys: Vec<&str> = got
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .filter(|k| !k.starts_with('@'))
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "businessPhones",
            "displayName",
            "givenName",
            "id",
            "jobTitle",
            "mail",
            "mobilePhone",
            "officeLocation",
            "preferredLanguage",
            "surname",
            "userPrincipalName"
        ],
        "{got}"
    );
}

#[tokio::test]
async fn batch_step_members_are_matched_in_any_case() {
    let (_s, g) = blank().await;
    let batch = json!({"requests": [
        {"ID": "1", "Method": "GET", "URL": "/domains"},
        {"id": "2", "METHOD": "GET", "Url": "/organization", "DependsOn": ["1"]},
        {"Id": 3, "method": "POST", "url": "/groups",
         "Headers": {"content-type": "application/json"},
         "BODY": {"displayName": "batched", "mailEnabled": false, "mailNickname": "batched",
                  "securityEnabled": true}}
    ]});
    let (status, out) = g.post("/v1.0/$batch", batch).await;
    assert_eq!(status, 200, "{out}");
    let responses = out["responses"].as_array().unwrap();
    let by_id = |id: &str| responses.iter().find(|r| r["id"] == id).unwrap().clone();
    assert_eq!(by_id("1")["status"], 200, "{out}");
    assert!(by_id("1")["body"]["value"].as_array().is_some(), "{out}");
    assert_eq!(by_id("2")["status"], 200, "{out}");
    assert_eq!(by_id("3")["status"], 201, "{out}");
    assert_eq!(by_id("3")["body"]["displayName"], "batched", "{out}");
}

#[tokio::test]
async fn a_users_empty_string_is_refused_and_null_clears() {
    let (_s, g) = blank().await;
    let id = make_user(&g, "empty.strings").await;
    let path = format!("/v1.0/users/{id}");
    for prop in ["officeLocation", "mobilePhone", "surname"] {
        let (status, e) = g.patch(&path, json!({ prop: "" })).await;
        assert_eq!(status, 400, "{e}");
        let message = format!("Invalid value specified for property '{prop}' of resource 'User'.");
        assert_eq!(e["error"]["code"], "Request_BadRequest", "{e}");
        assert_eq!(e["error"]["message"], message.as_str(), "{e}");
        assert_eq!(
            e["error"]["details"],
            json!([{"code": "InvalidValue", "message": message, "target": prop}]),
            "{e}"
        );
    }
    let (status, body) = g
        .patch(&path, json!({"officeLocation": "Building 9"}))
        .await;
    assert_eq!(status, 204, "{body}");
    let (status, body) = g.patch(&path, json!({"officeLocation": null})).await;
    assert_eq!(status, 204, "{body}");
    let (_, got) = g.get(&path).await;
    assert!(got["officeLocation"].is_null(), "{got}");

    // On create too.
    let (status, e) = g
        .post(
            "/v1.0/users",
            json!({"accountEnabled": true, "displayName": "x", "mailNickname": "x",
                   "userPrincipalName": "x@contoso.onmicrosoft.com", "surname": "",
                   "passwordProfile": {"password": "xWwvJ]6NMw+bWH-d"}}),
        )
        .await;
    assert_eq!(status, 400, "{e}");
    assert_eq!(
        e["error"]["message"],
        "Invalid value specified for property 'surname' of resource 'User'."
    );
}

/// nextLinks stay on the sandbox's own origin (MgGraph's `-All` and Microsoft's .NET SDK follow
/// them as given, and send tokens only to the connection's origin), `@odata.context` on
/// Graph's; a nextLink reused as a batch step URL, as EntraExporter reuses one, is served.
#[tokio::test]
async fn a_next_link_is_reachable_and_reusable_in_a_batch() {
    let (s, g) = blank().await;
    for nick in ["page.a", "page.b", "page.c"] {
        make_user(&g, nick).await;
    }
    let (status, first) = g.get("/v1.0/users?$top=2&$select=id").await;
    assert_eq!(status, 200, "{first}");
    let next = first["@odata.nextLink"].as_str().unwrap().to_string();
    assert!(
        next.starts_with(&format!("{}/v1.0/users?", s.base_url)),
        "{next}"
    );
    assert!(first["@odata.context"]
        .as_str()
        .unwrap()
        .starts_with("https://graph.microsoft.com/v1.0/$metadata#users"));
    // Followed as given.
    let resp = client()
        .get(&next)
        .bearer_auth(&g.token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let page2: Value = resp.json().await.unwrap();
    assert!(!page2["value"].as_array().unwrap().is_empty(), "{page2}");

    // Reused in a batch: EntraExporter strips Graph's prefix as text, which leaves this one.
    let stripped = next.replace("https://graph.microsoft.com/v1.0/", "");
    let batch = json!({"requests": [{"id": "users", "method": "GET", "URL": stripped}]});
    let (status, out) = g.post("/v1.0/$batch", batch).await;
    assert_eq!(status, 200, "{out}");
    let step = &out["responses"][0];
    assert_eq!(step["status"], 200, "{out}");
    assert_eq!(step["body"]["value"], page2["value"], "{out}");
    // Graph's own origin is taken alike; another version is not.
    let public = format!(
        "https://graph.microsoft.com/v1.0{}",
        next.trim_start_matches(&format!("{}/v1.0", s.base_url))
    );
    let batch = json!({"requests": [
        {"id": "1", "method": "GET", "url": public},
        {"id": "2", "method": "GET", "url": next.replace("/v1.0/", "/beta/")}
    ]});
    let (_, out) = g.post("/v1.0/$batch", batch).await;
    let by_id = |id: &str| {
        out["responses"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .cloned()
            .unwrap()
    };
    assert_eq!(by_id("1")["status"], 200, "{out}");
    assert_eq!(by_id("2")["status"], 400, "{out}");
}

/// serviceprincipal-post-tokenlifetimepolicies, application-post-tokenlifetimepolicies,
/// serviceprincipal-post-claimsmappingpolicies, serviceprincipal-post-homerealmdiscoverypolicies:
/// `$ref` links to a policy under `/policies`, listed, and removed by `{id}/$ref`.
#[tokio::test]
async fn policies_under_policies_are_linked_with_ref() {
    let (_s, g) = blank().await;
    let app = g
        .created("/v1.0/applications", json!({"displayName": "policy app"}))
        .await;
    let sp = g
        .created("/v1.0/servicePrincipals", json!({"appId": app["appId"]}))
        .await;
    let owners = [
        format!("/v1.0/servicePrincipals/{}", sp["id"].as_str().unwrap()),
        format!("/v1.0/applications/{}", app["id"].as_str().unwrap()),
    ];
    let kinds = [
        (
            "tokenLifetimePolicies",
            json!({"definition": ["{\"TokenLifetimePolicy\":{\"Version\":1,\"AccessTokenLifetime\":\"8:00:00\"}}"], "displayName": "8h", "isOrganizationDefault": false}),
        ),
        (
            "claimsMappingPolicies",
            json!({"definition": ["{\"ClaimsMappingPolicy\":{\"Version\":1,\"IncludeBasicClaimSet\":\"true\"}}"], "displayName": "claims"}),
        ),
        (
            "homeRealmDiscoveryPolicies",
            json!({"definition": ["{\"HomeRealmDiscoveryPolicy\":{\"AccelerateToFederatedDomain\":true}}"], "displayName": "hrd"}),
        ),
    ];
    for (nav, body) in kinds {
        let policy = g.created(&format!("/v1.0/policies/{nav}"), body).await;
        let pid = policy["id"].as_str().unwrap();
        for owner in &owners {
            if owner.contains("applications") && nav != "tokenLifetimePolicies" {
                continue;
            }
            let (status, body) = g
                .post(
                    &format!("{owner}/{nav}/$ref"),
                    json!({"@odata.id": format!("https://graph.microsoft.com/v1.0/policies/{nav}/{pid}")}),
                )
                .await;
            assert_eq!(status, 204, "{owner}/{nav}: {body}");
            let (status, list) = g.get(&format!("{owner}/{nav}")).await;
            assert_eq!(status, 200, "{list}");
            let ids: Vec<&str> = list["value"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|p| p["id"].as_str())
                .collect();
            assert_eq!(ids, [pid], "{list}");
            assert_eq!(list["value"][0]["displayName"], policy["displayName"]);
            // Linked twice: Graph's conflict.
            let (status, _) = g
                .post(
                    &format!("{owner}/{nav}/$ref"),
                    json!({"@odata.id": format!("https://graph.microsoft.com/v1.0/policies/{nav}/{pid}")}),
                )
                .await;
            assert_eq!(status, 400);
            let (status, body) = g.delete(&format!("{owner}/{nav}/{pid}/$ref")).await;
            assert_eq!(status, 204, "{body}");
            let (_, list) = g.get(&format!("{owner}/{nav}")).await;
            assert_eq!(list["value"], json!([]), "{list}");
            // The policy itself stays.
            let (status, _) = g.get(&format!("/v1.0/policies/{nav}/{pid}")).await;
            assert_eq!(status, 200);
        }
    }
    // A policy that does not exist: 404.
    let (status, _) = g
        .post(
            &format!("{}/tokenLifetimePolicies/$ref", owners[0]),
            json!({"@odata.id": "https://graph.microsoft.com/v1.0/policies/tokenLifetimePolicies/00000000-0000-0000-0000-000000000001"}),
        )
        .await;
    assert_eq!(status, 404);
}

/// user-get-mailboxsettings and user-update-mailboxsettings: 200 with the settings, a PATCH
/// merged into them (only `automaticRepliesSetting.status` changes what it names).
#[tokio::test]
async fn a_mailbox_has_settings_and_a_patch_merges_into_them() {
    let (_s, g) = blank().await;
    let id = make_user(&g, "mailbox").await;
    let path = format!("/v1.0/users/{id}/mailboxSettings");
    let (status, got) = g.get(&path).await;
    assert_eq!(status, 200, "{got}");
    assert!(got["@odata.context"]
        .as_str()
        .unwrap()
        .ends_with("/mailboxSettings"));
    for key in [
        "timeZone",
        "language",
        "automaticRepliesSetting",
        "workingHours",
        "dateFormat",
        "timeFormat",
    ] {
        assert!(!got[key].is_null(), "{key}: {got}");
    }
    assert_eq!(got["automaticRepliesSetting"]["status"], "disabled");
    // The documented request: automatic replies scheduled, with the response's context.
    let (status, body) = g
        .patch(
            &path,
            json!({"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#Me/mailboxSettings",
                   "automaticRepliesSetting": {"status": "Scheduled",
                       "scheduledStartDateTime": {"dateTime": "2026-03-20T18:00:00.0000000", "timeZone": "UTC"},
                       "scheduledEndDateTime": {"dateTime": "2026-03-28T18:00:00.0000000", "timeZone": "UTC"}}}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["automaticRepliesSetting"]["status"], "Scheduled",
        "{body}"
    );
    assert_eq!(
        body["automaticRepliesSetting"]["externalAudience"], "all",
        "{body}"
    );
    assert_eq!(body["timeZone"], "UTC", "{body}");
    let (status, body) = g
        .patch(&path, json!({"timeZone": "Pacific Standard Time"}))
        .await;
    assert_eq!(status, 200, "{body}");
    let (_, got) = g.get(&path).await;
    assert_eq!(got["timeZone"], "Pacific Standard Time", "{got}");
    assert_eq!(
        got["automaticRepliesSetting"]["status"], "Scheduled",
        "{got}"
    );
    assert_eq!(
        got["workingHours"]["daysOfWeek"],
        json!(["monday", "tuesday", "wednesday", "thursday", "friday"])
    );
    let (_, sel) = g
        .get(&format!("/v1.0/users/{id}?$select=mailboxSettings"))
        .await;
    assert_eq!(
        sel["mailboxSettings"]["timeZone"], "Pacific Standard Time",
        "{sel}"
    );
    // A value of the wrong type is refused.
    let (status, _) = g.patch(&path, json!({"timeZone": 5})).await;
    assert_eq!(status, 400);
}

/// federatedidentitycredential-get by its alternate key, `name` (Graph: "GET
/// /applications/{id}/federatedIdentityCredentials(name='{name}')").
#[tokio::test]
async fn a_federated_identity_credential_is_addressed_by_name() {
    let (_s, g) = blank().await;
    let (fics, fic) = new_fic(&g, "alt key app", "gh-main").await;
    let (status, got) = g.get(&format!("{fics}(name='gh-main')")).await;
    assert_eq!(status, 200, "{got}");
    assert_eq!(got["id"], fic["id"], "{got}");
    let (status, body) = g
        .patch(
            &format!("{fics}(name='gh-main')"),
            json!({"description": "by name"}),
        )
        .await;
    assert_eq!(status, 204, "{body}");
    let (_, got) = g
        .get(&format!("{fics}/{}", fic["id"].as_str().unwrap()))
        .await;
    assert_eq!(got["description"], "by name", "{got}");
    let (status, _) = g.get(&format!("{fics}(name='nope')")).await;
    assert_eq!(status, 404);
}

/// What a doc-example sweep and the security suites (ScubaGear, Maester) met: a complex
/// value's single-valued navigation is listed (`grantControls.authenticationStrength: null`,
/// which ScubaGear checks for), and the documented group filter for teams is taken.
#[tokio::test]
async fn a_policys_grant_controls_list_the_authentication_strength() {
    let (_s, g) = blank().await;
    let policy = new_policy(&g).await;
    let (status, got) = g
        .get(&format!("{POLICIES}/{}", policy["id"].as_str().unwrap()))
        .await;
    assert_eq!(status, 200, "{got}");
    let grant = got["grantControls"].as_object().unwrap();
    assert!(grant.contains_key("authenticationStrength"), "{got}");
    assert!(grant["authenticationStrength"].is_null(), "{got}");
    // group-list: "resourceProvisioningOptions/Any(x:x eq 'Team')", the lambda in any case.
    let (status, teams) = g
        .get("/v1.0/groups?$filter=resourceProvisioningOptions/Any(x:x%20eq%20'Team')")
        .await;
    assert_eq!(status, 200, "{teams}");
    assert!(teams["value"].is_array(), "{teams}");
}

/// entitlementmanagement-post-accesspackages names its catalog as `"catalog": {"id": ...}`:
/// the package is linked to that catalog (below `/identityGovernance`, not an entity set),
/// an unknown id is a 404, and a new catalog is user-managed and published.
#[tokio::test]
async fn a_reference_written_as_an_object_with_its_id_links_that_object() {
    let (_s, g) = blank().await;
    let em = "/v1.0/identityGovernance/entitlementManagement";
    let catalog = g.created(&format!("{em}/catalogs"),
            json!({"displayName": "sales", "description": "Sales resources", "isExternallyVisible": true})).await;
    assert_eq!(catalog["catalogType"], "userManaged", "{catalog}");
    assert_eq!(catalog["state"], "published", "{catalog}");
    let package = g
        .created(
            &format!("{em}/accessPackages"),
            json!({"displayName": "sales reps", "description": "outside sales representatives",
                   "isHidden": false, "catalog": {"id": catalog["id"]}}),
        )
        .await;
    let id = package["id"].as_str().unwrap();
    let (status, got) = g
        .get(&format!("{em}/accessPackages/{id}?$expand=catalog"))
        .await;
    assert_eq!(status, 200, "{got}");
    assert_eq!(got["catalog"]["id"], catalog["id"], "{got}");
    let (status, linked) = g.get(&format!("{em}/accessPackages/{id}/catalog")).await;
    assert_eq!(status, 200, "{linked}");
    assert_eq!(linked["displayName"], "sales", "{linked}");
    let (status, err) = g
        .post(
            &format!("{em}/accessPackages"),
            json!({"displayName": "nowhere", "catalog": {"id": "00000000-0000-0000-0000-000000000001"}}),
        )
        .await;
    assert_eq!(status, 404, "{err}");
}

/// domain-post-domains and domain-verify: a new domain is managed and unverified; `verify`
/// verifies it (the sandbox has no DNS to look the record up in).
#[tokio::test]
async fn a_new_domain_is_unverified_until_verify() {
    let (_s, g) = blank().await;
    let domain = g
        .created("/v1.0/domains", json!({"id": "fabrikam-sweep.com"}))
        .await;
    assert_eq!(domain["isVerified"], false, "{domain}");
    assert_eq!(domain["authenticationType"], "Managed", "{domain}");
    assert_eq!(domain["isDefault"], false, "{domain}");
    let (status, verified) = g
        .post("/v1.0/domains/fabrikam-sweep.com/verify", json!({}))
        .await;
    assert_eq!(status, 200, "{verified}");
    assert_eq!(verified["isVerified"], true, "{verified}");
    let (_, got) = g.get("/v1.0/domains/fabrikam-sweep.com").await;
    assert_eq!(got["isVerified"], true, "{got}");
    let (status, _) = g
        .post("/v1.0/domains/nosuch.example/verify", json!({}))
        .await;
    assert_eq!(status, 404);
}

/// accessreviewsset-post-definitions' example writes `recurrence.range.startDate` (an
/// Edm.Date) as a date-time, as the SDK's models (a DateTime) send such a value: taken; text
/// that is no date is still refused.
#[tokio::test]
async fn an_edm_date_takes_a_date_time_and_refuses_other_text() {
    let (_s, g) = blank().await;
    let alice = make_user(&g, "recurring").await;
    let events = format!("/v1.0/users/{alice}/events");
    let event = |start: &str| {
        json!({"subject": "Review",
               "start": {"dateTime": "2020-09-08T12:00:00", "timeZone": "UTC"},
               "end": {"dateTime": "2020-09-08T12:30:00", "timeZone": "UTC"},
               "recurrence": {"pattern": {"type": "weekly", "interval": 1, "daysOfWeek": ["tuesday"]},
                              "range": {"type": "noEnd", "startDate": start}}})
    };
    g.created(&events, event("2020-09-08T12:02:30.667Z")).await;
    let (status, body) = g.post(&events, event("next tuesday")).await;
    assert_eq!(status, 400, "{body}");
}

/// Maester's CISA checks read `policy.rules` of the directory roles' policy assignments
/// (`$expand=policy($expand=rules)`): a navigation named for a key the object holds
/// (`policy` ← `policyId`) resolves to what the key names, expanded and addressed alike.
#[tokio::test]
async fn a_navigation_named_for_a_key_the_object_holds_expands_to_that_object() {
    let s = sandbox(mggraph::sandbox::SandboxConfig::default()).await;
    let g = app_graph(&s).await;
    let (status, page) = g
        .get("/beta/policies/roleManagementPolicyAssignments?$filter=scopeId%20eq%20'/'%20and%20scopeType%20eq%20'DirectoryRole'&$expand=policy($expand=rules)&$top=1")
        .await;
    assert_eq!(status, 200, "{page}");
    let item = &page["value"][0];
    assert_eq!(item["policy"]["id"], item["policyId"], "{item}");
    assert!(
        !item["policy"]["rules"].as_array().unwrap().is_empty(),
        "{item}"
    );
    let path = format!(
        "/v1.0/policies/roleManagementPolicyAssignments/{}/policy",
        item["id"].as_str().unwrap()
    );
    let (status, policy) = g.get(&path).await;
    assert_eq!(status, 200, "{policy}");
    assert_eq!(policy["id"], item["policyId"], "{policy}");
}

/// Beta's directory settings (`/beta/settings`, `/beta/directorySettingTemplates`), which
/// ScubaGear and Maester's EIDSCA checks read, are v1.0's group settings; a new setting is
/// named after its template.
#[tokio::test]
async fn beta_directory_settings_are_the_group_settings() {
    let (_s, g) = blank().await;
    let (status, templates) = g.get("/beta/directorySettingTemplates").await;
    assert_eq!(status, 200, "{templates}");
    let unified = templates["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["displayName"] == "Group.Unified")
        .cloned()
        .unwrap();
    let setting = g
        .created(
            "/beta/settings",
            json!({"templateId": unified["id"],
                   "values": [{"name": "EnableGroupCreation", "value": "false"}]}),
        )
        .await;
    assert_eq!(setting["displayName"], "Group.Unified", "{setting}");
    let (_, v1) = g.get("/v1.0/groupSettings").await;
    assert_eq!(v1["value"][0]["id"], setting["id"], "{v1}");
    let (status, beta) = g
        .get(&format!(
            "/beta/settings/{}",
            setting["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(status, 200, "{beta}");
    assert_eq!(beta["values"][0]["value"], "false", "{beta}");
}

/// Beta's other names for v1.0's objects: `/beta/administrativeUnits` (what EntraExporter
/// lists, in lower case) is `/directory/administrativeUnits`, and
/// `/beta/authenticationMethodsPolicy` (what the Zero Trust Assessment reads) is
/// `/policies/authenticationMethodsPolicy`; v1.0 keeps only its own names.
#[tokio::test]
async fn beta_names_administrative_units_and_the_methods_policy_at_the_root() {
    let (_s, g) = blank().await;
    let unit = g
        .created(
            "/v1.0/directory/administrativeUnits",
            json!({"displayName": "Seattle"}),
        )
        .await;
    for path in ["/beta/administrativeUnits", "/beta/administrativeunits"] {
        let (status, page) = g.get(path).await;
        assert_eq!(status, 200, "{path}: {page}");
        assert_eq!(page["value"][0]["id"], unit["id"], "{path}: {page}");
    }
    let (status, fido) = g
        .get("/beta/authenticationMethodsPolicy/authenticationMethodConfigurations/Fido2")
        .await;
    assert_eq!(status, 200, "{fido}");
    assert_eq!(fido["id"], "Fido2", "{fido}");
    let (status, _) = g.get("/v1.0/administrativeUnits").await;
    assert_eq!(status, 400);
}

/// message-list: `$search="pizza"` (a bare term) searches a message's text; the directory
/// still takes only `"property:value"` clauses.
#[tokio::test]
async fn a_bare_search_term_searches_messages_but_not_the_directory() {
    let (_s, g) = blank().await;
    let alice = make_user(&g, "searcher").await;
    let messages = format!("/v1.0/users/{alice}/messages");
    for (subject, body) in [
        ("Lunch plans", "Shall we meet at noon?"),
        ("Quarterly report", "Numbers attached; pizza after."),
    ] {
        g.created(
            &messages,
            json!({"subject": subject, "body": {"contentType": "text", "content": body}}),
        )
        .await;
    }
    let (status, page) = g.get(&format!("{messages}?$search=%22lunch%22")).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(strings(&page, "subject"), ["Lunch plans"]);
    let (_, page) = g.get(&format!("{messages}?$search=%22pizza%22")).await;
    assert_eq!(
        strings(&page, "subject"),
        ["Quarterly report"],
        "found in the body"
    );
    let (_, page) = g.get(&format!("{messages}?$search=%22dinner%22")).await;
    assert!(strings(&page, "subject").is_empty(), "{page}");
    let (status, err) = eventual(&g, "/v1.0/users?$search=%22adele%22").await;
    assert_eq!(status, 400, "{err}");
}

/// user-list-calendarview: the events overlapping the window, by start; the window is
/// required.
#[tokio::test]
async fn the_calendar_view_lists_the_events_in_its_window() {
    let (_s, g) = blank().await;
    let alice = make_user(&g, "planner").await;
    let events = format!("/v1.0/users/{alice}/events");
    for (subject, start, end) in [
        ("Later", "2017-04-20T09:00:00", "2017-04-20T10:00:00"),
        (
            "Let's go for lunch",
            "2017-04-15T12:00:00",
            "2017-04-15T14:00:00",
        ),
        ("May", "2017-05-02T09:00:00", "2017-05-02T10:00:00"),
    ] {
        g.created(
            &events,
            json!({"subject": subject,
                       "start": {"dateTime": start, "timeZone": "Pacific Standard Time"},
                       "end": {"dateTime": end, "timeZone": "Pacific Standard Time"}}),
        )
        .await;
    }
    let view = format!(
        "/v1.0/users/{alice}/calendarView?startDateTime=2017-04-01T19:00:00-08:00&endDateTime=2017-04-30T19:00:00-08:00"
    );
    let (status, page) = g.get(&view).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(strings(&page, "subject"), ["Let's go for lunch", "Later"]);
    let (status, _) = g.get(&format!("/v1.0/users/{alice}/calendar/calendarView?startDateTime=2017-04-01T00:00:00Z&endDateTime=2017-04-16T00:00:00Z")).await;
    assert_eq!(status, 200);
    let (status, err) = g.get(&format!("/v1.0/users/{alice}/calendarView")).await;
    assert_eq!(status, 400, "{err}");
}

/// directoryrole-post-directoryroles: activating a template makes a role named as the
/// template; activating it again is Graph's 400.
#[tokio::test]
async fn a_role_template_is_activated_once_and_named_after_itself() {
    let (_s, g) = blank().await;
    let (_, roles) = g.get("/v1.0/directoryRoles").await;
    let active = strings(&roles, "roleTemplateId");
    let (_, templates) = g.get("/v1.0/directoryRoleTemplates").await;
    let template = templates["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| !active.contains(&t["id"].as_str().unwrap()))
        .cloned()
        .expect("a template not activated yet");
    let role = g
        .created(
            "/v1.0/directoryRoles",
            json!({"roleTemplateId": template["id"]}),
        )
        .await;
    assert_eq!(role["displayName"], template["displayName"], "{role}");
    let (status, err) = g
        .post(
            "/v1.0/directoryRoles",
            json!({"roleTemplateId": template["id"]}),
        )
        .await;
    assert_eq!(status, 400, "{err}");
    assert_eq!(err["error"]["code"], "Request_BadRequest", "{err}");
}

/// application-upsert: `PATCH /applications(uniqueName='x')` with `Prefer: create-if-missing`
/// creates the application with that unique name (201, then found by it); without the
/// preference a missing one is 404; a second upsert updates the same object (204).
#[tokio::test]
async fn an_application_is_upserted_by_its_unique_name() {
    let (_s, g) = blank().await;
    let path = "/v1.0/applications(uniqueName='contoso-upsert')";
    let (status, _) = patch_with(&g, path, json!({"displayName": "Upserted"}), None).await;
    assert_eq!(status, 404, "without create-if-missing nothing is made");

    let (status, app) = patch_with(
        &g,
        path,
        json!({"displayName": "Upserted"}),
        Some("create-if-missing"),
    )
    .await;
    assert_eq!(status, 201, "{app}");
    assert_eq!(app["uniqueName"], "contoso-upsert");
    assert!(app["appId"].is_string());
    let (status, again) = patch_with(
        &g,
        path,
        json!({"displayName": "Renamed"}),
        Some("create-if-missing"),
    )
    .await;
    assert_eq!(status, 204, "{again}");
    let (_, read) = g.get(path).await;
    assert_eq!(read["id"], app["id"]);
    assert_eq!(read["displayName"], "Renamed");
    let (_, all) = g
        .get("/v1.0/applications?$filter=displayName eq 'Renamed'")
        .await;
    assert_eq!(strings(&all, "id").len(), 1);
}

/// authenticationcontextclassreference-update: the PATCH of an id not used yet creates the
/// authentication context (204), and a later PATCH updates it.
#[tokio::test]
async fn an_authentication_context_is_created_by_its_update() {
    let (_s, g) = blank().await;
    let path = "/v1.0/identity/conditionalAccess/authenticationContextClassReferences/c3";
    let (status, body) = patch_with(
        &g,
        path,
        json!({"displayName": "Contoso medium", "description": "Medium protection", "isAvailable": true}),
        None,
    )
    .await;
    assert_eq!(status, 204, "{body}");
    let (status, read) = g.get(path).await;
    assert_eq!(status, 200, "{read}");
    assert_eq!(read["id"], "c3");
    assert_eq!(read["displayName"], "Contoso medium");
    let (status, _) = patch_with(&g, path, json!({"isAvailable": false}), None).await;
    assert_eq!(status, 204);
    let (_, read) = g.get(path).await;
    assert_eq!(read["isAvailable"], false);
    assert_eq!(read["displayName"], "Contoso medium");
}

/// riskyuser-confirmcompromised and riskyuser-dismiss: an admin's verdict makes the user's
/// risky-user entry (high and confirmed compromised, then none and dismissed), filterable as
/// security scripts list them, with a history item per verdict; an unknown user id is a 400
/// that writes nothing.
#[tokio::test]
async fn risky_users_follow_an_admins_verdicts() {
    let (_s, g) = blank().await;
    let adele = make_user(&g, "adele").await;
    let base = "/v1.0/identityProtection/riskyUsers";
    let (status, body) = g
        .post(
            &format!("{base}/confirmCompromised"),
            json!({"userIds": [adele, "nobody@contoso.onmicrosoft.com"]}),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    assert!(listed_by(&g, base, "id").await.is_empty());

    let (status, _) = g
        .post(
            &format!("{base}/confirmCompromised"),
            json!({"userIds": [adele]}),
        )
        .await;
    assert_eq!(status, 204);
    let (_, risky) = g.get(&format!("{base}/{adele}")).await;
    assert_eq!(risky["riskLevel"], "high");
    assert_eq!(risky["riskState"], "confirmedCompromised");
    assert_eq!(risky["userPrincipalName"], "adele@contoso.onmicrosoft.com");
    let high = listed_by(&g, &format!("{base}?$filter=riskLevel eq 'high'"), "id").await;
    assert_eq!(high, [adele.as_str()]);

    let (status, _) = g
        .post(&format!("{base}/dismiss"), json!({"userIds": [adele]}))
        .await;
    assert_eq!(status, 204);
    let (_, risky) = g.get(&format!("{base}/{adele}")).await;
    assert_eq!(risky["riskLevel"], "none");
    assert_eq!(risky["riskState"], "dismissed");
    let details = listed_by(&g, &format!("{base}/{adele}/history"), "riskDetail").await;
    assert_eq!(
        details,
        [
            "adminConfirmedUserCompromised",
            "adminDismissedAllRiskForUser"
        ]
    );
}

/// A profile photo (profilephoto-get, profilephoto-update, profilephoto-delete): none yet is 404
/// `ImageNotFound` for the photo and its `$value`; an upload reads back byte for byte, its
/// metadata give the image's size in pixels; a delete takes it away again. Groups alike.
#[tokio::test]
async fn profile_photos_are_missing_until_uploaded_and_know_their_size() {
    let (_s, g) = blank().await;
    let adele = make_user(&g, "adele").await;
    let team = new_group(&g, "photos", true).await;
    // A GIF of 48 x 32 pixels (the logical screen descriptor is all this reads).
    let gif = b"GIF89a\x30\x00\x20\x00\x80\x00\x00;".to_vec();
    for owner in [
        format!("/v1.0/users/{adele}"),
        "/v1.0/users/adele@contoso.onmicrosoft.com".to_string(),
        format!("/v1.0/groups/{team}"),
    ] {
        for path in [format!("{owner}/photo"), format!("{owner}/photo/$value")] {
            let (status, v) = g.get(&path).await;
            assert_eq!(status, 404, "GET {path}: {v}");
            assert_eq!(v["error"]["code"], "ImageNotFound", "GET {path}: {v}");
        }
        let (status, v) = put_media(&g, &format!("{owner}/photo/$value"), "image/gif", &gif).await;
        assert!(
            (200..300).contains(&status),
            "PUT {owner}/photo/$value: {status} {v}"
        );
        let (status, photo) = g.get(&format!("{owner}/photo")).await;
        assert_eq!(status, 200, "{photo}");
        assert_eq!(photo["id"], "default", "{photo}");
        assert_eq!(
            (photo["width"].clone(), photo["height"].clone()),
            (json!(48), json!(32)),
            "{photo}"
        );
        assert_eq!(photo["@odata.mediaContentType"], "image/gif", "{photo}");
        assert!(
            photo["@odata.context"]
                .as_str()
                .unwrap()
                .ends_with("/photo/$entity"),
            "{photo}"
        );
        let (status, bytes) = get_bytes(&g, &format!("{owner}/photo/$value")).await;
        assert_eq!((status, bytes), (200, gif.clone()));
        let (status, v) = g.delete(&format!("{owner}/photo")).await;
        assert_eq!(status, 204, "{v}");
        let (status, v) = g.get(&format!("{owner}/photo")).await;
        assert_eq!(
            (status, v["error"]["code"].clone()),
            (404, json!("ImageNotFound")),
            "{v}"
        );
    }
    // An owner that does not exist is named as such, not as a missing photo.
    let (status, v) = g
        .get("/v1.0/users/nobody@contoso.onmicrosoft.com/photo")
        .await;
    assert_eq!(status, 404, "{v}");
    assert_eq!(v["error"]["code"], "Request_ResourceNotFound", "{v}");
}
