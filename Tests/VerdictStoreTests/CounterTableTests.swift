// Behaviour of the counter table on hand-made events: count, sum and distinct semantics, window
// bounds, reads excluding the current event, key groups, collisions and eviction.
import Foundation
import Testing
@testable import VerdictStore

@Test func declarationsParseAndPrintBack() throws {
    let definitions = try referenceCounterDefinitions()
    #expect(definitions[2].aggregate == .sum("amount_usd"))
    #expect(definitions[3].aggregate == .distinct("card.fingerprint"))
    #expect(definitions[5].retain == 7 * 86_400)
    for definition in definitions {
        #expect(try CounterDefinition(declaration: definition.declaration) == definition)
    }
    #expect(throws: CounterError.self) { try CounterDefinition(declaration: "x by k retain forever") }
    #expect(throws: CounterError.self) { try CounterDefinition(declaration: "x by k median v retain 1h") }
    #expect(throws: CounterError.self) { try CounterDefinition(declaration: "x by k retain 500d") }
}

@Test func countersSharingAKeyShareOneGroup() throws {
    let (table, directory) = try scratchCounterTable(referenceCounterDeclarations)
    defer { try? FileManager.default.removeItem(at: directory) }
    #expect(table.groupKeys == ["card.fingerprint", "ip", "email"])
    #expect(table.group(ofCounter: 0) == table.group(ofCounter: 5))
    #expect(table.group(ofCounter: 2) == table.group(forKey: "email"))
}

@Test func countIsExactForWindowsOnBucketBoundaries() throws {
    let (table, directory) = try scratchCounterTable(["n by card retain 7d"])
    defer { try? FileManager.default.removeItem(at: directory) }
    var key = table.key(group: 0, "card-1")
    #expect(!key.isPresent)
    for minute in 0..<90 { table.record(0, &key, at: t0 + Int64(minute) * 60) }
    let now = t0 + 90 * 60
    #expect(table.read(0, key, window: 3600, now: now).value == 60)
    #expect(table.read(0, key, window: 600, now: now).value == 10)
    #expect(table.read(0, key, window: 86_400, now: now).value == 90)
    #expect(table.read(0, table.key(group: 0, "card-2"), window: 3600, now: now).value == 0)
}

@Test func windowOvershootIsAtMostOneBucketBeforeTheWindow() throws {
    let (table, directory) = try scratchCounterTable(["n by card retain 7d"])
    defer { try? FileManager.default.removeItem(at: directory) }
    var key = table.key(group: 0, "card")
    table.record(0, &key, at: t0 + 10)          // in the first minute bucket, outside a 30 s window
    table.record(0, &key, at: t0 + 50)
    let now = t0 + 70
    // Exact answer for (now - 30, now] is 0; the minute bucket [t0, t0 + 60) is included whole.
    #expect(table.read(0, key, window: 30, now: now).value == 2)
    #expect(table.read(0, key, window: 5, now: t0 + 130).value == 0)
    // A 2-day window reads the day ring: the whole day bucket the window starts in counts.
    table.record(0, &key, at: t0 + 86_400 * 3 + 5)
    #expect(table.read(0, key, window: 2 * 86_400, now: t0 + 86_400 * 5 + 100).value == 1)
    #expect(table.read(0, key, window: 2 * 86_400, now: t0 + 86_400 * 6).value == 0)
}

@Test func readBeforeRecordExcludesTheCurrentEvent() throws {
    let (table, directory) = try scratchCounterTable(["n by card retain 1h"])
    defer { try? FileManager.default.removeItem(at: directory) }
    var seen: [Double] = []
    for i in 0..<5 {
        var key = table.key(group: 0, "card")
        seen.append(table.read(0, key, window: 3600, now: t0 + Int64(i)).value)
        table.record(0, &key, at: t0 + Int64(i))
    }
    #expect(seen == [0, 1, 2, 3, 4])
}

