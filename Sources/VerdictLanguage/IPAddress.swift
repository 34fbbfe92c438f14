// IP address and CIDR network literals (`ip == "10.0.0.1"`, `cidr(ip, "10.0.0.0/8")`), parsed and
// validated at compile time so the runtime only compares 128-bit values. IPv4 addresses are held as
// IPv4-mapped IPv6 (`::ffff:a.b.c.d`), the same convention the store uses for ranges.

/// An IPv4 or IPv6 address as 128 bits (IPv4 mapped into `::ffff:0:0/96`).
public struct IPAddress: Hashable, Sendable, CustomStringConvertible {
    /// The high 64 bits (network order: the first 8 bytes of the 16-byte address).
    public var high: UInt64
    /// The low 64 bits.
    public var low: UInt64
    /// True when the address was written in IPv4 dotted form.
    public var isIPv4: Bool

    public init(high: UInt64, low: UInt64, isIPv4: Bool) {
        self.high = high; self.low = low; self.isIPv4 = isIPv4
    }

    /// Parses dotted IPv4 (`192.0.2.1`) or IPv6 text (`2001:db8::1`, `::ffff:192.0.2.1`);
    /// nil when the text is not an address.
    public init?(_ text: String) {
        if let v4 = IPAddress.parseIPv4(Substring(text)) {
            self.init(high: 0, low: 0x0000_FFFF_0000_0000 | UInt64(v4), isIPv4: true)
            return
        }
        guard let words = IPAddress.parseIPv6(Substring(text)) else { return nil }
        var high: UInt64 = 0, low: UInt64 = 0
        for index in 0..<4 { high = high << 16 | UInt64(words[index]) }
        for index in 4..<8 { low = low << 16 | UInt64(words[index]) }
        self.init(high: high, low: low, isIPv4: false)
    }

    public var description: String {
        if isIPv4 {
            let v4 = UInt32(truncatingIfNeeded: low)
            return "\(v4 >> 24).\(v4 >> 16 & 0xFF).\(v4 >> 8 & 0xFF).\(v4 & 0xFF)"
        }
        let words = (0..<4).map { UInt16(truncatingIfNeeded: high >> (48 - 16 * UInt64($0))) }
            + (0..<4).map { UInt16(truncatingIfNeeded: low >> (48 - 16 * UInt64($0))) }
        return words.map { String($0, radix: 16) }.joined(separator: ":")
    }

    static func parseIPv4(_ text: Substring) -> UInt32? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy({ $0.isASCII && $0.isNumber }),
                  !(part.count > 1 && part.first == "0"), let octet = UInt32(part), octet <= 255 else { return nil }
            value = value << 8 | octet
        }
        return value
    }

    static func parseIPv6(_ text: Substring) -> [UInt16]? {
        guard text.count >= 2, text.count <= 45 else { return nil }
        let halves = text.split(separator: "::", omittingEmptySubsequences: false).map(String.init)
        guard halves.count <= 2 else { return nil }
        func groups(_ part: String, allowTrailingIPv4: Bool) -> [UInt16]? {
            if part.isEmpty { return [] }
            var words: [UInt16] = []
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            for (index, piece) in pieces.enumerated() {
                if allowTrailingIPv4, index == pieces.count - 1, piece.contains(".") {
                    guard let v4 = parseIPv4(piece) else { return nil }
                    words.append(UInt16(v4 >> 16)); words.append(UInt16(v4 & 0xFFFF))
                    continue
                }
                guard (1...4).contains(piece.count), let word = UInt16(piece, radix: 16) else { return nil }
                words.append(word)
            }
            return words
        }
        if halves.count == 1 {
            guard let words = groups(halves[0], allowTrailingIPv4: true), words.count == 8 else { return nil }
            return words
        }
        guard let head = groups(halves[0], allowTrailingIPv4: false),
              let tail = groups(halves[1], allowTrailingIPv4: true),
              head.count + tail.count <= 7 else { return nil }
        return head + [UInt16](repeating: 0, count: 8 - head.count - tail.count) + tail
    }
}

/// A CIDR network such as `10.0.0.0/8` or `2001:db8::/32`. An IPv4 prefix length is counted on
/// the IPv4 address (0...32) and stored as the equivalent length on the mapped address (+96).
public struct IPNetwork: Hashable, Sendable, CustomStringConvertible {
    /// The network address with host bits cleared.
    public var address: IPAddress
    /// Prefix length over the 128-bit (mapped) address.
    public var prefixLength: Int

    /// Parses `ADDRESS/LENGTH` (a bare address is a host network); nil on bad syntax or a length
    /// out of range. Host bits set in the address are cleared (`10.1.2.3/8` is `10.0.0.0/8`).
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let address = IPAddress(String(parts[0])) else { return nil }
        let maximum = address.isIPv4 ? 32 : 128
        var length = maximum
        if parts.count == 2 {
            guard !parts[1].isEmpty, parts[1].count <= 3, parts[1].allSatisfy({ $0.isASCII && $0.isNumber }),
                  let value = Int(parts[1]), value <= maximum else { return nil }
            length = value
        }
        self.prefixLength = address.isIPv4 ? length + 96 : length
        self.address = IPNetwork.masked(address, prefixLength: prefixLength)
    }

    /// True when `ip` lies inside the network.
    public func contains(_ ip: IPAddress) -> Bool {
        IPNetwork.masked(ip, prefixLength: prefixLength) == IPAddress(high: address.high, low: address.low, isIPv4: ip.isIPv4)
    }

    public var description: String {
        "\(address)/\(address.isIPv4 ? prefixLength - 96 : prefixLength)"
    }

    static func masked(_ ip: IPAddress, prefixLength: Int) -> IPAddress {
        func mask(_ bits: Int) -> UInt64 { bits <= 0 ? 0 : bits >= 64 ? ~0 : ~0 << UInt64(64 - bits) }
        return IPAddress(high: ip.high & mask(prefixLength), low: ip.low & mask(prefixLength - 64), isIPv4: ip.isIPv4)
    }
}
