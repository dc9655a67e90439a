use super::*;
use crate::sandbox::state::{Seed, Tenant};
use crate::sandbox::store::catalog::catalog;

fn tenant(seed: u64) -> Tenant {
    Tenant::new(&Seed {
        tenant_id: "11111111-2222-3333-4444-555555555555".into(),
        domain: "contoso.onmicrosoft.com".into(),
        client_id: "66666666-7777-8888-9999-000000000000".into(),
        client_secret: "s".into(),
        admin_password: "p".into(),
        extra_users: 0,
        demo: Some(seed),
    })
}

#[test]
fn the_same_seed_gives_the_same_tenant_and_another_seed_another() {
    let names = |t: &Tenant| -> Vec<String> {
        t.users
            .values()
            .skip(4)
            .map(|u| format!("{} {}", u.id(), u.upn()))
            .collect()
    };
    let (a, b, c) = (tenant(7), tenant(7), tenant(8));
    assert_eq!(names(&a), names(&b));
    assert_ne!(names(&a), names(&c));
    let devices = |t: &Tenant| t.store.sets["devices"].keys().cloned().collect::<Vec<_>>();
    assert_eq!(devices(&a), devices(&b));
}

#[test]
fn every_stored_type_and_navigation_is_graphs() {
    let t = tenant(DEFAULT_SEED);
    let cat = catalog();
    let mut bad: Vec<String> = vec![];
    let mut stack: Vec<(&Entity, String)> = vec![];
    for (set, items) in &t.store.sets {
        let c = cat
            .set(set)
            .unwrap_or_else(|| panic!("{set} is no entity set"));
        for e in items.values() {
            assert!(
                cat.with_derived(&c.ty).contains(&e.ty),
                "{set}: {} is not a {}",
                e.ty,
                c.ty
            );
            stack.push((e, set.clone()));
        }
    }
    for (name, e) in &t.store.singletons {
        let c = cat
            .singleton(name)
            .unwrap_or_else(|| panic!("{name} is no singleton"));
        assert_eq!(c.ty, e.ty, "{name}");
        stack.push((e, name.clone()));
    }
    while let Some((e, at)) = stack.pop() {
        for (nav, held) in &e.nav {
            let p = cat
                .prop_info(&e.ty, nav)
                .unwrap_or_else(|| panic!("{at}/{nav}: {} has no such property", e.ty));
            assert!(p.nav, "{at}/{nav} is not a navigation property");
            let children: Vec<&Entity> = match held {
                Nav::Many(m) => m.values().collect(),
                Nav::One(c) => vec![c],
                Nav::Refs(_) => {
                    assert!(!p.contained, "{at}/{nav} is contained, not a link");
                    continue;
                }
            };
            assert!(p.contained, "{at}/{nav} is a link, not contained");
            for c in children {
                assert!(
                    cat.with_derived(&p.ty).contains(&c.ty),
                    "{at}/{nav}: {} is not a {}",
                    c.ty,
                    p.ty
                );
                for k in c.object.keys() {
                    if k != "id" && cat.prop_info(&c.ty, k).is_none() {
                        bad.push(format!("{at}/{nav}: {} has no property {k}", c.ty));
                    }
                }
                stack.push((c, format!("{at}/{nav}")));
            }
        }
        for k in e.object.keys() {
            if k != "id" && cat.prop_info(&e.ty, k).is_none() {
                bad.push(format!("{at}: {} has no property {k}", e.ty));
            }
        }
    }
    for u in t.users.values() {
        for k in u.object.keys() {
            if cat.prop_info("microsoft.graph.user", k).is_none() {
                bad.push(format!("user has no property {k}"));
            }
        }
    }
    for g in t.groups.values() {
        for k in g.object.keys() {
            if cat.prop_info("microsoft.graph.group", k).is_none() {
                bad.push(format!("group has no property {k}"));
            }
        }
    }
    bad.sort();
    bad.dedup();
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn the_demo_tenant_has_what_admin_scripts_look_for() {
    let t = tenant(DEFAULT_SEED);
    let members = t
        .users
        .values()
        .filter(|u| u.object["userType"] == "Member")
        .count();
    let guests = t.users.len() - members;
    assert!(
        members >= 200 && guests >= 30,
        "{members} members, {guests} guests"
    );
    let disabled = t
        .users
        .values()
        .filter(|u| u.object["accountEnabled"] == false)
        .count();
    assert!(disabled > 5, "{disabled} disabled");
    // Licences: the SKUs' consumed units are the users' assignments.
    for sku in t.store.sets["subscribedSkus"].values() {
        let id = sku.object["skuId"].as_str().unwrap();
        let assigned = t
            .users
            .values()
            .filter(|u| {
                u.object
                    .get("assignedLicenses")
                    .and_then(Value::as_array)
                    .is_some_and(|l| l.iter().any(|x| x["skuId"] == id))
            })
            .count() as i64;
        let consumed = sku.object["consumedUnits"].as_i64().unwrap();
        let prepaid = sku.object["prepaidUnits"]["enabled"].as_i64().unwrap();
        assert!(
            consumed >= assigned && consumed <= prepaid,
            "{id}: {consumed} of {prepaid}, {assigned} assigned"
        );
    }
    // Stale devices and expiring credentials exist, and so do fresh ones.
    let now = Utc::now();
    let age = |v: &Value| {
        now - DateTime::parse_from_rfc3339(v.as_str().unwrap())
            .unwrap()
            .with_timezone(&Utc)
    };
    let devices = &t.store.sets["devices"];
    let stale = devices
        .values()
        .filter(|e| age(&e.object["approximateLastSignInDateTime"]) > Duration::days(90))
        .count();
    assert!(
        stale > 5 && stale < devices.len() / 2,
        "{stale} of {} stale",
        devices.len()
    );
    let ends: Vec<Duration> = t.store.sets["applications"]
        .values()
        .flat_map(|e| e.object["passwordCredentials"].as_array().unwrap().clone())
        .map(|c| -age(&c["endDateTime"]))
        .collect();
    assert!(
        ends.iter().any(|d| *d < Duration::zero()),
        "an expired secret"
    );
    assert!(
        ends.iter()
            .any(|d| *d > Duration::zero() && *d < Duration::days(30)),
        "a secret expiring within 30 days"
    );
    assert!(
        ends.iter().any(|d| *d > Duration::days(180)),
        "a long-lived secret"
    );
    // Managers point at people of the tenant; directory roles have members.
    let managed = t.store.sets["users"]
        .values()
        .filter(|e| {
            e.refs("manager").iter().all(|m| t.users.contains_key(m))
                && !e.refs("manager").is_empty()
        })
        .count();
    assert!(managed > 150, "{managed} people have a manager");
    let roles = &t.store.sets["directoryRoles"];
    assert!(roles.values().all(|r| !r.refs("members").is_empty()));
    assert!(roles
        .values()
        .any(|r| r.object["displayName"] == "Global Administrator"
            && r.refs("members").contains(&t.admin_id)));
    let audit = &t.store.singletons["auditLogs"];
    assert!(audit.many("signIns").is_some_and(|s| s.len() >= 500));
    assert!(audit
        .many("directoryAudits")
        .is_some_and(|s| s.len() >= 200));
}
