// Migrating a counter file to other counter definitions (`verdict counters migrate`, the way out
// of `CounterError.definitionsMismatch`): every key of the old file is given a slot in a new,
// empty table, and the data of every counter present in both (same name, key expression and
// aggregate) is copied ring by ring. Rings of the same bucket width are copied cell by cell by
// their bucket numbers (so a ring of another length gets the buckets it can hold); rings the old
// counter did not have start empty. What readings look like afterwards: docs/counters.md.

/// What `CounterTable.copyCounts(from:)` carried over.
public struct CounterMigrationReport: Equatable, Sendable {
    /// Counters whose data was copied (present in both tables with the same key and aggregate).
    public var copied: [String] = []
    /// Rings of copied counters that the old file did not have and that start empty, e.g.
    /// `attempts_per_card 1m`: windows they serve count only events recorded after the migration.
    public var emptyRings: [String] = []
    /// Counters of the new table with no data (new, or with another key or aggregate).
    public var started: [String] = []
    /// Counters of the old file whose data was not carried over.
    public var dropped: [String] = []
    /// Keys (slots) copied, over all key groups.
    public var keys = 0
    /// Keys that found no free slot in the new table (only when it has fewer slots): each evicted
    /// the least recently updated key of its probe window, as in normal operation.
    public var evictions = 0
}

extension CounterTable {
    /// Copies the counts of `old` into this table, which must be writable and should be empty and
    /// not yet in use. Counters match by name, key expression and aggregate; the rest of their
    /// definition (retain, bucket) may differ. Each key keeps its hash, fingerprint and minute of
    /// last update. Cells are copied with their bucket numbers into the ring of the same bucket
    /// width, so every bucket the new ring can hold keeps its count; rings without a counterpart
    /// start empty. Distinct counters are copied entry for entry.
    public func copyCounts(from old: CounterTable) throws(CounterError) -> CounterMigrationReport {
        guard isWritable else { throw .readOnly(path: path) }
        var report = CounterMigrationReport()
        // (new counter, old counter) for the counters present in both.
        var pairs: [(new: Int, old: Int)] = []
        for (index, definition) in definitions.enumerated() {
            if let match = old.definitions.firstIndex(where: {
                $0.name == definition.name && $0.key == definition.key && $0.aggregate == definition.aggregate
            }) {
                pairs.append((index, match))
                report.copied.append(definition.name)
                let oldResolutions = old.layout.counters[match].levels.map(\.resolution)
                for level in layout.counters[index].levels where !oldResolutions.contains(level.resolution) {
                    report.emptyRings.append("\(definition.name) \(formatCounterDuration(level.resolution))")
                }
            } else {
                report.started.append(definition.name)
            }
        }
        report.dropped = old.definitions.map(\.name).filter { name in !pairs.contains { old.definitions[$0.old].name == name } }
        let evictionsBefore = statistics().reduce(0) { $0 + $1.evictions }
        for (oldGroupIndex, oldGroup) in old.layout.groups.enumerated() {
            guard let newGroupIndex = group(forKey: oldGroup.key) else { continue }
            let groupPairs = pairs.filter { old.layout.counters[$0.old].group == oldGroupIndex }
            guard !groupPairs.isEmpty else { continue }
            let source = old.groupPlans[oldGroupIndex], target = groupPlans[newGroupIndex]
            for index in 0..<old.slotsPerGroup {
                let from = source.slot(index)
                let hash = from.load(as: UInt64.self)
                guard hash != 0 else { continue }
                let fingerprint = from.load(fromByteOffset: 8, as: UInt32.self)
                let minute = lastUpdateMinute(from).pointee.load(ordering: .relaxed)
                let claimed = target.claim(hash: hash, fingerprint: fingerprint, minute: minute, probeLimit: probeLimit)
                guard claimed >= 0 else { continue }
                report.keys += 1
                let to = target.slot(claimed)
                for pair in groupPairs {
                    copyCounter(from: from + old.plans[pair.old].offset, old.layout.counters[pair.old],
                                to: to + plans[pair.new].offset, layout.counters[pair.new])
                }
            }
        }
        report.evictions = statistics().reduce(0) { $0 + $1.evictions } - evictionsBefore
        return report
    }

    /// Copies one counter's cells of one key. Count and sum: each non-empty cell goes to the
    /// position of its bucket in the new ring of the same width, unless a newer bucket is already
    /// there (a shorter ring keeps the newest buckets). Distinct: the entries as they are.
    private func copyCounter(from source: UnsafeMutableRawPointer, _ oldPlacement: CounterPlacement,
                             to target: UnsafeMutableRawPointer, _ newPlacement: CounterPlacement) {
        if oldPlacement.levels.isEmpty {
            target.copyMemory(from: source, byteCount: CounterLayout.distinctBytes)
            return
        }
        for level in newPlacement.levels {
            guard let oldLevel = oldPlacement.levels.first(where: { $0.resolution == level.resolution }) else { continue }
            for i in 0..<oldLevel.buckets {
                let word = source.load(fromByteOffset: oldLevel.offset + 8 * i, as: UInt64.self)
                let epoch = UInt32(truncatingIfNeeded: word >> 32)
                guard epoch != 0 else { continue }
                let cell = target + level.offset + 8 * level.position(epoch &- 1)
                if UInt32(truncatingIfNeeded: cell.load(as: UInt64.self) >> 32) < epoch {
                    cell.storeBytes(of: word, as: UInt64.self)
                }
            }
        }
    }
}
