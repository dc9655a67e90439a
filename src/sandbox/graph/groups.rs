//! `/groups`: list, create, get, delete, and direct membership (`members`, `members/$ref`).

use axum::http::{Method, StatusCode};
use serde_json::{json, Map, Value};

use super::directory::{
    count_response, expand_into, list_related, object_type, Membership, DIRECTORY_OBJECT, GROUP,
    USER,
};
use super::{body_object, collection_of, json, no_content, Ctx, Handled, DIRECTORY_ADMIN_ROLES};
use crate::sandbox::odata::{project, GraphErr};
use crate::sandbox::query::{Plan, SandboxSchema, Schema, Target};
use crate::sandbox::state::{new_id, security_identifier, timestamp, Group, Tenant};

const READ: &[&str] = &[
    "Group.Read.All",
    "Group.ReadWrite.All",
    "GroupMember.Read.All",
    "GroupMember.ReadWrite.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
];
const CREATE: &[&str] = &[
    "Group.Create",
    "Group.ReadWrite.All",
    "Directory.ReadWrite.All",
];
const WRITE_MEMBERS: &[&str] = &[
    "GroupMember.ReadWrite.All",
    "Group.ReadWrite.All",
    "Directory.ReadWrite.All",
];

const DEFAULT_SELECT: &[&str] = &[
    "id",
    "deletedDateTime",
    "classification",
    "createdDateTime",
    "description",
    "displayName",
    "expirationDateTime",
    "groupTypes",
    "isAssignableToRole",
    "mail",
    "mailEnabled",
    "mailNickname",
    "membershipRule",
    "membershipRuleProcessingState",
    "proxyAddresses",
    "renewedDateTime",
    "securityEnabled",
    "securityIdentifier",
    "visibility",
];

/// A group as a response shows it: Graph's default properties (absent ones as null), or
/// exactly `$select`.
pub fn shape(object: &Map<String, Value>, select: &[String]) -> Map<String, Value> {
    let mut out = if !select.is_empty() {
        project(object, select)
    } else {
        DEFAULT_SELECT
            .iter()
            .map(|k| {
                (
                    (*k).to_string(),
                    object.get(*k).cloned().unwrap_or(Value::Null),
                )
            })
            .collect()
    };
    // An unset collection (`groupTypes`, `proxyAddresses`, ...) is `[]`, never null.
    crate::sandbox::store::catalog::catalog().empty_collections(GROUP, &mut out);
    out
}

pub fn route(ctx: &Ctx, method: &Method, rest: &[&str], body: &[u8]) -> Handled {
    match (method, rest) {
        (&Method::GET, []) => list(ctx),
        (&Method::POST, []) => create(ctx, body),
        (&Method::GET, ["$count"]) => count(ctx),
        (&Method::GET, [id]) => get(ctx, id),
        (&Method::DELETE, [id]) => delete(ctx, id),
        (&Method::POST, [id, "members", "$ref"]) => add_member(ctx, id, body),
        (&Method::DELETE, [id, "members", member, "$ref"]) => remove_member(ctx, id, member),
        (_, []) | (_, [_]) => Err(GraphErr::method_not_allowed()),
        (_, [_, "members", "$ref"]) | (_, [_, "members", _, "$ref"]) => {
            Err(GraphErr::method_not_allowed())
        }
        (_, [id, nav, tail @ ..]) => navigation(ctx, method, id, nav, tail),
    }
}

/// `/groups/{id}/{navigation property}`: `members`, `memberOf`, `owners`, transitive ones,
/// with casts and `$count`.
fn navigation(ctx: &Ctx, method: &Method, id: &str, nav: &str, tail: &[&str]) -> Handled {
    let Some(p) = SandboxSchema.property(GROUP, nav).filter(|p| p.nav) else {
        return Err(GraphErr::segment_not_found(nav));
    };
    if method != Method::GET {
        return Err(GraphErr::method_not_allowed());
    }
    ctx.require(READ, &[], None)?;
    let tenant = ctx.state.tenant();
    if !tenant.groups.contains_key(id) {
        return Err(GraphErr::not_found(id));
    }
    if p.collection && p.ty == DIRECTORY_OBJECT {
        return list_related(ctx, &tenant, id, p.name, tail);
    }
    if let Some(seg) = tail.first() {
        return Err(GraphErr::segment_not_found(seg));
    }
    if p.collection {
        return collection_of::<Value>(
            ctx,
            &format!("groups('{id}')/{}", p.name),
            &[],
            None,
            Value::clone,
        );
    }
    Err(GraphErr::not_found(p.name))
}

