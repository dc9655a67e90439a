//! What the module asks the catalog at run time: a command's parameter sets and parameters
//! (for its dynamic parameters and its requests), a model's classes, and
//! `Find-MgGraphCommand` look-ups. Answers are JSON values.

use serde_json::{json, Map, Value};

use super::models::{pascal, Model, Namespace, PropType};
use super::{generated, Api, Command, Returns, Role, RouteKind, COMMANDS};

/// The most models one answer of [`models`] carries (a model and the complex types its
/// properties use, transitively). Graph's deepest closures are far smaller; the limit keeps a
/// malformed catalog from growing the answer without end.
pub const MAX_MODEL_CLOSURE: usize = 400;

/// A command as its generated cmdlet runs it, asked once per cmdlet class and process (the
/// classes declare only their parameters):
/// `{name, outputClass, outputType, sets: {<set>: {method, path, list, identity: [..],
/// bodyDates: [..]}}, pathParams: [..]}`. Only what the cmdlet reads: the answer is parsed on a
/// cmdlet's first call, and the parameters' help and aliases (what PowerShell already has from
/// the class) made it five times larger.
pub fn command(c: &'static Command) -> Value {
    let mut sets = Map::new();
    for s in c.parameter_sets() {
        let dates: Vec<&str> = s
            .route
            .body
            .and_then(super::model)
            .map(|m| {
                m.props
                    .iter()
                    .filter(|p| p.ty == PropType::DateTime)
                    .map(|p| p.json)
                    .collect()
            })
            .unwrap_or_default();
        let identity: Vec<String> = s
            .route
            .placeholders()
            .iter()
            .map(|p| super::placeholder_param(p))
            .collect();
        sets.insert(
            s.name.clone(),
            json!({
                "method": s.route.method.as_str(),
                "path": s.route.path,
                "list": s.route.is_paged(),
                "identity": identity,
                "bodyDates": dates,
            }),
        );
    }
    // The parameters that name files (-OutFile, -InFile): the cmdlet resolves them to
    // file-system paths before the engine sees them.
    let path_params: Vec<String> = c
        .params()
        .into_iter()
        .filter(|p| matches!(p.role, Role::OutFile | Role::InFile))
        .map(|p| p.name)
        .collect();
    json!({
        "name": c.name,
        "outputClass": output_class(c),
        "outputType": output_type(c),
        "sets": sets,
        "pathParams": path_params,
    })
}

/// The namespace a command's models are compiled in: the beta assembly's for beta commands
/// (and beta-only hand-written models), the v1.0 one's otherwise; `None` for MgGraph's own
/// types, which are written as plain values.
pub fn model_namespace(api: Api, m: &Model) -> Option<&'static str> {
    match (api, m.namespace) {
        (_, Namespace::Authentication) => None,
        (Api::Beta, _) | (_, Namespace::Beta) => Some(Namespace::Beta.name()),
        _ => Some(Namespace::V1.name()),
    }
}

/// The full name of the compiled class a command's output is read into
/// (`Microsoft.Graph.PowerShell.Models.MicrosoftGraphUser`), if any.
pub fn output_class(c: &Command) -> Option<String> {
    let m = c.output_model()?;
    model_namespace(c.api, m).map(|ns| format!("{ns}.{}", m.class))
}

/// The SDK's documented output type of a command: its model's interface; for a primitive
/// result the .NET type it is read as (`getMemberGroups`' ids are `System.String`, a `$count`
/// `System.Int32`); else `System.Boolean`, what `-PassThru` writes.
pub fn output_type(c: &Command) -> String {
    if let Some(m) = c.output_model() {
        // A beta cmdlet's model is the beta namespace's, whichever profile defined the class.
        return match model_namespace(c.api, m) {
            Some(ns) => format!("{ns}.I{}", m.class),
            None => m.interface_name(),
        };
    }
    let primitive = c.routes.iter().find_map(|r| match r.returns {
        Some(Returns::Primitive(ty, _)) => Some(ty),
        _ => None,
    });
    match (primitive, c.routes.first().map(|r| r.kind)) {
        (Some(ty), _) => primitive_type(ty).into(),
        (None, Some(RouteKind::Count)) => "System.Int32".into(),
        _ => "System.Boolean".into(),
    }
}

