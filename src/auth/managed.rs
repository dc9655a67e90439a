//! Managed identity (`Connect-MgGraph -Identity`) and user-provided tokens
//! (`-AccessToken`).
//!
//! The source is picked the way MSAL does, from the process environment the module passes:
//! `IDENTITY_ENDPOINT` + `IDENTITY_HEADER` (App Service, Functions, Automation), then
//! `MSI_ENDPOINT` (older App Service, Cloud Shell), then `IDENTITY_ENDPOINT` + `IMDS_ENDPOINT`
//! (Azure Arc), else the VM instance metadata service.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use futures_util::future::BoxFuture;
use serde_json::Value;

use super::{AccessToken, AuthError, Credential, Environment};

/// The VM instance metadata service's token endpoint.
pub const IMDS_TOKEN_URL: &str = "http://169.254.169.254/metadata/identity/oauth2/token";

/// Where a managed identity token comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    AppService {
        endpoint: String,
        header: String,
    },
    LegacyMsi {
        endpoint: String,
        secret: Option<String>,
    },
    Arc {
        endpoint: String,
    },
    Imds {
        endpoint: String,
    },
}

impl Source {
    /// Picks the source from environment variables.
    pub fn detect(env: &HashMap<String, String>) -> Source {
        let get = |k: &str| env.get(k).filter(|v| !v.is_empty()).cloned();
        if let (Some(endpoint), Some(header)) = (get("IDENTITY_ENDPOINT"), get("IDENTITY_HEADER")) {
            return Source::AppService { endpoint, header };
        }
        if let Some(endpoint) = get("MSI_ENDPOINT") {
            return Source::LegacyMsi {
                endpoint,
                secret: get("MSI_SECRET"),
            };
        }
        if let (Some(endpoint), Some(_)) = (get("IDENTITY_ENDPOINT"), get("IMDS_ENDPOINT")) {
            return Source::Arc { endpoint };
        }
        let endpoint = get("MGGRAPH_IMDS_ENDPOINT")
            .or_else(|| {
                get("AZURE_POD_IDENTITY_AUTHORITY_HOST")
                    .map(|h| format!("{}/metadata/identity/oauth2/token", h.trim_end_matches('/')))
            })
            .unwrap_or_else(|| IMDS_TOKEN_URL.to_string());
        Source::Imds { endpoint }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Source::AppService { .. } => "App Service",
            Source::LegacyMsi { .. } => "MSI endpoint",
            Source::Arc { .. } => "Azure Arc",
            Source::Imds { .. } => "IMDS",
        }
    }
}

/// `Connect-MgGraph -Identity [-ClientId]`.
#[derive(Debug)]
pub struct ManagedIdentityCredential {
    pub source: Source,
    /// A user-assigned identity's client id; `None` for the system-assigned one.
    pub client_id: Option<String>,
    pub resource: String,
    /// Extra directories where Arc key files may live (tests); the agent's own are always allowed.
    arc_key_dirs: Vec<PathBuf>,
}

impl ManagedIdentityCredential {
    pub fn new(
        env_vars: &HashMap<String, String>,
        client_id: Option<String>,
        env: &Environment,
    ) -> ManagedIdentityCredential {
        let mut arc_key_dirs = vec![
            PathBuf::from("/var/opt/azcmagent/tokens"),
            PathBuf::from(r"C:\ProgramData\AzureConnectedMachineAgent\Tokens"),
        ];
        if let Some(dir) = env_vars.get("MGGRAPH_ARC_TOKEN_DIR") {
            arc_key_dirs.push(PathBuf::from(dir));
        }
        ManagedIdentityCredential {
            source: Source::detect(env_vars),
            client_id,
            resource: env.graph_resource(),
            arc_key_dirs,
        }
    }

    fn key_file_allowed(&self, path: &Path) -> bool {
        let Ok(canonical) = path.canonicalize() else {
            return false;
        };
        let in_dir = self
            .arc_key_dirs
            .iter()
            .filter_map(|d| d.canonicalize().ok())
            .any(|d| canonical.parent() == Some(d.as_path()));
        let small = std::fs::metadata(&canonical)
            .map(|m| m.len() <= 4096)
            .unwrap_or(false);
        in_dir && small && canonical.extension().map(|e| e == "key").unwrap_or(false)
    }

