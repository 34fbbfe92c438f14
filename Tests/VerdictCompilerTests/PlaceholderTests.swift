import Testing
@testable import VerdictCompiler

@Test func placeholder() {}
