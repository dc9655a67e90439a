//! Which Microsoft Graph permissions grant an operation: a lookup over Microsoft's own map
//! (`permissions.json` of microsoftgraph/microsoft-graph-devx-content, the data behind Graph
//! Explorer and the SDK's `Find-MgGraphPermission`), compiled by `mggraph-codegen` into the
//! committed table `src/catalog/generated/permissions.tsv` (format in that folder's README).
//!
//! [`requirement`] answers `(HTTP method, concrete request path, scheme)` with the permissions
//! any one of which grants the request, and which of them Microsoft marks least privileged.
//! Paths are matched against Graph's templates segment by segment, case-insensitively, `{id}`
//! segments matching any key; `users('x')` counts as `users/x`, alternate keys and function
//! parameters match by their names (`applications(appId='x')` ↔ `applications(appid={value})`),
//! `delta()` ↔ `delta`, and a type cast the map does not name (`/memberOf/microsoft.graph.group`)
//! or a trailing `$count`, `$ref` or `$value` it does not list is passed over. Where several
//! templates match, the one with literal segments furthest left wins (`/users/delta` over
//! `/users/{id}`).
//!
//! **Paths the map does not document** follow this rule ([`Basis`]): the path itself when the
//! map documents other methods on it, else the nearest ancestor path the map documents, decides. A read needs what grants a read of the ancestor; a write needs what
//! grants the same method on it, else any write method on it, else the `ReadWrite` twin of what
//! grants reading it (`Sites.Read.All` → `Sites.ReadWrite.All`). A path with no documented
//! ancestor at all needs `Directory.Read.All` (reads) or `Directory.ReadWrite.All` (writes), with
//! `Directory.AccessAsUser.All` also accepted for a signed-in user.

use std::collections::HashMap;
use std::sync::OnceLock;

/// The table, gzip-compressed by build.rs.
static TABLE_GZ: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/permissions.tsv.gz"));

/// The permissions' ids and texts (`permission-descriptions.tsv`), gzip-compressed by build.rs.
static DESCRIPTIONS_GZ: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/permission-descriptions.tsv.gz"));

/// The kind of token: a signed-in user's (delegated, work or school account) or an app's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// `DelegatedWork` in Microsoft's map: the `scp` claim of a user's token.
    Delegated,
    /// `Application`: the `roles` claim of an app-only token.
    Application,
}

/// One permission of the map.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Permission {
    /// `User.Read.All`, `Policy.ReadWrite.ConditionalAccess`, ...
    pub name: &'static str,
    /// Whether it exists as a delegated (work or school) permission.
    pub delegated: bool,
    /// Whether an administrator must consent to it as a delegated permission
    /// (`requiresAdminConsent` of its `DelegatedWork` scheme).
    pub delegated_admin_consent: bool,
    /// Whether it exists as an application permission.
    pub application: bool,
    /// Microsoft's `privilegeLevel` of the delegated and the application scheme (1 lowest;
    /// 0 where the map gives none).
    pub privilege: [u8; 2],
}

/// One permission that grants an operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub name: &'static str,
    /// Marked least privileged for the operation and scheme.
    pub least: bool,
    /// Permissions of which the token must hold one as well (the map's `AlsoRequires`).
    pub also_requires: Vec<&'static str>,
}

/// How a requirement was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Basis {
    /// The map documents the method on this template.
    Documented,
    /// The map does not document the method on the path; the path's other methods or the
    /// nearest documented ancestor (this template) decided, as the module documentation
    /// describes.
    Ancestor,
    /// Nothing in the map: the `Directory.*` rule.
    Fallback,
}

/// What an operation needs under one scheme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    /// The normalized template that decided (`/users/{}/memberof`), or the request's own
    /// normalized path for [`Basis::Fallback`].
    pub template: String,
    pub basis: Basis,
    /// Any one of these grants the operation; empty when the scheme is not supported there.
    pub grants: Vec<Grant>,
}

