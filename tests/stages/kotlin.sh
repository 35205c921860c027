#!/usr/bin/env bash
# The Kotlin bindings and the Android app's view models on the JVM: generate the bindings from
# the built library, compile them with the view models (plain Kotlin, no android.*) and both
# test suites, run JUnit 5 with JNA against the library and a relay process on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/../.."
T="${CARGO_TARGET_DIR:-target}"

eval "$(tests/setup/toolchains.sh kotlin)"
K="$LINLI_KOTLIN_HOME"
tests/stages/workspace-build.sh
out=target/kotlin
rm -rf "$out" && mkdir -p "$out"
"$T/debug/uniffi-bindgen" generate --no-format \
    --library "$T/debug/liblinli_ffi.so" --language kotlin --out-dir "$out/generated"
bindings/tests/api-coverage.sh kotlin "$out/generated/cn/linli/core/linli_ffi.kt" \
    bindings/tests/kotlin/LinliBindingsTest.kt
bindings/tests/app-reach.sh kotlin "$out/generated/cn/linli/core/linli_ffi.kt" \
    android/viewmodels/src/main android/app/src/main

J=/usr/share/java
CP="$J/jna.jar:$K/lib/kotlinx-coroutines-core-jvm.jar:$K/lib/kotlin-test.jar:$K/lib/kotlin-test-junit5.jar:$J/junit-jupiter-api.jar:$J/apiguardian-api.jar:$J/opentest4j.jar"
"$K/bin/kotlinc" -nowarn -cp "$CP" $(find "$out/generated" -name '*.kt') \
    bindings/tests/kotlin/*.kt $(find android/viewmodels/src -name '*.kt') -d "$out/tests.jar"
java -Djna.library.path="$T/debug" -Dlinli.relay="$T/debug/linli-relay" -Dlinli.repo="$PWD" \
    -jar "$J/junit-platform-console-standalone.jar" --disable-banner --disable-ansi-colors \
    --details=tree -cp "$out/tests.jar:$CP:$K/lib/kotlin-stdlib.jar" \
    --scan-classpath "$out/tests.jar" --fail-if-no-tests
