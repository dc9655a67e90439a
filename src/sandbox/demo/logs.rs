//! What the tenant has recorded and reports: sign-in logs, directory audits, the
//! authentication-methods registration report; and its Conditional Access policies.

use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Map, Value};

use super::people::People;
use super::policies::{self, Signer, ADMIN_ROLES, POLICIES};
use super::{contain, group_id, obj, one, secs, singleton, ticks, Draw};
use crate::sandbox::state::{Tenant, GRAPH_CLI_APP_ID};

/// How many sign-ins and audit events the logs hold (the last 30 days).
const SIGN_INS: usize = 600;
const AUDITS: usize = 300;

/// Client apps signing in: (appId, name, resource name).
const CLIENTS: &[(&str, &str, &str)] = &[
    (
        "00000002-0000-0ff1-ce00-000000000000",
        "Office 365 Exchange Online",
        "Office 365 Exchange Online",
    ),
    (
        "1fec8e78-bce4-4aaf-ab1b-5451cc387264",
        "Microsoft Teams",
        "Microsoft Teams Services",
    ),
    (
        "00000003-0000-0ff1-ce00-000000000000",
        "Office 365 SharePoint Online",
        "Office 365 SharePoint Online",
    ),
    (
        "c44b4083-3bb0-49c1-b47d-974e53cbdf3c",
        "Azure Portal",
        "Windows Azure Service Management API",
    ),
    (
        "4765445b-32c6-49b0-83e6-1d93765276ca",
        "OfficeHome",
        "Microsoft Graph",
    ),
    (
        GRAPH_CLI_APP_ID,
        "Microsoft Graph Command Line Tools",
        "Microsoft Graph",
    ),
];

/// Outcomes: (errorCode, failureReason, weight in 100).
const OUTCOMES: &[(i64, &str, i64)] = &[
    (0, "", 82),
    (50126, "Error validating credentials due to invalid username or password.", 7),
    (50074, "Strong Authentication is required.", 4),
    (53003, "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.", 3),
    (50053, "The account is locked, you've tried to sign in too many times with an incorrect user ID or password.", 2),
    (500121, "Authentication failed during strong authentication request.", 2),
];

/// Public addresses for the offices (documentation ranges, RFC 5737) and a few unexpected
/// places.
const PLACES: &[(&str, &str, &str, &str, f64, f64)] = &[
    (
        "203.0.113.",
        "Redmond",
        "Washington",
        "US",
        47.674,
        -122.121,
    ),
    ("203.0.113.", "New York", "New York", "US", 40.713, -74.006),
    ("198.51.100.", "London", "England", "GB", 51.507, -0.128),
    ("198.51.100.", "Berlin", "Berlin", "DE", 52.520, 13.405),
    ("192.0.2.", "Paris", "Ile-de-France", "FR", 48.857, 2.352),
    ("192.0.2.", "Tokyo", "Tokyo", "JP", 35.690, 139.692),
    (
        "192.0.2.",
        "Sydney",
        "New South Wales",
        "AU",
        -33.869,
        151.209,
    ),
    ("198.18.0.", "Lagos", "Lagos", "NG", 6.524, 3.379),
    ("198.18.1.", "Moscow", "Moscow", "RU", 55.756, 37.617),
];

/// The error of a sign-in Conditional Access blocked.
const BLOCKED: i64 = 53003;

fn outcome_reason(code: i64) -> &'static str {
    OUTCOMES.iter().find(|o| o.0 == code).map_or("", |o| o.1)
}

