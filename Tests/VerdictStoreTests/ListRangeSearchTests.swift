// The ip and prefix floor searches against brute-force oracles on random nested and
// overlapping ranges (dense in a small address space so that nesting is the common case),
// with some entries expired.
import Testing
@testable import VerdictStore

private struct Generator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}

@Test func ipSearchFindsTheMostSpecificLiveRangeLikeBruteForce() throws {
    var g = Generator(state: 7)
    let s = try ListStore(directory: makeTemporaryListDirectory("ipsearch"))
    try s.create(list: "nets", kind: .ip)
    var entries: [(network: ListIPNetwork, expired: Bool)] = []
    for _ in 0..<400 {
        let length = 14 + g.below(19)  // /14 ... /32 inside 10.0.0.0/14
        let address = UInt64(0x0A00_0000) | UInt64(g.below(1 << 18))
        var n = ListIPNetwork(isV4: true, high: 0, low: address, prefixLength: 32)
        n.setToPrefix(length)
        entries.removeAll { $0.network == n }
        entries.append((n, g.below(5) == 0))
    }
    for _ in 0..<60 {  // IPv6 ranges in 2001:db8::/112 style space
        let length = 100 + g.below(29)
        var n = ListIPNetwork(isV4: false, high: 0x2001_0db8_0000_0000, low: UInt64(g.below(1 << 28)), prefixLength: 128)
        n.setToPrefix(length)
        entries.removeAll { $0.network == n }
        entries.append((n, g.below(5) == 0))
    }
    try s.add(entries.map { ListEntry($0.network.description, metadata: ListEntryMetadata(expiresAt: $0.expired ? 50 : 0)) }, to: "nets")
    let r = s.makeReader()
    let nets = try r.handle("nets")
    for i in 0..<4000 {
        let v4 = i % 4 != 0
        let address = v4 ? ListIPNetwork(isV4: true, high: 0, low: UInt64(0x0A00_0000) | UInt64(g.below(1 << 18)), prefixLength: 32)
                         : ListIPNetwork(isV4: false, high: 0x2001_0db8_0000_0000, low: UInt64(g.below(1 << 28)), prefixLength: 128)
        let expected = entries.filter { e in
            guard !e.expired, e.network.isV4 == address.isV4 else { return false }
            var m = address
            m.setToPrefix(e.network.prefixLength)
            return m == e.network
        }.max { $0.network.prefixLength < $1.network.prefixLength }
        let got = try r.match(nets, address.description, now: 100)
        #expect(got?.entry == expected?.network.description, "\(address)")
        #expect(try containsBytes(r, nets, address) == (expected != nil), "\(address)")
    }
}

/// `contains(_:ipBytes:now:)` at time 100 for an address given as a /32 or /128 network.
private func containsBytes(_ r: ListReader, _ handle: ListHandle, _ address: ListIPNetwork) throws -> Bool {
    var bytes: [UInt8] = []
    if address.isV4 {
        withUnsafeBytes(of: UInt32(truncatingIfNeeded: address.low).bigEndian) { bytes += $0 }
    } else {
        withUnsafeBytes(of: address.high.bigEndian) { bytes += $0 }
        withUnsafeBytes(of: address.low.bigEndian) { bytes += $0 }
    }
    return try bytes.withUnsafeBytes { try r.contains(handle, ipBytes: $0, now: 100) }
}

@Test func sparseNetworksMatchLikeBruteForce() throws {
    // /16, /20, /24 and /32 networks spread over the IPv4 space, so that most /16 coarse keys
    // belong to one network (the length table then holds its hash: no filter probe), with some
    // nested networks and expired entries; addresses inside, near and away from the networks.
    var g = Generator(state: 41)
    let s = try ListStore(directory: makeTemporaryListDirectory("sparsenets"))
    try s.create(list: "nets", kind: .ip)
    var entries: [String: (network: ListIPNetwork, expired: Bool)] = [:]
    let lengths = [16, 20, 24, 32]
    for _ in 0..<400 {
        var n = ListIPNetwork(isV4: true, high: 0, low: g.next() & 0xFFFF_FFFF, prefixLength: 32)
        n.setToPrefix(lengths[g.below(4)])
        entries[n.description] = (n, g.below(6) == 0)
        if g.below(8) == 0 {  // a wider network around it
            n.setToPrefix(lengths[g.below(lengths.firstIndex(of: n.prefixLength)! + 1)])
            entries[n.description] = (n, g.below(3) == 0)
        }
    }
    try s.add(entries.values.map { ListEntry($0.network.description, metadata: ListEntryMetadata(expiresAt: $0.expired ? 50 : 0)) }, to: "nets")
    let networks = entries.values.map(\.network)
    let r = s.makeReader()
    let nets = try r.handle("nets")
    for i in 0..<4000 {
        let base = networks[g.below(networks.count)].low
        let low: UInt64
        switch i % 3 {
        case 0: low = base | (g.next() & 0xFF)  // inside or next to a network
        case 1: low = base ^ (1 << UInt64(g.below(32)))  // one bit away
        default: low = g.next() & 0xFFFF_FFFF
        }
        let address = ListIPNetwork(isV4: true, high: 0, low: low, prefixLength: 32)
        let expected = entries.values.filter { e in
            var m = address
            m.setToPrefix(e.network.prefixLength)
            return !e.expired && m == e.network
        }.map(\.network).max { $0.prefixLength < $1.prefixLength }
        #expect(try containsBytes(r, nets, address) == (expected != nil), "\(address)")
        #expect(try r.match(nets, address.description, now: 100)?.entry == expected?.description, "\(address)")
    }
}

