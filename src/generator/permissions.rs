//! Microsoft's permission map (`../shared/reference/graph-permissions/permissions.json`) →
//! the committed table `src/catalog/generated/permissions.tsv` that
//! [`crate::catalog::permissions`] reads (format in that folder's README).
//!
//! What is kept: the `oAuth2` permissions (resource-specific consent ones are not tenant-wide)
//! and their `DelegatedWork` and `Application` schemes (the sandbox signs in work accounts
//! only), each path normalized by [`crate::catalog::permissions::normalize`]. One rule is
//! applied: for a write that some non-read-only permission grants (PATCH, PUT, DELETE, a
//! `$ref`, or a POST to a path the map documents a GET for, a collection), the read-only
//! permissions listed beside it are dropped. Graph's pages list those as needed
//! *as well* ("Policy.Read.All and Policy.ReadWrite.ConditionalAccess" to create a Conditional
//! Access policy), and the map flattens that into "either grants it"; a POST to an action
//! (`checkMemberGroups`, `getByIds`: reads done with POST) keeps its list.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value;

use crate::catalog::permissions::{is_read_only, normalize};

/// Where the map is read from, relative to the repository.
pub const PERMISSIONS_PATH: &str = "../shared/reference/graph-permissions/permissions.json";
/// The table written.
pub const PERMISSIONS_FILE: &str = "src/catalog/generated/permissions.tsv";

#[derive(Default, Clone)]
struct Entry {
    least: bool,
    also: BTreeSet<String>,
}

/// (path, method) → scheme (0 delegated, 1 application) → permission → entry.
type Rows = BTreeMap<(String, String), [BTreeMap<String, Entry>; 2]>;

/// Reads the map at `root/../shared/...` and renders the table.
pub fn generate(root: &Path) -> Result<String, String> {
    let path = root.join(PERMISSIONS_PATH);
    let text = std::fs::read_to_string(&path).map_err(|e| {
        format!(
            "cannot read Microsoft's permission map at {} ({e}); the permission table is generated from it",
            path.display()
        )
    })?;
    let json: Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: not JSON: {e}", path.display()))?;
    render(&json).map_err(|e| format!("{}: {e}", path.display()))
}

/// Renders the table from the parsed map.
pub fn render(json: &Value) -> Result<String, String> {
    let perms = json
        .get("permissions")
        .and_then(Value::as_object)
        .ok_or("no `permissions` object")?;
    // name → flags
    let mut flags: BTreeMap<String, String> = BTreeMap::new();
    let mut rows: Rows = BTreeMap::new();
    for (name, p) in perms {
        if p.get("authorizationType").and_then(Value::as_str) != Some("oAuth2") {
            continue;
        }
        let schemes = p.get("schemes").and_then(Value::as_object);
        let work = schemes.and_then(|s| s.get("DelegatedWork"));
        let app = schemes.and_then(|s| s.get("Application"));
        if work.is_none() && app.is_none() {
            continue;
        }
        let mut f = String::new();
        if let Some(w) = work {
            f.push('d');
            if w.get("requiresAdminConsent").and_then(Value::as_bool) == Some(true) {
                f.push('c');
            }
        }
        if app.is_some() {
            f.push('a');
        }
        flags.insert(name.clone(), f);
        for set in p
            .get("pathSets")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let keys: Vec<&str> = set
                .get("schemeKeys")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            let methods: Vec<String> = set
                .get("methods")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(str::to_ascii_uppercase)
                .collect();
            for (template, marks) in set
                .get("paths")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                if template.contains('?') || template.contains(':') {
                    // Filters and drive-item paths (`root:/{item-path}:`) are not templates
                    // a request path can be matched against.
                    continue;
                }
                let marks = marks.as_str().unwrap_or_default();
                let mut least: Vec<&str> = vec![];
                let mut also: BTreeSet<String> = BTreeSet::new();
                for part in marks.split(';') {
                    if let Some(l) = part.strip_prefix("least=") {
                        least.extend(l.split(','));
                    } else if let Some(a) = part.strip_prefix("AlsoRequires=") {
                        also.extend(a.split(',').map(str::to_string));
                    }
                }
                let norm = format!("/{}", normalize(template, true).join("/"));
                for method in &methods {
                    let row = rows.entry((norm.clone(), method.clone())).or_default();
                    for (i, scheme) in ["DelegatedWork", "Application"].iter().enumerate() {
                        if !keys.contains(scheme) {
                            continue;
                        }
                        let e = row[i].entry(name.clone()).or_default();
                        e.least |= least.contains(scheme);
                        e.also.extend(also.iter().cloned());
                    }
                }
            }
        }
    }
    // Read-only permissions beside a write one are co-requirements, not grants, for PATCH, PUT,
    // DELETE, `$ref` and POST to a path that is read as well (a collection). A POST to a path
    // nobody reads is an action, whose list is kept as it is.
    let read: BTreeSet<String> = rows
        .keys()
        .filter(|(_, m)| m == "GET")
        .map(|(p, _)| p.clone())
        .collect();
    for ((path, method), row) in rows.iter_mut() {
        let action = method == "POST" && !read.contains(path) && !path.ends_with("/$ref");
        if method == "GET" || action {
            continue;
        }
        let any_write = row.iter().any(|s| s.keys().any(|n| !is_read_only(n)));
        if any_write {
            for s in row.iter_mut() {
                s.retain(|n, _| !is_read_only(n));
            }
        }
    }
    let index: BTreeMap<&str, usize> = flags
        .keys()
        .enumerate()
        .map(|(i, n)| (n.as_str(), i))
        .collect();
    let mut out = String::from(
        "# Generated by mggraph-codegen from Microsoft's permission map (../shared/reference/graph-permissions/permissions.json); format in README.md\n",
    );
    for (name, f) in &flags {
        out.push_str(&format!("p\t{name}\t{f}\n"));
    }
    let list = |m: &BTreeMap<String, Entry>| -> String {
        m.iter()
            .filter_map(|(n, e)| {
                let mut s = index.get(n.as_str())?.to_string();
                if e.least {
                    s.push('*');
                }
                let also: Vec<String> = e
                    .also
                    .iter()
                    .filter_map(|a| index.get(a.as_str()).map(usize::to_string))
                    .collect();
                if !also.is_empty() {
                    s.push('+');
                    s.push_str(&also.join("|"));
                }
                Some(s)
            })
            .collect::<Vec<_>>()
            .join(",")
    };
    for ((path, method), row) in &rows {
        if row.iter().all(BTreeMap::is_empty) {
            continue;
        }
        out.push_str(&format!(
            "{method}\t{path}\t{}\t{}\n",
            list(&row[0]),
            list(&row[1])
        ));
    }
    Ok(out)
}
