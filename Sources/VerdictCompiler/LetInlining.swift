// Substitutes every `let` that is referenced exactly once with its expression, at that one use.
// Why: a let is computed once per request either way, but a cheap let computed eagerly at the
// start of the program costs its computation on every request even when its only rule is never
// reached (lets used inside the `high_value` block of the reference ruleset), plus a `testTrue`
// dispatch where the rule reads it; inlined, it becomes a fused test at its use site (`testInSet`
// instead of `inSet` + `testTrue`). Lets used two or more times keep their register (and the
// shared-let blocks of the code generator); a let referenced nowhere is then not computed at all.
// Values are unchanged: a let's value is its expression's, there are no side effects to reorder,
// and a single-use let's expression runs at most once, at its one use, as the let would have.

enum LetInlining {
    /// The program with single-use lets substituted; `lets` keeps its indices (the substituted lets
    /// stay, unreferenced, so that indices in other expressions remain valid).
    static func inline(_ ir: IRProgram) -> IRProgram {
        var uses = Array(repeating: 0, count: ir.lets.count)
        func count(_ e: IRExpr) {
            if case .letValue(let i) = e.kind { uses[i] += 1 }
            e.children.forEach(count)
        }
        // Uses by lets nothing reaches do not count: they are never computed.
        (referenced(ir).map { ir.lets[$0].value } + ir.entryExpressions).forEach(count)
        guard uses.contains(1) else { return ir }

        func expand(_ e: IRExpr) -> IRExpr {
            guard case .letValue(let i) = e.kind else { return e.mapChildren(expand) }
            guard uses[i] == 1 else { return e }
            var inlined = expand(ir.lets[i].value)
            inlined.caseInsensitive = e.caseInsensitive
            return inlined
        }
        return ir.mapExpressions(expand)
    }

    /// The lets the program's entry expressions reach (directly or through other lets).
    static func referenced(_ ir: IRProgram) -> Set<Int> {
        var seen: Set<Int> = []
        func visit(_ e: IRExpr) {
            if case .letValue(let i) = e.kind, seen.insert(i).inserted { visit(ir.lets[i].value) }
            e.children.forEach(visit)
        }
        ir.entryExpressions.forEach(visit)
        return seen
    }
}
