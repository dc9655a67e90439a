//! The organisation, its domains and subscriptions, groups, and directory roles.

use serde_json::{json, Value};

use super::people::{People, DEPARTMENTS};
use super::{contain, group_id, insert, obj, one, overlay_entity, secs, singleton, Draw};
use crate::sandbox::state::{security_identifier, Group, Tenant};

/// A subscribed SKU, as the licence step needs it.
#[derive(Debug, Clone)]
pub struct Sku {
    pub sku_id: String,
    pub part_number: &'static str,
    /// (servicePlanId, servicePlanName, service)
    pub plans: Vec<(&'static str, &'static str, &'static str)>,
}

const EXCHANGE: (&str, &str, &str) = (
    "efb87545-963c-4e0d-99df-69c6916d9eb0",
    "EXCHANGE_S_ENTERPRISE",
    "exchange",
);
const SHAREPOINT: (&str, &str, &str) = (
    "5dbe027f-2339-4123-9542-606e4d348a72",
    "SHAREPOINTENTERPRISE",
    "SharePoint",
);
const TEAMS: (&str, &str, &str) = (
    "57ff2da0-773e-42df-b2af-ffb7a2317929",
    "TEAMS1",
    "TeamspaceAPI",
);
const OFFICE: (&str, &str, &str) = (
    "43de0ff5-c92c-492b-9116-175376d08c38",
    "OFFICESUBSCRIPTION",
    "MicrosoftOffice",
);
const ENTRA_P1: (&str, &str, &str) = (
    "41781fb2-bc02-4b7c-bd55-b576c07bb09d",
    "AAD_PREMIUM",
    "AADPremiumService",
);
const ENTRA_P2: (&str, &str, &str) = (
    "eec0eb4f-6444-4f95-aba0-50c24d67f998",
    "AAD_PREMIUM_P2",
    "AADPremiumService",
);
const INTUNE: (&str, &str, &str) = ("c1ec4a95-1f05-45b3-a911-aa3fa01094f5", "INTUNE_A", "SCO");
const MFA: (&str, &str, &str) = (
    "8a256a2b-b617-496d-b51b-e76466e88db0",
    "MFA_PREMIUM",
    "MultiFactorService",
);
const POWER_BI: (&str, &str, &str) = (
    "2049e525-b859-401b-b2a0-e0a31c4b1fe4",
    "BI_AZURE_P0",
    "PowerBI",
);
const FLOW: (&str, &str, &str) = (
    "50e68c76-46c6-4674-81f9-75456511b170",
    "FLOW_P2_VIRAL",
    "ProcessSimple",
);

/// The tenant's subscriptions: (skuId, skuPartNumber, prepaid units, units already used by
/// people outside the demo, plans).
#[allow(clippy::type_complexity)]
const SKUS: &[(&str, &str, i64, i64, &[(&str, &str, &str)])] = &[
    (
        "05e9a617-0261-4cee-bb44-138d3ef5d965",
        "SPE_E3",
        250,
        0,
        &[EXCHANGE, SHAREPOINT, TEAMS, OFFICE, ENTRA_P1, INTUNE, MFA],
    ),
    (
        "06ebc4ee-1bb5-47dd-8120-11324bc54e06",
        "SPE_E5",
        60,
        0,
        &[
            EXCHANGE, SHAREPOINT, TEAMS, OFFICE, ENTRA_P1, ENTRA_P2, INTUNE, MFA,
        ],
    ),
    (
        "a403ebcc-fae0-4ca2-8c8c-7a907fd6c235",
        "POWER_BI_STANDARD",
        1_000_000,
        0,
        &[POWER_BI],
    ),
    (
        "f30db892-07e9-47e9-837c-80727f46fd3d",
        "FLOW_FREE",
        10_000,
        3,
        &[FLOW],
    ),
    (
        "84a661c4-e949-4bd2-a560-ed7766fcaf2b",
        "AAD_PREMIUM_P2",
        25,
        0,
        &[ENTRA_P2, MFA],
    ),
    (
        "4b9405b0-7788-4568-add1-99614e613b69",
        "EXCHANGESTANDARD",
        20,
        0,
        &[EXCHANGE],
    ),
];

/// `organization` and `domains`.
pub fn organization(tenant: &mut Tenant, d: &mut Draw) {
    let initial = tenant.domain.clone();
    let custom = initial
        .split('.')
        .next()
        .map(|s| format!("{s}.com"))
        .unwrap_or_else(|| "contoso.com".into());
    let verified = json!([
        {"name": initial, "type": "Managed", "isDefault": true, "isInitial": true, "capabilities": "Email, OfficeCommunicationsOnline"},
        {"name": custom, "type": "Managed", "isDefault": false, "isInitial": false, "capabilities": "Email, OfficeCommunicationsOnline, Intune"},
    ]);
    let created = d.ago(1500, 1600);
    insert(
        tenant,
        "organization",
        "microsoft.graph.organization",
        obj(json!({
            "id": tenant.id,
            "displayName": tenant.display_name,
            "tenantType": "AAD",
            "countryLetterCode": "US",
            "city": "Redmond",
            "state": "WA",
            "street": "1 Contoso Way",
            "postalCode": "98052",
            "preferredLanguage": "en",
            "businessPhones": ["+1 425 555 0100"],
            "technicalNotificationMails": [format!("admin@{initial}")],
            "securityComplianceNotificationMails": [],
            "marketingNotificationEmails": [],
            "createdDateTime": secs(created),
            "deletedDateTime": null,
            "onPremisesSyncEnabled": true,
            "onPremisesLastSyncDateTime": secs(d.ago(0, 1)),
            "verifiedDomains": verified,
            "assignedPlans": SKUS.iter().flat_map(|s| s.4.iter()).map(|(id, _, service)| json!({
                "assignedDateTime": secs(created), "capabilityStatus": "Enabled", "service": service, "servicePlanId": id
            })).collect::<Vec<_>>(),
            "provisionedPlans": [],
            "privacyProfile": {"contactEmail": format!("privacy@{custom}"), "statementUrl": format!("https://{custom}/privacy")},
        })),
    );
    for (name, default, initial_, verified, services) in [
        (
            initial.as_str(),
            true,
            true,
            true,
            json!(["Email", "OfficeCommunicationsOnline"]),
        ),
        (
            custom.as_str(),
            false,
            false,
            true,
            json!(["Email", "OfficeCommunicationsOnline", "Intune"]),
        ),
        ("fabrikam-legacy.com", false, false, false, json!([])),
    ] {
        insert(
            tenant,
            "domains",
            "microsoft.graph.domain",
            obj(json!({
                "id": name, "authenticationType": "Managed", "availabilityStatus": null,
                "isAdminManaged": true, "isDefault": default, "isInitial": initial_, "isRoot": true,
                "isVerified": verified, "supportedServices": services,
                "passwordValidityPeriodInDays": 2147483647, "passwordNotificationWindowInDays": 14,
                "state": null,
            })),
        );
    }
}

/// `subscribedSkus`, with no units consumed yet (the licence step counts them).
pub fn subscribed_skus(tenant: &mut Tenant, _d: &mut Draw) -> Vec<Sku> {
    let mut out = vec![];
    for (sku_id, part, prepaid, used, plans) in SKUS {
        let service_plans: Vec<Value> = plans
            .iter()
            .map(|(id, name, _)| json!({"servicePlanId": id, "servicePlanName": name, "provisioningStatus": "Success", "appliesTo": "User"}))
            .collect();
        insert(
            tenant,
            "subscribedSkus",
            "microsoft.graph.subscribedSku",
            obj(json!({
                "id": format!("{}_{sku_id}", tenant.id),
                "accountId": tenant.id,
                "accountName": "Contoso",
                "appliesTo": "User",
                "capabilityStatus": "Enabled",
                "consumedUnits": used,
                "skuId": sku_id,
                "skuPartNumber": part,
                "subscriptionIds": [],
                "prepaidUnits": {"enabled": prepaid, "suspended": 0, "warning": 0, "lockedOut": 0},
                "servicePlans": service_plans,
            })),
        );
        out.push(Sku {
            sku_id: sku_id.to_string(),
            part_number: part,
            plans: plans.to_vec(),
        });
    }
    out
}

struct GroupSpec {
    name: String,
    nick: String,
    description: String,
    unified: bool,
    security: bool,
    mail: bool,
    rule: Option<String>,
    role_assignable: bool,
    visibility: Option<&'static str>,
    members: Vec<String>,
    owners: Vec<String>,
}

fn add_group(tenant: &mut Tenant, d: &mut Draw, g: GroupSpec) -> String {
    let id = d.id();
    let created = d.ago(30, 1200);
    let mut types = vec![];
    if g.unified {
        types.push("Unified");
    }
    if g.rule.is_some() {
        types.push("DynamicMembership");
    }
    let mail = g.mail.then(|| format!("{}@{}", g.nick, tenant.domain));
    let object = obj(json!({
        "id": id,
        "deletedDateTime": null,
        "createdDateTime": secs(created),
        "renewedDateTime": secs(created),
        "description": g.description,
        "displayName": g.name,
        "groupTypes": types,
        "isAssignableToRole": if g.role_assignable { json!(true) } else { Value::Null },
        "mail": mail,
        "mailEnabled": g.mail,
        "mailNickname": g.nick,
        "securityEnabled": g.security,
        "securityIdentifier": security_identifier(&id).unwrap_or_default(),
        "visibility": g.visibility,
        "membershipRule": g.rule,
        "membershipRuleProcessingState": if g.rule.is_some() { json!("On") } else { Value::Null },
        "proxyAddresses": mail.iter().map(|m| format!("SMTP:{m}")).collect::<Vec<_>>(),
        "classification": null,
        "onPremisesSyncEnabled": null,
        "expirationDateTime": null,
        "preferredDataLocation": null,
        "theme": null,
    }));
    tenant.groups.insert(
        id.clone(),
        Group {
            object,
            members: g.members,
        },
    );
    if !g.owners.is_empty() {
        *overlay_entity(tenant, "groups", "microsoft.graph.group", &id).refs_mut("owners") =
            g.owners.clone();
        for o in &g.owners {
            overlay_entity(tenant, "users", "microsoft.graph.user", o)
                .refs_mut("ownedObjects")
                .push(id.clone());
        }
    }
    id
}

/// Security groups per department, Microsoft 365 groups, dynamic and role-assignable ones.
pub fn groups(tenant: &mut Tenant, d: &mut Draw, people: &People) {
    let members: Vec<String> = people.members().map(|p| p.id.clone()).collect();
    let head_of = |dept: &str| -> Vec<String> {
        DEPARTMENTS
            .iter()
            .find(|(n, _)| *n == dept)
            .and_then(|(_, titles)| people.in_department(dept).find(|p| p.title == titles[0]))
            .map(|p| vec![p.id.clone()])
            .unwrap_or_default()
    };
    for (dept, _) in DEPARTMENTS {
        let nick = format!("sg-{}", dept.to_ascii_lowercase().replace(' ', "-"));
        add_group(
            tenant,
            d,
            GroupSpec {
                name: format!("SG-{}", dept.replace(' ', "")),
                nick,
                description: format!("Security group for the {dept} department"),
                unified: false,
                security: true,
                mail: false,
                rule: None,
                role_assignable: false,
                visibility: None,
                members: people.in_department(dept).map(|p| p.id.clone()).collect(),
                owners: head_of(dept),
            },
        );
    }
    let admin = vec![people.admin.clone()];
    add_group(
        tenant,
        d,
        GroupSpec {
            name: "All Company".into(),
            nick: "allcompany".into(),
            description: "This is the default group for everyone in the network".into(),
            unified: true,
            security: false,
            mail: true,
            rule: None,
            role_assignable: false,
            visibility: Some("Public"),
            members: members.clone(),
            owners: admin.clone(),
        },
    );
    for (name, vis) in [
        ("Project Falcon", "Private"),
        ("Marketing Campaigns", "Public"),
        ("Leadership Team", "Private"),
        ("Engineering Guild", "Public"),
        ("Customer Advisory Board", "Private"),
        ("Office Social Club", "Public"),
    ] {
        let n = d.int(5, 30) as usize;
        let mut picked: Vec<String> = (0..n).map(|_| d.pick(&members).clone()).collect();
        picked.sort();
        picked.dedup();
        // A few Microsoft 365 groups have guests, and one has no owner (a common finding).
        if d.chance(0.5) {
            picked.extend(people.guests().take(3).map(|p| p.id.clone()));
        }
        let owners = if name == "Office Social Club" {
            vec![]
        } else {
            vec![picked[0].clone()]
        };
        add_group(
            tenant,
            d,
            GroupSpec {
                name: name.into(),
                nick: name.to_ascii_lowercase().replace(' ', ""),
                description: format!("{name} workspace"),
                unified: true,
                security: false,
                mail: true,
                rule: None,
                role_assignable: false,
                visibility: Some(vis),
                members: picked,
                owners,
            },
        );
    }
    type Rule = Box<dyn Fn(&super::people::Person) -> bool>;
    let dynamic: [(&str, &str, Rule); 3] = [
        (
            "All Employees (Dynamic)",
            "(user.userType -eq \"Member\") and (user.accountEnabled -eq true)",
            Box::new(|p| !p.guest && p.enabled),
        ),
        (
            "All Guests (Dynamic)",
            "(user.userType -eq \"Guest\")",
            Box::new(|p| p.guest),
        ),
        (
            "Sales (Dynamic)",
            "(user.department -eq \"Sales\")",
            Box::new(|p| p.department == Some("Sales")),
        ),
    ];
    for (name, rule, matches) in dynamic {
        add_group(
            tenant,
            d,
            GroupSpec {
                name: name.into(),
                nick: name.to_ascii_lowercase().replace([' ', '(', ')'], ""),
                description: format!("Dynamic membership: {rule}"),
                unified: false,
                security: true,
                mail: false,
                rule: Some(rule.into()),
                role_assignable: false,
                visibility: None,
                members: people
                    .all
                    .iter()
                    .filter(|p| matches(p))
                    .map(|p| p.id.clone())
                    .collect(),
                owners: vec![],
            },
        );
    }
    let it: Vec<String> = people.in_department("IT").map(|p| p.id.clone()).collect();
    for (name, n) in [("Helpdesk Operators", 6), ("Tier 0 Administrators", 2)] {
        add_group(
            tenant,
            d,
            GroupSpec {
                name: name.into(),
                nick: name.to_ascii_lowercase().replace(' ', "-"),
                description: format!("{name} (role-assignable)"),
                unified: false,
                security: true,
                mail: false,
                rule: None,
                role_assignable: true,
                visibility: Some("Private"),
                members: it.iter().skip(1).take(n).cloned().collect(),
                owners: admin.clone(),
            },
        );
    }
    add_group(
        tenant,
        d,
        GroupSpec {
            name: "Finance Approvers".into(),
            nick: "financeapprovers".into(),
            description: "Mail-enabled security group for invoice approval".into(),
            unified: false,
            security: true,
            mail: true,
            rule: None,
            role_assignable: false,
            visibility: None,
            members: people
                .in_department("Finance")
                .take(4)
                .map(|p| p.id.clone())
                .collect(),
            owners: head_of("Finance"),
        },
    );
}

/// Built-in roles: (templateId, displayName, description, allowed actions).
pub const ROLES: &[(&str, &str, &str, &[&str])] = &[
    ("62e90394-69f5-4237-9190-012177145e10", "Global Administrator", "Can manage all aspects of Microsoft Entra ID and Microsoft services that use Microsoft Entra identities.", &["microsoft.directory/allEntities/allProperties/allTasks"]),
    ("f2ef992c-3afb-46b9-b7cf-a126ee74c451", "Global Reader", "Can read everything that a Global Administrator can, but not update anything.", &["microsoft.directory/allEntities/allProperties/read"]),
    ("e8611ab8-c189-46e8-94e1-60213ab1f814", "Privileged Role Administrator", "Can manage role assignments in Microsoft Entra ID, and all aspects of Privileged Identity Management.", &["microsoft.directory/roleAssignments/allProperties/allTasks"]),
    ("fe930be7-5e62-47db-91af-98c3a49a38b1", "User Administrator", "Can manage all aspects of users and groups, including resetting passwords for limited admins.", &["microsoft.directory/users/allProperties/allTasks", "microsoft.directory/groups/allProperties/allTasks"]),
    ("729827e3-9c14-49f7-bb1b-9608f156bbb8", "Helpdesk Administrator", "Can reset passwords for non-administrators and Helpdesk Administrators.", &["microsoft.directory/users/password/update", "microsoft.directory/users/invalidateAllRefreshTokens"]),
    ("c4e39bd9-1100-46d3-8c65-fb160da0071f", "Authentication Administrator", "Can access to view, set and reset authentication method information for any non-admin user.", &["microsoft.directory/users/authenticationMethods/create", "microsoft.directory/users/authenticationMethods/delete"]),
    ("194ae4cb-b126-40b2-bd5b-6091b380977d", "Security Administrator", "Can read security information and reports, and manage configuration in Microsoft Entra ID and Office 365.", &["microsoft.directory/policies/standard/read", "microsoft.directory/conditionalAccessPolicies/allProperties/allTasks"]),
    ("b1be1c3e-b65d-4f19-8427-f6fa0d97feb9", "Conditional Access Administrator", "Can manage Conditional Access capabilities.", &["microsoft.directory/conditionalAccessPolicies/allProperties/allTasks", "microsoft.directory/namedLocations/allProperties/allTasks"]),
    ("9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3", "Application Administrator", "Can create and manage all aspects of app registrations and enterprise apps.", &["microsoft.directory/applications/allProperties/allTasks", "microsoft.directory/servicePrincipals/allProperties/allTasks"]),
    ("29232cdf-9323-42fd-ade2-1d097af3e4de", "Exchange Administrator", "Can manage all aspects of the Exchange product.", &["microsoft.office365.exchange/allEntities/basic/allTasks"]),
    ("f28a1f50-f6e7-4571-818b-6a12f2af6b6c", "SharePoint Administrator", "Can manage all aspects of the SharePoint service.", &["microsoft.office365.sharePoint/allEntities/allTasks"]),
    ("69091246-20e8-4a56-aa4d-066075b2a7a8", "Teams Administrator", "Can manage the Microsoft Teams service.", &["microsoft.teams/allEntities/allProperties/allTasks"]),
    ("3a2c62db-5318-420d-8d74-23affee5d9d5", "Intune Administrator", "Can manage all aspects of the Intune product.", &["microsoft.intune/allEntities/allTasks"]),
    ("b0f54661-2d74-4c50-afa3-1ec803f12efe", "Billing Administrator", "Can perform common billing related tasks like updating payment information.", &["microsoft.directory/organization/basic/update", "microsoft.commerce.billing/allEntities/allProperties/allTasks"]),
    ("88d8e3e3-8f55-4a1e-953a-9b9898b8876b", "Directory Readers", "Can read basic directory information. Commonly used to grant directory read access to applications and guests.", &["microsoft.directory/users/standard/read", "microsoft.directory/groups/standard/read"]),
];

/// Activated directory roles with members, and the unified RBAC view of the same
/// assignments (`roleManagement/directory`).
pub fn roles(tenant: &mut Tenant, d: &mut Draw, people: &People) {
    let it: Vec<&str> = people.in_department("IT").map(|p| p.id.as_str()).collect();
    let pick = |i: usize| it.get(i % it.len().max(1)).map(|s| s.to_string());
    let helpdesk_group = group_id(tenant, "Helpdesk Operators");
    let mut assignments: Vec<(&str, Vec<String>)> = vec![
        (
            "Global Administrator",
            [Some(people.admin.clone()), pick(1), pick(2)]
                .into_iter()
                .flatten()
                .collect(),
        ),
        (
            "Global Reader",
            [pick(3), pick(4)].into_iter().flatten().collect(),
        ),
        (
            "Privileged Role Administrator",
            [pick(1)].into_iter().flatten().collect(),
        ),
        (
            "User Administrator",
            [pick(5), pick(6), pick(7)].into_iter().flatten().collect(),
        ),
        (
            "Helpdesk Administrator",
            [pick(8), helpdesk_group].into_iter().flatten().collect(),
        ),
        (
            "Authentication Administrator",
            [pick(9)].into_iter().flatten().collect(),
        ),
        (
            "Security Administrator",
            [pick(3)].into_iter().flatten().collect(),
        ),
        (
            "Conditional Access Administrator",
            [pick(10)].into_iter().flatten().collect(),
        ),
        (
            "Application Administrator",
            [pick(11), pick(12)].into_iter().flatten().collect(),
        ),
        (
            "Exchange Administrator",
            [pick(13)].into_iter().flatten().collect(),
        ),
        (
            "Intune Administrator",
            [pick(14)].into_iter().flatten().collect(),
        ),
        (
            "Billing Administrator",
            people
                .in_department("Finance")
                .take(1)
                .map(|p| p.id.clone())
                .collect(),
        ),
        (
            "Directory Readers",
            people.guests().take(2).map(|p| p.id.clone()).collect(),
        ),
    ];
    for (_, ids) in assignments.iter_mut() {
        ids.dedup();
    }
    let rbac = singleton(tenant, "roleManagement", "microsoft.graph.roleManagement");
    let directory = one(rbac, "directory", "microsoft.graph.rbacApplication");
    for (template, name, description, actions) in ROLES {
        contain(
            directory,
            "roleDefinitions",
            "microsoft.graph.unifiedRoleDefinition",
            obj(json!({
                "id": template, "templateId": template, "displayName": name, "description": description,
                "isBuiltIn": true, "isEnabled": true, "version": "1", "resourceScopes": ["/"],
                "rolePermissions": [{"allowedResourceActions": actions, "condition": null}],
                "inheritsPermissionsFrom": [],
            })),
        );
    }
    for (name, members) in &assignments {
        let Some((template, _, _, _)) = ROLES.iter().find(|r| r.1 == *name) else {
            continue;
        };
        for m in members {
            let id = format!("{}-{}", template, &m[..8]);
            contain(
                directory,
                "roleAssignments",
                "microsoft.graph.unifiedRoleAssignment",
                obj(json!({
                    "id": id, "principalId": m, "roleDefinitionId": template,
                    "directoryScopeId": "/", "appScopeId": null, "condition": null,
                })),
            );
        }
    }
    for (name, members) in assignments {
        let Some((template, _, description, _)) = ROLES.iter().find(|r| r.1 == name) else {
            continue;
        };
        let drawn = d.id();
        // A role a new tenant already activated (Global Administrator, see
        // `sandbox::defaults`) keeps its id; the draw above keeps the seed's sequence.
        let id = tenant
            .store
            .sets
            .get("directoryRoles")
            .and_then(|s| {
                s.values()
                    .find(|r| r.object.get("roleTemplateId") == Some(&json!(template)))
            })
            .map(|r| r.id().to_string())
            .unwrap_or(drawn);
        insert(
            tenant,
            "directoryRoles",
            "microsoft.graph.directoryRole",
            obj(json!({
                "id": id, "deletedDateTime": null, "displayName": name,
                "description": description, "roleTemplateId": template,
            })),
        );
        if let Some(e) = tenant
            .store
            .sets
            .get_mut("directoryRoles")
            .and_then(|s| s.get_mut(&id))
        {
            *e.refs_mut("members") = members.clone();
        }
        for m in &members {
            if let Some(u) = tenant.users.get_mut(m) {
                if !u.roles.iter().any(|r| r == name) {
                    u.roles.push(name.to_string());
                }
            }
        }
    }
}
