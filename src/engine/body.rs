//! Request bodies for Create/Update sets: from expanded parameters or `-BodyParameter`.
//!
//! As the SDK's model type converters do, keys are matched to the body model's properties
//! ignoring case and written with the wire name (`IsUsableOnce` → `isUsableOnce`); keys the
//! model does not declare are sent as they are (additional properties).

use serde_json::{Map, Value};

use super::error::GraphError;
use crate::catalog::models::{model, Model, PropType};
use crate::catalog::ActionParam;
use crate::json::truthy;

/// How deep [`canonicalize`] follows nested models: serde_json's own parse limit, which every
/// body crossing the C boundary already met; anything deeper is sent as it is.
pub const MAX_DEPTH: usize = 128;

/// Rewrites an object's keys to the model's wire names, recursing into nested models (at
/// most [`MAX_DEPTH`] levels). An object whose `@odata.type` names a derived type takes that
/// type's names (a named location's `IpRanges = @(@{ '@odata.type' =
/// '#microsoft.graph.iPv4CidrRange'; CidrAddress = ... })`), as the SDK's type converters
/// read it.
pub fn canonicalize(model: &Model, object: Map<String, Value>) -> Map<String, Value> {
    canonicalize_at(model, object, 0)
}

fn canonicalize_at(model: &Model, object: Map<String, Value>, depth: usize) -> Map<String, Value> {
    if depth >= MAX_DEPTH {
        return object;
    }
    let model = derived_model(&object).unwrap_or(model);
    let canonicalize = |m: &Model, o: Map<String, Value>| canonicalize_at(m, o, depth + 1);
    let mut out = Map::new();
    for (key, value) in object {
        match model.prop(&key) {
            Some(prop) => {
                let value = match (prop.ty, value) {
                    (PropType::Model(id), Value::Object(inner)) => {
                        match crate::catalog::model(id) {
                            Some(m) => Value::Object(canonicalize(m, inner)),
                            None => Value::Object(inner),
                        }
                    }
                    (PropType::ModelList(id), Value::Array(items)) => Value::Array(
                        items
                            .into_iter()
                            .map(|item| match (item, crate::catalog::model(id)) {
                                (Value::Object(o), Some(m)) => Value::Object(canonicalize(m, o)),
                                (other, _) => other,
                            })
                            .collect(),
                    ),
                    (PropType::Binary, Value::Array(items)) if is_bytes(&items) => base64(&items),
                    (_, v) => v,
                };
                out.insert(prop.json.to_string(), value);
            }
            None => {
                out.insert(key, value);
            }
        }
    }
    out
}

/// Parses `-BodyParameter`: an object, or a string holding a JSON object.
pub fn body_parameter(model_id: &str, value: &Value) -> Result<Map<String, Value>, GraphError> {
    let object = match value {
        Value::Object(m) => m.clone(),
        Value::String(text) => match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(m)) => m,
            Ok(other) => {
                return Err(GraphError::invalid(format!(
                    "Cannot bind parameter 'BodyParameter': the JSON text is {} where an object ({{...}}) was expected.",
                    kind(&other)
                )))
            }
            Err(e) => {
                return Err(GraphError::invalid(format!(
                    "Cannot bind parameter 'BodyParameter': the value is not valid JSON: {e}. Nothing was sent."
                )))
            }
        },
        Value::Null => Map::new(),
        other => {
            return Err(GraphError::invalid(format!(
                "Cannot bind parameter 'BodyParameter': {} cannot be a request body; pass a hashtable, an object or a JSON string.",
                kind(other)
            )))
        }
    };
    if let Some(full) = full_model(model_id) {
        check_properties(full, &object, "", 0)?;
    }
    Ok(match model(model_id) {
        Some(m) => canonicalize(m, object),
        None => object,
    })
}

/// An action's `-BodyParameter` (`Send-MgUserMail -BodyParameter @{ Message = ... }`): keys
/// matched to the action's parameters ignoring case and written with their names, values
/// converted to each parameter's declared type at every level ([`convert_value`]), as the
/// SDK's request-body model (`I...PostRequestBody`) converts them when it binds the
/// hashtable. Other keys are sent as given.
pub fn action_body(params: &[ActionParam], object: Map<String, Value>) -> Map<String, Value> {
    object
        .into_iter()
        .map(
            |(key, value)| match params.iter().find(|p| p.json.eq_ignore_ascii_case(&key)) {
                Some(p) => (p.json.to_string(), convert_value(p.ty, value)),
                None => (key, value),
            },
        )
        .collect()
}

