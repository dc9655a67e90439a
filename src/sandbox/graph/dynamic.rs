//! Dynamic membership: a group whose `groupTypes` holds `DynamicMembership` takes its members
//! from its `membershipRule`, a rule over user (or device) properties in Microsoft Entra's rule
//! syntax (<https://learn.microsoft.com/entra/identity/users/groups-dynamic-membership>):
//!
//! ```text
//! (user.department -eq "Sales") -and -not (user.country -in ["US", "CA"])
//! user.otherMails -any (_ -contains "contoso")
//! user.assignedPlans -any (assignedPlan.servicePlanId -eq "..." -and assignedPlan.capabilityStatus -eq "Enabled")
//! device.deviceOSType -startsWith "Windows"
//! ```
//!
//! Operators: `-eq -ne -startsWith -notStartsWith -contains -notContains -match -notMatch -in
//! -notIn`, joined by `-and`, `-or`, `-not` and parentheses (each with or without its hyphen); values are strings (double or
//! single quotes), `true`, `false`, `null` or bracketed lists; `-any`/`-all` test a
//! multi-valued property's elements. Strings compare ignoring case, as Entra's do.
//!
//! Entra evaluates rules in the background; the sandbox does it after every write
//! ([`after_write`]: the user, device or group written), so a script that creates a group and
//! then lists its members sees them at once. A rule that does not parse gives no members (Graph refuses it when the group is
//! written; the sandbox does not check it there). `membershipRuleProcessingState: "Paused"`
//! keeps the members as they are.

use regex_lite::Regex;
use serde_json::{Map, Value};

use crate::sandbox::state::Tenant;

/// Entra's limit on a rule's length (characters).
const MAX_RULE: usize = 3072;
/// How deep parentheses, `-not` and `-any` may nest: the parser recurses once a level.
const MAX_DEPTH: usize = 32;

