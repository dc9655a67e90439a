//! Every catalog path the hand-written handlers do not claim, served from the generic store
//! ([`crate::sandbox::store`]): the path is matched against the catalog's templates (400 for a
//! segment no template has, 405 for a verb the template lacks), resolved step by step against
//! the store, then answered by the operation's kind.
//!
//! Users, groups and applications are "overlay sets": their objects live in the tenant's
//! hand-written tables and are read and written through [`overlay_object`] and friends, while
//! what hangs below them (contained collections, links, streams) lives in the store.

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, Method, Response, StatusCode};
use serde_json::{json, Map, Value};
use std::borrow::Cow;

use super::{body_object, collection_of, json, no_content, Ctx, Handled};
use crate::sandbox::odata::{project, GraphErr};
use crate::sandbox::query::{
    Expand, NoRelated, Plan, Target, MAX_EXPANDED_ITEMS, MAX_EXPAND_DEPTH,
};
use crate::sandbox::state::{
    format_timestamp, new_id, security_identifier, App, Precision, Tenant,
};
use crate::sandbox::store::catalog::{
    catalog, split_segments, Catalog, CatalogSchema, NoMatch, Op, OpKind, Step,
};
use crate::sandbox::store::write::{self, check_entity, Mode};
use crate::sandbox::store::{Deleted, Entity, EntityPath, Media, Nav, Root, Store};

pub const USERS: &str = "users";
pub const GROUPS: &str = "groups";
pub const APPLICATIONS: &str = "applications";

/// Where a resolved path points.
#[derive(Debug, Clone)]
enum Cur {
    /// A collection of entities of type `ty` (cast to `cast` if set).
    Coll {
        src: Src,
        ty: String,
        cast: Option<String>,
    },
    /// One entity.
    Item {
        path: EntityPath,
        types: Vec<Option<String>>,
        ty: String,
        /// The link that led here (`owner`, `navigation property`), for `$ref` deletes.
        via: Option<(EntityPath, String)>,
    },
    /// A single-valued link (`manager`), pointing at `target` if set.
    Link {
        owner: EntityPath,
        types: Vec<Option<String>>,
        nav: String,
        ty: String,
        target: Option<EntityPath>,
    },
    /// A structural property of an entity (a stream or complex property).
    Prop {
        path: EntityPath,
        types: Vec<Option<String>>,
        prop: String,
        ty: String,
    },
}

#[derive(Debug, Clone)]
enum Src {
    /// An entity set.
    Set(String),
    /// A contained collection of an entity.
    Contained(EntityPath, Vec<Option<String>>, String),
    /// The links of an entity (`owner`, `nav`, the entity set they point into).
    Links(EntityPath, Vec<Option<String>>, String, Option<String>),
}

/// The terminal segment after the resolved part.
#[derive(Debug, Clone, PartialEq)]
enum Tail {
    None,
    Count,
    Ref,
    Value,
    Operation(String, Vec<(String, String)>),
}

fn not_found(directory: bool, key: &str) -> GraphErr {
    if directory {
        GraphErr::not_found(key)
    } else {
        GraphErr::new(
            StatusCode::NOT_FOUND,
            "ResourceNotFound",
            format!("Resource not found for the key '{key}'."),
        )
    }
}

/// A single-valued navigation property that points nowhere (`GET /users/{id}/manager` for a
/// user without one). Graph names the navigation property, and scripts match on the text:
/// `Resource 'manager' does not exist or one of its queried reference-property objects are
/// not present.` (`Request_ResourceNotFound`, 404;
/// <https://learn.microsoft.com/graph/api/user-list-manager>).
fn absent_link(directory: bool, nav: &str) -> GraphErr {
    not_found(directory, nav)
}

/// The id of top-level key `key` in overlay set `set`.
fn overlay_id(t: &Tenant, set: &str, key: &str) -> Option<String> {
    match set {
        USERS => t.user_id(key),
        GROUPS => t.groups.contains_key(key).then(|| key.to_string()),
        APPLICATIONS => t
            .apps
            .iter()
            .find(|a| a.object_id.eq_ignore_ascii_case(key))
            .map(|a| a.object_id.clone()),
        _ => None,
    }
}

fn is_overlay(set: &str) -> bool {
    matches!(set, USERS | GROUPS | APPLICATIONS)
}

fn overlay_ids(t: &Tenant, set: &str) -> Vec<String> {
    match set {
        USERS => t.users.keys().cloned().collect(),
        GROUPS => t.groups.keys().cloned().collect(),
        APPLICATIONS => t.apps.iter().map(|a| a.object_id.clone()).collect(),
        _ => vec![],
    }
}

/// An application's object: what the identity platform keeps, plus what the store holds.
fn app_object(t: &Tenant, app: &App) -> Map<String, Value> {
    let mut o = t
        .store
        .sets
        .get(APPLICATIONS)
        .and_then(|s| s.get(&app.object_id))
        .map(|e| e.object.clone())
        .unwrap_or_default();
    o.insert("id".into(), json!(app.object_id));
    o.insert("appId".into(), json!(app.client_id));
    o.insert("displayName".into(), json!(app.display_name));
    o.insert("isFallbackPublicClient".into(), json!(app.public_client));
    if !o.contains_key("keyCredentials") || !app.certificates.is_empty() {
        let keys: Vec<Value> = app
            .certificates
            .iter()
            .map(crate::sandbox::state::KeyCredential::to_json)
            .collect();
        o.insert("keyCredentials".into(), Value::Array(keys));
    }
    o.entry("passwordCredentials").or_insert_with(|| json!([]));
    o
}

/// The object of overlay entity `(set, id)`.
pub fn overlay_object(t: &Tenant, set: &str, id: &str) -> Option<Map<String, Value>> {
    match set {
        USERS => t.users.get(id).map(|u| u.object.clone()),
        GROUPS => t.groups.get(id).map(|g| g.object.clone()),
        APPLICATIONS => t
            .apps
            .iter()
            .find(|a| a.object_id == id)
            .map(|a| app_object(t, a)),
        _ => None,
    }
}

/// `directory/deletedItems`: the soft-deleted directory objects.
fn is_deleted_items(owner: &EntityPath, nav: &str) -> bool {
    nav == "deletedItems"
        && owner.steps.is_empty()
        && owner.root == Root::Singleton("directory".into())
}

/// The concrete type and object of the entity at `path`.
fn read(t: &Tenant, path: &EntityPath) -> Option<(String, Map<String, Value>)> {
    if let (Some((nav, Some(id))), 1) = (path.steps.last(), path.steps.len()) {
        let owner = EntityPath {
            root: path.root.clone(),
            steps: vec![],
        };
        if is_deleted_items(&owner, nav) {
            let d = t.store.deleted.get(id)?;
            return Some((d.entity.ty.clone(), d.entity.object.clone()));
        }
    }
    if let Some((set, id)) = path.top() {
        if is_overlay(set) {
            let ty = catalog().set(set)?.ty.clone();
            return Some((ty, overlay_object(t, set, id)?));
        }
    }
    t.store.get(path).map(|e| (e.ty.clone(), e.object.clone()))
}

/// Whether the entity at `path` exists (single-valued containments and singletons always do).
fn exists(t: &Tenant, path: &EntityPath) -> bool {
    if let Some((set, id)) = path.top() {
        if is_overlay(set) {
            return overlay_id(t, set, id).is_some();
        }
    }
    match (&path.root, path.steps.last()) {
        (Root::Singleton(_), None) => true,
        (_, Some((_, None))) => {
            let mut parent = path.clone();
            parent.steps.pop();
            exists(t, &parent)
        }
        _ => read(t, path).is_some(),
    }
}

/// The top-level entity `key` as a member of entity set `set`: its own set, or (for a set of
/// a base type such as `directoryObjects`) the set of a derived type that holds it.
fn find_top(t: &Tenant, set: &str, key: &str) -> Option<(String, String)> {
    let cat = catalog();
    if is_overlay(set) {
        return overlay_id(t, set, key).map(|id| (set.to_string(), id));
    }
    if t.store.sets.get(set).map(|s| s.contains_key(key)) == Some(true) {
        return Some((set.to_string(), key.to_string()));
    }
    let base = cat.set(set)?.ty.clone();
    for overlay in [USERS, GROUPS, APPLICATIONS] {
        if let Some(id) = overlay_id(t, overlay, key) {
            let ty = &cat.set(overlay)?.ty;
            if cat.derives(ty, &base) {
                return Some((overlay.to_string(), id));
            }
        }
    }
    let other = t.store.set_of(key)?;
    let e = t.store.sets.get(other)?.get(key)?;
    cat.derives(&e.ty, &base)
        .then(|| (other.to_string(), key.to_string()))
}

/// Any top-level entity by key (links between entities).
fn find_any(t: &Tenant, key: &str) -> Option<(String, String)> {
    for overlay in [USERS, GROUPS, APPLICATIONS] {
        if let Some(id) = overlay_id(t, overlay, key) {
            return Some((overlay.to_string(), id));
        }
    }
    let set = t.store.set_of(key)?;
    Some((set.to_string(), key.to_string()))
}

