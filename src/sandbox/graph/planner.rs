//! Planner (<https://learn.microsoft.com/graph/api/resources/planner-overview>): plans,
//! buckets and tasks are kept once, in the flat collections of the `planner` singleton
//! (`/planner/plans`, `/planner/buckets`, `/planner/tasks`), and every other collection of
//! them is derived from those, so the two can never disagree:
//!
//! - a plan's `buckets` and `tasks` are those whose `planId` it is (plannerplan-list-buckets,
//!   plannerplan-list-tasks), a bucket's `tasks` those whose `bucketId` it is
//!   (plannerbucket-list-tasks);
//! - a group's `planner/plans` are the plans it contains (plannergroup-list-plans);
//! - a user's `planner/tasks` are the tasks assigned to it, the keys of their `assignments`
//!   (planneruser-list-tasks), its `planner/plans` those of the groups it is a member of
//!   (planneruser-list-plans).
//!
//! Graph creates them only in the flat collections (planner-post-plans,
//! planner-post-buckets, planner-post-tasks): a POST to a derived collection is a 405. A new
//! plan names its group by `container` or, the older form, by `owner`; Graph fills the other
//! and the container's `containerId` and `type`. Deleting a plan deletes its buckets and
//! tasks (plannerplan-delete).

use serde_json::{json, Map, Value};

use super::derived::keyed;
use super::links::text;
use crate::sandbox::odata::GraphErr;
use crate::sandbox::state::Tenant;
use crate::sandbox::store::{Entity, EntityPath, Root};

/// The singleton that holds every planner object.
const PLANNER: &str = "planner";
const PLANS: &str = "plans";
const BUCKETS: &str = "buckets";
const TASKS: &str = "tasks";
/// The only container type the sandbox holds plans in (plannerContainerType `group`).
const GROUP: &str = "group";

/// The ids navigation `nav` of the planner entity at `owner` derives (see the module doc),
/// `None` for any other navigation.
pub fn links(t: &Tenant, owner: &EntityPath, nav: &str) -> Option<Vec<String>> {
    let steps: Vec<(&str, Option<&str>)> = owner
        .steps
        .iter()
        .map(|(n, k)| (n.as_str(), k.as_deref()))
        .collect();
    match (&owner.root, steps.as_slice()) {
        (Root::Singleton(s), [(coll, Some(id))]) if s == PLANNER => {
            let key = match (*coll, nav) {
                (PLANS, TASKS | BUCKETS) => "planId",
                (BUCKETS, TASKS) => "bucketId",
                _ => return None,
            };
            Some(keyed(held(t, nav), key, id))
        }
        (Root::Set(set, id), [(PLANNER, None)]) => match (set.as_str(), nav) {
            ("groups", PLANS) => Some(plans_of(t, std::slice::from_ref(id))),
            ("users", PLANS) => Some(plans_of(
                t,
                &super::directory::related_ids(t, id, "memberOf"),
            )),
            ("users", TASKS) => Some(assigned(t, id)),
            _ => None,
        },
        _ => None,
    }
}

/// The objects of the flat collection `nav` (`plans`, `buckets`, `tasks`) of `/planner`.
fn held<'t>(t: &'t Tenant, nav: &str) -> impl Iterator<Item = &'t Entity> {
    t.store
        .singletons
        .get(PLANNER)
        .and_then(|p| p.many(nav))
        .into_iter()
        .flat_map(|m| m.values())
}

/// The plans contained in any of `groups`.
fn plans_of(t: &Tenant, groups: &[String]) -> Vec<String> {
    held(t, PLANS)
        .filter(|p| {
            let group = container_group(&p.object);
            groups.iter().any(|g| g.eq_ignore_ascii_case(group))
        })
        .map(|p| p.id().to_string())
        .collect()
}

/// The group a stored plan belongs to: its container's id, else its legacy `owner`.
fn container_group(plan: &Map<String, Value>) -> &str {
    plan.get("container")
        .and_then(Value::as_object)
        .map(|c| text(c, "containerId"))
        .filter(|id| !id.is_empty())
        .unwrap_or_else(|| text(plan, "owner"))
}

