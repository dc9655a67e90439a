//! Sign-in: environments (clouds), credentials for each Connect-MgGraph mode, and the
//! connection that hands out fresh tokens.
//!
//! Token-endpoint protocol work goes through the `oauth2` crate on MgGraph's own reqwest
//! client (see the README's design notes); this module decides *which* flow to run and keeps
//! its secrets out of every message.

pub mod cache;
pub mod certificate;
pub mod environments;
pub mod flows;
pub mod interactive;
pub mod managed;
pub mod secrets;

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::future::BoxFuture;
use serde::Serialize;

pub use environments::Environment;

/// An access token and when it stops working.
#[derive(Clone)]
pub struct AccessToken {
    pub secret: String,
    pub expires_at: Instant,
    pub lifetime: Duration,
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessToken")
            .field("secret", &"<redacted>")
            .field("lifetime", &self.lifetime)
            .finish()
    }
}

impl AccessToken {
    pub fn new(secret: String, lifetime: Duration) -> AccessToken {
        AccessToken {
            secret,
            expires_at: Instant::now() + lifetime,
            lifetime,
        }
    }

    /// Whether the token should be replaced now: within five minutes of expiry, or within
    /// the last fifth of a short lifetime (so minute-long test tokens refresh too).
    pub fn needs_refresh(&self) -> bool {
        let buffer = Duration::from_secs(300).min(self.lifetime / 5);
        Instant::now() + buffer >= self.expires_at
    }
}

/// A sign-in failure. Never carries a secret.
#[derive(Debug, Clone)]
pub struct AuthError {
    pub message: String,
    /// An id for the ErrorRecord (`AADSTS7000215`, `AuthenticationFailed`, ...).
    pub code: String,
    pub recommended: Option<String>,
}

impl AuthError {
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> AuthError {
        AuthError {
            message: message.into(),
            code: code.into(),
            recommended: None,
        }
    }

    pub fn reconnect(mut self) -> AuthError {
        self.recommended = Some("Run Connect-MgGraph again to sign in.".into());
        self
    }
}

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// What `Get-MgContext` shows (the SDK's AuthContext properties).
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContextInfo {
    pub client_id: String,
    pub tenant_id: Option<String>,
    pub scopes: Vec<String>,
    pub auth_type: String,
    pub token_credential_type: String,
    pub certificate_thumbprint: Option<String>,
    pub certificate_subject_name: Option<String>,
    pub send_certificate_chain: bool,
    pub account: Option<String>,
    pub app_name: Option<String>,
    pub context_scope: String,
    #[serde(rename = "pSHostVersion")]
    pub ps_host_version: Option<String>,
    pub managed_identity_id: Option<String>,
    pub environment: String,
}

/// A way of getting access tokens (one per Connect-MgGraph mode).
pub trait Credential: Send + Sync + fmt::Debug {
    /// Gets a new token from the identity platform (no caching here).
    fn acquire<'a>(
        &'a self,
        http: &'a reqwest::Client,
    ) -> BoxFuture<'a, Result<AccessToken, AuthError>>;
}

/// A signed-in context: environment, what Get-MgContext shows, and a token cache.
#[derive(Debug)]
pub struct Connection {
    pub env: Environment,
    pub info: ContextInfo,
    credential: Box<dyn Credential>,
    cached: tokio::sync::Mutex<Option<AccessToken>>,
    /// The persistent cache this connection writes (`-ContextScope CurrentUser`).
    pub persisted: Option<cache::TokenCache>,
    /// The Graph operations sent through this connection (what the run needed).
    pub record: crate::engine::record::Recorder,
}

impl Connection {
    /// `persisted`: the cache its refresh tokens live in (`-ContextScope CurrentUser`).
    pub fn new(
        env: Environment,
        info: ContextInfo,
        credential: Box<dyn Credential>,
        first: Option<AccessToken>,
        persisted: Option<cache::TokenCache>,
    ) -> Arc<Connection> {
        Arc::new(Connection {
            env,
            info,
            credential,
            cached: tokio::sync::Mutex::new(first),
            persisted,
            record: Default::default(),
        })
    }

    /// A usable access token: the cached one, or a new one when it is close to expiry or
    /// `force_refresh` is set (after a 401). One refresh at a time.
    pub async fn token(
        &self,
        http: &reqwest::Client,
        force_refresh: bool,
    ) -> Result<String, AuthError> {
        let mut cached = self.cached.lock().await;
        if !force_refresh {
            if let Some(t) = cached.as_ref().filter(|t| !t.needs_refresh()) {
                return Ok(t.secret.clone());
            }
        }
        let fresh = self.credential.acquire(http).await?;
        let secret = fresh.secret.clone();
        *cached = Some(fresh);
        Ok(secret)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_refresh_before_expiry() {
        let long = AccessToken::new("s3cr3t-token".into(), Duration::from_secs(3600));
        assert!(!long.needs_refresh());
        let short = AccessToken::new("x".into(), Duration::from_secs(2));
        assert!(!short.needs_refresh());
        let expired = AccessToken {
            secret: "x".into(),
            expires_at: Instant::now(),
            lifetime: Duration::from_secs(3600),
        };
        assert!(expired.needs_refresh());
        let shown = format!("{long:?}");
        assert!(
            !shown.contains("s3cr3t") && shown.contains("<redacted>"),
            "{shown}"
        );
    }
}
