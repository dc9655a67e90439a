//! `$filter`: lexer, parser and syntax tree (OData v4 URL conventions §5.1.1, as Graph
//! accepts them on directory objects).
//!
//! The tree lives in an arena (`Vec<Node>`, children by index), so dropping it never recurses,
//! and `and`/`or` chains are flat n-ary nodes, so a 10,000-term chain is one node with 10,000
//! children. The parser recurses only where the input nests (parentheses, `not`, lambdas), and
//! that nesting is bounded by [`MAX_DEPTH`]; the node count by [`MAX_NODES`]. Property names
//! are resolved against a [`Schema`] while parsing, so evaluation looks keys up exactly.

use chrono::{DateTime, FixedOffset, NaiveDate};

use super::schema::Schema;
use crate::sandbox::odata::GraphErr;

/// How deeply parentheses, `not` and lambdas may nest.
pub const MAX_DEPTH: usize = 100;
/// How many nodes (comparisons, operators, literals of `in` lists) a filter may have.
pub const MAX_NODES: usize = 1000;

/// A literal of the filter text.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    /// `'text'`, with `''` unescaped.
    Str(String),
    /// An unquoted GUID (`Edm.Guid`).
    Guid(String),
    /// `2021-07-01` (`Edm.Date`).
    Date(NaiveDate),
    /// `2021-07-01T00:00:00Z` (`Edm.DateTimeOffset`).
    DateTime(DateTime<FixedOffset>),
    /// `microsoft.graph.type'member'`.
    Enum {
        ty: String,
        member: String,
    },
}

impl Literal {
    /// The EDM type name of the literal, for type errors.
    pub fn edm(&self) -> &'static str {
        match self {
            Literal::Null => "null",
            Literal::Bool(_) => "Edm.Boolean",
            Literal::Int(_) => "Edm.Int32",
            Literal::Float(_) => "Edm.Double",
            Literal::Str(_) => "Edm.String",
            Literal::Guid(_) => "Edm.Guid",
            Literal::Date(_) => "Edm.Date",
            Literal::DateTime(_) => "Edm.DateTimeOffset",
            Literal::Enum { .. } => "Edm.Enum",
        }
    }
}

/// Index of a node in [`Filter::nodes`].
pub type NodeId = u32;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
}

impl CmpOp {
    /// OData's operator keyword.
    pub fn keyword(self) -> &'static str {
        match self {
            CmpOp::Eq => "eq",
            CmpOp::Ne => "ne",
            CmpOp::Gt => "gt",
            CmpOp::Ge => "ge",
            CmpOp::Lt => "lt",
            CmpOp::Le => "le",
        }
    }

    /// The operator's name in ODL's type errors (`BinaryOperatorKind`).
    fn kind(self) -> &'static str {
        match self {
            CmpOp::Eq => "Equal",
            CmpOp::Ne => "NotEqual",
            CmpOp::Gt => "GreaterThan",
            CmpOp::Ge => "GreaterThanOrEqual",
            CmpOp::Lt => "LessThan",
            CmpOp::Le => "LessThanOrEqual",
        }
    }

    /// The operator with its operands swapped (`5 lt x` is `x gt 5`).
    fn flipped(self) -> CmpOp {
        match self {
            CmpOp::Gt => CmpOp::Lt,
            CmpOp::Ge => CmpOp::Le,
            CmpOp::Lt => CmpOp::Gt,
            CmpOp::Le => CmpOp::Ge,
            other => other,
        }
    }
}

/// The string functions Graph supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StrFn {
    StartsWith,
    EndsWith,
    Contains,
}

