// swift-tools-version: 6.0
// Verdict: an embedded decisioning engine for payments risk. Module map and dependency direction
// follow DESIGN.md: Language <- Compiler -> VM; Models and Store stand alone; Verdict ties them
// together; the CLI and the C API sit on top.
import PackageDescription

let package = Package(
    name: "Verdict",
    products: [
        .executable(name: "verdict", targets: ["verdict"]),
        .library(name: "Verdict", targets: ["Verdict"]),
        // Per-module products, for the fuzz package (Fuzz/) and for hosts that need only a part.
        .library(name: "VerdictLanguage", targets: ["VerdictLanguage"]),
        .library(name: "VerdictCompiler", targets: ["VerdictCompiler"]),
        .library(name: "VerdictVM", targets: ["VerdictVM"]),
        .library(name: "VerdictModels", targets: ["VerdictModels"]),
        .library(name: "VerdictStore", targets: ["VerdictStore"]),
        // Test-only oracle (reference evaluator, random program generator) for tests and Fuzz/.
        .library(name: "VerdictReference", targets: ["VerdictReference"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // System libraries (Debian liblmdb-dev, libxxhash-dev), found through pkg-config.
        .systemLibrary(name: "CLMDB", pkgConfig: "lmdb", providers: [.apt(["liblmdb-dev"])]),
        .systemLibrary(name: "CXXHash", pkgConfig: "libxxhash", providers: [.apt(["libxxhash-dev"])]),

        .target(name: "VerdictLanguage"),
        .target(name: "VerdictVM", dependencies: ["CXXHash"]),
        .target(name: "VerdictCompiler", dependencies: ["VerdictLanguage", "VerdictVM"]),
        .target(name: "VerdictModels"),
        .target(name: "VerdictStore", dependencies: ["CLMDB", "CXXHash"]),
        // The reference tree-walking evaluator and the random program generator: tests and fuzzing only.
        .target(name: "VerdictReference", dependencies: ["VerdictLanguage", "VerdictVM", "CXXHash"]),
        .target(name: "Verdict", dependencies: [
            "VerdictLanguage", "VerdictCompiler", "VerdictVM", "VerdictModels", "VerdictStore",
        ]),
        .executableTarget(name: "verdict", dependencies: [
            "Verdict", "VerdictLanguage", "VerdictModels", "VerdictStore", "VerdictVM", "VerdictCompiler",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        .testTarget(name: "VerdictLanguageTests", dependencies: ["VerdictLanguage", "VerdictReference"], exclude: ["Golden", "RadarExamples"]),
        .testTarget(name: "VerdictVMTests", dependencies: ["VerdictVM", "CMallocCounter"]),
        // Test support: counts the calling thread's heap allocations (VM zero-allocation tests).
        .target(name: "CMallocCounter", path: "Tests/CMallocCounter"),
        .testTarget(name: "VerdictCompilerTests", dependencies: ["VerdictCompiler", "VerdictLanguage", "VerdictVM", "CMallocCounter"]),
        .testTarget(name: "VerdictModelsTests", dependencies: ["VerdictModels"]),
        .testTarget(name: "VerdictStoreTests", dependencies: ["VerdictStore", "CMallocCounter"]),
        .testTarget(name: "VerdictTests", dependencies: ["Verdict", "VerdictStore", "VerdictVM"]),
        // The `verdict` binary's exit codes and output (depends on it so that it is built first).
        .testTarget(name: "VerdictCLITests", dependencies: ["verdict"]),
        // CEL conformance runner and the VM-vs-reference differential test (issue 3).
        .testTarget(name: "VerdictConformanceTests", dependencies: ["VerdictLanguage", "VerdictCompiler", "VerdictVM", "VerdictReference"]),
    ],
    swiftLanguageModes: [.v5]
)
