//! Every exported C function with good and bad input: NULL pointers, invalid UTF-8, malformed
//! JSON, double cancel, free after cancel, and eight threads sharing one session.
#![allow(unsafe_code)]
// Every unsafe call here exercises the C contract; the comments sit on the call groups.
#![allow(clippy::undocumented_unsafe_blocks)]

use std::ffi::{c_char, CStr, CString};
use std::ptr;

use mggraph::ffi::*;

fn last_error() -> String {
    let mut p: *mut c_char = ptr::null_mut();
    // SAFETY: a valid out-pointer.
    assert_eq!(unsafe { mggraph_last_error(&mut p) }, MGGRAPH_OK);
    if p.is_null() {
        return String::new();
    }
    // SAFETY: the library returned an owned NUL-terminated string.
    let s = unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned();
    // SAFETY: freeing the string we were given, once.
    assert_eq!(unsafe { mggraph_string_free(p) }, MGGRAPH_OK);
    s
}

fn new_session() -> *mut mggraph_session {
    let mut s = ptr::null_mut();
    // SAFETY: NULL options are allowed; a valid out-pointer.
    assert_eq!(
        unsafe { mggraph_session_new(ptr::null(), &mut s) },
        MGGRAPH_OK
    );
    assert!(!s.is_null());
    s
}

struct Session(*mut mggraph_session);
// SAFETY: sessions are documented as usable from any thread.
unsafe impl Send for Session {}
unsafe impl Sync for Session {}

fn start(session: *const mggraph_session, request: &str) -> *mut mggraph_call {
    let req = CString::new(request).unwrap();
    let mut call = ptr::null_mut();
    // SAFETY: valid handle, NUL-terminated request, valid out-pointer.
    let status = unsafe { mggraph_call_start(session, req.as_ptr(), &mut call) };
    assert_eq!(status, MGGRAPH_OK, "{}", last_error());
    call
}

/// Runs a call to completion; returns its events.
fn drain(call: *mut mggraph_call) -> Vec<(u32, String)> {
    let mut events = vec![];
    loop {
        let mut kind = 0u32;
        let mut payload: *mut c_char = ptr::null_mut();
        // SAFETY: a live call and valid out-pointers.
        match unsafe { mggraph_call_next(call, 100, &mut kind, &mut payload) } {
            MGGRAPH_OK => {
                // SAFETY: an owned string from the library.
                let text = unsafe { CStr::from_ptr(payload) }
                    .to_string_lossy()
                    .into_owned();
                // SAFETY: freed once.
                unsafe { mggraph_string_free(payload) };
                events.push((kind, text));
            }
            MGGRAPH_PENDING => continue,
            MGGRAPH_DONE => break,
            other => panic!("unexpected status {other}: {}", last_error()),
        }
    }
    // SAFETY: freeing the call once, after its last use.
    assert_eq!(unsafe { mggraph_call_free(call) }, MGGRAPH_OK);
    events
}

fn run(session: *const mggraph_session, request: &str) -> Vec<(u32, String)> {
    drain(start(session, request))
}

fn connect_sandbox(session: *const mggraph_session) {
    let events = run(
        session,
        r#"{"command":"Connect-MgGraph","params":{"Environment":"Sandbox","NoWelcome":true}}"#,
    );
    assert!(
        events.iter().all(|(k, _)| *k != MGGRAPH_EVENT_ERROR),
        "{events:?}"
    );
}

#[test]
fn version_and_last_error() {
    let mut v: *const c_char = ptr::null();
    // SAFETY: a valid out-pointer; the version string is static.
    assert_eq!(unsafe { mggraph_version(&mut v) }, MGGRAPH_OK);
    assert_eq!(
        unsafe { CStr::from_ptr(v) }.to_str().unwrap(),
        env!("CARGO_PKG_VERSION")
    );
    // SAFETY: NULL is what is being tested.
    assert_eq!(
        unsafe { mggraph_version(ptr::null_mut()) },
        MGGRAPH_NULL_ARGUMENT
    );
    assert!(last_error().contains("out_version"));
    assert_eq!(last_error(), "", "the message is taken once");
    // SAFETY: NULL is what is being tested.
    assert_eq!(
        unsafe { mggraph_last_error(ptr::null_mut()) },
        MGGRAPH_NULL_ARGUMENT
    );
}

