// Value semantics of single opcodes (LANGUAGE.md §4): typed arithmetic with overflow, division by
// zero and bad conversions as error values, absorbing `&&`/`||` over value/missing/error, exact
// int/double comparison, strings, sets, CIDR, and the presence functions.
import XCTest
@testable import VerdictVM

final class OpcodeSemanticsTests: XCTestCase {
    /// Runs `op` with fields x (and y) set to the given values and returns R[A].
    func run(_ op: Opcode, _ x: Value, _ xType: ValueType, _ y: Value? = nil, _ yType: ValueType? = nil,
             result: ValueType, flags: UInt8 = 0, constantC: Value? = nil, set: (values: [Value], ci: Bool)? = nil) throws -> Value {
        var b = ProgramBuilder()
        let fx = b.addField("x", xType)
        let fy = yType.map { b.addField("y", $0) }
        let out = b.addRegister(result)
        var c: UInt16 = fy ?? 0
        if let k = constantC { c = b.constant(k) }
        if let set { c = b.addSet(set.values, type: xType, caseInsensitive: set.ci) }
        b.emit(op, a: out, b: fx, c: c, flags: flags)
        b.emit(.halt)
        b.setResultRegister(out)
        let program = try b.build()
        let request = Request(program: program)
        try request.set(0, value: x)
        if let y, fy != nil { try request.set(1, value: y) }
        return VM.evaluateExpression(request)
    }

    func testIntegerArithmeticOverflowIsAnError() throws {
        XCTAssertEqual(try run(.addI, .int(.max), .int, .int(1), .int, result: .int), .error(.overflow))
        XCTAssertEqual(try run(.subI, .int(.min), .int, .int(1), .int, result: .int), .error(.overflow))
        XCTAssertEqual(try run(.mulI, .int(1 << 62), .int, .int(4), .int, result: .int), .error(.overflow))
        XCTAssertEqual(try run(.negI, .int(.min), .int, result: .int), .error(.overflow))
        XCTAssertEqual(try run(.absI, .int(.min), .int, result: .int), .error(.overflow))
        XCTAssertEqual(try run(.addI, .int(40), .int, .int(2), .int, result: .int), .int(42))
        XCTAssertEqual(try run(.addIK, .int(40), .int, result: .int, constantC: .int(2)), .int(42))
    }

    func testDivisionByZeroAndTruncation() throws {
        XCTAssertEqual(try run(.divI, .int(7), .int, .int(0), .int, result: .int), .error(.divisionByZero))
        XCTAssertEqual(try run(.remI, .int(7), .int, .int(0), .int, result: .int), .error(.divisionByZero))
        XCTAssertEqual(try run(.divI, .int(.min), .int, .int(-1), .int, result: .int), .error(.overflow))
        XCTAssertEqual(try run(.divI, .int(-7), .int, .int(2), .int, result: .int), .int(-3))
        XCTAssertEqual(try run(.remI, .int(-3), .int, .int(5), .int, result: .int), .int(-3))
        XCTAssertEqual(try run(.remI, .int(43), .int, .int(-5), .int, result: .int), .int(3))
        XCTAssertEqual(try run(.divD, .double(1), .double, .double(0), .double, result: .double), .double(.infinity))
    }

    func testConversionsOutOfRangeAreErrors() throws {
        XCTAssertEqual(try run(.intOfD, .double(9.223372036854775807e18), .double, result: .int), .error(.conversion))
        XCTAssertEqual(try run(.intOfD, .double(.nan), .double, result: .int), .error(.conversion))
        XCTAssertEqual(try run(.intOfD, .double(-2.9), .double, result: .int), .int(-2))
        XCTAssertEqual(try run(.intOfS, .string("-9223372036854775808"), .string, result: .int), .int(.min))
        XCTAssertEqual(try run(.intOfS, .string("9223372036854775808"), .string, result: .int), .error(.conversion))
        XCTAssertEqual(try run(.intOfS, .string("12a"), .string, result: .int), .error(.conversion))
        XCTAssertEqual(try run(.doubleOfS, .string("1.5e3"), .string, result: .double), .double(1500))
        XCTAssertEqual(try run(.doubleOfS, .string(" 1"), .string, result: .double), .error(.conversion))
        XCTAssertEqual(try run(.stringOfI, .int(-42), .int, result: .string), .string("-42"))
        XCTAssertEqual(try run(.stringOfD, .double(2.5), .double, result: .string), .string("2.5"))
        XCTAssertEqual(try run(.stringOfIP, .ip(IPAddress("10.1.2.3")!), .ip, result: .string), .string("10.1.2.3"))
    }

    func testMissingAndErrorPropagateThroughOperators() throws {
        XCTAssertEqual(try run(.addI, .missing, .int, .int(1), .int, result: .int), .missing)
        XCTAssertEqual(try run(.ltD, .double(1), .double, .missing, .double, result: .bool), .missing)
        XCTAssertEqual(try run(.size, .missing, .string, result: .int), .missing)
        XCTAssertEqual(try run(.isMissing, .missing, .string, result: .bool), .bool(true))
        XCTAssertEqual(try run(.has, .missing, .string, result: .bool), .bool(false))
        XCTAssertEqual(try run(.has, .string(""), .string, result: .bool), .bool(true))
    }

