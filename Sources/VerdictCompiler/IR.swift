// The compiler's intermediate representation: typed expression trees over resolved names (field,
// let, list, counter and model indices instead of identifiers) and the ruleset's declarations.
// The front end lowers the checked AST to it; the code generator turns it into VM bytecode. Tests
// and the benchmark can also build it directly.
import VerdictVM

/// A typed expression with every name resolved.
public struct IRExpr: Sendable {
    public indirect enum Kind: Sendable {
        case constant(Value)
        /// Request field (register) index.
        case field(Int)
        /// Index into `IRProgram.lets`.
        case letValue(Int)
        /// `key in @list`.
        case listLookup(list: Int, key: IRExpr)
        /// `counter(window)`: the counter's own key expression and value type come from the declaration.
        case counterRead(counter: Int, windowSeconds: Int64, key: IRExpr)
        /// A model's probability, or with `margin` its raw score (`raw(model)`).
        case model(Int, margin: Bool)
        case not(IRExpr)
        case negate(IRExpr)
        case binary(IRBinaryOperator, IRExpr, IRExpr)
        /// Commutative, absorbing conjunction/disjunction (LANGUAGE.md §4).
        case and([IRExpr])
        case or([IRExpr])
        case conditional(IRExpr, IRExpr, IRExpr)
        /// `x in [constants]`.
        case inSet(IRExpr, [Value])
        case call(IRFunction, [IRExpr])
        /// The ruleset's score (int, the sum of the fired scores); only in threshold conditions,
        /// which run after every score.
        case score
    }

    public var kind: Kind
    /// The value type (checker-assigned).
    public var type: ValueType
    /// A string compared case-insensitively (a `ci` field, or an expression derived from one).
    public var caseInsensitive: Bool

    public init(_ kind: Kind, _ type: ValueType, caseInsensitive: Bool = false) {
        self.kind = kind; self.type = type; self.caseInsensitive = caseInsensitive
    }

    public static func constant(_ v: Value) -> IRExpr { IRExpr(.constant(v), v.type ?? .bool) }

    /// The constant value, if this is a constant.
    public var constantValue: Value? {
        if case .constant(let v) = kind { return v }
        return nil
    }
}

extension IRExpr {
    /// The direct subexpressions, in evaluation order (a let's value is not one: it is reached
    /// through `IRProgram.lets`).
    public var children: [IRExpr] {
        switch kind {
        case .constant, .field, .letValue, .model, .score: return []
        case .listLookup(_, let x), .counterRead(_, _, let x), .not(let x), .negate(let x), .inSet(let x, _): return [x]
        case .binary(_, let x, let y): return [x, y]
        case .and(let xs), .or(let xs), .call(_, let xs): return xs
        case .conditional(let c, let x, let y): return [c, x, y]
        }
    }

    /// This expression with every direct subexpression replaced by `transform` of it.
    public func mapChildren<E: Error>(_ transform: (IRExpr) throws(E) -> IRExpr) throws(E) -> IRExpr {
        var out = self
        switch kind {
        case .constant, .field, .letValue, .model, .score: return self
        case .listLookup(let l, let x): out.kind = .listLookup(list: l, key: try transform(x))
        case .counterRead(let c, let w, let x): out.kind = .counterRead(counter: c, windowSeconds: w, key: try transform(x))
        case .not(let x): out.kind = .not(try transform(x))
        case .negate(let x): out.kind = .negate(try transform(x))
        case .inSet(let x, let values): out.kind = .inSet(try transform(x), values)
        case .binary(let op, let x, let y): out.kind = .binary(op, try transform(x), try transform(y))
        case .and(let xs): out.kind = .and(try xs.map { x throws(E) in try transform(x) })
        case .or(let xs): out.kind = .or(try xs.map { x throws(E) in try transform(x) })
        case .call(let f, let xs): out.kind = .call(f, try xs.map { x throws(E) in try transform(x) })
        case .conditional(let c, let x, let y): out.kind = .conditional(try transform(c), try transform(x), try transform(y))
        }
        return out
    }
}