/// The entity a link names: a top-level one ([`find_any`]), else one in a contained
/// collection of a singleton (a service principal's `tokenLifetimePolicies` link to
/// `/policies/tokenLifetimePolicies/{id}`, serviceprincipal-post-tokenlifetimepolicies;
/// likewise `claimsMappingPolicies`, `homeRealmDiscoveryPolicies`,
/// `tokenIssuancePolicies`, `appManagementPolicies`).
fn find_linked(t: &Tenant, key: &str) -> Option<EntityPath> {
    if let Some((set, id)) = find_any(t, key) {
        return Some(EntityPath::set_item(&set, &id));
    }
    let mut names: Vec<&String> = t.store.singletons.keys().collect();
    names.sort();
    // Navigation names in order, so that a key held twice resolves the same way every time.
    fn sorted(e: &Entity) -> Vec<&String> {
        let mut keys: Vec<&String> = e.nav.keys().collect();
        keys.sort();
        keys
    }
    for name in names {
        let singleton = &t.store.singletons[name];
        for nav in sorted(singleton) {
            match &singleton.nav[nav] {
                Nav::Many(m) if m.contains_key(key) => {
                    return Some(EntityPath {
                        root: Root::Singleton(name.clone()),
                        steps: vec![(nav.clone(), Some(key.to_string()))],
                    });
                }
                // One level further: the collections of a contained single entity
                // (`/identityGovernance/entitlementManagement/catalogs`).
                Nav::One(inner) => {
                    for inner_nav in sorted(inner) {
                        if let Nav::Many(m) = &inner.nav[inner_nav] {
                            if m.contains_key(key) {
                                return Some(EntityPath {
                                    root: Root::Singleton(name.clone()),
                                    steps: vec![
                                        (nav.clone(), None),
                                        (inner_nav.clone(), Some(key.to_string())),
                                    ],
                                });
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }
    None
}

/// The entity a link names, in entity set `set` (the one its navigation property binds to)
/// when that holds it, else wherever [`find_linked`] finds it: a team has its group's id, and
/// a user's `joinedTeams` name the teams.
fn linked_in(t: &Tenant, key: &str, set: Option<&str>) -> Option<EntityPath> {
    match set.filter(|s| !is_overlay(s)) {
        Some(s) if t.store.sets.get(s).is_some_and(|m| m.contains_key(key)) => {
            Some(EntityPath::set_item(s, key))
        }
        _ => find_linked(t, key),
    }
}

/// Whether a contained collection of a singleton holds entities of type `ty` (the policies
/// under `/policies`): a non-contained navigation to that type links to them.
fn held_by_singleton(cat: &Catalog, ty: &str) -> bool {
    cat.singleton_names().any(|name| {
        cat.singleton(name).is_some_and(|c| {
            cat.all_props(&c.ty)
                .iter()
                .any(|p| p.nav && p.contained && p.collection && p.ty == ty)
        })
    })
}

fn entity_type(t: &Tenant, path: &EntityPath) -> Option<String> {
    read(t, path).map(|(ty, _)| ty)
}

/// Resolves the steps of `op` with the captured values.
fn resolve(
    t: &Tenant,
    cat: &'static Catalog,
    op: &Op,
    captures: &[String],
) -> Result<(Cur, Tail), GraphErr> {
    let capture = |i: usize| captures.get(i).cloned().unwrap_or_default();
    let mut cur: Option<Cur> = None;
    for step in op.steps() {
        let directory = match &cur {
            Some(Cur::Coll { ty, .. }) | Some(Cur::Item { ty, .. }) => cat.is_directory(ty),
            _ => false,
        };
        // Below a complex property (`conditions/applications/includeApplications`), its
        // value is navigated like a single-valued containment.
        if let (Step::Nav(_) | Step::Prop(_) | Step::Cast(_), Some(Cur::Prop { .. })) = (step, &cur)
        {
            if let Some(Cur::Prop {
                path,
                mut types,
                prop,
                ty,
            }) = cur.take()
            {
                types.push(Some(ty.clone()));
                cur = Some(Cur::Item {
                    path: path.child(&prop, None),
                    types,
                    ty,
                    via: None,
                });
            }
        }
        cur = Some(match (step, cur.take()) {
            (Step::Set(s), None) => Cur::Coll {
                src: Src::Set(s.clone()),
                ty: cat.set(s).map(|c| c.ty.clone()).unwrap_or_default(),
                cast: None,
            },
            (Step::Singleton(s), None) => {
                let ty = cat.singleton(s).map(|c| c.ty.clone()).unwrap_or_default();
                Cur::Item {
                    path: EntityPath {
                        root: Root::Singleton(s.clone()),
                        steps: vec![],
                    },
                    types: vec![Some(ty.clone())],
                    ty,
                    via: None,
                }
            }
            (Step::Key(i), Some(Cur::Coll { src, ty, cast })) => {
                let key = capture(*i);
                item_of(t, cat, src, ty, cast, &key, directory)?
            }
            (Step::AltKey(pairs), Some(Cur::Coll { src, ty, cast })) => {
                let wanted: Vec<(String, String)> = pairs
                    .iter()
                    .map(|(k, i)| (k.clone(), capture(*i)))
                    .collect();
                let key = members(t, cat, &src, &ty, cast.as_deref())
                    .into_iter()
                    .find(|(_, o)| {
                        wanted.iter().all(|(k, v)| {
                            crate::json::get_ci(o, k)
                                .map(|x| match x {
                                    Value::String(s) => s.eq_ignore_ascii_case(v),
                                    Value::Number(n) => v.parse::<f64>().ok() == n.as_f64(),
                                    Value::Bool(b) => {
                                        (if *b { "true" } else { "false" }) == v.as_str()
                                    }
                                    _ => false,
                                })
                                .unwrap_or(false)
                        })
                    })
                    .and_then(|(path, _)| match path.steps.last() {
                        Some((_, Some(k))) => Some(k.clone()),
                        _ => path.top().map(|(_, id)| id.to_string()),
                    })
                    .ok_or_else(|| {
                        let text: Vec<String> =
                            wanted.iter().map(|(k, v)| format!("{k}='{v}'")).collect();
                        not_found(directory, &text.join(","))
                    })?;
                item_of(t, cat, src, ty, cast, &key, directory)?
            }
            (
                Step::Nav(n),
                Some(Cur::Link {
                    target, ty, nav, ..
                }),
            ) => {
                let target = target.ok_or_else(|| absent_link(cat.is_directory(&ty), &nav))?;
                nav_of(t, cat, target, vec![None], &ty, n)?
            }
            (
                Step::Nav(n),
                Some(Cur::Item {
                    path, types, ty, ..
                }),
            ) => {
                if !exists(t, &path) {
                    return Err(not_found(directory, &last_key(&path)));
                }
                let concrete = entity_type(t, &path).unwrap_or(ty);
                nav_of(t, cat, path, types, &concrete, n)?
            }
            (
                Step::Prop(p),
                Some(Cur::Item {
                    path, types, ty, ..
                }),
            ) => {
                if !exists(t, &path) {
                    return Err(not_found(directory, &last_key(&path)));
                }
                let concrete = entity_type(t, &path).unwrap_or(ty);
                let pty = cat
                    .prop_info(&concrete, p)
                    .map(|x| x.ty.clone())
                    .unwrap_or_default();
                Cur::Prop {
                    path,
                    types,
                    prop: p.clone(),
                    ty: pty,
                }
            }
            (Step::Cast(c), Some(Cur::Coll { src, ty, .. })) => Cur::Coll {
                src,
                ty,
                cast: Some(c.clone()),
            },
            (
                Step::Cast(c),
                Some(Cur::Item {
                    path,
                    types,
                    ty,
                    via,
                }),
            ) => {
                if let Some(actual) = entity_type(t, &path) {
                    if !cat.derives(&actual, c) {
                        return Err(not_found(directory, &last_key(&path)));
                    }
                }
                let _ = ty;
                Cur::Item {
                    path,
                    types,
                    ty: c.clone(),
                    via,
                }
            }
            (Step::Cast(c), Some(Cur::Link { target, nav, .. })) => {
                let target = target.ok_or_else(|| absent_link(true, &nav))?;
                Cur::Item {
                    path: target,
                    types: vec![None],
                    ty: c.clone(),
                    via: None,
                }
            }
            (Step::Count, Some(c)) => return Ok((c, Tail::Count)),
            (Step::Ref, Some(c)) => return Ok((c, Tail::Ref)),
            (Step::Value, Some(c)) => return Ok((c, Tail::Value)),
            (Step::Operation(name, args), Some(c)) => {
                let args = args.iter().map(|(k, i)| (k.clone(), capture(*i))).collect();
                return Ok((c, Tail::Operation(name.clone(), args)));
            }
            (Step::Operation(name, args), None) => {
                // An unbound (container-level) operation.
                let args = args.iter().map(|(k, i)| (k.clone(), capture(*i))).collect();
                let root = Cur::Item {
                    path: EntityPath {
                        root: Root::Singleton(String::new()),
                        steps: vec![],
                    },
                    types: vec![None],
                    ty: String::new(),
                    via: None,
                };
                return Ok((root, Tail::Operation(name.clone(), args)));
            }
            (step, _) => {
                return Err(GraphErr::segment_not_found(&format!("{step:?}")));
            }
        });
    }
    let cur = cur.ok_or_else(|| GraphErr::segment_not_found(""))?;
    Ok((cur, Tail::None))
}

fn last_key(path: &EntityPath) -> String {
    match path.steps.last() {
        Some((_, Some(k))) => k.clone(),
        Some((nav, None)) => nav.clone(),
        None => match &path.root {
            Root::Set(_, id) => id.clone(),
            Root::Singleton(s) => s.clone(),
        },
    }
}

fn item_of(
    t: &Tenant,
    cat: &Catalog,
    src: Src,
    ty: String,
    cast: Option<String>,
    key: &str,
    directory: bool,
) -> Result<Cur, GraphErr> {
    let ty = cast.unwrap_or(ty);
    match src {
        Src::Set(s) => {
            let (set, id) = find_top(t, &s, key).ok_or_else(|| not_found(directory, key))?;
            let path = EntityPath::set_item(&set, &id);
            let item_ty = cat.set(&set).map(|c| c.ty.clone()).unwrap_or(ty.clone());
            Ok(Cur::Item {
                types: vec![Some(item_ty)],
                path,
                ty,
                via: None,
            })
        }
        Src::Contained(owner, mut types, nav) => {
            if is_deleted_items(&owner, &nav) {
                if !t.store.deleted.contains_key(key) {
                    return Err(not_found(true, key));
                }
                return Ok(Cur::Item {
                    path: owner.child(&nav, Some(key)),
                    types: vec![None],
                    ty,
                    via: None,
                });
            }
            let many = t.store.get(&owner).and_then(|e| e.many(&nav));
            let found = many.map(|m| m.contains_key(key)).unwrap_or(false);
            // A mail folder's well-known name, in any case (`mailFolders/Inbox`).
            let key = match crate::sandbox::mail::well_known(&nav, key) {
                Some(k) if !found && many.is_some_and(|m| m.contains_key(k)) => k,
                _ if found => key,
                // Exchange's answer for a message a mailbox does not hold.
                _ if crate::sandbox::mail::messages_in(&owner, &nav).is_some() => {
                    return Err(crate::sandbox::mail::not_in_store())
                }
                _ => return Err(not_found(directory, key)),
            };
            types.push(None);
            Ok(Cur::Item {
                path: owner.child(&nav, Some(key)),
                types,
                ty,
                via: None,
            })
        }
        Src::Links(owner, _, nav, target) => {
            let linked = links_of(t, &owner, &nav).iter().any(|x| x == key);
            let path = linked_in(t, key, target.as_deref())
                .filter(|_| linked)
                .ok_or_else(|| not_found(directory, key))?;
            let types = match path.top() {
                Some((set, _)) => vec![cat.set(set).map(|c| c.ty.clone())],
                None => vec![None; path.steps.len() + 1],
            };
            Ok(Cur::Item {
                path,
                types,
                ty,
                via: Some((owner, nav)),
            })
        }
    }
}

/// The links of navigation property `nav` of the entity at `owner` (group membership is the
/// tenant's).
pub(super) fn links_of(t: &Tenant, owner: &EntityPath, nav: &str) -> Vec<String> {
    if let Some((GROUPS, id)) = owner.top() {
        if nav == "members" {
            return t
                .groups
                .get(id)
                .map(|g| g.members.clone())
                .unwrap_or_default();
        }
    }
    if let Some((_, id)) = owner.top() {
        if nav == "memberOf" {
            return super::directory::related_ids(t, id, "memberOf");
        }
    }
    if let Some(ids) = super::derived::links(t, owner, nav) {
        return ids;
    }
    let Some(e) = t.store.get(owner) else {
        return vec![];
    };
    let refs = e.refs(nav);
    if !refs.is_empty() {
        return refs.to_vec();
    }
    // A navigation named for a key the object holds: a role management policy assignment's
    // `policy` is the policy its `policyId` names, a role assignment's `roleDefinition` its
    // `roleDefinitionId` (what `$expand=policy($expand=rules)` reads, as Maester does).
    e.object
        .get(&format!("{nav}Id"))
        .and_then(Value::as_str)
        .filter(|id| !id.is_empty())
        .map(|id| vec![id.to_string()])
        .unwrap_or_default()
}

fn nav_of(
    t: &Tenant,
    cat: &Catalog,
    path: EntityPath,
    mut types: Vec<Option<String>>,
    ty: &str,
    nav: &str,
) -> Result<Cur, GraphErr> {
    let p = cat
        .prop_info(ty, nav)
        .ok_or_else(|| GraphErr::segment_not_found(nav))?;
    // A group's team, a team's primary channel: kept where Teams keeps them.
    if let Some(target) = super::teams::alias(t, &path, &p.name) {
        return Ok(Cur::Item {
            types: vec![None; target.steps.len() + 1],
            path: target,
            ty: p.ty.clone(),
            via: None,
        });
    }
    let from = match &path.root {
        Root::Set(s, _) if path.steps.is_empty() => Some(s.as_str()),
        Root::Singleton(s) if path.steps.is_empty() => Some(s.as_str()),
        _ => None,
    };
    // A collection Graph derives from other objects lists what it derives, contained in the
    // CSDL or not (a user's `joinedTeams`, [`super::derived`]).
    let derived = p.collection && super::derived::links(t, &path, &p.name).is_some();
    // A non-contained navigation with no entity set to point into (`drive/bundles`) holds
    // its entities itself.
    let target = (!p.contained || derived)
        .then(|| cat.binding_target(from, &p.name, &p.ty))
        .flatten();
    // A "contained" collection of plain directoryObjects (`featureRolloutPolicy.appliesTo`)
    // holds references: Graph adds and removes its members with `$ref`
    // (learn.microsoft.com/graph/api/featurerolloutpolicy-post-appliesto,
    // /featurerolloutpolicy-delete-appliesto); `directory/deletedItems` holds the objects.
    let references = p.collection
        && p.ty == "microsoft.graph.directoryObject"
        && !is_deleted_items(&path, &p.name);
    // A collection linking to entities a singleton holds (`servicePrincipal.
    // tokenLifetimePolicies` → `/policies/tokenLifetimePolicies`) holds references too.
    let into_singleton = !p.contained
        && p.collection
        && target.as_deref().map_or(true, |t| t.contains('/'))
        && held_by_singleton(cat, &p.ty);
    // A single-valued one that a body bound (`"catalog": {"id": ...}` of an access package,
    // below a singleton where no entity set is named) points at the entity it names.
    let single_links = if p.contained || p.collection {
        vec![]
    } else {
        links_of(t, &path, &p.name)
    };
    let bound = !single_links.is_empty();
    let contained = !references
        && !derived
        && !into_singleton
        && !bound
        && (p.contained || target.is_none() || is_deleted_items(&path, &p.name));
    Ok(match (contained, p.collection) {
        (true, true) => Cur::Coll {
            src: Src::Contained(path, types, p.name.clone()),
            ty: p.ty.clone(),
            cast: None,
        },
        (true, false) => {
            types.push(Some(p.ty.clone()));
            Cur::Item {
                path: path.child(&p.name, None),
                types,
                ty: p.ty.clone(),
                via: None,
            }
        }
        (false, true) => Cur::Coll {
            src: Src::Links(path, types, p.name.clone(), target),
            ty: p.ty.clone(),
            cast: None,
        },
        (false, false) => {
            // A link may name an entity below a singleton (an access package's `catalog`).
            let target = single_links.first().and_then(|id| find_linked(t, id));
            Cur::Link {
                owner: path,
                types,
                nav: p.name.clone(),
                ty: p.ty.clone(),
                target,
            }
        }
    })
}

/// The entities of a collection, with their paths (cast applied).
/// An object read from the tenant: borrowed where it is kept whole.
type Object<'t> = Cow<'t, Map<String, Value>>;

fn members<'t>(
    t: &'t Tenant,
    cat: &Catalog,
    src: &Src,
    ty: &str,
    cast: Option<&str>,
) -> Vec<(EntityPath, Object<'t>)> {
    // Borrowed, not cloned: a list reads every member but shows a page of them.
    let mut out: Vec<(EntityPath, String, Object<'t>)> = vec![];
    match src {
        Src::Set(s) if is_overlay(s) => {
            let set_ty = cat.set(s).map(|c| c.ty.clone()).unwrap_or_default();
            for id in overlay_ids(t, s) {
                if let Some(o) = overlay_ref(t, s, &id) {
                    out.push((EntityPath::set_item(s, &id), set_ty.clone(), o));
                }
            }
        }
        Src::Set(s) => {
            if let Some(items) = t.store.sets.get(s) {
                for (id, e) in items {
                    out.push((
                        EntityPath::set_item(s, id),
                        e.ty.clone(),
                        Cow::Borrowed(&e.object),
                    ));
                }
            }
            // A set of a base type (`directoryObjects`) lists the derived ones too.
            if cat.set(s).map(|c| c.ty == ty).unwrap_or(false) && s == "directoryObjects" {
                for overlay in [USERS, GROUPS, APPLICATIONS] {
                    let set_ty = cat.set(overlay).map(|c| c.ty.clone()).unwrap_or_default();
                    for id in overlay_ids(t, overlay) {
                        if let Some(o) = overlay_ref(t, overlay, &id) {
                            out.push((EntityPath::set_item(overlay, &id), set_ty.clone(), o));
                        }
                    }
                }
            }
        }
        Src::Contained(owner, _, nav) if is_deleted_items(owner, nav) => {
            for (id, d) in &t.store.deleted {
                out.push((
                    owner.child(nav, Some(id)),
                    d.entity.ty.clone(),
                    Cow::Borrowed(&d.entity.object),
                ));
            }
        }
        Src::Contained(owner, _, nav) => {
            if let Some(m) = t.store.get(owner).and_then(|e| e.many(nav)) {
                for (k, e) in m {
                    out.push((
                        owner.child(nav, Some(k)),
                        e.ty.clone(),
                        Cow::Borrowed(&e.object),
                    ));
                }
            }
        }
        Src::Links(owner, _, nav, target) => {
            for id in links_of(t, owner, nav) {
                if let Some(path) = linked_in(t, &id, target.as_deref()) {
                    if let Some((ty, o)) = read(t, &path) {
                        out.push((path, ty, Cow::Owned(o)));
                    }
                }
            }
        }
    }
    out.into_iter()
        .filter(|(_, ety, _)| cast.map(|c| cat.derives(ety, c)).unwrap_or(true))
        .map(|(p, ety, mut o)| {
            if ety != ty {
                o.to_mut()
                    .insert("@odata.type".into(), json!(format!("#{ety}")));
            }
            (p, o)
        })
        .collect()
}

/// Like [`overlay_object`], borrowing where the tenant keeps the object whole.
fn overlay_ref<'t>(t: &'t Tenant, set: &str, id: &str) -> Option<Object<'t>> {
    match set {
        USERS => t.users.get(id).map(|u| Cow::Borrowed(&u.object)),
        GROUPS => t.groups.get(id).map(|g| Cow::Borrowed(&g.object)),
        _ => overlay_object(t, set, id).map(Cow::Owned),
    }
}

/// An object (of type `ty`, or the one its `@odata.type` names) as a response shows it:
/// `$select`, else the type's defaults for users and groups (Graph's fixed default
/// projections, [`super::users::shape_user`], [`super::groups::shape`]), else every declared
/// structural property, unset ones as `null` ([`Catalog::fill_declared`]); an unset
/// collection-valued property is `[]`, never null, and a complex value lists all its
/// properties ([`Catalog::empty_collections`]).
pub(super) fn shape(
    ctx: &Ctx,
    ty: &str,
    object: &Map<String, Value>,
    select: &[String],
) -> Map<String, Value> {
    let mut out = shape_properties(ctx, object, select);
    let cat = catalog();
    let concrete = out
        .get("@odata.type")
        .and_then(Value::as_str)
        .map(|t| t.trim_start_matches('#'))
        .unwrap_or(ty);
    let own_defaults = [USER_TYPE, GROUP_TYPE]
        .iter()
        .any(|d| cat.derives(concrete, d) || cat.derives(ty, d));
    let versioned = super::etags::versioned(concrete) || super::etags::versioned(ty);
    if select.is_empty() && !own_defaults {
        cat.fill_declared(ty, &mut out);
    } else {
        cat.empty_collections(ty, &mut out);
    }
    if versioned {
        out.insert(
            "@odata.etag".into(),
            Value::String(super::etags::etag(object)),
        );
    }
    out
}

const USER_TYPE: &str = "microsoft.graph.user";
const GROUP_TYPE: &str = "microsoft.graph.group";

fn shape_properties(
    ctx: &Ctx,
    object: &Map<String, Value>,
    select: &[String],
) -> Map<String, Value> {
    let odata_type = object.get("@odata.type").cloned();
    let mut out = Map::new();
    if let Some(t) = &odata_type {
        out.insert("@odata.type".into(), t.clone());
    }
    let mut body = if !select.is_empty() {
        project(object, select)
    } else {
        match odata_type.as_ref().and_then(Value::as_str) {
            Some("#microsoft.graph.user") => super::users::shape_user(ctx, object, &[]),
            Some("#microsoft.graph.group") => super::groups::shape(object, &[]),
            _ => object.clone(),
        }
    };
    body.remove("@odata.type");
    out.extend(body);
    out
}

/// Outlook, OneDrive and the other workloads return an entity's `id` whatever `$select` names
/// (`$select=subject` answers `id` and `subject`); directory objects return what is selected.
fn keep_id(
    cat: &Catalog,
    ty: &str,
    object: &Map<String, Value>,
    out: &mut Map<String, Value>,
    select: &[String],
) {
    if select.is_empty() || cat.is_directory(ty) || out.contains_key("id") {
        return;
    }
    if let Some(id) = object.get("id") {
        out.insert("id".into(), id.clone());
    }
}

/// Keeps `directReports` the inverse of `manager`, as Graph derives it: `report` leaves
/// `old`'s reports and joins `new`'s.
fn mirror_manager(t: &mut Tenant, report: &str, old: Option<&str>, new: Option<&str>) {
    let user_ty = [Some("microsoft.graph.user".to_string())];
    if let Some(old) = old {
        if let Some(e) = t.store.get_mut(&EntityPath::set_item(USERS, old), &user_ty) {
            e.refs_mut("directReports").retain(|r| r != report);
        }
    }
    if let Some(new) = new.filter(|n| t.users.contains_key(*n)) {
        if let Some(e) = t.store.get_mut(&EntityPath::set_item(USERS, new), &user_ty) {
            let reports = e.refs_mut("directReports");
            if !reports.iter().any(|r| r == report) {
                reports.push(report.to_string());
            }
        }
    }
}

/// Properties Graph returns only when `$select` names them: (type, property).
const ONLY_WHEN_SELECTED: &[(&str, &str)] = &[
    // bitlockerrecoverykey-get: "the key property is not returned by default".
    ("microsoft.graph.bitlockerRecoveryKey", "key"),
];

/// Leaves out of `object` (of type `ty`) what Graph returns only when selected.
fn hide_unselected(ty: &str, object: &mut Map<String, Value>) {
    let concrete = object
        .get("@odata.type")
        .and_then(Value::as_str)
        .map(|t| t.trim_start_matches('#').to_string())
        .unwrap_or_else(|| ty.to_string());
    for (t, prop) in ONLY_WHEN_SELECTED {
        if *t == concrete {
            object.remove(*prop);
        }
    }
}

fn context_of(segs: &[crate::sandbox::store::catalog::Segment], entity: bool) -> String {
    let mut parts: Vec<String> = segs
        .iter()
        .map(|s| match &s.args {
            Some(a) if a.len() == 1 && a[0].0.is_empty() => format!("{}('{}')", s.name, a[0].1),
            _ => s.name.clone(),
        })
        .collect();
    if entity {
        // `users/x` → `users/$entity`.
        parts.pop();
        parts.push("$entity".into());
    }
    parts.join("/")
}

/// The `@odata.context` of one entity read at `segs` and found at `path`. An object reached
/// through a relationship that is not containment (`/users/{id}/manager`,
/// `/groups/{id}/members/{id}`, `/me/manager`) lives in a top-level set of its own, and Graph
/// names the set the relationship is bound to (`directoryObjects/$entity`), not the path.
fn entity_context(
    cat: &Catalog,
    segs: &[crate::sandbox::store::catalog::Segment],
    path: &EntityPath,
    declared: &str,
) -> String {
    if let (Some((set, _)), Some(first), Some(last)) = (path.top(), segs.first(), segs.last()) {
        let direct = segs.len() == 2 && first.name.eq_ignore_ascii_case(set);
        if segs.len() >= 2 && !direct {
            if let Some(bound) = cat.binding_target(Some(&first.name), &last.name, declared) {
                return format!("{bound}/$entity");
            }
        }
    }
    context_of(segs, true)
}

fn schema_target(cat: &'static Catalog, ty: &str) -> (CatalogSchema, String) {
    let ty = cat
        .ty(ty)
        .map(|t| t.name.clone())
        .unwrap_or_else(|| ty.to_string());
    (CatalogSchema(cat), ty)
}

fn timestamps(cat: &Catalog, ty: &str, object: &mut Map<String, Value>) {
    let directory = cat.is_directory(ty);
    let precision = if directory {
        Precision::Seconds
    } else {
        Precision::Ticks
    };
    let now = format_timestamp(chrono::Utc::now(), precision);
    for name in ["createdDateTime", "lastModifiedDateTime"] {
        if cat.prop_info(ty, name).is_some() {
            object.entry(name).or_insert_with(|| json!(now));
        }
    }
}

/// Fills what Graph sets on a new entity: the key, timestamps, SIDs, empty collections.
pub(super) fn server_set(t: &Tenant, cat: &Catalog, ty: &str, object: &mut Map<String, Value>) {
    let key = cat.key_of(ty);
    if !object.contains_key(&key) {
        object.insert(key.clone(), json!(new_id()));
    }
    let id = object
        .get(&key)
        .map(|v| {
            v.as_str()
                .map(str::to_string)
                .unwrap_or_else(|| v.to_string())
        })
        .unwrap_or_default();
    if key != "id" {
        object.entry("id").or_insert_with(|| json!(id));
    }
    timestamps(cat, ty, object);
    let directory = cat.is_directory(ty);
    if directory {
        object.entry("deletedDateTime").or_insert(Value::Null);
        if cat.prop_info(ty, "securityIdentifier").is_some() {
            object.insert(
                "securityIdentifier".into(),
                json!(security_identifier(&id).unwrap_or_default()),
            );
        }
    }
    if ty == "microsoft.graph.servicePrincipal" {
        super::service_principals::from_application(t, object);
    }
    for p in cat.all_props(ty) {
        if p.collection && !p.nav && !p.nullable {
            object.entry(p.name.clone()).or_insert_with(|| json!([]));
        }
    }
    crate::sandbox::defaults::on_create(ty, object);
    if ty == "microsoft.graph.application" {
        object.entry("appId").or_insert_with(|| json!(new_id()));
        object
            .entry("publisherDomain")
            .or_insert_with(|| json!(t.domain));
        object
            .entry("signInAudience")
            .or_insert_with(|| json!("AzureADMyOrg"));
    }
}

/// Graph's rules on unique values and references of new directory objects.
fn unique(
    t: &Tenant,
    ty: &str,
    object: &Map<String, Value>,
    except: Option<&str>,
) -> Result<(), GraphErr> {
    let conflict = |prop: &str| {
        let message =
            format!("Another object with the same value for property {prop} already exists.");
        Err(GraphErr::bad_request(message.clone()).with_details(json!([
            {"code": "ObjectConflict", "target": prop, "message": message}
        ])))
    };
    let same = |a: &Value, b: Option<&Value>| match (a, b) {
        (Value::String(x), Some(Value::String(y))) => x.eq_ignore_ascii_case(y),
        _ => false,
    };
    let others = |set: &str| -> Vec<Map<String, Value>> {
        overlay_ids(t, set)
            .into_iter()
            .filter(|id| Some(id.as_str()) != except)
            .filter_map(|id| overlay_object(t, set, &id))
            .chain(
                t.store
                    .sets
                    .get(set)
                    .into_iter()
                    .flat_map(|s| s.values())
                    .filter(|e| Some(e.id()) != except && !is_overlay(set))
                    .map(|e| e.object.clone()),
            )
            .collect()
    };
    match ty {
        "microsoft.graph.servicePrincipal" => {
            if let Some(app_id) = object.get("appId") {
                let exists = app_id.as_str().and_then(|a| t.app(a)).is_some();
                if !exists {
                    return Err(GraphErr::bad_request(format!(
                        "The appId '{}' of the service principal does not reference a valid application object.",
                        app_id.as_str().unwrap_or_default()
                    ))
                    .with_details(json!([{"code": "NoBackingApplicationObject", "target": "appId"}])));
                }
                if others("servicePrincipals")
                    .iter()
                    .any(|o| same(app_id, o.get("appId")))
                {
                    return conflict("appId");
                }
            }
        }
        "microsoft.graph.application" => {
            // An application's appId names it tenant-wide (`applications(appId='...')`).
            if let Some(v) = object.get("appId") {
                if others(APPLICATIONS).iter().any(|o| same(v, o.get("appId"))) {
                    return conflict("appId");
                }
            }
            if let Some(v) = object.get("uniqueName") {
                if others(APPLICATIONS)
                    .iter()
                    .any(|o| same(v, o.get("uniqueName")))
                {
                    return conflict("uniqueName");
                }
            }
            for uri in object
                .get("identifierUris")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let taken = others(APPLICATIONS).iter().any(|o| {
                    o.get("identifierUris")
                        .and_then(Value::as_array)
                        .map(|a| a.iter().any(|x| same(uri, Some(x))))
                        .unwrap_or(false)
                });
                if taken {
                    return conflict("identifierUris");
                }
            }
        }
        "microsoft.graph.group" => {
            let unified = object
                .get("groupTypes")
                .and_then(Value::as_array)
                .map(|a| a.iter().any(|g| g == "Unified"))
                .unwrap_or(false);
            if let (true, Some(nick)) = (unified, object.get("mailNickname")) {
                let taken = others(GROUPS).iter().any(|o| {
                    same(nick, o.get("mailNickname"))
                        && o.get("groupTypes")
                            .and_then(Value::as_array)
                            .map(|a| a.iter().any(|g| g == "Unified"))
                            .unwrap_or(false)
                });
                if taken {
                    return conflict("mailNickname");
                }
            }
        }
        _ => {}
    }
    Ok(())
}

/// The id an `@odata.id` (or `@odata.bind`) URL names: its last key.
pub(super) fn id_of_url(url: &str) -> Option<String> {
    let path = url.split('?').next().unwrap_or(url).trim_end_matches('/');
    let last = path.rsplit('/').next()?;
    let key = match (last.find('('), last.ends_with(')')) {
        (Some(open), true) => last[open + 1..last.len() - 1]
            .trim_matches('\'')
            .to_string(),
        _ => last.to_string(),
    };
    (!key.is_empty()).then_some(key)
}

/// Resolves a link URL to an existing top-level entity of a type compatible with `ty`.
pub(super) fn resolve_link(
    t: &Tenant,
    cat: &Catalog,
    url: &str,
    ty: &str,
) -> Result<String, GraphErr> {
    let directory = cat.is_directory(ty);
    let id = id_of_url(url)
        .ok_or_else(|| GraphErr::bad_request(format!("Invalid object identifier '{url}'.")))?;
    let path = find_linked(t, &id).ok_or_else(|| not_found(true, &id))?;
    let actual = entity_type(t, &path).unwrap_or_default();
    if !actual.is_empty() && !cat.derives(&actual, ty) {
        return Err(not_found(directory, &id));
    }
    Ok(last_key(&path))
}

pub(super) fn stream_response(media: &Media) -> Response<Body> {
    let mut r = Response::new(Body::from(media.bytes.clone()));
    if let Ok(v) = HeaderValue::from_str(&media.content_type) {
        r.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    r
}

fn no_stream() -> GraphErr {
    GraphErr::new(
        StatusCode::NOT_FOUND,
        "ResourceNotFound",
        "The requested stream does not exist.",
    )
}

/// The `$id` (or `@id`, as Graph's newer descriptions write it) query option of a
/// `DELETE .../{collection}/$ref`: the URL of the reference to delete.
fn ref_id_option(ctx: &Ctx) -> Option<String> {
    ctx.query
        .raw
        .iter()
        .find(|(k, _)| {
            ["$id", "@id", "id"]
                .iter()
                .any(|n| k.eq_ignore_ascii_case(n))
        })
        .map(|(_, v)| v.clone())
}

/// Serves `path` (below the version) from the generic store. An update of nothing that Graph
/// documents as an upsert creates instead ([`super::upsert`]).
pub fn handle(ctx: &Ctx, method: &Method, path: &str, body: &[u8], headers: &HeaderMap) -> Handled {
    match handle_path(ctx, method, path, body, headers, true) {
        Err(e) if e.status == StatusCode::NOT_FOUND && *method == Method::PATCH => {
            let Some(c) = super::upsert::creation(path, headers, body) else {
                return Err(e);
            };
            let created = handle_path(ctx, &Method::POST, &c.collection, &c.body, headers, true)?;
            Ok(if c.status == StatusCode::NO_CONTENT {
                no_content()
            } else {
                created
            })
        }
        answer => answer,
    }
}

fn handle_path(
    ctx: &Ctx,
    method: &Method,
    path: &str,
    body: &[u8],
    headers: &HeaderMap,
    ref_form: bool,
) -> Handled {
    let cat = catalog();
    let segs = split_segments(path);
    let matched = match cat.matches(&segs) {
        Ok(m) => m,
        Err(NoMatch::Segment(s)) => {
            if let Some(answer) = property_path(ctx, cat, method, &segs) {
                return answer;
            }
            if let Some(answer) = bound_elsewhere(ctx, cat, method, &segs, body) {
                return answer;
            }
            return Err(GraphErr::segment_not_found(&s));
        }
        Err(NoMatch::TooLong) => {
            return Err(GraphErr::bad_request(
                "The request path has too many segments.",
            ))
        }
    };
    let Some(op_index) = matched
        .ops
        .iter()
        .find(|(m, _)| m == method.as_str())
        .map(|(_, i)| *i)
    else {
        // `DELETE .../{collection}/$ref?$id=<url>`, the older form of
        // `DELETE .../{collection}/{id}/$ref` (directoryobject-delete, "Remove member"): served
        // as that, once.
        if ref_form && *method == Method::DELETE && path.ends_with("/$ref") {
            if let Some(id) = ref_id_option(ctx).as_deref().and_then(id_of_url) {
                let item = format!("{}/{id}/$ref", path.trim_end_matches("/$ref"));
                return handle_path(ctx, method, &item, body, headers, false);
            }
        }
        return Err(GraphErr::method_not_allowed());
    };
    let op = &cat.routes().ops[op_index];
    // Permissions were checked before routing (`crate::sandbox::authz`).
    let mut tenant = ctx.state.tenant_mut();
    let (cur, tail) = resolve(&tenant, cat, op, &matched.captures)?;
    let t = &mut *tenant;
    match (op.kind, cur, tail) {
        (OpKind::List, Cur::Coll { src, ty, cast }, Tail::None) => {
            list(ctx, t, cat, &segs, &src, &ty, cast.as_deref(), false)
        }
        (OpKind::Count, Cur::Coll { src, ty, cast }, Tail::Count) => {
            list(ctx, t, cat, &segs, &src, &ty, cast.as_deref(), true)
        }
        (OpKind::Get, Cur::Item { path, ty, .. }, Tail::None) => {
            get(ctx, t, cat, &segs, &path, &ty)
        }
        (
            OpKind::Get,
            Cur::Link {
                target, ty, nav, ..
            },
            Tail::None,
        ) => {
            let target = target.ok_or_else(|| absent_link(cat.is_directory(&ty), &nav))?;
            get(ctx, t, cat, &segs, &target, &ty)
        }
        (OpKind::Create, Cur::Coll { src, ty, cast }, Tail::None) => create(
            ctx,
            t,
            cat,
            &segs,
            src,
            cast.as_deref().unwrap_or(&ty),
            &ty,
            body,
        ),
        (
            OpKind::Update | OpKind::Set,
            Cur::Item {
                path, types, ty, ..
            },
            Tail::None,
        ) => {
            let mode = if op.kind == OpKind::Set {
                Mode::Replace
            } else {
                Mode::Update
            };
            update(ctx, t, cat, &segs, &path, &types, &ty, body, mode, headers)
        }
        (OpKind::Delete, Cur::Item { path, ty, .. }, Tail::None) => {
            if let Some((stored_ty, stored)) = read(t, &path) {
                super::etags::check(headers, &stored_ty, &stored)?;
            }
            delete(t, cat, &path, &ty)
        }
        (
            OpKind::Get,
            Cur::Prop {
                path, types, prop, ..
            },
            Tail::None,
        ) => {
            let declared = types.last().cloned().flatten().unwrap_or_default();
            property_value(ctx, t, cat, &segs, &path, &declared, &[prop])
        }
        (
            OpKind::Update,
            Cur::Prop {
                path, types, prop, ..
            },
            Tail::None,
        ) => update_property(ctx, t, cat, &segs, &path, &types, &prop, body, headers),
        (
            OpKind::RefList,
            Cur::Coll {
                src: Src::Links(owner, _, nav, _),
                ..
            },
            Tail::Ref,
        ) => {
            let ids = links_of(t, &owner, &nav);
            let values: Vec<Value> = ids
                .iter()
                .map(|id| json!({"@odata.id": format!("{}/{}/directoryObjects/{id}", ctx.state.config.context_host, ctx.ver.segment())}))
                .collect();
            collection_of(ctx, "Collection($ref)", &values, None, Value::clone)
        }
        (
            OpKind::RefCreate,
            Cur::Coll {
                src: Src::Links(owner, types, nav, _),
                ty,
                ..
            },
            Tail::Ref,
        ) => {
            let body = body_object(body)?;
            let url = body
                .get("@odata.id")
                .and_then(Value::as_str)
                .ok_or_else(|| GraphErr::bad_request("The request body must hold '@odata.id'."))?;
            let id = resolve_link(t, cat, url, &ty)?;
            add_ref(t, &owner, &types, &nav, &id)?;
            Ok(no_content())
        }
        (
            OpKind::RefDelete,
            Cur::Item {
                path,
                via: Some((owner, nav)),
                ..
            },
            Tail::Ref,
        ) => {
            let id = last_key(&path);
            if let (Some(("directoryRoles", role)), "members") = (owner.top(), nav.as_str()) {
                super::links::remove_role_member(t, role, &id)?;
                return Ok(no_content());
            }
            remove_link(t, &owner, &nav, &id)
        }
        (
            OpKind::RefDelete,
            Cur::Coll {
                src: Src::Links(owner, _, nav, _),
                ..
            },
            Tail::Ref,
        ) => {
            let url = ref_id_option(ctx).ok_or_else(|| {
                GraphErr::bad_request("Missing '$id' query option naming the reference to delete.")
            })?;
            let id = id_of_url(&url).unwrap_or_default();
            remove_link(t, &owner, &nav, &id)
        }
        (OpKind::RefGet, Cur::Link { target, nav, .. }, Tail::Ref) => {
            let target = target.ok_or_else(|| absent_link(true, &nav))?;
            let id = last_key(&target);
            let mut out = Map::new();
            out.insert("@odata.context".into(), json!(ctx.context("$ref")));
            out.insert(
                "@odata.id".into(),
                json!(format!(
                    "{}/{}/directoryObjects/{id}",
                    ctx.state.config.context_host,
                    ctx.ver.segment()
                )),
            );
            Ok(json(StatusCode::OK, &Value::Object(out)))
        }
        (
            OpKind::RefSet,
            Cur::Link {
                owner,
                types,
                nav,
                ty,
                ..
            },
            Tail::Ref,
        ) => {
            let body = body_object(body)?;
            let url = body
                .get("@odata.id")
                .and_then(Value::as_str)
                .ok_or_else(|| GraphErr::bad_request("The request body must hold '@odata.id'."))?;
            let id = resolve_link(t, cat, url, &ty)?;
            set_ref(t, &owner, &types, &nav, &id)?;
            Ok(no_content())
        }
        (
            OpKind::RefDelete,
            Cur::Link {
                owner, nav, target, ..
            },
            Tail::Ref,
        ) => {
            let target = target.ok_or_else(|| not_found(true, &nav))?;
            let removed = remove_link(t, &owner, &nav, &last_key(&target))?;
            if nav == "manager" {
                if let Some((USERS, report)) = owner.top() {
                    mirror_manager(t, report, Some(&last_key(&target)), None);
                }
            }
            Ok(removed)
        }
        (kind @ (OpKind::MediaGet | OpKind::MediaSet | OpKind::MediaDelete), cur, _) => {
            let (path, types, prop) = match cur {
                Cur::Prop {
                    path, types, prop, ..
                } => (path, types, Some(prop)),
                Cur::Item { path, types, .. } => (path, types, None),
                _ => return Err(GraphErr::method_not_allowed()),
            };
            let types = types_for(t, cat, &path, &types);
            let e = t
                .store
                .get_mut(&path, &types)
                .ok_or_else(|| not_found(false, &last_key(&path)))?;
            match kind {
                OpKind::MediaGet => {
                    let media = match &prop {
                        Some(p) => e.streams.get(p),
                        None => e.media.as_ref(),
                    };
                    Ok(stream_response(media.ok_or_else(no_stream)?))
                }
                OpKind::MediaSet => {
                    let media = Media {
                        content_type: headers
                            .get(header::CONTENT_TYPE)
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or("application/octet-stream")
                            .to_string(),
                        bytes: body.to_vec(),
                    };
                    match prop {
                        Some(p) => {
                            e.streams.insert(p, media);
                        }
                        None => e.media = Some(media),
                    }
                    Ok(no_content())
                }
                _ => {
                    let removed = match &prop {
                        Some(p) => e.streams.remove(p).is_some(),
                        None => e.media.take().is_some(),
                    };
                    if removed {
                        Ok(no_content())
                    } else {
                        Err(no_stream())
                    }
                }
            }
        }
        (OpKind::Action | OpKind::Function, cur, Tail::Operation(name, args)) => {
            // Usage reports answer with a redirect to their CSV.
            let on_reports = segs.len() == 2 && segs[0].name.eq_ignore_ascii_case("reports");
            if let (true, OpKind::Function) = (on_reports, op.kind) {
                if let Some(answer) = super::reports::answer(ctx, &name, &args) {
                    return answer;
                }
            }
            super::actions::invoke(ctx, t, cat, op, cur_info(&cur), &name, &args, body, &segs)
        }
        _ => Err(GraphErr::method_not_allowed()),
    }
}

/// `GET {entity path}/{structural property}[/{property of a complex value}...]`, which OData
/// (4.01 §11.2.6, "Requesting Individual Properties") and Graph allow on any property though
/// the catalog's templates name few (`/deviceManagement/settings`, `/users/{id}/displayName`):
/// the longest prefix naming an entity, then a chain of structural properties (each after the
/// first of a complex value). `None` when the path is not of that form.
fn property_path(
    ctx: &Ctx,
    cat: &'static Catalog,
    method: &Method,
    segs: &[crate::sandbox::store::catalog::Segment],
) -> Option<Handled> {
    use crate::sandbox::store::catalog::TypeKind;
    for k in (1..segs.len()).rev() {
        let rest = &segs[k..];
        if rest
            .iter()
            .any(|s| s.args.is_some() || s.name.starts_with('$') || s.name.contains('.'))
        {
            return None;
        }
        let Ok(m) = cat.matches(&segs[..k]) else {
            continue;
        };
        let Some(&(_, get)) = m.ops.iter().find(|(meth, _)| meth == "GET") else {
            continue;
        };
        let op = &cat.routes().ops[get];
        if op.kind != OpKind::Get {
            continue;
        }
        let Some(declared) = op.returns.as_ref().and_then(|r| r.ty.clone()) else {
            continue;
        };
        // Every remaining segment a structural property, below the first of a complex value.
        let mut ty = declared.clone();
        let mut chain = true;
        for (i, seg) in rest.iter().enumerate() {
            let complex = cat.ty(&ty).map(|x| x.kind());
            let fits = if i == 0 {
                complex == Some(TypeKind::Entity)
            } else {
                complex == Some(TypeKind::Complex)
            };
            match cat.prop_info(&ty, &seg.name) {
                // A collection only last: its items are not addressed.
                Some(p)
                    if fits
                        && !p.nav
                        && p.ty != "Edm.Stream"
                        && (!p.collection || i + 1 == rest.len()) =>
                {
                    ty = p.ty.clone();
                }
                _ => {
                    chain = false;
                    break;
                }
            }
        }
        if !chain {
            continue;
        }
        if *method != Method::GET {
            return Some(Err(GraphErr::method_not_allowed()));
        }
        let names: Vec<String> = rest.iter().map(|s| s.name.clone()).collect();
        let tenant = ctx.state.tenant();
        let answer = resolve(&tenant, cat, op, &m.captures).and_then(|(cur, tail)| {
            let path = match (cur, tail) {
                (Cur::Item { path, .. }, Tail::None) => path,
                (
                    Cur::Link {
                        target, ty, nav, ..
                    },
                    Tail::None,
                ) => target.ok_or_else(|| absent_link(cat.is_directory(&ty), &nav))?,
                _ => return Err(GraphErr::segment_not_found(&rest[0].name)),
            };
            if !exists(&tenant, &path) {
                return Err(not_found(cat.is_directory(&declared), &last_key(&path)));
            }
            property_value(ctx, &tenant, cat, segs, &path, &declared, &names)
        });
        return Some(answer);
    }
    None
}

/// The value of the property chain `names` of the entity at `path`: a complex value as an
/// object with its context, a primitive or a collection as `value`, and null as 204 No Content
/// (OData 4.01 §11.2.6: "If the property is single-valued and has the null value, the service
/// responds with 204 No Content").
fn property_value(
    ctx: &Ctx,
    t: &Tenant,
    cat: &Catalog,
    segs: &[crate::sandbox::store::catalog::Segment],
    path: &EntityPath,
    declared: &str,
    names: &[String],
) -> Handled {
    let object = match read(t, path) {
        Some((_, o)) => o,
        None if exists(t, path) && implicit(cat, path, declared) => Map::new(),
        None => return Err(not_found(false, &last_key(path))),
    };
    let owner = entity_type(t, path).unwrap_or_else(|| declared.to_string());
    let mut value = Value::Object(object);
    for name in names {
        value = value
            .as_object()
            .and_then(|o| crate::json::get_ci(o, name))
            .cloned()
            .unwrap_or(Value::Null);
    }
    if let ([name], Value::Null) = (names, &value) {
        value = default_property(cat, &owner, name).unwrap_or(Value::Null);
    }
    if let ([name], Value::Object(o)) = (names, &mut value) {
        // A complex value lists every property of its type.
        if let Some(p) = cat.prop_info(&owner, name) {
            cat.fill_declared(&p.ty, o);
        }
    }
    let context = json!(ctx.context(&context_of(segs, false)));
    match value {
        Value::Null => Ok(no_content()),
        Value::Object(mut o) => {
            let mut out = Map::new();
            out.insert("@odata.context".into(), context);
            if let Some(ty) = o.remove("@odata.type") {
                out.insert("@odata.type".into(), ty);
            }
            out.extend(o);
            Ok(json(StatusCode::OK, &Value::Object(out)))
        }
        v => Ok(json(
            StatusCode::OK,
            &json!({"@odata.context": context, "value": v}),
        )),
    }
}

/// What a property Graph always has a value for holds before anything was written: a
/// user's `mailboxSettings` (user-get-mailboxsettings: a mailbox answers its time zone,
/// language, automatic replies, working hours, date and time formats; the values of a new
/// mailbox). `None` for every other property.
pub fn default_property(cat: &Catalog, owner: &str, prop: &str) -> Option<Value> {
    if !(prop.eq_ignore_ascii_case("mailboxSettings") && cat.derives(owner, USER_TYPE)) {
        return None;
    }
    Some(json!({
        "archiveFolder": null,
        "timeZone": "UTC",
        "automaticRepliesSetting": {
            "status": "disabled",
            "externalAudience": "all",
            "scheduledStartDateTime": {"dateTime": "2024-01-01T00:00:00.0000000", "timeZone": "UTC"},
            "scheduledEndDateTime": {"dateTime": "2024-01-02T00:00:00.0000000", "timeZone": "UTC"},
            "internalReplyMessage": "",
            "externalReplyMessage": ""
        },
        "language": {"locale": "en-US", "displayName": "English (United States)"},
        "workingHours": {
            "daysOfWeek": ["monday", "tuesday", "wednesday", "thursday", "friday"],
            "startTime": "08:00:00.0000000",
            "endTime": "17:00:00.0000000",
            "timeZone": {"name": "UTC"}
        },
        "userPurpose": "user",
        "dateFormat": "M/d/yyyy",
        "timeFormat": "h:mm tt",
        "delegateMeetingMessageDeliveryOptions": "sendToDelegateOnly"
    }))
}

/// `PATCH {entity}/{complex property}`: the body merges into the value there (OData 4.01
/// Part 1 §11.4.9.3, "Update a Complex Property": PATCH merges as for an entity, §11.4.3),
/// checked against the property's type. A user's `mailboxSettings` answers 200 with the
/// settings as they now are (user-update-mailboxsettings: "If successful, this method
/// returns a 200 OK response code and ... mailboxSettings object in the response body"),
/// as does any other with `Prefer: return=representation`; otherwise 204.
#[allow(clippy::too_many_arguments)]
fn update_property(
    ctx: &Ctx,
    t: &mut Tenant,
    cat: &'static Catalog,
    segs: &[crate::sandbox::store::catalog::Segment],
    path: &EntityPath,
    types: &[Option<String>],
    prop: &str,
    body: &[u8],
    headers: &HeaderMap,
) -> Handled {
    let declared = types.last().cloned().flatten().unwrap_or_default();
    let owner = entity_type(t, path).unwrap_or_else(|| declared.clone());
    let directory = cat.is_directory(&owner);
    let info = cat
        .prop_info(&owner, prop)
        .filter(|p| !p.nav && !p.collection && !p.read_only)
        .filter(|p| {
            cat.ty(&p.ty)
                .is_some_and(|i| i.kind() == crate::sandbox::store::catalog::TypeKind::Complex)
        })
        .cloned()
        .ok_or_else(GraphErr::method_not_allowed)?;
    let mut given = body_object(body)?;
    // Documented request bodies repeat the response's `@odata.context`; only the type counts.
    given.retain(|k, _| !k.starts_with("@odata.") || k == "@odata.type");
    let given = Value::Object(given);
    write::check_value(cat, &info.ty, false, true, &given, &info.name, directory, 0)?;
    let current = read(t, path)
        .and_then(|(_, o)| o.get(&info.name).cloned())
        .filter(|v| !v.is_null())
        .or_else(|| default_property(cat, &owner, &info.name))
        .unwrap_or_else(|| json!({}));
    let mut holder = Map::new();
    holder.insert(info.name.clone(), current);
    let mut patch = Map::new();
    patch.insert(info.name.clone(), given);
    write::merge(cat, &owner, &mut holder, patch);
    let value = holder.remove(&info.name).unwrap_or(Value::Null);
    let id = last_key(path);
    let written = match path.top() {
        Some((USERS, uid)) => t
            .users
            .get_mut(uid)
            .map(|u| u.object.insert(info.name.clone(), value.clone()))
            .is_some(),
        Some((GROUPS, gid)) => t
            .groups
            .get_mut(gid)
            .map(|g| g.object.insert(info.name.clone(), value.clone()))
            .is_some(),
        _ => {
            let types = types_for(t, cat, path, types);
            t.store
                .get_mut(path, &types)
                .map(|e| e.object.insert(info.name.clone(), value.clone()))
                .is_some()
        }
    };
    if !written {
        return Err(not_found(directory, &id));
    }
    t.store.version += 1;
    let outlook = info.ty == "microsoft.graph.mailboxSettings";
    if !(outlook || prefer_representation(headers)) {
        return Ok(no_content());
    }
    let mut out = Map::new();
    out.insert(
        "@odata.context".into(),
        json!(ctx.context(&context_of(segs, false))),
    );
    if let Value::Object(mut o) = value {
        cat.fill_declared(&info.ty, &mut o);
        out.extend(o);
    }
    Ok(json(StatusCode::OK, &Value::Object(out)))
}

/// An action or function the catalog lists on one path of its binding type only
/// (`directoryObject.checkMemberGroups` under `directory/deletedItems`) called on another
/// entity of that type (`users/{id}/checkMemberGroups`), as OData allows.
fn bound_elsewhere(
    ctx: &Ctx,
    cat: &'static Catalog,
    method: &Method,
    segs: &[crate::sandbox::store::catalog::Segment],
    body: &[u8],
) -> Option<Handled> {
    let (last, prefix) = segs.split_last()?;
    let name = last
        .name
        .strip_prefix("microsoft.graph.")
        .unwrap_or(&last.name);
    let m = cat.matches(prefix).ok()?;
    let (_, get) = m
        .ops
        .iter()
        .find(|(meth, _)| meth == "GET")
        .or_else(|| m.ops.first())?;
    let op = cat.routes().ops.iter().find(|o| {
        matches!(o.kind, OpKind::Action | OpKind::Function)
            && o.method == method.as_str()
            && o.steps().len() > 1
            && matches!(o.steps().last(), Some(Step::Operation(n, a)) if n.eq_ignore_ascii_case(name) && a.is_empty())
    })?;
    let mut tenant = ctx.state.tenant_mut();
    let t = &mut *tenant;
    let answer = resolve(t, cat, &cat.routes().ops[*get], &m.captures).and_then(|(cur, tail)| {
        if tail != Tail::None {
            return Err(GraphErr::segment_not_found(&last.name));
        }
        let bound = cur_info(&cur);
        let path = match &bound {
            Bound::Entity(path) => path.clone(),
            // Collection-bound (`directoryObjects/getByIds`): no binding type to check.
            Bound::Collection(..) => {
                return super::actions::invoke(ctx, t, cat, op, bound, name, &[], body, segs)
            }
            Bound::None => return Err(GraphErr::segment_not_found(&last.name)),
        };
        let path = &path;
        // The operation's binding type must fit the entity.
        let binding = op
            .template
            .rsplit_once('/')
            .and_then(|(p, _)| cat.matches(&split_segments(p)).ok())
            .and_then(|pm| {
                pm.ops
                    .iter()
                    .find(|(meth, _)| meth == "GET")
                    .map(|(_, i)| *i)
            })
            .and_then(|i| {
                cat.routes().ops[i]
                    .returns
                    .as_ref()
                    .and_then(|r| r.ty.clone())
            });
        let actual = entity_type(t, path).unwrap_or_default();
        if let Some(b) = binding {
            if !cat.derives(&actual, &b) {
                return Err(GraphErr::segment_not_found(&last.name));
            }
        }
        super::actions::invoke(ctx, t, cat, op, bound, name, &[], body, segs)
    });
    Some(answer)
}

/// What an action is bound to, for [`super::actions`].
#[derive(Debug, Clone)]
pub enum Bound {
    /// An entity (its path).
    Entity(EntityPath),
    /// A collection: the entity set, or the owner and navigation property.
    Collection(Option<String>, Option<(EntityPath, String)>),
    None,
}

fn cur_info(cur: &Cur) -> Bound {
    match cur {
        Cur::Item { path, .. } if !matches!(&path.root, Root::Singleton(s) if s.is_empty()) => {
            Bound::Entity(path.clone())
        }
        Cur::Coll {
            src: Src::Set(s), ..
        } => Bound::Collection(Some(s.clone()), None),
        Cur::Coll {
            src: Src::Contained(o, _, n) | Src::Links(o, _, n, _),
            ..
        } => Bound::Collection(None, Some((o.clone(), n.clone()))),
        Cur::Link {
            target: Some(p), ..
        } => Bound::Entity(p.clone()),
        _ => Bound::None,
    }
}

/// The types of each level of `path`, for creating missing containments on write.
fn types_for(
    t: &Tenant,
    cat: &Catalog,
    path: &EntityPath,
    types: &[Option<String>],
) -> Vec<Option<String>> {
    let mut out: Vec<Option<String>> = types.to_vec();
    if out.is_empty() {
        out.push(None);
    }
    if out[0].is_none() {
        out[0] = match &path.root {
            Root::Set(s, _) => cat.set(s).map(|c| c.ty.clone()),
            Root::Singleton(s) => cat.singleton(s).map(|c| c.ty.clone()),
        };
    }
    // Roots of store sets are created only by POST; overlay roots exist when the tenant's do.
    if let Root::Set(s, id) = &path.root {
        let ok = if is_overlay(s) {
            overlay_id(t, s, id).is_some()
        } else {
            t.store
                .sets
                .get(s)
                .map(|m| m.contains_key(id))
                .unwrap_or(false)
        };
        if !ok {
            out[0] = None;
        }
    }
    out
}

/// `POST .../{nav}/$ref`: links `id` into collection `nav` of `owner`; a reference already
/// there is Graph's 400. Directory roles' members are RBAC assignments
/// ([`super::links::add_role_member`]).
pub(super) fn add_ref(
    t: &mut Tenant,
    owner: &EntityPath,
    types: &[Option<String>],
    nav: &str,
    id: &str,
) -> Result<(), GraphErr> {
    if let (Some(("directoryRoles", role)), "members") = (owner.top(), nav) {
        return super::links::add_role_member(t, role, id);
    }
    add_link(t, owner, types, nav, id, true)
}

/// `PUT .../{nav}/$ref`: points single-valued `nav` of `owner` at `id`, keeping a manager's
/// `directReports` its inverse.
pub(super) fn set_ref(
    t: &mut Tenant,
    owner: &EntityPath,
    types: &[Option<String>],
    nav: &str,
    id: &str,
) -> Result<(), GraphErr> {
    let types = types_for(t, catalog(), owner, types);
    let e = t
        .store
        .get_mut(owner, &types)
        .ok_or_else(|| not_found(true, &last_key(owner)))?;
    let old = std::mem::replace(e.refs_mut(nav), vec![id.to_string()]);
    if nav == "manager" {
        if let Some((USERS, report)) = owner.top() {
            let report = report.to_string();
            mirror_manager(t, &report, old.first().map(String::as_str), Some(id));
        }
    }
    t.store.version += 1;
    Ok(())
}

fn add_link(
    t: &mut Tenant,
    owner: &EntityPath,
    types: &[Option<String>],
    nav: &str,
    id: &str,
    strict: bool,
) -> Result<(), GraphErr> {
    let cat = catalog();
    if let Some((GROUPS, gid)) = owner.top() {
        if nav == "members" {
            let object = &t
                .groups
                .get(gid)
                .ok_or_else(|| GraphErr::not_found(gid))?
                .object;
            if id == gid {
                return Err(super::groups::self_member());
            }
            // group-post-members: no member by hand in a dynamic group, and only the types
            // the group's kind takes.
            super::groups::manual_membership(object)?;
            super::groups::admissible_member(t, object, id)?;
            let g = t
                .groups
                .get_mut(gid)
                .ok_or_else(|| GraphErr::not_found(gid))?;
            if g.members.iter().any(|m| m == id) {
                return Err(exists_already(nav));
            }
            g.members.push(id.to_string());
            crate::sandbox::licensing::refresh(t);
            return Ok(());
        }
    }
    let types = types_for(t, cat, owner, types);
    let e = t
        .store
        .get_mut(owner, &types)
        .ok_or_else(|| not_found(true, &last_key(owner)))?;
    let refs = e.refs_mut(nav);
    if refs.iter().any(|r| r == id) {
        if strict {
            return Err(exists_already(nav));
        }
        return Ok(());
    }
    refs.push(id.to_string());
    t.store.version += 1;
    Ok(())
}

pub(super) fn exists_already(nav: &str) -> GraphErr {
    GraphErr::bad_request(format!(
        "One or more added object references already exist for the following modified properties: '{nav}'."
    ))
}

fn remove_link(t: &mut Tenant, owner: &EntityPath, nav: &str, id: &str) -> Handled {
    if let Some((GROUPS, gid)) = owner.top() {
        if nav == "members" {
            let g = t
                .groups
                .get_mut(gid)
                .ok_or_else(|| GraphErr::not_found(gid))?;
            // group-delete-members: a dynamic group's members follow its rule only.
            super::groups::manual_membership(&g.object)?;
            let before = g.members.len();
            g.members.retain(|m| m != id);
            if g.members.len() == before {
                return Err(GraphErr::not_found(id));
            }
            crate::sandbox::licensing::refresh(t);
            return Ok(no_content());
        }
    }
    let Some(e) = t.store.get_mut(owner, &[]) else {
        return Err(GraphErr::not_found(id));
    };
    let refs = e.refs_mut(nav);
    let before = refs.len();
    refs.retain(|r| r != id);
    if refs.len() == before {
        return Err(GraphErr::not_found(id));
    }
    t.store.version += 1;
    Ok(no_content())
}

#[allow(clippy::too_many_arguments)]
fn list(
    ctx: &Ctx,
    t: &Tenant,
    cat: &'static Catalog,
    segs: &[crate::sandbox::store::catalog::Segment],
    src: &Src,
    ty: &str,
    cast: Option<&str>,
    count_only: bool,
) -> Handled {
    let target_ty = cast.unwrap_or(ty);
    let (schema, tname) = schema_target(cat, target_ty);
    let directory = cat.is_directory(&tname);
    let target = Target {
        schema: &schema,
        ty: &tname,
    };
    // The links of a directory object (memberOf, owners, ownedObjects, ...) follow Graph's
    // rules for reference collections.
    let plan = if directory && matches!(src, Src::Links(..)) {
        Plan::references(&ctx.query, target, ctx.advanced())?
    } else {
        Plan::collection(&ctx.query, target, ctx.advanced())?
    };
    let all = members(t, cat, src, ty, cast);
    let objects: Vec<&Map<String, Value>> = all.iter().map(|(_, o)| o.as_ref()).collect();
    let items = plan.apply(objects, &NoRelated);
    if count_only {
        let n = items.len();
        if directory {
            return super::directory::count_response(ctx, n);
        }
        let mut r = Response::new(Body::from(n.to_string()));
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain;charset=utf-8"),
        );
        return Ok(r);
    }
    let count = (ctx.query.count && (ctx.eventual || !directory)).then_some(items.len());
    let context = context_of(segs, false);
    let paths = paths_by_object(&all, !plan.expand.is_empty());
    collection_of(ctx, &context, &items, count, |o| {
        let mut shaped = shape(ctx, &tname, o, &plan.select);
        if plan.select.is_empty() {
            hide_unselected(&tname, &mut shaped);
        }
        keep_id(cat, &tname, o, &mut shaped, &plan.select);
        if let Some(path) = paths.get(&(*o as *const Map<String, Value>)) {
            let ity = entity_type(t, path).unwrap_or_else(|| tname.clone());
            expand_stored(ctx, t, cat, path, &ity, &mut shaped, &plan.expand, 1);
        }
        // Derived relationships (a role assignment's principal) after the stored links.
        super::links::expand(t, &tname, &mut shaped, &plan.expand);
        Value::Object(shaped)
    })
}

/// The paths of listed objects, by the address of the object (only when `$expand` needs
/// them).
fn paths_by_object<'a>(
    all: &'a [(EntityPath, Object<'_>)],
    wanted: bool,
) -> std::collections::HashMap<*const Map<String, Value>, &'a EntityPath> {
    if !wanted {
        return std::collections::HashMap::new();
    }
    all.iter()
        .map(|(p, o)| (o.as_ref() as *const Map<String, Value>, p))
        .collect()
}