impl Requirement {
    /// The least-privileged permissions: those marked so, else every granting one.
    pub fn least(&self) -> Vec<&'static str> {
        let marked: Vec<&'static str> = self
            .grants
            .iter()
            .filter(|g| g.least)
            .map(|g| g.name)
            .collect();
        if marked.is_empty() {
            self.grants.iter().map(|g| g.name).collect()
        } else {
            marked
        }
    }

    /// What to tell an administrator to grant: [`Self::least`], except that where Microsoft's
    /// marks put a read-write permission beside a read-only one (its marks are per path set,
    /// so `GET /users` lists `User.ReadWrite.All` as least privileged next to
    /// `User.ReadBasic.All`), only the read-only ones.
    pub fn least_to_grant(&self) -> Vec<&'static str> {
        let least = self.least();
        if least.iter().any(|n| is_read_only(n)) && least.iter().any(|n| !is_read_only(n)) {
            least.into_iter().filter(|n| is_read_only(n)).collect()
        } else {
            least
        }
    }

    /// The granting permissions a token holding `held` uses (with their `AlsoRequires` met);
    /// empty when it is refused.
    pub fn granted_by<'a>(&'a self, held: &[String]) -> Vec<&'a Grant> {
        let holds = |n: &str| held.iter().any(|h| h.eq_ignore_ascii_case(n));
        self.grants
            .iter()
            .filter(|g| holds(g.name))
            .filter(|g| g.also_requires.is_empty() || g.also_requires.iter().any(|a| holds(a)))
            .collect()
    }
}

struct Row {
    delegated: Vec<Grant>,
    application: Vec<Grant>,
}

#[derive(Default)]
struct Node {
    children: HashMap<String, usize>,
    /// HTTP method → row.
    ops: Vec<(String, usize)>,
    /// The node above and this node's segment below it (the root's: 0 and ""), so a node's
    /// template is read upwards ([`template_of`]).
    parent: usize,
    seg: String,
}

/// The permissions of the map (its `p` lines), apart from the operations' table because a
/// sandbox tenant's start needs only these (about 1 ms against 30 ms for the whole table).
struct Names {
    permissions: Vec<Permission>,
    by_name: HashMap<String, usize>,
}

/// Operation rows and the template trie over them; grants name [`Names`]' permissions.
struct Table {
    rows: Vec<Row>,
    nodes: Vec<Node>,
}

/// The permissions of the map, in the table's order.
pub fn permissions() -> &'static [Permission] {
    &names().permissions
}

/// A permission by name (case-insensitive).
pub fn permission(name: &str) -> Option<&'static Permission> {
    let n = names();
    n.by_name
        .get(&name.to_ascii_lowercase())
        .map(|&i| &n.permissions[i])
}

/// The ways a delegated scope names Microsoft Graph, its resource: by URI or by app id
/// (`https://graph.microsoft.com/User.Read`, `00000003-0000-0000-c000-000000000000/User.Read`).
pub const GRAPH_RESOURCE_PREFIXES: &[&str] = &[
    "https://graph.microsoft.com/",
    "00000003-0000-0000-c000-000000000000/",
];

/// A delegated scope's permission name (`User.Read`), with Microsoft Graph's resource prefix
/// ([`GRAPH_RESOURCE_PREFIXES`], any case) taken off; a short name as it is.
pub fn scope_name(scope: &str) -> &str {
    GRAPH_RESOURCE_PREFIXES
        .iter()
        .find_map(|p| {
            scope
                .get(..p.len())
                .filter(|head| head.eq_ignore_ascii_case(p))
                .map(|_| scope[p.len()..].trim_start_matches('/'))
        })
        .unwrap_or(scope)
}

/// Builds the operations' table now (about 30 ms) rather than on the first `requirement`: for
/// callers that have a thread to spare (the sandbox, as it starts).
pub fn prepare() {
    table();
}