    /// LANGUAGE.md §4: `false && X = false`, `true || X = true` for any X; otherwise error wins over missing.
    func testAndOrAreCommutativeAndAbsorbing() throws {
        let values: [Value] = [.bool(true), .bool(false), .missing]
        for x in values {
            for y in values {
                let and = try run(.and, x, .bool, y, .bool, result: .bool)
                let or = try run(.or, x, .bool, y, .bool, result: .bool)
                if x == .bool(false) || y == .bool(false) { XCTAssertEqual(and, .bool(false)) }
                else if x == .missing || y == .missing { XCTAssertEqual(and, .missing) }
                else { XCTAssertEqual(and, .bool(true)) }
                if x == .bool(true) || y == .bool(true) { XCTAssertEqual(or, .bool(true)) }
                else if x == .missing || y == .missing { XCTAssertEqual(or, .missing) }
                else { XCTAssertEqual(or, .bool(false)) }
            }
        }
    }

    func testAndOrWithErrorOperands() throws {
        // An error operand produced by a division by zero inside the program.
        var b = ProgramBuilder()
        let x = b.addField("x", .bool)
        let zero = b.addRegister(.int), quotient = b.addRegister(.int), isBig = b.addRegister(.bool)
        let and = b.addRegister(.bool), or = b.addRegister(.bool), both = b.addRegister(.bool)
        b.emit(.loadK, a: zero, b: b.constant(.int(0)))
        b.emit(.divI, a: quotient, b: zero, c: zero)
        b.emit(.gtIK, a: isBig, b: quotient, c: b.constant(.int(1)))
        b.emit(.and, a: and, b: x, c: isBig)
        b.emit(.or, a: or, b: isBig, c: x)
        b.emit(.and, a: both, b: and, c: or)
        b.emit(.halt)
        let contents = try b.finish()
        let program = try Program(contents)
        let request = Request(program: program)
        let andRegister = Int(contents.code[3].a), orRegister = Int(contents.code[4].a)
        try request.set(0, bool: false)
        _ = VM.evaluateExpression(request)
        XCTAssertEqual(request.value(ofRegister: andRegister), .bool(false))
        XCTAssertEqual(request.value(ofRegister: orRegister), .error(.divisionByZero))
        try request.set(0, bool: true)
        _ = VM.evaluateExpression(request)
        XCTAssertEqual(request.value(ofRegister: andRegister), .error(.divisionByZero))
        XCTAssertEqual(request.value(ofRegister: orRegister), .bool(true))
        try request.setMissing(0)
        _ = VM.evaluateExpression(request)
        XCTAssertEqual(request.value(ofRegister: andRegister), .error(.divisionByZero), "error wins over missing")
    }

    func testIntDoubleComparisonIsExact() throws {
        XCTAssertEqual(try run(.ltID, .int(9_007_199_254_740_993), .int, .double(9_007_199_254_740_992), .double, result: .bool), .bool(false))
        XCTAssertEqual(try run(.gtID, .int(9_007_199_254_740_993), .int, .double(9_007_199_254_740_992), .double, result: .bool), .bool(true))
        XCTAssertEqual(try run(.eqID, .int(1), .int, .double(1.0), .double, result: .bool), .bool(true))
        XCTAssertEqual(try run(.ltID, .int(1), .int, .double(1.5), .double, result: .bool), .bool(true))
        XCTAssertEqual(try run(.neID, .int(1), .int, .double(.nan), .double, result: .bool), .bool(true))
        XCTAssertEqual(try run(.eqID, .int(.max), .int, .double(9.223372036854775807e18), .double, result: .bool), .bool(false))
    }

    func testStringOperations() throws {
        XCTAssertEqual(try run(.eqS, .string("Gmail.COM"), .string, .string("gmail.com"), .string, result: .bool, flags: InstructionFlag.caseInsensitive), .bool(true))
        XCTAssertEqual(try run(.eqS, .string("Gmail.COM"), .string, .string("gmail.com"), .string, result: .bool), .bool(false))
        XCTAssertEqual(try run(.ltS, .string("abc"), .string, .string("abd"), .string, result: .bool), .bool(true))
        XCTAssertEqual(try run(.size, .string("héllo"), .string, result: .int), .int(5))
        XCTAssertEqual(try run(.concat, .string("ab"), .string, .string("cd"), .string, result: .string), .string("abcd"))
        XCTAssertEqual(try run(.lower, .string("AbC"), .string, result: .string), .string("abc"))
        XCTAssertEqual(try run(.upper, .string("AbC"), .string, result: .string), .string("ABC"))
        XCTAssertEqual(try run(.domain, .string("Bob@Example.COM"), .string, result: .string), .string("example.com"))
        XCTAssertEqual(try run(.domain, .string("nobody"), .string, result: .string), .missing)
        XCTAssertEqual(try run(.endsWith, .string("x@mail.ru"), .string, .string(".ru"), .string, result: .bool), .bool(true))
        XCTAssertEqual(try run(.contains, .string("abcdef"), .string, .string("cde"), .string, result: .bool), .bool(true))
        XCTAssertEqual(try run(.like, .string("shop.XYZ"), .string, .string("%.xyz"), .string, result: .bool, flags: InstructionFlag.caseInsensitive), .bool(true))
        XCTAssertEqual(try run(.like, .string("héllo"), .string, .string("h_llo"), .string, result: .bool), .bool(true))
        XCTAssertEqual(try run(.like, .string("hello"), .string, .string("h%x"), .string, result: .bool), .bool(false))
    }