/// A value as the SDK's models convert it to a declared type, at any depth (at most
/// [`MAX_DEPTH`] levels): `'true'`/`'false'` to booleans, numeric text to numbers, a byte
/// array (`[byte[]]`, a JSON array of 0..=255) to base64 text where the type is text
/// (`Edm.Binary`), one object to a one-item list where a list is declared, and the keys of
/// nested models (or of the derived type their `@odata.type` names) to their wire names.
/// Values that do not convert, and keys no model declares, are sent as given: Graph (or the
/// sandbox) answers for them.
pub fn convert_value(ty: PropType, value: Value) -> Value {
    convert_at(ty, value, 0)
}

fn convert_at(ty: PropType, value: Value, depth: usize) -> Value {
    if depth >= MAX_DEPTH {
        return value;
    }
    match (ty, value) {
        (PropType::Bool, Value::String(s)) => match s.trim().to_ascii_lowercase().as_str() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => Value::String(s),
        },
        (PropType::Bool, v @ Value::Object(_)) => Value::Bool(truthy(&v)),
        (PropType::Int | PropType::Long, Value::String(s)) => match s.trim().parse::<i64>() {
            Ok(n) => Value::from(n),
            Err(_) => Value::String(s),
        },
        (PropType::Double, Value::String(s)) => {
            match s
                .trim()
                .parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
            {
                Some(n) => Value::Number(n),
                None => Value::String(s),
            }
        }
        (PropType::String | PropType::Binary, Value::Array(items)) if is_bytes(&items) => {
            base64(&items)
        }
        (PropType::StringList, Value::String(s)) => Value::Array(vec![Value::String(s)]),
        (PropType::Model(id), Value::Object(o)) => Value::Object(convert_object(id, o, depth + 1)),
        (PropType::ModelList(id), Value::Array(items)) => Value::Array(
            items
                .into_iter()
                .map(|item| match item {
                    Value::Object(o) => Value::Object(convert_object(id, o, depth + 1)),
                    other => other,
                })
                .collect(),
        ),
        (PropType::ModelList(id), Value::Object(o)) => {
            Value::Array(vec![Value::Object(convert_object(id, o, depth + 1))])
        }
        (_, v) => v,
    }
}

/// Whether a JSON array is a byte array as PowerShell writes one (`[byte[]]`: numbers 0..=255).
fn is_bytes(items: &[Value]) -> bool {
    !items.is_empty() && items.iter().all(|v| v.as_u64().is_some_and(|b| b <= 255))
}

/// A byte array (`is_bytes`) as the base64 text JSON carries `Edm.Binary` in.
fn base64(items: &[Value]) -> Value {
    use base64::Engine;
    let bytes: Vec<u8> = items
        .iter()
        .filter_map(Value::as_u64)
        .map(|b| b as u8)
        .collect();
    Value::String(base64::engine::general_purpose::STANDARD.encode(bytes))
}

/// An object of a model type, its members converted to their declared types: the derived
/// type its `@odata.type` names when the catalog has it, else the declared one.
fn convert_object(id: &str, object: Map<String, Value>, depth: usize) -> Map<String, Value> {
    let Some(m) = derived_model(&object).or_else(|| crate::catalog::model(id)) else {
        return object;
    };
    object
        .into_iter()
        .map(|(key, value)| match m.prop(&key) {
            Some(prop) => (prop.json.to_string(), convert_at(prop.ty, value, depth)),
            None => (key, value),
        })
        .collect()
}

/// The model an object's `@odata.type` names (`#microsoft.graph.iPv4CidrRange`), when the
/// catalog has it.
fn derived_model(object: &Map<String, Value>) -> Option<&'static Model> {
    object
        .get("@odata.type")
        .and_then(Value::as_str)
        .and_then(|t| crate::catalog::generated::model(t.trim_start_matches('#')))
}

/// How deep [`check_properties`] follows nested objects (Graph's types nest a few levels).
const MAX_CHECK_DEPTH: usize = 32;

/// The generated model of a body's Graph type: the hand-written models (`user`) declare only
/// what the seed cmdlets show, the generated ones (`microsoft.graph.user`) every property.
fn full_model(id: &str) -> Option<&'static Model> {
    if id.contains('.') {
        return crate::catalog::generated::model(id);
    }
    crate::catalog::generated::model(&format!("microsoft.graph.{id}"))
}

/// Whether a body member is an annotation or an extension property, which no model declares.
fn is_open_member(key: &str) -> bool {
    key.contains('@') || key.starts_with("extension_")
}

