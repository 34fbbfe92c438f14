// Expression typing: names (schema fields, Radar `:attr:` and `::meta::` forms, lets, models,
// context names), literals, operators with their typed overloads, conditionals and list literals.
// Results go to the checker's side tables; calls are in BuiltinChecker.swift.

/// Where an expression is being checked: which declaration it belongs to (for cycle detection) and
/// which context names it may use.
struct ExpressionContext {
    /// The let/counter/model whose value this expression computes; nil for rules, scores, `when`.
    var owner: DependencyNode?
    /// `verdict` and action names are allowed (a counter's `when`).
    var allowsVerdict = false
    /// `score` is allowed (thresholds and a counter's `when`).
    var allowsScore = false
    /// A duration literal is allowed here (operand of timestamp arithmetic or a comparison).
    var allowsDuration = false

    static let plain = ExpressionContext(owner: nil)
    static let threshold = ExpressionContext(owner: nil, allowsScore: true)
    static let counterWhen = ExpressionContext(owner: nil, allowsVerdict: true, allowsScore: true)

    init(owner: DependencyNode?, allowsVerdict: Bool = false, allowsScore: Bool = false) {
        self.owner = owner
        self.allowsVerdict = allowsVerdict
        self.allowsScore = allowsScore
    }

    /// The same context for an operand that may (or may not) be a duration literal.
    func operand(duration: Bool) -> ExpressionContext {
        var copy = self
        copy.allowsDuration = duration
        return copy
    }
}

/// Radar attribute names that are not a plain spelling of a schema field, mapped to the field name
/// used in the starter schemas (applied only when that field is declared).
let radarAttributeAliases: [String: String] = [
    "amount_in_usd": "amount_usd",
    "ip_address": "ip",
    "ip_address_country": "ip_country",
    "card_fingerprint": "card.fingerprint",
    "customer": "customer.id",
]

extension Checker {
    /// Records a node's type (and resolution) in the side tables and returns the type.
    @discardableResult
    func record(_ expr: Expr, _ type: VerdictType, _ resolution: Resolution? = nil) -> VerdictType {
        if expr.id >= types.count {
            let size = max(expr.id + 1, types.count * 2)
            types.append(contentsOf: repeatElement(nil, count: size - types.count))
            resolutions.append(contentsOf: repeatElement(nil, count: size - resolutions.count))
        }
        if expr.id >= 0 {
            types[expr.id] = type
            if let resolution { resolutions[expr.id] = resolution }
        }
        return type
    }

    /// Type-checks an expression tree, recording every node; returns the root's type (`.error`
    /// after a reported problem).
    func check(_ expr: Expr, _ context: ExpressionContext) -> VerdictType {
        if diagnostics.isFull { return record(expr, .error) }
        switch expr.kind {
        case .int: return record(expr, .int)
        case .double: return record(expr, .double)
        case .string: return record(expr, .string)
        case .bool: return record(expr, .bool)
        case .duration(let count, _):
            if !context.allowsDuration {
                error(.durationMisuse, "a duration is only allowed as a counter window or in timestamp arithmetic",
                      at: expr.range, hint: "e.g. attempts(1h), created_at > now - 7d")
                return record(expr, .error)
            }
            if count < 0 { return record(expr, .error) }
            return record(expr, .duration)
        case .name(let parts, let style):
            return checkName(expr, parts: parts, style: style, context)
        case .list:
            error(.listLiteralMisuse, "a list literal is only allowed on the right of 'in'", at: expr.range,
                  hint: "write x in [a, b]")
            return record(expr, .error)
        case .listReference(let name):
            guard let id = listID(name, at: expr.range) else { return record(expr, .error) }
            error(.listLiteralMisuse, "a list can only be looked up with 'in'", at: expr.range,
                  hint: "write x in @\(name)")
            return record(expr, .list(elementType(lists[id].kind)), .list(id))
        case .unary(let op, let operand):
            return checkUnary(expr, op, operand, context)
        case .binary(let op, let left, let right):
            return checkBinary(expr, op, left, right, context)
        case .conditional(let condition, let then, let otherwise):
            return checkConditional(expr, condition, then, otherwise, context)
        case .call(let name, let target, let arguments):
            return checkCall(expr, name: name, target: target, arguments: arguments, context)
        case .index(let base, let index):
            _ = check(base, context.operand(duration: false))
            _ = check(index, context.operand(duration: false))
            error(.unsupportedIndex, "indexing with [ ] is not supported", at: expr.range,
                  hint: "the language has no list or map values; use 'in' for membership")
            return record(expr, .error)
        }
    }

