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

/// `template@odata.bind` of built-in template `id`.
fn template(id: &str) -> String {
    format!("https://graph.microsoft.com/v1.0/teamsTemplates('{id}')")
}

/// `POST /teams` that must be accepted: asserts Graph's 202 with its empty body, the
/// operation in `Location` and the team in `Content-Location` (both relative); answers the
/// team's id and the operation's path.
async fn new_team(g: &Graph, body: Value) -> (String, String) {
    let (status, headers, answer) = g
        .send(reqwest::Method::POST, "/v1.0/teams", Some(body))
        .await;
    assert_eq!(status, 202, "{answer}");
    assert_eq!(answer, Value::Null, "no body");
    let header = |name: &str| headers[name].to_str().unwrap().to_string();
    let content = header("content-location");
    let id = content
        .strip_prefix("/teams('")
        .and_then(|r| r.strip_suffix("')"))
        .unwrap_or_else(|| panic!("Content-Location {content}"))
        .to_string();
    let location = header("location");
    let op = location
        .strip_prefix(&format!("/teams('{id}')/operations('"))
        .and_then(|r| r.strip_suffix("')"))
        .unwrap_or_else(|| panic!("Location {location}"));
    (id.clone(), format!("/v1.0/teams/{id}/operations/{op}"))
}

/// Graph's documented application-permission request (team-post, example 2): the team, its
/// Microsoft 365 group of the same id, name and description, the General channel, the named
/// owner, and the operation, succeeded.
#[tokio::test]
async fn post_teams_from_a_template_provisions_the_team_and_its_group() {
    let (_s, g) = blank().await;
    let adele = make_user(&g, "adele").await;
    let (id, operation) = new_team(
        &g,
        json!({
            "template@odata.bind": template("standard"),
            "displayName": "My Sample Team",
            "description": "My Sample Team's Description",
            "members": [member(&user_url(&adele), &["owner"])],
        }),
    )
    .await;
    let (status, team) = g.get(&format!("/v1.0/teams/{id}")).await;
    assert_eq!(status, 200, "{team}");
    assert_eq!(team["id"], id.as_str());
    assert_eq!(team["displayName"], "My Sample Team");
    assert_eq!(team["description"], "My Sample Team's Description");
    assert_eq!(team["specialization"], "none");
    assert_eq!(team["isArchived"], false);
    assert_eq!(team["memberSettings"]["allowCreateUpdateChannels"], true);
    let (status, group) = g.get(&format!("/v1.0/groups/{id}")).await;
    assert_eq!(status, 200, "{group}");
    assert_eq!(group["displayName"], "My Sample Team");
    assert_eq!(group["description"], "My Sample Team's Description");
    assert_eq!(group["mailNickname"], "MySampleTeam");
    assert_eq!(group["groupTypes"], json!(["Unified"]));
    assert_eq!(group["mailEnabled"], true);
    let (_, listed) = g
        .get("/v1.0/groups?$filter=resourceProvisioningOptions/Any(x:x eq 'Team')&$select=id")
        .await;
    assert_eq!(strings(&listed, "id"), [id.as_str()], "{listed}");
    let (_, owners) = g.get(&format!("/v1.0/groups/{id}/owners")).await;
    assert_eq!(strings(&owners, "id"), [adele.as_str()], "{owners}");
    let (_, members) = g.get(&format!("/v1.0/groups/{id}/members")).await;
    assert_eq!(strings(&members, "id"), [adele.as_str()], "{members}");
    // The General channel, the team's primary channel.
    let (status, primary) = g.get(&format!("/v1.0/teams/{id}/primaryChannel")).await;
    assert_eq!(status, 200, "{primary}");
    assert_eq!(primary["displayName"], "General", "{primary}");
    assert_eq!(primary["membershipType"], "standard", "{primary}");
    let (_, channels) = g.get(&format!("/v1.0/teams/{id}/channels")).await;
    assert_eq!(strings(&channels, "displayName"), ["General"], "{channels}");
    assert_eq!(strings(&channels, "id"), [primary["id"].as_str().unwrap()]);
    let (_, members) = g.get(&format!("/v1.0/teams/{id}/members")).await;
    assert_eq!(strings(&members, "userId"), [adele.as_str()], "{members}");
    assert_eq!(members["value"][0]["roles"], json!(["owner"]), "{members}");
    let (status, op) = g.get(&operation).await;
    assert_eq!(status, 200, "{op}");
    assert_eq!(op["status"], "succeeded", "{op}");
    assert_eq!(op["operationType"], "createTeam", "{op}");
    assert_eq!(op["targetResourceId"], id.as_str(), "{op}");
    // The group's team is this team.
    let (status, same) = g.get(&format!("/v1.0/groups/{id}/team")).await;
    assert_eq!(status, 200, "{same}");
    assert_eq!(same["id"], id.as_str(), "{same}");
}

