//! The request engine against sandboxes with faults: retries, throttling, token refresh,
//! paging, bulk order, $batch, cancellation and traces. The sandbox's request log shows what
//! actually went over the wire.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use mggraph::call::{Call, Event, EventKind, Next};
use mggraph::sandbox::{Sandbox, SandboxConfig};
use mggraph::session::Session;
use serde_json::{json, Value};

fn start_sandbox(config: SandboxConfig) -> Sandbox {
    let addr: SocketAddr = "127.0.0.1:0".parse().unwrap();
    mggraph::runtime::handle()
        .unwrap()
        .block_on(Sandbox::start(addr, config))
        .unwrap()
}

fn drain(call: Call) -> Vec<Event> {
    let mut events = vec![];
    loop {
        match call.next(Duration::from_secs(60)) {
            Next::Event(e) => events.push(e),
            Next::Done => return events,
            Next::Pending => continue,
            Next::Cancelled => panic!("cancelled"),
        }
    }
}

fn run(session: &Arc<Session>, request: Value) -> Vec<Event> {
    drain(session.start_call(&request.to_string()).unwrap())
}

fn of(events: &[Event], kind: EventKind) -> Vec<String> {
    events
        .iter()
        .filter(|e| e.kind == kind)
        .map(|e| e.payload.clone())
        .collect()
}

/// A session signed in (client secret) to `s`, with retry settings.
fn connect(s: &Sandbox, settings: Value) -> Arc<Session> {
    let session = Arc::new(Session::new());
    run(
        &session,
        json!({"command": "Add-MgEnvironment", "params": {"Name": "T", "AzureADEndpoint": s.base_url, "GraphEndpoint": s.base_url}}),
    );
    let events = run(
        &session,
        json!({"command": "Connect-MgGraph", "params": {"Environment": "T", "TenantId": s.tenant_id, "ClientId": s.client_id, "ClientSecret": s.client_secret, "NoWelcome": true}}),
    );
    assert!(of(&events, EventKind::Error).is_empty(), "{events:?}");
    let events = run(
        &session,
        json!({"command": "Set-MgRequestContext", "params": settings}),
    );
    assert!(of(&events, EventKind::Error).is_empty(), "{events:?}");
    session
}

fn get_user(upn: &str) -> Value {
    json!({"command": "Get-MgUser", "set": "Get", "params": {"UserId": upn}})
}

#[test]
fn throttling_waits_for_retry_after_and_keeps_one_client_request_id() {
    let mut config = SandboxConfig::default();
    config.faults.rate_limit_ru_per_sec = Some(1.0);
    let s = start_sandbox(config);
    let session = connect(&s, json!({"RetryDelay": 0}));
    let upn = s.admin_upn.clone();
    assert_eq!(
        of(&run(&session, get_user(&upn)), EventKind::Output).len(),
        1
    );
    let started = Instant::now();
    let events = run(&session, get_user(&upn));
    assert_eq!(of(&events, EventKind::Output).len(), 1, "{events:?}");
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "waited for Retry-After: {:?}",
        started.elapsed()
    );
    let log: Vec<_> = s
        .state
        .traffic
        .log()
        .into_iter()
        .filter(|l| l.path_and_query.starts_with("/v1.0/users/"))
        .collect();
    let last_two = &log[log.len() - 2..];
    assert_eq!(last_two[0].status, 429);
    assert_eq!(last_two[0].retry_attempt, None);
    assert_eq!(last_two[1].status, 200);
    assert_eq!(last_two[1].retry_attempt.as_deref(), Some("1"));
    assert_eq!(
        last_two[0].client_request_id, last_two[1].client_request_id,
        "one client-request-id across retries"
    );
}