/// Adds the `$expand`ed navigation properties of the stored entity at `path` (concrete type
/// `ty`) to `out`, with each item's nested options (`$select`, `$filter`, `$orderby`, `$top`,
/// `$skip`, `$expand`): contained collections and single entities, links to entities of other
/// sets (`roleManagementPolicyAssignment.policy`), a single-valued link left out when it
/// points nowhere, as Graph does (<https://learn.microsoft.com/graph/query-parameters#expand>).
/// Directory objects show at most [`MAX_EXPANDED_ITEMS`] of a collection. The walk follows
/// the parsed `$expand` tree, which [`Plan::entity`] bounds to [`MAX_EXPAND_DEPTH`] levels;
/// `depth` guards it again.
#[allow(clippy::too_many_arguments)]
fn expand_stored(
    ctx: &Ctx,
    t: &Tenant,
    cat: &'static Catalog,
    path: &EntityPath,
    ty: &str,
    out: &mut Map<String, Value>,
    expand: &[Expand],
    depth: usize,
) {
    if depth > MAX_EXPAND_DEPTH {
        return;
    }
    let show = |ipath: &EntityPath, ity: &str, o: &Map<String, Value>, e: &Expand| {
        let mut shaped = shape(ctx, ity, o, &e.nested.select);
        if e.nested.select.is_empty() {
            hide_unselected(ity, &mut shaped);
        }
        let concrete = entity_type(t, ipath).unwrap_or_else(|| ity.to_string());
        expand_stored(
            ctx,
            t,
            cat,
            ipath,
            &concrete,
            &mut shaped,
            &e.nested.expand,
            depth + 1,
        );
        Value::Object(shaped)
    };
    for e in expand {
        let types = vec![None; path.steps.len() + 1];
        match nav_of(t, cat, path.clone(), types, ty, &e.prop) {
            Ok(Cur::Coll { src, ty: ity, .. }) => {
                let cast = e.cast.then_some(e.ty.as_str());
                let all = members(t, cat, &src, &ity, cast);
                let cap = if cat.is_directory(&e.ty) {
                    MAX_EXPANDED_ITEMS
                } else {
                    usize::MAX
                };
                let picked = e.pick(all.iter().map(|(_, o)| o.as_ref()), cap);
                let paths = paths_by_object(&all, true);
                let items: Vec<Value> = picked
                    .into_iter()
                    .filter_map(|o| {
                        let p = paths.get(&(o as *const Map<String, Value>))?;
                        Some(show(p, &e.ty, o, e))
                    })
                    .collect();
                out.insert(e.prop.clone(), Value::Array(items));
            }
            Ok(Cur::Item { path: ipath, .. }) => {
                if let Some((ity, o)) = read(t, &ipath) {
                    out.insert(e.prop.clone(), show(&ipath, &ity, &o, e));
                }
            }
            Ok(Cur::Link {
                target: Some(target),
                ..
            }) => {
                if let Some((ity, mut o)) = read(t, &target) {
                    if e.cast && !cat.derives(&ity, &e.ty) {
                        continue;
                    }
                    if ity != e.ty {
                        o.insert("@odata.type".into(), json!(format!("#{ity}")));
                    }
                    out.insert(e.prop.clone(), show(&target, &ity, &o, e));
                }
            }
            _ => {}
        }
    }
}

