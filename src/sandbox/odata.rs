//! OData wire format: error bodies, query options, `$filter`, projection and paging.

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Map, Value};

use crate::json::get_ci;

/// A Graph error to send.
#[derive(Debug, Clone)]
pub struct GraphErr {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub details: Option<Box<Value>>,
    /// `innerError.message`, which the authentication-methods backend adds.
    pub inner_message: bool,
    pub headers: Vec<(String, String)>,
}

impl GraphErr {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> GraphErr {
        GraphErr {
            status,
            code,
            message: message.into(),
            details: None,
            inner_message: false,
            headers: vec![],
        }
    }

    pub fn bad_request(message: impl Into<String>) -> GraphErr {
        GraphErr::new(StatusCode::BAD_REQUEST, "Request_BadRequest", message)
    }

    /// An error from the authentication-methods backend (`badRequest`, inner message).
    pub fn auth_methods(message: impl Into<String>) -> GraphErr {
        let mut e = GraphErr::new(StatusCode::BAD_REQUEST, "badRequest", message);
        e.inner_message = true;
        e
    }

    pub fn not_found(id: &str) -> GraphErr {
        GraphErr::new(
            StatusCode::NOT_FOUND,
            "Request_ResourceNotFound",
            format!(
                "Resource '{id}' does not exist or one of its queried reference-property objects are not present."
            ),
        )
    }

    pub fn segment_not_found(segment: &str) -> GraphErr {
        GraphErr::new(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            format!("Resource not found for the segment '{segment}'."),
        )
    }

    pub fn method_not_allowed() -> GraphErr {
        GraphErr::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "Request_BadRequest",
            "Specified HTTP method is not allowed for the request target.",
        )
    }

    pub fn denied() -> GraphErr {
        GraphErr::new(
            StatusCode::FORBIDDEN,
            "Authorization_RequestDenied",
            "Insufficient privileges to complete the operation.",
        )
    }

    pub fn unsupported_query(message: impl Into<String>) -> GraphErr {
        GraphErr::new(StatusCode::BAD_REQUEST, "Request_UnsupportedQuery", message)
    }

    pub fn with_details(mut self, details: Value) -> GraphErr {
        self.details = Some(Box::new(details));
        self
    }

    pub fn with_header(mut self, name: &str, value: impl Into<String>) -> GraphErr {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    /// The JSON body, with the request ids of this request.
    pub fn body(&self, request_id: &str, client_request_id: &str) -> Value {
        let date = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S").to_string();
        let mut inner = Map::new();
        if self.inner_message {
            inner.insert("message".into(), json!(self.message));
        }
        inner.insert("date".into(), json!(date));
        inner.insert("request-id".into(), json!(request_id));
        inner.insert("client-request-id".into(), json!(client_request_id));
        let mut error = Map::new();
        error.insert("code".into(), json!(self.code));
        error.insert("message".into(), json!(self.message));
        error.insert("innerError".into(), Value::Object(inner));
        if let Some(d) = &self.details {
            error.insert("details".into(), (**d).clone());
        }
        json!({ "error": error })
    }

    pub fn into_response(self, request_id: &str, client_request_id: &str) -> Response {
        let body = self.body(request_id, client_request_id);
        let mut resp = (self.status, axum::Json(body)).into_response();
        for (name, value) in &self.headers {
            if let (Ok(n), Ok(v)) = (
                axum::http::HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(value),
            ) {
                resp.headers_mut().insert(n, v);
            }
        }
        resp
    }
}

/// Parsed OData query options.
#[derive(Debug, Default, Clone)]
pub struct Query {
    pub select: Vec<String>,
    pub filter: Option<String>,
    pub top: Option<usize>,
    pub orderby: Option<String>,
    pub count: bool,
    pub search: Option<String>,
    pub expand: Option<String>,
    pub skiptoken: Option<String>,
    /// Every pair as received, for rebuilding nextLinks.
    pub raw: Vec<(String, String)>,
}

