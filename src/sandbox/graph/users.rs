//! `/users`: list, create, get, update, delete, `$count`, and the way into `authentication`.

use axum::http::{Method, StatusCode};
use serde_json::{json, Map, Value};

use super::directory::{
    count_response, expand_into, list_related, Membership, DIRECTORY_OBJECT, USER,
};
use super::{body_object, collection_of, json, no_content, Ctx, Handled, DIRECTORY_ADMIN_ROLES};
use crate::sandbox::odata::{project, GraphErr};
use crate::sandbox::query::{Plan, SandboxSchema, Schema, Target};
use crate::sandbox::store::{catalog::catalog, EntityPath};

const READ: &[&str] = &[
    "User.Read.All",
    "User.ReadWrite.All",
    "User.ReadBasic.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
];
const WRITE: &[&str] = &["User.ReadWrite.All", "Directory.ReadWrite.All"];
const READ_SELF: &[&str] = &[
    "User.Read",
    "User.ReadWrite",
    "User.Read.All",
    "User.ReadWrite.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
];

/// Graph's default projection of a user in v1.0.
const DEFAULT_SELECT: &[&str] = &[
    "businessPhones",
    "displayName",
    "givenName",
    "jobTitle",
    "mail",
    "mobilePhone",
    "officeLocation",
    "preferredLanguage",
    "surname",
    "userPrincipalName",
    "id",
];

/// What beta's `/users` returns without `$select`: far more than v1.0's set, the on-premises
/// properties among them (null where unset), but not what Graph returns only when selected
/// (`signInActivity`, `customSecurityAttributes`, `mailboxSettings`, ...).
const BETA_DEFAULT: &[&str] = &[
    "id",
    "deletedDateTime",
    "accountEnabled",
    "ageGroup",
    "businessPhones",
    "city",
    "createdDateTime",
    "creationType",
    "companyName",
    "consentProvidedForMinor",
    "country",
    "department",
    "displayName",
    "employeeId",
    "employeeHireDate",
    "employeeLeaveDateTime",
    "employeeType",
    "externalUserState",
    "externalUserStateChangeDateTime",
    "faxNumber",
    "givenName",
    "imAddresses",
    "isManagementRestricted",
    "isResourceAccount",
    "jobTitle",
    "legalAgeGroupClassification",
    "mail",
    "mailNickname",
    "mobilePhone",
    "onPremisesDistinguishedName",
    "officeLocation",
    "onPremisesDomainName",
    "onPremisesImmutableId",
    "onPremisesLastSyncDateTime",
    "onPremisesSecurityIdentifier",
    "onPremisesSamAccountName",
    "onPremisesSyncEnabled",
    "onPremisesUserPrincipalName",
    "otherMails",
    "passwordPolicies",
    "postalCode",
    "preferredDataLocation",
    "preferredLanguage",
    "proxyAddresses",
    "refreshTokensValidFromDateTime",
    "securityIdentifier",
    "showInAddressList",
    "signInSessionsValidFromDateTime",
    "state",
    "streetAddress",
    "surname",
    "usageLocation",
    "userPrincipalName",
    "userType",
    "employeeOrgData",
    "passwordProfile",
    "assignedLicenses",
    "assignedPlans",
    "authorizationInfo",
    "deviceKeys",
    "identities",
    "onPremisesExtensionAttributes",
    "onPremisesProvisioningErrors",
    "onPremisesSipInfo",
    "provisionedPlans",
    "serviceProvisioningErrors",
];

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Str,
    Bool,
    StrList,
    Obj,
    ReadOnly,
}

