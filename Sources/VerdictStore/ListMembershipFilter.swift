// An in-process filter over one list's LMDB keys, so that the common case of a payment (not on
// the list) is answered without touching LMDB. It is a snapshot of the list at one LMDB
// transaction id and is rebuilt when that id changes; it can say "maybe present" for an absent
// key (false positive, ~0.1-0.5% per probe at 16 bits per key) but never "absent" for a present
// one.
//
// Bloom part: the split-block design of Parquet/Impala: 256-bit blocks of eight 32-bit words;
// one hash picks the block (upper 32 bits) and one bit in each word (lower 32 bits times eight
// odd salts). The bit array is 64-byte aligned, so one probe touches one cache line. String keys
// are hashed with XXH3-64.
//
// Range kinds (ip, prefix): a value can match a key of every length present, so the Bloom part
// holds each key at its own length and lookups probe it per length. Which lengths to probe comes
// from a length table (ListLengthTable.swift) keyed by the value truncated to the shortest
// length present (its "coarse" key): a miss usually ends at the table, and a hit probes only the
// lengths that keys sharing its coarse key have, or, when one key alone has the coarse key,
// compares the value's hash with that key's (held by the table) and probes no Bloom block.
// Because a lookup hashes one value at several lengths, range keys are not hashed with an XXH3
// call each: ip keys are hashed from their integers (address, length, family) with the murmur3
// 64-bit finalizer, and prefix keys of up to 16 bytes from their bytes as two words with the
// same finalizer (XXH3 beyond 16 bytes; a lookup reads the value's first word once for all
// lengths up to 8); the hashes of one value at its different lengths are independent, so the
// CPU overlaps them.
//
// Two types: `ListMembershipFilter` builds and owns the memory (a class, shared between the
// readers of a store); `ListFilterView` is what lookups read, plain pointers and integers into
// that memory, so the hot path touches no reference counts. A view is valid while its owner is
// alive; ListReader keeps the owner next to every view it stores.

final class ListMembershipFilter: @unchecked Sendable {
    /// LMDB transaction id of the snapshot the filter was built from.
    let transactionID: Int
    /// The bits, lengths and length table, for lookups.
    let view: ListFilterView
    private let memory: UnsafeMutableRawPointer

    /// A filter of no keys: what a reader's slot holds before its first lookup (never probed).
    static let empty = ListMembershipFilter(transactionID: -1, expectedCount: 0, kind: .string) { _ in }

    /// Builds a filter from the keys `forEachKey` yields (`expectedCount` sizes it).
    init(transactionID: Int, expectedCount: Int, kind: ListStoreKind,
         forEachKey: ((UnsafeRawBufferPointer) -> Void) -> Void) {
        self.transactionID = transactionID
        // 16 bits per key, at least one block.
        let blocks = max(1, (expectedCount * 16 + 255) / 256)
        var stringHashes: [UInt64] = [], networks: [ListIPNetwork] = [], prefixes: [[UInt8]] = []
        forEachKey { key in
            switch kind {
            case .ip:
                // A key of another shape cannot be matched by a lookup; it needs no bits.
                if let network = ListKey.network(of: key) { networks.append(network) }
            case .prefix:
                prefixes.append(Array(key))
            case .string, .stringCaseInsensitive:
                stringHashes.append(xxh3(key))
            }
        }
        // Lengths present, longest first, per family (ip v4, ip v6, prefix).
        let v4 = Set(networks.lazy.filter(\.isV4).map(\.prefixLength)).sorted(by: >)
        let v6 = Set(networks.lazy.filter { !$0.isV4 }.map(\.prefixLength)).sorted(by: >)
        let byteLengths = Set(prefixes.lazy.map(\.count)).sorted(by: >)
        // Per key: its full hash and, in a family of several lengths, its coarse hash and the
        // table bit of its length.
        var full: [UInt64] = stringHashes, coarse: [(hash: UInt64, bit: UInt32, keyHash: UInt64)] = []
        for network in networks {
            let lengths = network.isV4 ? v4 : v6
            let keyHash = ListFilterView.ipHash(network)
            full.append(keyHash)
            if lengths.count > 1 {
                var truncated = network
                truncated.setToPrefix(lengths.last!)
                coarse.append((ListFilterView.ipHash(truncated), ListLengthTable.bit(ofLengthAt: lengths.firstIndex(of: network.prefixLength)!), keyHash))
            }
        }
        for key in prefixes {
            key.withUnsafeBytes { bytes in
                let keyHash = ListFilterView.prefixHash(bytes, length: key.count)
                full.append(keyHash)
                if byteLengths.count > 1 {
                    coarse.append((ListFilterView.prefixTableHash(bytes, head: ListFilterView.word(bytes, from: 0), length: byteLengths.last!),
                                   ListLengthTable.bit(ofLengthAt: byteLengths.firstIndex(of: key.count)!), keyHash))
                }
            }
        }
        // One allocation: the blocks (64-byte aligned), the length table, the length lists.
        coarse.sort { $0.hash < $1.hash }
        var distinct = 0
        for i in coarse.indices where i == 0 || coarse[i].hash != coarse[i - 1].hash { distinct += 1 }
        let tableSlots = ListLengthTable.slotCount(forKeys: distinct)
        let blockBytes = blocks * 32, tableBytes = tableSlots * ListLengthTable.slotBytes
        let lengthOffset = blockBytes + tableBytes
        let byteCount = lengthOffset + (ListFilterView.prefixLengthsAt + 512) * 2
        memory = .allocate(byteCount: byteCount, alignment: 64)
        memory.initializeMemory(as: UInt8.self, repeating: 0, count: byteCount)
        let bits = memory.assumingMemoryBound(to: UInt32.self)
        for h in full { Self.insert(h, words: bits, blockCount: UInt64(blocks)) }
        let table = ListLengthTable(slots: (memory + blockBytes).assumingMemoryBound(to: UInt32.self), slotCount: tableSlots)
        for (hash, bit, keyHash) in coarse { table.insert(hash, bit: bit, keyHash: keyHash) }
        let lengths = (memory + lengthOffset).assumingMemoryBound(to: UInt16.self)
        for (i, n) in v4.enumerated() { lengths[ListFilterView.ipv4LengthsAt + i] = UInt16(n) }
        for (i, n) in v6.enumerated() { lengths[ListFilterView.ipv6LengthsAt + i] = UInt16(n) }
        for (i, n) in byteLengths.enumerated() { lengths[ListFilterView.prefixLengthsAt + i] = UInt16(n) }
        view = ListFilterView(words: UnsafePointer(bits), blockCount: UInt64(blocks), table: table,
                              lengths: UnsafePointer(lengths), ipv4Count: v4.count, ipv6Count: v6.count, prefixCount: byteLengths.count)
    }

