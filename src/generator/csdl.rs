//! Reads a CSDL (OData 4.0 `edmx`) document into a schema: types, properties, navigation,
//! containers, operations and the capability annotations the conversion consults.
//!
//! Follows OData CSDL XML 4.01 (<https://docs.oasis-open.org/odata/odata-csdl-xml/v4.01/>).
//! Namespace aliases (`graph.user`) are resolved to qualified names (`microsoft.graph.user`)
//! everywhere. Annotations are kept per target, whether written inline (inside the annotated
//! element) or out of line (`<Annotations Target="...">`): both land under the same target
//! string, so a lookup never needs to know where the CSDL put them.

use std::collections::HashMap;

/// Deepest nesting of annotation values (records in collections in records ...) accepted.
const MAX_VALUE_DEPTH: usize = 32;

/// A type reference as CSDL writes it, qualified: `Edm.String`, `microsoft.graph.user`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeName {
    pub name: String,
    pub collection: bool,
}

/// A declared property of an entity or complex type (structural or navigation).
#[derive(Debug, Clone)]
pub struct Property {
    pub name: String,
    pub ty: TypeName,
    pub nullable: bool,
    /// A navigation property.
    pub nav: bool,
    /// `ContainsTarget="true"` (navigation only).
    pub contains_target: bool,
    /// `Core.Computed` true, or `Core.Permissions` `Read`.
    pub read_only: bool,
    /// `Core.Computed` true (the conversion's readOnly).
    pub computed: bool,
    /// `Partner` (navigation only).
    pub partner: Option<String>,
}

/// An entity or complex type.
#[derive(Debug, Clone)]
pub struct StructuredType {
    /// Qualified: `microsoft.graph.user`.
    pub name: String,
    /// `user`.
    pub short: String,
    pub entity: bool,
    pub base: Option<String>,
    pub is_abstract: bool,
    pub open: bool,
    pub has_stream: bool,
    /// The declared key (entity types that declare one).
    pub key: Vec<String>,
    /// Declared properties in CSDL order.
    pub props: Vec<Property>,
}

/// An enum type.
#[derive(Debug, Clone)]
pub struct EnumType {
    pub name: String,
    pub members: Vec<String>,
    pub flags: bool,
}

/// An entity set or singleton.
#[derive(Debug, Clone)]
pub struct NavigationSource {
    pub name: String,
    /// Qualified entity type name.
    pub type_name: String,
    pub singleton: bool,
    /// NavigationPropertyBinding Path → Target, in CSDL order.
    pub bindings: Vec<(String, String)>,
}

/// A parameter of an action or function (the first one of a bound operation is the binding
/// parameter).
#[derive(Debug, Clone)]
pub struct Parameter {
    pub name: String,
    pub ty: TypeName,
    pub nullable: bool,
    /// `Core.OptionalParameter`.
    pub optional: bool,
}

/// An action or function (one overload).
#[derive(Debug, Clone)]
pub struct OperationDef {
    pub name: String,
    pub namespace: String,
    pub is_action: bool,
    pub bound: bool,
    pub composable: bool,
    pub params: Vec<Parameter>,
    pub returns: Option<(TypeName, bool)>,
    /// Annotations on this overload (inline and out of line).
    pub annotations: Vec<Annotation>,
}

impl OperationDef {
    /// `microsoft.graph.assignLicense`.
    pub fn full_name(&self) -> String {
        format!("{}.{}", self.namespace, self.name)
    }
}

/// An action or function import of the entity container.
#[derive(Debug, Clone)]
pub struct OperationImport {
    pub name: String,
    pub is_action: bool,
    /// Qualified name of the imported action or function.
    pub operation: String,
}

/// An annotation value (CSDL constant and dynamic expressions, as far as the conversion reads them).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Bool(bool),
    String(String),
    Int(i64),
    /// `EnumMember`: `Org.OData.Capabilities.V1.NavigationType/None`.
    Enum(String),
    /// `Path`, `PropertyPath`, `NavigationPropertyPath`, `AnnotationPath`.
    Path(String),
    Record(Vec<(String, Value)>),
    Collection(Vec<Value>),
    Null,
}

