// Values of the reference evaluator: what an expression of the rule language yields (LANGUAGE.md
// §2, §4) as plain Swift enums, with no concern for speed. Used only by tests and fuzzing, as the
// oracle the VM is compared with; nothing of the runtime path depends on it.
import VerdictLanguage

/// A runtime value of the rule language.
public enum ReferenceValue: Hashable, Sendable, CustomStringConvertible {
    case int(Int64)
    case double(Double)
    case bool(Bool)
    /// Text: `string`, `string ci` and `country` values (case-insensitivity is a property of the
    /// comparison, chosen by the checker, not of the value).
    case string(String)
    case ip(IPAddress)
    /// Seconds since the epoch.
    case timestamp(Int64)
    /// Seconds.
    case duration(Int64)
    /// `verdict` and action names in a counter's `when`.
    case action(VerdictAction)
    /// A list literal's elements.
    case list([ReferenceValue])

    /// CEL notation: `42`, `1.5`, `"text"`, `true`, `[1, 2]`; ip, timestamp and duration as the
    /// conversion calls that would produce them.
    public var description: String {
        switch self {
        case .int(let v): return String(v)
        case .double(let v): return ReferenceValue.celDouble(v)
        case .bool(let v): return v ? "true" : "false"
        case .string(let s): return ReferenceValue.celString(s)
        case .ip(let a): return "ip(\"\(a)\")"
        case .timestamp(let t): return "timestamp(\(t))"
        case .duration(let d): return "duration(\"\(d)s\")"
        case .action(let a): return a.rawValue
        case .list(let items): return "[" + items.map(\.description).joined(separator: ", ") + "]"
        }
    }

    /// A double the way CEL prints it: always with a fraction or exponent, `inf`, `-inf`, `nan`.
    public static func celDouble(_ v: Double) -> String {
        if v.isNaN { return "nan" }
        if v.isInfinite { return v < 0 ? "-inf" : "inf" }
        let text = "\(v)"
        return text.contains(".") || text.contains("e") ? text : text + ".0"
    }

    /// A string literal in CEL notation: the language's own printer (`ExpressionPrinter`), so that
    /// values print the way the formatter writes string literals.
    public static func celString(_ s: String) -> String { ExpressionPrinter.stringLiteral(s) }
}

/// Why an evaluation produced an error value (LANGUAGE.md §4). The VM may word its errors
/// differently; the differential test compares only "error" against "error".
public enum ReferenceError: String, Hashable, Sendable {
    case overflow = "integer overflow"
    case divisionByZero = "division by zero"
    case moduloByZero = "modulus by zero"
    case conversion = "conversion out of range or malformed"
    case indexOutOfRange = "index out of range"
}

/// The outcome of evaluating an expression: a value, missing, or an error.
public enum ReferenceResult: Hashable, Sendable, CustomStringConvertible {
    case value(ReferenceValue)
    case missing
    case error(ReferenceError)

    public var description: String {
        switch self {
        case .value(let v): return v.description
        case .missing: return "missing"
        case .error(let e): return "error: \(e.rawValue)"
        }
    }

    /// True for `.value(.bool(true))`: the only condition outcome that fires a rule.
    public var isTrue: Bool { self == .value(.bool(true)) }

    /// Outcome equality for comparing two evaluators: values equal bit for bit (any NaN matches any
    /// NaN, `0.0` and `-0.0` differ), missing matches missing, any error matches any error.
    public func sameOutcome(as other: ReferenceResult) -> Bool {
        switch (self, other) {
        case (.missing, .missing), (.error, .error): return true
        case (.value(let a), .value(let b)): return ReferenceResult.sameValue(a, b)
        default: return false
        }
    }

    static func sameValue(_ a: ReferenceValue, _ b: ReferenceValue) -> Bool {
        switch (a, b) {
        case (.double(let x), .double(let y)):
            return (x.isNaN && y.isNaN) || x.bitPattern == y.bitPattern
        case (.list(let xs), .list(let ys)):
            return xs.count == ys.count && zip(xs, ys).allSatisfy { sameValue($0, $1) }
        default:
            return a == b
        }
    }
}
