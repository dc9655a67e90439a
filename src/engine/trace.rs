//! `-Debug` and `-Verbose` traces, with secrets removed.
//!
//! The Authorization header never appears; values of secret-bearing JSON keys are replaced;
//! bodies are cut at the SDK's 10,240 characters.

use serde_json::Value;

/// The SDK's `MaxContentLength`.
pub const MAX_BODY_CHARS: usize = 10_240;

const SECRET_KEYS: &[&str] = &[
    "access_token",
    "refresh_token",
    "id_token",
    "client_secret",
    "client_assertion",
    "code_verifier",
    "device_code",
    "password",
    "newpassword",
    "temporaryaccesspass",
    "temporary_access_pass",
    "secrettext",
    "secretkey",
];

const SECRET_HEADERS: &[&str] = &[
    "authorization",
    "cookie",
    "set-cookie",
    "x-identity-header",
    "x-ms-token-aad-access-token",
];

pub const REDACTED: &str = "***REDACTED***";

fn redact_value(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for (k, val) in map.iter_mut() {
                if SECRET_KEYS.contains(&k.to_ascii_lowercase().as_str()) && !val.is_null() {
                    *val = Value::String(REDACTED.into());
                } else {
                    redact_value(val);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact_value),
        _ => {}
    }
}

/// A body as the trace shows it: JSON with secrets replaced, other text as is, truncated.
pub fn body_for_trace(body: &[u8]) -> String {
    if body.is_empty() {
        return String::new();
    }
    let text = match serde_json::from_slice::<Value>(body) {
        Ok(mut v) => {
            redact_value(&mut v);
            serde_json::to_string_pretty(&v).unwrap_or_default()
        }
        Err(_) => {
            let s = String::from_utf8_lossy(body);
            if s.contains('=') && !s.contains('{') {
                // A form body: drop every value of a secret field.
                s.split('&')
                    .map(|pair| match pair.split_once('=') {
                        Some((k, _)) if SECRET_KEYS.contains(&k.to_ascii_lowercase().as_str()) => {
                            format!("{k}={REDACTED}")
                        }
                        _ => pair.to_string(),
                    })
                    .collect::<Vec<_>>()
                    .join("&")
            } else {
                s.into_owned()
            }
        }
    };
    truncate(text)
}

fn truncate(text: String) -> String {
    if text.chars().count() <= MAX_BODY_CHARS {
        return text;
    }
    let cut: String = text.chars().take(MAX_BODY_CHARS).collect();
    format!("{cut}\n<DATA TRUNCATED DUE TO SIZE>")
}

fn header_lines(headers: &[(String, String)]) -> String {
    headers
        .iter()
        .filter(|(k, _)| !SECRET_HEADERS.contains(&k.to_ascii_lowercase().as_str()))
        .map(|(k, v)| format!("{k:<30}: {v}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The SDK's `HTTP REQUEST` block.
pub fn request_block(method: &str, url: &str, headers: &[(String, String)], body: &[u8]) -> String {
    format!(
        "============================ HTTP REQUEST ============================\n\nHTTP Method:\n{method}\n\nAbsolute Uri:\n{url}\n\nHeaders:\n{}\n\nBody:\n{}\n",
        header_lines(headers),
        body_for_trace(body)
    )
}

/// The SDK's `HTTP RESPONSE` block.
pub fn response_block(status: u16, headers: &[(String, String)], body: &[u8]) -> String {
    format!(
        "============================ HTTP RESPONSE ============================\n\nStatus Code:\n{}\n\nHeaders:\n{}\n\nBody:\n{}\n",
        super::error::status_name(status),
        header_lines(headers),
        body_for_trace(body)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_removed_from_bodies_and_headers() {
        let body = br#"{"passwordProfile":{"password":"P@ssw0rd!"},"temporaryAccessPass":"abc123","displayName":"x"}"#;
        let out = body_for_trace(body);
        assert!(
            !out.contains("P@ssw0rd!") && !out.contains("abc123"),
            "{out}"
        );
        assert!(out.contains("\"displayName\": \"x\""));
        let form =
            body_for_trace(b"grant_type=client_credentials&client_secret=s3cr3t&client_id=c");
        assert!(
            !form.contains("s3cr3t") && form.contains("client_id=c"),
            "{form}"
        );
        let block = request_block(
            "GET",
            "https://g/v1.0/me",
            &[
                ("Authorization".into(), "Bearer eyJ.x.y".into()),
                ("client-request-id".into(), "1".into()),
            ],
            b"",
        );
        assert!(!block.contains("eyJ") && !block.contains("Authorization"));
        assert!(block.contains("client-request-id             : 1"));
    }

    #[test]
    fn long_bodies_are_cut() {
        let long = vec![b'a'; MAX_BODY_CHARS + 10];
        let out = body_for_trace(&long);
        assert!(out.ends_with("<DATA TRUNCATED DUE TO SIZE>"));
        assert!(out.len() < MAX_BODY_CHARS + 40);
    }
}
