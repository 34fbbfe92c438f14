// The counter file as untrusted input: foreign, empty, truncated, damaged and mismatched files
// are reported with the right error and never mapped; one writer per file; read-only opens.
import Foundation
import Testing
@testable import VerdictStore

private func withFile(_ body: (String, [CounterDefinition]) throws -> Void) throws {
    let (path, directory) = scratchCounterPath()
    defer { try? FileManager.default.removeItem(at: directory) }
    let definitions = try referenceCounterDefinitions()
    _ = try CounterTable.create(path: path, definitions: definitions, slotsPerGroup: 16)
    try body(path, definitions)
}

private func patch(_ path: String, _ change: (inout [UInt8]) -> Void) throws {
    var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    change(&bytes)
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}

private func openError(_ path: String, definitions: [CounterDefinition]? = nil) -> CounterError? {
    do {
        _ = try CounterTable.open(path: path, definitions: definitions)
        return nil
    } catch {
        return error
    }
}

@Test func foreignAndEmptyFilesAreRejected() throws {
    try withFile { path, _ in
        try patch(path) { bytes in for i in bytes.indices { bytes[i] = UInt8(truncatingIfNeeded: i &* 31 &+ 7) } }
        guard case .foreignFile = openError(path) else { Issue.record("random bytes accepted"); return }
        try Data().write(to: URL(fileURLWithPath: path))
        guard case .foreignFile = openError(path) else { Issue.record("empty file accepted"); return }
    }
}

@Test func truncatedAndExtendedFilesAreCorrupt() throws {
    try withFile { path, _ in
        try patch(path) { $0.removeLast(4096) }
        guard case .corruptFile(_, let reason) = openError(path) else { Issue.record("truncated file accepted"); return }
        #expect(reason.contains("geometry needs"))
        try patch(path) { $0 += [UInt8](repeating: 0, count: 8192) }
        guard case .corruptFile = openError(path) else { Issue.record("extended file accepted"); return }
    }
}

@Test func aDamagedHeaderFailsItsChecksum() throws {
    try withFile { path, _ in
        try patch(path) { $0[60] ^= 0x20 }
        guard case .corruptFile(_, let reason) = openError(path) else { Issue.record("damaged header accepted"); return }
        #expect(reason == "header checksum mismatch")
    }
}

@Test func resealedButInconsistentHeadersAreStillRejected() throws {
    try withFile { path, _ in
        try patch(path) { bytes in
            bytes[32] = 32          // slots per group 16 -> 32: the file is now too short
            CounterFileHeader.seal(&bytes)
        }
        guard case .corruptFile = openError(path) else { Issue.record("inconsistent geometry accepted"); return }
        try patch(path) { bytes in
            bytes[32] = 16
            bytes[48] = 9           // unknown aggregate code
            CounterFileHeader.seal(&bytes)
        }
        guard case .corruptFile(_, let reason) = openError(path) else { Issue.record("bad aggregate accepted"); return }
        #expect(reason.contains("aggregate"))
        try patch(path) { bytes in
            bytes[48] = 1
            bytes[8] = 3            // a future format version
            CounterFileHeader.seal(&bytes)
        }
        #expect(openError(path) == .unsupportedVersion(path: path, found: 3))
        try patch(path) { bytes in
            bytes[8] = 1            // version 1 (no 1-day buckets): still read
            CounterFileHeader.seal(&bytes)
        }
        #expect(openError(path) == nil)
    }
}

@Test func aFileWithOtherCountersIsNotOpenedAsThese() throws {
    try withFile { path, definitions in
        var other = definitions
        other[0].retain = 86_400
        guard case .definitionsMismatch = openError(path, definitions: other) else { Issue.record("mismatch accepted"); return }
        #expect(openError(path, definitions: definitions) == nil)
    }
}

@Test func oneWriterAtATimeAndReadOnlyOpensCannotRecord() throws {
    try withFile { path, _ in
        let writer = try CounterTable.open(path: path)
        #expect(openError(path) == .lockedByAnotherWriter(path: path))
        let reader = try CounterTable.open(path: path, readOnly: true)
        var key = reader.key(group: 0, "card")
        #expect(!reader.record(0, &key, at: 1_790_812_800))
        #expect(throws: CounterError.readOnly(path: path)) { try reader.reset() }
        var writerKey = writer.key(group: 0, "card")
        #expect(writer.record(0, &writerKey, at: 1_790_812_800))
        #expect(reader.read(0, reader.key(group: 0, "card"), window: 60, now: 1_790_812_800).value == 1)
    }
}

@Test func createRefusesToOverwriteUnlessAsked() throws {
    try withFile { path, definitions in
        #expect(throws: CounterError.self) { try CounterTable.create(path: path, definitions: definitions, slotsPerGroup: 16) }
        _ = try CounterTable.create(path: path, definitions: definitions, slotsPerGroup: 32, replace: true)
        #expect(try CounterTable.open(path: path).slotsPerGroup == 32)
    }
}
