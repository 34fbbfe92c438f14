// IR -> register bytecode. Lays rules out by precedence group (LANGUAGE.md §7, see docs/vm.md),
// compiles each rule's conjunction into fused test superinstructions ordered cheapest first (`and`
// is commutative), computes cheap `let`s once up front and expensive ones (those reaching lists,
// counters or models) lazily behind a guard, reads every counter once at the start (one batch per
// key), caches model outputs in lazy registers, and compiles everything else to typed value opcodes
// with short-circuit jumps.
import VerdictVM

/// A code generation problem (a program too large for the instruction format, or an IR the
/// generator cannot express).
public struct CodeGenerationError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

struct CodeGenerator {
    var b: ProgramBuilder
    let ir: IRProgram
    private var letRegisters: [UInt16?]
    private var eagerLets: Set<Int> = []
    private var modelRegisters: [UInt16?]
    private var modelArguments: [[UInt16]]
    private var counterRegisters: [String: UInt16] = [:]
    /// Whether the code being emitted runs on every evaluation that gets this far (no jump can
    /// skip it): a lazy value computed there is computed for the rest of the program.
    private var unconditional = false
    /// Lazy let and model registers computed by unconditional code: later uses need no `lazyGuard`.
    private var computed: Set<UInt16> = []
    /// Lazy let and model registers whose computation has been emitted somewhere: the first one
    /// needs no `lazyGuard` either (nothing before it can have computed the value).
    private var emitted: Set<UInt16> = []
    /// Registers of model feature expressions (other than fields, lets and counter reads), shared
    /// by models whose feature is the same expression.
    private var featureRegisters: [String: UInt16] = [:]
    /// Feature registers filled by a model computed in unconditional code: later models skip them.
    private var computedFeatures: Set<UInt16> = []
    /// Emitting the rules of a shared-let block (behind its `branchBool`).
    private var inBlock = false
    /// In the copy of a shared-let block that runs when the let is true: that let, whose tests
    /// are left out of the block's conditions.
    private var knownTrue: Int? = nil
    private var pool: [ValueType: [UInt16]] = [:]
    private var used: [ValueType: Int] = [:]

    init(_ ir: IRProgram) {
        self.ir = ir
        b = ProgramBuilder(name: ir.name, version: ir.version)
        letRegisters = Array(repeating: nil, count: ir.lets.count)
        modelRegisters = Array(repeating: nil, count: ir.models.count)
        modelArguments = Array(repeating: [], count: ir.models.count)
        for f in ir.fields { b.addField(f.name, f.type, caseInsensitive: f.caseInsensitive) }
        for l in ir.lists { _ = b.addList(l) }
        for c in ir.counters { _ = b.addCounter(c) }
    }

    // MARK: - whole rulesets

    /// Generates the program of a ruleset.
    static func generate(_ ir: IRProgram) throws -> ProgramContents {
        var g = CodeGenerator(ir)
        g.b.setPrecedence(ir.precedence)
        guard ir.thresholds.count <= ThresholdInfo.maximumCount else {
            throw CodeGenerationError(message: "more than \(ThresholdInfo.maximumCount) threshold clauses")
        }
        let thresholds = ir.thresholds.map { ThresholdInfo(action: $0.action, minimumScore: minimumScore($0.condition)) }
        thresholds.forEach { g.b.addThreshold($0) }
        g.b.setOnError(ir.onError)
        for rule in ir.rules { g.b.addRule(rule.info) }
        g.emitCounterReads()
        g.emitEagerLets()
        g.declareModels()

        let rules = Array(ir.rules.enumerated())
        func group(_ where: (RuleInfo) -> Bool) -> [Int] { rules.filter { `where`($0.element.info) }.map(\.offset) }
        for (i, action) in ir.precedence.enumerated() {
            g.emitGroup(group({ $0.kind == .rule && !$0.shadow && $0.action == action }))
            let later = ir.precedence.firstIndex(of: ir.onError)
            if ir.onError == .none || later == nil || later! > i {
                g.b.emit(.fastExitIfDecided, a: UInt16(action.rawValue))
            }
        }
        g.emitGroup(group({ ($0.kind == .score) || (!$0.shadow && !ir.precedence.contains($0.action)) }))
        g.emitThresholds(thresholds)
        g.b.emit(.fastStop)
        g.emitGroup(group({ $0.kind == .rule && $0.shadow }))
        g.b.emit(.halt)
        return try g.b.finish()
    }

