//! Graph's protocol corners over HTTP, each as a kind: namespace-qualified operation segments
//! and the `graph.` alias, nested query options inside `$expand`, every declared property
//! selectable, the advanced-query rule on reference collections, key rules, the error texts
//! scripts match on, and `$batch` step ids.

mod common;

use common::*;
use mggraph::sandbox::SandboxConfig;
use serde_json::{json, Value};

async fn make_group(g: &Graph, name: &str, members: &[&str]) -> String {
    let (status, group) = g
        .post(
            "/v1.0/groups",
            json!({"displayName": name, "mailEnabled": false, "mailNickname": name,
                   "securityEnabled": true}),
        )
        .await;
    assert_eq!(status, 201, "{group}");
    let gid = group["id"].as_str().unwrap().to_string();
    for m in members {
        let (s, b) = g
            .post(
                &format!("/v1.0/groups/{gid}/members/$ref"),
                json!({"@odata.id": format!("https://graph.microsoft.com/v1.0/directoryObjects/{m}")}),
            )
            .await;
        assert_eq!(s, 204, "{b}");
    }
    gid
}

fn code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or_default()
}

fn message(body: &Value) -> &str {
    body["error"]["message"].as_str().unwrap_or_default()
}

#[tokio::test]
async fn qualified_operation_segments_and_the_graph_alias_reach_the_same_targets() {
    let s = sandbox(SandboxConfig::default()).await;
    let g = app_graph(&s).await;
    let alice = make_user(&g, "alice").await;
    let gid = make_group(&g, "Team", &[&alice]).await;

    // Actions and functions: qualified and unqualified are the same operation.
    for path in [
        "/v1.0/directoryObjects/getByIds",
        "/v1.0/directoryObjects/microsoft.graph.getByIds",
    ] {
        let (st, body) = g.post(path, json!({"ids": [alice]})).await;
        assert_eq!(st, 200, "{path}: {body}");
        assert_eq!(body["value"][0]["id"], json!(alice), "{path}");
    }
    let (st, body) = g
        .post(
            &format!("/v1.0/users/{alice}/microsoft.graph.checkMemberGroups"),
            json!({"groupIds": [gid]}),
        )
        .await;
    assert_eq!(st, 200, "{body}");
    assert_eq!(body["value"], json!([gid]));
    let (st, body) = g.get("/v1.0/users/microsoft.graph.delta()").await;
    assert_eq!(st, 200, "{body}");

    // Casts: `microsoft.graph.user` and the `graph.user` alias select the same members.
    for cast in ["microsoft.graph.user", "graph.user"] {
        let (st, body) = g
            .get(&format!("/v1.0/groups/{gid}/members/{cast}?$select=id"))
            .await;
        assert_eq!(st, 200, "{cast}: {body}");
        assert_eq!(body["value"], json!([{"id": alice}]), "{cast}");
        let (st, body) = g
            .get(&format!(
                "/v1.0/groups/{gid}/members/{}",
                cast.replace("user", "group")
            ))
            .await;
        assert_eq!(st, 200, "{cast}: {body}");
        assert_eq!(body["value"], json!([]), "{cast}");
    }
    // A qualified name that is neither a type nor an operation stays unknown.
    let (st, body) = g
        .get(&format!("/v1.0/users/{alice}/microsoft.graph.noSuchThing"))
        .await;
    assert_eq!(st, 400, "{body}");
}

