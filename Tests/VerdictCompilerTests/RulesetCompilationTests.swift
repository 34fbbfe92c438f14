// Rulesets through the whole pipeline: the reference ruleset compiles, disassembles and
// round-trips through .vbc; `let`s and models are evaluated at most once per request; the
// decision procedure on compiled rules; fast and trace mode agree on the reference ruleset over
// random inputs; and evaluating it allocates nothing after warm-up.
import CMallocCounter
import VerdictCompiler
import VerdictLanguage
import VerdictVM
import XCTest

final class RulesetCompilationTests: XCTestCase {
    func referenceProgram() throws -> Program {
        guard let path = referenceRulesPath() else { throw XCTSkip("../shared/bench/reference.rules not found (set VERDICT_SHARED)") }
        let result = Frontend.load(paths: [path])
        guard let ruleset = result.ruleset else { XCTFail("\(result.diagnostics)"); throw CompileError(message: "") }
        return try Compiler.compile(ruleset)
    }

    func testReferenceRulesetCompilesDisassemblesAndRoundTrips() throws {
        let program = try referenceProgram()
        XCTAssertEqual(program.rules.count, 41 + 4)
        XCTAssertEqual(program.fields.last?.name, "now")
        let decoded = try BytecodeFormat.decode(BytecodeFormat.encode(program))
        XCTAssertEqual(decoded.contents, program.contents)
        let listing = Disassembler.listing(program.contents)
        XCTAssertTrue(listing.contains("testList           email, @blocked_emails"), listing)
        XCTAssertTrue(listing.contains("fireRollout        rule rollout_limit, customer.id"), listing)
        XCTAssertTrue(listing.contains("testEndsWithK      email_domain, \".xyz\""), "LIKE '%.xyz' becomes a suffix test")
    }

    func testLetsAndModelsAreEvaluatedAtMostOncePerRequest() throws {
        let program = try compile("""
        schema {
          amount double
          email string
        }
        model m linear "m.json" { amount = amount }
        let risky = m > 0.5
        rule a: block if risky and amount > 10.0
        rule b: review if risky and amount > 5.0
        rule c: review if risky
        score s: +10 if m > 0.7
        """)
        let host = ScriptedHost()
        host.model = 0.9
        let request = Request(program: program)
        try request.set(0, double: 7)
        let verdict = VM.evaluate(request, host: host.host, mode: .trace)
        XCTAssertEqual(verdict.action, .review)
        XCTAssertEqual(verdict.decidingRule, 1)
        XCTAssertEqual(verdict.score, 10)
        XCTAssertEqual(host.modelCalls, 1)
    }

    func testDecisionProcedureOnCompiledRules() throws {
        let program = try compile("""
        schema {
          amount double
          customer string
          n int
        }
        list vips string
        on error review
        rule vip: allow if customer in @vips
        rule big: block if amount > 1000.0
        rule shadowed: block if amount > 10.0 shadow
        rule everyone: review if amount > 500.0 rollout 100% by customer
        rule nobody: review if amount > 500.0 rollout 0% by customer
        rule ratio: block if 100 / n > 1000
        rule chal: challenge if amount > 100.0
        score s1: +30 if amount > 50.0
        score s2: +30 if n >= 1
        threshold review if score >= 50, block if score >= 60
        """)
        let host = ScriptedHost()
        let request = Request(program: program)
        func run(_ amount: Double?, _ customer: String?, _ n: Int64?, vip: Bool = false, mode: EvaluationMode = .trace) throws -> Verdict {
            request.reset()
            if let amount { try request.set(0, double: amount) }
            if let customer { try request.set(1, string: customer) }
            if let n { try request.set(2, int: n) }
            host.list = vip ? 1 : 0
            return VM.evaluate(request, host: host.host, mode: mode)
        }
        XCTAssertEqual(try run(5000, "c", 1, vip: true).action, .allow)
        XCTAssertEqual(try run(5000, "c", 1).action, .block)
        let v = try run(600, "c", 1)
        XCTAssertEqual(v.action, .review)
        XCTAssertEqual(v.decidingRule, 3, "rollout 100% is enforced")
        XCTAssertEqual(request.outcome(ofRule: 4), .firedNotEnforced, "rollout 0% fires but is not enforced")
        XCTAssertEqual(request.outcome(ofRule: 2), .firedNotEnforced, "shadow")
        let onError = try run(20, "c", 0)
        XCTAssertEqual(onError.action, .review)
        XCTAssertEqual(onError.decidingRule, 5)
        XCTAssertEqual(request.outcome(ofRule: 5), .error)
        let threshold = try run(60, "c", 1)
        XCTAssertEqual(threshold.score, 60)
        XCTAssertEqual(threshold.action, .block)
        XCTAssertNil(threshold.decidingRule)
        let challenge = try run(150, nil, nil)
        XCTAssertEqual(challenge.action, .challenge)
        XCTAssertEqual(request.outcome(ofRule: 5), .missing)
    }

