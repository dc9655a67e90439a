//! Microsoft Entra ID Protection's risky users (learn.microsoft.com/graph/api/resources/riskyuser):
//! an admin's `confirmCompromised` (riskyuser-confirmcompromised: "sets the targeted user's risk
//! level to high"), `dismiss` (riskyuser-dismiss: "sets the targeted user's risk level to
//! none") and `confirmSafe` write the user's `riskyUsers` entry, whose id is the user's, and
//! add an item to its `history` (riskyuser-list-history) naming who did it. The sandbox has no sign-in risk of its
//! own, so these admin actions are the only way a user becomes risky.

use axum::http::StatusCode;
use serde_json::{json, Map, Value};

use super::{no_content, Ctx, Handled};
use crate::sandbox::odata::GraphErr;
use crate::sandbox::state::{format_timestamp, Precision, Tenant};
use crate::sandbox::store::{Entity, EntityPath, Root};

const ROOT: &str = "identityProtection";
const ROOT_TYPE: &str = "microsoft.graph.identityProtectionRoot";
const RISKY_USER: &str = "microsoft.graph.riskyUser";
const HISTORY_ITEM: &str = "microsoft.graph.riskyUserHistoryItem";

/// What an admin action makes of a user's risk: `(riskLevel, riskState, riskDetail)`.
fn outcome(action: &str) -> Option<(&'static str, &'static str, &'static str)> {
    match action {
        "confirmCompromised" => Some((
            "high",
            "confirmedCompromised",
            "adminConfirmedUserCompromised",
        )),
        "dismiss" => Some(("none", "dismissed", "adminDismissedAllRiskForUser")),
        // riskyuser-confirmsafe: the riskState and riskDetail members Graph has for it.
        "confirmSafe" => Some(("none", "confirmedSafe", "adminConfirmedAccountSafe")),
        _ => None,
    }
}

/// `POST /identityProtection/riskyUsers/{confirmCompromised|dismiss|confirmSafe}` with `{"userIds": [...]}`:
/// 204, every named user's entry written. `None` for any other action. An id that is no user
/// of the tenant is Graph's 400 (nothing is written then).
pub fn action(
    ctx: &Ctx,
    t: &mut Tenant,
    name: &str,
    params: &Map<String, Value>,
) -> Option<Handled> {
    let (level, state, detail) = outcome(name)?;
    let ids = super::actions::string_list(params, "userIds");
    // Every id is checked before anything is written.
    let mut users = Vec::with_capacity(ids.len());
    for key in &ids {
        let Some(id) = t.user_id(key) else {
            return Some(Err(GraphErr::new(
                StatusCode::BAD_REQUEST,
                "BadRequest",
                format!("Invalid user id '{key}': it is not a user of this tenant."),
            )));
        };
        let object = t
            .users
            .get(&id)
            .map(|u| u.object.clone())
            .unwrap_or_default();
        users.push((id, object));
    }
    let by = ctx.principal.user_id.clone().unwrap_or_default();
    let now = json!(format_timestamp(chrono::Utc::now(), Precision::Ticks));
    let root = EntityPath {
        root: Root::Singleton(ROOT.into()),
        steps: vec![],
    };
    let Some(protection) = t.store.get_mut(&root, &[Some(ROOT_TYPE.into())]) else {
        return Some(Err(GraphErr::method_not_allowed()));
    };
    for (id, user) in users {
        let text = |k: &str| user.get(k).cloned().unwrap_or(Value::Null);
        let state_now = json!({
            "id": id,
            "isDeleted": false,
            "isProcessing": false,
            "riskLevel": level,
            "riskState": state,
            "riskDetail": detail,
            "riskLastUpdatedDateTime": now,
            "userDisplayName": text("displayName"),
            "userPrincipalName": text("userPrincipalName"),
        });
        let Value::Object(object) = state_now else {
            continue;
        };
        let entry = protection
            .many_mut("riskyUsers")
            .entry(id.clone())
            .or_insert_with(|| Entity::new(RISKY_USER, Map::new()));
        entry.object.extend(object.clone());
        let mut item = object;
        item.insert("id".into(), json!(crate::sandbox::state::new_id()));
        item.insert("userId".into(), json!(id));
        item.insert("initiatedBy".into(), json!(by));
        item.insert(
            "activity".into(),
            json!({ "detail": detail, "riskEventTypes": [] }),
        );
        let key = item["id"].as_str().unwrap_or_default().to_string();
        entry
            .many_mut("history")
            .insert(key, Entity::new(HISTORY_ITEM, item));
    }
    t.store.version += 1;
    Some(Ok(no_content()))
}