    // MARK: - Names

    private func checkName(_ expr: Expr, parts: [String], style: NameStyle, _ context: ExpressionContext) -> VerdictType {
        let joined = parts.joined(separator: ".")
        switch style {
        case .radarMetadata:
            let name = parts.first == "metadata" ? joined : "metadata." + joined
            if let id = fieldIndex[name] { return record(expr, fields[id].type, .field(id)) }
            error(.unknownField, "unknown metadata field '\(name)'", at: expr.range,
                  hint: Suggestion.hint(for: name, among: fields.map(\.name).filter { $0.hasPrefix("metadata.") })
                    ?? "declare it in the schema: \(name) string")
            return record(expr, .error)
        case .radarAttribute:
            if let id = radarField(joined) { return record(expr, fields[id].type, .field(id)) }
            let underscored = fields.map { $0.name.replacingDots() }
            let hint = Suggestion.closest(to: joined, among: underscored + fields.map(\.name)).map { "did you mean ':\($0):'?" }
            error(.unknownField, "unknown attribute ':\(joined):'", at: expr.range,
                  hint: hint ?? "':\(joined):' must name a schema field; declare it in the schema")
            return record(expr, .error)
        case .plain:
            break
        }
        if parts.count == 1 {
            let name = parts[0]
            switch name {
            case "now": return record(expr, .timestamp, .now)
            case "score":
                if !context.allowsScore {
                    error(.contextName, "'score' is only available in thresholds and counter 'when' conditions",
                          at: expr.range, hint: "rules cannot read the score; use a threshold: threshold review if score >= 50")
                    return record(expr, .error)
                }
                return record(expr, .int, .score)
            case "verdict":
                if !context.allowsVerdict {
                    error(.contextName, "'verdict' is only available in a counter's 'when' condition", at: expr.range,
                          hint: "the verdict is decided after every rule ran")
                    return record(expr, .error)
                }
                return record(expr, .action, .verdict)
            default: break
            }
            if context.allowsVerdict, symbols[name] == nil, let action = VerdictAction(rawValue: name.lowercased()) {
                return record(expr, .action, .action(action))
            }
            switch symbols[name] {
            case .letBinding(let index)?:
                use(name, .letBinding(index), context)
                return record(expr, letType(index), .letValue(index))
            case .model(let id)?:
                use(name, .model(id), context)
                return record(expr, .double, .modelOutput(id))
            case .field(let id)?:
                return record(expr, fields[id].type, .field(id))
            case .counter?:
                used.insert(name)
                error(.counterNeedsWindow, "counter '\(name)' must be read with a window", at: expr.range,
                      hint: "write \(name)(1h)")
                return record(expr, .error)
            case .list?:
                used.insert(name)
                error(.listNeedsAt, "'\(name)' is a list; refer to it as @\(name)", at: expr.range,
                      hint: "write x in @\(name)")
                return record(expr, .error)
            case .rule?, .score?:
                error(.notAValue, "'\(name)' is a rule or score, not a value", at: expr.range,
                      hint: "use a let to share a condition between rules")
                return record(expr, .error)
            case nil: break
            }
        } else if let id = fieldIndex[joined] {
            return record(expr, fields[id].type, .field(id))
        }
        if context.allowsVerdict == false, parts.count == 1, VerdictAction(rawValue: parts[0].lowercased()) != nil {
            error(.contextName, "action '\(parts[0])' is only a value in a counter's 'when' condition", at: expr.range,
                  hint: "e.g. counter blocks by ip when verdict == block retain 7d")
            return record(expr, .error)
        }
        var candidates = fields.map(\.name)
        candidates += letDeclarations.map(\.name.name)
        candidates += modelDeclarations.map(\.name.name)
        error(.unknownField, "unknown name '\(joined)'", at: expr.range,
              hint: Suggestion.hint(for: joined, among: candidates) ?? "declare it in the schema or as a let")
        return record(expr, .error)
    }

    /// Resolves a Radar attribute name: the exact field, a known Radar alias, or the one field whose
    /// name equals the attribute with some `_` read as `.` (`:card_country:` -> `card.country`).
    func radarField(_ name: String) -> FieldID? {
        if let id = fieldIndex[name] { return id }
        if let alias = radarAttributeAliases[name], let id = fieldIndex[alias] { return id }
        if underscoredFields == nil {
            var index: [String: [FieldID]] = [:]
            for field in fields where field.name.contains(".") { index[field.name.replacingDots(), default: []].append(field.id) }
            underscoredFields = index
        }
        let matches = underscoredFields?[name] ?? []
        return matches.count == 1 ? matches[0] : nil
    }

