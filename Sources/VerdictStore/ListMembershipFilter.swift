// An in-process blocked Bloom filter over one list's LMDB keys, keyed by XXH3-64, so that the
// common case of a payment (not on the list) is answered without touching LMDB. It is a
// snapshot of the list at one LMDB transaction id and is rebuilt when that id changes; it can
// say "maybe present" for an absent key (false positive, ~0.1-0.5% at 16 bits per key) but never
// "absent" for a present one.
//
// Layout: the split-block design of Parquet/Impala: 256-bit blocks of eight 32-bit words; one
// hash picks the block (upper 32 bits) and one bit in each word (lower 32 bits times eight odd
// salts). One probe touches one 32-byte block, i.e. one cache line.
//
// For ip and prefix lists a value is probed once per key length present in the list (prefix
// lengths of the networks, lengths of the prefixes), so range semantics are covered exactly.

final class ListMembershipFilter: @unchecked Sendable {
    /// LMDB transaction id of the snapshot the filter was built from.
    let transactionID: Int
    /// Number of keys inserted.
    let count: Int
    /// Prefix lengths present in an ip list, per family (bit i of the 129-bit set = length i).
    let ipv4Lengths: [Int]
    let ipv6Lengths: [Int]
    /// Key lengths present in a prefix list, ascending.
    let prefixLengths: [Int]

    private let words: UnsafeMutablePointer<UInt32>
    private let blockCount: UInt64

    private static let salts: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) =
        (0x47b6137b, 0x44974d91, 0x8824ad5b, 0xa2b7289d, 0x705495c7, 0x2df1424b, 0x9efc4947, 0x5c6bfb31)

    /// Builds a filter from the keys `forEachKey` yields (`count` is a size hint).
    init(transactionID: Int, expectedCount: Int, kind: ListKind,
         forEachKey: ((UnsafeRawBufferPointer) -> Void) -> Void) {
        self.transactionID = transactionID
        // 16 bits per key, at least one block.
        let blocks = UInt64(max(1, (expectedCount * 16 + 255) / 256))
        let bits = UnsafeMutablePointer<UInt32>.allocate(capacity: Int(blocks) * 8)
        bits.initialize(repeating: 0, count: Int(blocks) * 8)
        var inserted = 0
        var v4 = Set<Int>(), v6 = Set<Int>(), prefixes = Set<Int>()
        forEachKey { key in
            let h = xxh3(key)
            Self.insert(h, words: bits, blockCount: blocks)
            inserted += 1
            switch kind {
            case .ip:
                if let network = ListKey.network(of: key) {
                    if network.isV4 { v4.insert(network.prefixLength) } else { v6.insert(network.prefixLength) }
                }
            case .prefix: prefixes.insert(key.count)
            case .string, .stringCaseInsensitive: break
            }
        }
        words = bits
        blockCount = blocks
        count = inserted
        // Most specific first: a hit on a long prefix is the common case for host entries.
        ipv4Lengths = v4.sorted(by: >)
        ipv6Lengths = v6.sorted(by: >)
        prefixLengths = prefixes.sorted()
    }

    deinit { words.deallocate() }

    private static func insert(_ h: UInt64, words: UnsafeMutablePointer<UInt32>, blockCount: UInt64) {
        let block = words + Int(((h >> 32) &* blockCount) >> 32) * 8
        let x = UInt32(truncatingIfNeeded: h)
        withUnsafeBytes(of: salts) { s in
            for i in 0..<8 { block[i] |= 1 << ((x &* s.load(fromByteOffset: i * 4, as: UInt32.self)) >> 27) }
        }
    }

    /// False only if the key is certainly not in the snapshot.
    @inline(__always)
    func mayContain(_ key: UnsafeRawBufferPointer) -> Bool {
        mayContain(hash: xxh3(key))
    }

    /// False only if a key with this XXH3-64 hash is certainly not in the snapshot.
    @inline(__always)
    func mayContain(hash h: UInt64) -> Bool {
        let block = words + Int(((h >> 32) &* blockCount) >> 32) * 8
        let x = UInt32(truncatingIfNeeded: h)
        let s = Self.salts
        var miss: UInt32 = 0
        miss |= ~block[0] & (1 << ((x &* s.0) >> 27))
        miss |= ~block[1] & (1 << ((x &* s.1) >> 27))
        miss |= ~block[2] & (1 << ((x &* s.2) >> 27))
        miss |= ~block[3] & (1 << ((x &* s.3) >> 27))
        miss |= ~block[4] & (1 << ((x &* s.4) >> 27))
        miss |= ~block[5] & (1 << ((x &* s.5) >> 27))
        miss |= ~block[6] & (1 << ((x &* s.6) >> 27))
        miss |= ~block[7] & (1 << ((x &* s.7) >> 27))
        return miss == 0
    }
}
