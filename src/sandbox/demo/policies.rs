//! The demo tenant's Conditional Access policies, defined once: what `conditional_access`
//! stores (`identity/conditionalAccess/policies`) and what each sign-in's
//! `appliedConditionalAccessPolicies` says of them (learn.microsoft.com/graph/api/resources/
//! appliedconditionalaccesspolicy): every policy of the tenant with its result for that
//! sign-in, and the sign-in's `conditionalAccessStatus` from the enforced ones.

use serde_json::{json, Map, Value};

/// Whom a policy targets (`conditions.users`); every policy but the guests' excludes the
/// administrator, as break-glass accounts are.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Audience {
    /// Holders of [`ADMIN_ROLES`].
    Admins,
    /// Every user.
    All,
    /// Every user but the members of the dynamic guests group.
    AllButGuestsGroup,
    /// Guests and external users.
    Guests,
}

/// One Conditional Access policy of the demo tenant.
#[derive(Clone, Copy, Debug)]
pub struct Policy {
    pub display_name: &'static str,
    /// `enabled`, `enabledForReportingButNotEnforced` or `disabled`.
    pub state: &'static str,
    pub audience: Audience,
    /// `conditions.clientAppTypes`.
    pub client_apps: &'static [&'static str],
    /// Whether it applies outside the trusted named location only.
    pub outside_trusted: bool,
    /// `grantControls.builtInControls`.
    pub grant: &'static [&'static str],
}

pub const POLICIES: &[Policy] = &[
    Policy {
        display_name: "Require MFA for administrators",
        state: "enabled",
        audience: Audience::Admins,
        client_apps: &["all"],
        outside_trusted: false,
        grant: &["mfa"],
    },
    Policy {
        display_name: "Block legacy authentication",
        state: "enabled",
        audience: Audience::All,
        client_apps: &["exchangeActiveSync", "other"],
        outside_trusted: false,
        grant: &["block"],
    },
    Policy {
        display_name: "Require MFA for all users",
        state: "enabledForReportingButNotEnforced",
        audience: Audience::AllButGuestsGroup,
        client_apps: &["browser", "mobileAppsAndDesktopClients"],
        outside_trusted: true,
        grant: &["mfa"],
    },
    Policy {
        display_name: "Require compliant or hybrid joined device",
        state: "enabledForReportingButNotEnforced",
        audience: Audience::All,
        client_apps: &["all"],
        outside_trusted: false,
        grant: &["compliantDevice", "domainJoinedDevice"],
    },
    Policy {
        display_name: "Guests: require MFA",
        state: "enabled",
        audience: Audience::Guests,
        client_apps: &["all"],
        outside_trusted: false,
        grant: &["mfa"],
    },
    Policy {
        display_name: "Block sign-ins from outside allowed countries (pilot)",
        state: "disabled",
        audience: Audience::All,
        client_apps: &["all"],
        outside_trusted: true,
        grant: &["block"],
    },
];

/// The roles the administrators' policy includes (templates: Global, Privileged Role, User and
/// Security Administrator).
pub const ADMIN_ROLES: &[&str] = &[
    "62e90394-69f5-4237-9190-012177145e10",
    "e8611ab8-c189-46e8-94e1-60213ab1f814",
    "fe930be7-5e62-47db-91af-98c3a49a38b1",
    "194ae4cb-b126-40b2-bd5b-6091b380977d",
];

/// The IP ranges of the trusted named location ("Contoso offices"), as /24 prefixes.
pub const TRUSTED_PREFIXES: &[&str] = &["203.0.113.", "198.51.100."];

/// A policy's `conditions`, `grantControls` and state as Graph holds them.
pub fn policy_json(
    p: &Policy,
    admin: &str,
    guests_group: Option<&str>,
    trusted: &str,
) -> Map<String, Value> {
    let Policy {
        audience,
        client_apps,
        outside_trusted,
        grant,
        ..
    } = *p;
    let (include_users, exclude_users, include_roles, exclude_groups) = match audience {
        Audience::Admins => (vec![], vec![admin], ADMIN_ROLES.to_vec(), vec![]),
        Audience::All => (vec!["All"], vec![admin], vec![], vec![]),
        Audience::AllButGuestsGroup => (
            vec!["All"],
            vec![admin],
            vec![],
            guests_group.into_iter().collect(),
        ),
        Audience::Guests => (vec!["GuestsOrExternalUsers"], vec![], vec![], vec![]),
    };
    let locations = if outside_trusted {
        json!({"includeLocations": ["All"], "excludeLocations": [trusted]})
    } else {
        Value::Null
    };
    let mut out = Map::new();
    out.insert(
        "conditions".into(),
        json!({
            "users": {"includeUsers": include_users, "excludeUsers": exclude_users, "includeGroups": [],
                      "excludeGroups": exclude_groups, "includeRoles": include_roles, "excludeRoles": []},
            "applications": {"includeApplications": ["All"], "excludeApplications": [], "includeUserActions": []},
            "clientAppTypes": client_apps, "locations": locations, "platforms": null,
            "signInRiskLevels": [], "userRiskLevels": [], "servicePrincipalRiskLevels": [],
        }),
    );
    out.insert(
        "grantControls".into(),
        json!({"operator": "OR", "builtInControls": grant, "customAuthenticationFactors": [], "termsOfUse": []}),
    );
    out
}

/// Who signed in, as the policies see them.
pub struct Signer<'a> {
    pub is_admin: bool,
    pub is_break_glass: bool,
    pub guest: bool,
    /// The sign-in's `clientAppUsed`, IP address and error code.
    pub client_app: &'a str,
    pub ip: &'a str,
    pub error_code: i64,
}

