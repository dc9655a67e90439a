//! OAuth flows against the identity platform, through the `oauth2` crate.

use std::sync::Mutex;
use std::time::Duration;

use futures_util::future::BoxFuture;
use oauth2::basic::{BasicClient, BasicErrorResponse};
use oauth2::{
    AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, HttpClientError,
    PkceCodeChallenge, RedirectUrl, RefreshToken, RequestTokenError, Scope, TokenResponse,
    TokenUrl,
};

use super::{AccessToken, AuthError, Credential, Environment};

/// The SDK's default public client ("Microsoft Graph Command Line Tools").
pub const GRAPH_CLI_CLIENT_ID: &str = "14d82eec-204b-4c2f-b7e8-296a70dab67e";

type TokenError = RequestTokenError<HttpClientError<reqwest::Error>, BasicErrorResponse>;

/// Turns an oauth2 error into a message naming the cause (with the AADSTS code), never the
/// secret.
pub fn describe(flow: &str, e: TokenError) -> AuthError {
    match e {
        RequestTokenError::ServerResponse(resp) => {
            let description = resp.error_description().cloned().unwrap_or_default();
            let code = description
                .split(':')
                .next()
                .filter(|c| c.starts_with("AADSTS"))
                .map(str::to_string)
                .unwrap_or_else(|| resp.error().to_string());
            // Entra appends trace lines after the first; the first line names the cause.
            let first = description.lines().next().unwrap_or_default().trim().to_string();
            AuthError::new(code, format!("{flow} authentication failed: {} ({first})", resp.error()))
        }
        RequestTokenError::Request(e) => AuthError::new(
            "AuthenticationRequestFailed",
            format!("{flow} authentication failed: could not reach the token endpoint: {}", transport_message(&e)),
        ),
        RequestTokenError::Parse(e, _) => AuthError::new(
            "AuthenticationResponseInvalid",
            format!("{flow} authentication failed: the token endpoint's response could not be read: {e}"),
        ),
        RequestTokenError::Other(m) => AuthError::new("AuthenticationFailed", format!("{flow} authentication failed: {m}")),
    }
}

fn transport_message(e: &HttpClientError<reqwest::Error>) -> String {
    match e {
        HttpClientError::Reqwest(inner) => {
            let mut msg = inner.to_string();
            let mut source = std::error::Error::source(inner.as_ref());
            while let Some(s) = source {
                msg.push_str(": ");
                msg.push_str(&s.to_string());
                source = s.source();
            }
            msg
        }
        other => other.to_string(),
    }
}

fn token_url(env: &Environment, tenant: &str) -> Result<TokenUrl, AuthError> {
    TokenUrl::new(env.token_url(tenant)).map_err(|e| {
        AuthError::new(
            "InvalidEnvironment",
            format!(
                "the token endpoint of environment '{}' is not a valid URL: {e}",
                env.name
            ),
        )
    })
}

fn lifetime(expires_in: Option<Duration>) -> Duration {
    expires_in.unwrap_or(Duration::from_secs(3599))
}

/// App-only sign-in with a client secret.
pub struct ClientSecretCredential {
    pub env: Environment,
    pub tenant: String,
    pub client_id: String,
    secret: String,
}

impl std::fmt::Debug for ClientSecretCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientSecretCredential")
            .field("tenant", &self.tenant)
            .field("client_id", &self.client_id)
            .field("secret", &"<redacted>")
            .finish()
    }
}

impl ClientSecretCredential {
    pub fn new(env: Environment, tenant: String, client_id: String, secret: String) -> Self {
        ClientSecretCredential {
            env,
            tenant,
            client_id,
            secret,
        }
    }
}

impl Credential for ClientSecretCredential {
    fn acquire<'a>(
        &'a self,
        http: &'a reqwest::Client,
    ) -> BoxFuture<'a, Result<AccessToken, AuthError>> {
        Box::pin(async move {
            let client = BasicClient::new(ClientId::new(self.client_id.clone()))
                .set_client_secret(ClientSecret::new(self.secret.clone()))
                .set_auth_type(AuthType::RequestBody)
                .set_token_uri(token_url(&self.env, &self.tenant)?);
            let token = client
                .exchange_client_credentials()
                .add_scope(Scope::new(self.env.default_scope()))
                .request_async(http)
                .await
                .map_err(|e| describe("ClientSecretCredential", e))?;
            Ok(AccessToken::new(
                token.access_token().secret().clone(),
                lifetime(token.expires_in()),
            ))
        })
    }
}