/// What the name of a single-valued containment (or of its type) ends with when every owner
/// has one, written or not: settings and policies with their defaults, computed summaries and
/// overviews, a planner task's details and board formats, templates.
const IMPLICIT_SUFFIXES: &[&str] = &[
    "settings",
    "setting",
    "policy",
    "configuration",
    "default",
    "defaults",
    "details",
    "summary",
    "summaries",
    "overview",
    "metric",
    "options",
    "presence",
    "behavior",
    "format",
    "template",
];

/// Whether the entity at `path` (declared `ty`) answers even though nothing was written
/// there. A singleton does (`/deviceManagement`, `/admin`), and so does a single-valued
/// containment that only groups other entities (`/security/attackSimulation`,
/// `/me/authentication`), that holds nothing but its key, or that is a setting or a computed
/// summary every owner has ([`IMPLICIT_SUFFIXES`]). One that holds data of its own is there
/// only once set: Graph answers 404 for `/deviceManagement/applePushNotificationCertificate`
/// with no certificate uploaded, `/users/{id}/photo` with no photo, `/managedDevices/{id}/
/// deviceCategory` with no category, as for `/users/{id}/manager` with no manager.
fn implicit(cat: &Catalog, path: &EntityPath, ty: &str) -> bool {
    let Some((nav, None)) = path.steps.last() else {
        return true;
    };
    if cat.ty(ty).map(|i| i.kind()) != Some(crate::sandbox::store::catalog::TypeKind::Entity) {
        return true;
    }
    let props = cat.all_props(ty);
    if props.iter().any(|p| p.nav) || props.iter().all(|p| p.nav || p.name == "id") {
        return true;
    }
    let short = ty.rsplit('.').next().unwrap_or(ty).to_ascii_lowercase();
    let nav = nav.to_ascii_lowercase();
    IMPLICIT_SUFFIXES
        .iter()
        .any(|s| short.ends_with(s) || nav.ends_with(s))
}

