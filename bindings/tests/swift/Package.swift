// swift-tools-version:5.9
// The Swift bindings on Linux. The test stage copies the generated LinliCore.swift into
// Sources/LinliCore, the C header and module map into Sources/LinliCoreFFI, and the Rust
// library into lib/ before building; none of them is kept in the repository.
import PackageDescription

let package = Package(
    name: "LinliCoreTests",
    targets: [
        .systemLibrary(name: "LinliCoreFFI", path: "Sources/LinliCoreFFI"),
        .target(
            name: "LinliCore",
            dependencies: ["LinliCoreFFI"],
            path: "Sources/LinliCore",
            linkerSettings: [
                .linkedLibrary("linli_ffi"),
                .unsafeFlags(["-L/build/lib", "-Xlinker", "-rpath", "-Xlinker", "/build/lib"]),
            ]
        ),
        .testTarget(name: "LinliCoreTests", dependencies: ["LinliCore"], path: "Tests/LinliCoreTests"),
    ]
)
