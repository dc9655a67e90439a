//! Delegated sign-in at a console: the system browser with a loopback redirect, or a device
//! code when no browser can be opened.

use std::time::Duration;

use oauth2::basic::BasicClient;
use oauth2::{
    AuthType, ClientId, DeviceAuthorizationUrl, RequestTokenError, Scope,
    StandardDeviceAuthorizationResponse, TokenResponse, TokenUrl,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use super::flows::{authorization_code, AuthCodeRequest, DelegatedSignIn};
use super::{AccessToken, AuthError, Environment};
use crate::call::EventSink;

/// How long an interactive sign-in may wait for the user (the SDK's limit).
pub const INTERACTIVE_TIMEOUT: Duration = Duration::from_secs(120);

/// Who plays the browser: the system's, or a command (`MGGRAPH_BROWSER`, used by tests and
/// by hosts that need a specific browser) that gets the URL as its last argument.
#[derive(Debug, Clone)]
pub enum Browser {
    System,
    Command(String),
}

/// What a delegated sign-in needs.
pub struct DelegatedRequest<'a> {
    pub env: &'a Environment,
    pub tenant: &'a str,
    pub client_id: &'a str,
    pub scopes: &'a [String],
    pub login_hint: Option<&'a str>,
}

/// Starts the browser on `url`; `Err` when none could be started.
fn launch(browser: &Browser, url: &str) -> Result<(), String> {
    let mut command = match browser {
        Browser::Command(cmd) => {
            let mut parts = cmd.split_whitespace();
            let program = parts.next().ok_or("MGGRAPH_BROWSER is empty")?;
            let mut c = std::process::Command::new(program);
            c.args(parts);
            c
        }
        Browser::System => {
            if cfg!(target_os = "windows") {
                let mut c = std::process::Command::new("rundll32");
                c.arg("url.dll,FileProtocolHandler");
                c
            } else if cfg!(target_os = "macos") {
                std::process::Command::new("open")
            } else {
                // Without a display there is no browser to open, whatever xdg-open says.
                if std::env::var_os("DISPLAY").is_none()
                    && std::env::var_os("WAYLAND_DISPLAY").is_none()
                {
                    return Err("no graphical display (DISPLAY/WAYLAND_DISPLAY is not set)".into());
                }
                std::process::Command::new("xdg-open")
            }
        }
    };
    command
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map(|_| ())
        .map_err(|e| format!("the browser could not be started: {e}"))
}

/// Reads one HTTP request head from the loopback listener and answers it; returns the
/// request target when it carries the authorization response.
async fn serve_redirect(listener: &TcpListener) -> Result<String, AuthError> {
    loop {
        let (mut stream, _) = listener.accept().await.map_err(|e| {
            AuthError::new(
                "AuthorizationFailed",
                format!("the loopback listener failed: {e}"),
            )
        })?;
        let mut head = Vec::with_capacity(1024);
        let mut buf = [0u8; 1024];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 16 * 1024 {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => head.extend_from_slice(&buf[..n]),
            }
        }
        let text = String::from_utf8_lossy(&head);
        let target = text
            .lines()
            .next()
            .and_then(|l| l.split_whitespace().nth(1))
            .unwrap_or("/")
            .to_string();
        let is_answer = target.contains("code=") || target.contains("error=");
        let (status, body) = if is_answer {
            ("200 OK", "<!doctype html><html><body><h1>Authentication complete.</h1><p>You can close this window and return to PowerShell.</p></body></html>")
        } else {
            ("404 Not Found", "")
        };
        let response = format!(
            "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        let _ = stream.write_all(response.as_bytes()).await;
        let _ = stream.shutdown().await;
        if is_answer {
            return Ok(target);
        }
    }
}

