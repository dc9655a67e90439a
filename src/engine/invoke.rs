//! `Invoke-MgGraphRequest`: any method and URI, the raw response back.

use base64::Engine;
use serde_json::{json, Map, Value};

use super::error::GraphError;
use super::http::{Request, Transport};
use super::uri::{resolve, same_origin, with_query};
use crate::auth::Environment;
use crate::json::{get_ci, scalar_text, truthy};

const METHODS: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

fn is_text(content_type: &str) -> bool {
    let ct = content_type.to_ascii_lowercase();
    ct.is_empty()
        || ct.contains("json")
        || ct.starts_with("text/")
        || ct.contains("xml")
        || ct.contains("javascript")
}

/// Builds the request from the cmdlet's parameters.
pub fn prepare(params: &Map<String, Value>, env: &Environment) -> Result<Request, GraphError> {
    let method = get_ci(params, "Method")
        .and_then(scalar_text)
        .unwrap_or_else(|| "GET".into())
        .to_ascii_uppercase();
    if !METHODS.contains(&method.as_str()) {
        return Err(GraphError::invalid(format!(
            "Cannot bind parameter 'Method': '{method}' is not one of {}.",
            METHODS.join(", ")
        )));
    }
    let uri = get_ci(params, "Uri")
        .and_then(scalar_text)
        .unwrap_or_default();
    let mut url = resolve(&uri, env).map_err(GraphError::invalid)?;
    let body = get_ci(params, "Body").filter(|v| !v.is_null());
    let body_b64 = get_ci(params, "BodyBase64").and_then(Value::as_str);
    let mut content_type = get_ci(params, "ContentType").and_then(scalar_text);
    let mut bytes: Option<Vec<u8>> = None;
    match (body, body_b64) {
        (_, Some(b64)) => {
            bytes = Some(
                base64::engine::general_purpose::STANDARD
                    .decode(b64)
                    .map_err(|e| {
                        GraphError::invalid(format!("the input file could not be read: {e}"))
                    })?,
            );
            content_type.get_or_insert_with(|| "application/octet-stream".into());
        }
        (Some(Value::Object(map)), None) if method == "GET" => {
            // As in the SDK, a dictionary body on GET becomes the query string.
            let pairs: Vec<(String, String)> = map
                .iter()
                .map(|(k, v)| (k.clone(), scalar_text(v).unwrap_or_else(|| v.to_string())))
                .collect();
            url = with_query(&url, &pairs);
        }
        (Some(Value::String(s)), None) => bytes = Some(s.clone().into_bytes()),
        (Some(other), None) => bytes = Some(other.to_string().into_bytes()),
        (None, None) => {}
    }
    if bytes.is_none() && matches!(method.as_str(), "POST" | "PATCH") {
        return Err(GraphError::invalid(format!(
            "A {method} request needs a body: pass -Body (a hashtable, an object or a JSON string) or -InputFilePath."
        )));
    }
    let mut request = Request::new(
        reqwest::Method::from_bytes(method.as_bytes())
            .map_err(|_| GraphError::invalid("invalid method"))?,
        url,
    );
    request.url_param("Uri", uri);
    if let (Some(Value::Object(map)), None, "GET") = (body, body_b64, method.as_str()) {
        for v in map.values() {
            request.url_param("Body", scalar_text(v).unwrap_or_else(|| v.to_string()));
        }
    }
    if let Some(h) = get_ci(params, "Headers").and_then(Value::as_object) {
        // Every header is kept as given: one that cannot or may not be sent (Authorization,
        // Host, a CR in a value, ...) is refused by `Request::validate`, naming -Headers.
        for (k, v) in h {
            if let Some(text) = scalar_text(v) {
                request.headers.push((k.clone(), text));
            }
        }
    }
    let header_type = request
        .headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("Content-Type"))
        .map(|(_, v)| ("Headers", v.clone()));
    if bytes.is_some() && header_type.is_none() {
        match content_type.clone() {
            Some(ct) => request.param_header("ContentType", "Content-Type", ct),
            None => request
                .headers
                .push(("Content-Type".into(), "application/json".into())),
        }
    }
    // Text bodies go as UTF-8: a content type that declares another charset would have the
    // service read other characters than those given.
    let text_body = body_b64.is_none() && matches!(body, Some(v) if !v.is_null());
    let declared = header_type.or_else(|| content_type.map(|ct| ("ContentType", ct)));
    if let (true, Some((param, ct))) = (text_body && bytes.is_some(), declared) {
        if let Some(charset) = charset_of(&ct) {
            if !charset.eq_ignore_ascii_case("utf-8") && !charset.eq_ignore_ascii_case("utf8") {
                return Err(GraphError::invalid(format!(
                    "Cannot validate argument on parameter '{param}'. The content type '{ct}' declares charset={charset}, but -Body is sent as UTF-8 (as Graph expects); leave the charset out or use charset=utf-8, or send other bytes with -InputFilePath. Nothing was sent."
                )));
            }
        }
    }
    request.body = bytes;
    // The connection's token goes only to Graph's own origin; an absolute URI elsewhere is
    // refused rather than sent (with or without the token).
    if !same_origin(&request.url, env) {
        return Err(GraphError::foreign_origin(
            request.method.as_str(),
            &request.url,
            &env.graph_endpoint,
        ));
    }
    Ok(request)
}

