//! Privileged Identity Management requests (`roleManagement/directory/roleAssignmentScheduleRequests`
//! and `roleEligibilityScheduleRequests`): a request is Graph's way to change who holds or may
//! activate a directory role, so creating one changes the assignments, eligibilities and their
//! schedules, as <https://learn.microsoft.com/graph/api/rbacapplication-post-roleassignmentschedulerequests>
//! and <https://learn.microsoft.com/graph/api/rbacapplication-post-roleeligibilityschedulerequests>
//! describe: `adminAssign` and `selfActivate` make an active assignment (`Provisioned`),
//! `adminRemove` and `selfDeactivate` end one (`Revoked`); an eligibility request makes or ends
//! an eligibility. A request that cannot apply (activating without an eligibility, assigning
//! twice, removing what is not there) is refused with Graph's codes.

use serde_json::{json, Map, Value};

use crate::sandbox::odata::GraphErr;
use crate::sandbox::state::{format_timestamp, new_id, Precision, Tenant};
use crate::sandbox::store::{Entity, EntityPath, Root};

use super::links::{gives, text};

const ASSIGNMENT_REQUESTS: &str = "roleAssignmentScheduleRequests";
const ELIGIBILITY_REQUESTS: &str = "roleEligibilityScheduleRequests";
const ELIGIBILITY_SCHEDULE: &str = "microsoft.graph.unifiedRoleEligibilitySchedule";
const ELIGIBILITY_INSTANCE: &str = "microsoft.graph.unifiedRoleEligibilityScheduleInstance";

/// Whether `owner`/`nav` is one of the directory's PIM request collections.
pub fn is_request(owner: &EntityPath, nav: &str) -> bool {
    matches!(nav, ASSIGNMENT_REQUESTS | ELIGIBILITY_REQUESTS)
        && owner.root == Root::Singleton("roleManagement".into())
        && owner.steps == [("directory".to_string(), None)]
}

/// What a request changes: (principal, role definition, directory scope).
fn target(object: &Map<String, Value>) -> (String, String, String) {
    let scope = match text(object, "directoryScopeId") {
        "" => "/",
        s => s,
    };
    (
        text(object, "principalId").to_string(),
        text(object, "roleDefinitionId").to_string(),
        scope.to_string(),
    )
}

/// Whether collection `nav` of the directory holds an entry for the target.
fn holds(t: &Tenant, owner: &EntityPath, nav: &str, (p, r, s): &(String, String, String)) -> bool {
    t.store
        .get(owner)
        .and_then(|d| d.many(nav))
        .is_some_and(|m| m.values().any(|e| gives(&e.object, p, r, s)))
}

fn refused(code: &'static str, message: &str) -> GraphErr {
    GraphErr::new(axum::http::StatusCode::BAD_REQUEST, code, message)
}

/// Checks a new request and completes it as Graph answers it (status, target schedule,
/// timestamps); `Err` is Graph's refusal. The principal and role definition were checked by
/// the caller's rules for assignments.
pub fn before_create(
    t: &Tenant,
    owner: &EntityPath,
    nav: &str,
    object: &mut Map<String, Value>,
) -> Result<(), GraphErr> {
    let action = text(object, "action").to_ascii_lowercase();
    let key = target(object);
    let eligible = holds(t, owner, "roleEligibilitySchedules", &key);
    let assigned = holds(t, owner, "roleAssignments", &key);
    let exists = || {
        refused(
            "RoleAssignmentExists",
            "The Role assignment already exists.",
        )
    };
    let missing = || {
        refused(
            "RoleAssignmentDoesNotExist",
            "The Role assignment does not exist.",
        )
    };
    let status = match (nav, action.as_str()) {
        (ASSIGNMENT_REQUESTS, "adminassign") if assigned => return Err(exists()),
        (ASSIGNMENT_REQUESTS, "selfactivate") if assigned => return Err(exists()),
        (ASSIGNMENT_REQUESTS, "selfactivate") if !eligible => {
            return Err(refused(
                "RoleEligibilityScheduleNotFound",
                "The principal has no eligibility for this role at this scope to activate.",
            ))
        }
        (ASSIGNMENT_REQUESTS, "adminremove" | "selfdeactivate") if !assigned => {
            return Err(missing())
        }
        (ELIGIBILITY_REQUESTS, "adminassign") if eligible => return Err(exists()),
        (ELIGIBILITY_REQUESTS, "adminremove") if !eligible => return Err(missing()),
        (_, "adminassign" | "selfactivate") => "Provisioned",
        (_, "adminremove" | "selfdeactivate") => "Revoked",
        (_, "adminupdate" | "adminextend" | "adminrenew" | "selfextend" | "selfrenew") => {
            "Provisioned"
        }
        _ => {
            return Err(GraphErr::bad_request(format!(
                "Invalid value '{}' for property 'action'.",
                text(object, "action")
            )))
        }
    };
    let now = format_timestamp(chrono::Utc::now(), Precision::Ticks);
    object.insert("status".into(), json!(status));
    object.insert("createdDateTime".into(), json!(now));
    object.insert("completedDateTime".into(), json!(now));
    object.insert("directoryScopeId".into(), json!(key.2));
    object
        .entry("isValidationOnly")
        .or_insert(Value::Bool(false));
    if status == "Provisioned" {
        object.insert("targetScheduleId".into(), json!(new_id()));
    }
    Ok(())
}

