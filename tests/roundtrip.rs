//! The generated round-trip test (issue 10, item 6b): over every entity set and contained
//! collection of the catalog, as the catalog allows each, create (a minimal valid body built
//! from the model), get, list with `$filter` on a property, update and delete, against the
//! sandbox over HTTP. Prints the coverage (collections exercised / all) and fails on any error.

mod common;

use std::collections::{BTreeMap, HashMap};

use common::*;
use mggraph::sandbox::store::catalog::{catalog, Catalog, OpKind, Step};
use mggraph::sandbox::store::write::server_set;
use mggraph::sandbox::SandboxConfig;
use reqwest::Method;
use serde_json::{json, Map, Value};

/// One collection template and what the catalog allows on it and its items.
#[derive(Debug, Default, Clone)]
struct Collection {
    template: String,
    list: bool,
    create: Option<String>,
    get: bool,
    update: bool,
    delete: bool,
}

fn collections(cat: &Catalog) -> BTreeMap<String, Collection> {
    let mut out: BTreeMap<String, Collection> = BTreeMap::new();
    let mut items: HashMap<String, Vec<OpKind>> = HashMap::new();
    for op in &cat.routes().ops {
        let last = op.steps().last();
        let is_collection = matches!(last, Some(Step::Set(_)) | Some(Step::Nav(_)));
        match op.kind {
            OpKind::List | OpKind::Create if is_collection => {
                let c = out
                    .entry(op.template.clone())
                    .or_insert_with(|| Collection {
                        template: op.template.clone(),
                        ..Collection::default()
                    });
                if op.kind == OpKind::List {
                    c.list = true;
                } else {
                    c.create = op.model.clone();
                }
            }
            OpKind::Get | OpKind::Update | OpKind::Delete if matches!(last, Some(Step::Key(_))) => {
                let parent = op
                    .template
                    .rsplit_once('/')
                    .map(|(p, _)| p.to_string())
                    .unwrap_or_default();
                items.entry(parent).or_default().push(op.kind);
            }
            _ => {}
        }
    }
    for (t, c) in out.iter_mut() {
        let kinds = items.get(t).cloned().unwrap_or_default();
        c.get = kinds.contains(&OpKind::Get);
        c.update = kinds.contains(&OpKind::Update);
        c.delete = kinds.contains(&OpKind::Delete);
    }
    out
}

/// Collections whose hand-written handler refuses a write the catalog lists, and why.
const HAND_WRITTEN_REFUSALS: &[(&str, &str)] = &[
    (
        "/policies/authenticationMethodsPolicy/authenticationMethodConfigurations",
        "the methods policy has a fixed set of configurations (PATCH only)",
    ),
    (
        "/users/{user-id}/authentication/methods",
        "methods are created through their own typed collections",
    ),
    // Graph refuses an assignment naming no real principal, resource or role; these are
    // exercised with real ones in tests/tenant_objects.rs.
    (
        "/groups/{group-id}/appRoleAssignments",
        "needs a real principal, resource and role",
    ),
    (
        "/users/{user-id}/appRoleAssignments",
        "needs a real principal, resource and role",
    ),
    (
        "/servicePrincipals/{servicePrincipal-id}/appRoleAssignments",
        "needs a real principal, resource and role",
    ),
    (
        "/servicePrincipals/{servicePrincipal-id}/appRoleAssignedTo",
        "needs a real principal, resource and role",
    ),
    (
        "/roleManagement/directory/roleAssignments",
        "needs a real principal",
    ),
    // PIM requests change assignments, so they name a real principal and role; exercised in
    // tests/pester/Cmdlets.Tests.ps1.
    (
        "/roleManagement/directory/roleAssignmentScheduleRequests",
        "needs a real principal and role",
    ),
    (
        "/roleManagement/directory/roleEligibilityScheduleRequests",
        "needs a real principal and role",
    ),
    // Graph names an extension property itself (`extension_<appId>_<name>`) and takes only its
    // six data types; exercised in tests/tenant_objects.rs.
    (
        "/applications/{application-id}/extensionProperties",
        "Graph names it and takes a data type of its own list",
    ),
];

