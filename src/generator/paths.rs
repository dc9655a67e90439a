//! The paths and HTTP operations the SDK's OpenAPI conversion (OpenAPI.NET.OData with the
//! `powershell_v2` settings) exposes for a CSDL schema, with its raw operationIds and tags.
//! Rules: `../shared/reference/sdk-generation.md` §1 (paths) and §2a (operationIds, tags).

/// What an operation does; decides its cmdlet verb family and how the engine and the sandbox
/// treat it. Serialized in the catalog as the lower-case names in `as_str`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OpKind {
    List,
    Get,
    Create,
    Update,
    Set,
    Delete,
    Count,
    RefList,
    RefGet,
    RefCreate,
    RefSet,
    RefDelete,
    Action,
    Function,
    MediaGet,
    MediaSet,
    MediaDelete,
}

impl OpKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OpKind::List => "list",
            OpKind::Get => "get",
            OpKind::Create => "create",
            OpKind::Update => "update",
            OpKind::Set => "set",
            OpKind::Delete => "delete",
            OpKind::Count => "count",
            OpKind::RefList => "ref-list",
            OpKind::RefGet => "ref-get",
            OpKind::RefCreate => "ref-create",
            OpKind::RefSet => "ref-set",
            OpKind::RefDelete => "ref-delete",
            OpKind::Action => "action",
            OpKind::Function => "function",
            OpKind::MediaGet => "media-get",
            OpKind::MediaSet => "media-set",
            OpKind::MediaDelete => "media-delete",
        }
    }
}

/// A qualified type reference (`Edm.String`, `microsoft.graph.user`), possibly a collection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeRef {
    pub name: String,
    pub collection: bool,
}

/// One parameter of an action (request body) or function (path).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpParam {
    pub name: String,
    pub ty: TypeRef,
    pub nullable: bool,
}

/// What a request sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    /// An entity or complex type (create, update, set).
    Model(String),
    /// An action's parameters (binding parameter excluded).
    Params(Vec<OpParam>),
    /// `{"@odata.id": ...}` ($ref create/set).
    Ref,
    /// Binary content (media PUT).
    Stream,
}

/// What a successful response carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Returns {
    Type(TypeRef),
    Stream,
}

/// A path parameter: a `{placeholder}` of the path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathParam {
    /// The placeholder's name without braces: `user-id`, `userPrincipalName`, `period`.
    pub name: String,
    /// For key placeholders, the entity type's name (OpenAPI `x-ms-docs-key-type`): `user`.
    pub key_type: Option<String>,
}

/// One HTTP operation on one path.
#[derive(Debug, Clone)]
pub struct Operation {
    /// Below the version segment, placeholders as the conversion writes them.
    pub path: String,
    /// `GET`, `POST`, `PATCH`, `PUT` or `DELETE`.
    pub method: &'static str,
    /// The conversion's raw operationId (§2a), hash suffix included where it adds one.
    pub operation_id: String,
    /// The operation's tag (§2a, TagDepth 2): `users.user`, `users.directoryObject`.
    pub tag: String,
    pub kind: OpKind,
    pub path_params: Vec<PathParam>,
    pub body: Option<Body>,
    pub returns: Option<Returns>,
    /// OData query options declared: `select expand filter search orderby top skip count`.
    pub query: Vec<&'static str>,
    pub consistency_level: bool,
    /// The custom query options the operation declares (Capabilities `CustomQueryOptions` of
    /// its restriction): `startDateTime`/`endDateTime` of `calendarView`, `$format` of a
    /// drive item's content.
    pub custom_query: Vec<CustomQuery>,
    pub pageable: bool,
    /// The SDK's class for the action's parameters, where they have one
    /// ([`super::schema_names`]): `Paths6Fg5LiGroupsGroupIdMicrosoftGraphAssignlicense…`.
    pub body_schema: Option<String>,
    /// The SDK's class for a primitive or non-entity collection result:
    /// `ComponentsMwc6EoResponsesRevokesigninsessionsresponseContentApplicationJsonSchema`.
    pub response_schema: Option<String>,
}

/// A custom query option: a query-string parameter beyond the OData system options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomQuery {
    /// As sent in the query string: `startDateTime`, `$format`.
    pub name: String,
    /// The annotation's `Required`.
    pub required: bool,
}

// ---------------------------------------------------------------------------------------------
// Enumeration. The structure follows the conversion (OpenAPI.NET.OData `ODataPathProvider`, the
// path-item handlers and the operation handlers) so each rule can be checked against it; the
// code is our own.
// ---------------------------------------------------------------------------------------------

use super::csdl::{terms, OperationDef, Property, Schema, TypeName, Value};
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// Longest path (in segments) the walk builds. Graph's deepest real paths have about 20
/// segments; a schema whose containment or complex-type nesting recurses without end is cut
/// here with an error instead of exhausting the stack.
pub const MAX_PATH_SEGMENTS: usize = 64;

/// Namespace whose operations the SDK's paths write unqualified (`/users/{user-id}/assignLicense`).
const DEFAULT_NAMESPACE: &str = "microsoft.graph";

/// Sources whose paths the SDK's module filter drops anyway (§1: `/me` matches no module).
const SKIPPED_SOURCES: &[&str] = &["me"];

type PropRef = (usize, usize);

#[derive(Debug, Clone, PartialEq)]
enum Seg {
    Source(usize),
    Key {
        ty: usize,
        /// Alternate key: `(alias, property)` pairs.
        alt: Option<Vec<(String, String)>>,
    },
    Nav(PropRef),
    Cast(usize),
    Complex(PropRef),
    Op(usize),
    Import(usize),
    Ref,
    Count,
    Value,
    /// A stream property (`content` of a drive item).
    Stream(PropRef),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    EntitySet,
    Entity,
    Singleton,
    NavigationProperty,
    Ref,
    DollarCount,
    TypeCast,
    ComplexProperty,
    MediaEntity,
    Operation,
    OperationImport,
    Unknown,
}

type Path = Vec<Seg>;

/// Where a DerivedTypeConstraint or ExplicitOperationBindings annotation may sit.
#[derive(Clone, Copy)]
enum Annotatable {
    Source(usize),
    EntityType(usize),
    Prop(PropRef),
    Operation(usize),
}

fn upper_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

fn sha4(s: &str) -> String {
    let d = Sha256::digest(s.as_bytes());
    d.iter().take(2).map(|b| format!("{b:02x}")).collect()
}

fn unique(name: String, used: &mut Vec<String>) -> String {
    if !used.contains(&name) {
        used.push(name.clone());
        return name;
    }
    let mut i = 1;
    loop {
        let candidate = format!("{name}{i}");
        if !used.contains(&candidate) {
            used.push(candidate.clone());
            return candidate;
        }
        i += 1;
    }
}

fn nav_type_forbids(restriction: Option<&Value>) -> bool {
    restriction
        .and_then(|r| r.field("Navigability"))
        .and_then(Value::as_str)
        .is_some_and(|n| n.ends_with("/None"))
}

/// The conversion's NavigationRestrictionsAllowsNavigability.
fn allows_navigation(restrictions: Option<&Value>, property: Option<&Value>) -> bool {
    if nav_type_forbids(property) {
        return false;
    }
    property.and_then(|p| p.field("Navigability")).is_some() || !nav_type_forbids(restrictions)
}

fn has_consistency_header(restriction: Option<&Value>) -> bool {
    restriction
        .and_then(|r| r.field("CustomHeaders"))
        .is_some_and(|h| {
            h.items().iter().any(|x| {
                x.field("Name")
                    .and_then(Value::as_str)
                    .is_some_and(|n| n.eq_ignore_ascii_case("ConsistencyLevel"))
            })
        })
}

/// The restriction's `CustomQueryOptions`, which the conversion makes query parameters of the
/// operation (the SDK's `-StartDateTime`/`-EndDateTime` of Get-MgUserCalendarView).
fn custom_query_options(restriction: Option<&Value>) -> Vec<CustomQuery> {
    let Some(options) = restriction.and_then(|r| r.field("CustomQueryOptions")) else {
        return vec![];
    };
    let mut out: Vec<CustomQuery> = vec![];
    for o in options.items() {
        let Some(name) = o.field("Name").and_then(Value::as_str) else {
            continue;
        };
        if name.is_empty() || out.iter().any(|q| q.name == name) {
            continue;
        }
        out.push(CustomQuery {
            name: name.to_string(),
            required: o
                .field("Required")
                .and_then(Value::as_bool)
                .unwrap_or(false),
        });
    }
    out
}

/// `(PUT, PATCH)` for an update restriction's UpdateMethod.
fn update_methods(update: Option<&Value>) -> Vec<&'static str> {
    let method = update
        .and_then(|u| u.field("UpdateMethod"))
        .and_then(Value::as_str)
        .unwrap_or_default();
    let put = method.contains("PUT");
    let patch = method.contains("PATCH");
    match (put, patch) {
        (true, true) => vec!["PUT", "PATCH"],
        (true, false) => vec!["PUT"],
        _ => vec!["PATCH"],
    }
}

struct Gen<'a> {
    s: &'a Schema,
    /// Entity sets then singletons.
    sources: Vec<&'a super::csdl::NavigationSource>,
    source_type: Vec<usize>,
    /// Paths starting at a navigation source, by the source's entity type.
    ns_paths: Vec<Vec<Path>>,
    /// Paths through a navigation property, by the last navigation's target type.
    np_paths: Vec<Vec<Path>>,
    op_paths: Vec<Path>,
    dollar_paths: Vec<Vec<Path>>,
    overloads: HashMap<(bool, String, String), usize>,
    error: Option<String>,
}

impl<'a> Gen<'a> {
    fn new(s: &'a Schema) -> Result<Self, String> {
        let sources: Vec<_> = s.entity_sets.iter().chain(s.singletons.iter()).collect();
        let mut source_type = vec![];
        for src in &sources {
            let t = s
                .type_id(&src.type_name)
                .ok_or_else(|| format!("{} has undeclared type {}", src.name, src.type_name))?;
            if !s.types[t].entity {
                return Err(format!(
                    "{} is typed {}, not an entity type",
                    src.name, src.type_name
                ));
            }
            source_type.push(t);
        }
        let mut overloads = HashMap::new();
        for op in &s.operations {
            let first = op.params.first().map(|p| super::csdl::type_text(&p.ty));
            *overloads
                .entry((op.bound, op.full_name(), first.unwrap_or_default()))
                .or_insert(0) += 1;
        }
        Ok(Gen {
            s,
            sources,
            source_type,
            ns_paths: vec![vec![]; s.types.len()],
            np_paths: vec![vec![]; s.types.len()],
            op_paths: vec![],
            dollar_paths: vec![vec![]; s.types.len()],
            overloads,
            error: None,
        })
    }

    // ----- segment facts --------------------------------------------------------------------

