//! Issue 8, engine side: the access token stays on Graph's origin, path ids cannot change a
//! request's target, and bulk mode copes with dropped connections and random throttling.

mod common;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::IntoResponse;
use mggraph::call::{Call, Event, EventKind};
use mggraph::catalog::{placeholder_param, COMMANDS};
use mggraph::engine::error::GraphError;
use mggraph::engine::operation::prepare;
use mggraph::sandbox::{Sandbox, SandboxConfig};
use mggraph::session::Session;
use serde_json::{json, Map, Value};

fn rt() -> tokio::runtime::Handle {
    mggraph::runtime::handle().unwrap()
}

fn start_sandbox(config: SandboxConfig) -> Sandbox {
    let addr: SocketAddr = "127.0.0.1:0".parse().unwrap();
    rt().block_on(Sandbox::start(addr, config)).unwrap()
}

fn drain(call: Call) -> Vec<Event> {
    common::drain_call(&call, Duration::from_secs(120))
}

fn run(session: &Arc<Session>, request: Value) -> Vec<Event> {
    common::run_call(session, &request, Duration::from_secs(120))
}

fn of(events: &[Event], kind: EventKind) -> Vec<String> {
    events
        .iter()
        .filter(|e| e.kind == kind)
        .map(|e| e.payload.clone())
        .collect()
}

fn errors(events: &[Event]) -> Vec<Value> {
    of(events, EventKind::Error)
        .iter()
        .map(|e| serde_json::from_str(e).unwrap())
        .collect()
}

fn add_environment(session: &Arc<Session>, name: &str, base: &str) {
    let events = run(
        session,
        json!({"command": "Add-MgEnvironment", "params": {"Name": name, "AzureADEndpoint": base, "GraphEndpoint": base}}),
    );
    assert!(errors(&events).is_empty(), "{events:?}");
}

/// A session signed in (client secret) to the sandbox `s`, with request settings.
fn connect(s: &Sandbox, settings: Value) -> Arc<Session> {
    let session = Arc::new(Session::new());
    add_environment(&session, "T", &s.base_url);
    let events = run(
        &session,
        json!({"command": "Connect-MgGraph", "params": {"Environment": "T", "TenantId": s.tenant_id, "ClientId": s.client_id, "ClientSecret": s.client_secret, "NoWelcome": true}}),
    );
    assert!(errors(&events).is_empty(), "{events:?}");
    let events = run(
        &session,
        json!({"command": "Set-MgRequestContext", "params": settings}),
    );
    assert!(errors(&events).is_empty(), "{events:?}");
    session
}

/// What a loopback HTTP server received: (method, path and query, Authorization header).
type Received = Arc<Mutex<Vec<(String, String, Option<String>)>>>;

/// Serves `answer` for every request on a free loopback port; returns its base URL and log.
fn serve(
    answer: impl Fn(&str, &str) -> axum::response::Response + Clone + Send + Sync + 'static,
) -> (String, Received) {
    let received: Received = Arc::default();
    let log = received.clone();
    let app = axum::Router::new().fallback(
        move |method: axum::http::Method, uri: Uri, headers: HeaderMap| {
            let log = log.clone();
            let answer = answer.clone();
            async move {
                let pq = uri
                    .path_and_query()
                    .map(|p| p.to_string())
                    .unwrap_or_default();
                let auth = headers
                    .get("authorization")
                    .map(|v| v.to_str().unwrap_or_default().to_string());
                log.lock()
                    .unwrap()
                    .push((method.to_string(), pq.clone(), auth));
                answer(method.as_str(), &pq)
            }
        },
    );
    let listener = rt()
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    rt().spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (base, received)
}

fn json_response(body: Value) -> axum::response::Response {
    (
        StatusCode::OK,
        [("content-type", "application/json")],
        body.to_string(),
    )
        .into_response()
}

