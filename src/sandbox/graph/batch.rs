//! `POST /$batch`: up to 20 requests in one, with `dependsOn` and per-item throttling.

use axum::http::{HeaderMap, Method, StatusCode};
use serde_json::{json, Map, Value};

use super::{body_object, json, qualified_path, route_sync, segments, Ctx, Handled};
use crate::sandbox::faults::Fault;
use crate::sandbox::odata::{GraphErr, Query};

const MAX_STEPS: usize = 20;

pub async fn handle(ctx: &Ctx<'_>, body: &[u8], outer_headers: &HeaderMap) -> Handled {
    let body = body_object(body)?;
    let requests = crate::json::get_ci(&body, "requests")
        .and_then(Value::as_array)
        .ok_or_else(|| {
            GraphErr::new(
                StatusCode::BAD_REQUEST,
                "BadRequest",
                "Invalid batch payload format.",
            )
        })?;
    if requests.len() > MAX_STEPS {
        return Err(GraphErr::new(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            format!("Number of batch request steps exceeds the maximum value of {MAX_STEPS}."),
        ));
    }
    let mut seen = std::collections::HashSet::new();
    for r in requests {
        let id = step_id(r).to_ascii_lowercase();
        if id.is_empty() || !seen.insert(id) {
            return Err(GraphErr::new(
                StatusCode::BAD_REQUEST,
                "BadRequest",
                "Batch request steps must have unique, non-empty ids.",
            ));
        }
    }
    let outer_attempt = outer_headers
        .get("Retry-Attempt")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("0")
        .to_string();
    let mut statuses: Map<String, Value> = Map::new();
    let mut responses = vec![];
    for r in requests {
        let id = step_id(r);
        let depends: Vec<String> = member(r, "dependsOn")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|d| match d {
                        Value::String(s) => Some(s.clone()),
                        Value::Number(n) => Some(n.to_string()),
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default();
        let failed_dependency = depends.iter().any(|d| {
            statuses
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(d))
                .map(|(_, s)| s.as_u64().unwrap_or(0) >= 400)
                .unwrap_or(true)
        });
        let (status, headers, body) = if failed_dependency {
            let e = GraphErr::new(
                StatusCode::FAILED_DEPENDENCY,
                "BadRequest",
                "Dependency failed.",
            );
            (
                424,
                json!({"Content-Type": "application/json"}),
                e.body(&ctx.ids.request_id, &ctx.ids.client_request_id),
            )
        } else {
            run_item(ctx, r, &outer_attempt).await
        };
        statuses.insert(id.clone(), json!(status));
        let mut item = Map::new();
        item.insert("id".into(), json!(id));
        item.insert("status".into(), json!(status));
        item.insert("headers".into(), headers);
        if !body.is_null() {
            item.insert("body".into(), body);
        }
        responses.push(Value::Object(item));
    }
    Ok(json(StatusCode::OK, &json!({ "responses": responses })))
}

/// A step's `id` as text: Graph takes a JSON string or a JSON number (`"id": 1`, which
/// PowerShell's `ConvertTo-Json` writes for an integer) and answers with the string
/// (<https://learn.microsoft.com/graph/json-batching>). Anything else is no id.
fn step_id(r: &Value) -> String {
    match member(r, "id") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

/// A member of a step, its name matched case-insensitively as Graph matches `id`, `method`,
/// `url`, `headers`, `body` and `dependsOn` (EntraExporter sends `"URL"`; OData JSON Format
/// 4.01 §19.1 names the members, and Graph's batch reader takes any casing:
/// <https://learn.microsoft.com/graph/json-batching>). The exact spelling wins over another.
fn member<'a>(r: &'a Value, name: &str) -> Option<&'a Value> {
    crate::json::get_ci(r.as_object()?, name)
}

/// A step URL that is absolute on this service at the batch's own version (a nextLink of an
/// earlier step, reused as EntraExporter reuses them after stripping Graph's
/// `https://graph.microsoft.com/v1.0/` as text, which leaves the sandbox's own origin in
/// place), as the relative URL it names. The sandbox writes nextLinks on its own origin so
/// every client can follow them (see [`super::Ctx::next_link`]); Graph's step URLs are
/// relative (<https://learn.microsoft.com/graph/json-batching>, "url: Required. The relative
/// resource URL the individual request would typically be sent to"), so the origin and the
/// version are dropped. Graph's public origin is taken alike. Anything else: `None`.
fn own_absolute<'u>(ctx: &Ctx<'_>, url: &'u str) -> Option<&'u str> {
    for origin in [
        ctx.state.base_url.as_str(),
        ctx.state.config.context_host.as_str(),
    ] {
        let origin = origin.trim_end_matches('/');
        let Some(head) = url.get(..origin.len()) else {
            continue;
        };
        if !head.eq_ignore_ascii_case(origin) {
            continue;
        }
        let rest = &url[origin.len()..];
        let version = format!("/{}", ctx.ver.segment());
        if let Some(tail) = rest.strip_prefix(version.as_str()) {
            if tail.starts_with('/') {
                return Some(tail);
            }
        }
    }
    None
}

