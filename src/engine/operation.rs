//! Runs a catalog command: parameters → URL, query, headers and body → HTTP → output.
//!
//! List sets page iteratively: each page is handed on as soon as it arrives while the next is
//! fetched (the call's output window bounds how far ahead), so `-All` runs in constant memory.

use std::borrow::Cow;

use serde_json::value::RawValue;
use serde_json::{json, Map, Value};

use super::body::{body_parameter, expanded_value};
use super::error::{describe, ErrorStyle, GraphError};
use super::files::{FileSource, OutTarget};
use super::http::{Payload, Request, Response, Transport};
use super::uri::{fill_path, with_query};
use crate::call::EventSink;
use crate::catalog::models::{model, Model};
use crate::catalog::{Command, ParamSet, QueryOption, Role, RouteKind};
use crate::json::{get_ci, scalar_text, string_list, truthy};

/// Where a command's results go: straight to the call (sequential), or into a buffer that
/// the bulk runner releases in input order.
pub enum Sink<'a> {
    Stream(&'a EventSink),
    Buffer(Vec<Emitted>),
}

/// A buffered result.
#[derive(Debug, Clone)]
pub enum Emitted {
    Output(String),
    Error(Value),
    Meta(Value),
}

/// Whether member `k` of `model` lands in an untyped slot: undeclared (AdditionalProperties)
/// or declared as any value (`Edm.Untyped`), which the module turns into dictionaries and lists
/// as the SDK holds them.
fn untyped(model: &Model, k: &str) -> bool {
    model.prop(k).map_or(true, |p| {
        matches!(p.ty, crate::catalog::models::PropType::Any)
    })
}

/// Whether any item has an object or array value in an untyped slot (see `untyped`). Such
/// values reach PowerShell as JSON tokens and need converting to dictionaries; the module
/// does that only for pages this flags, so the common case costs nothing per object.
pub fn has_nested_additional(model: Option<&Model>, items: &[Value]) -> bool {
    let Some(model) = model.filter(|m| m.additional_properties) else {
        return false;
    };
    items.iter().any(|item| {
        item.as_object()
            .map(|o| {
                o.iter()
                    .any(|(k, v)| (v.is_object() || v.is_array()) && untyped(model, k))
            })
            .unwrap_or(false)
    })
}

/// One page of a collection, read without building a tree: its items stay JSON text, which
/// is handed on as it came. (Parsing 999 users into `Value`s and writing them out again cost
/// the engine more CPU than the sandbox spent serving them.)
#[derive(serde::Deserialize)]
struct RawPage<'a> {
    #[serde(borrow, default)]
    value: Option<Vec<&'a RawValue>>,
    #[serde(rename = "@odata.nextLink", default)]
    next_link: Option<String>,
    #[serde(rename = "@odata.count", default)]
    count: Option<i64>,
}

/// A page's items: raw text when the page has the usual shape, else parsed values.
enum PageItems<'a> {
    Raw(Vec<&'a RawValue>),
    Parsed(Vec<Value>),
}

impl PageItems<'_> {
    fn len(&self) -> usize {
        match self {
            PageItems::Raw(v) => v.len(),
            PageItems::Parsed(v) => v.len(),
        }
    }

    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn truncate(&mut self, n: usize) {
        match self {
            PageItems::Raw(v) => v.truncate(n),
            PageItems::Parsed(v) => v.truncate(n),
        }
    }
}

/// One page of a list response.
struct Page<'a> {
    items: PageItems<'a>,
    next_link: Option<String>,
    count: Option<i64>,
}

impl<'a> Page<'a> {
    fn read(resp: &'a Response) -> Result<Page<'a>, GraphError> {
        if resp.body.is_empty() {
            return Ok(Page {
                items: PageItems::Raw(Vec::new()),
                next_link: None,
                count: None,
            });
        }
        if let Ok(raw) = resp.parse::<RawPage>() {
            return Ok(Page {
                items: PageItems::Raw(raw.value.unwrap_or_default()),
                next_link: raw.next_link,
                count: raw.count,
            });
        }
        // Valid JSON of another shape (a null body, `"value": {}`, a count written as a
        // string): read it as any JSON, so nothing the service may send is refused.
        let mut page = match resp.json()? {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        Ok(Page {
            count: page.get("@odata.count").and_then(Value::as_i64),
            next_link: page
                .remove("@odata.nextLink")
                .and_then(|v| v.as_str().map(str::to_string)),
            items: PageItems::Parsed(match page.remove("value") {
                Some(Value::Array(a)) => a,
                _ => vec![],
            }),
        })
    }
}

/// [`has_nested_additional`] for raw items: members are scanned, values stay text.
pub fn raw_has_nested_additional(model: Option<&Model>, items: &[&RawValue]) -> bool {
    let Some(model) = model.filter(|m| m.additional_properties) else {
        return false;
    };
    items.iter().any(|item| {
        item.get().starts_with('{')
            && serde_json::from_str::<NestedProbe>(item.get())
                .map(|p| p.undeclared_structure(model))
                .unwrap_or(false)
    })
}

/// The members of one object whose values are objects or arrays (names only).
struct NestedProbe<'a>(Vec<Cow<'a, str>>);

impl NestedProbe<'_> {
    fn undeclared_structure(&self, model: &Model) -> bool {
        self.0.iter().any(|k| untyped(model, k))
    }
}

