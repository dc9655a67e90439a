//! Graph endpoints: authentication, faults, routing and the shared response helpers.

mod actions;
mod applications;
mod audit;
mod batch;
mod binds;
mod calendar;
mod conditional_access;
mod deep_insert;
mod derived;
mod directory;
mod drives;
mod dynamic;
mod etags;
mod extensions;
pub mod generic;
mod groups;
mod identity_protection;
mod links;
mod methods;
mod password_reset;
mod photos;
mod pim;
mod planner;
mod policies;
mod recycle;
pub mod reports;
mod service_principals;
mod teams;
mod upsert;
mod users;

use axum::body::Body;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, Method, Response, StatusCode};
use serde_json::{Map, Value};

use super::faults::Fault;
use super::odata::{GraphErr, Query};
use super::tokens::Principal;
use super::{AppState, DropConnection, RequestIds};

/// The API version of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ver {
    V1,
    Beta,
}

impl Ver {
    pub fn segment(self) -> &'static str {
        match self {
            Ver::V1 => "v1.0",
            Ver::Beta => "beta",
        }
    }
}

/// Everything a handler needs about the request.
pub struct Ctx<'a> {
    pub state: &'a AppState,
    pub ids: &'a RequestIds,
    pub ver: Ver,
    pub principal: Principal,
    pub eventual: bool,
    pub query: Query,
    /// The request path below the version, for nextLinks.
    pub path: String,
}

pub type Handled = Result<Response<Body>, GraphErr>;

/// Directory roles that let a delegated caller act on other users' authentication methods.
pub const AUTH_ADMIN_ROLES: &[&str] = &[
    "Global Administrator",
    "Privileged Authentication Administrator",
    "Authentication Administrator",
];
/// Directory roles that let a delegated caller change policies and per-user MFA.
pub const POLICY_ADMIN_ROLES: &[&str] = &[
    "Global Administrator",
    "Authentication Policy Administrator",
];
/// Directory roles that let a delegated caller manage users and groups.
pub const DIRECTORY_ADMIN_ROLES: &[&str] = &[
    "Global Administrator",
    "User Administrator",
    "Groups Administrator",
];

impl Ctx<'_> {
    /// `@odata.context` for a fragment such as `users` or `users/$entity`.
    pub fn context(&self, fragment: &str) -> String {
        format!(
            "{}/{}/$metadata#{}",
            self.state.config.context_host,
            self.ver.segment(),
            fragment
        )
    }

    /// Checks the token holds one of `permissions`; for delegated callers acting on someone
    /// else (`target_user` not themselves), also that the user holds one of `roles`.
    pub fn require(
        &self,
        permissions: &[&str],
        roles: &[&str],
        target_user: Option<&str>,
    ) -> Result<(), GraphErr> {
        if !self.principal.has_any(permissions) {
            return Err(GraphErr::denied());
        }
        if let Some(me) = &self.principal.user_id {
            let on_self = target_user.map(|t| t == me).unwrap_or(false);
            if !on_self && !roles.is_empty() {
                let tenant = self.state.tenant();
                let has_role = tenant
                    .users
                    .get(me)
                    .map(|u| u.roles.iter().any(|r| roles.contains(&r.as_str())))
                    .unwrap_or(false);
                if !has_role {
                    return Err(GraphErr::denied());
                }
            }
        }
        Ok(())
    }

    /// The nextLink for the page starting at `offset`: the request's own query, with `$`
    /// left readable as Graph writes it.
    ///
    /// Unlike `@odata.context` ([`Ctx::context`], Graph's host, never dereferenced), the link
    /// is on the sandbox's own origin, in process and as a server alike: clients follow it as
    /// given (OData JSON Format 4.01 §4.5.5: "the URL ... to retrieve the next page"), and
    /// they send their token only to the origin they connected to. MgGraph's `-All` paging
    /// follows it unchanged and refuses another origin (only `Invoke-MgGraphRequest -Uri`
    /// maps `https://graph.microsoft.com` onto a sandbox connection), and Microsoft's .NET SDK
    /// (`PageIterator`, in `tests/dotnet`) follows it with its own HTTP client; a
    /// graph.microsoft.com link would fail the one and send the other's token to the real
    /// Graph. Tools that cut Graph's prefix off a nextLink to reuse it as a `$batch` step URL
    /// (EntraExporter) are served by the batch taking its own absolute URLs
    /// (`batch::own_absolute`).
    pub fn next_link(&self, offset: usize) -> String {
        let mut pairs: Vec<(String, String)> = self
            .query
            .raw
            .iter()
            .filter(|(k, _)| !k.trim_start_matches('$').eq_ignore_ascii_case("skiptoken"))
            .cloned()
            .collect();
        pairs.push(("$skiptoken".into(), super::odata::encode_skiptoken(offset)));
        format!(
            "{}/{}{}?{}",
            self.state.base_url,
            self.ver.segment(),
            self.path,
            crate::engine::uri::query_string(&pairs)
        )
    }

    /// Page size for a collection: `$top`, else the service default.
    pub fn page_size(&self) -> usize {
        self.query
            .top
            .unwrap_or(self.state.config.default_page_size)
    }
}