@Test func prefixSearchFindsTheLongestLivePrefixLikeBruteForce() throws {
    var g = Generator(state: 11)
    var entries: [String: Bool] = [:]  // prefix -> expired
    let digits = Array("0123")
    for _ in 0..<300 {
        let prefix = String((0..<(1 + g.below(6))).map { _ in digits[g.below(4)] })
        entries[prefix] = g.below(5) == 0
    }
    let values = (0..<3000).map { _ in String((0..<(1 + g.below(8))).map { _ in digits[g.below(4)] }) }
    try expectPrefixListMatchesBruteForce("prefixsearch", entries, values)
}

/// Fills a prefix list "bins" in a new store (directory tagged `tag`) with `entries` (prefix ->
/// expired: those expire at 50) and checks, at time 100, `match` and `contains` for every value
/// against a brute-force search for the longest live prefix.
private func expectPrefixListMatchesBruteForce(_ tag: String, _ entries: [String: Bool], _ values: [String]) throws {
    let store = try ListStore(directory: makeTemporaryListDirectory(tag))
    try store.create(list: "bins", kind: .prefix)
    try store.add(entries.map { ListEntry($0.key, metadata: ListEntryMetadata(expiresAt: $0.value ? 50 : 0)) }, to: "bins")
    let r = store.makeReader()
    let bins = try r.handle("bins")
    for value in values {
        let expected = entries.filter { !$0.value && value.hasPrefix($0.key) }.keys.max { $0.count < $1.count }
        #expect(try r.match(bins, value, now: 100)?.entry == expected, "\(value)")
        #expect(try r.contains(bins, value, now: 100) == (expected != nil), "\(value)")
    }
}

@Test func sparseBINPrefixesMatchLikeBruteForce() throws {
    // BIN-like keys of 4 to 8 digits, sparse enough that most 4-digit coarse keys belong to one
    // key (the length table then holds that key's hash and no filter probe is made), with some
    // nested keys and expired entries; values share digits with the keys to exercise near misses.
    var g = Generator(state: 31)
    var entries: [String: Bool] = [:]  // prefix -> expired
    let digits = Array("0123456789")
    for _ in 0..<400 {
        let prefix = String((0..<(4 + g.below(5))).map { _ in digits[g.below(10)] })
        entries[prefix] = g.below(6) == 0
        if g.below(8) == 0 { entries[String(prefix.prefix(4 + g.below(prefix.count - 3)))] = g.below(3) == 0 }
    }
    let keys = Array(entries.keys)
    let values = (0..<4000).map { i -> String in
        // A key extended, a key with one digit changed, or random digits (1 to 12 of them).
        let key = keys[g.below(keys.count)]
        switch i % 3 {
        case 0: return key + String((0..<g.below(5)).map { _ in digits[g.below(10)] })
        case 1:
            var chars = Array(key)
            chars[g.below(chars.count)] = digits[g.below(10)]
            return String(chars)
        default: return String((0..<(1 + g.below(12))).map { _ in digits[g.below(10)] })
        }
    }
    try expectPrefixListMatchesBruteForce("sparsebins", entries, values)
}

@Test func searchesWithMoreThanThirtyOneLengthsPresentLikeBruteForce() throws {
    // More distinct lengths than the length table has mask bits (the last bit stands for the
    // rest), and prefix keys and values on both sides of the 16-byte hashing boundary.
    var g = Generator(state: 23)
    let s = try ListStore(directory: makeTemporaryListDirectory("manylengths"))
    try s.create(list: "nets", kind: .ip)
    try s.create(list: "bins", kind: .prefix)
    var networks: [ListIPNetwork] = []
    for length in 60...128 {
        var n = ListIPNetwork(isV4: false, high: 0x2001_0db8_0000_0000, low: UInt64(g.below(1 << 12)) << 52 | UInt64(g.below(1 << 8)), prefixLength: 128)
        n.setToPrefix(length)
        if !networks.contains(n) { networks.append(n) }
    }
    try s.add(networks.map { ListEntry($0.description) }, to: "nets")
    let digits = Array("01")
    var prefixes = Set<String>()
    for length in 1...40 { for _ in 0..<3 { prefixes.insert(String((0..<length).map { _ in digits[g.below(2)] })) } }
    try s.add(prefixes.map { ListEntry($0) }, to: "bins")
    let r = s.makeReader()
    let nets = try r.handle("nets"), bins = try r.handle("bins")
    for _ in 0..<2000 {
        let address = ListIPNetwork(isV4: false, high: 0x2001_0db8_0000_0000, low: UInt64(g.below(1 << 12)) << 52 | UInt64(g.below(1 << 8)), prefixLength: 128)
        let expected = networks.filter { n in
            var m = address
            m.setToPrefix(n.prefixLength)
            return m == n
        }.max { $0.prefixLength < $1.prefixLength }
        #expect(try r.match(nets, address.description, now: 0)?.entry == expected?.description, "\(address)")
        let value = String((0..<(1 + g.below(44))).map { _ in digits[g.below(2)] })
        let longest = prefixes.filter { value.hasPrefix($0) }.max { $0.count < $1.count }
        #expect(try r.match(bins, value, now: 0)?.entry == longest, "\(value)")
    }
}
