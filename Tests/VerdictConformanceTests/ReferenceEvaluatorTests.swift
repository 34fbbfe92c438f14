// Tests of the reference evaluator itself (it is the oracle, so it gets its own checks): §4
// missing/error propagation and absorption, exact int/double comparison, case-insensitive text,
// and the §7 decision procedure (precedence, challenge, shadow, rollout, scores, thresholds,
// `on error`). Also checks that the random program generator only produces rulesets the checker
// accepts.
import Testing
import VerdictLanguage
import VerdictReference

/// Checks `source`, evaluates with `values` (by field name), returns the evaluator.
private func evaluator(_ source: String, _ values: [String: ReferenceValue] = [:], now: Int64 = 1_700_000_000,
                       lists: [String: [String]] = [:]) throws -> ReferenceEvaluator {
    let result = Frontend.check(text: source)
    guard let ruleset = result.ruleset else {
        Issue.record(Comment(rawValue: result.diagnostics.map(\.message).joined(separator: "; ")))
        throw ConformanceCheckError(message: "rejected")
    }
    var request = ReferenceRequest(now: now)
    for (name, value) in values { if let field = ruleset.field(named: name) { request.values[field.id] = value } }
    return ReferenceEvaluator(ruleset: ruleset, host: PrecomputedHost(listEntries: lists, seed: 1), request: request)
}

/// The value of `let r = expression` over a small schema.
private func value(_ expression: String, _ values: [String: ReferenceValue] = [:]) throws -> ReferenceResult {
    let e = try evaluator("schema {\n a int\n d double\n s string\n c string ci\n b bool\n}\nlet r = \(expression)\n", values)
    return e.evaluate(e.ruleset.lets.first { $0.name == "r" }!.value)
}

@Test func missingPropagatesAndErrorWinsExceptThroughAbsorbingOperators() throws {
    #expect(try value("a + 1") == .missing)
    #expect(try value("a + 1 / 0") == .error(.divisionByZero))
    #expect(try value("false && a > 1") == .value(.bool(false)))
    #expect(try value("a > 1 && false") == .value(.bool(false)))
    #expect(try value("a > 1 || true") == .value(.bool(true)))
    #expect(try value("a > 1 && 1 / 0 > 1") == .error(.divisionByZero))
    #expect(try value("a > 1 && true") == .missing)
    #expect(try value("has(a)") == .value(.bool(false)))
    #expect(try value("is_missing(a)") == .value(.bool(true)))
    #expect(try value("a > 1 ? 1 : 2") == .missing)
    #expect(try value("s != 'x'") == .missing)
}

@Test func integerEdgesAreErrorsNotTraps() throws {
    #expect(try value("9223372036854775807 + 1") == .error(.overflow))
    #expect(try value("(-9223372036854775807 - 1) / -1") == .error(.overflow))
    #expect(try value("(-9223372036854775807 - 1) % -1") == .error(.overflow))
    #expect(try value("7 % 0") == .error(.moduloByZero))
    #expect(try value("abs(-9223372036854775807 - 1)") == .error(.overflow))
    #expect(try value("int(1e19)") == .error(.conversion))
    #expect(try value("int('12x')") == .error(.conversion))
    #expect(try value("int(-7.9)") == .value(.int(-7)))
}

@Test func intDoubleComparisonIsExact() throws {
    #expect(try value("9223372036854775807 < 9223372036854775808.0") == .value(.bool(true)))
    #expect(try value("9007199254740993 > 9007199254740992.0") == .value(.bool(true)))
    #expect(try value("1 == 1.0") == .value(.bool(true)))
    #expect(try value("a < d", ["a": .int(1), "d": .double(.nan)]) == .value(.bool(false)))
    #expect(try value("a != d", ["a": .int(1), "d": .double(.nan)]) == .value(.bool(true)))
}

@Test func caseInsensitiveFieldsCompareIgnoringCase() throws {
    #expect(try value("c == 'ABC'", ["c": .string("abc")]) == .value(.bool(true)))
    #expect(try value("c in ['X', 'Abc']", ["c": .string("aBC")]) == .value(.bool(true)))
    #expect(try value("s == 'ABC'", ["s": .string("abc")]) == .value(.bool(false)))
    #expect(try value("c.startsWith('AB')", ["c": .string("abc")]) == .value(.bool(true)))
    #expect(try value("s LIKE 'a_c%'", ["s": .string("abcd")]) == .value(.bool(true)))
    #expect(try value("size(s)", ["s": .string("🐱é")]) == .value(.int(2)))
}

private let decisionSchema = """
    schema {
      amount int
      id string
    }
    """

@Test func precedenceChallengeAndShadowDecideTheVerdict() throws {
    let e = try evaluator(decisionSchema + """

        rule deny: block if amount > 10
        rule vip: allow if id == "vip"
        rule check: challenge if amount > 5
        rule test: review if true shadow
        """, ["amount": .int(20), "id": .string("vip")])
    let verdict = e.decide()
    #expect(verdict.action == .allow)
    #expect(verdict.decidingRule == "vip")
    #expect(verdict.challenge)
    #expect(verdict.fired.map(\.name) == ["deny", "vip", "check", "test"])
    #expect(verdict.fired.last?.shadow == true)
}

@Test func challengeAloneAndNoneAndMissingAreReported() throws {
    let e = try evaluator(decisionSchema + """

        rule check: challenge if amount > 5
        rule named: block if id == "x"
        """, ["amount": .int(6)])
    let verdict = e.decide()
    #expect(verdict.action == .challenge)
    #expect(verdict.missingRules == ["named"])
}

@Test func scoresAndThresholdsApplyWhenNoRuleDecides() throws {
    let e = try evaluator(decisionSchema + """

        rule big: block if amount > 1000
        score s1: +30 if amount > 5
        score s2: +25 if id == "a"
        score s3: -10 if amount > 100
        threshold review if score >= 50, block if score >= 100
        """, ["amount": .int(6), "id": .string("a")])
    let verdict = e.decide()
    #expect(verdict.score == 55)
    #expect(verdict.action == .review)
    #expect(verdict.decidingRule == nil)
}

@Test func onErrorFailsClosedOnlyOnErrors() throws {
    let source = decisionSchema + """

        on error block
        rule ratio: review if 100 / amount > 1
        """
    #expect(try evaluator(source, ["amount": .int(0)]).decide().action == .block)
    #expect(try evaluator(source, [:]).decide().action == .none)
    #expect(try evaluator(source, ["amount": .int(0)]).decide().errorRules == ["ratio"])
}

@Test func rolloutZeroAndHundredPercent() throws {
    let source = decisionSchema + """

        rule none_yet: block if true rollout 0% by id
        rule everyone: review if true rollout 100% by id
        """
    let verdict = try evaluator(source, ["id": .string("c1")]).decide()
    #expect(verdict.action == .review)
    #expect(verdict.fired.map(\.outsideRollout) == [true, false])
    // A missing rollout key is outside the rollout.
    #expect(try evaluator(source, [:]).decide().action == .none)
}

@Test func generatedProgramsAreAcceptedByTheChecker() {
    for seed in UInt64(0)..<200 {
        var generator = ProgramGenerator(seed: seed)
        let program = generator.program(seed: seed)
        let result = Frontend.check(text: program.source,
                                    options: CheckOptions(modelCatalog: InMemoryModelCatalog(program.modelFeatures)))
        #expect(result.ruleset != nil, "seed \(seed): \(result.diagnostics.first { $0.severity == .error }?.message ?? "")\n\(program.source)")
    }
}
