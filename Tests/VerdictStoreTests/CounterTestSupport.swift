// Helpers shared by the counter tests: scratch file paths and the reference counters of
// ../shared/bench/reference.rules.
import Foundation
import Testing
@testable import VerdictStore

/// A fresh path in a new temporary directory (removed by the caller's `defer`).
func scratchCounterPath(_ name: String = "counters.vct") -> (path: String, directory: URL) {
    let directory = FileManager.default.temporaryDirectory
        .appendingPathComponent("verdict-counter-tests-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    return (directory.appendingPathComponent(name).path, directory)
}

/// 2026-10-01T00:00:00Z, a multiple of every bucket width: the start of hand-made events.
let t0: Int64 = 1_790_812_800

/// A new table of these counter declarations in a new temporary directory (removed by the
/// caller's `defer`).
func scratchCounterTable(_ declarations: [String], slots: Int = 64) throws -> (CounterTable, URL) {
    let (path, directory) = scratchCounterPath()
    let definitions = try declarations.map { try CounterDefinition(declaration: $0) }
    return (try CounterTable.create(path: path, definitions: definitions, slotsPerGroup: slots), directory)
}

/// The six counters of the reference ruleset.
let referenceCounterDeclarations = [
    "counter attempts_per_card  by card.fingerprint                    retain 7d",
    "counter attempts_per_ip    by ip                                  retain 1d",
    "counter usd_per_email      by email  sum amount_usd               retain 30d",
    "counter cards_per_email    by email  distinct card.fingerprint    retain 30d",
    "counter cards_per_ip       by ip     distinct card.fingerprint    retain 1d",
    "counter blocks_per_card    by card.fingerprint  when verdict == block  retain 7d",
]

func referenceCounterDefinitions() throws -> [CounterDefinition] {
    try referenceCounterDeclarations.map { try CounterDefinition(declaration: $0) }
}

/// Checks the bound reads rely on (docs/counters.md): in every slot holding a key, no ring cell
/// holds a bucket that starts after the end of the slot's minute of last update, and no distinct
/// entry a time after it. Returns the number of slots, cells and entries in use that were checked.
@discardableResult
func expectNoCellAfterTheLastUpdate(_ table: CounterTable) -> Int {
    var checked = 0
    for g in table.layout.groups.indices {
        let plan = table.groupPlans[g]
        for index in 0..<table.slotsPerGroup {
            let slot = UnsafeRawPointer(plan.slot(index))
            guard slot.load(as: UInt64.self) != 0 else { continue }
            checked += 1
            let end = (Int64(lastUpdateMinute(plan.slot(index)).pointee.load(ordering: .relaxed)) + 1) * 60
            for c in table.layout.groups[g].counters {
                let placement = table.layout.counters[c]
                let cells = slot + placement.offset
                if placement.levels.isEmpty {
                    for e in 0..<CounterTable.distinctCap {
                        let word = cells.load(fromByteOffset: 8 + 8 * e, as: UInt64.self)
                        guard word != 0 else { continue }
                        checked += 1
                        #expect(Int64(UInt32(truncatingIfNeeded: word)) < end, "counter \(c), slot \(index), entry \(e)")
                    }
                }
                for level in placement.levels {
                    for b in 0..<level.buckets {
                        let epoch = cells.load(fromByteOffset: level.offset + 8 * b, as: UInt64.self) >> 32
                        guard epoch != 0 else { continue }
                        checked += 1
                        #expect(Int64(epoch - 1) * level.resolution < end, "counter \(c), slot \(index), cell \(b)")
                    }
                }
            }
        }
    }
    return checked
}