/// Declared user properties and their types, for validating bodies.
fn kind_of(prop: &str) -> Option<Kind> {
    use Kind::*;
    let k = match prop {
        "accountEnabled" | "showInAddressList" => Bool,
        "businessPhones" | "otherMails" | "proxyAddresses" | "imAddresses" => StrList,
        "passwordProfile" | "identities" | "employeeOrgData" | "onPremisesExtensionAttributes" => {
            Obj
        }
        "id"
        | "createdDateTime"
        | "deletedDateTime"
        | "lastPasswordChangeDateTime"
        | "onPremisesSyncEnabled"
        | "securityIdentifier"
        | "creationType"
        | "externalUserState"
        | "signInSessionsValidFromDateTime" => ReadOnly,
        "aboutMe"
        | "ageGroup"
        | "city"
        | "companyName"
        | "country"
        | "department"
        | "displayName"
        | "employeeHireDate"
        | "employeeId"
        | "employeeType"
        | "givenName"
        | "jobTitle"
        | "mail"
        | "mailNickname"
        | "mobilePhone"
        | "officeLocation"
        | "onPremisesImmutableId"
        | "passwordPolicies"
        | "postalCode"
        | "preferredLanguage"
        | "state"
        | "streetAddress"
        | "surname"
        | "usageLocation"
        | "userPrincipalName"
        | "userType"
        | "preferredName" => Str,
        _ => return None,
    };
    Some(k)
}

fn canonical(prop: &str) -> Option<String> {
    const ALL: &[&str] = &[
        "accountEnabled",
        "showInAddressList",
        "businessPhones",
        "otherMails",
        "proxyAddresses",
        "imAddresses",
        "passwordProfile",
        "identities",
        "employeeOrgData",
        "onPremisesExtensionAttributes",
        "id",
        "createdDateTime",
        "deletedDateTime",
        "lastPasswordChangeDateTime",
        "onPremisesSyncEnabled",
        "securityIdentifier",
        "creationType",
        "externalUserState",
        "signInSessionsValidFromDateTime",
        "aboutMe",
        "ageGroup",
        "city",
        "companyName",
        "country",
        "department",
        "displayName",
        "employeeHireDate",
        "employeeId",
        "employeeType",
        "givenName",
        "jobTitle",
        "mail",
        "mailNickname",
        "mobilePhone",
        "officeLocation",
        "onPremisesImmutableId",
        "passwordPolicies",
        "postalCode",
        "preferredLanguage",
        "state",
        "streetAddress",
        "surname",
        "usageLocation",
        "userPrincipalName",
        "userType",
        "preferredName",
    ];
    ALL.iter()
        .find(|p| p.eq_ignore_ascii_case(prop))
        .map(|p| p.to_string())
}

fn type_error(prop: &str, value: &Value, edm: &str) -> GraphErr {
    GraphErr::bad_request(format!(
        "Cannot convert the literal '{}' to the expected type '{edm}' for property '{prop}'.",
        match value {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        }
    ))
}

/// The store's write checks on a user body (types and unknown names inside complex values
/// such as `passwordProfile`, enums, the sizes and value sets Graph enforces): the same
/// checks every other write gets (`store::write`). Required properties are checked by the
/// caller.
fn store_checks(body: &Map<String, Value>) -> Result<(), GraphErr> {
    use crate::sandbox::store::{catalog::catalog, write};
    write::check_entity(catalog(), USER, body.clone(), write::Mode::Update).map(|_| ())
}

/// Validates a POST/PATCH body against the declared properties; returns it with canonical
/// property names.
fn validate(body: Map<String, Value>, creating: bool) -> Result<Map<String, Value>, GraphErr> {
    let mut out = Map::new();
    for (k, v) in body {
        if k.starts_with("@odata.") {
            continue;
        }
        // Directory extension properties: checked against their declarations by the caller.
        if super::extensions::is_extension(&k) {
            out.insert(k, v);
            continue;
        }
        let Some(name) = canonical(&k) else {
            return Err(GraphErr::bad_request(format!("Invalid property '{k}'.")));
        };
        let kind = kind_of(&name).unwrap_or(Kind::Str);
        let ok = match kind {
            Kind::Bool => v.is_boolean() || v.is_null(),
            Kind::Str => v.is_string() || v.is_null(),
            Kind::StrList => v
                .as_array()
                .map(|a| a.iter().all(Value::is_string))
                .unwrap_or(v.is_null()),
            Kind::Obj => v.is_object() || v.is_array() || v.is_null(),
            Kind::ReadOnly => {
                // Graph ignores what it sets itself in a create body (see store/write.rs).
                if creating {
                    continue;
                }
                return Err(GraphErr::bad_request(format!(
                    "Property '{name}' is read-only and cannot be set."
                )));
            }
        };
        if !ok {
            let edm = match kind {
                Kind::Bool => "Edm.Boolean",
                Kind::StrList => "Collection(Edm.String)",
                Kind::Obj => "microsoft.graph.passwordProfile",
                _ => "Edm.String",
            };
            return Err(type_error(&name, &v, edm));
        }
        out.insert(name, v);
    }
    Ok(out)
}

