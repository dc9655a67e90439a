//! Issue 17, items 3 and 4, engine side: a request the client cannot or may not send fails at
//! once as an `InvalidArgument` naming the parameter and the limit (never retried, never a
//! connection failure or an unknown outcome, nothing reaching the server); framing and
//! routing headers cannot be set through `-Headers`; paging ends at a repeated next link;
//! secrets in responses stay out of `-Debug` traces; clear texts for a 414 and bad bodies.

use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::{StatusCode, Uri};
use axum::response::IntoResponse;
use mggraph::call::{Call, Event, EventKind, Next};
use mggraph::engine::http::MAX_URL_BYTES;
use mggraph::sandbox::{Sandbox, SandboxConfig};
use mggraph::session::Session;
use serde_json::{json, Value};

const INVOKE_ID: &str =
    "InvalidArgument,Microsoft.Graph.PowerShell.Authentication.Cmdlets.InvokeMgGraphRequest";

fn rt() -> tokio::runtime::Handle {
    mggraph::runtime::handle().unwrap()
}

fn start_sandbox() -> Sandbox {
    let addr: SocketAddr = "127.0.0.1:0".parse().unwrap();
    rt().block_on(Sandbox::start(addr, SandboxConfig::default()))
        .unwrap()
}

fn drain(call: Call) -> Vec<Event> {
    let mut events = vec![];
    loop {
        match call.next(Duration::from_secs(120)) {
            Next::Event(e) => events.push(e),
            Next::Done => return events,
            Next::Pending => continue,
            Next::Cancelled => panic!("cancelled"),
        }
    }
}

/// Runs a request given as JSON text (so it may hold escapes `serde_json` cannot produce).
fn run_text(session: &Arc<Session>, text: &str) -> Vec<Event> {
    drain(session.start_call(text).unwrap())
}

