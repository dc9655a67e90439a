//! The operation catalog: one declarative table of Graph commands.
//!
//! Every Graph cmdlet of the module is generated from [`COMMANDS`] (see [`powershell`]), and
//! the engine interprets the same table at run time. Parameter sets, parameter names and
//! their roles are *derived* from a command's routes with the SDK's conventions (List, Get,
//! CreateExpanded, Create, ...ViaIdentity), so adding a Graph operation is one table entry.

pub mod commands;
pub mod models;
pub mod powershell;

pub use commands::{BUILTIN_COMMANDS, COMMANDS};
pub use models::{model, pascal, Model, PropType};

/// HTTP method of a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Patch,
    Delete,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

/// The Graph API version a command calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    V1,
    Beta,
}

impl Api {
    pub fn segment(self) -> &'static str {
        match self {
            Api::V1 => "v1.0",
            Api::Beta => "beta",
        }
    }

    /// Namespace of the SDK's compiled cmdlets, used in FullyQualifiedErrorId.
    pub fn cmdlet_namespace(self) -> &'static str {
        match self {
            Api::V1 => "Microsoft.Graph.PowerShell.Cmdlets",
            Api::Beta => "Microsoft.Graph.Beta.PowerShell.Cmdlets",
        }
    }
}

/// What a route does; decides the parameter sets it yields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteKind {
    List,
    Get,
    Create,
    Update,
    Delete,
}

/// One HTTP route of a command.
#[derive(Debug)]
pub struct Route {
    pub kind: RouteKind,
    pub method: Method,
    /// Path below the version segment, with `{name-id}` placeholders.
    pub path: &'static str,
    /// Body model for Create/Update.
    pub body: Option<&'static str>,
}

impl Route {
    /// The placeholders of the path, in order (`user-id`, ...).
    pub fn placeholders(&self) -> Vec<&'static str> {
        let mut out = vec![];
        let mut rest = self.path;
        while let Some(start) = rest.find('{') {
            let Some(len) = rest[start..].find('}') else {
                break;
            };
            out.push(&rest[start + 1..start + len]);
            rest = &rest[start + len + 1..];
        }
        out
    }

    /// Whether a successful call returns content.
    pub fn returns_content(&self) -> bool {
        matches!(
            self.kind,
            RouteKind::List | RouteKind::Get | RouteKind::Create
        ) && self.body != Some("referenceCreate")
    }
}

/// Behaviour a command needs beyond what its routes say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Special {
    None,
    /// `New-MgGroupMember -DirectoryObjectId`: the expanded set takes an object id and sends
    /// `{"@odata.id": ".../directoryObjects/{id}"}`.
    DirectoryObjectRef,
}

/// One cmdlet.
#[derive(Debug)]
pub struct Command {
    pub name: &'static str,
    /// The SDK module the cmdlet comes from (for help and docs links).
    pub sdk_module: &'static str,
    pub api: Api,
    pub synopsis: &'static str,
    pub description: &'static str,
    pub routes: &'static [Route],
    /// Output model id.
    pub output: Option<&'static str>,
    /// List sets take -ConsistencyLevel (directory objects' advanced queries).
    pub advanced_query: bool,
    pub special: Special,
    pub examples: &'static [Example],
}

/// A help example.
#[derive(Debug)]
pub struct Example {
    pub code: &'static str,
    pub remarks: &'static str,
}

/// A parameter's PowerShell type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PsType {
    String,
    StringArray,
    Int,
    Switch,
    DateTime,
    Object,
    ObjectArray,
    Dictionary,
    Hashtable,
}

impl PsType {
    pub fn ps(self) -> &'static str {
        match self {
            PsType::String => "string",
            PsType::StringArray => "string[]",
            PsType::Int => "int",
            PsType::Switch => "switch",
            PsType::DateTime => "datetime",
            PsType::Object => "object",
            PsType::ObjectArray => "object[]",
            PsType::Dictionary => "System.Collections.IDictionary",
            PsType::Hashtable => "hashtable",
        }
    }

    fn of_prop(ty: PropType) -> PsType {
        match ty {
            PropType::String => PsType::String,
            PropType::Int => PsType::Int,
            PropType::Bool => PsType::Switch,
            PropType::DateTime => PsType::DateTime,
            PropType::StringList => PsType::StringArray,
            PropType::Model(_) | PropType::Any => PsType::Object,
            PropType::ModelList(_) => PsType::ObjectArray,
        }
    }
}

