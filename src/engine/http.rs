//! The HTTP exchange: tokens, retries, throttling, cancellation and traces.
//!
//! Retries follow the Graph SDKs' RetryHandler: 429, 503 and 504 are retried, honouring
//! `Retry-After` (seconds or an HTTP date), otherwise an exponential backoff with jitter;
//! every retry carries `Retry-Attempt`, and one `client-request-id` is kept across them. A
//! POST is retried only when the service said it did not process it (429, 503) or the
//! connection was never made. A 401 `InvalidAuthenticationToken` gets one token refresh.

use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use rand::Rng;

use super::error::{status_name, GraphError, HttpFailure};
use super::files::{FileSource, OutTarget, WriteFailure};
use super::settings::RequestSettings;
use super::trace;
use crate::auth::Connection;
use crate::call::EventSink;

/// The HTTP clients of a session: one for Graph (redirects followed only within the
/// request's origin, see [`same_origin_redirects`]) and one for token endpoints (no
/// redirects, as OAuth clients should).
#[derive(Debug, Clone)]
pub struct Clients {
    pub graph: reqwest::Client,
    pub auth: reqwest::Client,
    /// The proxy every request goes through (its URI, no credentials), for messages.
    pub proxy: Option<String>,
}

/// The proxy of one cmdlet call: the SDK's runtime parameters `-Proxy` (an `http://` or
/// `https://` URI) and `-ProxyCredential` (sent as `Proxy-Authorization: Basic`, RFC 9110
/// §11.7.1). Without one, requests go direct or through the proxy that `HTTPS_PROXY` /
/// `HTTP_PROXY` / `NO_PROXY` name, as every reqwest client does.
#[derive(Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProxySpec {
    pub uri: String,
    #[serde(default)]
    pub user_name: Option<String>,
    /// A secret: never shown (the `Debug` form hides it) and sent only to the proxy.
    #[serde(default)]
    pub password: Option<String>,
}

impl std::fmt::Debug for ProxySpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProxySpec")
            .field("uri", &self.uri)
            .field("user_name", &self.user_name)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

impl ProxySpec {
    /// The spec as reqwest's proxy for every scheme; an error names `-Proxy` and what is wrong.
    fn to_reqwest(&self) -> Result<reqwest::Proxy, String> {
        let bad = |why: &str| format!("-Proxy: '{}' {why}", self.uri);
        let url = reqwest::Url::parse(&self.uri).map_err(|e| {
            bad(&format!(
                "is not an absolute URI ({e}); give http://host:port."
            ))
        })?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(bad("is not an http:// or https:// URI of a proxy server."));
        }
        let proxy = reqwest::Proxy::all(url).map_err(|e| bad(&e.to_string()))?;
        Ok(match (&self.user_name, &self.password) {
            (Some(user), password) if !user.is_empty() => {
                proxy.basic_auth(user, password.as_deref().unwrap_or(""))
            }
            _ => proxy,
        })
    }
}

impl Clients {
    pub fn new() -> Result<Clients, String> {
        Clients::build(None)
    }

    /// Clients that send every request through `proxy`.
    pub fn via(proxy: &ProxySpec) -> Result<Clients, String> {
        let mut clients = Clients::build(Some(proxy.to_reqwest()?))?;
        clients.proxy = Some(proxy.uri.clone());
        Ok(clients)
    }

    fn build(proxy: Option<reqwest::Proxy>) -> Result<Clients, String> {
        let ua = format!(
            "MgGraph/{} (engine; {}; {})",
            crate::VERSION,
            std::env::consts::OS,
            std::env::consts::ARCH
        );
        let graph = reqwest::Client::builder()
            .user_agent(ua.clone())
            .redirect(same_origin_redirects())
            .pool_max_idle_per_host(64)
            // Below the idle timeouts of front ends (the sandbox's 60 s), so a kept-alive
            // connection is not reused just as the server closes it (a POST lost that way
            // could not be sent again).
            .pool_idle_timeout(Duration::from_secs(50))
            .tcp_nodelay(true)
            .connect_timeout(Duration::from_secs(30));
        let auth = reqwest::Client::builder()
            .user_agent(ua)
            .redirect(reqwest::redirect::Policy::none())
            .tcp_nodelay(true)
            .connect_timeout(Duration::from_secs(30))
            .timeout(Duration::from_secs(120));
        // A token refreshed during the call goes the same way as its Graph requests.
        let (graph, auth) = match proxy {
            Some(p) => (graph.proxy(p.clone()), auth.proxy(p)),
            None => (graph, auth),
        };
        let built = |b: reqwest::ClientBuilder| {
            b.build()
                .map_err(|e| format!("could not create the HTTP client: {e}"))
        };
        Ok(Clients {
            graph: built(graph)?,
            auth: built(auth)?,
            proxy: None,
        })
    }
}

/// Most redirects a Graph request follows.
const MAX_REDIRECTS: usize = 5;

/// A redirect the engine refused to follow: it leads to another origin.
#[derive(Debug)]
pub struct ForeignRedirect {
    /// The origin the redirect pointed at (`https://host:port`).
    pub origin: String,
}

impl std::fmt::Display for ForeignRedirect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "redirected to another origin, {}", self.origin)
    }
}

impl std::error::Error for ForeignRedirect {}

