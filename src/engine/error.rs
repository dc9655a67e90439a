//! Errors of the engine and the ErrorRecord descriptions the module turns them into.
//!
//! Messages follow the SDK's layouts so scripts that parse them keep working:
//! generated cmdlets put the service message first, then `Status:`, `ErrorCode:`, `Date:` and
//! the response headers; `Invoke-MgGraphRequest` shows an HTTP-style dump and terminates.

use serde_json::{json, Value};

use crate::auth::AuthError;

/// A Graph response that was not a success.
#[derive(Debug, Clone)]
pub struct HttpFailure {
    pub method: String,
    pub url: String,
    pub status: u16,
    pub version: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
    pub retries: u32,
}

impl HttpFailure {
    fn error_field(&self, name: &str) -> Option<String> {
        let v: Value = serde_json::from_str(&self.body).ok()?;
        let e = v.get("error")?;
        match e.get(name)? {
            Value::String(s) => Some(s.clone()),
            other => Some(other.to_string()),
        }
    }

    /// Graph's `error.code`.
    pub fn code(&self) -> Option<String> {
        self.error_field("code")
    }

    /// Graph's `error.message`, or the raw body when it is not a Graph error.
    pub fn service_message(&self) -> String {
        self.error_field("message").unwrap_or_else(|| {
            if let Some(m) = self.too_long_message() {
                m
            } else if self.body.trim().is_empty() {
                format!(
                    "The request failed with status {} ({}).",
                    self.status,
                    status_name(self.status)
                )
            } else {
                self.body.clone()
            }
        })
    }

    /// For a request the server refused as too long without a Graph error (414 URI Too Long,
    /// or HTTP.sys's 400 "Request Too Long" page): a message naming the URL's length.
    fn too_long_message(&self) -> Option<String> {
        let html_too_long = self.status == 400
            && (self.body.contains("Request Too Long")
                || self.body.contains("request headers is too long"));
        if self.status != 414 && !html_too_long {
            return None;
        }
        let length = url::Url::parse(&self.url)
            .map(|u| u.as_str().len())
            .unwrap_or(self.url.len());
        Some(format!(
            "The server refused the request as too long ({} {}): its URL is {} bytes (percent-encoded). Servers commonly accept request lines of 8 to 16 KiB (HTTP.sys, Graph's front end, 16,384 bytes for the request line and headers by default); shorten the URL (fewer values in -Filter or -Property, a shorter id), or use a request that takes the values in its body.{}",
            self.status,
            status_name(self.status),
            super::http::thousands(length),
            if self.body.trim().is_empty() {
                String::new()
            } else {
                format!(" The server answered: {}", self.body.trim())
            }
        ))
    }

    /// `innerError.date` (Graph's own timestamp of the failure).
    pub fn date(&self) -> Option<String> {
        let v: Value = serde_json::from_str(&self.body).ok()?;
        let inner = v.get("error")?;
        let inner = inner
            .get("innerError")
            .or_else(|| inner.get("innererror"))?;
        inner.get("date")?.as_str().map(str::to_string)
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Why an operation failed.
#[derive(Debug, Clone)]
pub enum GraphError {
    Http(Box<HttpFailure>),
    NotConnected,
    Auth(AuthError),
    /// The connection failed or dropped, or the request timed out.
    Transport {
        method: String,
        url: String,
        message: String,
    },
    Cancelled,
    /// Input the engine refused before sending anything.
    Invalid {
        message: String,
    },
    /// The service's `@odata.nextLink` repeats a page already requested: paging stopped.
    RepeatedNextLink {
        url: String,
        pages: u32,
    },
    /// A request the access token would have gone with leads to another origin than the
    /// session's Graph endpoint (a next link, a redirect, an absolute URI): nothing was sent
    /// there.
    ForeignOrigin {
        method: String,
        /// The foreign URL (or origin, for a redirect).
        url: String,
        /// The session's Graph endpoint.
        endpoint: String,
    },
    /// The connection failed after a request that is not idempotent was sent: the service
    /// may or may not have applied it, so it was not sent again.
    OutcomeUnknown {
        method: String,
        url: String,
        message: String,
        /// How to find out, when the command knows (`Get-MgUser -UserId 'x'`).
        check: Option<String>,
    },
}

impl GraphError {
    pub fn invalid(message: impl Into<String>) -> GraphError {
        GraphError::Invalid {
            message: message.into(),
        }
    }

    /// The error for a request to another origin than `endpoint`'s.
    pub fn foreign_origin(method: &str, url: &str, endpoint: &str) -> GraphError {
        GraphError::ForeignOrigin {
            method: method.to_string(),
            url: url.to_string(),
            endpoint: endpoint.to_string(),
        }
    }

    /// Adds how to check the outcome to an [`GraphError::OutcomeUnknown`] that has none.
    pub fn with_check(self, check: impl FnOnce() -> Option<String>) -> GraphError {
        match self {
            GraphError::OutcomeUnknown {
                method,
                url,
                message,
                check: None,
            } => GraphError::OutcomeUnknown {
                method,
                url,
                message,
                check: check(),
            },
            other => other,
        }
    }
}

/// The `scheme://host:port` of a URL (the URL itself when it does not parse).
pub fn origin_of(url: &str) -> String {
    url::Url::parse(url)
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_else(|_| url.to_string())
}

/// The .NET `HttpStatusCode` name the SDK prints (`404 (NotFound)`).
pub fn status_name(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "NoContent",
        301 => "MovedPermanently",
        302 => "Found",
        304 => "NotModified",
        400 => "BadRequest",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "NotFound",
        405 => "MethodNotAllowed",
        406 => "NotAcceptable",
        409 => "Conflict",
        410 => "Gone",
        412 => "PreconditionFailed",
        413 => "RequestEntityTooLarge",
        414 => "RequestUriTooLong",
        415 => "UnsupportedMediaType",
        422 => "UnprocessableEntity",
        423 => "Locked",
        424 => "FailedDependency",
        429 => "TooManyRequests",
        500 => "InternalServerError",
        501 => "NotImplemented",
        502 => "BadGateway",
        503 => "ServiceUnavailable",
        504 => "GatewayTimeout",
        _ => "Unknown",
    }
}

/// The reason phrase of an HTTP status line (`404 Not Found`).
pub fn reason_phrase(status: u16) -> &'static str {
    reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("")
}

