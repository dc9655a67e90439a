//! `/users/{id}/authentication/...`: methods, Temporary Access Passes, passkeys (FIDO2) and
//! the beta per-user MFA `requirements`.

use axum::http::{Method, StatusCode};
use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};

use super::{
    body_object, collection, json, no_content, Ctx, Handled, Ver, AUTH_ADMIN_ROLES,
    POLICY_ADMIN_ROLES,
};
use crate::sandbox::odata::GraphErr;
use crate::sandbox::state::{
    format_timestamp, generate_pass, new_id, random_credential_id, tap_usability, Fido2, Precision,
    Tap, TapPolicy, Tenant, User, PASSWORD_METHOD_ID,
};
use crate::sandbox::store::{EntityPath, Nav};

const READ_ALL: &[&str] = &[
    "UserAuthenticationMethod.Read.All",
    "UserAuthenticationMethod.ReadWrite.All",
];
const WRITE_ALL: &[&str] = &["UserAuthenticationMethod.ReadWrite.All"];
const READ_SELF: &[&str] = &[
    "UserAuthenticationMethod.Read",
    "UserAuthenticationMethod.ReadWrite",
    "UserAuthenticationMethod.Read.All",
    "UserAuthenticationMethod.ReadWrite.All",
];
const WRITE_SELF: &[&str] = &[
    "UserAuthenticationMethod.ReadWrite",
    "UserAuthenticationMethod.ReadWrite.All",
];
const TAP_READ: &[&str] = &[
    "UserAuthMethod-TAP.Read.All",
    "UserAuthMethod-TAP.ReadWrite.All",
];
const TAP_WRITE: &[&str] = &["UserAuthMethod-TAP.ReadWrite.All"];
const PASSKEY_READ: &[&str] = &[
    "UserAuthMethod-Passkey.Read.All",
    "UserAuthMethod-Passkey.ReadWrite.All",
];
const PASSKEY_WRITE: &[&str] = &["UserAuthMethod-Passkey.ReadWrite.All"];
const POLICY_READ: &[&str] = &["Policy.Read.All", "Policy.ReadWrite.AuthenticationMethod"];
const POLICY_WRITE: &[&str] = &["Policy.ReadWrite.AuthenticationMethod"];

/// The sandbox's authenticator model (its AAGUID is fixed so tests can recognise it).
pub const SANDBOX_AAGUID: &str = "6d67726e-7361-6e64-626f-786b65790001";
const SANDBOX_MODEL: &str = "MgGraph Sandbox Passkey";

/// Which permissions a call needs: reads or writes, with per-method granular permissions.
fn check(ctx: &Ctx, user_id: &str, write: bool, granular: &[&str]) -> Result<(), GraphErr> {
    let on_self = ctx.principal.user_id.as_deref() == Some(user_id);
    let mut wanted: Vec<&str> = match (on_self, write) {
        (true, false) => READ_SELF.to_vec(),
        (true, true) => WRITE_SELF.to_vec(),
        (false, false) => READ_ALL.to_vec(),
        (false, true) => WRITE_ALL.to_vec(),
    };
    wanted.extend_from_slice(granular);
    let mut roles = AUTH_ADMIN_ROLES.to_vec();
    if !write {
        roles.push("Global Reader");
    }
    ctx.require(&wanted, &roles, Some(user_id))
}

/// The user key as `@odata.context` shows it: URL-encoded when it is a UPN.
fn context_key(key: &str) -> String {
    key.replace('@', "%40")
}

fn tap_json(t: &Tap, allowed: bool, with_value: bool) -> Map<String, Value> {
    let (usable, reason) = tap_usability(t, allowed, Utc::now());
    let v = json!({
        "@odata.type": "#microsoft.graph.temporaryAccessPassAuthenticationMethod",
        "id": t.id,
        "temporaryAccessPass": if with_value { json!(t.pass) } else { Value::Null },
        "createdDateTime": format_timestamp(t.created, Precision::Ticks),
        "startDateTime": format_timestamp(t.start, Precision::Ticks),
        "lifetimeInMinutes": t.lifetime_minutes,
        "isUsableOnce": t.usable_once,
        "isUsable": usable,
        "methodUsabilityReason": reason,
    });
    v.as_object().cloned().unwrap_or_default()
}