/// A permission under one scheme as Microsoft describes it (the Microsoft Graph service
/// principal's `oauth2PermissionScopes` and `appRoles`; texts from the permission map).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Description {
    pub name: String,
    pub scheme: Scheme,
    /// The scope's or app role's id (a GUID); empty where Microsoft's data publishes none for
    /// Microsoft Graph (permissions of other resources listed in the map).
    pub id: String,
    /// `adminDisplayName`: "Read all users' full profiles".
    pub display_name: String,
    /// `adminDescription`, what an administrator consents to.
    pub admin_description: String,
    /// `userDescription` (delegated only; empty for application permissions), what a user
    /// consents to.
    pub user_description: String,
}

/// Every permission and scheme with its id and texts, sorted by name (case-insensitive), the
/// delegated scheme first. Inflated on first use (the sandbox's checks never need it).
pub fn descriptions() -> &'static [Description] {
    static ALL: OnceLock<Vec<Description>> = OnceLock::new();
    ALL.get_or_init(|| {
        let mut text = String::new();
        // As for the table: a failure is a build defect, answered by an empty list.
        let _ = std::io::Read::read_to_string(
            &mut flate2::read::GzDecoder::new(DESCRIPTIONS_GZ),
            &mut text,
        );
        text.lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| {
                let f: Vec<&str> = l.split('\t').collect();
                let [name, scheme, id, display, admin, user] = f[..] else {
                    return None;
                };
                Some(Description {
                    name: name.into(),
                    scheme: if scheme == "D" {
                        Scheme::Delegated
                    } else {
                        Scheme::Application
                    },
                    id: id.into(),
                    display_name: display.into(),
                    admin_description: admin.into(),
                    user_description: user.into(),
                })
            })
            .collect()
    })
}

/// One permission's description under `scheme` (name case-insensitive).
pub fn description(name: &str, scheme: Scheme) -> Option<&'static Description> {
    descriptions()
        .iter()
        .find(|d| d.scheme == scheme && d.name.eq_ignore_ascii_case(name))
}

/// Properties Graph guards beyond the permission of the operation that reads them, as each
/// property's documentation says (user resource type: `signInActivity` needs
/// `AuditLog.Read.All`, `customSecurityAttributes` an attribute-assignment permission):
/// `(entity set, property, permissions any one of which grants reading it)`.
const GUARDED: &[(&str, &str, &[&str])] = &[
    ("users", "signInActivity", &["AuditLog.Read.All"]),
    (
        "users",
        "customSecurityAttributes",
        &[
            "CustomSecAttributeAssignment.Read.All",
            "CustomSecAttributeAssignment.ReadWrite.All",
        ],
    ),
];

/// A guarded property a request reads, and the permissions that grant reading it (the first
/// the least privileged).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Guarded {
    pub property: &'static str,
    pub grants: &'static [&'static str],
}

/// The guarded properties a `GET` of `path` (below the version: `/users`, `/users/{id}`,
/// `/me`) reads by naming them in `texts`, its decoded `$select`, `$filter` and `$orderby`
/// (a `$select` of `*` names them all); none for other methods and paths.
pub fn guarded(method: &str, path: &str, texts: &[&str]) -> Vec<Guarded> {
    if !method.eq_ignore_ascii_case("GET") {
        return vec![];
    }
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let set = match segs.as_slice() {
        [s] | [s, _] if !s.eq_ignore_ascii_case("me") => *s,
        ["me" | "Me" | "ME"] => "users",
        _ => return vec![],
    };
    let every = texts
        .iter()
        .any(|t| t.split(',').any(|item| item.trim() == "*"));
    let named = |property: &str| {
        every
            || texts.iter().any(|t| {
                t.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .any(|w| w.eq_ignore_ascii_case(property))
            })
    };
    GUARDED
        .iter()
        .filter(|(s, property, _)| s.eq_ignore_ascii_case(set) && named(property))
        .map(|&(_, property, grants)| Guarded { property, grants })
        .collect()
}

