// Where everything lives in a counter file, computed from the counter definitions and the table
// geometry alone (so a file's stored geometry can be checked against it). Pure arithmetic, no I/O.
//
//   [0, 8192)            header page(s): encoded header (checksummed), then the statistics area
//   group regions        one per distinct key expression, 4096-aligned, `slotsPerGroup` slots each
//
// A slot (64-byte aligned) holds one key value of one group:
//   +0  UInt64  key hash (XXH3-64 of the key bytes; 0 = empty slot)
//   +8  UInt32  fingerprint (XXH3-64 of the key with another seed, low 32 bits, never 0)
//   +12 UInt32  minute of the last update (for eviction: the least recently updated slot goes)
//   +16 the cells of each counter of the group, in definition order:
//       count / sum: one ring per resolution level (finest `bucket`, hour, day), 8-byte cells
//                    (bucket number + 1 in the high 32 bits; UInt32 count or Float32 sum below)
//       distinct:    UInt64 `latest evicted` time, then 32 entries (value fingerprint << 32 | time)

/// One ring of time buckets of a count or sum counter.
struct CounterLevel: Equatable {
    /// Bucket width in seconds (the counter's `bucket`, 3600 or 86400).
    var resolution: Int64
    /// Number of buckets in the ring: covers windows up to `(buckets - 1) * resolution`.
    var buckets: Int
    /// Byte offset of the ring's first cell from the counter's first cell.
    var offset: Int
    /// The longest window the ring serves: `(buckets - 1) * resolution`.
    var span: Int64
    /// Lemire's fast-modulo constant for `buckets` (UInt64.max / buckets + 1).
    var modulo: UInt64
    /// Lemire's fast-division constant for `resolution` (UInt64.max / resolution + 1; 0, for
    /// "no division", when the resolution is 1 s).
    var divisor: UInt64

    init(resolution: Int64, buckets: Int, offset: Int) {
        self.resolution = resolution
        self.buckets = buckets
        self.offset = offset
        span = Int64(buckets - 1) * resolution
        modulo = UInt64.max / UInt64(buckets) &+ 1
        divisor = UInt64.max / UInt64(resolution) &+ 1
    }

    /// The ring position of a bucket number below 2^32, without a division instruction.
    @inline(__always)
    func position(_ bucket: UInt32) -> Int {
        Int((modulo &* UInt64(bucket)).multipliedFullWidth(by: UInt64(buckets)).high)
    }

    /// Whether a read of this ring from `windowStart` on finds nothing in a slot whose minute of
    /// last update is `lastMinute`: every update of the slot happened before the end of that
    /// minute, which is no later than the start of the ring bucket holding `windowStart` (the
    /// oldest bucket a read from there sums). Exact: such a read would sum only empty cells.
    @inline(__always)
    func holdsNothing(from windowStart: Int64, lastMinute: UInt32) -> Bool {
        updatedOnlyBefore(UInt64(bucket(windowStart)) &* UInt64(resolution), lastMinute: lastMinute)
    }

    /// `time / resolution` for a time in 0 ..< 2^32, without a division instruction: the high
    /// word of `divisor * time` is the exact quotient for every 32-bit dividend and divisor
    /// (Lemire, Kaser and Kurz, "Faster remainder by direct computation", 2019). (A `switch` over
    /// constant divisors compiled to a shared hardware `div` on the hot path.)
    @inline(__always)
    func bucket(_ time: Int64) -> UInt32 {
        let t = UInt32(truncatingIfNeeded: time)
        return divisor == 0 ? t : UInt32(truncatingIfNeeded: divisor.multipliedFullWidth(by: UInt64(t)).high)
    }
}

/// The computed placement of one counter inside its group's slots.
struct CounterPlacement: Equatable {
    var group: Int
    /// Byte offset of the counter's cells inside the slot.
    var offset: Int
    /// Rings from finest to coarsest (empty for distinct counters).
    var levels: [CounterLevel]
}

/// The computed placement of one key group.
struct CounterGroupLayout: Equatable {
    /// The key expression shared by the group's counters.
    var key: String
    /// Indices of the group's counters in the definitions.
    var counters: [Int]
    /// Bytes per slot (a multiple of 64).
    var slotBytes: Int
    /// Bytes of a slot that hold data (the header and the counters' cells; the rest is padding).
    var usedBytes: Int
    /// Byte offset of the group's first slot in the file.
    var regionOffset: Int
}

