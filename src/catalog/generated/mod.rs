//! The catalog generated from Graph's v1.0 metadata (the files beside this one; their format
//! is in `README.md`), read lazily.
//!
//! The files are embedded in the engine, compressed in blocks by build.rs. Nothing is parsed
//! until a command or model is first asked for: its block is found by name in a table and
//! inflated (once), and its line is parsed, then kept for the life of the process (leaked, so
//! the engine can hand out `&'static` items as it does for the hand-written table).
//! Beta twins are derived: `Get-MgBetaUser` is `Get-MgUser` on `/beta` in
//! `Microsoft.Graph.Beta.Users` (beta metadata is not available to the generator).

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use serde::Deserialize;

use super::models::{Namespace, Prop};
use super::{
    pascal, ActionParam, Api, Command, CustomQuery, Method, Model, PropType, QuerySupport, Returns,
    Route, RouteKind, Special,
};

/// The files as build.rs compressed them: blocks of lines sorted by lower-cased name, and a
/// table of each block's first name, so one look-up inflates one block.
static COMMANDS: Blocks = Blocks {
    data: include_bytes!(concat!(env!("OUT_DIR"), "/commands.jsonl.blocks")),
    table: include!(concat!(env!("OUT_DIR"), "/commands.jsonl.blocks.rs")),
    inflated: OnceLock::new(),
    whole: OnceLock::new(),
    sorted: OnceLock::new(),
};
static MODELS: Blocks = Blocks {
    data: include_bytes!(concat!(env!("OUT_DIR"), "/models.jsonl.blocks")),
    table: include!(concat!(env!("OUT_DIR"), "/models.jsonl.blocks.rs")),
    inflated: OnceLock::new(),
    whole: OnceLock::new(),
    sorted: OnceLock::new(),
};
static CONTAINERS_JSON: &str = include_str!("containers.json");

/// A JSON Lines file compressed in blocks (see build.rs).
struct Blocks {
    data: &'static [u8],
    /// Per block: its first name (lower-cased), its offset in `data`, its length and its
    /// inflated length.
    table: &'static [(&'static str, usize, usize, usize)],
    /// Each block's text, inflated on first use and kept for the life of the process.
    inflated: OnceLock<Box<[OnceLock<&'static str>]>>,
    /// The whole file, once asked for.
    whole: OnceLock<&'static str>,
    /// Every line, in the committed file's order, once asked for.
    sorted: OnceLock<&'static [&'static str]>,
}

impl Blocks {
    fn block(&self, i: usize) -> &'static str {
        let cells = self
            .inflated
            .get_or_init(|| (0..self.table.len()).map(|_| OnceLock::new()).collect());
        cells[i].get_or_init(|| {
            let (_, offset, len, inflated) = self.table[i];
            // Sized at once: grown by doubling, the commands' 8 MB were copied and faulted in
            // twice over.
            let mut bytes = Vec::with_capacity(inflated);
            // The data is what build.rs wrote from the committed files: a failure here is a
            // build defect, and an empty block (nothing found) is the safe answer to it.
            let _ = std::io::Read::read_to_end(
                &mut flate2::read::DeflateDecoder::new(&self.data[offset..offset + len]),
                &mut bytes,
            );
            leak(String::from_utf8(bytes).unwrap_or_default())
        })
    }

    /// The line whose `name` is `name` (any case).
    fn line(&self, name: &str) -> Option<&'static str> {
        let key = name.to_ascii_lowercase();
        let at = self
            .table
            .partition_point(|(first, ..)| *first <= key.as_str());
        let block = self.block(at.checked_sub(1)?);
        block
            .lines()
            .find(|line| line_name(line).is_some_and(|n| n.eq_ignore_ascii_case(&key)))
    }

    /// Every line, in the committed file's order (by name, as written), inflated once: for
    /// the readers that index every line (the sandbox's store, the generator).
    fn lines(&self) -> &'static [&'static str] {
        self.sorted.get_or_init(|| {
            let mut lines: Vec<&'static str> = (0..self.table.len())
                .flat_map(|i| self.block(i).lines())
                .collect();
            lines.sort_by_key(|line| line_name(line).unwrap_or_default());
            Box::leak(lines.into_boxed_slice())
        })
    }

    /// The whole file as one text (the lines joined): for the readers that take the file as
    /// it was committed.
    fn text(&self) -> &'static str {
        self.whole.get_or_init(|| {
            let mut text = self.lines().join("\n");
            text.push('\n');
            leak(text)
        })
    }
}

