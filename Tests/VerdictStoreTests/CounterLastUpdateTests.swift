// The slot's minute of last update: reads skip the rings and distinct entries that can hold
// nothing newer than it, so it must be exact for the reads (a true maximum even with racing and
// out-of-order writers), and a skipped read must give exactly what summing the ring gives.
import Foundation
import Synchronization
import Testing
@testable import VerdictStore

/// One key's events, in order: time, amount, distinct value.
private struct KeyHistory {
    var events: [(time: Int64, amount: Double, value: Int)] = []
}

/// What a ring read gives (docs/counters.md): the events from the start of the bucket, in the
/// ring serving the window, that holds the window's start; for distinct counters the values seen
/// after the window's start.
private func expectedReading(_ table: CounterTable, counter: Int, _ history: KeyHistory, window: Int64, now: Int64) -> Double {
    let definition = table.definitions[counter]
    let window = min(window, definition.retain)
    let start = max(now - window, 0)
    if case .distinct = definition.aggregate {
        return Double(Set(history.events.filter { $0.time > start }.map(\.value)).count)
    }
    let levels = table.layout.counters[counter].levels
    let level = levels.first { window <= $0.span } ?? levels[levels.count - 1]
    let from = start / level.resolution * level.resolution
    let inWindow = history.events.filter { $0.time >= from }
    if case .sum = definition.aggregate { return inWindow.reduce(0) { $0 + $1.amount } }
    return Double(inWindow.count)
}

@Test func readsThatSkipByTheMinuteOfLastUpdateEqualTheRingSums() throws {
    let (table, directory) = try scratchCounterTable([
        "n by card retain 7d",
        "usd by card sum amount retain 30d bucket 1h",
        "b by card retain 7d bucket 1d",
        "d by card distinct value retain 1d",
        "n10 by card retain 2h bucket 10s",
    ], slots: 64)
    defer { try? FileManager.default.removeItem(at: directory) }
    // Gaps on and beside every bucket and ring boundary, so that a key's last update lands just
    // before, on and after the start of the bucket a later read begins with.
    let gaps: [Int64] = [0, 1, 9, 10, 11, 59, 60, 61, 119, 3599, 3600, 3601, 7199, 7200, 7201,
                         86_399, 86_400, 86_401, 7 * 86_400 - 1, 7 * 86_400, 7 * 86_400 + 1, 31 * 86_400]
    let windows: [Int64] = [1, 10, 59, 60, 61, 600, 3599, 3600, 3601, 7200, 86_399, 86_400, 86_401,
                            3 * 86_400, 7 * 86_400, 30 * 86_400]
    var generator = SystemRandomNumberGenerator()
    var histories = [KeyHistory](repeating: KeyHistory(), count: 4)
    var now = t0 + 17
    var reads = 0, skippable = 0
    for _ in 0..<2_500 {
        // Mostly short gaps (bursts), sometimes a boundary gap or a long silence.
        now += Bool.random(using: &generator) ? Int64.random(in: 0...90, using: &generator)
                                              : gaps.randomElement(using: &generator)!
        let k = Int.random(in: 0..<4, using: &generator)
        var key = table.key(group: 0, "card-\(k)")
        if key.isPresent {
            let minute = lastUpdateMinute(table.groupPlans[0].slot(key.slot)).pointee.load(ordering: .relaxed)
            #expect(Int64(minute) == histories[k].events.last!.time / 60)
        }
        for counter in 0..<table.definitions.count {
            for window in windows {
                let got = table.read(counter, key, window: window, now: now).value
                let want = expectedReading(table, counter: counter, histories[k], window: window, now: now)
                #expect(got == want, "counter \(table.definitions[counter].name), window \(window), now \(now - t0)")
                reads += 1
                if want == 0 && !histories[k].events.isEmpty { skippable += 1 }
            }
        }
        let amount = Double(Int.random(in: 1...100, using: &generator))
        let value = Int.random(in: 0..<8, using: &generator)
        table.record(0, &key, at: now)
        table.record(1, &key, at: now, amount: amount)
        table.record(2, &key, at: now)
        table.record(3, &key, at: now, distinct: CounterTable.distinctHash("value-\(value)"))
        table.record(4, &key, at: now)
        histories[k].events.append((now, amount, value))
    }
    #expect(expectNoCellAfterTheLastUpdate(table) > 0)
    // The replay exercised both paths: reads of keys with data that found nothing in the window.
    #expect(reads == 2_500 * 5 * windows.count)
    #expect(skippable > reads / 20)
}

@Test func anOlderUpdateDoesNotLowerTheMinuteOfLastUpdate() throws {
    let (table, directory) = try scratchCounterTable(["n by card retain 1d"])
    defer { try? FileManager.default.removeItem(at: directory) }
    var key = table.key(group: 0, "card")
    table.record(0, &key, at: t0 + 7200)
    table.record(0, &key, at: t0 + 3600)   // a late event (a dispute), an hour older
    let slot = table.groupPlans[0].slot(key.slot)
    #expect(lastUpdateMinute(slot).pointee.load(ordering: .relaxed) == UInt32((t0 + 7200) / 60))
    #expect(table.read(0, key, window: 60, now: t0 + 7230).value == 1)
    #expect(table.read(0, key, window: 86_400, now: t0 + 7230).value == 2)
}

@Test func racingOutOfOrderWritersLeaveTheLatestMinuteAndEveryEvent() throws {
    let (table, directory) = try scratchCounterTable(["n by card retain 1d"], slots: 1024)
    defer { try? FileManager.default.removeItem(at: directory) }
    let threads = 4, perThread = 10_000, keys = 8
    let latest = Mutex([Int64](repeating: 0, count: keys))
    DispatchQueue.concurrentPerform(iterations: threads) { _ in
        var generator = SystemRandomNumberGenerator()
        var mine = [Int64](repeating: 0, count: keys)
        for _ in 0..<perThread {
            let k = Int.random(in: 0..<keys, using: &generator)
            // Any order within one day: every event fits the hour ring of the 1-day window.
            let now = t0 + Int64.random(in: 0..<86_400, using: &generator)
            var key = table.key(group: 0, "card-\(k)")
            table.record(0, &key, at: now)
            mine[k] = max(mine[k], now)
        }
        latest.withLock { all in for k in 0..<keys { all[k] = max(all[k], mine[k]) } }
    }
    var total = 0.0
    for k in 0..<keys {
        let key = table.key(group: 0, "card-\(k)")
        let slot = table.groupPlans[0].slot(key.slot)
        let newest = latest.withLock { $0[k] }
        #expect(lastUpdateMinute(slot).pointee.load(ordering: .relaxed) == UInt32(newest / 60))
        total += table.read(0, key, window: 86_400, now: t0 + 86_399).value
    }
    #expect(total == Double(threads * perThread))
    #expect(expectNoCellAfterTheLastUpdate(table) > 8 * 24)
}