/// Delegated sign-in that renews itself with the refresh token it was given.
pub struct RefreshingCredential {
    pub env: Environment,
    pub tenant: String,
    pub client_id: String,
    pub scopes: Vec<String>,
    refresh_token: Mutex<Option<String>>,
    /// Where rotated refresh tokens are kept (`-ContextScope CurrentUser`).
    persist: Option<(super::cache::TokenCache, super::cache::CachedAccount)>,
}

impl std::fmt::Debug for RefreshingCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RefreshingCredential")
            .field("tenant", &self.tenant)
            .field("client_id", &self.client_id)
            .field("refresh_token", &"<redacted>")
            .finish()
    }
}

impl RefreshingCredential {
    pub fn new(
        env: Environment,
        tenant: String,
        client_id: String,
        scopes: Vec<String>,
        refresh_token: Option<String>,
    ) -> Self {
        RefreshingCredential {
            env,
            tenant,
            client_id,
            scopes,
            refresh_token: Mutex::new(refresh_token),
            persist: None,
        }
    }

    /// Keeps the refresh token in `cache` as `entry`, now and after every rotation.
    pub fn persisted(
        mut self,
        cache: super::cache::TokenCache,
        entry: super::cache::CachedAccount,
    ) -> Self {
        self.persist = Some((cache, entry));
        self.save();
        self
    }

    fn save(&self) {
        if let (Some((cache, entry)), Some(rt)) = (&self.persist, self.refresh_token()) {
            let mut entry = entry.clone();
            entry.refresh_token = rt;
            // A cache that cannot be written costs a silent sign-in later, not this one.
            let _ = cache.store(entry);
        }
    }

    /// The current refresh token (for the persistent cache).
    pub fn refresh_token(&self) -> Option<String> {
        self.refresh_token
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
}

impl Credential for RefreshingCredential {
    fn acquire<'a>(
        &'a self,
        http: &'a reqwest::Client,
    ) -> BoxFuture<'a, Result<AccessToken, AuthError>> {
        Box::pin(async move {
            let Some(rt) = self.refresh_token() else {
                return Err(AuthError::new(
                    "TokenExpired",
                    "The access token has expired and this sign-in cannot be renewed (no refresh token).",
                )
                .reconnect());
            };
            let client = BasicClient::new(ClientId::new(self.client_id.clone()))
                .set_auth_type(AuthType::RequestBody)
                .set_token_uri(token_url(&self.env, &self.tenant)?);
            let rt = RefreshToken::new(rt);
            let mut request = client.exchange_refresh_token(&rt);
            for s in &self.scopes {
                request = request.add_scope(Scope::new(s.clone()));
            }
            let token = request.request_async(http).await.map_err(|e| {
                let mut err = describe("Token refresh", e);
                err.message
                    .push_str(" The sign-in can no longer be renewed.");
                err.reconnect()
            })?;
            if let Some(new_rt) = token.refresh_token() {
                *self.refresh_token.lock().unwrap_or_else(|p| p.into_inner()) =
                    Some(new_rt.secret().clone());
            }
            Ok(AccessToken::new(
                token.access_token().secret().clone(),
                lifetime(token.expires_in()),
            ))
        })
    }
}

/// The outcome of an interactive (delegated) sign-in.
pub struct DelegatedSignIn {
    pub access: AccessToken,
    pub refresh_token: Option<String>,
    pub scopes: Vec<String>,
    pub account: Option<String>,
}

/// Normalises `-Scopes`: split on commas, trimmed, `User.Read` when none, plus the OpenID
/// scopes the SDK always asks for.
pub fn delegated_scopes(requested: &[String]) -> Vec<String> {
    let mut scopes: Vec<String> = requested
        .iter()
        .flat_map(|s| s.split(','))
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    if scopes.is_empty() {
        scopes.push("User.Read".into());
    }
    for oidc in ["openid", "profile", "offline_access"] {
        if !scopes.iter().any(|s| s.eq_ignore_ascii_case(oidc)) {
            scopes.push(oidc.into());
        }
    }
    scopes
}

/// What an authorization-code sign-in asks for.
pub struct AuthCodeRequest<'a> {
    pub env: &'a Environment,
    pub tenant: &'a str,
    pub client_id: &'a str,
    pub scopes: &'a [String],
    pub redirect_uri: &'a str,
    pub login_hint: Option<&'a str>,
}

