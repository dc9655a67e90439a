//! The C ABI: the only `extern "C"` code of the crate.
//!
//! Conventions (see `include/mggraph.h`):
//! - every function returns an `mggraph_status`; outputs go through trailing out-pointers and
//!   are written only on success;
//! - strings in are NUL-terminated UTF-8; every string handed out is owned by the caller and
//!   freed with `mggraph_string_free`; JSON crosses the boundary as text;
//! - `*_free(NULL)` is allowed and does nothing;
//! - a NULL pointer, invalid UTF-8 or malformed JSON gives an error status, and
//!   `mggraph_last_error` tells which argument was wrong; no panic crosses the boundary;
//! - sessions may be used from any number of threads at once; a call may be waited on,
//!   cancelled and pushed to from different threads, but freed only once, by one thread,
//!   after every other use of it has returned.
#![allow(unsafe_code)]
#![allow(non_camel_case_types)]

pub(crate) mod boundary;

use std::ffi::{c_char, CStr, CString};
use std::sync::Arc;
use std::time::Duration;

use crate::call::{Call, Next};
use crate::session::{Session, StartError};
use boundary::{fail, guard};

/// Result code of every exported function.
pub type mggraph_status = u32;

/// Success.
pub const MGGRAPH_OK: mggraph_status = 0;
/// `mggraph_call_next`: no event arrived within the timeout; wait again.
pub const MGGRAPH_PENDING: mggraph_status = 1;
/// `mggraph_call_next`: the call finished and every event was taken.
pub const MGGRAPH_DONE: mggraph_status = 2;
/// A required pointer argument was NULL.
pub const MGGRAPH_NULL_ARGUMENT: mggraph_status = 1001;
/// A string argument was not valid UTF-8.
pub const MGGRAPH_INVALID_UTF8: mggraph_status = 1002;
/// A JSON argument could not be parsed.
pub const MGGRAPH_INVALID_JSON: mggraph_status = 1003;
/// An argument was well-formed but not acceptable (unknown command, bad option...).
pub const MGGRAPH_INVALID_ARGUMENT: mggraph_status = 1004;
/// The call does not accept input (not started for streaming input, or input finished).
pub const MGGRAPH_INPUT_CLOSED: mggraph_status = 1005;
/// The runtime could not be started.
pub const MGGRAPH_RUNTIME_ERROR: mggraph_status = 2001;
/// The call was cancelled.
pub const MGGRAPH_CANCELLED: mggraph_status = 4001;
/// A bug: the library caught a panic. `mggraph_last_error` has the message.
pub const MGGRAPH_PANIC: mggraph_status = 9001;

/// Event kinds returned by `mggraph_call_next`.
pub const MGGRAPH_EVENT_OUTPUT: u32 = 1;
pub const MGGRAPH_EVENT_RESPONSE: u32 = 2;
pub const MGGRAPH_EVENT_ERROR: u32 = 3;
pub const MGGRAPH_EVENT_VERBOSE: u32 = 4;
pub const MGGRAPH_EVENT_DEBUG: u32 = 5;
pub const MGGRAPH_EVENT_WARNING: u32 = 6;
pub const MGGRAPH_EVENT_INFORMATION: u32 = 7;
pub const MGGRAPH_EVENT_PROGRESS: u32 = 8;
pub const MGGRAPH_EVENT_META: u32 = 9;

/// A session: environments, the signed-in context and request settings. Opaque.
pub struct mggraph_session {
    session: Arc<Session>,
}

/// A started operation. Opaque.
pub struct mggraph_call {
    call: Call,
}

/// Reads a NUL-terminated UTF-8 argument.
///
/// # Safety
/// `ptr` must be NULL or point to a NUL-terminated string that outlives the call.
unsafe fn arg_str<'a>(ptr: *const c_char, name: &str) -> Result<&'a str, mggraph_status> {
    if ptr.is_null() {
        boundary::set_last_error(format!("argument `{name}` is NULL"));
        return Err(MGGRAPH_NULL_ARGUMENT);
    }
    // SAFETY: non-null, and the caller guarantees NUL termination and lifetime.
    let cstr = unsafe { CStr::from_ptr(ptr) };
    cstr.to_str().map_err(|e| {
        boundary::set_last_error(format!(
            "argument `{name}` is not valid UTF-8 (invalid byte at offset {})",
            e.valid_up_to()
        ));
        MGGRAPH_INVALID_UTF8
    })
}