impl Value {
    /// A record's property value.
    pub fn field(&self, name: &str) -> Option<&Value> {
        match self {
            Value::Record(fields) => fields.iter().find(|(k, _)| k == name).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// A record's boolean property.
    pub fn bool_field(&self, name: &str) -> Option<bool> {
        self.field(name).and_then(Value::as_bool)
    }

    /// Text of a string, enum member or path.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) | Value::Enum(s) | Value::Path(s) => Some(s),
            _ => None,
        }
    }

    pub fn items(&self) -> &[Value] {
        match self {
            Value::Collection(items) => items,
            _ => &[],
        }
    }

    /// `self` with the record fields of `other` that `self` lacks (the conversion's
    /// MergePropertiesIfNull).
    pub fn merged(&self, other: Option<&Value>) -> Value {
        match (self, other) {
            (Value::Record(a), Some(Value::Record(b))) => {
                let mut out = a.clone();
                for (k, v) in b {
                    if !out.iter().any(|(n, _)| n == k) {
                        out.push((k.clone(), v.clone()));
                    }
                }
                Value::Record(out)
            }
            _ => self.clone(),
        }
    }
}

/// One annotation: term (qualified), optional qualifier, value.
#[derive(Debug, Clone, PartialEq)]
pub struct Annotation {
    pub term: String,
    pub qualifier: Option<String>,
    pub value: Value,
}

/// The whole CSDL document.
#[derive(Debug, Default)]
pub struct Schema {
    /// Entity and complex types, in document order.
    pub types: Vec<StructuredType>,
    pub enums: Vec<EnumType>,
    /// Qualified entity container name: `microsoft.graph.GraphService`.
    pub container: String,
    pub entity_sets: Vec<NavigationSource>,
    pub singletons: Vec<NavigationSource>,
    /// Actions and functions in document order (overloads separately).
    pub operations: Vec<OperationDef>,
    pub imports: Vec<OperationImport>,
    annotations: HashMap<String, Vec<Annotation>>,
    type_index: HashMap<String, usize>,
    enum_index: HashMap<String, usize>,
    derived: Vec<Vec<usize>>,
}

/// Qualified names of the terms the conversion reads.
pub mod terms {
    pub const READ: &str = "Org.OData.Capabilities.V1.ReadRestrictions";
    pub const INSERT: &str = "Org.OData.Capabilities.V1.InsertRestrictions";
    pub const UPDATE: &str = "Org.OData.Capabilities.V1.UpdateRestrictions";
    pub const DELETE: &str = "Org.OData.Capabilities.V1.DeleteRestrictions";
    pub const NAVIGATION: &str = "Org.OData.Capabilities.V1.NavigationRestrictions";
    pub const COUNT: &str = "Org.OData.Capabilities.V1.CountRestrictions";
    pub const TOP: &str = "Org.OData.Capabilities.V1.TopSupported";
    pub const SKIP: &str = "Org.OData.Capabilities.V1.SkipSupported";
    pub const SEARCH: &str = "Org.OData.Capabilities.V1.SearchRestrictions";
    pub const FILTER: &str = "Org.OData.Capabilities.V1.FilterRestrictions";
    pub const SORT: &str = "Org.OData.Capabilities.V1.SortRestrictions";
    pub const EXPAND: &str = "Org.OData.Capabilities.V1.ExpandRestrictions";
    pub const SELECT: &str = "Org.OData.Capabilities.V1.SelectSupport";
    pub const INDEXABLE_BY_KEY: &str = "Org.OData.Capabilities.V1.IndexableByKey";
    pub const OPERATION: &str = "Org.OData.Capabilities.V1.OperationRestrictions";
    pub const DERIVED_TYPE_CONSTRAINT: &str = "Org.OData.Validation.V1.DerivedTypeConstraint";
    pub const ALTERNATE_KEYS: &str = "Org.OData.Core.V1.AlternateKeys";
    pub const COMMUNITY_ALTERNATE_KEYS: &str = "OData.Community.Keys.V1.AlternateKeys";
    pub const COMPUTED: &str = "Org.OData.Core.V1.Computed";
    pub const PERMISSIONS: &str = "Org.OData.Core.V1.Permissions";
    pub const OPTIONAL_PARAMETER: &str = "Org.OData.Core.V1.OptionalParameter";
    pub const REQUIRES_EXPLICIT_BINDING: &str = "Org.OData.Core.V1.RequiresExplicitBinding";
    pub const EXPLICIT_OPERATION_BINDINGS: &str = "Org.OData.Core.V1.ExplicitOperationBindings";
}

