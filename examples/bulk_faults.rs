//! Measures bulk mode (`-ThrottleLimit`) against the in-process sandbox with random faults:
//! how many inputs a second get through, and what the sandbox saw. A figure, not a test.
//!
//! ```text
//! cargo run --release --example bulk_faults -- [inputs] [throttle-limit] [latency-ms] [p429] [p503] [pdrop] [operation]
//! cargo run --release --example bulk_faults -- 2000 10 100 0.2 0 0 tap
//! ```
//! `operation` is `tap` (New-MgUserAuthenticationTemporaryAccessPassMethod, a POST per
//! input) or `get` (Get-MgUser by UPN). Prints one JSON line.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use mggraph::call::{Call, Event, EventKind, Next};
use mggraph::sandbox::{Sandbox, SandboxConfig};
use mggraph::session::Session;
use serde_json::{json, Value};

fn drain(call: Call) -> Vec<Event> {
    let mut events = vec![];
    loop {
        match call.next(Duration::from_secs(600)) {
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

fn count(events: &[Event], kind: EventKind) -> usize {
    events.iter().filter(|e| e.kind == kind).count()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize, default: &str| args.get(i).cloned().unwrap_or_else(|| default.into());
    let inputs: usize = arg(0, "2000").parse().unwrap();
    let limit: u32 = arg(1, "10").parse().unwrap();
    let latency: u64 = arg(2, "100").parse().unwrap();
    let p429: f64 = arg(3, "0.2").parse().unwrap();
    let p503: f64 = arg(4, "0").parse().unwrap();
    let pdrop: f64 = arg(5, "0").parse().unwrap();
    let operation = arg(6, "tap");

    let mut config = SandboxConfig {
        seed_users: inputs,
        demo: None,
        ..Default::default()
    };
    config.faults.latency = Duration::from_millis(latency);
    config.faults.p429 = p429;
    config.faults.p503 = p503;
    config.faults.pdrop = pdrop;
    config.faults.seed = 2026;
    let addr: SocketAddr = "127.0.0.1:0".parse().unwrap();
    let s = mggraph::runtime::handle()
        .unwrap()
        .block_on(Sandbox::start(addr, config))
        .unwrap();

    let session = Arc::new(Session::new());
    run(
        &session,
        json!({"command": "Add-MgEnvironment", "params": {"Name": "B", "AzureADEndpoint": s.base_url, "GraphEndpoint": s.base_url}}),
    );
    let events = run(
        &session,
        json!({"command": "Connect-MgGraph", "params": {"Environment": "B", "TenantId": s.tenant_id, "ClientId": s.client_id, "ClientSecret": s.client_secret, "NoWelcome": true}}),
    );
    assert_eq!(count(&events, EventKind::Error), 0, "{events:?}");
    if operation == "tap" {
        run(
            &session,
            json!({"command": "Set-MgRequestContext", "params": {"MaxRetry": 10, "RetryDelay": 0}}),
        );
        let events = run(
            &session,
            json!({"command": "Update-MgPolicyAuthenticationMethodPolicyAuthenticationMethodConfiguration", "set": "Update",
                   "params": {"AuthenticationMethodConfigurationId": "TemporaryAccessPass",
                              "BodyParameter": {"@odata.type": "#microsoft.graph.temporaryAccessPassAuthenticationMethodConfiguration", "state": "enabled"}}}),
        );
        assert_eq!(count(&events, EventKind::Error), 0, "{events:?}");
        // The SDK's defaults, as a script would run.
        run(
            &session,
            json!({"command": "Set-MgRequestContext", "params": {"MaxRetry": 3, "RetryDelay": 3}}),
        );
    }
    let throttled_before = s
        .state
        .traffic
        .throttled
        .load(std::sync::atomic::Ordering::SeqCst);
    let requests_before = s
        .state
        .traffic
        .total
        .load(std::sync::atomic::Ordering::SeqCst);
    let command = if operation == "tap" {
        "New-MgUserAuthenticationTemporaryAccessPassMethod"
    } else {
        "Get-MgUser"
    };
    let started = Instant::now();
    let call = session
        .start_call(
            &json!({"command": command, "streamInput": true, "throttleLimit": limit}).to_string(),
        )
        .unwrap();
    for i in 1..=inputs {
        let upn = format!("seed{i:06}@{}", s.domain);
        let input = if operation == "tap" {
            json!({"set": "CreateExpanded", "params": {"UserId": upn, "IsUsableOnce": true, "LifetimeInMinutes": 60}})
        } else {
            json!({"set": "Get", "params": {"UserId": upn}})
        };
        call.push(input).unwrap();
    }
    call.finish_input();
    let events = drain(call);
    let seconds = started.elapsed().as_secs_f64();
    let ok = count(&events, EventKind::Output);
    let errors = count(&events, EventKind::Error);
    let t = &s.state.traffic;
    println!(
        "{}",
        json!({
            "operation": operation, "inputs": inputs, "throttleLimit": limit, "latencyMs": latency,
            "p429": p429, "p503": p503, "pdrop": pdrop,
            "results": ok, "errors": errors, "seconds": (seconds * 10.0).round() / 10.0,
            "perSecond": (ok as f64 / seconds).round(),
            "requests": t.total.load(std::sync::atomic::Ordering::SeqCst) - requests_before,
            "throttled": t.throttled.load(std::sync::atomic::Ordering::SeqCst) - throttled_before,
            "tapsIssued": t.taps_issued.load(std::sync::atomic::Ordering::SeqCst),
        })
    );
}
