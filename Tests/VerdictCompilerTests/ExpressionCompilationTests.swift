// Standalone expressions through the whole pipeline (parser, checker, lowering, folding, code
// generation, VM): values, CEL error semantics, absorbing logic, strings, and constant folding.
import VerdictCompiler
import VerdictVM
import XCTest

final class ExpressionCompilationTests: XCTestCase {
    func testArithmeticAndErrors() throws {
        XCTAssertEqual(try evaluate("1 + 2 * 3"), .int(7))
        XCTAssertEqual(try evaluate("9223372036854775807 + 1"), .error(.overflow))
        XCTAssertEqual(try evaluate("7 / 0"), .error(.divisionByZero))
        XCTAssertEqual(try evaluate("-7 % 3"), .int(-1))
        XCTAssertEqual(try evaluate("1.5 * 2.0"), .double(3))
        XCTAssertEqual(try evaluate("int(2.9e19)"), .error(.conversion))
        XCTAssertEqual(try evaluate("double(3) / 2.0"), .double(1.5))
    }

    func testAbsorbingLogicOverErrors() throws {
        XCTAssertEqual(try evaluate("false && 1 / 0 > 2"), .bool(false))
        XCTAssertEqual(try evaluate("1 / 0 > 2 && false"), .bool(false))
        XCTAssertEqual(try evaluate("true || 1 / 0 > 2"), .bool(true))
        XCTAssertEqual(try evaluate("1 / 0 > 2 || true"), .bool(true))
        XCTAssertEqual(try evaluate("1 / 0 > 2 && true"), .error(.divisionByZero))
        XCTAssertEqual(try evaluate("1 / 0 > 2 ? 1 : 2"), .error(.divisionByZero))
        XCTAssertEqual(try evaluate("2 > 1 ? 'a' : 'b'"), .string("a"))
    }

    func testStringsAndComparisons() throws {
        XCTAssertEqual(try evaluate("'ab' + 'cd'"), .string("abcd"))
        XCTAssertEqual(try evaluate("size('héllo')"), .int(5))
        XCTAssertEqual(try evaluate("'abc' < 'abd'"), .bool(true))
        XCTAssertEqual(try evaluate("'x@mail.ru'.endsWith('.ru')"), .bool(true))
        XCTAssertEqual(try evaluate("domain('Bob@Example.COM')"), .string("example.com"))
        XCTAssertEqual(try evaluate("1 == 1.0"), .bool(true))
        XCTAssertEqual(try evaluate("'b' in ['a', 'b']"), .bool(true))
        XCTAssertEqual(try evaluate("3 in [1, 2]"), .bool(false))
        XCTAssertEqual(try evaluate("string(42)"), .string("42"))
    }

    func testConstantsAreFoldedAtCompileTime() throws {
        let program = try Compiler.compileExpression(source: "(2 + 3) * 4 > 19 && 'ab' + 'c' == 'abc'")
        XCTAssertEqual(program.contents.code.count, 3, Disassembler.listing(program.contents))  // loadK, move, halt
        XCTAssertEqual(VM.evaluateExpression(Request(program: program)), .bool(true))
        // An error is not folded away: it happens at run time, where it is reported.
        XCTAssertEqual(try evaluate("1 / 0"), .error(.divisionByZero))
    }

    func testExpressionsThatDoNotCheckAreCompileErrors() {
        XCTAssertThrowsError(try Compiler.compileExpression(source: "1 + 'a'"))
        XCTAssertThrowsError(try Compiler.compileExpression(source: "1 +"))
    }
}
