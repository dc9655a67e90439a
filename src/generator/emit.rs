//! Writes the catalog files (`src/catalog/generated/`): see `src/catalog/generated/README.md`
//! (the contract with the engine, the module generator and the sandbox) for their format.

use super::csdl::{Schema, StructuredType};
use super::naming;
use super::paths::{self, Body, Operation, Returns, TypeRef};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::Path;

/// Where the CSDL sits, relative to the crate root.
pub const CSDL_PATH: &str = "../shared/reference/graph-metadata/v1.0.csdl.xml";
/// The catalog files, relative to the crate root.
pub const COMMANDS_FILE: &str = "src/catalog/generated/commands.jsonl";
pub const MODELS_FILE: &str = "src/catalog/generated/models.jsonl";
pub const CONTAINERS_FILE: &str = "src/catalog/generated/containers.json";

/// The three catalog files' contents and what went into them.
pub struct Catalog {
    /// `(path relative to the crate root, content)`.
    pub files: Vec<(&'static str, String)>,
    /// Operations the conversion exposes (before naming).
    pub operations: usize,
    /// Cmdlets written.
    pub cmdlets: usize,
}

/// Reads the CSDL below `root` and renders the catalog. Errors name the missing or malformed
/// file.
pub fn generate(root: &Path) -> Result<Catalog, String> {
    let csdl_path = root.join(CSDL_PATH);
    let bytes = std::fs::read(&csdl_path).map_err(|e| {
        format!(
            "cannot read the Graph metadata at {} ({e}); the catalog is generated from it",
            csdl_path.display()
        )
    })?;
    let text = std::str::from_utf8(&bytes)
        .map_err(|e| format!("{} is not UTF-8: {e}", csdl_path.display()))?;
    let schema = Schema::parse(text).map_err(|e| format!("{}: {e}", csdl_path.display()))?;
    let ops = paths::operations(&schema).map_err(|e| format!("{}: {e}", csdl_path.display()))?;
    Ok(render(&schema, &bytes, &ops))
}

/// Renders the catalog files from a parsed schema, its operations and the CSDL bytes (hashed
/// into containers.json).
pub fn render(schema: &Schema, csdl: &[u8], ops: &[Operation]) -> Catalog {
    let (commands, cmdlets) = commands(ops);
    Catalog {
        files: vec![
            (COMMANDS_FILE, commands),
            (MODELS_FILE, models(schema)),
            (CONTAINERS_FILE, containers(schema, csdl)),
        ],
        operations: ops.len(),
        cmdlets,
    }
}

fn type_json(t: &TypeRef) -> Value {
    let mut m = Map::new();
    m.insert("type".into(), t.name.clone().into());
    if t.collection {
        m.insert("collection".into(), true.into());
    }
    Value::Object(m)
}

fn op_json(variant: &str, op: &Operation) -> Value {
    let mut m = Map::new();
    m.insert("variant".into(), variant.into());
    m.insert("method".into(), op.method.into());
    m.insert("path".into(), op.path.clone().into());
    m.insert("kind".into(), op.kind.as_str().into());
    let body = match &op.body {
        None => Value::Null,
        Some(Body::Model(name)) => serde_json::json!({ "model": name }),
        Some(Body::Ref) => serde_json::json!({ "ref": true }),
        Some(Body::Stream) => serde_json::json!({ "stream": true }),
        Some(Body::Params(params)) => {
            let list: Vec<Value> = params
                .iter()
                .map(|p| {
                    let mut pm = Map::new();
                    pm.insert("name".into(), p.name.clone().into());
                    pm.insert("type".into(), p.ty.name.clone().into());
                    if p.ty.collection {
                        pm.insert("collection".into(), true.into());
                    }
                    pm.insert("nullable".into(), p.nullable.into());
                    Value::Object(pm)
                })
                .collect();
            match &op.body_schema {
                Some(schema) => serde_json::json!({ "params": list, "schema": schema }),
                None => serde_json::json!({ "params": list }),
            }
        }
    };
    m.insert("body".into(), body);
    let returns = match &op.returns {
        None => Value::Null,
        Some(Returns::Stream) => serde_json::json!({ "stream": true }),
        Some(Returns::Type(t)) => {
            let mut v = type_json(t);
            if let (Some(schema), Value::Object(o)) = (&op.response_schema, &mut v) {
                o.insert("schema".into(), schema.clone().into());
            }
            v
        }
    };
    m.insert("returns".into(), returns);
    if !op.query.is_empty() {
        m.insert("query".into(), op.query.clone().into());
    }
    if op.consistency_level {
        m.insert("consistencyLevel".into(), true.into());
    }
    if !op.custom_query.is_empty() {
        let list: Vec<Value> = op
            .custom_query
            .iter()
            .map(|q| {
                let mut qm = Map::new();
                qm.insert("name".into(), q.name.clone().into());
                if q.required {
                    qm.insert("required".into(), true.into());
                }
                Value::Object(qm)
            })
            .collect();
        m.insert("customQuery".into(), list.into());
    }
    if op.pageable {
        m.insert("pageable".into(), true.into());
    }
    m.insert("operationId".into(), op.operation_id.clone().into());
    if !op.path_params.is_empty() {
        let params: Vec<Value> = op
            .path_params
            .iter()
            .map(|p| {
                let mut pm = Map::new();
                pm.insert("name".into(), p.name.clone().into());
                if let Some(k) = &p.key_type {
                    pm.insert("keyType".into(), k.clone().into());
                }
                Value::Object(pm)
            })
            .collect();
        m.insert("pathParams".into(), params.into());
    }
    Value::Object(m)
}

/// One line per cmdlet, sorted by name; a cmdlet's operations keep the order the conversion
/// lists them in (the SDK's parameter-set order), each with the variant AutoRest numbered
/// before the directives ran (§3): a directive that moves some variants of a command to
/// another name (`Get` of Get-MgUserCalendar to Get-MgUserDefaultCalendar) leaves the others
/// their numbers (`List`, `Get1`), as the SDK's reference pages show them. A variant repeated
/// within one cmdlet all the same gets a further number.
fn commands(ops: &[Operation]) -> (String, usize) {
    struct Cmdlet<'o> {
        module: String,
        ops: Vec<(String, &'o Operation)>,
    }
    let mut cmdlets: BTreeMap<String, Cmdlet> = BTreeMap::new();
    for (op, names) in ops.iter().zip(naming::name_all(ops)) {
        for named in names {
            let entry = cmdlets.entry(named.cmdlet).or_insert_with(|| Cmdlet {
                module: named.module.clone(),
                ops: vec![],
            });
            let mut variant = named.variant.clone();
            let mut n = 1;
            while entry.ops.iter().any(|(v, _)| *v == variant) {
                variant = format!("{}{n}", named.variant);
                n += 1;
            }
            entry.ops.push((variant, op));
        }
    }
    let mut out = String::new();
    for (name, c) in &cmdlets {
        let ops: Vec<Value> = c.ops.iter().map(|(v, op)| op_json(v, op)).collect();
        let mut m = Map::new();
        m.insert("name".into(), name.clone().into());
        m.insert("module".into(), c.module.clone().into());
        m.insert("ops".into(), ops.into());
        out.push_str(&Value::Object(m).to_string());
        out.push('\n');
    }
    (out, cmdlets.len())
}

fn model_json(t: &StructuredType) -> Value {
    let mut m = Map::new();
    m.insert("name".into(), t.name.clone().into());
    m.insert(
        "kind".into(),
        if t.entity { "entity" } else { "complex" }.into(),
    );
    if let Some(b) = &t.base {
        m.insert("base".into(), b.clone().into());
    }
    if t.is_abstract {
        m.insert("abstract".into(), true.into());
    }
    if t.open {
        m.insert("open".into(), true.into());
    }
    if t.has_stream {
        m.insert("hasStream".into(), true.into());
    }
    if !t.key.is_empty() {
        m.insert("key".into(), t.key.clone().into());
    }
    let props: Vec<Value> = t
        .props
        .iter()
        .map(|p| {
            let mut pm = Map::new();
            pm.insert("name".into(), p.name.clone().into());
            pm.insert("type".into(), p.ty.name.clone().into());
            if p.ty.collection {
                pm.insert("collection".into(), true.into());
            }
            if !p.nullable {
                pm.insert("nullable".into(), false.into());
            }
            if p.read_only {
                pm.insert("readOnly".into(), true.into());
            }
            if p.nav {
                pm.insert("nav".into(), true.into());
            }
            if p.contains_target {
                pm.insert("contained".into(), true.into());
            }
            Value::Object(pm)
        })
        .collect();
    m.insert("props".into(), props.into());
    Value::Object(m)
}

/// Every entity, complex and enum type, sorted by name.
fn models(schema: &Schema) -> String {
    let mut lines: Vec<(String, String)> = schema
        .types
        .iter()
        .map(|t| (t.name.clone(), model_json(t).to_string()))
        .collect();
    for e in &schema.enums {
        let mut m = Map::new();
        m.insert("name".into(), e.name.clone().into());
        m.insert("kind".into(), "enum".into());
        m.insert("members".into(), e.members.clone().into());
        if e.flags {
            m.insert("flags".into(), true.into());
        }
        lines.push((e.name.clone(), Value::Object(m).to_string()));
    }
    lines.sort();
    let mut out = String::new();
    for (_, l) in lines {
        out.push_str(&l);
        out.push('\n');
    }
    out
}

fn containers(schema: &Schema, csdl: &[u8]) -> String {
    let list = |sources: &[super::csdl::NavigationSource]| -> Vec<Value> {
        let mut sorted: Vec<_> = sources.iter().collect();
        sorted.sort_by(|a, b| a.name.cmp(&b.name));
        sorted
            .into_iter()
            .map(|s| {
                let mut bindings = Map::new();
                for (path, target) in &s.bindings {
                    bindings.insert(path.clone(), target.clone().into());
                }
                let mut m = Map::new();
                m.insert("name".into(), s.name.clone().into());
                m.insert("type".into(), s.type_name.clone().into());
                m.insert("bindings".into(), Value::Object(bindings));
                Value::Object(m)
            })
            .collect()
    };
    let digest: String = Sha256::digest(csdl)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let mut m = Map::new();
    m.insert("entitySets".into(), list(&schema.entity_sets).into());
    m.insert("singletons".into(), list(&schema.singletons).into());
    m.insert("csdl".into(), digest.into());
    let mut out = Value::Object(m).to_string();
    out.push('\n');
    out
}
