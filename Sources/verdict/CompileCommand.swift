// `verdict compile RULES... -o FILE.vbc`: checks and compiles a ruleset (files or directories) to
// the VM's verified binary format.
import ArgumentParser
import VerdictCompiler
import VerdictLanguage
import VerdictVM

struct CompileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compile",
        abstract: "Compile a ruleset (.rules files or directories) to bytecode (.vbc).")

    @Argument(help: "Ruleset files or directories.")
    var paths: [String]

    @Option(name: .shortAndLong, help: "Output file.")
    var output: String

    func run() throws {
        let program = try compileRuleset(paths)
        guard FileBytes.write(output, BytecodeFormat.encode(program)) else { throw ValidationError("cannot write \(output)") }
        print("\(output): \(program.contents.code.count) instructions, \(program.contents.rules.count) rules and scores, \(program.contents.registerTypes.count) registers")
    }
}

/// Loads, checks and compiles a ruleset, printing diagnostics on failure.
func compileRuleset(_ paths: [String]) throws -> Program {
    let result = Frontend.load(paths: paths)
    guard let ruleset = result.ruleset else {
        let renderer = DiagnosticRenderer(sources: result.sources)
        for d in result.diagnostics { print(renderer.render(d)) }
        throw ExitCode.failure
    }
    do { return try Compiler.compile(ruleset) } catch { throw ValidationError("\(error)") }
}
