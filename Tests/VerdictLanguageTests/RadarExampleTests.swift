// Pasted Stripe Radar rules parse unchanged (LANGUAGE.md §1: "Radar rules paste in unchanged"):
// every non-comment line of RadarExamples/radar-examples.rules is one Radar rule, and the file
// survives a format round trip.
import Foundation
import Testing
@testable import VerdictLanguage

@Suite struct RadarExampleTests {
    let path = packageRoot() + "/Tests/VerdictLanguageTests/RadarExamples/radar-examples.rules"

    @Test func everyRadarExampleParsesAsARadarRule() throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let parsed = parseText(text, path: "radar-examples.rules")
        #expect(parsed.rendered == "")
        let ruleLines = text.split(separator: "\n").filter { !$0.hasPrefix("//") && !$0.allSatisfy(\.isWhitespace) }
        #expect(parsed.unit.declarations.count == ruleLines.count)
        for declaration in parsed.unit.declarations {
            guard case .rule(let rule) = declaration else {
                Issue.record("not a rule: \(declaration)")
                continue
            }
            #expect(rule.style == .radar && rule.name == nil)
        }
    }

    @Test func radarExamplesSurviveFormatting() throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let parsed = parseText(text)
        let formatted = Formatter.format(parsed.unit, source: parsed.sources[0]!)
        let reparsed = parseText(formatted)
        #expect(reparsed.rendered == "")
        #expect(reparsed.unit == parsed.unit)
    }

    @Test func unnamedRadarRulesAreNamedAfterTheirLine() throws {
        let parsed = parseText("// header\nBlock if :risk_level: = 'highest'\n\nReview if :risk_score: > 65\n")
        let names = parsed.unit.declarations.compactMap { declaration -> String? in
            guard case .rule(let rule) = declaration else { return nil }
            return rule.effectiveName(in: parsed.sources[0]!)
        }
        #expect(names == ["rule_2", "rule_4"])
    }
}
