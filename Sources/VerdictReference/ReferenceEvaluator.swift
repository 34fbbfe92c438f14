// The reference tree-walking evaluator: evaluates the expressions of a `CheckedRuleset` directly
// over the parser's AST, using the checker's resolutions to know what names and operators mean
// and ReferenceSemantics.swift for what they compute. It implements LANGUAGE.md §4 literally:
// strict operators propagate error (which wins) or missing, `&&`/`||` are commutative and
// absorbing, `? :` evaluates only the branch taken, `has`/`is_missing` are total. Tests and the
// differential fuzzer compare the VM against it; it is not on any runtime path.
import CXXHash
import VerdictLanguage

/// The request fields of one evaluation: absent fields are missing.
public struct ReferenceRequest: Sendable {
    /// Values by `FieldID`.
    public var values: [FieldID: ReferenceValue]
    /// The event time (`now`), seconds since the epoch.
    public var now: Int64

    public init(values: [FieldID: ReferenceValue] = [:], now: Int64 = 0) {
        self.values = values
        self.now = now
    }
}

/// Evaluates expressions of one ruleset for one request. `let`s and models are computed at most
/// once (they are pure, so this only saves time).
public final class ReferenceEvaluator {
    public let ruleset: CheckedRuleset
    let host: ReferenceHost
    let request: ReferenceRequest
    /// `score` while evaluating thresholds and counter conditions.
    var score: Int64?
    /// `verdict` while evaluating counter conditions.
    var verdict: VerdictAction?
    private var letCache: [LetID: ReferenceResult] = [:]
    private var modelCache: [ModelID: (output: ReferenceResult, raw: ReferenceResult)] = [:]

    public init(ruleset: CheckedRuleset, host: ReferenceHost, request: ReferenceRequest) {
        self.ruleset = ruleset
        self.host = host
        self.request = request
    }

    /// The value of `expression` (a node of this ruleset's checked AST).
    public func evaluate(_ expression: Expr) -> ReferenceResult {
        let resolution = ruleset.resolution(of: expression.id)
        switch expression.kind {
        case .int(let v): return .value(.int(v))
        case .double(let v): return .value(.double(v))
        case .bool(let v): return .value(.bool(v))
        case .string(let s):
            // An ip literal (`ip == "10.0.0.1"`) is parsed here; text literals are used as written
            // (not the checker's pre-folded constant) so case folding is checked independently.
            if ruleset.type(of: expression.id) == .ip {
                return IPAddress(s).map { .value(.ip($0)) } ?? .error(.conversion)
            }
            return .value(.string(s))
        case .duration(let count, let unit):
            let r = count.multipliedReportingOverflow(by: unit.seconds)
            return r.overflow ? .error(.overflow) : .value(.duration(r.partialValue))
        case .name:
            return evaluateName(resolution)
        case .list(let elements, _):
            return strict(elements.map(evaluate)) { .value(.list($0)) }
        case .listReference:
            return .error(.conversion)  // only meaningful as the right operand of `in`
        case .unary(_, let operand):
            return strict([evaluate(operand)]) { values in
                switch resolution {
                case .unary(.not)?:
                    if case .bool(let b) = values[0] { return .value(.bool(!b)) }
                    return .error(.conversion)
                default:
                    return ReferenceSemantics.negate(values[0])
                }
            }
        case .binary(_, let left, let right):
            guard case .binary(let overload)? = resolution else { return .error(.conversion) }
            return evaluateBinary(overload, left, right)
        case .conditional(let condition, let then, let otherwise):
            switch evaluate(condition) {
            case .value(.bool(true)): return evaluate(then)
            case .value(.bool(false)): return evaluate(otherwise)
            case .missing: return .missing
            case .error(let e): return .error(e)
            case .value: return .error(.conversion)
            }
        case .call(_, let target, let arguments):
            return evaluateCall(resolution, operands: (target.map { [$0] } ?? []) + arguments)
        case .index(let list, let index):
            return strict([evaluate(list), evaluate(index)]) { values in
                guard case .list(let items) = values[0], case .int(let i) = values[1] else { return .error(.conversion) }
                return i >= 0 && i < Int64(items.count) ? .value(items[Int(i)]) : .error(.indexOutOfRange)
            }
        }
    }

