//! Draft messages over HTTP, as Outlook keeps them: a message created in a mailbox
//! (`POST /users/{id}/messages`, or in a folder) is a draft in Drafts (or that folder), its
//! preview follows its body, `send` delivers it as `sendMail` does and files it in Sent Items,
//! and the `createReply` / `createForward` drafts are edited and sent the same way
//! (learn.microsoft.com/graph/api/user-post-messages, message-send, message-update).

mod common;

use common::*;
use serde_json::{json, Value};

/// An address of user `nick` made by [`make_user`].
fn address(nick: &str) -> String {
    format!("{nick}@contoso.onmicrosoft.com")
}

/// A recipient list of `addresses`, as a message's `toRecipients`.
fn recipients(addresses: &[&str]) -> Value {
    addresses
        .iter()
        .map(|a| json!({"emailAddress": {"address": a}}))
        .collect()
}

/// The messages of folder `folder` (an id or well-known name) of user `uid`'s mailbox.
async fn folder(g: &Graph, uid: &str, folder: &str) -> Vec<Value> {
    let path = format!("/v1.0/users/{uid}/mailFolders/{folder}/messages");
    let (status, page) = g.get(&path).await;
    assert_eq!(status, 200, "{path}: {page}");
    page["value"].as_array().cloned().unwrap_or_default()
}

/// The ids of `messages`.
fn ids(messages: &[Value]) -> Vec<&str> {
    messages.iter().filter_map(|m| m["id"].as_str()).collect()
}

/// `POST /users/{uid}/messages/{mid}/send`: the status and the answer.
async fn send(g: &Graph, uid: &str, mid: &str) -> (u16, Value) {
    g.post(&format!("/v1.0/users/{uid}/messages/{mid}/send"), json!({}))
        .await
}

/// A draft from `POST /messages` is in Drafts alone, read, without sender or internet id, its
/// preview the text of its HTML body; a `$filter` on `isDraft` finds it, and Drafts counts it.
#[tokio::test]
async fn a_created_message_is_a_draft_in_drafts_and_nowhere_else() {
    let (_s, g) = blank().await;
    let alice = make_user(&g, "alice").await;
    let draft = g
        .created(
            &format!("/v1.0/users/{alice}/messages"),
            json!({"subject": "Draft 1",
                   "body": {"contentType": "HTML",
                            "content": "<html><head><style>p{}</style></head><body><p>They were <b>awesome</b>!</p><p>See&nbsp;you</p></body></html>"},
                   "toRecipients": recipients(&["someone@fabrikam.com"])}),
        )
        .await;
    assert_eq!(draft["isDraft"], true, "{draft}");
    assert_eq!(draft["parentFolderId"], "drafts");
    assert_eq!(draft["bodyPreview"], "They were awesome! See you");
    assert_eq!(
        (&draft["isRead"], &draft["hasAttachments"]),
        (&json!(true), &json!(false))
    );
    for set in ["createdDateTime", "lastModifiedDateTime", "conversationId"] {
        assert!(draft[set].is_string(), "{set}: {draft}");
    }
    for unset in ["from", "sender", "sentDateTime", "internetMessageId"] {
        assert!(draft[unset].is_null(), "{unset}: {draft}");
    }
    let id = draft["id"].as_str().unwrap();
    assert_eq!(ids(&folder(&g, &alice, "Drafts").await), [id]);
    for other in ["inbox", "sentitems", "outbox"] {
        assert!(folder(&g, &alice, other).await.is_empty(), "{other}");
    }
    let (_, all) = g.get(&format!("/v1.0/users/{alice}/messages")).await;
    assert_eq!(strings(&all, "id"), [id]);
    let (_, drafts) = g
        .get(&format!(
            "/v1.0/users/{alice}/messages?$filter=isDraft eq true"
        ))
        .await;
    assert_eq!(strings(&drafts, "id"), [id]);
    let (_, sent) = g
        .get(&format!(
            "/v1.0/users/{alice}/messages?$filter=isDraft eq false"
        ))
        .await;
    assert!(strings(&sent, "id").is_empty(), "{sent}");
    let (_, folder) = g
        .get(&format!("/v1.0/users/{alice}/mailFolders/drafts"))
        .await;
    assert_eq!(folder["totalItemCount"], 1, "{folder}");
}

