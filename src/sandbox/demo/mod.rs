//! The demo tenant: what `mggraph-sandbox` and `Connect-MgGraph -Environment Sandbox` start
//! with unless told `--empty`, so the common admin scripts (stale devices, expiring app
//! secrets, licence reports, sign-in reviews, role audits, MFA registration) have something
//! to work on.
//!
//! Everything is drawn from one seeded generator, so a given `--seed` gives the same tenant
//! (ids, names, memberships); dates are offsets from the start time, so "stale" and
//! "expiring" stay true whenever the sandbox runs. Types and navigation names follow Graph's
//! v1.0 metadata (a test checks them against the catalog); nothing here reads the catalog,
//! which keeps start-up off its build.

mod apps;
mod devices;
mod directory;
mod logs;
mod people;
mod policies;

use chrono::{DateTime, Duration, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Map, Value};

use super::state::{format_timestamp, Precision, Tenant};
use super::store::{Entity, EntityPath, Nav};

/// The seed used when none is given.
pub const DEFAULT_SEED: u64 = 2026;

/// How big the demo tenant is: members and guests on top of the built-in four users.
#[derive(Debug, Clone, Copy)]
pub struct Size {
    pub members: usize,
    pub guests: usize,
}

impl Default for Size {
    fn default() -> Self {
        Size {
            members: 240,
            guests: 40,
        }
    }
}

/// Fills `tenant` (already holding the administrator, the named users and the apps the
/// identity platform needs) with the demo data drawn from `seed`.
pub fn populate(tenant: &mut Tenant, seed: u64, size: Size) {
    let mut d = Draw::new(seed);
    directory::organization(tenant, &mut d);
    let skus = directory::subscribed_skus(tenant, &mut d);
    let people = people::people(tenant, &mut d, size, &skus);
    directory::groups(tenant, &mut d, &people);
    let graph_sp = apps::apps(tenant, &mut d, &people);
    directory::roles(tenant, &mut d, &people);
    devices::devices(tenant, &mut d, &people);
    logs::sign_ins(tenant, &mut d, &people, &graph_sp);
    logs::directory_audits(tenant, &mut d, &people);
    logs::registration_details(tenant, &people);
    logs::conditional_access(tenant, &mut d, &people);
}

/// The seeded generator and the start time every date is an offset from.
pub struct Draw {
    rng: StdRng,
    pub now: DateTime<Utc>,
}

impl Draw {
    fn new(seed: u64) -> Draw {
        Draw {
            rng: StdRng::seed_from_u64(seed),
            now: Utc::now(),
        }
    }

    /// A GUID from the generator (version 4 layout).
    pub fn id(&mut self) -> String {
        let bytes: [u8; 16] = self.rng.gen();
        uuid::Builder::from_random_bytes(bytes)
            .into_uuid()
            .to_string()
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.rng.gen_bool(p.clamp(0.0, 1.0))
    }

    /// A whole number in `lo..hi`.
    pub fn int(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            lo
        } else {
            self.rng.gen_range(lo..hi)
        }
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.rng.gen_range(0..items.len())]
    }

    /// A time `days` days (plus a random part of a day) before the start.
    pub fn days_ago(&mut self, days: i64) -> DateTime<Utc> {
        let secs = self.rng.gen_range(0..86_400);
        self.now - Duration::days(days) - Duration::seconds(secs)
    }

    /// A time between `lo` and `hi` days before the start.
    pub fn ago(&mut self, lo: i64, hi: i64) -> DateTime<Utc> {
        let days = self.int(lo, hi);
        self.days_ago(days)
    }

    /// `n` random decimal digits.
    pub fn digits(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b'0' + self.rng.gen_range(0..10u8)))
            .collect()
    }
}

/// A directory object's timestamp (whole seconds).
pub fn secs(t: DateTime<Utc>) -> Value {
    Value::String(format_timestamp(t, Precision::Seconds))
}

/// A timestamp of the other workloads (seven fractional digits).
pub fn ticks(t: DateTime<Utc>) -> Value {
    Value::String(format_timestamp(t, Precision::Ticks))
}

/// A JSON object literal's map.
pub fn obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// The store entity of top-level overlay entity `(set, id)` (users, groups, applications),
/// created empty if need be, for what hangs below it.
pub fn overlay_entity<'t>(tenant: &'t mut Tenant, set: &str, ty: &str, id: &str) -> &'t mut Entity {
    let path = EntityPath::set_item(set, id);
    tenant
        .store
        .get_mut(&path, &[Some(ty.to_string())])
        .expect("an overlay root is created on demand")
}

/// A singleton of the store, created empty if need be.
pub fn singleton<'t>(tenant: &'t mut Tenant, name: &str, ty: &str) -> &'t mut Entity {
    tenant
        .store
        .singletons
        .entry(name.to_string())
        .or_insert_with(|| {
            let mut o = Map::new();
            o.insert("id".into(), Value::String(name.to_string()));
            Entity::new(ty, o)
        })
}

/// A single-valued contained entity of `e` (`identity/conditionalAccess`), created if need be.
pub fn one<'e>(e: &'e mut Entity, nav: &str, ty: &str) -> &'e mut Entity {
    if !matches!(e.nav.get(nav), Some(Nav::One(_))) {
        let mut o = Map::new();
        o.insert("id".into(), Value::String(nav.to_string()));
        e.nav
            .insert(nav.to_string(), Nav::One(Box::new(Entity::new(ty, o))));
    }
    match e.nav.get_mut(nav) {
        Some(Nav::One(c)) => c,
        _ => unreachable!("just made a One"),
    }
}

/// Adds an entity to the contained collection `nav` of `e`.
pub fn contain(e: &mut Entity, nav: &str, ty: &str, object: Map<String, Value>) {
    let child = Entity::new(ty, object);
    let id = child.id().to_string();
    e.many_mut(nav).insert(id, child);
}

/// The id of the group named `name`.
pub fn group_id(tenant: &Tenant, name: &str) -> Option<String> {
    tenant
        .groups
        .iter()
        .find(|(_, g)| g.object.get("displayName").and_then(Value::as_str) == Some(name))
        .map(|(id, _)| id.clone())
}

/// Adds a top-level entity to entity set `set`.
pub fn insert(tenant: &mut Tenant, set: &str, ty: &str, object: Map<String, Value>) {
    tenant.store.insert_top(set, Entity::new(ty, object));
}

#[cfg(test)]
mod tests;
