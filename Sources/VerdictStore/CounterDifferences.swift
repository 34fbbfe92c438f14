// How two lists of counter definitions differ, counter by counter, in words: the reason a counter
// file is refused when it was made for other counters (`CounterError.definitionsMismatch`), and
// what `verdict counters migrate` reports it changed. Pure, no I/O.

/// The differences between the counters of a file and the counters wanted, one phrase each,
/// e.g. `counter 'usd_per_email': bucket 1m in the file, 1h wanted`. Empty when they are equal.
public func counterDifferences(file: [CounterDefinition], wanted: [CounterDefinition]) -> [String] {
    var result: [String] = []
    for want in wanted {
        guard let have = file.first(where: { $0.name == want.name }) else {
            result.append("counter '\(want.name)' is not in the file (wanted: \(want.declaration))")
            continue
        }
        var changes: [String] = []
        if have.key != want.key { changes.append("key \(have.key) in the file, \(want.key) wanted") }
        if have.aggregate != want.aggregate {
            changes.append("aggregate \(have.aggregate.text) in the file, \(want.aggregate.text) wanted")
        }
        if have.retain != want.retain {
            changes.append("retain \(formatCounterDuration(have.retain)) in the file, \(formatCounterDuration(want.retain)) wanted")
        }
        if have.bucket != want.bucket {
            changes.append("bucket \(formatCounterDuration(have.bucket)) in the file, \(formatCounterDuration(want.bucket)) wanted")
        }
        if !changes.isEmpty { result.append("counter '\(want.name)': " + changes.joined(separator: ", ")) }
    }
    for have in file where !wanted.contains(where: { $0.name == have.name }) {
        result.append("counter '\(have.name)' is in the file but not wanted")
    }
    if result.isEmpty && file != wanted {
        result.append("the same counters in another order (file: \(file.map(\.name).joined(separator: ", ")); "
                      + "wanted: \(wanted.map(\.name).joined(separator: ", ")))")
    }
    return result
}
