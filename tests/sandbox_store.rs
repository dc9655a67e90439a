//! The generic store over HTTP (issue 10, items 1, 2 and 4): routing by the catalog's
//! templates, CRUD below any entity, `$ref` with referential integrity, casts and `$count`,
//! alternate keys, media, derived types, Graph's write checks, and actions.

mod common;

use common::*;
use mggraph::sandbox::{Sandbox, SandboxConfig};
use reqwest::Method;
use serde_json::{json, Value};

struct Graph {
    s: Sandbox,
    token: String,
    delegated: String,
}

impl Graph {
    async fn new() -> Graph {
        let s = sandbox(SandboxConfig::default()).await;
        let token = app_token(&s).await;
        // Where Graph lets no app act (POST /devices), the administrator's token.
        let delegated = user_token(
            &s,
            &s.admin_upn,
            "Directory.AccessAsUser.All Directory.ReadWrite.All",
        )
        .await;
        let delegated = delegated["access_token"].as_str().unwrap().to_string();
        Graph {
            s,
            token,
            delegated,
        }
    }

    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        use mggraph::catalog::permissions::{requirement, Scheme};
        let below = path.trim_start_matches("/v1.0").trim_start_matches("/beta");
        let app_can = !requirement(method.as_str(), below, Scheme::Application)
            .grants
            .is_empty();
        let token = if app_can {
            &self.token
        } else {
            &self.delegated
        };
        let mut req = client()
            .request(method, format!("{}{path}", self.s.base_url))
            .bearer_auth(token)
            .header("ConsistencyLevel", "eventual");
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    async fn new_user(&self, nick: &str) -> String {
        let (status, body) = self
            .call(
                Method::POST,
                "/v1.0/users",
                Some(
                    json!({"accountEnabled": true, "displayName": nick, "mailNickname": nick,
                    "userPrincipalName": format!("{nick}@contoso.onmicrosoft.com"),
                    "passwordProfile": {"password": "xWwvJ]6NMw+bWH-d"}}),
                ),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        body["id"].as_str().unwrap().to_string()
    }
}

#[tokio::test]
async fn unknown_segments_are_400_and_wrong_verbs_405() {
    let g = Graph::new().await;
    let (status, body) = g.call(Method::GET, "/v1.0/nothingHere", None).await;
    assert_eq!(status, 400);
    assert_eq!(
        body["error"]["message"],
        "Resource not found for the segment 'nothingHere'."
    );
    let (status, body) = g
        .call(Method::GET, "/v1.0/devices/x/noSuchNavigation", None)
        .await;
    assert_eq!(status, 400, "{body}");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("'noSuchNavigation'"));
    // A real path with a verb its template lacks.
    let (status, _) = g.call(Method::PUT, "/v1.0/devices", Some(json!({}))).await;
    assert_eq!(status, 405);
    // A POST to a user or a group (not to one of their sets' actions).
    let (_, users) = g.call(Method::GET, "/v1.0/users?$top=1", None).await;
    let uid = users["value"][0]["id"].as_str().unwrap().to_string();
    let (status, body) = g
        .call(Method::POST, &format!("/v1.0/users/{uid}"), Some(json!({})))
        .await;
    assert_eq!(status, 405, "{body}");
    let (status, body) = g
        .call(Method::POST, "/v1.0/groups/noSuchAction", Some(json!({})))
        .await;
    assert_eq!(
        status, 405,
        "an entity of the set, which takes no POST: {body}"
    );
    // Beta serves the same paths.
    let (status, body) = g.call(Method::GET, "/beta/devices", None).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn writes_are_checked_against_the_model() {
    let g = Graph::new().await;
    let device = json!({"accountEnabled": true, "alternativeSecurityIds": [{"type": 2, "key": "a2V5"}],
        "deviceId": "6d0c6bd0-7a1e-4a3b-9f5e-1f4a1a2f3b4c", "displayName": "PC-1",
        "operatingSystem": "Windows", "operatingSystemVersion": "10.0"});
    let mut unknown = device.clone();
    unknown["colour"] = json!("blue");
    let (status, body) = g.call(Method::POST, "/v1.0/devices", Some(unknown)).await;
    assert_eq!(status, 400);
    let msg = body["error"]["message"].as_str().unwrap();
    assert!(
        msg.contains("'colour'") && msg.contains("microsoft.graph.device"),
        "{msg}"
    );
    let mut wrong = device.clone();
    wrong["accountEnabled"] = json!("yes");
    let (status, body) = g.call(Method::POST, "/v1.0/devices", Some(wrong)).await;
    assert_eq!(status, 400);
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("Edm.Boolean"));
    let mut missing = device.clone();
    missing.as_object_mut().unwrap().remove("deviceId");
    let (status, body) = g.call(Method::POST, "/v1.0/devices", Some(missing)).await;
    assert_eq!(status, 400);
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("'deviceId'"));
    let (status, created) = g
        .call(Method::POST, "/v1.0/devices", Some(device.clone()))
        .await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap();
    assert!(created["createdDateTime"].is_string() || created["registrationDateTime"].is_null());
    let (status, body) = g
        .call(
            Method::PATCH,
            &format!("/v1.0/devices/{id}"),
            Some(json!({"deletedDateTime": "2024-01-01T00:00:00Z"})),
        )
        .await;
    assert_eq!(status, 400);
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("read-only"));
    // Unique values: one service principal per application.
    let (_, app) = g
        .call(
            Method::POST,
            "/v1.0/applications",
            Some(json!({"displayName": "App"})),
        )
        .await;
    let app_id = app["appId"].as_str().unwrap();
    let (status, _) = g
        .call(
            Method::POST,
            "/v1.0/servicePrincipals",
            Some(json!({"appId": app_id})),
        )
        .await;
    assert_eq!(status, 201);
    let (status, body) = g
        .call(
            Method::POST,
            "/v1.0/servicePrincipals",
            Some(json!({"appId": app_id})),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["details"][0]["code"], "ObjectConflict");
    // Alternate key.
    let (status, body) = g
        .call(
            Method::GET,
            &format!("/v1.0/applications(appId='{app_id}')"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["displayName"], "App");
}