impl StrFn {
    pub fn name(self) -> &'static str {
        match self {
            StrFn::StartsWith => "startsWith",
            StrFn::EndsWith => "endsWith",
            StrFn::Contains => "contains",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantifier {
    Any,
    All,
}

/// A property path, resolved against the schema.
#[derive(Debug, Clone, PartialEq)]
pub struct Path {
    /// `None`: from the resource; `Some(i)`: from the variable of the `i`-th enclosing lambda
    /// (0 = outermost).
    pub var: Option<u16>,
    /// Property names as the schema spells them.
    pub segments: Vec<String>,
    /// The resource's top-level property this path reads (through lambdas too): the key of
    /// Graph's per-property query rules. Empty for a bare lambda variable of an untyped root.
    pub root_prop: String,
    /// The EDM type at the end of the path, when the schema knows it.
    pub ty: Option<String>,
    /// Whether the path ends at a collection.
    pub collection: bool,
    /// Whether the root property is a navigation property.
    pub nav: bool,
}

/// An operand of a comparison.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    Lit(Literal),
    Path(Path),
    /// `path/$count`.
    Count(Path),
}

/// A node of the tree.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    And(Vec<NodeId>),
    Or(Vec<NodeId>),
    Not(NodeId),
    /// Normalized so that a path (or count), if any, is on the left.
    Cmp(Operand, CmpOp, Operand),
    In(Operand, Vec<Literal>),
    Str(StrFn, Operand, Operand),
    /// `path/any(v: body)`; `body` is `None` for `path/any()`.
    Lambda(Quantifier, Path, Option<NodeId>),
    /// `isof('microsoft.graph.user')` (the item) or `isof(path, 'type')`: whether the value's
    /// type is `ty` or derives from it. `root` says whether an item without `@odata.type` (one
    /// of the collection's declared type) qualifies.
    IsOf {
        path: Option<Path>,
        ty: String,
        root: bool,
    },
    /// `path has 'member'` or `path has namespace.enumType'member'`: a flags enum value
    /// (`'a,b'`) holds the member.
    Has(Path, Literal),
}

/// A parsed `$filter`.
#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    pub nodes: Vec<Node>,
    pub root: NodeId,
}

// ---------------------------------------------------------------------------------------
// Lexer

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    LParen,
    RParen,
    Comma,
    Colon,
    Slash,
    Ident(String),
    Lit(Literal),
}

fn guid_len(b: &[u8]) -> Option<usize> {
    if b.len() < 36 {
        return None;
    }
    let ok = b[..36].iter().enumerate().all(|(i, c)| match i {
        8 | 13 | 18 | 23 => *c == b'-',
        _ => c.is_ascii_hexdigit(),
    });
    let boundary = b
        .get(36)
        .map(|c| !(c.is_ascii_alphanumeric() || *c == b'_'))
        .unwrap_or(true);
    (ok && boundary).then_some(36)
}

fn number_or_date(text: &str) -> Option<Literal> {
    if text.contains('T') || text.contains(':') {
        return DateTime::parse_from_rfc3339(text)
            .ok()
            .map(Literal::DateTime);
    }
    if text.len() == 10 && text.as_bytes()[4] == b'-' && text.as_bytes()[7] == b'-' {
        return NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .ok()
            .map(Literal::Date);
    }
    if let Ok(i) = text.parse::<i64>() {
        return Some(Literal::Int(i));
    }
    let f = text.parse::<f64>().ok()?;
    f.is_finite().then_some(Literal::Float(f))
}

/// Reads a quoted string starting at `b[start] == '\''`; returns it and the index after it.
fn string_at(input: &str, start: usize) -> Result<(String, usize), String> {
    let b = input.as_bytes();
    let mut out = String::new();
    let mut i = start + 1;
    let mut run = i;
    loop {
        match b.get(i) {
            None => return Err(format!("unterminated string literal at position {start}")),
            Some(b'\'') if b.get(i + 1) == Some(&b'\'') => {
                out.push_str(&input[run..=i]);
                i += 2;
                run = i;
            }
            Some(b'\'') => {
                out.push_str(&input[run..i]);
                return Ok((out, i + 1));
            }
            Some(_) => i += 1,
        }
    }
}

