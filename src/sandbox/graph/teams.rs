//! Microsoft Teams objects the generic store cannot derive alone.
//!
//! - Conversation members (a team's, a channel's, a chat's): an `aadUserConversationMember`
//!   names its user with `user@odata.bind`, and Graph answers with the user's id, display
//!   name and email filled in (<https://learn.microsoft.com/graph/api/team-post-members>,
//!   /chat-post, /channel-post), inline in a create body or posted on its own alike.
//! - Teams are provisioned, never plainly stored (<https://learn.microsoft.com/graph/api/team-post>):
//!   `POST /teams` names a built-in template (`template@odata.bind`) and answers 202 Accepted
//!   with the team's async operation in `Location` and the team in `Content-Location`; the
//!   team is a Microsoft 365 group's, with the group's id, made with it or from an existing one
//!   (`group@odata.bind`, or `PUT /groups/{id}/team`, team-put-teams: 201 with the team). It
//!   starts with its General channel (its `primaryChannel`) and its owners: the members the
//!   body names, the delegated caller, or the group's owners and members.
//! - A group's `team` is the team of its id (404 when it has none); a team's `primaryChannel`
//!   is its General channel in `channels`; a user's `joinedTeams` are the teams whose members
//!   name the user (user-list-joinedteams).

use axum::body::Body;
use axum::http::{header, HeaderValue, Method, Response, StatusCode};
use serde_json::{json, Map, Value};

use super::binds::{self, Bound};
use super::generic::{id_of_url, resolve_link, server_set, GROUPS};
use super::{body_object, json, Ctx, Handled};
use crate::sandbox::odata::GraphErr;
use crate::sandbox::state::{format_timestamp, new_id, Group, Precision, Tenant};
use crate::sandbox::store::catalog::{catalog, Catalog};
use crate::sandbox::store::write::{check_entity, Mode};
use crate::sandbox::store::{Entity, EntityPath};

pub const TEAMS: &str = "teams";
const TEAM: &str = "microsoft.graph.team";
const CHANNEL: &str = "microsoft.graph.channel";
const OPERATION: &str = "microsoft.graph.teamsAsyncOperation";
const AAD_MEMBER: &str = "microsoft.graph.aadUserConversationMember";
const GROUP: &str = "microsoft.graph.group";

/// The base templates a team is made from (learn.microsoft.com/microsoftteams/
/// get-started-with-teams-templates, "base template types") and the `specialization` each
/// gives the team; a tenant's own templates are not kept.
const TEMPLATES: &[(&str, &str)] = &[
    ("standard", "none"),
    ("educationClass", "educationClass"),
    ("educationStaff", "educationStaff"),
    (
        "educationProfessionalLearningCommunity",
        "educationProfessionalLearningCommunity",
    ),
    ("retailStore", "none"),
    ("retailManagerCollaboration", "none"),
    ("healthcareWard", "none"),
    ("healthcareHospital", "none"),
];

/// Teams' 400 (`BadRequest`, not the directory's `Request_BadRequest`).
fn bad(message: impl Into<String>) -> GraphErr {
    GraphErr::new(StatusCode::BAD_REQUEST, "BadRequest", message)
}

/// Completes a new conversation member of type `ty` (its `object`, with the links `bound`
/// resolved for it): an Entra user's member takes its user's id, display name and email, as
/// Graph returns them, whatever the body said. Without `user@odata.bind` Graph refuses it.
pub fn complete_member(
    t: &Tenant,
    cat: &Catalog,
    ty: &str,
    object: &mut Map<String, Value>,
    bound: &[Bound],
) -> Result<(), GraphErr> {
    if !cat.derives(ty, AAD_MEMBER) {
        return Ok(());
    }
    let user = binds::ids(bound, "user")
        .first()
        .and_then(|id| t.users.get(id))
        .ok_or_else(|| bad("The navigation bind for the user was missing in request."))?;
    fill_member(t, &user.object, object);
    Ok(())
}

