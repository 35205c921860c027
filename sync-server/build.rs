//! Links the relay with tcmalloc (gperftools' `libtcmalloc_minimal`, statically) when the
//! machine building it has the library, and with the system allocator otherwise.
//!
//! The relay judges every pushed change on copies of the documents, which allocates and frees
//! small objects from several threads at once. glibc's allocator gives each thread an arena of
//! its own and keeps what one thread freed for that arena: a large push grew the relay to
//! 440 MB, every new page zeroed by the kernel on first touch (a sixth of the relay's CPU on a
//! virtual machine). tcmalloc's thread caches hand freed memory to whichever thread asks next.
//! Linked statically and whole (its `malloc` must replace the C library's whichever linker
//! runs), so that the binary needs only the C++ runtime where it runs. Setting
//! `LINLI_SYSTEM_MALLOC=1` when building keeps the system allocator (to compare them).

use std::path::PathBuf;

fn main() {
    println!("cargo::rerun-if-env-changed=LINLI_SYSTEM_MALLOC");
    println!("cargo::rustc-check-cfg=cfg(linli_tcmalloc)");
    let env = |name: &str| std::env::var(name).unwrap_or_default();
    let linux = env("CARGO_CFG_TARGET_OS") == "linux";
    let host = env("HOST") == env("TARGET");
    // A fully static binary has no C++ runtime to link tcmalloc with.
    let crt_static = env("CARGO_CFG_TARGET_FEATURE")
        .split(',')
        .any(|f| f == "crt-static");
    let system = !matches!(env("LINLI_SYSTEM_MALLOC").as_str(), "" | "0");
    if !linux || !host || crt_static || system {
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
            println!("cargo::rustc-link-lib=static:+whole-archive=tcmalloc_minimal");
            println!("cargo::rustc-link-lib=dylib=stdc++");
            println!("cargo::rustc-cfg=linli_tcmalloc");
        }
        Err(why) => {
            println!(
                "cargo::warning=tcmalloc not found ({why}); the relay uses the system allocator \
                 (Debian: apt install libgoogle-perftools-dev)"
            );
            // Looked for again once a package adds its pkg-config file.
            for dir in pkg_config::get_variable("pkg-config", "pc_path")
                .unwrap_or_default()
                .split(':')
                .filter(|d| std::path::Path::new(d).is_dir())
            {
                println!("cargo::rerun-if-changed={dir}");
            }
        }
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
