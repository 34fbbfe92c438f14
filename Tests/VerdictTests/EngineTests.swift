// The engine on small rulesets written here: loading errors are typed and name the problem,
// lists are looked up in LMDB (case folding, CIDR ranges), counters are read before the event is
// recorded and honour `when verdict == ...` and `sum`, and the JSON convenience decoder sets
// fields by type and rejects mismatches.
import Foundation
import Testing
import Verdict
import VerdictStore
import VerdictVM

/// A scratch directory holding a ruleset file, a lists directory and a counter file path.
private struct Scratch {
    let root: URL
    var rules: String { root.appendingPathComponent("rules").path }
    var lists: String { root.appendingPathComponent("lists").path }
    var counters: String { root.appendingPathComponent("counters.vct").path }

    init(rules text: String) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("verdict-engine-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: root.appendingPathComponent("rules").path, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root.appendingPathComponent("lists").path, withIntermediateDirectories: true)
        try text.write(toFile: rules + "/main.rules", atomically: true, encoding: .utf8)
    }

    func remove() { try? FileManager.default.removeItem(at: root) }
}

private let smallRuleset = """
ruleset small version "7"
schema {
  email       string
  ip          ip
  amount      double
  created_at  timestamp
}
list blocked string ci
list nets    ip
counter per_email by email retain 1d
counter usd_email by email sum amount retain 1d
counter blocks    by email when verdict == block retain 1d
rule listed:   block if email in @blocked
rule net:      review if ip in @nets
rule burst:    review if per_email(1h) >= 2
rule big:      review if usd_email(1h) > 100.0
rule repeat:   block if blocks(1d) >= 1 shadow
"""

private func makeLists(_ s: Scratch) throws {
    let store = try ListStore(directory: s.lists, create: true)
    try store.create(list: "blocked", kind: .stringCaseInsensitive)
    try store.create(list: "nets", kind: .ip)
    _ = try store.add([ListEntry("bad@x.com")], to: "blocked")
    _ = try store.add([ListEntry("10.0.0.0/8")], to: "nets")
}

private func event(_ session: Session, _ json: String) throws -> VerdictReport {
    try session.setJSON(json)
    return session.report(session.evaluate(mode: .trace))
}

