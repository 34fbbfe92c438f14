// Substitutes every `let` that is referenced exactly once with its expression, at that one use.
// Why: a let is computed once per request either way, but a cheap let computed eagerly at the
// start of the program costs its computation on every request even when its only rule is never
// reached (lets used inside the `high_value` block of the reference ruleset), plus a `testTrue`
// dispatch where the rule reads it; inlined, it becomes a fused test at its use site (`testInSet`
// instead of `inSet` + `testTrue`). Lets used two or more times keep their register (and the
// shared-let blocks of the code generator); a let referenced nowhere is then not computed at all.
// Values are unchanged: a let's value is its expression's, and there are no side effects to
// reorder (host results are cached per request).

enum LetInlining {
    /// The program with single-use lets substituted; `lets` keeps its indices (the substituted lets
    /// stay, unreferenced, so that indices in other expressions remain valid).
    static func inline(_ ir: IRProgram) -> IRProgram {
        var uses = Array(repeating: 0, count: ir.lets.count)
        func count(_ e: IRExpr) {
            if case .letValue(let i) = e.kind { uses[i] += 1 }
            children(e).forEach(count)
        }
        for l in ir.lets { count(l.value) }
        for m in ir.models { for f in m.features { count(f.value) } }
        for r in ir.rules { count(r.condition); if let k = r.rolloutKey { count(k) } }
        for t in ir.thresholds { count(t.condition) }
        guard uses.contains(1) else { return ir }

        func expand(_ e: IRExpr) -> IRExpr {
            if case .letValue(let i) = e.kind {
                guard uses[i] == 1 else { return e }
                var inlined = expand(ir.lets[i].value)
                inlined.caseInsensitive = e.caseInsensitive
                return inlined
            }
            return map(e, expand)
        }
        var out = ir
        for i in out.lets.indices { out.lets[i].value = expand(out.lets[i].value) }
        for i in out.models.indices {
            for j in out.models[i].features.indices { out.models[i].features[j].value = expand(out.models[i].features[j].value) }
        }
        for i in out.rules.indices {
            out.rules[i].condition = expand(out.rules[i].condition)
            out.rules[i].rolloutKey = out.rules[i].rolloutKey.map(expand)
        }
        for i in out.thresholds.indices { out.thresholds[i].condition = expand(out.thresholds[i].condition) }
        return out
    }

    /// The lets the program's rules, scores, thresholds and model features reach (directly or
    /// through other lets).
    static func referenced(_ ir: IRProgram) -> Set<Int> {
        var seen: Set<Int> = []
        func visit(_ e: IRExpr) {
            if case .letValue(let i) = e.kind, seen.insert(i).inserted { visit(ir.lets[i].value) }
            children(e).forEach(visit)
        }
        for m in ir.models { for f in m.features { visit(f.value) } }
        for r in ir.rules { visit(r.condition); if let k = r.rolloutKey { visit(k) } }
        for t in ir.thresholds { visit(t.condition) }
        return seen
    }

    private static func children(_ e: IRExpr) -> [IRExpr] {
        switch e.kind {
        case .constant, .field, .letValue, .model, .score: return []
        case .listLookup(_, let x), .counterRead(_, _, let x), .not(let x), .negate(let x), .inSet(let x, _): return [x]
        case .binary(_, let x, let y): return [x, y]
        case .and(let xs), .or(let xs), .call(_, let xs): return xs
        case .conditional(let c, let x, let y): return [c, x, y]
        }
    }

    private static func map(_ e: IRExpr, _ f: (IRExpr) -> IRExpr) -> IRExpr {
        var out = e
        switch e.kind {
        case .constant, .field, .letValue, .model, .score: return e
        case .listLookup(let l, let x): out.kind = .listLookup(list: l, key: f(x))
        case .counterRead(let c, let w, let x): out.kind = .counterRead(counter: c, windowSeconds: w, key: f(x))
        case .not(let x): out.kind = .not(f(x))
        case .negate(let x): out.kind = .negate(f(x))
        case .inSet(let x, let values): out.kind = .inSet(f(x), values)
        case .binary(let op, let x, let y): out.kind = .binary(op, f(x), f(y))
        case .and(let xs): out.kind = .and(xs.map(f))
        case .or(let xs): out.kind = .or(xs.map(f))
        case .call(let fn, let xs): out.kind = .call(fn, xs.map(f))
        case .conditional(let c, let x, let y): out.kind = .conditional(f(c), f(x), f(y))
        }
        return out
    }
}
