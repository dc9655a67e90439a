//! Soft delete and restore of directory objects, as Graph keeps them
//! (learn.microsoft.com/graph/api/directory-deleteditems-list, /directory-deleteditems-restore,
//! /directory-deleteditems-delete): a deleted user, Microsoft 365 group or application goes to
//! `directory/deletedItems` for 30 days with `deletedDateTime` set, and `restore` brings it
//! back whole (a user's password, roles and methods, a group's members, an application's
//! credentials, what hangs below each, and the groups it was a member of). A deleted user's
//! `userPrincipalName` is prefixed with its id without dashes while deleted, which frees the
//! name; security groups are deleted for good, as Graph deletes them. A deleted user's
//! directory-role and app-role assignments leave with it (they no longer show in
//! `roleManagement/directory/roleAssignments`, a role's `members` or a resource's
//! `appRoleAssignedTo`) and come back on restore, as Entra keeps a soft-deleted object's
//! relationships (learn.microsoft.com/entra/architecture/recover-from-deletions). A
//! Microsoft 365 group's team is deleted and restored with it.

use serde_json::{json, Map, Value};

use crate::sandbox::odata::GraphErr;
use crate::sandbox::state::{format_timestamp, Precision, Tenant};
use crate::sandbox::store::{Deleted, Entity, Kept, Nav};

use super::generic::{APPLICATIONS, GROUPS, USERS};

fn now() -> Value {
    json!(format_timestamp(chrono::Utc::now(), Precision::Seconds))
}

/// The groups `id` is a direct member of (to restore with it).
fn member_of(t: &Tenant, id: &str) -> Vec<String> {
    t.groups
        .iter()
        .filter(|(_, g)| g.members.iter().any(|m| m == id))
        .map(|(gid, _)| gid.clone())
        .collect()
}

/// Drops `id` from every group's members and every link of the store.
fn unlink(t: &mut Tenant, id: &str) {
    for g in t.groups.values_mut() {
        g.members.retain(|m| m != id);
    }
    t.store.forget(id);
}

/// Deletes user `id` to `deletedItems`. `false` when there is no such user.
pub fn delete_user(t: &mut Tenant, id: &str) -> bool {
    let Some(user) = t.users.get(id).cloned() else {
        return false;
    };
    let groups = member_of(t, id);
    let assignments = super::links::withdraw_assignments(t, id);
    let side = t.store.remove_top(USERS, id).unwrap_or_default();
    t.remove_user(id);
    let mut object = user.object.clone();
    object.insert("deletedDateTime".into(), now());
    if let Some(upn) = object.get("userPrincipalName").and_then(Value::as_str) {
        let mangled = format!("{}{upn}", id.replace('-', ""));
        object.insert("userPrincipalName".into(), json!(mangled));
    }
    keep(
        t,
        USERS,
        "microsoft.graph.user",
        object,
        side,
        Kept::User(Box::new(user)),
        groups,
    );
    if let Some(d) = t.store.deleted.get_mut(id) {
        d.assignments = assignments;
    }
    true
}

/// Whether a group object is a Microsoft 365 group (`groupTypes` holds `Unified`).
fn unified(object: &Map<String, Value>) -> bool {
    object
        .get("groupTypes")
        .and_then(Value::as_array)
        .is_some_and(|a| a.iter().any(|g| g == "Unified"))
}

/// Deletes group `id`: a Microsoft 365 group to `deletedItems`, any other for good. `false`
/// when there is no such group.
pub fn delete_group(t: &mut Tenant, id: &str) -> bool {
    let Some(group) = t.groups.shift_remove(id) else {
        return false;
    };
    let groups = member_of(t, id);
    // A role-assignable group's directory roles and a group's app roles leave with it.
    let assignments = super::links::withdraw_assignments(t, id);
    // Its team leaves with it, kept below it while it is deleted.
    let team = t.store.remove_top(super::teams::TEAMS, id);
    let mut side = t.store.remove_top(GROUPS, id).unwrap_or_default();
    if let Some(team) = team {
        side.nav.insert("team".into(), Nav::One(Box::new(team)));
    }
    unlink(t, id);
    if unified(&group.object) {
        let mut object = group.object.clone();
        object.insert("deletedDateTime".into(), now());
        keep(
            t,
            GROUPS,
            "microsoft.graph.group",
            object,
            side,
            Kept::Members(group.members),
            groups,
        );
        if let Some(d) = t.store.deleted.get_mut(id) {
            d.assignments = assignments;
        }
    } else {
        crate::sandbox::licensing::refresh(t);
    }
    true
}

/// Deletes application `id` (its object id) to `deletedItems`. `false` when there is none.
pub fn delete_application(t: &mut Tenant, id: &str) -> bool {
    let Some(object) = super::generic::overlay_object(t, APPLICATIONS, id) else {
        return false;
    };
    let Some(pos) = t.apps.iter().position(|a| a.object_id == id) else {
        return false;
    };
    let app = t.apps.remove(pos);
    let groups = member_of(t, id);
    let side = t.store.remove_top(APPLICATIONS, id).unwrap_or_default();
    unlink(t, id);
    let mut object = object;
    object.insert("deletedDateTime".into(), now());
    keep(
        t,
        APPLICATIONS,
        "microsoft.graph.application",
        object,
        side,
        Kept::App(Box::new(app)),
        groups,
    );
    true
}