/// Why a CSDL document could not be read.
#[derive(Debug)]
pub struct CsdlError(pub String);

impl std::fmt::Display for CsdlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CSDL: {}", self.0)
    }
}

impl std::error::Error for CsdlError {}

fn err<T>(msg: impl Into<String>) -> Result<T, CsdlError> {
    Err(CsdlError(msg.into()))
}

type Node<'a, 'i> = roxmltree::Node<'a, 'i>;

fn tag<'a>(n: &Node<'a, '_>) -> &'a str {
    n.tag_name().name()
}

fn elements<'a, 'i>(n: Node<'a, 'i>) -> impl Iterator<Item = Node<'a, 'i>> {
    n.children().filter(|c| c.is_element())
}

/// Resolves namespace aliases in qualified names.
struct Aliases(HashMap<String, String>);

impl Aliases {
    /// `graph.user` → `microsoft.graph.user`; `Collection(...)` and overload signatures
    /// (`ns.op(ns.type,...)`) are resolved part by part.
    fn resolve(&self, name: &str) -> String {
        let name = name.trim();
        if let Some(inner) = name
            .strip_prefix("Collection(")
            .and_then(|s| s.strip_suffix(')'))
        {
            return format!("Collection({})", self.resolve(inner));
        }
        if let Some(open) = name.find('(') {
            if let Some(args) = name[open + 1..].strip_suffix(')') {
                let args: Vec<String> = split_args(args).iter().map(|a| self.resolve(a)).collect();
                return format!("{}({})", self.resolve(&name[..open]), args.join(","));
            }
        }
        if let Some((head, rest)) = name.split_once('/') {
            return format!("{}/{}", self.resolve(head), rest);
        }
        match name.split_once('.') {
            Some((first, rest)) => match self.0.get(first) {
                Some(ns) => format!("{ns}.{rest}"),
                None => name.to_string(),
            },
            None => name.to_string(),
        }
    }

    fn type_name(&self, raw: &str) -> TypeName {
        let resolved = self.resolve(raw);
        match resolved
            .strip_prefix("Collection(")
            .and_then(|s| s.strip_suffix(')'))
        {
            Some(inner) => TypeName {
                name: inner.to_string(),
                collection: true,
            },
            None => TypeName {
                name: resolved,
                collection: false,
            },
        }
    }
}

/// Splits `a, Collection(b), c` at top-level commas.
fn split_args(s: &str) -> Vec<String> {
    let mut out = vec![];
    let mut depth = 0usize;
    let mut cur = String::new();
    for ch in s.chars() {
        match ch {
            '(' => {
                depth += 1;
                cur.push(ch)
            }
            ')' => {
                depth = depth.saturating_sub(1);
                cur.push(ch)
            }
            ',' if depth == 0 => out.push(std::mem::take(&mut cur).trim().to_string()),
            _ => cur.push(ch),
        }
    }
    if !cur.trim().is_empty() {
        out.push(cur.trim().to_string());
    }
    out
}