/// Applies a stored request: the assignment or eligibility it makes or ends.
pub fn after_create(t: &mut Tenant, nav: &str, request: &Map<String, Value>) {
    let action = text(request, "action").to_ascii_lowercase();
    let key = target(request);
    let adding = matches!(action.as_str(), "adminassign" | "selfactivate");
    let removing = matches!(action.as_str(), "adminremove" | "selfdeactivate");
    let schedule_id = text(request, "targetScheduleId").to_string();
    let start = request
        .get("scheduleInfo")
        .and_then(|s| s.get("startDateTime"))
        .filter(|v| !v.is_null())
        .cloned()
        .unwrap_or_else(|| json!(format_timestamp(chrono::Utc::now(), Precision::Ticks)));
    let end = request
        .get("scheduleInfo")
        .and_then(|s| s.get("expiration"))
        .and_then(|e| e.get("endDateTime"))
        .cloned()
        .unwrap_or(Value::Null);
    let tenant_id = t.id.clone();
    match (nav, adding, removing) {
        (ASSIGNMENT_REQUESTS, true, _) => {
            let assignment = json!({
                "id": schedule_id, "principalId": key.0, "roleDefinitionId": key.1,
                "directoryScopeId": key.2, "appScopeId": request.get("appScopeId").cloned().unwrap_or(Value::Null),
                "condition": null, "principalOrganizationId": tenant_id,
            });
            let assignment = assignment.as_object().cloned().unwrap_or_default();
            super::links::add_assignment(t, assignment);
        }
        (ASSIGNMENT_REQUESTS, _, true) => {
            super::links::remove_assignments(t, &key.0, &key.1, &key.2)
        }
        (ELIGIBILITY_REQUESTS, true, _) => {
            let instance = json!({
                "id": schedule_id, "principalId": key.0, "roleDefinitionId": key.1,
                "directoryScopeId": key.2, "appScopeId": null, "startDateTime": start,
                "endDateTime": end, "memberType": "Direct", "roleEligibilityScheduleId": schedule_id,
            });
            let instance = instance.as_object().cloned().unwrap_or_default();
            let schedule = crate::sandbox::defaults::eligibility_schedule(&instance);
            if let Some(d) = super::links::rbac_directory(t) {
                d.many_mut("roleEligibilityScheduleInstances").insert(
                    schedule_id.clone(),
                    Entity::new(ELIGIBILITY_INSTANCE, instance),
                );
                d.many_mut("roleEligibilitySchedules")
                    .insert(schedule_id, Entity::new(ELIGIBILITY_SCHEDULE, schedule));
            }
        }
        (ELIGIBILITY_REQUESTS, _, true) => {
            if let Some(d) = super::links::rbac_directory(t) {
                for nav in [
                    "roleEligibilitySchedules",
                    "roleEligibilityScheduleInstances",
                ] {
                    d.many_mut(nav)
                        .retain(|_, e| !gives(&e.object, &key.0, &key.1, &key.2));
                }
            }
        }
        _ => return,
    }
    t.store.version += 1;
}