/// The .NET type an Edm primitive (or enum member name) is read as, as the SDK types it.
fn primitive_type(edm: &str) -> &'static str {
    match edm {
        "Edm.Boolean" => "System.Boolean",
        "Edm.Int32" | "Edm.Int16" | "Edm.Byte" | "Edm.SByte" => "System.Int32",
        "Edm.Int64" => "System.Int64",
        "Edm.Double" | "Edm.Single" | "Edm.Decimal" => "System.Double",
        "Edm.DateTimeOffset" => "System.DateTime",
        // Strings, guids, dates as text, durations, binary as base64, enum members.
        _ => "System.String",
    }
}

/// The kind of a property as the module's class emitter reads it: `string`, `int`, `long`,
/// `double`, `bool`, `datetime`, `string[]`, `model:<id>`, `model[]:<id>` or `object`.
pub fn prop_kind(ty: PropType) -> String {
    match ty {
        PropType::String | PropType::Enum(_) => "string".into(),
        PropType::Int => "int".into(),
        PropType::Long => "long".into(),
        PropType::Double => "double".into(),
        PropType::Bool => "bool".into(),
        PropType::DateTime => "datetime".into(),
        PropType::StringList => "string[]".into(),
        PropType::Binary => "byte[]".into(),
        PropType::Model(id) => format!("model:{id}"),
        PropType::ModelList(id) => format!("model[]:{id}"),
        PropType::Any => "object".into(),
    }
}

fn model_value(m: &Model) -> Value {
    let props: Vec<Value> = m
        .props
        .iter()
        .map(|p| json!([pascal(p.json), prop_kind(p.ty)]))
        .collect();
    json!({
        "id": m.id,
        "namespace": m.namespace.name(),
        "class": m.class,
        "additional": m.additional_properties,
        "properties": props,
    })
}

/// A model and every model its properties use, transitively (at most
/// [`MAX_MODEL_CLOSURE`]): `{"models": [..]}`, the asked-for one first; `None` for an
/// unknown id.
pub fn models(id: &str) -> Option<Value> {
    let first = super::model(id)?;
    let mut out = vec![];
    let mut seen = std::collections::HashSet::new();
    let mut queue = std::collections::VecDeque::from([first]);
    seen.insert(first.id);
    while let Some(m) = queue.pop_front() {
        if out.len() >= MAX_MODEL_CLOSURE {
            break;
        }
        out.push(model_value(m));
        for p in m.props {
            if let PropType::Model(n) | PropType::ModelList(n) = p.ty {
                if let Some(nested) = super::model(n) {
                    if seen.insert(nested.id) {
                        queue.push_back(nested);
                    }
                }
            }
        }
    }
    Some(json!({ "models": out }))
}

/// Every command name (hand-written and generated v1.0), each once, in catalog order.
fn all_names() -> impl Iterator<Item = &'static str> {
    let hand = COMMANDS.iter().map(|c| c.name);
    let generated = generated::command_names()
        .iter()
        .copied()
        .filter(|n| !COMMANDS.iter().any(|c| c.name.eq_ignore_ascii_case(n)));
    hand.chain(generated)
}

/// Whether a URI path (`/users/8a7c.../memberOf`, `/users/{id}`) matches a path template
/// (`/users/{user-id}/memberOf`): literal segments equal (any case); a template's `{...}` takes
/// any segment, a URI's `{...}` only a template's `{...}` (as the SDK's `Find-MgGraphCommand
/// -Uri /users/{id}` finds Get-, Update- and Remove-MgUser, not `/users/delta()`).
fn path_matches(template: &str, uri: &str) -> bool {
    let split = |s: &str| -> Vec<String> {
        s.trim_matches('/')
            .split('/')
            .map(|x| x.to_ascii_lowercase())
            .collect()
    };
    let t = split(template);
    let u = split(uri.split('?').next().unwrap_or(uri));
    t.len() == u.len()
        && t.iter()
            .zip(&u)
            .all(|(a, b)| a == b || (a.starts_with('{') && a.ends_with('}')))
}