#[test]
fn gives_up_after_max_retry_with_the_last_response() {
    let mut config = SandboxConfig::default();
    config.faults.p503 = 1.0;
    config.faults.retry_after_secs = 0;
    let s = start_sandbox(config);
    let session = connect(&s, json!({"MaxRetry": 2, "RetryDelay": 0}));
    let events = run(&session, get_user(&s.admin_upn));
    let errors = of(&events, EventKind::Error);
    assert_eq!(errors.len(), 1);
    let e: Value = serde_json::from_str(&errors[0]).unwrap();
    let msg = e["message"].as_str().unwrap();
    assert!(msg.contains("Status: 503 (ServiceUnavailable)"), "{msg}");
    assert!(msg.contains("retried 2 times"), "{msg}");
    let attempts: Vec<_> = s
        .state
        .traffic
        .log()
        .into_iter()
        .filter(|l| l.path_and_query.starts_with("/v1.0/users/"))
        .map(|l| l.retry_attempt)
        .collect();
    assert_eq!(
        attempts,
        vec![None, Some("1".to_string()), Some("2".to_string())]
    );
}

#[test]
fn a_post_is_not_resent_after_a_dropped_connection_but_a_get_is() {
    let mut config = SandboxConfig::default();
    config.faults.pdrop = 1.0;
    let s = start_sandbox(config);
    let session = connect(&s, json!({"MaxRetry": 2, "RetryDelay": 0}));
    let events = run(
        &session,
        json!({"command": "New-MgGroup", "set": "CreateExpanded", "params": {"DisplayName": "x", "MailEnabled": false, "MailNickname": "x", "SecurityEnabled": true}}),
    );
    let e: Value = serde_json::from_str(&of(&events, EventKind::Error)[0]).unwrap();
    assert_eq!(e["category"], "ConnectionError", "{e}");
    let posts = s
        .state
        .traffic
        .log()
        .into_iter()
        .filter(|l| l.method == "POST" && l.path_and_query == "/v1.0/groups")
        .count();
    assert_eq!(
        posts, 1,
        "the service may have processed it: never sent twice"
    );
    run(&session, get_user(&s.admin_upn));
    let gets = s
        .state
        .traffic
        .log()
        .into_iter()
        .filter(|l| l.method == "GET" && l.path_and_query.starts_with("/v1.0/users/"))
        .count();
    assert_eq!(gets, 3, "a GET is safe to repeat");
}

#[test]
fn a_revoked_token_is_refreshed_once_and_the_request_retried() {
    let s = start_sandbox(SandboxConfig::default());
    let session = connect(&s, json!({}));
    assert_eq!(
        of(&run(&session, get_user(&s.admin_upn)), EventKind::Output).len(),
        1
    );
    s.state.signer.rotate();
    let events = run(&session, get_user(&s.admin_upn));
    assert_eq!(of(&events, EventKind::Output).len(), 1, "{events:?}");
    let statuses: Vec<u16> = s
        .state
        .traffic
        .log()
        .into_iter()
        .filter(|l| l.path_and_query.starts_with("/v1.0/users/"))
        .map(|l| l.status)
        .collect();
    assert_eq!(statuses, vec![200, 401, 200]);
}

#[test]
fn all_asks_for_full_pages_adapts_to_a_service_cap_and_reports_progress() {
    let s = start_sandbox(SandboxConfig {
        seed_users: 296,
        demo: None,
        max_page_size: 120,
        ..Default::default()
    });
    let session = connect(&s, json!({}));
    let events = run(
        &session,
        json!({"command": "Get-MgUser", "set": "List", "params": {"All": true, "Property": ["id"]}}),
    );
    let count: usize = of(&events, EventKind::Output)
        .iter()
        .map(|p| serde_json::from_str::<Vec<Value>>(p).unwrap().len())
        .sum();
    assert_eq!(count, 300);
    let urls: Vec<String> = s
        .state
        .traffic
        .log()
        .into_iter()
        .filter(|l| l.path_and_query.starts_with("/v1.0/users"))
        .map(|l| l.path_and_query)
        .collect();
    assert!(urls[0].contains("$top=999"), "{urls:?}");
    assert!(urls[1].contains("$top=120"), "{urls:?}");
    assert_eq!(
        urls.len(),
        1 + 3,
        "one refused page request, then three pages"
    );
    let progress = of(&events, EventKind::Progress);
    assert!(
        progress.iter().any(|p| p.contains("Retrieved 120 items")),
        "{progress:?}"
    );
    assert!(progress.last().unwrap().contains("completed"));
}

