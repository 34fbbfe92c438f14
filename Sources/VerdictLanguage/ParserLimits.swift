// Hard limits of the front end (LANGUAGE.md §8) and the byte-level checks every file passes before
// it is lexed: size, UTF-8 validity, NUL bytes. Each limit is enforced with a diagnostic, never a
// crash or an unbounded recursion.

/// The limits the lexer and parser enforce.
public enum ParserLimits {
    /// Maximum nesting of recursive productions (parentheses, unary chains, calls, lists, operator
    /// chains) in one expression.
    public static let maxNestingDepth = 250
    /// Maximum size of one rules file in bytes (4 MiB).
    public static let maxFileBytes = 4 * 1024 * 1024
    /// Maximum number of rules (`rule` and Radar rules) in one ruleset.
    public static let maxRules = 10_000
    /// Maximum number of threshold clauses in one ruleset (checked by the checker across files).
    public static let maxThresholdClauses = 64
    /// Maximum number of elements in one list literal.
    public static let maxListElements = 256
}

/// Byte-level validation of a source file before lexing.
enum SourceValidation {
    /// Reports the first problem with the file's bytes (too large, NUL byte, invalid UTF-8) and
    /// returns false, or returns true when the file can be lexed.
    static func validate(_ file: SourceFile, _ diagnostics: inout DiagnosticBag) -> Bool {
        let bytes = file.bytes
        if bytes.count > ParserLimits.maxFileBytes {
            diagnostics.report(.error(.fileTooLarge,
                                      "file is \(bytes.count) bytes; the limit is \(ParserLimits.maxFileBytes) bytes (4 MiB)",
                                      at: .wholeFile(file.id),
                                      hint: "split the ruleset into several files in one directory"))
            return false
        }
        var offset = 0
        while offset < bytes.count {
            let byte = bytes[offset]
            if byte == 0 {
                diagnostics.report(.error(.nulByte, "file contains a NUL byte", at: SourceRange(file: file.id, start: offset, end: offset + 1),
                                          hint: "rules files are UTF-8 text; is this a binary file?"))
                return false
            }
            if byte < 0x80 { offset += 1; continue }
            let length = utf8SequenceLength(bytes, offset)
            if length == 0 {
                diagnostics.report(.error(.invalidUTF8, "file is not valid UTF-8 (byte 0x\(String(byte, radix: 16, uppercase: true)))",
                                          at: SourceRange(file: file.id, start: offset, end: offset + 1),
                                          hint: "save the file as UTF-8"))
                return false
            }
            offset += length
        }
        return true
    }

    /// Length of the well-formed UTF-8 sequence starting at `offset` (Unicode Table 3-7), or 0.
    private static func utf8SequenceLength(_ bytes: [UInt8], _ offset: Int) -> Int {
        func at(_ i: Int) -> UInt8 { offset + i < bytes.count ? bytes[offset + i] : 0 }
        func continuation(_ b: UInt8) -> Bool { b & 0xC0 == 0x80 }
        let lead = bytes[offset]
        switch lead {
        case 0xC2...0xDF:
            return continuation(at(1)) ? 2 : 0
        case 0xE0:
            return (0xA0...0xBF).contains(at(1)) && continuation(at(2)) ? 3 : 0
        case 0xE1...0xEC, 0xEE...0xEF:
            return continuation(at(1)) && continuation(at(2)) ? 3 : 0
        case 0xED:
            return (0x80...0x9F).contains(at(1)) && continuation(at(2)) ? 3 : 0
        case 0xF0:
            return (0x90...0xBF).contains(at(1)) && continuation(at(2)) && continuation(at(3)) ? 4 : 0
        case 0xF1...0xF3:
            return continuation(at(1)) && continuation(at(2)) && continuation(at(3)) ? 4 : 0
        case 0xF4:
            return (0x80...0x8F).contains(at(1)) && continuation(at(2)) && continuation(at(3)) ? 4 : 0
        default:
            return 0
        }
    }
}