/// mailfolder-post-messages: a message created in a folder (named by a well-known name in any
/// case) is a draft there, and the mailbox's `messages` lists it too.
#[tokio::test]
async fn a_message_created_in_a_folder_is_a_draft_in_that_folder() {
    let (_s, g) = blank().await;
    let alice = make_user(&g, "alice").await;
    let made = g
        .created(
            &format!("/v1.0/users/{alice}/mailFolders/Archive/messages"),
            json!({"subject": "Kept", "body": {"contentType": "text", "content": "notes"}}),
        )
        .await;
    assert_eq!(
        (&made["isDraft"], &made["parentFolderId"]),
        (&json!(true), &json!("archive"))
    );
    let id = made["id"].as_str().unwrap();
    assert_eq!(ids(&folder(&g, &alice, "archive").await), [id]);
    assert!(folder(&g, &alice, "drafts").await.is_empty());
    let (status, got) = g.get(&format!("/v1.0/users/{alice}/messages/{id}")).await;
    assert_eq!((status, &got["bodyPreview"]), (200, &json!("notes")));
}

/// message-update: a draft's preview follows its body, in Drafts as in `messages`, whichever
/// path the update took.
#[tokio::test]
async fn updating_a_draft_recomputes_its_preview_everywhere() {
    let (_s, g) = blank().await;
    let alice = make_user(&g, "alice").await;
    let draft = g
        .created(
            &format!("/v1.0/users/{alice}/messages"),
            json!({"subject": "Plan", "body": {"contentType": "text", "content": "first"}}),
        )
        .await;
    let id = draft["id"].as_str().unwrap();
    let (status, updated) = g
        .patch(
            &format!("/v1.0/users/{alice}/mailFolders/drafts/messages/{id}"),
            json!({"body": {"contentType": "text", "content": "second   take"}}),
        )
        .await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(updated["bodyPreview"], "second take");
    assert!(
        unix_seconds(&updated["lastModifiedDateTime"])
            >= unix_seconds(&draft["lastModifiedDateTime"]),
        "{updated}"
    );
    let (_, through_messages) = g.get(&format!("/v1.0/users/{alice}/messages/{id}")).await;
    assert_eq!(through_messages["bodyPreview"], "second take");
    g.patch(
        &format!("/v1.0/users/{alice}/messages/{id}"),
        json!({"subject": "Plan B"}),
    )
    .await;
    let drafts = folder(&g, &alice, "drafts").await;
    assert_eq!(drafts[0]["subject"], "Plan B", "{drafts:?}");
}

