//! Objects Graph keeps consistent across the directory, as it derives them:
//!
//! - App-role assignments (learn.microsoft.com/graph/api/serviceprincipal-post-approleassignedto,
//!   /user-post-approleassignments): one assignment seen from both sides, the principal's
//!   `appRoleAssignments` and the resource service principal's `appRoleAssignedTo`, with the
//!   display names and principal type Graph fills in, and Graph's errors for an unknown
//!   principal or resource, a role the resource does not define, and a duplicate.
//! - RBAC role assignments (rbacapplication-post-roleassignments): an assignment at the
//!   directory scope activates the role (`directoryRoles`), makes the principal one of its
//!   `members` (so `memberOf` lists it), and has a PIM schedule instance
//!   (`roleAssignmentScheduleInstances`, rbacapplication-list-roleassignmentscheduleinstances)
//!   and schedule (`roleAssignmentSchedules`, rbacapplication-list-roleassignmentschedules);
//!   deleting it undoes each. `directoryRoles/{id}/members/$ref` adds and removes the same
//!   assignments; an unknown principal or role definition is Graph's 404.
//! - `$expand=principal` and `$expand=roleDefinition` on role assignments and their instances.

use indexmap::IndexMap;
use serde_json::{json, Map, Value};

use super::generic::{overlay_object, GROUPS, USERS};
use crate::sandbox::odata::GraphErr;
use crate::sandbox::query::Expand;
use crate::sandbox::state::{format_timestamp, Precision, Tenant};
use crate::sandbox::store::{Entity, EntityPath, Nav, Root};

const APP_ROLE_ASSIGNMENT: &str = "microsoft.graph.appRoleAssignment";
const ROLE_ASSIGNMENT: &str = "microsoft.graph.unifiedRoleAssignment";
const SCHEDULE_INSTANCE: &str = "microsoft.graph.unifiedRoleAssignmentScheduleInstance";
const SCHEDULE: &str = "microsoft.graph.unifiedRoleAssignmentSchedule";
const SERVICE_PRINCIPALS: &str = "servicePrincipals";
/// The default access role: assignable on any resource, declared or not.
const DEFAULT_ACCESS: &str = "00000000-0000-0000-0000-000000000000";

pub(super) fn text<'a>(o: &'a Map<String, Value>, k: &str) -> &'a str {
    crate::json::get_ci(o, k)
        .and_then(Value::as_str)
        .unwrap_or_default()
}

/// The top-level id an owner path names (`users/{id}`), when it is one.
fn owner_id(owner: &EntityPath) -> Option<(&str, &str)> {
    owner.top()
}

/// Whether `owner`/`nav` is `roleManagement/directory/roleAssignments`.
fn is_role_assignments(owner: &EntityPath, nav: &str) -> bool {
    nav == "roleAssignments"
        && owner.root == Root::Singleton("roleManagement".into())
        && owner.steps == [("directory".to_string(), None)]
}

pub(super) fn rbac_directory(t: &mut Tenant) -> Option<&mut Entity> {
    match t
        .store
        .singletons
        .get_mut("roleManagement")?
        .nav
        .get_mut("directory")?
    {
        Nav::One(e) => Some(e),
        _ => None,
    }
}

/// A principal's type and display name: a user, group or service principal of the tenant.
fn principal(t: &Tenant, id: &str) -> Option<(&'static str, Value)> {
    let name = |o: &Map<String, Value>| o.get("displayName").cloned().unwrap_or(Value::Null);
    if let Some(u) = t.users.get(id) {
        return Some(("User", name(&u.object)));
    }
    if let Some(g) = t.groups.get(id) {
        return Some(("Group", name(&g.object)));
    }
    let sp = t.store.sets.get(SERVICE_PRINCIPALS)?.get(id)?;
    Some(("ServicePrincipal", name(&sp.object)))
}

