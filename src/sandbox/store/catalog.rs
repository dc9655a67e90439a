//! The catalog as the generic store sees it: every type of `models.jsonl`, the entity sets and
//! singletons of `containers.json`, and every operation of `commands.jsonl` compiled into a
//! route matcher (a trie of path-template segments) with the steps that resolve it.
//!
//! Built once per process ([`catalog`]) and shared by every sandbox: nothing is parsed on the
//! request path.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Deserialize;

use crate::sandbox::query::{Prop, Schema};

/// How many base types a type may inherit through (stops a malformed catalog from looping).
pub const MAX_BASE_DEPTH: usize = 32;
/// How many segments a request path may have.
pub const MAX_SEGMENTS: usize = 64;
/// How many trie nodes a match may visit before giving up (backtracking bound).
const MAX_MATCH_STEPS: usize = 4096;

/// Entity, complex or enum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TypeKind {
    Entity,
    Complex,
    Enum,
}

/// One declared property (a catalog `PROP`).
#[derive(Debug, Clone, Deserialize)]
pub struct PropInfo {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: String,
    #[serde(default)]
    pub collection: bool,
    #[serde(default = "yes")]
    pub nullable: bool,
    #[serde(default, rename = "readOnly")]
    pub read_only: bool,
    #[serde(default)]
    pub nav: bool,
    #[serde(default)]
    pub contained: bool,
}

fn yes() -> bool {
    true
}

/// One type of `models.jsonl`.
#[derive(Debug, Clone, Deserialize)]
pub struct TypeInfo {
    pub name: String,
    #[serde(rename = "kind")]
    kind_text: String,
    #[serde(default)]
    pub base: Option<String>,
    #[serde(default, rename = "abstract")]
    pub is_abstract: bool,
    #[serde(default)]
    pub open: bool,
    #[serde(default, rename = "hasStream")]
    pub has_stream: bool,
    #[serde(default)]
    pub key: Vec<String>,
    #[serde(default)]
    pub props: Vec<PropInfo>,
    #[serde(default)]
    pub members: Vec<String>,
    #[serde(default)]
    pub flags: bool,
    /// Types deriving directly from this one (filled after loading).
    #[serde(skip)]
    pub derived: Vec<String>,
    /// Lower-cased property name → index in `props` (filled after loading).
    #[serde(skip)]
    by_name: HashMap<String, usize>,
}

impl TypeInfo {
    pub fn kind(&self) -> TypeKind {
        match self.kind_text.as_str() {
            "entity" => TypeKind::Entity,
            "enum" => TypeKind::Enum,
            _ => TypeKind::Complex,
        }
    }
}

/// An entity set or singleton.
#[derive(Debug, Clone, Deserialize)]
pub struct Container {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: String,
    /// Navigation property path → target entity set.
    #[serde(default)]
    pub bindings: HashMap<String, String>,
}

#[derive(Deserialize)]
struct Containers {
    #[serde(rename = "entitySets")]
    entity_sets: Vec<Container>,
    singletons: Vec<Container>,
}

/// What an operation does (the catalog's `kind`).
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
    fn parse(s: &str) -> Option<OpKind> {
        use OpKind::*;
        Some(match s {
            "list" => List,
            "get" => Get,
            "create" => Create,
            "update" => Update,
            "set" => Set,
            "delete" => Delete,
            "count" => Count,
            "ref-list" => RefList,
            "ref-get" => RefGet,
            "ref-create" => RefCreate,
            "ref-set" => RefSet,
            "ref-delete" => RefDelete,
            "action" => Action,
            "function" => Function,
            "media-get" => MediaGet,
            "media-set" => MediaSet,
            "media-delete" => MediaDelete,
            _ => return None,
        })
    }
}

/// An action parameter.
#[derive(Debug, Clone, Deserialize)]
pub struct Param {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: String,
    #[serde(default)]
    pub collection: bool,
    #[serde(default = "yes")]
    pub nullable: bool,
}

#[derive(Debug, Clone, Default, Deserialize)]
struct GenBody {
    #[serde(default)]
    model: Option<String>,
    #[serde(default)]
    params: Option<Vec<Param>>,
}

/// A declared return type.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Returns {
    #[serde(default, rename = "type")]
    pub ty: Option<String>,
    #[serde(default)]
    pub collection: bool,
    #[serde(default)]
    pub stream: bool,
}

#[derive(Deserialize)]
struct GenOp {
    method: String,
    path: String,
    kind: String,
    #[serde(default)]
    body: Option<GenBody>,
    #[serde(default)]
    returns: Option<Returns>,
}

#[derive(Deserialize)]
struct GenCommand {
    ops: Vec<GenOp>,
}

/// One step of resolving a matched path, in template order.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// An entity set (its name).
    Set(String),
    /// A singleton (its name).
    Singleton(String),
    /// The key of a collection item: the index of the captured value.
    Key(usize),
    /// An alternate key: `(property, captured index)` pairs.
    AltKey(Vec<(String, usize)>),
    /// A navigation property of the current entity.
    Nav(String),
    /// A structural (stream) property of the current entity.
    Prop(String),
    /// An OData cast to a derived type (qualified).
    Cast(String),
    Count,
    Ref,
    Value,
    /// A bound action or function (short name), with its named arguments.
    Operation(String, Vec<(String, usize)>),
}

