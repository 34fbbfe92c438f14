// The value stored with each list entry: optional metadata (why it was listed, when, until
// when). Values written by other tools (python-lmdb, mdb_load: typically empty or "1") are
// entries without metadata; only a value that starts with the 4-byte magic and parses exactly
// is read as metadata, so foreign values are never misread.
//
// Layout (little-endian): "\0VL\u{1}" | added_at i64 | expires_at i64 | reason (UTF-8, rest).
// A time of 0 means "not set".

/// Metadata of one list entry.
public struct ListEntryMetadata: Equatable, Sendable {
    /// Why the entry was listed (free text, may be empty).
    public var reason: String
    /// When the entry was added, Unix seconds (0 = unknown).
    public var addedAt: Int64
    /// When the entry stops matching, Unix seconds (0 = never). An entry with
    /// `expiresAt <= now` does not match.
    public var expiresAt: Int64

    public init(reason: String = "", addedAt: Int64 = 0, expiresAt: Int64 = 0) {
        self.reason = reason
        self.addedAt = addedAt
        self.expiresAt = expiresAt
    }

    static let magic: [UInt8] = [0, 0x56, 0x4C, 1]
    static let headerSize = 20

    /// The stored bytes.
    var encoded: [UInt8] {
        var out = Self.magic
        withUnsafeBytes(of: addedAt.littleEndian) { out.append(contentsOf: $0) }
        withUnsafeBytes(of: expiresAt.littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: reason.utf8)
        return out
    }

    /// Reads stored bytes; `nil` for a value in another format (an entry without metadata).
    init?(stored: UnsafeRawBufferPointer) {
        guard stored.count >= Self.headerSize, Self.hasMagic(stored) else { return nil }
        addedAt = Int64(littleEndian: stored.loadUnaligned(fromByteOffset: 4, as: Int64.self))
        expiresAt = Int64(littleEndian: stored.loadUnaligned(fromByteOffset: 12, as: Int64.self))
        reason = String(decoding: stored[Self.headerSize...], as: UTF8.self)
    }

    /// Whether a stored value starts with the magic (callers check that it has 4 bytes or more).
    @inline(__always)
    static func hasMagic(_ stored: UnsafeRawBufferPointer) -> Bool {
        UInt32(littleEndian: stored.loadUnaligned(as: UInt32.self)) == 0x014C_5600  // bytes 00 56 4C 01
    }

    /// Whether a stored value is expired at `now`, without decoding the reason (hot path).
    @inline(__always)
    static func isExpired(stored: UnsafeRawBufferPointer, now: Int64) -> Bool {
        guard stored.count >= headerSize, hasMagic(stored) else { return false }
        let expires = Int64(littleEndian: stored.loadUnaligned(fromByteOffset: 12, as: Int64.self))
        return expires != 0 && expires <= now
    }
}
