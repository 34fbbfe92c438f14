// Known-answer tests for the XXH3-64 wrapper against values from the xxHash reference (xxhsum -H3).
import Testing
@testable import VerdictStore

@Test func xxh3OfEmptyInputMatchesReference() {
    #expect(xxh3("") == 0x2D06800538D394C2)
}

@Test func xxh3StringAndBytesAgree() {
    let bytes = Array("card_fingerprint_42".utf8)
    let fromBytes = bytes.withUnsafeBytes { xxh3($0, seed: 7) }
    #expect(fromBytes == xxh3("card_fingerprint_42", seed: 7))
    #expect(xxh3("a") != xxh3("b"))
}
