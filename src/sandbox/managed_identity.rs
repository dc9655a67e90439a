//! Managed identity token endpoints, in the styles clients meet in Azure:
//!
//! - `/metadata/identity/oauth2/token`: the VM instance metadata service (IMDS), which wants
//!   `Metadata: true`;
//! - `/msi/token`: App Service, Functions and Automation (`IDENTITY_ENDPOINT` +
//!   `X-IDENTITY-HEADER`), GET or a form POST;
//! - `/arc/metadata/identity/oauth2/token`: Azure Arc's challenge: a 401 whose
//!   `WWW-Authenticate: Basic realm=` names a key file, then the file's contents as the
//!   `Authorization: Basic` value.
//!
//! Responses are v1-style token JSON, with `expires_in` and `expires_on` as strings.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Mutex;

use axum::body::Body;
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, Method, Response, StatusCode};
use serde_json::{json, Value};

use super::state::{new_id, random_secret};
use super::tokens::Principal;
use super::{AppState, RequestIds};

const IMDS_PATH: &str = "/metadata/identity/oauth2/token";
const APP_SERVICE_PATH: &str = "/msi/token";
const ARC_PATH: &str = "/arc/metadata/identity/oauth2/token";

/// The identities the sandbox's "Azure resource" has.
#[derive(Debug)]
pub struct ManagedIdentities {
    /// Client id of the system-assigned identity (all application permissions).
    pub system_client_id: String,
    /// Client id of a user-assigned identity (User.Read.All only).
    pub user_assigned_client_id: String,
    /// The `IDENTITY_HEADER` secret App Service hands its apps.
    pub identity_header: String,
    /// Where Arc challenge key files are written.
    pub arc_key_dir: PathBuf,
    arc_secrets: Mutex<HashMap<String, PathBuf>>,
}

impl ManagedIdentities {
    /// New identities. The Arc key directory is only named here: it is created (mode 0700)
    /// with the first challenge, so most sandboxes never write one.
    pub fn new() -> ManagedIdentities {
        let dir = std::env::temp_dir().join(format!(
            "mggraph-sandbox-arc-{}",
            uuid::Uuid::new_v4().simple()
        ));
        ManagedIdentities {
            system_client_id: new_id(),
            user_assigned_client_id: new_id(),
            identity_header: random_secret(32),
            arc_key_dir: dir,
            arc_secrets: Mutex::new(HashMap::new()),
        }
    }

    /// Creates the key directory (only the user may enter it) and registers it for removal
    /// at process exit, in case the sandbox is never dropped (a static session, SIGTERM).
    fn ensure_key_dir(&self) -> std::io::Result<()> {
        if self.arc_key_dir.is_dir() {
            return Ok(());
        }
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(&self.arc_key_dir)?;
        exit_cleanup::register(&self.arc_key_dir);
        Ok(())
    }

    /// Removes the key directory and its files (nothing when it was never created).
    pub fn remove_key_dir(&self) {
        let _ = std::fs::remove_dir_all(&self.arc_key_dir);
        exit_cleanup::unregister(&self.arc_key_dir);
    }
}

impl Default for ManagedIdentities {
    fn default() -> Self {
        ManagedIdentities::new()
    }
}

impl Drop for ManagedIdentities {
    fn drop(&mut self) {
        self.remove_key_dir();
    }
}

/// Directories removed when the process exits normally (`exit`, a return from `main`, or
/// .NET's shutdown on SIGTERM), which does not drop statics such as the shared session.
mod exit_cleanup {
    use std::path::{Path, PathBuf};
    use std::sync::{Mutex, Once};

    static DIRS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
    static HOOK: Once = Once::new();

    extern "C" fn remove_all() {
        let dirs = std::mem::take(&mut *DIRS.lock().unwrap_or_else(|p| p.into_inner()));
        for d in dirs {
            let _ = std::fs::remove_dir_all(d);
        }
    }

    #[allow(unsafe_code)]
    pub fn register(dir: &Path) {
        HOOK.call_once(|| {
            // SAFETY: `remove_all` is a plain `extern "C" fn()` that never unwinds (it only
            // locks a poisoned-tolerant mutex and removes files); atexit stores the pointer.
            unsafe {
                libc::atexit(remove_all);
            }
        });
        DIRS.lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(dir.to_path_buf());
    }

    pub fn unregister(dir: &Path) {
        DIRS.lock()
            .unwrap_or_else(|p| p.into_inner())
            .retain(|d| d != dir);
    }
}

pub fn is_endpoint(path: &str) -> bool {
    path == IMDS_PATH || path == APP_SERVICE_PATH || path == ARC_PATH
}

fn error(status: StatusCode, code: &str, description: &str) -> Response<Body> {
    let mut r = Response::new(Body::from(
        json!({"error": code, "error_description": description}).to_string(),
    ));
    *r.status_mut() = status;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    r
}