/// Writes user `user`'s id, display name and email (its mail, else its sign-in name) and the
/// tenant into member `object`.
fn fill_member(t: &Tenant, user: &Map<String, Value>, object: &mut Map<String, Value>) {
    let text = |k: &str| user.get(k).filter(|v| !v.is_null()).cloned();
    object.insert("userId".into(), text("id").unwrap_or(Value::Null));
    object.insert(
        "displayName".into(),
        text("displayName").unwrap_or(Value::Null),
    );
    object.insert(
        "email".into(),
        text("mail")
            .or_else(|| text("userPrincipalName"))
            .unwrap_or(Value::Null),
    );
    object.insert("tenantId".into(), json!(t.id));
}

/// The requests that make a team: `POST /teams` and `PUT /groups/{id}/team`; `None` for any
/// other.
pub fn route(ctx: &Ctx, method: &Method, s: &[&str], body: &[u8]) -> Option<Handled> {
    match (method, s) {
        (&Method::POST, ["teams"]) => Some(create(ctx, body)),
        (&Method::PUT, ["groups", id, "team"]) => Some(put(ctx, id, body)),
        _ => None,
    }
}

/// `POST /teams`: 202 Accepted, the team's operation in `Location` and the team in
/// `Content-Location`, both relative as Graph writes them; no body.
fn create(ctx: &Ctx, body: &[u8]) -> Handled {
    let mut body = body_object(body)?;
    let specialization = template(&mut body)?
        .ok_or_else(|| bad("The navigation bind for template was missing in request."))?;
    let group = take_bind(&mut body, "group")?;
    let cat = catalog();
    let mut tenant = ctx.state.tenant_mut();
    let t = &mut *tenant;
    let group = match group {
        Some(url) => Some(resolve_link(t, cat, &url, GROUP)?),
        None => None,
    };
    let id = provision(ctx, t, cat, body, group.as_deref(), specialization)?;
    let now = format_timestamp(chrono::Utc::now(), Precision::Ticks);
    let op = new_id();
    let operation = object_of(json!({
        "id": op, "operationType": "createTeam", "status": "succeeded", "attemptsCount": 1,
        "createdDateTime": now, "lastActionDateTime": now, "targetResourceId": id,
        "targetResourceLocation": format!("/teams('{id}')"), "error": null,
    }));
    if let Some(team) = t.store.get_mut(&EntityPath::set_item(TEAMS, &id), &[]) {
        team.many_mut("operations")
            .insert(op.clone(), Entity::new(OPERATION, operation));
    }
    let mut r = Response::new(Body::empty());
    *r.status_mut() = StatusCode::ACCEPTED;
    for (name, value) in [
        (
            header::LOCATION,
            format!("/teams('{id}')/operations('{op}')"),
        ),
        (header::CONTENT_LOCATION, format!("/teams('{id}')")),
    ] {
        if let Ok(v) = HeaderValue::from_str(&value) {
            r.headers_mut().insert(name, v);
        }
    }
    Ok(r)
}

/// `PUT /groups/{id}/team` (team-put-teams): the group's team, 201 with it.
fn put(ctx: &Ctx, group: &str, body: &[u8]) -> Handled {
    let mut body = if body.iter().all(u8::is_ascii_whitespace) {
        Map::new()
    } else {
        body_object(body)?
    };
    let specialization = template(&mut body)?.unwrap_or("none");
    let cat = catalog();
    let mut tenant = ctx.state.tenant_mut();
    let t = &mut *tenant;
    if !t.groups.contains_key(group) {
        return Err(GraphErr::not_found(group));
    }
    let id = provision(ctx, t, cat, body, Some(group), specialization)?;
    let team = t
        .store
        .get(&EntityPath::set_item(TEAMS, &id))
        .map(|e| e.object.clone())
        .unwrap_or_default();
    let mut out = Map::new();
    out.insert(
        "@odata.context".into(),
        json!(ctx.context(&format!("groups('{id}')/team/$entity"))),
    );
    out.extend(super::generic::shape(ctx, TEAM, &team, &[]));
    Ok(json(StatusCode::CREATED, &Value::Object(out)))
}