public enum IRBinaryOperator: String, Sendable {
    case add = "+", subtract = "-", multiply = "*", divide = "/", remainder = "%"
    case equal = "==", notEqual = "!=", less = "<", lessEqual = "<=", greater = ">", greaterEqual = ">="

    public var isComparison: Bool {
        switch self {
        case .equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual: return true
        default: return false
        }
    }

    /// The comparison with its operands swapped (`a < b` is `b > a`).
    public var flipped: IRBinaryOperator {
        switch self {
        case .less: return .greater
        case .lessEqual: return .greaterEqual
        case .greater: return .less
        case .greaterEqual: return .lessEqual
        default: return self
        }
    }
}

/// Built-in functions (LANGUAGE.md §3).
public enum IRFunction: String, Sendable {
    case size, lower, upper, startsWith, endsWith, contains, like, domain
    /// `matches(s, pattern)`: the second argument is the pattern as a string constant.
    case matches
    case int, double, string, abs, min, max, has, isMissing, bucket, cidr
}

public struct IRLet: Sendable {
    public var name: String
    public var value: IRExpr
    public init(name: String, value: IRExpr) { self.name = name; self.value = value }
}

public struct IRModel: Sendable {
    public var name: String
    public var features: [(name: String, value: IRExpr)]
    public init(name: String, features: [(name: String, value: IRExpr)]) { self.name = name; self.features = features }
}

/// A rule or score: its static description, its condition and its rollout key.
public struct IRRule: Sendable {
    public var info: RuleInfo
    public var condition: IRExpr
    public var rolloutKey: IRExpr?
    public init(info: RuleInfo, condition: IRExpr, rolloutKey: IRExpr? = nil) {
        self.info = info; self.condition = condition; self.rolloutKey = rolloutKey
    }
}

/// A `threshold` clause: its action applies when its condition is true (LANGUAGE.md §7).
public struct IRThreshold: Sendable {
    public var action: VerdictAction
    public var condition: IRExpr
    public init(action: VerdictAction, condition: IRExpr) { self.action = action; self.condition = condition }
}

/// A whole ruleset in IR form.
public struct IRProgram: Sendable {
    public var name = ""
    public var version = ""
    public var fields: [FieldInfo] = []
    public var lets: [IRLet] = []
    public var lists: [ListInfo] = []
    public var counters: [CounterInfo] = []
    public var models: [IRModel] = []
    /// Rules and scores in ruleset order (their index is the rule index of the verdict).
    public var rules: [IRRule] = []
    public var precedence: [VerdictAction] = [.allow, .block, .review]
    public var thresholds: [IRThreshold] = []
    public var onError: VerdictAction = .none
    public init() {}

    /// The expressions evaluation starts from: model features, rule (and score) conditions and
    /// rollout keys, threshold conditions. Let values are reached through `.letValue`.
    public var entryExpressions: [IRExpr] {
        models.flatMap { $0.features.map(\.value) } + rules.flatMap { [$0.condition] + ($0.rolloutKey.map { [$0] } ?? []) }
            + thresholds.map(\.condition)
    }

    /// The program with `transform` applied to every let value and every entry expression (the
    /// rewriting counterpart of `lets` + `entryExpressions`).
    func mapExpressions(_ transform: (IRExpr) -> IRExpr) -> IRProgram {
        var out = self
        for i in out.lets.indices { out.lets[i].value = transform(out.lets[i].value) }
        for i in out.models.indices {
            for j in out.models[i].features.indices { out.models[i].features[j].value = transform(out.models[i].features[j].value) }
        }
        for i in out.rules.indices {
            out.rules[i].condition = transform(out.rules[i].condition)
            out.rules[i].rolloutKey = out.rules[i].rolloutKey.map(transform)
        }
        for i in out.thresholds.indices { out.thresholds[i].condition = transform(out.thresholds[i].condition) }
        return out
    }
}
