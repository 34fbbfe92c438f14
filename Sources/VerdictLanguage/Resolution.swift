// What each checked expression node means, decided once by the checker so the compiler never has
// to re-derive it (cel-go's "reference map"): which field/let/list/counter/model a name denotes and
// which typed overload an operator or builtin call uses. The compiler maps every case below
// one-to-one onto opcodes.

/// Index of a schema field in `CheckedRuleset.fields` (dense, stable for a ruleset: the host binds
/// request fields by it).
public typealias FieldID = Int
/// Index into `CheckedRuleset.lets` (which is in dependency order).
public typealias LetID = Int
/// Index into `CheckedRuleset.lists`.
public typealias ListID = Int
/// Index into `CheckedRuleset.counters`.
public typealias CounterID = Int
/// Index into `CheckedRuleset.models`.
public typealias ModelID = Int

/// The action value space of `verdict` (the four rule actions plus `none`).
public enum VerdictAction: String, Sendable, Hashable, CaseIterable {
    case allow, block, review, challenge, none
}

/// The meaning the checker assigned to one expression node. Literal nodes (`int`, `double`,
/// `string`, `bool`, `duration`) have no entry: their value is in the AST (string literals compared
/// with `country`/`ip` values are pre-parsed in `CheckedRuleset.constant(of:)`).
public enum Resolution: Sendable, Hashable {
    /// A schema field read (`amount_usd`, `:card_country:`, `::order_id::`).
    case field(FieldID)
    /// The value of a `let`.
    case letValue(LetID)
    /// A model's output (probability for logistic objectives): a bare model name.
    case modelOutput(ModelID)
    /// `raw(model)`: the model's margin (on the call node).
    case modelRaw(ModelID)
    /// `counter(window)`: a counter read over the last `windowSeconds` (on the call node).
    case counterRead(CounterID, windowSeconds: Int64)
    /// `@name` (the right operand of an `in`).
    case list(ListID)
    /// `now`: the event time (a timestamp).
    case now
    /// `score`: the summed score points (int); only in thresholds and counter `when`.
    case score
    /// `verdict`: the decided action; only in a counter's `when`.
    case verdict
    /// An action name inside a counter's `when` (`verdict == block`).
    case action(VerdictAction)
    /// A unary operator.
    case unary(UnaryOverload)
    /// A binary operator (including `in`, `INCLUDES`, `LIKE`, `&&`, `||`).
    case binary(BinaryOverload)
    /// `c ? a : b` whose branches have the type recorded for the node.
    case conditional
    /// A builtin function or method call.
    case builtin(BuiltinOverload)
    /// A list literal (`[a, b]`, `('a', 'b')`); when all elements are constants its values are in
    /// `CheckedRuleset.constantSet(of:)`.
    case listLiteral
}

/// Typed unary operators.
public enum UnaryOverload: Sendable, Hashable {
    case negateInt, negateDouble
    /// `!x` / `not x` on bool.
    case not
}

/// The arithmetic operators.
public enum ArithmeticOperator: String, Sendable, Hashable {
    case add = "+", subtract = "-", multiply = "*", divide = "/", remainder = "%"
}

/// Operand types of an arithmetic overload.
public enum ArithmeticKind: Sendable, Hashable {
    /// int op int -> int (overflow, division by zero: error).
    case int
    /// double op double -> double (IEEE; `%` has no double overload).
    case double
    /// timestamp ± duration -> timestamp.
    case timestampDuration
    /// duration + timestamp -> timestamp.
    case durationTimestamp
    /// timestamp - timestamp -> duration.
    case timestampTimestamp
}

/// The comparison operators (`=` is `==`).
public enum ComparisonOperator: String, Sendable, Hashable {
    case equal = "==", notEqual = "!=", less = "<", lessEqual = "<=", greater = ">", greaterEqual = ">="
}

