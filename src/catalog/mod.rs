//! The operation catalog: one declarative table of Graph commands.
//!
//! Every Graph cmdlet of the module is generated from [`COMMANDS`] (see [`powershell`]), and
//! the engine interprets the same table at run time. Parameter sets, parameter names and
//! their roles are *derived* from a command's routes with the SDK's conventions (List, Get,
//! CreateExpanded, Create, ...ViaIdentity), so adding a Graph operation is one table entry.

use std::collections::HashMap;

pub mod commands;
#[cfg(feature = "codegen")]
pub mod csharp;
pub mod describe;
pub mod generated;
pub mod models;
pub mod modules;
pub mod permissions;
pub mod powershell;
pub mod sdk_identity;

pub use commands::{BUILTIN_COMMANDS, COMMANDS, INTERNAL_COMMANDS};
pub use models::{model, pascal, Model, PropType};

/// HTTP method of a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Patch,
    Put,
    Delete,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Patch => "PATCH",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
        }
    }

    /// `GET`, `POST`, ... (any case) as a method.
    pub fn parse(text: &str) -> Option<Method> {
        Some(match text.to_ascii_uppercase().as_str() {
            "GET" => Method::Get,
            "POST" => Method::Post,
            "PATCH" => Method::Patch,
            "PUT" => Method::Put,
            "DELETE" => Method::Delete,
            _ => return None,
        })
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

/// What a route does; decides the parameter sets it yields and how the engine runs it. The
/// kinds are those of the SDK's OpenAPI conversion (`src/catalog/generated/README.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteKind {
    List,
    Get,
    Create,
    Update,
    /// PUT of a whole entity.
    Set,
    Delete,
    /// `GET .../$count`: a number as `text/plain`.
    Count,
    /// `GET .../$ref` of a collection: the `@odata.id` of each member.
    RefList,
    /// `GET .../$ref` of a single-valued navigation property.
    RefGet,
    /// `POST .../$ref`: adds a reference (`{"@odata.id": ...}`).
    RefCreate,
    /// `PUT .../$ref`: sets a single-valued reference.
    RefSet,
    /// `DELETE .../$ref` (`?$id=` on collections).
    RefDelete,
    Action,
    Function,
    /// `GET` of binary content (`$value`, stream properties).
    MediaGet,
    /// `PUT` of binary content.
    MediaSet,
    MediaDelete,
}

impl RouteKind {
    /// The catalog file's name of a kind (`ref-create`, ...).
    pub fn parse(text: &str) -> Option<RouteKind> {
        Some(match text {
            "list" => RouteKind::List,
            "get" => RouteKind::Get,
            "create" => RouteKind::Create,
            "update" => RouteKind::Update,
            "set" => RouteKind::Set,
            "delete" => RouteKind::Delete,
            "count" => RouteKind::Count,
            "ref-list" => RouteKind::RefList,
            "ref-get" => RouteKind::RefGet,
            "ref-create" => RouteKind::RefCreate,
            "ref-set" => RouteKind::RefSet,
            "ref-delete" => RouteKind::RefDelete,
            "action" => RouteKind::Action,
            "function" => RouteKind::Function,
            "media-get" => RouteKind::MediaGet,
            "media-set" => RouteKind::MediaSet,
            "media-delete" => RouteKind::MediaDelete,
            _ => return None,
        })
    }

    /// The SDK's base parameter-set name when the catalog gives none.
    pub fn default_variant(self) -> &'static str {
        match self {
            RouteKind::List | RouteKind::RefList => "List",
            RouteKind::Get | RouteKind::Count | RouteKind::RefGet | RouteKind::MediaGet => "Get",
            RouteKind::Create | RouteKind::RefCreate => "Create",
            RouteKind::Update => "Update",
            RouteKind::Set | RouteKind::RefSet | RouteKind::MediaSet => "Set",
            RouteKind::Delete | RouteKind::RefDelete | RouteKind::MediaDelete => "Delete",
            RouteKind::Action => "Invoke",
            RouteKind::Function => "Get",
        }
    }
}

/// OData system query options a route accepts ($select, $filter, ...), as bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct QuerySupport(pub u16);