    /// Marks a declaration used, and records the dependency of the current owner on it.
    func use(_ name: String, _ node: DependencyNode, _ context: ExpressionContext) {
        used.insert(name)
        if let owner = context.owner { graph.add(from: owner, to: node) }
    }

    /// The list `@name` denotes (marked used), or nil after reporting it unknown. A list whose
    /// declaration failed is nil without a second report.
    func listID(_ name: String, at range: SourceRange) -> ListID? {
        if case .list(let id)? = symbols[name] {
            used.insert(name)
            return poisonedLists.contains(id) ? nil : id
        }
        error(.unknownList, "unknown list '@\(name)'", at: range,
              hint: Suggestion.closest(to: name, among: lists.map(\.name)).map { "did you mean '@\($0)'?" }
                ?? "declare it: list \(name) string")
        return nil
    }

    private func elementType(_ kind: ListKind) -> VerdictType {
        switch kind {
        case .string, .prefix: return .string
        case .ip: return .ip
        case .country: return .country
        }
    }

    // MARK: - Operators

    private func checkUnary(_ expr: Expr, _ op: UnaryOperator, _ operand: Expr, _ context: ExpressionContext) -> VerdictType {
        let type = check(operand, context.operand(duration: false))
        if type.isError { return record(expr, .error) }
        switch (op, type) {
        case (.negate, .int): return record(expr, .int, .unary(.negateInt))
        case (.negate, .double): return record(expr, .double, .unary(.negateDouble))
        case (.not, .bool): return record(expr, .bool, .unary(.not))
        case (.negate, _):
            error(.typeMismatch, "operator '-' cannot be applied to '\(type)'", at: expr.range)
        case (.not, _):
            error(.typeMismatch, "operator 'not' cannot be applied to '\(type)'", at: expr.range,
                  hint: type.isNumeric ? "compare it first, e.g. not (x > 0)" : nil)
        }
        return record(expr, .error)
    }

    private func checkBinary(_ expr: Expr, _ op: BinaryOperator, _ left: Expr, _ right: Expr, _ context: ExpressionContext) -> VerdictType {
        switch op {
        case .and, .or:
            let l = check(left, context.operand(duration: false))
            let r = check(right, context.operand(duration: false))
            let word = op == .and ? "and" : "or"
            for (side, type) in [(left, l), (right, r)] where type != .bool && !type.isError {
                error(.typeMismatch, "operands of '\(word)' must be bool, not '\(type)'", at: side.range,
                      hint: type.isNumeric ? "compare it, e.g. \(sources[side.range.file]?.text(of: side.range) ?? "x") > 0" : nil)
            }
            if l != .bool || r != .bool { return record(expr, .error) }
            return record(expr, .bool, .binary(op == .and ? .and : .or))
        case .in:
            return checkIn(expr, left, right, context)
        case .includes, .like:
            let l = check(left, context.operand(duration: false))
            let r = check(right, context.operand(duration: false))
            let word = op == .includes ? "INCLUDES" : "LIKE"
            if l.isError || r.isError { return record(expr, .error) }
            guard l.isText else {
                error(.typeMismatch, "'\(word)' needs a string on the left, not '\(l)'", at: left.range,
                      hint: l == .ip ? "match networks with cidr(ip, \"192.168.0.0/16\")" : "convert with string(...)")
                return record(expr, .error)
            }
            guard r.isText else {
                error(.typeMismatch, "'\(word)' needs a string on the right, not '\(r)'", at: right.range)
                return record(expr, .error)
            }
            let ci = l == .stringCaseInsensitive
            if op == .like {
                guard case .string = right.kind else {
                    error(.likePattern, "the pattern of LIKE must be a string literal", at: right.range,
                          hint: "e.g. email LIKE '%@example.com'")
                    return record(expr, .error)
                }
                return record(expr, .bool, .binary(.like(caseInsensitive: ci)))
            }
            return record(expr, .bool, .binary(.includes(caseInsensitive: ci)))
        case .add, .subtract, .multiply, .divide, .remainder:
            return checkArithmetic(expr, op, left, right, context)
        case .equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual:
            return checkComparison(expr, op, left, right, context)
        }
    }