fn get(
    ctx: &Ctx,
    t: &Tenant,
    cat: &'static Catalog,
    segs: &[crate::sandbox::store::catalog::Segment],
    path: &EntityPath,
    declared: &str,
) -> Handled {
    let (ty, mut object) = match read(t, path) {
        Some(found) => found,
        None if exists(t, path) && implicit(cat, path, declared) => {
            // A singleton, or a single-valued containment every owner has, never written:
            // its defaults.
            let mut o = Map::new();
            o.insert("id".into(), json!(last_key(path)));
            (declared.to_string(), o)
        }
        None => return Err(not_found(cat.is_directory(declared), &last_key(path))),
    };
    if !cat.derives(&ty, declared) {
        return Err(not_found(cat.is_directory(declared), &last_key(path)));
    }
    let (schema, tname) = schema_target(cat, declared);
    let plan = Plan::entity(
        &ctx.query,
        Target {
            schema: &schema,
            ty: &tname,
        },
    )?;
    if ty != tname {
        object.insert("@odata.type".into(), json!(format!("#{ty}")));
    }
    let mut out = Map::new();
    out.insert(
        "@odata.context".into(),
        json!(ctx.context(&entity_context(cat, segs, path, declared))),
    );
    out.extend(shape(ctx, &ty, &object, &plan.select));
    if plan.select.is_empty() {
        hide_unselected(&ty, &mut out);
    }
    keep_id(cat, &ty, &object, &mut out, &plan.select);
    expand_stored(ctx, t, cat, path, &ty, &mut out, &plan.expand, 1);
    // Derived relationships (a role assignment's principal) after the stored links.
    super::links::expand(t, &ty, &mut out, &plan.expand);
    Ok(json(StatusCode::OK, &Value::Object(out)))
}