impl<'de> serde::Deserialize<'de> for NestedProbe<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Members;
        impl<'de> serde::de::Visitor<'de> for Members {
            type Value = NestedProbe<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Self::Value, A::Error> {
                let mut found = Vec::new();
                while let Some(key) = map.next_key::<MemberName>()? {
                    let value: &RawValue = map.next_value()?;
                    if value.get().starts_with(['{', '[']) {
                        found.push(key.0);
                    }
                }
                Ok(NestedProbe(found))
            }
        }
        d.deserialize_map(Members)
    }
}

/// A member name, borrowed from the text unless it has escapes.
struct MemberName<'a>(Cow<'a, str>);

impl<'de> serde::Deserialize<'de> for MemberName<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Name;
        impl<'de> serde::de::Visitor<'de> for Name {
            type Value = MemberName<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a member name")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(MemberName(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(MemberName(Cow::Owned(v.to_string())))
            }
        }
        d.deserialize_str(Name)
    }
}

impl Sink<'_> {
    /// Sends a page of raw items of `model`, as one JSON array.
    pub async fn output_raw_items(&mut self, model: Option<&Model>, items: &[&RawValue]) {
        if raw_has_nested_additional(model, items) {
            self.meta(json!({"nestedAdditionalProperties": true}));
        }
        let mut text =
            String::with_capacity(items.iter().map(|i| i.get().len() + 1).sum::<usize>() + 2);
        text.push('[');
        for (n, item) in items.iter().enumerate() {
            if n > 0 {
                text.push(',');
            }
            text.push_str(item.get());
        }
        text.push(']');
        self.output(text).await;
    }

    /// Sends a page of output objects of `model`.
    pub async fn output_items(&mut self, model: Option<&Model>, items: Vec<Value>) {
        if has_nested_additional(model, &items) {
            self.meta(json!({"nestedAdditionalProperties": true}));
        }
        self.output(Value::Array(items).to_string()).await;
    }

    pub async fn output(&mut self, payload: String) {
        match self {
            Sink::Stream(s) => s.output(payload).await,
            Sink::Buffer(b) => b.push(Emitted::Output(payload)),
        }
    }

    pub fn error(&mut self, e: Value) {
        match self {
            Sink::Stream(s) => s.error(e),
            Sink::Buffer(b) => b.push(Emitted::Error(e)),
        }
    }

    pub fn meta(&mut self, m: Value) {
        match self {
            Sink::Stream(s) => s.meta(m),
            Sink::Buffer(b) => b.push(Emitted::Meta(m)),
        }
    }
}

/// The SDK's error for an out-of-range `-PageSize`.
fn page_size_error(n: i64) -> GraphError {
    GraphError::invalid(format!(
        "Invalid page size specified `{n}`. PageSize must be between 1 and 999 inclusive."
    ))
}

/// The largest page Graph serves for directory collections.
const MAX_PAGE: i64 = 999;

/// A resolved command invocation, ready to send.
pub struct Prepared {
    pub request: Request,
    pub kind: RouteKind,
    pub page_size_auto: bool,
    pub top: Option<i64>,
    pub all: bool,
    pub count_variable: Option<String>,
    pub rhv: Option<String>,
    pub pass_thru: bool,
    /// What the route's response carries, when the catalog says (`None`: the command's model).
    pub returns: Option<crate::catalog::Returns>,
    /// `-OutFile`: where binary content is written (a full path, resolved by the module).
    pub out_file: Option<String>,
    pub target: Value,
}

/// The ErrorRecord style of a command's set, with the SDK's target object (bound path and
/// query parameters).
pub fn style(cmd: &Command, set: &ParamSet, target: Value) -> ErrorStyle {
    ErrorStyle::Cmdlet {
        activity: cmd.internal_name(&set.name),
        namespace: cmd.api.cmdlet_namespace().to_string(),
        target,
    }
}

