// The store's hot path allocates nothing (DESIGN.md): after warm-up, hashing and locating counter
// keys, reading windows (single and per key), recording count, sum and distinct updates, renewing
// and resetting the list snapshot and looking up every list kind (hits and misses, text and
// binary) perform zero heap allocations on the calling thread, counted by the interposed malloc of
// CMallocCounter. Only a renew that finds new list contents rebuilds filters (and may allocate).
import CMallocCounter
import Foundation
import Testing
@testable import VerdictStore

/// Keys as raw bytes, as an engine hands them over (no Swift strings on the hot path).
private let cards: [StaticString] = ["card_0001", "card_0002_with_a_longer_fingerprint", "card_0003"]
private let ips: [StaticString] = ["10.0.0.1", "192.168.7.33"]

private func bytes(_ s: StaticString) -> UnsafeRawBufferPointer {
    UnsafeRawBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount)
}

@Test func counterReadsAndUpdatesAllocateNothing() throws {
    let (path, directory) = scratchCounterPath()
    defer { try? FileManager.default.removeItem(at: directory) }
    let table = try CounterTable.create(path: path, definitions: try referenceCounterDefinitions(), slotsPerGroup: 1 << 10)
    let counters = UnsafeMutablePointer<Int>.allocate(capacity: 3)
    let windows = UnsafeMutablePointer<Int64>.allocate(capacity: 3)
    let values = UnsafeMutablePointer<Double>.allocate(capacity: 3)
    let keys = UnsafeMutablePointer<CounterKey>.allocate(capacity: 2)
    defer { counters.deallocate(); windows.deallocate(); values.deallocate(); keys.deallocate() }
    (counters[0], counters[1], counters[2]) = (0, 0, 5)
    (windows[0], windows[1], windows[2]) = (3600, 86_400, 7 * 86_400)
    let valueHash = CounterTable.distinctHash("card_0001")
    var total = 0.0
    func event(_ i: Int) {
        let now = t0 + Int64(i) * 37
        keys[0] = CounterTable.hashedKey(group: 0, bytes: bytes(cards[i % cards.count]))
        keys[1] = CounterTable.hashedKey(group: 1, bytes: bytes(ips[i % ips.count]))
        table.locate(UnsafeMutableBufferPointer(start: keys, count: 2))
        table.read(UnsafeBufferPointer(start: counters, count: 3), windows: windows, key: keys[0], now: now, into: values)
        total += values[0] + values[1] + values[2]
        total += table.read(1, keys[1], window: 3600, now: now).value + table.read(4, keys[1], window: 3600, now: now).value
        table.record(0, &keys[0], at: now)
        table.record(5, &keys[0], at: now)
        table.record(1, &keys[1], at: now)
        table.record(4, &keys[1], at: now, distinct: valueHash &+ UInt64(i % 40))
        var email = table.key(group: 2, bytes: bytes(cards[i % cards.count]))
        table.record(2, &email, at: now, amount: Double(i % 100))
        total += table.read(2, email, window: 86_400, now: now).value
    }
    for i in 0..<200 { event(i) }
    vd_malloc_counter_start()
    for i in 200..<2_200 { event(i) }
    let allocations = vd_malloc_counter_stop()
    #expect(allocations == 0)
    #expect(total > 0)
}

@Test func listLookupsOfEveryKindAllocateNothing() throws {
    let directory = makeTemporaryListDirectory("zero-allocation")
    let store = try ListStore(directory: directory, create: true)
    try store.create(list: "emails", kind: .stringCaseInsensitive)
    try store.create(list: "cards", kind: .string)
    try store.create(list: "networks", kind: .ip)
    try store.create(list: "bins", kind: .prefix)
    _ = try store.add([ListEntry("a@b.com"), ListEntry("x@y.org")], to: "emails")
    _ = try store.add([ListEntry("card_0001")], to: "cards")
    _ = try store.add([ListEntry("10.0.0.0/8"), ListEntry("2001:db8::/32"), ListEntry("192.168.7.33")], to: "networks")
    _ = try store.add([ListEntry("411111"), ListEntry("5500")], to: "bins")
    let reader = store.makeReader()
    let emails = try reader.handle("emails"), cardList = try reader.handle("cards")
    let networks = try reader.handle("networks"), bins = try reader.handle("bins")
    let emailValues: [StaticString] = ["A@B.com", "nobody@example.com"]
    let binValues: [StaticString] = ["4111110000000000", "5500123412341234", "6011000000000000"]
    let ipv4: [[UInt8]] = [[10, 1, 2, 3], [172, 16, 0, 1], [192, 168, 7, 33]]
    let ipv6: [UInt8] = [0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 7, count: 12)
    var hits = 0
    func evaluation(_ i: Int) throws {
        try reader.renew()
        defer { reader.reset() }
        let now = t0 + Int64(i)
        hits += try reader.contains(emails, utf8: bytes(emailValues[i % 2]), now: now) ? 1 : 0
        hits += try reader.contains(cardList, utf8: bytes(cards[i % cards.count]), now: now) ? 1 : 0
        hits += try reader.contains(bins, utf8: bytes(binValues[i % 3]), now: now) ? 1 : 0
        hits += try ipv4[i % 3].withUnsafeBytes { try reader.contains(networks, ipBytes: $0, now: now) } ? 1 : 0
        hits += try ipv6.withUnsafeBytes { try reader.contains(networks, ipBytes: $0, now: now) } ? 1 : 0
    }
    for i in 0..<100 { try evaluation(i) }
    hits = 0
    vd_malloc_counter_start()
    for i in 0..<1_200 { try evaluation(i) }
    let allocations = vd_malloc_counter_stop()
    #expect(allocations == 0)
    // Per 6 evaluations: emails 3, cards 2, bins 4, ipv4 4, ipv6 6 hits.
    #expect(hits == 1_200 / 6 * (3 + 2 + 4 + 4 + 6))
}
