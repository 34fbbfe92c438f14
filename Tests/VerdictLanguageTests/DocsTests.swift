// docs/language.md shows exact output: every ```rules block marked `output` must make the front end
// (parse, then check) print exactly the ```console block after it, as the one-file ruleset
// `example.rules`; every plain ```rules block must at least parse cleanly (DocsExamplesTests checks
// them against the schema). Block attributes: `repeat=N` (the block is a template repeated N
// times, `{n}` replaced by the index), `bytes` (`\xHH` in the block stands for that raw byte),
// `missing` (the file does not exist).
import Foundation
import Testing
@testable import VerdictLanguage

/// One fenced code block of a Markdown file.
struct MarkdownBlock {
    var info: String
    var text: String
    var line: Int
}

func markdownBlocks(_ markdown: String) -> [MarkdownBlock] {
    var blocks: [MarkdownBlock] = []
    var current: MarkdownBlock?
    for (index, line) in markdown.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
        if line.hasPrefix("```") {
            if var block = current {
                if block.text.hasSuffix("\n") == false, !block.text.isEmpty { block.text += "\n" }
                blocks.append(block)
                current = nil
            } else {
                current = MarkdownBlock(info: String(line.dropFirst(3)), text: "", line: index + 1)
            }
        } else if current != nil {
            current!.text += line + "\n"
        }
    }
    return blocks
}

/// A documented example: its source block and, for error examples, the expected output.
struct DocExample: CustomTestStringConvertible, Sendable {
    var source: String
    var attributes: [String]
    var expected: String?
    var line: Int
    var testDescription: String { "docs/language.md:\(line)" }
}

func docExamples() -> [DocExample] {
    let path = packageRoot() + "/docs/language.md"
    guard let markdown = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
    let blocks = markdownBlocks(markdown)
    var examples: [DocExample] = []
    for (index, block) in blocks.enumerated() {
        let parts = block.info.split(separator: " ").map(String.init)
        guard parts.first == "rules" else { continue }
        let attributes = Array(parts.dropFirst())
        if attributes.contains("output") {
            let expected = index + 1 < blocks.count && blocks[index + 1].info == "console" ? blocks[index + 1].text : ""
            examples.append(DocExample(source: block.text, attributes: attributes, expected: expected, line: block.line))
        } else if attributes.isEmpty {
            examples.append(DocExample(source: block.text, attributes: [], expected: nil, line: block.line))
        }
    }
    return examples
}

/// What `verdict check` reports for a documented example.
func renderExample(_ example: DocExample) -> String {
    var bytes = Array(example.source.utf8)
    var diagnostics = DiagnosticBag()
    var sources = SourceSet()
    for attribute in example.attributes {
        if attribute.hasPrefix("repeat="), let count = Int(attribute.dropFirst("repeat=".count)) {
            var text = ""
            for index in 0..<count { text += example.source.replacingOccurrences(of: "{n}", with: String(index)) }
            bytes = Array(text.utf8)
        } else if attribute == "bytes" {
            bytes = decodeByteEscapes(example.source)
        } else if attribute == "missing" {
            var missing = SourceSet()
            RulesFiles.load(["/nonexistent-verdict-docs/example.rules"], into: &missing, diagnostics: &diagnostics)
            bytes = []
        }
    }
    sources.add(path: "example.rules", bytes: bytes)
    if !diagnostics.hasErrors {
        let result = Frontend.check(sources: sources, options: CheckOptions(modelCatalog: InMemoryModelCatalog(testModels)))
        diagnostics.append(contentsOf: result.bag)
    }
    return DiagnosticRenderer(sources: sources).render(diagnostics) + "\n"
}

/// `\xHH` escapes to raw bytes; everything else as UTF-8.
func decodeByteEscapes(_ text: String) -> [UInt8] {
    var out: [UInt8] = []
    let utf8 = Array(text.utf8)
    var index = 0
    while index < utf8.count {
        if utf8[index] == UInt8(ascii: "\\"), index + 3 < utf8.count, utf8[index + 1] == UInt8(ascii: "x"),
           let value = UInt8(String(decoding: utf8[(index + 2)...(index + 3)], as: UTF8.self), radix: 16) {
            out.append(value)
            index += 4
        } else {
            out.append(utf8[index])
            index += 1
        }
    }
    return out
}

@Suite struct DocsTests {
    @Test(arguments: docExamples())
    func documentedExampleBehavesAsDocumented(example: DocExample) {
        let rendered = renderExample(example)
        if let expected = example.expected {
            #expect(rendered == expected)
        } else {
            var ids = ExprIDAllocator()
            var diagnostics = DiagnosticBag()
            var sources = SourceSet()
            let id = sources.add(path: "example.rules", text: example.source)
            _ = Parser.parse(sources[id]!, ids: &ids, diagnostics: &diagnostics)
            #expect(!diagnostics.hasErrors, "a `rules` example must parse cleanly")
        }
    }

    @Test func everySyntaxDiagnosticCodeIsDocumentedWithAnExample() throws {
        let markdown = try String(contentsOfFile: packageRoot() + "/docs/language.md", encoding: .utf8)
        for code in SyntaxDiagnosticCode.allCases {
            #expect(markdown.contains("### `\(code.rawValue)`"), "no section for \(code.rawValue)")
        }
        let errorExamples = docExamples().filter { $0.expected != nil }
        #expect(errorExamples.count >= SyntaxDiagnosticCode.allCases.count)
    }
}