/// The `charset` parameter of a media type (`application/json; charset=utf-16` → `utf-16`).
fn charset_of(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| v.trim().trim_matches('"').to_string())
    })
}

/// Sends the request and returns the response envelope for the module.
pub async fn run(
    x: &Transport<'_>,
    params: &Map<String, Value>,
    env: &Environment,
) -> Result<Value, GraphError> {
    let request = prepare(params, env)?;
    let resp = x.send(&request).await?;
    if !resp.is_success()
        && !get_ci(params, "SkipHttpErrorCheck")
            .map(truthy)
            .unwrap_or(false)
    {
        return Err(resp.failure());
    }
    let content_type = resp.header("Content-Type").unwrap_or_default().to_string();
    let (body, body_b64) = if resp.body.is_empty() {
        (Value::Null, Value::Null)
    } else if is_text(&content_type) {
        (json!(String::from_utf8_lossy(&resp.body)), Value::Null)
    } else {
        (
            Value::Null,
            json!(base64::engine::general_purpose::STANDARD.encode(&resp.body)),
        )
    };
    Ok(json!({
        "method": resp.method,
        "uri": resp.url,
        "status": resp.status,
        "reason": super::error::reason_phrase(resp.status),
        "version": resp.version,
        "headers": resp.headers.iter().map(|(k, v)| json!([k, v])).collect::<Vec<_>>(),
        "contentType": content_type,
        "body": body,
        "bodyBase64": body_b64,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env() -> Environment {
        Environment::new(
            "Global",
            "https://login.microsoftonline.com",
            "https://graph.microsoft.com",
            true,
        )
    }

    fn prep(v: Value) -> Result<Request, GraphError> {
        prepare(v.as_object().unwrap(), &env())
    }

    #[test]
    fn hashtable_bodies_become_json_and_get_bodies_the_query() {
        let r = prep(json!({"Method": "PATCH", "Uri": "/beta/users/u/authentication/requirements", "Body": {"perUserMfaState": "enabled"}})).unwrap();
        assert_eq!(
            r.body.as_deref(),
            Some(br#"{"perUserMfaState":"enabled"}"#.as_slice())
        );
        assert!(r
            .headers
            .contains(&("Content-Type".into(), "application/json".into())));
        let r = prep(json!({"Uri": "v1.0/users", "Body": {"$top": 5}})).unwrap();
        assert_eq!(r.url, "https://graph.microsoft.com/v1.0/users?$top=5");
        assert!(r.authenticate);
    }

    #[test]
    fn bad_input_is_refused_before_sending() {
        assert!(prep(json!({"Method": "POST", "Uri": "/v1.0/users"})).is_err());
        assert!(prep(json!({"Method": "FETCH", "Uri": "/v1.0/users"})).is_err());
        assert!(prep(json!({"Uri": "users"})).is_err());
        // The connection owns authentication: an Authorization header is refused, not sent.
        let r = prep(
            json!({"Uri": "https://graph.microsoft.com/v1.0/me", "Headers": {"Authorization": "Bearer leaked"}}),
        )
        .unwrap();
        let e = r.validate().unwrap_err();
        assert!(
            matches!(&e, GraphError::Invalid { message } if message.contains("'Headers'") && message.contains("Authorization")),
            "{e:?}"
        );
        let e = prep(json!({"Method": "POST", "Uri": "/v1.0/users", "Body": "{}", "ContentType": "application/json; charset=utf-16"}))
            .err()
            .unwrap();
        assert!(
            matches!(&e, GraphError::Invalid { message } if message.starts_with("Cannot validate argument on parameter 'ContentType'") && message.contains("utf-16")),
            "{e:?}"
        );
        assert!(prep(json!({"Method": "POST", "Uri": "/v1.0/users", "Body": "{}", "ContentType": "application/json; charset=UTF-8"})).is_ok());
        for foreign in [
            "https://example.com/v1.0/me",
            "https://graph.microsoft.com:8443/v1.0/me",
            "https://graph.microsoft.com.example.com/v1.0/me",
        ] {
            let e = prep(json!({"Uri": foreign})).err().unwrap();
            assert!(
                matches!(&e, GraphError::ForeignOrigin { url, .. } if url == foreign),
                "tokens go only to the Graph origin: {e:?}"
            );
        }
    }
}
