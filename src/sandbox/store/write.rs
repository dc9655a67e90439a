//! Request bodies checked against the catalog's models, as Graph checks them: unknown
//! properties, value types (primitives, enums, complex types, collections), read-only and
//! server-set properties, required properties, `@odata.type` on derived types, and
//! `@odata.bind` links. Every walk over the body is bounded by [`MAX_BODY_DEPTH`].

use axum::http::StatusCode;
use base64::Engine;
use serde_json::{Map, Value};

use super::catalog::{Catalog, TypeKind};
use crate::sandbox::odata::GraphErr;

/// How deeply a request body may nest objects and arrays.
pub const MAX_BODY_DEPTH: usize = 32;

/// What a body is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// POST: a new entity.
    Create,
    /// PATCH: merged into the entity.
    Update,
    /// PUT: replaces the entity.
    Replace,
}

/// A checked body.
#[derive(Debug, Default)]
pub struct Checked {
    /// The concrete type (`@odata.type`, else the declared type).
    pub ty: String,
    /// The properties with their canonical names (`@odata.*` annotations removed).
    pub object: Map<String, Value>,
    /// `nav@odata.bind` links: `(navigation property, referenced URLs or ids)`.
    pub binds: Vec<(String, Vec<String>)>,
}

/// Properties Graph sets itself on every type that declares them.
const SERVER_SET: &[&str] = &[
    "createdDateTime",
    "lastModifiedDateTime",
    "deletedDateTime",
    "securityIdentifier",
    "onPremisesSyncEnabled",
    "onPremisesLastSyncDateTime",
    "onPremisesSecurityIdentifier",
    "onPremisesDistinguishedName",
    "onPremisesDomainName",
    "onPremisesSamAccountName",
    "onPremisesUserPrincipalName",
    "onPremisesProvisioningErrors",
    "lastPasswordChangeDateTime",
    "signInSessionsValidFromDateTime",
    "renewedDateTime",
    "expirationDateTime",
    "assignedPlans",
    "provisionedPlans",
    "licenseAssignmentStates",
    "signInActivity",
];

/// Whether Graph sets property `name` of a `directory` (or other) type itself.
pub fn server_set(name: &str, directory: bool) -> bool {
    SERVER_SET.contains(&name)
        && (directory || (!name.starts_with("onPremises") && name != "expirationDateTime"))
}

/// Properties Graph requires when creating an entity of a type (the documented ones).
pub fn required(ty: &str) -> &'static [&'static str] {
    match ty {
        "microsoft.graph.user" => &[
            "accountEnabled",
            "displayName",
            "mailNickname",
            "userPrincipalName",
            "passwordProfile",
        ],
        "microsoft.graph.group" => &[
            "displayName",
            "mailEnabled",
            "mailNickname",
            "securityEnabled",
        ],
        "microsoft.graph.application" => &["displayName"],
        "microsoft.graph.servicePrincipal" => &["appId"],
        "microsoft.graph.administrativeUnit" => &["displayName"],
        "microsoft.graph.device" => &[
            "accountEnabled",
            "alternativeSecurityIds",
            "deviceId",
            "displayName",
            "operatingSystem",
            "operatingSystemVersion",
        ],
        _ => &[],
    }
}