pub(super) fn password_ok(p: &str) -> bool {
    let classes = [
        p.chars().any(|c| c.is_ascii_lowercase()),
        p.chars().any(|c| c.is_ascii_uppercase()),
        p.chars().any(|c| c.is_ascii_digit()),
        p.chars().any(|c| !c.is_ascii_alphanumeric()),
    ];
    p.chars().count() >= 8 && classes.iter().filter(|c| **c).count() >= 3
}

/// A user object as a response shows it: each version's default projection (absent defaults
/// as null), or exactly `$select`.
pub fn shape_user(ctx: &Ctx, object: &Map<String, Value>, select: &[String]) -> Map<String, Value> {
    let mut out = shape_user_properties(ctx, object, select);
    // An unset collection (`otherMails`, `proxyAddresses`, ...) is `[]`, never null.
    crate::sandbox::store::catalog::catalog().empty_collections(USER, &mut out);
    out
}

fn shape_user_properties(
    ctx: &Ctx,
    object: &Map<String, Value>,
    select: &[String],
) -> Map<String, Value> {
    if !select.is_empty() {
        let mut out = project(object, select);
        // A mailbox's settings have values before anything was written.
        if let Some(v) = out.get_mut("mailboxSettings").filter(|v| v.is_null()) {
            *v = super::generic::default_property(catalog(), USER, "mailboxSettings")
                .unwrap_or(Value::Null);
        }
        // `refreshTokensValidFromDateTime` is the older name of
        // `signInSessionsValidFromDateTime`: the same instant, stored only once revoked.
        if let Some(v) = out.get_mut("refreshTokensValidFromDateTime") {
            if v.is_null() {
                *v = object
                    .get("signInSessionsValidFromDateTime")
                    .cloned()
                    .unwrap_or(Value::Null);
            }
        }
        return out;
    }
    let defaults = match ctx.ver {
        super::Ver::V1 => DEFAULT_SELECT,
        super::Ver::Beta => BETA_DEFAULT,
    };
    let mut out = Map::new();
    for key in defaults {
        out.insert(
            (*key).to_string(),
            object.get(*key).cloned().unwrap_or(Value::Null),
        );
    }
    out
}

pub fn route(ctx: &Ctx, method: &Method, rest: &[&str], body: &[u8]) -> Handled {
    match (method, rest) {
        (&Method::GET, []) => list(ctx),
        (&Method::POST, []) => create(ctx, body),
        (&Method::GET, ["$count"]) => count(ctx),
        (&Method::GET, [key]) => get(ctx, key),
        (&Method::PATCH, [key]) => update(ctx, key, body),
        (&Method::DELETE, [key]) => delete(ctx, key),
        (_, [key, "authentication", tail @ ..]) => {
            super::methods::route(ctx, method, key, tail, body)
        }
        (_, [_]) | (_, []) => Err(GraphErr::method_not_allowed()),
        (_, [key, nav, tail @ ..]) => navigation(ctx, method, key, nav, tail),
    }
}

