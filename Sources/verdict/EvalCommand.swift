// `verdict eval`: loads a ruleset with its lists, counters and models into an `Engine` and prints
// one verdict per event (a JSON object per line of an NDJSON file, or one JSON object on stdin):
// action, deciding rule, score, fired rules (shadow / not enforced marked), missing and error
// rules, ruleset version. Events are recorded into the counters unless --no-record.
import ArgumentParser
import Foundation
import Verdict
import VerdictVM

struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate events against a ruleset with its lists, counters and models.",
        discussion: """
            Each event is a JSON object of field values ({"amount_usd": 12.5, "ip": "192.0.2.1", ...});
            keys that are not fields are ignored. The event time is the `now` key, else the first
            timestamp field of the schema. The counter file is created when absent.
            """)

    @Argument(help: "The ruleset: a directory of .rules files (or one file).") var rules: String
    @Option(help: "The LMDB lists directory (required when the ruleset declares lists).") var lists: String?
    @Option(help: "The counter file (created when absent; required when the ruleset declares counters).") var counters: String?
    @Option(help: "An NDJSON file of events (default: one JSON object on stdin).") var events: String?
    @Option(name: .customLong("model-root"), help: "Another directory to look for model files in (repeatable).")
    var modelRoots: [String] = []
    @Flag(help: "Evaluate every rule, including shadow rules and rules after the decision.") var trace = false
    @Flag(help: "Print one JSON object per event.") var json = false
    @Flag(name: .customLong("no-record"), help: "Do not record the events into the counters.") var noRecord = false

    func run() throws {
        let engine: Engine
        do {
            engine = try Engine(rules: rules, lists: lists, counters: counters,
                                options: EngineOptions(modelRoots: modelRoots + CheckCommand.defaultModelRoots()))
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode.failure
        }
        let session = engine.makeSession()
        let inputs: [Substring]
        if let events {
            guard let text = try? String(contentsOfFile: events, encoding: .utf8) else {
                throw ValidationError("cannot read events file '\(events)'")
            }
            inputs = text.split(separator: "\n").filter { !$0.allSatisfy(\.isWhitespace) }
        } else {
            let data = FileHandle.standardInput.readDataToEndOfFile()
            inputs = [Substring(String(decoding: data, as: UTF8.self))]
        }
        var failed = 0
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        for (index, input) in inputs.enumerated() {
            do {
                try session.setJSON(String(input))
            } catch {
                failed += 1
                FileHandle.standardError.write(Data("event \(index): error: \(error)\n".utf8))
                continue
            }
            let verdict = session.evaluate(mode: trace ? .trace : .fast, record: !noRecord)
            let report = session.report(verdict)
            if json {
                let line = try encoder.encode(EvalOutput(event: index, report))
                print(String(decoding: line, as: UTF8.self))
            } else {
                print(EvalCommand.text(index, report))
            }
        }
        if failed > 0 { throw ExitCode.failure }
    }

    static func text(_ index: Int, _ r: VerdictReport) -> String {
        var parts = ["event \(index): \(r.action)"]
        if let rule = r.decidingRule { parts.append("rule=\(rule)") }
        parts.append("score=\(r.score)")
        if r.challenge { parts.append("challenge") }
        if !r.fired.isEmpty {
            parts.append("fired=" + r.fired.map { f in f.shadow ? "\(f.name)(shadow)" : f.enforced ? f.name : "\(f.name)(not enforced)" }
                .joined(separator: ","))
        }
        if !r.missing.isEmpty { parts.append("missing=" + r.missing.joined(separator: ",")) }
        if !r.errors.isEmpty { parts.append("errors=" + r.errors.joined(separator: ",")) }
        parts.append("version=\(r.rulesetVersion)")
        return parts.joined(separator: " ")
    }
}

/// The JSON form of one verdict.
private struct EvalOutput: Encodable {
    struct Fired: Encodable {
        var name: String
        var action: String
        var enforced: Bool
        var shadow: Bool
    }
    var event: Int
    var action: String
    var rule: String?
    var score: Int64
    var challenge: Bool
    var fired: [Fired]
    var missing: [String]
    var errors: [String]
    var version: String

    init(event: Int, _ r: VerdictReport) {
        self.event = event
        action = r.action.description
        rule = r.decidingRule
        score = r.score
        challenge = r.challenge
        fired = r.fired.map { Fired(name: $0.name, action: $0.action.description, enforced: $0.enforced, shadow: $0.shadow) }
        missing = r.missing
        errors = r.errors
        version = r.rulesetVersion
    }
}
