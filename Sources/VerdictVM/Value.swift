// The VM's value representation: the 16-byte register slot (tag + length + 8-byte payload), the
// static value types the verifier checks, the runtime error kinds, and `Value`, the allocating
// Swift view of a slot used by tools and tests (never by the interpreter loop).
import Glibc

/// Static type of a register or constant, as chosen by the compiler and checked by the verifier.
/// Raw values equal the runtime tags of the same kind, so a type check is one byte compare.
public enum ValueType: UInt8, CaseIterable, Sendable, CustomStringConvertible {
    case bool = 2, int = 3, double = 4, string = 5, ip = 6
    /// A CIDR network (`10.0.0.0/8`); only as a constant operand of `cidr`.
    case network = 7

    public var description: String {
        switch self {
        case .bool: return "bool"
        case .int: return "int"
        case .double: return "double"
        case .string: return "string"
        case .ip: return "ip"
        case .network: return "network"
        }
    }
}

/// Runtime tag of a slot: a value of one of the `ValueType`s, or missing, error, or (for lazily
/// computed registers: `let`s, models, counter reads) not computed yet in this evaluation.
public enum Tag {
    public static let missing: UInt8 = 0
    public static let error: UInt8 = 1
    public static let bool: UInt8 = 2
    public static let int: UInt8 = 3
    public static let double: UInt8 = 4
    public static let string: UInt8 = 5
    public static let ip: UInt8 = 6
    public static let network: UInt8 = 7
    public static let unset: UInt8 = 8
}

/// Why an expression evaluated to an error value (LANGUAGE.md §4). Stored in the error slot's payload.
public enum RuntimeErrorKind: UInt64, Sendable, CustomStringConvertible {
    case overflow = 1, divisionByZero, conversion, host, badOperand = 6

    public var description: String {
        switch self {
        case .overflow: return "integer overflow"
        case .divisionByZero: return "division by zero"
        case .conversion: return "invalid conversion"
        case .host: return "host lookup failed"
        case .badOperand: return "no matching overload"
        }
    }
}

/// One register or constant: 16 bytes. `bits` holds an Int64/Double bit pattern, a bool (0/1), an
/// error kind, or for strings/ips/networks the byte offset into the request arena (whose prefix is
/// the program's constant bytes) with `length` bytes. A network keeps its prefix length in `aux`.
/// The first 8 bytes (little-endian: tag, aux, reserved, length) are one word, so that writing a
/// register is two stores, not five.
@frozen
public struct Slot: Equatable, Sendable {
    /// tag (bits 0-7), aux (8-15), reserved (16-31), length (32-63).
    @usableFromInline var header: UInt64
    public var bits: UInt64

    @inlinable @inline(__always)
    public init(tag: UInt8, bits: UInt64, length: UInt32 = 0, aux: UInt8 = 0) {
        header = UInt64(tag) | UInt64(aux) &<< 8 | UInt64(length) &<< 32
        self.bits = bits
    }

    public var tag: UInt8 {
        @inlinable @inline(__always) get { UInt8(truncatingIfNeeded: header) }
        @inlinable @inline(__always) set { header = header & ~0xFF | UInt64(newValue) }
    }
    public var aux: UInt8 {
        @inlinable @inline(__always) get { UInt8(truncatingIfNeeded: header &>> 8) }
        @inlinable @inline(__always) set { header = header & ~0xFF00 | UInt64(newValue) &<< 8 }
    }
    public var reserved: UInt16 {
        @inlinable @inline(__always) get { UInt16(truncatingIfNeeded: header &>> 16) }
        @inlinable @inline(__always) set { header = header & ~0xFFFF_0000 | UInt64(newValue) &<< 16 }
    }
    public var length: UInt32 {
        @inlinable @inline(__always) get { UInt32(truncatingIfNeeded: header &>> 32) }
        @inlinable @inline(__always) set { header = header & 0xFFFF_FFFF | UInt64(newValue) &<< 32 }
    }

