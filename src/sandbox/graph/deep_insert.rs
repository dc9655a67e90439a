//! Deep insert: a create whose body holds entities of its contained navigation properties
//! inline makes them too, each readable at its own path. OData 4.01 §11.4.2.2 ("Create Related
//! Entities When Creating an Entity"); Microsoft's documented example is a group conversation
//! created with its first thread and post (<https://learn.microsoft.com/graph/api/group-post-conversations>,
//! and <https://learn.microsoft.com/graph/api/group-post-threads> for a thread with its post).
//! Every nested entity is checked against the catalog as a create of its own type, and gets
//! what the service sets (key, timestamps), and its `nav@odata.bind` links are made as on a
//! top-level create ([`super::binds`]): Graph's chat, team and private-channel bodies name
//! their members' users so (<https://learn.microsoft.com/graph/api/chat-post>,
//! <https://learn.microsoft.com/graph/api/team-post>,
//! <https://learn.microsoft.com/graph/api/channel-post>). A navigation property that is not
//! containment is left in the body, where the write checks refuse it as Graph does.

use serde_json::{Map, Value};

use crate::sandbox::odata::GraphErr;
use crate::sandbox::state::Tenant;
use crate::sandbox::store::catalog::Catalog;
use crate::sandbox::store::write::{check_entity, concrete_type, Mode};
use crate::sandbox::store::{Entity, Nav};

/// How many levels of contained entities one body may nest (the conversation example needs
/// two: threads, then posts).
pub const MAX_DEPTH: usize = 8;
/// How many inline entities one body may carry in all.
const MAX_ENTITIES: usize = 1000;

/// An inline entity, for the navigation property it came in.
pub struct Child {
    nav: String,
    collection: bool,
    entity: Entity,
}

/// Takes the contained navigation properties out of `body` (a create of `declared`) and makes
/// the entities they hold, checked, with their own inline children.
pub fn take(
    t: &Tenant,
    cat: &Catalog,
    declared: &str,
    body: &mut Map<String, Value>,
) -> Result<Vec<Child>, GraphErr> {
    let mut budget = MAX_ENTITIES;
    take_at(t, cat, declared, body, 0, &mut budget)
}

fn bad(message: &str) -> GraphErr {
    GraphErr::bad_request(message)
}

fn take_at(
    t: &Tenant,
    cat: &Catalog,
    declared: &str,
    body: &mut Map<String, Value>,
    depth: usize,
    budget: &mut usize,
) -> Result<Vec<Child>, GraphErr> {
    let directory = cat.is_directory(declared);
    let ty = concrete_type(cat, declared, body.get("@odata.type"), directory)?;
    let contained: Vec<(String, String, String, bool)> = body
        .keys()
        .filter_map(|k| {
            let p = cat.prop_info(&ty, k)?;
            (p.nav && p.contained).then(|| (k.clone(), p.name.clone(), p.ty.clone(), p.collection))
        })
        .collect();
    let mut out = vec![];
    for (key, nav, child_ty, collection) in contained {
        if depth >= MAX_DEPTH {
            return Err(bad("The request body nests contained entities too deeply."));
        }
        let value = body.remove(&key).unwrap_or(Value::Null);
        let items = match (value, collection) {
            (Value::Array(items), true) => items,
            (Value::Object(o), false) => vec![Value::Object(o)],
            (Value::Null, _) => vec![],
            _ => {
                return Err(bad(&format!(
                    "Cannot convert the value of '{nav}' to the expected type '{}{child_ty}{}'.",
                    if collection { "Collection(" } else { "" },
                    if collection { ")" } else { "" }
                )))
            }
        };
        for item in items {
            let Value::Object(mut item) = item else {
                return Err(bad(&format!(
                    "Cannot convert the value of '{nav}' to the expected type '{child_ty}'."
                )));
            };
            *budget = budget
                .checked_sub(1)
                .ok_or_else(|| bad("The request body holds too many inline entities."))?;
            let grandchildren = take_at(t, cat, &child_ty, &mut item, depth + 1, budget)?;
            let checked = check_entity(cat, &child_ty, item, Mode::Create)?;
            // Its `nav@odata.bind` links, checked as a top-level create's are (a chat's or a
            // team's members name their users so).
            let bound = super::binds::resolve(t, cat, &checked.ty, None, &checked.binds)?;
            let mut object = checked.object;
            super::generic::server_set(t, cat, &checked.ty, &mut object);
            super::teams::complete_member(t, cat, &checked.ty, &mut object, &bound)?;
            let mut entity = Entity::new(&checked.ty, object);
            super::binds::link_inline(&mut entity, bound);
            attach(&mut entity, grandchildren)?;
            out.push(Child {
                nav: nav.clone(),
                collection,
                entity,
            });
        }
    }
    Ok(out)
}

/// Hangs `children` below `parent`.
pub fn attach(parent: &mut Entity, children: Vec<Child>) -> Result<(), GraphErr> {
    for c in children {
        if c.collection {
            let id = c.entity.id().to_string();
            let many = parent.many_mut(&c.nav);
            if many.contains_key(&id) {
                return Err(GraphErr::new(
                    axum::http::StatusCode::CONFLICT,
                    "Conflict",
                    format!("An entity with the key '{id}' already exists."),
                ));
            }
            many.insert(id, c.entity);
        } else {
            parent.nav.insert(c.nav, Nav::One(Box::new(c.entity)));
        }
    }
    Ok(())
}
