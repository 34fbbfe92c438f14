// Golden diagnostics of the type checker: every `Golden/<code>-<what>.rules` is checked (with the
// in-memory models of CheckSupport.swift) and its rendered diagnostics must equal
// `Golden/<code>-<what>.expected` byte for byte; its first diagnostic has code `<code>`. Every
// checker diagnostic code has a case. After an intended change, regenerate with
// `VERDICT_UPDATE_GOLDEN=1 swift test --filter CheckerGoldenTests` and review the diff.
import Foundation
import Testing
@testable import VerdictLanguage

let checkerGoldenDirectory = packageRoot() + "/Tests/VerdictLanguageTests/Golden"

/// Golden cases whose name starts with a checker diagnostic code.
func checkerGoldenCases() -> [String] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: checkerGoldenDirectory)) ?? []
    return names.filter { $0.hasSuffix(".rules") }.map { String($0.dropLast(6)) }
        .filter { name in CheckerDiagnosticCode.allCases.contains { name.hasPrefix($0.rawValue + "-") } }
        .sorted()
}

@Suite struct CheckerGoldenTests {
    @Test(arguments: checkerGoldenCases())
    func diagnosticsMatchGolden(name: String) throws {
        let source = try String(contentsOfFile: "\(checkerGoldenDirectory)/\(name).rules", encoding: .utf8)
        let checked = checkText(source, path: "\(name).rules")
        let actual = checked.rendered + "\n"
        let expectedPath = "\(checkerGoldenDirectory)/\(name).expected"
        if ProcessInfo.processInfo.environment["VERDICT_UPDATE_GOLDEN"] == "1" {
            try actual.write(toFile: expectedPath, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOfFile: expectedPath, encoding: .utf8)
        #expect(actual == expected)
        let first = try #require(checked.codes.first, "golden case \(name) reports nothing")
        #expect(name.hasPrefix(first + "-"), "golden case \(name) starts with a '\(first)' diagnostic")
    }

    @Test func everyCheckerDiagnosticCodeHasAGoldenCase() {
        let cases = checkerGoldenCases()
        for code in CheckerDiagnosticCode.allCases {
            #expect(cases.contains { $0.hasPrefix(code.rawValue + "-") }, "no golden case for \(code.rawValue)")
        }
        #expect(cases.count >= 45)
    }
}
