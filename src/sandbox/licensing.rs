//! Licences as Graph derives them (learn.microsoft.com/graph/api/user-assignlicense,
//! /group-assignlicense, /resources/licenseassignmentstate): a user's licences are those
//! assigned to them directly and those of every group they are a direct member of
//! (group-based licensing does not follow nesting); `licenseAssignmentStates` says where each
//! comes from (`assignedByGroup`, null when direct); a group holds its `assignedLicenses` but
//! consumes no unit; a SKU's `consumedUnits` is the number of users holding it.
//!
//! [`refresh`] recomputes all of it from the direct assignments and the memberships; it runs
//! after every change to either (assignLicense, membership, delete, restore).

use std::collections::{HashMap, HashSet};

use serde_json::{json, Map, Value};

use super::state::{format_timestamp, Precision, Tenant};
use super::store::{Entity, EntityPath};

fn sku_of(l: &Value) -> Option<String> {
    l.get("skuId")
        .and_then(Value::as_str)
        .map(str::to_ascii_lowercase)
}

/// A user's direct assignments: the states without a group, or (before any state was
/// written, as the demo tenant starts) their `assignedLicenses`.
pub fn direct(object: &Map<String, Value>) -> Vec<Value> {
    match object
        .get("licenseAssignmentStates")
        .and_then(Value::as_array)
    {
        Some(states) => states
            .iter()
            .filter(|s| s.get("assignedByGroup").map_or(true, Value::is_null))
            .map(|s| json!({"skuId": s["skuId"], "disabledPlans": s.get("disabledPlans").cloned().unwrap_or(json!([]))}))
            .collect(),
        None => object
            .get("assignedLicenses")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default(),
    }
}

