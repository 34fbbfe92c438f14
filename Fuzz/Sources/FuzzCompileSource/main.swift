// libFuzzer target: arbitrary bytes as a rules file through the front end (parse, the formatter
// round trip when the input parses, then the type checker). Must never crash, hang or trap; any
// diagnostics are fine, but a ruleset the checker accepts must be fully typed and resolved.
import VerdictLanguage

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCompileSource(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    var sources = SourceSet()
    let id = sources.add(path: "fuzz.rules", bytes: bytes)
    guard let file = sources[id] else { return 0 }
    var ids = ExprIDAllocator()
    var diagnostics = DiagnosticBag()
    let unit = Parser.parse(file, ids: &ids, diagnostics: &diagnostics)
    _ = DiagnosticRenderer(sources: sources).render(diagnostics)
    if !diagnostics.hasErrors {
        // A file that parses must format to text that parses to the same declarations.
        let formatted = Formatter.format(unit, source: file)
        var again = SourceSet()
        let againID = again.add(path: "formatted.rules", text: formatted)
        var againIDs = ExprIDAllocator()
        var againDiagnostics = DiagnosticBag()
        let reparsed = Parser.parse(again[againID]!, ids: &againIDs, diagnostics: &againDiagnostics)
        if againDiagnostics.hasErrors || reparsed != unit {
            fatalError("format round trip failed:\n\(formatted)")
        }
    }
    if !diagnostics.hasErrors {
        let catalog = InMemoryModelCatalog(["models/fraud.json": ["amount_usd", "card_attempts_1h", "country_mismatch"]])
        let (ruleset, checked) = Checker.check([unit], sources: sources, options: CheckOptions(modelCatalog: catalog))
        _ = DiagnosticRenderer(sources: sources).render(checked)
        if let ruleset { verifyFullyResolved(ruleset) }
    }
    _ = Parser.parseExpression(file, ids: &ids, diagnostics: &diagnostics)
    return 0
}

/// Traps when an accepted ruleset has an untyped node or an unresolved non-literal node: the
/// compiler relies on both.
func verifyFullyResolved(_ ruleset: CheckedRuleset) {
    var pending: [Expr] = ruleset.rules.map(\.condition) + ruleset.lets.map(\.value) + ruleset.scores.map(\.condition)
        + ruleset.thresholds.map(\.condition) + ruleset.models.flatMap { $0.features.map(\.value) }
        + ruleset.rules.compactMap { $0.rollout?.key }
    for counter in ruleset.counters {
        pending.append(counter.key)
        if let condition = counter.condition { pending.append(condition) }
        if case .sum(let value) = counter.aggregate { pending.append(value) }
        if case .distinct(let value) = counter.aggregate { pending.append(value) }
    }
    while let expr = pending.popLast() {
        if ruleset.type(of: expr.id) == .error { fatalError("accepted ruleset has an untyped node \(expr)") }
        switch expr.kind {
        case .int, .double, .string, .bool, .duration: continue
        default: break
        }
        if ruleset.resolution(of: expr.id) == nil { fatalError("accepted ruleset has an unresolved node \(expr)") }
        switch expr.kind {
        case .list(let items, _): pending += items
        case .unary(_, let operand): pending.append(operand)
        case .binary(_, let left, let right): pending += [left, right]
        case .conditional(let a, let b, let c): pending += [a, b, c]
        case .call(_, let target, let arguments): pending += arguments + (target.map { [$0] } ?? [])
        case .index(let base, let index): pending += [base, index]
        default: break
        }
    }
}
