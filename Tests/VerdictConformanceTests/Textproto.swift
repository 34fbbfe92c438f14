// A small reader for protobuf text format, just enough for the CEL conformance files
// (../shared/conformance/cel/*.textproto): `name: value`, `name { ... }` / `name: { ... }`,
// comments, single/double-quoted strings with C escapes (octal, \x, \u, \U) and adjacent-literal
// concatenation, numbers, enum identifiers and `inf`/`nan`. It builds an untyped tree; the typed
// view of the SimpleTest schema lives in ConformanceCase.swift.

/// One field value in a text-format message.
indirect enum TextprotoValue: Equatable {
    /// A quoted string, as raw bytes (text format strings are byte strings).
    case string([UInt8])
    /// An unquoted scalar as written: a number, `true`, an enum name, `inf`.
    case scalar(String)
    case message(TextprotoMessage)
}

/// A text-format message: its fields in order (repeated fields appear several times).
struct TextprotoMessage: Equatable {
    var fields: [TextprotoField] = []

    /// All values of a field.
    func all(_ name: String) -> [TextprotoValue] { fields.filter { $0.name == name }.map(\.value) }
    /// The last value of a field (text format: a repeated singular field keeps the last).
    func first(_ name: String) -> TextprotoValue? { fields.last { $0.name == name }?.value }
    /// A sub-message field.
    func message(_ name: String) -> TextprotoMessage? {
        if case .message(let m)? = first(name) { return m }
        return nil
    }
    /// A string field decoded as UTF-8 (invalid sequences replaced).
    func string(_ name: String) -> String? {
        if case .string(let bytes)? = first(name) { return String(decoding: bytes, as: UTF8.self) }
        return nil
    }
    /// A bool field (`true`/`false`/`1`/`0`).
    func bool(_ name: String) -> Bool {
        if case .scalar(let s)? = first(name) { return s == "true" || s == "1" || s == "True" }
        return false
    }
}

/// One `name: value` of a message.
struct TextprotoField: Equatable {
    var name: String
    var value: TextprotoValue
}

/// A syntax error in a text-format file, with its byte offset.
struct TextprotoError: Error, CustomStringConvertible {
    var offset: Int
    var message: String
    var description: String { "textproto: offset \(offset): \(message)" }
}

/// Parses protobuf text format into a `TextprotoMessage` (the top-level message's fields).
struct TextprotoParser {
    private let bytes: [UInt8]
    private var position = 0

    init(_ text: String) { bytes = Array(text.utf8) }

    /// Parses the whole input as one message body.
    static func parse(_ text: String) throws -> TextprotoMessage {
        var parser = TextprotoParser(text)
        let message = try parser.parseFields(until: nil)
        return message
    }