    func testThresholdClausesWithGeneralConditions() throws {
        let program = try compile("""
        schema {
          amount double
          country string
        }
        score s1: +30 if amount > 50.0
        score s2: -40 if country == "US"
        threshold review if score >= 30, block if score > 20 and country == "RU"
        threshold challenge if score < 0 or amount > 5000.0, allow if score == 0 and amount < 1.0
        """)
        XCTAssertEqual(program.contents.thresholds, [
            ThresholdInfo(action: .review, minimumScore: 30), ThresholdInfo(action: .block, minimumScore: nil),
            ThresholdInfo(action: .challenge, minimumScore: nil), ThresholdInfo(action: .allow, minimumScore: nil),
        ])
        let decoded = try BytecodeFormat.decode(BytecodeFormat.encode(program))
        XCTAssertEqual(decoded.contents, program.contents)
        XCTAssertTrue(Disassembler.listing(program.contents).contains("holdThreshold      threshold 1"))
        let request = Request(program: program)
        func run(_ amount: Double?, _ country: String?) throws -> (fast: Verdict, trace: Verdict) {
            request.reset()
            if let amount { try request.set(0, double: amount) }
            if let country { try request.set(1, string: country) }
            let fast = VM.evaluate(request, mode: .fast)
            return (fast, VM.evaluate(request, mode: .trace))
        }
        let cases: [(Double?, String?, VerdictVM.VerdictAction, Int64)] = [
            (100, "DE", .review, 30),       // score >= 30 only
            (100, "RU", .block, 30),        // block (score > 20 and RU) is more severe than review
            (10, "US", .challenge, -40),    // score < 0
            (10, nil, .none, 0),            // s2 missing: score 0, amount not < 1
            (0.5, "DE", .allow, 0),         // score == 0 and amount < 1
            (6000, "RU", .block, 30),       // block beats challenge (amount > 5000) and review
            (nil, "RU", .none, 0),          // amount missing: the `or` is missing, nothing applies
        ]
        for (amount, country, action, score) in cases {
            let (fast, trace) = try run(amount, country)
            XCTAssertEqual(trace.action, action, "\(String(describing: amount)) \(String(describing: country))")
            XCTAssertEqual(trace.score, score)
            XCTAssertNil(trace.decidingRule)
            XCTAssertEqual(fast.action, trace.action)
        }
    }

