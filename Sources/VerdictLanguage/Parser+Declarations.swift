// Top-level declarations (LANGUAGE.md §1, §5-§7): ruleset, schema, list, counter, model, let, rule,
// score, threshold, precedence, `on error`, and pasted Radar rules (`Block if :amount_in_usd: > 1000`).
// Declaration keywords are case-insensitive and contextual: they only act as keywords where a
// declaration (or a clause of one) can start, so `score` stays a usable name inside expressions.

extension Parser {
    /// Declaration keywords, for did-you-mean hints.
    static let declarationKeywords = ["ruleset", "schema", "list", "counter", "model", "let", "rule", "score",
                                      "threshold", "precedence", "on"]
    static let actionNames = Action.allCases.map(\.rawValue)

    /// True when `current` starts a line and reads like the start of a declaration (`rule r`,
    /// `let x`, `schema {`, `Block if`) rather than a name continuing an expression onto a new
    /// line (`score >= 50`, `rule and x`).
    mutating func looksLikeDeclarationStart() -> Bool {
        guard current.startsLine, startsDeclaration(current) else { return false }
        let next = peek(1)
        if next.kind == .leftBrace { return true }
        return next.kind == .identifier && next.keyword?.isReserved != true
    }

    /// True when `token` can begin a declaration (a keyword or a Radar action).
    func startsDeclaration(_ token: Token) -> Bool {
        guard token.kind == .identifier else { return false }
        return token.keyword?.startsDeclaration == true
    }

    mutating func parseDeclarations() -> [Declaration] {
        var declarations: [Declaration] = []
        while current.kind != .endOfFile, !diagnostics.isFull {
            let declarationStart = current.range.start
            do {
                let declaration = try parseDeclaration()
                declarations.append(declaration)
                if current.kind != .endOfFile, !current.startsLine {
                    let afterCondition: Bool
                    switch declaration {
                    case .rule, .letBinding, .score, .threshold: afterCondition = true
                    default: afterCondition = false
                    }
                    try fail("expected the end of the declaration, found \(describe(current))",
                             hint: afterCondition && (current.kind == .identifier || current.kind == .leftParen || current.kind == .radarAttribute)
                                ? "combine conditions with 'and' or 'or'" : "start the next declaration on a new line")
                }
            } catch {
                synchronize(from: declarationStart)
            }
        }
        return declarations
    }

    mutating func parseDeclaration() throws -> Declaration {
        let start = current.range.start
        let token = current
        guard token.kind == .identifier else {
            try fail("expected a declaration, found \(describe(token))", hint: Parser.declarationHint)
        }
        if token.isKeyword(.ruleset) { advance(); return .ruleset(try parseRuleset(start)) }
        if token.isKeyword(.schema) { advance(); return .schema(try parseSchema(start)) }
        if token.isKeyword(.list) { advance(); return .list(try parseList(start)) }
        if token.isKeyword(.counter) { advance(); return .counter(try parseCounter(start)) }
        if token.isKeyword(.model) { advance(); return .model(try parseModel(start)) }
        if token.isKeyword(.`let`) { advance(); return .letBinding(try parseLet(start)) }
        if token.isKeyword(.rule) { advance(); return .rule(try parseRule(start)) }
        if token.isKeyword(.score) { advance(); return .score(try parseScore(start)) }
        if token.isKeyword(.threshold) { advance(); return .threshold(try parseThreshold(start)) }
        if token.isKeyword(.precedence) { advance(); return .precedence(try parsePrecedence(start)) }
        if token.isKeyword(.on) {
            advance()
            try expectKeyword(.error, "after 'on'", hint: "fail closed with 'on error review' or 'on error block'")
            let action = try parseAction("after 'on error'")
            return .onError(OnErrorDeclaration(action: action, range: range(from: start)))
        }
        if isRadarActionStart() { return .rule(try parseRadarRule(start)) }
        var hint = Parser.declarationHint
        if let keyword = Suggestion.closest(to: token.text, among: Parser.declarationKeywords) {
            hint = "did you mean '\(keyword)'?"
        } else if peek(1).isKeyword(.`if`) {
            hint = "a rule's action is one of allow, block, review, challenge"
            if let action = Suggestion.closest(to: token.text, among: Parser.actionNames) { hint = "did you mean '\(action)'?" }
        }
        try fail("expected a declaration, found \(describe(token))", hint: hint)
    }