    private mutating func parseFields(until closing: UInt8?) throws -> TextprotoMessage {
        var message = TextprotoMessage()
        while true {
            skipTrivia()
            guard position < bytes.count else {
                if closing != nil { throw TextprotoError(offset: position, message: "unterminated message") }
                return message
            }
            if let closing, bytes[position] == closing { position += 1; return message }
            let name = try parseFieldName()
            skipTrivia()
            var sawColon = false
            if peek() == UInt8(ascii: ":") { position += 1; sawColon = true; skipTrivia() }
            let value: TextprotoValue
            if let open = peek(), open == UInt8(ascii: "{") || open == UInt8(ascii: "<") {
                position += 1
                value = .message(try parseFields(until: open == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: ">")))
            } else if sawColon {
                value = try parseScalar()
            } else {
                throw TextprotoError(offset: position, message: "expected ':' or '{' after field '\(name)'")
            }
            message.fields.append(TextprotoField(name: name, value: value))
            skipTrivia()
            if let c = peek(), c == UInt8(ascii: ",") || c == UInt8(ascii: ";") { position += 1 }
        }
    }

    private mutating func parseFieldName() throws -> String {
        if peek() == UInt8(ascii: "[") {  // extension or Any type URL: [a.b/c.D]
            let start = position
            while position < bytes.count, bytes[position] != UInt8(ascii: "]") { position += 1 }
            guard position < bytes.count else { throw TextprotoError(offset: start, message: "unterminated [name]") }
            position += 1
            return String(decoding: bytes[start..<position], as: UTF8.self)
        }
        let name = identifier()
        guard !name.isEmpty else { throw TextprotoError(offset: position, message: "expected a field name") }
        return name
    }

    private mutating func parseScalar() throws -> TextprotoValue {
        guard let c = peek() else { throw TextprotoError(offset: position, message: "expected a value") }
        if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") {
            var result: [UInt8] = []
            // Adjacent string literals concatenate.
            while let q = peek(), q == UInt8(ascii: "\"") || q == UInt8(ascii: "'") {
                result += try parseQuoted()
                skipTrivia()
            }
            return .string(result)
        }
        let start = position
        while position < bytes.count, isScalarByte(bytes[position]) { position += 1 }
        guard position > start else { throw TextprotoError(offset: position, message: "expected a value") }
        return .scalar(String(decoding: bytes[start..<position], as: UTF8.self))
    }

    private mutating func parseQuoted() throws -> [UInt8] {
        let quote = bytes[position]
        let start = position
        position += 1
        var out: [UInt8] = []
        while true {
            guard position < bytes.count else { throw TextprotoError(offset: start, message: "unterminated string") }
            let c = bytes[position]
            position += 1
            if c == quote { return out }
            if c == UInt8(ascii: "\n") { throw TextprotoError(offset: start, message: "newline in string") }
            guard c == UInt8(ascii: "\\") else { out.append(c); continue }
            guard position < bytes.count else { throw TextprotoError(offset: start, message: "unterminated escape") }
            let e = bytes[position]
            position += 1
            switch e {
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "a"): out.append(0x07)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "v"): out.append(0x0B)
            case UInt8(ascii: "0")...UInt8(ascii: "7"):
                var value = UInt32(e - UInt8(ascii: "0"))
                var digits = 1
                while digits < 3, let d = peek(), d >= UInt8(ascii: "0"), d <= UInt8(ascii: "7") {
                    value = value * 8 + UInt32(d - UInt8(ascii: "0")); position += 1; digits += 1
                }
                out.append(UInt8(truncatingIfNeeded: value))
            case UInt8(ascii: "x"), UInt8(ascii: "X"):
                out.append(UInt8(truncatingIfNeeded: try hexDigits(max: 2, exactly: false, start: start)))
            case UInt8(ascii: "u"), UInt8(ascii: "U"):
                let scalar = try hexDigits(max: e == UInt8(ascii: "u") ? 4 : 8, exactly: true, start: start)
                guard let unicode = Unicode.Scalar(scalar) else {
                    throw TextprotoError(offset: start, message: "invalid code point in \\u escape")
                }
                out += Array(String(Character(unicode)).utf8)
            default: out.append(e)  // \\ \' \" \?
            }
        }
    }

    private mutating func hexDigits(max: Int, exactly: Bool, start: Int) throws -> UInt32 {
        var value: UInt32 = 0
        var count = 0
        while count < max, let d = peek(), let v = hexValue(d) { value = value * 16 + v; position += 1; count += 1 }
        if count == 0 || (exactly && count != max) { throw TextprotoError(offset: start, message: "bad hex escape") }
        return value
    }

    private func hexValue(_ d: UInt8) -> UInt32? {
        switch d {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(d - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(d - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(d - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }

    private func isScalarByte(_ c: UInt8) -> Bool {
        isIdentifierByte(c) || c == UInt8(ascii: "-") || c == UInt8(ascii: "+") || c == UInt8(ascii: ".")
    }

    private func isIdentifierByte(_ c: UInt8) -> Bool {
        (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
            || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || c == UInt8(ascii: "_")
    }

    private mutating func identifier() -> String {
        let start = position
        while position < bytes.count, isIdentifierByte(bytes[position]) { position += 1 }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    private func peek() -> UInt8? { position < bytes.count ? bytes[position] : nil }

    private mutating func skipTrivia() {
        while position < bytes.count {
            let c = bytes[position]
            if c == UInt8(ascii: "#") {
                while position < bytes.count, bytes[position] != UInt8(ascii: "\n") { position += 1 }
            } else if c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D {
                position += 1
            } else {
                return
            }
        }
    }
}
