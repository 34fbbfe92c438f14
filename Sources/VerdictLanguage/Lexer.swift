// The lexer: bytes of one rules file to tokens, on demand (the parser pulls one token at a time, so
// a 4 MiB file never becomes a 4-million-element token array). Literals are decoded here (CEL
// escapes, duration units, integer overflow) and `//` comments are collected for the formatter.
// Lexical errors are reported once, here, and surface as an `.invalid` token the parser skips.

/// Turns source bytes into tokens. The file must already have passed `SourceValidation` (valid
/// UTF-8, no NUL bytes, within the size limit).
struct Lexer {
    let fileID: SourceFileID
    let bytes: [UInt8]
    private(set) var offset = 0
    private var atLineStart = true
    /// Every `//` comment seen so far, in source order.
    private(set) var comments: [Comment] = []

    init(file: SourceFile) {
        self.fileID = file.id
        self.bytes = file.bytes
    }

    /// Moves the read position forward (the parser's multi-word Radar action).
    mutating func skip(to position: Int) {
        offset = max(offset, min(position, bytes.count))
    }

    /// Moves the read position to the line break that ends the line containing `position` (error
    /// recovery: the rest of a broken line is not lexed).
    mutating func skipLine(from position: Int) {
        offset = min(position, bytes.count)
        while offset < bytes.count, bytes[offset] != UInt8(ascii: "\n") { offset += 1 }
    }

    private func byte(at index: Int) -> UInt8 {
        index < bytes.count ? bytes[index] : 0
    }

    private func range(_ start: Int, _ end: Int) -> SourceRange {
        SourceRange(file: fileID, start: start, end: end)
    }

    /// The next token; `.endOfFile` forever once the input is exhausted.
    mutating func next(_ diagnostics: inout DiagnosticBag) -> Token {
        skipTrivia()
        let start = offset
        let startsLine = atLineStart
        atLineStart = false
        guard offset < bytes.count else {
            return Token(kind: .endOfFile, range: range(bytes.count, bytes.count), startsLine: true)
        }
        var token = scan(&diagnostics)
        token.range = range(start, offset)
        token.startsLine = startsLine
        return token
    }

    private mutating func skipTrivia() {
        while offset < bytes.count {
            switch bytes[offset] {
            case UInt8(ascii: "\n"):
                atLineStart = true
                offset += 1
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
                offset += 1
            case UInt8(ascii: "/") where byte(at: offset + 1) == UInt8(ascii: "/"):
                let start = offset
                while offset < bytes.count, bytes[offset] != UInt8(ascii: "\n") { offset += 1 }
                var end = offset
                if end > start, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                let text = String(decoding: bytes[start..<end], as: UTF8.self)
                comments.append(Comment(text: text, range: range(start, end), ownLine: atLineStart))
            default:
                return
            }
        }
    }

    private func token(_ kind: TokenKind, _ value: TokenValue = .none) -> Token {
        Token(kind: kind, range: .none, startsLine: false, value: value)
    }

