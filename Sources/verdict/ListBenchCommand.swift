// `verdict list bench`: list lookup latency on the reference workload (../shared/bench lists and
// events), release build, one thread. For each reference list it imports the list into a fresh
// LMDB directory, checks every event's lookup against the workload's list_hits.csv, and times
// in the same run and the same read transaction:
//   miss   - the events' values that are not on the list (the common case; filter answers);
//   hit    - the list's own entries, shuffled (all hits; filter + LMDB + expiry check);
//   raw    - one plain mdb_get of the key of the entry each hit matches (the LMDB baseline
//            of the issue: the one successful get a hit needs, without filter or expiry check);
// plus the renew+reset pair paid once per evaluation. Values are passed as the engine passes
// them (SessionHost.swift): UTF-8 bytes, and for ip lists the address's 4 or 16 bytes (the VM
// holds addresses as bytes, converted from text once when the request is filled); the ip text
// path (`contains(_:utf8:)`, used by `verdict list check`) is timed on a line of its own.
import ArgumentParser
import Foundation
import VerdictStore

struct ListBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench", abstract: "Benchmark list lookups on the reference workload.")

    @Option(help: "Reference workload directory (default: $VERDICT_WORKLOAD or ./.build-workload).")
    var workload: String?
    @Option(help: "Timed passes per measurement (the median pass is reported).")
    var passes: Int = 7
    @Option(help: "Time only this list (the reference check still covers it).")
    var only: String?

    /// The reference lists, their kinds (LANGUAGE.md) and the event field each is looked up with.
    static let lists: [(name: String, kind: ListStoreKind, field: String)] = [
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
        print("list lookups, \(events.count) reference events, median of \(passes) passes, one thread, ns of thread CPU time per lookup")
        print("ip lists: address bytes as the engine passes them")
        print("list".padding(19) + "kind".padding(11) + "entries".padding(8, left: true) + "miss".padding(8, left: true) + "hit".padding(8, left: true) + "raw get".padding(9, left: true) + "hit/raw".padding(9, left: true) + "misses".padding(8, left: true) + "  reference")
        var textLines: [String] = []
        for (column, list) in Self.lists.enumerated() where only == nil || only == list.name {
            let handle = try runStore { try reader.handle(list.name) }
            try runStore { try reader.renew() }
            // Reference check over every event, and the miss set.
            var misses: [String] = [], mismatches = 0
            for (i, event) in events.enumerated() {
                guard let value = event[list.field] else { continue }
                let hit = try runStore { try reader.contains(handle, value, now: now) }
                if hit != expected[i][column] { mismatches += 1 }
                if list.kind == .ip {  // the engine's path gives the same answer
                    let viaBytes = try runStore { try Self.addressBytes(value).withUnsafeBytes { bytes in
                        try reader.contains(handle, ipBytes: bytes, now: now)
                    } }
                    if viaBytes != hit { mismatches += 1 }
                }
                if !hit { misses.append(value) }
            }
            // Hit set: the list's entries (a value inside each prefix / range), shuffled, each
            // with the entry it matches. The raw get fetches that entry's key: the one successful
            // mdb_get a hit needs (for a prefix or range, the value itself is not a key).
            var pairs: [(value: String, entry: String)] = []
            try runStore {
                try store.forEachEntry(in: list.name) { entry, _ in
                    switch list.kind {
                    case .prefix: pairs.append((entry + "0000", entry))
                    case .ip: pairs.append((String(entry.split(separator: "/")[0]), entry))
                    case .string, .stringCaseInsensitive: pairs.append((entry, entry))
                    }
                }
            }
            var generator = SystemRandomNumberGenerator()
            pairs.shuffle(using: &generator)
            let hits = pairs.map(\.value)
            let rawKeys = QueryArena(try pairs.map { pair in
                guard case let .success(key) = ListStore.key(forEntry: pair.entry, kind: list.kind) else { throw ListCommandError(description: "bad entry \(pair.entry)") }
                return key
            })
            for value in hits where try !runStore({ try reader.contains(handle, value, now: now) }) {
                throw ListCommandError(description: "\(list.name): entry-derived value \(value) does not match")
            }
            // Timed loops read values from one byte arena, as the engine reads a request's fields.
            let missArena = QueryArena(misses.map { Array($0.utf8) }), hitArena = QueryArena(hits.map { Array($0.utf8) })
            let miss: Double, hit: Double, raw: Double, ratio: Double
            // Hits and raw gets alternate pass by pass; the ratio is the median of the per-pass
            // ratios, so that load changes on a shared machine hit both sides alike.
            if list.kind == .ip {
                let missBytes = QueryArena(misses.map(Self.addressBytes)), hitBytes = QueryArena(hits.map(Self.addressBytes))
                miss = time(missBytes) { (try? reader.contains(handle, ipBytes: $0, now: now)) == true }
                (hit, raw, ratio) = timePair(hitBytes, { (try? reader.contains(handle, ipBytes: $0, now: now)) == true },
                                             rawKeys, { (try? reader.rawGet(handle, key: $0)) == true })
                let textMiss = time(missArena) { (try? reader.contains(handle, utf8: $0, now: now)) == true }
                let (textHit, textRaw, textRatio) = timePair(hitArena, { (try? reader.contains(handle, utf8: $0, now: now)) == true },
                                                             rawKeys, { (try? reader.rawGet(handle, key: $0)) == true })
                let parse = time(missArena) { ListIPAddressText.parseAddress($0) != nil }
                textLines.append(list.name + String(format: " from text (as `list check`): miss %.1f ns, hit %.1f ns, raw get %.1f ns, hit/raw %.2fx; text parse alone %.1f ns",
                                                    textMiss, textHit, textRaw, textRatio, parse))
            } else {
                miss = time(missArena) { (try? reader.contains(handle, utf8: $0, now: now)) == true }
                (hit, raw, ratio) = timePair(hitArena, { (try? reader.contains(handle, utf8: $0, now: now)) == true },
                                             rawKeys, { (try? reader.rawGet(handle, key: $0)) == true })
            }
            reader.reset()
            let count = try runStore { try store.count(list.name) }
            print(list.name.padding(19) + list.kind.description.padding(11) + "\(count)".padding(8, left: true)
                  + String(format: "%8.1f%8.1f%9.1f%8.2fx", miss, hit, raw, ratio) + "\(misses.count)".padding(8, left: true)
                  + "  " + (mismatches == 0 ? "ok" : "\(mismatches) DIFF"))
            if mismatches != 0 { throw ExitCode(1) }
        }
        for line in textLines { print(line) }
        let sessions = QueryArena([[0]])
        let session = time(sessions) { _ in (try? reader.renew()) != nil && { reader.reset(); return true }() }
        print(String(format: "renew + reset of the read transaction (once per evaluation): %.1f ns", session))
        print("targets: miss <= 50 ns, hit <= 1.3x raw mdb_get")
    }

    /// An address's bytes as the engine's request holds them (`inet_pton`: 4 bytes for dotted
    /// IPv4 text, 16 for IPv6 text); empty for text that is not an address.
    static func addressBytes(_ text: String) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: 16)
        if inet_pton(AF_INET, text, &buffer) == 1 { return Array(buffer[0..<4]) }
        if inet_pton(AF_INET6, text, &buffer) == 1 { return buffer }
        return []
    }

    /// Median over passes of the mean ns per call of `body` over the arena's values (after a
    /// warm-up pass); each pass makes at least 200,000 calls. Time is this thread's CPU time
    /// (CLOCK_THREAD_CPUTIME_ID), so that time spent descheduled on a shared machine is not
    /// counted.
    func time(_ arena: QueryArena, _ body: (UnsafeRawBufferPointer) -> Bool) -> Double {
        var results: [Double] = []
        for pass in 0...passes {
            let t = onePass(arena, body)
            if pass > 0 { results.append(t) }
        }
        return median(results)
    }

    /// Like `time` for two loops run alternately; returns both medians and the median ratio a/b.
    func timePair(_ a: QueryArena, _ bodyA: (UnsafeRawBufferPointer) -> Bool,
                  _ b: QueryArena, _ bodyB: (UnsafeRawBufferPointer) -> Bool) -> (Double, Double, Double) {
        var ta: [Double] = [], tb: [Double] = [], ratios: [Double] = []
        for pass in 0...passes {
            let x = onePass(a, bodyA), y = onePass(b, bodyB)
            if pass > 0 { ta.append(x); tb.append(y); ratios.append(x / y) }
        }
        return (median(ta), median(tb), median(ratios))
    }

    func median(_ values: [Double]) -> Double { values.isEmpty ? .nan : values.sorted()[values.count / 2] }

    /// Mean thread-CPU ns per call over at least 200,000 calls. Counts true results so the
    /// calls cannot be optimized away.
    func onePass(_ arena: QueryArena, _ body: (UnsafeRawBufferPointer) -> Bool) -> Double {
        let n = arena.count
        guard n > 0 else { return .nan }
        let rounds = max(1, 200_000 / n)
        var truths = 0
        let start = Self.threadCPUTime()
        arena.bytes.withUnsafeBytes { all in
            for _ in 0..<rounds {
                for i in 0..<n where body(UnsafeRawBufferPointer(rebasing: all[arena.offsets[i]..<arena.offsets[i + 1]])) { truths += 1 }
            }
        }
        let elapsed = Double(Self.threadCPUTime() - start) / Double(n * rounds)
        if truths < 0 { print(truths) }
        return elapsed
    }

    static func threadCPUTime() -> UInt64 {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return UInt64(t.tv_sec) * 1_000_000_000 + UInt64(t.tv_nsec)
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

/// Query values packed in one byte buffer (offsets[i]..<offsets[i+1] is value i).
struct QueryArena {
    var bytes: [UInt8] = []
    var offsets: [Int] = [0]
    var count: Int { offsets.count - 1 }

    init(_ values: [[UInt8]]) {
        for value in values { bytes += value; offsets.append(bytes.count) }
    }
}

extension String {
    /// The string padded with spaces to `width` (on the left if `left`).
    func padding(_ width: Int, left: Bool = false) -> String {
        let pad = String(repeating: " ", count: max(0, width - count))
        return left ? pad + self : self + pad
    }
}
