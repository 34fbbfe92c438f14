// Test helpers for the checker: check source text in one call (with an in-memory model catalog)
// and render the diagnostics exactly as `verdict check` prints them.
import Foundation
@testable import VerdictLanguage

/// Feature names of the models the checker tests use, keyed by the path as written.
let testModels: [String: [String]] = [
    "models/fraud.json": ["amount_usd", "card_attempts_1h", "country_mismatch"],
    "models/lr.json": ["amount_usd", "anonymous"],
]

/// The result of checking one in-memory file.
struct CheckedText {
    var result: FrontendResult
    var rendered: String { DiagnosticRenderer(sources: result.sources).render(result.bag) }
    var codes: [String] { result.diagnostics.map(\.code) }
    var ruleset: CheckedRuleset? { result.ruleset }
}

func checkText(_ text: String, path: String = "test.rules", models: [String: [String]]? = testModels) -> CheckedText {
    let catalog = models.map { InMemoryModelCatalog($0) }
    return CheckedText(result: Frontend.check(text: text, path: path, options: CheckOptions(modelCatalog: catalog)))
}

/// Reads the feature names of linear JSON models from disk (the `weights` keys), for checking the
/// starter rulesets in Rules/ with their real models; other kinds are reported unreadable.
struct LinearModelFileCatalog: ModelCatalog {
    func describe(_ request: ModelRequest) -> Result<ModelDescription, ModelCatalogError> {
        for path in request.candidates {
            guard request.kind == .linear, let data = FileManager.default.contents(atPath: path),
                  let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                  let weights = root["weights"] as? [String: Any] else { continue }
            return .success(ModelDescription(path: path, featureNames: weights.keys.sorted()))
        }
        return .failure(ModelCatalogError("no linear model at \(request.candidates)"))
    }
}
