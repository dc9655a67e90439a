//! The sandbox tenant: directory objects, authentication methods, policies and apps.
//!
//! Directory objects are kept as JSON maps (Graph is schema-rich and PATCH merges arbitrary
//! declared properties); what Graph never returns (passwords, methods, roles) lives beside
//! them in typed fields.

use chrono::{DateTime, Utc};
use indexmap::IndexMap;
use rand::{Rng, RngCore};
use serde_json::{json, Map, Value};
use std::collections::HashMap;

/// The Microsoft Graph Command Line Tools app id, the SDK's default public client.
pub const GRAPH_CLI_APP_ID: &str = "14d82eec-204b-4c2f-b7e8-296a70dab67e";

/// The globally unique id of the password method.
pub const PASSWORD_METHOD_ID: &str = "28c10230-6103-485e-b985-444c60001490";

/// A certificate registered on an application (`keyCredentials`).
#[derive(Debug, Clone)]
pub struct KeyCredential {
    pub key_id: String,
    pub display_name: String,
    /// The certificate, DER.
    pub der: Vec<u8>,
}

impl KeyCredential {
    /// The `keyCredential` Graph returns for it: what the certificate says (its validity as
    /// `startDateTime`/`endDateTime`, its SHA-1 thumbprint as `customKeyIdentifier`, base64)
    /// and never the key itself (`key` is null on reads). See
    /// <https://learn.microsoft.com/graph/api/resources/keycredential>.
    pub fn to_json(&self) -> serde_json::Value {
        use sha1::Digest;
        let validity = x509_parser::parse_x509_certificate(&self.der)
            .ok()
            .map(|(_, cert)| {
                let v = cert.validity();
                let at = |t: &x509_parser::time::ASN1Time| {
                    chrono::DateTime::from_timestamp(t.timestamp(), 0)
                        .map(|d| d.format("%Y-%m-%dT%H:%M:%SZ").to_string())
                };
                (at(&v.not_before), at(&v.not_after))
            });
        let (start, end) = validity.unwrap_or((None, None));
        let thumbprint = base64::Engine::encode(
            &base64::engine::general_purpose::STANDARD,
            sha1::Sha1::digest(&self.der),
        );
        serde_json::json!({
            "keyId": self.key_id, "type": "AsymmetricX509Cert", "usage": "Verify",
            "displayName": self.display_name, "key": null,
            "customKeyIdentifier": thumbprint, "startDateTime": start, "endDateTime": end,
        })
    }

    /// The display name Graph gives a certificate registered without one: its subject.
    pub fn subject(der: &[u8]) -> Option<String> {
        x509_parser::parse_x509_certificate(der)
            .ok()
            .map(|(_, cert)| cert.subject().to_string())
    }
}

/// A registered application.
#[derive(Debug, Clone)]
pub struct App {
    /// The application object's id (not the client id).
    pub object_id: String,
    pub client_id: String,
    pub display_name: String,
    /// Client secrets accepted (confidential clients).
    pub secrets: Vec<String>,
    /// Application permissions granted (the `roles` claim).
    pub roles: Vec<String>,
    /// Public clients sign users in (delegated).
    pub public_client: bool,
    /// Certificates whose keys may sign client assertions.
    pub certificates: Vec<KeyCredential>,
}

/// A user's Temporary Access Pass.
#[derive(Debug, Clone)]
pub struct Tap {
    pub id: String,
    pub pass: String,
    pub created: DateTime<Utc>,
    pub start: DateTime<Utc>,
    pub lifetime_minutes: i64,
    pub usable_once: bool,
    pub used: bool,
}

/// A registered passkey.
#[derive(Debug, Clone)]
pub struct Fido2 {
    pub id: String,
    pub display_name: String,
    pub created: DateTime<Utc>,
    pub aa_guid: String,
    pub model: String,
}

/// A user and what Graph keeps out of the user object.
#[derive(Debug, Clone)]
pub struct User {
    /// The Graph object (id, userPrincipalName, displayName, ...).
    pub object: Map<String, Value>,
    pub password: String,
    /// Directory roles (display names).
    pub roles: Vec<String>,
    pub tap: Option<Tap>,
    pub fido2: Vec<Fido2>,
    pub per_user_mfa: String,
    pub created: DateTime<Utc>,
}