/// Takes `{nav}@odata.bind` (any case, as PowerShell hashtables write it) out of `body`.
fn take_bind(body: &mut Map<String, Value>, nav: &str) -> Result<Option<String>, GraphErr> {
    let key = format!("{nav}@odata.bind");
    let Some(k) = body.keys().find(|k| k.eq_ignore_ascii_case(&key)).cloned() else {
        return Ok(None);
    };
    match body.remove(&k) {
        Some(Value::String(url)) => Ok(Some(url)),
        _ => Err(bad(format!("'{key}' must be a URL."))),
    }
}

/// The specialization of the template `template@odata.bind` names (taken out of `body`);
/// `None` when it names none, Graph's 400 for a template it does not know.
fn template(body: &mut Map<String, Value>) -> Result<Option<&'static str>, GraphErr> {
    let Some(url) = take_bind(body, "template")? else {
        return Ok(None);
    };
    let id = id_of_url(&url).unwrap_or_default();
    TEMPLATES
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(&id))
        .map(|(_, specialization)| Some(*specialization))
        .ok_or_else(|| {
            bad(format!(
                "A template with id '{id}' and locale 'en-US' could not be found."
            ))
        })
}

/// Makes the team `body` describes (checked as a create, its members and channels inline),
/// for existing group `group` or a new Microsoft 365 group; answers its id. Everything is
/// checked before anything is written.
fn provision(
    ctx: &Ctx,
    t: &mut Tenant,
    cat: &Catalog,
    mut body: Map<String, Value>,
    group: Option<&str>,
    specialization: &str,
) -> Result<String, GraphErr> {
    if group.is_some() {
        // team-post, "Create a team from group": the team takes these from its group.
        for k in ["displayName", "visibility", "specialization", "members"] {
            if crate::json::get_ci(&body, k).is_some() {
                return Err(bad(format!(
                    "'{k}' cannot be set on a team created from a group: the team takes it from the group."
                )));
            }
        }
    }
    let children = super::deep_insert::take(t, cat, TEAM, &mut body)?;
    let checked = check_entity(cat, TEAM, body, Mode::Create)?;
    if let Some((nav, _)) = checked.binds.first() {
        return Err(bad(format!("Invalid bind property name {nav} in request.")));
    }
    let mut object = checked.object;
    // team-post: `firstChannelName` names the General channel, and is not kept.
    let first_channel = object.remove("firstChannelName");
    let group_object = match group {
        Some(id) => team_group(t, id)?,
        None => new_group(t, &object)?,
    };
    let id = text(&group_object, "id");
    let internal = format!("19:{}@thread.tacv2", new_id().replace('-', ""));
    fill_team(
        t,
        cat,
        &mut object,
        &group_object,
        &internal,
        specialization,
    );
    let mut team = Entity::new(TEAM, object);
    let name = first_channel
        .as_ref()
        .and_then(Value::as_str)
        .unwrap_or("General");
    let general = general_channel(t, cat, &team.object, name);
    team.many_mut("channels").insert(internal, general);
    super::deep_insert::attach(&mut team, children)?;
    let listed = member_users(&team);
    let people = starting_people(ctx, t, group, &listed);
    if !people.iter().any(|(_, owner)| *owner) {
        return Err(bad(
            "A team needs an owner: name a member with the 'owner' role, or make the team from a group that has one.",
        ));
    }
    for (user, owner) in &people {
        if !listed.iter().any(|(l, _)| l == user) {
            let member = member_entity(t, cat, user, *owner);
            team.many_mut("members")
                .insert(member.id().to_string(), member);
        }
    }
    // Written: the group (a team's now), then the team.
    write_group(t, group_object, &people);
    t.store.insert_top(TEAMS, team);
    crate::sandbox::licensing::refresh(t);
    Ok(id)
}

