// Expressions: a Pratt parser with CEL precedence (LANGUAGE.md §3), keyword operators in any case
// (`and`, `OR`, `Not`, `in`, `INCLUDES`, `LIKE`), Radar forms (`=`, `IN ('a','b')`, `:attr:`,
// `::key::`) and duration literals. Every recursive production counts towards the nesting limit
// (parentheses, unary chains, calls, lists, operator chains), so hostile input such as 4 MiB of
// `(((` or `!!!!` ends in one `nesting-too-deep` error instead of a stack overflow.

extension Parser {
    /// Enters one level of nesting, failing past the limit.
    mutating func enter() throws {
        depth += 1
        if depth > ParserLimits.maxNestingDepth {
            try fail("expression is nested more than \(ParserLimits.maxNestingDepth) levels deep", at: current.range,
                     hint: "split it into 'let' bindings", code: .nestingTooDeep)
        }
    }

    mutating func newExpr(_ kind: ExprKind, _ range: SourceRange) -> Expr {
        Expr(id: ids.next(), range: range, kind: kind)
    }

    /// expression := or ( '?' expression ':' expression )?
    mutating func parseExpression() throws -> Expr {
        try enter()
        defer { depth -= 1 }
        let condition = try parseBinary(minimumPrecedence: 1)
        guard current.kind == .question else { return condition }
        advance()
        let whenTrue = try parseExpression()
        try expect(.colon, "in a conditional expression", hint: "condition ? value_if_true : value_if_false")
        let whenFalse = try parseExpression()
        return newExpr(.conditional(condition, whenTrue, whenFalse), condition.range.union(whenFalse.range))
    }

    /// The binary operator at `current`, its token count, and whether it is a negated form (`not in`).
    private mutating func binaryOperator() -> (BinaryOperator, tokens: Int, negated: Bool)? {
        switch current.kind {
        case .star: return (.multiply, 1, false)
        case .slash: return (.divide, 1, false)
        case .percent: return (.remainder, 1, false)
        case .plus: return (.add, 1, false)
        case .minus: return (.subtract, 1, false)
        case .equalEqual, .equal: return (.equal, 1, false)
        case .bangEqual: return (.notEqual, 1, false)
        case .less: return (.less, 1, false)
        case .lessEqual: return (.lessEqual, 1, false)
        case .greater: return (.greater, 1, false)
        case .greaterEqual: return (.greaterEqual, 1, false)
        case .ampersandAmpersand: return (.and, 1, false)
        case .pipePipe: return (.or, 1, false)
        case .identifier:
            if current.isKeyword(.and) { return (.and, 1, false) }
            if current.isKeyword(.or) { return (.or, 1, false) }
            if current.isKeyword(.`in`) { return (.in, 1, false) }
            if current.isKeyword(.includes) { return (.includes, 1, false) }
            if current.isKeyword(.like) { return (.like, 1, false) }
            if current.isKeyword(.not) {
                let next = peek(1)
                if next.isKeyword(.`in`) { return (.in, 2, true) }
                if next.isKeyword(.includes) { return (.includes, 2, true) }
                if next.isKeyword(.like) { return (.like, 2, true) }
            }
            return nil
        default:
            return nil
        }
    }

    /// Left-associative binary operators binding at least as tight as `minimumPrecedence`.
    mutating func parseBinary(minimumPrecedence: Int) throws -> Expr {
        var left = try parseUnary()
        var folds = 0
        defer { depth -= folds }
        while let (op, tokens, negated) = binaryOperator(), op.precedence >= minimumPrecedence {
            for _ in 0..<tokens { advance() }
            let right: Expr
            listAfterIn = op == .in && current.kind == .leftParen
            right = try parseBinary(minimumPrecedence: op.precedence + 1)
            listAfterIn = false
            folds += 1
            try enter()
            left = newExpr(.binary(op, left, right), left.range.union(right.range))
            if negated {
                left = newExpr(.unary(.not, left), left.range)
            }
        }
        return left
    }