/// A line's `name` (every line starts `{"name":"...`), read without parsing the line.
fn line_name(line: &str) -> Option<&str> {
    let rest = line.strip_prefix("{\"name\":\"")?;
    Some(&rest[..rest.find('"')?])
}

fn command_lines() -> &'static [&'static str] {
    COMMANDS.lines()
}

fn models_text() -> &'static str {
    MODELS.text()
}

/// The lines of `commands.jsonl`, in the committed file's order, for readers that index it
/// their own way (the sandbox's generic store compiles its route matcher from it). The first
/// call decompresses every block (about 40 ms); the lines are not joined into one text (8 MB,
/// 24 ms).
pub fn raw_command_lines() -> &'static [&'static str] {
    command_lines()
}

/// The raw model files (`models.jsonl`, `containers.json`), for readers that index them
/// their own way (the sandbox's type table); they decompress without the commands.
pub fn raw_model_files() -> (&'static str, &'static str) {
    (models_text(), CONTAINERS_JSON)
}

/// How many base types a model may inherit through (the CSDL has at most a handful; the limit
/// stops a malformed catalog from looping).
const MAX_BASE_DEPTH: usize = 32;

#[derive(Deserialize)]
struct GenCommand {
    name: String,
    module: String,
    ops: Vec<GenOp>,
}

#[derive(Deserialize)]
struct GenOp {
    variant: String,
    method: String,
    path: String,
    kind: String,
    #[serde(default)]
    body: Option<GenBody>,
    #[serde(default)]
    returns: Option<GenReturns>,
    #[serde(default)]
    query: Vec<String>,
    #[serde(default, rename = "consistencyLevel")]
    consistency_level: bool,
    #[serde(default, rename = "customQuery")]
    custom_query: Vec<GenCustomQuery>,
    #[serde(default)]
    pageable: bool,
}

#[derive(Deserialize)]
struct GenCustomQuery {
    name: String,
    #[serde(default)]
    required: bool,
}

#[derive(Deserialize)]
struct GenBody {
    #[serde(default)]
    model: Option<String>,
    #[serde(default)]
    params: Option<Vec<GenParam>>,
    #[serde(default)]
    schema: Option<String>,
}

#[derive(Deserialize)]
struct GenReturns {
    #[serde(default, rename = "type")]
    ty: Option<String>,
    #[serde(default)]
    collection: bool,
    #[serde(default)]
    stream: bool,
    #[serde(default)]
    schema: Option<String>,
}

