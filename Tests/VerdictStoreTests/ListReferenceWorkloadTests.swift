// The reference workload's lists (../shared/bench/gen_workload.py) imported with their kinds from
// LANGUAGE.md, and every event looked up: the hits must be exactly the workload's
// list_hits.csv (computed there by Python's exact, lower-cased, ipaddress and BIN-prefix rules).
import Foundation
import Testing
@testable import VerdictStore

private let referenceLists: [(name: String, kind: ListKind, field: String)] = [
    ("blocked_emails", .stringCaseInsensitive, "email"), ("blocked_cards", .string, "card.fingerprint"),
    ("blocked_networks", .ip, "ip"), ("risky_bins", .prefix, "card.bin"),
    ("disposable_domains", .stringCaseInsensitive, "email_domain"), ("vip_customers", .string, "customer.id"),
    ("trusted_customers", .string, "customer.id"),
]

/// The string value of `"field":"..."` in one NDJSON line (the workload's values need no escapes).
private func stringField(_ line: Substring, _ field: String) -> Substring? {
    guard let r = line.range(of: "\"\(field)\":\"") else { return nil }
    let rest = line[r.upperBound...]
    return rest[..<(rest.firstIndex(of: "\"") ?? rest.endIndex)]
}

@Test(.enabled(if: referenceWorkload() != nil, "reference workload not generated: run `make workload`"))
func everyListHitOfTheReferenceWorkloadIsReproduced() throws {
    let root = referenceWorkload()!
    let store = try ListStore(directory: makeTemporaryListDirectory("reference"))
    for list in referenceLists {
        try store.create(list: list.name, kind: list.kind)
        let report = try store.importLines(try readListFile("\(root)/lists/\(list.name).txt"), into: list.name, policy: .reject, addedAt: 0)
        #expect(report.problems.isEmpty)
    }
    let events = try String(contentsOfFile: root + "/events.ndjson", encoding: .utf8).split(separator: "\n")
    let hits = try String(contentsOfFile: root + "/list_hits.csv", encoding: .utf8).split(separator: "\n").dropFirst()
    #expect(events.count == hits.count)
    let reader = store.makeReader()
    let handles = try referenceLists.map { try reader.handle($0.name) }
    var mismatches: [String] = [], hitCount = 0
    for (line, row) in zip(events, hits) {
        let expected = row.split(separator: ",", omittingEmptySubsequences: false)
        for (i, list) in referenceLists.enumerated() {
            guard let value = stringField(line, list.field) else { continue }
            let hit = try reader.contains(handles[i], String(value), now: 1)
            hitCount += hit ? 1 : 0
            if hit != (expected[i] == "1") && mismatches.count < 10 { mismatches.append("\(list.name) \(value): \(hit)") }
        }
    }
    #expect(mismatches == [])
    #expect(hitCount > 1000)
}
