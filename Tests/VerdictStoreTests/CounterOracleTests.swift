// The counters against exact sliding windows over the reference events (`make workload`): the
// exact values of features.csv (written by ../shared/bench/gen_workload.py) and an exact oracle
// here for the documented upper bound. Every reading must lie in [exact(window),
// exact(window + one bucket of the ring read)]; distinct counts must equal min(exact, 32),
// saturated exactly when the true count exceeds 32.
import Foundation
import Testing
@testable import VerdictStore

/// Events replayed: enough for bursts, multi-day windows and a few thousand repeat keys, fast in
/// a debug build.
private let oracleEvents = 20_000

private func workloadDirectory() -> String? {
    let environment = ProcessInfo.processInfo.environment["VERDICT_WORKLOAD"]
    let fallback = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent(".build-workload").path
    let directory = environment ?? fallback
    return FileManager.default.fileExists(atPath: directory + "/features.csv") ? directory : nil
}

private func csvRows(_ path: String, limit: Int) throws -> [[Substring]] {
    let text = try String(contentsOfFile: path, encoding: .utf8)
    return text.split(separator: "\n").dropFirst().prefix(limit).map { $0.split(separator: ",", omittingEmptySubsequences: false) }
}

/// Exact sliding windows: every event time (and amount, value) per key, in event order.
private struct ExactWindows {
    var times: [String: [Int64]] = [:]
    var amounts: [String: [Double]] = [:]
    var values: [String: [String]] = [:]

    /// Index of the first time > bound (times are ascending).
    func firstAfter(_ list: [Int64], _ bound: Int64) -> Int {
        var low = 0, high = list.count
        while low < high {
            let mid = (low + high) / 2
            if list[mid] > bound { high = mid } else { low = mid + 1 }
        }
        return low
    }

    func count(_ key: String, after bound: Int64) -> Int {
        guard let list = times[key] else { return 0 }
        return list.count - firstAfter(list, bound)
    }

    func sum(_ key: String, after bound: Int64) -> Double {
        guard let list = times[key] else { return 0 }
        return amounts[key]![firstAfter(list, bound)...].reduce(0, +)
    }

    func distinct(_ key: String, after bound: Int64) -> Int {
        guard let list = times[key] else { return 0 }
        return Set(values[key]![firstAfter(list, bound)...]).count
    }

    mutating func add(_ key: String, _ time: Int64, amount: Double = 0, value: String = "") {
        times[key, default: []].append(time)
        amounts[key, default: []].append(amount)
        values[key, default: []].append(value)
    }
}