/// The Graph client's redirect policy: follow at most [`MAX_REDIRECTS`] redirects, and only
/// to the origin (scheme, host and port, RFC 6454) of the request. reqwest would follow a
/// redirect anywhere, dropping `Authorization` only when the host or port changes (not the
/// scheme); refusing keeps the token, and the request body, on Graph's origin.
pub fn same_origin_redirects() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let first = attempt.previous().first().map(|u| u.origin());
        let next = attempt.url().origin();
        if first.as_ref() != Some(&next) {
            let origin = next.ascii_serialization();
            attempt.error(ForeignRedirect { origin })
        } else if attempt.previous().len() > MAX_REDIRECTS {
            attempt.error(format!("more than {MAX_REDIRECTS} redirects"))
        } else {
            attempt.follow()
        }
    })
}

/// Whether a method is idempotent (RFC 9110 §9.2.2): sending it twice has the effect of
/// sending it once, so a request whose answer was lost may be sent again. POST and PATCH
/// are not.
pub fn is_idempotent(method: &reqwest::Method) -> bool {
    matches!(
        *method,
        reqwest::Method::GET
            | reqwest::Method::HEAD
            | reqwest::Method::OPTIONS
            | reqwest::Method::TRACE
            | reqwest::Method::PUT
            | reqwest::Method::DELETE
    )
}

/// A request body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Payload {
    /// Bytes in memory (JSON, text, a `-Body`).
    Bytes(Vec<u8>),
    /// A regular file (`-InFile`, `-InputFilePath`), streamed from disk on every attempt and
    /// never held in memory whole.
    File(FileSource),
}

/// A request to send.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: reqwest::Method,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<Payload>,
    /// Whether to attach the connection's token. The token goes only to the origin of the
    /// connection's Graph endpoint: [`Transport::send`] refuses an authenticated request to
    /// any other origin, sending nothing.
    pub authenticate: bool,
    /// Whether the request may be sent again when its answer is lost (a dropped connection,
    /// a timeout, a 504): [`is_idempotent`] of the method, or of every step of a `$batch`.
    pub idempotent: bool,
    /// The parameters whose values went into the URL, with those values (`UserId`, `Filter`,
    /// `Uri`), so an error about the URL names the parameter that made it so.
    pub url_params: Vec<(String, String)>,
    /// The parameter each header came from when not `-Headers` (`ContentType`, `IfMatch`,
    /// `ConsistencyLevel`), by header name.
    pub header_params: Vec<(String, String)>,
}

impl Request {
    pub fn new(method: reqwest::Method, url: impl Into<String>) -> Request {
        Request {
            idempotent: is_idempotent(&method),
            method,
            url: url.into(),
            headers: vec![],
            body: None,
            authenticate: true,
            url_params: vec![],
            header_params: vec![],
        }
    }

    /// Records that `parameter`'s `value` went into the URL.
    pub fn url_param(&mut self, parameter: &str, value: impl Into<String>) {
        self.url_params.push((parameter.to_string(), value.into()));
    }

    /// Adds a header set by a parameter other than `-Headers`.
    pub fn param_header(&mut self, parameter: &str, name: &str, value: impl Into<String>) {
        self.headers.push((name.to_string(), value.into()));
        self.header_params
            .push((name.to_string(), parameter.to_string()));
    }

    /// The body when it is in memory.
    pub fn body_bytes(&self) -> Option<&[u8]> {
        match &self.body {
            Some(Payload::Bytes(b)) => Some(b),
            _ => None,
        }
    }

    /// The parameter a header came from (`Headers` unless recorded otherwise).
    fn header_param(&self, name: &str) -> &str {
        self.header_params
            .iter()
            .rev()
            .find(|(h, _)| h.eq_ignore_ascii_case(name))
            .map(|(_, p)| p.as_str())
            .unwrap_or("Headers")
    }

