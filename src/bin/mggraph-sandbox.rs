//! The sandbox as a server: `mggraph-sandbox --listen 127.0.0.1:0` (`--help` lists the
//! options; the server itself is `mggraph::sandbox::server`).
//!
//! On Unix this program is a launcher: it loads the engine library beside it
//! (`libmggraph.so` / `libmggraph.dylib`, as the package lays them out in
//! `runtimes/<rid>/native/`, and as cargo does in `target/<profile>/`) and runs
//! `mggraph_sandbox_serve` from it, so the package carries the emulator once instead of twice
//! (6 MB of its 50). Elsewhere it links the server in.

use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = vec![];
    for arg in std::env::args_os().skip(1) {
        match arg.into_string() {
            Ok(a) => args.push(a),
            Err(bad) => {
                eprintln!("mggraph-sandbox: the argument {bad:?} is not valid Unicode");
                return ExitCode::from(2);
            }
        }
    }
    ExitCode::from(serve(args))
}

#[cfg(not(unix))]
fn serve(args: Vec<String>) -> u8 {
    mggraph::sandbox::server::run(args)
}

#[cfg(unix)]
fn serve(args: Vec<String>) -> u8 {
    match library::serve(&args) {
        Ok(code) => u8::try_from(code).unwrap_or(1),
        Err(message) => {
            eprintln!("mggraph-sandbox: {message}");
            1
        }
    }
}

#[cfg(unix)]
#[allow(unsafe_code)]
mod library {
    use std::ffi::{c_char, c_int, CStr, CString};
    use std::path::PathBuf;

    type Serve = unsafe extern "C" fn(*const c_char, *mut i32) -> u32;
    type LastError = unsafe extern "C" fn(*mut *mut c_char) -> u32;

    const LIBRARY: &str = if cfg!(target_os = "macos") {
        "libmggraph.dylib"
    } else {
        "libmggraph.so"
    };

    /// The engine library beside this program (symbolic links resolved).
    fn beside() -> Result<PathBuf, String> {
        let exe = std::env::current_exe()
            .and_then(|p| p.canonicalize())
            .map_err(|e| format!("cannot find this program's path: {e}"))?;
        let dir = exe.parent().ok_or("this program's path has no folder")?;
        Ok(dir.join(LIBRARY))
    }

    /// The last error dlopen/dlsym left, as text.
    fn dl_error() -> String {
        // SAFETY: dlerror returns NULL or a NUL-terminated string valid until the next dl call.
        let e = unsafe { libc::dlerror() };
        if e.is_null() {
            "unknown error".into()
        } else {
            // SAFETY: non-null, NUL-terminated (above).
            unsafe { CStr::from_ptr(e) }.to_string_lossy().into_owned()
        }
    }

    /// Loads the library and runs its server; the server's exit code.
    pub fn serve(args: &[String]) -> Result<i32, String> {
        let path = beside()?;
        let c_path = CString::new(std::os::unix::ffi::OsStrExt::as_bytes(path.as_os_str()))
            .map_err(|_| format!("{} contains a NUL", path.display()))?;
        // SAFETY: a NUL-terminated path; the handle is kept for the life of the process.
        let handle = unsafe { libc::dlopen(c_path.as_ptr(), libc::RTLD_NOW | libc::RTLD_LOCAL) };
        if handle.is_null() {
            return Err(format!(
                "cannot load the engine {}: {}",
                path.display(),
                dl_error()
            ));
        }
        let symbol = |name: &CStr| {
            // SAFETY: a valid handle and a NUL-terminated name.
            let f = unsafe { libc::dlsym(handle, name.as_ptr()) };
            if f.is_null() {
                Err(format!(
                    "{} has no {} (an engine built without the sandbox feature?): {}",
                    path.display(),
                    name.to_string_lossy(),
                    dl_error()
                ))
            } else {
                Ok(f)
            }
        };
        let serve = symbol(c"mggraph_sandbox_serve")?;
        let last_error = symbol(c"mggraph_last_error")?;
        // SAFETY: the exports have these signatures (include/mggraph.h).
        let (serve, last_error) = unsafe {
            (
                std::mem::transmute::<*mut libc::c_void, Serve>(serve),
                std::mem::transmute::<*mut libc::c_void, LastError>(last_error),
            )
        };
        let json = serde_json::to_string(args).map_err(|e| e.to_string())?;
        let c_json = CString::new(json).map_err(|_| "an argument contains a NUL".to_string())?;
        let mut code: c_int = 1;
        // SAFETY: a NUL-terminated JSON array and a writable exit code.
        let status = unsafe { serve(c_json.as_ptr(), &mut code) };
        if status != 0 {
            let mut message: *mut c_char = std::ptr::null_mut();
            // SAFETY: a writable out-pointer; the message is the library's to free, and the
            // process ends right after.
            unsafe { last_error(&mut message) };
            let text = if message.is_null() {
                format!("status {status}")
            } else {
                // SAFETY: non-null, NUL-terminated (the library's contract).
                unsafe { CStr::from_ptr(message) }
                    .to_string_lossy()
                    .into_owned()
            };
            return Err(text);
        }
        Ok(code)
    }
}
