// Lists, counters and models through the host interface: keys, missing keys, host errors, counter
// value types and batches, model features (bool/int/double, missing -> NaN, errors) and "at most once
// per request".
import XCTest
@testable import VerdictVM

final class HostTests: XCTestCase {
    func testModelIsEvaluatedAtMostOncePerRequestWithItsFeatures() throws {
        var b = ProgramBuilder()
        let amount = b.addField("amount", .double)
        let age = b.addField("age", .int)
        let anonymous = b.addField("anonymous", .bool)
        let probability = b.addLazyRegister(.double), margin = b.addLazyRegister(.double)
        let model = b.addModel(ModelInfo(name: "m", features: ["amount", "age", "anonymous"], arguments: [amount, age, anonymous]))
        let sum = b.addRegister(.double)
        for _ in 0..<3 {  // three uses: a guard skips the call after the first
            let skip = b.newLabel()
            b.emit(.lazyGuard, a: probability, jumpTo: skip)
            b.emit(.model, a: probability, b: model)
            b.bind(skip)
        }
        b.emit(.addD, a: sum, b: probability, c: margin)
        b.emit(.halt)
        b.setResultRegister(sum)
        let program = try b.build()
        let host = TestHost()
        host.modelOutputs = [(0.25, 1.5)]
        host.recordFeatures = true
        let request = Request(program: program)
        try request.set(0, double: 12.5)
        try request.set(2, bool: true)
        XCTAssertEqual(VM.evaluateExpression(request, host: host.host), .double(1.75))
        XCTAssertEqual(host.modelCalls, 1)
        XCTAssertEqual(host.lastFeatures.count, 3)
        XCTAssertEqual(host.lastFeatures[0], 12.5)
        XCTAssertTrue(host.lastFeatures[1].isNaN, "missing feature is NaN")
        XCTAssertEqual(host.lastFeatures[2], 1)
        _ = VM.evaluateExpression(request, host: host.host)
        XCTAssertEqual(host.modelCalls, 2, "once per evaluation")
        host.modelStatus = [HostStatus.error]
        XCTAssertEqual(VM.evaluateExpression(request, host: host.host), .error(.host))
    }

    func testAnErrorFeatureMakesTheModelOutputsThatError() throws {
        var b = ProgramBuilder()
        let count = b.addField("count", .int)
        let probability = b.addLazyRegister(.double), margin = b.addLazyRegister(.double)
        let doubled = b.addRegister(.int)
        let model = b.addModel(ModelInfo(name: "m", features: ["doubled"], arguments: [doubled]))
        let sum = b.addRegister(.double)
        b.emit(.mulIK, a: doubled, b: count, c: b.constant(.int(2)))
        b.emit(.model, a: probability, b: model)
        b.emit(.addD, a: sum, b: probability, c: margin)
        b.emit(.halt)
        b.setResultRegister(sum)
        let request = Request(program: try b.build())
        let host = TestHost()
        host.modelOutputs = [(0.25, 1.5)]
        try request.set(0, int: 4)
        XCTAssertEqual(VM.evaluateExpression(request, host: host.host), .double(1.75))
        try request.set(0, int: .max)
        XCTAssertEqual(VM.evaluateExpression(request, host: host.host), .error(.overflow), "the feature's error, not a host error")
    }