/// Checks and completes a new contained entity before it is stored; `Err` is Graph's answer.
pub fn before_create(
    t: &Tenant,
    owner: &EntityPath,
    nav: &str,
    ty: &str,
    object: &mut Map<String, Value>,
) -> Result<(), GraphErr> {
    if ty == APP_ROLE_ASSIGNMENT && matches!(nav, "appRoleAssignments" | "appRoleAssignedTo") {
        return app_role_assignment(t, owner, nav, object);
    }
    let pim = super::pim::is_request(owner, nav);
    if (ty == ROLE_ASSIGNMENT && is_role_assignments(owner, nav)) || pim {
        let (pid, rid) = (
            text(object, "principalId"),
            text(object, "roleDefinitionId"),
        );
        // Graph answers an unknown principal or role definition with 404
        // Request_ResourceNotFound ("Resource '{id}' does not exist or one of its queried
        // reference-property objects are not present.").
        if principal(t, pid).is_none() {
            return Err(GraphErr::not_found(pid));
        }
        let defined = t
            .store
            .get(owner)
            .and_then(|d| d.many("roleDefinitions"))
            .is_some_and(|m| {
                m.values().any(|d| {
                    d.id().eq_ignore_ascii_case(rid)
                        || text(&d.object, "templateId").eq_ignore_ascii_case(rid)
                })
            });
        if !defined {
            return Err(GraphErr::not_found(rid));
        }
        if pim {
            return super::pim::before_create(t, owner, nav, object);
        }
        let scope = match text(object, "directoryScopeId") {
            "" => "/",
            s => s,
        };
        let duplicate = t
            .store
            .get(owner)
            .and_then(|d| d.many(nav))
            .is_some_and(|m| m.values().any(|a| gives(&a.object, pid, rid, scope)));
        if duplicate {
            return Err(GraphErr::bad_request(
                "A conflicting object with one or more of the specified property values is present in the directory.",
            ));
        }
    }
    Ok(())
}

fn app_role_assignment(
    t: &Tenant,
    owner: &EntityPath,
    nav: &str,
    object: &mut Map<String, Value>,
) -> Result<(), GraphErr> {
    let owner = owner_id(owner).map(|(_, id)| id.to_string());
    for required in ["principalId", "resourceId", "appRoleId"] {
        if text(object, required).is_empty() {
            return Err(GraphErr::bad_request(format!(
                "Invalid value specified for property '{required}' of resource 'AppRoleAssignment'."
            )));
        }
    }
    let (pid, rid, role) = (
        text(object, "principalId").to_string(),
        text(object, "resourceId").to_string(),
        text(object, "appRoleId").to_string(),
    );
    // The path names one side: the principal (`appRoleAssignments`) or the resource
    // (`appRoleAssignedTo`); the body must agree with it.
    let side = if nav == "appRoleAssignments" {
        &pid
    } else {
        &rid
    };
    if owner
        .as_deref()
        .is_some_and(|o| !o.eq_ignore_ascii_case(side))
    {
        return Err(GraphErr::bad_request(format!(
            "The {} in the request body does not match the object in the request URL.",
            if nav == "appRoleAssignments" {
                "principalId"
            } else {
                "resourceId"
            }
        )));
    }
    let (principal_type, principal_name) =
        principal(t, &pid).ok_or_else(|| GraphErr::not_found(&pid))?;
    let resource = t
        .store
        .sets
        .get(SERVICE_PRINCIPALS)
        .and_then(|s| s.get(&rid))
        .ok_or_else(|| GraphErr::not_found(&rid))?;
    let declared = resource
        .object
        .get("appRoles")
        .and_then(Value::as_array)
        .is_some_and(|roles| {
            roles
                .iter()
                .any(|r| r.get("id").and_then(Value::as_str) == Some(role.as_str()))
        });
    if role != DEFAULT_ACCESS && !declared {
        return Err(GraphErr::bad_request(format!(
            "Permission being assigned was not found on application '{}'.",
            text(&resource.object, "appId")
        )));
    }
    let duplicate = resource.many("appRoleAssignedTo").is_some_and(|m| {
        m.values().any(|a| {
            text(&a.object, "principalId").eq_ignore_ascii_case(&pid)
                && text(&a.object, "appRoleId").eq_ignore_ascii_case(&role)
        })
    });
    if duplicate {
        return Err(GraphErr::bad_request(
            "Permission being assigned already exists on the object.",
        ));
    }
    for (k, v) in [
        ("principalType", json!(principal_type)),
        ("principalDisplayName", principal_name),
        (
            "resourceDisplayName",
            resource
                .object
                .get("displayName")
                .cloned()
                .unwrap_or(Value::Null),
        ),
        (
            "createdDateTime",
            json!(format_timestamp(chrono::Utc::now(), Precision::Ticks)),
        ),
        ("deletedDateTime", Value::Null),
    ] {
        object.insert(k.into(), v);
    }
    Ok(())
}