/// Whether a permission only reads: its name has a `Read` part and no `Write`
/// (`Policy.Read.All`, `User.ReadBasic.All`).
pub fn is_read_only(name: &str) -> bool {
    !name.contains("Write") && name.split(['.', '-']).any(|p| p.starts_with("Read"))
}

/// The decompressed table text (`permissions.tsv`), kept for the process's life.
fn text() -> &'static str {
    static TEXT: OnceLock<String> = OnceLock::new();
    TEXT.get_or_init(|| {
        let mut text = String::new();
        // The data is what build.rs compressed from the committed file: a failure is a build
        // defect, and an empty table (every path on the fallback rule) is the answer to it.
        let _ =
            std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(TABLE_GZ), &mut text);
        text
    })
}

fn names() -> &'static Names {
    static NAMES: OnceLock<Names> = OnceLock::new();
    NAMES.get_or_init(|| parse_names(text()))
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| parse_rows(text(), names()))
}

/// The `p` lines: `p <name> <schemes> [<privilege> <privilege>]`.
fn parse_names(text: &'static str) -> Names {
    let mut n = Names {
        permissions: vec![],
        by_name: HashMap::new(),
    };
    for line in text.lines().filter(|l| l.starts_with("p\t")) {
        let f: Vec<&'static str> = line.split('\t').collect();
        if f.len() != 3 && f.len() != 5 {
            continue;
        }
        n.by_name
            .insert(f[1].to_ascii_lowercase(), n.permissions.len());
        n.permissions.push(Permission {
            name: f[1],
            delegated: f[2].contains('d'),
            delegated_admin_consent: f[2].contains('c'),
            application: f[2].contains('a'),
            privilege: [
                f.get(3).and_then(|l| l.parse().ok()).unwrap_or(0),
                f.get(4).and_then(|l| l.parse().ok()).unwrap_or(0),
            ],
        });
    }
    n
}

/// The operation lines: `<METHOD> <template> <delegated grants> <application grants>`, each
/// grant an index into the `p` lines (`*` least privileged, `+a|b` also requires).
fn parse_rows(text: &str, n: &Names) -> Table {
    let mut t = Table {
        rows: vec![],
        nodes: vec![Node::default()],
    };
    let name = |i: usize| n.permissions.get(i).map(|p| p.name);
    for line in text.lines() {
        if line.starts_with('#') || line.starts_with("p\t") || line.is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() != 4 {
            continue;
        }
        let grants = |s: &str| -> Vec<Grant> {
            s.split(',')
                .filter(|e| !e.is_empty())
                .filter_map(|e| {
                    let (head, also) = e.split_once('+').unwrap_or((e, ""));
                    let least = head.ends_with('*');
                    let idx: usize = head.trim_end_matches('*').parse().ok()?;
                    Some(Grant {
                        name: name(idx)?,
                        least,
                        also_requires: also
                            .split('|')
                            .filter_map(|a| a.parse::<usize>().ok())
                            .filter_map(name)
                            .collect(),
                    })
                })
                .collect()
        };
        let row = t.rows.len();
        t.rows.push(Row {
            delegated: grants(f[2]),
            application: grants(f[3]),
        });
        let mut node = 0;
        for seg in f[1].split('/').filter(|s| !s.is_empty()) {
            node = match t.nodes[node].children.get(seg) {
                Some(&n) => n,
                None => {
                    t.nodes.push(Node {
                        parent: node,
                        seg: seg.to_string(),
                        ..Node::default()
                    });
                    let n = t.nodes.len() - 1;
                    t.nodes[node].children.insert(seg.to_string(), n);
                    n
                }
            };
        }
        t.nodes[node].ops.push((f[0].to_string(), row));
    }
    t
}

/// The wildcard segment of a normalized template.
pub const ANY: &str = "{}";

