// `matches`: the regex parser's accepted syntax and errors, the compiled program run by the VM's
// Pike-VM matcher against a table of RE2 cases (expected results cross-checked with Python `re` on
// inputs where its semantics agree with RE2), linear time on a pattern that makes backtracking
// engines explode, and `matches` through the whole pipeline (fields, missing, errors, .vbc).
@testable import VerdictCompiler
import VerdictLanguage
import VerdictVM
import XCTest

final class RegexTests: XCTestCase {
    /// (pattern, text, matches) — RE2 semantics: unanchored search, `.` is one code point but not
    /// `\n`, `$` only at the very end, `\d \w \s` ASCII.
    static let table: [(String, String, Bool)] = [
        ("ubb", "hubba", true),
        ("foo|bar", "", false),
        ("", "cows", true),
        ("", "", true),
        ("bc", "abcd", true),
        ("gr(a|e)y", "grey", true),
        ("gr(a|e)y", "gruy", false),
        ("ba(na)*", "banana", true),
        ("^ba(na)*$", "bananan", false),
        ("a+ñ+a+", "mañana", true),
        ("^.$", "ñ", true),
        ("^..$", "ñ", false),
        ("^.$", "😀", true),
        ("^\\d{3}-\\d{4}$", "555-1234", true),
        ("^\\d{3}-\\d{4}$", "555-12345", false),
        ("\\w+@\\w+\\.com", "x bob@mail.com y", true),
        ("^[a-z0-9_]+$", "abc_09", true),
        ("^[a-z0-9_]+$", "abc-09", false),
        ("[^a-z]", "abc", false),
        ("[^a-z]", "abC", true),
        ("^a{2,3}$", "a", false),
        ("^a{2,3}$", "aa", true),
        ("^a{2,3}$", "aaa", true),
        ("^a{2,3}$", "aaaa", false),
        ("^a{2,}$", "aaaaa", true),
        ("^a{2}$", "aa", true),
        ("^a{0}$", "", true),
        ("(?i)^hello$", "HeLLo", true),
        ("(?i)[a-c]+x", "BCAX", true),
        ("^hello$", "HeLLo", false),
        ("a.c", "a\nc", false),
        ("a.c", "abc", true),
        ("^abc", "xabc", false),
        ("abc$", "abcx", false),
        ("\\.", "a.b", true),
        ("\\.", "ab", false),
        ("\\\\", "a\\b", true),
        ("\\s", "a b", true),
        ("\\S+", "   ", false),
        ("\\D", "123", false),
        ("\\W", "abc_1", false),
        ("\\W", "ab!", true),
        ("\\x{41}", "A", true),
        ("\\x41\\x{1F600}", "A😀", true),
        ("[\\d.]+", "3.14", true),
        ("^[\\w-]+$", "a-b", true),
        ("^[a\\-z]+$", "-", true),
        ("^[]a]+$", "]a", true),
        ("(?:ab)+c", "ababc", true),
        ("(a|b)*abb$", "babaabb", true),
        ("(a*)*b", "aaab", true),
        ("(a*)*b", "aaaa", false),
        ("a*?b", "aab", true),
        ("a+?", "a", true),
        ("a??b", "b", true),
        ("a{1,2}?c", "aac", true),
        ("colou?r", "color", true),
        ("colou?r", "colour", true),
        ("colou?r", "colouur", false),
        ("^(\\d+\\.){3}\\d+$", "10.0.0.1", true),
        ("^(\\d+\\.){3}\\d+$", "10.0.0", false),
        ("[0-9]{2,}", "a1b", false),
        ("[0-9]{2,}", "a12b", true),
        ("é|É", "café", true),
        ("é|É", "cafe", false),
        ("x{2}y", "xxy", true),
        ("\\t", "a\tb", true),
        ("\\n", "a\nb", true),
        // RE2-specific (Python differs): `$` does not match before a final newline; \x{...} escapes.
        ("a$", "a\n", false),
        ("^$", "\n", false),
        ("\\x{1F431}", "🐱", true),
        // Python re backtracks exponentially on this one; RE2 and the Pike VM answer at once.
        ("(x+x+)+y", String(repeating: "x", count: 5000), false),
        ("(?i)straße", "STRASSE", false),
        ("(?i)é", "É", true),
        ("[^\\x{0}-\\x{10FFFF}]", "anything", false),
        ("a|", "b", true),
        ("(|a)b", "b", true),
    ]