/// A JSON response with Graph's OData headers.
pub fn json(status: StatusCode, value: &Value) -> Response<Body> {
    let mut r = Response::new(Body::from(value.to_string()));
    *r.status_mut() = status;
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(
            "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8",
        ),
    );
    h.insert("OData-Version", HeaderValue::from_static("4.0"));
    r
}

/// 201 Created with `body` and, as Graph answers a create, the new object's URL in `Location`
/// (the collection posted to, then `id`).
pub fn created(ctx: &Ctx, body: &Value, id: &str) -> Response<Body> {
    let mut r = json(StatusCode::CREATED, body);
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{}/{}{}/{}",
        ctx.state.base_url,
        ctx.ver.segment(),
        ctx.path.trim_end_matches('/'),
        id
    )) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}

pub fn no_content() -> Response<Body> {
    let mut r = Response::new(Body::empty());
    *r.status_mut() = StatusCode::NO_CONTENT;
    r
}

/// Parses a JSON object body, with Graph's message when it is not one.
pub fn body_object(body: &[u8]) -> Result<Map<String, Value>, GraphErr> {
    let bad = || {
        GraphErr::new(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.",
        )
    };
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(bad()),
    }
}

/// A collection response with paging.
pub fn collection(ctx: &Ctx, context: &str, items: Vec<Value>, count: Option<usize>) -> Handled {
    collection_of(ctx, context, &items, count, Value::clone)
}

/// A collection response with paging, shaping only the items of the page asked for.
pub fn collection_of<T>(
    ctx: &Ctx,
    context: &str,
    items: &[T],
    count: Option<usize>,
    shape: impl Fn(&T) -> Value,
) -> Handled {
    let offset = ctx.query.offset()?;
    let (range, next) = super::odata::page(items.len(), offset, ctx.page_size());
    let page: Vec<Value> = items[range].iter().map(shape).collect();
    let mut body = Map::new();
    body.insert("@odata.context".into(), Value::String(ctx.context(context)));
    if let (Some(n), true) = (count, offset == 0) {
        body.insert("@odata.count".into(), Value::from(n));
    }
    if let Some(next) = next {
        body.insert("@odata.nextLink".into(), Value::String(ctx.next_link(next)));
    }
    body.insert("value".into(), Value::Array(page));
    Ok(json(StatusCode::OK, &Value::Object(body)))
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then_some(token)
}

/// Splits a Graph path into decoded segments, turning `users('x')` into `users`, `x`.
pub fn segments(path: &str) -> Vec<String> {
    let mut out = vec![];
    for raw in path.split('/').filter(|s| !s.is_empty()) {
        let seg = percent_encoding::percent_decode_str(raw)
            .decode_utf8_lossy()
            .to_string();
        match (seg.find('('), seg.ends_with(')')) {
            (Some(open), true) if open > 0 => {
                // `users('x')` → users, x; `applications(appId='x')` → applications, appId='x'.
                out.push(seg[..open].to_string());
                let inner = &seg[open + 1..seg.len() - 1];
                match inner.strip_prefix('\'').and_then(|i| i.strip_suffix('\'')) {
                    Some(quoted) => out.push(quoted.replace("''", "'")),
                    None => out.push(inner.to_string()),
                }
            }
            _ => out.push(seg),
        }
    }
    out
}