fn fido2_json(f: &Fido2) -> Map<String, Value> {
    let v = json!({
        "@odata.type": "#microsoft.graph.fido2AuthenticationMethod",
        "id": f.id,
        "displayName": f.display_name,
        "createdDateTime": format_timestamp(f.created, Precision::Ticks),
        "aaGuid": f.aa_guid,
        "model": f.model,
        "attestationCertificates": [],
        "attestationLevel": "notAttested",
        "passkeyType": "deviceBound",
    });
    v.as_object().cloned().unwrap_or_default()
}

fn password_json(u: &User) -> Map<String, Value> {
    let v = json!({
        "@odata.type": "#microsoft.graph.passwordAuthenticationMethod",
        "id": PASSWORD_METHOD_ID,
        "password": null,
        "createdDateTime": format_timestamp(u.created, Precision::Ticks),
    });
    v.as_object().cloned().unwrap_or_default()
}

fn all_methods(tenant: &Tenant, user: &User) -> Vec<Map<String, Value>> {
    let allowed = tenant.method_enabled_for("TemporaryAccessPass", user.id());
    let mut out = vec![password_json(user)];
    if let Some(t) = &user.tap {
        out.push(tap_json(t, allowed, false));
    }
    out.extend(user.fido2.iter().map(fido2_json));
    // The kinds kept in the generic store (phone, Authenticator, email, OATH, Windows Hello).
    let path = EntityPath::set_item("users", user.id()).child("authentication", None);
    if let Some(auth) = tenant.store.get(&path) {
        let mut kinds: Vec<_> = auth.nav.iter().collect();
        kinds.sort_by(|a, b| a.0.cmp(b.0));
        for (nav, held) in kinds {
            let Nav::Many(items) = held else { continue };
            if !nav.ends_with("Methods") || HAND_WRITTEN.contains(&nav.as_str()) {
                continue;
            }
            for m in items.values() {
                let mut o = Map::new();
                o.insert("@odata.type".into(), json!(format!("#{}", m.ty)));
                o.extend(m.object.clone());
                out.push(o);
            }
        }
    }
    out
}

/// The method kinds this module keeps itself (the store's copies, if any, are not listed).
const HAND_WRITTEN: &[&str] = &[
    "passwordMethods",
    "temporaryAccessPassMethods",
    "fido2Methods",
];

