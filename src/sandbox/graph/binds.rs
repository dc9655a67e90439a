//! `{navigationProperty}@odata.bind` in create (POST) and update (PATCH) bodies: Graph links
//! the objects the URLs name, as `POST .../{nav}/$ref` (a collection) or
//! `PUT .../{nav}/$ref` (a single-valued navigation) would, with the same errors
//! (learn.microsoft.com/graph/api/group-post-groups, group-post-members "add multiple members
//! to a group in a single request"). The annotation is not a property: `store::write` takes
//! it out of the body.
//!
//! A URL names its object by its last key, whatever its host (Graph's own or the sandbox's
//! loopback address) and its set (`directoryObjects/{id}`, `users/{id}`, `users('{id}')`).
//! Every reference is checked before any is made, so a failing body links nothing.

use serde_json::Map;

use super::generic::{add_ref, exists_already, links_of, resolve_link, set_ref};
use crate::sandbox::odata::GraphErr;
use crate::sandbox::state::Tenant;
use crate::sandbox::store::catalog::Catalog;
use crate::sandbox::store::write::{check_entity, Mode};
use crate::sandbox::store::{Entity, EntityPath};

/// The checked links of one navigation property.
pub struct Bound {
    nav: String,
    collection: bool,
    ids: Vec<String>,
}

impl Bound {
    /// The navigation property these links are for.
    pub fn nav(&self) -> &str {
        &self.nav
    }
}

/// Takes the `@odata.bind` annotations out of `body` (of an entity of type `ty`) and checks
/// their form and navigation properties as every store write does.
pub fn take(
    cat: &Catalog,
    ty: &str,
    body: &mut Map<String, serde_json::Value>,
) -> Result<Vec<(String, Vec<String>)>, GraphErr> {
    let keys: Vec<String> = body
        .keys()
        .filter(|k| k.ends_with("@odata.bind"))
        .cloned()
        .collect();
    if keys.is_empty() {
        return Ok(vec![]);
    }
    let mut annotations = Map::new();
    for k in keys {
        if let Some(v) = body.remove(&k) {
            annotations.insert(k, v);
        }
    }
    Ok(check_entity(cat, ty, annotations, Mode::Update)?.binds)
}

/// Resolves the links `binds` asks of an entity of type `ty`, at `owner` when it exists
/// already (an update) and `None` for one being created: each URL must name an existing
/// object of the navigation's type (Graph's 404 `Request_ResourceNotFound`), and a reference
/// already in a collection, or named twice, is Graph's 400 ("One or more added object
/// references already exist ..."). Nothing is written.
pub fn resolve(
    t: &Tenant,
    cat: &Catalog,
    ty: &str,
    owner: Option<&EntityPath>,
    binds: &[(String, Vec<String>)],
) -> Result<Vec<Bound>, GraphErr> {
    let mut out = Vec::with_capacity(binds.len());
    for (nav, urls) in binds {
        let p = cat
            .prop_info(ty, nav)
            .ok_or_else(|| GraphErr::segment_not_found(nav))?;
        let mut ids: Vec<String> = Vec::with_capacity(urls.len());
        let present = owner.map(|o| links_of(t, o, nav)).unwrap_or_default();
        for url in urls {
            let id = resolve_link(t, cat, url, &p.ty)?;
            if p.collection && (ids.contains(&id) || present.contains(&id)) {
                return Err(exists_already(nav));
            }
            if nav == "members"
                && owner
                    .and_then(EntityPath::top)
                    .is_some_and(|(_, o)| o == id)
            {
                return Err(super::groups::self_member());
            }
            ids.push(id);
        }
        out.push(Bound {
            nav: p.name.clone(),
            collection: p.collection,
            ids,
        });
    }
    // A group's new members follow the rules of `members/$ref`: none by hand in a dynamic
    // group, and only the member types the group's kind takes.
    if let Some(group) = owner
        .and_then(EntityPath::top)
        .filter(|(set, _)| *set == super::generic::GROUPS)
        .and_then(|(_, id)| t.groups.get(id))
    {
        check_members(t, &group.object, &out)?;
    }
    Ok(out)
}

/// Checks the `members@odata.bind` links of `bound` against group object `group` as
/// `POST /groups/{id}/members/$ref` does (learn.microsoft.com/graph/api/group-post-members):
/// a dynamic group takes none ([`super::groups::manual_membership`]), and each member must be
/// of a type the group's kind takes ([`super::groups::admissible_member`]).
pub fn check_members(
    t: &Tenant,
    group: &Map<String, serde_json::Value>,
    bound: &[Bound],
) -> Result<(), GraphErr> {
    for b in bound
        .iter()
        .filter(|b| b.nav == "members" && !b.ids.is_empty())
    {
        super::groups::manual_membership(group)?;
        for id in &b.ids {
            super::groups::admissible_member(t, group, id)?;
        }
    }
    Ok(())
}

/// The ids `bound` links through navigation property `nav` (none when it names none).
pub fn ids<'a>(bound: &'a [Bound], nav: &str) -> &'a [String] {
    bound
        .iter()
        .find(|b| b.nav == nav)
        .map_or(&[], |b| b.ids.as_slice())
}

/// Makes the links [`resolve`] checked on `entity`, an inline entity of a deep insert that is
/// not stored yet. Only top-level entities have link rules of their own (group members,
/// directory roles, a manager's reports), so the links are written as they are.
pub fn link_inline(entity: &mut Entity, bound: Vec<Bound>) {
    for b in bound {
        let refs = entity.refs_mut(&b.nav);
        if b.collection {
            refs.extend(b.ids);
        } else {
            *refs = b.ids;
        }
    }
}

/// Makes the links [`resolve`] checked, on the entity (of type `ty`) at `owner`.
pub fn apply(
    t: &mut Tenant,
    owner: &EntityPath,
    ty: &str,
    bound: Vec<Bound>,
) -> Result<(), GraphErr> {
    // The root's type: the entity's own when it is the root, else the store's for that root
    // (a contained entity's links, `/identityGovernance/entitlementManagement/accessPackages`).
    let types = [owner.steps.is_empty().then(|| ty.to_string())];
    for b in bound {
        for id in &b.ids {
            if b.collection {
                add_ref(t, owner, &types, &b.nav, id)?;
            } else {
                set_ref(t, owner, &types, &b.nav, id)?;
            }
        }
    }
    Ok(())
}
