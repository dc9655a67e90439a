//! App-only sign-in with a certificate: a client assertion (a JWT signed with the
//! certificate's private key) in place of a secret.
//!
//! The key arrives from the module in memory (PKCS#8, exported from the certificate store),
//! lives only in this credential, and is never written anywhere.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use futures_util::future::BoxFuture;
use oauth2::basic::BasicClient;
use oauth2::{AuthType, ClientId, Scope, TokenResponse, TokenUrl};
use rsa::pkcs8::DecodePrivateKey;
use rsa::signature::{RandomizedSigner, SignatureEncoding};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::flows::describe;
use super::{AccessToken, AuthError, Credential, Environment};

/// The `client_assertion_type` of certificate credentials.
pub const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// How long an assertion is valid (MSAL uses ten minutes).
const ASSERTION_LIFETIME_SECS: i64 = 600;

pub struct CertificateCredential {
    pub env: Environment,
    pub tenant: String,
    pub client_id: String,
    /// The certificate (DER), for its thumbprint and the optional x5c chain.
    certificate: Vec<u8>,
    key: rsa::RsaPrivateKey,
    send_chain: bool,
}

impl std::fmt::Debug for CertificateCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CertificateCredential")
            .field("tenant", &self.tenant)
            .field("client_id", &self.client_id)
            .field("key", &"<redacted>")
            .finish()
    }
}

impl CertificateCredential {
    /// From the certificate and its PKCS#8 private key, both base64 (as the module sends them).
    pub fn new(
        env: Environment,
        tenant: String,
        client_id: String,
        certificate_b64: &str,
        key_b64: &str,
        send_chain: bool,
    ) -> Result<CertificateCredential, AuthError> {
        let certificate = STANDARD.decode(certificate_b64).map_err(|_| {
            AuthError::new(
                "InvalidCertificate",
                "The certificate is not valid base64 DER.",
            )
        })?;
        let mut key_der = STANDARD.decode(key_b64).map_err(|_| {
            AuthError::new(
                "InvalidCertificate",
                "The certificate's private key is not valid base64.",
            )
        })?;
        let key = rsa::RsaPrivateKey::from_pkcs8_der(&key_der);
        // Drop the decoded copy of the key as soon as it is parsed.
        key_der.iter_mut().for_each(|b| *b = 0);
        let key = key.map_err(|_| {
            AuthError::new(
                "InvalidCertificate",
                "The certificate's private key is not an RSA key in PKCS#8 form.",
            )
        })?;
        Ok(CertificateCredential {
            env,
            tenant,
            client_id,
            certificate,
            key,
            send_chain,
        })
    }

    /// A signed client assertion for the token endpoint (PS256, `x5t#S256`, as current
    /// Entra documentation describes).
    pub fn assertion(&self) -> Result<String, AuthError> {
        let mut header = json!({
            "alg": "PS256",
            "typ": "JWT",
            "x5t#S256": URL_SAFE_NO_PAD.encode(Sha256::digest(&self.certificate)),
        });
        if self.send_chain {
            header["x5c"] = json!([STANDARD.encode(&self.certificate)]);
        }
        let now = chrono::Utc::now().timestamp();
        let claims = json!({
            "aud": self.env.token_url(&self.tenant),
            "iss": self.client_id,
            "sub": self.client_id,
            "jti": uuid::Uuid::new_v4().to_string(),
            "nbf": now,
            "iat": now,
            "exp": now + ASSERTION_LIFETIME_SECS,
        });
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let signer = rsa::pss::BlindedSigningKey::<Sha256>::new(self.key.clone());
        let signature = signer
            .try_sign_with_rng(&mut rand::thread_rng(), input.as_bytes())
            .map_err(|e| {
                AuthError::new(
                    "CertificateSigningFailed",
                    format!("The client assertion could not be signed: {e}"),
                )
            })?;
        Ok(format!(
            "{input}.{}",
            URL_SAFE_NO_PAD.encode(signature.to_bytes())
        ))
    }
}

impl Credential for CertificateCredential {
    fn acquire<'a>(
        &'a self,
        http: &'a reqwest::Client,
    ) -> BoxFuture<'a, Result<AccessToken, AuthError>> {
        Box::pin(async move {
            let token_url = TokenUrl::new(self.env.token_url(&self.tenant)).map_err(|e| {
                AuthError::new("InvalidEnvironment", format!("invalid token endpoint: {e}"))
            })?;
            let client = BasicClient::new(ClientId::new(self.client_id.clone()))
                .set_auth_type(AuthType::RequestBody)
                .set_token_uri(token_url);
            let assertion = self.assertion()?;
            let token = client
                .exchange_client_credentials()
                .add_scope(Scope::new(self.env.default_scope()))
                .add_extra_param("client_assertion_type", JWT_BEARER)
                .add_extra_param("client_assertion", assertion)
                .request_async(http)
                .await
                .map_err(|e| describe("ClientCertificateCredential", e))?;
            Ok(AccessToken::new(
                token.access_token().secret().clone(),
                token
                    .expires_in()
                    .unwrap_or(std::time::Duration::from_secs(3599)),
            ))
        })
    }
}