/// A delegated caller creating a team with no members owns it (team-post, example 1), a
/// team of a non-standard template gets its specialization, and `firstChannelName` names the
/// General channel.
#[tokio::test]
async fn a_delegated_caller_owns_the_team_it_creates() {
    let (s, _) = blank().await;
    let token = user_token(&s, &s.admin_upn, "User.Read Team.Create Team.ReadBasic.All TeamMember.Read.All Channel.ReadBasic.All Group.ReadWrite.All").await;
    let g = Graph {
        base: s.base_url.clone(),
        token: token["access_token"].as_str().unwrap().to_string(),
    };
    let (_, me) = g.get("/v1.0/me").await;
    let me = me["id"].as_str().unwrap().to_string();
    let (id, _) = new_team(
        &g,
        json!({
            "Template@odata.bind": template("educationClass"),
            "displayName": "Biology 101",
            "visibility": "private",
            "firstChannelName": "Announcements",
        }),
    )
    .await;
    let (_, team) = g.get(&format!("/v1.0/teams/{id}")).await;
    assert_eq!(team["specialization"], "educationClass", "{team}");
    assert_eq!(team["visibility"], "private", "{team}");
    let (_, group) = g.get(&format!("/v1.0/groups/{id}")).await;
    assert_eq!(group["visibility"], "Private", "{group}");
    let (_, members) = g.get(&format!("/v1.0/teams/{id}/members")).await;
    assert_eq!(strings(&members, "userId"), [me.as_str()], "{members}");
    assert_eq!(members["value"][0]["roles"], json!(["owner"]), "{members}");
    let (_, primary) = g.get(&format!("/v1.0/teams/{id}/primaryChannel")).await;
    assert_eq!(primary["displayName"], "Announcements", "{primary}");
    let (_, joined) = g.get("/v1.0/me/joinedTeams").await;
    assert_eq!(strings(&joined, "id"), [id.as_str()], "{joined}");
}