pub fn sign_ins(tenant: &mut Tenant, d: &mut Draw, people: &People, graph_sp: &str) {
    let signers: Vec<_> = people.all.iter().filter(|p| p.enabled).cloned().collect();
    // Who holds a role the administrators' Conditional Access policy targets.
    let admin_role_names: Vec<&str> = super::directory::ROLES
        .iter()
        .filter(|r| ADMIN_ROLES.contains(&r.0))
        .map(|r| r.1)
        .collect();
    let admins: std::collections::HashSet<String> = signers
        .iter()
        .filter(|p| {
            crate::sandbox::authz::roles_of(tenant, &p.id)
                .iter()
                .any(|r| admin_role_names.contains(&r.as_str()))
        })
        .map(|p| p.id.clone())
        .collect();
    let mut events = Vec::with_capacity(SIGN_INS);
    for _ in 0..SIGN_INS {
        let p = d.pick(&signers).clone();
        let (app_id, app, resource) = *d.pick(CLIENTS);
        let roll = d.int(0, 100);
        let mut acc = 0;
        let (mut code, mut reason) = OUTCOMES
            .iter()
            .find(|(_, _, w)| {
                acc += w;
                roll < acc
            })
            .map(|(c, r, _)| (*c, *r))
            .unwrap_or((0, ""));
        let home = if p.guest {
            d.int(0, 7) as usize
        } else {
            p.office.min(6)
        };
        let place = if d.chance(0.03) {
            PLACES[d.int(7, 9) as usize]
        } else {
            PLACES[home]
        };
        let legacy = d.chance(0.03);
        let when = d.ago(0, 30);
        let client_app = if legacy {
            *d.pick(&["Exchange ActiveSync", "IMAP4", "Authenticated SMTP"])
        } else if d.chance(0.7) {
            "Browser"
        } else {
            "Mobile Apps and Desktop clients"
        };
        let ip = format!("{}{}", place.0, d.int(1, 255));
        // Conditional Access decides a 53003: an enforced block policy that applies fails
        // the sign-in, and none other is blocked.
        let mut signer = Signer {
            is_admin: admins.contains(&p.id),
            is_break_glass: p.id == people.admin,
            guest: p.guest,
            client_app,
            ip: &ip,
            error_code: code,
        };
        let blocked = policies::blocked(&signer);
        if blocked && code == 0 {
            (code, reason) = (BLOCKED, outcome_reason(BLOCKED));
        } else if !blocked && code == BLOCKED {
            (code, reason) = (0, "");
        }
        signer.error_code = code;
        let (applied, ca) = policies::evaluate(&signer);
        let risk = if place.3 == "NG" || place.3 == "RU" {
            "medium"
        } else {
            "none"
        };
        events.push((when, obj(json!({
            "id": d.id(), "createdDateTime": ticks(when),
            "userDisplayName": p.name, "userPrincipalName": p.upn, "userId": p.id,
            "appId": app_id, "appDisplayName": app,
            "resourceDisplayName": resource, "resourceId": if resource == "Microsoft Graph" { json!(graph_sp) } else { json!(null) },
            "ipAddress": ip,
            "clientAppUsed": client_app,
            "correlationId": d.id(), "conditionalAccessStatus": ca,
            "isInteractive": !legacy && d.chance(0.8),
            "riskDetail": "none", "riskLevelAggregated": risk, "riskLevelDuringSignIn": risk,
            "riskState": if risk == "none" { "none" } else { "atRisk" }, "riskEventTypes_v2": [],
            "status": {"errorCode": code, "failureReason": if code == 0 { "Other." } else { reason }, "additionalDetails": null},
            "deviceDetail": {"deviceId": "", "displayName": "", "operatingSystem": *d.pick(&["Windows10", "MacOs", "Ios", "Android"]),
                              "browser": *d.pick(&["Edge 131.0.0", "Chrome 131.0.0", "Safari 17.6", "Rich Client 5.4.0"]),
                              "isCompliant": false, "isManaged": false, "trustType": ""},
            "location": {"city": place.1, "state": place.2, "countryOrRegion": place.3,
                         "geoCoordinates": {"altitude": null, "latitude": place.4, "longitude": place.5}},
            "appliedConditionalAccessPolicies": applied,
        }))));
    }
    // Graph lists sign-ins newest first.
    events.sort_by_key(|e| std::cmp::Reverse(e.0));
    sign_in_activity(tenant, &events, d.now);
    let root = singleton(tenant, "auditLogs", "microsoft.graph.auditLogRoot");
    for (_, e) in events {
        contain(root, "signIns", "microsoft.graph.signIn", e);
    }
}

