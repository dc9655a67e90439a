//! `POST /identity/conditionalAccess/evaluate`, Conditional Access What If
//! (<https://learn.microsoft.com/graph/api/conditionalaccessroot-evaluate>;
//! <https://learn.microsoft.com/graph/api/resources/whatifanalysisresult>): every policy of the
//! tenant (`identity/conditionalAccess/policies`) is weighed against the sign-in described by
//! `signInIdentity` (a user, `userSignIn`, or a workload, `servicePrincipalSignIn`),
//! `signInContext` (`applicationContext` with `includeApplications`, or `userActionContext`)
//! and `signInConditions` (client app type, device platform, risk levels, country and IP
//! address), and answered as a `whatIfAnalysisResult`: the policy with `policyApplies` and
//! `analysisReasons`, which is `notSet` when the policy applies and otherwise names each
//! condition that kept it from applying (a flags value, comma-separated). With
//! `appliedPoliciesOnly` only the policies that apply are listed.

use std::net::Ipv4Addr;

use serde_json::{json, Map, Value};

use crate::sandbox::state::Tenant;
use crate::sandbox::store::{Entity, Nav};

/// The sign-in a What If evaluation describes.
struct SignIn {
    /// The user signing in, when it is a user.
    user: Option<String>,
    /// The workload identity signing in, when it is one.
    service_principal: Option<String>,
    /// The applications signed in to (`applicationContext`).
    applications: Vec<String>,
    /// The user action (`userActionContext`).
    user_action: Option<String>,
    client_app: Option<String>,
    platform: Option<String>,
    sign_in_risk: Option<String>,
    user_risk: Option<String>,
    country: Option<String>,
    ip: Option<String>,
}

fn text(v: Option<&Value>, k: &str) -> Option<String> {
    v?.get(k)?.as_str().map(str::to_string)
}

