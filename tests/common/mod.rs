//! Helpers shared by the integration tests: a sandbox on loopback and tokens for it.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use mggraph::call::{Call, Event, Next};
use mggraph::session::Session;

use mggraph::sandbox::{Sandbox, SandboxConfig};
use serde_json::{json, Value};

pub async fn sandbox(config: SandboxConfig) -> Sandbox {
    let addr: SocketAddr = "127.0.0.1:0".parse().unwrap();
    Sandbox::start(addr, config)
        .await
        .expect("the sandbox starts")
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// An app-only token of the sandbox's automation app.
pub async fn app_token(s: &Sandbox) -> String {
    let resp = client()
        .post(format!("{}/{}/oauth2/v2.0/token", s.base_url, s.tenant_id))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", s.client_id.as_str()),
            ("client_secret", s.client_secret.as_str()),
            ("scope", "https://graph.microsoft.com/.default"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    body["access_token"].as_str().unwrap().to_string()
}

/// A delegated token request for `user` with `scopes`, through /authorize (approved by the
/// form) and the code exchange with PKCE: the token endpoint's answer (status and body).
pub async fn sign_in(s: &Sandbox, user: &str, scopes: &str) -> (u16, Value) {
    use base64::Engine;
    use sha2::Digest;
    let verifier = "a-very-long-code-verifier-of-at-least-43-characters-0123456789";
    let challenge =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier));
    let authorize = format!(
        "{}/{}/oauth2/v2.0/authorize?client_id=14d82eec-204b-4c2f-b7e8-296a70dab67e&response_type=code&redirect_uri=http%3A%2F%2Flocalhost&scope={}&state=xyz&code_challenge={challenge}&code_challenge_method=S256",
        s.base_url,
        s.tenant_id,
        urlencode(scopes)
    );
    let resp = client()
        .post(&authorize)
        .form(&[("login", user)])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 302, "{}", resp.text().await.unwrap());
    let location = resp.headers()["location"].to_str().unwrap().to_string();
    let url = url::Url::parse(&location).unwrap();
    let code = url
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .to_string();
    assert_eq!(
        url.query_pairs().find(|(k, _)| k == "state").unwrap().1,
        "xyz"
    );
    let resp = client()
        .post(format!("{}/{}/oauth2/v2.0/token", s.base_url, s.tenant_id))
        .form(&[
            ("grant_type", "authorization_code"),
            ("client_id", "14d82eec-204b-4c2f-b7e8-296a70dab67e"),
            ("code", code.as_str()),
            ("redirect_uri", "http://localhost"),
            ("code_verifier", verifier),
        ])
        .send()
        .await
        .unwrap();
    (resp.status().as_u16(), resp.json().await.unwrap())
}

/// A delegated token for `user` with `scopes` ([`sign_in`], which must succeed).
pub async fn user_token(s: &Sandbox, user: &str, scopes: &str) -> Value {
    let (status, body) = sign_in(s, user, scopes).await;
    assert_eq!(status, 200, "{body}");
    body
}

/// A client of the sandbox acting as `user` with delegated `scopes` ([`user_token`]).
pub async fn user_graph(s: &Sandbox, user: &str, scopes: &str) -> Graph {
    let token = user_token(s, user, scopes).await;
    Graph {
        base: s.base_url.clone(),
        token: token["access_token"].as_str().unwrap().to_string(),
    }
}

/// A GET with `ConsistencyLevel: eventual` (advanced queries): status and body.
pub async fn eventual(g: &Graph, path: &str) -> (u16, Value) {
    let resp = client()
        .get(format!("{}{}", g.base, path))
        .bearer_auth(&g.token)
        .header("ConsistencyLevel", "eventual")
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

pub fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// A small client for Graph calls with one token.
pub struct Graph {
    pub base: String,
    pub token: String,
}

impl Graph {
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, reqwest::header::HeaderMap, Value) {
        let mut req = client()
            .request(method, format!("{}{}", self.base, path))
            .bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let text = resp.text().await.unwrap();
        let value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(json!(text))
        };
        (status, headers, value)
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        let (s, _, v) = self.send(reqwest::Method::GET, path, None).await;
        (s, v)
    }

    pub async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        let (s, _, v) = self.send(reqwest::Method::POST, path, Some(body)).await;
        (s, v)
    }

    /// `POST` that must create: asserts Graph's 201 (naming the path and the answer) and
    /// returns the created object.
    pub async fn created(&self, path: &str, body: Value) -> Value {
        let (status, v) = self.post(path, body).await;
        assert_eq!(status, 201, "POST {path}: {v}");
        v
    }

    pub async fn patch(&self, path: &str, body: Value) -> (u16, Value) {
        let (s, _, v) = self.send(reqwest::Method::PATCH, path, Some(body)).await;
        (s, v)
    }

    pub async fn delete(&self, path: &str) -> (u16, Value) {
        let (s, _, v) = self.send(reqwest::Method::DELETE, path, None).await;
        (s, v)
    }
}

