//! Directory audit records of the sandbox's own writes (`auditLogs/directoryAudits`;
//! learn.microsoft.com/graph/api/resources/directoryaudit): Entra's audit log records who
//! added, changed or removed a user, group, application, service principal, role member or
//! Conditional Access policy, so a script that reports "what changed today" finds what a
//! rehearsal did. Activity names, categories and operation types are Entra's
//! (learn.microsoft.com/entra/identity/monitoring-health/reference-audit-activities). Only
//! successful writes are recorded; the newest record comes first, as Graph lists them.

use axum::http::Method;
use serde_json::{json, Map, Value};

use super::Ctx;
use crate::sandbox::state::{format_timestamp, new_id, Precision, Tenant};
use crate::sandbox::store::{Entity, EntityPath, Root};

/// The most records kept: a long-running sandbox drops the oldest, as Entra keeps 30 days.
const MAX_RECORDS: usize = 10_000;

/// `(activityDisplayName, category, operationType, target type)`.
type Activity = (&'static str, &'static str, &'static str, &'static str);

/// The activity a write is, and which segment names its target (`None`: the object the
/// request created, named by the answer's `Location`).
fn activity(method: &Method, s: &[&str]) -> Option<(Activity, Option<usize>)> {
    const USER: &str = "User";
    const GROUP: &str = "Group";
    const APP: &str = "Application";
    const SP: &str = "ServicePrincipal";
    const POLICY: &str = "Policy";
    let m = method.as_str();
    Some(match (m, s) {
        ("POST", ["users"]) => (("Add user", "UserManagement", "Add", USER), None),
        ("PATCH", ["users", _]) => (("Update user", "UserManagement", "Update", USER), Some(1)),
        ("DELETE", ["users", _]) => (("Delete user", "UserManagement", "Delete", USER), Some(1)),
        ("POST", ["users", _, "assignLicense"]) => (
            ("Change user license", "UserManagement", "Update", USER),
            Some(1),
        ),
        ("POST", ["groups"]) => (("Add group", "GroupManagement", "Add", GROUP), None),
        ("PATCH", ["groups", _]) => (
            ("Update group", "GroupManagement", "Update", GROUP),
            Some(1),
        ),
        ("DELETE", ["groups", _]) => (
            ("Delete group", "GroupManagement", "Delete", GROUP),
            Some(1),
        ),
        ("POST", ["groups", _, "members", "$ref"]) => (
            ("Add member to group", "GroupManagement", "Assign", GROUP),
            Some(1),
        ),
        ("DELETE", ["groups", _, "members", _, "$ref"]) => (
            (
                "Remove member from group",
                "GroupManagement",
                "Unassign",
                GROUP,
            ),
            Some(1),
        ),
        ("POST", ["groups", _, "owners", "$ref"]) => (
            ("Add owner to group", "GroupManagement", "Assign", GROUP),
            Some(1),
        ),
        ("POST", ["applications"]) => (
            ("Add application", "ApplicationManagement", "Add", APP),
            None,
        ),
        ("PATCH", ["applications", _]) => (
            ("Update application", "ApplicationManagement", "Update", APP),
            Some(1),
        ),
        ("DELETE", ["applications", _]) => (
            ("Delete application", "ApplicationManagement", "Delete", APP),
            Some(1),
        ),
        (
            "POST",
            ["applications", _, "addPassword" | "removePassword" | "addKey" | "removeKey"],
        ) => (
            (
                "Update application – Certificates and secrets management ",
                "ApplicationManagement",
                "Update",
                APP,
            ),
            Some(1),
        ),
        ("POST", ["servicePrincipals"]) => (
            ("Add service principal", "ApplicationManagement", "Add", SP),
            None,
        ),
        ("DELETE", ["servicePrincipals", _]) => (
            (
                "Remove service principal",
                "ApplicationManagement",
                "Delete",
                SP,
            ),
            Some(1),
        ),
        ("POST", ["roleManagement", "directory", "roleAssignments"]) => (
            ("Add member to role", "RoleManagement", "Assign", "Role"),
            None,
        ),
        ("POST", ["identity", "conditionalAccess", "policies"]) => (
            ("Add conditional access policy", POLICY, "Add", POLICY),
            None,
        ),
        ("PATCH", ["identity", "conditionalAccess", "policies", _]) => (
            ("Update conditional access policy", POLICY, "Update", POLICY),
            Some(3),
        ),
        ("DELETE", ["identity", "conditionalAccess", "policies", _]) => (
            ("Delete conditional access policy", POLICY, "Delete", POLICY),
            Some(3),
        ),
        _ => return None,
    })
}