/// message-send: 202 without a body; the draft leaves Drafts, Sent Items holds it once as sent
/// by the mailbox's owner, a recipient in the tenant finds it unread in their Inbox, one
/// outside it gets nothing and does not fail the send, and the draft cannot be sent again.
#[tokio::test]
async fn sending_a_draft_files_it_in_sent_items_and_delivers_it() {
    let (_s, g) = blank().await;
    let alice = make_user(&g, "alice").await;
    let bob = make_user(&g, "bob").await;
    let body = json!({"contentType": "text", "content": "Shall we meet at noon?"});
    let draft = g
        .created(
            &format!("/v1.0/users/{alice}/messages"),
            json!({"subject": "Lunch", "body": body,
                   "toRecipients": recipients(&[&address("bob"), "someone@fabrikam.com"])}),
        )
        .await;
    let id = draft["id"].as_str().unwrap();
    let (status, answer) = send(&g, &alice, id).await;
    assert_eq!((status, answer), (202, Value::Null));
    assert!(folder(&g, &alice, "drafts").await.is_empty());
    let sent = folder(&g, &alice, "sentitems").await;
    assert_eq!(sent.len(), 1, "{sent:?}");
    let mine = &sent[0];
    assert_eq!(
        (&mine["isDraft"], &mine["subject"]),
        (&json!(false), &json!("Lunch"))
    );
    assert!(mine["sentDateTime"].is_string(), "{mine}");
    assert_eq!(mine["from"]["emailAddress"]["address"], address("alice"));
    assert_eq!(mine["sender"], mine["from"]);
    assert_eq!(mine["conversationId"], draft["conversationId"]);
    let inbox = folder(&g, &bob, "inbox").await;
    assert_eq!(inbox.len(), 1, "{inbox:?}");
    let theirs = &inbox[0];
    assert_eq!(
        (&theirs["subject"], &theirs["body"]["content"]),
        (&json!("Lunch"), &body["content"])
    );
    assert_eq!(
        (&theirs["isRead"], &theirs["isDraft"]),
        (&json!(false), &json!(false))
    );
    assert!(theirs["receivedDateTime"].is_string(), "{theirs}");
    // Read through the mailbox's `messages`, it is read in the Inbox's count too.
    let tid = theirs["id"].as_str().unwrap();
    g.patch(
        &format!("/v1.0/users/{bob}/messages/{tid}"),
        json!({"isRead": true}),
    )
    .await;
    let (_, bob_inbox) = g.get(&format!("/v1.0/users/{bob}/mailFolders/inbox")).await;
    assert_eq!(bob_inbox["unreadItemCount"], 0, "{bob_inbox}");
    assert_eq!(folder(&g, &bob, "inbox").await[0]["isRead"], true);
    let (status, err) = send(&g, &alice, id).await;
    assert_eq!(
        (status, err["error"]["code"].as_str()),
        (404, Some("ErrorItemNotFound"))
    );
    let (status, _) = g.get(&format!("/v1.0/users/{alice}/messages/{id}")).await;
    assert_eq!(status, 404, "the draft is gone");
}

/// Only a draft is sent: a received message answers 404 `ErrorItemNotFound`, and a draft
/// without recipients answers `sendMail`'s 400 and stays in Drafts.
#[tokio::test]
async fn only_a_draft_with_recipients_is_sent() {
    let (_s, g) = blank().await;
    let alice = make_user(&g, "alice").await;
    let bob = make_user(&g, "bob").await;
    let (status, _) = g
        .post(
            &format!("/v1.0/users/{alice}/sendMail"),
            json!({"message": {"subject": "Hi", "toRecipients": recipients(&[&address("bob")])}}),
        )
        .await;
    assert_eq!(status, 202);
    let received = folder(&g, &bob, "inbox").await;
    let (status, err) = send(&g, &bob, received[0]["id"].as_str().unwrap()).await;
    assert_eq!(
        (status, err["error"]["code"].as_str()),
        (404, Some("ErrorItemNotFound"))
    );
    let lonely = g
        .created(
            &format!("/v1.0/users/{alice}/messages"),
            json!({"subject": "Nobody"}),
        )
        .await;
    let lonely = lonely["id"].as_str().unwrap();
    let (status, err) = send(&g, &alice, lonely).await;
    assert_eq!(
        (status, err["error"]["code"].as_str()),
        (400, Some("ErrorInvalidRecipients"))
    );
    assert_eq!(ids(&folder(&g, &alice, "drafts").await), [lonely]);
}

