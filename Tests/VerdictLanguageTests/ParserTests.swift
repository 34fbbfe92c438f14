// Parser behaviour: declarations, CEL precedence and associativity, keyword operators in any case,
// Radar forms, literals and escapes, error recovery and the hard limits.
import Foundation
import Testing
@testable import VerdictLanguage

@Suite struct ExpressionParsingTests {
    @Test func precedenceFollowsCEL() {
        #expect(sexp("a + b * c") == "(+ a (* b c))")
        #expect(sexp("a - b - c") == "(- (- a b) c)")
        #expect(sexp("a < b + 1 && c || d") == "(|| (&& (< a (+ b 1)) c) d)")
        #expect(sexp("a ? b : c ? d : e") == "(? a b (? c d e))")
        #expect(sexp("-a * b") == "(* (- a) b)")
        #expect(sexp("!a && b") == "(&& (! a) b)")
        #expect(sexp("a in [1, 2] == true") == "(== (in a [1 2]) true)")
    }

    @Test func keywordOperatorsInAnyCase() {
        #expect(sexp("a AND b Or NOT c") == "(|| (&& a b) (! c))")
        #expect(sexp("x IN @blocked and y Includes 'z' and w like '%a_'") ==
                "(&& (&& (in x @blocked) (INCLUDES y \"z\")) (LIKE w \"%a_\"))")
        #expect(sexp("TRUE or False") == "(|| true false)")
    }

    @Test func radarForms() {
        #expect(sexp(":amount_in_usd: > 1000.00") == "(> :amount_in_usd: 1000.0)")
        #expect(sexp(":card.country: = 'US'") == "(== :card.country: \"US\")")
        #expect(sexp("::customer_tier:: = 'gold'") == "(== ::metadata.customer_tier:: \"gold\")")
        #expect(sexp(":card_country: IN ('US', 'CA')") == "(in :card_country: (list \"US\" \"CA\"))")
        #expect(sexp(":card_country: IN ('US')") == "(in :card_country: (list \"US\"))")
        #expect(sexp(":card_country: NOT IN ('US')") == "(! (in :card_country: (list \"US\")))")
        #expect(sexp("is_missing(:email:)") == "(is_missing :email:)")
    }

    @Test func namesCallsAndIndexes() {
        #expect(sexp("card.bin.startsWith(\"4\")") == "(.startsWith card.bin \"4\")")
        #expect(sexp("attempts_per_card(1h) > 10") == "(> (attempts_per_card 1h) 10)")
        #expect(sexp("min(a, b)[0]") == "(index (min a b) 0)")
        #expect(sexp("size(s) + raw(m)") == "(+ (size s) (raw m))")
        #expect(sexp("(a, b)") == "(list a b)")
        #expect(sexp("()") == "(list )")
        #expect(sexp("[1, 2,]") == "[1 2]")
    }

    @Test func literals() {
        #expect(sexp("-9223372036854775808") == "-9223372036854775808")
        #expect(sexp("0x1F + 1.5e3 + 30s + 15m + 7d") == "(+ (+ (+ (+ 31 1500.0) 30s) 15m) 7d)")
        #expect(sexp(".99 < .5e1") == "(< 0.99 5.0)")
        #expect(sexp(#""a\n\t\"\x41\u00e9\U0001F600\101""#) == "\"a\n\t\"Aé😀A\"")
        #expect(sexp(#"r"a\n""#) == #""a\n""#)
        #expect(sexp("'''multi\nline'''") == "\"multi\nline\"")
        #expect(sexp(#""""triple "quoted" ok""""#) == "\"triple \"quoted\" ok\"")
    }

    @Test func expressionIdsAreDenseAndUnique() {
        var sources = SourceSet()
        let id = sources.add(path: "e", text: "a + b * c")
        var ids = ExprIDAllocator()
        var diagnostics = DiagnosticBag()
        _ = Parser.parseExpression(sources[id]!, ids: &ids, diagnostics: &diagnostics)
        #expect(ids.count == 5)
    }
}

@Suite struct DeclarationParsingTests {
    @Test func referenceRulesetParsesCleanly() throws {
        let path = sharedPath("bench/reference.rules")
        guard let data = FileManager.default.contents(atPath: path) else {
            Issue.record("reference.rules not found at \(path)")
            return
        }
        let parsed = parseBytes(Array(data), path: path)
        #expect(parsed.rendered == "")
        let rules = parsed.unit.declarations.filter { if case .rule = $0 { return true } else { return false } }
        #expect(rules.count == 41)
    }