impl User {
    pub fn id(&self) -> &str {
        self.object
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
    }

    pub fn upn(&self) -> &str {
        self.object
            .get("userPrincipalName")
            .and_then(Value::as_str)
            .unwrap_or_default()
    }
}

/// A group and its direct members (ids, in the order they were added).
#[derive(Debug, Clone)]
pub struct Group {
    pub object: Map<String, Value>,
    pub members: Vec<String>,
}

/// The whole tenant.
#[derive(Debug, Clone)]
pub struct Tenant {
    pub id: String,
    pub domain: String,
    pub display_name: String,
    pub users: IndexMap<String, User>,
    /// Lower-cased UPN → id.
    pub upn_index: HashMap<String, String>,
    pub groups: IndexMap<String, Group>,
    /// Authentication method configurations by id (TemporaryAccessPass, Fido2, ...).
    pub method_configs: IndexMap<String, Map<String, Value>>,
    pub policy_modified: DateTime<Utc>,
    /// The authentication methods policy's own settings (`registrationEnforcement`, ...), as
    /// PATCH left them (learn.microsoft.com/graph/api/authenticationmethodspolicy-update).
    pub method_policy: Map<String, Value>,
    pub apps: Vec<App>,
    /// The built-in administrator's id.
    pub admin_id: String,
    /// Everything else the catalog describes (and what hangs below users, groups and apps).
    pub store: crate::sandbox::store::Store,
}

/// The authentication methods policy's own settings in a new tenant: Graph's documented
/// defaults (learn.microsoft.com/graph/api/resources/authenticationmethodspolicy,
/// /resources/authenticationmethodsregistrationcampaign: state `default`, all users targeted
/// for Microsoft Authenticator, one-day snoozes).
pub fn default_method_policy() -> Map<String, Value> {
    let v = serde_json::json!({
        "description": "The tenant-wide policy that controls which authentication methods are allowed in the tenant, authentication method registration requirements, and self-service password reset settings",
        "displayName": "Authentication Methods Policy",
        "policyVersion": "1.5",
        "policyMigrationState": "migrationComplete",
        "reconfirmationInDays": 0,
        "registrationEnforcement": {
            "authenticationMethodsRegistrationCampaign": {
                "snoozeDurationInDays": 1,
                "state": "default",
                "excludeTargets": [],
                "includeTargets": [{
                    "id": "all_users", "targetType": "group",
                    "targetedAuthenticationMethod": "microsoftAuthenticator",
                }],
            }
        },
    });
    v.as_object().cloned().unwrap_or_default()
}

pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// How finely Graph writes a timestamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Precision {
    /// Whole seconds (`2026-11-30T12:17:52Z`): directory objects (users, groups, ...).
    Seconds,
    /// 100-nanosecond ticks, seven digits (`2026-11-30T12:17:52.8043281Z`): the other
    /// workloads (authentication methods, policies), as .NET's round-trip format writes.
    Ticks,
}

/// A timestamp as Graph reads one: RFC 3339 with an offset, or without one (read as UTC).
pub fn parse_timestamp(text: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|t| t.and_utc())
}

/// Every timestamp the sandbox writes: ISO 8601 in UTC with `Z`, at Graph's precision.
pub fn format_timestamp(t: DateTime<Utc>, precision: Precision) -> String {
    match precision {
        Precision::Seconds => t.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        Precision::Ticks => format!(
            "{}.{:07}Z",
            t.format("%Y-%m-%dT%H:%M:%S"),
            t.timestamp_subsec_nanos() / 100
        ),
    }
}

/// A directory object's timestamp (whole seconds).
pub fn timestamp(t: DateTime<Utc>) -> String {
    format_timestamp(t, Precision::Seconds)
}