@Test func sumAddsAmountsPerWindow() throws {
    let (table, directory) = try scratchCounterTable(["usd by email sum amount retain 30d"])
    defer { try? FileManager.default.removeItem(at: directory) }
    var key = table.key(group: 0, "a@example.com")
    table.record(0, &key, at: t0, amount: 12.5)
    table.record(0, &key, at: t0 + 3600, amount: 100.25)
    table.record(0, &key, at: t0 + 86_400 * 2, amount: 7)
    let now = t0 + 86_400 * 2 + 60
    #expect(table.read(0, key, window: 3600, now: now).value == 7)
    #expect(table.read(0, key, window: 30 * 86_400, now: now).value == 119.75)
}

@Test func distinctIsExactUpToTheCapThenSaturates() throws {
    let (table, directory) = try scratchCounterTable(["cards by email distinct card retain 1d"])
    defer { try? FileManager.default.removeItem(at: directory) }
    var key = table.key(group: 0, "a@example.com")
    for i in 0..<10 {   // 5 distinct values, each seen twice
        table.record(0, &key, at: t0 + Int64(i) * 60, distinct: CounterTable.distinctHash("card-\(i % 5)"))
    }
    let now = t0 + 600
    #expect(table.read(0, key, window: 3600, now: now) == CounterReading(value: 5))
    // Values 0..4 were last seen at minutes 5...9: a 4-minute window holds 3 of them (exact, no buckets).
    #expect(table.read(0, key, window: 4 * 60 + 1, now: now).value == 4)
    #expect(table.read(0, key, window: 4 * 60, now: now).value == 3)
    for i in 0..<40 {
        table.record(0, &key, at: now + Int64(i), distinct: CounterTable.distinctHash("other-\(i)"))
    }
    let reading = table.read(0, key, window: 3600, now: now + 100)
    #expect(reading == CounterReading(value: Double(CounterTable.distinctCap), isSaturated: true))
    // A window that starts after the last eviction is exact again.
    // The last eviction removed the value seen at now + 7; values seen at now + 9 ... now + 39 remain.
    #expect(table.read(0, key, window: 100 - 8, now: now + 100) == CounterReading(value: 31))
}

@Test func expiredDistinctValuesAreReusedWithoutSaturating() throws {
    let (table, directory) = try scratchCounterTable(["cards by ip distinct card retain 1h"])
    defer { try? FileManager.default.removeItem(at: directory) }
    var key = table.key(group: 0, "10.0.0.1")
    for i in 0..<32 { table.record(0, &key, at: t0, distinct: CounterTable.distinctHash("old-\(i)")) }
    for i in 0..<10 { table.record(0, &key, at: t0 + 7200, distinct: CounterTable.distinctHash("new-\(i)")) }
    #expect(table.read(0, key, window: 3600, now: t0 + 7300) == CounterReading(value: 10))
}

@Test func updatesOlderThanTheirRingAreDropped() throws {
    let (table, directory) = try scratchCounterTable(["n by card retain 1h"])
    defer { try? FileManager.default.removeItem(at: directory) }
    var key = table.key(group: 0, "card")
    table.record(0, &key, at: t0 + 7200)
    // 61 minutes older: its cell in the 61-minute ring already holds a newer bucket.
    #expect(!table.record(0, &key, at: t0 + 7200 - 61 * 60))
    #expect(table.read(0, key, window: 3600, now: t0 + 7200).value == 1)
    #expect(table.statistics()[0].dropped == 1)
}

@Test func sameHashWithAnotherFingerprintIsACollisionNotAMerge() throws {
    let (table, directory) = try scratchCounterTable(["n by card retain 1h"])
    defer { try? FileManager.default.removeItem(at: directory) }
    var first = table.key(group: 0, hash: 42, fingerprint: 1)
    var second = table.key(group: 0, hash: 42, fingerprint: 2)
    table.record(0, &first, at: t0)
    table.record(0, &second, at: t0)
    table.record(0, &second, at: t0)
    #expect(first.slot != second.slot)
    #expect(table.read(0, table.key(group: 0, hash: 42, fingerprint: 1), window: 60, now: t0).value == 1)
    #expect(table.read(0, table.key(group: 0, hash: 42, fingerprint: 2), window: 60, now: t0).value == 2)
    #expect(table.statistics()[0].collisions == 1)
}

