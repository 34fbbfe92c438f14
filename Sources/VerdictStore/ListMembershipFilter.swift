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
// Because of those repeated probes, their keys are not hashed with an XXH3 call each: ip keys
// are hashed from their integers (address, length, family) with the murmur3 64-bit finalizer,
// and prefix keys with FNV-1a extended byte by byte (one pass over the value serves every
// length) and the same finalizer. String keys use XXH3-64.

final class ListMembershipFilter: @unchecked Sendable {
    /// LMDB transaction id of the snapshot the filter was built from.
    let transactionID: Int
    /// Prefix lengths present in an ip list, per family (bit i of the 129-bit set = length i).
    let ipv4Lengths: [Int]
    let ipv6Lengths: [Int]
    /// Key lengths present in a prefix list, ascending.
    let prefixLengths: [Int]

    private let words: UnsafeMutablePointer<UInt32>
    private let blockCount: UInt64

    private static let salts: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) =
        (0x47b6137b, 0x44974d91, 0x8824ad5b, 0xa2b7289d, 0x705495c7, 0x2df1424b, 0x9efc4947, 0x5c6bfb31)

    /// Shortest prefix length per family (ip) or shortest key (prefix): the coarse probe.
    let ipv4Shortest: Int
    let ipv6Shortest: Int
    let prefixShortest: Int
    /// Distinguishes coarse entries from full keys in the shared bit array.
    static let coarseTag: UInt64 = 0x5bd1_e995_5bd1_e995

    /// Builds a filter from the keys `forEachKey` yields (`expectedCount` sizes it).
    ///
    /// For ip and prefix lists every key is also inserted truncated to the shortest length
    /// present (the "coarse" entry): a value whose truncation is absent cannot match any key,
    /// so most misses cost one probe instead of one per length present.
    init(transactionID: Int, expectedCount: Int, kind: ListStoreKind,
         forEachKey: ((UnsafeRawBufferPointer) -> Void) -> Void) {
        self.transactionID = transactionID
        // 16 bits per key (24 with the coarse entries), at least one block.
        let bitsPerKey = kind == .ip || kind == .prefix ? 24 : 16
        let blocks = UInt64(max(1, (expectedCount * bitsPerKey + 255) / 256))
        let bits = UnsafeMutablePointer<UInt32>.allocate(capacity: Int(blocks) * 8)
        bits.initialize(repeating: 0, count: Int(blocks) * 8)
        var networks: [ListIPNetwork] = [], prefixes: [[UInt8]] = []
        forEachKey { key in
            switch kind {
            case .ip:
                // A key of another shape cannot be matched by a lookup; it needs no bits.
                if let network = ListKey.network(of: key) { networks.append(network) }
            case .prefix:
                prefixes.append(Array(key))
            case .string, .stringCaseInsensitive:
                Self.insert(xxh3(key), words: bits, blockCount: blocks)
            }
        }
        let v4 = Set(networks.lazy.filter(\.isV4).map(\.prefixLength))
        let v6 = Set(networks.lazy.filter { !$0.isV4 }.map(\.prefixLength))
        ipv4Shortest = v4.min() ?? 0
        ipv6Shortest = v6.min() ?? 0
        for network in networks {
            Self.insert(Self.ipHash(network), words: bits, blockCount: blocks)
            var coarse = network
            coarse.setToPrefix(network.isV4 ? ipv4Shortest : ipv6Shortest)
            Self.insert(Self.ipHash(coarse) ^ Self.coarseTag, words: bits, blockCount: blocks)
        }
        prefixShortest = prefixes.lazy.map(\.count).min() ?? 0
        for key in prefixes {
            var state = Self.prefixSeed
            for (i, byte) in key.enumerated() {
                state = Self.prefixStep(state, byte)
                if i + 1 == prefixShortest { Self.insert(Self.mix(state) ^ Self.coarseTag, words: bits, blockCount: blocks) }
            }
            Self.insert(Self.mix(state), words: bits, blockCount: blocks)
        }
        words = bits
        blockCount = blocks
        // Most specific first: a hit on a long prefix is the common case for host entries.
        ipv4Lengths = v4.sorted(by: >)
        ipv6Lengths = v6.sorted(by: >)
        prefixLengths = Set(prefixes.map(\.count)).sorted()
    }

    deinit { words.deallocate() }

    /// The murmur3 64-bit finalizer.
    @inline(__always)
    static func mix(_ x: UInt64) -> UInt64 {
        var z = (x ^ (x >> 33)) &* 0xff51_afd7_ed55_8ccd
        z = (z ^ (z >> 33)) &* 0xc4ce_b9fe_1a85_ec53
        return z ^ (z >> 33)
    }

    /// Filter hash of an ip key (a masked network).
    @inline(__always)
    static func ipHash(_ network: ListIPNetwork) -> UInt64 {
        let tag = UInt64(network.prefixLength) << 8 | (network.isV4 ? 4 : 6)
        return mix((network.high &* 0x9E37_79B9_7F4A_7C15) ^ network.low ^ (tag << 48))
    }

    /// FNV-1a over prefix bytes: the state after each byte, finalized with `mix`, is the filter
    /// hash of the prefix ending there.
    static let prefixSeed: UInt64 = 0xcbf2_9ce4_8422_2325
    @inline(__always)
    static func prefixStep(_ state: UInt64, _ byte: UInt8) -> UInt64 { (state ^ UInt64(byte)) &* 0x100_0000_01b3 }

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