/// The path with OData's namespace spellings reduced to the catalog's: the `graph.` alias
/// becomes `microsoft.graph.` (`/groups/{id}/members/graph.user`, what Microsoft's .NET SDK 5.x
/// sends), and a namespace-qualified action or function segment loses its namespace
/// (`/users/{id}/microsoft.graph.assignLicense`, `/directoryObjects/microsoft.graph.getByIds`,
/// `/users/microsoft.graph.delta()`), which Graph accepts both ways
/// (<https://learn.microsoft.com/graph/api/user-assignlicense>: "POST
/// /users/{id}/assignLicense"; OData 4.01 URL conventions §4.5 and §4.8: bound operations and
/// casts are namespace-qualified, and a service may accept them unqualified). Casts (a
/// qualified name that is a type) keep their namespace. Raw, percent-encoded segments in and
/// out; one pass, no recursion.
/// Beta's names for objects v1.0 keeps elsewhere, the same objects: the directory settings
/// (`/beta/settings`, `/beta/directorySettingTemplates`: directorysetting-list, used by
/// ScubaGear and Maester's EIDSCA checks) are v1.0's `groupSettings` and
/// `groupSettingTemplates`; `/beta/administrativeUnits` (administrativeunit-list, EntraExporter)
/// is `/directory/administrativeUnits`; `/beta/authenticationMethodsPolicy`
/// (authenticationmethodspolicy-get, the Zero Trust Assessment) is
/// `/policies/authenticationMethodsPolicy`. Segments match in any case, as Graph's do.
fn beta_alias(ver: Ver, path: &str) -> std::borrow::Cow<'_, str> {
    if ver != Ver::Beta {
        return path.into();
    }
    for (beta, v1) in [
        ("/settings", "/groupSettings"),
        ("/directorySettingTemplates", "/groupSettingTemplates"),
        ("/administrativeUnits", "/directory/administrativeUnits"),
        (
            "/authenticationMethodsPolicy",
            "/policies/authenticationMethodsPolicy",
        ),
    ] {
        let Some(head) = path.get(..beta.len()) else {
            continue;
        };
        let rest = &path[beta.len()..];
        if head.eq_ignore_ascii_case(beta) && (rest.is_empty() || rest.starts_with(['/', '('])) {
            return format!("{v1}{rest}").into();
        }
    }
    path.into()
}

pub fn qualified_path(path: &str) -> String {
    if !path.contains("graph.") {
        return path.to_string();
    }
    // From a drive path's `root:/` (or `items/{id}:/`) on, segments are file and folder names
    // (`root:/graph.json:`), never operations or casts. (A function's parameters may hold a
    // colon too, `T00:00:00Z`, but never `:/`.)
    if let Some(colon) = path.find(":/") {
        let cut = path[..colon].rfind('/').unwrap_or(0);
        return format!("{}{}", qualified_path(&path[..cut]), &path[cut..]);
    }
    let cat = crate::sandbox::store::catalog::catalog();
    let mut out = String::with_capacity(path.len() + 16);
    for (i, raw) in path.split('/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        let seg = if raw.len() > 6 && raw[..6].eq_ignore_ascii_case("graph.") {
            std::borrow::Cow::Owned(format!("microsoft.graph.{}", &raw[6..]))
        } else {
            std::borrow::Cow::Borrowed(raw)
        };
        const NS: &str = "microsoft.graph.";
        if seg.len() > NS.len() && seg[..NS.len()].eq_ignore_ascii_case(NS) {
            let name = &seg[NS.len()..];
            let bare = name.split('(').next().unwrap_or(name);
            // An operation of a sub-namespace (`microsoft.graph.security.remediate`) keeps its
            // qualification: only the default namespace may be left out.
            if cat.ty(&format!("{NS}{bare}")).is_none() && !bare.contains('.') {
                out.push_str(name);
                continue;
            }
        }
        out.push_str(&seg);
    }
    out
}

