// Test helpers: parse source text in one call, and print expressions as fully parenthesised
// S-expressions so tests can assert tree shape (precedence, associativity) in one string.
import Foundation
@testable import VerdictLanguage

/// The result of parsing one in-memory file.
struct ParsedText {
    var sources: SourceSet
    var unit: SourceUnit
    var diagnostics: DiagnosticBag

    var rendered: String { DiagnosticRenderer(sources: sources).render(diagnostics) }
    var codes: [String] { diagnostics.sorted.map(\.code) }
}

func parseText(_ text: String, path: String = "test.rules") -> ParsedText {
    parseBytes(Array(text.utf8), path: path)
}

func parseBytes(_ bytes: [UInt8], path: String = "test.rules") -> ParsedText {
    var sources = SourceSet()
    let id = sources.add(path: path, bytes: bytes)
    var ids = ExprIDAllocator()
    var diagnostics = DiagnosticBag()
    let unit = Parser.parse(sources[id]!, ids: &ids, diagnostics: &diagnostics)
    return ParsedText(sources: sources, unit: unit, diagnostics: diagnostics)
}

/// Parses a standalone expression; nil (with the rendered diagnostics) on error.
func parseExpressionText(_ text: String) -> (Expr?, String) {
    var sources = SourceSet()
    let id = sources.add(path: "expr", text: text)
    var ids = ExprIDAllocator()
    var diagnostics = DiagnosticBag()
    let expr = Parser.parseExpression(sources[id]!, ids: &ids, diagnostics: &diagnostics)
    return (expr, DiagnosticRenderer(sources: sources).render(diagnostics))
}

/// `(and (> amount 10) (in email @blocked))` style rendering of a tree.
func sexp(_ expr: Expr) -> String {
    switch expr.kind {
    case .int(let v): return String(v)
    case .double(let v): return "\(v)"
    case .string(let v): return "\"\(v)\""
    case .bool(let v): return v ? "true" : "false"
    case .duration(let count, let unit): return "\(count)\(unit.rawValue)"
    case .name(let parts, let style):
        let name = parts.joined(separator: ".")
        switch style {
        case .plain: return name
        case .radarAttribute: return ":\(name):"
        case .radarMetadata: return "::\(name)::"
        }
    case .list(let elements, let style):
        let inner = elements.map(sexp).joined(separator: " ")
        return style == .brackets ? "[\(inner)]" : "(list \(inner))"
    case .listReference(let name): return "@\(name)"
    case .unary(let op, let operand): return "(\(op.rawValue) \(sexp(operand)))"
    case .binary(let op, let l, let r): return "(\(op.rawValue) \(sexp(l)) \(sexp(r)))"
    case .conditional(let c, let a, let b): return "(? \(sexp(c)) \(sexp(a)) \(sexp(b)))"
    case .call(let name, let target, let args):
        let all = (target.map { [sexp($0)] } ?? []) + args.map(sexp)
        return "(\(target == nil ? "" : ".")\(name)\(all.isEmpty ? "" : " ")\(all.joined(separator: " ")))"
    case .index(let a, let b): return "(index \(sexp(a)) \(sexp(b)))"
    }
}

/// The S-expression of a standalone expression, or its rendered diagnostics.
func sexp(_ text: String) -> String {
    let (expr, rendered) = parseExpressionText(text)
    return expr.map(sexp) ?? rendered
}

/// Path of the shared reference ruleset (VERDICT_SHARED or <package>/../shared).
func sharedPath(_ relative: String) -> String {
    let shared = ProcessInfo.processInfo.environment["VERDICT_SHARED"] ?? packageRoot() + "/../shared"
    return shared + "/" + relative
}

func packageRoot() -> String {
    var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(3)
    return parts.joined(separator: "/")
}
