// The parser's entry points and token plumbing: one file, a whole ruleset (several files), or a
// standalone expression. Declarations are in Parser+Declarations.swift, expressions (Pratt, CEL
// precedence) in Parser+Expressions.swift. A syntax error is reported once and abandons the current
// declaration; the parser then skips to the next line that starts with a declaration keyword, so
// one run reports many independent mistakes (up to the diagnostic bag's limit of 50).

/// Thrown after a syntax error has been reported, to abandon the current declaration.
struct SyntaxError: Error {}

/// Recursive-descent parser for the rule language (LANGUAGE.md).
public struct Parser {
    var lexer: Lexer
    let file: SourceFile
    /// The token being looked at.
    var current: Token
    /// Tokens lexed ahead of `current` by `peek`.
    private var ahead: [Token] = []
    /// End offset of the last consumed token (declaration ranges end there).
    var previousEnd = 0
    var diagnostics: DiagnosticBag
    var ids: ExprIDAllocator
    /// Current nesting of recursive productions.
    var depth = 0
    /// Set while parsing the right operand of `in` when it starts with `(`.
    var listAfterIn = false
    /// Rules parsed so far in the ruleset (for the 10,000-rule limit).
    var ruleCount: Int

    private init(file: SourceFile, ids: ExprIDAllocator, diagnostics: DiagnosticBag, ruleCount: Int) {
        self.file = file
        self.lexer = Lexer(file: file)
        self.ids = ids
        self.diagnostics = diagnostics
        self.ruleCount = ruleCount
        self.current = Token(kind: .endOfFile, range: SourceRange(file: file.id, start: 0, end: 0), startsLine: true)
        self.current = lexer.next(&self.diagnostics)
    }

    // MARK: Entry points

    /// Parses one rules file. Syntax errors go to `diagnostics`; the declarations that parsed are
    /// returned regardless (with the file's comments, for the formatter).
    public static func parse(_ file: SourceFile, ids: inout ExprIDAllocator, diagnostics: inout DiagnosticBag) -> SourceUnit {
        var ruleCount = 0
        return parse(file, ids: &ids, diagnostics: &diagnostics, ruleCount: &ruleCount)
    }

    /// Parses every file of a ruleset, in the set's order; the rule limit applies to the total.
    public static func parse(_ sources: SourceSet, ids: inout ExprIDAllocator, diagnostics: inout DiagnosticBag) -> [SourceUnit] {
        var ruleCount = 0
        return sources.files.map { parse($0, ids: &ids, diagnostics: &diagnostics, ruleCount: &ruleCount) }
    }

    /// Parses a standalone expression (`verdict expr`, tests). Returns nil after reporting errors.
    public static func parseExpression(_ file: SourceFile, ids: inout ExprIDAllocator, diagnostics: inout DiagnosticBag) -> Expr? {
        guard SourceValidation.validate(file, &diagnostics) else { return nil }
        var parser = Parser(file: file, ids: ids, diagnostics: diagnostics, ruleCount: 0)
        defer { ids = parser.ids; diagnostics = parser.diagnostics }
        let errorsBefore = parser.diagnostics.errorCount
        do {
            let expression = try parser.parseExpression()
            if parser.current.kind != .endOfFile {
                try parser.fail("expected the end of the expression, found \(parser.describe(parser.current))",
                                hint: parser.current.kind == .identifier || parser.current.kind == .leftParen
                                    ? "combine conditions with 'and' or 'or'" : nil)
            }
            return parser.diagnostics.errorCount == errorsBefore ? expression : nil
        } catch {
            return nil
        }
    }

    private static func parse(_ file: SourceFile, ids: inout ExprIDAllocator, diagnostics: inout DiagnosticBag,
                              ruleCount: inout Int) -> SourceUnit {
        guard SourceValidation.validate(file, &diagnostics) else { return SourceUnit(file: file.id, declarations: []) }
        var parser = Parser(file: file, ids: ids, diagnostics: diagnostics, ruleCount: ruleCount)
        let declarations = parser.parseDeclarations()
        ids = parser.ids
        diagnostics = parser.diagnostics
        ruleCount = parser.ruleCount
        return SourceUnit(file: file.id, declarations: declarations, comments: parser.lexer.comments)
    }

    // MARK: Tokens

