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
#
# SQLCipher's crypto is OpenSSL, built from source for the phone (vendored) in a real build.
# Building OpenSSL for each phone target only to check would double this stage, so the check
# compiles SQLCipher against Debian's OpenSSL headers instead (OPENSSL_NO_VENDOR): the public
# headers are the same on every target, and the one generated per architecture
# (`configuration.h`) describes an LP64 target with the same options on amd64 and arm64.
set -euo pipefail
cd "$(dirname "$0")/../.."

tests/setup/toolchains.sh targets
ARM64_HEADERS="-isystem /usr/aarch64-linux-gnu/include"

OPENSSL_STANDIN="$(mktemp -d)"
trap 'rm -rf "$OPENSSL_STANDIN"' EXIT
mkdir -p "$OPENSSL_STANDIN/include/openssl" "$OPENSSL_STANDIN/lib"
ln -s /usr/include/openssl/* "$OPENSSL_STANDIN/include/openssl/"
ln -sf "/usr/include/$(gcc -dumpmachine)/openssl/"*.h "$OPENSSL_STANDIN/include/openssl/"
export OPENSSL_NO_VENDOR=1 OPENSSL_STATIC=1
export OPENSSL_INCLUDE_DIR="$OPENSSL_STANDIN/include" OPENSSL_LIB_DIR="$OPENSSL_STANDIN/lib"

# SQLCipher logs to logcat on Android: the NDK's <android/log.h>, of which it calls three
# functions, declared here as the NDK declares them (the NDK itself is not installed).
mkdir -p "$OPENSSL_STANDIN/ndk/android"
cat >"$OPENSSL_STANDIN/ndk/android/log.h" <<'H'
#pragma once
#include <stdarg.h>
typedef enum android_LogPriority { ANDROID_LOG_UNKNOWN = 0, ANDROID_LOG_DEFAULT, ANDROID_LOG_VERBOSE,
    ANDROID_LOG_DEBUG, ANDROID_LOG_INFO, ANDROID_LOG_WARN, ANDROID_LOG_ERROR, ANDROID_LOG_FATAL,
    ANDROID_LOG_SILENT } android_LogPriority;
int __android_log_write(int prio, const char *tag, const char *text);
int __android_log_print(int prio, const char *tag, const char *fmt, ...);
int __android_log_vprint(int prio, const char *tag, const char *fmt, va_list ap);
H

echo "android: aarch64-linux-android" >&2
export CC_aarch64_linux_android=clang AR_aarch64_linux_android=llvm-ar
export CFLAGS_aarch64_linux_android="--target=aarch64-linux-android21 $ARM64_HEADERS -isystem $OPENSSL_STANDIN/ndk"
cargo check --locked -q -p linli-ffi --lib --target aarch64-linux-android

echo "ios: aarch64-apple-ios" >&2
SDK_STANDIN="$(mktemp -d)"
trap 'rm -rf "$SDK_STANDIN" "$OPENSSL_STANDIN"' EXIT
export SDKROOT="$SDK_STANDIN" IPHONEOS_DEPLOYMENT_TARGET=13.0
export CC_aarch64_apple_ios=clang AR_aarch64_apple_ios=llvm-ar
export CFLAGS_aarch64_apple_ios="--target=aarch64-linux-gnu -Wno-unused-command-line-argument $ARM64_HEADERS"
cargo check --locked -q -p linli-ffi --lib --target aarch64-apple-ios
