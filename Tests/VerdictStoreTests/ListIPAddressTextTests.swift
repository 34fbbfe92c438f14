// The allocation-free address parser against the forms Python's ipaddress accepts and rejects.
import Testing
@testable import VerdictStore

private func network(_ text: String) -> ListIPNetwork? {
    var copy = text
    return copy.withUTF8 { try? ListIPAddressText.parseNetwork(UnsafeRawBufferPointer($0)).get() }
}

private func address(_ text: String) -> ListIPNetwork? {
    var copy = text
    return copy.withUTF8 { ListIPAddressText.parseAddress(UnsafeRawBufferPointer($0)) }
}

@Test func parsesIPv4AddressesAndRejectsMalformedOnes() {
    #expect(address("1.2.3.4") == ListIPNetwork(isV4: true, high: 0, low: 0x01020304, prefixLength: 32))
    #expect(address("255.255.255.255")?.low == 0xFFFF_FFFF)
    #expect(address("0.0.0.0")?.low == 0)
    for bad in ["", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1..2.3", "1.2.3.", ".1.2.3", "1.2.3.4 ", "a.b.c.d", "1.2.3.4/8", "1234.1.1.1"] {
        #expect(address(bad) == nil, "\(bad)")
    }
}

@Test func parsesIPv6FormsIncludingCompressionAndIPv4Tails() {
    #expect(address("::") == ListIPNetwork(isV4: false, high: 0, low: 0, prefixLength: 128))
    #expect(address("::1")?.low == 1)
    #expect(address("1::")?.high == 1 << 48)
    #expect(address("2001:db8::8a2e:370:7334") == ListIPNetwork(isV4: false, high: 0x2001_0db8_0000_0000, low: 0x0000_8a2e_0370_7334, prefixLength: 128))
    #expect(address("2001:DB8:0:0:0:0:0:1") == address("2001:db8::1"))
    #expect(address("1:2:3:4:5:6:7::")?.low == 0x0005_0006_0007_0000)
    #expect(address("::1.2.3.4") == ListIPNetwork(isV4: false, high: 0, low: 0x01020304, prefixLength: 128))
    #expect(address("64:ff9b::1.2.3.4")?.low == 0x01020304)
    // IPv4-mapped addresses are looked up as IPv4.
    #expect(address("::ffff:1.2.3.4") == ListIPNetwork(isV4: true, high: 0, low: 0x01020304, prefixLength: 32))
    for bad in [":", ":::", "1:2", "1::2::3", "12345::", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7:8::", ":1::", "1:", "g::",
                "fe80::1%eth0", "1:2:3:4:5:6:7:1.2.3.4", "::1.2.3", "::ffff:1.2.3.04"] {
        #expect(address(bad) == nil, "\(bad)")
    }
}

@Test func parsesCIDRNetworksAndMasksHostBits() {
    #expect(network("10.1.2.3/8") == ListIPNetwork(isV4: true, high: 0, low: 0x0A00_0000, prefixLength: 8))
    #expect(network("0.0.0.0/0")?.prefixLength == 0)
    #expect(network("2a03:1:2::/48") == ListIPNetwork(isV4: false, high: 0x2a03_0001_0002_0000, low: 0, prefixLength: 48))
    #expect(network("2001:db8::ffff/100")?.low == 0)
    #expect(network("::ffff:10.0.0.0/104") == ListIPNetwork(isV4: true, high: 0, low: 0x0A00_0000, prefixLength: 8))
    for bad in ["10.0.0.0/33", "10.0.0.0/", "10.0.0.0/08", "10.0.0.0/-1", "::/129", "10.0.0.0/8/8", "/8"] {
        #expect(network(bad) == nil, "\(bad)")
    }
}

@Test func formatsNetworksCanonically() {
    #expect(network("10.1.2.3/8")?.description == "10.0.0.0/8")
    #expect(network("2001:0db8:0:0:1:0:0:1")?.description == "2001:db8::1:0:0:1")
    #expect(network("::")?.description == "::")
    #expect(network("2a03:1:2::/48")?.description == "2a03:1:2::/48")
}