/// One `Find-MgGraphCommand` row per (command, route).
fn rows(c: &'static Command, method: Option<&str>, uri: Option<&str>) -> Vec<Value> {
    let mut out = vec![];
    let mut seen = std::collections::HashSet::new();
    for s in c.parameter_sets() {
        let r = s.route;
        if let Some(m) = method {
            if !r.method.as_str().eq_ignore_ascii_case(m) {
                continue;
            }
        }
        if let Some(u) = uri {
            if !path_matches(r.path, u) {
                continue;
            }
        }
        if !seen.insert((r.method.as_str(), r.path)) {
            continue;
        }
        let variants: Vec<String> = c
            .parameter_sets()
            .into_iter()
            .filter(|x| x.route.path == r.path && x.route.method == r.method)
            .map(|x| x.name)
            .collect();
        out.push(json!({
            "Command": c.name,
            "Module": c.sdk_module.strip_prefix("Microsoft.Graph.").unwrap_or(c.sdk_module),
            "APIVersion": c.api.segment(),
            "Method": r.method.as_str(),
            "URI": r.path,
            "OutputType": output_type(c),
            "Permissions": route_permissions(r.method.as_str(), r.path),
            "Variants": variants,
        }));
    }
    out
}

/// `Find-MgGraphCommand`: by `-Command`, or by `-Uri` with an optional `-Method`; both take
/// `-ApiVersion` (`v1.0`, `beta`; both when absent). A command pattern is a regular
/// expression matched against the whole name, ignoring case, as the SDK matches it
/// (`.*UserToDo.*`), when it has a regex character other than `*` and `?`; else a PowerShell
/// wildcard (`Get-MgUser*`); else a name. A pattern that is not a valid expression matches
/// nothing. Rows come as the SDK sorts them: v1.0 before beta, then by command.
pub fn find(
    command: Option<&str>,
    uri: Option<&str>,
    method: Option<&str>,
    api: Option<&str>,
) -> Vec<Value> {
    let mut rows = find_unsorted(command, uri, method, api);
    let key = |r: &Value| {
        (
            r["APIVersion"] != "v1.0",
            r["Command"]
                .as_str()
                .unwrap_or_default()
                .to_ascii_lowercase(),
        )
    };
    rows.sort_by_key(key);
    rows
}

fn find_unsorted(
    command: Option<&str>,
    uri: Option<&str>,
    method: Option<&str>,
    api: Option<&str>,
) -> Vec<Value> {
    let mut out = vec![];
    let want_v1 = api.map(|a| a.eq_ignore_ascii_case("v1.0")).unwrap_or(true);
    let want_beta = api.map(|a| a.eq_ignore_ascii_case("beta")).unwrap_or(true);
    let wanted = |c: &Command| {
        if c.api == super::Api::V1 {
            want_v1
        } else {
            want_beta
        }
    };
    if let Some(pattern) = command {
        let is_regex = pattern.contains(['.', '^', '$', '[', '(', '{', '|', '+', '\\']);
        if !is_regex && !pattern.contains(['*', '?']) {
            if let Some(c) = super::command(pattern).filter(|c| wanted(c)) {
                out.extend(rows(c, method, None));
            }
            return out;
        }
        // Names are short and the pattern is the caller's: the size limit bounds the work.
        let regex = if is_regex {
            match regex_lite::RegexBuilder::new(&format!("^(?:{pattern})$"))
                .case_insensitive(true)
                .size_limit(1 << 20)
                .build()
            {
                Ok(r) => Some(r),
                Err(_) => return out,
            }
        } else {
            None
        };
        let hit = |name: &str| match &regex {
            Some(r) => r.is_match(name),
            None => wildcard(pattern, name),
        };
        for name in all_names() {
            // Beta twins are derived from their v1.0 commands (`Get-MgBetaUser`); the name
            // is matched first, so only a hit costs a catalog look-up.
            let beta = name
                .split_once("-Mg")
                .map(|(verb, rest)| format!("{verb}-MgBeta{rest}"));
            for candidate in std::iter::once(name.to_string()).chain(beta) {
                if hit(&candidate) {
                    if let Some(c) = super::command(&candidate).filter(|c| wanted(c)) {
                        out.extend(rows(c, method, None));
                    }
                }
            }
        }
        return out;
    }
    let Some(uri) = uri else {
        return out;
    };
    // `https://graph.microsoft.com/v1.0/users` and `/v1.0/users` name their version.
    let mut path = uri;
    if let Some(i) = path.find("://") {
        path = path[i + 3..]
            .find('/')
            .map(|j| &path[i + 3 + j..])
            .unwrap_or("/");
    }
    let (path, version) = match path.trim_start_matches('/').split_once('/') {
        Some(("v1.0", rest)) => (rest, Some("v1.0")),
        Some(("beta", rest)) => (rest, Some("beta")),
        _ => (path, None),
    };
    let want_v1 = want_v1 && version != Some("beta");
    let want_beta = want_beta && version != Some("v1.0");
    for name in all_names() {
        let Some(c) = super::command(name) else {
            continue;
        };
        if c.api != super::Api::V1 {
            if want_beta {
                out.extend(rows(c, method, Some(path)));
            }
            continue;
        }
        if want_v1 {
            out.extend(rows(c, method, Some(path)));
        }
        if want_beta {
            let (beta, _) = generated::beta_twin(c.name, c.sdk_module);
            if let Some(b) = super::command(&beta) {
                out.extend(rows(b, method, Some(path)));
            }
        }
    }
    out
}