/// One operation: a method on a path template.
#[derive(Debug, Clone)]
pub struct Op {
    pub method: String,
    pub kind: OpKind,
    pub template: String,
    /// The body model of create/update/set.
    pub model: Option<String>,
    /// Action parameters.
    pub params: Vec<Param>,
    pub returns: Option<Returns>,
    /// How the template resolves, segment by segment: worked out on first use (see
    /// [`Op::steps`]), as most of the 15,000 templates are never requested.
    steps: OnceLock<Vec<Step>>,
}

impl Op {
    /// How the template resolves, segment by segment (model walk from the container).
    pub fn steps(&self) -> &[Step] {
        self.steps
            .get_or_init(|| catalog().steps(&self.template, self.kind))
    }
}

/// A segment pattern of a template.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Pattern {
    /// A literal (lower-cased).
    Lit(String),
    /// `{x}`.
    Param,
    /// `name(k='{a}',j={b})` or `name()`: name lower-cased, keys lower-cased and sorted.
    Call(String, Vec<String>),
}

#[derive(Debug, Default)]
struct Node {
    children: HashMap<Pattern, usize>,
    /// Method → operation index.
    ops: Vec<(String, usize)>,
}

/// The compiled catalog: the type table (models and containers), and the route table
/// ([`Routes`]) compiled from the commands only when first needed.
#[derive(Debug)]
pub struct Catalog {
    types: HashMap<String, TypeInfo>,
    sets: HashMap<String, Container>,
    singletons: HashMap<String, Container>,
    /// Entity-set names as written, in catalog order.
    pub set_names: Vec<String>,
    /// `commands.jsonl`'s lines, read (and decompressed) on the routes' first use.
    commands: fn() -> &'static [&'static str],
    routes: OnceLock<Routes>,
}

/// The route matcher and its operations. Apart from the types because it costs ten times
/// as much to build (about 300 ms of CPU: 15,000 templates from 8 MB of commands) and a
/// tenant's start and the hand-written handlers need only the types.
#[derive(Debug)]
pub struct Routes {
    pub ops: Vec<Op>,
    nodes: Vec<Node>,
}

/// The catalog, compiled on first use (call early to build it off the request path).
pub fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| {
        let (models, containers) = crate::catalog::generated::raw_model_files();
        Catalog::build(
            crate::catalog::generated::raw_command_lines,
            models,
            containers,
        )
    })
}

/// A request segment, decoded: `name`, or `name(args)`.
#[derive(Debug, Clone)]
pub struct Segment {
    pub name: String,
    /// `Some` when the segment had parentheses: `(key, value)` pairs; an unnamed single value
    /// (`users('x')`) has an empty key.
    pub args: Option<Vec<(String, String)>>,
}

/// A successful match: the operations of the template for each method, and the captured
/// values in template order.
#[derive(Debug)]
pub struct Matched {
    /// Method → operation index.
    pub ops: &'static [(String, usize)],
    pub captures: Vec<String>,
}

/// Why a path matched no operation.
#[derive(Debug, PartialEq)]
pub enum NoMatch {
    /// The first segment that matched no template.
    Segment(String),
    /// Too many segments.
    TooLong,
}

fn parse_pattern(seg: &str) -> (Pattern, Vec<String>) {
    if seg.starts_with('{') && seg.ends_with('}') {
        return (Pattern::Param, vec![seg[1..seg.len() - 1].to_string()]);
    }
    if let (Some(open), true) = (seg.find('('), seg.ends_with(')')) {
        let name = seg[..open].to_ascii_lowercase();
        let inner = &seg[open + 1..seg.len() - 1];
        let mut pairs: Vec<(String, String)> = inner
            .split(',')
            .filter(|p| !p.is_empty())
            .filter_map(|p| p.split_once('='))
            .map(|(k, v)| {
                let v = v.trim_matches('\'').trim_matches(|c| c == '{' || c == '}');
                (k.to_ascii_lowercase(), v.to_string())
            })
            .collect();
        pairs.sort();
        let keys = pairs.iter().map(|(k, _)| k.clone()).collect();
        let names = pairs.into_iter().map(|(_, v)| v).collect();
        return (Pattern::Call(name, keys), names);
    }
    (Pattern::Lit(seg.to_ascii_lowercase()), vec![])
}

/// The child of a route node for operation `name` (lower case, unqualified) of a namespace
/// other than `microsoft.graph`, whose templates keep the qualified name
/// (`microsoft.graph.security.runHuntingQuery`): Graph resolves an unqualified bound
/// operation against every namespace. `keys`: the named parameters of a call (none for a
/// literal or `name()`). `microsoft.graph` wins a tie, then only a unique match counts.
fn qualified_child(
    children: &HashMap<Pattern, usize>,
    name: &str,
    keys: &[String],
) -> Option<usize> {
    if name.contains('.') || name.starts_with('$') {
        return None;
    }
    let suffix = format!(".{name}");
    let mut names: Vec<&str> = children
        .keys()
        .filter_map(|p| match p {
            Pattern::Lit(q) if keys.is_empty() => Some(q.as_str()),
            Pattern::Call(q, k) if k.as_slice() == keys => Some(q.as_str()),
            _ => None,
        })
        .filter(|q| q.starts_with("microsoft.graph.") && q.ends_with(&suffix))
        .collect();
    names.sort_unstable();
    names.dedup();
    let own = format!("microsoft.graph.{name}");
    let q = match names.as_slice() {
        _ if names.contains(&own.as_str()) => own.as_str(),
        [q] => q,
        _ => return None,
    };
    let lit = keys
        .is_empty()
        .then(|| children.get(&Pattern::Lit(q.to_string())))
        .flatten();
    lit.or_else(|| children.get(&Pattern::Call(q.to_string(), keys.to_vec())))
        .copied()
}