pub async fn app_graph(s: &Sandbox) -> Graph {
    Graph {
        base: s.base_url.clone(),
        token: app_token(s).await,
    }
}

/// Every event of an engine call until it is done, waiting up to `wait` for each.
pub fn drain_call(call: &Call, wait: Duration) -> Vec<Event> {
    let mut events = vec![];
    loop {
        match call.next(wait) {
            Next::Event(e) => events.push(e),
            Next::Done => return events,
            Next::Pending => continue,
            Next::Cancelled => panic!("cancelled"),
        }
    }
}

/// Starts an engine call from its JSON request and drains it.
pub fn run_call(session: &Arc<Session>, request: &Value, wait: Duration) -> Vec<Event> {
    drain_call(&session.start_call(&request.to_string()).unwrap(), wait)
}

/// Creates an enabled user `nick@contoso.onmicrosoft.com` through `POST /v1.0/users`; its id.
pub async fn make_user(g: &Graph, nick: &str) -> String {
    let user = g
        .created(
            "/v1.0/users",
            json!({"accountEnabled": true, "displayName": nick, "mailNickname": nick,
                   "userPrincipalName": format!("{nick}@contoso.onmicrosoft.com"),
                   "passwordProfile": {"password": "xWwvJ]6NMw+bWH-d"}}),
        )
        .await;
    user["id"].as_str().unwrap().to_string()
}

/// An RFC 3339 date-time string (Graph's `Edm.DateTimeOffset` in JSON) as seconds since the
/// Unix epoch; `None` for a non-string or a string that does not parse.
pub fn unix_seconds(v: &Value) -> Option<i64> {
    v.as_str()
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.timestamp())
}

/// A sandbox without the demo data (only the built-in objects) and an app-only client of it.
pub async fn blank() -> (Sandbox, Graph) {
    let s = sandbox(SandboxConfig {
        demo: None,
        ..SandboxConfig::default()
    })
    .await;
    let g = app_graph(&s).await;
    (s, g)
}

/// A security group (`unified` false) or a Microsoft 365 group, created through Graph; its id.
pub async fn new_group(g: &Graph, nick: &str, unified: bool) -> String {
    let group = g
        .created(
            "/v1.0/groups",
            json!({
                "displayName": nick, "mailNickname": nick, "mailEnabled": unified,
                "securityEnabled": !unified,
                "groupTypes": if unified { json!(["Unified"]) } else { json!([]) },
            }),
        )
        .await;
    group["id"].as_str().unwrap().to_string()
}

/// The string `key` of every item of a collection page's `value`, in order (a missing or
/// non-string member panics, naming the key).
pub fn strings<'a>(page: &'a Value, key: &str) -> Vec<&'a str> {
    page["value"]
        .as_array()
        .unwrap_or_else(|| panic!("not a collection page: {page}"))
        .iter()
        .map(|item| {
            item[key]
                .as_str()
                .unwrap_or_else(|| panic!("no string {key}: {item}"))
        })
        .collect()
}

/// The string `key` of every item a list at `path` answers (which must be 200), in order.
pub async fn listed_by(g: &Graph, path: &str, key: &str) -> Vec<String> {
    let (status, page) = g.get(path).await;
    assert_eq!(status, 200, "GET {path}: {page}");
    strings(&page, key)
        .into_iter()
        .map(str::to_string)
        .collect()
}

/// `PUT` of raw `bytes` of media type `content_type` at `path` (a stream: a file's content,
/// a photo's `$value`): status and the answer.
pub async fn put_media(g: &Graph, path: &str, content_type: &str, bytes: &[u8]) -> (u16, Value) {
    let resp = client()
        .put(format!("{}{path}", g.base))
        .bearer_auth(&g.token)
        .header("Content-Type", content_type)
        .body(bytes.to_vec())
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

/// [`put_media`] of `application/octet-stream`.
pub async fn put_bytes(g: &Graph, path: &str, bytes: &[u8]) -> (u16, Value) {
    put_media(g, path, "application/octet-stream", bytes).await
}

/// `GET` of a stream at `path`: status and the bytes.
pub async fn get_bytes(g: &Graph, path: &str) -> (u16, Vec<u8>) {
    let resp = client()
        .get(format!("{}{path}", g.base))
        .bearer_auth(&g.token)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.bytes().await.unwrap().to_vec())
}
