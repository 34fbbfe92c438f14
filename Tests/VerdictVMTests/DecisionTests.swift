// The decision procedure of LANGUAGE.md §7 as the VM runs it: precedence, non-terminating
// challenge, shadow, rollout, additive score with thresholds, `on error`, per-rule missing/error
// outcomes, and fast mode agreeing with trace mode on random inputs.
import XCTest
@testable import VerdictVM

final class DecisionTests: XCTestCase {
    enum F { static let amount = 0, customer = 1, disputes = 2 }
    enum R { static let vip = 0, big = 1, dispute = 2, chal = 3, shadowBlock = 4, rollout = 5, sDisputes = 6, sAmount = 7, ratio = 8 }

    /// A ruleset laid out the way the compiler lays it out: rules grouped by precedence, fast exits
    /// between groups, challenge rules and scores next, shadow rules last (trace only).
    static func makeProgram(onError: VerdictAction = .none) throws -> Program {
        var b = ProgramBuilder(name: "test", version: "7")
        b.addField("amount", .double)
        b.addField("customer", .string)
        b.addField("disputes", .int)
        let vip = b.addList(ListInfo(name: "vip", keyType: .string))
        b.addRule(RuleInfo(name: "vip", action: .allow))
        b.addRule(RuleInfo(name: "big", action: .block))
        b.addRule(RuleInfo(name: "dispute", action: .review))
        b.addRule(RuleInfo(name: "chal", action: .challenge))
        b.addRule(RuleInfo(name: "shadow_block", action: .block, shadow: true))
        b.addRule(RuleInfo(name: "rollout", action: .review, rolloutBasisPoints: 5000))
        b.addRule(RuleInfo(name: "s_disputes", kind: .score, action: .none, points: 40))
        b.addRule(RuleInfo(name: "s_amount", kind: .score, action: .none, points: 30))
        b.addRule(RuleInfo(name: "ratio", action: .block))
        b.addThreshold(ThresholdInfo(action: .review, minimumScore: 50))
        b.addThreshold(ThresholdInfo(action: .block, minimumScore: 70))
        b.setOnError(onError)

        func simple(_ rule: Int, _ op: Opcode, _ a: Int, _ k: Value?, rolloutKey: Int? = nil) {
            let end = b.newLabel()
            let operand: UInt16 = op == .testList ? vip : (k.map { b.constant($0) } ?? 0)
            b.emit(op, a: UInt16(a), b: operand, jumpTo: end)
            if let key = rolloutKey { b.emit(.fireRollout, a: UInt16(rule), b: UInt16(key)) } else { b.emit(.fire, a: UInt16(rule)) }
            b.bind(end)
        }
        simple(R.vip, .testList, F.customer, nil)
        b.emit(.fastExitIfDecided, a: UInt16(VerdictAction.allow.rawValue))
        simple(R.big, .testGtDK, F.amount, .double(1000))
        // ratio: block if 100 / disputes > 200 (never true; division by zero -> error)
        let ratioEnd = b.newLabel()
        let hundred = b.addRegister(.int), quotient = b.addRegister(.int)
        b.emit(.loadK, a: hundred, b: b.constant(.int(100)))
        b.emit(.divI, a: quotient, b: hundred, c: UInt16(F.disputes))
        b.emit(.testGtIK, a: quotient, b: b.constant(.int(200)), jumpTo: ratioEnd)
        b.emit(.fire, a: UInt16(R.ratio))
        b.bind(ratioEnd)
        b.emit(.fastExitIfDecided, a: UInt16(VerdictAction.block.rawValue))
        simple(R.dispute, .testGeIK, F.disputes, .int(3))
        simple(R.rollout, .testGtDK, F.amount, .double(50), rolloutKey: F.customer)
        b.emit(.fastExitIfDecided, a: UInt16(VerdictAction.review.rawValue))
        simple(R.chal, .testGtDK, F.amount, .double(500))
        simple(R.sDisputes, .testGeIK, F.disputes, .int(1))
        simple(R.sAmount, .testGtDK, F.amount, .double(200))
        b.emit(.fastStop)
        simple(R.shadowBlock, .testGtDK, F.amount, .double(100))
        b.emit(.halt)
        return try b.build()
    }

    func evaluate(_ program: Program, amount: Double?, customer: String?, disputes: Int64?, vip: Bool = false,
                  mode: EvaluationMode = .trace) throws -> (Verdict, Request) {
        let request = Request(program: program)
        if let amount { try request.set(F.amount, double: amount) }
        if let customer { try request.set(F.customer, string: customer) }
        if let disputes { try request.set(F.disputes, int: disputes) }
        let host = TestHost()
        host.listResults = [vip ? 1 : 0]
        let verdict = withExtendedLifetime(host) { VM.evaluate(request, host: host.host, mode: mode) }
        return (verdict, request)
    }

