// How an entry's text becomes an LMDB key for each list kind, and back. Stored keys are what
// lookups compare against, so a value is encoded the same way on both paths:
// - string: the UTF-8 bytes; string ci: the same with ASCII letters folded to lower case;
// - prefix: the UTF-8 bytes (a key matches every value it is a prefix of);
// - ip: family byte (4 or 6) | network address, big-endian (4 or 16 bytes) | prefix length.
//   Keys sort by family, then start address, then length, which is what the range search of
//   ListReader relies on. Networks are stored masked (10.1.2.3/8 is stored as 10.0.0.0/8).
// LMDB keys are 1...511 bytes (MDB_MAXKEYSIZE of the Debian build).

/// Why an entry's text was rejected.
public enum ListEntryError: Error, Equatable, Sendable, CustomStringConvertible {
    case empty
    case invalidUTF8
    case keyTooLong(bytes: Int)
    case malformedIPAddress(String)
    case malformedCIDRLength(String)

    public var description: String {
        switch self {
        case .empty: return "empty entry"
        case .invalidUTF8: return "invalid UTF-8"
        case let .keyTooLong(bytes): return "entry is \(bytes) bytes, longer than LMDB's \(ListKey.maxBytes)-byte key limit"
        case let .malformedIPAddress(text): return "malformed IP address '\(text)'"
        case let .malformedCIDRLength(text): return "malformed CIDR prefix length in '\(text)'"
        }
    }
}

/// Encoding of entry text to LMDB keys and back.
enum ListKey {
    /// MDB_MAXKEYSIZE of the LMDB build Verdict links (Debian's liblmdb: 511).
    static let maxBytes = 511
    /// Family bytes of ip keys.
    static let familyV4: UInt8 = 4, familyV6: UInt8 = 6

    /// The key for an entry given as UTF-8 bytes, validating it for the kind.
    static func encode(_ bytes: UnsafeRawBufferPointer, kind: ListStoreKind) -> Result<[UInt8], ListEntryError> {
        guard bytes.count > 0 else { return .failure(.empty) }
        guard isValidUTF8(bytes) else { return .failure(.invalidUTF8) }
        switch kind {
        case .string, .prefix, .stringCaseInsensitive:
            guard bytes.count <= maxBytes else { return .failure(.keyTooLong(bytes: bytes.count)) }
            var key = Array(bytes)
            if kind == .stringCaseInsensitive { for i in key.indices { key[i] = foldASCII(key[i]) } }
            return .success(key)
        case .ip:
            switch ListIPAddressText.parseNetwork(bytes) {
            case let .success(network): return .success(ipKey(network))
            case .failure(.malformedAddress): return .failure(.malformedIPAddress(String(decoding: bytes, as: UTF8.self)))
            case .failure(.malformedPrefixLength): return .failure(.malformedCIDRLength(String(decoding: bytes, as: UTF8.self)))
            }
        }
    }

    /// The key for an entry given as a string.
    static func encode(_ text: String, kind: ListStoreKind) -> Result<[UInt8], ListEntryError> {
        var copy = text
        return copy.withUTF8 { encode(UnsafeRawBufferPointer($0), kind: kind) }
    }

    /// The text of a stored key (the canonical form: folded, masked).
    static func text(of key: UnsafeRawBufferPointer, kind: ListStoreKind) -> String {
        if kind == .ip, let network = network(of: key) { return network.description }
        return String(decoding: key, as: UTF8.self)
    }

    /// The ip key of a (masked) network.
    static func ipKey(_ network: ListIPNetwork) -> [UInt8] {
        var key = [UInt8](repeating: 0, count: network.isV4 ? 6 : 18)
        key.withUnsafeMutableBytes { _ = writeIPKey(network, into: $0.baseAddress!) }
        return key
    }

