// The hot path allocates nothing: after warm-up, setting fields and evaluating (rules, lists,
// counters, models, strings, sets, rollout, regex matching, in fast and trace mode) performs zero heap
// allocations on the calling thread, counted by the interposed malloc of CMallocCounter.
import CMallocCounter
import XCTest
@testable import VerdictVM

final class ZeroAllocationTests: XCTestCase {
    func testEvaluationAllocatesNothingAfterWarmUp() throws {
        let program = try DecisionTests.makeProgram(onError: .review)
        let request = Request(program: program)
        let host = TestHost()
        host.listResults = [0]
        let h = host.host
        let customers: [StaticString] = ["customer-1", "customer-22", "customer-333"]
        func run(_ i: Int) throws {
            request.reset()
            try request.set(DecisionTests.F.amount, double: Double(i % 1500))
            let name = customers[i % 3]
            try request.set(DecisionTests.F.customer, utf8: UnsafeRawBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
            if i % 7 != 0 { try request.set(DecisionTests.F.disputes, int: Int64(i % 4)) }
            _ = VM.evaluate(request, host: h, mode: i % 2 == 0 ? .fast : .trace)
        }
        for i in 0..<100 { try run(i) }
        vd_malloc_counter_start()
        for i in 0..<1000 { try run(i) }
        let allocations = vd_malloc_counter_stop()
        XCTAssertEqual(allocations, 0)
        withExtendedLifetime(host) {}
    }

    /// `matches` runs its Pike VM in the request's preallocated scratch.
    func testRegexMatchingAllocatesNothing() throws {
        var b = ProgramBuilder()
        let customer = b.addField("customer", .string)
        let result = b.addRegister(.bool)
        // The NFA of `r-3+`: three code point tests, a loop on the last one, match.
        let regex = RegexProgram(instructions: [
            RegexInstruction(.codePoints, x: 0, y: 1), RegexInstruction(.codePoints, x: 1, y: 1),
            RegexInstruction(.codePoints, x: 2, y: 1), RegexInstruction(.split, x: 2, y: 4), RegexInstruction(.match),
        ], ranges: [RegexRange(0x72, 0x72), RegexRange(0x2D, 0x2D), RegexRange(0x33, 0x33)], pattern: "r-3+")
        b.emit(.matches, a: result, b: customer, c: b.addRegex(regex))
        b.emit(.halt)
        b.setResultRegister(result)
        let request = Request(program: try b.build())
        let customers: [StaticString] = ["customer-1", "customer-22", "customer-333", "ü-customer-3ü"]
        var matched = 0
        func run(_ i: Int) throws {
            request.reset()
            let name = customers[i % customers.count]
            try request.set(Int(customer), utf8: UnsafeRawBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
            if case .bool(true) = VM.evaluateExpression(request) { matched += 1 }
        }
        for i in 0..<100 { try run(i) }
        matched = 0
        vd_malloc_counter_start()
        for i in 0..<1000 { try run(i) }
        let allocations = vd_malloc_counter_stop()
        XCTAssertEqual(allocations, 0)
        XCTAssertEqual(matched, 500)
    }

    func testTheCounterSeesAllocations() {
        vd_malloc_counter_start()
        let array = [Int](repeating: 1, count: Int.random(in: 100...200))
        let allocations = vd_malloc_counter_stop()
        XCTAssertGreaterThan(allocations, 0)
        XCTAssertGreaterThan(array.count, 0)
    }
}