    /// Generates a standalone expression program (fields only; the result in `resultRegister`).
    static func generateExpression(_ e: IRExpr, fields: [FieldInfo]) throws -> ProgramContents {
        var ir = IRProgram()
        ir.fields = fields
        var g = CodeGenerator(ir)
        let r = g.value(e)
        let result = g.b.addRegister(e.type)
        g.b.emit(.move, a: result, b: r)
        g.b.emit(.halt)
        g.b.setResultRegister(result)
        return try g.b.finish()
    }

    // MARK: - registers

    private mutating func temp(_ type: ValueType) -> UInt16 {
        let n = used[type, default: 0]
        used[type] = n + 1
        if n < pool[type, default: []].count { return pool[type]![n] }
        let r = b.addRegister(type)
        pool[type, default: []].append(r)
        return r
    }

    private mutating func releaseTemps() { used = [:] }

    /// Whether evaluating `e` needs no host call (so it may run eagerly, unconditionally).
    private func isCheap(_ e: IRExpr, _ visiting: Set<Int> = []) -> Bool {
        switch e.kind {
        case .constant, .field, .score: return true
        case .letValue(let i): return !visiting.contains(i) && isCheap(ir.lets[i].value, visiting.union([i]))
        case .listLookup, .counterRead, .model: return false
        case .not(let x), .negate(let x), .inSet(let x, _): return isCheap(x, visiting)
        case .binary(_, let x, let y): return isCheap(x, visiting) && isCheap(y, visiting)
        case .and(let xs), .or(let xs), .call(_, let xs): return xs.allSatisfy { isCheap($0, visiting) }
        case .conditional(let c, let x, let y): return isCheap(c, visiting) && isCheap(x, visiting) && isCheap(y, visiting)
        }
    }

    /// Relative cost of evaluating `e` (orders the conjuncts of a rule: cheap first).
    private func cost(_ e: IRExpr) -> Int {
        switch e.kind {
        case .constant, .field, .score: return 0
        case .letValue(let i): return eagerLets.contains(i) ? 1 : 2 + cost(ir.lets[i].value)
        case .listLookup(_, let k): return 20 + cost(k)
        case .counterRead(_, _, let k): return 10 + cost(k)
        case .model: return 100
        case .not(let x), .negate(let x), .inSet(let x, _): return 1 + cost(x)
        case .binary(_, let x, let y): return 1 + cost(x) + cost(y)
        case .and(let xs), .or(let xs), .call(_, let xs): return xs.reduce(1) { $0 + cost($1) }
        case .conditional(let c, let x, let y): return 2 + cost(c) + cost(x) + cost(y)
        }
    }

    private mutating func declareModels() {
        for (i, m) in ir.models.enumerated() {
            let probability = b.addLazyRegister(.double)
            _ = b.addLazyRegister(.double)
            modelRegisters[i] = probability
            modelArguments[i] = m.features.map { feature in
                switch feature.value.kind {
                case .field(let f): return UInt16(f)
                case .letValue(let l): return letRegisters[l]!
                case .counterRead(let c, let w, _): return counterRegister(c, w)
                default:
                    let key = String(describing: feature.value)
                    if let shared = featureRegisters[key] { return shared }
                    let r = b.addRegister(feature.value.type)
                    featureRegisters[key] = r
                    return r
                }
            }
            _ = b.addModel(ModelInfo(name: m.name, features: m.features.map(\.name), arguments: modelArguments[i]))
        }
    }

    /// Cheap lets get a plain register computed once at the start; the others a lazy register.
    /// Lets nothing reaches (inlined single-use lets, unused ones) get neither.
    private mutating func emitEagerLets() {
        let referenced = LetInlining.referenced(ir)
        for (i, l) in ir.lets.enumerated() where isCheap(l.value) && referenced.contains(i) { eagerLets.insert(i) }
        var done: Set<Int> = []
        func emit(_ i: Int, _ g: inout CodeGenerator) {
            if done.contains(i) { return }
            done.insert(i)
            for dependency in g.letDependencies(g.ir.lets[i].value) where g.eagerLets.contains(dependency) { emit(dependency, &g) }
            let r = g.b.addRegister(g.ir.lets[i].value.type)
            g.letRegisters[i] = r
            g.compile(g.ir.lets[i].value, into: r)
            g.releaseTemps()
        }
        for i in ir.lets.indices where eagerLets.contains(i) { emit(i, &self) }
        for i in ir.lets.indices where !eagerLets.contains(i) && referenced.contains(i) {
            letRegisters[i] = b.addLazyRegister(ir.lets[i].value.type)
        }
    }