#[derive(Deserialize)]
struct GenParam {
    name: String,
    #[serde(rename = "type")]
    ty: String,
    #[serde(default)]
    collection: bool,
    #[serde(default = "yes")]
    nullable: bool,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
struct GenModel {
    name: String,
    kind: String,
    #[serde(default)]
    base: Option<String>,
    #[serde(default)]
    props: Vec<GenProp>,
}

#[derive(Deserialize)]
struct GenProp {
    name: String,
    #[serde(rename = "type")]
    ty: String,
    #[serde(default)]
    collection: bool,
}

/// The names of a JSON Lines file, as written, in file order.
fn names_of(lines: &[&'static str]) -> Vec<&'static str> {
    lines.iter().copied().filter_map(line_name).collect()
}

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

/// The names of every generated v1.0 command, as written (beta twins not included).
pub fn command_names() -> &'static [&'static str] {
    static NAMES: OnceLock<Vec<&'static str>> = OnceLock::new();
    NAMES.get_or_init(|| names_of(command_lines()))
}

/// The SDK module of a generated v1.0 command.
pub fn command_module(name: &str) -> Option<String> {
    let line = COMMANDS.line(name)?;
    #[derive(Deserialize)]
    struct Head {
        module: String,
    }
    serde_json::from_str::<Head>(line).ok().map(|h| h.module)
}

/// `Get-MgBetaUser` → `Get-MgUser`; `None` for a name without the beta prefix.
pub fn v1_name_of_beta(name: &str) -> Option<String> {
    let (verb, noun) = name.split_once('-')?;
    let rest = noun
        .strip_prefix("MgBeta")
        .or_else(|| noun.strip_prefix("mgbeta"))?;
    (!rest.is_empty()).then(|| format!("{verb}-Mg{rest}"))
}

/// `Get-MgUser` → `Get-MgBetaUser`; `Microsoft.Graph.Users` → `Microsoft.Graph.Beta.Users`.
pub fn beta_twin(name: &str, module: &str) -> (String, String) {
    let (verb, noun) = name.split_once('-').unwrap_or((name, ""));
    let rest = noun.strip_prefix("Mg").unwrap_or(noun);
    let module = module
        .strip_prefix("Microsoft.Graph.")
        .map(|m| format!("Microsoft.Graph.Beta.{m}"))
        .unwrap_or_else(|| module.to_string());
    (format!("{verb}-MgBeta{rest}"), module)
}

/// A generated command by name (any case), v1.0 or its beta twin.
pub fn command(name: &str) -> Option<&'static Command> {
    static CACHE: OnceLock<Mutex<HashMap<String, &'static Command>>> = OnceLock::new();
    let key = name.to_ascii_lowercase();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(c) = cache.lock().ok()?.get(&key) {
        return Some(c);
    }
    let (v1, api) = match v1_name_of_beta(name) {
        Some(v1) if COMMANDS.line(&key).is_none() => (v1, Api::Beta),
        _ => (name.to_string(), Api::V1),
    };
    let line = COMMANDS.line(&v1)?;
    let generated: GenCommand = serde_json::from_str(line).ok()?;
    let built: &'static Command = Box::leak(Box::new(build_command(generated, api)?));
    let mut guard = cache.lock().ok()?;
    Some(*guard.entry(key).or_insert(built))
}

fn build_command(c: GenCommand, api: Api) -> Option<Command> {
    let (name, module) = match api {
        Api::V1 => (c.name, c.module),
        Api::Beta => beta_twin(&c.name, &c.module),
    };
    let mut routes = Vec::with_capacity(c.ops.len());
    let mut output = None;
    let mut advanced = false;
    let mut description = String::new();
    for mut op in c.ops {
        let kind = RouteKind::parse(&op.kind)?;
        let method = Method::parse(&op.method)?;
        let response_schema = op.returns.as_mut().and_then(|r| r.schema.take()).map(leak);
        let body_schema = op.body.as_mut().and_then(|b| b.schema.take()).map(leak);
        let returns = op.returns.and_then(|r| {
            // `Edm.Stream` results (the usage reports' CSV) are binary content too.
            if r.stream || r.ty.as_deref() == Some("Edm.Stream") {
                return Some(Returns::Stream);
            }
            let ty = r.ty?;
            Some(if is_model(&ty) {
                Returns::Model(leak(ty), r.collection)
            } else {
                Returns::Primitive(leak(ty), r.collection)
            })
        });
        if output.is_none() {
            if let Some(Returns::Model(id, _)) = returns {
                output = Some(id);
            }
        }
        let (body, action) = match op.body {
            Some(GenBody { model: Some(m), .. }) => (Some(leak(m)), &[][..]),
            Some(GenBody {
                params: Some(params),
                ..
            }) => {
                let params: Vec<ActionParam> = params
                    .into_iter()
                    .map(|p| ActionParam {
                        ty: prop_type(&p.ty, p.collection),
                        json: leak(p.name),
                        nullable: p.nullable,
                    })
                    .collect();
                (None, &*Box::leak(params.into_boxed_slice()))
            }
            _ => (None, &[][..]),
        };
        let query = QuerySupport(op.query.iter().map(|q| QuerySupport::bit(q)).sum());
        advanced |= op.consistency_level;
        description.push_str(&format!("{} {}\n", method.as_str(), op.path));
        routes.push(Route {
            kind,
            method,
            path: leak(op.path),
            body,
            variant: Some(leak(op.variant)),
            action,
            returns,
            query: Some(query),
            consistency_level: op.consistency_level,
            custom_query: if op.custom_query.is_empty() {
                &[]
            } else {
                Box::leak(
                    op.custom_query
                        .into_iter()
                        .map(|q| CustomQuery {
                            name: leak(q.name),
                            required: q.required,
                        })
                        .collect::<Vec<_>>()
                        .into_boxed_slice(),
                )
            },
            pageable: op.pageable,
            body_schema,
            response_schema,
        });
    }
    if routes.is_empty() {
        return None;
    }
    let synopsis = synopsis(&name, &routes);
    Some(Command {
        name: leak(name),
        sdk_module: leak(module),
        api,
        synopsis: leak(synopsis),
        description: leak(format!(
            "Calls the Microsoft Graph {} API:\n{}",
            api.segment(),
            description.trim_end()
        )),
        routes: Box::leak(routes.into_boxed_slice()),
        output,
        advanced_query: advanced,
        special: Special::None,
        examples: &[],
    })
}

/// A one-line synopsis from what the command does (the CSDL carries few descriptions).
fn synopsis(name: &str, routes: &[Route]) -> String {
    let first = &routes[0];
    let (verb, _) = name.split_once('-').unwrap_or((name, ""));
    let what = first
        .path
        .rsplit('/')
        .find(|s| !s.starts_with('{') && !s.starts_with('$'));
    let what = what.unwrap_or(first.path);
    match first.kind {
        RouteKind::List | RouteKind::Get => {
            format!("Gets {what} ({} {}).", first.method.as_str(), first.path)
        }
        RouteKind::Count => format!("Counts {what} ({} {}).", first.method.as_str(), first.path),
        _ => format!("{verb}: {} {}.", first.method.as_str(), first.path),
    }
}

fn is_model(ty: &str) -> bool {
    !ty.starts_with("Edm.")
        && MODELS
            .line(ty)
            .is_some_and(|line| !line.contains("\"kind\":\"enum\""))
}

/// The engine's type of a catalog type reference.
fn prop_type(ty: &str, collection: bool) -> PropType {
    let scalar = match ty {
        "Edm.Int32" | "Edm.Int16" | "Edm.Byte" | "Edm.SByte" => PropType::Int,
        "Edm.Int64" => PropType::Long,
        "Edm.Double" | "Edm.Single" | "Edm.Decimal" => PropType::Double,
        "Edm.Boolean" => PropType::Bool,
        "Edm.DateTimeOffset" => PropType::DateTime,
        "Edm.Binary" => PropType::Binary,
        "Edm.Stream" | "Edm.Untyped" => PropType::Any,
        t if t.starts_with("Edm.") => PropType::String,
        t if is_model(t) => {
            let id = leak(t.to_string());
            return if collection {
                PropType::ModelList(id)
            } else {
                PropType::Model(id)
            };
        }
        // Enums travel as their member names.
        _ => PropType::String,
    };
    match (scalar, collection) {
        (s, false) => s,
        (PropType::String, true) => PropType::StringList,
        (_, true) => PropType::Any,
    }
}

/// The .NET class name of a Graph type: `microsoft.graph.user` → `MicrosoftGraphUser`.
/// Sub-namespaces keep their names (`microsoft.graph.search.qna` → `MicrosoftGraphSearchQna`),
/// so types of the same short name in two namespaces stay apart, as in the SDK.
pub fn class_name(qualified: &str) -> String {
    let rest = qualified
        .strip_prefix("microsoft.graph.")
        .unwrap_or(qualified);
    let words: String = rest.split('.').map(pascal).collect();
    format!("MicrosoftGraph{words}")
}

/// A generated model (entity or complex type) by qualified name, with the properties of its
/// base types first. Navigation properties are untyped (`Any`): their values appear only with
/// `$expand`, and typing them would pull most of the schema into every class.
pub fn model(id: &str) -> Option<&'static Model> {
    static CACHE: OnceLock<Mutex<HashMap<String, &'static Model>>> = OnceLock::new();
    let key = id.to_ascii_lowercase();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(m) = cache.lock().ok()?.get(&key) {
        return Some(m);
    }
    let mut chain: Vec<GenModel> = vec![];
    let mut next = Some(key.clone());
    while let Some(name) = next.take() {
        if chain.len() >= MAX_BASE_DEPTH {
            break;
        }
        let line = MODELS.line(&name)?;
        let m: GenModel = serde_json::from_str(line).ok()?;
        if m.kind == "enum" {
            return None;
        }
        next = m.base.as_ref().map(|b| b.to_ascii_lowercase());
        chain.push(m);
    }
    let mut props: Vec<Prop> = vec![];
    for m in chain.iter().rev() {
        for p in &m.props {
            if props.iter().any(|q| q.json == p.name) {
                continue;
            }
            // A navigation property is typed as its target, as the SDK types it: an expanded
            // `roleDefinition` reads into a unifiedRoleDefinition (`.DisplayName`), a `manager`
            // into a directoryObject with the rest in AdditionalProperties.
            props.push(Prop {
                json: leak(p.name.clone()),
                ty: prop_type(&p.ty, p.collection),
            });
        }
    }
    let this = &chain[0];
    let built: &'static Model = Box::leak(Box::new(Model {
        id: leak(this.name.clone()),
        namespace: Namespace::V1,
        class: leak(class_name(&this.name)),
        props: Box::leak(props.into_boxed_slice()),
        table: &[],
        additional_properties: true,
    }));
    let mut guard = cache.lock().ok()?;
    Some(*guard.entry(key).or_insert(built))
}