/// Turns bound parameters into a request.
pub fn prepare(
    cmd: &'static Command,
    set: &ParamSet,
    params: &Map<String, Value>,
    graph_endpoint: &str,
) -> Result<Prepared, GraphError> {
    let route = set.route;
    let declared = cmd.params();
    let mut path_values: Vec<(&str, String)> = vec![];
    let mut query: Vec<(String, String)> = vec![];
    let mut headers: Vec<(String, String)> = vec![];
    // Which parameters made the URL and which set headers, for errors (`Request::validate`).
    let mut url_params: Vec<(String, String)> = vec![];
    let mut header_params: Vec<(String, String)> = vec![];
    let mut body: Option<Map<String, Value>> = None;
    let mut target = Map::new();
    let mut prepared = Prepared {
        request: Request::new(reqwest::Method::GET, String::new()),
        kind: route.kind,
        page_size_auto: false,
        top: None,
        all: false,
        count_variable: None,
        rhv: None,
        pass_thru: false,
        returns: route.returns,
        out_file: None,
        target: Value::Null,
    };
    let mut in_file: Option<String> = None;
    let mut page_size: Option<i64> = None;
    let mut count = false;

    let input_object = get_ci(params, "InputObject").cloned();
    for ph in route.placeholders() {
        let name = crate::catalog::placeholder_param(ph);
        let value = if set.via_identity {
            let obj = input_object.as_ref().and_then(Value::as_object);
            obj.and_then(|o| get_ci(o, &name)).and_then(scalar_text)
        } else {
            get_ci(params, &name).and_then(scalar_text)
        };
        let value = value.filter(|v| !v.trim().is_empty()).ok_or_else(|| {
            if set.via_identity {
                GraphError::invalid(format!(
                    "The input object has no '{name}' property: pipe objects that carry it (for example from Get-MgUser), or pass -{name}."
                ))
            } else {
                GraphError::invalid(format!("Cannot validate argument on parameter '{name}'. The argument is null or empty."))
            }
        })?;
        target.insert(name.clone(), json!(value));
        url_params.push((name, value.clone()));
        path_values.push((ph, value));
    }

    for p in &declared {
        if !p.sets.iter().any(|(s, _)| s == &set.name) {
            continue;
        }
        let Some(value) = get_ci(params, &p.name) else {
            continue;
        };
        if value.is_null() {
            // An explicit $null for a body property clears it, as a PATCH with null does in
            // Graph (`Update-MgUser -OfficeLocation $null`; the SDK sends "" or nothing, a
            // long-standing complaint: msgraph-sdk-powershell#833, #2514). Any other null
            // parameter is left out.
            if let Role::BodyProp(json_name) = p.role {
                body.get_or_insert_with(Map::new)
                    .insert(json_name.to_string(), Value::Null);
            }
            continue;
        }
        match p.role {
            Role::Query(opt) => {
                target.insert(p.name.clone(), value.clone());
                if matches!(
                    opt,
                    QueryOption::Property
                        | QueryOption::ExpandProperty
                        | QueryOption::Filter
                        | QueryOption::Search
                        | QueryOption::Sort
                ) {
                    url_params.push((
                        p.name.clone(),
                        scalar_text(value).unwrap_or_else(|| string_list(value).join(",")),
                    ));
                }
                match opt {
                    QueryOption::Property => {
                        query.push(("$select".into(), string_list(value).join(",")))
                    }
                    QueryOption::ExpandProperty => {
                        query.push(("$expand".into(), string_list(value).join(",")))
                    }
                    QueryOption::Filter => {
                        query.push(("$filter".into(), scalar_text(value).unwrap_or_default()))
                    }
                    QueryOption::Search => {
                        let s = scalar_text(value).unwrap_or_default();
                        let quoted = if s.starts_with('"') {
                            s
                        } else {
                            format!("\"{s}\"")
                        };
                        query.push(("$search".into(), quoted));
                    }
                    QueryOption::Sort => {
                        query.push(("$orderby".into(), string_list(value).join(",")))
                    }
                    QueryOption::Top => prepared.top = value.as_i64(),
                    QueryOption::Skip => query.push((
                        "$skip".into(),
                        value.as_i64().unwrap_or_default().to_string(),
                    )),
                    QueryOption::PageSize => {
                        let n = value.as_i64().unwrap_or(0);
                        if !(1..=MAX_PAGE).contains(&n) {
                            return Err(page_size_error(n));
                        }
                        page_size = Some(n);
                    }
                    QueryOption::All => prepared.all = truthy(value),
                    QueryOption::CountVariable => {
                        prepared.count_variable = scalar_text(value).filter(|s| !s.is_empty());
                        count = prepared.count_variable.is_some();
                    }
                    QueryOption::ConsistencyLevel => {
                        header_params.push(("ConsistencyLevel".into(), p.name.clone()));
                        headers.push((
                            "ConsistencyLevel".into(),
                            scalar_text(value).unwrap_or_default(),
                        ))
                    }
                }
            }
            Role::BodyProp(json_name) => {
                let ty = route
                    .body
                    .and_then(model)
                    .and_then(|m| m.prop(json_name))
                    .map(|p| p.ty)
                    .unwrap_or(crate::catalog::PropType::Any);
                body.get_or_insert_with(Map::new)
                    .insert(json_name.to_string(), expanded_value(ty, value));
            }
            Role::ActionParam(json_name) => {
                let ty = route
                    .action
                    .iter()
                    .find(|a| a.json == json_name)
                    .map(|a| a.ty)
                    .unwrap_or(crate::catalog::PropType::Any);
                body.get_or_insert_with(Map::new)
                    .insert(json_name.to_string(), expanded_value(ty, value));
            }
            Role::OdataId => {
                let id = scalar_text(value).unwrap_or_default();
                target.insert(p.name.clone(), json!(id));
                body.get_or_insert_with(Map::new)
                    .insert("@odata.id".into(), json!(id));
            }
            Role::RefId => {
                let id = scalar_text(value).unwrap_or_default();
                target.insert(p.name.clone(), json!(id));
                url_params.push((p.name.clone(), id.clone()));
                // Graph takes the member's URL; a bare id is the directory object's.
                let url = if id.contains("://") {
                    id
                } else {
                    format!(
                        "{}/{}/directoryObjects/{}",
                        graph_endpoint.trim_end_matches('/'),
                        cmd.api.segment(),
                        crate::engine::uri::encode_segment(&id)
                    )
                };
                query.push(("$id".into(), url));
            }
            Role::CustomQuery(name) => {
                target.insert(p.name.clone(), value.clone());
                query.push((name.to_string(), scalar_text(value).unwrap_or_default()));
            }
            Role::OutFile => prepared.out_file = scalar_text(value).filter(|s| !s.is_empty()),
            Role::InFile => in_file = scalar_text(value).filter(|s| !s.is_empty()),
            Role::AdditionalProperties => {
                let extra = value.as_object().ok_or_else(|| {
                    GraphError::invalid(
                        "Cannot bind parameter 'AdditionalProperties': pass a hashtable.",
                    )
                })?;
                body.get_or_insert_with(Map::new).extend(extra.clone());
            }
            Role::BodyParameter => {
                let model_id = route.body.unwrap_or_default();
                let object = body_parameter(model_id, value)?;
                body = Some(if route.action.is_empty() {
                    object
                } else {
                    crate::engine::body::action_body(route.action, object)
                });
            }
            Role::DirectoryObjectId => {
                let id = scalar_text(value).unwrap_or_default();
                target.insert(p.name.clone(), json!(id));
                // The reference is a URL the service resolves: the same rules as a path id.
                let reference = fill_path(
                    "/v1.0/directoryObjects/{directoryObject-id}",
                    &[("directoryObject-id", id)],
                )
                .map_err(GraphError::invalid)?;
                body.get_or_insert_with(Map::new).insert(
                    "@odata.id".into(),
                    json!(format!(
                        "{}{reference}",
                        graph_endpoint.trim_end_matches('/')
                    )),
                );
            }
            Role::Headers => {
                if let Some(h) = value.as_object() {
                    for (k, v) in h {
                        if let Some(text) = scalar_text(v) {
                            headers.push((k.clone(), text));
                        }
                    }
                }
            }
            Role::IfMatch => {
                header_params.push(("If-Match".into(), p.name.clone()));
                headers.push(("If-Match".into(), scalar_text(value).unwrap_or_default()))
            }
            Role::PassThru => prepared.pass_thru = truthy(value),
            Role::ResponseHeadersVariable => {
                prepared.rhv = scalar_text(value).filter(|s| !s.is_empty())
            }
            Role::Path(_) | Role::InputObject | Role::ThrottleLimit => {}
        }
    }

    if route.is_paged() {
        if let Some(top) = prepared.top {
            if top < 1 {
                return Err(GraphError::invalid(format!("Cannot validate argument on parameter 'Top'. The argument {top} is less than 1.")));
            }
        }
        let size = match (page_size, prepared.top, prepared.all) {
            (Some(p), Some(t), _) => Some(p.min(t)),
            (Some(p), None, _) => Some(p),
            (None, Some(t), _) => Some(t.min(MAX_PAGE)),
            // MgGraph asks for the largest page when streaming everything (the SDK sends no
            // $top and gets 100), and adapts if the service caps it.
            (None, None, true) if cmd.advanced_query => {
                prepared.page_size_auto = true;
                Some(MAX_PAGE)
            }
            (None, None, _) => None,
        };
        if let Some(n) = size {
            query.push(("$top".into(), n.to_string()));
        }
        if count {
            query.push(("$count".into(), "true".into()));
        }
    } else if let Some(top) = prepared.top {
        query.push(("$top".into(), top.to_string()));
    }

    let path = fill_path(route.path, &path_values).map_err(GraphError::invalid)?;
    let url = with_query(
        &format!(
            "{}/{}{}",
            graph_endpoint.trim_end_matches('/'),
            cmd.api.segment(),
            path
        ),
        &query,
    );
    let method = match route.method {
        crate::catalog::Method::Get => reqwest::Method::GET,
        crate::catalog::Method::Post => reqwest::Method::POST,
        crate::catalog::Method::Patch => reqwest::Method::PATCH,
        crate::catalog::Method::Put => reqwest::Method::PUT,
        crate::catalog::Method::Delete => reqwest::Method::DELETE,
    };
    let mut request = Request::new(method, url);
    request.headers = headers;
    request.url_params = url_params;
    request.header_params = header_params;
    // A URL or header that cannot be sent fails now, naming its parameter (the body and
    // content type that follow are the engine's own).
    request.validate()?;
    match route.kind {
        RouteKind::Create
        | RouteKind::Update
        | RouteKind::Set
        | RouteKind::RefCreate
        | RouteKind::RefSet => {
            request = request.json_body(&Value::Object(body.unwrap_or_default()));
        }
        // An action without parameters is a bare POST.
        RouteKind::Action => {
            if let Some(body) = body {
                request = request.json_body(&Value::Object(body));
            }
        }
        RouteKind::MediaSet => {
            // Streamed from disk when sent; a file Graph would refuse for its size fails here.
            let file = FileSource::check("InFile", in_file.as_deref().unwrap_or_default())?;
            request.body = Some(Payload::File(file));
            request
                .headers
                .push(("Content-Type".into(), "application/octet-stream".into()));
            request.validate()?;
        }
        _ => {}
    }
    // An -OutFile that cannot be written stops the command before anything is sent.
    if let (true, Some(path)) = (route.returns_stream(), &prepared.out_file) {
        OutTarget::check("OutFile", path)?;
    }
    prepared.request = request;
    prepared.target = Value::Object(target);
    Ok(prepared)
}