fn group_plan(ctx: &Ctx, collection: bool) -> Result<Plan, GraphErr> {
    let target = Target {
        schema: &SandboxSchema,
        ty: GROUP,
    };
    if collection {
        Plan::collection(&ctx.query, target, ctx.advanced())
    } else {
        Plan::entity(&ctx.query, target)
    }
}

fn list(ctx: &Ctx) -> Handled {
    ctx.require(READ, &[], None)?;
    let plan = group_plan(ctx, true)?;
    let tenant = ctx.state.tenant();
    let items = plan.apply(
        tenant.groups.values().map(|g| &g.object),
        &Membership(&tenant),
    );
    let count = (ctx.query.count && ctx.eventual).then_some(items.len());
    let context = super::projection_context("groups", &plan.select);
    collection_of(ctx, &context, &items, count, |o| {
        let mut shaped = shape(o, &plan.select);
        if !plan.expand.is_empty() {
            let id = o.get("id").and_then(Value::as_str).unwrap_or_default();
            expand_into(ctx, &tenant, &mut shaped, id, &plan.expand);
        }
        Value::Object(shaped)
    })
}

fn count(ctx: &Ctx) -> Handled {
    ctx.require(READ, &[], None)?;
    let plan = group_plan(ctx, true)?;
    let tenant = ctx.state.tenant();
    let n = plan
        .apply(
            tenant.groups.values().map(|g| &g.object),
            &Membership(&tenant),
        )
        .len();
    count_response(ctx, n)
}

fn get(ctx: &Ctx, id: &str) -> Handled {
    ctx.require(READ, &[], None)?;
    let plan = group_plan(ctx, false)?;
    let tenant = ctx.state.tenant();
    let group = tenant
        .groups
        .get(id)
        .ok_or_else(|| GraphErr::not_found(id))?;
    let mut out = Map::new();
    out.insert(
        "@odata.context".into(),
        json!(ctx.context("groups/$entity")),
    );
    out.extend(shape(&group.object, &plan.select));
    expand_into(ctx, &tenant, &mut out, id, &plan.expand);
    Ok(json(StatusCode::OK, &Value::Object(out)))
}

fn create(ctx: &Ctx, body: &[u8]) -> Handled {
    ctx.require(CREATE, DIRECTORY_ADMIN_ROLES, None)?;
    let body = body_object(body)?;
    // The store's write checks (types, unknown names, enums, sizes, `visibility`, read-only
    // names ignored), as every other write gets them.
    let binds = {
        use crate::sandbox::store::{catalog::catalog, write};
        write::check_entity(catalog(), GROUP, body.clone(), write::Mode::Create)?.binds
    };
    let domain = ctx.state.tenant().domain.clone();
    let object = new_object(&domain, &body)?;
    let id = object["id"].as_str().unwrap_or_default().to_string();
    // `members@odata.bind` and `owners@odata.bind` link as `.../$ref` does, once the group
    // exists; every reference is checked first, so a bad one leaves no group behind.
    let cat = crate::sandbox::store::catalog::catalog();
    let mut tenant = ctx.state.tenant_mut();
    let links = super::binds::resolve(&tenant, cat, GROUP, None, &binds)?;
    super::binds::check_members(&tenant, &object, &links)?;
    tenant.groups.insert(
        id.clone(),
        Group {
            object: object.clone(),
            members: vec![],
        },
    );
    let path = crate::sandbox::store::EntityPath::set_item("groups", &id);
    let owners_named = links.iter().any(|b| b.nav().eq_ignore_ascii_case("owners"));
    super::binds::apply(&mut tenant, &path, GROUP, links)?;
    // group-post-groups: a group a signed-in user creates without naming owners has that user
    // as its owner (an app's has none).
    if let (false, Some(user)) = (owners_named, ctx.principal.user_id.as_deref()) {
        super::generic::add_ref(
            &mut tenant,
            &path,
            &[Some(GROUP.to_string())],
            "owners",
            user,
        )?;
    }
    drop(tenant);
    let mut out = Map::new();
    out.insert(
        "@odata.context".into(),
        json!(ctx.context("groups/$entity")),
    );
    out.extend(shape(&object, &[]));
    Ok(super::created(ctx, &Value::Object(out), &id))
}

