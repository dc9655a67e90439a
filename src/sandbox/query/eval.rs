//! Evaluating a [`Filter`] against JSON objects.
//!
//! `and`/`or` are n-ary and looped over; the evaluator recurses only into `not`, parentheses
//! and lambdas, whose nesting the parser bounds by [`super::filter::MAX_DEPTH`]. Directory
//! semantics: strings compare ignoring case; a missing property is `null`.

use std::cmp::Ordering;

use chrono::{DateTime, NaiveDate, NaiveTime};
use serde_json::{Map, Value};

use super::filter::{CmpOp, Filter, Literal, Node, NodeId, Operand, Path, Quantifier, StrFn};
use crate::json::get_ci;

/// Relationships a store computes rather than keeps in the object (for `memberOf/$count`).
pub trait Related {
    /// How many objects the navigation property `prop` of `object` holds, if the store
    /// knows; `None` counts the object's own array.
    fn count(&self, object: &Map<String, Value>, prop: &str) -> Option<usize>;
}

/// No computed relationships.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoRelated;

impl Related for NoRelated {
    fn count(&self, _: &Map<String, Value>, _: &str) -> Option<usize> {
        None
    }
}

struct Env<'a> {
    it: &'a Map<String, Value>,
    vars: Vec<&'a Value>,
    related: &'a dyn Related,
}

impl Filter {
    /// Whether `object` passes the filter.
    pub fn matches(&self, object: &Map<String, Value>) -> bool {
        self.matches_with(object, &NoRelated)
    }

    /// Whether `object` passes, with relationship counts from `related`.
    pub fn matches_with(&self, object: &Map<String, Value>, related: &dyn Related) -> bool {
        let mut env = Env {
            it: object,
            vars: Vec::new(),
            related,
        };
        self.eval(self.root, &mut env)
    }

    fn eval<'a>(&'a self, id: NodeId, env: &mut Env<'a>) -> bool {
        match self.node(id) {
            Node::And(terms) => terms.iter().all(|t| self.eval(*t, env)),
            Node::Or(terms) => terms.iter().any(|t| self.eval(*t, env)),
            Node::Not(inner) => !self.eval(*inner, env),
            Node::Cmp(left, op, right) => {
                let right = match right {
                    Operand::Lit(l) => l,
                    Operand::Path(p) => {
                        // Path against path: equality of the two values only.
                        let a = operand_value(left, env);
                        let b = resolve(p, env);
                        let same = match (a, b) {
                            (Some(Cow::Borrowed(a)), Some(b)) => a == b,
                            (None, None) => true,
                            _ => false,
                        };
                        return match op {
                            CmpOp::Eq => same,
                            CmpOp::Ne => !same,
                            _ => false,
                        };
                    }
                    Operand::Count(_) => return false,
                };
                let v = operand_value(left, env);
                compare(v.as_deref(), *op, right)
            }
            Node::In(left, values) => {
                let v = operand_value(left, env);
                values
                    .iter()
                    .any(|lit| compare(v.as_deref(), CmpOp::Eq, lit))
            }
            Node::Str(f, target, text) => {
                let (Operand::Path(p), Operand::Lit(Literal::Str(s))) = (target, text) else {
                    return false;
                };
                match resolve(p, env) {
                    Some(Value::Array(items)) => items.iter().any(|i| string_fn(*f, i, s)),
                    Some(v) => string_fn(*f, v, s),
                    None => false,
                }
            }
            Node::IsOf { path, ty, root } => {
                let value = match path {
                    Some(p) => resolve(p, env),
                    // Inside a lambda the item is the variable's value.
                    None => env.vars.last().copied(),
                };
                let declared = match (path, value) {
                    (None, None) => env.it.get("@odata.type"),
                    (_, Some(Value::Object(o))) => o.get("@odata.type"),
                    _ => None,
                };
                let present = path.is_none() || value.is_some_and(|v| !v.is_null());
                match declared.and_then(Value::as_str) {
                    Some(t) => crate::sandbox::store::catalog::catalog()
                        .derives(t.trim_start_matches('#'), ty),
                    None => present && *root,
                }
            }
            Node::Has(path, lit) => {
                let member = match lit {
                    Literal::Str(m) => m.as_str(),
                    Literal::Enum { member, .. } => member.as_str(),
                    _ => return false,
                };
                let holds = |v: &Value| {
                    v.as_str().is_some_and(|s| {
                        s.split(',').any(|m| m.trim().eq_ignore_ascii_case(member))
                    })
                };
                match resolve(path, env) {
                    Some(Value::Array(items)) => items.iter().any(holds),
                    Some(v) => holds(v),
                    None => false,
                }
            }
            Node::Lambda(q, path, body) => {
                let items: &[Value] = match resolve(path, env) {
                    Some(Value::Array(items)) => items,
                    _ => &[],
                };
                let Some(body) = body else {
                    return match q {
                        Quantifier::Any => !items.is_empty(),
                        Quantifier::All => true,
                    };
                };
                let mut test = |item: &'a Value| {
                    env.vars.push(item);
                    let r = self.eval(*body, env);
                    env.vars.pop();
                    r
                };
                match q {
                    Quantifier::Any => items.iter().any(&mut test),
                    Quantifier::All => items.iter().all(&mut test),
                }
            }
        }
    }
}

