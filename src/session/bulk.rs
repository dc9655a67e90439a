//! Bulk pipelines and `$batch`.
//!
//! In bulk mode (`-ThrottleLimit` above 1) the module pushes each pipeline input to one call.
//! Inputs that are ready together are packed into `$batch` requests of up to 20 steps, and up
//! to `ThrottleLimit` HTTP requests run at once. Results are released strictly in input
//! order; every failure is its own ErrorRecord naming its input. A step throttled inside a
//! batch response is retried on its own, after its Retry-After; a step is never sent twice
//! unless the service said it did not process it.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use futures_util::stream::{self, StreamExt};
use serde_json::{json, Map, Value};

use super::{invalid, Session};
use crate::call::{EventSink, InputStream};
use crate::catalog::{Command, RouteKind};
use crate::engine::error::{describe, GraphError};
use crate::engine::http::{retry_after, Request, Response, Transport};
use crate::engine::operation::{self, Emitted, Prepared, Sink};
use crate::json::{get_ci, scalar_text};

/// Graph's limit of steps per `$batch`.
pub const MAX_BATCH: usize = 20;

/// One pushed input: `{"set": "...", "params": {...}}`.
struct Input {
    index: usize,
    set: Option<String>,
    params: Map<String, Value>,
}

fn parse_input(index: usize, v: Value) -> Input {
    let mut obj = match v {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    let set = obj.get("set").and_then(scalar_text);
    let params = match obj.remove("params") {
        Some(Value::Object(p)) => p,
        _ => Map::new(),
    };
    Input { index, set, params }
}

/// How fast a bulk run sends: a concurrency window and, once the service has asked the run
/// to wait (a 429 or 503 with a `Retry-After`), a send rate.
///
/// The window (as TCP's congestion window) starts wide open at `ThrottleLimit` full batches,
/// halves at most once per round trip when the service asks for a wait, and grows by about
/// a batch per round trip otherwise. A window alone cannot pace a run whose round trips are
/// much shorter than the service's budget period, so each cut also sets a send rate just
/// under the throughput measured since the previous cut (but never below 70 % of the rate
/// before); the rate then grows by about 20 % a second until the next cut. The run settles
/// near the budget instead of spending its requests on 429s and its retries on the same
/// items.
#[derive(Debug)]
struct Flow {
    size: usize,
    min: usize,
    max: usize,
    /// Chunks launched so far; a cut applies to chunks launched before it only once.
    launched: u64,
    cut_at: u64,
    /// Inputs per second; `None` until the first throttle.
    rate: Option<f64>,
    /// When the next chunk may leave under the rate.
    next_send: Instant,
    /// Inputs finished since the last cut, and when that was.
    finished_since_cut: usize,
    last_cut: Instant,
    /// When the rate last grew.
    last_growth: Instant,
}

impl Flow {
    fn new(limit: usize) -> Flow {
        let max = limit.max(1) * MAX_BATCH;
        let now = Instant::now();
        Flow {
            size: max,
            min: MAX_BATCH.min(max),
            max,
            launched: 0,
            cut_at: 0,
            rate: None,
            next_send: now,
            finished_since_cut: 0,
            last_cut: now,
            last_growth: now,
        }
    }

    /// Records the launch of `len` inputs; returns the chunk's sequence number.
    fn launch(&mut self, len: usize) -> u64 {
        if let Some(rate) = self.rate {
            let now = Instant::now();
            self.next_send = self.next_send.max(now) + Duration::from_secs_f64(len as f64 / rate);
        }
        self.launched += 1;
        self.launched
    }

    /// How long until the rate lets the next chunk leave.
    fn wait(&self) -> Option<Duration> {
        self.next_send
            .checked_duration_since(Instant::now())
            .filter(|d| !d.is_zero())
    }

    /// Adjusts window and rate when chunk `seq` of `len` inputs finishes.
    /// Says whether this was a cut.
    fn finished(&mut self, seq: u64, len: usize, throttled: bool) -> bool {
        self.finished_since_cut += len;
        if throttled {
            if seq > self.cut_at {
                self.size = (self.size / 2).max(self.min);
                self.cut_at = self.launched;
                let span = self.last_cut.elapsed().as_secs_f64().max(0.05);
                let measured = self.finished_since_cut as f64 / span;
                // A short span after a pause can measure far too little: never cut the
                // rate by more than 30 % at once.
                let floor = 0.7 * self.rate.unwrap_or(measured);
                self.rate = Some((0.9 * measured).max(floor).max(1.0));
                self.finished_since_cut = 0;
                self.last_cut = Instant::now();
                return true;
            }
        } else {
            let grow = (MAX_BATCH * len).div_ceil(self.size.max(1)).max(1);
            self.size = (self.size + grow).min(self.max);
            if let Some(r) = self.rate.as_mut() {
                // About +20 % a second, whatever the batch size and latency.
                let dt = self.last_growth.elapsed().as_secs_f64().min(1.0);
                *r *= 1.0 + 0.2 * dt;
            }
            self.last_growth = Instant::now();
        }
        false
    }
}

/// A finished chunk: its results in input order and whether the service throttled the run
/// while it was out.
struct Done {
    seq: u64,
    len: usize,
    throttled: bool,
    results: Vec<(usize, Vec<Emitted>)>,
}

/// Runs the pushed inputs of a catalog command with up to `limit` requests in flight.
pub async fn run(
    x: &Transport<'_>,
    cmd: &'static Command,
    endpoint: &str,
    limit: usize,
    mut inputs: InputStream,
    sink: &EventSink,
) {
    let mut flow = Flow::new(limit);
    let mut pending = stream::FuturesOrdered::new();
    let mut in_flight = 0usize;
    let mut next_index = 0usize;
    let mut closed = false;
    loop {
        let room = flow.size.saturating_sub(in_flight).min(MAX_BATCH);
        let paced = flow.wait();
        tokio::select! {
            // Results first: they free room and keep the output flowing.
            biased;
            Some(done) = pending.next(), if !pending.is_empty() => {
                let done: Done = done;
                in_flight -= done.len;
                if flow.finished(done.seq, done.len, done.throttled) {
                    x.sink.verbose(|| format!(
                        "the service asked for a pause: now sending up to {} inputs at once, {:.0} a second",
                        flow.size,
                        flow.rate.unwrap_or_default()
                    ));
                }
                emit(done.results, sink).await;
            }
            _ = tokio::time::sleep(paced.unwrap_or_default()), if !closed && room > 0 && paced.is_some() => {}
            first = inputs.recv(), if !closed && room > 0 && paced.is_none() => {
                let Some(first) = first else {
                    closed = true;
                    continue;
                };
                // Take what is already waiting, up to the room left, as one chunk.
                let mut chunk = vec![parse_input(next_index, first)];
                next_index += 1;
                while chunk.len() < room {
                    match inputs.try_recv() {
                        Ok(v) => {
                            chunk.push(parse_input(next_index, v));
                            next_index += 1;
                        }
                        Err(_) => break,
                    }
                }
                let len = chunk.len();
                let seq = flow.launch(len);
                in_flight += len;
                pending.push_back(async move {
                    let before = x.gate.throttles();
                    let results = run_chunk(x, cmd, endpoint, chunk).await;
                    let throttled = x.gate.throttles() > before;
                    Done { seq, len, throttled, results }
                });
            }
            else => break,
        }
    }
}

async fn emit(results: Vec<(usize, Vec<Emitted>)>, sink: &EventSink) {
    for (index, emitted) in results {
        for e in emitted {
            match e {
                Emitted::Output(p) => sink.output(p).await,
                Emitted::Error(mut d) => {
                    d["input"] = json!(index);
                    sink.error(d);
                }
                Emitted::Meta(m) => sink.meta(m),
            }
        }
    }
}

async fn run_one(
    x: &Transport<'_>,
    cmd: &'static Command,
    endpoint: &str,
    input: &Input,
) -> Vec<Emitted> {
    let set_name = input.set.clone().unwrap_or_else(|| cmd.default_set());
    let mut sink = Sink::Buffer(vec![]);
    match cmd.set(&set_name) {
        Some(set) => operation::run(x, cmd, &set, &input.params, endpoint, &mut sink).await,
        None => sink.error(describe(
            &invalid(format!(
                "command '{}' has no parameter set '{set_name}'",
                cmd.name
            )),
            &operation::style(
                cmd,
                &cmd.set(&cmd.default_set())
                    .expect("every command has a set"),
                Value::Null,
            ),
        )),
    }
    match sink {
        Sink::Buffer(b) => b,
        Sink::Stream(_) => vec![],
    }
}

/// One input of a chunk: ready to send, or already failed.
type Step = (
    usize,
    Result<(Prepared, operation::ErrorContext), Vec<Emitted>>,
);

/// Runs a group of inputs: one alone as a plain request, several as one `$batch`.
async fn run_chunk(
    x: &Transport<'_>,
    cmd: &'static Command,
    endpoint: &str,
    chunk: Vec<Input>,
) -> Vec<(usize, Vec<Emitted>)> {
    let batchable = chunk.len() > 1
        && chunk.iter().all(|i| {
            let set = i.set.clone().unwrap_or_else(|| cmd.default_set());
            cmd.set(&set)
                // Lists page; media go as bytes or into files, which a `$batch` (JSON)
                // cannot carry.
                .map(|s| {
                    !matches!(s.route.kind, RouteKind::List | RouteKind::MediaSet)
                        && !s.route.returns_stream()
                })
                .unwrap_or(false)
        });
    if !batchable {
        // Lists (which page) and lone inputs: each its own request, all at once.
        let out = futures_util::future::join_all(
            chunk
                .iter()
                .map(|input| async { (input.index, run_one(x, cmd, endpoint, input).await) }),
        )
        .await;
        return out;
    }
    // Prepare every step; a step that cannot be built fails alone.
    let mut steps: Vec<Step> = vec![];
    for input in &chunk {
        let set_name = input.set.clone().unwrap_or_else(|| cmd.default_set());
        let set = cmd.set(&set_name).expect("checked above");
        let prepared = operation::prepare(cmd, &set, &input.params, endpoint);
        steps.push((
            input.index,
            match prepared {
                Ok(p) => {
                    let ctx = operation::ErrorContext::new(cmd, &set, p.target.clone());
                    Ok((p, ctx))
                }
                Err(e) => Err(vec![Emitted::Error(describe(
                    &e,
                    &operation::style(cmd, &set, Value::Null),
                ))]),
            },
        ));
    }
    let base = format!("{}/{}/", endpoint.trim_end_matches('/'), cmd.api.segment());
    let requests: Vec<Value> = steps
        .iter()
        .filter_map(|(index, s)| {
            s.as_ref()
                .ok()
                .map(|(p, _)| step_json(&index.to_string(), &p.request, &base))
        })
        .collect();
    let batch_url = format!(
        "{}/{}/$batch",
        endpoint.trim_end_matches('/'),
        cmd.api.segment()
    );
    let answers = if requests.is_empty() {
        Ok(HashMap::new())
    } else {
        let mut batch = Request::new(reqwest::Method::POST, batch_url)
            .json_body(&json!({ "requests": requests }));
        // A batch of idempotent steps may be sent again when its answer is lost (a dropped
        // connection); one with a POST or PATCH may not: the service may have applied it.
        batch.idempotent = steps
            .iter()
            .filter_map(|(_, s)| s.as_ref().ok())
            .all(|(p, _)| p.request.idempotent);
        match x.send(&batch).await {
            Ok(resp) if resp.is_success() => Ok(parse_batch(&resp)),
            Ok(resp) => Err(resp.failure()),
            Err(e) => Err(e),
        }
    };
    // Whether the service throttled most of what it answered lately (the app's budget is
    // spent: the whole run pauses), or only some steps (only those wait).
    let broad = match &answers {
        Ok(map) if !map.is_empty() => {
            let throttled = map
                .values()
                .filter(|r| matches!(r.status, 429 | 503))
                .count();
            x.gate.record(map.len() as u32, throttled as u32)
        }
        _ => false,
    };
    // Steps finish together: a throttled one waits for its retry without holding up the rest.
    let out = futures_util::future::join_all(steps.into_iter().map(|(index, step)| {
        let answers = &answers;
        async move {
            let emitted = match step {
                Err(emitted) => emitted,
                Ok((prepared, ctx)) => match answers {
                    Err(e) => vec![Emitted::Error(ctx.describe(e))],
                    Ok(map) => match map.get(&index.to_string()) {
                        None => vec![Emitted::Error(ctx.describe(&invalid(
                            "the $batch response had no answer for this request",
                        )))],
                        Some(answer) => {
                            finish_step(x, cmd, &prepared, &ctx, answer.clone(), broad).await
                        }
                    },
                },
            };
            (index, emitted)
        }
    }))
    .await;
    out
}

/// A batch step for a prepared request.
fn step_json(id: &str, r: &Request, base: &str) -> Value {
    let url = r.url.strip_prefix(base).unwrap_or(&r.url);
    let mut headers = Map::new();
    for (k, v) in &r.headers {
        headers.insert(k.clone(), json!(v));
    }
    let mut step = json!({"id": id, "method": r.method.as_str(), "url": format!("/{url}")});
    if let Some(body) = r.body_bytes() {
        step["body"] = serde_json::from_slice(body).unwrap_or(Value::Null);
    }
    if !headers.is_empty() {
        step["headers"] = Value::Object(headers);
    }
    step
}

/// The answers of a batch response by step id, as responses.
fn parse_batch(resp: &Response) -> HashMap<String, Response> {
    let body: Value = serde_json::from_slice(&resp.body).unwrap_or(Value::Null);
    let mut out = HashMap::new();
    for item in body
        .get("responses")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let id = item.get("id").and_then(scalar_text).unwrap_or_default();
        let status = item.get("status").and_then(Value::as_u64).unwrap_or(500) as u16;
        let headers: Vec<(String, String)> = item
            .get("headers")
            .and_then(Value::as_object)
            .map(|h| {
                h.iter()
                    .map(|(k, v)| (k.clone(), scalar_text(v).unwrap_or_default()))
                    .collect()
            })
            .unwrap_or_default();
        let body = match item.get("body") {
            None | Some(Value::Null) => bytes::Bytes::new(),
            Some(b) => bytes::Bytes::from(b.to_string()),
        };
        out.insert(
            id,
            Response {
                method: resp.method.clone(),
                url: resp.url.clone(),
                status,
                version: resp.version.clone(),
                headers,
                body,
                retries: 0,
                written: None,
            },
        );
    }
    out
}

