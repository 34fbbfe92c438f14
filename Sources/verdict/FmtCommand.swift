// `verdict fmt PATH...`: rewrites rules files in canonical form (Formatter), or with `--check`
// lists the files that are not, for CI. Files with syntax errors are reported and left untouched.
import ArgumentParser
import Foundation
import VerdictLanguage

struct FmtCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fmt",
        abstract: "Format rules files canonically (directories: every .rules file in them)."
    )

    @Argument(help: "Rules files or directories.")
    var paths: [String]

    @Flag(help: "Change nothing; list files that are not formatted and exit 1 if there are any.")
    var check = false

    @Flag(help: "Print the formatted text instead of rewriting the files.")
    var stdout = false

    func run() throws {
        var sources = SourceSet()
        var diagnostics = DiagnosticBag()
        RulesFiles.load(RulesFiles.expand(paths), into: &sources, diagnostics: &diagnostics)
        var unformatted: [String] = []
        var failed = diagnostics.hasErrors
        for file in sources.files where !file.bytes.isEmpty {
            var ids = ExprIDAllocator()
            var fileDiagnostics = DiagnosticBag()
            let unit = Parser.parse(file, ids: &ids, diagnostics: &fileDiagnostics)
            if fileDiagnostics.hasErrors {
                failed = true
                diagnostics.append(contentsOf: fileDiagnostics)
                continue
            }
            let formatted = Formatter.format(unit, source: file)
            if stdout {
                print(formatted, terminator: "")
            } else if Array(formatted.utf8) != file.bytes {
                unformatted.append(file.path)
                if !check {
                    try Data(formatted.utf8).write(to: URL(fileURLWithPath: file.path))
                }
            }
        }
        if !diagnostics.diagnostics.isEmpty {
            FileHandle.standardError.write(Data((DiagnosticRenderer(sources: sources).render(diagnostics) + "\n").utf8))
        }
        for path in unformatted { print(check ? "not formatted: \(path)" : "formatted: \(path)") }
        if failed || (check && !unformatted.isEmpty) { throw ExitCode.failure }
    }
}
