// Golden diagnostic tests: every `Golden/<case>.rules` is parsed and checked and its rendered diagnostics
// must equal `Golden/<case>.expected` byte for byte (file:line:col, message, source line, caret,
// hint, summary). Add a case by adding the two files; run with VERDICT_UPDATE_GOLDEN=1 to write
// the .expected files of new cases (then read them before committing).
//
// A case file that starts with `//! repeat N` stands for its remaining text repeated N times, with
// `{n}` replaced by the repetition index (for the limits: 10,001 rules, more than 4 MiB). A case
// that is a directory exercises an unreadable path.
import Foundation
import Testing
@testable import VerdictLanguage

/// Directory of the golden cases.
let goldenDirectory = packageRoot() + "/Tests/VerdictLanguageTests/Golden"

/// Every golden case name (file name without `.rules`), sorted.
func goldenCases() -> [String] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: goldenDirectory)) ?? []
    return names.filter { $0.hasSuffix(".rules") }.map { String($0.dropLast(".rules".count)) }.sorted()
}

/// Loads a golden case as the user would see it (path relative to Golden/), expanding `//! repeat`.
func loadGoldenCase(_ name: String, into sources: inout SourceSet, diagnostics: inout DiagnosticBag) {
    let path = goldenDirectory + "/" + name + ".rules"
    var loaded = SourceSet()
    RulesFiles.load([path], into: &loaded, diagnostics: &diagnostics)
    var bytes = loaded.files[0].bytes
    let directive = Array("//! repeat ".utf8)
    if bytes.starts(with: directive), let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) {
        let count = Int(String(decoding: bytes[directive.count..<newline], as: UTF8.self)) ?? 0
        let template = String(decoding: bytes[(newline + 1)...], as: UTF8.self)
        var text = ""
        for index in 0..<count { text += template.replacingOccurrences(of: "{n}", with: String(index)) }
        bytes = Array(text.utf8)
    }
    sources.add(path: name + ".rules", bytes: bytes)
}

/// What the front end (parser, then checker with the in-memory models of CheckSupport.swift)
/// reports for a golden case: the rendered text and the codes, in order.
func goldenDiagnostics(_ name: String) -> (rendered: String, codes: [String]) {
    var sources = SourceSet()
    var diagnostics = DiagnosticBag()
    loadGoldenCase(name, into: &sources, diagnostics: &diagnostics)
    if !diagnostics.hasErrors {
        let result = Frontend.check(sources: sources, options: CheckOptions(modelCatalog: InMemoryModelCatalog(testModels)))
        diagnostics.append(contentsOf: result.bag)
    }
    return (DiagnosticRenderer(sources: sources).render(diagnostics) + "\n", diagnostics.sorted.map(\.code))
}

@Suite struct GoldenDiagnosticTests {
    /// Each case is named after the code of its first diagnostic: `<code>-<what>`.
    @Test(arguments: goldenCases())
    func renderedDiagnosticsMatchTheGoldenFile(name: String) throws {
        let (actual, codes) = goldenDiagnostics(name)
        let expectedPath = goldenDirectory + "/" + name + ".expected"
        if ProcessInfo.processInfo.environment["VERDICT_UPDATE_GOLDEN"] == "1",
           !FileManager.default.fileExists(atPath: expectedPath) {
            try actual.write(toFile: expectedPath, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOfFile: expectedPath, encoding: .utf8)
        #expect(actual == expected, "golden case \(name)")
        let first = try #require(codes.first, "golden case \(name) reports nothing")
        #expect(name.hasPrefix(first + "-"), "golden case \(name) starts with a '\(first)' diagnostic")
    }

    @Test func everySyntaxDiagnosticCodeHasAGoldenCase() {
        let cases = goldenCases()
        for code in SyntaxDiagnosticCode.allCases {
            #expect(cases.contains { $0.hasPrefix(code.rawValue + "-") }, "no golden case for \(code.rawValue)")
        }
        #expect(cases.filter { name in SyntaxDiagnosticCode.allCases.contains { name.hasPrefix($0.rawValue + "-") } }.count >= 25)
    }

    @Test func everyCheckerDiagnosticCodeHasAGoldenCase() {
        let cases = goldenCases()
        for code in CheckerDiagnosticCode.allCases {
            #expect(cases.contains { $0.hasPrefix(code.rawValue + "-") }, "no golden case for \(code.rawValue)")
        }
        #expect(cases.count >= 60)
    }
}
