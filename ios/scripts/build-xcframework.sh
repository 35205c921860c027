#!/usr/bin/env bash
# Builds the Rust core for iOS devices and simulators, generates the Swift bindings, and makes
# ios/LinliKit/LinliCoreFFI.xcframework with `xcodebuild -create-xcframework`. Run on a Mac
# with Xcode and rustup:  ios/scripts/build-xcframework.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
kit=ios/LinliKit
work=ios/build
rm -rf "$work" "$kit/LinliCoreFFI.xcframework"
mkdir -p "$work/headers" "$kit/Sources/LinliCore"

for t in aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios; do
    rustup target add "$t"
    IPHONEOS_DEPLOYMENT_TARGET=16.0 cargo build --locked --release -p linli-ffi --lib --target "$t"
done

# The bindings come from the library's metadata (any one of the builds).
cargo run --locked -q -p linli-ffi --bin uniffi-bindgen -- generate \
    --library target/aarch64-apple-ios/release/liblinli_ffi.a --language swift --out-dir "$work/generated"
cp "$work/generated/LinliCore.swift" "$kit/Sources/LinliCore/"
cp "$work/generated/LinliCoreFFI.h" "$work/headers/"
cp "$work/generated/LinliCoreFFI.modulemap" "$work/headers/module.modulemap"

# One simulator library for both simulator architectures.
lipo -create target/aarch64-apple-ios-sim/release/liblinli_ffi.a target/x86_64-apple-ios/release/liblinli_ffi.a \
    -output "$work/liblinli_ffi_sim.a"

xcodebuild -create-xcframework \
    -library target/aarch64-apple-ios/release/liblinli_ffi.a -headers "$work/headers" \
    -library "$work/liblinli_ffi_sim.a" -headers "$work/headers" \
    -output "$kit/LinliCoreFFI.xcframework"
echo "made $kit/LinliCoreFFI.xcframework" >&2
