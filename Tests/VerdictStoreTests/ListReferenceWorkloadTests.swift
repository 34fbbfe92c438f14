// The reference workload's lists (../shared/bench/gen_workload.py) imported with their kinds from
// LANGUAGE.md, and every event looked up: the hits must be exactly the workload's
// list_hits.csv (computed there by Python's exact, lower-cased, ipaddress and BIN-prefix rules).
import Foundation
import Testing
@testable import VerdictStore

private let referenceLists: [(name: String, kind: ListStoreKind, field: String)] = [
    ("blocked_emails", .stringCaseInsensitive, "email"), ("blocked_cards", .string, "card.fingerprint"),
    ("blocked_networks", .ip, "ip"), ("risky_bins", .prefix, "card.bin"),
    ("disposable_domains", .stringCaseInsensitive, "email_domain"), ("vip_customers", .string, "customer.id"),
    ("trusted_customers", .string, "customer.id"),
]

/// Calls `body(key, value)` for each `"key":"string value"` pair of one flat NDJSON line (the
/// workload's strings need no escapes). Uses memchr so that a debug build stays fast.
private func forEachStringField(_ line: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Void) rethrows {
    guard let base = line.baseAddress else { return }
    let end = base + line.count
    func quote(after p: UnsafeRawPointer) -> UnsafeRawPointer? {
        p < end ? memchr(p, 34, end - p).map { UnsafeRawPointer($0) } : nil
    }
    var p = base
    while let keyOpen = quote(after: p), let keyClose = quote(after: keyOpen + 1) {
        p = keyClose + 1
        guard end - p >= 2, p.load(as: UInt8.self) == 58 else { continue }  // ':'
        guard (p + 1).load(as: UInt8.self) == 34, let valueClose = quote(after: p + 2) else { continue }
        try body(UnsafeRawBufferPointer(start: keyOpen + 1, count: keyClose - keyOpen - 1),
                 UnsafeRawBufferPointer(start: p + 2, count: valueClose - p - 2))
        p = valueClose + 1
    }
}

@Test(.enabled(if: listReferenceWorkload() != nil, "reference workload not generated: run `make workload`"))
func everyListHitOfTheReferenceWorkloadIsReproduced() throws {
    let root = listReferenceWorkload()!
    let store = try ListStore(directory: makeTemporaryListDirectory("reference"))
    for list in referenceLists {
        try store.create(list: list.name, kind: list.kind)
        let report = try store.importLines(try readListFile("\(root)/lists/\(list.name).txt"), into: list.name, policy: .reject, addedAt: 0)
        #expect(report.problems.isEmpty)
    }
    let events = try readListFile(root + "/events.ndjson")
    // list_hits.csv: a header, then per event one cell per list: 1, 0 or empty (no key).
    var hits: [[Bool]] = [], row: [Bool] = [], cell: UInt8 = 0
    for byte in try readListFile(root + "/list_hits.csv").drop(while: { $0 != 10 }).dropFirst() {
        if byte == UInt8(ascii: ",") || byte == 10 { row.append(cell == UInt8(ascii: "1")); cell = 0 } else { cell = byte }
        if byte == 10 { hits.append(row); row = [] }
    }
    let reader = store.makeReader()
    let handles = try referenceLists.map { try reader.handle($0.name) }
    let fields = referenceLists.map { Array($0.field.utf8) }
    var mismatches: [String] = [], hitCount = 0, eventCount = 0
    try events.withUnsafeBytes { all throws in
        var start = 0
        while start < all.count {
            var end = start
            while end < all.count && all[end] != 10 { end += 1 }
            let line = UnsafeRawBufferPointer(rebasing: all[start..<end])
            try forEachStringField(line) { key, value in
                for i in 0..<fields.count where key.count == fields[i].count && memcmp(key.baseAddress!, fields[i], key.count) == 0 {
                    let hit = try reader.contains(handles[i], utf8: value, now: 1)
                    hitCount += hit ? 1 : 0
                    if hit != hits[eventCount][i] && mismatches.count < 10 {
                        mismatches.append("event \(eventCount) \(referenceLists[i].name) \(String(decoding: value, as: UTF8.self)): \(hit)")
                    }
                }
            }
            eventCount += 1
            start = end + 1
        }
    }
    #expect(eventCount == hits.count)
    #expect(mismatches == [])
    #expect(hitCount > 1000)
}
