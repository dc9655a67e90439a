//! Microsoft Teams objects over HTTP: conversation members named by `user@odata.bind` (inline
//! in a chat's, team's or private channel's create body, or posted on their own), team
//! provisioning (`POST /teams` from a template or a group, `PUT /groups/{id}/team`), and a
//! user's `joinedTeams`.

mod common;

use common::*;
use serde_json::{json, Value};

/// `user@odata.bind` of an Entra user's conversation member naming `user` by `url`.
fn member(url: &str, roles: &[&str]) -> Value {
    json!({
        "@odata.type": "#microsoft.graph.aadUserConversationMember",
        "roles": roles,
        "user@odata.bind": url,
    })
}

/// Graph's absolute URL of user `key` (an id or a sign-in name).
fn user_url(key: &str) -> String {
    format!("https://graph.microsoft.com/v1.0/users('{key}')")
}

/// The item of `page` whose `key` is `value` (panics naming both when there is none).
fn item<'a>(page: &'a Value, key: &str, value: &str) -> &'a Value {
    page["value"]
        .as_array()
        .and_then(|items| items.iter().find(|i| i[key] == value))
        .unwrap_or_else(|| panic!("no item with {key} {value}: {page}"))
}

/// A chat's members name their users by id or sign-in name, in Graph's absolute URL or a
/// relative one: each comes back as the user's conversation member, with its own id.
#[tokio::test]
async fn a_chats_inline_members_bind_their_users() {
    let (_s, g) = blank().await;
    let adele = make_user(&g, "adele").await;
    let alex = make_user(&g, "alex").await;
    let megan = make_user(&g, "megan").await;
    let chat = g
        .created(
            "/v1.0/chats",
            json!({
                "chatType": "group",
                "topic": "Launch",
                "members": [
                    member(&user_url(&adele), &["owner"]),
                    member("users/alex@contoso.onmicrosoft.com", &["owner"]),
                    member(&format!("http://localhost/v1.0/users('{megan}')"), &[]),
                ],
            }),
        )
        .await;
    let chat = chat["id"].as_str().unwrap();
    let (status, members) = g.get(&format!("/v1.0/chats/{chat}/members")).await;
    assert_eq!(status, 200, "{members}");
    let mut users = strings(&members, "userId");
    users.sort_unstable();
    let mut expected = vec![adele.as_str(), alex.as_str(), megan.as_str()];
    expected.sort_unstable();
    assert_eq!(users, expected);
    let a = item(&members, "userId", &alex);
    assert_eq!(
        a["@odata.type"], "#microsoft.graph.aadUserConversationMember",
        "{a}"
    );
    assert_eq!(a["displayName"], "alex", "{a}");
    assert_eq!(a["email"], "alex@contoso.onmicrosoft.com", "{a}");
    assert_eq!(a["roles"], json!(["owner"]), "{a}");
    assert_eq!(item(&members, "userId", &megan)["roles"], json!([]));
    let mut ids = strings(&members, "id");
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 3, "each member has its own id: {members}");
    assert!(!ids.contains(&alex.as_str()), "{members}");
    // Each is readable at its own path.
    let id = a["id"].as_str().unwrap();
    let (status, one) = g.get(&format!("/v1.0/chats/{chat}/members/{id}")).await;
    assert_eq!(status, 200, "{one}");
    assert_eq!(one["userId"], alex.as_str(), "{one}");
}

/// A member whose user does not resolve fails the whole create, as Graph does: an unknown
/// user or a group is 404, a member with no user bind or an empty key 400; no chat is made.
#[tokio::test]
async fn inline_member_binds_that_do_not_resolve_refuse_the_create() {
    let (_s, g) = blank().await;
    let adele = make_user(&g, "adele").await;
    let group = new_group(&g, "sales", false).await;
    let chats = |members: Vec<Value>| json!({"chatType": "group", "members": members});
    let ok = member(&user_url(&adele), &["owner"]);
    for (bad, status, code) in [
        (
            member(&user_url("nobody@contoso.onmicrosoft.com"), &[]),
            404,
            "Request_ResourceNotFound",
        ),
        (
            member(&user_url("7f0a8c3e-0000-4000-8000-000000000000"), &[]),
            404,
            "Request_ResourceNotFound",
        ),
        (
            member(&user_url(&group), &[]),
            404,
            "Request_ResourceNotFound",
        ),
        (
            json!({"@odata.type": "#microsoft.graph.aadUserConversationMember", "roles": []}),
            400,
            "BadRequest",
        ),
        (
            member("https://graph.microsoft.com/v1.0/users('')", &[]),
            400,
            "",
        ),
    ] {
        let (got, body) = g.post("/v1.0/chats", chats(vec![ok.clone(), bad])).await;
        assert_eq!(got, status, "{body}");
        if !code.is_empty() {
            assert_eq!(body["error"]["code"], code, "{body}");
        }
    }
    let (status, list) = g.get("/v1.0/chats").await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list["value"], json!([]), "no chat was made: {list}");
}
