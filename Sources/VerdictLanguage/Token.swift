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

/// Every word that is a keyword somewhere in the grammar. The lexer classifies each identifier
/// once (case-insensitively); whether a word acts as a keyword depends on where the parser is.
enum Keyword: String, CaseIterable, Sendable {
    // Reserved: never names.
    case and, or, not, `in`, includes, like, `true`, `false`
    // Declarations.
    case ruleset, schema, list, counter, model, `let`, rule, score, threshold, precedence, on
    // Clauses.
    case error, version, ci, by, sum, distinct, when, retain, `if`, reason, shadow, rollout, tags
    // Actions (`request` starts Radar's `Request 3D Secure`).
    case allow, block, review, challenge, request

    private static let byText: [String: Keyword] = Dictionary(uniqueKeysWithValues: allCases.map { ($0.rawValue, $0) })
    private static let longest = allCases.map(\.rawValue.utf8.count).max() ?? 0

    /// The keyword an identifier spells in any case, if any.
    static func classify(_ text: String) -> Keyword? {
        guard text.utf8.count <= longest else { return nil }
        if let keyword = byText[text] { return keyword }
        guard text.utf8.contains(where: { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }) else { return nil }
        return byText[text.lowercased()]
    }

    /// Words that can never be names in an expression.
    var isReserved: Bool {
        switch self {
        case .and, .or, .not, .in, .includes, .like, .true, .false: return true
        default: return false
        }
    }

    /// The action this word names.
    var action: Action? { Action(rawValue: rawValue) }

    /// True for words that can start a declaration: declaration keywords and (Radar) actions.
    var startsDeclaration: Bool {
        switch self {
        case .ruleset, .schema, .list, .counter, .model, .let, .rule, .score, .threshold, .precedence, .on,
             .allow, .block, .review, .challenge, .request:
            return true
        default:
            return false
        }
    }
}

/// One token.
struct Token: Sendable {
    var kind: TokenKind
    var range: SourceRange
    /// True when no other token precedes this one on its line.
    var startsLine: Bool
    var value: TokenValue = .none
    /// For identifiers: the keyword the word spells, in any case.
    var keyword: Keyword? = nil

    /// Identifier text (empty for other kinds).
    var text: String {
        if case .text(let text) = value { return text }
        return ""
    }

    /// True for an identifier spelling `keyword` in any case (`AND`, `And`, `and`).
    func isKeyword(_ keyword: Keyword) -> Bool {
        self.keyword == keyword
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
