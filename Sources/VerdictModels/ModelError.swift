// Typed errors of the model loaders and predictors. Every rejection names the file format, the
// field (or byte offset) at fault and what was expected, so that a user can fix the model file.

/// Why a model could not be loaded or used.
public enum ModelError: Error, Equatable, CustomStringConvertible {
    /// The bytes are not valid JSON / UBJSON / LightGBM text at `offset` (a byte or line position).
    case syntax(format: String, offset: Int, message: String)
    /// A required field is absent.
    case missingField(String)
    /// A field is present but its value is not acceptable.
    case invalidField(String, String)
    /// The model uses a feature of the format that Verdict does not evaluate.
    case unsupported(String, String)
    /// The caller passed a buffer of the wrong length (features or outputs).
    case wrongCount(what: String, expected: Int, got: Int)
    /// The file could not be read.
    case io(path: String, message: String)

    public var description: String {
        switch self {
        case let .syntax(format, offset, message): return "\(format) syntax error at \(offset): \(message)"
        case let .missingField(field): return "missing field '\(field)'"
        case let .invalidField(field, why): return "invalid field '\(field)': \(why)"
        case let .unsupported(field, why): return "unsupported '\(field)': \(why)"
        case let .wrongCount(what, expected, got): return "\(what): expected \(expected) values, got \(got)"
        case let .io(path, message): return "\(path): \(message)"
        }
    }
}
