//! The panic barrier and the per-thread error message of the C boundary.

use std::cell::RefCell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Once;

use super::{mggraph_status, MGGRAPH_PANIC};

thread_local! {
    static LAST_ERROR: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Records why the current call on this thread failed.
pub fn set_last_error(message: impl Into<String>) {
    LAST_ERROR.with(|e| *e.borrow_mut() = Some(message.into()));
}

/// Takes the message of the last failure on this thread.
pub fn take_last_error() -> Option<String> {
    LAST_ERROR.with(|e| e.borrow_mut().take())
}

fn clear_last_error() {
    LAST_ERROR.with(|e| *e.borrow_mut() = None);
}

static QUIET_PANICS: Once = Once::new();

/// Replaces the default panic hook, which prints to the host's stderr, with one that only
/// records the message: a PowerShell user sees an ErrorRecord instead.
fn install_quiet_panic_hook() {
    QUIET_PANICS.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            let location = info
                .location()
                .map(|l| format!(" at {}:{}", l.file(), l.line()))
                .unwrap_or_default();
            let payload = if let Some(s) = info.payload().downcast_ref::<&str>() {
                (*s).to_string()
            } else if let Some(s) = info.payload().downcast_ref::<String>() {
                s.clone()
            } else {
                "panic".to_string()
            };
            set_last_error(format!("internal error: {payload}{location}"));
        }));
    });
}

/// Runs an export's body: clears the last error, and turns a panic into `MGGRAPH_PANIC`.
pub fn guard(body: impl FnOnce() -> mggraph_status) -> mggraph_status {
    install_quiet_panic_hook();
    clear_last_error();
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(status) => status,
        Err(panic) => {
            if LAST_ERROR.with(|e| e.borrow().is_none()) {
                set_last_error(format!(
                    "internal error: {}",
                    crate::call::panic_message(&panic)
                ));
            }
            MGGRAPH_PANIC
        }
    }
}

/// Early-returns an error status with a message naming the argument.
macro_rules! fail {
    ($status:expr, $($msg:tt)*) => {{
        $crate::ffi::boundary::set_last_error(format!($($msg)*));
        return $status;
    }};
}
pub(crate) use fail;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ffi::{MGGRAPH_OK, MGGRAPH_PANIC};

    #[test]
    fn a_panic_becomes_a_status_and_a_message() {
        let status = guard(|| panic!("boom at the boundary"));
        assert_eq!(status, MGGRAPH_PANIC);
        let msg = take_last_error().unwrap();
        assert!(msg.contains("boom at the boundary"), "{msg}");
        assert_eq!(guard(|| MGGRAPH_OK), MGGRAPH_OK);
        assert_eq!(
            take_last_error(),
            None,
            "a successful call clears the message"
        );
    }
}