/// What Graph refuses, making nothing: no template, a template it does not have, no owner
/// under application permissions, a member whose user does not exist, a group's properties
/// beside `group@odata.bind`, a group that does not exist. Every built-in template is taken.
#[tokio::test]
async fn post_teams_refuses_what_graph_refuses() {
    let (_s, g) = blank().await;
    let adele = make_user(&g, "adele").await;
    let group = new_group(&g, "sales", true).await;
    let owner = || json!([member(&user_url(&adele), &["owner"])]);
    for (body, status, message) in [
        (
            json!({"displayName": "A", "members": owner()}),
            400,
            "The navigation bind for template was missing in request.",
        ),
        (
            json!({"template@odata.bind": template("bogus"), "displayName": "A", "members": owner()}),
            400,
            "A template with id 'bogus' and locale 'en-US' could not be found.",
        ),
        (
            json!({"template@odata.bind": template("standard"), "displayName": "A"}),
            400,
            "",
        ),
        (
            json!({"template@odata.bind": template("standard"), "displayName": "A",
                   "members": [member(&user_url(&adele), &[])]}),
            400,
            "",
        ),
        (
            json!({"template@odata.bind": template("standard"), "displayName": "A",
                   "members": [member(&user_url("nobody@contoso.onmicrosoft.com"), &["owner"])]}),
            404,
            "",
        ),
        (
            json!({"template@odata.bind": template("standard"), "displayName": "A",
                   "group@odata.bind": format!("https://graph.microsoft.com/v1.0/groups('{group}')")}),
            400,
            "",
        ),
        (
            json!({"template@odata.bind": template("standard"),
                   "group@odata.bind": "https://graph.microsoft.com/v1.0/groups('0b1c2d3e-0000-4000-8000-000000000000')"}),
            404,
            "",
        ),
    ] {
        let (got, answer) = g.post("/v1.0/teams", body.clone()).await;
        assert_eq!(got, status, "{body}: {answer}");
        if !message.is_empty() {
            assert_eq!(answer["error"]["message"], message, "{answer}");
        }
    }
    let (_, teams) = g.get("/v1.0/teams").await;
    assert_eq!(teams["value"], json!([]), "{teams}");
    let (_, groups) = g.get("/v1.0/groups?$select=displayName").await;
    assert_eq!(strings(&groups, "displayName"), ["sales"], "{groups}");
    for (i, name) in [
        "standard",
        "educationClass",
        "educationStaff",
        "educationProfessionalLearningCommunity",
        "retailStore",
        "retailManagerCollaboration",
        "healthcareWard",
        "healthcareHospital",
    ]
    .into_iter()
    .enumerate()
    {
        new_team(
            &g,
            json!({"template@odata.bind": template(name), "displayName": format!("Team {i}"),
                   "members": owner()}),
        )
        .await;
    }
    let (_, groups) = g.get("/v1.0/groups?$select=mailNickname").await;
    let mut nicknames = strings(&groups, "mailNickname");
    nicknames.sort_unstable();
    nicknames.dedup();
    assert_eq!(
        nicknames.len(),
        9,
        "each group has its own nickname: {groups}"
    );
}