    /// Checks what makes a request impossible or unsafe to send, before a byte leaves the
    /// machine: a URL that does not parse or is longer than [`MAX_URL_BYTES`], a U+FFFD in a
    /// value that went into the URL (what an unpaired UTF-16 surrogate becomes), header names
    /// that are not HTTP tokens, header values with CR, LF, NUL or other control characters,
    /// and framing or routing headers ([`RESERVED_HEADERS`], and `Authorization` when the
    /// connection's token goes with the request). The error is an `InvalidArgument` that
    /// names the parameter and the limit; [`Transport::send`] never retries it.
    pub fn validate(&self) -> Result<(), GraphError> {
        if let Some(Payload::File(f)) = &self.body {
            let range = self
                .headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("Content-Range"))
                .map(|(_, v)| v.as_str());
            if let Some(problem) =
                super::limits::body_problem(&f.parameter, &self.method, &self.url, f.len, range)
            {
                return Err(GraphError::invalid(problem));
            }
        }
        for (param, value) in &self.url_params {
            if let Some(at) = value.find('\u{FFFD}') {
                let before = value[..at].chars().count();
                return Err(GraphError::invalid(format!(
                    "Cannot validate argument on parameter '{param}'. The value has U+FFFD (the replacement character) at position {before}: text with an unpaired UTF-16 surrogate (half of a character) or decoded with the wrong encoding becomes U+FFFD, and a URL with it would address something else. Nothing was sent."
                )));
            }
        }
        // Errors about the URL name the parameter that made it, when one did (a next link
        // or a redirect is the service's).
        let lead = |param: Option<&str>| match param {
            Some(p) => format!("Cannot validate argument on parameter '{p}'."),
            None => format!("Cannot send {} {}:", self.method, shorten(&self.url, 120)),
        };
        let parsed = url::Url::parse(&self.url).map_err(|e| {
            GraphError::invalid(format!(
                "{} '{}' is not a valid URL ({e}). Nothing was sent.",
                lead(self.url_params.first().map(|(p, _)| p.as_str())),
                shorten(&self.url, 200)
            ))
        })?;
        let length = parsed.as_str().len();
        if length > MAX_URL_BYTES {
            let longest = self
                .url_params
                .iter()
                .map(|(p, v)| (p.as_str(), encoded_len(v), v.chars().count()))
                .max_by_key(|(_, n, _)| *n);
            let share = match longest {
                Some((p, n, chars)) => format!(
                    "; the value of -{p} ({} characters) makes about {} of them",
                    thousands(chars),
                    thousands(n)
                ),
                None => String::new(),
            };
            return Err(GraphError::invalid(format!(
                "{} The request URL would be {} bytes (percent-encoded), over the limit of {} bytes{share}. {URL_LIMIT_REASON} Shorten the value, or use a request that takes it in the body. Nothing was sent.",
                lead(longest.map(|(p, _, _)| p)),
                thousands(length),
                thousands(MAX_URL_BYTES)
            )));
        }
        for (name, value) in &self.headers {
            let param = self.header_param(name);
            if let Some(problem) = header_name_problem(name) {
                return Err(GraphError::invalid(format!(
                    "Cannot validate argument on parameter '{param}'. {problem}; a header name is a token of letters, digits and !#$%&'*+-.^_`|~ (RFC 9110). Nothing was sent."
                )));
            }
            if let Some(problem) = header_value_problem(value) {
                return Err(GraphError::invalid(format!(
                    "Cannot validate argument on parameter '{param}'. The value of header '{name}' contains {problem}; header values cannot contain CR, LF, NUL or other control characters (RFC 9110), which would end the header or the request early. Nothing was sent."
                )));
            }
            let lower = name.to_ascii_lowercase();
            if RESERVED_HEADERS.contains(&lower.as_str()) {
                return Err(GraphError::invalid(format!(
                    "Cannot validate argument on parameter '{param}'. The header '{name}' frames or routes the request and is set by MgGraph from the URL and the body; it cannot be set with -{param}. Nothing was sent."
                )));
            }
            if self.authenticate && lower == "authorization" {
                return Err(GraphError::invalid(format!(
                    "Cannot validate argument on parameter '{param}'. The header 'Authorization' comes from the connection (Connect-MgGraph) and cannot be set with -{param}; to use another token, connect with it (Connect-MgGraph -AccessToken). Nothing was sent."
                )));
            }
        }
        Ok(())
    }

    pub fn header(mut self, name: &str, value: impl Into<String>) -> Request {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    pub fn json_body(mut self, body: &serde_json::Value) -> Request {
        self.body = Some(Payload::Bytes(body.to_string().into_bytes()));
        if !self
            .headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("Content-Type"))
        {
            self.headers
                .push(("Content-Type".into(), "application/json".into()));
        }
        self
    }
}

/// The longest URL the engine sends, in bytes as sent (percent-encoded): 65,534.
///
/// It is the largest request target an HTTP client built on the `http` crate (reqwest,
/// hyper) can represent, and the largest request line HTTP.sys, the front end that answers
/// for Graph, can be configured to accept (`MaxFieldLength`, 64 to 65,534 bytes; its
/// default, 16,384, also bounds the request line and headers together through
/// `MaxRequestBytes`). Nothing longer can reach Graph, so it is refused here; between about
/// 16 KiB and this limit the service itself may refuse the request (414, or 400 "Request Too
/// Long"), and that answer names the URL's length ([`super::error::HttpFailure`]).
pub const MAX_URL_BYTES: usize = 65_534;

const URL_LIMIT_REASON: &str = "That is the longest request line HTTP servers accept (HTTP.sys, Graph's front end, at most 65,534 bytes) and the most this HTTP client can send.";

/// Headers that frame or route the request (RFC 9110 §7.6.1 and §6.4; hop-by-hop headers
/// HTTP/2 forbids): set by the client from the URL and body, never by a caller. A short
/// `Content-Length` would cut the body on the wire, a `Host` would route the request (with
/// the token) elsewhere.
pub const RESERVED_HEADERS: &[&str] = &[
    "host",
    "content-length",
    "transfer-encoding",
    "connection",
    "keep-alive",
    "proxy-connection",
    "te",
    "trailer",
    "upgrade",
];

/// Why `name` is not a valid header name, if it is not.
fn header_name_problem(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("A header name is empty".into());
    }
    let shown = shorten(&name.escape_debug().to_string(), 80);
    let bad = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(*c)))?;
    Some(format!(
        "The header name '{shown}' contains {}",
        char_name(bad)
    ))
}

/// Why `value` cannot be a header value, if it cannot.
fn header_value_problem(value: &str) -> Option<String> {
    value
        .chars()
        .find(|c| c.is_ascii_control() && *c != '\t')
        .map(char_name)
}

fn char_name(c: char) -> String {
    match c {
        '\r' => "a carriage return (CR, U+000D)".into(),
        '\n' => "a line feed (LF, U+000A)".into(),
        '\0' => "a NUL character (U+0000)".into(),
        ' ' => "a space".into(),
        c if c.is_control() => format!("a control character (U+{:04X})", c as u32),
        c => format!("'{c}' (U+{:04X})", c as u32),
    }
}

