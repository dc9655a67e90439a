//! The sandbox's OData query engine: `$filter`, `$select`, `$expand`, `$orderby`, `$search`
//! and Graph's advanced-query rules, over `serde_json` objects.
//!
//! Handlers (and the generic store) describe what they serve with a [`Target`]: a
//! [`Schema`] and the qualified type of the items. [`Plan::collection`] validates the request's
//! options against both, with Graph's errors, and [`Plan::apply`] filters, searches and sorts.
//! Every walk over request input is bounded or iterative (see [`filter`]).

pub mod eval;
pub mod filter;
pub mod rules;
pub mod schema;
mod types;

use std::cmp::Ordering;

use serde_json::{Map, Value};

pub use eval::{NoRelated, Related};
pub use filter::Filter;
pub use rules::Advanced;
pub use schema::{Prop, SandboxSchema, Schema};

use crate::json::get_ci;
use crate::sandbox::odata::{GraphErr, Query};

/// Directory objects return at most this many items of an expanded collection.
pub const MAX_EXPANDED_ITEMS: usize = 20;
/// At most this many `$expand` and `$orderby` items, and `$search` clauses.
pub const MAX_ITEMS: usize = 20;

/// What a query applies to: the items' type and the schema that describes it.
#[derive(Clone, Copy)]
pub struct Target<'a> {
    pub schema: &'a dyn Schema,
    /// Qualified type: `microsoft.graph.user`.
    pub ty: &'a str,
}

impl std::fmt::Debug for Target<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Target").field("ty", &self.ty).finish()
    }
}

/// A schema in which `base` also has the properties of `derived` types: a polymorphic
/// collection such as a group's `members` (directory objects that are users or groups).
#[derive(Clone, Copy)]
pub struct Polymorphic<'a> {
    pub inner: &'a dyn Schema,
    pub base: &'a str,
    pub derived: &'a [&'a str],
}

impl std::fmt::Debug for Polymorphic<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Polymorphic")
            .field("base", &self.base)
            .field("derived", &self.derived)
            .finish()
    }
}

impl Schema for Polymorphic<'_> {
    fn property(&self, ty: &str, name: &str) -> Option<Prop<'_>> {
        self.inner.property(ty, name).or_else(|| {
            if ty != self.base {
                return None;
            }
            self.derived
                .iter()
                .find_map(|d| self.inner.property(d, name))
        })
    }
    fn knows(&self, ty: &str) -> bool {
        self.inner.knows(ty)
    }
    fn derives_from(&self, ty: &str, base: &str) -> bool {
        self.inner.derives_from(ty, base)
    }
    fn dynamic(&self, ty: &str, name: &str) -> Option<String> {
        self.inner.dynamic(ty, name)
    }
    fn structural(&self, ty: &str) -> Vec<String> {
        self.inner.structural(ty)
    }
}

/// One `$expand` item: `prop[/cast][(nested options)]`.
#[derive(Debug)]
pub struct Expand {
    /// The navigation property, as the schema spells it.
    pub prop: String,
    /// Its target type (the cast's when there is one).
    pub ty: String,
    pub collection: bool,
    /// Nested `$select` (canonical names); empty for the target's defaults.
    pub select: Vec<String>,
    /// Whether a cast narrowed the type (`members/microsoft.graph.user`): items of other
    /// types are left out.
    pub cast: bool,
    /// Nested `$top` and `$skip`.
    pub top: Option<usize>,
    pub skip: usize,
    /// `manager($levels=n)` or `($levels=max)`: how many managers up the chain, each nested in
    /// the one below as its `manager` (`None`: one, as without the option).
    pub levels: Option<usize>,
    /// Nested `$filter`, `$orderby`, `$select` and `$expand`.
    pub nested: Plan,
}

/// How far `$levels=max` follows a manager chain: deeper than any organization's, and a bound
/// on a chain that loops back on itself (a manager set to one of their own reports).
pub const MAX_MANAGER_LEVELS: usize = 64;

/// One `$search` clause: `"property:term"`.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchTerm {
    pub prop: String,
    /// Lower-cased.
    pub term: String,
}

