//! A session: environments, the signed-in connection, request settings and the in-process
//! sandbox. Every call starts here and is dispatched to the engine or a built-in command.

use std::sync::{Arc, OnceLock, RwLock};

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::auth::environments::{self, Environment, SANDBOX};
use crate::auth::{Connection, ContextInfo};
use crate::call::{Call, CallOptions, EventKind, EventSink, InputStream};
use crate::catalog;
use crate::engine::error::{describe, ErrorStyle, GraphError};
use crate::engine::http::{Clients, ProxySpec, Transport};
use crate::engine::operation::{self, Sink};
use crate::engine::settings::RequestSettings;
use crate::json::{get_ci, scalar_text, truthy};

pub mod builtins;
pub mod bulk;
pub mod connect;

/// Why a call could not start.
#[derive(Debug)]
pub enum StartError {
    Json(String),
    Invalid(String),
    Runtime(String),
}

/// The request a host sends to start a call.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallRequest {
    pub command: String,
    #[serde(default)]
    pub set: Option<String>,
    #[serde(default)]
    pub params: Map<String, Value>,
    #[serde(default)]
    pub verbose: bool,
    #[serde(default)]
    pub debug: bool,
    /// Inputs will be pushed (bulk pipeline mode).
    #[serde(default)]
    pub stream_input: bool,
    #[serde(default)]
    pub throttle_limit: Option<u32>,
    /// The call's proxy (`-Proxy`, `-ProxyCredential`); none: the session's clients.
    #[serde(default)]
    pub proxy: Option<ProxySpec>,
    /// A parameter problem found while reading the request (an unpaired surrogate): the call
    /// reports it as its parameter error and sends nothing.
    #[serde(skip)]
    pub refused: Option<GraphError>,
}

/// Stands in for an unpaired surrogate escape while the request is read (a noncharacter,
/// which Unicode reserves for such internal use).
const SURROGATE_MARK: char = '\u{FDD0}';

/// The text with every `\uD800`–`\uDFFF` escape that is not half of a pair replaced by an
/// escape of [`SURROGATE_MARK`], or `None` when there is none. JSON allows such escapes
/// (RFC 8259 §8.2) but they are no character: UTF-8 cannot carry them, and a .NET string
/// with one (half of an emoji cut off) becomes U+FFFD when encoded.
fn mark_lone_surrogates(text: &str) -> Option<String> {
    let b = text.as_bytes();
    let hex = |at: usize| -> Option<u16> {
        let h = text.get(at..at + 4)?;
        u16::from_str_radix(h, 16).ok()
    };
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut found = false;
    let mut in_string = false;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => {
                in_string = !in_string;
                i += 1;
            }
            b'\\' if in_string => {
                if b.get(i + 1) != Some(&b'u') {
                    i += 2;
                    continue;
                }
                let Some(unit) = hex(i + 2) else {
                    i += 2;
                    continue;
                };
                let paired = (0xD800..=0xDBFF).contains(&unit)
                    && b.get(i + 6) == Some(&b'\\')
                    && b.get(i + 7) == Some(&b'u')
                    && hex(i + 8).is_some_and(|low| (0xDC00..=0xDFFF).contains(&low));
                if paired {
                    i += 12;
                } else if (0xD800..=0xDFFF).contains(&unit) {
                    out.push_str(&text[copied..i]);
                    out.push_str("\\uFDD0");
                    i += 6;
                    copied = i;
                    found = true;
                } else {
                    i += 6;
                }
            }
            _ => i += 1,
        }
    }
    if !found {
        return None;
    }
    out.push_str(&text[copied..]);
    Some(out)
}

fn has_mark(v: &Value) -> bool {
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        match v {
            Value::String(s) if s.contains(SURROGATE_MARK) => return true,
            Value::Array(items) => stack.extend(items),
            Value::Object(m) => {
                if m.keys().any(|k| k.contains(SURROGATE_MARK)) {
                    return true;
                }
                stack.extend(m.values());
            }
            _ => {}
        }
    }
    false
}

/// The parameters of a request or pushed input (`{"params": {...}}`) that hold an unpaired
/// surrogate escape, when the text holds one and reads as JSON once they are marked.
pub fn lone_surrogate_params(text: &str) -> Option<Vec<String>> {
    let marked = mark_lone_surrogates(text)?;
    let value: Value = serde_json::from_str(&marked).ok()?;
    let params = value.get("params").and_then(Value::as_object);
    let mut names: Vec<String> = params
        .map(|p| {
            p.iter()
                .filter(|(k, v)| k.contains(SURROGATE_MARK) || has_mark(v))
                .map(|(k, _)| k.replace(SURROGATE_MARK, "\u{FFFD}"))
                .collect()
        })
        .unwrap_or_default();
    if names.is_empty() {
        names.push("params".into());
    }
    Some(names)
}