/// Who a new team starts with, and whether each is an owner: existing group `group`'s owners
/// and members, else the members the body names (`listed`) and the delegated caller, as an
/// owner. Users only.
fn starting_people(
    ctx: &Ctx,
    t: &Tenant,
    group: Option<&str>,
    listed: &[(String, bool)],
) -> Vec<(String, bool)> {
    let mut people = match group {
        Some(id) => {
            let owners = group_owners(t, id);
            let members = t.groups.get(id).map(|g| g.members.clone());
            let mut people: Vec<(String, bool)> =
                owners.iter().map(|o| (o.clone(), true)).collect();
            people.extend(
                members
                    .into_iter()
                    .flatten()
                    .filter(|m| !owners.contains(m))
                    .map(|m| (m, false)),
            );
            people
        }
        None => listed.to_vec(),
    };
    if let (None, Some(me)) = (group, &ctx.principal.user_id) {
        if !people.iter().any(|(u, _)| u == me) {
            people.push((me.clone(), true));
        }
    }
    people.retain(|(u, _)| t.users.contains_key(u));
    people
}

/// Writes team group `object` (new or existing) as a team's (`resourceProvisioningOptions`
/// holds `Team`), with `people` among its members and its owners among its owners.
fn write_group(t: &mut Tenant, mut object: Map<String, Value>, people: &[(String, bool)]) {
    let id = text(&object, "id");
    let options = object
        .entry("resourceProvisioningOptions")
        .or_insert_with(|| json!([]));
    if let Value::Array(a) = options {
        if !a.iter().any(|x| x == "Team") {
            a.push(json!("Team"));
        }
    }
    let g = t.groups.entry(id.clone()).or_insert_with(|| Group {
        object: Map::new(),
        members: vec![],
    });
    g.object = object;
    for (user, _) in people {
        if !g.members.contains(user) {
            g.members.push(user.clone());
        }
    }
    let side = t.store.get_mut(
        &EntityPath::set_item(GROUPS, &id),
        &[Some(GROUP.to_string())],
    );
    if let Some(side) = side {
        let owners = side.refs_mut("owners");
        for (user, owner) in people {
            if *owner && !owners.contains(user) {
                owners.push(user.clone());
            }
        }
    }
}

/// The members of a JSON object (none for any other value).
fn object_of(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(o) => o,
        _ => Map::new(),
    }
}

/// String property `k` of `o` (empty when it is not a string).
fn text(o: &Map<String, Value>, k: &str) -> String {
    o.get(k)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// The object of a new team's Microsoft 365 group: the team's name, description and
/// visibility, a mail nickname made from the name.
fn new_group(t: &Tenant, team: &Map<String, Value>) -> Result<Map<String, Value>, GraphErr> {
    let visibility = team
        .get("visibility")
        .and_then(Value::as_str)
        .map(capitalized)
        .unwrap_or_else(|| "Public".into());
    let mut spec = Map::new();
    for k in ["displayName", "description"] {
        if let Some(v) = team.get(k) {
            spec.insert(k.into(), v.clone());
        }
    }
    for (k, v) in [
        (
            "mailNickname",
            json!(nickname(t, &text(team, "displayName"))),
        ),
        ("mailEnabled", json!(true)),
        ("securityEnabled", json!(false)),
        ("groupTypes", json!(["Unified"])),
        ("visibility", json!(visibility)),
    ] {
        spec.insert(k.into(), v);
    }
    super::groups::new_object(&t.domain, &spec)
}

/// The characters of a Teams link's path segment left as they are.
const LINK: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'.')
    .remove(b'-')
    .remove(b'_');

