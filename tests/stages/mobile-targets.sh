#!/usr/bin/env bash
# Type-checks the bindings for Android (arm64) and iOS (arm64), so that nothing in the core
# builds only on Linux: every `cfg(target_os = …)` branch of the Rust code and its
# dependencies is compiled for the phone's target.
#
# The C parts (SQLite, ring) are compiled with Debian's clang against glibc's arm64 headers:
# good enough to check, not to link. For Android that stands in for bionic (linking needs the
# NDK). For iOS the Apple SDK cannot be had here, so the C parts are compiled as Linux arm64
# objects (`--target=aarch64-linux-gnu`, an empty SDKROOT so that cc does not ask xcrun); the
# Rust code is still checked for `aarch64-apple-ios`. Linking the XCFramework needs Xcode.
set -euo pipefail
cd "$(dirname "$0")/../.."

tests/setup/toolchains.sh targets
ARM64_HEADERS="-isystem /usr/aarch64-linux-gnu/include"

echo "android: aarch64-linux-android" >&2
export CC_aarch64_linux_android=clang AR_aarch64_linux_android=llvm-ar
export CFLAGS_aarch64_linux_android="--target=aarch64-linux-android21 $ARM64_HEADERS"
cargo check --locked -q -p linli-ffi --lib --target aarch64-linux-android

echo "ios: aarch64-apple-ios" >&2
SDK_STANDIN="$(mktemp -d)"
trap 'rm -rf "$SDK_STANDIN"' EXIT
export SDKROOT="$SDK_STANDIN" IPHONEOS_DEPLOYMENT_TARGET=13.0
export CC_aarch64_apple_ios=clang AR_aarch64_apple_ios=llvm-ar
export CFLAGS_aarch64_apple_ios="--target=aarch64-linux-gnu -Wno-unused-command-line-argument $ARM64_HEADERS"
cargo check --locked -q -p linli-ffi --lib --target aarch64-apple-ios