    private func letDependencies(_ e: IRExpr) -> [Int] {
        if case .letValue(let i) = e.kind { return [i] }
        return e.children.flatMap(letDependencies)
    }

    private mutating func ensureLet(_ i: Int) -> UInt16 {
        let r = letRegisters[i]!
        if eagerLets.contains(i) || computed.contains(r) { return r }
        let skip = b.newLabel()
        if !emitted.insert(r).inserted { b.emit(.lazyGuard, a: r, jumpTo: skip) }
        let outside = unconditional
        unconditional = false
        compile(ir.lets[i].value, into: r)
        unconditional = outside
        b.bind(skip)
        if outside { computed.insert(r) }
        return r
    }

    private mutating func ensureModel(_ i: Int) -> UInt16 {
        let r = modelRegisters[i]!
        if computed.contains(r) { return r }
        let skip = b.newLabel()
        if !emitted.insert(r).inserted { b.emit(.lazyGuard, a: r, jumpTo: skip) }
        let outside = unconditional
        unconditional = false
        defer {
            unconditional = outside
            // The model's output is computed from here on, and so are its feature registers.
            if outside { computed.insert(r); computedFeatures.formUnion(modelArguments[i]) }
        }
        for (feature, argument) in zip(ir.models[i].features, modelArguments[i]) {
            switch feature.value.kind {
            case .field: continue
            case .letValue(let l): _ = ensureLet(l)
            case .counterRead: continue
            default: if !computedFeatures.contains(argument) { compile(feature.value, into: argument) }
            }
        }
        b.emit(.model, a: r, b: UInt16(i))
        b.bind(skip)
        return r
    }

    /// Every counter read a rule, score, threshold or model reaches (directly or through lets),
    /// once, at the start: they feed most rules and models, so
    /// reading them up front replaces a cache check before each use. Reads with the same key (the
    /// same field, or the same counter) form one batch: one `counter` instruction and one host
    /// call, into consecutive registers.
    private mutating func emitCounterReads() {
        var seen: Set<String> = []
        var batches: [(key: String, keyExpr: IRExpr, reads: [(counter: Int, window: Int64)])] = []
        func visit(_ e: IRExpr) {
            switch e.kind {
            case .counterRead(let c, let w, let k):
                guard seen.insert("\(c)/\(w)").inserted else { return }
                let key: String
                if case .field(let f) = k.kind { key = "field \(f)" } else { key = "counter \(c)" }
                if let i = batches.firstIndex(where: { $0.key == key }) { batches[i].reads.append((c, w)) } else {
                    batches.append((key, k, [(c, w)]))
                }
            default: e.children.forEach(visit)
            }
        }
        (LetInlining.referenced(ir).sorted().map { ir.lets[$0].value } + ir.entryExpressions).forEach(visit)
        for batch in batches {
            var first: UInt16? = nil, firstRead: UInt16? = nil
            for (c, w) in batch.reads {
                // Written on every evaluation before any use: no reset to "not computed" needed.
                let r = b.addRegister(ir.counters[c].valueType)
                counterRegisters["\(c)/\(w)"] = r
                let read = b.addCounterRead(CounterReadInfo(counter: UInt16(c), windowSeconds: w))
                if first == nil { first = r; firstRead = read }
            }
            let id = b.addCounterBatch(firstRead: firstRead!, count: UInt16(batch.reads.count))
            if case .field(let f) = batch.keyExpr.kind {
                b.emit(.counter, a: first!, b: UInt16(f), c: id)
            } else {
                let keyRegister = b.addRegister(batch.keyExpr.type)
                compile(batch.keyExpr, into: keyRegister)
                b.emit(.counter, a: first!, b: keyRegister, c: id)
            }
            releaseTemps()
        }
    }

    /// The register of a counter read (all are read at the start, by `emitCounterReads`).
    private func counterRegister(_ counter: Int, _ window: Int64) -> UInt16 {
        counterRegisters["\(counter)/\(window)"]!
    }

    // MARK: - rules

