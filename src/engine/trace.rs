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
    // addKey's signed proof of possession; a BitLocker recovery key (and, harmlessly, a key
    // credential's public certificate).
    "proof",
    "key",
];

/// Endings of secret-bearing keys Graph uses in requests and responses: `currentPassword`,
/// `adDomainPassword`, `passwordBase64` (device local credentials), `clientSecret`,
/// `preSharedKey`, `passphrase`.
const SECRET_SUFFIXES: &[&str] = &[
    "password",
    "secret",
    "secrettext",
    "passwordbase64",
    "presharedkey",
    "passphrase",
];

const SECRET_HEADERS: &[&str] = &[
    "authorization",
    "cookie",
    "set-cookie",
    "x-identity-header",
    "x-ms-token-aad-access-token",
];

pub const REDACTED: &str = "***REDACTED***";

fn is_secret_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    SECRET_KEYS.contains(&key.as_str()) || SECRET_SUFFIXES.iter().any(|s| key.ends_with(s))
}

/// Replaces the values of secret keys, walking with an explicit stack (no recursion, so no
/// depth is too deep).
fn redact_value(v: &mut Value) {
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        match v {
            Value::Object(map) => {
                for (k, val) in map.iter_mut() {
                    if is_secret_key(k) && !val.is_null() {
                        *val = Value::String(REDACTED.into());
                    } else {
                        stack.push(val);
                    }
                }
            }
            Value::Array(items) => stack.extend(items.iter_mut()),
            _ => {}
        }
    }
}

/// Redacts text that should be JSON but could not be read as such (malformed, or nested
/// deeper than the parser's limit of 128): a lexical pass replaces the value after every
/// secret key (a string, or a scalar up to the next delimiter), so a body that defeats the
/// parser cannot carry a secret into a trace.
fn redact_text(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let mut copied = 0;
    // The end of the JSON string starting at `start` (after its closing quote).
    let string_end = |start: usize| -> usize {
        let mut j = start + 1;
        while j < bytes.len() {
            match bytes[j] {
                b'\\' => j += 2,
                b'"' => return j + 1,
                _ => j += 1,
            }
        }
        bytes.len()
    };
    let skip_ws = |mut j: usize| -> usize {
        while j < bytes.len() && bytes[j].is_ascii_whitespace() {
            j += 1;
        }
        j
    };
    while i < bytes.len() {
        if bytes[i] != b'"' {
            i += 1;
            continue;
        }
        let end = string_end(i);
        // A string left open at the end has no closing quote to drop, and the text may end
        // inside a character (binary content read as UTF-8): never slice off a boundary.
        let key_end = if bytes.get(end.wrapping_sub(1)) == Some(&b'"') && end > i + 1 {
            end - 1
        } else {
            end
        };
        let key = text.get(i + 1..key_end).unwrap_or("");
        let colon = skip_ws(end);
        if colon < bytes.len() && bytes[colon] == b':' && is_secret_key(key) {
            let value = skip_ws(colon + 1);
            let value_end = if value < bytes.len() && bytes[value] == b'"' {
                string_end(value)
            } else {
                let mut j = value;
                while j < bytes.len()
                    && !matches!(bytes[j], b',' | b'}' | b']' | b'"')
                    && !bytes[j].is_ascii_whitespace()
                {
                    j += 1;
                }
                j
            };
            if value_end > value {
                out.push_str(&text[copied..value]);
                out.push('"');
                out.push_str(REDACTED);
                out.push('"');
                copied = value_end;
            }
            i = value_end.max(end);
        } else {
            i = end;
        }
    }
    out.push_str(&text[copied..]);
    out
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
                        Some((k, _)) if is_secret_key(k) => format!("{k}={REDACTED}"),
                        _ => pair.to_string(),
                    })
                    .collect::<Vec<_>>()
                    .join("&")
            } else {
                redact_text(&s)
            }
        }
    };
    truncate(text)
}

