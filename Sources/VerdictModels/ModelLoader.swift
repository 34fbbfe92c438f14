// The entry point for loading a model file: picks the reader from the kind (or sniffs the bytes)
// and returns an immutable, thread-safe PredictiveModel.
import Foundation

/// Loads XGBoost (JSON/UBJ), LightGBM (text) and linear (JSON) models.
public enum ModelLoader {
    /// Files larger than this are rejected before parsing.
    public static let maxFileSize = 256 << 20

    /// Loads the model at `path`. `kind` nil: XGBoost if the file is JSON with a "learner" or
    /// UBJSON, linear if JSON with "kind", LightGBM if it starts with "tree".
    public static func load(path: String, kind: ModelKind? = nil) throws -> any PredictiveModel {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ModelError.io(path: path, message: "cannot read file")
        }
        return try load(bytes: [UInt8](data), kind: kind)
    }

    /// Loads a model from its bytes (see `load(path:kind:)`).
    public static func load(bytes: [UInt8], kind: ModelKind? = nil) throws -> any PredictiveModel {
        guard bytes.count <= maxFileSize else { throw ModelError.unsupported("file", "larger than \(maxFileSize) bytes") }
        // JSON text and UBJSON both open with "{"; text follows it with a quote or "}".
        let significant = bytes.lazy.filter { ![0x20, 0x0A, 0x0D, 0x09].contains($0) }.prefix(2)
        let isJSONText = Array(significant) == [UInt8(ascii: "{"), UInt8(ascii: "\"")]
            || Array(significant) == [UInt8(ascii: "{"), UInt8(ascii: "}")]
        switch kind {
        case .lightgbm?:
            return try LightGBMLoader.load(String(decoding: bytes, as: UTF8.self))
        case .linear?:
            return try LinearModel.load(try JSONReader.parse(bytes))
        case .xgboost?:
            let document = isJSONText ? try JSONReader.parse(bytes) : try UBJSONReader.parse(bytes)
            return try XGBoostLoader.load(document, format: isJSONText ? "JSON" : "UBJSON")
        case nil:
            if bytes.starts(with: Array("tree".utf8)) { return try LightGBMLoader.load(String(decoding: bytes, as: UTF8.self)) }
            guard isJSONText else {
                return try XGBoostLoader.load(try UBJSONReader.parse(bytes), format: "UBJSON")
            }
            let document = try JSONReader.parse(bytes)
            if document.optionalField("learner") != nil { return try XGBoostLoader.load(document, format: "JSON") }
            return try LinearModel.load(document)
        }
    }
}
