//! Writes the generated files: the catalog (`src/catalog/generated/`, from Graph's CSDL at
//! `../shared/reference/graph-metadata/v1.0.csdl.xml`) and the module files.
//!
//! `mggraph-codegen` rewrites them; `mggraph-codegen --check` only reports drift (exit 1).

use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let check = std::env::args().any(|a| a == "--check");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut drift = vec![];
    let catalog = match mggraph::generator::emit::generate(root) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("mggraph-codegen: {e}");
            return ExitCode::FAILURE;
        }
    };
    eprintln!(
        "mggraph-codegen: {} operations from the CSDL, {} cmdlets",
        catalog.operations, catalog.cmdlets
    );
    let mut files: Vec<(String, String)> = catalog
        .files
        .into_iter()
        .map(|(p, c)| (p.to_string(), c))
        .collect();
    match mggraph::catalog::powershell::render_all(root) {
        Ok(f) => files.extend(f),
        Err(e) => {
            eprintln!("mggraph-codegen: cannot read the module sources: {e}");
            return ExitCode::FAILURE;
        }
    };
    // Module folders of SDK modules the catalog no longer has are stale too.
    let generated: std::collections::HashSet<String> = files
        .iter()
        .filter_map(|(p, _)| {
            p.strip_prefix("module/")?
                .split('/')
                .next()
                .map(str::to_string)
        })
        .collect();
    if let Ok(entries) = std::fs::read_dir(root.join("module")) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().to_string();
            if name.starts_with("Microsoft.Graph") && !generated.contains(&name) {
                if check {
                    drift.push(format!("module/{name} (no longer generated)"));
                } else if std::fs::remove_dir_all(entry.path()).is_ok() {
                    println!("removed module/{name}");
                }
            }
        }
    }
    let mut catalog_changed = false;
    for (path, content) in files {
        let full = root.join(&path);
        let current = std::fs::read_to_string(&full).ok();
        if current.as_deref() == Some(content.as_str()) {
            continue;
        }
        if check {
            drift.push(path);
        } else if let Err(e) = full
            .parent()
            .map(std::fs::create_dir_all)
            .unwrap_or(Ok(()))
            .and_then(|_| std::fs::write(&full, content))
        {
            eprintln!("mggraph-codegen: cannot write {}: {e}", full.display());
            return ExitCode::FAILURE;
        } else {
            println!("wrote {path}");
            catalog_changed |= path.starts_with("src/catalog/generated/");
        }
    }
    if catalog_changed {
        // The module files were rendered from the catalog this binary embeds: the old one.
        eprintln!("mggraph-codegen: the catalog changed; run it again (it rebuilds with the new catalog) to regenerate module/ from it");
    }
    if !drift.is_empty() {
        eprintln!("generated files are out of date: {}", drift.join(", "));
        eprintln!("run `cargo run --release --features codegen --bin mggraph-codegen` (twice when the catalog changed) and commit the result");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
