//! Issue 17 item 2, engine side: `-InFile`/`-InputFilePath` bodies and `-OutFile`/
//! `-OutputFilePath` answers stream in bounded memory; only regular files are read; Graph's
//! size limits are known before sending; a cancelled upload lets go at once; a failed
//! download leaves the previous file as it was.
//!
//! The memory figures are the process's peak resident set (`VmHWM`) before and after, so the
//! tests that measure it hold [`MEMORY`] and run one at a time.

mod common;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Method, StatusCode, Uri};
use axum::response::IntoResponse;
use bytes::Bytes;
use futures_util::StreamExt;
use mggraph::call::{Event, EventKind, Next};
use mggraph::session::Session;
use serde_json::{json, Value};

/// Held by the tests that read the peak resident set, so no other test moves it.
static MEMORY: Mutex<()> = Mutex::new(());

const MIB: u64 = 1024 * 1024;
const GIB: u64 = 1024 * MIB;

fn rt() -> tokio::runtime::Handle {
    mggraph::runtime::handle().unwrap()
}

fn run(session: &Arc<Session>, request: Value) -> Vec<Event> {
    common::run_call(session, &request, Duration::from_secs(600))
}

fn errors(events: &[Event]) -> Vec<Value> {
    events
        .iter()
        .filter(|e| e.kind == EventKind::Error)
        .map(|e| serde_json::from_str(&e.payload).unwrap())
        .collect()
}

fn only_error(events: &[Event]) -> Value {
    let errs = errors(events);
    assert_eq!(errs.len(), 1, "{events:?}");
    errs[0].clone()
}

/// Starts a new peak: Linux resets `VmHWM` to the current resident set when 5 is written to
/// /proc/self/clear_refs (ignored where it cannot, leaving the earlier peak as the baseline).
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// The process's peak resident set size, in bytes (`VmHWM` in /proc/self/status).
fn peak_rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    let kb: u64 = line
        .split_whitespace()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap();
    kb * 1024
}