fn list(v: Option<&Value>, k: &str) -> Vec<String> {
    v.and_then(|v| v.get(k))
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn has(items: &[String], value: &str) -> bool {
    items.iter().any(|i| i.eq_ignore_ascii_case(value))
}

impl SignIn {
    fn from(params: &Map<String, Value>) -> SignIn {
        let identity = params.get("signInIdentity");
        let context = params.get("signInContext");
        let conditions = params.get("signInConditions");
        let kind = |v: Option<&Value>| {
            text(v, "@odata.type")
                .unwrap_or_default()
                .trim_start_matches('#')
                .trim_start_matches("microsoft.graph.")
                .to_string()
        };
        let (user, service_principal) = match kind(identity).as_str() {
            "servicePrincipalSignIn" => (None, text(identity, "servicePrincipalId")),
            _ => (text(identity, "userId"), None),
        };
        SignIn {
            user,
            service_principal,
            applications: list(context, "includeApplications"),
            user_action: match kind(context).as_str() {
                "userActionContext" => text(context, "userAction"),
                _ => None,
            },
            client_app: text(conditions, "clientAppType"),
            platform: text(conditions, "devicePlatform"),
            sign_in_risk: text(conditions, "signInRiskLevel"),
            user_risk: text(conditions, "userRiskLevel"),
            country: text(conditions, "country"),
            ip: text(conditions, "ipAddress"),
        }
    }
}

/// `identity/conditionalAccess`, when the tenant has it.
fn root(t: &Tenant) -> Option<&Entity> {
    match t
        .store
        .singletons
        .get("identity")?
        .nav
        .get("conditionalAccess")?
    {
        Nav::One(ca) => Some(ca),
        _ => None,
    }
}

/// The role templates a principal holds through directory-wide RBAC assignments.
fn role_templates(t: &Tenant, principal: &str) -> Vec<String> {
    let directory =
        t.store
            .singletons
            .get("roleManagement")
            .and_then(|r| match r.nav.get("directory") {
                Some(Nav::One(d)) => Some(d),
                _ => None,
            });
    directory
        .and_then(|d| d.many("roleAssignments"))
        .map(|m| {
            m.values()
                .filter(|a| a.object.get("principalId").and_then(Value::as_str) == Some(principal))
                .filter_map(|a| {
                    a.object
                        .get("roleDefinitionId")?
                        .as_str()
                        .map(str::to_string)
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Whether the `users` condition takes in `user` (included, by id, group or role, and not
/// excluded).
fn users_match(t: &Tenant, users: Option<&Value>, user: &str) -> bool {
    let groups = super::directory::related_ids(t, user, "transitiveMemberOf");
    let roles = role_templates(t, user);
    let guest = t
        .users
        .get(user)
        .and_then(|u| u.object.get("userType"))
        .and_then(Value::as_str)
        == Some("Guest");
    let hits = |users: &[String], groups_: &[String], roles_: &[String]| {
        users.iter().any(|u| {
            u.eq_ignore_ascii_case("All")
                || u.eq_ignore_ascii_case(user)
                || (guest && u.eq_ignore_ascii_case("GuestsOrExternalUsers"))
        }) || groups_.iter().any(|g| groups.contains(g))
            || roles_.iter().any(|r| has(&roles, r))
    };
    let included = hits(
        &list(users, "includeUsers"),
        &list(users, "includeGroups"),
        &list(users, "includeRoles"),
    );
    let excluded = hits(
        &list(users, "excludeUsers"),
        &list(users, "excludeGroups"),
        &list(users, "excludeRoles"),
    );
    included && !excluded
}

/// Whether the `applications` condition takes in the sign-in's applications or user action.
fn applications_match(apps: Option<&Value>, s: &SignIn) -> Result<(), &'static str> {
    let actions = list(apps, "includeUserActions");
    if let Some(action) = &s.user_action {
        return if has(&actions, action) {
            Ok(())
        } else {
            Err("userActions")
        };
    }
    if !actions.is_empty() {
        return Err("userActions");
    }
    let include = list(apps, "includeApplications");
    let exclude = list(apps, "excludeApplications");
    if s.applications.is_empty() {
        // No application named: only a policy on every application is known to apply.
        return if has(&include, "All") && exclude.is_empty() {
            Ok(())
        } else {
            Err("notEnoughInformation")
        };
    }
    let taken = s
        .applications
        .iter()
        .any(|a| (has(&include, "All") || has(&include, a)) && !has(&exclude, a));
    if taken {
        Ok(())
    } else {
        Err("application")
    }
}

/// Whether an IPv4 address lies in `cidr` (`203.0.113.0/24`).
fn in_cidr(ip: &str, cidr: &str) -> bool {
    let Some((net, bits)) = cidr.split_once('/') else {
        return false;
    };
    let (Ok(ip), Ok(net), Ok(bits)) = (
        ip.parse::<Ipv4Addr>(),
        net.parse::<Ipv4Addr>(),
        bits.parse::<u32>(),
    ) else {
        return false;
    };
    if bits > 32 {
        return false;
    }
    let mask = u32::MAX.checked_shl(32 - bits).unwrap_or(0);
    u32::from(ip) & mask == u32::from(net) & mask
}

/// Whether named location `id` (or `All`, `AllTrusted`) holds the sign-in's country or
/// address; `None` when the sign-in says too little to tell.
fn in_location(t: &Tenant, id: &str, s: &SignIn) -> Option<bool> {
    if id.eq_ignore_ascii_case("All") {
        return Some(true);
    }
    let named = root(t).and_then(|ca| ca.many("namedLocations"));
    let locations: Vec<&Entity> = named
        .map(|m| {
            m.values()
                .filter(|l| {
                    l.id().eq_ignore_ascii_case(id)
                        || (id.eq_ignore_ascii_case("AllTrusted")
                            && l.object.get("isTrusted") == Some(&json!(true)))
                })
                .collect()
        })
        .unwrap_or_default();
    let mut unknown = false;
    for l in locations {
        if let Some(ranges) = l.object.get("ipRanges").and_then(Value::as_array) {
            match &s.ip {
                Some(ip) => {
                    let hit = ranges.iter().any(|r| {
                        r.get("cidrAddress")
                            .and_then(Value::as_str)
                            .is_some_and(|c| in_cidr(ip, c))
                    });
                    if hit {
                        return Some(true);
                    }
                }
                None => unknown = true,
            }
        }
        if let Some(countries) = l
            .object
            .get("countriesAndRegions")
            .and_then(Value::as_array)
        {
            match &s.country {
                Some(c) => {
                    if countries
                        .iter()
                        .any(|x| x.as_str().is_some_and(|x| x.eq_ignore_ascii_case(c)))
                    {
                        return Some(true);
                    }
                }
                None => unknown = true,
            }
        }
    }
    (!unknown).then_some(false)
}

fn locations_match(t: &Tenant, locations: Option<&Value>, s: &SignIn) -> Result<(), &'static str> {
    let include = list(locations, "includeLocations");
    let exclude = list(locations, "excludeLocations");
    if include.is_empty() && exclude.is_empty() {
        return Ok(());
    }
    let any = |ids: &[String]| -> Option<bool> {
        let mut unknown = false;
        for id in ids {
            match in_location(t, id, s) {
                Some(true) => return Some(true),
                Some(false) => {}
                None => unknown = true,
            }
        }
        (!unknown).then_some(false)
    };
    match (any(&include), any(&exclude)) {
        (Some(true), Some(false)) => Ok(()),
        (Some(false), _) | (_, Some(true)) => Err("location"),
        _ => Err("notEnoughInformation"),
    }
}

/// A list condition (`clientAppTypes`, risk levels, platforms): empty or `all` takes in every
/// sign-in; otherwise the sign-in's value must be listed (and not excluded).
fn listed(
    include: &[String],
    exclude: &[String],
    value: Option<&str>,
    reason: &'static str,
) -> Result<(), &'static str> {
    if include.is_empty() || (has(include, "all") && exclude.is_empty()) {
        return Ok(());
    }
    let Some(v) = value else {
        return Err("notEnoughInformation");
    };
    if (has(include, "all") || has(include, v)) && !has(exclude, v) {
        Ok(())
    } else {
        Err(reason)
    }
}

/// Why `policy` does not apply to the sign-in (empty: it applies).
fn reasons(t: &Tenant, policy: &Map<String, Value>, s: &SignIn) -> Vec<&'static str> {
    let mut out = vec![];
    if policy.get("state").and_then(Value::as_str) == Some("disabled") {
        out.push("policyNotEnabled");
    }
    let Some(c) = policy.get("conditions").filter(|c| c.is_object()) else {
        out.push("emptyPolicy");
        return out;
    };
    match (&s.user, &s.service_principal) {
        (Some(user), _) => {
            if !users_match(t, c.get("users"), user) {
                out.push("users");
            }
        }
        (None, Some(sp)) => {
            let apps = c.get("clientApplications");
            let include = list(apps, "includeServicePrincipals");
            let exclude = list(apps, "excludeServicePrincipals");
            let taken = (has(&include, "ServicePrincipalsInMyTenant") || has(&include, sp))
                && !has(&exclude, sp);
            if !taken {
                out.push("workloadIdentities");
            }
        }
        (None, None) => out.push("notEnoughInformation"),
    }
    if let Err(r) = applications_match(c.get("applications"), s) {
        out.push(r);
    }
    let client_apps: Vec<String> = c
        .get("clientAppTypes")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    if let Err(r) = listed(&client_apps, &[], s.client_app.as_deref(), "clientApps") {
        out.push(r);
    }
    let platforms = c.get("platforms").filter(|p| p.is_object());
    if let Err(r) = listed(
        &list(platforms, "includePlatforms"),
        &list(platforms, "excludePlatforms"),
        s.platform.as_deref(),
        "devicePlatform",
    ) {
        out.push(r);
    }
    let levels = |k: &str| -> Vec<String> {
        c.get(k)
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    if let Err(r) = listed(
        &levels("signInRiskLevels"),
        &[],
        s.sign_in_risk.as_deref(),
        "signInRisk",
    ) {
        out.push(r);
    }
    if let Err(r) = listed(
        &levels("userRiskLevels"),
        &[],
        s.user_risk.as_deref(),
        "userRisk",
    ) {
        out.push(r);
    }
    if let Err(r) = locations_match(t, c.get("locations").filter(|l| l.is_object()), s) {
        out.push(r);
    }
    out.dedup();
    out
}

/// The What If results for `params` (the action's checked parameters).
pub fn evaluate(t: &Tenant, params: &Map<String, Value>) -> Vec<Value> {
    let s = SignIn::from(params);
    let applied_only = params
        .get("appliedPoliciesOnly")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let Some(policies) = root(t).and_then(|ca| ca.many("policies")) else {
        return vec![];
    };
    policies
        .values()
        .filter_map(|p| {
            let why = reasons(t, &p.object, &s);
            let applies = why.is_empty();
            if applied_only && !applies {
                return None;
            }
            let mut o = p.object.clone();
            o.insert("policyApplies".into(), json!(applies));
            o.insert(
                "analysisReasons".into(),
                json!(if applies {
                    "notSet".to_string()
                } else {
                    why.join(",")
                }),
            );
            Some(Value::Object(o))
        })
        .collect()
}