    deinit { memory.deallocate() }

    private static func insert(_ h: UInt64, words: UnsafeMutablePointer<UInt32>, blockCount: UInt64) {
        let block = words + Int(((h >> 32) &* blockCount) >> 32) * 8
        let m = ListFilterView.saltedBits(UInt32(truncatingIfNeeded: h))
        block[0] |= m.0; block[1] |= m.1; block[2] |= m.2; block[3] |= m.3
        block[4] |= m.4; block[5] |= m.5; block[6] |= m.6; block[7] |= m.7
    }
}

/// The read side of a `ListMembershipFilter`: trivial to copy, no reference counting.
struct ListFilterView {
    /// The Bloom blocks: `blockCount` groups of eight words.
    let words: UnsafePointer<UInt32>
    let blockCount: UInt64
    /// Lengths present per coarse key, for families of more than one length.
    let table: ListLengthTable
    /// The lengths present, longest first: ip v4 prefix lengths from `ipv4LengthsAt`, ip v6
    /// from `ipv6LengthsAt`, prefix-list key lengths from `prefixLengthsAt`.
    let lengths: UnsafePointer<UInt16>
    let ipv4Count: Int
    let ipv6Count: Int
    let prefixCount: Int

    static let ipv4LengthsAt = 0, ipv6LengthsAt = 33, prefixLengthsAt = 162

    /// The bit a hash sets in each of the eight words of its block (word i: bit
    /// (x * salt_i) >> 27 of the lower 32 hash bits x).
    @inline(__always)
    static func saltedBits(_ x: UInt32) -> (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) {
        @inline(__always) func bit(_ salt: UInt32) -> UInt32 { 1 &<< ((x &* salt) &>> 27) }
        return (bit(0x47b6137b), bit(0x44974d91), bit(0x8824ad5b), bit(0xa2b7289d),
                bit(0x705495c7), bit(0x2df1424b), bit(0x9efc4947), bit(0x5c6bfb31))
    }

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

    /// Filter hash of the first `length` bytes of `bytes` (a prefix key, or a value's prefix).
    /// Up to 16 bytes (BINs and the like) it is computed from the bytes as two little-endian
    /// words, without a loop; longer prefixes use XXH3. The hashes of one value at different
    /// lengths do not depend on each other, so a lookup's probes can overlap.
    @inline(__always)
    static func prefixHash(_ bytes: UnsafeRawBufferPointer, length: Int) -> UInt64 {
        if length <= 8 { return shortPrefixHash(head: word(bytes, from: 0), length: length) }
        guard length <= 16 else { return xxh3(UnsafeRawBufferPointer(rebasing: bytes[0..<length])) }
        let second = word(bytes, from: 8) & lowBytes(length - 8)
        return mix((word(bytes, from: 0) &* 0x9E37_79B9_7F4A_7C15) ^ second ^ (UInt64(length) &* 0xC2B2_AE3D_27D4_EB4F))
    }

