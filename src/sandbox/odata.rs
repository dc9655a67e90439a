//! OData wire format: error bodies, query options, projection and paging (`$filter` and the
//! rest of the query engine are in [`super::query`]).

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Map, Value};

/// A Graph error to send.
#[derive(Debug, Clone)]
pub struct GraphErr {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub details: Option<Box<Value>>,
    /// `innerError.message`, which the authentication-methods backend adds.
    pub inner_message: bool,
    pub headers: Vec<(String, String)>,
}

impl GraphErr {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> GraphErr {
        GraphErr {
            status,
            code,
            message: message.into(),
            details: None,
            inner_message: false,
            headers: vec![],
        }
    }

    pub fn bad_request(message: impl Into<String>) -> GraphErr {
        GraphErr::new(StatusCode::BAD_REQUEST, "Request_BadRequest", message)
    }

    /// An error from the authentication-methods backend (`badRequest`, inner message).
    pub fn auth_methods(message: impl Into<String>) -> GraphErr {
        let mut e = GraphErr::new(StatusCode::BAD_REQUEST, "badRequest", message);
        e.inner_message = true;
        e
    }

    pub fn not_found(id: &str) -> GraphErr {
        GraphErr::new(
            StatusCode::NOT_FOUND,
            "Request_ResourceNotFound",
            format!(
                "Resource '{id}' does not exist or one of its queried reference-property objects are not present."
            ),
        )
    }

    pub fn segment_not_found(segment: &str) -> GraphErr {
        GraphErr::new(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            format!("Resource not found for the segment '{segment}'."),
        )
    }

    pub fn method_not_allowed() -> GraphErr {
        GraphErr::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "Request_BadRequest",
            "Specified HTTP method is not allowed for the request target.",
        )
    }

    pub fn denied() -> GraphErr {
        GraphErr::new(
            StatusCode::FORBIDDEN,
            "Authorization_RequestDenied",
            "Insufficient privileges to complete the operation.",
        )
    }

    pub fn unsupported_query(message: impl Into<String>) -> GraphErr {
        GraphErr::new(StatusCode::BAD_REQUEST, "Request_UnsupportedQuery", message)
    }

    pub fn with_details(mut self, details: Value) -> GraphErr {
        self.details = Some(Box::new(details));
        self
    }

    pub fn with_header(mut self, name: &str, value: impl Into<String>) -> GraphErr {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    /// The JSON body, with the request ids of this request.
    pub fn body(&self, request_id: &str, client_request_id: &str) -> Value {
        let date = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S").to_string();
        let mut inner = Map::new();
        if self.inner_message {
            inner.insert("message".into(), json!(self.message));
        }
        inner.insert("date".into(), json!(date));
        inner.insert("request-id".into(), json!(request_id));
        inner.insert("client-request-id".into(), json!(client_request_id));
        let mut error = Map::new();
        error.insert("code".into(), json!(self.code));
        error.insert("message".into(), json!(self.message));
        error.insert("innerError".into(), Value::Object(inner));
        if let Some(d) = &self.details {
            error.insert("details".into(), (**d).clone());
        }
        json!({ "error": error })
    }

    pub fn into_response(self, request_id: &str, client_request_id: &str) -> Response {
        let body = self.body(request_id, client_request_id);
        let mut resp = (self.status, axum::Json(body)).into_response();
        for (name, value) in &self.headers {
            if let (Ok(n), Ok(v)) = (
                axum::http::HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(value),
            ) {
                resp.headers_mut().insert(n, v);
            }
        }
        resp
    }
}

/// Parsed OData query options.
#[derive(Debug, Default, Clone)]
pub struct Query {
    pub select: Vec<String>,
    pub filter: Option<String>,
    pub top: Option<usize>,
    pub orderby: Option<String>,
    pub count: bool,
    pub search: Option<String>,
    pub expand: Option<String>,
    pub skiptoken: Option<String>,
    /// `$skip`, where the collection allows it.
    pub skip: Option<usize>,
    /// Every pair as received, for rebuilding nextLinks.
    pub raw: Vec<(String, String)>,
    /// The request is to `/beta`, whose types have properties the v1.0 metadata (the
    /// sandbox's schema) lacks: a `$select` of such a name is answered without it rather than
    /// refused (see `query::select`).
    pub beta: bool,
}