    /// A program that runs `matches(s, pattern)` on a string field.
    static func program(_ pattern: String) throws -> Program {
        var b = ProgramBuilder()
        let s = b.addField("s", .string)
        let r = b.addRegister(.bool)
        b.emit(.matches, a: r, b: s, c: b.addRegex(try RegexCompiler.compile(pattern)))
        b.emit(.halt)
        b.setResultRegister(r)
        return try b.build()
    }

    static func run(_ program: Program, _ text: Value) throws -> Value {
        let request = Request(program: program)
        try request.set(0, value: text)
        return VM.evaluateExpression(request)
    }

    func testMatcherAgainstTheTable() throws {
        for (pattern, text, expected) in Self.table {
            let program = try Self.program(pattern)
            XCTAssertEqual(try Self.run(program, .string(text)), .bool(expected), "'\(text.prefix(40))'.matches('\(pattern)')")
        }
    }

    func testMissingAndInvalidUTF8() throws {
        let program = try Self.program("^.b$")
        XCTAssertEqual(try Self.run(program, .missing), .missing)
        let request = Request(program: program)
        let bytes: [UInt8] = [0xFF, 0x62]   // an invalid byte reads as one U+FFFD code point
        try bytes.withUnsafeBytes { try request.set(0, utf8: $0) }
        XCTAssertEqual(VM.evaluateExpression(request), .bool(true))
    }

    func testParserErrors() {
        let cases: [(String, String, Int)] = [
            ("[a-", "missing ']'", 0),
            ("(ab", "missing ')'", 0),
            ("ab)", "unmatched ')'", 2),
            ("*a", "missing argument to repetition operator", 0),
            ("a**", "bad repetition operator", 2),
            ("a{1001}", "repetition count above 1000", 1),
            ("a{3,2}", "bad repetition range", 1),
            ("(a)\\1", "backreferences are not supported", 3),
            ("(?=a)", "unsupported group syntax", 0),
            ("a(?i)b", "only at the start", 1),
            ("[z-a]", "start after end", 1),
            ("\\b", "word boundaries", 0),
            ("\\q", "unknown escape", 0),
            ("\\x{110000}", "not a Unicode code point", 0),
            ("(a{1000}){1000}", "pattern too large", 0),
        ]
        for (pattern, message, offset) in cases {
            do {
                _ = try RegexParser.parse(pattern)
                XCTFail("'\(pattern)' should be rejected")
            } catch {
                XCTAssertTrue(error.message.contains(message), "'\(pattern)': \(error.message)")
                XCTAssertEqual(error.offset, offset, "'\(pattern)': \(error)")
            }
        }
    }

    func testThroughThePipeline() throws {
        XCTAssertEqual(try evaluate("'hubba'.matches('ubb')"), .bool(true))
        XCTAssertEqual(try evaluate("matches('abc', '^b')"), .bool(false))
        XCTAssertEqual(try evaluate("'x'.matches('(?i)X') && !'y'.matches('x')"), .bool(true))
        let program = try compile("""
            schema {
              email string
            }
            rule odd_email: block if email.matches("^[a-z]+[0-9]{3,}@")
            """)
        XCTAssertEqual(program.contents.regexes.count, 1)
        let request = Request(program: program)
        try request.set(0, string: "bob123@x.com")
        XCTAssertEqual(VM.evaluate(request).action, .block)
        request.reset()
        try request.set(0, string: "bob12@x.com")
        XCTAssertEqual(VM.evaluate(request).action, .none)
        request.reset()
        XCTAssertEqual(VM.evaluate(request).action, .none)   // missing: the rule does not fire
        // The regex program survives the .vbc round trip and is verified on load.
        let reloaded = try BytecodeFormat.decode(BytecodeFormat.encode(program))
        XCTAssertEqual(reloaded.contents.regexes, program.contents.regexes)
    }

    func testVerifierRejectsBadRegexPrograms() throws {
        var contents = try Self.program("ab").contents
        contents.regexes[0].instructions[0] = RegexInstruction(.split, x: 99, y: 0)
        XCTAssertThrowsError(try Program(contents))
        contents = try Self.program("ab").contents
        contents.regexes[0].instructions[0] = RegexInstruction(.codePoints, x: 5, y: 1)
        XCTAssertThrowsError(try Program(contents))
        contents = try Self.program("ab").contents
        contents.regexes[0].ranges[0] = RegexRange(5, 0x110000)
        XCTAssertThrowsError(try Program(contents))
        contents = try Self.program("ab").contents
        contents.regexes[0].instructions.removeLast()   // falls off the end
        XCTAssertThrowsError(try Program(contents))
    }
}
