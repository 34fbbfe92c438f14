import Testing
@testable import VerdictStore

@Test func placeholder() {}