/// Hands a Rust string to the caller as an owned C string.
fn out_string(text: String) -> *mut c_char {
    // JSON and messages never contain NUL; replace defensively rather than fail.
    let text = if text.contains('\0') {
        text.replace('\0', "\u{FFFD}")
    } else {
        text
    };
    CString::new(text).unwrap_or_default().into_raw()
}

/// Writes the library version (a static string: do not free it).
///
/// # Safety
/// `out_version` must be NULL or valid for one pointer write.
#[no_mangle]
pub unsafe extern "C" fn mggraph_version(out_version: *mut *const c_char) -> mggraph_status {
    guard(|| {
        if out_version.is_null() {
            fail!(MGGRAPH_NULL_ARGUMENT, "argument `out_version` is NULL");
        }
        static VERSION_C: &str = concat!(env!("CARGO_PKG_VERSION"), "\0");
        // SAFETY: checked non-null above; the caller guarantees it is writable.
        unsafe { *out_version = VERSION_C.as_ptr().cast() };
        MGGRAPH_OK
    })
}

/// Writes the message of the last failed call on this thread (owned; free it with
/// `mggraph_string_free`), or NULL when there is none.
///
/// # Safety
/// `out_message` must be NULL or valid for one pointer write.
#[no_mangle]
pub unsafe extern "C" fn mggraph_last_error(out_message: *mut *mut c_char) -> mggraph_status {
    // Not wrapped in `guard`: that would clear the very message being asked for.
    let result = std::panic::catch_unwind(|| {
        if out_message.is_null() {
            return MGGRAPH_NULL_ARGUMENT;
        }
        let msg = boundary::take_last_error();
        let ptr = msg.map(out_string).unwrap_or(std::ptr::null_mut());
        // SAFETY: checked non-null above; the caller guarantees it is writable.
        unsafe { *out_message = ptr };
        MGGRAPH_OK
    });
    result.unwrap_or(MGGRAPH_PANIC)
}

/// Creates a new, independent session. `options_json` may be NULL or a JSON object
/// (reserved for settings; `{}` today).
///
/// # Safety
/// `options_json` must be NULL or a NUL-terminated string; `out_session` must be valid for
/// one pointer write.
#[no_mangle]
pub unsafe extern "C" fn mggraph_session_new(
    options_json: *const c_char,
    out_session: *mut *mut mggraph_session,
) -> mggraph_status {
    guard(|| {
        if out_session.is_null() {
            fail!(MGGRAPH_NULL_ARGUMENT, "argument `out_session` is NULL");
        }
        if !options_json.is_null() {
            // SAFETY: non-null; the caller guarantees NUL termination.
            let text = match unsafe { arg_str(options_json, "options_json") } {
                Ok(t) => t,
                Err(status) => return status,
            };
            if let Err(e) = serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(text)
            {
                fail!(
                    MGGRAPH_INVALID_JSON,
                    "argument `options_json` is not a JSON object: {e}"
                );
            }
        }
        let handle = Box::new(mggraph_session {
            session: Arc::new(Session::new()),
        });
        // SAFETY: checked non-null above.
        unsafe { *out_session = Box::into_raw(handle) };
        MGGRAPH_OK
    })
}

/// Writes a new handle to the process-wide session, which every PowerShell runspace shares
/// (so `ForEach-Object -Parallel` sees the connection made in the parent runspace). Free the
/// handle with `mggraph_session_free`; the session itself lives as long as the process.
///
/// # Safety
/// `out_session` must be valid for one pointer write.
#[no_mangle]
pub unsafe extern "C" fn mggraph_session_shared(
    out_session: *mut *mut mggraph_session,
) -> mggraph_status {
    guard(|| {
        if out_session.is_null() {
            fail!(MGGRAPH_NULL_ARGUMENT, "argument `out_session` is NULL");
        }
        let handle = Box::new(mggraph_session {
            session: Session::shared(),
        });
        // SAFETY: checked non-null above.
        unsafe { *out_session = Box::into_raw(handle) };
        MGGRAPH_OK
    })
}

/// Frees a session handle. NULL is allowed.
///
/// # Safety
/// `session` must be NULL or a handle from `mggraph_session_new`/`_shared` not yet freed.
#[no_mangle]
pub unsafe extern "C" fn mggraph_session_free(session: *mut mggraph_session) -> mggraph_status {
    guard(|| {
        if !session.is_null() {
            // SAFETY: the caller passes a live handle created by Box::into_raw.
            drop(unsafe { Box::from_raw(session) });
        }
        MGGRAPH_OK
    })
}