/// How the calling command reports errors.
#[derive(Debug, Clone)]
pub enum ErrorStyle {
    /// A generated cmdlet: non-terminating, FQEID `<code>,<namespace>.<VerbNoun>_<Set>`.
    Cmdlet {
        /// `Get-MgUser_Get`.
        activity: String,
        /// `Microsoft.Graph.PowerShell.Cmdlets`.
        namespace: String,
        /// The bound path and query parameters (the SDK's target object).
        target: Value,
    },
    /// `Invoke-MgGraphRequest`: terminating, FQEID `InvokeGraphHttpResponseException`.
    InvokeRequest,
    /// A hand-written command (Connect-MgGraph, ...).
    Command { name: String, terminating: bool },
}

/// The padded `Name : Value` layout PowerShell's list view uses for the header dump.
fn header_block(headers: &[(String, String)]) -> String {
    let mut out = String::new();
    for (k, v) in headers {
        out.push_str(&format!("{k:<30}: {v}\n"));
    }
    out
}

/// The SDK's message for a failed generated cmdlet.
pub fn cmdlet_message(f: &HttpFailure) -> String {
    let mut msg = f.service_message();
    if f.retries > 0 && matches!(f.status, 429 | 503 | 504) {
        msg.push_str(&format!(
            " (MgGraph retried {} time{} before giving up.)",
            f.retries,
            if f.retries == 1 { "" } else { "s" }
        ));
    }
    format!(
        "{msg}\n\nStatus: {} ({})\nErrorCode: {}\nDate: {}\n\nHeaders:\n{}",
        f.status,
        status_name(f.status),
        f.code().unwrap_or_default(),
        f.date().unwrap_or_default(),
        header_block(&f.headers)
    )
    .trim_end()
    .to_string()
}

/// `Invoke-MgGraphRequest`'s HTTP-style dump.
pub fn invoke_message(f: &HttpFailure) -> String {
    let mut out = format!(
        "{} {}\n{} {} {}\n",
        f.method,
        f.url,
        f.version,
        f.status,
        reason_phrase(f.status)
    );
    for (k, v) in &f.headers {
        out.push_str(&format!("{k}: {v}\n"));
    }
    out.push('\n');
    out.push_str(&f.body);
    if f.body.trim().is_empty() {
        // An empty refusal as too long says nothing by itself: name the URL's length.
        if let Some(m) = f.too_long_message() {
            out.push_str(&m);
        }
    }
    out
}

pub const NOT_CONNECTED: &str = "Authentication needed. Please call Connect-MgGraph.";