#[cfg(test)]
mod binary_tests {
    #[test]
    fn binary_bodies_are_traced_without_panicking() {
        let body: Vec<u8> = (0u8..=255).collect();
        let traced = super::body_for_trace(&body);
        assert!(!traced.is_empty());
        // Not JSON (cut short, invalid UTF-8 at the end): the secret is still redacted.
        let mut cut = b"{\"password\": \"hunter2".to_vec();
        cut.extend([0xe2, 0x82]);
        let traced = super::body_for_trace(&cut);
        assert!(!traced.contains("hunter2"), "{traced}");
    }
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
    fn bodies_the_parser_refuses_keep_their_secrets_too() {
        // Deeper than serde_json's limit of 128, so it is not read as JSON.
        let deep = format!(
            r#"{{"client_secret": "s3cr3t", "password":12345, "a": {}1{}, "x": "y\"client_secret\": no", "refresh_token" : "r\"t"}}"#,
            "[".repeat(200),
            "]".repeat(200)
        );
        assert!(serde_json::from_str::<Value>(&deep).is_err());
        let out = body_for_trace(deep.as_bytes());
        assert!(
            !out.contains("s3cr3t") && !out.contains("12345") && !out.contains(r#"r\"t"#),
            "{out}"
        );
        assert!(
            out.contains(r#""client_secret": "***REDACTED***""#),
            "{out}"
        );
        assert!(out.contains(r#"y\"client_secret\": no"#), "{out}");
        let broken = body_for_trace(br#"{"password": "open sesame", "#);
        assert!(!broken.contains("sesame"), "{broken}");
        // A parsed body of the parser's full depth is walked without recursion.
        let mut nested = String::from(r#"{"password":"p"}"#);
        for _ in 0..120 {
            nested = format!(r#"{{"a":[{nested}]}}"#);
        }
        let out = body_for_trace(nested.as_bytes());
        assert!(!out.contains(r#""p""#));
    }

    #[test]
    fn secrets_graph_returns_are_removed_from_response_traces() {
        let cases: &[(&[u8], &str)] = &[
            (br#"{"@odata.context":"x","customKeyIdentifier":null,"displayName":"ci","hint":"abc","keyId":"k1","secretText":"s3cr3t~value","startDateTime":"2026-01-01T00:00:00Z"}"#, "s3cr3t~value"),
            (br#"{"id":"b1","key":"123456-654321-111111-222222-333333-444444-555555-666666"}"#, "654321"),
            (br#"{"credentials":[{"accountName":"admin","passwordBase64":"UEBzc3cwcmQ="}]}"#, "UEBzc3cwcmQ="),
            (br#"{"currentPassword":"old-one","newPassword":"new-one"}"#, "-one"),
            (br#"{"adDomainPassword":"joinme","clientSecret":"cs"}"#, "joinme"),
            (br#"{"value":[{"temporaryAccessPass":"TAP-1234"}]}"#, "TAP-1234"),
        ];
        for (body, secret) in cases {
            let block = response_block(200, &[], body);
            assert!(!block.contains(secret), "{block}");
            assert!(block.contains(REDACTED), "{block}");
        }
        // Names that only look alike stay readable.
        let out = body_for_trace(br#"{"passwordPolicies":"DisablePasswordExpiration","lastPasswordChangeDateTime":"2026-01-01T00:00:00Z","keyId":"k1"}"#);
        assert!(
            out.contains("DisablePasswordExpiration")
                && out.contains("2026-01-01")
                && out.contains("k1"),
            "{out}"
        );
    }

    #[test]
    fn long_bodies_are_cut() {
        let long = vec![b'a'; MAX_BODY_CHARS + 10];
        let out = body_for_trace(&long);
        assert!(out.ends_with("<DATA TRUNCATED DUE TO SIZE>"));
        assert!(out.len() < MAX_BODY_CHARS + 40);
    }
}
