//! Writes the module files generated from the operation catalog.
//!
//! `mggraph-codegen` rewrites them; `mggraph-codegen --check` only reports drift (exit 1).

use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let check = std::env::args().any(|a| a == "--check");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut drift = vec![];
    for (path, content) in mggraph::catalog::powershell::render_all() {
        let full = root.join(&path);
        let current = std::fs::read_to_string(&full).unwrap_or_default();
        if current == content {
            continue;
        }
        if check {
            drift.push(path);
        } else if let Err(e) = std::fs::write(&full, content) {
            eprintln!("mggraph-codegen: cannot write {}: {e}", full.display());
            return ExitCode::FAILURE;
        } else {
            println!("wrote {path}");
        }
    }
    if !drift.is_empty() {
        eprintln!("generated files are out of date: {}", drift.join(", "));
        eprintln!("run `cargo run --bin mggraph-codegen` and commit the result");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