    /// The eager `let`s that are top-level conjuncts of a rule's condition.
    private func letConjuncts(_ rule: Int) -> Set<Int> {
        var out: Set<Int> = []
        func visit(_ e: IRExpr) {
            switch e.kind {
            case .and(let xs): xs.forEach(visit)
            case .letValue(let l) where eagerLets.contains(l): out.insert(l)
            default: break
            }
        }
        visit(ir.rules[rule].condition)
        return out
    }

    /// Emits a group of rules whose order does not matter (the decision takes the lowest-numbered
    /// firing rule per action). Rules sharing an eager bool `let` conjunct are emitted together
    /// behind one `branchBool let`: when the let is false every one of them is false, so the whole
    /// block is skipped; when it is true, a copy of the block without the let's tests runs; when it
    /// is missing or an error, the block with the tests runs (missing/error are reported per rule).
    /// Two rules sharing a let already make a block worth it: one dispatch for the let instead of
    /// two whether it is false or true (two more only when it is missing or an error: the guard and
    /// the jump over the other copy).
    private mutating func emitGroup(_ rules: [Int]) {
        var remaining = rules
        while true {
            var counts: [Int: Int] = [:]
            for r in remaining { for l in letConjuncts(r) { counts[l, default: 0] += 1 } }
            guard let (shared, count) = counts.max(by: { ($0.value, -$0.key) < ($1.value, -$1.key) }), count >= 2 else { break }
            let block = remaining.filter { letConjuncts($0).contains(shared) }
            remaining.removeAll { block.contains($0) }
            let whenTrue = b.newLabel(), skip = b.newLabel()
            b.emit(.branchBool, a: letRegisters[shared]!, jumpB: whenTrue, jumpC: skip)
            inBlock = true
            // The two copies never both run: a lazy value first computed in one is still first
            // computed in the other, so each starts from the same emitted set.
            let emittedBefore = emitted
            for r in block { emitRule(r) }
            b.emit(.jump, jumpTo: skip)
            let emittedBySlowCopy = emitted
            emitted = emittedBefore
            b.bind(whenTrue)
            knownTrue = shared
            for r in block { emitRule(r) }
            knownTrue = nil
            emitted.formUnion(emittedBySlowCopy)
            inBlock = false
            b.bind(skip)
        }
        for r in remaining { emitRule(r) }
    }

    private mutating func emitRule(_ index: Int) {
        let rule = ir.rules[index]
        releaseTemps()
        let end = b.newLabel()
        emitConjunction(rule.condition, onFalse: end, firstTestRunsAlways: !inBlock)
        if let key = rule.rolloutKey {
            let k = value(key)
            b.emit(.fireRollout, a: UInt16(index), b: k)
        } else {
            b.emit(.fire, a: UInt16(index))
        }
        b.bind(end)
    }

    /// A condition as fused tests of its conjuncts, cheapest first (`and` is commutative): all true
    /// falls through, a false one jumps to `onFalse`, missing/error accumulate.
    /// `firstTestRunsAlways`: the first test is reached whenever the code after it is (a rule outside
    /// a shared-let block), so lazy values it computes need no guard later.
    private mutating func emitConjunction(_ condition: IRExpr, onFalse: Label, firstTestRunsAlways: Bool) {
        var conjuncts: [IRExpr] = []
        func flatten(_ e: IRExpr) {
            if case .and(let xs) = e.kind { xs.forEach(flatten) } else { conjuncts.append(e) }
        }
        flatten(condition)
        if let known = knownTrue {
            conjuncts.removeAll { if case .letValue(known) = $0.kind { return true } else { return false } }
        }
        let ordered = conjuncts.enumerated().sorted { (cost($0.element), $0.offset) < (cost($1.element), $1.offset) }.map(\.element)
        for (n, c) in ordered.enumerated() {
            // Only the first conjunct of a rule outside a shared-let block always runs, and only
            // up to its first jump: a simple operand is computed before the test's own branch.
            unconditional = n == 0 && firstTestRunsAlways && isSimpleTest(c)
            emitTest(c, negate: false, onFalse: onFalse)
            unconditional = false
        }
    }

    // MARK: - thresholds