    static let declarationHint = "declarations start with ruleset, schema, list, counter, model, let, rule, score, threshold, "
        + "precedence or 'on error'; a Radar rule starts with its action ('Block if ...')"

    private mutating func isRadarActionStart() -> Bool {
        if current.isKeyword(.request) { return true }
        return current.keyword?.action != nil && peek(1).isKeyword(.`if`)
    }

    // MARK: Pieces

    /// One of allow, block, review, challenge (any case).
    mutating func parseAction(_ context: String) throws -> ActionSyntax {
        guard current.kind == .identifier, let action = current.keyword?.action else {
            var hint = "the actions are allow, block, review and challenge"
            if current.kind == .identifier, let close = Suggestion.closest(to: current.text, among: Parser.actionNames) {
                hint = "did you mean '\(close)'?"
            }
            try fail("expected an action \(context), found \(describe(current))", hint: hint)
        }
        return ActionSyntax(action, range: advance().range)
    }

    mutating func parseStringLiteral(_ context: String) throws -> StringSyntax {
        guard current.kind == .string, case .string(let value) = current.value else {
            try fail("expected a string \(context), found \(describe(current))")
        }
        return StringSyntax(value, range: advance().range)
    }

    mutating func parseDuration(_ context: String) throws -> DurationSyntax {
        guard current.kind == .duration, case .duration(let count, let unit) = current.value else {
            try fail("expected a duration \(context), found \(describe(current))",
                     hint: "durations are a whole number and a unit: 30s, 15m, 1h, 7d")
        }
        return DurationSyntax(count: count, unit: unit, range: advance().range)
    }

    /// `a.b.c` as one identifier (schema field names).
    mutating func parseDottedName(_ what: String) throws -> Identifier {
        var name = try expectIdentifier(what)
        while current.kind == .dot {
            advance()
            let part = try expectIdentifier("a name after '.'")
            name = Identifier(name.name + "." + part.name, range: name.range.union(part.range))
        }
        return name
    }

    /// The optional `ci` marker, which must be on the same line as what it qualifies.
    mutating func parseCaseInsensitiveMarker() -> Bool {
        guard current.isKeyword(.ci), !current.startsLine else { return false }
        advance()
        return true
    }

    // MARK: Declarations

    mutating func parseRuleset(_ start: Int) throws -> RulesetHeader {
        let name = try expectIdentifier("the ruleset's name after 'ruleset'", hint: "for example: ruleset payments version \"2026-11-23.1\"")
        var version: StringSyntax? = nil
        if current.isKeyword(.version) {
            advance()
            version = try parseStringLiteral("after 'version'")
        }
        return RulesetHeader(name: name, version: version, range: range(from: start))
    }

    mutating func parseSchema(_ start: Int) throws -> SchemaBlock {
        let open = try expect(.leftBrace, "after 'schema'", hint: "a schema is a block: schema { amount int ... }")
        var fields: [SchemaField] = []
        while current.kind != .rightBrace {
            if current.kind == .endOfFile {
                try fail("expected '}' to close the schema block opened at \(file.location(of: open.range.start))")
            }
            let fieldStart = current.range.start
            do {
                let name = try parseDottedName("a field name")
                let typeHint = "types are int, double, bool, string, country, ip, timestamp"
                if current.startsLine || current.kind == .rightBrace {
                    try fail("field '\(name.name)' has no type", at: name.range, hint: typeHint)
                }
                let type = try expectIdentifier("the type of field '\(name.name)'", hint: typeHint)
                let ci = parseCaseInsensitiveMarker()
                fields.append(SchemaField(name: name, type: type, caseInsensitive: ci, range: range(from: fieldStart)))
                if !current.startsLine, current.kind != .rightBrace, current.kind != .endOfFile {
                    try fail("expected a new line after field '\(name.name)', found \(describe(current))",
                             hint: "one field per line: NAME TYPE [ci]")
                }
            } catch {
                // Recover inside the block: skip to the next line (or the closing brace).
                if diagnostics.isFull { throw error }
                if current.kind != .endOfFile { advance() }
                while current.kind != .endOfFile, current.kind != .rightBrace, !current.startsLine { advance() }
                if current.kind == .endOfFile { throw error }
            }
        }
        advance()
        return SchemaBlock(fields: fields, range: range(from: start))
    }

