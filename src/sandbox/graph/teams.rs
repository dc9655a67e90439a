//! Microsoft Teams objects the generic store cannot derive alone.
//!
//! - Conversation members (a team's, a channel's, a chat's): an `aadUserConversationMember`
//!   names its user with `user@odata.bind`, and Graph answers with the user's id, display
//!   name and email filled in (<https://learn.microsoft.com/graph/api/team-post-members>,
//!   /chat-post, /channel-post), inline in a create body or posted on its own alike.

use axum::http::StatusCode;
use serde_json::{json, Map, Value};

use super::binds::{self, Bound};
use crate::sandbox::odata::GraphErr;
use crate::sandbox::state::Tenant;
use crate::sandbox::store::catalog::Catalog;

const AAD_MEMBER: &str = "microsoft.graph.aadUserConversationMember";

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