/// Headers as the `-ResponseHeadersVariable` dictionary (name → values).
pub fn headers_value(headers: &[(String, String)]) -> Value {
    let mut out: Map<String, Value> = Map::new();
    for (k, v) in headers {
        match out.get_mut(k) {
            Some(Value::Array(items)) => items.push(json!(v)),
            _ => {
                out.insert(k.clone(), json!([v]));
            }
        }
    }
    Value::Object(out)
}

/// Runs one invocation of a catalog command. Errors go to the sink as ErrorRecords.
pub async fn run(
    x: &Transport<'_>,
    cmd: &'static Command,
    set: &ParamSet,
    params: &Map<String, Value>,
    graph_endpoint: &str,
    sink: &mut Sink<'_>,
) {
    // A file that cannot be read or written is the same for every pipeline input: it stops
    // the command whatever the set.
    let files = check_files(cmd, set, params, graph_endpoint);
    let file_error = files.is_err();
    let prepared = match files.and_then(|()| prepare(cmd, set, params, graph_endpoint)) {
        Ok(p) => p,
        Err(e) => {
            let mut d = describe(&e, &style(cmd, set, Value::Null));
            if matches!(e, GraphError::Invalid { .. })
                && (file_error || (!set.via_identity && !has_pipeline_role(cmd, set)))
            {
                // Bad arguments that no pipeline input changes stop the command, as the
                // SDK's parameter validation does.
                d["terminating"] = json!(true);
            }
            sink.error(d);
            return;
        }
    };
    let style = style(cmd, set, prepared.target.clone());
    let result = if set.route.is_paged() {
        list(x, cmd, &prepared, sink).await
    } else {
        single(x, cmd, &prepared, sink).await
    };
    if let Err(e) = result {
        let e = e.with_check(|| check_command(cmd, set.route, &prepared.target));
        sink.error(describe(&e, &style));
    }
}

