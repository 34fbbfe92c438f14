// Checked AST -> IR: every expression node becomes the IR node its resolution names (the checker
// decided every overload; nothing is re-derived here), declarations become the IR program's
// tables, in the order the VM's verdict reports them (rules in source order, then scores). The
// event time `now` is one extra int field after the schema's, set by the host.
import VerdictLanguage
import VerdictVM

/// Why a checked ruleset could not be compiled (a construct the VM does not implement yet).
public struct CompileError: Error, CustomStringConvertible {
    public var message: String
    public var range: SourceRange?
    public var description: String { message }
    public init(message: String, range: SourceRange? = nil) { self.message = message; self.range = range }
}

typealias VMAction = VerdictVM.VerdictAction

struct Lowering {
    let ruleset: CheckedRuleset
    /// The field index of `now` (after the schema's fields).
    var nowField: Int { ruleset.fields.count }

    static let nowFieldName = "now"

    func program() throws -> IRProgram {
        var ir = IRProgram()
        ir.name = ruleset.name ?? ""
        ir.version = ruleset.version ?? ""
        ir.fields = ruleset.fields.map { FieldInfo(name: $0.name, type: valueType($0.type), caseInsensitive: $0.type == .stringCaseInsensitive) }
        ir.fields.append(FieldInfo(name: Lowering.nowFieldName, type: .int))
        ir.lists = ruleset.lists.map { ListInfo(name: $0.name, keyType: $0.kind == .ip ? .ip : .string) }
        ir.counters = ruleset.counters.map { CounterInfo(name: $0.name, valueType: valueType($0.readType)) }
        ir.lets = try ruleset.lets.map { IRLet(name: $0.name, value: try lower($0.value)) }
        ir.models = try ruleset.models.map { m in
            IRModel(name: m.name, features: try m.features.map { (name: $0.name, value: try lower($0.value)) })
        }
        for rule in ruleset.rules {
            let basis = rule.rollout.map { UInt16(max(0, min(10000, ($0.percent * 100).rounded()))) }
            let info = RuleInfo(name: rule.name, action: action(rule.action), shadow: rule.shadow, rolloutBasisPoints: basis, reason: rule.reason)
            ir.rules.append(IRRule(info: info, condition: try lower(rule.condition), rolloutKey: try rule.rollout.map { try lower($0.key) }))
        }
        for score in ruleset.scores {
            ir.rules.append(IRRule(info: RuleInfo(name: score.name, kind: .score, action: .none, points: score.points),
                                   condition: try lower(score.condition)))
        }
        ir.precedence = ruleset.precedence.map(action)
        ir.thresholds = try ruleset.thresholds.map { IRThreshold(action: action($0.action), condition: try lower($0.condition)) }
        ir.onError = ruleset.onError.map(action) ?? .none
        return ir
    }

    func action(_ a: Action) -> VMAction {
        switch a {
        case .allow: return .allow
        case .block: return .block
        case .review: return .review
        case .challenge: return .challenge
        }
    }

    func valueType(_ t: VerdictType) -> ValueType {
        switch t {
        case .double: return .double
        case .bool: return .bool
        case .string, .stringCaseInsensitive, .country: return .string
        case .ip: return .ip
        default: return .int   // int, timestamp, duration, action
        }
    }

    func constant(_ c: ConstantValue) throws -> Value {
        switch c {
        case .int(let i): return .int(i)
        case .double(let d): return .double(d)
        case .bool(let b): return .bool(b)
        case .string(let s): return .string(s)
        case .duration(let seconds): return .int(seconds)
        case .ip(let a):
            guard let ip = VerdictVM.IPAddress(a.description) else { throw CompileError(message: "bad ip literal \(a)") }
            return .ip(ip)
        case .action(let a): return .int(Int64(VerdictLanguage.VerdictAction.allCases.firstIndex(of: a) ?? 0))
        }
    }