/// The error text for parameters holding unpaired surrogates.
pub fn lone_surrogate_message(params: &[String]) -> String {
    format!(
        "Cannot validate argument on parameter '{}'. The value has an unpaired UTF-16 surrogate (half of a character, such as an emoji cut in two): it cannot be encoded as UTF-8 and would be sent as U+FFFD (the replacement character), changing the id, URL or text. Nothing was sent.",
        params.join("', '")
    )
}

/// Checks that a pushed input is what bulk mode reads: an object whose `params` is an object
/// and whose `set` is a string, when present. The error completes "argument `input_json` ...".
pub fn check_input(value: &Value) -> Result<(), String> {
    let kind = |v: &Value| match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    };
    let Some(obj) = value.as_object() else {
        return Err(format!(
            "must be a JSON object ({{\"set\": \"...\", \"params\": {{...}}}}); got {}",
            kind(value)
        ));
    };
    match obj.get("params") {
        None | Some(Value::Null) | Some(Value::Object(_)) => {}
        Some(other) => {
            return Err(format!(
                "has \"params\" that is {}; it must be an object of parameter names and values",
                kind(other)
            ))
        }
    }
    match obj.get("set") {
        None | Some(Value::Null) | Some(Value::String(_)) => Ok(()),
        Some(other) => Err(format!(
            "has \"set\" that is {}; it must be the name of a parameter set",
            kind(other)
        )),
    }
}

/// Shared session state.
pub struct Session {
    clients: OnceLock<Result<Clients, String>>,
    /// Clients of the proxies calls named, most recent last (a few are kept: building one
    /// reads the TLS roots again).
    proxied: std::sync::Mutex<Vec<(ProxySpec, Clients)>>,
    envs: RwLock<Vec<Environment>>,
    connection: RwLock<Option<Arc<Connection>>>,
    settings: RwLock<RequestSettings>,
    sandbox: tokio::sync::Mutex<Option<crate::emulator::Running>>,
}

impl Default for Session {
    fn default() -> Self {
        Session::new()
    }
}

static SHARED: OnceLock<Arc<Session>> = OnceLock::new();

fn read<T: Clone>(lock: &RwLock<T>) -> T {
    match lock.read() {
        Ok(g) => g.clone(),
        Err(p) => p.into_inner().clone(),
    }
}

fn write<T>(lock: &RwLock<T>, value: T) {
    match lock.write() {
        Ok(mut g) => *g = value,
        Err(p) => *p.into_inner() = value,
    }
}

impl Session {
    pub fn new() -> Session {
        Session {
            clients: OnceLock::new(),
            proxied: std::sync::Mutex::new(Vec::new()),
            envs: RwLock::new(environments::built_in()),
            connection: RwLock::new(None),
            settings: RwLock::new(RequestSettings::default()),
            sandbox: tokio::sync::Mutex::new(None),
        }
    }

    /// The process-wide session every runspace shares.
    pub fn shared() -> Arc<Session> {
        SHARED.get_or_init(|| Arc::new(Session::new())).clone()
    }

    pub fn clients(&self) -> Result<&Clients, GraphError> {
        self.clients
            .get_or_init(Clients::new)
            .as_ref()
            .map_err(|e| GraphError::Transport {
                method: String::new(),
                url: String::new(),
                message: e.clone(),
            })
    }

    /// The clients of a call: the session's, or ones sending through the call's proxy. An
    /// unusable proxy is the call's parameter error.
    pub fn clients_via(&self, proxy: Option<&ProxySpec>) -> Result<Clients, GraphError> {
        let Some(proxy) = proxy else {
            return self.clients().cloned();
        };
        const KEPT: usize = 4;
        let mut kept = self.proxied.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(i) = kept.iter().position(|(p, _)| p == proxy) {
            let entry = kept.remove(i);
            let clients = entry.1.clone();
            kept.push(entry);
            return Ok(clients);
        }
        let clients = Clients::via(proxy).map_err(GraphError::invalid)?;
        if kept.len() == KEPT {
            kept.remove(0);
        }
        kept.push((proxy.clone(), clients.clone()));
        Ok(clients)
    }

    pub fn connection(&self) -> Option<Arc<Connection>> {
        read(&self.connection)
    }

    pub fn set_connection(&self, c: Option<Arc<Connection>>) {
        write(&self.connection, c);
    }

