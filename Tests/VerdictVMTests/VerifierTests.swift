// The verifier rejects every malformed program (operands out of range, wrong types, backward or
// out-of-range jumps, writes to request fields, missing final halt, bad side tables), and the
// .vbc format round-trips and rejects corrupted, truncated and foreign files.
import XCTest
@testable import VerdictVM

final class VerifierTests: XCTestCase {
    /// amount (double field), flag (bool temp): `flag := amount > 10.0`.
    func valid() throws -> ProgramContents {
        var b = ProgramBuilder(name: "v", version: "1")
        let amount = b.addField("amount", .double)
        let flag = b.addRegister(.bool)
        b.emit(.gtDK, a: flag, b: amount, c: b.constant(.double(10)))
        b.emit(.halt)
        b.setResultRegister(flag)
        return try b.finish()
    }

    func rejects(_ change: (inout ProgramContents) -> Void, _ fragment: String, file: StaticString = #filePath, line: UInt = #line) throws {
        var p = try valid()
        change(&p)
        XCTAssertThrowsError(try Program(p), file: file, line: line) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains(fragment), "'\(text)' does not mention '\(fragment)'", file: file, line: line)
        }
    }

    func testAcceptsAValidProgram() throws {
        let program = try Program(valid())
        let request = Request(program: program)
        try request.set(0, double: 11)
        XCTAssertEqual(VM.evaluateExpression(request), .bool(true))
    }

    func testRejectsOutOfRangeOperands() throws {
        try rejects({ $0.code[0].a = 99 }, "out of range")
        try rejects({ $0.code[0].c = 7 }, "constant C=7 out of range")
        try rejects({ $0.code.insert(Instruction(.jump, c: 5), at: 0) }, "jump past the end")
        try rejects({ $0.code[0].opcode = 250 }, "unknown opcode")
        try rejects({ $0.code[0].flags = InstructionFlag.negate }, "flags")
        try rejects({ $0.resultRegister = 12 }, "result register")
    }

    func testRejectsTypeInconsistentOperands() throws {
        try rejects({ $0.code[0] = Instruction(.gtIK, a: 1, b: 0, c: 0) }, "expected int")
        try rejects({ $0.constants[0] = .int(10) }, "is not a double")
        try rejects({ $0.registerTypes[1] = .int }, "expected bool")
        try rejects({ $0.code[0] = Instruction(.negD, a: 0, b: 0) }, "writes request field")
    }

    func testRejectsCodeThatDoesNotEndInHalt() throws {
        try rejects({ $0.code.removeLast() }, "end in halt")
        try rejects({ $0.code = [] }, "instructions")
    }

    func testRejectsBadSideTables() throws {
        try rejects({ $0.constants.append(Slot(tag: Tag.string, bits: 5, length: 1)) }, "outside the constant area")
        try rejects({ $0.constants.append(Slot(tag: 42, bits: 0)) }, "bad tag")
        try rejects({ $0.rules = [RuleInfo(name: "r", action: .block, rolloutBasisPoints: 10001)] }, "rollout")
        try rejects({ $0.onError = .allow }, "on error")
        try rejects({ $0.precedence = [.allow, .allow] }, "precedence")
        try rejects({ $0.sets = [ConstantSetInfo(elementType: .string, caseInsensitive: false, elements: [0])] }, "is not a string constant")
    }

    func testBytecodeRoundTrips() throws {
        let contents = try valid()
        let bytes = BytecodeFormat.encode(contents)
        XCTAssertEqual(Array(bytes.prefix(4)), Array("VRDC".utf8))
        let program = try BytecodeFormat.decode(bytes)
        XCTAssertEqual(program.contents, contents)
    }

    func testBytecodeRejectsCorruptionTruncationAndForeignFiles() throws {
        let bytes = BytecodeFormat.encode(try valid())
        var flipped = bytes
        flipped[bytes.count - 3] ^= 0x40
        XCTAssertThrowsError(try BytecodeFormat.decode(flipped)) { XCTAssertEqual($0 as? BytecodeError, .checksumMismatch) }
        XCTAssertThrowsError(try BytecodeFormat.decode(Array(bytes.prefix(bytes.count - 1)))) { XCTAssertEqual($0 as? BytecodeError, .truncated) }
        XCTAssertThrowsError(try BytecodeFormat.decode(Array("#!/bin/sh\necho hi\n".utf8))) { XCTAssertEqual($0 as? BytecodeError, .notBytecode) }
        var future = bytes
        future[4] = 9
        XCTAssertThrowsError(try BytecodeFormat.decode(future)) { XCTAssertEqual($0 as? BytecodeError, .unsupportedVersion(9)) }
    }

    func testBytecodeWithValidChecksumStillGoesThroughTheVerifier() throws {
        var contents = try valid()
        contents.code[0].a = 500
        XCTAssertThrowsError(try BytecodeFormat.decode(BytecodeFormat.encode(contents))) { error in
            guard case .invalid = error as? BytecodeError else { return XCTFail("\(error)") }
        }
    }

    func testDisassemblyNamesFieldsConstantsAndJumps() throws {
        var b = ProgramBuilder(name: "d", version: "2")
        let email = b.addField("email", .string, caseInsensitive: true)
        b.addRule(RuleInfo(name: "ru_mail", action: .review))
        let end = b.newLabel()
        b.emit(.testEndsWithK, a: email, b: b.constant(.string(".ru")), flags: InstructionFlag.caseInsensitive, jumpTo: end)
        b.emit(.fire, a: 0)
        b.bind(end)
        b.emit(.halt)
        let text = Disassembler.listing(try b.finish())
        XCTAssertTrue(text.contains("testEndsWithK      email, \".ru\", ->0002  [ci]"), text)
        XCTAssertTrue(text.contains("fire               rule ru_mail"), text)
        XCTAssertTrue(Disassembler.opcodeTable().contains("| `testGtDK` | R:double | K:double | J | not | test R[A] > K[B] |"))
    }
}