    private func checkArithmetic(_ expr: Expr, _ op: BinaryOperator, _ left: Expr, _ right: Expr, _ context: ExpressionContext) -> VerdictType {
        let timeOperator = op == .add || op == .subtract
        let l = check(left, context.operand(duration: timeOperator))
        let r = check(right, context.operand(duration: timeOperator))
        if l.isError || r.isError { return record(expr, .error) }
        let arithmetic = ArithmeticOperator(rawValue: op.rawValue)!
        switch (op, l, r) {
        case (_, .int, .int):
            return record(expr, .int, .binary(.arithmetic(arithmetic, .int)))
        case (.remainder, .double, .double):
            error(.typeMismatch, "operator '%' is defined on int only, not on 'double'", at: expr.range)
            return record(expr, .error)
        case (_, .double, .double):
            return record(expr, .double, .binary(.arithmetic(arithmetic, .double)))
        case (.add, _, _) where l.isText && r.isText:
            return record(expr, .string, .binary(.concatenate))
        case (.add, .timestamp, .duration), (.subtract, .timestamp, .duration):
            return record(expr, .timestamp, .binary(.arithmetic(arithmetic, .timestampDuration)))
        case (.add, .duration, .timestamp):
            return record(expr, .timestamp, .binary(.arithmetic(arithmetic, .durationTimestamp)))
        case (.subtract, .timestamp, .timestamp):
            return record(expr, .duration, .binary(.arithmetic(arithmetic, .timestampTimestamp)))
        default:
            var hint: String?
            let leftText = sources[left.range.file]?.text(of: left.range) ?? "x"
            let rightText = sources[right.range.file]?.text(of: right.range) ?? "y"
            if l == .int && r == .double {
                hint = "no implicit conversions: write double(\(leftText)) \(op.rawValue) \(rightText)"
            } else if l == .double && r == .int {
                hint = "no implicit conversions: write \(leftText) \(op.rawValue) double(\(rightText))"
            } else if op == .add && (l.isText || r.isText) {
                hint = "convert with string(...) to concatenate"
            } else if l == .duration || r == .duration {
                hint = "durations only add to or subtract from timestamps"
            }
            error(.typeMismatch, "operator '\(op.rawValue)' cannot be applied to '\(l)' and '\(r)'", at: expr.range, hint: hint)
            return record(expr, .error)
        }
    }

    /// Gives a string literal the meaning its other operand implies: an `ip` literal is parsed, a
    /// `country` literal validated. Returns the literal's new type (or nil when it is no literal).
    private func coerceLiteral(_ literal: Expr, to type: VerdictType) -> VerdictType? {
        guard case .string(let text) = literal.kind else { return nil }
        switch type {
        case .ip:
            guard let address = IPAddress(text) else {
                error(.invalidIp, "'\(text)' is not an IP address", at: literal.range,
                      hint: text.contains("/") ? "match a network with cidr(ip, \"\(text)\")" : "e.g. \"192.0.2.1\" or \"2001:db8::1\"")
                return .error
            }
            constants[literal.id] = .ip(address)
            return record(literal, .ip)
        case .country:
            guard validateCountry(text, at: literal.range) else { return .error }
            return record(literal, .country)
        case .stringCaseInsensitive:
            constants[literal.id] = .string(text.asciiLowercased)
            return .string
        default:
            return nil
        }
    }

    @discardableResult
    func validateCountry(_ code: String, at range: SourceRange) -> Bool {
        if CountryCode.isValid(code) { return true }
        let upper = code.uppercased()
        let hint: String
        if CountryCode.isValid(upper) {
            hint = "country codes are upper case: '\(upper)'"
        } else if let iso = CountryCode.commonMistakes[upper] {
            hint = "the ISO code is '\(iso)'"
        } else {
            hint = "use an ISO-3166 alpha-2 code such as 'US' or 'GB'"
        }
        error(.invalidCountry, "'\(code)' is not an ISO-3166 alpha-2 country code", at: range, hint: hint)
        return false
    }

    /// The comparison kind for `l op r`, or nil when they cannot be compared.
    private func comparisonKind(_ l: VerdictType, _ r: VerdictType) -> ComparisonKind? {
        switch (l, r) {
        case (.int, .int): return .int
        case (.double, .double): return .double
        case (.int, .double): return .intDouble
        case (.double, .int): return .doubleInt
        case (.bool, .bool): return .bool
        case (.ip, .ip): return .ip
        case (.timestamp, .timestamp): return .timestamp
        case (.duration, .duration): return .duration
        case (.action, .action): return .action
        default:
            if l.isText && r.isText {
                return l == .stringCaseInsensitive || r == .stringCaseInsensitive ? .stringCaseInsensitive : .string
            }
            return nil
        }
    }