/// The read that shows whether a write whose answer was lost happened: the Get at the same
/// path (an update or delete), or the List of the collection a create posts to (`/$ref`
/// dropped), with the bound path parameters, as a command line
/// (`Get-MgUserAuthenticationTemporaryAccessPassMethod -UserId 'u1'`).
pub fn check_command(
    cmd: &Command,
    route: &crate::catalog::Route,
    target: &Value,
) -> Option<String> {
    let (path, kind) = match route.kind {
        RouteKind::Create | RouteKind::RefCreate => {
            (route.path.trim_end_matches("/$ref"), RouteKind::List)
        }
        RouteKind::Update
        | RouteKind::Set
        | RouteKind::Delete
        | RouteKind::RefSet
        | RouteKind::RefDelete => (route.path.trim_end_matches("/$ref"), RouteKind::Get),
        // Reads need no check; actions and media have no general read-back.
        _ => return None,
    };
    let (reader, read) = crate::catalog::COMMANDS.iter().find_map(|c| {
        (c.api == cmd.api)
            .then(|| c.routes.iter().find(|r| r.kind == kind && r.path == path))
            .flatten()
            .map(|r| (c, r))
    })?;
    let mut line = reader.name.to_string();
    for ph in read.placeholders() {
        let name = crate::catalog::placeholder_param(ph);
        let value = target
            .as_object()
            .and_then(|t| get_ci(t, &name))
            .and_then(scalar_text)?;
        line.push_str(&format!(" -{name} '{}'", value.replace('\'', "''")));
    }
    Some(line)
}

/// Checks a set's `-InFile` (an existing regular file, within Graph's size limit for the
/// route, [`super::limits`]) and `-OutFile` (a file that may be created or replaced), as
/// [`prepare`] does, without the rest of the parameters. Errors are `InvalidArgument`s naming
/// the parameter.
fn check_files(
    cmd: &'static Command,
    set: &ParamSet,
    params: &Map<String, Value>,
    graph_endpoint: &str,
) -> Result<(), GraphError> {
    for p in cmd.params() {
        if !p.sets.iter().any(|(s, _)| s == &set.name) {
            continue;
        }
        let value = get_ci(params, &p.name).and_then(scalar_text);
        match (p.role, value) {
            (Role::InFile, Some(path)) => {
                let file = FileSource::check("InFile", &path)?;
                // The route's path with its placeholders is enough to find the limit.
                let url = format!(
                    "{}/{}{}",
                    graph_endpoint.trim_end_matches('/'),
                    cmd.api.segment(),
                    set.route.path
                );
                let method = reqwest::Method::from_bytes(set.route.method.as_str().as_bytes())
                    .unwrap_or(reqwest::Method::PUT);
                if let Some(problem) =
                    super::limits::body_problem("InFile", &method, &url, file.len, None)
                {
                    return Err(GraphError::invalid(problem));
                }
            }
            (Role::OutFile, Some(path)) if set.route.returns_stream() => {
                OutTarget::check("OutFile", &path)?;
            }
            _ => {}
        }
    }
    Ok(())
}

/// Whether pipeline input can bind in this set (then argument errors are per item).
fn has_pipeline_role(cmd: &'static Command, set: &ParamSet) -> bool {
    cmd.params().iter().any(|p| {
        (p.from_pipeline || p.by_property_name) && p.sets.iter().any(|(s, _)| s == &set.name)
    })
}

async fn single(
    x: &Transport<'_>,
    cmd: &Command,
    p: &Prepared,
    sink: &mut Sink<'_>,
) -> Result<(), GraphError> {
    // Binary answers stream to -OutFile, checked before anything is sent.
    let binary =
        p.kind == RouteKind::MediaGet || p.returns == Some(crate::catalog::Returns::Stream);
    let out = match (&p.out_file, binary) {
        (Some(path), true) => Some(OutTarget::check("OutFile", path)?),
        _ => None,
    };
    let resp = x.send_to(&p.request, out.as_ref()).await?;
    finish_single(cmd, p, resp, sink).await
}