/// Normalizes a path (a template of the map, or a concrete request path below the version) to
/// the table's segments: lower case; `{...}` → `{}` (templates only); `name()` → `name`;
/// `name('key')` → `name`, `key`; `name(k1=v1,k2=v2)` → `name(k1,k2)`. A query string is cut.
pub fn normalize(path: &str, template: bool) -> Vec<String> {
    let path = path.split('?').next().unwrap_or_default();
    let mut out = vec![];
    for raw in path.split('/').filter(|s| !s.is_empty()) {
        let seg = if template {
            raw.to_string()
        } else {
            percent_encoding::percent_decode_str(raw)
                .decode_utf8_lossy()
                .to_string()
        };
        if template && seg.starts_with('{') && seg.ends_with('}') {
            out.push(ANY.to_string());
            continue;
        }
        match (seg.find('('), seg.ends_with(')')) {
            (Some(open), true) if open > 0 => {
                let name = seg[..open].to_ascii_lowercase();
                let inner = &seg[open + 1..seg.len() - 1];
                if inner.trim().is_empty() {
                    out.push(name);
                } else if inner.contains('=') {
                    let keys: Vec<String> = inner
                        .split(',')
                        .map(|kv| {
                            kv.split('=')
                                .next()
                                .unwrap_or_default()
                                .trim()
                                .to_ascii_lowercase()
                        })
                        .collect();
                    out.push(format!("{name}({})", keys.join(",")));
                } else {
                    out.push(name);
                    out.push(if template {
                        ANY.to_string()
                    } else {
                        inner.trim_matches('\'').to_string()
                    });
                }
            }
            _ => out.push(seg.to_ascii_lowercase()),
        }
    }
    out
}

/// Segments a concrete path may skip when the map has no template naming them.
fn skippable(seg: &str) -> bool {
    seg.starts_with("microsoft.graph.") || matches!(seg, "$count" | "$ref" | "$value")
}

/// Every node the segments reach, most specific first (literal before wildcard, left first).
fn walk(t: &Table, node: usize, segs: &[String], out: &mut Vec<usize>) {
    let Some((first, rest)) = segs.split_first() else {
        out.push(node);
        return;
    };
    let n = &t.nodes[node];
    if let Some(&c) = n.children.get(first.as_str()) {
        walk(t, c, rest, out);
    }
    if skippable(first) {
        walk(t, node, rest, out);
    } else if let Some(&c) = n.children.get(ANY) {
        walk(t, c, rest, out);
    }
}

/// A node's normalized template (`/users/{}/memberof`), read from the node up to the root.
/// Every sandbox request asks for it ([`requirement`]): a search down from the root, with each
/// node's children sorted on the way, took 0.3-0.9 ms of each request (a release build, 100
/// calls each for six paths).
fn template_of(t: &Table, target: usize) -> String {
    let mut segs = vec![];
    let mut node = target;
    while node != 0 {
        segs.push(t.nodes[node].seg.as_str());
        node = t.nodes[node].parent;
    }
    segs.reverse();
    format!("/{}", segs.join("/"))
}

fn grants_of(row: &Row, scheme: Scheme) -> &[Grant] {
    match scheme {
        Scheme::Delegated => &row.delegated,
        Scheme::Application => &row.application,
    }
}

fn is_write(method: &str) -> bool {
    !method.eq_ignore_ascii_case("GET")
}

/// Adds grants not yet listed; a grant listed twice is least privileged when either says so
/// (`GroupMember.Read.All` and `GroupMember.ReadBasic.All` share one `ReadWrite` twin).
fn merge(into: &mut Vec<Grant>, from: &[Grant]) {
    for g in from {
        match into.iter_mut().find(|x| x.name == g.name) {
            Some(x) => x.least |= g.least,
            None => into.push(g.clone()),
        }
    }
}

