#!/usr/bin/env bash
# Fails when an exported function or method is reached by no view model or screen of an app
# and is not listed as one the apps do not call (with the reason) in `not-in-apps.txt`, or when
# that list names one that no longer exists. (A listed name the sources happen to match, such as
# SwiftUI's own `onChange`, is not an error: the list is shared by both apps.)
#
#   app-reach.sh kotlin|swift GENERATED_BINDINGS APP_SOURCE_DIR...
set -euo pipefail
lang="$1" generated="$2"
shift 2
here="$(dirname "$0")"
listed=$(sed -e 's/#.*//' -e 's/[[:space:]]//g' "$here/not-in-apps.txt" | { grep -v '^$' || true; } | sort -u)
names=$("$here/exported-names.sh" "$lang" "$generated")
sources=$(find "$@" -name '*.kt' -o -name '*.swift' | sort)
unreached=() stale=()
for name in $names; do
    # `.name(` or `.name {`: a call on a store, a client or a value, or a top-level `name(`.
    if ! grep -qE "(\.|^|[^a-zA-Z0-9_.])$name[[:space:]]*[({]" $sources \
        && ! grep -qx "$name" <<<"$listed"; then
        unreached+=("$name")
    fi
done
for name in $listed; do
    grep -qx "$name" <<<"$names" || stale+=("$name (not exported)")
done
if [ "${#unreached[@]}" -gt 0 ] || [ "${#stale[@]}" -gt 0 ]; then
    [ "${#unreached[@]}" -eq 0 ] || echo "$lang apps reach no call of: ${unreached[*]}" >&2
    [ "${#stale[@]}" -eq 0 ] || echo "not-in-apps.txt lists: ${stale[*]}" >&2
    exit 1
fi
echo "$lang apps reach every exported call but the $(wc -l <<<"$listed") listed in not-in-apps.txt" >&2