/// Whether a sign-in event counts for one kind of last sign-in.
type Counts = fn(&Map<String, Value>) -> bool;

/// `signInActivity`'s kinds of last sign-in: (date property, request id property, whether a
/// sign-in event counts).
const LAST_SIGN_INS: &[(&str, &str, Counts)] = &[
    ("lastSignInDateTime", "lastSignInRequestId", |e| {
        e.get("isInteractive") == Some(&Value::Bool(true))
    }),
    (
        "lastNonInteractiveSignInDateTime",
        "lastNonInteractiveSignInRequestId",
        |e| e.get("isInteractive") == Some(&Value::Bool(false)),
    ),
    (
        "lastSuccessfulSignInDateTime",
        "lastSuccessfulSignInRequestId",
        |e| e.get("status").and_then(|s| s.get("errorCode")) == Some(&json!(0)),
    ),
];

/// Makes every user's `signInActivity` agree with the sign-in log `events` (newest first),
/// as Graph derives it from the sign-ins it records
/// (learn.microsoft.com/graph/api/resources/signinactivity): the newest event of each kind
/// the log holds for a user gives the date and request id. A kind the log holds none of for
/// the user happened, if ever, before the log's oldest event (the log keeps 30 days,
/// `signInActivity` longer): a seeded date inside the log's window moves back by as much.
fn sign_in_activity(
    tenant: &mut Tenant,
    events: &[(DateTime<Utc>, Map<String, Value>)],
    now: DateTime<Utc>,
) {
    let Some(oldest) = events.last().map(|e| e.0) else {
        return;
    };
    for user in tenant.users.values_mut() {
        let id = user.id().to_string();
        let mine: Vec<&(DateTime<Utc>, Map<String, Value>)> = events
            .iter()
            .filter(|(_, e)| e.get("userId").and_then(Value::as_str) == Some(id.as_str()))
            .collect();
        let seeded = user.object.get("signInActivity").and_then(Value::as_object);
        if mine.is_empty() && seeded.is_none() {
            continue;
        }
        let mut activity = seeded.cloned().unwrap_or_default();
        for (date, request, counts) in LAST_SIGN_INS {
            if let Some((when, e)) = mine.iter().find(|(_, e)| counts(e)) {
                activity.insert((*date).into(), secs(*when));
                activity.insert(
                    (*request).into(),
                    e.get("id").cloned().unwrap_or(Value::Null),
                );
                continue;
            }
            let before = activity
                .get(*date)
                .and_then(Value::as_str)
                .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                .map(|t| t.with_timezone(&Utc));
            match before {
                Some(t) if t >= oldest => {
                    let moved = oldest - (now - t).max(Duration::zero()) - Duration::seconds(1);
                    activity.insert((*date).into(), secs(moved));
                }
                Some(_) => {}
                None => {
                    activity.insert((*date).into(), Value::Null);
                    activity.insert((*request).into(), Value::Null);
                }
            }
        }
        user.object
            .insert("signInActivity".into(), Value::Object(activity));
    }
}

/// Directory activities: (activityDisplayName, category, operationType, target type).
const ACTIVITIES: &[(&str, &str, &str, &str)] = &[
    ("Add user", "UserManagement", "Add", "User"),
    ("Update user", "UserManagement", "Update", "User"),
    ("Delete user", "UserManagement", "Delete", "User"),
    ("Reset user password", "UserManagement", "Update", "User"),
    ("Add member to group", "GroupManagement", "Assign", "Group"),
    (
        "Remove member from group",
        "GroupManagement",
        "Unassign",
        "Group",
    ),
    ("Add group", "GroupManagement", "Add", "Group"),
    (
        "Update application – Certificates and secrets management ",
        "ApplicationManagement",
        "Update",
        "Application",
    ),
    (
        "Add service principal",
        "ApplicationManagement",
        "Add",
        "ServicePrincipal",
    ),
    (
        "Consent to application",
        "ApplicationManagement",
        "Assign",
        "ServicePrincipal",
    ),
    ("Add member to role", "RoleManagement", "Assign", "Role"),
    (
        "Update conditional access policy",
        "Policy",
        "Update",
        "Policy",
    ),
    (
        "User registered security info",
        "UserManagement",
        "Add",
        "User",
    ),
];