    mutating func parseList(_ start: Int) throws -> ListDeclaration {
        let name = try expectIdentifier("the list's name after 'list'")
        let kind = try expectIdentifier("the kind of list '\(name.name)'", hint: "list kinds are string, ip, prefix and country")
        let ci = parseCaseInsensitiveMarker()
        return ListDeclaration(name: name, kind: kind, caseInsensitive: ci, range: range(from: start))
    }

    mutating func parseCounter(_ start: Int) throws -> CounterDeclaration {
        let name = try expectIdentifier("the counter's name after 'counter'")
        try expectKeyword(.by, "after the counter name", hint: "counter NAME by KEY [sum EXPR | distinct EXPR] [when COND] retain DURATION")
        let key = try parseExpression()
        var aggregate = CounterAggregate.count
        if current.isKeyword(.sum) {
            advance()
            aggregate = .sum(try parseExpression())
        } else if current.isKeyword(.distinct) {
            advance()
            aggregate = .distinct(try parseExpression())
        }
        var condition: Expr? = nil
        if current.isKeyword(.when) {
            advance()
            condition = try parseExpression()
        }
        try expectKeyword(.retain, "in counter '\(name.name)'", hint: "every counter says how long it keeps events: retain 7d")
        let retain = try parseDuration("after 'retain'")
        return CounterDeclaration(name: name, key: key, aggregate: aggregate, condition: condition, retain: retain, range: range(from: start))
    }

    mutating func parseModel(_ start: Int) throws -> ModelDeclaration {
        let name = try expectIdentifier("the model's name after 'model'")
        let kind = try expectIdentifier("the kind of model '\(name.name)'", hint: "model kinds are xgboost, lightgbm and linear")
        let path = try parseStringLiteral("(the model file's path) after the model kind")
        let open = try expect(.leftBrace, "to start the feature bindings of model '\(name.name)'",
                              hint: "bind each model feature: { feature = expression ... }")
        var bindings: [ModelBinding] = []
        while current.kind != .rightBrace {
            if current.kind == .endOfFile {
                try fail("expected '}' to close the model block opened at \(file.location(of: open.range.start))")
            }
            let bindingStart = current.range.start
            let feature = try expectIdentifier("a feature name")
            try expect(.equal, "after feature '\(feature.name)'", hint: "bind a feature with: \(feature.name) = expression")
            let value = try parseExpression()
            bindings.append(ModelBinding(feature: feature, value: value, range: range(from: bindingStart)))
            if !current.startsLine, current.kind != .rightBrace, current.kind != .endOfFile {
                try fail("expected a new line after the binding of '\(feature.name)', found \(describe(current))",
                         hint: "one binding per line; combine conditions with 'and' or 'or'")
            }
        }
        advance()
        return ModelDeclaration(name: name, kind: kind, path: path, bindings: bindings, range: range(from: start))
    }

    mutating func parseLet(_ start: Int) throws -> LetDeclaration {
        let name = try expectIdentifier("a name after 'let'")
        try expect(.equal, "after 'let \(name.name)'", hint: "let \(name.name) = expression")
        let value = try parseExpression()
        return LetDeclaration(name: name, value: value, range: range(from: start))
    }

    mutating func parseRule(_ start: Int) throws -> RuleDeclaration {
        let name = try expectIdentifier("the rule's name after 'rule'", hint: "rule NAME: ACTION if CONDITION")
        try expect(.colon, "after the rule name '\(name.name)'", hint: "rule \(name.name): ACTION if CONDITION")
        let action = try parseAction("after 'rule \(name.name):'")
        try expectKeyword(.`if`, "after the action", hint: "rule \(name.name): \(action.action.rawValue) if CONDITION")
        return try finishRule(start, name: name, action: action, style: .native)
    }

    mutating func parseRadarRule(_ start: Int) throws -> RuleDeclaration {
        let action: ActionSyntax
        if current.isKeyword(.request) {
            guard extendCurrentOverWords(["3d", "secure"]) else {
                try fail("expected 'Request 3D Secure if ...'", hint: "Radar's challenge action is written 'Request 3D Secure'")
            }
            action = ActionSyntax(.challenge, range: advance().range)
        } else {
            action = try parseAction("")
        }
        try expectKeyword(.`if`, "after the action")
        return try finishRule(start, name: nil, action: action, style: .radar)
    }