/// The models of the SDK's classes for action parameters and primitive or non-entity
/// collection results (the `schema` names of `commands.jsonl`, [`crate::catalog::Route`]'s
/// `body_schema` and `response_schema`), one per class, in catalog order. An action's
/// parameters are its properties; a result is `value` (with `@odata.nextLink` for a
/// collection, which the conversion pages). Read from every command, for the code generator.
pub fn schema_models() -> &'static [&'static Model] {
    static MODELS_OF_SCHEMAS: OnceLock<Vec<&'static Model>> = OnceLock::new();
    MODELS_OF_SCHEMAS.get_or_init(read_schema_models)
}

fn read_schema_models() -> Vec<&'static Model> {
    let mut out: Vec<&'static Model> = vec![];
    let mut seen: std::collections::HashSet<String> = Default::default();
    let mut add = |class: String, props: Vec<Prop>| {
        if seen.insert(class.to_ascii_lowercase()) {
            let class = leak(class);
            out.push(Box::leak(Box::new(Model {
                id: class,
                namespace: Namespace::V1,
                class,
                props: Box::leak(props.into_boxed_slice()),
                table: &[],
                additional_properties: true,
            })));
        }
    };
    for &line in command_lines() {
        let Ok(c) = serde_json::from_str::<GenCommand>(line) else {
            continue;
        };
        for op in c.ops {
            if let Some(GenBody {
                params: Some(params),
                schema: Some(schema),
                ..
            }) = op.body
            {
                let props = params
                    .into_iter()
                    .map(|p| Prop {
                        ty: prop_type(&p.ty, p.collection),
                        json: leak(p.name),
                    })
                    .collect();
                add(schema, props);
            }
            if let Some(GenReturns {
                ty: Some(ty),
                collection,
                schema: Some(schema),
                ..
            }) = op.returns
            {
                let mut props = vec![Prop {
                    json: "value",
                    ty: prop_type(&ty, collection),
                }];
                if collection {
                    props.push(Prop {
                        json: "@odata.nextLink",
                        ty: PropType::String,
                    });
                }
                add(schema, props);
            }
        }
    }
    out
}