pub fn directory_audits(tenant: &mut Tenant, d: &mut Draw, people: &People) {
    let admins: Vec<_> = people
        .all
        .iter()
        .filter(|p| p.department == Some("IT"))
        .take(6)
        .cloned()
        .collect();
    let targets: Vec<_> = people.all.to_vec();
    let groups: Vec<(String, String)> = tenant
        .groups
        .iter()
        .map(|(id, g)| {
            (
                id.clone(),
                g.object
                    .get("displayName")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
            )
        })
        .collect();
    let mut events = Vec::with_capacity(AUDITS);
    for i in 0..AUDITS {
        let (activity, category, op, kind) = *d.pick(ACTIVITIES);
        let by = d.pick(&admins).clone();
        let who = d.pick(&targets).clone();
        let when = d.ago(0, 30);
        let mut resources = vec![];
        match kind {
            "Group" => {
                let (gid, gname) = d.pick(&groups).clone();
                resources.push(json!({"id": who.id, "displayName": null, "type": "User", "userPrincipalName": who.upn, "groupType": null, "modifiedProperties": []}));
                resources.push(json!({"id": gid, "displayName": gname, "type": "Group", "userPrincipalName": null, "groupType": "unifiedGroups", "modifiedProperties": []}));
            }
            "User" => resources.push(json!({"id": who.id, "displayName": null, "type": "User", "userPrincipalName": who.upn, "groupType": null,
                "modifiedProperties": if op == "Update" { json!([{"displayName": "AccountEnabled", "oldValue": "[true]", "newValue": "[false]"}]) } else { json!([]) }})),
            _ => resources.push(json!({"id": d.id(), "displayName": activity.split(' ').next_back().unwrap_or(""), "type": kind, "userPrincipalName": null, "groupType": null, "modifiedProperties": []})),
        }
        let ok = d.chance(0.96);
        events.push((when, obj(json!({
            "id": format!("Directory_{}_{}", d.id(), i), "category": category, "correlationId": d.id(),
            "result": if ok { "success" } else { "failure" }, "resultReason": if ok { "" } else { "Insufficient privileges" },
            "activityDisplayName": activity, "activityDateTime": ticks(when), "loggedByService": "Core Directory",
            "operationType": op,
            "initiatedBy": {"app": null, "user": {"id": by.id, "displayName": null, "userPrincipalName": by.upn, "ipAddress": format!("203.0.113.{}", d.int(1, 255)), "userType": null, "homeTenantId": null, "homeTenantName": null}},
            "targetResources": resources, "additionalDetails": [],
        }))));
    }
    events.sort_by_key(|e| std::cmp::Reverse(e.0));
    let root = singleton(tenant, "auditLogs", "microsoft.graph.auditLogRoot");
    for (_, e) in events {
        contain(root, "directoryAudits", "microsoft.graph.directoryAudit", e);
    }
}