/// `/users/{id}/{navigation property}`: collections of directory objects (with casts and
/// `$count`), or a single one (`manager`).
fn navigation(ctx: &Ctx, method: &Method, key: &str, nav: &str, tail: &[&str]) -> Handled {
    let Some(p) = SandboxSchema.property(USER, nav).filter(|p| p.nav) else {
        return Err(GraphErr::segment_not_found(nav));
    };
    if method != Method::GET {
        return Err(GraphErr::method_not_allowed());
    }
    ctx.require(READ, &[], None)?;
    let tenant = ctx.state.tenant();
    let id = tenant
        .user_id(key)
        .ok_or_else(|| GraphErr::not_found(key))?;
    if p.collection && p.ty == DIRECTORY_OBJECT {
        return list_related(ctx, &tenant, &id, p.name, tail);
    }
    if let Some(seg) = tail.first() {
        return Err(GraphErr::segment_not_found(seg));
    }
    if p.collection {
        // Collections of other types the sandbox keeps none of yet.
        return collection_of::<Value>(
            ctx,
            &format!("users('{id}')/{}", p.name),
            &[],
            None,
            Value::clone,
        );
    }
    // A single-valued relationship the sandbox has no target for (Graph's answer for a user
    // without a manager).
    Err(GraphErr::not_found(p.name))
}

/// Graph reads `signInActivity` of one user only by object id: `GET
/// /users/{userPrincipalName}?$select=signInActivity` is a 400 (`BadRequest`, "Get By Key only
/// supports UserId and the key has to be a valid Guid"), and scripts that report last sign-ins
/// look the id up first (<https://learn.microsoft.com/graph/api/user-get>, the note on
/// `signInActivity`; the text is the service's).
fn signin_activity_key(key: &str, select: &[String]) -> Result<(), GraphErr> {
    let wants = select
        .iter()
        .any(|s| s.eq_ignore_ascii_case("signInActivity"));
    if wants && uuid::Uuid::parse_str(key).is_err() {
        return Err(GraphErr::new(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "Get By Key only supports UserId and the key has to be a valid Guid",
        ));
    }
    Ok(())
}

fn user_plan(ctx: &Ctx, collection: bool) -> Result<Plan, GraphErr> {
    let target = Target {
        schema: &SandboxSchema,
        ty: USER,
    };
    if collection {
        Plan::collection(&ctx.query, target, ctx.advanced())
    } else {
        Plan::entity(&ctx.query, target)
    }
}

fn list(ctx: &Ctx) -> Handled {
    ctx.require(READ, &[], None)?;
    let plan = user_plan(ctx, true)?;
    let tenant = ctx.state.tenant();
    let items = plan.apply(
        tenant.users.values().map(|u| &u.object),
        &Membership(&tenant),
    );
    let count = (ctx.query.count && ctx.eventual).then_some(items.len());
    let select = &plan.select;
    let context = super::projection_context("users", select);
    collection_of(ctx, &context, &items, count, |o| {
        let mut shaped = shape_user(ctx, o, select);
        if !plan.expand.is_empty() {
            let id = o.get("id").and_then(Value::as_str).unwrap_or_default();
            expand_into(ctx, &tenant, &mut shaped, id, &plan.expand);
        }
        Value::Object(shaped)
    })
}

fn count(ctx: &Ctx) -> Handled {
    ctx.require(READ, &[], None)?;
    let plan = user_plan(ctx, true)?;
    let tenant = ctx.state.tenant();
    let n = if plan.filter.is_none() && plan.search.is_empty() {
        tenant.users.len()
    } else {
        plan.apply(
            tenant.users.values().map(|u| &u.object),
            &Membership(&tenant),
        )
        .len()
    };
    count_response(ctx, n)
}

fn get(ctx: &Ctx, key: &str) -> Handled {
    let tenant = ctx.state.tenant();
    let user = tenant.user(key).ok_or_else(|| GraphErr::not_found(key))?;
    let is_self = ctx.principal.user_id.as_deref() == Some(user.id());
    if is_self {
        ctx.require(READ_SELF, &[], None)?;
    } else {
        ctx.require(READ, &[], None)?;
    }
    let plan = user_plan(ctx, false)?;
    let select = &plan.select;
    signin_activity_key(key, select)?;
    let mut out = Map::new();
    let context = if select.is_empty() {
        "users/$entity".to_string()
    } else {
        format!("users({})/$entity", select.join(","))
    };
    out.insert("@odata.context".into(), json!(ctx.context(&context)));
    out.extend(shape_user(ctx, &user.object, select));
    expand_into(ctx, &tenant, &mut out, user.id(), &plan.expand);
    Ok(json(StatusCode::OK, &Value::Object(out)))
}

