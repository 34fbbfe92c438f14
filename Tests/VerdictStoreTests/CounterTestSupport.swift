// Helpers shared by the counter tests: scratch file paths and the reference counters of
// ../shared/bench/reference.rules.
import Foundation
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