/// A validated query over a collection or an entity.
#[derive(Debug, Default)]
pub struct Plan {
    pub filter: Option<Filter>,
    /// Clauses in disjunctive form: any group whose terms all match.
    pub search: Vec<Vec<SearchTerm>>,
    /// `(property, descending)` keys, in order.
    pub order: Vec<(String, bool)>,
    /// Canonical names; empty for the type's defaults.
    pub select: Vec<String>,
    pub expand: Vec<Expand>,
}

fn bad_request(message: String) -> GraphErr {
    GraphErr::new(axum::http::StatusCode::BAD_REQUEST, "BadRequest", message)
}

/// Resolves a property name of `target`, with Graph's 400 when it does not exist.
fn property<'a>(target: &Target<'a>, name: &str) -> Result<Prop<'a>, GraphErr> {
    target
        .schema
        .property(target.ty, name)
        .ok_or_else(|| filter::unknown_property(name, target.ty))
}

/// A `$select` item of `target`: the declared property's canonical name or, on an open type
/// (`OpenType="true"`: servicePrincipal, ...), a dynamic property (see [`Schema::dynamic`]),
/// which Graph accepts and returns when the object holds it; a closed type refuses an
/// unknown name with Graph's 400.
fn selected(target: &Target, name: &str) -> Result<String, GraphErr> {
    if let Some(p) = target.schema.property(target.ty, name) {
        return Ok(p.name.to_string());
    }
    is_identifier(name)
        .then(|| target.schema.dynamic(target.ty, name))
        .flatten()
        .ok_or_else(|| filter::unknown_property(name, target.ty))
}

/// An OData simple identifier: a letter or `_`, then letters, digits and `_`.
fn is_identifier(name: &str) -> bool {
    let mut c = name.chars();
    c.next().is_some_and(|f| f.is_alphabetic() || f == '_')
        && c.all(|x| x.is_alphanumeric() || x == '_')
        && name.len() <= 128
}