    pub fn settings(&self) -> RequestSettings {
        read(&self.settings)
    }

    pub fn set_settings(&self, s: RequestSettings) {
        write(&self.settings, s);
    }

    pub fn environments(&self) -> Vec<Environment> {
        read(&self.envs)
    }

    pub fn environment(&self, name: &str) -> Option<Environment> {
        self.environments()
            .into_iter()
            .find(|e| e.name.eq_ignore_ascii_case(name))
    }

    /// Adds or replaces an environment.
    pub fn put_environment(&self, env: Environment) {
        let mut envs = self.environments();
        envs.retain(|e| !e.name.eq_ignore_ascii_case(&env.name));
        envs.push(env);
        write(&self.envs, envs);
    }

    /// Removes an environment; whether there was one of that name.
    pub fn remove_environment(&self, name: &str) -> bool {
        let mut envs = self.environments();
        let before = envs.len();
        envs.retain(|e| !e.name.eq_ignore_ascii_case(name));
        let removed = envs.len() != before;
        write(&self.envs, envs);
        removed
    }

    /// Starts the in-process sandbox (once) and returns its environment and a view of it
    /// (through [`crate::emulator`], the one seam to the emulator).
    pub async fn ensure_sandbox(
        &self,
        options: Option<crate::emulator::Options>,
    ) -> Result<SandboxInfo, GraphError> {
        let mut slot = self.sandbox.lock().await;
        if let (Some(_), Some(_)) = (slot.as_ref(), options.as_ref()) {
            // New options mean a new tenant: stop the old one first.
            if let Some(old) = slot.take() {
                old.stop();
            }
        }
        if slot.is_none() {
            let sandbox =
                crate::emulator::start(options)
                    .await
                    .map_err(|e| GraphError::Transport {
                        method: String::new(),
                        url: String::new(),
                        message: format!("the in-process sandbox could not start: {e}"),
                    })?;
            let base_url = sandbox.endpoint().base_url;
            self.put_environment(Environment::new(SANDBOX, &base_url, &base_url, true));
            *slot = Some(sandbox);
        }
        let s = slot
            .as_ref()
            .map(crate::emulator::Running::endpoint)
            .ok_or_else(|| GraphError::Transport {
                method: String::new(),
                url: String::new(),
                message: format!(
                    "the in-process sandbox could not start: {}",
                    crate::emulator::UNAVAILABLE
                ),
            })?;
        Ok(SandboxInfo {
            env: Environment::new(SANDBOX, &s.base_url, &s.base_url, true),
            tenant_id: s.tenant_id,
            admin_upn: s.admin_upn,
            client_id: s.client_id,
            client_secret: s.client_secret,
            identity_endpoint: s.identity_endpoint,
            identity_header: s.identity_header,
        })
    }

    /// Validates a request and starts it on the runtime.
    pub fn start_call(self: &Arc<Self>, request_json: &str) -> Result<Call, StartError> {
        let request: CallRequest = match serde_json::from_str(request_json) {
            Ok(r) => r,
            Err(e) => {
                let json_error = StartError::Json(format!(
                    "argument `request_json` is not a valid request: {e}"
                ));
                // Unpaired surrogates: the request reads once they are marked, and the call
                // fails as its parameter's error would, naming it, with nothing sent.
                let Some(params) = lone_surrogate_params(request_json) else {
                    return Err(json_error);
                };
                let marked = mark_lone_surrogates(request_json).unwrap_or_default();
                let Ok(mut request) = serde_json::from_str::<CallRequest>(&marked) else {
                    return Err(json_error);
                };
                request.refused = Some(GraphError::invalid(lone_surrogate_message(&params)));
                request.params.clear();
                request
            }
        };
        let is_catalog = catalog::command(&request.command).is_some();
        let is_builtin = builtins::is_builtin(&request.command);
        if !is_catalog && !is_builtin {
            return Err(StartError::Invalid(format!(
                "unknown command '{}'",
                request.command
            )));
        }
        if let (Some(cmd), Some(set)) = (catalog::command(&request.command), request.set.as_deref())
        {
            if cmd.set(set).is_none() {
                return Err(StartError::Invalid(format!(
                    "command '{}' has no parameter set '{set}'",
                    request.command
                )));
            }
        }
        let rt = crate::runtime::handle().map_err(StartError::Runtime)?;
        let options = CallOptions {
            verbose: request.verbose,
            debug: request.debug,
            streaming_input: request.stream_input,
        };
        let session = self.clone();
        Ok(Call::start(&rt, options, move |sink, input| async move {
            session.dispatch(request, sink, input).await;
        }))
    }

