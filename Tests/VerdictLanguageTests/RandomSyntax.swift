// A seeded generator of random, syntactically valid ASTs: every expression kind, operator, literal
// edge case (Int64.min, -0.0, subnormals, escapes, Unicode), name style and declaration kind. Used
// by the formatter round-trip properties and reusable by fuzzing and differential tests.
@testable import VerdictLanguage
import VerdictReference

/// Builds random syntax trees. Ranges are `.none` and ids are 0: equality ignores both.
struct RandomSyntax {
    var random: SeededRandom
    /// Deepest expression nesting generated (well under the parser's limit).
    var maxDepth = 4

    init(seed: UInt64) { random = SeededRandom(seed: seed) }

    static let names = ["amount", "amount_usd", "card", "country", "email_domain", "ip", "x", "y1", "customer",
                        "score", "verdict", "now", "fraud_gbdt", "attempts_per_card", "_private", "A_B"]
    static let functions = ["size", "lower", "upper", "domain", "int", "double", "string", "abs", "min", "max",
                            "has", "is_missing", "bucket", "cidr", "raw", "contains", "startsWith", "matches"]
    static let stringPieces = ["a", "Z", " ", "'", "\"", "\\", "\n", "\t", "\r", "\u{01}", "\u{7F}", "é", "😀", "%", "_",
                               "//", "#", "${x}", "\u{2028}", "\u{FEFF}"]

    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &random) }
    mutating func chance(_ percent: Int) -> Bool { int(0...99) < percent }
    mutating func pick<T>(_ values: [T]) -> T { values[int(0...(values.count - 1))] }

    mutating func identifier() -> Identifier { Identifier(pick(RandomSyntax.names), range: .none) }

    mutating func expr(_ kind: ExprKind) -> Expr { Expr(id: 0, range: .none, kind: kind) }

    mutating func int64() -> Int64 {
        switch int(0...5) {
        case 0: return pick([Int64.min, Int64.max, 0, -1, 1])
        case 1: return Int64(truncatingIfNeeded: random.next())
        default: return Int64(int(-1000...100_000))
        }
    }

    mutating func double() -> Double {
        switch int(0...5) {
        case 0: return pick([0.0, -0.0, 0.5, 1e-300, Double.leastNonzeroMagnitude, 1.7976931348623157e308, 1e16, 123456789.125])
        case 1:
            let bits = random.next()
            let value = Double(bitPattern: bits)
            return value.isFinite ? value : 1.5
        default: return Double(int(-100_000...100_000)) / 100
        }
    }

    mutating func string() -> String {
        (0..<int(0...6)).map { _ in pick(RandomSyntax.stringPieces) }.joined()
    }

    mutating func name() -> ExprKind {
        switch int(0...5) {
        case 0: return .name((0..<int(1...2)).map { _ in pick(RandomSyntax.names) }, style: .radarAttribute)
        case 1: return .name(["metadata", pick(RandomSyntax.names)], style: .radarMetadata)
        default: return .name((0..<int(1...3)).map { _ in pick(RandomSyntax.names) }, style: .plain)
        }
    }

    mutating func leaf() -> Expr {
        switch int(0...8) {
        case 0: return expr(.int(int64()))
        case 1: return expr(.double(double()))
        case 2: return expr(.string(string()))
        case 3: return expr(.bool(chance(50)))
        case 4: return expr(.duration(count: Int64(int(0...100_000)), unit: pick(DurationUnit.allCases)))
        case 5: return expr(.listReference(pick(RandomSyntax.names)))
        default: return expr(name())
        }
    }

    mutating func expression(depth: Int = 0) -> Expr {
        if depth >= maxDepth || chance(30) { return leaf() }
        let next = depth + 1
        switch int(0...9) {
        case 0:
            return expr(.list((0..<int(0...4)).map { _ in expression(depth: next) }, style: chance(50) ? .brackets : .parentheses))
        case 1:
            return expr(.unary(chance(50) ? .not : .negate, expression(depth: next)))
        case 2:
            return expr(.conditional(expression(depth: next), expression(depth: next), expression(depth: next)))
        case 3:
            let target: Expr? = chance(50) ? expression(depth: next) : nil
            return expr(.call(pick(RandomSyntax.functions), target: target, arguments: (0..<int(0...3)).map { _ in expression(depth: next) }))
        case 4:
            return expr(.index(expression(depth: next), expression(depth: next)))
        default:
            return expr(.binary(pick(BinaryOperator.allCases), expression(depth: next), expression(depth: next)))
        }
    }

    mutating func action() -> ActionSyntax { ActionSyntax(pick(Action.allCases), range: .none) }

    mutating func string(_ value: String? = nil) -> StringSyntax { StringSyntax(value ?? string(), range: .none) }

    mutating func duration() -> DurationSyntax {
        DurationSyntax(count: Int64(int(0...10_000)), unit: pick(DurationUnit.allCases), range: .none)
    }

    mutating func declaration() -> Declaration {
        switch int(0...12) {
        case 0:
            return .ruleset(RulesetHeader(name: identifier(), version: chance(50) ? string(nil) : nil, range: .none))
        case 1:
            let fields = (0..<int(0...4)).map { _ in
                SchemaField(name: Identifier((0..<int(1...3)).map { _ in pick(RandomSyntax.names) }.joined(separator: "."), range: .none),
                            type: identifier(), caseInsensitive: chance(30), range: .none)
            }
            return .schema(SchemaBlock(fields: fields, range: .none))
        case 2:
            return .list(ListDeclaration(name: identifier(), kind: identifier(), caseInsensitive: chance(30), range: .none))
        case 3:
            let aggregate: CounterAggregate = chance(33) ? .count : chance(50) ? .sum(expression()) : .distinct(expression())
            return .counter(CounterDeclaration(name: identifier(), key: expression(), aggregate: aggregate,
                                               condition: chance(50) ? expression() : nil, retain: duration(), range: .none))
        case 4:
            let bindings = (0..<int(0...3)).map { _ in ModelBinding(feature: identifier(), value: expression(), range: .none) }
            return .model(ModelDeclaration(name: identifier(), kind: identifier(), path: string(nil), bindings: bindings, range: .none))
        case 5:
            return .letBinding(LetDeclaration(name: identifier(), value: expression(), range: .none))
        case 6, 7:
            let radar = chance(30)
            let rollout = chance(20) ? Rollout(percent: Double(int(0...1000)) / 10, key: expression(), range: .none) : nil
            return .rule(RuleDeclaration(name: radar ? nil : identifier(), action: action(), condition: expression(),
                                         reason: chance(30) ? string(nil) : nil, shadow: chance(20), rollout: rollout,
                                         tags: (0..<(chance(20) ? int(1...3) : 0)).map { _ in string(nil) },
                                         style: radar ? .radar : .native, range: .none))
        case 8:
            return .score(ScoreDeclaration(name: identifier(), points: int64(), condition: expression(), range: .none))
        case 9:
            let clauses = (0..<int(1...3)).map { _ in ThresholdClause(action: action(), condition: expression(), range: .none) }
            return .threshold(ThresholdDeclaration(clauses: clauses, range: .none))
        case 10:
            return .precedence(PrecedenceDeclaration(actions: (0..<int(1...4)).map { _ in action() }, range: .none))
        default:
            return .onError(OnErrorDeclaration(action: action(), range: .none))
        }
    }

    mutating func unit() -> SourceUnit {
        SourceUnit(file: 0, declarations: (0..<int(0...4)).map { _ in declaration() })
    }
}