    /// Writes the ip key of `network` to `out` (6 or 18 bytes) and returns its length.
    @inline(__always)
    @discardableResult
    static func writeIPKey(_ network: ListIPNetwork, into out: UnsafeMutableRawPointer) -> Int {
        if network.isV4 {
            out.storeBytes(of: familyV4, as: UInt8.self)
            out.storeBytes(of: UInt32(truncatingIfNeeded: network.low).bigEndian, toByteOffset: 1, as: UInt32.self)
            out.storeBytes(of: UInt8(network.prefixLength), toByteOffset: 5, as: UInt8.self)
            return 6
        }
        out.storeBytes(of: familyV6, as: UInt8.self)
        out.storeBytes(of: network.high.bigEndian, toByteOffset: 1, as: UInt64.self)
        out.storeBytes(of: network.low.bigEndian, toByteOffset: 9, as: UInt64.self)
        out.storeBytes(of: UInt8(network.prefixLength), toByteOffset: 17, as: UInt8.self)
        return 18
    }

    /// The network of a stored ip key; nil for a key of another shape (written by another tool).
    static func network(of key: UnsafeRawBufferPointer) -> ListIPNetwork? {
        if key.count == 6, key[0] == familyV4, key[5] <= 32 {
            let address = UInt32(bigEndian: key.loadUnaligned(fromByteOffset: 1, as: UInt32.self))
            return ListIPNetwork(isV4: true, high: 0, low: UInt64(address), prefixLength: Int(key[5]))
        }
        if key.count == 18, key[0] == familyV6, key[17] <= 128 {
            return ListIPNetwork(isV4: false,
                             high: UInt64(bigEndian: key.loadUnaligned(fromByteOffset: 1, as: UInt64.self)),
                             low: UInt64(bigEndian: key.loadUnaligned(fromByteOffset: 9, as: UInt64.self)),
                             prefixLength: Int(key[17]))
        }
        return nil
    }

    @inline(__always)
    static func foldASCII(_ byte: UInt8) -> UInt8 {
        byte &- 65 < 26 ? byte | 0x20 : byte
    }

    /// Copies `bytes` to `out` with ASCII letters folded to lower case, eight bytes at a time:
    /// in each byte b < 0x80, (b + 0x80 - 'A') and (b + 0x80 - 'Z' - 1) differ in the top bit
    /// exactly when 'A' <= b <= 'Z'; that bit, shifted to 0x20, is or-ed in. A tail shorter than
    /// eight bytes is done as the last eight bytes (overlapping words fold to the same bytes).
    @inline(__always)
    static func foldASCII(_ bytes: UnsafeRawBufferPointer, into out: UnsafeMutableRawPointer) {
        let n = bytes.count
        guard let base = bytes.baseAddress else { return }
        if n < 8 {
            for i in 0..<n { out.storeBytes(of: foldASCII(bytes[i]), toByteOffset: i, as: UInt8.self) }
            return
        }
        @inline(__always) func foldWord(at i: Int) {
            let ones: UInt64 = 0x0101_0101_0101_0101
            let word = base.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            let low7 = word & (0x7F &* ones)
            let upper = ((low7 &+ (0x80 - 0x41) &* ones) ^ (low7 &+ (0x80 - 0x5B) &* ones)) & ~word & (0x80 &* ones)
            out.storeBytes(of: word | (upper >> 2), toByteOffset: i, as: UInt64.self)
        }
        var i = 0
        while i + 8 <= n { foldWord(at: i); i += 8 }
        if i < n { foldWord(at: n - 8) }
    }

    /// Strict UTF-8 validation (no overlongs, no surrogates, at most U+10FFFF).
    static func isValidUTF8(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var i = 0
        let n = bytes.count
        while i < n {
            let b0 = bytes[i]
            if b0 < 0x80 { i += 1; continue }
            let length: Int, low: UInt8, high: UInt8
            switch b0 {
            case 0xC2...0xDF: length = 2; low = 0x80; high = 0xBF
            case 0xE0: length = 3; low = 0xA0; high = 0xBF
            case 0xE1...0xEC, 0xEE...0xEF: length = 3; low = 0x80; high = 0xBF
            case 0xED: length = 3; low = 0x80; high = 0x9F
            case 0xF0: length = 4; low = 0x90; high = 0xBF
            case 0xF1...0xF3: length = 4; low = 0x80; high = 0xBF
            case 0xF4: length = 4; low = 0x80; high = 0x8F
            default: return false
            }
            guard i + length <= n, bytes[i + 1] >= low, bytes[i + 1] <= high else { return false }
            for j in 2..<length where bytes[i + j] & 0xC0 != 0x80 { return false }
            i += length
        }
        return true
    }
}
