//! Navigation collections Graph derives from other objects rather than keeping as links of
//! their own, so they can never disagree with what they are derived from:
//!
//! - by a foreign key of another entity set: a service principal's `oauth2PermissionGrants`
//!   are the grants whose `clientId` it is
//!   (learn.microsoft.com/graph/api/serviceprincipal-list-oauth2permissiongrants), a user's
//!   the grants whose `principalId` it is (user-list-oauth2permissiongrants);
//! - as the inverse of another object's links: a user's or service principal's
//!   `ownedObjects` are the groups, applications and service principals that list it among
//!   their `owners` (user-list-ownedobjects), a user's `ownedDevices` and `registeredDevices`
//!   the devices that list it among their `registeredOwners` and `registeredUsers`;
//! - by membership: a user's `joinedTeams` are the teams whose members name it
//!   (user-list-joinedteams; the CSDL calls the collection contained), and a team's `group`
//!   is the group of its id;
//! - below the `planner` singleton and a user's or group's `planner`: a plan's tasks and
//!   buckets, a bucket's tasks, a group's plans, a user's tasks and plans
//!   ([`super::planner::links`]).
//!
//! Adding a grant, an owner (`owners/$ref`, `owners@odata.bind`) or a device owner therefore
//! shows on the other side at once, and removing it (or deleting the object) withdraws it.

use crate::sandbox::state::Tenant;
use crate::sandbox::store::{Entity, EntityPath};

const GRANTS: &str = "oauth2PermissionGrants";
/// The sets whose objects have `owners` (groups keep theirs in the store's side entity).
const OWNED: &[&str] = &["groups", "applications", "servicePrincipals"];

/// The ids navigation `nav` of the entity at `owner` derives, when Graph derives it.
pub fn links(t: &Tenant, owner: &EntityPath, nav: &str) -> Option<Vec<String>> {
    let Some((set, id)) = owner.top() else {
        // Contained entities (a plan below `/planner`, a user's `planner`).
        return super::planner::links(t, owner, nav);
    };
    Some(match (set, nav) {
        ("servicePrincipals", GRANTS) => by_key(t, GRANTS, "clientId", id),
        ("users", GRANTS) => by_key(t, GRANTS, "principalId", id),
        ("users" | "servicePrincipals", "ownedObjects") => linking(t, OWNED, "owners", id),
        ("users", "ownedDevices") => linking(t, &["devices"], "registeredOwners", id),
        ("users", "registeredDevices") => linking(t, &["devices"], "registeredUsers", id),
        ("users", "joinedTeams") => super::teams::joined(t, id),
        ("teams", "group") => t.groups.contains_key(id).then(|| vec![id.to_string()])?,
        _ => return None,
    })
}

/// The objects of entity set `set` whose property `key` is `id`.
fn by_key(t: &Tenant, set: &str, key: &str, id: &str) -> Vec<String> {
    keyed(
        t.store.sets.get(set).into_iter().flat_map(|s| s.values()),
        key,
        id,
    )
}

/// The ids of `entities` whose property `key` is `id` (in any case, as Graph compares ids).
pub(super) fn keyed<'a>(
    entities: impl Iterator<Item = &'a Entity>,
    key: &str,
    id: &str,
) -> Vec<String> {
    entities
        .filter(|e| {
            e.object
                .get(key)
                .and_then(serde_json::Value::as_str)
                .is_some_and(|v| v.eq_ignore_ascii_case(id))
        })
        .map(|e| e.id().to_string())
        .collect()
}

/// The objects of `sets` whose links `nav` hold `id`.
fn linking(t: &Tenant, sets: &[&str], nav: &str, id: &str) -> Vec<String> {
    sets.iter()
        .filter_map(|s| t.store.sets.get(*s))
        .flat_map(|s| s.iter())
        .filter(|(_, e)| e.refs(nav).iter().any(|r| r == id))
        .map(|(k, _)| k.clone())
        .collect()
}
