//! Mailboxes as Outlook keeps them (learn.microsoft.com/graph/api/resources/mailfolder): every
//! mailbox has the default folders from the start, a folder is reached by its well-known name
//! in any case (`mailFolders/Inbox`, `SentItems`), and attachments sent with `sendMail` are
//! stored as the message's `attachments`.

use serde_json::{json, Map, Value};

use super::state::Tenant;
use super::store::{Entity, EntityPath};

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
