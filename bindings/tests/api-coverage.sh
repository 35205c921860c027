#!/usr/bin/env bash
# Fails when a test suite leaves an exported function or method uncalled.
#
#   api-coverage.sh kotlin|swift GENERATED_BINDINGS TEST_SOURCE
set -euo pipefail
lang="$1" generated="$2" tests="$3"

names=$("$(dirname "$0")/exported-names.sh" "$lang" "$generated")
count=$(printf '%s\n' "$names" | wc -l)
missing=()
for name in $names; do
    grep -qE "(^|[^a-zA-Z0-9_])$name[[:space:]]*[({]" "$tests" || missing+=("$name")
done
if [ "${#missing[@]}" -gt 0 ]; then
    echo "$lang tests never call: ${missing[*]}" >&2
    exit 1
fi
echo "$lang tests call all $count exported functions and methods" >&2
