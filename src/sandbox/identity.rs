//! The identity platform's v2.0 endpoints: `/{tenant}/oauth2/v2.0/{token,authorize}`.
//!
//! Errors follow Entra's shape (`error`, `error_description` starting with the AADSTS code,
//! `error_codes`, `timestamp`, `trace_id`, `correlation_id`).

use axum::body::Body;
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, Method, Response, StatusCode};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::time::{Duration, Instant};

use super::state::GRAPH_CLI_APP_ID;
use super::tokens::Principal;
use super::{AppState, AuthCode, RefreshGrant, RequestIds};

/// Grant type of the sandbox's stand-in for "a user signs in with a Temporary Access Pass"
/// (what the seed's user does in a browser). Not an Entra grant.
pub const TAP_GRANT: &str = crate::emulator::TAP_GRANT;

/// RFC 8628's grant type.
pub const DEVICE_CODE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// An identity-platform error.
#[derive(Debug, Clone)]
pub struct AadError {
    pub status: StatusCode,
    pub error: &'static str,
    pub code: u32,
    pub description: String,
}

impl AadError {
    fn new(
        status: StatusCode,
        error: &'static str,
        code: u32,
        description: impl Into<String>,
    ) -> AadError {
        AadError {
            status,
            error,
            code,
            description: description.into(),
        }
    }

    fn response(&self, ids: &RequestIds) -> Response<Body> {
        let ts = chrono::Utc::now().format("%Y-%m-%d %H:%M:%SZ").to_string();
        let body = json!({
            "error": self.error,
            "error_description": format!(
                "AADSTS{}: {}\r\nTrace ID: {}\r\nCorrelation ID: {}\r\nTimestamp: {}",
                self.code, self.description, ids.request_id, ids.client_request_id, ts
            ),
            "error_codes": [self.code],
            "timestamp": ts,
            "trace_id": ids.request_id,
            "correlation_id": ids.client_request_id,
            "error_uri": format!("https://login.microsoftonline.com/error?code={}", self.code),
        });
        json_response(self.status, &body)
    }
}

fn json_response(status: StatusCode, body: &Value) -> Response<Body> {
    let mut r = Response::new(Body::from(body.to_string()));
    *r.status_mut() = status;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    r
}

fn form(body: &[u8]) -> HashMap<String, String> {
    url::form_urlencoded::parse(body)
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

pub async fn handle(
    state: &AppState,
    parts: &Parts,
    body: &[u8],
    ids: &RequestIds,
) -> Response<Body> {
    let segments: Vec<&str> = parts.uri.path().trim_matches('/').split('/').collect();
    // {tenant}/oauth2/v2.0/{endpoint}[/...]
    let (Some(tenant), Some(&"oauth2"), Some(&"v2.0"), Some(endpoint)) = (
        segments.first(),
        segments.get(1),
        segments.get(2),
        segments.get(3),
    ) else {
        return AadError::new(
            StatusCode::NOT_FOUND,
            "invalid_request",
            900561,
            "The endpoint only accepts POST requests.",
        )
        .response(ids);
    };
    if let Err(e) = check_tenant(state, tenant) {
        return e.response(ids);
    }
    let result = match (*endpoint, &parts.method) {
        ("token", &Method::POST) => token(state, parts, body),
        ("devicecode", &Method::POST) => device_code(state, body),
        ("authorize", &Method::GET) => {
            let query = form(parts.uri.query().unwrap_or_default().as_bytes());
            authorize(state, &query, None)
        }
        ("authorize", &Method::POST) => {
            // The sign-in form posts the user's choice along with the original query.
            let mut fields = form(parts.uri.query().unwrap_or_default().as_bytes());
            fields.extend(form(body));
            // The form's account, else the login_hint, else the administrator.
            let login = fields
                .get("login")
                .filter(|l| !l.trim().is_empty())
                .or_else(|| fields.get("login_hint"))
                .cloned()
                .unwrap_or_else(|| state.tenant_now().admin_id.clone());
            authorize(state, &fields, Some(login))
        }
        _ => Err(AadError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "invalid_request",
            900561,
            "The endpoint only accepts POST requests.",
        )),
    };
    match result {
        Ok(r) => r,
        Err(e) => e.response(ids),
    }
}