/// About how many bytes `value` takes percent-encoded in a URL.
fn encoded_len(value: &str) -> usize {
    value
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~$,'()*@!:;".contains(&b) {
                1
            } else {
                3
            }
        })
        .sum()
}

/// `70000` → `70,000`.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The first `max` characters of `text`, with an ellipsis when cut.
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        format!("{}…", text.chars().take(max).collect::<String>())
    }
}

/// A received response (any status).
#[derive(Debug, Clone)]
pub struct Response {
    pub method: String,
    pub url: String,
    pub status: u16,
    pub version: String,
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
    pub retries: u32,
    /// Bytes streamed to the request's [`OutTarget`] (then `body` is empty).
    pub written: Option<u64>,
}

impl Response {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn failure(&self) -> GraphError {
        GraphError::Http(Box::new(HttpFailure {
            method: self.method.clone(),
            url: self.url.clone(),
            status: self.status,
            version: self.version.clone(),
            headers: self.headers.clone(),
            body: String::from_utf8_lossy(&self.body).into_owned(),
            retries: self.retries,
        }))
    }

    /// The body as JSON (`Null` when empty).
    pub fn json(&self) -> Result<serde_json::Value, GraphError> {
        if self.body.is_empty() {
            return Ok(serde_json::Value::Null);
        }
        self.parse()
    }

    /// The body read as `T`, which may borrow from it (raw JSON values stay text).
    pub fn parse<'a, T: serde::Deserialize<'a>>(&'a self) -> Result<T, GraphError> {
        serde_json::from_slice(&self.body).map_err(|e| GraphError::Transport {
            method: self.method.clone(),
            url: self.url.clone(),
            message: format!("the response was not valid JSON ({e})"),
        })
    }
}

/// A pause shared by every request of one call, closed only when throttling is broad.
///
/// When the service answers most recent requests with 429 or 503 and a `Retry-After`, the
/// app's budget is spent: requests sent meanwhile would spend the same budget and be
/// throttled in turn, so the whole call waits. One throttled request among many answered is
/// no such sign (Graph throttles single resources, and a random 429 says nothing about the
/// next request): only that request waits. Evidence is the share of throttled answers among
/// about the last [`Gate::WINDOW`] answers (a `$batch` step is one answer).
#[derive(Debug, Default)]
pub struct Gate {
    until: std::sync::Mutex<Option<Instant>>,
    throttles: std::sync::atomic::AtomicU64,
    recent: std::sync::Mutex<(f64, f64)>,
}

impl Gate {
    /// How many answers the throttled share is measured over.
    pub const WINDOW: f64 = 40.0;
    /// The throttled share from which the whole call pauses.
    pub const BROAD: f64 = 0.5;

    /// How many times the call paused (bulk runs slow down when this moves; an answer that
    /// asks for no wait is no sign of a spent budget).
    pub fn throttles(&self) -> u64 {
        self.throttles.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Answers one response must carry to be evidence on its own (a `$batch`).
    pub const EVIDENCE: u32 = 10;

    /// Records `answered` answers of which `throttled` asked to wait; returns whether
    /// throttling is broad: at least [`Gate::BROAD`] of the recent answers, or of these
    /// answers when they are [`Gate::EVIDENCE`] or more.
    pub fn record(&self, answered: u32, throttled: u32) -> bool {
        let throttled = throttled.min(answered);
        let mut r = self.recent.lock().unwrap_or_else(|p| p.into_inner());
        r.0 += f64::from(answered);
        r.1 += f64::from(throttled);
        let broad = (r.0 > 0.0 && r.1 / r.0 >= Self::BROAD)
            || (answered >= Self::EVIDENCE
                && f64::from(throttled) / f64::from(answered) >= Self::BROAD);
        if r.0 > Self::WINDOW {
            let keep = Self::WINDOW / r.0;
            r.0 *= keep;
            r.1 *= keep;
        }
        broad
    }

    /// Closes the gate for `wait` from now (never shortens a longer pause).
    pub fn hold(&self, wait: Duration) {
        if wait.is_zero() {
            return;
        }
        self.throttles
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let until = Instant::now() + wait;
        let mut g = self.until.lock().unwrap_or_else(|p| p.into_inner());
        if g.map_or(true, |t| t < until) {
            *g = Some(until);
        }
    }

    /// How long the gate stays closed.
    pub fn remaining(&self) -> Option<Duration> {
        let g = self.until.lock().unwrap_or_else(|p| p.into_inner());
        g.and_then(|t| t.checked_duration_since(Instant::now()))
            .filter(|d| !d.is_zero())
    }
}

/// Everything one call needs to send requests.
pub struct Transport<'a> {
    pub clients: &'a Clients,
    pub connection: Option<&'a Connection>,
    pub settings: RequestSettings,
    pub sink: &'a EventSink,
    /// Appended to the User-Agent: the SDK's internal cmdlet name (`Get-MgUser_Get`).
    pub activity: String,
    /// The call's shared pause after a `Retry-After`.
    pub gate: Gate,
}

impl<'a> Transport<'a> {
    pub fn new(
        clients: &'a Clients,
        connection: Option<&'a Connection>,
        settings: RequestSettings,
        sink: &'a EventSink,
        activity: String,
    ) -> Transport<'a> {
        Transport {
            clients,
            connection,
            settings,
            sink,
            activity,
            gate: Gate::default(),
        }
    }
}

