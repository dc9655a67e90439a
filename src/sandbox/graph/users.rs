//! `/users`: list, create, get, update, delete, `$count`, and the way into `authentication`.

use axum::body::Body;
use axum::http::{header, HeaderValue, Method, Response, StatusCode};
use serde_json::{json, Map, Value};

use super::{body_object, collection_of, json, no_content, Ctx, Handled, DIRECTORY_ADMIN_ROLES};
use crate::sandbox::odata::{project, Filter, GraphErr};

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
        "passwordProfile" | "identities" | "employeeOrgData" => Obj,
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

/// Validates a POST/PATCH body against the declared properties; returns it with canonical
/// property names.
fn validate(body: Map<String, Value>, creating: bool) -> Result<Map<String, Value>, GraphErr> {
    let mut out = Map::new();
    for (k, v) in body {
        if k.starts_with("@odata.") {
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
                if creating && name == "id" {
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

fn password_ok(p: &str) -> bool {
    let classes = [
        p.chars().any(|c| c.is_ascii_lowercase()),
        p.chars().any(|c| c.is_ascii_uppercase()),
        p.chars().any(|c| c.is_ascii_digit()),
        p.chars().any(|c| !c.is_ascii_alphanumeric()),
    ];
    p.chars().count() >= 8 && classes.iter().filter(|c| **c).count() >= 3
}

/// A user object as a response shows it: default projection in v1.0 (absent defaults as
/// null), every stored property in beta, or exactly `$select`.
pub fn shape_user(ctx: &Ctx, object: &Map<String, Value>, select: &[String]) -> Map<String, Value> {
    if !select.is_empty() {
        return project(object, select);
    }
    match ctx.ver {
        super::Ver::V1 => {
            let mut out = Map::new();
            for key in DEFAULT_SELECT {
                out.insert(
                    (*key).to_string(),
                    object.get(*key).cloned().unwrap_or(Value::Null),
                );
            }
            out
        }
        super::Ver::Beta => object.clone(),
    }
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
        (_, [_, other, ..]) => Err(GraphErr::segment_not_found(other)),
    }
}

/// Applies `$filter`, `$search` and `$orderby` with Graph's advanced-query rules.
/// The objects a collection query selects, filtered, searched and sorted (by reference: a
/// page is shaped later, so a 100,000-user tenant costs no copies per page).
pub fn query_items<'a>(
    ctx: &Ctx,
    objects: Vec<&'a Map<String, Value>>,
    sortable: &[&str],
) -> Result<Vec<&'a Map<String, Value>>, GraphErr> {
    let q = &ctx.query;
    let filter = match &q.filter {
        Some(f) => Some(
            Filter::parse(f)
                .map_err(|e| GraphErr::bad_request(format!("Invalid filter clause: {e}")))?,
        ),
        None => None,
    };
    if let Some(op) = filter.as_ref().and_then(Filter::advanced_operator) {
        if !(ctx.eventual && q.count) {
            return Err(GraphErr::unsupported_query(format!(
                "Operator '{op}' is not supported because the required parameters might be missing. Try adding $count=true query parameter and ConsistencyLevel:eventual header. Refer to https://aka.ms/graph-docs/advanced-queries for more information"
            )));
        }
    }
    let search = match &q.search {
        Some(s) => {
            if !ctx.eventual {
                return Err(GraphErr::unsupported_query(
                    "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'",
                ));
            }
            let s = s.trim();
            let inner = s
                .strip_prefix('"')
                .and_then(|x| x.strip_suffix('"'))
                .ok_or_else(|| {
                    GraphErr::bad_request(
                        "Syntax error: character '\"' is not valid at position 0 in '$search'.",
                    )
                })?;
            let (prop, term) = inner.split_once(':').ok_or_else(|| {
                GraphErr::bad_request("Invalid search clause: expected \"property:value\".")
            })?;
            Some((prop.to_string(), term.to_lowercase()))
        }
        None => None,
    };
    let mut items: Vec<&Map<String, Value>> = objects
        .into_iter()
        .filter(|o| filter.as_ref().map(|f| f.matches(o)).unwrap_or(true))
        .filter(|o| match &search {
            Some((prop, term)) => crate::json::get_ci(o, prop)
                .and_then(Value::as_str)
                .map(|v| {
                    v.to_lowercase()
                        .split_whitespace()
                        .any(|w| w.starts_with(term.as_str()))
                        || v.to_lowercase().starts_with(term.as_str())
                })
                .unwrap_or(false),
            None => true,
        })
        .collect();
    if let Some(order) = &q.orderby {
        let mut parts = order.split_whitespace();
        let prop = parts.next().unwrap_or_default().to_string();
        let desc = parts
            .next()
            .map(|d| d.eq_ignore_ascii_case("desc"))
            .unwrap_or(false);
        if !(sortable.iter().any(|s| s.eq_ignore_ascii_case(&prop)) || ctx.eventual && q.count) {
            return Err(GraphErr::unsupported_query(format!(
                "Sorting not supported for '{prop}'. Try adding $count=true query parameter and ConsistencyLevel:eventual header."
            )));
        }
        items.sort_by(|a, b| {
            let key = |o: &Map<String, Value>| {
                crate::json::get_ci(o, &prop)
                    .and_then(Value::as_str)
                    .map(str::to_lowercase)
                    .unwrap_or_default()
            };
            let o = key(a).cmp(&key(b));
            if desc {
                o.reverse()
            } else {
                o
            }
        });
    }
    Ok(items)
}

fn list(ctx: &Ctx) -> Handled {
    ctx.require(READ, &[], None)?;
    let tenant = ctx.state.tenant();
    let items = query_items(
        ctx,
        tenant.users.values().map(|u| &u.object).collect(),
        &["displayName", "userPrincipalName"],
    )?;
    let count = (ctx.query.count && ctx.eventual).then_some(items.len());
    let select = &ctx.query.select;
    let context = if select.is_empty() {
        "users".to_string()
    } else {
        format!("users({})", select.join(","))
    };
    collection_of(ctx, &context, &items, count, |o| {
        Value::Object(shape_user(ctx, o, select))
    })
}

fn count(ctx: &Ctx) -> Handled {
    ctx.require(READ, &[], None)?;
    if !ctx.eventual {
        return Err(GraphErr::bad_request("$count is not currently supported."));
    }
    let n = ctx.state.tenant().users.len();
    let mut r = Response::new(Body::from(n.to_string()));
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain;charset=utf-8"),
    );
    Ok(r)
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
    let select = ctx.query.select.clone();
    let mut out = Map::new();
    let context = if select.is_empty() {
        "users/$entity".to_string()
    } else {
        format!("users({})/$entity", select.join(","))
    };
    out.insert("@odata.context".into(), json!(ctx.context(&context)));
    out.extend(shape_user(ctx, &user.object, &select));
    Ok(json(StatusCode::OK, &Value::Object(out)))
}