    fn unavailable(&self, detail: String) -> AuthError {
        AuthError::new(
            "ManagedIdentityUnavailable",
            format!(
                "ManagedIdentityCredential authentication unavailable ({}): {detail}. Connect-MgGraph -Identity works on an Azure resource with a managed identity (VM, App Service, Functions, Automation, Arc).",
                self.source.name()
            ),
        )
    }

    async fn request(&self, http: &reqwest::Client) -> Result<reqwest::Response, AuthError> {
        let mut query: Vec<(&str, String)> = vec![("resource", self.resource.clone())];
        let send = |rb: reqwest::RequestBuilder| async move {
            rb.timeout(Duration::from_secs(30)).send().await
        };
        let result = match &self.source {
            Source::AppService { endpoint, header } => {
                query.push(("api-version", "2019-08-01".into()));
                if let Some(id) = &self.client_id {
                    query.push(("client_id", id.clone()));
                }
                send(
                    http.get(endpoint)
                        .query(&query)
                        .header("X-IDENTITY-HEADER", header),
                )
                .await
            }
            Source::LegacyMsi { endpoint, secret } => {
                query.push(("api-version", "2017-09-01".into()));
                if let Some(id) = &self.client_id {
                    query.push(("clientid", id.clone()));
                }
                let mut rb = http.get(endpoint).query(&query).header("Metadata", "true");
                if let Some(s) = secret {
                    rb = rb.header("secret", s);
                }
                send(rb).await
            }
            Source::Imds { endpoint } => {
                query.push(("api-version", "2018-02-01".into()));
                if let Some(id) = &self.client_id {
                    query.push(("client_id", id.clone()));
                }
                send(http.get(endpoint).query(&query).header("Metadata", "true")).await
            }
            Source::Arc { endpoint } => {
                if self.client_id.is_some() {
                    return Err(AuthError::new(
                        "ManagedIdentityUnsupported",
                        "Azure Arc supports only the system-assigned managed identity: omit -ClientId.",
                    ));
                }
                query.push(("api-version", "2019-11-01".into()));
                let challenge = send(http.get(endpoint).query(&query).header("Metadata", "true"))
                    .await
                    .map_err(|e| self.unavailable(e.to_string()))?;
                if challenge.status() != reqwest::StatusCode::UNAUTHORIZED {
                    return Err(self.unavailable(format!(
                        "expected a 401 challenge, got {}",
                        challenge.status()
                    )));
                }
                let realm = challenge
                    .headers()
                    .get(reqwest::header::WWW_AUTHENTICATE)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| {
                        v.split_once("realm=")
                            .map(|(_, p)| p.trim().trim_matches('"').to_string())
                    })
                    .ok_or_else(|| self.unavailable("the challenge named no key file".into()))?;
                let path = PathBuf::from(&realm);
                if !self.key_file_allowed(&path) {
                    return Err(AuthError::new(
                        "ManagedIdentityKeyRefused",
                        format!("The Azure Arc challenge named '{realm}', which is not a .key file of at most 4096 bytes in the agent's token directory; it was not read."),
                    ));
                }
                let secret = std::fs::read_to_string(&path).map_err(|e| {
                    self.unavailable(format!("the Arc key file could not be read: {e}"))
                })?;
                send(
                    http.get(endpoint)
                        .query(&query)
                        .header("Metadata", "true")
                        .header(
                            reqwest::header::AUTHORIZATION,
                            format!("Basic {}", secret.trim()),
                        ),
                )
                .await
            }
        };
        result.map_err(|e| self.unavailable(e.to_string()))
    }
}

/// `expires_in` arrives as a string from managed identity endpoints, a number elsewhere.
fn seconds(v: Option<&Value>) -> Option<u64> {
    v.and_then(|v| {
        v.as_u64()
            .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
    })
}