/// Bytes of a file body handed to the HTTP stack so far, shared with its reader.
pub type Progress = std::sync::Arc<std::sync::atomic::AtomicU64>;

/// Resolves once `progress` has not moved for `idle` (checked every `idle`, so after between
/// one and two `idle`s without progress).
async fn stalled(progress: &Progress, idle: Duration) {
    let mut seen = progress.load(std::sync::atomic::Ordering::Relaxed);
    loop {
        tokio::time::sleep(idle).await;
        let now = progress.load(std::sync::atomic::Ordering::Relaxed);
        if now == seen {
            return;
        }
        seen = now;
    }
}

/// A response's headers as (name, value) pairs, values read as UTF-8 (lossy).
fn header_pairs(resp: &reqwest::Response) -> Vec<(String, String)> {
    resp.headers()
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect()
}

fn version_name(v: reqwest::Version) -> &'static str {
    match v {
        reqwest::Version::HTTP_09 => "HTTP/0.9",
        reqwest::Version::HTTP_10 => "HTTP/1.0",
        reqwest::Version::HTTP_2 => "HTTP/2.0",
        reqwest::Version::HTTP_3 => "HTTP/3.0",
        _ => "HTTP/1.1",
    }
}

/// The wait a `Retry-After` header asks for (delta-seconds or an HTTP date).
pub fn retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(
        when.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

/// Exponential backoff with jitter: `delay × 2^(attempt-1)`, plus up to 20 %.
pub fn backoff(base_secs: u64, attempt: u32) -> Duration {
    let base =
        Duration::from_secs(base_secs).saturating_mul(1u32 << attempt.saturating_sub(1).min(16));
    let jitter = rand::thread_rng().gen_range(0.0..0.2);
    base.mul_f64(1.0 + jitter)
}

/// Longest single wait the client accepts (the SDK's delay cap).
const MAX_WAIT: Duration = Duration::from_secs(180);

/// Whether a status may be retried for a request.
fn retryable_status(idempotent: bool, status: u16) -> bool {
    match status {
        // Throttled or unavailable: the service did not process the request.
        429 | 503 => true,
        // A gateway timeout may have reached the service: only safe when repeating is.
        504 => idempotent,
        _ => false,
    }
}

/// The origin a redirect was refused for, if that is why the request failed.
fn foreign_redirect(e: &reqwest::Error) -> Option<String> {
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        if let Some(r) = s.downcast_ref::<ForeignRedirect>() {
            return Some(r.origin.clone());
        }
        source = s.source();
    }
    None
}

fn transport_message(e: &reqwest::Error) -> String {
    let mut msg = if e.is_builder() {
        "the request is not valid".to_string()
    } else if e.is_timeout() {
        "the request timed out".to_string()
    } else if e.is_connect() {
        "could not connect".to_string()
    } else {
        "the connection failed".to_string()
    };
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        source = s.source();
    }
    msg
}