    func testAllowOverridesBlock() throws {
        let p = try Self.makeProgram()
        let (v, request) = try evaluate(p, amount: 5000, customer: "c1", disputes: 3, vip: true)
        XCTAssertEqual(v.action, .allow)
        XCTAssertEqual(v.decidingRule, R.vip)
        XCTAssertEqual(request.outcome(ofRule: R.big), .fired)
        XCTAssertEqual(VerdictReport(v, request: request).rulesetVersion, "7")
    }

    func testBlockBeatsReviewAndTheLowestRuleDecides() throws {
        let (v, _) = try evaluate(try Self.makeProgram(), amount: 5000, customer: "c1", disputes: 3)
        XCTAssertEqual(v.action, .block)
        XCTAssertEqual(v.decidingRule, R.big)
    }

    func testChallengeIsNonTerminatingAndOnlyDecidesAlone() throws {
        let p = try Self.makeProgram()
        let (v, request) = try evaluate(p, amount: 600, customer: nil, disputes: 0)
        XCTAssertEqual(request.outcome(ofRule: R.chal), .fired)
        XCTAssertTrue(v.challenge)
        // score 30 (amount) < 50: no threshold, so the challenge flag makes the verdict.
        XCTAssertEqual(v.action, .challenge)
        XCTAssertEqual(v.decidingRule, R.chal)
        let (v2, _) = try evaluate(p, amount: 600, customer: nil, disputes: 3)
        XCTAssertEqual(v2.action, .review, "a review rule decides; challenge stays a flag")
        XCTAssertTrue(v2.challenge)
    }

    func testShadowRulesAreReportedNeverEnforced() throws {
        let (v, request) = try evaluate(try Self.makeProgram(), amount: 150, customer: nil, disputes: 0)
        XCTAssertEqual(request.outcome(ofRule: R.shadowBlock), .firedNotEnforced)
        XCTAssertEqual(v.action, .none)
        let report = VerdictReport(v, request: request)
        XCTAssertEqual(report.fired.first { $0.name == "shadow_block" }?.shadow, true)
        // fast mode does not even evaluate it
        let (_, fastRequest) = try evaluate(try Self.makeProgram(), amount: 150, customer: nil, disputes: 0, mode: .fast)
        XCTAssertEqual(fastRequest.outcome(ofRule: R.shadowBlock), .notFired)
    }

    func testScoresAddAndTheMostSevereThresholdWins() throws {
        let p = try Self.makeProgram()
        let (v, request) = try evaluate(p, amount: 300, customer: nil, disputes: nil)
        XCTAssertEqual(v.score, 30)
        XCTAssertEqual(v.action, .none)
        XCTAssertEqual(request.outcome(ofRule: R.sDisputes), .missing)
        let (v2, _) = try evaluate(p, amount: 100, customer: nil, disputes: 2)
        XCTAssertEqual(v2.score, 40)
        XCTAssertEqual(v2.action, .none)
        let (v3, _) = try evaluate(p, amount: 300, customer: nil, disputes: 2)
        XCTAssertEqual(v3.score, 70)
        XCTAssertEqual(v3.action, .block, "block (>= 70) beats review (>= 50)")
        XCTAssertNil(v3.decidingRule)
    }

    func testMissingAndErrorAreRecordedPerRule() throws {
        let (v, request) = try evaluate(try Self.makeProgram(), amount: nil, customer: nil, disputes: 0)
        XCTAssertEqual(request.outcome(ofRule: R.big), .missing)
        XCTAssertEqual(request.outcome(ofRule: R.ratio), .error)
        XCTAssertEqual(v.action, .none, "fail-open by default")
        let report = VerdictReport(v, request: request)
        XCTAssertTrue(report.missing.contains("big"))
        XCTAssertEqual(report.errors, ["ratio"])
    }

    func testOnErrorFailsClosed() throws {
        let (v, _) = try evaluate(try Self.makeProgram(onError: .review), amount: 10, customer: nil, disputes: 0)
        XCTAssertEqual(v.action, .review)
        XCTAssertEqual(v.decidingRule, R.ratio)
        let (v2, _) = try evaluate(try Self.makeProgram(onError: .block), amount: 10, customer: nil, disputes: 0, mode: .fast)
        XCTAssertEqual(v2.action, .block)
    }

