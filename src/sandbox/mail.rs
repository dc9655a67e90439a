//! Mailboxes as Outlook keeps them (learn.microsoft.com/graph/api/resources/mailfolder): every
//! mailbox has the default folders from the start, a folder is reached by its well-known name
//! in any case (`mailFolders/Inbox`, `SentItems`), and attachments sent with `sendMail` are
//! stored as the message's `attachments`; `move`, `copy`, replies and forwards act on the
//! mailbox as Exchange does.

use axum::http::StatusCode;
use serde_json::{json, Map, Value};

use super::odata::GraphErr;
use super::state::{format_timestamp, new_id, Precision, Tenant};
use super::store::{Entity, EntityPath};
use crate::json::get_ci;

/// The default folders: (well-known name, which is the folder's id here; display name).
pub const DEFAULT_FOLDERS: &[(&str, &str)] = &[
    ("inbox", "Inbox"),
    ("drafts", "Drafts"),
    ("sentitems", "Sent Items"),
    ("deleteditems", "Deleted Items"),
    ("junkemail", "Junk Email"),
    ("archive", "Archive"),
    ("outbox", "Outbox"),
];

/// A default folder, empty.
pub fn folder(id: &str, name: &str) -> Entity {
    let o = json!({
        "id": id, "displayName": name, "parentFolderId": "msgfolderroot",
        "childFolderCount": 0, "unreadItemCount": 0, "totalItemCount": 0, "isHidden": false,
    });
    Entity::new(
        "microsoft.graph.mailFolder",
        o.as_object().cloned().unwrap_or_default(),
    )
}

/// Gives user `id`'s mailbox the default folders it lacks.
pub fn default_folders(t: &mut Tenant, id: &str) {
    let path = EntityPath::set_item("users", id);
    let Some(user) = t
        .store
        .get_mut(&path, &[Some("microsoft.graph.user".into())])
    else {
        return;
    };
    let folders = user.many_mut("mailFolders");
    for (key, name) in DEFAULT_FOLDERS {
        if !folders.contains_key(*key) {
            folders.insert(key.to_string(), folder(key, name));
        }
    }
}

/// The key a folder of `mailFolders` is kept under when `key` is a well-known name in another
/// case (`Inbox`, `SentItems`).
pub fn well_known(nav: &str, key: &str) -> Option<&'static str> {
    if nav != "mailFolders" && nav != "childFolders" {
        return None;
    }
    DEFAULT_FOLDERS
        .iter()
        .map(|(k, _)| *k)
        .find(|k| k.eq_ignore_ascii_case(key))
}

/// Takes the `attachments` out of a message being sent: the message's own object, and the
/// attachments as entities (ids and sizes set, `contentBytes` kept).
pub fn take_attachments(message: &mut Map<String, Value>) -> Vec<Entity> {
    let Some(key) = message
        .keys()
        .find(|k| k.eq_ignore_ascii_case("attachments"))
        .cloned()
    else {
        return vec![];
    };
    let list = message.remove(&key);
    let now = super::state::format_timestamp(chrono::Utc::now(), super::state::Precision::Seconds);
    list.and_then(|v| v.as_array().cloned())
        .unwrap_or_default()
        .into_iter()
        .filter_map(|a| {
            let mut o = a.as_object()?.clone();
            let ty = o
                .remove("@odata.type")
                .and_then(|t| t.as_str().map(|t| t.trim_start_matches('#').to_string()))
                .unwrap_or_else(|| "microsoft.graph.fileAttachment".into());
            // The decoded size, as Graph reports it.
            let size = o.get("contentBytes").and_then(Value::as_str).map(|b| {
                (b.len() / 4 * 3).saturating_sub(b.chars().rev().take_while(|c| *c == '=').count())
            });
            o.entry("id")
                .or_insert_with(|| json!(super::state::new_id()));
            o.entry("size").or_insert(json!(size.unwrap_or(0)));
            o.entry("isInline").or_insert(json!(false));
            o.entry("lastModifiedDateTime").or_insert(json!(now));
            o.entry("contentType").or_insert(Value::Null);
            Some(Entity::new(&ty, o))
        })
        .collect()
}

/// What a message action does with the message it is bound to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Respond {
    Reply,
    ReplyAll,
    Forward,
}

impl Respond {
    /// `reply`, `replyAll`, `forward` and their `create…` twins.
    pub fn of(action: &str) -> Option<Respond> {
        match action {
            "reply" | "createReply" => Some(Respond::Reply),
            "replyAll" | "createReplyAll" => Some(Respond::ReplyAll),
            "forward" | "createForward" => Some(Respond::Forward),
            _ => None,
        }
    }
}