#[tokio::test]
async fn nested_query_options_inside_expand_apply_to_the_expanded_items() {
    let s = sandbox(SandboxConfig::default()).await;
    let g = app_graph(&s).await;
    let alice = make_user(&g, "alice").await;
    let base = format!("/v1.0/users/{alice}/mailFolders");
    let (st, top) = g.post(&base, json!({"displayName": "Projects"})).await;
    assert_eq!(st, 201, "{top}");
    let fid = top["id"].as_str().unwrap().to_string();
    let mut child_ids = vec![];
    for name in ["Alpha", "Beta", "Gamma"] {
        let (st, c) = g
            .post(
                &format!("{base}/{fid}/childFolders"),
                json!({"displayName": name}),
            )
            .await;
        assert_eq!(st, 201, "{c}");
        child_ids.push(c["id"].as_str().unwrap().to_string());
    }
    for subject in ["one", "two"] {
        let (st, m) = g
            .post(
                &format!("{base}/{fid}/childFolders/{}/messages", child_ids[1]),
                json!({"subject": subject}),
            )
            .await;
        assert_eq!(st, 201, "{m}");
    }

    // $select, $filter, $orderby, $top and a nested $expand with its own $select.
    let q = "$expand=childFolders($select=displayName;$filter=displayName ne 'Alpha';$orderby=displayName desc;$top=2;$expand=messages($select=subject))";
    let (st, body) = g.get(&format!("{base}/{fid}?{q}")).await;
    assert_eq!(st, 200, "{body}");
    let children = body["childFolders"].as_array().unwrap();
    let names: Vec<&str> = children
        .iter()
        .map(|c| c["displayName"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Gamma", "Beta"]);
    assert!(
        children[0].get("parentFolderId").is_none(),
        "nested $select"
    );
    assert_eq!(children[0]["messages"], json!([]));
    let subjects: Vec<&str> = children[1]["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["subject"].as_str().unwrap())
        .collect();
    assert_eq!(subjects.len(), 2);
    assert!(subjects.contains(&"one") && subjects.contains(&"two"));
    assert!(children[1]["messages"][0].get("body").is_none());

    // The same on a list.
    let (st, body) = g
        .get(&format!(
            "{base}?$filter=displayName eq 'Projects'&$expand=childFolders($top=1)"
        ))
        .await;
    assert_eq!(st, 200, "{body}");
    assert_eq!(
        body["value"][0]["childFolders"].as_array().unwrap().len(),
        1
    );

    // Unknown names inside are Graph's 400; nesting is bounded.
    let (st, body) = g
        .get(&format!(
            "{base}/{fid}?$expand=childFolders($select=noSuchProperty)"
        ))
        .await;
    assert_eq!(st, 400, "{body}");
    let deep =
        "$expand=childFolders($expand=childFolders($expand=childFolders($expand=childFolders)))";
    let (st, body) = g.get(&format!("{base}/{fid}?{deep}")).await;
    assert_eq!(st, 400, "{body}");
    assert!(message(&body).contains("too deep"), "{body}");

    // Directory objects take only $select inside $expand, as Graph's directory does.
    let gid = make_group(&g, "Team", &[&alice]).await;
    let (st, body) = g
        .get(&format!(
            "/v1.0/groups/{gid}?$expand=members($select=id,displayName)"
        ))
        .await;
    assert_eq!(st, 200, "{body}");
    assert_eq!(body["members"][0]["displayName"], json!("alice"));
    let (st, body) = g
        .get(&format!("/v1.0/groups/{gid}?$expand=members($top=1)"))
        .await;
    assert_eq!(st, 400, "{body}");
    assert_eq!(code(&body), "Request_UnsupportedQuery");
}

#[tokio::test]
async fn every_declared_property_is_selectable() {
    let s = sandbox(SandboxConfig::default()).await;
    let g = app_graph(&s).await;
    let alice = make_user(&g, "alice").await;
    for prop in [
        "refreshTokensValidFromDateTime",
        "signInSessionsValidFromDateTime",
        "aboutMe",
        "employeeHireDate",
        "onPremisesExtensionAttributes",
    ] {
        let (st, body) = g.get(&format!("/v1.0/users/{alice}?$select={prop}")).await;
        assert_eq!(st, 200, "{prop}: {body}");
        assert!(body.get(prop).is_some(), "{prop}: {body}");
        let (st, body) = g.get(&format!("/v1.0/users?$select=id,{prop}")).await;
        assert_eq!(st, 200, "{prop}: {body}");
    }
    let (st, body) = g
        .get(&format!("/v1.0/users/{alice}?$select=noSuchProperty"))
        .await;
    assert_eq!(st, 400, "{body}");
    // Revoking sessions moves both names of the instant.
    let (st, _) = g
        .post(
            &format!("/v1.0/users/{alice}/revokeSignInSessions"),
            json!({}),
        )
        .await;
    assert_eq!(st, 200);
    let (_, body) = g
        .get(&format!(
            "/v1.0/users/{alice}?$select=refreshTokensValidFromDateTime,signInSessionsValidFromDateTime"
        ))
        .await;
    assert!(body["refreshTokensValidFromDateTime"].is_string(), "{body}");
    assert_eq!(
        body["refreshTokensValidFromDateTime"],
        body["signInSessionsValidFromDateTime"]
    );
}

#[tokio::test]
async fn filters_on_reference_collections_need_advanced_query() {
    let s = sandbox(SandboxConfig::default()).await;
    let g = app_graph(&s).await;
    let alice = make_user(&g, "alice").await;
    let gid = make_group(&g, "Team", &[&alice]).await;
    let filter = "$filter=startswith(displayName,'a')";
    for path in [
        format!("/v1.0/groups/{gid}/members?{filter}"),
        format!("/v1.0/users/{alice}/memberOf?$filter=startswith(displayName,'T')"),
        format!("/v1.0/groups/{gid}/members/microsoft.graph.user?{filter}"),
        format!("/v1.0/users/{alice}/ownedObjects?{filter}"),
    ] {
        let (st, body) = g.get(&path).await;
        assert_eq!(st, 400, "{path}: {body}");
        assert_eq!(code(&body), "Request_UnsupportedQuery", "{path}");
        assert_eq!(
            message(&body),
            "The specified filter to the reference property query is currently not supported.",
            "{path}"
        );
        let (st, body) = eventual(&g, &format!("{path}&$count=true")).await;
        assert_eq!(st, 200, "{path}: {body}");
    }
    let (_, body) = eventual(
        &g,
        &format!("/v1.0/groups/{gid}/members?{filter}&$count=true"),
    )
    .await;
    assert_eq!(body["value"][0]["id"], json!(alice));
    // Without $filter nothing changes.
    let (st, _) = g.get(&format!("/v1.0/groups/{gid}/members")).await;
    assert_eq!(st, 200);
}

#[tokio::test]
async fn keys_and_error_texts_scripts_match_on() {
    let s = sandbox(SandboxConfig::default()).await;
    let g = app_graph(&s).await;
    let alice = make_user(&g, "alice").await;

    // signInActivity is read by object id only.
    let (st, body) = g
        .get("/v1.0/users/alice@contoso.onmicrosoft.com?$select=signInActivity")
        .await;
    assert_eq!(st, 400, "{body}");
    assert_eq!(
        message(&body),
        "Get By Key only supports UserId and the key has to be a valid Guid"
    );
    let (st, body) = g
        .get(&format!("/v1.0/users/{alice}?$select=signInActivity"))
        .await;
    assert_eq!(st, 200, "{body}");
    let (st, _) = g
        .get("/v1.0/users/alice@contoso.onmicrosoft.com?$select=displayName")
        .await;
    assert_eq!(st, 200);

    // A user without a manager: the navigation property is named.
    for path in [
        format!("/v1.0/users/{alice}/manager"),
        format!("/v1.0/users/{alice}/manager/$ref"),
    ] {
        let (st, body) = g.get(&path).await;
        assert_eq!(st, 404, "{path}: {body}");
        assert_eq!(code(&body), "Request_ResourceNotFound");
        assert_eq!(
            message(&body),
            "Resource 'manager' does not exist or one of its queried reference-property objects are not present.",
            "{path}"
        );
    }

    // A malformed $filter on directory objects: the directory's code.
    for path in [
        "/v1.0/users?$filter=displayName eq",
        "/v1.0/groups?$filter=(displayName eq 'x'",
        "/v1.0/servicePrincipals?$filter=displayName eq",
    ] {
        let (st, body) = g.get(path).await;
        assert_eq!(st, 400, "{path}: {body}");
        assert_eq!(code(&body), "Request_BadRequest", "{path}: {body}");
    }
}

#[tokio::test]
async fn batch_step_ids_may_be_json_numbers() {
    let s = sandbox(SandboxConfig::default()).await;
    let g = app_graph(&s).await;
    let alice = make_user(&g, "alice").await;
    let (st, body) = g
        .post(
            "/v1.0/$batch",
            json!({"requests": [
                {"id": 1, "method": "GET", "url": format!("/users/{alice}?$select=id")},
                {"id": 2, "method": "GET", "url": "/users/microsoft.graph.delta()", "dependsOn": [1]},
                {"id": "3", "method": "POST", "url": "/directoryObjects/microsoft.graph.getByIds",
                 "headers": {"Content-Type": "application/json"}, "body": {"ids": [alice]}}
            ]}),
        )
        .await;
    assert_eq!(st, 200, "{body}");
    let responses = body["responses"].as_array().unwrap();
    for r in responses {
        assert_eq!(r["status"], json!(200), "{r}");
    }
    let ids: Vec<&str> = responses
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["1", "2", "3"]);
    // A number and a string naming the same step are one id.
    let (st, body) = g
        .post(
            "/v1.0/$batch",
            json!({"requests": [
                {"id": 1, "method": "GET", "url": "/users"},
                {"id": "1", "method": "GET", "url": "/users"}
            ]}),
        )
        .await;
    assert_eq!(st, 400, "{body}");
}

#[tokio::test]
async fn one_write_check_for_every_way_in() {
    let s = sandbox(SandboxConfig::default()).await;
    let g = app_graph(&s).await;
    let alice = make_user(&g, "alice").await;
    let invalid = |prop: &str, resource: &str| {
        format!("Invalid value specified for property '{prop}' of resource '{resource}'.")
    };

    // Inside complex values: an unknown name in passwordProfile, on create and update.
    let (st, body) = g
        .post(
            "/v1.0/users",
            json!({"accountEnabled": true, "displayName": "bob", "mailNickname": "bob",
                   "userPrincipalName": "bob@contoso.onmicrosoft.com",
                   "passwordProfile": {"password": "xWwvJ]6NMw+bWH-d", "bogus": 1}}),
        )
        .await;
    assert_eq!(st, 400, "{body}");
    let (st, body) = g
        .patch(
            &format!("/v1.0/users/{alice}"),
            json!({"passwordProfile": {"forceChangePasswordNextSignIn": "soon"}}),
        )
        .await;
    assert_eq!(st, 400, "{body}");

    // Sizes Graph enforces: strings and collections.
    let (st, body) = g
        .patch(
            &format!("/v1.0/users/{alice}"),
            json!({"displayName": "x".repeat(257)}),
        )
        .await;
    assert_eq!(st, 400, "{body}");
    assert_eq!(message(&body), invalid("displayName", "User"));
    assert_eq!(code(&body), "Request_BadRequest");
    let (st, body) = g
        .patch(
            &format!("/v1.0/users/{alice}"),
            json!({"businessPhones": ["+1 425 555 0100", "+1 425 555 0101"]}),
        )
        .await;
    assert_eq!(st, 400, "{body}");
    assert_eq!(message(&body), invalid("businessPhones", "User"));
    let (st, body) = g
        .patch(
            &format!("/v1.0/users/{alice}"),
            json!({"displayName": "x".repeat(256), "businessPhones": ["+1 425 555 0100"]}),
        )
        .await;
    assert_eq!(st, 204, "{body}");

    // A documented value set: a group's visibility, on create (the groups handler) and on
    // update (the generic store).
    let (st, body) = g
        .post(
            "/v1.0/groups",
            json!({"displayName": "G", "mailEnabled": false, "mailNickname": "g",
                   "securityEnabled": true, "visibility": "bogus"}),
        )
        .await;
    assert_eq!(st, 400, "{body}");
    assert_eq!(message(&body), invalid("visibility", "Group"));
    let gid = make_group(&g, "Team", &[]).await;
    let (st, body) = g
        .patch(
            &format!("/v1.0/groups/{gid}"),
            json!({"visibility": "bogus"}),
        )
        .await;
    assert_eq!(st, 400, "{body}");
    let (st, body) = g
        .patch(
            &format!("/v1.0/groups/{gid}"),
            json!({"visibility": "private"}),
        )
        .await;
    assert_eq!(st, 204, "{body}");

    // A cycle: a group as its own member.
    let (st, body) = g
        .post(
            &format!("/v1.0/groups/{gid}/members/$ref"),
            json!({"@odata.id": format!("https://graph.microsoft.com/v1.0/directoryObjects/{gid}")}),
        )
        .await;
    assert_eq!(st, 400, "{body}");
    assert_eq!(code(&body), "Request_BadRequest");

    // Uniqueness: an application's appId.
    let app_id = "6f1d2a4e-93b7-4c51-8e0a-5d2f7c9b1e34";
    let (st, body) = g
        .post(
            "/v1.0/applications",
            json!({"displayName": "A", "appId": app_id}),
        )
        .await;
    assert_eq!(st, 201, "{body}");
    let (st, body) = g
        .post(
            "/v1.0/applications",
            json!({"displayName": "B", "appId": app_id}),
        )
        .await;
    assert_eq!(st, 400, "{body}");
    assert!(message(&body).contains("appId"), "{body}");
}

#[tokio::test]
async fn read_only_properties_in_create_bodies_are_ignored_and_refused_in_updates() {
    let s = sandbox(SandboxConfig::default()).await;
    let g = app_graph(&s).await;
    let stamp = "2020-01-01T00:00:00Z";
    // The generic store (named locations), the groups and the users handlers.
    let (st, body) = g
        .post(
            "/v1.0/identity/conditionalAccess/namedLocations",
            json!({"@odata.type": "#microsoft.graph.ipNamedLocation", "displayName": "HQ",
                   "isTrusted": true, "createdDateTime": stamp, "modifiedDateTime": stamp,
                   "ipRanges": [{"@odata.type": "#microsoft.graph.iPv4CidrRange",
                                 "cidrAddress": "12.34.221.11/22"}]}),
        )
        .await;
    assert_eq!(st, 201, "{body}");
    assert_ne!(body["createdDateTime"], json!(stamp), "{body}");
    let (st, body) = g
        .post(
            "/v1.0/groups",
            json!({"displayName": "G", "mailEnabled": false, "mailNickname": "g",
                   "securityEnabled": true, "createdDateTime": stamp}),
        )
        .await;
    assert_eq!(st, 201, "{body}");
    assert_ne!(body["createdDateTime"], json!(stamp));
    let gid = body["id"].as_str().unwrap().to_string();
    let (st, body) = g
        .post(
            "/v1.0/users",
            json!({"accountEnabled": true, "displayName": "bob", "mailNickname": "bob",
                   "userPrincipalName": "bob@contoso.onmicrosoft.com", "createdDateTime": stamp,
                   "passwordProfile": {"password": "xWwvJ]6NMw+bWH-d"}}),
        )
        .await;
    assert_eq!(st, 201, "{body}");
    let (st, body) = g
        .patch(
            &format!("/v1.0/groups/{gid}"),
            json!({"createdDateTime": stamp}),
        )
        .await;
    assert_eq!(st, 400, "{body}");
    assert!(message(&body).contains("read-only"), "{body}");
}

#[tokio::test]
async fn casts_isof_has_and_dates_in_query_options() {
    let s = sandbox(SandboxConfig::default()).await;
    let g = app_graph(&s).await;
    let alice = make_user(&g, "alice").await;
    let (st, body) = g
        .patch(
            &format!("/v1.0/users/{alice}"),
            json!({"jobTitle": "Engineer"}),
        )
        .await;
    assert_eq!(st, 204, "{body}");
    let inner = make_group(&g, "Inner", &[]).await;
    let gid = make_group(&g, "Team", &[&alice, &inner]).await;

    // A cast inside $filter (advanced query on a reference collection).
    for cast in ["microsoft.graph.user", "graph.user"] {
        let (st, body) = eventual(
            &g,
            &format!(
                "/v1.0/groups/{gid}/members?$count=true&$filter={cast}/jobTitle eq 'Engineer'"
            ),
        )
        .await;
        assert_eq!(st, 200, "{cast}: {body}");
        assert_eq!(body["value"].as_array().unwrap().len(), 1, "{body}");
        assert_eq!(body["value"][0]["id"], json!(alice));
    }
    // ... inside $select: the derived type's property on the items that have it.
    let (st, body) = g
        .get(&format!(
            "/v1.0/groups/{gid}/members?$select=id,microsoft.graph.user/jobTitle"
        ))
        .await;
    assert_eq!(st, 200, "{body}");
    let user = body["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["id"] == json!(alice))
        .cloned()
        .unwrap();
    assert_eq!(user["jobTitle"], json!("Engineer"), "{body}");
    let (st, _) = g
        .get(&format!(
            "/v1.0/groups/{gid}/members?$select=microsoft.graph.user/noSuch"
        ))
        .await;
    assert_eq!(st, 400);
    // ... inside $expand: only the items of the cast type.
    let (st, body) = g
        .get(&format!(
            "/v1.0/groups/{gid}?$expand=members/microsoft.graph.group($select=id,displayName)"
        ))
        .await;
    assert_eq!(st, 200, "{body}");
    assert_eq!(
        body["members"],
        json!([{"@odata.type": "#microsoft.graph.group", "id": inner, "displayName": "Inner"}])
    );

    // isof(): a type test, an advanced query on directory objects.
    let (st, body) = g
        .get("/v1.0/directoryObjects?$filter=isof('microsoft.graph.group')")
        .await;
    assert_eq!(st, 400, "{body}");
    let (st, body) = eventual(
        &g,
        "/v1.0/directoryObjects?$count=true&$filter=isof('microsoft.graph.group')",
    )
    .await;
    assert_eq!(st, 200, "{body}");
    let types: Vec<&str> = body["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["@odata.type"].as_str().unwrap_or("none"))
        .collect();
    assert!(!types.is_empty());
    assert!(
        types.iter().all(|t| *t == "#microsoft.graph.group"),
        "{types:?}"
    );
    let (st, body) = eventual(
        &g,
        "/v1.0/users?$count=true&$filter=isof('microsoft.graph.user')",
    )
    .await;
    assert_eq!(st, 200, "{body}");
    let (_, all) = eventual(&g, "/v1.0/users?$count=true&$top=1").await;
    assert!(all["@odata.count"].as_u64().unwrap() > 1);
    assert_eq!(body["@odata.count"], all["@odata.count"], "every user");
    let (st, body) = eventual(
        &g,
        "/v1.0/users?$count=true&$filter=isof('microsoft.graph.group')",
    )
    .await;
    assert_eq!(
        (st, body["@odata.count"].clone()),
        (200, json!(0)),
        "{body}"
    );

    // has: a flags enumeration holds a member.
    let path = "/v1.0/identity/conditionalAccess/authenticationStrength/policies";
    for (name, combos) in [
        ("Phone", json!(["password,sms", "sms"])),
        ("Key", json!(["fido2"])),
    ] {
        let (st, body) = g
            .post(
                path,
                json!({"displayName": name, "allowedCombinations": combos}),
            )
            .await;
        assert_eq!(st, 201, "{body}");
    }
    let (st, body) = g
        .get(&format!(
            "{path}?$filter=allowedCombinations/any(x: x has 'sms')&$select=displayName"
        ))
        .await;
    assert_eq!(st, 200, "{body}");
    let names: Vec<&str> = body["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["displayName"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Phone"]);

    // A date-time literal against an Edm.Date property (`recurrenceRange.startDate`).
    let events = format!("/v1.0/users/{alice}/events");
    let (st, body) = g
        .post(
            &events,
            json!({"subject": "Standup",
                   "start": {"dateTime": "2024-03-02T09:00:00", "timeZone": "UTC"},
                   "end": {"dateTime": "2024-03-02T09:15:00", "timeZone": "UTC"},
                   "recurrence": {
                       "pattern": {"type": "daily", "interval": 1},
                       "range": {"type": "noEnd", "startDate": "2024-03-02"}}}),
        )
        .await;
    assert_eq!(st, 201, "{body}");
    for (literal, n) in [
        ("2024-03-01T00:00:00Z", 1),
        ("2024-03-03T00:00:00Z", 0),
        ("2024-03-02", 1),
    ] {
        let (st, body) = g
            .get(&format!(
                "{events}?$filter=recurrence/range/startDate ge {literal}&$select=subject"
            ))
            .await;
        assert_eq!(st, 200, "{literal}: {body}");
        assert_eq!(
            body["value"].as_array().unwrap().len(),
            n,
            "{literal}: {body}"
        );
    }
}

#[tokio::test]
async fn usage_reports_redirect_to_csv_with_the_documented_columns() {
    let s = sandbox(SandboxConfig::default()).await;
    let g = app_graph(&s).await;
    let (_, all) = eventual(&g, "/v1.0/users?$count=true&$top=1").await;
    let users = all["@odata.count"].as_u64().unwrap() as usize;
    for (function, first_columns) in [
        (
            "getOffice365ActiveUserDetail",
            "Report Refresh Date,User Principal Name,Display Name,Is Deleted,Deleted Date,Has Exchange License",
        ),
        (
            "getEmailActivityUserDetail",
            "Report Refresh Date,User Principal Name,Display Name,Is Deleted,Deleted Date,Last Activity Date,Send Count",
        ),
        (
            "getMailboxUsageDetail",
            "Report Refresh Date,User Principal Name,Display Name,Is Deleted,Deleted Date,Created Date",
        ),
        (
            "getOneDriveUsageAccountDetail",
            "Report Refresh Date,Site URL,Owner Display Name,Is Deleted,Last Activity Date",
        ),
        (
            "getTeamsUserActivityUserDetail",
            "Report Refresh Date,Tenant Display Name,Shared Channel Tenant Display Names,User Id,User Principal Name",
        ),
        (
            "getTeamsDeviceUsageUserDetail",
            "Report Refresh Date,User Id,User Principal Name,Last Activity Date",
        ),
        (
            "getOneDriveActivityUserDetail",
            "Report Refresh Date,User Principal Name,Is Deleted,Deleted Date,Last Activity Date,Viewed Or Edited File Count",
        ),
        (
            "getSharePointActivityUserDetail",
            "Report Refresh Date,User Principal Name,Is Deleted,Deleted Date,Last Activity Date,Viewed Or Edited File Count",
        ),
    ] {
        let path = format!("/v1.0/reports/{function}(period='D30')");
        let (st, headers, body) = g.send(reqwest::Method::GET, &path, None).await;
        assert_eq!(st, 302, "{path}: {body}");
        let location = headers["location"].to_str().unwrap().to_string();
        assert!(location.starts_with(&s.base_url), "{location}");
        // The download needs no token, as Graph's preauthenticated URL.
        let resp = client().get(&location).send().await.unwrap();
        assert_eq!(resp.status(), 200);
        let csv = resp.text().await.unwrap();
        let csv = csv.trim_start_matches('\u{feff}');
        let mut lines = csv.lines();
        let header = lines.next().unwrap();
        assert!(header.starts_with(first_columns), "{function}: {header}");
        let width = header.split(',').count();
        let rows: Vec<&str> = lines.collect();
        assert_eq!(rows.len(), users, "{function}: one row per user");
        assert!(rows
            .iter()
            .any(|r| r.contains("admin@contoso.onmicrosoft.com")));
        for r in &rows {
            assert_eq!(r.split(',').count(), width, "{function}: {r}");
        }
    }
    let (st, body) = g
        .get("/v1.0/reports/getOffice365ActiveUserDetail(period='D31')")
        .await;
    assert_eq!(st, 400, "{body}");
    // The day form (`date=YYYY-MM-DD`, Edm.Date) answers the same way; a bad date is refused.
    let (st, headers, body) = g
        .send(
            reqwest::Method::GET,
            "/v1.0/reports/getTeamsUserActivityUserDetail(date=2026-12-01)",
            None,
        )
        .await;
    assert_eq!(st, 302, "{body}");
    let csv = client()
        .get(headers["location"].to_str().unwrap())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(csv.lines().count(), users + 1);
    let (st, body) = g
        .get("/v1.0/reports/getTeamsUserActivityUserDetail(date=2026-13-01)")
        .await;
    assert_eq!(st, 400, "{body}");
}