#[test]
fn cancelling_an_all_run_stops_the_requests() {
    let mut config = SandboxConfig {
        seed_users: 3000,
        demo: None,
        ..Default::default()
    };
    config.faults.latency = Duration::from_millis(30);
    let s = start_sandbox(config);
    let session = connect(&s, json!({}));
    let call = session
        .start_call(&json!({"command": "Get-MgUser", "set": "List", "params": {"All": true, "PageSize": 10}}).to_string())
        .unwrap();
    let mut pages = 0;
    while pages < 5 {
        if let Next::Event(e) = call.next(Duration::from_secs(10)) {
            if e.kind == EventKind::Output {
                pages += 1;
            }
        }
    }
    let cancelled = Instant::now();
    call.cancel();
    drop(call);
    std::thread::sleep(Duration::from_millis(300));
    let traffic = &s.state.traffic;
    let after = traffic.total.load(std::sync::atomic::Ordering::SeqCst);
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(
        traffic.total.load(std::sync::atomic::Ordering::SeqCst),
        after,
        "no request after the cancel settled"
    );
    assert_eq!(
        traffic.in_flight.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "nothing left in flight"
    );
    assert!(cancelled.elapsed() < Duration::from_secs(1) + Duration::from_millis(900));
    assert!(after < 3004 / 10, "stopped well before the end: {after}");
}

#[test]
fn bulk_keeps_input_order_names_failed_inputs_and_packs_batches() {
    let s = start_sandbox(SandboxConfig {
        seed_users: 60,
        demo: None,
        ..Default::default()
    });
    let session = connect(&s, json!({}));
    let call = session
        .start_call(
            &json!({"command": "Get-MgUser", "streamInput": true, "throttleLimit": 4}).to_string(),
        )
        .unwrap();
    let mut expected = vec![];
    for i in 1..=60 {
        let upn = if i % 7 == 0 {
            format!("ghost{i}@{}", s.domain)
        } else {
            format!("seed{i:06}@{}", s.domain)
        };
        expected.push(upn.clone());
        call.push(json!({"set": "Get", "params": {"UserId": upn}}))
            .unwrap();
    }
    call.finish_input();
    let events = drain(call);
    let mut seen = vec![];
    let mut failed = vec![];
    for e in &events {
        match e.kind {
            EventKind::Output => {
                for u in serde_json::from_str::<Vec<Value>>(&e.payload).unwrap() {
                    seen.push(u["userPrincipalName"].as_str().unwrap().to_string());
                }
            }
            EventKind::Error => {
                let d: Value = serde_json::from_str(&e.payload).unwrap();
                failed.push(d["input"].as_u64().unwrap() as usize);
                assert_eq!(
                    d["target"]["UserId"],
                    json!(expected[d["input"].as_u64().unwrap() as usize])
                );
                seen.push(expected[d["input"].as_u64().unwrap() as usize].clone());
            }
            _ => {}
        }
    }
    assert_eq!(seen, expected, "every input once, in input order");
    assert_eq!(
        failed,
        (1..=60)
            .filter(|i| i % 7 == 0)
            .map(|i| i - 1)
            .collect::<Vec<_>>()
    );
    let batches = s
        .state
        .traffic
        .log()
        .into_iter()
        .filter(|l| l.path_and_query == "/v1.0/$batch")
        .count();
    assert!(
        batches >= 3,
        "inputs that were ready together went as $batch: {batches}"
    );
}

