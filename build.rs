//! Generates the C header from `src/ffi` with cbindgen, and compresses the generated catalog and permission table
//! the engine embeds (`src/catalog/generated/*.jsonl`, about 10 MB of text, a tenth of that
//! compressed: the installed module must stay small).
//!
//! The header is written to `OUT_DIR` and copied to `include/mggraph.h` when it changed, so a
//! developer's build keeps the committed header current; `tests/header.rs` fails when the
//! committed header differs from the generated one (CI builds from a clean clone).

use std::path::PathBuf;

fn main() {
    let crate_dir =
        PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    println!("cargo:rerun-if-changed=src/ffi");
    println!("cargo:rerun-if-changed=cbindgen.toml");

    let config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml"))
        .expect("cbindgen.toml is valid");
    let bindings = match cbindgen::Builder::new()
        .with_config(config)
        .with_src(crate_dir.join("src/ffi/mod.rs"))
        .generate()
    {
        Ok(b) => b,
        Err(e) => panic!("cbindgen could not generate the header: {e}"),
    };
    let generated = out_dir.join("mggraph.h");
    bindings.write_to_file(&generated);

    for name in ["commands.jsonl", "models.jsonl", "permissions.tsv"] {
        let source = crate_dir.join("src/catalog/generated").join(name);
        println!("cargo:rerun-if-changed={}", source.display());
        let text = std::fs::read(&source).expect("the generated catalog is readable");
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        std::io::Write::write_all(&mut gz, &text).expect("compressing in memory");
        std::fs::write(
            out_dir.join(format!("{name}.gz")),
            gz.finish().expect("compressing in memory"),
        )
        .expect("OUT_DIR is writable");
    }

    let committed = crate_dir.join("include/mggraph.h");
    let new = std::fs::read(&generated).expect("generated header is readable");
    if std::fs::read(&committed).ok().as_deref() != Some(new.as_slice()) {
        std::fs::create_dir_all(crate_dir.join("include")).expect("include/ can be created");
        std::fs::write(&committed, &new).expect("include/mggraph.h is writable");
    }
}