    /// Condition and options shared by native and Radar rules.
    private mutating func finishRule(_ start: Int, name: Identifier?, action: ActionSyntax, style: RuleStyle) throws -> RuleDeclaration {
        ruleCount += 1
        if ruleCount == ParserLimits.maxRules + 1 {
            diagnostics.report(.error(.tooManyRules, "ruleset has more than \(ParserLimits.maxRules) rules",
                                      at: SourceRange(file: file.id, start: start, end: action.range.end),
                                      hint: "merge rules that share a condition or move long lists into an LMDB list"))
        }
        let condition = try parseExpression()
        var rule = RuleDeclaration(name: name, action: action, condition: condition, reason: nil, shadow: false, rollout: nil,
                                   tags: [], style: style, range: .none)
        var seen: [Keyword] = []
        while let option = current.keyword, option == .reason || option == .shadow || option == .rollout || option == .tags {
            if seen.contains(option) { try fail("'\(option.rawValue)' is given twice for this rule") }
            seen.append(option)
            let optionStart = advance().range.start
            switch option {
            case .reason:
                rule.reason = try parseStringLiteral("after 'reason'")
            case .shadow:
                rule.shadow = true
            case .rollout:
                rule.rollout = try parseRollout(optionStart)
            default:
                rule.tags = [try parseStringLiteral("after 'tags'")]
                while current.kind == .comma {
                    advance()
                    rule.tags.append(try parseStringLiteral("after ',' in tags"))
                }
            }
        }
        rule.range = range(from: start)
        return rule
    }

    private mutating func parseRollout(_ start: Int) throws -> Rollout {
        let number = current
        let percent: Double
        switch number.value {
        case .integer(let value) where number.kind == .integer: percent = Double(value)
        case .double(let value) where number.kind == .double: percent = value
        default: try fail("expected a percentage after 'rollout', found \(describe(number))", hint: "for example: rollout 10% by customer.id")
        }
        advance()
        try expect(.percent, "after the rollout percentage", hint: "for example: rollout 10% by customer.id")
        guard percent >= 0, percent <= 100 else {
            try fail("rollout percentage must be between 0 and 100", at: SourceRange(file: file.id, start: number.range.start, end: previousEnd),
                     code: .invalidLiteral)
        }
        try expectKeyword(.by, "after the rollout percentage", hint: "the rollout bucket needs a key: rollout 10% by customer.id")
        let key = try parseExpression()
        return Rollout(percent: percent, key: key, range: range(from: start))
    }

    mutating func parseScore(_ start: Int) throws -> ScoreDeclaration {
        let name = try expectIdentifier("the score's name after 'score'", hint: "score NAME: +POINTS if CONDITION")
        try expect(.colon, "after the score name '\(name.name)'", hint: "score \(name.name): +POINTS if CONDITION")
        var negative = false
        if current.kind == .plus || current.kind == .minus {
            negative = advance().kind == .minus
        }
        guard current.kind == .integer, case .integer(let magnitude) = current.value else {
            try fail("expected the score's points (an integer such as +25), found \(describe(current))")
        }
        let pointsRange = advance().range
        guard magnitude <= (negative ? UInt64(Int64.max) + 1 : UInt64(Int64.max)) else {
            try fail("score points do not fit in 64 bits", at: pointsRange, code: .invalidLiteral)
        }
        let points = negative ? Int64(truncatingIfNeeded: 0 &- magnitude) : Int64(magnitude)
        try expectKeyword(.`if`, "after the points", hint: "score \(name.name): +\(magnitude) if CONDITION")
        let condition = try parseExpression()
        return ScoreDeclaration(name: name, points: points, condition: condition, range: range(from: start))
    }

    mutating func parseThreshold(_ start: Int) throws -> ThresholdDeclaration {
        var clauses: [ThresholdClause] = []
        repeat {
            if !clauses.isEmpty { advance() }
            let clauseStart = current.range.start
            let action = try parseAction("in threshold")
            try expectKeyword(.`if`, "after the action", hint: "threshold review if score >= 50, block if score >= 100")
            let condition = try parseExpression()
            clauses.append(ThresholdClause(action: action, condition: condition, range: range(from: clauseStart)))
        } while current.kind == .comma
        return ThresholdDeclaration(clauses: clauses, range: range(from: start))
    }

    mutating func parsePrecedence(_ start: Int) throws -> PrecedenceDeclaration {
        var actions = [try parseAction("after 'precedence'")]
        while current.kind == .greater {
            advance()
            actions.append(try parseAction("after '>'"))
        }
        return PrecedenceDeclaration(actions: actions, range: range(from: start))
    }
}
