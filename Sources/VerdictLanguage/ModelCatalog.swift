// How the checker learns a model's input features without VerdictLanguage depending on the model
// loaders: the caller injects a `ModelCatalog` (the CLI and the engine read the model files; tests
// pass a dictionary). The checker decides where to look (`ModelRequest.candidates`), the catalog
// decides what is there.

/// One model declaration the checker needs described.
public struct ModelRequest: Sendable, Equatable {
    /// The path as written in the `model` declaration.
    public var written: String
    /// The declared format.
    public var kind: ModelKind
    /// Paths to try, in order: relative paths are joined to the declaring file's directory, then to
    /// each `CheckOptions.modelRoots` entry; an absolute path is the only candidate.
    public var candidates: [String]

    public init(written: String, kind: ModelKind, candidates: [String]) {
        self.written = written; self.kind = kind; self.candidates = candidates
    }
}

/// What a catalog found for a `ModelRequest`.
public struct ModelDescription: Sendable, Equatable {
    /// The candidate that exists (what the engine will load).
    public var path: String
    /// The model's input features, in the model's own column order.
    public var featureNames: [String]

    public init(path: String, featureNames: [String]) {
        self.path = path; self.featureNames = featureNames
    }
}

/// Why a model could not be described: shown to the user as the message of a `model-unreadable`
/// diagnostic (`model file 'models/x.json' not found (looked in ...)`, `... is not an XGBoost
/// JSON model: ...`).
public struct ModelCatalogError: Error, Sendable, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
}

/// Describes models for the checker. Implementations must not trap on bad files.
public protocol ModelCatalog: Sendable {
    func describe(_ request: ModelRequest) -> Result<ModelDescription, ModelCatalogError>
}

/// A catalog held in memory, keyed by the path as written: for tests and for hosts that already
/// know their models.
public struct InMemoryModelCatalog: ModelCatalog {
    public var features: [String: [String]]

    public init(_ features: [String: [String]]) { self.features = features }

    public func describe(_ request: ModelRequest) -> Result<ModelDescription, ModelCatalogError> {
        guard let names = features[request.written] else {
            return .failure(ModelCatalogError("model file '\(request.written)' not found"))
        }
        return .success(ModelDescription(path: request.candidates.first ?? request.written, featureNames: names))
    }
}