fn lex(input: &str) -> Result<Vec<Tok>, String> {
    let b = input.as_bytes();
    let mut i = 0;
    let mut out = Vec::new();
    while i < b.len() {
        let c = b[i];
        let single = match c {
            b' ' | b'\t' | b'\r' | b'\n' => {
                i += 1;
                continue;
            }
            b'(' => Some(Tok::LParen),
            b')' => Some(Tok::RParen),
            b',' => Some(Tok::Comma),
            b':' => Some(Tok::Colon),
            b'/' => Some(Tok::Slash),
            _ => None,
        };
        if let Some(t) = single {
            out.push(t);
            i += 1;
            continue;
        }
        if c == b'\'' {
            let (s, next) = string_at(input, i)?;
            out.push(Tok::Lit(Literal::Str(s)));
            i = next;
            continue;
        }
        if let Some(n) = guid_len(&b[i..]) {
            out.push(Tok::Lit(Literal::Guid(
                input[i..i + n].to_ascii_lowercase(),
            )));
            i += n;
            continue;
        }
        let digit_next = b.get(i + 1).map(u8::is_ascii_digit).unwrap_or(false);
        if c.is_ascii_digit() || (c == b'-' && digit_next) {
            let start = i;
            i += 1;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b".:+-".contains(&b[i])) {
                i += 1;
            }
            let text = &input[start..i];
            let lit = number_or_date(text).ok_or_else(|| format!("invalid literal '{text}'"))?;
            out.push(Tok::Lit(lit));
            continue;
        }
        if c.is_ascii_alphabetic() || c == b'_' || c == b'$' {
            let start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b"_.$".contains(&b[i])) {
                i += 1;
            }
            let word = &input[start..i];
            if b.get(i) == Some(&b'\'') {
                // `namespace.enumType'member'`.
                let (member, next) = string_at(input, i)?;
                out.push(Tok::Lit(Literal::Enum {
                    ty: word.to_string(),
                    member,
                }));
                i = next;
                continue;
            }
            let tok = if word.eq_ignore_ascii_case("null") {
                Tok::Lit(Literal::Null)
            } else if word.eq_ignore_ascii_case("true") {
                Tok::Lit(Literal::Bool(true))
            } else if word.eq_ignore_ascii_case("false") {
                Tok::Lit(Literal::Bool(false))
            } else {
                Tok::Ident(word.to_string())
            };
            out.push(tok);
            continue;
        }
        let ch = input[i..].chars().next().unwrap_or('?');
        return Err(format!("unexpected character '{ch}' at position {i}"));
    }
    Ok(out)
}

/// A type name with the `graph.` alias spelled out (`graph.user` → `microsoft.graph.user`).
fn qualified_type(name: &str) -> String {
    match name.get(..6) {
        Some(p) if p.eq_ignore_ascii_case("graph.") => format!("microsoft.graph.{}", &name[6..]),
        _ => name.to_string(),
    }
}

// ---------------------------------------------------------------------------------------
// Errors

fn syntax(message: impl std::fmt::Display) -> GraphErr {
    GraphErr::new(
        axum::http::StatusCode::BAD_REQUEST,
        "BadRequest",
        format!("Invalid filter clause: {message}"),
    )
}

/// Graph's 400 for a property the type does not declare.
pub fn unknown_property(name: &str, ty: &str) -> GraphErr {
    GraphErr::new(
        axum::http::StatusCode::BAD_REQUEST,
        "BadRequest",
        format!("Could not find a property named '{name}' on type '{ty}'."),
    )
}

fn too_deep() -> GraphErr {
    GraphErr::unsupported_query(format!(
        "Search filter expression has excessive height: {}. Max allowed: {MAX_DEPTH}.",
        MAX_DEPTH + 1
    ))
}

fn too_many_nodes() -> GraphErr {
    GraphErr::unsupported_query(format!(
        "Search filter expression has too many nodes: more than {MAX_NODES}. Max allowed: {MAX_NODES}."
    ))
}

// ---------------------------------------------------------------------------------------
// Parser

/// What a lambda variable stands for.
struct Scope {
    name: String,
    ty: Option<String>,
    root_prop: String,
    nav: bool,
}

struct Parser<'s> {
    toks: Vec<Tok>,
    pos: usize,
    depth: usize,
    count: usize,
    nodes: Vec<Node>,
    scopes: Vec<Scope>,
    schema: &'s dyn Schema,
    root_ty: &'s str,
}

/// The tail of a path: nothing, `/$count`, or a lambda.
enum Tail {
    None,
    Count,
    Lambda(Quantifier),
}