pub fn route(ctx: &Ctx, method: &Method, key: &str, rest: &[&str], body: &[u8]) -> Handled {
    let user_id = ctx
        .state
        .tenant()
        .user_id(key)
        .ok_or_else(|| GraphErr::not_found(key))?;
    let base = format!("users('{}')/authentication", context_key(key));
    match (method, rest) {
        (&Method::GET, ["methods"]) => {
            check(ctx, &user_id, false, &[])?;
            let tenant = ctx.state.tenant();
            let user = &tenant.users[&user_id];
            let items = all_methods(&tenant, user)
                .into_iter()
                .map(Value::Object)
                .collect();
            drop(tenant);
            collection(ctx, &format!("{base}/methods"), items, None)
        }
        (&Method::GET, ["methods", id]) => {
            check(ctx, &user_id, false, &[])?;
            let tenant = ctx.state.tenant();
            let user = &tenant.users[&user_id];
            let found = all_methods(&tenant, user)
                .into_iter()
                .find(|m| m.get("id").and_then(Value::as_str) == Some(*id))
                .ok_or_else(|| GraphErr::not_found(id))?;
            Ok(entity(
                ctx,
                &format!("{base}/methods/$entity"),
                found,
                StatusCode::OK,
            ))
        }
        (&Method::GET, ["passwordMethods"]) => {
            check(ctx, &user_id, false, &[])?;
            let tenant = ctx.state.tenant();
            let items = vec![Value::Object(password_json(&tenant.users[&user_id]))];
            drop(tenant);
            collection(ctx, &format!("{base}/passwordMethods"), items, None)
        }
        (&Method::GET, ["passwordMethods", id]) => {
            check(ctx, &user_id, false, &[])?;
            if !id.eq_ignore_ascii_case(PASSWORD_METHOD_ID) {
                return Err(GraphErr::not_found(id));
            }
            let body = ctx
                .state
                .tenant()
                .users
                .get(&user_id)
                .map(password_json)
                .ok_or_else(|| GraphErr::not_found(key))?;
            Ok(entity(
                ctx,
                &format!("{base}/passwordMethods/$entity"),
                body,
                StatusCode::OK,
            ))
        }
        (_, ["passwordMethods", ..]) => Err(GraphErr::method_not_allowed()),
        (&Method::POST, ["methods", id, "resetPassword"]) => {
            check(ctx, &user_id, true, &[])?;
            super::password_reset::reset(ctx, &user_id, key, id, body)
        }
        (&Method::GET, ["temporaryAccessPassMethods"]) => {
            check(ctx, &user_id, false, TAP_READ)?;
            let tenant = ctx.state.tenant();
            let allowed = tenant.method_enabled_for("TemporaryAccessPass", &user_id);
            let items = tenant.users[&user_id]
                .tap
                .iter()
                .map(|t| {
                    let mut m = tap_json(t, allowed, false);
                    // The documented list shape omits @odata.type.
                    m.remove("@odata.type");
                    Value::Object(m)
                })
                .collect();
            drop(tenant);
            collection(
                ctx,
                &format!("{base}/temporaryAccessPassMethods"),
                items,
                None,
            )
        }
        (&Method::POST, ["temporaryAccessPassMethods"]) => create_tap(ctx, &user_id, &base, body),
        (&Method::GET, ["temporaryAccessPassMethods", id]) => {
            check(ctx, &user_id, false, TAP_READ)?;
            let tenant = ctx.state.tenant();
            let allowed = tenant.method_enabled_for("TemporaryAccessPass", &user_id);
            let tap = tenant.users[&user_id]
                .tap
                .as_ref()
                .filter(|t| t.id == *id)
                .ok_or_else(|| GraphErr::not_found(id))?;
            let body = tap_json(tap, allowed, false);
            Ok(entity(
                ctx,
                &format!("{base}/temporaryAccessPassMethods/$entity"),
                body,
                StatusCode::OK,
            ))
        }
        (&Method::DELETE, ["temporaryAccessPassMethods", id]) => {
            check(ctx, &user_id, true, TAP_WRITE)?;
            let mut tenant = ctx.state.tenant_mut();
            let user = tenant
                .users
                .get_mut(&user_id)
                .ok_or_else(|| GraphErr::not_found(key))?;
            if user.tap.as_ref().map(|t| t.id == *id) != Some(true) {
                return Err(GraphErr::not_found(id));
            }
            user.tap = None;
            Ok(no_content())
        }
        (_, ["temporaryAccessPassMethods", ..]) => Err(GraphErr::method_not_allowed()),
        (&Method::GET, ["fido2Methods"]) => {
            check(ctx, &user_id, false, PASSKEY_READ)?;
            let tenant = ctx.state.tenant();
            let items = tenant.users[&user_id]
                .fido2
                .iter()
                .map(|f| Value::Object(fido2_json(f)))
                .collect();
            drop(tenant);
            collection(ctx, &format!("{base}/fido2Methods"), items, None)
        }
        (&Method::POST, ["fido2Methods"]) if ctx.ver == Ver::Beta => {
            register_passkey(ctx, &user_id, &base, body)
        }
        (&Method::GET, ["fido2Methods", id]) => {
            check(ctx, &user_id, false, PASSKEY_READ)?;
            let tenant = ctx.state.tenant();
            let f = tenant.users[&user_id]
                .fido2
                .iter()
                .find(|f| f.id == *id)
                .ok_or_else(|| GraphErr::not_found(id))?;
            let body = fido2_json(f);
            Ok(entity(
                ctx,
                &format!("{base}/fido2Methods/$entity"),
                body,
                StatusCode::OK,
            ))
        }
        (&Method::DELETE, ["fido2Methods", id]) => {
            check(ctx, &user_id, true, PASSKEY_WRITE)?;
            let mut tenant = ctx.state.tenant_mut();
            let user = tenant
                .users
                .get_mut(&user_id)
                .ok_or_else(|| GraphErr::not_found(key))?;
            let before = user.fido2.len();
            user.fido2.retain(|f| f.id != *id);
            if user.fido2.len() == before {
                return Err(GraphErr::not_found(id));
            }
            Ok(no_content())
        }
        (_, ["fido2Methods", ..]) => Err(GraphErr::method_not_allowed()),
        (_, ["requirements"]) if ctx.ver == Ver::V1 => {
            Err(GraphErr::segment_not_found("requirements"))
        }
        (&Method::GET, ["requirements"]) => {
            ctx.require(
                POLICY_READ,
                &[
                    "Global Administrator",
                    "Authentication Policy Administrator",
                    "Global Reader",
                ],
                Some(&user_id),
            )?;
            let state = ctx.state.tenant().users[&user_id].per_user_mfa.clone();
            let body = json!({"perUserMfaState": state})
                .as_object()
                .cloned()
                .unwrap_or_default();
            Ok(entity(
                ctx,
                &format!("{base}/requirements"),
                body,
                StatusCode::OK,
            ))
        }
        (&Method::PATCH, ["requirements"]) => {
            ctx.require(POLICY_WRITE, POLICY_ADMIN_ROLES, Some(&user_id))?;
            let body = body_object(body)?;
            let mut new_state = None;
            for (k, v) in &body {
                if k.eq_ignore_ascii_case("perUserMfaState") {
                    let s = v.as_str().unwrap_or_default();
                    if !["disabled", "enabled", "enforced"].contains(&s) {
                        return Err(GraphErr::bad_request(format!(
                            "Cannot convert the literal '{}' to the expected type 'microsoft.graph.perUserMfaState'.",
                            v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string())
                        )));
                    }
                    new_state = Some(s.to_string());
                } else if !k.starts_with("@odata.") {
                    return Err(GraphErr::bad_request(format!("Invalid property '{k}'.")));
                }
            }
            if let Some(s) = new_state {
                if let Some(u) = ctx.state.tenant_mut().users.get_mut(&user_id) {
                    u.per_user_mfa = s;
                }
            }
            Ok(no_content())
        }
        (_, ["requirements"]) => Err(GraphErr::method_not_allowed()),
        (_, [first, ..]) => Err(GraphErr::segment_not_found(first)),
        (_, []) => Err(GraphErr::segment_not_found("authentication")),
    }
}

