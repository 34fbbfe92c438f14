import Testing
@testable import VerdictVM

@Test func placeholder() {}