impl Routes {
    fn walk(
        &self,
        node: usize,
        segs: &[Segment],
        at: usize,
        captures: &mut Vec<String>,
        budget: &mut usize,
        deepest: &mut usize,
    ) -> Option<usize> {
        if *budget == 0 {
            return None;
        }
        *budget -= 1;
        *deepest = (*deepest).max(at);
        let Some(seg) = segs.get(at) else {
            return (!self.nodes[node].ops.is_empty()).then_some(node);
        };
        let children = &self.nodes[node].children;
        let lower = seg.name.to_ascii_lowercase();
        // `microsoft.graph.delta()` names the same function as `delta()`.
        let short = lower
            .strip_prefix("microsoft.graph.")
            .filter(|_| seg.args.is_some())
            .unwrap_or(&lower)
            .to_string();
        let mark = captures.len();
        match &seg.args {
            None => {
                if let Some(&n) = children.get(&Pattern::Lit(lower.clone())) {
                    if let Some(found) = self.walk(n, segs, at + 1, captures, budget, deepest) {
                        return Some(found);
                    }
                    captures.truncate(mark);
                }
                // A function without parameters may be written without parentheses.
                if let Some(&n) = children.get(&Pattern::Call(lower.clone(), vec![])) {
                    if let Some(found) = self.walk(n, segs, at + 1, captures, budget, deepest) {
                        return Some(found);
                    }
                    captures.truncate(mark);
                }
                if let Some(&n) = children.get(&Pattern::Param) {
                    captures.push(seg.name.clone());
                    if let Some(found) = self.walk(n, segs, at + 1, captures, budget, deepest) {
                        return Some(found);
                    }
                    captures.truncate(mark);
                }
                // A bound operation of another namespace, unqualified
                // (`security/runHuntingQuery`), as Graph allows.
                if let Some(n) = qualified_child(children, &lower, &[]) {
                    if let Some(found) = self.walk(n, segs, at + 1, captures, budget, deepest) {
                        return Some(found);
                    }
                    captures.truncate(mark);
                }
                None
            }
            Some(args) => {
                let unnamed = args.len() == 1 && args[0].0.is_empty();
                if unnamed {
                    // `users('x')`: the collection, then its key.
                    let n = *children.get(&Pattern::Lit(lower.clone()))?;
                    let k = *self.nodes[n].children.get(&Pattern::Param)?;
                    captures.push(args[0].1.clone());
                    let found = self.walk(k, segs, at + 1, captures, budget, deepest);
                    if found.is_none() {
                        captures.truncate(mark);
                    }
                    return found;
                }
                let mut sorted: Vec<(String, String)> = args
                    .iter()
                    .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
                    .collect();
                sorted.sort();
                let keys: Vec<String> = sorted.iter().map(|(k, _)| k.clone()).collect();
                let n = children
                    .get(&Pattern::Call(short.clone(), keys.clone()))
                    // A function of a sub-namespace keeps its qualified name in the
                    // templates (`microsoft.graph.callRecords.getDirectRoutingCalls(...)`).
                    .or_else(|| children.get(&Pattern::Call(lower.clone(), keys.clone())))
                    .or_else(|| {
                        // `delta()` also matches a template written `delta`.
                        args.is_empty()
                            .then(|| children.get(&Pattern::Lit(short.clone())))
                            .flatten()
                    })
                    .copied()
                    // ... and one of another namespace, unqualified.
                    .or_else(|| qualified_child(children, &short, &keys))?;
                captures.extend(sorted.into_iter().map(|(_, v)| v));
                let found = self.walk(n, segs, at + 1, captures, budget, deepest);
                if found.is_none() {
                    captures.truncate(mark);
                }
                found
            }
        }
    }

    fn add_op(&mut self, op: GenOp) {
        let Some(kind) = OpKind::parse(&op.kind) else {
            return;
        };
        let mut node = 0;
        let mut placeholders: Vec<String> = vec![];
        let mut patterns = vec![];
        for seg in op.path.split('/').filter(|s| !s.is_empty()) {
            let (pattern, names) = parse_pattern(seg);
            patterns.push((pattern.clone(), names.len()));
            placeholders.extend(names);
            let next = self.nodes.len();
            node = *self.nodes[node].children.entry(pattern).or_insert(next);
            if node == next {
                self.nodes.push(Node::default());
            }
        }
        // One template, one operation per method (the first wins, as the catalog is sorted).
        if self.nodes[node].ops.iter().any(|(m, _)| *m == op.method) {
            return;
        }
        let body = op.body.unwrap_or_default();
        let index = self.ops.len();
        self.ops.push(Op {
            method: op.method.clone(),
            kind,
            template: op.path,
            model: body.model,
            params: body.params.unwrap_or_default(),
            returns: op.returns,
            steps: OnceLock::new(),
        });
        self.nodes[node].ops.push((op.method, index));
    }
}