/// Resource units a request costs (Graph's identity limits).
fn cost(method: &Method, segs: &[String], query: &Query) -> f64 {
    // A `$batch` envelope costs nothing: each of its steps is throttled on its own.
    if segs.len() == 1 && segs[0] == "$batch" {
        return 0.0;
    }
    let mut cost: f64 = match (method, segs.first().map(String::as_str), segs.len()) {
        (&Method::GET, Some("users"), 1) => 2.0,
        (&Method::GET, Some("groups"), 3) if segs[2] == "members" => 3.0,
        _ => 1.0,
    };
    if !query.select.is_empty() {
        cost -= 1.0;
    }
    if query.top.map(|t| t < 20).unwrap_or(false) {
        cost -= 1.0;
    }
    cost.max(1.0)
}

pub async fn handle(
    state: &AppState,
    parts: &Parts,
    body: &[u8],
    ids: &RequestIds,
) -> Response<Body> {
    let fail = |e: GraphErr| e.into_response(&ids.request_id, &ids.client_request_id);
    let full = parts.uri.path();
    let (ver, path) = if let Some(rest) = full.strip_prefix("/v1.0") {
        (Ver::V1, rest)
    } else if let Some(rest) = full.strip_prefix("/beta") {
        (Ver::Beta, rest)
    } else {
        return fail(GraphErr::segment_not_found(full));
    };
    let principal = {
        let Some(token) = bearer(&parts.headers) else {
            return fail(GraphErr::new(
                StatusCode::UNAUTHORIZED,
                "InvalidAuthenticationToken",
                "Access token is empty.",
            ));
        };
        let tenant_id = state.tenant().id.clone();
        match state.signer.verify(token, &tenant_id) {
            Ok(p) => p,
            Err(e) => {
                return fail(GraphErr::new(
                    StatusCode::UNAUTHORIZED,
                    "InvalidAuthenticationToken",
                    e.message(),
                ))
            }
        }
    };
    let query = match Query::parse(parts.uri.query(), state.config.max_page_size) {
        Ok(q) => Query {
            beta: ver == Ver::Beta,
            ..q
        },
        Err(e) => return fail(e),
    };
    let path = &qualified_path(&beta_alias(ver, path));
    let segs = segments(path);

    let faults = &state.faults;
    if faults.config.is_active() {
        if !faults.config.latency.is_zero() {
            tokio::time::sleep(faults.config.latency).await;
        }
        let attempt = parts
            .headers
            .get("Retry-Attempt")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("0");
        let mut key = format!("{} {} {attempt} ", parts.method, parts.uri).into_bytes();
        key.extend_from_slice(body);
        match faults.decide(&principal.app_id, &key, cost(&parts.method, &segs, &query)) {
            Fault::None => {}
            Fault::Drop => {
                let mut r = Response::new(Body::empty());
                r.extensions_mut().insert(DropConnection);
                return r;
            }
            Fault::Unavailable { retry_after } => {
                return fail(
                    GraphErr::new(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "serviceNotAvailable",
                        "The service is temporarily unavailable. Please retry later.",
                    )
                    .with_header("Retry-After", retry_after.to_string()),
                )
            }
            Fault::Throttled {
                retry_after,
                reason,
            } => {
                state
                    .traffic
                    .throttled
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                return fail(
                    GraphErr::new(
                        StatusCode::TOO_MANY_REQUESTS,
                        "TooManyRequests",
                        "Too many requests. Please retry after the time in the Retry-After header.",
                    )
                    .with_header("Retry-After", retry_after.to_string())
                    .with_header(
                        "x-ms-throttle-scope",
                        format!(
                            "Tenant_Application/ReadWrite/{}/{}",
                            principal.app_id, principal.tenant_id
                        ),
                    )
                    .with_header("x-ms-throttle-information", reason),
                );
            }
        }
    }

    let eventual = parts
        .headers
        .get("ConsistencyLevel")
        .and_then(|v| v.to_str().ok())
        .map(|v| v.eq_ignore_ascii_case("eventual"))
        .unwrap_or(false);
    let ctx = Ctx {
        state,
        ids,
        ver,
        principal,
        eventual,
        query,
        path: path.to_string(),
    };
    match route(&ctx, &parts.method, segs, body, &parts.headers).await {
        Ok(r) => r,
        Err(e) => fail(e),
    }
}