/// A team made from an existing Microsoft 365 group (team-post example 4, and
/// `PUT /groups/{id}/team`) has the group's id and name, and the group's owners and members;
/// a group has one team, and needs an owner; a security group has none.
#[tokio::test]
async fn a_team_from_a_group_takes_its_id_name_and_people() {
    let (_s, g) = blank().await;
    let adele = make_user(&g, "adele").await;
    let alex = make_user(&g, "alex").await;
    let flight = g
        .created(
            "/v1.0/groups",
            json!({
                "displayName": "Flight 157", "mailNickname": "flight157", "mailEnabled": true,
                "securityEnabled": false, "groupTypes": ["Unified"],
                "owners@odata.bind": [format!("https://graph.microsoft.com/v1.0/users/{adele}")],
                "members@odata.bind": [format!("https://graph.microsoft.com/v1.0/users/{alex}")],
            }),
        )
        .await;
    let flight = flight["id"].as_str().unwrap().to_string();
    let (status, none) = g.get(&format!("/v1.0/groups/{flight}/team")).await;
    assert_eq!(status, 404, "a group without a team: {none}");
    let bind = format!("https://graph.microsoft.com/v1.0/groups('{flight}')");
    let (id, _) = new_team(
        &g,
        json!({"template@odata.bind": template("standard"), "group@odata.bind": bind,
               "channels": [{"displayName": "Homework", "isFavoriteByDefault": true}]}),
    )
    .await;
    assert_eq!(id, flight);
    let (status, team) = g.get(&format!("/v1.0/groups/{flight}/team")).await;
    assert_eq!(status, 200, "{team}");
    assert_eq!(team["displayName"], "Flight 157", "{team}");
    let (_, channels) = g.get(&format!("/v1.0/groups/{flight}/team/channels")).await;
    assert_eq!(
        strings(&channels, "displayName"),
        ["General", "Homework"],
        "{channels}"
    );
    let (_, members) = g.get(&format!("/v1.0/teams/{id}/members")).await;
    assert_eq!(item(&members, "userId", &adele)["roles"], json!(["owner"]));
    assert_eq!(item(&members, "userId", &alex)["roles"], json!([]));
    let (status, again) = g
        .post(
            "/v1.0/teams",
            json!({"template@odata.bind": template("standard"), "group@odata.bind": bind}),
        )
        .await;
    assert_eq!(status, 409, "{again}");
    let put = |group: String, body: Value| {
        let g = &g;
        async move {
            g.send(
                reqwest::Method::PUT,
                &format!("/v1.0/groups/{group}/team"),
                Some(body),
            )
            .await
        }
    };
    let (status, _, again) = put(flight.clone(), json!({})).await;
    assert_eq!(status, 409, "{again}");
    // PUT: 201 with the team, the settings given merged into the defaults.
    let crew = g
        .created(
            "/v1.0/groups",
            json!({
                "displayName": "Crew", "mailNickname": "crew", "mailEnabled": true,
                "securityEnabled": false, "groupTypes": ["Unified"],
            }),
        )
        .await;
    let crew = crew["id"].as_str().unwrap().to_string();
    let (status, _, refused) = put(crew.clone(), json!({})).await;
    assert_eq!(status, 400, "a group without an owner: {refused}");
    let (status, body) = g
        .post(
            &format!("/v1.0/groups/{crew}/owners/$ref"),
            json!({"@odata.id": format!("https://graph.microsoft.com/v1.0/users/{alex}")}),
        )
        .await;
    assert_eq!(status, 204, "{body}");
    let (status, _, team) = put(
        crew.clone(),
        json!({"funSettings": {"allowGiphy": false}, "memberSettings": {"allowDeleteChannels": false}}),
    )
    .await;
    assert_eq!(status, 201, "{team}");
    assert_eq!(team["id"], crew.as_str(), "{team}");
    assert_eq!(team["displayName"], "Crew", "{team}");
    assert_eq!(team["funSettings"]["allowGiphy"], false, "{team}");
    assert_eq!(team["funSettings"]["allowCustomMemes"], true, "{team}");
    assert_eq!(
        team["memberSettings"]["allowDeleteChannels"], false,
        "{team}"
    );
    let (status, primary) = g
        .get(&format!("/v1.0/groups/{crew}/team/primaryChannel"))
        .await;
    assert_eq!(status, 200, "{primary}");
    assert_eq!(primary["displayName"], "General", "{primary}");
    let security = new_group(&g, "locked", false).await;
    let (status, _, refused) = put(security, json!({})).await;
    assert_eq!(status, 400, "a security group: {refused}");
    let (status, _, refused) = put(
        "0b1c2d3e-0000-4000-8000-000000000000".to_string(),
        json!({}),
    )
    .await;
    assert_eq!(status, 404, "{refused}");
}