/// The tasks assigned to user `id`: `assignments` is an open object keyed by user id
/// (plannerAssignments).
fn assigned(t: &Tenant, id: &str) -> Vec<String> {
    held(t, TASKS)
        .filter(|task| {
            task.object
                .get("assignments")
                .and_then(Value::as_object)
                .is_some_and(|a| a.keys().any(|k| k.eq_ignore_ascii_case(id)))
        })
        .map(|task| task.id().to_string())
        .collect()
}

/// Whether `path` is the `planner` singleton itself.
fn is_planner(path: &EntityPath) -> bool {
    path.steps.is_empty() && path.root == Root::Singleton(PLANNER.into())
}

/// Completes a plan created in `/planner/plans` as Graph does (planner-post-plans): from
/// `container` (`{"url": "https://graph.microsoft.com/v1.0/groups/{id}"}`, or
/// `{"containerId": "{id}", "type": "group"}`) or the legacy `owner` (`"{id}"`), the group,
/// which must exist; then `container` is `{"containerId", "type": "group", "url"}` and
/// `owner` the group's id. Any other create passes unchanged.
pub fn before_create(
    t: &Tenant,
    owner: &EntityPath,
    nav: &str,
    object: &mut Map<String, Value>,
) -> Result<(), GraphErr> {
    if !is_planner(owner) || nav != PLANS {
        return Ok(());
    }
    let container = object.get("container").and_then(Value::as_object);
    let group = match container {
        Some(c) => container_id(c)?,
        None => text(object, "owner").to_string(),
    };
    if group.is_empty() {
        // Planner's schema validation of a plan without a group.
        return Err(GraphErr::bad_request(
            "Schema validation has failed. Validation for field 'Container', on entity 'Plan' has failed: A non-null value must be specified for this field.",
        ));
    }
    // An unknown group, as Graph refuses a reference to a missing object.
    let group = t
        .groups
        .keys()
        .find(|g| g.eq_ignore_ascii_case(&group))
        .cloned()
        .ok_or_else(|| GraphErr::not_found(&group))?;
    let url = container
        .map(|c| text(c, "url"))
        .filter(|u| !u.is_empty())
        .map_or_else(
            || format!("https://graph.microsoft.com/v1.0/groups/{group}"),
            str::to_string,
        );
    object.insert(
        "container".into(),
        json!({"containerId": group, "type": GROUP, "url": url}),
    );
    object.insert("owner".into(), json!(group));
    Ok(())
}

/// The group id a plan's `container` names: its `containerId` (of type `group`), else the
/// last key of its `url`, which must address a group.
fn container_id(c: &Map<String, Value>) -> Result<String, GraphErr> {
    let ty = text(c, "type");
    if !ty.is_empty() && !ty.eq_ignore_ascii_case(GROUP) {
        return Err(GraphErr::bad_request(format!(
            "Plans in a container of type '{ty}' are not supported; use a group."
        )));
    }
    let id = text(c, "containerId");
    if !id.is_empty() {
        return Ok(id.to_string());
    }
    let url = text(c, "url");
    let path = url.split('?').next().unwrap_or(url).to_ascii_lowercase();
    if !url.is_empty() && !path.contains("/groups") {
        return Err(GraphErr::bad_request(format!(
            "The container url '{url}' does not address a group."
        )));
    }
    Ok(super::generic::id_of_url(url).unwrap_or_default())
}

/// After plan `removed` left `/planner/plans`, its buckets and tasks go too
/// (plannerplan-delete); every other delete leaves the rest as it is.
pub fn after_delete(t: &mut Tenant, owner: &EntityPath, nav: &str, removed: &Entity) {
    if !is_planner(owner) || nav != PLANS {
        return;
    }
    let Some(planner) = t.store.singletons.get_mut(PLANNER) else {
        return;
    };
    let plan = removed.id();
    for coll in [BUCKETS, TASKS] {
        planner
            .many_mut(coll)
            .retain(|_, e| !text(&e.object, "planId").eq_ignore_ascii_case(plan));
    }
}
