// The velocity counter table: a fixed-capacity hash table of per-key time-bucket rings in a
// memory-mapped file (layout in CounterLayout.swift, header in CounterFileHeader.swift, the
// atomic hot path in CounterCells.swift, copying to other definitions in CounterMigration.swift).
// One process writes (an exclusive flock), any number of threads in it record and read
// concurrently; other processes may open it read-only to inspect.
// Semantics and bounds are documented in docs/counters.md.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A key value of one key group, hashed and looked up once per event and then used for every
/// read and update of that group's counters.
public struct CounterKey: Sendable {
    /// The key group (see `CounterTable.group(forKey:)`).
    public let group: Int
    let hash: UInt64
    let fingerprint: UInt32
    /// The slot holding the key, or -1 if the key has no slot yet.
    var slot: Int

    /// Whether the table already holds data for this key.
    public var isPresent: Bool { slot >= 0 }
}

/// The value of a counter over a window.
public struct CounterReading: Equatable, Sendable {
    /// The count, sum or distinct count.
    public var value: Double
    /// True when a distinct count reached its cap: the true value is at least `value`.
    public var isSaturated: Bool

    public init(value: Double, isSaturated: Bool = false) {
        self.value = value
        self.isSaturated = isSaturated
    }
}

/// Occupancy and event counts of one key group.
public struct CounterGroupStatistics: Equatable, Sendable {
    /// The key expression of the group.
    public var key: String
    /// Slots in the group.
    public var slots: Int
    /// Slots holding a key (each claim counts once; evictions reuse occupied slots).
    public var occupied: Int
    /// Keys that met a slot with the same 64-bit hash but another fingerprint.
    public var collisions: Int
    /// Keys evicted to make room (the least recently updated slot of the probe window).
    public var evictions: Int
    /// Updates dropped: older than the ring they belong to, or lost to racing evictions.
    public var dropped: Int
}

/// A memory-mapped table of velocity counters (see docs/counters.md).
///
/// Thread safety: all methods may be called from any number of threads at once. Reads exclude
/// nothing by themselves: to keep the current event out of its own features (LANGUAGE.md §5), read
/// before recording. Timestamps are event times in seconds since 1970 (0 ... 2^32 - 1); events
/// outside that range are not recorded and read as 0.
public final class CounterTable: @unchecked Sendable {
    /// Distinct counts are exact up to this many values per key, then saturate.
    public static let distinctCap = 32
    /// Default number of consecutive slots a key may use before an older key is evicted.
    public static let defaultProbeLimit = 16
    static let fingerprintSeed: UInt64 = 0x9E37_79B9_7F4A_7C15
    static let valueSeed: UInt64 = 0xC2B2_AE3D_27D4_EB4F

    /// The file this table lives in.
    public let path: String
    /// The counters, in the order they were defined; a counter's index is its position here.
    public let definitions: [CounterDefinition]
    /// Whether this process may record (it holds the writer lock).
    public let isWritable: Bool
    /// Slots per key group.
    public let slotsPerGroup: Int
    /// Consecutive slots probed per key.
    public let probeLimit: Int

    let layout: CounterLayout
    /// `definitions.count`, for the hot path's range checks.
    private let counterCount: Int
    private let descriptor: Int32
    private let mapping: UnsafeMutableRawPointer
    // `plans` and `groupPlans` are internal (not private) for the migration copy (CounterMigration.swift).
    let plans: UnsafeMutablePointer<CounterPlan>
    private let levels: UnsafeMutablePointer<CounterLevel>
    let groupPlans: UnsafeMutablePointer<CounterGroupPlan>

    // MARK: Opening

