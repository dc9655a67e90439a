//! The generic in-memory store behind every catalog path: entity sets, singletons, contained
//! collections at any depth, `$ref` links between top-level entities, and media streams.
//!
//! Users, groups and applications keep their objects in the hand-written tenant tables
//! ([`crate::sandbox::state::Tenant`]), whose rules (passwords, TAP, membership, sign-in) stay
//! there; the store holds everything else about them (contained collections, links, streams)
//! in an entity under the same id, and reads and writes their objects through the tenant
//! ("overlay sets", see `graph::generic`).

pub mod catalog;
pub mod write;

use std::collections::HashMap;

use indexmap::IndexMap;
use serde_json::{Map, Value};

/// How deep contained collections may nest (the catalog's deepest path is far shallower).
pub const MAX_DEPTH: usize = 32;

/// A stream (`$value` of a media entity, or a stream property).
#[derive(Debug, Clone)]
pub struct Media {
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// What a navigation property of an entity holds.
#[derive(Debug, Clone)]
pub enum Nav {
    /// A contained collection, by key.
    Many(IndexMap<String, Entity>),
    /// A contained single-valued entity.
    One(Box<Entity>),
    /// Links to top-level entities (ids), in the order added.
    Refs(Vec<String>),
}

/// One entity: its concrete type, its structural properties, and what hangs below it.
#[derive(Debug, Clone, Default)]
pub struct Entity {
    /// Qualified concrete type (`microsoft.graph.event`).
    pub ty: String,
    pub object: Map<String, Value>,
    pub nav: HashMap<String, Nav>,
    /// The entity's own stream (`hasStream` types).
    pub media: Option<Media>,
    /// Stream properties by name.
    pub streams: HashMap<String, Media>,
}

impl Entity {
    pub fn new(ty: &str, object: Map<String, Value>) -> Entity {
        Entity {
            ty: ty.to_string(),
            object,
            ..Entity::default()
        }
    }

    pub fn id(&self) -> &str {
        self.object
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
    }

    /// The links of navigation property `nav`.
    pub fn refs(&self, nav: &str) -> &[String] {
        match self.nav.get(nav) {
            Some(Nav::Refs(r)) => r,
            _ => &[],
        }
    }

    pub fn refs_mut(&mut self, nav: &str) -> &mut Vec<String> {
        let slot = self
            .nav
            .entry(nav.to_string())
            .or_insert_with(|| Nav::Refs(vec![]));
        if !matches!(slot, Nav::Refs(_)) {
            *slot = Nav::Refs(vec![]);
        }
        match slot {
            Nav::Refs(r) => r,
            _ => unreachable!("just made a Refs"),
        }
    }

    pub fn many(&self, nav: &str) -> Option<&IndexMap<String, Entity>> {
        match self.nav.get(nav) {
            Some(Nav::Many(m)) => Some(m),
            _ => None,
        }
    }

    pub fn many_mut(&mut self, nav: &str) -> &mut IndexMap<String, Entity> {
        let slot = self
            .nav
            .entry(nav.to_string())
            .or_insert_with(|| Nav::Many(IndexMap::new()));
        if !matches!(slot, Nav::Many(_)) {
            *slot = Nav::Many(IndexMap::new());
        }
        match slot {
            Nav::Many(m) => m,
            _ => unreachable!("just made a Many"),
        }
    }

    /// Removes `id` from every link below this entity (iteratively, bounded by depth).
    fn forget(&mut self, id: &str) {
        let mut stack: Vec<(&mut Entity, usize)> = vec![(self, 0)];
        while let Some((e, depth)) = stack.pop() {
            for nav in e.nav.values_mut() {
                match nav {
                    Nav::Refs(r) => r.retain(|x| x != id),
                    Nav::Many(m) if depth < MAX_DEPTH => {
                        stack.extend(m.values_mut().map(|c| (c, depth + 1)))
                    }
                    Nav::One(c) if depth < MAX_DEPTH => stack.push((c, depth + 1)),
                    _ => {}
                }
            }
        }
    }
}

/// Where an entity lives: a root (entity set item or singleton), then contained steps.
#[derive(Debug, Clone, PartialEq)]
pub struct EntityPath {
    pub root: Root,
    /// `(navigation property, key)`; no key for a single-valued containment.
    pub steps: Vec<(String, Option<String>)>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Root {
    /// An entity set and the item's key.
    Set(String, String),
    Singleton(String),
}

impl EntityPath {
    pub fn set_item(set: &str, id: &str) -> EntityPath {
        EntityPath {
            root: Root::Set(set.to_string(), id.to_string()),
            steps: vec![],
        }
    }

    pub fn child(&self, nav: &str, key: Option<&str>) -> EntityPath {
        let mut p = self.clone();
        p.steps.push((nav.to_string(), key.map(str::to_string)));
        p
    }