    public static let missing = Slot(tag: Tag.missing, bits: 0)
    public static let unset = Slot(tag: Tag.unset, bits: 0)
    @inline(__always) public static func error(_ kind: RuntimeErrorKind) -> Slot { Slot(tag: Tag.error, bits: kind.rawValue) }
    @inline(__always) public static func bool(_ b: Bool) -> Slot { Slot(tag: Tag.bool, bits: b ? 1 : 0) }
    @inline(__always) public static func int(_ i: Int64) -> Slot { Slot(tag: Tag.int, bits: UInt64(bitPattern: i)) }
    @inline(__always) public static func double(_ d: Double) -> Slot { Slot(tag: Tag.double, bits: d.bitPattern) }

    @inline(__always) public var int: Int64 { Int64(bitPattern: bits) }
    @inline(__always) public var double: Double { Double(bitPattern: bits) }
    @inline(__always) public var offset: Int { Int(truncatingIfNeeded: bits) }
}

/// An IPv4 or IPv6 address as its network-order bytes (4 or 16).
public struct IPAddress: Hashable, Sendable, CustomStringConvertible {
    public let bytes: [UInt8]

    /// Parses dotted IPv4 or RFC 4291 IPv6 text; nil when it is neither.
    public init?(_ text: String) {
        var buffer = [UInt8](repeating: 0, count: 16)
        if inet_pton(AF_INET, text, &buffer) == 1 { bytes = Array(buffer[0..<4]); return }
        if inet_pton(AF_INET6, text, &buffer) == 1 { bytes = buffer; return }
        return nil
    }

    /// Wraps raw address bytes; nil unless there are exactly 4 or 16.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        self.bytes = bytes
    }

    public var description: String {
        var out = [CChar](repeating: 0, count: 64)
        let family = bytes.count == 4 ? AF_INET : AF_INET6
        _ = bytes.withUnsafeBytes { inet_ntop(family, $0.baseAddress, &out, 64) }
        return String(cString: out)
    }
}

/// A CIDR network: address bytes and prefix length (`10.0.0.0/8`).
public struct IPNetwork: Hashable, Sendable, CustomStringConvertible {
    public let address: IPAddress
    public let prefixLength: Int

    /// Parses `ADDRESS/PREFIX`; nil when malformed or the prefix exceeds the address width.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let address = IPAddress(String(parts[0])), let prefix = Int(parts[1]),
              prefix >= 0, prefix <= address.bytes.count * 8 else { return nil }
        self.address = address
        self.prefixLength = prefix
    }

    public init?(address: IPAddress, prefixLength: Int) {
        guard prefixLength >= 0, prefixLength <= address.bytes.count * 8 else { return nil }
        self.address = address
        self.prefixLength = prefixLength
    }

    public var description: String { "\(address)/\(prefixLength)" }
}

/// A value read out of a slot, for tools and tests (allocates; never used in the interpreter loop).
public enum Value: Hashable, Sendable, CustomStringConvertible {
    case missing
    case error(RuntimeErrorKind)
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case ip(IPAddress)
    case network(IPNetwork)

    /// CEL-style rendering: `true`, `42`, `1.5`, `"text"`, `ip("1.2.3.4")`, `missing`, `error: ...`.
    public var description: String {
        switch self {
        case .missing: return "missing"
        case .error(let kind): return "error: \(kind)"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d):
            if d.isNaN { return "NaN" }
            if d.isInfinite { return d > 0 ? "+infinity" : "-infinity" }
            if d == d.rounded(), abs(d) < 1e15 { return (d.sign == .minus && d == 0 ? "-" : "") + String(Int64(d)) + ".0" }
            return String(d)
        case .string(let s):
            var out = "\""
            for c in s.unicodeScalars {
                switch c {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\t": out += "\\t"
                default: out.unicodeScalars.append(c)
                }
            }
            return out + "\""
        case .ip(let a): return "ip(\"\(a)\")"
        case .network(let n): return "cidr(\"\(n)\")"
        }
    }

    /// The static type of this value, nil for missing and error.
    public var type: ValueType? {
        switch self {
        case .missing, .error: return nil
        case .bool: return .bool
        case .int: return .int
        case .double: return .double
        case .string: return .string
        case .ip: return .ip
        case .network: return .network
        }
    }
}