impl Query {
    pub fn parse(query: Option<&str>, max_top: usize) -> Result<Query, GraphErr> {
        let mut q = Query::default();
        let Some(query) = query else {
            return Ok(q);
        };
        for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
            let key = k.trim_start_matches('$').to_ascii_lowercase();
            q.raw.push((k.to_string(), v.to_string()));
            match key.as_str() {
                "select" => {
                    q.select = v
                        .split(',')
                        .map(|s| s.trim().to_string())
                        .filter(|s| !s.is_empty())
                        .collect()
                }
                "filter" => q.filter = Some(v.to_string()),
                "top" => {
                    let n: i64 = v.trim().parse().map_err(|_| {
                        GraphErr::bad_request(format!("Invalid page size specified: '{v}'."))
                    })?;
                    if n < 1 || n as usize > max_top {
                        return Err(GraphErr::bad_request(format!(
                            "Invalid page size specified: '{v}'. Must be between 1 and {max_top} inclusive."
                        )));
                    }
                    q.top = Some(n as usize);
                }
                "orderby" => q.orderby = Some(v.to_string()),
                "count" => q.count = v.eq_ignore_ascii_case("true"),
                "search" => q.search = Some(v.to_string()),
                "expand" => q.expand = Some(v.to_string()),
                "skiptoken" => q.skiptoken = Some(v.to_string()),
                _ => {}
            }
        }
        Ok(q)
    }

    /// The offset a skiptoken points at.
    pub fn offset(&self) -> Result<usize, GraphErr> {
        match &self.skiptoken {
            None => Ok(0),
            Some(tok) => decode_skiptoken(tok)
                .ok_or_else(|| GraphErr::bad_request("Invalid $skiptoken value.")),
        }
    }
}

pub fn encode_skiptoken(offset: usize) -> String {
    format!("RFNwdAI{}", URL_SAFE_NO_PAD.encode(format!("o={offset}")))
}

fn decode_skiptoken(tok: &str) -> Option<usize> {
    let rest = tok.strip_prefix("RFNwdAI")?;
    let text = String::from_utf8(URL_SAFE_NO_PAD.decode(rest).ok()?).ok()?;
    text.strip_prefix("o=")?.parse().ok()
}