/// A parsed rule.
#[derive(Debug, Clone, PartialEq)]
enum Rule {
    And(Box<Rule>, Box<Rule>),
    Or(Box<Rule>, Box<Rule>),
    Not(Box<Rule>),
    /// `property op value`; `negate` for the `-not…`/`-ne` forms.
    Compare {
        path: Vec<String>,
        op: Op,
        negate: bool,
        value: Literal,
    },
    /// `property -any (rule)` (`all` false) or `-all (rule)`, the inner rule over each element.
    Each {
        path: Vec<String>,
        all: bool,
        rule: Box<Rule>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Op {
    Eq,
    StartsWith,
    Contains,
    Match,
    In,
}

#[derive(Debug, Clone, PartialEq)]
enum Literal {
    Text(String),
    Bool(bool),
    Null,
    List(Vec<String>),
}

/// What a write may change in dynamic memberships: one user's or device's (every rule is
/// tested against it alone), or one group's rule (tested against every user or device).
enum Changed {
    Member(String),
    Group(String),
}

/// Brings dynamic memberships up to date after the write `w`: a write below `/users/{id}` or
/// `/devices/{id}` (or a create of one) re-tests that object, a write of a group its rule.
/// Incremental, so that bulk writes in a large tenant stay cheap.
pub fn after_write(t: &mut Tenant, w: &super::Written) {
    let s: Vec<&str> = w.segs.iter().map(String::as_str).collect();
    let changed = match s.as_slice() {
        ["users" | "devices"] => w.created.clone().map(Changed::Member),
        ["users", key, ..] => Some(Changed::Member(
            t.user_id(key).unwrap_or_else(|| key.to_string()),
        )),
        ["devices", id, ..] => Some(Changed::Member(id.to_string())),
        ["groups"] => w.created.clone().map(Changed::Group),
        ["groups", id] => Some(Changed::Group(id.to_string())),
        _ => None,
    };
    match changed {
        Some(Changed::Member(id)) => retest(t, &id),
        Some(Changed::Group(id)) => process(t, Some(&id)),
        None => {}
    }
}

/// The dynamic groups whose processing is on (`membershipRuleProcessingState` not `Paused`),
/// or only `only`, with their rules and the rules parsed (`None`: a rule that does not parse,
/// which admits nothing).
fn active(t: &Tenant, only: Option<&str>) -> Vec<(String, String, Option<Rule>)> {
    t.groups
        .iter()
        .filter(|(id, _)| only.map_or(true, |o| o == id.as_str()))
        .filter(|(_, g)| super::groups::is_dynamic(&g.object))
        .filter(|(_, g)| {
            !g.object
                .get("membershipRuleProcessingState")
                .and_then(Value::as_str)
                .is_some_and(|s| s.eq_ignore_ascii_case("Paused"))
        })
        .map(|(id, g)| {
            let text = g
                .object
                .get("membershipRule")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            let rule = parse(&text);
            (id.clone(), text, rule)
        })
        .collect()
}

/// Recomputes the members of every active dynamic group (or only `only`) from all users or
/// devices.
fn process(t: &mut Tenant, only: Option<&str>) {
    for (id, text, rule) in active(t, only) {
        let members = rule.map(|r| matching(t, &r, &text)).unwrap_or_default();
        if let Some(g) = t.groups.get_mut(&id) {
            if g.members != members {
                g.members = members;
                t.store.version += 1;
            }
        }
    }
}

/// Tests the user or device `id` (gone, if it was deleted) against every active rule, adding
/// it to or removing it from each group's members.
fn retest(t: &mut Tenant, id: &str) {
    for (group, text, rule) in active(t, None) {
        let devices = is_device_rule(&text);
        let object = if devices {
            t.store
                .sets
                .get("devices")
                .and_then(|s| s.get(id))
                .map(|d| &d.object)
        } else {
            t.users.get(id).map(|u| &u.object)
        };
        let subject = if devices {
            Subject::Device
        } else {
            Subject::User
        };
        let admitted = match (object, &rule) {
            (Some(o), Some(r)) => eval(r, Item::Object(o), subject),
            _ => false,
        };
        let Some(g) = t.groups.get_mut(&group) else {
            continue;
        };
        let present = g.members.iter().any(|m| m == id);
        if admitted && !present {
            g.members.push(id.to_string());
        } else if !admitted && present {
            g.members.retain(|m| m != id);
        } else {
            continue;
        }
        t.store.version += 1;
    }
}

/// Whether a rule's subject is devices (`device.…`); users otherwise.
fn is_device_rule(text: &str) -> bool {
    let t = text.trim_start().trim_start_matches('(').trim_start();
    t.get(..7)
        .is_some_and(|p| p.eq_ignore_ascii_case("device."))
}

/// The ids of the users (or, for a `device.` rule, the devices) that `rule` admits.
fn matching(t: &Tenant, rule: &Rule, text: &str) -> Vec<String> {
    if is_device_rule(text) {
        return t
            .store
            .sets
            .get("devices")
            .into_iter()
            .flat_map(|s| s.iter())
            .filter(|(_, d)| eval(rule, Item::Object(&d.object), Subject::Device))
            .map(|(id, _)| id.clone())
            .collect();
    }
    t.users
        .iter()
        .filter(|(_, u)| eval(rule, Item::Object(&u.object), Subject::User))
        .map(|(id, _)| id.clone())
        .collect()
}

/// Parses a rule; `None` when it is not one (too long, too deep, or not the grammar).
fn parse(text: &str) -> Option<Rule> {
    if text.len() > MAX_RULE {
        return None;
    }
    let tokens = tokenize(text)?;
    let mut p = Parser { tokens, at: 0 };
    let rule = p.or(0)?;
    (p.at == p.tokens.len()).then_some(rule)
}

/// The operator names (lower case, without the hyphen).
const OPERATORS: &[&str] = &[
    "and",
    "or",
    "not",
    "eq",
    "ne",
    "startswith",
    "notstartswith",
    "contains",
    "notcontains",
    "match",
    "notmatch",
    "in",
    "notin",
    "any",
    "all",
];

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Open,
    Close,
    /// `-and`, `-eq`, ... without the dash, lower-cased.
    Operator(String),
    Text(String),
    List(Vec<String>),
    /// A property path or a bare word (`true`, `null`).
    Word(String),
}

fn tokenize(text: &str) -> Option<Vec<Token>> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = vec![];
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            c if c.is_whitespace() => i += 1,
            '(' => {
                out.push(Token::Open);
                i += 1;
            }
            ')' => {
                out.push(Token::Close);
                i += 1;
            }
            '"' | '\'' => {
                let (s, next) = quoted(&chars, i)?;
                out.push(Token::Text(s));
                i = next;
            }
            '[' => {
                let mut items = vec![];
                i += 1;
                loop {
                    while chars.get(i).is_some_and(|c| c.is_whitespace() || *c == ',') {
                        i += 1;
                    }
                    match chars.get(i)? {
                        ']' => break,
                        '"' | '\'' => {
                            let (s, next) = quoted(&chars, i)?;
                            items.push(s);
                            i = next;
                        }
                        _ => return None,
                    }
                }
                out.push(Token::List(items));
                i += 1;
            }
            '-' => {
                let start = i + 1;
                i = start;
                while chars.get(i).is_some_and(|c| c.is_ascii_alphabetic()) {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                if word.is_empty() {
                    return None;
                }
                out.push(Token::Operator(word.to_ascii_lowercase()));
            }
            _ => {
                let start = i;
                while chars
                    .get(i)
                    .is_some_and(|c| c.is_alphanumeric() || matches!(c, '.' | '_'))
                {
                    i += 1;
                }
                if i == start {
                    return None;
                }
                let word: String = chars[start..i].iter().collect();
                // Entra takes operators with or without their hyphen (`and`, `-and`).
                let lower = word.to_ascii_lowercase();
                out.push(if OPERATORS.contains(&lower.as_str()) {
                    Token::Operator(lower)
                } else {
                    Token::Word(word)
                });
            }
        }
    }
    Some(out)
}

