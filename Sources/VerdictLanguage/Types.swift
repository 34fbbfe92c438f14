// The static types of the rule language (LANGUAGE.md §2) and the kinds of declared lists. The
// checker assigns one `VerdictType` to every expression node; the compiler picks typed opcodes from
// those types and the resolved overloads, never from runtime tags.

/// The type of an expression, a schema field, a `let` or a model input.
public indirect enum VerdictType: Hashable, Sendable, CustomStringConvertible {
    /// Signed 64-bit integer; arithmetic overflow is an evaluation error.
    case int
    /// IEEE-754 binary64.
    case double
    case bool
    /// UTF-8 text compared byte for byte.
    case string
    /// UTF-8 text whose equality, `in`, list lookup and substring tests ignore case (`string ci`).
    case stringCaseInsensitive
    /// ISO-3166 alpha-2 country code: a string subtype whose literals the checker validates.
    case country
    /// IPv4 or IPv6 address.
    case ip
    /// Seconds since the Unix epoch (int64).
    case timestamp
    /// A length of time in seconds; only as counter windows and in timestamp arithmetic.
    case duration
    /// One of `allow block review challenge none`: the type of `verdict` and of the action names
    /// inside a counter's `when`.
    case action
    /// A list literal whose elements have type `T`.
    case list(VerdictType)
    /// The type of an expression that already failed to check; suppresses follow-on diagnostics.
    case error

    /// The spelling used in diagnostics and in the language reference.
    public var description: String {
        switch self {
        case .int: return "int"
        case .double: return "double"
        case .bool: return "bool"
        case .string: return "string"
        case .stringCaseInsensitive: return "string ci"
        case .country: return "country"
        case .ip: return "ip"
        case .timestamp: return "timestamp"
        case .duration: return "duration"
        case .action: return "action"
        case .list(let element): return "list<\(element)>"
        case .error: return "<error>"
        }
    }

    /// True for `string`, `string ci` and `country` (all compare and concatenate as text).
    public var isText: Bool {
        self == .string || self == .stringCaseInsensitive || self == .country
    }

    /// True for `int` and `double`.
    public var isNumeric: Bool { self == .int || self == .double }

    /// True when the type is `.error` (a diagnostic was already reported for this expression).
    public var isError: Bool { self == .error }

    /// The types a schema field can be declared with, by their spelling in `schema { }`.
    /// `string ci` is `string` plus the `ci` flag.
    public static let schemaTypeNames: [String: VerdictType] = [
        "int": .int, "double": .double, "bool": .bool, "string": .string,
        "country": .country, "ip": .ip, "timestamp": .timestamp,
    ]
}

/// What an LMDB-backed list holds, and therefore how `x in @list` looks a value up
/// (LANGUAGE.md §1, §3).
public enum ListKind: String, Sendable, Hashable, CaseIterable {
    /// Exact string match (case-insensitive when the list is declared `ci`).
    case string
    /// IP addresses and CIDR ranges: an address matches when a range contains it.
    case ip
    /// Longest-prefix match on a string key (card BIN ranges).
    case prefix
    /// ISO-3166 alpha-2 codes, exact match.
    case country

    /// The type a value must have to be looked up in a list of this kind.
    public var keyDescription: String {
        switch self {
        case .string, .prefix: return "string"
        case .ip: return "ip"
        case .country: return "country"
        }
    }
}

/// The model formats the engine can load (LANGUAGE.md §6).
public enum ModelKind: String, Sendable, Hashable, CaseIterable {
    case xgboost, lightgbm, linear
}