fn run(session: &Arc<Session>, request: Value) -> Vec<Event> {
    run_text(session, &request.to_string())
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

/// A session signed in (client secret) to the sandbox `s`, retrying as the SDK does.
fn connect(s: &Sandbox) -> Arc<Session> {
    let session = Arc::new(Session::new());
    let events = run(
        &session,
        json!({"command": "Add-MgEnvironment", "params": {"Name": "T", "AzureADEndpoint": s.base_url, "GraphEndpoint": s.base_url}}),
    );
    assert!(errors(&events).is_empty(), "{events:?}");
    let events = run(
        &session,
        json!({"command": "Connect-MgGraph", "params": {"Environment": "T", "TenantId": s.tenant_id, "ClientId": s.client_id, "ClientSecret": s.client_secret, "NoWelcome": true}}),
    );
    assert!(errors(&events).is_empty(), "{events:?}");
    session
}

/// A session signed in with a token to a server at `base`.
fn connect_to(base: &str) -> Arc<Session> {
    let session = Arc::new(Session::new());
    let events = run(
        &session,
        json!({"command": "Add-MgEnvironment", "params": {"Name": "Fake", "AzureADEndpoint": base, "GraphEndpoint": base}}),
    );
    assert!(errors(&events).is_empty(), "{events:?}");
    let events = run(
        &session,
        json!({"command": "Connect-MgGraph", "params": {"ParameterSet": "AccessTokenParameterSet", "Environment": "Fake", "AccessToken": "token-value", "NoWelcome": true}}),
    );
    assert!(errors(&events).is_empty(), "{events:?}");
    session
}

fn requests_served(s: &Sandbox) -> u64 {
    s.state.traffic.total.load(Ordering::SeqCst)
}

/// Runs `request` (verbose) and checks it failed locally: one `InvalidArgument` naming
/// `param` and containing `says`, within a second, with no retry and nothing served.
fn refused(
    s: &Sandbox,
    session: &Arc<Session>,
    what: &str,
    request: &str,
    param: &str,
    says: &str,
) -> Value {
    let before = requests_served(s);
    let started = Instant::now();
    let events = run_text(session, request);
    let took = started.elapsed();
    let errs = errors(&events);
    assert_eq!(errs.len(), 1, "{what}: {events:?}");
    let e = errs[0].clone();
    let message = e["message"].as_str().unwrap_or_default();
    assert_eq!(e["category"], "InvalidArgument", "{what}: {e}");
    assert_eq!(e["code"], "InvalidArgument", "{what}: {e}");
    assert!(
        e["errorId"]
            .as_str()
            .unwrap_or_default()
            .starts_with("InvalidArgument,"),
        "{what}: {e}"
    );
    assert!(
        message.starts_with(&format!("Cannot validate argument on parameter '{param}'.")),
        "{what}: {message}"
    );
    assert!(message.contains(says), "{what}: {message}");
    assert!(message.contains("Nothing was sent"), "{what}: {message}");
    for not in ["ConnectionError", "OutcomeUnknown", "may or may not"] {
        assert!(!e.to_string().contains(not), "{what}: {e}");
    }
    assert!(
        took < Duration::from_secs(2),
        "{what}: refused at once, not after retries ({took:?})"
    );
    let verbose = of(&events, EventKind::Verbose).join("\n");
    assert!(!verbose.contains("retrying"), "{what}: {verbose}");
    assert_eq!(
        requests_served(s),
        before,
        "{what}: nothing reached the server"
    );
    assert!(of(&events, EventKind::Output).is_empty(), "{what}");
    e
}

fn cmdlet(command: &str, set: &str, params: Value) -> String {
    json!({"command": command, "set": set, "params": params, "verbose": true}).to_string()
}

fn invoke(params: Value) -> String {
    json!({"command": "Invoke-MgGraphRequest", "params": params, "verbose": true}).to_string()
}

const ADMIN: &str = "admin@contoso.onmicrosoft.com";

#[test]
fn urls_over_the_limit_fail_at_once_naming_the_parameter_and_the_limit() {
    let s = start_sandbox();
    let session = connect(&s);
    let long_id = "a".repeat(70_000);
    let cjk = "漢".repeat(10_000);
    let limit = "over the limit of 65,534 bytes";
    for (what, id) in [("70,000-character id", &long_id), ("10,000 CJK", &cjk)] {
        // A GET (idempotent: it used to be retried for ~23 s and end as ConnectionError).
        let e = refused(
            &s,
            &session,
            what,
            &cmdlet("Get-MgUser", "Get", json!({"UserId": id})),
            "UserId",
            limit,
        );
        assert!(
            e["message"]
                .as_str()
                .unwrap()
                .contains("the value of -UserId"),
            "{e}"
        );
        // A POST (it used to end as OutcomeUnknown though nothing left the machine).
        refused(
            &s,
            &session,
            what,
            &cmdlet(
                "New-MgUserAuthenticationTemporaryAccessPassMethod",
                "CreateExpanded",
                json!({"UserId": id, "LifetimeInMinutes": 60}),
            ),
            "UserId",
            limit,
        );
        // Invoke-MgGraphRequest: terminating, with its own error id.
        for method in ["GET", "POST", "DELETE"] {
            let e = refused(
                &s,
                &session,
                what,
                &invoke(json!({"Method": method, "Uri": format!("/v1.0/users/{id}"), "Body": {}})),
                "Uri",
                limit,
            );
            assert_eq!(e["errorId"], INVOKE_ID);
            assert_eq!(e["terminating"], true);
        }
    }
    // A query option makes the URL too long: it is the one named.
    let filter = format!("displayName in ({})", vec!["'x'"; 20_000].join(","));
    refused(
        &s,
        &session,
        "long -Filter",
        &cmdlet("Get-MgUser", "List", json!({"Filter": filter, "All": true})),
        "Filter",
        limit,
    );
    // Up to the limit is sent (the service answers).
    let fits = "b".repeat(MAX_URL_BYTES - s.base_url.len() - "/v1.0/users/".len());
    let before = requests_served(&s);
    let events = run(
        &session,
        json!({"command": "Get-MgUser", "set": "Get", "params": {"UserId": fits}}),
    );
    assert_ne!(errors(&events)[0]["category"], "InvalidArgument");
    assert_eq!(requests_served(&s), before + 1, "sent once");
}

#[test]
fn headers_that_cannot_be_sent_fail_at_once_naming_headers() {
    let s = start_sandbox();
    let session = connect(&s);
    let cases: &[(&str, &str, &str)] = &[
        ("X-Note", "a\r\nHost: evil.example", "carriage return (CR"),
        ("X-Note", "a\nb", "line feed (LF"),
        ("X-Note", "a\0b", "NUL character"),
        ("X-Note", "a\u{1b}b", "control character (U+001B)"),
        ("X Note", "v", "The header name 'X Note' contains a space"),
        ("", "v", "A header name is empty"),
        ("X-Note\r\nHost", "v", "carriage return"),
        ("X-Note\0", "v", "NUL"),
        ("X-Nöte", "v", "'ö'"),
    ];
    for (name, value, says) in cases {
        let headers = json!({ *name: value });
        let what = format!("{name:?}: {value:?}");
        refused(
            &s,
            &session,
            &what,
            &cmdlet(
                "Get-MgUser",
                "Get",
                json!({"UserId": ADMIN, "Headers": headers}),
            ),
            "Headers",
            says,
        );
        refused(
            &s,
            &session,
            &what,
            &cmdlet(
                "New-MgUserAuthenticationTemporaryAccessPassMethod",
                "CreateExpanded",
                json!({"UserId": ADMIN, "LifetimeInMinutes": 60, "Headers": headers}),
            ),
            "Headers",
            says,
        );
        for method in ["GET", "POST"] {
            let e = refused(
                &s,
                &session,
                &what,
                &invoke(
                    json!({"Method": method, "Uri": "/v1.0/users", "Body": {"a": 1}, "Headers": headers}),
                ),
                "Headers",
                says,
            );
            assert_eq!(e["errorId"], INVOKE_ID);
        }
    }
    // Another parameter that becomes a header is named itself.
    refused(
        &s,
        &session,
        "-IfMatch",
        &cmdlet(
            "Remove-MgUser",
            "Delete",
            json!({"UserId": ADMIN, "IfMatch": "W/\"1\"\r\nX: y"}),
        ),
        "IfMatch",
        "carriage return",
    );
    refused(
        &s,
        &session,
        "-ContentType",
        &invoke(
            json!({"Method": "POST", "Uri": "/v1.0/users", "Body": "{}", "ContentType": "application/json\r\nHost: evil"}),
        ),
        "ContentType",
        "carriage return",
    );
}

#[test]
fn framing_and_routing_headers_cannot_be_set() {
    let s = start_sandbox();
    let session = connect(&s);
    for (name, value) in [
        ("Host", "evil.example"),
        ("host", "evil.example"),
        ("Content-Length", "2"),
        ("Transfer-Encoding", "chunked"),
        ("Connection", "close"),
        ("Upgrade", "h2c"),
        ("Authorization", "Bearer another-token"),
    ] {
        let headers = json!({ name: value });
        let says = if name == "Authorization" {
            "'Authorization' comes from the connection"
        } else {
            "frames or routes the request"
        };
        let what = format!("{name}: {value}");
        for request in [
            cmdlet(
                "Get-MgUser",
                "Get",
                json!({"UserId": ADMIN, "Headers": headers}),
            ),
            cmdlet(
                "New-MgUserAuthenticationTemporaryAccessPassMethod",
                "CreateExpanded",
                json!({"UserId": ADMIN, "LifetimeInMinutes": 60, "Headers": headers}),
            ),
            invoke(json!({"Uri": "/v1.0/users", "Headers": headers})),
            invoke(
                json!({"Method": "PATCH", "Uri": format!("/v1.0/users/{ADMIN}"), "Body": {"displayName": "changed"}, "Headers": headers}),
            ),
        ] {
            let e = refused(&s, &session, &what, &request, "Headers", says);
            let message = e["message"].as_str().unwrap();
            assert!(message.contains(&format!("'{name}'")), "{message}");
            assert!(!message.contains("another-token"), "{message}");
        }
    }
    // The admin's name was not changed by the refused PATCH.
    let events = run(
        &session,
        json!({"command": "Get-MgUser", "set": "Get", "params": {"UserId": ADMIN}}),
    );
    assert!(!of(&events, EventKind::Output)[0].contains("changed"));
}

#[test]
fn unpaired_surrogates_and_body_encodings_are_refused_naming_the_parameter() {
    let s = start_sandbox();
    let session = connect(&s);
    let surrogate = "unpaired UTF-16 surrogate";
    // As JSON escapes (a host that keeps them): a lone high half, a lone low half.
    for id in [r"ab\ud83dcd", r"ab\udc00", r"\ud83d"] {
        let text = format!(
            r#"{{"command":"Get-MgUser","set":"Get","params":{{"UserId":"{id}"}},"verbose":true}}"#
        );
        let e = refused(&s, &session, id, &text, "UserId", surrogate);
        assert_eq!(e["terminating"], true);
        let text = format!(
            r#"{{"command":"Invoke-MgGraphRequest","params":{{"Method":"POST","Uri":"/v1.0/users","Body":{{"displayName":"{id}"}}}}}}"#
        );
        let e = refused(&s, &session, id, &text, "Body", surrogate);
        assert_eq!(e["errorId"], INVOKE_ID);
    }
    // As the .NET host's UTF-8 encoder sends them today: U+FFFD, in an id or a URI.
    refused(
        &s,
        &session,
        "U+FFFD id",
        &cmdlet("Get-MgUser", "Get", json!({"UserId": "ab\u{FFFD}cd"})),
        "UserId",
        "U+FFFD (the replacement character) at position 2",
    );
    refused(
        &s,
        &session,
        "U+FFFD uri",
        &invoke(json!({"Uri": "/v1.0/users/x\u{FFFD}"})),
        "Uri",
        surrogate,
    );
    refused(
        &s,
        &session,
        "U+FFFD filter",
        &cmdlet(
            "Get-MgUser",
            "List",
            json!({"Filter": "displayName eq '\u{FFFD}'"}),
        ),
        "Filter",
        "U+FFFD",
    );
    // A surrogate pair is a character: it is sent.
    let before = requests_served(&s);
    let events = run_text(
        &session,
        r#"{"command":"Get-MgUser","set":"Get","params":{"UserId":"x\ud83d\ude00"}}"#,
    );
    assert_eq!(errors(&events)[0]["status"], 404, "{events:?}");
    assert_eq!(requests_served(&s), before + 1);
    // A text body declared in another charset than the UTF-8 it is sent in.
    refused(
        &s,
        &session,
        "charset",
        &invoke(
            json!({"Method": "POST", "Uri": "/v1.0/users", "Body": "{}", "ContentType": "application/json; charset=utf-16"}),
        ),
        "ContentType",
        "charset=utf-16",
    );
    refused(
        &s,
        &session,
        "charset in -Headers",
        &invoke(
            json!({"Method": "POST", "Uri": "/v1.0/users", "Body": {"a": 1}, "Headers": {"Content-Type": "application/json;charset=\"iso-8859-1\""}}),
        ),
        "Headers",
        "charset=iso-8859-1",
    );
    // A body that is no object, in plain words.
    let events = run(
        &session,
        json!({"command": "New-MgUser", "set": "Create", "params": {"BodyParameter": 7}}),
    );
    let message = errors(&events)[0]["message"].as_str().unwrap().to_string();
    assert!(
        message.contains("'BodyParameter': a number cannot be a request body"),
        "{message}"
    );
    assert!(!message.contains("a a "), "{message}");
}

/// What a loopback server received: paths and queries.
type Received = Arc<Mutex<Vec<String>>>;

/// Serves `answer(path_and_query, base)` on a free loopback port.
fn serve(
    answer: impl Fn(&str, &str) -> axum::response::Response + Clone + Send + Sync + 'static,
) -> (String, Received) {
    let received: Received = Arc::default();
    let log = received.clone();
    let listener = rt()
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let me = base.clone();
    let app = axum::Router::new().fallback(move |uri: Uri| {
        let log = log.clone();
        let answer = answer.clone();
        let me = me.clone();
        async move {
            let pq = uri
                .path_and_query()
                .map(|p| p.to_string())
                .unwrap_or_default();
            log.lock().unwrap().push(pq.clone());
            answer(&pq, &me)
        }
    });
    rt().spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (base, received)
}

fn page(ids: &[&str], next: Option<String>) -> axum::response::Response {
    let mut body = json!({"value": ids.iter().map(|i| json!({"id": i})).collect::<Vec<_>>()});
    if let Some(n) = next {
        body["@odata.nextLink"] = json!(n);
    }
    (
        StatusCode::OK,
        [("content-type", "application/json")],
        body.to_string(),
    )
        .into_response()
}

#[test]
fn paging_stops_at_a_next_link_already_followed() {
    // Page 2 points at itself; in the second run, page 3 points back at page 2.
    let (base, received) = serve(|pq, base| match pq {
        "/v1.0/users?$top=999" => page(&["1"], Some(format!("{base}/v1.0/users?$skiptoken=two"))),
        "/v1.0/users?$skiptoken=two" => {
            page(&["2"], Some(format!("{base}/v1.0/users?$skiptoken=two")))
        }
        "/v1.0/groups?$top=999" => page(&["g1"], Some(format!("{base}/v1.0/groups?$skiptoken=b"))),
        "/v1.0/groups?$skiptoken=b" => {
            page(&["g2"], Some(format!("{base}/v1.0/groups?$skiptoken=c")))
        }
        "/v1.0/groups?$skiptoken=c" => {
            page(&["g3"], Some(format!("{base}/v1.0/groups?$skiptoken=b")))
        }
        _ => (StatusCode::NOT_FOUND, "{}").into_response(),
    });
    let session = connect_to(&base);
    let started = Instant::now();
    let events = run(
        &session,
        json!({"command": "Get-MgUser", "set": "List", "params": {"All": true}}),
    );
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(of(&events, EventKind::Output).len(), 2, "{events:?}");
    let e = &errors(&events)[0];
    let message = e["message"].as_str().unwrap();
    assert_eq!(e["code"], "RepeatedNextLink", "{e}");
    assert_eq!(e["category"], "InvalidResult", "{e}");
    assert!(
        message.contains(&format!("'{base}/v1.0/users?$skiptoken=two'"))
            && message.contains("after 2 pages"),
        "{message}"
    );
    assert_eq!(received.lock().unwrap().len(), 2, "{received:?}");

    received.lock().unwrap().clear();
    let events = run(
        &session,
        json!({"command": "Get-MgGroup", "set": "List", "params": {"All": true}}),
    );
    assert_eq!(of(&events, EventKind::Output).len(), 3, "{events:?}");
    let message = errors(&events)[0]["message"].as_str().unwrap().to_string();
    assert!(
        message.contains(&format!("{base}/v1.0/groups?$skiptoken=b")),
        "{message}"
    );
    assert_eq!(received.lock().unwrap().len(), 3);
}

#[test]
fn a_414_without_a_body_names_the_url_length() {
    let (base, received) = serve(|pq, _| {
        if pq.len() > 8_192 {
            StatusCode::URI_TOO_LONG.into_response()
        } else {
            page(&["1"], None)
        }
    });
    let session = connect_to(&base);
    let id = "a".repeat(20_000);
    let url_len = base.len() + "/v1.0/users/".len() + id.len();
    for request in [
        json!({"command": "Get-MgUser", "set": "Get", "params": {"UserId": id}}),
        json!({"command": "Invoke-MgGraphRequest", "params": {"Uri": format!("/v1.0/users/{id}")}}),
    ] {
        let events = run(&session, request);
        let e = &errors(&events)[0];
        assert_eq!(e["status"], 414, "{e}");
        let message = e["message"].as_str().unwrap();
        let shown = format!("{},{:03}", url_len / 1000, url_len % 1000);
        if e["errorId"]
            .as_str()
            .unwrap()
            .starts_with("InvokeGraphHttpResponseException")
        {
            // Invoke-MgGraphRequest shows the HTTP exchange as the SDK does, then the note.
            assert!(message.contains("414 URI Too Long\n"), "{message}");
        }
        assert!(
            message.contains(
                "The server refused the request as too long (414 RequestUriTooLong): its URL is "
            ) && message.contains(&format!("{shown} bytes")),
            "{message}"
        );
    }
    assert_eq!(received.lock().unwrap().len(), 2, "a 414 is not retried");
}

#[test]
fn secrets_in_responses_stay_out_of_debug_traces() {
    let s = start_sandbox();
    let session = connect(&s);
    let events = run(
        &session,
        json!({"command": "Invoke-MgGraphRequest", "params": {"Uri": "/v1.0/applications?$top=1&$select=id"}}),
    );
    let listed: Value = serde_json::from_str(&of(&events, EventKind::Response)[0]).unwrap();
    let body: Value = serde_json::from_str(listed["body"].as_str().unwrap()).unwrap();
    let app = body["value"][0]["id"].as_str().unwrap().to_string();
    for request in [
        json!({"command": "Invoke-MgGraphRequest", "debug": true, "params": {"Method": "POST", "Uri": format!("/v1.0/applications/{app}/addPassword"), "Body": {"passwordCredential": {"displayName": "trace"}}}}),
        json!({"command": "Add-MgApplicationPassword", "set": "AddExpanded", "debug": true, "params": {"ApplicationId": app, "PasswordCredential": {"displayName": "trace"}}}),
    ] {
        let events = run(&session, request);
        assert!(errors(&events).is_empty(), "{events:?}");
        let answer = of(&events, EventKind::Response)
            .into_iter()
            .chain(of(&events, EventKind::Output))
            .collect::<String>();
        let secret = answer
            .split("secretText")
            .nth(1)
            .and_then(|rest| rest.split('"').find(|p| p.len() > 8 && !p.contains(':')))
            .unwrap_or_else(|| panic!("a secret was returned: {answer}"))
            .trim_end_matches('\\')
            .to_string();
        let traces = of(&events, EventKind::Debug).join("\n");
        assert!(traces.contains("HTTP RESPONSE"), "{traces}");
        assert!(!traces.contains(&secret), "{traces}");
        assert!(
            traces.contains("\"secretText\": \"***REDACTED***\""),
            "{traces}"
        );
    }
}