@Test func aFullProbeWindowEvictsTheLeastRecentlyUpdatedKey() throws {
    let (table, directory) = try scratchCounterTable(["n by card retain 1h"], slots: 32)
    defer { try? FileManager.default.removeItem(at: directory) }
    // As many keys as the probe limit, all hashing to slot 0, fill the probe window; one more
    // evicts the least recently updated (the first).
    let limit = CounterTable.defaultProbeLimit
    for i in 0..<limit {
        var key = table.key(group: 0, hash: 32 * UInt64(i + 1), fingerprint: 7)
        table.record(0, &key, at: t0 + Int64(i) * 60)
    }
    var late = table.key(group: 0, hash: 32 * UInt64(limit + 1), fingerprint: 7)
    #expect(!late.isPresent)
    table.record(0, &late, at: t0 + 60 * Int64(limit))
    let stats = table.statistics()[0]
    #expect(stats.evictions == 1 && stats.occupied == limit)
    #expect(!table.key(group: 0, hash: 32, fingerprint: 7).isPresent)
    let now = t0 + 60 * Int64(limit)
    #expect(table.read(0, table.key(group: 0, hash: 32 * UInt64(limit + 1), fingerprint: 7), window: 60, now: now).value == 1)
    #expect(table.read(0, table.key(group: 0, hash: 64, fingerprint: 7), window: 3600, now: now).value == 1)
}

@Test func countsSurviveReopeningAndReset() throws {
    let (path, directory) = scratchCounterPath()
    defer { try? FileManager.default.removeItem(at: directory) }
    let definitions = try referenceCounterDefinitions()
    do {
        let table = try CounterTable.create(path: path, definitions: definitions, slotsPerGroup: 64)
        var key = table.key(group: 1, "192.0.2.1")
        for i in 0..<3 { table.record(1, &key, at: t0 + Int64(i)) }
    }
    let reopened = try CounterTable.open(path: path, definitions: definitions)
    #expect(reopened.read(1, reopened.key(group: 1, "192.0.2.1"), window: 3600, now: t0 + 10).value == 3)
    try reopened.reset()
    #expect(reopened.read(1, reopened.key(group: 1, "192.0.2.1"), window: 3600, now: t0 + 10).value == 0)
    #expect(reopened.statistics()[1].occupied == 0)
}

@Test func manyThreadsRecordingTheSameKeysLoseNoEvents() throws {
    let (table, directory) = try scratchCounterTable(["n by card retain 1d", "usd by card sum amount retain 1d"], slots: 1024)
    defer { try? FileManager.default.removeItem(at: directory) }
    let threads = 4, perThread = 20_000
    DispatchQueue.concurrentPerform(iterations: threads) { thread in
        for i in 0..<perThread {
            var key = table.key(group: 0, "card-\(i % 8)")
            let now = t0 + Int64(i / 100)
            table.record(0, &key, at: now)
            table.record(1, &key, at: now, amount: 0.5)
        }
    }
    var total = 0.0, sum = 0.0
    for k in 0..<8 {
        let key = table.key(group: 0, "card-\(k)")
        total += table.read(0, key, window: 86_400, now: t0 + 1000).value
        sum += table.read(1, key, window: 86_400, now: t0 + 1000).value
    }
    #expect(total == Double(threads * perThread))
    #expect(sum == Double(threads * perThread) * 0.5)
    #expect(table.statistics()[0].occupied == 8)
}

@Test func neighbouringSlotsAndCountersStayIndependent() throws {
    let (table, directory) = try scratchCounterTable(referenceCounterDeclarations, slots: 16)
    defer { try? FileManager.default.removeItem(at: directory) }
    // Keys 1...8 sit in consecutive slots of every group; key k gets k events on every counter.
    for group in 0..<3 {
        for k in 1...8 {
            var key = table.key(group: group, hash: UInt64(k), fingerprint: 9)
            for i in 0..<k {
                for counter in 0..<6 where table.group(ofCounter: counter) == group {
                    if case .distinct = table.definitions[counter].aggregate {
                        table.record(counter, &key, at: t0 + Int64(i), distinct: UInt64(100 + i))
                    } else {
                        table.record(counter, &key, at: t0 + Int64(i), amount: 2)
                    }
                }
            }
        }
    }
    for group in 0..<3 {
        for k in 1...8 {
            let key = table.key(group: group, hash: UInt64(k), fingerprint: 9)
            for counter in 0..<6 where table.group(ofCounter: counter) == group {
                let expected = table.definitions[counter].aggregate == .sum("amount_usd") ? 2.0 * Double(k) : Double(k)
                #expect(table.read(counter, key, window: 3600, now: t0 + 100).value == expected)
            }
        }
    }
    #expect(table.statistics().allSatisfy { $0.collisions == 0 && $0.evictions == 0 && $0.occupied == 8 })
}