    // MARK: - Names

    private func evaluateName(_ resolution: Resolution?) -> ReferenceResult {
        switch resolution {
        case .field(let id)?:
            return request.values[id].map { .value($0) } ?? .missing
        case .letValue(let id)?:
            if let cached = letCache[id] { return cached }
            let result = evaluate(ruleset.lets[id].value)
            letCache[id] = result
            return result
        case .modelOutput(let id)?:
            return model(id).output
        case .now?:
            return .value(.timestamp(request.now))
        case .score?:
            return score.map { .value(.int($0)) } ?? .missing
        case .verdict?:
            return verdict.map { .value(.action($0)) } ?? .missing
        case .action(let action)?:
            return .value(.action(action))
        default:
            return .error(.conversion)
        }
    }

    /// A model's output and margin: features evaluated once; missing features become NaN, bools
    /// 1.0/0.0; an error in any feature makes both results that error.
    private func model(_ id: ModelID) -> (output: ReferenceResult, raw: ReferenceResult) {
        if let cached = modelCache[id] { return cached }
        let model = ruleset.models[id]
        var features: [Double] = []
        var failure: ReferenceError?
        for feature in model.features {
            switch evaluate(feature.value) {
            case .value(.int(let v)): features.append(Double(v))
            case .value(.double(let v)): features.append(v)
            case .value(.bool(let v)): features.append(v ? 1 : 0)
            case .missing: features.append(.nan)
            case .error(let e): failure = failure ?? e; features.append(.nan)
            case .value: features.append(.nan)
            }
        }
        let result: (output: ReferenceResult, raw: ReferenceResult)
        if let failure {
            result = (.error(failure), .error(failure))
        } else {
            let prediction = host.modelPredict(model, features: features)
            result = (.value(.double(prediction.output)), .value(.double(prediction.raw)))
        }
        modelCache[id] = result
        return result
    }

    // MARK: - Operators

    private func evaluateBinary(_ overload: BinaryOverload, _ left: Expr, _ right: Expr) -> ReferenceResult {
        switch overload {
        case .and:
            return absorbing(evaluate(left), evaluate(right), absorbing: false)
        case .or:
            return absorbing(evaluate(left), evaluate(right), absorbing: true)
        case .arithmetic(let op, _):
            return strict([evaluate(left), evaluate(right)]) { ReferenceSemantics.arithmetic(op, $0[0], $0[1]) }
        case .concatenate:
            return strict([evaluate(left), evaluate(right)]) { values in
                guard case .string(let a) = values[0], case .string(let b) = values[1] else { return .error(.conversion) }
                return .value(.string(a + b))
            }
        case .comparison(let op, let kind):
            return strict([evaluate(left), evaluate(right)]) {
                .value(.bool(ReferenceSemantics.compare(op, $0[0], $0[1], caseInsensitive: kind == .stringCaseInsensitive)))
            }
        case .inConstantSet(let kind), .inList(let kind):
            // `x in [a, b]` means `x == a || x == b` (the checker's contract): absorbing, so a
            // matching element decides even when another element is missing or an error.
            guard case .list(let elements, _) = right.kind else { return .error(.conversion) }
            let subject = evaluate(left)
            let ci = kind == .stringCaseInsensitive
            // The empty disjunction is false, but a missing or failing subject stays so (`x in []`).
            var result = strict([subject]) { _ in .value(.bool(false)) }
            for element in elements {
                let equal = strict([subject, evaluate(element)]) {
                    .value(.bool(ReferenceSemantics.equal($0[0], $0[1], caseInsensitive: ci)))
                }
                result = absorbing(result, equal, absorbing: true)
            }
            return result
        case .inStoreList(let id):
            return strict([evaluate(left)]) {
                .value(.bool(self.host.listContains(self.ruleset.lists[id], key: ReferenceEvaluator.canonicalBytes($0[0]))))
            }
        case .includes(let ci):
            return strict([evaluate(left), evaluate(right)]) { values in
                guard case .string(let a) = values[0], case .string(let b) = values[1] else { return .error(.conversion) }
                return .value(.bool(ReferenceSemantics.contains(ReferenceSemantics.text(a, caseInsensitive: ci),
                                                                ReferenceSemantics.text(b, caseInsensitive: ci))))
            }
        case .like(let ci):
            return strict([evaluate(left), evaluate(right)]) { values in
                guard case .string(let a) = values[0], case .string(let b) = values[1] else { return .error(.conversion) }
                return .value(.bool(ReferenceSemantics.like(a, pattern: b, caseInsensitive: ci)))
            }
        }
    }