    private func checkComparison(_ expr: Expr, _ op: BinaryOperator, _ left: Expr, _ right: Expr, _ context: ExpressionContext) -> VerdictType {
        var l = check(left, context.operand(duration: true))
        var r = check(right, context.operand(duration: true))
        if l.isError || r.isError { return record(expr, .error) }
        if let coerced = coerceLiteral(right, to: l) { r = coerced }
        if let coerced = coerceLiteral(left, to: r) { l = coerced }
        if l.isError || r.isError { return record(expr, .error) }
        let comparison = ComparisonOperator(rawValue: op.rawValue)!
        guard let kind = comparisonKind(l, r) else {
            var hint: String?
            if l.isNumeric && r.isText || l.isText && r.isNumeric {
                hint = "numbers and strings never compare equal; remove the quotes or convert with int(...)/double(...)"
            } else if l == .bool || r == .bool {
                hint = "use the bool directly, e.g. 'is_anonymous_ip' or 'not is_anonymous_ip'"
            }
            error(.typeMismatch, "cannot compare '\(l)' with '\(r)'", at: expr.range, hint: hint)
            return record(expr, .error)
        }
        if comparison != .equal && comparison != .notEqual {
            switch kind {
            case .bool, .ip, .action:
                error(.typeMismatch, "'\(l)' values can only be compared with == and !=, not '\(op.rawValue)'", at: expr.range,
                      hint: kind == .ip ? "match networks with cidr(ip, \"10.0.0.0/8\")" : nil)
                return record(expr, .error)
            case .stringCaseInsensitive:
                error(.typeMismatch, "case-insensitive strings can only be compared with == and !=, not '\(op.rawValue)'",
                      at: expr.range, hint: "compare lower(...) values to order text")
                return record(expr, .error)
            default: break
            }
        }
        return record(expr, .bool, .binary(.comparison(comparison, kind)))
    }

    private func checkConditional(_ expr: Expr, _ condition: Expr, _ then: Expr, _ otherwise: Expr, _ context: ExpressionContext) -> VerdictType {
        let c = check(condition, context.operand(duration: false))
        if c != .bool && !c.isError {
            error(.notBool, "the condition of '? :' must be a bool, not '\(c)'", at: condition.range)
        }
        let a = check(then, context.operand(duration: false))
        let b = check(otherwise, context.operand(duration: false))
        if c != .bool || a.isError || b.isError { return record(expr, .error) }
        let type: VerdictType
        if a == b {
            type = a
        } else if a.isText && b.isText {
            type = .string
        } else {
            error(.typeMismatch, "the branches of '? :' have different types: '\(a)' and '\(b)'",
                  at: then.range.union(otherwise.range),
                  hint: a.isNumeric && b.isNumeric ? "no implicit conversions: convert one branch with double(...)" : nil)
            return record(expr, .error)
        }
        return record(expr, type, .conditional)
    }

    // MARK: - in

    private func checkIn(_ expr: Expr, _ left: Expr, _ right: Expr, _ context: ExpressionContext) -> VerdictType {
        let l = check(left, context.operand(duration: false))
        switch right.kind {
        case .listReference(let name):
            guard let id = listID(name, at: right.range) else { return record(expr, .error) }
            let list = lists[id]
            record(right, .list(elementType(list.kind)), .list(id))
            if l.isError { return record(expr, .error) }
            let fits: Bool
            switch list.kind {
            case .string, .prefix: fits = l.isText
            case .ip: fits = l == .ip
            case .country: fits = l == .country || l.isText
            }
            guard fits else {
                error(.typeMismatch, "cannot look up '\(l)' in \(list.kind.rawValue) list '@\(name)'", at: expr.range,
                      hint: "\(list.kind == .ip ? "an" : "a") \(list.kind.rawValue) list holds \(list.kind.keyDescription) values"
                        + (l.isNumeric ? "; convert with string(...)" : ""))
                return record(expr, .error)
            }
            return record(expr, .bool, .binary(.inStoreList(id)))
        case .list(let elements, _):
            return checkInLiteral(expr, l, left, right, elements, context)
        case .name(let parts, .plain) where parts.count == 1:
            if case .list? = symbols[parts[0]] {
                used.insert(parts[0])
                error(.listNeedsAt, "'\(parts[0])' is a list; refer to it as @\(parts[0])", at: right.range,
                      hint: "write x in @\(parts[0])")
                record(right, .error)
                return record(expr, .error)
            }
            fallthrough
        default:
            let r = check(right, context.operand(duration: false))
            if !r.isError {
                error(.typeMismatch, "the right side of 'in' must be a list literal or @list, not '\(r)'", at: right.range,
                      hint: r.isText ? "for a substring test use INCLUDES or .contains(...)" : "e.g. x in [1, 2] or x in @my_list")
            }
            return record(expr, .error)
        }
    }

