// Fitted buckets, the differences reported when a file was made for other counters, and
// migrating a file to other definitions (CounterMigration.swift): counts kept ring by ring, new
// rings and new counters empty, dropped counters gone, distinct entries carried over.
import Foundation
import Testing
@testable import VerdictStore

private let hour: Int64 = 3600, day: Int64 = 86_400
@Test func theBucketIsAnHourOrADayOnlyWhenEveryWindowReadIsOverThat() {
    #expect(CounterDefinition.fittedBucket(aggregate: .count, retain: 7 * day, windows: [7 * day]) == 86_400)
    #expect(CounterDefinition.fittedBucket(aggregate: .count, retain: 7 * day, windows: [7 * day, day + 1]) == 86_400)
    #expect(CounterDefinition.fittedBucket(aggregate: .count, retain: 7 * day, windows: [7 * day, day]) == 3600)
    #expect(CounterDefinition.fittedBucket(aggregate: .sum("x"), retain: 30 * day, windows: [day, day, 2 * hour]) == 3600)
    // One window of an hour or less keeps the 1-minute ring.
    #expect(CounterDefinition.fittedBucket(aggregate: .count, retain: 7 * day, windows: [day, hour]) == 60)
    #expect(CounterDefinition.fittedBucket(aggregate: .count, retain: 7 * day, windows: [day, 1800]) == 60)
    // Windows are clamped to the retain: a 1-hour retain read over a day is read over an hour.
    #expect(CounterDefinition.fittedBucket(aggregate: .count, retain: hour, windows: [day]) == 60)
    // Distinct counters have no buckets; a counter no rule reads keeps the default.
    #expect(CounterDefinition.fittedBucket(aggregate: .distinct("x"), retain: 30 * day, windows: [day]) == 60)
    #expect(CounterDefinition.fittedBucket(aggregate: .count, retain: 30 * day, windows: []) == 60)
}

@Test func aFittedBucketReadsTheSameAsOneMinuteForTheWindowsItWasFittedTo() throws {
    let minute = try CounterDefinition(declaration: "c by k retain 7d")
    var hourly = minute, daily = minute
    hourly.bucket = 3600
    daily.bucket = 86_400
    let (pathA, directory) = scratchCounterPath("a.vct")
    defer { try? FileManager.default.removeItem(at: directory) }
    let a = try CounterTable.create(path: pathA, definitions: [minute], slotsPerGroup: 16)
    let b = try CounterTable.create(path: directory.appendingPathComponent("b.vct").path, definitions: [hourly], slotsPerGroup: 16)
    let c = try CounterTable.create(path: directory.appendingPathComponent("c.vct").path, definitions: [daily], slotsPerGroup: 16)
    // Slots: 16 bytes of header, then 61 + 25 + 8 cells, 25 + 8, 8.
    #expect([a, b, c].map { $0.layout.groups[0].usedBytes } == [16 + 8 * 94, 16 + 8 * 33, 16 + 8 * 8])
    var ka = a.key(group: 0, "k"), kb = b.key(group: 0, "k"), kc = c.key(group: 0, "k")
    var random = SystemRandomNumberGenerator()
    var now = t0
    for _ in 0..<1000 {
        now += Int64.random(in: 0...2400, using: &random)
        for window: Int64 in [hour + 1, 2 * hour, 90 * 60, day, 3 * day, 7 * day] {
            #expect(a.read(0, ka, window: window, now: now) == b.read(0, kb, window: window, now: now))
        }
        for window: Int64 in [day + 1, 3 * day, 7 * day] {
            #expect(a.read(0, ka, window: window, now: now) == c.read(0, kc, window: window, now: now))
        }
        a.record(0, &ka, at: now)
        b.record(0, &kb, at: now)
        c.record(0, &kc, at: now)
    }
}

@Test func differencesNameTheCounterAndWhatChanged() throws {
    let file = try referenceCounterDefinitions()
    var wanted = file
    wanted[2].bucket = 3600
    wanted[0].retain = 30 * day
    wanted.remove(at: 4)
    wanted.append(try CounterDefinition(declaration: "declines_per_card by card.fingerprint retain 1d"))
    let differences = counterDifferences(file: file, wanted: wanted)
    #expect(differences == [
        "counter 'attempts_per_card': retain 7d in the file, 30d wanted",
        "counter 'usd_per_email': bucket 1m in the file, 1h wanted",
        "counter 'declines_per_card' is not in the file (wanted: counter declines_per_card by card.fingerprint retain 1d)",
        "counter 'cards_per_ip' is in the file but not wanted",
    ])
    #expect(counterDifferences(file: file, wanted: file).isEmpty)
    #expect(counterDifferences(file: file, wanted: file.reversed()).first?.hasPrefix("the same counters in another order") == true)

    // Opening the file with other definitions says which counter differs and how, and points to `migrate`.
    let (path, directory) = scratchCounterPath()
    defer { try? FileManager.default.removeItem(at: directory) }
    _ = try CounterTable.create(path: path, definitions: file, slotsPerGroup: 16)
    var bucketChanged = file
    bucketChanged[5].bucket = 3600
    do {
        _ = try CounterTable.open(path: path, definitions: bucketChanged)
        Issue.record("a file with other buckets was accepted")
    } catch {
        #expect(error == .definitionsMismatch(path: path, differences: ["counter 'blocks_per_card': bucket 1m in the file, 1h wanted"]))
        #expect(error.description.contains("counter 'blocks_per_card': bucket 1m in the file, 1h wanted"))
        #expect(error.description.contains("verdict counters migrate \(path) --rules RULES -o NEW"))
    }
}

