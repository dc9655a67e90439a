//! Directory objects shared by `/users` and `/groups`: relationships (`memberOf`, `members`,
//! transitive ones), `$expand`, and polymorphic collections with OData casts
//! (`members/microsoft.graph.user`) and `$count` segments.

use std::collections::HashSet;

use axum::body::Body;
use axum::http::{header, HeaderValue, Response};
use serde_json::{json, Map, Value};

use super::{collection_of, Ctx, Handled};
use crate::sandbox::odata::GraphErr;
use crate::sandbox::query::{
    Advanced, Expand, Plan, Related, SandboxSchema, Schema, Target, MAX_EXPANDED_ITEMS,
};
use crate::sandbox::state::Tenant;

pub const USER: &str = "microsoft.graph.user";
pub const GROUP: &str = "microsoft.graph.group";
pub const DIRECTORY_OBJECT: &str = "microsoft.graph.directoryObject";
pub const DIRECTORY_ROLE: &str = "microsoft.graph.directoryRole";
/// The entity set of activated directory roles (kept in the generic store).
const DIRECTORY_ROLES: &str = "directoryRoles";

/// Directory entity `id` of the generic store: a top-level one (a directory role, device,
/// service principal) or an administrative unit (`/directory/administrativeUnits/{id}`).
fn stored_entity<'t>(tenant: &'t Tenant, id: &str) -> Option<&'t crate::sandbox::store::Entity> {
    match tenant.store.set_of(id) {
        Some(set) => tenant.store.sets.get(set)?.get(id),
        None => administrative_units(tenant)
            .find(|(k, _)| *k == id)
            .map(|(_, e)| e),
    }
}

/// The administrative units, which the store keeps under the `directory` singleton.
fn administrative_units(
    tenant: &Tenant,
) -> impl Iterator<Item = (&String, &crate::sandbox::store::Entity)> {
    use crate::sandbox::store::Nav;
    let units = tenant.store.singletons.get("directory").and_then(|d| {
        match d.nav.get("administrativeUnits") {
            Some(Nav::Many(m)) => Some(m),
            _ => None,
        }
    });
    units.into_iter().flat_map(|m| m.iter())
}

/// Types a directory-object collection can be cast to. The sandbox holds users and groups;
/// casts to the others are valid and select nothing.
const DERIVED: &[&str] = &[
    USER,
    GROUP,
    "microsoft.graph.application",
    "microsoft.graph.servicePrincipal",
    "microsoft.graph.device",
    "microsoft.graph.orgContact",
    "microsoft.graph.administrativeUnit",
    DIRECTORY_ROLE,
];

impl Ctx<'_> {
    /// Whether the request carries Graph's advanced query parameters.
    pub fn advanced(&self) -> Advanced {
        Advanced {
            eventual: self.eventual,
            count: self.query.count,
        }
    }
}

/// The ids a navigation property of user or group `id` points at. Transitive ones are walked
/// breadth-first with a visited set, so cycles of nested groups end.
pub fn related_ids(tenant: &Tenant, id: &str, nav: &str) -> Vec<String> {
    let direct_member_of = |member: &str| -> Vec<String> {
        let groups = tenant
            .groups
            .iter()
            .filter(|(_, g)| g.members.iter().any(|m| m == member))
            .map(|(gid, _)| gid.clone());
        // Directory roles and administrative units count too (Graph's memberOf: groups,
        // roles, administrative units; user-list-memberof).
        let roles = tenant
            .store
            .sets
            .get(DIRECTORY_ROLES)
            .into_iter()
            .flat_map(|set| set.iter())
            .chain(administrative_units(tenant))
            .filter(|(_, r)| r.refs("members").iter().any(|m| m == member))
            .map(|(rid, _)| rid.clone());
        groups.chain(roles).collect()
    };
    let direct_members = |group: &str| -> Vec<String> {
        tenant
            .groups
            .get(group)
            .map(|g| g.members.clone())
            .unwrap_or_default()
    };
    let step: &dyn Fn(&str) -> Vec<String> = match nav {
        "memberOf" | "transitiveMemberOf" => &direct_member_of,
        "members" | "transitiveMembers" => &direct_members,
        // Other links (manager, directReports, owners, devices) are kept in the store.
        _ => return stored_links(tenant, id, nav),
    };
    if !nav.starts_with("transitive") {
        return step(id);
    }
    let mut seen: HashSet<String> = HashSet::new();
    let mut out = Vec::new();
    let mut queue = step(id);
    while let Some(next) = queue.pop() {
        if next != id && seen.insert(next.clone()) {
            queue.extend(step(&next));
            out.push(next);
        }
    }
    out
}