/// Writes what the session's current connection needed (owned JSON; free it with
/// `mggraph_string_free`): every Graph operation it sent since it connected (each step of a
/// `$batch` too), with the least-privileged delegated and application permissions that cover
/// them per Microsoft's permission map, and the operations each one is needed for:
/// `{"operations": [{"method", "path", "count", "example", "delegated": {"least", "documented"},
/// "application": {...}}], "delegated": [{"permission", "operations"}], "application": [...]}`
/// (shape in `engine::record::Recorder::report`). Empty lists when not connected. `clear` not
/// 0 forgets what was recorded once it is written.
///
/// # Safety
/// `session` must be a live session handle; `out_json` valid for one pointer write.
#[no_mangle]
pub unsafe extern "C" fn mggraph_session_permissions(
    session: *const mggraph_session,
    clear: u32,
    out_json: *mut *mut c_char,
) -> mggraph_status {
    guard(|| {
        if session.is_null() {
            fail!(MGGRAPH_NULL_ARGUMENT, "argument `session` is NULL");
        }
        if out_json.is_null() {
            fail!(MGGRAPH_NULL_ARGUMENT, "argument `out_json` is NULL");
        }
        // SAFETY: checked non-null; the caller passes a live handle.
        let session = unsafe { &*session };
        let report = match session.session.connection() {
            Some(c) => {
                let r = c.record.report();
                if clear != 0 {
                    c.record.clear();
                }
                r
            }
            None => crate::engine::record::Recorder::default().report(),
        };
        // SAFETY: checked non-null above.
        unsafe { *out_json = out_string(report.to_string()) };
        MGGRAPH_OK
    })
}

/// Starts an operation described by `request_json`:
/// `{"command": "Get-MgUser", "set": "Get", "params": {...}, "verbose": false, "debug": false}`.
/// The call runs in the background; take its events with `mggraph_call_next`.
///
/// # Safety
/// `session` must be a live session handle; `request_json` a NUL-terminated string;
/// `out_call` valid for one pointer write.
#[no_mangle]
pub unsafe extern "C" fn mggraph_call_start(
    session: *const mggraph_session,
    request_json: *const c_char,
    out_call: *mut *mut mggraph_call,
) -> mggraph_status {
    guard(|| {
        if session.is_null() {
            fail!(MGGRAPH_NULL_ARGUMENT, "argument `session` is NULL");
        }
        if out_call.is_null() {
            fail!(MGGRAPH_NULL_ARGUMENT, "argument `out_call` is NULL");
        }
        // SAFETY: checked non-null; the caller passes a NUL-terminated string.
        let request = match unsafe { arg_str(request_json, "request_json") } {
            Ok(r) => r,
            Err(status) => return status,
        };
        // SAFETY: checked non-null; the caller passes a live handle.
        let session = unsafe { &*session };
        match session.session.start_call(request) {
            Ok(call) => {
                let handle = Box::new(mggraph_call { call });
                // SAFETY: checked non-null above.
                unsafe { *out_call = Box::into_raw(handle) };
                MGGRAPH_OK
            }
            Err(StartError::Json(msg)) => fail!(MGGRAPH_INVALID_JSON, "{msg}"),
            Err(StartError::Invalid(msg)) => fail!(MGGRAPH_INVALID_ARGUMENT, "{msg}"),
            Err(StartError::Runtime(msg)) => fail!(MGGRAPH_RUNTIME_ERROR, "{msg}"),
        }
    })
}