/// OData query options of list and get sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryOption {
    Property,
    ExpandProperty,
    Filter,
    Search,
    Sort,
    Top,
    PageSize,
    All,
    CountVariable,
    ConsistencyLevel,
}

/// What a parameter means to the engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Fills a path placeholder.
    Path(&'static str),
    /// An identity object whose properties fill the placeholders.
    InputObject,
    Query(QueryOption),
    /// One property of the body (expanded sets).
    BodyProp(&'static str),
    /// The whole body (a dictionary, an object or a JSON string).
    BodyParameter,
    /// Extra body properties merged as they are.
    AdditionalProperties,
    /// `-DirectoryObjectId` of `New-MgGroupMember`.
    DirectoryObjectId,
    Headers,
    ResponseHeadersVariable,
    IfMatch,
    PassThru,
    /// Requests in flight at once for pipeline input (MgGraph's bulk mode).
    ThrottleLimit,
}

/// A derived parameter set.
#[derive(Debug, Clone)]
pub struct ParamSet {
    pub name: String,
    pub route: &'static Route,
    pub via_identity: bool,
    pub expanded: bool,
}

/// One parameter of a command, merged across the sets it belongs to.
#[derive(Debug, Clone)]
pub struct Param {
    pub name: String,
    pub ty: PsType,
    pub role: Role,
    pub aliases: &'static [&'static str],
    /// (set name, mandatory in that set).
    pub sets: Vec<(String, bool)>,
    pub from_pipeline: bool,
    pub by_property_name: bool,
    pub help: String,
}

/// PascalCase parameter name of a path placeholder: `user-id` → `UserId`.
pub fn placeholder_param(placeholder: &str) -> String {
    pascal(placeholder)
}

impl Command {
    /// The parameter sets, in the SDK's order; the first is the default.
    pub fn parameter_sets(&'static self) -> Vec<ParamSet> {
        let mut sets = vec![];
        for route in self.routes {
            let has_identity = !route.placeholders().is_empty();
            let mut add = |name: &str, via_identity: bool, expanded: bool| {
                sets.push(ParamSet {
                    name: name.to_string(),
                    route,
                    via_identity,
                    expanded,
                })
            };
            match route.kind {
                RouteKind::List => add("List", false, false),
                RouteKind::Get => {
                    add("Get", false, false);
                    if has_identity {
                        add("GetViaIdentity", true, false);
                    }
                }
                RouteKind::Create | RouteKind::Update => {
                    let verb = if route.kind == RouteKind::Create {
                        "Create"
                    } else {
                        "Update"
                    };
                    add(&format!("{verb}Expanded"), false, true);
                    add(verb, false, false);
                    if has_identity {
                        add(&format!("{verb}ViaIdentityExpanded"), true, true);
                        add(&format!("{verb}ViaIdentity"), true, false);
                    }
                }
                RouteKind::Delete => {
                    add("Delete", false, false);
                    if has_identity {
                        add("DeleteViaIdentity", true, false);
                    }
                }
            }
        }
        sets
    }

    pub fn default_set(&'static self) -> String {
        self.parameter_sets()
            .first()
            .map(|s| s.name.clone())
            .unwrap_or_default()
    }

    pub fn set(&'static self, name: &str) -> Option<ParamSet> {
        self.parameter_sets()
            .into_iter()
            .find(|s| s.name.eq_ignore_ascii_case(name))
    }

    /// Whether the command changes state (SupportsShouldProcess).
    pub fn mutates(&self) -> bool {
        self.routes.iter().any(|r| r.method != Method::Get)
    }

