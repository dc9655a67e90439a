//! Mailboxes as Outlook keeps them (learn.microsoft.com/graph/api/resources/mailfolder): every
//! mailbox has the default folders from the start, a folder is reached by its well-known name
//! in any case (`mailFolders/Inbox`, `SentItems`), and attachments sent with `sendMail` are
//! stored as the message's `attachments`; `move`, `copy`, replies and forwards act on the
//! mailbox as Exchange does. A message created in a mailbox is a draft (in Drafts, or the
//! folder it was posted to) until `send` delivers it as `sendMail` does. A mailbox keeps each
//! message twice, in its `messages` and in its folder's, and every change through one place
//! is brought to the other ([`changed`], [`after_delete`]).

use axum::http::StatusCode;
use serde_json::{json, Map, Value};

use super::odata::GraphErr;
use super::state::{format_timestamp, new_id, Precision, Tenant};
use super::store::{Entity, EntityPath, Root};
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

/// Exchange's 404 for an item or folder a mailbox does not hold.
pub fn not_in_store() -> GraphErr {
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

/// String property `key` of `object`, empty when it has none.
fn text(object: &Map<String, Value>, key: &str) -> String {
    get_ci(object, key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// Whether a message (as stored) is unread: a message without `isRead` counts as read.
fn unread(message: &Entity) -> bool {
    !message
        .object
        .get("isRead")
        .and_then(Value::as_bool)
        .unwrap_or(true)
}

/// Files `message` (an entity, its id set) in `folder` and in the mailbox's `messages`.
fn file(user: &mut Entity, folder: &str, mut message: Entity) {
    message
        .object
        .insert("parentFolderId".into(), json!(folder));
    let unread = unread(&message);
    let id = message.id().to_string();
    count(user, folder, 1, i64::from(unread));
    user.many_mut("messages")
        .insert(id.clone(), message.clone());
    if let Some(f) = user.many_mut("mailFolders").get_mut(folder) {
        f.many_mut("messages").insert(id, message);
    }
}

/// Takes `message` out of the mailbox: out of its `messages` and every folder, and out of its
/// folder's counts.
fn take_out(user: &mut Entity, message: &Entity) {
    let mid = message.id();
    user.many_mut("messages").shift_remove(mid);
    for f in user.many_mut("mailFolders").values_mut() {
        f.many_mut("messages").shift_remove(mid);
    }
    let folder = text(&message.object, "parentFolderId");
    count(user, &folder, -1, -i64::from(unread(message)));
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
        take_out(user, &message);
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
    // The reply or forward belongs to the original's conversation.
    if let Some(c) = get_ci(&original, "conversationId") {
        message.insert("conversationId".into(), c.clone());
    }
    message.insert("toRecipients".into(), Value::Array(to));
    message.insert("ccRecipients".into(), Value::Array(cc));
    if let Some(Value::Object(given)) = get_ci(params, "message") {
        for (k, v) in given {
            message.insert(k.clone(), v.clone());
        }
    }
    Ok(message)
}

/// Files a `create…` draft in Drafts: the message as stored (201, as Graph answers), a draft
/// as one created with `POST /messages` is ([`as_draft`]).
pub fn file_draft(
    t: &mut Tenant,
    uid: &str,
    message: Map<String, Value>,
) -> Result<Map<String, Value>, GraphErr> {
    let user = mailbox(t, uid)?;
    let mut entity = Entity::new("microsoft.graph.message", message);
    entity.object.insert("id".into(), json!(new_id()));
    as_draft(&mut entity, "drafts");
    file(user, "drafts", entity.clone());
    t.store.version += 1;
    Ok(entity.object)
}

/// The mailbox a collection of messages (`nav` of `owner`) belongs to, and the folder a message
/// posted to it is filed in, as a draft: `(user id, folder key)`. `users/{uid}/messages` files
/// it in Drafts
/// (learn.microsoft.com/graph/api/user-post-messages), `users/{uid}/mailFolders/{fid}/messages`
/// in that folder (mailfolder-post-messages; `fid` is already the folder's key, a well-known
/// name being resolved with the path). `None` for every other collection.
pub fn messages_in(owner: &EntityPath, nav: &str) -> Option<(String, String)> {
    let Root::Set(set, uid) = &owner.root else {
        return None;
    };
    if set != "users" || nav != "messages" {
        return None;
    }
    match owner.steps.as_slice() {
        [] => Some((uid.clone(), "drafts".into())),
        [(folders, Some(fid))] if folders == "mailFolders" => Some((uid.clone(), fid.clone())),
        _ => None,
    }
}

/// `(user id, message id)` of a path to a mailbox's message, through its `messages` or its
/// folder's (`users/{uid}/messages/{mid}`, `users/{uid}/mailFolders/{fid}/messages/{mid}`).
fn message_at(path: &EntityPath) -> Option<(String, String)> {
    let (nav, Some(mid)) = path.steps.last()? else {
        return None;
    };
    let owner = EntityPath {
        root: path.root.clone(),
        steps: path.steps[..path.steps.len() - 1].to_vec(),
    };
    messages_in(&owner, nav).map(|(uid, _)| (uid, mid.clone()))
}

/// Makes `message` a new draft in `folder`, as Outlook answers its creation
/// (learn.microsoft.com/graph/api/user-post-messages, "Response"): `isDraft`, read, in its own
/// conversation unless it answers one, created and modified now, with the preview of its
/// body. `from`, `sender`, `sentDateTime` and `internetMessageId` wait for the send
/// (message-send), which sets them.
pub fn as_draft(message: &mut Entity, folder: &str) {
    let now = json!(format_timestamp(chrono::Utc::now(), Precision::Seconds));
    let o = &mut message.object;
    for (k, v) in [
        ("createdDateTime", now.clone()),
        ("lastModifiedDateTime", now),
        ("isDraft", json!(true)),
        ("isRead", json!(true)),
        ("parentFolderId", json!(folder)),
    ] {
        o.insert(k.into(), v);
    }
    for (k, v) in [
        ("conversationId", json!(new_id())),
        ("importance", json!("normal")),
        ("toRecipients", json!([])),
        ("ccRecipients", json!([])),
        ("bccRecipients", json!([])),
        ("replyTo", json!([])),
    ] {
        o.entry(k).or_insert(v);
    }
    for k in ["sentDateTime", "internetMessageId"] {
        o.remove(k);
    }
    refresh(message);
}

/// Recomputes what a message derives from its content: `bodyPreview` and `hasAttachments`.
fn refresh(message: &mut Entity) {
    let attached = message.many("attachments").is_some_and(|a| !a.is_empty());
    let preview = preview(&message.object);
    message.object.insert("bodyPreview".into(), json!(preview));
    message
        .object
        .insert("hasAttachments".into(), json!(attached));
}

/// A message's `bodyPreview` (message resource: "The first 255 characters of the message
/// body. It is in text format."): the body's text (an HTML body without its markup), its runs
/// of whitespace made single spaces.
pub fn preview(message: &Map<String, Value>) -> String {
    let body = get_ci(message, "body").and_then(Value::as_object);
    let field = |k: &str| {
        body.and_then(|b| get_ci(b, k))
            .and_then(Value::as_str)
            .unwrap_or_default()
    };
    let content = field("content");
    let text = if field("contentType").eq_ignore_ascii_case("html") {
        html_text(content)
    } else {
        content.to_string()
    };
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(255)
        .collect()
}

/// Elements whose content is no text of the message.
const HIDDEN: &[&str] = &["head", "style", "script", "title"];
/// Elements that end a line: what is either side of them are separate words.
const BLOCKS: &[&str] = &[
    "p",
    "div",
    "br",
    "li",
    "tr",
    "td",
    "th",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "blockquote",
    "hr",
];

/// The text of an HTML body: its tags taken out (hidden elements with their content), a space
/// where a block ends, the common character entities decoded.
fn html_text(html: &str) -> String {
    // ASCII lowercasing keeps every byte offset, so `lower` indexes `html`.
    let lower = html.to_ascii_lowercase();
    let mut out = String::new();
    let mut at = 0;
    while let Some(open) = lower[at..].find('<').map(|i| at + i) {
        out.push_str(&html[at..open]);
        let end = lower[open..].find('>').map_or(html.len(), |i| open + i + 1);
        let name: String = lower[open + 1..end]
            .trim_start_matches('/')
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect();
        at = end;
        if HIDDEN.contains(&name.as_str()) && !lower[open + 1..].starts_with('/') {
            let close = format!("</{name}");
            at = lower[end..]
                .find(&close)
                .and_then(|i| lower[end + i..].find('>').map(|j| end + i + j + 1))
                .unwrap_or(html.len());
        } else if BLOCKS.contains(&name.as_str()) {
            out.push(' ');
        }
    }
    out.push_str(&html[at..]);
    [
        ("&nbsp;", " "),
        ("&lt;", "<"),
        ("&gt;", ">"),
        ("&quot;", "\""),
        ("&#39;", "'"),
        ("&apos;", "'"),
        ("&amp;", "&"),
    ]
    .iter()
    .fold(out, |text, (entity, c)| text.replace(entity, c))
}

/// Brings a mailbox in step after message `path` changed through one of the two places it is
/// kept (the mailbox's `messages`, its folder's): its derived properties recomputed
/// ([`refresh`]), the other place given the same message, and the folder's unread count
/// following `isRead`. The message as it now is; `None` when `path` is no mailbox's message.
pub fn changed(t: &mut Tenant, path: &EntityPath) -> Option<Map<String, Value>> {
    let (uid, mid) = message_at(path)?;
    let mut message = t.store.get(path)?.clone();
    refresh(&mut message);
    let user = mailbox(t, &uid).ok()?;
    let before = other_copy(user, path, &message);
    if let Some(before) = before.filter(|b| unread(b) != unread(&message)) {
        let folder = text(&before.object, "parentFolderId");
        let delta = if unread(&message) { 1 } else { -1 };
        count(user, &folder, 0, delta);
    }
    for f in user.many_mut("mailFolders").values_mut() {
        if let Some(m) = f.many_mut("messages").get_mut(&mid) {
            *m = message.clone();
        }
    }
    if let Some(m) = user.many_mut("messages").get_mut(&mid) {
        *m = message.clone();
    }
    Some(message.object)
}

/// The copy of `message` (changed at `path`) the mailbox keeps in its other place, as it was
/// before the change: its folder's when `path` goes through the mailbox's `messages`, the
/// mailbox's `messages` when it goes through a folder.
fn other_copy(user: &Entity, path: &EntityPath, message: &Entity) -> Option<Entity> {
    let mid = message.id();
    if path.steps.len() == 1 {
        let folder = text(&message.object, "parentFolderId");
        user.many("mailFolders")?
            .get(&folder)?
            .many("messages")?
            .get(mid)
    } else {
        user.many("messages")?.get(mid)
    }
    .cloned()
}

/// After `removed` left collection `nav` of `owner` (a `DELETE`): a message deleted from a
/// mailbox leaves its other place and its folder's counts; an attachment deleted from a
/// message changes the message ([`changed`]).
pub fn after_delete(t: &mut Tenant, owner: &EntityPath, nav: &str, removed: &Entity) {
    if let Some((uid, _)) = messages_in(owner, nav) {
        if let Ok(user) = mailbox(t, &uid) {
            take_out(user, removed);
        }
    } else if nav == "attachments" {
        changed(t, owner);
    }
}

/// Draft `mid` of user `uid`'s mailbox as `sendMail` takes its `message`: its properties and
/// its attachments (learn.microsoft.com/graph/api/message-send). A message that is no draft
/// answers 404 `ErrorItemNotFound`, as Exchange does (it looks the id up among the drafts).
pub fn draft(t: &mut Tenant, uid: &str, mid: &str) -> Result<Map<String, Value>, GraphErr> {
    let user = mailbox(t, uid)?;
    let message = find(user, mid)
        .filter(|m| m.object.get("isDraft") == Some(&json!(true)))
        .ok_or_else(not_in_store)?;
    let attachments: Vec<Value> = message
        .many("attachments")
        .into_iter()
        .flat_map(|a| a.values())
        .map(|a| {
            let mut o = a.object.clone();
            o.insert("@odata.type".into(), json!(format!("#{}", a.ty)));
            Value::Object(o)
        })
        .collect();
    let mut object = message.object;
    if !attachments.is_empty() {
        object.insert("attachments".into(), Value::Array(attachments));
    }
    Ok(object)
}

/// Takes message `mid` out of user `uid`'s mailbox (a draft once it is sent).
pub fn discard(t: &mut Tenant, uid: &str, mid: &str) {
    if let Ok(user) = mailbox(t, uid) {
        if let Some(message) = find(user, mid) {
            take_out(user, &message);
        }
    }
}

/// A mailbox owner's name and address, as Outlook writes an `emailAddress` (a message's
/// `from`, an event's organizer, a calendar's owner): for `set` `users` the user's display name
/// and mail (else sign-in name), for `groups` the group's display name and mail.
pub fn mailbox_address(t: &Tenant, set: &str, id: &str) -> Value {
    let object = match set {
        "users" => t.users.get(id).map(|u| &u.object),
        _ => t.groups.get(id).map(|g| &g.object),
    };
    let text = |k: &str| {
        object
            .and_then(|o| o.get(k))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let address = match text("mail") {
        m if m.is_empty() => text("userPrincipalName"),
        m => m,
    };
    json!({ "name": text("displayName"), "address": address })
}
