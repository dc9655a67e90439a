//! Generated files are current: the C header (build.rs) and the module files (catalog).

use std::path::Path;
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The committed version of a file (HEAD), or the work tree's when not in a git checkout.
fn committed(path: &str) -> String {
    let out = Command::new("git")
        .args(["show", &format!("HEAD:{path}")])
        .current_dir(root())
        .output();
    match out {
        Ok(o) if o.status.success() => String::from_utf8(o.stdout).unwrap(),
        _ => {
            eprintln!("note: {path} compared with the work tree (no git history here)");
            std::fs::read_to_string(root().join(path)).unwrap()
        }
    }
}

#[test]
fn the_committed_header_matches_what_the_build_generates() {
    let generated = include_str!(concat!(env!("OUT_DIR"), "/mggraph.h"));
    assert!(
        committed("include/mggraph.h") == generated,
        "include/mggraph.h differs from the header build.rs generates: build, then commit include/mggraph.h"
    );
}

#[test]
fn generated_module_files_are_current() {
    for (path, content) in mggraph::catalog::powershell::render_all(root()).unwrap() {
        let on_disk = std::fs::read_to_string(root().join(&path)).unwrap_or_default();
        assert!(
            on_disk == content,
            "{path} is out of date: run `cargo run --bin mggraph-codegen` and commit it"
        );
        assert!(
            committed(&path) == content,
            "{path} is not committed in its current form"
        );
    }
}

/// The exported functions named in the header.
fn header_functions(header: &str) -> Vec<String> {
    header
        .lines()
        .filter_map(|l| l.trim().strip_prefix("mggraph_status "))
        .filter_map(|l| l.split('(').next())
        .map(|s| s.trim().to_string())
        .collect()
}

/// `[DllImport]` declarations of the compiled core: (name, parameter count).
fn dll_imports(source: &str) -> Vec<(String, usize)> {
    source
        .lines()
        .filter_map(|l| {
            l.trim()
                .strip_prefix("[DllImport(Library)] internal static extern uint ")
        })
        .filter_map(|l| {
            let (name, rest) = l.split_once('(')?;
            let args = rest.split(')').next()?;
            Some((
                name.trim().to_string(),
                args.split(',').filter(|a| !a.trim().is_empty()).count(),
            ))
        })
        .collect()
}

#[test]
fn the_module_binds_exactly_the_exported_functions() {
    let header = include_str!(concat!(env!("OUT_DIR"), "/mggraph.h"));
    let mut exported = header_functions(header);
    // The server program's entry (`mggraph-sandbox` loads it); the module never calls it.
    const PROGRAM_ONLY: &[&str] = &["mggraph_sandbox_serve"];
    for name in PROGRAM_ONLY {
        assert!(exported.iter().any(|e| e == name), "{name} is exported");
    }
    exported.retain(|e| !PROGRAM_ONLY.contains(&e.as_str()));
    exported.sort();
    assert!(exported.len() >= 10, "{exported:?}");
    let native =
        std::fs::read_to_string(root().join("module/dotnet/MgGraph.Core/Native.cs")).unwrap();
    let mut bound = dll_imports(&native);
    bound.sort();
    let names: Vec<String> = bound.iter().map(|(n, _)| n.clone()).collect();
    assert_eq!(
        exported, names,
        "Native.cs's [DllImport]s must match include/mggraph.h one to one"
    );
    // Same arity too.
    for (name, cs_args) in &bound {
        let decl = header
            .split(&format!("{name}("))
            .nth(1)
            .unwrap()
            .split(')')
            .next()
            .unwrap();
        let c_args = decl.split(',').filter(|a| !a.trim().is_empty()).count();
        assert_eq!(
            c_args, *cs_args,
            "{name}: header has {c_args} parameters, Native.cs {cs_args}"
        );
    }
}

#[test]
fn versions_agree() {
    let manifest = std::fs::read_to_string(root().join("module/MgGraph/MgGraph.psd1")).unwrap();
    assert!(manifest.contains(&format!("ModuleVersion = '{}'", env!("CARGO_PKG_VERSION"))));
}

/// The SDK-named modules are compiled cmdlets (`mggraph-codegen --dotnet`, built by
/// `.ci/build`): no script module is left beside a manifest, and the C# declares exactly the
/// cmdlets the manifest exports, with no parameter clash left to resolve.
#[cfg(feature = "codegen")]
#[test]
fn sdk_modules_are_compiled_cmdlets() {
    let modules = mggraph::catalog::modules::sdk_modules();
    for name in modules.keys() {
        let script = format!("module/{name}/{name}.psm1");
        assert!(
            !root().join(&script).exists(),
            "{script} is left from the script modules: delete it"
        );
        let manifest =
            std::fs::read_to_string(root().join(format!("module/{name}/{name}.psd1"))).unwrap();
        assert!(
            manifest.contains(&format!("RootModule = '{name}.dll'")),
            "{name}"
        );
    }
    for name in ["Microsoft.Graph.Users", "Microsoft.Graph.Beta.Applications"] {
        let mut clashes = vec![];
        let source = mggraph::catalog::csharp::cmdlets::render_module(&modules[name], &mut clashes);
        for c in &modules[name] {
            let (verb, noun) = c.name.split_once('-').unwrap();
            assert!(
                source.contains(&format!("[Cmdlet(\"{verb}\", \"{noun}\", ")),
                "{name}: no class for {}",
                c.name
            );
        }
        assert_eq!(
            source.matches("[Cmdlet(").count(),
            modules[name].len(),
            "{name}"
        );
        assert!(clashes.is_empty(), "{name}: {clashes:?}");
    }
}
