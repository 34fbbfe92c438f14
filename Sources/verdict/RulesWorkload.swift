// The rules-only benchmark's input: the reference workload's events (fields set on the request),
// the precomputed list hits, counter reads, model outputs and oracle verdicts that
// ../shared/bench/peers/prep.py wrote for the peer harnesses, and the host that serves those
// precomputed values to the VM, so Verdict and the C/Lua/LuaJIT harnesses evaluate the same rules
// over the same inputs.
import Foundation
import VerdictVM

/// One prepared event: its field values and the precomputed host answers.
struct PreparedEvent {
    var fields: [(Int, Value)]
}

/// The oracle's verdict (prep.py's Python evaluation of reference.rules).
struct ExpectedVerdict {
    var action: Int, decider: Int, score: Int64, challenge: Bool, mask: UInt64
}

/// Precomputed host answers for all events, flat, read by the C-convention host callbacks.
final class PrecomputedHost {
    static let listColumns = ["blocked_emails", "blocked_cards", "blocked_networks", "risky_bins", "disposable_domains",
                              "vip_customers", "trusted_customers"]
    static let counterColumns: [(name: String, window: Int64)] = [
        ("attempts_per_card", 3600), ("attempts_per_card", 86400), ("attempts_per_ip", 3600), ("cards_per_ip", 3600),
        ("cards_per_email", 86400), ("usd_per_email", 86400), ("blocks_per_card", 604800)]
    static let modelColumns = ["fraud_gbdt", "fraud_lgbm", "chargeback_lr"]

    var lists: [Int32] = []        // n * 7: 1, 0, or -1 (key missing)
    var counters: [Double] = []    // n * 7, NaN = missing
    var models: [Double] = []      // n * 3, NaN = missing
    var current = 0
    /// program list index -> column; program counter read index -> column; program model -> column.
    var listColumn: [Int] = []
    var readColumn: [Int] = []
    var modelColumn: [Int] = []

    func bind(to program: Program) throws {
        let p = program.contents
        listColumn = try p.lists.map { list in
            guard let c = PrecomputedHost.listColumns.firstIndex(of: list.name) else { throw BenchError("no precomputed list \(list.name)") }
            return c
        }
        // Resolved once per program, like a real host resolving its counter table at bind time:
        // a batch's reads are then indexed by the read index the VM passes.
        readColumn = try p.counterReads.map { read in
            let name = p.counters[Int(read.counter)].name
            guard let c = PrecomputedHost.counterColumns.firstIndex(where: { $0.name == name && $0.window == read.windowSeconds }) else {
                throw BenchError("no precomputed counter \(name)(\(read.windowSeconds)s)")
            }
            return c
        }
        modelColumn = try p.models.map { m in
            guard let c = PrecomputedHost.modelColumns.firstIndex(of: m.name) else { throw BenchError("no precomputed model \(m.name)") }
            return c
        }
    }

    /// What the host callbacks read: raw pointers only (no class, no array, no ARC in a call), as
    /// close as Swift gets to the C harness reading its precomputed struct fields.
    struct State {
        var current: Int
        var lists: UnsafeMutablePointer<Int32>
        var counters: UnsafeMutablePointer<Double>
        var models: UnsafeMutablePointer<Double>
        /// The margins (logits) of `models`, precomputed.
        var margins: UnsafeMutablePointer<Double>
        var listColumn: UnsafeMutablePointer<Int>
        var modelColumn: UnsafeMutablePointer<Int>
        /// Per program counter read: its precomputed column.
        var readColumn: UnsafeMutablePointer<Int>
    }

    private(set) var state: UnsafeMutablePointer<State>? = nil

    /// Selects the event whose precomputed answers the host serves.
    @inline(__always) func select(_ event: Int) { state!.pointee.current = event }

    /// Copies the tables into raw memory (call after `bind`).
    func freeze() {
        func copy<T>(_ a: [T]) -> UnsafeMutablePointer<T> {
            let p = UnsafeMutablePointer<T>.allocate(capacity: max(1, a.count))
            p.initialize(from: a, count: a.count)
            return p
        }
        let s = UnsafeMutablePointer<State>.allocate(capacity: 1)
        s.initialize(to: State(current: 0, lists: copy(lists), counters: copy(counters), models: copy(models),
                               margins: copy(models.map { log($0 / (1 - $0)) }), listColumn: copy(listColumn), modelColumn: copy(modelColumn),
                               readColumn: copy(readColumn)))
        state = s
    }