/// The path of top-level entity `id` (a user, group or service principal).
fn top_path(t: &Tenant, id: &str) -> Option<(EntityPath, &'static str)> {
    if t.users.contains_key(id) {
        return Some((EntityPath::set_item(USERS, id), "microsoft.graph.user"));
    }
    if t.groups.contains_key(id) {
        return Some((EntityPath::set_item(GROUPS, id), "microsoft.graph.group"));
    }
    t.store
        .sets
        .get(SERVICE_PRINCIPALS)
        .is_some_and(|s| s.contains_key(id))
        .then(|| {
            (
                EntityPath::set_item(SERVICE_PRINCIPALS, id),
                "microsoft.graph.servicePrincipal",
            )
        })
}

/// Mirrors a new contained entity where Graph shows it too.
pub fn after_create(
    t: &mut Tenant,
    owner: &EntityPath,
    nav: &str,
    ty: &str,
    object: &Map<String, Value>,
) {
    if ty == APP_ROLE_ASSIGNMENT && matches!(nav, "appRoleAssignments" | "appRoleAssignedTo") {
        let (other, other_nav) = if nav == "appRoleAssignments" {
            (text(object, "resourceId").to_string(), "appRoleAssignedTo")
        } else {
            (
                text(object, "principalId").to_string(),
                "appRoleAssignments",
            )
        };
        if let Some((path, other_ty)) = top_path(t, &other) {
            if let Some(e) = t.store.get_mut(&path, &[Some(other_ty.to_string())]) {
                let id = text(object, "id").to_string();
                e.many_mut(other_nav)
                    .insert(id, Entity::new(APP_ROLE_ASSIGNMENT, object.clone()));
            }
        }
        t.store.version += 1;
    }
    if ty == ROLE_ASSIGNMENT && is_role_assignments(owner, nav) {
        role_assigned(t, object);
    }
    if super::pim::is_request(owner, nav) {
        super::pim::after_create(t, nav, object);
    }
}

/// Adds a directory role assignment (`roleManagement/directory/roleAssignments`) with its
/// schedule and the role membership it gives, as a created one gets them.
pub(super) fn add_assignment(t: &mut Tenant, assignment: Map<String, Value>) {
    let id = text(&assignment, "id").to_string();
    if let Some(d) = rbac_directory(t) {
        d.many_mut("roleAssignments")
            .insert(id, Entity::new(ROLE_ASSIGNMENT, assignment.clone()));
    }
    role_assigned(t, &assignment);
}

/// Whether a role assignment (or schedule, or request) `o` gives role `role` to `principal`
/// at `scope` (`/` when it names none).
pub(super) fn gives(o: &Map<String, Value>, principal: &str, role: &str, scope: &str) -> bool {
    let at = match text(o, "directoryScopeId") {
        "" => "/",
        s => s,
    };
    text(o, "principalId") == principal
        && text(o, "roleDefinitionId").eq_ignore_ascii_case(role)
        && at == scope
}

/// Takes the directory's role assignments that `which` selects out of the store (their
/// schedules and memberships are the caller's to undo).
fn take_assignments(t: &mut Tenant, which: impl Fn(&Map<String, Value>) -> bool) -> Vec<Entity> {
    let Some(d) = rbac_directory(t) else {
        return vec![];
    };
    let m = d.many_mut("roleAssignments");
    let ids: Vec<String> = m
        .values()
        .filter(|a| which(&a.object))
        .map(|a| a.id().to_string())
        .collect();
    ids.iter().filter_map(|i| m.shift_remove(i)).collect()
}

/// Ends the assignments of role `role` to `principal` at `scope`, and what they gave.
pub(super) fn remove_assignments(t: &mut Tenant, principal: &str, role: &str, scope: &str) {
    for a in &take_assignments(t, |a| gives(a, principal, role, scope)) {
        role_unassigned(t, &a.object, a.id());
    }
}