    func testRolloutEnforcesAStableHalfOfTheKeys() throws {
        let p = try Self.makeProgram()
        var enforced = 0
        for i in 0..<400 {
            let (v, request) = try evaluate(p, amount: 60, customer: "customer-\(i)", disputes: 0)
            XCTAssertTrue(request.fired(rule: R.rollout))
            if v.action == .review { enforced += 1 } else { XCTAssertEqual(request.outcome(ofRule: R.rollout), .firedNotEnforced) }
            let (again, _) = try evaluate(p, amount: 60, customer: "customer-\(i)", disputes: 0)
            XCTAssertEqual(again.action, v.action, "bucketing is stable")
        }
        XCTAssertTrue((150...250).contains(enforced), "about 50% enforced, got \(enforced)")
        let (noKey, _) = try evaluate(p, amount: 60, customer: nil, disputes: 0)
        XCTAssertEqual(noKey.action, .none, "a missing rollout key is in no rollout")
    }

    /// Trace mode runs the code without its fast-mode stops: still valid code (it verifies), and
    /// every jump, including one over a removed stop, lands on the same instruction as before.
    func testTraceCodeDropsTheFastStopsAndKeepsJumpTargets() throws {
        var b = ProgramBuilder()
        b.addField("flag", .bool)
        b.addRule(RuleInfo(name: "a", action: .block))
        b.addRule(RuleInfo(name: "b", action: .review))
        b.addRule(RuleInfo(name: "c", action: .review, shadow: true))
        let skip = b.newLabel(), end = b.newLabel()
        b.emit(.testTrue, a: 0, jumpTo: skip)         // jumps over a stop to `fire`
        b.emit(.fastExitIfDecided, a: UInt16(VerdictAction.block.rawValue))
        b.bind(skip)
        b.emit(.fire, a: 0)
        b.emit(.testTrue, a: 0, jumpTo: end)          // jumps to a removed stop: lands on `fire` after it
        b.emit(.fire, a: 1)
        b.bind(end)
        b.emit(.fastStop)
        b.emit(.fire, a: 2)
        b.emit(.halt)
        let contents = try b.build().contents
        let trace = ProgramImage.traceCode(contents.code)
        XCTAssertEqual(trace.map(\.opcode), [Opcode.testTrue, .fire, .testTrue, .fire, .fire, .halt].map(\.rawValue))
        XCTAssertEqual(trace.map(\.c), [0, 0, 1, 0, 0, 0])
        var traceContents = contents
        traceContents.code = trace
        XCTAssertNoThrow(try Program(traceContents))
    }

    /// Outcome bitsets are reset per evaluation with any rule count (one word each up to 64 rules,
    /// several beyond): a rule that fired in one evaluation is not reported by the next.
    func testOutcomesResetBetweenEvaluationsBeyond64Rules() throws {
        for ruleCount in [3, 70, 130] {
            var b = ProgramBuilder()
            b.addField("flag", .bool)
            for i in 0..<ruleCount { b.addRule(RuleInfo(name: "r\(i)", kind: .score, action: .none, points: 1)) }
            for i in 0..<ruleCount {
                let end = b.newLabel()
                b.emit(.testTrue, a: 0, jumpTo: end)
                b.emit(.fire, a: UInt16(i))
                b.bind(end)
            }
            b.emit(.halt)
            let request = Request(program: try b.build())
            try request.set(0, bool: true)
            XCTAssertEqual(VM.evaluate(request, mode: .trace).score, Int64(ruleCount))
            XCTAssertTrue(request.fired(rule: ruleCount - 1))
            try request.set(0, bool: false)
            XCTAssertEqual(VM.evaluate(request, mode: .trace).score, 0)
            XCTAssertFalse((0..<ruleCount).contains { request.fired(rule: $0) }, "\(ruleCount) rules")
        }
    }

    func testFastAndTraceModesAgree() throws {
        var rng = SystemRandomNumberGenerator()
        for onError in [VerdictAction.none, .review, .block] {
            let p = try Self.makeProgram(onError: onError)
            for _ in 0..<500 {
                let amount: Double? = Bool.random(using: &rng) ? Double(Int.random(in: 0...2000, using: &rng)) : nil
                let customer: String? = Int.random(in: 0..<4, using: &rng) == 0 ? nil : "c\(Int.random(in: 0..<50, using: &rng))"
                let disputes: Int64? = Int.random(in: 0..<5, using: &rng) == 0 ? nil : Int64.random(in: 0...3, using: &rng)
                let vip = Int.random(in: 0..<10, using: &rng) == 0
                let (fast, _) = try evaluate(p, amount: amount, customer: customer, disputes: disputes, vip: vip, mode: .fast)
                let (trace, _) = try evaluate(p, amount: amount, customer: customer, disputes: disputes, vip: vip, mode: .trace)
                XCTAssertEqual(fast.action, trace.action)
                XCTAssertEqual(fast.decidingRule, trace.decidingRule)
                if fast.action == .none || fast.action == .challenge || !fast.stoppedEarly {
                    XCTAssertEqual(fast.score, trace.score)
                    XCTAssertEqual(fast.challenge, trace.challenge)
                }
            }
        }
    }
}