fn parse_value(n: Node, aliases: &Aliases, depth: usize) -> Result<Value, CsdlError> {
    if depth > MAX_VALUE_DEPTH {
        return err(format!(
            "annotation value nested deeper than {MAX_VALUE_DEPTH} levels (line {})",
            n.document().text_pos_at(n.position()).row
        ));
    }
    // Attribute notation first (`Bool="false"`), then element notation.
    for attr in n.attributes() {
        let v = attr.value();
        match attr.name() {
            "Bool" => return Ok(Value::Bool(v.eq_ignore_ascii_case("true"))),
            "String" => return Ok(Value::String(v.to_string())),
            "Int" => return Ok(Value::Int(v.parse().unwrap_or_default())),
            "EnumMember" => return Ok(Value::Enum(aliases.resolve(v))),
            "Path" | "PropertyPath" | "NavigationPropertyPath" | "AnnotationPath" => {
                return Ok(Value::Path(v.to_string()))
            }
            _ => {}
        }
    }
    match elements(n).find(|c| tag(c) != "Annotation") {
        Some(child) => parse_expression(child, aliases, depth + 1),
        // A term applied without a value: the default of a Tag term, true.
        None => Ok(Value::Bool(true)),
    }
}

fn parse_expression(n: Node, aliases: &Aliases, depth: usize) -> Result<Value, CsdlError> {
    if depth > MAX_VALUE_DEPTH {
        return err(format!(
            "annotation value nested deeper than {MAX_VALUE_DEPTH} levels (line {})",
            n.document().text_pos_at(n.position()).row
        ));
    }
    let text = n.text().unwrap_or_default().trim();
    Ok(match tag(&n) {
        "Bool" => Value::Bool(text.eq_ignore_ascii_case("true")),
        "String" => Value::String(text.to_string()),
        "Int" => Value::Int(text.parse().unwrap_or_default()),
        "EnumMember" => Value::Enum(aliases.resolve(text)),
        "Path" | "PropertyPath" | "NavigationPropertyPath" | "AnnotationPath" => {
            Value::Path(text.to_string())
        }
        "Null" => Value::Null,
        "Collection" => Value::Collection(
            elements(n)
                .map(|c| parse_expression(c, aliases, depth + 1))
                .collect::<Result<_, _>>()?,
        ),
        "Record" => {
            let mut fields = vec![];
            for pv in elements(n).filter(|c| tag(c) == "PropertyValue") {
                let name = pv.attribute("Property").unwrap_or_default().to_string();
                fields.push((name, parse_value(pv, aliases, depth + 1)?));
            }
            Value::Record(fields)
        }
        _ => Value::String(text.to_string()),
    })
}

fn parse_annotation(n: Node, aliases: &Aliases) -> Result<Annotation, CsdlError> {
    Ok(Annotation {
        term: aliases.resolve(n.attribute("Term").unwrap_or_default()),
        qualifier: n.attribute("Qualifier").map(str::to_string),
        value: parse_value(n, aliases, 0)?,
    })
}

fn inline_annotations(n: Node, aliases: &Aliases) -> Result<Vec<Annotation>, CsdlError> {
    elements(n)
        .filter(|c| tag(c) == "Annotation")
        .map(|c| parse_annotation(c, aliases))
        .collect()
}

fn attr_bool(n: &Node, name: &str, default: bool) -> bool {
    n.attribute(name)
        .map(|v| v.eq_ignore_ascii_case("true"))
        .unwrap_or(default)
}