/// Output (or the error) of a non-list request once its response is in.
pub async fn finish_single(
    cmd: &Command,
    p: &Prepared,
    resp: Response,
    sink: &mut Sink<'_>,
) -> Result<(), GraphError> {
    if let Some(name) = &p.rhv {
        sink.meta(
            json!({"variable": name, "scope": "caller", "value": headers_value(&resp.headers)}),
        );
    }
    if !resp.is_success() {
        return Err(resp.failure());
    }
    use crate::catalog::Returns;
    match (p.kind, p.returns) {
        (RouteKind::Count, _) => {
            // `$count` answers text/plain.
            let text = String::from_utf8_lossy(&resp.body);
            let n: i64 = text
                .trim()
                .trim_start_matches('\u{feff}')
                .parse()
                .map_err(|_| {
                    GraphError::invalid(format!(
                        "The service answered $count with '{}', not a number.",
                        text.trim()
                    ))
                })?;
            sink.output(format!("[{n}]")).await;
        }
        // Binary content: `$value` and stream properties, and functions or actions that
        // return `Edm.Stream` (the usage reports' CSV).
        (RouteKind::MediaGet, _) | (_, Some(Returns::Stream)) => {
            let path = p.out_file.clone().ok_or_else(|| {
                GraphError::invalid("Cannot validate argument on parameter 'OutFile'. The argument is null or empty.")
            })?;
            // Streamed already, unless the answer came another way (a `$batch` step).
            if resp.written.is_none() {
                OutTarget::check("OutFile", &path)?
                    .write_all(resp.body.clone())
                    .await?;
            }
            if p.pass_thru {
                sink.output("[true]".into()).await;
            }
        }
        (_, Some(Returns::Primitive(_, collection)) | Some(Returns::Model(_, collection)))
            if !resp.body.is_empty() =>
        {
            let body = resp.json()?;
            // Primitive and collection results come wrapped as {"value": ...} (OData).
            let value = match body {
                Value::Object(mut o)
                    if collection || matches!(p.returns, Some(Returns::Primitive(..))) =>
                {
                    o.remove("value").unwrap_or(Value::Null)
                }
                other => other,
            };
            let items = match value {
                Value::Array(items) => items,
                Value::Null => vec![],
                one => vec![one],
            };
            let model = match p.returns {
                Some(Returns::Model(id, _)) => crate::catalog::model(id),
                _ => None,
            };
            if !items.is_empty() {
                sink.output_items(model, items).await;
            }
        }
        (RouteKind::Get | RouteKind::RefGet, _) | (RouteKind::Create, _)
            if p.kind != RouteKind::Create || cmd.output.is_some() =>
        {
            let body = resp.json()?;
            if !body.is_null() {
                sink.output_items(cmd.output_model(), vec![body]).await;
            }
        }
        _ => {
            if p.pass_thru {
                sink.output("[true]".into()).await;
            }
        }
    }
    Ok(())
}

/// The ErrorRecord style of one prepared invocation, and how to check the outcome of a
/// write whose answer was lost ([`check_command`]).
pub struct ErrorContext {
    pub style: ErrorStyle,
    pub check: Option<String>,
}

impl ErrorContext {
    pub fn new(cmd: &Command, set: &ParamSet, target: Value) -> ErrorContext {
        ErrorContext {
            check: check_command(cmd, set.route, &target),
            style: style(cmd, set, target),
        }
    }

    /// The ErrorRecord description of `e` for this invocation.
    pub fn describe(&self, e: &GraphError) -> Value {
        describe(&e.clone().with_check(|| self.check.clone()), &self.style)
    }
}

/// `Invalid page size specified: '999'. Must be between 1 and 120 inclusive.` → 120.
fn service_page_cap(resp: &super::http::Response) -> Option<i64> {
    if resp.status != 400 {
        return None;
    }
    let text = String::from_utf8_lossy(&resp.body);
    let idx = text.find("Must be between 1 and ")?;
    let rest = &text[idx + "Must be between 1 and ".len()..];
    rest.split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()
        .filter(|n| *n >= 1)
}

