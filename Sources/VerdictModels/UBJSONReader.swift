// A UBJSON reader for XGBoost `.ubj` model files (src/common/json.cc, UBJReader): big-endian
// scalars, object keys as length-prefixed bytes without an `S` marker, strongly typed arrays
// `[$<type>#<count>` (no closing bracket) and counted arrays `[#<count>`. Counts are checked
// against the remaining input before anything is allocated, and nesting depth is bounded.

/// Parses UBJSON bytes into a `JSONValue` tree.
struct UBJSONReader {
    private let bytes: [UInt8]
    private var position = 0
    private static let maxDepth = 128

    /// Parses a complete document; trailing bytes are an error.
    static func parse(_ bytes: [UInt8]) throws -> JSONValue {
        var reader = UBJSONReader(bytes: bytes)
        let value = try reader.value(depth: 0)
        guard reader.position == bytes.count else { throw reader.error("trailing bytes after the document") }
        return value
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    private func error(_ message: String) -> ModelError {
        .syntax(format: "UBJSON", offset: position, message: message)
    }

    private mutating func byte() throws -> UInt8 {
        guard position < bytes.count else { throw error("unexpected end of input") }
        position += 1
        return bytes[position - 1]
    }

    private mutating func bigEndian(_ width: Int) throws -> UInt64 {
        guard bytes.count - position >= width else { throw error("unexpected end of input") }
        var value: UInt64 = 0
        for index in 0..<width { value = value << 8 | UInt64(bytes[position + index]) }
        position += width
        return value
    }

    /// The scalar of type `marker` (already consumed).
    private mutating func scalar(_ marker: UInt8) throws -> JSONValue? {
        func integer(_ value: Int64) -> JSONValue { .number(double: Double(value), float: Float(value)) }
        switch marker {
        case UInt8(ascii: "i"): return integer(Int64(Int8(truncatingIfNeeded: try bigEndian(1))))
        case UInt8(ascii: "U"): return integer(Int64(try bigEndian(1)))
        case UInt8(ascii: "I"): return integer(Int64(Int16(truncatingIfNeeded: try bigEndian(2))))
        case UInt8(ascii: "l"): return integer(Int64(Int32(truncatingIfNeeded: try bigEndian(4))))
        case UInt8(ascii: "L"): return integer(Int64(bitPattern: try bigEndian(8)))
        case UInt8(ascii: "d"):
            let value = Float(bitPattern: UInt32(try bigEndian(4)))
            return .number(double: Double(value), float: value)
        case UInt8(ascii: "D"):
            let value = Double(bitPattern: try bigEndian(8))
            return .number(double: value, float: Float(value))
        case UInt8(ascii: "T"): return .bool(true)
        case UInt8(ascii: "F"): return .bool(false)
        case UInt8(ascii: "Z"): return .null
        case UInt8(ascii: "C"): return .string(String(UnicodeScalar(try byte())))
        default: return nil
        }
    }

    /// A length or count: an integer value with its own type marker, non-negative and small enough.
    private mutating func count(elementSize: Int) throws -> Int {
        let marker = try byte()
        guard case .number(let value, _)? = try scalar(marker), value >= 0, value == value.rounded(),
              value <= Double(bytes.count - position) / Double(max(elementSize, 1))
        else { throw error("invalid or oversized length") }
        return Int(value)
    }

    private mutating func text() throws -> String {
        let length = try count(elementSize: 1)
        let text = String(decoding: bytes[position..<position + length], as: UTF8.self)
        position += length
        return text
    }

    private mutating func value(depth: Int) throws -> JSONValue {
        guard depth < Self.maxDepth else { throw error("nesting deeper than \(Self.maxDepth)") }
        var marker = try byte()
        while marker == UInt8(ascii: "N") { marker = try byte() }
        if let scalar = try scalar(marker) { return scalar }
        switch marker {
        case UInt8(ascii: "S"): return .string(try text())
        case UInt8(ascii: "["): return try array(depth: depth)
        case UInt8(ascii: "{"): return try object(depth: depth)
        default: position -= 1; throw error("unknown type marker \(marker)")
        }
    }

    private mutating func array(depth: Int) throws -> JSONValue {
        var elementType: UInt8?
        if position < bytes.count, bytes[position] == UInt8(ascii: "$") {
            position += 1
            elementType = try byte()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "#") else { throw error("typed array without a count") }
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: "#") {
            position += 1
            let sizes: [UInt8: Int] = [UInt8(ascii: "i"): 1, UInt8(ascii: "U"): 1, UInt8(ascii: "I"): 2,
                                       UInt8(ascii: "l"): 4, UInt8(ascii: "L"): 8, UInt8(ascii: "d"): 4,
                                       UInt8(ascii: "D"): 8]
            let n = try count(elementSize: elementType.flatMap { sizes[$0] } ?? 1)
            var items: [JSONValue] = []
            items.reserveCapacity(n)
            for _ in 0..<n {
                if let type = elementType {
                    guard let item = try scalar(type) else { throw error("unsupported typed-array element \(type)") }
                    items.append(item)
                } else {
                    items.append(try value(depth: depth + 1))
                }
            }
            return .array(items)
        }
        var items: [JSONValue] = []
        while true {
            guard position < bytes.count else { throw error("unterminated array") }
            if bytes[position] == UInt8(ascii: "]") { position += 1; return .array(items) }
            items.append(try value(depth: depth + 1))
        }
    }

    private mutating func object(depth: Int) throws -> JSONValue {
        var members: [String: JSONValue] = [:], order: [String] = []
        if position < bytes.count, bytes[position] == UInt8(ascii: "#") {
            position += 1
            let n = try count(elementSize: 2)
            for _ in 0..<n {
                let key = try text()
                if members.updateValue(try value(depth: depth + 1), forKey: key) == nil { order.append(key) }
            }
            return .object(members, order: order)
        }
        while true {
            guard position < bytes.count else { throw error("unterminated object") }
            if bytes[position] == UInt8(ascii: "}") { position += 1; return .object(members, order: order) }
            let key = try text()
            if members.updateValue(try value(depth: depth + 1), forKey: key) == nil { order.append(key) }
        }
    }
}