/// Turns one step's answer into output; a throttled step is retried on its own, after its
/// `Retry-After`, which pauses the whole run only when throttling is `broad`.
async fn finish_step(
    x: &Transport<'_>,
    cmd: &'static Command,
    p: &Prepared,
    ctx: &operation::ErrorContext,
    answer: Response,
    broad: bool,
) -> Vec<Emitted> {
    let mut sink = Sink::Buffer(vec![]);
    let answer = if matches!(answer.status, 429 | 503) {
        // The service did not process this step: wait as it asked, then send it alone
        // (the transport applies the usual retry policy from there).
        let asked = answer.header("Retry-After").and_then(retry_after);
        let wait = asked
            .unwrap_or(Duration::from_secs(x.settings.retry_delay))
            .min(Duration::from_secs(180));
        if asked.is_some() && broad {
            // The whole run pauses: other steps sent now would be throttled too.
            x.gate.hold(wait);
        }
        x.sink.verbose(|| {
            format!(
                "$batch step {} {}: {}; retrying it alone in {:.1} s",
                p.request.method,
                p.request.url,
                answer.status,
                wait.as_secs_f64()
            )
        });
        let waited = tokio::select! {
            _ = x.sink.cancellation().cancelled() => false,
            _ = tokio::time::sleep(wait) => true,
        };
        if !waited {
            return vec![Emitted::Error(ctx.describe(&GraphError::Cancelled))];
        }
        match x.send(&p.request).await {
            Ok(r) => r,
            Err(e) => return vec![Emitted::Error(ctx.describe(&e))],
        }
    } else {
        answer
    };
    if let Err(e) = operation::finish_single(cmd, p, answer, &mut sink).await {
        sink.error(ctx.describe(&e));
    }
    match sink {
        Sink::Buffer(b) => b,
        Sink::Stream(_) => vec![],
    }
}

