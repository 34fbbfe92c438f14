// What the engine does after a verdict: record the event into every counter whose `when` holds
// (LANGUAGE.md §5). The compiled ruleset program only *reads* counters, so the engine compiles each
// counter's key, its `sum`/`distinct` expression and the plain conjuncts of its `when` into
// standalone expression programs, and evaluates the conjuncts that test `verdict` and `score`
// itself. Built once at load; evaluated per event by `Session`.
import VerdictCompiler
import VerdictLanguage
import VerdictStore
import VerdictVM

/// A standalone expression program over the ruleset's request fields, and the fields it reads.
struct UpdateExpression {
    let program: Program
    /// Field indices the program reads (copied from the event's request before evaluation).
    let fields: [Int]
    /// The expression is this request field itself (the usual `by card.fingerprint`, `sum
    /// amount_usd`): the session reads it directly instead of running the program.
    let field: Int?
}

/// One conjunct of a counter's `when`.
enum UpdateCondition {
    /// `verdict == ACTION` (or `!=` with `equal` false).
    case verdict(VerdictVM.VerdictAction, equal: Bool)
    /// `score OP N`, normalized so that score is on the left.
    case score(IRBinaryOperator, Int64)
    /// Any other condition over request fields.
    case expression(UpdateExpression)
}

/// How one counter is updated.
struct CounterUpdate {
    enum Aggregate {
        case count
        case sum(UpdateExpression)
        case distinct(UpdateExpression)
    }
    let name: String
    /// The counter's index in the counter table, and its key group.
    let counter: Int
    let group: Int
    let key: UpdateExpression
    let aggregate: Aggregate
    /// All must hold (empty: always).
    let conditions: [UpdateCondition]
}

/// Builds the counter updates of a checked ruleset.
enum CounterUpdatePlanner {
    static func plan(_ ruleset: CheckedRuleset, table: CounterTable) throws(EngineError) -> [CounterUpdate] {
        guard !ruleset.counters.isEmpty else { return [] }
        // Gather every expression to compile, lower them in one pass, then assemble the plans.
        var expressions: [Expr] = []
        var conjunctsOf: [[Conjunct]] = []
        for counter in ruleset.counters {
            expressions.append(counter.key)
            switch counter.aggregate {
            case .count: break
            case .sum(let e), .distinct(let e): expressions.append(e)
            }
            var conjuncts: [Conjunct] = []
            if let condition = counter.condition {
                for c in flatten(condition, ruleset) {
                    let special = try special(c, ruleset, counter: counter.name)
                    if let special { conjuncts.append(.special(special)) } else {
                        conjuncts.append(.expression(expressions.count))
                        expressions.append(c)
                    }
                }
            }
            conjunctsOf.append(conjuncts)
        }
        let (lowered, fields) = try lower(expressions, ruleset)
        var next = 0
        func take() -> IRExpr { defer { next += 1 }; return lowered[next] }
        var updates: [CounterUpdate] = []
        for (i, counter) in ruleset.counters.enumerated() {
            guard let index = table.counter(named: counter.name) else {
                throw .counters("the counter file '\(table.path)' has no counter '\(counter.name)'")
            }
            var key = take()
            if ruleset.type(of: counter.key.id) == .stringCaseInsensitive { key = IRExpr(.call(.lower, [key]), .string) }
            let aggregate: CounterUpdate.Aggregate
            switch counter.aggregate {
            case .count: aggregate = .count
            case .sum: aggregate = .sum(try compile(take(), fields, counter.name))
            case .distinct: aggregate = .distinct(try compile(take(), fields, counter.name))
            }
            var conditions: [UpdateCondition] = []
            for c in conjunctsOf[i] {
                switch c {
                case .special(let s): conditions.append(s)
                case .expression: conditions.append(.expression(try compile(take(), fields, counter.name)))
                }
            }
            updates.append(CounterUpdate(name: counter.name, counter: index, group: table.group(ofCounter: index),
                                         key: try compile(key, fields, counter.name), aggregate: aggregate, conditions: conditions))
        }
        return updates
    }

    private enum Conjunct {
        case special(UpdateCondition)
        case expression(Int)
    }

    /// The conjuncts of `e` (split at `and`).
    private static func flatten(_ e: Expr, _ ruleset: CheckedRuleset) -> [Expr] {
        if case .binary(.and, let l, let r) = e.kind { return flatten(l, ruleset) + flatten(r, ruleset) }
        return [e]
    }