impl Catalog {
    /// The type table now; `commands` (read on the routes' first use) later.
    fn build(commands: fn() -> &'static [&'static str], models: &str, containers: &str) -> Catalog {
        let mut types: HashMap<String, TypeInfo> = HashMap::new();
        for line in models.lines() {
            if let Ok(mut t) = serde_json::from_str::<TypeInfo>(line) {
                t.by_name = t
                    .props
                    .iter()
                    .enumerate()
                    .map(|(i, p)| (p.name.to_ascii_lowercase(), i))
                    .collect();
                types.insert(t.name.to_ascii_lowercase(), t);
            }
        }
        let pairs: Vec<(String, String)> = types
            .values()
            .filter_map(|t| Some((t.base.as_ref()?.to_ascii_lowercase(), t.name.clone())))
            .collect();
        for (base, derived) in pairs {
            if let Some(b) = types.get_mut(&base) {
                b.derived.push(derived);
            }
        }
        for t in types.values_mut() {
            t.derived.sort();
        }
        let c: Containers = serde_json::from_str(containers).unwrap_or(Containers {
            entity_sets: vec![],
            singletons: vec![],
        });
        let set_names = c.entity_sets.iter().map(|s| s.name.clone()).collect();
        let sets = c
            .entity_sets
            .into_iter()
            .map(|s| (s.name.to_ascii_lowercase(), s))
            .collect();
        let singletons = c
            .singletons
            .into_iter()
            .map(|s| (s.name.to_ascii_lowercase(), s))
            .collect();
        Catalog {
            types,
            sets,
            singletons,
            set_names,
            commands,
            routes: OnceLock::new(),
        }
    }

    /// The route table, compiled on first use (the sandbox starts building it on a thread of
    /// its own as it starts, so requests seldom wait for it).
    pub fn routes(&self) -> &Routes {
        self.routes.get_or_init(|| {
            let mut routes = Routes {
                ops: vec![],
                nodes: vec![Node::default()],
            };
            for &line in (self.commands)() {
                let Ok(cmd) = serde_json::from_str::<GenCommand>(line) else {
                    continue;
                };
                for op in cmd.ops {
                    routes.add_op(op);
                }
            }
            routes
        })
    }

    /// Classifies each segment of a template by walking the model from the container.
    fn steps(&self, template: &str, kind: OpKind) -> Vec<Step> {
        let mut steps = vec![];
        let mut capture = 0usize;
        // The current type and whether it is a collection.
        let mut ty: Option<String> = None;
        let mut collection = false;
        let segs: Vec<&str> = template.split('/').filter(|s| !s.is_empty()).collect();
        for (i, seg) in segs.iter().enumerate() {
            let (pattern, names) = parse_pattern(seg);
            let first_capture = capture;
            capture += names.len();
            if i == 0 {
                let name = match &pattern {
                    Pattern::Lit(n) | Pattern::Call(n, _) => n.clone(),
                    Pattern::Param => return steps,
                };
                if let Some(s) = self.sets.get(&name) {
                    steps.push(Step::Set(s.name.clone()));
                    ty = Some(s.ty.clone());
                    collection = true;
                } else if let Some(s) = self.singletons.get(&name) {
                    steps.push(Step::Singleton(s.name.clone()));
                    ty = Some(s.ty.clone());
                    collection = false;
                } else {
                    steps.push(Step::Operation(
                        seg_name(seg),
                        named(&pattern, first_capture),
                    ));
                    return steps;
                }
                if let Pattern::Call(_, keys) = &pattern {
                    if !keys.is_empty() {
                        steps.push(Step::AltKey(named(&pattern, first_capture)));
                        collection = false;
                    }
                }
                continue;
            }
            let current = ty.clone().unwrap_or_default();
            match &pattern {
                Pattern::Param if collection => {
                    steps.push(Step::Key(first_capture));
                    collection = false;
                }
                Pattern::Lit(l) if l == "$count" => steps.push(Step::Count),
                Pattern::Lit(l) if l == "$ref" => steps.push(Step::Ref),
                Pattern::Lit(l) if l == "$value" => steps.push(Step::Value),
                Pattern::Lit(l) if self.types.contains_key(l) && l.contains('.') => {
                    let t = self.types[l].name.clone();
                    steps.push(Step::Cast(t.clone()));
                    ty = Some(t);
                }
                Pattern::Lit(_) | Pattern::Call(..) => {
                    let name = seg_name(seg);
                    let is_call = matches!(pattern, Pattern::Call(_, ref k) if k.is_empty())
                        && seg.contains('(');
                    let prop = if collection || is_call {
                        None
                    } else {
                        self.prop_info(&current, &name)
                    };
                    match (prop, &pattern) {
                        (Some(p), Pattern::Lit(_)) if p.nav => {
                            steps.push(Step::Nav(p.name.clone()));
                            ty = Some(p.ty.clone());
                            collection = p.collection;
                        }
                        (Some(p), Pattern::Lit(_)) => {
                            steps.push(Step::Prop(p.name.clone()));
                            ty = Some(p.ty.clone());
                            collection = p.collection;
                        }
                        // An alternate key on a contained collection of the entity
                        // (`applications/{id}/federatedIdentityCredentials(name='x')`,
                        // federatedidentitycredential-get): the navigation, then the key.
                        (Some(p), Pattern::Call(_, keys))
                            if p.nav
                                && p.collection
                                && !keys.is_empty()
                                && !matches!(kind, OpKind::Action | OpKind::Function) =>
                        {
                            steps.push(Step::Nav(p.name.clone()));
                            steps.push(Step::AltKey(named(&pattern, first_capture)));
                            ty = Some(p.ty.clone());
                            collection = false;
                        }
                        (_, Pattern::Call(_, keys))
                            if collection
                                && !keys.is_empty()
                                && !matches!(kind, OpKind::Action | OpKind::Function)
                                && i + 1 == segs.len() =>
                        {
                            steps.push(Step::AltKey(named(&pattern, first_capture)));
                            collection = false;
                        }
                        _ => {
                            // A bound action or function: what follows is its result.
                            steps.push(Step::Operation(name, named(&pattern, first_capture)));
                            return steps;
                        }
                    }
                }
                Pattern::Param => {
                    // A key below a single-valued segment: treat as a key anyway.
                    steps.push(Step::Key(first_capture));
                }
            }
        }
        steps
    }

    /// Matches request segments against the templates; literals first, then calls, then
    /// placeholders, backtracking within a bounded number of steps.
    pub fn matches(&'static self, segs: &[Segment]) -> Result<Matched, NoMatch> {
        if segs.len() > MAX_SEGMENTS {
            return Err(NoMatch::TooLong);
        }
        let mut budget = MAX_MATCH_STEPS;
        let mut deepest = 0usize;
        let mut captures = Vec::new();
        let routes = self.routes();
        if let Some(node) = routes.walk(0, segs, 0, &mut captures, &mut budget, &mut deepest) {
            return Ok(Matched {
                ops: &routes.nodes[node].ops,
                captures,
            });
        }
        let at = deepest.min(segs.len().saturating_sub(1));
        Err(NoMatch::Segment(
            segs.get(at).map(|s| s.name.clone()).unwrap_or_default(),
        ))
    }

    /// A type by qualified name (any case).
    pub fn ty(&self, name: &str) -> Option<&TypeInfo> {
        let name = name.trim_start_matches('#');
        self.types.get(&name.to_ascii_lowercase())
    }

    pub fn set(&self, name: &str) -> Option<&Container> {
        self.sets.get(&name.to_ascii_lowercase())
    }

    pub fn singleton(&self, name: &str) -> Option<&Container> {
        self.singletons.get(&name.to_ascii_lowercase())
    }

    pub fn singleton_names(&self) -> impl Iterator<Item = &str> {
        self.singletons.values().map(|s| s.name.as_str())
    }

    /// The property `name` of `ty` or a base type, with its full declaration.
    pub fn prop_info(&self, ty: &str, name: &str) -> Option<&PropInfo> {
        let lower = name.to_ascii_lowercase();
        let mut current = self.ty(ty);
        for _ in 0..MAX_BASE_DEPTH {
            let t = current?;
            if let Some(&i) = t.by_name.get(&lower) {
                return t.props.get(i);
            }
            current = t.base.as_deref().and_then(|b| self.ty(b));
        }
        None
    }

    /// Writes `[]` for every collection-valued structural property of an entity of type `ty`
    /// (or of the type its `@odata.type` names) that `out` holds as `null`. In OData JSON a
    /// collection is never null, an empty one is `[]` (OData JSON Format 4.01, section 7.1;
    /// Graph's CSDL declares `user.proxyAddresses` and `otherMails` `Nullable="false"`, and
    /// <https://learn.microsoft.com/graph/api/resources/user> returns them as `[]`). A complex
    /// value `out` holds lists every property of its type, unset ones as `null` (or `[]`), as
    /// Graph writes them (a conditional access policy's `conditions.users` has
    /// `excludeUsers: []`, `includeGuestsOrExternalUsers: null`, ...:
    /// <https://learn.microsoft.com/graph/api/conditionalaccesspolicy-get>), recursively.
    /// Properties the type does not declare, and navigation properties (but a complex value's
    /// single-valued ones, listed as `null` when unset), are left as they are.
    pub fn empty_collections(
        &self,
        ty: &str,
        out: &mut serde_json::Map<String, serde_json::Value>,
    ) {
        self.complete(ty, out, false, 0);
    }

    /// Every structural property of an entity of type `ty` (or of the type its `@odata.type`
    /// names) that `out` does not hold, as `null` (`[]` for a collection), then
    /// [`Catalog::empty_collections`]: Graph's answer lists each property of an entity's
    /// default projection, set or not (<https://learn.microsoft.com/graph/api/conditionalaccesspolicy-get>
    /// answers `description: null`, `sessionControls: null`, `templateId: null` for a policy
    /// created without them; OData JSON Format 4.01 §4.5.1 and §7: a property with no value is
    /// `null`). Streams are never written inline.
    pub fn fill_declared(&self, ty: &str, out: &mut serde_json::Map<String, serde_json::Value>) {
        self.complete(ty, out, true, 0);
    }

    fn complete(
        &self,
        ty: &str,
        out: &mut serde_json::Map<String, serde_json::Value>,
        add_missing: bool,
        depth: usize,
    ) {
        use serde_json::Value;
        /// How deeply complex values are completed (they nest a few levels in practice).
        const MAX_COMPLETE_DEPTH: usize = 16;
        if depth > MAX_COMPLETE_DEPTH {
            return;
        }
        let concrete = out
            .get("@odata.type")
            .and_then(Value::as_str)
            .map(|t| t.trim_start_matches('#').to_string());
        let ty = concrete
            .as_deref()
            .filter(|c| self.ty(c).is_some())
            .unwrap_or(ty);
        if self.ty(ty).is_none() {
            return;
        }
        // A complex value lists its single-valued navigation properties too, unset ones as
        // `null`: Graph expands them inline (a conditional access policy's
        // `grantControls.authenticationStrength: null`, which ScubaGear checks for).
        let complex_type = self.ty(ty).is_some_and(|t| t.kind() == TypeKind::Complex);
        if add_missing {
            for p in self.all_props(ty) {
                let listed = !p.nav || (complex_type && !p.collection);
                if !listed || p.ty == "Edm.Stream" || out.contains_key(&p.name) {
                    continue;
                }
                let empty = if p.collection {
                    Value::Array(vec![])
                } else {
                    Value::Null
                };
                out.insert(p.name.clone(), empty);
            }
        }
        for (k, v) in out.iter_mut() {
            if k.contains('@') {
                continue;
            }
            let Some(p) = self.prop_info(ty, k).filter(|p| !p.nav) else {
                continue;
            };
            let complex = self
                .ty(&p.ty)
                .is_some_and(|t| t.kind() == TypeKind::Complex);
            match v {
                Value::Null if p.collection => *v = Value::Array(vec![]),
                Value::Object(inner) if complex && !p.collection => {
                    self.complete(&p.ty, inner, true, depth + 1)
                }
                Value::Array(items) if complex && p.collection => {
                    for item in items.iter_mut() {
                        if let Value::Object(inner) = item {
                            self.complete(&p.ty, inner, true, depth + 1);
                        }
                    }
                }
                _ => {}
            }
        }
    }

    /// Every property of `ty`, base types' first.
    pub fn all_props(&self, ty: &str) -> Vec<&PropInfo> {
        let mut chain = vec![];
        let mut current = self.ty(ty);
        while let Some(t) = current {
            if chain.len() >= MAX_BASE_DEPTH {
                break;
            }
            chain.push(t);
            current = t.base.as_deref().and_then(|b| self.ty(b));
        }
        chain.iter().rev().flat_map(|t| t.props.iter()).collect()
    }

    /// `ty` and every type deriving from it, transitively (bounded).
    pub fn with_derived(&self, ty: &str) -> Vec<String> {
        let mut out = vec![];
        let mut queue = vec![ty.to_string()];
        while let Some(t) = queue.pop() {
            if out.len() > 4096 {
                break;
            }
            if let Some(info) = self.ty(&t) {
                queue.extend(info.derived.iter().cloned());
                out.push(info.name.clone());
            }
        }
        out
    }

    /// The entity set a non-contained navigation property of an entity in container `from`
    /// points into: the binding, else the first set of the target type or a base of it.
    pub fn binding_target(&self, from: Option<&str>, nav: &str, ty: &str) -> Option<String> {
        if let Some(c) = from.and_then(|f| self.set(f).or_else(|| self.singleton(f))) {
            if let Some(t) = c.bindings.iter().find_map(|(path, target)| {
                let last = path.rsplit('/').next()?;
                last.eq_ignore_ascii_case(nav).then(|| target.clone())
            }) {
                return Some(t);
            }
        }
        let mut current = Some(ty.to_string());
        for _ in 0..MAX_BASE_DEPTH {
            let t = current?;
            if let Some(name) = self
                .set_names
                .iter()
                .find(|s| self.set(s).map(|c| c.ty == t).unwrap_or(false))
            {
                return Some(name.clone());
            }
            current = self.ty(&t).and_then(|i| i.base.clone());
        }
        None
    }

    /// Whether the type derives from `microsoft.graph.directoryObject`.
    pub fn is_directory(&self, ty: &str) -> bool {
        self.derives(ty, "microsoft.graph.directoryObject")
    }

    /// Whether the type is open (takes dynamic properties): declared `OpenType`, or derived
    /// from an open type, as OData requires of a type whose base is open.
    pub fn is_open(&self, ty: &str) -> bool {
        let mut current = self.ty(ty);
        for _ in 0..MAX_BASE_DEPTH {
            let Some(t) = current else { return false };
            if t.open {
                return true;
            }
            current = t.base.as_deref().and_then(|b| self.ty(b));
        }
        false
    }

    /// Whether `ty` is `base` or derives from it.
    pub fn derives(&self, ty: &str, base: &str) -> bool {
        let mut current = self.ty(ty);
        for _ in 0..MAX_BASE_DEPTH {
            let Some(t) = current else { return false };
            if t.name.eq_ignore_ascii_case(base) {
                return true;
            }
            current = t.base.as_deref().and_then(|b| self.ty(b));
        }
        false
    }

    /// The key property of an entity type (`id` for nearly all).
    pub fn key_of(&self, ty: &str) -> String {
        let mut current = self.ty(ty);
        for _ in 0..MAX_BASE_DEPTH {
            let Some(t) = current else { break };
            if let Some(k) = t.key.first() {
                return k.clone();
            }
            current = t.base.as_deref().and_then(|b| self.ty(b));
        }
        "id".into()
    }
}