fn check_tenant(state: &AppState, tenant: &str) -> Result<(), AadError> {
    let t = state.tenant_now();
    let known = tenant.eq_ignore_ascii_case(&t.id)
        || tenant.eq_ignore_ascii_case(&t.domain)
        || ["common", "organizations"].contains(&tenant.to_ascii_lowercase().as_str());
    if known {
        Ok(())
    } else {
        Err(AadError::new(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            90002,
            format!(
                "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant."
            ),
        ))
    }
}

/// Whether a scope string names Graph (`https://graph.microsoft.com/x`, the sandbox's own
/// URL, or Graph's app id); returns the short permission name.
fn graph_scope<'a>(state: &AppState, scope: &'a str) -> Option<&'a str> {
    let short = crate::catalog::permissions::scope_name(scope);
    if short.len() < scope.len() {
        return Some(short);
    }
    scope
        .strip_prefix(state.base_url.as_str())
        .map(|rest| rest.trim_start_matches('/'))
}

const OIDC_SCOPES: &[&str] = &["openid", "profile", "offline_access", "email"];

/// Delegated permissions for requested scopes (short names; `.default` → the CLI's defaults).
fn delegated_permissions(state: &AppState, scopes: &[String]) -> Vec<String> {
    let mut out: Vec<String> = vec![];
    for s in scopes {
        if OIDC_SCOPES.contains(&s.to_ascii_lowercase().as_str()) {
            continue;
        }
        let short = graph_scope(state, s).unwrap_or(s).to_string();
        if short == ".default" {
            out.push("User.Read".into());
        } else if !short.is_empty() {
            out.push(short);
        }
    }
    if out.is_empty() {
        out.push("User.Read".into());
    }
    out.dedup();
    out
}

fn client_secret(
    parts: &Parts,
    fields: &HashMap<String, String>,
) -> (Option<String>, Option<String>) {
    // HTTP Basic client authentication (RFC 6749 §2.3.1) is accepted as well.
    if let Some(auth) = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
    {
        if let Some((id, secret)) = STANDARD
            .decode(auth)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .and_then(|s| {
                s.split_once(':')
                    .map(|(a, b)| (a.to_string(), b.to_string()))
            })
        {
            let decode = |s: &str| {
                percent_encoding::percent_decode_str(s)
                    .decode_utf8_lossy()
                    .to_string()
            };
            return (Some(decode(&id)), Some(decode(&secret)));
        }
    }
    (
        fields.get("client_id").cloned(),
        fields.get("client_secret").cloned(),
    )
}

fn missing(param: &str) -> AadError {
    AadError::new(
        StatusCode::BAD_REQUEST,
        "invalid_request",
        900144,
        format!("The request body must contain the following parameter: '{param}'."),
    )
}

