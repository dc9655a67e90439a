//! A seeded fuzz of the C boundary: a few thousand generated texts (nesting to 100,000
//! levels, strings of several MB, invalid UTF-8, huge numbers, `$ref` loops, NULLs) fed to
//! every export that takes text. The run happens in a child process, so a stack overflow or
//! abort shows as a failed child instead of killing the test runner; every refused call must
//! carry a message, every started call must finish.
#![allow(unsafe_code)]
// Every unsafe call here exercises the C contract; the comments sit on the call groups.
#![allow(clippy::undocumented_unsafe_blocks)]

use std::ffi::{c_char, CStr, CString};
use std::process::Command;
use std::ptr;

use mggraph::ffi::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const SEED: u64 = 2026_0408;
const CHILD: &str = "MGGRAPH_FUZZ_ABI_CHILD";

fn last_error() -> Option<String> {
    let mut p: *mut c_char = ptr::null_mut();
    // SAFETY: a valid out-pointer; the string is owned by us and freed once.
    unsafe {
        assert_eq!(mggraph_last_error(&mut p), MGGRAPH_OK);
        if p.is_null() {
            return None;
        }
        let s = CStr::from_ptr(p).to_string_lossy().into_owned();
        mggraph_string_free(p);
        Some(s)
    }
}

fn nested(depth: usize, open: &str, close: &str, inner: &str) -> String {
    let mut s = String::with_capacity(depth * (open.len() + close.len()) + inner.len());
    for _ in 0..depth {
        s.push_str(open);
    }
    s.push_str(inner);
    for _ in 0..depth {
        s.push_str(close);
    }
    s
}

