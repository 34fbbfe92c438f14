// An allocation-free parser for IPv4 and IPv6 addresses and CIDR ranges in text, working on
// UTF-8 bytes (no Foundation, no String). It is on the lookup path of `ip` lists, so it must cost
// a few nanoseconds: one pass, no backtracking except to re-read an embedded IPv4 tail.
// Accepted forms follow Python's `ipaddress` (what the reference workload uses): dotted quads
// without leading zeros, RFC 4291 IPv6 text with `::` and an embedded IPv4 tail, no zone ids.

/// An IPv4 or IPv6 address or network as a 128-bit number (IPv4 in the low 32 bits) and a
/// prefix length (32 or 128 for a single address).
public struct ListIPNetwork: Equatable, Sendable, CustomStringConvertible {
    /// True for IPv4 (address in the low 32 bits of `low`, `high` is 0).
    public var isV4: Bool
    /// The high 64 bits of an IPv6 address (0 for IPv4).
    public var high: UInt64
    /// The low 64 bits of an IPv6 address, or the IPv4 address.
    public var low: UInt64
    /// Prefix length in bits: 0...32 for IPv4, 0...128 for IPv6.
    public var prefixLength: Int

    /// Address width in bits: 32 or 128.
    public var bitWidth: Int { isV4 ? 32 : 128 }

    /// Clears the address bits after `length` and sets the prefix length to `length`.
    @inline(__always)
    mutating func setToPrefix(_ length: Int) {
        prefixLength = length
        if isV4 {
            low &= length == 0 ? 0 : (UInt64(UInt32.max) << (32 - length)) & UInt64(UInt32.max)
        } else if length <= 64 {
            high &= length == 0 ? 0 : UInt64.max << (64 - length)
            low = 0
        } else {
            low &= length == 128 ? UInt64.max : UInt64.max << (128 - length)
        }
    }

    /// Number of leading bits this address shares with `other` (same family), up to the width.
    @inline(__always)
    func commonPrefixLength(with other: ListIPNetwork) -> Int {
        if isV4 { return min(32, (UInt32(truncatingIfNeeded: low ^ other.low)).leadingZeroBitCount) }
        let h = high ^ other.high
        return h != 0 ? h.leadingZeroBitCount : 64 + (low ^ other.low).leadingZeroBitCount
    }

    public var description: String {
        var text: String
        if isV4 {
            let a = UInt32(truncatingIfNeeded: low)
            text = "\(a >> 24).\((a >> 16) & 255).\((a >> 8) & 255).\(a & 255)"
        } else {
            let groups = (0..<8).map { i -> UInt16 in
                let word = i < 4 ? high : low
                return UInt16(truncatingIfNeeded: word >> (48 - 16 * UInt64(i % 4)))
            }
            // RFC 5952: compress the longest run (>= 2) of zero groups, the first one on ties.
            var bestStart = -1, bestLength = 1, i = 0
            while i < 8 {
                var j = i
                while j < 8 && groups[j] == 0 { j += 1 }
                if j - i > bestLength { bestStart = i; bestLength = j - i }
                i = j == i ? i + 1 : j
            }
            let hex = { (g: ArraySlice<UInt16>) in g.map { String($0, radix: 16) }.joined(separator: ":") }
            text = bestStart < 0 ? hex(groups[...])
                : hex(groups[..<bestStart]) + "::" + hex(groups[(bestStart + bestLength)...])
        }
        return prefixLength == bitWidth ? text : "\(text)/\(prefixLength)"
    }
}

/// Why a text is not an address or network.
public enum ListIPTextError: Error, Equatable, Sendable {
    case malformedAddress
    case malformedPrefixLength
}

/// Parsers for address and network text over raw UTF-8 bytes.
public enum ListIPAddressText {
    /// Parses an address (no `/length`). IPv4-mapped IPv6 addresses come back as IPv4.

    public static func parseAddress(_ bytes: UnsafeRawBufferPointer) -> ListIPNetwork? {
        guard var address = parseBareAddress(bytes, from: 0, to: bytes.count) else { return nil }
        address.unmapV4()
        return address
    }

    /// Parses an address or a CIDR network (`a.b.c.d/n`, `x::y/n`). Host bits after the prefix
    /// are cleared, as Python's `ip_network(strict=False)` does. An IPv4-mapped IPv6 network
    /// of length >= 96 comes back as the IPv4 network.
    public static func parseNetwork(_ bytes: UnsafeRawBufferPointer) -> Result<ListIPNetwork, ListIPTextError> {
        var slash = -1
        for i in 0..<bytes.count where bytes[i] == UInt8(ascii: "/") { slash = i; break }
        let end = slash < 0 ? bytes.count : slash
        guard var network = parseBareAddress(bytes, from: 0, to: end) else { return .failure(.malformedAddress) }
        if slash >= 0 {
            let digits = bytes.count - slash - 1
            guard digits >= 1, digits <= 3, digits == 1 || bytes[slash + 1] != UInt8(ascii: "0") else {
                return .failure(.malformedPrefixLength)
            }
            var length = 0
            for i in (slash + 1)..<bytes.count {
                let d = Int(bytes[i]) &- 48
                guard d >= 0, d <= 9 else { return .failure(.malformedPrefixLength) }
                length = length * 10 + d
            }
            guard length <= network.bitWidth else { return .failure(.malformedPrefixLength) }
            network.setToPrefix(length)
        }
        network.unmapV4()
        return .success(network)
    }