#[test]
fn the_token_goes_only_to_the_graph_origin() {
    // Another origin on the same host: only the port differs.
    let (foreign, foreign_log) = serve(|_, _| json_response(json!({"value": []})));
    let next = format!("{foreign}/v1.0/users?$skiptoken=stolen");
    let redirect = format!("{foreign}/v1.0/users/elsewhere");
    let (graph, graph_log) = serve(move |_, pq| match pq {
        "/v1.0/users?$top=999" | "/v1.0/users" => {
            json_response(json!({"value": [{"id": "1"}], "@odata.nextLink": next}))
        }
        "/v1.0/users/moved" => {
            (StatusCode::FOUND, [("location", redirect.as_str())]).into_response()
        }
        "/v1.0/users/renamed" => {
            (StatusCode::FOUND, [("location", "/v1.0/users/target")]).into_response()
        }
        "/v1.0/users/target" => json_response(json!({"id": "target"})),
        _ => (StatusCode::NOT_FOUND, "{}").into_response(),
    });
    let session = Arc::new(Session::new());
    add_environment(&session, "Fake", &graph);
    let events = run(
        &session,
        json!({"command": "Connect-MgGraph", "params": {"ParameterSet": "AccessTokenParameterSet", "Environment": "Fake", "AccessToken": "secret-token-value", "NoWelcome": true}}),
    );
    assert!(errors(&events).is_empty(), "{events:?}");

    // A next link to another origin: the first page is output, then the run stops.
    let events = run(
        &session,
        json!({"command": "Get-MgUser", "set": "List", "params": {"All": true}}),
    );
    assert_eq!(of(&events, EventKind::Output).len(), 1, "{events:?}");
    let e = &errors(&events)[0];
    let message = e["message"].as_str().unwrap();
    assert!(
        message.contains(&foreign) && message.contains("not the session's Graph endpoint"),
        "{message}"
    );
    assert_eq!(e["category"], "SecurityError");

    // A redirect to another origin is not followed; one within the origin is.
    let events = run(
        &session,
        json!({"command": "Get-MgUser", "set": "Get", "params": {"UserId": "moved"}}),
    );
    let message = errors(&events)[0]["message"].as_str().unwrap().to_string();
    assert!(message.contains(&foreign), "{message}");
    let events = run(
        &session,
        json!({"command": "Get-MgUser", "set": "Get", "params": {"UserId": "renamed"}}),
    );
    assert!(errors(&events).is_empty(), "{events:?}");
    assert!(of(&events, EventKind::Output)[0].contains("target"));

    // An absolute -Uri on another origin is refused before anything is sent.
    let events = run(
        &session,
        json!({"command": "Invoke-MgGraphRequest", "params": {"Uri": format!("{foreign}/v1.0/me")}}),
    );
    let message = errors(&events)[0]["message"].as_str().unwrap().to_string();
    assert!(message.contains(&foreign), "{message}");

    assert!(
        foreign_log.lock().unwrap().is_empty(),
        "the foreign origin received nothing: {:?}",
        foreign_log.lock().unwrap()
    );
    let graph_log = graph_log.lock().unwrap();
    assert!(graph_log
        .iter()
        .all(|(_, _, auth)| auth.as_deref() == Some("Bearer secret-token-value")));
    assert_eq!(graph_log.len(), 4, "{graph_log:?}");
}

/// Bound parameters for every path placeholder of a set, with `value` for `bad` (the
/// others `u1`), directly or on an input object.
fn path_params(
    placeholders: &[&str],
    via_identity: bool,
    bad: &str,
    value: &str,
) -> Map<String, Value> {
    let mut ids = Map::new();
    for ph in placeholders {
        let name = placeholder_param(ph);
        let v = if *ph == bad { value } else { "u1" };
        ids.insert(name, json!(v));
    }
    if via_identity {
        let mut m = Map::new();
        m.insert("InputObject".into(), Value::Object(ids));
        m
    } else {
        ids
    }
}