/// `POST /teams/{id}/members` and a private channel's inline members fill the member in from
/// the user, the cast filter Graph documents finds it (team-list-members), and the user's
/// `joinedTeams` lists exactly the teams whose members name it.
#[tokio::test]
async fn team_members_name_their_users_and_make_joined_teams() {
    let (_s, g) = blank().await;
    let adele = make_user(&g, "adele").await;
    let alex = make_user(&g, "alex").await;
    let megan = make_user(&g, "megan").await;
    let mut teams = vec![];
    for name in ["Mark 8", "Retail", "Legal"] {
        let (id, _) = new_team(
            &g,
            json!({"template@odata.bind": template("standard"), "displayName": name,
                   "members": [member(&user_url(&adele), &["owner"])]}),
        )
        .await;
        teams.push(id);
    }
    for team in &teams[..2] {
        let added = g
            .created(
                &format!("/v1.0/teams/{team}/members"),
                member(&user_url("alex@contoso.onmicrosoft.com"), &[]),
            )
            .await;
        assert_eq!(added["userId"], alex.as_str(), "{added}");
        assert_eq!(added["displayName"], "alex", "{added}");
        assert_eq!(added["email"], "alex@contoso.onmicrosoft.com", "{added}");
        assert_eq!(
            added["@odata.type"], "#microsoft.graph.aadUserConversationMember",
            "{added}"
        );
    }
    let filter = format!(
        "/v1.0/teams/{}/members?$filter=(microsoft.graph.aadUserConversationMember/userId eq '{alex}')",
        teams[0]
    );
    let (status, found) = g.get(&filter).await;
    assert_eq!(status, 200, "{found}");
    assert_eq!(strings(&found, "userId"), [alex.as_str()], "{found}");
    let (_, joined) = g.get(&format!("/v1.0/users/{alex}/joinedTeams")).await;
    let mut ids = strings(&joined, "id");
    ids.sort_unstable();
    let mut expected = vec![teams[0].as_str(), teams[1].as_str()];
    expected.sort_unstable();
    assert_eq!(ids, expected, "{joined}");
    assert!(
        strings(&joined, "displayName").contains(&"Mark 8"),
        "{joined}"
    );
    let (_, joined) = g.get(&format!("/v1.0/users/{adele}/joinedTeams")).await;
    assert_eq!(strings(&joined, "id").len(), 3, "{joined}");
    let (_, joined) = g.get(&format!("/v1.0/users/{megan}/joinedTeams")).await;
    assert_eq!(joined["value"], json!([]), "{joined}");
    // channel-post, "Create private channel on behalf of user".
    let channel = g
        .created(
            &format!("/v1.0/teams/{}/channels", teams[2]),
            json!({
                "@odata.type": "#Microsoft.Graph.channel",
                "membershipType": "private",
                "displayName": "My First Private Channel",
                "members": [member(&user_url("megan@contoso.onmicrosoft.com"), &["owner"])],
            }),
        )
        .await;
    let (_, members) = g
        .get(&format!(
            "/v1.0/teams/{}/channels/{}/members",
            teams[2],
            channel["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(strings(&members, "userId"), [megan.as_str()], "{members}");
    assert_eq!(strings(&members, "displayName"), ["megan"], "{members}");
}

/// Deleting a team's group deletes the team; restoring the group brings it back.
#[tokio::test]
async fn a_team_is_deleted_and_restored_with_its_group() {
    let (_s, g) = blank().await;
    let adele = make_user(&g, "adele").await;
    let (id, _) = new_team(
        &g,
        json!({"template@odata.bind": template("standard"), "displayName": "Ops",
               "members": [member(&user_url(&adele), &["owner"])]}),
    )
    .await;
    let (status, _) = g.delete(&format!("/v1.0/groups/{id}")).await;
    assert_eq!(status, 204);
    let (status, gone) = g.get(&format!("/v1.0/teams/{id}")).await;
    assert_eq!(status, 404, "{gone}");
    let (_, joined) = g.get(&format!("/v1.0/users/{adele}/joinedTeams")).await;
    assert_eq!(joined["value"], json!([]), "{joined}");
    let (status, restored) = g
        .post(
            &format!("/v1.0/directory/deletedItems/{id}/restore"),
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{restored}");
    let (status, team) = g.get(&format!("/v1.0/teams/{id}")).await;
    assert_eq!(status, 200, "{team}");
    assert_eq!(team["displayName"], "Ops", "{team}");
    let (_, primary) = g
        .get(&format!("/v1.0/groups/{id}/team/primaryChannel"))
        .await;
    assert_eq!(primary["displayName"], "General", "{primary}");
    let (_, joined) = g.get(&format!("/v1.0/users/{adele}/joinedTeams")).await;
    assert_eq!(strings(&joined, "id"), [id.as_str()], "{joined}");
}
