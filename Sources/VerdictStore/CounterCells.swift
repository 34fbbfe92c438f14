// The hot path of the counter table over raw mmap'd memory: probing a key group's slots, claiming
// and evicting slots, and updating and summing the time-bucket cells of count, sum and distinct
// counters with atomics. Everything here is allocation-free and ARC-free; the only unsafe code of
// the counters besides the mapping itself (CounterTable.swift). Nothing read from the file is used
// as an index or a length: ring positions come from the time, slot positions from the hash.
import Synchronization

/// Flat, trivially copyable description of one counter for the hot path.
struct CounterPlan {
    var group: Int
    /// Byte offset of the counter's cells in a slot.
    var offset: Int
    /// 1 count, 2 sum, 3 distinct.
    var kind: UInt8
    var retain: Int64
    /// Number of rings (count and sum); their `CounterLevel`s start at `levelIndex` in `levels`.
    var levelCount: Int
    var levelIndex: Int
}

/// Flat description of one key group's region for the hot path.
struct CounterGroupPlan {
    var region: UnsafeMutableRawPointer
    var slotBytes: Int
    /// Bytes of a slot that hold data: `prefetch` loads the lines of these only.
    var usedBytes: Int
    var mask: Int
    /// Where the group's four statistics live (occupied, collisions, evictions, dropped).
    var statistics: UnsafeMutableRawPointer
}

/// Indices of a group's statistics in its statistics block.
enum CounterStatistic: Int {
    case occupied = 0, collisions, evictions, dropped
}

@inline(__always)
func atomicWord(_ pointer: UnsafeMutableRawPointer) -> UnsafeMutablePointer<Atomic<UInt64>> {
    pointer.assumingMemoryBound(to: Atomic<UInt64>.self)
}

@inline(__always)
func atomicHalf(_ pointer: UnsafeMutableRawPointer) -> UnsafeMutablePointer<Atomic<UInt32>> {
    pointer.assumingMemoryBound(to: Atomic<UInt32>.self)
}

/// The slot's minute of last update: the latest minute (time / 60) of any update recorded in the
/// slot, never lowered while the slot keeps its key (writers raise it with an atomic maximum), so
/// no cell of the slot holds an event after the end of that minute. Eviction picks the slot whose
/// minute is the oldest; reads skip rings that can hold nothing newer (`CounterLevel.holdsNothing`).
@inline(__always)
func lastUpdateMinute(_ slot: UnsafeMutableRawPointer) -> UnsafeMutablePointer<Atomic<UInt32>> {
    atomicHalf(slot + 12)
}

/// Whether every update of a slot whose minute of last update is `lastMinute` happened before
/// `time` (seconds): the end of that minute is no later than `time`. What lets a read skip cells.
@inline(__always)
func updatedOnlyBefore(_ time: UInt64, lastMinute: UInt32) -> Bool {
    (UInt64(lastMinute) &+ 1) &* 60 <= time
}

/// Raises the slot's minute of last update to `minute` (no change if it is already later).
@inline(__always)
func noteUpdate(_ slot: UnsafeMutableRawPointer, minute: UInt32) {
    let cell = lastUpdateMinute(slot)
    if cell.pointee.load(ordering: .relaxed) < minute { cell.pointee.max(minute, ordering: .relaxed) }
}

/// Loads every cache line of `bytes` bytes from `start`, so that later accesses hit the cache. A
/// load rather than a software prefetch: a prefetch whose page misses the TLB may be dropped, a
/// load walks the page table (measured: docs/counters.md). The loads are atomic, which the
/// optimizer keeps.
@inline(__always)
func touchLines(_ start: UnsafeMutableRawPointer, bytes: Int) {
    var line = UnsafeMutableRawPointer(bitPattern: UInt(bitPattern: start) & ~63)!
    let end = start + bytes
    while line < end {
        _ = atomicWord(line).pointee.load(ordering: .relaxed)
        line += 64
    }
}

