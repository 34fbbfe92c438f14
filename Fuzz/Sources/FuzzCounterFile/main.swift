// libFuzzer target: arbitrary bytes as a counter file must be rejected with a CounterError or
// opened and served safely (reads, batch reads, records, statistics, reset), never trap or touch memory
// outside the mapping. Input: one flag byte, then the file's bytes. Flag bit 0 reseals the header
// checksum (so mutations reach the parser behind it); bit 1 zero-pads the file to the size its
// header declares (at most 4 MiB), so small inputs can describe whole valid tables.
import Foundation
import VerdictStore

private let path = FileManager.default.temporaryDirectory.appendingPathComponent("fuzz-counter-\(getpid()).vct").path

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCounterFile(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size >= 1 else { return 0 }
    let flags = data[0]
    var bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    if flags & 1 != 0 { CounterFileHeader.seal(&bytes) }
    if flags & 2 != 0, bytes.count >= 32 {
        let declared = bytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: 24, as: UInt64.self)) }
        if declared > UInt64(bytes.count), declared <= 4 << 20 {
            bytes += [UInt8](repeating: 0, count: Int(declared) - bytes.count)
        }
    }
    guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else { return 0 }
    defer { unlink(path) }
    guard let table = try? CounterTable.open(path: path) else { return 0 }
    let now: Int64 = 1_790_812_800 + Int64(flags)
    for group in 0..<table.groupKeys.count {
        var key = table.key(group: group, "key-\(flags)")
        for counter in table.definitions.indices where table.group(ofCounter: counter) == group {
            for window: Int64 in [1, 60, 3600, 86_400, 30 * 86_400, Int64.max] {
                _ = table.read(counter, key, window: window, now: now)
            }
            if case .distinct = table.definitions[counter].aggregate {
                table.record(counter, &key, at: now, distinct: UInt64(flags))
            } else {
                table.record(counter, &key, at: now, amount: 2.5)
            }
            _ = table.read(counter, key, window: 3600, now: now)
        }
        // One batch read of every counter, plus two indices that are no counter, for the key.
        let counters = Array(table.definitions.indices) + [-1, table.definitions.count]
        let windows = counters.map { Int64(($0 & 3) + 1) * 3600 }
        var values = [Double](repeating: .nan, count: counters.count)
        counters.withUnsafeBufferPointer { c in
            windows.withUnsafeBufferPointer { w in
                values.withUnsafeMutableBufferPointer { v in table.read(c, windows: w.baseAddress!, key: key, now: now, into: v.baseAddress!) }
            }
        }
    }
    _ = table.statistics()
    try? table.reset()
    return 0
}