/// Refuses, before anything is sent, a `-BodyParameter` value of the wrong JSON kind for its
/// declared property, naming the member's path (`.passwordProfile.forceChange...`), as the
/// SDK's models refuse what they cannot convert. Members the type does not declare pass
/// through, as the SDK's `AdditionalProperties` do. A body naming a derived type
/// (`@odata.type`) is checked against that type.
fn check_properties(
    declared: &Model,
    object: &Map<String, Value>,
    path: &str,
    depth: usize,
) -> Result<(), GraphError> {
    if depth > MAX_CHECK_DEPTH {
        return Err(GraphError::invalid(format!(
            "Cannot bind parameter 'BodyParameter': the value at '{path}' is nested deeper than {MAX_CHECK_DEPTH} levels. Nothing was sent."
        )));
    }
    let derived = object
        .get("@odata.type")
        .and_then(Value::as_str)
        .and_then(|t| crate::catalog::generated::model(t.trim_start_matches('#')));
    let m = derived.unwrap_or(declared);
    for (key, value) in object {
        if is_open_member(key) {
            continue;
        }
        let here = format!("{path}.{key}");
        // A member the model does not declare goes to Graph as it is, as the SDK sends a
        // model's AdditionalProperties: Graph (or the sandbox) answers for it.
        let Some(prop) = m.prop(key) else {
            continue;
        };
        let expected = match (prop.ty, value) {
            (_, Value::Null) | (PropType::Any, _) => None,
            (PropType::Bool, Value::Bool(_)) => None,
            (PropType::Int | PropType::Long | PropType::Double, Value::Number(_)) => None,
            (
                PropType::String | PropType::DateTime | PropType::Enum(_) | PropType::Binary,
                Value::String(_),
            ) => None,
            (PropType::StringList, Value::Array(_)) => None,
            (PropType::Binary, Value::Array(items)) if is_bytes(items) => None,
            (PropType::Model(id), Value::Object(inner)) => {
                if let Some(nested) = crate::catalog::model(id) {
                    check_properties(nested, inner, &here, depth + 1)?;
                }
                None
            }
            (PropType::ModelList(id), Value::Array(items)) => {
                if let Some(nested) = crate::catalog::model(id) {
                    for (i, item) in items.iter().enumerate() {
                        if let Value::Object(inner) = item {
                            check_properties(nested, inner, &format!("{here}[{i}]"), depth + 1)?;
                        }
                    }
                }
                None
            }
            (PropType::Bool, _) => Some("a boolean"),
            (PropType::Int | PropType::Long | PropType::Double, _) => Some("a number"),
            (PropType::String, _) => Some("a string"),
            (PropType::Binary, _) => Some("bytes (a byte[] or its base64 text)"),
            (PropType::Enum(_), _) => Some("a member name (a string)"),
            (PropType::DateTime, _) => Some("a date (an ISO 8601 string)"),
            (PropType::StringList | PropType::ModelList(_), _) => Some("an array"),
            (PropType::Model(_), _) => Some("an object"),
        };
        if let Some(expected) = expected {
            return Err(GraphError::invalid(format!(
                "Cannot bind parameter 'BodyParameter': '{here}' must be {expected} ({} of {}), not {}. Nothing was sent.",
                key,
                m.id,
                kind(value)
            )));
        }
    }
    Ok(())
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// One expanded parameter's value as the body property's JSON: a switch (`-AccountEnabled`,
/// `{"IsPresent": true}`) by its truth, everything else as [`convert_value`] converts it.
pub fn expanded_value(ty: PropType, value: &Value) -> Value {
    match ty {
        PropType::Bool => Value::Bool(truthy(value)),
        _ => convert_value(ty, value.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_action_body_takes_the_parameters_and_nested_keys_in_any_case() {
        let cmd = crate::catalog::command("Send-MgUserMail").expect("generated");
        let route = &cmd.routes[0];
        let out = action_body(
            route.action,
            json!({"message": {"Subject": "x", "ToRecipients": [{"EmailAddress": {"Address": "a@b"}}]},
                   "saveToSentItems": "false", "Extra": 1})
            .as_object()
            .unwrap()
            .clone(),
        );
        let message = crate::json::get_ci(&out, "Message").unwrap();
        assert_eq!(message["subject"], "x");
        assert_eq!(message["toRecipients"][0]["emailAddress"]["address"], "a@b");
        assert_eq!(
            crate::json::get_ci(&out, "SaveToSentItems"),
            Some(&json!(false))
        );
        assert_eq!(out["Extra"], 1, "undeclared keys pass unchanged");
    }

    #[test]
    fn keys_take_the_wire_names_and_extras_pass_through() {
        let v = json!({"IsUsableOnce": true, "LIFETIMEINMINUTES": 60, "@odata.type": "#x"});
        let out = body_parameter("temporaryAccessPassAuthenticationMethod", &v).unwrap();
        assert_eq!(out["isUsableOnce"], json!(true));
        assert_eq!(out["lifetimeInMinutes"], json!(60));
        assert_eq!(out["@odata.type"], json!("#x"));
    }

    #[test]
    fn derived_types_named_by_odata_type_are_canonicalized() {
        // The documented named-location body: the base type declares neither IpRanges nor
        // CidrAddress; the @odata.type of each object does.
        let v = json!({
            "@odata.type": "#microsoft.graph.ipNamedLocation",
            "DisplayName": "Untrusted IP named location",
            "IsTrusted": false,
            "IpRanges": [
                {"@odata.type": "#microsoft.graph.iPv4CidrRange", "CidrAddress": "12.34.221.11/22"},
                {"@odata.type": "#microsoft.graph.iPv6CidrRange", "CidrAddress": "2001:0:9d38:90d6:0:0:0:0/63"}
            ]
        });
        let out = body_parameter("microsoft.graph.namedLocation", &v).unwrap();
        assert_eq!(out["displayName"], json!("Untrusted IP named location"));
        assert_eq!(out["isTrusted"], json!(false));
        assert_eq!(out["ipRanges"][0]["cidrAddress"], json!("12.34.221.11/22"));
        assert_eq!(
            out["ipRanges"][1]["cidrAddress"],
            json!("2001:0:9d38:90d6:0:0:0:0/63")
        );
        assert!(out["ipRanges"][0].get("CidrAddress").is_none());
    }

    #[test]
    fn nested_models_are_canonicalized() {
        let v =
            json!({"PasswordProfile": {"Password": "x", "ForceChangePasswordNextSignIn": true}});
        let out = body_parameter("user", &v).unwrap();
        assert_eq!(out["passwordProfile"]["password"], json!("x"));
        assert_eq!(
            out["passwordProfile"]["forceChangePasswordNextSignIn"],
            json!(true)
        );
    }

    #[test]
    fn json_strings_are_parsed_and_errors_say_where() {
        let ok = body_parameter("user", &json!("{\"displayName\": \"x\"}")).unwrap();
        assert_eq!(ok["displayName"], json!("x"));
        let err = body_parameter("user", &json!("{\"displayName\": \"x\" \"a\": 1}")).unwrap_err();
        let GraphError::Invalid { message } = err else {
            panic!()
        };
        assert!(
            message.contains("BodyParameter") && message.contains("at line 1 column 21"),
            "{message}"
        );
        assert!(body_parameter("user", &json!("[1]")).is_err());
        assert!(body_parameter("user", &json!(5)).is_err());
    }

    #[test]
    fn unknown_members_pass_and_wrong_kinds_are_refused_with_their_path() {
        let err = |v: Value| match body_parameter("user", &v).unwrap_err() {
            GraphError::Invalid { message } => message,
            other => panic!("{other:?}"),
        };
        // As the SDK's AdditionalProperties: Graph answers for what the model does not declare.
        let sent = body_parameter("user", &json!({"displayNme": "x"})).unwrap();
        assert_eq!(sent["displayNme"], "x");
        body_parameter(
            "user",
            &json!({"assignedLicenses": [{"skuId": "x", "nope": 1}]}),
        )
        .unwrap();
        let m = err(json!({"accountEnabled": "yes"}));
        assert!(m.contains("'.accountEnabled' must be a boolean"), "{m}");
        let m = err(json!({"assignedLicenses": [{"skuId": 5}]}));
        assert!(m.contains(".assignedLicenses[0].skuId"), "{m}");
        // Annotations, extension attributes and nulls pass.
        body_parameter(
            "user",
            &json!({"displayName": null, "manager@odata.bind": "x", "extension_1_a": 1}),
        )
        .unwrap();
    }

    /// The `Edm.Binary` properties of every complex and entity type, from the raw catalog.
    fn binary_properties() -> std::collections::HashMap<String, Vec<String>> {
        let (models, _) = crate::catalog::generated::raw_model_files();
        let mut out = std::collections::HashMap::new();
        for line in models.lines().filter(|l| l.starts_with('{')) {
            let v: Value = serde_json::from_str(line).unwrap();
            let props: Vec<String> = v["props"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|p| p["type"] == "Edm.Binary" && p["collection"] != true)
                .map(|p| p["name"].as_str().unwrap().to_string())
                .collect();
            if !props.is_empty() {
                out.insert(v["name"].as_str().unwrap().to_string(), props);
            }
        }
        out
    }

    /// Every parameter of every generated action (v1.0), given in `-BodyParameter` as text
    /// where a boolean or a number is declared, under an upper-case key: it is sent as the
    /// declared JSON type under its wire name, as the SDK's request-body models convert it.
    /// Every action parameter of a model type with an `Edm.Binary` property, given a byte
    /// array there (as `[byte[]]` travels: numbers 0..=255), sends base64 text.
    #[test]
    fn every_action_body_parameter_converts_to_its_declared_type() {
        let binary = binary_properties();
        let (mut scalars, mut bytes) = (0, 0);
        for name in crate::catalog::generated::command_names() {
            let cmd = crate::catalog::command(name).expect("listed");
            for route in cmd.routes.iter().filter(|r| !r.action.is_empty()) {
                for p in route.action {
                    let (given, expected) = match p.ty {
                        PropType::Bool => (json!("False"), json!(false)),
                        PropType::Int | PropType::Long => (json!(" 42 "), json!(42)),
                        PropType::Double => (json!("100"), json!(100.0)),
                        PropType::StringList => (json!("a"), json!(["a"])),
                        PropType::Model(id) => {
                            let Some(props) = binary.get(id) else {
                                continue;
                            };
                            let mut inner = Map::new();
                            inner.insert(props[0].to_ascii_uppercase(), json!([77, 73, 73]));
                            let mut expected = Map::new();
                            expected.insert(props[0].clone(), json!("TUlJ"));
                            bytes += 1;
                            (Value::Object(inner), Value::Object(expected))
                        }
                        _ => continue,
                    };
                    if !matches!(p.ty, PropType::Model(_)) {
                        scalars += 1;
                    }
                    let mut body = Map::new();
                    body.insert(p.json.to_ascii_uppercase(), given);
                    let out = action_body(route.action, body);
                    assert_eq!(
                        out.get(p.json),
                        Some(&expected),
                        "{name} {}: {out:?}",
                        p.json
                    );
                }
            }
        }
        assert!(
            scalars > 300 && bytes > 5,
            "{scalars} scalar and {bytes} binary parameters"
        );
    }

    #[test]
    fn nested_values_convert_by_the_declared_or_derived_type() {
        let cmd = crate::catalog::command("Find-MgUserMeetingTime").expect("generated");
        let out = action_body(
            cmd.routes[0].action,
            json!({"minimumAttendeePercentage": "100", "isOrganizerOptional": "false",
                   "maxCandidates": "7", "locationConstraint": {"isRequired": "true",
                   "locations": {"resolveAvailability": "FALSE", "displayName": "x"}}})
            .as_object()
            .unwrap()
            .clone(),
        );
        assert_eq!(out["minimumAttendeePercentage"], json!(100.0));
        assert_eq!(out["isOrganizerOptional"], json!(false));
        assert_eq!(out["maxCandidates"], json!(7));
        assert_eq!(out["locationConstraint"]["isRequired"], json!(true));
        assert_eq!(
            out["locationConstraint"]["locations"],
            json!([{"resolveAvailability": false, "displayName": "x"}]),
            "one object where a list is declared is a one-item list"
        );
        // What does not convert is sent as given, for Graph to answer.
        let out = action_body(
            cmd.routes[0].action,
            json!({"maxCandidates": "many"})
                .as_object()
                .unwrap()
                .clone(),
        );
        assert_eq!(out["maxCandidates"], json!("many"));
        // A derived type named by @odata.type converts its own properties.
        let cmd = crate::catalog::command("Add-MgApplicationKey").expect("generated");
        let out = action_body(
            cmd.routes[0].action,
            json!({"KeyCredential": {"Key": [1, 2, 3], "Usage": "Verify"}, "proof": "p"})
                .as_object()
                .unwrap()
                .clone(),
        );
        assert_eq!(
            out["keyCredential"],
            json!({"key": "AQID", "usage": "Verify"})
        );
    }

    #[test]
    fn expanded_values_follow_the_property_type() {
        assert_eq!(
            expanded_value(PropType::Bool, &json!({"IsPresent": true})),
            json!(true)
        );
        assert_eq!(expanded_value(PropType::Int, &json!("60")), json!(60));
        assert_eq!(
            expanded_value(PropType::StringList, &json!("a")),
            json!(["a"])
        );
    }
}