/// Sets a user's direct assignments (what `assignLicense` on the user changes).
pub fn set_direct(t: &mut Tenant, user: &str, licenses: Vec<Value>) {
    let Some(u) = t.users.get_mut(user) else {
        return;
    };
    let now = format_timestamp(chrono::Utc::now(), Precision::Seconds);
    let inherited: Vec<Value> = u
        .object
        .get("licenseAssignmentStates")
        .and_then(Value::as_array)
        .map(|s| {
            s.iter()
                .filter(|x| x.get("assignedByGroup").is_some_and(|g| !g.is_null()))
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    let mut states: Vec<Value> = licenses
        .iter()
        .map(|l| state(l, Value::Null, &now))
        .collect();
    states.extend(inherited);
    u.object
        .insert("licenseAssignmentStates".into(), Value::Array(states));
}

fn state(license: &Value, group: Value, now: &str) -> Value {
    json!({
        "assignedByGroup": group,
        "disabledPlans": license.get("disabledPlans").cloned().unwrap_or(json!([])),
        "error": "None",
        "lastUpdatedDateTime": now,
        "skuId": license.get("skuId").cloned().unwrap_or(Value::Null),
        "state": "Active",
    })
}

/// Recomputes every user's `assignedLicenses`, `licenseAssignmentStates` and
/// `licenseDetails`, and every SKU's `consumedUnits` (see the module doc).
pub fn refresh(t: &mut Tenant) {
    let now = format_timestamp(chrono::Utc::now(), Precision::Seconds);
    // Group → its licences, for groups that have some.
    let licensed: Vec<(String, Vec<Value>, Vec<String>)> = t
        .groups
        .iter()
        .filter_map(|(gid, g)| {
            let l = g.object.get("assignedLicenses")?.as_array()?;
            (!l.is_empty()).then(|| (gid.clone(), l.clone(), g.members.clone()))
        })
        .collect();
    let mut by_user: HashMap<&str, Vec<(&str, &Value)>> = HashMap::new();
    for (gid, licenses, members) in &licensed {
        for m in members {
            by_user
                .entry(m.as_str())
                .or_default()
                .extend(licenses.iter().map(|l| (gid.as_str(), l)));
        }
    }
    let skus: Vec<Map<String, Value>> = t
        .store
        .sets
        .get("subscribedSkus")
        .map(|s| s.values().map(|e| e.object.clone()).collect())
        .unwrap_or_default();
    let services = plan_services(t);
    let mut changed: Vec<(String, Vec<Value>)> = vec![];
    let mut holders: HashMap<String, usize> = HashMap::new();
    let ids: Vec<String> = t.users.keys().cloned().collect();
    for id in &ids {
        let Some(u) = t.users.get(id) else { continue };
        let own = direct(&u.object);
        let mut states: Vec<Value> = own
            .iter()
            .map(|l| {
                // Keep the date of an unchanged direct state.
                u.object
                    .get("licenseAssignmentStates")
                    .and_then(Value::as_array)
                    .and_then(|s| {
                        s.iter().find(|x| {
                            x.get("assignedByGroup").map_or(true, Value::is_null)
                                && sku_of(x) == sku_of(l)
                        })
                    })
                    .cloned()
                    .unwrap_or_else(|| state(l, Value::Null, &now))
            })
            .collect();
        for (gid, l) in by_user.get(id.as_str()).into_iter().flatten() {
            states.push(state(l, json!(gid), &now));
        }
        let mut seen = HashSet::new();
        let assigned: Vec<Value> = states
            .iter()
            .filter(|s| seen.insert(sku_of(s)))
            .map(|s| json!({"skuId": s["skuId"], "disabledPlans": s["disabledPlans"]}))
            .collect();
        for l in &assigned {
            if let Some(sku) = sku_of(l) {
                *holders.entry(sku).or_default() += 1;
            }
        }
        let before: HashSet<Option<String>> = u
            .object
            .get("assignedLicenses")
            .and_then(Value::as_array)
            .map(|a| a.iter().map(sku_of).collect())
            .unwrap_or_default();
        let after: HashSet<Option<String>> = assigned.iter().map(sku_of).collect();
        if before != after {
            changed.push((id.clone(), assigned.clone()));
        }
        let plans = assigned_plans(&u.object, &assigned, &skus, &services, &now);
        if let Some(u) = t.users.get_mut(id) {
            u.object
                .insert("assignedLicenses".into(), Value::Array(assigned));
            u.object
                .insert("licenseAssignmentStates".into(), Value::Array(states));
            if let Some(plans) = plans {
                u.object.insert("assignedPlans".into(), Value::Array(plans));
            }
        }
    }
    if let Some(set) = t.store.sets.get_mut("subscribedSkus") {
        for sku in set.values_mut() {
            let id = sku
                .object
                .get("skuId")
                .and_then(Value::as_str)
                .map(str::to_ascii_lowercase)
                .unwrap_or_default();
            let n = holders.get(&id).copied().unwrap_or(0);
            sku.object.insert("consumedUnits".into(), json!(n));
        }
    }
    for (id, assigned) in changed {
        details(t, &id, &assigned, &skus);
    }
    t.store.version += 1;
}

/// The service each plan belongs to (`exchange`, `SharePoint`, ...), as the tenant's
/// `organization` lists its plans: `assignedPlan.service`.
fn plan_services(t: &Tenant) -> HashMap<String, Value> {
    t.store
        .sets
        .get("organization")
        .into_iter()
        .flat_map(|set| set.values())
        .filter_map(|o| o.object.get("assignedPlans")?.as_array())
        .flatten()
        .filter_map(|p| {
            let id = p.get("servicePlanId")?.as_str()?.to_ascii_lowercase();
            Some((id, p.get("service").cloned().unwrap_or(Value::Null)))
        })
        .collect()
}

/// One licence a user holds, as the catalog of SKUs knows it.
struct Held<'a> {
    /// The SKU's own `skuId`.
    sku_id: String,
    sku: &'a Map<String, Value>,
    /// The service plans the assignment disables (`disabledPlans`), lowercased.
    disabled: Vec<String>,
}

/// The tenant's SKU an `assignedLicenses` entry names (by `skuId`, any case), with the plans
/// it disables; `None` when it names no SKU the tenant has.
fn held<'a>(license: &Value, skus: &'a [Map<String, Value>]) -> Option<Held<'a>> {
    let wanted = sku_of(license)?;
    let (sku, sku_id) = skus.iter().find_map(|s| {
        let id = s.get("skuId").and_then(Value::as_str)?;
        id.eq_ignore_ascii_case(&wanted)
            .then(|| (s, id.to_string()))
    })?;
    let disabled = license
        .get("disabledPlans")
        .and_then(Value::as_array)
        .map(|d| {
            d.iter()
                .filter_map(Value::as_str)
                .map(str::to_ascii_lowercase)
                .collect()
        })
        .unwrap_or_default();
    Some(Held {
        sku_id,
        sku,
        disabled,
    })
}