    /// Creates a new, empty counter file (failing if `path` exists unless `replace` is true) and
    /// opens it for writing.
    public static func create(path: String, definitions: [CounterDefinition], slotsPerGroup: Int,
                              probeLimit: Int = defaultProbeLimit, replace: Bool = false) throws(CounterError) -> CounterTable {
        let layout = try CounterLayout(definitions: definitions, slotsPerGroup: slotsPerGroup)
        guard (1...64).contains(probeLimit), probeLimit <= slotsPerGroup else {
            throw .invalidDefinition("probe limit must be 1...64, got \(probeLimit)")
        }
        if !replace && access(path, F_OK) == 0 {
            throw .system(operation: "create (file exists; pass replace to overwrite)", path: path, errno: EEXIST)
        }
        let header = CounterFileHeader(definitions: definitions, slotsPerGroup: slotsPerGroup,
                                       probeLimit: probeLimit, fileBytes: layout.fileBytes).encoded()
        // Build the file beside its final name and rename it into place: a crash during creation
        // never leaves a half-written file under `path`.
        let temporary = "\(path).tmp-\(getpid())"
        let fd = Glibc.open(temporary, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .system(operation: "open", path: temporary, errno: errno) }
        defer { close(fd) }
        guard ftruncate(fd, off_t(layout.fileBytes)) == 0 else {
            let code = errno
            unlink(temporary)
            throw .system(operation: "ftruncate", path: temporary, errno: code)
        }
        let written = header.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        guard written == header.count, fsync(fd) == 0 else {
            let code = errno
            unlink(temporary)
            throw .system(operation: "write header", path: temporary, errno: code)
        }
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw .system(operation: "rename", path: path, errno: code)
        }
        return try open(path: path, definitions: definitions)
    }

    /// Opens an existing counter file. With `definitions`, the file must hold exactly those
    /// counters. Writable opens take an exclusive lock: one writer process per file.
    public static func open(path: String, definitions: [CounterDefinition]? = nil,
                            readOnly: Bool = false) throws(CounterError) -> CounterTable {
        let fd = Glibc.open(path, (readOnly ? O_RDONLY : O_RDWR) | O_CLOEXEC)
        guard fd >= 0 else { throw .system(operation: "open", path: path, errno: errno) }
        do throws(CounterError) {
            if !readOnly && flock(fd, LOCK_EX | LOCK_NB) != 0 {
                if errno == EWOULDBLOCK { throw CounterError.lockedByAnotherWriter(path: path) }
                throw CounterError.system(operation: "flock", path: path, errno: errno)
            }
            var status = stat()
            guard fstat(fd, &status) == 0 else { throw CounterError.system(operation: "fstat", path: path, errno: errno) }
            let size = Int(status.st_size)
            var headerBytes = [UInt8](repeating: 0, count: min(size, CounterLayout.maximumHeaderBytes))
            let got = headerBytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
            guard got == headerBytes.count else { throw CounterError.system(operation: "read header", path: path, errno: errno) }
            let decoded = headerBytes.withUnsafeBytes { bytes in
                Result { () throws(CounterError) in try CounterFileHeader.decode(bytes, fileSize: size, path: path) }
            }
            let header = try decoded.get()
            if let definitions, definitions != header.definitions {
                throw CounterError.definitionsMismatch(
                    path: path, differences: counterDifferences(file: header.definitions, wanted: definitions))
            }
            let protection = readOnly ? PROT_READ : PROT_READ | PROT_WRITE
            guard let mapping = mmap(nil, size, protection, MAP_SHARED, fd, 0), mapping != MAP_FAILED else {
                throw CounterError.system(operation: "mmap", path: path, errno: errno)
            }
            let layout = try CounterLayout(definitions: header.definitions, slotsPerGroup: header.slotsPerGroup)
            return CounterTable(path: path, header: header, layout: layout, descriptor: fd,
                                mapping: mapping, writable: !readOnly)
        } catch {
            close(fd)
            throw error
        }
    }

    /// Opens `path` for writing if it exists (its counters must be `definitions`), else creates it.
    public static func openOrCreate(path: String, definitions: [CounterDefinition],
                                    slotsPerGroup: Int) throws(CounterError) -> CounterTable {
        if access(path, F_OK) == 0 { return try open(path: path, definitions: definitions) }
        return try create(path: path, definitions: definitions, slotsPerGroup: slotsPerGroup)
    }

    private init(path: String, header: CounterFileHeader, layout: CounterLayout, descriptor: Int32,
                 mapping: UnsafeMutableRawPointer, writable: Bool) {
        self.path = path
        self.definitions = header.definitions
        self.slotsPerGroup = header.slotsPerGroup
        self.probeLimit = header.probeLimit
        self.isWritable = writable
        self.layout = layout
        counterCount = header.definitions.count
        self.descriptor = descriptor
        self.mapping = mapping
        plans = .allocate(capacity: layout.counters.count)
        levels = .allocate(capacity: max(1, layout.counters.reduce(0) { $0 + $1.levels.count }))
        groupPlans = .allocate(capacity: layout.groups.count)
        var levelIndex = 0
        for (index, placement) in layout.counters.enumerated() {
            let definition = header.definitions[index]
            (plans + index).initialize(to: CounterPlan(
                group: placement.group, offset: placement.offset, kind: definition.aggregate.code,
                retain: definition.retain, levelCount: placement.levels.count, levelIndex: levelIndex))
            for level in placement.levels {
                (levels + levelIndex).initialize(to: level)
                levelIndex += 1
            }
        }
        for (index, group) in layout.groups.enumerated() {
            (groupPlans + index).initialize(to: CounterGroupPlan(
                region: mapping + group.regionOffset, slotBytes: group.slotBytes, usedBytes: group.usedBytes,
                mask: layout.slotsPerGroup - 1,
                statistics: mapping + CounterLayout.statisticsOffset + 32 * index))
        }
    }

    deinit {
        munmap(mapping, layout.fileBytes)
        close(descriptor)
        plans.deallocate()
        levels.deallocate()
        groupPlans.deallocate()
    }

    // MARK: Names

    /// The index of the counter named `name`.
    public func counter(named name: String) -> Int? {
        definitions.firstIndex { $0.name == name }
    }

    /// The key group of the counters keyed by the expression `key`.
    public func group(forKey key: String) -> Int? {
        layout.groups.firstIndex { $0.key == key }
    }

    /// The key group of a counter.
    public func group(ofCounter counter: Int) -> Int {
        layout.counters[counter].group
    }

    /// The key expressions of the groups, by group index.
    public var groupKeys: [String] { layout.groups.map(\.key) }

    // MARK: Hot path

    /// Hashes a key value of `group` and finds its slot (no change to the table).
    @inline(__always)
    public func key(group: Int, bytes: UnsafeRawBufferPointer) -> CounterKey {
        var key = Self.hashedKey(group: group, bytes: bytes)
        locate(&key)
        return key
    }

    /// Hashes a key value of `group` (its UTF-8 bytes) and finds its slot.
    @inline(__always)
    public func key(group: Int, _ value: String) -> CounterKey {
        var copy = value
        return copy.withUTF8 { key(group: group, bytes: UnsafeRawBufferPointer($0)) }
    }

    /// A key hashed but not yet looked up: pass a batch of them to `locate(_:)`.
    @inline(__always)
    public static func hashedKey(group: Int, bytes: UnsafeRawBufferPointer) -> CounterKey {
        var hash = xxh3(bytes)
        if hash == 0 { hash = 1 }
        var fingerprint = UInt32(truncatingIfNeeded: xxh3(bytes, seed: fingerprintSeed))
        if fingerprint == 0 { fingerprint = 1 }
        return CounterKey(group: group, hash: hash, fingerprint: fingerprint, slot: -1)
    }

    /// The key for an already computed hash and fingerprint (tests force collisions with this).
    func key(group: Int, hash: UInt64, fingerprint: UInt32) -> CounterKey {
        var key = CounterKey(group: group, hash: hash, fingerprint: fingerprint, slot: -1)
        locate(&key)
        return key
    }

    @inline(__always)
    private func locate(_ key: inout CounterKey) {
        guard key.group >= 0, key.group < layout.groups.count else {
            key.slot = -1
            return
        }
        key.slot = groupPlans[key.group].locate(hash: key.hash, fingerprint: key.fingerprint, probeLimit: probeLimit)
    }

    /// Finds the slots of all the keys of one event (from `hashedKey`) and brings their memory into
    /// the cache in one go, so that the cache misses of the keys overlap instead of queueing: the
    /// fastest way to start an event. The home slots are loaded before the probe even looks at
    /// them (most keys sit in their home slot), so an event pays about one memory round trip.
    /// (The loads are atomic, which the optimizer keeps.)
    @inline(__always)
    public func locate(_ keys: UnsafeMutableBufferPointer<CounterKey>) {
        for i in keys.indices where keys[i].group >= 0 && keys[i].group < layout.groups.count {
            keys[i].slot = Int(truncatingIfNeeded: keys[i].hash) & groupPlans[keys[i].group].mask
            prefetch(keys[i])
        }
        for i in keys.indices {
            let home = keys[i].slot
            locate(&keys[i])
            if keys[i].slot != home { prefetch(keys[i]) }
        }
    }

    /// Loads every cache line of the key's slot that holds data (not the padding to 64 bytes) so
    /// that the reads and updates that follow hit the cache.
    @inline(__always)
    public func prefetch(_ key: CounterKey) {
        guard key.slot >= 0, key.group >= 0, key.group < layout.groups.count else { return }
        let group = groupPlans[key.group]
        touchLines(group.slot(key.slot), bytes: group.usedBytes)
    }

    /// The hash a distinct counter stores for a value: pass it to `record(_:_:at:distinct:)`.
    @inline(__always)
    public static func distinctHash(_ value: String) -> UInt64 {
        xxh3(value, seed: valueSeed)
    }

    /// The value of `counter` for `key` over the `window` seconds up to `now`: events with a time
    /// in (now - window, now], plus at most one bucket of the ring used just before the window
    /// (see docs/counters.md). `window` is clamped to the counter's retain. A counter that does
    /// not belong to the key's group, or a key without a slot, reads 0.
    @inline(__always)
    public func read(_ counter: Int, _ key: CounterKey, window: Int64, now: Int64) -> CounterReading {
        guard counter >= 0, counter < counterCount, key.slot >= 0, now >= 0, now <= Int64(UInt32.max) else {
            return CounterReading(value: 0)
        }
        let plan = plans[counter]
        guard plan.group == key.group else { return CounterReading(value: 0) }
        let slot = groupPlans[plan.group].slot(key.slot)
        return reading(plan, slot: slot, lastMinute: lastUpdateMinute(slot).pointee.load(ordering: .relaxed),
                       window: window, now: now)
    }

    /// Several readings of one key at `now`, as one evaluation makes them (every window its rules
    /// read for the key): `values[i]` is `read(counters[i], key, window: windows[i], now: now).value`.
    /// The key's slot and minute of last update are found once for all of them.
    @inline(__always)
    public func read(_ counters: UnsafeBufferPointer<Int>, windows: UnsafePointer<Int64>, key: CounterKey, now: Int64,
                     into values: UnsafeMutablePointer<Double>) {
        guard key.slot >= 0, key.group >= 0, key.group < layout.groups.count, now >= 0, now <= Int64(UInt32.max) else {
            values.update(repeating: 0, count: counters.count)
            return
        }
        let slot = groupPlans[key.group].slot(key.slot)
        let lastMinute = lastUpdateMinute(slot).pointee.load(ordering: .relaxed)
        for i in counters.indices {
            let counter = counters[i]
            guard counter >= 0, counter < counterCount, plans[counter].group == key.group else {
                values[i] = 0
                continue
            }
            values[i] = reading(plans[counter], slot: slot, lastMinute: lastMinute, window: windows[i], now: now).value
        }
    }

    /// The reading of one counter of a slot (see `read`); `now` is in 0 ... 2^32 - 1.
    @inline(__always)
    private func reading(_ plan: CounterPlan, slot: UnsafeMutableRawPointer, lastMinute: UInt32,
                         window: Int64, now: Int64) -> CounterReading {
        let window = min(window, plan.retain)
        guard window > 0 else { return CounterReading(value: 0) }
        let cells = slot + plan.offset
        let windowStart = max(now - window, 0)
        if plan.kind == 3 {
            let after = UInt32(truncatingIfNeeded: windowStart)
            // Every entry's time and the latest evicted time are at most the slot's latest update.
            if updatedOnlyBefore(UInt64(after), lastMinute: lastMinute) { return CounterReading(value: 0) }
            let (count, saturated) = countDistinct(cells, after: after, upTo: UInt32(truncatingIfNeeded: now))
            return CounterReading(value: Double(count), isSaturated: saturated)
        }
        var level = levels[plan.levelIndex]
        var l = 1
        while l < plan.levelCount && window > level.span {
            level = levels[plan.levelIndex &+ l]
            l &+= 1
        }
        if level.holdsNothing(from: windowStart, lastMinute: lastMinute) { return CounterReading(value: 0) }
        let high = level.bucket(now) &+ 1
        let low = level.bucket(windowStart) &+ 1
        let total = sumRing(cells + level.offset, buckets: level.buckets, lowEpoch: low, highEpoch: high, isSum: plan.kind == 2)
        return CounterReading(value: total)
    }

    /// Adds one event at `now` to a count counter, or `amount` to a sum counter, claiming a slot
    /// for the key if it has none. Returns false if nothing was recorded (read-only table, wrong
    /// counter or group, time out of range, or the update was dropped).
    @discardableResult
    @inline(__always)
    public func record(_ counter: Int, _ key: inout CounterKey, at now: Int64, amount: Double = 1) -> Bool {
        guard let cells = cells(counter, &key, now: now), plans[counter].kind != 3 else { return false }
        let plan = plans[counter]
        let isSum = plan.kind == 2
        var recorded = false
        for l in 0..<plan.levelCount {
            let level = levels[plan.levelIndex + l]
            let bucket = level.bucket(now)
            let cell = cells + level.offset + 8 &* level.position(bucket)
            recorded = addToCell(cell, epoch: bucket &+ 1, isSum: isSum, amount: Float(amount)) || recorded
        }
        if !recorded { groupPlans[plan.group].bump(.dropped) }
        return recorded
    }

    /// Adds a value (its `distinctHash`) seen at `now` to a distinct counter.
    @discardableResult
    @inline(__always)
    public func record(_ counter: Int, _ key: inout CounterKey, at now: Int64, distinct valueHash: UInt64) -> Bool {
        guard let cells = cells(counter, &key, now: now), plans[counter].kind == 3 else { return false }
        var value = UInt32(truncatingIfNeeded: valueHash)
        if value == 0 { value = 1 }
        let expired = UInt32(truncatingIfNeeded: max(now - plans[counter].retain, 0))
        guard addToDistinct(cells, value: value, time: UInt32(truncatingIfNeeded: now), expiredAtOrBefore: expired) else {
            groupPlans[plans[counter].group].bump(.dropped)
            return false
        }
        return true
    }

    /// The cells of `counter` for `key`, claiming a slot (and updating its recency) as needed.
    @inline(__always)
    private func cells(_ counter: Int, _ key: inout CounterKey, now: Int64) -> UnsafeMutableRawPointer? {
        guard isWritable, counter >= 0, counter < counterCount, now >= 0, now <= Int64(UInt32.max) else { return nil }
        let plan = plans[counter]
        guard plan.group == key.group else { return nil }
        let group = groupPlans[plan.group]
        let minute = UInt32(truncatingIfNeeded: now / 60)
        if key.slot >= 0 {
            let slot = group.slot(key.slot)
            if atomicWord(slot).pointee.load(ordering: .acquiring) != key.hash {
                key.slot = -1   // evicted since it was looked up
            } else {
                noteUpdate(slot, minute: minute)
            }
        }
        if key.slot < 0 {
            key.slot = group.claim(hash: key.hash, fingerprint: key.fingerprint, minute: minute, probeLimit: probeLimit)
            if key.slot < 0 {
                group.bump(.dropped)
                return nil
            }
        }
        return group.slot(key.slot) + plan.offset
    }

    // MARK: Maintenance

    /// Occupancy, collisions, evictions and dropped updates per key group.
    public func statistics() -> [CounterGroupStatistics] {
        layout.groups.indices.map { index in
            let block = UnsafeRawPointer(mapping + CounterLayout.statisticsOffset + 32 * index)
            func value(_ statistic: CounterStatistic) -> Int {
                Int(truncatingIfNeeded: block.load(fromByteOffset: 8 * statistic.rawValue, as: UInt64.self))
            }
            return CounterGroupStatistics(key: layout.groups[index].key, slots: slotsPerGroup, occupied: value(.occupied),
                                          collisions: value(.collisions), evictions: value(.evictions), dropped: value(.dropped))
        }
    }

    /// Empties every slot and statistic. Not safe while other threads record or read.
    public func reset() throws(CounterError) {
        guard isWritable else { throw .readOnly(path: path) }
        let regionStart = CounterLayout.headerRegionBytes
        memset(mapping + CounterLayout.statisticsOffset, 0, regionStart - CounterLayout.statisticsOffset)
        // Removing the pages frees them in the file (reads see zeros); zeroing is the fallback.
        if madvise(mapping + regionStart, layout.fileBytes - regionStart, MADV_REMOVE) != 0 {
            memset(mapping + regionStart, 0, layout.fileBytes - regionStart)
        }
    }

    /// Flushes the mapping to disk (the page cache already survives a process crash; this also
    /// survives a host crash).
    public func sync() throws(CounterError) {
        guard msync(mapping, layout.fileBytes, MS_SYNC) == 0 else {
            throw .system(operation: "msync", path: path, errno: errno)
        }
    }
}