async fn route(
    ctx: &Ctx<'_>,
    method: &Method,
    segs: Vec<String>,
    body: &[u8],
    headers: &HeaderMap,
) -> Handled {
    if segs.len() == 1 && segs[0] == "$batch" && method == Method::POST {
        return batch::handle(ctx, body, headers).await;
    }
    let mut segs = segs;
    let answer = route_with_headers(ctx, method, &mut segs, body, headers);
    after(ctx, method, &answer);
    answer
}

/// A successful write, as what Graph does in its background after it reads it: the path's
/// segments (below the version, `/me` as the signed-in user's `/users/{id}`) and, for a create,
/// the new object's id (from the answer's `Location`).
pub struct Written {
    pub segs: Vec<String>,
    pub created: Option<String>,
}

/// What Graph does in the background after a write, done before the next request: the audit
/// log records it, and dynamic groups' members follow their rules.
fn after(ctx: &Ctx<'_>, method: &Method, answer: &Handled) {
    let Ok(response) = answer else {
        return;
    };
    if method == Method::GET {
        return;
    }
    let mut segs: Vec<String> = ctx
        .path
        .split('?')
        .next()
        .unwrap_or_default()
        .split('/')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    if segs.first().map(String::as_str) == Some("me") {
        segs[0] = ctx.principal.user_id.clone().unwrap_or_default();
        segs.insert(0, "users".into());
    }
    let created = response
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|l| l.rsplit('/').next())
        .map(str::to_string);
    let written = Written { segs, created };
    let mut t = ctx.state.tenant_mut();
    audit::record(&mut t, ctx, method, &written);
    dynamic::after_write(&mut t, &written);
}

/// Routes everything but `$batch` (which batch items may not contain): the hand-written
/// handlers take the paths whose rules they own ([`claimed`]); the generic store serves every
/// other catalog path.
fn route_sync(
    ctx: &Ctx<'_>,
    method: &Method,
    mut segs: Vec<String>,
    body: &[u8],
    headers: &HeaderMap,
) -> Handled {
    let answer = route_with_headers(ctx, method, &mut segs, body, headers);
    after(ctx, method, &answer);
    answer
}

fn route_with_headers(
    ctx: &Ctx<'_>,
    method: &Method,
    segs: &mut Vec<String>,
    body: &[u8],
    headers: &HeaderMap,
) -> Handled {
    let key = match segs.as_slice() {
        [set, key, ..] if OBJECT_ID_SETS.contains(&set.as_str()) => Some(key.clone()),
        _ => None,
    };
    let answer = route_path(ctx, method, segs, body, headers);
    match (answer, key) {
        // An alternate key (`applications(uniqueName='x')`, `(appId='...')`) names no object id.
        (Err(e), Some(key))
            if e.status == StatusCode::NOT_FOUND
                && uuid::Uuid::parse_str(&key).is_err()
                && !key.contains('=') =>
        {
            Err(invalid_object_id(&key, e))
        }
        (answer, _) => answer,
    }
}

/// The directory's sets keyed by object id alone (users are also keyed by user principal
/// name). An object the directory cannot find there by a key that is no object id is Graph's
/// 400, not a 404: `GET /groups/not-a-guid` answers `Invalid object identifier 'not-a-guid'.`
/// (`Request_BadRequest`); scripts that tell a typo from a deleted object read the status.
const OBJECT_ID_SETS: &[&str] = &[
    "groups",
    "applications",
    "servicePrincipals",
    "devices",
    "contacts",
    "directoryObjects",
    "directoryRoles",
    "directoryRoleTemplates",
];

/// Graph's answer for a key that is no object id, where the lookup by it found nothing
/// (`not_found` keeps its request headers).
fn invalid_object_id(key: &str, not_found: GraphErr) -> GraphErr {
    let decoded = percent_encoding::percent_decode_str(key).decode_utf8_lossy();
    let mut e = GraphErr::bad_request(format!("Invalid object identifier '{decoded}'."));
    e.headers = not_found.headers;
    e
}