    async fn dispatch(
        self: Arc<Self>,
        request: CallRequest,
        sink: EventSink,
        input: Option<InputStream>,
    ) {
        if let Some(cmd) = catalog::command(&request.command) {
            let set_name = request.set.clone().unwrap_or_else(|| cmd.default_set());
            let Some(set) = cmd.set(&set_name) else {
                return;
            };
            if let Some(e) = &request.refused {
                let mut d = describe(e, &operation::style(cmd, &set, Value::Null));
                // A parameter that cannot be sent stops the command, as parameter
                // validation does.
                d["terminating"] = Value::Bool(true);
                sink.error(d);
                return;
            }
            let Some(connection) = self.connection() else {
                sink.error(describe(
                    &GraphError::NotConnected,
                    &operation::style(cmd, &set, Value::Null),
                ));
                return;
            };
            let clients = match self.clients_via(request.proxy.as_ref()) {
                Ok(c) => c,
                Err(e) => {
                    let mut d = describe(&e, &operation::style(cmd, &set, Value::Null));
                    if request.proxy.is_some() {
                        d["terminating"] = Value::Bool(true);
                    }
                    sink.error(d);
                    return;
                }
            };
            let transport = Transport::new(
                &clients,
                Some(&connection),
                self.settings(),
                &sink,
                cmd.internal_name(&set.name),
            );
            let endpoint = connection.env.graph_endpoint.clone();
            match input {
                Some(inputs) => {
                    let limit = request
                        .throttle_limit
                        .unwrap_or(transport.settings.throttle_limit)
                        .clamp(1, crate::engine::settings::MAX_THROTTLE_LIMIT)
                        as usize;
                    bulk::run(&transport, cmd, &endpoint, limit, inputs, &sink).await;
                }
                None => {
                    let mut out = Sink::Stream(&sink);
                    operation::run(&transport, cmd, &set, &request.params, &endpoint, &mut out)
                        .await;
                }
            }
            return;
        }
        let name = request.command.clone();
        if let Some(e) = &request.refused {
            let style = if name.eq_ignore_ascii_case("Invoke-MgGraphRequest") {
                ErrorStyle::InvokeRequest
            } else {
                ErrorStyle::Command {
                    name,
                    terminating: true,
                }
            };
            sink.error(describe(e, &style));
            return;
        }
        if let Err(e) = builtins::run(&self, request, &sink).await {
            // Signing out when signed out is worth a note, not a stop; other failures of
            // these commands leave nothing sensible to continue with.
            let terminating = !name.eq_ignore_ascii_case("Disconnect-MgGraph");
            sink.error(describe(&e, &ErrorStyle::Command { name, terminating }));
        }
    }
}

/// What the module needs to know about the in-process sandbox.
#[derive(Debug, Clone)]
pub struct SandboxInfo {
    pub env: Environment,
    pub tenant_id: String,
    pub admin_upn: String,
    pub client_id: String,
    pub client_secret: String,
    /// The sandbox's managed identity endpoint and header secret (`Connect-MgGraph -Identity`).
    pub identity_endpoint: String,
    pub identity_header: String,
}

/// A `GraphError` for a parameter problem.
pub fn invalid(message: impl Into<String>) -> GraphError {
    GraphError::invalid(message)
}

/// A string parameter.
pub fn param_str(params: &Map<String, Value>, name: &str) -> Option<String> {
    get_ci(params, name)
        .and_then(scalar_text)
        .filter(|s| !s.is_empty())
}

/// A switch parameter.
pub fn param_switch(params: &Map<String, Value>, name: &str) -> bool {
    get_ci(params, name).map(truthy).unwrap_or(false)
}

/// Sends one output value (an object for a typed model, or anything else).
pub async fn emit(sink: &EventSink, value: Value) {
    sink.output_value(value).await;
}

/// The context object Get-MgContext returns.
pub fn context_value(info: &ContextInfo) -> Value {
    serde_json::to_value(info).unwrap_or(Value::Null)
}

/// Emits a warning event.
pub fn warn(sink: &EventSink, text: impl Into<String>) {
    sink.send(EventKind::Warning, text.into());
}

/// A JSON object from a value, or an error naming the parameter.
pub fn object_param(
    params: &Map<String, Value>,
    name: &str,
) -> Result<Option<Map<String, Value>>, GraphError> {
    match get_ci(params, name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(m)) => Ok(Some(m.clone())),
        Some(other) => Err(invalid(format!(
            "-{name} must be a hashtable; got {other}."
        ))),
    }
}