@Test func countersStayWithinTheDocumentedBoundOfExactSlidingWindows() throws {
    guard let directory = workloadDirectory() else {
        print("skipped: no reference workload (run `make workload` or set VERDICT_WORKLOAD)")
        return
    }
    let features = try csvRows(directory + "/features.csv", limit: oracleEvents)
    let hits = try csvRows(directory + "/list_hits.csv", limit: oracleEvents)
    let handle = try #require(FileHandle(forReadingAtPath: directory + "/events.ndjson"))
    defer { try? handle.close() }
    let head = handle.readData(ofLength: 1200 * oracleEvents)
    let lines = head.split(separator: UInt8(ascii: "\n")).prefix(oracleEvents)
    #expect(lines.count == oracleEvents && features.count == oracleEvents)

    let (path, scratch) = scratchCounterPath()
    defer { try? FileManager.default.removeItem(at: scratch) }
    let table = try CounterTable.create(path: path, definitions: try referenceCounterDefinitions(), slotsPerGroup: 1 << 16)
    var cards = ExactWindows(), ips = ExactWindows(), emails = ExactWindows(), blocks = ExactWindows()
    let hour: Int64 = 3600, day: Int64 = 86_400
    var failures = 0, overshoots = 0, checked = 0

    func within(_ got: Double, _ exact: Double, _ upper: Double, _ what: String, _ line: Int) {
        checked += 1
        let slack = 1e-5 * upper + 0.01
        if got < exact - slack || got > upper + slack {
            failures += 1
            if failures <= 10 { Issue.record("event \(line) \(what): got \(got), exact \(exact), bound \(upper)") }
        }
        if got > exact + slack { overshoots += 1 }
    }

    for (index, line) in lines.enumerated() {
        let event = try #require(try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])
        let now = try #require((event["created_at"] as? NSNumber)?.int64Value)
        let card = try #require(event["card.fingerprint"] as? String)
        let ip = try #require(event["ip"] as? String)
        let email = event["email"] as? String
        let amount = try #require((event["amount_usd"] as? NSNumber)?.doubleValue)
        let row = features[index]
        func column(_ i: Int) -> Double? { Double(row[i]) }

        var cardKey = table.key(group: 0, card)
        var ipKey = table.key(group: 1, ip)
        // The Swift oracle agrees with gen_workload.py's exact features...
        #expect(Double(cards.count(card, after: now - hour)) == column(15))
        #expect(Double(ips.distinct(ip, after: now - hour)) == column(19))
        // ... and the table stays within one bucket of it.
        within(table.read(0, cardKey, window: hour, now: now).value, column(15)!,
               Double(cards.count(card, after: now - hour - 60)), "attempts_per_card(1h)", index)
        within(table.read(0, cardKey, window: day, now: now).value, column(16)!,
               Double(cards.count(card, after: now - day - hour)), "attempts_per_card(24h)", index)
        within(table.read(1, ipKey, window: hour, now: now).value, column(17)!,
               Double(ips.count(ip, after: now - hour - 60)), "attempts_per_ip(1h)", index)
        let cardsPerIp = table.read(4, ipKey, window: hour, now: now)
        #expect(cardsPerIp.value == min(column(19)!, 32) && cardsPerIp.isSaturated == (column(19)! > 32))
        within(table.read(5, cardKey, window: 7 * day, now: now).value, column(21)!,
               Double(blocks.count(card, after: now - 8 * day)), "blocks_per_card(7d)", index)
        var emailKey: CounterKey?
        if let email {
            let key = table.key(group: 2, email)
            within(table.read(2, key, window: day, now: now).value, column(20)!,
                   emails.sum(email, after: now - day - hour), "usd_per_email(24h)", index)
            let cardsPerEmail = table.read(3, key, window: day, now: now)
            #expect(cardsPerEmail.value == min(column(18)!, 32) && cardsPerEmail.isSaturated == (column(18)! > 32))
            emailKey = key
        } else {
            #expect(row[18].isEmpty && row[20].isEmpty)
        }

        // Record the event, and a block when gen_workload.py's proxy verdict is block.
        let cardHash = CounterTable.distinctHash(card)
        table.record(0, &cardKey, at: now)
        table.record(1, &ipKey, at: now)
        table.record(4, &ipKey, at: now, distinct: cardHash)
        cards.add(card, now)
        ips.add(ip, now, value: card)
        if let email, var key = emailKey {
            table.record(2, &key, at: now, amount: amount)
            table.record(3, &key, at: now, distinct: cardHash)
            emails.add(email, now, amount: amount, value: card)
        }
        let hit = hits[index].map { $0 == "1" }
        let newCard = column(1)! < 1, usd = column(0)!
        let block = hit[0] || hit[1] || hit[2] || (column(15)! > 10 && usd < 5) || column(17)! > 30
            || column(19)! >= 5 || column(21)! >= 3 || (column(13) == 1 && newCard)
            || (column(6) == 1 && column(7) == 1 && newCard) || (column(3) ?? 0) >= 3 || (usd > 20_000 && newCard)
        if block && !(hit[5] || (hit[6] && usd < 200)) {
            table.record(5, &cardKey, at: now)
            blocks.add(card, now)
        }
    }
    #expect(failures == 0)
    #expect(checked >= 4 * oracleEvents)
    #expect(table.statistics().allSatisfy { $0.evictions == 0 && $0.dropped == 0 })
    print("oracle: \(checked) window readings within bounds, \(overshoots) above the exact value")
}