    static func parseBareAddress(_ b: UnsafeRawBufferPointer, from start: Int, to end: Int) -> ListIPNetwork? {
        // IPv4 first (the common case); IPv6 text fails it within five bytes (a ':' or a hex letter).
        if let v4 = parseV4(b, from: start, to: end) {
            return ListIPNetwork(isV4: true, high: 0, low: UInt64(v4), prefixLength: 32)
        }
        return parseV6(b, from: start, to: end)
    }

    /// Dotted quad: four decimal octets 0...255 without leading zeros. Unrolled per octet
    /// (1-3 digits, then a dot) over raw pointers: the hot part of an ip lookup.
    static func parseV4(_ b: UnsafeRawBufferPointer, from start: Int, to end: Int) -> UInt32? {
        guard let base = b.baseAddress, end - start >= 7, end - start <= 15 else { return nil }
        var p = base + start
        let e = base + end
        var value: UInt32 = 0
        for octetIndex in 0..<4 {
            guard p < e else { return nil }
            var octet = UInt32(p.load(as: UInt8.self)) &- 48
            guard octet <= 9 else { return nil }
            p += 1
            if octet != 0 {  // a leading 0 must stand alone
                for _ in 0..<2 {
                    guard p < e else { break }
                    let d = UInt32(p.load(as: UInt8.self)) &- 48
                    guard d <= 9 else { break }
                    octet = octet &* 10 &+ d
                    p += 1
                }
                guard octet <= 255 else { return nil }
            }
            value = value << 8 | octet
            if octetIndex < 3 {
                guard p < e, p.load(as: UInt8.self) == UInt8(ascii: ".") else { return nil }
                p += 1
            }
        }
        return p == e ? value : nil
    }

    /// RFC 4291 text: up to eight 1-4 digit hex groups, one `::`, an optional IPv4 tail.
    /// Groups are shifted into a 128-bit accumulator; at `::` the head is set aside and the
    /// tail accumulates from zero, then the head is shifted past the gap.

    static func parseV6(_ b: UnsafeRawBufferPointer, from start: Int, to end: Int) -> ListIPNetwork? {
        var high: UInt64 = 0, low: UInt64 = 0  // the accumulator
        var headHigh: UInt64 = 0, headLow: UInt64 = 0, headCount = -1  // -1: no `::` seen
        var count = 0
        @inline(__always) func push(_ g: UInt64) {
            high = high << 16 | low >> 48
            low = low << 16 | g
            count += 1
        }
        var i = start
        if end - start >= 2 && b[i] == UInt8(ascii: ":") {
            guard b[i + 1] == UInt8(ascii: ":") else { return nil }
            headCount = 0; i += 2
        }
        while i < end {
            let groupStart = i
            var v: UInt64 = 0, digits = 0
            while i < end {
                let c = b[i]
                let d: UInt64
                switch c {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt64(c) - 48
                case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt64(c) - 87
                case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt64(c) - 55
                default: d = 16
                }
                if d == 16 { break }
                v = v << 4 | d; digits += 1; i += 1
                guard digits <= 4 else { return nil }
            }
            if i < end && b[i] == UInt8(ascii: ".") {  // IPv4 tail: must be last and fit
                guard count <= 6, let v4 = parseV4(b, from: groupStart, to: end) else { return nil }
                push(UInt64(v4 >> 16)); push(UInt64(v4 & 0xFFFF))
                break
            }
            guard digits > 0, count < 8 else { return nil }
            push(v)
            if i == end { break }
            guard b[i] == UInt8(ascii: ":") else { return nil }
            i += 1
            if i < end && b[i] == UInt8(ascii: ":") {
                guard headCount < 0 else { return nil }
                headCount = count; headHigh = high; headLow = low
                high = 0; low = 0
                i += 1
            } else if i == end {
                return nil  // trailing single colon
            }
        }
        if headCount < 0 {
            guard count == 8 else { return nil }
        } else {
            guard count <= 7 else { return nil }
            // Move the head up by the groups that follow it plus the gap: (8 - headCount) groups.
            let shift = 16 * (8 - headCount)
            if shift >= 128 { headHigh = 0; headLow = 0 }
            else if shift >= 64 { headHigh = headLow << (shift - 64); headLow = 0 }
            else if shift > 0 { headHigh = headHigh << shift | headLow >> (64 - shift); headLow <<= shift }
            high |= headHigh; low |= headLow
        }
        return ListIPNetwork(isV4: false, high: high, low: low, prefixLength: 128)
    }
}

extension ListIPNetwork {
    /// The address of network-order bytes: 4 (IPv4) or 16 (IPv6; IPv4-mapped comes back as
    /// IPv4); nil for any other count.
    @inline(__always)
    init?(addressBytes b: UnsafeRawBufferPointer) {
        if b.count == 4 {
            self.init(isV4: true, high: 0, low: UInt64(UInt32(bigEndian: b.loadUnaligned(as: UInt32.self))), prefixLength: 32)
        } else if b.count == 16 {
            self.init(isV4: false, high: UInt64(bigEndian: b.loadUnaligned(as: UInt64.self)),
                      low: UInt64(bigEndian: b.loadUnaligned(fromByteOffset: 8, as: UInt64.self)), prefixLength: 128)
            unmapV4()
        } else {
            return nil
        }
    }

    /// Turns `::ffff:a.b.c.d` (prefix >= 96) into the IPv4 `a.b.c.d` (prefix - 96).

    mutating func unmapV4() {
        guard !isV4, high == 0, low >> 32 == 0xFFFF, prefixLength >= 96 else { return }
        self = ListIPNetwork(isV4: true, high: 0, low: low & 0xFFFF_FFFF, prefixLength: prefixLength - 96)
    }
}