impl Schema {
    /// Parses a CSDL document. Errors name what is malformed (not XML, no schema, a type
    /// without a name, a reference to an undeclared base type).
    pub fn parse(xml: &str) -> Result<Schema, CsdlError> {
        let xml = xml.strip_prefix('\u{feff}').unwrap_or(xml);
        let doc = roxmltree::Document::parse(xml)
            .map_err(|e| CsdlError(format!("not well-formed XML: {e}")))?;
        let schemas: Vec<Node> = doc
            .descendants()
            .filter(|n| n.is_element() && tag(n) == "Schema")
            .collect();
        if schemas.is_empty() {
            return err("no <Schema> element (is this an OData CSDL document?)");
        }
        let mut aliases = HashMap::new();
        for s in &schemas {
            if let (Some(ns), Some(alias)) = (s.attribute("Namespace"), s.attribute("Alias")) {
                aliases.insert(alias.to_string(), ns.to_string());
            }
        }
        let aliases = Aliases(aliases);
        let mut schema = Schema::default();
        let mut out_of_line: Vec<(String, Annotation)> = vec![];
        for s in &schemas {
            let ns = s.attribute("Namespace").unwrap_or_default();
            for el in elements(*s) {
                match tag(&el) {
                    "EntityType" | "ComplexType" => {
                        let t = schema.read_type(el, ns, &aliases)?;
                        schema.types.push(t);
                    }
                    "EnumType" => {
                        let name = el
                            .attribute("Name")
                            .ok_or_else(|| CsdlError(format!("an EnumType in {ns} has no Name")))?;
                        schema.enums.push(EnumType {
                            name: format!("{ns}.{name}"),
                            members: elements(el)
                                .filter(|m| tag(m) == "Member")
                                .filter_map(|m| m.attribute("Name").map(str::to_string))
                                .collect(),
                            flags: attr_bool(&el, "IsFlags", false),
                        });
                    }
                    "Action" | "Function" => {
                        let op = Self::read_operation(el, ns, &aliases)?;
                        schema.operations.push(op);
                    }
                    "EntityContainer" => schema.read_container(el, ns, &aliases)?,
                    "Annotations" => {
                        let target = aliases.resolve(el.attribute("Target").unwrap_or_default());
                        for a in elements(el).filter(|c| tag(c) == "Annotation") {
                            out_of_line.push((target.clone(), parse_annotation(a, &aliases)?));
                        }
                    }
                    _ => {}
                }
            }
        }
        let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, op) in schema.operations.iter().enumerate() {
            by_name.entry(op.full_name()).or_default().push(i);
        }
        for (target, a) in out_of_line {
            schema.attach(&target, a, &by_name);
        }
        schema.index()?;
        // Read-only flags may come from out-of-line annotations: settle them now.
        for ti in 0..schema.types.len() {
            for pi in 0..schema.types[ti].props.len() {
                let target = format!(
                    "{}/{}",
                    schema.types[ti].name, schema.types[ti].props[pi].name
                );
                let computed = schema
                    .annotation(&target, terms::COMPUTED)
                    .and_then(Value::as_bool)
                    .unwrap_or(false);
                let read_perm = schema
                    .annotation(&target, terms::PERMISSIONS)
                    .and_then(Value::as_str)
                    .is_some_and(|p| p.ends_with("/Read"));
                let p = &mut schema.types[ti].props[pi];
                p.computed = computed;
                p.read_only = computed || read_perm;
            }
        }
        Ok(schema)
    }

    fn read_type(
        &mut self,
        el: Node,
        ns: &str,
        aliases: &Aliases,
    ) -> Result<StructuredType, CsdlError> {
        let short = el
            .attribute("Name")
            .ok_or_else(|| CsdlError(format!("a {} in {ns} has no Name", tag(&el))))?;
        let name = format!("{ns}.{short}");
        let mut t = StructuredType {
            name: name.clone(),
            short: short.to_string(),
            entity: tag(&el) == "EntityType",
            base: el.attribute("BaseType").map(|b| aliases.resolve(b)),
            is_abstract: attr_bool(&el, "Abstract", false),
            open: attr_bool(&el, "OpenType", false),
            has_stream: attr_bool(&el, "HasStream", false),
            key: vec![],
            props: vec![],
        };
        for a in inline_annotations(el, aliases)? {
            self.annotations.entry(name.clone()).or_default().push(a);
        }
        for c in elements(el) {
            match tag(&c) {
                "Key" => {
                    t.key = c
                        .descendants()
                        .filter(|k| k.is_element() && tag(k) == "PropertyRef")
                        .filter_map(|k| k.attribute("Name").map(str::to_string))
                        .collect();
                }
                "Property" | "NavigationProperty" => {
                    let pname = c
                        .attribute("Name")
                        .ok_or_else(|| CsdlError(format!("a property of {name} has no Name")))?;
                    let ty = aliases.type_name(c.attribute("Type").ok_or_else(|| {
                        CsdlError(format!("property {name}/{pname} has no Type"))
                    })?);
                    let nav = tag(&c) == "NavigationProperty";
                    t.props.push(Property {
                        name: pname.to_string(),
                        // Collections of entities are never null; single ones default to nullable.
                        nullable: attr_bool(&c, "Nullable", true),
                        ty,
                        nav,
                        contains_target: nav && attr_bool(&c, "ContainsTarget", false),
                        read_only: false,
                        computed: false,
                        partner: c.attribute("Partner").map(str::to_string),
                    });
                    let target = format!("{name}/{pname}");
                    for a in inline_annotations(c, aliases)? {
                        self.annotations.entry(target.clone()).or_default().push(a);
                    }
                }
                _ => {}
            }
        }
        Ok(t)
    }

    fn read_operation(el: Node, ns: &str, aliases: &Aliases) -> Result<OperationDef, CsdlError> {
        let name = el
            .attribute("Name")
            .ok_or_else(|| CsdlError(format!("a {} in {ns} has no Name", tag(&el))))?;
        let mut params = vec![];
        let mut returns = None;
        for c in elements(el) {
            match tag(&c) {
                "Parameter" => {
                    let anns = inline_annotations(c, aliases)?;
                    params.push(Parameter {
                        name: c.attribute("Name").unwrap_or_default().to_string(),
                        ty: aliases.type_name(c.attribute("Type").unwrap_or("Edm.String")),
                        nullable: attr_bool(&c, "Nullable", true),
                        optional: anns.iter().any(|a| a.term == terms::OPTIONAL_PARAMETER),
                    });
                }
                "ReturnType" => {
                    returns = Some((
                        aliases.type_name(c.attribute("Type").unwrap_or("Edm.String")),
                        attr_bool(&c, "Nullable", true),
                    ))
                }
                _ => {}
            }
        }
        let bound = attr_bool(&el, "IsBound", false);
        if bound && params.is_empty() {
            return err(format!(
                "bound operation {ns}.{name} has no binding parameter"
            ));
        }
        Ok(OperationDef {
            name: name.to_string(),
            namespace: ns.to_string(),
            is_action: tag(&el) == "Action",
            bound,
            composable: attr_bool(&el, "IsComposable", false),
            params,
            returns,
            annotations: inline_annotations(el, aliases)?,
        })
    }

    fn read_container(&mut self, el: Node, ns: &str, aliases: &Aliases) -> Result<(), CsdlError> {
        let cname = el.attribute("Name").unwrap_or_default();
        self.container = format!("{ns}.{cname}");
        for c in elements(el) {
            let kind = tag(&c);
            let name = c.attribute("Name").unwrap_or_default().to_string();
            match kind {
                "EntitySet" | "Singleton" => {
                    let ty = c
                        .attribute(if kind == "EntitySet" {
                            "EntityType"
                        } else {
                            "Type"
                        })
                        .ok_or_else(|| CsdlError(format!("{kind} {name} has no type")))?;
                    let source = NavigationSource {
                        name: name.clone(),
                        type_name: aliases.resolve(ty),
                        singleton: kind == "Singleton",
                        bindings: elements(c)
                            .filter(|b| tag(b) == "NavigationPropertyBinding")
                            .map(|b| {
                                (
                                    aliases.resolve(b.attribute("Path").unwrap_or_default()),
                                    b.attribute("Target").unwrap_or_default().to_string(),
                                )
                            })
                            .collect(),
                    };
                    let target = format!("{}/{name}", self.container);
                    for a in inline_annotations(c, aliases)? {
                        self.annotations.entry(target.clone()).or_default().push(a);
                    }
                    if source.singleton {
                        self.singletons.push(source);
                    } else {
                        self.entity_sets.push(source);
                    }
                }
                "ActionImport" | "FunctionImport" => {
                    let attr = if kind == "ActionImport" {
                        "Action"
                    } else {
                        "Function"
                    };
                    self.imports.push(OperationImport {
                        name,
                        is_action: kind == "ActionImport",
                        operation: aliases.resolve(c.attribute(attr).unwrap_or_default()),
                    });
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Files an out-of-line annotation under its target; operation targets
    /// (`ns.op` or `ns.op(bindingType,...)`) go to the matching overloads.
    fn attach(&mut self, target: &str, a: Annotation, by_name: &HashMap<String, Vec<usize>>) {
        let (head, sig) = match target.find('(') {
            Some(i) if !target.contains('/') => (
                &target[..i],
                Some(split_args(target[i + 1..].trim_end_matches(')'))),
            ),
            _ => (target, None),
        };
        let mut matched = false;
        for &i in by_name.get(head).map(Vec::as_slice).unwrap_or_default() {
            let op = &mut self.operations[i];
            let fits = match &sig {
                None => true,
                Some(types) => op
                    .params
                    .iter()
                    .zip(types.iter())
                    .all(|(p, t)| &type_text(&p.ty) == t),
            };
            if fits {
                op.annotations.push(a.clone());
                matched = true;
            }
        }
        if !matched {
            self.annotations
                .entry(target.to_string())
                .or_default()
                .push(a);
        }
    }

    fn index(&mut self) -> Result<(), CsdlError> {
        self.type_index = self
            .types
            .iter()
            .enumerate()
            .map(|(i, t)| (t.name.clone(), i))
            .collect();
        self.enum_index = self
            .enums
            .iter()
            .enumerate()
            .map(|(i, t)| (t.name.clone(), i))
            .collect();
        self.derived = vec![vec![]; self.types.len()];
        for i in 0..self.types.len() {
            if let Some(base) = &self.types[i].base {
                let b = *self.type_index.get(base).ok_or_else(|| {
                    CsdlError(format!(
                        "{} derives from {base}, which is not declared",
                        self.types[i].name
                    ))
                })?;
                self.derived[b].push(i);
            }
        }
        // A base-type cycle would make every inherited walk endless.
        for i in 0..self.types.len() {
            let mut seen = 0;
            let mut cur = Some(i);
            while let Some(c) = cur {
                seen += 1;
                if seen > self.types.len() {
                    return err(format!("{} is its own base type", self.types[i].name));
                }
                cur = self.base_of(c);
            }
        }
        for s in self.entity_sets.iter().chain(self.singletons.iter()) {
            if !self.type_index.contains_key(&s.type_name) {
                return err(format!(
                    "{} {} has type {}, which is not declared",
                    if s.singleton {
                        "singleton"
                    } else {
                        "entity set"
                    },
                    s.name,
                    s.type_name
                ));
            }
        }
        Ok(())
    }

    /// The index of an entity or complex type by qualified name.
    pub fn type_id(&self, name: &str) -> Option<usize> {
        self.type_index.get(name).copied()
    }

    /// Whether `name` is a declared enum type.
    pub fn is_enum(&self, name: &str) -> bool {
        self.enum_index.contains_key(name)
    }

    pub fn base_of(&self, t: usize) -> Option<usize> {
        self.types[t]
            .base
            .as_ref()
            .and_then(|b| self.type_index.get(b).copied())
    }

    /// `t` and its base types, most derived first.
    pub fn lineage(&self, t: usize) -> Vec<usize> {
        let mut out = vec![];
        let mut cur = Some(t);
        while let Some(c) = cur {
            out.push(c);
            cur = self.base_of(c);
        }
        out
    }

    /// Whether `t` is `ancestor` or derives from it.
    pub fn derives_from(&self, t: usize, ancestor: usize) -> bool {
        self.lineage(t).contains(&ancestor)
    }

    /// Every type deriving (directly or not) from `t`, breadth first.
    pub fn all_derived(&self, t: usize) -> Vec<usize> {
        let mut out = vec![];
        let mut queue = std::collections::VecDeque::from(self.derived[t].clone());
        while let Some(d) = queue.pop_front() {
            out.push(d);
            queue.extend(self.derived[d].iter().copied());
        }
        out
    }

    /// All properties (inherited first, then declared), as `(declaring type, index)`.
    pub fn all_props(&self, t: usize) -> Vec<(usize, usize)> {
        let mut chain = self.lineage(t);
        chain.reverse();
        chain
            .into_iter()
            .flat_map(|c| (0..self.types[c].props.len()).map(move |i| (c, i)))
            .collect()
    }

    pub fn prop(&self, (t, i): (usize, usize)) -> &Property {
        &self.types[t].props[i]
    }

    /// The first annotation of `term` on `target` (`ns.type`, `ns.type/prop`,
    /// `ns.Container/set`).
    pub fn annotation(&self, target: &str, term: &str) -> Option<&Value> {
        self.annotations
            .get(target)?
            .iter()
            .find(|a| a.term == term)
            .map(|a| &a.value)
    }

    /// Annotation on an entity set or singleton, falling back to its entity type (Graph puts
    /// many capability annotations on types; the conversion reads them this way).
    pub fn source_annotation(&self, source: &NavigationSource, term: &str) -> Option<&Value> {
        self.annotation(&format!("{}/{}", self.container, source.name), term)
            .or_else(|| self.annotation(&source.type_name, term))
    }

    /// Annotation on a declared property (`(type, index)`).
    pub fn prop_annotation(&self, p: (usize, usize), term: &str) -> Option<&Value> {
        self.annotation(
            &format!(
                "{}/{}",
                self.types[p.0].name, self.types[p.0].props[p.1].name
            ),
            term,
        )
    }

    /// Annotation on an operation overload.
    pub fn op_annotation(&self, op: usize, term: &str) -> Option<&Value> {
        self.operations[op]
            .annotations
            .iter()
            .find(|a| a.term == term)
            .map(|a| &a.value)
    }

    /// The alternate keys of an entity type (own or inherited): each a list of
    /// `(alias, property name)`.
    pub fn alternate_keys(&self, t: usize) -> Vec<Vec<(String, String)>> {
        for c in self.lineage(t) {
            let name = &self.types[c].name;
            let v = self
                .annotation(name, terms::ALTERNATE_KEYS)
                .or_else(|| self.annotation(name, terms::COMMUNITY_ALTERNATE_KEYS));
            if let Some(v) = v {
                return v
                    .items()
                    .iter()
                    .map(|k| {
                        k.field("Key")
                            .map(|parts| {
                                parts
                                    .items()
                                    .iter()
                                    .filter_map(|p| {
                                        let prop = p.field("Name")?.as_str()?.to_string();
                                        let alias = p
                                            .field("Alias")
                                            .and_then(Value::as_str)
                                            .map(str::to_string)
                                            .unwrap_or_else(|| prop.clone());
                                        Some((alias, prop))
                                    })
                                    .collect()
                            })
                            .unwrap_or_default()
                    })
                    .filter(|k: &Vec<(String, String)>| !k.is_empty())
                    .collect();
            }
        }
        vec![]
    }

    /// The key of an entity type (declared or inherited).
    pub fn key_of(&self, t: usize) -> Vec<String> {
        self.lineage(t)
            .into_iter()
            .map(|c| &self.types[c].key)
            .find(|k| !k.is_empty())
            .cloned()
            .unwrap_or_default()
    }

    /// The type of a (possibly inherited) key property.
    pub fn prop_type(&self, t: usize, name: &str) -> Option<&TypeName> {
        self.all_props(t)
            .into_iter()
            .map(|p| self.prop(p))
            .find(|p| p.name == name)
            .map(|p| &p.ty)
    }
}

/// `Collection(ns.t)` or `ns.t`.
pub fn type_text(t: &TypeName) -> String {
    if t.collection {
        format!("Collection({})", t.name)
    } else {
        t.name.clone()
    }
}