extension CounterGroupPlan {
    /// The slot at `index`, masked into the region: a key from another table can never reach
    /// outside the mapping.
    @inline(__always)
    func slot(_ index: Int) -> UnsafeMutableRawPointer { region + (index & mask) &* slotBytes }

    @inline(__always)
    func bump(_ statistic: CounterStatistic) {
        atomicWord(statistics + 8 * statistic.rawValue).pointee.wrappingAdd(1, ordering: .relaxed)
    }

    /// The slot holding (hash, fingerprint), or -1. Read-only. A slot whose fingerprint is still 0
    /// (being claimed right now, or left half-claimed by a crash) matches on the hash alone.
    @inline(__always)
    func locate(hash: UInt64, fingerprint: UInt32, probeLimit: Int) -> Int {
        var index = Int(truncatingIfNeeded: hash) & mask
        for _ in 0..<probeLimit {
            let slot = slot(index)
            let stored = atomicWord(slot).pointee.load(ordering: .acquiring)
            if stored == 0 { return -1 }
            if stored == hash {
                let storedFingerprint = atomicHalf(slot + 8).pointee.load(ordering: .acquiring)
                if storedFingerprint == fingerprint || storedFingerprint == 0 { return index }
            }
            index = (index &+ 1) & mask
        }
        return -1
    }

    /// The slot for (hash, fingerprint), claiming an empty one or evicting the least recently
    /// updated of the probe window when none is free. -1 only if racing writers took every
    /// candidate (the update is then dropped and counted).
    func claim(hash: UInt64, fingerprint: UInt32, minute: UInt32, probeLimit: Int) -> Int {
        var index = Int(truncatingIfNeeded: hash) & mask
        var victim = -1
        var victimMinute = UInt32.max
        var victimHash: UInt64 = 0
        for _ in 0..<probeLimit {
            let slot = slot(index)
            var stored = atomicWord(slot).pointee.load(ordering: .acquiring)
            if stored == 0 {
                let (won, current) = atomicWord(slot).pointee.compareExchange(
                    expected: 0, desired: hash, ordering: .acquiringAndReleasing)
                if won {
                    noteUpdate(slot, minute: minute)
                    atomicHalf(slot + 8).pointee.store(fingerprint, ordering: .releasing)
                    bump(.occupied)
                    return index
                }
                stored = current
            }
            if stored == hash {
                let fingerprintCell = atomicHalf(slot + 8)
                let storedFingerprint = fingerprintCell.pointee.load(ordering: .acquiring)
                if storedFingerprint == fingerprint { return index }
                if storedFingerprint == 0 {
                    _ = fingerprintCell.pointee.compareExchange(expected: 0, desired: fingerprint, ordering: .acquiringAndReleasing)
                    return index
                }
                bump(.collisions)
            }
            let lastMinute = lastUpdateMinute(slot).pointee.load(ordering: .relaxed)
            if lastMinute < victimMinute {
                victim = index
                victimMinute = lastMinute
                victimHash = stored
            }
            index = (index &+ 1) & mask
        }
        guard victim >= 0 else { return -1 }
        let slot = slot(victim)
        let (won, _) = atomicWord(slot).pointee.compareExchange(
            expected: victimHash, desired: hash, ordering: .acquiringAndReleasing)
        guard won else { return -1 }
        atomicHalf(slot + 8).pointee.store(0, ordering: .releasing)
        var cell = slot + CounterLayout.slotHeaderBytes
        while cell < slot + slotBytes {
            atomicWord(cell).pointee.store(0, ordering: .relaxed)
            cell += 8
        }
        // Raised, not set: a writer of the new key that matched it while the cells were being
        // cleared may already have noted a later minute.
        noteUpdate(slot, minute: minute)
        atomicHalf(slot + 8).pointee.store(fingerprint, ordering: .releasing)
        bump(.evictions)
        return victim
    }
}