#[allow(clippy::too_many_arguments)]
fn create(
    ctx: &Ctx,
    t: &mut Tenant,
    cat: &'static Catalog,
    segs: &[crate::sandbox::store::catalog::Segment],
    src: Src,
    declared: &str,
    collection_ty: &str,
    body: &[u8],
) -> Handled {
    let mut body = if body.iter().all(u8::is_ascii_whitespace) {
        Map::new()
    } else {
        body_object(body)?
    };
    let children = super::deep_insert::take(t, cat, declared, &mut body)?;
    let checked = check_entity(cat, declared, body, Mode::Create)?;
    let ty = checked.ty.clone();
    let mut object = checked.object;
    server_set(t, cat, &ty, &mut object);
    unique(t, &ty, &object, None)?;
    if let Src::Contained(owner, _, nav) = &src {
        super::links::before_create(t, owner, nav, &ty, &mut object)?;
        super::calendar::before_create(t, owner, &ty, &mut object);
        super::planner::before_create(t, owner, nav, &mut object)?;
        if ty == super::extensions::EXTENSION_PROPERTY && nav == "extensionProperties" {
            super::extensions::before_create(t, owner, &mut object)?;
        }
    }
    super::extensions::check_write(t, &ty, &object)?;
    if ty == "microsoft.graph.invitation" {
        super::links::invitation(t, &mut object)?;
    }
    if ty == "microsoft.graph.directoryRole" {
        activation(t, &mut object)?;
    }
    if ty == "microsoft.graph.groupSetting"
        && object.get("displayName").map_or(true, Value::is_null)
    {
        // groupsetting-post-groupsettings: a setting is named after its template
        // ("Group.Unified").
        let name = object
            .get("templateId")
            .and_then(Value::as_str)
            .and_then(|id| t.store.sets.get("groupSettingTemplates")?.get(id))
            .and_then(|template| template.object.get("displayName").cloned());
        if let Some(name) = name {
            object.insert("displayName".into(), name);
        }
    }
    let links = super::binds::resolve(t, cat, &ty, None, &checked.binds)?;
    super::teams::complete_member(t, cat, &ty, &mut object, &links)?;
    let id = object
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let directory = cat.is_directory(&ty);
    let mut entity = Entity::new(&ty, object.clone());
    super::deep_insert::attach(&mut entity, children)?;
    // A message created in a mailbox is a draft, filed in Drafts or the folder posted to.
    let drafted = match &src {
        Src::Contained(owner, _, nav) => crate::sandbox::mail::messages_in(owner, nav),
        _ => None,
    };
    if let Some((_, folder)) = &drafted {
        crate::sandbox::mail::as_draft(&mut entity, folder);
        object.clone_from(&entity.object);
    }
    // Where the new entity lives, for the links its body binds.
    let created: EntityPath = match &src {
        Src::Set(s) if s == APPLICATIONS => {
            t.apps.push(App {
                object_id: id.clone(),
                client_id: object
                    .get("appId")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
                display_name: object
                    .get("displayName")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
                secrets: vec![],
                roles: vec![],
                public_client: object
                    .get("isFallbackPublicClient")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
                certificates: vec![],
            });
            t.store.insert_top(s, entity);
            EntityPath::set_item(s, &id)
        }
        Src::Set(s) if is_overlay(s) => return Err(GraphErr::method_not_allowed()),
        Src::Set(s) => {
            if t.store
                .sets
                .get(s)
                .map(|m| m.contains_key(&id))
                .unwrap_or(false)
            {
                return Err(GraphErr::new(
                    StatusCode::CONFLICT,
                    "Conflict",
                    format!("An entity with the key '{id}' already exists."),
                ));
            }
            t.store.insert_top(s, entity);
            EntityPath::set_item(s, &id)
        }
        Src::Contained(owner, _, nav) if drafted.is_some() => {
            let (uid, folder) = drafted.unwrap_or_default();
            crate::sandbox::mail::file_in(t, &uid, &folder, entity);
            t.store.version += 1;
            owner.child(nav, Some(&id))
        }
        Src::Contained(owner, types, nav) => {
            let types = types_for(t, cat, owner, types);
            let parent = t
                .store
                .get_mut(owner, &types)
                .ok_or_else(|| not_found(directory, &last_key(owner)))?;
            let many = parent.many_mut(nav);
            if many.contains_key(&id) {
                return Err(GraphErr::new(
                    StatusCode::CONFLICT,
                    "Conflict",
                    format!("An entity with the key '{id}' already exists."),
                ));
            }
            many.insert(id.clone(), entity);
            t.store.version += 1;
            super::links::after_create(t, owner, nav, &ty, &object);
            // An attachment added to a message changes the message.
            crate::sandbox::mail::changed(t, owner);
            owner.child(nav, Some(&id))
        }
        Src::Links(owner, types, nav, target) => {
            let set = target
                .clone()
                .or_else(|| cat.binding_target(None, nav, collection_ty))
                .ok_or_else(GraphErr::method_not_allowed)?;
            t.store.insert_top(&set, entity);
            add_link(t, owner, types, nav, &id, false)?;
            EntityPath::set_item(&set, &id)
        }
    };
    super::binds::apply(t, &created, &ty, links)?;
    let mut out = Map::new();
    out.insert(
        "@odata.context".into(),
        json!(ctx.context(&format!("{}/$entity", context_of(segs, false)))),
    );
    if ty != declared {
        object.insert("@odata.type".into(), json!(format!("#{ty}")));
    }
    out.extend(shape(ctx, &ty, &object, &[]));
    Ok(super::created(ctx, &Value::Object(out), &id))
}

