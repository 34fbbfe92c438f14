// The stable codes of the diagnostics the lexer and parser report (docs/language.md lists each
// with an example). Codes are lower-kebab and never change meaning; tools match on them.

/// Codes of syntax-level diagnostics.
public enum SyntaxDiagnosticCode: String, CaseIterable, Sendable {
    /// Tokens in an order the grammar does not allow.
    case syntax
    /// A character that cannot start any token (`$`, `#`, a lone `&`, curly quotes).
    case unexpectedCharacter = "unexpected-character"
    /// A number or duration literal that is malformed or out of range, or a rollout outside 0-100%.
    case invalidLiteral = "invalid-literal"
    /// A backslash escape a string literal does not allow.
    case invalidEscape = "invalid-escape"
    /// A string literal without its closing quote.
    case unterminatedString = "unterminated-string"
    /// An expression nested deeper than `ParserLimits.maxNestingDepth`.
    case nestingTooDeep = "nesting-too-deep"
    /// A list literal with more than `ParserLimits.maxListElements` elements.
    case listTooLong = "list-too-long"
    /// A file that is not valid UTF-8.
    case invalidUTF8 = "invalid-utf8"
    /// A file that contains a NUL byte.
    case nulByte = "nul-byte"
    /// A file larger than `ParserLimits.maxFileBytes`.
    case fileTooLarge = "file-too-large"
    /// A path that cannot be read.
    case fileUnreadable = "file-unreadable"
    /// A ruleset with more than `ParserLimits.maxRules` rules.
    case tooManyRules = "too-many-rules"
}

extension Diagnostic {
    /// A syntax-level error.
    static func error(_ code: SyntaxDiagnosticCode, _ message: String, at range: SourceRange, hint: String? = nil) -> Diagnostic {
        Diagnostic(.error, code: code.rawValue, message, at: range, hint: hint)
    }
}