    pub fn output_model(&self) -> Option<&'static Model> {
        self.output.and_then(model)
    }

    /// The SDK's internal cmdlet type name for a set, e.g. `GetMgUser_Get`.
    pub fn internal_name(&self, set: &str) -> String {
        format!("{}_{}", self.name, set)
    }

    /// Every parameter, merged across sets, in a stable order.
    pub fn params(&'static self) -> Vec<Param> {
        let mut params: Vec<Param> = vec![];
        let mut add = |name: String,
                       ty: PsType,
                       role: Role,
                       aliases: &'static [&'static str],
                       set: &str,
                       mandatory: bool,
                       help: String| {
            if let Some(p) = params.iter_mut().find(|p| p.name == name) {
                if !p.sets.iter().any(|(s, _)| s == set) {
                    p.sets.push((set.to_string(), mandatory));
                }
                return;
            }
            // As in the SDK: the identity object, and the whole body of the Create/Update
            // sets (`@{...} | New-MgUser`).
            let from_pipeline = matches!(role, Role::InputObject | Role::BodyParameter);
            let by_property_name = matches!(role, Role::Path(_) | Role::DirectoryObjectId);
            params.push(Param {
                name,
                ty,
                role,
                aliases,
                sets: vec![(set.to_string(), mandatory)],
                from_pipeline,
                by_property_name,
                help,
            });
        };
        let sets = self.parameter_sets();
        // Identity first: path parameters, then the pipeline identity object.
        for set in &sets {
            if set.via_identity {
                // A dictionary, not any object: typed objects (a user from Get-MgUser) then
                // bind their ids by property name to the path parameters of the other sets,
                // instead of being captured here by an [object] parameter.
                add(
                    "InputObject".into(),
                    PsType::Dictionary,
                    Role::InputObject,
                    &[],
                    &set.name,
                    true,
                    "Identity parameter: a hashtable with the ids of the path, such as \
                     @{UserId = '...'}. Objects such as users from Get-MgUser bind their ids by \
                     property name instead."
                        .into(),
                );
            } else {
                for ph in set.route.placeholders() {
                    let what = ph.trim_end_matches("-id");
                    add(
                        placeholder_param(ph),
                        PsType::String,
                        Role::Path(ph),
                        &[],
                        &set.name,
                        true,
                        format!("The unique identifier of {what}."),
                    );
                }
            }
        }
        // Bodies.
        for set in &sets {
            let Some(body) = set.route.body.and_then(model) else {
                continue;
            };
            if set.expanded {
                if self.special == Special::DirectoryObjectRef {
                    add(
                        "DirectoryObjectId".into(),
                        PsType::String,
                        Role::DirectoryObjectId,
                        &[],
                        &set.name,
                        true,
                        "The id of the directory object to add.".into(),
                    );
                } else {
                    for prop in body.props {
                        add(
                            pascal(prop.json),
                            PsType::of_prop(prop.ty),
                            Role::BodyProp(prop.json),
                            &[],
                            &set.name,
                            false,
                            format!("Sets `{}` in the request body.", prop.json),
                        );
                    }
                }
                add(
                    "AdditionalProperties".into(),
                    PsType::Hashtable,
                    Role::AdditionalProperties,
                    &[],
                    &set.name,
                    false,
                    "Additional body properties, sent as they are (for example @odata.type)."
                        .into(),
                );
            } else {
                add(
                    "BodyParameter".into(),
                    PsType::Object,
                    Role::BodyParameter,
                    &["Body"],
                    &set.name,
                    true,
                    format!(
                        "The request body: a hashtable, an object or a JSON string ({}).",
                        body.interface_name()
                    ),
                );
            }
        }
        // Query options.
        for set in &sets {
            let kind = set.route.kind;
            if kind == RouteKind::List || kind == RouteKind::Get {
                add(
                    "Property".into(),
                    PsType::StringArray,
                    Role::Query(QueryOption::Property),
                    &["Select"],
                    &set.name,
                    false,
                    "Properties to return ($select).".into(),
                );
                add(
                    "ExpandProperty".into(),
                    PsType::StringArray,
                    Role::Query(QueryOption::ExpandProperty),
                    &["Expand"],
                    &set.name,
                    false,
                    "Related entities to expand ($expand).".into(),
                );
            }
            if kind != RouteKind::List {
                continue;
            }
            let list_options: [(&str, PsType, QueryOption, &'static [&'static str], &str); 7] = [
                ("Filter", PsType::String, QueryOption::Filter, &[], "An OData filter ($filter)."),
                (
                    "Search",
                    PsType::String,
                    QueryOption::Search,
                    &[],
                    "A search expression ($search); quoted when it is not already.",
                ),
                ("Sort", PsType::StringArray, QueryOption::Sort, &["OrderBy"], "Sort order ($orderby)."),
                (
                    "Top",
                    PsType::Int,
                    QueryOption::Top,
                    &["Limit"],
                    "Returns at most this many items, paging as needed.",
                ),
                (
                    "PageSize",
                    PsType::Int,
                    QueryOption::PageSize,
                    &[],
                    "Items per page (1-999). With -All and no -PageSize, MgGraph asks for the largest page the API allows.",
                ),
                (
                    "All",
                    PsType::Switch,
                    QueryOption::All,
                    &[],
                    "Follows @odata.nextLink and streams every page down the pipeline.",
                ),
                (
                    "CountVariable",
                    PsType::String,
                    QueryOption::CountVariable,
                    &["CV"],
                    "The name of a global variable that receives @odata.count.",
                ),
            ];
            for (name, ty, opt, aliases, help) in list_options {
                add(
                    name.into(),
                    ty,
                    Role::Query(opt),
                    aliases,
                    &set.name,
                    false,
                    help.into(),
                );
            }
            if self.advanced_query {
                add(
                    "ConsistencyLevel".into(),
                    PsType::String,
                    Role::Query(QueryOption::ConsistencyLevel),
                    &[],
                    &set.name,
                    false,
                    "The ConsistencyLevel header (eventual) for advanced queries.".into(),
                );
            }
        }
        // Common parameters of every set.
        for set in &sets {
            let kind = set.route.kind;
            if kind == RouteKind::Delete {
                add(
                    "IfMatch".into(),
                    PsType::String,
                    Role::IfMatch,
                    &[],
                    &set.name,
                    false,
                    "ETag value for the If-Match header.".into(),
                );
            }
            if !set.route.returns_content() {
                add(
                    "PassThru".into(),
                    PsType::Switch,
                    Role::PassThru,
                    &[],
                    &set.name,
                    false,
                    "Returns $true when the command succeeds.".into(),
                );
            }
            add(
                "Headers".into(),
                PsType::Dictionary,
                Role::Headers,
                &[],
                &set.name,
                false,
                "Extra request headers.".into(),
            );
            add(
                "ResponseHeadersVariable".into(),
                PsType::String,
                Role::ResponseHeadersVariable,
                &["RHV"],
                &set.name,
                false,
                "The name of a variable that receives the response headers.".into(),
            );
            if kind != RouteKind::List {
                add(
                    "ThrottleLimit".into(),
                    PsType::Int,
                    Role::ThrottleLimit,
                    &[],
                    &set.name,
                    false,
                    "How many pipeline inputs are sent at once (MgGraph bulk mode). 1, the \
                     default, behaves exactly as the SDK: one request after another."
                        .into(),
                );
            }
        }
        params
    }

    /// The parameter with this name (or alias), ignoring case.
    pub fn param(&'static self, name: &str) -> Option<Param> {
        self.params().into_iter().find(|p| {
            p.name.eq_ignore_ascii_case(name)
                || p.aliases.iter().any(|a| a.eq_ignore_ascii_case(name))
        })
    }
}