async fn list(
    x: &Transport<'_>,
    cmd: &Command,
    p: &Prepared,
    sink: &mut Sink<'_>,
) -> Result<(), GraphError> {
    let mut request = p.request.clone();
    let mut emitted: i64 = 0;
    let mut pages = 0u32;
    let mut total: Option<i64> = None;
    let activity = cmd.name;
    let streaming_progress = p.all || p.top.map(|t| t > MAX_PAGE).unwrap_or(false);
    // Every page URL requested: a next link that repeats one would page forever.
    let mut followed: std::collections::HashSet<String> = std::collections::HashSet::new();
    followed.insert(request.url.clone());
    loop {
        let mut resp = x.send(&request).await?;
        if pages == 0 && p.page_size_auto {
            if let Some(cap) = service_page_cap(&resp) {
                // The service caps $top below what we asked for: ask again within its limit.
                x.sink.verbose(|| {
                    format!("The service limits page size to {cap}; paging with $top={cap}.")
                });
                request.url = request
                    .url
                    .replace(&format!("$top={MAX_PAGE}"), &format!("$top={cap}"));
                resp = x.send(&request).await?;
            }
        }
        if pages == 0 {
            if let Some(name) = &p.rhv {
                sink.meta(json!({"variable": name, "scope": "caller", "value": headers_value(&resp.headers)}));
            }
        }
        if !resp.is_success() {
            return Err(resp.failure());
        }
        let page = Page::read(&resp)?;
        if pages == 0 {
            total = page.count;
            if let (Some(name), Some(n)) = (&p.count_variable, total) {
                sink.meta(json!({"variable": name, "scope": "global", "value": n}));
            }
        }
        pages += 1;
        let next = page.next_link;
        let mut items = page.items;
        if let Some(top) = p.top {
            let room = (top - emitted).max(0) as usize;
            items.truncate(room);
        }
        emitted += items.len() as i64;
        if !items.is_empty() {
            match items {
                PageItems::Raw(raw) => sink.output_raw_items(cmd.output_model(), &raw).await,
                PageItems::Parsed(values) => sink.output_items(cmd.output_model(), values).await,
            }
        }
        let more_wanted = p.all || p.top.map(|t| emitted < t).unwrap_or(false);
        if streaming_progress && next.is_some() && more_wanted {
            if let Sink::Stream(s) = sink {
                let status = match total {
                    Some(t) => format!("Retrieved {emitted} of {t} items"),
                    None => format!("Retrieved {emitted} items"),
                };
                let percent = total
                    .filter(|t| *t > 0)
                    .map(|t| ((emitted * 100) / t).min(100))
                    .unwrap_or(-1);
                s.progress(json!({"activity": activity, "status": status, "percent": percent, "current": emitted}));
            }
        }
        match next {
            Some(next) if more_wanted => {
                if x.sink.is_cancelled() {
                    return Err(GraphError::Cancelled);
                }
                if !followed.insert(next.clone()) {
                    return Err(GraphError::RepeatedNextLink { url: next, pages });
                }
                // Follow the link as given (never parse the token); headers such as
                // ConsistencyLevel are sent again on every page. What the parameters put
                // into the first URL is in the link now, as the service wrote it.
                request.url = next;
                request.url_params.clear();
            }
            _ => break,
        }
    }
    if streaming_progress && pages > 1 {
        if let Sink::Stream(s) = sink {
            s.progress(json!({"activity": activity, "completed": true}));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::command;

    fn prep(cmd: &str, set: &str, params: Value) -> Result<Prepared, GraphError> {
        let c = command(cmd).unwrap();
        let s = c.set(set).unwrap();
        prepare(
            c,
            &s,
            params.as_object().unwrap(),
            "https://graph.microsoft.com",
        )
    }

    fn response(body: &str) -> Response {
        Response {
            method: "GET".into(),
            url: "https://graph.microsoft.com/v1.0/users".into(),
            status: 200,
            version: "HTTP/1.1".into(),
            headers: vec![],
            body: bytes::Bytes::from(body.to_string()),
            retries: 0,
            written: None,
        }
    }

    #[test]
    fn pages_of_any_valid_shape_are_read_and_invalid_json_is_refused() {
        let usual =
            response(r#"{"@odata.count":3,"@odata.nextLink":"n","value":[{"id":"1"},{"id":"2"}]}"#);
        let page = Page::read(&usual).unwrap();
        assert!(matches!(page.items, PageItems::Raw(ref v) if v.len() == 2));
        assert_eq!(
            (page.count, page.next_link.as_deref()),
            (Some(3), Some("n"))
        );

        // Shapes the typed reader refuses still read as they did before it existed.
        let count_as_text = response(r#"{"@odata.count":"3","value":[{"id":"1"}]}"#);
        let page = Page::read(&count_as_text).unwrap();
        assert!(matches!(page.items, PageItems::Parsed(ref v) if v.len() == 1));
        assert_eq!(page.count, None);
        for body in ["null", "[]", r#"{"value":{}}"#, r#"{"value":null}"#, ""] {
            let r = response(body);
            let page = Page::read(&r).unwrap_or_else(|e| panic!("{body}: {e:?}"));
            assert!(page.items.is_empty(), "{body}");
            assert!(page.next_link.is_none(), "{body}");
        }
        let broken = response(r#"{"value":[{"id":"1"}"#);
        assert!(Page::read(&broken).is_err());
    }

    #[test]
    fn raw_pages_flag_undeclared_structures_as_parsed_pages_do() {
        let user = model("user");
        let cases = [
            r#"[{"id":"1","businessPhones":["1"],"passwordProfile":{"password":"x"}}]"#,
            r#"[{"id":"1","extension_x":{"a":1}}]"#,
            r#"[{"id":"1","extension\u0078":[1]}]"#,
            r##"[{"id":"1","@odata.type":"#microsoft.graph.user","note":"{not an object}"}]"##,
            r#"[{"id":"1"},{"id":"2","tags":[]}]"#,
            r#"[1,"two",null]"#,
            r#"[]"#,
        ];
        for text in cases {
            let raw: Vec<&RawValue> = serde_json::from_str(text).unwrap();
            let parsed: Vec<Value> = serde_json::from_str(text).unwrap();
            assert_eq!(
                raw_has_nested_additional(user, &raw),
                has_nested_additional(user, &parsed),
                "{text}"
            );
        }
        assert!(raw_has_nested_additional(
            user,
            &serde_json::from_str::<Vec<&RawValue>>(cases[1]).unwrap()
        ));
        assert!(!raw_has_nested_additional(
            user,
            &serde_json::from_str::<Vec<&RawValue>>(cases[0]).unwrap()
        ));
    }

    #[test]
    fn get_by_upn_builds_the_sdk_url() {
        let p = prep(
            "Get-MgUser",
            "Get",
            json!({"UserId": "a@contoso.com", "Property": ["id", "displayName"]}),
        )
        .unwrap();
        assert_eq!(
            p.request.url,
            "https://graph.microsoft.com/v1.0/users/a@contoso.com?$select=id,displayName"
        );
        assert_eq!(p.request.method, reqwest::Method::GET);
    }

    #[test]
    fn all_asks_for_full_pages_and_page_size_is_validated() {
        let p = prep("Get-MgUser", "List", json!({"All": {"IsPresent": true}})).unwrap();
        assert!(
            p.request.url.ends_with("/v1.0/users?$top=999"),
            "{}",
            p.request.url
        );
        assert!(p.page_size_auto);
        let p = prep("Get-MgUser", "List", json!({"All": true, "PageSize": 50})).unwrap();
        assert!(p.request.url.ends_with("$top=50"));
        let e = prep("Get-MgUser", "List", json!({"PageSize": 1000}))
            .err()
            .unwrap();
        let GraphError::Invalid { message } = e else {
            panic!()
        };
        assert_eq!(
            message,
            "Invalid page size specified `1000`. PageSize must be between 1 and 999 inclusive."
        );
        let p = prep("Get-MgUser", "List", json!({})).unwrap();
        assert!(p.request.url.ends_with("/v1.0/users"));
    }

    #[test]
    fn count_variable_adds_count_and_consistency_header() {
        let p = prep(
            "Get-MgUser",
            "List",
            json!({"CountVariable": "n", "ConsistencyLevel": "eventual", "Filter": "endswith(mail,'@x.com')"}),
        )
        .unwrap();
        assert!(p.request.url.contains("$count=true"));
        assert!(p
            .request
            .headers
            .contains(&("ConsistencyLevel".into(), "eventual".into())));
    }

    #[test]
    fn expanded_tap_body_and_identity_input() {
        let p = prep(
            "New-MgUserAuthenticationTemporaryAccessPassMethod",
            "CreateViaIdentityExpanded",
            json!({"InputObject": {"UserId": "u1"}, "IsUsableOnce": {"IsPresent": true}, "LifetimeInMinutes": 60}),
        )
        .unwrap();
        assert!(p
            .request
            .url
            .ends_with("/v1.0/users/u1/authentication/temporaryAccessPassMethods"));
        let body: Value = serde_json::from_slice(p.request.body_bytes().unwrap()).unwrap();
        assert_eq!(body, json!({"isUsableOnce": true, "lifetimeInMinutes": 60}));
        let e = prep(
            "New-MgUserAuthenticationTemporaryAccessPassMethod",
            "CreateViaIdentity",
            json!({"InputObject": {"Id": "x"}, "BodyParameter": {}}),
        )
        .err()
        .unwrap();
        let GraphError::Invalid { message } = e else {
            panic!()
        };
        assert!(message.contains("'UserId'"), "{message}");
    }

    #[test]
    fn an_explicit_null_body_property_is_sent_as_null() {
        let p = prep(
            "Update-MgUser",
            "UpdateExpanded",
            json!({"UserId": "u1", "OfficeLocation": null, "Department": "D", "Filter": null}),
        )
        .unwrap();
        let body: Value = serde_json::from_slice(p.request.body_bytes().unwrap()).unwrap();
        assert_eq!(body, json!({"officeLocation": null, "department": "D"}));
        assert!(!p.request.url.contains("filter"), "{}", p.request.url);
    }

    #[test]
    fn group_member_reference_body() {
        let p = prep(
            "New-MgGroupMember",
            "CreateExpanded",
            json!({"GroupId": "g", "DirectoryObjectId": "u"}),
        )
        .unwrap();
        let body: Value = serde_json::from_slice(p.request.body_bytes().unwrap()).unwrap();
        assert_eq!(
            body["@odata.id"],
            "https://graph.microsoft.com/v1.0/directoryObjects/u"
        );
        assert!(p.request.url.ends_with("/groups/g/members/$ref"));
    }

    #[test]
    fn nested_undeclared_values_are_flagged() {
        let config = crate::catalog::model("authenticationMethodConfiguration");
        assert!(has_nested_additional(
            config,
            &[json!({"id": "TemporaryAccessPass", "includeTargets": [{"id": "all_users"}]})]
        ));
        // Declared nested properties and plain extra values need nothing.
        assert!(!has_nested_additional(
            config,
            &[json!({"id": "x", "excludeTargets": [], "isUsableOnce": true})]
        ));
        assert!(!has_nested_additional(None, &[json!({"a": {}})]));
        // An expanded navigation property is typed as its target (the module reads it as a
        // model), so it needs nothing either.
        let user = crate::catalog::model("user");
        assert!(!has_nested_additional(
            user,
            &[json!({"id": "u", "manager": {"id": "m", "displayName": "M"}})]
        ));
        assert!(!has_nested_additional(
            user,
            &[json!({"id": "u", "displayName": "U"})]
        ));
    }

    #[test]
    fn beta_commands_use_the_beta_segment() {
        let p = prep(
            "Update-MgBetaUserAuthenticationRequirement",
            "UpdateExpanded",
            json!({"UserId": "u", "PerUserMfaState": "enabled"}),
        )
        .unwrap();
        assert_eq!(
            p.request.url,
            "https://graph.microsoft.com/beta/users/u/authentication/requirements"
        );
        assert_eq!(p.request.method, reqwest::Method::PATCH);
    }
}
