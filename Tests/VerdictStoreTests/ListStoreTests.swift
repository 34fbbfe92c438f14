// The list store's behaviour: kinds and matching rules, metadata and expiry, adding and removing
// entries, readers seeing commits at their next renew, map growth, typed errors, fork detection.
import Glibc
import Testing
@testable import VerdictStore

private func store(_ tag: String = "store", mapSize: Int = ListStore.defaultMapSize) -> ListStore {
    try! ListStore(directory: makeTemporaryListDirectory(tag), initialMapSize: mapSize)
}

@Test func stringListsMatchExactBytesAndCaseInsensitiveListsFoldASCII() throws {
    let s = store()
    try s.create(list: "cards", kind: .string)
    try s.create(list: "emails", kind: .stringCaseInsensitive)
    try s.add([ListEntry("abc123"), ListEntry("Straße")], to: "cards")
    try s.add([ListEntry("Fraud@Example.COM"), ListEntry("ÉLodie@x.fr")], to: "emails")
    let r = s.makeReader()
    let cards = try r.handle("cards"), emails = try r.handle("emails")
    #expect(try r.contains(cards, "abc123", now: 0))
    #expect(try !r.contains(cards, "ABC123", now: 0))
    #expect(try r.contains(cards, "Straße", now: 0))
    #expect(try r.contains(emails, "fraud@example.com", now: 0))
    #expect(try r.contains(emails, "FRAUD@EXAMPLE.COM", now: 0))
    #expect(try r.contains(emails, "ÉLODIE@x.fr", now: 0))
    #expect(try !r.contains(emails, "élodie@x.fr", now: 0))  // non-ASCII compared exactly
    #expect(try !r.contains(emails, "", now: 0))
    #expect(try !r.contains(emails, String(repeating: "a", count: 600), now: 0))
}

@Test func ipListsMatchAddressesAndMostSpecificRange() throws {
    let s = store()
    try s.create(list: "nets", kind: .ip)
    try s.add([ListEntry("10.0.0.0/8", metadata: ListEntryMetadata(reason: "wide")),
               ListEntry("10.1.0.0/16", metadata: ListEntryMetadata(reason: "mid")),
               ListEntry("10.1.2.3", metadata: ListEntryMetadata(reason: "host")),
               ListEntry("10.200.0.0/24"),
               ListEntry("2a03:1:2::/48"), ListEntry("::1")], to: "nets")
    let r = s.makeReader()
    let nets = try r.handle("nets")
    #expect(try r.match(nets, "10.1.2.3", now: 0)?.metadata?.reason == "host")
    #expect(try r.match(nets, "10.1.2.4", now: 0)?.metadata?.reason == "mid")
    #expect(try r.match(nets, "10.1.2.4", now: 0)?.entry == "10.1.0.0/16")
    #expect(try r.match(nets, "10.2.0.1", now: 0)?.metadata?.reason == "wide")
    #expect(try r.match(nets, "10.201.0.1", now: 0)?.entry == "10.0.0.0/8")  // after a sibling /24
    #expect(try !r.contains(nets, "11.0.0.1", now: 0))
    #expect(try !r.contains(nets, "9.255.255.255", now: 0))
    #expect(try r.contains(nets, "2a03:1:2:ffff::9", now: 0))
    #expect(try !r.contains(nets, "2a03:1:3::", now: 0))
    #expect(try r.contains(nets, "::1", now: 0))
    #expect(try r.contains(nets, "::ffff:10.9.9.9", now: 0))  // mapped address looked up as IPv4
    #expect(try !r.contains(nets, "not an ip", now: 0))
}

