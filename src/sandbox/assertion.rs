//! Client assertions (certificate credentials): JWTs signed with an app's certificate key,
//! checked against the certificates registered on the app (`keyCredentials`).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rsa::pkcs8::DecodePublicKey;
use rsa::signature::Verifier;
use serde_json::Value;
use sha1::Sha1;
use sha2::{Digest, Sha256};

use super::state::KeyCredential;

/// The `client_assertion_type` of certificate credentials.
pub const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// Why an assertion was refused: (AADSTS code, description).
pub type Refusal = (u32, String);

fn decode_part(part: &str) -> Option<Value> {
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).ok()?).ok()
}

/// Verifies an assertion for `client_id` sent to `audience` (the token endpoint URL).
pub fn verify(
    assertion: &str,
    client_id: &str,
    audiences: &[String],
    keys: &[KeyCredential],
) -> Result<(), Refusal> {
    let malformed = || {
        (
            50027,
            "Invalid JWT token. The token is malformed.".to_string(),
        )
    };
    let mut parts = assertion.split('.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(malformed());
    };
    let header = decode_part(h).ok_or_else(malformed)?;
    let claims = decode_part(p).ok_or_else(malformed)?;
    let signature = URL_SAFE_NO_PAD.decode(s).map_err(|_| malformed())?;
    let alg = header
        .get("alg")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let s256 = header.get("x5t#S256").and_then(Value::as_str);
    let s1 = header.get("x5t").and_then(Value::as_str);
    let key = keys.iter().find(|k| {
        s256.map(|t| t == URL_SAFE_NO_PAD.encode(Sha256::digest(&k.der)))
            .unwrap_or(false)
            || s1
                .map(|t| t == URL_SAFE_NO_PAD.encode(Sha1::digest(&k.der)))
                .unwrap_or(false)
    });
    let Some(key) = key else {
        return Err((
            700027,
            format!(
                "Client assertion contains an invalid signature. [Reason - The key was not found., Thumbprint of key used by client: '{}', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '{client_id}'.]",
                s256.or(s1).unwrap_or("(none)")
            ),
        ));
    };
    let (_, cert) = x509_parser::parse_x509_certificate(&key.der).map_err(|_| malformed())?;
    let public = rsa::RsaPublicKey::from_public_key_der(cert.public_key().raw).map_err(|_| {
        (
            700027,
            "The registered certificate does not hold an RSA key.".to_string(),
        )
    })?;
    let signed = format!("{h}.{p}");
    let valid = match alg {
        "PS256" => rsa::pss::Signature::try_from(signature.as_slice())
            .map(|sig| {
                rsa::pss::VerifyingKey::<Sha256>::new(public)
                    .verify(signed.as_bytes(), &sig)
                    .is_ok()
            })
            .unwrap_or(false),
        "RS256" => rsa::pkcs1v15::Signature::try_from(signature.as_slice())
            .map(|sig| {
                rsa::pkcs1v15::VerifyingKey::<Sha256>::new(public)
                    .verify(signed.as_bytes(), &sig)
                    .is_ok()
            })
            .unwrap_or(false),
        other => {
            return Err((
                5002738,
                format!("The assertion's signing algorithm '{other}' is not supported."),
            ))
        }
    };
    if !valid {
        return Err((
            700027,
            "Client assertion failed signature validation.".to_string(),
        ));
    }
    let text = |k: &str| {
        claims
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    // MSAL writes nbf/exp as strings; the docs show numbers. Both are accepted.
    let time = |k: &str| {
        claims.get(k).and_then(|v| {
            v.as_i64()
                .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
        })
    };
    if !audiences
        .iter()
        .any(|a| a.eq_ignore_ascii_case(&text("aud")))
    {
        return Err((
            700212,
            format!("No matching federated identity record found for presented assertion audience '{}'.", text("aud")),
        ));
    }
    if text("iss") != client_id || text("sub") != client_id {
        return Err((
            700021,
            "Client assertion application identifier doesn't match 'client_id' parameter.".into(),
        ));
    }
    let now = chrono::Utc::now().timestamp();
    let skew = 300;
    let (Some(exp), nbf) = (time("exp"), time("nbf")) else {
        return Err((700024, "Client assertion has no expiry (exp).".into()));
    };
    if exp + skew < now || nbf.map(|n| n - skew > now).unwrap_or(false) {
        return Err((
            700024,
            "Client assertion is not within its valid time range.".into(),
        ));
    }
    Ok(())
}