/// Records the successful write `w` when it is an audited activity.
pub fn record(t: &mut Tenant, ctx: &Ctx, method: &Method, w: &super::Written) {
    let s: Vec<&str> = w.segs.iter().map(String::as_str).collect();
    let Some(((name, category, operation, kind), target)) = activity(method, &s) else {
        return;
    };
    let target_id = match target {
        Some(i) => s
            .get(i)
            .map(|k| t.user_id(k).unwrap_or_else(|| k.to_string())),
        None => w.created.clone(),
    }
    .unwrap_or_default();
    let record = json!({
        "id": format!("Directory_{}", new_id()),
        "category": category,
        "correlationId": new_id(),
        "result": "success",
        "resultReason": "",
        "activityDisplayName": name,
        "activityDateTime": format_timestamp(chrono::Utc::now(), Precision::Ticks),
        "loggedByService": "Core Directory",
        "operationType": operation,
        "initiatedBy": initiator(t, ctx),
        "targetResources": [resource(t, kind, &target_id)],
        "additionalDetails": [],
    });
    let Value::Object(record) = record else {
        return;
    };
    let root = EntityPath {
        root: Root::Singleton("auditLogs".into()),
        steps: vec![],
    };
    if let Some(logs) = t
        .store
        .get_mut(&root, &[Some("microsoft.graph.auditLogRoot".into())])
    {
        let id = record["id"].as_str().unwrap_or_default().to_string();
        let audits = logs.many_mut("directoryAudits");
        audits.shift_insert(0, id, Entity::new("microsoft.graph.directoryAudit", record));
        audits.truncate(MAX_RECORDS);
        t.store.version += 1;
    }
}

/// `initiatedBy`: the signed-in user, or the application of an app-only token.
fn initiator(t: &Tenant, ctx: &Ctx) -> Value {
    match &ctx.principal.user_id {
        Some(id) => {
            let upn = t
                .users
                .get(id)
                .and_then(|u| u.object.get("userPrincipalName").cloned());
            json!({"app": null, "user": {
                "id": id, "displayName": null, "userPrincipalName": upn, "ipAddress": "127.0.0.1",
                "userType": null, "homeTenantId": null, "homeTenantName": null,
            }})
        }
        None => {
            let app = &ctx.principal.app_id;
            let name = t
                .apps
                .iter()
                .find(|a| a.client_id.eq_ignore_ascii_case(app))
                .map(|a| a.display_name.clone());
            json!({"user": null, "app": {
                "appId": app, "displayName": name, "servicePrincipalId": null,
                "servicePrincipalName": null,
            }})
        }
    }
}

/// A `targetResource` for the object `id` of `kind`, with what the tenant still knows of it
/// (nothing but the id once it is deleted).
fn resource(t: &Tenant, kind: &str, id: &str) -> Value {
    let object: Option<&Map<String, Value>> = match kind {
        "User" => t.users.get(id).map(|u| &u.object),
        "Group" => t.groups.get(id).map(|g| &g.object),
        _ => None,
    };
    let text = |k: &str| {
        object
            .and_then(|o| o.get(k))
            .cloned()
            .unwrap_or(Value::Null)
    };
    let name = match kind {
        "Application" => t
            .apps
            .iter()
            .find(|a| a.object_id == id)
            .map(|a| json!(a.display_name))
            .unwrap_or(Value::Null),
        "User" => Value::Null,
        _ => text("displayName"),
    };
    json!({
        "id": id, "displayName": name, "type": kind,
        "userPrincipalName": if kind == "User" { text("userPrincipalName") } else { Value::Null },
        "groupType": null, "modifiedProperties": [],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_are_named_as_entra_names_them() {
        let name = |m: Method, s: &[&str]| activity(&m, s).map(|((n, ..), t)| (n, t));
        assert_eq!(name(Method::POST, &["users"]), Some(("Add user", None)));
        assert_eq!(
            name(Method::PATCH, &["users", "u1"]),
            Some(("Update user", Some(1)))
        );
        assert_eq!(
            name(Method::DELETE, &["groups", "g1", "members", "u1", "$ref"]),
            Some(("Remove member from group", Some(1)))
        );
        assert_eq!(name(Method::GET, &["users"]), None);
        assert_eq!(name(Method::POST, &["users", "u1", "messages"]), None);
    }
}