/// The links `nav` of user or group `id`: derived ones as Graph derives them
/// ([`super::derived`]), the others as the generic store keeps them.
fn stored_links(tenant: &Tenant, id: &str, nav: &str) -> Vec<String> {
    use crate::sandbox::store::EntityPath;
    let set = if tenant.groups.contains_key(id) {
        "groups"
    } else {
        "users"
    };
    let path = EntityPath::set_item(set, id);
    if let Some(ids) = super::derived::links(tenant, &path, nav) {
        return ids;
    }
    tenant
        .store
        .get(&path)
        .map(|e| e.refs(nav).to_vec())
        .unwrap_or_default()
}

/// Relationship counts for `$filter=memberOf/$count eq 0`.
pub struct Membership<'a>(pub &'a Tenant);

impl Related for Membership<'_> {
    fn count(&self, object: &Map<String, Value>, prop: &str) -> Option<usize> {
        let nav = [USER, GROUP]
            .iter()
            .filter_map(|t| SandboxSchema.property(t, prop))
            .any(|p| p.nav);
        if !nav {
            return None;
        }
        let id = object.get("id")?.as_str()?;
        Some(related_ids(self.0, id, prop).len())
    }
}

/// The concrete type of directory object `id`.
pub fn object_type<'t>(tenant: &'t Tenant, id: &str) -> Option<&'t str> {
    if tenant.users.contains_key(id) {
        Some(USER)
    } else if tenant.groups.contains_key(id) {
        Some(GROUP)
    } else {
        stored_entity(tenant, id).map(|e| e.ty.as_str())
    }
}

/// A user or group as a member list shows it: `@odata.type` and the projection.
pub fn shape_object(
    ctx: &Ctx,
    tenant: &Tenant,
    id: &str,
    select: &[String],
    with_type: bool,
) -> Option<Map<String, Value>> {
    let mut out = Map::new();
    if let Some(u) = tenant.users.get(id) {
        if with_type {
            out.insert("@odata.type".into(), json!("#microsoft.graph.user"));
        }
        out.extend(super::users::shape_user(ctx, &u.object, select));
    } else if let Some(g) = tenant.groups.get(id) {
        if with_type {
            out.insert("@odata.type".into(), json!("#microsoft.graph.group"));
        }
        out.extend(super::groups::shape(&g.object, select));
    } else if let Some(e) = stored_entity(tenant, id) {
        // Devices, service principals, roles: whatever the store holds at the top level.
        let r = &e.object;
        if with_type {
            out.insert("@odata.type".into(), json!(format!("#{}", e.ty)));
        }
        let cat = crate::sandbox::store::catalog::catalog();
        if select.is_empty() {
            out.extend(r.clone());
        } else {
            out.insert("id".into(), json!(id));
            for p in select {
                if let Some((k, v)) = r.iter().find(|(k, _)| k.eq_ignore_ascii_case(p)) {
                    out.insert(k.clone(), v.clone());
                } else if let Some(info) = cat.prop_info(&e.ty, p).filter(|info| !info.nav) {
                    // A selected property the object never set: `[]` for a collection, else
                    // `null`, as Graph writes it.
                    let empty = if info.collection {
                        json!([])
                    } else {
                        Value::Null
                    };
                    out.insert(info.name.clone(), empty);
                }
            }
        }
        if select.is_empty() {
            // Every declared property, unset ones as null ([`Catalog::fill_declared`]).
            cat.fill_declared(&e.ty, &mut out);
        } else {
            cat.empty_collections(&e.ty, &mut out);
        }
    } else {
        return None;
    }
    Some(out)
}

/// Adds the `$expand`ed navigation properties of object `id` to `out`: collections hold at
/// most [`MAX_EXPANDED_ITEMS`], as Graph's directory does; a single-valued one is left out
/// when it points nowhere.
pub fn expand_into(
    ctx: &Ctx,
    tenant: &Tenant,
    out: &mut Map<String, Value>,
    id: &str,
    expand: &[Expand],
) {
    for e in expand {
        let mut ids = related_ids(tenant, id, &e.prop);
        if e.cast {
            // `members/microsoft.graph.user($select=id)`: only the items of the cast type.
            ids.retain(|i| object_type(tenant, i) == Some(e.ty.as_str()));
        }
        if e.collection {
            let items: Vec<Value> = ids
                .iter()
                .filter_map(|i| shape_object(ctx, tenant, i, &e.select, true))
                .take(MAX_EXPANDED_ITEMS)
                .map(Value::Object)
                .collect();
            out.insert(e.prop.clone(), Value::Array(items));
        } else if let Some(first) = ids.first() {
            if let Some(levels) = e.levels {
                if let Some(o) = manager_chain(ctx, tenant, id, first, &e.select, levels) {
                    out.insert(e.prop.clone(), Value::Object(o));
                }
            } else if let Some(o) = shape_object(ctx, tenant, first, &e.select, true) {
                out.insert(e.prop.clone(), Value::Object(o));
            }
        }
    }
}

