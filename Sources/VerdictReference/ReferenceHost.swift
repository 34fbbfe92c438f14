// What the reference evaluator asks of the outside world: list membership, counter reads and model
// predictions. Tests serve precomputed, deterministic answers (`PrecomputedHost`) so that the VM
// (through its own host adapter over the same object) and the reference see identical inputs.
import Foundation
import VerdictLanguage

/// The external lookups of an evaluation. Keys are the canonical bytes the VM's host interface
/// also receives (`ReferenceEvaluator.canonicalBytes`), so one host serves both evaluators.
public protocol ReferenceHost {
    /// `key in @list` (the list's kind decides exact, case-insensitive, CIDR or prefix matching).
    func listContains(_ list: CheckedList, key: [UInt8]) -> Bool
    /// `counter(window)` for a present key: the count or sum (the evaluator converts counts to int).
    func counterRead(_ counter: CheckedCounter, windowSeconds: Int64, key: [UInt8]) -> Double
    /// A model's (output, margin) for its feature vector (missing features are NaN).
    func modelPredict(_ model: CheckedModel, features: [Double]) -> (output: Double, raw: Double)
}

/// A host whose answers are fixed functions of their inputs: list entries given as text, counter
/// values derived from a hash of (counter, window, key), models as a logistic function of a
/// weighted sum. Deterministic across processes, so a failing case reproduces from its seed.
public struct PrecomputedHost: ReferenceHost, Sendable {
    /// Entries per list name, as text (ip lists hold addresses or CIDR networks).
    public var listEntries: [String: [String]]
    /// Mixed into counter values so different programs see different counts.
    public var seed: UInt64

    public init(listEntries: [String: [String]], seed: UInt64) {
        self.listEntries = listEntries
        self.seed = seed
    }

    public func listContains(_ list: CheckedList, key: [UInt8]) -> Bool {
        let entries = listEntries[list.name] ?? []
        switch list.kind {
        case .ip:
            guard let address = PrecomputedHost.address(key) else { return false }
            return entries.contains { IPNetwork($0)?.contains(address) ?? false }
        case .prefix:
            return entries.contains { !$0.isEmpty && key.starts(with: $0.utf8) }
        case .string, .country:
            if list.caseInsensitive {
                let folded = key.map(ReferenceSemantics.lowerASCII)
                return entries.contains { ReferenceSemantics.fold($0) == folded }
            }
            return entries.contains { Array($0.utf8) == key }
        }
    }

    public func counterRead(_ counter: CheckedCounter, windowSeconds: Int64, key: [UInt8]) -> Double {
        var hash = seed ^ 0xCBF2_9CE4_8422_2325
        for byte in Array(counter.name.utf8) + [0] + key { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
        hash = (hash ^ UInt64(bitPattern: windowSeconds)) &* 0x100_0000_01B3
        let small = Double(hash % 40)
        return counter.readType == .double ? small * 12.5 : small
    }

    public func modelPredict(_ model: CheckedModel, features: [Double]) -> (output: Double, raw: Double) {
        var margin = -1.0
        for (index, value) in features.enumerated() where !value.isNaN {
            margin += value * (index % 2 == 0 ? 0.01 : -0.02)
        }
        return (1 / (1 + exp(-margin)), margin)
    }

    /// An address from its 4 or 16 network-order bytes.
    static func address(_ bytes: [UInt8]) -> IPAddress? {
        func word(_ slice: ArraySlice<UInt8>) -> UInt64 { slice.reduce(0) { $0 << 8 | UInt64($1) } }
        switch bytes.count {
        case 4: return IPAddress(high: 0, low: 0x0000_FFFF_0000_0000 | word(bytes[0..<4]), isIPv4: true)
        case 16: return IPAddress(high: word(bytes[0..<8]), low: word(bytes[8..<16]), isIPv4: false)
        default: return nil
        }
    }
}