pub fn handle(state: &AppState, parts: &Parts, body: &[u8], _ids: &RequestIds) -> Response<Body> {
    let path = parts.uri.path();
    let mut params: HashMap<String, String> =
        url::form_urlencoded::parse(parts.uri.query().unwrap_or_default().as_bytes())
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
    if parts.method == Method::POST {
        // Automation runbooks often POST the parameters as a form.
        params
            .extend(url::form_urlencoded::parse(body).map(|(k, v)| (k.to_string(), v.to_string())));
    } else if parts.method != Method::GET {
        return error(
            StatusCode::METHOD_NOT_ALLOWED,
            "invalid_request",
            "Only GET (and POST for App Service) are supported.",
        );
    }
    let header = |name: &str| {
        parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let m = &state.managed;

    match path {
        IMDS_PATH => {
            if header("Metadata").as_deref() != Some("true") {
                return error(
                    StatusCode::BAD_REQUEST,
                    "bad_request_102",
                    "Required metadata header not specified",
                );
            }
        }
        APP_SERVICE_PATH => {
            let given = header("X-IDENTITY-HEADER").unwrap_or_default();
            if given != m.identity_header {
                return error(
                    StatusCode::UNAUTHORIZED,
                    "unauthorized",
                    "The X-IDENTITY-HEADER header is missing or does not match IDENTITY_HEADER.",
                );
            }
        }
        _ => {
            // Azure Arc: challenge, then accept the key file's contents.
            if header("Metadata").as_deref() != Some("true") {
                return error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "Required metadata header not specified",
                );
            }
            if params.contains_key("client_id")
                || params.contains_key("object_id")
                || params.contains_key("msi_res_id")
            {
                return error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "Azure Arc supports only the system-assigned identity.",
                );
            }
            match header("Authorization").and_then(|a| a.strip_prefix("Basic ").map(str::to_string))
            {
                None => {
                    if m.ensure_key_dir().is_err() {
                        return error(
                            StatusCode::INTERNAL_SERVER_ERROR,
                            "server_error",
                            "The key directory could not be created.",
                        );
                    }
                    let secret = random_secret(48);
                    let file = m
                        .arc_key_dir
                        .join(format!("{}.key", uuid::Uuid::new_v4().simple()));
                    if std::fs::write(&file, &secret).is_err() {
                        return error(
                            StatusCode::INTERNAL_SERVER_ERROR,
                            "server_error",
                            "The key file could not be written.",
                        );
                    }
                    m.arc_secrets
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .insert(secret, file.clone());
                    let mut r = error(
                        StatusCode::UNAUTHORIZED,
                        "unauthorized",
                        "Challenge: present the key file's contents.",
                    );
                    if let Ok(v) = HeaderValue::from_str(&format!("Basic realm={}", file.display()))
                    {
                        r.headers_mut().insert(header::WWW_AUTHENTICATE, v);
                    }
                    return r;
                }
                Some(secret) => {
                    let known = m
                        .arc_secrets
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .remove(secret.trim());
                    match known {
                        Some(file) => {
                            let _ = std::fs::remove_file(file);
                        }
                        None => {
                            return error(
                                StatusCode::UNAUTHORIZED,
                                "unauthorized",
                                "The key presented does not match a challenge.",
                            )
                        }
                    }
                }
            }
        }
    }

    let resource = params.get("resource").cloned().unwrap_or_default();
    let graph = [
        "https://graph.microsoft.com",
        "https://graph.microsoft.com/",
        "00000003-0000-0000-c000-000000000000",
    ];
    if !graph.contains(&resource.as_str()) && resource.trim_end_matches('/') != state.base_url {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_resource",
            &format!("AADSTS500011: The resource principal named {resource} was not found in the tenant."),
        );
    }
    let wanted = params
        .get("client_id")
        .or_else(|| params.get("clientid"))
        .or_else(|| params.get("principal_id"))
        .or_else(|| params.get("object_id"))
        .cloned();
    let (client_id, roles): (String, Vec<String>) = match wanted {
        None => (m.system_client_id.clone(), super::authz::broad_app_roles()),
        Some(id) if id.eq_ignore_ascii_case(&m.user_assigned_client_id) => (m.user_assigned_client_id.clone(), vec!["User.Read.All".into()]),
        Some(id) => {
            return error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                &format!("Identity not found: no user-assigned identity with id {id} is assigned to this resource."),
            )
        }
    };
    let lifetime = state.config.token_lifetime.as_secs() as i64;
    let principal = Principal {
        tenant_id: state.tenant().id.clone(),
        app_id: client_id.clone(),
        user_id: None,
        permissions: roles,
    };
    let access = state.signer.issue(&principal, lifetime, json!({"idtyp": "app", "xms_mirid": "/subscriptions/sandbox/resourcegroups/sandbox/providers/Microsoft.Compute/virtualMachines/sandbox"}));
    let now = chrono::Utc::now().timestamp();
    let body: Value = json!({
        "access_token": access,
        "refresh_token": "",
        "expires_in": lifetime.to_string(),
        "expires_on": (now + lifetime).to_string(),
        "not_before": now.to_string(),
        "resource": "https://graph.microsoft.com",
        "token_type": "Bearer",
        "client_id": client_id,
    });
    let mut r = Response::new(Body::from(body.to_string()));
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    r
}