/// Collections Graph derives from the flat Planner ones and never creates in (the catalog
/// lists a POST that Graph does not have: plans, buckets and tasks are created only in
/// `/planner/{plans,buckets,tasks}`, planner-post-plans, planner-post-buckets,
/// planner-post-tasks); listed here, exercised in tests/sandbox_planner.rs.
const DERIVED: &[&str] = &[
    "/groups/{group-id}/planner/plans",
    "/users/{user-id}/planner/plans",
    "/users/{user-id}/planner/tasks",
    "/planner/plans/{plannerPlan-id}/buckets",
    "/planner/plans/{plannerPlan-id}/tasks",
    "/planner/buckets/{plannerBucket-id}/tasks",
];

/// Fills the placeholders of `template` with the ids created in the collections before them;
/// `None` when one has none, a cast does not fit the created parent, or the path has
/// function-call segments.
fn fill(cat: &Catalog, template: &str, ids: &HashMap<String, (String, String)>) -> Option<String> {
    let mut out = String::new();
    let mut prefix = String::new();
    let mut last_ty: Option<String> = None;
    for seg in template.split('/').filter(|s| !s.is_empty()) {
        if seg.starts_with("microsoft.graph.") {
            if let Some(ty) = &last_ty {
                if !cat.derives(ty, seg) {
                    return None;
                }
            }
        }
        if seg.starts_with('{') {
            let (id, ty) = ids.get(&prefix)?;
            last_ty = Some(ty.clone());
            out.push('/');
            out.push_str(&urlencode(id));
        } else if seg.contains('(') {
            return None;
        } else {
            if !seg.starts_with("microsoft.graph.") {
                last_ty = None;
            }
            out.push('/');
            out.push_str(seg);
        }
        prefix.push('/');
        prefix.push_str(seg);
    }
    Some(out)
}

/// A concrete type for `ty` (itself, or the first non-abstract derived type).
fn concrete(cat: &Catalog, ty: &str) -> Option<String> {
    cat.with_derived(ty)
        .into_iter()
        .find(|t| cat.ty(t).map(|i| !i.is_abstract).unwrap_or(false))
}

/// The string property the test writes, filters on and updates: one of the collection's
/// declared type (so `$filter` needs no cast), else of the concrete type.
fn probe(cat: &Catalog, declared: &str, ty: &str) -> Option<(String, bool)> {
    if ty == "microsoft.graph.temporaryAccessPassAuthenticationMethod" {
        return None;
    }
    probe_prop(cat, declared)
        .map(|p| (p, true))
        .or_else(|| probe_prop(cat, ty).map(|p| (p, false)))
}

fn probe_prop(cat: &Catalog, ty: &str) -> Option<String> {
    let directory = cat.is_directory(ty);
    let candidates: Vec<String> = cat
        .all_props(ty)
        .into_iter()
        .filter(|p| {
            p.ty == "Edm.String"
                && !p.collection
                && !p.nav
                && !p.read_only
                && p.name != "id"
                && p.name != cat.key_of(ty)
                && !server_set(&p.name, directory)
        })
        .map(|p| p.name.clone())
        .collect();
    for preferred in ["displayName", "name", "description", "title", "subject"] {
        if candidates.iter().any(|c| c == preferred) {
            return Some(preferred.to_string());
        }
    }
    candidates.into_iter().next()
}

/// The probe property, and whether the collection's declared type has it.
type Probe = (String, bool);