    /// The top-level `(set, id)` when the path is one.
    pub fn top(&self) -> Option<(&str, &str)> {
        match (&self.root, self.steps.is_empty()) {
            (Root::Set(s, id), true) => Some((s, id)),
            _ => None,
        }
    }
}

/// Soft-deleted directory objects (`directory/deletedItems`).
#[derive(Debug, Clone)]
pub struct Deleted {
    pub set: String,
    pub entity: Entity,
    /// What the tenant keeps outside the store, for `restore`.
    pub kept: Kept,
    /// The groups the object was a direct member of.
    pub member_of: Vec<String>,
    /// Role and app-role assignments the object held, withdrawn while it is deleted.
    pub assignments: Vec<Entity>,
}

/// What a deleted user, group or application had in the tenant's own tables.
#[derive(Debug, Clone, Default)]
pub enum Kept {
    #[default]
    None,
    User(Box<crate::sandbox::state::User>),
    Members(Vec<String>),
    App(Box<crate::sandbox::state::App>),
}

/// Every generic entity of a tenant.
#[derive(Debug, Default, Clone)]
pub struct Store {
    /// Entity set → key → entity.
    pub sets: HashMap<String, IndexMap<String, Entity>>,
    pub singletons: HashMap<String, Entity>,
    /// Key of every top-level entity → its set (for `directoryObjects` and links).
    pub index: HashMap<String, String>,
    /// Soft-deleted directory objects by id.
    pub deleted: IndexMap<String, Deleted>,
    /// Change counter for delta links.
    pub version: u64,
}

impl Store {
    /// The set holding top-level key `id`, when the store holds it.
    pub fn set_of(&self, id: &str) -> Option<&str> {
        self.index.get(id).map(String::as_str)
    }

    pub fn insert_top(&mut self, set: &str, entity: Entity) {
        let id = entity.id().to_string();
        self.index.insert(id.clone(), set.to_string());
        self.sets
            .entry(set.to_string())
            .or_default()
            .insert(id, entity);
        self.version += 1;
    }

    pub fn remove_top(&mut self, set: &str, id: &str) -> Option<Entity> {
        self.index.remove(id);
        self.version += 1;
        let removed = self.sets.get_mut(set)?.shift_remove(id);
        self.forget(id);
        removed
    }

    /// Removes every link to `id` (referential integrity after a delete).
    pub fn forget(&mut self, id: &str) {
        for set in self.sets.values_mut() {
            for e in set.values_mut() {
                e.forget(id);
            }
        }
        for e in self.singletons.values_mut() {
            e.forget(id);
        }
    }

    /// The entity at `path`.
    pub fn get(&self, path: &EntityPath) -> Option<&Entity> {
        let mut e = match &path.root {
            Root::Set(s, id) => self.sets.get(s)?.get(id)?,
            Root::Singleton(s) => self.singletons.get(s)?,
        };
        for (nav, key) in &path.steps {
            e = match (e.nav.get(nav)?, key) {
                (Nav::Many(m), Some(k)) => m.get(k)?,
                (Nav::One(c), None) => c,
                _ => return None,
            };
        }
        Some(e)
    }

    /// The entity at `path`, creating empty single-valued containments, singletons and
    /// overlay roots on the way: `types[i]` is the type of level `i` (0 the root), `None`
    /// where nothing may be created.
    pub fn get_mut(&mut self, path: &EntityPath, types: &[Option<String>]) -> Option<&mut Entity> {
        let create = |level: usize| types.get(level).cloned().flatten();
        let mut e = match &path.root {
            Root::Set(s, id) => {
                let set = self.sets.entry(s.clone()).or_default();
                if !set.contains_key(id) {
                    let ty = create(0)?;
                    let mut o = Map::new();
                    o.insert("id".into(), Value::String(id.clone()));
                    set.insert(id.clone(), Entity::new(&ty, o));
                }
                set.get_mut(id)?
            }
            Root::Singleton(s) => {
                if !self.singletons.contains_key(s) {
                    let ty = create(0)?;
                    let mut o = Map::new();
                    o.insert("id".into(), Value::String(crate::sandbox::state::new_id()));
                    self.singletons.insert(s.clone(), Entity::new(&ty, o));
                }
                self.singletons.get_mut(s)?
            }
        };
        for (level, (nav, key)) in path.steps.iter().enumerate() {
            e = match key {
                Some(k) => e.many_mut(nav).get_mut(k)?,
                None => {
                    if !matches!(e.nav.get(nav), Some(Nav::One(_))) {
                        let ty = create(level + 1)?;
                        let mut o = Map::new();
                        o.insert("id".into(), Value::String(nav.clone()));
                        e.nav
                            .insert(nav.clone(), Nav::One(Box::new(Entity::new(&ty, o))));
                    }
                    match e.nav.get_mut(nav) {
                        Some(Nav::One(c)) => c,
                        _ => return None,
                    }
                }
            };
        }
        Some(e)
    }
}