/// The permissions that grant `method` on a route (its path template), as `Find-MgGraphCommand`
/// lists them: `[{Name, PermissionType, IsAdmin, IsLeastPrivilege, Description,
/// FullDescription}]`, delegated first, each scheme by name. Empty where Microsoft's map says
/// nothing about the path or its ancestors (the sandbox's `Directory.*` rule is not
/// documentation).
fn route_permissions(method: &str, path: &str) -> Value {
    use super::permissions::{self as perms, Basis, Scheme};
    let mut out = vec![];
    for scheme in [Scheme::Delegated, Scheme::Application] {
        let req = perms::requirement(method, path, scheme);
        if req.basis == Basis::Fallback {
            continue;
        }
        let least = req.least_to_grant();
        let mut grants: Vec<&perms::Grant> = req.grants.iter().collect();
        grants.sort_by_key(|g| g.name.to_ascii_lowercase());
        for g in grants {
            let d = perms::description(g.name, scheme);
            let admin = match scheme {
                Scheme::Delegated => {
                    perms::permission(g.name).is_some_and(|p| p.delegated_admin_consent)
                }
                Scheme::Application => true,
            };
            out.push(json!({
                "Name": g.name,
                "PermissionType": scheme_name(scheme),
                "IsAdmin": admin,
                "IsLeastPrivilege": least.contains(&g.name),
                "Description": d.map(|d| d.display_name.as_str()).unwrap_or_default(),
                "FullDescription": d.map(|d| d.admin_description.as_str()).unwrap_or_default(),
            }));
        }
    }
    Value::Array(out)
}

fn scheme_name(scheme: super::permissions::Scheme) -> &'static str {
    match scheme {
        super::permissions::Scheme::Delegated => "Delegated",
        super::permissions::Scheme::Application => "Application",
    }
}

/// `Find-MgGraphPermission`: the permissions whose name contains `search` (any case; equals it
/// with `exact`; every permission when `search` is `None`), of `kind` (`Any`, `Delegated`,
/// `Application`), as `[{Id, PermissionType, Consent (Admin|User), Name, Description}]`:
/// delegated ones first, each kind sorted by name. The description is what the consenting
/// party reads: the user's text for a delegated permission, the administrator's for an
/// application one.
pub fn find_permissions(search: Option<&str>, exact: bool, kind: &str) -> Vec<Value> {
    use super::permissions::{self as perms, Scheme};
    let wanted =
        |s: Scheme| kind.eq_ignore_ascii_case("any") || kind.eq_ignore_ascii_case(scheme_name(s));
    let needle = search.map(str::to_ascii_lowercase);
    let matches = |name: &str| match &needle {
        None => true,
        Some(n) if exact => name.eq_ignore_ascii_case(n),
        Some(n) => name.to_ascii_lowercase().contains(n.as_str()),
    };
    let mut out = vec![];
    for scheme in [Scheme::Delegated, Scheme::Application] {
        if !wanted(scheme) {
            continue;
        }
        for d in perms::descriptions()
            .iter()
            .filter(|d| d.scheme == scheme && matches(&d.name))
        {
            let admin = match scheme {
                Scheme::Delegated => {
                    perms::permission(&d.name).is_some_and(|p| p.delegated_admin_consent)
                }
                Scheme::Application => true,
            };
            let description = match scheme {
                Scheme::Delegated => &d.user_description,
                Scheme::Application => &d.admin_description,
            };
            out.push(json!({
                "Id": d.id,
                "PermissionType": scheme_name(scheme),
                "Consent": if admin { "Admin" } else { "User" },
                "Name": d.name,
                "Description": description,
            }));
        }
    }
    out
}