/// What `node` requires of `method` when it is an ancestor of the request (see the module
/// documentation); `None` when it says nothing usable.
fn from_ancestor(t: &Table, node: usize, method: &str, scheme: Scheme) -> Option<Vec<Grant>> {
    let n = &t.nodes[node];
    let row = |m: &str| {
        n.ops
            .iter()
            .find(|(x, _)| x.eq_ignore_ascii_case(m))
            .map(|(_, r)| &t.rows[*r])
    };
    let mut out: Vec<Grant> = vec![];
    if !is_write(method) {
        merge(&mut out, grants_of(row("GET")?, scheme));
    } else if let Some(r) = row(method) {
        merge(&mut out, grants_of(r, scheme));
    } else {
        for (m, r) in &n.ops {
            if is_write(m) {
                merge(&mut out, grants_of(&t.rows[*r], scheme));
            }
        }
        if out.is_empty() {
            for g in grants_of(row("GET")?, scheme) {
                let Some(twin) = read_write_twin(g.name) else {
                    continue;
                };
                if let Some(p) = permission(&twin) {
                    let ok = match scheme {
                        Scheme::Delegated => p.delegated,
                        Scheme::Application => p.application,
                    };
                    if ok {
                        merge(
                            &mut out,
                            &[Grant {
                                name: p.name,
                                least: g.least,
                                also_requires: vec![],
                            }],
                        );
                    }
                }
            }
        }
    }
    (!out.is_empty()).then_some(out)
}

/// The permission that writes what `name` reads: `Sites.Read.All` → `Sites.ReadWrite.All`,
/// `User.ReadBasic.All` → `User.ReadWrite.All`, `User.Read` → `User.ReadWrite`; a permission
/// that is not read-only is its own twin. `None` when the name has no such form.
pub fn read_write_twin(name: &str) -> Option<String> {
    if !is_read_only(name) {
        return Some(name.to_string());
    }
    for (from, to) in [(".ReadBasic.", ".ReadWrite."), (".Read.", ".ReadWrite.")] {
        if name.contains(from) {
            return Some(name.replacen(from, to, 1));
        }
    }
    name.strip_suffix(".Read")
        .map(|base| format!("{base}.ReadWrite"))
}

fn fallback(method: &str, scheme: Scheme) -> Vec<Grant> {
    let mut names: Vec<&str> = if is_write(method) {
        vec!["Directory.ReadWrite.All"]
    } else {
        vec!["Directory.Read.All", "Directory.ReadWrite.All"]
    };
    if scheme == Scheme::Delegated {
        names.push("Directory.AccessAsUser.All");
    }
    names
        .into_iter()
        .filter_map(permission)
        .enumerate()
        .map(|(i, p)| Grant {
            name: p.name,
            least: i == 0,
            also_requires: vec![],
        })
        .collect()
}