/// A new group's object from create body `body` (checked by the store's write checks), as
/// Graph sets it up in a tenant whose domain is `domain`: the four required properties, a
/// Microsoft 365 group's `Public` visibility and mail, a new id and what the service sets.
pub(super) fn new_object(
    domain: &str,
    body: &Map<String, Value>,
) -> Result<Map<String, Value>, GraphErr> {
    let get = |k: &str| crate::json::get_ci(body, k).cloned();
    let display_name = get("displayName").and_then(|v| v.as_str().map(str::to_string));
    let nickname = get("mailNickname").and_then(|v| v.as_str().map(str::to_string));
    let mail_enabled = get("mailEnabled").and_then(|v| v.as_bool());
    let security_enabled = get("securityEnabled").and_then(|v| v.as_bool());
    let (Some(display_name), Some(nickname), Some(mail_enabled), Some(security_enabled)) =
        (display_name, nickname, mail_enabled, security_enabled)
    else {
        let missing = [
            "displayName",
            "mailNickname",
            "mailEnabled",
            "securityEnabled",
        ]
        .into_iter()
        .find(|k| get(k).is_none())
        .unwrap_or("displayName");
        return Err(GraphErr::bad_request(format!(
            "Invalid value specified for property '{missing}' of resource 'Group'."
        )));
    };
    if display_name.chars().count() > 256 {
        return Err(GraphErr::bad_request(
            "Invalid value specified for property 'displayName' of resource 'Group'.",
        ));
    }
    let bad_nick = nickname.is_empty()
        || nickname.len() > 64
        || nickname
            .chars()
            .any(|c| !c.is_ascii() || "@()\\[]\";:.<>, ".contains(c));
    if bad_nick {
        return Err(GraphErr::bad_request(
            "Invalid value specified for property 'mailNickname' of resource 'Group'.",
        ));
    }
    let group_types = get("groupTypes").unwrap_or(json!([]));
    // group-post-groups: a Microsoft 365 group created without `visibility` is `Public`;
    // other groups keep it null.
    let unified = group_types.as_array().is_some_and(|a| {
        a.iter().any(|t| {
            t.as_str()
                .is_some_and(|t| t.eq_ignore_ascii_case("Unified"))
        })
    });
    let visibility = match get("visibility") {
        Some(v) if !v.is_null() => v,
        _ if unified => json!("Public"),
        _ => Value::Null,
    };
    let id = new_id();
    let now = timestamp(chrono::Utc::now());
    let mut object = Map::new();
    for (k, v) in [
        ("id", json!(id)),
        ("deletedDateTime", Value::Null),
        ("createdDateTime", json!(now)),
        ("renewedDateTime", json!(now)),
        ("description", get("description").unwrap_or(Value::Null)),
        ("displayName", json!(display_name)),
        ("groupTypes", group_types),
        (
            "isAssignableToRole",
            get("isAssignableToRole").unwrap_or(Value::Null),
        ),
        (
            "mail",
            if mail_enabled {
                json!(format!("{nickname}@{domain}"))
            } else {
                Value::Null
            },
        ),
        ("mailEnabled", json!(mail_enabled)),
        ("mailNickname", json!(nickname)),
        ("securityEnabled", json!(security_enabled)),
        (
            "securityIdentifier",
            json!(security_identifier(&id).unwrap_or_default()),
        ),
        ("visibility", visibility),
        ("proxyAddresses", json!([])),
        // A dynamic group's rule (group-post-groups, "Create a group with dynamic membership").
        (
            "membershipRule",
            get("membershipRule").unwrap_or(Value::Null),
        ),
        (
            "membershipRuleProcessingState",
            get("membershipRuleProcessingState").unwrap_or(Value::Null),
        ),
    ] {
        object.insert(k.to_string(), v);
    }
    Ok(object)
}

