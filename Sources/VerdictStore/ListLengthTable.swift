// Which key lengths a range lookup (ip, prefix) has to probe. For a family of keys with several
// lengths (IPv4 prefix lengths, IPv6 prefix lengths, prefix-list key lengths), the "coarse" key
// of a key or value is it truncated to the family's shortest length; every key that can match a
// value has the value's coarse key. This table maps each coarse key present (by a 64-bit
// hash) to the set of lengths of the keys that have it, so a value whose coarse key is
// absent is a miss after one table probe, and a hit probes the membership filter only at the
// lengths its coarse key has, instead of at every length of the list. When only one key has the
// coarse key (most BIN and network lists: 436 of the 468 coarse keys of the reference BINs), the
// slot also holds 8 bits of that key's own filter hash, and a lookup compares the value's hash
// at that length with them instead of probing the filter: one cache line fewer per hit. A value
// that shares the coarse key but not the key passes that check once in 128 (then an mdb_get
// finds nothing and the range search below answers): a small cost on a rare miss.
//
// Layout: open addressing with linear probing, at most half full, one UInt32 per slot (4 KB for
// the reference BINs: a hit's table line competes with LMDB's pages for L1, so the slot is kept
// small). From the top: an 8-bit fingerprint of the hash (never 0; 0 marks an empty slot), a
// 16-bit length mask (bit i is the i-th longest length of the family; the last bit stands for
// the 16th longest and every shorter length), and 8 bits of the single key's hash with bit 0
// set, or 0 when several keys (or a length sharing the last bit) have the coarse key. The slot
// index comes from bits 32 and up of the coarse key's table hash, the fingerprint from its top
// byte (see `ListFilterView.prefixTableHash`; ip families use their filter hash). A fingerprint that
// matches another coarse key's (1 in 128 per slot passed) only costs a filter probe or a get.
// Two coarse keys with equal fingerprints in one probe chain share a slot, the union of their
// masks and no single key, which only adds probes: the table never leaves out a length a
// matching key has. Its memory belongs to the ListMembershipFilter that built it.

struct ListLengthTable {
    let slots: UnsafeMutablePointer<UInt32>
    /// Slot count - 1 (the count is a power of two), or -1 for an empty table.
    let slotMask: Int

    /// The mask bit that stands for everything from the 16th longest length on.
    static let lastBit = 15

    /// The mask bit of the length at `index` in the family's longest-first list.
    static func bit(ofLengthAt index: Int) -> UInt32 { 1 << UInt32(min(index, lastBit)) }

    /// Bytes per slot.
    static let slotBytes = 4

    /// Slots for `keys` distinct coarse keys: a power of two at least twice the count (0 for none).
    static func slotCount(forKeys keys: Int) -> Int {
        keys == 0 ? 0 : 1 << (64 - (max(2 * keys, 8) - 1).leadingZeroBitCount)
    }

    /// A table over zeroed memory of `slotCount` slots (`slotBytes` each).
    init(slots: UnsafeMutablePointer<UInt32>, slotCount: Int) {
        self.slots = slots
        slotMask = slotCount - 1
    }

    @inline(__always)
    private static func fingerprint(_ hash: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: hash >> 56) | 1 }

    @inline(__always)
    private func home(_ hash: UInt64) -> Int { Int(truncatingIfNeeded: hash >> 32) & slotMask }

    /// What a single key's entry holds of its filter hash (never 0).
    @inline(__always)
    static func singleBits(_ keyHash: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: keyHash) & 0xFF | 1 }

    /// Adds a key to its coarse key's entry: `hash` is the coarse key's table hash, `bit` the
    /// mask bit of the key's length, `keyHash` the key's own filter hash.
    func insert(_ hash: UInt64, bit: UInt32, keyHash: UInt64) {
        let tag = Self.fingerprint(hash)
        var i = home(hash)
        while true {
            let slot = slots[i]
            if slot == 0 {
                // The last bit names no single length, so a key there is never a single key.
                let single = bit == 1 << UInt32(Self.lastBit) ? 0 : Self.singleBits(keyHash)
                slots[i] = tag << 24 | bit << 8 | single
                return
            }
            if slot >> 24 == tag {
                slots[i] = (slot | bit << 8) & ~0xFF
                return
            }
            i = (i + 1) & slotMask
        }
    }

    /// The entry of a coarse key: its length mask (0 when no key has it) and, when exactly one
    /// key has it, that key's `singleBits` (else 0).
    @inline(__always)
    func entry(_ hash: UInt64) -> (mask: UInt32, single: UInt32) {
        guard slotMask >= 0 else { return (0, 0) }
        let tag = Self.fingerprint(hash)
        var i = home(hash)
        while true {
            let slot = slots[i]
            if slot >> 24 == tag { return (slot >> 8 & 0xFFFF, slot & 0xFF) }
            if slot == 0 { return (0, 0) }
            i = (i + 1) & slotMask
        }
    }
}
