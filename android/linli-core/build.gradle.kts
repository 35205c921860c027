// The Rust core for the phone: liblinli_ffi.so for arm64-v8a, armeabi-v7a and x86_64, built by
// cargo-ndk into jniLibs, and JNA (as an AAR, with its own native part) that the bindings call
// it through. The bindings themselves are compiled in :viewmodels.
import org.gradle.api.tasks.Exec

plugins {
    alias(libs.plugins.android.library)
}

val repo = rootDir.parentFile
val jniLibs = layout.projectDirectory.dir("src/main/jniLibs")

val cargoNdk by tasks.registering(Exec::class) {
    description = "Builds the Rust core for each phone ABI with cargo-ndk (needs ANDROID_NDK_HOME)."
    workingDir = repo
    inputs.files(fileTree(repo.resolve("core/src")), fileTree(repo.resolve("bindings/src")), repo.resolve("Cargo.lock"))
    outputs.dir(jniLibs)
    commandLine(
        "cargo", "ndk",
        "-t", "arm64-v8a", "-t", "armeabi-v7a", "-t", "x86_64",
        "--platform", "24",
        "-o", jniLibs.asFile.path,
        "build", "--release", "--locked", "-p", "linli-ffi", "--lib",
    )
}

android {
    namespace = "cn.linli.core"
    compileSdk = 35
    defaultConfig {
        minSdk = 24
    }
    sourceSets["main"].jniLibs.srcDir(jniLibs)
}

tasks.named("preBuild") { dependsOn(cargoNdk) }

dependencies {
    api("${libs.jna.get()}@aar")
}