#[test]
fn sessions_refuse_bad_options_and_free_null() {
    let mut s = ptr::null_mut();
    // SAFETY: NULL out-pointer is what is being tested.
    assert_eq!(
        unsafe { mggraph_session_new(ptr::null(), ptr::null_mut()) },
        MGGRAPH_NULL_ARGUMENT
    );
    let bad_json = CString::new("{not json").unwrap();
    // SAFETY: valid pointers.
    assert_eq!(
        unsafe { mggraph_session_new(bad_json.as_ptr(), &mut s) },
        MGGRAPH_INVALID_JSON
    );
    assert!(s.is_null(), "no partial success");
    assert!(last_error().contains("options_json"));
    let bad_utf8: [u8; 3] = [b'{', 0xff, 0];
    // SAFETY: a NUL-terminated (invalid UTF-8) buffer.
    assert_eq!(
        unsafe { mggraph_session_new(bad_utf8.as_ptr().cast(), &mut s) },
        MGGRAPH_INVALID_UTF8
    );
    assert!(last_error().contains("UTF-8"));
    let ok = CString::new("{}").unwrap();
    // SAFETY: valid pointers.
    assert_eq!(
        unsafe { mggraph_session_new(ok.as_ptr(), &mut s) },
        MGGRAPH_OK
    );
    // SAFETY: freeing a live handle once; NULL is allowed.
    assert_eq!(unsafe { mggraph_session_free(s) }, MGGRAPH_OK);
    assert_eq!(unsafe { mggraph_session_free(ptr::null_mut()) }, MGGRAPH_OK);
    // SAFETY: NULL is what is being tested.
    assert_eq!(
        unsafe { mggraph_session_shared(ptr::null_mut()) },
        MGGRAPH_NULL_ARGUMENT
    );
}