fn route_path(
    ctx: &Ctx<'_>,
    method: &Method,
    segs: &mut Vec<String>,
    body: &[u8],
    headers: &HeaderMap,
) -> Handled {
    let mut path = ctx.path.clone();
    if segs.first().map(String::as_str) == Some("me") {
        let Some(me) = ctx.principal.user_id.clone() else {
            return Err(GraphErr::bad_request(
                "/me request is only valid with delegated authentication flow.",
            ));
        };
        segs[0] = me.clone();
        segs.insert(0, "users".into());
        let rest = path
            .trim_start_matches('/')
            .split_once('/')
            .map(|(_, r)| format!("/{r}"))
            .unwrap_or_default();
        path = format!("/users/{me}{rest}");
    }
    // Every path, hand-written or generic, needs what Graph documents for it.
    let allowed = crate::sandbox::authz::authorize(
        &ctx.state.tenant(),
        &ctx.principal,
        method.as_str(),
        &ctx.path,
    );
    if !allowed {
        return Err(GraphErr::denied());
    }
    // And what Graph documents for some properties on their own (`signInActivity`).
    let texts: Vec<&str> = ctx
        .query
        .select
        .iter()
        .map(String::as_str)
        .chain(ctx.query.filter.as_deref())
        .chain(ctx.query.orderby.as_deref())
        .collect();
    let held = |g: &crate::catalog::permissions::Guarded| {
        ctx.principal
            .permissions
            .iter()
            .any(|h| g.grants.iter().any(|n| h.eq_ignore_ascii_case(n)))
    };
    if crate::catalog::permissions::guarded(method.as_str(), &ctx.path, &texts)
        .iter()
        .any(|g| !held(g))
    {
        return Err(GraphErr::denied());
    }
    // A default calendar's addresses, rewritten to where the store keeps it (made on first use:
    // hence the write lock, taken only for calendar paths).
    if segs
        .get(2)
        .is_some_and(|n| n == "calendar" || n == "calendars")
    {
        calendar::route(&mut ctx.state.tenant_mut(), segs, &mut path);
    }
    // The root site by its other names (`/sites/root/lists`), at the id the store keeps it by.
    if let Some(canonical) =
        drives::canonical_site_path(ctx, &path).or_else(|| role_by_template_path(ctx, &path))
    {
        *segs = canonical
            .trim_start_matches('/')
            .split('/')
            .map(str::to_string)
            .collect();
        path = canonical;
    }
    let s: Vec<&str> = segs.iter().map(String::as_str).collect();
    if let (
        &Method::GET,
        ["users", user, "calendarView"] | ["users", user, "calendar", "calendarView"],
    ) = (method, s.as_slice())
    {
        return generic::calendar_view(ctx, user);
    }
    if let Some(answer) = photos::route(ctx, method, &s) {
        return answer;
    }
    if let Some(answer) = teams::route(ctx, method, &s, body) {
        return answer;
    }
    if let Some(answer) = drives::route(ctx, method, &path, body, headers) {
        return answer;
    }
    if !claimed(ctx, method, &path, &s, body) {
        return generic::handle(ctx, method, &path, body, headers);
    }
    match s.as_slice() {
        ["users", ..] => users::route(ctx, method, &s[1..], body),
        ["groups", ..] => groups::route(ctx, method, &s[1..], body),
        ["applications", ..] => applications::route(ctx, method, &s[1..], body),
        ["policies", "authenticationMethodsPolicy", rest @ ..] => {
            policies::route(ctx, method, rest, body)
        }
        [first, ..] => Err(GraphErr::segment_not_found(first)),
        [] => Err(GraphErr::segment_not_found("")),
    }
}

