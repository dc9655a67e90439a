//! Access tokens: JWTs the sandbox signs (HS256 with a per-instance key) and checks.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// Who a token speaks for.
#[derive(Debug, Clone)]
pub struct Principal {
    pub tenant_id: String,
    pub app_id: String,
    /// The user's object id for delegated tokens; `None` for app-only tokens.
    pub user_id: Option<String>,
    /// Delegated scopes (`scp`) or application roles (`roles`).
    pub permissions: Vec<String>,
}

impl Principal {
    pub fn is_delegated(&self) -> bool {
        self.user_id.is_some()
    }

    pub fn has_any(&self, wanted: &[&str]) -> bool {
        self.permissions
            .iter()
            .any(|p| wanted.iter().any(|w| w.eq_ignore_ascii_case(p)))
    }
}

/// Why a token was refused, with the Graph message for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenError {
    Empty,
    Malformed,
    BadSignature,
    Expired,
    WrongAudience,
    WrongTenant,
}

impl TokenError {
    pub fn message(&self) -> &'static str {
        match self {
            TokenError::Empty => "Access token is empty.",
            TokenError::Malformed => "IDX14100: JWT is not well formed, there are no dots (.).",
            TokenError::BadSignature => "Access token validation failure. Invalid signature.",
            TokenError::Expired => "Lifetime validation failed, the token is expired.",
            TokenError::WrongAudience => "Access token validation failure. Invalid audience.",
            TokenError::WrongTenant => "Access token validation failure. Invalid issuer.",
        }
    }
}

/// Audience of Graph tokens.
pub const GRAPH_AUDIENCE: &str = "https://graph.microsoft.com";

/// Signs and verifies the sandbox's tokens.
pub struct Signer {
    key: std::sync::RwLock<Vec<u8>>,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Signer(..)")
    }
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

impl Signer {
    pub fn new(key: Vec<u8>) -> Signer {
        Signer {
            key: std::sync::RwLock::new(key),
        }
    }

    fn mac(&self) -> HmacSha256 {
        let key = self.key.read().unwrap_or_else(|p| p.into_inner());
        // HMAC accepts keys of any length.
        HmacSha256::new_from_slice(&key).expect("HMAC takes any key length")
    }

    /// Replaces the signing key: every token issued so far stops working (as when a tenant
    /// revokes sessions), which is how tests make a client meet a 401.
    pub fn rotate(&self) {
        let mut key = vec![0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::thread_rng(), &mut key);
        *self.key.write().unwrap_or_else(|p| p.into_inner()) = key;
    }

    /// Issues a token for `principal`, valid for `lifetime_secs`.
    pub fn issue(&self, principal: &Principal, lifetime_secs: i64, extra: Value) -> String {
        let now = chrono::Utc::now().timestamp();
        let mut claims = json!({
            "aud": GRAPH_AUDIENCE,
            "iss": format!("https://sts.windows.net/{}/", principal.tenant_id),
            "iat": now,
            "nbf": now,
            "exp": now + lifetime_secs,
            "tid": principal.tenant_id,
            "appid": principal.app_id,
            "azp": principal.app_id,
            "ver": "1.0",
            "uti": uuid::Uuid::new_v4().simple().to_string(),
        });
        let map = claims.as_object_mut().expect("claims are an object");
        match &principal.user_id {
            Some(oid) => {
                map.insert("oid".into(), json!(oid));
                map.insert("scp".into(), json!(principal.permissions.join(" ")));
            }
            None => {
                map.insert("oid".into(), json!(principal.app_id));
                map.insert("roles".into(), json!(principal.permissions));
            }
        }
        if let Value::Object(extra) = extra {
            map.extend(extra);
        }
        let header = b64(br#"{"typ":"JWT","alg":"HS256","kid":"mggraph-sandbox"}"#);
        let payload = b64(claims.to_string().as_bytes());
        let signing_input = format!("{header}.{payload}");
        let mut mac = self.mac();
        mac.update(signing_input.as_bytes());
        let sig = b64(&mac.finalize().into_bytes());
        format!("{signing_input}.{sig}")
    }

    /// Checks a token and returns its principal.
    pub fn verify(&self, token: &str, tenant_id: &str) -> Result<Principal, TokenError> {
        let token = token.trim();
        if token.is_empty() {
            return Err(TokenError::Empty);
        }
        let mut parts = token.split('.');
        let (Some(header), Some(payload), Some(sig), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(TokenError::Malformed);
        };
        let sig = URL_SAFE_NO_PAD
            .decode(sig)
            .map_err(|_| TokenError::Malformed)?;
        let mut mac = self.mac();
        mac.update(header.as_bytes());
        mac.update(b".");
        mac.update(payload.as_bytes());
        mac.verify_slice(&sig)
            .map_err(|_| TokenError::BadSignature)?;
        let claims: Value = URL_SAFE_NO_PAD
            .decode(payload)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .ok_or(TokenError::Malformed)?;
        let exp = claims.get("exp").and_then(Value::as_i64).unwrap_or(0);
        if exp <= chrono::Utc::now().timestamp() {
            return Err(TokenError::Expired);
        }
        if claims.get("aud").and_then(Value::as_str) != Some(GRAPH_AUDIENCE) {
            return Err(TokenError::WrongAudience);
        }
        let tid = claims
            .get("tid")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if !tid.eq_ignore_ascii_case(tenant_id) {
            return Err(TokenError::WrongTenant);
        }
        let app_id = claims
            .get("appid")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let (user_id, permissions) = match claims.get("scp").and_then(Value::as_str) {
            Some(scp) => (
                claims
                    .get("oid")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                scp.split(' ')
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect(),
            ),
            None => (
                None,
                claims
                    .get("roles")
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(Value::as_str)
                            .map(str::to_string)
                            .collect()
                    })
                    .unwrap_or_default(),
            ),
        };
        Ok(Principal {
            tenant_id: tid.to_string(),
            app_id,
            user_id,
            permissions,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal() -> Principal {
        Principal {
            tenant_id: "t1".into(),
            app_id: "a1".into(),
            user_id: None,
            permissions: vec!["User.Read.All".into()],
        }
    }

    #[test]
    fn issued_tokens_verify_and_keep_roles() {
        let s = Signer::new(b"k".to_vec());
        let token = s.issue(&principal(), 60, Value::Null);
        let p = s.verify(&token, "t1").unwrap();
        assert_eq!(p.permissions, vec!["User.Read.All"]);
        assert!(!p.is_delegated());
        assert!(p.has_any(&["user.read.all"]));
    }

    #[test]
    fn tampering_expiry_and_tenant_are_refused() {
        let s = Signer::new(b"k".to_vec());
        let token = s.issue(&principal(), 60, Value::Null);
        let other = Signer::new(b"other".to_vec());
        assert_eq!(
            other.verify(&token, "t1").unwrap_err(),
            TokenError::BadSignature
        );
        assert_eq!(s.verify(&token, "t2").unwrap_err(), TokenError::WrongTenant);
        let expired = s.issue(&principal(), -1, Value::Null);
        assert_eq!(s.verify(&expired, "t1").unwrap_err(), TokenError::Expired);
        assert_eq!(s.verify("", "t1").unwrap_err(), TokenError::Empty);
        assert_eq!(s.verify("abc", "t1").unwrap_err(), TokenError::Malformed);
    }
}