/// Operand types of a comparison (and of the element equality used by `in`).
public enum ComparisonKind: Sendable, Hashable {
    case int, double
    /// int on the left, double on the right: exact numeric comparison (CEL cross-type).
    case intDouble
    /// double on the left, int on the right.
    case doubleInt
    case bool
    /// Byte-wise text (also `country`, whose values are upper-case codes).
    case string
    /// Case-insensitive text: used when either side is `string ci` (equality and `in` only).
    case stringCaseInsensitive
    case ip
    case timestamp
    case duration
    /// `verdict` against an action name.
    case action
}

/// Typed binary operators.
public enum BinaryOverload: Sendable, Hashable {
    case arithmetic(ArithmeticOperator, ArithmeticKind)
    /// string + string -> string.
    case concatenate
    case comparison(ComparisonOperator, ComparisonKind)
    /// Absorbing `&&` / `||` (LANGUAGE.md §4).
    case and, or
    /// `x in [c1, c2]` with all-constant elements: a hashed set probe; values in
    /// `CheckedRuleset.constantSet(of:)` of the right operand, normalised for `kind`.
    case inConstantSet(ComparisonKind)
    /// `x in [a, b]` with some non-constant element: `x == a || x == b` using `kind` equality.
    case inList(ComparisonKind)
    /// `x in @list`: a store lookup (exact, ci, CIDR or longest prefix by the list's kind).
    case inStoreList(ListID)
    /// Radar `INCLUDES`: substring test.
    case includes(caseInsensitive: Bool)
    /// Radar `LIKE`: anchored match with `%` (any run) and `_` (one character); the pattern is the
    /// right operand, always a string literal.
    case like(caseInsensitive: Bool)
}

/// Typed builtin functions and methods (LANGUAGE.md §3).
public enum BuiltinOverload: Sendable, Hashable {
    /// `size(s)` / `s.size()`: number of Unicode scalars.
    case size
    /// `s.contains(t)`, `s.startsWith(t)`, `s.endsWith(t)`; case-insensitive on a `string ci` target.
    case contains(caseInsensitive: Bool)
    case startsWith(caseInsensitive: Bool)
    case endsWith(caseInsensitive: Bool)
    /// `s.matches(re)` / `matches(s, re)`: unanchored regex search; the pattern is a literal that
    /// `RegexParser` accepts, at most 1 KiB.
    case matches(pattern: String)
    case lower, upper
    /// `domain(email)`: the text after the last `@`, lower-cased (missing when there is no `@`).
    case domain
    /// `int(x)` from `.int`, `.double` (truncates toward zero, error when out of range),
    /// `.string` (any text: parses decimal, error when malformed) or `.timestamp` (its seconds).
    case toInt(from: VerdictType)
    /// `double(x)` from `.int`, `.double` or `.string` (any text).
    case toDouble(from: VerdictType)
    /// `string(x)` from `.int`, `.double`, `.bool`, `.string` (any text), `.ip` or `.timestamp`
    /// (CEL formatting; ip in canonical text; timestamp as its seconds).
    case toString(from: VerdictType)
    /// `abs`, `min`, `max` on int (overflow is an error) or double.
    case abs(ArithmeticKind)
    case min(ArithmeticKind)
    case max(ArithmeticKind)
    /// `has(x)` (true when x is not missing) and `is_missing(x)`: total, never missing.
    case has
    case isMissing
    /// `bucket(key, n)`: stable XXH3-64 bucket of the key's canonical bytes in `0..<buckets`.
    case bucket(buckets: Int64)
    /// `cidr(ip, "10.0.0.0/8")`: the network literal, pre-parsed.
    case cidr(IPNetwork)
}

/// A compile-time constant: an element of a constant list literal, or a string literal given a
/// meaning by the other operand (`ip == "10.0.0.1"`).
public enum ConstantValue: Sendable, Hashable {
    case int(Int64)
    case double(Double)
    case bool(Bool)
    /// Text, already lower-cased for a case-insensitive comparison.
    case string(String)
    case ip(IPAddress)
    case duration(seconds: Int64)
    case action(VerdictAction)
}
