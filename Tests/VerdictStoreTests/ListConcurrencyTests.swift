// A separate writer process (python-lmdb) commits list changes for 10 seconds while two reader
// threads of this process look entries up: no error, every snapshot is one whole commit, the
// snapshots a reader sees never go back, and after the writer stops a renew sees its last
// commit. Also the crash test: a writer killed with SIGKILL mid-transaction, holding a read
// slot, leaves an environment that reopens cleanly with only whole transactions in it.
import Foundation
import Synchronization
import Testing
@testable import VerdictStore

/// Checks one snapshot of the churn writer's lists; returns the commit number it shows.
private func checkChurnSnapshot(_ r: ListReader, names: ListHandle, nets: ListHandle, progress: ListHandle) throws -> Int? {
    try r.renew()
    defer { r.reset() }
    guard let reason = try r.match(progress, "latest", now: 0)?.metadata?.reason, let n = Int(reason) else { return nil }
    func net(_ k: Int) -> String { "10.\((k >> 8) & 255).\(k & 255).7" }
    for k in max(1, n - 2)...n {
        guard try r.contains(names, "e-\(k)", now: 0), try r.contains(nets, net(k), now: 0) else { return -1 }
    }
    if n > 3 { guard try !r.contains(names, "e-\(n - 3)", now: 0), try !r.contains(nets, net(n - 3), now: 0) else { return -1 } }
    guard try !r.contains(names, "e-\(n + 1)", now: 0), try !r.contains(nets, net(n + 1), now: 0) else { return -1 }
    return n
}

@Test(.enabled(if: pythonLMDBAvailable, "needs python-lmdb (requirements.txt)"))
func readersSeeWholeCommitsOfAWriterProcess() throws {
    let dir = makeTemporaryListDirectory("churn")
    let seconds = 10.0
    let writer = Process()
    writer.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    writer.arguments = ["python3", listInteropScript, "churn", dir, "\(seconds)"]
    let out = Pipe()
    writer.standardOutput = out
    try writer.run()
    // Wait until the writer declared its lists.
    var store: ListStore?
    for _ in 0..<200 {
        if let s = try? ListStore(directory: dir), (try? s.lists().count) == 3 { store = s; break }
        Thread.sleep(forTimeInterval: 0.05)
    }
    let s = try #require(store)
    let failures = Mutex<[String]>([])
    let snapshots = Mutex<Int>(0)
    let threads = (0..<2).map { t in
        Thread {
            let r = s.makeReader()
            do {
                let names = try r.handle("names"), nets = try r.handle("nets"), progress = try r.handle("progress")
                var last = 0
                while writer.isRunning {
                    guard let n = try checkChurnSnapshot(r, names: names, nets: nets, progress: progress) else { continue }
                    if n < 0 { failures.withLock { $0.append("thread \(t): inconsistent snapshot") }; return }
                    if n < last { failures.withLock { $0.append("thread \(t): went back from \(last) to \(n)") }; return }
                    last = n
                    snapshots.withLock { $0 += 1 }
                }
            } catch {
                failures.withLock { $0.append("thread \(t): \(error)") }
            }
        }
    }
    threads.forEach { $0.start() }
    let final = Int(String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    writer.waitUntilExit()
    while threads.contains(where: { !$0.isFinished }) { Thread.sleep(forTimeInterval: 0.01) }
    #expect(writer.terminationStatus == 0)
    // This check found a real bug: a filter tagged with an LMDB txn id that did not name the
    // snapshot's content (ListReader.transactionIDTrusted explains the race and the fix).
    #expect(failures.withLock { $0 } == [])
    #expect(snapshots.withLock { $0 } > 100)
    let r = s.makeReader()
    let last = try checkChurnSnapshot(r, names: try r.handle("names"), nets: try r.handle("nets"), progress: try r.handle("progress"))
    #expect(last != nil && last == final)
}

@Test(.enabled(if: pythonLMDBAvailable, "needs python-lmdb (requirements.txt)"))
func environmentReopensCleanlyAfterAWriterIsKilledMidTransaction() throws {
    let dir = makeTemporaryListDirectory("crash")
    let writer = Process()
    writer.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    writer.arguments = ["python3", listInteropScript, "crash", dir]
    let out = Pipe()
    writer.standardOutput = out
    try writer.run()
    _ = out.fileHandleForReading.availableData  // "ready": three batches committed, more under way
    Thread.sleep(forTimeInterval: 0.2)
    kill(writer.processIdentifier, SIGKILL)
    writer.waitUntilExit()
    #expect(writer.terminationReason == .uncaughtSignal)
    // Reopen (mdb_reader_check clears the dead process's read slot) and check consistency.
    let store = try ListStore(directory: dir)
    let r = store.makeReader()
    let progress = try r.handle("progress"), batches = try r.handle("batches")
    let reason = try r.match(progress, "latest", now: 0)?.metadata?.reason
    let k = try #require(reason.flatMap { Int($0) })
    #expect(k >= 3)
    #expect(try store.count("batches") == k * 1000)  // only whole transactions
    #expect(try r.contains(batches, "b-\(k)-999", now: 0))
    #expect(try !r.contains(batches, "b-\(k + 1)-0", now: 0))
    r.reset()
    // And the environment takes new writes.
    try store.add([ListEntry("after-crash")], to: "batches")
    #expect(try r.contains(batches, "after-crash", now: 0))
}
