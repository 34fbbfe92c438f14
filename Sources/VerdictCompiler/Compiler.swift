// The compiler's public entry points: a ruleset in IR form (or, via the front end, a checked
// ruleset) to a verified `Program`; a standalone expression to a program whose result register
// holds its value (`verdict expr`, the CEL conformance runner).
import VerdictLanguage
import VerdictVM

/// Compiles rulesets and expressions to verified VM programs.
public enum Compiler {
    /// Compiles a ruleset in IR form: let inlining, constant folding, code generation, verification.
    public static func compile(_ ir: IRProgram) throws -> Program {
        try Program(contents(of: ir))
    }

    /// The unverified program contents of a ruleset (for tools that print or serialize them).
    public static func contents(of ir: IRProgram) throws -> ProgramContents {
        try CodeGenerator.generate(LetInlining.inline(ir).mapExpressions(ConstantFolder.fold))
    }

    /// Compiles a standalone expression over `fields` (none for `verdict expr`); evaluate it with
    /// `VM.evaluateExpression`.
    public static func compileExpression(_ e: IRExpr, fields: [FieldInfo] = []) throws -> Program {
        try Program(CodeGenerator.generateExpression(ConstantFolder.fold(e), fields: fields))
    }
}

extension Compiler {
    /// Compiles a checked ruleset: lowering to IR, let inlining, constant folding, code generation, verification.
    /// Request fields are the schema's fields in declaration order (`CheckedField.id`), then `now`
    /// (the event time, int seconds).
    public static func compile(_ ruleset: CheckedRuleset) throws -> Program {
        try compile(Lowering(ruleset: ruleset).program())
    }

    /// The unverified program contents of a checked ruleset (for `verdict compile` / `disasm`).
    public static func contents(of ruleset: CheckedRuleset) throws -> ProgramContents {
        try contents(of: Lowering(ruleset: ruleset).program())
    }

    /// The IR of a checked ruleset (for tests and tools that inspect it).
    public static func lower(_ ruleset: CheckedRuleset) throws -> IRProgram {
        try Lowering(ruleset: ruleset).program()
    }

    /// Compiles a standalone expression (no schema fields) through the full pipeline: parser,
    /// checker, lowering, folding, code generation, verification. Returns the diagnostics when the
    /// expression does not check. Evaluate the program with `VM.evaluateExpression`.
    public static func compileExpression(source: String) throws -> Program {
        let result = Frontend.check(text: "let result = \(source)\n", path: "<expr>")
        guard let ruleset = result.ruleset, let value = ruleset.lets.first else {
            let message = result.diagnostics.filter { $0.severity == .error }.map(\.message).joined(separator: "; ")
            throw CompileError(message: message.isEmpty ? "not an expression" : message)
        }
        let lowering = Lowering(ruleset: ruleset)
        return try compileExpression(try lowering.lower(value.value), fields: [])
    }
}