#[test]
fn throttled_batch_steps_are_retried_on_their_own() {
    let mut config = SandboxConfig {
        seed_users: 40,
        demo: None,
        ..Default::default()
    };
    config.faults.p429 = 0.3;
    config.faults.retry_after_secs = 0;
    config.faults.seed = 7;
    let s = start_sandbox(config);
    let session = connect(&s, json!({"MaxRetry": 10, "RetryDelay": 0}));
    let call = session
        .start_call(
            &json!({"command": "Get-MgUser", "streamInput": true, "throttleLimit": 2}).to_string(),
        )
        .unwrap();
    for i in 1..=40 {
        call.push(json!({"set": "Get", "params": {"UserId": format!("seed{i:06}@{}", s.domain)}}))
            .unwrap();
    }
    call.finish_input();
    let events = drain(call);
    assert!(
        of(&events, EventKind::Error).is_empty(),
        "{:?}",
        of(&events, EventKind::Error)
    );
    let got: usize = of(&events, EventKind::Output)
        .iter()
        .map(|p| serde_json::from_str::<Vec<Value>>(p).unwrap().len())
        .sum();
    assert_eq!(got, 40);
    let alone = s
        .state
        .traffic
        .log()
        .into_iter()
        .filter(|l| l.path_and_query.starts_with("/v1.0/users/seed"))
        .count();
    assert!(alone > 0, "some throttled steps were sent on their own");
}

#[test]
fn traces_show_http_without_secrets() {
    let s = start_sandbox(SandboxConfig::default());
    let session = connect(&s, json!({}));
    let mut req = get_user(&s.admin_upn);
    req["verbose"] = json!(true);
    req["debug"] = json!(true);
    let events = run(&session, req);
    let debug = of(&events, EventKind::Debug).join("\n");
    assert!(
        debug.contains("============================ HTTP REQUEST ============================")
    );
    assert!(
        debug.contains("============================ HTTP RESPONSE ============================")
    );
    assert!(debug.contains("Absolute Uri:"));
    assert!(
        !debug.to_ascii_lowercase().contains("authorization"),
        "{debug}"
    );
    assert!(!debug.contains("eyJ"), "no token in traces");
    let verbose = of(&events, EventKind::Verbose);
    assert_eq!(verbose.len(), 1, "one line per request: {verbose:?}");
    assert!(verbose[0].starts_with(&format!("GET {}/v1.0/users/", s.base_url)));
    assert!(
        verbose[0].contains(": 200 OK (") && verbose[0].ends_with("0 retries)"),
        "{}",
        verbose[0]
    );
}

#[test]
fn a_bulk_run_under_a_budget_settles_near_it_and_loses_nothing() {
    // 100 resource units a second, 20 ms a request: a wide-open run would spend most of its
    // requests on 429s and run out of retries; the window and the shared Retry-After pause
    // keep it near the budget.
    let mut config = SandboxConfig {
        seed_users: 400,
        demo: None,
        ..Default::default()
    };
    config.faults.rate_limit_ru_per_sec = Some(100.0);
    config.faults.latency = Duration::from_millis(20);
    let s = start_sandbox(config);
    let session = connect(&s, json!({}));
    let call = session
        .start_call(
            &json!({"command": "Get-MgUser", "streamInput": true, "throttleLimit": 8}).to_string(),
        )
        .unwrap();
    for i in 1..=400 {
        call.push(json!({"set": "Get", "params": {"UserId": format!("seed{i:06}@{}", s.domain)}}))
            .unwrap();
    }
    call.finish_input();
    let started = Instant::now();
    let events = drain(call);
    let elapsed = started.elapsed();
    assert!(
        of(&events, EventKind::Error).is_empty(),
        "{:?}",
        of(&events, EventKind::Error)
    );
    let got: Vec<String> = of(&events, EventKind::Output)
        .iter()
        .flat_map(|p| serde_json::from_str::<Vec<Value>>(p).unwrap())
        .map(|u| u["userPrincipalName"].as_str().unwrap().to_string())
        .collect();
    let expected: Vec<String> = (1..=400)
        .map(|i| format!("seed{i:06}@{}", s.domain))
        .collect();
    assert_eq!(got, expected, "every input once, in order");
    let throttled = s
        .state
        .traffic
        .throttled
        .load(std::sync::atomic::Ordering::SeqCst);
    eprintln!("400 inputs in {elapsed:?}, {throttled} throttled");
    // The budget allows 100 at once, then 100 a second: 400 take about 3 s.
    assert!(
        elapsed >= Duration::from_secs(2),
        "the budget was honoured: {elapsed:?}"
    );
    assert!(
        throttled < 200,
        "the run backed off instead of hammering: {throttled} throttled of 400"
    );
}

