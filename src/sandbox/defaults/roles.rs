//! Built-in directory roles: their templates (`directoryRoleTemplates`), the unified RBAC role
//! definitions (`roleManagement/directory/roleDefinitions`), the PIM role-management policy of
//! each (`policies/roleManagementPolicies` with their rules, and
//! `policies/roleManagementPolicyAssignments`), and the built-in administrator's Global
//! Administrator assignment and activated role.

use serde_json::{json, Map, Value};

use super::{contain, derived_id, obj, one, singleton, top, Entity, Tenant};

/// Built-in role templates: (template id, display name, description). The ids are the fixed
/// ones of every tenant (learn.microsoft.com/entra/identity/role-based-access-control/
/// permissions-reference).
pub const ROLE_TEMPLATES: &[(&str, &str, &str)] = &[
    ("62e90394-69f5-4237-9190-012177145e10", "Global Administrator", "Can manage all aspects of Microsoft Entra ID and Microsoft services that use Microsoft Entra identities."),
    ("f2ef992c-3afb-46b9-b7cf-a126ee74c451", "Global Reader", "Can read everything that a Global Administrator can, but not update anything."),
    ("e8611ab8-c189-46e8-94e1-60213ab1f814", "Privileged Role Administrator", "Can manage role assignments in Microsoft Entra ID, and all aspects of Privileged Identity Management."),
    ("7be44c8a-adaf-4e2a-84d6-ab2649e08a13", "Privileged Authentication Administrator", "Can access to view, set and reset authentication method information for any user (admin or non-admin)."),
    ("fe930be7-5e62-47db-91af-98c3a49a38b1", "User Administrator", "Can manage all aspects of users and groups, including resetting passwords for limited admins."),
    ("729827e3-9c14-49f7-bb1b-9608f156bbb8", "Helpdesk Administrator", "Can reset passwords for non-administrators and Helpdesk Administrators."),
    ("966707d0-3269-4727-9be2-8c3a10f19b9d", "Password Administrator", "Can reset passwords for non-administrators and Password Administrators."),
    ("c4e39bd9-1100-46d3-8c65-fb160da0071f", "Authentication Administrator", "Can access to view, set and reset authentication method information for any non-admin user."),
    ("0526716b-113d-4c15-b2c8-68e3c22b9f80", "Authentication Policy Administrator", "Can create and manage the authentication methods policy, tenant-wide MFA settings, password protection policy, and verifiable credentials."),
    ("194ae4cb-b126-40b2-bd5b-6091b380977d", "Security Administrator", "Can read security information and reports, and manage configuration in Microsoft Entra ID and Office 365."),
    ("5d6b6bb7-de71-4623-b4af-96380a352509", "Security Reader", "Can read security information and reports in Microsoft Entra ID and Office 365."),
    ("5f2222b1-57c3-48ba-8ad5-d4759f1fde6f", "Security Operator", "Creates and manages security events."),
    ("b1be1c3e-b65d-4f19-8427-f6fa0d97feb9", "Conditional Access Administrator", "Can manage Conditional Access capabilities."),
    ("9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3", "Application Administrator", "Can create and manage all aspects of app registrations and enterprise apps."),
    ("158c047a-c907-4556-b7ef-446551a6b5f7", "Cloud Application Administrator", "Can create and manage all aspects of app registrations and enterprise apps except App Proxy."),
    ("cf1c38e5-3621-4004-a7cb-879624dced7c", "Application Developer", "Can create application registrations independent of the 'Users can register applications' setting."),
    ("fdd7a751-b60b-444a-984c-02652fe8fa1c", "Groups Administrator", "Members of this role can create/manage groups, create/manage groups settings like naming and expiration policies, and view groups activity and audit reports."),
    ("95e79109-95c0-4d8e-aee3-d01accf2d47b", "Guest Inviter", "Can invite guest users independent of the 'members can invite guests' setting."),
    ("4d6ac14f-3453-41d0-bef9-a3e0c569773a", "License Administrator", "Can manage product licenses on users and groups."),
    ("29232cdf-9323-42fd-ade2-1d097af3e4de", "Exchange Administrator", "Can manage all aspects of the Exchange product."),
    ("31392ffb-586c-42d1-9346-e59415a2cc4e", "Exchange Recipient Administrator", "Can create or update Exchange Online recipients within the Exchange Online organization."),
    ("f28a1f50-f6e7-4571-818b-6a12f2af6b6c", "SharePoint Administrator", "Can manage all aspects of the SharePoint service."),
    ("69091246-20e8-4a56-aa4d-066075b2a7a8", "Teams Administrator", "Can manage the Microsoft Teams service."),
    ("baf37b3a-610e-45da-9e62-d9d1e5e8914b", "Teams Communications Administrator", "Can manage calling and meetings features within the Microsoft Teams service."),
    ("3d762c5a-1b6c-493f-843e-55a3b42923d4", "Teams Devices Administrator", "Can perform management related tasks on Teams certified devices."),
    ("3a2c62db-5318-420d-8d74-23affee5d9d5", "Intune Administrator", "Can manage all aspects of the Intune product."),
    ("7698a772-787b-4ac8-901f-60d6b08affd2", "Cloud Device Administrator", "Limited access to manage devices in Microsoft Entra ID."),
    ("9f06204d-73c1-4d4c-880a-6edb90606fd8", "Azure AD Joined Device Local Administrator", "Users assigned to this role are added to the local administrators group on Microsoft Entra joined devices."),
    ("b0f54661-2d74-4c50-afa3-1ec803f12efe", "Billing Administrator", "Can perform common billing related tasks like updating payment information."),
    ("17315797-102d-40b4-93e0-432062caca18", "Compliance Administrator", "Can read and manage compliance configuration and reports in Microsoft Entra ID and Microsoft 365."),
    ("e6d1a23a-da11-4be4-9570-befc86d067a7", "Compliance Data Administrator", "Creates and manages compliance content."),
    ("4a5d8f65-41da-4de4-8968-e035b65339cf", "Reports Reader", "Can read sign-in and audit reports."),
    ("75934031-6c7e-415a-99d7-48dbd49e875e", "Usage Summary Reports Reader", "Can see only tenant level aggregates in Microsoft 365 Usage Analytics and Productivity Score."),
    ("790c1fb9-7f7d-4f88-86a1-ef1f95c05c1b", "Message Center Reader", "Can read messages and updates for their organization in Office 365 Message Center only."),
    ("f023fd81-a637-4b56-95fd-791ac0226033", "Service Support Administrator", "Can read service health information and manage support tickets."),
    ("8ac3fc64-6eca-42ea-9e69-59f4c7b60eb2", "Hybrid Identity Administrator", "Can manage Active Directory to Microsoft Entra cloud provisioning, Microsoft Entra Connect, pass-through authentication (PTA), password hash synchronization (PHS), seamless single sign-on (seamless SSO), and federation settings."),
    ("be2f45a1-457d-42af-a067-6ec1fa63bc45", "External Identity Provider Administrator", "Can configure identity providers for use in direct federation."),
    ("8329153b-31d0-4727-b945-745eb3bc5f31", "Domain Name Administrator", "Can manage domain names in cloud and on-premises."),
    ("58a13ea3-c632-46ae-9ee0-9c0d43cd7f3d", "Attribute Assignment Administrator", "Assign custom security attribute keys and values to supported Microsoft Entra objects."),
    ("8424c6f0-a189-499e-bbd0-26c1753c96d4", "Attribute Definition Administrator", "Define and manage the definition of custom security attributes."),
    ("45d8d3c5-c802-45c6-b32a-1d70b5e1e86e", "Identity Governance Administrator", "Manage access using Microsoft Entra ID for identity governance scenarios."),
    ("59d46f88-662b-457b-bceb-5c3809e5908f", "Lifecycle Workflows Administrator", "Create and manage all aspects of workflows and tasks associated with Lifecycle Workflows in Microsoft Entra ID."),
    ("ac434307-12b9-4fa1-a708-88bf58caabc1", "Global Secure Access Administrator", "Create and manage all aspects of Microsoft Entra Internet Access and Microsoft Entra Private Access, including managing access to public and private endpoints."),
    ("af78dc32-cf4d-46f9-ba4e-4428526346b5", "Permissions Management Administrator", "Manage all aspects of Microsoft Entra Permissions Management."),
    ("11648597-926c-4cf3-9c36-bcebb0ba8dcc", "Power Platform Administrator", "Can create and manage all aspects of Microsoft Dynamics 365, Power Apps and Power Automate."),
    ("a9ea8996-122f-4c74-9520-8edcd192826c", "Fabric Administrator", "Manages all aspects of Microsoft Fabric."),
    ("2b745bdf-0803-4d80-aa65-822c4493daac", "Office Apps Administrator", "Can manage Office apps cloud services, including policy and settings management, and manage the ability to select, unselect and publish 'what's new' feature content to end-user's devices."),
    ("644ef478-e28f-4e28-b9dc-3fdde9aa0b1f", "Printer Administrator", "Can manage all aspects of printers and printer connectors."),
    ("0964bb5e-9bdb-4d7b-ac29-58e794862a40", "Search Administrator", "Can create and manage all aspects of Microsoft Search settings."),
    ("8835291a-918c-4fd7-a9ce-faa49f0cf7d9", "Search Editor", "Can create and manage the editorial content such as bookmarks, Q and As, locations, floorplan."),
    ("eb1f4a8d-243a-41f0-9fbd-c7cdf6c5ef7c", "Insights Administrator", "Has administrative access in the Microsoft 365 Insights app."),
    ("11451d60-acb2-45eb-a7d6-43d0f0125c13", "Windows 365 Administrator", "Can provision and manage all aspects of Cloud PCs."),
    ("3f1acade-1e04-4fbc-9b69-f0302cd84aef", "Edge Administrator", "Manage all aspects of Microsoft Edge."),
    ("5c4f9dcd-47dc-4cf7-8c9a-9e4207cbfc91", "Customer LockBox Access Approver", "Can approve Microsoft support requests to access customer organizational data."),
    ("7495fdc4-34c4-4d15-a289-98788ce399fd", "Azure Information Protection Administrator", "Can manage all aspects of the Azure Information Protection product."),
    ("44367163-eba1-44c3-98af-f5787879f96a", "Dynamics 365 Administrator", "Can manage all aspects of the Dynamics 365 product."),
    ("75941009-915a-4869-abe7-691bff18279e", "Skype for Business Administrator", "Can manage all aspects of the Skype for Business product."),
    ("810a2642-a034-447f-a5e8-41beaa378541", "Yammer Administrator", "Manage all aspects of the Yammer service."),
    ("4ba39ca4-527c-499a-b93d-d9b492c50246", "Partner Tier1 Support", "Do not use - not intended for general use."),
    ("e00e864a-17c5-4a4b-9c06-f5b95a8d5bd8", "Partner Tier2 Support", "Do not use - not intended for general use."),
    ("d29b2b05-8046-44ba-8758-1e26182fcf32", "Directory Synchronization Accounts", "Only used by Microsoft Entra Connect service."),
    ("88d8e3e3-8f55-4a1e-953a-9b9898b8876b", "Directory Readers", "Can read basic directory information. Commonly used to grant directory read access to applications and guests."),
    ("9360feb5-f418-4baa-8175-e2a00bac4301", "Directory Writers", "Can read and write basic directory information. For granting access to applications, not intended for users."),
    ("a0b1b346-4d3e-4e8b-98f8-753987be4970", "User", "Default role for member users. Can read all and write limited user information."),
    ("10dae51f-b6af-4016-8d66-8c2a99b929b3", "Guest User", "Default role for guest users. Can read a limited set of directory information."),
    ("2af84b1e-32c8-42b7-82bc-daa82404023b", "Restricted Guest User", "Restricted role for guest users. Can read a limited set of directory information."),
];