/// Waits up to `timeout_ms` for the call's next event. On `MGGRAPH_OK`, writes the event kind
/// (`MGGRAPH_EVENT_*`) and its payload (owned; free with `mggraph_string_free`). Returns
/// `MGGRAPH_PENDING` when nothing arrived in time, `MGGRAPH_DONE` when the call finished and
/// every event was taken, `MGGRAPH_CANCELLED` after `mggraph_call_cancel`.
///
/// # Safety
/// `call` must be a live call handle; the out-pointers valid for one write each.
#[no_mangle]
pub unsafe extern "C" fn mggraph_call_next(
    call: *const mggraph_call,
    timeout_ms: u32,
    out_kind: *mut u32,
    out_payload: *mut *mut c_char,
) -> mggraph_status {
    guard(|| {
        if call.is_null() {
            fail!(MGGRAPH_NULL_ARGUMENT, "argument `call` is NULL");
        }
        if out_kind.is_null() {
            fail!(MGGRAPH_NULL_ARGUMENT, "argument `out_kind` is NULL");
        }
        if out_payload.is_null() {
            fail!(MGGRAPH_NULL_ARGUMENT, "argument `out_payload` is NULL");
        }
        // SAFETY: checked non-null; the caller passes a live handle.
        let call = unsafe { &*call };
        match call.call.next(Duration::from_millis(u64::from(timeout_ms))) {
            Next::Event(event) => {
                // SAFETY: both checked non-null above.
                unsafe {
                    *out_kind = event.kind as u32;
                    *out_payload = out_string(event.payload);
                }
                MGGRAPH_OK
            }
            Next::Pending => MGGRAPH_PENDING,
            Next::Done => MGGRAPH_DONE,
            Next::Cancelled => MGGRAPH_CANCELLED,
        }
    })
}

/// Pushes one JSON input to a call started with `"streamInput": true` (bulk pipelines):
/// an object `{"set": "Get", "params": {...}}` (both members optional). Anything else (`7`,
/// `[1,2]`, `"x"`, `{"params": 7}`) is refused with `MGGRAPH_INVALID_ARGUMENT`.
///
/// # Safety
/// `call` must be a live call handle; `input_json` a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn mggraph_call_push(
    call: *const mggraph_call,
    input_json: *const c_char,
) -> mggraph_status {
    guard(|| {
        if call.is_null() {
            fail!(MGGRAPH_NULL_ARGUMENT, "argument `call` is NULL");
        }
        // SAFETY: the caller passes a NUL-terminated string or NULL (checked inside).
        let text = match unsafe { arg_str(input_json, "input_json") } {
            Ok(t) => t,
            Err(status) => return status,
        };
        let value: serde_json::Value = match serde_json::from_str(text) {
            Ok(v) => v,
            Err(e) => {
                if let Some(params) = crate::session::lone_surrogate_params(text) {
                    fail!(
                        MGGRAPH_INVALID_ARGUMENT,
                        "argument `input_json`: {}",
                        crate::session::lone_surrogate_message(&params)
                    );
                }
                fail!(
                    MGGRAPH_INVALID_JSON,
                    "argument `input_json` is not JSON: {e}"
                )
            }
        };
        // One input is one pipeline object's parameters: anything else would run the command
        // with no parameters at all (a `7` would list every user).
        if let Err(msg) = crate::session::check_input(&value) {
            fail!(MGGRAPH_INVALID_ARGUMENT, "argument `input_json` {msg}");
        }
        // SAFETY: checked non-null; the caller passes a live handle.
        let call = unsafe { &*call };
        match call.call.push(value) {
            Ok(()) => MGGRAPH_OK,
            Err(msg) => fail!(MGGRAPH_INPUT_CLOSED, "{msg}"),
        }
    })
}

/// Declares that no more inputs will be pushed. Idempotent.
///
/// # Safety
/// `call` must be a live call handle.
#[no_mangle]
pub unsafe extern "C" fn mggraph_call_finish_input(call: *const mggraph_call) -> mggraph_status {
    guard(|| {
        if call.is_null() {
            fail!(MGGRAPH_NULL_ARGUMENT, "argument `call` is NULL");
        }
        // SAFETY: checked non-null; the caller passes a live handle.
        unsafe { &*call }.call.finish_input();
        MGGRAPH_OK
    })
}

/// Cancels a call: in-flight HTTP requests are dropped and retry waits end. Idempotent;
/// callable from any thread while another waits in `mggraph_call_next`.
///
/// # Safety
/// `call` must be a live call handle.
#[no_mangle]
pub unsafe extern "C" fn mggraph_call_cancel(call: *const mggraph_call) -> mggraph_status {
    guard(|| {
        if call.is_null() {
            fail!(MGGRAPH_NULL_ARGUMENT, "argument `call` is NULL");
        }
        // SAFETY: checked non-null; the caller passes a live handle.
        unsafe { &*call }.call.cancel();
        MGGRAPH_OK
    })
}