/// A minimal valid body for a new entity of `ty`, with the probe property set to `value` (a
/// plan is put in `group`).
fn minimal_body(
    cat: &Catalog,
    declared: &str,
    n: usize,
    app_id: Option<&str>,
    group: Option<&str>,
) -> Option<(Map<String, Value>, String, Option<Probe>)> {
    let ty = concrete(cat, declared)?;
    let mut body = Map::new();
    if ty != declared {
        body.insert("@odata.type".into(), json!(format!("#{ty}")));
    }
    let probe = probe(cat, declared, &ty);
    let value = format!("rt{n:04}");
    if let Some((p, _)) = &probe {
        body.insert(p.clone(), json!(value));
    }
    match ty.as_str() {
        "microsoft.graph.user" => {
            body.insert("accountEnabled".into(), json!(true));
            body.insert("mailNickname".into(), json!(value));
            body.insert(
                "userPrincipalName".into(),
                json!(format!("{value}@contoso.onmicrosoft.com")),
            );
            body.insert(
                "passwordProfile".into(),
                json!({"password": "xWwvJ]6NMw+bWH-d"}),
            );
        }
        "microsoft.graph.group" => {
            body.insert("mailEnabled".into(), json!(false));
            body.insert("mailNickname".into(), json!(value));
            body.insert("securityEnabled".into(), json!(true));
        }
        "microsoft.graph.servicePrincipal" => {
            body.insert("appId".into(), json!(app_id?));
        }
        "microsoft.graph.invitation" => {
            body.insert(
                "invitedUserEmailAddress".into(),
                json!(format!("{value}@fabrikam.com")),
            );
            body.insert(
                "inviteRedirectUrl".into(),
                json!("https://myapps.microsoft.com"),
            );
        }
        // Graph provisions a team from a template, with an owner when an app asks
        // (team-post: 202 Accepted, the team in Content-Location).
        "microsoft.graph.team" => {
            body.insert("displayName".into(), json!(value));
            body.insert(
                "template@odata.bind".into(),
                json!("https://graph.microsoft.com/v1.0/teamsTemplates('standard')"),
            );
            body.insert(
                "members".into(),
                json!([{
                    "@odata.type": "#microsoft.graph.aadUserConversationMember",
                    "roles": ["owner"],
                    "user@odata.bind": "https://graph.microsoft.com/v1.0/users('admin@contoso.onmicrosoft.com')"
                }]),
            );
        }
        // A plan lives in a group (planner-post-plans).
        "microsoft.graph.plannerPlan" => {
            body.insert(
                "container".into(),
                json!({"url": format!("https://graph.microsoft.com/v1.0/groups/{}", group?)}),
            );
        }
        "microsoft.graph.device" => {
            body.insert("accountEnabled".into(), json!(true));
            body.insert(
                "alternativeSecurityIds".into(),
                json!([{"type": 2, "key": "a2V5"}]),
            );
            body.insert("deviceId".into(), json!(uuid::Uuid::new_v4().to_string()));
            body.insert("operatingSystem".into(), json!("Windows"));
            body.insert("operatingSystemVersion".into(), json!("10.0"));
        }
        _ => {}
    }
    Some((body, ty, probe))
}

struct Client {
    http: reqwest::Client,
    base: String,
    /// The automation app's (every application permission).
    token: String,
    /// The administrator's with every delegated permission, for what Graph does not let an
    /// app do (Microsoft's map: "Application: not supported").
    delegated: String,
}