/// Adds `amount` to the cell of bucket `epoch` (bucket number + 1) of a count or sum ring,
/// restarting the cell if it holds an older bucket. False if it holds a newer one (the update is
/// older than the ring).
@inline(__always)
func addToCell(_ cell: UnsafeMutableRawPointer, epoch: UInt32, isSum: Bool, amount: Float) -> Bool {
    let atomic = atomicWord(cell)
    var old = atomic.pointee.load(ordering: .relaxed)
    while true {
        let oldEpoch = UInt32(truncatingIfNeeded: old >> 32)
        let low: UInt32
        if oldEpoch == epoch {
            let current = UInt32(truncatingIfNeeded: old)
            low = isSum ? (Float(bitPattern: current) + amount).bitPattern
                        : (current == .max ? current : current &+ 1)
        } else if oldEpoch < epoch {
            low = isSum ? amount.bitPattern : 1
        } else {
            return false
        }
        let new = UInt64(epoch) << 32 | UInt64(low)
        let (done, current) = atomic.pointee.weakCompareExchange(expected: old, desired: new, ordering: .relaxed)
        if done { return true }
        old = current
    }
}

/// Sums the cells of one ring whose bucket lies in [lowEpoch, highEpoch] (bucket numbers + 1).
@inline(__always)
func sumRing(_ cells: UnsafeMutableRawPointer, buckets: Int, lowEpoch: UInt32, highEpoch: UInt32, isSum: Bool) -> Double {
    // Plain loads: an aligned 8-byte load is single-copy atomic on the supported CPUs (x86-64,
    // arm64), and a cell read while a writer updates it is either the old or the new word.
    let cells = UnsafeRawPointer(cells)
    let span = highEpoch &- lowEpoch
    if isSum {
        var total = 0.0
        for i in 0..<buckets {
            let word = cells.load(fromByteOffset: 8 &* i, as: UInt64.self)
            if UInt32(truncatingIfNeeded: word >> 32) &- lowEpoch <= span {
                total += Double(Float(bitPattern: UInt32(truncatingIfNeeded: word)))
            }
        }
        return total
    }
    // Four cells at a time, branch-free: a cell counts when its bucket lies in the window.
    let low = SIMD4<UInt64>(repeating: UInt64(lowEpoch)), width = SIMD4<UInt64>(repeating: UInt64(span))
    let countMask = SIMD4<UInt64>(repeating: 0xFFFF_FFFF)
    var lanes = SIMD4<UInt64>(repeating: 0)
    var i = 0
    while i &+ 4 <= buckets {
        let words = cells.loadUnaligned(fromByteOffset: 8 &* i, as: SIMD4<UInt64>.self)
        let offset = ((words &>> 32) &- low) & countMask
        lanes &+= (words & countMask).replacing(with: 0, where: offset .> width)
        i &+= 4
    }
    var total = lanes.wrappedSum()
    while i < buckets {
        let word = cells.load(fromByteOffset: 8 &* i, as: UInt64.self)
        let inWindow = UInt32(truncatingIfNeeded: word >> 32) &- lowEpoch <= span
        total &+= inWindow ? word & 0xFFFF_FFFF : 0
        i &+= 1
    }
    return Double(total)
}

/// Records `value` (a fingerprint, never 0) seen at `time` in a distinct counter's entries,
/// replacing the value's older entry, a free or expired entry, or the oldest live one (then
/// remembering that entry's time as `latest evicted`, which makes reads over it saturate).
/// Retries when a racing writer takes the chosen entry. Each lost race means another writer
/// changed an entry, so the retries are bounded by `distinctCap` (false, counted as dropped, only
/// if it lost every time). Retries scan from a position that depends on the value, so racing
/// inserts of different values pick different entries among equally old ones (a fresh or fully
/// expired key has 32 of them) instead of all racing for the first.
func addToDistinct(_ base: UnsafeMutableRawPointer, value: UInt32, time: UInt32, expiredAtOrBefore: UInt32) -> Bool {
    if let done = tryAddToDistinct(base, value: value, time: time, expiredAtOrBefore: expiredAtOrBefore, start: 0) {
        return done
    }
    for attempt in 1..<UInt32(CounterTable.distinctCap) {
        let start = Int(truncatingIfNeeded: value &+ attempt)
        if let done = tryAddToDistinct(base, value: value, time: time, expiredAtOrBefore: expiredAtOrBefore, start: start) {
            return done
        }
    }
    return false
}