#[test]
fn ids_made_of_dots_are_refused_and_others_stay_in_their_segment() {
    let endpoint = "https://graph.microsoft.com";
    let mut checked = 0;
    for cmd in COMMANDS {
        for set in cmd.parameter_sets() {
            let placeholders = set.route.placeholders();
            for ph in &placeholders {
                let name = placeholder_param(ph);
                for bad in ["", " ", ".", "..", "..."] {
                    let params = path_params(&placeholders, set.via_identity, ph, bad);
                    let e = prepare(cmd, &set, &params, endpoint)
                        .err()
                        .unwrap_or_else(|| {
                            panic!("{} {} accepted {name} '{bad}'", cmd.name, set.name)
                        });
                    let GraphError::Invalid { message } = e else {
                        panic!("{e:?}")
                    };
                    assert!(
                        message.contains(&name),
                        "{} {}: {message}",
                        cmd.name,
                        set.name
                    );
                    if bad.starts_with('.') {
                        assert!(
                            message.starts_with(&format!("-{name} '{bad}' is not a valid id")),
                            "{message}"
                        );
                    }
                }
                // Characters that would end the segment are escaped inside it.
                for tricky in [
                    "a/../b",
                    "../x",
                    "x?$select=id",
                    "x#frag",
                    "x%2F..",
                    "x\\..\\y",
                    "$a/../b",
                ] {
                    let params = path_params(&placeholders, set.via_identity, ph, tricky);
                    let p = prepare(cmd, &set, &params, endpoint).unwrap();
                    let url = url::Url::parse(&p.request.url).unwrap();
                    // A `$` id takes the key form, `users('$a')`: one segment fewer.
                    let expected = format!("/{}{}", cmd.api.segment(), set.route.path)
                        .split('/')
                        .count()
                        - usize::from(tricky.starts_with('$'));
                    assert_eq!(
                        url.path().split('/').count(),
                        expected,
                        "{} {}: {tricky} -> {}",
                        cmd.name,
                        set.name,
                        p.request.url
                    );
                    assert!(url.fragment().is_none(), "{}", p.request.url);
                    let template_query = set.route.path.contains('?');
                    assert!(
                        template_query || url.query().map_or(true, |q| !q.contains("$select=id")),
                        "{}",
                        p.request.url
                    );
                }
                checked += 1;
            }
        }
    }
    assert!(
        checked > 20,
        "every set with a path id was checked: {checked}"
    );
}

#[test]
fn a_dotted_id_sends_nothing_end_to_end() {
    let s = start_sandbox(SandboxConfig::default());
    let session = connect(&s, json!({}));
    let before = s.state.traffic.log().len();
    let events = run(
        &session,
        json!({"command": "Update-MgPolicyAuthenticationMethodPolicyAuthenticationMethodConfiguration", "set": "Update",
               "params": {"AuthenticationMethodConfigurationId": "..", "BodyParameter": {"state": "disabled"}}}),
    );
    let e = &errors(&events)[0];
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .starts_with("-AuthenticationMethodConfigurationId '..' is not a valid id"),
        "{e}"
    );
    assert_eq!(e["category"], "InvalidArgument");
    let events = run(
        &session,
        json!({"command": "Get-MgUser", "set": "Get", "params": {"UserId": "."}}),
    );
    assert!(errors(&events)[0]["message"]
        .as_str()
        .unwrap()
        .starts_with("-UserId '.' is not a valid id"));
    assert_eq!(
        s.state.traffic.log().len(),
        before,
        "nothing reached the service"
    );
}

fn push_all(session: &Arc<Session>, command: &str, limit: u32, inputs: Vec<Value>) -> Vec<Event> {
    push_all_with(session, command, limit, inputs, false)
}

fn push_all_with(
    session: &Arc<Session>,
    command: &str,
    limit: u32,
    inputs: Vec<Value>,
    verbose: bool,
) -> Vec<Event> {
    let call = session
        .start_call(
            &json!({"command": command, "streamInput": true, "throttleLimit": limit, "verbose": verbose})
                .to_string(),
        )
        .unwrap();
    for i in inputs {
        call.push(i).unwrap();
    }
    call.finish_input();
    drain(call)
}

