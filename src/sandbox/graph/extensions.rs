//! Directory extensions (<https://learn.microsoft.com/graph/extensibility-overview>, "Directory
//! (Microsoft Entra ID) extensions"): an application declares a property with
//! `POST /applications/{id}/extensionProperties` (application-post-extensionproperty), which
//! Graph names `extension_{appId without dashes}_{name}`; the objects of its `targetObjects`
//! (User, Group, ...) may then carry it, written with PATCH and read with `$select`.
//! `POST /directoryObjects/getAvailableExtensionProperties`
//! (directoryobject-getavailableextensionproperties) lists every declared one. Writing an
//! `extension_` property no application declares for the object's type is refused, as Graph
//! refuses it; deleting the declaration stops further writes.

use serde_json::{json, Map, Value};

use super::generic::APPLICATIONS;
use crate::sandbox::odata::GraphErr;
use crate::sandbox::state::Tenant;
use crate::sandbox::store::{Entity, EntityPath};

pub const EXTENSION_PROPERTY: &str = "microsoft.graph.extensionProperty";
const PREFIX: &str = "extension_";
/// The longest name Graph takes for an extension property (its documented limit).
const MAX_NAME: usize = 120;
/// The `dataType` values Graph documents for an extension property.
const DATA_TYPES: &[&str] = &[
    "Binary",
    "Boolean",
    "DateTime",
    "Integer",
    "LargeInteger",
    "String",
];
/// The `targetObjects` values Graph documents.
const TARGETS: &[&str] = &[
    "User",
    "Group",
    "AdministrativeUnit",
    "Application",
    "Device",
    "Organization",
];

fn text<'a>(o: &'a Map<String, Value>, k: &str) -> &'a str {
    crate::json::get_ci(o, k)
        .and_then(Value::as_str)
        .unwrap_or_default()
}

/// Whether `key` names a directory extension property (`extension_...`).
pub fn is_extension(key: &str) -> bool {
    key.len() > PREFIX.len() && key[..PREFIX.len()].eq_ignore_ascii_case(PREFIX)
}

/// The target object name (`targetObjects`) of an entity type, when extensions apply to it.
fn target_of(ty: &str) -> Option<&'static str> {
    Some(match ty {
        "microsoft.graph.user" => "User",
        "microsoft.graph.group" => "Group",
        "microsoft.graph.administrativeUnit" => "AdministrativeUnit",
        "microsoft.graph.application" => "Application",
        "microsoft.graph.device" => "Device",
        "microsoft.graph.organization" => "Organization",
        _ => return None,
    })
}

/// Every declared extension property, across the tenant's applications.
pub fn declared(t: &Tenant) -> Vec<&Entity> {
    t.store
        .sets
        .get(APPLICATIONS)
        .into_iter()
        .flat_map(|s| s.values())
        .filter_map(|a| a.many("extensionProperties"))
        .flat_map(|m| m.values())
        .collect()
}

/// Checks a new extension property of the application at `owner` and gives it Graph's name
/// and the values Graph fills in.
pub fn before_create(
    t: &Tenant,
    owner: &EntityPath,
    object: &mut Map<String, Value>,
) -> Result<(), GraphErr> {
    let Some(app) = owner
        .top()
        .and_then(|(_, id)| t.apps.iter().find(|a| a.object_id == id))
    else {
        return Err(GraphErr::not_found(
            owner.top().map(|(_, i)| i).unwrap_or(""),
        ));
    };
    let name = text(object, "name").to_string();
    let valid_name = !name.is_empty()
        && name.len() <= MAX_NAME
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !valid_name {
        return Err(GraphErr::bad_request(
            "Invalid value specified for property 'name' of resource 'ExtensionProperty'.",
        ));
    }
    if !DATA_TYPES.contains(&text(object, "dataType")) {
        return Err(GraphErr::bad_request(
            "Invalid value specified for property 'dataType' of resource 'ExtensionProperty'.",
        ));
    }
    let targets_ok = object
        .get("targetObjects")
        .and_then(Value::as_array)
        .is_some_and(|a| {
            !a.is_empty()
                && a.iter()
                    .all(|v| v.as_str().is_some_and(|s| TARGETS.contains(&s)))
        });
    if !targets_ok {
        return Err(GraphErr::bad_request(
            "Invalid value specified for property 'targetObjects' of resource 'ExtensionProperty'.",
        ));
    }
    let full = format!("{PREFIX}{}_{name}", app.client_id.replace('-', ""));
    if declared(t)
        .iter()
        .any(|e| text(&e.object, "name").eq_ignore_ascii_case(&full))
    {
        let message = "Another object with the same value for property name already exists.";
        return Err(GraphErr::bad_request(message).with_details(
            json!([{"code": "ObjectConflict", "target": "name", "message": message}]),
        ));
    }
    object.insert("name".into(), json!(full));
    object.insert("appDisplayName".into(), json!(app.display_name));
    object.entry("isMultiValued").or_insert(json!(false));
    object.insert("isSyncedFromOnPremises".into(), json!(false));
    Ok(())
}

/// Whether `value` fits an extension property of `data_type` (a list of them when
/// `multi`).
fn fits(data_type: &str, multi: bool, value: &Value) -> bool {
    let one = |v: &Value| match data_type {
        "Boolean" => v.is_boolean(),
        "Integer" | "LargeInteger" => v.is_i64() || v.is_u64(),
        _ => v.is_string(),
    };
    match value {
        Value::Null => true,
        Value::Array(items) if multi => items.iter().all(one),
        v => !multi && one(v),
    }
}

/// Checks every `extension_` property of a write to an object of type `ty`: declared by an
/// application for that kind of object, with a value of its data type. Graph's answer to an
/// undeclared one: 400 "Property '...' does not exist as a declared property or extension
/// property."
pub fn check_write(t: &Tenant, ty: &str, body: &Map<String, Value>) -> Result<(), GraphErr> {
    let target = target_of(ty);
    let known = declared(t);
    for (k, v) in body.iter().filter(|(k, _)| is_extension(k)) {
        let found = known.iter().find(|e| {
            text(&e.object, "name").eq_ignore_ascii_case(k)
                && target.is_some_and(|target| {
                    e.object
                        .get("targetObjects")
                        .and_then(Value::as_array)
                        .is_some_and(|a| a.iter().any(|x| x == target))
                })
        });
        let Some(found) = found else {
            return Err(GraphErr::bad_request(format!(
                "Property '{k}' does not exist as a declared property or extension property."
            )));
        };
        let multi = found
            .object
            .get("isMultiValued")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let data_type = text(&found.object, "dataType");
        if !fits(data_type, multi, v) {
            return Err(GraphErr::bad_request(format!(
                "Invalid value specified for property '{k}' of resource '{}'.",
                target.unwrap_or("DirectoryObject")
            )));
        }
    }
    Ok(())
}

/// `getAvailableExtensionProperties`: every declared extension property, or those synced
/// from on-premises only when `isSyncedFromOnPremises` is true.
pub fn available(t: &Tenant, params: &Map<String, Value>) -> Vec<Value> {
    let synced_only = params
        .get("isSyncedFromOnPremises")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    declared(t)
        .into_iter()
        .filter(|e| {
            !synced_only
                || e.object
                    .get("isSyncedFromOnPremises")
                    .and_then(Value::as_bool)
                    .unwrap_or(false)
        })
        .map(|e| {
            let mut o = Map::new();
            o.insert(
                "@odata.type".into(),
                json!(format!("#{EXTENSION_PROPERTY}")),
            );
            o.extend(e.object.clone());
            Value::Object(o)
        })
        .collect()
}
