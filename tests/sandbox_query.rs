//! The sandbox's OData query semantics over real HTTP: `$filter` limits (issue 8, item 1a),
//! Graph's grammar and advanced-query rules, `$select`/`$expand`, casts and `$count`
//! segments, timestamps, batch headers and group SIDs (issue 10).

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use common::*;
use mggraph::sandbox::SandboxConfig;
use reqwest::Method;
use serde_json::{json, Value};

/// The server binary in a child process, killed on drop.
struct Server {
    child: Child,
    info: Value,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_server() -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mggraph-sandbox"))
        .args(["--listen", "127.0.0.1:0", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the server starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let info: Value = serde_json::from_str(&line).expect("one JSON line");
    Server { child, info }
}

async fn server_token(info: &Value) -> String {
    let resp = client()
        .post(format!(
            "{}/{}/oauth2/v2.0/token",
            info["baseUrl"].as_str().unwrap(),
            info["tenantId"].as_str().unwrap()
        ))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", info["clientId"].as_str().unwrap()),
            ("client_secret", info["clientSecret"].as_str().unwrap()),
            ("scope", "https://graph.microsoft.com/.default"),
        ])
        .send()
        .await
        .unwrap();
    let body: Value = resp.json().await.unwrap();
    body["access_token"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn deeply_nested_and_huge_filters_get_400_and_the_server_lives() {
    let mut server = start_server();
    let g = Graph {
        base: server.info["baseUrl"].as_str().unwrap().to_string(),
        token: server_token(&server.info).await,
    };
    // Issue 8, 1a: ~1,500 nested parentheses (a 20 KB URL).
    let deep = format!("{}displayName eq 'x'{}", "(".repeat(1500), ")".repeat(1500));
    let (status, body) = g
        .get(&format!("/v1.0/users?$filter={}", urlencode(&deep)))
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["code"], "Request_UnsupportedQuery");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Max allowed"),
        "{body}"
    );
    // A 10,000-term `and` chain inside a `$batch` step.
    let chain = vec!["displayName eq 'x'"; 10_000].join(" and ");
    let (status, body) = g
        .post(
            "/v1.0/$batch",
            json!({"requests": [
                {"id": "1", "method": "GET", "url": format!("/users?$filter={}", urlencode(&chain))},
                {"id": "2", "method": "GET", "url": format!("/groups?$filter={}", urlencode(&deep))}
            ]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    for step in body["responses"].as_array().unwrap() {
        assert_eq!(step["status"], 400, "{step}");
        assert_eq!(step["body"]["error"]["code"], "Request_UnsupportedQuery");
    }
    // Deep `not` chains and lambdas too.
    for f in [
        format!("{}accountEnabled eq true", "not ".repeat(5000)),
        format!(
            "{}x eq 'y'{}",
            "proxyAddresses/any(x:".repeat(2000),
            ")".repeat(2000)
        ),
    ] {
        let (status, _) = g
            .get(&format!("/v1.0/users?$filter={}", urlencode(&f)))
            .await;
        assert_eq!(status, 400);
    }
    let (status, users) = g.get("/v1.0/users?$top=1").await;
    assert_eq!(status, 200, "still serving: {users}");
    assert!(
        server.child.try_wait().unwrap().is_none(),
        "the server process is alive"
    );
}

async fn new_group(g: &Graph, nick: &str, unified: bool) -> Value {
    let (s, group) = g
        .post(
            "/v1.0/groups",
            json!({"displayName": nick, "mailEnabled": unified, "mailNickname": nick,
                   "securityEnabled": !unified, "groupTypes": if unified { json!(["Unified"]) } else { json!([]) }}),
        )
        .await;
    assert_eq!(s, 201, "{group}");
    group
}

fn ids(page: &Value) -> Vec<String> {
    page["value"]
        .as_array()
        .unwrap_or_else(|| panic!("a collection: {page}"))
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn filter_grammar_lambdas_dates_and_counts() {
    let s = sandbox(SandboxConfig {
        seed_users: 5,
        demo: None,
        ..Default::default()
    })
    .await;
    let g = app_graph(&s).await;
    let (status, page) = g
        .get("/v1.0/users?$filter=createdDateTime%20ge%202021-07-01T00:00:00Z")
        .await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(ids(&page).len(), 9);
    let (status, page) = g
        .get("/v1.0/users?$filter=createdDateTime%20lt%202021-07-01")
        .await;
    assert_eq!((status, ids(&page).len()), (200, 0), "{page}");
    let unified = new_group(&g, "unified1", true).await;
    let security = new_group(&g, "security1", false).await;
    let (status, page) = g
        .get("/v1.0/groups?$filter=groupTypes/any(c:c%20eq%20'Unified')")
        .await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(ids(&page), [unified["id"].as_str().unwrap()]);
    // `not` needs the advanced parameters.
    let q = "/v1.0/groups?$filter=NOT%20groupTypes/any(c:c%20eq%20'Unified')&$count=true";
    let (status, err) = g.get(q).await;
    assert_eq!(status, 400);
    assert_eq!(err["error"]["code"], "Request_UnsupportedQuery");
    let (status, page) = eventual(&g, q).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(ids(&page), [security["id"].as_str().unwrap()]);
    assert_eq!(page["@odata.count"], 1);
    // memberOf/$count: members of no group.
    let sid = security["id"].as_str().unwrap();
    let admin_id = g.get(&format!("/v1.0/users/{}", s.admin_upn)).await.1["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (st, _) = g
        .post(
            &format!("/v1.0/groups/{sid}/members/$ref"),
            json!({"@odata.id": format!("https://graph.microsoft.com/v1.0/directoryObjects/{admin_id}")}),
        )
        .await;
    assert_eq!(st, 204);
    let (status, page) = eventual(
        &g,
        "/v1.0/users?$filter=memberOf/$count%20eq%200&$count=true",
    )
    .await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["@odata.count"], 8, "everyone but the administrator");
    let (status, page) = eventual(
        &g,
        "/v1.0/users?$filter=memberOf/$count%20gt%200&$count=true&$select=id",
    )
    .await;
    assert_eq!((status, ids(&page)), (200, vec![admin_id.clone()]));
    // A filter too complex for a default query.
    let ors = (0..16)
        .map(|i| format!("mail eq 'u{i}@x.com'"))
        .collect::<Vec<_>>()
        .join(" or ");
    let (status, err) = g
        .get(&format!("/v1.0/users?$filter={}", urlencode(&ors)))
        .await;
    assert_eq!(status, 400);
    assert!(err["error"]["message"]
        .as_str()
        .unwrap()
        .contains("Max allowed: 15"));
    // Unknown property and type mismatch.
    let (status, err) = g.get("/v1.0/users?$filter=noSuchProperty%20eq%201").await;
    assert_eq!(status, 400);
    assert_eq!(
        err["error"]["message"],
        "Could not find a property named 'noSuchProperty' on type 'microsoft.graph.user'."
    );
}

#[tokio::test]
async fn sorting_with_a_filter_needs_advanced_query() {
    let s = sandbox(SandboxConfig {
        seed_users: 20,
        demo: None,
        ..Default::default()
    })
    .await;
    let g = app_graph(&s).await;
    let q = "/v1.0/users?$filter=startswith(displayName,'Seed')&$orderby=displayName%20desc";
    let (status, err) = g.get(q).await;
    assert_eq!(status, 400);
    assert_eq!(err["error"]["code"], "Request_UnsupportedQuery");
    assert_eq!(
        err["error"]["message"],
        "Sorting not supported for current query."
    );
    let (status, page) = eventual(&g, &format!("{q}&$count=true")).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["value"][0]["displayName"], "Seed User 000020");
    assert_eq!(page["@odata.count"], 20);
    // Without a filter, displayName sorts by default.
    let (status, page) = g.get("/v1.0/users?$orderby=displayName&$top=1").await;
    assert_eq!(
        (status, &page["value"][0]["displayName"]),
        (200, &json!("Adele Vance"))
    );
    // $search needs ConsistencyLevel; with it, the "property:term" syntax works.
    let (status, _) = g.get("/v1.0/users?$search=%22displayName:wilber%22").await;
    assert_eq!(status, 400);
    let (status, page) = eventual(&g, "/v1.0/users?$search=%22displayName:wilber%22").await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["value"][0]["displayName"], "Alex Wilber");
    let (status, err) = g.get("/v1.0/users?$skip=5").await;
    assert_eq!(status, 400, "{err}");
}

#[tokio::test]
async fn select_and_expand_are_checked_and_served() {
    let s = sandbox(SandboxConfig {
        demo: None,
        ..Default::default()
    })
    .await;
    let g = app_graph(&s).await;
    let (status, err) = g
        .get(&format!(
            "/v1.0/users/{}?$select=signInActivity,noSuchProperty",
            s.admin_upn
        ))
        .await;
    assert_eq!(status, 400);
    assert_eq!(
        err["error"]["message"],
        "Could not find a property named 'noSuchProperty' on type 'microsoft.graph.user'."
    );
    let (status, err) = g.get("/v1.0/users?$expand=noSuchThing").await;
    assert_eq!(status, 400, "{err}");
    let (status, user) = g
        .get(&format!(
            "/v1.0/users/{}?$select=displayName,jobTitle,city",
            s.admin_upn
        ))
        .await;
    assert_eq!(status, 200);
    assert_eq!(user["city"], Value::Null, "a selected property is present");
    let group = new_group(&g, "expandme", false).await;
    let gid = group["id"].as_str().unwrap();
    let admin = g.get(&format!("/v1.0/users/{}", s.admin_upn)).await.1;
    let admin_id = admin["id"].as_str().unwrap();
    g.post(
        &format!("/v1.0/groups/{gid}/members/$ref"),
        json!({"@odata.id": format!("https://graph.microsoft.com/v1.0/directoryObjects/{admin_id}")}),
    )
    .await;
    let (status, user) = g
        .get(&format!(
            "/v1.0/users/{admin_id}?$expand=memberOf($select=id,displayName),manager"
        ))
        .await;
    assert_eq!(status, 200, "{user}");
    assert_eq!(user["memberOf"][0]["id"], gid);
    assert_eq!(user["memberOf"][0]["@odata.type"], "#microsoft.graph.group");
    assert_eq!(user["memberOf"][0].as_object().unwrap().len(), 3);
    assert!(user.get("manager").is_none(), "no manager: left out");
    let (status, group) = g
        .get(&format!("/v1.0/groups/{gid}?$expand=members($select=id)"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(group["members"][0]["id"], admin_id);
    let (status, _) = g.get(&format!("/v1.0/users/{admin_id}/manager")).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn casts_count_segments_and_unknown_paths() {
    let s = sandbox(SandboxConfig {
        demo: None,
        ..Default::default()
    })
    .await;
    let g = app_graph(&s).await;
    let group = new_group(&g, "castme", false).await;
    let inner = new_group(&g, "inner", false).await;
    let gid = group["id"].as_str().unwrap();
    let admin_id = g.get(&format!("/v1.0/users/{}", s.admin_upn)).await.1["id"]
        .as_str()
        .unwrap()
        .to_string();
    for member in [admin_id.as_str(), inner["id"].as_str().unwrap()] {
        let (st, _) = g
            .post(
                &format!("/v1.0/groups/{gid}/members/$ref"),
                json!({"@odata.id": format!("https://graph.microsoft.com/v1.0/directoryObjects/{member}")}),
            )
            .await;
        assert_eq!(st, 204);
    }
    let (status, page) = g
        .get(&format!("/v1.0/groups/{gid}/members/microsoft.graph.user"))
        .await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(ids(&page), [admin_id.as_str()]);
    assert!(page["@odata.context"].as_str().unwrap().ends_with("#users"));
    let (status, page) = g
        .get(&format!("/v1.0/groups/{gid}/members/microsoft.graph.group"))
        .await;
    assert_eq!((status, ids(&page).len()), (200, 1));
    let (status, count) = eventual(&g, &format!("/v1.0/groups/{gid}/members/$count")).await;
    assert_eq!((status, count), (200, json!(2)));
    let (status, count) = eventual(
        &g,
        &format!("/v1.0/groups/{gid}/members/microsoft.graph.user/$count"),
    )
    .await;
    assert_eq!((status, count), (200, json!(1)));
    let (status, _) = g.get(&format!("/v1.0/groups/{gid}/members/$count")).await;
    assert_eq!(status, 400, "$count needs ConsistencyLevel");
    // The administrator is a member of the group and of the activated Global Administrator
    // role every tenant has (memberOf lists directory roles too).
    let (status, page) = g.get(&format!("/v1.0/users/{admin_id}/memberOf")).await;
    assert_eq!(status, 200, "{page}");
    let types: Vec<(&str, &str)> = page["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["id"].as_str().unwrap(),
                o["@odata.type"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(types.len(), 2, "{page}");
    assert!(types.contains(&(gid, "#microsoft.graph.group")), "{page}");
    assert!(
        types
            .iter()
            .any(|(_, t)| *t == "#microsoft.graph.directoryRole"),
        "{page}"
    );
    // A reference collection is filtered with advanced query only (Graph's 400 otherwise;
    // tests/sandbox_protocol.rs has the kind).
    let filtered = format!("/v1.0/groups/{gid}/members?$filter=startswith(displayName,'inn')");
    let (status, _) = g.get(&filtered).await;
    assert_eq!(status, 400);
    let (status, page) = eventual(&g, &format!("{filtered}&$count=true")).await;
    assert_eq!((status, ids(&page).len()), (200, 1), "{page}");
    // Unknown segments are 400 "Resource not found for the segment"; wrong verbs on real
    // paths are 405.
    for path in [
        "/v1.0/nothingHere".to_string(),
        format!("/v1.0/users/{admin_id}/nothingHere"),
        format!("/v1.0/groups/{gid}/nothingHere"),
        format!("/v1.0/groups/{gid}/members/microsoft.graph.nothing"),
    ] {
        let (status, err) = g.get(&path).await;
        assert_eq!(status, 400, "{path}: {err}");
        assert_eq!(err["error"]["code"], "BadRequest");
        assert!(err["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("Resource not found for the segment"));
    }
    let (status, _, _) = g
        .send(
            Method::PUT,
            &format!("/v1.0/groups/{gid}/members"),
            Some(json!({})),
        )
        .await;
    assert_eq!(status, 405);
    let (status, _, _) = g.send(Method::PUT, "/v1.0/users", Some(json!({}))).await;
    assert_eq!(status, 405);
}

#[tokio::test]
async fn timestamps_sids_and_batch_headers_are_written_as_graph_does() {
    let s = sandbox(SandboxConfig {
        demo: None,
        ..Default::default()
    })
    .await;
    let g = app_graph(&s).await;
    let (_, user) = g
        .get(&format!(
            "/v1.0/users/{}?$select=createdDateTime",
            s.admin_upn
        ))
        .await;
    let created = user["createdDateTime"].as_str().unwrap();
    assert_eq!(created.len(), 20, "whole seconds: {created}");
    assert!(chrono::DateTime::parse_from_rfc3339(created).is_ok());
    let group = new_group(&g, "sid", false).await;
    assert_eq!(group["createdDateTime"].as_str().unwrap().len(), 20);
    let sid = group["securityIdentifier"].as_str().unwrap();
    let parts: Vec<&str> = sid.split('-').collect();
    assert_eq!(&parts[..4], ["S", "1", "12", "1"], "{sid}");
    assert_eq!(parts.len(), 8, "four 32-bit numbers: {sid}");
    // The SID is the object id's bytes.
    let id = uuid::Uuid::parse_str(group["id"].as_str().unwrap()).unwrap();
    let b = id.to_bytes_le();
    assert_eq!(
        parts[4].parse::<u32>().unwrap(),
        u32::from_le_bytes([b[0], b[1], b[2], b[3]])
    );
    let (status, body) = g
        .post(
            "/v1.0/$batch",
            json!({"requests": [
                {"id": "1", "method": "GET", "url": "/users?$top=1"},
                {"id": "2", "method": "GET", "url": "/users/nobody@x.com"}
            ]}),
        )
        .await;
    assert_eq!(status, 200);
    for step in body["responses"].as_array().unwrap() {
        let headers = step["headers"].as_object().unwrap();
        assert!(headers.contains_key("Content-Type"), "{step}");
        assert!(
            headers.keys().all(|k| k == "Content-Type"
                || k == "OData-Version"
                || k.starts_with("x-ms-")
                || k.chars().all(|c| !c.is_ascii_uppercase())),
            "{headers:?}"
        );
    }
    assert!(body["responses"][0]["headers"]
        .as_object()
        .unwrap()
        .contains_key("OData-Version"));
}

/// `manager($levels=max)` (user-list-manager, example 2): the chain up to the top, each
/// manager nested in the one they manage; a chain that loops ends where it would repeat.
#[tokio::test]
async fn a_manager_chain_expands_with_levels() {
    let (_s, g) = blank().await;
    let a = make_user(&g, "chaina").await;
    let b = make_user(&g, "chainb").await;
    let c = make_user(&g, "chainc").await;
    let set_manager = |user: String, manager: String| {
        let g = &g;
        async move {
            let (status, _, body) = g
                .send(
                    Method::PUT,
                    &format!("/v1.0/users/{user}/manager/$ref"),
                    Some(json!({"@odata.id": format!("https://graph.microsoft.com/v1.0/users/{manager}")})),
                )
                .await;
            assert_eq!(status, 204, "{body}");
        }
    };
    set_manager(a.clone(), b.clone()).await;
    set_manager(b.clone(), c.clone()).await;
    let chain = |levels: &str| {
        format!("/v1.0/users/{a}?$expand=manager($levels={levels};$select=id,displayName)&$select=id,displayName&$count=true")
    };
    // Without the advanced query's header too, as Get-MgUser -UserId sends it (its Get set has
    // no -CountVariable): Microsoft's page asks for both, users report Graph does without.
    let (status, user) = g.get(&chain("max")).await;
    assert_eq!(status, 200, "{user}");
    assert_eq!(user["manager"]["manager"]["id"], c.as_str());
    let (status, user) = eventual(&g, &chain("max")).await;
    assert_eq!(status, 200, "{user}");
    assert_eq!(user["manager"]["id"], b.as_str());
    assert_eq!(user["manager"]["displayName"], "chainb");
    assert_eq!(user["manager"]["manager"]["id"], c.as_str());
    assert!(
        user["manager"]["manager"].get("manager").is_none(),
        "the top has none"
    );
    let (_, user) = eventual(&g, &chain("1")).await;
    assert_eq!(user["manager"]["id"], b.as_str());
    assert!(user["manager"].get("manager").is_none(), "one level");
    let (status, _) = eventual(&g, &chain("none")).await;
    assert_eq!(status, 400);
    // A loop (the top reports to the bottom) ends before anyone repeats.
    set_manager(c.clone(), a.clone()).await;
    let (status, user) = eventual(&g, &chain("max")).await;
    assert_eq!(status, 200, "{user}");
    assert_eq!(user["manager"]["manager"]["id"], c.as_str());
    assert!(
        user["manager"]["manager"].get("manager").is_none(),
        "{user}"
    );
    // Only the manager takes it.
    let (status, _) = eventual(
        &g,
        &format!("/v1.0/users/{a}?$expand=memberOf($levels=2)&$count=true"),
    )
    .await;
    assert_eq!(status, 400);
}

/// A key that is no object id, in a set keyed by object id alone, is Graph's 400 ("Invalid
/// object identifier"); a well-formed id that names nothing stays a 404, as does a user's key
/// (a user principal name may be anything) and an unknown segment after the key.
#[tokio::test]
async fn keys_that_are_no_object_id_are_bad_requests() {
    let (_s, g) = blank().await;
    for set in [
        "groups",
        "applications",
        "servicePrincipals",
        "devices",
        "directoryObjects",
    ] {
        let (status, err) = g.get(&format!("/v1.0/{set}/not-a-guid")).await;
        assert_eq!(status, 400, "{set}: {err}");
        assert_eq!(err["error"]["code"], "Request_BadRequest");
        assert_eq!(
            err["error"]["message"],
            "Invalid object identifier 'not-a-guid'."
        );
        let (status, err) = g
            .get(&format!("/v1.0/{set}/5f0e4c3a-1b2d-4e5f-8a9b-0c1d2e3f4a5b"))
            .await;
        assert_eq!(status, 404, "{set}: {err}");
    }
    let (status, err) = g.get("/v1.0/groups/not-a-guid/members").await;
    assert_eq!(status, 400, "{err}");
    let (status, err) = g.get("/v1.0/users/not-a-user").await;
    assert_eq!(status, 404, "{err}");
    assert_eq!(err["error"]["code"], "Request_ResourceNotFound");
    // An alternate key is no object id either, and stays a 404 when it names nothing.
    let (status, err) = g.get("/v1.0/applications(uniqueName='no-such-app')").await;
    assert_eq!(status, 404, "{err}");
    let (status, err) = g.get("/v1.0/groups/delta()").await;
    assert_eq!(status, 200, "a function of the set is no key: {err}");
}
