#!/usr/bin/env bash
# Installs what the binding tests need when it is missing, caching heavy toolchains outside the
# repository (LINLI_CACHE, default /var/cache/linli) so that later runs on the machine reuse them.
#   tests/setup/toolchains.sh kotlin   JNA, JUnit 5 and the Kotlin compiler
#   tests/setup/toolchains.sh swift    a Debian trixie chroot with the Swift toolchain
#   tests/setup/toolchains.sh targets  the Android and iOS Rust targets, a C cross compiler and
#                                      OpenSSL's headers (SQLCipher's crypto, for the type-check)
#   tests/setup/toolchains.sh postgres the PostgreSQL server binaries (the tests start their own
#                                      throw-away server on 127.0.0.1; none is left running)
#   tests/setup/toolchains.sh allocator gperftools' tcmalloc, which the relay links statically
#                                      when the machine building it has it
#   tests/setup/toolchains.sh browser  Chromium, its WebDriver and CJK fonts (the office pages'
#                                      tests start their own chromedriver; none is left running)
# Prints the variables the test stages use (LINLI_KOTLIN_HOME, LINLI_SWIFT_ROOT).
set -euo pipefail

CACHE="${LINLI_CACHE:-/var/cache/linli}"
KOTLIN_VERSION=2.4.20

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

apt_install() {
    local missing=()
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
            || missing+=("$p")
    done
    if [ "${#missing[@]}" -gt 0 ]; then
        echo "installing ${missing[*]}" >&2
        as_root apt-get update -qq
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
            --no-install-recommends "${missing[@]}" >&2
    fi
}

kotlin() {
    apt_install default-jdk-headless libjna-java junit5
    local home="$CACHE/kotlin-$KOTLIN_VERSION"
    local kotlinc="$home/node_modules/kotlin-compiler/bin/kotlinc"
    if [ ! -x "$kotlinc" ]; then
        command -v npm >/dev/null 2>&1 || apt_install npm
        as_root mkdir -p "$CACHE"
        local tmp="$home.partial"
        as_root rm -rf "$tmp"
        as_root npm install --silent --no-save --no-package-lock --prefix "$tmp" \
            "kotlin-compiler@$KOTLIN_VERSION" >&2
        as_root mv "$tmp" "$home"
    fi
    echo "LINLI_KOTLIN_HOME=$home/node_modules/kotlin-compiler"
}

swift() {
    apt_install debootstrap
    local root="$CACHE/swift-trixie"
    as_root mkdir -p "$CACHE"
    mountpoint -q "$root/proc" 2>/dev/null || { [ -d "$root/proc" ] && as_root mount -t proc proc "$root/proc"; } || true
    if ! as_root chroot "$root" swiftc --version >/dev/null 2>&1; then
        if [ ! -x "$root/usr/bin/apt-get" ]; then
            mountpoint -q "$root/proc" 2>/dev/null && as_root umount "$root/proc"
            as_root rm -rf "$root"
            as_root debootstrap --variant=minbase trixie "$root" >&2
        fi
        mountpoint -q "$root/proc" || as_root mount -t proc proc "$root/proc"
        as_root chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
            DEBIAN_FRONTEND=noninteractive sh -c \
            'apt-get update -qq && apt-get install -y -qq --no-install-recommends swiftlang libc6-dev ca-certificates && apt-get clean' >&2
    fi
    # The sync client's TLS verifier reads the system's certificates.
    if ! as_root chroot "$root" dpkg-query -W -f='${Status}' ca-certificates 2>/dev/null | grep -q 'ok installed'; then
        as_root chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
            DEBIAN_FRONTEND=noninteractive sh -c \
            'apt-get update -qq && apt-get install -y -qq --no-install-recommends ca-certificates && apt-get clean' >&2
    fi
    echo "LINLI_SWIFT_ROOT=$root"
}

targets() {
    apt_install clang lld llvm libc6-dev-arm64-cross libssl-dev
    if command -v rustup >/dev/null 2>&1; then
        for t in aarch64-linux-android aarch64-apple-ios; do
            rustup target list --installed | grep -qx "$t" || rustup target add "$t" >&2
        done
    fi
}

postgres() {
    apt_install postgresql
}

allocator() {
    apt_install libgoogle-perftools-dev
}

browser() {
    apt_install chromium chromium-driver fonts-noto-cjk
}

for what in "$@"; do
    "$what"
done
