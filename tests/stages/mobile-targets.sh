#!/usr/bin/env bash
# Type-checks the bindings for Android (arm64) and iOS (arm64), so that nothing in the core
# builds only on Linux. The C parts (SQLite, ring) are compiled with Debian's clang against
# glibc's arm64 headers: good enough to check, not to link (that needs the NDK and Xcode).
set -euo pipefail
cd "$(dirname "$0")/../.."

tests/setup/toolchains.sh targets
headers="-isystem /usr/aarch64-linux-gnu/include"
export CC_aarch64_linux_android=clang AR_aarch64_linux_android=llvm-ar
export CFLAGS_aarch64_linux_android="--target=aarch64-linux-android21 $headers"
cargo check --locked -q -p linli-ffi --lib --target aarch64-linux-android
export CC_aarch64_apple_ios=clang AR_aarch64_apple_ios=llvm-ar
export CFLAGS_aarch64_apple_ios="--target=arm64-apple-ios15.0 $headers"
cargo check --locked -q -p linli-ffi --lib --target aarch64-apple-ios