/// Frees a call, cancelling it first if it is still running. NULL is allowed.
///
/// # Safety
/// `call` must be NULL or a live call handle that no other thread is using.
#[no_mangle]
pub unsafe extern "C" fn mggraph_call_free(call: *mut mggraph_call) -> mggraph_status {
    guard(|| {
        if !call.is_null() {
            // SAFETY: the caller passes a live handle created by Box::into_raw.
            drop(unsafe { Box::from_raw(call) });
        }
        MGGRAPH_OK
    })
}

/// Writes the SDK module that exports the cmdlet `name` (`Get-MgUser` →
/// `Microsoft.Graph.Users`, `Get-MgBetaUser` → `Microsoft.Graph.Beta.Users`; any case), owned
/// (free it with `mggraph_string_free`), or NULL when the catalog has no such cmdlet (the
/// core's own commands, `Connect-MgGraph` and the like, are not catalog cmdlets). The
/// cmdlet layer loads that module itself when a script first names one of its cmdlets, ahead
/// of PowerShell's search of `PATH` and of every module's exports. The look-up reads the
/// cmdlet's catalog entry, as its first call would.
///
/// # Safety
/// `name` must be a NUL-terminated string; `out_module` must be valid for one pointer write.
#[no_mangle]
pub unsafe extern "C" fn mggraph_command_module(
    name: *const c_char,
    out_module: *mut *mut c_char,
) -> mggraph_status {
    // SAFETY: the caller's guarantees, as documented above.
    unsafe { command_answer(name, out_module, "out_module", |c| c.sdk_module.to_string()) }
}

/// Writes what a generated cmdlet needs of its catalog command `name` (any case) to run it,
/// as JSON, owned (free it with `mggraph_string_free`): `{name, outputClass, outputType, sets:
/// {<set>: {method, path, list, identity, bodyDates}}, pathParams}` (see
/// `catalog::describe::command`); NULL when the catalog has no such command. Asked once per
/// cmdlet class and process, on the cmdlet's first call: a direct answer, where a call
/// (`mggraph_call_start`, its events) cost that first call about 0.4 ms more.
///
/// # Safety
/// `name` must be a NUL-terminated string; `out_json` must be valid for one pointer write.
#[no_mangle]
pub unsafe extern "C" fn mggraph_command_describe(
    name: *const c_char,
    out_json: *mut *mut c_char,
) -> mggraph_status {
    // SAFETY: the caller's guarantees, as documented above.
    unsafe {
        command_answer(name, out_json, "out_json", |c| {
            crate::catalog::describe::command(c).to_string()
        })
    }
}