/// The permissions that grant `method` on `path` (a concrete path below the version segment,
/// `/users/8f1.../memberOf`, or `/me/...`) under `scheme`. See the module documentation for the
/// matching and the rule for paths the map does not document.
pub fn requirement(method: &str, path: &str, scheme: Scheme) -> Requirement {
    let t = table();
    let segs = normalize(path, false);
    let method = method.to_ascii_uppercase();
    // The full path first, then ever shorter ancestors.
    for len in (0..=segs.len()).rev() {
        let mut nodes = vec![];
        walk(t, 0, &segs[..len], &mut nodes);
        if len == segs.len() {
            for &node in &nodes {
                if let Some((_, r)) = t.nodes[node].ops.iter().find(|(m, _)| *m == method) {
                    return Requirement {
                        template: template_of(t, node),
                        basis: Basis::Documented,
                        grants: grants_of(&t.rows[*r], scheme).to_vec(),
                    };
                }
            }
            // A documented path that lacks this method: its other methods decide first, then
            // its ancestors.
        }
        if len == 0 {
            break;
        }
        for &node in &nodes {
            if let Some(grants) = from_ancestor(t, node, &method, scheme) {
                return Requirement {
                    template: template_of(t, node),
                    basis: Basis::Ancestor,
                    grants,
                };
            }
        }
    }
    Requirement {
        template: format!("/{}", segs.join("/")),
        basis: Basis::Fallback,
        grants: fallback(&method, scheme),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scope_names_its_permission_with_or_without_graphs_prefix() {
        assert_eq!(scope_name("User.Read"), "User.Read");
        assert_eq!(
            scope_name("https://graph.microsoft.com/User.Read"),
            "User.Read"
        );
        assert_eq!(
            scope_name("HTTPS://Graph.Microsoft.com/User.Read"),
            "User.Read"
        );
        assert_eq!(
            scope_name("00000003-0000-0000-c000-000000000000/Mail.Send"),
            "Mail.Send"
        );
        assert_eq!(
            scope_name("https://outlook.office.com/Mail.Send"),
            "https://outlook.office.com/Mail.Send"
        );
        assert!(permission(scope_name("00000003-0000-0000-c000-000000000000/User.Read")).is_some());
    }

    #[test]
    fn guarded_properties_are_found_in_select_filter_and_orderby() {
        let names = |m: &str, p: &str, t: &[&str]| {
            guarded(m, p, t)
                .iter()
                .map(|g| g.property)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            names("GET", "/users", &["id", "SignInActivity"]),
            ["signInActivity"]
        );
        assert_eq!(
            names(
                "GET",
                "/users/abc",
                &["signInActivity/lastSignInDateTime le 2026-01-01T00:00:00Z"]
            ),
            ["signInActivity"]
        );
        assert_eq!(
            names("GET", "/me", &["customSecurityAttributes"]),
            ["customSecurityAttributes"]
        );
        // `$select=*` reads every one of them (as the sandbox's `*` returns them).
        let mut every = names("GET", "/users/abc", &["id,*"]);
        every.sort();
        assert_eq!(every, ["customSecurityAttributes", "signInActivity"]);
        assert!(names("GET", "/users", &["startswith(displayName,'a*')"]).is_empty());
        // A word that only contains the name, another set, a write, a nested path: none.
        assert!(names("GET", "/users", &["signInActivityX"]).is_empty());
        assert!(names("GET", "/groups", &["signInActivity"]).is_empty());
        assert!(names("PATCH", "/users/abc", &["signInActivity"]).is_empty());
        assert!(names("GET", "/users/abc/manager", &["signInActivity"]).is_empty());
        assert_eq!(
            guarded("GET", "/users", &["signInActivity"])[0].grants,
            ["AuditLog.Read.All"]
        );
    }

    fn names(r: &Requirement) -> Vec<&str> {
        r.grants.iter().map(|g| g.name).collect()
    }

    #[test]
    fn templates_match_keys_case_and_casts() {
        let r = requirement("GET", "/auditLogs/signIns", Scheme::Application);
        assert_eq!(r.basis, Basis::Documented);
        assert_eq!(names(&r), vec!["AuditLog.Read.All"]);
        let r = requirement("PATCH", "/users/0b2f8a4e-1/", Scheme::Delegated);
        assert_eq!(r.template, "/users/{}");
        assert!(names(&r).contains(&"User.ReadWrite.All"));
        assert!(!names(&r).contains(&"User.Read.All"));
        assert_eq!(r.least(), vec!["User.ReadWrite.All"]);
        assert_eq!(r.least_to_grant(), vec!["User.ReadWrite.All"]);
        // A read marked both ways: the read-only one is what to grant.
        let r = requirement("GET", "/users", Scheme::Delegated);
        assert!(r.least().contains(&"User.ReadWrite.All"), "{r:?}");
        assert_eq!(r.least_to_grant(), vec!["User.ReadBasic.All"]);
        // `users('x')`, upper case and a cast the map does not name.
        let a = requirement(
            "GET",
            "/USERS('x')/memberOf/microsoft.graph.group",
            Scheme::Application,
        );
        let b = requirement("GET", "/users/x/memberof", Scheme::Application);
        assert_eq!(a, b);
        // Functions without parentheses in the map; literals beat `{id}`.
        let r = requirement("GET", "/users/delta()", Scheme::Application);
        assert_eq!(r.template, "/users/delta");
        // Alternate keys by name.
        let r = requirement(
            "GET",
            "/servicePrincipals(appId='abc')",
            Scheme::Application,
        );
        assert_eq!(r.basis, Basis::Documented);
        assert_eq!(r.template, "/serviceprincipals(appid)");
    }

    #[test]
    fn read_only_permissions_never_open_writes() {
        let r = requirement(
            "POST",
            "/identity/conditionalAccess/policies",
            Scheme::Application,
        );
        assert!(names(&r).contains(&"Policy.ReadWrite.ConditionalAccess"));
        assert!(!names(&r).contains(&"Policy.Read.All"), "{r:?}");
        // A read done with POST keeps its read permissions.
        let r = requirement("POST", "/users/x/checkMemberGroups", Scheme::Application);
        assert!(names(&r).contains(&"User.Read.All"), "{r:?}");
    }

    #[test]
    fn undocumented_paths_follow_their_ancestor_then_the_directory_rule() {
        let r = requirement("GET", "/users/x/createdObjects/y", Scheme::Application);
        assert_eq!(r.basis, Basis::Ancestor);
        assert_eq!(r.template, "/users/{}/createdobjects");
        let r = requirement("POST", "/nothingLikeThis/x", Scheme::Application);
        assert_eq!(r.basis, Basis::Fallback);
        assert_eq!(names(&r), vec!["Directory.ReadWrite.All"]);
        let r = requirement("GET", "/nothingLikeThis", Scheme::Delegated);
        assert_eq!(
            names(&r),
            vec![
                "Directory.Read.All",
                "Directory.ReadWrite.All",
                "Directory.AccessAsUser.All"
            ]
        );
    }

    #[test]
    fn a_method_the_map_lacks_takes_the_writes_of_the_path_or_its_reads_twins() {
        // PATCH /me is not in the map; GET /me is: User.Read → User.ReadWrite.
        let r = requirement("PATCH", "/me", Scheme::Delegated);
        assert_eq!(r.basis, Basis::Ancestor);
        assert_eq!(r.template, "/me");
        assert!(names(&r).contains(&"User.ReadWrite"), "{r:?}");
        assert!(!names(&r).iter().any(|n| is_read_only(n)), "{r:?}");
        assert_eq!(
            read_write_twin("User.Read").as_deref(),
            Some("User.ReadWrite")
        );
        assert_eq!(
            read_write_twin("User.ReadBasic.All").as_deref(),
            Some("User.ReadWrite.All")
        );
        assert_eq!(read_write_twin("Mail.Send").as_deref(), Some("Mail.Send"));
    }

    #[test]
    fn descriptions_carry_the_published_ids_and_texts() {
        let d = description("user.read", Scheme::Delegated).expect("User.Read is delegated");
        assert_eq!(d.id, "e1fe6dd8-ba31-4d61-89e7-88639da4683d");
        assert_eq!(d.display_name, "Sign in and read user profile");
        assert!(
            d.user_description.starts_with("Allows you to sign in"),
            "{d:?}"
        );
        let a = description("User.Read.All", Scheme::Application).expect("an app role");
        assert_eq!(a.id, "df021288-bdef-4463-88db-98f22de89214");
        assert!(a.user_description.is_empty());
        assert!(description("User.Read", Scheme::Application).is_none());
        // Every permission of the table is described under each scheme it has.
        for p in permissions() {
            assert_eq!(
                description(p.name, Scheme::Delegated).is_some(),
                p.delegated,
                "{}",
                p.name
            );
            assert_eq!(
                description(p.name, Scheme::Application).is_some(),
                p.application,
                "{}",
                p.name
            );
        }
    }

    #[test]
    fn admin_consent_comes_from_the_map() {
        let p = permission("directory.readwrite.all").expect("known");
        assert!(p.delegated && p.delegated_admin_consent && p.application);
        let p = permission("User.Read").expect("known");
        assert!(p.delegated && !p.delegated_admin_consent && !p.application);
        assert!(is_read_only("Policy.Read.All") && is_read_only("User.ReadBasic.All"));
        assert!(!is_read_only("User.ReadWrite.All") && !is_read_only("Mail.Send"));
    }
}