/// Whether the resource a path addresses is a collection (`/groups/{group-id}/members`) or a
/// single entity (`/users/{user-id}/manager`), read from the metadata: the entity set or
/// singleton of the first segment, then each navigation property, key (`{...}`) and type cast
/// (`microsoft.graph.x`). A trailing `/$ref`, `/$count` or `/$value` is ignored. `None` when
/// the path does not resolve (a function segment, an unknown property).
pub fn path_is_collection(path: &str) -> Option<bool> {
    #[derive(Deserialize)]
    struct Container {
        name: String,
        #[serde(rename = "type")]
        ty: String,
    }
    #[derive(Deserialize)]
    struct Containers {
        #[serde(rename = "entitySets")]
        entity_sets: Vec<Container>,
        singletons: Vec<Container>,
    }
    static ROOTS: OnceLock<HashMap<String, (String, bool)>> = OnceLock::new();
    let roots = ROOTS.get_or_init(|| {
        let mut out = HashMap::new();
        if let Ok(c) = serde_json::from_str::<Containers>(CONTAINERS_JSON) {
            for s in c.entity_sets {
                out.insert(s.name.to_ascii_lowercase(), (s.ty, true));
            }
            for s in c.singletons {
                out.insert(s.name.to_ascii_lowercase(), (s.ty, false));
            }
        }
        out
    });
    let mut segments = path
        .split('/')
        .filter(|s| !s.is_empty() && !matches!(*s, "$ref" | "$count" | "$value"));
    let first = segments.next()?;
    // An alternate key (`users(userPrincipalName='{userPrincipalName}')`) addresses one item.
    let (root, keyed) = match first.split_once('(') {
        Some((name, _)) => (name, true),
        None => (first, false),
    };
    let (mut ty, mut collection) = roots.get(&root.to_ascii_lowercase()).cloned()?;
    if keyed {
        collection = false;
    }
    for seg in segments {
        if seg.starts_with('{') {
            if !collection {
                return None;
            }
            collection = false;
        } else if let Some(cast) = seg.strip_prefix("microsoft.graph.") {
            if cast.contains('(') {
                return None;
            }
            ty = seg.to_string();
        } else if seg.contains('(') {
            // A function, or an alternate key of a navigation property.
            return None;
        } else {
            if collection {
                return None;
            }
            let (next_ty, next_collection) = raw_property(&ty, seg)?;
            ty = next_ty;
            collection = next_collection;
        }
    }
    Some(collection)
}