    @Test func everyDeclarationKind() {
        let parsed = parseText("""
        ruleset payments version "2026-11-23.1"
        schema {
          amount int
          card.country country
          email_domain string ci
        }
        list blocked_emails string ci
        counter usd_per_email by email sum amount_usd when verdict == block retain 30d
        model m xgboost "m.json" {
          a = amount
          b = attempts(1h)
        }
        let high = amount > 10
        rule r: block if high reason "x" shadow rollout 12.5% by customer.id tags "a", "b"
        score s: -25 if high
        threshold review if score >= 50, block if score >= 100
        precedence allow > block > review
        on error review
        Block if :amount: > 5
        Request 3D Secure if :risk_level: = 'elevated'
        """)
        #expect(parsed.rendered == "")
        let decls = parsed.unit.declarations
        #expect(decls.count == 13)
        guard case .schema(let schema) = decls[1], case .rule(let rule) = decls[6], case .score(let score) = decls[7],
              case .rule(let radar) = decls[12], case .counter(let counter) = decls[3] else {
            Issue.record("unexpected declarations \(decls)")
            return
        }
        #expect(schema.fields.map(\.name.name) == ["amount", "card.country", "email_domain"])
        #expect(schema.fields.map(\.caseInsensitive) == [false, false, true])
        #expect(rule.reason?.value == "x" && rule.shadow && rule.rollout?.percent == 12.5 && rule.tags.map(\.value) == ["a", "b"])
        #expect(score.points == -25)
        #expect(radar.action.action == .challenge && radar.style == .radar && radar.name == nil)
        #expect(radar.effectiveName(in: parsed.sources[0]!) == "rule_20")
        #expect(counter.condition != nil && counter.retain.seconds == 30 * 86400)
    }

    @Test func declarationKeywordsAreCaseInsensitive() {
        let parsed = parseText("RULE a: BLOCK IF x\nLet y = 1\n")
        #expect(parsed.rendered == "")
        #expect(parsed.unit.declarations.count == 2)
    }

    @Test func scoreStaysAUsableNameInExpressions() {
        let parsed = parseText("threshold review if score >= 50\nrule s: block if score > 10\n")
        #expect(parsed.rendered == "")
    }
}

@Suite struct ErrorRecoveryTests {
    @Test func keepsGoingAfterTheFirstError() {
        let parsed = parseText("""
        rule a block if x
        rule b: block if (y
        rule c: block if z
        rule d: deny if w
        """)
        #expect(parsed.codes == ["syntax", "syntax", "syntax"])
        #expect(parsed.unit.declarations.count == 1)
    }

    @Test func stopsAtFiftyErrors() {
        let text = String(repeating: "rule a block if x\n", count: 80)
        let parsed = parseText(text)
        #expect(parsed.diagnostics.diagnostics.count == 50)
    }

    @Test func deepNestingIsAnErrorNotACrash() {
        for opener in ["(", "!", "-", "[", "f(", "not "] {
            let text = "let x = " + String(repeating: opener, count: 300) + "1"
            let parsed = parseText(text)
            #expect(parsed.codes == ["nesting-too-deep"], "opener \(opener)")
        }
        let longChain = "let x = " + Array(repeating: "a", count: 400).joined(separator: " + ")
        #expect(parseText(longChain).codes == ["nesting-too-deep"])
        let fine = "let x = " + String(repeating: "(", count: 200) + "1" + String(repeating: ")", count: 200)
        #expect(parseText(fine).codes == [])
    }

    @Test func hugeFilesAreRejectedWithoutBeingRead() throws {
        let path = NSTemporaryDirectory() + "verdict-huge-\(getpid()).rules"
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.truncate(atOffset: 100 * 1024 * 1024)  // sparse: 100 MB of NUL, never written
        try handle.close()
        var sources = SourceSet()
        var diagnostics = DiagnosticBag()
        RulesFiles.load([path], into: &sources, diagnostics: &diagnostics)
        #expect(diagnostics.diagnostics.map(\.code) == ["file-too-large"])
        #expect(sources.files.map(\.bytes.count) == [0])
    }

    @Test func oversizedInMemoryFileIsRejected() {
        let bytes = [UInt8](repeating: UInt8(ascii: "("), count: ParserLimits.maxFileBytes + 1)
        #expect(parseBytes(bytes).codes == ["file-too-large"])
    }

    @Test func fourMiBOfParensFailFast() {
        let bytes = [UInt8]("let x = ".utf8) + [UInt8](repeating: UInt8(ascii: "("), count: ParserLimits.maxFileBytes - 16)
        #expect(parseBytes(bytes).codes == ["nesting-too-deep"])
    }

    @Test func unreadableFilesAreReported() {
        var sources = SourceSet()
        var diagnostics = DiagnosticBag()
        RulesFiles.load(["/nonexistent/x.rules"], into: &sources, diagnostics: &diagnostics)
        #expect(diagnostics.diagnostics.map(\.code) == ["file-unreadable"])
    }

    @Test func byteLevelProblems() {
        #expect(parseBytes([UInt8]("rule a: block if x\0".utf8)).codes == ["nul-byte"])
        #expect(parseBytes([UInt8]("rule a: block if '".utf8) + [0xC3, 0x28]).codes == ["invalid-utf8"])
    }

    @Test func listLiteralLimit() {
        let elements = (0..<300).map(String.init).joined(separator: ", ")
        #expect(parseText("let x = a in [\(elements)]").codes == ["list-too-long"])
    }

    @Test func tooManyRules() {
        let text = (0...10_000).map { "rule r\($0): block if x" }.joined(separator: "\n")
        #expect(parseText(text).codes == ["too-many-rules"])
    }
}
