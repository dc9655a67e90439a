//! What a run needed: every Graph request a connection sends is recorded (method and path, and
//! each step of a `$batch`), and [`Recorder::report`] answers which least-privileged delegated
//! and application permissions cover them, per Microsoft's permission map
//! ([`crate::catalog::permissions`]), with the operations each one is needed for.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use serde_json::{json, Value};

use crate::catalog::permissions::{self, Basis, Guarded, Requirement, Scheme};

/// Distinct concrete paths kept before they are folded into templates (a bulk run over 50,000
/// users makes 50,000 paths and one operation).
const FOLD_AT: usize = 1024;

#[derive(Default)]
struct Recorded {
    /// (METHOD, concrete path below the version) → times sent; folded into `templates` when
    /// it grows past [`FOLD_AT`].
    raw: BTreeMap<(String, String), u64>,
    /// (METHOD, the map's template) → (times sent, one path as sent).
    templates: BTreeMap<(String, String), (u64, String)>,
    /// (METHOD, the map's template, a guarded property it read) → (times, one path as sent).
    guarded: BTreeMap<(String, String, Guarded), (u64, String)>,
}

/// The operations a connection performed.
#[derive(Default)]
pub struct Recorder {
    inner: Mutex<Recorded>,
}

impl std::fmt::Debug for Recorder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Recorder(..)")
    }
}

/// The decoded `$select`, `$filter` and `$orderby` of `url`'s query (the texts that can name a
/// guarded property).
fn query_texts(url: &str) -> Vec<String> {
    let Some((_, query)) = url.split_once('?') else {
        return vec![];
    };
    let query = query.split('#').next().unwrap_or_default();
    url::form_urlencoded::parse(query.as_bytes())
        .filter(|(k, _)| {
            matches!(
                k.trim_start_matches('$').to_ascii_lowercase().as_str(),
                "select" | "filter" | "orderby"
            )
        })
        .map(|(_, v)| v.into_owned())
        .collect()
}

/// The path of `url` below Graph's version segment (`/v1.0/users/x?$top=1` → `/users/x`), when
/// it is one of Graph's.
fn graph_path(url: &str) -> Option<String> {
    let after_scheme = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    let path = match after_scheme.find('/') {
        Some(i) if url.contains("://") => &after_scheme[i..],
        _ if url.starts_with('/') => url,
        _ => return None,
    };
    let path = path.split(['?', '#']).next().unwrap_or_default();
    for v in ["/v1.0", "/beta"] {
        if let Some(rest) = path.strip_prefix(v) {
            if rest.is_empty() || rest.starts_with('/') {
                return Some(if rest.is_empty() {
                    "/".into()
                } else {
                    rest.into()
                });
            }
        }
    }
    None
}

fn template(method: &str, path: &str) -> String {
    permissions::requirement(method, path, Scheme::Delegated).template
}

/// The template as Graph's documentation writes it: the request's own segments (their case)
/// where they are the template's in another case, each key as `{id}`, the template's own
/// segments elsewhere (`servicePrincipals(appid)`, never a key value).
fn display(template: &str, example: &str) -> String {
    let t: Vec<&str> = template.split('/').collect();
    let e: Vec<&str> = example.split('/').collect();
    if t.len() != e.len() {
        return template.replace("{}", "{id}");
    }
    t.iter()
        .zip(&e)
        .map(|(t, e)| match *t {
            "{}" => "{id}",
            _ if t.eq_ignore_ascii_case(e) => e,
            _ => t,
        })
        .collect::<Vec<_>>()
        .join("/")
}

