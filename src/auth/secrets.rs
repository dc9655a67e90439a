//! Secrets the module hands over outside the request text (`mggraph_secret_new`).
//!
//! PowerShell prints every variable assignment under `Set-PSDebug -Trace 2`, so a client
//! secret, an access token, a certificate key or a managed-identity header must never become
//! PowerShell text, not even inside a request's JSON. The module passes each one's UTF-16
//! characters straight from a SecureString's unmanaged copy (or a pinned string) to
//! `mggraph_secret_new`, and the request names it as `{"mggraphSecret": <id>}` in place of the
//! value; `Connect-MgGraph` resolves the names (`resolve_params`). The module frees the ids when
//! the call is over (`mggraph_secret_free`); the store wipes what it held.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use serde_json::{Map, Value};
use zeroize::Zeroizing;

/// The member that names a stored secret: `{"mggraphSecret": 17}`.
pub const REFERENCE: &str = "mggraphSecret";

/// At most this many secrets are held at once (a Connect-MgGraph needs a handful); beyond it
/// the module is leaking ids, which is refused rather than let grow.
const CAPACITY: usize = 256;

#[derive(Default)]
struct Store {
    last: u64,
    secrets: HashMap<u64, Zeroizing<String>>,
}

fn store() -> &'static Mutex<Store> {
    static STORE: OnceLock<Mutex<Store>> = OnceLock::new();
    STORE.get_or_init(Mutex::default)
}

/// Keeps a secret for this process; returns its id (never 0), or an error when the store is
/// full.
pub fn insert(secret: Zeroizing<String>) -> Result<u64, String> {
    let mut s = store().lock().unwrap_or_else(|e| e.into_inner());
    if s.secrets.len() >= CAPACITY {
        return Err(format!(
            "{CAPACITY} secrets are already held; free them with mggraph_secret_free"
        ));
    }
    s.last += 1;
    let id = s.last;
    s.secrets.insert(id, secret);
    Ok(id)
}

/// Forgets a secret, wiping its text. An unknown id is ignored.
pub fn remove(id: u64) {
    let mut s = store().lock().unwrap_or_else(|e| e.into_inner());
    s.secrets.remove(&id);
}

fn get(id: u64) -> Option<String> {
    let s = store().lock().unwrap_or_else(|e| e.into_inner());
    s.secrets.get(&id).map(|t| t.as_str().to_string())
}

/// The id a value names, when it is a `{"mggraphSecret": id}` reference.
fn reference(value: &Value) -> Option<u64> {
    let o = value.as_object()?;
    if o.len() != 1 {
        return None;
    }
    o.get(REFERENCE)?.as_u64()
}

fn resolve(value: &mut Value) -> Result<(), String> {
    if let Some(id) = reference(value) {
        let text = get(id).ok_or_else(|| {
            format!("secret {id} was not found: it was freed before the call used it")
        })?;
        *value = Value::String(text);
    }
    Ok(())
}

/// A copy of Connect-MgGraph's parameters with every secret reference (a top-level parameter
/// or a `ProcessEnvironment` variable) replaced by the secret's text.
pub fn resolve_params(params: &Map<String, Value>) -> Result<Map<String, Value>, String> {
    let mut out = params.clone();
    for (name, value) in out.iter_mut() {
        match value {
            Value::Object(vars) if name.eq_ignore_ascii_case("ProcessEnvironment") => {
                for v in vars.values_mut() {
                    resolve(v)?;
                }
            }
            _ => resolve(value)?,
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn references_resolve_until_freed() {
        let id = insert(Zeroizing::new("s3cret".into())).unwrap();
        let params = json!({
            "ClientSecret": {"mggraphSecret": id},
            "ProcessEnvironment": {"IDENTITY_HEADER": {"mggraphSecret": id}, "HOME": "/h"},
            "Body": {"mggraphSecret": id, "other": 1},
        });
        let out = resolve_params(params.as_object().unwrap()).unwrap();
        assert_eq!(out["ClientSecret"], "s3cret");
        assert_eq!(out["ProcessEnvironment"]["IDENTITY_HEADER"], "s3cret");
        assert_eq!(out["ProcessEnvironment"]["HOME"], "/h");
        // Only a reference alone is one.
        assert_eq!(out["Body"]["other"], 1);
        remove(id);
        let err = resolve_params(params.as_object().unwrap()).unwrap_err();
        assert!(err.contains("was freed"), "{err}");
    }
}
