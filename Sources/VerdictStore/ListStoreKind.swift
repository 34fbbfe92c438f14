// The four kinds of list and how each matches a value: exact bytes, ASCII case-insensitive,
// IP address inside an address or CIDR range, and longest prefix (card BIN ranges). The kind
// is stored as text in the metadata database, so external writers (python-lmdb, mdb_load) can
// declare lists too.

/// How a list's entries are keyed and matched.
public enum ListStoreKind: String, CaseIterable, Sendable, CustomStringConvertible {
    /// Exact match of the UTF-8 bytes.
    case string = "string"
    /// Match after folding ASCII letters to lower case. Other bytes (including non-ASCII
    /// letters) are compared exactly: `É` and `é` are different.
    case stringCaseInsensitive = "string ci"
    /// IPv4 and IPv6 addresses and CIDR ranges; a value matches the most specific range that
    /// contains it. IPv4-mapped IPv6 addresses (`::ffff:a.b.c.d`) are looked up as IPv4.
    case ip = "ip"
    /// Longest-prefix match: an entry matches every value it is a prefix of (BIN ranges).
    case prefix = "prefix"

    public var description: String { rawValue }

    /// Parses a kind as written in rules and on the command line (`string ci` or `string-ci`).
    public init?(text: String) {
        switch text.lowercased() {
        case "string": self = .string
        case "string ci", "string-ci", "ci": self = .stringCaseInsensitive
        case "ip", "cidr": self = .ip
        case "prefix": self = .prefix
        default: return nil
        }
    }
}