/// A property of a type or its base types: (its type, whether it is a collection).
fn raw_property(ty: &str, name: &str) -> Option<(String, bool)> {
    #[derive(Deserialize)]
    struct Raw {
        #[serde(default)]
        base: Option<String>,
        #[serde(default)]
        props: Vec<GenProp>,
    }
    let mut next = Some(ty.to_ascii_lowercase());
    let mut depth = 0;
    while let Some(t) = next.take() {
        depth += 1;
        if depth > MAX_BASE_DEPTH {
            return None;
        }
        let line = MODELS.line(&t)?;
        let raw: Raw = serde_json::from_str(line).ok()?;
        if let Some(p) = raw.props.iter().find(|p| p.name == name) {
            return Some((p.ty.clone(), p.collection));
        }
        next = raw.base.map(|b| b.to_ascii_lowercase());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn navigation_cardinality_comes_from_the_metadata() {
        assert_eq!(
            path_is_collection("/users/{user-id}/manager/$ref"),
            Some(false)
        );
        assert_eq!(
            path_is_collection("/groups/{group-id}/members/$ref"),
            Some(true)
        );
        assert_eq!(
            path_is_collection("/education/classes/{educationClass-id}/members/$ref"),
            Some(true)
        );
        assert_eq!(
            path_is_collection(
                "/deviceManagement/managedDevices/{managedDevice-id}/deviceCategory/$ref"
            ),
            Some(false)
        );
        assert_eq!(path_is_collection("/users"), Some(true));
        assert_eq!(path_is_collection("/me/manager"), Some(false));
        assert_eq!(path_is_collection("/nothing/here"), None);
    }

    #[test]
    fn beta_names_map_both_ways() {
        assert_eq!(
            v1_name_of_beta("Get-MgBetaUser").as_deref(),
            Some("Get-MgUser")
        );
        assert_eq!(v1_name_of_beta("Get-MgUser"), None);
        assert_eq!(v1_name_of_beta("Get-MgBeta"), None);
        assert_eq!(
            beta_twin("Get-MgUserLicenseDetail", "Microsoft.Graph.Users"),
            (
                "Get-MgBetaUserLicenseDetail".to_string(),
                "Microsoft.Graph.Beta.Users".to_string()
            )
        );
    }

    #[test]
    fn actions_carry_the_sdk_classes_of_their_parameters_and_results() {
        let schemas = |name: &str| {
            let c = command(name).unwrap_or_else(|| panic!("{name}"));
            (c.routes[0].body_schema, c.routes[0].response_schema)
        };
        // Bound to user (users and me): one component for every path.
        assert_eq!(
            schemas("Set-MgUserLicense").0,
            Some("Components103UmuuRequestbodiesAssignlicenserequestbodyContentApplicationJsonSchema")
        );
        // Bound to group (groups only): inline on its path.
        assert_eq!(
            schemas("Set-MgGroupLicense").0,
            Some("Paths6Fg5LiGroupsGroupIdMicrosoftGraphAssignlicensePostRequestbodyContentApplicationJsonSchema")
        );
        assert_eq!(
            schemas("Revoke-MgUserSignInSession"),
            (
                None,
                Some("ComponentsMwc6EoResponsesRevokesigninsessionsresponseContentApplicationJsonSchema")
            )
        );
        // An entity result is the entity's class; an entity collection's schema is titled.
        assert_eq!(schemas("Get-MgUserDelta").1, None);
        let models = schema_models();
        let license = models
            .iter()
            .find(|m| m.class.starts_with("Components103Umuu"))
            .expect("assignLicense's parameters");
        let props: Vec<_> = license.props.iter().map(|p| (p.json, p.ty)).collect();
        assert_eq!(
            props,
            [
                (
                    "addLicenses",
                    PropType::ModelList("microsoft.graph.assignedLicense")
                ),
                ("removeLicenses", PropType::StringList),
            ]
        );
        let groups = models
            .iter()
            .find(|m| m.class.starts_with("PathsDyyrb2"))
            .map(|m| m.props.len());
        assert_eq!(groups, Some(1), "checkMemberGroups' groupIds");
        let revoked = models
            .iter()
            .find(|m| m.class.starts_with("ComponentsMwc6Eo"))
            .expect("revokeSignInSessions' result");
        assert_eq!(revoked.props[0].json, "value");
        assert_eq!(revoked.props[0].ty, PropType::Bool);
        let classes: std::collections::HashSet<_> = models
            .iter()
            .map(|m| m.class.to_ascii_lowercase())
            .collect();
        assert_eq!(classes.len(), models.len(), "one model per class");
    }

    #[test]
    fn class_names_follow_the_sdk() {
        assert_eq!(class_name("microsoft.graph.user"), "MicrosoftGraphUser");
        assert_eq!(
            class_name("microsoft.graph.search.qna"),
            "MicrosoftGraphSearchQna"
        );
        assert_eq!(
            class_name("microsoft.graph.temporaryAccessPassAuthenticationMethod"),
            "MicrosoftGraphTemporaryAccessPassAuthenticationMethod"
        );
    }
}