/// Undoes the mirrors of a contained entity just deleted.
pub fn after_delete(t: &mut Tenant, owner: &EntityPath, nav: &str, removed: &Entity) {
    let object = &removed.object;
    if removed.ty == APP_ROLE_ASSIGNMENT {
        let (other, other_nav) = match nav {
            "appRoleAssignments" => (text(object, "resourceId"), "appRoleAssignedTo"),
            "appRoleAssignedTo" => (text(object, "principalId"), "appRoleAssignments"),
            _ => return,
        };
        let id = removed.id().to_string();
        if let Some((path, _)) = top_path(t, other) {
            if let Some(e) = t.store.get_mut(&path, &[]) {
                e.many_mut(other_nav).shift_remove(&id);
            }
        }
    }
    if removed.ty == ROLE_ASSIGNMENT && is_role_assignments(owner, nav) {
        role_unassigned(t, object, removed.id());
    }
}

/// The activated directory role of template `template`, activated now if need be.
fn activated_role(t: &mut Tenant, template: &str) -> Option<String> {
    if let Some(id) = t.store.sets.get("directoryRoles").and_then(|s| {
        s.values()
            .find(|r| text(&r.object, "roleTemplateId") == template)
            .map(|r| r.id().to_string())
    }) {
        return Some(id);
    }
    let found = crate::sandbox::defaults::ROLE_TEMPLATES
        .iter()
        .find(|(id, _, _)| *id == template)?;
    let role = crate::sandbox::defaults::directory_role(&t.id, *found);
    let id = role.id().to_string();
    t.store.insert_top("directoryRoles", role);
    Some(id)
}

fn role_assigned(t: &mut Tenant, assignment: &Map<String, Value>) {
    let pid = text(assignment, "principalId").to_string();
    let template = text(assignment, "roleDefinitionId").to_string();
    let now = format_timestamp(chrono::Utc::now(), Precision::Ticks);
    if let Some(d) = rbac_directory(t) {
        let instance = crate::sandbox::defaults::schedule_instance(assignment, &now);
        let id = text(&instance, "id").to_string();
        d.many_mut("roleAssignmentScheduleInstances")
            .insert(id.clone(), Entity::new(SCHEDULE_INSTANCE, instance));
        let schedule = crate::sandbox::defaults::assignment_schedule(assignment, &now);
        d.many_mut("roleAssignmentSchedules")
            .insert(id, Entity::new(SCHEDULE, schedule));
    }
    if text(assignment, "directoryScopeId") != "/" {
        return;
    }
    if let Some(role) = activated_role(t, &template) {
        if let Some(r) = t
            .store
            .sets
            .get_mut("directoryRoles")
            .and_then(|s| s.get_mut(&role))
        {
            let members = r.refs_mut("members");
            if !members.contains(&pid) {
                members.push(pid.clone());
            }
        }
    }
    if let (Some(u), Some((_, name, _))) = (
        t.users.get_mut(&pid),
        crate::sandbox::defaults::ROLE_TEMPLATES
            .iter()
            .find(|(id, _, _)| *id == template),
    ) {
        if !u.roles.iter().any(|r| r == name) {
            u.roles.push(name.to_string());
        }
    }
    t.store.version += 1;
}

fn role_unassigned(t: &mut Tenant, assignment: &Map<String, Value>, id: &str) {
    let pid = text(assignment, "principalId").to_string();
    let template = text(assignment, "roleDefinitionId").to_string();
    let mut still = false;
    if let Some(d) = rbac_directory(t) {
        d.many_mut("roleAssignmentScheduleInstances")
            .shift_remove(id);
        d.many_mut("roleAssignmentSchedules").shift_remove(id);
        // Another directory-wide assignment of the same role keeps the membership.
        still = d.many("roleAssignments").is_some_and(|m| {
            m.values().any(|a| {
                text(&a.object, "principalId") == pid
                    && text(&a.object, "roleDefinitionId") == template
                    && text(&a.object, "directoryScopeId") == "/"
            })
        });
    }
    if still {
        return;
    }
    if let Some(r) = t.store.sets.get_mut("directoryRoles").and_then(|s| {
        s.values_mut()
            .find(|r| text(&r.object, "roleTemplateId") == template)
    }) {
        r.refs_mut("members").retain(|m| *m != pid);
    }
    if let (Some(u), Some((_, name, _))) = (
        t.users.get_mut(&pid),
        crate::sandbox::defaults::ROLE_TEMPLATES
            .iter()
            .find(|(id, _, _)| *id == template),
    ) {
        u.roles.retain(|r| r != name);
    }
    t.store.version += 1;
}