impl Transport<'_> {
    async fn sleep(&self, d: Duration) -> Result<(), GraphError> {
        tokio::select! {
            _ = self.sink.cancellation().cancelled() => Err(GraphError::Cancelled),
            _ = tokio::time::sleep(d) => Ok(()),
        }
    }

    /// Sends a request, retrying as the settings allow. Non-success statuses come back as
    /// `Ok(Response)`; the caller decides what they mean.
    pub async fn send(&self, req: &Request) -> Result<Response, GraphError> {
        self.send_to(req, None).await
    }

    /// [`Transport::send`], with a successful (2xx) answer's body streamed to `out` instead of
    /// memory ([`Response::written`] says how much); other answers are read into memory as
    /// usual. A download that fails midway is retried as a lost answer is, into a new
    /// temporary file; a failed or cancelled one leaves `out` as it was.
    pub async fn send_to(
        &self,
        req: &Request,
        out: Option<&OutTarget>,
    ) -> Result<Response, GraphError> {
        // Whatever cannot be sent as asked fails here, once, before anything is sent.
        req.validate()?;
        if req.authenticate {
            let conn = self.connection.ok_or(GraphError::NotConnected)?;
            if !super::uri::same_origin(&req.url, &conn.env) {
                return Err(GraphError::foreign_origin(
                    req.method.as_str(),
                    &req.url,
                    &conn.env.graph_endpoint,
                ));
            }
        }
        if let Some(conn) = self.connection.filter(|_| req.authenticate) {
            conn.record
                .note(req.method.as_str(), &req.url, req.body_bytes());
        }
        let client_request_id = req
            .headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("client-request-id"))
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        let started = Instant::now();
        let mut retries = 0u32;
        let mut waited = Duration::ZERO;
        let mut force_refresh = false;
        let mut refreshed = false;
        loop {
            // The gate may be held longer while we wait: look again after each pause.
            while let Some(wait) = self.gate.remaining() {
                self.sleep(wait).await?;
            }
            let mut headers: Vec<(String, String)> = req
                .headers
                .iter()
                .filter(|(k, _)| !k.eq_ignore_ascii_case("client-request-id"))
                .cloned()
                .collect();
            headers.push(("client-request-id".into(), client_request_id.clone()));
            headers.push((
                "SdkVersion".into(),
                format!("mggraph-powershell/{}", crate::VERSION),
            ));
            if retries > 0 {
                headers.push(("Retry-Attempt".into(), retries.to_string()));
            }
            let timeout = Duration::from_secs(self.settings.client_timeout);
            let streams = out.is_some() || matches!(req.body, Some(Payload::File(_)));
            let mut builder = self.clients.graph.request(req.method.clone(), &req.url);
            // A whole-exchange timeout would cut off a large file on a slow link: files get
            // the same limit on time without progress instead (see `stalled`).
            if !streams {
                builder = builder.timeout(timeout);
            }
            let progress = Progress::default();
            for (k, v) in &headers {
                builder = builder.header(k, v);
            }
            if req.authenticate {
                let conn = self.connection.ok_or(GraphError::NotConnected)?;
                let token = tokio::select! {
                    _ = self.sink.cancellation().cancelled() => return Err(GraphError::Cancelled),
                    t = conn.token(&self.clients.auth, force_refresh) => t.map_err(GraphError::Auth)?,
                };
                builder = builder.bearer_auth(token);
            }
            match &req.body {
                Some(Payload::Bytes(body)) => builder = builder.body(body.clone()),
                Some(Payload::File(file)) => {
                    // Reopened for every attempt: a retry sends the file again from disk.
                    builder = builder
                        .header(reqwest::header::CONTENT_LENGTH, file.len)
                        .body(file.body(progress.clone())?);
                }
                None => {}
            }
            self.sink.debug(|| {
                let shown = match &req.body {
                    Some(Payload::File(f)) => {
                        format!("<{} bytes from the file '{}'>", f.len, f.path.display())
                            .into_bytes()
                    }
                    _ => req.body_bytes().unwrap_or_default().to_vec(),
                };
                trace::request_block(req.method.as_str(), &req.url, &headers, &shown)
            });
            let attempt_started = Instant::now();
            let sent = tokio::select! {
                _ = self.sink.cancellation().cancelled() => return Err(GraphError::Cancelled),
                r = builder.send() => r,
                _ = stalled(&progress, timeout), if streams => return Err(GraphError::Transport {
                    method: req.method.to_string(),
                    url: req.url.clone(),
                    message: format!("the request timed out: no progress for {} s (ClientTimeout)", timeout.as_secs()),
                }),
            };
            let outcome = match sent {
                Ok(mut resp) if out.is_some() && resp.status().is_success() => {
                    let status = resp.status().as_u16();
                    let version = version_name(resp.version()).to_string();
                    let resp_headers = header_pairs(&resp);
                    let target = out.expect("checked above");
                    match target
                        .receive(&mut resp, self.sink.cancellation(), timeout)
                        .await
                    {
                        Ok(n) => Ok((status, version, resp_headers, Bytes::new(), Some(n))),
                        Err(WriteFailure::Cancelled) => return Err(GraphError::Cancelled),
                        Err(WriteFailure::Disk(e)) => return Err(e),
                        Err(WriteFailure::Stalled) => {
                            return Err(GraphError::Transport {
                                method: req.method.to_string(),
                                url: req.url.clone(),
                                message: format!("the download timed out: no data for {} s (ClientTimeout); the file was left as it was", timeout.as_secs()),
                            })
                        }
                        Err(WriteFailure::Receive(e)) => Err(e),
                    }
                }
                Ok(resp) => {
                    let status = resp.status().as_u16();
                    let version = version_name(resp.version()).to_string();
                    let resp_headers = header_pairs(&resp);
                    let body = tokio::select! {
                        _ = self.sink.cancellation().cancelled() => return Err(GraphError::Cancelled),
                        b = resp.bytes() => b,
                    };
                    match body {
                        Ok(body) => Ok((status, version, resp_headers, body, None)),
                        Err(e) => Err(e),
                    }
                }
                Err(e) => Err(e),
            };
            match outcome {
                Err(e) if e.is_builder() => {
                    // The request could not be built (reqwest refused a part of it): nothing
                    // was sent, and sending it again would fail the same way.
                    let message = transport_message(&e);
                    self.sink
                        .verbose(|| format!("{} {}: not sent: {message}", req.method, req.url));
                    return Err(GraphError::invalid(format!(
                        "{} {} could not be built, so nothing was sent: {message}.",
                        req.method,
                        shorten(&req.url, 200)
                    )));
                }
                Err(e) => {
                    if let Some(origin) = foreign_redirect(&e) {
                        self.sink.verbose(|| {
                            format!(
                                "{} {}: redirected to {origin}; not followed (another origin)",
                                req.method, req.url
                            )
                        });
                        return Err(GraphError::foreign_origin(
                            req.method.as_str(),
                            &origin,
                            &self
                                .connection
                                .map(|c| c.env.graph_endpoint.clone())
                                .unwrap_or_else(|| req.url.clone()),
                        ));
                    }
                    // Never connected: nothing was sent. Otherwise the service may have the
                    // request, and only an idempotent one may go again.
                    let safe = e.is_connect() || req.idempotent;
                    let mut message = transport_message(&e);
                    if let Some(proxy) = &self.clients.proxy {
                        message = format!("through the proxy {proxy}: {message}");
                    }
                    if safe && retries < self.settings.max_retry {
                        let delay = backoff(self.settings.retry_delay, retries + 1);
                        if self.within_limit(waited + delay) {
                            self.sink.verbose(|| {
                                format!(
                                    "{} {}: {message}; retrying in {:.1} s (attempt {})",
                                    req.method,
                                    req.url,
                                    delay.as_secs_f64(),
                                    retries + 1
                                )
                            });
                            self.sleep(delay).await?;
                            waited += delay;
                            retries += 1;
                            continue;
                        }
                    }
                    self.sink.verbose(|| {
                        format!(
                            "{} {}: {message} ({} ms, {retries} retries)",
                            req.method,
                            req.url,
                            started.elapsed().as_millis()
                        )
                    });
                    if !e.is_connect() && !req.idempotent {
                        return Err(GraphError::OutcomeUnknown {
                            method: req.method.to_string(),
                            url: req.url.clone(),
                            message,
                            check: None,
                        });
                    }
                    return Err(GraphError::Transport {
                        method: req.method.to_string(),
                        url: req.url.clone(),
                        message,
                    });
                }
                Ok((status, version, resp_headers, body, written)) => {
                    self.sink
                        .debug(|| trace::response_block(status, &resp_headers, &body));
                    let response = Response {
                        method: req.method.to_string(),
                        url: req.url.clone(),
                        status,
                        version,
                        headers: resp_headers,
                        body,
                        retries,
                        written,
                    };
                    if status == 401
                        && req.authenticate
                        && !refreshed
                        && String::from_utf8_lossy(&response.body)
                            .contains("InvalidAuthenticationToken")
                    {
                        // The token may have been revoked or expired early: refresh once.
                        refreshed = true;
                        force_refresh = true;
                        self.sink.verbose(|| format!("{} {}: 401 InvalidAuthenticationToken; refreshing the token and retrying once", req.method, req.url));
                        continue;
                    }
                    force_refresh = false;
                    let throttled = matches!(status, 429 | 503);
                    let broad = self.gate.record(1, u32::from(throttled));
                    if retryable_status(req.idempotent, status) && retries < self.settings.max_retry
                    {
                        let asked = response.header("Retry-After").and_then(retry_after);
                        let delay = asked
                            .unwrap_or_else(|| backoff(self.settings.retry_delay, retries + 1))
                            .min(MAX_WAIT);
                        if self.within_limit(waited + delay) {
                            if asked.is_some() && broad {
                                self.gate.hold(delay);
                            }
                            self.sink.verbose(|| {
                                format!(
                                    "{} {}: {status} ({}); retrying in {:.1} s (attempt {})",
                                    req.method,
                                    req.url,
                                    status_name(status),
                                    delay.as_secs_f64(),
                                    retries + 1
                                )
                            });
                            self.sleep(delay).await?;
                            waited += delay;
                            retries += 1;
                            continue;
                        }
                    }
                    self.sink.verbose(|| {
                        format!(
                            "{} {}: {status} {} ({} ms, {retries} {})",
                            req.method,
                            req.url,
                            status_name(status),
                            attempt_started.elapsed().as_millis(),
                            if retries == 1 { "retry" } else { "retries" }
                        )
                    });
                    return Ok(response);
                }
            }
        }
    }

    fn within_limit(&self, total_wait: Duration) -> bool {
        self.settings.retries_time_limit == 0
            || total_wait <= Duration::from_secs(self.settings.retries_time_limit)
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_proxy_spec_hides_its_password_and_names_a_bad_uri() {
        let spec = ProxySpec {
            uri: "http://proxy.corp:3128".into(),
            user_name: Some("ann".into()),
            password: Some("hunter2".into()),
        };
        let shown = format!("{spec:?}");
        assert!(
            shown.contains("proxy.corp") && !shown.contains("hunter2"),
            "{shown}"
        );
        assert!(Clients::via(&spec).is_ok());
        let bad = ProxySpec {
            uri: "socks9://proxy".into(),
            ..spec
        };
        let e = Clients::via(&bad).unwrap_err();
        assert!(
            e.starts_with("-Proxy: 'socks9://proxy' is not an http://"),
            "{e}"
        );
    }

    use super::*;

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        assert_eq!(retry_after("7"), Some(Duration::from_secs(7)));
        let later = SystemTime::now() + Duration::from_secs(30);
        let d = retry_after(&httpdate::fmt_http_date(later)).unwrap();
        assert!(
            d <= Duration::from_secs(30) && d >= Duration::from_secs(28),
            "{d:?}"
        );
        assert_eq!(
            retry_after(&httpdate::fmt_http_date(SystemTime::UNIX_EPOCH)),
            Some(Duration::ZERO)
        );
        assert_eq!(retry_after("soon"), None);
    }

    #[test]
    fn the_gate_keeps_the_longest_pause() {
        let g = Gate::default();
        assert_eq!(g.remaining(), None);
        g.hold(Duration::from_secs(5));
        g.hold(Duration::from_secs(1));
        let left = g.remaining().unwrap();
        assert!(left > Duration::from_secs(4), "{left:?}");
        g.hold(Duration::ZERO);
        assert!(g.remaining().is_some());
        assert_eq!(g.throttles(), 2, "a zero wait is not counted");
        let short = Gate::default();
        short.hold(Duration::from_millis(1));
        std::thread::sleep(Duration::from_millis(5));
        assert_eq!(short.remaining(), None, "an expired pause is open");
    }

    #[test]
    fn backoff_doubles_with_bounded_jitter() {
        for (attempt, base) in [(1, 3.0), (2, 6.0), (3, 12.0)] {
            let d = backoff(3, attempt).as_secs_f64();
            assert!(d >= base && d < base * 1.2, "attempt {attempt}: {d}");
        }
        assert_eq!(backoff(0, 3), Duration::ZERO);
    }

    #[test]
    fn posts_are_retried_only_when_not_processed() {
        let post = is_idempotent(&reqwest::Method::POST);
        let get = is_idempotent(&reqwest::Method::GET);
        assert!(!post && !is_idempotent(&reqwest::Method::PATCH));
        assert!(
            get && is_idempotent(&reqwest::Method::PUT) && is_idempotent(&reqwest::Method::DELETE)
        );
        assert!(retryable_status(post, 429));
        assert!(retryable_status(post, 503));
        assert!(!retryable_status(post, 504));
        assert!(retryable_status(get, 504));
        assert!(!retryable_status(get, 500));
    }

    fn invalid_message(r: &Request) -> String {
        match r.validate() {
            Err(GraphError::Invalid { message }) => message,
            other => panic!("expected an InvalidArgument, got {other:?}"),
        }
    }

    #[test]
    fn requests_are_validated_before_sending() {
        let ok = Request::new(reqwest::Method::GET, "https://graph.microsoft.com/v1.0/me")
            .header("ConsistencyLevel", "eventual")
            .header("Prefer", "outlook.timezone=\"W. Europe Standard Time\"\t");
        assert!(ok.validate().is_ok());
        // Authorization only when the connection's token does not go with the request.
        let mut own = ok.clone().header("Authorization", "Bearer x");
        assert!(invalid_message(&own).contains("'Authorization' comes from the connection"));
        own.authenticate = false;
        assert!(own.validate().is_ok());
        for (name, value, says) in [
            ("", "v", "A header name is empty"),
            ("X Note", "v", "contains a space"),
            ("X-Note\r\nHost", "v", "carriage return"),
            ("X-Note:", "v", "':'"),
            ("X-Note", "a\r\nHost: evil", "carriage return"),
            ("X-Note", "a\nb", "line feed"),
            ("X-Note", "a\0b", "NUL"),
            ("X-Note", "a\u{7f}b", "U+007F"),
            ("host", "evil.example", "'host' frames or routes"),
            ("Content-Length", "1", "'Content-Length' frames or routes"),
            ("Transfer-Encoding", "chunked", "frames or routes"),
            ("Connection", "close", "frames or routes"),
        ] {
            let r = ok.clone().header(name, value);
            let m = invalid_message(&r);
            assert!(
                m.starts_with("Cannot validate argument on parameter 'Headers'.")
                    && m.contains(says),
                "{name:?}: {m}"
            );
            assert!(!m.contains("evil"), "values are not echoed: {m}");
        }
        let mut typed = ok.clone();
        typed.param_header("IfMatch", "If-Match", "W/\"1\"\r\n");
        assert!(
            invalid_message(&typed).starts_with("Cannot validate argument on parameter 'IfMatch'.")
        );

        // The URL: its length as sent, and U+FFFD in what a parameter put there.
        let id = "a".repeat(MAX_URL_BYTES);
        let mut long = Request::new(
            reqwest::Method::GET,
            format!("https://graph.microsoft.com/v1.0/users/{id}"),
        );
        long.url_param("UserId", id);
        let m = invalid_message(&long);
        assert!(
            m.starts_with("Cannot validate argument on parameter 'UserId'."),
            "{m}"
        );
        assert!(
            m.contains("65,534 bytes") && m.contains("65,534 characters"),
            "{m}"
        );
        let cjk = "漢".repeat(MAX_URL_BYTES / 9 + 1);
        let mut long = Request::new(
            reqwest::Method::GET,
            format!("https://graph.microsoft.com/v1.0/users/{cjk}"),
        );
        long.url_param("UserId", cjk);
        assert!(invalid_message(&long).contains("over the limit of 65,534 bytes"));
        let fits = "a".repeat(MAX_URL_BYTES - "https://graph.microsoft.com/v1.0/users/".len());
        assert!(Request::new(
            reqwest::Method::GET,
            format!("https://graph.microsoft.com/v1.0/users/{fits}")
        )
        .validate()
        .is_ok());
        let mut replaced = Request::new(
            reqwest::Method::GET,
            "https://graph.microsoft.com/v1.0/users/ab\u{FFFD}",
        );
        replaced.url_param("UserId", "ab\u{FFFD}");
        let m = invalid_message(&replaced);
        assert!(
            m.starts_with("Cannot validate argument on parameter 'UserId'.")
                && m.contains("position 2")
                && m.contains("unpaired UTF-16 surrogate"),
            "{m}"
        );
    }

    #[test]
    fn only_broad_throttling_pauses_the_call() {
        let g = Gate::default();
        // A batch of 20 with 4 throttled steps, then a throttled request alone: not broad.
        assert!(!g.record(20, 4));
        assert!(!g.record(1, 1));
        assert!(!g.record(20, 5));
        // Most answers throttled: the budget is spent.
        assert!(g.record(20, 20));
        assert!(g.record(20, 18));
        // The window forgets: a run of successes makes one throttle isolated again.
        for _ in 0..5 {
            g.record(20, 0);
        }
        assert!(!g.record(1, 1));
        // A first answer that is throttled is all the evidence there is.
        assert!(Gate::default().record(1, 1));
    }
}