@Test func listsCountersAndWhenConditionsDriveTheVerdict() throws {
    let s = try Scratch(rules: smallRuleset)
    defer { s.remove() }
    try makeLists(s)
    let engine = try Engine(rules: s.rules, lists: s.lists, counters: s.counters)
    let session = engine.makeSession()

    // A listed email: block; the event is then recorded as a block.
    var r = try event(session, #"{"email": "bad@x.com", "ip": "192.0.2.1", "amount": 10, "created_at": 1000}"#)
    #expect(r.action == .block && r.decidingRule == "listed" && r.rulesetVersion == "7")
    // Second event of the email: per_email reads 1 (the event itself is not counted), and the
    // shadow rule sees the recorded block.
    r = try event(session, #"{"email": "bad@x.com", "ip": "10.1.2.3", "amount": 95.5, "created_at": 1010}"#)
    #expect(Set(r.fired.map(\.name)) == ["listed", "net", "repeat"])
    #expect(r.fired.first { $0.name == "repeat" }?.shadow == true)
    // Third: two earlier events -> burst.
    r = try event(session, #"{"email": "bad@x.com", "ip": "192.0.2.1", "amount": 1, "created_at": 1020}"#)
    #expect(Set(r.fired.map(\.name)) == ["listed", "burst", "big", "repeat"])

    // An email never blocked: `blocks` stays 0 because its `when` did not hold.
    _ = try event(session, #"{"email": "ok@y.com", "ip": "192.0.2.1", "amount": 5, "created_at": 1030}"#)
    #expect(session.counterReading(2, key: .string("ok@y.com"), window: 86_400, now: 1040) == 0)
    #expect(session.counterReading(0, key: .string("ok@y.com"), window: 86_400, now: 1040) == 1)
    #expect(session.counterReading(2, key: .string("bad@x.com"), window: 86_400, now: 1040) == 3)
    let usd = try #require(session.counterReading(1, key: .string("bad@x.com"), window: 86_400, now: 1040))
    #expect(abs(usd - 106.5) < 1e-3)

    // A missing key skips the counter: nothing recorded, rules reading it report missing.
    r = try event(session, #"{"ip": "192.0.2.1", "amount": 5, "created_at": 1040}"#)
    #expect(r.action == .none && r.missing.contains("burst"))

    // The list is `ci`: any case matches. Counter keys are not folded (`email` is not `ci`).
    r = try event(session, #"{"email": "BAD@X.COM", "ip": "192.0.2.1", "amount": 1, "created_at": 1050}"#)
    #expect(r.action == .block && r.fired.map(\.name) == ["listed"])
}

@Test func theCounterFileSurvivesReopening() throws {
    let s = try Scratch(rules: smallRuleset)
    defer { s.remove() }
    try makeLists(s)
    do {
        let engine = try Engine(rules: s.rules, lists: s.lists, counters: s.counters)
        let session = engine.makeSession()
        for t in 0..<3 { _ = try event(session, #"{"email": "a@b.c", "ip": "192.0.2.1", "amount": 1, "created_at": \#(100 + t)}"#) }
    }
    let engine = try Engine(rules: s.rules, lists: s.lists, counters: s.counters)
    #expect(engine.makeSession().counterReading(0, key: .string("a@b.c"), window: 3600, now: 200) == 3)
}

@Test func loadingErrorsAreTypedAndNameTheProblem() throws {
    let s = try Scratch(rules: smallRuleset)
    defer { s.remove() }
    // No lists directory given, then one without the declared lists.
    #expect(throws: EngineError.self) { try Engine(rules: s.rules, lists: nil, counters: s.counters) }
    do {
        _ = try Engine(rules: s.rules, lists: s.lists, counters: s.counters)
        Issue.record("an empty lists directory was accepted")
    } catch {
        #expect(error.description.hasPrefix("lists:"))
    }
    // A list stored with another kind.
    let store = try ListStore(directory: s.lists, create: true)
    try store.create(list: "blocked", kind: .string)
    try store.create(list: "nets", kind: .ip)
    do {
        _ = try Engine(rules: s.rules, lists: s.lists, counters: s.counters)
        Issue.record("a list of the wrong kind was accepted")
    } catch {
        #expect(error.description.contains("'blocked' is declared string ci"))
    }
    // A ruleset that does not check.
    let bad = try Scratch(rules: "ruleset x\nschema { a int }\nrule r: block if a > \"s\"\n")
    defer { bad.remove() }
    #expect(throws: EngineError.self) { try Engine(rules: bad.rules, lists: nil, counters: nil) }
    // A counter file that is not one.
    try Data("not a counter file".utf8).write(to: URL(fileURLWithPath: s.counters))
    let fresh = try Scratch(rules: smallRuleset)
    defer { fresh.remove() }
    try makeLists(fresh)
    do {
        _ = try Engine(rules: fresh.rules, lists: fresh.lists, counters: s.counters)
        Issue.record("a bad counter file was accepted")
    } catch {
        #expect(error.description.hasPrefix("counters:"))
    }
}

@Test func jsonRequestsAreDecodedByFieldType() throws {
    let s = try Scratch(rules: smallRuleset)
    defer { s.remove() }
    try makeLists(s)
    let engine = try Engine(rules: s.rules, lists: s.lists, counters: s.counters)
    let session = engine.makeSession()
    try session.setJSON(#"{"email": "a@b.c", "amount": 3, "ip": null, "label": [1, 2], "created_at": 50}"#)
    #expect(session.request.value(ofRegister: try #require(engine.field(named: "amount"))) == .double(3))
    #expect(session.request.value(ofRegister: try #require(engine.field(named: "ip"))) == .missing)
    #expect(session.request.value(ofRegister: engine.nowField) == .int(50))
    for bad in [#"{"amount": "3"}"#, #"{"email": [1]}"#, #"{"ip": "not an ip"}"#, #"{"created_at": 1.5}"#, "[1]", "{"] {
        #expect(throws: EngineError.self) { try session.setJSON(bad) }
    }
}

@Test func theEngineFitsEachCountersBucketToTheWindowsItsRulesetReads() throws {
    let s = try Scratch(rules: """
        ruleset fit
        schema {
          email       string
          card        string
          amount      double
          created_at  timestamp
        }
        counter short_in_let  by email retain 7d
        counter long_only     by email sum amount retain 30d
        counter short_score   by email retain 7d
        counter unread        by email retain 7d
        counter long_distinct by email distinct card retain 7d
        counter weekly        by email retain 30d
        let recent = short_in_let(30m) > 2
        rule a: review if recent || long_only(24h) > 10.0 || long_only(2h) > 1.0 || short_in_let(7d) > 5
        rule b: block if long_distinct(2d) > 3 || weekly(7d) > 20 || weekly(2d) > 9
        score s: +10 if short_score(1h) > 1
        threshold review if score >= 10
        """)
    defer { s.remove() }
    let buckets = try Engine.counterDefinitions(rules: s.rules).map { "\($0.name) \($0.bucket)" }
    #expect(buckets == ["short_in_let 60", "long_only 3600", "short_score 60", "unread 60", "long_distinct 60", "weekly 86400"])
    // The engine creates exactly that file.
    let engine = try Engine(rules: s.rules, lists: nil, counters: s.counters)
    #expect(engine.counterTable?.definitions == (try Engine.counterDefinitions(rules: s.rules)))
}

@Test func aCounterFileMadeForOtherBucketsIsRefusedWithTheCounterAndAHint() throws {
    let s = try Scratch(rules: smallRuleset)
    defer { s.remove() }
    try makeLists(s)
    // `blocks` is read at 1d only, so the engine wants it with 1-hour buckets; a file made with
    // 1-minute buckets everywhere (as before fitting) is refused, naming the counter.
    var everyMinute = try Engine.counterDefinitions(rules: s.rules)
    #expect(everyMinute.map(\.bucket) == [60, 60, 3600])
    for i in everyMinute.indices { everyMinute[i].bucket = 60 }
    _ = try CounterTable.create(path: s.counters, definitions: everyMinute, slotsPerGroup: 16)
    do {
        _ = try Engine(rules: s.rules, lists: s.lists, counters: s.counters)
        Issue.record("a counter file with other buckets was accepted")
    } catch {
        #expect(error.description.hasPrefix("counters:"))
        #expect(error.description.contains("counter 'blocks': bucket 1m in the file, 1h wanted"))
        #expect(error.description.contains("verdict counters migrate"))
    }
}
