// The view models in plain Kotlin (no android.* imports) with the generated uniffi bindings:
// compiled and tested on the JVM, used by the app on the phone.
import org.gradle.api.tasks.Exec

plugins {
    alias(libs.plugins.kotlin.jvm)
}

val repo = rootDir.parentFile
val generated = layout.buildDirectory.dir("generated/uniffi")
val hostLibrary = repo.resolve("target/debug/" + System.mapLibraryName("linli_ffi"))

// The bindings come from the host build of the Rust library (the same metadata as the phone's).
val buildHostLibrary by tasks.registering(Exec::class) {
    workingDir = repo
    commandLine("cargo", "build", "--locked", "-p", "linli-ffi", "--lib", "--bin", "uniffi-bindgen", "-p", "linli-relay")
}

val generateBindings by tasks.registering(Exec::class) {
    dependsOn(buildHostLibrary)
    workingDir = repo
    outputs.dir(generated)
    commandLine(
        repo.resolve("target/debug/uniffi-bindgen").path, "generate", "--no-format",
        "--library", hostLibrary.path, "--language", "kotlin", "--out-dir", generated.get().asFile.path,
    )
}

kotlin {
    jvmToolchain(17)
    sourceSets["main"].kotlin.srcDir(generateBindings)
    sourceSets["test"].kotlin.srcDir(repo.resolve("bindings/tests/kotlin"))
}

dependencies {
    // On the phone JNA comes as an AAR from :linli-core; here only its API is needed.
    compileOnly(libs.jna)
    api(libs.kotlinx.coroutines.core)
    testImplementation(libs.jna)
    testImplementation(libs.junit.jupiter)
    testImplementation(kotlin("test"))
}

tasks.test {
    useJUnitPlatform()
    systemProperty("jna.library.path", repo.resolve("target/debug").path)
    systemProperty("linli.relay", repo.resolve("target/debug/linli-relay").path)
    systemProperty("linli.repo", repo.path)
    // Only the view-model suites; the bindings' own suite runs from tests/run.
    filter { includeTestsMatching("cn.linli.viewmodels.*") }
}
