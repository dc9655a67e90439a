//! Bound and unbound actions and functions of the catalog. Every one validates its parameters
//! against the catalog and answers with Graph's status and a value of its declared return type;
//! those admin scripts rely on have real semantics here (directory membership checks,
//! `getByIds`, `revokeSignInSessions`, credentials on applications, `restore`, `delta`,
//! `assignLicense`, `sendMail`).

use axum::body::Body;
use axum::http::{header, HeaderValue, Response, StatusCode};
use serde_json::{json, Map, Value};

use super::generic::{overlay_object, Bound, GROUPS, USERS};
use super::{collection, json, no_content, Ctx, Handled};
use crate::json::get_ci;
use crate::sandbox::odata::GraphErr;
use crate::sandbox::state::{format_timestamp, new_id, random_secret, Precision, Tenant};
use crate::sandbox::store::catalog::{Catalog, Op, Param, Segment, TypeKind};
use crate::sandbox::store::write::check_params;
use crate::sandbox::store::{EntityPath, Root};

/// Invokes operation `name` of `op`, bound to `bound`.
#[allow(clippy::too_many_arguments)]
pub fn invoke(
    ctx: &Ctx,
    t: &mut Tenant,
    cat: &Catalog,
    op: &Op,
    bound: Bound,
    name: &str,
    args: &[(String, String)],
    body: &[u8],
    segs: &[Segment],
) -> Handled {
    let directory = match &bound {
        Bound::Entity(p) => p
            .top()
            .map(|(s, _)| cat.set(s).map(|c| cat.is_directory(&c.ty)).unwrap_or(false))
            .unwrap_or(false),
        Bound::Collection(Some(s), _) => {
            cat.set(s).map(|c| cat.is_directory(&c.ty)).unwrap_or(false)
        }
        _ => false,
    };
    let params: Map<String, Value> = if op.kind == crate::sandbox::store::catalog::OpKind::Action {
        if body.iter().all(u8::is_ascii_whitespace) {
            Map::new()
        } else {
            super::body_object(body)?
        }
    } else {
        args.iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect()
    };
    let mut params = params;
    // `restore` takes two parameters its metadata does not declare
    // (learn.microsoft.com/graph/api/directory-deleteditems-restore, "Request body"):
    // `newUserPrincipalName` for a user, and `autoReconcileProxyConflict`.
    let restore_upn = if name == "restore" && matches!(&bound, Bound::Entity(_)) {
        let upn = take_ci(&mut params, "newUserPrincipalName");
        let _ = take_ci(&mut params, "autoReconcileProxyConflict");
        match upn {
            None | Some(Value::Null) => None,
            Some(Value::String(u)) => Some(u),
            Some(other) => {
                return Err(GraphErr::bad_request(format!(
                    "Cannot convert the literal '{other}' to the expected type 'Edm.String'."
                )))
            }
        }
    } else {
        None
    };
    let params = if op.kind == crate::sandbox::store::catalog::OpKind::Action {
        check_params(cat, name, &op.params, &params, directory)?;
        canonical_params(&op.params, params)
    } else {
        params
    };
    let entity_id = match &bound {
        Bound::Entity(p) => p.top().map(|(_, id)| id.to_string()).or_else(|| {
            // `directory/deletedItems/{id}/restore` is bound to the deleted object.
            match p.steps.last() {
                Some((nav, Some(id))) if nav == "deletedItems" => Some(id.clone()),
                _ => None,
            }
        }),
        _ => None,
    };
    let entity_set = match &bound {
        Bound::Entity(p) => p.top().map(|(s, _)| s.to_string()),
        _ => None,
    };
    let context_base = segs
        .iter()
        .map(|s| s.name.clone())
        .collect::<Vec<_>>()
        .join("/");
    // A message's actions act on the mailbox (`/users/{id}/messages/{id}/move`, or through a
    // folder's `messages`).
    if let Bound::Entity(EntityPath {
        root: Root::Set(set, uid),
        steps,
    }) = &bound
    {
        if let (USERS, Some((nav, Some(mid)))) = (set.as_str(), steps.last()) {
            if nav == "messages" {
                if let Some(r) = message_action(ctx, t, name, uid, mid, &params)? {
                    return Ok(r);
                }
            }
        }
    }
    match (name, entity_id.as_deref(), entity_set.as_deref()) {
        ("checkMemberGroups" | "checkMemberObjects", Some(id), _) => {
            let ids = string_list(
                &params,
                if name == "checkMemberGroups" {
                    "groupIds"
                } else {
                    "ids"
                },
            );
            let mine = super::directory::related_ids(t, id, "transitiveMemberOf");
            let hits: Vec<Value> = ids
                .into_iter()
                .filter(|g| mine.contains(g))
                .map(Value::String)
                .collect();
            collection(ctx, "Collection(Edm.String)", hits, None)
        }
        ("getMemberGroups" | "getMemberObjects", Some(id), _) => {
            let security_only = params
                .get("securityEnabledOnly")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            let hits: Vec<Value> = super::directory::related_ids(t, id, "transitiveMemberOf")
                .into_iter()
                // getMemberGroups lists groups only; getMemberObjects roles as well.
                .filter(|g| name == "getMemberObjects" || t.groups.contains_key(g))
                .filter(|g| {
                    !security_only
                        || !t.groups.contains_key(g)
                        || t.groups
                            .get(g)
                            .and_then(|x| x.object.get("securityEnabled"))
                            .and_then(Value::as_bool)
                            .unwrap_or(false)
                })
                .map(Value::String)
                .collect();
            collection(ctx, "Collection(Edm.String)", hits, None)
        }
        ("getByIds", _, _) => {
            let ids = string_list(&params, "ids");
            let types: Vec<String> = string_list(&params, "types")
                .into_iter()
                .map(|x| {
                    let x = x
                        .trim_start_matches("microsoft.graph.")
                        .to_ascii_lowercase();
                    format!("microsoft.graph.{x}")
                })
                .collect();
            let mut out = vec![];
            for id in ids.iter().take(1000) {
                for (set, ty) in [
                    (USERS, "microsoft.graph.user"),
                    (GROUPS, "microsoft.graph.group"),
                    ("applications", "microsoft.graph.application"),
                ] {
                    if !types.is_empty() && !types.iter().any(|x| x.eq_ignore_ascii_case(ty)) {
                        continue;
                    }
                    if let Some(mut o) = overlay_object(t, set, id) {
                        o.insert("@odata.type".into(), json!(format!("#{ty}")));
                        out.push(Value::Object(o));
                    }
                }
                if let Some(set) = t.store.set_of(id) {
                    if let Some(e) = t.store.sets.get(set).and_then(|s| s.get(id)) {
                        let matches =
                            types.is_empty() || types.iter().any(|x| cat.derives(&e.ty, x));
                        if matches && set != "applications" {
                            let mut o = e.object.clone();
                            o.insert("@odata.type".into(), json!(format!("#{}", e.ty)));
                            out.push(Value::Object(o));
                        }
                    }
                }
            }
            collection(ctx, "directoryObjects", out, None)
        }
        ("verify", Some(id), Some("domains")) => {
            // domain-verify: Graph looks the TXT or MX record up; the sandbox has no DNS, so
            // the domain is verified, as it would be once its record is published.
            let Some(e) = t.store.sets.get_mut("domains").and_then(|s| s.get_mut(id)) else {
                return Err(GraphErr::not_found(id));
            };
            e.object.insert("isVerified".into(), json!(true));
            let mut out = Map::new();
            out.insert(
                "@odata.context".into(),
                json!(ctx.context("domains/$entity")),
            );
            out.extend(e.object.clone());
            t.store.version += 1;
            Ok(json(StatusCode::OK, &Value::Object(out)))
        }
        ("revokeSignInSessions", Some(id), Some(USERS)) => {
            let now = format_timestamp(chrono::Utc::now(), Precision::Seconds);
            if let Some(u) = t.users.get_mut(id) {
                u.object
                    .insert("signInSessionsValidFromDateTime".into(), json!(now));
                // Its older name, which Graph keeps in step.
                u.object
                    .insert("refreshTokensValidFromDateTime".into(), json!(now));
            }
            Ok(json(
                StatusCode::OK,
                &json!({"@odata.context": ctx.context("Edm.Boolean"), "value": true}),
            ))
        }
        ("addPassword", Some(id), Some(set)) => {
            let given = params
                .get("passwordCredential")
                .cloned()
                .unwrap_or(json!({}));
            let secret = random_secret(40);
            // application-addpassword: a missing or null start is now, a missing or null
            // end two years after the start.
            let given_time = |k: &str| {
                given
                    .get(k)
                    .and_then(Value::as_str)
                    .and_then(|v| chrono::DateTime::parse_from_rfc3339(v).ok())
                    .map(|d| d.with_timezone(&chrono::Utc))
            };
            let start = given_time("startDateTime").unwrap_or_else(chrono::Utc::now);
            let end = given_time("endDateTime").unwrap_or(start + chrono::Duration::days(730));
            let cred = json!({
                "customKeyIdentifier": null,
                "displayName": given.get("displayName").cloned().unwrap_or(Value::Null),
                "endDateTime": format_timestamp(end, Precision::Ticks),
                "hint": &secret[..3],
                "keyId": new_id(),
                "secretText": secret,
                "startDateTime": format_timestamp(start, Precision::Ticks),
            });
            if set == "applications" {
                if let Some(app) = t.apps.iter_mut().find(|a| a.object_id == id) {
                    app.secrets.push(secret.clone());
                }
            }
            let mut stored = cred.clone();
            stored["secretText"] = Value::Null;
            push_credential(t, set, id, "passwordCredentials", stored);
            let mut out = cred.as_object().cloned().unwrap_or_default();
            out.insert(
                "@odata.context".into(),
                json!(ctx.context("microsoft.graph.passwordCredential")),
            );
            Ok(json(StatusCode::OK, &Value::Object(out)))
        }
        ("removePassword" | "removeKey", Some(id), Some(set)) => {
            let key_id = params
                .get("keyId")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            let prop = if name == "removePassword" {
                "passwordCredentials"
            } else {
                "keyCredentials"
            };
            let removed = remove_credential(t, set, id, prop, &key_id);
            if !removed {
                return Err(GraphErr::bad_request(format!(
                    "No credential with keyId '{key_id}' was found on the object."
                )));
            }
            Ok(no_content())
        }
        ("addKey", Some(id), Some(set)) => {
            let mut key = params.get("keyCredential").cloned().unwrap_or(json!({}));
            if key.get("keyId").map(Value::is_null).unwrap_or(true) {
                key["keyId"] = json!(new_id());
            }
            let mut stored = key.clone();
            stored["key"] = Value::Null;
            push_credential(t, set, id, "keyCredentials", stored.clone());
            let mut out = stored.as_object().cloned().unwrap_or_default();
            out.insert(
                "@odata.context".into(),
                json!(ctx.context("microsoft.graph.keyCredential")),
            );
            Ok(json(StatusCode::OK, &Value::Object(out)))
        }
        ("restore", Some(id), _) => {
            let (ty, object) = super::recycle::restore(t, id, restore_upn.as_deref())?;
            let mut out = object;
            out.insert("@odata.type".into(), json!(format!("#{ty}")));
            out.insert(
                "@odata.context".into(),
                json!(ctx.context("directoryObjects/$entity")),
            );
            Ok(json(StatusCode::OK, &Value::Object(out)))
        }
        ("evaluate", _, _) if context_base.ends_with("conditionalAccess/evaluate") => {
            let items = super::conditional_access::evaluate(t, &params);
            collection(
                ctx,
                "Collection(microsoft.graph.whatIfAnalysisResult)",
                items,
                None,
            )
        }
        ("getAvailableExtensionProperties", None, _) => {
            let items = super::extensions::available(t, &params);
            collection(
                ctx,
                "Collection(microsoft.graph.extensionProperty)",
                items,
                None,
            )
        }
        ("sendMail", Some(id), Some(USERS)) => send_mail(t, id, &params),
        ("assignLicense", Some(id), Some(set @ (USERS | GROUPS))) => {
            assign_license(ctx, t, set, id, &params)
        }
        ("delta", None, _) => {
            let Bound::Collection(Some(set), _) = &bound else {
                return generic(ctx, cat, op, &context_base);
            };
            let ids: Vec<String> = match set.as_str() {
                USERS => t.users.keys().cloned().collect(),
                GROUPS => t.groups.keys().cloned().collect(),
                s => t
                    .store
                    .sets
                    .get(s)
                    .map(|m| m.keys().cloned().collect())
                    .unwrap_or_default(),
            };
            // A deltaLink after the first round; changes since a token are not tracked
            // individually: a later round answers every current object again.
            let since = ctx
                .query
                .raw
                .iter()
                .any(|(k, _)| k.eq_ignore_ascii_case("$deltatoken"));
            let items: Vec<Value> = if since {
                vec![]
            } else {
                ids.iter()
                    .filter_map(|i| {
                        overlay_object(t, set, i).or_else(|| {
                            t.store
                                .sets
                                .get(set)
                                .and_then(|m| m.get(i))
                                .map(|e| e.object.clone())
                        })
                    })
                    .map(Value::Object)
                    .collect()
            };
            let token = crate::sandbox::odata::encode_skiptoken(t.store.version as usize);
            let body = json!({
                "@odata.context": ctx.context(&format!("{set}(delta)")),
                "@odata.deltaLink": format!("{}/{}/{set}/delta()?$deltatoken={token}", ctx.state.base_url, ctx.ver.segment()),
                "value": items,
            });
            Ok(json(StatusCode::OK, &body))
        }
        ("confirmCompromised" | "dismiss" | "confirmSafe", None, _)
            if context_base.contains("riskyUsers") =>
        {
            super::identity_protection::action(ctx, t, name, &params)
                .unwrap_or_else(|| generic(ctx, cat, op, &context_base))
        }
        _ => generic(ctx, cat, op, &context_base),
    }
}