impl Client {
    /// A GET with Graph's advanced query header (`ConsistencyLevel: eventual`).
    async fn send_eventual(&self, path: &str) -> (u16, Value) {
        let resp = self
            .http
            .get(format!("{}/v1.0{path}", self.base))
            .bearer_auth(&self.token)
            .header("ConsistencyLevel", "eventual")
            .send()
            .await
            .expect("the sandbox answers");
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn send(&self, method: Method, path: &str, body: Option<&Value>) -> (u16, Value) {
        use mggraph::catalog::permissions::{requirement, Scheme};
        let app_can = !requirement(method.as_str(), path, Scheme::Application)
            .grants
            .is_empty();
        let token = if app_can {
            &self.token
        } else {
            &self.delegated
        };
        let mut req = self
            .http
            .request(method, format!("{}/v1.0{path}", self.base))
            .bearer_auth(token);
        if let Some(b) = body {
            req = req.json(b);
        }
        let resp = req.send().await.expect("the sandbox answers");
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }
}

#[derive(Debug)]
struct Created {
    collection: Collection,
    item: String,
    id: String,
    key: String,
    probe: Option<(String, bool)>,
    value: String,
    directory: bool,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_entity_set_and_contained_collection_round_trips() {
    let cat = catalog();
    let s = sandbox(SandboxConfig::default()).await;
    let every_scope: Vec<&str> = mggraph::catalog::permissions::permissions()
        .iter()
        .filter(|p| p.delegated)
        .map(|p| p.name)
        .collect();
    let delegated = user_token(&s, &s.admin_upn, &every_scope.join(" ")).await;
    let c = Client {
        http: client(),
        base: s.base_url.clone(),
        token: app_token(&s).await,
        delegated: delegated["access_token"].as_str().unwrap().to_string(),
    };
    // Passes need the policy on, as in a real tenant.
    let (status, _) = c
        .send(
            Method::PATCH,
            "/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/TemporaryAccessPass",
            Some(&json!({"@odata.type": "#microsoft.graph.temporaryAccessPassAuthenticationMethodConfiguration", "state": "enabled"})),
        )
        .await;
    assert_eq!(status, 204);
    let all = collections(cat);
    let mut order: Vec<&Collection> = all.values().collect();
    // Parents before children; applications before service principals (which name one).
    order.sort_by_key(|c| {
        (
            c.template.matches('/').count(),
            c.template != "/applications",
            c.template.clone(),
        )
    });
    let mut ids: HashMap<String, (String, String)> = HashMap::new();
    let mut failures: Vec<String> = vec![];
    let mut created: Vec<Created> = vec![];
    let mut exercised = 0usize;
    let mut app_id: Option<String> = None;
    let mut not_reached: Vec<String> = vec![];
    for (n, coll) in order.iter().enumerate() {
        let refused = HAND_WRITTEN_REFUSALS
            .iter()
            .any(|(t, _)| *t == coll.template)
            || DERIVED.contains(&coll.template.as_str());
        // A group made here has no team (only a provisioned one has: its team is reached
        // through /teams, under the group's id).
        let teamless = coll.template.starts_with("/groups/{group-id}/team/");
        let Some(path) = fill(cat, &coll.template, &ids).filter(|_| !teamless) else {
            not_reached.push(coll.template.clone());
            continue;
        };
        let mut ok = true;
        if coll.list {
            // A calendar view lists a time window, which Graph requires (user-list-calendarview).
            let path = if path.ends_with("/calendarView") {
                format!(
                    "{path}?startDateTime=2024-01-01T00:00:00Z&endDateTime=2024-02-01T00:00:00Z"
                )
            } else {
                path.clone()
            };
            let (status, body) = c.send(Method::GET, &path, None).await;
            if status != 200 || !body["value"].is_array() {
                failures.push(format!("GET {path} → {status} {body}"));
                ok = false;
            }
        }
        if let (Some(model), false) = (&coll.create, refused) {
            let group = ids.get("/groups").map(|(id, _)| id.as_str());
            let Some((body, ty, probe)) = minimal_body(cat, model, n, app_id.as_deref(), group)
            else {
                not_reached.push(coll.template.clone());
                continue;
            };
            let name = body.get("displayName").cloned();
            let (mut status, mut answer) = c
                .send(Method::POST, &path, Some(&Value::Object(body)))
                .await;
            if status == 202 && coll.template == "/teams" {
                // Provisioned: the team is read back by its name.
                let name = name.as_ref().and_then(Value::as_str).unwrap_or_default();
                let (_, list) = c
                    .send(
                        Method::GET,
                        &format!("/teams?$filter=displayName eq '{name}'"),
                        None,
                    )
                    .await;
                answer = list["value"][0].clone();
                status = if answer.is_object() { 201 } else { 404 };
            }
            let key = cat.key_of(&ty);
            let id = answer
                .get(&key)
                .or_else(|| answer.get("id"))
                .and_then(Value::as_str)
                .map(str::to_string);
            match (status, id) {
                (201, Some(id)) => {
                    if coll.template == "/applications" {
                        app_id = answer["appId"].as_str().map(str::to_string);
                    }
                    ids.insert(coll.template.clone(), (id.clone(), ty.clone()));
                    created.push(Created {
                        collection: (*coll).clone(),
                        item: format!("{path}/{}", urlencode(&id)),
                        id,
                        key,
                        probe,
                        value: format!("rt{n:04}"),
                        directory: cat.is_directory(&ty),
                    });
                }
                (status, _) => {
                    failures.push(format!("POST {path} → {status} {answer}"));
                    ok = false;
                }
            }
        }
        if ok {
            exercised += 1;
        }
    }
    // Get, list with $filter, update: every created item.
    for cr in &created {
        let coll = &cr.collection;
        let path = cr.item.rsplit_once('/').map(|(p, _)| p).unwrap_or_default();
        let before = failures.len();
        if coll.get {
            let (status, body) = c.send(Method::GET, &cr.item, None).await;
            if status != 200 || body["id"].as_str() != Some(cr.id.as_str()) {
                failures.push(format!("GET {} → {status} {body}", cr.item));
            }
        }
        if coll.list {
            let filter = match &cr.probe {
                Some((p, true)) if p == "displayName" || !cr.directory => {
                    format!("{p} eq '{}'", cr.value)
                }
                _ => format!("{} eq '{}'", cr.key, cr.id),
            };
            let url = format!("{path}?$filter={}", urlencode(&filter));
            // Directory objects are filtered with advanced query where Graph needs it (the
            // links of a directory object: administrative unit members, ...).
            let (status, body) = if cr.directory {
                c.send_eventual(&format!("{url}&$count=true")).await
            } else {
                c.send(Method::GET, &url, None).await
            };
            let found = body["value"]
                .as_array()
                .map(|a| a.iter().any(|o| o["id"].as_str() == Some(cr.id.as_str())))
                .unwrap_or(false);
            if status != 200 || !found {
                failures.push(format!("GET {url} → {status} {body}"));
            }
        }
        if coll.update {
            let body = match &cr.probe {
                Some((p, _)) => json!({ p.as_str(): format!("{}-updated", cr.value) }),
                None => json!({}),
            };
            let (status, answer) = c.send(Method::PATCH, &cr.item, Some(&body)).await;
            if status != 200 && status != 204 {
                failures.push(format!("PATCH {} → {status} {answer}", cr.item));
            } else if let (true, Some((p, _))) = (coll.get, &cr.probe) {
                let (_, after) = c.send(Method::GET, &cr.item, None).await;
                if after[p.as_str()] != json!(format!("{}-updated", cr.value)) {
                    failures.push(format!("PATCH {} not kept: {after}", cr.item));
                }
            }
        }
        if failures.len() > before {
            exercised = exercised.saturating_sub(1);
        }
    }
    // Delete, children first.
    for cr in created.iter().rev() {
        if !cr.collection.delete {
            continue;
        }
        let (status, answer) = c.send(Method::DELETE, &cr.item, None).await;
        if status != 204 {
            failures.push(format!("DELETE {} → {status} {answer}", cr.item));
            continue;
        }
        if cr.collection.get {
            let (status, _) = c.send(Method::GET, &cr.item, None).await;
            if status != 404 {
                failures.push(format!("GET {} after DELETE → {status}", cr.item));
            }
        }
    }
    for (t, why) in HAND_WRITTEN_REFUSALS {
        println!("not created: {t} ({why})");
    }
    for t in DERIVED {
        println!("not created: {t} (derived; Graph creates only in /planner)");
    }
    println!(
        "round trip: {exercised} of {} entity sets and contained collections exercised ({} created, {} not reachable: parents that cannot be created or function-call segments)",
        all.len(),
        created.len(),
        not_reached.len()
    );
    for f in failures.iter().take(60) {
        println!("FAIL {f}");
    }
    assert!(
        failures.is_empty(),
        "{} round-trip failures (first ones printed above)",
        failures.len()
    );
}