/// The string quoted at `chars[i]` (a doubled quote inside stands for one) and the index after it.
fn quoted(chars: &[char], i: usize) -> Option<(String, usize)> {
    let q = chars[i];
    let mut s = String::new();
    let mut j = i + 1;
    loop {
        let c = *chars.get(j)?;
        if c == q {
            if chars.get(j + 1) == Some(&q) {
                s.push(q);
                j += 2;
                continue;
            }
            return Some((s, j + 1));
        }
        s.push(c);
        j += 1;
    }
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.at).cloned();
        self.at += 1;
        t
    }

    fn operator(&self, name: &str) -> bool {
        matches!(self.peek(), Some(Token::Operator(o)) if o == name)
    }

    fn or(&mut self, depth: usize) -> Option<Rule> {
        let mut left = self.and(depth)?;
        while self.operator("or") {
            self.at += 1;
            left = Rule::Or(Box::new(left), Box::new(self.and(depth)?));
        }
        Some(left)
    }

    fn and(&mut self, depth: usize) -> Option<Rule> {
        let mut left = self.unary(depth)?;
        while self.operator("and") {
            self.at += 1;
            left = Rule::And(Box::new(left), Box::new(self.unary(depth)?));
        }
        Some(left)
    }

    fn unary(&mut self, depth: usize) -> Option<Rule> {
        if depth > MAX_DEPTH {
            return None;
        }
        if self.operator("not") {
            self.at += 1;
            return Some(Rule::Not(Box::new(self.unary(depth + 1)?)));
        }
        if self.peek() == Some(&Token::Open) {
            self.at += 1;
            let inner = self.or(depth + 1)?;
            return (self.next()? == Token::Close).then_some(inner);
        }
        self.comparison(depth)
    }

    fn comparison(&mut self, depth: usize) -> Option<Rule> {
        let Token::Word(property) = self.next()? else {
            return None;
        };
        let path: Vec<String> = property.split('.').map(str::to_string).collect();
        let Token::Operator(op) = self.next()? else {
            return None;
        };
        if op == "any" || op == "all" {
            if self.next()? != Token::Open {
                return None;
            }
            let rule = self.or(depth + 1)?;
            if self.next()? != Token::Close {
                return None;
            }
            return Some(Rule::Each {
                path,
                all: op == "all",
                rule: Box::new(rule),
            });
        }
        let (op, negate) = match op.as_str() {
            "eq" => (Op::Eq, false),
            "ne" => (Op::Eq, true),
            "startswith" => (Op::StartsWith, false),
            "notstartswith" => (Op::StartsWith, true),
            "contains" => (Op::Contains, false),
            "notcontains" => (Op::Contains, true),
            "match" => (Op::Match, false),
            "notmatch" => (Op::Match, true),
            "in" => (Op::In, false),
            "notin" => (Op::In, true),
            _ => return None,
        };
        let value = match self.next()? {
            Token::Text(s) => Literal::Text(s),
            Token::List(items) => Literal::List(items),
            Token::Word(w) if w.eq_ignore_ascii_case("true") => Literal::Bool(true),
            Token::Word(w) if w.eq_ignore_ascii_case("false") => Literal::Bool(false),
            Token::Word(w) if w.eq_ignore_ascii_case("null") => Literal::Null,
            _ => return None,
        };
        Some(Rule::Compare {
            path,
            op,
            negate,
            value,
        })
    }
}