    /// unary := ('!' | 'not' | '-') unary | postfix
    mutating func parseUnary() throws -> Expr {
        let start = current.range.start
        let op: UnaryOperator
        if current.kind == .bang || (current.isKeyword(.not) && !peek(1).isKeyword(.`in`)) {
            op = .not
        } else if current.kind == .minus {
            op = .negate
        } else {
            return try parsePostfix()
        }
        try enter()
        defer { depth -= 1 }
        advance()
        if op == .negate, current.kind == .integer || current.kind == .double, peek(1).kind != .dot, peek(1).kind != .leftBracket {
            // `-5` is the literal -5 (so -9223372036854775808 is representable), as in CEL; but
            // `-5.abs()` negates the call.
            let literal = advance()
            let literalRange = SourceRange(file: file.id, start: start, end: literal.range.end)
            let folded: Expr
            switch literal.value {
            case .integer(let magnitude):
                folded = newExpr(.int(Int64(truncatingIfNeeded: 0 &- magnitude)), literalRange)
            case .double(let value):
                folded = newExpr(.double(-value), literalRange)
            default:
                try fail("expected a number after '-'")
            }
            return try parsePostfixOperators(folded)
        }
        let operand = try parseUnary()
        return newExpr(.unary(op, operand), SourceRange(file: file.id, start: start, end: operand.range.end))
    }

    mutating func parsePostfix() throws -> Expr {
        try parsePostfixOperators(try parsePrimary())
    }

    /// Member selection `.name`, method calls `.name(args)`, calls `name(args)` and indexing `[i]`.
    private mutating func parsePostfixOperators(_ primary: Expr) throws -> Expr {
        var expression = primary
        var folds = 0
        defer { depth -= folds }
        while true {
            switch current.kind {
            case .dot:
                advance()
                let member = try expectIdentifier("a field or method name after '.'")
                if current.kind == .leftParen {
                    folds += 1
                    try enter()
                    let arguments = try parseArguments()
                    expression = newExpr(.call(member.name, target: expression, arguments: arguments), range(from: expression.range.start))
                } else if case .name(let parts, .plain) = expression.kind {
                    expression = Expr(id: expression.id, range: expression.range.union(member.range), kind: .name(parts + [member.name], style: .plain))
                } else {
                    try fail("field selection with '.' only applies to names", at: member.range,
                             hint: "write the field's full dotted name, such as card.country")
                }
            case .leftBracket:
                folds += 1
                try enter()
                advance()
                let index = try parseExpression()
                try expect(.rightBracket, "to close the index")
                expression = newExpr(.index(expression, index), range(from: expression.range.start))
            case .leftParen:
                guard case .name(let parts, .plain) = expression.kind, parts.count == 1 else { return expression }
                folds += 1
                try enter()
                let arguments = try parseArguments()
                expression = newExpr(.call(parts[0], target: nil, arguments: arguments), range(from: expression.range.start))
            default:
                return expression
            }
        }
    }

    /// `( expression, ... )` after a function or method name.
    private mutating func parseArguments() throws -> [Expr] {
        let open = advance()
        var arguments: [Expr] = []
        while current.kind != .rightParen {
            arguments.append(try parseExpression())
            if current.kind == .comma { advance(); continue }
            guard current.kind == .rightParen else {
                try fail("expected ',' or ')' in the arguments, found \(describe(current))",
                         hint: "the call's '(' is at \(file.location(of: open.range.start))")
            }
        }
        advance()
        return arguments
    }