/// What the loopback Graph stand-in received.
#[derive(Default)]
struct Seen {
    requests: Mutex<Vec<(String, String, Option<String>)>>,
    /// Body bytes received, over all requests.
    bytes: AtomicU64,
    /// When the last request body ended (completely or not), since `UNIX_EPOCH` in ms.
    body_ended: AtomicU64,
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

/// A body of `len` zero bytes, served in 256 KiB pieces from one shared buffer; with
/// `break_at`, the stream fails after that many bytes (a connection lost mid-download).
fn zeros(len: u64, break_at: Option<u64>) -> Body {
    let piece = Bytes::from(vec![0u8; 256 * 1024]);
    let stop = break_at.unwrap_or(len);
    let mut sent = 0u64;
    let stream = futures_util::stream::iter(std::iter::from_fn(move || {
        if sent >= len {
            return None;
        }
        if sent >= stop {
            sent = len;
            return Some(Err(std::io::Error::other("connection lost")));
        }
        let n = (len - sent).min(piece.len() as u64);
        sent += n;
        Some(Ok(piece.slice(..n as usize)))
    }));
    Body::from_stream(stream)
}

/// A Graph stand-in on a loopback port: counts and discards request bodies (reading each
/// piece after `read_delay`, so an upload can be made slow), answers uploads with
/// `{"received": n}`, and GETs of `…/big` with `download` zero bytes, of any path with `/broken` with a
/// body that fails after 1 MiB.
fn serve(read_delay: Duration, download: u64) -> (String, Arc<Seen>) {
    let seen = Arc::new(Seen::default());
    let log = seen.clone();
    let app = axum::Router::new().fallback(
        move |method: Method, uri: Uri, headers: axum::http::HeaderMap, body: Body| {
            let log = log.clone();
            async move {
                let length = headers
                    .get("content-length")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string);
                log.requests.lock().unwrap().push((
                    method.to_string(),
                    uri.path().to_string(),
                    length,
                ));
                let mut stream = body.into_data_stream();
                let mut n = 0u64;
                while let Some(piece) = stream.next().await {
                    let Ok(piece) = piece else { break };
                    n += piece.len() as u64;
                    log.bytes.fetch_add(piece.len() as u64, Ordering::SeqCst);
                    if !read_delay.is_zero() {
                        tokio::time::sleep(read_delay).await;
                    }
                }
                log.body_ended.store(now_ms(), Ordering::SeqCst);
                let path = uri.path();
                if method == Method::GET && path.ends_with("/big") {
                    return (
                        StatusCode::OK,
                        [("content-type", "application/octet-stream")],
                        zeros(download, None),
                    )
                        .into_response();
                }
                if method == Method::GET && path.contains("/broken") {
                    return (
                        StatusCode::OK,
                        [("content-type", "application/octet-stream")],
                        zeros(8 * MIB, Some(MIB)),
                    )
                        .into_response();
                }
                (
                    StatusCode::OK,
                    [("content-type", "application/json")],
                    json!({"received": n}).to_string(),
                )
                    .into_response()
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
    (base, seen)
}

/// A session whose Graph endpoint is `base`, signed in with an access token, no retries.
fn connect(base: &str) -> Arc<Session> {
    let session = Arc::new(Session::new());
    for request in [
        json!({"command": "Add-MgEnvironment", "params": {"Name": "Files", "AzureADEndpoint": base, "GraphEndpoint": base}}),
        json!({"command": "Connect-MgGraph", "params": {"ParameterSet": "AccessTokenParameterSet", "Environment": "Files", "AccessToken": "token", "NoWelcome": true}}),
        json!({"command": "Set-MgRequestContext", "params": {"MaxRetry": 0}}),
    ] {
        let events = run(&session, request);
        assert!(errors(&events).is_empty(), "{events:?}");
    }
    session
}

/// A scratch folder for one test.
fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("mggraph-files-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A sparse file of `len` bytes (no disk blocks, reads as zeros).
fn sparse(path: &std::path::Path, len: u64) {
    std::fs::File::create(path).unwrap().set_len(len).unwrap();
}

#[test]
fn a_2_gib_input_file_streams_in_bounded_memory() {
    let _guard = MEMORY.lock().unwrap_or_else(|p| p.into_inner());
    let (base, seen) = serve(Duration::ZERO, 0);
    let session = connect(&base);
    let dir = scratch("2gib");
    let file = dir.join("big.bin");
    sparse(&file, 2 * GIB);

    reset_peak();
    let before = peak_rss();
    let started = Instant::now();
    let events = run(
        &session,
        json!({"command": "Invoke-MgGraphRequest", "params": {"Method": "PUT", "Uri": format!("{base}/v1.0/upload/big.bin"), "InputFilePath": file.to_str().unwrap()}}),
    );
    let took = started.elapsed();
    let after = peak_rss();
    assert!(errors(&events).is_empty(), "{events:?}");
    let received = seen.bytes.load(Ordering::SeqCst);
    let growth = after.saturating_sub(before);
    println!(
        "2 GiB -InputFilePath: server received {received} bytes in {:.1} s; peak RSS {:.1} MiB before, {:.1} MiB after (growth {:.1} MiB)",
        took.as_secs_f64(),
        before as f64 / MIB as f64,
        after as f64 / MIB as f64,
        growth as f64 / MIB as f64
    );
    assert_eq!(received, 2 * GIB);
    let requests = seen.requests.lock().unwrap().clone();
    assert_eq!(requests.len(), 1, "{requests:?}");
    assert_eq!(
        requests[0].2.as_deref(),
        Some("2147483648"),
        "Content-Length"
    );
    let answer: Value = serde_json::from_str(
        &events
            .iter()
            .find(|e| e.kind == EventKind::Response)
            .unwrap()
            .payload,
    )
    .unwrap();
    assert_eq!(
        answer["body"],
        json!(format!("{{\"received\":{}}}", 2 * GIB))
    );
    assert!(
        growth < 100 * MIB,
        "peak RSS grew by {growth} bytes streaming 2 GiB"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_large_download_streams_to_the_output_file_in_bounded_memory() {
    let _guard = MEMORY.lock().unwrap_or_else(|p| p.into_inner());
    let size = 512 * MIB;
    let (base, _seen) = serve(Duration::ZERO, size);
    let session = connect(&base);
    let dir = scratch("download");

    // Invoke-MgGraphRequest -OutputFilePath.
    let out = dir.join("big.out");
    reset_peak();
    let before = peak_rss();
    let events = run(
        &session,
        json!({"command": "Invoke-MgGraphRequest", "params": {"Uri": format!("{base}/v1.0/files/big"), "OutputFilePath": out.to_str().unwrap()}}),
    );
    let after = peak_rss();
    assert!(errors(&events).is_empty(), "{events:?}");
    let growth = after.saturating_sub(before);
    println!(
        "512 MiB -OutputFilePath: file {} bytes; peak RSS {:.1} MiB before, {:.1} MiB after (growth {:.1} MiB)",
        std::fs::metadata(&out).unwrap().len(),
        before as f64 / MIB as f64,
        after as f64 / MIB as f64,
        growth as f64 / MIB as f64
    );
    assert_eq!(std::fs::metadata(&out).unwrap().len(), size);
    let envelope: Value = serde_json::from_str(
        &events
            .iter()
            .find(|e| e.kind == EventKind::Response)
            .unwrap()
            .payload,
    )
    .unwrap();
    assert_eq!(envelope["written"], json!(size));
    assert_eq!(envelope["bodyBase64"], Value::Null, "not in memory");
    assert!(growth < 100 * MIB, "peak RSS grew by {growth} bytes");
    std::fs::remove_file(&out).unwrap();

    // -InferOutputFileName: the URI's last segment, in the folder.
    let events = run(
        &session,
        json!({"command": "Invoke-MgGraphRequest", "params": {"Uri": format!("{base}/v1.0/small/big"), "OutputFilePath": dir.to_str().unwrap()}}),
    );
    assert!(errors(&events).is_empty(), "{events:?}");
    assert_eq!(std::fs::metadata(dir.join("big")).unwrap().len(), size);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_failed_download_leaves_the_previous_file_and_no_partial_one() {
    let (base, _seen) = serve(Duration::ZERO, 0);
    let session = connect(&base);
    let dir = scratch("broken");
    let out = dir.join("photo.jpg");
    std::fs::write(&out, b"the previous photo").unwrap();

    // A generated cmdlet's -OutFile (GET /users/broken/photo/$value answers 1 MiB of 8, then
    // drops) and Invoke-MgGraphRequest's -OutputFilePath.
    for request in [
        json!({"command": "Get-MgUserPhotoContent", "params": {"UserId": "broken", "OutFile": out.to_str().unwrap()}}),
        json!({"command": "Invoke-MgGraphRequest", "params": {"Uri": format!("{base}/v1.0/x/broken"), "OutputFilePath": out.to_str().unwrap()}}),
    ] {
        let events = run(&session, request.clone());
        let e = only_error(&events);
        assert!(
            e["message"].as_str().unwrap().contains("connection"),
            "{request}: {e}"
        );
        assert_eq!(std::fs::read(&out).unwrap(), b"the previous photo");
        let left: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(
            left,
            vec![std::ffi::OsString::from("photo.jpg")],
            "{request}"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn files_that_are_not_regular_or_over_graphs_limit_are_refused_before_sending() {
    let (base, seen) = serve(Duration::ZERO, 0);
    let session = connect(&base);
    let dir = scratch("refused");
    let fifo = dir.join("fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let photo = dir.join("photo.jpg");
    sparse(&photo, 4 * MIB + 1);
    let missing = dir.join("missing.bin");

    let cases: Vec<(String, &str, Vec<&str>)> = vec![
        ("/dev/zero".into(), "character device", vec![]),
        (fifo.to_string_lossy().into(), "FIFO", vec![]),
        (dir.to_string_lossy().into(), "a directory", vec![]),
        (missing.to_string_lossy().into(), "does not exist", vec![]),
        (
            photo.to_string_lossy().into(),
            "4,194,305 bytes",
            vec!["4 MB", "profilephoto-update"],
        ),
    ];
    for (path, why, more) in &cases {
        // -InFile on a generated media-set cmdlet: a terminating InvalidArgument.
        let events = run(
            &session,
            json!({"command": "Set-MgUserPhotoContent", "params": {"UserId": "u1", "InFile": path}}),
        );
        let e = only_error(&events);
        let message = e["message"].as_str().unwrap();
        assert!(
            message.starts_with("Cannot validate argument on parameter 'InFile'.")
                && message.contains(why)
                && more.iter().all(|m| message.contains(m)),
            "{path}: {message}"
        );
        assert_eq!(e["category"], "InvalidArgument", "{e}");
        assert_eq!(e["terminating"], true, "{e}");

        // -InputFilePath, to the same photo URL.
        let events = run(
            &session,
            json!({"command": "Invoke-MgGraphRequest", "params": {"Method": "PUT", "Uri": "/v1.0/users/u1/photo/$value", "InputFilePath": path}}),
        );
        let e = only_error(&events);
        let message = e["message"].as_str().unwrap();
        assert!(
            message.starts_with("Cannot validate argument on parameter 'InputFilePath'.")
                && message.contains(why),
            "{path}: {message}"
        );
        assert_eq!(e["category"], "InvalidArgument", "{e}");
    }
    // -OutFile and -OutputFilePath: a directory, a device or a FIFO is never replaced.
    for (path, why) in [
        (dir.to_string_lossy().to_string(), "a directory"),
        ("/dev/null".to_string(), "character device"),
        (fifo.to_string_lossy().to_string(), "FIFO"),
    ] {
        let events = run(
            &session,
            json!({"command": "Get-MgUserPhotoContent", "params": {"UserId": "u1", "OutFile": path}}),
        );
        let message = only_error(&events)["message"].as_str().unwrap().to_string();
        assert!(
            message.starts_with("Cannot validate argument on parameter 'OutFile'.")
                && message.contains(why),
            "{message}"
        );
    }
    assert!(
        seen.requests.lock().unwrap().is_empty(),
        "nothing was sent: {:?}",
        seen.requests.lock().unwrap()
    );
    // Exactly the limit goes.
    sparse(&photo, 4 * MIB);
    let events = run(
        &session,
        json!({"command": "Set-MgUserPhotoContent", "params": {"UserId": "u1", "InFile": photo.to_str().unwrap()}}),
    );
    assert!(errors(&events).is_empty(), "{events:?}");
    assert_eq!(seen.bytes.load(Ordering::SeqCst), 4 * MIB);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_cancelled_upload_stops_at_once_and_the_engine_goes_on() {
    // The stand-in reads a piece every 20 ms: 1 GiB would take many minutes.
    let (base, seen) = serve(Duration::from_millis(20), 0);
    let session = connect(&base);
    let dir = scratch("cancel");
    let file = dir.join("slow.bin");
    sparse(&file, GIB);

    let call = session
        .start_call(
            &json!({"command": "Invoke-MgGraphRequest", "params": {"Method": "PUT", "Uri": format!("{base}/v1.0/upload/slow"), "InputFilePath": file.to_str().unwrap()}})
                .to_string(),
        )
        .unwrap();
    // Wait until the upload is under way.
    let deadline = Instant::now() + Duration::from_secs(30);
    while seen.bytes.load(Ordering::SeqCst) < MIB {
        assert!(Instant::now() < deadline, "the upload never started");
        std::thread::sleep(Duration::from_millis(20));
    }
    let stopped_at = now_ms();
    let stop = Instant::now();
    call.cancel();
    assert!(matches!(call.next(Duration::from_secs(5)), Next::Cancelled));
    drop(call);
    // The server sees the body end when the engine lets go of the connection.
    while seen.body_ended.load(Ordering::SeqCst) < stopped_at {
        assert!(
            stop.elapsed() < Duration::from_secs(5),
            "the upload went on after the cancel"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    let latency = stop.elapsed();
    let sent = seen.bytes.load(Ordering::SeqCst);
    println!(
        "cancelled upload: the connection closed {} ms after the cancel, {sent} of {GIB} bytes sent",
        latency.as_millis()
    );
    assert!(sent < GIB);

    // A later call in the same process works.
    let events = run(
        &session,
        json!({"command": "Invoke-MgGraphRequest", "params": {"Method": "POST", "Uri": format!("{base}/v1.0/after"), "Body": "{}"}}),
    );
    assert!(errors(&events).is_empty(), "{events:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}