/// One attempt of `addToDistinct`, scanning the entries from `start` (mod `distinctCap`): true
/// when the value is recorded, nil when a racing writer took the chosen entry first. The oldest
/// entry is tracked without branches (which entry is oldest is unpredictable).
@inline(__always)
private func tryAddToDistinct(_ base: UnsafeMutableRawPointer, value: UInt32, time: UInt32,
                              expiredAtOrBefore: UInt32, start: Int) -> Bool? {
    let entries = base + 8
    let desired = UInt64(value) << 32 | UInt64(time)
    var victim = start & (CounterTable.distinctCap - 1)
    var victimWord = atomicWord(entries + 8 &* victim).pointee.load(ordering: .relaxed)
    if UInt32(truncatingIfNeeded: victimWord >> 32) == value {
        return refreshDistinct(atomicWord(entries + 8 &* victim), seen: victimWord, value: value, desired: desired)
    }
    for k in 1..<CounterTable.distinctCap {
        let i = (k &+ start) & (CounterTable.distinctCap - 1)
        let word = atomicWord(entries + 8 &* i).pointee.load(ordering: .relaxed)
        if UInt32(truncatingIfNeeded: word >> 32) == value {
            return refreshDistinct(atomicWord(entries + 8 &* i), seen: word, value: value, desired: desired)
        }
        let older = UInt32(truncatingIfNeeded: word) < UInt32(truncatingIfNeeded: victimWord)
        victim = older ? i : victim
        victimWord = older ? word : victimWord
    }
    let (won, _) = atomicWord(entries + 8 &* victim).pointee.compareExchange(
        expected: victimWord, desired: desired, ordering: .relaxed)
    guard won else { return nil }
    let victimTime = UInt32(truncatingIfNeeded: victimWord)
    if victimWord != 0 && victimTime > expiredAtOrBefore {
        let latest = atomicWord(base)
        var seen = latest.pointee.load(ordering: .relaxed)
        while seen < UInt64(victimTime) {
            let (done, current) = latest.pointee.weakCompareExchange(expected: seen, desired: UInt64(victimTime), ordering: .relaxed)
            if done { break }
            seen = current
        }
    }
    return true
}

/// Moves the time of the value's entry (last seen as `seen`) up to `desired`'s. Nil when a racing
/// insert evicted the value and put another in the entry: the caller starts over rather than
/// overwrite that value (which would lose it).
@inline(__always)
private func refreshDistinct(_ entry: UnsafeMutablePointer<Atomic<UInt64>>, seen: UInt64, value: UInt32, desired: UInt64) -> Bool? {
    var word = seen
    while UInt32(truncatingIfNeeded: word) < UInt32(truncatingIfNeeded: desired) {
        let (done, current) = entry.pointee.weakCompareExchange(expected: word, desired: desired, ordering: .relaxed)
        if done { break }
        guard UInt32(truncatingIfNeeded: current >> 32) == value else { return nil }
        word = current
    }
    return true
}

/// The number of distinct values seen in (after, upTo], and whether the count saturated (a live
/// value was evicted inside that span, so the true count is at least `distinctCap`).
@inline(__always)
func countDistinct(_ base: UnsafeMutableRawPointer, after: UInt32, upTo: UInt32) -> (count: Int, saturated: Bool) {
    let base = UnsafeRawPointer(base)
    if base.load(as: UInt64.self) > UInt64(after) { return (CounterTable.distinctCap, true) }
    let span = upTo &- after &- 1
    var count = 0
    for i in 1...CounterTable.distinctCap {
        let word = base.load(fromByteOffset: 8 &* i, as: UInt64.self)
        let inWindow = word != 0 && UInt32(truncatingIfNeeded: word) &- after &- 1 <= span
        count &+= inWindow ? 1 : 0
    }
    return (count, false)
}