/// The message folder `key` of a mailbox names: a folder id, or a well-known name in any case.
fn folder_key(user: &Entity, key: &str) -> Option<String> {
    let folders = user.many("mailFolders")?;
    if folders.contains_key(key) {
        return Some(key.to_string());
    }
    well_known("mailFolders", key)
        .filter(|k| folders.contains_key(*k))
        .map(str::to_string)
}

fn not_in_store() -> GraphErr {
    GraphErr::new(
        StatusCode::NOT_FOUND,
        "ErrorItemNotFound",
        "The specified object was not found in the store.",
    )
}

/// User `uid`'s mailbox, with its default folders.
fn mailbox<'a>(t: &'a mut Tenant, uid: &str) -> Result<&'a mut Entity, GraphErr> {
    default_folders(t, uid);
    t.store
        .get_mut(
            &EntityPath::set_item("users", uid),
            &[Some("microsoft.graph.user".into())],
        )
        .ok_or_else(|| GraphErr::not_found(uid))
}

/// Adds `total` and `unread` to a folder's counts.
fn count(user: &mut Entity, folder: &str, total: i64, unread: i64) {
    if let Some(f) = user.many_mut("mailFolders").get_mut(folder) {
        for (k, d) in [("totalItemCount", total), ("unreadItemCount", unread)] {
            let n = f.object.get(k).and_then(Value::as_i64).unwrap_or(0) + d;
            f.object.insert(k.into(), json!(n.max(0)));
        }
    }
}

/// Message `mid` of a mailbox: from its `messages`, or from the folder that holds it (a
/// message created in a folder, `mailFolders/{id}/messages`, is kept there alone).
fn find(user: &Entity, mid: &str) -> Option<Entity> {
    user.many("messages")
        .and_then(|m| m.get(mid))
        .or_else(|| {
            user.many("mailFolders")?
                .values()
                .find_map(|f| f.many("messages")?.get(mid))
        })
        .cloned()
}

/// Files `message` (an entity, its id set) in default folder `folder` of user `uid`'s mailbox
/// (nothing when there is no such user).
pub fn file_in(t: &mut Tenant, uid: &str, folder: &str, message: Entity) {
    if let Ok(user) = mailbox(t, uid) {
        file(user, folder, message);
    }
}

/// Files `message` (an entity, its id set) in `folder` and in the mailbox's `messages`.
fn file(user: &mut Entity, folder: &str, mut message: Entity) {
    message
        .object
        .insert("parentFolderId".into(), json!(folder));
    let unread = !message
        .object
        .get("isRead")
        .and_then(Value::as_bool)
        .unwrap_or(true);
    let id = message.id().to_string();
    count(user, folder, 1, i64::from(unread));
    user.many_mut("messages")
        .insert(id.clone(), message.clone());
    if let Some(f) = user.many_mut("mailFolders").get_mut(folder) {
        f.many_mut("messages").insert(id, message);
    }
}

/// `move` and `copy` (learn.microsoft.com/graph/api/message-move, message-copy): the message
/// as filed in the destination folder (a folder id or well-known name), under a new id, as
/// Exchange gives it. A move takes it out of its folder. 404 `ErrorItemNotFound` for an
/// unknown message or folder.
pub fn move_or_copy(
    t: &mut Tenant,
    uid: &str,
    mid: &str,
    destination: &str,
    keep: bool,
) -> Result<Map<String, Value>, GraphErr> {
    let user = mailbox(t, uid)?;
    let dest = folder_key(user, destination).ok_or_else(not_in_store)?;
    let message = find(user, mid).ok_or_else(not_in_store)?;
    if !keep {
        let from = message
            .object
            .get("parentFolderId")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let unread = !message
            .object
            .get("isRead")
            .and_then(Value::as_bool)
            .unwrap_or(true);
        user.many_mut("messages").shift_remove(mid);
        for f in user.many_mut("mailFolders").values_mut() {
            f.many_mut("messages").shift_remove(mid);
        }
        count(user, &from, -1, -i64::from(unread));
    }
    let mut filed = message;
    filed.object.insert("id".into(), json!(new_id()));
    let now = format_timestamp(chrono::Utc::now(), Precision::Seconds);
    filed
        .object
        .insert("lastModifiedDateTime".into(), json!(now));
    file(user, &dest, filed.clone());
    t.store.version += 1;
    filed.object.insert("parentFolderId".into(), json!(dest));
    Ok(filed.object)
}

