#!/usr/bin/env bash
# The Swift bindings on Linux: generate them from the built library, build a SwiftPM package
# with the XCTest suite inside a Debian trixie chroot (Swift 6), and run it there against the
# library and a relay process on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/../.."
T="${CARGO_TARGET_DIR:-target}"

eval "$(tests/setup/toolchains.sh swift)"
ROOT="$LINLI_SWIFT_ROOT"
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

cargo build --locked -p linli-ffi --lib
cargo build --locked -p linli-relay --bin linli-relay
out=target/swift
rm -rf "$out" && mkdir -p "$out"
cargo run --locked -q -p linli-ffi --bin uniffi-bindgen -- generate --no-format \
    --library "$T/debug/liblinli_ffi.so" --language swift --out-dir "$out"
bindings/tests/api-coverage.sh swift "$out/LinliCore.swift" \
    bindings/tests/swift/Tests/LinliCoreTests/LinliCoreTests.swift

build="$ROOT/build"
as_root rm -rf "$build"
as_root mkdir -p "$build/lib" "$build/pkg"
as_root cp -r bindings/tests/swift/. "$build/pkg/"
as_root mkdir -p "$build/pkg/Sources/LinliCore" "$build/pkg/Sources/LinliCoreFFI"
as_root cp "$out/LinliCore.swift" "$build/pkg/Sources/LinliCore/"
as_root cp "$out/LinliCoreFFI.h" "$build/pkg/Sources/LinliCoreFFI/"
as_root cp "$out/LinliCoreFFI.modulemap" "$build/pkg/Sources/LinliCoreFFI/module.modulemap"
as_root cp "$T/debug/liblinli_ffi.so" "$T/debug/linli-relay" "$build/lib/"

mountpoint -q "$ROOT/proc" || as_root mount -t proc proc "$ROOT/proc"
trap 'as_root umount "$ROOT/proc" 2>/dev/null || true' EXIT
as_root chroot "$ROOT" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
    sh -c 'cd /build/pkg && swift build --build-tests -q && swift test --skip-build'