/// `Invoke-MgGraphBatchRequest`: sends a list of requests as `$batch` requests of up to 20
/// steps (keeping `dependsOn` chains together) and returns the answers in request order.
pub async fn run_batch_command(
    session: &Session,
    p: &Map<String, Value>,
    sink: &EventSink,
) -> Result<(), GraphError> {
    let conn = session.connection().ok_or(GraphError::NotConnected)?;
    let version = super::param_str(p, "ApiVersion").unwrap_or_else(|| "v1.0".into());
    if version != "v1.0" && version != "beta" {
        return Err(invalid(format!(
            "-ApiVersion must be v1.0 or beta; got '{version}'."
        )));
    }
    let requests = get_ci(p, "Requests")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if requests.is_empty() {
        return Err(invalid(
            "-Requests is empty: pass at least one request (a hashtable with Method and Url).",
        ));
    }
    let mut steps: Vec<Map<String, Value>> = vec![];
    for (i, r) in requests.iter().enumerate() {
        let Some(obj) = r.as_object() else {
            return Err(invalid(format!("Request #{} is not a hashtable.", i + 1)));
        };
        let id = get_ci(obj, "id")
            .and_then(scalar_text)
            .unwrap_or_else(|| (i + 1).to_string());
        let method = get_ci(obj, "method")
            .and_then(scalar_text)
            .unwrap_or_else(|| "GET".into())
            .to_ascii_uppercase();
        let url = get_ci(obj, "url")
            .and_then(scalar_text)
            .ok_or_else(|| invalid(format!("Request '{id}' has no Url.")))?;
        let mut url = url.trim_start_matches('/').to_string();
        for v in ["v1.0/", "beta/"] {
            if let Some(rest) = url.strip_prefix(v) {
                if !v.starts_with(&version) {
                    return Err(invalid(format!(
                        "Request '{id}' targets {v} but the batch is sent to /{version}."
                    )));
                }
                url = rest.to_string();
            }
        }
        let mut step = Map::new();
        step.insert("id".into(), json!(id));
        step.insert("method".into(), json!(method));
        step.insert("url".into(), json!(format!("/{url}")));
        let mut headers = get_ci(obj, "headers")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        if let Some(body) = get_ci(obj, "body").filter(|b| !b.is_null()) {
            let body = match body {
                Value::String(s) => serde_json::from_str(s).unwrap_or_else(|_| json!(s)),
                other => other.clone(),
            };
            step.insert("body".into(), body);
            if !headers
                .keys()
                .any(|k| k.eq_ignore_ascii_case("Content-Type"))
            {
                headers.insert("Content-Type".into(), json!("application/json"));
            }
        }
        if !headers.is_empty() {
            step.insert("headers".into(), Value::Object(headers));
        }
        if let Some(deps) = get_ci(obj, "dependsOn").filter(|d| !d.is_null()) {
            step.insert("dependsOn".into(), json!(crate::json::string_list(deps)));
        }
        steps.push(step);
    }
    let groups = dependency_groups(&steps)?;
    let mut batches: Vec<Vec<usize>> = vec![];
    for g in groups {
        match batches.last_mut() {
            Some(b) if b.len() + g.len() <= MAX_BATCH => b.extend(g),
            _ => batches.push(g),
        }
    }
    let clients = session.clients()?;
    let x = Transport::new(
        clients,
        Some(&conn),
        session.settings(),
        sink,
        "Invoke-MgGraphBatchRequest".into(),
    );
    let url = format!("{}/{version}/$batch", conn.env.graph_endpoint);
    let mut answers: HashMap<String, Value> = HashMap::new();
    for batch in batches {
        let mut pending: Vec<usize> = batch;
        let mut attempt = 0;
        loop {
            let body = json!({"requests": pending.iter().map(|i| Value::Object(steps[*i].clone())).collect::<Vec<_>>()});
            let mut request = Request::new(reqwest::Method::POST, url.clone()).json_body(&body);
            request.idempotent = pending.iter().all(|i| {
                steps[*i]
                    .get("method")
                    .and_then(Value::as_str)
                    .and_then(|m| reqwest::Method::from_bytes(m.as_bytes()).ok())
                    .map(|m| crate::engine::http::is_idempotent(&m))
                    .unwrap_or(false)
            });
            let resp = x.send(&request).await?;
            if !resp.is_success() {
                return Err(resp.failure());
            }
            let parsed: Value = resp.json()?;
            let mut throttled = vec![];
            let mut wait = Duration::ZERO;
            for item in parsed
                .get("responses")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let id = item.get("id").and_then(scalar_text).unwrap_or_default();
                let status = item.get("status").and_then(Value::as_u64).unwrap_or(0);
                let idx = steps.iter().position(|s| {
                    s.get("id").and_then(scalar_text).as_deref() == Some(id.as_str())
                });
                if matches!(status, 429 | 503) && attempt < x.settings.max_retry {
                    if let Some(i) = idx {
                        throttled.push(i);
                        let w = item
                            .get("headers")
                            .and_then(|h| h.as_object())
                            .and_then(|h| get_ci(h, "Retry-After"))
                            .and_then(scalar_text)
                            .and_then(|v| retry_after(&v))
                            .unwrap_or(Duration::from_secs(x.settings.retry_delay));
                        wait = wait.max(w);
                        continue;
                    }
                }
                answers.insert(id, item.clone());
            }
            if throttled.is_empty() {
                break;
            }
            // Throttled steps go again on their own; their dependents wait for them.
            let dependents: Vec<usize> = pending
                .iter()
                .copied()
                .filter(|i| !throttled.contains(i) && depends_on_any(&steps, *i, &throttled))
                .collect();
            for d in &dependents {
                if let Some(id) = steps[*d].get("id").and_then(scalar_text) {
                    answers.remove(&id);
                }
            }
            pending = throttled.into_iter().chain(dependents).collect();
            pending.sort_unstable();
            attempt += 1;
            sink.verbose(|| {
                format!(
                    "$batch: {} step(s) throttled; retrying them in {:.1} s",
                    pending.len(),
                    wait.as_secs_f64()
                )
            });
            tokio::select! {
                _ = sink.cancellation().cancelled() => return Err(GraphError::Cancelled),
                _ = tokio::time::sleep(wait.min(Duration::from_secs(180))) => {}
            }
        }
    }
    for step in &steps {
        let id = step.get("id").and_then(scalar_text).unwrap_or_default();
        let answer = answers
            .remove(&id)
            .unwrap_or_else(|| json!({"id": id, "status": 0}));
        sink.output_value(answer).await;
    }
    Ok(())
}