impl Credential for ManagedIdentityCredential {
    fn acquire<'a>(
        &'a self,
        http: &'a reqwest::Client,
    ) -> BoxFuture<'a, Result<AccessToken, AuthError>> {
        Box::pin(async move {
            let mut attempt = 0;
            loop {
                let resp = self.request(http).await?;
                let status = resp.status().as_u16();
                let body: Value = serde_json::from_slice(&resp.bytes().await.unwrap_or_default())
                    .unwrap_or(Value::Null);
                // IMDS answers 404/410 while updating and 429/5xx under load: retry briefly.
                if matches!(status, 404 | 410 | 429 | 500..=599) && attempt < 3 {
                    attempt += 1;
                    tokio::time::sleep(Duration::from_secs(1 << attempt)).await;
                    continue;
                }
                if !(200..300).contains(&status) {
                    let description = body
                        .get("error_description")
                        .and_then(Value::as_str)
                        .unwrap_or("no description")
                        .to_string();
                    let code = body
                        .get("error")
                        .and_then(Value::as_str)
                        .unwrap_or("unknown_error");
                    return Err(AuthError::new(
                        "ManagedIdentityFailed",
                        format!("ManagedIdentityCredential authentication failed ({}): {code} ({description})", self.source.name()),
                    ));
                }
                let token = body
                    .get("access_token")
                    .and_then(Value::as_str)
                    .ok_or_else(|| self.unavailable("the response had no access_token".into()))?;
                let lifetime = seconds(body.get("expires_in"))
                    .or_else(|| {
                        seconds(body.get("expires_on"))
                            .map(|on| on.saturating_sub(chrono::Utc::now().timestamp() as u64))
                    })
                    .unwrap_or(3599);
                return Ok(AccessToken::new(
                    token.to_string(),
                    Duration::from_secs(lifetime),
                ));
            }
        })
    }
}

/// The claims of a JWT, unverified (to describe a token, never to trust it).
pub fn jwt_claims(token: &str) -> Option<Value> {
    use base64::Engine;
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// `Connect-MgGraph -AccessToken`: the token as given, until it expires.
pub struct UserProvidedToken {
    token: String,
    expires: Option<i64>,
}

impl std::fmt::Debug for UserProvidedToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserProvidedToken")
            .field("token", &"<redacted>")
            .finish()
    }
}

impl UserProvidedToken {
    pub fn new(token: String) -> UserProvidedToken {
        let expires = jwt_claims(&token).and_then(|c| c.get("exp").and_then(Value::as_i64));
        UserProvidedToken { token, expires }
    }

    pub fn lifetime(&self) -> Duration {
        match self.expires {
            Some(exp) => {
                Duration::from_secs(exp.saturating_sub(chrono::Utc::now().timestamp()).max(0) as u64)
            }
            None => Duration::from_secs(3600),
        }
    }
}

impl Credential for UserProvidedToken {
    fn acquire<'a>(
        &'a self,
        _http: &'a reqwest::Client,
    ) -> BoxFuture<'a, Result<AccessToken, AuthError>> {
        Box::pin(async move {
            let expired = self
                .expires
                .map(|e| e <= chrono::Utc::now().timestamp())
                .unwrap_or(false);
            if expired {
                return Err(AuthError::new(
                    "AccessTokenExpired",
                    "The access token given to Connect-MgGraph -AccessToken has expired, and MgGraph cannot renew a token it did not obtain.",
                )
                .reconnect());
            }
            Ok(AccessToken::new(self.token.clone(), self.lifetime()))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn sources_are_detected_in_msal_order() {
        assert_eq!(
            Source::detect(&env(&[
                ("IDENTITY_ENDPOINT", "http://a"),
                ("IDENTITY_HEADER", "h"),
                ("IMDS_ENDPOINT", "x")
            ])),
            Source::AppService {
                endpoint: "http://a".into(),
                header: "h".into()
            }
        );
        assert_eq!(
            Source::detect(&env(&[("MSI_ENDPOINT", "http://m")])).name(),
            "MSI endpoint"
        );
        assert_eq!(
            Source::detect(&env(&[
                ("IDENTITY_ENDPOINT", "http://arc"),
                ("IMDS_ENDPOINT", "http://i")
            ])),
            Source::Arc {
                endpoint: "http://arc".into()
            }
        );
        assert_eq!(
            Source::detect(&env(&[])),
            Source::Imds {
                endpoint: IMDS_TOKEN_URL.into()
            }
        );
    }

    #[test]
    fn expired_user_tokens_are_refused_with_the_fix() {
        use base64::Engine;
        let claims = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(r#"{"exp": 1000}"#);
        let t = UserProvidedToken::new(format!("h.{claims}.s"));
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let err = rt.block_on(t.acquire(&reqwest::Client::new())).unwrap_err();
        assert!(err.message.contains("expired"));
        assert!(err.recommended.unwrap().contains("Connect-MgGraph"));
        assert!(!format!("{t:?}").contains(&claims));
    }
}