fn keep(
    t: &mut Tenant,
    set: &str,
    ty: &str,
    object: Map<String, Value>,
    mut side: Entity,
    kept: Kept,
    member_of: Vec<String>,
) {
    side.ty = ty.to_string();
    side.object = object;
    let id = side.id().to_string();
    // Licences held through a deleted group leave its members; a deleted user frees units.
    crate::sandbox::licensing::refresh(t);
    t.store.deleted.insert(
        id,
        Deleted {
            set: set.to_string(),
            entity: side,
            kept,
            member_of,
            assignments: vec![],
        },
    );
    t.store.version += 1;
}

fn conflict(prop: &str) -> GraphErr {
    let message = "A conflicting object with one or more of the specified property values is present in the directory.";
    GraphErr::bad_request(message)
        .with_details(json!([{"code": "ObjectConflict", "target": prop, "message": message}]))
}

/// Restores deleted object `id`; answers its type and object as Graph returns them. A user
/// may come back under `new_upn` (directory-deleteditems-restore: "newUserPrincipalName ...
/// the new user principal name for the restored user"), which must be on a verified domain and
/// free.
pub fn restore(
    t: &mut Tenant,
    id: &str,
    new_upn: Option<&str>,
) -> Result<(String, Map<String, Value>), GraphErr> {
    let Some(d) = t.store.deleted.get(id) else {
        return Err(GraphErr::not_found(id));
    };
    let user_upn = match &d.kept {
        Kept::User(u) => Some(new_upn.unwrap_or(u.upn()).to_string()),
        _ if new_upn.is_some() => {
            return Err(GraphErr::bad_request(
                "The newUserPrincipalName parameter is supported only when restoring a user.",
            ))
        }
        _ => None,
    };
    if let (Some(upn), Some(_)) = (&user_upn, new_upn) {
        let domain_ok = upn
            .rsplit_once('@')
            .is_some_and(|(local, d)| !local.is_empty() && t.is_verified_domain(d));
        if !domain_ok {
            return Err(GraphErr::bad_request(
                "The domain portion of the userPrincipalName property is invalid. You must use one of the verified domain names in your organization.",
            )
            .with_details(json!([{"code": "InvalidValue", "target": "userPrincipalName"}])));
        }
    }
    // A user's name may have been taken meanwhile: Graph refuses, and the object stays
    // deleted.
    if let Some(upn) = &user_upn {
        if t.user(upn).is_some() {
            return Err(conflict("userPrincipalName"));
        }
    }
    let Some(d) = t.store.deleted.shift_remove(id) else {
        return Err(GraphErr::not_found(id));
    };
    let Deleted {
        set,
        mut entity,
        kept,
        member_of,
        assignments,
    } = d;
    let ty = entity.ty.clone();
    let mut object = entity.object.clone();
    object.insert("deletedDateTime".into(), Value::Null);
    match kept {
        Kept::User(mut user) => {
            user.object.insert("deletedDateTime".into(), Value::Null);
            if let Some(upn) = &user_upn {
                user.object.insert("userPrincipalName".into(), json!(upn));
            }
            object = user.object.clone();
            t.upn_index
                .insert(user.upn().to_ascii_lowercase(), id.to_string());
            t.users.insert(id.to_string(), *user);
        }
        Kept::Members(members) => {
            let members = members
                .into_iter()
                .filter(|m| t.users.contains_key(m) || t.groups.contains_key(m))
                .collect();
            t.groups.insert(
                id.to_string(),
                crate::sandbox::state::Group {
                    object: object.clone(),
                    members,
                },
            );
        }
        Kept::App(app) => {
            t.apps.push(*app);
        }
        Kept::None => {}
    }
    // What hangs below the object (overlay sets keep their own object in the tenant).
    if matches!(set.as_str(), USERS | GROUPS) {
        entity.object = Map::new();
        entity.object.insert("id".into(), json!(id));
    } else {
        entity.object = object.clone();
    }
    let team = match entity.nav.remove("team") {
        Some(Nav::One(team)) if set == GROUPS => Some(team),
        Some(other) => {
            entity.nav.insert("team".into(), other);
            None
        }
        None => None,
    };
    t.store.insert_top(&set, entity);
    if let Some(team) = team {
        t.store.insert_top(super::teams::TEAMS, *team);
    }
    for g in member_of {
        if let Some(g) = t.groups.get_mut(&g) {
            if !g.members.iter().any(|m| m == id) {
                g.members.push(id.to_string());
            }
        }
    }
    super::links::reinstate_assignments(t, assignments);
    crate::sandbox::licensing::refresh(t);
    Ok((ty, object))
}

/// Deletes object `id` of `deletedItems` for good. `false` when it is not there.
pub fn purge(t: &mut Tenant, id: &str) -> bool {
    let removed = t.store.deleted.shift_remove(id).is_some();
    if removed {
        t.store.version += 1;
    }
    removed
}
