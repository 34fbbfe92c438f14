// swift-tools-version: 6.0
// libFuzzer targets for Verdict. A separate package so that the main build never links them:
//   swift build --package-path Fuzz --sanitize=fuzzer --sanitize=address
// Each target is one executable whose entry point is LLVMFuzzerTestOneInput (main comes from
// libFuzzer). `make fuzz-smoke` runs each one briefly over its seeds and regression inputs.
import PackageDescription

let language = Target.Dependency.product(name: "VerdictLanguage", package: "Verdict")
let store = Target.Dependency.product(name: "VerdictStore", package: "Verdict")
let models = Target.Dependency.product(name: "VerdictModels", package: "Verdict")
let vm = Target.Dependency.product(name: "VerdictVM", package: "Verdict")
let compiler = Target.Dependency.product(name: "VerdictCompiler", package: "Verdict")
let reference = Target.Dependency.product(name: "VerdictReference", package: "Verdict")
let fuzzFlags: [SwiftSetting] = [.unsafeFlags(["-parse-as-library"])]

let package = Package(
    name: "VerdictFuzz",
    dependencies: [.package(name: "Verdict", path: "..")],
    targets: [
        // One line per fuzz target, e.g.
        // .executableTarget(name: "FuzzCompileSource", dependencies: [language], swiftSettings: fuzzFlags),
        .executableTarget(name: "FuzzCounterFile", dependencies: [store], swiftSettings: fuzzFlags),
        .executableTarget(name: "FuzzModelLoad", dependencies: [models], swiftSettings: fuzzFlags),
        .executableTarget(name: "FuzzCompileSource", dependencies: [language], swiftSettings: fuzzFlags),
        .executableTarget(name: "FuzzListEntries", dependencies: [store], swiftSettings: fuzzFlags),
        .executableTarget(name: "FuzzVerifyBytecode", dependencies: [vm], swiftSettings: fuzzFlags),
        .executableTarget(name: "FuzzDifferential", dependencies: [compiler, reference], swiftSettings: fuzzFlags),
    ]
)