/// A forward proxy on loopback for one test: it records the head of the first request of
/// every connection and relays the bytes both ways to `target`.
fn recording_proxy(target: SocketAddr) -> (String, Arc<std::sync::Mutex<Vec<String>>>) {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let uri = format!("http://{}", listener.local_addr().unwrap());
    let heads = Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = heads.clone();
    std::thread::spawn(move || {
        for client in listener.incoming() {
            let Ok(mut client) = client else { return };
            let seen = seen.clone();
            std::thread::spawn(move || {
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") && client.read(&mut byte).unwrap_or(0) == 1 {
                    head.push(byte[0]);
                }
                seen.lock()
                    .unwrap()
                    .push(String::from_utf8_lossy(&head).into_owned());
                let mut server = std::net::TcpStream::connect(target).unwrap();
                server.write_all(&head).unwrap();
                let (mut from_client, mut to_client) = (client.try_clone().unwrap(), client);
                let (mut to_server, mut from_server) = (server.try_clone().unwrap(), server);
                std::thread::spawn(move || std::io::copy(&mut from_client, &mut to_server));
                let _ = std::io::copy(&mut from_server, &mut to_client);
            });
        }
    });
    (uri, heads)
}

#[test]
fn a_call_with_a_proxy_goes_through_it_with_its_credentials() {
    use base64::Engine as _;
    let s = start_sandbox(SandboxConfig::default());
    let session = connect(&s, json!({}));
    let target: SocketAddr = s.base_url.trim_start_matches("http://").parse().unwrap();
    let (proxy, heads) = recording_proxy(target);

    let mut req = get_user(&s.admin_upn);
    req["proxy"] = json!({"uri": proxy, "userName": "corp\\ann", "password": "s3cret:proxy"});
    req["debug"] = json!(true);
    let events = run(&session, req);
    assert!(of(&events, EventKind::Error).is_empty(), "{events:?}");
    assert!(of(&events, EventKind::Output)[0].contains(&s.admin_upn));
    let head = heads.lock().unwrap()[0].clone();
    assert!(
        head.starts_with(&format!("GET {}/v1.0/users/", s.base_url)),
        "the proxy is sent the absolute URI (RFC 9112 §3.2.2): {head}"
    );
    let basic = base64::engine::general_purpose::STANDARD.encode("corp\\ann:s3cret:proxy");
    assert!(
        head.to_ascii_lowercase().contains(&format!(
            "proxy-authorization: basic {}",
            basic.to_ascii_lowercase()
        )),
        "{head}"
    );
    // The password is in no event of the call (its -Debug trace included).
    assert!(events.iter().all(|e| !e.payload.contains("s3cret")));

    // Without -Proxy the session's clients go direct.
    let before = heads.lock().unwrap().len();
    let events = run(&session, get_user(&s.admin_upn));
    assert!(of(&events, EventKind::Error).is_empty(), "{events:?}");
    assert_eq!(heads.lock().unwrap().len(), before);

    // An unusable -Proxy stops the call as a parameter error naming it; nothing is sent.
    let sent = s.state.traffic.log().len();
    for bad in ["proxy.corp:8080", "ftp://proxy.corp", "not a uri"] {
        let mut req = get_user(&s.admin_upn);
        req["proxy"] = json!({"uri": bad});
        let errors = of(&run(&session, req), EventKind::Error);
        assert_eq!(errors.len(), 1, "{bad}");
        let e: Value = serde_json::from_str(&errors[0]).unwrap();
        assert!(
            e["message"]
                .as_str()
                .unwrap()
                .contains(&format!("-Proxy: '{bad}'")),
            "{e}"
        );
        assert_eq!(e["terminating"], json!(true), "{e}");
    }
    assert_eq!(s.state.traffic.log().len(), sent);
}