/// A Teams link to a team or channel (`kind`) of thread `thread` of group `group`.
fn teams_link(t: &Tenant, kind: &str, thread: &str, name: &str, group: &str) -> String {
    let encode = |s: &str| percent_encoding::utf8_percent_encode(s, LINK).to_string();
    format!(
        "https://teams.microsoft.com/l/{kind}/{}/{}?groupId={group}&tenantId={}",
        encode(thread),
        encode(name),
        t.id
    )
}

/// Completes team `object` (checked from the body): the name, description and visibility of
/// its group, its id, thread and link, and Graph's defaults for what the body left out
/// (team-get's and team-put-teams' examples; a settings object given in part keeps the
/// defaults of the rest).
fn fill_team(
    t: &Tenant,
    cat: &Catalog,
    object: &mut Map<String, Value>,
    group: &Map<String, Value>,
    thread: &str,
    specialization: &str,
) {
    let id = text(group, "id");
    for k in ["displayName", "description", "visibility"] {
        let value = match group.get(k) {
            Some(Value::String(v)) if k == "visibility" => json!(v.to_ascii_lowercase()),
            v => v.cloned().unwrap_or(Value::Null),
        };
        object.insert(k.into(), value);
    }
    object.insert("id".into(), json!(id));
    server_set(t, cat, TEAM, object);
    let defaults = json!({
        "specialization": specialization, "isArchived": false, "tenantId": t.id,
        "internalId": thread, "classification": null,
        "webUrl": teams_link(t, "team", thread, "conversations", &id),
        "memberSettings": {
            "allowCreateUpdateChannels": true, "allowCreatePrivateChannels": true,
            "allowDeleteChannels": true, "allowAddRemoveApps": true,
            "allowCreateUpdateRemoveTabs": true, "allowCreateUpdateRemoveConnectors": true,
        },
        "guestSettings": {"allowCreateUpdateChannels": true, "allowDeleteChannels": true},
        "messagingSettings": {
            "allowUserEditMessages": true, "allowUserDeleteMessages": true,
            "allowOwnerDeleteMessages": true, "allowTeamMentions": true,
            "allowChannelMentions": true,
        },
        "funSettings": {
            "allowGiphy": true, "giphyContentRating": "strict",
            "allowStickersAndMemes": true, "allowCustomMemes": true,
        },
    });
    for (k, v) in object_of(defaults) {
        match (object.get_mut(&k), v) {
            (Some(Value::Object(given)), Value::Object(default)) => {
                for (dk, dv) in default {
                    given.entry(dk).or_insert(dv);
                }
            }
            (Some(given), _) if !given.is_null() => {}
            (_, v) => {
                object.insert(k, v);
            }
        }
    }
}

/// Team `team`'s General channel, named `name`: a standard channel whose id is the team's
/// thread.
fn general_channel(t: &Tenant, cat: &Catalog, team: &Map<String, Value>, name: &str) -> Entity {
    let thread = text(team, "internalId");
    let mut o = object_of(json!({
        "id": thread, "displayName": name, "description": team.get("description"),
        "membershipType": "standard", "isArchived": false, "email": "", "tenantId": t.id,
        "webUrl": teams_link(t, "channel", &thread, name, &text(team, "id")),
    }));
    server_set(t, cat, CHANNEL, &mut o);
    Entity::new(CHANNEL, o)
}

/// The users among team `team`'s members, and whether each is an owner.
fn member_users(team: &Entity) -> Vec<(String, bool)> {
    let owner = |m: &Entity| {
        m.object
            .get("roles")
            .and_then(Value::as_array)
            .is_some_and(|r| r.iter().any(|x| x == "owner"))
    };
    team.many("members")
        .into_iter()
        .flat_map(|m| m.values())
        .filter_map(|m| Some((m.object.get("userId")?.as_str()?.to_string(), owner(m))))
        .collect()
}

