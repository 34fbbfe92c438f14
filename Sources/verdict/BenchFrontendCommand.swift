// `verdict bench-frontend`: how fast the front end reads a realistic 10,000-rule ruleset
// (SyntheticRuleset, in memory). Reports the best and median of several runs of parsing (lexing
// included), type checking and formatting, and, as a peer measured in the same run, Foundation's
// JSONSerialization reading the same syntax tree encoded as JSON. Target: the whole front end
// under 1 s for 10,000 rules (release build).
import ArgumentParser
import Foundation
import VerdictLanguage

struct BenchFrontendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-frontend",
        abstract: "Time parsing and checking a generated ruleset (use a release build)."
    )

    @Option(help: "Number of rules to generate.")
    var rules = 10_000

    @Option(help: "Timed runs per measurement (best and median are reported).")
    var iterations = 5

    @Option(help: "Also write the generated ruleset into this directory (for `verdict check`, fuzzing).")
    var write: String?

    func run() throws {
        let ruleset = SyntheticRuleset(rules: rules)
        if let write {
            for file in ruleset.files {
                let path = write + "/" + file.path.split(separator: "/").last!
                try FileManager.default.createDirectory(atPath: write, withIntermediateDirectories: true)
                try Data(file.text.utf8).write(to: URL(fileURLWithPath: path))
            }
        }
        var sources = SourceSet()
        for file in ruleset.files { sources.add(path: file.path, text: file.text) }
        let megabytes = Double(ruleset.byteCount) / 1_000_000

        var units: [SourceUnit] = []
        var diagnostics = DiagnosticBag()
        let parse = measure(iterations) {
            var ids = ExprIDAllocator()
            diagnostics = DiagnosticBag()
            units = Parser.parse(sources, ids: &ids, diagnostics: &diagnostics)
        }
        if diagnostics.hasErrors {
            print(DiagnosticRenderer(sources: sources).render(diagnostics))
            throw ExitCode.failure
        }
        var checkDiagnostics = DiagnosticBag()
        let check = measure(iterations) {
            checkDiagnostics = Checker.check(units, sources: sources).1
        }
        if checkDiagnostics.hasErrors || !checkDiagnostics.diagnostics.isEmpty {
            print(DiagnosticRenderer(sources: sources).render(checkDiagnostics))
            throw ExitCode.failure
        }
        let format = measure(iterations) {
            for (unit, file) in zip(units, sources.files) { _ = Formatter.format(unit, source: file) }
        }
        let json = Data(SyntaxJSON.encode(units).utf8)
        let peer = measure(iterations) {
            _ = try? JSONSerialization.jsonObject(with: json)
        }

        print("bench-frontend: \(rules) rules in \(sources.files.count) files, \(String(format: "%.2f", megabytes)) MB of source")
        report("parse (lex + parse)", parse, megabytes)
        report("check (types, resolutions, cycles, warnings)", check, megabytes)
        report("format", format, megabytes)
        report("peer: JSONSerialization, same tree as JSON (\(String(format: "%.2f", Double(json.count) / 1_000_000)) MB)",
               peer, Double(json.count) / 1_000_000)
        print(String(format: "ratio: parse / JSONSerialization of the same tree = %.2fx", parse.best / peer.best))
        let frontEnd = parse.best + check.best
        print(String(format: "ratio: check / parse = %.2fx", check.best / parse.best))
        print(String(format: "front end (parse + check) for %d rules: %.1f ms", rules, frontEnd * 1000)
              + " (target < 1000 ms: \(frontEnd < 1 ? "met" : "NOT met"))")
    }

    private func report(_ label: String, _ timing: (best: Double, median: Double), _ megabytes: Double) {
        let padded = label.count < 72 ? label + String(repeating: " ", count: 72 - label.count) : label
        print("  " + padded + String(format: " best %8.2f ms  median %8.2f ms  %7.1f MB/s",
                                     timing.best * 1000, timing.median * 1000, megabytes / timing.best))
    }

    /// Best and median wall time in seconds over `count` runs.
    private func measure(_ count: Int, _ body: () -> Void) -> (best: Double, median: Double) {
        var times: [Double] = []
        for _ in 0..<max(1, count) {
            let start = DispatchTime.now().uptimeNanoseconds
            body()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        times.sort()
        return (times[0], times[times.count / 2])
    }
}

/// The syntax tree as nested JSON arrays: the same information the parser produces, in a format
/// with a mature parser, so the bench has a peer to compare against.
enum SyntaxJSON {
    static func encode(_ units: [SourceUnit]) -> String {
        var out = "["
        for (index, unit) in units.enumerated() {
            if index > 0 { out += "," }
            out += "["
            for (position, declaration) in unit.declarations.enumerated() {
                if position > 0 { out += "," }
                encode(declaration, into: &out)
            }
            out += "]"
        }
        return out + "]"
    }

    private static func encode(_ declaration: Declaration, into out: inout String) {
        switch declaration {
        case .rule(let rule):
            out += "[\"rule\",\(jsonString(rule.name?.name ?? "")),\"\(rule.action.action.rawValue)\","
            encode(rule.condition, into: &out)
            out += "]"
        case .letBinding(let binding):
            out += "[\"let\",\(jsonString(binding.name.name)),"
            encode(binding.value, into: &out)
            out += "]"
        case .score(let score):
            out += "[\"score\",\(jsonString(score.name.name)),\(score.points),"
            encode(score.condition, into: &out)
            out += "]"
        default:
            out += "[\"declaration\"]"
        }
    }

    private static func encode(_ expression: Expr, into out: inout String) {
        switch expression.kind {
        case .int(let value): out += String(value)
        case .double(let value): out += "\(value)"
        case .string(let value): out += jsonString(value)
        case .bool(let value): out += value ? "true" : "false"
        case .duration(let count, let unit): out += "[\"duration\",\(count),\"\(unit.rawValue)\"]"
        case .name(let parts, _): out += "[\"name\"," + parts.map(jsonString).joined(separator: ",") + "]"
        case .listReference(let name): out += "[\"@\",\(jsonString(name))]"
        case .list(let elements, _):
            out += "[\"list\""
            for element in elements { out += ","; encode(element, into: &out) }
            out += "]"
        case .unary(let op, let operand):
            out += "[\"\(op.rawValue)\","
            encode(operand, into: &out)
            out += "]"
        case .binary(let op, let left, let right):
            out += "[\(jsonString(op.rawValue)),"
            encode(left, into: &out)
            out += ","
            encode(right, into: &out)
            out += "]"
        case .conditional(let condition, let whenTrue, let whenFalse):
            out += "[\"?\","
            encode(condition, into: &out); out += ","
            encode(whenTrue, into: &out); out += ","
            encode(whenFalse, into: &out)
            out += "]"
        case .call(let name, let target, let arguments):
            out += "[\"call\",\(jsonString(name))"
            if let target { out += ","; encode(target, into: &out) }
            for argument in arguments { out += ","; encode(argument, into: &out) }
            out += "]"
        case .index(let target, let index):
            out += "[\"index\","
            encode(target, into: &out); out += ","
            encode(index, into: &out)
            out += "]"
        }
    }
}