    /// `score >= N` / `score > N` (either side): the minimum score the post-pass compares with;
    /// nil for any other condition, which the program decides.
    private static func minimumScore(_ condition: IRExpr) -> Int64? {
        guard case .binary(let op, let x, let y) = condition.kind else { return nil }
        let (o, limit): (IRBinaryOperator, IRExpr)
        if case .score = x.kind { (o, limit) = (op, y) } else if case .score = y.kind { (o, limit) = (op.flipped, x) } else { return nil }
        guard case .int(let n)? = limit.constantValue else { return nil }
        switch o {
        case .greaterEqual: return n
        case .greater where n < .max: return n + 1
        default: return nil
        }
    }

    /// After every score: the clauses with a general condition, each ending in `holdThreshold`.
    private mutating func emitThresholds(_ infos: [ThresholdInfo]) {
        for (i, t) in ir.thresholds.enumerated() where infos[i].minimumScore == nil {
            releaseTemps()
            let end = b.newLabel()
            emitConjunction(t.condition, onFalse: end, firstTestRunsAlways: false)
            b.emit(.holdThreshold, a: UInt16(i))
            b.bind(end)
        }
    }

    /// A test whose operands are computed by straight-line code (no short-circuit jumps) before it
    /// branches: a comparison or `not` of fields, constants, lets, counter reads and models.
    private func isSimpleTest(_ e: IRExpr) -> Bool {
        func simple(_ x: IRExpr) -> Bool {
            switch x.kind {
            case .constant, .field, .letValue, .counterRead, .model: return true
            default: return false
            }
        }
        switch e.kind {
        case .not(let x): return isSimpleTest(x)
        case .binary(let op, let x, let y) where op.isComparison: return simple(x) && simple(y)
        default: return simple(e)
        }
    }

    private static let testOps: [ValueType: [IRBinaryOperator: (register: Opcode, constant: Opcode)]] = [
        .int: [.less: (.testLtI, .testLtIK), .lessEqual: (.testLeI, .testLeIK), .greater: (.testGtI, .testGtIK),
               .greaterEqual: (.testGeI, .testGeIK), .equal: (.testEqI, .testEqIK), .notEqual: (.testNeI, .testNeIK)],
        .double: [.less: (.testLtD, .testLtDK), .lessEqual: (.testLeD, .testLeDK), .greater: (.testGtD, .testGtDK),
                  .greaterEqual: (.testGeD, .testGeDK), .equal: (.testEqD, .testEqDK), .notEqual: (.testNeD, .testNeDK)],
        .string: [.equal: (.testEqS, .testEqSK), .notEqual: (.testNeS, .testNeSK)],
    ]

    /// One conjunct as a fused test: true falls through, false jumps to `onFalse`.
    private mutating func emitTest(_ e: IRExpr, negate: Bool, onFalse: Label) {
        var flags: UInt8 = negate ? InstructionFlag.negate : 0
        switch e.kind {
        case .not(let x):
            emitTest(x, negate: !negate, onFalse: onFalse)
            return
        case .binary(let op, let x, let y) where op.isComparison:
            var (l, r, o) = (x, y, op)
            if l.constantValue != nil && r.constantValue == nil { (l, r, o) = (r, l, op.flipped) }
            if let ops = CodeGenerator.testOps[l.type]?[o], l.type == r.type {
                if l.type == .string && (l.caseInsensitive || r.caseInsensitive) { flags |= InstructionFlag.caseInsensitive }
                let a = value(l)
                if let k = r.constantValue {
                    b.emit(ops.constant, a: a, b: b.constant(k), flags: flags, jumpTo: onFalse)
                } else {
                    b.emit(ops.register, a: a, b: value(r), flags: flags, jumpTo: onFalse)
                }
                return
            }
        case .inSet(let x, let values):
            let set = b.addSet(values, type: x.type, caseInsensitive: x.caseInsensitive)
            b.emit(.testInSet, a: value(x), b: set, flags: flags, jumpTo: onFalse)
            return
        case .listLookup(let list, let key):
            b.emit(.testList, a: value(key), b: UInt16(list), flags: flags, jumpTo: onFalse)
            return
        case .call(let f, let args) where (f == .startsWith || f == .endsWith || f == .contains) && args[1].constantValue != nil:
            let op: Opcode = f == .startsWith ? .testStartsWithK : (f == .endsWith ? .testEndsWithK : .testContainsK)
            if args[0].caseInsensitive { flags |= InstructionFlag.caseInsensitive }
            b.emit(op, a: value(args[0]), b: b.constant(args[1].constantValue!), flags: flags, jumpTo: onFalse)
            return
        default:
            break
        }
        b.emit(.testTrue, a: value(e), flags: flags, jumpTo: onFalse)
    }