fn delete(ctx: &Ctx, id: &str) -> Handled {
    ctx.require(
        &["Group.ReadWrite.All", "Directory.ReadWrite.All"],
        DIRECTORY_ADMIN_ROLES,
        None,
    )?;
    // A Microsoft 365 group goes to `directory/deletedItems`, restorable; others for good.
    if !super::recycle::delete_group(&mut ctx.state.tenant_mut(), id) {
        return Err(GraphErr::not_found(id));
    }
    Ok(no_content())
}

/// A group named as its own member. Entra ID lets groups nest in cycles (A in B, B in A) but
/// refuses a group inside itself with a 400 `Request_BadRequest`; the wording is the
/// sandbox's (Graph's own text is not documented).
pub fn self_member() -> GraphErr {
    GraphErr::bad_request("A group cannot be added as a member of itself.")
}

/// Whether group object `g` lists `name` in its `groupTypes` (case-insensitively).
fn has_group_type(g: &Map<String, Value>, name: &str) -> bool {
    g.get("groupTypes")
        .and_then(Value::as_array)
        .is_some_and(|a| {
            a.iter()
                .any(|t| t.as_str().is_some_and(|t| t.eq_ignore_ascii_case(name)))
        })
}

/// A Microsoft 365 group: `groupTypes` holds `Unified`.
pub fn is_unified(g: &Map<String, Value>) -> bool {
    has_group_type(g, "Unified")
}

/// A group with dynamic membership: `groupTypes` holds `DynamicMembership`.
pub fn is_dynamic(g: &Map<String, Value>) -> bool {
    has_group_type(g, "DynamicMembership")
}

/// Whether the members of group `g` may be changed by hand. A group with dynamic membership
/// takes its members from its `membershipRule` only: Graph refuses to add or remove one
/// (through `members/$ref` or `members@odata.bind`) with a 403 `Authorization_RequestDenied`,
/// "Insufficient privileges to complete the operation." (Microsoft's troubleshooting article
/// "403 error when adding a user to a group by using Microsoft Graph API",
/// <https://learn.microsoft.com/troubleshoot/entra/entra-id/users-groups-entra-apis/authorization-requestdenied-403-error-add-user-group>,
/// and its author's Entra developer support post of May 2024, which names dynamic groups
/// among the causes: their membership cannot be managed through Microsoft Graph).
pub fn manual_membership(g: &Map<String, Value>) -> Result<(), GraphErr> {
    if is_dynamic(g) {
        return Err(GraphErr::denied());
    }
    Ok(())
}

/// Graph's 400 for a member the group's kind does not take, its text in `details` too, as
/// Graph answers (`{"code": "InvalidValue", "message": ...}`, Azure/azure-cli issue 29097).
fn refused_member(message: String) -> GraphErr {
    GraphErr::bad_request(message.clone())
        .with_details(json!([{"code": "InvalidValue", "message": message}]))
}

