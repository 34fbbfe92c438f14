// The syntax tree of a ruleset, as the parser builds it and the formatter prints it. Every node
// carries its source range (for diagnostics) and every expression an id (for the checker's side
// tables of types and resolutions, cel-go style). Equality is structural: ranges and ids never take
// part, so `parse(fmt(x)) == parse(x)` compares meaning-bearing syntax only.

/// Dense id of an expression node, unique within one parsed ruleset (all files). The checker keys
/// its type and resolution tables by it.
public typealias ExprID = Int

/// A name as written, with where it was written.
public struct Identifier: Sendable, CustomStringConvertible {
    public var name: String
    public var range: SourceRange
    public init(_ name: String, range: SourceRange) { self.name = name; self.range = range }
    public var description: String { name }
}

extension Identifier: Equatable {
    public static func == (a: Identifier, b: Identifier) -> Bool { a.name == b.name }
}

// MARK: - Expressions

/// An expression node.
public struct Expr: Sendable {
    public var id: ExprID
    public var range: SourceRange
    public var kind: ExprKind
    public init(id: ExprID, range: SourceRange, kind: ExprKind) { self.id = id; self.range = range; self.kind = kind }
}

extension Expr: Equatable {
    public static func == (a: Expr, b: Expr) -> Bool { a.kind == b.kind }
}

/// How a field name was spelled: plain (`card.country`), Radar attribute (`:card_country:`) or
/// Radar metadata (`::key::`, which names the schema field `metadata.key`).
public enum NameStyle: Sendable, Equatable {
    case plain, radarAttribute, radarMetadata
}

/// How a list literal was spelled: CEL `[a, b]` or Radar/SQL `('a', 'b')`.
public enum ListStyle: Sendable, Equatable {
    case brackets, parentheses
}

/// Units of a duration literal (`30s 15m 1h 7d`).
public enum DurationUnit: String, Sendable, Equatable, CaseIterable {
    case seconds = "s", minutes = "m", hours = "h", days = "d"

    /// Seconds in one unit.
    public var seconds: Int64 {
        switch self {
        case .seconds: return 1
        case .minutes: return 60
        case .hours: return 3600
        case .days: return 86400
        }
    }
}

public enum UnaryOperator: String, Sendable, Equatable {
    case negate = "-"
    case not = "!"
}

public enum BinaryOperator: String, Sendable, Equatable, CaseIterable {
    case multiply = "*", divide = "/", remainder = "%"
    case add = "+", subtract = "-"
    case equal = "==", notEqual = "!=", less = "<", lessEqual = "<=", greater = ">", greaterEqual = ">="
    case `in` = "in", includes = "INCLUDES", like = "LIKE"
    case and = "&&", or = "||"

    /// Binding power, tightest first (LANGUAGE.md §3): higher binds tighter.
    public var precedence: Int {
        switch self {
        case .multiply, .divide, .remainder: return 5
        case .add, .subtract: return 4
        case .equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual, .in, .includes, .like: return 3
        case .and: return 2
        case .or: return 1
        }
    }
}

/// The shapes an expression can take.
public indirect enum ExprKind: Sendable, Equatable {
    case int(Int64)
    case double(Double)
    case string(String)
    case bool(Bool)
    /// A duration literal such as `24h` (`count` units).
    case duration(count: Int64, unit: DurationUnit)
    /// A (possibly dotted) name: schema field, `let`, model output, counter, or a context name
    /// such as `score`, `verdict`, `now`, or an action in a counter's `when`.
    case name([String], style: NameStyle)
    /// A list literal (constant elements become a hashed set probe).
    case list([Expr], style: ListStyle)
    /// `@name`: an LMDB-backed list (valid as the right side of `in`).
    case listReference(String)
    case unary(UnaryOperator, Expr)
    case binary(BinaryOperator, Expr, Expr)
    /// `cond ? a : b`.
    case conditional(Expr, Expr, Expr)
    /// A function or method call: `size(s)`, `s.startsWith("4")` (target = s), a counter read
    /// `attempts_per_card(1h)`, `raw(fraud_gbdt)`.
    case call(String, target: Expr?, arguments: [Expr])
    /// `a[b]`.
    case index(Expr, Expr)
}

// MARK: - Declarations

/// The four actions a rule can take (LANGUAGE.md §7).
public enum Action: String, Sendable, Equatable, CaseIterable {
    case allow, block, review, challenge
}

/// An action keyword as written.
public struct ActionSyntax: Sendable, Equatable {
    public var action: Action
    public var range: SourceRange
    public init(_ action: Action, range: SourceRange) { self.action = action; self.range = range }
    public static func == (a: ActionSyntax, b: ActionSyntax) -> Bool { a.action == b.action }
}