/// The complete geometry of a counter file.
struct CounterLayout: Equatable {
    static let headerRegionBytes = 8192
    static let maximumHeaderBytes = 7168
    /// The statistics area: 4 UInt64 per group (occupied, collisions, evictions, dropped).
    static let statisticsOffset = 7168
    static let slotHeaderBytes = 16
    static let distinctBytes = 8 + 8 * CounterTable.distinctCap
    static let maximumCounters = 32
    static let maximumGroups = 16
    static let minimumSlots = 16
    static let maximumSlots = 1 << 26
    static let maximumFileBytes = 1 << 40

    var slotsPerGroup: Int
    var counters: [CounterPlacement]
    var groups: [CounterGroupLayout]
    var fileBytes: Int

    /// The rings of a count or sum counter: `bucket`-wide buckets up to an hour (none when the
    /// bucket is an hour or a day), hours up to a day (none when the bucket is a day), days
    /// beyond; each ring one bucket longer than its span so that the oldest, partial bucket of a
    /// window fits.
    static func levels(retain: Int64, bucket: Int64) -> [(resolution: Int64, buckets: Int)] {
        func ceilDiv(_ a: Int64, _ b: Int64) -> Int64 { (a + b - 1) / b }
        var result: [(Int64, Int)] = []
        if bucket < 3600 { result.append((bucket, Int(min(ceilDiv(retain, bucket), 3600 / bucket)) + 1)) }
        if (retain > 3600 && bucket <= 3600) || bucket == 3600 {
            result.append((3600, Int(min(ceilDiv(retain, 3600), 24)) + 1))
        }
        if retain > 86_400 || bucket == 86_400 { result.append((86_400, Int(ceilDiv(retain, 86_400)) + 1)) }
        return result
    }

    init(definitions: [CounterDefinition], slotsPerGroup: Int) throws(CounterError) {
        guard !definitions.isEmpty, definitions.count <= Self.maximumCounters else {
            throw .invalidDefinition("a table holds 1...\(Self.maximumCounters) counters, got \(definitions.count)")
        }
        guard slotsPerGroup >= Self.minimumSlots, slotsPerGroup <= Self.maximumSlots,
              slotsPerGroup & (slotsPerGroup - 1) == 0 else {
            throw .invalidDefinition("slots per key group must be a power of two in \(Self.minimumSlots)...\(Self.maximumSlots), got \(slotsPerGroup)")
        }
        var names = Set<String>()
        for definition in definitions {
            try definition.validate()
            guard names.insert(definition.name).inserted else {
                throw .invalidDefinition("counter '\(definition.name)' is defined twice")
            }
        }
        self.slotsPerGroup = slotsPerGroup
        var groups: [CounterGroupLayout] = []
        var counters: [CounterPlacement] = []
        var groupSize: [Int] = []
        for (index, definition) in definitions.enumerated() {
            var group = groups.firstIndex(where: { $0.key == definition.key }) ?? -1
            if group < 0 {
                group = groups.count
                groups.append(CounterGroupLayout(key: definition.key, counters: [], slotBytes: 0, usedBytes: 0, regionOffset: 0))
                groupSize.append(Self.slotHeaderBytes)
            }
            guard groups.count <= Self.maximumGroups else {
                throw .invalidDefinition("a table holds at most \(Self.maximumGroups) distinct key expressions")
            }
            groups[group].counters.append(index)
            var placement = CounterPlacement(group: group, offset: groupSize[group], levels: [])
            if case .distinct = definition.aggregate {
                groupSize[group] += Self.distinctBytes
            } else {
                for (resolution, buckets) in Self.levels(retain: definition.retain, bucket: definition.bucket) {
                    placement.levels.append(CounterLevel(resolution: resolution, buckets: buckets,
                                                         offset: groupSize[group] - placement.offset))
                    groupSize[group] += 8 * buckets
                }
            }
            counters.append(placement)
        }
        var offset = Self.headerRegionBytes
        for g in groups.indices {
            groups[g].usedBytes = groupSize[g]
            groups[g].slotBytes = (groupSize[g] + 63) & ~63
            groups[g].regionOffset = offset
            offset += (groups[g].slotBytes * slotsPerGroup + 4095) & ~4095
        }
        guard offset <= Self.maximumFileBytes else {
            throw .invalidDefinition("the table would need \(offset) bytes; use fewer slots")
        }
        self.counters = counters
        self.groups = groups
        self.fileBytes = offset
    }
}