/// message-createreply: the reply draft is in Drafts, in the original's conversation; edited
/// and sent, the original's sender receives it.
#[tokio::test]
async fn a_reply_draft_is_edited_and_sent() {
    let (_s, g) = blank().await;
    let alice = make_user(&g, "alice").await;
    let bob = make_user(&g, "bob").await;
    g.post(
        &format!("/v1.0/users/{alice}/sendMail"),
        json!({"message": {"subject": "Lunch", "body": {"contentType": "text", "content": "Noon?"},
                           "toRecipients": recipients(&[&address("bob")])}}),
    )
    .await;
    let original = folder(&g, &bob, "inbox").await.remove(0);
    let mid = original["id"].as_str().unwrap();
    let reply = g
        .created(
            &format!("/v1.0/users/{bob}/messages/{mid}/createReply"),
            json!({}),
        )
        .await;
    assert_eq!(
        (&reply["isDraft"], &reply["parentFolderId"]),
        (&json!(true), &json!("drafts"))
    );
    assert_eq!(reply["conversationId"], original["conversationId"]);
    let rid = reply["id"].as_str().unwrap();
    let (status, edited) = g
        .patch(
            &format!("/v1.0/users/{bob}/messages/{rid}"),
            json!({"body": {"contentType": "html", "content": "<p>Yes, noon.</p>"}}),
        )
        .await;
    assert_eq!(
        (status, &edited["bodyPreview"]),
        (200, &json!("Yes, noon."))
    );
    assert_eq!(send(&g, &bob, rid).await.0, 202);
    let answers = folder(&g, &alice, "inbox").await;
    assert_eq!(
        strings(&json!({"value": answers}), "subject"),
        ["RE: Lunch"]
    );
    assert_eq!(answers[0]["bodyPreview"], "Yes, noon.");
    assert!(folder(&g, &bob, "drafts").await.is_empty());
}

/// message-delete: a deleted draft leaves Drafts and its count, whichever path named it.
#[tokio::test]
async fn a_deleted_draft_leaves_its_folder() {
    let (_s, g) = blank().await;
    let alice = make_user(&g, "alice").await;
    let draft = g
        .created(
            &format!("/v1.0/users/{alice}/messages"),
            json!({"subject": "Oops"}),
        )
        .await;
    let id = draft["id"].as_str().unwrap();
    let (status, _) = g
        .delete(&format!("/v1.0/users/{alice}/messages/{id}"))
        .await;
    assert_eq!(status, 204);
    assert!(folder(&g, &alice, "drafts").await.is_empty());
    let (_, drafts) = g
        .get(&format!("/v1.0/users/{alice}/mailFolders/drafts"))
        .await;
    assert_eq!(drafts["totalItemCount"], 0, "{drafts}");
}

/// A draft keeps what its create body nests (an open extension, an attachment, with
/// `hasAttachments` set); an attachment added later counts too, and the send carries them.
#[tokio::test]
async fn a_draft_keeps_its_attachments_and_extensions_through_the_send() {
    let (_s, g) = blank().await;
    let alice = make_user(&g, "alice").await;
    let bob = make_user(&g, "bob").await;
    let file = |name: &str| {
        json!({"@odata.type": "#microsoft.graph.fileAttachment", "name": name,
               "contentType": "text/plain", "contentBytes": "aGVsbG8="})
    };
    let draft = g
        .created(
            &format!("/v1.0/users/{alice}/messages"),
            json!({"subject": "Report", "toRecipients": recipients(&[&address("bob")]),
                   "attachments": [file("a.txt")],
                   "extensions": [{"@odata.type": "microsoft.graph.openTypeExtension",
                                   "extensionName": "Com.Contoso.Referral", "dealValue": 10}]}),
        )
        .await;
    assert_eq!(draft["hasAttachments"], true, "{draft}");
    let id = draft["id"].as_str().unwrap();
    let (status, ext) = g
        .get(&format!("/v1.0/users/{alice}/messages/{id}/extensions"))
        .await;
    assert_eq!(
        (status, &ext["value"][0]["dealValue"]),
        (200, &json!(10)),
        "{ext}"
    );
    g.created(
        &format!("/v1.0/users/{alice}/messages/{id}/attachments"),
        file("b.txt"),
    )
    .await;
    let (_, listed) = g
        .get(&format!(
            "/v1.0/users/{alice}/mailFolders/drafts/messages/{id}/attachments"
        ))
        .await;
    assert_eq!(strings(&listed, "name"), ["a.txt", "b.txt"]);
    assert_eq!(send(&g, &alice, id).await.0, 202);
    let received = folder(&g, &bob, "inbox").await;
    assert_eq!(received[0]["hasAttachments"], true, "{received:?}");
    let rid = received[0]["id"].as_str().unwrap();
    let (_, attached) = g
        .get(&format!("/v1.0/users/{bob}/messages/{rid}/attachments"))
        .await;
    assert_eq!(strings(&attached, "name"), ["a.txt", "b.txt"]);
}