/// A duration literal in a declaration (`retain 7d`).
public struct DurationSyntax: Sendable, Equatable {
    public var count: Int64
    public var unit: DurationUnit
    public var range: SourceRange
    public init(count: Int64, unit: DurationUnit, range: SourceRange) { self.count = count; self.unit = unit; self.range = range }
    public var seconds: Int64 { count.multipliedReportingOverflow(by: unit.seconds).partialValue }
    public static func == (a: DurationSyntax, b: DurationSyntax) -> Bool { a.count == b.count && a.unit == b.unit }
}

/// A string literal in a declaration (`version "1"`, model paths, reasons, tags).
public struct StringSyntax: Sendable, Equatable {
    public var value: String
    public var range: SourceRange
    public init(_ value: String, range: SourceRange) { self.value = value; self.range = range }
    public static func == (a: StringSyntax, b: StringSyntax) -> Bool { a.value == b.value }
}

/// `ruleset NAME [version "V"]`.
public struct RulesetHeader: Sendable, Equatable {
    public var name: Identifier
    public var version: StringSyntax?
    public var range: SourceRange
    public static func == (a: RulesetHeader, b: RulesetHeader) -> Bool { a.name == b.name && a.version == b.version }
}

/// One line of a `schema { ... }` block: `card.country country`, `email_domain string ci`.
public struct SchemaField: Sendable, Equatable {
    /// The full dotted name (`card.fingerprint`).
    public var name: Identifier
    /// The type name as written; the checker resolves it.
    public var type: Identifier
    public var caseInsensitive: Bool
    public var range: SourceRange
    public static func == (a: SchemaField, b: SchemaField) -> Bool {
        a.name == b.name && a.type == b.type && a.caseInsensitive == b.caseInsensitive
    }
}

/// `schema { FIELD TYPE [ci] ... }`. Several blocks (in several files) are merged.
public struct SchemaBlock: Sendable, Equatable {
    public var fields: [SchemaField]
    public var range: SourceRange
    public static func == (a: SchemaBlock, b: SchemaBlock) -> Bool { a.fields == b.fields }
}

/// `list NAME KIND [ci]` with KIND `string`, `ip`, `prefix` (or `country`).
public struct ListDeclaration: Sendable, Equatable {
    public var name: Identifier
    public var kind: Identifier
    public var caseInsensitive: Bool
    public var range: SourceRange
    public static func == (a: ListDeclaration, b: ListDeclaration) -> Bool {
        a.name == b.name && a.kind == b.kind && a.caseInsensitive == b.caseInsensitive
    }
}

/// What a counter aggregates per key.
public enum CounterAggregate: Sendable, Equatable {
    case count
    case sum(Expr)
    case distinct(Expr)
}

/// `counter NAME by KEY [sum EXPR | distinct EXPR] [when COND] retain DURATION`.
public struct CounterDeclaration: Sendable, Equatable {
    public var name: Identifier
    public var key: Expr
    public var aggregate: CounterAggregate
    public var condition: Expr?
    public var retain: DurationSyntax
    public var range: SourceRange
    public static func == (a: CounterDeclaration, b: CounterDeclaration) -> Bool {
        a.name == b.name && a.key == b.key && a.aggregate == b.aggregate && a.condition == b.condition && a.retain == b.retain
    }
}

/// `FEATURE = EXPR` inside a model block.
public struct ModelBinding: Sendable, Equatable {
    public var feature: Identifier
    public var value: Expr
    public var range: SourceRange
    public static func == (a: ModelBinding, b: ModelBinding) -> Bool { a.feature == b.feature && a.value == b.value }
}

/// `model NAME KIND "path" { FEATURE = EXPR ... }` with KIND `xgboost`, `lightgbm` or `linear`.
public struct ModelDeclaration: Sendable, Equatable {
    public var name: Identifier
    public var kind: Identifier
    public var path: StringSyntax
    public var bindings: [ModelBinding]
    public var range: SourceRange
    public static func == (a: ModelDeclaration, b: ModelDeclaration) -> Bool {
        a.name == b.name && a.kind == b.kind && a.path == b.path && a.bindings == b.bindings
    }
}

/// `let NAME = EXPR`.
public struct LetDeclaration: Sendable, Equatable {
    public var name: Identifier
    public var value: Expr
    public var range: SourceRange
    public static func == (a: LetDeclaration, b: LetDeclaration) -> Bool { a.name == b.name && a.value == b.value }
}

/// `rollout N% by KEY`.
public struct Rollout: Sendable, Equatable {
    /// Percentage of keys in the rollout, 0...100 (fractions allowed: `0.5%`).
    public var percent: Double
    public var key: Expr
    public var range: SourceRange
    public static func == (a: Rollout, b: Rollout) -> Bool { a.percent == b.percent && a.key == b.key }
}

/// How a rule was written: native (`rule NAME: block if ...`) or pasted Radar (`Block if ...`).
public enum RuleStyle: Sendable, Equatable {
    case native, radar
}

