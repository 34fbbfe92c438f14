// The hot path allocates nothing: after warm-up, setting fields and evaluating (rules, lists,
// counters, models, strings, sets, rollout, in fast and trace mode) performs zero heap
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

    func testTheCounterSeesAllocations() {
        vd_malloc_counter_start()
        let array = [Int](repeating: 1, count: Int.random(in: 100...200))
        let allocations = vd_malloc_counter_stop()
        XCTAssertGreaterThan(allocations, 0)
        XCTAssertGreaterThan(array.count, 0)
    }
}