/// A new member for user `user` (an owner when `owner`), as Graph makes it.
fn member_entity(t: &Tenant, cat: &Catalog, user: &str, owner: bool) -> Entity {
    let mut o = Map::new();
    let roles = if owner { json!(["owner"]) } else { json!([]) };
    o.insert("roles".into(), roles);
    server_set(t, cat, AAD_MEMBER, &mut o);
    if let Some(u) = t.users.get(user) {
        fill_member(t, &u.object, &mut o);
    }
    let mut member = Entity::new(AAD_MEMBER, o);
    member.refs_mut("user").push(user.to_string());
    member
}

/// The object of existing group `id` when it may get a team: a Microsoft 365 group with an
/// owner (team-put-teams: "the group must have a least one owner") and no team yet.
fn team_group(t: &Tenant, id: &str) -> Result<Map<String, Value>, GraphErr> {
    let g = t.groups.get(id).ok_or_else(|| GraphErr::not_found(id))?;
    if !super::groups::is_unified(&g.object) {
        return Err(bad(format!(
            "Group '{id}' is not a Microsoft 365 group: only those have teams."
        )));
    }
    if !group_owners(t, id).iter().any(|o| t.users.contains_key(o)) {
        return Err(bad(format!(
            "Group '{id}' has no owner: a team's group needs at least one."
        )));
    }
    if t.store.sets.get(TEAMS).is_some_and(|s| s.contains_key(id)) {
        return Err(GraphErr::new(
            StatusCode::CONFLICT,
            "Conflict",
            format!("Group '{id}' already has a team."),
        ));
    }
    Ok(g.object.clone())
}

/// The owners of group `id` (kept as links of its store entity).
fn group_owners(t: &Tenant, id: &str) -> Vec<String> {
    t.store
        .get(&EntityPath::set_item(GROUPS, id))
        .map(|e| e.refs("owners").to_vec())
        .unwrap_or_default()
}

/// A new team group's mail nickname: the team's name in letters and digits, numbered when a
/// group has it already.
fn nickname(t: &Tenant, name: &str) -> String {
    let base: String = name
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(56)
        .collect();
    let base = if base.is_empty() {
        "team".to_string()
    } else {
        base
    };
    let taken = |n: &str| {
        t.groups.values().any(|g| {
            g.object
                .get("mailNickname")
                .and_then(Value::as_str)
                .is_some_and(|m| m.eq_ignore_ascii_case(n))
        })
    };
    (0..=t.groups.len())
        .map(|i| {
            if i == 0 {
                base.clone()
            } else {
                format!("{base}{i}")
            }
        })
        .find(|n| !taken(n))
        .unwrap_or(base)
}

/// A team's visibility as its group writes it (`private` → `Private`).
fn capitalized(v: &str) -> String {
    let mut c = v.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// Where navigation `nav` of the entity at `path` leads when Teams keeps it elsewhere: a
/// group's `team` is the team of its id in `/teams` (group-get-team), a team's
/// `primaryChannel` its General channel in `channels` (team-get-primarychannel).
pub fn alias(t: &Tenant, path: &EntityPath, nav: &str) -> Option<EntityPath> {
    match (path.top(), nav) {
        (Some((GROUPS, id)), "team") => Some(EntityPath::set_item(TEAMS, id)),
        (Some((TEAMS, _)), "primaryChannel") => {
            let team = t.store.get(path)?;
            let general = team.object.get("internalId")?.as_str()?;
            team.many("channels")?
                .contains_key(general)
                .then(|| path.child("channels", Some(general)))
        }
        _ => None,
    }
}

/// The teams whose members name user `id` (user-list-joinedteams).
pub fn joined(t: &Tenant, id: &str) -> Vec<String> {
    t.store
        .sets
        .get(TEAMS)
        .into_iter()
        .flatten()
        .filter(|(_, team)| {
            team.many("members").is_some_and(|m| {
                m.values()
                    .any(|x| x.object.get("userId").and_then(Value::as_str) == Some(id))
            })
        })
        .map(|(k, _)| k.clone())
        .collect()
}