fn entity(
    ctx: &Ctx,
    context: &str,
    body: Map<String, Value>,
    status: StatusCode,
) -> axum::response::Response {
    let mut out = Map::new();
    out.insert("@odata.context".into(), json!(ctx.context(context)));
    out.extend(body);
    json(status, &Value::Object(out))
}

fn parse_time(v: &Value) -> Result<DateTime<Utc>, GraphErr> {
    let bad = || {
        GraphErr::auth_methods(format!(
            "Cannot convert the literal '{}' to the expected type 'Edm.DateTimeOffset'.",
            v.as_str()
                .map(str::to_string)
                .unwrap_or_else(|| v.to_string())
        ))
    };
    v.as_str()
        .and_then(crate::sandbox::state::parse_timestamp)
        .ok_or_else(bad)
}

fn create_tap(ctx: &Ctx, user_id: &str, base: &str, body: &[u8]) -> Handled {
    check(ctx, user_id, true, TAP_WRITE)?;
    let body = body_object(body)?;
    let mut start = None;
    let mut lifetime = None;
    let mut once = None;
    for (k, v) in &body {
        match k.to_ascii_lowercase().as_str() {
            "startdatetime" => start = Some(parse_time(v)?),
            "lifetimeinminutes" => {
                lifetime = Some(v.as_i64().ok_or_else(|| {
                    GraphErr::auth_methods(format!(
                        "Cannot convert the literal '{v}' to the expected type 'Edm.Int32'."
                    ))
                })?)
            }
            "isusableonce" => {
                once = Some(v.as_bool().ok_or_else(|| {
                    GraphErr::auth_methods(format!(
                        "Cannot convert the literal '{v}' to the expected type 'Edm.Boolean'."
                    ))
                })?)
            }
            _ if k.starts_with("@odata.") => {}
            // Read-only properties the SDK's expanded set can send as null.
            "id"
            | "createddatetime"
            | "isusable"
            | "methodusabilityreason"
            | "temporaryaccesspass"
                if v.is_null() => {}
            _ => return Err(GraphErr::auth_methods(format!("Invalid property '{k}'."))),
        }
    }
    let mut tenant = ctx.state.tenant_mut();
    let user = &tenant.users[user_id];
    let external_guest = user.object.get("userType").and_then(Value::as_str) == Some("Guest")
        && user
            .object
            .get("externalUserState")
            .is_some_and(|s| !s.is_null());
    if external_guest {
        return Err(GraphErr::auth_methods(
            "Temporary Access Pass cannot be added to an external guest user.",
        ));
    }
    if ctx.principal.user_id.as_deref() == Some(user_id) {
        return Err(GraphErr::new(
            StatusCode::FORBIDDEN,
            "accessDenied",
            "Administrators cannot create a Temporary Access Pass for themselves.",
        ));
    }
    if !tenant.method_enabled_for("TemporaryAccessPass", user_id) {
        return Err(GraphErr::auth_methods(
            "Converged UserCredentialPolicy does not allow creating or updating this authentication method. AuthMethodType [TemporaryAccessPass].",
        ));
    }
    let policy = TapPolicy::from_config(&tenant.method_configs["TemporaryAccessPass"]);
    let once = once.unwrap_or(policy.usable_once);
    if policy.usable_once && !once {
        return Err(GraphErr::auth_methods(
            "The Temporary Access Pass policy only allows one-time passes: isUsableOnce must be true.",
        ));
    }
    let lifetime = lifetime.unwrap_or(policy.default_lifetime);
    if lifetime < policy.min_lifetime || lifetime > policy.max_lifetime {
        return Err(GraphErr::auth_methods(format!(
            "Invalid LifetimeInMinutes specified. The valid range between {} and {}.",
            policy.min_lifetime, policy.max_lifetime
        )));
    }
    let now = Utc::now();
    if let Some(s) = start {
        let skew = chrono::Duration::from_std(ctx.state.config.tap_start_skew).unwrap_or_default();
        if s < now - skew {
            return Err(GraphErr::auth_methods(
                "Invalid StartDateTime specified. It can not be a time in the past.",
            ));
        }
    }
    let tap = Tap {
        id: new_id(),
        pass: generate_pass(policy.default_length),
        created: now,
        start: start.unwrap_or(now),
        lifetime_minutes: lifetime,
        usable_once: once,
        used: false,
    };
    let response = tap_json(&tap, true, true);
    // One pass per user: a new pass replaces the old one.
    if let Some(u) = tenant.users.get_mut(user_id) {
        u.tap = Some(tap);
    }
    drop(tenant);
    ctx.state
        .traffic
        .taps_issued
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    Ok(entity(
        ctx,
        &format!("{base}/temporaryAccessPassMethods/$entity"),
        response,
        StatusCode::CREATED,
    ))
}