@Test func ipListsAnswerAddressBytesAsTheEngineHoldsThem() throws {
    let s = store()
    try s.create(list: "nets", kind: .ip)
    try s.create(list: "texts", kind: .string)
    try s.add([ListEntry("10.1.0.0/16"), ListEntry("2a03:1:2::/48")], to: "nets")
    try s.add([ListEntry("10.1.2.3"), ListEntry("2a03:1:2::9"), ListEntry("::ffff:10.1.2.3")], to: "texts")
    let r = s.makeReader()
    let nets = try r.handle("nets"), texts = try r.handle("texts")
    func contains(_ h: ListHandle, _ bytes: [UInt8]) throws -> Bool {
        try bytes.withUnsafeBytes { try r.contains(h, ipBytes: $0, now: 0) }
    }
    let v6: [UInt8] = [0x2a, 0x03, 0, 1, 0, 2] + [UInt8](repeating: 0, count: 9) + [9]
    let mapped: [UInt8] = [UInt8](repeating: 0, count: 10) + [0xff, 0xff, 10, 1, 2, 3]
    #expect(try contains(nets, [10, 1, 2, 3]))
    #expect(try !contains(nets, [10, 2, 2, 3]))
    #expect(try contains(nets, v6))
    #expect(try contains(nets, mapped))  // IPv4-mapped looked up as IPv4
    #expect(try !contains(nets, [10, 1, 2]))  // neither 4 nor 16 bytes: absent
    // A list of another kind is searched for the address's text as inet_ntop writes it.
    #expect(try contains(texts, [10, 1, 2, 3]))
    #expect(try contains(texts, v6))
    #expect(try contains(texts, mapped))
    #expect(try !contains(texts, [10, 1, 2, 4]))
}

@Test func aReaderAnswersEveryListItResolved() throws {
    // More lists than a reader's first slot table holds (it grows as handles are resolved).
    let s = store()
    let names = (0..<9).map { "list\($0)" }
    for name in names {
        try s.create(list: name, kind: .string)
        try s.add([ListEntry("in-\(name)")], to: name)
    }
    let r = s.makeReader()
    var handles: [ListHandle] = []
    for name in names {
        handles.append(try r.handle(name))
        #expect(try r.contains(handles.last!, "in-\(name)", now: 0))  // looked up before the next handle
    }
    for (name, handle) in zip(names, handles) {
        #expect(try r.contains(handle, "in-\(name)", now: 0))
        #expect(try !r.contains(handle, "in-list-other", now: 0))
    }
    #expect(throws: ListStoreError.self) { try s.makeReader().contains(handles[0], "x", now: 0) }  // another reader's handle
}

@Test func prefixListsMatchTheLongestPrefix() throws {
    let s = store()
    try s.create(list: "bins", kind: .prefix)
    try s.add([ListEntry("4", metadata: ListEntryMetadata(reason: "visa")), ListEntry("4111", metadata: ListEntryMetadata(reason: "4111")),
               ListEntry("411199"), ListEntry("5500")], to: "bins")
    let r = s.makeReader()
    let bins = try r.handle("bins")
    #expect(try r.match(bins, "41119912", now: 0)?.entry == "411199")
    #expect(try r.match(bins, "41119812", now: 0)?.entry == "4111")
    #expect(try r.match(bins, "42", now: 0)?.entry == "4")
    #expect(try r.match(bins, "4", now: 0)?.entry == "4")
    #expect(try !r.contains(bins, "55", now: 0))
    #expect(try r.contains(bins, "550012", now: 0))
    #expect(try !r.contains(bins, "3", now: 0))
}

@Test func expiredEntriesDoNotMatchButAreReportedByCheck() throws {
    let s = store()
    try s.create(list: "nets", kind: .ip)
    try s.create(list: "emails", kind: .string)
    try s.add([ListEntry("10.0.0.0/8"), ListEntry("10.1.0.0/16", metadata: ListEntryMetadata(reason: "temp", addedAt: 100, expiresAt: 1000))], to: "nets")
    try s.add([ListEntry("a@b.c", metadata: ListEntryMetadata(reason: "temp", addedAt: 100, expiresAt: 1000))], to: "emails")
    let r = s.makeReader()
    let nets = try r.handle("nets"), emails = try r.handle("emails")
    #expect(try r.match(nets, "10.1.0.1", now: 999)?.entry == "10.1.0.0/16")
    #expect(try r.match(nets, "10.1.0.1", now: 1000)?.entry == "10.0.0.0/8")  // expired: the wider range
    #expect(try r.contains(emails, "a@b.c", now: 999))
    #expect(try !r.contains(emails, "a@b.c", now: 1000))
    let expired = try r.match(emails, "a@b.c", now: 1000, includeExpired: true)
    #expect(expired == ListMatch(entry: "a@b.c", metadata: ListEntryMetadata(reason: "temp", addedAt: 100, expiresAt: 1000), expired: true))
}