/// The schedule instance Graph shows for an active, permanent role assignment
/// (unifiedroleassignmentscheduleinstance: `Assigned`, `Direct`, no end).
pub fn schedule_instance(assignment: &Map<String, Value>, start: &str) -> Map<String, Value> {
    let id = text(assignment, "id");
    let o = json!({
        "startDateTime": start,
        "endDateTime": null,
        "assignmentType": "Assigned",
        "memberType": "Direct",
        "roleAssignmentOriginId": id,
        "roleAssignmentScheduleId": id,
    });
    with_assignment_keys(assignment, o)
}

/// `fields` with the assignment's id, principal, role and scopes, which its schedule and its
/// schedule instance share.
fn with_assignment_keys(assignment: &Map<String, Value>, fields: Value) -> Map<String, Value> {
    let mut o = json!({
        "id": text(assignment, "id"),
        "principalId": text(assignment, "principalId"),
        "roleDefinitionId": text(assignment, "roleDefinitionId"),
        "directoryScopeId": assignment.get("directoryScopeId").cloned().unwrap_or(json!("/")),
        "appScopeId": assignment.get("appScopeId").cloned().unwrap_or(Value::Null),
    })
    .as_object()
    .cloned()
    .unwrap_or_default();
    if let Value::Object(rest) = fields {
        o.extend(rest);
    }
    o
}

