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
    /// Shown under the caret (nil: none).
    public var hint: String?
    public init(_ message: String, hint: String? = nil) { self.message = message; self.hint = hint }

    /// The error for a model file that is in none of the candidate places.
    public static func notFound(_ request: ModelRequest) -> ModelCatalogError {
        let places = request.candidates.map { "'\($0)'" }.joined(separator: ", ")
        return ModelCatalogError("model file '\(request.written)' not found" + (places.isEmpty ? "" : " (looked for \(places))"),
                                 hint: "model paths are relative to the rules file; pass --model-root DIR to look elsewhere")
    }
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
            return .failure(.notFound(ModelRequest(written: request.written, kind: request.kind, candidates: [])))
        }
        return .success(ModelDescription(path: request.candidates.first ?? request.written, featureNames: names))
    }
}
