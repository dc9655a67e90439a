//! The default (demo) tenant over HTTP (issue 10, items 4 and 5): what admin scripts read,
//! seeds, a blank tenant, a start that does not wait for the demo data, and `sendMail`.

mod common;

use common::*;
use mggraph::sandbox::SandboxConfig;
use serde_json::{json, Value};

fn ids(page: &Value) -> Vec<String> {
    page["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn the_default_tenant_serves_every_area_admin_scripts_read() {
    let s = sandbox(SandboxConfig::default()).await;
    let g = app_graph(&s).await;
    for (path, at_least) in [
        ("/v1.0/users?$top=999", 250),
        ("/v1.0/groups", 20),
        ("/v1.0/devices?$top=999", 100),
        ("/v1.0/servicePrincipals", 20),
        ("/v1.0/applications", 16),
        ("/v1.0/subscribedSkus", 5),
        ("/v1.0/directoryRoles", 10),
        ("/v1.0/organization", 1),
        ("/v1.0/domains", 3),
        ("/v1.0/auditLogs/signIns?$top=999", 500),
        ("/v1.0/auditLogs/directoryAudits?$top=999", 200),
        ("/v1.0/identity/conditionalAccess/policies", 5),
        ("/v1.0/identity/conditionalAccess/namedLocations", 2),
        ("/v1.0/deviceManagement/managedDevices?$top=999", 50),
        (
            "/v1.0/informationProtection/bitlocker/recoveryKeys?$top=999",
            50,
        ),
        (
            "/v1.0/reports/authenticationMethods/userRegistrationDetails?$top=999",
            250,
        ),
        ("/v1.0/roleManagement/directory/roleDefinitions", 10),
        ("/v1.0/roleManagement/directory/roleAssignments", 10),
        ("/v1.0/oauth2PermissionGrants", 2),
        ("/beta/devices?$top=999", 100),
    ] {
        let (status, page) = g.get(path).await;
        assert_eq!(status, 200, "{path}: {page}");
        let n = page["value"].as_array().map(Vec::len).unwrap_or(0);
        assert!(
            n >= at_least,
            "{path}: {n} items, expected at least {at_least}"
        );
    }
    // A date filter on a generic collection: stale devices.
    let cutoff = (chrono::Utc::now() - chrono::Duration::days(90)).format("%Y-%m-%dT%H:%M:%SZ");
    let (status, stale) = g
        .get(&format!(
            "/v1.0/devices?$top=999&$filter=approximateLastSignInDateTime le {cutoff}"
        ))
        .await;
    assert_eq!(status, 200, "{stale}");
    let all = g.get("/v1.0/devices?$top=999").await.1;
    let (n_stale, n_all) = (ids(&stale).len(), ids(&all).len());
    assert!(n_stale > 0 && n_stale < n_all, "{n_stale} of {n_all}");
    // A user's licence details and manager; the manager's direct reports include them.
    let (_, users) = g
        .get("/v1.0/users?$top=999&$select=id,jobTitle,assignedLicenses")
        .await;
    let staff = users["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| {
            u["jobTitle"] == "Account Executive"
                && u["assignedLicenses"]
                    .as_array()
                    .is_some_and(|l| !l.is_empty())
        })
        .expect("a licensed account executive");
    let id = staff["id"].as_str().unwrap();
    let (status, details) = g.get(&format!("/v1.0/users/{id}/licenseDetails")).await;
    assert_eq!(status, 200);
    assert_eq!(
        details["value"].as_array().unwrap().len(),
        staff["assignedLicenses"].as_array().unwrap().len()
    );
    let (status, manager) = g.get(&format!("/v1.0/users/{id}/manager")).await;
    assert_eq!(status, 200, "{manager}");
    assert_eq!(manager["jobTitle"], "Director of Sales");
    let reports = g
        .get(&format!(
            "/v1.0/users/{}/directReports?$top=999",
            manager["id"].as_str().unwrap()
        ))
        .await
        .1;
    assert!(ids(&reports).contains(&id.to_string()));
    // `$expand=manager` on one user and on a list, as `Get-MgUser -ExpandProperty manager`.
    let (_, expanded) = g
        .get(&format!(
            "/v1.0/users/{id}?$expand=manager($select=id,displayName)"
        ))
        .await;
    assert_eq!(expanded["manager"]["id"], manager["id"], "{expanded}");
    assert_eq!(expanded["manager"]["@odata.type"], "#microsoft.graph.user");
    let (_, listed) = g.get("/v1.0/users?$expand=manager&$top=999").await;
    let with_manager = listed["value"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["manager"]["id"].is_string())
        .count();
    assert!(
        with_manager > 150,
        "{with_manager} users listed with a manager"
    );
    // Moving them to another manager moves them between the two managers' direct reports;
    // removing the manager takes them out.
    let old_manager = manager["id"].as_str().unwrap().to_string();
    let new_manager = s.admin_upn.clone();
    let (status, _, body) = g
        .send(
            reqwest::Method::PUT,
            &format!("/v1.0/users/{id}/manager/$ref"),
            Some(json!({"@odata.id": format!("https://graph.microsoft.com/v1.0/users/{}", g.get(&format!("/v1.0/users/{new_manager}")).await.1["id"].as_str().unwrap())})),
        )
        .await;
    assert_eq!(status, 204, "{body}");
    let reports_of = |m: String| {
        let g = &g;
        async move {
            ids(&g
                .get(&format!("/v1.0/users/{m}/directReports?$top=999"))
                .await
                .1)
        }
    };
    assert!(!reports_of(old_manager.clone())
        .await
        .contains(&id.to_string()));
    assert!(reports_of(new_manager.clone())
        .await
        .contains(&id.to_string()));
    let (status, _, _) = g
        .send(
            reqwest::Method::DELETE,
            &format!("/v1.0/users/{id}/manager/$ref"),
            None,
        )
        .await;
    assert_eq!(status, 204);
    assert!(!reports_of(new_manager).await.contains(&id.to_string()));
    // The methods list holds the kinds kept in the store, with their types.
    let (_, report) = g
        .get("/v1.0/reports/authenticationMethods/userRegistrationDetails?$top=999")
        .await;
    let someone = report["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| {
            r["methodsRegistered"]
                .as_array()
                .unwrap()
                .contains(&json!("microsoftAuthenticatorPush"))
        })
        .unwrap();
    let (status, methods) = g
        .get(&format!(
            "/v1.0/users/{}/authentication/methods",
            someone["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(status, 200);
    let types: Vec<&str> = methods["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["@odata.type"].as_str().unwrap())
        .collect();
    assert!(
        types.contains(&"#microsoft.graph.microsoftAuthenticatorAuthenticationMethod"),
        "{types:?}"
    );
    assert!(
        types.contains(&"#microsoft.graph.passwordAuthenticationMethod"),
        "{types:?}"
    );
    // The administrator's memberOf lists the directory roles it holds, as Graph does; the
    // cast selects them; getMemberGroups leaves them out and getMemberObjects keeps them.
    let admin = g.get(&format!("/v1.0/users/{}", s.admin_upn)).await.1;
    let admin_id = admin["id"].as_str().unwrap();
    let (status, roles) = g
        .get(&format!(
            "/v1.0/users/{admin_id}/memberOf/microsoft.graph.directoryRole"
        ))
        .await;
    assert_eq!(status, 200, "{roles}");
    let names: Vec<&str> = roles["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["displayName"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Global Administrator"]);
    let role_id = roles["value"][0]["id"].as_str().unwrap().to_string();
    let (_, all) = g
        .get(&format!("/v1.0/users/{admin_id}/memberOf?$top=999"))
        .await;
    assert!(all["value"]
        .as_array()
        .unwrap()
        .iter()
        .any(
            |o| o["@odata.type"] == "#microsoft.graph.directoryRole" && o["id"] == role_id.as_str()
        ));
    for (action, has_role) in [("getMemberGroups", false), ("getMemberObjects", true)] {
        let (status, ids) = g
            .post(
                &format!("/v1.0/users/{admin_id}/{action}"),
                json!({"securityEnabledOnly": false}),
            )
            .await;
        assert_eq!(status, 200, "{action}: {ids}");
        let got = ids["value"].as_array().unwrap();
        assert!(!got.is_empty(), "{action}");
        assert_eq!(got.contains(&json!(role_id)), has_role, "{action}: {ids}");
    }
    // A BitLocker key's secret is shown only when selected, in a list and for one key.
    let (_, keys) = g
        .get("/v1.0/informationProtection/bitlocker/recoveryKeys?$top=1")
        .await;
    let key = &keys["value"][0];
    assert!(
        key.get("key").is_none() && key["deviceId"].is_string(),
        "{key}"
    );
    let one = format!(
        "/v1.0/informationProtection/bitlocker/recoveryKeys/{}",
        key["id"].as_str().unwrap()
    );
    assert!(g.get(&one).await.1.get("key").is_none());
    let (_, selected) = g.get(&format!("{one}?$select=key")).await;
    assert_eq!(
        selected["key"].as_str().map(str::len),
        Some(55),
        "{selected}"
    );
    // A projection shows in the context URL, for groups as for users.
    let (_, page) = g.get("/v1.0/groups?$select=id,displayName&$top=1").await;
    assert!(
        page["@odata.context"]
            .as_str()
            .unwrap()
            .ends_with("$metadata#groups(id,displayName)"),
        "{page}"
    );
    // A user may be created in a verified custom domain, not in an unverified one.
    for (domain, status) in [("contoso.com", 201), ("fabrikam-legacy.com", 400)] {
        let (got, body) = g
            .post(
                "/v1.0/users",
                json!({"accountEnabled": true, "displayName": "D", "mailNickname": "d",
                       "userPrincipalName": format!("d@{domain}"),
                       "passwordProfile": {"password": "xWwvJ]6NMw+bWH-d"}}),
            )
            .await;
        assert_eq!(got, status, "{domain}: {body}");
    }
}

#[tokio::test]
async fn a_seed_gives_the_same_tenant_and_empty_a_blank_one() {
    let list = |seed: Option<u64>| async move {
        let s = sandbox(SandboxConfig {
            demo: seed,
            ..Default::default()
        })
        .await;
        let g = app_graph(&s).await;
        let users = ids(&g.get("/v1.0/users?$top=999").await.1);
        let devices = ids(&g.get("/v1.0/devices?$top=999").await.1);
        (users, devices)
    };
    let (a_users, a_devices) = list(Some(5)).await;
    let (b_users, b_devices) = list(Some(5)).await;
    let (c_users, _) = list(Some(6)).await;
    // The four built-in users get fresh ids per tenant; the demo's are the seed's.
    assert_eq!(a_users[4..], b_users[4..]);
    assert_eq!(a_devices, b_devices);
    assert_ne!(a_users[4..], c_users[4..]);
    let (users, devices) = list(None).await;
    assert_eq!((users.len(), devices.len()), (4, 0));
}

#[tokio::test]
async fn send_mail_keeps_the_message_in_sent_items_and_delivers_it_in_the_tenant() {
    let s = sandbox(SandboxConfig {
        demo: None,
        ..Default::default()
    })
    .await;
    let g = app_graph(&s).await;
    let from = "adelev@contoso.onmicrosoft.com";
    let to = "alexw@contoso.onmicrosoft.com";
    let message = json!({"message": {
        "subject": "Quarterly access review",
        "body": {"contentType": "Text", "content": "Please review your team's access by Friday."},
        "toRecipients": [{"emailAddress": {"address": to}}],
        "ccRecipients": [{"emailAddress": {"address": "someone@fabrikam.com"}}],
    }, "saveToSentItems": true});
    let (status, body) = g
        .post(&format!("/v1.0/users/{from}/sendMail"), message)
        .await;
    assert_eq!(status, 202, "{body}");
    assert_eq!(body, Value::Null, "202 has no body");
    for (path, read) in [
        (
            format!("/v1.0/users/{from}/mailFolders/sentitems/messages"),
            true,
        ),
        (format!("/v1.0/users/{from}/messages"), true),
        (
            format!("/v1.0/users/{to}/mailFolders/inbox/messages"),
            false,
        ),
        (
            format!("/v1.0/users/{to}/messages?$filter=subject eq 'Quarterly access review'"),
            false,
        ),
    ] {
        let (status, page) = g.get(&path).await;
        assert_eq!(status, 200, "{path}: {page}");
        let m = &page["value"][0];
        assert_eq!(m["subject"], "Quarterly access review", "{path}");
        assert_eq!(m["from"]["emailAddress"]["address"], from, "{path}");
        assert_eq!(m["isRead"], read, "{path}");
        assert_eq!(
            m["bodyPreview"],
            "Please review your team's access by Friday."
        );
    }
    let (status, folder) = g.get(&format!("/v1.0/users/{to}/mailFolders/inbox")).await;
    assert_eq!((status, &folder["unreadItemCount"]), (200, &json!(1)));
    // No recipients, or one without an address: Graph's error, nothing stored.
    for bad in [
        json!({"message": {"subject": "x", "toRecipients": []}}),
        json!({"message": {"subject": "x", "toRecipients": [{"emailAddress": {"address": "nobody"}}]}}),
    ] {
        let (status, err) = g.post(&format!("/v1.0/users/{from}/sendMail"), bad).await;
        assert_eq!(
            (status, err["error"]["code"].as_str()),
            (400, Some("ErrorInvalidRecipients")),
            "{err}"
        );
    }
    let (_, sent) = g.get(&format!("/v1.0/users/{from}/messages")).await;
    assert_eq!(sent["value"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn action_parameters_are_read_in_any_case() {
    let s = sandbox(SandboxConfig {
        demo: None,
        ..Default::default()
    })
    .await;
    let g = app_graph(&s).await;
    let from = "adelev@contoso.onmicrosoft.com";
    // sendMail's parameters as CSDL spells them (PascalCase), not as the handler reads them.
    let (status, body) = g
        .post(
            &format!("/v1.0/users/{from}/sendMail"),
            json!({"Message": {"subject": "Case", "toRecipients": [{"emailAddress": {"address": "alexw@contoso.onmicrosoft.com"}}]},
                   "SaveToSentItems": false}),
        )
        .await;
    assert_eq!(status, 202, "{body}");
    let (_, sent) = g.get(&format!("/v1.0/users/{from}/messages")).await;
    assert_eq!(
        sent["value"].as_array().unwrap().len(),
        0,
        "SaveToSentItems was false"
    );
    let (_, inbox) = g
        .get("/v1.0/users/alexw@contoso.onmicrosoft.com/mailFolders/inbox/messages")
        .await;
    assert_eq!(inbox["value"][0]["subject"], "Case");
}

#[tokio::test]
async fn message_actions_move_copy_reply_and_forward_in_the_mailbox() {
    let s = sandbox(SandboxConfig {
        demo: None,
        ..Default::default()
    })
    .await;
    let g = app_graph(&s).await;
    let from = "adelev@contoso.onmicrosoft.com";
    let me = "alexw@contoso.onmicrosoft.com";
    let (status, _) = g
        .post(
            &format!("/v1.0/users/{from}/sendMail"),
            json!({"message": {"subject": "Lunch", "body": {"contentType": "Text", "content": "Noon?"},
                   "toRecipients": [{"emailAddress": {"address": me}}]}}),
        )
        .await;
    assert_eq!(status, 202);
    let (_, inbox) = g
        .get(&format!("/v1.0/users/{me}/mailFolders/inbox/messages"))
        .await;
    let mid = inbox["value"][0]["id"].as_str().unwrap().to_string();
    // A draft reply, in Drafts, to the sender.
    let (status, draft) = g
        .post(
            &format!("/v1.0/users/{me}/messages/{mid}/createReply"),
            json!({"Comment": "Yes"}),
        )
        .await;
    assert_eq!(status, 201, "{draft}");
    assert_eq!(draft["subject"], "RE: Lunch");
    assert_eq!(draft["isDraft"], true);
    assert_eq!(draft["parentFolderId"], "drafts");
    assert_eq!(draft["toRecipients"][0]["emailAddress"]["address"], from);
    let (status, got) = g
        .get(&format!(
            "/v1.0/users/{me}/mailFolders/drafts/messages/{}",
            draft["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!((status, &got["subject"]), (200, &json!("RE: Lunch")));
    // A reply is sent: the sender gets it.
    let (status, _) = g
        .post(
            &format!("/v1.0/users/{me}/messages/{mid}/reply"),
            json!({"comment": "See you"}),
        )
        .await;
    assert_eq!(status, 202);
    let (_, theirs) = g
        .get(&format!(
            "/v1.0/users/{from}/messages?$filter=subject eq 'RE: Lunch'"
        ))
        .await;
    assert_eq!(theirs["value"].as_array().unwrap().len(), 1, "{theirs}");
    // A forward needs a recipient.
    let (status, err) = g
        .post(
            &format!("/v1.0/users/{me}/messages/{mid}/forward"),
            json!({"comment": "none"}),
        )
        .await;
    assert_eq!(
        (status, err["error"]["code"].as_str()),
        (400, Some("ErrorInvalidRecipients"))
    );
    // Copy keeps it; move takes it out of the Inbox, under a new id.
    let (status, copy) = g
        .post(
            &format!("/v1.0/users/{me}/messages/{mid}/copy"),
            json!({"destinationId": "archive"}),
        )
        .await;
    assert_eq!((status, &copy["parentFolderId"]), (201, &json!("archive")));
    let (status, moved) = g
        .post(
            &format!("/v1.0/users/{me}/mailFolders/inbox/messages/{mid}/move"),
            json!({"DestinationId": "DeletedItems"}),
        )
        .await;
    assert_eq!(status, 201, "{moved}");
    assert_eq!(moved["parentFolderId"], "deleteditems");
    assert_ne!(moved["id"], json!(mid));
    let (status, _) = g.get(&format!("/v1.0/users/{me}/messages/{mid}")).await;
    assert_eq!(status, 404, "moved away");
    for (folder, n) in [("inbox", 0), ("deleteditems", 1), ("archive", 1)] {
        let (_, f) = g
            .get(&format!("/v1.0/users/{me}/mailFolders/{folder}"))
            .await;
        assert_eq!(f["totalItemCount"], json!(n), "{folder}: {f}");
        let (_, list) = g
            .get(&format!("/v1.0/users/{me}/mailFolders/{folder}/messages"))
            .await;
        assert_eq!(list["value"].as_array().unwrap().len(), n, "{folder}");
    }
    // A message created in a folder (kept there alone: reached through the folder) moves too;
    // a reply keeps its HTML.
    let (status, created) = g
        .post(
            &format!("/v1.0/users/{me}/mailFolders/inbox/messages"),
            json!({"subject": "Made here", "body": {"contentType": "html", "content": "<p>x</p>"},
                   "from": {"emailAddress": {"address": from}}}),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let cid = created["id"].as_str().unwrap();
    let (status, reply) = g
        .post(
            &format!("/v1.0/users/{me}/mailFolders/inbox/messages/{cid}/createReply"),
            json!({"comment": "ok"}),
        )
        .await;
    assert_eq!(
        (status, &reply["body"]["contentType"]),
        (201, &json!("html"))
    );
    let (status, err) = g
        .post(
            &format!("/v1.0/users/{me}/mailFolders/inbox/messages/{cid}/createReply"),
            json!({"comment": "ok", "message": {"body": {"content": "also"}}}),
        )
        .await;
    assert_eq!(status, 400, "a comment beside a body: {err}");
    let (status, moved_here) = g
        .post(
            &format!("/v1.0/users/{me}/mailFolders/inbox/messages/{cid}/move"),
            json!({"destinationId": "archive"}),
        )
        .await;
    assert_eq!((status, &moved_here["subject"]), (201, &json!("Made here")));
    let (status, err) = g
        .post(
            &format!(
                "/v1.0/users/{me}/messages/{}/move",
                moved["id"].as_str().unwrap()
            ),
            json!({"destinationId": "noSuchFolder"}),
        )
        .await;
    assert_eq!(
        (status, err["error"]["code"].as_str()),
        (404, Some("ErrorItemNotFound"))
    );
}

/// `signInActivity` (user resource, returned when `$select`ed) agrees with the sign-in log:
/// a user's last interactive, non-interactive and successful sign-ins are the newest such
/// events the log holds for them; a user without events in the log signed in (if ever)
/// before the log's oldest one.
#[tokio::test]
async fn sign_in_activity_agrees_with_the_sign_in_log() {
    use std::collections::HashMap;
    let s = sandbox(SandboxConfig::default()).await;
    let g = app_graph(&s).await;
    let at = unix_seconds;
    let mut events = vec![];
    let mut next = Some("/v1.0/auditLogs/signIns?$top=999".to_string());
    while let Some(path) = next {
        let (status, page) = g.get(&path).await;
        assert_eq!(status, 200, "{page}");
        events.extend(page["value"].as_array().unwrap().iter().cloned());
        next = page["@odata.nextLink"]
            .as_str()
            .map(|l| l.trim_start_matches(&s.base_url).to_string());
    }
    let oldest = events
        .iter()
        .filter_map(|e| at(&e["createdDateTime"]))
        .min()
        .unwrap();
    // user id → (interactive, non-interactive, successful): the newest event's (time, id).
    type Last = Option<(i64, String)>;
    let mut expected: HashMap<String, [Last; 3]> = HashMap::new();
    for e in &events {
        let (Some(user), Some(when)) = (e["userId"].as_str(), at(&e["createdDateTime"])) else {
            continue;
        };
        let id = e["id"].as_str().unwrap().to_string();
        let slots = expected.entry(user.to_string()).or_default();
        let interactive = e["isInteractive"].as_bool().unwrap();
        let success = e["status"]["errorCode"] == 0;
        for (i, applies) in [interactive, !interactive, success].into_iter().enumerate() {
            if applies && slots[i].as_ref().map_or(true, |(t, _)| when > *t) {
                slots[i] = Some((when, id.clone()));
            }
        }
    }
    let (status, users) = g
        .get("/v1.0/users?$select=id,signInActivity&$top=999")
        .await;
    assert_eq!(status, 200, "{users}");
    let users = users["value"].as_array().unwrap();
    let mut with_activity = 0;
    for u in users {
        let id = u["id"].as_str().unwrap();
        let activity = &u["signInActivity"];
        let fields = [
            ("lastSignInDateTime", "lastSignInRequestId"),
            (
                "lastNonInteractiveSignInDateTime",
                "lastNonInteractiveSignInRequestId",
            ),
            (
                "lastSuccessfulSignInDateTime",
                "lastSuccessfulSignInRequestId",
            ),
        ];
        let slots = expected.get(id).cloned().unwrap_or_default();
        for ((when, request), slot) in fields.iter().zip(slots) {
            let shown = (at(&activity[*when]), activity[*request].as_str());
            match slot {
                Some((t, event)) => {
                    assert_eq!(shown, (Some(t), Some(event.as_str())), "{id} {when}: {u}");
                    with_activity += 1;
                }
                None => assert!(
                    shown.0.map_or(true, |t| t < oldest),
                    "{id} {when}: not in the log, so before it: {u}"
                ),
            }
        }
    }
    assert!(with_activity > 100, "{with_activity}");
    // One user by id, as scripts read it: one who signed in interactively (the map's order is
    // random, and some users have non-interactive sign-ins only).
    let (id, _) = expected
        .iter()
        .find(|(_, slots)| slots[0].is_some())
        .expect("a user who signed in interactively");
    let (status, one) = g
        .get(&format!("/v1.0/users/{id}?$select=signInActivity"))
        .await;
    assert_eq!(status, 200, "{one}");
    assert!(
        one["signInActivity"]["lastSignInDateTime"].is_string(),
        "{one}"
    );
}

/// `signInSessionsValidFromDateTime` (user resource: the time before which refresh tokens are
/// invalid) always has a value: for a user never revoked, when it was created or its password
/// last set, whichever is later; `revokeSignInSessions` moves it to now. Every user has it,
/// the demo's, the built-in ones and a new one, and it is selectable.
#[tokio::test]
async fn every_user_has_sign_in_sessions_valid_from_its_creation_or_password_change() {
    let s = sandbox(SandboxConfig::default()).await;
    let g = app_graph(&s).await;
    let at = unix_seconds;
    let mut users = vec![];
    let mut next = Some(
        "/v1.0/users?$top=999&$select=id,userPrincipalName,createdDateTime,lastPasswordChangeDateTime,signInSessionsValidFromDateTime"
            .to_string(),
    );
    while let Some(path) = next {
        let (status, page) = g.get(&path).await;
        assert_eq!(status, 200, "{page}");
        users.extend(page["value"].as_array().unwrap().iter().cloned());
        next = page["@odata.nextLink"]
            .as_str()
            .map(|l| l.trim_start_matches(&s.base_url).to_string());
    }
    assert!(users.len() >= 250, "{}", users.len());
    assert!(users
        .iter()
        .any(|u| u["userPrincipalName"].as_str() == Some(s.admin_upn.as_str())));
    for u in &users {
        let from = at(&u["signInSessionsValidFromDateTime"])
            .unwrap_or_else(|| panic!("no signInSessionsValidFromDateTime: {u}"));
        let created = at(&u["createdDateTime"]).expect("createdDateTime");
        let expected = at(&u["lastPasswordChangeDateTime"]).map_or(created, |p| p.max(created));
        assert_eq!(from, expected, "{u}");
    }
    // A new user: valid from its creation.
    let (status, user) = g
        .post(
            "/v1.0/users",
            json!({
                "accountEnabled": true, "displayName": "Sessions", "mailNickname": "sessions",
                "userPrincipalName": format!("sessions@{}", s.domain),
                "passwordProfile": {"password": "xWwvJ]6NMw+bWH-d"},
            }),
        )
        .await;
    assert_eq!(status, 201, "{user}");
    let uid = user["id"].as_str().unwrap();
    let (_, new) = g
        .get(&format!(
            "/v1.0/users/{uid}?$select=createdDateTime,signInSessionsValidFromDateTime,refreshTokensValidFromDateTime"
        ))
        .await;
    // Its older name is the same instant.
    assert_eq!(
        new["refreshTokensValidFromDateTime"],
        new["signInSessionsValidFromDateTime"]
    );
    assert_eq!(
        at(&new["signInSessionsValidFromDateTime"]),
        at(&new["createdDateTime"]),
        "{new}"
    );

    // Revoking moves it (and its older name) to now.
    let old = users
        .iter()
        .find(|u| {
            at(&u["signInSessionsValidFromDateTime"]).unwrap()
                < chrono::Utc::now().timestamp() - 86_400
        })
        .expect("a user created more than a day ago");
    let id = old["id"].as_str().unwrap();
    let before = chrono::Utc::now().timestamp();
    let (status, _) = g
        .post(&format!("/v1.0/users/{id}/revokeSignInSessions"), json!({}))
        .await;
    assert_eq!(status, 200);
    let (_, now) = g
        .get(&format!(
            "/v1.0/users/{id}?$select=signInSessionsValidFromDateTime,refreshTokensValidFromDateTime"
        ))
        .await;
    let from = at(&now["signInSessionsValidFromDateTime"]).unwrap();
    assert!(
        from >= before - 1 && from <= chrono::Utc::now().timestamp() + 1,
        "{now}"
    );
    assert_eq!(
        now["refreshTokensValidFromDateTime"],
        now["signInSessionsValidFromDateTime"]
    );
}

/// servicePrincipal is an open type (`OpenType="true"` in the v1.0 metadata): Graph takes a
/// `$select` of `createdDateTime`, which v1.0 declares on other directory objects but not
/// there, and returns it when the object has it; a name the directory does not know is still
/// Graph's 400, as it is on a closed type.
#[tokio::test]
async fn select_takes_dynamic_properties_of_open_types_and_refuses_unknown_ones_of_closed_types() {
    let s = sandbox(SandboxConfig::default()).await;
    let g = app_graph(&s).await;
    let (status, page) = g
        .get("/v1.0/servicePrincipals?$select=id,createdDateTime")
        .await;
    assert_eq!(status, 200, "{page}");
    let items = page["value"].as_array().unwrap();
    assert!(!items.is_empty());
    for sp in items {
        assert!(sp["id"].is_string(), "{sp}");
        assert!(
            sp.get("displayName").is_none(),
            "only what was selected: {sp}"
        );
    }
    let id = items[0]["id"].as_str().unwrap();
    let (status, one) = g
        .get(&format!(
            "/v1.0/servicePrincipals/{id}?$select=displayName,CreatedDateTime"
        ))
        .await;
    assert_eq!(status, 200, "{one}");
    assert!(one["displayName"].is_string(), "{one}");
    // The canonical name, as on the types that declare it.
    assert!(one.get("createdDateTime").is_some(), "{one}");

    // An open type outside the directory (contact) takes any dynamic name.
    let (status, page) = g
        .get(&format!(
            "/v1.0/users/{}/contacts?$select=id,someDynamicProperty",
            s.admin_upn
        ))
        .await;
    assert_eq!(status, 200, "{page}");

    // Closed types (domain, conditionalAccessPolicy) refuse an unknown name.
    for path in [
        "/v1.0/domains?$select=id,createdDateTime",
        "/v1.0/identity/conditionalAccess/policies?$select=id,noSuchProperty",
    ] {
        let (status, e) = g.get(path).await;
        assert_eq!(status, 400, "{path}: {e}");
        assert!(
            e["error"]["message"]
                .as_str()
                .unwrap()
                .starts_with("Could not find a property named"),
            "{path}: {e}"
        );
    }
    let (status, e) = g
        .get("/v1.0/servicePrincipals?$select=id,noSuchProperty")
        .await;
    assert_eq!(status, 400, "{e}");
}

/// Consent scripts look Microsoft Graph's permissions up on its service principal
/// (`$sp.Oauth2PermissionScopes | ? Value -eq 'User.Read'`, `$sp.AppRoles | ? Value -eq
/// 'User.Read.All'`) and grant them by id: every permission of Microsoft's map is there, with
/// the ids Microsoft publishes.
#[tokio::test]
async fn microsoft_graphs_service_principal_lists_its_permissions() {
    let s = sandbox(SandboxConfig::default()).await;
    let g = app_graph(&s).await;
    let (status, page) = g
        .get("/v1.0/servicePrincipals?$filter=appId%20eq%20'00000003-0000-0000-c000-000000000000'")
        .await;
    assert_eq!(status, 200, "{page}");
    let sp = &page["value"][0];
    let find = |list: &str, value: &str| {
        sp[list]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["value"] == value)
            .cloned()
            .unwrap_or_else(|| panic!("{value} in {list}"))
    };
    assert_eq!(
        find("oauth2PermissionScopes", "User.Read")["id"],
        "e1fe6dd8-ba31-4d61-89e7-88639da4683d"
    );
    assert_eq!(
        find("oauth2PermissionScopes", "User.Read.All")["type"],
        "Admin"
    );
    assert_eq!(find("oauth2PermissionScopes", "User.Read")["type"], "User");
    let role = find("appRoles", "User.Read.All");
    assert_eq!(role["id"], "df021288-bdef-4463-88db-98f22de89214");
    assert_eq!(role["allowedMemberTypes"], json!(["Application"]));
    assert!(
        sp["appRoles"].as_array().unwrap().len() > 300,
        "every application permission"
    );
    assert!(sp["oauth2PermissionScopes"].as_array().unwrap().len() > 300);
}