@Test func readersSeeCommitsAtTheirNextRenewOnly() throws {
    let s = store()
    try s.create(list: "l", kind: .string)
    let r = s.makeReader()
    let l = try r.handle("l")
    try r.renew()
    #expect(try !r.contains(l, "x", now: 0))
    try s.add([ListEntry("x")], to: "l")
    #expect(try !r.contains(l, "x", now: 0))  // same snapshot
    try r.renew()
    #expect(try r.contains(l, "x", now: 0))
    r.reset()
    #expect(try s.remove(["x", "y"], from: "l") == 1)
    #expect(try !r.contains(l, "x", now: 0))  // implicit renew after reset
    r.reset()
    #expect(try s.count("l") == 0)
}

@Test func writesGrowTheMapWhenFull() throws {
    let s = store("grow", mapSize: 64 * 1024)
    try s.create(list: "big", kind: .string)
    let before = s.mapSize
    try s.add((0..<20_000).map { ListEntry("entry-\($0)-padding-padding") }, to: "big")
    #expect(s.mapSize > before)
    #expect(try s.count("big") == 20_000)
    let r = s.makeReader()
    #expect(try r.contains(try r.handle("big"), "entry-19999-padding-padding", now: 0))
}

@Test func oneEnvironmentPerDirectoryAndTypedErrors() throws {
    let dir = makeTemporaryListDirectory()
    let a = try ListStore(directory: dir), b = try ListStore(directory: dir + "/.")
    #expect(a.environment === b.environment)
    #expect(throws: ListStoreError.invalidListName("1bad")) { try a.create(list: "1bad", kind: .string) }
    #expect(throws: ListStoreError.invalidListName("verdict.lists")) { try a.create(list: "verdict.lists", kind: .string) }
    try a.create(list: "ok", kind: .ip)
    try a.create(list: "ok", kind: .ip)
    #expect(throws: ListStoreError.listExists(name: "ok", kind: .ip)) { try a.create(list: "ok", kind: .string) }
    #expect(throws: ListStoreError.noSuchList("missing")) { try a.count("missing") }
    #expect(throws: ListStoreError.invalidEntry(.malformedIPAddress("10.0.0.300"))) { try a.add([ListEntry("1.2.3.4"), ListEntry("10.0.0.300")], to: "ok") }
    #expect(try a.count("ok") == 0)  // nothing half-written
    #expect(throws: ListStoreError.directory(path: dir + "/nope", errno: 2)) { try ListStore(directory: dir + "/nope") }
    #expect(try a.lists().map { "\($0.name):\($0.kind)" } == ["ok:ip"])
}

@Test func exportYieldsCanonicalEntriesWithMetadata() throws {
    let s = store()
    try s.create(list: "nets", kind: .ip)
    try s.add([ListEntry("10.1.2.3/8", metadata: ListEntryMetadata(reason: "r", addedAt: 5, expiresAt: 0)), ListEntry("::1")], to: "nets")
    var seen: [String] = []
    try s.forEachEntry(in: "nets") { value, meta in seen.append("\(value) \(meta?.reason ?? "-")") }
    #expect(seen == ["10.0.0.0/8 r", "::1 -"])
}

@Test func aForkedChildIsRefusedTheParentsEnvironment() throws {
    let s = store("fork")
    try s.create(list: "l", kind: .string)
    try s.add([ListEntry("x")], to: "l")
    let r = s.makeReader()
    let l = try r.handle("l")
    let pid = fork()
    if pid == 0 {  // child: only an atomic load and a throw happen before _exit
        var code: Int32 = 1
        do { try r.renew() } catch .usedAfterFork { code = 0 } catch { code = 2 }
        _exit(code)
    }
    var status: Int32 = -1
    #expect(waitpid(pid, &status, 0) == pid)
    #expect(status == 0)  // exited normally with code 0
    #expect(try r.contains(l, "x", now: 0))  // the parent is unaffected
}

@Test func wordAtATimeFoldingMatchesByteFolding() {
    var bytes = (0..<256).map { UInt8($0) } + Array("Hello-World_AZaz@[`{Example.COM".utf8)
    bytes += bytes.reversed()
    let out = UnsafeMutableRawPointer.allocate(byteCount: bytes.count, alignment: 8)
    defer { out.deallocate() }
    for (start, end) in (0..<9).map({ ($0, bytes.count) }) + (0..<20).map({ (7, 7 + $0) }) {
        bytes.withUnsafeBytes { all in
            let slice = UnsafeRawBufferPointer(rebasing: all[start..<end])
            ListKey.foldASCII(slice, into: out)
            let folded = Array(UnsafeRawBufferPointer(start: out, count: slice.count))
            #expect(folded == slice.map(ListKey.foldASCII))
        }
    }
}
