// Constant folding over the IR: a pure subtree whose operands are all constants is replaced by its
// value, computed by running it on the VM itself (so folding can never disagree with evaluation).
// Subtrees that fold to missing or an error are left in place: the error then happens at run time,
// where it is reported per rule. `&&`/`||` drop absorbed-neutral constants and fold to their
// absorbing value when one operand is that constant.
import VerdictVM

enum ConstantFolder {
    static func fold(_ e: IRExpr) -> IRExpr {
        var out = e
        switch e.kind {
        case .constant, .field, .letValue, .model, .score: return e
        case .listLookup(let l, let k): out.kind = .listLookup(list: l, key: fold(k)); return out
        case .counterRead(let c, let w, let k): out.kind = .counterRead(counter: c, windowSeconds: w, key: fold(k)); return out
        case .not(let x): out.kind = .not(fold(x))
        case .negate(let x): out.kind = .negate(fold(x))
        case .binary(let op, let x, let y): out.kind = .binary(op, fold(x), fold(y))
        case .inSet(let x, let values): out.kind = .inSet(fold(x), values)
        case .call(let f, let args): out.kind = .call(f, args.map(fold))
        case .conditional(let c, let x, let y):
            let c = fold(c)
            if case .bool(let b)? = c.constantValue {
                // The taken branch, with the conditional's own type and case rule (the checker
                // typed `false ? s : ci_field` as plain `string`).
                var taken = fold(b ? x : y)
                taken.caseInsensitive = e.caseInsensitive
                return taken
            }
            out.kind = .conditional(c, fold(x), fold(y))
        case .and(let xs), .or(let xs):
            let isAnd: Bool
            if case .and = e.kind { isAnd = true } else { isAnd = false }
            var kept: [IRExpr] = []
            for x in xs.map(fold) {
                if case .bool(let b)? = x.constantValue {
                    if b != isAnd { return .constant(.bool(b)) }   // false && _ / true || _
                    continue                                       // true && x == x
                }
                if case .and(let inner) = x.kind, isAnd { kept += inner } else if case .or(let inner) = x.kind, !isAnd { kept += inner } else { kept.append(x) }
            }
            if kept.isEmpty { return .constant(.bool(isAnd)) }
            if kept.count == 1 && kept[0].type == .bool { return kept[0] }
            out.kind = isAnd ? .and(kept) : .or(kept)
            return out
        }
        guard isConstantTree(out), let value = try? evaluate(out), value.type != nil, value.type != .network else { return out }
        var folded = IRExpr.constant(value)
        folded.caseInsensitive = e.caseInsensitive
        return folded
    }

    private static func isConstantTree(_ e: IRExpr) -> Bool {
        if case .constant = e.kind { return false }
        if case .call(.cidr, _) = e.kind { return e.children[0].constantValue != nil }
        return e.children.allSatisfy { $0.constantValue != nil }
    }

    private static func evaluate(_ e: IRExpr) throws -> Value {
        let program = try Program(CodeGenerator.generateExpression(e, fields: []))
        return VM.evaluateExpression(Request(program: program))
    }
}