impl Query {
    pub fn parse(query: Option<&str>, max_top: usize) -> Result<Query, GraphErr> {
        let mut q = Query::default();
        let Some(query) = query else {
            return Ok(q);
        };
        for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
            let key = k.trim_start_matches('$').to_ascii_lowercase();
            q.raw.push((k.to_string(), v.to_string()));
            match key.as_str() {
                "select" => {
                    q.select = v
                        .split(',')
                        .map(|s| s.trim().to_string())
                        .filter(|s| !s.is_empty())
                        .collect()
                }
                "filter" => q.filter = Some(v.to_string()),
                "top" => {
                    let n: i64 = v.trim().parse().map_err(|_| {
                        GraphErr::bad_request(format!("Invalid page size specified: '{v}'."))
                    })?;
                    if n < 1 || n as usize > max_top {
                        return Err(GraphErr::bad_request(format!(
                            "Invalid page size specified: '{v}'. Must be between 1 and {max_top} inclusive."
                        )));
                    }
                    q.top = Some(n as usize);
                }
                "orderby" => q.orderby = Some(v.to_string()),
                "count" => q.count = v.eq_ignore_ascii_case("true"),
                "search" => q.search = Some(v.to_string()),
                "expand" => q.expand = Some(v.to_string()),
                "skiptoken" => q.skiptoken = Some(v.to_string()),
                "skip" => {
                    q.skip = Some(v.trim().parse().map_err(|_| {
                        GraphErr::bad_request(format!("Invalid value '{v}' for $skip."))
                    })?)
                }
                _ => {}
            }
        }
        Ok(q)
    }

    /// The offset a skiptoken points at.
    pub fn offset(&self) -> Result<usize, GraphErr> {
        match &self.skiptoken {
            None => Ok(0),
            Some(tok) => decode_skiptoken(tok)
                .ok_or_else(|| GraphErr::bad_request("Invalid $skiptoken value.")),
        }
    }
}

pub fn encode_skiptoken(offset: usize) -> String {
    format!("RFNwdAI{}", URL_SAFE_NO_PAD.encode(format!("o={offset}")))
}

fn decode_skiptoken(tok: &str) -> Option<usize> {
    let rest = tok.strip_prefix("RFNwdAI")?;
    let text = String::from_utf8(URL_SAFE_NO_PAD.decode(rest).ok()?).ok()?;
    text.strip_prefix("o=")?.parse().ok()
}

/// Exactly the selected properties (`$select`, canonical names), in the order asked, with
/// `null` for those the object does not hold, as Graph answers.
pub fn project(object: &Map<String, Value>, select: &[String]) -> Map<String, Value> {
    if select.is_empty() {
        return object.clone();
    }
    select
        .iter()
        .map(|k| {
            let v = crate::json::get_ci(object, k)
                .cloned()
                .unwrap_or(Value::Null);
            (k.clone(), v)
        })
        .collect()
}

/// One page of a collection of `len` items: its range, and the offset of the next page if
/// there is one.
pub fn page(len: usize, offset: usize, size: usize) -> (std::ops::Range<usize>, Option<usize>) {
    let start = offset.min(len);
    let end = (start + size).min(len);
    let next = (end < len).then_some(end);
    (start..end, next)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_is_bounded_and_skiptokens_round_trip() {
        assert!(Query::parse(Some("$top=1000"), 999)
            .unwrap_err()
            .message
            .contains("between 1 and 999"));
        assert_eq!(Query::parse(Some("%24top=5"), 999).unwrap().top, Some(5));
        let q = Query::parse(Some(&format!("$skiptoken={}", encode_skiptoken(42))), 999).unwrap();
        assert_eq!(q.offset().unwrap(), 42);
        assert_eq!(page(5, 3, 2), (3..5, None));
        assert_eq!(page(3, 0, 2), (0..2, Some(2)));
        assert_eq!(page(3, 7, 2), (3..3, None), "past the end: an empty page");
    }
}
