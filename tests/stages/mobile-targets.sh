#!/usr/bin/env bash
# Type-checks the bindings for Android (arm64), so that nothing in the core builds only on
# Linux. The C parts (SQLite, ring) are compiled with Debian's clang against glibc's arm64
# headers: good enough to check, not to link (that needs the NDK). iOS is checked on a Mac:
# ring's C code needs the Apple SDK's headers, which cannot be had here.
set -euo pipefail
cd "$(dirname "$0")/../.."

tests/setup/toolchains.sh targets
export CC_aarch64_linux_android=clang AR_aarch64_linux_android=llvm-ar
export CFLAGS_aarch64_linux_android="--target=aarch64-linux-android21 -isystem /usr/aarch64-linux-gnu/include"
cargo check --locked -q -p linli-ffi --lib --target aarch64-linux-android