/// Runs one step; returns (status, headers, body).
async fn run_item(ctx: &Ctx<'_>, r: &Value, outer_attempt: &str) -> (u16, Value, Value) {
    let err = |e: GraphErr| {
        let mut headers = Map::new();
        headers.insert("Content-Type".into(), json!("application/json"));
        for (k, v) in &e.headers {
            headers.insert(header_name(k), json!(v));
        }
        (
            e.status.as_u16(),
            Value::Object(headers),
            e.body(&ctx.ids.request_id, &ctx.ids.client_request_id),
        )
    };
    let method = member(r, "method")
        .and_then(Value::as_str)
        .unwrap_or("GET")
        .to_ascii_uppercase();
    let Ok(method) = Method::from_bytes(method.as_bytes()) else {
        return err(GraphErr::method_not_allowed());
    };
    let url = member(r, "url").and_then(Value::as_str).unwrap_or_default();
    let url = own_absolute(ctx, url).unwrap_or(url);
    let url = if url.starts_with('/') {
        url.to_string()
    } else {
        format!("/{url}")
    };
    if url.starts_with("/v1.0/") || url.starts_with("/beta/") {
        return err(GraphErr::bad_request(
            "Batch step URLs are relative and carry no version segment.",
        ));
    }
    let item_headers = member(r, "headers")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let body: Vec<u8> = match member(r, "body") {
        None | Some(Value::Null) => vec![],
        Some(Value::String(s)) => {
            use base64::Engine;
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(s.trim_end_matches('='))
                .unwrap_or_else(|_| s.clone().into_bytes())
        }
        Some(other) => other.to_string().into_bytes(),
    };
    if !body.is_empty()
        && !item_headers
            .keys()
            .any(|k| k.eq_ignore_ascii_case("Content-Type"))
    {
        return err(GraphErr::bad_request(
            "Content-Type header must be specified for a batch step with a body.",
        ));
    }
    let (path, query) = match url.split_once('?') {
        Some((p, q)) => (qualified_path(p), Some(q.to_string())),
        None => (qualified_path(&url), None),
    };
    let query = match Query::parse(query.as_deref(), ctx.state.config.max_page_size) {
        Ok(q) => q,
        Err(e) => return err(e),
    };
    let faults = &ctx.state.faults;
    if faults.config.p429 > 0.0
        || faults.config.p503 > 0.0
        || faults.config.rate_limit_ru_per_sec.is_some()
    {
        let attempt = crate::json::get_ci(&item_headers, "Retry-Attempt")
            .and_then(Value::as_str)
            .unwrap_or(outer_attempt);
        let mut key = format!("{method} {url} {attempt} batch-item ").into_bytes();
        key.extend_from_slice(&body);
        match faults.decide(&ctx.principal.app_id, &key, 1.0) {
            Fault::Throttled { retry_after, .. } => {
                ctx.state
                    .traffic
                    .throttled
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                return err(GraphErr::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "TooManyRequests",
                    "Too many requests. Please retry after the time in the Retry-After header.",
                )
                .with_header("Retry-After", retry_after.to_string()));
            }
            Fault::Unavailable { retry_after } => {
                return err(GraphErr::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "serviceNotAvailable",
                    "The service is temporarily unavailable. Please retry later.",
                )
                .with_header("Retry-After", retry_after.to_string()));
            }
            Fault::Drop | Fault::None => {}
        }
    }
    let eventual = crate::json::get_ci(&item_headers, "ConsistencyLevel")
        .and_then(Value::as_str)
        .map(|v| v.eq_ignore_ascii_case("eventual"))
        .unwrap_or(false);
    let sub = Ctx {
        state: ctx.state,
        ids: ctx.ids,
        ver: ctx.ver,
        principal: ctx.principal.clone(),
        eventual,
        query,
        path: path.clone(),
    };
    let mut step_headers = HeaderMap::new();
    for (k, v) in &item_headers {
        let text = match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        if let (Ok(name), Ok(value)) = (
            axum::http::HeaderName::from_bytes(k.as_bytes()),
            axum::http::HeaderValue::from_str(&text),
        ) {
            step_headers.append(name, value);
        }
    }
    let response = match route_sync(&sub, &method, segments(&path), &body, &step_headers) {
        Ok(r) => r,
        Err(e) => return err(e),
    };
    let status = response.status().as_u16();
    let mut headers = Map::new();
    for (name, value) in response.headers() {
        if let Ok(v) = value.to_str() {
            headers.insert(header_name(name.as_str()), json!(v));
        }
    }
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap_or_default();
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).unwrap_or_else(|_| json!(String::from_utf8_lossy(&bytes)))
    };
    (status, Value::Object(headers), body)
}

/// A step's header name as Graph's batch responses spell it: the standard and OData headers
/// in their canonical casing (`Content-Type`, `OData-Version`, `Retry-After`), Graph's own
/// (`x-ms-*`, `request-id`) in lower case; the same for successes and errors.
fn header_name(name: &str) -> String {
    const CANONICAL: &[&str] = &[
        "Cache-Control",
        "Content-Type",
        "Content-Length",
        "Content-Location",
        "ETag",
        "Location",
        "OData-Version",
        "Preference-Applied",
        "Retry-After",
    ];
    CANONICAL
        .iter()
        .find(|c| c.eq_ignore_ascii_case(name))
        .map(|c| c.to_string())
        .unwrap_or_else(|| name.to_ascii_lowercase())
}