/// The `clientAppTypes` value a sign-in's `clientAppUsed` falls under.
fn client_app_type(used: &str) -> &'static str {
    match used {
        "Browser" => "browser",
        "Exchange ActiveSync" => "exchangeActiveSync",
        "Mobile Apps and Desktop clients" => "mobileAppsAndDesktopClients",
        _ => "other",
    }
}

fn applies(p: &Policy, s: &Signer) -> bool {
    let Policy {
        audience,
        client_apps,
        outside_trusted,
        ..
    } = *p;
    let user = match audience {
        Audience::Admins => s.is_admin && !s.is_break_glass,
        Audience::All => !s.is_break_glass,
        Audience::AllButGuestsGroup => !s.is_break_glass && !s.guest,
        Audience::Guests => s.guest,
    };
    let app = client_apps
        .iter()
        .any(|a| *a == "all" || *a == client_app_type(s.client_app));
    let place = !outside_trusted || !TRUSTED_PREFIXES.iter().any(|t| s.ip.starts_with(t));
    user && app && place
}

/// Each policy's result for a sign-in (`success`, `failure`, `notApplied`, `notEnabled` and
/// the `reportOnly…` ones) with the grant controls it enforced, and the sign-in's
/// `conditionalAccessStatus`. A sign-in that failed before Conditional Access (a wrong
/// password, a locked account) was not evaluated; a device control fails on the demo's
/// unmanaged devices; a block policy fails the sign-in.
pub fn evaluate(s: &Signer) -> (Vec<Value>, &'static str) {
    let evaluated = s.error_code == 0 || s.error_code == 53003;
    let mut status = "notApplied";
    let mut out = vec![];
    for p in POLICIES {
        let Policy {
            display_name: name,
            state,
            grant,
            ..
        } = *p;
        let hit = evaluated && applies(p, s);
        let satisfied = !grant
            .iter()
            .any(|g| matches!(*g, "block" | "compliantDevice" | "domainJoinedDevice"));
        let result = match (state, hit) {
            ("disabled", _) => "notEnabled",
            ("enabled", false) => "notApplied",
            ("enabled", true) if satisfied && s.error_code == 0 => "success",
            ("enabled", true) => "failure",
            (_, false) => "reportOnlyNotApplied",
            (_, true) if satisfied && s.error_code == 0 => "reportOnlySuccess",
            (_, true) => "reportOnlyFailure",
        };
        match result {
            "failure" => status = "failure",
            "success" if status != "failure" => status = "success",
            _ => {}
        }
        let enforced: &[&str] = if hit { grant } else { &[] };
        out.push(json!({
            "id": Value::Null, "displayName": name, "result": result,
            "enforcedGrantControls": enforced, "enforcedSessionControls": [],
        }));
    }
    (out, status)
}

/// Whether an enforced block policy stops this sign-in (its error is then 53003).
pub fn blocked(s: &Signer) -> bool {
    POLICIES
        .iter()
        .any(|p| p.state == "enabled" && p.grant.contains(&"block") && applies(p, s))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signer(client_app: &'static str, ip: &'static str) -> Signer<'static> {
        Signer {
            is_admin: false,
            is_break_glass: false,
            guest: false,
            client_app,
            ip,
            error_code: 0,
        }
    }

    fn result<'a>(applied: &'a [Value], name: &str) -> &'a str {
        applied
            .iter()
            .find(|a| a["displayName"] == name)
            .and_then(|a| a["result"].as_str())
            .unwrap()
    }

    #[test]
    fn results_follow_the_policies_conditions() {
        // A member in a browser outside the offices: only report-only policies apply.
        let s = signer("Browser", "192.0.2.7");
        let (applied, status) = evaluate(&s);
        assert_eq!(applied.len(), POLICIES.len());
        assert_eq!(status, "notApplied");
        assert_eq!(
            result(&applied, "Require MFA for all users"),
            "reportOnlySuccess"
        );
        assert_eq!(
            result(&applied, "Require compliant or hybrid joined device"),
            "reportOnlyFailure"
        );
        assert_eq!(
            result(
                &applied,
                "Block sign-ins from outside allowed countries (pilot)"
            ),
            "notEnabled"
        );
        // In the offices, the MFA policy's trusted location excludes it.
        let (applied, _) = evaluate(&signer("Browser", "203.0.113.9"));
        assert_eq!(
            result(&applied, "Require MFA for all users"),
            "reportOnlyNotApplied"
        );
        // An administrator's sign-in satisfies the enforced MFA policy.
        let admin = Signer {
            is_admin: true,
            ..signer("Browser", "203.0.113.9")
        };
        let (applied, status) = evaluate(&admin);
        assert_eq!(status, "success");
        let mfa = applied
            .iter()
            .find(|a| a["displayName"] == "Require MFA for administrators")
            .unwrap();
        assert_eq!(mfa["enforcedGrantControls"], json!(["mfa"]));
        // Legacy authentication is blocked; a wrong password is not evaluated.
        let legacy = signer("IMAP4", "203.0.113.9");
        assert!(blocked(&legacy));
        let (_, status) = evaluate(&Signer {
            error_code: 53003,
            ..legacy
        });
        assert_eq!(status, "failure");
        let (applied, status) = evaluate(&Signer {
            error_code: 50126,
            ..signer("Browser", "192.0.2.7")
        });
        assert_eq!(status, "notApplied");
        assert!(applied
            .iter()
            .all(|a| a["enforcedGrantControls"] == json!([])));
    }
}