#[test]
fn a_batch_of_gets_is_sent_again_after_a_dropped_connection() {
    let mut config = SandboxConfig {
        seed_users: 200,
        demo: None,
        ..Default::default()
    };
    config.faults.pdrop = 0.25;
    config.faults.seed = 8;
    let s = start_sandbox(config);
    let session = connect(&s, json!({"MaxRetry": 8, "RetryDelay": 0}));
    let inputs = (1..=200)
        .map(|i| json!({"set": "Get", "params": {"UserId": format!("seed{i:06}@{}", s.domain)}}))
        .collect();
    let events = push_all(&session, "Get-MgUser", 4, inputs);
    assert!(errors(&events).is_empty(), "{:?}", errors(&events));
    assert_eq!(of(&events, EventKind::Output).len(), 200);
    let dropped = s
        .state
        .traffic
        .log()
        .iter()
        .filter(|l| l.dropped && l.path_and_query.ends_with("/$batch"))
        .count();
    assert!(dropped > 0, "some batches were dropped and sent again");
}

#[test]
fn a_dropped_batch_of_posts_is_not_resent_and_each_input_says_how_to_check() {
    let mut config = SandboxConfig {
        demo: None,
        ..Default::default()
    };
    config.faults.pdrop = 1.0;
    let s = start_sandbox(config);
    let session = connect(&s, json!({"MaxRetry": 3, "RetryDelay": 0}));
    let inputs: Vec<Value> = (1..=5)
        .map(|i| json!({"set": "CreateExpanded", "params": {"UserId": format!("user{i}@{}", s.domain), "IsUsableOnce": true}}))
        .collect();
    let events = push_all(
        &session,
        "New-MgUserAuthenticationTemporaryAccessPassMethod",
        1,
        inputs,
    );
    let errs = errors(&events);
    assert_eq!(errs.len(), 5, "{errs:?}");
    for (i, e) in errs.iter().enumerate() {
        let m = e["message"].as_str().unwrap();
        assert!(
            m.contains("may or may not have been applied")
                && m.contains(&format!(
                    "Check with Get-MgUserAuthenticationTemporaryAccessPassMethod -UserId 'user{}@{}'",
                    i + 1,
                    s.domain
                )),
            "{m}"
        );
        assert_eq!(e["code"], "OutcomeUnknown");
        assert_eq!(e["input"], i);
    }
    // The server logs a request as its handler ends, which may be just after the client saw
    // the connection drop: look for a moment before counting.
    let count = || {
        s.state
            .traffic
            .log()
            .iter()
            .filter(|l| l.path_and_query.ends_with("/$batch"))
            .count()
    };
    for _ in 0..40 {
        if count() > 0 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    std::thread::sleep(std::time::Duration::from_millis(200));
    assert_eq!(count(), 1, "the batch may have been applied: sent once");
}

#[test]
fn random_throttling_of_some_steps_does_not_pause_the_run() {
    let mut config = SandboxConfig {
        seed_users: 400,
        demo: None,
        ..Default::default()
    };
    config.faults.p429 = 0.2;
    config.faults.seed = 3;
    let s = start_sandbox(config);
    let session = connect(&s, json!({"MaxRetry": 6, "RetryDelay": 0}));
    let inputs = (1..=400)
        .map(|i| json!({"set": "Get", "params": {"UserId": format!("seed{i:06}@{}", s.domain)}}))
        .collect();
    let events = push_all_with(&session, "Get-MgUser", 4, inputs, true);
    assert!(errors(&events).is_empty(), "{:?}", errors(&events));
    assert_eq!(of(&events, EventKind::Output).len(), 400);
    let throttled = s
        .state
        .traffic
        .throttled
        .load(std::sync::atomic::Ordering::SeqCst);
    let pauses = of(&events, EventKind::Verbose)
        .iter()
        .filter(|v| v.contains("the service asked for a pause"))
        .count();
    eprintln!("{throttled} answers throttled at random; the run slowed down {pauses} times");
    assert!(throttled > 40, "the faults were on: {throttled}");
    assert!(
        pauses <= 1,
        "random 429s on some steps are no spent budget: {pauses} slow-downs"
    );
}
