// The type-checked examples of docs/language.md: every ```rules,checked block checks clean and
// every ```rules,error,checked block prints exactly the ```console block after it. An example
// without its own schema is the file `example.rules` of a ruleset whose file `schema.rules` is the
// ```rules,prelude block. Each error example sits under a `### `code`` heading and its first
// diagnostic has that code; every checker code has one. (Syntax examples: DocsTests.)
import Foundation
import Testing
@testable import VerdictLanguage

/// A type-checked documentation example.
struct CheckedDocExample: CustomTestStringConvertible, Sendable {
    var source: String
    /// The expected output (`console` block), nil for a clean example.
    var expected: String?
    /// The code of the `### `code`` section the example is in, if any.
    var section: String?
    var line: Int
    var testDescription: String { "docs/language.md:\(line)" }
}

func checkedDocExamples() -> (prelude: String, examples: [CheckedDocExample]) {
    guard let markdown = try? String(contentsOfFile: packageRoot() + "/docs/language.md", encoding: .utf8) else { return ("", []) }
    let blocks = markdownBlocks(markdown)
    let lines = markdown.split(separator: "\n", omittingEmptySubsequences: false)
    var prelude = ""
    var examples: [CheckedDocExample] = []
    for (index, block) in blocks.enumerated() {
        let parts = block.info.split(separator: ",").map(String.init)
        guard parts.first == "rules" else { continue }
        if parts.contains("prelude") { prelude = block.text; continue }
        guard parts.contains("checked") else { continue }
        let heading = lines[..<(block.line - 1)].last { $0.hasPrefix("## ") || $0.hasPrefix("### ") }
        let section = heading.flatMap { $0.hasPrefix("### `") ? $0.dropFirst(5).split(separator: "`").first.map(String.init) : nil }
        let expected = parts.contains("error") && index + 1 < blocks.count && blocks[index + 1].info == "console"
            ? blocks[index + 1].text : (parts.contains("error") ? "" : nil)
        examples.append(CheckedDocExample(source: block.text, expected: expected, section: section, line: block.line))
    }
    return (prelude, examples)
}

/// What `verdict check` prints for an example (with the prelude as `schema.rules`), and the codes.
func checkDocExample(_ example: CheckedDocExample, prelude: String) -> (rendered: String, codes: [String]) {
    var sources = SourceSet()
    if !example.source.contains("schema {") { sources.add(path: "schema.rules", text: prelude) }
    sources.add(path: "example.rules", text: example.source)
    let result = Frontend.check(sources: sources, options: CheckOptions(modelCatalog: InMemoryModelCatalog(testModels)))
    return (DiagnosticRenderer(sources: sources).render(result.bag) + "\n", result.diagnostics.map(\.code))
}

@Suite struct DocsCheckedExamplesTests {
    @Test(arguments: checkedDocExamples().examples)
    func checkedExampleBehavesAsDocumented(example: CheckedDocExample) {
        let (rendered, codes) = checkDocExample(example, prelude: checkedDocExamples().prelude)
        if let expected = example.expected {
            #expect(rendered == expected)
            #expect(codes.first == example.section, "first diagnostic is not '\(example.section ?? "")'")
        } else {
            #expect(rendered == "\n", "a `rules,checked` example must check clean")
        }
    }

    @Test func everyCheckerDiagnosticIsDocumentedWithAnExample() {
        let documented = Set(checkedDocExamples().examples.filter { $0.expected != nil }.compactMap(\.section))
        for code in CheckerDiagnosticCode.allCases {
            #expect(documented.contains(code.rawValue), "docs/language.md has no example for \(code.rawValue)")
        }
    }
}
