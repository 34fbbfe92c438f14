// The counter file header: encoding, decoding and validation. Every field read from a file is
// bounds-checked and the whole header is covered by an XXH3-64 checksum, so a foreign, truncated
// or damaged file is reported and never trusted. Little-endian throughout:
//
//   0  8 bytes  magic "VERDCTR\0"
//   8  UInt32   format version (2; version 1 files, whose buckets all divide an hour, are read too)
//   12 UInt32   header bytes (covered by the checksum, <= 7168)
//   16 UInt64   XXH3-64 of header bytes [0, header bytes) with this field as zero
//   24 UInt64   file bytes
//   32 UInt32   slots per key group      36 UInt32 probe limit
//   40 UInt32   counter count            44 UInt32 reserved (0)
//   48 per counter: UInt8 aggregate (1 count, 2 sum, 3 distinct), UInt8 name length, UInt8 key
//      length, UInt8 expression length, Int64 retain seconds, Int64 finest bucket seconds, then
//      the three UTF-8 texts.

/// The decoded header of a counter file.
public struct CounterFileHeader: Equatable, Sendable {
    /// The format version this build writes. Version 2 allows 1-day buckets; version 1 files
    /// (the same layout, buckets dividing an hour) are read as well.
    public static let version: UInt32 = 2
    /// The oldest format version this build reads.
    public static let oldestReadableVersion: UInt32 = 1
    static let magic: [UInt8] = Array("VERDCTR\0".utf8)
    static let fixedBytes = 48
    static let checksumOffset = 16

    /// The counters stored in the file, in definition order.
    public var definitions: [CounterDefinition]
    /// Slots per key group (a power of two).
    public var slotsPerGroup: Int
    /// How many consecutive slots a key may occupy before eviction.
    public var probeLimit: Int
    /// The file size the geometry implies.
    public var fileBytes: Int

    /// The encoded header bytes, checksum included.
    func encoded() -> [UInt8] {
        var bytes = Self.magic
        func put<T: FixedWidthInteger>(_ value: T) { withUnsafeBytes(of: value.littleEndian) { bytes += $0 } }
        put(Self.version)
        put(UInt32(0))                  // header bytes, patched below
        put(UInt64(0))                  // checksum, patched below
        put(UInt64(fileBytes))
        put(UInt32(slotsPerGroup))
        put(UInt32(probeLimit))
        put(UInt32(definitions.count))
        put(UInt32(0))
        for definition in definitions {
            let texts = [definition.name, definition.key, definition.aggregate.expression].map { Array($0.utf8) }
            put(definition.aggregate.code)
            for text in texts { put(UInt8(text.count)) }
            put(definition.retain)
            put(definition.bucket)
            for text in texts { bytes += text }
        }
        withUnsafeBytes(of: UInt32(bytes.count).littleEndian) { bytes.replaceSubrange(12..<16, with: $0) }
        let checksum = bytes.withUnsafeBytes { xxh3($0) }
        withUnsafeBytes(of: checksum.littleEndian) { bytes.replaceSubrange(16..<24, with: $0) }
        return bytes
    }