/// Sets a user's `signInSessionsValidFromDateTime` when it has none: the time before which its refresh and
/// session tokens are invalid (learn.microsoft.com/graph/api/resources/user), for a user never
/// revoked when it was created or its password last set, whichever is later.
/// `revokeSignInSessions` moves it to now.
pub fn sessions_valid_from(object: &mut Map<String, Value>) {
    let given = |k: &str| {
        object
            .get(k)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    if given("signInSessionsValidFromDateTime").is_some() {
        return;
    }
    let parse = |s: &str| DateTime::parse_from_rfc3339(s).ok().map(|d| d.to_utc());
    let created = given("createdDateTime");
    let changed = given("lastPasswordChangeDateTime");
    let from = match (&created, &changed) {
        (Some(c), Some(p)) => match (parse(c), parse(p)) {
            (Some(cd), Some(pd)) => timestamp(cd.max(pd)),
            (Some(cd), None) => timestamp(cd),
            _ => p.clone(),
        },
        (Some(c), None) => parse(c).map(timestamp).unwrap_or_else(|| c.clone()),
        (None, Some(p)) => parse(p).map(timestamp).unwrap_or_else(|| p.clone()),
        (None, None) => return,
    };
    object.insert("signInSessionsValidFromDateTime".into(), json!(from));
}

/// Keeps a user's sign-in identity by its user principal name in `identities`: Graph lists it
/// for every user, `{"signInType": "userPrincipalName", "issuer": "<the tenant's initial
/// domain>", "issuerAssignedId": "<userPrincipalName>"}`, in step with the UPN
/// (<https://learn.microsoft.com/graph/api/resources/objectidentity>, the `userPrincipalName`
/// sign-in type). Other identities (federated, email) are kept.
pub fn upn_identity(object: &mut Map<String, Value>, domain: &str) {
    let upn = object
        .get("userPrincipalName")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    if upn.is_empty() {
        return;
    }
    let identity =
        json!({"signInType": "userPrincipalName", "issuer": domain, "issuerAssignedId": upn});
    let identities = object.entry("identities").or_insert_with(|| json!([]));
    if !identities.is_array() {
        *identities = json!([]);
    }
    if let Some(list) = identities.as_array_mut() {
        let is_upn = |i: &Value| {
            i.get("signInType")
                .and_then(Value::as_str)
                .is_some_and(|t| t.eq_ignore_ascii_case("userPrincipalName"))
        };
        match list.iter_mut().find(|i| is_upn(i)) {
            Some(existing) => *existing = identity,
            None => list.insert(0, identity),
        }
    }
}

/// Graph's `securityIdentifier` of a cloud group or user: `S-1-12-1-` and the object id's 16
/// bytes (in .NET `Guid.ToByteArray` order) as four little-endian 32-bit numbers.
pub fn security_identifier(id: &str) -> Option<String> {
    let bytes = uuid::Uuid::parse_str(id).ok()?.to_bytes_le();
    let part = |i: usize| u32::from_le_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
    Some(format!(
        "S-1-12-1-{}-{}-{}-{}",
        part(0),
        part(4),
        part(8),
        part(12)
    ))
}

/// A random secret in the style of Entra client secrets.
pub fn random_secret(len: usize) -> String {
    const CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789~._-";
    let mut rng = rand::thread_rng();
    (0..len)
        .map(|_| CHARS[rng.gen_range(0..CHARS.len())] as char)
        .collect()
}

/// A random base64url credential id, like real FIDO2 method ids.
pub fn random_credential_id() -> String {
    use base64::Engine;
    let mut bytes = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A Microsoft Authenticator feature setting left to Microsoft (`state: default`), for all
/// users and excluding none: <https://learn.microsoft.com/graph/api/resources/microsoftauthenticatorfeaturesettings>.
fn authenticator_feature() -> Value {
    json!({
        "state": "default",
        "includeTarget": { "targetType": "group", "id": "all_users" },
        "excludeTarget": { "targetType": "group", "id": "00000000-0000-0000-0000-000000000000" }
    })
}

/// The method configurations of an untouched tenant.
pub fn default_method_configs() -> IndexMap<String, Map<String, Value>> {
    let all_users =
        json!([{ "targetType": "group", "id": "all_users", "isRegistrationRequired": false }]);
    let configs = [
        json!({
            "@odata.type": "#microsoft.graph.temporaryAccessPassAuthenticationMethodConfiguration",
            "id": "TemporaryAccessPass",
            "state": "disabled",
            "defaultLifetimeInMinutes": 60,
            "defaultLength": 8,
            "minimumLifetimeInMinutes": 60,
            "maximumLifetimeInMinutes": 480,
            "isUsableOnce": false,
            "includeTargets": all_users,
            "excludeTargets": []
        }),
        json!({
            "@odata.type": "#microsoft.graph.fido2AuthenticationMethodConfiguration",
            "id": "Fido2",
            "state": "enabled",
            "isSelfServiceRegistrationAllowed": true,
            "isAttestationEnforced": false,
            "keyRestrictions": { "isEnforced": false, "enforcementType": "block", "aaGuids": [] },
            "includeTargets": all_users,
            "excludeTargets": []
        }),
        json!({
            "@odata.type": "#microsoft.graph.microsoftAuthenticatorAuthenticationMethodConfiguration",
            "id": "MicrosoftAuthenticator",
            "state": "enabled",
            "isSoftwareOathEnabled": false,
            // Microsoft-managed defaults, as a new tenant's GET shows them.
            "featureSettings": {
                "displayAppInformationRequiredState": authenticator_feature(),
                "displayLocationInformationRequiredState": authenticator_feature()
            },
            "includeTargets": all_users,
            "excludeTargets": []
        }),
        json!({
            "@odata.type": "#microsoft.graph.smsAuthenticationMethodConfiguration",
            "id": "Sms",
            "state": "disabled",
            "includeTargets": all_users,
            "excludeTargets": []
        }),
        json!({
            "@odata.type": "#microsoft.graph.emailAuthenticationMethodConfiguration",
            "id": "Email",
            "state": "disabled",
            "allowExternalIdToUseEmailOtp": "default",
            "includeTargets": all_users,
            "excludeTargets": []
        }),
        // The other configurations every tenant lists (authenticationmethodspolicy-get).
        json!({
            "@odata.type": "#microsoft.graph.voiceAuthenticationMethodConfiguration",
            "id": "Voice",
            "state": "disabled",
            "isOfficePhoneAllowed": false,
            "includeTargets": all_users,
            "excludeTargets": []
        }),
        json!({
            "@odata.type": "#microsoft.graph.softwareOathAuthenticationMethodConfiguration",
            "id": "SoftwareOath",
            "state": "disabled",
            "includeTargets": all_users,
            "excludeTargets": []
        }),
        json!({
            "@odata.type": "#microsoft.graph.x509CertificateAuthenticationMethodConfiguration",
            "id": "X509Certificate",
            "state": "disabled",
            "certificateUserBindings": [
                {"x509CertificateField": "PrincipalName", "userProperty": "onPremisesUserPrincipalName", "priority": 1},
                {"x509CertificateField": "RFC822Name", "userProperty": "userPrincipalName", "priority": 2}
            ],
            "authenticationModeConfiguration": {"x509CertificateAuthenticationDefaultMode": "x509CertificateSingleFactor", "rules": []},
            "crlValidationConfiguration": {"state": "disabled", "exemptedCertificateAuthoritiesSubjectKeyIdentifiers": []},
            "certificateAuthorityScopes": [],
            "issuerHintsConfiguration": {"state": "disabled"},
            "includeTargets": all_users,
            "excludeTargets": []
        }),
    ];
    configs
        .into_iter()
        .map(|c| {
            let map = c.as_object().cloned().unwrap_or_default();
            let id = map["id"].as_str().unwrap_or_default().to_string();
            (id, map)
        })
        .collect()
}

/// What a new tenant starts with.
#[derive(Debug, Clone)]
pub struct Seed {
    pub tenant_id: String,
    pub domain: String,
    pub client_id: String,
    pub client_secret: String,
    pub admin_password: String,
    pub extra_users: usize,
    /// The demo tenant's seed (see [`crate::sandbox::demo`]); `None` for a blank tenant.
    pub demo: Option<u64>,
}

impl Tenant {
    /// A tenant with its demo data (when `seed.demo` is set), extra users and what every
    /// tenant has: [`Tenant::built_in`], then [`Tenant::fill`].
    pub fn new(seed: &Seed) -> Tenant {
        let mut tenant = Tenant::built_in(seed);
        tenant.fill(seed.demo, seed.extra_users);
        tenant
    }

    /// The built-in users and apps alone (the administrator, the demo's named users, the
    /// command-line and automation apps): what a sign-in needs. [`Tenant::fill`] adds the
    /// rest; the sandbox does that on a thread of its own (`fill_in_background`).
    pub fn built_in(seed: &Seed) -> Tenant {
        let mut tenant = Tenant {
            id: seed.tenant_id.clone(),
            domain: seed.domain.clone(),
            display_name: "Contoso (MgGraph sandbox)".into(),
            users: IndexMap::new(),
            upn_index: HashMap::new(),
            groups: IndexMap::new(),
            method_configs: default_method_configs(),
            policy_modified: Utc::now(),
            method_policy: default_method_policy(),
            apps: vec![
                App {
                    object_id: new_id(),
                    client_id: GRAPH_CLI_APP_ID.into(),
                    display_name: "Microsoft Graph Command Line Tools".into(),
                    secrets: vec![],
                    roles: vec![],
                    public_client: true,
                    certificates: vec![],
                },
                App {
                    object_id: new_id(),
                    client_id: seed.client_id.clone(),
                    display_name: "MgGraph Sandbox Automation".into(),
                    secrets: vec![seed.client_secret.clone()],
                    // Granted explicitly: see `authz::broad_app_roles`.
                    roles: crate::sandbox::authz::broad_app_roles(),
                    public_client: false,
                    certificates: vec![],
                },
            ],
            admin_id: String::new(),
            store: crate::sandbox::store::Store::default(),
        };
        let admin = tenant.add_user(
            json!({
                "displayName": "Sandbox Administrator",
                "givenName": "Sandbox",
                "surname": "Administrator",
                "mailNickname": "admin",
                "userPrincipalName": format!("admin@{}", seed.domain),
                "mail": format!("admin@{}", seed.domain),
                "proxyAddresses": [format!("SMTP:admin@{}", seed.domain)],
                "jobTitle": "Global Administrator",
                "accountEnabled": true
            }),
            seed.admin_password.clone(),
        );
        tenant.admin_id = admin.clone();
        if let Some(u) = tenant.users.get_mut(&admin) {
            u.roles = vec!["Global Administrator".into()];
            u.per_user_mfa = "enforced".into();
        }
        for (nick, name, title) in [
            ("adelev", "Adele Vance", "Retail Manager"),
            ("alexw", "Alex Wilber", "Marketing Assistant"),
            ("meganb", "Megan Bowen", "Auditor"),
        ] {
            tenant.add_user(
                json!({
                    "displayName": name,
                    "givenName": name.split(' ').next().unwrap_or_default(),
                    "surname": name.split(' ').nth(1).unwrap_or_default(),
                    "mailNickname": nick,
                    "userPrincipalName": format!("{nick}@{}", seed.domain),
                    "mail": format!("{nick}@{}", seed.domain),
                    "proxyAddresses": [format!("SMTP:{nick}@{}", seed.domain)],
                    "jobTitle": title,
                    "accountEnabled": true
                }),
                random_secret(16),
            );
        }
        tenant
    }

    /// Adds the demo data drawn from `demo` (see [`crate::sandbox::demo`]), then
    /// `extra_users` plain users (`seed000001@...`), which keep their plain shape.
    pub fn fill(&mut self, demo: Option<u64>, extra_users: usize) {
        if let Some(seed) = demo {
            crate::sandbox::demo::populate(self, seed, crate::sandbox::demo::Size::default());
            crate::sandbox::authz::add_rehearsal_principals(self);
        }
        let domain = self.domain.clone();
        for i in 1..=extra_users {
            self.add_user(
                json!({
                    "displayName": format!("Seed User {i:06}"),
                    "givenName": "Seed",
                    "surname": format!("User{i:06}"),
                    "mailNickname": format!("seed{i:06}"),
                    "userPrincipalName": format!("seed{i:06}@{}", domain),
                    "mail": format!("seed{i:06}@{}", domain),
                    "department": if i % 2 == 0 { "Sales" } else { "Engineering" },
                    "accountEnabled": true
                }),
                String::new(),
            );
        }
        // What every tenant has (policies, role templates, ...), around what the demo wrote.
        crate::sandbox::defaults::install(self);
    }

    /// Gives every user lacking one its `signInSessionsValidFromDateTime` (see
    /// [`sessions_valid_from`]).
    pub fn fill_sessions_valid_from(&mut self) {
        for u in self.users.values_mut() {
            sessions_valid_from(&mut u.object);
        }
    }

    /// Adds a user from a (validated) Graph object; returns the new id.
    pub fn add_user(&mut self, object: Value, password: String) -> String {
        let mut object = object.as_object().cloned().unwrap_or_default();
        let id = new_id();
        let now = Utc::now();
        object.insert("id".into(), json!(id));
        object.entry("businessPhones").or_insert(json!([]));
        // What Graph sets on every new user (user-post-users): no licences yet, and the 15
        // extension attributes, empty.
        crate::sandbox::defaults::on_create("microsoft.graph.user", &mut object);
        object.entry("userType").or_insert(json!("Member"));
        object.insert("createdDateTime".into(), json!(timestamp(now)));
        object.remove("signInSessionsValidFromDateTime");
        sessions_valid_from(&mut object);
        object.insert(
            "securityIdentifier".into(),
            json!(security_identifier(&id).unwrap_or_default()),
        );
        object.entry("accountEnabled").or_insert(json!(true));
        object.remove("passwordProfile");
        upn_identity(&mut object, &self.domain);
        let upn = object
            .get("userPrincipalName")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_ascii_lowercase();
        self.upn_index.insert(upn, id.clone());
        self.users.insert(
            id.clone(),
            User {
                object,
                password,
                roles: vec![],
                tap: None,
                fido2: vec![],
                per_user_mfa: "disabled".into(),
                created: now,
            },
        );
        // A new mailbox has its default folders (Inbox, Sent Items, ...).
        crate::sandbox::mail::default_folders(self, &id);
        id
    }

    /// Whether `domain` is one of the tenant's verified domains: the initial one, and those
    /// of `/domains` marked `isVerified`.
    pub fn is_verified_domain(&self, domain: &str) -> bool {
        domain.eq_ignore_ascii_case(&self.domain)
            || self.store.sets.get("domains").is_some_and(|set| {
                set.values().any(|d| {
                    d.id().eq_ignore_ascii_case(domain)
                        && d.object.get("isVerified") == Some(&Value::Bool(true))
                })
            })
    }

    /// Resolves an id or a user principal name (as Graph does for `/users/{id | upn}`).
    pub fn user_id(&self, key: &str) -> Option<String> {
        if self.users.contains_key(key) {
            return Some(key.to_string());
        }
        self.upn_index.get(&key.to_ascii_lowercase()).cloned()
    }

    pub fn user(&self, key: &str) -> Option<&User> {
        self.user_id(key).and_then(|id| self.users.get(&id))
    }

    pub fn user_mut(&mut self, key: &str) -> Option<&mut User> {
        let id = self.user_id(key)?;
        self.users.get_mut(&id)
    }

    pub fn remove_user(&mut self, id: &str) -> bool {
        let Some(user) = self.users.shift_remove(id) else {
            return false;
        };
        self.upn_index.remove(&user.upn().to_ascii_lowercase());
        for g in self.groups.values_mut() {
            g.members.retain(|m| m != id);
        }
        // Referential integrity: no link keeps pointing at the user.
        self.store.forget(id);
        true
    }

    /// Whether `user_id` is a direct member of `group_id`.
    pub fn is_member(&self, group_id: &str, user_id: &str) -> bool {
        self.groups
            .get(group_id)
            .map(|g| g.members.iter().any(|m| m == user_id))
            .unwrap_or(false)
    }

    /// Whether a method configuration applies to a user (enabled, included, not excluded).
    pub fn method_enabled_for(&self, config_id: &str, user_id: &str) -> bool {
        let Some(config) = self.method_configs.get(config_id) else {
            return false;
        };
        if config.get("state").and_then(Value::as_str) != Some("enabled") {
            return false;
        }
        let targets = |key: &str| -> Vec<String> {
            config
                .get(key)
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|t| t.get("id").and_then(Value::as_str))
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default()
        };
        let matches = |target: &String| -> bool {
            target == "all_users" || target == user_id || self.is_member(target, user_id)
        };
        targets("includeTargets").iter().any(matches)
            && !targets("excludeTargets").iter().any(matches)
    }

    pub fn app(&self, client_id: &str) -> Option<&App> {
        self.apps
            .iter()
            .find(|a| a.client_id.eq_ignore_ascii_case(client_id))
    }
}

/// The TAP policy numbers the create rules use.
#[derive(Debug, Clone, Copy)]
pub struct TapPolicy {
    pub default_lifetime: i64,
    pub min_lifetime: i64,
    pub max_lifetime: i64,
    pub default_length: usize,
    pub usable_once: bool,
}

impl TapPolicy {
    pub fn from_config(config: &Map<String, Value>) -> TapPolicy {
        let int = |k: &str, d: i64| config.get(k).and_then(Value::as_i64).unwrap_or(d);
        TapPolicy {
            default_lifetime: int("defaultLifetimeInMinutes", 60),
            min_lifetime: int("minimumLifetimeInMinutes", 60),
            max_lifetime: int("maximumLifetimeInMinutes", 480),
            default_length: int("defaultLength", 8).clamp(8, 48) as usize,
            usable_once: config
                .get("isUsableOnce")
                .and_then(Value::as_bool)
                .unwrap_or(false),
        }
    }
}

/// Generates a pass of the policy's length, in the style of the documented examples.
pub fn generate_pass(len: usize) -> String {
    const CHARS: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789+-&!#%*";
    let mut rng = rand::thread_rng();
    (0..len)
        .map(|_| CHARS[rng.gen_range(0..CHARS.len())] as char)
        .collect()
}

/// Usability of a pass at `now`, in the documented precedence.
pub fn tap_usability(tap: &Tap, policy_allows: bool, now: DateTime<Utc>) -> (bool, &'static str) {
    let expiry = tap.start + chrono::Duration::minutes(tap.lifetime_minutes);
    if !policy_allows {
        (false, "DisabledByPolicy")
    } else if now < tap.start {
        (false, "NotYetValid")
    } else if now >= expiry {
        (false, "Expired")
    } else if tap.usable_once && tap.used {
        (false, "OneTimeUsed")
    } else {
        (true, "EnabledByPolicy")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seed() -> Seed {
        Seed {
            tenant_id: new_id(),
            domain: "contoso.onmicrosoft.com".into(),
            client_id: new_id(),
            client_secret: "s".into(),
            admin_password: "p".into(),
            extra_users: 3,
            demo: None,
        }
    }

    #[test]
    fn users_resolve_by_id_and_upn_case_insensitively() {
        let t = Tenant::new(&seed());
        let admin = t.user("ADMIN@contoso.onmicrosoft.com").unwrap();
        assert_eq!(admin.id(), t.admin_id);
        assert!(t.user(&t.admin_id).is_some());
        assert_eq!(t.users.len(), 1 + 3 + 3);
    }

    #[test]
    fn tap_usability_precedence() {
        let now = Utc::now();
        let mut tap = Tap {
            id: new_id(),
            pass: "x".into(),
            created: now,
            start: now - chrono::Duration::minutes(1),
            lifetime_minutes: 60,
            usable_once: true,
            used: false,
        };
        assert_eq!(tap_usability(&tap, true, now), (true, "EnabledByPolicy"));
        assert_eq!(tap_usability(&tap, false, now), (false, "DisabledByPolicy"));
        tap.used = true;
        assert_eq!(tap_usability(&tap, true, now), (false, "OneTimeUsed"));
        tap.start = now + chrono::Duration::minutes(5);
        assert_eq!(tap_usability(&tap, true, now), (false, "NotYetValid"));
        tap.start = now - chrono::Duration::minutes(61);
        assert_eq!(tap_usability(&tap, true, now), (false, "Expired"));
    }

    #[test]
    fn policy_targets_follow_groups_and_exclusions() {
        let mut t = Tenant::new(&seed());
        let uid = t
            .user("adelev@contoso.onmicrosoft.com")
            .unwrap()
            .id()
            .to_string();
        assert!(
            !t.method_enabled_for("TemporaryAccessPass", &uid),
            "disabled by default"
        );
        let gid = new_id();
        t.groups.insert(
            gid.clone(),
            Group {
                object: Map::new(),
                members: vec![uid.clone()],
            },
        );
        let cfg = t.method_configs.get_mut("TemporaryAccessPass").unwrap();
        cfg.insert("state".into(), json!("enabled"));
        cfg.insert(
            "includeTargets".into(),
            json!([{"id": gid, "targetType": "group"}]),
        );
        assert!(t.method_enabled_for("TemporaryAccessPass", &uid));
        assert!(!t.method_enabled_for("TemporaryAccessPass", &t.admin_id.clone()));
        let cfg = t.method_configs.get_mut("TemporaryAccessPass").unwrap();
        cfg.insert(
            "excludeTargets".into(),
            json!([{"id": uid, "targetType": "user"}]),
        );
        assert!(!t.method_enabled_for("TemporaryAccessPass", &uid));
    }
}