@Test func ringPositionsAndBucketNumbersMatchPlainArithmetic() {
    var generator = SystemRandomNumberGenerator()
    for bucket: Int64 in [1, 10, 16, 60, 300, 900, 3600] {
        for (resolution, buckets) in CounterLayout.levels(retain: 400 * 86_400, bucket: bucket) {
            let level = CounterLevel(resolution: resolution, buckets: buckets, offset: 0)
            for _ in 0..<2000 {
                let time = Int64(UInt32.random(in: 0...UInt32.max, using: &generator))
                let number = level.bucket(time)
                #expect(Int64(number) == time / resolution)
                #expect(level.position(number) == Int(number) % buckets)
            }
        }
    }
}

@Test func manyThreadsAddingDistinctValuesToOneKeyLoseNone() throws {
    let (table, directory) = try scratchCounterTable(["cards by ip distinct card retain 1d"])
    defer { try? FileManager.default.removeItem(at: directory) }
    for round in 0..<20 {
        let now = t0 + Int64(round) * 2 * 86_400   // each round starts after the last expired
        DispatchQueue.concurrentPerform(iterations: 4) { thread in
            var key = table.key(group: 0, "10.0.0.1")
            for value in 0..<8 {
                table.record(0, &key, at: now, distinct: CounterTable.distinctHash("card-\(round)-\(thread)-\(value)"))
            }
        }
        let reading = table.read(0, table.key(group: 0, "10.0.0.1"), window: 3600, now: now)
        #expect(reading == CounterReading(value: 32), "round \(round)")
    }
}

@Test func aBatchOfReadsOfOneKeyGivesTheSingleReadings() throws {
    let (table, directory) = try scratchCounterTable([
        "n by card retain 7d", "usd by card sum amount retain 30d bucket 1h", "d by card distinct value retain 1d",
        "other by ip retain 1d",
    ])
    defer { try? FileManager.default.removeItem(at: directory) }
    var key = table.key(group: 0, "card")
    for step in 0..<300 {
        let now = t0 + Int64(step) * 317
        table.record(0, &key, at: now)
        table.record(1, &key, at: now, amount: Double(step % 7))
        table.record(2, &key, at: now, distinct: CounterTable.distinctHash("v\(step % 11)"))
    }
    let now = t0 + 299 * 317 + 30   // 30 s after the last event
    // Counter 3 belongs to another group and -1 / 9 are no counter: they read 0, as single reads do.
    let counters = [0, 0, 1, 2, 0, 3, -1, 9, 1]
    let windows: [Int64] = [60, 3600, 86_400, 3600, 7 * 86_400, 3600, 3600, 3600, 30 * 86_400]
    var values = [Double](repeating: .nan, count: counters.count)
    counters.withUnsafeBufferPointer { c in
        windows.withUnsafeBufferPointer { w in
            values.withUnsafeMutableBufferPointer { v in table.read(c, windows: w.baseAddress!, key: key, now: now, into: v.baseAddress!) }
        }
    }
    let singles = zip(counters, windows).map { table.read($0, key, window: $1, now: now).value }
    #expect(values == singles)
    #expect(values[0] > 0 && values[2] > 0 && values[3] > 0 && values[5] == 0 && values[6] == 0 && values[7] == 0)
    // A key without a slot reads 0 everywhere.
    let absent = table.key(group: 0, "never seen")
    counters.withUnsafeBufferPointer { c in
        windows.withUnsafeBufferPointer { w in
            values.withUnsafeMutableBufferPointer { v in table.read(c, windows: w.baseAddress!, key: absent, now: now, into: v.baseAddress!) }
        }
    }
    #expect(values == [Double](repeating: 0, count: counters.count))
}
