//! Permissions as Graph enforces them, over HTTP: apps and users with narrower rights get 403
//! `Authorization_RequestDenied` exactly where Microsoft's permission map says they should, on
//! a sample of the generated catalog's operations across every module, and the specific holes
//! a User.Read user once had are closed.
//!
//! The expectations are computed here, from Microsoft's map itself
//! (`../shared/reference/graph-permissions/permissions.json`; the committed table when that
//! checkout is absent), by exact template lookup, independently of the sandbox's matcher.

mod common;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use common::{app_token, client, sandbox, sign_in, user_graph, user_token, Graph};
use mggraph::sandbox::{Sandbox, SandboxConfig};
use serde_json::{json, Value};

const FAKE_ID: &str = "00000000-0000-4000-8000-0000000000aa";

/// A permission that grants an operation → the permissions of which one is needed as well
/// (the map's `AlsoRequires`; empty: none).
type Grants = BTreeMap<String, BTreeSet<String>>;
/// (METHOD, normalized template) → (delegated grants, application grants).
type Oracle = HashMap<(String, String), (Grants, Grants)>;

fn norm_template(path: &str) -> String {
    path.to_ascii_lowercase()
        .split('/')
        .map(|s| {
            if s.starts_with('{') && s.ends_with('}') {
                "{}".to_string()
            } else {
                s.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

fn read_only(name: &str) -> bool {
    !name.contains("Write")
        && (name.contains(".Read.") || name.ends_with(".Read") || name.contains(".ReadBasic."))
}

/// The map as (method, template) → grants, from permissions.json when it is there.
fn oracle() -> Oracle {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut out: Oracle = HashMap::new();
    let json_path = format!("{root}/../shared/reference/graph-permissions/permissions.json");
    if let Ok(text) = std::fs::read_to_string(&json_path) {
        let map: Value = serde_json::from_str(&text).expect("permissions.json parses");
        for (name, p) in map["permissions"].as_object().expect("permissions") {
            if p["authorizationType"] != "oAuth2" {
                continue;
            }
            for set in p["pathSets"].as_array().into_iter().flatten() {
                let keys: Vec<&str> = set["schemeKeys"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .collect();
                for m in set["methods"].as_array().into_iter().flatten() {
                    for (path, marks) in set["paths"].as_object().into_iter().flatten() {
                        let also: BTreeSet<String> = marks
                            .as_str()
                            .unwrap_or_default()
                            .split(';')
                            .filter_map(|p| p.strip_prefix("AlsoRequires="))
                            .flat_map(|a| a.split(','))
                            .map(str::to_string)
                            .collect();
                        let e = out
                            .entry((
                                m.as_str().unwrap_or_default().to_ascii_uppercase(),
                                norm_template(path),
                            ))
                            .or_default();
                        if keys.contains(&"DelegatedWork") {
                            e.0.entry(name.clone()).or_default().extend(also.clone());
                        }
                        if keys.contains(&"Application") {
                            e.1.entry(name.clone()).or_default().extend(also.clone());
                        }
                    }
                }
            }
        }
        eprintln!("expectations from {json_path}");
    } else {
        let text = std::fs::read_to_string(format!("{root}/src/catalog/generated/permissions.tsv"))
            .expect("the committed table");
        let mut names = vec![];
        for line in text.lines() {
            let f: Vec<&str> = line.split('\t').collect();
            if f[0] == "p" {
                names.push(f[1].to_string());
            } else if f.len() == 4 {
                let set = |s: &str| -> Grants {
                    s.split(',')
                        .filter(|x| !x.is_empty())
                        .map(|x| {
                            let (head, also) = x.split_once('+').unwrap_or((x, ""));
                            let i: usize = head.trim_end_matches('*').parse().unwrap();
                            let also = also
                                .split('|')
                                .filter(|a| !a.is_empty())
                                .map(|a| names[a.parse::<usize>().unwrap()].clone())
                                .collect();
                            (names[i].clone(), also)
                        })
                        .collect()
                };
                out.insert((f[0].to_string(), f[1].to_string()), (set(f[2]), set(f[3])));
            }
        }
        eprintln!("expectations from the committed table (no ../shared checkout)");
    }
    out
}

struct Op {
    module: String,
    method: String,
    path: String,
    kind: String,
    delegated: Grants,
    application: Grants,
}

/// Whether a token holding `held` is granted what `grants` lists.
fn grants(grants: &Grants, held: &[&str]) -> bool {
    grants.iter().any(|(p, also)| {
        held.contains(&p.as_str())
            && (also.is_empty() || also.iter().any(|a| held.contains(&a.as_str())))
    })
}

/// Catalog operations whose template the map documents as it is, with what grants them.
fn sample() -> Vec<Op> {
    let oracle = oracle();
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/src/catalog/generated/commands.jsonl"
    ))
    .unwrap();
    let mut by_module: BTreeMap<String, Vec<Op>> = BTreeMap::new();
    let mut seen = BTreeSet::new();
    for line in text.lines() {
        let c: Value = serde_json::from_str(line).unwrap();
        for op in c["ops"].as_array().unwrap() {
            let path = op["path"].as_str().unwrap();
            let method = op["method"].as_str().unwrap().to_string();
            if path.contains(['(', '$', ':']) || path.contains("microsoft.graph.") {
                continue;
            }
            let key = (method.clone(), norm_template(path));
            let Some((d, a)) = oracle.get(&key) else {
                continue;
            };
            if !seen.insert(key) {
                continue;
            }
            let kind = op["kind"].as_str().unwrap().to_string();
            let (mut d, mut a) = (d.clone(), a.clone());
            // A write's read-only permissions are co-requirements (Graph's pages: "Policy.Read.All
            // and Policy.ReadWrite.ConditionalAccess"); an action keeps its list.
            if method != "GET" && kind != "action" {
                let any_write = d.keys().chain(a.keys()).any(|n| !read_only(n));
                if any_write {
                    d.retain(|n, _| !read_only(n));
                    a.retain(|n, _| !read_only(n));
                }
            }
            by_module
                .entry(c["module"].as_str().unwrap().to_string())
                .or_default()
                .push(Op {
                    module: c["module"].as_str().unwrap().to_string(),
                    method,
                    path: path.to_string(),
                    kind,
                    delegated: d,
                    application: a,
                });
        }
    }
    // Up to ten per module, spread over its operations.
    let mut out = vec![];
    for (_, ops) in by_module {
        let step = (ops.len() / 10).max(1);
        out.extend(ops.into_iter().step_by(step).take(10));
    }
    out
}

fn concrete(template: &str) -> String {
    template
        .split('/')
        .map(|s| if s.starts_with('{') { FAKE_ID } else { s })
        .collect::<Vec<_>>()
        .join("/")
}

async fn token_of(s: &Sandbox, client_id: &str) -> String {
    let resp = client()
        .post(format!("{}/{}/oauth2/v2.0/token", s.base_url, s.tenant_id))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", client_id),
            ("client_secret", s.client_secret.as_str()),
            ("scope", "https://graph.microsoft.com/.default"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    resp.json::<Value>().await.unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_string()
}

fn graph(s: &Sandbox, token: &str) -> Graph {
    Graph {
        base: s.base_url.clone(),
        token: token.to_string(),
    }
}

async fn call(g: &Graph, method: &str, path: &str) -> (u16, Value) {
    let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let body = matches!(method, "POST" | "PATCH" | "PUT").then(|| json!({}));
    let (status, _, v) = g.send(m, &format!("/v1.0{path}"), body).await;
    (status, v)
}

fn denied(status: u16, body: &Value) -> bool {
    status == 403 && body["error"]["code"] == "Authorization_RequestDenied"
}

#[tokio::test]
async fn a_sample_of_catalog_operations_answers_as_the_map_says() {
    let ops = sample();
    let modules: BTreeSet<&str> = ops.iter().map(|o| o.module.as_str()).collect();
    eprintln!("{} operations from {} modules", ops.len(), modules.len());
    assert!(ops.len() >= 200, "only {} operations sampled", ops.len());
    assert!(modules.len() >= 25, "only {} modules", modules.len());

    let s = sandbox(SandboxConfig::default()).await;
    let apps: Vec<(&str, &[&str], Graph)> = {
        let mut v = vec![];
        for (client_id, _, roles) in mggraph::sandbox::authz::REHEARSAL_APPS {
            v.push((
                *client_id,
                *roles,
                graph(&s, &token_of(&s, client_id).await),
            ));
        }
        v
    };
    // The administrator (every role) with a few scopes: the scopes alone decide.
    let scopes = [
        "User.Read.All",
        "Group.Read.All",
        "Mail.Read",
        "Sites.Read.All",
    ];
    let admin = user_token(&s, &s.admin_upn, &scopes.join(" ")).await;
    let admin = graph(&s, admin["access_token"].as_str().unwrap());

    let (mut allowed, mut refused, mut wrong) = (0, 0, vec![]);
    for op in &ops {
        let path = concrete(&op.path);
        for (id, roles, g) in &apps {
            let expect = grants(&op.application, roles);
            let (status, body) = call(g, &op.method, &path).await;
            if expect == denied(status, &body) {
                wrong.push(format!(
                    "app {id} {roles:?}: {} {} ({}) → {status}, expected {}",
                    op.method,
                    op.path,
                    op.kind,
                    if expect { "allowed" } else { "403" }
                ));
            }
            if expect {
                allowed += 1
            } else {
                refused += 1
            }
        }
        let expect = grants(&op.delegated, &scopes);
        let (status, body) = call(&admin, &op.method, &path).await;
        if expect == denied(status, &body) {
            wrong.push(format!(
                "admin {scopes:?}: {} {} ({}) → {status}, expected {}",
                op.method,
                op.path,
                op.kind,
                if expect { "allowed" } else { "403" }
            ));
        }
        if expect {
            allowed += 1
        } else {
            refused += 1
        }
    }
    eprintln!(
        "{allowed} calls allowed and {refused} refused as expected, {} wrong",
        wrong.len()
    );
    assert!(
        allowed >= 50 && refused >= 50,
        "{allowed} allowed, {refused} refused"
    );
    assert!(
        wrong.is_empty(),
        "{} wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

async fn id_of(g: &Graph, path: &str) -> String {
    let (status, body) = g.get(path).await;
    assert_eq!(status, 200, "{path}: {body}");
    body["value"][0]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{path}: {body}"))
        .to_string()
}

async fn check_holes(who: &str, g: &Graph, holes: &[(&str, String, Value)]) {
    for (method, path, body) in holes {
        let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let b = (!body.is_null()).then(|| body.clone());
        let (status, _, v) = g.send(m, &format!("/v1.0{path}"), b).await;
        assert!(denied(status, &v), "{who}: {method} {path} → {status} {v}");
        assert_eq!(
            v["error"]["message"],
            "Insufficient privileges to complete the operation."
        );
    }
}

#[tokio::test]
async fn a_plain_user_cannot_reach_what_their_roles_do_not_allow() {
    let s = sandbox(SandboxConfig::default()).await;
    let app = Graph {
        base: s.base_url.clone(),
        token: app_token(&s).await,
    };
    let plain = format!("plainuser@{}", s.domain);
    let ga = id_of(
        &app,
        "/v1.0/directoryRoles?$filter=displayName%20eq%20'Global%20Administrator'",
    )
    .await;
    let automation = id_of(
        &app,
        &format!("/v1.0/applications?$filter=appId%20eq%20'{}'", s.client_id),
    )
    .await;
    let device = id_of(&app, "/v1.0/devices?$top=1").await;
    let me = id_of(
        &app,
        &format!("/v1.0/users?$filter=userPrincipalName%20eq%20'{plain}'"),
    )
    .await;

    // Consent: a non-admin cannot consent to admin-only permissions.
    let (status, body) = sign_in(&s, &plain, "Directory.ReadWrite.All").await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"], "invalid_grant");
    assert_eq!(body["error_codes"][0], 65001);
    assert!(body["error_description"]
        .as_str()
        .unwrap()
        .contains("Directory.ReadWrite.All"));

    // With User.Read: own profile yes, the rest of the holes no.
    let token = user_token(&s, &plain, "User.Read").await;
    let user = graph(&s, token["access_token"].as_str().unwrap());
    let (status, body) = user.get("/v1.0/me").await;
    assert_eq!(status, 200, "{body}");
    let holes: Vec<(&str, String, Value)> = vec![
        (
            "GET",
            "/informationProtection/bitlocker/recoveryKeys".into(),
            json!(null),
        ),
        ("GET", "/auditLogs/signIns".into(), json!(null)),
        (
            "GET",
            "/identity/conditionalAccess/policies".into(),
            json!(null),
        ),
        (
            "POST",
            "/identity/conditionalAccess/policies".into(),
            json!({"displayName": "Block everyone", "state": "enabled",
                   "conditions": {"users": {"includeUsers": ["All"]}, "applications": {"includeApplications": ["All"]}},
                   "grantControls": {"operator": "OR", "builtInControls": ["block"]}}),
        ),
        ("DELETE", format!("/devices/{device}"), json!(null)),
        (
            "POST",
            format!("/directoryRoles/{ga}/members/$ref"),
            json!({"@odata.id": format!("https://graph.microsoft.com/v1.0/directoryObjects/{me}")}),
        ),
        (
            "POST",
            format!("/applications/{automation}/addPassword"),
            json!({"passwordCredential": {"displayName": "mine"}}),
        ),
    ];
    check_holes("User.Read", &user, &holes).await;

    // Once an administrator consented Directory.ReadWrite.All for everyone, the same user
    // gets the scope, and still cannot do what no role of theirs allows.
    let cli_sp = {
        let (status, body) = app
            .post(
                "/v1.0/servicePrincipals",
                json!({"appId": "14d82eec-204b-4c2f-b7e8-296a70dab67e"}),
            )
            .await;
        assert!(
            status == 201 || status == 400 || status == 409,
            "{status} {body}"
        );
        id_of(
            &app,
            "/v1.0/servicePrincipals?$filter=appId%20eq%20'14d82eec-204b-4c2f-b7e8-296a70dab67e'",
        )
        .await
    };
    let graph_sp = id_of(
        &app,
        "/v1.0/servicePrincipals?$filter=appId%20eq%20'00000003-0000-0000-c000-000000000000'",
    )
    .await;
    let (status, body) = app
        .post(
            "/v1.0/oauth2PermissionGrants",
            json!({"clientId": cli_sp, "consentType": "AllPrincipals", "resourceId": graph_sp,
                   "scope": "Directory.ReadWrite.All User.ReadWrite.All"}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let (status, body) = sign_in(&s, &plain, "Directory.ReadWrite.All").await;
    assert_eq!(status, 200, "{body}");
    let wide = graph(&s, body["access_token"].as_str().unwrap());
    check_holes("Directory.ReadWrite.All", &wide, &holes).await;
    let (status, body) = wide
        .patch("/v1.0/me", json!({"jobTitle": "Clerk II"}))
        .await;
    assert!(status == 204 || status == 200, "{status} {body}");

    // A helpdesk operator (User Administrator) may update others, not make admins.
    let helpdesk = format!("helpdesk@{}", s.domain);
    let (status, body) = sign_in(&s, &helpdesk, "Directory.ReadWrite.All").await;
    assert_eq!(status, 200, "{body}");
    let hd = graph(&s, body["access_token"].as_str().unwrap());
    let (status, body) = hd
        .patch(
            &format!("/v1.0/users/{me}"),
            json!({"department": "Support"}),
        )
        .await;
    assert!(status == 204 || status == 200, "{status} {body}");
    let (status, body) = hd
        .post(
            &format!("/v1.0/directoryRoles/{ga}/members/$ref"),
            json!({"@odata.id": format!("https://graph.microsoft.com/v1.0/directoryObjects/{me}")}),
        )
        .await;
    assert!(denied(status, &body), "{status} {body}");
}

#[tokio::test]
async fn read_only_app_roles_open_no_writes() {
    let s = sandbox(SandboxConfig::default()).await;
    let policy = graph(
        &s,
        &token_of(&s, "6d67726e-0000-4000-8000-000000000a02").await,
    );
    let (status, body) = policy
        .get("/v1.0/identity/conditionalAccess/policies")
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = policy
        .post(
            "/v1.0/identity/conditionalAccess/policies",
            json!({"displayName": "x", "state": "disabled"}),
        )
        .await;
    assert!(denied(status, &body), "{status} {body}");
    let (status, body) = policy.get("/v1.0/users").await;
    assert!(denied(status, &body), "{status} {body}");

    let users = graph(
        &s,
        &token_of(&s, "6d67726e-0000-4000-8000-000000000a01").await,
    );
    let (status, page) = users.get("/v1.0/users?$top=2").await;
    assert_eq!(status, 200, "{page}");
    let id = page["value"][0]["id"].as_str().unwrap().to_string();
    let (status, body) = users
        .patch(&format!("/v1.0/users/{id}"), json!({"department": "x"}))
        .await;
    assert!(denied(status, &body), "{status} {body}");
    let (status, body) = users.get("/v1.0/groups").await;
    assert!(denied(status, &body), "{status} {body}");

    // The token holds exactly the roles the tenant granted.
    let token = token_of(&s, "6d67726e-0000-4000-8000-000000000a01").await;
    use base64::Engine;
    let claims: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(token.split('.').nth(1).unwrap())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(claims["roles"], json!(["User.Read.All"]));
}

/// Properties Graph guards on their own (the user resource's `signInActivity` needs
/// `AuditLog.Read.All`): a token that may list users is refused them, in `$select` and in
/// `$filter`, and the same token with the property's permission reads them.
#[tokio::test]
async fn sign_in_activity_needs_audit_log_read_all() {
    let s = sandbox(SandboxConfig::default()).await;
    let upn = "admin@contoso.onmicrosoft.com";
    let plain = user_graph(&s, upn, "User.Read.All").await;
    let audit = user_graph(&s, upn, "User.Read.All AuditLog.Read.All").await;
    for path in [
        "/v1.0/users?$select=displayName,signInActivity",
        "/v1.0/users?$filter=signInActivity/lastSignInDateTime%20le%202026-01-01T00:00:00Z",
        "/v1.0/me?$select=SignInActivity",
    ] {
        let (status, body) = plain.get(path).await;
        assert!(denied(status, &body), "{path}: {status} {body}");
        let (status, body) = audit.get(path).await;
        assert_eq!(status, 200, "{path}: {body}");
    }
    // Without the property the list is the operation's alone.
    let (status, body) = plain.get("/v1.0/users?$select=displayName").await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn consent_given_at_sign_in_is_recorded_and_later_tokens_carry_it() {
    // As the identity platform: what a user consented to for an app is recorded (an
    // oauth2PermissionGrant) and every later token of that app for that user carries it, so a
    // second Connect-MgGraph asking for other scopes keeps the first one's.
    let s = sandbox(SandboxConfig::default()).await;
    let app = Graph {
        base: s.base_url.clone(),
        token: app_token(&s).await,
    };
    let admin = format!("admin@{}", s.domain);
    let scopes_of = |body: &Value| -> Vec<String> {
        body["scope"]
            .as_str()
            .unwrap()
            .split(' ')
            .map(str::to_string)
            .collect()
    };
    let first = user_token(&s, &admin, "User.Read.All").await;
    assert!(scopes_of(&first).contains(&"User.Read.All".to_string()));
    assert!(!scopes_of(&first).contains(&"Group.Read.All".to_string()));
    let second = user_token(&s, &admin, "Group.Read.All").await;
    let carried = scopes_of(&second);
    assert!(
        carried.contains(&"Group.Read.All".to_string()),
        "{carried:?}"
    );
    assert!(
        carried.contains(&"User.Read.All".to_string()),
        "{carried:?}"
    );
    let user = graph(&s, second["access_token"].as_str().unwrap());
    let (status, body) = user.get("/v1.0/users?$top=1").await;
    assert_eq!(status, 200, "{body}");

    // Graph's record: the admin's own grant to the Command Line Tools, both scopes in it.
    let admin_id = id_of(
        &app,
        &format!("/v1.0/users?$filter=userPrincipalName%20eq%20'{admin}'"),
    )
    .await;
    let (status, body) = app
        .get(&format!(
            "/v1.0/oauth2PermissionGrants?$filter=principalId%20eq%20'{admin_id}'"
        ))
        .await;
    assert_eq!(status, 200, "{body}");
    let grants = body["value"].as_array().unwrap();
    assert_eq!(grants.len(), 1, "{body}");
    assert_eq!(grants[0]["consentType"], "Principal");
    let scope = grants[0]["scope"].as_str().unwrap();
    assert!(
        scope.contains("User.Read.All") && scope.contains("Group.Read.All"),
        "{scope}"
    );
    let cli_sp = id_of(
        &app,
        "/v1.0/servicePrincipals?$filter=appId%20eq%20'14d82eec-204b-4c2f-b7e8-296a70dab67e'",
    )
    .await;
    assert_eq!(grants[0]["clientId"], cli_sp.as_str());

    // Another user signs in with their own consent only.
    let plain = user_token(&s, &format!("plainuser@{}", s.domain), "User.Read").await;
    assert!(!scopes_of(&plain).contains(&"User.Read.All".to_string()));

    // Revoking the grant takes the scopes back: the next token has what it asks for.
    let grant_id = grants[0]["id"].as_str().unwrap();
    let (status, body) = app
        .delete(&format!("/v1.0/oauth2PermissionGrants/{grant_id}"))
        .await;
    assert_eq!(status, 204, "{body}");
    let third = user_token(&s, &admin, "Group.Read.All").await;
    assert!(!scopes_of(&third).contains(&"User.Read.All".to_string()));
    let user = graph(&s, third["access_token"].as_str().unwrap());
    let (status, body) = user.get("/v1.0/users?$top=1").await;
    assert!(denied(status, &body), "{status} {body}");
}
