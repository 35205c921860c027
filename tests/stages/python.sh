#!/usr/bin/env bash
# The Python bindings: generate the module `linli_ffi` from the built library with the crate's
# own uniffi-bindgen, put the library beside it, and run bindings/tests/python (unittest)
# against it and a relay process on 127.0.0.1. Debian's python3 is all it needs.
set -euo pipefail
cd "$(dirname "$0")/../.."
T="$(realpath -m "${CARGO_TARGET_DIR:-target}")"
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v python3 >/dev/null 2>&1; then
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3
fi
python3 --version

tests/stages/workspace-build.sh
relay="$T/debug/linli-relay"

out="$(mktemp -d "${TMPDIR:-/tmp}/linli-python.XXXXXX")"
pids="$out/relay.pids"
# The suite stops its relays itself; whatever it left (a failure before its clean-up, Python
# killed) is stopped here, by the process ids it wrote, if they are still that relay.
stop_relays() {
    [ -f "$pids" ] || return 0
    local pid left=()
    while read -r pid; do
        [ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "$relay" ] || continue
        kill "$pid" 2>/dev/null && left+=("$pid")
    done <"$pids"
    [ "${#left[@]}" -gt 0 ] || return 0
    echo "stopping relay processes the Python suite left: ${left[*]}" >&2
    local alive=()
    for _ in 1 2 3 4 5; do
        alive=()
        for pid in "${left[@]}"; do kill -0 "$pid" 2>/dev/null && alive+=("$pid"); done
        [ "${#alive[@]}" -gt 0 ] || return 0
        sleep 1
    done
    kill -KILL "${alive[@]}" 2>/dev/null || true
}
trap 'stop_relays; rm -rf "$out"' EXIT

"$T/debug/uniffi-bindgen" generate --no-format \
    --library "$T/debug/liblinli_ffi.so" --language python --out-dir "$out/module"
cp "$T/debug/liblinli_ffi.so" "$out/module/"
PYTHONPATH="$out/module" PYTHONDONTWRITEBYTECODE=1 LINLI_RELAY="$relay" LINLI_RELAY_PIDS="$pids" \
    python3 bindings/tests/python/test_bindings.py