    func lower(_ e: Expr) throws -> IRExpr {
        let type = ruleset.type(of: e.id)
        let vt = valueType(type)
        let ci = type == .stringCaseInsensitive
        func node(_ kind: IRExpr.Kind) -> IRExpr { IRExpr(kind, vt, caseInsensitive: ci) }
        func fail(_ what: String) -> CompileError { CompileError(message: "\(what) is not supported by the compiler", range: e.range) }

        guard let resolution = ruleset.resolution(of: e.id) else {
            if let c = ruleset.constant(of: e.id) { return node(.constant(try constant(c))) }
            switch e.kind {
            case .int(let i): return node(.constant(.int(i)))
            case .double(let d): return node(.constant(.double(d)))
            case .string(let s): return node(.constant(.string(s)))
            case .bool(let b): return node(.constant(.bool(b)))
            case .duration(let count, let unit):
                let (seconds, overflow) = count.multipliedReportingOverflow(by: unit.seconds)
                if overflow { throw CompileError(message: "duration too long", range: e.range) }
                return node(.constant(.int(seconds)))
            default: throw fail("this literal")
            }
        }
        switch resolution {
        case .field(let f): return node(.field(f))
        case .letValue(let l): return node(.letValue(l))
        case .modelOutput(let m): return node(.model(m, margin: false))
        case .modelRaw(let m): return node(.model(m, margin: true))
        case .counterRead(let c, let window):
            var key = try lower(ruleset.counters[c].key)
            if ruleset.type(of: ruleset.counters[c].key.id) == .stringCaseInsensitive {
                key = IRExpr(.call(.lower, [key]), .string)
            }
            return node(.counterRead(counter: c, windowSeconds: window, key: key))
        case .now: return node(.field(nowField))
        case .list, .listLiteral: throw fail("a list outside `in`")
        case .score: return node(.score)
        case .verdict, .action: throw fail("`verdict` outside a counter's `when`")
        case .conditional:
            guard case .conditional(let c, let x, let y) = e.kind else { throw fail("conditional") }
            return node(.conditional(try lower(c), try lower(x), try lower(y)))
        case .unary(let u):
            guard case .unary(_, let x) = e.kind else { throw fail("unary") }
            return node(u == .not ? .not(try lower(x)) : .negate(try lower(x)))
        case .binary(let overload):
            guard case .binary(_, let l, let r) = e.kind else { throw fail("binary") }
            return try binary(overload, l, r, node)
        case .builtin(let overload):
            guard case .call(_, let target, let arguments) = e.kind else { throw fail("call") }
            let args = try ((target.map { [$0] } ?? []) + arguments).map { try lower($0) }
            return try builtin(overload, args, node, fail)
        }
    }

    private func binary(_ overload: BinaryOverload, _ l: Expr, _ r: Expr, _ node: (IRExpr.Kind) -> IRExpr) throws -> IRExpr {
        switch overload {
        case .arithmetic(let op, _):
            return node(.binary(IRBinaryOperator(rawValue: op.rawValue)!, try lower(l), try lower(r)))
        case .concatenate:
            return node(.binary(.add, try lower(l), try lower(r)))
        case .comparison(let op, let kind):
            var (x, y) = (try lower(l), try lower(r))
            if kind == .stringCaseInsensitive { x.caseInsensitive = true; y.caseInsensitive = true }
            // double vs an int literal that a double holds exactly: compare as doubles (fused test).
            if kind == .doubleInt, case .int(let i)? = y.constantValue, let d = Lowering.exactDouble(i) { y = .constant(.double(d)) }
            if kind == .intDouble, case .int(let i)? = x.constantValue, let d = Lowering.exactDouble(i) { x = .constant(.double(d)) }
            return node(.binary(IRBinaryOperator(rawValue: op.rawValue)!, x, y))
        case .and: return node(.and([try lower(l), try lower(r)]))
        case .or: return node(.or([try lower(l), try lower(r)]))
        case .inConstantSet(let kind):
            var x = try lower(l)
            if kind == .stringCaseInsensitive { x.caseInsensitive = true }
            let values = try (ruleset.constantSet(of: r.id) ?? []).map { try constant($0) }
            return node(.inSet(x, values))
        case .inList(let kind):
            var x = try lower(l)
            if kind == .stringCaseInsensitive { x.caseInsensitive = true }
            guard case .list(let elements, _) = r.kind else { throw CompileError(message: "`in` needs a list", range: r.range) }
            let tests = try elements.map { element -> IRExpr in
                var y = try lower(element)
                if kind == .stringCaseInsensitive { y.caseInsensitive = true }
                return IRExpr(.binary(.equal, x, y), .bool)
            }
            return tests.isEmpty ? node(.constant(.bool(false))) : node(.or(tests))
        case .inStoreList(let list):
            return node(.listLookup(list: list, key: try lower(l)))
        case .includes(let ci):
            var x = try lower(l)
            if ci { x.caseInsensitive = true }
            return node(.call(.contains, [x, try lower(r)]))
        case .like(let ci):
            var x = try lower(l)
            if ci { x.caseInsensitive = true }
            let pattern = try lower(r)
            if case .string(let p)? = pattern.constantValue, let simple = Lowering.simpleLike(p) {
                let literal = IRExpr.constant(.string(simple.literal))
                switch simple.kind {
                case .exact: return node(.binary(.equal, x, literal))
                case .prefix: return node(.call(.startsWith, [x, literal]))
                case .suffix: return node(.call(.endsWith, [x, literal]))
                case .infix: return node(.call(.contains, [x, literal]))
                }
            }
            return node(.call(.like, [x, pattern]))
        }
    }