    func testConstantSetsAndNetworks() throws {
        let free: [Value] = ["gmail.com", "yahoo.com", "proton.me"].map { .string($0) }
        XCTAssertEqual(try run(.inSet, .string("YAHOO.com"), .string, result: .bool, set: (free, true)), .bool(true))
        XCTAssertEqual(try run(.inSet, .string("YAHOO.com"), .string, result: .bool, set: (free, false)), .bool(false))
        XCTAssertEqual(try run(.inSet, .string("aol.com"), .string, result: .bool, set: (free, true)), .bool(false))
        XCTAssertEqual(try run(.inSet, .missing, .string, result: .bool, set: (free, true)), .missing)
        XCTAssertEqual(try run(.inSet, .double(-0.0), .double, result: .bool, set: ([.double(0), .double(.nan)], false)), .bool(true))
        XCTAssertEqual(try run(.inSet, .double(.nan), .double, result: .bool, set: ([.double(0), .double(.nan)], false)), .bool(false))
        let ints = (0..<100).map { Value.int(Int64($0 * 7)) }
        XCTAssertEqual(try run(.inSet, .int(693), .int, result: .bool, set: (ints, false)), .bool(true))
        XCTAssertEqual(try run(.inSet, .int(694), .int, result: .bool, set: (ints, false)), .bool(false))
        // A set too large for a direct-mapped table (more than 4096 slots) walks probe chains.
        let many = (0..<3000).map { Value.string("k\($0)") }
        XCTAssertEqual(try run(.inSet, .string("k2999"), .string, result: .bool, set: (many, false)), .bool(true))
        XCTAssertEqual(try run(.inSet, .string("k3000"), .string, result: .bool, set: (many, false)), .bool(false))
        let manyInts = (0..<3000).map { Value.int(Int64($0 * 3)) }
        XCTAssertEqual(try run(.inSet, .int(8997), .int, result: .bool, set: (manyInts, false)), .bool(true))
        XCTAssertEqual(try run(.inSet, .int(8998), .int, result: .bool, set: (manyInts, false)), .bool(false))
        let net = Value.network(IPNetwork("10.0.0.0/9")!)
        XCTAssertEqual(try run(.cidr, .ip(IPAddress("10.127.0.1")!), .ip, result: .bool, constantC: net), .bool(true))
        XCTAssertEqual(try run(.cidr, .ip(IPAddress("10.128.0.1")!), .ip, result: .bool, constantC: net), .bool(false))
        XCTAssertEqual(try run(.cidr, .ip(IPAddress("::1")!), .ip, result: .bool, constantC: net), .bool(false))
    }

    func testBranchBoolIsThreeWay() throws {
        // branchBool x, ->true, ->false; missing and error fall through (a field can only be missing
        // here). Each path loads its own constant.
        func path(_ x: Value) throws -> Value {
            var b = ProgramBuilder()
            let fx = b.addField("x", .bool)
            let out = b.addRegister(.int)
            let k = [0, 1, 2].map { b.constant(.int(Int64($0))) }
            b.emit(Instruction(.branchBool, a: fx, b: 2, c: 4))
            b.emit(.loadK, a: out, b: k[0])   // missing or error
            b.emit(.halt)
            b.emit(.loadK, a: out, b: k[1])   // true
            b.emit(.halt)
            b.emit(.loadK, a: out, b: k[2])   // false
            b.emit(.halt)
            b.setResultRegister(out)
            let request = Request(program: try b.build())
            try request.set(0, value: x)
            return VM.evaluateExpression(request)
        }
        XCTAssertEqual(try path(.bool(true)), .int(1))
        XCTAssertEqual(try path(.bool(false)), .int(2))
        XCTAssertEqual(try path(.missing), .int(0))
    }

    func testBucketIsStableAndInRange() throws {
        let first = try run(.bucket, .string("cust_42"), .string, .int(100), .int, result: .int)
        XCTAssertEqual(first, try run(.bucket, .string("cust_42"), .string, .int(100), .int, result: .int))
        guard case .int(let v) = first else { return XCTFail("not an int") }
        XCTAssertTrue((0..<100).contains(v))
        XCTAssertEqual(try run(.bucket, .string("x"), .string, .int(0), .int, result: .int), .error(.badOperand))
    }
}