    /// `&&` (`absorbing` = false) and `||` (`absorbing` = true), commutative: the absorbing value
    /// on either side decides; otherwise error beats missing beats the plain result.
    private func absorbing(_ a: ReferenceResult, _ b: ReferenceResult, absorbing: Bool) -> ReferenceResult {
        if a == .value(.bool(absorbing)) || b == .value(.bool(absorbing)) { return .value(.bool(absorbing)) }
        for case .error(let e) in [a, b] { return .error(e) }
        if a == .missing || b == .missing { return .missing }
        guard case .value(.bool) = a, case .value(.bool) = b else { return .error(.conversion) }
        return .value(.bool(!absorbing))
    }

    // MARK: - Calls

    private func evaluateCall(_ resolution: Resolution?, operands: [Expr]) -> ReferenceResult {
        switch resolution {
        case .counterRead(let id, let window)?:
            let counter = ruleset.counters[id]
            return strict([evaluate(counter.key)]) { values in
                var key = values[0]
                if self.ruleset.type(of: counter.key.id) == .stringCaseInsensitive, case .string(let s) = key {
                    key = .string(ReferenceSemantics.lower(s))
                }
                let read = self.host.counterRead(counter, windowSeconds: window, key: ReferenceEvaluator.canonicalBytes(key))
                if counter.readType == .double { return .value(.double(read)) }
                return Double(Int64.min) <= read && read < 9223372036854775808.0 ? .value(.int(Int64(read))) : .error(.conversion)
            }
        case .modelRaw(let id)?:
            return model(id).raw
        case .builtin(let builtin)?:
            return evaluateBuiltin(builtin, operands)
        default:
            return .error(.conversion)
        }
    }

    private func evaluateBuiltin(_ builtin: BuiltinOverload, _ operands: [Expr]) -> ReferenceResult {
        switch builtin {
        case .has:
            return .value(.bool(evaluate(operands[0]) != .missing))
        case .isMissing:
            return .value(.bool(evaluate(operands[0]) == .missing))
        default:
            break
        }
        return strict(operands.map(evaluate)) { values in
            switch (builtin, values[0]) {
            case (.size, .string(let s)): return .value(.int(Int64(s.unicodeScalars.count)))
            case (.size, .list(let items)): return .value(.int(Int64(items.count)))
            case (.contains(let ci), .string(let s)), (.startsWith(let ci), .string(let s)), (.endsWith(let ci), .string(let s)):
                guard values.count == 2, case .string(let t) = values[1] else { return .error(.conversion) }
                let a = ReferenceSemantics.text(s, caseInsensitive: ci), b = ReferenceSemantics.text(t, caseInsensitive: ci)
                switch builtin {
                case .startsWith: return .value(.bool(a.starts(with: b)))
                case .endsWith: return .value(.bool(a.reversed().starts(with: b.reversed())))
                default: return .value(.bool(ReferenceSemantics.contains(a, b)))
                }
            case (.matches(let pattern), .string(let s)): return ReferenceSemantics.matches(s, pattern: pattern)
            case (.lower, .string(let s)): return .value(.string(ReferenceSemantics.lower(s)))
            case (.upper, .string(let s)): return .value(.string(ReferenceSemantics.upper(s)))
            case (.domain, .string(let s)): return ReferenceSemantics.domain(s)
            case (.toInt, let v): return ReferenceSemantics.toInt(v)
            case (.toDouble, let v): return ReferenceSemantics.toDouble(v)
            case (.toString, let v): return ReferenceSemantics.toString(v)
            case (.abs, .int(let v)): return v == .min ? .error(.overflow) : .value(.int(Swift.abs(v)))
            case (.abs, .double(let v)): return .value(.double(Swift.abs(v)))
            case (.min, _), (.max, _):
                guard values.count == 2 else { return .error(.conversion) }
                return ReferenceEvaluator.minMax(values[0], values[1], wantMax: { if case .max = builtin { return true }; return false }())
            case (.bucket(let buckets), let key):
                return .value(.int(ReferenceEvaluator.bucket(key, buckets)))
            case (.cidr(let network), .ip(let address)):
                return .value(.bool(network.contains(address)))
            default:
                return .error(.conversion)
            }
        }
    }