/// The PIM schedule of an active role assignment, as Graph lists it in
/// `roleAssignmentSchedules` (rbacapplication-list-roleassignmentschedules): a permanent
/// (`noExpiration`) direct assignment, provisioned since `start`, with the assignment's id,
/// principal, role and scopes (the same id as its schedule instance's
/// `roleAssignmentScheduleId`).
pub fn assignment_schedule(assignment: &Map<String, Value>, start: &str) -> Map<String, Value> {
    let id = text(assignment, "id");
    let o = json!({
        "createdDateTime": start,
        "createdUsing": id,
        "modifiedDateTime": null,
        "status": "Provisioned",
        "assignmentType": "Assigned",
        "memberType": "Direct",
        "scheduleInfo": {
            "startDateTime": start,
            "recurrence": null,
            "expiration": {"type": "noExpiration", "endDateTime": null, "duration": null},
        },
    });
    with_assignment_keys(assignment, o)
}

/// The PIM schedule of an eligible assignment (`roleEligibilitySchedules`) from its schedule
/// instance (`roleEligibilityScheduleInstances`): the same principal, role and scopes, with
/// the instance's start and end.
pub fn eligibility_schedule(instance: &Map<String, Value>) -> Map<String, Value> {
    let id = match text(instance, "roleEligibilityScheduleId") {
        "" => text(instance, "id"),
        s => s,
    };
    let start = instance
        .get("startDateTime")
        .cloned()
        .unwrap_or(Value::Null);
    let end = instance.get("endDateTime").cloned().unwrap_or(Value::Null);
    let expiration = if end.is_null() {
        json!({"type": "noExpiration", "endDateTime": null, "duration": null})
    } else {
        json!({"type": "afterDateTime", "endDateTime": end, "duration": null})
    };
    let o = json!({
        "id": id,
        "principalId": text(instance, "principalId"),
        "roleDefinitionId": text(instance, "roleDefinitionId"),
        "directoryScopeId": instance.get("directoryScopeId").cloned().unwrap_or(json!("/")),
        "appScopeId": instance.get("appScopeId").cloned().unwrap_or(Value::Null),
        "createdDateTime": start,
        "createdUsing": id,
        "modifiedDateTime": null,
        "status": "Provisioned",
        "memberType": instance.get("memberType").cloned().unwrap_or(json!("Direct")),
        "scheduleInfo": {"startDateTime": start, "recurrence": null, "expiration": expiration},
    });
    o.as_object().cloned().unwrap_or_default()
}

