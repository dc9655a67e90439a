//! Writes the generated files: the catalog (`src/catalog/generated/`, from Graph's CSDL at
//! `../shared/reference/graph-metadata/v1.0.csdl.xml`), the permission table
//! (`src/catalog/generated/permissions.tsv`, from Microsoft's permission map at
//! `../shared/reference/graph-permissions/permissions.json`) and the module files.
//!
//! `mggraph-codegen` rewrites them; `mggraph-codegen --check` only reports drift (exit 1);
//! `--only <path prefix>` limits either to the files below a prefix.
//!
//! `mggraph-codegen --dotnet <dir> [--core <MgGraph.Core.csproj>]` writes the compiled
//! layer's sources instead (C# cmdlets and models, projects, MAML help; see
//! `catalog::csharp`), rewriting only the files whose contents changed, so an unchanged
//! module is not recompiled.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let check = args.iter().any(|a| a == "--check");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .map(PathBuf::from)
    };
    if args.iter().any(|a| a == "--dotnet") {
        let Some(out) = value("--dotnet") else {
            eprintln!("mggraph-codegen: --dotnet needs an output directory");
            return ExitCode::FAILURE;
        };
        let core = value("--core")
            .unwrap_or_else(|| root.join("module/dotnet/MgGraph.Core/MgGraph.Core.csproj"));
        return dotnet(&out, &core);
    }
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
    match mggraph::generator::permissions::generate(root) {
        Ok(table) => files.push((
            mggraph::generator::permissions::PERMISSIONS_FILE.to_string(),
            table,
        )),
        Err(e) => {
            eprintln!("mggraph-codegen: {e}");
            return ExitCode::FAILURE;
        }
    }
    match mggraph::generator::permissions::generate_descriptions(root) {
        Ok(table) => files.push((
            mggraph::generator::permissions::DESCRIPTIONS_FILE.to_string(),
            table,
        )),
        Err(e) => {
            eprintln!("mggraph-codegen: {e}");
            return ExitCode::FAILURE;
        }
    }
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
    // Script modules left beside the SDK-named manifests (their cmdlets are compiled now).
    for name in &generated {
        let script = format!("module/{name}/{name}.psm1");
        if name.starts_with("Microsoft.Graph")
            && root.join(&script).exists()
            && !files.iter().any(|(p, _)| *p == script)
        {
            if check {
                drift.push(format!("{script} (no longer generated)"));
            } else if std::fs::remove_file(root.join(&script)).is_ok() {
                println!("removed {script}");
            }
        }
    }
    let mut catalog_changed = false;
    // `--only <prefix>`: write (or check) only the files below a path prefix.
    let only = value("--only").map(|p| p.to_string_lossy().to_string());
    for (path, content) in files {
        if only.as_deref().is_some_and(|o| !path.starts_with(o)) {
            continue;
        }
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
            catalog_changed |= path.starts_with("src/catalog/generated/")
                && path != mggraph::generator::permissions::PERMISSIONS_FILE
                && path != mggraph::generator::permissions::DESCRIPTIONS_FILE;
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

/// `--dotnet <dir>`: the compiled layer's sources.
fn dotnet(out: &Path, core: &Path) -> ExitCode {
    let core = std::path::absolute(core).unwrap_or_else(|_| core.to_path_buf());
    let mut clashes = vec![];
    let files = mggraph::catalog::csharp::render(
        &core.to_string_lossy(),
        Some(&mggraph::catalog::csharp::models::render_models),
        &mut clashes,
    );
    let (mut written, mut kept) = (0, 0);
    for (path, content) in &files {
        let full = out.join(path);
        if std::fs::read(&full).ok().as_deref() == Some(content.as_bytes()) {
            kept += 1;
            continue;
        }
        if let Err(e) = full
            .parent()
            .map(std::fs::create_dir_all)
            .unwrap_or(Ok(()))
            .and_then(|_| std::fs::write(&full, content))
        {
            eprintln!("mggraph-codegen: cannot write {}: {e}", full.display());
            return ExitCode::FAILURE;
        }
        written += 1;
    }
    // Help files of modules that no longer have one.
    if let Ok(entries) = std::fs::read_dir(out.join(mggraph::catalog::csharp::HELP_DIR)) {
        for entry in entries.flatten() {
            let rel = format!(
                "{}/{}",
                mggraph::catalog::csharp::HELP_DIR,
                entry.file_name().to_string_lossy()
            );
            if !files.iter().any(|(p, _)| *p == rel) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
    for (command, what) in &clashes {
        eprintln!("mggraph-codegen: {command}: {what} (clashes with another name)");
    }
    eprintln!(
        "mggraph-codegen: {} files in {} ({written} written, {kept} unchanged), {} clashes resolved",
        files.len(),
        out.display(),
        clashes.len()
    );
    ExitCode::SUCCESS
}
