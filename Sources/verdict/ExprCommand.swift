// `verdict expr 'EXPRESSION'`: evaluates a standalone expression (no schema fields) through the
// full pipeline (parser, checker, compiler, VM) and prints its value in CEL notation, `missing`,
// or `error: ...`; `--json` prints one JSON object instead. An analyst's quick check, and the
// command-line twin of the CEL conformance runner.
import ArgumentParser
import VerdictCompiler
import VerdictVM

struct ExprCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "expr",
        abstract: "Evaluate a standalone expression and print its value.")

    @Argument(help: "The expression, e.g. '1 + 2 * 3' or \"'a@B.com'.endsWith('.com')\".")
    var expression: String

    @Flag(help: "Print {\"value\": ..., \"type\": ...}, {\"missing\": true} or {\"error\": ...}.")
    var json = false

    func run() throws {
        let program: Program
        do { program = try Compiler.compileExpression(source: expression) } catch {
            if json { print("{\"compileError\": \(jsonString("\(error)"))}") } else { print("compile error: \(error)") }
            throw ExitCode(2)
        }
        let value = VM.evaluateExpression(Request(program: program))
        guard json else { print(value.description); return }
        switch value {
        case .missing: print("{\"missing\": true}")
        case .error(let kind): print("{\"error\": \(jsonString(kind.description))}")
        case .bool(let b): print("{\"value\": \(b), \"type\": \"bool\"}")
        case .int(let i): print("{\"value\": \(i), \"type\": \"int\"}")
        case .double(let d):
            print("{\"value\": \(d.isFinite ? value.description : jsonString(value.description)), \"type\": \"double\"}")
        case .string(let s): print("{\"value\": \(jsonString(s)), \"type\": \"string\"}")
        case .ip(let a): print("{\"value\": \(jsonString(a.description)), \"type\": \"ip\"}")
        case .network(let n): print("{\"value\": \(jsonString(n.description)), \"type\": \"network\"}")
        }
    }
}

/// A JSON string literal.
func jsonString(_ s: String) -> String {
    var out = "\""
    for scalar in s.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\t": out += "\\t"
        default:
            if scalar.value < 0x20 { out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16) }
            else { out.unicodeScalars.append(scalar) }
        }
    }
    return out + "\""
}
