//! Writes the built-in packs to `OUT_DIR/packs/`, where `catalog.rs` includes them from, and
//! the vocabulary of `data/vocabulary.json` as a Rust table to `OUT_DIR/vocabulary.rs`, which
//! `catalog/labels.rs` includes: the labels stay data, read by no parser at run time (nor
//! shipped twice in the WebAssembly download).
//!
//! A build with PDF forms gets the pack files as they are. A build without them (the WebAssembly
//! package) reads the forms of a pack for their ids and titles but never their layout, and it
//! ships every built-in pack in its download: it gets each file minified, with the `blocks` of
//! every form dropped, so the four built-in packs weigh what two did as pretty-printed files
//! (about 20 KB gzipped instead of 40 KB). A file that is not valid JSON is copied as it is, so
//! that loading the pack reports it.

use std::error::Error;
use std::path::Path;

/// `data/vocabulary.json` as `static VOCABULARY: &[(name, &[Entry])]`, an `Entry` being
/// `(code, Spanish, English)`.
fn vocabulary(out: &Path) -> Result<(), Box<dyn Error>> {
    println!("cargo::rerun-if-changed=data/vocabulary.json");
    let text = std::fs::read_to_string("data/vocabulary.json")?;
    let file: serde_json::Value = serde_json::from_str(&text)?;
    let lists = file
        .get("vocabularies")
        .and_then(serde_json::Value::as_object)
        .ok_or("data/vocabulary.json: no `vocabularies` object")?;
    let mut code = String::from(
        "/// `data/vocabulary.json`: (vocabulary, [(code, Spanish, English)]), written by build.rs.\n\
         static VOCABULARY: &[(&str, &[Entry])] = &[\n",
    );
    for (name, values) in lists {
        code.push_str(&format!("    ({name:?}, &[\n"));
        for value in values.as_array().ok_or("a vocabulary is not a list")? {
            let text = |pointer: &str| {
                value
                    .pointer(pointer)
                    .and_then(serde_json::Value::as_str)
                    .ok_or(format!(
                        "data/vocabulary.json: {name} lacks {pointer} somewhere"
                    ))
            };
            let (c, es, en) = (text("/code")?, text("/label/es")?, text("/label/en")?);
            code.push_str(&format!("        ({c:?}, {es:?}, {en:?}),\n"));
        }
        code.push_str("    ]),\n");
    }
    code.push_str("];\n");
    std::fs::write(out.join("vocabulary.rs"), code)?;
    Ok(())
}

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo::rerun-if-changed=packs");
    vocabulary(Path::new(&std::env::var("OUT_DIR")?))?;
    let slim = std::env::var_os("CARGO_FEATURE_PDF").is_none();
    let out = Path::new(&std::env::var("OUT_DIR")?).join("packs");
    for pack in std::fs::read_dir("packs")? {
        let pack = pack?.path();
        if !pack.is_dir() {
            continue;
        }
        let dir = out.join(pack.file_name().ok_or("a pack folder without a name")?);
        std::fs::create_dir_all(&dir)?;
        for file in std::fs::read_dir(&pack)? {
            let file = file?.path();
            if file.extension().is_none_or(|e| e != "json") {
                continue;
            }
            let text = std::fs::read_to_string(&file)?;
            let written = match serde_json::from_str::<serde_json::Value>(&text) {
                Ok(mut value) if slim => {
                    if file.ends_with("forms.json") {
                        for form in value.as_array_mut().into_iter().flatten() {
                            if let Some(form) = form.as_object_mut() {
                                form.remove("blocks");
                            }
                        }
                    }
                    serde_json::to_string(&value)?
                }
                _ => text,
            };
            let name = file.file_name().ok_or("a file without a name")?;
            std::fs::write(dir.join(name), written)?;
        }
    }
    Ok(())
}