/// Adds `$expand`ed `principal` and `roleDefinition` to a role assignment (or schedule
/// instance) as Graph shows them; other navigations are left to the caller.
pub fn expand(t: &Tenant, ty: &str, object: &mut Map<String, Value>, expand: &[Expand]) {
    if !matches!(
        ty,
        ROLE_ASSIGNMENT
            | SCHEDULE_INSTANCE
            | SCHEDULE
            | "microsoft.graph.unifiedRoleEligibilitySchedule"
            | "microsoft.graph.unifiedRoleEligibilityScheduleInstance"
    ) {
        return;
    }
    for e in expand {
        let value = match e.prop.as_str() {
            "principal" => {
                let pid = text(object, "principalId").to_string();
                top_path(t, &pid).and_then(|(path, ety)| {
                    let (set, id) = path.top()?;
                    let mut o = overlay_object(t, set, id)
                        .or_else(|| t.store.sets.get(set)?.get(id).map(|x| x.object.clone()))?;
                    o.insert("@odata.type".into(), json!(format!("#{ety}")));
                    Some(o)
                })
            }
            "roleDefinition" => {
                let rid = text(object, "roleDefinitionId").to_string();
                t.store
                    .singletons
                    .get("roleManagement")
                    .and_then(|r| match r.nav.get("directory") {
                        Some(Nav::One(d)) => d.many("roleDefinitions")?.get(&rid),
                        _ => None,
                    })
                    .map(|d| d.object.clone())
            }
            _ => continue,
        };
        let value = value.map(|mut o| {
            let cat = crate::sandbox::store::catalog::catalog();
            let concrete = o
                .get("@odata.type")
                .and_then(Value::as_str)
                .map(|t| t.trim_start_matches('#').to_string())
                .unwrap_or_else(|| e.ty.clone());
            let own_defaults = ["microsoft.graph.user", "microsoft.graph.group"]
                .iter()
                .any(|d| cat.derives(&concrete, d));
            if e.select.is_empty() && !own_defaults {
                // Every declared property, unset ones as null; an unset collection is `[]`.
                cat.fill_declared(&e.ty, &mut o);
            } else {
                if !e.select.is_empty() {
                    o = crate::sandbox::odata::project(&o, &e.select);
                }
                cat.empty_collections(&e.ty, &mut o);
            }
            Value::Object(o)
        });
        object.insert(e.prop.clone(), value.unwrap_or(Value::Null));
    }
}

