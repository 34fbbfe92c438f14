// What the reference evaluator asks of the outside world: list membership, counter reads and model
// predictions. Tests serve precomputed, deterministic answers (`PrecomputedHost`) so that the VM
// (through its own host adapter over the same object) and the reference see identical inputs.
import Foundation
import VerdictLanguage

/// The external lookups of an evaluation.
public protocol ReferenceHost {
    /// `value in @list` (the list's kind decides exact, case-insensitive, CIDR or prefix matching).
    func listContains(_ list: CheckedList, _ value: ReferenceValue) -> Bool
    /// `counter(window)` for a present key: count/distinct as `.int`, sums as `.int` or `.double`
    /// according to `counter.readType`.
    func counterRead(_ counter: CheckedCounter, key: ReferenceValue, windowSeconds: Int64) -> ReferenceValue
    /// A model's (output, margin) for its feature vector (missing features are NaN).
    func modelPredict(_ model: CheckedModel, features: [Double]) -> (output: Double, raw: Double)
}

/// A host whose answers are fixed functions of their inputs: list entries given as sets, counter
/// values derived from a hash of (counter, key, window), models as a logistic function of a
/// weighted sum. Deterministic across processes, so a failing case reproduces from its seed.
public struct PrecomputedHost: ReferenceHost, Sendable {
    /// Entries per list name, as text (ip lists hold addresses or CIDR networks).
    public var listEntries: [String: [String]]
    /// Mixed into counter values so different test cases see different counts.
    public var seed: UInt64

    public init(listEntries: [String: [String]], seed: UInt64) {
        self.listEntries = listEntries
        self.seed = seed
    }

    public func listContains(_ list: CheckedList, _ value: ReferenceValue) -> Bool {
        let entries = listEntries[list.name] ?? []
        switch (list.kind, value) {
        case (.ip, .ip(let address)):
            return entries.contains { IPNetwork($0)?.contains(address) ?? false }
        case (.prefix, .string(let s)):
            return entries.contains { !$0.isEmpty && s.utf8.starts(with: $0.utf8) }
        case (_, .string(let s)):
            if list.caseInsensitive { return entries.contains { $0.lowercased() == s.lowercased() } }
            return entries.contains { Array($0.utf8) == Array(s.utf8) }
        default:
            return false
        }
    }

    public func counterRead(_ counter: CheckedCounter, key: ReferenceValue, windowSeconds: Int64) -> ReferenceValue {
        var hash = seed ^ 0x9E37_79B9_7F4A_7C15
        for byte in "\(counter.name)|\(key)|\(windowSeconds)".utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
        let small = Int64(hash % 40)
        if counter.readType == .double { return .double(Double(small) * 12.5) }
        return .int(small)
    }

    public func modelPredict(_ model: CheckedModel, features: [Double]) -> (output: Double, raw: Double) {
        var margin = -1.0
        for (index, value) in features.enumerated() where !value.isNaN {
            margin += value * (index % 2 == 0 ? 0.01 : -0.02)
        }
        return (1 / (1 + exp(-margin)), margin)
    }
}
