//! Writes the built-in packs to `OUT_DIR/packs/`, where `catalog.rs` includes them from.
//!
//! A build with PDF forms gets the pack files as they are. A build without them (the WebAssembly
//! package) reads the forms of a pack for their ids and titles but never their layout, and it
//! ships every built-in pack in its download: it gets each file minified, with the `blocks` of
//! every form dropped, so the four built-in packs weigh what two did as pretty-printed files
//! (about 20 KB gzipped instead of 40 KB). A file that is not valid JSON is copied as it is, so
//! that loading the pack reports it.

use std::error::Error;
use std::path::Path;

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo::rerun-if-changed=packs");
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