fn seg_name(seg: &str) -> String {
    let name = seg.split('(').next().unwrap_or(seg);
    name.strip_prefix("microsoft.graph.")
        .unwrap_or(name)
        .to_string()
}

/// The `(argument name, capture index)` pairs of a call pattern, in the sorted order captures
/// are pushed in.
fn named(pattern: &Pattern, first: usize) -> Vec<(String, usize)> {
    match pattern {
        Pattern::Call(_, keys) => keys
            .iter()
            .enumerate()
            .map(|(i, k)| (k.clone(), first + i))
            .collect(),
        _ => vec![],
    }
}

/// The query engine's view of the catalog: every type of `models.jsonl`.
#[derive(Debug, Clone, Copy)]
pub struct CatalogSchema(pub &'static Catalog);

impl Schema for CatalogSchema {
    fn property(&self, ty: &str, name: &str) -> Option<Prop<'_>> {
        // Collections of directory objects hold users, groups, ...: Graph accepts their
        // properties in `$select` and `$filter` there.
        const DERIVED: &[&str] = &[
            "microsoft.graph.user",
            "microsoft.graph.group",
            "microsoft.graph.servicePrincipal",
            "microsoft.graph.application",
            "microsoft.graph.device",
        ];
        let p = self.0.prop_info(ty, name).or_else(|| {
            ty.eq_ignore_ascii_case("microsoft.graph.directoryObject")
                .then(|| DERIVED.iter().find_map(|d| self.0.prop_info(d, name)))
                .flatten()
        })?;
        Some(Prop {
            name: &p.name,
            ty: &p.ty,
            collection: p.collection,
            nav: p.nav,
        })
    }

    fn knows(&self, ty: &str) -> bool {
        self.0.ty(ty).is_some()
    }

    /// On an open type, a dynamic property: any name on most types. Directory objects are
    /// open for the properties the directory keeps on all of them (`createdDateTime` of a
    /// servicePrincipal, which v1.0 declares on users, groups, ... but not there), with their
    /// canonical names; another name is Graph's 400 there as on a closed type
    /// (`users?$select=noSuchProperty`). Directory extensions (`extension_{appId}_{name}`)
    /// are the query engine's.
    fn dynamic(&self, ty: &str, name: &str) -> Option<String> {
        /// The directory objects whose declared properties the directory keeps.
        const DIRECTORY: &[&str] = &[
            "microsoft.graph.user",
            "microsoft.graph.group",
            "microsoft.graph.application",
            "microsoft.graph.servicePrincipal",
            "microsoft.graph.device",
            "microsoft.graph.orgContact",
            "microsoft.graph.administrativeUnit",
            "microsoft.graph.organization",
        ];
        if !self.0.is_open(ty) {
            return None;
        }
        if !self.0.is_directory(ty) {
            return Some(name.to_string());
        }
        DIRECTORY
            .iter()
            .filter_map(|d| self.0.prop_info(d, name))
            .find(|p| !p.nav)
            .map(|p| p.name.clone())
    }

    fn derives_from(&self, ty: &str, base: &str) -> bool {
        self.0.derives(ty, base)
    }

    fn structural(&self, ty: &str) -> Vec<String> {
        self.0
            .all_props(ty)
            .into_iter()
            .filter(|p| !p.nav)
            .map(|p| p.name.clone())
            .collect()
    }
}

