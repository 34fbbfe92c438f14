// Tests of the checker's building blocks that need no parser: did-you-mean suggestions, IP and
// CIDR literals, country codes, and the dependency graph's cycle finding and let ordering.
import Testing
@testable import VerdictLanguage

@Test func suggestionFindsTheClosestNameWithinBudget() {
    #expect(Suggestion.closest(to: "amout_usd", among: ["amount", "amount_usd", "currency"]) == "amount_usd")
    #expect(Suggestion.closest(to: "EMAIL", among: ["email", "emails"]) == "email")
    #expect(Suggestion.closest(to: "zz", among: ["amount", "ip"]) == nil)
    #expect(Suggestion.hint(for: "ipp", among: ["ip"]) == "did you mean 'ip'?")
}

@Test func ipAddressesParseBothFamiliesAndRejectGarbage() {
    #expect(IPAddress("192.0.2.1")?.description == "192.0.2.1")
    #expect(IPAddress("192.0.2.1")?.low == 0x0000_FFFF_C000_0201)
    #expect(IPAddress("2001:db8::1")?.high == 0x2001_0DB8_0000_0000)
    #expect(IPAddress("2001:db8::1")?.low == 1)
    #expect(IPAddress("::ffff:192.0.2.1")?.low == 0x0000_FFFF_C000_0201)
    #expect(IPAddress("::") != nil)
    for bad in ["", "1.2.3", "1.2.3.256", "01.2.3.4", "1::2::3", ":::", "12345::", "1.2.3.4/8", "g::1"] {
        #expect(IPAddress(bad) == nil, "\(bad)")
    }
}

@Test func cidrNetworksClearHostBitsAndContainTheirAddresses() throws {
    let network = try #require(IPNetwork("10.1.2.3/8"))
    #expect(network.description == "10.0.0.0/8")
    #expect(network.contains(IPAddress("10.200.0.1")!))
    #expect(!network.contains(IPAddress("11.0.0.1")!))
    #expect(IPNetwork("2001:db8::/32")!.contains(IPAddress("2001:db8:ffff::1")!))
    #expect(IPNetwork("10.0.0.0/33") == nil)
    #expect(IPNetwork("10.0.0.0/") == nil)
}

@Test func countryCodesAreTheUpperCaseIsoSet() {
    #expect(CountryCode.isValid("US") && CountryCode.isValid("NG") && CountryCode.isValid("XK"))
    #expect(!CountryCode.isValid("us") && !CountryCode.isValid("UK") && !CountryCode.isValid("USA"))
    #expect(CountryCode.all.count == 250)
}

@Test func dependencyGraphReportsEachCycleOnceAndOrdersLets() {
    var graph = DependencyGraph()
    graph.add(from: .letBinding(0), to: .letBinding(1))
    graph.add(from: .letBinding(1), to: .model(0))
    graph.add(from: .model(0), to: .letBinding(0))
    graph.add(from: .letBinding(2), to: .letBinding(2))
    let cycles = graph.cycles(order: [.letBinding(0), .letBinding(1), .letBinding(2), .model(0)])
    #expect(cycles == [[.letBinding(0), .letBinding(1), .model(0), .letBinding(0)], [.letBinding(2), .letBinding(2)]])

    var acyclic = DependencyGraph()
    acyclic.add(from: .letBinding(0), to: .letBinding(2))
    acyclic.add(from: .letBinding(2), to: .counter(0))
    acyclic.add(from: .letBinding(1), to: .letBinding(2))
    #expect(acyclic.letOrder(count: 3) == [2, 0, 1])
}
