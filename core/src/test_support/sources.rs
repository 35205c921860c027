//! The Rust sources below a folder, for the tests that read them to find what the apps need
//! words for: every input field, every action of a record's history, every code the relay
//! answers with.

use std::path::{Path, PathBuf};

/// Every `.rs` file below `root` (recursively) with its text, in no particular order.
pub fn rust_sources(root: &Path) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("a source folder") {
            let path = entry.expect("a folder entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("a source file");
                out.push((path, text));
            }
        }
    }
    out
}