    // MARK: - values

    /// The register holding `e`'s value (a field or let register as is, else a new temporary).
    mutating func value(_ e: IRExpr) -> UInt16 {
        switch e.kind {
        case .field(let f): return UInt16(f)
        case .letValue(let i): return ensureLet(i)
        case .counterRead(let c, let w, _): return counterRegister(c, w)
        case .model(let m, let margin): return ensureModel(m) + (margin ? 1 : 0)
        default:
            let t = temp(e.type)
            compile(e, into: t)
            return t
        }
    }

    private static let compareOps: [ValueType: [IRBinaryOperator: (register: Opcode, constant: Opcode?)]] = [
        .int: [.less: (.ltI, .ltIK), .lessEqual: (.leI, .leIK), .greater: (.gtI, .gtIK), .greaterEqual: (.geI, .geIK),
               .equal: (.eqI, .eqIK), .notEqual: (.neI, .neIK)],
        .double: [.less: (.ltD, .ltDK), .lessEqual: (.leD, .leDK), .greater: (.gtD, .gtDK), .greaterEqual: (.geD, .geDK),
                  .equal: (.eqD, .eqDK), .notEqual: (.neD, .neDK)],
        .string: [.less: (.ltS, nil), .lessEqual: (.leS, nil), .greater: (.gtS, nil), .greaterEqual: (.geS, nil),
                  .equal: (.eqS, .eqSK), .notEqual: (.neS, .neSK)],
        .bool: [.equal: (.eqB, nil), .notEqual: (.neB, nil)],
        .ip: [.equal: (.eqIP, nil), .notEqual: (.neIP, nil)],
    ]
    private static let mixedOps: [IRBinaryOperator: Opcode] = [.less: .ltID, .lessEqual: .leID, .greater: .gtID,
                                                               .greaterEqual: .geID, .equal: .eqID, .notEqual: .neID]

    /// Compiles `e` so that its value ends up in register `t` (of `e.type`).
    mutating func compile(_ e: IRExpr, into t: UInt16) {
        switch e.kind {
        case .constant(let v):
            b.emit(.loadK, a: t, b: b.constant(v))
        case .score:
            b.emit(.loadScore, a: t)
        case .field, .letValue, .counterRead, .model:
            let r = value(e)
            if r != t { b.emit(.move, a: t, b: r) }
        case .listLookup(let list, let key):
            b.emit(.list, a: t, b: value(key), c: UInt16(list))
        case .not(let x):
            b.emit(.not, a: t, b: value(x))
        case .negate(let x):
            b.emit(x.type == .int ? .negI : .negD, a: t, b: value(x))
        case .binary(let op, let x, let y) where op.isComparison:
            var (l, r, o) = (x, y, op)
            if l.type == .double && r.type == .int { (l, r, o) = (r, l, op.flipped) }
            if l.type == .int && r.type == .double {
                b.emit(CodeGenerator.mixedOps[o]!, a: t, b: value(l), c: value(r))
                return
            }
            if l.constantValue != nil && r.constantValue == nil { (l, r, o) = (r, l, o.flipped) }
            let ops = CodeGenerator.compareOps[l.type]![o]!
            let flags: UInt8 = l.type == .string && (l.caseInsensitive || r.caseInsensitive) && (o == .equal || o == .notEqual)
                ? InstructionFlag.caseInsensitive : 0
            if let k = r.constantValue, let constantOp = ops.constant {
                b.emit(constantOp, a: t, b: value(l), c: b.constant(k), flags: flags)
            } else {
                b.emit(ops.register, a: t, b: value(l), c: value(r), flags: flags)
            }
        case .binary(let op, let x, let y):
            if x.type == .string {  // `+` on strings
                b.emit(.concat, a: t, b: value(x), c: value(y))
                return
            }
            if x.type == .int, let k = y.constantValue, [.add, .subtract, .multiply].contains(op) {
                let opcode: Opcode = op == .add ? .addIK : (op == .subtract ? .subIK : .mulIK)
                b.emit(opcode, a: t, b: value(x), c: b.constant(k))
                return
            }
            let opcode: Opcode
            switch (op, x.type == .int) {
            case (.add, true): opcode = .addI
            case (.subtract, true): opcode = .subI
            case (.multiply, true): opcode = .mulI
            case (.divide, true): opcode = .divI
            case (.remainder, true): opcode = .remI
            case (.add, false): opcode = .addD
            case (.subtract, false): opcode = .subD
            case (.multiply, false): opcode = .mulD
            default: opcode = .divD
            }
            b.emit(opcode, a: t, b: value(x), c: value(y))
        case .and(let xs), .or(let xs):
            let isAnd: Bool
            if case .and = e.kind { isAnd = true } else { isAnd = false }
            let end = b.newLabel()
            compile(xs[0], into: t)
            for x in xs.dropFirst() {
                b.emit(isAnd ? .jumpIfFalse : .jumpIfTrue, a: t, jumpTo: end)
                let r = value(x)
                b.emit(isAnd ? .and : .or, a: t, b: t, c: r)
            }
            b.bind(end)
        case .conditional(let c, let x, let y):
            let end = b.newLabel(), otherwise = b.newLabel()
            let condition = value(c)
            b.emit(.jumpIfNotBool, a: condition, b: t, jumpTo: end)
            b.emit(.jumpIfFalse, a: condition, jumpTo: otherwise)
            compile(x, into: t)
            b.emit(.jump, jumpTo: end)
            b.bind(otherwise)
            compile(y, into: t)
            b.bind(end)
        case .inSet(let x, let values):
            let set = b.addSet(values, type: x.type, caseInsensitive: x.caseInsensitive)
            b.emit(.inSet, a: t, b: value(x), c: set)
        case .call(let f, let args):
            compileCall(f, args, e.type, into: t)
        }
    }