impl QuerySupport {
    pub const SELECT: u16 = 1;
    pub const EXPAND: u16 = 2;
    pub const FILTER: u16 = 4;
    pub const SEARCH: u16 = 8;
    pub const ORDERBY: u16 = 16;
    pub const TOP: u16 = 32;
    pub const SKIP: u16 = 64;
    pub const COUNT: u16 = 128;

    pub fn has(self, bit: u16) -> bool {
        self.0 & bit != 0
    }

    /// The bit of an option's catalog name (`select`, `orderby`, ...).
    pub fn bit(name: &str) -> u16 {
        match name {
            "select" => Self::SELECT,
            "expand" => Self::EXPAND,
            "filter" => Self::FILTER,
            "search" => Self::SEARCH,
            "orderby" => Self::ORDERBY,
            "top" => Self::TOP,
            "skip" => Self::SKIP,
            "count" => Self::COUNT,
            _ => 0,
        }
    }
}

/// What a successful response of a route carries, when the catalog says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Returns {
    /// An entity or complex type (by model id), one or a collection.
    Model(&'static str, bool),
    /// A primitive or enum value (`Edm.Int32`, ...), one or a collection.
    Primitive(&'static str, bool),
    /// Binary content.
    Stream,
}

/// One parameter of an action's request body.
#[derive(Debug, Clone, Copy)]
pub struct ActionParam {
    /// The name on the wire (camelCase).
    pub json: &'static str,
    pub ty: PropType,
    pub nullable: bool,
}

/// A custom query option of a route: a query-string parameter beyond the OData system
/// options (`startDateTime` of `calendarView`, `$format` of a drive item's content).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CustomQuery {
    /// The name in the query string.
    pub name: &'static str,
    /// Whether the operation requires it (a mandatory parameter).
    pub required: bool,
}

impl CustomQuery {
    /// The parameter's name: Pascal case without `$` (`-StartDateTime`, `-Format`), with
    /// `Parameter` appended where that is a common parameter's name.
    pub fn param_name(&self) -> String {
        body_param_name(self.name.trim_start_matches('$'))
    }
}