/// The JSON description of one ErrorRecord.
pub fn describe(err: &GraphError, style: &ErrorStyle) -> Value {
    let (message, code, category, status, request_id, recommended) = match err {
        GraphError::Http(f) => {
            let message = match style {
                ErrorStyle::InvokeRequest => invoke_message(f),
                _ => cmdlet_message(f),
            };
            let code = f.code().unwrap_or_else(|| "UnknownError".into());
            (
                message,
                code,
                "InvalidOperation",
                Some(f.status),
                f.header("request-id").map(str::to_string),
                None,
            )
        }
        GraphError::NotConnected => (
            NOT_CONNECTED.to_string(),
            "AuthenticationNeeded".to_string(),
            "AuthenticationError",
            None,
            None,
            Some("Run Connect-MgGraph, for example Connect-MgGraph -Environment Sandbox."),
        ),
        GraphError::Auth(e) => (
            e.message.clone(),
            e.code.clone(),
            "AuthenticationError",
            None,
            None,
            e.recommended.as_deref(),
        ),
        GraphError::Transport {
            method,
            url,
            message,
        } => (
            format!("{method} {url} failed: {message}"),
            "ConnectionError".to_string(),
            "ConnectionError",
            None,
            None,
            None,
        ),
        GraphError::ForeignOrigin {
            method,
            url,
            endpoint,
        } => {
            let host = url::Url::parse(url)
                .ok()
                .and_then(|u| u.host_str().map(str::to_string))
                .unwrap_or_else(|| url.clone());
            (
                format!(
                    "{method} {url} was not sent: its origin {} (host {host}) is not the session's Graph endpoint {}, and MgGraph sends the access token only to Graph's own origin.",
                    origin_of(url),
                    origin_of(endpoint)
                ),
                "ForeignOrigin".to_string(),
                "SecurityError",
                None,
                None,
                Some("Use a URL on the connected environment's Graph endpoint; a link to another host in a response is not followed."),
            )
        }
        GraphError::OutcomeUnknown {
            method,
            url,
            message,
            check,
        } => (
            format!(
                "{method} {url}: the connection dropped after the request was sent ({message}); it may or may not have been applied, so it was not sent again. {}",
                match check {
                    Some(c) => format!("Check with {c} before sending it again."),
                    None => "Check the resource before sending it again.".to_string(),
                }
            ),
            "OutcomeUnknown".to_string(),
            "ConnectionError",
            None,
            None,
            None,
        ),
        GraphError::Cancelled => (
            "The operation was cancelled.".to_string(),
            "OperationStopped".to_string(),
            "OperationStopped",
            None,
            None,
            None,
        ),
        GraphError::Invalid { message } => (
            message.clone(),
            "InvalidArgument".to_string(),
            "InvalidArgument",
            None,
            None,
            None,
        ),
        GraphError::RepeatedNextLink { url, pages } => {
            let shown = if url.chars().count() > 300 {
                format!("{}…", url.chars().take(300).collect::<String>())
            } else {
                url.clone()
            };
            (
                format!(
                    "Paging stopped after {pages} page{}: the @odata.nextLink '{shown}' repeats a page already requested, so following it would never end. The items of the pages read were written.",
                    if *pages == 1 { "" } else { "s" }
                ),
                "RepeatedNextLink".to_string(),
                "InvalidResult",
                None,
                None,
                Some("The service returned a paging link that loops; report it to the service, or page with -Top and -Skip."),
            )
        }
    };
    let (error_id, activity, target, terminating) = match style {
        ErrorStyle::Cmdlet {
            activity,
            namespace,
            target,
        } => {
            let class = activity.replace('-', "");
            (
                format!("{code},{namespace}.{class}"),
                activity.clone(),
                target.clone(),
                false,
            )
        }
        ErrorStyle::InvokeRequest => (
            match err {
                GraphError::Http(_) => {
                    "InvokeGraphHttpResponseException,Microsoft.Graph.PowerShell.Authentication.Cmdlets.InvokeMgGraphRequest".to_string()
                }
                _ => format!(
                    "{code},Microsoft.Graph.PowerShell.Authentication.Cmdlets.InvokeMgGraphRequest"
                ),
            },
            "Invoke-MgGraphRequest".to_string(),
            Value::Null,
            true,
        ),
        ErrorStyle::Command { name, terminating } => (
            format!("{code},{name}"),
            name.clone(),
            Value::Null,
            *terminating,
        ),
    };
    // Invoke-MgGraphRequest raises the SDK's HttpResponseException, which carries the
    // response: the module builds its HttpResponseMessage from this (as from a RESPONSE event).
    let response = match (err, style) {
        (GraphError::Http(f), ErrorStyle::InvokeRequest) => json!({
            "method": f.method,
            "uri": f.url,
            "status": f.status,
            "version": f.version,
            "headers": f.headers.iter().map(|(k, v)| [k, v]).collect::<Vec<_>>(),
            "body": f.body,
        }),
        _ => Value::Null,
    };
    json!({
        "message": message,
        "errorId": error_id,
        "category": category,
        "activity": activity,
        "target": target,
        "terminating": terminating,
        "status": status,
        "code": code,
        // Whether the response carried Graph's error object: the module raises the SDK's
        // RestException for a failed response that did not (a proxy's page, an empty 5xx).
        "serviceError": matches!(err, GraphError::Http(f) if f.code().is_some()),
        "requestId": request_id,
        "recommendedAction": recommended,
        "response": response,
    })
}

