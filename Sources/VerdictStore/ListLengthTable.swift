// Which key lengths a range lookup (ip, prefix) has to probe. For a family of keys with several
// lengths (IPv4 prefix lengths, IPv6 prefix lengths, prefix-list key lengths), the "coarse" key
// of a key or value is it truncated to the family's shortest length; every key that can match a
// value has the value's coarse key. This table maps each coarse key present (by its 64-bit
// filter hash) to the set of lengths of the keys that have it, so a value whose coarse key is
// absent is a miss after one table probe, and a hit probes the membership filter only at the
// lengths its coarse key has, instead of at every length of the list.
//
// Layout: open addressing with linear probing, at most half full, one UInt64 per slot: a 32-bit
// fingerprint of the hash (never 0; 0 marks an empty slot) above a 32-bit length mask. Bit i of
// the mask is the i-th longest length of the family; the last bit stands for the 32nd longest
// and every shorter length. Two coarse keys with equal fingerprints in one probe chain share a
// slot and the union of their masks, which only adds probes: the table never leaves out a
// length a matching key has. Its memory belongs to the ListMembershipFilter that built it.

struct ListLengthTable {
    let slots: UnsafeMutablePointer<UInt64>
    /// Slot count - 1 (the count is a power of two), or -1 for an empty table.
    let slotMask: Int

    /// The mask bit that stands for everything from the 32nd longest length on.
    static let lastBit = 31

    /// The mask bit of the length at `index` in the family's longest-first list.
    static func bit(ofLengthAt index: Int) -> UInt32 { 1 << UInt32(min(index, lastBit)) }

    /// Slots for `keys` distinct coarse keys: a power of two at least twice the count (0 for none).
    static func slotCount(forKeys keys: Int) -> Int {
        keys == 0 ? 0 : 1 << (64 - (max(2 * keys, 8) - 1).leadingZeroBitCount)
    }

    /// A table over zeroed memory of `slotCount` slots.
    init(slots: UnsafeMutablePointer<UInt64>, slotCount: Int) {
        self.slots = slots
        slotMask = slotCount - 1
    }

    @inline(__always)
    private static func fingerprint(_ hash: UInt64) -> UInt64 { (hash & 0xFFFF_FFFF) | 1 }

    @inline(__always)
    private func home(_ hash: UInt64) -> Int { Int(truncatingIfNeeded: hash >> 32) & slotMask }

    /// Adds a length (its mask bit) to a coarse key's set.
    func insert(_ hash: UInt64, bit: UInt32) {
        let tag = Self.fingerprint(hash)
        var i = home(hash)
        while true {
            let slot = slots[i]
            if slot == 0 || slot >> 32 == tag {
                slots[i] = tag << 32 | (slot & 0xFFFF_FFFF) | UInt64(bit)
                return
            }
            i = (i + 1) & slotMask
        }
    }

    /// The length mask of a coarse key; 0 when no key has it.
    @inline(__always)
    func lengthBits(_ hash: UInt64) -> UInt32 {
        guard slotMask >= 0 else { return 0 }
        let tag = Self.fingerprint(hash)
        var i = home(hash)
        while true {
            let slot = slots[i]
            if slot >> 32 == tag { return UInt32(truncatingIfNeeded: slot) }
            if slot == 0 { return 0 }
            i = (i + 1) & slotMask
        }
    }
}