    private mutating func compileCall(_ f: IRFunction, _ args: [IRExpr], _ type: ValueType, into t: UInt16) {
        let ci = args.first?.caseInsensitive == true ? InstructionFlag.caseInsensitive : 0
        switch f {
        case .size: b.emit(.size, a: t, b: value(args[0]))
        case .lower: b.emit(.lower, a: t, b: value(args[0]))
        case .upper: b.emit(.upper, a: t, b: value(args[0]))
        case .domain: b.emit(.domain, a: t, b: value(args[0]))
        case .startsWith: b.emit(.startsWith, a: t, b: value(args[0]), c: value(args[1]), flags: ci)
        case .endsWith: b.emit(.endsWith, a: t, b: value(args[0]), c: value(args[1]), flags: ci)
        case .contains: b.emit(.contains, a: t, b: value(args[0]), c: value(args[1]), flags: ci)
        case .like: b.emit(.like, a: t, b: value(args[0]), c: value(args[1]), flags: ci)
        case .matches:
            // Lowering only emits `matches` for a pattern that compiles, as a string constant.
            guard case .string(let pattern)? = args[1].constantValue, let regex = try? RegexCompiler.compile(pattern) else {
                b.emit(.loadK, a: t, b: b.constant(.error(.badOperand)))
                return
            }
            b.emit(.matches, a: t, b: value(args[0]), c: b.addRegex(regex))
        case .has: b.emit(.has, a: t, b: value(args[0]))
        case .isMissing: b.emit(.isMissing, a: t, b: value(args[0]))
        case .bucket: b.emit(.bucket, a: t, b: value(args[0]), c: value(args[1]))
        case .cidr: b.emit(.cidr, a: t, b: value(args[0]), c: b.constant(args[1].constantValue ?? .missing))
        case .abs: b.emit(type == .int ? .absI : .absD, a: t, b: value(args[0]))
        case .min: b.emit(type == .int ? .minI : .minD, a: t, b: value(args[0]), c: value(args[1]))
        case .max: b.emit(type == .int ? .maxI : .maxD, a: t, b: value(args[0]), c: value(args[1]))
        case .int, .double, .string:
            let from = args[0].type
            if from == type {
                let r = value(args[0])
                if r != t { b.emit(.move, a: t, b: r) }
                return
            }
            let op: Opcode
            switch (f, from) {
            case (.int, .double): op = .intOfD
            case (.int, _): op = .intOfS
            case (.double, .int): op = .doubleOfI
            case (.double, _): op = .doubleOfS
            case (.string, .int): op = .stringOfI
            case (.string, .double): op = .stringOfD
            case (.string, .bool): op = .stringOfB
            default: op = .stringOfIP
            }
            b.emit(op, a: t, b: value(args[0]))
        }
    }
}