/// The longest string Graph's directory stores in a property, in characters, from each
/// property's description on its resource page ("Maximum length is 64 characters"):
/// <https://learn.microsoft.com/graph/api/resources/user#properties>,
/// <https://learn.microsoft.com/graph/api/resources/group#properties>,
/// <https://learn.microsoft.com/graph/api/resources/application#properties>.
const MAX_CHARS: &[(&str, &str, usize)] = &[
    ("microsoft.graph.user", "displayName", 256),
    ("microsoft.graph.user", "givenName", 64),
    ("microsoft.graph.user", "surname", 64),
    ("microsoft.graph.user", "mailNickname", 64),
    ("microsoft.graph.user", "jobTitle", 128),
    ("microsoft.graph.user", "department", 64),
    ("microsoft.graph.user", "companyName", 64),
    ("microsoft.graph.user", "city", 128),
    ("microsoft.graph.user", "state", 128),
    ("microsoft.graph.user", "country", 128),
    ("microsoft.graph.user", "streetAddress", 1024),
    ("microsoft.graph.user", "postalCode", 40),
    ("microsoft.graph.user", "employeeId", 16),
    ("microsoft.graph.user", "mobilePhone", 64),
    ("microsoft.graph.user", "businessPhones", 64),
    ("microsoft.graph.user", "userPrincipalName", 113),
    ("microsoft.graph.group", "displayName", 256),
    ("microsoft.graph.group", "mailNickname", 64),
    ("microsoft.graph.group", "description", 1024),
    ("microsoft.graph.application", "displayName", 256),
    ("microsoft.graph.servicePrincipal", "displayName", 256),
];

/// The most items Graph keeps in a collection property: a user has one business phone
/// ("Only one number can be set for this property",
/// <https://learn.microsoft.com/graph/api/resources/user#properties>).
const MAX_COUNT: &[(&str, &str, usize)] = &[("microsoft.graph.user", "businessPhones", 1)];

/// Strings Graph accepts only from a documented set (the metadata types them `Edm.String`):
/// a group's `visibility` is `Public`, `Private` or `HiddenMembership`
/// (<https://learn.microsoft.com/graph/api/resources/group#properties>), a user's `userType`
/// `Member` or `Guest` (<https://learn.microsoft.com/graph/api/resources/user#properties>).
const ONE_OF: &[(&str, &str, &[&str])] = &[
    (
        "microsoft.graph.group",
        "visibility",
        &["Public", "Private", "HiddenMembership"],
    ),
    ("microsoft.graph.user", "userType", &["Member", "Guest"]),
];

/// The sizes and value sets Graph's directory enforces on `object` (canonical names) of
/// type `ty`, beyond what the metadata types say: one check for every way a write comes in
/// (the generic store, the users and groups handlers, `-BodyParameter`, expanded cmdlet
/// parameters and raw requests all send the same JSON). Graph's directory answers each with
/// `Request_BadRequest` "Invalid value specified for property '{p}' of resource '{R}'."
pub fn check_limits(
    ty: &str,
    object: &Map<String, Value>,
    directory: bool,
) -> Result<(), GraphErr> {
    let invalid = |prop: &str| {
        bad(
            directory,
            format!(
                "Invalid value specified for property '{prop}' of resource '{}'.",
                resource_name(ty)
            ),
        )
    };
    let get = |prop: &str| {
        object
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(prop))
            .map(|(_, v)| v)
    };
    for (t, prop, max) in MAX_CHARS {
        if *t != ty {
            continue;
        }
        let too_long = |v: &Value| v.as_str().is_some_and(|s| s.chars().count() > *max);
        match get(prop) {
            Some(Value::Array(items)) if items.iter().any(too_long) => return Err(invalid(prop)),
            Some(v) if too_long(v) => return Err(invalid(prop)),
            _ => {}
        }
    }
    for (t, prop, max) in MAX_COUNT {
        if *t == ty
            && get(prop)
                .and_then(Value::as_array)
                .is_some_and(|a| a.len() > *max)
        {
            return Err(invalid(prop));
        }
    }
    for (t, prop, allowed) in ONE_OF {
        if *t != ty {
            continue;
        }
        if let Some(Value::String(v)) = get(prop) {
            if !allowed.iter().any(|a| a.eq_ignore_ascii_case(v)) {
                return Err(invalid(prop));
            }
        }
    }
    Ok(())
}

