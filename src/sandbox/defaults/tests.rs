use super::*;
use crate::sandbox::state::{new_id, Seed};

fn blank() -> Tenant {
    Tenant::new(&Seed {
        tenant_id: new_id(),
        domain: "contoso.onmicrosoft.com".into(),
        client_id: new_id(),
        client_secret: "s".into(),
        admin_password: "p".into(),
        extra_users: 0,
        demo: None,
    })
}

fn counts(t: &Tenant) -> Vec<(String, usize)> {
    let mut out: Vec<(String, usize)> = t
        .store
        .sets
        .iter()
        .map(|(k, v)| (k.clone(), v.len()))
        .collect();
    let policies = t.store.singletons.get("policies").expect("policies");
    for nav in [
        "roleManagementPolicies",
        "roleManagementPolicyAssignments",
        "permissionGrantPolicies",
        "authenticationStrengthPolicies",
    ] {
        out.push((nav.into(), policies.many(nav).map_or(0, |m| m.len())));
    }
    out.sort();
    out
}

#[test]
fn a_second_install_adds_nothing_and_keeps_changed_values() {
    let mut t = blank();
    let before = counts(&t);
    if let Some(Nav::One(p)) = t
        .store
        .singletons
        .get_mut("policies")
        .and_then(|p| p.nav.get_mut("authorizationPolicy"))
    {
        p.object.insert("allowInvitesFrom".into(), json!("none"));
    }
    install(&mut t);
    assert_eq!(before, counts(&t));
    let Some(Nav::One(p)) = t.store.singletons["policies"]
        .nav
        .get("authorizationPolicy")
    else {
        panic!("authorizationPolicy is a single-valued containment");
    };
    assert_eq!(p.object["allowInvitesFrom"], "none");
}

#[test]
fn the_demo_tenant_keeps_one_activated_role_per_template() {
    let mut t = blank();
    t.fill(Some(crate::sandbox::demo::DEFAULT_SEED), 0);
    let mut templates: Vec<&Value> = t.store.sets["directoryRoles"]
        .values()
        .map(|r| &r.object["roleTemplateId"])
        .collect();
    let n = templates.len();
    templates.sort_by_key(|v| v.to_string());
    templates.dedup();
    assert_eq!(n, templates.len(), "a template activated twice");
    // Security defaults are off where Conditional Access policies exist.
    let Some(Nav::One(sd)) = t.store.singletons["policies"]
        .nav
        .get("identitySecurityDefaultsEnforcementPolicy")
    else {
        panic!("security defaults policy");
    };
    assert_eq!(sd.object["isEnabled"], false);
    assert_eq!(
        blank().store.singletons["policies"]
            .nav
            .get("identitySecurityDefaultsEnforcementPolicy")
            .map(|n| match n {
                Nav::One(e) => e.object["isEnabled"].clone(),
                _ => Value::Null,
            }),
        Some(json!(true))
    );
}