fn is_primitive_compatible(prop_ty: &str, lit: &Literal) -> bool {
    if matches!(lit, Literal::Null) {
        return true;
    }
    match prop_ty {
        "Edm.String" => matches!(lit, Literal::Str(_) | Literal::Enum { .. }),
        "Edm.Boolean" => matches!(lit, Literal::Bool(_)),
        "Edm.Int16" | "Edm.Int32" | "Edm.Int64" | "Edm.Byte" | "Edm.SByte" | "Edm.Double"
        | "Edm.Single" | "Edm.Decimal" => matches!(lit, Literal::Int(_) | Literal::Float(_)),
        "Edm.DateTimeOffset" => matches!(lit, Literal::DateTime(_) | Literal::Date(_)),
        // Graph compares an `Edm.Date` with a date-time literal too (its date at midnight UTC).
        "Edm.Date" => matches!(lit, Literal::Date(_) | Literal::DateTime(_)),
        "Edm.Guid" => matches!(lit, Literal::Guid(_)),
        _ => true,
    }
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }

    fn peek_at(&self, n: usize) -> Option<&Tok> {
        self.toks.get(self.pos + n)
    }

    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn keyword(&self, word: &str) -> bool {
        matches!(self.peek(), Some(Tok::Ident(w)) if w.eq_ignore_ascii_case(word))
    }

    fn expect(&mut self, tok: Tok, what: &str) -> Result<(), GraphErr> {
        match self.next() {
            Some(t) if t == tok => Ok(()),
            Some(other) => Err(syntax(format!(
                "expected {what}, found {}",
                describe(&other)
            ))),
            None => Err(syntax(format!(
                "expected {what} at the end of the expression"
            ))),
        }
    }

    fn budget(&mut self, n: usize) -> Result<(), GraphErr> {
        self.count += n;
        if self.count > MAX_NODES {
            return Err(too_many_nodes());
        }
        Ok(())
    }

    fn push(&mut self, node: Node) -> Result<NodeId, GraphErr> {
        self.budget(1)?;
        self.nodes.push(node);
        Ok((self.nodes.len() - 1) as NodeId)
    }

    fn enter(&mut self) -> Result<(), GraphErr> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(too_deep());
        }
        Ok(())
    }

    fn or(&mut self) -> Result<NodeId, GraphErr> {
        let first = self.and()?;
        if !self.keyword("or") {
            return Ok(first);
        }
        let mut terms = vec![first];
        while self.keyword("or") {
            self.pos += 1;
            terms.push(self.and()?);
        }
        self.push(Node::Or(terms))
    }

    fn and(&mut self) -> Result<NodeId, GraphErr> {
        let first = self.unary()?;
        if !self.keyword("and") {
            return Ok(first);
        }
        let mut terms = vec![first];
        while self.keyword("and") {
            self.pos += 1;
            terms.push(self.unary()?);
        }
        self.push(Node::And(terms))
    }

    fn unary(&mut self) -> Result<NodeId, GraphErr> {
        if self.keyword("not") {
            self.pos += 1;
            self.enter()?;
            let inner = self.unary()?;
            self.depth -= 1;
            return self.push(Node::Not(inner));
        }
        self.comparison()
    }

    /// `... eq true` / `... eq false` after a boolean function, which SDK users write.
    fn boolean_suffix(&mut self, node: NodeId) -> Result<NodeId, GraphErr> {
        let is_eq = self.keyword("eq");
        if is_eq {
            if let Some(Tok::Lit(Literal::Bool(b))) = self.peek_at(1).cloned() {
                self.pos += 2;
                return if b {
                    Ok(node)
                } else {
                    self.push(Node::Not(node))
                };
            }
        }
        Ok(node)
    }

    fn comparison(&mut self) -> Result<NodeId, GraphErr> {
        match self.peek() {
            Some(Tok::LParen) => {
                self.pos += 1;
                self.enter()?;
                let inner = self.or()?;
                self.expect(Tok::RParen, "')'")?;
                self.depth -= 1;
                self.boolean_suffix(inner)
            }
            Some(Tok::Ident(name))
                if self.peek_at(1) == Some(&Tok::LParen) && name.eq_ignore_ascii_case("isof") =>
            {
                self.pos += 2;
                self.enter()?;
                let first = self.operand()?;
                let (path, ty) = match first {
                    Operand::Lit(Literal::Str(ty)) => (None, ty),
                    Operand::Path(p) => {
                        self.expect(Tok::Comma, "','")?;
                        match self.operand()? {
                            Operand::Lit(Literal::Str(ty)) => (Some(p), ty),
                            _ => return Err(syntax("isof takes a type name in quotes")),
                        }
                    }
                    _ => return Err(syntax("isof takes a type name in quotes")),
                };
                self.expect(Tok::RParen, "')'")?;
                self.depth -= 1;
                let ty = qualified_type(&ty);
                if !self.schema.knows(&ty) {
                    return Err(syntax(format!("unknown type '{ty}' in isof")));
                }
                let declared = match &path {
                    Some(p) => p.ty.clone(),
                    None => Some(self.root_ty.to_string()),
                };
                let root = declared
                    .as_deref()
                    .map(|d| self.schema.derives_from(d, &ty))
                    .unwrap_or(false);
                let node = self.push(Node::IsOf { path, ty, root })?;
                self.boolean_suffix(node)
            }
            Some(Tok::Ident(name)) if self.peek_at(1) == Some(&Tok::LParen) => {
                let f = match name.to_ascii_lowercase().as_str() {
                    "startswith" => StrFn::StartsWith,
                    "endswith" => StrFn::EndsWith,
                    "contains" => StrFn::Contains,
                    _ => return Err(syntax(format!("unknown function '{name}'"))),
                };
                let fname = name.clone();
                self.pos += 2;
                self.enter()?;
                let target = self.operand()?;
                self.expect(Tok::Comma, "','")?;
                let text = self.operand()?;
                self.expect(Tok::RParen, "')'")?;
                self.depth -= 1;
                let (target, text) = match (target, text) {
                    (t @ Operand::Path(_), s @ Operand::Lit(Literal::Str(_))) => (t, s),
                    _ => {
                        return Err(syntax(format!(
                            "{fname} takes a property and a string literal"
                        )))
                    }
                };
                let node = self.push(Node::Str(f, target, text))?;
                self.boolean_suffix(node)
            }
            _ => {
                let left = match self.path_or_literal()? {
                    Left::Node(id) => return Ok(id),
                    Left::Operand(o) => o,
                };
                self.rest_of_comparison(left)
            }
        }
    }

    fn rest_of_comparison(&mut self, left: Operand) -> Result<NodeId, GraphErr> {
        let bare = match self.peek() {
            None | Some(Tok::RParen) => true,
            Some(Tok::Ident(w)) => w.eq_ignore_ascii_case("and") || w.eq_ignore_ascii_case("or"),
            _ => false,
        };
        if bare && matches!(&left, Operand::Path(_)) {
            // A bare boolean property (`$filter=accountEnabled`).
            let lit = Literal::Bool(true);
            self.check_types(&left, CmpOp::Eq, &lit)?;
            return self.push(Node::Cmp(left, CmpOp::Eq, Operand::Lit(lit)));
        }
        let op = match self.next() {
            Some(Tok::Ident(op)) => op.to_ascii_lowercase(),
            Some(other) => {
                return Err(syntax(format!(
                    "expected an operator, found {}",
                    describe(&other)
                )))
            }
            None => return Err(syntax("expected an operator at the end of the expression")),
        };
        if op == "in" {
            self.expect(Tok::LParen, "'(' after 'in'")?;
            let mut values = Vec::new();
            if self.peek() != Some(&Tok::RParen) {
                loop {
                    match self.next() {
                        Some(Tok::Lit(l)) => {
                            self.budget(1)?;
                            self.check_types(&left, CmpOp::Eq, &l)?;
                            values.push(l);
                        }
                        other => {
                            return Err(syntax(format!(
                                "expected a literal in the 'in' list, found {}",
                                other.as_ref().map(describe).unwrap_or("the end".into())
                            )))
                        }
                    }
                    if self.peek() == Some(&Tok::Comma) {
                        self.pos += 1;
                    } else {
                        break;
                    }
                }
            }
            self.expect(Tok::RParen, "')' after the 'in' list")?;
            return self.push(Node::In(left, values));
        }
        if op == "has" {
            let Operand::Path(path) = left else {
                return Err(syntax("'has' applies to a property"));
            };
            return match self.next() {
                Some(Tok::Lit(l @ (Literal::Str(_) | Literal::Enum { .. }))) => {
                    self.push(Node::Has(path, l))
                }
                _ => Err(syntax("'has' takes an enumeration member")),
            };
        }
        let op = match op.as_str() {
            "eq" => CmpOp::Eq,
            "ne" => CmpOp::Ne,
            "gt" => CmpOp::Gt,
            "ge" => CmpOp::Ge,
            "lt" => CmpOp::Lt,
            "le" => CmpOp::Le,
            other => return Err(syntax(format!("unsupported operator '{other}'"))),
        };
        let right = self.operand()?;
        let (left, op, right) = match (left, right) {
            (l @ Operand::Lit(_), r @ (Operand::Path(_) | Operand::Count(_))) => {
                (r, op.flipped(), l)
            }
            (l, r) => (l, op, r),
        };
        if let Operand::Lit(lit) = &right {
            self.check_types(&left, op, lit)?;
        }
        self.push(Node::Cmp(left, op, right))
    }

    fn check_types(&self, left: &Operand, op: CmpOp, lit: &Literal) -> Result<(), GraphErr> {
        let ty = match left {
            Operand::Path(p) => p.ty.as_deref(),
            Operand::Count(_) => Some("Edm.Int32"),
            Operand::Lit(_) => None,
        };
        match ty {
            Some(ty) if !is_primitive_compatible(ty, lit) => Err(syntax(format!(
                "A binary operator with incompatible types was detected. Found operand types '{ty}' and '{}' for operator kind '{}'.",
                lit.edm(),
                op.kind()
            ))),
            _ => Ok(()),
        }
    }

    /// A comparison operand: a literal, a path or `path/$count` (no lambdas).
    fn operand(&mut self) -> Result<Operand, GraphErr> {
        match self.path_or_literal()? {
            Left::Operand(o) => Ok(o),
            Left::Node(_) => Err(syntax("a lambda cannot be compared")),
        }
    }

    fn path_or_literal(&mut self) -> Result<Left, GraphErr> {
        match self.next() {
            Some(Tok::Lit(l)) => Ok(Left::Operand(Operand::Lit(l))),
            Some(Tok::Ident(first)) => self.path(first),
            Some(other) => Err(syntax(format!("unexpected {}", describe(&other)))),
            None => Err(syntax("unexpected end of the expression")),
        }
    }

    /// Resolves a path starting with `first`, then reads its tail.
    fn path(&mut self, first: String) -> Result<Left, GraphErr> {
        let mut path = Path {
            var: None,
            segments: Vec::new(),
            root_prop: String::new(),
            ty: Some(self.root_ty.to_string()),
            collection: false,
            nav: false,
        };
        if let Some(i) = self.scopes.iter().rposition(|s| s.name == first) {
            let s = &self.scopes[i];
            path.var = Some(i as u16);
            path.ty = s.ty.clone();
            path.root_prop = s.root_prop.clone();
            path.nav = s.nav;
        } else if first.contains('.') {
            // `microsoft.graph.user/accountEnabled`: a cast of the item.
            self.cast(&mut path, &first)?;
        } else if first != "$it" {
            self.step(&mut path, &first)?;
        }
        let mut tail = Tail::None;
        while self.peek() == Some(&Tok::Slash) {
            self.pos += 1;
            let seg = match self.next() {
                Some(Tok::Ident(s)) => s,
                other => {
                    return Err(syntax(format!(
                        "expected a property name after '/', found {}",
                        other.as_ref().map(describe).unwrap_or("the end".into())
                    )))
                }
            };
            if seg == "$count" {
                tail = Tail::Count;
                break;
            }
            let lambda = if seg.eq_ignore_ascii_case("any") {
                Some(Quantifier::Any)
            } else if seg.eq_ignore_ascii_case("all") {
                Some(Quantifier::All)
            } else {
                None
            };
            if let (Some(q), Some(Tok::LParen)) = (lambda, self.peek()) {
                tail = Tail::Lambda(q);
                break;
            }
            if seg.contains('.') {
                // `manager/microsoft.graph.user/displayName`, `members/graph.user/any(...)`.
                self.cast(&mut path, &seg)?;
                continue;
            }
            if path.collection {
                return Err(syntax(format!(
                    "The parent value for a property access of a property '{seg}' is not a single value. Property access can only be applied to a single value."
                )));
            }
            self.step(&mut path, &seg)?;
        }
        match tail {
            Tail::None => Ok(Left::Operand(Operand::Path(path))),
            Tail::Count => {
                if !path.collection {
                    return Err(syntax("$count applies only to collections"));
                }
                Ok(Left::Operand(Operand::Count(path)))
            }
            Tail::Lambda(q) => self.lambda(q, path).map(Left::Node),
        }
    }

    fn lambda(&mut self, q: Quantifier, path: Path) -> Result<NodeId, GraphErr> {
        if !path.collection && path.ty.is_some() {
            return Err(syntax(format!(
                "'{}' is not a collection: any/all apply only to collections",
                path.segments.join("/")
            )));
        }
        self.expect(Tok::LParen, "'('")?;
        if self.peek() == Some(&Tok::RParen) {
            self.pos += 1;
            return self.push(Node::Lambda(q, path, None));
        }
        let var = match self.next() {
            Some(Tok::Ident(v)) => v,
            _ => return Err(syntax("expected a lambda variable name")),
        };
        self.expect(Tok::Colon, "':' after the lambda variable")?;
        self.enter()?;
        self.scopes.push(Scope {
            name: var,
            ty: path.ty.clone(),
            root_prop: path.root_prop.clone(),
            nav: path.nav,
        });
        let body = self.or();
        self.scopes.pop();
        let body = body?;
        self.expect(Tok::RParen, "')' closing the lambda")?;
        self.depth -= 1;
        self.push(Node::Lambda(q, path, Some(body)))
    }

    /// Narrows `path` to the derived type `name` (an OData cast segment; `graph.` is the
    /// alias of `microsoft.graph.`). The values keep their place: properties of the derived
    /// type are read where present.
    fn cast(&mut self, path: &mut Path, name: &str) -> Result<(), GraphErr> {
        let ty = qualified_type(name);
        if !self.schema.knows(&ty) {
            return Err(syntax(format!("unknown type '{ty}' in a cast")));
        }
        if let Some(current) = path.ty.as_deref() {
            if self.schema.knows(current) && !self.schema.derives_from(&ty, current) {
                return Err(syntax(format!(
                    "the type '{ty}' does not derive from '{current}' and cannot be cast to"
                )));
            }
        }
        path.ty = Some(ty);
        Ok(())
    }

    /// Moves `path` one property down.
    fn step(&mut self, path: &mut Path, seg: &str) -> Result<(), GraphErr> {
        let first = path.segments.is_empty() && path.var.is_none();
        let name = match path.ty.as_deref() {
            Some(ty) if self.schema.knows(ty) => {
                let Some(p) = self.schema.property(ty, seg) else {
                    return Err(unknown_property(seg, ty));
                };
                path.ty = Some(p.ty.to_string());
                path.collection = p.collection;
                if first {
                    path.nav = p.nav;
                }
                p.name.to_string()
            }
            Some(ty) if ty.starts_with("Edm.") => {
                return Err(syntax(format!(
                    "'{seg}' cannot follow a value of the primitive type '{ty}'"
                )))
            }
            // A type the schema does not describe: open.
            _ => {
                path.ty = None;
                path.collection = false;
                seg.to_string()
            }
        };
        if first {
            path.root_prop = name.clone();
        }
        path.segments.push(name);
        Ok(())
    }
}