    mutating func parsePrimary() throws -> Expr {
        let token = current
        if token.kind != .leftParen { listAfterIn = false }
        switch token.kind {
        case .integer:
            advance()
            guard case .integer(let value) = token.value, value <= UInt64(Int64.max) else {
                try fail("integer literal '\(file.text(of: token.range))' does not fit in 64 bits", at: token.range,
                         hint: "integers range from -9223372036854775808 to 9223372036854775807", code: .invalidLiteral)
            }
            return newExpr(.int(Int64(value)), token.range)
        case .double:
            advance()
            guard case .double(let value) = token.value else { try fail("expected a number") }
            return newExpr(.double(value), token.range)
        case .duration:
            advance()
            guard case .duration(let count, let unit) = token.value else { try fail("expected a duration") }
            return newExpr(.duration(count: count, unit: unit), token.range)
        case .string:
            advance()
            guard case .string(let value) = token.value else { try fail("expected a string") }
            return newExpr(.string(value), token.range)
        case .radarAttribute:
            advance()
            guard case .names(let parts) = token.value else { try fail("expected a Radar attribute") }
            return newExpr(.name(parts, style: .radarAttribute), token.range)
        case .radarMetadata:
            advance()
            guard case .string(let key) = token.value else { try fail("expected a Radar metadata key") }
            return newExpr(.name(["metadata", key], style: .radarMetadata), token.range)
        case .listReference:
            advance()
            guard case .string(let name) = token.value else { try fail("expected a list reference") }
            return newExpr(.listReference(name), token.range)
        case .identifier:
            if token.isKeyword(.`true`) || token.isKeyword(.`false`) {
                advance()
                return newExpr(.bool(token.isKeyword(.`true`)), token.range)
            }
            if looksLikeDeclarationStart() {
                try fail("expected an expression, found the start of the next declaration",
                         hint: "the condition is missing")
            }
            if let word = token.keyword?.rawValue, token.keyword?.isReserved == true {
                try fail("expected an expression, found the keyword '\(word)'",
                         hint: word == "and" || word == "or" ? "a condition is missing before '\(token.text)'" : nil)
            }
            advance()
            return newExpr(.name([token.text], style: .plain), token.range)
        case .leftParen:
            return try parseParenthesized()
        case .leftBracket:
            return try parseBracketList()
        default:
            var hint: String? = nil
            if token.kind == .endOfFile || token.startsLine { hint = "the condition is missing" }
            try fail("expected an expression, found \(describe(token))", hint: hint)
        }
    }

    /// `( expr )` (grouping), `( a, b, ... )` and `( a, )` (Radar list), `()` (empty Radar list).
    /// Right after `in`, a single literal in parentheses is a one-element list too (`IN ('US')`),
    /// unless a `.member` or `[index]` follows (`in (-5)[i]` indexes the literal).
    private mutating func parseParenthesized() throws -> Expr {
        let singleLiteralIsList = listAfterIn
        listAfterIn = false
        let open = advance()
        if current.kind == .rightParen {
            advance()
            return newExpr(.list([], style: .parentheses), range(from: open.range.start))
        }
        let first = try parseExpression()
        if current.kind == .rightParen {
            advance()
            if singleLiteralIsList, first.kind.isLiteral, current.kind != .dot, current.kind != .leftBracket {
                return newExpr(.list([first], style: .parentheses), range(from: open.range.start))
            }
            return first
        }
        guard current.kind == .comma else {
            try fail("expected ')' to close the '(' at \(file.location(of: open.range.start)), found \(describe(current))",
                     hint: current.startsLine || current.kind == .endOfFile ? "add the missing ')'"
                         : current.kind == .identifier ? "combine conditions with 'and' or 'or'" : nil)
        }
        return try finishList(open, first: first, close: .rightParen, style: .parentheses)
    }

    private mutating func parseBracketList() throws -> Expr {
        let open = advance()
        if current.kind == .rightBracket {
            advance()
            return newExpr(.list([], style: .brackets), range(from: open.range.start))
        }
        let first = try parseExpression()
        return try finishList(open, first: first, close: .rightBracket, style: .brackets)
    }

    /// The rest of a list literal after its first element: `, e ...` and the closing token.
    private mutating func finishList(_ open: Token, first: Expr, close: TokenKind, style: ListStyle) throws -> Expr {
        try enter()
        defer { depth -= 1 }
        var elements = [first]
        while current.kind == .comma {
            advance()
            if current.kind == close { break }
            let element = try parseExpression()
            if elements.count == ParserLimits.maxListElements {
                try fail("list literal has more than \(ParserLimits.maxListElements) elements", at: element.range,
                         hint: "declare an LMDB list ('list NAME KIND') and test membership with 'in @NAME'", code: .listTooLong)
            }
            elements.append(element)
        }
        guard current.kind == close else {
            try fail("expected ',' or \(close.displayName) in the list that starts at \(file.location(of: open.range.start)), found \(describe(current))")
        }
        advance()
        return newExpr(.list(elements, style: style), range(from: open.range.start))
    }
}

extension ExprKind {
    /// A literal constant: what `IN ('US')` accepts as a one-element list.
    var isLiteral: Bool {
        switch self {
        case .int, .double, .string, .bool, .duration: return true
        default: return false
        }
    }
}