/// `microsoft.graph.user` → `User` (the resource name directory errors use).
pub fn resource_name(ty: &str) -> String {
    let short = ty.rsplit('.').next().unwrap_or(ty);
    let mut c = short.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn bad(directory: bool, message: String) -> GraphErr {
    GraphErr::new(
        StatusCode::BAD_REQUEST,
        if directory {
            "Request_BadRequest"
        } else {
            "BadRequest"
        },
        message,
    )
}

fn too_deep() -> GraphErr {
    GraphErr::bad_request(format!(
        "The request body nests deeper than {MAX_BODY_DEPTH} levels."
    ))
}

/// Whether an entity body of this type keeps members its type does not declare: open types
/// do (`openTypeExtension`, the open extensions added with `New-MgUserMessageExtension` or
/// inside a message's `extensions`), as Graph's OData layer keeps dynamic properties; but
/// directory objects take only `extension_` attributes, and Outlook items (messages,
/// events, contacts) refuse undeclared members, though the metadata declares both open.
pub fn takes_dynamic_properties(cat: &Catalog, ty: &str, directory: bool) -> bool {
    !directory && !cat.derives(ty, "microsoft.graph.outlookItem") && cat.is_open(ty)
}

/// The message Graph's OData layer gives for a property the type does not declare.
pub fn unknown_property(name: &str, ty: &str, directory: bool) -> GraphErr {
    bad(
        directory,
        format!(
            "The property '{name}' does not exist on type '{ty}'. Make sure to only use property names that are defined by the type or mark the type as open type."
        ),
    )
}

/// Resolves `@odata.type` against the declared type: the concrete type, or Graph's 400.
pub fn concrete_type(
    cat: &Catalog,
    declared: &str,
    annotation: Option<&Value>,
    directory: bool,
) -> Result<String, GraphErr> {
    let Some(v) = annotation else {
        return Ok(cat
            .ty(declared)
            .map(|t| t.name.clone())
            .unwrap_or_else(|| declared.to_string()));
    };
    let name = v.as_str().unwrap_or_default().trim_start_matches('#');
    let Some(t) = cat.ty(name) else {
        return Err(bad(
            directory,
            format!("A type named '{name}' could not be resolved by the model. When a model is available, each type name must resolve to a valid type."),
        ));
    };
    if !cat.derives(&t.name, declared) {
        return Err(bad(
            directory,
            format!(
                "The type '{}' is not compatible with the expected type '{declared}'.",
                t.name
            ),
        ));
    }
    Ok(t.name.clone())
}

/// Checks an entity body of declared type `declared`.
pub fn check_entity(
    cat: &Catalog,
    declared: &str,
    body: Map<String, Value>,
    mode: Mode,
) -> Result<Checked, GraphErr> {
    let directory = cat.is_directory(declared);
    let ty = concrete_type(cat, declared, body.get("@odata.type"), directory)?;
    if mode == Mode::Create {
        if let Some(t) = cat.ty(&ty) {
            if t.is_abstract {
                return Err(bad(
                    directory,
                    format!("Cannot create an instance of the abstract type '{ty}'; name a derived type with '@odata.type'."),
                ));
            }
        }
    }
    let mut out = Checked {
        ty: ty.clone(),
        ..Checked::default()
    };
    for (key, value) in body {
        if key.starts_with("@odata.") {
            continue;
        }
        if let Some(nav) = key.strip_suffix("@odata.bind") {
            let p = cat
                .prop_info(&ty, nav)
                .filter(|p| p.nav && !p.contained)
                .ok_or_else(|| unknown_property(nav, &ty, directory))?;
            let links: Vec<String> = match &value {
                Value::String(s) => vec![s.clone()],
                Value::Array(a) if p.collection => a
                    .iter()
                    .map(|v| v.as_str().map(str::to_string))
                    .collect::<Option<_>>()
                    .ok_or_else(|| bad(directory, format!("'{key}' must be a list of URLs.")))?,
                _ => {
                    return Err(bad(
                        directory,
                        format!(
                            "'{key}' must be a URL{}.",
                            if p.collection { " list" } else { "" }
                        ),
                    ))
                }
            };
            out.binds.push((p.name.clone(), links));
            continue;
        }
        if key.contains('@') {
            // Other instance annotations (`prop@odata.type`) ride along.
            continue;
        }
        if directory && key.starts_with("extension_") {
            out.object.insert(key, value);
            continue;
        }
        let Some(p) = cat.prop_info(&ty, &key) else {
            if takes_dynamic_properties(cat, &ty, directory) {
                out.object.insert(key, value);
                continue;
            }
            return Err(unknown_property(&key, &ty, directory));
        };
        let name = p.name.clone();
        if p.nav && !p.collection && !p.contained {
            // An existing object named by its id (`"catalog": {"id": "..."}`), as Graph's
            // entitlement-management requests write a reference
            // (learn.microsoft.com/graph/api/entitlementmanagement-post-accesspackages): the
            // same link as `catalog@odata.bind`.
            if let Some(id) = value.get("id").and_then(Value::as_str) {
                out.binds.push((name, vec![id.to_string()]));
                continue;
            }
            // A request's description of what it asks for (an access package assignment
            // request's `assignment`: `targetId`, `assignmentPolicyId`, `accessPackageId`;
            // entitlementmanagement-post-assignmentrequests) is the request's input, kept with
            // it as written.
            if value.is_object() && ty.ends_with("Request") {
                out.object.insert(name, value);
                continue;
            }
        }
        if p.nav {
            return Err(bad(
                directory,
                format!(
                    "Navigation property '{name}' of type '{ty}' cannot be written in the body; use '{name}@odata.bind' or its own path."
                ),
            ));
        }
        if name == "id" || name == cat.key_of(&ty) {
            if mode == Mode::Create && !directory {
                check_value(
                    cat,
                    &p.ty,
                    p.collection,
                    p.nullable,
                    &value,
                    &name,
                    directory,
                    0,
                )?;
                out.object.insert(name, value);
            }
            // An id in a PATCH or PUT body names the entity: Graph ignores it.
            continue;
        }
        if p.read_only || server_set(&name, directory) {
            // A create body may carry what the service sets (`createdDateTime`, `id` of a
            // directory object, ...), as Graph's documented request examples do: Graph ignores
            // them there and sets its own. An update that tries to change one is a 400.
            if mode == Mode::Create {
                continue;
            }
            return Err(bad(
                directory,
                format!("Property '{name}' is read-only and cannot be set."),
            ));
        }
        if p.ty == "Edm.Stream" {
            return Err(bad(
                directory,
                format!("Property '{name}' is a stream; write it with PUT to its own path."),
            ));
        }
        check_value(
            cat,
            &p.ty,
            p.collection,
            p.nullable,
            &value,
            &name,
            directory,
            0,
        )?;
        out.object.insert(name, value);
    }
    check_limits(&ty, &out.object, directory)?;
    empty_strings(cat, &ty, &out.object)?;
    if mode != Mode::Update {
        for r in required(&ty) {
            if out.object.get(*r).map(Value::is_null).unwrap_or(true) {
                return Err(bad(
                    directory,
                    format!(
                        "Invalid value specified for property '{r}' of resource '{}'.",
                        resource_name(&ty)
                    ),
                ));
            }
        }
    }
    Ok(out)
}

/// A user's string property given as `""`: Graph's directory refuses it on create and update
/// alike (`Request_BadRequest` "Invalid value specified for property 'officeLocation' of
/// resource 'User'.", with an `InvalidValue` detail naming the property); a value is cleared
/// with `null` (msgraph-sdk-powershell issues #852 and #2087, `Update-MgUser -Surname ""`,
/// `-MobilePhone ""`, `-OfficeLocation ""`; <https://learn.microsoft.com/graph/api/user-update>:
/// "to remove a value, set it to null"). Only users: that is where Graph documents it.
fn empty_strings(cat: &Catalog, ty: &str, object: &Map<String, Value>) -> Result<(), GraphErr> {
    if !cat.derives(ty, "microsoft.graph.user") {
        return Ok(());
    }
    for (k, v) in object {
        if v.as_str() != Some("") {
            continue;
        }
        let declared = cat
            .prop_info(ty, k)
            .is_some_and(|p| !p.collection && !p.nav && p.ty == "Edm.String");
        if declared {
            let message = format!(
                "Invalid value specified for property '{k}' of resource '{}'.",
                resource_name(ty)
            );
            return Err(bad(true, message.clone()).with_details(serde_json::json!([
                {"code": "InvalidValue", "message": message, "target": k}
            ])));
        }
    }
    Ok(())
}

/// Merges a checked PATCH body into the stored `target` of type `ty`, as OData 4.01 Part 1
/// §11.4.3 ("Update an Entity") has it and Graph behaves: a property left out keeps its
/// value; a complex (non-collection) value is merged property by property, recursively
/// (Graph's conditionalaccesspolicy-update example sends only `conditions.signInRiskLevels`
/// and the policy keeps its users and applications; `PATCH /policies/authorizationPolicy`
/// with `defaultUserRolePermissions: {allowedToCreateApps: false}` keeps the other
/// permissions); a collection, a primitive, `null`, or a complex value of another
/// `@odata.type` replaces what was there. Bounded by [`MAX_BODY_DEPTH`].
pub fn merge(cat: &Catalog, ty: &str, target: &mut Map<String, Value>, patch: Map<String, Value>) {
    merge_at(cat, Some(ty), target, patch, 0);
}

fn merge_at(
    cat: &Catalog,
    ty: Option<&str>,
    target: &mut Map<String, Value>,
    patch: Map<String, Value>,
    depth: usize,
) {
    for (k, v) in patch {
        let prop = ty.and_then(|t| cat.prop_info(t, &k));
        let complex = match prop {
            Some(p) => {
                !p.collection && !p.nav && cat.ty(&p.ty).is_some_and(|i| i.kind() != TypeKind::Enum)
            }
            // A dynamic property of an open type: an object value is a complex value too.
            None => true,
        };
        let same_type = |old: &Map<String, Value>, new: &Map<String, Value>| match (
            old.get("@odata.type"),
            new.get("@odata.type"),
        ) {
            (Some(a), Some(b)) => {
                a.as_str().map(|s| s.trim_start_matches('#'))
                    == b.as_str().map(|s| s.trim_start_matches('#'))
            }
            _ => true,
        };
        match (target.get_mut(&k), v) {
            (Some(Value::Object(old)), Value::Object(new))
                if complex && depth < MAX_BODY_DEPTH && same_type(old, &new) =>
            {
                let inner = new
                    .get("@odata.type")
                    .or_else(|| old.get("@odata.type"))
                    .and_then(Value::as_str)
                    .map(|s| s.trim_start_matches('#').to_string())
                    .or_else(|| prop.map(|p| p.ty.clone()));
                merge_at(cat, inner.as_deref(), old, new, depth + 1);
            }
            (_, v) => {
                target.insert(k, v);
            }
        }
    }
}

fn mismatch(value: &Value, ty: &str, prop: &str, directory: bool) -> GraphErr {
    let literal = match value {
        Value::String(s) => s.chars().take(200).collect(),
        Value::Array(_) => "[...]".to_string(),
        Value::Object(_) => "{...}".to_string(),
        other => other.to_string(),
    };
    bad(
        directory,
        format!(
            "Cannot convert the literal '{literal}' to the expected type '{ty}' for property '{prop}'."
        ),
    )
}

/// Checks one value of type `ty` (a collection when `collection`), iteratively over arrays and
/// recursively over complex values up to [`MAX_BODY_DEPTH`].
#[allow(clippy::too_many_arguments)]
pub fn check_value(
    cat: &Catalog,
    ty: &str,
    collection: bool,
    nullable: bool,
    value: &Value,
    prop: &str,
    directory: bool,
    depth: usize,
) -> Result<(), GraphErr> {
    if depth > MAX_BODY_DEPTH {
        return Err(too_deep());
    }
    if value.is_null() {
        if collection || nullable {
            return Ok(());
        }
        return Err(bad(
            directory,
            format!(
                "Cannot write a null value to the non-nullable property '{prop}' of type '{ty}'."
            ),
        ));
    }
    if collection {
        let Value::Array(items) = value else {
            return Err(mismatch(
                value,
                &format!("Collection({ty})"),
                prop,
                directory,
            ));
        };
        for item in items {
            check_value(cat, ty, false, true, item, prop, directory, depth + 1)?;
        }
        return Ok(());
    }
    let ok = match ty {
        "Edm.String" => value.is_string(),
        "Edm.Boolean" => value.is_boolean(),
        "Edm.Int32" => value
            .as_i64()
            .map(|n| i32::try_from(n).is_ok())
            .unwrap_or(false),
        "Edm.Int16" => value
            .as_i64()
            .map(|n| i16::try_from(n).is_ok())
            .unwrap_or(false),
        "Edm.Byte" => value
            .as_i64()
            .map(|n| u8::try_from(n).is_ok())
            .unwrap_or(false),
        "Edm.SByte" => value
            .as_i64()
            .map(|n| i8::try_from(n).is_ok())
            .unwrap_or(false),
        "Edm.Int64" => {
            value.is_i64()
                || value.is_u64()
                || value
                    .as_str()
                    .map(|s| s.parse::<i64>().is_ok())
                    .unwrap_or(false)
        }
        "Edm.Double" | "Edm.Single" | "Edm.Decimal" => {
            value.is_number()
                || matches!(value.as_str(), Some("NaN" | "INF" | "-INF"))
                || (ty == "Edm.Decimal"
                    && value
                        .as_str()
                        .map(|s| s.parse::<f64>().is_ok())
                        .unwrap_or(false))
        }
        "Edm.DateTimeOffset" => value
            .as_str()
            .map(|s| chrono::DateTime::parse_from_rfc3339(s).is_ok())
            .unwrap_or(false),
        // A date-time is taken too: the SDK's models hold an Edm.Date as a DateTime and send
        // its date, so the documented bodies (an access review's
        // `recurrence.range.startDate` = "2020-09-08T12:02:30.667Z") reach Graph as dates.
        "Edm.Date" => value
            .as_str()
            .map(|s| {
                chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok()
                    || chrono::DateTime::parse_from_rfc3339(s).is_ok()
            })
            .unwrap_or(false),
        "Edm.TimeOfDay" => value
            .as_str()
            .map(|s| {
                chrono::NaiveTime::parse_from_str(s, "%H:%M:%S%.f").is_ok()
                    || chrono::NaiveTime::parse_from_str(s, "%H:%M").is_ok()
            })
            .unwrap_or(false),
        "Edm.Duration" => value
            .as_str()
            .map(|s| s.trim_start_matches('-').starts_with('P'))
            .unwrap_or(false),
        "Edm.Guid" => value
            .as_str()
            .map(|s| uuid::Uuid::parse_str(s).is_ok())
            .unwrap_or(false),
        "Edm.Binary" => value
            .as_str()
            .map(|s| {
                base64::engine::general_purpose::STANDARD.decode(s).is_ok()
                    || base64::engine::general_purpose::URL_SAFE_NO_PAD
                        .decode(s)
                        .is_ok()
            })
            .unwrap_or(false),
        "Edm.Stream" => false,
        t if t.starts_with("Edm.") => true,
        t => {
            let Some(info) = cat.ty(t) else {
                return Ok(());
            };
            match info.kind() {
                TypeKind::Enum => match value.as_str() {
                    Some(s) => {
                        let members: Vec<&str> = if info.flags {
                            s.split(',').map(str::trim).collect()
                        } else {
                            vec![s]
                        };
                        members
                            .iter()
                            .all(|m| info.members.iter().any(|x| x.eq_ignore_ascii_case(m)))
                    }
                    None => false,
                },
                TypeKind::Complex | TypeKind::Entity => {
                    let Value::Object(map) = value else {
                        return Err(mismatch(value, t, prop, directory));
                    };
                    let concrete = concrete_type(cat, t, map.get("@odata.type"), directory)?;
                    for (k, v) in map {
                        if k.contains('@') {
                            continue;
                        }
                        let Some(p) = cat.prop_info(&concrete, k) else {
                            // The concrete type decides (an `extension` given as an
                            // `openTypeExtension` takes dynamic properties).
                            if cat.is_open(&concrete) {
                                continue;
                            }
                            return Err(unknown_property(k, &concrete, directory));
                        };
                        if p.nav {
                            continue;
                        }
                        check_value(
                            cat,
                            &p.ty,
                            p.collection,
                            p.nullable,
                            v,
                            &p.name,
                            directory,
                            depth + 1,
                        )?;
                    }
                    true
                }
            }
        }
    };
    if ok {
        Ok(())
    } else {
        Err(mismatch(value, ty, prop, directory))
    }
}

/// Checks action parameters: unknown names, types, and non-nullable ones missing.
pub fn check_params(
    cat: &Catalog,
    action: &str,
    params: &[super::catalog::Param],
    body: &Map<String, Value>,
    directory: bool,
) -> Result<(), GraphErr> {
    for (k, v) in body {
        if k.starts_with('@') {
            continue;
        }
        let Some(p) = params.iter().find(|p| p.name.eq_ignore_ascii_case(k)) else {
            return Err(bad(
                directory,
                format!(
                    "The parameter '{k}' in the request payload is not a valid parameter for the operation '{action}'."
                ),
            ));
        };
        check_value(
            cat,
            &p.ty,
            p.collection,
            p.nullable,
            v,
            &p.name,
            directory,
            0,
        )?;
    }
    // Graph names every absent required parameter at once; an explicit null gets its own text.
    let absent: Vec<&str> = params
        .iter()
        .filter(|p| !p.nullable && !body.keys().any(|k| k.eq_ignore_ascii_case(&p.name)))
        .map(|p| p.name.as_str())
        .collect();
    if !absent.is_empty() {
        return Err(bad(
            directory,
            format!(
                "One or more parameters of the operation '{action}' are missing from the request payload. The missing parameters are: {}.",
                absent.join(", ")
            ),
        ));
    }
    for p in params {
        let given = body
            .iter()
            .any(|(k, v)| k.eq_ignore_ascii_case(&p.name) && !v.is_null());
        if !p.nullable && !given {
            return Err(bad(
                directory,
                format!(
                    "The parameter '{}' of the operation '{action}' is required and cannot be null.",
                    p.name
                ),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::catalog::catalog;
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn bodies_are_checked_against_the_model() {
        let c = catalog();
        let ok = check_entity(
            c,
            "microsoft.graph.event",
            obj(json!({"subject": "x", "isAllDay": false, "start": {"dateTime": "2024-01-01T10:00:00", "timeZone": "UTC"}})),
            Mode::Create,
        )
        .unwrap();
        assert_eq!(ok.ty, "microsoft.graph.event");
        let e = check_entity(
            c,
            "microsoft.graph.event",
            obj(json!({"nope": 1})),
            Mode::Create,
        )
        .unwrap_err();
        assert!(e.message.contains("'nope'") && e.message.contains("microsoft.graph.event"));
        let e = check_entity(
            c,
            "microsoft.graph.event",
            obj(json!({"isAllDay": "yes"})),
            Mode::Update,
        )
        .unwrap_err();
        assert!(e.message.contains("Edm.Boolean"), "{}", e.message);
        let e = check_entity(
            c,
            "microsoft.graph.event",
            obj(json!({"importance": "huge"})),
            Mode::Update,
        )
        .unwrap_err();
        assert!(
            e.message.contains("microsoft.graph.importance"),
            "{}",
            e.message
        );
        let e = check_entity(
            c,
            "microsoft.graph.group",
            obj(json!({"displayName": "g", "createdDateTime": "2024-01-01T00:00:00Z"})),
            Mode::Update,
        )
        .unwrap_err();
        assert!(e.message.contains("read-only"));
        assert_eq!(e.code, "Request_BadRequest");
        let e = check_entity(c, "microsoft.graph.user", obj(json!({"displayName": "u", "accountEnabled": true, "mailNickname": "u", "userPrincipalName": "u@x"})), Mode::Create).unwrap_err();
        assert!(e.message.contains("passwordProfile"), "{}", e.message);
        // Derived types: @odata.type picks the type whose properties are accepted.
        let ok = check_entity(
            c,
            "microsoft.graph.authenticationMethodConfiguration",
            obj(json!({"@odata.type": "#microsoft.graph.fido2AuthenticationMethodConfiguration", "isAttestationEnforced": true})),
            Mode::Create,
        )
        .unwrap();
        assert_eq!(
            ok.ty,
            "microsoft.graph.fido2AuthenticationMethodConfiguration"
        );
        let e = check_entity(
            c,
            "microsoft.graph.event",
            obj(json!({"@odata.type": "#microsoft.graph.user"})),
            Mode::Create,
        )
        .unwrap_err();
        assert!(e.message.contains("not compatible"));
    }

    /// Every open type of the catalog that is not a directory object takes a dynamic
    /// property, at the top of a body and inside a declared property whose concrete type
    /// (`@odata.type`) it is; every other type refuses one with Graph's message.
    #[test]
    fn open_types_take_dynamic_properties_and_closed_ones_refuse_them() {
        let c = catalog();
        let (models, _) = crate::catalog::generated::raw_model_files();
        let (mut open, mut closed) = (0, 0);
        for line in models.lines().filter(|l| l.starts_with('{')) {
            let t: Value = serde_json::from_str(line).unwrap();
            let name = t["name"].as_str().unwrap();
            if t["kind"] != "entity" || c.is_directory(name) {
                continue;
            }
            let body = obj(json!({"@odata.type": format!("#{name}"), "zzDynamicValue": 7}));
            let r = check_entity(c, name, body, Mode::Update);
            if takes_dynamic_properties(c, name, false) {
                let ok = r.unwrap_or_else(|e| panic!("{name}: {}", e.message));
                assert_eq!(ok.object.get("zzDynamicValue"), Some(&json!(7)), "{name}");
                open += 1;
            } else {
                let e = r
                    .err()
                    .unwrap_or_else(|| panic!("{name} took a dynamic property"));
                assert!(
                    e.message.contains("'zzDynamicValue'"),
                    "{name}: {}",
                    e.message
                );
                closed += 1;
            }
        }
        assert!(open > 0 && closed > 100, "{open} open, {closed} closed");
        // An open extension as a message's deep insert writes it (each item of `extensions`
        // checked as its own entity) keeps its members; closed types nested in an Outlook
        // item still refuse them.
        let ok = check_entity(
            c,
            "microsoft.graph.extension",
            obj(json!({"@odata.type": "microsoft.graph.openTypeExtension",
                "extensionName": "Com.Contoso.Referral", "companyName": "Wingtip", "dealValue": 500})),
            Mode::Create,
        )
        .unwrap();
        assert_eq!(ok.object.get("companyName"), Some(&json!("Wingtip")));
        let e = check_entity(
            c,
            "microsoft.graph.message",
            obj(json!({"subject": "x", "from": {"emailAddress": {"address": "a@b"}, "zz": 1}})),
            Mode::Create,
        )
        .unwrap_err();
        assert!(e.message.contains("'zz'"), "{}", e.message);
    }

    #[test]
    fn deep_bodies_are_refused_not_overflowed() {
        let c = catalog();
        let mut v = json!("x");
        for _ in 0..200 {
            v = json!({ "dateTime": v });
        }
        let e = check_value(
            c,
            "microsoft.graph.dateTimeTimeZone",
            false,
            true,
            &v,
            "start",
            false,
            0,
        );
        assert!(e.is_err());
        let mut a = json!(1);
        for _ in 0..200 {
            a = json!([a]);
        }
        assert!(check_value(c, "Edm.String", true, true, &a, "tags", false, 0).is_err());
    }
}