/// A recipient list of a message (`toRecipients`, ...), as it is stored.
fn recipients(message: &Map<String, Value>, key: &str) -> Vec<Value> {
    get_ci(message, key)
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

fn address_of(recipient: &Value) -> Option<String> {
    let email = get_ci(recipient.as_object()?, "emailAddress")?.as_object()?;
    Some(get_ci(email, "address")?.as_str()?.to_ascii_lowercase())
}

/// The message a reply, reply-all or forward of message `mid` of user `uid` sends, or the
/// draft its `create…` twin files: `RE:`/`FW:` and the subject; the `replyTo` or the sender (a
/// reply), also the other recipients but the user (a reply-all), or the given `toRecipients`
/// (a forward, which needs at least one when sent); the `comment` above the original body, in
/// its content type; any `message` properties given override these, but not a body beside a
/// comment (400) (message-reply, message-forward: "Request body").
pub fn respond(
    t: &mut Tenant,
    uid: &str,
    mid: &str,
    how: Respond,
    params: &Map<String, Value>,
) -> Result<Map<String, Value>, GraphErr> {
    let user = mailbox(t, uid)?;
    let me = [
        user.object.get("mail"),
        user.object.get("userPrincipalName"),
    ]
    .into_iter()
    .flatten()
    .filter_map(Value::as_str)
    .map(str::to_ascii_lowercase)
    .collect::<Vec<_>>();
    let original = find(user, mid).ok_or_else(not_in_store)?.object;
    let subject = get_ci(&original, "subject")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let prefix = if how == Respond::Forward { "FW" } else { "RE" };
    // A reply goes to the message's `replyTo` when it has one, else its sender.
    let reply_to = recipients(&original, "replyTo");
    let mut to: Vec<Value> = match how {
        Respond::Forward => vec![],
        _ if !reply_to.is_empty() => reply_to,
        _ => get_ci(&original, "from").cloned().into_iter().collect(),
    };
    let mut cc: Vec<Value> = vec![];
    if how == Respond::ReplyAll {
        let others = |list: Vec<Value>| -> Vec<Value> {
            list.into_iter()
                .filter(|r| address_of(r).is_some_and(|a| !me.contains(&a)))
                .collect()
        };
        to.extend(others(recipients(&original, "toRecipients")));
        cc = others(recipients(&original, "ccRecipients"));
    }
    if let Some(given) = get_ci(params, "toRecipients").and_then(Value::as_array) {
        to = given.clone();
    }
    let comment = get_ci(params, "comment")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let body = get_ci(&original, "body").and_then(Value::as_object);
    let quoted = body
        .and_then(|b| get_ci(b, "content"))
        .and_then(Value::as_str)
        .unwrap_or_default();
    let content_type = body
        .and_then(|b| get_ci(b, "contentType"))
        .and_then(Value::as_str)
        .unwrap_or("text");
    if !comment.is_empty()
        && get_ci(params, "message")
            .and_then(Value::as_object)
            .is_some_and(|m| get_ci(m, "body").is_some())
    {
        return Err(GraphErr::bad_request(
            "A message body and a comment cannot both be given: put the comment in the body.",
        ));
    }
    let mut message = Map::new();
    message.insert("subject".into(), json!(format!("{prefix}: {subject}")));
    message.insert(
        "body".into(),
        json!({"contentType": content_type, "content": format!("{comment}\n\n{quoted}")}),
    );
    message.insert("toRecipients".into(), Value::Array(to));
    message.insert("ccRecipients".into(), Value::Array(cc));
    if let Some(Value::Object(given)) = get_ci(params, "message") {
        for (k, v) in given {
            message.insert(k.clone(), v.clone());
        }
    }
    Ok(message)
}

/// Files a `create…` draft in Drafts: the message as stored (201, as Graph answers).
pub fn file_draft(
    t: &mut Tenant,
    uid: &str,
    mut message: Map<String, Value>,
) -> Result<Map<String, Value>, GraphErr> {
    let user = mailbox(t, uid)?;
    let now = format_timestamp(chrono::Utc::now(), Precision::Seconds);
    let from = json!({"emailAddress": {
        "name": user.object.get("displayName").cloned().unwrap_or(Value::Null),
        "address": user.object.get("mail").or_else(|| user.object.get("userPrincipalName")).cloned().unwrap_or(Value::Null),
    }});
    for (k, v) in [
        ("id", json!(new_id())),
        ("createdDateTime", json!(now)),
        ("lastModifiedDateTime", json!(now)),
        ("isDraft", json!(true)),
        ("isRead", json!(true)),
        ("from", from.clone()),
        ("sender", from),
        ("importance", json!("normal")),
        ("hasAttachments", json!(false)),
        ("bccRecipients", json!([])),
    ] {
        message.entry(k).or_insert(v);
    }
    let entity = Entity::new("microsoft.graph.message", message);
    file(user, "drafts", entity.clone());
    t.store.version += 1;
    let mut out = entity.object;
    out.insert("parentFolderId".into(), json!("drafts"));
    Ok(out)
}
