//! `Invoke-MgGraphRequest`: any method and URI, the raw response back.

use base64::Engine;
use serde_json::{json, Map, Value};

use super::error::GraphError;
use super::files::{FileSource, OutTarget};
use super::http::{Payload, Request, Transport};
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
    // -InputFilePath (a file-system path, resolved by the module): streamed from disk.
    let input_file = get_ci(params, "InputFilePath")
        .and_then(scalar_text)
        .map(|path| FileSource::check("InputFilePath", &path))
        .transpose()?;
    let mut bytes: Option<Vec<u8>> = None;
    match (body, body_b64) {
        _ if input_file.is_some() => {
            content_type.get_or_insert_with(|| "application/octet-stream".into());
        }
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
    let has_body = bytes.is_some() || input_file.is_some();
    if !has_body && matches!(method.as_str(), "POST" | "PATCH") {
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
    if has_body && header_type.is_none() {
        match content_type.clone() {
            Some(ct) => request.param_header("ContentType", "Content-Type", ct),
            None => request
                .headers
                .push(("Content-Type".into(), "application/json".into())),
        }
    }
    // Text bodies go as UTF-8: a content type that declares another charset would have the
    // service read other characters than those given.
    let text_body =
        input_file.is_none() && body_b64.is_none() && matches!(body, Some(v) if !v.is_null());
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
    request.body = match input_file {
        Some(file) => Some(Payload::File(file)),
        None => bytes.map(Payload::Bytes),
    };
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
    // A file body Graph would refuse for its size, or an output file that cannot be
    // written, fails before anything is sent.
    request.validate()?;
    let out = output_target(params, &request.url)?;
    let resp = x.send_to(&request, out.as_ref()).await?;
    if !resp.is_success()
        && !get_ci(params, "SkipHttpErrorCheck")
            .map(truthy)
            .unwrap_or(false)
    {
        return Err(resp.failure());
    }
    let content_type = resp.header("Content-Type").unwrap_or_default().to_string();
    if let Some(out) = &out {
        // An error answer (-SkipHttpErrorCheck) is in memory: it goes to the file too.
        if resp.written.is_none() {
            out.write_all(resp.body.clone()).await?;
        }
    }
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
        "outputFile": out.as_ref().map(|o| o.path.display().to_string()),
        "written": resp.written.unwrap_or(resp.body.len() as u64),
    }))
}

/// `-OutputFilePath` (a file-system path): the file itself, or, with `-InferOutputFileName`
/// or when it is a folder, the last segment of `url`'s path in it (percent-decoded; a name
/// that is empty, `.`/`..` or holds a separator is refused).
fn output_target(params: &Map<String, Value>, url: &str) -> Result<Option<OutTarget>, GraphError> {
    let Some(path) = get_ci(params, "OutputFilePath")
        .and_then(scalar_text)
        .filter(|p| !p.is_empty())
    else {
        return Ok(None);
    };
    let infer = get_ci(params, "InferOutputFileName")
        .map(truthy)
        .unwrap_or(false);
    if !infer && !std::path::Path::new(&path).is_dir() {
        return OutTarget::check("OutputFilePath", &path).map(Some);
    }
    let last = url::Url::parse(url)
        .ok()
        .and_then(|u| u.path_segments()?.next_back().map(str::to_string))
        .unwrap_or_default();
    let name = percent_encoding::percent_decode_str(&last)
        .decode_utf8_lossy()
        .into_owned();
    if name.is_empty() || name == "." || name == ".." || name.contains(['/', '\\']) {
        return Err(GraphError::invalid(format!(
            "Cannot validate argument on parameter 'InferOutputFileName'. The URI's last segment '{name}' is not a file name; give -OutputFilePath a file path. Nothing was sent."
        )));
    }
    let joined = std::path::Path::new(&path).join(name);
    OutTarget::check("OutputFilePath", &joined.to_string_lossy()).map(Some)
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
            r.body_bytes(),
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