    /// The double equal to `i`, when there is one.
    static func exactDouble(_ i: Int64) -> Double? {
        let d = Double(i)
        return d < 9.223372036854775808e18 && Int64(d) == i ? d : nil
    }

    enum LikeKind { case exact, prefix, suffix, infix }

    /// A LIKE pattern that is a plain literal with `%` only at its ends: the equivalent test.
    static func simpleLike(_ pattern: String) -> (kind: LikeKind, literal: String)? {
        var body = Substring(pattern)
        let leading = body.hasPrefix("%"), trailing = body.count > 1 && body.hasSuffix("%")
        if leading { body = body.dropFirst() }
        if trailing { body = body.dropLast() }
        guard !body.contains("%"), !body.contains("_") else { return nil }
        switch (leading, trailing) {
        case (false, false): return (.exact, String(body))
        case (false, true): return (.prefix, String(body))
        case (true, false): return (.suffix, String(body))
        case (true, true): return (.infix, String(body))
        }
    }

    private func builtin(_ overload: BuiltinOverload, _ args: [IRExpr], _ node: (IRExpr.Kind) -> IRExpr,
                         _ fail: (String) -> CompileError) throws -> IRExpr {
        func ci(_ flag: Bool) -> [IRExpr] {
            var a = args
            if flag { a[0].caseInsensitive = true }
            return a
        }
        switch overload {
        case .size: return node(.call(.size, args))
        case .contains(let c): return node(.call(.contains, ci(c)))
        case .startsWith(let c): return node(.call(.startsWith, ci(c)))
        case .endsWith(let c): return node(.call(.endsWith, ci(c)))
        case .matches(let pattern):
            guard (try? RegexCompiler.compile(pattern)) != nil else { throw fail("this regex") }
            return node(.call(.matches, [args[0], IRExpr(.constant(.string(pattern)), .string)]))
        case .lower: return node(.call(.lower, args))
        case .upper: return node(.call(.upper, args))
        case .domain: return node(.call(.domain, args))
        case .toInt: return node(.call(.int, args))
        case .toDouble: return node(.call(.double, args))
        case .toString: return node(.call(.string, args))
        case .abs: return node(.call(.abs, args))
        case .min: return node(.call(.min, args))
        case .max: return node(.call(.max, args))
        case .has: return node(.call(.has, args))
        case .isMissing: return node(.call(.isMissing, args))
        case .bucket(let n): return node(.call(.bucket, [args[0], .constant(.int(n))]))
        case .cidr(let network):
            guard let net = VerdictVM.IPNetwork(network.description) else { throw fail("this network literal") }
            return node(.call(.cidr, [args[0], IRExpr(.constant(.network(net)), .network)]))
        }
    }
}