/// The authorization-code flow with PKCE, where `browser` plays the user's part: it gets the
/// authorize URL and returns the URL the identity platform redirected to.
pub async fn authorization_code<F, Fut>(
    http: &reqwest::Client,
    req: AuthCodeRequest<'_>,
    browser: F,
) -> Result<DelegatedSignIn, AuthError>
where
    F: FnOnce(String) -> Fut,
    Fut: std::future::Future<Output = Result<String, AuthError>>,
{
    let AuthCodeRequest {
        env,
        tenant,
        client_id,
        scopes,
        redirect_uri,
        login_hint,
    } = req;
    let auth_url = AuthUrl::new(env.authorize_url(tenant)).map_err(|e| {
        AuthError::new(
            "InvalidEnvironment",
            format!("invalid authorize endpoint: {e}"),
        )
    })?;
    let redirect = RedirectUrl::new(redirect_uri.to_string())
        .map_err(|e| AuthError::new("InvalidRedirectUri", format!("invalid redirect URI: {e}")))?;
    let client = BasicClient::new(ClientId::new(client_id.to_string()))
        .set_auth_type(AuthType::RequestBody)
        .set_auth_uri(auth_url)
        .set_token_uri(token_url(env, tenant)?)
        .set_redirect_uri(redirect);
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut request = client
        .authorize_url(CsrfToken::new_random)
        .set_pkce_challenge(challenge);
    for s in scopes {
        request = request.add_scope(Scope::new(s.clone()));
    }
    if let Some(hint) = login_hint {
        request = request.add_extra_param("login_hint", hint);
    }
    let (url, csrf) = request.url();
    let returned = browser(url.to_string()).await?;
    let returned = url::Url::parse(&returned).map_err(|e| {
        AuthError::new(
            "AuthorizationFailed",
            format!("the sign-in returned an invalid redirect: {e}"),
        )
    })?;
    let param = |name: &str| {
        returned
            .query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.to_string())
    };
    if let Some(error) = param("error") {
        let description = param("error_description").unwrap_or_default();
        return Err(AuthError::new(
            description
                .split(':')
                .next()
                .filter(|c| c.starts_with("AADSTS"))
                .unwrap_or(&error)
                .to_string(),
            format!(
                "Interactive sign-in failed: {error} ({})",
                description.lines().next().unwrap_or_default()
            ),
        ));
    }
    if param("state").as_deref() != Some(csrf.secret().as_str()) {
        return Err(AuthError::new(
            "AuthorizationStateMismatch",
            "Interactive sign-in failed: the response's state did not match the request (possible cross-site request forgery).",
        ));
    }
    let code = param("code").ok_or_else(|| {
        AuthError::new(
            "AuthorizationFailed",
            "Interactive sign-in failed: no authorization code was returned.",
        )
    })?;
    let token = client
        .exchange_code(AuthorizationCode::new(code))
        .set_pkce_verifier(verifier)
        .request_async(http)
        .await
        .map_err(|e| describe("InteractiveBrowserCredential", e))?;
    let granted = token
        .scopes()
        .map(|s| s.iter().map(|x| x.to_string()).collect())
        .unwrap_or_else(|| scopes.to_vec());
    Ok(DelegatedSignIn {
        access: AccessToken::new(
            token.access_token().secret().clone(),
            lifetime(token.expires_in()),
        ),
        refresh_token: token.refresh_token().map(|r| r.secret().clone()),
        scopes: granted,
        account: login_hint.map(str::to_string),
    })
}

/// A "browser" that follows the authorize URL without a person: for identity platforms that
/// approve at once (the sandbox), it reads the redirect's `Location`.
pub async fn headless_browser(http: &reqwest::Client, url: String) -> Result<String, AuthError> {
    let resp = http.get(&url).send().await.map_err(|e| {
        AuthError::new(
            "AuthorizationFailed",
            format!("the authorize endpoint could not be reached: {e}"),
        )
    })?;
    if resp.status().is_redirection() {
        if let Some(loc) = resp
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
        {
            return Ok(loc.to_string());
        }
    }
    let status = resp.status();
    let body = resp.text().await.unwrap_or_default();
    let detail = serde_json::from_str::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| {
            v.get("error_description")
                .and_then(|d| d.as_str())
                .map(|d| d.lines().next().unwrap_or_default().to_string())
        })
        .unwrap_or_else(|| format!("HTTP {status}"));
    Err(AuthError::new(
        "AuthorizationFailed",
        format!("the sign-in did not complete: {detail}"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_split_on_commas_and_default_to_user_read() {
        assert_eq!(
            delegated_scopes(&["User.Read.All, Group.Read.All".into()]),
            vec![
                "User.Read.All",
                "Group.Read.All",
                "openid",
                "profile",
                "offline_access"
            ]
        );
        assert_eq!(
            delegated_scopes(&[]),
            vec!["User.Read", "openid", "profile", "offline_access"]
        );
    }

    #[test]
    fn debug_output_hides_secrets() {
        let c = ClientSecretCredential::new(
            Environment::new("x", "https://a", "https://b", true),
            "t".into(),
            "c".into(),
            "super-secret-value".into(),
        );
        assert!(!format!("{c:?}").contains("super-secret-value"));
    }
}
