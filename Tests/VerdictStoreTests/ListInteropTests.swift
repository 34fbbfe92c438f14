// Interop with the other LMDB tools a team would use: lists written by `mdb_load` and by
// python-lmdb are read by Verdict, and `mdb_dump` / python-lmdb read what Verdict wrote.
// Skipped (with a message) when lmdb-utils or python-lmdb are not installed; `make test`
// installs them (scripts/install-deps.sh).
import Foundation
import Testing
@testable import VerdictStore

@Test(.enabled(if: lmdbUtilsAvailable, "needs mdb_load/mdb_dump (apt lmdb-utils)"))
func listsWrittenByMdbLoadAreReadByVerdict() throws {
    let dir = makeTemporaryListDirectory("mdbload")
    // -T: plain text, alternating key and value lines; values are empty (no metadata).
    #expect(try runListTool(["mdb_load", "-T", "-s", "verdict.lists", dir], input: "blocked_emails\nstring ci\nbins\nprefix\n").status == 0)
    #expect(try runListTool(["mdb_load", "-T", "-s", "blocked_emails", dir], input: "fraud@example.com\n\nmule@example.org\n1\n").status == 0)
    #expect(try runListTool(["mdb_load", "-T", "-s", "bins", dir], input: "4111\n\n55\n\n").status == 0)
    let store = try ListStore(directory: dir)
    #expect(try store.lists().map(\.name) == ["bins", "blocked_emails"])
    let reader = store.makeReader()
    let emails = try reader.handle("blocked_emails"), bins = try reader.handle("bins")
    #expect(try reader.contains(emails, "Fraud@Example.com", now: 0))
    #expect(try reader.match(emails, "mule@example.org", now: 0) == ListMatch(entry: "mule@example.org", metadata: nil, expired: false))
    #expect(try !reader.contains(emails, "other@example.com", now: 0))
    #expect(try reader.match(bins, "41111111", now: 0)?.entry == "4111")
    #expect(try !reader.contains(bins, "4000", now: 0))
}

@Test(.enabled(if: lmdbUtilsAvailable, "needs mdb_dump (apt lmdb-utils)"))
func mdbDumpReadsWhatVerdictWrote() throws {
    let dir = makeTemporaryListDirectory("mdbdump")
    let store = try ListStore(directory: dir)
    try store.create(list: "emails", kind: .stringCaseInsensitive)
    try store.add([ListEntry("A@B.C"), ListEntry("x@y.z", metadata: ListEntryMetadata(reason: "r"))], to: "emails")
    let dump = try runListTool(["mdb_dump", "-p", "-s", "emails", dir])
    #expect(dump.status == 0)
    let lines = dump.output.split(separator: "\n").map(String.init)
    #expect(lines.contains(" a@b.c") && lines.contains(" x@y.z"))
    let meta = try runListTool(["mdb_dump", "-p", "-s", "verdict.lists", dir])
    #expect(meta.output.contains(" emails\n string ci\n"))
}

@Test(.enabled(if: pythonLMDBAvailable, "needs python-lmdb (requirements.txt)"))
func listsWrittenByPythonLMDBAreReadByVerdictAndViceVersa() throws {
    let dir = makeTemporaryListDirectory("pylmdb")
    #expect(try runListTool(["python3", listInteropScript, "write", dir]).status == 0)
    let store = try ListStore(directory: dir)
    let reader = store.makeReader()
    let emails = try reader.handle("emails"), nets = try reader.handle("nets"), bins = try reader.handle("bins")
    #expect(try reader.contains(emails, "FRAUD@example.com", now: 0))
    #expect(try reader.match(emails, "mule@example.org", now: 0)?.metadata == ListEntryMetadata(reason: "mule account", addedAt: 1_700_000_000))
    #expect(try reader.match(nets, "10.20.30.40", now: 0)?.entry == "10.0.0.0/8")
    #expect(try reader.match(nets, "2a03:1:2:3::4", now: 0)?.metadata?.reason == "hosting range")
    #expect(try !reader.contains(nets, "11.0.0.1", now: 0))
    #expect(try reader.contains(bins, "411111", now: 0))
    reader.reset()
    // And back: Verdict's keys as python-lmdb sees them.
    try store.add([ListEntry("192.168.0.0/16")], to: "nets")
    let keys = try runListTool(["python3", listInteropScript, "read", dir, "nets"]).output.split(separator: "\n")
    #expect(keys.contains("04c0a8000010"))
}