#[allow(clippy::too_many_arguments)]
fn update(
    ctx: &Ctx,
    t: &mut Tenant,
    cat: &'static Catalog,
    segs: &[crate::sandbox::store::catalog::Segment],
    path: &EntityPath,
    types: &[Option<String>],
    declared: &str,
    body: &[u8],
    mode: Mode,
    headers: &HeaderMap,
) -> Handled {
    let directory = cat.is_directory(declared);
    if !exists(t, path) {
        return Err(not_found(directory, &last_key(path)));
    }
    let current = entity_type(t, path).unwrap_or_else(|| declared.to_string());
    if let Some((_, stored)) = read(t, path) {
        super::etags::check(headers, &current, &stored)?;
    }
    let body = body_object(body)?;
    let checked = check_entity(cat, &current, body, mode)?;
    let ty = checked.ty.clone();
    super::extensions::check_write(t, &ty, &checked.object)?;
    // `nav@odata.bind` links, checked before anything is written and made after.
    let links = super::binds::resolve(t, cat, &ty, Some(path), &checked.binds)?;
    let id = last_key(path);
    if let Some((set, _)) = path.top() {
        let set = set.to_string();
        if is_overlay(&set) {
            let mut merged = overlay_object(t, &set, &id).unwrap_or_default();
            write::merge(cat, &ty, &mut merged, checked.object.clone());
            unique(t, &ty, &merged, Some(&id))?;
            match set.as_str() {
                USERS => {
                    if let Some(u) = t.users.get_mut(&id) {
                        write::merge(cat, &ty, &mut u.object, checked.object);
                    }
                }
                GROUPS => {
                    if let Some(g) = t.groups.get_mut(&id) {
                        write::merge(cat, &ty, &mut g.object, checked.object);
                    }
                }
                _ => {
                    if let Some(a) = t.apps.iter_mut().find(|a| a.object_id == id) {
                        if let Some(n) = checked.object.get("displayName").and_then(Value::as_str) {
                            a.display_name = n.to_string();
                        }
                    }
                    let e = t
                        .store
                        .sets
                        .entry(set.clone())
                        .or_default()
                        .entry(id.clone())
                        .or_insert_with(|| Entity::new(&ty, Map::new()));
                    write::merge(cat, &ty, &mut e.object, checked.object);
                }
            }
            t.store.version += 1;
            super::binds::apply(t, path, &ty, links)?;
            if prefer_representation(headers) {
                let object = overlay_object(t, &set, &id).unwrap_or_default();
                return Ok(updated(ctx, segs, &ty, &object));
            }
            return Ok(no_content());
        }
    }
    let types = types_for(t, cat, path, types);
    {
        let before = t
            .store
            .get(path)
            .map(|e| e.object.clone())
            .unwrap_or_default();
        let mut merged = before.clone();
        write::merge(cat, &ty, &mut merged, checked.object.clone());
        unique(t, &ty, &merged, Some(&id))?;
    }
    let e = t
        .store
        .get_mut(path, &types)
        .ok_or_else(|| not_found(directory, &id))?;
    if mode == Mode::Replace {
        // PUT keeps only the key and what the server set.
        let keep: Map<String, Value> = e
            .object
            .iter()
            .filter(|(k, _)| {
                k.as_str() == "id"
                    || write::server_set(k, directory)
                    || k.as_str() == cat.key_of(&ty)
            })
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        e.object = keep;
        e.object.extend(checked.object);
    } else {
        write::merge(cat, &ty, &mut e.object, checked.object);
    }
    if cat.prop_info(&ty, "lastModifiedDateTime").is_some() {
        let precision = if directory {
            Precision::Seconds
        } else {
            Precision::Ticks
        };
        e.object.insert(
            "lastModifiedDateTime".into(),
            json!(format_timestamp(chrono::Utc::now(), precision)),
        );
    }
    e.ty = ty.clone();
    let object = e.object.clone();
    // A message's preview follows its body, in both places the mailbox keeps it.
    let object = crate::sandbox::mail::changed(t, path).unwrap_or(object);
    t.store.version += 1;
    super::binds::apply(t, path, &ty, links)?;
    if prefer_representation(headers) || (!directory && answers_entity(cat, &ty, path)) {
        return Ok(updated(ctx, segs, &ty, &object));
    }
    Ok(no_content())
}