#[tokio::test]
async fn links_keep_referential_integrity() {
    let g = Graph::new().await;
    let boss = g.new_user("boss").await;
    let worker = g.new_user("worker").await;
    let (status, _) = g
        .call(
            Method::PUT,
            &format!("/v1.0/users/{worker}/manager/$ref"),
            Some(json!({"@odata.id": format!("https://graph.microsoft.com/v1.0/users/{boss}")})),
        )
        .await;
    assert_eq!(status, 204);
    let (status, body) = g
        .call(Method::GET, &format!("/v1.0/users/{worker}/manager"), None)
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["id"], boss.as_str());
    // A link to a missing object is Graph's 404.
    let (status, body) = g
        .call(
            Method::PUT,
            &format!("/v1.0/users/{worker}/manager/$ref"),
            Some(json!({"@odata.id": "https://graph.microsoft.com/v1.0/users/00000000-0000-0000-0000-000000000000"})),
        )
        .await;
    assert_eq!(status, 404);
    assert_eq!(body["error"]["code"], "Request_ResourceNotFound");
    // Group owners: add, list with a cast and $count, refuse a duplicate.
    let (_, group) = g
        .call(
            Method::POST,
            "/v1.0/groups",
            Some(json!({"displayName": "G", "mailEnabled": false, "mailNickname": "g", "securityEnabled": true})),
        )
        .await;
    let gid = group["id"].as_str().unwrap();
    let owner_ref =
        json!({"@odata.id": format!("https://graph.microsoft.com/v1.0/directoryObjects/{boss}")});
    let (status, _) = g
        .call(
            Method::POST,
            &format!("/v1.0/groups/{gid}/owners/$ref"),
            Some(owner_ref.clone()),
        )
        .await;
    assert_eq!(status, 204);
    let (status, _) = g
        .call(
            Method::POST,
            &format!("/v1.0/groups/{gid}/owners/$ref"),
            Some(owner_ref),
        )
        .await;
    assert_eq!(status, 400);
    let (status, body) = g
        .call(
            Method::GET,
            &format!("/v1.0/groups/{gid}/owners/microsoft.graph.user/$count"),
            None,
        )
        .await;
    assert_eq!((status, body), (200, json!(1)));
    // Deleting the user removes it from every link.
    let (status, _) = g
        .call(Method::DELETE, &format!("/v1.0/users/{boss}"), None)
        .await;
    assert_eq!(status, 204);
    let (_, body) = g
        .call(Method::GET, &format!("/v1.0/groups/{gid}/owners"), None)
        .await;
    assert_eq!(body["value"], json!([]));
    let (status, _) = g
        .call(Method::GET, &format!("/v1.0/users/{worker}/manager"), None)
        .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn contained_collections_media_and_derived_types() {
    let g = Graph::new().await;
    let uid = g.new_user("mailer").await;
    // A contained collection two levels down.
    let (status, event) = g
        .call(
            Method::POST,
            &format!("/v1.0/users/{uid}/events"),
            Some(json!({"subject": "Standup"})),
        )
        .await;
    assert_eq!(status, 201, "{event}");
    let eid = event["id"].as_str().unwrap();
    let (status, _) = g
        .call(
            Method::POST,
            &format!("/v1.0/users/{uid}/events/{eid}/attachments"),
            Some(json!({"@odata.type": "#microsoft.graph.fileAttachment", "name": "a.txt", "contentBytes": "aGk="})),
        )
        .await;
    assert_eq!(status, 201);
    let (_, list) = g
        .call(
            Method::GET,
            &format!("/v1.0/users/{uid}/events/{eid}/attachments"),
            None,
        )
        .await;
    assert_eq!(
        list["value"][0]["@odata.type"],
        "#microsoft.graph.fileAttachment"
    );
    assert_eq!(list["value"][0]["contentBytes"], "aGk=");
    // A derived type's properties need its @odata.type.
    let (status, _) = g
        .call(
            Method::POST,
            "/v1.0/identity/conditionalAccess/namedLocations",
            Some(json!({"displayName": "HQ", "ipRanges": []})),
        )
        .await;
    assert_eq!(status, 400);
    let (status, body) = g
        .call(
            Method::POST,
            "/v1.0/identity/conditionalAccess/namedLocations",
            Some(json!({"@odata.type": "#microsoft.graph.ipNamedLocation", "displayName": "HQ",
                "isTrusted": true, "ipRanges": [{"@odata.type": "#microsoft.graph.iPv4CidrRange", "cidrAddress": "10.0.0.0/8"}]})),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["@odata.type"], "#microsoft.graph.ipNamedLocation");
    // Media: a stream property.
    let (_, app) = g
        .call(
            Method::POST,
            "/v1.0/applications",
            Some(json!({"displayName": "Logo"})),
        )
        .await;
    let aid = app["id"].as_str().unwrap();
    let resp = client()
        .put(format!("{}/v1.0/applications/{aid}/logo", g.s.base_url))
        .bearer_auth(&g.token)
        .header("Content-Type", "image/png")
        .body(vec![1u8, 2, 3])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    let resp = client()
        .get(format!("{}/v1.0/applications/{aid}/logo", g.s.base_url))
        .bearer_auth(&g.token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["content-type"], "image/png");
    assert_eq!(resp.bytes().await.unwrap().to_vec(), vec![1u8, 2, 3]);
}