fn create(ctx: &Ctx, body: &[u8]) -> Handled {
    ctx.require(WRITE, DIRECTORY_ADMIN_ROLES, None)?;
    let body = validate(body_object(body)?, true)?;
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
    let domain_ok = upn
        .rsplit_once('@')
        .map(|(local, d)| !local.is_empty() && d.eq_ignore_ascii_case(&tenant.domain))
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
    let id = tenant.add_user(Value::Object(body), password);
    let object = tenant.users[&id].object.clone();
    drop(tenant);
    let mut out = Map::new();
    out.insert("@odata.context".into(), json!(ctx.context("users/$entity")));
    out.extend(shape_user(ctx, &object, &[]));
    Ok(json(StatusCode::CREATED, &Value::Object(out)))
}

fn update(ctx: &Ctx, key: &str, body: &[u8]) -> Handled {
    let body = validate(body_object(body)?, false)?;
    let mut tenant = ctx.state.tenant_mut();
    let id = tenant
        .user_id(key)
        .ok_or_else(|| GraphErr::not_found(key))?;
    drop(tenant);
    ctx.require(WRITE, DIRECTORY_ADMIN_ROLES, Some(&id))?;
    tenant = ctx.state.tenant_mut();
    if let Some(new_upn) = body.get("userPrincipalName").and_then(Value::as_str) {
        if let Some(other) = tenant.user_id(new_upn) {
            if other != id {
                return Err(GraphErr::bad_request(
                    "Another object with the same value for property userPrincipalName already exists.",
                ));
            }
        }
    }
    let old_upn = tenant.users[&id].upn().to_ascii_lowercase();
    let user = tenant.users.get_mut(&id).expect("resolved above");
    for (k, v) in body {
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
        user.object.insert(k, v);
    }
    let new_upn = user.upn().to_ascii_lowercase();
    if new_upn != old_upn {
        tenant.upn_index.remove(&old_upn);
        tenant.upn_index.insert(new_upn, id);
    }
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
    ctx.state.tenant_mut().remove_user(&id);
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