/// `reports/authenticationMethods/userRegistrationDetails`, from the methods each person
/// registered.
pub fn registration_details(tenant: &mut Tenant, people: &People) {
    let admins: Vec<String> = tenant
        .users
        .values()
        .filter(|u| !u.roles.is_empty())
        .map(|u| u.id().to_string())
        .collect();
    let now = chrono::Utc::now();
    let reports = singleton(tenant, "reports", "microsoft.graph.reportRoot");
    let root = one(
        reports,
        "authenticationMethods",
        "microsoft.graph.authenticationMethodsRoot",
    );
    for p in &people.all {
        let strong = p.methods.iter().any(|m| *m != "email");
        let sspr = p
            .methods
            .iter()
            .any(|m| matches!(*m, "mobilePhone" | "email" | "microsoftAuthenticatorPush"));
        let passwordless = p
            .methods
            .iter()
            .any(|m| matches!(*m, "windowsHelloForBusiness" | "passKeyDeviceBound"));
        contain(
            root,
            "userRegistrationDetails",
            "microsoft.graph.userRegistrationDetails",
            obj(json!({
                "id": p.id, "userPrincipalName": p.upn, "userDisplayName": p.name,
                "userType": if p.guest { "guest" } else { "member" },
                "isAdmin": admins.contains(&p.id),
                "isSsprRegistered": sspr, "isSsprEnabled": !p.guest, "isSsprCapable": sspr && !p.guest,
                "isMfaRegistered": strong, "isMfaCapable": strong && p.enabled,
                "isPasswordlessCapable": passwordless,
                "methodsRegistered": p.methods,
                "isSystemPreferredAuthenticationMethodEnabled": true,
                "systemPreferredAuthenticationMethods": if strong { json!([if p.methods.contains(&"microsoftAuthenticatorPush") { "push" } else { "sms" }]) } else { json!([]) },
                "userPreferredMethodForSecondaryAuthentication": p.preferred,
                "lastUpdatedDateTime": ticks(now),
            })),
        );
    }
}

pub fn conditional_access(tenant: &mut Tenant, d: &mut Draw, people: &People) {
    let admin = people.admin.clone();
    let guests = group_id(tenant, "All Guests (Dynamic)");
    let trusted = d.id();
    let created = d.ago(200, 500);
    let modified = d.ago(1, 60);
    let identity = singleton(tenant, "identity", "microsoft.graph.identityContainer");
    let ca = one(
        identity,
        "conditionalAccess",
        "microsoft.graph.conditionalAccessRoot",
    );
    let ranges: Vec<Value> = policies::TRUSTED_PREFIXES
        .iter()
        .map(|p| json!({"@odata.type": "#microsoft.graph.iPv4CidrRange", "cidrAddress": format!("{p}0/24")}))
        .collect();
    contain(
        ca,
        "namedLocations",
        "microsoft.graph.ipNamedLocation",
        obj(json!({
            "id": trusted, "displayName": "Contoso offices", "isTrusted": true,
            "createdDateTime": ticks(created), "modifiedDateTime": ticks(modified),
            "ipRanges": ranges,
        })),
    );
    contain(
        ca,
        "namedLocations",
        "microsoft.graph.countryNamedLocation",
        obj(json!({
            "id": d.id(), "displayName": "Allowed countries", "createdDateTime": ticks(created), "modifiedDateTime": ticks(modified),
            "countriesAndRegions": ["US", "GB", "DE", "FR", "JP", "AU"], "includeUnknownCountriesAndRegions": false,
            "countryLookupMethod": "clientIpAddress",
        })),
    );
    let mut ids: Vec<(&str, String)> = vec![];
    for policy in POLICIES {
        let id = d.id();
        let mut object = obj(json!({
            "id": id, "displayName": policy.display_name, "state": policy.state,
            "createdDateTime": ticks(created), "modifiedDateTime": ticks(modified), "templateId": null,
            "sessionControls": null,
        }));
        object.extend(policies::policy_json(
            policy,
            &admin,
            guests.as_deref(),
            &trusted,
        ));
        contain(
            ca,
            "policies",
            "microsoft.graph.conditionalAccessPolicy",
            object,
        );
        ids.push((policy.display_name, id));
    }
    // The sign-ins name the policies by id too.
    let root = singleton(tenant, "auditLogs", "microsoft.graph.auditLogRoot");
    for sign_in in root.many_mut("signIns").values_mut() {
        let Some(applied) = sign_in
            .object
            .get_mut("appliedConditionalAccessPolicies")
            .and_then(Value::as_array_mut)
        else {
            continue;
        };
        for a in applied {
            let name = a["displayName"].as_str().unwrap_or_default();
            if let Some((_, id)) = ids.iter().find(|(n, _)| *n == name) {
                a["id"] = json!(id);
            }
        }
    }
}
