// The `ModelCatalog` the CLI gives the checker: finds a model file among the checker's candidate
// paths and reads just its feature names (XGBoost JSON `learner.feature_names`, LightGBM text
// `feature_names=`, linear JSON `weights` keys). A stop-gap until the CLI reads models through
// VerdictModels; it never traps on a bad file, it reports why it cannot read it.
import Foundation
import VerdictLanguage

struct ModelFileCatalog: ModelCatalog {
    func describe(_ request: ModelRequest) -> Result<ModelDescription, ModelCatalogError> {
        guard let path = request.candidates.first(where: { FileManager.default.isReadableFile(atPath: $0) }) else {
            let places = request.candidates.map { "'\($0)'" }.joined(separator: ", ")
            return .failure(ModelCatalogError("model file '\(request.written)' not found (looked for \(places))"))
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            return .failure(ModelCatalogError("cannot read model file '\(path)'"))
        }
        let names: Result<[String], ModelCatalogError>
        switch request.kind {
        case .xgboost: names = xgboostFeatures(data, path: path)
        case .lightgbm: names = lightgbmFeatures(data, path: path)
        case .linear: names = linearFeatures(data, path: path)
        }
        return names.map { ModelDescription(path: path, featureNames: $0) }
    }

    private func json(_ data: Data, path: String, what: String) -> Result<[String: Any], ModelCatalogError> {
        guard let object = try? JSONSerialization.jsonObject(with: data), let root = object as? [String: Any] else {
            return .failure(ModelCatalogError("'\(path)' is not \(what) (not a JSON object)"))
        }
        return .success(root)
    }

    private func xgboostFeatures(_ data: Data, path: String) -> Result<[String], ModelCatalogError> {
        if data.first != UInt8(ascii: "{") || path.hasSuffix(".ubj") {
            return .failure(ModelCatalogError("'\(path)': only XGBoost JSON models can be checked for now (save the model as .json)"))
        }
        return json(data, path: path, what: "an XGBoost JSON model").flatMap { root in
            guard let learner = root["learner"] as? [String: Any], let names = learner["feature_names"] as? [String], !names.isEmpty else {
                return .failure(ModelCatalogError("'\(path)' is not an XGBoost JSON model with feature names (learner.feature_names)"))
            }
            return .success(names)
        }
    }

    private func lightgbmFeatures(_ data: Data, path: String) -> Result<[String], ModelCatalogError> {
        let text = String(decoding: data.prefix(1 << 20), as: UTF8.self)
        for line in text.split(separator: "\n", omittingEmptySubsequences: true).prefix(64)
        where line.hasPrefix("feature_names=") {
            let names = line.dropFirst("feature_names=".count).split(separator: " ").map(String.init)
            if !names.isEmpty { return .success(names) }
        }
        return .failure(ModelCatalogError("'\(path)' is not a LightGBM text model (no feature_names= line in its header)"))
    }

    private func linearFeatures(_ data: Data, path: String) -> Result<[String], ModelCatalogError> {
        json(data, path: path, what: "a linear JSON model").flatMap { root in
            guard let weights = root["weights"] as? [String: Any], !weights.isEmpty else {
                return .failure(ModelCatalogError("'\(path)' is not a linear model (no \"weights\" object)"))
            }
            return .success(weights.keys.sorted())
        }
    }
}