fn token(state: &AppState, parts: &Parts, body: &[u8]) -> Result<Response<Body>, AadError> {
    let fields = form(body);
    let grant = fields
        .get("grant_type")
        .ok_or_else(|| missing("grant_type"))?
        .clone();
    let (client_id, secret) = client_secret(parts, &fields);
    let client_id = client_id.ok_or_else(|| missing("client_id"))?;
    let tenant = state.sign_in_tenant(&client_id, None);
    let tenant_id = tenant.id.clone();
    let app = tenant.app(&client_id).cloned().ok_or_else(|| {
        AadError::new(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            700016,
            format!(
                "Application with identifier '{client_id}' was not found in the directory '{}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.",
                tenant.display_name
            ),
        )
    })?;
    drop(tenant);
    let lifetime = state.config.token_lifetime.as_secs() as i64;
    let scopes: Vec<String> = fields
        .get("scope")
        .map(|s| s.split_whitespace().map(str::to_string).collect())
        .unwrap_or_default();

    match grant.as_str() {
        "client_credentials" => {
            if app.public_client {
                return Err(AadError::new(
                    StatusCode::UNAUTHORIZED,
                    "invalid_client",
                    7000218,
                    "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
                ));
            }
            let assertion = fields.get("client_assertion");
            match (assertion, secret) {
                (Some(assertion), _) => {
                    if fields.get("client_assertion_type").map(String::as_str) != Some(super::assertion::JWT_BEARER) {
                        return Err(AadError::new(
                            StatusCode::BAD_REQUEST,
                            "invalid_request",
                            50027,
                            format!("client_assertion_type must be '{}'.", super::assertion::JWT_BEARER),
                        ));
                    }
                    // The audience is this token endpoint, under whatever tenant name the
                    // client used.
                    let path = parts.uri.path();
                    let audiences = vec![format!("{}{}", state.base_url, path), format!("https://login.microsoftonline.com{path}")];
                    super::assertion::verify(assertion, &client_id, &audiences, &app.certificates)
                        .map_err(|(code, text)| AadError::new(StatusCode::UNAUTHORIZED, "invalid_client", code, text))?;
                }
                (None, None) => {
                    return Err(AadError::new(
                        StatusCode::UNAUTHORIZED,
                        "invalid_client",
                        7000218,
                        "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
                    ))
                }
                (None, Some(s)) if !app.secrets.iter().any(|known| constant_time_eq(known, &s)) => {
                    return Err(AadError::new(
                        StatusCode::UNAUTHORIZED,
                        "invalid_client",
                        7000215,
                        format!(
                            "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{client_id}'."
                        ),
                    ))
                }
                (None, Some(_)) => {}
            }
            let scope = scopes.first().cloned().unwrap_or_default();
            let valid = scopes.len() == 1 && graph_scope(state, &scope) == Some(".default");
            if !valid {
                return Err(AadError::new(
                    StatusCode::BAD_REQUEST,
                    "invalid_scope",
                    1002012,
                    format!(
                        "The provided value for scope {scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI)."
                    ),
                ));
            }
            let principal = Principal {
                tenant_id,
                app_id: app.client_id.clone(),
                user_id: None,
                permissions: app.roles.clone(),
            };
            let access = state.signer.issue(
                &principal,
                lifetime,
                json!({"app_displayname": app.display_name}),
            );
            Ok(json_response(
                StatusCode::OK,
                &json!({"token_type": "Bearer", "expires_in": lifetime, "ext_expires_in": lifetime, "access_token": access}),
            ))
        }
        "authorization_code" => {
            let code = fields.get("code").ok_or_else(|| missing("code"))?;
            let grant = {
                let mut codes = state.codes.lock().unwrap_or_else(|p| p.into_inner());
                codes.remove(code)
            };
            let invalid = |msg: &str| {
                AadError::new(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    70008,
                    msg.to_string(),
                )
            };
            let grant = grant.ok_or_else(|| {
                invalid("The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.")
            })?;
            if grant.expires < Instant::now() || !grant.client_id.eq_ignore_ascii_case(&client_id) {
                return Err(invalid("The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource."));
            }
            if fields.get("redirect_uri") != Some(&grant.redirect_uri) {
                return Err(AadError::new(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    50011,
                    "The redirect URI specified in the request does not match the redirect URI used to request the authorization code.",
                ));
            }
            if let Some(challenge) = &grant.code_challenge {
                let verifier = fields
                    .get("code_verifier")
                    .ok_or_else(|| missing("code_verifier"))?;
                let computed = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
                if &computed != challenge {
                    return Err(AadError::new(
                        StatusCode::BAD_REQUEST,
                        "invalid_grant",
                        501481,
                        "The Code_Verifier does not match the code_challenge supplied in the authorization request.",
                    ));
                }
            }
            delegated_tokens(
                state,
                &client_id,
                &grant.user_id,
                &grant.scopes,
                grant.consent,
            )
        }
        "refresh_token" => {
            let rt = fields
                .get("refresh_token")
                .ok_or_else(|| missing("refresh_token"))?;
            let grant = state
                .refresh_tokens
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .get(rt)
                .cloned()
                .ok_or_else(|| {
                    AadError::new(
                        StatusCode::BAD_REQUEST,
                        "invalid_grant",
                        70000,
                        "The provided grant is invalid or malformed.",
                    )
                })?;
            if !grant.client_id.eq_ignore_ascii_case(&client_id) {
                return Err(AadError::new(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    70000,
                    "The refresh token was issued to a different client.",
                ));
            }
            if grant.expires <= Instant::now() {
                return Err(AadError::new(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    700082,
                    "The refresh token has expired due to inactivity. The token was issued on a date and was inactive for too long.",
                ));
            }
            if state
                .sign_in_tenant(&client_id, Some(&grant.user_id))
                .users
                .get(&grant.user_id)
                .is_none()
            {
                return Err(AadError::new(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    50034,
                    "The user account does not exist in the directory.",
                ));
            }
            delegated_tokens(
                state,
                &client_id,
                &grant.user_id,
                &grant.scopes,
                false, // a refresh is no consent: it records nothing
            )
        }
        TAP_GRANT => tap_sign_in(state, &client_id, &fields, &scopes),
        DEVICE_CODE_GRANT => device_code_token(state, &client_id, &fields),
        other => Err(AadError::new(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            70003,
            format!("The app requested an unsupported grant type '{other}'."),
        )),
    }
}