/// Sign-in in the browser with a loopback redirect. `Ok(None)` when no browser could be
/// started (the caller falls back to a device code, as the SDK does).
pub async fn browser_sign_in(
    http: &reqwest::Client,
    req: &DelegatedRequest<'_>,
    browser: &Browser,
    sink: &EventSink,
) -> Result<Option<DelegatedSignIn>, AuthError> {
    let listener = TcpListener::bind("127.0.0.1:0").await.map_err(|e| {
        AuthError::new(
            "AuthorizationFailed",
            format!("no loopback port for the redirect: {e}"),
        )
    })?;
    let port = listener
        .local_addr()
        .map_err(|e| AuthError::new("AuthorizationFailed", e.to_string()))?
        .port();
    // Entra ignores the port of a loopback redirect, so `http://localhost` registrations match.
    let redirect = format!("http://localhost:{port}/");
    let mut launch_error = None;
    let result = authorization_code(
        http,
        AuthCodeRequest {
            env: req.env,
            tenant: req.tenant,
            client_id: req.client_id,
            scopes: req.scopes,
            redirect_uri: &redirect,
            login_hint: req.login_hint,
        },
        |url| {
            let started = launch(browser, &url);
            if let Err(e) = &started {
                launch_error = Some(e.clone());
            }
            async move {
                started.map_err(|e| AuthError::new("BrowserUnavailable", e))?;
                sink.verbose(|| "Waiting for the sign-in to complete in the browser".to_string());
                let target = tokio::time::timeout(INTERACTIVE_TIMEOUT, serve_redirect(&listener))
                    .await
                    .map_err(|_| {
                        AuthError::new(
                            "AuthenticationTimedOut",
                            format!(
                                "Authentication timed out after {} seconds due to inactivity.",
                                INTERACTIVE_TIMEOUT.as_secs()
                            ),
                        )
                    })??;
                Ok(format!("http://localhost:{port}{target}"))
            }
        },
    )
    .await;
    match result {
        Err(e) if e.code == "BrowserUnavailable" => {
            sink.verbose(|| format!("No browser: {}", launch_error.unwrap_or_default()));
            Ok(None)
        }
        other => other.map(Some),
    }
}

/// The device-code flow: prints the SDK's message, polls at the server's interval and
/// honours `slow_down`. Cancelling the call stops the polling.
pub async fn device_code_sign_in(
    http: &reqwest::Client,
    req: &DelegatedRequest<'_>,
    sink: &EventSink,
) -> Result<DelegatedSignIn, AuthError> {
    let device_url =
        DeviceAuthorizationUrl::new(req.env.device_code_url(req.tenant)).map_err(|e| {
            AuthError::new(
                "InvalidEnvironment",
                format!("invalid device code endpoint: {e}"),
            )
        })?;
    let token_url = TokenUrl::new(req.env.token_url(req.tenant)).map_err(|e| {
        AuthError::new("InvalidEnvironment", format!("invalid token endpoint: {e}"))
    })?;
    let client = BasicClient::new(ClientId::new(req.client_id.to_string()))
        .set_auth_type(AuthType::RequestBody)
        .set_device_authorization_url(device_url)
        .set_token_uri(token_url);
    let mut request = client.exchange_device_code();
    for s in req.scopes {
        request = request.add_scope(Scope::new(s.clone()));
    }
    let details: StandardDeviceAuthorizationResponse = request
        .request_async(http)
        .await
        .map_err(|e| super::flows::describe("DeviceCodeCredential", e))?;
    sink.information(format!(
        "To sign in, use a web browser to open the page {} and enter the code {} to authenticate.",
        details.verification_uri().as_str(),
        details.user_code().secret()
    ));
    let token = client
        .exchange_device_access_token(&details)
        .request_async(http, |d| tokio::time::sleep(d), None)
        .await
        .map_err(|e| match e {
            RequestTokenError::ServerResponse(r) => {
                let description = r.error_description().cloned().unwrap_or_default();
                AuthError::new(
                    description
                        .split(':')
                        .next()
                        .filter(|c| c.starts_with("AADSTS"))
                        .unwrap_or("DeviceCodeFailed")
                        .to_string(),
                    format!(
                        "DeviceCodeCredential authentication failed: {} ({})",
                        r.error(),
                        description.lines().next().unwrap_or_default()
                    ),
                )
            }
            RequestTokenError::Request(e) => AuthError::new(
                "AuthenticationRequestFailed",
                format!("DeviceCodeCredential authentication failed: {e}"),
            ),
            other => AuthError::new(
                "DeviceCodeFailed",
                format!("DeviceCodeCredential authentication failed: {other}"),
            ),
        })?;
    let scopes = token
        .scopes()
        .map(|s| s.iter().map(|x| x.to_string()).collect())
        .unwrap_or_else(|| req.scopes.to_vec());
    Ok(DelegatedSignIn {
        access: AccessToken::new(
            token.access_token().secret().clone(),
            token.expires_in().unwrap_or(Duration::from_secs(3599)),
        ),
        refresh_token: token.refresh_token().map(|r| r.secret().clone()),
        scopes,
        account: req.login_hint.map(str::to_string),
    })
}
