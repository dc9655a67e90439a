//! `POST /users/{id}/authentication/methods/{id}/resetPassword`
//! (<https://learn.microsoft.com/graph/api/authenticationmethod-resetpassword>): an
//! administrator resets a user's password, to the one given or to one the service generates.
//! Graph answers `202 Accepted` with a `passwordResetResponse` (the generated password, or null
//! when one was given) and a `Location` naming the long-running operation
//! (`/users/{id}/authentication/operations/{id}`, a `longRunningOperation`), which the sandbox
//! completes at once: reading it answers `succeeded`.

use axum::http::{header, HeaderValue, StatusCode};
use serde_json::{json, Map, Value};

use super::{body_object, json, Ctx, Handled};
use crate::sandbox::odata::GraphErr;
use crate::sandbox::state::{
    format_timestamp, generate_pass, new_id, Precision, PASSWORD_METHOD_ID,
};
use crate::sandbox::store::{Entity, EntityPath};

const OPERATION: &str = "microsoft.graph.longRunningOperation";

/// Resets the password of user `user_id` through its password method `method_id`; `key` is
/// the user as the request named them (for the `Location`).
pub fn reset(ctx: &Ctx, user_id: &str, key: &str, method_id: &str, body: &[u8]) -> Handled {
    // Only the password method has a password to reset.
    if !method_id.eq_ignore_ascii_case(PASSWORD_METHOD_ID) {
        return Err(GraphErr::not_found(method_id));
    }
    let params = if body.iter().all(u8::is_ascii_whitespace) {
        Map::new()
    } else {
        body_object(body)?
    };
    let mut given = None;
    for (k, v) in &params {
        if k.starts_with('@') {
            continue;
        }
        if !k.eq_ignore_ascii_case("newPassword") {
            return Err(GraphErr::bad_request(format!(
                "The parameter '{k}' in the request payload is not a valid parameter for the operation 'resetPassword'."
            )));
        }
        match v {
            Value::Null => {}
            Value::String(p) => given = Some(p.clone()),
            other => {
                return Err(GraphErr::bad_request(format!(
                    "Cannot convert the literal '{other}' to the expected type 'Edm.String'."
                )))
            }
        }
    }
    if let Some(p) = &given {
        if !super::users::password_ok(p) {
            return Err(GraphErr::bad_request(
                "The specified password does not comply with password complexity requirements. Please provide a different password.",
            ));
        }
    }
    let password = given.clone().unwrap_or_else(|| generate_pass(12));
    let now = chrono::Utc::now();
    let op_id = new_id();
    let mut tenant = ctx.state.tenant_mut();
    let user = tenant
        .users
        .get_mut(user_id)
        .ok_or_else(|| GraphErr::not_found(key))?;
    user.password = password.clone();
    user.object.insert(
        "lastPasswordChangeDateTime".into(),
        json!(format_timestamp(now, Precision::Seconds)),
    );
    // Tokens issued before the new password are no longer valid (the older name,
    // `refreshTokensValidFromDateTime`, follows when shown).
    user.object.insert(
        "signInSessionsValidFromDateTime".into(),
        json!(format_timestamp(now, Precision::Seconds)),
    );
    user.object.remove("refreshTokensValidFromDateTime");
    let location = format!(
        "{}/{}/users/{user_id}/authentication/operations/{op_id}",
        ctx.state.base_url,
        ctx.ver.segment()
    );
    let operation = json!({
        "id": op_id,
        "createdDateTime": format_timestamp(now, Precision::Ticks),
        "lastActionDateTime": format_timestamp(now, Precision::Ticks),
        "status": "succeeded",
        "statusDetail": null,
        "resourceLocation": format!(
            "{}/{}/users/{user_id}/authentication/passwordMethods/{PASSWORD_METHOD_ID}",
            ctx.state.base_url,
            ctx.ver.segment()
        ),
    });
    let path = EntityPath::set_item("users", user_id).child("authentication", None);
    let types = [
        Some("microsoft.graph.user".to_string()),
        Some("microsoft.graph.authentication".to_string()),
    ];
    if let Some(auth) = tenant.store.get_mut(&path, &types) {
        auth.many_mut("operations").insert(
            op_id.clone(),
            Entity::new(
                OPERATION,
                operation.as_object().cloned().unwrap_or_default(),
            ),
        );
    }
    tenant.store.version += 1;
    drop(tenant);
    let body = json!({
        "@odata.context": ctx.context("microsoft.graph.passwordResetResponse"),
        // A password the caller chose is not echoed back; a generated one is.
        "newPassword": if given.is_some() { Value::Null } else { json!(password) },
    });
    let mut resp = json(StatusCode::ACCEPTED, &body);
    if let Ok(v) = HeaderValue::from_str(&location) {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    Ok(resp)
}