    /// `min`/`max` of two ints or two doubles; a NaN operand gives NaN.
    static func minMax(_ a: ReferenceValue, _ b: ReferenceValue, wantMax: Bool) -> ReferenceResult {
        switch (a, b) {
        case (.int(let x), .int(let y)): return .value(.int(wantMax ? Swift.max(x, y) : Swift.min(x, y)))
        case (.double(let x), .double(let y)):
            if x.isNaN || y.isNaN { return .value(.double(.nan)) }
            return .value(.double(wantMax ? Swift.max(x, y) : Swift.min(x, y)))
        default: return .error(.conversion)
        }
    }

    /// `bucket(key, n)`: XXH3-64 (seed 0) of the key's canonical bytes, modulo `n`.
    static func bucket(_ key: ReferenceValue, _ buckets: Int64) -> Int64 {
        guard buckets > 0 else { return 0 }
        let bytes = canonicalBytes(key)
        let hash = bytes.withUnsafeBytes { XXH3_64bits_withSeed($0.baseAddress, $0.count, 0) }
        return Int64(hash % UInt64(buckets))
    }

    /// The bytes a key hashes as (and the VM's host interface passes): UTF-8 text, int/timestamp/
    /// double as 8 little-endian bytes, a bool as one byte, an ip as its 4 (IPv4) or 16 bytes in
    /// network order.
    static func canonicalBytes(_ key: ReferenceValue) -> [UInt8] {
        func littleEndian(_ v: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: v >> (8 * UInt64($0))) } }
        func bigEndian(_ v: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: v >> (56 - 8 * UInt64($0))) } }
        switch key {
        case .string(let s): return Array(s.utf8)
        case .int(let v), .timestamp(let v), .duration(let v): return littleEndian(UInt64(bitPattern: v))
        case .double(let v): return littleEndian(v.bitPattern)
        case .bool(let v): return [v ? 1 : 0]
        case .ip(let a): return a.isIPv4 ? Array(bigEndian(a.low).suffix(4)) : bigEndian(a.high) + bigEndian(a.low)
        case .action(let a): return Array(a.rawValue.utf8)
        case .list: return []
        }
    }

    // MARK: - Helpers

    /// Applies a strict operation: any error operand gives the first error, else any missing
    /// operand gives missing, else `body` on the values.
    private func strict(_ operands: [ReferenceResult], _ body: ([ReferenceValue]) -> ReferenceResult) -> ReferenceResult {
        var values: [ReferenceValue] = []
        var sawMissing = false
        for operand in operands {
            switch operand {
            case .error(let e): return .error(e)
            case .missing: sawMissing = true
            case .value(let v): values.append(v)
            }
        }
        return sawMissing ? .missing : body(values)
    }

    static func value(of constant: ConstantValue) -> ReferenceValue {
        switch constant {
        case .int(let v): return .int(v)
        case .double(let v): return .double(v)
        case .bool(let v): return .bool(v)
        case .string(let v): return .string(v)
        case .ip(let v): return .ip(v)
        case .duration(let seconds): return .duration(seconds)
        case .action(let a): return .action(a)
        }
    }
}