/// Splits a request path below the version into decoded segments.
pub fn split_segments(path: &str) -> Vec<Segment> {
    let mut out = vec![];
    for raw in path.split('/').filter(|s| !s.is_empty()) {
        let seg = percent_encoding::percent_decode_str(raw)
            .decode_utf8_lossy()
            .to_string();
        match (seg.find('('), seg.ends_with(')')) {
            (Some(open), true) if open > 0 => {
                let inner = &seg[open + 1..seg.len() - 1];
                out.push(Segment {
                    name: seg[..open].to_string(),
                    args: Some(parse_args(inner)),
                });
            }
            _ => out.push(Segment {
                name: seg,
                args: None,
            }),
        }
    }
    out
}

/// `'x'` → `[("", "x")]`; `a='x',b=2` → `[("a","x"),("b","2")]` (quotes outside values only).
fn parse_args(inner: &str) -> Vec<(String, String)> {
    let inner = inner.trim();
    if inner.is_empty() {
        return vec![];
    }
    let mut parts = vec![];
    let mut quoted = false;
    let mut start = 0;
    let bytes: Vec<char> = inner.chars().collect();
    let mut current = String::new();
    for (i, c) in bytes.iter().enumerate() {
        match c {
            '\'' => {
                quoted = !quoted;
                current.push(*c);
            }
            ',' if !quoted => {
                parts.push(std::mem::take(&mut current));
                start = i + 1;
            }
            _ => current.push(*c),
        }
    }
    let _ = start;
    parts.push(current);
    let unquote = |v: &str| -> String {
        let v = v.trim();
        match v.strip_prefix('\'').and_then(|x| x.strip_suffix('\'')) {
            Some(q) => q.replace("''", "'"),
            None => v.to_string(),
        }
    };
    if parts.len() == 1 && !key_value(&parts[0]) {
        return vec![(String::new(), unquote(&parts[0]))];
    }
    parts
        .iter()
        .map(|p| match p.split_once('=') {
            Some((k, v)) if key_value(p) => (k.trim().to_string(), unquote(v)),
            _ => (String::new(), unquote(p)),
        })
        .collect()
}

