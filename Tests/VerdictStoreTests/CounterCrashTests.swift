// Crash safety: a writer process killed with SIGKILL in the middle of recording leaves a file
// that reopens cleanly, keeps what was recorded and accepts new writers (the lock dies with it).
// Spawns the `verdict` executable built beside the tests (`swift build --build-tests`).
import Foundation
import Testing
@testable import VerdictStore

@Test func aWriterKilledMidUpdateLeavesAFileThatReopensCleanly() throws {
    let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("verdict")
    guard FileManager.default.isExecutableFile(atPath: binary.path) else {
        print("skipped: \(binary.path) not built (run `swift build --build-tests`)")
        return
    }
    let (path, directory) = scratchCounterPath()
    defer { try? FileManager.default.removeItem(at: directory) }
    let definitions = try referenceCounterDefinitions()
    _ = try CounterTable.create(path: path, definitions: definitions, slotsPerGroup: 64)
    let now: Int64 = 1_790_812_800

    let child = Process()
    child.executableURL = binary
    child.arguments = ["counters", "add", path, "card-1", "--counter", "attempts_per_card",
                       "--at", "\(now)", "--repeat", "2000000000"]
    child.standardOutput = FileHandle.nullDevice
    try child.run()
    defer { if child.isRunning { kill(child.processIdentifier, SIGKILL) } }

    // Wait until the child is recording, then check the lock and kill it mid-loop.
    let reader = try CounterTable.open(path: path, readOnly: true)
    var seen = 0.0
    for _ in 0..<200 where seen < 1000 {
        usleep(20_000)
        seen = reader.read(0, reader.key(group: 0, "card-1"), window: 3600, now: now).value
    }
    #expect(seen >= 1000, "the child never recorded")
    #expect(throws: CounterError.lockedByAnotherWriter(path: path)) { try CounterTable.open(path: path) }
    kill(child.processIdentifier, SIGKILL)
    child.waitUntilExit()
    #expect(child.terminationReason == .uncaughtSignal)

    let reopened = try CounterTable.open(path: path, definitions: definitions)
    #expect(expectNoCellAfterTheLastUpdate(reopened) >= 2)
    var key = reopened.key(group: 0, "card-1")
    let recorded = reopened.read(0, key, window: 3600, now: now).value
    let recordedInHours = reopened.read(0, key, window: 86_400, now: now).value
    #expect(recorded >= seen)
    // An update writes its rings finest first, one compare-and-swap each: a kill between two of
    // them leaves that one event in the minute ring but not yet in the hour ring.
    #expect(recordedInHours == recorded || recordedInHours == recorded - 1)
    #expect(reopened.record(0, &key, at: now))
    #expect(reopened.read(0, key, window: 3600, now: now).value == recorded + 1)
    #expect(reopened.read(0, key, window: 86_400, now: now).value == recordedInHours + 1)
    #expect(reopened.statistics()[0].occupied == 1)
}