/// Writes `answer` of the catalog command `name` to `out` (owned), or NULL when the catalog
/// has no such command; `out_name` names `out` in the error for a NULL pointer.
///
/// # Safety
/// `name` must be NULL or a NUL-terminated string; `out` must be NULL or valid for one
/// pointer write.
unsafe fn command_answer(
    name: *const c_char,
    out: *mut *mut c_char,
    out_name: &str,
    answer: impl Fn(&'static crate::catalog::Command) -> String,
) -> mggraph_status {
    guard(|| {
        if out.is_null() {
            fail!(MGGRAPH_NULL_ARGUMENT, "argument `{out_name}` is NULL");
        }
        // SAFETY: the caller guarantees NUL termination (NULL is refused by `arg_str`).
        let name = match unsafe { arg_str(name, "name") } {
            Ok(n) => n,
            Err(status) => return status,
        };
        let text = crate::catalog::command(name).map(|c| out_string(answer(c)));
        // SAFETY: checked non-null above; the caller guarantees it is writable.
        unsafe { *out = text.unwrap_or(std::ptr::null_mut()) };
        MGGRAPH_OK
    })
}

/// Frees a string returned by this library. NULL is allowed.
///
/// # Safety
/// `text` must be NULL or a string from this library not yet freed.
#[no_mangle]
pub unsafe extern "C" fn mggraph_string_free(text: *mut c_char) -> mggraph_status {
    guard(|| {
        if !text.is_null() {
            // SAFETY: the caller passes a string created by CString::into_raw.
            drop(unsafe { CString::from_raw(text) });
        }
        MGGRAPH_OK
    })
}

/// Keeps a secret (a client secret, an access token, a key) for this process's requests and
/// writes its id, which a request names as `{"mggraphSecret": id}` in place of the text; free
/// it with `mggraph_secret_free` once the call that uses it is over. The text is UTF-16, as .NET
/// holds a SecureString's characters: `length` code units at `text` (not NUL-terminated), so
/// the secret never has to become a script's string (see `auth::secrets`).
///
/// # Safety
/// `text` must point to `length` readable, 2-byte-aligned `uint16_t`s; `out_id` must be valid
/// for one write.
#[no_mangle]
pub unsafe extern "C" fn mggraph_secret_new(
    text: *const u16,
    length: u32,
    out_id: *mut u64,
) -> mggraph_status {
    guard(|| {
        if text.is_null() {
            fail!(MGGRAPH_NULL_ARGUMENT, "argument `text` is NULL");
        }
        if out_id.is_null() {
            fail!(MGGRAPH_NULL_ARGUMENT, "argument `out_id` is NULL");
        }
        if text.align_offset(std::mem::align_of::<u16>()) != 0 {
            fail!(MGGRAPH_INVALID_ARGUMENT, "argument `text` is not aligned");
        }
        // SAFETY: non-null and aligned (checked); the caller guarantees `length` readable units.
        let units = unsafe { std::slice::from_raw_parts(text, length as usize) };
        let secret = match String::from_utf16(units) {
            Ok(s) => zeroize::Zeroizing::new(s),
            Err(_) => fail!(
                MGGRAPH_INVALID_ARGUMENT,
                "argument `text` is not valid UTF-16"
            ),
        };
        match crate::auth::secrets::insert(secret) {
            Ok(id) => {
                // SAFETY: checked non-null above.
                unsafe { *out_id = id };
                MGGRAPH_OK
            }
            Err(msg) => fail!(MGGRAPH_INVALID_ARGUMENT, "{msg}"),
        }
    })
}

/// Forgets a secret kept by `mggraph_secret_new`, wiping its text. An unknown id (0, or one
/// already freed) is allowed and does nothing.
#[no_mangle]
pub extern "C" fn mggraph_secret_free(id: u64) -> mggraph_status {
    guard(|| {
        crate::auth::secrets::remove(id);
        MGGRAPH_OK
    })
}

/// Runs the sandbox as a server, as `mggraph-sandbox` does (that program calls this: the
/// emulator ships once, in the engine library). `args_json` is a JSON array of the command
/// line's arguments after the program name (`["--listen", "127.0.0.1:0", "--json"]`). Blocks
/// until SIGINT or SIGTERM, printing to standard output and error as the program does, then
/// writes the exit code (0; 1 when it could not start; 2 for bad arguments). Only in an
/// engine built with the `sandbox` feature. It installs process-wide SIGINT and SIGTERM
/// handlers and prints panics to standard error: it is for a process of its own, not a host
/// such as pwsh.
///
/// Errors (`*out_exit_code` is then left as it was): `MGGRAPH_NULL_ARGUMENT` (either pointer
/// NULL), `MGGRAPH_INVALID_UTF8`, `MGGRAPH_INVALID_JSON` (not an array of strings),
/// `MGGRAPH_PANIC`.
///
/// # Safety
/// `args_json` must be a NUL-terminated string; `out_exit_code` must be valid for one write.
#[cfg(feature = "sandbox")]
#[no_mangle]
pub unsafe extern "C" fn mggraph_sandbox_serve(
    args_json: *const c_char,
    out_exit_code: *mut i32,
) -> mggraph_status {
    guard(|| {
        if out_exit_code.is_null() {
            fail!(MGGRAPH_NULL_ARGUMENT, "argument `out_exit_code` is NULL");
        }
        // SAFETY: the caller guarantees a NUL-terminated string or NULL.
        let text = match unsafe { arg_str(args_json, "args_json") } {
            Ok(t) => t,
            Err(status) => return status,
        };
        let args: Vec<String> = match serde_json::from_str(text) {
            Ok(a) => a,
            Err(e) => fail!(
                MGGRAPH_INVALID_JSON,
                "argument `args_json` is not a JSON array of strings: {e}"
            ),
        };
        // The boundary's hook keeps a panic's message for `mggraph_last_error` only; a server
        // also says it where its operator looks.
        let keep = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            eprintln!("mggraph-sandbox: internal error: {info}");
            keep(info);
        }));
        let code = crate::sandbox::server::run(args);
        // SAFETY: checked non-null above; the caller guarantees it is writable.
        unsafe { *out_exit_code = i32::from(code) };
        MGGRAPH_OK
    })
}