    private func checkInLiteral(_ expr: Expr, _ l: VerdictType, _ left: Expr, _ right: Expr, _ elements: [Expr], _ context: ExpressionContext) -> VerdictType {
        var failed = l.isError
        var values: [ConstantValue] = []
        var allConstant = true
        var seen = Set<ConstantValue>()
        var kind: ComparisonKind?
        for element in elements {
            var e = check(element, context.operand(duration: false))
            if e.isError { failed = true; continue }
            if l.isError { continue }
            if let coerced = coerceLiteral(element, to: l) {
                if coerced.isError { failed = true; continue }
                e = coerced
            }
            // A list of a double operand may hold int literals (converted exactly).
            if l == .double, e == .int, case .int = element.kind { e = .double }
            guard let k = comparisonKind(l, e), k != .intDouble, k != .doubleInt else {
                error(.typeMismatch, "list element of type '\(e)' cannot match '\(l)'", at: element.range,
                      hint: l == .int && e == .double ? "an int never equals a fraction; use integers" : nil)
                failed = true
                continue
            }
            if kind == nil || k == .stringCaseInsensitive { kind = k }
            if let value = constantValue(element, as: l) {
                if seen.insert(value).inserted { values.append(value) }
            } else {
                allConstant = false
            }
        }
        if failed { record(right, .error); return record(expr, .error) }
        let comparison = kind ?? comparisonKind(l, l) ?? .string
        if comparison == .stringCaseInsensitive {
            values = values.map { if case .string(let s) = $0 { return .string(s.asciiLowercased) } else { return $0 } }
            var unique = Set<ConstantValue>()
            values = values.filter { unique.insert($0).inserted }
        }
        record(right, .list(l), .listLiteral)
        if allConstant {
            constantSets[right.id] = values
            return record(expr, .bool, .binary(.inConstantSet(comparison)))
        }
        return record(expr, .bool, .binary(.inList(comparison)))
    }

    /// The constant value of a literal element compared with a value of type `target`, or nil
    /// when the element is not a literal.
    private func constantValue(_ element: Expr, as target: VerdictType) -> ConstantValue? {
        if let constant = constants[element.id] { return constant }
        switch element.kind {
        case .int(let v): return target == .double ? .double(Double(v)) : .int(v)
        case .double(let v): return .double(v)
        case .bool(let v): return .bool(v)
        case .string(let s): return .string(s)
        case .unary(.negate, let inner):
            switch inner.kind {
            case .int(let v): return target == .double ? .double(-Double(v)) : (v == Int64.min ? nil : .int(-v))
            case .double(let v): return .double(-v)
            default: return nil
            }
        case .name where resolutions[element.id] != nil:
            if case .action(let action)? = resolutions[element.id] { return .action(action) }
            return nil
        default: return nil
        }
    }

    // MARK: - Constant conditions

    /// The value of a bool expression that does not depend on the request (literals, `not`,
    /// `and`, `or` and lets of such, as folded into `letConstants`), nil otherwise.
    func constantBool(_ expr: Expr) -> Bool? {
        switch expr.kind {
        case .bool(let value): return value
        case .unary(.not, let operand): return constantBool(operand).map { !$0 }
        case .binary(.and, let a, let b):
            let (x, y) = (constantBool(a), constantBool(b))
            if x == false || y == false { return false }
            return x == true && y == true ? true : nil
        case .binary(.or, let a, let b):
            let (x, y) = (constantBool(a), constantBool(b))
            if x == true || y == true { return true }
            return x == false && y == false ? false : nil
        case .name(let parts, .plain) where parts.count == 1:
            guard case .letBinding(let index)? = symbols[parts[0]] else { return nil }
            return letConstants[index]
        default: return nil
        }
    }
}

extension String {
    /// The name with every `.` replaced by `_` (how a dotted field is spelled as a Radar attribute).
    func replacingDots() -> String {
        String(map { $0 == "." ? "_" : $0 })
    }
}