    /// Recomputes and stores the checksum of an encoded header in place (tools and fuzzing that
    /// build or alter headers by hand). Does nothing if the bytes are too short to hold a header.
    public static func seal(_ bytes: inout [UInt8]) {
        guard bytes.count >= fixedBytes else { return }
        let length = Int(bytes.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: 12, as: UInt32.self)) })
        guard length >= fixedBytes, length <= bytes.count else { return }
        bytes.replaceSubrange(16..<24, with: repeatElement(0, count: 8))
        let checksum = bytes.withUnsafeBytes { xxh3(UnsafeRawBufferPointer(rebasing: $0[0..<length])) }
        withUnsafeBytes(of: checksum.littleEndian) { bytes.replaceSubrange(16..<24, with: $0) }
    }

    /// Decodes and validates a header from the first bytes of a file of `fileSize` bytes.
    static func decode(_ bytes: UnsafeRawBufferPointer, fileSize: Int, path: String) throws(CounterError) -> CounterFileHeader {
        guard bytes.count >= fixedBytes else {
            throw .foreignFile(path: path, reason: "\(fileSize) bytes is too short for a header")
        }
        guard Array(bytes[0..<8]) == magic else { throw .foreignFile(path: path, reason: "wrong magic") }
        func u32(_ at: Int) -> UInt32 { UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: UInt32.self)) }
        func u64(_ at: Int) -> UInt64 { UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: UInt64.self)) }
        let version = u32(8)
        guard version >= Self.oldestReadableVersion, version <= Self.version else {
            throw .unsupportedVersion(path: path, found: version)
        }
        let length = Int(u32(12))
        guard length >= fixedBytes, length <= CounterLayout.maximumHeaderBytes, length <= bytes.count else {
            throw .corruptFile(path: path, reason: "header length \(length) out of range")
        }
        var copy = Array(bytes[0..<length])
        copy.replaceSubrange(16..<24, with: repeatElement(0, count: 8))
        guard copy.withUnsafeBytes({ xxh3($0) }) == u64(16) else {
            throw .corruptFile(path: path, reason: "header checksum mismatch")
        }
        let declaredFileBytes = u64(24)
        let slots = Int(u32(32)), probeLimit = Int(u32(36)), count = Int(u32(40))
        guard (1...CounterLayout.maximumCounters).contains(count) else {
            throw .corruptFile(path: path, reason: "counter count \(count) out of range")
        }
        guard (1...64).contains(probeLimit), probeLimit <= slots else {
            throw .corruptFile(path: path, reason: "probe limit \(probeLimit) out of range")
        }
        var definitions: [CounterDefinition] = []
        var at = fixedBytes
        for _ in 0..<count {
            guard at + 20 <= length else { throw .corruptFile(path: path, reason: "counter definitions run past the header") }
            let code = bytes[at]
            let lengths = [Int(bytes[at + 1]), Int(bytes[at + 2]), Int(bytes[at + 3])]
            let retain = Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: at + 4, as: Int64.self))
            let bucket = Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: at + 12, as: Int64.self))
            at += 20
            var texts: [String] = []
            for textLength in lengths {
                guard at + textLength <= length else { throw .corruptFile(path: path, reason: "counter definitions run past the header") }
                guard let text = String(validating: bytes[at..<(at + textLength)], as: UTF8.self) else {
                    throw .corruptFile(path: path, reason: "a counter name is not UTF-8")
                }
                texts.append(text)
                at += textLength
            }
            let aggregate: CounterAggregate
            switch code {
            case 1: aggregate = .count
            case 2: aggregate = .sum(texts[2])
            case 3: aggregate = .distinct(texts[2])
            default: throw .corruptFile(path: path, reason: "unknown aggregate code \(code)")
            }
            guard version >= 2 || bucket != 86_400 else {
                throw .corruptFile(path: path, reason: "a 1-day bucket in a version \(version) file")
            }
            definitions.append(CounterDefinition(name: texts[0], key: texts[1], aggregate: aggregate,
                                                 retain: retain, bucket: bucket))
        }
        guard at == length else { throw .corruptFile(path: path, reason: "trailing bytes in the header") }
        let layout: CounterLayout
        do {
            layout = try CounterLayout(definitions: definitions, slotsPerGroup: slots)
        } catch {
            throw .corruptFile(path: path, reason: "\(error)")
        }
        guard UInt64(layout.fileBytes) == declaredFileBytes, layout.fileBytes == fileSize else {
            throw .corruptFile(path: path, reason: "file is \(fileSize) bytes, its geometry needs \(layout.fileBytes) (declared \(declaredFileBytes))")
        }
        return CounterFileHeader(definitions: definitions, slotsPerGroup: slots, probeLimit: probeLimit, fileBytes: layout.fileBytes)
    }
}
