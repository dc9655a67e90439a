//! `/policies/authenticationMethodsPolicy` and its method configurations.

use axum::http::{Method, StatusCode};
use serde_json::{json, Map, Value};

use super::{body_object, collection, json, no_content, Ctx, Handled, POLICY_ADMIN_ROLES};
use crate::sandbox::odata::GraphErr;

const READ: &[&str] = &[
    "Policy.Read.All",
    "Policy.ReadWrite.AuthenticationMethod",
    "Policy.Read.AuthenticationMethod",
];
const WRITE: &[&str] = &["Policy.ReadWrite.AuthenticationMethod"];
const READ_ROLES: &[&str] = &[
    "Global Administrator",
    "Authentication Policy Administrator",
    "Global Reader",
];

pub fn route(ctx: &Ctx, method: &Method, rest: &[&str], body: &[u8]) -> Handled {
    match (method, rest) {
        (&Method::GET, []) => {
            ctx.require(READ, READ_ROLES, None)?;
            let tenant = ctx.state.tenant();
            let configs: Vec<Value> = tenant
                .method_configs
                .values()
                .cloned()
                .map(Value::Object)
                .collect();
            let mut body = Map::new();
            body.insert(
                "@odata.context".into(),
                json!(ctx.context("policies/authenticationMethodsPolicy/$entity")),
            );
            body.insert("id".into(), json!("authenticationMethodsPolicy"));
            body.extend(tenant.method_policy.clone());
            body.insert(
                "lastModifiedDateTime".into(),
                json!(crate::sandbox::state::format_timestamp(
                    tenant.policy_modified,
                    crate::sandbox::state::Precision::Ticks,
                )),
            );
            body.insert(
                "authenticationMethodConfigurations@odata.context".into(),
                json!(ctx.context(
                    "policies/authenticationMethodsPolicy/authenticationMethodConfigurations"
                )),
            );
            body.insert(
                "authenticationMethodConfigurations".into(),
                Value::Array(configs),
            );
            let body = Value::Object(body);
            Ok(json(StatusCode::OK, &body))
        }
        (&Method::GET, ["authenticationMethodConfigurations"]) => {
            ctx.require(READ, READ_ROLES, None)?;
            let items = ctx
                .state
                .tenant()
                .method_configs
                .values()
                .cloned()
                .map(Value::Object)
                .collect();
            collection(
                ctx,
                "policies/authenticationMethodsPolicy/authenticationMethodConfigurations",
                items,
                None,
            )
        }
        (&Method::GET, ["authenticationMethodConfigurations", id]) => {
            ctx.require(READ, READ_ROLES, None)?;
            let tenant = ctx.state.tenant();
            let (key, config) = find(&tenant.method_configs, id)?;
            let mut out = Map::new();
            out.insert(
                "@odata.context".into(),
                json!(ctx.context("authenticationMethodConfigurations/$entity")),
            );
            for (k, v) in config {
                if k == "includeTargets" {
                    out.insert(
                        "includeTargets@odata.context".into(),
                        json!(ctx.context(&format!(
                            "policies/authenticationMethodsPolicy/authenticationMethodConfigurations('{key}')/{}/includeTargets",
                            config["@odata.type"].as_str().unwrap_or_default().trim_start_matches('#')
                        ))),
                    );
                }
                out.insert(k.clone(), v.clone());
            }
            Ok(json(StatusCode::OK, &Value::Object(out)))
        }
        (&Method::PATCH, []) => update_policy(ctx, body),
        (&Method::PATCH, ["authenticationMethodConfigurations", id]) => update(ctx, id, body),
        (&Method::DELETE, ["authenticationMethodConfigurations", id]) => {
            ctx.require(WRITE, POLICY_ADMIN_ROLES, None)?;
            let mut tenant = ctx.state.tenant_mut();
            let (key, _) = find(&tenant.method_configs, id)?;
            let key = key.to_string();
            let defaults = crate::sandbox::state::default_method_configs();
            if let Some(d) = defaults.get(&key) {
                tenant.method_configs.insert(key, d.clone());
            }
            tenant.policy_modified = chrono::Utc::now();
            Ok(no_content())
        }
        _ => Err(GraphErr::method_not_allowed()),
    }
}

fn find<'a>(
    configs: &'a indexmap::IndexMap<String, Map<String, Value>>,
    id: &str,
) -> Result<(&'a str, &'a Map<String, Value>), GraphErr> {
    configs
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(id))
        .map(|(k, v)| (k.as_str(), v))
        .ok_or_else(|| {
            GraphErr::new(
                StatusCode::NOT_FOUND,
                "Request_ResourceNotFound",
                format!("Authentication method configuration '{id}' was not found."),
            )
        })
}

/// `PATCH /policies/authenticationMethodsPolicy`
/// (learn.microsoft.com/graph/api/authenticationmethodspolicy-update): the policy's own
/// settings, checked against the catalog's model as every write is (unknown and read-only
/// properties, value types; its method configurations are written at their own paths), then
/// kept for the next read.
fn update_policy(ctx: &Ctx, body: &[u8]) -> Handled {
    use crate::sandbox::store::{catalog::catalog, write};
    ctx.require(WRITE, POLICY_ADMIN_ROLES, None)?;
    let body = body_object(body)?;
    let checked = write::check_entity(
        catalog(),
        "microsoft.graph.authenticationMethodsPolicy",
        body,
        write::Mode::Update,
    )?;
    let mut tenant = ctx.state.tenant_mut();
    let mut given = checked.object;
    // The key names the singleton; a body may repeat it.
    given.remove("id");
    // Complex values (`registrationEnforcement`, `reportSuspiciousActivitySettings`) merge.
    write::merge(
        catalog(),
        "microsoft.graph.authenticationMethodsPolicy",
        &mut tenant.method_policy,
        given,
    );
    tenant.policy_modified = chrono::Utc::now();
    Ok(no_content())
}