#[tokio::test]
async fn actions_validate_and_answer_their_return_types() {
    let g = Graph::new().await;
    let uid = g.new_user("member").await;
    let (_, group) = g
        .call(
            Method::POST,
            "/v1.0/groups",
            Some(json!({"displayName": "Sec", "mailEnabled": false, "mailNickname": "sec", "securityEnabled": true})),
        )
        .await;
    let gid = group["id"].as_str().unwrap();
    g.call(
        Method::POST,
        &format!("/v1.0/groups/{gid}/members/$ref"),
        Some(json!({"@odata.id": format!("https://graph.microsoft.com/v1.0/directoryObjects/{uid}")})),
    )
    .await;
    let (status, body) = g
        .call(
            Method::POST,
            &format!("/v1.0/users/{uid}/checkMemberGroups"),
            Some(json!({"groupIds": [gid, "00000000-0000-0000-0000-000000000000"]})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["value"], json!([gid]));
    let (status, body) = g
        .call(
            Method::POST,
            &format!("/v1.0/users/{uid}/checkMemberGroups"),
            Some(json!({"groupIds": "not a list"})),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    let (status, body) = g
        .call(
            Method::POST,
            &format!("/v1.0/users/{uid}/checkMemberGroups"),
            Some(json!({"nope": []})),
        )
        .await;
    assert_eq!(status, 400);
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("'nope'"));
    let (status, body) = g
        .call(
            Method::POST,
            "/v1.0/applications/getByIds",
            Some(json!({"ids": [uid, gid]})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["value"].as_array().unwrap().len(), 2);
    // The same actions on the sets whose other requests are hand-written (users, groups).
    for set in ["users", "groups"] {
        let (status, body) = g
            .call(
                Method::POST,
                &format!("/v1.0/{set}/getByIds"),
                Some(json!({"ids": [uid, gid]})),
            )
            .await;
        assert_eq!(status, 200, "{set}: {body}");
        assert_eq!(body["value"].as_array().unwrap().len(), 2, "{set}");
    }
    let (status, body) = g
        .call(
            Method::POST,
            "/v1.0/groups/validateProperties",
            Some(json!({"entityType": "Group", "displayName": "Test group", "mailNickname": "testgroup"})),
        )
        .await;
    assert_eq!(status, 204, "{body}");
    let (status, body) = g
        .call(
            Method::POST,
            &format!("/v1.0/users/{uid}/revokeSignInSessions"),
            None,
        )
        .await;
    assert_eq!((status, &body["value"]), (200, &json!(true)));
    // Credentials on applications; soft delete and restore.
    let (_, app) = g
        .call(
            Method::POST,
            "/v1.0/applications",
            Some(json!({"displayName": "Creds"})),
        )
        .await;
    let aid = app["id"].as_str().unwrap();
    let (status, cred) = g
        .call(
            Method::POST,
            &format!("/v1.0/applications/{aid}/addPassword"),
            Some(json!({"passwordCredential": {"displayName": "ci"}})),
        )
        .await;
    assert_eq!(status, 200, "{cred}");
    assert_eq!(cred["secretText"].as_str().unwrap().len(), 40);
    let (_, got) = g
        .call(Method::GET, &format!("/v1.0/applications/{aid}"), None)
        .await;
    assert_eq!(got["passwordCredentials"][0]["keyId"], cred["keyId"]);
    assert!(got["passwordCredentials"][0]["secretText"].is_null());
    let (status, _) = g
        .call(
            Method::POST,
            &format!("/v1.0/applications/{aid}/removePassword"),
            Some(json!({"keyId": cred["keyId"]})),
        )
        .await;
    assert_eq!(status, 204);
    let (status, _) = g
        .call(Method::DELETE, &format!("/v1.0/applications/{aid}"), None)
        .await;
    assert_eq!(status, 204);
    let (status, _) = g
        .call(Method::GET, &format!("/v1.0/applications/{aid}"), None)
        .await;
    assert_eq!(status, 404);
    let (status, body) = g
        .call(
            Method::POST,
            &format!("/v1.0/directory/deletedItems/{aid}/restore"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, _) = g
        .call(Method::GET, &format!("/v1.0/applications/{aid}"), None)
        .await;
    assert_eq!(status, 200);
    // delta answers with a deltaLink; functions with their declared type.
    let (status, body) = g.call(Method::GET, "/v1.0/users/delta()", None).await;
    assert_eq!(status, 200, "{body}");
    assert!(body["@odata.deltaLink"]
        .as_str()
        .unwrap()
        .contains("$deltatoken="));
    let (status, _) = g
        .call(
            Method::GET,
            "/v1.0/reports/getEmailActivityCounts(period='D7')",
            None,
        )
        .await;
    assert_eq!(status, 200);
}

/// The SDKs' PATCH of an application (`@odata.type` and any property) is the generic store's;
/// certificates (`keyCredentials`) keep their X.509 check.
#[tokio::test]
async fn application_updates_as_the_sdks_send_them() {
    let g = Graph::new().await;
    let (status, app) = g
        .call(
            Method::POST,
            "/v1.0/applications",
            Some(json!({"displayName": "Patched"})),
        )
        .await;
    assert_eq!(status, 201, "{app}");
    let path = format!("/v1.0/applications/{}", app["id"].as_str().unwrap());
    let (status, body) = g
        .call(
            Method::PATCH,
            &path,
            Some(
                json!({"@odata.type": "#microsoft.graph.application", "notes": "rotated",
                        "displayName": "Renamed"}),
            ),
        )
        .await;
    assert_eq!(status, 204, "{body}");
    let (_, read) = g.call(Method::GET, &path, None).await;
    assert_eq!(read["notes"], "rotated", "{read}");
    assert_eq!(read["displayName"], "Renamed", "{read}");
    // An unknown property is still refused, naming it.
    let (status, body) = g
        .call(Method::PATCH, &path, Some(json!({"noSuchProperty": 1})))
        .await;
    assert_eq!(status, 400, "{body}");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("noSuchProperty"));
    // A certificate that is not X.509 is refused, with or without `@odata.type`.
    let (status, body) = g
        .call(
            Method::PATCH,
            &path,
            Some(json!({"@odata.type": "#microsoft.graph.application",
                        "keyCredentials": [{"type": "AsymmetricX509Cert", "usage": "Verify", "key": "bm90IGEgY2VydA=="}]})),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("X.509"));
}

/// An action of a sub-namespace bound to a collection, as the SDK's path writes it
/// (Microsoft's example `Invoke-MgRemediateSecurityCollaborationAnalyzedEmail`), reaches the
/// action: it was read as a key of the collection and answered 405.
#[tokio::test(flavor = "multi_thread")]
async fn sub_namespace_operations_keep_their_qualification() {
    let g = Graph::new().await;
    let (status, body) = g
        .call(
            Method::POST,
            "/v1.0/security/collaboration/analyzedEmails/microsoft.graph.security.remediate",
            Some(
                json!({"displayName": "x", "action": "softDelete", "remediateSendersCopy": false,
                "analyzedEmails": [{"networkMessageId": "a", "recipientEmailAddress": "b@c"}]}),
            ),
        )
        .await;
    assert!(status < 300, "{status} {body}");
}