/// `POST /invitations` (invitation-post): checks the two required properties, makes the guest
/// user (`{address with _ for @}#EXT#@{initial domain}`, `userType` Guest, pending acceptance),
/// or finds the one already invited with that address, and fills in what Graph answers: the
/// redemption URL, the status and the invited user.
pub fn invitation(t: &mut Tenant, object: &mut Map<String, Value>) -> Result<(), GraphErr> {
    let email = text(object, "invitedUserEmailAddress").to_string();
    if email.is_empty() || !email.contains('@') {
        return Err(GraphErr::bad_request(
            "The invitedUserEmailAddress property is required and must be an email address.",
        ));
    }
    if text(object, "inviteRedirectUrl").is_empty() {
        return Err(GraphErr::bad_request(
            "The inviteRedirectUrl property is required.",
        ));
    }
    let display = match text(object, "invitedUserDisplayName") {
        "" => email.clone(),
        name => name.to_string(),
    };
    let existing = t
        .users
        .values()
        .find(|u| text(&u.object, "mail").eq_ignore_ascii_case(&email))
        .map(|u| u.id().to_string());
    let user_type = match text(object, "invitedUserType") {
        "" => "Guest".to_string(),
        ty => ty.to_string(),
    };
    let uid = match existing {
        Some(id) => id,
        None => {
            let upn = format!("{}#EXT#@{}", email.replace('@', "_"), t.domain);
            let nick = email.replace('@', "_");
            t.add_user(
                json!({
                    "displayName": display, "mail": email, "userPrincipalName": upn,
                    "mailNickname": nick, "userType": user_type, "accountEnabled": true,
                    "creationType": "Invitation", "externalUserState": "PendingAcceptance",
                    "externalUserStateChangeDateTime": format_timestamp(chrono::Utc::now(), Precision::Seconds),
                    "otherMails": [email],
                    "identities": [{"signInType": "userPrincipalName", "issuer": t.domain, "issuerAssignedId": upn}],
                }),
                String::new(),
            )
        }
    };
    let invitation_id = text(object, "id").to_string();
    let tenant_id = t.id.clone();
    for (k, v) in [
        ("invitedUserDisplayName", json!(display)),
        ("invitedUserType", json!(user_type)),
        (
            "inviteRedeemUrl",
            json!(format!(
                "https://login.microsoftonline.com/redeem?rd=https%3a%2f%2finvitations.microsoft.com%2fredeem%2f%3ftenant%3d{tenant_id}%26user%3d{invitation_id}%26ticket%3d{}",
                crate::sandbox::state::random_secret(24)
            )),
        ),
        ("status", json!("PendingAcceptance")),
        ("invitedUser", json!({"id": uid})),
    ] {
        object.insert(k.into(), v);
    }
    for (k, v) in [
        ("sendInvitationMessage", json!(false)),
        ("resetRedemption", json!(false)),
        (
            "invitedUserMessageInfo",
            json!({"messageLanguage": null, "customizedMessageBody": null, "ccRecipients": []}),
        ),
    ] {
        object.entry(k).or_insert(v);
    }
    Ok(())
}

/// The template of activated directory role `role_id` (its `roleTemplateId`).
fn role_template_of(t: &Tenant, role_id: &str) -> Option<String> {
    let role = t.store.sets.get("directoryRoles")?.get(role_id)?;
    Some(text(&role.object, "roleTemplateId").to_string())
}

/// `POST /directoryRoles/{id}/members/$ref` (directoryrole-post-members): the same as a
/// directory-wide RBAC assignment of the role's template to the member
/// (rbacapplication-post-roleassignments), which Graph keeps as one: the assignment shows in
/// `roleManagement/directory/roleAssignments`, the member in the role's `members`.
pub fn add_role_member(t: &mut Tenant, role_id: &str, member: &str) -> Result<(), GraphErr> {
    let template = role_template_of(t, role_id).ok_or_else(|| GraphErr::not_found(role_id))?;
    if principal(t, member).is_none() {
        return Err(GraphErr::not_found(member));
    }
    let already = t
        .store
        .sets
        .get("directoryRoles")
        .and_then(|s| s.get(role_id))
        .is_some_and(|r| r.refs("members").iter().any(|m| m == member));
    if already {
        return Err(GraphErr::bad_request(
            "One or more added object references already exist for the following modified properties: 'members'.",
        ));
    }
    let object = json!({
        "id": crate::sandbox::state::new_id(), "principalId": member,
        "roleDefinitionId": template, "directoryScopeId": "/", "appScopeId": null,
        "condition": null, "principalOrganizationId": t.id,
    });
    let object = object.as_object().cloned().unwrap_or_default();
    let id = text(&object, "id").to_string();
    let d = rbac_directory(t).ok_or_else(|| GraphErr::not_found(role_id))?;
    d.many_mut("roleAssignments")
        .insert(id, Entity::new(ROLE_ASSIGNMENT, object.clone()));
    role_assigned(t, &object);
    Ok(())
}

/// `DELETE /directoryRoles/{id}/members/{memberId}/$ref` (directoryrole-delete-member):
/// removes the member's directory-wide assignments of the role, and so the membership.
pub fn remove_role_member(t: &mut Tenant, role_id: &str, member: &str) -> Result<(), GraphErr> {
    let template = role_template_of(t, role_id).ok_or_else(|| GraphErr::not_found(role_id))?;
    let is_member = t
        .store
        .sets
        .get("directoryRoles")
        .and_then(|s| s.get(role_id))
        .is_some_and(|r| r.refs("members").iter().any(|m| m == member));
    if !is_member {
        return Err(GraphErr::not_found(member));
    }
    let removed = take_assignments(t, |a| gives(a, member, &template, "/"));
    if removed.is_empty() {
        // A membership without an assignment (none is made that way, but a seed may).
        let assignment =
            json!({"principalId": member, "roleDefinitionId": template, "directoryScopeId": "/"});
        role_unassigned(t, assignment.as_object().unwrap_or(&Map::new()), "");
    }
    for a in &removed {
        role_unassigned(t, &a.object, a.id());
    }
    Ok(())
}