/// Access, refresh and id tokens for a user; refused (AADSTS65001, the identity platform's
/// "The user or administrator has not consented to use the application ..." of its error-code
/// reference) when the user asks for permissions that need an administrator's consent nobody
/// gave and they cannot give (see [`super::authz::consent`]).
/// `consent`: whether what this sign-in asked for is recorded as the user's consent
/// ([`super::CONSENT_PARAM`]).
fn delegated_tokens(
    state: &AppState,
    client_id: &str,
    user_id: &str,
    scopes: &[String],
    consent: bool,
) -> Result<Response<Body>, AadError> {
    let lifetime = state.config.token_lifetime.as_secs() as i64;
    let tenant = state.sign_in_tenant(client_id, Some(user_id));
    let wanted = delegated_permissions(state, scopes);
    if let Err(refused) = super::authz::consent(&tenant, client_id, user_id, &wanted) {
        let app_name = tenant
            .app(client_id)
            .map(|a| a.display_name.clone())
            .unwrap_or_default();
        return Err(AadError::new(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            65001,
            format!(
                "The user or administrator has not consented to use the application with ID '{client_id}' named '{app_name}'. Send an interactive authorization request for this user and resource. (Permissions that require an administrator's consent: {}.)",
                refused.permissions.join(", ")
            ),
        ));
    }
    // The token carries what the user consented to before as well (Graph's consent records),
    // as the identity platform's do; what this sign-in consented to is recorded below.
    let granted: Vec<String> = super::authz::granted(&tenant, client_id, user_id)
        .into_iter()
        .chain(state.pending_consent(client_id, user_id))
        .filter(|s| !OIDC_SCOPES.contains(&s.to_ascii_lowercase().as_str()))
        .collect();
    let mut permissions = wanted.clone();
    for s in &granted {
        if !permissions.iter().any(|p| p.eq_ignore_ascii_case(s)) {
            permissions.push(s.clone());
        }
    }
    let new_consent = wanted
        .iter()
        .any(|w| !granted.iter().any(|g| g.eq_ignore_ascii_case(w)));
    let user = tenant.users.get(user_id);
    let upn = user.map(|u| u.upn().to_string()).unwrap_or_default();
    let name = user
        .and_then(|u| u.object.get("displayName").and_then(Value::as_str))
        .unwrap_or_default()
        .to_string();
    let principal = Principal {
        tenant_id: tenant.id.clone(),
        app_id: client_id.to_string(),
        user_id: Some(user_id.to_string()),
        permissions,
    };
    drop(tenant);
    if consent && new_consent {
        state.record_consent(client_id, user_id, &wanted);
    }
    let access = state.signer.issue(
        &principal,
        lifetime,
        json!({"upn": upn, "unique_name": upn, "name": name}),
    );
    let granted = principal.permissions.join(" ");
    let mut body = json!({
        "token_type": "Bearer",
        "scope": format!("{granted} openid profile"),
        "expires_in": lifetime,
        "ext_expires_in": lifetime,
        "access_token": access,
    });
    let wants = |s: &str| scopes.iter().any(|x| x.eq_ignore_ascii_case(s));
    if wants("offline_access") {
        let rt = format!("0.sandbox.{}", super::state::random_secret(48));
        state
            .refresh_tokens
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(
                rt.clone(),
                RefreshGrant {
                    client_id: client_id.to_string(),
                    user_id: user_id.to_string(),
                    scopes: scopes.to_vec(),
                    expires: Instant::now() + state.config.refresh_token_lifetime,
                },
            );
        body["refresh_token"] = json!(rt);
    }
    if wants("openid") {
        let id_claims = json!({
            "aud": client_id, "tid": principal.tenant_id, "oid": user_id,
            "preferred_username": upn, "name": name,
            "iss": format!("https://login.microsoftonline.com/{}/v2.0", principal.tenant_id),
        });
        body["id_token"] = json!(format!(
            "{}.{}.",
            URL_SAFE_NO_PAD.encode(br#"{"typ":"JWT","alg":"none"}"#),
            URL_SAFE_NO_PAD.encode(id_claims.to_string())
        ));
    }
    Ok(json_response(StatusCode::OK, &body))
}

fn tap_sign_in(
    state: &AppState,
    client_id: &str,
    fields: &HashMap<String, String>,
    scopes: &[String],
) -> Result<Response<Body>, AadError> {
    let username = fields.get("username").ok_or_else(|| missing("username"))?;
    let pass = fields
        .get("temporary_access_pass")
        .ok_or_else(|| missing("temporary_access_pass"))?;
    let user_id = {
        let mut tenant = state.tenant_mut();
        let user_id = tenant.user_id(username).ok_or_else(|| {
            AadError::new(
                StatusCode::BAD_REQUEST,
                "invalid_grant",
                50034,
                format!("The user account {username} does not exist in the {} directory. To sign into this application, the account must be added to the directory.", tenant.domain),
            )
        })?;
        let allowed = tenant.method_enabled_for("TemporaryAccessPass", &user_id);
        let user = tenant
            .users
            .get_mut(&user_id)
            .ok_or_else(|| missing("username"))?;
        let tap = user.tap.as_mut().ok_or_else(|| {
            AadError::new(
                StatusCode::BAD_REQUEST,
                "invalid_grant",
                130500,
                "The user has no Temporary Access Pass.",
            )
        })?;
        if !constant_time_eq(&tap.pass, pass) {
            return Err(AadError::new(
                StatusCode::BAD_REQUEST,
                "invalid_grant",
                130501,
                "The Temporary Access Pass is incorrect.",
            ));
        }
        let (usable, reason) = super::state::tap_usability(tap, allowed, chrono::Utc::now());
        if !usable {
            let (code, text) = match reason {
                "NotYetValid" => (130502, "The Temporary Access Pass is not valid yet."),
                "Expired" => (130503, "The Temporary Access Pass has expired."),
                "OneTimeUsed" => (130504, "The Temporary Access Pass was for one use only and has been used."),
                _ => (130505, "Temporary Access Pass sign-in is disabled by the authentication methods policy for this user."),
            };
            return Err(AadError::new(
                StatusCode::BAD_REQUEST,
                "invalid_grant",
                code,
                text,
            ));
        }
        tap.used = true;
        user_id
    };
    let mut scopes = scopes.to_vec();
    if scopes.is_empty() {
        scopes.push("UserAuthenticationMethod.ReadWrite".into());
    }
    delegated_tokens(state, client_id, &user_id, &scopes, true)
}

fn constant_time_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn is_loopback_redirect(uri: &str) -> bool {
    url::Url::parse(uri)
        .map(|u| {
            u.scheme() == "http" && matches!(u.host_str(), Some("localhost") | Some("127.0.0.1"))
        })
        .unwrap_or(false)
}

/// `/authorize`: validates the request, then either shows a sign-in form or, when the user is
/// known (auto-approval, or the form's post), redirects back with a code.
fn authorize(
    state: &AppState,
    q: &HashMap<String, String>,
    login: Option<String>,
) -> Result<Response<Body>, AadError> {
    let client_id = q.get("client_id").ok_or_else(|| missing("client_id"))?;
    let redirect_uri = q
        .get("redirect_uri")
        .ok_or_else(|| missing("redirect_uri"))?;
    if q.get("response_type").map(String::as_str) != Some("code") {
        return Err(AadError::new(
            StatusCode::BAD_REQUEST,
            "unsupported_response_type",
            900144,
            "The request body must contain the following parameter: 'response_type'.",
        ));
    }
    // The account signing in, when known: the form's, else (auto-approval) the hint's, else
    // the administrator (None here: `sign_in_tenant` takes that as a built-in principal).
    let account = login.as_deref().or_else(|| {
        state
            .config
            .auto_approve
            .then(|| q.get("login_hint").map(String::as_str))
            .flatten()
    });
    let tenant = state.sign_in_tenant(client_id, account);
    if tenant.app(client_id).is_none() {
        return Err(AadError::new(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            700016,
            format!(
                "Application with identifier '{client_id}' was not found in the directory '{}'.",
                tenant.display_name
            ),
        ));
    }
    let public_cli = client_id.eq_ignore_ascii_case(GRAPH_CLI_APP_ID)
        || tenant
            .app(client_id)
            .map(|a| a.public_client)
            .unwrap_or(false);
    if !public_cli || !is_loopback_redirect(redirect_uri) {
        return Err(AadError::new(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            50011,
            format!("The redirect URI '{redirect_uri}' specified in the request does not match the redirect URIs configured for the application '{client_id}'."),
        ));
    }
    if let Some(method) = q.get("code_challenge_method") {
        if method != "S256" && method != "plain" {
            return Err(AadError::new(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                501491,
                "Invalid size of Code_Challenge parameter.",
            ));
        }
    }
    let hint = login.or_else(|| {
        state.config.auto_approve.then(|| {
            q.get("login_hint")
                .cloned()
                .unwrap_or_else(|| tenant.admin_id.clone())
        })
    });
    let Some(hint) = hint else {
        drop(tenant);
        return Ok(sign_in_page(q));
    };
    let user_id = tenant.user_id(&hint).ok_or_else(|| {
        AadError::new(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            50034,
            format!(
                "The user account {hint} does not exist in the {} directory.",
                tenant.domain
            ),
        )
    })?;
    drop(tenant);
    let code = format!("0.sandbox-code.{}", super::state::random_secret(40));
    let scopes = q
        .get("scope")
        .map(|s| s.split_whitespace().map(str::to_string).collect())
        .unwrap_or_default();
    state
        .codes
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(
            code.clone(),
            AuthCode {
                client_id: client_id.clone(),
                user_id,
                scopes,
                consent: q.get(super::CONSENT_PARAM).map(String::as_str) != Some("none"),
                redirect_uri: redirect_uri.clone(),
                code_challenge: q.get("code_challenge").cloned(),
                expires: Instant::now() + Duration::from_secs(600),
            },
        );
    let mut location = url::Url::parse(redirect_uri).map_err(|_| missing("redirect_uri"))?;
    location.query_pairs_mut().append_pair("code", &code);
    if let Some(s) = q.get("state") {
        location.query_pairs_mut().append_pair("state", s);
    }
    let mut r = Response::new(Body::empty());
    *r.status_mut() = StatusCode::FOUND;
    if let Ok(v) = HeaderValue::from_str(location.as_str()) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    Ok(r)
}

fn sign_in_page(q: &HashMap<String, String>) -> Response<Body> {
    let escape = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    let hint = q.get("login_hint").map(|s| escape(s)).unwrap_or_default();
    let html = format!(
        "<!doctype html><html><head><title>Sign in to the MgGraph sandbox</title></head><body>\
         <h1>MgGraph sandbox</h1><form method=\"post\"><label>Account <input name=\"login\" value=\"{hint}\"></label>\
         <button type=\"submit\">Sign in</button></form></body></html>"
    );
    let mut r = Response::new(Body::from(html));
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    r
}

/// `POST /{tenant}/oauth2/v2.0/devicecode`.
fn device_code(state: &AppState, body: &[u8]) -> Result<Response<Body>, AadError> {
    let fields = form(body);
    let client_id = fields
        .get("client_id")
        .ok_or_else(|| missing("client_id"))?;
    if state.tenant().app(client_id).map(|a| a.public_client) != Some(true) {
        return Err(AadError::new(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            700016,
            format!("Application with identifier '{client_id}' was not found in the directory, or is not a public client."),
        ));
    }
    let scopes: Vec<String> = fields
        .get("scope")
        .map(|s| s.split_whitespace().map(str::to_string).collect())
        .unwrap_or_default();
    let device_code = format!(
        "DAQABAAEAAA{}",
        super::state::random_secret(64).replace(['~', '.'], "-")
    );
    // Nine characters from an unambiguous alphabet, as Entra's codes look.
    let user_code: String = {
        use rand::Rng;
        const A: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        let mut rng = rand::thread_rng();
        (0..9)
            .map(|_| A[rng.gen_range(0..A.len())] as char)
            .collect()
    };
    let expires_in = state.config.device_code_expiry.as_secs();
    let interval = state.config.device_code_interval.as_secs();
    let verification_uri = format!("{}/devicelogin", state.base_url);
    state
        .device_codes
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(
            device_code.clone(),
            super::DeviceCode {
                user_code: user_code.clone(),
                client_id: client_id.clone(),
                scopes,
                expires: Instant::now() + state.config.device_code_expiry,
                approved: None,
                declined: false,
                slow_downs_left: state.config.device_code_slow_down,
            },
        );
    Ok(json_response(
        StatusCode::OK,
        &json!({
            "user_code": user_code,
            "device_code": device_code,
            "verification_uri": verification_uri,
            "expires_in": expires_in,
            "interval": interval,
            "message": format!("To sign in, use a web browser to open the page {verification_uri} and enter the code {user_code} to authenticate."),
        }),
    ))
}

/// The device-code grant at the token endpoint.
fn device_code_token(
    state: &AppState,
    client_id: &str,
    fields: &HashMap<String, String>,
) -> Result<Response<Body>, AadError> {
    let code = fields
        .get("device_code")
        .ok_or_else(|| missing("device_code"))?;
    let (user, scopes) = {
        let mut codes = state.device_codes.lock().unwrap_or_else(|p| p.into_inner());
        let Some(entry) = codes.get_mut(code) else {
            return Err(AadError::new(
                StatusCode::BAD_REQUEST,
                "bad_verification_code",
                70018,
                "The provided value for the input parameter 'device_code' is not valid.",
            ));
        };
        if !entry.client_id.eq_ignore_ascii_case(client_id) {
            return Err(AadError::new(
                StatusCode::BAD_REQUEST,
                "bad_verification_code",
                70018,
                "The device code was issued to another client.",
            ));
        }
        if entry.expires <= Instant::now() {
            codes.remove(code);
            return Err(AadError::new(
                StatusCode::BAD_REQUEST,
                "expired_token",
                70019,
                "Verification code expired.",
            ));
        }
        if entry.declined {
            codes.remove(code);
            return Err(AadError::new(
                StatusCode::BAD_REQUEST,
                "authorization_declined",
                70020,
                "The user declined the sign-in.",
            ));
        }
        if entry.slow_downs_left > 0 {
            entry.slow_downs_left -= 1;
            return Err(AadError::new(
                StatusCode::BAD_REQUEST,
                "slow_down",
                70016,
                "OAuth 2.0 device flow error. Polling too fast: slow down.",
            ));
        }
        let Some(user) = entry.approved.clone() else {
            return Err(AadError::new(
                StatusCode::BAD_REQUEST,
                "authorization_pending",
                70016,
                "OAuth 2.0 device flow error. Authorization is pending. Continue polling.",
            ));
        };
        let entry = codes.remove(code).expect("looked up above");
        (user, entry.scopes)
    };
    delegated_tokens(state, client_id, &user, &scopes, true)
}

/// `/devicelogin`: the page a user opens to enter a device code. GET shows a form; POST
/// (`user_code`, `login`, optionally `decline`) is the approval tests drive in place of a
/// person.
pub fn device_login(
    state: &AppState,
    parts: &Parts,
    body: &[u8],
    ids: &RequestIds,
) -> Response<Body> {
    if parts.method == Method::GET {
        let html = "<!doctype html><html><head><title>Enter code</title></head><body><h1>MgGraph sandbox device sign-in</h1>\
            <form method=\"post\"><label>Code <input name=\"user_code\"></label> <label>Account <input name=\"login\"></label>\
            <button type=\"submit\">Sign in</button></form></body></html>";
        let mut r = Response::new(Body::from(html));
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        return r;
    }
    let fields = form(body);
    let user_code = fields.get("user_code").cloned().unwrap_or_default();
    let login = fields.get("login").cloned().unwrap_or_default();
    let user_id = {
        let tenant = state.tenant();
        let id = if login.is_empty() {
            Some(tenant.admin_id.clone())
        } else {
            tenant.user_id(&login)
        };
        match id {
            Some(id) => id,
            None => {
                return AadError::new(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    50034,
                    format!("The user account {login} does not exist."),
                )
                .response(ids)
            }
        }
    };
    let mut codes = state.device_codes.lock().unwrap_or_else(|p| p.into_inner());
    let Some(entry) = codes
        .values_mut()
        .find(|c| c.user_code.eq_ignore_ascii_case(user_code.trim()))
    else {
        return AadError::new(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            70018,
            "The code you entered has expired or is not valid.",
        )
        .response(ids);
    };
    if fields.contains_key("decline") {
        entry.declined = true;
    } else {
        entry.approved = Some(user_id);
    }
    let mut r = Response::new(Body::from(
        "You have signed in to the MgGraph sandbox. You may now close this window.",
    ));
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r
}
