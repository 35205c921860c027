#!/usr/bin/env bash
# Prints the names of every exported function and method of the generated bindings, one a line.
#
#   exported-names.sh kotlin|swift GENERATED_BINDINGS
#
# The names come from the generated bindings, so a method added to the Rust crate is caught
# without editing any list: Kotlin writes every exported function as fun `name`(…); Swift
# declares object methods and callback methods in `public protocol` blocks, and free functions,
# constructors and enum/record methods as `public [static] func name(` at the top level.
set -euo pipefail
lang="$1" generated="$2"

case "$lang" in
    kotlin)
        names=$(grep -o 'fun `[a-zA-Z0-9]*`(' "$generated" | sed 's/fun `\(.*\)`(/\1/') ;;
    swift)
        names=$(awk '
            /^public protocol / { inside = 1; next }
            inside && /^}/ { inside = 0; next }
            inside && match($0, /^    func [a-zA-Z0-9]+\(/) {
                print substr($0, 10, RLENGTH - 10); next
            }
            match($0, /^public (static )?func `?[a-zA-Z0-9]+`?\(/) {
                s = substr($0, 1, RLENGTH - 1); sub(/.*func /, "", s); gsub(/`/, "", s)
                if (s !~ /^(FfiConverter|uniffi)/) print s
            }' "$generated") ;;
    *) echo "usage: $0 kotlin|swift GENERATED" >&2; exit 2 ;;
esac

names=$(printf '%s\n' "$names" | sort -u)
count=$(printf '%s\n' "$names" | wc -l)
[ "$count" -ge 10 ] || { echo "found only $count exported names in $generated" >&2; exit 1; }
printf '%s\n' "$names"