/// `rule NAME: ACTION if COND [reason "text"] [shadow] [rollout N% by KEY] [tags "a","b"]`,
/// or Radar's unnamed `Action if COND` (named `rule_<line>` by the checker).
public struct RuleDeclaration: Sendable, Equatable {
    public var name: Identifier?
    public var action: ActionSyntax
    public var condition: Expr
    public var reason: StringSyntax?
    public var shadow: Bool
    public var rollout: Rollout?
    public var tags: [StringSyntax]
    public var style: RuleStyle
    public var range: SourceRange
    public static func == (a: RuleDeclaration, b: RuleDeclaration) -> Bool {
        a.name == b.name && a.action == b.action && a.condition == b.condition && a.reason == b.reason
            && a.shadow == b.shadow && a.rollout == b.rollout && a.tags == b.tags && a.style == b.style
    }
}

/// `score NAME: +POINTS if COND` (points may be negative).
public struct ScoreDeclaration: Sendable, Equatable {
    public var name: Identifier
    public var points: Int64
    public var condition: Expr
    public var range: SourceRange
    public static func == (a: ScoreDeclaration, b: ScoreDeclaration) -> Bool {
        a.name == b.name && a.points == b.points && a.condition == b.condition
    }
}

/// One clause of a threshold: `review if score >= 50`.
public struct ThresholdClause: Sendable, Equatable {
    public var action: ActionSyntax
    public var condition: Expr
    public var range: SourceRange
    public static func == (a: ThresholdClause, b: ThresholdClause) -> Bool { a.action == b.action && a.condition == b.condition }
}

/// `threshold review if score >= 50, block if score >= 100`.
public struct ThresholdDeclaration: Sendable, Equatable {
    public var clauses: [ThresholdClause]
    public var range: SourceRange
    public static func == (a: ThresholdDeclaration, b: ThresholdDeclaration) -> Bool { a.clauses == b.clauses }
}

/// `precedence allow > block > review`.
public struct PrecedenceDeclaration: Sendable, Equatable {
    public var actions: [ActionSyntax]
    public var range: SourceRange
    public static func == (a: PrecedenceDeclaration, b: PrecedenceDeclaration) -> Bool { a.actions == b.actions }
}

/// `on error review` (or `block`): fail closed.
public struct OnErrorDeclaration: Sendable, Equatable {
    public var action: ActionSyntax
    public var range: SourceRange
    public static func == (a: OnErrorDeclaration, b: OnErrorDeclaration) -> Bool { a.action == b.action }
}

/// A top-level declaration.
public enum Declaration: Sendable, Equatable {
    case ruleset(RulesetHeader)
    case schema(SchemaBlock)
    case list(ListDeclaration)
    case counter(CounterDeclaration)
    case model(ModelDeclaration)
    case letBinding(LetDeclaration)
    case rule(RuleDeclaration)
    case score(ScoreDeclaration)
    case threshold(ThresholdDeclaration)
    case precedence(PrecedenceDeclaration)
    case onError(OnErrorDeclaration)
}

/// The declarations of one file, in source order.
public struct SourceUnit: Sendable, Equatable {
    public var file: SourceFileID
    public var declarations: [Declaration]
    /// The file's `//` comments in source order (trivia for the formatter; not part of equality).
    public var comments: [Comment]
    public init(file: SourceFileID, declarations: [Declaration], comments: [Comment] = []) {
        self.file = file; self.declarations = declarations; self.comments = comments
    }
    public static func == (a: SourceUnit, b: SourceUnit) -> Bool { a.declarations == b.declarations }
}

// MARK: - Trivia, ids and derived names

/// A `//` comment, kept so that `verdict fmt` can put it back.
public struct Comment: Sendable, Equatable {
    /// The comment text including the leading `//`, without the line break.
    public var text: String
    public var range: SourceRange
    /// True when nothing but whitespace precedes the comment on its line.
    public var ownLine: Bool
    public init(text: String, range: SourceRange, ownLine: Bool) { self.text = text; self.range = range; self.ownLine = ownLine }
}

/// Hands out dense expression ids. One allocator is shared by all files of a ruleset so ids are
/// unique across it; `count` is the size the checker's side tables need.
public struct ExprIDAllocator: Sendable {
    public private(set) var count = 0
    public init() {}
    /// A fresh id: one more than the last.
    public mutating func next() -> ExprID {
        defer { count += 1 }
        return count
    }
}

extension Declaration {
    /// The source range of the whole declaration.
    public var range: SourceRange {
        switch self {
        case .ruleset(let d): return d.range
        case .schema(let d): return d.range
        case .list(let d): return d.range
        case .counter(let d): return d.range
        case .model(let d): return d.range
        case .letBinding(let d): return d.range
        case .rule(let d): return d.range
        case .score(let d): return d.range
        case .threshold(let d): return d.range
        case .precedence(let d): return d.range
        case .onError(let d): return d.range
        }
    }
}

extension RuleDeclaration {
    /// The rule's name: as written, or `rule_<line>` for an unnamed Radar rule (line of its action
    /// keyword in `file`, 1-based).
    public func effectiveName(in file: SourceFile) -> String {
        if let name { return name.name }
        return "rule_\(file.location(of: action.range.start).line)"
    }
}