/// A user's `assignedPlans` after a change of licences (learn.microsoft.com/graph/api/
/// resources/assignedplan): every plan of every SKU held, less the plans its assignment
/// disables, `Enabled` since it was first assigned; a plan no longer held stays listed as
/// `Deleted`, as Graph keeps it. `None` when nothing changed (a plan's first date is kept).
fn assigned_plans(
    user: &Map<String, Value>,
    assigned: &[Value],
    skus: &[Map<String, Value>],
    services: &HashMap<String, Value>,
    now: &str,
) -> Option<Vec<Value>> {
    let mut enabled: Vec<String> = vec![];
    for l in assigned {
        let Some(Held { sku, disabled, .. }) = held(l, skus) else {
            continue;
        };
        for plan in sku
            .get("servicePlans")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let Some(id) = plan.get("servicePlanId").and_then(Value::as_str) else {
                continue;
            };
            let id = id.to_ascii_lowercase();
            if !disabled.contains(&id) && !enabled.contains(&id) {
                enabled.push(id);
            }
        }
    }
    let before: Vec<Value> = user
        .get("assignedPlans")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let plan_id = |p: &Value| {
        p.get("servicePlanId")
            .and_then(Value::as_str)
            .map(str::to_ascii_lowercase)
    };
    let mut after: Vec<Value> = before
        .iter()
        .map(|p| {
            let held = plan_id(p).is_some_and(|id| enabled.contains(&id));
            let was = p.get("capabilityStatus").and_then(Value::as_str);
            let mut p = p.clone();
            match (held, was) {
                (true, Some("Enabled")) | (false, Some("Deleted")) => {}
                (true, _) => {
                    p["capabilityStatus"] = json!("Enabled");
                    p["assignedDateTime"] = json!(now);
                }
                (false, _) => p["capabilityStatus"] = json!("Deleted"),
            }
            p
        })
        .collect();
    for id in &enabled {
        if !before.iter().any(|p| plan_id(p).as_deref() == Some(id)) {
            after.push(json!({
                "assignedDateTime": now,
                "capabilityStatus": "Enabled",
                "service": services.get(id).cloned().unwrap_or(Value::Null),
                "servicePlanId": id,
            }));
        }
    }
    (after != before).then_some(after)
}

/// A user's `licenseDetails`, one per SKU held.
fn details(t: &mut Tenant, id: &str, assigned: &[Value], skus: &[Map<String, Value>]) {
    let entries: Vec<(String, Entity)> = assigned
        .iter()
        .filter_map(|l| {
            let Held {
                sku_id,
                sku,
                disabled,
            } = held(l, skus)?;
            let detail_id = format!("{}{}", &id[..id.len().min(8)], sku_id);
            // A plan the assignment disables is listed `Disabled`, the others as the SKU has
            // them (servicePlanInfo.provisioningStatus, Graph's licenseDetails resource).
            let mut plans = sku.get("servicePlans").cloned().unwrap_or(json!([]));
            for plan in plans.as_array_mut().into_iter().flatten() {
                let off = plan
                    .get("servicePlanId")
                    .and_then(Value::as_str)
                    .is_some_and(|p| disabled.contains(&p.to_ascii_lowercase()));
                if off {
                    plan["provisioningStatus"] = json!("Disabled");
                }
            }
            let o = json!({
                "id": detail_id, "skuId": sku_id,
                "skuPartNumber": sku.get("skuPartNumber").cloned().unwrap_or(Value::Null),
                "servicePlans": plans,
            });
            Some((
                detail_id,
                Entity::new(
                    "microsoft.graph.licenseDetails",
                    o.as_object().cloned().unwrap_or_default(),
                ),
            ))
        })
        .collect();
    if let Some(e) = t.store.get_mut(
        &EntityPath::set_item("users", id),
        &[Some("microsoft.graph.user".into())],
    ) {
        let m = e.many_mut("licenseDetails");
        m.clear();
        m.extend(entries);
    }
}