/// Whether an argument is `name=value` (an `=` before any quote).
fn key_value(arg: &str) -> bool {
    match (arg.find('='), arg.find('\'')) {
        (Some(e), Some(q)) => e < q,
        (Some(_), None) => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_match_with_keys_calls_and_casts() {
        let c = catalog();
        let m = c.matches(&split_segments("/users/abc/memberOf")).unwrap();
        assert_eq!(m.captures, vec!["abc"]);
        assert!(m.ops.iter().any(|(meth, _)| meth == "GET"));
        let m = c
            .matches(&split_segments("/users(userPrincipalName='a@b.c')"))
            .unwrap();
        assert_eq!(m.captures, vec!["a@b.c"]);
        let m = c
            .matches(&split_segments("/users('x')/manager/$ref"))
            .unwrap();
        assert_eq!(m.captures, vec!["x"]);
        let m = c
            .matches(&split_segments(
                "/reports/getEmailActivityCounts(period='D7')",
            ))
            .unwrap();
        assert_eq!(m.captures, vec!["D7"]);
        assert!(c.matches(&split_segments("/users/delta()")).is_ok());
        assert!(c.matches(&split_segments("/users/delta")).is_ok());
        assert_eq!(
            c.matches(&split_segments("/users/x/nothingHere"))
                .unwrap_err(),
            NoMatch::Segment("nothingHere".into())
        );
        assert_eq!(
            c.matches(&split_segments("/nothing")).unwrap_err(),
            NoMatch::Segment("nothing".into())
        );
    }

    /// Every generated route with a namespace-qualified segment (a cast, or an action or
    /// function of a sub-namespace such as `microsoft.graph.security.remediate`), as the
    /// cmdlets send it and the server reads it, reaches its own operation, not an entity key.
    #[test]
    fn every_qualified_segment_of_the_catalog_routes() {
        let c = catalog();
        let commands = crate::catalog::generated::raw_command_lines();
        let mut checked = 0;
        for line in commands.iter().filter(|l| l.starts_with('{')) {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            for op in v["ops"].as_array().into_iter().flatten() {
                let path = op["path"].as_str().unwrap();
                if !path.split('/').any(|s| s.starts_with("microsoft.graph.")) {
                    continue;
                }
                let concrete: String = path
                    .split('/')
                    .map(|s| match (s.find('{'), s.find('(')) {
                        (Some(_), None) => "k".to_string(),
                        // Function arguments, as the cmdlets write them: quoted.
                        _ => regex_lite::Regex::new(r"\{[^}]*\}")
                            .unwrap()
                            .replace_all(s, "'k'")
                            .into_owned(),
                    })
                    .collect::<Vec<_>>()
                    .join("/");
                // As the server reads it: `graph.` aliases and default-namespace
                // qualifications normalised first.
                let concrete = crate::sandbox::graph::qualified_path(&concrete);
                let m = c
                    .matches(&split_segments(&concrete))
                    .unwrap_or_else(|e| panic!("{path} ({concrete}): {e:?}"));
                let method = op["method"].as_str().unwrap();
                assert!(
                    m.ops.iter().any(|(meth, _)| meth == method),
                    "{method} {path} ({concrete}) matched {:?}",
                    m.ops.iter().map(|(meth, _)| meth).collect::<Vec<_>>()
                );
                checked += 1;
            }
        }
        assert!(checked > 100, "{checked} routes");
    }

    #[test]
    fn steps_follow_the_model() {
        let c = catalog();
        let m = c
            .matches(&split_segments(
                "/groups/g/members/microsoft.graph.user/$count",
            ))
            .unwrap();
        let (_, op) = m.ops[0];
        assert_eq!(
            c.routes().ops[op].steps(),
            vec![
                Step::Set("groups".into()),
                Step::Key(0),
                Step::Nav("members".into()),
                Step::Cast("microsoft.graph.user".into()),
                Step::Count
            ]
        );
        let m = c
            .matches(&split_segments("/users/u/assignLicense"))
            .unwrap();
        let (_, op) = m.ops[0];
        assert_eq!(
            c.routes().ops[op].steps().last(),
            Some(&Step::Operation("assignLicense".into(), vec![]))
        );
    }
}