    /// A conjunct that tests `verdict` or `score`, as an engine-evaluated condition; nil for plain ones.
    private static func special(_ e: Expr, _ ruleset: CheckedRuleset, counter: String) throws(EngineError) -> UpdateCondition? {
        guard mentionsOutcome(e, ruleset) else { return nil }
        if case .binary(let op, let l, let r) = e.kind, let cmp = comparison(op) {
            let (lr, rr) = (ruleset.resolution(of: l.id), ruleset.resolution(of: r.id))
            if cmp == .equal || cmp == .notEqual {
                if lr == .verdict, case .action(let a)? = rr { return .verdict(vmAction(a), equal: cmp == .equal) }
                if rr == .verdict, case .action(let a)? = lr { return .verdict(vmAction(a), equal: cmp == .equal) }
            }
            if lr == .score, case .int(let n) = r.kind { return .score(cmp, n) }
            if rr == .score, case .int(let n) = l.kind { return .score(mirrored(cmp), n) }
        }
        throw .compile("counter '\(counter)': in `when`, `verdict` and `score` are supported only as "
                       + "`verdict == ACTION`, `verdict != ACTION` or `score OP INTEGER`, joined by `and`")
    }

    private static func mentionsOutcome(_ e: Expr, _ ruleset: CheckedRuleset) -> Bool {
        let r = ruleset.resolution(of: e.id)
        if r == .verdict || r == .score { return true }
        switch e.kind {
        case .unary(_, let x): return mentionsOutcome(x, ruleset)
        case .binary(_, let l, let r): return mentionsOutcome(l, ruleset) || mentionsOutcome(r, ruleset)
        case .conditional(let c, let x, let y): return [c, x, y].contains { mentionsOutcome($0, ruleset) }
        case .call(_, let target, let arguments): return ((target.map { [$0] } ?? []) + arguments).contains { mentionsOutcome($0, ruleset) }
        case .index(let x, let y): return mentionsOutcome(x, ruleset) || mentionsOutcome(y, ruleset)
        case .list(let xs, _): return xs.contains { mentionsOutcome($0, ruleset) }
        default: return false
        }
    }

    private static func comparison(_ op: BinaryOperator) -> IRBinaryOperator? {
        switch op {
        case .equal: return .equal
        case .notEqual: return .notEqual
        case .less: return .less
        case .lessEqual: return .lessEqual
        case .greater: return .greater
        case .greaterEqual: return .greaterEqual
        default: return nil
        }
    }

    private static func mirrored(_ op: IRBinaryOperator) -> IRBinaryOperator {
        switch op {
        case .less: return .greater
        case .lessEqual: return .greaterEqual
        case .greater: return .less
        case .greaterEqual: return .lessEqual
        default: return op
        }
    }

    private static func vmAction(_ a: VerdictLanguage.VerdictAction) -> VerdictVM.VerdictAction {
        switch a {
        case .allow: return .allow
        case .block: return .block
        case .review: return .review
        case .challenge: return .challenge
        case .none: return .none
        }
    }

    /// Lowers expressions of the ruleset to IR through the compiler's public entry point: they
    /// are lowered as the conditions of stand-in rules (lowering does not check a rule condition's
    /// type), then `let` references are inlined so each stands alone.
    private static func lower(_ expressions: [Expr], _ ruleset: CheckedRuleset) throws(EngineError) -> ([IRExpr], [FieldInfo]) {
        guard !expressions.isEmpty else { return ([], []) }
        guard let template = ruleset.rules.first else {
            throw .compile("a ruleset with counters needs at least one rule (counter expressions are compiled through it)")
        }
        var copy = ruleset
        copy.rules = expressions.map { e in
            var rule = template
            rule.condition = e
            rule.rollout = nil
            return rule
        }
        copy.scores = []
        let ir: IRProgram
        do { ir = try Compiler.lower(copy) } catch { throw .compile("counter expression: \(error)") }
        var out: [IRExpr] = []
        for rule in ir.rules { out.append(try inline(rule.condition, ir)) }
        return (out, ir.fields)
    }

    private static func inline(_ e: IRExpr, _ ir: IRProgram) throws(EngineError) -> IRExpr {
        switch e.kind {
        case .letValue(let i): return try inline(ir.lets[i].value, ir)
        case .listLookup, .counterRead, .model:
            throw .compile("counter keys, sums, distinct values and `when` conditions cannot use lists, counters or models")
        default: return try e.mapChildren { x throws(EngineError) in try inline(x, ir) }
        }
    }

    private static func compile(_ e: IRExpr, _ fields: [FieldInfo], _ counter: String) throws(EngineError) -> UpdateExpression {
        var used = Set<Int>()
        collectFields(e, &used)
        do {
            var direct: Int?
            if case .field(let f) = e.kind { direct = f }
            return UpdateExpression(program: try Compiler.compileExpression(e, fields: fields), fields: used.sorted(), field: direct)
        } catch {
            throw .compile("counter '\(counter)': \(error)")
        }
    }

    private static func collectFields(_ e: IRExpr, _ out: inout Set<Int>) {
        if case .field(let f) = e.kind { out.insert(f) }
        for x in e.children { collectFields(x, &out) }
    }
}
