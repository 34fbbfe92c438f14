// Ruleset file discovery and loading: a directory is its .rules files at any depth in sorted
// order, files are kept as named, and a multi-file ruleset shares one id space and one rule limit.
import Foundation
import Testing
@testable import VerdictLanguage

@Suite struct RulesFilesTests {
    @Test func directoriesExpandToSortedRulesFiles() throws {
        let root = NSTemporaryDirectory() + "verdict-rulesfiles-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/b/nested", withIntermediateDirectories: true)
        for path in ["/b/nested/z.rules", "/b/a.rules", "/c.rules", "/notes.txt"] {
            #expect(FileManager.default.createFile(atPath: root + path, contents: Data("let x = 1\n".utf8)))
        }
        let expanded = RulesFiles.expand([root, root + "/c.rules", "/missing.rules"])
        #expect(expanded == [root + "/b/a.rules", root + "/b/nested/z.rules", root + "/c.rules", "/missing.rules"])
    }

    @Test func filesOfARulesetShareIdsAndTheRuleLimit() {
        var sources = SourceSet()
        sources.add(path: "a.rules", text: "rule a: block if x\n")
        sources.add(path: "b.rules", text: "Block if :y: > 1\nlet z = 2\n")
        var ids = ExprIDAllocator()
        var diagnostics = DiagnosticBag()
        let units = Parser.parse(sources, ids: &ids, diagnostics: &diagnostics)
        #expect(units.map(\.declarations.count) == [1, 2])
        #expect(units.map(\.file) == [0, 1])
        #expect(ids.count == 5)
        #expect(!diagnostics.hasErrors)
    }
}
