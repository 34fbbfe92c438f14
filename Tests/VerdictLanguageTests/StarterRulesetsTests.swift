// The rulesets in Rules/ check clean (no errors, no warnings): the three starter rulesets with
// their own linear models, the reference copy without reading its (generated) models.
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
