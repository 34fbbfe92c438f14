import Testing
@testable import VerdictLanguage

@Test func placeholder() {}