/// One HTTP route of a command.
#[derive(Debug, Clone)]
pub struct Route {
    pub kind: RouteKind,
    pub method: Method,
    /// Path below the version segment, with `{name-id}` placeholders.
    pub path: &'static str,
    /// Body model for Create/Update.
    pub body: Option<&'static str>,
    /// The SDK's base parameter-set name (`Assign`, `Delta`, ...); `None`: the kind's default.
    pub variant: Option<&'static str>,
    /// An action's body parameters.
    pub action: &'static [ActionParam],
    /// What the response carries; `None`: as the command's output model says.
    pub returns: Option<Returns>,
    /// Query options accepted; `None`: every list option on lists, `$select`/`$expand` on gets.
    pub query: Option<QuerySupport>,
    /// The route declares the `ConsistencyLevel` header (advanced queries).
    pub consistency_level: bool,
    /// The custom query options the route declares.
    pub custom_query: &'static [CustomQuery],
    /// A collection answer paged with `@odata.nextLink`.
    pub pageable: bool,
    /// The SDK's class for the action's parameters (`-BodyParameter`'s type), where the
    /// metadata gives it one: `Paths6Fg5LiGroupsGroupIdMicrosoftGraphAssignlicense…Schema`.
    pub body_schema: Option<&'static str>,
    /// The SDK's class for a primitive or non-entity collection result (`{"value": ...}`).
    pub response_schema: Option<&'static str>,
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
        match self.kind {
            RouteKind::List
            | RouteKind::Get
            | RouteKind::Count
            | RouteKind::RefList
            | RouteKind::RefGet
            | RouteKind::MediaGet => true,
            RouteKind::Create => self.body != Some("referenceCreate"),
            // A stream property's upload answers its entity (a drive item's `content`).
            RouteKind::Action | RouteKind::Function | RouteKind::MediaSet => self.returns.is_some(),
            _ => false,
        }
    }

    /// Whether a successful call returns binary content (`$value`, stream properties, and
    /// functions or actions returning `Edm.Stream` such as the usage reports): the content
    /// goes to `-OutFile`.
    pub fn returns_stream(&self) -> bool {
        self.kind == RouteKind::MediaGet || self.returns == Some(Returns::Stream)
    }

    /// Whether the route addresses Planner's data (`/planner/tasks/{id}`,
    /// `/groups/{id}/planner/plans`, `/users/{id}/planner`), whose updates and deletes Graph
    /// accepts only with the item's ETag in `If-Match` (plannerTask-update and the other
    /// Planner pages: "If-Match ... Required").
    pub fn is_planner_item(&self) -> bool {
        self.path
            .split('/')
            .any(|s| s.eq_ignore_ascii_case("planner"))
    }

    /// The base parameter-set name.
    pub fn variant(&self) -> &'static str {
        self.variant.unwrap_or(self.kind.default_variant())
    }

    /// The query options this route accepts.
    pub fn query_support(&self) -> QuerySupport {
        if let Some(q) = self.query {
            return q;
        }
        match self.kind {
            RouteKind::List => QuerySupport(0xff & !QuerySupport::SKIP),
            RouteKind::Get => QuerySupport(QuerySupport::SELECT | QuerySupport::EXPAND),
            _ => QuerySupport::default(),
        }
    }

    /// Whether the route answers with pages of a collection (`-All`, `-PageSize`).
    pub fn is_paged(&self) -> bool {
        self.kind == RouteKind::List || self.pageable
    }

    /// Whether the request carries a JSON object whose members can be given one by one
    /// (the `...Expanded` parameter sets).
    pub fn has_object_body(&self) -> bool {
        match self.kind {
            RouteKind::Create | RouteKind::Update | RouteKind::Set => self.body.is_some(),
            RouteKind::RefCreate | RouteKind::RefSet => true,
            RouteKind::Action => !self.action.is_empty(),
            _ => false,
        }
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
#[derive(Debug, Clone)]
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
    /// `byte[]` (an `Edm.Binary` property).
    Bytes,
    Int,
    Long,
    Double,
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
            PsType::Bytes => "byte[]",
            PsType::Int => "int",
            PsType::Long => "long",
            PsType::Double => "double",
            PsType::Switch => "switch",
            PsType::DateTime => "datetime",
            PsType::Object => "object",
            PsType::ObjectArray => "object[]",
            PsType::Dictionary => "System.Collections.IDictionary",
            PsType::Hashtable => "hashtable",
        }
    }

    pub fn of_prop(ty: PropType) -> PsType {
        match ty {
            PropType::String | PropType::Enum(_) => PsType::String,
            PropType::Int => PsType::Int,
            PropType::Long => PsType::Long,
            PropType::Double => PsType::Double,
            PropType::Bool => PsType::Switch,
            PropType::DateTime => PsType::DateTime,
            PropType::StringList => PsType::StringArray,
            PropType::Binary => PsType::Bytes,
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
    Skip,
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
    /// One parameter of an action's body (expanded sets).
    ActionParam(&'static str),
    /// `-OdataId` of `$ref` creation: the body's `@odata.id`.
    OdataId,
    /// `-Id` of a collection `$ref` removal: the `$id` query option.
    RefId,
    /// A custom query option (`-StartDateTime` of Get-MgUserCalendarView): this name in the
    /// query string.
    CustomQuery(&'static str),
    /// `-OutFile` of binary content.
    OutFile,
    /// `-InFile` of binary content.
    InFile,
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

/// PowerShell's common parameters and the ShouldProcess parameters, with their aliases: a
/// cmdlet's own parameter or alias of one of these names cannot bind ("A parameter with the
/// name 'Pv' was defined multiple times for the command").
pub const COMMON_PARAMETERS: &[&str] = &[
    "Verbose",
    "vb",
    "Debug",
    "db",
    "ErrorAction",
    "ea",
    "WarningAction",
    "wa",
    "InformationAction",
    "infa",
    "ProgressAction",
    "proga",
    "ErrorVariable",
    "ev",
    "WarningVariable",
    "wv",
    "InformationVariable",
    "iv",
    "OutVariable",
    "ov",
    "OutBuffer",
    "ob",
    "PipelineVariable",
    "pv",
    "WhatIf",
    "wi",
    "Confirm",
    "cf",
    "UseTransaction",
    "usetx",
];

/// The SDK's runtime parameters (AutoRest's, on every generated cmdlet), which the compiled
/// layer declares once on the cmdlets' base class (`MgCatalogCmdlet`): a generated
/// parameter or alias of one of these names would be defined twice.
pub const RUNTIME_PARAMETERS: &[&str] = &[
    "Break",
    "HttpPipelineAppend",
    "HttpPipelinePrepend",
    "Proxy",
    "ProxyCredential",
    "ProxyUseDefaultCredentials",
];

/// Whether a name is one of [`COMMON_PARAMETERS`] or [`RUNTIME_PARAMETERS`], ignoring case:
/// no generated parameter or alias may take it.
pub fn is_common_parameter(name: &str) -> bool {
    COMMON_PARAMETERS
        .iter()
        .chain(RUNTIME_PARAMETERS)
        .any(|c| c.eq_ignore_ascii_case(name))
}

/// The parameter name of a body property or action parameter: Pascal case, with `Parameter`
/// appended where the name is a common parameter's (the workbook functions' `pv` →
/// `-PvParameter`), as the SDK names the whole body `-BodyParameter`.
pub fn body_param_name(json: &str) -> String {
    let name = pascal(json);
    if is_common_parameter(&name) {
        format!("{name}Parameter")
    } else {
        name
    }
}

/// PascalCase parameter name of a path placeholder: `user-id` → `UserId`.
pub fn placeholder_param(placeholder: &str) -> String {
    pascal(placeholder)
}

impl Command {
    /// The parameter sets, in the SDK's order; the first is the default.
    ///
    /// A set that no combination of parameters can select is left out: when two routes give
    /// sets with the same parameters (a deprecated duplicate path such as
    /// `POST /identityProviders` next to `POST /identity/identityProviders`, both `Create`
    /// sets taking only `-BodyParameter`), PowerShell could not tell them apart ("Parameter
    /// set cannot be resolved"); the SDK has one such set, the first route's.
    pub fn parameter_sets(&'static self) -> Vec<ParamSet> {
        let raw = self.route_sets();
        let params = self.params_for(&raw);
        let mut seen: Vec<Vec<(String, bool)>> = vec![];
        let mut out = vec![];
        for set in raw {
            let mut signature: Vec<(String, bool)> = params
                .iter()
                .filter_map(|p| {
                    p.sets
                        .iter()
                        .find(|(s, _)| s == &set.name)
                        .map(|(_, mandatory)| (p.name.to_ascii_lowercase(), *mandatory))
                })
                .collect();
            signature.sort();
            if seen.contains(&signature) {
                continue;
            }
            seen.push(signature);
            out.push(set);
        }
        out
    }

    /// Every set the routes give, before indistinguishable duplicates are dropped.
    fn route_sets(&'static self) -> Vec<ParamSet> {
        let mut sets = vec![];
        for route in self.routes {
            let has_identity = !route.placeholders().is_empty();
            // A numbered variant keeps its number last: `Get1` → `GetViaIdentity1`,
            // `Create1` → `CreateExpanded1`, as AutoRest names them.
            let base = route.variant();
            let stem = base.trim_end_matches(|c: char| c.is_ascii_digit());
            let number = &base[stem.len()..];
            let mut add = |suffix: &str, via_identity: bool, expanded: bool| {
                sets.push(ParamSet {
                    name: format!("{stem}{suffix}{number}"),
                    route,
                    via_identity,
                    expanded,
                })
            };
            // The SDK's variants (sdk-generation.md §4): `Expanded` when the body is an
            // object, `ViaIdentity` when the path has ids and the operation is not a list;
            // the expanded form first, which makes it the default where both exist.
            if route.kind == RouteKind::List || route.kind == RouteKind::RefList {
                add("", false, false);
                continue;
            }
            let expanded = route.has_object_body();
            if expanded {
                add("Expanded", false, true);
            }
            add("", false, false);
            if has_identity {
                if expanded {
                    add("ViaIdentityExpanded", true, true);
                }
                add("ViaIdentity", true, false);
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
        self.params_for(&self.parameter_sets())
    }

    /// The parameters of these sets.
    fn params_for(&'static self, sets: &[ParamSet]) -> Vec<Param> {
        let mut params: Vec<Param> = vec![];
        // The SDK's Applications modules give every -ApplicationId (path or body) the alias
        // ObjectId, as AzureAD's -ObjectId was (learn.microsoft.com: Get-MgApplication,
        // Add-MgApplicationPassword, Update-MgApplicationSynchronizationTemplate).
        let applications = matches!(
            self.sdk_module,
            "Microsoft.Graph.Applications" | "Microsoft.Graph.Beta.Applications"
        );
        let mut add = |name: String,
                       ty: PsType,
                       role: Role,
                       aliases: &'static [&'static str],
                       set: &str,
                       mandatory: bool,
                       help: String| {
            let aliases = if applications && aliases.is_empty() && name == "ApplicationId" {
                &["ObjectId"]
            } else {
                aliases
            };
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
        // Identity first: path parameters, then the pipeline identity object.
        for set in sets {
            if set.via_identity {
                // A dictionary, not any object: an object with properties named like the ids
                // then binds them by property name to the path parameters of the other sets,
                // instead of being captured here by an [object] parameter.
                add(
                    "InputObject".into(),
                    PsType::Dictionary,
                    Role::InputObject,
                    &[],
                    &set.name,
                    true,
                    "Identity parameter: a hashtable with the ids of the path, such as \
                     @{UserId = '...'}. An object with properties of those names binds them by \
                     property name instead; a model object (a user from Get-MgUser) has only \
                     its Id, so pass that, as with the SDK: -UserId $user.Id."
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
        for set in sets {
            let route = set.route;
            let body_model = route.body.and_then(model);
            match route.kind {
                RouteKind::MediaSet => {
                    add(
                        "InFile".into(),
                        PsType::String,
                        Role::InFile,
                        &[],
                        &set.name,
                        true,
                        "The file whose content is uploaded.".into(),
                    );
                    continue;
                }
                RouteKind::Create | RouteKind::Update | RouteKind::Set if body_model.is_none() => {
                    continue
                }
                RouteKind::Create
                | RouteKind::Update
                | RouteKind::Set
                | RouteKind::RefCreate
                | RouteKind::RefSet => {}
                RouteKind::Action if !route.action.is_empty() => {}
                _ => continue,
            }
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
                } else if matches!(route.kind, RouteKind::RefCreate | RouteKind::RefSet) {
                    add(
                        "OdataId".into(),
                        PsType::String,
                        Role::OdataId,
                        &[],
                        &set.name,
                        true,
                        "The URL of the object to refer to (@odata.id), such as https://graph.microsoft.com/v1.0/directoryObjects/{id}.".into(),
                    );
                    // A reference update (`Set-*ByRef`, the SDK's ReferenceUpdate body) also
                    // carries `@odata.type`.
                    if route.kind == RouteKind::RefSet {
                        add(
                            "OdataType".into(),
                            PsType::String,
                            Role::BodyProp("@odata.type"),
                            &[],
                            &set.name,
                            false,
                            "Sets `@odata.type` in the request body.".into(),
                        );
                    }
                } else if route.kind == RouteKind::Action {
                    for p in route.action {
                        add(
                            body_param_name(p.json),
                            PsType::of_prop(p.ty),
                            Role::ActionParam(p.json),
                            &[],
                            &set.name,
                            false,
                            format!("Sets `{}` in the request body.", p.json),
                        );
                    }
                } else if let Some(body) = body_model {
                    for prop in body.props {
                        add(
                            body_param_name(prop.json),
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
                let shape = body_model
                    .map(|b| b.interface_name())
                    .unwrap_or_else(|| "an object".into());
                add(
                    "BodyParameter".into(),
                    PsType::Object,
                    Role::BodyParameter,
                    &["Body"],
                    &set.name,
                    true,
                    format!("The request body: a hashtable, an object or a JSON string ({shape})."),
                );
            }
        }
        // Query options, as each route declares them.
        for set in sets {
            let route = set.route;
            // The route's own query parameters first (`-StartDateTime`/`-EndDateTime` of
            // calendarView, mandatory where the metadata says Required, as in the SDK).
            for cq in route.custom_query {
                add(
                    cq.param_name(),
                    PsType::String,
                    Role::CustomQuery(cq.name),
                    &[],
                    &set.name,
                    cq.required,
                    format!("The {} query parameter.", cq.name),
                );
            }
            let q = route.query_support();
            let opt = |bit: u16| q.has(bit);
            let mut options: Vec<(&str, PsType, QueryOption, &'static [&'static str], &str)> =
                vec![];
            if opt(QuerySupport::SELECT) {
                options.push((
                    "Property",
                    PsType::StringArray,
                    QueryOption::Property,
                    &["Select"],
                    "Properties to return ($select).",
                ));
            }
            if opt(QuerySupport::EXPAND) {
                options.push((
                    "ExpandProperty",
                    PsType::StringArray,
                    QueryOption::ExpandProperty,
                    &["Expand"],
                    "Related entities to expand ($expand).",
                ));
            }
            if opt(QuerySupport::FILTER) {
                options.push((
                    "Filter",
                    PsType::String,
                    QueryOption::Filter,
                    &[],
                    "An OData filter ($filter).",
                ));
            }
            if opt(QuerySupport::SEARCH) {
                options.push((
                    "Search",
                    PsType::String,
                    QueryOption::Search,
                    &[],
                    "A search expression ($search); quoted when it is not already.",
                ));
            }
            if opt(QuerySupport::ORDERBY) {
                options.push((
                    "Sort",
                    PsType::StringArray,
                    QueryOption::Sort,
                    &["OrderBy"],
                    "Sort order ($orderby).",
                ));
            }
            if opt(QuerySupport::TOP) {
                options.push((
                    "Top",
                    PsType::Int,
                    QueryOption::Top,
                    &["Limit"],
                    "Returns at most this many items, paging as needed.",
                ));
            }
            if opt(QuerySupport::SKIP) {
                options.push((
                    "Skip",
                    PsType::Int,
                    QueryOption::Skip,
                    &[],
                    "Skips this many items ($skip).",
                ));
            }
            if route.is_paged() {
                options.push((
                    "PageSize",
                    PsType::Int,
                    QueryOption::PageSize,
                    &[],
                    "Items per page (1-999). With -All and no -PageSize, MgGraph asks for the largest page the API allows.",
                ));
                options.push((
                    "All",
                    PsType::Switch,
                    QueryOption::All,
                    &[],
                    "Follows @odata.nextLink and streams every page down the pipeline.",
                ));
            }
            if opt(QuerySupport::COUNT) && route.kind != RouteKind::Count {
                options.push((
                    "CountVariable",
                    PsType::String,
                    QueryOption::CountVariable,
                    &["CV"],
                    "The name of a global variable that receives @odata.count.",
                ));
            }
            for (name, ty, opt, aliases, help) in options {
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
            let consistency = if route.query.is_some() {
                route.consistency_level
            } else {
                route.kind == RouteKind::List && self.advanced_query
            };
            if consistency {
                add(
                    "ConsistencyLevel".into(),
                    PsType::String,
                    Role::Query(QueryOption::ConsistencyLevel),
                    &[],
                    &set.name,
                    // The SDK makes it mandatory where a count needs it (readme.graph.md).
                    route.kind == RouteKind::Count,
                    "The ConsistencyLevel header (eventual) for advanced queries.".into(),
                );
            }
            match route.kind {
                _ if route.returns_stream() => add(
                    "OutFile".into(),
                    PsType::String,
                    Role::OutFile,
                    &[],
                    &set.name,
                    true,
                    "The file the content is written to.".into(),
                ),
                // `DELETE .../members/$ref?$id=...` names the member; a single-valued
                // navigation (`/users/{user-id}/manager/$ref`) has one, so only the parent's
                // id is asked for, as in the SDK (`Remove-MgUserManagerByRef -UserId`).
                RouteKind::RefDelete
                    if !route.path.ends_with("}/$ref")
                        && route.path.ends_with("/$ref")
                        && generated::path_is_collection(route.path) != Some(false) =>
                {
                    add(
                        "Id".into(),
                        PsType::String,
                        Role::RefId,
                        &[],
                        &set.name,
                        true,
                        "The id of the member whose reference is removed ($id).".into(),
                    )
                }
                _ => {}
            }
        }
        // Common parameters of every set. -Headers, present in every set, also says which
        // Graph requests the cmdlet sends: Get-Help shows parameter help for dynamic
        // parameters, and has no other place for it (see modules.rs).
        let mut calls: Vec<String> = vec![];
        for set in sets {
            let call = format!("{} {}", set.route.method.as_str(), set.route.path);
            if !calls.contains(&call) {
                calls.push(call);
            }
        }
        let graph_calls = format!(
            "Extra request headers. This cmdlet calls Microsoft Graph {}: {}.",
            self.api.segment(),
            calls.join("; ")
        );
        for set in sets {
            let kind = set.route.kind;
            // Planner updates and deletes must carry the item's ETag (Graph: "If-Match: Last
            // known ETag value for the plannerTask to be updated. Required."), so the SDK
            // makes -IfMatch mandatory there.
            let planner = set.route.is_planner_item()
                && matches!(kind, RouteKind::Update | RouteKind::Set | RouteKind::Delete);
            if planner
                || matches!(
                    kind,
                    RouteKind::Delete | RouteKind::RefDelete | RouteKind::MediaDelete
                )
            {
                add(
                    "IfMatch".into(),
                    PsType::String,
                    Role::IfMatch,
                    &[],
                    &set.name,
                    planner,
                    "ETag value for the If-Match header.".into(),
                );
            }
            // The SDK's -PassThru: on operations without a response body, and on binary
            // content, which goes to -OutFile.
            if !set.route.returns_content() || set.route.returns_stream() {
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
                graph_calls.clone(),
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
            if !set.route.is_paged() {
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
        // The whole body's `Body` alias (the SDK's body parameter is `-Body` where its
        // BodyParameter rename does not apply) gives way to a body property of that name: the
        // message body of New-MgUserMessage, New-MgUserEvent, New-MgChatMessage, ... is
        // `-Body`, as in the SDK, whose BodyParameter has no alias.
        if params
            .iter()
            .any(|p| p.role != Role::BodyParameter && p.name.eq_ignore_ascii_case("Body"))
        {
            for p in params.iter_mut().filter(|p| p.role == Role::BodyParameter) {
                p.aliases = &[];
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

/// Looks a catalog command up by name, ignoring case: the hand-written table first (commands
/// whose behaviour Graph's metadata does not capture), then the generated catalog, then the
/// beta twin of a hand-written v1.0 command the metadata has no name for
/// (`New-MgBetaGroupMember`).
pub fn command(name: &str) -> Option<&'static Command> {
    if let Some(c) = COMMANDS.iter().find(|c| c.name.eq_ignore_ascii_case(name)) {
        return Some(hand_written(c));
    }
    generated::command(name).or_else(|| hand_written_beta_twin(name))
}

/// Built commands of the hand-written table, by lower-case name.
fn built_commands() -> &'static std::sync::Mutex<HashMap<String, &'static Command>> {
    static CACHE: std::sync::OnceLock<std::sync::Mutex<HashMap<String, &'static Command>>> =
        std::sync::OnceLock::new();
    CACHE.get_or_init(Default::default)
}

fn cached(name: &str, build: impl FnOnce() -> Command) -> &'static Command {
    let mut cache = built_commands().lock().unwrap_or_else(|p| p.into_inner());
    cache
        .entry(name.to_ascii_lowercase())
        .or_insert_with(|| Box::leak(Box::new(build())))
}

/// A hand-written command with what the metadata says about its routes: where the generated
/// command of the same name has a route of the same method and path, that route's query
/// options (`$skip` only where the collection supports it), `ConsistencyLevel` header and
/// custom query options; and the generated command's routes the hand-written one lacks (the
/// `List` set of `Get-MgPolicyAuthenticationMethodPolicyAuthenticationMethodConfiguration`).
/// So the SDK's parameters, derived from the metadata, are never lost by writing a command
/// by hand.
fn hand_written(c: &'static Command) -> &'static Command {
    let Some(g) = generated::command(c.name) else {
        return c;
    };
    cached(c.name, || {
        let same = |a: &Route, b: &Route| a.method == b.method && a.path == b.path;
        let mut routes: Vec<Route> = c
            .routes
            .iter()
            .map(|r| match g.routes.iter().find(|x| same(r, x)) {
                Some(from) if r.query.is_none() => Route {
                    query: Some(from.query_support()),
                    consistency_level: from
                        .query
                        .map_or(from.kind == RouteKind::List && g.advanced_query, |_| {
                            from.consistency_level
                        }),
                    custom_query: from.custom_query,
                    pageable: r.pageable || from.pageable,
                    ..r.clone()
                },
                _ => r.clone(),
            })
            .collect();
        for r in g.routes {
            if !routes.iter().any(|x| same(x, r)) {
                routes.push(r.clone());
            }
        }
        Command {
            routes: Box::leak(routes.into_boxed_slice()),
            ..c.clone()
        }
    })
}

/// The beta twin of a hand-written v1.0 command (`New-MgBetaGroupMember` of
/// `New-MgGroupMember`), in the twin module, as the SDK's beta modules have one for every
/// v1.0 cmdlet; `None` when `name` is not such a twin.
fn hand_written_beta_twin(name: &str) -> Option<&'static Command> {
    let v1 = generated::v1_name_of_beta(name)?;
    let c = COMMANDS
        .iter()
        .find(|c| c.api == Api::V1 && c.name.eq_ignore_ascii_case(&v1))?;
    let (twin, module) = generated::beta_twin(c.name, c.sdk_module);
    Some(cached(&twin, || {
        let examples: Vec<Example> = c
            .examples
            .iter()
            .map(|e| Example {
                code: leak(e.code.replace(c.name, &twin)),
                remarks: e.remarks,
            })
            .collect();
        Command {
            name: leak(twin.clone()),
            sdk_module: leak(module),
            api: Api::Beta,
            examples: Box::leak(examples.into_boxed_slice()),
            ..c.clone()
        }
    }))
}

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

#[cfg(test)]
mod binding_tests;

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
        // Numbered variants keep the number last (the SDK's Get-MgTeamChannel: List1, Get1,
        // GetViaIdentity1).
        assert_eq!(
            names("Get-MgTeamChannel"),
            ["List1", "Get1", "GetViaIdentity1"]
        );
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

    /// A hand-written entry replaces the generated command of its name, so it must offer every
    /// parameter set and parameter the generated one does (the SDK's, derived from the metadata:
    /// `-Skip` where the collection supports `$skip`, a `List` set where Graph lists).
    #[test]
    fn hand_written_commands_keep_the_generated_parameters() {
        let mut missing = vec![];
        for c in COMMANDS {
            let Some(g) = generated::command(c.name) else {
                continue;
            };
            let c = command(c.name).unwrap();
            let ours = c.params();
            for set in g.parameter_sets() {
                if !c.parameter_sets().iter().any(|s| s.name == set.name) {
                    missing.push(format!("{}: set {}", c.name, set.name));
                }
            }
            for p in g.params() {
                let Some(mine) = ours.iter().find(|m| m.name.eq_ignore_ascii_case(&p.name)) else {
                    missing.push(format!("{}: -{}", c.name, p.name));
                    continue;
                };
                for (set, _) in &p.sets {
                    if !mine.sets.iter().any(|(s, _)| s == set) {
                        missing.push(format!("{}: -{} in set {set}", c.name, p.name));
                    }
                }
            }
        }
        assert!(missing.is_empty(), "{missing:#?}");
    }

    /// The SDK's beta modules have a twin of every v1.0 cmdlet, hand-written ones included:
    /// same parameters, in the twin module, listed in its manifest.
    #[test]
    fn hand_written_commands_have_beta_twins() {
        let modules = modules::sdk_modules();
        for c in COMMANDS.iter().filter(|c| c.api == Api::V1) {
            let (beta, module) = generated::beta_twin(c.name, c.sdk_module);
            let twin = command(&beta).unwrap_or_else(|| panic!("no {beta}"));
            assert_eq!(twin.api, Api::Beta, "{beta}");
            assert_eq!(twin.sdk_module, module, "{beta}");
            let names = |c: &'static Command| -> Vec<String> {
                let mut n: Vec<String> = c.params().into_iter().map(|p| p.name).collect();
                n.sort();
                n
            };
            assert_eq!(names(twin), names(command(c.name).unwrap()), "{beta}");
            assert!(
                modules[&module].iter().any(|m| m.name == twin.name),
                "{beta} is not in {module}"
            );
        }
        let twin = command("New-MgBetaGroupMember").unwrap();
        assert!(twin
            .examples
            .iter()
            .all(|e| e.code.contains("New-MgBetaGroupMember")));
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