enum Left {
    Operand(Operand),
    /// A lambda, which is already a boolean node.
    Node(NodeId),
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::LParen => "'('".into(),
        Tok::RParen => "')'".into(),
        Tok::Comma => "','".into(),
        Tok::Colon => "':'".into(),
        Tok::Slash => "'/'".into(),
        Tok::Ident(w) => format!("'{w}'"),
        Tok::Lit(l) => format!("the literal {l:?}"),
    }
}

impl Filter {
    /// Parses `input` as a filter on `root_ty` (a qualified type name), resolving property
    /// names with `schema`. Errors are Graph's 400s: `BadRequest` for syntax, unknown
    /// properties and type mismatches, `Request_UnsupportedQuery` beyond [`MAX_DEPTH`] or
    /// [`MAX_NODES`].
    pub fn parse(input: &str, schema: &dyn Schema, root_ty: &str) -> Result<Filter, GraphErr> {
        let toks = lex(input).map_err(syntax)?;
        if toks.is_empty() {
            return Err(syntax("the expression is empty"));
        }
        let mut p = Parser {
            toks,
            pos: 0,
            depth: 0,
            count: 0,
            nodes: Vec::new(),
            scopes: Vec::new(),
            schema,
            root_ty,
        };
        let root = p.or()?;
        if let Some(t) = p.toks.get(p.pos) {
            return Err(syntax(format!(
                "unexpected {} after the expression",
                describe(t)
            )));
        }
        Ok(Filter {
            nodes: p.nodes,
            root,
        })
    }

    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id as usize]
    }
}