/// `*`-wildcard match, ignoring case, iteratively.
fn wildcard(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.to_ascii_lowercase().chars().collect();
    let t: Vec<char> = text.to_ascii_lowercase().chars().collect();
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == t[ti] || p[pi] == '?') {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_match_templates_and_ids() {
        assert!(path_matches("/users/{user-id}", "/users/abc"));
        assert!(path_matches("/users/{user-id}", "/Users/{id}"));
        assert!(!path_matches("/users/{user-id}", "/users"));
        // A placeholder in the URI is not a literal segment's stand-in.
        assert!(!path_matches("/users/delta()", "/users/{id}"));
        assert!(path_matches("/users/delta()", "/users/delta()"));
        assert!(!path_matches(
            "/users/{user-id}/memberOf",
            "/users/a/owners"
        ));
    }

    #[test]
    fn a_beta_cmdlets_output_type_is_the_beta_models() {
        // What Find-MgGraphCommand shows, as the compiled cmdlet's [OutputType] says it.
        let out = |name: &str| output_type(crate::catalog::command(name).unwrap());
        assert_eq!(
            out("Get-MgBetaUser"),
            "Microsoft.Graph.Beta.PowerShell.Models.IMicrosoftGraphUser"
        );
        assert_eq!(
            out("Get-MgUser"),
            "Microsoft.Graph.PowerShell.Models.IMicrosoftGraphUser"
        );
    }

    #[test]
    fn wildcards_match_like_powershell() {
        assert!(wildcard("Get-MgUser*", "Get-MgUserMemberOf"));
        assert!(wildcard("*membero*", "Get-MgUserMemberOf"));
        assert!(!wildcard("Get-MgGroup*", "Get-MgUser"));
    }

    #[test]
    fn describe_gives_what_a_cmdlet_reads() {
        let c = super::super::command("Get-MgUser").unwrap();
        let d = command(c);
        assert_eq!(d["sets"]["Get"]["path"], "/users/{user-id}");
        assert_eq!(d["sets"]["Get"]["identity"][0], "UserId");
        assert_eq!(d["sets"]["List"]["list"], true);
        assert_eq!(
            d["outputClass"],
            "Microsoft.Graph.PowerShell.Models.MicrosoftGraphUser"
        );
        assert_eq!(d["pathParams"], json!([]));
        // Nothing PowerShell already has from the class (help, aliases, per-set flags).
        assert!(d.get("params").is_none());
        let photo = command(super::super::command("Get-MgUserPhotoContent").unwrap());
        assert_eq!(photo["pathParams"], json!(["OutFile"]));
    }

    #[test]
    fn output_classes_follow_the_api_version() {
        let class = |name: &str| output_class(super::super::command(name).unwrap());
        assert_eq!(
            class("Get-MgUser").as_deref(),
            Some("Microsoft.Graph.PowerShell.Models.MicrosoftGraphUser")
        );
        assert_eq!(
            class("Get-MgBetaUser").as_deref(),
            Some("Microsoft.Graph.Beta.PowerShell.Models.MicrosoftGraphUser")
        );
        // A command that answers no model (a $ref delete) reads no class.
        assert_eq!(class("Remove-MgGroupMemberDirectoryObjectByRef"), None);
        let d = command(super::super::command("Get-MgBetaUser").unwrap());
        assert_eq!(
            d["outputClass"],
            "Microsoft.Graph.Beta.PowerShell.Models.MicrosoftGraphUser"
        );
    }

    #[test]
    fn find_by_command_and_uri() {
        let rows = find(Some("Get-MgUser"), None, None, None);
        assert!(rows.iter().any(|r| r["URI"] == "/users/{user-id}"));
        let rows = find(None, Some("/v1.0/users/8a7c"), Some("GET"), None);
        assert!(
            rows.iter().any(|r| r["Command"] == "Get-MgUser"),
            "{rows:?}"
        );
        assert!(rows.iter().all(|r| r["APIVersion"] == "v1.0"));
    }

    #[test]
    fn command_patterns_are_regexes_wildcards_or_names_as_in_the_sdk() {
        let names = |p: &str, api: Option<&str>| -> Vec<String> {
            let mut n: Vec<String> = find(Some(p), None, None, api)
                .iter()
                .map(|r| r["Command"].as_str().unwrap().to_string())
                .collect();
            n.dedup();
            n
        };
        // The SDK's documented example: a regex over the whole name.
        let todo = names(".*UserTodo.*", Some("beta"));
        assert!(
            todo.iter().any(|n| n == "Get-MgBetaUserTodoList"),
            "{todo:?}"
        );
        assert!(todo
            .iter()
            .all(|n| n.starts_with("Get-MgBeta") || n.contains("-MgBeta")));
        assert!(names(".*UserTodo.*", Some("v1.0"))
            .iter()
            .all(|n| !n.contains("MgBeta")));
        assert!(names("get-mguser", None) == vec!["Get-MgUser"]);
        assert!(names("Get-MgUser", Some("beta")).is_empty());
        assert!(names("Get-MgUser*", None).contains(&"Get-MgUserMemberOf".to_string()));
        assert!(names("^Get-MgUser$", None) == vec!["Get-MgUser"]);
        // An invalid expression finds nothing rather than failing.
        assert!(names("Get-(MgUser", None).is_empty());
    }

    #[test]
    fn find_command_lists_the_documented_permissions() {
        let rows = find(Some("Get-MgUser"), None, Some("GET"), None);
        let get = rows
            .iter()
            .find(|r| r["URI"] == "/users/{user-id}")
            .unwrap();
        let perms = get["Permissions"].as_array().unwrap();
        let has = |name: &str, kind: &str| {
            perms
                .iter()
                .find(|p| p["Name"] == name && p["PermissionType"] == kind)
        };
        let app = has("User.Read.All", "Application").expect("app role listed");
        assert_eq!(app["IsAdmin"], true);
        assert!(
            app["Description"]
                .as_str()
                .unwrap()
                .starts_with("Read all users' full profiles"),
            "{app:?}"
        );
        assert!(
            has("User.ReadWrite.All", "Delegated").is_some(),
            "{perms:?}"
        );
        // Least privileged as Microsoft's map marks it for GET /users/{id}.
        let least: Vec<&Value> = perms
            .iter()
            .filter(|p| p["IsLeastPrivilege"] == true)
            .collect();
        assert!(
            least
                .iter()
                .any(|p| p["Name"] == "User.ReadBasic.All" && p["PermissionType"] == "Application"),
            "{least:?}"
        );
        assert!(
            !least.iter().any(|p| p["Name"] == "Directory.ReadWrite.All"),
            "{least:?}"
        );
    }

    #[test]
    fn find_permission_searches_names_and_kinds() {
        let rows = find_permissions(Some("mailboxsettings"), false, "Any");
        let names: Vec<(String, String)> = rows
            .iter()
            .map(|r| {
                (
                    r["PermissionType"].as_str().unwrap().into(),
                    r["Name"].as_str().unwrap().into(),
                )
            })
            .collect();
        assert_eq!(
            names[0],
            ("Delegated".into(), "MailboxSettings.Read".into())
        );
        assert!(names.contains(&("Application".into(), "MailboxSettings.ReadWrite".into())));
        // Delegated ones first, then application ones.
        let first_app = names.iter().position(|n| n.0 == "Application").unwrap();
        assert!(names[first_app..].iter().all(|n| n.0 == "Application"));
        let exact = find_permissions(Some("user.read"), true, "Delegated");
        assert_eq!(exact.len(), 1);
        assert_eq!(exact[0]["Id"], "e1fe6dd8-ba31-4d61-89e7-88639da4683d");
        assert_eq!(exact[0]["Consent"], "User");
        let app = find_permissions(Some("User.Read.All"), true, "Application");
        assert_eq!(app[0]["Consent"], "Admin");
        assert!(app[0]["Description"]
            .as_str()
            .unwrap()
            .starts_with("Allows the app"));
        assert!(find_permissions(Some("NoSuchPermission"), true, "Any").is_empty());
        // `-All`: every permission under each scheme it has.
        let schemes: usize = super::super::permissions::permissions()
            .iter()
            .map(|p| p.delegated as usize + p.application as usize)
            .sum();
        assert_eq!(find_permissions(None, false, "Any").len(), schemes);
    }
}