    func testCountersListsAndTheirKeys() throws {
        var b = ProgramBuilder()
        let card = b.addField("card", .string)
        let counter = b.addCounter(CounterInfo(name: "attempts", valueType: .int))
        let sum = b.addCounter(CounterInfo(name: "spend", valueType: .double))
        _ = b.addCounterRead(CounterReadInfo(counter: sum, windowSeconds: 60))  // read 0: not in the batch
        let hour = b.addCounterRead(CounterReadInfo(counter: counter, windowSeconds: 3600))
        _ = b.addCounterRead(CounterReadInfo(counter: sum, windowSeconds: 86400))
        let batch = b.addCounterBatch(firstRead: hour, count: 2)
        let list = b.addList(ListInfo(name: "blocked", keyType: .string))
        let value = b.addLazyRegister(.int), spend = b.addLazyRegister(.double)
        let listed = b.addRegister(.bool), big = b.addRegister(.bool), rich = b.addRegister(.bool)
        let both = b.addRegister(.bool), any = b.addRegister(.bool)
        b.emit(.counter, a: value, b: card, c: batch)
        b.emit(.gtIK, a: big, b: value, c: b.constant(.int(10)))
        b.emit(.gtDK, a: rich, b: spend, c: b.constant(.double(100)))
        b.emit(.list, a: listed, b: card, c: list)
        b.emit(.or, a: both, b: big, c: listed)
        b.emit(.or, a: any, b: both, c: rich)
        b.emit(.halt)
        b.setResultRegister(any)
        let program = try b.build()
        let host = TestHost()
        host.counterValues = [11, 2.5]
        host.listResults = [0]
        let request = Request(program: program)
        XCTAssertEqual(VM.evaluateExpression(request, host: host.host), .missing, "missing key: no host call")
        XCTAssertEqual(host.counterCalls + host.listCalls, 0)
        try request.set(0, string: "card-1")
        XCTAssertEqual(VM.evaluateExpression(request, host: host.host), .bool(true))
        XCTAssertEqual(host.counterCalls, 1, "one host call reads every counter of the batch")
        XCTAssertEqual(host.counterBatches.first?.firstRead, Int32(hour), "the host gets the batch's first read index")
        XCTAssertEqual(host.counterBatches.first?.counters, [Int32(counter), Int32(sum)],
                       "read i of the call is counterReads[firstRead + i]")
        XCTAssertEqual(request.value(ofRegister: Int(spend)), .double(2.5), "a sum stays a double")
        host.counterValues = [3, 2.5]
        XCTAssertEqual(VM.evaluateExpression(request, host: host.host), .bool(false))
        host.listResults = [-1]
        XCTAssertEqual(VM.evaluateExpression(request, host: host.host), .error(.host))
        host.counterValues = [2.5, 2.5]
        host.listResults = [0]
        XCTAssertEqual(VM.evaluateExpression(request, host: host.host), .error(.conversion), "a count must be integral")
        host.counterValues = [3, 200]
        host.counterStatus = [HostStatus.value, HostStatus.missing]
        XCTAssertEqual(VM.evaluateExpression(request, host: host.host), .missing, "the status covers the whole batch")
    }

    func testCountsConvertToIntExactlyOrAreConversionErrors() throws {
        var b = ProgramBuilder()
        let card = b.addField("card", .string)
        let counter = b.addCounter(CounterInfo(name: "attempts", valueType: .int))
        let read = b.addCounterRead(CounterReadInfo(counter: counter, windowSeconds: 60))
        let value = b.addRegister(.int)
        b.emit(.counter, a: value, b: card, c: b.addCounterBatch(firstRead: read, count: 1))
        b.emit(.halt)
        b.setResultRegister(value)
        let request = Request(program: try b.build())
        try request.set(0, string: "card-1")
        let host = TestHost()
        let cases: [(Double, Value)] = [
            (0, .int(0)), (-0.0, .int(0)), (3, .int(3)), (-7, .int(-7)), (0x1p51 - 1, .int((1 << 51) - 1)),
            (-(0x1p51 - 1), .int(-((1 << 51) - 1))), (0x1p51, .int(1 << 51)), (0x1p53 + 2, .int((1 << 53) + 2)),
            (-9.223372036854775808e18, .int(.min)), (9.223372036854775808e18, .error(.conversion)),
            (0.5, .error(.conversion)), (-2.5, .error(.conversion)), (1e15 + 0.5, .error(.conversion)),
            (.nan, .error(.conversion)), (.infinity, .error(.conversion)), (1e300, .error(.conversion)),
        ]
        for (count, want) in cases {
            host.counterValues = [count]
            XCTAssertEqual(VM.evaluateExpression(request, host: host.host), want, "\(count)")
        }
    }

    func testSettersCheckFieldsAndTypes() throws {
        var b = ProgramBuilder()
        b.addField("amount", .double)
        b.addField("ip", .ip)
        b.emit(.halt)
        let request = Request(program: try b.build())
        XCTAssertThrowsError(try request.set(0, int: 1)) { XCTAssertEqual($0 as? RequestError, .typeMismatch(field: "amount", expected: .double, got: "int")) }
        XCTAssertThrowsError(try request.set(5, double: 1)) { XCTAssertEqual($0 as? RequestError, .noSuchField(5)) }
        XCTAssertThrowsError(try [UInt8](repeating: 1, count: 5).withUnsafeBytes { try request.set(1, ipBytes: $0) })
        try request.set(1, ip: IPAddress("2001:db8::1")!)
        XCTAssertEqual(request.value(ofRegister: 1), .ip(IPAddress("2001:db8::1")!))
        request.reset()
        XCTAssertEqual(request.value(ofRegister: 1), .missing)
    }
}
