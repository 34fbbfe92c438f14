// `verdict expr 'EXPRESSION' [--json]`: evaluates a standalone expression (no schema fields)
// through the full pipeline (parser, checker, compiler, verifier, VM) and prints its value in CEL
// notation, or `missing`, or `error: ...`. An analyst's quick check, and the CLI twin of the CEL
// conformance runner. A malformed or ill-typed expression prints its diagnostics and exits 1.
import ArgumentParser
import Foundation
import VerdictCompiler
import VerdictLanguage
import VerdictVM

struct ExprCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "expr",
        abstract: "Evaluate a standalone expression and print its value in CEL notation.",
        discussion: """
            Examples:
              verdict expr '1 + 2 * 3'                  7
              verdict expr '9223372036854775807 + 1'    error: integer overflow
              verdict expr '"ab".startsWith("a") && 2 > 1.5' --json
            """)

    @Argument(help: "The expression, e.g. 'size(\"héllo\") == 5'.")
    var expression: String

    @Flag(help: "Print a JSON object: {\"result\": \"value\"|\"missing\"|\"error\", ...}.")
    var json = false

    func run() throws {
        switch StandaloneExpression.evaluate(expression) {
        case .invalid(let diagnostics):
            if json {
                print(ExprOutput.json(invalid: diagnostics))
            } else {
                FileHandle.standardError.write(Data(diagnostics.map(\.rendered).joined(separator: "\n").utf8 + [0x0A]))
            }
            throw ExitCode(1)
        case .evaluated(let value, let type):
            print(json ? ExprOutput.json(value, type: type) : ExprOutput.cel(value))
        }
    }
}

/// A diagnostic of a standalone expression, positioned in the expression itself.
struct ExpressionDiagnostic {
    var code: String
    var message: String
    var hint: String?
    /// 1-based column in the expression (0 when the problem is not inside it).
    var column: Int
    /// `error: message`, the expression, a caret line and the hint.
    var rendered: String
}

/// Checks, compiles and runs one expression.
enum StandaloneExpression {
    enum Outcome {
        case invalid([ExpressionDiagnostic])
        case evaluated(Value, type: String)
    }

    /// The expression is checked as the value of a `let` in an otherwise empty ruleset; positions in
    /// diagnostics are shifted back onto the expression.
    static let prefix = "let value = "

    static func evaluate(_ expression: String) -> Outcome {
        let source = prefix + expression + "\n"
        let result = Frontend.check(text: source, path: "<expr>")
        guard let ruleset = result.ruleset, let root = ruleset.lets.first(where: { $0.name == "value" }) else {
            return .invalid(diagnostics(result, expression: expression))
        }
        do {
            let ir = try Compiler.lower(ruleset)
            guard let value = ir.lets.first(where: { $0.name == root.name })?.value else {
                return .invalid([ExpressionDiagnostic(code: "compile", message: "the expression was lost in lowering",
                                                      hint: nil, column: 0, rendered: "error: the expression was lost in lowering")])
            }
            // The fields are only `now` (the event time), which a standalone expression leaves missing.
            let program = try Compiler.compileExpression(value, fields: ir.fields)
            let request = Request(program: program)
            return .evaluated(VM.evaluateExpression(request), type: root.type.description)
        } catch {
            return .invalid([ExpressionDiagnostic(code: "compile", message: "\(error)", hint: nil, column: 0,
                                                  rendered: "error: \(error)")])
        }
    }

    private static func diagnostics(_ result: FrontendResult, expression: String) -> [ExpressionDiagnostic] {
        let offset = prefix.utf8.count
        let errors = result.diagnostics.filter { $0.severity == .error }
        return errors.map { diagnostic in
            let start = diagnostic.range.start - offset
            let inside = start >= 0 && start <= expression.utf8.count
            let column = inside ? String(decoding: Array(expression.utf8.prefix(start)), as: UTF8.self).count + 1 : 0
            let width = max(1, min(diagnostic.range.end - diagnostic.range.start, expression.utf8.count - max(start, 0)))
            var text = "error: \(diagnostic.message)"
            if inside {
                text += "\n  \(expression)\n  " + String(repeating: " ", count: column - 1) + String(repeating: "^", count: width)
            }
            if let hint = diagnostic.hint { text += "\n  hint: \(hint)" }
            return ExpressionDiagnostic(code: diagnostic.code, message: diagnostic.message, hint: diagnostic.hint,
                                        column: column, rendered: text)
        }
    }
}

/// Renderings of a result: CEL notation and JSON.
enum ExprOutput {
    /// CEL notation: `42`, `1.5`, `1e+300`, `"text"`, `true`; non-finite doubles as the CEL
    /// conversions that produce them (`double("NaN")`, `double("inf")`, `double("-inf")`);
    /// `missing`; `error: ...`.
    static func cel(_ value: Value) -> String {
        switch value {
        case .double(let d): return celDouble(d)
        case .string(let s): return ExpressionPrinter.stringLiteral(s)
        case .error(let kind): return "error: \(kind)"
        default: return value.description
        }
    }

    static func celDouble(_ d: Double) -> String {
        if d.isNaN { return "double(\"NaN\")" }
        if d.isInfinite { return d > 0 ? "double(\"inf\")" : "double(\"-inf\")" }
        let text = "\(d)"
        return text.contains(".") || text.contains("e") ? text : text + ".0"
    }

    /// `{"result":"value","type":"int","value":42,"cel":"42"}`, `{"result":"missing"}` or
    /// `{"result":"error","error":"division by zero"}`. Non-finite doubles have `"value": null`.
    static func json(_ value: Value, type: String) -> String {
        switch value {
        case .missing: return #"{"result":"missing"}"#
        case .error(let kind): return #"{"result":"error","error":\#(jsonString("\(kind)"))}"#
        default:
            let payload: String
            switch value {
            case .bool(let b): payload = b ? "true" : "false"
            case .int(let i): payload = String(i)
            case .double(let d): payload = d.isFinite ? celDouble(d) : "null"
            case .string(let s): payload = jsonString(s)
            default: payload = jsonString(value.description)
            }
            return #"{"result":"value","type":\#(jsonString(type)),"value":\#(payload),"cel":\#(jsonString(cel(value)))}"#
        }
    }

    static func json(invalid diagnostics: [ExpressionDiagnostic]) -> String {
        let items = diagnostics.map { d in
            #"{"code":\#(jsonString(d.code)),"message":\#(jsonString(d.message)),"column":\#(d.column)"#
                + (d.hint.map { #","hint":\#(jsonString($0))"# } ?? "") + "}"
        }
        return #"{"result":"invalid","diagnostics":[\#(items.joined(separator: ","))]}"#
    }
}