fn update(ctx: &Ctx, id: &str, body: &[u8]) -> Handled {
    ctx.require(WRITE, POLICY_ADMIN_ROLES, None)?;
    let body = body_object(body)?;
    let mut tenant = ctx.state.tenant_mut();
    let (key, current) = find(&tenant.method_configs, id)?;
    let key = key.to_string();
    let mut updated = current.clone();
    let odata_type = current["@odata.type"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let sent_type = crate::json::get_ci(&body, "@odata.type").and_then(Value::as_str);
    if sent_type
        .map(|t| !t.eq_ignore_ascii_case(&odata_type))
        .unwrap_or(true)
    {
        return Err(GraphErr::bad_request(format!(
            "The request body must carry \"@odata.type\": \"{odata_type}\" for the '{key}' configuration."
        )));
    }
    for (k, v) in &body {
        if k.starts_with("@odata.") {
            continue;
        }
        // A property the stored default lacks but the type declares (`featureSettings` of
        // Microsoft Authenticator's) is written as Graph writes it.
        let declared = || {
            crate::sandbox::store::catalog::catalog()
                .prop_info(odata_type.trim_start_matches('#'), k)
                .filter(|p| !p.nav && !p.read_only)
                .map(|p| p.name.clone())
        };
        let Some(existing) = current
            .keys()
            .find(|c| c.eq_ignore_ascii_case(k))
            .cloned()
            .or_else(declared)
        else {
            return Err(GraphErr::bad_request(format!(
                "Invalid property '{k}' for '{}'.",
                odata_type.trim_start_matches('#')
            )));
        };
        match existing.as_str() {
            "id" => continue,
            "state" => {
                if !matches!(v.as_str(), Some("enabled") | Some("disabled")) {
                    return Err(GraphErr::bad_request(format!(
                        "Cannot convert the literal '{v}' to the expected type 'microsoft.graph.authenticationMethodState'."
                    )));
                }
            }
            "includeTargets" | "excludeTargets" => {
                let targets = v.as_array().ok_or_else(|| {
                    GraphErr::bad_request(format!(
                        "Property '{existing}' must be a collection of targets."
                    ))
                })?;
                for t in targets {
                    let tid = t.get("id").and_then(Value::as_str).unwrap_or_default();
                    let ttype = t
                        .get("targetType")
                        .and_then(Value::as_str)
                        .unwrap_or("group");
                    let known = match ttype {
                        "group" => tid == "all_users" || tenant.groups.contains_key(tid),
                        "user" => tenant.users.contains_key(tid),
                        _ => false,
                    };
                    if !known {
                        return Err(GraphErr::bad_request(format!(
                            "Invalid target in '{existing}': {ttype} '{tid}' does not exist in the directory."
                        )));
                    }
                }
            }
            _ => {
                let now = current.get(&existing).unwrap_or(&Value::Null);
                if !now.is_null() && std::mem::discriminant(now) != std::mem::discriminant(v) {
                    return Err(GraphErr::bad_request(format!(
                        "Cannot convert the literal '{v}' to the type of property '{existing}'."
                    )));
                }
            }
        }
        // A complex value (`featureSettings`) merges into the one there (OData 4.01 Part 1
        // §11.4.3); the targets and everything else replace.
        let mut one = Map::new();
        one.insert(existing, v.clone());
        crate::sandbox::store::write::merge(
            crate::sandbox::store::catalog::catalog(),
            odata_type.trim_start_matches('#'),
            &mut updated,
            one,
        );
    }
    if key == "TemporaryAccessPass" {
        validate_tap(&updated)?;
    }
    tenant.method_configs.insert(key, updated);
    tenant.policy_modified = chrono::Utc::now();
    Ok(no_content())
}

fn validate_tap(c: &Map<String, Value>) -> Result<(), GraphErr> {
    let int = |k: &str| c.get(k).and_then(Value::as_i64).unwrap_or(0);
    let (min, max, def, len) = (
        int("minimumLifetimeInMinutes"),
        int("maximumLifetimeInMinutes"),
        int("defaultLifetimeInMinutes"),
        int("defaultLength"),
    );
    for (name, v) in [
        ("minimumLifetimeInMinutes", min),
        ("maximumLifetimeInMinutes", max),
        ("defaultLifetimeInMinutes", def),
    ] {
        if !(10..=43200).contains(&v) {
            return Err(GraphErr::bad_request(format!(
                "{name} must be between 10 and 43200 minutes."
            )));
        }
    }
    if min > max {
        return Err(GraphErr::bad_request(
            "minimumLifetimeInMinutes cannot be greater than maximumLifetimeInMinutes.",
        ));
    }
    if def < min || def > max {
        return Err(GraphErr::bad_request(
            "defaultLifetimeInMinutes must be between minimumLifetimeInMinutes and maximumLifetimeInMinutes.",
        ));
    }
    if !(8..=48).contains(&len) {
        return Err(GraphErr::bad_request(
            "defaultLength must be between 8 and 48 characters.",
        ));
    }
    Ok(())
}
