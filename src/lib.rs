//! MgGraph engine: the Rust core behind the MgGraph PowerShell module.
//!
//! Layout (data flows one way: cmdlet → catalog → engine → HTTP → engine → JSON → cmdlet):
//! - [`ffi`]: the only `extern "C"` code; handles, status codes, the panic barrier.
//! - [`catalog`]: the declarative table of Graph operations the cmdlets are generated from.
//! - [`engine`]: URL building, query options, bodies, retries, paging, batching, traces.
//! - [`auth`]: environments (clouds) and token acquisition for every sign-in mode.
//! - [`session`]: one signed-in context plus settings; dispatches calls.
//! - [`call`]: a started operation: an event stream that can be waited on and cancelled.
//! - [`sandbox`]: a stateful Microsoft Graph and identity-platform emulator (cargo feature
//!   `sandbox`, on by default).
//! - [`emulator`]: the one seam through which the session and the C ABI reach the sandbox.

pub mod auth;
pub mod call;
pub mod catalog;
pub mod emulator;
pub mod engine;
pub mod ffi;
#[cfg(feature = "codegen")]
pub mod generator;
pub mod json;
pub mod runtime;
#[cfg(feature = "sandbox")]
pub mod sandbox;
pub mod session;

/// The crate version, also reported through the C ABI.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
