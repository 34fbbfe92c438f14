// The compiler's public entry points: a ruleset in IR form (or, via the front end, a checked
// ruleset) to a verified `Program`; a standalone expression to a program whose result register
// holds its value (`verdict expr`, the CEL conformance runner).
import VerdictVM

/// Compiles rulesets and expressions to verified VM programs.
public enum Compiler {
    /// Compiles a ruleset in IR form: constant folding, then code generation, then verification.
    public static func compile(_ ir: IRProgram) throws -> Program {
        try Program(contents(of: ir))
    }

    /// The unverified program contents of a ruleset (for tools that print or serialize them).
    public static func contents(of ir: IRProgram) throws -> ProgramContents {
        var folded = ir
        for i in folded.lets.indices { folded.lets[i].value = ConstantFolder.fold(folded.lets[i].value) }
        for i in folded.rules.indices { folded.rules[i].condition = ConstantFolder.fold(folded.rules[i].condition) }
        for i in folded.models.indices {
            for j in folded.models[i].features.indices {
                folded.models[i].features[j].value = ConstantFolder.fold(folded.models[i].features[j].value)
            }
        }
        return try CodeGenerator.generate(folded)
    }

    /// Compiles a standalone expression over `fields` (none for `verdict expr`); evaluate it with
    /// `VM.evaluateExpression`.
    public static func compileExpression(_ e: IRExpr, fields: [FieldInfo] = []) throws -> Program {
        try Program(CodeGenerator.generateExpression(ConstantFolder.fold(e), fields: fields))
    }
}