/// Beta passkey registration: `POST .../fido2Methods` with a WebAuthn credential. The sandbox
/// checks the credential's shape, not its attestation.
fn register_passkey(ctx: &Ctx, user_id: &str, base: &str, body: &[u8]) -> Handled {
    check(ctx, user_id, true, PASSKEY_WRITE)?;
    let body = body_object(body)?;
    let display_name = crate::json::get_ci(&body, "displayName")
        .and_then(Value::as_str)
        .unwrap_or("Passkey")
        .to_string();
    let cred = crate::json::get_ci(&body, "publicKeyCredential")
        .and_then(Value::as_object)
        .ok_or_else(|| {
            GraphErr::bad_request("The request body must contain 'publicKeyCredential'.")
        })?;
    let id = cred
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let response = cred.get("response").and_then(Value::as_object);
    let valid_b64 = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    };
    let ok = valid_b64(&id)
        && response
            .map(|r| {
                ["clientDataJSON", "attestationObject"].iter().all(|k| {
                    r.get(*k)
                        .and_then(Value::as_str)
                        .map(valid_b64)
                        .unwrap_or(false)
                })
            })
            .unwrap_or(false);
    if !ok {
        return Err(GraphErr::bad_request(
            "publicKeyCredential must carry a base64url 'id' and a 'response' with base64url 'clientDataJSON' and 'attestationObject'.",
        ));
    }
    let mut tenant = ctx.state.tenant_mut();
    if !tenant.method_enabled_for("Fido2", user_id) {
        return Err(GraphErr::auth_methods(
            "Converged UserCredentialPolicy does not allow creating or updating this authentication method. AuthMethodType [Fido2].",
        ));
    }
    let user = tenant
        .users
        .get_mut(user_id)
        .ok_or_else(|| GraphErr::not_found(user_id))?;
    if user.fido2.iter().any(|f| f.id == id) {
        return Err(GraphErr::bad_request(
            "A passkey with this credential id is already registered.",
        ));
    }
    let f = Fido2 {
        id: if id.is_empty() {
            random_credential_id()
        } else {
            id
        },
        display_name,
        created: Utc::now(),
        aa_guid: SANDBOX_AAGUID.into(),
        model: SANDBOX_MODEL.into(),
    };
    let out = fido2_json(&f);
    user.fido2.push(f);
    drop(tenant);
    Ok(entity(
        ctx,
        &format!("{base}/fido2Methods/$entity"),
        out,
        StatusCode::CREATED,
    ))
}
