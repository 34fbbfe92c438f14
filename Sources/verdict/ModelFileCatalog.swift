// The `ModelCatalog` the CLI gives the checker: finds a model file among the checker's candidate
// paths and loads it with VerdictModels (the same loaders the engine uses), so `verdict check`
// reports a corrupt or unsupported model and binds features in the model's own order. It never
// traps on a bad file; it reports why it cannot read it.
import Foundation
import VerdictLanguage
import VerdictModels

struct ModelFileCatalog: ModelCatalog {
    func describe(_ request: ModelRequest) -> Result<ModelDescription, ModelCatalogError> {
        guard let path = request.candidates.first(where: { FileManager.default.isReadableFile(atPath: $0) }) else {
            return .failure(.notFound(request))
        }
        guard let kind = VerdictModels.ModelKind(rawValue: request.kind.rawValue) else {
            return .failure(ModelCatalogError("model kind '\(request.kind.rawValue)' is not supported"))
        }
        do {
            let model = try ModelLoader.load(path: path, kind: kind)
            return .success(ModelDescription(path: path, featureNames: model.info.featureNames))
        } catch {
            return .failure(ModelCatalogError("cannot load \(request.kind.rawValue) model '\(path)': \(error)"))
        }
    }
}