    fn prop(&self, p: PropRef) -> &'a Property {
        &self.s.types[p.0].props[p.1]
    }

    fn nav_target(&self, p: PropRef) -> Option<usize> {
        self.s.type_id(&self.prop(p).ty.name)
    }

    fn op(&self, i: usize) -> &'a OperationDef {
        &self.s.operations[i]
    }

    fn is_overloaded(&self, i: usize) -> bool {
        let op = self.op(i);
        let first = op.params.first().map(|p| super::csdl::type_text(&p.ty));
        self.overloads
            .get(&(op.bound, op.full_name(), first.unwrap_or_default()))
            .is_some_and(|n| *n > 1)
    }

    fn seg_entity_type(&self, seg: &Seg) -> Option<usize> {
        match seg {
            Seg::Source(i) => Some(self.source_type[*i]),
            Seg::Key { ty, .. } => Some(*ty),
            Seg::Nav(p) => self.nav_target(*p),
            Seg::Op(i) => self
                .op(*i)
                .params
                .first()
                .and_then(|p| self.s.type_id(&p.ty.name)),
            _ => None,
        }
    }

    fn identifier(&self, seg: &Seg) -> String {
        match seg {
            Seg::Source(i) => self.sources[*i].name.clone(),
            Seg::Key { ty, alt: None } => self.s.key_of(*ty).join(","),
            Seg::Key { alt: Some(a), .. } => a
                .iter()
                .map(|(_, p)| p.as_str())
                .collect::<Vec<_>>()
                .join(","),
            Seg::Nav(p) | Seg::Complex(p) => self.prop(*p).name.clone(),
            Seg::Cast(t) => self.s.types[*t].name.clone(),
            Seg::Op(i) => self.op(*i).name.clone(),
            Seg::Import(i) => self.s.imports[*i].name.clone(),
            Seg::Ref => "$ref".into(),
            Seg::Count => "$count".into(),
            Seg::Value => "$value".into(),
            Seg::Stream(p) => self.prop(*p).name.clone(),
        }
    }

    fn kind(&self, path: &[Seg]) -> Kind {
        let last = match path.last() {
            Some(l) => l,
            None => return Kind::Unknown,
        };
        match last {
            Seg::Count => return Kind::DollarCount,
            Seg::Cast(_) => return Kind::TypeCast,
            Seg::Complex(_) => return Kind::ComplexProperty,
            _ => {}
        }
        if path
            .iter()
            .any(|s| matches!(s, Seg::Stream(_) | Seg::Value))
        {
            return Kind::MediaEntity;
        }
        if path.iter().any(|s| matches!(s, Seg::Ref)) {
            return Kind::Ref;
        }
        if path.iter().any(|s| matches!(s, Seg::Import(_))) {
            return Kind::OperationImport;
        }
        if matches!(last, Seg::Op(_)) {
            return Kind::Operation;
        }
        if path.iter().any(|s| matches!(s, Seg::Nav(_))) {
            return Kind::NavigationProperty;
        }
        match (path.len(), &path[0]) {
            (1, Seg::Source(i)) if self.sources[*i].singleton => Kind::Singleton,
            (1, Seg::Source(_)) => Kind::EntitySet,
            (2, _) if matches!(last, Seg::Key { .. }) => Kind::Entity,
            _ => Kind::Unknown,
        }
    }

    fn quoted(&self, ty: &TypeName) -> bool {
        !ty.collection && (ty.name == "Edm.String" || self.s.is_enum(&ty.name))
    }

    fn op_path_name(&self, op: &OperationDef) -> String {
        if op.namespace == DEFAULT_NAMESPACE {
            op.name.clone()
        } else {
            op.full_name()
        }
    }

    /// One segment's text in the path; `used` keeps placeholder names unique in the path.
    fn seg_item(&self, seg: &Seg, used: &mut Vec<String>, params: &mut Vec<PathParam>) -> String {
        match seg {
            Seg::Key { ty, alt: Some(a) } => a
                .iter()
                .map(|(alias, prop)| {
                    params.push(PathParam {
                        name: prop.clone(),
                        key_type: Some(self.s.types[*ty].short.clone()),
                    });
                    format!("{alias}='{{{prop}}}'")
                })
                .collect::<Vec<_>>()
                .join(","),
            Seg::Key { ty, alt: None } => {
                let keys = self.s.key_of(*ty);
                let short = &self.s.types[*ty].short;
                if keys.len() == 1 {
                    let n = unique(format!("{short}-{}", keys[0]), used);
                    params.push(PathParam {
                        name: n.clone(),
                        key_type: Some(short.clone()),
                    });
                    format!("{{{n}}}")
                } else {
                    keys.iter()
                        .map(|k| {
                            let n = unique(k.clone(), used);
                            let q = if self.s.prop_type(*ty, k).is_some_and(|t| self.quoted(t)) {
                                "'"
                            } else {
                                ""
                            };
                            params.push(PathParam {
                                name: n.clone(),
                                key_type: Some(short.clone()),
                            });
                            format!("{k}={q}{{{n}}}{q}")
                        })
                        .collect::<Vec<_>>()
                        .join(",")
                }
            }
            Seg::Op(i) => {
                let op = self.op(*i);
                let name = self.op_path_name(op);
                if op.is_action {
                    return name;
                }
                let skip = usize::from(op.bound);
                let args: Vec<String> = op.params[skip.min(op.params.len())..]
                    .iter()
                    .map(|p| {
                        let n = unique(p.name.clone(), used);
                        let q = if self.quoted(&p.ty) { "'" } else { "" };
                        if p.optional {
                            format!("{}={q}@{n}{q}", p.name)
                        } else {
                            params.push(PathParam {
                                name: n.clone(),
                                key_type: None,
                            });
                            format!("{}={q}{{{n}}}{q}", p.name)
                        }
                    })
                    .collect();
                format!("{name}({})", args.join(","))
            }
            Seg::Import(i) => {
                let imp = &self.s.imports[*i];
                if imp.is_action {
                    return imp.name.clone();
                }
                let f = self
                    .s
                    .operations
                    .iter()
                    .find(|o| !o.bound && !o.is_action && o.full_name() == imp.operation);
                let args: Vec<String> = f
                    .map(|f| {
                        f.params
                            .iter()
                            .map(|p| {
                                let n = unique(p.name.clone(), used);
                                if p.ty.collection || self.s.type_id(&p.ty.name).is_some() {
                                    format!("{}=@{n}", p.name)
                                } else {
                                    let q = if self.quoted(&p.ty) { "'" } else { "" };
                                    params.push(PathParam {
                                        name: n.clone(),
                                        key_type: None,
                                    });
                                    format!("{}={q}{{{n}}}{q}", p.name)
                                }
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                format!("{}({})", imp.name, args.join(","))
            }
            other => self.identifier(other),
        }
    }

    /// The path as the OpenAPI document writes it, with its placeholders.
    fn item_name(&self, path: &[Seg]) -> (String, Vec<PathParam>) {
        let mut used = vec![];
        let mut params = vec![];
        let mut out = String::new();
        for seg in path {
            let text = self.seg_item(seg, &mut used, &mut params);
            if matches!(seg, Seg::Key { alt: Some(_), .. }) {
                out.push('(');
                out.push_str(&text);
                out.push(')');
            } else {
                out.push('/');
                out.push_str(&text);
            }
        }
        (out, params)
    }

    /// The path as the OpenAPI document keys it: [`Self::item_name`] with the operations of the
    /// default namespace qualified (`/users/{user-id}/microsoft.graph.assignLicense`).
    fn openapi_item_name(&self, path: &[Seg]) -> String {
        let mut used = vec![];
        let mut params = vec![];
        let mut out = String::new();
        for seg in path {
            let text = self.seg_item(seg, &mut used, &mut params);
            match seg {
                Seg::Key { alt: Some(_), .. } => {
                    out.push('(');
                    out.push_str(&text);
                    out.push(')');
                }
                Seg::Op(i) if self.op(*i).namespace == DEFAULT_NAMESPACE => {
                    out.push('/');
                    out.push_str(DEFAULT_NAMESPACE);
                    out.push('.');
                    out.push_str(&text);
                }
                _ => {
                    out.push('/');
                    out.push_str(&text);
                }
            }
        }
        out
    }

    /// Whether the conversion declares an operation's request body and response once under
    /// `components` (OpenAPI.NET.OData `OperationTargetsMultiplePaths`): its first parameter's
    /// type is the entity type of more than one entity set or singleton.
    fn targets_multiple_paths(&self, op: &OperationDef) -> bool {
        let Some(first) = op.params.first() else {
            return false;
        };
        if first.ty.collection {
            return false;
        }
        self.sources
            .iter()
            .filter(|s| s.type_name.eq_ignore_ascii_case(&first.ty.name))
            .count()
            > 1
    }

    /// The SDK's classes for an operation path's action parameters and its result, where the
    /// document writes them as anonymous schemas ([`super::schema_names`]): parameters beyond
    /// the binding one; a primitive result (not a stream), or a collection of anything but
    /// entities (an entity collection's schema is titled `Collection of X`, a single model is
    /// a reference).
    fn schema_names(&self, path: &[Seg]) -> (Option<String>, Option<String>) {
        use super::schema_names::{component_pointer, path_pointer, schema_name};
        let op = match path.last() {
            Some(Seg::Op(i)) => self.op(*i),
            Some(Seg::Import(i)) => {
                let imp = &self.s.imports[*i];
                match self.s.operations.iter().find(|o| {
                    !o.bound && o.is_action == imp.is_action && o.full_name() == imp.operation
                }) {
                    Some(o) => o,
                    None => return (None, None),
                }
            }
            _ => return (None, None),
        };
        let multi = self.targets_multiple_paths(op);
        let item = self.openapi_item_name(path);
        let method = if op.is_action { "post" } else { "get" };
        let skip = usize::from(op.bound).min(op.params.len());
        let body = (op.is_action && op.params.len() > skip).then(|| {
            schema_name(&if multi {
                component_pointer("requestBodies", &format!("{}RequestBody", op.name))
            } else {
                path_pointer(&item, method, "requestBody")
            })
        });
        let anonymous = op.returns.as_ref().is_some_and(|(t, _)| {
            let entity = self
                .s
                .type_id(&t.name)
                .is_some_and(|i| self.s.types[i].entity);
            if t.collection {
                !entity
            } else {
                t.name.starts_with("Edm.") && t.name != "Edm.Stream"
            }
        });
        let response = anonymous.then(|| {
            schema_name(&if multi {
                component_pointer("responses", &format!("{}Response", op.name))
            } else {
                path_pointer(&item, method, "responses/2XX")
            })
        });
        (body, response)
    }

    fn seg_hash(&self, seg: &Seg) -> String {
        sha4(&self.seg_item(seg, &mut vec![], &mut vec![]))
    }

    /// The conversion's path hash: the last segment's text and the path's distinct identifiers.
    fn path_hash(&self, path: &[Seg]) -> String {
        let mut ids: Vec<String> = vec![];
        for seg in path {
            let id = self.identifier(seg);
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        let last = path
            .last()
            .map(|l| self.seg_item(l, &mut vec![], &mut vec![]))
            .unwrap_or_default();
        sha4(&(last + &ids.join("/")))
    }

    /// Annotation on the target path (`Container/users/memberOf`): only when the CSDL annotates
    /// that exact path (deeper than the source itself, which the element lookups cover).
    fn target_annotation(&self, path: &[Seg], term: &str) -> Option<&'a Value> {
        let skip_last = matches!(path.last(), Some(Seg::Ref | Seg::Count | Seg::Value));
        let n = path.len() - usize::from(skip_last);
        let ids: Vec<String> = path[..n]
            .iter()
            .filter(|s| !matches!(s, Seg::Key { .. }))
            .map(|s| self.identifier(s))
            .collect();
        if ids.len() < 2 {
            return None;
        }
        self.s
            .annotation(&format!("{}/{}", self.s.container, ids.join("/")), term)
    }

    fn annotation(&self, a: Annotatable, term: &str) -> Option<&'a Value> {
        match a {
            Annotatable::Source(i) => self.s.source_annotation(self.sources[i], term),
            Annotatable::EntityType(t) => self.s.annotation(&self.s.types[t].name, term),
            Annotatable::Prop(p) => self.s.prop_annotation(p, term),
            Annotatable::Operation(o) => self.s.op_annotation(o, term),
        }
    }

    fn source_of(&self, path: &[Seg]) -> Option<usize> {
        match path.first() {
            Some(Seg::Source(i)) => Some(*i),
            _ => None,
        }
    }

    /// The joined navigation property names of the path (`mailFolders/messages`).
    fn nav_path(&self, path: &[Seg]) -> String {
        path.iter()
            .filter_map(|s| match s {
                Seg::Nav(p) => Some(self.prop(*p).name.clone()),
                _ => None,
            })
            .collect::<Vec<_>>()
            .join("/")
    }

    // ----- enumeration ----------------------------------------------------------------------

    fn too_deep(&mut self, path: &[Seg]) -> bool {
        if path.len() >= MAX_PATH_SEGMENTS {
            if self.error.is_none() {
                self.error = Some(format!(
                    "a path under {} nests deeper than {MAX_PATH_SEGMENTS} segments ({}): \
                     containment or complex types recurse without end",
                    path.first().map(|s| self.identifier(s)).unwrap_or_default(),
                    self.item_name(&path[..8.min(path.len())]).0
                ));
            }
            return true;
        }
        false
    }

    fn similar_count(&self, dollar: &[Seg], op: &[Seg]) -> bool {
        let counts =
            matches!(op.last(), Some(Seg::Op(i)) if self.op(*i).name.eq_ignore_ascii_case("count"));
        counts
            && self
                .item_name(&dollar[..dollar.len() - 1])
                .0
                .eq_ignore_ascii_case(&self.item_name(&op[..op.len() - 1]).0)
    }

    fn append(&mut self, path: Path) {
        let kind = self.kind(&path);
        match kind {
            Kind::ComplexProperty
            | Kind::TypeCast
            | Kind::DollarCount
            | Kind::Entity
            | Kind::EntitySet
            | Kind::Singleton
            | Kind::MediaEntity => {
                let Some(src) = self.source_of(&path) else {
                    return;
                };
                let t = self.source_type[src];
                if kind == Kind::DollarCount {
                    if self.op_paths.iter().any(|p| self.similar_count(&path, p)) {
                        return;
                    }
                    self.dollar_paths[t].push(path.clone());
                }
                self.ns_paths[t].push(path);
            }
            Kind::NavigationProperty | Kind::Ref => {
                let last_nav = path.iter().rev().find_map(|s| match s {
                    Seg::Nav(p) => self.nav_target(*p),
                    _ => None,
                });
                if let Some(t) = last_nav {
                    self.np_paths[t].push(path);
                }
            }
            Kind::Operation | Kind::OperationImport => {
                if kind == Kind::Operation {
                    'outer: for t in 0..self.dollar_paths.len() {
                        for d in 0..self.dollar_paths[t].len() {
                            if self.similar_count(&self.dollar_paths[t][d], &path) {
                                let dp = self.dollar_paths[t][d].clone();
                                self.ns_paths[t].retain(|p| *p != dp);
                                break 'outer;
                            }
                        }
                    }
                }
                self.op_paths.push(path);
            }
            Kind::Unknown => {}
        }
    }

    fn push_count(&mut self, path: &[Seg]) {
        let mut p = path.to_vec();
        p.push(Seg::Count);
        self.append(p);
    }

    fn push_ref(&mut self, path: &[Seg]) {
        let mut p = path.to_vec();
        p.push(Seg::Ref);
        self.append(p);
    }

    fn derived_constraint(&self, a: Annotatable) -> Vec<String> {
        self.annotation(a, terms::DERIVED_TYPE_CONSTRAINT)
            .map(|v| {
                v.items()
                    .iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }

    fn nav_props(&self, t: usize) -> Vec<PropRef> {
        self.s
            .all_props(t)
            .into_iter()
            .filter(|p| self.prop(*p).nav)
            .collect()
    }

    fn retrieve_source(&mut self, src: usize) {
        let mut path: Path = vec![Seg::Source(src)];
        self.append(path.clone());
        let et = self.source_type[src];
        let mut count: Option<Value> = None;
        if !self.sources[src].singleton {
            count = self
                .target_annotation(&path, terms::COUNT)
                .or_else(|| self.annotation(Annotatable::Source(src), terms::COUNT))
                .cloned();
            if count
                .as_ref()
                .and_then(|c| c.bool_field("Countable"))
                .unwrap_or(true)
            {
                self.push_count(&path);
            }
            self.type_casts(&path, et, Annotatable::Source(src), true);
            self.alternate_keys(&path, et);
            let indexable = self
                .annotation(Annotatable::Source(src), terms::INDEXABLE_BY_KEY)
                .and_then(Value::as_bool)
                .unwrap_or(true);
            if indexable {
                path.push(Seg::Key { ty: et, alt: None });
                self.append(path.clone());
                self.type_casts(&path, et, Annotatable::Source(src), false);
            }
        } else {
            self.type_casts(&path, et, Annotatable::Source(src), false);
        }
        self.media(et, &mut path);
        self.complex_props(et, &mut path);
        for np in self.nav_props(et) {
            self.retrieve_nav(np, count.clone(), &mut path, &mut vec![]);
        }
    }

    fn alternate_keys(&mut self, path: &[Seg], t: usize) {
        for alt in self.s.alternate_keys(t) {
            let mut p = path.to_vec();
            p.push(Seg::Key {
                ty: t,
                alt: Some(alt),
            });
            self.append(p);
        }
    }

    fn type_casts(&mut self, path: &[Seg], ty: usize, a: Annotatable, many: bool) {
        let names = self.derived_constraint(a);
        if names.is_empty() || self.too_deep(path) {
            return;
        }
        for tt in self.s.all_derived(ty) {
            let tname = self.s.types[tt].name.clone();
            if !names.contains(&tname) {
                continue;
            }
            if path.iter().any(|s| self.identifier(s) == tname) {
                continue;
            }
            let mut cast = path.to_vec();
            cast.push(Seg::Cast(tt));
            self.append(cast.clone());
            if many {
                self.push_count(&cast);
            } else {
                if let Annotatable::Prop(p) = a {
                    if self.prop(p).nav && !self.prop(p).contains_target {
                        continue;
                    }
                }
                for np in self.nav_props(tt) {
                    self.retrieve_nav(np, None, &mut cast, &mut vec![]);
                }
                if self.s.types[tt].entity {
                    self.complex_props(tt, &mut cast);
                }
            }
        }
    }

    fn media(&mut self, et: usize, path: &mut Path) {
        let mut value_path = true;
        for p in self.s.all_props(et) {
            let prop = self.prop(p);
            if prop.nav {
                continue;
            }
            if prop.ty.name == "Edm.Stream" && !prop.ty.collection {
                path.push(Seg::Stream(p));
                self.append(path.clone());
                path.pop();
            }
            if prop.name.eq_ignore_ascii_case("content") {
                value_path = false;
            }
        }
        let has_stream = self.s.types[et].has_stream
            || self
                .s
                .base_of(et)
                .is_some_and(|b| self.s.types[b].has_stream);
        if value_path && has_stream {
            path.push(Seg::Value);
            self.append(path.clone());
            path.pop();
        }
    }

    fn complex_type_of(&self, p: PropRef) -> Option<usize> {
        let prop = self.prop(p);
        if prop.nav {
            return None;
        }
        self.s
            .type_id(&prop.ty.name)
            .filter(|t| !self.s.types[*t].entity)
    }

    fn complex_props(&mut self, et: usize, path: &mut Path) {
        if self.too_deep(path) {
            return;
        }
        for p in self.s.all_props(et) {
            let Some(ct) = self.complex_type_of(p) else {
                continue;
            };
            path.push(Seg::Complex(p));
            let flag = |g: &Self, term: &str, field: &str| {
                g.target_annotation(path, term)
                    .or_else(|| g.s.prop_annotation(p, term))
                    .and_then(|r| r.bool_field(field))
                    .unwrap_or(false)
            };
            let create = flag(self, terms::READ, "Readable")
                || flag(self, terms::UPDATE, "Updatable")
                || flag(self, terms::INSERT, "Insertable");
            if !create {
                path.pop();
                continue;
            }
            self.append(path.clone());
            if self.prop(p).ty.collection {
                self.type_casts(path, ct, Annotatable::Prop(p), true);
                let countable = self
                    .target_annotation(path, terms::COUNT)
                    .or_else(|| self.s.prop_annotation(p, terms::COUNT))
                    .and_then(|c| c.bool_field("Countable"))
                    .unwrap_or(true);
                if countable {
                    self.push_count(path);
                }
            } else {
                self.type_casts(path, ct, Annotatable::Prop(p), false);
                self.complex_navs(ct, path);
                self.traverse_complex(ct, path);
            }
            path.pop();
        }
    }

    /// Navigation properties declared on a complex type (or its bases); false when none.
    fn complex_navs(&mut self, ct: usize, path: &mut Path) -> bool {
        let navs = self.nav_props(ct);
        if navs.is_empty() {
            return false;
        }
        for np in navs {
            let count = self
                .target_annotation(path, terms::COUNT)
                .or_else(|| self.s.prop_annotation(np, terms::COUNT))
                .cloned();
            self.retrieve_nav(np, count, path, &mut vec![]);
        }
        true
    }

    fn traverse_complex(&mut self, ct: usize, path: &mut Path) {
        if self.too_deep(path) {
            return;
        }
        for i in 0..self.s.types[ct].props.len() {
            let p = (ct, i);
            let Some(sub) = self.complex_type_of(p) else {
                continue;
            };
            path.push(Seg::Complex(p));
            // The conversion reads a collection-valued property as a complex type without
            // members: nothing below it.
            if !self.prop(p).ty.collection && !self.complex_navs(sub, path) {
                self.traverse_complex(sub, path);
            }
            path.pop();
        }
    }

    fn retrieve_nav(
        &mut self,
        np: PropRef,
        mut count: Option<Value>,
        path: &mut Path,
        visited: &mut Vec<PropRef>,
    ) {
        if visited.contains(&np) || self.too_deep(path) {
            return;
        }
        let Some(nav_et) = self.nav_target(np) else {
            return;
        };
        let (src_restr, prop_restr) = match self.source_of(path) {
            Some(src) => (
                self.annotation(Annotatable::Source(src), terms::NAVIGATION),
                self.s.prop_annotation(np, terms::NAVIGATION),
            ),
            None => (None, None),
        };
        let want = {
            let base = self.nav_path(path);
            let name = &self.prop(np).name;
            if base.is_empty() {
                format!("/{name}")
            } else {
                format!("{base}/{name}")
            }
        };
        let restriction = src_restr
            .and_then(|r| r.field("RestrictedProperties"))
            .and_then(|rp| {
                rp.items().iter().find(|r| {
                    r.field("NavigationProperty").and_then(Value::as_str) == Some(want.as_str())
                })
            })
            .or_else(|| {
                prop_restr
                    .and_then(|r| r.field("RestrictedProperties"))
                    .and_then(|rp| rp.items().first())
            });
        if !allows_navigation(src_restr, restriction) || !allows_navigation(prop_restr, restriction)
        {
            return;
        }
        let prop = self.prop(np);
        path.push(Seg::Nav(np));
        self.append(path.clone());
        visited.push(np);
        let indexable = restriction
            .and_then(|r| r.bool_field("IndexableByKey"))
            .or_else(|| {
                self.target_annotation(path, terms::INDEXABLE_BY_KEY)
                    .or_else(|| self.s.prop_annotation(np, terms::INDEXABLE_BY_KEY))
                    .and_then(Value::as_bool)
            })
            .unwrap_or(true);
        if indexable {
            let many = prop.ty.collection;
            if many {
                let mut create = None;
                if count.is_none() {
                    count = self
                        .target_annotation(path, terms::COUNT)
                        .or_else(|| self.s.prop_annotation(np, terms::COUNT))
                        .cloned();
                    create = count.as_ref().and_then(|c| c.bool_field("Countable"));
                }
                let create = create.unwrap_or_else(|| match &prop.partner {
                    None => true,
                    Some(partner) => count
                        .as_ref()
                        .and_then(|c| c.field("NonCountableNavigationProperties"))
                        .map(|l| l.items().iter().any(|x| x.as_str() == Some(partner)))
                        .unwrap_or(true),
                });
                if create {
                    self.push_count(path);
                }
            }
            self.type_casts(path, nav_et, Annotatable::Prop(np), many);
            let referenceable = src_restr
                .and_then(|r| r.bool_field("Referenceable"))
                .unwrap_or(false)
                || prop_restr
                    .and_then(|r| r.bool_field("Referenceable"))
                    .unwrap_or(false);
            if referenceable {
                self.push_ref(path);
                if many {
                    path.push(Seg::Key {
                        ty: nav_et,
                        alt: None,
                    });
                    self.push_ref(path);
                    self.type_casts(path, nav_et, Annotatable::Prop(np), false);
                }
                self.media(nav_et, path);
                self.complex_props(nav_et, path);
            } else {
                if many {
                    self.alternate_keys(path, nav_et);
                    path.push(Seg::Key {
                        ty: nav_et,
                        alt: None,
                    });
                    self.append(path.clone());
                    self.type_casts(path, nav_et, Annotatable::Prop(np), false);
                }
                self.media(nav_et, path);
                self.complex_props(nav_et, path);
                if prop.contains_target {
                    for sub in self.nav_props(nav_et) {
                        self.retrieve_nav(sub, count.clone(), path, visited);
                    }
                }
            }
            if many {
                path.pop();
            }
        }
        path.pop();
        visited.pop();
    }

    fn allowed(&self, op: usize, a: Annotatable, default: bool) -> bool {
        if self
            .s
            .op_annotation(op, terms::REQUIRES_EXPLICIT_BINDING)
            .is_none()
        {
            return default;
        }
        let full = self.op(op).full_name();
        self.explicit_bindings(a)
            .is_some_and(|v| v.items().iter().any(|x| x.as_str() == Some(full.as_str())))
    }

    /// `Core.ExplicitOperationBindings` as the converter reads it (ODATA
    /// `EdmAnnotationExtensions.GetCollection` over EdmLib's `FindVocabularyAnnotations`): on an
    /// entity type the lookup also sees the annotations of its base types, and a navigation
    /// source without its own annotation falls back to its entity type. That is how the
    /// bindings declared once on `directoryObject` allow `getByIds`, `restore`,
    /// `checkMemberGroups`, ... on `/users`, `/groups/{group-id}` and the other derived sources.
    fn explicit_bindings(&self, a: Annotatable) -> Option<&'a Value> {
        let term = terms::EXPLICIT_OPERATION_BINDINGS;
        let on_type = |t: usize| {
            self.s
                .lineage(t)
                .into_iter()
                .find_map(|t| self.s.annotation(&self.s.types[t].name, term))
        };
        match a {
            Annotatable::Source(i) => self
                .s
                .annotation(
                    &format!("{}/{}", self.s.container, self.sources[i].name),
                    term,
                )
                .or_else(|| on_type(self.source_type[i])),
            Annotatable::EntityType(t) => on_type(t),
            Annotatable::Prop(_) | Annotatable::Operation(_) => self.annotation(a, term),
        }
    }

    /// The binding type and the entity-set and singleton types that derive from it.
    fn binding_types(&self, bt: usize) -> Vec<usize> {
        let mut out = vec![bt];
        for &t in &self.source_type {
            if t != bt && self.s.derives_from(t, bt) && !out.contains(&t) {
                out.push(t);
            }
        }
        out
    }

    fn bound_binding(&self, op: usize) -> Option<(bool, usize)> {
        let o = self.op(op);
        if !o.bound {
            return None;
        }
        let b = o.params.first()?;
        let t = self.s.type_id(&b.ty.name)?;
        self.s.types[t].entity.then_some((b.ty.collection, t))
    }

    fn retrieve_bound_operations(&mut self) {
        let ops: Vec<usize> = (0..self.s.operations.len())
            .filter(|i| self.bound_binding(*i).is_some())
            .collect();
        for &op in &ops {
            let (many, bt) = self.bound_binding(op).unwrap_or_default();
            for bet in self.binding_types(bt) {
                self.bound_on_sources(op, many, bet);
                self.bound_on_navigation(op, many, bet);
            }
        }
        for &op in &ops {
            let (many, bt) = self.bound_binding(op).unwrap_or_default();
            for bet in self.binding_types(bt) {
                self.bound_on_functions(op, many, bet);
            }
        }
        // Navigation properties of what a composable function returns (depth 1).
        let fpaths: Vec<Path> = self
            .op_paths
            .iter()
            .filter(|p| self.composable_entity_return(p).is_some())
            .cloned()
            .collect();
        for fp in fpaths {
            let Some(rt) = self.composable_entity_return(&fp) else {
                continue;
            };
            if fp.len() >= 2 && matches!(fp[fp.len() - 2], Seg::Op(_)) {
                continue;
            }
            for np in self.nav_props(rt) {
                let first = fp.iter().position(
                    |s| matches!(s, Seg::Op(i) if !self.op(*i).is_action && self.op(*i).composable),
                );
                let depth = first.map(|i| fp.len() - i - 1).unwrap_or(fp.len());
                if depth < 1 {
                    let mut p = fp.clone();
                    p.push(Seg::Nav(np));
                    self.append(p);
                }
            }
        }
    }

    /// The entity type a composable function at the end of `path` returns (single-valued).
    fn composable_entity_return(&self, path: &[Seg]) -> Option<usize> {
        let Some(Seg::Op(i)) = path.last() else {
            return None;
        };
        let f = self.op(*i);
        if f.is_action || !f.composable {
            return None;
        }
        let (rt, _) = f.returns.as_ref()?;
        if rt.collection {
            return None;
        }
        self.s.type_id(&rt.name).filter(|t| self.s.types[*t].entity)
    }

    fn bound_on_sources(&mut self, op: usize, many: bool, bet: usize) {
        let candidates = self.ns_paths[bet].clone();
        for sub in candidates {
            let kind = self.kind(&sub);
            let last = sub.last();
            let second = (sub.len() > 1).then(|| &sub[sub.len() - 2]);
            if kind == Kind::TypeCast && !many {
                if let Some(sl) = second {
                    let key = matches!(sl, Seg::Key { .. });
                    let singleton = matches!(sl, Seg::Source(i) if self.sources[*i].singleton);
                    let single_nav = matches!(sl, Seg::Nav(p) if !self.prop(*p).ty.collection);
                    let is_source = matches!(sl, Seg::Source(_));
                    let is_nav = matches!(sl, Seg::Nav(_));
                    if !key && (!is_source || !singleton) && (!is_nav || !single_nav) {
                        continue;
                    }
                }
            }
            let cast_ok = match last {
                Some(Seg::Cast(ct)) => *ct == bet || self.s.derives_from(bet, *ct),
                _ => true,
            };
            let kind_ok = if many {
                kind == Kind::EntitySet
            } else {
                !matches!(
                    kind,
                    Kind::EntitySet | Kind::MediaEntity | Kind::DollarCount | Kind::ComplexProperty
                )
            };
            if !(cast_ok && kind_ok) {
                continue;
            }
            if matches!(
                last,
                Some(Seg::Cast(_)) | Some(Seg::Key { alt: Some(_), .. })
            ) {
                continue;
            }
            let annotatable = match last {
                Some(Seg::Source(i)) => Some(Annotatable::Source(*i)),
                Some(Seg::Key { ty, .. }) => Some(Annotatable::EntityType(*ty)),
                _ => None,
            };
            if let Some(a) = annotatable {
                if !self.allowed(op, a, true) {
                    if let Some(Seg::Source(i)) = second {
                        if !self.allowed(op, Annotatable::Source(*i), true) {
                            continue;
                        }
                    }
                }
            }
            let mut p = sub.clone();
            p.push(Seg::Op(op));
            self.append(p);
        }
    }

    fn bound_on_navigation(&mut self, op: usize, many: bool, bet: usize) {
        let candidates = self.np_paths[bet].clone();
        for path in candidates {
            if self.kind(&path) == Kind::Ref {
                continue;
            }
            let Some(np) = path.iter().rev().find_map(|s| match s {
                Seg::Nav(p) => Some(*p),
                _ => None,
            }) else {
                continue;
            };
            let prop = self.prop(np);
            if !self.allowed(op, Annotatable::Prop(np), prop.contains_target) {
                continue;
            }
            let last_key = matches!(path.last(), Some(Seg::Key { .. }));
            if many {
                if last_key || !prop.ty.collection {
                    continue;
                }
            } else if !last_key && prop.ty.collection {
                continue;
            }
            let mut p = path.clone();
            p.push(Seg::Op(op));
            self.append(p);
        }
    }

    fn bound_on_functions(&mut self, op: usize, many: bool, bet: usize) {
        if many {
            return;
        }
        let candidates: Vec<Path> = self
            .op_paths
            .iter()
            .filter(|p| matches!(p.last(), Some(Seg::Op(i)) if !self.op(*i).is_action && self.op(*i).composable))
            .cloned()
            .collect();
        for path in candidates {
            if path.len() > 1 && matches!(path[path.len() - 2], Seg::Op(_)) {
                continue;
            }
            let Some(Seg::Op(f)) = path.last() else {
                continue;
            };
            let f = *f;
            let returns_bet = self
                .op(f)
                .returns
                .as_ref()
                .is_some_and(|(t, _)| !t.collection && self.s.type_id(&t.name) == Some(bet));
            if !returns_bet || !self.allowed(op, Annotatable::Operation(f), true) {
                continue;
            }
            if self.op(op).name == self.op(f).name {
                continue;
            }
            let mut p = path.clone();
            p.push(Seg::Op(op));
            self.append(p);
        }
    }
}

// ----- operations of a path ---------------------------------------------------------------------

struct Draft {
    method: &'static str,
    operation_id: String,
    tag: String,
    kind: OpKind,
    body: Option<Body>,
    returns: Option<Returns>,
    query: Vec<&'static str>,
    consistency_level: bool,
    custom_query: Vec<CustomQuery>,
    pageable: bool,
}

fn ty(name: &str, collection: bool) -> Option<Returns> {
    Some(Returns::Type(TypeRef {
        name: name.to_string(),
        collection,
    }))
}

impl<'a> Gen<'a> {
    fn restriction_record(&self, a: Annotatable, term: &str) -> Option<&'a Value> {
        self.annotation(a, term)
    }

    /// A query capability (`TopSupported`, `FilterRestrictions`, ...) of `a`. For a navigation
    /// source only its own annotation counts, not its entity type's: the SDK's cmdlets show
    /// it (`Get-MgSubscribedSku -Top`/`-Filter`, `Get-MgDirectoryRole -Top` on their
    /// learn.microsoft.com pages, where this CSDL annotates `subscribedSku` and `directoryRole`
    /// with TopSupported=false and Filterable=false).
    fn query_annotation(&self, a: Annotatable, term: &str) -> Option<&'a Value> {
        match a {
            Annotatable::Source(i) => self.s.annotation(
                &format!("{}/{}", self.s.container, self.sources[i].name),
                term,
            ),
            _ => self.annotation(a, term),
        }
    }

    fn is_true(v: Option<&Value>, field: &str, default: bool) -> bool {
        v.and_then(|r| r.bool_field(field)).unwrap_or(default)
    }

    /// `$top $skip $search $filter $count $orderby` (collections) and `$select $expand` from
    /// the capability annotations of `a`, in the SDK's order.
    fn query_options(
        &self,
        a: Option<Annotatable>,
        many: bool,
        entity_like: bool,
    ) -> Vec<&'static str> {
        let get = |term: &str| a.and_then(|a| self.query_annotation(a, term));
        let mut q = vec![];
        if many {
            if get(terms::TOP).and_then(Value::as_bool).unwrap_or(true) {
                q.push("top");
            }
            if get(terms::SKIP).and_then(Value::as_bool).unwrap_or(true) {
                q.push("skip");
            }
            if Self::is_true(get(terms::SEARCH), "Searchable", true) {
                q.push("search");
            }
            if Self::is_true(get(terms::FILTER), "Filterable", true) {
                q.push("filter");
            }
            if Self::is_true(get(terms::COUNT), "Countable", true) {
                q.push("count");
            }
            if Self::is_true(get(terms::SORT), "Sortable", true) {
                q.push("orderby");
            }
        }
        if entity_like {
            if !nav_type_forbids(get(terms::NAVIGATION)) {
                q.push("select");
            }
            if Self::is_true(get(terms::EXPAND), "Expandable", true) {
                q.push("expand");
            }
        }
        q
    }

    /// The conversion's navigation-path operationId segments (source, navigations, the last
    /// cast, composable functions, alternate keys), with a trailing `-hash` item when a path
    /// crosses an overloaded function.
    fn nav_id_items(&self, path: &[Seg]) -> Vec<String> {
        let kind = self.kind(path);
        let mut items = vec![self.identifier(&path[0])];
        let relevant: Vec<&Seg> = path[1..]
            .iter()
            .filter(|s| matches!(s, Seg::Nav(_) | Seg::Cast(_) | Seg::Op(_) | Seg::Key { .. }))
            .collect();
        let count_after_cast = kind == Kind::DollarCount
            && path.len() >= 2
            && matches!(path[path.len() - 2], Seg::Cast(_));
        let mut previous_cast: Option<String> = None;
        let mut hash = String::new();
        for (i, seg) in relevant.iter().enumerate() {
            match seg {
                Seg::Nav(p) => items.push(self.prop(*p).name.clone()),
                Seg::Cast(t) if kind != Kind::TypeCast && !count_after_cast => {
                    if let Some(prev) = previous_cast.take() {
                        if let Some(pos) = items.iter().position(|x| *x == prev) {
                            items.remove(pos);
                        }
                    }
                    let id = format!("As{}", upper_first(&self.s.types[*t].short));
                    items.push(id.clone());
                    previous_cast = Some(id);
                }
                Seg::Op(o) => {
                    if !self.op(*o).is_action && self.is_overloaded(*o) {
                        let h = self.seg_hash(seg);
                        hash = if hash.is_empty() {
                            h
                        } else {
                            sha4(&(hash + &h))
                        };
                    }
                    items.push(self.op(*o).name.clone());
                }
                Seg::Key { alt: Some(a), .. } => {
                    if i == relevant.len() - 1 {
                        items.push(format!(
                            "By{}",
                            a.iter().map(|(_, p)| upper_first(p)).collect::<String>()
                        ));
                    } else {
                        items.push(self.identifier(seg));
                    }
                }
                _ => {}
            }
        }
        if !hash.is_empty() {
            items.push(format!("-{hash}"));
        }
        items
    }

    fn join_id(items: &[String]) -> String {
        items.join(".").replace(".-", "-")
    }

    fn nav_op_id(&self, path: &[Seg], prefix: Option<&str>) -> String {
        let mut items = self.nav_id_items(path);
        let last = if items.last().is_some_and(|x| x.starts_with('-')) {
            items.len().saturating_sub(2)
        } else {
            items.len() - 1
        };
        items[last] = format!(
            "{}{}",
            prefix.unwrap_or_default(),
            upper_first(&items[last])
        );
        Self::join_id(&items)
    }

    fn complex_op_id(&self, path: &[Seg], prefix: Option<&str>) -> String {
        let mut items = self.nav_id_items(path);
        if let Some(Seg::Complex(p)) = path[1..]
            .iter()
            .rev()
            .find(|s| matches!(s, Seg::Complex(_)))
        {
            items.push(format!(
                "{}{}",
                prefix.unwrap_or_default(),
                upper_first(&self.prop(*p).name)
            ));
        }
        Self::join_id(&items)
    }

    fn source_tag(&self, src: usize) -> String {
        format!(
            "{}.{}",
            self.sources[src].name, self.s.types[self.source_type[src]].short
        )
    }

    /// TagDepth 2: `<source>.<entity type of the first navigation>`.
    fn nav_tag(&self, path: &[Seg]) -> String {
        let mut items = vec![self.identifier(&path[0])];
        if let Some(Seg::Nav(p)) = path[1..].iter().find(|s| matches!(s, Seg::Nav(_))) {
            if let Some(t) = self.nav_target(*p) {
                items.push(self.s.types[t].short.clone());
            }
        }
        items.join(".")
    }

    fn complex_tag(&self, path: &[Seg]) -> String {
        let Some(ci) = path.iter().rposition(|s| matches!(s, Seg::Complex(_))) else {
            return String::new();
        };
        let mut pre = ci.saturating_sub(1);
        while pre > 0 && matches!(path[pre], Seg::Cast(_)) {
            pre -= 1;
        }
        let tag = match &path[pre] {
            Seg::Source(i) => Some(self.sources[*i].name.clone()),
            Seg::Nav(_) => Some(self.nav_tag(path)),
            Seg::Key { .. } if pre > 0 => match &path[pre - 1] {
                Seg::Nav(_) => Some(self.nav_tag(path)),
                Seg::Source(i) => Some(self.sources[*i].name.clone()),
                _ => None,
            },
            _ => None,
        };
        let mut items: Vec<String> = tag
            .map(|t| t.split('.').map(str::to_string).collect())
            .unwrap_or_default();
        if items.len() < 2 {
            if let Seg::Complex(p) = path[ci] {
                if let Some(ct) = self.complex_type_of(p) {
                    items.push(self.s.types[ct].short.clone());
                }
            }
        }
        items.join(".")
    }

    fn cast_id_prefix(&self, path: &[Seg], list_or_get: bool) -> String {
        let Some(ci) = path.iter().rposition(|s| matches!(s, Seg::Cast(_))) else {
            return String::new();
        };
        let src = self.source_of(path);
        let sl = &path[ci - 1];
        match sl {
            Seg::Complex(p) => {
                let prefix = if self.prop(*p).ty.collection {
                    "List"
                } else {
                    "Get"
                };
                self.complex_op_id(path, list_or_get.then_some(prefix))
            }
            Seg::Nav(p) => {
                let prefix = if self.prop(*p).ty.collection {
                    "List"
                } else {
                    "Get"
                };
                self.nav_op_id(path, list_or_get.then_some(prefix))
            }
            Seg::Key { ty, alt } => {
                if ci >= 2 && matches!(path[ci - 2], Seg::Nav(_)) {
                    return self.nav_op_id(path, Some("Get"));
                }
                let short = &self.s.types[*ty].short;
                let mut name = format!(
                    "{}{}",
                    if list_or_get { "Get" } else { "" },
                    upper_first(short)
                );
                if let Some(a) = alt {
                    name += &format!(
                        "By{}",
                        a.iter().map(|(_, p)| upper_first(p)).collect::<String>()
                    );
                }
                let source = src
                    .map(|s| self.sources[s].name.clone())
                    .unwrap_or_default();
                format!("{source}.{short}.{name}")
            }
            Seg::Source(i) => {
                let short = &self.s.types[self.source_type[*i]].short;
                let verb = match (list_or_get, self.sources[*i].singleton) {
                    (false, _) => "",
                    (true, true) => "Get",
                    (true, false) => "List",
                };
                format!(
                    "{}.{short}.{verb}{}",
                    self.sources[*i].name,
                    upper_first(short)
                )
            }
            _ => String::new(),
        }
    }

    /// The NavigationRestrictions RestrictedProperties entry for the path's last navigation.
    fn nav_restriction(&self, path: &[Seg], np: PropRef) -> Option<&'a Value> {
        let want = self.nav_path(path);
        self.source_of(path)
            .and_then(|s| self.annotation(Annotatable::Source(s), terms::NAVIGATION))
            .and_then(|r| r.field("RestrictedProperties"))
            .and_then(|rp| {
                rp.items().iter().find(|r| {
                    r.field("NavigationProperty").and_then(Value::as_str) == Some(want.as_str())
                })
            })
            .or_else(|| {
                self.s
                    .prop_annotation(np, terms::NAVIGATION)
                    .and_then(|r| r.field("RestrictedProperties"))
                    .and_then(|rp| rp.items().first())
            })
    }

    /// Restriction of `term` for a navigation path: the restricted-property entry's, completed
    /// by the navigation property's own annotation.
    fn nav_term(&self, restriction: Option<&Value>, np: PropRef, term: &str) -> Option<Value> {
        let field = match term {
            terms::READ => "ReadRestrictions",
            terms::INSERT => "InsertRestrictions",
            terms::UPDATE => "UpdateRestrictions",
            _ => "DeleteRestrictions",
        };
        let from_restriction = restriction.and_then(|r| r.field(field));
        let own = self.s.prop_annotation(np, term);
        match from_restriction {
            Some(r) => Some(r.merged(own)),
            None => own.cloned(),
        }
    }

    fn drafts(&self, path: &[Seg]) -> Vec<Draft> {
        match self.kind(path) {
            Kind::EntitySet => self.entity_set_drafts(path),
            Kind::Entity => self.entity_drafts(path),
            Kind::Singleton => self.singleton_drafts(path),
            Kind::NavigationProperty => self.nav_drafts(path),
            Kind::Ref => self.ref_drafts(path),
            Kind::DollarCount => self.count_drafts(path),
            Kind::TypeCast => self.cast_drafts(path),
            Kind::MediaEntity => self.media_drafts(path),
            Kind::ComplexProperty => self.complex_drafts(path),
            Kind::Operation => self.operation_drafts(path),
            Kind::OperationImport => self.import_drafts(path),
            Kind::Unknown => vec![],
        }
    }

    fn entity_set_drafts(&self, path: &[Seg]) -> Vec<Draft> {
        let Some(src) = self.source_of(path) else {
            return vec![];
        };
        let a = Annotatable::Source(src);
        let t = &self.s.types[self.source_type[src]];
        let tag = self.source_tag(src);
        let mut out = vec![];
        let read = self.restriction_record(a, terms::READ);
        if Self::is_true(read, "Readable", true) {
            out.push(Draft {
                method: "GET",
                operation_id: format!(
                    "{}.{}.List{}",
                    self.sources[src].name,
                    t.short,
                    upper_first(&t.short)
                ),
                tag: tag.clone(),
                kind: OpKind::List,
                body: None,
                returns: ty(&t.name, true),
                query: self.query_options(Some(a), true, true),
                consistency_level: has_consistency_header(read),
                custom_query: custom_query_options(read),
                pageable: true,
            });
        }
        let insert = self.restriction_record(a, terms::INSERT);
        if Self::is_true(insert, "Insertable", true) {
            out.push(Draft {
                method: "POST",
                operation_id: format!(
                    "{}.{}.Create{}",
                    self.sources[src].name,
                    t.short,
                    upper_first(&t.short)
                ),
                tag,
                kind: OpKind::Create,
                body: Some(Body::Model(t.name.clone())),
                returns: ty(&t.name, false),
                query: vec![],
                consistency_level: has_consistency_header(insert),
                custom_query: custom_query_options(insert),
                pageable: false,
            });
        }
        out
    }

    fn entity_drafts(&self, path: &[Seg]) -> Vec<Draft> {
        let Some(src) = self.source_of(path) else {
            return vec![];
        };
        let a = Annotatable::Source(src);
        let t = &self.s.types[self.source_type[src]];
        let tag = self.source_tag(src);
        let by = match path.last() {
            Some(Seg::Key { alt: Some(alt), .. }) => {
                format!(
                    "By{}",
                    alt.iter().map(|(_, p)| upper_first(p)).collect::<String>()
                )
            }
            _ => String::new(),
        };
        let id = |verb: &str| {
            format!(
                "{}.{}.{verb}{}{by}",
                self.sources[src].name,
                t.short,
                upper_first(&t.short)
            )
        };
        let mut out = vec![];
        let read = self.restriction_record(a, terms::READ);
        let by_key = read.and_then(|r| r.field("ReadByKeyRestrictions"));
        let readable = match (read, by_key) {
            (None, _) => true,
            (Some(r), None) => Self::is_true(Some(r), "Readable", true),
            (Some(_), Some(k)) => Self::is_true(Some(k), "Readable", true),
        };
        if readable {
            out.push(Draft {
                method: "GET",
                operation_id: id("Get"),
                tag: tag.clone(),
                kind: OpKind::Get,
                body: None,
                returns: ty(&t.name, false),
                query: self.query_options(Some(a), false, true),
                consistency_level: has_consistency_header(by_key.or(read)),
                custom_query: custom_query_options(by_key.or(read)),
                pageable: false,
            });
        }
        let update = self.restriction_record(a, terms::UPDATE);
        if Self::is_true(update, "Updatable", true) {
            for m in update_methods(update) {
                let (verb, kind) = if m == "PUT" {
                    ("Set", OpKind::Set)
                } else {
                    ("Update", OpKind::Update)
                };
                out.push(Draft {
                    method: m,
                    operation_id: id(verb),
                    tag: tag.clone(),
                    kind,
                    body: Some(Body::Model(t.name.clone())),
                    returns: ty(&t.name, false),
                    query: vec![],
                    consistency_level: has_consistency_header(update),
                    custom_query: custom_query_options(update),
                    pageable: false,
                });
            }
        }
        let delete = self.restriction_record(a, terms::DELETE);
        if Self::is_true(delete, "Deletable", true) {
            out.push(Draft {
                method: "DELETE",
                operation_id: id("Delete"),
                tag,
                kind: OpKind::Delete,
                body: None,
                returns: None,
                query: vec![],
                consistency_level: has_consistency_header(delete),
                custom_query: custom_query_options(delete),
                pageable: false,
            });
        }
        out
    }

    fn singleton_drafts(&self, path: &[Seg]) -> Vec<Draft> {
        let Some(src) = self.source_of(path) else {
            return vec![];
        };
        let a = Annotatable::Source(src);
        let t = &self.s.types[self.source_type[src]];
        let tag = self.source_tag(src);
        let id = |verb: &str| {
            format!(
                "{}.{}.{verb}{}",
                self.sources[src].name,
                t.short,
                upper_first(&t.short)
            )
        };
        let mut out = vec![];
        let read = self.restriction_record(a, terms::READ);
        if Self::is_true(read, "Readable", true) {
            out.push(Draft {
                method: "GET",
                operation_id: id("Get"),
                tag: tag.clone(),
                kind: OpKind::Get,
                body: None,
                returns: ty(&t.name, false),
                query: self.query_options(Some(a), false, true),
                consistency_level: has_consistency_header(read),
                custom_query: custom_query_options(read),
                pageable: false,
            });
        }
        let update = self.restriction_record(a, terms::UPDATE);
        if Self::is_true(update, "Updatable", true) {
            out.push(Draft {
                method: "PATCH",
                operation_id: id("Update"),
                tag,
                kind: OpKind::Update,
                body: Some(Body::Model(t.name.clone())),
                returns: ty(&t.name, false),
                query: vec![],
                consistency_level: has_consistency_header(update),
                custom_query: custom_query_options(update),
                pageable: false,
            });
        }
        out
    }

    fn last_nav(&self, path: &[Seg]) -> Option<PropRef> {
        path.iter().rev().find_map(|s| match s {
            Seg::Nav(p) => Some(*p),
            _ => None,
        })
    }

    fn nav_drafts(&self, path: &[Seg]) -> Vec<Draft> {
        let Some(np) = self.last_nav(path) else {
            return vec![];
        };
        let Some(target) = self.nav_target(np) else {
            return vec![];
        };
        let prop = self.prop(np);
        let src_restr = self
            .source_of(path)
            .and_then(|s| self.annotation(Annotatable::Source(s), terms::NAVIGATION));
        let prop_restr = self.s.prop_annotation(np, terms::NAVIGATION);
        let restriction = self.nav_restriction(path, np);
        if !allows_navigation(src_restr, restriction) || !allows_navigation(prop_restr, restriction)
        {
            return vec![];
        }
        let key = matches!(path.last(), Some(Seg::Key { .. }));
        let many = prop.ty.collection;
        let list = many && !key;
        let tname = self.s.types[target].name.clone();
        let tag = self.nav_tag(path);
        let entity = Annotatable::EntityType(target);
        let mut out = vec![];

        // GET
        let read = self.nav_term(restriction, np, terms::READ);
        let entity_read = self.annotation(entity, terms::READ);
        let readable = if read.is_none() && entity_read.is_none() {
            true
        } else if many && key {
            Self::is_true(
                read.as_ref().and_then(|r| r.field("ReadByKeyRestrictions")),
                "Readable",
                true,
            ) && Self::is_true(entity_read, "Readable", true)
        } else {
            Self::is_true(read.as_ref(), "Readable", true)
                && Self::is_true(entity_read, "Readable", true)
        };
        if readable {
            let header_source = if key {
                read.as_ref()
                    .and_then(|r| r.field("ReadByKeyRestrictions"))
                    .or(read.as_ref())
            } else {
                read.as_ref()
            };
            out.push(Draft {
                method: "GET",
                operation_id: self.nav_op_id(path, Some(if list { "List" } else { "Get" })),
                tag: tag.clone(),
                kind: if list { OpKind::List } else { OpKind::Get },
                body: None,
                returns: ty(&tname, list),
                query: self.query_options(Some(Annotatable::Prop(np)), list, true),
                consistency_level: has_consistency_header(header_source),
                custom_query: custom_query_options(header_source),
                pageable: list,
            });
        }

        // POST / PATCH / PUT
        let update = self.nav_term(restriction, np, terms::UPDATE);
        let insert = self.nav_term(restriction, np, terms::INSERT);
        let entity_update = self.annotation(entity, terms::UPDATE);
        let mut updates: Vec<(&'static str, Option<Value>)> = vec![];
        let mut post = false;
        if prop.contains_target {
            let update_type = update.clone().or_else(|| entity_update.cloned());
            if many && key {
                if Self::is_true(entity_update, "Updatable", true)
                    && Self::is_true(update.as_ref(), "Updatable", true)
                {
                    updates.push(("u", update_type));
                }
            } else if many {
                let entity_insert = self.annotation(entity, terms::INSERT);
                post = (insert.is_none() && entity_insert.is_none())
                    || (Self::is_true(entity_insert, "Insertable", true)
                        && Self::is_true(insert.as_ref(), "Insertable", true));
            } else {
                updates.push(("u", update_type));
            }
        } else if many && key {
            if Self::is_true(update.as_ref(), "Updatable", false) {
                updates.push(("u", update.clone()));
            }
        } else if many {
            post = Self::is_true(insert.as_ref(), "Insertable", false);
        } else if Self::is_true(update.as_ref(), "Updatable", false) {
            updates.push(("u", update.clone()));
        }
        for (_, restr) in updates {
            if !Self::is_true(restr.as_ref(), "Updatable", true) {
                continue;
            }
            for m in update_methods(restr.as_ref()) {
                let (verb, kind) = if m == "PUT" {
                    ("Set", OpKind::Set)
                } else {
                    ("Update", OpKind::Update)
                };
                out.push(Draft {
                    method: m,
                    operation_id: self.nav_op_id(path, Some(verb)),
                    tag: tag.clone(),
                    kind,
                    body: Some(Body::Model(tname.clone())),
                    returns: ty(&tname, false),
                    query: vec![],
                    consistency_level: has_consistency_header(restr.as_ref()),
                    custom_query: custom_query_options(restr.as_ref()),
                    pageable: false,
                });
            }
        }
        if post {
            out.push(Draft {
                method: "POST",
                operation_id: self.nav_op_id(path, Some("Create")),
                tag: tag.clone(),
                kind: OpKind::Create,
                body: Some(Body::Model(tname.clone())),
                returns: ty(&tname, false),
                query: vec![],
                consistency_level: has_consistency_header(insert.as_ref()),
                custom_query: custom_query_options(insert.as_ref()),
                pageable: false,
            });
        }

        // DELETE
        if !many || key {
            let delete = self.nav_term(restriction, np, terms::DELETE);
            let entity_delete = self.annotation(entity, terms::DELETE);
            let deletable = (delete.is_none() && entity_delete.is_none())
                || (Self::is_true(entity_delete, "Deletable", true)
                    && Self::is_true(delete.as_ref(), "Deletable", true));
            if (prop.contains_target && deletable)
                || Self::is_true(delete.as_ref(), "Deletable", false)
            {
                out.push(Draft {
                    method: "DELETE",
                    operation_id: self.nav_op_id(path, Some("Delete")),
                    tag,
                    kind: OpKind::Delete,
                    body: None,
                    returns: None,
                    query: vec![],
                    consistency_level: has_consistency_header(delete.as_ref()),
                    custom_query: custom_query_options(delete.as_ref()),
                    pageable: false,
                });
            }
        }
        out
    }

    fn ref_drafts(&self, path: &[Seg]) -> Vec<Draft> {
        let Some(np) = self.last_nav(path) else {
            return vec![];
        };
        let Some(src) = self.source_of(path) else {
            return vec![];
        };
        let prop = self.prop(np);
        // The path-item check matches RestrictedProperties against the path with `$ref`.
        let nav_restr = self.annotation(Annotatable::Source(src), terms::NAVIGATION);
        let with_ref: String = path
            .iter()
            .filter(|s| !matches!(s, Seg::Key { .. } | Seg::Source(_)))
            .map(|s| self.identifier(s))
            .collect::<Vec<_>>()
            .join("/");
        let item_restr = nav_restr
            .and_then(|r| r.field("RestrictedProperties"))
            .and_then(|rp| {
                rp.items().iter().find(|r| {
                    r.field("NavigationProperty").and_then(Value::as_str) == Some(with_ref.as_str())
                })
            });
        if nav_type_forbids(item_restr)
            || (item_restr.and_then(|r| r.field("Navigability")).is_none()
                && nav_type_forbids(nav_restr))
        {
            return vec![];
        }
        let field_ok = |field: &str, flag: &str| {
            Self::is_true(item_restr.and_then(|r| r.field(field)), flag, true)
        };
        let restriction = self.nav_restriction(path, np);
        let tag = self.nav_tag(path);
        let many = prop.ty.collection;
        let after_key = path.len() >= 2 && matches!(path[path.len() - 2], Seg::Key { .. });
        let mut out = vec![];
        let get = |list: bool| Draft {
            method: "GET",
            operation_id: self.nav_op_id(path, Some(if list { "ListRef" } else { "GetRef" })),
            tag: tag.clone(),
            kind: if list {
                OpKind::RefList
            } else {
                OpKind::RefGet
            },
            body: None,
            returns: ty("Edm.String", list),
            query: if list {
                self.query_options(Some(Annotatable::Prop(np)), true, false)
            } else {
                vec![]
            },
            consistency_level: has_consistency_header(
                self.nav_term(restriction, np, terms::READ).as_ref(),
            ),
            custom_query: custom_query_options(
                self.nav_term(restriction, np, terms::READ).as_ref(),
            ),
            pageable: list,
        };
        let delete = || {
            let mut segs: Vec<String> = self
                .nav_op_id(path, None)
                .split('.')
                .map(str::to_string)
                .collect();
            let n = segs.len() - 1;
            if after_key {
                segs[n] = lower_first(&segs[n]);
                let target = self
                    .nav_target(np)
                    .map(|t| self.s.types[t].short.clone())
                    .unwrap_or_default();
                segs.push(format!("DeleteRef{}", upper_first(&target)));
            } else {
                segs[n] = format!("DeleteRef{}", segs[n]);
            }
            Draft {
                method: "DELETE",
                operation_id: segs.join("."),
                tag: tag.clone(),
                kind: OpKind::RefDelete,
                body: None,
                returns: None,
                query: vec![],
                consistency_level: false,
                custom_query: vec![],
                pageable: false,
            }
        };
        if many {
            if after_key {
                if field_ok("DeleteRestrictions", "Deletable") {
                    out.push(delete());
                }
            } else {
                if field_ok("ReadRestrictions", "Readable") {
                    out.push(get(true));
                }
                if field_ok("InsertRestrictions", "Insertable") {
                    out.push(Draft {
                        method: "POST",
                        operation_id: self.nav_op_id(path, Some("CreateRef")),
                        tag: tag.clone(),
                        kind: OpKind::RefCreate,
                        body: Some(Body::Ref),
                        returns: None,
                        query: vec![],
                        consistency_level: false,
                        custom_query: vec![],
                        pageable: false,
                    });
                }
                if field_ok("DeleteRestrictions", "Deletable") {
                    out.push(delete());
                }
            }
        } else {
            if field_ok("ReadRestrictions", "Readable") {
                out.push(get(false));
            }
            if field_ok("UpdateRestrictions", "Updatable") {
                out.push(Draft {
                    method: "PUT",
                    operation_id: self.nav_op_id(path, Some("UpdateRef")),
                    tag: tag.clone(),
                    kind: OpKind::RefSet,
                    body: Some(Body::Ref),
                    returns: None,
                    query: vec![],
                    consistency_level: false,
                    custom_query: vec![],
                    pageable: false,
                });
            }
            if field_ok("DeleteRestrictions", "Deletable") {
                out.push(delete());
            }
        }
        out
    }

    fn count_drafts(&self, path: &[Seg]) -> Vec<Draft> {
        let n = path.len();
        if n < 2 {
            return vec![];
        }
        let hash = self.path_hash(path);
        let second = &path[n - 2];
        // Annotated elements the count's $search/$filter and headers come from.
        let mut annotatables = vec![];
        let add = |seg: &Seg, out: &mut Vec<Annotatable>| match seg {
            Seg::Source(i) if !self.sources[*i].singleton => out.push(Annotatable::Source(*i)),
            Seg::Nav(p) => out.push(Annotatable::Prop(*p)),
            Seg::Cast(t) => out.push(Annotatable::EntityType(*t)),
            _ => {}
        };
        add(second, &mut annotatables);
        if matches!(second, Seg::Cast(_)) && n >= 3 {
            add(&path[n - 3], &mut annotatables);
        }
        let (operation_id, tag) = match second {
            Seg::Source(i) => (
                format!("{}.GetCount-{hash}", self.sources[*i].name),
                self.source_tag(*i),
            ),
            Seg::Nav(_) => (
                format!("{}.GetCount-{hash}", self.nav_id_items(path).join(".")),
                self.nav_tag(path),
            ),
            Seg::Cast(t) => {
                let tag = match &path[n - 3] {
                    Seg::Source(i) => self.source_tag(*i),
                    Seg::Nav(_) => self.nav_tag(path),
                    _ => String::new(),
                };
                (
                    format!(
                        "{}.GetCount.As{}-{hash}",
                        self.cast_id_prefix(path, false),
                        upper_first(&self.s.types[*t].short)
                    ),
                    tag,
                )
            }
            Seg::Complex(_) => (
                format!("{}.GetCount-{hash}", self.complex_op_id(path, None)),
                self.complex_tag(path),
            ),
            _ => return vec![],
        };
        let any = |term: &str, field: &str| {
            !annotatables.is_empty()
                && annotatables
                    .iter()
                    .any(|a| Self::is_true(self.query_annotation(*a, term), field, true))
        };
        let mut query = vec![];
        if any(terms::SEARCH, "Searchable") {
            query.push("search");
        }
        if any(terms::FILTER, "Filterable") {
            query.push("filter");
        }
        let read = annotatables
            .iter()
            .find_map(|a| self.annotation(*a, terms::READ));
        vec![Draft {
            method: "GET",
            operation_id,
            tag,
            kind: OpKind::Count,
            body: None,
            returns: ty("Edm.Int32", false),
            query,
            consistency_level: has_consistency_header(read),
            custom_query: custom_query_options(read),
            pageable: false,
        }]
    }

    fn cast_drafts(&self, path: &[Seg]) -> Vec<Draft> {
        let n = path.len();
        let Some(Seg::Cast(target)) = path.last() else {
            return vec![];
        };
        let second = &path[n - 2];
        let mut nav: Option<PropRef> = None;
        let mut entity_set: Option<usize> = None;
        let mut singleton = false;
        let mut key = false;
        let mut indexed_nav = false;
        let mut complex = false;
        match second {
            Seg::Nav(p) => nav = Some(*p),
            Seg::Source(i) => {
                if self.sources[*i].singleton {
                    singleton = true
                } else {
                    entity_set = Some(*i)
                }
            }
            Seg::Key { .. } => {
                key = true;
                match &path[n - 3] {
                    Seg::Nav(p) => {
                        indexed_nav = true;
                        nav = Some(*p)
                    }
                    Seg::Source(i) => {
                        if self.sources[*i].singleton {
                            singleton = true
                        } else {
                            entity_set = Some(*i)
                        }
                    }
                    _ => {}
                }
            }
            Seg::Complex(_) => complex = true,
            _ => {}
        }
        let single = key
            || complex
            || singleton
            || nav.is_some_and(|p| !self.prop(p).ty.collection && entity_set.is_none());
        let operation_id = format!(
            "{}.As{}-{}",
            self.cast_id_prefix(path, true),
            upper_first(&self.s.types[*target].short),
            self.path_hash(path)
        );
        let tag = if matches!(second, Seg::Nav(_)) || indexed_nav {
            self.nav_tag(path)
        } else if matches!(second, Seg::Key { .. } | Seg::Source(_)) {
            self.source_of(path)
                .map(|s| self.source_tag(s))
                .unwrap_or_default()
        } else if complex {
            self.complex_tag(path)
        } else {
            String::new()
        };
        let annotatable = if let Some(p) = nav {
            Some(Annotatable::Prop(p))
        } else if let Some(i) = entity_set {
            Some(Annotatable::Source(i))
        } else if singleton {
            self.source_of(path).map(Annotatable::Source)
        } else {
            None
        };
        let query = if complex || annotatable.is_none() {
            vec![]
        } else {
            self.query_options(annotatable, !single, true)
        };
        let read = annotatable.and_then(|a| self.annotation(a, terms::READ));
        vec![Draft {
            method: "GET",
            operation_id,
            tag,
            kind: if single { OpKind::Get } else { OpKind::List },
            body: None,
            returns: ty(&self.s.types[*target].name, !single),
            query,
            consistency_level: has_consistency_header(read),
            custom_query: custom_query_options(read),
            pageable: !single,
        }]
    }

    fn media_drafts(&self, path: &[Seg]) -> Vec<Draft> {
        let Some(src) = self.source_of(path) else {
            return vec![];
        };
        let a = Annotatable::Source(src);
        let nav = self.last_nav(path);
        let identifier = match path.last() {
            Some(Seg::Stream(p)) => self.prop(*p).name.clone(),
            _ => "Content".to_string(),
        };
        let hash = self.path_hash(path);
        let id = |prefix: &str| {
            let mut items = vec![self.sources[src].name.clone()];
            for seg in &path[1..] {
                if matches!(seg, Seg::Stream(_) | Seg::Value) {
                    match nav {
                        None => {
                            items.push(self.s.types[self.source_type[src]].short.clone());
                            items.push(format!("{prefix}{}", upper_first(&identifier)));
                        }
                        Some(np) => {
                            let name = self.prop(np).name.clone();
                            if let Some(pos) = items.iter().position(|x| *x == name) {
                                items.remove(pos);
                            }
                            items.push(format!(
                                "{prefix}{}{}",
                                upper_first(&name),
                                upper_first(&identifier)
                            ));
                        }
                    }
                    break;
                }
                if let Seg::Nav(p) = seg {
                    items.push(self.prop(*p).name.clone());
                }
            }
            format!("{}-{hash}", items.join("."))
        };
        let tag = if nav.is_some() {
            self.nav_tag(path)
        } else {
            self.source_tag(src)
        };
        let read = self
            .target_annotation(path, terms::READ)
            .or_else(|| self.annotation(a, terms::READ));
        let by_key = read.and_then(|r| r.field("ReadByKeyRestrictions"));
        let readable = match (read, by_key) {
            (None, _) => true,
            (Some(r), None) => Self::is_true(Some(r), "Readable", true),
            (Some(_), Some(k)) => Self::is_true(Some(k), "Readable", true),
        };
        let update = self
            .target_annotation(path, terms::UPDATE)
            .or_else(|| self.annotation(a, terms::UPDATE));
        let delete = self
            .target_annotation(path, terms::DELETE)
            .or_else(|| self.annotation(a, terms::DELETE));
        let mut out = vec![];
        let draft = |method, prefix: &str, kind, body, returns| Draft {
            method,
            operation_id: id(prefix),
            tag: tag.clone(),
            kind,
            body,
            returns,
            query: vec![],
            consistency_level: false,
            custom_query: vec![],
            pageable: false,
        };
        if readable {
            let mut get = draft("GET", "Get", OpKind::MediaGet, None, Some(Returns::Stream));
            // The stream property's own read restriction declares its options (`$format` of
            // a drive item's content: the SDK's `-Format`).
            let own = match path.last() {
                Some(Seg::Stream(p)) => self.s.prop_annotation(*p, terms::READ),
                _ => None,
            };
            get.custom_query = custom_query_options(read);
            if get.custom_query.is_empty() {
                get.custom_query = custom_query_options(own);
            }
            out.push(get);
        }
        if Self::is_true(update, "Updatable", true) {
            // A stream property's PUT answers the entity it belongs to (a drive item's
            // `content`: the SDK's Set-MgDriveItemContent outputs IMicrosoftGraphDriveItem);
            // a media entity's `$value` answers nothing.
            let owner = match path {
                [.., owner, Seg::Stream(_)] => self.seg_entity_type(owner),
                _ => None,
            };
            let returns = owner.and_then(|t| ty(&self.s.types[t].name, false));
            out.push(draft(
                "PUT",
                "Update",
                OpKind::MediaSet,
                Some(Body::Stream),
                returns,
            ));
        }
        if Self::is_true(delete, "Deletable", true) {
            out.push(draft("DELETE", "Delete", OpKind::MediaDelete, None, None));
        }
        out
    }

    fn complex_drafts(&self, path: &[Seg]) -> Vec<Draft> {
        let Some(Seg::Complex(p)) = path.last() else {
            return vec![];
        };
        let p = *p;
        let Some(ct) = self.complex_type_of(p) else {
            return vec![];
        };
        let many = self.prop(p).ty.collection;
        let cname = self.s.types[ct].name.clone();
        let tag = self.complex_tag(path);
        let get = |term: &str| {
            let own = self.s.prop_annotation(p, term);
            match self.target_annotation(path, term) {
                Some(t) => Some(t.merged(own)),
                None => own.cloned(),
            }
        };
        let mut out = vec![];
        let read = get(terms::READ);
        if Self::is_true(read.as_ref(), "Readable", false) {
            out.push(Draft {
                method: "GET",
                operation_id: self.complex_op_id(path, Some(if many { "List" } else { "Get" })),
                tag: tag.clone(),
                kind: if many { OpKind::List } else { OpKind::Get },
                body: None,
                returns: ty(&cname, many),
                query: self.query_options(Some(Annotatable::Prop(p)), many, true),
                consistency_level: has_consistency_header(read.as_ref()),
                custom_query: custom_query_options(read.as_ref()),
                pageable: many,
            });
        }
        let update = get(terms::UPDATE);
        if Self::is_true(update.as_ref(), "Updatable", false) {
            for m in update_methods(update.as_ref()) {
                let (verb, kind) = if m == "PUT" {
                    ("Set", OpKind::Set)
                } else {
                    ("Update", OpKind::Update)
                };
                out.push(Draft {
                    method: m,
                    operation_id: self.complex_op_id(path, Some(verb)),
                    tag: tag.clone(),
                    kind,
                    body: Some(Body::Model(cname.clone())),
                    returns: ty(&cname, many),
                    query: vec![],
                    consistency_level: has_consistency_header(update.as_ref()),
                    custom_query: custom_query_options(update.as_ref()),
                    pageable: false,
                });
            }
        }
        let insert = get(terms::INSERT);
        if many && Self::is_true(insert.as_ref(), "Insertable", false) {
            out.push(Draft {
                method: "POST",
                operation_id: self.complex_op_id(path, Some("Set")),
                tag,
                kind: OpKind::Create,
                body: Some(Body::Model(cname.clone())),
                returns: ty(&cname, false),
                query: vec![],
                consistency_level: has_consistency_header(insert.as_ref()),
                custom_query: custom_query_options(insert.as_ref()),
                pageable: false,
            });
        }
        out
    }

    fn operation_tag(&self, path: &[Seg], op: &OperationDef) -> String {
        let mut skip = 1;
        loop {
            let target = (path.len() > skip).then(|| &path[path.len() - 1 - skip]);
            match target {
                Some(Seg::Nav(_)) => return self.nav_tag(path),
                Some(Seg::Key { .. } | Seg::Import(_)) => skip += 1,
                _ => {
                    let base = self
                        .source_of(path)
                        .map(|s| self.source_tag(s))
                        .unwrap_or_else(|| ".".into());
                    let suffix = if op.is_action { "Actions" } else { "Functions" };
                    return format!("{base}.{suffix}");
                }
            }
        }
    }

    fn operation_drafts(&self, path: &[Seg]) -> Vec<Draft> {
        let Some(Seg::Op(oi)) = path.last() else {
            return vec![];
        };
        let op = self.op(*oi);
        let mut ids = vec![];
        let mut hash = String::new();
        for (i, seg) in path.iter().enumerate() {
            match seg {
                Seg::Key { ty, alt: None } => ids.push(self.s.types[*ty].short.clone()),
                Seg::Key { alt: Some(a), .. } => {
                    if i == path.len() - 1 {
                        ids.push(format!(
                            "By{}",
                            a.iter().map(|(_, p)| upper_first(p)).collect::<String>()
                        ));
                    } else {
                        ids.push(self.identifier(seg));
                    }
                }
                Seg::Op(o) => {
                    if !self.op(*o).is_action && self.is_overloaded(*o) {
                        let h = self.seg_hash(seg);
                        hash = if hash.is_empty() {
                            h
                        } else {
                            sha4(&(hash + &h))
                        };
                    }
                    ids.push(self.op(*o).name.clone());
                }
                other => ids.push(self.identifier(other)),
            }
        }
        let mut operation_id = ids.join(".");
        if !hash.is_empty() {
            operation_id = format!("{operation_id}-{hash}");
        }
        let returns = op.returns.as_ref().map(|(t, _)| {
            Returns::Type(TypeRef {
                name: t.name.clone(),
                collection: t.collection,
            })
        });
        let many = op.returns.as_ref().is_some_and(|(t, _)| t.collection);
        let mut query = vec![];
        if !op.is_action && many {
            let a = Annotatable::Operation(*oi);
            let elem_entity = op
                .returns
                .as_ref()
                .and_then(|(t, _)| self.s.type_id(&t.name))
                .is_some_and(|t| self.s.types[t].entity);
            let full = self.query_options(Some(a), true, elem_entity);
            // The conversion lists a function's options in this order.
            for q in [
                "top", "skip", "search", "filter", "count", "select", "orderby", "expand",
            ] {
                if full.contains(&q)
                    && (elem_entity || !matches!(q, "select" | "orderby" | "expand"))
                {
                    query.push(q);
                }
            }
        }
        let body = if op.is_action {
            let params: Vec<OpParam> = op.params[usize::from(op.bound).min(op.params.len())..]
                .iter()
                .map(|p| OpParam {
                    name: p.name.clone(),
                    ty: TypeRef {
                        name: p.ty.name.clone(),
                        collection: p.ty.collection,
                    },
                    nullable: p.nullable,
                })
                .collect();
            (!params.is_empty()).then_some(Body::Params(params))
        } else {
            None
        };
        vec![Draft {
            method: if op.is_action { "POST" } else { "GET" },
            operation_id,
            tag: self.operation_tag(path, op),
            kind: if op.is_action {
                OpKind::Action
            } else {
                OpKind::Function
            },
            body,
            returns,
            query,
            consistency_level: has_consistency_header(self.s.op_annotation(*oi, terms::OPERATION)),
            custom_query: custom_query_options(self.s.op_annotation(*oi, terms::OPERATION)),
            pageable: many,
        }]
    }

    fn import_drafts(&self, path: &[Seg]) -> Vec<Draft> {
        let Some(Seg::Import(i)) = path.last() else {
            return vec![];
        };
        let imp = &self.s.imports[*i];
        let op =
            self.s.operations.iter().find(|o| {
                !o.bound && o.is_action == imp.is_action && o.full_name() == imp.operation
            });
        let overloaded = self.s.imports.iter().filter(|x| x.name == imp.name).count() > 1;
        let operation_id = if imp.is_action {
            format!("ActionImport.{}", imp.name)
        } else if overloaded {
            format!(
                "FunctionImport.{}-{}",
                imp.name,
                self.seg_hash(&path[path.len() - 1])
            )
        } else {
            format!("FunctionImport.{}", imp.name)
        };
        let returns = op.and_then(|o| o.returns.as_ref()).map(|(t, _)| {
            Returns::Type(TypeRef {
                name: t.name.clone(),
                collection: t.collection,
            })
        });
        let body = op.filter(|o| o.is_action).and_then(|o| {
            let params: Vec<OpParam> = o
                .params
                .iter()
                .map(|p| OpParam {
                    name: p.name.clone(),
                    ty: TypeRef {
                        name: p.ty.name.clone(),
                        collection: p.ty.collection,
                    },
                    nullable: p.nullable,
                })
                .collect();
            (!params.is_empty()).then_some(Body::Params(params))
        });
        vec![Draft {
            method: if imp.is_action { "POST" } else { "GET" },
            operation_id,
            tag: imp.name.clone(),
            kind: if imp.is_action {
                OpKind::Action
            } else {
                OpKind::Function
            },
            body,
            pageable: matches!(&returns, Some(Returns::Type(t)) if t.collection),
            returns,
            query: vec![],
            consistency_level: false,
            custom_query: vec![],
        }]
    }

    /// The conversion's TryAddPath: on a duplicate path text, an operation bound to exactly
    /// the preceding segment's type wins over one bound to a base type.
    fn replaces(&self, path: &[Seg]) -> bool {
        let Some(Seg::Op(o)) = path.last() else {
            return false;
        };
        if path.len() < 2 {
            return false;
        }
        let bound = self.seg_entity_type(&path[path.len() - 2]);
        let op_type = self
            .op(*o)
            .params
            .first()
            .and_then(|p| self.s.type_id(&p.ty.name));
        let derived = op_type.map(|t| self.s.all_derived(t)).unwrap_or_default();
        if derived.is_empty() {
            return true;
        }
        bound.is_some() && bound == op_type
    }
}