fn create(ctx: &Ctx, body: &[u8]) -> Handled {
    ctx.require(WRITE, DIRECTORY_ADMIN_ROLES, None)?;
    let mut body = body_object(body)?;
    let binds = super::binds::take(catalog(), USER, &mut body)?;
    let body = validate(body, true)?;
    store_checks(&body)?;
    for required in [
        "accountEnabled",
        "displayName",
        "mailNickname",
        "userPrincipalName",
        "passwordProfile",
    ] {
        if body.get(required).map(Value::is_null).unwrap_or(true) {
            return Err(GraphErr::bad_request(format!(
                "Invalid value specified for property '{required}' of resource 'User'."
            )));
        }
    }
    let upn = body["userPrincipalName"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let password = body["passwordProfile"]
        .get("password")
        .or_else(|| body["passwordProfile"].get("Password"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let mut tenant = ctx.state.tenant_mut();
    super::extensions::check_write(&tenant, USER, &body)?;
    let domain_ok = upn
        .rsplit_once('@')
        .map(|(local, d)| !local.is_empty() && tenant.is_verified_domain(d))
        .unwrap_or(false);
    if !domain_ok {
        return Err(GraphErr::bad_request(
            "The domain portion of the userPrincipalName property is invalid. You must use one of the verified domain names in your organization.",
        )
        .with_details(json!([{"code": "InvalidValue", "target": "userPrincipalName"}])));
    }
    if tenant.user(&upn).is_some() {
        return Err(GraphErr::bad_request(
            "Another object with the same value for property userPrincipalName already exists.",
        )
        .with_details(json!([
            {"code": "ObjectConflict", "target": "userPrincipalName", "message": "Another object with the same value for property userPrincipalName already exists."}
        ])));
    }
    if !password_ok(&password) {
        return Err(GraphErr::bad_request(
            "The specified password does not comply with password complexity requirements. Please provide a different password.",
        ));
    }
    let links = super::binds::resolve(&tenant, catalog(), USER, None, &binds)?;
    let id = tenant.add_user(Value::Object(body), password);
    super::binds::apply(
        &mut tenant,
        &EntityPath::set_item("users", &id),
        USER,
        links,
    )?;
    let object = tenant.users[&id].object.clone();
    drop(tenant);
    let mut out = Map::new();
    out.insert("@odata.context".into(), json!(ctx.context("users/$entity")));
    out.extend(shape_user(ctx, &object, &[]));
    Ok(super::created(ctx, &Value::Object(out), &id))
}

fn update(ctx: &Ctx, key: &str, body: &[u8]) -> Handled {
    let mut body = body_object(body)?;
    let binds = super::binds::take(catalog(), USER, &mut body)?;
    let body = validate(body, false)?;
    store_checks(&body)?;
    let mut tenant = ctx.state.tenant_mut();
    let id = tenant
        .user_id(key)
        .ok_or_else(|| GraphErr::not_found(key))?;
    drop(tenant);
    ctx.require(WRITE, DIRECTORY_ADMIN_ROLES, Some(&id))?;
    tenant = ctx.state.tenant_mut();
    super::extensions::check_write(&tenant, USER, &body)?;
    if let Some(new_upn) = body.get("userPrincipalName").and_then(Value::as_str) {
        if let Some(other) = tenant.user_id(new_upn) {
            if other != id {
                return Err(GraphErr::bad_request(
                    "Another object with the same value for property userPrincipalName already exists.",
                ));
            }
        }
    }
    let path = EntityPath::set_item("users", &id);
    let links = super::binds::resolve(&tenant, catalog(), USER, Some(&path), &binds)?;
    let old_upn = tenant.users[&id].upn().to_ascii_lowercase();
    let Some(user) = tenant.users.get_mut(&id) else {
        return Err(GraphErr::not_found(key));
    };
    let synced = user.object.get("onPremisesSyncEnabled") == Some(&Value::Bool(true));
    let mut rest = Map::new();
    for (k, v) in body {
        if k == "onPremisesExtensionAttributes" {
            // user-update: writable on cloud-only users, one attribute at a time (the others
            // keep their values); a synced user's are mastered on-premises.
            if synced {
                return Err(GraphErr::bad_request(
                    "Unable to update the specified properties for on-premises mastered Directory Sync objects or objects currently undergoing migration.",
                ));
            }
            let Some(given) = v.as_object() else {
                return Err(type_error(
                    &k,
                    &v,
                    "microsoft.graph.onPremisesExtensionAttributes",
                ));
            };
            for (name, value) in given {
                let valid = name
                    .strip_prefix("extensionAttribute")
                    .and_then(|n| n.parse::<u8>().ok())
                    .is_some_and(|n| (1..=15).contains(&n));
                if !valid || !(value.is_string() || value.is_null()) {
                    return Err(GraphErr::bad_request(format!("Invalid property '{name}'.")));
                }
            }
            let current = user
                .object
                .entry("onPremisesExtensionAttributes")
                .or_insert_with(|| json!({}));
            if let Some(current) = current.as_object_mut() {
                current.extend(given.clone());
            }
            continue;
        }
        if k == "passwordProfile" {
            if let Some(p) = v.get("password").and_then(Value::as_str) {
                if !password_ok(p) {
                    return Err(GraphErr::bad_request(
                        "The specified password does not comply with password complexity requirements. Please provide a different password.",
                    ));
                }
                user.password = p.to_string();
            }
            continue;
        }
        rest.insert(k, v);
    }
    // Complex values (`employeeOrgData`, `passwordProfile` aside) merge; the rest replace.
    crate::sandbox::store::write::merge(catalog(), USER, &mut user.object, rest);
    let domain = tenant.domain.clone();
    let Some(user) = tenant.users.get_mut(&id) else {
        return Err(GraphErr::not_found(key));
    };
    // The userPrincipalName identity follows a new UPN.
    crate::sandbox::state::upn_identity(&mut user.object, &domain);
    let new_upn = user.upn().to_ascii_lowercase();
    if new_upn != old_upn {
        tenant.upn_index.remove(&old_upn);
        tenant.upn_index.insert(new_upn, id);
    }
    super::binds::apply(&mut tenant, &path, USER, links)?;
    Ok(no_content())
}

fn delete(ctx: &Ctx, key: &str) -> Handled {
    let id = ctx
        .state
        .tenant()
        .user_id(key)
        .ok_or_else(|| GraphErr::not_found(key))?;
    ctx.require(WRITE, DIRECTORY_ADMIN_ROLES, None)?;
    if id == ctx.state.tenant().admin_id {
        return Err(GraphErr::denied());
    }
    // Graph keeps a deleted user in `directory/deletedItems` for 30 days, restorable.
    super::recycle::delete_user(&mut ctx.state.tenant_mut(), &id);
    Ok(no_content())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_validated_with_graph_messages() {
        let ok = validate(
            json!({"DisplayName": "x", "accountEnabled": true})
                .as_object()
                .unwrap()
                .clone(),
            true,
        )
        .unwrap();
        assert!(ok.contains_key("displayName"));
        let e = validate(json!({"foo": 1}).as_object().unwrap().clone(), true).unwrap_err();
        assert_eq!(e.message, "Invalid property 'foo'.");
        let e = validate(
            json!({"accountEnabled": "yes"})
                .as_object()
                .unwrap()
                .clone(),
            true,
        )
        .unwrap_err();
        assert!(e.message.contains("Edm.Boolean"), "{}", e.message);
        let e = validate(
            json!({"createdDateTime": "x"}).as_object().unwrap().clone(),
            false,
        )
        .unwrap_err();
        assert!(e.message.contains("read-only"));
    }

    #[test]
    fn password_complexity() {
        assert!(password_ok("xWwvJ]6NMw+bWH-d"));
        assert!(!password_ok("short1A"));
        assert!(!password_ok("alllowercase"));
    }
}
