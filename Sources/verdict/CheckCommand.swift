// `verdict check PATH...`: parses and type-checks a ruleset (files, or directories of .rules files)
// and prints every diagnostic: for people on stderr (with source line, caret and hint), or with
// `--json` as one JSON array on stdout for editors and CI. Exit 0 when clean, 1 on errors (or on
// warnings with --warnings-as-errors).
import ArgumentParser
import Foundation
import Verdict
import VerdictLanguage

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Type-check a ruleset (all files given form one ruleset; directories: every .rules file in them).",
        discussion: """
            Model paths in `model` declarations are relative to the file that declares them; if not \
            found there, each --model-root directory is tried in order, then each directory of the \
            colon-separated VERDICT_MODEL_PATH environment variable, then the reference workload \
            ($VERDICT_WORKLOAD, else ./.build-workload when it exists).
            """
    )

    @Argument(help: "Rules files or directories.")
    var paths: [String]

    @Flag(help: "Print diagnostics as a JSON array of {file,line,column,endLine,endColumn,severity,code,message,hint}.")
    var json = false

    @Flag(help: "Exit 1 when there are warnings, too.")
    var warningsAsErrors = false

    @Option(name: .customLong("model-root"), help: "Another directory to look for model files in (repeatable).")
    var modelRoots: [String] = []

    /// VERDICT_MODEL_PATH entries, then the reference workload directory (where `make workload`
    /// writes `models/`), so `verdict check ../shared/bench/reference.rules` finds its models.
    static func defaultModelRoots() -> [String] {
        let environment = ProcessInfo.processInfo.environment
        var roots = (environment["VERDICT_MODEL_PATH"] ?? "").split(separator: ":").map(String.init)
        if let workload = environment["VERDICT_WORKLOAD"] {
            roots.append(workload)
        } else if FileManager.default.fileExists(atPath: ".build-workload/models") {
            roots.append(".build-workload")
        }
        return roots
    }

    func run() throws {
        let options = CheckOptions(modelCatalog: ModelLibrary(), modelRoots: modelRoots + CheckCommand.defaultModelRoots())
        let result = Frontend.load(paths: paths, options: options)
        let renderer = DiagnosticRenderer(sources: result.sources)
        if json {
            print("[" + result.diagnostics.map(renderer.json).joined(separator: ",\n ") + "]")
        } else if !result.diagnostics.isEmpty {
            FileHandle.standardError.write(Data((renderer.render(result.bag) + "\n").utf8))
        }
        if result.hasErrors || (warningsAsErrors && result.warningCount > 0) { throw ExitCode.failure }
        if !json, let ruleset = result.ruleset {
            print("ok: \(result.sources.files.count) file\(result.sources.files.count == 1 ? "" : "s"), "
                  + "\(ruleset.rules.count) rules, \(ruleset.lists.count) lists, \(ruleset.counters.count) counters, "
                  + "\(ruleset.models.count) models")
        }
    }
}
