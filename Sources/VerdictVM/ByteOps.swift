// Byte-level string and hashing primitives used by the interpreter: equality and ordering of UTF-8
// byte ranges (optionally ASCII case-insensitive), prefix/suffix/substring/LIKE matching, code
// point counting, and the hashes of the constant-set tables. Pure functions over raw pointers,
// allocation-free; the pointers always come from the request arena, whose bounds the callers hold
// and whose slack bytes let strings of up to 16 bytes be compared and hashed as masked words.

import Glibc

enum ByteOps {
    /// ASCII case fold: A-Z to a-z, every other byte unchanged.
    @inline(__always)
    static func fold(_ b: UInt8) -> UInt8 { (b &- 65) < 26 ? b | 0x20 : b }

    /// Up to 8 bytes from `p` as a little-endian word (zero-padded).
    @inline(__always)
    static func word(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt64 {
        if n >= 8 { return UInt64(littleEndian: UnsafeRawPointer(p).loadUnaligned(as: UInt64.self)) }
        var w: UInt64 = 0
        for i in 0..<n { w |= UInt64(p[i]) << UInt64(8 * i) }
        return w
    }

    /// The 8 bytes at `p`, unaligned, little-endian. Only for pointers into the request arena, which
    /// has `Arena.slack` bytes past its capacity: a load at any string's start stays allocated.
    @inline(__always)
    static func load8(_ p: UnsafePointer<UInt8>) -> UInt64 {
        UInt64(littleEndian: UnsafeRawPointer(p).loadUnaligned(as: UInt64.self))
    }

    /// The first `n` (0...8) bytes at arena pointer `p` as `word(p, n)`, by one masked load.
    @inline(__always)
    static func head(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt64 {
        n >= 8 ? load8(p) : load8(p) & ~(UInt64.max &<< UInt64(8 &* n))
    }

    /// `fold` applied to the 8 bytes of a word at once (SWAR): A-Z to a-z, every other byte,
    /// including those >= 0x80, unchanged.
    @inline(__always)
    static func foldWord(_ w: UInt64) -> UInt64 {
        let x = w & 0x7F7F_7F7F_7F7F_7F7F
        let upper = (x &+ 0x3F3F_3F3F_3F3F_3F3F) & ~(x &+ 0x2525_2525_2525_2525) & ~w & 0x8080_8080_8080_8080
        return w | (upper &>> 2)
    }

    /// Equality of two arena byte ranges of the same length `n` <= 16 by (at most) two overlapping
    /// word loads each, optionally ASCII case-insensitive.
    @inline(__always)
    static func wordsEqual(_ p: UnsafePointer<UInt8>, _ q: UnsafePointer<UInt8>, _ n: Int, caseInsensitive: Bool) -> Bool {
        if n <= 8 {
            let a = head(p, n), b = head(q, n)
            return caseInsensitive ? foldWord(a) == foldWord(b) : a == b
        }
        let a0 = load8(p), b0 = load8(q), a1 = load8(p + (n &- 8)), b1 = load8(q + (n &- 8))
        if caseInsensitive { return foldWord(a0) == foldWord(b0) && foldWord(a1) == foldWord(b1) }
        return a0 == b0 && a1 == b1
    }

    /// Hash of a constant-set key: its length, first and last 8 bytes (every byte when shorter than
    /// 16 is covered), mixed. With `caseInsensitive`, bit 5 of every byte is set first: ASCII
    /// letters then hash like their lower case, and case-insensitively equal strings (which
    /// differ only in letter case) hash alike.
    @inline(__always)
    static func hashBytes(_ p: UnsafePointer<UInt8>, _ n: Int, caseInsensitive: Bool) -> UInt64 {
        let fold: UInt64 = caseInsensitive ? 0x2020_2020_2020_2020 : 0
        let head = word(p, min(n, 8)) | fold
        let tail = n > 8 ? word(p + (n - 8), 8) | fold : 0
        return hashBits(head &* 0x9E37_79B9_7F4A_7C15 ^ tail ^ UInt64(n))
    }

    /// `hashBytes` of an arena byte range, with masked word loads instead of byte loops.
    @inline(__always)
    static func hashArenaBytes(_ p: UnsafePointer<UInt8>, _ n: Int, caseInsensitive: Bool) -> UInt64 {
        let fold: UInt64 = caseInsensitive ? 0x2020_2020_2020_2020 : 0
        let head = head(p, n) | fold
        let tail = n > 8 ? load8(p + (n &- 8)) | fold : 0
        return hashBits(head &* 0x9E37_79B9_7F4A_7C15 ^ tail ^ UInt64(n))
    }

    /// A 64-bit mix (the murmur3 finalizer) for int/double/bool set elements.
    @inline(__always)
    static func hashBits(_ x: UInt64) -> UInt64 {
        var h = x
        h ^= h >> 33; h = h &* 0xff51_afd7_ed55_8ccd
        h ^= h >> 33; h = h &* 0xc4ce_b9fe_1a85_ec53
        h ^= h >> 33
        return h
    }

    /// The bits a numeric/bool value is hashed and compared by in a set: -0.0 is 0.0, NaN has none
    /// (NaN is in no set, as NaN equals nothing).
    @inline(__always)
    static func setBits(_ s: Slot) -> UInt64? {
        if s.tag == Tag.double {
            let d = s.double
            if d.isNaN { return nil }
            return d == 0 ? 0 : d.bitPattern
        }
        return s.bits
    }

    @inline(__always)
    static func equal(_ p: UnsafePointer<UInt8>, _ n: Int, _ q: UnsafePointer<UInt8>, _ m: Int, caseInsensitive: Bool) -> Bool {
        if n != m { return false }
        if n <= 16 { return wordsEqual(p, q, n, caseInsensitive: caseInsensitive) }
        if caseInsensitive {
            for i in 0..<n where fold(p[i]) != fold(q[i]) { return false }
            return true
        }
        return memcmp(p, q, n) == 0
    }

    /// Three-way byte order (UTF-8 byte order is code point order).
    @inline(__always)
    static func compare(_ p: UnsafePointer<UInt8>, _ n: Int, _ q: UnsafePointer<UInt8>, _ m: Int) -> Int {
        let c = memcmp(p, q, min(n, m))
        if c != 0 { return Int(c) }
        return n < m ? -1 : (n > m ? 1 : 0)
    }

    @inline(__always)
    static func hasPrefix(_ p: UnsafePointer<UInt8>, _ n: Int, _ q: UnsafePointer<UInt8>, _ m: Int, caseInsensitive: Bool) -> Bool {
        m <= n && equal(p, m, q, m, caseInsensitive: caseInsensitive)
    }

    @inline(__always)
    static func hasSuffix(_ p: UnsafePointer<UInt8>, _ n: Int, _ q: UnsafePointer<UInt8>, _ m: Int, caseInsensitive: Bool) -> Bool {
        m <= n && equal(p + (n - m), m, q, m, caseInsensitive: caseInsensitive)
    }

    static func contains(_ p: UnsafePointer<UInt8>, _ n: Int, _ q: UnsafePointer<UInt8>, _ m: Int, caseInsensitive: Bool) -> Bool {
        if m == 0 { return true }
        if m > n { return false }
        for start in 0...(n - m) where equal(p + start, m, q, m, caseInsensitive: caseInsensitive) { return true }
        return false
    }

    /// Length of the UTF-8 sequence starting with lead byte `b` (1 for stray continuation bytes).
    @inline(__always)
    static func sequenceLength(_ b: UInt8) -> Int {
        b < 0xC0 ? 1 : (b < 0xE0 ? 2 : (b < 0xF0 ? 3 : 4))
    }

    /// Number of code points (bytes that are not UTF-8 continuation bytes).
    static func codePointCount(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int {
        var count = 0
        for i in 0..<n where p[i] & 0xC0 != 0x80 { count += 1 }
        return count
    }

    /// SQL LIKE, anchored: `%` any run (possibly empty), `_` exactly one code point. Iterative with
    /// one backtrack point, so linear-ish and never recursive.
    static func like(_ s: UnsafePointer<UInt8>, _ n: Int, _ pat: UnsafePointer<UInt8>, _ m: Int, caseInsensitive: Bool) -> Bool {
        var i = 0, j = 0
        var starJ = -1, starI = 0
        while i < n {
            if j < m && pat[j] == UInt8(ascii: "_") {
                i += min(sequenceLength(s[i]), n - i); j += 1
            } else if j < m && pat[j] == UInt8(ascii: "%") {
                starJ = j; starI = i; j += 1
            } else if j < m && (caseInsensitive ? fold(pat[j]) == fold(s[i]) : pat[j] == s[i]) {
                i += 1; j += 1
            } else if starJ >= 0 {
                starI += min(sequenceLength(s[starI]), n - starI)
                i = starI; j = starJ + 1
            } else {
                return false
            }
        }
        while j < m && pat[j] == UInt8(ascii: "%") { j += 1 }
        return j == m
    }

    /// Equality of two arena byte ranges of the same length `n`: up to 8 bytes compared case-
    /// sensitively inline as one masked word each (countries, currencies, status codes), anything
    /// else by `sameBytes`.
    @inline(__always)
    static func sameLengthEqual(_ p: UnsafePointer<UInt8>, _ q: UnsafePointer<UInt8>, _ n: Int, caseInsensitive: Bool) -> Bool {
        if n <= 8 && !caseInsensitive { return head(p, n) == head(q, n) }
        return sameBytes(p, q, n, caseInsensitive: caseInsensitive)
    }

    /// Equality of two arena byte ranges of the same length `n`, out of line: string tests and set
    /// probes call it only once the lengths (and a set probe's hashes) match, so the common
    /// mismatch does not pay for preparing the comparison.
    @inline(never)
    static func sameBytes(_ p: UnsafePointer<UInt8>, _ q: UnsafePointer<UInt8>, _ n: Int, caseInsensitive: Bool) -> Bool {
        n <= 16 ? wordsEqual(p, q, n, caseInsensitive: caseInsensitive) : equal(p, n, q, n, caseInsensitive: caseInsensitive)
    }

    /// Whether `s` is an element of the constant set `header`. Inlined: the home slot of a byte
    /// set; numeric sets and probe chains (a set whose table is not direct-mapped) out of line.
    @inline(__always)
    static func setContains(_ header: SetHeader, _ entries: UnsafePointer<SetEntry>, _ constants: UnsafePointer<Slot>,
                            _ base: UnsafePointer<UInt8>, _ s: Slot) -> Bool {
        if header.byBits != 0 { return setContainsBits(header, entries, constants, s) }
        let table = entries + Int(header.start)
        let ci = header.caseInsensitive != 0
        let p = base + s.offset, n = Int(s.length)
        let h = hashArenaBytes(p, n, caseInsensitive: ci)
        let i = Int(truncatingIfNeeded: h) & Int(header.mask)
        // An empty slot has length -1, which no string has.
        let e = table[i]
        if e.hash == h && e.length == Int32(truncatingIfNeeded: n)
            && sameBytes(p, base + constants[Int(e.constant)].offset, n, caseInsensitive: ci) { return true }
        if header.direct != 0 || e.constant < 0 { return false }
        return probeChain(header, table, constants, base, p, n, h, i)
    }

    /// The rest of a byte set's linear probe chain after home slot `home`.
    @inline(never)
    static func probeChain(_ header: SetHeader, _ table: UnsafePointer<SetEntry>, _ constants: UnsafePointer<Slot>,
                           _ base: UnsafePointer<UInt8>, _ p: UnsafePointer<UInt8>, _ n: Int, _ h: UInt64, _ home: Int) -> Bool {
        let mask = Int(header.mask), ci = header.caseInsensitive != 0
        var i = (home + 1) & mask
        while true {
            let e = table[i]
            if e.constant < 0 { return false }
            if e.hash == h && e.length == Int32(truncatingIfNeeded: n)
                && sameBytes(p, base + constants[Int(e.constant)].offset, n, caseInsensitive: ci) { return true }
            i = (i + 1) & mask
        }
    }

    /// `setContains` for int, double and bool sets (compared by their 64-bit payload).
    @inline(never)
    static func setContainsBits(_ header: SetHeader, _ entries: UnsafePointer<SetEntry>, _ constants: UnsafePointer<Slot>,
                                _ s: Slot) -> Bool {
        let table = entries + Int(header.start)
        let mask = Int(header.mask)
        guard let bits = setBits(s) else { return false }
        let h = hashBits(bits)
        var i = Int(truncatingIfNeeded: h) & mask
        while true {
            let e = table[i]
            if e.constant < 0 { return false }
            if e.hash == h, setBits(constants[Int(e.constant)]) == bits { return true }
            if header.direct != 0 { return false }
            i = (i + 1) & mask
        }
    }
}