/// Checks that directory object `member` may be a member of group `g` (its object), after
/// Graph's table of member types (<https://learn.microsoft.com/graph/api/group-post-members>):
///
/// | member                 | security group | Microsoft 365 group |
/// |------------------------|----------------|---------------------|
/// | user                   | yes            | yes                 |
/// | security group         | yes            | no                  |
/// | Microsoft 365 group    | no             | no                  |
/// | device                 | yes            | no                  |
/// | service principal      | yes            | no                  |
/// | organizational contact | yes            | no                  |
///
/// An unknown object is Graph's 404; a refused one its 400 `Request_BadRequest`. The texts for
/// a Microsoft 365 group in a Microsoft 365 group ("Unified Groups cannot be added to Unified
/// Groups. ...") and for another type in one ("Directory object type: ServicePrincipal cannot
/// be added to Unified Groups. ...") are Graph's, as reported (microsoftgraph/microsoft-graph-docs
/// issue 11629, Azure/azure-cli issue 29097); the text for a Microsoft 365 group in a security
/// group, and for types the table does not list (applications, roles, ...), is the sandbox's.
pub fn admissible_member(t: &Tenant, g: &Map<String, Value>, member: &str) -> Result<(), GraphErr> {
    const TAIL: &str =
        "paramName: Members, paramValue: , objectType: Microsoft.Online.DirectoryServices.Group";
    let ty = object_type(t, member).ok_or_else(|| GraphErr::not_found(member))?;
    let unified = is_unified(g);
    // The directory's own names of the member types, as its messages write them.
    let name = match ty {
        USER => return Ok(()),
        GROUP => {
            let m = t.groups.get(member).map(|m| &m.object);
            if m.is_some_and(is_unified) {
                return Err(refused_member(if unified {
                    format!("Unified Groups cannot be added to Unified Groups. {TAIL}")
                } else {
                    format!("Unified Groups cannot be added as members of other groups: a Microsoft 365 group can be a member of no group. {TAIL}")
                }));
            }
            "Group"
        }
        "microsoft.graph.device" => "Device",
        "microsoft.graph.servicePrincipal" => "ServicePrincipal",
        "microsoft.graph.orgContact" => "Contact",
        other => {
            return Err(refused_member(format!(
                "Directory object type: {} cannot be added to groups: a group's members are users, devices, groups, service principals and organizational contacts. {TAIL}",
                other.trim_start_matches("microsoft.graph.")
            )))
        }
    };
    if unified {
        return Err(refused_member(format!(
            "Directory object type: {name} cannot be added to Unified Groups. {TAIL}"
        )));
    }
    Ok(())
}

fn add_member(ctx: &Ctx, id: &str, body: &[u8]) -> Handled {
    ctx.require(WRITE_MEMBERS, DIRECTORY_ADMIN_ROLES, None)?;
    let body = body_object(body)?;
    let reference = crate::json::get_ci(&body, "@odata.id")
        .and_then(Value::as_str)
        .ok_or_else(|| GraphErr::bad_request("The request body must contain '@odata.id'."))?;
    let member = reference
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_string();
    let mut tenant = ctx.state.tenant_mut();
    // Any directory object `GET /directoryObjects/{id}` finds: users, groups, devices, service
    // principals, organizational contacts (the member-type table decides below).
    let object = &tenant
        .groups
        .get(id)
        .ok_or_else(|| GraphErr::not_found(id))?
        .object;
    if object_type(&tenant, &member).is_none() {
        return Err(GraphErr::not_found(&member));
    }
    if member == id {
        return Err(self_member());
    }
    manual_membership(object)?;
    admissible_member(&tenant, object, &member)?;
    let group = tenant
        .groups
        .get_mut(id)
        .ok_or_else(|| GraphErr::not_found(id))?;
    if group.members.contains(&member) {
        return Err(GraphErr::bad_request(
            "One or more added object references already exist for the following modified properties: 'members'.",
        ));
    }
    group.members.push(member);
    // Group-based licences reach the new member.
    crate::sandbox::licensing::refresh(&mut tenant);
    Ok(no_content())
}

fn remove_member(ctx: &Ctx, id: &str, member: &str) -> Handled {
    ctx.require(WRITE_MEMBERS, DIRECTORY_ADMIN_ROLES, None)?;
    let mut tenant = ctx.state.tenant_mut();
    let group = tenant
        .groups
        .get_mut(id)
        .ok_or_else(|| GraphErr::not_found(id))?;
    manual_membership(&group.object)?;
    let before = group.members.len();
    group.members.retain(|m| m != member);
    if group.members.len() == before {
        return Err(GraphErr::new(
            StatusCode::NOT_FOUND,
            "Request_ResourceNotFound",
            format!("Resource '{member}' does not exist or one of its queried reference-property objects are not present in group '{id}'."),
        ));
    }
    crate::sandbox::licensing::refresh(&mut tenant);
    Ok(no_content())
}
