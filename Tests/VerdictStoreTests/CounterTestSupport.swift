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
