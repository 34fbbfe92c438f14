// The examples of docs/language.md are real: every ```rules block must check clean and every
// ```rules expect=CODE block must report CODE (blocks without a schema get the ```rules prelude
// schema). Every checker diagnostic code must have an example.
import Foundation
import Testing
@testable import VerdictLanguage

/// One fenced example: its info-string attributes, text and line in the document.
struct DocsExample {
    var attributes: [String]
    var text: String
    var line: Int
}

func docsExamples() -> [DocsExample] {
    guard let text = try? String(contentsOfFile: packageRoot() + "/docs/language.md", encoding: .utf8) else { return [] }
    var examples: [DocsExample] = []
    var current: DocsExample?
    for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
        if var open = current {
            if line == "```" { examples.append(open); current = nil } else { open.text += line + "\n"; current = open }
        } else if line.hasPrefix("```rules") {
            current = DocsExample(attributes: line.dropFirst(3).split(separator: " ").map(String.init).filter { $0 != "rules" },
                                  text: "", line: index + 1)
        }
    }
    return examples
}

@Suite struct DocsExamplesTests {
    @Test func everyExampleChecksAsDocumented() throws {
        let examples = docsExamples()
        let prelude = try #require(examples.first { $0.attributes == ["prelude"] }, "docs/language.md has no prelude").text
        #expect(examples.count > 40)
        // Generated inputs (`repeat=`, `bytes`, `missing`) are rendered by DocsTests.
        let generated = { (attribute: String) in attribute.hasPrefix("repeat=") || attribute == "bytes" || attribute == "missing" }
        for example in examples where example.attributes != ["prelude"] && !example.attributes.contains(where: generated) {
            let source = example.text.contains("schema {") ? example.text : prelude + example.text
            let checked = checkText(source, path: "language.md:\(example.line)")
            if let expected = example.attributes.first(where: { $0.hasPrefix("expect=") })?.dropFirst(7) {
                #expect(checked.codes.contains(String(expected)),
                        "example at docs/language.md:\(example.line) does not report \(expected):\n\(checked.rendered)")
            } else {
                #expect(checked.rendered == "", "example at docs/language.md:\(example.line) is not clean:\n\(checked.rendered)")
            }
        }
    }

    @Test func everyCheckerDiagnosticIsDocumentedWithAnExample() {
        let documented = Set(docsExamples().flatMap(\.attributes).filter { $0.hasPrefix("expect=") }.map { String($0.dropFirst(7)) })
        for code in CheckerDiagnosticCode.allCases {
            #expect(documented.contains(code.rawValue), "docs/language.md has no example for \(code.rawValue)")
        }
    }
}