    func testRulesSharingALetRunBehindOneThreeWayGuard() throws {
        let program = try compile("""
        schema {
          amount  int
          divisor int
          age     int
          country string
        }
        let big = amount / divisor > 100
        rule r1: review if big and age < 5
        rule r2: review if country == "RU" and big
        rule r3: review if age > 50
        """)
        let code = program.contents.code
        let guards = code.indices.filter { code[$0].opcode == Opcode.branchBool.rawValue }
        XCTAssertEqual(guards.count, 1, "the two rules sharing `big` form one block")
        let big = code[guards[0]].a
        let whenTrue = guards[0] + 1 + Int(code[guards[0]].b)
        let testsOfBig = code.indices.filter { code[$0].opcode == Opcode.testTrue.rawValue && code[$0].a == big }
        XCTAssertEqual(testsOfBig.count, 2, "only the copy for missing/error re-tests the let")
        XCTAssertTrue(testsOfBig.allSatisfy { $0 < whenTrue }, "the copy run when the let is true does not test it")
        let request = Request(program: program)
        // amount, divisor, age, country -> action, outcomes of r1 and r2 (trace mode).
        let cases: [(Int64?, Int64, Int64, String, VerdictVM.VerdictAction, RuleOutcome, RuleOutcome)] = [
            (500, 1, 1, "RU", .review, .fired, .fired),     // big true: both rules of the block fire
            (500, 1, 9, "DE", .none, .notFired, .notFired), // big true, other conjuncts false
            (50, 1, 1, "RU", .none, .notFired, .notFired),  // big false: the block is skipped
            (nil, 1, 1, "RU", .none, .missing, .missing),   // big missing: reported per rule
            (nil, 1, 9, "RU", .none, .notFired, .missing),  // a false conjunct absorbs missing
            (500, 0, 1, "RU", .none, .error, .error),       // big an error (division by zero)
            (500, 0, 60, "DE", .review, .notFired, .notFired),
        ]
        for (amount, divisor, age, country, action, o1, o2) in cases {
            request.reset()
            if let amount { try request.set(0, int: amount) }
            try request.set(1, int: divisor)
            try request.set(2, int: age)
            try request.set(3, string: country)
            let fast = VM.evaluate(request, mode: .fast)
            let trace = VM.evaluate(request, mode: .trace)
            let label = "\(String(describing: amount)) \(divisor) \(age) \(country)"
            XCTAssertEqual(trace.action, action, label)
            XCTAssertEqual(fast.action, trace.action, label)
            XCTAssertEqual(request.outcome(ofRule: 0), o1, label)
            XCTAssertEqual(request.outcome(ofRule: 1), o2, label)
        }
    }

    func testSingleUseLetsAreInlinedAndUnusedLetsAreNotComputed() throws {
        let program = try compile("""
        schema {
          amount double
          domain string
        }
        let free = domain in ["a.com", "b.com"]
        let big = amount > 100.0
        let unused = amount * 2.0 > 7.0
        rule r1: review if free and big
        rule r2: block if big and amount > 500.0
        """)
        let opcodes = program.contents.code.map { Opcode(rawValue: $0.opcode)! }
        XCTAssertTrue(opcodes.contains(.testInSet), "the single-use let becomes a fused test at its use")
        XCTAssertFalse(opcodes.contains(.inSet), "and is not computed into a register up front")
        XCTAssertEqual(opcodes.filter { $0 == .gtDK }.count, 1, "the let used twice is computed once")
        XCTAssertFalse(opcodes.contains(.mulD), "a let nothing uses is not computed")
        let request = Request(program: program)
        try request.set(0, double: 200)
        try request.set(1, string: "b.com")
        XCTAssertEqual(VM.evaluate(request, mode: .trace).action, .review)
        request.reset()
        try request.set(0, double: 200)
        XCTAssertEqual(VM.evaluate(request, mode: .trace).action, .none)
        XCTAssertEqual(request.outcome(ofRule: 0), .missing)
    }

    func testLetsNothingReachesNeitherReadCountersNorKeepALetFromBeingInlined() throws {
        let program = try compile("""
        schema {
          amount double
          domain string
        }
        counter attempts by domain retain 7d
        let free = domain in ["a.com", "b.com"]
        let unused = free and attempts(24h) > 3
        rule r1: review if free and attempts(1h) > 1
        """)
        let opcodes = program.contents.code.map { Opcode(rawValue: $0.opcode)! }
        XCTAssertEqual(program.contents.counterReads.map(\.windowSeconds), [3600], "only the read a rule reaches")
        XCTAssertTrue(opcodes.contains(.testInSet), "a let used once by a rule and once by an unused let is inlined")
        XCTAssertFalse(opcodes.contains(.inSet))
    }

    func testRegexesCompileToTheMatchesOpcode() throws {
        let result = Frontend.check(text: "schema {\n email string\n}\nrule r: review if email.matches(\"^a\")\n")
        let program = try Compiler.compile(try XCTUnwrap(result.ruleset))
        XCTAssertTrue(program.contents.code.contains { $0.opcode == Opcode.matches.rawValue })
        XCTAssertEqual(program.contents.regexes.map(\.pattern), ["^a"])
    }

