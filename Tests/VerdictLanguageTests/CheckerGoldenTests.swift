// Golden diagnostics of the type checker: every `Golden/checker/NAME.rules` is checked (with the
// in-memory models of CheckSupport.swift) and its rendered diagnostics must equal
// `Golden/checker/NAME.expected` byte for byte. Together the cases cover every semantic diagnostic
// code and every type rule. After an intended change, regenerate with
// `VERDICT_UPDATE_GOLDEN=1 swift test --filter CheckerGoldenTests` and review the diff.
import Foundation
import Testing
@testable import VerdictLanguage

let checkerGoldenDirectory = packageRoot() + "/Tests/VerdictLanguageTests/Golden/checker"

func goldenCaseNames(_ directory: String) -> [String] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
    return names.filter { $0.hasSuffix(".rules") }.map { String($0.dropLast(6)) }.sorted()
}

@Suite struct CheckerGoldenTests {
    @Test(arguments: goldenCaseNames(checkerGoldenDirectory))
    func diagnosticsMatchGolden(name: String) throws {
        let source = try String(contentsOfFile: "\(checkerGoldenDirectory)/\(name).rules", encoding: .utf8)
        let actual = checkText(source, path: "\(name).rules").rendered + "\n"
        let expectedPath = "\(checkerGoldenDirectory)/\(name).expected"
        if ProcessInfo.processInfo.environment["VERDICT_UPDATE_GOLDEN"] == "1" {
            try actual.write(toFile: expectedPath, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOfFile: expectedPath, encoding: .utf8)
        #expect(actual == expected)
    }

    @Test func everyCaseReportsSomething() {
        for name in goldenCaseNames(checkerGoldenDirectory) {
            let expected = (try? String(contentsOfFile: "\(checkerGoldenDirectory)/\(name).expected", encoding: .utf8)) ?? ""
            #expect(expected.contains(": error: ") || expected.contains(": warning: "), "\(name) reports nothing")
        }
    }
}