    /// `prefixHash` for a length of 1...8 bytes, from the value's first word (`head`, read once
    /// per lookup by `word(_:from: 0)`): a mask, two multiplies and the mixer, no branch.
    @inline(__always)
    static func shortPrefixHash(head: UInt64, length: Int) -> UInt64 {
        mix(((head & lowBytes(length)) &* 0x9E37_79B9_7F4A_7C15) ^ (UInt64(length) &* 0xC2B2_AE3D_27D4_EB4F))
    }

    /// Length-table hash of a prefix family's coarse key (`length` is the family's shortest): up
    /// to 8 bytes, the word times the golden-ratio constant (the table takes its slot from bits
    /// 32 and up and its fingerprint from the top byte, which depend on every byte; one multiply
    /// where `prefixHash` has three in a row, so a lookup reaches its table slot sooner), beyond
    /// that `prefixHash`. `head` is `word(bytes, from: 0)`.
    @inline(__always)
    static func prefixTableHash(_ bytes: UnsafeRawBufferPointer, head: UInt64, length: Int) -> UInt64 {
        length <= 8 ? (head & lowBytes(length)) &* 0x9E37_79B9_7F4A_7C15 : prefixHash(bytes, length: length)
    }

    /// Mask of the low `n` bytes of a word, n in 1...8.
    @inline(__always)
    private static func lowBytes(_ n: Int) -> UInt64 { UInt64.max &>> UInt64(truncatingIfNeeded: 64 &- 8 &* n) }

    /// The bytes from `offset` on (up to 8; fewer at the end of the buffer, zero-filled) as a
    /// little-endian word. Short tails are read as two overlapping loads, never past the end.
    @inline(__always)
    static func word(_ bytes: UnsafeRawBufferPointer, from offset: Int) -> UInt64 {
        let n = bytes.count - offset
        guard n > 0, let base = bytes.baseAddress.map({ $0 + offset }) else { return 0 }
        if n >= 8 { return UInt64(littleEndian: base.loadUnaligned(as: UInt64.self)) }
        if n >= 4 {
            let low = UInt64(UInt32(littleEndian: base.loadUnaligned(as: UInt32.self)))
            let high = UInt64(UInt32(littleEndian: base.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self)))
            return low | high << UInt64(8 * (n - 4))
        }
        let b = base.assumingMemoryBound(to: UInt8.self)
        return UInt64(b[0]) | UInt64(b[n / 2]) << UInt64(8 * (n / 2)) | UInt64(b[n - 1]) << UInt64(8 * (n - 1))
    }

    /// False only if no key with this filter hash is in the snapshot.
    @inline(__always)
    func mayContain(hash h: UInt64) -> Bool {
        let block = words + Int(truncatingIfNeeded: ((h >> 32) &* blockCount) >> 32) &* 8
        let m = Self.saltedBits(UInt32(truncatingIfNeeded: h))
        // Eight independent bit tests, or-ed: no early exit, so no unpredictable branches.
        let miss = ~block[0] & m.0 | ~block[1] & m.1 | ~block[2] & m.2 | ~block[3] & m.3
            | ~block[4] & m.4 | ~block[5] & m.5 | ~block[6] & m.6 | ~block[7] & m.7
        return miss == 0
    }

    /// False only if the string key is certainly not in the snapshot.
    @inline(__always)
    func mayContain(_ key: UnsafeRawBufferPointer) -> Bool { mayContain(hash: xxh3(key)) }

    /// The first length (longest first) of the family whose lengths start at `at` (`count` of
    /// them) that the filter admits for a value, or -1. `hash(length)` is the filter hash of the
    /// value truncated to `length`, `tableHash` the length-table hash of its coarse key (the value
    /// truncated to the shortest length); lengths above `atMost` are skipped (a prefix value
    /// shorter than a key). When the length table names a
    /// single key for the coarse key, the value's hash at that key's length is compared with the
    /// key's instead of probing the filter.
    @inline(__always)
    func firstAdmittedLength(at: Int, count: Int, atMost: Int, tableHash: (Int) -> UInt64, hash: (Int) -> UInt64) -> Int {
        guard count > 0 else { return -1 }
        if count == 1 {  // no table: the one length's own probe is the filter
            let length = Int(lengths[at])
            return length <= atMost && mayContain(hash: hash(length)) ? length : -1
        }
        let shortest = Int(lengths[at &+ count &- 1])
        guard shortest <= atMost else { return -1 }
        var (mask, single) = table.entry(tableHash(shortest))
        if single != 0 {  // one key has this coarse key: its own hash decides, no filter probe
            let length = Int(lengths[at &+ mask.trailingZeroBitCount])
            return length <= atMost && ListLengthTable.singleBits(hash(length)) == single ? length : -1
        }
        while mask != 0 {
            let i = mask.trailingZeroBitCount
            mask &= mask &- 1
            // The last bit stands for every length from its index on.
            let end = i == ListLengthTable.lastBit ? count : i + 1
            for j in i..<end {
                let length = Int(lengths[at + j])
                if length <= atMost && mayContain(hash: hash(length)) { return length }
            }
        }
        return -1
    }
}
