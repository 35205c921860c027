//! Links the relay with tcmalloc (gperftools' `libtcmalloc_minimal`, statically) when the
//! machine building it has the library, and with the system allocator otherwise.
//!
//! The relay judges every pushed change on copies of the documents, which allocates and frees
//! small objects from several threads at once. glibc's allocator gives each thread an arena of
//! its own and keeps what one thread freed for that arena: a large push grew the relay to
//! 440 MB, every new page zeroed by the kernel on first touch (a sixth of the relay's CPU on a
//! virtual machine). tcmalloc's thread caches hand freed memory to whichever thread asks next.
//! Linked statically, so that the binary runs where the library is not installed. Setting
//! `LINLI_SYSTEM_MALLOC` when building keeps the system allocator (to compare them).

use std::path::PathBuf;

fn main() {
    println!("cargo::rerun-if-env-changed=LINLI_SYSTEM_MALLOC");
    println!("cargo::rustc-check-cfg=cfg(linli_tcmalloc)");
    let linux = std::env::var("CARGO_CFG_TARGET_OS").is_ok_and(|os| os == "linux");
    let host = std::env::var("HOST").ok() == std::env::var("TARGET").ok();
    if !linux || !host || std::env::var_os("LINLI_SYSTEM_MALLOC").is_some() {
        return;
    }
    match static_tcmalloc() {
        Ok(archive) => {
            // Copied into this build's own directory, so that the search path it adds names
            // no other library (a system directory there would shadow the bundled OpenSSL).
            let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
            let copy = out.join("libtcmalloc_minimal.a");
            if let Err(e) = std::fs::copy(&archive, &copy) {
                println!(
                    "cargo::warning=tcmalloc not copied from {}: {e}; the relay uses the system allocator",
                    archive.display()
                );
                return;
            }
            println!("cargo::rerun-if-changed={}", archive.display());
            println!("cargo::rustc-link-search=native={}", out.display());
            println!("cargo::rustc-link-lib=static=tcmalloc_minimal");
            println!("cargo::rustc-link-lib=dylib=stdc++");
            println!("cargo::rustc-cfg=linli_tcmalloc");
        }
        Err(why) => println!(
            "cargo::warning=tcmalloc not found ({why}); the relay uses the system allocator \
             (Debian: apt install libgoogle-perftools-dev)"
        ),
    }
}

/// The path of `libtcmalloc_minimal.a`, as pkg-config knows it.
fn static_tcmalloc() -> Result<PathBuf, String> {
    let libdir = pkg_config::get_variable("libtcmalloc_minimal", "libdir")
        .map_err(|e| e.to_string().lines().next().unwrap_or_default().to_owned())?;
    let archive = PathBuf::from(libdir).join("libtcmalloc_minimal.a");
    if archive.is_file() {
        Ok(archive)
    } else {
        Err(format!("{} is missing", archive.display()))
    }
}