/// The description of a bug caught at run time.
pub fn internal_error(message: &str) -> Value {
    json!({
        "message": format!("MgGraph internal error: {message}. Please report this with the command you ran."),
        "errorId": "MgGraphInternalError",
        "category": "NotSpecified",
        "activity": "MgGraph",
        "target": null,
        "terminating": true,
        "status": null,
        "code": "InternalError",
        "requestId": null,
        "recommendedAction": null,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failure() -> HttpFailure {
        HttpFailure {
            method: "GET".into(),
            url: "https://graph.microsoft.com/v1.0/users/x".into(),
            status: 404,
            version: "HTTP/1.1".into(),
            headers: vec![("request-id".into(), "r1".into()), ("Cache-Control".into(), "no-cache".into())],
            body: r#"{"error":{"code":"Request_ResourceNotFound","message":"Resource 'x' does not exist or one of its queried reference-property objects are not present.","innerError":{"date":"2023-11-25T09:51:58","request-id":"r1"}}}"#.into(),
            retries: 0,
        }
    }

    #[test]
    fn cmdlet_messages_use_the_sdk_layout() {
        let m = cmdlet_message(&failure());
        assert!(m.starts_with("Resource 'x' does not exist"));
        assert!(m.contains("\n\nStatus: 404 (NotFound)\nErrorCode: Request_ResourceNotFound\nDate: 2023-11-25T09:51:58\n\nHeaders:\n"));
        assert!(m.contains("request-id                    : r1"), "{m}");
    }

    #[test]
    fn fqeid_and_category_follow_the_sdk() {
        let d = describe(
            &GraphError::Http(Box::new(failure())),
            &ErrorStyle::Cmdlet {
                activity: "Get-MgUser_Get".into(),
                namespace: "Microsoft.Graph.PowerShell.Cmdlets".into(),
                target: json!({"UserId": "x"}),
            },
        );
        assert_eq!(
            d["errorId"],
            "Request_ResourceNotFound,Microsoft.Graph.PowerShell.Cmdlets.GetMgUser_Get"
        );
        assert_eq!(d["category"], "InvalidOperation");
        assert_eq!(d["terminating"], false);
        assert_eq!(d["requestId"], "r1");
        assert_eq!(d["serviceError"], true);
        // A failed response without Graph's error object says so.
        let mut page = failure();
        page.body = "<html>Bad gateway</html>".into();
        let d = describe(
            &GraphError::Http(Box::new(page)),
            &ErrorStyle::InvokeRequest,
        );
        assert_eq!(d["serviceError"], false);
        assert_eq!(d["code"], "UnknownError");
    }

    #[test]
    fn invoke_request_errors_are_http_dumps_and_terminate() {
        let d = describe(
            &GraphError::Http(Box::new(failure())),
            &ErrorStyle::InvokeRequest,
        );
        let m = d["message"].as_str().unwrap();
        assert!(
            m.starts_with("GET https://graph.microsoft.com/v1.0/users/x\nHTTP/1.1 404 Not Found\n"),
            "{m}"
        );
        assert!(m.ends_with("}}}"));
        assert_eq!(
            d["errorId"],
            "InvokeGraphHttpResponseException,Microsoft.Graph.PowerShell.Authentication.Cmdlets.InvokeMgGraphRequest"
        );
        assert_eq!(d["terminating"], true);
        assert_eq!(d["response"]["status"], 404);
        assert_eq!(d["response"]["method"], "GET");
        assert_eq!(d["response"]["headers"][0], json!(["request-id", "r1"]));
        assert_eq!(
            d["response"]["body"].as_str(),
            Some(failure().body.as_str())
        );
    }

    #[test]
    fn not_connected_names_the_fix() {
        let d = describe(
            &GraphError::NotConnected,
            &ErrorStyle::Cmdlet {
                activity: "Get-MgUser_List".into(),
                namespace: "Microsoft.Graph.PowerShell.Cmdlets".into(),
                target: Value::Null,
            },
        );
        assert_eq!(d["message"], NOT_CONNECTED);
    }
}