/// Whether the request asks `Prefer: return=representation` (OData 4.01 Part 1 §8.2.8.7):
/// an update then answers 200 with the entity, as Graph documents for the resources that
/// take it (<https://learn.microsoft.com/graph/api/plannertask-update>: "If the request
/// specifies Prefer header with return=representation preference, then this method returns
/// a 200 OK response code and updated plannerTask object in the response body").
fn prefer_representation(headers: &HeaderMap) -> bool {
    headers.get_all("Prefer").iter().any(|v| {
        v.to_str().is_ok_and(|v| {
            v.split(',')
                .any(|p| p.trim().eq_ignore_ascii_case("return=representation"))
        })
    })
}

/// The workloads whose update Graph documents as 200 with the updated entity in the body
/// whatever the client prefers: Outlook items and folders (message-update, event-update,
/// contact-update, mailfolder-update: "returns a 200 OK response code and an updated
/// message object in the response body") and Intune (`/deviceManagement`,
/// `/deviceAppManagement`: intune-deviceconfig-...-update, "200 OK ... and an updated ...
/// object"). Everything else (Entra ID's policies, named locations, domains, federated
/// identity credentials, group settings, teams, branding, ...) answers 204 No Content
/// (conditionalaccesspolicy-update, namedlocation-update, domain-update,
/// federatedidentitycredential-update, groupsetting-update, team-update,
/// organizationalbranding-update: "If successful, this method returns a 204 No Content
/// response code").
fn answers_entity(cat: &Catalog, ty: &str, path: &EntityPath) -> bool {
    const OUTLOOK: &[&str] = &[
        "microsoft.graph.outlookItem",
        "microsoft.graph.mailFolder",
        "microsoft.graph.contactFolder",
        "microsoft.graph.calendar",
        "microsoft.graph.calendarGroup",
        "microsoft.graph.outlookCategory",
        "microsoft.graph.messageRule",
        "microsoft.graph.inferenceClassificationOverride",
    ];
    if OUTLOOK.iter().any(|base| cat.derives(ty, base)) {
        return true;
    }
    let (Root::Set(root, _) | Root::Singleton(root)) = &path.root;
    root.eq_ignore_ascii_case("deviceManagement")
        || root.eq_ignore_ascii_case("deviceAppManagement")
}

/// A 200 answer to an update: the entity as it now is.
fn updated(
    ctx: &Ctx,
    segs: &[crate::sandbox::store::catalog::Segment],
    ty: &str,
    object: &Map<String, Value>,
) -> Response<Body> {
    let mut out = Map::new();
    out.insert(
        "@odata.context".into(),
        json!(ctx.context(&context_of(segs, true))),
    );
    out.extend(shape(ctx, ty, object, &[]));
    json(StatusCode::OK, &Value::Object(out))
}

/// Deletes the entity at `path`: top-level directory objects go to `deletedItems` (restorable),
/// and every link to a deleted top-level entity goes with it.
fn delete(t: &mut Tenant, cat: &Catalog, path: &EntityPath, declared: &str) -> Handled {
    let directory = cat.is_directory(declared);
    let key = last_key(path);
    if !exists(t, path) {
        return Err(not_found(directory, &key));
    }
    if let Some((set, id)) = path.top() {
        let (set, id) = (set.to_string(), id.to_string());
        if is_overlay(&set) {
            if set == USERS && id == t.admin_id {
                return Err(GraphErr::denied());
            }
            let deleted = match set.as_str() {
                USERS => super::recycle::delete_user(t, &id),
                GROUPS => super::recycle::delete_group(t, &id),
                _ => super::recycle::delete_application(t, &id),
            };
            if !deleted {
                return Err(not_found(directory, &key));
            }
            return Ok(no_content());
        }
        // A service principal's role and app-role assignments, and those granted on it as a
        // resource, leave with it (and come back on restore).
        let assignments = if cat.is_directory(declared) {
            super::links::withdraw_assignments(t, &id)
        } else {
            vec![]
        };
        let side = t.store.remove_top(&set, &id);
        if let Some(e) = side {
            if cat.is_directory(&e.ty) {
                remember_deleted(t, &set, e);
                if let Some(d) = t.store.deleted.get_mut(&id) {
                    d.assignments = assignments;
                }
            }
        }
        for g in t.groups.values_mut() {
            g.members.retain(|m| *m != id);
        }
        return Ok(no_content());
    }
    let mut parent = path.clone();
    let Some((nav, k)) = parent.steps.pop() else {
        // A singleton cannot be deleted.
        return Err(GraphErr::method_not_allowed());
    };
    if is_deleted_items(&parent, &nav) {
        // directory-deleteditems-delete: gone for good.
        return if super::recycle::purge(t, &key) {
            Ok(no_content())
        } else {
            Err(not_found(true, &key))
        };
    }
    let Some(e) = t.store.get_mut(&parent, &[]) else {
        return Err(not_found(directory, &key));
    };
    let removed = match k {
        Some(k) => e.nav.get_mut(&nav).and_then(|n| match n {
            Nav::Many(m) => m.shift_remove(&k),
            _ => None,
        }),
        None => e.nav.remove(&nav).map(|_| Entity::default()),
    };
    let Some(removed) = removed else {
        return Err(not_found(directory, &key));
    };
    super::links::after_delete(t, &parent, &nav, &removed);
    super::planner::after_delete(t, &parent, &nav, &removed);
    crate::sandbox::mail::after_delete(t, &parent, &nav, &removed);
    t.store.version += 1;
    Ok(no_content())
}

fn remember_deleted(t: &mut Tenant, set: &str, mut entity: Entity) {
    entity.object.insert(
        "deletedDateTime".into(),
        json!(format_timestamp(chrono::Utc::now(), Precision::Seconds)),
    );
    let id = entity.id().to_string();
    t.store.deleted.insert(
        id,
        Deleted {
            set: set.to_string(),
            entity,
            kept: Default::default(),
            member_of: vec![],
            assignments: vec![],
        },
    );
}

/// Whether the store holds anything for the overlay entity `(set, id)` (used by tests).
pub fn side_entity<'a>(store: &'a Store, set: &str, id: &str) -> Option<&'a Entity> {
    store.sets.get(set)?.get(id)
}

/// event-list's calendar view (`GET /users/{id}/calendarView?startDateTime=...&endDateTime=...`,
/// also below `/calendar`; user-list-calendarview): the user's events that overlap the window,
/// by start. Times are read as UTC whatever their `timeZone` (the sandbox has no time-zone
/// data); recurring series are not expanded into occurrences.
pub(super) fn calendar_view(ctx: &Ctx, user: &str) -> Handled {
    let window = |name: &str| -> Result<chrono::DateTime<chrono::Utc>, GraphErr> {
        let text = ctx
            .query
            .raw
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .ok_or_else(|| {
                GraphErr::new(
                    StatusCode::BAD_REQUEST,
                    "ErrorInvalidParameter",
                    "This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.",
                )
            })?;
        crate::sandbox::state::parse_timestamp(text).ok_or_else(|| {
            GraphErr::new(
                StatusCode::BAD_REQUEST,
                "ErrorInvalidParameter",
                format!("The value '{text}' of parameter '{name}' is not a valid date and time."),
            )
        })
    };
    let (from, to) = (window("startDateTime")?, window("endDateTime")?);
    let t = ctx.state.tenant();
    let id = overlay_id(&t, USERS, user).ok_or_else(|| not_found(true, user))?;
    let at = |o: &Map<String, Value>, key: &str| {
        o.get(key)
            .and_then(|v| v.get("dateTime"))
            .and_then(Value::as_str)
            .and_then(crate::sandbox::state::parse_timestamp)
    };
    let mut events: Vec<(chrono::DateTime<chrono::Utc>, Map<String, Value>)> = t
        .store
        .get(&EntityPath::set_item(USERS, &id))
        .and_then(|e| match e.nav.get("events") {
            Some(Nav::Many(m)) => Some(m),
            _ => None,
        })
        .into_iter()
        .flat_map(|m| m.values())
        .filter_map(|e| {
            let (start, end) = (at(&e.object, "start")?, at(&e.object, "end")?);
            (start < to && end > from).then(|| (start, e.object.clone()))
        })
        .collect();
    events.sort_by_key(|(start, _)| *start);
    let select = &ctx.query.select;
    let items: Vec<Value> = events
        .iter()
        .map(|(_, o)| Value::Object(shape(ctx, "microsoft.graph.event", o, select)))
        .collect();
    super::collection(ctx, &format!("users('{id}')/calendarView"), items, None)
}

/// directoryrole-post-directoryroles: a role template is activated once (again is Graph's 400
/// "conflicting object"), and the role takes the template's name and description.
fn activation(t: &Tenant, object: &mut Map<String, Value>) -> Result<(), GraphErr> {
    let template = object
        .get("roleTemplateId")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let active = t.store.sets.get("directoryRoles").is_some_and(|roles| {
        roles.values().any(|r| {
            r.object
                .get("roleTemplateId")
                .and_then(Value::as_str)
                .is_some_and(|x| x.eq_ignore_ascii_case(&template))
        })
    });
    if active {
        return Err(GraphErr::new(
            StatusCode::BAD_REQUEST,
            "Request_BadRequest",
            "A conflicting object with one or more of the specified property values is present in the directory.",
        ));
    }
    let known = crate::sandbox::defaults::ROLE_TEMPLATES
        .iter()
        .find(|(id, _, _)| id.eq_ignore_ascii_case(&template));
    if let Some((_, name, description)) = known {
        for (key, value) in [("displayName", name), ("description", description)] {
            if object.get(key).map_or(true, Value::is_null) {
                object.insert(key.into(), json!(value));
            }
        }
    }
    Ok(())
}
