import Testing
@testable import VerdictModels

@Test func placeholder() {}