/// A list's `@odata.context` path: the set, and its `$select` when there is one
/// (`users(id,displayName)`), as Graph writes it.
/// `/directoryRoles(roleTemplateId='{id}')/{below}` (directoryrole-list-members' documented
/// form) as the activated role's own path, `/directoryRoles/{role-id}/{below}`; `None` for any
/// other path and for a template not activated (Graph's 404 then comes from the store).
fn role_by_template_path(ctx: &Ctx, path: &str) -> Option<String> {
    let rest = path.strip_prefix("/directoryRoles(")?;
    let (key, below) = rest.split_once(")/")?;
    let template = percent_encoding::percent_decode_str(key)
        .decode_utf8_lossy()
        .strip_prefix("roleTemplateId=")?
        .trim_matches('\'')
        .to_string();
    let tenant = ctx.state.tenant();
    let role = tenant
        .store
        .sets
        .get("directoryRoles")?
        .values()
        .find(|r| {
            r.object
                .get("roleTemplateId")
                .and_then(Value::as_str)
                .is_some_and(|t| t.eq_ignore_ascii_case(&template))
        })?;
    Some(format!("/directoryRoles/{}/{below}", role.id()))
}

pub fn projection_context(set: &str, select: &[String]) -> String {
    if select.is_empty() {
        set.to_string()
    } else {
        format!("{set}({})", select.join(","))
    }
}

/// Whether a hand-written handler owns the request: users (list, create, get, update, delete,
/// `$count`, their authentication methods and memberships), groups (list, create, get, delete,
/// members and memberships; actions on the collections, `users/getByIds`, are the generic
/// store's), application certificates (a PATCH that sets `keyCredentials`) and
/// the authentication methods policy. Function calls (`users/delta()`) and alternate keys go to
/// the generic store.
fn claimed(ctx: &Ctx, method: &Method, raw_path: &str, s: &[&str], body: &[u8]) -> bool {
    // `segments` splits `delta()` into `delta`, ``; alternate keys become `name='x'`.
    // Certificates on applications (`applications(appId='x')` too) keep their X.509 rule; any
    // other update (notes, web, ... as the SDKs send them, with `@odata.type`) is the generic
    // store's. A body that is not a JSON object gets the hand-written handler's error.
    if let ["applications", _] = s {
        return method == Method::PATCH
            && serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(body)
                .map_or(true, |o| o.contains_key("keyCredentials"));
    }
    let calls = raw_path.contains('(') && !raw_path.contains("('");
    if calls || s.iter().any(|x| x.contains('=')) {
        return false;
    }
    let _ = ctx;
    match s {
        ["users"] | ["users", "$count"] => true,
        // A POST to `users/{segment}` is a collection-bound action (`getByIds`,
        // `validateProperties`): no user is ever POSTed to.
        ["users", key] => !matches!(*key, "delta") && method != Method::POST,
        ["users", _, "authentication", m, ..] => matches!(
            *m,
            "methods"
                | "passwordMethods"
                | "temporaryAccessPassMethods"
                | "fido2Methods"
                | "requirements"
        ),
        ["users", _, "memberOf" | "transitiveMemberOf", ..] => method == Method::GET,
        ["groups"] | ["groups", "$count"] => true,
        ["groups", key] => *key != "delta" && method != Method::PATCH && method != Method::POST,
        ["groups", _, "members", ..] => true,
        ["groups", _, "memberOf" | "transitiveMembers" | "transitiveMemberOf", ..] => {
            method == Method::GET
        }
        ["policies", "authenticationMethodsPolicy", ..] => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cost_of(method: Method, path: &str, query: Option<&str>) -> f64 {
        let q = Query::parse(query, 999).expect("query parses");
        cost(&method, &segments(path), &q)
    }

    #[test]
    fn resource_units_follow_the_identity_limits() {
        assert_eq!(cost_of(Method::GET, "/users", None), 2.0);
        assert_eq!(cost_of(Method::GET, "/users", Some("$select=id")), 1.0);
        assert_eq!(cost_of(Method::GET, "/groups/g/members", None), 3.0);
        assert_eq!(
            cost_of(
                Method::POST,
                "/users/u/authentication/temporaryAccessPassMethods",
                None
            ),
            1.0
        );
        // Each step of a batch is charged on its own; the envelope is free.
        assert_eq!(cost_of(Method::POST, "/$batch", None), 0.0);
    }
}