impl Recorder {
    fn lock(&self) -> std::sync::MutexGuard<'_, Recorded> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Records one request (`url` absolute or below the host), and for a `$batch` each of the
    /// steps its JSON `body` lists.
    pub fn note(&self, method: &str, url: &str, body: Option<&[u8]>) {
        let Some(path) = graph_path(url) else {
            return;
        };
        if path.eq_ignore_ascii_case("/$batch") {
            let steps: Vec<(String, String, Vec<String>)> = body
                .and_then(|b| serde_json::from_slice::<Value>(b).ok())
                .and_then(|v| v.get("requests").and_then(Value::as_array).cloned())
                .unwrap_or_default()
                .iter()
                .filter_map(|r| {
                    let m = r.get("method")?.as_str()?.to_ascii_uppercase();
                    let u = r.get("url")?.as_str()?;
                    let p = if u.starts_with('/') || u.contains("://") {
                        graph_path(u).unwrap_or_else(|| u.split('?').next().unwrap_or(u).into())
                    } else {
                        format!("/{}", u.split('?').next().unwrap_or(u))
                    };
                    Some((m, p, query_texts(u)))
                })
                .collect();
            for (m, p, texts) in steps {
                self.add(&m, &p, &texts);
            }
            return;
        }
        self.add(&method.to_ascii_uppercase(), &path, &query_texts(url));
    }

    fn add(&self, method: &str, path: &str, texts: &[String]) {
        let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
        let guarded = permissions::guarded(method, path, &texts);
        let mut r = self.lock();
        for g in guarded {
            let key = (method.to_string(), template(method, path), g);
            r.guarded
                .entry(key)
                .or_insert_with(|| (0, path.to_string()))
                .0 += 1;
        }
        *r.raw
            .entry((method.to_string(), path.to_string()))
            .or_default() += 1;
        if r.raw.len() > FOLD_AT {
            fold(&mut r);
        }
    }

    /// Forgets everything recorded.
    pub fn clear(&self) {
        *self.lock() = Recorded::default();
    }

    /// The report, as JSON:
    ///
    /// ```json
    /// {"operations": [{"method": "GET", "path": "/users/{id}", "count": 2,
    ///                  "example": "/users/adele@contoso.com",
    ///                  "delegated": {"least": ["User.ReadBasic.All", ...], "documented": true},
    ///                  "application": {"least": [...], "documented": true}}],
    ///  "delegated":   [{"permission": "User.ReadBasic.All", "id": "b340eb25-...", "consent": "User",
    ///                   "operations": ["GET /users/{id}"]}],
    ///  "application": [{"permission": "User.Read.All", "id": "df021288-...", "consent": "Admin",
    ///                   "operations": ["GET /users/{id}"]}]}
    /// ```
    ///
    /// `operations` are sorted by path then method; `documented` is false where Microsoft's map
    /// does not list the operation and its rule for such paths decided. `delegated` and
    /// `application` are one covering set of least-privileged permissions, chosen greedily
    /// (the permission needed by most operations first, a read-only one before others, then the
    /// lower `privilegeLevel` in Microsoft's map, then by name), each with the operations it is needed for; an operation the scheme cannot do
    /// (`/me` with an app) is listed under no permission.
    pub fn report(&self) -> Value {
        let ops: Vec<((String, String), (u64, String))> = {
            let mut r = self.lock();
            fold(&mut r);
            r.templates
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        };
        let mut operations = vec![];
        let mut needs: [Vec<Need>; 2] = [vec![], vec![]];
        for ((method, tpl), (count, example)) in &ops {
            let shown = display(tpl, example);
            let name = format!("{method} {shown}");
            let mut entry = json!({
                "method": method, "path": shown, "count": count, "example": example,
            });
            for (i, scheme) in [Scheme::Delegated, Scheme::Application]
                .into_iter()
                .enumerate()
            {
                let req: Requirement = permissions::requirement(method, example, scheme);
                let least = req.least_to_grant();
                entry[if i == 0 { "delegated" } else { "application" }] = json!({
                    "least": least,
                    "documented": req.basis == Basis::Documented,
                });
                let grants = req
                    .grants
                    .iter()
                    .filter(|g| g.also_requires.is_empty())
                    .map(|g| g.name)
                    .collect();
                needs[i].push(Need {
                    op: name.clone(),
                    least,
                    grants,
                });
            }
            operations.push(entry);
        }
        // Each guarded property read, as an operation of its own that only its permissions grant.
        let guarded: Vec<_> = {
            let r = self.lock();
            r.guarded
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        };
        for ((method, tpl, g), (count, example)) in guarded {
            let path = format!("{} ({})", display(&tpl, &example), g.property);
            let name = format!("{method} {path}");
            let least = vec![g.grants[0]];
            operations.push(json!({
                "method": method,
                "path": path,
                "count": count,
                "example": example,
                "delegated": {"least": least, "documented": true},
                "application": {"least": least, "documented": true},
            }));
            for need in &mut needs {
                need.push(Need {
                    op: name.clone(),
                    least: least.clone(),
                    grants: g.grants.to_vec(),
                });
            }
        }
        let [d, a] = needs;
        json!({
            "operations": operations,
            "delegated": cover(d, Scheme::Delegated),
            "application": cover(a, Scheme::Application),
        })
    }
}

