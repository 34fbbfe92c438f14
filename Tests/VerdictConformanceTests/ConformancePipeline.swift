// How a conformance case is run through Verdict: the expression becomes `let conformance_result =
// EXPR` in a ruleset whose schema declares the case's bindings, goes through the real parser and
// checker (Frontend), and is evaluated by a pipeline (the reference evaluator, or compiler + VM).
// The outcome is compared with the case's expectation by `ConformanceOutcome.matches`.
import VerdictCompiler
import VerdictLanguage
import VerdictReference
import VerdictVM

/// What running one expression produced.
enum ConformanceOutcome: CustomStringConvertible {
    case value(ReferenceValue)
    case missing
    case error(String)
    /// The parser or checker rejected the program (its first error message).
    case rejected(String)

    var description: String {
        switch self {
        case .value(let v): return v.description
        case .missing: return "missing"
        case .error(let message): return "error: \(message)"
        case .rejected(let message): return "rejected: \(message)"
        }
    }

    /// True when this outcome satisfies `test` classified as `applicability`.
    func matches(_ test: ConformanceCase, _ applicability: Applicability) -> Bool {
        if case .staticRejection = applicability {
            if case .rejected = self { return true }
            return false
        }
        switch (test.expectation, self) {
        case (.error, .error): return true
        case (.value(let expected), .value(let actual)):
            guard let expected = ConformanceOutcome.referenceValue(expected) else { return false }
            return ReferenceResult.value(expected).sameOutcome(as: .value(actual))
        default: return false
        }
    }

    /// A CEL value in the reference evaluator's terms (nil for kinds Verdict does not have).
    static func referenceValue(_ value: CELValue) -> ReferenceValue? {
        switch value {
        case .int(let v): return .int(v)
        case .double(let v): return .double(v)
        case .string(let s): return .string(s)
        case .bool(let b): return .bool(b)
        case .list(let items):
            let converted = items.compactMap(referenceValue)
            return converted.count == items.count ? .list(converted) : nil
        default: return nil
        }
    }
}

/// Builds and checks the one-let ruleset of a case.
enum ConformanceProgram {
    /// The name of the let that holds the expression.
    static let resultName = "conformance_result"

    /// Schema type names of the CEL primitive types Verdict has.
    static let schemaTypes = ["INT64": "int", "DOUBLE": "double", "STRING": "string", "BOOL": "bool"]

    /// The ruleset text for `expression` over the declared variables.
    static func source(expression: String, declarations: [CELDeclaration]) -> String {
        var text = ""
        if !declarations.isEmpty {
            text += "schema {\n"
            for declaration in declarations { text += "  \(declaration.name) \(schemaTypes[declaration.type] ?? declaration.type)\n" }
            text += "}\n"
        }
        return text + "let \(resultName) = \(expression)\n"
    }

    /// Parses and checks; the checked ruleset and the result let, or the first error message.
    static func check(expression: String, declarations: [CELDeclaration]) -> Result<(CheckedRuleset, CheckedLet), ConformanceCheckError> {
        let result = Frontend.check(text: source(expression: expression, declarations: declarations), path: "conformance.rules")
        guard let ruleset = result.ruleset else {
            let first = result.diagnostics.first { $0.severity == .error }
            return .failure(ConformanceCheckError(message: first.map { "\($0.code): \($0.message)" } ?? "rejected"))
        }
        guard let root = ruleset.lets.first(where: { $0.name == resultName }) else {
            return .failure(ConformanceCheckError(message: "the checked ruleset has no '\(resultName)'"))
        }
        return .success((ruleset, root))
    }

    /// The request holding the case's bindings, by field id.
    static func request(_ ruleset: CheckedRuleset, bindings: [String: CELValue]) -> ReferenceRequest {
        var values: [FieldID: ReferenceValue] = [:]
        for (name, value) in bindings {
            if let field = ruleset.field(named: name), let converted = ConformanceOutcome.referenceValue(value) {
                values[field.id] = converted
            }
        }
        return ReferenceRequest(values: values)
    }
}

/// A parse or check failure of a conformance program.
struct ConformanceCheckError: Error {
    var message: String
}

/// Runs an expression through the parser, the checker and the reference evaluator.
enum ReferencePipeline {
    static func run(_ test: ConformanceCase) -> ConformanceOutcome {
        switch ConformanceProgram.check(expression: test.expression, declarations: test.declarations) {
        case .failure(let error):
            return .rejected(error.message)
        case .success(let (ruleset, root)):
            let host = PrecomputedHost(listEntries: [:], seed: 0)
            let evaluator = ReferenceEvaluator(ruleset: ruleset, host: host,
                                               request: ConformanceProgram.request(ruleset, bindings: test.bindings))
            switch evaluator.evaluate(root.value) {
            case .value(let v): return .value(v)
            case .missing: return .missing
            case .error(let e): return .error(e.rawValue)
            }
        }
    }
}

/// Runs an expression through the parser, the checker, the compiler (lowering, folding, code
/// generation, verification) and the VM.
enum VMPipeline {
    static func run(_ test: ConformanceCase) -> ConformanceOutcome {
        switch ConformanceProgram.check(expression: test.expression, declarations: test.declarations) {
        case .failure(let error):
            return .rejected(error.message)
        case .success(let (ruleset, root)):
            do {
                let ir = try Compiler.lower(ruleset)
                guard let value = ir.lets.first(where: { $0.name == root.name })?.value else {
                    return .error("lowering lost '\(root.name)'")
                }
                let program = try Compiler.compileExpression(value, fields: ir.fields)
                let request = Request(program: program)
                for (name, binding) in test.bindings {
                    guard let index = program.fieldIndex(named: name),
                          let converted = ConformanceOutcome.referenceValue(binding) else { continue }
                    try request.set(index, value: Differential.vmValue(converted))
                }
                return outcome(VM.evaluateExpression(request))
            } catch {
                return .rejected("compiler: \(error)")
            }
        }
    }

    static func outcome(_ value: Value) -> ConformanceOutcome {
        switch value {
        case .missing: return .missing
        case .error(let kind): return .error("\(kind)")
        case .bool(let b): return .value(.bool(b))
        case .int(let i): return .value(.int(i))
        case .double(let d): return .value(.double(d))
        case .string(let s): return .value(.string(s))
        case .ip, .network: return .error("unexpected value \(value)")
        }
    }
}