/// Removes and returns parameter `name` of `params`, matched ignoring case.
fn take_ci(params: &mut Map<String, Value>, name: &str) -> Option<Value> {
    let key = params
        .keys()
        .find(|k| k.eq_ignore_ascii_case(name))?
        .clone();
    params.remove(&key)
}

/// Action parameters as the handlers read them: matched to the declared ones ignoring case
/// (as `check_params` accepts them) and named in camelCase, which CSDL does not always use
/// (sendMail declares `Message` and `SaveToSentItems`).
fn canonical_params(declared: &[Param], params: Map<String, Value>) -> Map<String, Value> {
    params
        .into_iter()
        .map(|(k, v)| {
            let key = match declared.iter().find(|p| p.name.eq_ignore_ascii_case(&k)) {
                Some(p) => {
                    let mut chars = p.name.chars();
                    chars
                        .next()
                        .map(|c| c.to_ascii_lowercase().to_string() + chars.as_str())
                        .unwrap_or_default()
                }
                None => k,
            };
            (key, v)
        })
        .collect()
}

/// The strings of list parameter `key` (matched ignoring case); empty when absent.
pub(super) fn string_list(params: &Map<String, Value>, key: &str) -> Vec<String> {
    params
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .and_then(|(_, v)| v.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn push_credential(t: &mut Tenant, set: &str, id: &str, prop: &str, cred: Value) {
    let e = t
        .store
        .sets
        .entry(set.to_string())
        .or_default()
        .entry(id.to_string())
        .or_insert_with(|| {
            let mut o = Map::new();
            o.insert("id".into(), json!(id));
            crate::sandbox::store::Entity::new("microsoft.graph.application", o)
        });
    let list = e.object.entry(prop).or_insert_with(|| json!([]));
    if let Value::Array(a) = list {
        a.push(cred);
    } else {
        *list = json!([cred]);
    }
}

fn remove_credential(t: &mut Tenant, set: &str, id: &str, prop: &str, key_id: &str) -> bool {
    let Some(e) = t.store.sets.get_mut(set).and_then(|s| s.get_mut(id)) else {
        return false;
    };
    let Some(Value::Array(a)) = e.object.get_mut(prop) else {
        return false;
    };
    let before = a.len();
    a.retain(|c| c.get("keyId").and_then(Value::as_str) != Some(key_id));
    a.len() != before
}

/// `assignLicense`: against the tenant's `subscribedSkus`, consuming units, writing
/// `assignedLicenses` and the user's `licenseDetails`.
fn assign_license(
    ctx: &Ctx,
    t: &mut Tenant,
    set: &str,
    id: &str,
    params: &Map<String, Value>,
) -> Handled {
    // An entry that names no SKU adds nothing: Microsoft's documented removal,
    // `Set-MgUserLicense -AddLicenses @{} -RemoveLicenses ...`, sends `"addLicenses":[{}]`.
    let adds: Vec<Value> = params
        .get("addLicenses")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter(|a| a.get("skuId").is_some_and(|s| !s.is_null()))
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    let removes = string_list(params, "removeLicenses");
    let skus = t
        .store
        .sets
        .get("subscribedSkus")
        .cloned()
        .unwrap_or_default();
    let sku_of = |sku_id: &str| {
        skus.values()
            .find(|s| {
                s.object
                    .get("skuId")
                    .and_then(Value::as_str)
                    .map(|x| x.eq_ignore_ascii_case(sku_id))
                    .unwrap_or(false)
            })
            .cloned()
    };
    for a in &adds {
        let sku_id = a.get("skuId").and_then(Value::as_str).unwrap_or_default();
        let Some(sku) = sku_of(sku_id) else {
            return Err(GraphErr::bad_request(format!(
                "License {sku_id} does not correspond to a valid company License."
            )));
        };
        let enabled = sku
            .object
            .get("prepaidUnits")
            .and_then(|p| p.get("enabled"))
            .and_then(Value::as_i64)
            .unwrap_or(0);
        let consumed = sku
            .object
            .get("consumedUnits")
            .and_then(Value::as_i64)
            .unwrap_or(0);
        // A group consumes no unit itself; its members do (see `licensing`).
        if set == USERS && consumed >= enabled {
            return Err(GraphErr::bad_request(format!(
                "Subscription {sku_id} does not have any available licenses."
            )));
        }
    }
    for r in &removes {
        if sku_of(r).is_none() {
            return Err(GraphErr::bad_request(format!(
                "License {r} does not correspond to a valid company License."
            )));
        }
    }
    let current = overlay_object(t, set, id).ok_or_else(|| GraphErr::not_found(id))?;
    if set == USERS && !adds.is_empty() {
        // user-assignlicense: a user must have a usage location to be licensed.
        let located = current
            .get("usageLocation")
            .and_then(Value::as_str)
            .is_some_and(|l| !l.is_empty());
        if !located {
            return Err(GraphErr::bad_request(
                "License assignment cannot be done for user with invalid usage location.",
            ));
        }
    }
    // The direct assignments after the change: removes first, then adds (which replace the
    // disabled plans of a licence already held).
    let mut assigned: Vec<Value> = match set {
        USERS => crate::sandbox::licensing::direct(&current),
        _ => current
            .get("assignedLicenses")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default(),
    };
    assigned.retain(|l| {
        let sku = l.get("skuId").and_then(Value::as_str).unwrap_or_default();
        !removes.iter().any(|r| r.eq_ignore_ascii_case(sku))
    });
    for a in adds {
        let sku = a
            .get("skuId")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let entry = json!({"skuId": sku, "disabledPlans": a.get("disabledPlans").cloned().unwrap_or(json!([]))});
        match assigned.iter().position(|l| {
            l.get("skuId")
                .and_then(Value::as_str)
                .is_some_and(|x| x.eq_ignore_ascii_case(&sku))
        }) {
            Some(pos) => assigned[pos] = entry,
            None => assigned.push(entry),
        }
    }
    match set {
        USERS => crate::sandbox::licensing::set_direct(t, id, assigned),
        _ => {
            if let Some(g) = t.groups.get_mut(id) {
                g.object
                    .insert("assignedLicenses".into(), Value::Array(assigned));
            }
        }
    }
    // Members' licences, states, details and every SKU's consumed units follow.
    crate::sandbox::licensing::refresh(t);
    let mut object = overlay_object(t, set, id).ok_or_else(|| GraphErr::not_found(id))?;
    object.insert(
        "@odata.context".into(),
        json!(ctx.context(&format!("{set}/$entity"))),
    );
    Ok(json(StatusCode::OK, &Value::Object(object)))
}

/// The default answer of an operation: its declared return type, empty.
fn generic(ctx: &Ctx, cat: &Catalog, op: &Op, context: &str) -> Handled {
    let Some(returns) = &op.returns else {
        return Ok(no_content());
    };
    if returns.stream {
        let mut r = Response::new(Body::empty());
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/octet-stream"),
        );
        return Ok(r);
    }
    let ty = returns.ty.clone().unwrap_or_default();
    if returns.collection {
        return collection(ctx, &format!("Collection({ty})"), vec![], None);
    }
    let value = default_of(cat, &ty);
    let body = match value {
        Value::Object(mut o) => {
            o.insert("@odata.context".into(), json!(ctx.context(&ty)));
            Value::Object(o)
        }
        v => json!({"@odata.context": ctx.context(&ty), "value": v}),
    };
    let _ = context;
    Ok(json(StatusCode::OK, &body))
}

/// A default value of a type: primitives' zero values, an enum's first member, an object
/// with the key and the (empty) structural collections of a structured type: an OData
/// collection is never null (`Nullable` there speaks of its items), so Graph answers `[]`
/// (`runHuntingQuery`'s `schema` and `results`).
pub fn default_of(cat: &Catalog, ty: &str) -> Value {
    match ty {
        "Edm.String" => json!(""),
        "Edm.Boolean" => json!(false),
        "Edm.Int16" | "Edm.Int32" | "Edm.Int64" | "Edm.Byte" | "Edm.SByte" => json!(0),
        "Edm.Double" | "Edm.Single" | "Edm.Decimal" => json!(0.0),
        "Edm.DateTimeOffset" => json!(format_timestamp(chrono::Utc::now(), Precision::Ticks)),
        "Edm.Date" => json!(chrono::Utc::now().format("%Y-%m-%d").to_string()),
        "Edm.Guid" => json!(new_id()),
        t if t.starts_with("Edm.") => Value::Null,
        t => match cat.ty(t) {
            Some(info) if info.kind() == TypeKind::Enum => {
                json!(info.members.first().cloned().unwrap_or_default())
            }
            Some(info) => {
                let mut o = Map::new();
                if info.kind() == TypeKind::Entity {
                    o.insert("id".into(), json!(new_id()));
                }
                for p in cat.all_props(&info.name) {
                    if p.collection && !p.nav {
                        o.insert(p.name.clone(), json!([]));
                    }
                }
                Value::Object(o)
            }
            None => Value::Null,
        },
    }
}

/// The actions of a message that change the mailbox, `None` for the others: `move` and
/// `copy` (201 with the message in its new folder), `createReply`, `createReplyAll` and
/// `createForward` (201 with the draft, filed in Drafts), `reply`, `replyAll` and `forward`,
/// which send as `sendMail` does (202; a forward needs a recipient), and `send`, which sends a
/// draft the same way and takes it out of its folder (202; message-send).
fn message_action(
    ctx: &Ctx,
    t: &mut Tenant,
    name: &str,
    uid: &str,
    mid: &str,
    params: &Map<String, Value>,
) -> Result<Option<Response<Body>>, GraphErr> {
    use crate::sandbox::mail;
    let created = |mut message: Map<String, Value>| {
        message.insert(
            "@odata.context".into(),
            json!(ctx.context("microsoft.graph.message")),
        );
        json(StatusCode::CREATED, &Value::Object(message))
    };
    match name {
        "move" | "copy" => {
            let destination = get_ci(params, "destinationId")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let moved = mail::move_or_copy(t, uid, mid, destination, name == "copy")?;
            Ok(Some(created(moved)))
        }
        "send" => {
            let mut send = Map::new();
            send.insert("message".into(), Value::Object(mail::draft(t, uid, mid)?));
            send.insert("saveToSentItems".into(), json!(true));
            // Sent first: a draft that cannot be sent (no recipient) stays a draft.
            let accepted = send_mail(t, uid, &send)?;
            mail::discard(t, uid, mid);
            Ok(Some(accepted))
        }
        _ => {
            let Some(how) = mail::Respond::of(name) else {
                return Ok(None);
            };
            let message = mail::respond(t, uid, mid, how, params)?;
            if name.starts_with("create") {
                return Ok(Some(created(mail::file_draft(t, uid, message)?)));
            }
            let mut send = Map::new();
            send.insert("message".into(), Value::Object(message));
            send.insert("saveToSentItems".into(), json!(true));
            send_mail(t, uid, &send).map(Some)
        }
    }
}

/// `sendMail`: the message is kept in the sender's Sent Items (unless `saveToSentItems` is
/// false) and delivered to the Inbox of every recipient in the tenant; both are then visible
/// through `/messages` and `/mailFolders/{sentitems|inbox}/messages`. 202 with no body, as
/// Graph answers (user-sendmail).
fn send_mail(t: &mut Tenant, id: &str, params: &Map<String, Value>) -> Handled {
    let mut message = params
        .get("message")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let attachments = crate::sandbox::mail::take_attachments(&mut message);
    let addresses = |key: &str| -> Vec<String> {
        get_ci(&message, key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|r| {
                let email = get_ci(r.as_object()?, "emailAddress")?.as_object()?;
                get_ci(email, "address")?.as_str()
            })
            .map(str::to_string)
            .collect()
    };
    let to = addresses("toRecipients");
    let all: Vec<String> = to
        .iter()
        .cloned()
        .chain(addresses("ccRecipients"))
        .chain(addresses("bccRecipients"))
        .collect();
    if all.is_empty() {
        return Err(GraphErr::new(
            StatusCode::BAD_REQUEST,
            "ErrorInvalidRecipients",
            "At least one recipient isn't valid., A message can't be sent because it contains no recipients.",
        ));
    }
    if let Some(bad) = all.iter().find(|a| !a.contains('@')) {
        return Err(GraphErr::new(
            StatusCode::BAD_REQUEST,
            "ErrorInvalidRecipients",
            format!("At least one recipient isn't valid., Recipient '{bad}' isn't resolved. All recipients must be resolved before a message can be submitted."),
        ));
    }
    if !t.users.contains_key(id) {
        return Err(GraphErr::not_found(id));
    }
    let from = json!({"emailAddress": crate::sandbox::mail::mailbox_address(t, USERS, id)});
    let now = format_timestamp(chrono::Utc::now(), Precision::Seconds);
    let preview = crate::sandbox::mail::preview(&message);
    let mut stored = message.clone();
    for (k, v) in [
        ("createdDateTime", json!(now)),
        ("lastModifiedDateTime", json!(now)),
        ("sentDateTime", json!(now)),
        ("receivedDateTime", json!(now)),
        ("from", from.clone()),
        ("sender", from),
        ("bodyPreview", json!(preview)),
        ("isDraft", json!(false)),
        ("hasAttachments", json!(!attachments.is_empty())),
        (
            "internetMessageId",
            json!(format!("<{}@{}>", new_id(), t.domain)),
        ),
    ] {
        stored.insert(k.into(), v);
    }
    // A sent draft, reply or forward stays in its conversation.
    stored
        .entry("conversationId")
        .or_insert_with(|| json!(new_id()));
    stored.entry("importance").or_insert(json!("normal"));
    stored.entry("ccRecipients").or_insert(json!([]));
    stored.entry("bccRecipients").or_insert(json!([]));
    let save = params
        .get("saveToSentItems")
        .and_then(Value::as_bool)
        .unwrap_or(true);
    let mut deliveries: Vec<(String, &str, bool)> = vec![];
    if save {
        deliveries.push((id.to_string(), "sentitems", true));
    }
    for a in &all {
        if let Some(r) = t.user_id(a).or_else(|| {
            t.users
                .values()
                .find(|u| {
                    u.object
                        .get("mail")
                        .and_then(Value::as_str)
                        .is_some_and(|m| m.eq_ignore_ascii_case(a))
                })
                .map(|u| u.id().to_string())
        }) {
            deliveries.push((r, "inbox", false));
        }
    }
    for (owner, folder, read) in deliveries {
        let mut m = stored.clone();
        m.insert("id".into(), json!(new_id()));
        m.insert("isRead".into(), json!(read));
        let mut entity = crate::sandbox::store::Entity::new("microsoft.graph.message", m);
        for a in &attachments {
            entity
                .many_mut("attachments")
                .insert(a.id().to_string(), a.clone());
        }
        // Filed as every mailbox action files a message: in the folder and the mailbox's
        // `messages`, with the folder's counts.
        crate::sandbox::mail::file_in(t, &owner, folder, entity);
    }
    t.store.version += 1;
    let mut r = Response::new(Body::empty());
    *r.status_mut() = StatusCode::ACCEPTED;
    Ok(r)
}