/// Creates `old` with `definitions`, lets `fill` record into it, migrates it to `wanted` and
/// returns both tables and the report.
private func migrate(_ definitions: [String], to wanted: [String], slots: Int = 64,
                     fill: (CounterTable) -> Void) throws -> (old: CounterTable, new: CounterTable, report: CounterMigrationReport, directory: URL) {
    let (path, directory) = scratchCounterPath("old.vct")
    let old = try CounterTable.create(path: path, definitions: try definitions.map { try CounterDefinition(declaration: $0) }, slotsPerGroup: 64)
    fill(old)
    let new = try CounterTable.create(path: directory.appendingPathComponent("new.vct").path,
                                      definitions: try wanted.map { try CounterDefinition(declaration: $0) }, slotsPerGroup: slots)
    return (old, new, try new.copyCounts(from: old), directory)
}

/// Records, for 40 keys, one event every 7 minutes over 3 days (and a sum and distinct values).
private func record(_ table: CounterTable) {
    for k in 0..<40 {
        for step in 0..<(3 * 24 * 60 / 7) {
            let now = t0 + Int64(step) * 420
            for (counter, definition) in table.definitions.enumerated() {
                var key = table.key(group: table.group(ofCounter: counter), "key\(k)")
                switch definition.aggregate {
                case .count: table.record(counter, &key, at: now)
                case .sum: table.record(counter, &key, at: now, amount: Double(step % 5))
                case .distinct: table.record(counter, &key, at: now, distinct: CounterTable.distinctHash("v\((step + k) % 50)"))
                }
            }
        }
    }
}

private let end = t0 + 3 * day

@Test func aMigrationToTheSameCountersKeepsEveryReading() throws {
    let declarations = ["n by k retain 7d", "s by k sum amount retain 7d", "d by k distinct v retain 1d", "m by other retain 1d"]
    let (old, new, report, directory) = try migrate(declarations, to: declarations, fill: record)
    defer { try? FileManager.default.removeItem(at: directory) }
    #expect(report.copied == ["n", "s", "d", "m"] && report.emptyRings.isEmpty && report.started.isEmpty && report.dropped.isEmpty)
    #expect(report.keys == 80 && report.evictions == 0)
    for k in 0..<40 {
        for counter in 0..<4 {
            let oldKey = old.key(group: old.group(ofCounter: counter), "key\(k)"), newKey = new.key(group: new.group(ofCounter: counter), "key\(k)")
            for window: Int64 in [60, 1800, hour, 5 * hour, day, 3 * day, 7 * day] {
                #expect(old.read(counter, oldKey, window: window, now: end) == new.read(counter, newKey, window: window, now: end))
            }
        }
    }
    // The new file goes on counting where the old one stopped.
    var key = new.key(group: 0, "key3")
    let before = new.read(0, key, window: hour, now: end + 60).value
    new.record(0, &key, at: end + 30)
    #expect(new.read(0, key, window: hour, now: end + 60).value == before + 1)
}

@Test func aMigrationThatAddsAFineRingKeepsTheLongWindowsAndStartsTheShortOnesEmpty() throws {
    // The counter was read at 1d only (1-hour buckets); a new rule reads it over 30 minutes.
    let (old, new, report, directory) = try migrate(["n by k retain 7d bucket 1h"], to: ["n by k retain 7d"], fill: record)
    defer { try? FileManager.default.removeItem(at: directory) }
    #expect(report.copied == ["n"] && report.emptyRings == ["n 1m"])
    var key = new.key(group: 0, "key1")
    let oldKey = old.key(group: 0, "key1")
    for window in [2 * hour, day, 3 * day] {
        #expect(new.read(0, key, window: window, now: end) == old.read(0, oldKey, window: window, now: end))
    }
    // Windows of an hour or less are served by the new 1-minute ring: they count the events
    // recorded after the migration only, until an hour has passed.
    #expect(new.read(0, key, window: 1800, now: end).value == 0)
    new.record(0, &key, at: end + 10)
    new.record(0, &key, at: end + 700)
    #expect(new.read(0, key, window: 1800, now: end + 800).value == 2)
    #expect(new.read(0, key, window: 2 * hour, now: end + 800).value == old.read(0, oldKey, window: 2 * hour, now: end + 800).value + 2)
}

@Test func aMigrationAddsAndDropsCountersAndCopiesShorterRingsByBucket() throws {
    let (old, new, report, directory) = try migrate(
        ["n by k retain 7d", "gone by k retain 1d", "d by k distinct v retain 1d"],
        to: ["d by k distinct v retain 1d", "n by k retain 2d", "fresh by k retain 1d", "n2 by other retain 1d"],
        slots: 16, fill: record)
    defer { try? FileManager.default.removeItem(at: directory) }
    #expect(report.copied == ["d", "n"] && report.started == ["fresh", "n2"] && report.dropped == ["gone"])
    #expect(report.emptyRings.isEmpty)
    // 40 keys in 16 slots: the keys that found no room evicted older ones.
    #expect(report.keys == 40 && report.evictions == 40 - 16)
    var compared = 0
    for k in 0..<40 {
        let newKey = new.key(group: 0, "key\(k)")
        guard newKey.isPresent else { continue }
        compared += 1
        let oldKey = old.key(group: 0, "key\(k)")
        #expect(new.read(0, newKey, window: day, now: end) == old.read(2, oldKey, window: day, now: end))
        // The 2-day retain keeps the newest 3 day buckets of the 8: windows up to 2 days read the same.
        for window: Int64 in [1800, hour, day, 2 * day] {
            #expect(new.read(1, newKey, window: window, now: end) == old.read(0, oldKey, window: window, now: end))
        }
        #expect(new.read(2, newKey, window: day, now: end).value == 0)
    }
    #expect(compared == 16)
}