#[derive(Clone, Copy)]
enum Subject {
    User,
    Device,
}

/// What a rule is evaluated against: a user's or device's Graph object, or an element of a
/// multi-valued property inside `-any`/`-all`. Borrowed: every write evaluates every rule over
/// every user.
#[derive(Clone, Copy)]
enum Item<'a> {
    Object(&'a Map<String, Value>),
    Element(&'a Value),
}

/// Whether `item` satisfies `rule`.
fn eval(rule: &Rule, item: Item, subject: Subject) -> bool {
    match rule {
        Rule::And(a, b) => eval(a, item, subject) && eval(b, item, subject),
        Rule::Or(a, b) => eval(a, item, subject) || eval(b, item, subject),
        Rule::Not(a) => !eval(a, item, subject),
        Rule::Compare {
            path,
            op,
            negate,
            value,
        } => compare(lookup(item, path, subject), *op, value) != *negate,
        Rule::Each { path, all, rule } => {
            let items: &[Value] = match lookup(item, path, subject) {
                Some(Value::Array(items)) => items,
                _ => &[],
            };
            let test = |v: &Value| eval(rule, Item::Element(v), subject);
            if *all {
                items.iter().all(test)
            } else {
                items.iter().any(test)
            }
        }
    }
}

/// The value a rule's property path names in `item`. The first segment is the subject
/// (`user`, `device`) or, inside `-any`, the element (`_`, `assignedPlan`); rule names that are
/// not Graph's are mapped (`objectId` is `id`, `extensionAttribute1` lives in
/// `onPremisesExtensionAttributes`, a device's `deviceOSType` is `operatingSystem`).
fn lookup<'a>(item: Item<'a>, path: &[String], subject: Subject) -> Option<&'a Value> {
    let rest = &path[1.min(path.len())..];
    let o = match (item, rest.first()) {
        // `_`: the element itself.
        (Item::Element(v), None) => return Some(v),
        (Item::Element(v), Some(_)) => v.as_object()?,
        (Item::Object(o), Some(_)) => o,
        (Item::Object(_), None) => return None,
    };
    let name = rest.first()?;
    let get = |m: &'a Map<String, Value>, k: &str| crate::json::get_ci(m, k);
    let mapped = match (subject, name.to_ascii_lowercase().as_str()) {
        (_, "objectid") => "id",
        (Subject::Device, "deviceostype") => "operatingSystem",
        (Subject::Device, "deviceosversion") => "operatingSystemVersion",
        (Subject::User, n) if n.starts_with("extensionattribute") => {
            return o
                .get("onPremisesExtensionAttributes")
                .and_then(Value::as_object)
                .and_then(|e| get(e, name));
        }
        _ => name.as_str(),
    };
    let mut v = get(o, mapped)?;
    for segment in &rest[1..] {
        v = get(v.as_object()?, segment)?;
    }
    Some(v)
}