    var host: VerdictVM.Host {
        VerdictVM.Host(
            context: UnsafeMutableRawPointer(state!),
            list: { context, list, _, _ in
                let s = context!.assumingMemoryBound(to: State.self)
                return s.pointee.lists[s.pointee.current &* 7 &+ s.pointee.listColumn[Int(list)]]
            },
            counter: { context, first, _, _, count, _, _, out in
                let s = context!.assumingMemoryBound(to: State.self).pointee
                let row = s.counters + s.current &* 7
                let columns = s.readColumn + Int(first)
                var missing = false
                for i in 0..<count {
                    let v = row[columns[i]]
                    missing = missing || v.isNaN
                    out[i] = v
                }
                // prep.py leaves a counter empty only when its key is missing (then so is every
                // counter of the key).
                return missing ? HostStatus.missing : HostStatus.value
            },
            // Serves prep.py's precomputed output without reading the features, as the peer
            // harnesses do (real hosts gather them: SessionHost, VMHostAdapter).
            model: { context, model, _, out in
                let s = context!.assumingMemoryBound(to: State.self)
                let v = s.pointee.models[s.pointee.current &* 3 &+ s.pointee.modelColumn[Int(model)]]
                if v.isNaN { return HostStatus.missing }
                out[0] = v
                out[1] = s.pointee.margins[s.pointee.current &* 3 &+ s.pointee.modelColumn[Int(model)]]
                return HostStatus.value
            })
    }
}

extension RulesWorkload {
    /// Calls `body` with lines `skip ..< skip+limit` of a file (without the newline).
    static func forEachLine(_ path: String, skip: Int, limit: Int, _ body: (ArraySlice<UInt8>) throws -> Void) throws {
        guard let bytes = FileBytes.read(path) else { throw BenchError("cannot read \(path)") }
        var index = 0, start = 0
        while start < bytes.count && index - skip < limit {
            let end = bytes[start...].firstIndex(of: 10) ?? bytes.count
            if index >= skip { try body(bytes[start..<end]) }
            index += 1
            start = end + 1
        }
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// Loads the prepared data and the events it was made from.
struct RulesWorkload {
    var events: [PreparedEvent] = []
    var expected: [ExpectedVerdict] = []
    let host = PrecomputedHost()

    /// `data`: prep.py's output directory; `eventsFile`: the workload's events.ndjson; `first`: the
    /// first event prep.py used (its --first, default 100000).
    init(data: String, eventsFile: String, first: Int, limit: Int?, program: Program) throws {
        let wanted = limit ?? Int.max
        try RulesWorkload.forEachLine(data + "/rules_in.tsv", skip: 1, limit: wanted) { line in
            let cols = line.split(separator: UInt8(ascii: "\t"), omittingEmptySubsequences: false)
            guard cols.count == 38 else { throw BenchError("rules_in.tsv: \(cols.count) columns") }
            func number(_ c: ArraySlice<UInt8>) -> Double { Double(String(decoding: c, as: UTF8.self)) ?? .nan }
            for k in 0..<7 { host.lists.append(cols[20 + k].isEmpty ? -1 : (cols[20 + k].first == UInt8(ascii: "1") ? 1 : 0)) }
            for k in 0..<7 { host.counters.append(number(cols[27 + k])) }
            for k in 0..<3 { host.models.append(number(cols[34 + k])) }
        }
        try RulesWorkload.forEachLine(data + "/rules_expected.tsv", skip: 1, limit: wanted) { line in
            let c = String(decoding: line, as: UTF8.self).split(separator: "\t").map { String($0) }
            guard c.count == 5, let action = Int(c[0]), let decider = Int(c[1]), let score = Int64(c[2]), let mask = UInt64(c[4]) else {
                throw BenchError("bad rules_expected.tsv line")
            }
            expected.append(ExpectedVerdict(action: action, decider: decider, score: score, challenge: c[3] == "1", mask: mask))
        }
        try host.bind(to: program)
        host.freeze()
        if let limit, limit < expected.count { expected.removeLast(expected.count - limit) }
        let n = expected.count
        guard host.models.count >= n * 3 else { throw BenchError("rules_in.tsv and rules_expected.tsv disagree") }
        let fields = program.fields
        let nowField = program.fieldIndex(named: "now")
        var parsed: [PreparedEvent] = []
        try RulesWorkload.forEachLine(eventsFile, skip: first, limit: n) { line in
            guard let object = try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else { throw BenchError("bad event line") }
            var values: [(Int, Value)] = []
            for (i, field) in fields.enumerated() {
                guard let raw = object[field.name] else { continue }
                switch field.type {
                case .int: if let v = raw as? NSNumber { values.append((i, .int(v.int64Value))) }
                case .double: if let v = raw as? NSNumber { values.append((i, .double(v.doubleValue))) }
                case .bool: if let v = raw as? Bool { values.append((i, .bool(v))) }
                case .string: if let v = raw as? String { values.append((i, .string(v))) }
                case .ip: if let v = raw as? String, let a = IPAddress(v) { values.append((i, .ip(a))) }
                case .network: break
                }
            }
            if let nowField, let t = object["created_at"] as? NSNumber { values.append((nowField, .int(t.int64Value))) }
            parsed.append(PreparedEvent(fields: values))
        }
        events = parsed
        guard events.count == n else { throw BenchError("events.ndjson has \(events.count) events from \(first), expected \(n)") }
    }
}
