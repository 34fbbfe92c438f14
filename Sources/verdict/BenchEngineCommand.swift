// `verdict bench-engine`: the full pipeline per event on the reference workload — typed setters,
// rules with real LMDB list lookups, counter reads, model predictions, then the counter updates —
// replayed in event order on a fresh counter file. Reports median and p99 per event (per-call
// timestamps minus the timer's own median cost, as ModelBenchmark and the peer harnesses do), in
// fast and trace mode, next to the JSON convenience path and the pipeline without counter updates
// (typed, fast), measured in the same run. The rules-only
// figures (precomputed host) are `verdict bench --rules-only`.
import ArgumentParser
import Foundation
import Verdict
import VerdictLanguage
import VerdictStore
import VerdictVM

struct BenchEngineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-engine",
        abstract: "Benchmark the full pipeline (lists, counters, models, rules) per event (use a release build).")

    @Option(help: "The ruleset (default: Rules/reference).") var rules = "Rules/reference"
    @Option(help: "The reference workload directory (default: $VERDICT_WORKLOAD or .build-workload).") var workload: String?
    @Option(help: "Events replayed (from the start of events.ndjson).") var events = 20_000

    func run() throws {
        let directory = workload ?? ProcessInfo.processInfo.environment["VERDICT_WORKLOAD"] ?? ".build-workload"
        // On tmpfs when there is one: a disk file system adds dirty-page write faults (docs/counters.md).
        let tmp = FileManager.default.fileExists(atPath: "/dev/shm") ? URL(fileURLWithPath: "/dev/shm") : FileManager.default.temporaryDirectory
        let scratch = tmp.appendingPathComponent("verdict-bench-engine-\(getpid())")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }

        // Lists: imported from the workload into a scratch LMDB directory, kinds as declared.
        let checked = Frontend.load(paths: [rules], options: CheckOptions(modelRoots: [directory]))
        guard let ruleset = checked.ruleset, !checked.hasErrors else {
            throw ValidationError("'\(rules)' does not check (run `verdict check \(rules)`)")
        }
        let store = try ListStore(directory: scratch.appendingPathComponent("lists").path, create: true)
        for list in ruleset.lists {
            let kind: ListStoreKind = list.kind == .ip ? .ip : list.kind == .prefix ? .prefix
                : list.caseInsensitive ? .stringCaseInsensitive : .string
            try store.create(list: list.name, kind: kind)
            _ = try store.importLines(try readListFile("\(directory)/lists/\(list.name).txt"), into: list.name,
                                      policy: .skip, addedAt: 0)
        }

        let text = try String(contentsOfFile: directory + "/events.ndjson", encoding: .utf8)
        let lines = text.split(separator: "\n", maxSplits: events, omittingEmptySubsequences: true).prefix(events).map(String.init)
        print("bench-engine: \(lines.count) events, \(ruleset.rules.count) rules, \(ruleset.lists.count) lists, "
              + "\(ruleset.counters.count) counters, \(ruleset.models.count) models")

        // Events decoded once into typed values (the typed path sets them by index).
        let decoder = try Engine(rules: rules, lists: store.path, counters: scratch.appendingPathComponent("decode.vct").path,
                                 options: EngineOptions(modelRoots: [directory])).makeSession()
        let fieldCount = decoder.engine.program.contents.fields.count
        var typed: [[(Int, VerdictVM.Value)]] = []
        for line in lines {
            try decoder.setJSON(line)
            typed.append((0..<fieldCount).compactMap { f in
                let v = decoder.request.value(ofRegister: f)
                if case .missing = v { return nil }
                return (f, v)
            })
        }

        var results: [(String, Stats)] = []
        for (name, mode, json, record) in [("typed, fast", EvaluationMode.fast, false, true), ("typed, trace", .trace, false, true),
                                           ("json, fast", .fast, true, true), ("no updates", .fast, false, false)] {
            let engine = try Engine(rules: rules, lists: store.path, counters: scratch.appendingPathComponent("\(name).vct").path,
                                    options: EngineOptions(modelRoots: [directory]))
            let session = engine.makeSession()
            var latencies = [UInt64](repeating: 0, count: lines.count)
            var sink = 0
            for i in 0..<lines.count {
                let begin = Self.now()
                if json {
                    try session.setJSON(lines[i])
                } else {
                    session.reset()
                    for (f, v) in typed[i] { try? session.request.set(f, value: v) }
                }
                sink &+= Int(session.evaluate(mode: mode, record: record).action.rawValue)
                latencies[i] = Self.now() - begin
            }
            if sink < 0 { print("") }
            results.append((name, Stats(latencies)))
        }
        let base = results[0].1.p50
        for (name, s) in results {
            print("  \(name.padding(toLength: 12, withPad: " ", startingAt: 0)) median \(Int(s.p50)) ns  p99 \(Int(s.p99)) ns"
                  + String(format: "  (%.2fx typed fast median)", s.p50 / max(base, 1)))
        }
    }

    @inline(__always) static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }

    struct Stats {
        var p50: Double
        var p99: Double
        init(_ latencies: [UInt64]) {
            var overhead = [UInt64](repeating: 0, count: 100_001)
            for i in overhead.indices { let start = BenchEngineCommand.now(); overhead[i] = BenchEngineCommand.now() - start }
            overhead.sort()
            let timer = Double(overhead[overhead.count / 2])
            let sorted = latencies.sorted()
            func q(_ p: Double) -> Double { sorted.isEmpty ? 0 : max(0, Double(sorted[Int(p * Double(sorted.count - 1))]) - timer) }
            p50 = q(0.5); p99 = q(0.99)
        }
    }
}
