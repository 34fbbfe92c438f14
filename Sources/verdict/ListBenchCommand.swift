// `verdict list bench`: list lookup latency on the reference workload (../shared/bench lists and
// events), release build, one thread. For each reference list it imports the list into a fresh
// LMDB directory, checks every event's lookup against the workload's list_hits.csv, and times
// in the same run and the same read transaction:
//   miss   - the events' values that are not on the list (the common case; filter answers);
//   hit    - the list's own entries, shuffled (all hits; filter + LMDB + expiry check);
//   raw    - one plain mdb_get of the same hit keys (the LMDB baseline of the issue);
// plus the renew+reset pair paid once per evaluation.
import ArgumentParser
import Foundation
import VerdictStore

struct ListBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench", abstract: "Benchmark list lookups on the reference workload.")

    @Option(help: "Reference workload directory (default: $VERDICT_WORKLOAD or ./.build-workload).")
    var workload: String?
    @Option(help: "Timed passes per measurement (the median pass is reported).")
    var passes: Int = 5

    /// The reference lists, their kinds (LANGUAGE.md) and the event field each is looked up with.
    static let lists: [(name: String, kind: ListKind, field: String)] = [
        ("blocked_emails", .stringCaseInsensitive, "email"), ("blocked_cards", .string, "card.fingerprint"),
        ("blocked_networks", .ip, "ip"), ("risky_bins", .prefix, "card.bin"),
        ("disposable_domains", .stringCaseInsensitive, "email_domain"), ("vip_customers", .string, "customer.id"),
        ("trusted_customers", .string, "customer.id"),
    ]

    func run() throws {
        let root = workload ?? ProcessInfo.processInfo.environment["VERDICT_WORKLOAD"] ?? ".build-workload"
        guard FileManager.default.fileExists(atPath: root + "/events.ndjson") else {
            throw ValidationError("no reference workload at \(root): run `make workload`")
        }
        let directory = NSTemporaryDirectory() + "verdict-list-bench-\(getpid())"
        try? FileManager.default.removeItem(atPath: directory)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try runStore { try ListStore(directory: directory, create: true) }
        for list in Self.lists {
            try runStore {
                try store.create(list: list.name, kind: list.kind)
                let report = try store.importLines(try readListFile("\(root)/lists/\(list.name).txt"), into: list.name, policy: .reject, addedAt: 0)
                precondition(report.problems.isEmpty)
            }
        }
        let events = try Self.loadEvents(root + "/events.ndjson", fields: Set(Self.lists.map(\.field)))
        let expected = try Self.loadHits(root + "/list_hits.csv", names: Self.lists.map(\.name))
        let reader = store.makeReader()
        let now: Int64 = 1
        print("list lookups, \(events.count) reference events, median of \(passes) passes, one thread, ns per lookup")
        print(String(format: "%-19@ %-10@ %8@ %7@ %7@ %7@ %7@ %6@ %10@", "list", "kind", "entries", "miss", "hit", "raw get", "hit/raw", "misses", "reference"))
        for (column, list) in Self.lists.enumerated() {
            let handle = try runStore { try reader.handle(list.name) }
            try runStore { try reader.renew() }
            // Reference check over every event, and the miss set.
            var misses: [String] = [], mismatches = 0
            for (i, event) in events.enumerated() {
                guard let value = event[list.field] else { continue }
                let hit = try runStore { try reader.contains(handle, value, now: now) }
                if hit != expected[i][column] { mismatches += 1 }
                if !hit { misses.append(value) }
            }
            // Hit set: the list's entries (a value inside each prefix / range), shuffled.
            var hits: [String] = []
            try runStore {
                try store.forEachEntry(in: list.name) { value, _ in
                    switch list.kind {
                    case .prefix: hits.append(value + "0000")
                    case .ip: hits.append(String(value.split(separator: "/")[0]))
                    case .string, .stringCaseInsensitive: hits.append(value)
                    }
                }
            }
            var generator = SystemRandomNumberGenerator()
            hits.shuffle(using: &generator)
            let rawKeys: [[UInt8]] = try hits.map { value in
                guard case let .success(key) = ListStore.key(forEntry: value, kind: list.kind) else { throw ValidationError("bad entry \(value)") }
                return key
            }
            for value in hits where try !runStore({ try reader.contains(handle, value, now: now) }) {
                throw ValidationError("\(list.name): entry-derived value \(value) does not match")
            }
            let miss = try time(misses.count) { i in _ = try reader.contains(handle, misses[i], now: now) }
            let hit = try time(hits.count) { i in _ = try reader.contains(handle, hits[i], now: now) }
            let raw = try time(rawKeys.count) { i in _ = try rawKeys[i].withUnsafeBytes { try reader.rawGet(handle, key: $0) } }
            reader.reset()
            let count = try runStore { try store.count(list.name) }
            print(String(format: "%-19@ %-10@ %8d %7.1f %7.1f %7.1f %6.2fx %6d %10@", list.name, list.kind.description, count,
                         miss, hit, raw, hit / raw, misses.count, mismatches == 0 ? "ok" : "\(mismatches) DIFF"))
            if mismatches != 0 { throw ExitCode(1) }
        }
        let session = try time(100_000) { _ in try reader.renew(); reader.reset() }
        print(String(format: "renew + reset of the read transaction (once per evaluation): %.1f ns", session))
        print("targets: miss <= 50 ns, hit <= 1.3x raw mdb_get")
    }

    /// Median over passes of the mean ns per call of `body(i)` for i in 0..<n (after a warm-up pass).
    func time(_ n: Int, _ body: (Int) throws -> Void) throws -> Double {
        guard n > 0 else { return .nan }
        let rounds = max(1, 200_000 / n)
        var results: [Double] = []
        for pass in 0...passes {
            let start = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<rounds { for i in 0..<n { try runStore { try body(i) } } }
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / Double(n * rounds)
            if pass > 0 { results.append(elapsed) }
        }
        return results.sorted()[results.count / 2]
    }

    /// The looked-up fields of each event (nil when absent or null).
    static func loadEvents(_ path: String, fields: Set<String>) throws -> [[String: String]] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return try text.split(separator: "\n").map { line in
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw ValidationError("events.ndjson: a line is not an object")
            }
            var event: [String: String] = [:]
            for field in fields { if let value = object[field] as? String { event[field] = value } }
            return event
        }
    }

    /// list_hits.csv: per event, 1 / 0 / empty (missing key) per list; empty counts as no hit.
    static func loadHits(_ path: String, names: [String]) throws -> [[Bool]] {
        let rows = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: true)
        let header = rows[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let columns = try names.map { name in
            guard let c = header.firstIndex(of: name) else { throw ValidationError("list_hits.csv has no column \(name)") }
            return c
        }
        return rows.dropFirst().map { row in
            let cells = row.split(separator: ",", omittingEmptySubsequences: false)
            return columns.map { cells[$0] == "1" }
        }
    }
}
