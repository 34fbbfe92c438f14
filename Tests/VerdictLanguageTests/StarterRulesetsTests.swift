// Loading rulesets from disk with Frontend.load: the rulesets in Rules/ check clean (no errors, no
// warnings; the three starter rulesets with their own linear models, the reference copy without
// reading its generated models), a directory is one ruleset, an empty one is an error.
import Foundation
import Testing
@testable import VerdictLanguage

@Test(arguments: ["card-testing", "account-takeover", "marketplace-payouts"])
func starterRulesetChecksClean(name: String) throws {
    let result = Frontend.load(paths: [packageRoot() + "/Rules/" + name], options: CheckOptions(modelCatalog: LinearModelFileCatalog()))
    #expect(DiagnosticRenderer(sources: result.sources).render(result.bag) == "")
    let ruleset = try #require(result.ruleset)
    #expect(ruleset.rules.count >= 10)
    #expect(ruleset.models.allSatisfy { $0.path.hasSuffix(".json") && !$0.features.isEmpty })
}

@Test func referenceCopyMatchesTheSharedRulesetAndChecksClean() throws {
    let copy = packageRoot() + "/Rules/reference/reference.rules"
    let result = Frontend.load(paths: [copy])
    #expect(DiagnosticRenderer(sources: result.sources).render(result.bag) == "")
    if let shared = FileManager.default.contents(atPath: sharedPath("bench/reference.rules")) {
        #expect(FileManager.default.contents(atPath: copy) == shared, "Rules/reference is out of date")
    }
}

@Test func loadingADirectoryWithoutRulesFilesIsAnError() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("verdict-empty-\(getpid())").path
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let result = Frontend.load(paths: [directory])
    #expect(result.ruleset == nil)
    #expect(result.diagnostics.map(\.code) == ["file-unreadable"])
}

@Test func loadingSeveralFilesChecksThemAsOneRuleset() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("verdict-multi-\(getpid())").path
    try FileManager.default.createDirectory(atPath: directory + "/sub", withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try "schema {\n  amount int\n}\nlet big = amount > 10\n".write(toFile: directory + "/a.rules", atomically: true, encoding: .utf8)
    try "rule r: review if big\nReview if :amount: > 5\n".write(toFile: directory + "/sub/b.rules", atomically: true, encoding: .utf8)
    let result = Frontend.load(paths: [directory])
    let ruleset = try #require(result.ruleset)
    #expect(ruleset.rules.map(\.name) == ["r", "rule_2"])
    #expect(result.sources.files.map { $0.path.hasSuffix("a.rules") } == [true, false])
}