/// Every operation the conversion exposes for `schema`, sorted by path (then in the order
/// the conversion adds methods to a path). Errors when the schema's nesting exceeds
/// [`MAX_PATH_SEGMENTS`] or a navigation source is mistyped.
pub fn operations(schema: &Schema) -> Result<Vec<Operation>, String> {
    let mut g = Gen::new(schema)?;
    for src in 0..g.sources.len() {
        if SKIPPED_SOURCES.contains(&g.sources[src].name.as_str()) {
            continue;
        }
        g.retrieve_source(src);
    }
    g.retrieve_bound_operations();
    for i in 0..schema.imports.len() {
        g.append(vec![Seg::Import(i)]);
    }
    if let Some(e) = g.error.take() {
        return Err(e);
    }
    let mut all: Vec<(String, Vec<PathParam>, Path)> = g
        .ns_paths
        .iter()
        .chain(g.np_paths.iter())
        .flatten()
        .chain(g.op_paths.iter())
        .map(|p| {
            let (name, params) = g.item_name(p);
            (name, params, p.clone())
        })
        .collect();
    all.sort_by(|a, b| a.0.cmp(&b.0));
    let mut chosen: Vec<(String, Vec<PathParam>, Vec<Draft>, Path)> = vec![];
    let mut index: HashMap<String, usize> = HashMap::new();
    for (name, params, path) in all {
        let drafts = g.drafts(&path);
        if drafts.is_empty() {
            continue;
        }
        match index.get(&name) {
            None => {
                index.insert(name.clone(), chosen.len());
                chosen.push((name, params, drafts, path));
            }
            Some(&i) => {
                if g.replaces(&path) {
                    chosen[i] = (name, params, drafts, path);
                }
            }
        }
    }
    Ok(chosen
        .into_iter()
        .flat_map(|(name, params, drafts, path)| {
            let (body_schema, response_schema) = g.schema_names(&path);
            drafts.into_iter().map(move |d| Operation {
                path: name.clone(),
                method: d.method,
                operation_id: d.operation_id,
                tag: d.tag,
                kind: d.kind,
                path_params: params.clone(),
                body: d.body,
                returns: d.returns,
                query: d.query,
                consistency_level: d.consistency_level,
                custom_query: d.custom_query,
                pageable: d.pageable,
                body_schema: body_schema.clone(),
                response_schema: response_schema.clone(),
            })
        })
        .collect())
}
