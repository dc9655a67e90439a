//! Updates that create what is not there yet, where Graph documents them:
//!
//! - `PATCH /applications(uniqueName='x')`, `/groups(uniqueName='x')` and
//!   `/servicePrincipals(appId='x')` with `Prefer: create-if-missing` (application-upsert,
//!   group-upsert, serviceprincipal-upsert): the entity sets the CSDL marks `Upsertable`
//!   create the object with that key and answer 201 with it; without the preference a missing
//!   object stays Graph's 404;
//! - `PATCH /identity/conditionalAccess/authenticationContextClassReferences/{id}`
//!   (authenticationcontextclassreference-update: "Create an authenticationContextClassReference
//!   object, if the ID has not been used"), which answers 204 either way.
//!
//! [`creation`] turns such a request, once the update found nothing, into the create it stands
//! for.

use axum::http::{HeaderMap, StatusCode};
use serde_json::{Map, Value};

/// Entity sets whose alternate-key PATCH may create (the CSDL's `UpdateRestrictions/Upsertable`
/// on `GraphService/applications`, `/groups` and `/servicePrincipals`).
const UPSERTABLE_SETS: &[&str] = &["applications", "groups", "servicePrincipals"];

/// Collections whose PATCH on a new key creates, whatever the client prefers.
const PATCH_CREATES: &[&str] = &["identity/conditionalAccess/authenticationContextClassReferences"];

/// The create a PATCH that found nothing stands for.
pub struct Creation {
    /// The collection to POST to (below the version).
    pub collection: String,
    /// The update's body with the key properties the address gave.
    pub body: Vec<u8>,
    /// The status Graph answers: 201 (with the object) or 204.
    pub status: StatusCode,
}

/// The create for `PATCH path` with `body`, when Graph documents the update as an upsert;
/// `None` otherwise (and for a body that is not a JSON object: the create's own check then
/// never runs, and the update's 404 stands).
pub fn creation(path: &str, headers: &HeaderMap, body: &[u8]) -> Option<Creation> {
    let path = percent_encoding::percent_decode_str(path)
        .decode_utf8()
        .ok()?
        .into_owned();
    let trimmed = path.trim_matches('/');
    let (parent, last) = trimmed.rsplit_once('/').unwrap_or(("", trimmed));
    let (collection, keys, status) = match last.split_once('(') {
        Some((set, args)) if parent.is_empty() && UPSERTABLE_SETS.contains(&set) => {
            if !create_if_missing(headers) {
                return None;
            }
            (set.to_string(), alternate_keys(args)?, StatusCode::CREATED)
        }
        None if PATCH_CREATES.contains(&parent) => {
            let mut keys = Map::new();
            keys.insert("id".into(), Value::String(last.to_string()));
            (parent.to_string(), keys, StatusCode::NO_CONTENT)
        }
        _ => return None,
    };
    let mut object: Map<String, Value> = if body.iter().all(u8::is_ascii_whitespace) {
        Map::new()
    } else {
        serde_json::from_slice(body).ok()?
    };
    object.extend(keys);
    Some(Creation {
        collection: format!("/{collection}"),
        body: serde_json::to_vec(&object).ok()?,
        status,
    })
}

/// Whether the request carries `Prefer: create-if-missing` (application-upsert).
fn create_if_missing(headers: &HeaderMap) -> bool {
    headers.get_all("Prefer").iter().any(|v| {
        v.to_str().is_ok_and(|v| {
            v.split(',')
                .any(|p| p.trim().eq_ignore_ascii_case("create-if-missing"))
        })
    })
}

/// `uniqueName='x'` (or several, comma-separated) of an alternate-key segment's arguments
/// (`args` is what follows the `(`) as properties; `None` when they are not that form.
fn alternate_keys(args: &str) -> Option<Map<String, Value>> {
    let inner = args.strip_suffix(')')?;
    let mut keys = Map::new();
    for pair in inner.split(',') {
        let (name, value) = pair.split_once('=')?;
        let value = value.trim().strip_prefix('\'')?.strip_suffix('\'')?;
        keys.insert(
            name.trim().to_string(),
            Value::String(value.replace("''", "'")),
        );
    }
    Some(keys)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn prefer(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("Prefer", HeaderValue::from_str(value).unwrap());
        h
    }

    #[test]
    fn an_alternate_key_upsert_creates_only_when_asked() {
        let body = br#"{"displayName":"Contoso"}"#;
        let c = creation(
            "/applications(uniqueName='contoso-app')",
            &prefer("create-if-missing"),
            body,
        )
        .expect("an upsert");
        assert_eq!(c.collection, "/applications");
        assert_eq!(c.status, StatusCode::CREATED);
        let object: Value = serde_json::from_slice(&c.body).unwrap();
        assert_eq!(object["uniqueName"], "contoso-app");
        assert_eq!(object["displayName"], "Contoso");
        assert!(creation(
            "/applications(uniqueName='contoso-app')",
            &HeaderMap::new(),
            body
        )
        .is_none());
        // Not an upsertable set, and not an alternate key.
        assert!(creation(
            "/users(userPrincipalName='a@b')",
            &prefer("create-if-missing"),
            body
        )
        .is_none());
        assert!(creation("/applications/123", &prefer("create-if-missing"), body).is_none());
    }

    #[test]
    fn an_authentication_context_is_created_by_its_patch() {
        let c = creation(
            "/identity/conditionalAccess/authenticationContextClassReferences/c1",
            &HeaderMap::new(),
            br#"{"displayName":"Medium"}"#,
        )
        .expect("an upsert");
        assert_eq!(
            c.collection,
            "/identity/conditionalAccess/authenticationContextClassReferences"
        );
        assert_eq!(c.status, StatusCode::NO_CONTENT);
        let object: Value = serde_json::from_slice(&c.body).unwrap();
        assert_eq!(object["id"], "c1");
    }

    #[test]
    fn quoted_keys_are_read_as_odata_writes_them() {
        let keys = alternate_keys("uniqueName='o''brien')").unwrap();
        assert_eq!(keys["uniqueName"], "o'brien");
        assert!(alternate_keys("uniqueName=unquoted)").is_none());
    }
}
