// Formatter properties: idempotent, and re-parsing the output gives an equal AST, for the shared
// reference ruleset, every file in Rules/, and 10,000 random ASTs; plus the layout choices
// (alignment, comments, blank lines) on a small example.
import Foundation
import Testing
@testable import VerdictLanguage

/// Formats `text` (which must parse cleanly); returns the output and the parsed unit.
private func formatText(_ text: String, path: String = "fmt.rules") -> (String, SourceUnit)? {
    let parsed = parseText(text, path: path)
    guard !parsed.diagnostics.hasErrors else { return nil }
    return (Formatter.format(parsed.unit, source: parsed.sources[0]!), parsed.unit)
}

/// The files the round-trip property covers: the reference ruleset and everything in Rules/.
private func ruleFiles() -> [String] {
    var paths = [sharedPath("bench/reference.rules")]
    paths += RulesFiles.expand([packageRoot() + "/Rules"]).filter { FileManager.default.fileExists(atPath: $0) }
    return paths.filter { FileManager.default.fileExists(atPath: $0) }
}

@Suite struct FormatterTests {
    @Test(arguments: ruleFiles())
    func formattingRuleFilesIsIdempotentAndPreservesTheAST(path: String) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let (once, original) = try #require(formatText(text, path: path))
        let (twice, reparsed) = try #require(formatText(once), "formatted output does not parse:\n\(once)")
        #expect(reparsed == original)
        #expect(twice == once)
    }

    /// 10,000 random ASTs in four independent chunks (so they can run in parallel).
    @Test(arguments: 0..<4)
    func tenThousandRandomASTsRoundTrip(chunk: Int) throws {
        // VERDICT_RANDOM_SEED explores other seeds locally; CI always uses the fixed one.
        let seed = ProcessInfo.processInfo.environment["VERDICT_RANDOM_SEED"].flatMap { UInt64($0) } ?? 20261129
        var generator = RandomSyntax(seed: seed &+ UInt64(chunk))
        for index in 0..<2_500 {
            let unit = generator.unit()
            let text = Formatter.format(unit)
            let parsed = parseText(text)
            guard parsed.rendered.isEmpty, parsed.unit == unit else {
                let differing = zip(unit.declarations, parsed.unit.declarations).first { $0 != $1 }
                let difference: String = differing.map { "\(conditionSexp($0))\n  vs\n\(conditionSexp($1))" } ?? "declaration count"
                Issue.record("random AST #\(index) of chunk \(chunk) does not round-trip:\n\(text)\n\(parsed.rendered)\nfirst difference: \(difference)")
                return
            }
            let again = Formatter.format(parsed.unit, source: parsed.sources[0]!)
            guard again == text else {
                Issue.record("formatting is not idempotent for random AST #\(index) of chunk \(chunk):\n\(text)\n---\n\(again)")
                return
            }
        }
    }

    @Test func layoutAlignsRunsAndKeepsComments() throws {
        let source = """
        // Header comment
        ruleset demo   version 'v1'
        schema {   // the request
          amount int   // minor units

          card.country    country
          // trailing block comment
        }
        list a string ci
        list longer_name  ip


        rule x:block if amount>10 AND card.country = 'US'   // inline
        rule longer:   review if not (x in [1,2,3])
        Block if :amount: > 5 and ::tier:: = "gold"
        // end
        """
        let (formatted, _) = try #require(formatText(source))
        #expect(formatted == """
        // Header comment
        ruleset demo version "v1"
        schema { // the request
          amount       int // minor units

          card.country country
          // trailing block comment
        }
        list a           string ci
        list longer_name ip

        rule x:      block if amount > 10 and card.country == "US" // inline
        rule longer: review if not (x in [1, 2, 3])
        Block if :amount: > 5 AND ::tier:: = 'gold'
        // end

        """)
    }

    @Test func expressionsGetTheFewestParentheses() {
        let cases = [
            ("(a + b) * c", "(a + b) * c"),
            ("a + (b * c)", "a + b * c"),
            ("a - (b - c)", "a - (b - c)"),
            ("(a - b) - c", "a - b - c"),
            ("-(5)", "-(5)"),
            ("- 5", "-5"),
            ("(-a).size()", "(-a).size()"),
            ("x in ('US')", "x in (\"US\")"),
            ("x in (a,)", "x in (a,)"),
            ("x in (a or b)", "x in (a or b)"),
            ("(a ? b : c) ? d : e", "(a ? b : c) ? d : e"),
            ("a ? b : (c ? d : e)", "a ? b : c ? d : e"),
            ("x NOT IN (1, 2)", "not (x in (1, 2))"),
        ]
        for (input, expected) in cases {
            let (expr, rendered) = parseExpressionText(input)
            #expect(expr.map { ExpressionPrinter().print($0) } == expected, "\(input) \(rendered)")
        }
    }
}

/// The condition (or value) of a declaration as an S-expression, for failure messages.
private func conditionSexp(_ declaration: Declaration) -> String {
    switch declaration {
    case .rule(let rule): return sexp(rule.condition)
    case .letBinding(let binding): return sexp(binding.value)
    case .score(let score): return sexp(score.condition)
    case .counter(let counter):
        var parts = [sexp(counter.key)]
        switch counter.aggregate {
        case .count: parts.append("count")
        case .sum(let value): parts.append("sum " + sexp(value))
        case .distinct(let value): parts.append("distinct " + sexp(value))
        }
        parts.append(counter.condition.map(sexp) ?? "-")
        return parts.joined(separator: " | ")
    case .threshold(let threshold): return threshold.clauses.map { sexp($0.condition) }.joined(separator: " | ")
    case .model(let model): return model.bindings.map { sexp($0.value) }.joined(separator: " | ")
    default: return "\(declaration)"
    }
}