    private mutating func scan(_ diagnostics: inout DiagnosticBag) -> Token {
        let start = offset
        let first = bytes[offset]
        offset += 1
        switch first {
        case UInt8(ascii: "("): return token(.leftParen)
        case UInt8(ascii: ")"): return token(.rightParen)
        case UInt8(ascii: "["): return token(.leftBracket)
        case UInt8(ascii: "]"): return token(.rightBracket)
        case UInt8(ascii: "{"): return token(.leftBrace)
        case UInt8(ascii: "}"): return token(.rightBrace)
        case UInt8(ascii: ","): return token(.comma)
        case UInt8(ascii: "?"): return token(.question)
        case UInt8(ascii: "+"): return token(.plus)
        case UInt8(ascii: "-"): return token(.minus)
        case UInt8(ascii: "*"): return token(.star)
        case UInt8(ascii: "/"): return token(.slash)
        case UInt8(ascii: "%"): return token(.percent)
        case UInt8(ascii: "."):
            if isDigit(byte(at: offset)) {
                // CEL allows a double literal to start with its point: `.99`.
                offset = start
                return scanNumber(&diagnostics)
            }
            return token(.dot)
        case UInt8(ascii: "!"):
            if byte(at: offset) == UInt8(ascii: "=") { offset += 1; return token(.bangEqual) }
            return token(.bang)
        case UInt8(ascii: "="):
            if byte(at: offset) == UInt8(ascii: "=") { offset += 1; return token(.equalEqual) }
            return token(.equal)
        case UInt8(ascii: "<"):
            if byte(at: offset) == UInt8(ascii: "=") { offset += 1; return token(.lessEqual) }
            return token(.less)
        case UInt8(ascii: ">"):
            if byte(at: offset) == UInt8(ascii: "=") { offset += 1; return token(.greaterEqual) }
            return token(.greater)
        case UInt8(ascii: "&"):
            if byte(at: offset) == UInt8(ascii: "&") { offset += 1; return token(.ampersandAmpersand) }
            diagnostics.report(.error(.unexpectedCharacter, "unexpected character '&'", at: range(start, offset),
                                      hint: "logical and is written '&&' or 'and'"))
            return token(.invalid)
        case UInt8(ascii: "|"):
            if byte(at: offset) == UInt8(ascii: "|") { offset += 1; return token(.pipePipe) }
            diagnostics.report(.error(.unexpectedCharacter, "unexpected character '|'", at: range(start, offset),
                                      hint: "logical or is written '||' or 'or'"))
            return token(.invalid)
        case UInt8(ascii: ":"):
            return scanColon(start)
        case UInt8(ascii: "@"):
            if isIdentifierStart(byte(at: offset)) {
                let nameStart = offset
                while isIdentifierPart(byte(at: offset)) { offset += 1 }
                return token(.listReference, .string(String(decoding: bytes[nameStart..<offset], as: UTF8.self)))
            }
            diagnostics.report(.error(.syntax, "expected a list name after '@'", at: range(start, offset),
                                      hint: "a list reference looks like '@blocked_emails'"))
            return token(.invalid)
        case UInt8(ascii: "\""), UInt8(ascii: "'"):
            offset = start
            return scanString(raw: false, &diagnostics)
        case UInt8(ascii: "0")...UInt8(ascii: "9"):
            offset = start
            return scanNumber(&diagnostics)
        default:
            if isIdentifierStart(first) {
                if (first | 0x20) == UInt8(ascii: "r"), byte(at: offset) == UInt8(ascii: "\"") || byte(at: offset) == UInt8(ascii: "'") {
                    return scanString(raw: true, &diagnostics)
                }
                while isIdentifierPart(byte(at: offset)) { offset += 1 }
                let text = String(decoding: bytes[start..<offset], as: UTF8.self)
                var identifier = token(.identifier, .text(text))
                identifier.keyword = Keyword.classify(text)
                return identifier
            }
            return scanUnexpected(start, &diagnostics)
        }
    }

    /// A run of characters that cannot start any token, reported once.
    private mutating func scanUnexpected(_ start: Int, _ diagnostics: inout DiagnosticBag) -> Token {
        offset = start
        repeat {
            offset += 1
            while offset < bytes.count, bytes[offset] & 0xC0 == 0x80 { offset += 1 }
        } while offset < bytes.count && !startsToken(bytes[offset])
        let text = String(decoding: bytes[start..<offset], as: UTF8.self)
        var hint: String? = nil
        if text.hasPrefix("#") { hint = "comments start with '//'" }
        else if text.hasPrefix("$") { hint = "amounts are plain numbers: write 1000.00, not $1000.00" }
        else if text.hasPrefix("\u{201C}") || text.hasPrefix("\u{2018}") { hint = "use straight quotes (\" or ') around strings" }
        let shown = text.count == 1 ? "character '\(text)'" : "characters '\(text)'"
        diagnostics.report(.error(.unexpectedCharacter, "unexpected \(shown)", at: range(start, offset), hint: hint))
        return token(.invalid)
    }

