//! The process-wide tokio runtime.
//!
//! One runtime serves every session, call and the in-process sandbox. It is created on first
//! use and lives until the process exits: a PowerShell host unloads nothing, and shutting a
//! runtime down from a foreign thread while calls are in flight would only add failure modes.

use std::sync::OnceLock;
use tokio::runtime::{Builder, Handle, Runtime};

static RUNTIME: OnceLock<Result<Runtime, String>> = OnceLock::new();

/// Worker threads: enough to overlap HTTP with the sandbox, few enough to stay polite in a
/// shared Automation sandbox.
fn worker_threads() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get().clamp(2, 8))
        .unwrap_or(2)
}

/// The shared runtime's handle, or why it could not be created.
pub fn handle() -> Result<Handle, String> {
    RUNTIME
        .get_or_init(|| {
            Builder::new_multi_thread()
                .worker_threads(worker_threads())
                .thread_name("mggraph-worker")
                .enable_all()
                .build()
                .map_err(|e| format!("could not start the MgGraph runtime: {e}"))
        })
        .as_ref()
        .map(|rt| rt.handle().clone())
        .map_err(Clone::clone)
}
