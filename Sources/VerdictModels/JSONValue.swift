// The document tree shared by the XGBoost JSON and UBJSON readers, with typed accessors that turn
// a wrong shape into a ModelError naming the field. Numbers keep both their Double and their
// directly-parsed Float value, so XGBoost's float32 fields are never rounded twice.

/// A parsed JSON or UBJSON value.
enum JSONValue {
    case null
    case bool(Bool)
    /// A number as parsed: `double` and `float` are each the correctly rounded value of the source
    /// (for UBJSON float32 the Double is the exact widening).
    case number(double: Double, float: Float)
    case string(String)
    case array([JSONValue])
    /// Members and their keys in document order (the linear format orders features by it).
    case object([String: JSONValue], order: [String])

    /// The member `key` of an object, or a `missingField` error naming `path.key`.
    func field(_ key: String, _ path: String) throws -> JSONValue {
        guard case .object(let members, _) = self else { throw ModelError.invalidField(path, "expected an object") }
        guard let value = members[key] else { throw ModelError.missingField(path.isEmpty ? key : "\(path).\(key)") }
        return value
    }

    /// The member `key` if present (nil when absent or when self is not an object).
    func optionalField(_ key: String) -> JSONValue? {
        guard case .object(let members, _) = self else { return nil }
        return members[key]
    }

    func array(_ path: String) throws -> [JSONValue] {
        guard case .array(let items) = self else { throw ModelError.invalidField(path, "expected an array") }
        return items
    }

    func string(_ path: String) throws -> String {
        guard case .string(let text) = self else { throw ModelError.invalidField(path, "expected a string") }
        return text
    }

    /// An integer, from a number or from a decimal string (XGBoost writes many integers as strings).
    func int(_ path: String) throws -> Int {
        switch self {
        case .number(let value, _):
            guard value == value.rounded(), abs(value) < 9.0e15 else { throw ModelError.invalidField(path, "expected an integer") }
            return Int(value)
        case .string(let text):
            guard let value = Int(text) else { throw ModelError.invalidField(path, "expected an integer, got \"\(text)\"") }
            return value
        case .bool(let flag): return flag ? 1 : 0
        default: throw ModelError.invalidField(path, "expected an integer")
        }
    }

    func float(_ path: String) throws -> Float {
        guard case .number(_, let value) = self else { throw ModelError.invalidField(path, "expected a number") }
        return value
    }

    func double(_ path: String) throws -> Double {
        guard case .number(let value, _) = self else { throw ModelError.invalidField(path, "expected a number") }
        return value
    }

    func ints(_ path: String) throws -> [Int] { try array(path).map { try $0.int(path) } }
    func floats(_ path: String) throws -> [Float] { try array(path).map { try $0.float(path) } }
}
