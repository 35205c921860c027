// The Linli Android app: the Compose app, the view models in plain Kotlin (tested on the JVM
// by tests/run), and the Rust core's libraries for each phone ABI.
pluginManagement {
    repositories {
        google()
        mavenCentral()
        gradlePluginPortal()
    }
}
dependencyResolutionManagement {
    repositoriesMode.set(RepositoriesMode.FAIL_ON_PROJECT_REPOS)
    repositories {
        google()
        mavenCentral()
    }
}
rootProject.name = "Linli"
include(":app", ":viewmodels", ":linli-core")