#[test]
fn shared_handles_see_one_session() {
    let mut a = ptr::null_mut();
    let mut b = ptr::null_mut();
    // SAFETY: valid out-pointers.
    unsafe {
        assert_eq!(mggraph_session_shared(&mut a), MGGRAPH_OK);
        assert_eq!(mggraph_session_shared(&mut b), MGGRAPH_OK);
    }
    assert_ne!(a, b, "two handles");
    let set = run(
        a,
        r#"{"command":"Set-MgRequestContext","params":{"RetryDelay":7}}"#,
    );
    assert_eq!(set.len(), 1);
    let got = run(b, r#"{"command":"Get-MgRequestContext"}"#);
    assert!(got[0].1.contains(r#""retryDelay":7"#), "{got:?}");
    run(
        a,
        r#"{"command":"Set-MgRequestContext","params":{"RetryDelay":3}}"#,
    );
    // SAFETY: freeing live handles once each.
    unsafe {
        mggraph_session_free(a);
        mggraph_session_free(b);
    }
}

#[test]
fn call_start_validates_every_argument() {
    let s = new_session();
    let req = CString::new(r#"{"command":"Get-MgContext"}"#).unwrap();
    let mut call = ptr::null_mut();
    // SAFETY: each case passes NULL where it is being tested and valid pointers elsewhere.
    unsafe {
        assert_eq!(
            mggraph_call_start(ptr::null(), req.as_ptr(), &mut call),
            MGGRAPH_NULL_ARGUMENT
        );
        assert!(last_error().contains("session"));
        assert_eq!(
            mggraph_call_start(s, ptr::null(), &mut call),
            MGGRAPH_NULL_ARGUMENT
        );
        assert!(last_error().contains("request_json"));
        assert_eq!(
            mggraph_call_start(s, req.as_ptr(), ptr::null_mut()),
            MGGRAPH_NULL_ARGUMENT
        );
        let bad_utf8: [u8; 4] = [b'{', 0xc3, b'}', 0];
        assert_eq!(
            mggraph_call_start(s, bad_utf8.as_ptr().cast(), &mut call),
            MGGRAPH_INVALID_UTF8
        );
        let bad_json = CString::new(r#"{"command": "#).unwrap();
        assert_eq!(
            mggraph_call_start(s, bad_json.as_ptr(), &mut call),
            MGGRAPH_INVALID_JSON
        );
        assert!(last_error().contains("request_json"));
        let unknown = CString::new(r#"{"command":"Get-MgNothing"}"#).unwrap();
        assert_eq!(
            mggraph_call_start(s, unknown.as_ptr(), &mut call),
            MGGRAPH_INVALID_ARGUMENT
        );
        assert!(last_error().contains("Get-MgNothing"));
        let bad_set = CString::new(r#"{"command":"Get-MgUser","set":"Nope"}"#).unwrap();
        assert_eq!(
            mggraph_call_start(s, bad_set.as_ptr(), &mut call),
            MGGRAPH_INVALID_ARGUMENT
        );
        assert!(call.is_null(), "no partial success");
        mggraph_session_free(s);
    }
}

#[test]
fn not_connected_calls_report_the_sdk_message() {
    let s = new_session();
    assert!(
        run(s, r#"{"command":"Get-MgContext"}"#).is_empty(),
        "nothing when disconnected"
    );
    let events = run(
        s,
        r#"{"command":"Get-MgUser","set":"Get","params":{"UserId":"x"}}"#,
    );
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].0, MGGRAPH_EVENT_ERROR);
    assert!(events[0]
        .1
        .contains("Authentication needed. Please call Connect-MgGraph."));
    // SAFETY: freeing a live handle once.
    unsafe { mggraph_session_free(s) };
}

#[test]
fn next_push_finish_cancel_and_free_handle_bad_input() {
    let s = new_session();
    let mut kind = 0;
    let mut payload = ptr::null_mut();
    let json = CString::new("1").unwrap();
    // SAFETY: each case passes NULL where it is being tested.
    unsafe {
        assert_eq!(
            mggraph_call_next(ptr::null(), 0, &mut kind, &mut payload),
            MGGRAPH_NULL_ARGUMENT
        );
        assert_eq!(
            mggraph_call_push(ptr::null(), json.as_ptr()),
            MGGRAPH_NULL_ARGUMENT
        );
        assert_eq!(
            mggraph_call_finish_input(ptr::null()),
            MGGRAPH_NULL_ARGUMENT
        );
        assert_eq!(mggraph_call_cancel(ptr::null()), MGGRAPH_NULL_ARGUMENT);
        assert_eq!(mggraph_call_free(ptr::null_mut()), MGGRAPH_OK);
        assert_eq!(mggraph_string_free(ptr::null_mut()), MGGRAPH_OK);
    }
    let call = start(s, r#"{"command":"Get-MgEnvironment"}"#);
    // SAFETY: a live call; NULL out-pointers and inputs where tested.
    unsafe {
        assert_eq!(
            mggraph_call_next(call, 0, ptr::null_mut(), &mut payload),
            MGGRAPH_NULL_ARGUMENT
        );
        assert_eq!(
            mggraph_call_next(call, 0, &mut kind, ptr::null_mut()),
            MGGRAPH_NULL_ARGUMENT
        );
        assert_eq!(mggraph_call_push(call, ptr::null()), MGGRAPH_NULL_ARGUMENT);
        let bad = CString::new("{").unwrap();
        assert_eq!(mggraph_call_push(call, bad.as_ptr()), MGGRAPH_INVALID_JSON);
        assert_eq!(
            mggraph_call_push(call, json.as_ptr()),
            MGGRAPH_INVALID_ARGUMENT,
            "an input is an object"
        );
        let input = CString::new("{}").unwrap();
        assert_eq!(
            mggraph_call_push(call, input.as_ptr()),
            MGGRAPH_INPUT_CLOSED,
            "not a streaming call"
        );
        assert_eq!(mggraph_call_finish_input(call), MGGRAPH_OK);
        assert_eq!(mggraph_call_finish_input(call), MGGRAPH_OK, "idempotent");
    }
    let events = drain(call);
    assert_eq!(
        events
            .iter()
            .filter(|(k, _)| *k == MGGRAPH_EVENT_OUTPUT)
            .count(),
        5,
        "four clouds and the sandbox"
    );
    // SAFETY: freeing a live handle once.
    unsafe { mggraph_session_free(s) };
}

#[test]
fn double_cancel_and_free_after_cancel() {
    let s = new_session();
    connect_sandbox(s);
    let call = start(
        s,
        r#"{"command":"Get-MgUser","set":"List","params":{"All":true},"streamInput":false}"#,
    );
    // SAFETY: a live call, cancelled twice, then freed once.
    unsafe {
        assert_eq!(mggraph_call_cancel(call), MGGRAPH_OK);
        assert_eq!(mggraph_call_cancel(call), MGGRAPH_OK);
        let mut kind = 0;
        let mut payload = ptr::null_mut();
        assert_eq!(
            mggraph_call_next(call, 10, &mut kind, &mut payload),
            MGGRAPH_CANCELLED
        );
        assert_eq!(mggraph_call_free(call), MGGRAPH_OK);
        mggraph_session_free(s);
    }
}

#[test]
fn streaming_input_through_the_abi() {
    let s = new_session();
    connect_sandbox(s);
    let call = start(
        s,
        r#"{"command":"Get-MgUser","streamInput":true,"throttleLimit":4}"#,
    );
    let domain_user = |u: &str| {
        CString::new(format!(
            r#"{{"set":"Get","params":{{"UserId":"{u}@contoso.onmicrosoft.com"}}}}"#
        ))
        .unwrap()
    };
    // SAFETY: a live streaming call and NUL-terminated inputs.
    unsafe {
        for u in ["admin", "adelev", "nobody", "alexw"] {
            assert_eq!(mggraph_call_push(call, domain_user(u).as_ptr()), MGGRAPH_OK);
        }
        assert_eq!(mggraph_call_finish_input(call), MGGRAPH_OK);
        assert_eq!(
            mggraph_call_push(call, domain_user("x").as_ptr()),
            MGGRAPH_INPUT_CLOSED
        );
    }
    let events = drain(call);
    let kinds: Vec<u32> = events.iter().map(|(k, _)| *k).collect();
    assert_eq!(
        kinds,
        vec![
            MGGRAPH_EVENT_OUTPUT,
            MGGRAPH_EVENT_OUTPUT,
            MGGRAPH_EVENT_ERROR,
            MGGRAPH_EVENT_OUTPUT
        ],
        "{events:?}"
    );
    assert!(events[0].1.contains("admin@"));
    assert!(events[1].1.contains("adelev@"));
    assert!(
        events[2].1.contains(r#""input":2"#),
        "the error names its input: {}",
        events[2].1
    );
    assert!(events[3].1.contains("alexw@"));
    // SAFETY: freeing a live handle once.
    unsafe { mggraph_session_free(s) };
}

#[test]
fn eight_threads_share_one_session() {
    let s = Session(new_session());
    connect_sandbox(s.0);
    let session = std::sync::Arc::new(s);
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let session = session.clone();
            std::thread::spawn(move || {
                let s = &*session;
                for i in 0..15 {
                    let user = ["admin", "adelev", "alexw", "meganb"][(t + i) % 4];
                    let events = run(
                        s.0,
                        &format!(r#"{{"command":"Get-MgUser","set":"Get","params":{{"UserId":"{user}@contoso.onmicrosoft.com","Property":["id","userPrincipalName"]}}}}"#),
                    );
                    assert_eq!(events.len(), 1, "{events:?}");
                    assert_eq!(events[0].0, MGGRAPH_EVENT_OUTPUT);
                    assert!(events[0].1.contains(&format!("{user}@contoso")));
                }
            })
        })
        .collect();
    for t in threads {
        t.join().expect("no thread panicked");
    }
    // SAFETY: all threads joined; freeing once.
    unsafe { mggraph_session_free(session.0) };
}

#[test]
fn a_cancel_from_another_thread_stops_a_waiting_call() {
    let s = new_session();
    connect_sandbox(s);
    // A slow call: sandbox latency is not configurable on the running instance, so wait on a
    // long retry instead: ask for a user on a host that does not answer.
    let add = r#"{"command":"Add-MgEnvironment","params":{"Name":"Blackhole","AzureADEndpoint":"http://127.0.0.1:9","GraphEndpoint":"http://127.0.0.1:9"}}"#;
    run(s, add);
    let call = start(
        s,
        r#"{"command":"Connect-MgGraph","params":{"Environment":"Blackhole","TenantId":"t","ClientId":"c","ClientSecret":"s"}}"#,
    );
    struct Call(*mut mggraph_call);
    // SAFETY: calls are documented as cancellable from any thread.
    unsafe impl Send for Call {}
    let c = Call(call);
    let canceller = std::thread::spawn(move || {
        let c = c;
        // SAFETY: the call stays alive until the main thread frees it after join.
        unsafe { mggraph_call_cancel(c.0) }
    });
    assert_eq!(canceller.join().unwrap(), MGGRAPH_OK);
    let mut kind = 0;
    let mut payload = ptr::null_mut();
    // SAFETY: a live call; then freed once.
    unsafe {
        let status = mggraph_call_next(call, 1000, &mut kind, &mut payload);
        assert!(status == MGGRAPH_CANCELLED, "status {status}");
        mggraph_call_free(call);
        mggraph_session_free(s);
    }
}

#[test]
fn secrets_are_taken_as_utf16_and_named_by_id() {
    let text: Vec<u16> = "s3cret-é".encode_utf16().collect();
    let mut id = 0u64;
    // SAFETY: NULL pointers and a bad length are what is being tested; out-pointers are valid.
    unsafe {
        assert_eq!(
            mggraph_secret_new(ptr::null(), 1, &mut id),
            MGGRAPH_NULL_ARGUMENT
        );
        assert!(last_error().contains("`text`"));
        assert_eq!(
            mggraph_secret_new(text.as_ptr(), text.len() as u32, ptr::null_mut()),
            MGGRAPH_NULL_ARGUMENT
        );
        let unaligned = (text.as_ptr() as *const u8).add(1) as *const u16;
        assert_eq!(
            mggraph_secret_new(unaligned, 1, &mut id),
            MGGRAPH_INVALID_ARGUMENT
        );
        let lone_surrogate = [0xD800u16, 0x41];
        assert_eq!(
            mggraph_secret_new(lone_surrogate.as_ptr(), 2, &mut id),
            MGGRAPH_INVALID_ARGUMENT
        );
        assert!(last_error().contains("UTF-16"));
        assert_eq!(id, 0, "nothing written on failure");
        assert_eq!(
            mggraph_secret_new(text.as_ptr(), text.len() as u32, &mut id),
            MGGRAPH_OK
        );
    }
    assert_ne!(id, 0);
    assert_eq!(mggraph_secret_free(id), MGGRAPH_OK);
    assert_eq!(
        mggraph_secret_free(id),
        MGGRAPH_OK,
        "freeing twice is allowed"
    );
    assert_eq!(mggraph_secret_free(0), MGGRAPH_OK);

    // A request naming a freed secret is refused, and says why.
    let session = new_session();
    let request = format!(
        r#"{{"command":"Connect-MgGraph","params":{{"ParameterSet":"AppSecretCredentialParameterSet","Environment":"Sandbox","ClientId":"x","TenantId":"t","ClientSecret":{{"mggraphSecret":{id}}}}}}}"#
    );
    let events = run(session, &request);
    assert!(
        events
            .iter()
            .any(|(k, p)| *k == MGGRAPH_EVENT_ERROR && p.contains("was freed")),
        "{events:?}"
    );
    // SAFETY: a live session freed once.
    assert_eq!(unsafe { mggraph_session_free(session) }, MGGRAPH_OK);
}

/// What a catalog-command export (`mggraph_command_module`, `mggraph_command_describe`)
/// writes for `name`: its owned string (freed here), or `None` for NULL.
fn command_answer(
    export: unsafe extern "C" fn(*const c_char, *mut *mut c_char) -> mggraph_status,
    name: &str,
) -> Option<String> {
    let name = CString::new(name).unwrap();
    let mut out: *mut c_char = ptr::null_mut();
    // SAFETY: a NUL-terminated name and a valid out-pointer.
    assert_eq!(unsafe { export(name.as_ptr(), &mut out) }, MGGRAPH_OK);
    if out.is_null() {
        return None;
    }
    // SAFETY: an owned string from the library, freed once.
    let text = unsafe { CStr::from_ptr(out) }.to_str().unwrap().to_string();
    assert_eq!(unsafe { mggraph_string_free(out) }, MGGRAPH_OK);
    Some(text)
}

/// The module of a cmdlet, as the cmdlet layer's auto-loading asks: generated, beta twin and
/// hand-written cmdlets in any case; NULL for a name the catalog lacks; bad arguments refused.
#[test]
fn command_module_names_the_sdk_module_or_null() {
    let module = |name: &str| command_answer(mggraph_command_module, name);
    // Generated, any case, a beta twin; then names with no module: the core's own commands
    // (not catalog cmdlets: their module is loaded already) and names the catalog lacks.
    let expected = [
        ("Get-MgUser", Some("Microsoft.Graph.Users")),
        ("get-mggroupmember", Some("Microsoft.Graph.Groups")),
        ("Get-MgBetaUser", Some("Microsoft.Graph.Beta.Users")),
        (
            "Get-MgDevice",
            Some("Microsoft.Graph.Identity.DirectoryManagement"),
        ),
        ("Connect-MgGraph", None),
        ("Get-MgNoSuchThing", None),
        ("Get-ChildItem", None),
    ];
    for (name, sdk_module) in expected {
        assert_eq!(module(name).as_deref(), sdk_module, "{name}");
    }

    let mut out: *mut c_char = ptr::null_mut();
    assert_eq!(
        unsafe { mggraph_command_module(ptr::null(), &mut out) },
        MGGRAPH_NULL_ARGUMENT
    );
    assert!(last_error().contains("`name`"));
    let name = CString::new("Get-MgUser").unwrap();
    assert_eq!(
        unsafe { mggraph_command_module(name.as_ptr(), ptr::null_mut()) },
        MGGRAPH_NULL_ARGUMENT
    );
}

/// What a generated cmdlet asks on its first call: its sets' methods and paths, its output
/// class, as JSON; NULL for a name the catalog lacks; bad arguments refused.
#[test]
fn command_describe_gives_the_sets_and_output_class_or_null() {
    let describe = |name: &str| {
        command_answer(mggraph_command_describe, name)
            .map(|text| serde_json::from_str::<serde_json::Value>(&text).unwrap())
    };
    let user = describe("get-mguser").expect("Get-MgUser is described");
    assert_eq!(user["name"], "Get-MgUser");
    assert_eq!(
        user["outputClass"],
        "Microsoft.Graph.PowerShell.Models.MicrosoftGraphUser"
    );
    assert_eq!(user["sets"]["List"]["method"], "GET");
    assert_eq!(user["sets"]["List"]["path"], "/users");
    assert_eq!(user["sets"]["List"]["list"], true);
    assert_eq!(user["sets"]["Get"]["path"], "/users/{user-id}");
    assert_eq!(user["sets"]["GetViaIdentity"]["identity"][0], "UserId");
    let beta = describe("Get-MgBetaGroup").expect("a beta twin is described");
    assert_eq!(
        beta["outputClass"],
        "Microsoft.Graph.Beta.PowerShell.Models.MicrosoftGraphGroup"
    );
    let new_user = describe("New-MgUser").unwrap();
    assert_eq!(new_user["sets"]["CreateExpanded"]["method"], "POST");
    assert!(new_user["sets"]["CreateExpanded"]["bodyDates"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d == "employeeHireDate"));
    assert_eq!(describe("Get-MgNoSuchThing"), None);
    assert_eq!(describe("Connect-MgGraph"), None);

    let mut out: *mut c_char = ptr::null_mut();
    assert_eq!(
        unsafe { mggraph_command_describe(ptr::null(), &mut out) },
        MGGRAPH_NULL_ARGUMENT
    );
    assert!(last_error().contains("`name`"));
    let name = CString::new("Get-MgUser").unwrap();
    assert_eq!(
        unsafe { mggraph_command_describe(name.as_ptr(), ptr::null_mut()) },
        MGGRAPH_NULL_ARGUMENT
    );
    assert!(last_error().contains("`out_json`"));
}

#[test]
fn sandbox_serve_refuses_bad_arguments_without_serving() {
    let mut code = -1;
    // SAFETY: NULL and valid pointers, as each case says.
    unsafe {
        assert_eq!(
            mggraph_sandbox_serve(c"[]".as_ptr(), ptr::null_mut()),
            MGGRAPH_NULL_ARGUMENT
        );
        assert!(last_error().contains("out_exit_code"));
        assert_eq!(
            mggraph_sandbox_serve(ptr::null(), &mut code),
            MGGRAPH_NULL_ARGUMENT
        );
        assert!(last_error().contains("args_json"));
        assert_eq!(
            mggraph_sandbox_serve(c"[\"--listen\", 1]".as_ptr(), &mut code),
            MGGRAPH_INVALID_JSON
        );
        assert!(last_error().contains("JSON array of strings"));
        assert_eq!(code, -1, "nothing written on failure");
        // The server's own refusals are its exit code (2), before it binds anything.
        let args = CString::new(r#"["--listen","10.0.0.1:0"]"#).unwrap();
        assert_eq!(mggraph_sandbox_serve(args.as_ptr(), &mut code), MGGRAPH_OK);
    }
    assert_eq!(code, 2);
}