/// Withdraws principal `id`'s directory-role assignments and the mirrors of its app-role
/// assignments (on each resource's `appRoleAssignedTo`) when it is deleted, and, when `id` is a
/// service principal, the mirrors of the assignments granted on it (on each principal's
/// `appRoleAssignments`); answers them, to be put back by [`reinstate_assignments`] on restore.
pub fn withdraw_assignments(t: &mut Tenant, id: &str) -> Vec<Entity> {
    let mut out = take_assignments(t, |a| text(a, "principalId") == id);
    for a in &out {
        role_unassigned(t, &a.object, a.id());
    }
    let held: Vec<Entity> = top_path(t, id)
        .and_then(|(path, _)| t.store.get(&path))
        .and_then(|e| e.many("appRoleAssignments"))
        .map(|m| m.values().cloned().collect())
        .unwrap_or_default();
    for a in held {
        let resource = text(&a.object, "resourceId").to_string();
        if let Some(sp) = t
            .store
            .sets
            .get_mut(SERVICE_PRINCIPALS)
            .and_then(|s| s.get_mut(&resource))
        {
            sp.many_mut("appRoleAssignedTo").shift_remove(a.id());
        }
        out.push(a);
    }
    // A deleted service principal as a resource: the assignments granted on it leave their
    // principals (its own appRoleAssignedTo goes with it, kept for restore).
    let granted: Vec<Entity> = t
        .store
        .sets
        .get(SERVICE_PRINCIPALS)
        .and_then(|s| s.get(id))
        .and_then(|sp| sp.many("appRoleAssignedTo"))
        .map(|m| m.values().cloned().collect())
        .unwrap_or_default();
    for a in granted {
        let principal = text(&a.object, "principalId").to_string();
        if principal == id {
            continue;
        }
        if let Some(held) = held_app_roles(t, &principal) {
            held.shift_remove(a.id());
        }
        out.push(a);
    }
    t.store.version += 1;
    out
}

/// The app-role assignments principal `id` (a user, group or service principal) holds, when
/// it exists.
fn held_app_roles<'a>(t: &'a mut Tenant, id: &str) -> Option<&'a mut IndexMap<String, Entity>> {
    let (path, ty) = top_path(t, id)?;
    t.store
        .get_mut(&path, &[Some(ty.to_string())])
        .map(|p| p.many_mut("appRoleAssignments"))
}

/// Puts back what [`withdraw_assignments`] took, once the principal is restored; an
/// assignment whose role or resource is gone meanwhile stays gone.
pub fn reinstate_assignments(t: &mut Tenant, assignments: Vec<Entity>) {
    for a in assignments {
        if a.ty == ROLE_ASSIGNMENT {
            let object = a.object.clone();
            if let Some(d) = rbac_directory(t) {
                d.many_mut("roleAssignments").insert(a.id().to_string(), a);
            }
            role_assigned(t, &object);
        } else if a.ty == APP_ROLE_ASSIGNMENT {
            // Both sides, where both exist again: the resource's appRoleAssignedTo and the
            // principal's appRoleAssignments (whichever of the two was deleted kept its own).
            let resource = text(&a.object, "resourceId").to_string();
            let principal = text(&a.object, "principalId").to_string();
            if !t
                .store
                .sets
                .get(SERVICE_PRINCIPALS)
                .is_some_and(|s| s.contains_key(&resource))
            {
                continue;
            }
            let Some(held) = held_app_roles(t, &principal) else {
                continue;
            };
            held.insert(a.id().to_string(), a.clone());
            if let Some(sp) = t
                .store
                .sets
                .get_mut(SERVICE_PRINCIPALS)
                .and_then(|s| s.get_mut(&resource))
            {
                sp.many_mut("appRoleAssignedTo")
                    .insert(a.id().to_string(), a);
            }
        }
    }
    t.store.version += 1;
}
