#!/usr/bin/env bash
# Builds the FFI library, the relay and uniffi-bindgen for the binding stages with the whole
# workspace selected, as `cargo test --workspace` does: the dependencies resolve to the same
# features, so what the Rust stage built is reused instead of built again (a per-package build
# would rebuild OpenSSL, SQLCipher and a hundred crates with other features).
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --locked --workspace --lib --bins
