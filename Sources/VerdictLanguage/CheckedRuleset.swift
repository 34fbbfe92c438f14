// The checker's output and the compiler's input: every declaration of a ruleset resolved, typed and
// put in evaluation order, plus side tables keyed by `ExprID` (type, resolution, constant values) for
// the expression trees, which stay the parser's AST. A `CheckedRuleset` exists only for a ruleset
// with no errors; everything in it is valid, so the compiler codes against it without guessing.

/// A request field declared in `schema { }`.
public struct CheckedField: Sendable, Equatable {
    /// Dense index: the host binds request values by it (`request.set(field, ...)`).
    public var id: FieldID
    /// The full dotted name (`card.country`, `metadata.order_id`).
    public var name: String
    /// `int double bool string stringCaseInsensitive country ip timestamp`.
    public var type: VerdictType
    public var range: SourceRange
}

/// An LMDB-backed list (`list NAME KIND [ci]`).
public struct CheckedList: Sendable, Equatable {
    public var id: ListID
    public var name: String
    public var kind: ListKind
    /// Entries are matched ignoring case (only for `string` lists).
    public var caseInsensitive: Bool
    public var range: SourceRange
}

/// What a counter adds per event.
public enum CheckedAggregate: Sendable, Equatable {
    /// Count of events.
    case count
    /// Sum of `value` (type `int` or `double`, recorded in the type table); reads have that type.
    case sum(Expr)
    /// Distinct values of `value` (exact up to 32 per key and bucket); reads are `int`.
    case distinct(Expr)
}

/// `counter NAME by KEY [sum|distinct EXPR] [when COND] retain DURATION`.
public struct CheckedCounter: Sendable, Equatable {
    public var id: CounterID
    public var name: String
    /// The key expression (type int, string, string ci, country, ip or bool). A missing key skips
    /// the counter. A `string ci` key is lower-cased before hashing.
    public var key: Expr
    public var aggregate: CheckedAggregate
    /// The update condition, evaluated after the verdict (may read `verdict` and `score`); nil =
    /// every event.
    public var condition: Expr?
    /// How long events are kept, in seconds (> 0); every read window is `<=` this.
    public var retainSeconds: Int64
    /// The type a read returns: `int` for count/distinct and int sums, `double` for double sums.
    public var readType: VerdictType
    public var range: SourceRange
}

/// One model input: the feature name and the expression bound to it.
public struct CheckedFeature: Sendable, Equatable {
    public var name: String
    /// Type `int`, `double` or `bool` (bool becomes 1.0/0.0, missing becomes NaN).
    public var value: Expr
}

/// `model NAME KIND "path" { ... }`.
public struct CheckedModel: Sendable, Equatable {
    public var id: ModelID
    public var name: String
    public var kind: ModelKind
    /// The file to load, as found by the `ModelCatalog` (or the first candidate path when checking
    /// without a catalog).
    public var path: String
    /// All features, in the model's own column order (binding order when checked without a
    /// catalog); each is bound exactly once.
    public var features: [CheckedFeature]
    public var range: SourceRange
}

/// `let NAME = EXPR`.
public struct CheckedLet: Sendable, Equatable {
    /// Index in `CheckedRuleset.lets`: lets come in dependency order (a let only refers to lets
    /// with a smaller id).
    public var id: LetID
    public var name: String
    public var value: Expr
    public var type: VerdictType
    public var range: SourceRange
}

/// `rollout N% by KEY`.
public struct CheckedRollout: Sendable, Equatable {
    /// 0...100.
    public var percent: Double
    /// Any key type allowed for `bucket()` (the rule is enforced for keys whose bucket falls
    /// inside the percentage); a missing key is outside the rollout.
    public var key: Expr
}

/// A rule (`rule NAME: ACTION if COND ...` or Radar's `Action if COND`).
public struct CheckedRule: Sendable, Equatable {
    /// Position in `CheckedRuleset.rules` (source order: file order, then line).
    public var index: Int
    /// The declared name, or `rule_<line>` for an unnamed Radar rule (`rule_<line>_<n>` when
    /// several files would give the same name).
    public var name: String
    public var action: Action
    /// A `bool` expression.
    public var condition: Expr
    public var reason: String?
    /// Evaluated and reported, never changes the verdict.
    public var shadow: Bool
    public var rollout: CheckedRollout?
    public var tags: [String]
    public var range: SourceRange
}

/// `score NAME: +POINTS if COND`.
public struct CheckedScore: Sendable, Equatable {
    public var index: Int
    public var name: String
    public var points: Int64
    public var condition: Expr
    public var range: SourceRange
}

/// One clause of `threshold`: `ACTION if COND` where COND may read `score`.
public struct CheckedThreshold: Sendable, Equatable {
    public var action: Action
    public var condition: Expr
    public var range: SourceRange
}

/// A type-checked ruleset: the contract between checker and compiler.
///
/// Expression trees are the parser's `Expr` values; for every node reachable from a declaration
/// below, `type(of:)` is its static type (never `.error`) and `resolution(of:)` says what it
/// denotes (nil only for literals). Every `ExprID` is unique across the ruleset.
public struct CheckedRuleset: Sendable {
    /// `ruleset NAME`, if declared.
    public var name: String?
    /// `version "V"`, reported in every verdict (nil when not declared).
    public var version: String?
    /// Schema fields, `fields[i].id == i`, in declaration order.
    public var fields: [CheckedField]
    public var lists: [CheckedList]
    public var counters: [CheckedCounter]
    public var models: [CheckedModel]
    /// Lets in dependency (topological) order; ties in source order.
    public var lets: [CheckedLet]
    /// Rules in source order.
    public var rules: [CheckedRule]
    public var scores: [CheckedScore]
    /// All `threshold` clauses in source order (several declarations are concatenated).
    public var thresholds: [CheckedThreshold]
    /// The order in which fired enforced rule actions win: a permutation of allow, block, review
    /// (default `[.allow, .block, .review]`). `challenge` is never in it (it only sets a flag).
    public var precedence: [Action]
    /// `on error ACTION` (review or block), nil = fail open.
    public var onError: Action?

    var types: [VerdictType?]
    var resolutions: [Resolution?]
    var constants: [ExprID: ConstantValue]
    var constantSets: [ExprID: [ConstantValue]]

    /// One more than the largest `ExprID` with an entry: the size for per-node arrays.
    public var expressionCount: Int { types.count }

    /// The static type of an expression node.
    public func type(of id: ExprID) -> VerdictType {
        id >= 0 && id < types.count ? types[id] ?? .error : .error
    }

    /// What a node denotes; nil for literals.
    public func resolution(of id: ExprID) -> Resolution? {
        id >= 0 && id < resolutions.count ? resolutions[id] : nil
    }

    /// A string literal whose meaning depends on the other operand, pre-parsed: an `ip` literal
    /// (`ip == "10.0.0.1"`) as `.ip`, a text literal compared case-insensitively as its lower-cased
    /// `.string`. Nil for other literals (read their value from the AST).
    public func constant(of id: ExprID) -> ConstantValue? { constants[id] }

    /// The elements of a constant list literal (the right operand of `inConstantSet`), normalised
    /// to the comparison kind: ints widened to double for a double operand, text lower-cased for a
    /// case-insensitive one, ip literals parsed. Duplicates removed, source order otherwise.
    public func constantSet(of id: ExprID) -> [ConstantValue]? { constantSets[id] }

    /// Field lookup by name (for hosts binding requests).
    public func field(named name: String) -> CheckedField? { fields.first { $0.name == name } }
}
