//! The bindings generator, built from the same uniffi as the library so that they always match:
//! `cargo run -p linli-ffi --bin uniffi-bindgen -- generate --library <lib> --language kotlin …`.
//!
//! One addition for Python: uniffi 0.32 exports an error's `Display` to Kotlin (`toString()`)
//! and Swift (`description`) but leaves it out of the Python exception, whose `str()` stays
//! `field='…', detail='…'` (and empty for a variant without fields). After generating Python,
//! each error class whose `Display` is exported gets a `__str__` calling it, through the same
//! FFI function and converters the generated module already declares. Should a later uniffi
//! write one itself, nothing is added.
#![allow(clippy::print_stderr)]

use std::path::{Path, PathBuf};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // Exits with the error on failure.
    uniffi::uniffi_bindgen_main();
    if let Some(out_dir) = python_out_dir(&args)
        && let Err(e) = python_error_display(&out_dir)
    {
        eprintln!("{}: {e}", out_dir.display());
        std::process::exit(1);
    }
}

/// The output folder of a `generate` that includes Python.
fn python_out_dir(args: &[String]) -> Option<PathBuf> {
    if args.first().map(String::as_str) != Some("generate") {
        return None;
    }
    let mut python = false;
    let mut out_dir = None;
    let mut i = 1;
    while i < args.len() {
        let (flag, inline) = match args[i].split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_owned())),
            _ => (args[i].as_str(), None),
        };
        let value = |i: &mut usize| {
            inline.clone().or_else(|| {
                *i += 1;
                args.get(*i).cloned()
            })
        };
        match flag {
            "--language" | "-l" => python |= value(&mut i).as_deref() == Some("python"),
            "--out-dir" | "-o" => out_dir = value(&mut i).map(PathBuf::from),
            _ => {}
        }
        i += 1;
    }
    out_dir.filter(|_| python)
}

/// Gives every Python error class with an exported `Display` a `__str__` that calls it.
fn python_error_display(out_dir: &Path) -> Result<(), String> {
    let entries = std::fs::read_dir(out_dir).map_err(|e| e.to_string())?;
    for entry in entries {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.extension().is_some_and(|e| e == "py") {
            let text = std::fs::read_to_string(&path).map_err(|e| e.to_string())?;
            let patched = add_error_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
            if patched != text {
                std::fs::write(&path, patched).map_err(|e| e.to_string())?;
            }
        }
    }
    Ok(())
}

/// The module's text with a `__str__` after each error class whose `Display` is exported.
fn add_error_str(text: &str) -> Result<String, String> {
    let mut out = String::with_capacity(text.len() + 1024);
    for line in text.split_inclusive('\n') {
        out.push_str(line);
        // The generated error template ends each error class with `del _UniffiTemp<Name>`.
        let Some(name) = line.trim_end().strip_prefix("del _UniffiTemp") else {
            continue;
        };
        let marker = format!("{name}.__str__ = ");
        if text.contains(&marker) {
            continue; // added before
        }
        let lower = name.to_lowercase();
        let suffix = format!("_fn_method_{lower}_uniffi_trait_display");
        let Some(function) = text
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .find(|word| word.starts_with("uniffi_") && word.ends_with(&suffix))
        else {
            continue; // no Display exported
        };
        let class_start = text
            .find(&format!("\nclass {name}(Exception):"))
            .ok_or_else(|| format!("no class {name}(Exception)"))?;
        let class_end = text
            .find(line)
            .ok_or_else(|| format!("no end of class {name}"))?;
        if text[class_start..class_end].contains("def __str__") {
            continue; // the generator wrote one itself
        }
        let converter = format!("_UniffiFfiConverterType{name}");
        let string = "_UniffiFfiConverterString";
        for needed in [
            format!("class {converter}("),
            format!("class {string}"),
            "def _uniffi_rust_call(".to_owned(),
        ] {
            if !text.contains(&needed) {
                return Err(format!("the generated module has no `{needed}`"));
            }
        }
        out.push_str(&format!(
            "\n# The Rust `Display::fmt` implementation: the error's sentence (added by linli-ffi's\n\
             # uniffi-bindgen; uniffi 0.32 leaves it out of Python errors).\n\
             def _linli_{lower}_str(self) -> str:\n\
             \x20   return {string}.lift(\n\
             \x20       _uniffi_rust_call(_UniffiLib.{function}, {converter}.lower(self))\n\
             \x20   )\n\n\
             {marker}_linli_{lower}_str\n"
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split(' ').map(str::to_owned).collect()
    }

    #[test]
    fn finds_the_python_output_folder() {
        let dir = python_out_dir(&args(
            "generate --library x.so --language python --out-dir d",
        ));
        assert_eq!(dir, Some(PathBuf::from("d")));
        let dir = python_out_dir(&args("generate -l kotlin -l python -o d x.so"));
        assert_eq!(dir, Some(PathBuf::from("d")));
        let dir = python_out_dir(&args("generate --language=python --out-dir=d x.so"));
        assert_eq!(dir, Some(PathBuf::from("d")));
        assert_eq!(python_out_dir(&args("generate -l kotlin -o d x.so")), None);
        assert_eq!(python_out_dir(&args("scaffolding -o d x.udl")), None);
    }

    const MODULE: &str = "\
_UniffiLib.uniffi_x_fn_method_fooerror_uniffi_trait_display.argtypes = ()
class FooError(Exception):
    pass

_UniffiTempFooError = FooError
class FooError:  # type: ignore
    pass
FooError = _UniffiTempFooError # type: ignore
del _UniffiTempFooError

class _UniffiFfiConverterTypeFooError(_UniffiConverterRustBuffer):
    pass
class _UniffiFfiConverterString:
    pass
def _uniffi_rust_call(fn, *args):
    pass
class BarError(Exception):
    pass
BarError = _UniffiTempBarError # type: ignore
del _UniffiTempBarError
";

    #[test]
    fn adds_str_to_errors_with_display_once() {
        let once = add_error_str(MODULE).unwrap();
        assert!(once.contains(
            "_uniffi_rust_call(_UniffiLib.uniffi_x_fn_method_fooerror_uniffi_trait_display, \
             _UniffiFfiConverterTypeFooError.lower(self))"
        ));
        assert!(once.contains("\nFooError.__str__ = _linli_fooerror_str\n"));
        assert!(
            !once.contains("BarError.__str__"),
            "BarError exports no Display"
        );
        assert_eq!(add_error_str(&once).unwrap(), once);
    }
}