/// `manager($levels=n)`: the manager `first` of `id`, their manager nested in them as
/// `manager`, and so on for `levels` managers or to the top of the chain; a chain that comes
/// back to someone already in it ends there.
fn manager_chain(
    ctx: &Ctx,
    tenant: &Tenant,
    id: &str,
    first: &str,
    select: &[String],
    levels: usize,
) -> Option<Map<String, Value>> {
    let mut chain = vec![first.to_string()];
    let mut seen = std::collections::HashSet::from([id.to_string(), first.to_string()]);
    while chain.len() < levels {
        let last = chain.last().map(String::as_str).unwrap_or_default();
        match related_ids(tenant, last, "manager").into_iter().next() {
            Some(next) if seen.insert(next.clone()) => chain.push(next),
            _ => break,
        }
    }
    // Built from the top down, each manager moved into the one they manage.
    let mut above: Option<Map<String, Value>> = None;
    for m in chain.iter().rev() {
        let mut o = shape_object(ctx, tenant, m, select, true)?;
        if let Some(a) = above.take() {
            o.insert("manager".into(), Value::Object(a));
        }
        above = Some(o);
    }
    above
}

/// `GET .../$count`: `text/plain`, only with `ConsistencyLevel: eventual`.
pub fn count_response(ctx: &Ctx, n: usize) -> Handled {
    if !ctx.eventual {
        return Err(GraphErr::bad_request("$count is not currently supported."));
    }
    let mut r = Response::new(Body::from(n.to_string()));
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain;charset=utf-8"),
    );
    Ok(r)
}

/// `GET /{users|groups}/{id}/{nav}[/{cast}][/$count]` for a collection-valued navigation
/// property of directory objects.
pub fn list_related(ctx: &Ctx, tenant: &Tenant, id: &str, nav: &str, tail: &[&str]) -> Handled {
    let (cast, count_segment) = match tail {
        [] => (None, false),
        ["$count"] => (None, true),
        [c] => (Some(*c), false),
        [c, "$count"] => (Some(*c), true),
        [_, other, ..] => return Err(GraphErr::segment_not_found(other)),
    };
    let ty = match cast {
        None => DIRECTORY_OBJECT,
        Some(c) => *DERIVED
            .iter()
            .find(|d| d.eq_ignore_ascii_case(c))
            .ok_or_else(|| GraphErr::segment_not_found(c))?,
    };
    let target = Target {
        schema: &SandboxSchema,
        ty,
    };
    let plan = Plan::references(&ctx.query, target, ctx.advanced())?;
    let objects: Vec<&Map<String, Value>> = related_ids(tenant, id, nav)
        .iter()
        .filter_map(|m| {
            let (obj, t) = match (tenant.users.get(m), tenant.groups.get(m)) {
                (Some(u), _) => (&u.object, USER),
                (_, Some(g)) => (&g.object, GROUP),
                _ => stored_entity(tenant, m).map(|e| (&e.object, e.ty.as_str()))?,
            };
            (ty == DIRECTORY_OBJECT || ty == t).then_some(obj)
        })
        .collect();
    let items = plan.apply(objects, &Membership(tenant));
    if count_segment {
        return count_response(ctx, items.len());
    }
    let count = (ctx.query.count && ctx.eventual).then_some(items.len());
    let context = match ty {
        DIRECTORY_OBJECT => "directoryObjects".to_string(),
        other => format!("{}s", other.trim_start_matches("microsoft.graph.")),
    };
    collection_of(ctx, &context, &items, count, |o| {
        let oid = o.get("id").and_then(Value::as_str).unwrap_or_default();
        let mut shaped =
            shape_object(ctx, tenant, oid, &plan.select, cast.is_none()).unwrap_or_default();
        expand_into(ctx, tenant, &mut shaped, oid, &plan.expand);
        Value::Object(shaped)
    })
}