/// A value either read from the object or computed (a `$count`).
enum Cow<'a> {
    Borrowed(&'a Value),
    Owned(Value),
}

impl std::ops::Deref for Cow<'_> {
    type Target = Value;
    fn deref(&self) -> &Value {
        match self {
            Cow::Borrowed(v) => v,
            Cow::Owned(v) => v,
        }
    }
}

fn operand_value<'a>(o: &Operand, env: &Env<'a>) -> Option<Cow<'a>> {
    match o {
        Operand::Path(p) => resolve(p, env).map(Cow::Borrowed),
        Operand::Lit(_) => None,
        Operand::Count(p) => {
            let computed = if p.var.is_none() && p.segments.len() == 1 {
                env.related.count(env.it, &p.segments[0])
            } else {
                None
            };
            let n = computed.unwrap_or_else(|| match resolve(p, env) {
                Some(Value::Array(a)) => a.len(),
                _ => 0,
            });
            Some(Cow::Owned(Value::from(n)))
        }
    }
}

/// The value at the end of `path`, or `None` when a step is missing.
fn resolve<'a>(path: &Path, env: &Env<'a>) -> Option<&'a Value> {
    let mut segs = path.segments.iter();
    let mut current: &'a Value = match path.var {
        Some(i) => env.vars.get(i as usize)?,
        None => {
            let first = segs.next()?;
            get_ci(env.it, first)?
        }
    };
    for seg in segs {
        current = match current {
            Value::Object(m) => get_ci(m, seg)?,
            _ => return None,
        };
    }
    Some(current)
}

fn lower(s: &str) -> impl DoubleEndedIterator<Item = char> + '_ {
    s.chars().flat_map(char::to_lowercase)
}

fn string_fn(f: StrFn, v: &Value, s: &str) -> bool {
    let Some(v) = v.as_str() else {
        return false;
    };
    match f {
        StrFn::StartsWith => {
            let mut hay = lower(v);
            lower(s).all(|c| hay.next() == Some(c))
        }
        StrFn::EndsWith => {
            let mut hay = v.chars().rev().flat_map(char::to_lowercase);
            s.chars()
                .rev()
                .flat_map(char::to_lowercase)
                .all(|c| hay.next() == Some(c))
        }
        StrFn::Contains => v.to_lowercase().contains(&s.to_lowercase()),
    }
}

fn parse_instant(s: &str) -> Option<DateTime<chrono::FixedOffset>> {
    DateTime::parse_from_rfc3339(s).ok().or_else(|| {
        NaiveDate::parse_from_str(s.get(..10)?, "%Y-%m-%d")
            .ok()
            .filter(|_| s.len() == 10)
            .map(|d| d.and_time(NaiveTime::MIN).and_utc().fixed_offset())
    })
}

/// How a stored value orders against a literal; `None` when they do not compare.
fn order(v: &Value, lit: &Literal) -> Option<Ordering> {
    match (v, lit) {
        (Value::String(s), Literal::Str(l)) => Some(lower(s).cmp(lower(l))),
        (Value::String(s), Literal::Enum { member, .. }) => Some(lower(s).cmp(lower(member))),
        (Value::String(s), Literal::Guid(g)) => Some(lower(s).cmp(lower(g))),
        (Value::String(s), Literal::DateTime(d)) => Some(parse_instant(s)?.cmp(d)),
        (Value::String(s), Literal::Date(d)) => {
            let at = d.and_time(NaiveTime::MIN).and_utc().fixed_offset();
            Some(parse_instant(s)?.cmp(&at))
        }
        (Value::Number(n), Literal::Int(i)) => n.as_f64()?.partial_cmp(&(*i as f64)),
        (Value::Number(n), Literal::Float(f)) => n.as_f64()?.partial_cmp(f),
        (Value::Bool(b), Literal::Bool(l)) => Some(b.cmp(l)),
        _ => None,
    }
}

fn compare(v: Option<&Value>, op: CmpOp, lit: &Literal) -> bool {
    let v = match v {
        None | Some(Value::Null) => {
            let null = matches!(lit, Literal::Null);
            return match op {
                CmpOp::Eq => null,
                CmpOp::Ne => !null,
                _ => false,
            };
        }
        Some(v) => v,
    };
    if matches!(lit, Literal::Null) {
        return op == CmpOp::Ne;
    }
    if let Value::Array(items) = v {
        // A collection compares as "any of its items" (`proxyAddresses eq 'x'`).
        let any_eq = || items.iter().any(|i| order(i, lit) == Some(Ordering::Equal));
        return match op {
            CmpOp::Eq => any_eq(),
            CmpOp::Ne => !any_eq(),
            _ => items.iter().any(|i| holds(order(i, lit), op)),
        };
    }
    holds(order(v, lit), op)
}

/// Whether an ordering satisfies `op`.
fn holds(ord: Option<Ordering>, op: CmpOp) -> bool {
    match op {
        CmpOp::Eq => ord == Some(Ordering::Equal),
        CmpOp::Ne => ord != Some(Ordering::Equal),
        CmpOp::Gt => ord == Some(Ordering::Greater),
        CmpOp::Ge => matches!(ord, Some(Ordering::Greater | Ordering::Equal)),
        CmpOp::Lt => ord == Some(Ordering::Less),
        CmpOp::Le => matches!(ord, Some(Ordering::Less | Ordering::Equal)),
    }
}
