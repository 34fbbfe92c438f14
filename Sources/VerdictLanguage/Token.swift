// Tokens: what the lexer hands the parser. A token is its kind, its byte range, whether it starts a
// line (the parser re-synchronises after an error at line-initial declaration keywords) and, for
// literals and names, the decoded value.

/// The kinds of token of the rule language.
enum TokenKind: Equatable, Sendable {
    case identifier
    case integer
    case double
    case duration
    case string
    /// `:name:` or `:card.country:` (Radar attribute).
    case radarAttribute
    /// `::key::` (Radar metadata).
    case radarMetadata
    /// `@name` (an LMDB list).
    case listReference
    case leftParen, rightParen, leftBracket, rightBracket, leftBrace, rightBrace
    case comma, dot, colon, question
    case plus, minus, star, slash, percent, bang
    case equalEqual, bangEqual, equal, less, lessEqual, greater, greaterEqual
    case ampersandAmpersand, pipePipe
    /// Something the lexer already reported (an unexpected character, a broken literal); the
    /// parser abandons the declaration without a second message.
    case invalid
    case endOfFile
}

/// The decoded value a token carries.
enum TokenValue: Equatable, Sendable {
    case none
    /// Identifier text as written; keywords compare case-insensitively against it.
    case text(String)
    /// Magnitude of an integer literal (a leading `-` is a separate token; the parser folds it so
    /// that `-9223372036854775808` is representable).
    case integer(UInt64)
    case double(Double)
    case duration(Int64, DurationUnit)
    /// Decoded string contents, or the name of a list reference / Radar metadata key.
    case string(String)
    /// Radar attribute path (`:card.country:` -> ["card", "country"]).
    case names([String])
}

/// One token.
struct Token: Sendable {
    var kind: TokenKind
    var range: SourceRange
    /// True when no other token precedes this one on its line.
    var startsLine: Bool
    var value: TokenValue = .none

    /// Identifier text (empty for other kinds).
    var text: String {
        if case .text(let text) = value { return text }
        return ""
    }

    /// True for an identifier spelling `keyword` in any case (`AND`, `And`, `and`).
    func isKeyword(_ keyword: String) -> Bool {
        guard kind == .identifier, case .text(let text) = value, text.utf8.count == keyword.utf8.count else { return false }
        return zip(text.utf8, keyword.utf8).allSatisfy { a, b in a | 0x20 == b }
    }
}

extension TokenKind {
    /// How the token kind is named in "expected X, found Y" messages.
    var displayName: String {
        switch self {
        case .identifier: return "a name"
        case .integer: return "an integer"
        case .double: return "a number"
        case .duration: return "a duration"
        case .string: return "a string"
        case .radarAttribute: return "a Radar attribute"
        case .radarMetadata: return "a Radar metadata key"
        case .listReference: return "a list reference"
        case .leftParen: return "'('"
        case .rightParen: return "')'"
        case .leftBracket: return "'['"
        case .rightBracket: return "']'"
        case .leftBrace: return "'{'"
        case .rightBrace: return "'}'"
        case .comma: return "','"
        case .dot: return "'.'"
        case .colon: return "':'"
        case .question: return "'?'"
        case .plus: return "'+'"
        case .minus: return "'-'"
        case .star: return "'*'"
        case .slash: return "'/'"
        case .percent: return "'%'"
        case .bang: return "'!'"
        case .equalEqual: return "'=='"
        case .bangEqual: return "'!='"
        case .equal: return "'='"
        case .less: return "'<'"
        case .lessEqual: return "'<='"
        case .greater: return "'>'"
        case .greaterEqual: return "'>='"
        case .ampersandAmpersand: return "'&&'"
        case .pipePipe: return "'||'"
        case .invalid: return "an invalid token"
        case .endOfFile: return "the end of the file"
        }
    }
}