    private func startsToken(_ byte: UInt8) -> Bool {
        if isIdentifierPart(byte) { return true }
        switch byte {
        case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"), UInt8(ascii: "\n"),
             UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "{"),
             UInt8(ascii: "}"), UInt8(ascii: ","), UInt8(ascii: "."), UInt8(ascii: ":"), UInt8(ascii: "?"),
             UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "*"), UInt8(ascii: "/"), UInt8(ascii: "%"),
             UInt8(ascii: "!"), UInt8(ascii: "="), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "&"),
             UInt8(ascii: "|"), UInt8(ascii: "@"), UInt8(ascii: "\""), UInt8(ascii: "'"):
            return true
        default:
            return false
        }
    }

    /// `:`, `:attr:`, `:a.b:` or `::key::`.
    private mutating func scanColon(_ start: Int) -> Token {
        if byte(at: offset) == UInt8(ascii: ":"), isIdentifierStart(byte(at: offset + 1)) {
            var end = offset + 1
            while isIdentifierPart(byte(at: end)) { end += 1 }
            if byte(at: end) == UInt8(ascii: ":"), byte(at: end + 1) == UInt8(ascii: ":") {
                let key = String(decoding: bytes[(offset + 1)..<end], as: UTF8.self)
                offset = end + 2
                return token(.radarMetadata, .string(key))
            }
        }
        if isIdentifierStart(byte(at: offset)) {
            var end = offset
            while isIdentifierPart(byte(at: end)) || (byte(at: end) == UInt8(ascii: ".") && isIdentifierStart(byte(at: end + 1))) {
                end += 1
            }
            if byte(at: end) == UInt8(ascii: ":") {
                let path = String(decoding: bytes[offset..<end], as: UTF8.self)
                offset = end + 1
                return token(.radarAttribute, .names(path.split(separator: ".").map(String.init)))
            }
        }
        return token(.colon)
    }

    // MARK: Numbers and durations

    private mutating func scanNumber(_ diagnostics: inout DiagnosticBag) -> Token {
        let start = offset
        if byte(at: offset) == UInt8(ascii: "0"), byte(at: offset + 1) | 0x20 == UInt8(ascii: "x"), isHexDigit(byte(at: offset + 2)) {
            offset += 2
            var value: UInt64 = 0
            var overflow = false
            while isHexDigit(byte(at: offset)) {
                let (shifted, o1) = value.multipliedReportingOverflow(by: 16)
                let (sum, o2) = shifted.addingReportingOverflow(UInt64(hexValue(byte(at: offset))))
                overflow = overflow || o1 || o2
                value = sum
                offset += 1
            }
            return finishInteger(start, value, overflow, &diagnostics)
        }
        while isDigit(byte(at: offset)) { offset += 1 }
        var isDouble = false
        if byte(at: offset) == UInt8(ascii: "."), isDigit(byte(at: offset + 1)) {
            isDouble = true
            offset += 1
            while isDigit(byte(at: offset)) { offset += 1 }
        }
        if byte(at: offset) | 0x20 == UInt8(ascii: "e") {
            var look = offset + 1
            if byte(at: look) == UInt8(ascii: "+") || byte(at: look) == UInt8(ascii: "-") { look += 1 }
            if isDigit(byte(at: look)) {
                isDouble = true
                offset = look
                while isDigit(byte(at: offset)) { offset += 1 }
            }
        }
        let digits = String(decoding: bytes[start..<offset], as: UTF8.self)
        if isDouble {
            if isIdentifierPart(byte(at: offset)) { return badSuffix(start, &diagnostics) }
            guard let value = Double(digits), value.isFinite else {
                diagnostics.report(.error(.invalidLiteral, "number literal '\(digits)' is out of range", at: range(start, offset)))
                return token(.invalid)
            }
            return token(.double, .double(value))
        }
        // Duration: digits immediately followed by one unit letter and nothing else name-like.
        if let unit = DurationUnit(rawValue: String(UnicodeScalar(byte(at: offset)))), !isIdentifierPart(byte(at: offset + 1)) {
            offset += 1
            guard let count = Int64(digits) else {
                diagnostics.report(.error(.invalidLiteral, "duration '\(digits)\(unit.rawValue)' is out of range", at: range(start, offset)))
                return token(.invalid)
            }
            return token(.duration, .duration(count, unit))
        }
        guard let value = UInt64(digits) else {
            while isIdentifierPart(byte(at: offset)) { offset += 1 }
            return finishInteger(start, 0, true, &diagnostics)
        }
        return finishInteger(start, value, false, &diagnostics)
    }

    private mutating func finishInteger(_ start: Int, _ value: UInt64, _ overflow: Bool, _ diagnostics: inout DiagnosticBag) -> Token {
        if isIdentifierPart(byte(at: offset)) { return badSuffix(start, &diagnostics) }
        if overflow || value > UInt64(Int64.max) + 1 {
            let text = String(decoding: bytes[start..<offset], as: UTF8.self)
            diagnostics.report(.error(.invalidLiteral, "integer literal '\(text)' does not fit in 64 bits", at: range(start, offset),
                                      hint: "integers range from -9223372036854775808 to 9223372036854775807"))
            return token(.invalid)
        }
        return token(.integer, .integer(value))
    }

    private mutating func badSuffix(_ start: Int, _ diagnostics: inout DiagnosticBag) -> Token {
        while isIdentifierPart(byte(at: offset)) { offset += 1 }
        let text = String(decoding: bytes[start..<offset], as: UTF8.self)
        var hint = "durations are a whole number and one of s, m, h, d (for example 30s, 15m, 1h, 7d)"
        if text.last == "u" || text.last == "U" { hint = "unsigned integers are not supported; drop the 'u'" }
        diagnostics.report(.error(.invalidLiteral, "invalid number literal '\(text)'", at: range(start, offset), hint: hint))
        return token(.invalid)
    }

    // MARK: Strings

    /// A CEL string literal: `"..."`, `'...'`, `"""..."""`, `'''...'''`, optionally raw (`r"..."`,
    /// no escape processing). `offset` is at the opening quote.
    private mutating func scanString(raw: Bool, _ diagnostics: inout DiagnosticBag) -> Token {
        let literalStart = raw ? offset - 1 : offset
        let quote = bytes[offset]
        let triple = byte(at: offset + 1) == quote && byte(at: offset + 2) == quote
        offset += triple ? 3 : 1
        var scalars = String.UnicodeScalarView()
        var broken = false
        var segmentStart = offset
        func flush(_ end: Int, into scalars: inout String.UnicodeScalarView) {
            if end > segmentStart { scalars.append(contentsOf: String(decoding: bytes[segmentStart..<end], as: UTF8.self).unicodeScalars) }
        }
        while true {
            guard offset < bytes.count, triple || (bytes[offset] != UInt8(ascii: "\n") && bytes[offset] != UInt8(ascii: "\r")) else {
                diagnostics.report(.error(.unterminatedString, "unterminated string literal",
                                          at: range(literalStart, literalStart + (triple ? 3 : 1) + (raw ? 1 : 0)),
                                          hint: triple ? "close it with \(String(repeating: String(UnicodeScalar(quote)), count: 3))"
                                                       : "close the string with \(String(UnicodeScalar(quote))) before the end of the line"))
                return token(.invalid)
            }
            let current = bytes[offset]
            if current == quote, !triple || (byte(at: offset + 1) == quote && byte(at: offset + 2) == quote) {
                flush(offset, into: &scalars)
                offset += triple ? 3 : 1
                return broken ? token(.invalid) : token(.string, .string(String(scalars)))
            }
            if current == UInt8(ascii: "\\"), !raw {
                flush(offset, into: &scalars)
                if let scalar = scanEscape(&diagnostics) { scalars.append(scalar) } else { broken = true }
                segmentStart = offset
                continue
            }
            offset += 1
        }
    }

    /// One escape sequence at `offset` (the backslash); nil after reporting an invalid one.
    private mutating func scanEscape(_ diagnostics: inout DiagnosticBag) -> Unicode.Scalar? {
        let start = offset
        offset += 1
        let letter = byte(at: offset)
        offset += 1
        switch letter {
        case UInt8(ascii: "a"): return "\u{07}"
        case UInt8(ascii: "b"): return "\u{08}"
        case UInt8(ascii: "f"): return "\u{0C}"
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "v"): return "\u{0B}"
        case UInt8(ascii: "\\"), UInt8(ascii: "?"), UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "`"):
            return Unicode.Scalar(letter)
        case UInt8(ascii: "x"), UInt8(ascii: "X"), UInt8(ascii: "u"), UInt8(ascii: "U"):
            let count = letter == UInt8(ascii: "u") ? 4 : letter == UInt8(ascii: "U") ? 8 : 2
            var value: UInt32 = 0
            for _ in 0..<count {
                guard isHexDigit(byte(at: offset)) else {
                    return invalidEscape(start, "escape '\\\(UnicodeScalar(letter))' needs \(count) hex digits", &diagnostics)
                }
                value = value * 16 + UInt32(hexValue(byte(at: offset)))
                offset += 1
            }
            guard let scalar = Unicode.Scalar(value) else {
                return invalidEscape(start, "escape does not name a Unicode scalar value (surrogate or above U+10FFFF)", &diagnostics)
            }
            return scalar
        case UInt8(ascii: "0")...UInt8(ascii: "3"):
            var value = UInt32(letter - UInt8(ascii: "0"))
            for _ in 0..<2 {
                let digit = byte(at: offset)
                guard digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "7") else {
                    return invalidEscape(start, "octal escape needs three digits (\\000 to \\377)", &diagnostics)
                }
                value = value * 8 + UInt32(digit - UInt8(ascii: "0"))
                offset += 1
            }
            return Unicode.Scalar(value)
        default:
            if letter == UInt8(ascii: "\n") || letter == 0 { offset -= 1 }
            else { while offset < bytes.count, bytes[offset] & 0xC0 == 0x80 { offset += 1 } }
            return invalidEscape(start, "invalid escape sequence '\(String(decoding: bytes[start..<offset], as: UTF8.self))'", &diagnostics)
        }
    }

    private func invalidEscape(_ start: Int, _ message: String, _ diagnostics: inout DiagnosticBag) -> Unicode.Scalar? {
        diagnostics.report(.error(.invalidEscape, message, at: range(start, offset),
                                  hint: "valid escapes: \\n \\t \\r \\\\ \\\" \\' \\xHH \\uHHHH \\UHHHHHHHH \\ooo; for a literal backslash write \\\\ or use a raw string r\"...\""))
        return nil
    }
}

// MARK: - Character classes

@inline(__always) func isIdentifierStart(_ byte: UInt8) -> Bool {
    (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z") || byte == UInt8(ascii: "_")
}

@inline(__always) func isIdentifierPart(_ byte: UInt8) -> Bool {
    isIdentifierStart(byte) || isDigit(byte)
}

@inline(__always) func isDigit(_ byte: UInt8) -> Bool {
    byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
}

@inline(__always) private func isHexDigit(_ byte: UInt8) -> Bool {
    isDigit(byte) || ((byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "f"))
}

@inline(__always) private func hexValue(_ byte: UInt8) -> UInt8 {
    isDigit(byte) ? byte - UInt8(ascii: "0") : (byte | 0x20) - UInt8(ascii: "a") + 10
}