    /// Moves to the next token and returns the one that was current.
    @discardableResult
    mutating func advance() -> Token {
        let token = current
        previousEnd = token.range.end
        if ahead.isEmpty { current = lexer.next(&diagnostics) } else { current = ahead.removeFirst() }
        return token
    }

    /// The token `distance` positions after `current` (`peek(0)` is `current`).
    mutating func peek(_ distance: Int) -> Token {
        if distance == 0 { return current }
        while ahead.count < distance {
            let last = ahead.last ?? current
            ahead.append(last.kind == .endOfFile ? last : lexer.next(&diagnostics))
        }
        return ahead[distance - 1]
    }

    /// Extends `current` over whitespace-separated `words` that follow it in the raw source
    /// (Radar's `Request 3D Secure`). Only valid while nothing has been peeked.
    mutating func extendCurrentOverWords(_ words: [String]) -> Bool {
        guard ahead.isEmpty, let end = lexer.matchWords(words) else { return false }
        current.range.end = end
        return true
    }

    func range(from start: Int) -> SourceRange {
        SourceRange(file: file.id, start: start, end: max(start, previousEnd))
    }

    /// A token as shown in messages: `'rule'`, `'('`, `the end of the file`.
    func describe(_ token: Token) -> String {
        switch token.kind {
        case .identifier, .integer, .double, .duration, .string, .radarAttribute, .radarMetadata, .listReference:
            let text = file.text(of: token.range)
            let shown = text.count > 30 ? String(text.prefix(27)) + "..." : text
            return "'\(shown)'"
        default:
            return token.kind.displayName
        }
    }

    /// Reports a syntax error at `current` (or `range`) and abandons the declaration.
    func failure(_ message: String, at range: SourceRange? = nil, hint: String? = nil, code: SyntaxDiagnosticCode = .syntax) -> Diagnostic {
        .error(code, message, at: range ?? current.range, hint: hint)
    }

    mutating func fail(_ message: String, at range: SourceRange? = nil, hint: String? = nil, code: SyntaxDiagnosticCode = .syntax) throws -> Never {
        if current.kind != .invalid || range != nil {
            diagnostics.report(failure(message, at: range, hint: hint, code: code))
        }
        throw SyntaxError()
    }

    /// Consumes a token of `kind` or fails with "expected X `context`, found Y".
    @discardableResult
    mutating func expect(_ kind: TokenKind, _ context: String, hint: String? = nil) throws -> Token {
        guard current.kind == kind else {
            try fail("expected \(kind.displayName) \(context), found \(describe(current))", hint: hint)
        }
        return advance()
    }

    /// Consumes an identifier (any spelling) or fails.
    mutating func expectIdentifier(_ what: String, hint: String? = nil) throws -> Identifier {
        guard current.kind == .identifier else {
            try fail("expected \(what), found \(describe(current))", hint: hint)
        }
        let token = advance()
        return Identifier(token.text, range: token.range)
    }

    /// Consumes the keyword `word` (any case) or fails.
    mutating func expectKeyword(_ word: Keyword, _ context: String, hint: String? = nil) throws {
        guard current.isKeyword(word) else {
            try fail("expected '\(word.rawValue)' \(context), found \(describe(current))", hint: hint)
        }
        advance()
    }

    /// Skips to the next token that starts a line with a declaration keyword (or the end), never
    /// stopping at `declarationStart` itself (the declaration that just failed). The rest of each
    /// skipped line is passed over as raw bytes, so recovery is linear and reports nothing more.
    mutating func synchronize(from declarationStart: Int) {
        while current.kind != .endOfFile {
            if current.startsLine, current.range.start != declarationStart, startsDeclaration(current) { return }
            ahead.removeAll()
            lexer.skipLine(from: current.range.end)
            current = lexer.next(&diagnostics)
        }
    }
}

extension Lexer {
    /// If the source after the current position is whitespace then `words` (case-insensitive, each
    /// ending at a word boundary), consumes them and returns the end offset.
    mutating func matchWords(_ words: [String]) -> Int? {
        var position = offset
        for word in words {
            let start = position
            while position < bytes.count, bytes[position] == UInt8(ascii: " ") || bytes[position] == UInt8(ascii: "\t") { position += 1 }
            guard position > start else { return nil }
            for expected in word.utf8 {
                guard position < bytes.count, bytes[position] | 0x20 == expected | 0x20 else { return nil }
                position += 1
            }
            if position < bytes.count, isIdentifierPart(bytes[position]) { return nil }
        }
        skip(to: position)
        return position
    }
}