fn text<'a>(o: &'a Map<String, Value>, k: &str) -> &'a str {
    o.get(k).and_then(Value::as_str).unwrap_or_default()
}

/// The template of the role named `name` (case-insensitive): (id, name, description).
pub fn role_template(name: &str) -> Option<(&'static str, &'static str, &'static str)> {
    ROLE_TEMPLATES
        .iter()
        .find(|(_, n, _)| n.eq_ignore_ascii_case(name))
        .copied()
}

/// The activated directory role of `template` (id, name, description) in tenant
/// `tenant_id`, as Graph shows it (learn.microsoft.com/graph/api/resources/directoryrole): its
/// id derived from the tenant and the role's name, so each tenant has its own.
pub fn directory_role(tenant_id: &str, template: (&str, &str, &str)) -> Entity {
    let (template_id, name, description) = template;
    Entity::new(
        "microsoft.graph.directoryRole",
        obj(json!({
            "id": derived_id(tenant_id, &format!("directoryRole/{name}")),
            "deletedDateTime": null, "displayName": name, "description": description,
            "roleTemplateId": template_id,
        })),
    )
}

pub(super) fn install(t: &mut Tenant) {
    for (id, name, description) in ROLE_TEMPLATES {
        top(
            t,
            "directoryRoleTemplates",
            "microsoft.graph.directoryRoleTemplate",
            obj(json!({
                "id": id, "deletedDateTime": null, "displayName": name, "description": description,
            })),
        );
    }
    let admin = t.admin_id.clone();
    let tenant_id = t.id.clone();
    let rbac = singleton(
        t,
        "roleManagement",
        "microsoft.graph.roleManagement",
        obj(json!({"id": "roleManagement"})),
    );
    let directory = one(
        rbac,
        "directory",
        "microsoft.graph.rbacApplication",
        obj(json!({"id": "directory"})),
    );
    for (id, name, description) in ROLE_TEMPLATES {
        contain(
            directory,
            "roleDefinitions",
            "microsoft.graph.unifiedRoleDefinition",
            obj(json!({
                "id": id, "templateId": id, "displayName": name, "description": description,
                "isBuiltIn": true, "isEnabled": true, "version": "1", "resourceScopes": ["/"],
                "rolePermissions": [{"allowedResourceActions": [], "condition": null}],
            })),
        );
    }
    // The built-in administrator is a Global Administrator (the id form the demo uses, so its
    // own assignment of the same pair replaces this one).
    let ga = ROLE_TEMPLATES[0].0;
    if !admin.is_empty() {
        contain(
            directory,
            "roleAssignments",
            "microsoft.graph.unifiedRoleAssignment",
            obj(json!({
                "id": format!("{ga}-{}", &admin[..admin.len().min(8)]),
                "principalId": admin, "roleDefinitionId": ga, "directoryScopeId": "/",
                "appScopeId": null, "condition": null, "principalOrganizationId": tenant_id,
            })),
        );
        let activated = t.store.sets.get("directoryRoles").is_some_and(|s| {
            s.values()
                .any(|r| r.object.get("roleTemplateId") == Some(&json!(ga)))
        });
        if !activated {
            let mut role = directory_role(&tenant_id, ROLE_TEMPLATES[0]);
            role.refs_mut("members").push(admin);
            t.store.insert_top("directoryRoles", role);
        }
    }
    // Every active assignment has its schedule instance (the demo's included).
    let assignments: Vec<Map<String, Value>> = directory_of(t)
        .and_then(|d| d.many("roleAssignments"))
        .map(|m| m.values().map(|a| a.object.clone()).collect())
        .unwrap_or_default();
    if let Some(d) = directory_of(t) {
        let instances = d.many_mut("roleAssignmentScheduleInstances");
        for a in &assignments {
            let id = text(a, "id").to_string();
            if !instances.contains_key(&id) {
                let instance = schedule_instance(a, super::BUILT_IN_DATE);
                instances.insert(
                    id,
                    Entity::new(
                        "microsoft.graph.unifiedRoleAssignmentScheduleInstance",
                        instance,
                    ),
                );
            }
        }
        // ... and its schedule (roleAssignmentSchedules), permanent since the same start.
        let starts: Vec<(String, Value)> = d
            .many("roleAssignmentScheduleInstances")
            .map(|m| {
                m.iter()
                    .map(|(id, i)| {
                        let start = i.object.get("startDateTime").cloned();
                        (id.clone(), start.unwrap_or(Value::Null))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let schedules = d.many_mut("roleAssignmentSchedules");
        for a in &assignments {
            let id = text(a, "id").to_string();
            if schedules.contains_key(&id) {
                continue;
            }
            let start = starts
                .iter()
                .find(|(i, _)| *i == id)
                .and_then(|(_, s)| s.as_str())
                .unwrap_or(super::BUILT_IN_DATE)
                .to_string();
            schedules.insert(
                id,
                Entity::new(
                    "microsoft.graph.unifiedRoleAssignmentSchedule",
                    assignment_schedule(a, &start),
                ),
            );
        }
        // Every eligible assignment's instance has its schedule (roleEligibilitySchedules).
        let eligible: Vec<Map<String, Value>> = d
            .many("roleEligibilityScheduleInstances")
            .map(|m| m.values().map(|i| i.object.clone()).collect())
            .unwrap_or_default();
        if !eligible.is_empty() {
            let schedules = d.many_mut("roleEligibilitySchedules");
            for i in &eligible {
                let schedule = eligibility_schedule(i);
                let id = text(&schedule, "id").to_string();
                if !id.is_empty() && !schedules.contains_key(&id) {
                    schedules.insert(
                        id,
                        Entity::new("microsoft.graph.unifiedRoleEligibilitySchedule", schedule),
                    );
                }
            }
        }
    }
    role_management_policies(t);
}

/// `roleManagement/directory`, when there is one.
fn directory_of(t: &mut Tenant) -> Option<&mut Entity> {
    match t
        .store
        .singletons
        .get_mut("roleManagement")?
        .nav
        .get_mut("directory")?
    {
        super::Nav::One(e) => Some(e),
        _ => None,
    }
}

/// A rule's target: who it applies to (`Admin` or `EndUser`) at which level.
fn target(caller: &str, level: &str) -> Value {
    json!({
        "caller": caller, "operations": ["All"], "level": level,
        "inheritableSettings": [], "enforcedSettings": [],
    })
}

/// The rules of a role's PIM policy as a new tenant has them
/// (unifiedrolemanagementpolicy-list-rules): eligibility up to a year, active assignments up
/// to six months, activation for eight hours with MFA and a justification, no approval, every
/// notification to the default recipients.
fn policy_rules() -> Vec<serde_json::Map<String, Value>> {
    let mut rules = vec![];
    let rule = |ty: &str, id: &str, caller: &str, level: &str, extra: Value| {
        let mut o = obj(extra);
        o.insert(
            "@odata.type".into(),
            json!(format!("#microsoft.graph.{ty}")),
        );
        o.insert("id".into(), json!(id));
        o.insert("target".into(), target(caller, level));
        o
    };
    for (caller, level, duration, enabled) in [
        ("Admin", "Eligibility", "P365D", json!([])),
        (
            "Admin",
            "Assignment",
            "P180D",
            json!(["Justification", "MultiFactorAuthentication"]),
        ),
    ] {
        let suffix = format!("{caller}_{level}");
        rules.push(rule(
            "unifiedRoleManagementPolicyExpirationRule",
            &format!("Expiration_{suffix}"),
            caller,
            level,
            json!({"isExpirationRequired": false, "maximumDuration": duration}),
        ));
        rules.push(rule(
            "unifiedRoleManagementPolicyEnablementRule",
            &format!("Enablement_{suffix}"),
            caller,
            level,
            json!({"enabledRules": enabled}),
        ));
    }
    rules.push(rule(
        "unifiedRoleManagementPolicyApprovalRule",
        "Approval_EndUser_Assignment",
        "EndUser",
        "Assignment",
        json!({"setting": {
            "isApprovalRequired": false, "isApprovalRequiredForExtension": false,
            "isRequestorJustificationRequired": true, "approvalMode": "SingleStage",
            "approvalStages": [{
                "approvalStageTimeOutInDays": 1, "isApproverJustificationRequired": true,
                "escalationTimeInMinutes": 0, "isEscalationEnabled": false,
                "primaryApprovers": [], "escalationApprovers": [],
            }],
        }}),
    ));
    rules.push(rule(
        "unifiedRoleManagementPolicyAuthenticationContextRule",
        "AuthenticationContext_EndUser_Assignment",
        "EndUser",
        "Assignment",
        json!({"isEnabled": false, "claimValue": ""}),
    ));
    rules.push(rule(
        "unifiedRoleManagementPolicyEnablementRule",
        "Enablement_EndUser_Assignment",
        "EndUser",
        "Assignment",
        json!({"enabledRules": ["MultiFactorAuthentication", "Justification"]}),
    ));
    rules.push(rule(
        "unifiedRoleManagementPolicyExpirationRule",
        "Expiration_EndUser_Assignment",
        "EndUser",
        "Assignment",
        json!({"isExpirationRequired": true, "maximumDuration": "PT8H"}),
    ));
    for (caller, level) in [
        ("Admin", "Eligibility"),
        ("Admin", "Assignment"),
        ("EndUser", "Assignment"),
    ] {
        for recipient in ["Admin", "Requestor", "Approver"] {
            rules.push(rule(
                "unifiedRoleManagementPolicyNotificationRule",
                &format!("Notification_{recipient}_{caller}_{level}"),
                caller,
                level,
                json!({
                    "notificationType": "Email", "recipientType": recipient,
                    "notificationLevel": "All", "isDefaultRecipientsEnabled": true,
                    "notificationRecipients": [],
                }),
            ));
        }
    }
    rules
}

/// One PIM policy per built-in role and its assignment to the role, at the directory scope
/// (unifiedrolemanagementpolicyassignment-list: ids `Directory_{tenant}_{policy guid}` and
/// `…_{roleDefinitionId}`, scope type `DirectoryRole`).
fn role_management_policies(t: &mut Tenant) {
    let tenant_id = t.id.clone();
    let policies = singleton(
        t,
        "policies",
        "microsoft.graph.policyRoot",
        obj(json!({"id": "policies"})),
    );
    let rules = policy_rules();
    for (role, _, _) in ROLE_TEMPLATES {
        let guid = derived_id(&tenant_id, &format!("roleManagementPolicy/{role}"));
        let policy_id = format!("Directory_{tenant_id}_{guid}");
        if policies
            .many("roleManagementPolicies")
            .is_some_and(|m| m.contains_key(&policy_id))
        {
            continue;
        }
        let mut policy = Entity::new(
            "microsoft.graph.unifiedRoleManagementPolicy",
            obj(json!({
                "id": policy_id, "displayName": "DirectoryRole", "description": "DirectoryRole",
                "isOrganizationDefault": false, "scopeId": "/", "scopeType": "DirectoryRole",
                "lastModifiedDateTime": null, "lastModifiedBy": null,
            })),
        );
        for r in &rules {
            let ty = r
                .get("@odata.type")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .trim_start_matches('#')
                .to_string();
            let mut o = r.clone();
            o.remove("@odata.type");
            contain(&mut policy, "rules", &ty, o.clone());
            contain(&mut policy, "effectiveRules", &ty, o);
        }
        policies
            .many_mut("roleManagementPolicies")
            .insert(policy_id.clone(), policy);
        contain(
            policies,
            "roleManagementPolicyAssignments",
            "microsoft.graph.unifiedRoleManagementPolicyAssignment",
            obj(json!({
                "id": format!("{policy_id}_{role}"), "policyId": policy_id,
                "scopeId": "/", "scopeType": "DirectoryRole", "roleDefinitionId": role,
            })),
        );
    }
}
