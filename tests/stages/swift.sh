#!/usr/bin/env bash
# The Swift bindings and the iOS app's view models on Linux: generate the bindings from the
# built library, build two SwiftPM packages inside a Debian trixie chroot (Swift 6) — the
# bindings' XCTest suite, and ios/LinliKit with its view-model and string-table suites — and
# run them there against the library and a relay process on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/../.."
T="${CARGO_TARGET_DIR:-target}"

eval "$(tests/setup/toolchains.sh swift)"
ROOT="$LINLI_SWIFT_ROOT"
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

tests/stages/workspace-build.sh
out=target/swift
rm -rf "$out" && mkdir -p "$out"
"$T/debug/uniffi-bindgen" generate --no-format \
    --library "$T/debug/liblinli_ffi.so" --language swift --out-dir "$out"
bindings/tests/api-coverage.sh swift "$out/LinliCore.swift" \
    bindings/tests/swift/Tests/LinliCoreTests/LinliCoreTests.swift
bindings/tests/app-reach.sh swift "$out/LinliCore.swift" ios/LinliKit/Sources ios/LinliApp/Sources

build="$ROOT/build"
as_root rm -rf "$build"
as_root mkdir -p "$build/lib" "$build/pkg"
as_root cp -r bindings/tests/swift/. "$build/pkg/"
as_root mkdir -p "$build/pkg/Sources/LinliCore" "$build/pkg/Sources/LinliCoreFFI"
as_root cp "$out/LinliCore.swift" "$build/pkg/Sources/LinliCore/"
as_root cp "$out/LinliCoreFFI.h" "$build/pkg/Sources/LinliCoreFFI/"
as_root cp "$out/LinliCoreFFI.modulemap" "$build/pkg/Sources/LinliCoreFFI/module.modulemap"
as_root cp "$T/debug/liblinli_ffi.so" "$T/debug/linli-relay" "$build/lib/"

# LinliKit as on a Mac, with the FFI as a system library instead of the XCFramework.
as_root cp -r ios/LinliKit "$build/kit"
as_root cp -r ios/LinliApp "$build/app"
as_root rm -rf "$build/kit/.build"
as_root cp -r "$build/pkg/Sources/LinliCore" "$build/pkg/Sources/LinliCoreFFI" "$build/kit/Sources/"
as_root cp bindings/tests/swift/Tests/LinliCoreTests/Relay.swift "$build/kit/Tests/LinliViewModelsTests/"

mountpoint -q "$ROOT/proc" || as_root mount -t proc proc "$ROOT/proc"
# Every relay the suites started stops with the stage, also when a test fails or a relay
# object is never released (its `deinit` is what stops it otherwise).
relays_left() { pgrep -af '^/build/lib/linli-relay ' || true; }
stop_relays() {
    as_root pkill -f '^/build/lib/linli-relay ' 2>/dev/null || true
    sleep 1
    as_root pkill -KILL -f '^/build/lib/linli-relay ' 2>/dev/null || true
}
trap 'stop_relays; as_root umount "$ROOT/proc" 2>/dev/null || true' EXIT
as_root chroot "$ROOT" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
    sh -c 'cd /build/pkg && swift build --build-tests -q && swift test --skip-build &&
        cd /build/kit && swift build --build-tests -q && LINLI_APP_DIR=/build/app swift test --skip-build'
# A released relay object stops its process with SIGTERM: none may be left (the relay unblocks
# SIGTERM itself, whatever mask the test process handed down).
for _ in 1 2 3 4 5; do [ -z "$(relays_left)" ] && break; sleep 1; done
if [ -n "$(relays_left)" ]; then
    echo "relay processes left running after the Swift suites:" >&2
    relays_left >&2
    exit 1
fi
