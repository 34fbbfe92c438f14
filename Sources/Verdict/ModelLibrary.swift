// The `ModelCatalog` backed by VerdictModels: the checker asks it for a model's feature names and
// it answers by loading the model file for real (so a file the engine cannot run never passes the
// check), keeping the loaded model so the engine does not parse it twice.
import Foundation
import VerdictLanguage
import VerdictModels

/// Loads model files through `ModelLoader` for the checker and keeps them for the engine.
/// Thread-safe; never traps on a bad file (it reports why it cannot load it).
public final class ModelLibrary: ModelCatalog, @unchecked Sendable {
    private let lock = NSLock()
    private var loaded: [String: any PredictiveModel] = [:]

    public init() {}

    public func describe(_ request: ModelRequest) -> Result<ModelDescription, ModelCatalogError> {
        guard let path = request.candidates.first(where: { FileManager.default.isReadableFile(atPath: $0) }) else {
            return .failure(.notFound(request))
        }
        switch model(atPath: path, kind: request.kind) {
        case .success(let model): return .success(ModelDescription(path: path, featureNames: model.info.featureNames))
        case .failure(let error): return .failure(ModelCatalogError("cannot load \(request.kind.rawValue) model '\(path)': \(error)"))
        }
    }

    /// The model at `path` (loaded once, then shared).
    public func model(atPath path: String, kind: VerdictLanguage.ModelKind) -> Result<any PredictiveModel, Error> {
        lock.lock()
        defer { lock.unlock() }
        if let model = loaded[path] { return .success(model) }
        let loaderKind: VerdictModels.ModelKind
        switch kind {
        case .xgboost: loaderKind = .xgboost
        case .lightgbm: loaderKind = .lightgbm
        case .linear: loaderKind = .linear
        }
        do {
            let model = try ModelLoader.load(path: path, kind: loaderKind)
            loaded[path] = model
            return .success(model)
        } catch {
            return .failure(error)
        }
    }
}