    /// Random requests for the reference ruleset: every field missing or set, host answers random.
    func randomize(_ request: Request, _ host: ScriptedHost, _ rng: inout SystemRandomNumberGenerator) {
        request.reset()
        for (i, field) in request.program.fields.enumerated() where Int.random(in: 0..<6, using: &rng) != 0 {
            switch field.type {
            case .int: try? request.set(i, int: Int64.random(in: -2...40, using: &rng))
            case .double: try? request.set(i, double: [1.0, 4.0, 60, 250, 600, 1500, 4000, 6000, 30000].randomElement(using: &rng)!)
            case .bool: try? request.set(i, bool: Bool.random(using: &rng))
            case .string: try? request.set(i, string: ["fail", "pass", "NG", "RU", "US", "usd", "x@a.ru", "4111", "gmail.com", "a.XYZ", "prepaid", "5815"].randomElement(using: &rng)!)
            case .ip: try? request.set(i, ip: VerdictVM.IPAddress("10.0.0.\(Int.random(in: 0...255, using: &rng))")!)
            case .network: break
            }
        }
        host.list = Int32.random(in: -1...1, using: &rng) == 1 ? 1 : 0
        host.counter = Double(Int.random(in: 0...40, using: &rng))
        host.counterStatus = Int.random(in: 0..<10, using: &rng) == 0 ? HostStatus.missing : HostStatus.value
        host.model = Double.random(in: 0...1, using: &rng)
        host.modelStatus = Int.random(in: 0..<10, using: &rng) == 0 ? HostStatus.error : HostStatus.value
    }

    func testFastAndTraceModesAgreeOnTheReferenceRuleset() throws {
        let program = try referenceProgram()
        let request = Request(program: program)
        let host = ScriptedHost()
        var rng = SystemRandomNumberGenerator()
        var stopped = 0
        for _ in 0..<2000 {
            randomize(request, host, &rng)
            let trace = VM.evaluate(request, host: host.host, mode: .trace)
            let fast = VM.evaluate(request, host: host.host, mode: .fast)
            if fast.stoppedEarly { stopped += 1 }
            XCTAssertEqual(fast.action, trace.action)
            XCTAssertEqual(fast.decidingRule, trace.decidingRule)
            if !fast.stoppedEarly || fast.action == .none || fast.action == .challenge {
                XCTAssertEqual(fast.score, trace.score)
            }
        }
        XCTAssertGreaterThan(stopped, 100, "fast mode does stop early")
    }

    func testReferenceRulesetEvaluatesWithoutAllocating() throws {
        let program = try referenceProgram()
        let request = Request(program: program)
        let host = ScriptedHost()
        let h = host.host
        var rng = SystemRandomNumberGenerator()
        // Pre-drawn inputs so that the measured loop only sets fields and evaluates.
        let amounts: [Double] = (0..<64).map { _ in Double.random(in: 0...30000, using: &rng) }
        let country = program.fieldIndex(named: "card.country")!, amount = program.fieldIndex(named: "amount_usd")!
        let domain = program.fieldIndex(named: "email_domain")!
        let codes: [StaticString] = ["US", "NG", "RU", "DE"]
        func run(_ i: Int) {
            request.reset()
            try? request.set(amount, double: amounts[i % 64])
            let code = codes[i % 4]
            try? request.set(country, utf8: UnsafeRawBufferPointer(start: code.utf8Start, count: code.utf8CodeUnitCount))
            try? request.set(domain, utf8: UnsafeRawBufferPointer(start: code.utf8Start, count: code.utf8CodeUnitCount))
            host.counter = Double(i % 30)
            _ = VM.evaluate(request, host: h, mode: i % 2 == 0 ? .trace : .fast)
        }
        for i in 0..<200 { run(i) }
        vd_malloc_counter_start()
        for i in 0..<2000 { run(i) }
        XCTAssertEqual(vd_malloc_counter_stop(), 0)
        withExtendedLifetime(host) {}
    }
}