/// Looks a catalog command up by name, ignoring case.
pub fn command(name: &str) -> Option<&'static Command> {
    COMMANDS.iter().find(|c| c.name.eq_ignore_ascii_case(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_follow_the_sdk_names_and_defaults() {
        let names = |c: &str| -> Vec<String> {
            command(c)
                .unwrap()
                .parameter_sets()
                .into_iter()
                .map(|s| s.name)
                .collect()
        };
        assert_eq!(names("Get-MgUser"), ["List", "Get", "GetViaIdentity"]);
        assert_eq!(names("New-MgUser"), ["CreateExpanded", "Create"]);
        assert_eq!(
            names("New-MgUserAuthenticationTemporaryAccessPassMethod"),
            [
                "CreateExpanded",
                "Create",
                "CreateViaIdentityExpanded",
                "CreateViaIdentity"
            ]
        );
        assert_eq!(
            names("Remove-MgUserAuthenticationFido2Method"),
            ["Delete", "DeleteViaIdentity"]
        );
        assert_eq!(names("Get-MgGroupMember"), ["List"]);
    }

    #[test]
    fn tap_expanded_parameters_come_from_the_model() {
        let c = command("New-MgUserAuthenticationTemporaryAccessPassMethod").unwrap();
        for name in [
            "IsUsableOnce",
            "LifetimeInMinutes",
            "StartDateTime",
            "UserId",
        ] {
            let p = c.param(name).unwrap_or_else(|| panic!("missing {name}"));
            assert!(p.sets.iter().any(|(s, _)| s == "CreateExpanded"), "{name}");
        }
        assert_eq!(c.param("IsUsableOnce").unwrap().ty, PsType::Switch);
        assert_eq!(c.param("StartDateTime").unwrap().ty, PsType::DateTime);
        let body = c.param("Body").unwrap();
        assert_eq!(body.name, "BodyParameter");
        assert!(body.sets.iter().all(|(_, mandatory)| *mandatory));
    }

    #[test]
    fn list_options_exist_only_on_list_sets() {
        let c = command("Get-MgUser").unwrap();
        let all = c.param("All").unwrap();
        assert_eq!(all.sets, vec![("List".to_string(), false)]);
        assert!(c.param("ConsistencyLevel").is_some());
        let select = c.param("Select").unwrap();
        assert_eq!(select.name, "Property");
        assert_eq!(select.sets.len(), 3);
        // The SDK documents -Count as a prefix of -CountVariable: nothing else may start with it.
        let count_like: Vec<_> = c
            .params()
            .into_iter()
            .filter(|p| p.name.starts_with("Count"))
            .map(|p| p.name)
            .collect();
        assert_eq!(count_like, vec!["CountVariable"]);
    }

    #[test]
    fn placeholders_are_parsed_in_order() {
        let c = command("Remove-MgUserAuthenticationTemporaryAccessPassMethod").unwrap();
        assert_eq!(
            c.routes[0].placeholders(),
            vec!["user-id", "temporaryAccessPassAuthenticationMethod-id"]
        );
        assert_eq!(
            placeholder_param("temporaryAccessPassAuthenticationMethod-id"),
            "TemporaryAccessPassAuthenticationMethodId"
        );
    }

    #[test]
    fn every_command_is_well_formed() {
        for c in COMMANDS {
            assert!(!c.routes.is_empty(), "{}", c.name);
            assert!(!c.examples.is_empty(), "{} has no help example", c.name);
            if let Some(out) = c.output {
                assert!(model(out).is_some(), "{}: unknown output {out}", c.name);
            }
            for r in c.routes {
                if let Some(b) = r.body {
                    assert!(model(b).is_some(), "{}: unknown body {b}", c.name);
                }
            }
            // Parameter names must be unique ignoring case, aliases included.
            let mut seen = std::collections::HashSet::new();
            for p in c.params() {
                assert!(
                    seen.insert(p.name.to_ascii_lowercase()),
                    "{}: {}",
                    c.name,
                    p.name
                );
                for a in p.aliases {
                    assert!(seen.insert(a.to_ascii_lowercase()), "{}: alias {a}", c.name);
                }
            }
            let verb = c.name.split('-').next().unwrap();
            assert!(
                ["Get", "New", "Update", "Remove", "Set"].contains(&verb),
                "{}: unapproved verb",
                c.name
            );
        }
    }
}