fn depends_on_any(steps: &[Map<String, Value>], i: usize, on: &[usize]) -> bool {
    let ids: Vec<String> = on
        .iter()
        .filter_map(|j| steps[*j].get("id").and_then(scalar_text))
        .collect();
    steps[i]
        .get("dependsOn")
        .and_then(Value::as_array)
        .map(|d| {
            d.iter()
                .filter_map(Value::as_str)
                .any(|x| ids.iter().any(|id| id.eq_ignore_ascii_case(x)))
        })
        .unwrap_or(false)
}

/// Groups steps connected by `dependsOn` (they must share a batch), in request order.
fn dependency_groups(steps: &[Map<String, Value>]) -> Result<Vec<Vec<usize>>, GraphError> {
    let ids: Vec<String> = steps
        .iter()
        .map(|s| s.get("id").and_then(scalar_text).unwrap_or_default())
        .collect();
    let mut parent: Vec<usize> = (0..steps.len()).collect();
    fn find(parent: &mut [usize], i: usize) -> usize {
        let mut r = i;
        while parent[r] != r {
            r = parent[r];
        }
        parent[i] = r;
        r
    }
    for (i, s) in steps.iter().enumerate() {
        for dep in s
            .get("dependsOn")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            let j = ids
                .iter()
                .position(|id| id.eq_ignore_ascii_case(dep))
                .ok_or_else(|| {
                    invalid(format!(
                        "Request '{}' depends on '{dep}', which is not in the list.",
                        ids[i]
                    ))
                })?;
            let (a, b) = (find(&mut parent, i), find(&mut parent, j));
            parent[a.max(b)] = a.min(b);
        }
    }
    let mut groups: Vec<(usize, Vec<usize>)> = vec![];
    for i in 0..steps.len() {
        let root = find(&mut parent, i);
        match groups.iter_mut().find(|(r, _)| *r == root) {
            Some((_, g)) => g.push(i),
            None => groups.push((root, vec![i])),
        }
    }
    let mut out = vec![];
    for (_, g) in groups {
        if g.len() > MAX_BATCH {
            return Err(invalid(format!(
                "{} requests are chained by dependsOn; a $batch holds at most {MAX_BATCH}.",
                g.len()
            )));
        }
        out.push(g);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_halves_once_per_round_trip_and_grows_back() {
        let mut w = Flow::new(10);
        assert_eq!((w.size, w.min, w.max), (200, 20, 200));
        let seqs: Vec<u64> = (0..10).map(|_| w.launch(20)).collect();
        // Every chunk of the first round is throttled: one cut, not ten.
        for s in &seqs {
            w.finished(*s, 20, true);
        }
        assert_eq!(w.size, 100);
        // A chunk launched after the cut counts again.
        let s = w.launch(20);
        w.finished(s, 20, true);
        assert_eq!(w.size, 50);
        for _ in 0..5 {
            let s = w.launch(20);
            w.finished(s, 20, true);
        }
        assert_eq!(w.size, 20, "never below one batch");
        // Unthrottled rounds grow it back by about a batch per window's worth of results.
        for _ in 0..3 {
            let s = w.launch(20);
            w.finished(s, 20, false);
        }
        assert!(w.size > 20 && w.size <= 80, "{}", w.size);
        for _ in 0..1000 {
            let s = w.launch(20);
            w.finished(s, 20, false);
        }
        assert_eq!(w.size, 200, "never above ThrottleLimit batches");
    }

    #[test]
    fn a_throttle_sets_a_rate_under_the_measured_throughput() {
        let mut w = Flow::new(4);
        assert_eq!(w.rate, None, "unpaced until the service throttles");
        assert_eq!(w.wait(), None);
        // 100 inputs finish over about 0.5 s, then a throttle.
        w.last_cut = Instant::now() - Duration::from_millis(500);
        for _ in 0..4 {
            let s = w.launch(20);
            w.finished(s, 20, false);
        }
        let s = w.launch(20);
        w.finished(s, 20, true);
        let rate = w.rate.expect("paced after a throttle");
        assert!((150.0..=220.0).contains(&rate), "0.9 x ~200/s: {rate}");
        // A cut right after another measures almost nothing: the rate falls by 30 % at most.
        let s = w.launch(20);
        w.finished(s, 1, true);
        let after = w.rate.unwrap();
        assert!((after - 0.7 * rate).abs() < 1.0, "{rate} -> {after}");
        let rate = after;
        // The next chunk waits its turn under the rate.
        w.launch(20);
        let wait = w.wait().expect("paced");
        assert!(wait > Duration::from_millis(50), "{wait:?}");
        // Unthrottled batches let the rate grow with time.
        w.last_growth = Instant::now() - Duration::from_millis(500);
        let s = w.launch(20);
        w.finished(s, 20, false);
        assert!(w.rate.unwrap() > rate);
    }

    #[test]
    fn a_limit_of_one_is_one_batch() {
        let w = Flow::new(1);
        assert_eq!((w.size, w.min, w.max), (20, 20, 20));
    }

    fn step(id: &str, deps: &[&str]) -> Map<String, Value> {
        json!({"id": id, "method": "GET", "url": "/me", "dependsOn": deps})
            .as_object()
            .unwrap()
            .clone()
    }

    #[test]
    fn dependency_chains_stay_together() {
        let steps = vec![
            step("1", &[]),
            step("2", &["1"]),
            step("3", &[]),
            step("4", &["2"]),
        ];
        let groups = dependency_groups(&steps).unwrap();
        assert_eq!(groups, vec![vec![0, 1, 3], vec![2]]);
        let bad = vec![step("1", &["9"])];
        assert!(dependency_groups(&bad).is_err());
        let long: Vec<_> = (0..21)
            .map(|i| step(&i.to_string(), if i == 0 { &[] } else { &["0"] }))
            .collect();
        assert!(dependency_groups(&long).is_err());
    }

    #[test]
    fn steps_are_relative_to_the_version() {
        let r = Request::new(
            reqwest::Method::POST,
            "https://g/v1.0/users/u/authentication/temporaryAccessPassMethods",
        )
        .json_body(&json!({"isUsableOnce": true}));
        let s = step_json("7", &r, "https://g/v1.0/");
        assert_eq!(
            s["url"],
            "/users/u/authentication/temporaryAccessPassMethods"
        );
        assert_eq!(s["headers"]["Content-Type"], "application/json");
        assert_eq!(s["body"]["isUsableOnce"], true);
    }
}
