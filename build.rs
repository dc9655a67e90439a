//! Generates the C header from `src/ffi` with cbindgen, and compresses the generated catalog
//! and permission table the engine embeds (`src/catalog/generated/*.jsonl` and
//! `permissions.tsv`, about 11 MB of text, a tenth of that compressed: the installed module
//! must stay small).
//!
//! The catalog is compressed in blocks of [`BLOCK_LINES`] lines, sorted by lower-cased name,
//! with a table of each block's first name: a look-up inflates one block (about 40 KB of
//! text) instead of the whole file, which kept a process's first command waiting for tens of
//! milliseconds.
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

    for name in ["commands.jsonl", "models.jsonl"] {
        let source = crate_dir.join("src/catalog/generated").join(name);
        println!("cargo:rerun-if-changed={}", source.display());
        let text = std::fs::read_to_string(&source).expect("the generated catalog is readable");
        write_blocks(&text, &out_dir, name);
    }
    // The permission table is read whole, once, by the sandbox and the permission look-ups; the
    // descriptions only by the commands that show them.
    for name in ["permissions.tsv", "permission-descriptions.tsv"] {
        let source = crate_dir.join("src/catalog/generated").join(name);
        println!("cargo:rerun-if-changed={}", source.display());
        let text = std::fs::read(&source).expect("the permission tables are readable");
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

/// Lines per compressed block: small enough that a look-up inflates little, large enough that
/// compression stays within a few percent of the whole file's.
const BLOCK_LINES: usize = 48;

/// Writes `<name>.blocks` (the raw-deflate blocks, one after another) and `<name>.blocks.rs`
/// (the table: `&[(first lower-cased name, offset, length, inflated length)]`, in block
/// order; the inflated length sizes the reader's buffer at once).
fn write_blocks(text: &str, out_dir: &std::path::Path, name: &str) {
    let mut lines: Vec<(String, &str)> = text
        .lines()
        .filter_map(|line| {
            // Every line starts `{"name":"...`; the generator writes no other kind.
            let rest = line.strip_prefix("{\"name\":\"")?;
            let end = rest.find('"')?;
            Some((rest[..end].to_ascii_lowercase(), line))
        })
        .collect();
    lines.sort_by(|a, b| a.0.cmp(&b.0));
    let mut blob = Vec::new();
    let mut table = String::from("&[\n");
    for block in lines.chunks(BLOCK_LINES) {
        let mut joined = String::new();
        for (_, line) in block {
            joined.push_str(line);
            joined.push('\n');
        }
        let mut z = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
        std::io::Write::write_all(&mut z, joined.as_bytes()).expect("compressing in memory");
        let bytes = z.finish().expect("compressing in memory");
        table.push_str(&format!(
            "    ({:?}, {}, {}, {}),\n",
            block[0].0,
            blob.len(),
            bytes.len(),
            joined.len()
        ));
        blob.extend_from_slice(&bytes);
    }
    table.push_str("]\n");
    std::fs::write(out_dir.join(format!("{name}.blocks")), blob).expect("OUT_DIR is writable");
    std::fs::write(out_dir.join(format!("{name}.blocks.rs")), table).expect("OUT_DIR is writable");
}