/// Moves the raw paths into their templates.
fn fold(r: &mut Recorded) {
    let raw = std::mem::take(&mut r.raw);
    for ((method, path), n) in raw {
        let t = template(&method, &path);
        let e = r
            .templates
            .entry((method, t))
            .or_insert_with(|| (0, path.clone()));
        e.0 += n;
    }
}

/// One operation as the cover sees it.
struct Need {
    /// `GET /users/{id}`.
    op: String,
    /// Its least-privileged permissions.
    least: Vec<&'static str>,
    /// Every permission that grants it alone (no `AlsoRequires`).
    grants: Vec<&'static str>,
}

/// A greedy cover of the operations by their least-privileged permissions, then pruned: a
/// chosen permission whose every operation another chosen one also grants is dropped (a
/// runbook that writes members with `GroupMember.ReadWrite.All` needs no
/// `GroupMember.ReadBasic.All` to list them).
fn cover(mut needs: Vec<Need>, scheme: Scheme) -> Value {
    // Microsoft's privilege level under this scheme; unknown ones rank as the highest.
    let level = |name: &str| {
        let l = permissions::permission(name).map_or(0, |p| {
            p.privilege[if scheme == Scheme::Delegated { 0 } else { 1 }]
        });
        if l == 0 {
            u8::MAX
        } else {
            l
        }
    };
    needs.retain(|n| !n.least.is_empty());
    let mut out = vec![];
    let mut chosen: Vec<(String, Vec<usize>)> = vec![];
    let mut left: BTreeSet<usize> = (0..needs.len()).collect();
    while !left.is_empty() {
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for &i in &left {
            for p in &needs[i].least {
                *counts.entry(p).or_default() += 1;
            }
        }
        let Some(best) = counts
            .iter()
            .max_by(|(an, ac), (bn, bc)| {
                ac.cmp(bc)
                    .then(permissions::is_read_only(an).cmp(&permissions::is_read_only(bn)))
                    .then(level(bn).cmp(&level(an)))
                    .then(bn.cmp(an))
            })
            .map(|(n, _)| n.to_string())
        else {
            break;
        };
        let covered: Vec<usize> = left
            .iter()
            .copied()
            .filter(|&i| needs[i].least.iter().any(|p| *p == best))
            .collect();
        for i in &covered {
            left.remove(i);
        }
        chosen.push((best, covered));
    }
    // Latest choices first: they cover the fewest operations.
    let mut i = chosen.len();
    while i > 0 {
        i -= 1;
        let name = chosen[i].0.clone();
        let others = |chosen: &[(String, Vec<usize>)], op: usize| {
            chosen
                .iter()
                .position(|(q, _)| *q != name && needs[op].grants.contains(&q.as_str()))
        };
        if chosen[i].1.iter().all(|&op| others(&chosen, op).is_some()) {
            let (_, ops) = chosen.remove(i);
            for op in ops {
                if let Some(j) = others(&chosen, op) {
                    chosen[j].1.push(op);
                }
            }
        }
    }
    for (best, mut covered) in chosen {
        covered.sort_unstable();
        let admin = match scheme {
            Scheme::Delegated => {
                permissions::permission(&best).is_some_and(|p| p.delegated_admin_consent)
            }
            Scheme::Application => true,
        };
        out.push(json!({
            "permission": best,
            "id": permissions::description(&best, scheme).map(|d| d.id.as_str()).unwrap_or_default(),
            "consent": if admin { "Admin" } else { "User" },
            "operations": covered.iter().map(|&i| needs[i].op.clone()).collect::<Vec<_>>(),
        }));
    }
    Value::Array(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The entry of `report`'s `scheme` ("delegated", "application") for `permission`.
    fn chosen<'a>(report: &'a Value, scheme: &str, permission: &str) -> &'a Value {
        report[scheme]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["permission"] == permission)
            .unwrap_or_else(|| panic!("{scheme} {permission}: {report}"))
    }

    #[test]
    fn a_guarded_property_read_needs_its_own_permission() {
        // A stale-users script: the list with signInActivity selected, and a batch step that
        // filters on it; a plain read of the users beside them.
        let r = Recorder::default();
        r.note(
            "GET",
            "https://graph.microsoft.com/v1.0/users?$select=displayName,signInActivity",
            None,
        );
        let batch = br#"{"requests":[{"id":"1","method":"GET","url":"/users?$filter=signInActivity%2FlastSignInDateTime%20le%202026-01-01T00:00:00Z"}]}"#;
        r.note(
            "POST",
            "https://graph.microsoft.com/v1.0/$batch",
            Some(batch),
        );
        r.note("GET", "https://graph.microsoft.com/v1.0/users/a", None);
        let report = r.report();
        let guarded = report["operations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["path"] == "/users (signInActivity)")
            .unwrap_or_else(|| panic!("{report}"));
        assert_eq!(guarded["count"], 2, "{report}");
        for scheme in ["delegated", "application"] {
            let audit = chosen(&report, scheme, "AuditLog.Read.All");
            assert_eq!(
                audit["operations"],
                json!(["GET /users (signInActivity)"]),
                "{report}"
            );
        }
    }

    #[test]
    fn requests_fold_into_operations_and_least_permissions() {
        let r = Recorder::default();
        r.note(
            "GET",
            "https://graph.microsoft.com/v1.0/users/a?$top=1",
            None,
        );
        r.note("GET", "https://graph.microsoft.com/v1.0/users/b", None);
        r.note(
            "get",
            "https://graph.microsoft.com/beta/auditLogs/signIns",
            None,
        );
        r.note("GET", "https://example.com/elsewhere", None);
        let batch = br#"{"requests":[{"id":"1","method":"PATCH","url":"/users/c"},{"id":"2","method":"GET","url":"groups?$top=5"}]}"#;
        r.note(
            "POST",
            "https://graph.microsoft.com/v1.0/$batch",
            Some(batch),
        );
        let report = r.report();
        let ops = report["operations"].as_array().unwrap();
        let names: Vec<String> = ops
            .iter()
            .map(|o| format!("{} {} {}", o["method"], o["path"], o["count"]))
            .collect();
        assert_eq!(
            names,
            vec![
                "\"GET\" \"/auditLogs/signIns\" 1",
                "\"GET\" \"/groups\" 1",
                "\"GET\" \"/users/{id}\" 2",
                "\"PATCH\" \"/users/{id}\" 1"
            ]
        );
        let app: Vec<&str> = report["application"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["permission"].as_str().unwrap())
            .collect();
        assert!(app.contains(&"AuditLog.Read.All"), "{report}");
        // PATCH /users/{id} needs User.ReadWrite.All, which covers the reads of users too.
        let rw = chosen(&report, "application", "User.ReadWrite.All");
        assert!(rw["operations"]
            .as_array()
            .unwrap()
            .contains(&json!("PATCH /users/{id}")));
        r.clear();
        assert_eq!(r.report()["operations"], json!([]));
    }
}