/// `$select`: canonical names; `*` selects every structural property the type declares (a
/// user's `department` and `signInActivity` too, so `users/{upn}?$select=*` meets Graph's
/// "Get By Key" 400 as it does there). With `beta`, a plain name the schema
/// does not know is left out rather than refused: beta's types have properties v1.0's lack
/// (a user's `onPremisesSipInfo`, a service principal's `deviceManagementAppType`), which
/// Graph's beta endpoint selects and the sandbox's objects never hold.
fn select(target: &Target, list: &[String], beta: bool) -> Result<Vec<String>, GraphErr> {
    let mut out = Vec::with_capacity(list.len());
    for name in list {
        if name.trim() == "*" {
            return Ok(target.schema.structural(target.ty));
        }
        let name = name.trim();
        // `microsoft.graph.user/jobTitle` (or `graph.user/jobTitle`): a property of a derived
        // type of a polymorphic collection.
        if let Some((cast, prop)) = name.split_once('/') {
            let cast = cast_name(cast.trim());
            let derived = cast.contains('.')
                && target.schema.knows(&cast)
                && target.schema.derives_from(&cast, target.ty);
            if !derived || prop.contains('/') || prop.contains('(') {
                return Err(bad_request(format!(
                    "Invalid $select properties: '{name}'."
                )));
            }
            let inner = Target {
                schema: target.schema,
                ty: &cast,
            };
            out.push(selected(&inner, prop.trim())?);
            continue;
        }
        if name.contains('(') {
            return Err(bad_request(format!(
                "Invalid $select properties: '{name}'."
            )));
        }
        // Directory extension properties (`extension_{appId}_{name}`) are declared by
        // applications at run time, not in the schema; Graph returns them when selected
        // (learn.microsoft.com/graph/extensibility-overview#directory-microsoft-entra-id-extensions).
        if name.len() > 10 && name[..10].eq_ignore_ascii_case("extension_") {
            out.push(name.to_string());
            continue;
        }
        match selected(target, name) {
            Ok(n) => out.push(n),
            Err(_) if beta && is_identifier(name) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

/// Splits at `sep` outside parentheses and quotes (iteratively).
fn split_top(text: &str, sep: char) -> Result<Vec<&str>, GraphErr> {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut quoted = false;
    let mut start = 0;
    for (i, c) in text.char_indices() {
        match c {
            '\'' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => {
                depth = depth.checked_sub(1).ok_or_else(|| {
                    bad_request(format!("Syntax error: unbalanced ')' in '{text}'."))
                })?
            }
            c if c == sep && depth == 0 && !quoted => {
                parts.push(&text[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    if depth != 0 {
        return Err(bad_request(format!(
            "Syntax error: unbalanced '(' in '{text}'."
        )));
    }
    parts.push(&text[start..]);
    Ok(parts
        .into_iter()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect())
}

/// `$expand` nests at most this many levels (`policy($expand=rules)` is two).
pub const MAX_EXPAND_DEPTH: usize = 3;

fn expand(target: &Target, text: &str) -> Result<Vec<Expand>, GraphErr> {
    expand_at(target, text, 1)
}

/// One level of `$expand` items with their nested options, OData's
/// `name(option=value;option=value)` (<https://learn.microsoft.com/graph/query-parameters#expand>;
/// OData 4.01 URL conventions §5.1.3): `$select`, `$filter`, `$orderby`, `$top`, `$skip`,
/// `$count` and a nested `$expand` (`$expand=policy($expand=rules)`, the query of
/// <https://learn.microsoft.com/graph/api/policyroot-list-rolemanagementpolicyassignments>).
/// Directory objects (users, groups, ...) take only `$select` inside `$expand`, as Graph's
/// directory does. A cast after the name (`members/microsoft.graph.user`) narrows the type.
/// Recursion is bounded by [`MAX_EXPAND_DEPTH`] (a 400 beyond it).
fn expand_at(target: &Target, text: &str, depth: usize) -> Result<Vec<Expand>, GraphErr> {
    if depth > MAX_EXPAND_DEPTH {
        return Err(bad_request(format!(
            "The request includes a $expand path which is too deep. The maximum depth allowed is {MAX_EXPAND_DEPTH}."
        )));
    }
    let items = split_top(text, ',')?;
    if items.len() > MAX_ITEMS {
        return Err(GraphErr::unsupported_query(format!(
            "Too many $expand items: {}. Max allowed: {MAX_ITEMS}.",
            items.len()
        )));
    }
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let (name, options) = match item.find('(') {
            Some(open) if item.ends_with(')') => (&item[..open], &item[open + 1..item.len() - 1]),
            _ => (item, ""),
        };
        let name = name.trim();
        let (name, cast) = match name.split_once('/') {
            Some((n, c)) => (n.trim(), Some(cast_name(c.trim()))),
            None => (name, None),
        };
        let p = property(target, name)?;
        if !p.nav {
            return Err(bad_request(format!(
                "Property '{}' on type '{}' is not a navigation property or complex property. Only navigation properties can be expanded.",
                p.name, target.ty
            )));
        }
        let ty = match &cast {
            Some(c) if target.schema.knows(c) && target.schema.derives_from(c, p.ty) => c.clone(),
            Some(c) => {
                return Err(bad_request(format!(
                "The type '{c}' is not compatible with the type '{}' of navigation property '{}'.",
                p.ty, p.name
            )))
            }
            None => p.ty.to_string(),
        };
        let inner = Target {
            schema: target.schema,
            ty: &ty,
        };
        let directory = rules::directory(target.ty).is_some() || rules::directory(&ty).is_some();
        let mut nested = Plan::default();
        let mut top = None;
        let mut skip = 0;
        let mut levels = None;
        for option in split_top(options, ';')? {
            let (k, v) = option.split_once('=').unwrap_or((option, ""));
            let key = k.trim().trim_start_matches('$').to_ascii_lowercase();
            // The manager chain (<https://learn.microsoft.com/graph/api/user-list-manager>,
            // example 2): the one option Graph's directory takes beside `$select` there.
            if directory && key == "levels" && p.name.eq_ignore_ascii_case("manager") {
                let v = v.trim();
                levels = Some(if v.eq_ignore_ascii_case("max") {
                    MAX_MANAGER_LEVELS
                } else {
                    match v.parse::<usize>() {
                        Ok(n) if n >= 1 => n.min(MAX_MANAGER_LEVELS),
                        _ => {
                            return Err(bad_request(format!(
                                "Invalid value '{v}' for query option '$levels' within $expand of 'manager': a positive number or max."
                            )))
                        }
                    }
                });
                continue;
            }
            if directory && key != "select" {
                return Err(GraphErr::unsupported_query(format!(
                    "Query option '${key}' is not supported within $expand of '{}'.",
                    p.name
                )));
            }
            match key.as_str() {
                "select" => {
                    let names: Vec<String> = v.split(',').map(|s| s.trim().to_string()).collect();
                    nested.select = select(&inner, &names, false)?;
                }
                "filter" => nested.filter = Some(Filter::parse(v, inner.schema, inner.ty)?),
                "orderby" => nested.order = order_by(&inner, v)?,
                "expand" => nested.expand = expand_at(&inner, v, depth + 1)?,
                "top" | "skip" => {
                    let n: usize = v.trim().parse().map_err(|_| {
                        bad_request(format!(
                            "Invalid value '{}' for query option '${key}' within $expand of '{}'.",
                            v.trim(),
                            p.name
                        ))
                    })?;
                    if key == "top" {
                        top = Some(n);
                    } else {
                        skip = n;
                    }
                }
                "count" => {}
                other => {
                    return Err(GraphErr::unsupported_query(format!(
                        "Query option '${other}' is not supported within $expand of '{}'.",
                        p.name
                    )))
                }
            }
        }
        out.push(Expand {
            prop: p.name.to_string(),
            ty,
            collection: p.collection,
            select: nested.select.clone(),
            cast: cast.is_some(),
            top,
            skip,
            levels,
            nested,
        });
    }
    Ok(out)
}

/// A type name in a path or option: the `graph.` alias becomes `microsoft.graph.`.
fn cast_name(c: &str) -> String {
    match c.get(..6) {
        Some(prefix) if prefix.eq_ignore_ascii_case("graph.") => {
            format!("microsoft.graph.{}", &c[6..])
        }
        _ => c.to_string(),
    }
}

impl Expand {
    /// The related items this expansion shows, in order: nested `$filter` and `$orderby`,
    /// then `$skip` and `$top` (at most `cap`).
    pub fn pick<'a>(
        &self,
        items: impl IntoIterator<Item = &'a Map<String, Value>>,
        cap: usize,
    ) -> Vec<&'a Map<String, Value>> {
        self.nested
            .apply(items, &NoRelated)
            .into_iter()
            .skip(self.skip)
            .take(self.top.unwrap_or(cap).min(cap))
            .collect()
    }
}

fn search(target: &Target, text: &str) -> Result<Vec<Vec<SearchTerm>>, GraphErr> {
    let syntax = || {
        bad_request(format!(
            "Syntax error: character '{}' is not valid at position 0 in '{text}'.",
            text.chars().next().unwrap_or(' ')
        ))
    };
    // `"a:b" OR "c:d" AND "e:f"`: AND binds tighter; quoted clauses only.
    let mut groups: Vec<Vec<SearchTerm>> = vec![Vec::new()];
    let mut rest = text.trim();
    let mut clauses = 0;
    while !rest.is_empty() {
        let body = rest.strip_prefix('"').ok_or_else(syntax)?;
        let end = body.find('"').ok_or_else(syntax)?;
        let clause = &body[..end];
        rest = body[end + 1..].trim_start();
        clauses += 1;
        if clauses > MAX_ITEMS {
            return Err(GraphErr::unsupported_query(format!(
                "Too many $search clauses. Max allowed: {MAX_ITEMS}."
            )));
        }
        let term = match clause.split_once(':') {
            Some((prop, term)) => SearchTerm {
                prop: property(target, prop.trim())?.name.to_string(),
                term: term.trim().to_lowercase(),
            },
            // Outside the directory a bare term searches the item's text (message-list:
            // `$search="pizza"` looks in the subject, body, sender and recipients).
            None if rules::directory(target.ty).is_none() => SearchTerm {
                prop: String::new(),
                term: clause.trim().to_lowercase(),
            },
            None => {
                return Err(bad_request(format!(
                    "Invalid $search clause '{clause}': expected \"property:value\"."
                )))
            }
        };
        if let Some(group) = groups.last_mut() {
            group.push(term);
        }
        if rest.is_empty() {
            break;
        }
        let (word, after) = rest.split_once(char::is_whitespace).ok_or_else(syntax)?;
        if word.eq_ignore_ascii_case("or") {
            groups.push(Vec::new());
        } else if !word.eq_ignore_ascii_case("and") {
            return Err(syntax());
        }
        rest = after.trim_start();
    }
    Ok(groups)
}

fn order_by(target: &Target, text: &str) -> Result<Vec<(String, bool)>, GraphErr> {
    let items = split_top(text, ',')?;
    if items.len() > MAX_ITEMS {
        return Err(bad_request(format!(
            "Too many $orderby items: {}. Max allowed: {MAX_ITEMS}.",
            items.len()
        )));
    }
    let mut out = Vec::new();
    for item in items {
        let mut words = item.split_whitespace();
        let name = words.next().unwrap_or_default();
        let desc = match words.next() {
            None => false,
            Some(d) if d.eq_ignore_ascii_case("asc") => false,
            Some(d) if d.eq_ignore_ascii_case("desc") => true,
            Some(other) => {
                return Err(bad_request(format!(
                    "Syntax error: '{other}' is not valid in $orderby; use 'asc' or 'desc'."
                )))
            }
        };
        out.push((property(target, name)?.name.to_string(), desc));
    }
    Ok(out)
}

impl Plan {
    /// Validates a collection query: names against the schema, then Graph's rules (advanced
    /// query parameters for directory objects, `$skip` where unsupported).
    pub fn collection(q: &Query, target: Target, adv: Advanced) -> Result<Plan, GraphErr> {
        let mut plan = Plan::entity(q, target)?;
        let resource = target.schema.resource_name(target.ty);
        let directory = rules::directory(target.ty).is_some();
        if let Some(text) = &q.filter {
            let f = Filter::parse(text, target.schema, target.ty).map_err(|e| {
                // Directory objects answer a malformed filter with the directory's code
                // (`Request_BadRequest`, "Invalid filter clause"), which scripts match on.
                if directory && e.code == "BadRequest" {
                    GraphErr {
                        code: "Request_BadRequest",
                        ..e
                    }
                } else {
                    e
                }
            })?;
            rules::check_filter(&f, target.ty, &resource, adv)?;
            plan.filter = Some(f);
        }
        if let Some(text) = &q.search {
            if directory && !adv.eventual {
                return Err(GraphErr::unsupported_query(
                    "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'",
                ));
            }
            plan.search = search(&target, text)?;
        }
        if let Some(text) = &q.orderby {
            plan.order = order_by(&target, text)?;
            for (prop, _) in &plan.order {
                rules::check_order_by(target.ty, prop, q.filter.is_some(), &resource, adv)?;
            }
        }
        if directory && q.skip.is_some() {
            return Err(GraphErr::bad_request(
                "'$skip' is not supported by the service.",
            ));
        }
        Ok(plan)
    }

    /// Validates a query over a directory object's links (`/users/{id}/memberOf`,
    /// `/groups/{id}/members`, `/servicePrincipals/{id}/ownedObjects`, ...): Graph filters
    /// such a reference collection only with the advanced query parameters
    /// (`ConsistencyLevel: eventual` and `$count=true`); otherwise 400
    /// `Request_UnsupportedQuery` "The specified filter to the reference property query is
    /// currently not supported."
    /// (<https://learn.microsoft.com/graph/api/group-list-members>, example 5;
    /// <https://learn.microsoft.com/graph/aad-advanced-queries>). Then as [`Plan::collection`].
    pub fn references(q: &Query, target: Target, adv: Advanced) -> Result<Plan, GraphErr> {
        if q.filter.is_some() && !adv.on() {
            return Err(GraphErr::unsupported_query(
                "The specified filter to the reference property query is currently not supported.",
            ));
        }
        Plan::collection(q, target, adv)
    }

    /// Validates the options of a single-entity request (`$select`, `$expand`).
    pub fn entity(q: &Query, target: Target) -> Result<Plan, GraphErr> {
        let mut plan = Plan {
            select: select(&target, &q.select, q.beta)?,
            ..Plan::default()
        };
        if let Some(text) = &q.expand {
            plan.expand = expand(&target, text)?;
        }
        Ok(plan)
    }

    /// The items that pass `$filter` and `$search`, sorted by `$orderby`.
    pub fn apply<'a>(
        &self,
        items: impl IntoIterator<Item = &'a Map<String, Value>>,
        related: &dyn Related,
    ) -> Vec<&'a Map<String, Value>> {
        let mut out: Vec<&Map<String, Value>> = items
            .into_iter()
            .filter(|o| {
                self.filter
                    .as_ref()
                    .map(|f| f.matches_with(o, related))
                    .unwrap_or(true)
            })
            .filter(|o| {
                self.search.is_empty()
                    || self.search.iter().any(|g| g.iter().all(|t| searched(o, t)))
            })
            .collect();
        if !self.order.is_empty() {
            out.sort_by(|a, b| {
                for (prop, desc) in &self.order {
                    let o = sort_key_cmp(get_ci(a, prop), get_ci(b, prop));
                    let o = if *desc { o.reverse() } else { o };
                    if o != Ordering::Equal {
                        return o;
                    }
                }
                Ordering::Equal
            });
        }
        out
    }
}

/// Graph's directory search: the term matches the start of the value or of one of its words.
fn searched(o: &Map<String, Value>, t: &SearchTerm) -> bool {
    let test = |v: &Value| {
        v.as_str()
            .map(|s| {
                let s = s.to_lowercase();
                s.starts_with(&t.term)
                    || s.split(|c: char| !c.is_alphanumeric())
                        .any(|w| w.starts_with(&t.term))
            })
            .unwrap_or(false)
    };
    if t.prop.is_empty() {
        return o.values().any(|v| any_text(v, &test, 0));
    }
    match get_ci(o, &t.prop) {
        Some(Value::Array(items)) => items.iter().any(test),
        Some(v) => test(v),
        None => false,
    }
}

/// Whether any text in `v` (nested values too, to a few levels: a message's
/// `from.emailAddress.name`) passes `test`.
fn any_text(v: &Value, test: &dyn Fn(&Value) -> bool, depth: usize) -> bool {
    /// How deep a free-text search looks into complex values.
    const MAX_TEXT_DEPTH: usize = 4;
    match v {
        Value::String(_) => test(v),
        Value::Array(items) if depth < MAX_TEXT_DEPTH => {
            items.iter().any(|i| any_text(i, test, depth + 1))
        }
        Value::Object(m) if depth < MAX_TEXT_DEPTH => {
            m.values().any(|i| any_text(i, test, depth + 1))
        }
        _ => false,
    }
}

/// Sort order of two property values: nulls first, strings ignoring case, numbers, bools.
fn sort_key_cmp(a: Option<&Value>, b: Option<&Value>) -> Ordering {
    let rank = |v: Option<&Value>| match v {
        None | Some(Value::Null) => 0,
        _ => 1,
    };
    match (a, b) {
        (Some(Value::String(x)), Some(Value::String(y))) => x
            .chars()
            .flat_map(char::to_lowercase)
            .cmp(y.chars().flat_map(char::to_lowercase)),
        (Some(Value::Number(x)), Some(Value::Number(y))) => x
            .as_f64()
            .partial_cmp(&y.as_f64())
            .unwrap_or(Ordering::Equal),
        (Some(Value::Bool(x)), Some(Value::Bool(y))) => x.cmp(y),
        _ => rank(a).cmp(&rank(b)),
    }
}

#[cfg(test)]
mod tests;