/// `value op literal` (before negation). A missing value equals only `null`.
fn compare(value: Option<&Value>, op: Op, literal: &Literal) -> bool {
    let text = match value {
        None | Some(Value::Null) => return matches!((op, literal), (Op::Eq, Literal::Null)),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Bool(b)) => {
            return match literal {
                Literal::Bool(l) => op == Op::Eq && b == l,
                Literal::Text(t) => op == Op::Eq && t.eq_ignore_ascii_case(&b.to_string()),
                _ => false,
            }
        }
        Some(Value::Array(items)) => {
            // A multi-valued property compared directly: any element (Entra asks for -any,
            // and `-contains` on a list reads as membership).
            return items.iter().any(|i| compare(Some(i), op, literal));
        }
        Some(other) => other.to_string(),
    };
    let lower = text.to_lowercase();
    match (op, literal) {
        (Op::Eq, Literal::Text(t)) => lower == t.to_lowercase(),
        (Op::Eq, Literal::Null) => false,
        (Op::StartsWith, Literal::Text(t)) => lower.starts_with(&t.to_lowercase()),
        (Op::Contains, Literal::Text(t)) => lower.contains(&t.to_lowercase()),
        (Op::Match, Literal::Text(t)) => {
            Regex::new(&format!("(?i){t}")).is_ok_and(|r| r.is_match(&text))
        }
        (Op::In, Literal::List(items)) => items.iter().any(|i| i.to_lowercase() == lower),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn admits(rule: &str, user: Value) -> bool {
        let rule = parse(rule).unwrap_or_else(|| panic!("parses: {rule}"));
        eval(
            &rule,
            Item::Object(user.as_object().unwrap()),
            Subject::User,
        )
    }

    #[test]
    fn comparisons_ignore_case_and_combine() {
        let u = json!({"department": "Sales", "country": "NL", "accountEnabled": true});
        assert!(admits(r#"user.department -eq "sales""#, u.clone()));
        assert!(admits(
            r#"(user.department -eq "Sales") -and (user.country -ne "US")"#,
            u.clone()
        ));
        assert!(!admits(
            r#"user.department -eq "Sales" -and -not (user.country -in ["NL","BE"])"#,
            u.clone()
        ));
        assert!(admits(
            r#"user.department -startsWith "Sa" -or user.country -eq "US""#,
            u.clone()
        ));
        assert!(admits(
            r#"(user.department eq "Sales") and (user.accountEnabled -eq true)"#,
            u.clone()
        ));
        assert!(admits("user.accountEnabled -eq true", u.clone()));
        assert!(admits(r#"user.jobTitle -eq null"#, u.clone()));
        assert!(admits(r#"user.country -match "^N.$""#, u));
    }

    #[test]
    fn multi_valued_properties_and_extension_attributes() {
        let u = json!({
            "otherMails": ["a@contoso.com", "b@fabrikam.com"],
            "assignedPlans": [{"servicePlanId": "P1", "capabilityStatus": "Enabled"}],
            "onPremisesExtensionAttributes": {"extensionAttribute1": "Contractor"},
        });
        assert!(admits(
            r#"user.otherMails -any (_ -contains "fabrikam")"#,
            u.clone()
        ));
        assert!(!admits(
            r#"user.otherMails -all (_ -contains "fabrikam")"#,
            u.clone()
        ));
        assert!(admits(
            r#"user.assignedPlans -any (assignedPlan.servicePlanId -eq "p1" -and assignedPlan.capabilityStatus -eq "Enabled")"#,
            u.clone()
        ));
        assert!(admits(r#"user.extensionAttribute1 -eq "Contractor""#, u));
    }

    #[test]
    fn what_is_not_a_rule_is_refused_and_nesting_is_bounded() {
        for bad in [
            "user.department",
            "user.department -like \"x\"",
            "(user.a -eq \"b\"",
            "user.a -eq \"b\" extra",
        ] {
            assert!(parse(bad).is_none(), "{bad}");
        }
        let deep = format!("{}user.a -eq \"b\"{}", "(".repeat(200), ")".repeat(200));
        assert!(parse(&deep).is_none());
        assert!(parse(&"x".repeat(MAX_RULE + 1)).is_none());
    }
}
