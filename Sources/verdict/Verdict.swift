// The `verdict` command-line tool: entry point and subcommand registry. Each subcommand lives in
// its own file in this folder.
import ArgumentParser

@main
struct VerdictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verdict",
        abstract: "Compile, check, evaluate and benchmark Verdict rulesets.",
        subcommands: [
            FmtCommand.self,
            CheckCommand.self,
            ModelCommand.self,
            ListCommand.self,
            CountersCommand.self,
            BenchFrontendCommand.self,
            DisasmCommand.self,
            CompileCommand.self,
            BenchCommand.self,
            ExprCommand.self,
            EvalCommand.self,
            BenchEngineCommand.self,
        ]
    )
}