/// Keeps only the selected properties (case-insensitive), in the object's own order.
pub fn project(object: &Map<String, Value>, select: &[String]) -> Map<String, Value> {
    if select.is_empty() {
        return object.clone();
    }
    object
        .iter()
        .filter(|(k, _)| select.iter().any(|s| s.eq_ignore_ascii_case(k)))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// One page of a collection of `len` items: its range, and the offset of the next page if
/// there is one.
pub fn page(len: usize, offset: usize, size: usize) -> (std::ops::Range<usize>, Option<usize>) {
    let start = offset.min(len);
    let end = (start + size).min(len);
    let next = (end < len).then_some(end);
    (start..end, next)
}

// ---------------------------------------------------------------------------------------
// $filter

/// A parsed filter expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    And(Box<Filter>, Box<Filter>),
    Or(Box<Filter>, Box<Filter>),
    Not(Box<Filter>),
    Cmp(String, CmpOp, Value),
    In(String, Vec<Value>),
    StartsWith(String, String),
    EndsWith(String, String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Str(String),
    Num(f64),
    LParen,
    RParen,
    Comma,
}

fn tokenize(input: &str) -> Result<Vec<Tok>, String> {
    let chars: Vec<char> = input.chars().collect();
    let mut i = 0;
    let mut out = vec![];
    while i < chars.len() {
        let c = chars[i];
        match c {
            ' ' | '\t' | '\n' | '\r' => i += 1,
            '(' => {
                out.push(Tok::LParen);
                i += 1
            }
            ')' => {
                out.push(Tok::RParen);
                i += 1
            }
            ',' => {
                out.push(Tok::Comma);
                i += 1
            }
            '\'' => {
                let mut s = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return Err("unterminated string literal".into()),
                        Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                            s.push('\'');
                            i += 2;
                        }
                        Some('\'') => {
                            i += 1;
                            break;
                        }
                        Some(ch) => {
                            s.push(*ch);
                            i += 1;
                        }
                    }
                }
                out.push(Tok::Str(s));
            }
            c if c.is_ascii_digit() || c == '-' => {
                let start = i;
                i += 1;
                while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                    i += 1;
                }
                let text: String = chars[start..i].iter().collect();
                out.push(Tok::Num(
                    text.parse().map_err(|_| format!("bad number '{text}'"))?,
                ));
            }
            c if c.is_alphanumeric() || c == '_' || c == '@' || c == '/' || c == '.' => {
                let start = i;
                while i < chars.len() && (chars[i].is_alphanumeric() || "_@/.".contains(chars[i])) {
                    i += 1;
                }
                out.push(Tok::Ident(chars[start..i].iter().collect()));
            }
            other => return Err(format!("unexpected character '{other}'")),
        }
    }
    Ok(out)
}

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }

    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn keyword(&self, word: &str) -> bool {
        matches!(self.peek(), Some(Tok::Ident(w)) if w.eq_ignore_ascii_case(word))
    }

    fn expect(&mut self, tok: Tok) -> Result<(), String> {
        match self.next() {
            Some(t) if t == tok => Ok(()),
            other => Err(format!("expected {tok:?}, found {other:?}")),
        }
    }

    fn or(&mut self) -> Result<Filter, String> {
        let mut left = self.and()?;
        while self.keyword("or") {
            self.pos += 1;
            left = Filter::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Filter, String> {
        let mut left = self.unary()?;
        while self.keyword("and") {
            self.pos += 1;
            left = Filter::And(Box::new(left), Box::new(self.unary()?));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Filter, String> {
        if self.keyword("not") {
            self.pos += 1;
            return Ok(Filter::Not(Box::new(self.unary()?)));
        }
        self.primary()
    }

    fn literal(&mut self) -> Result<Value, String> {
        match self.next() {
            Some(Tok::Str(s)) => Ok(json!(s)),
            Some(Tok::Num(n)) => Ok(json!(n)),
            Some(Tok::Ident(w)) if w.eq_ignore_ascii_case("true") => Ok(json!(true)),
            Some(Tok::Ident(w)) if w.eq_ignore_ascii_case("false") => Ok(json!(false)),
            Some(Tok::Ident(w)) if w.eq_ignore_ascii_case("null") => Ok(Value::Null),
            other => Err(format!("expected a literal, found {other:?}")),
        }
    }

    fn primary(&mut self) -> Result<Filter, String> {
        match self.next() {
            Some(Tok::LParen) => {
                let inner = self.or()?;
                self.expect(Tok::RParen)?;
                Ok(inner)
            }
            Some(Tok::Ident(name)) => {
                let lower = name.to_ascii_lowercase();
                if (lower == "startswith" || lower == "endswith")
                    && self.peek() == Some(&Tok::LParen)
                {
                    self.pos += 1;
                    let Some(Tok::Ident(prop)) = self.next() else {
                        return Err(format!("{name} expects a property name"));
                    };
                    self.expect(Tok::Comma)?;
                    let Some(Tok::Str(text)) = self.next() else {
                        return Err(format!("{name} expects a string literal"));
                    };
                    self.expect(Tok::RParen)?;
                    return Ok(if lower == "startswith" {
                        Filter::StartsWith(prop, text)
                    } else {
                        Filter::EndsWith(prop, text)
                    });
                }
                let op = match self.next() {
                    Some(Tok::Ident(op)) => op.to_ascii_lowercase(),
                    other => {
                        return Err(format!(
                            "expected an operator after '{name}', found {other:?}"
                        ))
                    }
                };
                if op == "in" {
                    self.expect(Tok::LParen)?;
                    let mut values = vec![self.literal()?];
                    while self.peek() == Some(&Tok::Comma) {
                        self.pos += 1;
                        values.push(self.literal()?);
                    }
                    self.expect(Tok::RParen)?;
                    return Ok(Filter::In(name, values));
                }
                let op = match op.as_str() {
                    "eq" => CmpOp::Eq,
                    "ne" => CmpOp::Ne,
                    "gt" => CmpOp::Gt,
                    "ge" => CmpOp::Ge,
                    "lt" => CmpOp::Lt,
                    "le" => CmpOp::Le,
                    other => return Err(format!("unsupported operator '{other}'")),
                };
                Ok(Filter::Cmp(name, op, self.literal()?))
            }
            other => Err(format!("unexpected {other:?}")),
        }
    }
}

impl Filter {
    pub fn parse(input: &str) -> Result<Filter, String> {
        let mut p = Parser {
            toks: tokenize(input)?,
            pos: 0,
        };
        let f = p.or()?;
        if p.pos < p.toks.len() {
            return Err(format!(
                "unexpected {:?} after the expression",
                p.toks[p.pos]
            ));
        }
        Ok(f)
    }

    /// The first operator that needs an advanced query (`ConsistencyLevel: eventual` and
    /// `$count=true`), if any.
    pub fn advanced_operator(&self) -> Option<&'static str> {
        match self {
            Filter::And(a, b) | Filter::Or(a, b) => {
                a.advanced_operator().or_else(|| b.advanced_operator())
            }
            Filter::Not(_) => Some("not"),
            Filter::Cmp(_, CmpOp::Ne, _) => Some("ne"),
            Filter::EndsWith(..) => Some("endsWith"),
            _ => None,
        }
    }

    pub fn matches(&self, object: &Map<String, Value>) -> bool {
        let prop = |name: &str| -> Value { get_ci(object, name).cloned().unwrap_or(Value::Null) };
        let text = |v: &Value| v.as_str().map(str::to_lowercase);
        match self {
            Filter::And(a, b) => a.matches(object) && b.matches(object),
            Filter::Or(a, b) => a.matches(object) || b.matches(object),
            Filter::Not(a) => !a.matches(object),
            Filter::In(name, values) => {
                let v = prop(name);
                values.iter().any(|x| loose_eq(&v, x))
            }
            Filter::StartsWith(name, s) => text(&prop(name))
                .map(|v| v.starts_with(&s.to_lowercase()))
                .unwrap_or(false),
            Filter::EndsWith(name, s) => text(&prop(name))
                .map(|v| v.ends_with(&s.to_lowercase()))
                .unwrap_or(false),
            Filter::Cmp(name, op, lit) => {
                let v = prop(name);
                match op {
                    CmpOp::Eq => loose_eq(&v, lit),
                    CmpOp::Ne => !loose_eq(&v, lit),
                    _ => {
                        let ord = match (v.as_f64(), lit.as_f64()) {
                            (Some(a), Some(b)) => a.partial_cmp(&b),
                            _ => match (v.as_str(), lit.as_str()) {
                                (Some(a), Some(b)) => Some(a.to_lowercase().cmp(&b.to_lowercase())),
                                _ => None,
                            },
                        };
                        match (ord, op) {
                            (Some(o), CmpOp::Gt) => o.is_gt(),
                            (Some(o), CmpOp::Ge) => o.is_ge(),
                            (Some(o), CmpOp::Lt) => o.is_lt(),
                            (Some(o), CmpOp::Le) => o.is_le(),
                            _ => false,
                        }
                    }
                }
            }
        }
    }
}

/// Equality as directory filters compare: strings ignore case.
fn loose_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::String(x), Value::String(y)) => x.eq_ignore_ascii_case(y),
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(items), other) => items.iter().any(|i| loose_eq(i, other)),
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn filters_parse_and_match() {
        let u = obj(
            json!({"displayName": "Adele Vance", "accountEnabled": true, "userType": "Member", "mail": "adelev@contoso.com"}),
        );
        for (f, expected) in [
            ("displayName eq 'adele vance'", true),
            ("startswith(displayName,'Ad')", true),
            ("startswith(displayName,'x') or accountEnabled eq true", true),
            ("userType eq 'Guest' and accountEnabled eq true", false),
            ("userType in ('Guest','Member')", true),
            ("(displayName eq 'x' or mail eq 'ADELEV@contoso.com') and not (userType eq 'Guest')", true),
            ("endswith(mail,'@contoso.com')", true),
            ("jobTitle eq null", true),
        ] {
            assert_eq!(Filter::parse(f).unwrap().matches(&u), expected, "{f}");
        }
    }

    #[test]
    fn advanced_operators_are_reported_and_bad_filters_fail() {
        assert_eq!(
            Filter::parse("mail ne 'x'").unwrap().advanced_operator(),
            Some("ne")
        );
        assert_eq!(
            Filter::parse("endswith(mail,'x')")
                .unwrap()
                .advanced_operator(),
            Some("endsWith")
        );
        assert_eq!(
            Filter::parse("mail eq 'x'").unwrap().advanced_operator(),
            None
        );
        assert!(Filter::parse("displayName eq").is_err());
        assert!(Filter::parse("displayName eq 'x").is_err());
        assert!(Filter::parse("displayName like 'x'").is_err());
    }

    #[test]
    fn top_is_bounded_and_skiptokens_round_trip() {
        assert!(Query::parse(Some("$top=1000"), 999)
            .unwrap_err()
            .message
            .contains("between 1 and 999"));
        assert_eq!(Query::parse(Some("%24top=5"), 999).unwrap().top, Some(5));
        let q = Query::parse(Some(&format!("$skiptoken={}", encode_skiptoken(42))), 999).unwrap();
        assert_eq!(q.offset().unwrap(), 42);
        assert_eq!(page(5, 3, 2), (3..5, None));
        assert_eq!(page(3, 0, 2), (0..2, Some(2)));
        assert_eq!(page(3, 7, 2), (3..3, None), "past the end: an empty page");
    }
}