/// One generated JSON-ish value (bytes, as invalid UTF-8 is part of the game).
fn value(rng: &mut StdRng) -> Vec<u8> {
    let depth = match rng.gen_range(0..4) {
        0 => rng.gen_range(0..140),
        1 => rng.gen_range(120..140),
        2 => rng.gen_range(1_000..10_000),
        _ => 100_000,
    };
    match rng.gen_range(0..15) {
        // JSON text inside a string (a -Body the engine sends and traces as it is).
        13 => format!(
            r#""{}\"client_secret\":\"s\"{}""#,
            "[".repeat(depth),
            "]".repeat(depth / 2)
        )
        .into_bytes(),
        0 => nested(depth, "[", "]", "1").into_bytes(),
        1 => nested(depth, r#"{"a":"#, "}", "null").into_bytes(),
        2 => nested(depth, r#"{"IsPresent":"#, "}", "true").into_bytes(),
        // Unbalanced: opened and never closed.
        3 => "[".repeat(depth).into_bytes(),
        4 => format!(r#""{}""#, "x".repeat(rng.gen_range(1..6) << 20)).into_bytes(),
        5 => {
            let mut b = br#""abc"#.to_vec();
            b.extend((0..rng.gen_range(1..64)).map(|_| rng.gen_range(0x80u8..=0xff)));
            b.push(b'"');
            b
        }
        6 => [
            "1e999999",
            "-1e-999999",
            "123456789012345678901234567890123456789",
            "NaN",
            "-0",
            "Infinity",
        ][rng.gen_range(0..6)]
        .as_bytes()
        .to_vec(),
        7 => br##"{"$ref":"#"}"##.to_vec(),
        8 => br##"{"a":{"$ref":"#/a"},"b":[{"$ref":"#/b/0"}],"$id":"#x","self":{"$ref":"#x"}}"##
            .to_vec(),
        9 => format!(r#""{}""#, "\\u0000".repeat(rng.gen_range(1..1000))).into_bytes(),
        10 => format!(r#""{}""#, "\\ud800".repeat(rng.gen_range(1..10))).into_bytes(),
        11 => nested(depth.min(127), "[", "]", r#"{"IsUsableOnce":true}"#).into_bytes(),
        12 => (0..rng.gen_range(0..200))
            .map(|_| rng.gen_range(0u8..=255).max(1))
            .collect(),
        _ => b"{}".to_vec(),
    }
}

fn commands() -> &'static [&'static str] {
    &[
        "Get-MgUser",
        "New-MgUser",
        "Update-MgUser",
        "New-MgUserAuthenticationTemporaryAccessPassMethod",
        "Invoke-MgGraphRequest",
        "Invoke-MgGraphBatchRequest",
        "Set-MgRequestContext",
        "Add-MgEnvironment",
        "Connect-MgGraph",
    ]
}

/// A request text: sometimes a value on its own, mostly a value inside a plausible request.
fn request(rng: &mut StdRng) -> Vec<u8> {
    let v = value(rng);
    let cmd = commands()[rng.gen_range(0..commands().len())];
    // Traces on: request and response bodies go through the redacting trace writer.
    let debug = if rng.gen_bool(0.5) {
        r#""debug":true,"verbose":true,"#
    } else {
        ""
    };
    let mut out = match rng.gen_range(0..7) {
        0 => return v,
        1 => format!(r#"{{{debug}"command":"{cmd}","params":{{"BodyParameter":"#).into_bytes(),
        2 => format!(
            r#"{{{debug}"command":"{cmd}","params":{{"Method":"POST","Uri":"/v1.0/users","Body":"#
        )
        .into_bytes(),
        3 => format!(r#"{{{debug}"command":"{cmd}","params":{{"UserId":"#).into_bytes(),
        4 => format!(r#"{{{debug}"command":"{cmd}","params":{{"Requests":"#).into_bytes(),
        5 => format!(
            r#"{{{debug}"command":"{cmd}","set":"Get","params":{{"UserId":"x","IsUsableOnce":"#
        )
        .into_bytes(),
        _ => br#"{"command":"#.to_vec(),
    };
    out.extend(v);
    out.extend(b"}}");
    out
}

/// Drains a started call (its events may be anything; it must end).
fn drain(call: *mut mggraph_call) -> usize {
    let mut errors = 0;
    loop {
        let mut kind = 0u32;
        let mut payload: *mut c_char = ptr::null_mut();
        // SAFETY: a live call and valid out-pointers; payloads are freed once.
        match unsafe { mggraph_call_next(call, 1_000, &mut kind, &mut payload) } {
            MGGRAPH_OK => {
                if kind == MGGRAPH_EVENT_ERROR {
                    errors += 1;
                }
                unsafe { mggraph_string_free(payload) };
            }
            MGGRAPH_PENDING => continue,
            MGGRAPH_DONE | MGGRAPH_CANCELLED => break,
            other => panic!("call_next: {other}: {:?}", last_error()),
        }
    }
    // SAFETY: freed once, after its last use.
    unsafe { mggraph_call_free(call) };
    errors
}

/// Checks one status: OK, or an error status with a message.
fn check(what: &str, status: mggraph_status, refused: &mut usize) -> bool {
    if status == MGGRAPH_OK {
        return true;
    }
    assert_ne!(status, MGGRAPH_PANIC, "{what}: a panic: {:?}", last_error());
    let msg = last_error();
    assert!(
        msg.as_deref().is_some_and(|m| !m.is_empty()),
        "{what}: status {status} without a message"
    );
    *refused += 1;
    false
}

/// JSON texts that are not a pushed input (an object with an object `params`).
const NON_OBJECTS: &[&str] = &[
    "7",
    "-0.5e300",
    "[1,2]",
    "[]",
    r#""x""#,
    "true",
    "null",
    r#"[{"params":{}}]"#,
    r#"{"params":7}"#,
    r#"{"params":[1]}"#,
    r#"{"params":"UserId"}"#,
    r#"{"set":5}"#,
    r#"{"set":["Get"],"params":{}}"#,
];

/// A non-object JSON text: a fixed one, or a generated array or scalar.
fn non_object(rng: &mut StdRng) -> CString {
    let text = match rng.gen_range(0..3) {
        0 => NON_OBJECTS[rng.gen_range(0..NON_OBJECTS.len())].to_string(),
        1 => nested(rng.gen_range(1..100), "[", "]", "{}"),
        _ => format!("{}", rng.gen::<i64>()),
    };
    CString::new(text).unwrap()
}

fn fuzz() {
    let mut rng = StdRng::seed_from_u64(SEED);
    let mut refused = 0usize;
    let mut started = 0usize;
    let mut error_events = 0usize;
    let mut session: *mut mggraph_session = ptr::null_mut();
    // SAFETY: NULL options, a valid out-pointer.
    assert_eq!(
        unsafe { mggraph_session_new(ptr::null(), &mut session) },
        MGGRAPH_OK
    );
    // A second session signed in to the in-process sandbox, so requests reach the engine.
    let mut connected: *mut mggraph_session = ptr::null_mut();
    unsafe { mggraph_session_new(ptr::null(), &mut connected) };
    let connect = CString::new(
        r#"{"command":"Connect-MgGraph","params":{"Environment":"Sandbox","NoWelcome":true}}"#,
    )
    .unwrap();
    let mut call = ptr::null_mut();
    assert_eq!(
        unsafe { mggraph_call_start(connected, connect.as_ptr(), &mut call) },
        MGGRAPH_OK
    );
    assert_eq!(drain(call), 0, "signed in to the sandbox");

    let cases = 3_000;
    for n in 0..cases {
        let text = request(&mut rng);
        // Texts with an inner NUL end there, as a C caller's would.
        let text =
            CString::new(text.split(|b| *b == 0).next().unwrap_or_default().to_vec()).unwrap();
        let target = if n % 2 == 0 { session } else { connected };
        match n % 3 {
            0 => {
                let mut s = ptr::null_mut();
                if check(
                    "session_new",
                    unsafe { mggraph_session_new(text.as_ptr(), &mut s) },
                    &mut refused,
                ) {
                    unsafe { mggraph_session_free(s) };
                }
            }
            1 => {
                let mut call = ptr::null_mut();
                if check(
                    "call_start",
                    unsafe { mggraph_call_start(target, text.as_ptr(), &mut call) },
                    &mut refused,
                ) {
                    started += 1;
                    error_events += drain(call);
                }
            }
            _ => {
                let start = CString::new(
                    r#"{"command":"Get-MgUser","set":"Get","streamInput":true,"throttleLimit":4}"#,
                )
                .unwrap();
                let mut call = ptr::null_mut();
                assert_eq!(
                    unsafe { mggraph_call_start(target, start.as_ptr(), &mut call) },
                    MGGRAPH_OK
                );
                check(
                    "call_push",
                    unsafe { mggraph_call_push(call, text.as_ptr()) },
                    &mut refused,
                );
                // JSON that is not an input object is refused, never run as no parameters.
                let other = non_object(&mut rng);
                let status = unsafe { mggraph_call_push(call, other.as_ptr()) };
                assert_eq!(
                    status,
                    MGGRAPH_INVALID_ARGUMENT,
                    "call_push({other:?}): {:?}",
                    last_error()
                );
                assert!(last_error().is_some_and(|m| m.contains("input_json")));
                refused += 1;
                unsafe { mggraph_call_finish_input(call) };
                started += 1;
                error_events += drain(call);
            }
        }
    }
    // NULL for every text argument.
    let mut s = ptr::null_mut();
    assert_eq!(
        unsafe { mggraph_session_new(ptr::null(), &mut s) },
        MGGRAPH_OK
    );
    unsafe { mggraph_session_free(s) };
    let mut call = ptr::null_mut();
    check(
        "call_start(NULL)",
        unsafe { mggraph_call_start(session, ptr::null(), &mut call) },
        &mut refused,
    );
    check(
        "call_push(NULL call)",
        unsafe { mggraph_call_push(ptr::null(), ptr::null()) },
        &mut refused,
    );
    unsafe {
        mggraph_session_free(session);
        mggraph_session_free(connected);
    }
    println!(
        "FUZZ_DONE cases={cases} refused={refused} started={started} error_events={error_events}"
    );
}

#[test]
fn generated_nested_oversized_and_malformed_texts_never_kill_the_process() {
    if std::env::var_os(CHILD).is_some() {
        fuzz();
        return;
    }
    let out = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "generated_nested_oversized_and_malformed_texts_never_kill_the_process",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stdout.contains("FUZZ_DONE"),
        "the child process died: {:?}\n{stdout}\n{stderr}",
        out.status
    );
    let summary = stdout.lines().find(|l| l.contains("FUZZ_DONE")).unwrap();
    eprintln!("{summary}");
}

/// Drains a call, returning its output and error payloads.
fn collect(call: *mut mggraph_call) -> (Vec<String>, Vec<String>) {
    let (mut outputs, mut errors) = (vec![], vec![]);
    loop {
        let mut kind = 0u32;
        let mut payload: *mut c_char = ptr::null_mut();
        // SAFETY: a live call and valid out-pointers; payloads are freed once.
        match unsafe { mggraph_call_next(call, 1_000, &mut kind, &mut payload) } {
            MGGRAPH_OK => {
                let text = unsafe { CStr::from_ptr(payload) }
                    .to_string_lossy()
                    .into_owned();
                match kind {
                    MGGRAPH_EVENT_OUTPUT => outputs.push(text),
                    MGGRAPH_EVENT_ERROR => errors.push(text),
                    _ => {}
                }
                unsafe { mggraph_string_free(payload) };
            }
            MGGRAPH_PENDING => continue,
            MGGRAPH_DONE | MGGRAPH_CANCELLED => break,
            other => panic!("call_next: {other}: {:?}", last_error()),
        }
    }
    // SAFETY: freed once, after its last use.
    unsafe { mggraph_call_free(call) };
    (outputs, errors)
}

#[test]
fn pushes_that_are_not_input_objects_are_refused_with_a_message() {
    let mut session: *mut mggraph_session = ptr::null_mut();
    // SAFETY: NULL options, valid out-pointers; every handle is freed once.
    unsafe { mggraph_session_new(ptr::null(), &mut session) };
    let connect = CString::new(
        r#"{"command":"Connect-MgGraph","params":{"Environment":"Sandbox","NoWelcome":true}}"#,
    )
    .unwrap();
    let mut call = ptr::null_mut();
    assert_eq!(
        unsafe { mggraph_call_start(session, connect.as_ptr(), &mut call) },
        MGGRAPH_OK
    );
    assert!(collect(call).1.is_empty(), "signed in to the sandbox");
    // A listing command: an input read as "no parameters" would list every user.
    let start = CString::new(
        r#"{"command":"Get-MgUser","set":"List","streamInput":true,"throttleLimit":2}"#,
    )
    .unwrap();
    let mut call = ptr::null_mut();
    assert_eq!(
        unsafe { mggraph_call_start(session, start.as_ptr(), &mut call) },
        MGGRAPH_OK
    );
    for text in NON_OBJECTS {
        let c = CString::new(*text).unwrap();
        assert_eq!(
            unsafe { mggraph_call_push(call, c.as_ptr()) },
            MGGRAPH_INVALID_ARGUMENT,
            "{text}"
        );
        let message = last_error().unwrap_or_default();
        assert!(
            message.starts_with("argument `input_json` ")
                && (message.contains("must be a JSON object") || message.contains("it must be")),
            "{text}: {message}"
        );
    }
    // A lone surrogate escape is refused naming the parameter.
    let lone = CString::new(r#"{"params":{"Filter":"startswith(displayName,'\ud83d')"}}"#).unwrap();
    assert_eq!(
        unsafe { mggraph_call_push(call, lone.as_ptr()) },
        MGGRAPH_INVALID_ARGUMENT
    );
    let message = last_error().unwrap_or_default();
    assert!(
        message.contains("parameter 'Filter'") && message.contains("unpaired UTF-16 surrogate"),
        "{message}"
    );
    unsafe { mggraph_call_finish_input(call) };
    let (outputs, errors) = collect(call);
    assert!(
        outputs.is_empty() && errors.is_empty(),
        "refused pushes run nothing: {outputs:?} {errors:?}"
    );
    // An object is still taken.
    let mut call = ptr::null_mut();
    unsafe { mggraph_call_start(session, start.as_ptr(), &mut call) };
    let ok = CString::new(r#"{"set":"List","params":{"Top":1}}"#).unwrap();
    assert_eq!(unsafe { mggraph_call_push(call, ok.as_ptr()) }, MGGRAPH_OK);
    unsafe { mggraph_call_finish_input(call) };
    let (outputs, errors) = collect(call);
    assert_eq!(outputs.len(), 1, "{errors:?}");
    unsafe { mggraph_session_free(session) };
}
